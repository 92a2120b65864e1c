/* es_pdf_to_text: pages, revisions and signatures with their coverage, safe for a terminal. */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

/* Text from the file, with control characters shown as '?'. */
static void safe(es__sb *t, const char *s)
{
    for (; *s; s++) {
        char c = (unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s;
        es__sb_add(t, &c, 1);
    }
}

static const char *coverage(const es_pdf *d, const es_pdf_sig_info *s)
{
    int64_t end = s->byte_range[2] + s->byte_range[3];

    if (s->nbyte_range != 4 || s->byte_range[0] != 0 || s->revision == 0)
        return "partial";
    return (size_t)end == d->data.len || s->revision == d->nrevs ? "whole_file" : "whole_revision";
}

es_err es_pdf_to_text(const es_pdf *d, char **out)
{
    es__sb t = ES__PDF_SB_INIT;

    es__sb_printf(&t, "pages: %zu\n", d->npages);
    for (size_t i = 0; i < d->npages; i++) {
        const es_pdf_page *p = &d->pages[i];
        es__sb_printf(&t,
                      "  page %zu: object %d, MediaBox [%g %g %g %g], CropBox [%g %g %g %g], "
                      "rotate %d, %zu annotation(s)\n",
                      i + 1, p->objid, p->media[0], p->media[1], p->media[2], p->media[3],
                      p->crop[0], p->crop[1], p->crop[2], p->crop[3], p->rotate, p->nannots);
    }
    es__sb_printf(&t, "revisions: %zu (cross-reference %s%s%s)\n", d->nrevs,
                  d->xref_stream ? "stream" : "table", d->encrypted ? ", encrypted" : "",
                  d->repaired ? ", damaged: repaired by qpdf" : "");
    for (size_t i = 0; i < d->nrevs; i++)
        es__sb_printf(&t, "  revision %zu: ends at %zu\n", i + 1, d->revs[i]);
    es__sb_printf(&t, "signatures: %zu\n", d->nsigs);
    for (size_t i = 0; i < d->nsigs; i++) {
        const es_pdf_sig_info *s = &d->sigs[i].info;
        es__sb_printf(&t, "  signature %zu: field \"", i + 1);
        safe(&t, s->field[0] ? s->field : "(outside the form)");
        es__sb_str(&t, "\", /SubFilter /");
        safe(&t, s->subfilter);
        es__sb_printf(&t,
                      ", page %ld, ByteRange [%lld %lld %lld %lld], %zu bytes of "
                      "/Contents, revision %zu, coverage %s",
                      s->page, (long long)s->byte_range[0], (long long)s->byte_range[1],
                      (long long)s->byte_range[2], (long long)s->byte_range[3], s->contents_len,
                      s->revision, coverage(d, s));
        if (s->docmdp)
            es__sb_printf(&t, ", certifies with DocMDP P=%d", s->docmdp);
        es__sb_str(&t, "\n");
    }
    if ((*out = es__sb_cstr(&t)) == NULL)
        return t.err ? t.err : es__fail(ES_ERR_NOMEM, "out of memory");
    return ES_OK;
}
