/* SM2-with-SM3 signatures (GB/T 32918.2) and their DER / raw r||s encodings. */
#include <assert.h>
#include <string.h>

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
#define DER_SIG_MAX ES__SM2_DER_SIG_MAX
/*
 * Longest input read as DER. Up to it every strict DER length is in short form (contents of at
 * most 78 bytes), so a long-form length is never minimal and never accepted; INTEGERs longer
 * than 33 bytes are still DER, and rejected for their range.
 */
#define DER_READ_MAX (DER_SIG_MAX + 8)

/*
 * One INTEGER at *p: its magnitude (the value without a sign-padding zero) in *v, *vn bytes.
 * 0 unless it is strict DER: short-form length, not empty, not negative, and a leading zero
 * only where the next byte has its top bit set (minimal). A lone zero byte is 0, kept for the
 * range check to refuse.
 */
static int der_int(const uint8_t **p, const uint8_t *end, const uint8_t **v, size_t *vn)
{
    const uint8_t *q = *p;
    size_t len;

    if (end - q < 2 || q[0] != 0x02 || (len = q[1]) == 0 || len >= 0x80 ||
        (size_t)(end - q - 2) < len)
        return 0;
    q += 2;
    if ((q[0] & 0x80) != 0) /* negative */
        return 0;
    if (q[0] == 0 && len > 1) {
        if ((q[1] & 0x80) == 0) /* a zero the sign did not need */
            return 0;
        q++;
        len--;
    }
    *v = q;
    *vn = len;
    *p = q + len;
    return 1;
}

/*
 * Strict DER SEQUENCE { INTEGER r, INTEGER s } using every byte: the magnitudes of r and s in v
 * and vn, untouched otherwise (64 bytes are then read raw). It accepts what OpenSSL's
 * d2i_ECDSA_SIG reads and i2d_ECDSA_SIG gives back unchanged, which it replaced (a BIGNUM round
 * trip, 0.75 us); tests/crypto/test_sm2_sig.c compares the two.
 */
static int parse_der(const uint8_t *sig, size_t n, const uint8_t *v[2], size_t vn[2])
{
    const uint8_t *p, *r, *s;
    size_t rn, sn;

    if (n < 2 || n > DER_READ_MAX || sig[0] != 0x30 || sig[1] != n - 2)
        return 0;
    p = sig + 2;
    if (!der_int(&p, sig + n, &r, &rn) || !der_int(&p, sig + n, &s, &sn) || p != sig + n)
        return 0;
    v[0] = r;
    vn[0] = rn;
    v[1] = s;
    vn[1] = sn;
    return 1;
}

/* A magnitude of vn bytes as 32 big-endian bytes, if it lies in [1, n-1]. */
static es_err scalar(const uint8_t *v, size_t vn, uint8_t out[32], const char *name)
{
    static const uint8_t zero[32];

    if (vn <= 32) {
        memset(out, 0, 32 - vn);
        memcpy(out + 32 - vn, v, vn);
    }
    if (vn > 32 || memcmp(out, zero, 32) == 0 || memcmp(out, sm2_order, 32) >= 0)
        return es__fail(ES_ERR_FORMAT, "signature %s is not in [1, n-1]", name);
    return ES_OK;
}

/* Decode either accepted encoding into raw r||s, r and s in range; raw is untouched on error. */
static es_err sig_decode(const uint8_t *sig, size_t n, uint8_t raw[RAW_SIG_LEN])
{
    es_err rc;
    const uint8_t *v[2];
    size_t vn[2];
    uint8_t rs[RAW_SIG_LEN];

    if (sig == NULL || n == 0)
        return es__fail(ES_ERR_FORMAT, "empty signature");
    /* a 64-byte input that is strict DER is read as DER only, as before */
    if (!parse_der(sig, n, v, vn)) {
        if (n != RAW_SIG_LEN)
            return es__fail(ES_ERR_FORMAT, "signature of %zu bytes is neither DER nor raw r||s", n);
        v[0] = sig;
        v[1] = sig + 32;
        vn[0] = vn[1] = 32;
    }
    if ((rc = scalar(v[0], vn[0], rs, "r")) != ES_OK ||
        (rc = scalar(v[1], vn[1], rs + 32, "s")) != ES_OK)
        return rc;
    memcpy(raw, rs, RAW_SIG_LEN);
    return ES_OK;
}

/* DER INTEGER of a 32-byte positive value, minimal; returns the bytes written (at most 35). */
static size_t der_put_int(uint8_t *out, const uint8_t v[32])
{
    size_t skip = 0, pad;

    while (skip < 31 && v[skip] == 0)
        skip++;
    pad = (v[skip] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(32 - skip + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v + skip, 32 - skip);
    return 2 + pad + 32 - skip;
}

/* Also the fast signer's encoder (sm2/sign.c). */
size_t es__sm2_sig_der(const uint8_t raw[RAW_SIG_LEN], uint8_t der[DER_SIG_MAX])
{
    size_t len = der_put_int(der + 2, raw);

    len += der_put_int(der + 2 + len, raw + 32);
    der[0] = 0x30;
    der[1] = (uint8_t)len;
    return len + 2;
}

es_err es_sm2_sig_to_der(const uint8_t *sig, size_t n, es_buf *der)
{
    es_err rc;
    uint8_t raw[RAW_SIG_LEN], buf[DER_SIG_MAX];

    assert(der != NULL);
    der->data = NULL;
    der->len = 0;
    if ((rc = sig_decode(sig, n, raw)) != ES_OK)
        return rc;
    return es_buf_set(der, buf, es__sm2_sig_der(raw, buf));
}

es_err es_sm2_sig_to_raw(const uint8_t *sig, size_t n, uint8_t raw[64])
{
    assert(raw != NULL);
    return sig_decode(sig, n, raw);
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
    EVP_MD_CTX *mctx = NULL;
    uint8_t raw[RAW_SIG_LEN], der[DER_SIG_MAX];
    size_t len;

    assert(k != NULL && (msg != NULL || n == 0));
    if (k->alg != ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "SM2 verification needs an SM2 key");
    /* Decoded first: raw r||s and range errors are ES_ERR_FORMAT, not "bad". */
    if ((rc = sig_decode(sig, siglen, raw)) != ES_OK)
        return rc;
    if (k->sm2 != NULL && es__sm2_fast_enabled())
        return es__sm2_fast_verify(k, id, idlen, msg, n, raw);
    len = es__sm2_sig_der(raw, der);
    if ((mctx = EVP_MD_CTX_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a digest context");
    if ((rc = init_ctx(mctx, k, 0, id, idlen)) != ES_OK)
        goto end;
    if (EVP_DigestVerify(mctx, der, len, msg != NULL ? msg : "", n) != 1)
        rc = es__fail_ossl(ES_ERR_SIGNATURE, "SM2 signature does not verify");
end:
    EVP_MD_CTX_free(mctx);
    return rc;
}
