/* Key custody: SM2 private keys at rest, wrapped under a key derived from the holder's PIN. */
#ifndef ESEAL_SERVER_CUSTODY_H
#define ESEAL_SERVER_CUSTODY_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"
#include "eseal/key.h"

/*
 * KEK = HMAC-SM3(secret, Argon2id(pin, salt, t, m, lanes)), where secret is derived from the
 * server master key. Neither the database (no secret) nor the master key (no PIN) alone yields
 * the KEK. The key (PKCS#8 DER) is sealed with es_wrap under the KEK, the aad binding it to its
 * owner (the seal id). Blob layout, all integers big-endian:
 *
 *   "ESK1" | t_cost (4) | m_cost KiB (4) | lanes (4) | salt (16) | es_wrap output
 *
 * Parameters are stored per blob, so stronger ones apply to new keys without breaking old ones.
 */
#define CUSTODY_SECRET_LEN 32
#define CUSTODY_SALT_LEN   16
#define CUSTODY_HEAD_LEN   (4 + 12 + CUSTODY_SALT_LEN)
#define CUSTODY_PIN_MIN    6
#define CUSTODY_PIN_MAX    64

typedef struct custody_params {
    uint32_t t_cost, m_cost_kib, lanes;
} custody_params;

/* The parameters new blobs get: Argon2id 64 MiB, 3 passes, 1 lane. */
void custody_params_default(custody_params *p);

/* Wrap key's private part under pin into *out (caller frees). */
es_err custody_wrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin,
                    const custody_params *p, const void *aad, size_t aadlen, const es_key *key,
                    es_buf *out);

/*
 * Unwrap a blob into a new key (caller frees with es_key_free, which wipes it). A wrong PIN, a
 * wrong secret, another aad or a tampered blob is ES_ERR_DECRYPT; a malformed blob or parameters
 * outside sane bounds ES_ERR_FORMAT. Every intermediate secret is wiped.
 */
es_err custody_unwrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin, const void *aad,
                      size_t aadlen, const uint8_t *blob, size_t n, es_key **out);

/* Unwrap with old_pin and wrap again with new_pin (fresh salt, default parameters). */
es_err custody_rewrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *old_pin,
                      const char *new_pin, const void *aad, size_t aadlen, const uint8_t *blob,
                      size_t n, es_buf *out);

#endif
