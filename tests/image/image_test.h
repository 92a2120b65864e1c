/* Helpers of the image tests: decode PNGs independently of eseal (cairo), sample pixels in mm. */
#ifndef ESEAL_TEST_IMAGE_H
#define ESEAL_TEST_IMAGE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "eseal/image.h"
#include "testutil.h"

#define TI_PI 3.14159265358979323846

/*
 * fontconfig keeps process-wide caches that LeakSanitizer reports at exit (see tests/lsan.supp);
 * a test that draws seals says so with this line. Only fontconfig's own allocations are muted.
 */
#define TI_LSAN_FONTCONFIG                                                                         \
    const char *__lsan_default_suppressions(void);                                                 \
    const char *__lsan_default_suppressions(void)                                                  \
    {                                                                                              \
        return "leak:libfontconfig.so\n";                                                          \
    }

/* A decoded picture: straight RGBA bytes, and the resolution it was drawn at. */
typedef struct ti_img {
    uint8_t *px;
    int w, h;
    double dpi;
} ti_img;

typedef struct ti_reader {
    const uint8_t *p;
    size_t n, off;
} ti_reader;

static inline cairo_status_t ti_read(void *closure, unsigned char *d, unsigned int n)
{
    ti_reader *r = closure;

    if (n > r->n - r->off)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(d, r->p + r->off, n);
    r->off += n;
    return CAIRO_STATUS_SUCCESS;
}

/* Decode PNG bytes with cairo's own reader (not eseal's decoder), un-premultiplying. */
static inline ti_img ti_decode(const es_buf *b, double dpi)
{
    ti_reader r = {b->data, b->len, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(ti_read, &r);
    ti_img im = {0};

    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        fail_msg("cairo cannot read the PNG");
    im.w = cairo_image_surface_get_width(s);
    im.h = cairo_image_surface_get_height(s);
    im.dpi = dpi;
    im.px = malloc((size_t)im.w * im.h * 4);
    cairo_surface_flush(s);
    for (int y = 0; y < im.h; y++) {
        const uint32_t *row =
            (const uint32_t *)(const void *)(cairo_image_surface_get_data(s) +
                                             y * cairo_image_surface_get_stride(s));
        for (int x = 0; x < im.w; x++) {
            uint32_t v = row[x];
            unsigned a = v >> 24;
            uint8_t *d = im.px + ((size_t)y * im.w + x) * 4;

            d[3] = (uint8_t)a;
            for (int k = 0; k < 3; k++)
                d[k] = (uint8_t)(a ? (((v >> (16 - 8 * k)) & 0xFF) * 255 + a / 2) / a : 0);
        }
    }
    cairo_surface_destroy(s);
    return im;
}

static inline const uint8_t *ti_at(const ti_img *im, int x, int y)
{
    static const uint8_t none[4] = {0, 0, 0, 0};

    if (x < 0 || y < 0 || x >= im->w || y >= im->h)
        return none;
    return im->px + ((size_t)y * im->w + x) * 4;
}

/* The pixel at (x, y) mm from the picture's centre. */
static inline const uint8_t *ti_mm(const ti_img *im, double x, double y)
{
    double k = im->dpi / 25.4;

    return ti_at(im, (int)floor(im->w / 2.0 + x * k), (int)floor(im->h / 2.0 + y * k));
}

/* The pixel at radius r mm and angle deg (clockwise from the top). */
static inline const uint8_t *ti_polar(const ti_img *im, double r, double deg)
{
    return ti_mm(im, r * sin(deg * TI_PI / 180), -r * cos(deg * TI_PI / 180));
}

static inline int ti_red(const uint8_t *p)
{
    return p[3] > 200 && p[0] > 200 && p[1] < 40 && p[2] < 60;
}

static inline int ti_ink(const uint8_t *p)
{
    return p[3] > 128;
}

/* Share of ink pixels in a ring band r0..r1 mm between angles a0..a1 (degrees). */
static inline double ti_band(const ti_img *im, double r0, double r1, double a0, double a1)
{
    size_t n = 0, ink = 0;

    for (double a = a0; a <= a1; a += 0.5)
        for (double r = r0; r <= r1; r += 0.1, n++)
            ink += ti_ink(ti_polar(im, r, a));
    return n ? (double)ink / n : 0;
}

/* Where the string s occurs in b, or NULL. */
static inline const uint8_t *ti_find(const es_buf *b, const char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, s, n) == 0)
            return b->data + i;
    return NULL;
}

static inline void ti_free(ti_img *im)
{
    free(im->px);
    im->px = NULL;
}

#endif
