/* The round organisation seal (公章, 专用章): ring, star, name arc, text line, code arc. */
#include <math.h>

#include "image_local.h"

#define DEG (ES__PI / 180)

/*
 * Proportions of a 42 mm seal (GA 241-style 公章), scaled with the diameter: 1.2 mm ring, 14 mm
 * star, name characters about 6.2 mm high, text line 4.6 mm, code digits 2.2 mm.
 */
#define BASE_D    42.0
#define RING      1.2
#define EDGE      0.05 /* keeps the ring's antialiased edge inside the picture */
#define STAR_R    7.0
#define NAME_H    6.2
#define NAME_GAP  0.8 /* between the ring and the name's tops */
#define TEXT_H    4.6
#define TEXT_Y    10.6
#define TEXT_W    22.0
#define CODE_H    2.2
#define CODE_GAP  0.45
#define CODE_SPAN 70.0

static es_err check(const es_image_round_opts *o, double *d)
{
    *d = o->diameter_mm != 0 ? o->diameter_mm : BASE_D;
    if (o->name == NULL)
        return es__fail(ES_ERR_ARG, "a round seal needs a name");
    if (!(*d >= 20 && *d <= 60))
        return es__fail(ES_ERR_ARG, "diameter %.1f mm is outside 20-60 mm", *d);
    for (const char *p = o->code; p != NULL && *p != '\0'; p++)
        if (!g_ascii_isalnum(*p))
            return es__fail(ES_ERR_ARG, "the seal code may hold only ASCII digits and letters");
    return ES_OK;
}

static es_err draw_name(es__canvas *c, double f, int with_code, const char *name)
{
    es__chars t;
    es__ref r;
    es__arc arc = {0};
    es_err rc;

    if ((rc = es__chars_split(c, name, 40, "name", &t)) != ES_OK)
        return rc;
    es__ref_measure(c, "国", &r);
    arc.h = NAME_H * f;
    arc.a = arc.b = (BASE_D / 2 - EDGE - RING - NAME_GAP) * f - arc.h / 2;
    arc.min_span = 220 * DEG;
    arc.max_span = (with_code ? 250 : 270) * DEG;
    arc.outward = 1;
    /* Seal characters are a little condensed (长宋); they may shrink to half width. */
    arc.fit.w = es__ref_width(&r, arc.h) * 0.85;
    arc.fit.gap = 0.10 * arc.h;
    arc.fit.min_sx = 0.5;
    arc.fit.min_gap = 0.04 * arc.h;
    return es__arc_text(c, &r, &t, &arc, "name");
}

static es_err draw_text(es__canvas *c, double f, const char *text)
{
    es__chars t;
    es__ref r;
    es__fit fit;
    es_err rc;

    if ((rc = es__chars_split(c, text, 16, "text", &t)) != ES_OK)
        return rc;
    es__ref_measure(c, "国", &r);
    fit.w = es__ref_width(&r, TEXT_H * f) * 0.85;
    fit.gap = 0.12 * TEXT_H * f;
    fit.min_sx = 0.5;
    fit.min_gap = 0.04 * TEXT_H * f;
    return es__line_text(c, &r, &t, 0, TEXT_Y * f, TEXT_H * f, TEXT_W * f, &fit, "text");
}

static es_err draw_code(es__canvas *c, double f, const char *code)
{
    es__chars t;
    es__ref r;
    es__arc arc = {0};
    es_err rc;

    if ((rc = es__chars_split(c, code, 24, "seal code", &t)) != ES_OK)
        return rc;
    es__ref_measure(c, "0", &r);
    arc.h = CODE_H * f;
    arc.a = arc.b = (BASE_D / 2 - EDGE - RING - CODE_GAP) * f - arc.h / 2;
    arc.mid = ES__PI;
    arc.max_span = CODE_SPAN * DEG;
    arc.fit.w = es__ref_width(&r, arc.h);
    arc.fit.gap = 0.3 * arc.h;
    arc.fit.min_sx = 0.5;
    arc.fit.min_gap = 0.08 * arc.h;
    arc.min_span = 0;
    return es__arc_text(c, &r, &t, &arc, "seal code");
}

es_err es_image_round(const es_image_round_opts *o, es_buf *out)
{
    es__canvas c = {0};
    double d, f;
    es_err rc;

    if ((rc = check(o, &d)) != ES_OK ||
        (rc = es__canvas_open(&c, d, d, o->dpi, o->format)) != ES_OK)
        goto end;
    f = d / BASE_D;
    es__canvas_red(&c);
    cairo_set_line_width(c.cr, RING * f);
    cairo_arc(c.cr, 0, 0, d / 2 - EDGE * f - RING * f / 2, 0, 2 * ES__PI);
    cairo_stroke(c.cr);
    es__star(&c, 0, 0, STAR_R * f);
    if ((rc = draw_name(&c, f, o->code != NULL, o->name)) != ES_OK ||
        (o->text != NULL && (rc = draw_text(&c, f, o->text)) != ES_OK) ||
        (o->code != NULL && (rc = draw_code(&c, f, o->code)) != ES_OK))
        goto end;
    rc = es__canvas_finish(&c, out);
end:
    es__canvas_release(&c);
    return rc;
}
