/* PNG encoding with libpng: a palette when at most 256 colours, else RGBA; pHYs, no time chunk. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "image_local.h"

/* Hash slots for up to 256 colours: a power of two, never more than a quarter full. */
#define SLOTS 1024

/* The distinct RGBA values of a picture and, once ordered, their palette index. */
typedef struct palette {
    uint32_t key[SLOTS]; /* R << 24 | G << 16 | B << 8 | A */
    uint8_t used[SLOTS], index[SLOTS];
    uint32_t colour[256];
    int n;
    png_color plte[256];
    png_byte trns[256];
    int ntrns; /* entries before the first opaque one; the rest need no tRNS */
} palette;

/* What to encode: RGBA rows, or palette indices (one byte a pixel) when index is set. */
typedef struct png_img {
    const uint8_t *rgba, *index;
    const palette *pal;
    int w, h;
    unsigned dpi;
    png_textp text;
} png_img;

/*
 * Settings tried, the smallest result kept. Measured on the generated seals at 600 dpi (see
 * docs/image.md): run-length matching wins on the round and oval seals and takes a few
 * milliseconds, zlib's full matching on the square seal and on imports. RGBA keeps libpng's own
 * choice (adaptive filters, Z_FILTERED), which suits scans.
 */
typedef struct png_try {
    int filter, strategy;
} png_try;
static const png_try pal_tries[] = {
    {PNG_FILTER_NONE, Z_RLE}, {PNG_ALL_FILTERS, Z_RLE}, {PNG_FILTER_NONE, Z_DEFAULT_STRATEGY}};
static const png_try rgba_try = {PNG_ALL_FILTERS, Z_FILTERED};

typedef struct png_out {
    es_buf b;
    size_t cap;
    int nomem;
    char msg[128];
} png_out;

static uint32_t rgba_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t slot_of(const palette *pal, uint32_t v)
{
    size_t s = (size_t)((v * 2654435761u) >> 22) & (SLOTS - 1);

    while (pal->used[s] && pal->key[s] != v)
        s = (s + 1) & (SLOTS - 1);
    return s;
}

/* Gather the distinct colours; 0 as soon as there are more than 256. */
static int collect(palette *pal, const uint8_t *rgba, size_t n)
{
    uint32_t last = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t v = rgba_at(rgba + 4 * i);
        size_t s;

        if (i > 0 && v == last)
            continue;
        last = v;
        s = slot_of(pal, v);
        if (pal->used[s])
            continue;
        if (pal->n == 256)
            return 0;
        pal->used[s] = 1;
        pal->key[s] = v;
        pal->colour[pal->n++] = v;
    }
    return 1;
}

/* By alpha, then RGB: the opaque entries come last and need no tRNS entry. */
static int by_alpha(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    x = x << 24 | x >> 8;
    y = y << 24 | y >> 8;
    return x < y ? -1 : x > y;
}

static void order(palette *pal)
{
    qsort(pal->colour, (size_t)pal->n, sizeof(pal->colour[0]), by_alpha);
    for (int i = 0; i < pal->n; i++) {
        uint32_t v = pal->colour[i];

        pal->index[slot_of(pal, v)] = (uint8_t)i;
        pal->plte[i].red = (png_byte)(v >> 24);
        pal->plte[i].green = (png_byte)(v >> 16);
        pal->plte[i].blue = (png_byte)(v >> 8);
        pal->trns[i] = (png_byte)v;
        if (pal->trns[i] != 0xFF)
            pal->ntrns = i + 1;
    }
}

/* The palette index of every pixel; NULL when out of memory. */
static uint8_t *to_index(const palette *pal, const uint8_t *rgba, size_t n)
{
    uint8_t *ix = malloc(n ? n : 1), cur = 0;
    uint32_t last = 0;

    for (size_t i = 0; ix != NULL && i < n; i++) {
        uint32_t v = rgba_at(rgba + 4 * i);

        if (i == 0 || v != last)
            cur = pal->index[slot_of(pal, v)];
        last = v;
        ix[i] = cur;
    }
    return ix;
}

