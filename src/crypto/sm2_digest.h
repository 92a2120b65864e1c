/* SM2 over a precomputed e = SM3(Z || M): internal, not part of the public API. */
#ifndef ESEAL_SM2_DIGEST_H
#define ESEAL_SM2_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"
#include "eseal/key.h"

/*
 * A caller that signs a large message and then checks the signature (the SES signing path: a
 * 140 KB TBS_Sign, signed then verified as a fault check) hashes it once with es__sm2_e and
 * passes e to both. es_sm2_sign / es_sm2_verify over M are the same as these over
 * es__sm2_e(M): the signatures interoperate.
 */

/* e = SM3(Z || msg), Z of k's public key and the signer ID (NULL or 0: the default ID). */
es_err es__sm2_e(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                 uint8_t e[32]);

/* ES_OK if k can make SM2 signatures (an SM2 key with its private part), else ES_ERR_ARG. */
es_err es__sm2_can_sign(const es_key *k);

/* DER signature of e (as es_sm2_sign): fast SM2 when selected, else OpenSSL. */
es_err es__sm2_sign_digest(const es_key *k, const uint8_t e[32], es_buf *sig);

/* ES_OK if sig (DER or raw r||s, as es_sm2_verify) is a signature of e under k. */
es_err es__sm2_verify_digest(const es_key *k, const uint8_t e[32], const uint8_t *sig,
                             size_t siglen);

/* The OpenSSL paths of the two (what ESEAL_SM2=openssl selects), for tests comparing both. */
es_err es__sm2_sign_digest_ossl(const es_key *k, const uint8_t e[32], es_buf *sig);
es_err es__sm2_verify_digest_ossl(const es_key *k, const uint8_t e[32], const uint8_t *sig,
                                  size_t siglen);

/* The fast paths (src/crypto/sm2/sign.c); k->sm2 must be set (with d for signing). */
es_err es__sm2_fast_sign_e(const es_key *k, const uint8_t e[32], es_buf *sig);
es_err es__sm2_fast_verify_e(const es_key *k, const uint8_t e[32], const uint8_t raw[64]);

/* The longest strict DER SM2 signature: a SEQUENCE of two INTEGERs of at most 33 bytes. */
#define ES__SM2_DER_SIG_MAX 72

/* The strict DER of raw r||s (each 32 bytes, big-endian) into der; returns its length. */
size_t es__sm2_sig_der(const uint8_t raw[64], uint8_t der[ES__SM2_DER_SIG_MAX]);

/* Z = SM3(ENTL || ID || a || b || xG || yG || x || y) of the point x||y (uncached); an ID
 * longer than 8191 bytes (ENTL is a 16-bit count of bits) is ES_ERR_ARG. */
es_err es__sm2_z_xy(const uint8_t pub_xy[64], const uint8_t *id, size_t idlen, uint8_t z[32]);

#endif
