/* What the files of src/ses share: the ASN.1 types, the TLV walker, the seal and signature. */
#ifndef ESEAL_SES_LOCAL_H
#define ESEAL_SES_LOCAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>

#include "eseal/ses.h"
#include "util/der.h"
#include "util/hex.h" /* es__hex */
#include "util/sb.h"

/* ---- ASN.1 types (ses_asn1.c has the definitions above each template) ---- */

typedef struct ES_SES_HEADER {
    ASN1_IA5STRING *id;
    ASN1_INTEGER *version;
    ASN1_IA5STRING *vid;
} ES_SES_HEADER;

typedef struct ES_SES_EXTDATA {
    ASN1_OBJECT *id;
    ASN1_BOOLEAN critical;
    ASN1_OCTET_STRING *value;
} ES_SES_EXTDATA;
DEFINE_STACK_OF(ES_SES_EXTDATA)

typedef struct ES_SES_CERTDIGEST {
    ASN1_STRING *type;
    ASN1_OCTET_STRING *value;
} ES_SES_CERTDIGEST;

typedef struct ES_SES_PROPERTY {
    ASN1_INTEGER *type;
    ASN1_UTF8STRING *name;
    ASN1_INTEGER *cert_list_type; /* absent in v1 */
    STACK_OF(ASN1_TYPE) * cert_list;
    ASN1_TIME *create;
    ASN1_TIME *start;
    ASN1_TIME *end;
} ES_SES_PROPERTY;

typedef struct ES_SES_PICTURE {
    ASN1_IA5STRING *type;
    ASN1_OCTET_STRING *data;
    ASN1_INTEGER *width;
    ASN1_INTEGER *height;
} ES_SES_PICTURE;

typedef struct ES_SES_SEALINFO {
    ES_SES_HEADER *header;
    ASN1_IA5STRING *esid;
    ES_SES_PROPERTY *property;
    ES_SES_PICTURE *picture;
    STACK_OF(ES_SES_EXTDATA) * ext;  /* untagged: what the standard says and eseal writes */
    STACK_OF(ES_SES_EXTDATA) * ext0; /* [0] EXPLICIT: read only */
} ES_SES_SEALINFO;

typedef struct ES_SESEAL_V4 {
    ES_SES_SEALINFO *info;
    ASN1_OCTET_STRING *cert;
    ASN1_OBJECT *alg;
    ASN1_BIT_STRING *sig;
    ASN1_TYPE *ts;           /* v5: timeStamp [0] EXPLICIT */
    ASN1_BIT_STRING *ts_raw; /* v5: timeStamp untagged (read only) */
} ES_SESEAL_V4;

typedef struct ES_SES_SIGNINFO {
    ASN1_OCTET_STRING *cert;
    ASN1_OBJECT *alg;
    ASN1_BIT_STRING *sig;
} ES_SES_SIGNINFO;

typedef struct ES_SESEAL_V1 {
    ES_SES_SEALINFO *info;
    ES_SES_SIGNINFO *sign;
} ES_SESEAL_V1;

typedef struct ES_TBS_SIGN_V4 {
    ASN1_INTEGER *version;
    ASN1_TYPE *eseal; /* the seal's original bytes, parsed separately */
    ASN1_TIME *time;
    ASN1_BIT_STRING *hash;
    ASN1_IA5STRING *property;
    STACK_OF(ES_SES_EXTDATA) * ext0; /* [0] EXPLICIT: what eseal writes */
    STACK_OF(ES_SES_EXTDATA) * ext;  /* untagged: read only */
} ES_TBS_SIGN_V4;

typedef struct ES_SES_SIGNATURE_V4 {
    ES_TBS_SIGN_V4 *tbs;
    ASN1_OCTET_STRING *cert;
    ASN1_OBJECT *alg;
    ASN1_BIT_STRING *sig;
    ASN1_TYPE *ts;           /* [0] EXPLICIT */
    ASN1_BIT_STRING *ts_raw; /* untagged (read only) */
} ES_SES_SIGNATURE_V4;

