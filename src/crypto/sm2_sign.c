/* SM2-with-SM3 signatures (GB/T 32918.2) and their DER / raw r||s encodings. */
#include <assert.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/key_local.h"
#include "crypto/sm2/sm2_local.h"
#include "crypto/sm2_digest.h"
#include "eseal_local.h"

/* The order n of the SM2 curve (GB/T 32918.5); r and s must lie in [1, n-1]. */
static const uint8_t sm2_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23,
};

#define RAW_SIG_LEN 64
/* DER SEQUENCE of two INTEGERs of at most 33 bytes each: 2 + 2 * (2 + 33). */
#define DER_SIG_MAX 72

static es_err check_range(const BIGNUM *v, const char *name)
{
    es_err rc = ES_OK;
    BIGNUM *n = BN_bin2bn(sm2_order, sizeof(sm2_order), NULL);

    if (n == NULL)
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a number");
    else if (BN_is_zero(v) || BN_is_negative(v) || BN_cmp(v, n) >= 0)
        rc = es__fail(ES_ERR_FORMAT, "signature %s is not in [1, n-1]", name);
    BN_free(n);
    return rc;
}

/* Strict DER: what d2i_ECDSA_SIG reads, using every byte, and re-encoding to the same bytes. */
static ECDSA_SIG *parse_der(const uint8_t *sig, size_t n)
{
    const unsigned char *p = sig;
    ECDSA_SIG *s = NULL;
    unsigned char *der = NULL;
    int len;

    if (n > DER_SIG_MAX + 8)
        return NULL;
    s = d2i_ECDSA_SIG(NULL, &p, (long)n);
    if (s == NULL || p != sig + n)
        goto bad;
    len = i2d_ECDSA_SIG(s, &der);
    if (len < 0 || (size_t)len != n || memcmp(der, sig, n) != 0)
        goto bad;
    OPENSSL_free(der);
    return s;
bad:
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    es__ossl_clear();
    return NULL;
}

static es_err parse_raw(const uint8_t *sig, ECDSA_SIG **out)
{
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    ECDSA_SIG *es = ECDSA_SIG_new();

    if (r == NULL || s == NULL || es == NULL || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a signature");
    }
    *out = es;
    return ES_OK;
}

/* Decode either accepted encoding and check the range of r and s. */
static es_err sig_decode(const uint8_t *sig, size_t n, ECDSA_SIG **out)
{
    es_err rc = ES_OK;
    ECDSA_SIG *s = NULL;

    *out = NULL;
    if (sig == NULL || n == 0)
        return es__fail(ES_ERR_FORMAT, "empty signature");
    s = parse_der(sig, n);
    if (s == NULL && n != RAW_SIG_LEN)
        return es__fail(ES_ERR_FORMAT, "signature of %zu bytes is neither DER nor raw r||s", n);
    if (s == NULL && (rc = parse_raw(sig, &s)) != ES_OK)
        return rc;
    if ((rc = check_range(ECDSA_SIG_get0_r(s), "r")) != ES_OK ||
        (rc = check_range(ECDSA_SIG_get0_s(s), "s")) != ES_OK) {
        ECDSA_SIG_free(s);
        return rc;
    }
    *out = s;
    return ES_OK;
}

es_err es_sm2_sig_to_der(const uint8_t *sig, size_t n, es_buf *der)
{
    es_err rc;
    ECDSA_SIG *s = NULL;
    unsigned char *p = NULL;
    int len;

    assert(der != NULL);
    der->data = NULL;
    der->len = 0;
    if ((rc = sig_decode(sig, n, &s)) != ES_OK)
        return rc;
    len = i2d_ECDSA_SIG(s, &p);
    if (len <= 0)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the signature");
    else
        rc = es_buf_set(der, p, (size_t)len);
    OPENSSL_free(p);
    ECDSA_SIG_free(s);
    return rc;
}

