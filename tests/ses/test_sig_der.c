/* The v4 SES_Signature writer (sig_der.c) gives the OpenSSL templates' bytes, byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ses/ses_local.h"
#include "testutil.h"

static X509 *cert;

static int setup(void **state)
{
    es_buf b = tu_read(tu_sample("pki/USER_cert.pem"));
    BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);

    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    es_buf_free(&b);
    return cert == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    X509_free(cert);
    return 0;
}

/* What es_seal_sign_hash wrote before sig_der.c: the ES_SES_SIGNATURE_V4 template's i2d. */
static es_buf old_encoding(const es_buf *seal, const uint8_t hash[32], const char *prop,
                           es_time when, const uint8_t *sig, size_t siglen)
{
    ES_SES_SIGNATURE_V4 *g = ES_SES_SIGNATURE_V4_new();
    ASN1_STRING *s = ASN1_STRING_new();
    unsigned char *cder = NULL, *out = NULL;
    int cn = i2d_X509(cert, &cder), n;
    es_buf b = {0};

    assert_non_null(g);
    assert_true(ASN1_STRING_set(s, seal->data, (int)seal->len));
    ASN1_TYPE_set(g->tbs->eseal, V_ASN1_SEQUENCE, s);
    assert_true(ASN1_INTEGER_set_int64(g->tbs->version, 4));
    assert_es_ok(es__time_set(when, &g->tbs->time));
    assert_es_ok(es__bits_set(&g->tbs->hash, hash, ES_SM3_LEN));
    assert_es_ok(es__ia5_set(prop != NULL ? prop : "", "propertyInfo", &g->tbs->property));
    assert_es_ok(es__bits_set(&g->sig, sig, siglen));
    ASN1_OBJECT_free(g->alg);
    assert_non_null(g->alg = es__oid_sm2_sm3());
    assert_true(ASN1_OCTET_STRING_set(g->cert, cder, cn));
    assert_true((n = i2d_ES_SES_SIGNATURE_V4(g, &out)) > 0);
    assert_es_ok(es_buf_set(&b, out, (size_t)n));
    OPENSSL_free(out);
    OPENSSL_free(cder);
    ES_SES_SIGNATURE_V4_free(g);
    return b;
}

/* A DER SEQUENCE of n bytes in all (n >= 4 + 1), contents a pattern. */
static es_buf fake_seal(size_t n)
{
    es_buf b = {0};
    size_t h = n - 2 < 0x80 ? 2 : n - 3 < 0x100 ? 3 : n - 4 < 0x10000 ? 4 : 5;

    assert_es_ok(es_buf_set(&b, "", 0));
    b.data = realloc(b.data, n);
    b.len = n;
    b.data[0] = 0x30;
    b.data[1] = h == 2 ? (uint8_t)(n - 2) : (uint8_t)(0x80 | (h - 2));
    for (size_t i = 2; i < h; i++)
        b.data[i] = (uint8_t)((n - h) >> (8 * (h - 1 - i)));
    for (size_t i = h; i < n; i++)
        b.data[i] = (uint8_t)(i * 7);
    return b;
}

/* New and old encodings of the same inputs, and where the new one says its TBS_Sign is; 1 if the
 * writer had to move the bytes (a shorter outer header than reserved). */
static int compare(const es_buf *seal, const char *prop, es_time when, size_t siglen)
{
    uint8_t hash[32], sig[ES__SIG_DER_MAX];
    es__sigw w;
    es_buf neu = {0}, old;
    es__sig_layout l;
    int moved;

    for (size_t i = 0; i < sizeof(hash); i++)
        hash[i] = (uint8_t)(i == 31 ? 0 : 0xA0 + i); /* a trailing 00 must stay */
    for (size_t i = 0; i < siglen; i++)
        sig[i] = (uint8_t)(0x30 + i);
    old = old_encoding(seal, hash, prop, when, sig, siglen);
    assert_es_ok(es__sigw_begin(&w, seal->data, seal->len, cert, hash, prop, when));
    assert_es_ok(es__sigw_finish(&w, sig, siglen, &neu));
    assert_int_equal(neu.len, old.len);
    assert_memory_equal(neu.data, old.data, old.len);
    assert_es_ok(es__sig_layout_read(neu.data, neu.len, &l));
    assert_int_equal(l.tbs.off, w.tbs_off);
    assert_int_equal(ES__TLV_SIZE(l.tbs), w.tbs_len);
    moved = w.moved;
    es__sigw_free(&w);
    es_buf_free(&neu);
    es_buf_free(&old);
    return moved;
}

/* The real seal sample, several properties, times and signature lengths. */
static void test_same_bytes(void **state)
{
    es_buf seal = tu_read(tu_sample("seal/UserV4.esl"));
    char longprop[300];
    const char *props[] = {NULL, "", "p", longprop};

    memset(longprop, 'x', sizeof(longprop) - 1);
    longprop[sizeof(longprop) - 1] = 0;
    for (size_t p = 0; p < 4; p++)
        for (size_t siglen = 68; siglen <= ES__SIG_DER_MAX; siglen++) {
            compare(&seal, props[p], 1700000000, siglen);
            compare(&seal, props[p], 253402300799LL, siglen);
        }
    es_buf_free(&seal);
}

/* Seal sizes putting the whole signature's length on each side of 128, 256 and 65536 bytes
 * with a long or short signature value: the outer header changes size and the writer moves. */
static void test_length_boundaries(void **state)
{
    size_t sizes[] = {5, 60, 120, 200, 256, 300, 1000, 64800, 65535, 65536, 140663, 16777100};
    int moved = 0;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        es_buf seal = fake_seal(sizes[i]);

        for (size_t siglen = 64; siglen <= ES__SIG_DER_MAX; siglen++)
            compare(&seal, "", 1700000000, siglen);
        es_buf_free(&seal);
    }
    /* sweep across 65536 bytes of content: some sizes move with a value 2 bytes short */
    for (size_t n = 64000; n < 65536; n++) {
        es_buf seal = fake_seal(n);

        moved += compare(&seal, "", 1700000000, 70);
        assert_false(compare(&seal, "", 1700000000, ES__SIG_DER_MAX));
        es_buf_free(&seal);
    }
    assert_true(moved > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_length_boundaries),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
