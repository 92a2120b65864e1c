/* Round seals: size, ring, star, name arc, gaps, fitting, determinism and SVG, by geometry. */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "image_test.h"

TI_LSAN_FONTCONFIG

#define DPI  200.0
#define NAME "北京示例科技有限公司"

/* 42 mm proportions (src/image/round.c): ring 19.75-20.95 mm, name 12.75-18.95 mm, star 7 mm. */
static ti_img draw(const char *name, const char *text, const char *code, double d, es_buf *keep)
{
    es_image_round_opts o = {
        .name = name, .text = text, .code = code, .diameter_mm = d, .dpi = (unsigned)DPI};
    es_buf b = {0};
    ti_img im;

    assert_es_ok(es_image_round(&o, &b));
    im = ti_decode(&b, DPI);
    if (keep != NULL)
        *keep = b;
    else
        es_buf_free(&b);
    return im;
}

/* Angles (deg from the top) of the first and last ink in the name band over the upper arc. */
static void name_extent(const ti_img *im, double *lo, double *hi)
{
    *lo = 999;
    *hi = -999;
    for (double a = -150; a <= 150; a += 0.5)
        if (ti_band(im, 13.2, 18.6, a, a) > 0) {
            *lo = a < *lo ? a : *lo;
            *hi = a > *hi ? a : *hi;
        }
}

static void test_size_and_phys(void **state)
{
    es_buf b = {0};
    ti_img im = draw(NAME, NULL, NULL, 0, &b);
    double w, h;

    assert_int_equal(im.w, 331); /* 42 mm at 200 dpi */
    assert_int_equal(im.h, 331);
    assert_es_ok(es_image_size_mm(b.data, b.len, &w, &h));
    assert_true(fabs(w - 42) < 0.1 && fabs(h - 42) < 0.1);
    ti_free(&im);
    es_buf_free(&b);
    im = draw(NAME, NULL, NULL, 38, NULL);
    assert_int_equal(im.w, 299);
    ti_free(&im);
}

static void test_ring_star_gaps(void **state)
{
    ti_img im = draw(NAME, NULL, NULL, 0, NULL);

    for (int x = 0; x < im.w; x++)
        for (int y = 0; y < im.h; y++) {
            double dx = x + 0.5 - im.w / 2.0, dy = y + 0.5 - im.h / 2.0;

            if (hypot(dx, dy) > 21.05 * DPI / 25.4)
                assert_int_equal(ti_at(&im, x, y)[3], 0); /* nothing outside the ring */
        }
    for (double a = 0; a < 360; a += 1) {
        assert_true(ti_red(ti_polar(&im, 20.35, a)));
        assert_true(ti_polar(&im, 19.4, a)[3] <= 64); /* gap between ring and text */
    }
    /* Between the star and the name: transparent all around the upper part. */
    assert_true(ti_band(&im, 7.8, 12.0, -120, 120) == 0);
    assert_true(ti_red(ti_mm(&im, 0, 0)));
    for (int k = 0; k < 5; k++) {
        assert_true(ti_red(ti_polar(&im, 6.3, k * 72)));       /* the five points */
        assert_false(ti_ink(ti_polar(&im, 6.3, k * 72 + 36))); /* between them */
    }
    ti_free(&im);
}

static void test_name_text_code(void **state)
{
    ti_img plain = draw(NAME, NULL, NULL, 0, NULL);
    ti_img full = draw(NAME, "合同专用章", "15010200000001", 0, NULL);
    double lo, hi;

    name_extent(&plain, &lo, &hi);
    assert_true(hi - lo >= 220 && hi - lo <= 285);
    assert_true(fabs(lo + hi) < 6); /* centred on the top */
    assert_true(ti_band(&plain, 13.2, 18.6, -100, 100) > 0.15);
    /* Text under the star and the code on the lower arc appear only when asked for. */
    assert_true(ti_band(&full, 8.5, 13.5, 150, 210) > 0.1);
    assert_true(ti_band(&plain, 8.5, 13.5, 150, 210) == 0);
    assert_true(ti_band(&full, 17.3, 19.2, 160, 200) > 0.1);
    assert_true(ti_band(&plain, 17.3, 19.2, 160, 200) == 0);
    ti_free(&plain);
    ti_free(&full);
}

static void test_fitting(void **state)
{
    const char *longer = "中华人民共和国北京市朝阳区人民政府办公室";
    es_image_round_opts o = {.name = "中华人民共和国北京市朝阳区人民政府办公室中华人民共和国北京市",
                             .dpi = 100};
    es_buf b = {0};
    ti_img im = draw(longer, NULL, NULL, 0, NULL);
    double lo, hi;

    /* Twenty characters shrink into the span instead of running round the seal. */
    name_extent(&im, &lo, &hi);
    assert_true(hi - lo <= 290);
    assert_true(ti_band(&im, 13.2, 18.6, 150, 210) == 0);
    ti_free(&im);
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "does not fit legibly"));
    assert_null(b.data);
}

static void test_refusals(void **state)
{
    es_image_round_opts o = {.name = NAME, .dpi = 100};
    es_buf b = {0};

    o.diameter_mm = 70;
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    o.diameter_mm = 0;
    o.dpi = 10;
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    o.dpi = 100;
    o.code = "15-01";
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    o.code = NULL;
    o.name = "";
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    o.name = "示例\xff";
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    o.name = "示例\xF0\x9F\x98\x80"; /* an emoji: not in the seal font */
    assert_es_err(es_image_round(&o, &b), ES_ERR_UNSUPPORTED);
    o.name = NULL;
    assert_es_err(es_image_round(&o, &b), ES_ERR_ARG);
    assert_null(b.data);
}

static void test_deterministic_and_svg(void **state)
{
    es_image_round_opts o = {.name = NAME, .text = "合同专用章", .code = "123", .dpi = 150};
    es_buf a = {0}, b = {0};
    xmlDocPtr doc;
    xmlChar *w;

    assert_es_ok(es_image_round(&o, &a));
    assert_es_ok(es_image_round(&o, &b));
    assert_true(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    assert_null(ti_find(&a, "tIME"));
    es_buf_free(&a);
    es_buf_free(&b);
    o.format = ES_IMAGE_SVG;
    assert_es_ok(es_image_round(&o, &a));
    assert_es_ok(es_image_round(&o, &b));
    assert_true(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    doc = xmlReadMemory((const char *)a.data, (int)a.len, "seal.svg", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "svg");
    w = xmlGetProp(xmlDocGetRootElement(doc), (const xmlChar *)"width");
    assert_string_equal((const char *)w, "42mm");
    assert_null(ti_find(&a, "<text")); /* glyphs are paths: no font needed */
    xmlFree(w);
    xmlFreeDoc(doc);
    es_buf_free(&a);
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_and_phys),  cmocka_unit_test(test_ring_star_gaps),
        cmocka_unit_test(test_name_text_code), cmocka_unit_test(test_fitting),
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_deterministic_and_svg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