es_err es_sm2_sig_to_raw(const uint8_t *sig, size_t n, uint8_t raw[64])
{
    es_err rc;
    ECDSA_SIG *s = NULL;

    assert(raw != NULL);
    if ((rc = sig_decode(sig, n, &s)) != ES_OK)
        return rc;
    if (BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + 32, 32) != 32)
        rc = es__fail_ossl(ES_ERR_INTERNAL, "cannot encode r||s");
    ECDSA_SIG_free(s);
    return rc;
}

/* Start an SM3 sign or verify on mctx with the SM2 signer ID (OpenSSL's default is empty). */
static es_err init_ctx(EVP_MD_CTX *mctx, const es_key *k, int sign, const uint8_t *id, size_t idlen)
{
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    es__sm2_id(&id, &idlen);
    if (sign)
        ok = EVP_DigestSignInit_ex(mctx, &pctx, "SM3", NULL, NULL, k->pkey, NULL);
    else
        ok = EVP_DigestVerifyInit_ex(mctx, &pctx, "SM3", NULL, NULL, k->pkey, NULL);
    /* The ID must be set after init: the provider only accepts it before Z is computed. */
    if (ok <= 0 || EVP_PKEY_CTX_set1_id(pctx, id, idlen) <= 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot set up SM2 %s", sign ? "signing" : "verifying");
    return ES_OK;
}

es_err es__sm2_can_sign(const es_key *k)
{
    if (k->alg != ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "SM2 signing needs an SM2 key");
    if (!k->has_private)
        return es__fail(ES_ERR_ARG, "signing needs a private key");
    return ES_OK;
}

es_err es_sm2_sign(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                   es_buf *sig)
{
    es_err rc;
    EVP_MD_CTX *mctx = NULL;
    unsigned char buf[DER_SIG_MAX];
    size_t len = sizeof(buf);

    assert(k != NULL && sig != NULL && (msg != NULL || n == 0));
    sig->data = NULL;
    sig->len = 0;
    if ((rc = es__sm2_can_sign(k)) != ES_OK)
        return rc;
    if (k->sm2 != NULL && k->sm2->has_private && es__sm2_fast_enabled())
        return es__sm2_fast_sign(k, id, idlen, msg, n, sig);
    if ((mctx = EVP_MD_CTX_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a digest context");
    if ((rc = init_ctx(mctx, k, 1, id, idlen)) != ES_OK)
        goto end;
    if (EVP_DigestSign(mctx, buf, &len, msg != NULL ? msg : "", n) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM2 signing failed");
        goto end;
    }
    rc = es_buf_set(sig, buf, len);
end:
    EVP_MD_CTX_free(mctx);
    return rc;
}

es_err es_sm2_verify(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                     const uint8_t *sig, size_t siglen)
{
    es_err rc;
    es_buf der = {0};
    EVP_MD_CTX *mctx = NULL;

    assert(k != NULL && (msg != NULL || n == 0));
    if (k->alg != ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "SM2 verification needs an SM2 key");
    if (k->sm2 != NULL && es__sm2_fast_enabled()) {
        uint8_t raw[RAW_SIG_LEN];

        if ((rc = es_sm2_sig_to_raw(sig, siglen, raw)) != ES_OK)
            return rc;
        return es__sm2_fast_verify(k, id, idlen, msg, n, raw);
    }
    /* Normalise to strict DER first: raw r||s and range errors are ES_ERR_FORMAT, not "bad". */
    if ((rc = es_sm2_sig_to_der(sig, siglen, &der)) != ES_OK)
        return rc;
    if ((mctx = EVP_MD_CTX_new()) == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a digest context");
        goto end;
    }
    if ((rc = init_ctx(mctx, k, 0, id, idlen)) != ES_OK)
        goto end;
    if (EVP_DigestVerify(mctx, der.data, der.len, msg != NULL ? msg : "", n) != 1)
        rc = es__fail_ossl(ES_ERR_SIGNATURE, "SM2 signature does not verify");
end:
    EVP_MD_CTX_free(mctx);
    es_buf_free(&der);
    return rc;
}
