/* PNG encoding: ink snapping, palette when at most 256 colours, lossless round trips, size. */
#include <stdio.h>
#include <string.h>

#include "image/image_local.h"
#include "image_test.h"

TI_LSAN_FONTCONFIG

static const int ink[3] = {ES_IMAGE_RED_R, ES_IMAGE_RED_G, ES_IMAGE_RED_B};

/* A canvas drawing: cairo's premultiplied ARGB32 (stride w * 4) and its straight RGBA. */
typedef struct drawn {
    uint8_t *raw, *rgba;
    int w, h;
} drawn;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Length of the first chunk of that type, or -1; walks the chunks, so data cannot fake one. */
static long chunk_len(const es_buf *b, const char *type)
{
    for (size_t off = 8; off + 8 <= b->len; off += 12 + be32(b->data + off))
        if (memcmp(b->data + off + 4, type, 4) == 0)
            return (long)be32(b->data + off);
    return -1;
}

static int colour_type(const es_buf *b)
{
    assert_true(b->len > 26 && memcmp(b->data + 12, "IHDR", 4) == 0);
    return b->data[25];
}

/*
 * Red ring, star and glyphs that cross each other and the ring (so composites round twice);
 * with other, a half-transparent blue bar across the ring too.
 */
static drawn draw(int other)
{
    es__canvas c;
    es__chars t;
    es__ref r;
    drawn d;

    assert_es_ok(es__canvas_open(&c, 30, 30, 200, ES_IMAGE_PNG));
    es__canvas_red(&c);
    cairo_set_line_width(c.cr, 1);
    cairo_arc(c.cr, 0, 0, 14, 0, 2 * TI_PI);
    cairo_stroke(c.cr);
    es__star(&c, 0, 0, 5);
    assert_es_ok(es__chars_split(&c, "国印", 4, "text", &t));
    es__ref_measure(&c, "国", &r);
    es__glyph_draw(&c, &r, t.p[0], t.len[0], 0, -9, 0.3, 6, 1);
    es__glyph_draw(&c, &r, t.p[1], t.len[1], 1, -10, -0.2, 6, 1);
    es__glyph_draw(&c, &r, t.p[0], t.len[0], 13, 0, 0, 5, 1);
    if (other) {
        cairo_set_source_rgba(c.cr, 0, 0.2, 0.8, 0.5);
        cairo_rectangle(c.cr, -12.9, 6.1, 25.8, 2.9);
        cairo_fill(c.cr);
    }
    cairo_surface_flush(c.surface);
    d.w = c.w_px;
    d.h = c.h_px;
    d.raw = malloc((size_t)d.w * d.h * 4);
    d.rgba = malloc((size_t)d.w * d.h * 4);
    for (int y = 0; y < d.h; y++)
        memcpy(d.raw + (size_t)y * d.w * 4,
               cairo_image_surface_get_data(c.surface) +
                   (size_t)y * cairo_image_surface_get_stride(c.surface),
               (size_t)d.w * 4);
    es__argb_to_rgba(d.raw, d.w * 4, d.w, d.h, d.rgba);
    es__canvas_release(&c);
    return d;
}

static void drawn_free(drawn *d)
{
    free(d->raw);
    free(d->rgba);
}

/* cairo's own premultiplication when it reads a PNG (cairo-png.c multiply_alpha). */
static unsigned premul(unsigned a, unsigned c)
{
    unsigned t = a * c + 0x80;

    return (t + (t >> 8)) >> 8;
}

