/* Decoding scans of impressions: PNG (libpng) and JPEG (libjpeg) to RGBA, with size limits. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "image_local.h"

/*
 * An A4 page at 600 dpi is 35 Mpx; more is not a scan of a seal. Fuzzing builds keep the
 * limit small so a forged header cannot make every run decode a huge blank picture.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define MAX_PIXELS (2u << 20)
#else
#define MAX_PIXELS (40u << 20)
#endif

static es_err check_size(unsigned long w, unsigned long h)
{
    if (w == 0 || h == 0)
        return es__fail(ES_ERR_FORMAT, "the picture is empty");
    if (w > ES_IMAGE_MAX_SIDE || h > ES_IMAGE_MAX_SIDE || (double)w * (double)h > MAX_PIXELS)
        return es__fail(ES_ERR_LIMIT, "the picture is %lux%lu pixels (limit %dx%d, %u Mpx)", w, h,
                        ES_IMAGE_MAX_SIDE, ES_IMAGE_MAX_SIDE, MAX_PIXELS >> 20);
    return ES_OK;
}

/* ---- PNG ---- */

typedef struct png_job {
    const uint8_t *p;
    size_t n, off;
    es__pixels *out;
    png_bytep *rows;
    es_err rc;
    char msg[160];
} png_job;

static void png_in(png_structp png, png_bytep d, png_size_t n)
{
    png_job *j = png_get_io_ptr(png);

    if (n > j->n - j->off)
        png_error(png, "truncated");
    memcpy(d, j->p + j->off, n);
    j->off += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    png_job *j = png_get_error_ptr(png);

    snprintf(j->msg, sizeof(j->msg), "%s", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* All state lives in *j, so nothing is lost when libpng longjmps back here. */
static int png_run(png_structp png, png_infop info, png_job *j)
{
    png_uint_32 w, h;

    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_read_fn(png, j, png_in);
    png_set_chunk_malloc_max(png, 8u << 20);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
#endif
    png_read_info(png, info);
    w = png_get_image_width(png, info);
    h = png_get_image_height(png, info);
    if ((j->rc = check_size(w, h)) != ES_OK)
        return -1;
    /* Palette to RGB and tRNS to alpha (eseal writes palette PNGs), grey below 8 bits to 8. */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4)
        png_error(png, "unexpected row layout");
    j->out->rgba = malloc((size_t)w * h * 4);
    j->rows = malloc(sizeof(png_bytep) * h);
    if (j->out->rgba == NULL || j->rows == NULL) {
        j->rc = es__fail(ES_ERR_NOMEM, "out of memory for a %ux%u picture", w, h);
        return -1;
    }
    for (png_uint_32 y = 0; y < h; y++)
        j->rows[y] = j->out->rgba + (size_t)y * w * 4;
    png_read_image(png, j->rows);
    j->out->w = (int)w;
    j->out->h = (int)h;
    return 0;
}

static es_err decode_png(const uint8_t *p, size_t n, es__pixels *out)
{
    png_job j = {.p = p, .n = n, .out = out};
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, &j, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    es_err rc = ES_OK;

    if (info == NULL)
        rc = es__fail(ES_ERR_NOMEM, "cannot start the PNG decoder");
    else if (png_run(png, info, &j) != 0)
        rc = j.rc != ES_OK ? j.rc : es__fail(ES_ERR_FORMAT, "bad PNG: %s", j.msg);
    png_destroy_read_struct(&png, &info, NULL);
    free(j.rows);
    return rc;
}

/* ---- JPEG ---- */

typedef struct jpeg_job {
    struct jpeg_error_mgr err; /* first: libjpeg hands back a pointer to it */
    jmp_buf jmp;
    struct jpeg_decompress_struct d;
    es__pixels *out;
    uint8_t *row;
    es_err rc;
    char msg[JMSG_LENGTH_MAX];
} jpeg_job;

static void jpeg_on_error(j_common_ptr c)
{
    jpeg_job *j = (jpeg_job *)(void *)c->err;

    (*c->err->format_message)(c, j->msg);
    longjmp(j->jmp, 1);
}

static void jpeg_on_message(j_common_ptr c)
{
    (void)c;
}

static int jpeg_run(jpeg_job *j, const uint8_t *p, size_t n)
{
    if (setjmp(j->jmp))
        return -1;
    jpeg_create_decompress(&j->d);
    jpeg_mem_src(&j->d, p, (unsigned long)n);
    jpeg_read_header(&j->d, TRUE);
    if ((j->rc = check_size(j->d.image_width, j->d.image_height)) != ES_OK)
        return -1;
    j->d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&j->d);
    j->out->rgba = malloc((size_t)j->d.output_width * j->d.output_height * 4);
    j->row = malloc((size_t)j->d.output_width * 3);
    if (j->out->rgba == NULL || j->row == NULL) {
        j->rc = es__fail(ES_ERR_NOMEM, "out of memory for a JPEG picture");
        return -1;
    }
    while (j->d.output_scanline < j->d.output_height) {
        uint8_t *d = j->out->rgba + (size_t)j->d.output_scanline * j->d.output_width * 4;
        JSAMPROW rows[1] = {j->row};

        jpeg_read_scanlines(&j->d, rows, 1);
        for (JDIMENSION x = 0; x < j->d.output_width; x++, d += 4) {
            memcpy(d, j->row + (size_t)x * 3, 3);
            d[3] = 0xFF;
        }
    }
    j->out->w = (int)j->d.output_width;
    j->out->h = (int)j->d.output_height;
    return 0;
}

static es_err decode_jpeg(const uint8_t *p, size_t n, es__pixels *out)
{
    jpeg_job *j = calloc(1, sizeof(*j));
    es_err rc = ES_OK;

    if (j == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    j->out = out;
    j->d.err = jpeg_std_error(&j->err);
    j->err.error_exit = jpeg_on_error;
    j->err.output_message = jpeg_on_message;
    if (jpeg_run(j, p, n) != 0)
        rc = j->rc != ES_OK ? j->rc : es__fail(ES_ERR_FORMAT, "bad JPEG: %s", j->msg);
    jpeg_destroy_decompress(&j->d);
    free(j->row);
    free(j);
    return rc;
}

es_err es__image_decode(const uint8_t *p, size_t n, es__pixels *out)
{
    es_err rc;

    memset(out, 0, sizeof(*out));
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        rc = decode_png(p, n, out);
    else if (n >= 3 && memcmp(p, "\xFF\xD8\xFF", 3) == 0)
        rc = decode_jpeg(p, n, out);
    else
        rc = es__fail(ES_ERR_FORMAT, "the scan is neither a PNG nor a JPEG file");
    if (rc != ES_OK) {
        free(out->rgba);
        memset(out, 0, sizeof(*out));
    }
    return rc;
}
