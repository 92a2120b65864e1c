/* PKCS#12: the legacy RC2 samples, passwords, openssl-made files, and malformed input. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "testutil.h"

static const char *tmp(const char *name)
{
    static char ring[8][4096];
    static unsigned next;
    char *p = ring[next++ % 8];

    snprintf(p, sizeof(ring[0]), "%s", tu_tmp(name));
    return p;
}

static X509 *sample_cert(const char *name)
{
    X509 *x = NULL;

    assert_es_ok(es_cert_read_file(tu_sample(name), &x));
    return x;
}

static void check_sample(const char *p12, const char *pass, const char *certfile)
{
    es_buf b = tu_read(tu_sample(p12));
    es_key *k = NULL;
    X509 *x = NULL, *want = sample_cert(certfile);
    STACK_OF(X509) *ca = NULL;
    es_buf sig = {0};

    assert_es_ok(es_p12_parse(b.data, b.len, pass, &k, &x, &ca));
    assert_true(es_key_has_private(k));
    assert_int_equal(X509_cmp(x, want), 0);
    assert_non_null(X509_get0_distinguishing_id(x));
    assert_es_ok(es_key_match_cert(k, want));
    /* The key really is the certificate's: it signs, the certificate's key verifies. */
    {
        es_key *pub = NULL;

        assert_es_ok(es_key_from_cert(x, &pub));
        assert_es_ok(es_sm2_sign(k, NULL, 0, "p12", 3, &sig));
        assert_es_ok(es_sm2_verify(pub, NULL, 0, "p12", 3, sig.data, sig.len));
        es_key_free(pub);
    }
    es_buf_free(&sig);
    sk_X509_pop_free(ca, X509_free);
    X509_free(want);
    X509_free(x);
    es_key_free(k);
    es_buf_free(&b);
}

static void test_user_p12(void **state)
{
    check_sample("pki/USER.p12", "777777", "pki/USER_cert.pem");
}

static void test_root_p12(void **state)
{
    check_sample("pki/ROOT.p12", "123456", "pki/ROOT_cert.pem");
}

static void test_wrong_password(void **state)
{
    es_buf b = tu_read(tu_sample("pki/USER.p12"));
    es_key *k = NULL;
    X509 *x = NULL;

    assert_es_err(es_p12_parse(b.data, b.len, "777778", &k, &x, NULL), ES_ERR_PASSWORD);
    assert_es_err(es_p12_parse(b.data, b.len, NULL, &k, &x, NULL), ES_ERR_PASSWORD);
    assert_es_err(es_p12_parse(b.data, b.len, "", &k, &x, NULL), ES_ERR_PASSWORD);
    assert_null(k);
    assert_null(x);
    es_buf_free(&b);
}

static void test_malformed(void **state)
{
    es_buf b = tu_read(tu_sample("pki/ROOT.p12"));
    es_key *k = NULL;
    X509 *x = NULL;
    uint8_t *more = malloc(b.len + 1);

    assert_es_err(es_p12_parse(b.data, 0, "123456", &k, &x, NULL), ES_ERR_FORMAT);
    for (size_t n = 1; n < b.len; n += 7)
        assert_es_err(es_p12_parse(b.data, n, "123456", &k, &x, NULL), ES_ERR_FORMAT);
    memcpy(more, b.data, b.len);
    more[b.len] = 0;
    assert_es_err(es_p12_parse(more, b.len + 1, "123456", &k, &x, NULL), ES_ERR_FORMAT);
    assert_es_ok(es_random(more, b.len));
    assert_es_err(es_p12_parse(more, b.len, "123456", &k, &x, NULL), ES_ERR_FORMAT);
    assert_null(k);
    free(more);
    es_buf_free(&b);
}

/* A self-signed SM2 certificate and key made by the openssl tool, for the cases below. */
static void make_sm2_pair(const char *key, const char *cert)
{
    assert_int_equal(tu_run("openssl genpkey -algorithm SM2 -out %s", key), 0);
    assert_int_equal(tu_run("openssl req -x509 -key %s -sm3 -sigopt distid:1234567812345678 "
                            "-subj /CN=p12test -days 1 -out %s",
                            key, cert),
                     0);
}

static es_err parse_file(const char *path, const char *pass, es_key **k, X509 **x,
                         STACK_OF(X509) * *ca)
{
    es_buf b = tu_read(path);
    es_err rc = es_p12_parse(b.data, b.len, pass, k, x, ca);

    es_buf_free(&b);
    return rc;
}

