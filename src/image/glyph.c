/* Characters of seal text: splitting, font coverage, and drawing one glyph as a path in a box. */
#include <string.h>

#include "image_local.h"

es_err es__chars_split(es__canvas *c, const char *text, size_t max, const char *what,
                       es__chars *out)
{
    const char *p = text;

    memset(out, 0, sizeof(*out));
    if (text == NULL || text[0] == '\0')
        return es__fail(ES_ERR_ARG, "the %s is empty", what);
    if (!g_utf8_validate(text, -1, NULL))
        return es__fail(ES_ERR_ARG, "the %s is not valid UTF-8", what);
    while (*p != '\0') {
        const char *next = g_utf8_next_char(p);
        gunichar u = g_utf8_get_char(p);

        if (out->n == max || out->n == ES__MAX_CHARS)
            return es__fail(ES_ERR_ARG, "the %s has more than %zu characters", what,
                            max < ES__MAX_CHARS ? max : (size_t)ES__MAX_CHARS);
        if (g_unichar_iscntrl(u) || g_unichar_isspace(u))
            return es__fail(ES_ERR_ARG, "the %s contains a space or control character (U+%04X)",
                            what, (unsigned)u);
        if (!pango_font_has_char(c->font, u))
            return es__fail(ES_ERR_UNSUPPORTED,
                            "the seal font %s has no glyph for U+%04X in the %s", ES__SEAL_FONT,
                            (unsigned)u, what);
        out->p[out->n] = p;
        out->len[out->n++] = (size_t)(next - p);
        p = next;
    }
    return ES_OK;
}

void es__ref_measure(es__canvas *c, const char *ch, es__ref *r)
{
    PangoRectangle ink, logical;

    pango_layout_set_text(c->layout, ch, -1);
    pango_layout_get_extents(c->layout, &ink, &logical);
    r->x = (double)ink.x / PANGO_SCALE;
    r->y = (double)ink.y / PANGO_SCALE;
    r->w = (double)ink.width / PANGO_SCALE;
    r->h = (double)ink.height / PANGO_SCALE;
}

double es__ref_width(const es__ref *r, double h)
{
    return h * r->w / r->h;
}

/*
 * Centre horizontally on the character's advance (its design cell), vertically on the
 * reference's ink: so 一 stays a thin stroke in the middle instead of being stretched.
 */
void es__glyph_draw(es__canvas *c, const es__ref *r, const char *ch, size_t len, double x, double y,
                    double rot, double h, double sx)
{
    PangoRectangle ink, logical;
    double k = h / r->h;

    pango_layout_set_text(c->layout, ch, (int)len);
    pango_layout_get_extents(c->layout, &ink, &logical);
    cairo_save(c->cr);
    cairo_translate(c->cr, x, y);
    cairo_rotate(c->cr, rot);
    cairo_scale(c->cr, k * sx, k);
    cairo_translate(c->cr, -((double)logical.x + logical.width / 2.0) / PANGO_SCALE,
                    -(r->y + r->h / 2));
    cairo_move_to(c->cr, 0, 0);
    pango_cairo_layout_path(c->cr, c->layout);
    cairo_fill(c->cr);
    cairo_restore(c->cr);
}
