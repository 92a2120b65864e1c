/* Opening a PDF with qpdf: revisions, cross-reference flavour, pages with inherited attributes. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pdf/pdf_local.h"

/* Page tree levels walked for inherited attributes (real files have a handful). */
#define MAX_INHERIT_DEPTH 64
#define MAX_REVISIONS     100000u

es_err es__pdf_qpdf_open(const uint8_t *p, size_t n, const char *password, qpdf_data *q,
                         int *repaired)
{
    es_err rc = ES_OK;
    QPDF_ERROR_CODE st;

    *q = qpdf_init();
    qpdf_silence_errors(*q);
    qpdf_set_suppress_warnings(*q, QPDF_TRUE);
    st = qpdf_read_memory(*q, "input.pdf", (const char *)p, (unsigned long long)n,
                          password ? password : "");
    if (st & QPDF_ERRORS) {
        qpdf_error e = qpdf_get_error(*q);
        enum qpdf_error_code_e code = qpdf_get_error_code(*q, e);
        /* qpdf refuses public-key and custom security handlers as unsupported */
        rc = es__fail(code == qpdf_e_password      ? ES_ERR_PASSWORD
                      : code == qpdf_e_unsupported ? ES_ERR_UNSUPPORTED
                                                   : ES_ERR_FORMAT,
                      "%s: %s",
                      code == qpdf_e_unsupported ? "a PDF feature that is not supported"
                                                 : "not a readable PDF",
                      qpdf_get_error_full_text(*q, e));
        qpdf_cleanup(q);
        return rc;
    }
    if (repaired != NULL)
        *repaired = (st & QPDF_WARNINGS) != 0;
    while (qpdf_more_warnings(*q))
        qpdf_next_warning(*q);
    return ES_OK;
}

/* Offsets just after each "%%EOF" and its end of line. */
static es_err find_revisions(es_pdf *d)
{
    const uint8_t *p = d->data.data, *e = p + d->data.len, *h = p;
    size_t cap = 0, *nr;

    while (h < e && (h = memmem(h, (size_t)(e - h), "%%EOF", 5)) != NULL) {
        const uint8_t *end = h + 5;
        if (end < e && *end == '\r')
            end++;
        if (end < e && *end == '\n')
            end++;
        if (d->nrevs == MAX_REVISIONS)
            return es__fail(ES_ERR_LIMIT, "more than %u revisions", MAX_REVISIONS);
        if (d->nrevs == cap) {
            cap = cap ? cap * 2 : 8;
            if ((nr = realloc(d->revs, cap * sizeof(*nr))) == NULL)
                return es__fail(ES_ERR_NOMEM, "out of memory");
            d->revs = nr;
        }
        d->revs[d->nrevs++] = (size_t)(end - p);
        h = end;
    }
    return ES_OK;
}

