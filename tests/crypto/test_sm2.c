/* SM2 signatures: the GB/T 32918.5 example, round trips, openssl interop, and encodings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "testutil.h"

/*
 * GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A, signature example on the recommended curve.
 * That example's user ID is GM/T 0009's default "1234567812345678" (as in OpenSSL's
 * test/sm2_internal_test.c and GmSSL's tests); ALICE123@YAHOO.COM belongs to the GM/T 0003.2
 * example on the 256-bit test curve (p = 8542D69E...), not to this one.
 */
#define KAT_D    "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
#define KAT_X    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
#define KAT_Y    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
#define KAT_R    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
#define KAT_S    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
#define KAT_ID   "1234567812345678"
#define ALICE_ID "ALICE123@YAHOO.COM"
#define KAT_MSG  "message digest"

static const char *tmp(const char *name)
{
    static char ring[8][4096];
    static unsigned next;
    char *p = ring[next++ % 8];

    snprintf(p, sizeof(ring[0]), "%s", tu_tmp(name));
    return p;
}

/* The public point dA * G, uncompressed (04 || x || y), computed by OpenSSL's EC code. */
static void derive_public(uint8_t pub[65])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = EC_POINT_new(g);
    BIGNUM *d = NULL;

    assert_true(BN_hex2bn(&d, KAT_D) > 0);
    assert_int_equal(EC_POINT_mul(g, q, d, NULL, NULL, NULL), 1);
    assert_int_equal(EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, 65, NULL), 65);
    BN_free(d);
    EC_POINT_free(q);
    EC_GROUP_free(g);
}

static es_key *public_key_from_point(const uint8_t pub[65])
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, 65),
        OSSL_PARAM_END,
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    EVP_PKEY *pkey = NULL;
    es_key *k = NULL;

    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
    assert_es_ok(es_key_from_pkey(pkey, &k));
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static void kat_sig(uint8_t raw[64])
{
    assert_int_equal(tu_unhex(KAT_R KAT_S, raw, 64), 64);
}

static void test_kat(void **state)
{
    uint8_t pub[65], want[65], raw[64], bad[64];
    es_key *k;
    es_buf der = {0};
    const uint8_t *id = (const uint8_t *)KAT_ID;
    size_t idlen = strlen(KAT_ID), mlen = strlen(KAT_MSG);

    derive_public(pub);
    want[0] = 0x04;
    tu_unhex(KAT_X KAT_Y, want + 1, 64);
    assert_memory_equal(pub, want, 65);
    k = public_key_from_point(pub);
    kat_sig(raw);
    assert_es_ok(es_sm2_verify(k, id, idlen, KAT_MSG, mlen, raw, 64));
    assert_es_ok(es_sm2_sig_to_der(raw, 64, &der));
    assert_es_ok(es_sm2_verify(k, id, idlen, KAT_MSG, mlen, der.data, der.len));
    /* NULL means the same default ID. */
    assert_es_ok(es_sm2_verify(k, NULL, 0, KAT_MSG, mlen, raw, 64));
    /* Every change must break it: message, r, s, the ID. */
    assert_es_err(es_sm2_verify(k, id, idlen, "message digesT", mlen, raw, 64), ES_ERR_SIGNATURE);
    memcpy(bad, raw, 64);
    bad[31] ^= 1;
    assert_es_err(es_sm2_verify(k, id, idlen, KAT_MSG, mlen, bad, 64), ES_ERR_SIGNATURE);
    memcpy(bad, raw, 64);
    bad[63] ^= 1;
    assert_es_err(es_sm2_verify(k, id, idlen, KAT_MSG, mlen, bad, 64), ES_ERR_SIGNATURE);
    assert_es_err(es_sm2_verify(k, id, idlen - 1, KAT_MSG, mlen, raw, 64), ES_ERR_SIGNATURE);
    assert_es_err(
        es_sm2_verify(k, (const uint8_t *)ALICE_ID, strlen(ALICE_ID), KAT_MSG, mlen, raw, 64),
        ES_ERR_SIGNATURE);
    es_buf_free(&der);
    es_key_free(k);
}

static es_key *gen(void)
{
    es_key *k = NULL;

    assert_es_ok(es_key_generate_sm2(&k));
    return k;
}

