/* SM3 (one-shot and streaming) and HMAC-SM3 over OpenSSL's EVP interfaces. */
#include <assert.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "eseal/crypto.h"
#include "eseal_local.h"

struct es_sm3_ctx {
    EVP_MD *md;
    EVP_MD_CTX *mdctx;
};

es_err es_sm3(const void *p, size_t n, uint8_t out[ES_SM3_LEN])
{
    es_err rc = ES_OK;
    EVP_MD *md = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    md = EVP_MD_fetch(NULL, "SM3", NULL);
    if (md == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM3 is not available");
        goto end;
    }
    if (EVP_Digest(p, n, out, NULL, md, NULL) != 1)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM3 failed");
end:
    EVP_MD_free(md);
    return rc;
}

es_err es_sm3_new(es_sm3_ctx **out)
{
    es_err rc = ES_OK;
    es_sm3_ctx *c = NULL;

    assert(out != NULL);
    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate an SM3 context");
        goto end;
    }
    c->md = EVP_MD_fetch(NULL, "SM3", NULL);
    c->mdctx = EVP_MD_CTX_new();
    if (c->md == NULL || c->mdctx == NULL || EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot start SM3");
        goto end;
    }
    *out = c;
    c = NULL;
end:
    es_sm3_free(c);
    return rc;
}

es_err es_sm3_update(es_sm3_ctx *c, const void *p, size_t n)
{
    assert(c != NULL && (p != NULL || n == 0));
    if (n > 0 && EVP_DigestUpdate(c->mdctx, p, n) != 1)
        return es__fail_ossl(ES_ERR_CRYPTO, "SM3 update failed");
    return ES_OK;
}

es_err es_sm3_final(es_sm3_ctx *c, uint8_t out[ES_SM3_LEN])
{
    assert(c != NULL && out != NULL);
    /* Re-initialise at once so the context is reusable, as the contract promises. */
    if (EVP_DigestFinal_ex(c->mdctx, out, NULL) != 1 ||
        EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1)
        return es__fail_ossl(ES_ERR_CRYPTO, "SM3 final failed");
    return ES_OK;
}

void es_sm3_free(es_sm3_ctx *c)
{
    if (c == NULL)
        return;
    EVP_MD_CTX_free(c->mdctx);
    EVP_MD_free(c->md);
    free(c);
}

es_err es_hmac_sm3(const void *key, size_t keylen, const void *p, size_t n, uint8_t out[ES_SM3_LEN])
{
    static const uint8_t empty[1];
    es_err rc = ES_OK;
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t outlen = 0;

    assert((key != NULL || keylen == 0) && (p != NULL || n == 0) && out != NULL);
    /* EVP_MAC_init treats a NULL key as "keep the previous key", so an empty key is non-NULL. */
    if (key == NULL)
        key = empty;
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    if (ctx == NULL || EVP_MAC_init(ctx, key, keylen, params) != 1 ||
        (n > 0 && EVP_MAC_update(ctx, p, n) != 1) ||
        EVP_MAC_final(ctx, out, &outlen, ES_SM3_LEN) != 1 || outlen != ES_SM3_LEN)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "HMAC-SM3 failed");
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}
