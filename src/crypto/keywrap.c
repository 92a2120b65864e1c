/* Authenticated key wrap for secrets at rest: SM4-CTR then HMAC-SM3 (docs/keywrap.md). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "eseal/crypto.h"
#include "eseal_local.h"

#define WRAP_VERSION 0x01
#define IV_LEN       ES_SM4_BLOCK_LEN
#define TAG_LEN      ES_SM3_LEN
#define HDR_LEN      (1 + IV_LEN)

/* Derivation labels, used without a terminating NUL. */
static const char label_enc[] = "eseal key-wrap v1 enc";
static const char label_mac[] = "eseal key-wrap v1 mac";

/* Split the KEK so that the cipher and the MAC never share a key. */
static es_err derive_keys(const uint8_t *kek, uint8_t enckey[ES_SM4_KEY_LEN],
                          uint8_t mackey[ES_SM3_LEN])
{
    uint8_t full[ES_SM3_LEN];
    es_err rc = es_hmac_sm3(kek, ES_WRAP_KEK_LEN, label_enc, sizeof(label_enc) - 1, full);

    if (rc == ES_OK) {
        memcpy(enckey, full, ES_SM4_KEY_LEN);
        rc = es_hmac_sm3(kek, ES_WRAP_KEK_LEN, label_mac, sizeof(label_mac) - 1, mackey);
    }
    OPENSSL_cleanse(full, sizeof(full));
    return rc;
}

/*
 * tag = HMAC-SM3(mackey, hdr || len64(aad) || aad || c). The aad length makes the boundary
 * between aad and ciphertext unambiguous. Streamed so that neither is copied.
 */
static es_err compute_tag(const uint8_t *mackey, const uint8_t *hdr, const uint8_t *aad,
                          size_t aadlen, const uint8_t *c, size_t clen, uint8_t tag[TAG_LEN])
{
    es_err rc = ES_OK;
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    uint8_t len64[8];
    size_t outlen = 0;

    for (size_t i = 0; i < sizeof(len64); i++)
        len64[i] = (uint8_t)((uint64_t)aadlen >> (56 - 8 * i));
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    if (ctx == NULL || EVP_MAC_init(ctx, mackey, ES_SM3_LEN, params) != 1 ||
        EVP_MAC_update(ctx, hdr, HDR_LEN) != 1 || EVP_MAC_update(ctx, len64, sizeof(len64)) != 1 ||
        (aadlen > 0 && EVP_MAC_update(ctx, aad, aadlen) != 1) ||
        (clen > 0 && EVP_MAC_update(ctx, c, clen) != 1) ||
        EVP_MAC_final(ctx, tag, &outlen, TAG_LEN) != 1 || outlen != TAG_LEN)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "HMAC-SM3 of the key wrap failed");
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

es_err es_wrap(const uint8_t kek[ES_WRAP_KEK_LEN], const void *aad, size_t aadlen, const void *in,
               size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    uint8_t enckey[ES_SM4_KEY_LEN] = {0}, mackey[ES_SM3_LEN] = {0};
    es_buf ct = {0};
    uint8_t *blob = NULL;

    assert(kek != NULL && out != NULL && (aad != NULL || aadlen == 0) && (in != NULL || n == 0));
    out->data = NULL;
    out->len = 0;
    if (n > SIZE_MAX - ES_WRAP_OVERHEAD) {
        rc = es__fail(ES_ERR_LIMIT, "cannot wrap %zu bytes", n);
        goto end;
    }
    if ((blob = malloc(n + ES_WRAP_OVERHEAD)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", n + ES_WRAP_OVERHEAD);
        goto end;
    }
    blob[0] = WRAP_VERSION;
    if ((rc = es_random(blob + 1, IV_LEN)) != ES_OK ||
        (rc = derive_keys(kek, enckey, mackey)) != ES_OK ||
        (rc = es_sm4_encrypt(ES_SM4_CTR, enckey, blob + 1, 0, in, n, &ct)) != ES_OK)
        goto end;
    if (n > 0)
        memcpy(blob + HDR_LEN, ct.data, n);
    if ((rc = compute_tag(mackey, blob, aad, aadlen, blob + HDR_LEN, n, blob + HDR_LEN + n)) !=
        ES_OK)
        goto end;
    out->data = blob;
    out->len = n + ES_WRAP_OVERHEAD;
    blob = NULL;
end:
    OPENSSL_cleanse(enckey, sizeof(enckey));
    OPENSSL_cleanse(mackey, sizeof(mackey));
    es_buf_free(&ct);
    free(blob); /* holds only IV and ciphertext */
    return rc;
}

es_err es_unwrap(const uint8_t kek[ES_WRAP_KEK_LEN], const void *aad, size_t aadlen, const void *in,
                 size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    const uint8_t *p = in;
    uint8_t enckey[ES_SM4_KEY_LEN] = {0}, mackey[ES_SM3_LEN] = {0}, tag[TAG_LEN] = {0};
    size_t clen = 0;

    assert(kek != NULL && out != NULL && (aad != NULL || aadlen == 0) && (in != NULL || n == 0));
    out->data = NULL;
    out->len = 0;
    if (n < ES_WRAP_OVERHEAD) {
        rc = es__fail(ES_ERR_FORMAT, "key-wrap blob of %zu bytes is shorter than %d", n,
                      ES_WRAP_OVERHEAD);
        goto end;
    }
    if (p[0] != WRAP_VERSION) {
        rc = es__fail(ES_ERR_FORMAT, "unknown key-wrap version %u", p[0]);
        goto end;
    }
    clen = n - ES_WRAP_OVERHEAD;
    if ((rc = derive_keys(kek, enckey, mackey)) != ES_OK ||
        (rc = compute_tag(mackey, p, aad, aadlen, p + HDR_LEN, clen, tag)) != ES_OK)
        goto end;
    /* Constant time, so a forger learns nothing from how long the comparison took. */
    if (CRYPTO_memcmp(tag, p + HDR_LEN + clen, TAG_LEN) != 0) {
        rc = es__fail(ES_ERR_DECRYPT, "key-wrap tag does not match: wrong KEK or aad, or the "
                                      "blob was altered");
        goto end;
    }
    rc = es_sm4_decrypt(ES_SM4_CTR, enckey, p + 1, 0, p + HDR_LEN, clen, out);
end:
    OPENSSL_cleanse(enckey, sizeof(enckey));
    OPENSSL_cleanse(mackey, sizeof(mackey));
    OPENSSL_cleanse(tag, sizeof(tag));
    return rc;
}
