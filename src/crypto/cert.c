/* X.509 certificates: PEM/DER parsing, PEM bundles, writing, and the SM2 distinguishing ID. */
#include <assert.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/key_local.h"
#include "eseal_local.h"

static es_err check_size(size_t n)
{
    if (n == 0)
        return es__fail(ES_ERR_FORMAT, "empty certificate input");
    if (n > ES_KEY_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "certificate input of %zu bytes exceeds the limit", n);
    return ES_OK;
}

/* An SM2 key, or signed with SM2 (a P-256/RSA signer under an SM2 CA): OpenSSL verifies the
 * certificate's own signature with the ID set on it. */
static int is_sm2_cert(const X509 *cert)
{
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    char name[80];
    size_t len = 0;
    int sm2;

    if (X509_get_signature_nid(cert) == NID_SM2_with_SM3)
        return 1;
    if (pkey == NULL) {
        es__ossl_clear();
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "SM2"))
        return 1;
    sm2 = EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) &&
          strcmp(name, "SM2") == 0;
    es__ossl_clear();
    return sm2;
}

es_err es_cert_set_sm2_id(X509 *cert, const uint8_t *id, size_t idlen)
{
    ASN1_OCTET_STRING *v = NULL;

    assert(cert != NULL);
    if (!is_sm2_cert(cert))
        return ES_OK;
    es__sm2_id(&id, &idlen);
    v = ASN1_OCTET_STRING_new();
    if (v == NULL || !ASN1_OCTET_STRING_set(v, id, (int)idlen)) {
        ASN1_OCTET_STRING_free(v);
        return es__fail_ossl(ES_ERR_NOMEM, "cannot set the SM2 ID");
    }
    X509_set0_distinguishing_id(cert, v);
    return ES_OK;
}

/* One DER certificate taking exactly n bytes. */
static es_err parse_der(const uint8_t *p, size_t n, X509 **out)
{
    const unsigned char *q = p;
    X509 *x = d2i_X509(NULL, &q, (long)n);

    if (x == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "cannot decode the DER certificate");
    if (q != p + n) {
        X509_free(x);
        return es__fail(ES_ERR_FORMAT, "%zu bytes after the certificate", (size_t)(p + n - q));
    }
    *out = x;
    return ES_OK;
}

/* The next CERTIFICATE block of bio; ES_ERR_NOT_FOUND at the end of the input. */
static es_err pem_next(BIO *bio, X509 **out)
{
    unsigned long e;

    *out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (*out != NULL)
        return ES_OK;
    e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
        es__ossl_clear();
        return ES_ERR_NOT_FOUND;
    }
    return es__fail_ossl(ES_ERR_FORMAT, "cannot decode a PEM certificate");
}

es_err es_cert_parse(const uint8_t *p, size_t n, X509 **out)
{
    es_err rc;
    BIO *bio = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if ((rc = check_size(n)) != ES_OK)
        return rc;
    if (!es__is_pem(p, n)) {
        rc = parse_der(p, n, out);
    } else if ((bio = BIO_new_mem_buf(p, (int)n)) == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a BIO");
    } else if ((rc = pem_next(bio, out)) == ES_ERR_NOT_FOUND) {
        rc = es__fail(ES_ERR_FORMAT, "no certificate found in PEM input");
    }
    BIO_free(bio);
    if (rc == ES_OK && (rc = es_cert_set_sm2_id(*out, NULL, 0)) != ES_OK) {
        X509_free(*out);
        *out = NULL;
    }
    return rc;
}

es_err es_cert_read_file(const char *path, X509 **out)
{
    es_err rc;
    es_buf b = {0};

    assert(path != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_file_read(path, ES_KEY_MAX_INPUT, &b)) != ES_OK)
        return rc;
    rc = es_cert_parse(b.data, b.len, out);
    es_buf_free(&b);
    return rc;
}

/* Every CERTIFICATE block of PEM text, each with the default SM2 ID, onto sk. */
static es_err pem_all(const uint8_t *p, size_t n, STACK_OF(X509) * sk)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    X509 *x = NULL;

    if ((bio = BIO_new_mem_buf(p, (int)n)) == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a BIO");
        goto end;
    }
    while ((rc = pem_next(bio, &x)) == ES_OK) {
        if ((rc = es_cert_set_sm2_id(x, NULL, 0)) != ES_OK)
            goto end;
        if (!sk_X509_push(sk, x)) {
            rc = es__fail_ossl(ES_ERR_NOMEM, "cannot grow the certificate list");
            goto end;
        }
        x = NULL;
    }
    if (rc == ES_ERR_NOT_FOUND)
        rc = sk_X509_num(sk) > 0 ? ES_OK
                                 : es__fail(ES_ERR_FORMAT, "no certificate found in PEM input");
end:
    X509_free(x);
    BIO_free(bio);
    return rc;
}

es_err es_certs_parse(const uint8_t *p, size_t n, STACK_OF(X509) * *out)
{
    es_err rc;
    STACK_OF(X509) *sk = NULL;
    X509 *x = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if ((rc = check_size(n)) != ES_OK)
        return rc;
    if ((sk = sk_X509_new_null()) == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a certificate list");
        goto end;
    }
    if (es__is_pem(p, n)) {
        rc = pem_all(p, n, sk);
    } else if ((rc = es_cert_parse(p, n, &x)) == ES_OK) {
        if (!sk_X509_push(sk, x))
            rc = es__fail_ossl(ES_ERR_NOMEM, "cannot grow the certificate list");
        else
            x = NULL;
    }
    if (rc == ES_OK) {
        *out = sk;
        sk = NULL;
    }
end:
    X509_free(x);
    sk_X509_pop_free(sk, X509_free);
    return rc;
}

es_err es_certs_read_file(const char *path, STACK_OF(X509) * *out)
{
    es_err rc;
    es_buf b = {0};

    assert(path != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_file_read(path, ES_KEY_MAX_INPUT, &b)) != ES_OK)
        return rc;
    rc = es_certs_parse(b.data, b.len, out);
    es_buf_free(&b);
    return rc;
}

es_err es_cert_write(const X509 *cert, int pem, es_buf *out)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    unsigned char *der = NULL;
    char *data = NULL;
    long len;

    assert(cert != NULL && out != NULL);
    out->data = NULL;
    out->len = 0;
    if (!pem) {
        int dlen = i2d_X509(cert, &der);

        if (dlen <= 0)
            return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the certificate");
        rc = es_buf_set(out, der, (size_t)dlen);
        OPENSSL_free(der);
        return rc;
    }
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_X509(bio, cert)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot write the certificate");
        goto end;
    }
    len = BIO_get_mem_data(bio, &data);
    rc = es_buf_set(out, data, (size_t)len);
end:
    BIO_free(bio);
    return rc;
}