typedef struct ES_TBS_SIGN_V1 {
    ASN1_INTEGER *version;
    ASN1_TYPE *eseal;
    ASN1_TYPE *time; /* BIT STRING holding a time string; OCTET STRING or a time tolerated */
    ASN1_TYPE *hash; /* BIT STRING; OCTET STRING tolerated */
    ASN1_IA5STRING *property;
    ASN1_OCTET_STRING *cert;
    ASN1_OBJECT *alg;
} ES_TBS_SIGN_V1;

typedef struct ES_SES_SIGNATURE_V1 {
    ES_TBS_SIGN_V1 *tbs;
    ASN1_BIT_STRING *sig;
} ES_SES_SIGNATURE_V1;

DECLARE_ASN1_FUNCTIONS(ES_SES_HEADER)
DECLARE_ASN1_FUNCTIONS(ES_SES_EXTDATA)
DECLARE_ASN1_FUNCTIONS(ES_SES_CERTDIGEST)
DECLARE_ASN1_FUNCTIONS(ES_SES_PROPERTY)
DECLARE_ASN1_FUNCTIONS(ES_SES_PICTURE)
DECLARE_ASN1_FUNCTIONS(ES_SES_SEALINFO)
DECLARE_ASN1_FUNCTIONS(ES_SESEAL_V4)
DECLARE_ASN1_FUNCTIONS(ES_SES_SIGNINFO)
DECLARE_ASN1_FUNCTIONS(ES_SESEAL_V1)
DECLARE_ASN1_FUNCTIONS(ES_TBS_SIGN_V4)
DECLARE_ASN1_FUNCTIONS(ES_SES_SIGNATURE_V4)
DECLARE_ASN1_FUNCTIONS(ES_TBS_SIGN_V1)
DECLARE_ASN1_FUNCTIONS(ES_SES_SIGNATURE_V1)

/* ---- TLV walker (ses_detect.c) ---- */

/* One TLV found in the input: offsets are from the start of the caller's whole input. */
typedef struct es__tlv {
    size_t off;  /* offset of the identifier octet; 0 with tag 0 means absent */
    size_t hlen; /* identifier + length octets */
    size_t len;  /* content length */
    uint8_t tag;
} es__tlv;

#define ES__TLV_END(t)     ((t).off + (t).hlen + (t).len)
#define ES__TLV_CONTENT(t) ((t).off + (t).hlen)
#define ES__TLV_SIZE(t)    ((t).hlen + (t).len)

/* An expected field: up to four accepted identifier octets (0-terminated), optional or not. */
typedef struct es__field {
    const char *name;
    uint8_t tags[4];
    int optional;
} es__field;

/*
 * Read the TLV at p[off..end) (definite lengths only, low tag numbers only); field names it in
 * errors ("SES_SealInfo.esID at offset 29: ...").
 */
es_err es__tlv_read(const uint8_t *p, size_t off, size_t end, const char *field, es__tlv *out);

/*
 * Match the children of the constructed TLV t, in order, against nf fields; out[i] receives
 * field i (tag 0 when an optional field is absent). Extra or missing children and unexpected
 * tags are ES_ERR_FORMAT naming what.field and the offset.
 */
es_err es__tlv_match(const uint8_t *p, const es__tlv *t, const char *what, const es__field *f,
                     size_t nf, es__tlv *out);

/* How many children the constructed TLV t has (checking each one's bounds). */
es_err es__tlv_count(const uint8_t *p, const es__tlv *t, const char *what, size_t *count);

/* Where the parts of a SESeal lie (v1: cert, alg and sig inside SES_SignInfo). */
typedef struct es__seal_layout {
    es_ses_version version;
    long header_version;
    es__tlv all, info, cert, alg, sig, ts;
    es__tlv certlist; /* SES_ESPropertyInfo.certList, for per-entry offsets */
} es__seal_layout;

/* Walk the SESeal at p[off..end) (end may extend past it: trailing bytes), detect its version
 * from the element count and the header, and check its skeleton field by field. */
es_err es__seal_layout_read(const uint8_t *p, size_t off, size_t end, es__seal_layout *out);

