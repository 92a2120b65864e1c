/* Certificate authority (root + issuing CA), CRLs, and certificate chain verification. */
#ifndef ESEAL_PKI_H
#define ESEAL_PKI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/error.h"
#include "eseal/key.h"
#include "eseal/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Distinguished names ---- */

/*
 * Parse a subject: "CN=张三,O=Example,C=CN" (RFC 4514 order as written, '\' escapes ',' '+'
 * '\' '=' and spaces) or OpenSSL's "/CN=张三/O=Example". Values are UTF-8; they are stored as
 * UTF8String except countryName (PrintableString, two letters). Unknown attribute names,
 * empty values and malformed escapes are ES_ERR_FORMAT with the offending attribute.
 */
es_err es_name_parse(const char *s, X509_NAME **out);

/* Format a name as a one-line UTF-8 string ("CN=张三, O=Example, C=CN"); free with es_free. */
es_err es_name_format(const X509_NAME *name, char **out);

/* ---- Chain verification ---- */

typedef enum es_verdict {
    ES_VALID = 0,
    ES_INVALID,      /* a check failed */
    ES_INDETERMINATE /* nothing failed, but something could not be checked (unknown root, no CRL) */
} es_verdict;

/* "valid", "invalid", "indeterminate". */
const char *es_verdict_name(es_verdict v);

typedef struct es_verify_opts {
    STACK_OF(X509) * trust;     /* trust anchors (required, at least one) */
    STACK_OF(X509) * untrusted; /* intermediate certificates (may be NULL) */
    STACK_OF(X509_CRL) * crls;  /* CRLs (may be NULL: revocation then "not checked") */
    es_time at;                 /* verification time */
    int has_at;                 /* 0: verify at the current time */
} es_verify_opts;

/* One problem found in the chain. */
typedef struct es_cert_problem {
    int depth;           /* 0 = the leaf, 1 = its issuer, ... */
    int x509_error;      /* OpenSSL's X509_V_ERR_* code, for programs */
    const char *subject; /* one-line subject of the certificate concerned */
    const char *message; /* what is wrong, e.g. "keyUsage lacks keyCertSign" or
                            "expired at 2022-04-21T14:39:08Z" */
    int indeterminate;   /* 1 if this problem makes the verdict indeterminate, not invalid */
} es_cert_problem;

typedef struct es_cert_report es_cert_report;

/*
 * Verify leaf's chain at opts->at: signatures (SM2 with the ID set on every certificate),
 * validity periods, basicConstraints and keyUsage of every CA (keyCertSign, cRLSign for CRLs),
 * path length, and revocation against opts->crls: the leaf's issuer must have a CRL in the list
 * (else indeterminate); a CA certificate is checked when its issuer's CRL is in the list.
 * Every problem is collected, each named once (docs/pki.md lists the messages and verdicts).
 * Returns ES_OK when the verification ran; the verdict is in the report. Errors only when it
 * could not run (no trust anchor, no memory).
 */
es_err es_cert_verify(X509 *leaf, const es_verify_opts *opts, es_cert_report **out);

es_verdict es_cert_report_verdict(const es_cert_report *r);
size_t es_cert_report_nproblems(const es_cert_report *r);
const es_cert_problem *es_cert_report_problem(const es_cert_report *r, size_t i);
/* 1 if CRLs were given, none that was needed was missing, stale or broken, and the chain
 * reached a trust anchor (CA certificates whose issuer's CRL was not given are not checked). */
int es_cert_report_revocation_checked(const es_cert_report *r);
/* The chain that was built, leaf first (borrowed; may be partial when building failed). */
STACK_OF(X509) * es_cert_report_get0_chain(const es_cert_report *r);
void es_cert_report_free(es_cert_report *r);

/* ---- Certificate authority ---- */

typedef enum es_cert_profile {
    ES_PROFILE_MAKER,  /* seal maker (制章者): signs SESeals */
    ES_PROFILE_SIGNER, /* person or organisation applying seals (签章人) */
    ES_PROFILE_TSA,    /* timestamp authority: EKU timeStamping, critical */
    ES_PROFILE_LOG     /* signs evidence-log checkpoints */
} es_cert_profile;

