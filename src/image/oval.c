/* The oval seal (发票专用章): name on the upper arc, tax ID across the middle, purpose below. */
#include "image_local.h"

#define DEG (ES__PI / 180)

/* Proportions of the 40 x 30 mm invoice seal, scaled with the height. */
#define BASE_W   40.0
#define BASE_H   30.0
#define RING     1.0
#define EDGE     0.05
#define NAME_H   4.2
#define NAME_GAP 0.7
#define TAX_H    3.0
#define TAX_W    22.0
#define TEXT_H   4.0
#define TEXT_Y   7.4
#define TEXT_W   20.0

static es_err check(const es_image_oval_opts *o, double *w, double *h)
{
    size_t n = 0;

    *w = o->width_mm != 0 ? o->width_mm : BASE_W;
    *h = o->height_mm != 0 ? o->height_mm : BASE_H;
    if (o->name == NULL || o->tax_id == NULL)
        return es__fail(ES_ERR_ARG, "an oval seal needs a name and a tax ID");
    if (!(*h >= 15 && *h <= 60 && *w >= *h && *w <= 2 * *h))
        return es__fail(ES_ERR_ARG,
                        "%.1f x %.1f mm is not an oval seal size (height 15-60 mm, "
                        "width 1-2 times the height)",
                        *w, *h);
    for (const char *p = o->tax_id; *p != '\0'; p++, n++)
        if (!g_ascii_isdigit(*p) && !g_ascii_isupper(*p))
            return es__fail(ES_ERR_ARG, "the tax ID may hold only digits and capital letters");
    if (n < 15 || n > 20)
        return es__fail(ES_ERR_ARG, "the tax ID has %zu characters, not 15-20", n);
    return ES_OK;
}

static es_err draw_name(es__canvas *c, double w, double h, const char *name)
{
    double f = h / BASE_H;
    es__chars t;
    es__ref r;
    es__arc arc = {0};
    es_err rc;

    if ((rc = es__chars_split(c, name, 40, "name", &t)) != ES_OK)
        return rc;
    es__ref_measure(c, "国", &r);
    arc.h = NAME_H * f;
    arc.a = w / 2 - (EDGE + RING + NAME_GAP) * f - arc.h / 2;
    arc.b = h / 2 - (EDGE + RING + NAME_GAP) * f - arc.h / 2;
    arc.min_span = 150 * DEG;
    arc.max_span = 180 * DEG;
    arc.outward = 1;
    arc.fit.w = es__ref_width(&r, arc.h) * 0.85;
    arc.fit.gap = 0.10 * arc.h;
    arc.fit.min_sx = 0.5;
    arc.fit.min_gap = 0.04 * arc.h;
    return es__arc_text(c, &r, &t, &arc, "name");
}

static es_err draw_line(es__canvas *c, const char *text, const char *ref, double y, double h,
                        double max_w, double aspect, const char *what)
{
    es__chars t;
    es__ref r;
    es__fit fit;
    es_err rc;

    if ((rc = es__chars_split(c, text, 24, what, &t)) != ES_OK)
        return rc;
    es__ref_measure(c, ref, &r);
    fit.w = es__ref_width(&r, h) * aspect;
    fit.gap = 0.12 * h;
    fit.min_sx = 0.45;
    fit.min_gap = 0.04 * h;
    return es__line_text(c, &r, &t, 0, y, h, max_w, &fit, what);
}

es_err es_image_oval(const es_image_oval_opts *o, es_buf *out)
{
    es__canvas c = {0};
    double w, h, f;
    es_err rc;

    if ((rc = check(o, &w, &h)) != ES_OK ||
        (rc = es__canvas_open(&c, w, h, o->dpi, o->format)) != ES_OK)
        goto end;
    f = h / BASE_H;
    es__canvas_red(&c);
    /* Build the ellipse under a scale, stroke without it: the ring keeps an even width. */
    cairo_save(c.cr);
    cairo_scale(c.cr, w / 2 - (EDGE + RING / 2) * f, h / 2 - (EDGE + RING / 2) * f);
    cairo_arc(c.cr, 0, 0, 1, 0, 2 * ES__PI);
    cairo_restore(c.cr);
    cairo_set_line_width(c.cr, RING * f);
    cairo_stroke(c.cr);
    if ((rc = draw_name(&c, w, h, o->name)) != ES_OK ||
        (rc = draw_line(&c, o->tax_id, "0", 0, TAX_H * f, TAX_W * f * w / h * BASE_H / BASE_W, 1.0,
                        "tax ID")) != ES_OK ||
        (rc = draw_line(&c, o->text ? o->text : "发票专用章", "国", TEXT_Y * f, TEXT_H * f,
                        TEXT_W * f, 0.85, "text")) != ES_OK)
        goto end;
    rc = es__canvas_finish(&c, out);
end:
    es__canvas_release(&c);
    return rc;
}
