/* GB/T 38540 electronic seals (SESeal) and signatures (SES_Signature): parse, make, sign, verify.
 */
#ifndef ESEAL_SES_H
#define ESEAL_SES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/error.h"
#include "eseal/key.h"
#include "eseal/pki.h"
#include "eseal/report.h"
#include "eseal/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reading accepts GB/T 38540-2020 (v4), GM/T 0031-2014 (v1) and the header-version-5 layout of
 * GM/T 0031-2025 (v5), with the tolerances listed in docs/ses.md. Writing is always strict DER
 * v4. Signatures are verified over the original bytes of what was signed, never re-encoded.
 */
typedef enum es_ses_version { ES_SES_V1 = 1, ES_SES_V4 = 4, ES_SES_V5 = 5 } es_ses_version;

/* Largest SESeal or SES_Signature the parsers accept (ES_ERR_LIMIT above). */
#define ES_SES_MAX_INPUT (16u << 20)

/* SM2 with SM3 (1.2.156.10197.1.501): the algorithm eseal writes. */
#define ES_SES_OID_SM2_SM3 "1.2.156.10197.1.501"

/* certListType: the seal lists signer certificates (1) or their digests (2). */
#define ES_SES_CERTLIST_CERTS   1
#define ES_SES_CERTLIST_DIGESTS 2

/* An ExtData: read from a seal or signature (borrowed from it), or given to es_seal_make. */
typedef struct es_ext_data {
    const char *oid;      /* dotted decimal, e.g. "1.2.156.112562.1" */
    int critical;         /* 1 if marked critical */
    const uint8_t *value; /* extnValue contents */
    size_t value_len;
} es_ext_data;

/*
 * One entry of a seal's certList (borrowed from the seal). certListType 1: der/cert are the
 * signer certificate, digest fields NULL. certListType 2: digest_type is CertDigestObj.type
 * (e.g. "SM3"), digest its value, der/cert NULL.
 */
typedef struct es_seal_cert {
    const uint8_t *der;
    size_t der_len;
    X509 *cert;
    const char *digest_type;
    const uint8_t *digest;
    size_t digest_len;
} es_seal_cert;

/* ---- Seals (SESeal) ---- */

/*
 * A parsed seal: immutable after parsing; reading and verifying it from several threads is
 * safe (its certificates carry the SM2 ID from parsing, which verification leaves alone).
 */
typedef struct es_seal es_seal;

/*
 * Parse a SESeal from DER (v1, v4 or v5, detected from the structure: docs/ses.md). Bytes after
 * the outer SEQUENCE are ignored. The seal copies what it needs; p may be freed afterwards.
 * ES_ERR_FORMAT with the field and offset when malformed, ES_ERR_LIMIT above
 * ES_SES_MAX_INPUT, ES_ERR_UNSUPPORTED for an unknown certListType.
 */
es_err es_seal_parse(const uint8_t *p, size_t n, es_seal **out);
/* es_seal_parse of a file. */
es_err es_seal_read_file(const char *path, es_seal **out);
/* NULL is a no-op. */
void es_seal_free(es_seal *s);

/* The seal's own bytes (the SESeal TLV, without trailing bytes), borrowed. */
const uint8_t *es_seal_der(const es_seal *s, size_t *n);

/* Layout version, and the INTEGER in SES_Header (normally the same number). */
es_ses_version es_seal_version(const es_seal *s);
long es_seal_header_version(const es_seal *s);

/* Strings are borrowed, NUL-terminated; text fields never contain a NUL byte. */
const char *es_seal_header_id(const es_seal *s); /* "ES" */
const char *es_seal_vid(const es_seal *s);
const char *es_seal_esid(const es_seal *s);
long es_seal_type(const es_seal *s);
const char *es_seal_name(const es_seal *s); /* UTF-8 as stored (not re-validated) */

/* certListType: 1 or 2 (v1 seals have no such field: 1). */
int es_seal_cert_list_type(const es_seal *s);
size_t es_seal_ncert(const es_seal *s);
/* The i-th certList entry, or NULL when i is out of range. */
const es_seal_cert *es_seal_cert_get0(const es_seal *s, size_t i);

es_time es_seal_create_date(const es_seal *s);
es_time es_seal_valid_start(const es_seal *s);
es_time es_seal_valid_end(const es_seal *s);

/* Picture: type as stored ("PNG", "JPG", "GIF", "BMP", "SVG", "OFD", any case), bytes, size in
 * millimetres. */