/* Modern AES/PBKDF2 files, files with extra CA certificates, and files without a MAC. */
static void test_openssl_made(void **state)
{
    const char *key = tmp("k.pem"), *cert = tmp("c.pem"), *p12 = tmp("m.p12");
    es_key *k = NULL, *ref = NULL;
    X509 *x = NULL;
    STACK_OF(X509) *ca = NULL;

    make_sm2_pair(key, cert);
    assert_es_ok(es_key_read_file(key, NULL, &ref));
    assert_int_equal(tu_run("openssl pkcs12 -export -inkey %s -in %s -certfile %s -passout "
                            "pass:pw -out %s",
                            key, cert, tu_sample("pki/ROOT_cert.pem"), p12),
                     0);
    assert_es_ok(parse_file(p12, "pw", &k, &x, &ca));
    assert_int_equal(EVP_PKEY_eq(es_key_get0_pkey(k), es_key_get0_pkey(ref)), 1);
    assert_es_ok(es_key_match_cert(k, x));
    assert_int_equal(sk_X509_num(ca), 1);
    assert_non_null(X509_get0_distinguishing_id(sk_X509_value(ca, 0)));
    sk_X509_pop_free(ca, X509_free);
    X509_free(x);
    es_key_free(k);
    assert_int_equal(tu_run("openssl pkcs12 -export -nomac -inkey %s -in %s -passout pass:pw "
                            "-out %s",
                            key, cert, p12),
                     0);
    assert_es_ok(parse_file(p12, "pw", &k, &x, NULL));
    X509_free(x);
    es_key_free(k);
    assert_es_err(parse_file(p12, "wrong", &k, &x, NULL), ES_ERR_PASSWORD);
    es_key_free(ref);
}

static void test_no_key_or_foreign_key(void **state)
{
    const char *key = tmp("k2.pem"), *cert = tmp("c2.pem"), *p12 = tmp("n.p12");
    es_key *k = NULL;
    X509 *x = NULL;

    make_sm2_pair(key, cert);
    assert_int_equal(
        tu_run("openssl pkcs12 -export -nokeys -in %s -passout pass:pw -out %s", cert, p12), 0);
    assert_es_err(parse_file(p12, "pw", &k, &x, NULL), ES_ERR_NOT_FOUND);
    assert_int_equal(tu_run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                            "-keyout %s -subj /CN=p256 -days 1 -out %s 2>/dev/null",
                            key, cert),
                     0);
    assert_int_equal(
        tu_run("openssl pkcs12 -export -inkey %s -in %s -passout pass:pw -out %s", key, cert, p12),
        0);
    assert_es_err(parse_file(p12, "pw", &k, &x, NULL), ES_ERR_UNSUPPORTED);
    assert_null(k);
    assert_null(x);
}

/* Huge KDF iteration counts (MAC or bag encryption) are refused before any hashing. */
static void test_iteration_limit(void **state)
{
    const char *key = tmp("k3.pem"), *cert = tmp("c3.pem"), *p12 = tmp("i.p12");
    es_key *k = NULL;
    X509 *x = NULL;

    make_sm2_pair(key, cert);
    assert_int_equal(tu_run("openssl pkcs12 -export -iter 1000001 -inkey %s -in %s -passout "
                            "pass:pw -out %s",
                            key, cert, p12),
                     0);
    assert_es_err(parse_file(p12, "pw", &k, &x, NULL), ES_ERR_LIMIT);
    assert_int_equal(tu_run("openssl pkcs12 -export -nomac -iter 1000001 -inkey %s -in %s "
                            "-passout pass:pw -out %s",
                            key, cert, p12),
                     0);
    assert_es_err(parse_file(p12, "pw", &k, &x, NULL), ES_ERR_LIMIT);
    assert_null(k);
}

/* The first use loads the legacy provider exactly once, whichever thread gets there first. */
static void *parse_user_p12(void *arg)
{
    const es_buf *b = arg;
    es_key *k = NULL;
    X509 *x = NULL;
    es_err rc = es_p12_parse(b->data, b->len, "777777", &k, &x, NULL);

    X509_free(x);
    es_key_free(k);
    return (void *)(size_t)rc;
}

static void test_threads(void **state)
{
    es_buf b = tu_read(tu_sample("pki/USER.p12"));
    pthread_t t[4];
    void *rc;

    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, parse_user_p12, &b), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], &rc), 0);
        assert_int_equal((size_t)rc, ES_OK);
    }
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_user_p12),
        cmocka_unit_test(test_root_p12),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_openssl_made),
        cmocka_unit_test(test_no_key_or_foreign_key),
        cmocka_unit_test(test_iteration_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
