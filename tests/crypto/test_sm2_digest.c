/* SM2 over a precomputed e (crypto/sm2_digest.h): same signatures as over M, both paths agree. */
#include <stdio.h>
#include <string.h>

#include "crypto/key_local.h"
#include "crypto/sm2/sm2_local.h"
#include "crypto/sm2_digest.h"
#include "eseal/key.h"
#include "testutil.h"

#define MSG "TBS_Sign stand-in: hashed once, signed and verified over e"
#define ID  "ALICE123@YAHOO.COM"

typedef es_err (*sign_fn)(const es_key *, const uint8_t *, es_buf *);
typedef es_err (*verify_fn)(const es_key *, const uint8_t *, const uint8_t *, size_t);

/* Both signers x both verifiers, a wrong e refused by each verifier. */
static void cross(const es_key *k, const uint8_t e[32])
{
    sign_fn sign[] = {es__sm2_sign_digest, es__sm2_sign_digest_ossl};
    verify_fn verify[] = {es__sm2_verify_digest, es__sm2_verify_digest_ossl};
    uint8_t bad[32];

    memcpy(bad, e, 32);
    bad[31] ^= 1;
    for (int i = 0; i < 2; i++) {
        es_buf sig = {0};

        assert_es_ok(sign[i](k, e, &sig));
        for (int j = 0; j < 2; j++) {
            assert_es_ok(verify[j](k, e, sig.data, sig.len));
            assert_int_equal(verify[j](k, bad, sig.data, sig.len), ES_ERR_SIGNATURE);
        }
        es_buf_free(&sig);
    }
}

/* Signing e = SM3(Z || M) is signing M: es_sm2_verify over M accepts it, and the reverse. */
static void test_same_as_message(void **state)
{
    es_key *k = NULL;
    uint8_t e[32];
    es_buf sig = {0};

    assert_es_ok(es_key_generate_sm2(&k));
    assert_es_ok(es__sm2_e(k, NULL, 0, MSG, strlen(MSG), e));
    assert_es_ok(es__sm2_sign_digest(k, e, &sig));
    assert_es_ok(es_sm2_verify(k, NULL, 0, MSG, strlen(MSG), sig.data, sig.len));
    assert_int_equal(es_sm2_verify(k, NULL, 0, MSG, strlen(MSG) - 1, sig.data, sig.len),
                     ES_ERR_SIGNATURE);
    es_buf_free(&sig);
    assert_es_ok(es_sm2_sign(k, NULL, 0, MSG, strlen(MSG), &sig));
    assert_es_ok(es__sm2_verify_digest(k, e, sig.data, sig.len));
    assert_es_ok(es__sm2_verify_digest_ossl(k, e, sig.data, sig.len));
    es_buf_free(&sig);
    cross(k, e);
    /* another signer ID gives another e, consistent with es_sm2_sign under that ID */
    assert_es_ok(es__sm2_e(k, (const uint8_t *)ID, strlen(ID), MSG, strlen(MSG), e));
    assert_es_ok(es_sm2_sign(k, (const uint8_t *)ID, strlen(ID), MSG, strlen(MSG), &sig));
    assert_es_ok(es__sm2_verify_digest(k, e, sig.data, sig.len));
    es_buf_free(&sig);
    cross(k, e);
    es_key_free(k);
}

/* The empty message, and a key without its fast-SM2 state (Z computed uncached). */
static void test_edges(void **state)
{
    static const uint8_t long_id[8192] = {'x'};
    es_key *k = NULL, *pub = NULL;
    uint8_t e[32], e2[32], raw[64];
    es_buf sig = {0}, b = {0};

    assert_es_ok(es_key_generate_sm2(&k));
    assert_es_ok(es__sm2_e(k, NULL, 0, NULL, 0, e));
    assert_es_ok(es_sm2_sign(k, NULL, 0, "", 0, &sig));
    assert_es_ok(es__sm2_verify_digest(k, e, sig.data, sig.len));
    /* raw r||s is accepted as es_sm2_verify accepts it */
    assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, raw));
    assert_es_ok(es__sm2_verify_digest(k, e, raw, sizeof(raw)));
    assert_es_ok(es__sm2_verify_digest_ossl(k, e, raw, sizeof(raw)));
    assert_int_equal(es__sm2_verify_digest(k, e, raw, 10), ES_ERR_FORMAT);
    es_buf_free(&sig);
    /* ENTL is 16 bits: an ID of 8192 bytes is refused, with and without the key's cache */
    assert_int_equal(es__sm2_e(k, long_id, 8192, MSG, strlen(MSG), e2), ES_ERR_ARG);
    assert_es_ok(es__sm2_e(k, long_id, 8191, MSG, strlen(MSG), e2));
    es__sm2_key_detach(k);
    assert_null(k->sm2);
    assert_int_equal(es__sm2_e(k, long_id, 8192, MSG, strlen(MSG), e2), ES_ERR_ARG);
    assert_es_ok(es__sm2_e(k, long_id, 8191, MSG, strlen(MSG), e2));
    assert_es_ok(es__sm2_e(k, NULL, 0, MSG, strlen(MSG), e));
    es__sm2_key_attach(k);
    assert_non_null(k->sm2);
    assert_es_ok(es__sm2_e(k, NULL, 0, MSG, strlen(MSG), e2));
    assert_memory_equal(e, e2, 32);
    /* a public key cannot sign */
    assert_es_ok(es_key_write_public(k, 1, &b));
    assert_es_ok(es_key_parse(b.data, b.len, NULL, &pub));
    assert_int_equal(es__sm2_sign_digest(pub, e, &sig), ES_ERR_ARG);
    es_buf_free(&b);
    es_key_free(pub);
    es_key_free(k);
}

/* `openssl dgst -sm3` verifies a signature made over e with the default ID. */
static void test_openssl_cli(void **state)
{
    char pubp[4096], msgp[4096], sigp[4096];
    es_key *k = NULL;
    es_buf b = {0}, sig = {0};
    uint8_t e[32];

    snprintf(pubp, sizeof(pubp), "%s", tu_tmp("digest_pub.pem"));
    snprintf(msgp, sizeof(msgp), "%s", tu_tmp("digest_msg"));
    snprintf(sigp, sizeof(sigp), "%s", tu_tmp("digest_sig"));
    assert_es_ok(es_key_generate_sm2(&k));
    assert_es_ok(es_key_write_public(k, 1, &b));
    tu_write(pubp, b.data, b.len);
    tu_write(msgp, MSG, strlen(MSG));
    assert_es_ok(es__sm2_e(k, NULL, 0, MSG, strlen(MSG), e));
    for (int i = 0; i < 2; i++) {
        assert_es_ok(i == 0 ? es__sm2_sign_digest(k, e, &sig)
                            : es__sm2_sign_digest_ossl(k, e, &sig));
        tu_write(sigp, sig.data, sig.len);
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
        cmocka_unit_test(test_same_as_message),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_openssl_cli),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
