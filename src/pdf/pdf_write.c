/* The incremental-update writer: original bytes, new objects, an xref table or stream, trailer. */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

es_err es__pdf_w_init(es__pdf_writer *w, const es_pdf *d)
{
    memset(w, 0, sizeof(*w));
    w->out.max = ES__PDF_SB_MAX;
    w->d = d;
    if (d->size < 1)
        return es__fail(ES_ERR_FORMAT, "the trailer has no /Size");
    /* qpdf makes a page written directly in /Kids indirect, numbered from /Size on: the update
     * would give that number to a new object too, and the original /Kids still holds the page
     * itself. ISO 32000-1 7.7.3.2 wants Kids to be indirect references. */
    for (size_t i = 0; i < d->npages; i++)
        if (d->pages[i].objid >= d->size || d->pages[i].objid <= 0)
            return es__fail(ES_ERR_FORMAT,
                            "page %zu is a direct object in the page tree's /Kids (ISO 32000-1 "
                            "7.7.3.2 requires indirect references): an update cannot refer to it",
                            i + 1);
    w->next_id = d->size;
    es__sb_add(&w->out, d->data.data, d->data.len);
    /* an update starts on a line of its own; the original bytes stay exactly as they were */
    if (d->data.len == 0 ||
        (d->data.data[d->data.len - 1] != '\n' && d->data.data[d->data.len - 1] != '\r'))
        es__sb_str(&w->out, "\n");
    return w->out.err;
}

long es__pdf_w_new_id(es__pdf_writer *w)
{
    return w->next_id++;
}

void es__pdf_w_begin(es__pdf_writer *w, long id)
{
    es__pdf_w_begin_gen(w, id, 0);
}

void es__pdf_w_begin_gen(es__pdf_writer *w, long id, int gen)
{
    es__pdf_off *n;

    if (w->nobjs == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        if ((n = realloc(w->objs, w->cap * sizeof(*n))) == NULL) {
            w->out.err = w->out.err ? w->out.err : es__fail(ES_ERR_NOMEM, "out of memory");
            w->cap = w->nobjs;
            return;
        }
        w->objs = n;
    }
    w->objs[w->nobjs].id = id;
    w->objs[w->nobjs].gen = gen;
    w->objs[w->nobjs++].off = w->out.len;
    es__pdf_sb_int(&w->out, id);
    es__sb_add(&w->out, " ", 1);
    es__pdf_sb_int(&w->out, gen);
    ES__SB_LIT(&w->out, " obj\n");
}

/* Replace the body of the object begun last with its encryption. */
static void encrypt_last(es__pdf_writer *w)
{
    const es__pdf_off *o = &w->objs[w->nobjs - 1];
    const char *nl = memchr(w->out.p + o->off, '\n', w->out.len - o->off);
    size_t body = nl == NULL ? w->out.len : (size_t)(nl + 1 - w->out.p);
    es__sb e = ES__PDF_SB_INIT;
    es_err rc = es__pdf_crypt_object(w->crypt, o->id, o->gen, (const uint8_t *)w->out.p + body,
                                     w->out.len - body, o->id == w->plain_id, &e);

    if (rc == ES_OK) {
        w->out.len = body;
        es__sb_add(&w->out, e.p, e.len);
    } else if (w->out.err == ES_OK) {
        w->out.err = rc;
    }
    es__sb_free(&e);
}

void es__pdf_w_end(es__pdf_writer *w)
{
    if (w->crypt != NULL && w->nobjs > 0 && w->out.err == ES_OK)
        encrypt_last(w);
    es__sb_str(&w->out, "\nendobj\n");
}