const char *es_seal_picture_type(const es_seal *s);
const uint8_t *es_seal_picture(const es_seal *s, size_t *n);
long es_seal_picture_width(const es_seal *s);
long es_seal_picture_height(const es_seal *s);

size_t es_seal_next_data(const es_seal *s);
/* The i-th ExtData of SES_SealInfo, or NULL when i is out of range. */
const es_ext_data *es_seal_ext_data(const es_seal *s, size_t i);

/* The maker (制章者) certificate, borrowed; its SM2 ID is set. */
X509 *es_seal_get0_maker_cert(const es_seal *s);
/* signAlgID in dotted decimal, and the maker's signature value (BIT STRING contents). */
const char *es_seal_sig_alg(const es_seal *s);
const uint8_t *es_seal_sig_value(const es_seal *s, size_t *n);
/* v5 only: 1 if the seal carries a timeStamp, and its bytes (NULL when absent). */
int es_seal_has_timestamp(const es_seal *s);
const uint8_t *es_seal_timestamp(const es_seal *s, size_t *n);

/* ---- Signatures (SES_Signature) ---- */

typedef struct es_signature es_signature;

/*
 * Parse a SES_Signature (v1 or v4/v5 layout), including the seal it embeds. Same rules and
 * errors as es_seal_parse.
 */
es_err es_signature_parse(const uint8_t *p, size_t n, es_signature **out);
es_err es_signature_read_file(const char *path, es_signature **out);
void es_signature_free(es_signature *g);

const uint8_t *es_signature_der(const es_signature *g, size_t *n);
/* ES_SES_V1 for the two-element layout, otherwise the embedded seal's version (4 or 5). */
es_ses_version es_signature_version(const es_signature *g);
/* The INTEGER version in TBS_Sign. */
long es_signature_tbs_version(const es_signature *g);
/* The embedded seal (borrowed; lives as long as g). */
const es_seal *es_signature_get0_seal(const es_signature *g);

/*
 * The signing time (timeInfo). v4: a GeneralizedTime. v1: a time string in a BIT STRING; the
 * forms seen ("2020-10-12 11:14:03" in China time, "20201012111403Z", UTCTime) are understood.
 * has_time is 0 when it could not be interpreted; time_text is always the stored text.
 */
int es_signature_has_time(const es_signature *g);
es_time es_signature_time(const es_signature *g);
const char *es_signature_time_text(const es_signature *g);

/* dataHash (normally the 32-byte SM3 of the signed data). */
const uint8_t *es_signature_data_hash(const es_signature *g, size_t *n);
/* propertyInfo: what was signed (OFD: the path of Signature.xml). */
const char *es_signature_property(const es_signature *g);
/* The signer (签章者) certificate, borrowed; its SM2 ID is set. */
X509 *es_signature_get0_signer_cert(const es_signature *g);
const char *es_signature_sig_alg(const es_signature *g);
const uint8_t *es_signature_sig_value(const es_signature *g, size_t *n);
/* timeStamp: 1 if present, and the token's bytes (NULL when absent). */
int es_signature_has_timestamp(const es_signature *g);
const uint8_t *es_signature_timestamp(const es_signature *g, size_t *n);
/* ExtDatas of TBS_Sign (v4 only). */
size_t es_signature_next_data(const es_signature *g);
const es_ext_data *es_signature_ext_data(const es_signature *g, size_t i);

/* ---- Making a seal ---- */

typedef struct es_seal_make_opts {
    const char *vid;          /* vendor id (IA5); NULL: "eseal" */
    const char *esid;         /* seal identifier (IA5); NULL: a new random 32-hex-digit id */
    long type;                /* business-defined seal type */
    const char *name;         /* seal name, UTF-8, required */
    STACK_OF(X509) * signers; /* certificates allowed to sign with the seal, at least one */
    int cert_digests;         /* 0: certListType 1 (certificates); 1: type 2 (SM3 digests) */
    es_time create_date;      /* 0: now */
    es_time valid_start;      /* required, before valid_end */
    es_time valid_end;
    const char *picture_type; /* "PNG", "JPG", "GIF", "BMP", "SVG", "OFD"; NULL: from the bytes */
    const uint8_t *picture;   /* required */
    size_t picture_len;
    long width_mm;          /* picture size; 0: 40 */
    long height_mm;         /* 0: 40 */
    const es_ext_data *ext; /* ExtDatas to add (may be NULL) */
    size_t next;
} es_seal_make_opts;

