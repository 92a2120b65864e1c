/* The authenticated key wrap: round trips, the documented format, and every kind of tampering. */
#include <string.h>

#include "testutil.h"

static const uint8_t kek[ES_WRAP_KEK_LEN] = {
    0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};
static const char owner[] = "seal-owner:91110000MA01XXXX";

/*
 * Unwrap by docs/keywrap.md alone, built from the primitives, so that the test checks the
 * documented format and not just that es_unwrap undoes es_wrap.
 */
static void spec_unwrap(const uint8_t *aad, size_t aadlen, const es_buf *blob, es_buf *pt)
{
    uint8_t enckey[ES_SM3_LEN], mackey[ES_SM3_LEN], tag[ES_SM3_LEN], macin[1000];
    size_t clen = blob->len - ES_WRAP_OVERHEAD, m = 0;

    assert_true(17 + 8 + aadlen + clen <= sizeof(macin));
    assert_int_equal(blob->data[0], 0x01);
    assert_es_ok(es_hmac_sm3(kek, sizeof(kek), "eseal key-wrap v1 enc", 21, enckey));
    assert_es_ok(es_hmac_sm3(kek, sizeof(kek), "eseal key-wrap v1 mac", 21, mackey));
    memcpy(macin, blob->data, 17);
    m = 17;
    for (int i = 7; i >= 0; i--)
        macin[m++] = (uint8_t)((uint64_t)aadlen >> (8 * i));
    if (aadlen > 0)
        memcpy(macin + m, aad, aadlen);
    m += aadlen;
    memcpy(macin + m, blob->data + 17, clen);
    m += clen;
    assert_es_ok(es_hmac_sm3(mackey, sizeof(mackey), macin, m, tag));
    assert_memory_equal(tag, blob->data + 17 + clen, ES_SM3_LEN);
    assert_es_ok(es_sm4_decrypt(ES_SM4_CTR, enckey, blob->data + 1, 0, blob->data + 17, clen, pt));
}

static void round_trip(const uint8_t *aad, size_t aadlen, size_t n)
{
    uint8_t msg[1000];
    es_buf blob = {0}, pt = {0}, ref = {0};

    assert_true(n <= sizeof(msg));
    assert_es_ok(es_random(msg, n));
    assert_es_ok(es_wrap(kek, aad, aadlen, n ? msg : NULL, n, &blob));
    assert_int_equal(blob.len, n + ES_WRAP_OVERHEAD);
    assert_es_ok(es_unwrap(kek, aad, aadlen, blob.data, blob.len, &pt));
    assert_int_equal(pt.len, n);
    assert_memory_equal(pt.data, msg, n);
    spec_unwrap(aad, aadlen, &blob, &ref);
    assert_int_equal(ref.len, n);
    assert_memory_equal(ref.data, msg, n);
    /* CTR output has the plaintext's length and must not be the plaintext. */
    if (n >= 16)
        assert_memory_not_equal(blob.data + 17, msg, n);
    es_buf_free(&blob);
    es_buf_free(&pt);
    es_buf_free(&ref);
}

static void test_wrap_round_trip(void **state)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 32, 121, 900};

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        round_trip(NULL, 0, sizes[i]);
        round_trip((const uint8_t *)owner, strlen(owner), sizes[i]);
    }
}

/* Wrap 40 bytes bound to owner (fails the test on error). */
static es_buf wrap_sample(void)
{
    uint8_t msg[40];
    es_buf blob = {0};

    memset(msg, 0x5a, sizeof(msg));
    assert_es_ok(es_wrap(kek, owner, strlen(owner), msg, sizeof(msg), &blob));
    return blob;
}

static void assert_unwrap_fails(const uint8_t *k, const void *aad, size_t aadlen, const void *p,
                                size_t n, es_err want)
{
    es_buf out = {(uint8_t *)"x", 1};

    assert_es_err(es_unwrap(k, aad, aadlen, p, n, &out), want);
    assert_null(out.data);
    assert_int_equal(out.len, 0);
}

static void test_wrap_tamper_every_byte(void **state)
{
    es_buf blob = wrap_sample();
    static const uint8_t flips[] = {0x01, 0x80, 0xff};

    for (size_t i = 0; i < blob.len; i++) {
        for (size_t f = 0; f < sizeof(flips); f++) {
            blob.data[i] ^= flips[f];
            assert_unwrap_fails(kek, owner, strlen(owner), blob.data, blob.len,
                                i == 0 ? ES_ERR_FORMAT : ES_ERR_DECRYPT);
            blob.data[i] ^= flips[f];
        }
    }
    es_buf_free(&blob);
}

static void test_wrap_wrong_kek_or_aad(void **state)
{
    es_buf blob = wrap_sample();
    uint8_t other[ES_WRAP_KEK_LEN];
    char aad[sizeof(owner)];

    memcpy(other, kek, sizeof(other));
    other[31] ^= 0x01;
    assert_unwrap_fails(other, owner, strlen(owner), blob.data, blob.len, ES_ERR_DECRYPT);
    memcpy(aad, owner, sizeof(aad));
    aad[0] ^= 0x20;
    assert_unwrap_fails(kek, aad, strlen(aad), blob.data, blob.len, ES_ERR_DECRYPT);
    assert_unwrap_fails(kek, owner, strlen(owner) - 1, blob.data, blob.len, ES_ERR_DECRYPT);
    assert_unwrap_fails(kek, NULL, 0, blob.data, blob.len, ES_ERR_DECRYPT);
    es_buf_free(&blob);
}

static void test_wrap_truncated(void **state)
{
    es_buf blob = wrap_sample();
    uint8_t longer[200];

    for (size_t n = 0; n < ES_WRAP_OVERHEAD; n++)
        assert_unwrap_fails(kek, owner, strlen(owner), n ? blob.data : NULL, n, ES_ERR_FORMAT);
    /* Long enough to parse but cut or extended: the tag no longer matches. */
    assert_unwrap_fails(kek, owner, strlen(owner), blob.data, blob.len - 1, ES_ERR_DECRYPT);
    assert_unwrap_fails(kek, owner, strlen(owner), blob.data, ES_WRAP_OVERHEAD, ES_ERR_DECRYPT);
    memcpy(longer, blob.data, blob.len);
    longer[blob.len] = 0;
    assert_unwrap_fails(kek, owner, strlen(owner), longer, blob.len + 1, ES_ERR_DECRYPT);
    es_buf_free(&blob);
}

static void test_wrap_unknown_version(void **state)
{
    es_buf blob = wrap_sample();
    static const uint8_t versions[] = {0x00, 0x02, 0x81, 0xff};

    for (size_t i = 0; i < sizeof(versions); i++) {
        blob.data[0] = versions[i];
        assert_unwrap_fails(kek, owner, strlen(owner), blob.data, blob.len, ES_ERR_FORMAT);
    }
    es_buf_free(&blob);
}

static void test_wrap_random_iv(void **state)
{
    es_buf a = wrap_sample(), b = wrap_sample();

    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data + 1, b.data + 1, 16);
    assert_memory_not_equal(a.data + 17, b.data + 17, a.len - 17);
    es_buf_free(&a);
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_round_trip),       cmocka_unit_test(test_wrap_tamper_every_byte),
        cmocka_unit_test(test_wrap_wrong_kek_or_aad), cmocka_unit_test(test_wrap_truncated),
        cmocka_unit_test(test_wrap_unknown_version),  cmocka_unit_test(test_wrap_random_iv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
