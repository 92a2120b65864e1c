/* Keys (SM2, ECDSA P-256, RSA): generation, PEM/DER/PKCS#8/PKCS#12 I/O; SM2 signatures and
 * encryption. */
#ifndef ESEAL_KEY_H
#define ESEAL_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The signer ID used everywhere in this field (GM/T 0009); OpenSSL's default is empty. */
#define ES_SM2_DEFAULT_ID     "1234567812345678"
#define ES_SM2_DEFAULT_ID_LEN 16

/* Largest key, certificate or PKCS#12 file the parsers accept. */
#define ES_KEY_MAX_INPUT (1u << 20)

/*
 * A key pair or public key: SM2, ECDSA on NIST P-256, or RSA (2048 to 16384 bits). Opaque;
 * private material is wiped when freed. An es_key is immutable after creation and may be shared
 * between threads for signing and verifying. The es_sm2_* functions take SM2 keys only; P-256
 * and RSA keys are for PAdES signatures (eseal/pdf.h) and certificates.
 */
typedef struct es_key es_key;

/* The algorithm of a key. */
typedef enum es_key_alg_id {
    ES_KEY_SM2 = 0,
    ES_KEY_EC_P256, /* ECDSA on prime256v1 (secp256r1) */
    ES_KEY_RSA      /* RSA; es_key_generate makes 3072-bit keys */
} es_key_alg_id;

/* Generate a new SM2 key pair. */
es_err es_key_generate_sm2(es_key **out);

/* Generate a new key pair of alg (RSA: 3072 bits). ES_ERR_ARG for an unknown alg. */
es_err es_key_generate(es_key_alg_id alg, es_key **out);

/* The algorithm of k. */
es_key_alg_id es_key_alg(const es_key *k);

/*
 * Parse a private or public key from PEM or DER: PKCS#8 (PRIVATE KEY), encrypted PKCS#8
 * (ENCRYPTED PRIVATE KEY, needs pass), SEC1 (EC PRIVATE KEY or OpenSSL's SM2 PRIVATE KEY label)
 * on the SM2 or P-256 curve, SubjectPublicKeyInfo (PUBLIC KEY), for SM2, P-256 and RSA keys (RSA
 * as PKCS#8 or SPKI; PKCS#1 "RSA PRIVATE KEY" is not read). An encrypted key without pass, or with
 * the wrong one, is ES_ERR_PASSWORD. Other curves (secp384r1, brainpool...), RSA keys under 2048
 * or over 16384 bits and other algorithms (Ed25519, DSA...) are ES_ERR_UNSUPPORTED.
 */
es_err es_key_parse(const uint8_t *p, size_t n, const char *pass, es_key **out);

/* es_key_parse of a file (at most ES_KEY_MAX_INPUT bytes). */
es_err es_key_read_file(const char *path, const char *pass, es_key **out);

typedef enum es_key_format {
    ES_KEY_PKCS8_PEM, /* PRIVATE KEY, or ENCRYPTED PRIVATE KEY with a password */
    ES_KEY_PKCS8_DER,
    ES_KEY_SEC1_PEM, /* EC PRIVATE KEY (no password allowed) */
    ES_KEY_SEC1_DER
} es_key_format;

/*
 * Write the private key. With pass (PKCS#8 formats only) the key is encrypted as PKCS#8 PBES2:
 * SM4-CBC, PBKDF2-HMAC-SHA256 (OpenSSL 3.0 has no hmacWithSM3 PRF), random salt, high iteration
 * count. ES_ERR_ARG for a public-only key, a password with SEC1, or SEC1 for an RSA key.
 */
es_err es_key_write_private(const es_key *k, es_key_format fmt, const char *pass, es_buf *out);

/* Write the public key as SubjectPublicKeyInfo, PEM (pem != 0) or DER. */
es_err es_key_write_public(const es_key *k, int pem, es_buf *out);

/* 1 if k holds a private key. */
int es_key_has_private(const es_key *k);

/* Borrow the OpenSSL key (valid while k lives). */
EVP_PKEY *es_key_get0_pkey(const es_key *k);

