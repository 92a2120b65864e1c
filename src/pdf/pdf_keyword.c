/* --keyword: find text with poppler and return the centre of its first match in user space. */
#include <poppler.h>

#include "pdf/pdf_local.h"

/* Search one page; 1 and the centre when found. */
static int search(PopplerDocument *doc, const es_pdf *d, size_t i, const char *text, double *x,
                  double *y)
{
    PopplerPage *pg = poppler_document_get_page(doc, (int)i);
    GList *hits = pg ? poppler_page_find_text(pg, text) : NULL;
    int found = hits != NULL;

    if (found) {
        /* poppler answers in points from the CropBox's lower-left corner, page unrotated */
        PopplerRectangle *r = hits->data;
        *x = d->pages[i].crop[0] + (r->x1 + r->x2) / 2;
        *y = d->pages[i].crop[1] + (r->y1 + r->y2) / 2;
    }
    g_list_free_full(hits, (GDestroyNotify)poppler_rectangle_free);
    if (pg != NULL)
        g_object_unref(pg);
    return found;
}

es_err es__pdf_keyword(const es_pdf *d, const char *text, long page, size_t *pg, double *x,
                       double *y)
{
    GError *err = NULL;
    GBytes *bytes = g_bytes_new_static(d->data.data, d->data.len);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    es_err rc = ES_OK;
    size_t from = page > 0 ? (size_t)page - 1 : 0, to = page > 0 ? (size_t)page : d->npages;
    int found = 0;

    if (doc == NULL) {
        rc = es__fail(ES_ERR_FORMAT, "poppler cannot read the document: %s",
                      err ? err->message : "unknown error");
        goto end;
    }
    if (from >= d->npages) {
        rc = es__fail(ES_ERR_ARG, "page %ld is out of range (the document has %zu)", page,
                      d->npages);
        goto end;
    }
    for (size_t i = from; i < to && i < d->npages && !found; i++)
        if ((found = search(doc, d, i, text, x, y)) != 0)
            *pg = i;
    if (!found)
        rc = es__fail(ES_ERR_ARG, "the text \"%s\" is not on %s", text,
                      page > 0 ? "that page" : "any page");
end:
    if (err != NULL)
        g_error_free(err);
    if (doc != NULL)
        g_object_unref(doc);
    g_bytes_unref(bytes);
    return rc;
}