static void test_round_trip_ids(void **state)
{
    es_key *k = gen();
    es_buf sig = {0};
    static const char msg[] = "the quick brown fox";
    const uint8_t *alice = (const uint8_t *)ALICE_ID;

    assert_es_ok(es_sm2_sign(k, NULL, 0, msg, sizeof(msg), &sig));
    assert_int_equal(sig.data[0], 0x30);
    assert_es_ok(es_sm2_verify(k, NULL, 0, msg, sizeof(msg), sig.data, sig.len));
    assert_es_ok(es_sm2_verify(k, (const uint8_t *)ES_SM2_DEFAULT_ID, ES_SM2_DEFAULT_ID_LEN, msg,
                               sizeof(msg), sig.data, sig.len));
    assert_es_err(es_sm2_verify(k, alice, 18, msg, sizeof(msg), sig.data, sig.len),
                  ES_ERR_SIGNATURE);
    es_buf_free(&sig);
    assert_es_ok(es_sm2_sign(k, alice, 18, msg, sizeof(msg), &sig));
    assert_es_ok(es_sm2_verify(k, alice, 18, msg, sizeof(msg), sig.data, sig.len));
    assert_es_err(es_sm2_verify(k, NULL, 0, msg, sizeof(msg), sig.data, sig.len), ES_ERR_SIGNATURE);
    es_buf_free(&sig);
    /* The empty message is a message. */
    assert_es_ok(es_sm2_sign(k, NULL, 0, NULL, 0, &sig));
    assert_es_ok(es_sm2_verify(k, NULL, 0, NULL, 0, sig.data, sig.len));
    assert_es_err(es_sm2_verify(k, NULL, 0, "x", 1, sig.data, sig.len), ES_ERR_SIGNATURE);
    es_buf_free(&sig);
    es_key_free(k);
}

static void test_public_key_cannot_sign(void **state)
{
    es_key *k = gen(), *pub = NULL;
    es_buf b = {0}, sig = {0};

    assert_es_ok(es_key_write_public(k, 0, &b));
    assert_es_ok(es_key_parse(b.data, b.len, NULL, &pub));
    assert_es_err(es_sm2_sign(pub, NULL, 0, "m", 1, &sig), ES_ERR_ARG);
    es_buf_free(&b);
    es_key_free(pub);
    es_key_free(k);
}

static void test_raw_encoding(void **state)
{
    es_key *k = gen();
    es_buf sig = {0}, der = {0};
    uint8_t raw[64], raw2[64];

    assert_es_ok(es_sm2_sign(k, NULL, 0, "m", 1, &sig));
    assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, raw));
    assert_es_ok(es_sm2_verify(k, NULL, 0, "m", 1, raw, 64));
    assert_es_ok(es_sm2_sig_to_der(raw, 64, &der));
    assert_int_equal(der.len, sig.len);
    assert_memory_equal(der.data, sig.data, sig.len);
    es_buf_free(&der);
    assert_es_ok(es_sm2_sig_to_der(sig.data, sig.len, &der));
    assert_memory_equal(der.data, sig.data, sig.len);
    assert_es_ok(es_sm2_sig_to_raw(raw, 64, raw2));
    assert_memory_equal(raw, raw2, 64);
    raw[5] ^= 0x40;
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, raw, 64), ES_ERR_SIGNATURE);
    es_buf_free(&der);
    es_buf_free(&sig);
    es_key_free(k);
}

