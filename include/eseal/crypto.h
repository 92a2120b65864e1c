/* SM3, HMAC-SM3, SM4 and the authenticated key wrap, over OpenSSL 3.0. */
#ifndef ESEAL_CRYPTO_H
#define ESEAL_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ES_SM3_LEN       32
#define ES_SM4_KEY_LEN   16
#define ES_SM4_BLOCK_LEN 16

/* Fill p with n bytes from OpenSSL's CSPRNG. */
es_err es_random(void *p, size_t n);

/* ---- SM3 (GB/T 32905) ---- */

/* out = SM3(p[0..n)). */
es_err es_sm3(const void *p, size_t n, uint8_t out[ES_SM3_LEN]);

/* Streaming SM3. After es_sm3_final the context is reset and may be reused. */
typedef struct es_sm3_ctx es_sm3_ctx;
es_err es_sm3_new(es_sm3_ctx **out);
es_err es_sm3_update(es_sm3_ctx *c, const void *p, size_t n);
es_err es_sm3_final(es_sm3_ctx *c, uint8_t out[ES_SM3_LEN]);
void es_sm3_free(es_sm3_ctx *c);

/* out = HMAC-SM3(key, p) (RFC 2104 with SM3). */
es_err es_hmac_sm3(const void *key, size_t keylen, const void *p, size_t n,
                   uint8_t out[ES_SM3_LEN]);

/* ---- SM4 (GB/T 32907) ---- */

typedef enum es_sm4_mode { ES_SM4_ECB, ES_SM4_CBC, ES_SM4_CTR } es_sm4_mode;

/*
 * Encrypt or decrypt with SM4. iv is 16 bytes for CBC and CTR (the initial counter block for
 * CTR) and ignored for ECB. pad != 0 applies PKCS#7 padding in ECB and CBC; with pad == 0 the
 * input length must be a multiple of 16 (ES_ERR_ARG otherwise). CTR never pads. A bad padding on
 * decryption is ES_ERR_DECRYPT.
 */
es_err es_sm4_encrypt(es_sm4_mode mode, const uint8_t key[ES_SM4_KEY_LEN], const uint8_t *iv,
                      int pad, const void *in, size_t n, es_buf *out);
es_err es_sm4_decrypt(es_sm4_mode mode, const uint8_t key[ES_SM4_KEY_LEN], const uint8_t *iv,
                      int pad, const void *in, size_t n, es_buf *out);

/* ---- Authenticated key wrap for secrets at rest ---- */

#define ES_WRAP_KEK_LEN 32
/* Bytes a wrap adds to the plaintext: version (1) + IV (16) + tag (32). */
#define ES_WRAP_OVERHEAD (1 + 16 + 32)

/*
 * Encrypt-then-MAC with SM4-CTR and HMAC-SM3 (OpenSSL 3.0 has no SM4-GCM). The 32-byte KEK is
 * split by HMAC-SM3 into an encryption and a MAC key; aad (may be NULL/0) is authenticated but
 * not stored, so the same aad must be given to unwrap (bind a wrapped key to its owner's id).
 * Output: 0x01 || IV(16) || SM4-CTR(in) || HMAC-SM3(0x01 || IV || len64(aad) || aad || C).
 * docs/keywrap.md specifies the format.
 */
es_err es_wrap(const uint8_t kek[ES_WRAP_KEK_LEN], const void *aad, size_t aadlen, const void *in,
               size_t n, es_buf *out);

/* Reverse of es_wrap. ES_ERR_DECRYPT when the tag does not match (wrong KEK, wrong aad,
 * tampered data), ES_ERR_FORMAT when the blob is too short or of an unknown version. */
es_err es_unwrap(const uint8_t kek[ES_WRAP_KEK_LEN], const void *aad, size_t aadlen, const void *in,
                 size_t n, es_buf *out);

#ifdef __cplusplus
}
#endif
#endif
