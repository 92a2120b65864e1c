/* Reading a picture's physical size back: PNG pHYs, SVG width/height units, refusals. */
#include <string.h>

#include "image/image_local.h"
#include "image_test.h"

static void test_png(void **state)
{
    uint8_t px[16 * 4 * 4] = {0};
    es_buf b = {0};
    double w = 0, h = 0;

    /* 600 dpi is 23622 pixels per metre: 16 px are 0.677 mm. */
    assert_es_ok(es__png_write(px, 16, 4, 600, NULL, NULL, &b));
    assert_es_ok(es_image_size_mm(b.data, b.len, &w, &h));
    assert_true(fabs(w - 16 / 23622.0 * 1000) < 1e-9 && fabs(h - 4 / 23622.0 * 1000) < 1e-9);
    /* Without pHYs (renamed to a private chunk) there is no physical size. */
    memcpy(b.data + (ti_find(&b, "pHYs") - b.data), "xHYs", 4);
    assert_es_err(es_image_size_mm(b.data, b.len, &w, &h), ES_ERR_NOT_FOUND);
    assert_es_err(es_image_size_mm(b.data, 20, &w, &h), ES_ERR_FORMAT);
    /* the (renamed) pHYs length runs past the end; it follows the palette, not IHDR */
    assert_int_equal(b.data[25], 3);
    b.data[ti_find(&b, "xHYs") - b.data - 1] = 0x7F;
    assert_es_err(es_image_size_mm(b.data, b.len, &w, &h), ES_ERR_FORMAT);
    es_buf_free(&b);
}

static void svg(const char *text, es_err want, double ww, double wh)
{
    double w = 0, h = 0;

    assert_es_err(es_image_size_mm((const uint8_t *)text, strlen(text), &w, &h), want);
    if (want == ES_OK)
        assert_true(fabs(w - ww) < 1e-9 && fabs(h - wh) < 1e-9);
}

static void test_svg(void **state)
{
    svg("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"42mm\" "
        "height=\"42.5mm\" viewBox=\"0 0 42 42\">",
        ES_OK, 42, 42.5);
    svg("<svg stroke-width=\"3mm\" width='4cm' height=\"1.5in\">", ES_OK, 40, 38.1);
    svg("<svg width=\"400\" height=\"400\">", ES_ERR_NOT_FOUND, 0, 0);
    svg("<svg width=\"400px\" height=\"40mm\">", ES_ERR_NOT_FOUND, 0, 0);
    svg("<svg width=\"1.2.3mm\" height=\"40mm\">", ES_ERR_NOT_FOUND, 0, 0);
    svg("GIF89a", ES_ERR_UNSUPPORTED, 0, 0);
    svg("<svgx width=\"4mm\" height=\"4mm\">", ES_ERR_UNSUPPORTED, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_svg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
