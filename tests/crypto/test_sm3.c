/* SM3 and HMAC-SM3: GB/T 32905 examples, streaming, and a cross-check with the openssl CLI. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static void assert_hex(const uint8_t *got, const char *hex)
{
    uint8_t want[64];
    size_t n = tu_unhex(hex, want, sizeof(want));

    assert_memory_equal(got, want, n);
}

static void test_sm3_abc(void **state)
{
    uint8_t md[ES_SM3_LEN];

    assert_es_ok(es_sm3("abc", 3, md));
    assert_hex(md, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

static void test_sm3_64_bytes(void **state)
{
    char msg[65] = "";
    uint8_t md[ES_SM3_LEN];

    for (int i = 0; i < 16; i++)
        strcat(msg, "abcd");
    assert_es_ok(es_sm3(msg, 64, md));
    assert_hex(md, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

static void test_sm3_empty(void **state)
{
    uint8_t md[ES_SM3_LEN];

    assert_es_ok(es_sm3(NULL, 0, md));
    assert_hex(md, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

/* Odd chunk sizes cross SM3's 64-byte block boundaries at every offset. */
static void test_sm3_streaming(void **state)
{
    uint8_t msg[1000], whole[ES_SM3_LEN], part[ES_SM3_LEN];
    es_sm3_ctx *c = NULL;
    size_t off = 0;

    assert_es_ok(es_random(msg, sizeof(msg)));
    assert_es_ok(es_sm3(msg, sizeof(msg), whole));
    assert_es_ok(es_sm3_new(&c));
    for (size_t step = 1; off < sizeof(msg); step += 2) {
        size_t k = step < sizeof(msg) - off ? step : sizeof(msg) - off;

        assert_es_ok(es_sm3_update(c, msg + off, k));
        off += k;
    }
    assert_es_ok(es_sm3_final(c, part));
    assert_memory_equal(part, whole, ES_SM3_LEN);

    /* The context is reset by final and hashes a new message from scratch. */
    assert_es_ok(es_sm3_update(c, "ab", 2));
    assert_es_ok(es_sm3_update(c, "c", 1));
    assert_es_ok(es_sm3_final(c, part));
    assert_hex(part, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    es_sm3_free(c);
    es_sm3_free(NULL);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* HMAC-SM3 against `openssl mac`, for a short key and one longer than SM3's block. */
static void check_hmac_cli(size_t keylen, size_t msglen)
{
    uint8_t key[100], msg[300], mac[ES_SM3_LEN], want[ES_SM3_LEN];
    char keyhex[201], path_msg[4096], path_mac[4096], text[100] = "";
    es_buf got = {0};

    assert_es_ok(es_random(key, keylen));
    assert_es_ok(es_random(msg, msglen));
    hex_of(key, keylen, keyhex);
    snprintf(path_msg, sizeof(path_msg), "%s", tu_tmp("hmac.msg"));
    snprintf(path_mac, sizeof(path_mac), "%s", tu_tmp("hmac.out"));
    tu_write(path_msg, msg, msglen);
    assert_int_equal(tu_run("openssl mac -digest SM3 -macopt hexkey:%s -in '%s' -out '%s' HMAC",
                            keyhex, path_msg, path_mac),
                     0);
    got = tu_read(path_mac);
    assert_true(got.len < sizeof(text));
    memcpy(text, got.data, got.len);
    assert_int_equal(tu_unhex(text, want, sizeof(want)), ES_SM3_LEN);
    assert_es_ok(es_hmac_sm3(key, keylen, msg, msglen, mac));
    assert_memory_equal(mac, want, ES_SM3_LEN);
    es_buf_free(&got);
}

static void test_hmac_sm3_cli(void **state)
{
    check_hmac_cli(16, 300);
    check_hmac_cli(100, 1);
    check_hmac_cli(64, 64);
}

/* The key matters: one changed bit gives a different tag. */
static void test_hmac_sm3_key(void **state)
{
    uint8_t key[32] = {1, 2, 3}, a[ES_SM3_LEN], b[ES_SM3_LEN];

    assert_es_ok(es_hmac_sm3(key, sizeof(key), "msg", 3, a));
    key[31] ^= 1;
    assert_es_ok(es_hmac_sm3(key, sizeof(key), "msg", 3, b));
    assert_memory_not_equal(a, b, ES_SM3_LEN);
}

/* RFC 2104 pads keys with zeros to the block size, so an empty key equals 64 zero bytes. */
static void test_hmac_sm3_empty_key(void **state)
{
    uint8_t zeros[64] = {0}, a[ES_SM3_LEN], b[ES_SM3_LEN], c[ES_SM3_LEN];

    assert_es_ok(es_hmac_sm3(NULL, 0, "msg", 3, a));
    assert_es_ok(es_hmac_sm3(zeros, sizeof(zeros), "msg", 3, b));
    assert_memory_equal(a, b, ES_SM3_LEN);
    assert_es_ok(es_hmac_sm3(zeros, 0, NULL, 0, c));
    assert_memory_not_equal(a, c, ES_SM3_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm3_abc),
        cmocka_unit_test(test_sm3_64_bytes),
        cmocka_unit_test(test_sm3_empty),
        cmocka_unit_test(test_sm3_streaming),
        cmocka_unit_test(test_hmac_sm3_cli),
        cmocka_unit_test(test_hmac_sm3_key),
        cmocka_unit_test(test_hmac_sm3_empty_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