/*
 * Make a v4 SESeal signed by maker_key and write its DER to *der (caller frees). The maker
 * certificate must carry the eseal maker profile (es_cert_get_profile == ES_PROFILE_MAKER) and
 * maker_key must be its private key. Errors: ES_ERR_ARG for a missing or invalid option or a
 * maker certificate without the maker profile (the detail says which), ES_ERR_KEY_MISMATCH.
 */
es_err es_seal_make(const es_seal_make_opts *opts, const es_key *maker_key, X509 *maker_cert,
                    es_buf *der);

/* ---- Signing ---- */

/*
 * Apply seal to data: write a v4 SES_Signature with dataHash = SM3(data), propertyInfo =
 * property (IA5; NULL means ""), timeInfo = signing_time (0: now), signed by signer_key with
 * signer_cert. Refusals, each with its own error: ES_ERR_UNSUPPORTED when the seal is not v4,
 * ES_ERR_SIGNATURE when the seal's maker signature does not verify, ES_ERR_KEY_MISMATCH when
 * signer_key is not signer_cert's, ES_ERR_ARG when signer_cert is not in the seal's certList,
 * ES_ERR_STATE when the signing time is outside the seal's validity.
 */
es_err es_seal_sign_data(const es_seal *seal, const es_key *signer_key, X509 *signer_cert,
                         const void *data, size_t n, const char *property, es_time signing_time,
                         es_buf *der);

/* As es_seal_sign_data with the SM3 hash of the data computed by the caller. */
es_err es_seal_sign_hash(const es_seal *seal, const es_key *signer_key, X509 *signer_cert,
                         const uint8_t hash[32], const char *property, es_time signing_time,
                         es_buf *der);

/* ---- Verifying ---- */

typedef struct es_ses_verify_opts {
    es_verify_opts chain; /* trust anchors (required), intermediates, CRLs, time */
    const void *data;     /* the signed data, to check dataHash (may be NULL) */
    size_t data_len;
    int has_data;             /* 1: data/data_len are given (data may be empty) */
    const uint8_t *data_hash; /* or its SM3 hash (32 bytes); NULL: none */
} es_ses_verify_opts;

/*
 * Verify a seal in the GB/T 38540 order and describe every check in a new report (caller frees):
 * format, seal.maker_signature, seal.maker_cert, seal.validity (the verification time is
 * chain.at, or now), and seal.extensions / seal.timestamp when present (docs/report.md).
 * Returns ES_OK when the verification ran, whatever its outcome; an error only when it could not
 * run (no trust anchor, no memory).
 */
es_err es_seal_verify(const es_seal *s, const es_ses_verify_opts *opts, es_report **out);

/*
 * Verify a signature: format, signature.value, signature.cert_in_seal, signature.signer_cert,
 * seal.maker_signature, seal.maker_cert, signature.time_in_seal_validity, signature.timestamp
 * (when present), data.hash (skipped when neither data nor data_hash is given), and
 * seal.extensions / signature.extensions when present. Chains are verified at chain.at, or now.
 */
es_err es_signature_verify(const es_signature *g, const es_ses_verify_opts *opts, es_report **out);

/*
 * Verify DER input that may be a seal or a signature (detected from the structure): parse and
 * verify. Malformed input is not an error here: the report has a failed "format" check with the
 * parser's detail. The report's info "object" says "seal" or "signature".
 */
es_err es_ses_verify(const uint8_t *p, size_t n, const es_ses_verify_opts *opts, es_report **out);

/* Which object DER input holds: 1 seal, 2 signature; ES_ERR_FORMAT when neither. */
#define ES_SES_OBJ_SEAL      1
#define ES_SES_OBJ_SIGNATURE 2
es_err es_ses_detect(const uint8_t *p, size_t n, int *kind);

/*
 * Show every field of a seal or signature (a signature includes its seal), as a JSON object
 * (docs/ses.md lists the members) or as indented "name: value" text that is safe to print on a
 * terminal. The picture appears as type, size and SM3 hash, not its bytes (es_seal_picture gives
 * those). Free *out with es_free.
 */
es_err es_seal_to_json(const es_seal *s, char **out);
es_err es_seal_to_text(const es_seal *s, char **out);
es_err es_signature_to_json(const es_signature *g, char **out);
es_err es_signature_to_text(const es_signature *g, char **out);

#ifdef __cplusplus
}
#endif
#endif
