/* Fast SM2 signatures: the standard's fixed-k example, point decoding, edges, OpenSSL differential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "crypto/sm2/sm2_local.h"
#include "testutil.h"

/* GB/T 32918.5 recommended-curve example (ID 1234567812345678, as OpenSSL's and GmSSL's tests). */
#define KAT_D   "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
#define KAT_K   "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
#define KAT_R   "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
#define KAT_S   "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
#define KAT_MSG "message digest"
#define N_HEX   "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"

/* An SM2 key pair with private scalar d_hex (public point computed by OpenSSL). */
static es_key *key_from_d(const char *d_hex)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = EC_POINT_new(g);
    BIGNUM *d = NULL;
    uint8_t pub[65];
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    EVP_PKEY *pkey = NULL;
    es_key *k = NULL;

    assert_true(BN_hex2bn(&d, d_hex) > 0);
    assert_int_equal(EC_POINT_mul(g, q, d, NULL, NULL, NULL), 1);
    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, 65, NULL);
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65);
    params = OSSL_PARAM_BLD_to_param(bld);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params), 1);
    assert_es_ok(es_key_from_pkey(pkey, &k));
    assert_non_null(k->sm2);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(d);
    EC_POINT_free(q);
    EC_GROUP_free(g);
    return k;
}

static void test_kat_fixed_k(void **state)
{
    es_key *k = key_from_d(KAT_D);
    uint8_t z[32], e[32], kb[32], raw[64], want[64];
    es__fn kk;

    assert_true(k->sm2->has_private);
    assert_es_ok(es__sm2_z(k->sm2, (const uint8_t *)"1234567812345678", 16, z));
    assert_es_ok(es__sm2_digest(z, KAT_MSG, strlen(KAT_MSG), e));
    tu_unhex(KAT_K, kb, 32);
    assert_int_equal(es__fn_from_bytes(kk, kb), 1);
    assert_int_equal(es__sm2_sign_k(raw, k->sm2->dinv, e, kk), 1);
    tu_unhex(KAT_R KAT_S, want, 64);
    assert_memory_equal(raw, want, 64);
    assert_int_equal(es__sm2_verify_e(&k->sm2->pub, e, raw), 1);
    assert_es_ok(es_sm2_verify(k, NULL, 0, KAT_MSG, strlen(KAT_MSG), raw, 64));
    raw[40] ^= 1;
    assert_int_equal(es__sm2_verify_e(&k->sm2->pub, e, raw), 0);
    es_key_free(k);
}

/* Point decoding agrees with OpenSSL's on valid, off-curve, out-of-range and compressed input. */
static void test_point_decode(void **state)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = EC_POINT_new(g);
    uint8_t enc[65], c[33], xy[64];
    es__aff a;
    int ours, theirs;

    for (int i = 0; i < 600; i++) {
        assert_int_equal(RAND_bytes(enc, 65), 1);
        enc[0] = 0x04;
        if (i % 3 == 0) { /* a real point, maybe damaged */
            BIGNUM *k = BN_new();

            BN_rand(k, 256, -1, 0);
            EC_POINT_mul(g, q, k, NULL, NULL, NULL);
            EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
            if (i % 2)
                enc[1 + i % 64] ^= (uint8_t)(1 << (i % 8));
            BN_free(k);
        }
        if (i % 5 == 0)
            memset(enc + 1, 0xFF, 32); /* x >= p */
        ours = es__sm2_point_decode(&a, enc, 65);
        theirs = EC_POINT_oct2point(g, q, enc, 65, NULL);
        assert_int_equal(ours, theirs);
        assert_int_equal(es__sm2_point_decode(&a, enc + 1, 64), theirs);
        /* Compressed: random x, both parities. */
        memcpy(c + 1, enc + 1, 32);
        c[0] = (uint8_t)(0x02 + (i & 1));
        ours = es__sm2_point_decode(&a, c, 33);
        theirs = EC_POINT_oct2point(g, q, c, 33, NULL);
        assert_int_equal(ours, theirs);
        if (ours) {
            EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
            es__sm2_point_encode(xy, &a);
            assert_memory_equal(xy, enc + 1, 64);
        }
    }
    ERR_clear_error();
    enc[0] = 0x05;
    assert_int_equal(es__sm2_point_decode(&a, enc, 65), 0);
    assert_int_equal(es__sm2_point_decode(&a, enc, 66), 0);
    assert_int_equal(es__sm2_point_decode(&a, enc, 0), 0);
    assert_int_equal(es__sm2_point_decode(&a, NULL, 65), 0);
    memset(enc, 0, 65);
    enc[0] = 0x04; /* (0, 0): infinity's usual encoding is not a point */
    assert_int_equal(es__sm2_point_decode(&a, enc, 65), 0);
    EC_POINT_free(q);
    EC_GROUP_free(g);
}

