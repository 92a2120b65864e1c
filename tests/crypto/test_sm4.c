/* SM4: the GB/T 32907 examples, ECB/CBC/CTR against the openssl CLI, padding and bad input. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static const char std_hex[] = "0123456789abcdeffedcba9876543210";

static void test_sm4_standard_example(void **state)
{
    uint8_t key[16], want[16];
    es_buf ct = {0}, pt = {0};

    tu_unhex(std_hex, key, sizeof(key));
    tu_unhex("681edf34d206965e86b3e94f536e4246", want, sizeof(want));
    assert_es_ok(es_sm4_encrypt(ES_SM4_ECB, key, NULL, 0, key, 16, &ct));
    assert_int_equal(ct.len, 16);
    assert_memory_equal(ct.data, want, 16);
    assert_es_ok(es_sm4_decrypt(ES_SM4_ECB, key, NULL, 0, ct.data, ct.len, &pt));
    assert_int_equal(pt.len, 16);
    assert_memory_equal(pt.data, key, 16);
    es_buf_free(&ct);
    es_buf_free(&pt);
}

/* The standard's second example: the same block encrypted 1,000,000 times with the same key. */
static void test_sm4_million(void **state)
{
    uint8_t key[16], block[16], want[16];
    es_buf ct = {0};

    tu_unhex(std_hex, key, sizeof(key));
    memcpy(block, key, sizeof(block));
    tu_unhex("595298c7c6fd271f0402f804c33d3f66", want, sizeof(want));
    for (int i = 0; i < 1000000; i++) {
        assert_es_ok(es_sm4_encrypt(ES_SM4_ECB, key, NULL, 0, block, 16, &ct));
        assert_int_equal(ct.len, 16);
        memcpy(block, ct.data, 16);
        es_buf_free(&ct);
    }
    assert_memory_equal(block, want, 16);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* What `openssl enc -<alg> [extra]` makes of msg with this key and IV (NULL: none). */
static es_buf openssl_enc(const char *alg, const char *extra, const uint8_t *key, const uint8_t *iv,
                          const uint8_t *msg, size_t n)
{
    char keyhex[33], ivhex[40] = "", in[4096], out[4096];

    hex_of(key, 16, keyhex);
    if (iv != NULL) { /* ECB takes no IV */
        memcpy(ivhex, "-iv ", 4);
        hex_of(iv, 16, ivhex + 4);
    }
    snprintf(in, sizeof(in), "%s", tu_tmp("enc.in"));
    snprintf(out, sizeof(out), "%s", tu_tmp("enc.out"));
    tu_write(in, msg, n);
    assert_int_equal(tu_run("openssl enc -%s %s -K %s %s -in '%s' -out '%s'", alg, extra, keyhex,
                            ivhex, in, out),
                     0);
    return tu_read(out);
}

/* Encrypt msg with eseal, compare with the CLI, and decrypt it back. */
static void check_cli(es_sm4_mode mode, const char *alg, int pad, const uint8_t *iv, size_t n)
{
    uint8_t key[16], msg[200];
    es_buf ct = {0}, pt = {0}, ref = {0};

    assert_true(n <= sizeof(msg));
    assert_es_ok(es_random(key, sizeof(key)));
    assert_es_ok(es_random(msg, n));
    ref = openssl_enc(alg, pad ? "" : "-nopad", key, iv, msg, n);
    assert_es_ok(es_sm4_encrypt(mode, key, iv, pad, msg, n, &ct));
    assert_int_equal(ct.len, ref.len);
    assert_memory_equal(ct.data, ref.data, ref.len);
    assert_es_ok(es_sm4_decrypt(mode, key, iv, pad, ct.data, ct.len, &pt));
    assert_int_equal(pt.len, n);
    assert_memory_equal(pt.data, msg, n);
    es_buf_free(&ct);
    es_buf_free(&pt);
    es_buf_free(&ref);
}

static void test_sm4_cbc_cli(void **state)
{
    uint8_t iv[16];

    assert_es_ok(es_random(iv, sizeof(iv)));
    check_cli(ES_SM4_CBC, "sm4-cbc", 1, iv, 16 * 7 + 5);
    check_cli(ES_SM4_CBC, "sm4-cbc", 1, iv, 16 * 4);
    check_cli(ES_SM4_CBC, "sm4-cbc", 0, iv, 16 * 9);
    check_cli(ES_SM4_ECB, "sm4-ecb", 1, NULL, 16 * 3 + 1);
}

static void test_sm4_ctr_cli(void **state)
{
    uint8_t iv[16];

    assert_es_ok(es_random(iv, sizeof(iv)));
    check_cli(ES_SM4_CTR, "sm4-ctr", 0, iv, 16 * 7 + 5);
    /* A counter about to wrap: the carry must run through all 128 bits. */
    memset(iv, 0xff, sizeof(iv));
    check_cli(ES_SM4_CTR, "sm4-ctr", 0, iv, 16 * 3 + 9);
}

/* PKCS#7 always adds 1..16 bytes, so every length round-trips to the next whole block. */
static void test_sm4_padding_lengths(void **state)
{
    uint8_t key[16] = {7}, iv[16] = {9}, msg[40] = {0};
    es_buf ct = {0}, pt = {0};

    for (size_t n = 0; n <= sizeof(msg); n++) {
        msg[n ? n - 1 : 0] = (uint8_t)n;
        assert_es_ok(es_sm4_encrypt(ES_SM4_CBC, key, iv, 1, msg, n, &ct));
        assert_int_equal(ct.len, (n / 16 + 1) * 16);
        assert_es_ok(es_sm4_decrypt(ES_SM4_CBC, key, iv, 1, ct.data, ct.len, &pt));
        assert_int_equal(pt.len, n);
        assert_memory_equal(pt.data, msg, n);
        es_buf_free(&ct);
        es_buf_free(&pt);
    }
}

static void test_sm4_bad_length(void **state)
{
    uint8_t key[16] = {0}, iv[16] = {0}, msg[31] = {0};
    es_buf out = {0};

    assert_es_err(es_sm4_encrypt(ES_SM4_ECB, key, NULL, 0, msg, 15, &out), ES_ERR_ARG);
    assert_es_err(es_sm4_encrypt(ES_SM4_CBC, key, iv, 0, msg, 31, &out), ES_ERR_ARG);
    assert_es_err(es_sm4_decrypt(ES_SM4_ECB, key, NULL, 0, msg, 17, &out), ES_ERR_ARG);
    assert_es_err(es_sm4_decrypt(ES_SM4_CBC, key, iv, 0, msg, 1, &out), ES_ERR_ARG);
    /* A padded ciphertext must be whole blocks, and at least one. */
    assert_es_err(es_sm4_decrypt(ES_SM4_CBC, key, iv, 1, msg, 31, &out), ES_ERR_DECRYPT);
    assert_es_err(es_sm4_decrypt(ES_SM4_ECB, key, NULL, 1, msg, 0, &out), ES_ERR_DECRYPT);
    assert_null(out.data);
    assert_int_equal(out.len, 0);
    /* CTR is a stream mode: any length is fine and pad is ignored. */
    assert_es_ok(es_sm4_encrypt(ES_SM4_CTR, key, iv, 1, msg, 31, &out));
    assert_int_equal(out.len, 31);
    es_buf_free(&out);
}

/* Decrypting a last block whose plaintext ends as given must fail as bad padding. */
static void check_bad_padding(const char *last_block_hex)
{
    uint8_t key[16] = {1}, iv[16] = {2}, block[32] = {0};
    es_buf ct = {0}, pt = {0};

    tu_unhex(last_block_hex, block + 16, 16);
    assert_es_ok(es_sm4_encrypt(ES_SM4_CBC, key, iv, 0, block, sizeof(block), &ct));
    assert_es_err(es_sm4_decrypt(ES_SM4_CBC, key, iv, 1, ct.data, ct.len, &pt), ES_ERR_DECRYPT);
    assert_null(pt.data);
    assert_int_equal(pt.len, 0);
    es_buf_free(&ct);
}

static void test_sm4_bad_padding(void **state)
{
    check_bad_padding("0102030405060708090a0b0c0d0e0f00"); /* pad byte 0 */
    check_bad_padding("0102030405060708090a0b0c0d0e0f11"); /* pad byte > 16 */
    check_bad_padding("0102030405060708090a0b0c0d030203"); /* pad bytes differ */
    check_bad_padding("0f101010101010101010101010101010"); /* full block of pad, one off */
}

static void test_sm4_null_iv(void **state)
{
    uint8_t key[16] = {0}, msg[16] = {0};
    es_buf out = {0};

    assert_es_err(es_sm4_encrypt(ES_SM4_CBC, key, NULL, 0, msg, 16, &out), ES_ERR_ARG);
    assert_es_err(es_sm4_decrypt(ES_SM4_CBC, key, NULL, 0, msg, 16, &out), ES_ERR_ARG);
    assert_es_err(es_sm4_encrypt(ES_SM4_CTR, key, NULL, 0, msg, 16, &out), ES_ERR_ARG);
    assert_null(out.data);
    assert_es_err(es_sm4_encrypt((es_sm4_mode)99, key, msg, 0, msg, 16, &out), ES_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm4_standard_example), cmocka_unit_test(test_sm4_million),
        cmocka_unit_test(test_sm4_cbc_cli),          cmocka_unit_test(test_sm4_ctr_cli),
        cmocka_unit_test(test_sm4_padding_lengths),  cmocka_unit_test(test_sm4_bad_length),
        cmocka_unit_test(test_sm4_bad_padding),      cmocka_unit_test(test_sm4_null_iv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
