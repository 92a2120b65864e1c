/* Golden pictures in tests/data/image/, compared tolerantly so font-version noise passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_test.h"

TI_LSAN_FONTCONFIG

#define DPI 150.0

/* Regenerate with ESEAL_UPDATE_GOLDEN=1 after a deliberate change, then look at the files. */
static void compare(const char *file, const es_buf *now)
{
    const char *path = tu_data(file);
    es_buf want_png;
    ti_img want, got;
    size_t differ = 0;

    if (getenv("ESEAL_UPDATE_GOLDEN") != NULL)
        tu_write(path, now->data, now->len);
    want_png = tu_read(path);
    want = ti_decode(&want_png, DPI);
    got = ti_decode(now, DPI);
    assert_int_equal(want.w, got.w);
    assert_int_equal(want.h, got.h);
    for (int i = 0; i < got.w * got.h; i++)
        differ += abs(want.px[i * 4 + 3] - got.px[i * 4 + 3]) > 96;
    /* At most 1% of the pixels may change their opacity noticeably. */
    print_message("%s: %zu of %d pixels differ\n", file, differ, got.w * got.h);
    assert_true(differ * 100 <= (size_t)(got.w * got.h));
    ti_free(&want);
    ti_free(&got);
    es_buf_free(&want_png);
}

static void test_round(void **state)
{
    es_image_round_opts o = {.name = "北京示例科技有限公司",
                             .text = "合同专用章",
                             .code = "15010200000001",
                             .dpi = (unsigned)DPI};
    es_buf b = {0};

    assert_es_ok(es_image_round(&o, &b));
    compare("image/round_contract.png", &b);
    es_buf_free(&b);
}

static void test_oval(void **state)
{
    es_image_oval_opts o = {
        .name = "北京示例科技有限公司", .tax_id = "91110108MA01ABCDEF", .dpi = (unsigned)DPI};
    es_buf b = {0};

    assert_es_ok(es_image_oval(&o, &b));
    compare("image/oval_invoice.png", &b);
    es_buf_free(&b);
}

static void test_square(void **state)
{
    es_image_square_opts o = {.name = "王小明", .dpi = (unsigned)DPI};
    es_buf b = {0};

    assert_es_ok(es_image_square(&o, &b));
    compare("image/square_name.png", &b);
    es_buf_free(&b);
}

/* The comparison is not blind: a different seal is far more than 1% off. */
static void test_detects_change(void **state)
{
    es_image_round_opts o = {.name = "上海示例贸易有限公司",
                             .text = "合同专用章",
                             .code = "15010200000001",
                             .dpi = (unsigned)DPI};
    es_buf b = {0}, g = tu_read(tu_data("image/round_contract.png"));
    ti_img a, w;
    size_t differ = 0;

    assert_es_ok(es_image_round(&o, &b));
    a = ti_decode(&b, DPI);
    w = ti_decode(&g, DPI);
    for (int i = 0; i < a.w * a.h; i++)
        differ += abs(a.px[i * 4 + 3] - w.px[i * 4 + 3]) > 96;
    assert_true(differ * 100 > (size_t)(a.w * a.h));
    ti_free(&a);
    ti_free(&w);
    es_buf_free(&b);
    es_buf_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_oval),
        cmocka_unit_test(test_square),
        cmocka_unit_test(test_detects_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
