/* What the files of src/image/ share: the drawing canvas, glyph placement, PNG encoding. */
#ifndef ESEAL_IMAGE_LOCAL_H
#define ESEAL_IMAGE_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "eseal/image.h"
#include "eseal_local.h"

#define ES__PI 3.14159265358979323846

/* Family of every generated seal: a bold Song style, as real seals use (fonts-noto-cjk). */
#define ES__SEAL_FONT "Noto Serif CJK SC"

/* Most characters a text on a seal may have (a longer one cannot be legible). */
#define ES__MAX_CHARS 64

/*
 * A drawing surface whose user units are millimetres with the origin at the picture's centre:
 * an image surface for PNG or a vector surface for SVG (recorded into svg).
 */
typedef struct es__canvas {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fontmap;
    PangoContext *pctx;
    PangoLayout *layout; /* one character at a time, in the seal font */
    PangoFont *font;     /* the seal font as loaded, to check character coverage */
    es_image_format format;
    double w_mm, h_mm;
    unsigned dpi;
    int w_px, h_px;
    es_buf svg;
    size_t svg_cap;
    int svg_err;
} es__canvas;

/* Open a canvas of w_mm x h_mm at dpi (PNG) or as SVG, checking the seal font is installed. */
es_err es__canvas_open(es__canvas *c, double w_mm, double h_mm, unsigned dpi, es_image_format f);
/* Encode what was drawn as PNG (with pHYs) or SVG into *out. */
es_err es__canvas_finish(es__canvas *c, es_buf *out);
/* Free everything the canvas holds; safe on a zeroed or released canvas. */
void es__canvas_release(es__canvas *c);
/* Set the seal red as the source colour. */
void es__canvas_red(es__canvas *c);
/*
 * Straight RGBA (w*h*4 bytes) from cairo's premultiplied, native-endian ARGB32 rows. A seal is
 * drawn in seal red only, but premultiplying loses the colour of faint pixels (alpha 3 can say
 * 170 or 255, not 230): a pixel within rounding of red * alpha becomes exactly seal red with its
 * alpha unchanged, so a picture has one colour at 256 opacities and fits a PNG palette. Any
 * other colour is unpremultiplied as it is; a transparent pixel is 0,0,0,0.
 */
void es__argb_to_rgba(const uint8_t *src, int stride, int w, int h, uint8_t *rgba);

/* A text split into characters (UTF-8 sequences), all present in the seal font. */
typedef struct es__chars {
    const char *p[ES__MAX_CHARS];
    size_t len[ES__MAX_CHARS];
    size_t n;
} es__chars;

/* Split text into characters; ES_ERR_ARG for bad UTF-8, control characters or > max; what names
 * the text in the error detail. ES_ERR_UNSUPPORTED for a character the font lacks. */
es_err es__chars_split(es__canvas *c, const char *text, size_t max, const char *what,
                       es__chars *out);

/*
 * Metrics of a reference character ("国" for CJK text, "0" for digits): its ink box in pango
 * units at the canvas font size, which defines "height h" and the natural width of a character.
 */
typedef struct es__ref {
    double x, y, w, h; /* ink rectangle */
} es__ref;
void es__ref_measure(es__canvas *c, const char *ch, es__ref *r);

/*
 * Draw one character centred at (x, y) mm, rotated by rot radians (clockwise), so that the
 * reference character would be h mm high and sx * its natural width wide.
 */
void es__glyph_draw(es__canvas *c, const es__ref *r, const char *ch, size_t len, double x, double y,
                    double rot, double h, double sx);

/* Natural width (mm) of a character of height h, from the reference's aspect ratio. */
double es__ref_width(const es__ref *r, double h);

/*
 * How a row of n characters fits into a length: each character is sx * natural width wide and
 * the centres are pitch apart. Shrink the width down to min_sx, then the gap down to min_gap;
 * beyond that the text does not fit (ES_ERR_ARG, detail names what and how much fits).
 */
typedef struct es__fit {
    double w;       /* natural character width, mm */
    double gap;     /* natural gap between characters, mm */
    double min_sx;  /* narrowest legible width, as a fraction of w */
    double min_gap; /* smallest gap, mm */
} es__fit;
es_err es__fit_row(const es__fit *f, size_t n, double pitch, const char *what, double *sx);

/*
 * Text along an ellipse arc (a circle when a == b). Angles are parametric, radians, clockwise
 * from the top: point (cx + a sin t, cy - b cos t). Centres are evenly spaced over a span between
 * min_span and max_span centred on mid. outward: character tops point away from the centre and
 * the text reads clockwise (upper arc); otherwise tops point to the centre and the text reads
 * left to right along the bottom.
 */
typedef struct es__arc {
    double cx, cy, a, b;
    double mid, min_span, max_span;
    int outward;
    double h; /* character height, mm */
    es__fit fit;
} es__arc;
es_err es__arc_text(es__canvas *c, const es__ref *r, const es__chars *t, const es__arc *arc,
                    const char *what);

/* A horizontal line of text centred at (x, y), at most max_w mm wide. */
es_err es__line_text(es__canvas *c, const es__ref *r, const es__chars *t, double x, double y,
                     double h, double max_w, const es__fit *f, const char *what);

/* Fill a five-pointed star, one point up, with circumradius r at (x, y). */
void es__star(es__canvas *c, double x, double y, double r);

/* Check dpi (0: default) and return it in *out; ES_ERR_ARG outside the supported range. */
es_err es__dpi(unsigned dpi, unsigned *out);

/*
 * Encode straight (not premultiplied) RGBA rows as PNG with a pHYs chunk for dpi and no time
 * chunk; key/text (both or neither NULL) add one tEXt chunk. Lossless: a picture of at most 256
 * distinct RGBA values becomes an 8-bit palette PNG (PLTE by ascending alpha, tRNS up to the
 * first opaque entry), any other stays RGBA. Of a few filter/zlib settings the smallest output
 * is kept; the choice depends only on the pixels, so the bytes stay deterministic.
 */
es_err es__png_write(const uint8_t *rgba, int w, int h, unsigned dpi, const char *key,
                     const char *text, es_buf *out);

/* Decoded scan: straight RGBA, w*h*4 bytes. */
typedef struct es__pixels {
    uint8_t *rgba;
    int w, h;
} es__pixels;
/* Decode a PNG or JPEG to RGBA, refusing sides over ES_IMAGE_MAX_SIDE. */
es_err es__image_decode(const uint8_t *p, size_t n, es__pixels *out);

#endif
