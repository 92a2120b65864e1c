/* Key and certificate matching: the public point read from the certificate's bytes gives the
 * same verdict as comparing OpenSSL keys, for every way the certificate may write the key. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testutil.h"

/* The SubjectPublicKeyInfo algorithm and parameters as certificates write them. */
#define EC_PUBKEY "06072A8648CE3D0201"   /* id-ecPublicKey */
#define SM2_CURVE "06082A811CCF5501822D" /* 1.2.156.10197.1.301 (SM2 curve; also SM2 itself) */
#define P256      "06082A8648CE3D030107" /* prime256v1 */

/* What es_key_match_cert answered before it read the point from the certificate's bytes. */
static es_err old_match(const es_key *k, X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    es_key *ck = NULL;
    es_err rc;

    if (pk != NULL && EVP_PKEY_eq(es_key_get0_pkey(k), pk) == 1)
        return ES_OK;
    rc = es_key_from_cert(cert, &ck);
    if (rc == ES_ERR_UNSUPPORTED)
        rc = ES_ERR_KEY_MISMATCH;
    else if (rc == ES_OK && EVP_PKEY_eq(es_key_get0_pkey(k), es_key_get0_pkey(ck)) != 1)
        rc = ES_ERR_KEY_MISMATCH;
    es_key_free(ck);
    return rc;
}

static X509 *read_cert(const char *name)
{
    X509 *x = NULL;

    assert_es_ok(es_cert_read_file(tu_sample(name), &x));
    return x;
}

static es_key *read_key(const char *name)
{
    es_key *k = NULL;

    assert_es_ok(es_key_read_file(tu_sample(name), NULL, &k));
    return k;
}

/* A DER length at p (short or 0x81 / 0x82 form): its value, *h the header bytes after the tag. */
static size_t der_len(const uint8_t *p, size_t *h)
{
    if (p[0] < 0x80) {
        *h = 1;
        return p[0];
    }
    assert_true(p[0] == 0x81 || p[0] == 0x82);
    *h = (size_t)(p[0] & 0x7f) + 1;
    return p[0] == 0x81 ? p[1] : (size_t)p[1] << 8 | p[2];
}

/* Write a length in the 0x82 form (the certificate's and TBS's headers keep their size). */
static void put_len82(uint8_t *p, size_t n)
{
    assert_int_equal(p[0], 0x82);
    p[1] = (uint8_t)(n >> 8);
    p[2] = (uint8_t)n;
}

/*
 * cert with its SubjectPublicKeyInfo replaced by SEQUENCE { SEQUENCE { alg, param },
 * BIT STRING { 0, point } } (the signature no longer matches: matching does not look at it),
 * parsed afresh so that OpenSSL decodes the new key.
 */
static X509 *with_spki(X509 *cert, const char *alg_param_hex, const uint8_t *pt, size_t ptlen)
{
    unsigned char *der = NULL, *old = NULL;
    int n = i2d_X509(cert, &der), on = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &old);
    uint8_t ap[64], spki[160], out[2048];
    size_t apn = tu_unhex(alg_param_hex, ap, sizeof(ap)), sn = 0, at = 0, h, tbs_h;
    const unsigned char *q = out;
    X509 *x;

    assert_true(n > 0 && on > 0 && (size_t)n < sizeof(out) - 100 && ptlen + apn < 120);
    spki[sn++] = 0x30;
    spki[sn++] = (uint8_t)(2 + apn + 3 + ptlen);
    spki[sn++] = 0x30;
    spki[sn++] = (uint8_t)apn;
    memcpy(spki + sn, ap, apn);
    sn += apn;
    spki[sn++] = 0x03;
    spki[sn++] = (uint8_t)(ptlen + 1);
    spki[sn++] = 0;
    memcpy(spki + sn, pt, ptlen);
    sn += ptlen;
    while (at + (size_t)on <= (size_t)n && memcmp(der + at, old, (size_t)on) != 0)
        at++;
    assert_true(at + (size_t)on <= (size_t)n);
    memcpy(out, der, at);
    memcpy(out + at, spki, sn);
    memcpy(out + at + sn, der + at + on, (size_t)n - at - (size_t)on);
    n = n - on + (int)sn;
    /* Certificate and TBSCertificate headers are 30 82 xx xx in these samples */
    der_len(out + 1, &h);
    put_len82(out + 1, (size_t)n - 1 - h);
    der_len(out + 1 + h + 1, &tbs_h);
    put_len82(out + 1 + h + 1, der_len(out + 1 + h + 1, &tbs_h) + sn - (size_t)on);
    x = d2i_X509(NULL, &q, n);
    assert_non_null(x);
    OPENSSL_free(der);
    OPENSSL_free(old);
    return x;
}

/* k's public point 04 || x || y. */
static void point_of(const es_key *k, uint8_t pt[65])
{
    size_t len = 0;

    assert_true(
        EVP_PKEY_get_octet_string_param(es_key_get0_pkey(k), "encoded-pub-key", pt, 65, &len));
    assert_int_equal(len, 65);
    assert_int_equal(pt[0], 4);
}