/* The last startxref and whether it points at a table ("xref") or a stream object. */
static void find_xref(es_pdf *d)
{
    const uint8_t *p = d->data.data;
    size_t n = d->data.len, from = n > 4096 ? n - 4096 : 0, at = n;
    int64_t off = -1;

    for (size_t i = from; i + 9 <= n; i++)
        if (memcmp(p + i, "startxref", 9) == 0)
            at = i + 9;
    if (at < n) {
        while (at < n && (p[at] == ' ' || p[at] == '\r' || p[at] == '\n' || p[at] == '\t'))
            at++;
        for (off = 0; at < n && p[at] >= '0' && p[at] <= '9' && off < INT64_MAX / 10; at++)
            off = off * 10 + (p[at] - '0');
    }
    d->startxref = off;
    d->xref_stream = 0;
    if (off >= 0 && (size_t)off < n) {
        size_t i = (size_t)off;
        while (i < n && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'))
            i++;
        d->xref_stream = !(n - i >= 4 && memcmp(p + i, "xref", 4) == 0);
    }
}

/*
 * /MediaBox, /CropBox and /Rotate of the page or of the nearest ancestor that has each (ISO 32000
 * 7.7.3.4), in one walk up the tree; 0 for a key no node has. has_key before get_key: an absent
 * key costs one call, and nothing is asked of a non-dictionary (qpdf warns about each).
 */
static void inherited(qpdf_data q, qpdf_oh page, qpdf_oh v[3])
{
    static const char *const keys[3] = {"/MediaBox", "/CropBox", "/Rotate"};
    qpdf_oh cur = page, parent;
    int left = 3;

    v[0] = v[1] = v[2] = 0;
    for (int i = 0; i <= MAX_INHERIT_DEPTH && left > 0 && qpdf_oh_is_dictionary(q, cur); i++) {
        for (int k = 0; k < 3; k++)
            if (v[k] == 0 && qpdf_oh_has_key(q, cur, keys[k])) {
                v[k] = qpdf_oh_get_key(q, cur, keys[k]);
                left--;
            }
        if (left == 0)
            break;
        parent = qpdf_oh_get_key(q, cur, "/Parent");
        if (cur != page)
            qpdf_oh_release(q, cur);
        cur = parent;
    }
    if (cur != page)
        qpdf_oh_release(q, cur);
}

static void read_page(qpdf_data q, qpdf_oh pg, es_pdf_page *out)
{
    qpdf_oh v[3];
    double b[4];

    out->objid = qpdf_oh_get_object_id(q, pg);
    out->media[0] = out->media[1] = 0;
    out->media[2] = 612;
    out->media[3] = 792;
    inherited(q, pg, v);
    if (v[0] != 0 && es__pdf_box_of(q, v[0], b))
        memcpy(out->media, b, sizeof(b));
    memcpy(out->crop, out->media, sizeof(b));
    if (v[1] != 0 && es__pdf_box_of(q, v[1], b)) {
        for (int i = 0; i < 2; i++) {
            out->crop[i] = b[i] > out->media[i] ? b[i] : out->media[i];
            out->crop[i + 2] = b[i + 2] < out->media[i + 2] ? b[i + 2] : out->media[i + 2];
        }
        if (out->crop[0] >= out->crop[2] || out->crop[1] >= out->crop[3])
            memcpy(out->crop, out->media, sizeof(b));
    }
    out->rotate =
        v[2] != 0 && qpdf_oh_is_integer(q, v[2]) ? (int)(qpdf_oh_get_int_value(q, v[2]) % 360) : 0;
    out->rotate = ((out->rotate + 360) % 360) / 90 * 90;
    for (int k = 0; k < 3; k++)
        if (v[k] != 0)
            qpdf_oh_release(q, v[k]);
    out->nannots = 0;
    if (qpdf_oh_has_key(q, pg, "/Annots")) {
        qpdf_oh an = qpdf_oh_get_key(q, pg, "/Annots");
        out->nannots = qpdf_oh_is_array(q, an) ? (size_t)qpdf_oh_get_array_n_items(q, an) : 0;
        qpdf_oh_release(q, an);
    }
}

es_err es__pdf_page_load(es_pdf *d, size_t i)
{
    qpdf_oh pg;

    if (i >= d->npages || d->page_loaded == NULL || d->page_loaded[i])
        return ES_OK;
    es__pdf_qpdf_clear(d->q);
    pg = qpdf_get_page_n(d->q, i);
    read_page(d->q, pg, &d->pages[i]);
    qpdf_oh_release(d->q, pg);
    d->page_loaded[i] = 1;
    if (qpdf_has_error(d->q))
        return es__fail(ES_ERR_FORMAT, "cannot read page %zu: %s", i + 1,
                        qpdf_get_error_full_text(d->q, qpdf_get_error(d->q)));
    return ES_OK;
}

/* Every page's attributes; with lazy, only each page's object number (es__pdf_page_load reads
 * the rest of the pages a caller needs). */
static es_err read_pages(es_pdf *d, int lazy)
{
    int n = qpdf_get_num_pages(d->q);

    if (n < 0 || qpdf_has_error(d->q))
        return es__fail(ES_ERR_FORMAT, "cannot read the page tree: %s",
                        qpdf_has_error(d->q) ? qpdf_get_error_full_text(d->q, qpdf_get_error(d->q))
                                             : "no pages");
    if (n > 0 && ((d->pages = calloc((size_t)n, sizeof(*d->pages))) == NULL ||
                  (lazy && (d->page_loaded = calloc((size_t)n, 1)) == NULL)))
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        qpdf_oh pg = qpdf_get_page_n(d->q, (size_t)i);
        if (lazy)
            d->pages[i].objid = qpdf_oh_get_object_id(d->q, pg);
        else
            read_page(d->q, pg, &d->pages[i]);
        qpdf_oh_release(d->q, pg);
    }
    d->npages = (size_t)n;
    if (qpdf_has_error(d->q))
        return es__fail(ES_ERR_FORMAT, "cannot read the pages: %s",
                        qpdf_get_error_full_text(d->q, qpdf_get_error(d->q)));
    return ES_OK;
}

