/* Oval invoice seals and square name seals: size, frame, text placement, filling, refusals. */
#include <string.h>

#include "image_test.h"

TI_LSAN_FONTCONFIG

#define DPI 200.0

static void test_oval_geometry(void **state)
{
    es_image_oval_opts o = {
        .name = "北京示例科技有限公司", .tax_id = "91110108MA01ABCDEF", .dpi = (unsigned)DPI};
    es_buf b = {0};
    ti_img im;
    double w, h;
    int ink = 0;

    assert_es_ok(es_image_oval(&o, &b));
    assert_es_ok(es_image_size_mm(b.data, b.len, &w, &h));
    assert_true(fabs(w - 40) < 0.1 && fabs(h - 30) < 0.1);
    im = ti_decode(&b, DPI);
    assert_int_equal(im.w, 315);
    assert_int_equal(im.h, 236);
    /* Corners transparent, the ring red on the ellipse 0.55 mm inside the edge. */
    assert_int_equal(ti_at(&im, 0, 0)[3], 0);
    assert_int_equal(ti_at(&im, im.w - 1, im.h - 1)[3], 0);
    for (double t = 0; t < 2 * TI_PI; t += 0.05)
        assert_true(ti_red(ti_mm(&im, 19.45 * sin(t), -14.45 * cos(t))));
    /* The tax ID crosses the middle; between it and the name arc's top, nothing. */
    for (double x = -10; x <= 10; x += 0.1)
        ink += ti_ink(ti_mm(&im, x, 0));
    assert_true(ink > 20);
    assert_false(ti_ink(ti_mm(&im, 0, -4.5)));
    ti_free(&im);
    es_buf_free(&b);
    o.tax_id = "123";
    assert_es_err(es_image_oval(&o, &b), ES_ERR_ARG);
    o.tax_id = "91110108ma01abcdef";
    assert_es_err(es_image_oval(&o, &b), ES_ERR_ARG);
    o.tax_id = NULL;
    assert_es_err(es_image_oval(&o, &b), ES_ERR_ARG);
}

static void test_square_geometry(void **state)
{
    es_image_square_opts o = {.name = "张三", .dpi = (unsigned)DPI};
    es_buf b = {0};
    ti_img im;

    assert_es_ok(es_image_square(&o, &b));
    im = ti_decode(&b, DPI);
    assert_int_equal(im.w, 157); /* 20 mm */
    for (double v = -9.5; v <= 9.5; v += 0.5) {
        assert_true(ti_red(ti_mm(&im, v, -9.45))); /* frame, 1 mm wide */
        assert_true(ti_red(ti_mm(&im, 9.45, v)));
        if (fabs(v) < 8.6)
            assert_false(ti_ink(ti_mm(&im, v, -8.65))); /* gap inside the frame */
    }
    /* Each of the four cells holds a character. */
    for (int q = 0; q < 4; q++) {
        int ink = 0;

        for (double x = 0.5; x < 7.5; x += 0.25)
            for (double y = 0.5; y < 7.5; y += 0.25)
                ink += ti_ink(ti_mm(&im, (q & 1) ? x : -x, (q & 2) ? y : -y));
        assert_true(ink > 60);
    }
    ti_free(&im);
    es_buf_free(&b);
}

static void same_as(const char *name, const char *full)
{
    es_image_square_opts o = {.name = name, .dpi = 100};
    es_buf a = {0}, b = {0};

    assert_es_ok(es_image_square(&o, &a));
    o.name = full;
    assert_es_ok(es_image_square(&o, &b));
    assert_true(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    es_buf_free(&a);
    es_buf_free(&b);
}

static void test_square_filling(void **state)
{
    es_image_square_opts o = {.name = "张", .dpi = 100};
    es_buf b = {0};

    same_as("张三", "张三之印");
    same_as("王小明", "王小明印");
    assert_es_err(es_image_square(&o, &b), ES_ERR_ARG);
    o.name = "欧阳小明明";
    assert_es_err(es_image_square(&o, &b), ES_ERR_ARG);
    o.name = "欧阳小明";
    o.size_mm = 5;
    assert_es_err(es_image_square(&o, &b), ES_ERR_ARG);
    o.size_mm = 0;
    o.format = ES_IMAGE_SVG;
    assert_es_ok(es_image_square(&o, &b));
    assert_non_null(ti_find(&b, "width=\"20mm\""));
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oval_geometry),
        cmocka_unit_test(test_square_geometry),
        cmocka_unit_test(test_square_filling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