/* es_key_match_cert of k and cert is want, and what the EVP_PKEY_eq comparison said. */
static void expect(const es_key *k, X509 *cert, es_err want)
{
    assert_es_err(es_key_match_cert(k, cert), want);
    assert_int_equal(old_match(k, cert), want);
}

static void test_sample_pairs(void **state)
{
    es_key *user = read_key("pki/USER_key.pem"), *sign = read_key("pki/sign_key.pem");
    es_key *pub = NULL;
    X509 *ucert = read_cert("pki/USER_cert.pem"), *scert = read_cert("pki/sign_cert.pem");

    expect(user, ucert, ES_OK);
    expect(sign, scert, ES_OK);
    expect(user, scert, ES_ERR_KEY_MISMATCH);
    expect(sign, ucert, ES_ERR_KEY_MISMATCH);
    /* a key taken from the certificate shares its EVP_PKEY; one without a private part too */
    assert_es_ok(es_key_from_cert(ucert, &pub));
    expect(pub, ucert, ES_OK);
    expect(pub, scert, ES_ERR_KEY_MISMATCH);
    es_key_free(pub);
    X509_free(scert);
    X509_free(ucert);
    es_key_free(sign);
    es_key_free(user);
}

/* The same point written other ways, or the same bytes on another curve. */
static void test_spki_forms(void **state)
{
    es_key *user = read_key("pki/USER_key.pem"), *sign = read_key("pki/sign_key.pem");
    X509 *ucert = read_cert("pki/USER_cert.pem"), *x;
    uint8_t pt[65], c[33];

    point_of(user, pt);
    /* rebuilt as it was: the bytes path */
    x = with_spki(ucert, EC_PUBKEY SM2_CURVE, pt, 65);
    expect(user, x, ES_OK);
    expect(sign, x, ES_ERR_KEY_MISMATCH);
    X509_free(x);
    /* compressed: the same key, found by EVP_PKEY_eq */
    c[0] = (uint8_t)(0x02 | (pt[64] & 1));
    memcpy(c + 1, pt + 1, 32);
    x = with_spki(ucert, EC_PUBKEY SM2_CURVE, c, 33);
    expect(user, x, ES_OK);
    expect(sign, x, ES_ERR_KEY_MISMATCH);
    X509_free(x);
    /* hybrid (06 / 07): 65 bytes like ours but not 04, left to OpenSSL */
    pt[0] = (uint8_t)(0x06 | (pt[64] & 1));
    x = with_spki(ucert, EC_PUBKEY SM2_CURVE, pt, 65);
    assert_int_equal(es_key_match_cert(user, x), old_match(user, x));
    X509_free(x);
    pt[0] = 4;
    /* the SM2 OID as the algorithm: left to OpenSSL, which decides as before */
    x = with_spki(ucert, SM2_CURVE SM2_CURVE, pt, 65);
    assert_int_equal(es_key_match_cert(user, x), old_match(user, x));
    X509_free(x);
    /* our point's bytes on P-256: not our key, whatever the bytes */
    x = with_spki(ucert, EC_PUBKEY P256, pt, 65);
    assert_int_not_equal(es_key_match_cert(user, x), ES_OK);
    assert_int_equal(es_key_match_cert(user, x), old_match(user, x));
    X509_free(x);
    /* a changed coordinate: not on the curve, or another point */
    pt[40] ^= 1;
    x = with_spki(ucert, EC_PUBKEY SM2_CURVE, pt, 65);
    assert_int_not_equal(es_key_match_cert(user, x), ES_OK);
    assert_int_equal(es_key_match_cert(user, x), old_match(user, x));
    X509_free(x);
    X509_free(ucert);
    es_key_free(sign);
    es_key_free(user);
}

/* An EC P-256 key against an SM2 certificate and the reverse. */
static void test_other_kinds(void **state)
{
    es_key *p256 = NULL, *user = read_key("pki/USER_key.pem");
    X509 *ucert = read_cert("pki/USER_cert.pem"), *x;
    uint8_t pt[65];
    size_t len = 0;

    assert_es_ok(es_key_generate(ES_KEY_EC_P256, &p256));
    expect(p256, ucert, ES_ERR_KEY_MISMATCH);
    assert_true(EVP_PKEY_get_octet_string_param(es_key_get0_pkey(p256), "encoded-pub-key", pt,
                                                sizeof(pt), &len));
    assert_int_equal(len, 65);
    x = with_spki(ucert, EC_PUBKEY P256, pt, 65);
    expect(p256, x, ES_OK);
    expect(user, x, ES_ERR_KEY_MISMATCH);
    X509_free(x);
    X509_free(ucert);
    es_key_free(user);
    es_key_free(p256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_pairs),
        cmocka_unit_test(test_spki_forms),
        cmocka_unit_test(test_other_kinds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
