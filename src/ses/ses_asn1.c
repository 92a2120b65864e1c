/* OpenSSL ASN.1 templates of GB/T 38540 (v4, v5) and GM/T 0031-2014 (v1) seals and signatures. */
#include <openssl/asn1t.h>

#include "ses/ses_local.h"

/*
 * One template per structure, used both to read (with the tolerances of docs/ses.md: untagged
 * or [0] EXPLICIT optional fields, UTCTime or GeneralizedTime, an optional certListType) and to
 * write strict DER. What is signed is never re-encoded from these: the parsers keep the
 * original TLV bytes (ses_detect.c) and the embedded seal of a signature is an ANY that holds
 * the seal's exact bytes.
 *
 * clang-format cannot lay out OpenSSL's template macros, so it is off for the rest of the file.
 */

/* clang-format off */

/* SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER, Vid IA5String } */
ASN1_SEQUENCE(ES_SES_HEADER) = {
    ASN1_SIMPLE(ES_SES_HEADER, id, ASN1_IA5STRING),
    ASN1_SIMPLE(ES_SES_HEADER, version, ASN1_INTEGER),
    ASN1_SIMPLE(ES_SES_HEADER, vid, ASN1_IA5STRING),
} ASN1_SEQUENCE_END(ES_SES_HEADER)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_HEADER)

/*
 * ExtData ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
 *                        extnValue OCTET STRING }
 * FBOOLEAN: an explicit FALSE is read, and FALSE is omitted when writing (DER).
 */
ASN1_SEQUENCE(ES_SES_EXTDATA) = {
    ASN1_SIMPLE(ES_SES_EXTDATA, id, ASN1_OBJECT),
    ASN1_OPT(ES_SES_EXTDATA, critical, ASN1_FBOOLEAN),
    ASN1_SIMPLE(ES_SES_EXTDATA, value, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ES_SES_EXTDATA)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_EXTDATA)

/* CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
 * (type read as any printable string type; eseal writes a PrintableString "SM3") */
ASN1_SEQUENCE(ES_SES_CERTDIGEST) = {
    ASN1_SIMPLE(ES_SES_CERTDIGEST, type, ASN1_PRINTABLE),
    ASN1_SIMPLE(ES_SES_CERTDIGEST, value, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ES_SES_CERTDIGEST)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_CERTDIGEST)

/*
 * SES_ESPropertyInfo ::= SEQUENCE {
 *     type INTEGER, name UTF8String,
 *     certListType INTEGER,          -- v4 only: 1 certificates, 2 digests
 *     certList SES_CertList,         -- SEQUENCE OF OCTET STRING | SEQUENCE OF CertDigestObj
 *     createDate GeneralizedTime, validStart GeneralizedTime, validEnd GeneralizedTime }
 * certList is read element by element as ANY and interpreted by certListType, not by tag;
 * the dates are read as UTCTime or GeneralizedTime (v1 uses UTCTime) and written Generalized.
 */
ASN1_SEQUENCE(ES_SES_PROPERTY) = {
    ASN1_SIMPLE(ES_SES_PROPERTY, type, ASN1_INTEGER),
    ASN1_SIMPLE(ES_SES_PROPERTY, name, ASN1_UTF8STRING),
    ASN1_OPT(ES_SES_PROPERTY, cert_list_type, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(ES_SES_PROPERTY, cert_list, ASN1_ANY),
    ASN1_SIMPLE(ES_SES_PROPERTY, create, ASN1_TIME),
    ASN1_SIMPLE(ES_SES_PROPERTY, start, ASN1_TIME),
    ASN1_SIMPLE(ES_SES_PROPERTY, end, ASN1_TIME),
} ASN1_SEQUENCE_END(ES_SES_PROPERTY)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_PROPERTY)

/* SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING,
 *                                  width INTEGER, height INTEGER }   -- millimetres */
ASN1_SEQUENCE(ES_SES_PICTURE) = {
    ASN1_SIMPLE(ES_SES_PICTURE, type, ASN1_IA5STRING),
    ASN1_SIMPLE(ES_SES_PICTURE, data, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ES_SES_PICTURE, width, ASN1_INTEGER),
    ASN1_SIMPLE(ES_SES_PICTURE, height, ASN1_INTEGER),
} ASN1_SEQUENCE_END(ES_SES_PICTURE)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_PICTURE)

/*
 * SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
 *                             picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
 * ExtensionDatas ::= SEQUENCE OF ExtData
 * extDatas is untagged in the standard and in real files; a [0] EXPLICIT form is also read.
 */
ASN1_SEQUENCE(ES_SES_SEALINFO) = {
    ASN1_SIMPLE(ES_SES_SEALINFO, header, ES_SES_HEADER),
    ASN1_SIMPLE(ES_SES_SEALINFO, esid, ASN1_IA5STRING),
    ASN1_SIMPLE(ES_SES_SEALINFO, property, ES_SES_PROPERTY),
    ASN1_SIMPLE(ES_SES_SEALINFO, picture, ES_SES_PICTURE),
    ASN1_SEQUENCE_OF_OPT(ES_SES_SEALINFO, ext, ES_SES_EXTDATA),
    ASN1_EXP_SEQUENCE_OF_OPT(ES_SES_SEALINFO, ext0, ES_SES_EXTDATA, 0),
} ASN1_SEQUENCE_END(ES_SES_SEALINFO)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_SEALINFO)

/*
 * SESeal ::= SEQUENCE {                         -- GB/T 38540-2020 (v4), GM/T 0031-2025 (v5)
 *     eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OBJECT IDENTIFIER,
 *     signedValue BIT STRING,
 *     timeStamp [0] EXPLICIT BIT STRING OPTIONAL }  -- v5 only; an untagged one is also read
 */