/* Encode, check the colour type (unless -1), decode through eseal and through cairo: exact. */
static es_buf round_trip(const uint8_t *rgba, int w, int h, int want_type)
{
    es_buf b = {0};
    es__pixels px;
    ti_reader rd;
    cairo_surface_t *s;
    double wmm, hmm;
    int opaque = 1;
    uint32_t mask;

    assert_es_ok(es__png_write(rgba, w, h, 300, NULL, NULL, &b));
    if (want_type >= 0)
        assert_int_equal(colour_type(&b), want_type);
    assert_int_equal(chunk_len(&b, "pHYs"), 9);
    assert_int_equal(chunk_len(&b, "tIME"), -1);
    assert_es_ok(es_image_size_mm(b.data, b.len, &wmm, &hmm));
    assert_true(fabs(wmm - w * 25.4 / 300) < 0.01 && fabs(hmm - h * 25.4 / 300) < 0.01);
    assert_es_ok(es__image_decode(b.data, b.len, &px));
    assert_int_equal(px.w, w);
    assert_int_equal(px.h, h);
    assert_memory_equal(px.rgba, rgba, (size_t)w * h * 4);
    free(px.rgba);
    rd = (ti_reader){b.data, b.len, 0};
    s = cairo_image_surface_create_from_png_stream(ti_read, &rd);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    /* cairo reads a picture without alpha (an opaque palette: no tRNS) as RGB24 */
    if (colour_type(&b) == 6 || chunk_len(&b, "tRNS") >= 0)
        opaque = 0;
    else
        for (size_t i = 0; i < (size_t)w * h; i++)
            assert_int_equal(rgba[i * 4 + 3], 255);
    assert_int_equal(cairo_image_surface_get_format(s),
                     opaque ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32);
    mask = opaque ? 0xFFFFFFu : 0xFFFFFFFFu;
    cairo_surface_flush(s);
    for (int y = 0; y < h; y++) {
        const uint8_t *row =
            cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s);

        for (int x = 0; x < w; x++) {
            const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
            uint32_t got, want = (uint32_t)p[3] << 24 | premul(p[3], p[0]) << 16 |
                                 premul(p[3], p[1]) << 8 | premul(p[3], p[2]);

            memcpy(&got, row + x * 4, 4);
            assert_int_equal(got & mask, want & mask);
        }
    }
    cairo_surface_destroy(s);
    return b;
}

/* Snapping keeps every alpha, makes near-red exactly red, leaves other colours and the look. */
static void test_snap(void **state)
{
    drawn d = draw(1), red = draw(0);
    size_t moved = 0, other = 0, n = (size_t)d.w * d.h;

    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        const uint8_t *p = d.rgba + i * 4;
        int a, near, plain[3];

        memcpy(&v, d.raw + i * 4, 4);
        a = (int)(v >> 24);
        near = a > 0;
        assert_int_equal(p[3], a);
        for (int k = 0; k < 3; k++) {
            int ch = (int)(v >> (16 - 8 * k)) & 0xFF;

            plain[k] = a ? (ch * 255 + a / 2) / a : 0;
            near &= abs(ch * 255 - ink[k] * a) <= 2 * 255;
            assert_true(abs(p[k] * a - ch * 255) <= 2 * 255); /* the same look, premultiplied */
        }
        for (int k = 0; k < 3; k++)
            assert_int_equal(p[k], near ? ink[k] : plain[k]);
        moved += p[0] != plain[0] || p[1] != plain[1] || p[2] != plain[2];
        other += a > 0 && !near;
    }
    print_message("%zu pixels snapped to the ink, %zu of another colour kept\n", moved, other);
    assert_true(moved > 100);
    assert_true(other > 100);
    /* Drawn in red alone, every visible pixel is exactly red, even where shapes overlap. */
    for (size_t i = 0; i < (size_t)red.w * red.h; i++) {
        const uint8_t *p = red.rgba + i * 4;

        if (p[3] > 0)
            assert_true(p[0] == ink[0] && p[1] == ink[1] && p[2] == ink[2]);
        else
            assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0);
    }
    drawn_free(&d);
    drawn_free(&red);
}

static void test_palette_drawing(void **state)
{
    drawn d = draw(0), two = draw(1);
    es_buf b = round_trip(d.rgba, d.w, d.h, 3);

    /* One ink at every opacity: 256 entries, the opaque one last and left out of tRNS. */
    assert_int_equal(chunk_len(&b, "PLTE"), 256 * 3);
    assert_int_equal(chunk_len(&b, "tRNS"), 255);
    es_buf_free(&b);
    /* With a second colour blended in: whichever type fits, still exact. */
    b = round_trip(two.rgba, two.w, two.h, -1);
    es_buf_free(&b);
    drawn_free(&d);
    drawn_free(&two);
}

