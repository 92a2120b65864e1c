/* `eseal ofd show`: the pages, signatures and stamp positions of a package as safe text. */
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

/* Append s with control characters shown as '?', so printing the text is safe. */
static void add_safe(es__sb *t, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        es__sb_add(t, (*c < 0x20 || *c == 0x7f) ? "?" : (const char *)c, 1);
}

static void add_box(es__sb *t, const char *label, const double b[4])
{
    es__sb_printf(t, " %s ", label);
    for (int i = 0; i < 4; i++) {
        es__ofd_sb_mm(t, b[i]);
        es__sb_add(t, i < 3 ? " " : "", i < 3);
    }
}

static void add_signature(es__sb *t, const es__ofd_sig *s)
{
    ES__SB_LIT(t, "  ID ");
    add_safe(t, s->id);
    ES__SB_LIT(t, " Type ");
    add_safe(t, s->type[0] ? s->type : "(none)");
    ES__SB_LIT(t, " ");
    add_safe(t, s->path ? s->path : "");
    if (s->error != NULL) {
        ES__SB_LIT(t, ": cannot be read: ");
        add_safe(t, s->error);
        ES__SB_LIT(t, "\n");
        return;
    }
    es__sb_printf(t, "\n    %zu references, time ", s->nrefs);
    add_safe(t, s->date ? s->date : "");
    ES__SB_LIT(t, "\n");
    for (size_t i = 0; i < s->nstamps; i++) {
        ES__SB_LIT(t, "    stamp ");
        add_safe(t, s->stamps[i].id);
        ES__SB_LIT(t, " on page ID ");
        add_safe(t, s->stamps[i].page_ref);
        if (s->stamps[i].has_boundary)
            add_box(t, "at", s->stamps[i].boundary);
        if (s->stamps[i].has_clip)
            add_box(t, "clip", s->stamps[i].clip);
        ES__SB_LIT(t, "\n");
    }
}

es_err es_ofd_to_text(const es_ofd *d, char **out)
{
    es__sb t = {0};

    es__sb_printf(&t, "entries: %zu (%zu bytes before, %zu after the zip)\ndocument: ", d->ne,
                  d->before, d->after);
    add_safe(&t, d->doc_root);
    es__sb_printf(&t, "\npages: %zu\n", d->npages);
    for (size_t i = 0; i < d->npages; i++) {
        es__sb_printf(&t, "  %zu: ID ", i + 1);
        add_safe(&t, d->pages[i].id);
        ES__SB_LIT(&t, " ");
        add_safe(&t, d->pages[i].loc);
        add_box(&t, "box", d->pages[i].pub.box);
        ES__SB_LIT(&t, "\n");
    }
    es__sb_printf(&t, "signatures: %zu", d->nsigs);
    if (d->sigs_loc != NULL) {
        ES__SB_LIT(&t, " in ");
        add_safe(&t, d->sigs_loc);
    }
    ES__SB_LIT(&t, "\n");
    for (size_t i = 0; i < d->nsigs; i++)
        add_signature(&t, &d->sigs[i]);
    if (t.err != ES_OK) {
        es__sb_free(&t);
        return t.err;
    }
    *out = t.p;
    return ES_OK;
}
