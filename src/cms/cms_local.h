/*
 * SignedData (GM/T 0010 with SM2/SM3, RFC 5652 with RSA or ECDSA) as OFD Type="Sign" signatures
 * and PDF gm/pkcs7/pades signatures carry it: ASN.1 templates, an SM2 signer and a verifier.
 * Written with templates and EVP because OpenSSL 3.0's CMS cannot sign with SM2; the verifier
 * checks signatures over the bytes as received, never over a re-encoding.
 */
#ifndef ESEAL_CMS_LOCAL_H
#define ESEAL_CMS_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1t.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "eseal/key.h"
#include "eseal/report.h"
#include "eseal/time.h"

#define ES__OID_GM_DATA        "1.2.156.10197.6.1.4.2.1"
#define ES__OID_GM_SIGNED_DATA "1.2.156.10197.6.1.4.2.2"
#define ES__OID_PKCS7_DATA     "1.2.840.113549.1.7.1"
#define ES__OID_PKCS7_SIGNED   "1.2.840.113549.1.7.2"
#define ES__OID_SM3            "1.2.156.10197.1.401"
#define ES__OID_SM2_SIGN       "1.2.156.10197.1.301.1"

/*
 * SignerInfo ::= SEQUENCE { version INTEGER, sid SignerIdentifier (issuerAndSerialNumber, or
 *     [0] IMPLICIT SubjectKeyIdentifier: kept as ANY), digestAlgorithm AlgorithmIdentifier,
 *     signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL, signatureAlgorithm AlgorithmIdentifier,
 *     signature OCTET STRING, unsignedAttrs [1] IMPLICIT SET OF Attribute OPTIONAL }
 */
typedef struct {
    ASN1_INTEGER *version;
    ASN1_TYPE *sid;
    X509_ALGOR *digest_alg;
    STACK_OF(X509_ATTRIBUTE) * auth;
    X509_ALGOR *sig_alg;
    ASN1_OCTET_STRING *sig;
    STACK_OF(X509_ATTRIBUTE) * unauth;
} ES_CMS_SIGNER;
DEFINE_STACK_OF(ES_CMS_SIGNER)

/* EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT ANY OPTIONAL } */
typedef struct {
    ASN1_OBJECT *type;
    ASN1_TYPE *content;
} ES_CMS_CONTENT;

/*
 * SignedData ::= SEQUENCE { version INTEGER, digestAlgorithms SET OF AlgorithmIdentifier,
 *     encapContentInfo, certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
 *     crls [1] IMPLICIT SET OF ANY OPTIONAL, signerInfos SET OF SignerInfo }
 */
typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(X509_ALGOR) * md_algs;
    ES_CMS_CONTENT *content;
    STACK_OF(X509) * certs;
    STACK_OF(ASN1_TYPE) * crls;
    STACK_OF(ES_CMS_SIGNER) * signers;
} ES_CMS_SIGNED;

/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData } */
typedef struct {
    ASN1_OBJECT *type;
    ES_CMS_SIGNED *sd;
} ES_CMS;

DECLARE_ASN1_ITEM(ES_CMS_SIGNER)
DECLARE_ASN1_ITEM(ES_CMS)

/* ---- Signing (cms_sign.c; certificates' DER from crypto/cert_der.h) ---- */

/* One more signed attribute: its OID and its single value, a DER SEQUENCE. */
typedef struct es__cms_attr {
    const char *oid;
    const uint8_t *der;
    size_t n;
} es__cms_attr;

/*
 * A detached GM/T 0010 SignedData: SM3, SM2 (ID 1234567812345678), signed attributes
 * contentType (GM/T 0010 data), signingTime t, messageDigest md and extra (when not NULL); the
 * certificates cert and chain (may be NULL). DER into *out.
 */
es_err es__cms_sign_gm(const es_key *key, X509 *cert, STACK_OF(X509) * chain, const uint8_t md[32],
                       es_time t, const es__cms_attr *extra, es_buf *out);

/* ---- Verifying (cms_verify.c) ---- */

/* The signed bytes, in one or two pieces (a PDF's ByteRange), and how a report names them. */
typedef struct es__cms_data {
    const uint8_t *p[2];
    size_t n[2];
    const char *name; /* "the ByteRange bytes", "Signature.xml" */
} es__cms_data;

/* The digest md of the signed bytes (both pieces) into out; *len its length (len may be NULL). */
es_err es__cms_data_digest(const es__cms_data *d, const EVP_MD *md, uint8_t *out, unsigned *len);

/* A parsed SignedData and what the checks found of its first signer. */
typedef struct es__cms {
    ES_CMS *asn1;
    size_t len; /* of the SignedData element */
    const ES_CMS_SIGNER *si;
    X509 *cert;   /* the signer's certificate among those carried (owned by asn1) */
    int has_time; /* a readable signingTime attribute */
    es_time time;
} es__cms;

/*
 * Parse p (trailing bytes, such as the zeros of a PDF /Contents, are ignored). 1 when it is a
 * SignedData (GM/T 0010 or PKCS #7 content type); 0 otherwise, with the content type seen in
 * oid ("" when p is not a ContentInfo at all). Release c either way.
 */
int es__cms_parse(const uint8_t *p, size_t n, es__cms *c, char oid[80]);
void es__cms_release(es__cms *c);
/*
 * The first SignerInfo of c (parsed from der): "format" (a signer certificate is carried, the
 * digest is known), "signature.value" (over the signed attributes as received, or over the data
 * without them; SM2 with ID 1234567812345678, RSA or ECDSA) and "data.hash" (messageDigest).
 * Fills c->cert (NULL when the signer could not be checked), c->has_time and c->time for the
 * caller's own checks.
 */
es_err es__cms_check(es_report *r, const uint8_t *der, es__cms *c, const es__cms_data *d);

#endif
