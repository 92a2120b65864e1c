/* Certificates: PEM/DER parsing, bundles, writing, malformed input, and the SM2 ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "testutil.h"

static X509 *sample(const char *name)
{
    X509 *x = NULL;

    assert_es_ok(es_cert_read_file(tu_sample(name), &x));
    return x;
}

/* With the default ID set by the parser, the ofdrw root's signature on USER_cert verifies. */
static void test_sm2_id_makes_signature_verify(void **state)
{
    X509 *root = sample("pki/ROOT_cert.pem"), *user = sample("pki/USER_cert.pem");
    EVP_PKEY *rk = X509_get0_pubkey(root);
    const ASN1_OCTET_STRING *id = X509_get0_distinguishing_id(user);

    assert_non_null(id);
    assert_int_equal(ASN1_STRING_length(id), ES_SM2_DEFAULT_ID_LEN);
    assert_memory_equal(ASN1_STRING_get0_data(id), ES_SM2_DEFAULT_ID, ES_SM2_DEFAULT_ID_LEN);
    assert_int_equal(X509_verify(user, rk), 1);
    assert_int_equal(X509_verify(root, rk), 1);
    /* Another ID gives another Z: the same signature must fail, so the ID really is used. */
    assert_es_ok(es_cert_set_sm2_id(user, (const uint8_t *)"ALICE123@YAHOO.COM", 18));
    assert_int_not_equal(X509_verify(user, rk), 1);
    assert_es_ok(es_cert_set_sm2_id(user, NULL, 0));
    assert_int_equal(X509_verify(user, rk), 1);
    X509_free(user);
    X509_free(root);
}

static void test_der_pem_round_trip(void **state)
{
    X509 *x = sample("pki/USER_cert.pem"), *y = NULL;
    es_buf der = {0}, pem = {0};
    es_buf file = tu_read(tu_sample("pki/USER_cert.pem"));

    assert_es_ok(es_cert_write(x, 0, &der));
    assert_int_equal(der.data[0], 0x30);
    assert_es_ok(es_cert_parse(der.data, der.len, &y));
    assert_int_equal(X509_cmp(x, y), 0);
    assert_non_null(X509_get0_distinguishing_id(y));
    X509_free(y);
    assert_es_ok(es_cert_write(x, 1, &pem));
    assert_int_equal(pem.len, file.len);
    assert_memory_equal(pem.data, file.data, file.len);
    es_buf_free(&file);
    es_buf_free(&pem);
    es_buf_free(&der);
    X509_free(x);
}

static es_buf concat(const char *const *names, size_t count, const char *noise)
{
    es_buf all = {0};

    for (size_t i = 0; i < count; i++) {
        es_buf b = tu_read(tu_sample(names[i]));
        size_t nl = strlen(noise);

        all.data = realloc(all.data, all.len + b.len + nl);
        assert_non_null(all.data);
        memcpy(all.data + all.len, noise, nl);
        memcpy(all.data + all.len + nl, b.data, b.len);
        all.len += nl + b.len;
        es_buf_free(&b);
    }
    return all;
}

static void test_bundle(void **state)
{
    static const char *const names[] = {"pki/ROOT_cert.pem", "pki/USER_key.pem",
                                        "pki/USER_cert.pem", "pki/sign_cert.pem"};
    es_buf all = concat(names, 4, "comment line\n");
    STACK_OF(X509) *sk = NULL;
    X509 *first = NULL;

    assert_es_ok(es_certs_parse(all.data, all.len, &sk));
    assert_int_equal(sk_X509_num(sk), 3);
    for (int i = 0; i < 3; i++)
        assert_non_null(X509_get0_distinguishing_id(sk_X509_value(sk, i)));
    /* es_cert_parse takes the first certificate of a bundle. */
    assert_es_ok(es_cert_parse(all.data, all.len, &first));
    assert_int_equal(X509_cmp(first, sk_X509_value(sk, 0)), 0);
    X509_free(first);
    sk_X509_pop_free(sk, X509_free);
    sk = NULL;
    /* A bundle whose last certificate is cut off is malformed, not shorter. */
    assert_es_err(es_certs_parse(all.data, all.len - 40, &sk), ES_ERR_FORMAT);
    assert_null(sk);
    es_buf_free(&all);
}

