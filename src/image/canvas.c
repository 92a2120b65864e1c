/* The drawing canvas of generated seals: a cairo surface in mm, encoded as PNG or SVG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-svg.h>

#include "image_local.h"

/* An SVG of a seal is a few hundred kB at most; anything larger is a bug, not a seal. */
#define SVG_MAX (32u << 20)

es_err es__dpi(unsigned dpi, unsigned *out)
{
    if (dpi == 0)
        dpi = ES_IMAGE_DEFAULT_DPI;
    if (dpi < ES_IMAGE_MIN_DPI || dpi > ES_IMAGE_MAX_DPI)
        return es__fail(ES_ERR_ARG, "resolution %u dpi is outside %d-%d", dpi, ES_IMAGE_MIN_DPI,
                        ES_IMAGE_MAX_DPI);
    *out = dpi;
    return ES_OK;
}

static cairo_status_t svg_write(void *closure, const unsigned char *p, unsigned int n)
{
    es__canvas *c = closure;

    if (c->svg.len + n > SVG_MAX) {
        c->svg_err = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (c->svg.len + n > c->svg_cap) {
        size_t cap = c->svg_cap ? c->svg_cap * 2 : 65536;
        uint8_t *q;

        while (cap < c->svg.len + n)
            cap *= 2;
        if ((q = realloc(c->svg.data, cap)) == NULL) {
            c->svg_err = 1;
            return CAIRO_STATUS_NO_MEMORY;
        }
        c->svg.data = q;
        c->svg_cap = cap;
    }
    memcpy(c->svg.data + c->svg.len, p, n);
    c->svg.len += n;
    return CAIRO_STATUS_SUCCESS;
}

static es_err open_surface(es__canvas *c)
{
    if (c->format == ES_IMAGE_SVG) {
        /* cairo writes the surface size with the document unit: 42 "points" become 42mm. */
        c->surface = cairo_svg_surface_create_for_stream(svg_write, c, c->w_mm, c->h_mm);
        cairo_svg_surface_restrict_to_version(c->surface, CAIRO_SVG_VERSION_1_1);
        cairo_svg_surface_set_document_unit(c->surface, CAIRO_SVG_UNIT_MM);
    } else {
        c->w_px = (int)lround(c->w_mm * c->dpi / 25.4);
        c->h_px = (int)lround(c->h_mm * c->dpi / 25.4);
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, c->w_px, c->h_px);
    }
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS)
        return es__fail(ES_ERR_NOMEM, "cannot create the drawing surface: %s",
                        cairo_status_to_string(cairo_surface_status(c->surface)));
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS)
        return es__fail(ES_ERR_NOMEM, "cannot create the drawing context");
    if (c->format == ES_IMAGE_PNG)
        cairo_scale(c->cr, c->w_px / c->w_mm, c->h_px / c->h_mm);
    cairo_translate(c->cr, c->w_mm / 2, c->h_mm / 2);
    return ES_OK;
}

/* Load the seal font through a private font map; fail clearly when fontconfig substitutes. */
static es_err open_font(es__canvas *c)
{
    PangoFontDescription *want = pango_font_description_new();
    PangoFontDescription *got = NULL;
    cairo_font_options_t *fo = cairo_font_options_create();
    es_err rc = ES_OK;
    const char *family;

    pango_font_description_set_family(want, ES__SEAL_FONT);
    pango_font_description_set_weight(want, PANGO_WEIGHT_BOLD);
    /* 100 units per em: the glyphs are paths, scaled to mm when drawn. */
    pango_font_description_set_absolute_size(want, 100.0 * PANGO_SCALE);
    c->fontmap = pango_cairo_font_map_new();
    c->pctx = pango_font_map_create_context(c->fontmap);
    /* Outlines without hinting: the same shapes at every resolution and in SVG. */
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(c->pctx, fo);
    pango_cairo_context_set_resolution(c->pctx, 72.0);
    c->font = pango_font_map_load_font(c->fontmap, c->pctx, want);
    if (c->font != NULL)
        got = pango_font_describe(c->font);
    family = got ? pango_font_description_get_family(got) : NULL;
    if (family == NULL || g_ascii_strcasecmp(family, ES__SEAL_FONT) != 0) {
        rc = es__fail(ES_ERR_UNSUPPORTED,
                      "the seal font \"%s\" is not installed (Debian: fonts-noto-cjk); "
                      "fontconfig offered \"%s\"",
                      ES__SEAL_FONT, family ? family : "nothing");
        goto end;
    }
    c->layout = pango_layout_new(c->pctx);
    pango_layout_set_font_description(c->layout, want);
end:
    cairo_font_options_destroy(fo);
    if (got != NULL)
        pango_font_description_free(got);
    pango_font_description_free(want);
    return rc;
}