typedef struct es__sig_layout {
    int v1;
    es__tlv all, tbs, eseal, time, cert, alg, sig, ts;
} es__sig_layout;

es_err es__sig_layout_read(const uint8_t *p, size_t n, es__sig_layout *out);

/* ---- v4 SES_Signature writer (sig_der.c) ---- */

/* Longest DER SM2 signature value: SEQUENCE of two INTEGERs of at most 33 bytes. */
#define ES__SIG_DER_MAX 72

/* A v4 SES_Signature being written: TBS_Sign first (to be hashed in place), then the rest. */
typedef struct es__sigw {
    uint8_t *buf;            /* the encoding (malloc), its outer header room before tbs_off */
    size_t tbs_off, tbs_len; /* the TBS_Sign TLV in buf */
    int moved;               /* es__sigw_finish moved the bytes (a shorter outer header) */
    unsigned char *cert, *prop;
    size_t cert_len;
    int prop_len;
    uint8_t time[24], hash[40], alg[16];
    size_t time_len, hash_len, alg_len;
} es__sigw;

/* Encode the seal's bytes (as is), the signing time, the data hash and the property into
 * TBS_Sign { 4, ... } at w->buf + w->tbs_off. es__sigw_free afterwards in all cases. */
es_err es__sigw_begin(es__sigw *w, const uint8_t *seal, size_t seal_len, X509 *cert,
                      const uint8_t hash[32], const char *prop, es_time when);
/* Add cert, SM2-with-SM3 and the signature value; out takes the buffer (tbs_off updated). */
es_err es__sigw_finish(es__sigw *w, const uint8_t *sig, size_t siglen, es_buf *out);
void es__sigw_free(es__sigw *w);

/* SEQUENCE { parts... } of original TLVs, as the v1 maker signature covers. */
es_err es__der_sequence(const uint8_t *p, const es__tlv *parts, size_t nparts, es_buf *out);

/* ---- Field conversions (ses_conv.c) ---- */

/* A list of ExtDatas owned by a seal or signature (oid strings and values are heap copies). */
typedef struct es__ext {
    es_ext_data *v;
    size_t n;
} es__ext;

es_err es__str_get(const ASN1_STRING *s, const char *field, char **out);
es_err es__int_get(const ASN1_INTEGER *i, const char *field, long *out);
es_err es__time_get(const ASN1_TIME *t, const char *field, es_time *out);
/* BIT STRING contents; unused bits other than 0 are ES_ERR_FORMAT (nothing here is bits). */
es_err es__bits_get(const ASN1_BIT_STRING *b, const char *field, es_buf *out);
es_err es__oid_get(const ASN1_OBJECT *o, char **out);
es_err es__cert_get(const ASN1_OCTET_STRING *der, const char *field, X509 **out);
/* The bytes of a timeStamp: [0] EXPLICIT (BIT or OCTET STRING contents, else its encoding) or
 * untagged BIT STRING. Sets *has to 0 when both are absent. */
es_err es__ts_get(const ASN1_TYPE *ts, const ASN1_BIT_STRING *raw, int *has, es_buf *out);
es_err es__ext_get(const STACK_OF(ES_SES_EXTDATA) * a, const STACK_OF(ES_SES_EXTDATA) * b,
                   es__ext *out);
void es__ext_free(es__ext *e);

/* Setters for writing: strict DER values. */
es_err es__bits_set(ASN1_BIT_STRING **b, const uint8_t *p, size_t n);
es_err es__time_set(es_time t, ASN1_TIME **out);
es_err es__ia5_set(const char *s, const char *field, ASN1_IA5STRING **out);
es_err es__ext_put(const es_ext_data *ext, size_t n, STACK_OF(ES_SES_EXTDATA) * *out);
/* OBJ of SM2-with-SM3 (new object), or NULL. */
ASN1_OBJECT *es__oid_sm2_sm3(void);
/* 1 if oid names an SM2 signature algorithm eseal verifies (SM2 with SM3, or SM2-1). */
int es__alg_is_sm2(const char *oid);