static void test_bundle_from_file_and_der(void **state)
{
    STACK_OF(X509) *sk = NULL;
    X509 *x = sample("pki/USER_cert.pem");
    es_buf der = {0};

    assert_es_ok(es_certs_read_file(tu_sample("pki/ROOT_cert.pem"), &sk));
    assert_int_equal(sk_X509_num(sk), 1);
    sk_X509_pop_free(sk, X509_free);
    assert_es_ok(es_cert_write(x, 0, &der));
    assert_es_ok(es_certs_parse(der.data, der.len, &sk));
    assert_int_equal(sk_X509_num(sk), 1);
    assert_int_equal(X509_cmp(x, sk_X509_value(sk, 0)), 0);
    sk_X509_pop_free(sk, X509_free);
    es_buf_free(&der);
    X509_free(x);
}

static void test_malformed(void **state)
{
    X509 *x = sample("pki/USER_cert.pem"), *y = NULL;
    STACK_OF(X509) *sk = NULL;
    es_buf der = {0};
    es_buf key = tu_read(tu_sample("pki/USER_key.pem"));
    uint8_t *more;

    assert_es_ok(es_cert_write(x, 0, &der));
    for (size_t n = 1; n < der.len; n++)
        assert_es_err(es_cert_parse(der.data, n, &y), ES_ERR_FORMAT);
    more = malloc(der.len + 1);
    memcpy(more, der.data, der.len);
    more[der.len] = 0;
    assert_es_err(es_cert_parse(more, der.len + 1, &y), ES_ERR_FORMAT);
    assert_es_err(es_certs_parse(more, der.len + 1, &sk), ES_ERR_FORMAT);
    free(more);
    assert_es_err(es_cert_parse(der.data, 0, &y), ES_ERR_FORMAT);
    assert_es_err(es_certs_parse(der.data, 0, &sk), ES_ERR_FORMAT);
    assert_es_err(es_cert_parse(key.data, key.len, &y), ES_ERR_FORMAT);
    assert_es_err(es_certs_parse(key.data, key.len, &sk), ES_ERR_FORMAT);
    assert_null(y);
    assert_null(sk);
    assert_es_err(es_cert_read_file(tu_tmp("missing.pem"), &y), ES_ERR_IO);
    assert_es_err(es_certs_read_file(tu_tmp("missing.pem"), &sk), ES_ERR_IO);
    es_buf_free(&key);
    es_buf_free(&der);
    X509_free(x);
}

/* A non-SM2 certificate parses and gets no SM2 ID. */
static void test_non_sm2_cert(void **state)
{
    char path[4096];
    X509 *x = NULL;

    snprintf(path, sizeof(path), "%s", tu_tmp("p256.pem"));
    assert_int_equal(tu_run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                            "-nodes -keyout /dev/null -subj /CN=p256 -days 1 -out %s 2>/dev/null",
                            path),
                     0);
    assert_es_ok(es_cert_read_file(path, &x));
    assert_null(X509_get0_distinguishing_id(x));
    assert_es_ok(es_cert_set_sm2_id(x, NULL, 0));
    assert_null(X509_get0_distinguishing_id(x));
    X509_free(x);
}

/* A DER certificate whose subject holds a PEM BEGIN line is still read as DER. */
static void test_der_with_pem_text(void **state)
{
    char key[4096], der[4096];
    es_buf b;
    X509 *x = NULL;

    snprintf(key, sizeof(key), "%s", tu_tmp("begin.key"));
    snprintf(der, sizeof(der), "%s", tu_tmp("begin.der"));
    assert_int_equal(tu_run("openssl genpkey -algorithm SM2 -out %s", key), 0);
    assert_int_equal(
        tu_run("openssl req -x509 -key %s -sm3 -subj '/CN=-----BEGIN CERTIFICATE-----' "
               "-days 1 -outform DER -out %s",
               key, der),
        0);
    b = tu_read(der);
    assert_es_ok(es_cert_parse(b.data, b.len, &x));
    assert_non_null(X509_get0_distinguishing_id(x));
    X509_free(x);
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm2_id_makes_signature_verify),
        cmocka_unit_test(test_der_pem_round_trip),
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_bundle_from_file_and_der),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_non_sm2_cert),
        cmocka_unit_test(test_der_with_pem_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