/* "maker" <-> ES_PROFILE_MAKER, ... ES_ERR_ARG for an unknown name. */
es_err es_cert_profile_from_name(const char *name, es_cert_profile *out);
const char *es_cert_profile_name(es_cert_profile p);

/*
 * Which eseal profile a certificate carries (by its certificatePolicies OID, docs/pki.md).
 * ES_ERR_NOT_FOUND when it carries none.
 */
es_err es_cert_get_profile(const X509 *cert, es_cert_profile *out);

typedef struct es_ca es_ca;

typedef struct es_ca_init_opts {
    const char *subject;         /* root subject, required */
    const char *issuing_subject; /* issuing CA subject; NULL: root subject with " Issuing CA"
                                    appended to its CN */
    int root_only;               /* 1: no issuing CA, the root issues end-entity certificates */
    int years;                   /* root validity (issuing CA: the same); 0 means 20 */
    const char *crl_url;         /* CRL distribution point put in issued certificates; NULL:
                                    none */
} es_ca_init_opts;

/*
 * Create a CA in dir (created if missing; must be empty otherwise: ES_ERR_EXISTS). Keys are
 * SM2, stored as encrypted PKCS#8 under pass (required, non-empty) with mode 0600. Leaves
 * dir/root.pem and, unless root_only, dir/issuing.pem.
 */
es_err es_ca_init(const char *dir, const es_ca_init_opts *opts, const char *pass, es_ca **out);

/* Open an existing CA; a wrong pass is ES_ERR_PASSWORD. */
es_err es_ca_open(const char *dir, const char *pass, es_ca **out);
void es_ca_free(es_ca *ca);

/* The root, and the certificate that signs end-entity certificates and CRLs (borrowed). */
X509 *es_ca_get0_root(const es_ca *ca);
X509 *es_ca_get0_issuer(const es_ca *ca);

typedef struct es_ca_issue_opts {
    es_cert_profile profile;
    const char *subject;  /* required */
    const es_key *pubkey; /* the subject's (public) key, required */
    int days;             /* validity; 0 means 365 (maker, tsa, log: 1825) */
    es_time not_before;   /* 0: now */
} es_ca_issue_opts;

/*
 * Issue an end-entity certificate with a random 128-bit serial, record it in the CA index, and
 * return it. The validity is cut to the issuer's. Serialised with other CA writers by a lock.
 */
es_err es_ca_issue(es_ca *ca, const es_ca_issue_opts *opts, X509 **out);

/*
 * The certificates between an end-entity certificate and the root (the issuing CA), for
 * bundling beside an issued certificate. Empty for a root-only CA. Caller frees with
 * sk_X509_pop_free(chain, X509_free).
 */
es_err es_ca_chain(const es_ca *ca, STACK_OF(X509) * *out);

/*
 * Revoke a certificate this CA issued, with a CRL reason code (RFC 5280: 0 unspecified,
 * 1 keyCompromise, ..., 5 cessationOfOperation) at time when (0: now). ES_ERR_NOT_FOUND for a
 * certificate the CA did not issue, ES_ERR_STATE when it is already revoked.
 */
es_err es_ca_revoke(es_ca *ca, const X509 *cert, int reason, es_time when);

/* Reason names as in RFC 5280 ("keyCompromise", ...) <-> codes. */
es_err es_crl_reason_from_name(const char *name, int *out);

/* A fresh CRL of the issuing CA listing every revoked certificate; nextUpdate after days
 * (0 means 7). The CRL number increases with each call. */
es_err es_ca_crl(es_ca *ca, int days, X509_CRL **out);

/* Parse CRLs (PEM bundle or one DER) and write one as PEM. */
es_err es_crls_parse(const uint8_t *p, size_t n, STACK_OF(X509_CRL) * *out);
es_err es_crls_read_file(const char *path, STACK_OF(X509_CRL) * *out);
es_err es_crl_write(const X509_CRL *crl, int pem, es_buf *out);

#ifdef __cplusplus
}
#endif
#endif
