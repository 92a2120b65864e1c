/* SM2 public-key encryption (GB/T 32918.4) with SM3, GM/T 0009 DER C1C3C2 ciphertexts. */
#include <assert.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/key_local.h"
#include "eseal_local.h"

/* Largest plaintext or ciphertext accepted: SM2 encryption is for keys and short secrets. */
#define SM2_ENC_MAX (1u << 20)

es_err es_sm2_encrypt(const es_key *pub, const void *in, size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;

    assert(pub != NULL && out != NULL && (in != NULL || n == 0));
    out->data = NULL;
    out->len = 0;
    if (n == 0)
        return es__fail(ES_ERR_ARG, "SM2 cannot encrypt an empty message");
    if (n > SM2_ENC_MAX)
        return es__fail(ES_ERR_LIMIT, "plaintext of %zu bytes exceeds the limit", n);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) <= 0 ||
        EVP_PKEY_encrypt(ctx, NULL, &len, in, n) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up SM2 encryption");
        goto end;
    }
    if ((buf = OPENSSL_malloc(len)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", len);
        goto end;
    }
    if (EVP_PKEY_encrypt(ctx, buf, &len, in, n) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "SM2 encryption failed");
        goto end;
    }
    rc = es_buf_set(out, buf, len);
end:
    OPENSSL_free(buf);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

es_err es_sm2_decrypt(const es_key *priv, const uint8_t *in, size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0;

    assert(priv != NULL && out != NULL && (in != NULL || n == 0));
    out->data = NULL;
    out->len = 0;
    if (!priv->has_private)
        return es__fail(ES_ERR_ARG, "decryption needs a private key");
    if (n > SM2_ENC_MAX)
        return es__fail(ES_ERR_LIMIT, "ciphertext of %zu bytes exceeds the limit", n);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up SM2 decryption");
        goto end;
    }
    /* The size query parses the ciphertext: failing here means it is malformed or foreign. */
    if (n == 0 || EVP_PKEY_decrypt(ctx, NULL, &cap, in, n) <= 0) {
        rc = es__fail_ossl(ES_ERR_DECRYPT, "malformed SM2 ciphertext");
        goto end;
    }
    if ((buf = OPENSSL_malloc(cap > 0 ? cap : 1)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", cap);
        goto end;
    }
    len = cap;
    if (EVP_PKEY_decrypt(ctx, buf, &len, in, n) <= 0) {
        rc = es__fail_ossl(ES_ERR_DECRYPT, "SM2 decryption failed (wrong key or tampered data)");
        goto end;
    }
    rc = es_buf_set(out, buf, len);
end:
    OPENSSL_clear_free(buf, cap);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}