/* w x h pixels of n distinct colours, scattered; opaque or of many opacities. */
static uint8_t *colours(int n, int w, int h, int opaque)
{
    uint8_t *p = malloc((size_t)w * h * 4);

    for (int i = 0; i < w * h; i++) {
        int j = (int)(((unsigned)i * 7919u) % (unsigned)n);

        p[i * 4] = (uint8_t)j;
        p[i * 4 + 1] = (uint8_t)(j >> 8);
        p[i * 4 + 2] = (uint8_t)(j * 37);
        p[i * 4 + 3] = opaque ? 255 : (uint8_t)(j * 97);
    }
    return p;
}

/* 256 colours take a palette, 257 stay RGBA; both decode to exactly what was written. */
static void test_palette_limit(void **state)
{
    /*
     * n colours, opaque or of many opacities; the colour type and tRNS length wanted (-1: none).
     * 97 * j covers every alpha once, so 256 colours include one opaque entry; all opaque, no tRNS.
     */
    static const struct {
        int n, opaque, type;
        long trns;
    } cases[] = {{256, 0, 3, 255}, {257, 0, 6, -1}, {256, 1, 3, -1},
                 {1, 1, 3, -1},    {2, 0, 3, 2},    {4000, 1, 6, -1}};

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint8_t *px = colours(cases[c].n, 64, 65, cases[c].opaque);
        es_buf b = round_trip(px, 64, 65, cases[c].type);

        assert_int_equal(chunk_len(&b, "tRNS"), cases[c].trns);
        if (cases[c].type == 3)
            assert_int_equal(chunk_len(&b, "PLTE"), 3 * cases[c].n);
        else
            assert_int_equal(chunk_len(&b, "PLTE"), -1);
        es_buf_free(&b);
        free(px);
    }
}

/*
 * The default round seal (600 dpi): a palette PNG of exact seal red, under half the size of the
 * RGBA encoding of the same picture as cairo rounds it (what eseal wrote before).
 */
static void test_seal_size(void **state)
{
    es_image_round_opts o = {.name = "测试有限公司"};
    es_buf b = {0}, old = {0};
    es__pixels px;
    ti_img cairo;
    int alphas[256] = {0}, nalpha = 0;

    assert_es_ok(es_image_round(&o, &b));
    assert_int_equal(colour_type(&b), 3);
    assert_es_ok(es__image_decode(b.data, b.len, &px));
    assert_int_equal(px.w, 992);
    for (int i = 0; i < px.w * px.h; i++) {
        const uint8_t *p = px.rgba + i * 4;

        if (p[3] > 0)
            assert_true(p[0] == ink[0] && p[1] == ink[1] && p[2] == ink[2]);
        else
            assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0);
        nalpha += alphas[p[3]]++ == 0;
    }
    assert_true(nalpha > 200); /* the antialiasing is all there */
    cairo = ti_decode(&b, 600);
    assert_int_equal(cairo.w, px.w);
    for (int i = 0; i < px.w * px.h; i++)
        assert_int_equal(cairo.px[i * 4 + 3], px.rgba[i * 4 + 3]);
    cairo.px[1] = 1; /* an invisible 257th colour in the corner keeps the encoder at RGBA */
    assert_es_ok(es__png_write(cairo.px, cairo.w, cairo.h, 600, NULL, NULL, &old));
    assert_int_equal(colour_type(&old), 6);
    print_message("default round seal: palette %zu bytes, RGBA %zu bytes\n", b.len, old.len);
    assert_true(b.len * 2 < old.len);
    free(px.rgba);
    ti_free(&cairo);
    es_buf_free(&b);
    es_buf_free(&old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snap),
        cmocka_unit_test(test_palette_drawing),
        cmocka_unit_test(test_palette_limit),
        cmocka_unit_test(test_seal_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
