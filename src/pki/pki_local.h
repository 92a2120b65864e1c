/* What the files of src/pki share: profile OIDs, CRL reason names, certificate helpers. */
#ifndef ESEAL_PKI_LOCAL_H
#define ESEAL_PKI_LOCAL_H

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "eseal/pki.h"

/* eseal's arc under ITU-T X.667 (a UUID OID, no registration needed); docs/pki.md. */
#define ES__OID_ARC "2.25.232003012709744419712516910680222307431"
/* Certificate profiles: ES__OID_ARC.1.<n>, n = 1 maker, 2 signer, 3 tsa, 4 log. */
#define ES__OID_PROFILES ES__OID_ARC ".1"

/* The certificatePolicies OID of profile p as a new object (caller frees), NULL on error. */
ASN1_OBJECT *es__profile_oid(es_cert_profile p);

/* RFC 5280 name of a CRL reason code ("keyCompromise"), or NULL for an unknown code. */
const char *es__crl_reason_name(int code);

/* An ASN1_TIME as seconds since the epoch. ES_ERR_FORMAT if it cannot be read. */
es_err es__time_from_asn1(const ASN1_TIME *t, es_time *out);

/*
 * Start an SM2-with-SM3 signature (sign != 0) or verification in md with key and the GM/T 0009
 * signer ID ES_SM2_DEFAULT_ID set on its key context, as every SM2 signature in eseal needs.
 */
es_err es__sm2_md_init(EVP_MD_CTX *md, EVP_PKEY *key, int sign);

/*
 * Verify a CRL's SM2 signature with the GM/T 0009 signer ID. OpenSSL 3.0 verifies CRLs with an
 * empty SM2 ID only (it has no CRL distinguishing ID), so CRLs signed as the standard says need
 * this. Returns 1 if the signature verifies, 0 otherwise (and clears OpenSSL's error queue).
 */
int es__crl_verify_sm2(X509_CRL *crl, EVP_PKEY *issuer_key);

/* ---- Certificate authority (ca.c, ca_cert.c, ca_index.c) ---- */

/* The version of the CA directory layout, the "format" line of ca.conf. */
#define ES__CA_FORMAT "1"

/* Longest path the CA builds inside its directory. */
#define ES__CA_PATH_MAX 4096

struct es_ca {
    char *dir;
    int root_only;
    char *crl_url; /* NULL: none */
    X509 *root;
    X509 *issuing; /* NULL for a root-only CA */
    es_key *key;   /* private key of the certificate that signs: issuing, or root if root_only */
};

/* The certificate that signs end-entity certificates and CRLs. */
#define ES__CA_SIGNER(ca) ((ca)->issuing != NULL ? (ca)->issuing : (ca)->root)

typedef enum es__cert_kind { ES__CERT_ROOT, ES__CERT_SUBCA, ES__CERT_EE } es__cert_kind;

/* What a certificate to be made looks like (ca_cert.c applies the profile's extensions). */
typedef struct es__cert_req {
    es__cert_kind kind;
    es_cert_profile profile; /* ES__CERT_EE only */
    const X509_NAME *subject;
    EVP_PKEY *pubkey;
    X509 *issuer; /* NULL: self-signed */
    EVP_PKEY *signkey;
    ASN1_INTEGER *serial;
    es_time not_before, not_after;
    const char *crl_url; /* ES__CERT_EE only; NULL: no CRL distribution point */
} es__cert_req;

/* Make and sign (SM2 with SM3, signer ID set) a v3 certificate. */
es_err es__ca_make_cert(const es__cert_req *req, X509 **out);

/* A random positive 128-bit serial whose DER INTEGER is exactly 16 bytes. */
es_err es__ca_new_serial(ASN1_INTEGER **out);

/* Upper-case hex of a serial ("7F01..."), as used for certs/<SERIAL>.pem and index.txt. */
es_err es__serial_hex(const ASN1_INTEGER *serial, char *buf, size_t n);

/* "<dir>/<rel>" into buf; ES_ERR_ARG when too long. */
es_err es__ca_path(const es_ca *ca, const char *rel, char *buf, size_t n);

/* A new es_ca for dir with nothing loaded. */
es_err es__ca_new(const char *dir, es_ca **out);

/* Write "<dir>/<rel>" atomically: text with mode, or cert as PEM (0644). */
es_err es__ca_write_text(const es_ca *ca, const char *rel, const char *text, unsigned mode);
es_err es__ca_write_cert(const es_ca *ca, const char *rel, const X509 *cert);

/* Serialise CA writers: flock on "<dir>/lock". es__ca_unlock(-1) is a no-op. */
es_err es__ca_lock(const es_ca *ca, int *fd);
void es__ca_unlock(int fd);

/* Append an issued certificate to index.txt (under the lock). */
es_err es__ca_index_add(es_ca *ca, const X509 *cert, es_cert_profile profile);

#endif
