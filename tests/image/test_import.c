/* Importing impressions: synthetic scans (paper, noise, rotation; PNG and JPEG) and refusals. */
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#include "image/image_local.h"
#include "image_test.h"

TI_LSAN_FONTCONFIG

#define DPI   150.0
#define SCANW 560
#define SCANH 520
#define ANGLE 2.0 /* degrees: a stamp is rarely straight */

static es_buf seal_png(void)
{
    es_image_round_opts o = {.name = "北京示例科技有限公司",
                             .text = "合同专用章",
                             .code = "15010200000001",
                             .dpi = (unsigned)DPI};
    es_buf b = {0};

    assert_es_ok(es_image_round(&o, &b));
    return b;
}

/* Bilinear ink opacity of the seal at (x, y) pixels. */
static double seal_alpha(const ti_img *s, double x, double y)
{
    int x0 = (int)floor(x), y0 = (int)floor(y);
    double fx = x - x0, fy = y - y0, v = 0;

    for (int k = 0; k < 4; k++)
        v += ti_at(s, x0 + (k & 1), y0 + (k >> 1))[3] * ((k & 1) ? fx : 1 - fx) *
             ((k >> 1) ? fy : 1 - fy);
    return v / 255;
}

/* Off-white paper with noise, the seal stamped in a duller red, rotated, off centre. */
static uint8_t *make_scan(const ti_img *s, double angle)
{
    uint8_t *px = malloc((size_t)SCANW * SCANH * 4);
    double c = cos(angle * TI_PI / 180), sn = sin(angle * TI_PI / 180);
    unsigned rnd = 12345;

    for (int y = 0; y < SCANH; y++)
        for (int x = 0; x < SCANW; x++) {
            uint8_t *d = px + ((size_t)y * SCANW + x) * 4;
            double dx = x - 300.0, dy = y - 250.0;
            double a =
                0.92 * seal_alpha(s, c * dx + sn * dy + s->w / 2.0, -sn * dx + c * dy + s->h / 2.0);
            static const double paper[3] = {246, 241, 230}, ink[3] = {200, 38, 48};

            for (int k = 0; k < 3; k++) {
                int noise;

                rnd = rnd * 1103515245u + 12345u;
                noise = (int)((rnd >> 16) % 25) - 12;
                double v = paper[k] * (1 - a) + ink[k] * a + noise;
                d[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
            d[3] = 255;
        }
    return px;
}

static es_buf to_jpeg(const uint8_t *rgba)
{
    struct jpeg_compress_struct j;
    struct jpeg_error_mgr err;
    unsigned char *mem = NULL;
    unsigned long len = 0;
    uint8_t row[SCANW * 3];
    es_buf b = {0};

    j.err = jpeg_std_error(&err);
    jpeg_create_compress(&j);
    jpeg_mem_dest(&j, &mem, &len);
    j.image_width = SCANW;
    j.image_height = SCANH;
    j.input_components = 3;
    j.in_color_space = JCS_RGB;
    jpeg_set_defaults(&j);
    jpeg_set_quality(&j, 85, TRUE);
    jpeg_start_compress(&j, TRUE);
    while (j.next_scanline < SCANH) {
        JSAMPROW r[1] = {row};

        for (int x = 0; x < SCANW; x++)
            memcpy(row + x * 3, rgba + ((size_t)j.next_scanline * SCANW + x) * 4, 3);
        jpeg_write_scanlines(&j, r, 1);
    }
    jpeg_finish_compress(&j);
    jpeg_destroy_compress(&j);
    assert_es_ok(es_buf_set(&b, mem, len));
    free(mem);
    return b;
}

/* Intersection over union of the ink masks of two pictures, aligned at their centres. */
static double iou(const ti_img *a, const ti_img *b)
{
    size_t inter = 0, uni = 0;
    int dx = (b->w - a->w) / 2, dy = (b->h - a->h) / 2;

    for (int y = -4; y < a->h + 4; y++)
        for (int x = -4; x < a->w + 4; x++) {
            int p = ti_ink(ti_at(a, x, y)), q = ti_ink(ti_at(b, x + dx, y + dy));

            inter += p && q;
            uni += p || q;
        }
    return uni ? (double)inter / uni : 0;
}

/* The original as stamped: the same rotation, so only the import itself is measured. */
static ti_img rotated(const ti_img *s, double angle)
{
    ti_img r = {malloc((size_t)s->w * s->h * 4), s->w, s->h, s->dpi};
    double c = cos(angle * TI_PI / 180), sn = sin(angle * TI_PI / 180);

    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            double dx = x - s->w / 2.0, dy = y - s->h / 2.0;
            uint8_t *d = r.px + ((size_t)y * s->w + x) * 4;

            d[0] = 230;
            d[1] = d[2] = 0;
            d[3] = (uint8_t)(255 * seal_alpha(s, c * dx + sn * dy + s->w / 2.0,
                                              -sn * dx + c * dy + s->h / 2.0));
        }
    return r;
}

static void check_import(const es_buf *scan, const ti_img *orig, const ti_img *turned)
{
    es_buf out = {0};
    uint8_t sm3[32], want[32];
    char hex[65];
    ti_img im;
    es__pixels px;
    double w, h, straight, as_stamped;

    assert_es_ok(es_image_import(scan->data, scan->len, 42, (unsigned)DPI, &out, sm3));
    assert_es_ok(es_sm3(scan->data, scan->len, want));
    assert_memory_equal(sm3, want, 32);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", sm3[i]);
    assert_non_null(ti_find(&out, "eseal:source-sm3"));
    assert_non_null(ti_find(&out, hex));
    assert_es_ok(es_image_size_mm(out.data, out.len, &w, &h));
    assert_true(fabs(w - 42) < 0.3 && fabs(h - 42) < 0.3);
    /* One ink at many opacities: a palette PNG (colour type 3), exactly seal red throughout. */
    assert_int_equal(out.data[25], 3);
    assert_es_ok(es__image_decode(out.data, out.len, &px));
    for (int i = 0; i < px.w * px.h; i++)
        assert_true(px.rgba[i * 4] == 0xE6 && px.rgba[i * 4 + 1] == 0 &&
                    px.rgba[i * 4 + 2] == 0x12);
    free(px.rgba);
    im = ti_decode(&out, DPI);
    assert_true(abs(im.w - orig->w) <= 2 && abs(im.h - orig->h) <= 2);
    for (int i = 0; i < im.w * im.h; i++)
        if (im.px[i * 4 + 3] > 128) /* seal red; faint edges lose precision in premultiplying */
            assert_true(abs(im.px[i * 4] - 0xE6) <= 2 && im.px[i * 4 + 1] <= 2 &&
                        abs(im.px[i * 4 + 2] - 0x12) <= 2);
    straight = iou(orig, &im);
    as_stamped = iou(turned, &im);
    print_message("IoU with the original %.3f, with the original as stamped %.3f\n", straight,
                  as_stamped);
    assert_true(as_stamped > 0.8);
    assert_true(straight > 0.5);
    ti_free(&im);
    es_buf_free(&out);
}

static void test_synthetic_scans(void **state)
{
    es_buf seal = seal_png(), png = {0}, jpg;
    ti_img orig = ti_decode(&seal, DPI), turned = rotated(&orig, ANGLE);
    uint8_t *scan = make_scan(&orig, ANGLE);

    assert_es_ok(es__png_write(scan, SCANW, SCANH, 300, NULL, NULL, &png));
    jpg = to_jpeg(scan);
    check_import(&png, &orig, &turned);
    check_import(&jpg, &orig, &turned);
    /* The generated picture itself imports to (nearly) itself. */
    check_import(&seal, &orig, &orig);
    free(scan);
    ti_free(&orig);
    ti_free(&turned);
    es_buf_free(&seal);
    es_buf_free(&png);
    es_buf_free(&jpg);
}

static void test_refusals(void **state)
{
    ti_img blank = {calloc(4, 4), 1, 1, DPI};
    uint8_t *scan = make_scan(&blank, 0);
    es_buf png = {0}, out = {0};

    /* Paper and noise without a seal; then a black ring (a signature, not a seal). */
    assert_es_ok(es__png_write(scan, SCANW, SCANH, 300, NULL, NULL, &png));
    assert_es_err(es_image_import(png.data, png.len, 42, 300, &out, NULL), ES_ERR_NOT_FOUND);
    assert_non_null(strstr(es_errdetail(), "no seal-like red content"));
    es_buf_free(&png);
    for (int y = 0; y < SCANH; y++)
        for (int x = 0; x < SCANW; x++)
            if (fabs(hypot(x - 280.0, y - 260.0) - 150) < 4)
                memset(scan + ((size_t)y * SCANW + x) * 4, 20, 3);
    assert_es_ok(es__png_write(scan, SCANW, SCANH, 300, NULL, NULL, &png));
    assert_es_err(es_image_import(png.data, png.len, 42, 300, &out, NULL), ES_ERR_NOT_FOUND);
    assert_es_err(es_image_import(png.data, png.len / 2, 42, 300, &out, NULL), ES_ERR_FORMAT);
    assert_es_err(es_image_import(png.data, png.len, 5, 300, &out, NULL), ES_ERR_ARG);
    assert_es_err(es_image_import((const uint8_t *)"GIF89a", 6, 42, 300, &out, NULL),
                  ES_ERR_FORMAT);
    assert_es_err(es_image_import((const uint8_t *)"\xFF\xD8\xFF\xE0", 4, 42, 300, &out, NULL),
                  ES_ERR_FORMAT);
    assert_null(out.data);
    free(scan);
    free(blank.px);
    es_buf_free(&png);
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void test_limits(void **state)
{
    uint8_t px[4] = {255, 255, 255, 255};
    es_buf png = {0}, out = {0};

    /* A 1x1 PNG whose IHDR is edited to claim 20000 x 1 pixels. */
    assert_es_ok(es__png_write(px, 1, 1, 300, NULL, NULL, &png));
    png.data[16] = 0;
    png.data[17] = 0;
    png.data[18] = 0x4E;
    png.data[19] = 0x20;
    uint32_t crc = crc32_of(png.data + 12, 17);
    for (int i = 0; i < 4; i++)
        png.data[29 + i] = (uint8_t)(crc >> (24 - 8 * i));
    assert_es_err(es_image_import(png.data, png.len, 42, 300, &out, NULL), ES_ERR_LIMIT);
    es_buf_free(&png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_scans),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