static void out_write(png_structp png, png_bytep p, png_size_t n)
{
    png_out *o = png_get_io_ptr(png);

    if (o->b.len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 65536;
        uint8_t *q;

        while (cap < o->b.len + n)
            cap *= 2;
        if ((q = realloc(o->b.data, cap)) == NULL) {
            o->nomem = 1;
            png_error(png, "out of memory");
        }
        o->b.data = q;
        o->cap = cap;
    }
    memcpy(o->b.data + o->b.len, p, n);
    o->b.len += n;
}

static void out_flush(png_structp png)
{
    (void)png;
}

static void on_error(png_structp png, png_const_charp msg)
{
    png_out *o = png_get_error_ptr(png);

    snprintf(o->msg, sizeof(o->msg), "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Everything that can longjmp, kept apart so no local of the caller is clobbered. */
static int encode(png_structp png, png_infop info, const png_img *im, const png_try *t)
{
    png_uint_32 ppm = (png_uint_32)lround(im->dpi / 0.0254);

    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_IHDR(png, info, (png_uint_32)im->w, (png_uint_32)im->h, 8,
                 im->index != NULL ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (im->index != NULL) {
        png_set_PLTE(png, info, im->pal->plte, im->pal->n);
        if (im->pal->ntrns > 0)
            png_set_tRNS(png, info, im->pal->trns, im->pal->ntrns, NULL);
    }
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    if (im->text != NULL)
        png_set_text(png, info, im->text, 1);
    png_set_compression_level(png, 9);
    png_set_compression_strategy(png, t->strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, t->filter);
    png_write_info(png, info);
    for (int y = 0; y < im->h; y++)
        png_write_row(png, im->index != NULL ? im->index + (size_t)y * (size_t)im->w
                                             : im->rgba + (size_t)y * (size_t)im->w * 4);
    png_write_end(png, info);
    return 0;
}

static es_err encode_one(const png_img *im, const png_try *t, es_buf *out)
{
    png_out o = {0};
    png_structp png = NULL;
    png_infop info = NULL;
    es_err rc = ES_OK;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, on_error, on_warning);
    if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot start the PNG encoder");
        goto end;
    }
    png_set_write_fn(png, &o, out_write, out_flush);
    if (encode(png, info, im, t) != 0) {
        rc = es__fail(o.nomem ? ES_ERR_NOMEM : ES_ERR_INTERNAL, "cannot encode the PNG: %s", o.msg);
        goto end;
    }
    *out = o.b;
    o.b.data = NULL;
end:
    png_destroy_write_struct(&png, &info);
    free(o.b.data);
    return rc;
}

es_err es__png_write(const uint8_t *rgba, int w, int h, unsigned dpi, const char *key,
                     const char *text, es_buf *out)
{
    png_img im = {.rgba = rgba, .w = w, .h = h, .dpi = dpi};
    png_text t = {0};
    palette *pal = calloc(1, sizeof(*pal));
    uint8_t *index = NULL;
    es_buf best = {0}, b = {0};
    size_t n = (size_t)w * (size_t)h, ntries = 1;
    es_err rc = ES_OK;

    t.compression = PNG_TEXT_COMPRESSION_NONE;
    t.key = (png_charp)key;
    t.text = (png_charp)text;
    im.text = key != NULL ? &t : NULL;
    if (pal == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    /* Lossless either way: the palette holds every colour exactly. */
    if (collect(pal, rgba, n)) {
        order(pal);
        if ((index = to_index(pal, rgba, n)) == NULL) {
            rc = es__fail(ES_ERR_NOMEM, "out of memory for a %dx%d picture", w, h);
            goto end;
        }
        im.index = index;
        im.pal = pal;
        ntries = sizeof(pal_tries) / sizeof(pal_tries[0]);
    }
    for (size_t i = 0; i < ntries; i++) {
        if ((rc = encode_one(&im, index != NULL ? &pal_tries[i] : &rgba_try, &b)) != ES_OK)
            goto end;
        if (best.data == NULL || b.len < best.len) {
            es_buf_free(&best);
            best = b;
        } else {
            es_buf_free(&b);
        }
        b = (es_buf){0};
    }
    *out = best;
    best = (es_buf){0};
end:
    es_buf_free(&best);
    free(index);
    free(pal);
    return rc;
}
