/*
 * The server's base64 encoder (server/base64.c: AVX2 steps, a 12-bit table for the rest) against
 * OpenSSL's EVP_EncodeBlock, for every length up to 4 KiB and every alignment of the input and
 * output; srv_unb64 takes each text back to the same bytes.
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "seal_local.h"

#define MAX_LEN 4096

/* Bytes of three kinds: random, all 0xff (every 6-bit value 63), all 0 (every value 0). */
static void fill(uint8_t *p, size_t n, int kind)
{
    if (kind == 0)
        assert_es_ok(es_random(p, n));
    else
        memset(p, kind == 1 ? 0xff : 0, n);
}

static void test_matches_openssl(void **state)
{
    uint8_t *in = malloc(MAX_LEN + 64);
    char *want = malloc(SRV_B64_LEN(MAX_LEN) + 64), *got = malloc(SRV_B64_LEN(MAX_LEN) + 64);

    (void)state;
    assert_non_null(in);
    assert_non_null(want);
    assert_non_null(got);
    for (int kind = 0; kind < 3; kind++)
        for (size_t n = 0; n <= MAX_LEN; n++) {
            size_t off = n % 7, oout = n % 5, len = SRV_B64_LEN(n);

            fill(in + off, n, kind);
            assert_int_equal(EVP_EncodeBlock((unsigned char *)want, in + off, (int)n), (int)len);
            memset(got, '#', len + oout + 8);
            srv_b64_encode(in + off, n, got + oout);
            if (memcmp(got + oout, want, len) != 0)
                fail_msg("length %zu (kind %d): differs from OpenSSL", n, kind);
            assert_int_equal(got[oout + len], '#'); /* nothing written past the text */
        }
    free(in);
    free(want);
    free(got);
}

static void test_round_trip(void **state)
{
    static const size_t lens[] = {0, 1, 2, 3, 27, 28, 31, 32, 33, 145000, 145001, 145002};

    (void)state;
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t *in = malloc(lens[i] + 1);
        char *text;
        es_buf back = {0};

        assert_non_null(in);
        fill(in, lens[i], 0);
        assert_non_null(text = srv_b64(in, lens[i]));
        assert_int_equal(strlen(text), SRV_B64_LEN(lens[i]));
        assert_int_equal(srv_unb64(text, &back), 0);
        assert_int_equal(back.len, lens[i]);
        assert_memory_equal(back.data ? back.data : (uint8_t *)"", in, lens[i]);
        es_buf_free(&back);
        free(text);
        free(in);
    }
}

static void test_refuses_bad_text(void **state)
{
    es_buf out = {0};

    (void)state;
    assert_int_equal(srv_unb64("QUJD\nREVG", &out), -1); /* not a multiple of 4 */
    assert_null(out.data);
    assert_int_equal(srv_unb64("QU*D", &out), -1); /* not the alphabet */
    assert_null(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_openssl),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refuses_bad_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