/* r, s = 0, n, n + 1, 2^256 - 1 are format errors; r + s = n is a bad signature. */
static void test_verify_edges(void **state)
{
    es_key *k = key_from_d(KAT_D);
    uint8_t raw[64], n[32], e[32] = {0};
    BIGNUM *bn = NULL;
    es_buf sig = {0};

    tu_unhex(N_HEX, n, 32);
    assert_es_ok(es_sm2_sign(k, NULL, 0, "m", 1, &sig));
    assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, raw));
    for (int which = 0; which < 2; which++) {
        uint8_t bad[64];
        uint8_t *v = bad + 32 * which;

        memcpy(bad, raw, 64);
        memset(v, 0, 32);
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, bad, 64), ES_ERR_FORMAT);
        assert_int_equal(es__sm2_verify_e(&k->sm2->pub, e, bad), 0);
        memcpy(v, n, 32);
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, bad, 64), ES_ERR_FORMAT);
        assert_int_equal(es__sm2_verify_e(&k->sm2->pub, e, bad), 0);
        v[31]++;
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, bad, 64), ES_ERR_FORMAT);
        memset(v, 0xFF, 32);
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, bad, 64), ES_ERR_FORMAT);
        assert_int_equal(es__sm2_verify_e(&k->sm2->pub, e, bad), 0);
        memcpy(v, n, 32);
        v[31]--; /* n - 1: in range, wrong */
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, bad, 64), ES_ERR_SIGNATURE);
    }
    /* s = n - r: t = r + s = 0 must be refused, not treated as a point at infinity. */
    BN_hex2bn(&bn, N_HEX);
    {
        BIGNUM *r = BN_bin2bn(raw, 32, NULL);

        BN_sub(bn, bn, r);
        BN_bn2binpad(bn, raw + 32, 32);
        BN_free(r);
    }
    assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, raw, 64), ES_ERR_SIGNATURE);
    BN_free(bn);
    es_buf_free(&sig);
    es_key_free(k);
}

/* A key whose 1 + d is not invertible (d = n - 1) falls back to OpenSSL, which refuses it too. */
static void test_private_edges(void **state)
{
    es_key *k = key_from_d("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121");
    es_buf sig = {0};

    /* d = n - 2: 1 + d = n - 1 is invertible, signing works. */
    assert_true(k->sm2->has_private);
    assert_es_ok(es_sm2_sign(k, NULL, 0, "m", 1, &sig));
    assert_es_ok(es_sm2_verify(k, NULL, 0, "m", 1, sig.data, sig.len));
    es_buf_free(&sig);
    es_key_free(k);
    k = key_from_d("1");
    assert_es_ok(es_sm2_sign(k, NULL, 0, "m", 1, &sig));
    assert_es_ok(es_sm2_verify(k, NULL, 0, "m", 1, sig.data, sig.len));
    es_buf_free(&sig);
    es_key_free(k);
}

static int ossl_verify(EVP_PKEY *pkey, const uint8_t *id, size_t idlen, const uint8_t *m, size_t n,
                       const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = EVP_DigestVerifyInit_ex(mctx, &pctx, "SM3", NULL, NULL, pkey, NULL) == 1 &&
             EVP_PKEY_CTX_set1_id(pctx, id, idlen) == 1 &&
             EVP_DigestVerify(mctx, sig, siglen, m, n) == 1;

    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return ok;
}