es_err es__canvas_open(es__canvas *c, double w_mm, double h_mm, unsigned dpi, es_image_format f)
{
    es_err rc;

    memset(c, 0, sizeof(*c));
    if (f != ES_IMAGE_PNG && f != ES_IMAGE_SVG)
        return es__fail(ES_ERR_ARG, "unknown image format %d", (int)f);
    c->format = f;
    c->w_mm = w_mm;
    c->h_mm = h_mm;
    if ((rc = es__dpi(dpi, &c->dpi)) != ES_OK || (rc = open_font(c)) != ES_OK ||
        (rc = open_surface(c)) != ES_OK)
        return rc;
    return ES_OK;
}

void es__canvas_red(es__canvas *c)
{
    cairo_set_source_rgb(c->cr, ES_IMAGE_RED_R / 255.0, ES_IMAGE_RED_G / 255.0,
                         ES_IMAGE_RED_B / 255.0);
}

/*
 * Rounding slack, in premultiplied units: cairo stores ink * alpha / 255 rounded, and where shapes
 * overlap each composite rounds again (measured: at most 1.4 units at 150 and 600 dpi).
 */
#define INK_SLACK 2

void es__argb_to_rgba(const uint8_t *src, int stride, int w, int h, uint8_t *rgba)
{
    static const unsigned ink[3] = {ES_IMAGE_RED_R, ES_IMAGE_RED_G, ES_IMAGE_RED_B};

    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(src + (size_t)y * (size_t)stride);
        uint8_t *d = rgba + (size_t)y * (size_t)w * 4;

        for (int x = 0; x < w; x++, d += 4) {
            uint32_t v = row[x];
            unsigned a = v >> 24, is_ink = a > 0;

            for (int k = 0; k < 3; k++) {
                unsigned ch = (v >> (16 - 8 * k)) & 0xFF;
                long off = (long)(ch * 255) - (long)(ink[k] * a);

                is_ink &= labs(off) <= INK_SLACK * 255;
                d[k] = (uint8_t)(a ? (ch * 255 + a / 2) / a : 0);
            }
            for (int k = 0; is_ink && k < 3; k++)
                d[k] = (uint8_t)ink[k];
            d[3] = (uint8_t)a;
        }
    }
}

/* cairo's ARGB32 is premultiplied, native-endian; PNG wants straight RGBA bytes. */
static es_err finish_png(es__canvas *c, es_buf *out)
{
    uint8_t *rgba;
    es_err rc;

    cairo_surface_flush(c->surface);
    if ((rgba = malloc((size_t)c->w_px * (size_t)c->h_px * 4)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory for a %dx%d picture", c->w_px, c->h_px);
    es__argb_to_rgba(cairo_image_surface_get_data(c->surface),
                     cairo_image_surface_get_stride(c->surface), c->w_px, c->h_px, rgba);
    rc = es__png_write(rgba, c->w_px, c->h_px, c->dpi, NULL, NULL, out);
    free(rgba);
    return rc;
}

static uint8_t *find(uint8_t *p, const uint8_t *end, const char *s, size_t n)
{
    for (; p + n <= end; p++)
        if (memcmp(p, s, n) == 0)
            return p;
    return NULL;
}

/* cairo numbers surfaces with a process-wide counter ("surface5"); make the id fixed. */
static void svg_fix_ids(es_buf *b)
{
    static const char key[] = "id=\"surface";
    uint8_t *p = b->data, *end = b->data + b->len;

    while ((p = find(p, end, key, sizeof(key) - 1)) != NULL) {
        uint8_t *d = p + sizeof(key) - 1, *q = d;

        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q > d) {
            *d = '1';
            memmove(d + 1, q, (size_t)(end - q));
            end -= q - d - 1;
        }
        p = d;
    }
    b->len = (size_t)(end - b->data);
}

static es_err finish_svg(es__canvas *c, es_buf *out)
{
    cairo_destroy(c->cr);
    c->cr = NULL;
    cairo_surface_finish(c->surface);
    if (c->svg_err || cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS)
        return es__fail(ES_ERR_NOMEM, "cannot write the SVG");
    svg_fix_ids(&c->svg);
    *out = c->svg;
    c->svg.data = NULL;
    c->svg.len = 0;
    return ES_OK;
}

es_err es__canvas_finish(es__canvas *c, es_buf *out)
{
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS)
        return es__fail(ES_ERR_NOMEM, "drawing failed: %s",
                        cairo_status_to_string(cairo_status(c->cr)));
    if (c->format == ES_IMAGE_SVG)
        return finish_svg(c, out);
    return finish_png(c, out);
}

void es__canvas_release(es__canvas *c)
{
    if (c->layout != NULL)
        g_object_unref(c->layout);
    if (c->font != NULL)
        g_object_unref(c->font);
    if (c->pctx != NULL)
        g_object_unref(c->pctx);
    if (c->fontmap != NULL)
        g_object_unref(c->fontmap);
    if (c->cr != NULL)
        cairo_destroy(c->cr);
    if (c->surface != NULL)
        cairo_surface_destroy(c->surface);
    free(c->svg.data);
    memset(c, 0, sizeof(*c));
}