/* The v1 signing time: interpret the stored bytes (docs/ses.md). */
es_err es__v1_time(const uint8_t *p, size_t n, int *has, es_time *t, char **text);

/* ---- The parsed objects ---- */

struct es_seal {
    es_buf der;      /* the SESeal TLV */
    size_t trailing; /* bytes after it in the parsed input */
    es_ses_version version;
    long header_version, type, width, height;
    int cert_list_type;
    char *header_id, *vid, *esid, *name, *pic_type, *sig_alg;
    es_time create, start, end;
    es_buf picture;
    es_seal_cert *certs;
    size_t ncert;
    es__ext ext;
    X509 *maker;
    es_buf sig;
    int has_ts;
    es_buf ts;
    es_buf tbs; /* exactly the bytes the maker signed */
    /* 1 once the maker signature has verified (never reset; the seal is immutable after
     * parsing): signing with one seal from many threads verifies it once. */
    atomic_int maker_ok;
    /* 2^32 | the CRC-32 of der once es__seal_crc32 has computed it, else 0 (the same rule) */
    atomic_uint_least64_t crc;
};

struct es_signature {
    es_buf der;
    size_t trailing;
    es_ses_version version;
    long tbs_version;
    es_seal *seal;
    int has_time;
    es_time time;
    char *time_text;
    es_buf hash;
    char *property;
    X509 *signer;
    char *sig_alg;
    es_buf sig;
    int has_ts;
    es_buf ts;
    es__ext ext;
    es_buf tbs; /* the TBS_Sign TLV as stored: what the signer signed */
};

/* Parse the SESeal at p[off..end) of a larger input (offsets in errors are p's). */
es_err es__seal_parse_at(const uint8_t *p, size_t off, size_t end, es_seal **out);

/* ---- Checks (ses_check.c) ---- */

/* *found = 1 if cert is in the seal's certList (byte-equal, or its digest for type 2); buf
 * receives which entry matched or why none did. Errors only when the check could not run. */
es_err es__seal_lists_cert(const es_seal *s, X509 *cert, int *found, char *buf, size_t buflen);
/* The same for a certificate's DER (n bytes); buf may be NULL when the answer alone matters. */
es_err es__seal_lists_der(const es_seal *s, const uint8_t *der, size_t n, int *found, char *buf,
                          size_t buflen);

/* Verify the maker's signature over the original bytes: ES_OK, or the failure with detail. */
es_err es__seal_check_maker_sig(const es_seal *s);

/* The refusals of es_seal_sign_hash (seal version, maker signature, key and certificate, certList,
 * validity at t) without signing: callers that sign later (PDF) check before they write. */
es_err es__seal_check_signer(const es_seal *s, const es_key *k, X509 *cert, es_time t);

/* Add seal.maker_signature and seal.maker_cert for s. */
es_err es__seal_checks(es_report *r, const es_seal *s, const es_verify_opts *vo);

/* Verify cert's chain with vo and add the outcome as check `name`; extra (may be NULL) is one
 * more problem of cert that makes the check fail. */
es_err es__chain_check(es_report *r, const char *name, X509 *cert, const es_verify_opts *vo,
                       const char *extra);

/* Add `name` describing extDatas (nothing when there are none). */
es_err es__ext_report(es_report *r, const char *name, const es__ext *e);

/* One-line subject of cert into buf; a time as ISO 8601 (or a note when out of range). */
void es__subject(X509 *cert, char *buf, size_t n);
void es__time_text(es_time t, char iso[ES_TIME_STRLEN]);
/* "v4 (GB/T 38540-2020)", ... */
const char *es__version_name(es_ses_version v);

/* ---- Shared by the report and show writers (report_json.c; strings in util/sb.h) ---- */

/* A JSON string literal of p[0..n): escapes, invalid UTF-8 as U+FFFD. */
void es__sb_json(es__sb *s, const char *p, size_t n);
/* Text for a terminal: control characters and invalid UTF-8 as '?'. */
void es__sb_term(es__sb *s, const char *p, size_t n);
/* 1 if p[0..n) is well-formed UTF-8 (RFC 3629). */
int es__utf8_valid(const char *p, size_t n);

#endif
