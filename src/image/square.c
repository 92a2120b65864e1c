/* The square personal name seal (个人名章): a frame, four cells read in columns right to left. */
#include <string.h>

#include "image_local.h"

#define BASE_S 20.0
#define RING   1.0
#define EDGE   0.05
#define PAD    0.6 /* between the frame and the characters */
#define FILL   0.9 /* share of a cell a character covers */

/*
 * Real name seals always show four characters: a two-character name becomes 张三之印, a three-
 * character one 王小明印. Column one (right) holds the first two, column two the last two.
 */
static es_err four_chars(es__canvas *c, const char *name, es__chars *t)
{
    static const char *fill[] = {"之", "印"};
    es_err rc;

    if ((rc = es__chars_split(c, name, 4, "name", t)) != ES_OK)
        return rc;
    if (t->n < 2)
        return es__fail(ES_ERR_ARG, "a name seal needs a name of 2 to 4 characters");
    for (size_t i = t->n == 2 ? 0 : 1; t->n < 4; i++) {
        t->p[t->n] = fill[i];
        t->len[t->n++] = strlen(fill[i]);
    }
    return ES_OK;
}

es_err es_image_square(const es_image_square_opts *o, es_buf *out)
{
    es__canvas c = {0};
    es__chars t;
    es__ref r;
    double s, f, cell, h, sx;
    es_err rc;

    s = o->size_mm != 0 ? o->size_mm : BASE_S;
    if (o->name == NULL) {
        rc = es__fail(ES_ERR_ARG, "a name seal needs a name");
        goto end;
    }
    if (!(s >= 10 && s <= 60)) {
        rc = es__fail(ES_ERR_ARG, "side %.1f mm is outside 10-60 mm", s);
        goto end;
    }
    if ((rc = es__canvas_open(&c, s, s, o->dpi, o->format)) != ES_OK ||
        (rc = four_chars(&c, o->name, &t)) != ES_OK)
        goto end;
    f = s / BASE_S;
    es__canvas_red(&c);
    cairo_set_line_width(c.cr, RING * f);
    cairo_rectangle(c.cr, -s / 2 + (EDGE + RING / 2) * f, -s / 2 + (EDGE + RING / 2) * f,
                    s - (2 * EDGE + RING) * f, s - (2 * EDGE + RING) * f);
    cairo_stroke(c.cr);
    es__ref_measure(&c, "国", &r);
    cell = (s - 2 * (EDGE + RING + PAD) * f) / 2;
    h = cell * FILL;
    sx = h / es__ref_width(&r, h);
    for (size_t i = 0; i < 4; i++) {
        double x = i < 2 ? cell / 2 : -cell / 2, y = (i % 2) ? cell / 2 : -cell / 2;

        es__glyph_draw(&c, &r, t.p[i], t.len[i], x, y, 0, h, sx);
    }
    rc = es__canvas_finish(&c, out);
end:
    es__canvas_release(&c);
    return rc;
}