static int by_id(const void *a, const void *b)
{
    const es__pdf_off *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* /Root, /Info, /Encrypt copied; /ID keeps its first string and gets a new second one. */
static es_err trailer_keys(es__pdf_writer *w, es__sb *b)
{
    qpdf_data q = w->d->q;
    qpdf_oh t = qpdf_get_trailer(q), id;
    static const char *const keys[] = {"/Root", "/Info", "/Encrypt"};
    uint8_t h[32];
    /* the second /ID string only has to be new: not a hash of the whole file */
    es_err rc = es__pdf_new_id(h);

    for (size_t i = 0; i < ES__ARRAY_LEN(keys) && rc == ES_OK; i++) {
        qpdf_oh v = qpdf_oh_get_key(q, t, keys[i]);
        if (!qpdf_oh_is_null(q, v)) {
            es__sb_add(b, " ", 1);
            es__sb_str(b, keys[i]);
            es__sb_add(b, " ", 1);
            rc = es__pdf_ser_value(q, v, b);
        }
        qpdf_oh_release(q, v);
    }
    es__sb_str(b, " /ID [");
    id = qpdf_oh_get_key(q, t, "/ID");
    if (rc == ES_OK && qpdf_oh_is_array(q, id) && qpdf_oh_get_array_n_items(q, id) == 2) {
        qpdf_oh first = qpdf_oh_get_array_item(q, id, 0);
        rc = es__pdf_ser_value(q, first, b);
        qpdf_oh_release(q, first);
    } else {
        es__sb_str(b, "<");
        es__pdf_sb_hex(b, h, 16);
        es__sb_str(b, ">");
    }
    es__sb_str(b, " <");
    es__pdf_sb_hex(b, h + 16, 16);
    es__sb_str(b, ">] /Prev ");
    es__pdf_sb_int(b, w->d->startxref);
    qpdf_oh_release(q, id);
    qpdf_oh_release(q, t);
    return rc != ES_OK ? rc : b->err;
}

static void write_table(es__pdf_writer *w, const char *trailer)
{
    size_t xref = w->out.len;

    es__sb_str(&w->out, "xref\n");
    for (size_t i = 0; i < w->nobjs;) {
        size_t j = i + 1;
        while (j < w->nobjs && w->objs[j].id == w->objs[j - 1].id + 1)
            j++;
        es__pdf_sb_int(&w->out, w->objs[i].id);
        es__sb_add(&w->out, " ", 1);
        es__pdf_sb_uint(&w->out, j - i, 0);
        es__sb_add(&w->out, "\n", 1);
        for (; i < j; i++) {
            /* "%010zu %05d n\r\n" */
            es__pdf_sb_uint(&w->out, w->objs[i].off, 10);
            es__sb_add(&w->out, " ", 1);
            es__pdf_sb_uint(&w->out, (unsigned)w->objs[i].gen, 5);
            ES__SB_LIT(&w->out, " n\r\n");
        }
    }
    /* "trailer\n<< /Size %ld%s >>\nstartxref\n%zu\n%%%%EOF\n" */
    ES__SB_LIT(&w->out, "trailer\n<< /Size ");
    es__pdf_sb_int(&w->out, w->next_id);
    es__sb_str(&w->out, trailer);
    ES__SB_LIT(&w->out, " >>\nstartxref\n");
    es__pdf_sb_uint(&w->out, xref, 0);
    ES__SB_LIT(&w->out, "\n%%EOF\n");
}

/* An uncompressed xref stream (ISO 32000 7.5.8): type 1 entries, offsets of width ow. */
static void write_stream(es__pdf_writer *w, const char *trailer)
{
    long id = es__pdf_w_new_id(w);
    size_t ow = w->out.len > 0xFFFFFFF0u ? 8 : 4;
    es__sb idx = ES__PDF_SB_INIT, data = ES__PDF_SB_INIT;

    size_t xoff = w->out.len;

    es__pdf_w_begin(w, id);
    qsort(w->objs, w->nobjs, sizeof(*w->objs), by_id);
    for (size_t i = 0; i < w->nobjs;) {
        size_t j = i + 1;
        while (j < w->nobjs && w->objs[j].id == w->objs[j - 1].id + 1)
            j++;
        if (i > 0)
            es__sb_add(&idx, " ", 1);
        es__pdf_sb_int(&idx, w->objs[i].id);
        es__sb_add(&idx, " ", 1);
        es__pdf_sb_uint(&idx, j - i, 0);
        for (; i < j; i++) {
            uint8_t e[11];
            e[0] = 1;
            for (size_t k = 0; k < ow; k++)
                e[1 + k] = (uint8_t)(w->objs[i].off >> (8 * (ow - 1 - k)));
            e[1 + ow] = (uint8_t)(w->objs[i].gen >> 8);
            e[2 + ow] = (uint8_t)w->objs[i].gen;
            es__sb_add(&data, e, 3 + ow);
        }
    }
    if (idx.err || data.err) {
        w->out.err = w->out.err ? w->out.err : (idx.err ? idx.err : data.err);
    } else {
        /* "<< /Type /XRef /Size %ld /Index [%s] /W [1 %zu 2] /Length %zu%s >>\nstream\n" */
        ES__SB_LIT(&w->out, "<< /Type /XRef /Size ");
        es__pdf_sb_int(&w->out, w->next_id);
        ES__SB_LIT(&w->out, " /Index [");
        es__sb_add(&w->out, idx.p, idx.len);
        ES__SB_LIT(&w->out, "] /W [1 ");
        es__pdf_sb_uint(&w->out, ow, 0);
        ES__SB_LIT(&w->out, " 2] /Length ");
        es__pdf_sb_uint(&w->out, data.len, 0);
        es__sb_str(&w->out, trailer);
        ES__SB_LIT(&w->out, " >>\nstream\n");
        es__sb_add(&w->out, data.p, data.len);
        ES__SB_LIT(&w->out, "\nendstream\nendobj\nstartxref\n");
        es__pdf_sb_uint(&w->out, xoff, 0);
        ES__SB_LIT(&w->out, "\n%%EOF\n");
    }
    es__sb_free(&idx);
    es__sb_free(&data);
}

es_err es__pdf_w_finish(es__pdf_writer *w)
{
    es__sb t = ES__PDF_SB_INIT;
    es_err rc = w->out.err;

    if (rc == ES_OK && w->nobjs == 0)
        rc = es__fail(ES_ERR_INTERNAL, "an update without objects");
    if (rc == ES_OK)
        rc = trailer_keys(w, &t);
    if (rc == ES_OK && (t.p == NULL || t.err != ES_OK))
        rc = t.err ? t.err : es__fail(ES_ERR_NOMEM, "out of memory");
    if (rc == ES_OK) {
        qsort(w->objs, w->nobjs, sizeof(*w->objs), by_id);
        if (w->d->xref_stream)
            write_stream(w, (const char *)t.p);
        else
            write_table(w, (const char *)t.p);
        rc = w->out.err;
    }
    es__sb_free(&t);
    return rc;
}

void es__pdf_w_release(es__pdf_writer *w)
{
    es__sb_free(&w->out);
    free(w->objs);
    w->objs = NULL;
    w->nobjs = w->cap = 0;
}
