/* Error codes of libeseal and the detail message of the last error. */
#ifndef ESEAL_ERROR_H
#define ESEAL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every fallible function returns an es_err. ES_OK is zero; every other value is an error class.
 * The precise reason (which field, which offset, what OpenSSL said) is in es_errdetail().
 */
typedef enum es_err {
    ES_OK = 0,
    ES_ERR_NOMEM,        /* out of memory */
    ES_ERR_ARG,          /* invalid argument (bad option value, wrong kind of key, ...) */
    ES_ERR_IO,           /* a file or directory could not be read or written */
    ES_ERR_FORMAT,       /* malformed input: bad encoding, truncated, trailing garbage */
    ES_ERR_UNSUPPORTED,  /* well-formed input that eseal does not support */
    ES_ERR_LIMIT,        /* input exceeds a configured limit */
    ES_ERR_CRYPTO,       /* a cryptographic primitive failed inside OpenSSL */
    ES_ERR_SIGNATURE,    /* a signature does not verify */
    ES_ERR_DECRYPT,      /* authenticated decryption failed: wrong key or tampered data */
    ES_ERR_PASSWORD,     /* password missing or wrong */
    ES_ERR_KEY_MISMATCH, /* private key does not belong to the certificate */
    ES_ERR_NOT_FOUND,    /* a looked-up object does not exist */
    ES_ERR_EXISTS,       /* the object to create exists already */
    ES_ERR_STATE,        /* operation not allowed in the object's current state */
    ES_ERR_INTERNAL,     /* a bug in eseal */
    ES_ERR__COUNT
} es_err;

/* A short, static English description of the error class ("malformed input"). Never NULL. */
const char *es_strerror(es_err e);

/*
 * The detail of the last error returned by an eseal function in this thread, including what
 * OpenSSL's error queue said. Meaningful only right after a function returned non-ES_OK; the
 * string stays valid until the next eseal call in this thread. Never NULL (may be "").
 */
const char *es_errdetail(void);

#ifdef __cplusplus
}
#endif
#endif