ASN1_SEQUENCE(ES_SESEAL_V4) = {
    ASN1_SIMPLE(ES_SESEAL_V4, info, ES_SES_SEALINFO),
    ASN1_SIMPLE(ES_SESEAL_V4, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ES_SESEAL_V4, alg, ASN1_OBJECT),
    ASN1_SIMPLE(ES_SESEAL_V4, sig, ASN1_BIT_STRING),
    ASN1_EXP_OPT(ES_SESEAL_V4, ts, ASN1_ANY, 0),
    ASN1_OPT(ES_SESEAL_V4, ts_raw, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ES_SESEAL_V4)
IMPLEMENT_ASN1_FUNCTIONS(ES_SESEAL_V4)

/* SES_SignInfo ::= SEQUENCE { cert OCTET STRING, signatureAlgorithm OBJECT IDENTIFIER,
 *                             signData BIT STRING }                  -- GM/T 0031-2014 */
ASN1_SEQUENCE(ES_SES_SIGNINFO) = {
    ASN1_SIMPLE(ES_SES_SIGNINFO, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ES_SES_SIGNINFO, alg, ASN1_OBJECT),
    ASN1_SIMPLE(ES_SES_SIGNINFO, sig, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ES_SES_SIGNINFO)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_SIGNINFO)

/* SESeal ::= SEQUENCE { esealInfo SES_SealInfo, signInfo SES_SignInfo }  -- GM/T 0031-2014 */
ASN1_SEQUENCE(ES_SESEAL_V1) = {
    ASN1_SIMPLE(ES_SESEAL_V1, info, ES_SES_SEALINFO),
    ASN1_SIMPLE(ES_SESEAL_V1, sign, ES_SES_SIGNINFO),
} ASN1_SEQUENCE_END(ES_SESEAL_V1)
IMPLEMENT_ASN1_FUNCTIONS(ES_SESEAL_V1)

/*
 * TBS_Sign ::= SEQUENCE {                       -- GB/T 38540-2020
 *     version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
 *     propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
 * eseal is read as ANY: its bytes are parsed (and verified) as a seal of their own. An
 * untagged extDatas is also read.
 */
ASN1_SEQUENCE(ES_TBS_SIGN_V4) = {
    ASN1_SIMPLE(ES_TBS_SIGN_V4, version, ASN1_INTEGER),
    ASN1_SIMPLE(ES_TBS_SIGN_V4, eseal, ASN1_ANY),
    ASN1_SIMPLE(ES_TBS_SIGN_V4, time, ASN1_TIME),
    ASN1_SIMPLE(ES_TBS_SIGN_V4, hash, ASN1_BIT_STRING),
    ASN1_SIMPLE(ES_TBS_SIGN_V4, property, ASN1_IA5STRING),
    ASN1_EXP_SEQUENCE_OF_OPT(ES_TBS_SIGN_V4, ext0, ES_SES_EXTDATA, 0),
    ASN1_SEQUENCE_OF_OPT(ES_TBS_SIGN_V4, ext, ES_SES_EXTDATA),
} ASN1_SEQUENCE_END(ES_TBS_SIGN_V4)
IMPLEMENT_ASN1_FUNCTIONS(ES_TBS_SIGN_V4)

/*
 * SES_Signature ::= SEQUENCE {                  -- GB/T 38540-2020
 *     toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
 *     signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
 */
ASN1_SEQUENCE(ES_SES_SIGNATURE_V4) = {
    ASN1_SIMPLE(ES_SES_SIGNATURE_V4, tbs, ES_TBS_SIGN_V4),
    ASN1_SIMPLE(ES_SES_SIGNATURE_V4, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ES_SES_SIGNATURE_V4, alg, ASN1_OBJECT),
    ASN1_SIMPLE(ES_SES_SIGNATURE_V4, sig, ASN1_BIT_STRING),
    ASN1_EXP_OPT(ES_SES_SIGNATURE_V4, ts, ASN1_ANY, 0),
    ASN1_OPT(ES_SES_SIGNATURE_V4, ts_raw, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ES_SES_SIGNATURE_V4)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_SIGNATURE_V4)

/*
 * TBS_Sign ::= SEQUENCE {                       -- GM/T 0031-2014
 *     version INTEGER, eseal SESeal, timeInfo BIT STRING (a time string),
 *     dataHash BIT STRING, propertyInfo IA5String, cert OCTET STRING,
 *     signatureAlgorithm OBJECT IDENTIFIER }
 * timeInfo and dataHash are ANY: some writers use OCTET STRING (or a time type) instead.
 */
ASN1_SEQUENCE(ES_TBS_SIGN_V1) = {
    ASN1_SIMPLE(ES_TBS_SIGN_V1, version, ASN1_INTEGER),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, eseal, ASN1_ANY),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, time, ASN1_ANY),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, hash, ASN1_ANY),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, property, ASN1_IA5STRING),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ES_TBS_SIGN_V1, alg, ASN1_OBJECT),
} ASN1_SEQUENCE_END(ES_TBS_SIGN_V1)
IMPLEMENT_ASN1_FUNCTIONS(ES_TBS_SIGN_V1)

/* SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }  -- GM/T 0031-2014 */
ASN1_SEQUENCE(ES_SES_SIGNATURE_V1) = {
    ASN1_SIMPLE(ES_SES_SIGNATURE_V1, tbs, ES_TBS_SIGN_V1),
    ASN1_SIMPLE(ES_SES_SIGNATURE_V1, sig, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ES_SES_SIGNATURE_V1)
IMPLEMENT_ASN1_FUNCTIONS(ES_SES_SIGNATURE_V1)