/* Wrap an OpenSSL key (takes a new reference; pkey stays the caller's): SM2, P-256 or RSA as
 * es_key_parse accepts them, others ES_ERR_UNSUPPORTED. */
es_err es_key_from_pkey(EVP_PKEY *pkey, es_key **out);

/* The public key of cert as an es_key (as es_key_from_pkey). */
es_err es_key_from_cert(const X509 *cert, es_key **out);

/* ES_OK if k's public key is cert's, ES_ERR_KEY_MISMATCH otherwise. */
es_err es_key_match_cert(const es_key *k, const X509 *cert);

/* Free k and wipe its private part. NULL is a no-op. */
void es_key_free(es_key *k);

/* ---- SM2 signatures (GB/T 32918.2, SM2 with SM3); a non-SM2 key is ES_ERR_ARG ---- */

/*
 * Sign msg with SM2-with-SM3: e = SM3(Z || msg), Z from id (NULL/0 means ES_SM2_DEFAULT_ID).
 * The signature is written as DER SEQUENCE { r INTEGER, s INTEGER }.
 */
es_err es_sm2_sign(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                   es_buf *sig);

/*
 * Verify an SM2 signature on msg. sig may be DER SEQUENCE{r,s} or raw 64-byte r||s.
 * ES_OK: valid. ES_ERR_SIGNATURE: well-formed but does not verify. ES_ERR_FORMAT: sig is
 * neither encoding (or r, s out of range).
 */
es_err es_sm2_verify(const es_key *k, const uint8_t *id, size_t idlen, const void *msg, size_t n,
                     const uint8_t *sig, size_t siglen);

/* Convert a signature in either accepted encoding to strict DER SEQUENCE{r,s}. */
es_err es_sm2_sig_to_der(const uint8_t *sig, size_t n, es_buf *der);

/* Convert a signature in either accepted encoding to raw 64-byte r||s. */
es_err es_sm2_sig_to_raw(const uint8_t *sig, size_t n, uint8_t raw[64]);

/*
 * SM2 public-key encryption (GB/T 32918.4) with SM3. The ciphertext is the GM/T 0009 DER
 * SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING(32), ciphertext OCTET STRING } (C1C3C2).
 * Decrypting a tampered or foreign ciphertext is ES_ERR_DECRYPT.
 */
es_err es_sm2_encrypt(const es_key *pub, const void *in, size_t n, es_buf *out);
es_err es_sm2_decrypt(const es_key *priv, const uint8_t *in, size_t n, es_buf *out);

/* ---- Certificates and PKCS#12 ---- */

/*
 * Parse one certificate, PEM or DER. Sets the SM2 distinguishing ID ES_SM2_DEFAULT_ID on an
 * SM2 certificate so that OpenSSL can verify signatures made by it.
 */
es_err es_cert_parse(const uint8_t *p, size_t n, X509 **out);
es_err es_cert_read_file(const char *path, X509 **out);

/* Parse every certificate of a PEM bundle (or one DER certificate). Empty input is an error. */
es_err es_certs_parse(const uint8_t *p, size_t n, STACK_OF(X509) * *out);
es_err es_certs_read_file(const char *path, STACK_OF(X509) * *out);

/* Write a certificate as PEM (pem != 0) or DER. */
es_err es_cert_write(const X509 *cert, int pem, es_buf *out);

/* Set the SM2 ID on a certificate with an SM2 key or an SM2-with-SM3 signature (NULL/0:
 * default); no-op for others. */
es_err es_cert_set_sm2_id(X509 *cert, const uint8_t *id, size_t idlen);

/*
 * Parse a PKCS#12 file with pass, including legacy RC2/3DES bags (the legacy provider is loaded
 * on first use). key and cert receive the first key and its matching certificate; ca (may be
 * NULL) the remaining certificates. A wrong password is ES_ERR_PASSWORD. SM2 keys only: a
 * PKCS#12 with another key is ES_ERR_UNSUPPORTED.
 */
es_err es_p12_parse(const uint8_t *p, size_t n, const char *pass, es_key **key, X509 **cert,
                    STACK_OF(X509) * *ca);

#ifdef __cplusplus
}
#endif
#endif