static void ossl_sign(EVP_PKEY *pkey, const uint8_t *id, size_t idlen, const uint8_t *m, size_t n,
                      uint8_t *sig, size_t *siglen)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    assert_int_equal(EVP_DigestSignInit_ex(mctx, &pctx, "SM3", NULL, NULL, pkey, NULL), 1);
    assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, id, idlen), 1);
    assert_int_equal(EVP_DigestSign(mctx, sig, siglen, m, n), 1);
    EVP_MD_CTX_free(mctx);
}

/* One random key, message and ID, both directions, and a damaged copy refused by both. */
static void diff_round(int i)
{
    es_key *k = NULL;
    uint8_t id[40], msg[200], osig[80];
    size_t idlen, n, olen = sizeof(osig);
    es_buf sig = {0};

    assert_es_ok(es_key_generate_sm2(&k));
    assert_non_null(k->sm2);
    RAND_bytes(id, sizeof(id));
    RAND_bytes(msg, sizeof(msg));
    idlen = i % 4 == 0 ? 16 : 1 + id[0] % sizeof(id);
    if (i % 4 == 0)
        memcpy(id, ES_SM2_DEFAULT_ID, 16);
    n = (size_t)(msg[0] + i) % sizeof(msg);
    assert_es_ok(es_sm2_sign(k, id, idlen, msg, n, &sig));
    assert_true(ossl_verify(k->pkey, id, idlen, msg, n, sig.data, sig.len));
    ossl_sign(k->pkey, id, idlen, msg, n, osig, &olen);
    assert_es_ok(es_sm2_verify(k, id, idlen, msg, n, osig, olen));
    /* Damage a message byte (or, for the empty message, append one). */
    msg[n > 0 ? (size_t)i % n : 0] ^= 0x10;
    n += n == 0;
    assert_es_err(es_sm2_verify(k, id, idlen, msg, n, osig, olen), ES_ERR_SIGNATURE);
    assert_false(ossl_verify(k->pkey, id, idlen, msg, n, sig.data, sig.len));
    es_buf_free(&sig);
    es_key_free(k);
}

static void test_differential(void **state)
{
    const char *env = getenv("ESEAL_SM2_DIFF_N");
    int rounds = env != NULL ? atoi(env) : 2000;

    if (!es__sm2_fast_enabled())
        skip();
    for (int i = 0; i < rounds; i++)
        diff_round(i);
    printf("differential rounds: %d (x2 directions)\n", rounds);
}

/* Signatures made by the fast code verify with `openssl dgst` and the default ID. */
static void test_openssl_cli(void **state)
{
    const char *pub = tu_tmp("fast_pub.pem"), *msg = tu_tmp("fast_msg"), *sigp = tu_tmp("fast_sig");
    char pubp[4096], msgp[4096];
    es_key *k = NULL;
    es_buf b = {0}, sig = {0};

    snprintf(pubp, sizeof(pubp), "%s", pub);
    snprintf(msgp, sizeof(msgp), "%s", msg);
    assert_es_ok(es_key_generate_sm2(&k));
    assert_es_ok(es_key_write_public(k, 1, &b));
    tu_write(pubp, b.data, b.len);
    for (int i = 0; i < 4; i++) {
        char text[32];
        int len = snprintf(text, sizeof(text), "cli message %d", i);

        tu_write(msgp, text, (size_t)len);
        assert_es_ok(es_sm2_sign(k, NULL, 0, text, (size_t)len, &sig));
        tu_write(tu_tmp("fast_sig"), sig.data, sig.len);
        assert_int_equal(tu_run("openssl dgst -sm3 -verify %s -sigopt distid:1234567812345678 "
                                "-signature %s %s",
                                pubp, sigp, msgp),
                         0);
        es_buf_free(&sig);
    }
    es_buf_free(&b);
    es_key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_fixed_k),  cmocka_unit_test(test_point_decode),
        cmocka_unit_test(test_verify_edges), cmocka_unit_test(test_private_edges),
        cmocka_unit_test(test_differential), cmocka_unit_test(test_openssl_cli),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
