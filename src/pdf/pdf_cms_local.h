/* The SignedData structures shared by the PDF signer and verifier (OpenSSL ASN.1 templates). */
#ifndef ESEAL_PDF_CMS_LOCAL_H
#define ESEAL_PDF_CMS_LOCAL_H

#include <openssl/asn1t.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

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
} ES_PDF_SIGNER;
DEFINE_STACK_OF(ES_PDF_SIGNER)

/* EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT ANY OPTIONAL } */
typedef struct {
    ASN1_OBJECT *type;
    ASN1_TYPE *content;
} ES_PDF_CONTENT;

/*
 * SignedData ::= SEQUENCE { version INTEGER, digestAlgorithms SET OF AlgorithmIdentifier,
 *     encapContentInfo, certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
 *     crls [1] IMPLICIT SET OF ANY OPTIONAL, signerInfos SET OF SignerInfo }
 */
typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(X509_ALGOR) * md_algs;
    ES_PDF_CONTENT *content;
    STACK_OF(X509) * certs;
    STACK_OF(ASN1_TYPE) * crls;
    STACK_OF(ES_PDF_SIGNER) * signers;
} ES_PDF_SIGNED;

/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData } */
typedef struct {
    ASN1_OBJECT *type;
    ES_PDF_SIGNED *sd;
} ES_PDF_CMS;

DECLARE_ASN1_ITEM(ES_PDF_SIGNER)
DECLARE_ASN1_ITEM(ES_PDF_CMS)

#endif
