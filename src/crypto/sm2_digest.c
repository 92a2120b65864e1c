/* SM2 sign and verify over a precomputed e = SM3(Z || M), fast SM2 or OpenSSL. */
#include <assert.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/key_local.h"
#include "crypto/sm2/sm2_local.h"
#include "crypto/sm2_digest.h"
#include "eseal_local.h"

/* Z without the key's cache (a key whose fast-SM2 state could not be built). */
static es_err z_uncached(const es_key *k, const uint8_t *id, size_t idlen, uint8_t z[32])
{
    uint8_t enc[80];
    size_t len = 0;

    es__sm2_id(&id, &idlen);
    if (!EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc),
                                         &len) ||
        len != 65 || enc[0] != 0x04)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot read the SM2 public point");
    return es__sm2_z_xy(enc + 1, id, idlen, z);
}

es_err es__sm2_e(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                 uint8_t e[32])
{
    es_err rc;
    uint8_t z[32];
    EVP_MD_CTX *ctx;

    assert(k != NULL && (msg != NULL || n == 0));
    if (k->alg != ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "SM2 needs an SM2 key");
    rc = k->sm2 != NULL ? es__sm2_z(k->sm2, id, idlen, z) : z_uncached(k, id, idlen, z);
    if (rc != ES_OK)
        return rc;
    /* the fast path's per-thread SM3 context saves an allocation per hash */
    if (es__sm2_fast_enabled())
        return es__sm2_digest(z, msg, n, e);
    if ((ctx = EVP_MD_CTX_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a digest context");
    if (!EVP_DigestInit_ex(ctx, EVP_sm3(), NULL) || !EVP_DigestUpdate(ctx, z, 32) ||
        (n > 0 && !EVP_DigestUpdate(ctx, msg, n)) || !EVP_DigestFinal_ex(ctx, e, NULL))
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM3 failed");
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* OpenSSL's SM2 signature provider takes the input of EVP_PKEY_sign / _verify as e itself. */
static EVP_PKEY_CTX *ossl_ctx(const es_key *k, int sign)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);

    if (c != NULL && (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) <= 0) {
        EVP_PKEY_CTX_free(c);
        c = NULL;
    }
    return c;
}

es_err es__sm2_sign_digest_ossl(const es_key *k, const uint8_t e[32], es_buf *sig)
{
    es_err rc;
    EVP_PKEY_CTX *c;
    unsigned char buf[80];
    size_t len = sizeof(buf);

    if ((c = ossl_ctx(k, 1)) == NULL)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot set up SM2 signing");
    if (EVP_PKEY_sign(c, buf, &len, e, 32) <= 0)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM2 signing failed");
    else
        rc = es_buf_set(sig, buf, len);
    EVP_PKEY_CTX_free(c);
    return rc;
}

es_err es__sm2_verify_digest_ossl(const es_key *k, const uint8_t e[32], const uint8_t *sig,
                                  size_t siglen)
{
    es_err rc;
    es_buf der = {0};
    EVP_PKEY_CTX *c = NULL;

    /* Strict DER first: raw r||s and range errors are ES_ERR_FORMAT, not "bad". */
    if ((rc = es_sm2_sig_to_der(sig, siglen, &der)) != ES_OK)
        return rc;
    if ((c = ossl_ctx(k, 0)) == NULL)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up SM2 verifying");
    else if (EVP_PKEY_verify(c, der.data, der.len, e, 32) != 1)
        rc = es__fail_ossl(ES_ERR_SIGNATURE, "SM2 signature does not verify");
    EVP_PKEY_CTX_free(c);
    es_buf_free(&der);
    return rc;
}

es_err es__sm2_sign_digest(const es_key *k, const uint8_t e[32], es_buf *sig)
{
    es_err rc;

    assert(k != NULL && e != NULL && sig != NULL);
    sig->data = NULL;
    sig->len = 0;
    if ((rc = es__sm2_can_sign(k)) != ES_OK)
        return rc;
    if (k->sm2 != NULL && k->sm2->has_private && es__sm2_fast_enabled())
        return es__sm2_fast_sign_e(k, e, sig);
    return es__sm2_sign_digest_ossl(k, e, sig);
}

es_err es__sm2_verify_digest(const es_key *k, const uint8_t e[32], const uint8_t *sig,
                             size_t siglen)
{
    es_err rc;
    uint8_t raw[64];

    assert(k != NULL && e != NULL);
    if (k->alg != ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "SM2 verification needs an SM2 key");
    if (k->sm2 == NULL || !es__sm2_fast_enabled())
        return es__sm2_verify_digest_ossl(k, e, sig, siglen);
    if ((rc = es_sm2_sig_to_raw(sig, siglen, raw)) != ES_OK)
        return rc;
    return es__sm2_fast_verify_e(k, e, raw);
}