es_err es_pdf_open(const uint8_t *p, size_t n, es_pdf **out)
{
    return es_pdf_open_password(p, n, NULL, out);
}

es_err es_pdf_open_password(const uint8_t *p, size_t n, const char *password, es_pdf **out)
{
    return es__pdf_open(p, n, password, 0, out);
}

es_err es__pdf_open(const uint8_t *p, size_t n, const char *password, unsigned flags, es_pdf **out)
{
    es_err rc;
    es_pdf *d = NULL;
    qpdf_oh t;

    *out = NULL;
    if (n > ES_PDF_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "PDF larger than %u bytes", ES_PDF_MAX_INPUT);
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if (password != NULL && (d->password = strdup(password)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if (flags & ES__PDF_BORROW) {
        d->data.data = (uint8_t *)p;
        d->data.len = n;
        d->borrowed = 1;
    } else if ((rc = es_buf_set(&d->data, p, n)) != ES_OK) {
        goto end;
    }
    if ((rc = es__pdf_qpdf_open(d->data.data, d->data.len, password, &d->q, &d->repaired)) !=
            ES_OK ||
        (rc = find_revisions(d)) != ES_OK)
        goto end;
    find_xref(d);
    d->encrypted = qpdf_is_encrypted(d->q) != 0;
    t = qpdf_get_trailer(d->q);
    d->size = (long)es__pdf_num(d->q, t, "/Size", 0);
    qpdf_oh_release(d->q, t);
    if ((rc = read_pages(d, (flags & ES__PDF_LAZY_PAGES) != 0)) != ES_OK ||
        (rc = es__pdf_read_fields(d)) != ES_OK)
        goto end;
    *out = d;
    d = NULL;
end:
    es_pdf_free(d);
    return rc;
}

es_err es_pdf_read_file(const char *path, const char *password, es_pdf **out)
{
    es_buf b = {0};
    es_err rc = es_file_read(path, ES_PDF_MAX_INPUT, &b);

    if (rc == ES_OK)
        rc = es_pdf_open_password(b.data, b.len, password, out);
    es_buf_free_public(&b);
    return rc;
}

void es_pdf_free(es_pdf *d)
{
    if (d == NULL)
        return;
    if (d->q != NULL)
        qpdf_cleanup(&d->q);
    if (d->password != NULL)
        OPENSSL_cleanse(d->password, strlen(d->password));
    free(d->password);
    for (size_t i = 0; i < d->nsigs; i++) {
        free(d->sigs[i].field);
        free(d->sigs[i].filter);
        free(d->sigs[i].subfilter);
        free(d->sigs[i].m);
        es_buf_free_public(&d->sigs[i].contents);
    }
    for (size_t i = 0; i < d->nfields; i++)
        free(d->fields[i]);
    free(d->fields);
    free(d->sigs);
    free(d->pages);
    free(d->page_loaded);
    free(d->revs);
    /* the document's own bytes hold no secret (an encrypted one's are ciphertext) */
    if (!d->borrowed)
        es_buf_free_public(&d->data);
    free(d);
}

size_t es__pdf_revision_of(const es_pdf *d, size_t end)
{
    for (size_t i = 0; i < d->nrevs; i++)
        if (d->revs[i] == end)
            return i + 1;
    return 0;
}

size_t es_pdf_npages(const es_pdf *d)
{
    return d->npages;
}

const es_pdf_page *es_pdf_page_get0(const es_pdf *d, size_t i)
{
    return i < d->npages ? &d->pages[i] : NULL;
}

size_t es_pdf_nrevisions(const es_pdf *d)
{
    return d->nrevs;
}

size_t es_pdf_revision_end(const es_pdf *d, size_t i)
{
    return i < d->nrevs ? d->revs[i] : 0;
}

int es_pdf_xref_is_stream(const es_pdf *d)
{
    return d->xref_stream;
}

int es_pdf_is_encrypted(const es_pdf *d)
{
    return d->encrypted;
}

int es_pdf_was_repaired(const es_pdf *d)
{
    return d->repaired;
}

size_t es_pdf_nsignatures(const es_pdf *d)
{
    return d->nsigs;
}

const es_pdf_sig_info *es_pdf_signature_get0(const es_pdf *d, size_t i)
{
    return i < d->nsigs ? &d->sigs[i].info : NULL;
}
