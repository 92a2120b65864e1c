/* PNG encoding with libpng: RGBA, pHYs for the physical size, no time chunk (deterministic). */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image_local.h"

typedef struct png_out {
    es_buf b;
    size_t cap;
    int nomem;
    char msg[128];
} png_out;

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
static int encode(png_structp png, png_infop info, const uint8_t *rgba, int w, int h, unsigned dpi,
                  png_textp text)
{
    png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);

    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    if (text != NULL)
        png_set_text(png, info, text, 1);
    png_set_compression_level(png, 9);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(rgba + (size_t)y * (size_t)w * 4));
    png_write_end(png, info);
    return 0;
}

es_err es__png_write(const uint8_t *rgba, int w, int h, unsigned dpi, const char *key,
                     const char *text, es_buf *out)
{
    png_out o = {0};
    png_structp png = NULL;
    png_infop info = NULL;
    png_text t = {0};
    es_err rc = ES_OK;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, on_error, on_warning);
    if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot start the PNG encoder");
        goto end;
    }
    png_set_write_fn(png, &o, out_write, out_flush);
    t.compression = PNG_TEXT_COMPRESSION_NONE;
    t.key = (png_charp)key;
    t.text = (png_charp)text;
    if (encode(png, info, rgba, w, h, dpi, key ? &t : NULL) != 0) {
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
