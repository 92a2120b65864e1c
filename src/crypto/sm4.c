/* SM4 in ECB, CBC and CTR mode with optional PKCS#7 padding, over EVP_CIPHER. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "eseal/crypto.h"
#include "eseal_local.h"

/* EVP takes int lengths; larger inputs are fed in pieces of this size. */
#define CHUNK_MAX (1u << 30)

static const char *mode_name(es_sm4_mode mode)
{
    switch (mode) {
    case ES_SM4_ECB:
        return "SM4-ECB";
    case ES_SM4_CBC:
        return "SM4-CBC";
    case ES_SM4_CTR:
        return "SM4-CTR";
    }
    return NULL;
}

/* Reject what the contract calls invalid before OpenSSL sees it, with the contract's codes. */
static es_err check_args(int enc, es_sm4_mode mode, const uint8_t *iv, int pad, size_t n)
{
    if (mode_name(mode) == NULL)
        return es__fail(ES_ERR_ARG, "unknown SM4 mode %d", (int)mode);
    if (mode != ES_SM4_ECB && iv == NULL)
        return es__fail(ES_ERR_ARG, "%s needs a 16-byte IV", mode_name(mode));
    if (mode == ES_SM4_CTR || (pad && enc))
        return ES_OK;
    if (!pad && n % ES_SM4_BLOCK_LEN != 0)
        return es__fail(ES_ERR_ARG, "%s without padding needs a multiple of 16 bytes, not %zu",
                        mode_name(mode), n);
    /* A padded ciphertext has at least one block; anything else cannot decrypt. */
    if (pad && (n == 0 || n % ES_SM4_BLOCK_LEN != 0))
        return es__fail(ES_ERR_DECRYPT, "padded %s ciphertext of %zu bytes is not whole blocks",
                        mode_name(mode), n);
    return ES_OK;
}

static es_err run_cipher(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *in, size_t n, uint8_t *out,
                         size_t *outlen)
{
    size_t done = 0;
    int w = 0;

    *outlen = 0;
    while (done < n) {
        int chunk = (int)(n - done > CHUNK_MAX ? CHUNK_MAX : n - done);

        if (EVP_CipherUpdate(ctx, out + *outlen, &w, in + done, chunk) != 1)
            return es__fail_ossl(ES_ERR_CRYPTO, "SM4 failed");
        *outlen += (size_t)w;
        done += (size_t)chunk;
    }
    /* With the lengths already checked, a failing final on decryption means bad padding. */
    if (EVP_CipherFinal_ex(ctx, out + *outlen, &w) != 1)
        return es__fail_ossl(enc ? ES_ERR_CRYPTO : ES_ERR_DECRYPT,
                             enc ? "SM4 failed" : "bad padding after SM4 decryption");
    *outlen += (size_t)w;
    return ES_OK;
}

static es_err sm4_crypt(int enc, es_sm4_mode mode, const uint8_t *key, const uint8_t *iv, int pad,
                        const void *in, size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    EVP_CIPHER *cipher = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;

    assert(key != NULL && (in != NULL || n == 0) && out != NULL);
    out->data = NULL;
    out->len = 0;
    if ((rc = check_args(enc, mode, iv, pad, n)) != ES_OK)
        goto end;
    if (n > SIZE_MAX - ES_SM4_BLOCK_LEN) {
        rc = es__fail(ES_ERR_LIMIT, "SM4 input of %zu bytes is too large", n);
        goto end;
    }
    cap = n + ES_SM4_BLOCK_LEN; /* room for the padding block */
    if ((buf = malloc(cap)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", cap);
        goto end;
    }
    cipher = EVP_CIPHER_fetch(NULL, mode_name(mode), NULL);
    ctx = cipher != NULL ? EVP_CIPHER_CTX_new() : NULL;
    if (ctx == NULL ||
        EVP_CipherInit_ex2(ctx, cipher, key, mode == ES_SM4_ECB ? NULL : iv, enc, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, pad != 0) != 1) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up %s", mode_name(mode));
        goto end;
    }
    if ((rc = run_cipher(ctx, enc, in, n, buf, &len)) != ES_OK)
        goto end;
    out->data = buf;
    out->len = len;
    buf = NULL;
end:
    if (buf != NULL) {
        OPENSSL_cleanse(buf, cap); /* may hold partial plaintext */
        free(buf);
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return rc;
}

es_err es_sm4_encrypt(es_sm4_mode mode, const uint8_t key[ES_SM4_KEY_LEN], const uint8_t *iv,
                      int pad, const void *in, size_t n, es_buf *out)
{
    return sm4_crypt(1, mode, key, iv, pad, in, n, out);
}

es_err es_sm4_decrypt(es_sm4_mode mode, const uint8_t key[ES_SM4_KEY_LEN], const uint8_t *iv,
                      int pad, const void *in, size_t n, es_buf *out)
{
    return sm4_crypt(0, mode, key, iv, pad, in, n, out);
}
