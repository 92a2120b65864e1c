/* CRLs: parsing (PEM bundle or DER), writing, reason codes, and SM2 signatures with the ID. */
#include <assert.h>
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

/* Largest CRL file accepted: national CAs publish CRLs of tens of megabytes. */
#define CRL_MAX_INPUT (64u << 20)

/* RFC 5280 5.3.1 CRLReason; 7 is not used. */
static const char *const reasons[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};

const char *es__crl_reason_name(int code)
{
    if (code < 0 || (size_t)code >= ES__ARRAY_LEN(reasons))
        return NULL;
    return reasons[code];
}

es_err es_crl_reason_from_name(const char *name, int *out)
{
    assert(name != NULL && out != NULL);
    for (size_t i = 0; i < ES__ARRAY_LEN(reasons); i++) {
        if (reasons[i] != NULL && strcmp(reasons[i], name) == 0) {
            *out = (int)i;
            return ES_OK;
        }
    }
    return es__fail(ES_ERR_ARG, "unknown CRL reason \"%s\" (RFC 5280 names, e.g. keyCompromise)",
                    name);
}

/* Every CRL of a PEM bundle; text around the blocks is ignored. */
static es_err parse_pem(const uint8_t *p, size_t n, STACK_OF(X509_CRL) * crls)
{
    es_err rc = ES_OK;
    BIO *bio = BIO_new_mem_buf(p, (int)n);
    X509_CRL *crl;

    if (bio == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot read CRLs");
    while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_CRL_push(crls, crl)) {
            X509_CRL_free(crl);
            rc = es__fail(ES_ERR_NOMEM, "cannot collect CRLs");
            goto end;
        }
    }
    /* The loop ends at the end of the input (no more BEGIN lines) or at a broken block. */
    if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE ||
        sk_X509_CRL_num(crls) == 0) {
        rc = es__fail_ossl(ES_ERR_FORMAT, "malformed PEM CRL (after %d good ones)",
                           sk_X509_CRL_num(crls));
        goto end;
    }
    es__ossl_clear();
end:
    BIO_free(bio);
    return rc;
}

static es_err parse_der(const uint8_t *p, size_t n, STACK_OF(X509_CRL) * crls)
{
    es_err rc = ES_OK;
    const unsigned char *cur = p;
    X509_CRL *crl = d2i_X509_CRL(NULL, &cur, (long)n);

    if (crl == NULL) {
        rc = es__fail_ossl(ES_ERR_FORMAT, "malformed DER CRL");
        goto end;
    }
    if (cur != p + n) {
        rc = es__fail(ES_ERR_FORMAT, "%zu bytes of trailing data after the CRL",
                      (size_t)(p + n - cur));
        goto end;
    }
    if (!sk_X509_CRL_push(crls, crl)) {
        rc = es__fail(ES_ERR_NOMEM, "cannot collect CRLs");
        goto end;
    }
    crl = NULL; /* the list owns it */
end:
    X509_CRL_free(crl);
    return rc;
}

/* PEM if a BEGIN line appears anywhere (bundles often start with text). */
static int looks_like_pem(const uint8_t *p, size_t n)
{
    static const char begin[] = "-----BEGIN ";
    const size_t m = sizeof(begin) - 1;

    for (size_t i = 0; i + m <= n; i++) {
        if (p[i] == '-' && memcmp(p + i, begin, m) == 0)
            return 1;
    }
    return 0;
}

es_err es_crls_parse(const uint8_t *p, size_t n, STACK_OF(X509_CRL) * *out)
{
    es_err rc = ES_OK;
    STACK_OF(X509_CRL) *crls = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if (n == 0)
        return es__fail(ES_ERR_FORMAT, "empty CRL input");
    if (n > CRL_MAX_INPUT || n > INT_MAX)
        return es__fail(ES_ERR_LIMIT, "CRL input larger than %u bytes", CRL_MAX_INPUT);
    crls = sk_X509_CRL_new_null();
    if (crls == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a CRL list");
        goto end;
    }
    rc = looks_like_pem(p, n) ? parse_pem(p, n, crls) : parse_der(p, n, crls);
    if (rc != ES_OK)
        goto end;
    *out = crls;
    crls = NULL;
end:
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    return rc;
}

es_err es_crls_read_file(const char *path, STACK_OF(X509_CRL) * *out)
{
    es_buf b = {0};
    es_err rc;

    assert(path != NULL && out != NULL);
    *out = NULL;
    rc = es_file_read(path, CRL_MAX_INPUT, &b);
    if (rc == ES_OK)
        rc = es_crls_parse(b.data, b.len, out);
    es_buf_free(&b);
    return rc;
}

es_err es_crl_write(const X509_CRL *crl, int pem, es_buf *out)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    char *data = NULL;
    long len;

    assert(crl != NULL && out != NULL);
    out->data = NULL;
    out->len = 0;
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || (pem ? PEM_write_bio_X509_CRL(bio, crl) : i2d_X509_CRL_bio(bio, crl)) != 1) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the CRL");
        goto end;
    }
    len = BIO_get_mem_data(bio, &data);
    rc = es_buf_set(out, data, (size_t)len);
end:
    BIO_free(bio);
    return rc;
}

/* The TBSCertList exactly as encoded: the first element of the outer SEQUENCE. */
static int tbs_span(const unsigned char *der, long n, const unsigned char **tbs, long *tbslen)
{
    const unsigned char *p = der;
    long len;
    int tag, cls;

    if (ASN1_get_object(&p, &len, &tag, &cls, n) & 0x80 || tag != V_ASN1_SEQUENCE)
        return 0;
    *tbs = p;
    if (ASN1_get_object(&p, &len, &tag, &cls, n - (p - der)) & 0x80 || tag != V_ASN1_SEQUENCE)
        return 0;
    *tbslen = (long)(p - *tbs) + len;
    return 1;
}

int es__crl_verify_sm2(X509_CRL *crl, EVP_PKEY *issuer_key)
{
    unsigned char *der = NULL;
    const unsigned char *tbs;
    const ASN1_BIT_STRING *sig;
    EVP_MD_CTX *md = NULL;
    long tbslen;
    int n, ok = 0;

    assert(crl != NULL && issuer_key != NULL);
    if (X509_CRL_get_signature_nid(crl) != NID_SM2_with_SM3)
        goto end;
    /* A parsed CRL keeps its TBSCertList encoding, so i2d gives back the signed bytes. */
    n = i2d_X509_CRL(crl, &der);
    if (n <= 0 || !tbs_span(der, n, &tbs, &tbslen))
        goto end;
    X509_CRL_get0_signature(crl, &sig, NULL);
    md = EVP_MD_CTX_new();
    if (md == NULL || es__sm2_md_init(md, issuer_key, 0) != ES_OK)
        goto end;
    ok = EVP_DigestVerify(md, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), tbs,
                          (size_t)tbslen) == 1;
end:
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    es__ossl_clear();
    return ok;
}
