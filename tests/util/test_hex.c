/* es__hex_lower: the same digits as printf's "%02x" for every length and alignment (the SSE2
 * path and the table tail), nothing written past 2n characters. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "eseal/crypto.h"
#include "util/hex.h"

static void check(const uint8_t *in, size_t n)
{
    static char got[2 * 70000 + 16], want[2 * 70000 + 1];

    memset(got, '#', sizeof(got));
    for (size_t i = 0; i < n; i++)
        snprintf(want + 2 * i, 3, "%02x", in[i]);
    es__hex_lower(in, n, got);
    assert_memory_equal(got, want, 2 * n);
    for (size_t i = 2 * n; i < 2 * n + 16; i++)
        assert_int_equal(got[i], '#');
}

static void test_every_length_and_offset(void **state)
{
    static uint8_t buf[70000];

    (void)state;
    assert_es_ok(es_random(buf, sizeof(buf)));
    for (size_t i = 0; i < 256; i++) /* every byte value, in and out of SSE2 blocks */
        buf[i] = (uint8_t)i;
    for (size_t off = 0; off < 4; off++)
        for (size_t n = 0; n <= 100; n++)
            check(buf + off, n);
    check(buf, 256);
    check(buf + 1, sizeof(buf) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_and_offset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