/* Signatures that are neither strict DER nor 64 raw bytes, or with r, s out of range. */
static void test_bad_encodings(void **state)
{
    static const char *const bad[] = {
        "",
        "3000",
        "300602010102010100",   /* trailing byte */
        "3006020101020101",     /* r = s = 1: fine, see below */
        "30070202000102010102", /* non-minimal r */
        "3006020181020101",     /* negative r */
        "3006020100020101",     /* r = 0 */
        "308006020101020101",   /* indefinite length */
        "31060201010201 01",    /* SET, not SEQUENCE */
    };
    static const char *const n_hex =
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
    uint8_t b[80], raw[64];
    es_buf der = {0};
    es_key *k = gen();

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = tu_unhex(bad[i], b, sizeof(b));

        if (i == 3) {
            assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, n), ES_ERR_SIGNATURE);
            continue;
        }
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, n), ES_ERR_FORMAT);
        assert_es_err(es_sm2_sig_to_der(b, n, &der), ES_ERR_FORMAT);
        assert_es_err(es_sm2_sig_to_raw(b, n, raw), ES_ERR_FORMAT);
    }
    /* Raw r = n, s = 1; r = 0; and 63 / 65 bytes. */
    memset(b, 0, sizeof(b));
    tu_unhex(n_hex, b, 32);
    b[63] = 1;
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, 64), ES_ERR_FORMAT);
    memset(b, 0, 32);
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, 64), ES_ERR_FORMAT);
    b[0] = 1;
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, 63), ES_ERR_FORMAT);
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, 65), ES_ERR_FORMAT);
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, NULL, 0), ES_ERR_FORMAT);
    /* Raw r = n - 1 is in range: well-formed, just wrong. */
    tu_unhex(n_hex, b, 32);
    b[31]--;
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, 64), ES_ERR_SIGNATURE);
    es_key_free(k);
}

/* Sign with eseal, verify with `openssl dgst`, and the reverse. */
static void test_openssl_interop(void **state)
{
    const char *key = tmp("key.pem"), *pub = tmp("pub.pem"), *msg = tmp("msg");
    const char *sig = tmp("sig"), *osig = tmp("osig");
    static const char text[] = "interop message\n";
    es_key *k = gen();
    es_buf b = {0}, s = {0};

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, NULL, &b));
    tu_write(key, b.data, b.len);
    es_buf_free(&b);
    assert_es_ok(es_key_write_public(k, 1, &b));
    tu_write(pub, b.data, b.len);
    es_buf_free(&b);
    tu_write(msg, text, sizeof(text) - 1);
    assert_es_ok(es_sm2_sign(k, NULL, 0, text, sizeof(text) - 1, &s));
    tu_write(sig, s.data, s.len);
    es_buf_free(&s);
    assert_int_equal(tu_run("openssl dgst -sm3 -verify %s -sigopt distid:1234567812345678 "
                            "-signature %s %s",
                            pub, sig, msg),
                     0);
    /* openssl with its default (empty) ID must reject it: the ID is really in Z. */
    assert_int_not_equal(tu_run("openssl dgst -sm3 -verify %s -signature %s %s", pub, sig, msg), 0);
    assert_int_equal(tu_run("openssl dgst -sm3 -sign %s -sigopt distid:1234567812345678 -out %s %s",
                            key, osig, msg),
                     0);
    s = tu_read(osig);
    assert_es_ok(es_sm2_verify(k, NULL, 0, text, sizeof(text) - 1, s.data, s.len));
    assert_es_err(es_sm2_verify(k, NULL, 0, text, sizeof(text) - 2, s.data, s.len),
                  ES_ERR_SIGNATURE);
    es_buf_free(&s);
    es_key_free(k);
}

/* openssl signs with another ID; eseal verifies with that ID only. */
static void test_openssl_custom_id(void **state)
{
    const char *key = tmp("key2.pem"), *msg = tmp("msg2"), *osig = tmp("osig2");
    static const char text[] = "custom id";
    es_key *k = gen();
    es_buf b = {0};

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, NULL, &b));
    tu_write(key, b.data, b.len);
    es_buf_free(&b);
    tu_write(msg, text, sizeof(text) - 1);
    assert_int_equal(
        tu_run("openssl dgst -sm3 -sign %s -sigopt distid:" ALICE_ID " -out %s %s", key, osig, msg),
        0);
    b = tu_read(osig);
    assert_es_ok(es_sm2_verify(k, (const uint8_t *)ALICE_ID, strlen(ALICE_ID), text,
                               sizeof(text) - 1, b.data, b.len));
    assert_es_err(es_sm2_verify(k, NULL, 0, text, sizeof(text) - 1, b.data, b.len),
                  ES_ERR_SIGNATURE);
    es_buf_free(&b);
    es_key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat),
        cmocka_unit_test(test_round_trip_ids),
        cmocka_unit_test(test_public_key_cannot_sign),
        cmocka_unit_test(test_raw_encoding),
        cmocka_unit_test(test_bad_encodings),
        cmocka_unit_test(test_openssl_interop),
        cmocka_unit_test(test_openssl_custom_id),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
