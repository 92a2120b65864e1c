/* Where a seal goes: mm from the shown page's top-left to user space, on rotated and offset pages.
 */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

#define MM_TO_PT (72.0 / 25.4)

/* The page's shown width and height (CropBox turned by /Rotate). */
static void shown_size(const es_pdf_page *pg, double *sw, double *sh)
{
    double w = pg->crop[2] - pg->crop[0], h = pg->crop[3] - pg->crop[1];

    *sw = pg->rotate % 180 ? h : w;
    *sh = pg->rotate % 180 ? w : h;
}

/*
 * A point (u right, v down) from the shown page's top-left into user space. The viewer turns
 * the page clockwise by /Rotate, so the shown top-left is a different corner of the CropBox.
 */
static void to_user(const es_pdf_page *pg, double u, double v, double *x, double *y)
{
    const double *b = pg->crop;

    switch (pg->rotate) {
    case 90:
        *x = b[0] + v;
        *y = b[1] + u;
        break;
    case 180:
        *x = b[2] - u;
        *y = b[1] + v;
        break;
    case 270:
        *x = b[2] - v;
        *y = b[3] - u;
        break;
    default:
        *x = b[0] + u;
        *y = b[3] - v;
    }
}

/* The inverse of to_user: solve its two axes from three sample points (it is affine). */
static void to_shown(const es_pdf_page *pg, double x, double y, double *u, double *v)
{
    double x0, y0, xu, yu, xv, yv, det;

    to_user(pg, 0, 0, &x0, &y0);
    to_user(pg, 1, 0, &xu, &yu);
    to_user(pg, 0, 1, &xv, &yv);
    xu -= x0;
    yu -= y0;
    xv -= x0;
    yv -= y0;
    det = xu * yv - xv * yu;
    *u = ((x - x0) * yv - (y - y0) * xv) / det;
    *v = (xu * (y - y0) - yu * (x - x0)) / det;
}

/* The user-space rectangle of a shown rectangle. */
static void shown_rect(const es_pdf_page *pg, double u, double v, double w, double h, double r[4])
{
    double x[2], y[2];

    to_user(pg, u, v, &x[0], &y[0]);
    to_user(pg, u + w, v + h, &x[1], &y[1]);
    r[0] = x[0] < x[1] ? x[0] : x[1];
    r[2] = x[0] < x[1] ? x[1] : x[0];
    r[1] = y[0] < y[1] ? y[0] : y[1];
    r[3] = y[0] < y[1] ? y[1] : y[0];
}

static es_err one(const es_pdf *d, const es_pdf_sign_opts *o, double w, double h,
                  es__pdf_widget *wd)
{
    size_t p = o->page > 0 ? (size_t)o->page - 1 : 0;
    const es_pdf_page *pg;
    double sw, sh, cx, cy, u, v;
    es_err rc;

    if (o->keyword != NULL) {
        if ((rc = es__pdf_keyword(d, o->keyword, o->page, &p, &cx, &cy)) != ES_OK)
            return rc;
        pg = &d->pages[p];
        to_shown(pg, cx, cy, &u, &v);
        u -= w / 2; /* centred on the match */
        v -= h / 2;
    } else {
        if (p >= d->npages)
            return es__fail(ES_ERR_ARG, "page %ld is out of range (the document has %zu)", o->page,
                            d->npages);
        pg = &d->pages[p];
        u = o->x_mm * MM_TO_PT;
        v = o->y_mm * MM_TO_PT;
    }
    shown_size(pg, &sw, &sh);
    if (o->keyword != NULL) {
        /* a match near an edge: keep the seal whole on the page */
        u = u + w > sw ? sw - w : u;
        v = v + h > sh ? sh - h : v;
        u = u < 0 ? 0 : u;
        v = v < 0 ? 0 : v;
    }
    if (u < -0.5 || v < -0.5 || u + w > sw + 0.5 || v + h > sh + 0.5)
        return es__fail(ES_ERR_ARG,
                        "the seal (%.1f x %.1f mm at %.1f, %.1f mm) does not fit on page %zu "
                        "(%.1f x %.1f mm)",
                        w / MM_TO_PT, h / MM_TO_PT, u / MM_TO_PT, v / MM_TO_PT, p + 1,
                        sw / MM_TO_PT, sh / MM_TO_PT);
    wd->page = p;
    wd->rotate = pg->rotate;
    wd->bw = wd->img_w = w;
    wd->bh = wd->img_h = h;
    wd->img_dx = 0;
    shown_rect(pg, u, v, w, h, wd->rect);
    return ES_OK;
}

/* One slice of the seal at the right edge of each page of the range (骑缝章). */
static es_err cross(const es_pdf *d, const es_pdf_sign_opts *o, double w, double h,
                    es__pdf_widget *wd, size_t *nout)
{
    size_t first = o->first_page > 0 ? (size_t)o->first_page : 1;
    size_t last = o->last_page > 0 ? (size_t)o->last_page : d->npages;
    double slice, sw, sh;

    if (first > last || last > d->npages)
        return es__fail(ES_ERR_ARG, "pages %zu-%zu are out of range (the document has %zu)", first,
                        last, d->npages);
    slice = w / (double)(last - first + 1);
    for (size_t i = first; i <= last; i++) {
        const es_pdf_page *pg = &d->pages[i - 1];
        es__pdf_widget *x = &wd[i - first];
        double v = o->y_mm * MM_TO_PT;
        shown_size(pg, &sw, &sh);
        if (v < 0 || v + h > sh + 0.5)
            return es__fail(ES_ERR_ARG, "the cross-page seal does not fit on page %zu", i);
        x->page = i - 1;
        x->rotate = pg->rotate;
        x->bw = slice;
        x->bh = x->img_h = h;
        x->img_w = w;
        x->img_dx = -(double)(i - first) * slice;
        shown_rect(pg, sw - slice, v, slice, h, x->rect);
    }
    *nout = last - first + 1;
    return ES_OK;
}

es_err es__pdf_place(const es_pdf *d, const es_pdf_sign_opts *o, double w_mm, double h_mm,
                     es__pdf_widget **out, size_t *nout)
{
    size_t n = o->cross_page ? d->npages : 1;
    es__pdf_widget *wd;
    es_err rc;

    *out = NULL;
    *nout = 0;
    if (d->npages == 0)
        return es__fail(ES_ERR_FORMAT, "the document has no pages");
    if ((wd = calloc(n, sizeof(*wd))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if (o->cross_page)
        rc = cross(d, o, w_mm * MM_TO_PT, h_mm * MM_TO_PT, wd, nout);
    else if ((rc = one(d, o, w_mm * MM_TO_PT, h_mm * MM_TO_PT, wd)) == ES_OK)
        *nout = 1;
    if (rc != ES_OK) {
        free(wd);
        return rc;
    }
    *out = wd;
    return ES_OK;
}
