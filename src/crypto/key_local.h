/* What the key, signature, encryption and PKCS#12 files share: the es_key structure. */
#ifndef ESEAL_KEY_LOCAL_H
#define ESEAL_KEY_LOCAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/key.h"

/*
 * A key: for ES_KEY_SM2, pkey is always of OpenSSL key type "SM2" on the SM2 curve; for
 * ES_KEY_EC_P256 an "EC" key on prime256v1; for ES_KEY_RSA an "RSA" key.
 */
struct es_key {
    EVP_PKEY *pkey;
    int has_private;
    es_key_alg_id alg;
    struct es__sm2_key *sm2; /* fast-SM2 caches (src/crypto/sm2/keycache.c), NULL if none */
};

/*
 * Wrap pkey (taking ownership of the caller's reference, also on error): convert an EC key on
 * the SM2 curve to an "SM2" key, refuse others with ES_ERR_UNSUPPORTED (PKCS#12 stays SM2-only).
 */
es_err es__key_wrap(EVP_PKEY *pkey, es_key **out);

/* As es__key_wrap, also accepting P-256 and RSA (2048 to 16384 bits) keys. */
es_err es__key_wrap_any(EVP_PKEY *pkey, es_key **out);

/*
 * Largest password-hashing iteration count accepted from input (PBKDF2 or PKCS#12 KDF): real
 * files use 2048 to 600000; a bigger count is a way to make a parser spin.
 */
#define ES__PBE_MAX_ITER 1000000

/* ES_ERR_LIMIT if the password-based encryption or MAC algorithm alg asks for too much work. */
es_err es__pbe_check(const X509_ALGOR *alg);

/* As es__pbe_check for a bare iteration count (NULL means 1). */
es_err es__pbe_check_iter(const ASN1_INTEGER *iter);

/*
 * 1 if p should be read as PEM: it is not exactly one DER SEQUENCE and has a "-----BEGIN " line.
 */
int es__is_pem(const uint8_t *p, size_t n);

/* Build / free k->sm2, the fast-SM2 caches (src/crypto/sm2/keycache.c). */
void es__sm2_key_attach(es_key *k);
void es__sm2_key_detach(es_key *k);

/* The SM2 signer ID to use: id, or ES_SM2_DEFAULT_ID when id is NULL or idlen is 0. */
void es__sm2_id(const uint8_t **id, size_t *idlen);

#endif
