/* GM/T 0010 SignedData for Type="Sign" OFD signatures: written with ASN.1 templates and EVP, since
 * OpenSSL 3.0's CMS cannot sign with SM2; read back together with bare SM2 signatures. */
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ofd/ofd_local.h"

#define OID_GM_DATA        "1.2.156.10197.6.1.4.2.1"
#define OID_GM_SIGNED_DATA "1.2.156.10197.6.1.4.2.2"
#define OID_PKCS7_SIGNED   "1.2.840.113549.1.7.2"
#define OID_SM3            "1.2.156.10197.1.401"
#define OID_SM2_SIGN       "1.2.156.10197.1.301.1"

/*
 * SignerInfo ::= SEQUENCE { version INTEGER (1), issuerAndSerialNumber, digestAlgorithm,
 *     authenticatedAttributes [0] IMPLICIT SET OF Attribute OPTIONAL, digestEncryptionAlgorithm,
 *     encryptedDigest OCTET STRING, unauthenticatedAttributes [1] IMPLICIT SET OF Attribute
 * OPTIONAL } ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }
 * SignedData ::= SEQUENCE { version INTEGER (1), digestAlgorithms SET OF AlgorithmIdentifier,
 *     contentInfo ContentInfo, certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
 *     crls [1] IMPLICIT SET OF CRL OPTIONAL, signerInfos SET OF SignerInfo }
 * The outer ContentInfo is SEQUENCE { signedData OID, [0] EXPLICIT SignedData }.
 */
typedef struct {
    ASN1_INTEGER *version;
    PKCS7_ISSUER_AND_SERIAL *ias;
    X509_ALGOR *digest_alg;
    STACK_OF(X509_ATTRIBUTE) * auth;
    X509_ALGOR *sig_alg;
    ASN1_OCTET_STRING *sig;
    STACK_OF(X509_ATTRIBUTE) * unauth;
} ES_OFD_SIGNER;
DEFINE_STACK_OF(ES_OFD_SIGNER)

typedef struct {
    ASN1_OBJECT *type;
    ASN1_TYPE *content;
} ES_OFD_CONTENT;

typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(X509_ALGOR) * md_algs;
    ES_OFD_CONTENT *content;
    STACK_OF(X509) * certs;
    STACK_OF(X509_CRL) * crls;
    STACK_OF(ES_OFD_SIGNER) * signers;
} ES_OFD_SIGNED;

typedef struct {
    ASN1_OBJECT *type;
    ES_OFD_SIGNED *sd;
} ES_OFD_CMS;

/* clang-format off */
ASN1_SEQUENCE(ES_OFD_SIGNER) = {
    ASN1_SIMPLE(ES_OFD_SIGNER, version, ASN1_INTEGER),
    ASN1_SIMPLE(ES_OFD_SIGNER, ias, PKCS7_ISSUER_AND_SERIAL),
    ASN1_SIMPLE(ES_OFD_SIGNER, digest_alg, X509_ALGOR),
    ASN1_IMP_SET_OF_OPT(ES_OFD_SIGNER, auth, X509_ATTRIBUTE, 0),
    ASN1_SIMPLE(ES_OFD_SIGNER, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(ES_OFD_SIGNER, sig, ASN1_OCTET_STRING),
    ASN1_IMP_SET_OF_OPT(ES_OFD_SIGNER, unauth, X509_ATTRIBUTE, 1),
} static_ASN1_SEQUENCE_END(ES_OFD_SIGNER)

ASN1_SEQUENCE(ES_OFD_CONTENT) = {
    ASN1_SIMPLE(ES_OFD_CONTENT, type, ASN1_OBJECT),
    ASN1_EXP_OPT(ES_OFD_CONTENT, content, ASN1_ANY, 0),
} static_ASN1_SEQUENCE_END(ES_OFD_CONTENT)

ASN1_SEQUENCE(ES_OFD_SIGNED) = {
    ASN1_SIMPLE(ES_OFD_SIGNED, version, ASN1_INTEGER),
    ASN1_SET_OF(ES_OFD_SIGNED, md_algs, X509_ALGOR),
    ASN1_SIMPLE(ES_OFD_SIGNED, content, ES_OFD_CONTENT),
    ASN1_IMP_SET_OF_OPT(ES_OFD_SIGNED, certs, X509, 0),
    ASN1_IMP_SET_OF_OPT(ES_OFD_SIGNED, crls, X509_CRL, 1),
    ASN1_SET_OF(ES_OFD_SIGNED, signers, ES_OFD_SIGNER),
} static_ASN1_SEQUENCE_END(ES_OFD_SIGNED)

ASN1_SEQUENCE(ES_OFD_CMS) = {
    ASN1_SIMPLE(ES_OFD_CMS, type, ASN1_OBJECT),
    ASN1_EXP(ES_OFD_CMS, sd, ES_OFD_SIGNED, 0),
} static_ASN1_SEQUENCE_END(ES_OFD_CMS)
    /* clang-format on */

    static int set_alg(X509_ALGOR * a, const char *oid)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);

    if (o == NULL || !X509_ALGOR_set0(a, o, V_ASN1_UNDEF, NULL)) {
        ASN1_OBJECT_free(o);
        return 0;
    }
    return 1;
}

/* contentType (GM/T 0010 data), signingTime, messageDigest = SM3(data). */
static int add_attrs(ES_OFD_SIGNER *si, const uint8_t md[ES_SM3_LEN], es_time t)
{
    ASN1_OBJECT *type = OBJ_txt2obj(OID_GM_DATA, 1);
    ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)t);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_ATTRIBUTE *a[3] = {NULL, NULL, NULL};
    int ok = type != NULL && when != NULL && os != NULL && ASN1_OCTET_STRING_set(os, md, 32) &&
             (si->auth = sk_X509_ATTRIBUTE_new_null()) != NULL;

    if (ok && (a[0] = X509_ATTRIBUTE_create(NID_pkcs9_contentType, V_ASN1_OBJECT, type)) != NULL)
        type = NULL;
    if (ok && (a[1] = X509_ATTRIBUTE_create(NID_pkcs9_signingTime, when->type, when)) != NULL)
        when = NULL;
    if (ok && (a[2] = X509_ATTRIBUTE_create(NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, os)))
        os = NULL;
    for (int i = 0; i < 3; i++) {
        if (ok && a[i] != NULL && sk_X509_ATTRIBUTE_push(si->auth, a[i]) > 0)
            a[i] = NULL;
        ok = ok && a[i] == NULL;
        X509_ATTRIBUTE_free(a[i]);
    }
    ASN1_OBJECT_free(type);
    ASN1_TIME_free(when);
    ASN1_OCTET_STRING_free(os);
    return ok;
}

/* Fill the SignerInfo: identity, algorithms, attributes and the SM2 signature over them. */
static es_err fill_signer(ES_OFD_SIGNER *si, const es_key *key, X509 *cert,
                          const uint8_t md[ES_SM3_LEN], es_time t)
{
    es_err rc;
    unsigned char *der = NULL;
    int n;
    es_buf sig = {0};

    if (!ASN1_INTEGER_set(si->version, 1) ||
        !X509_NAME_set(&si->ias->issuer, X509_get_issuer_name(cert)) ||
        !ASN1_STRING_copy(si->ias->serial, X509_get0_serialNumber(cert)) ||
        !set_alg(si->digest_alg, OID_SM3) || !set_alg(si->sig_alg, OID_SM2_SIGN) ||
        !add_attrs(si, md, t))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot build SignerInfo");
    /* signed as a DER SET OF (tag 0x31), stored [0] IMPLICIT */
    if ((n = ASN1_item_i2d((ASN1_VALUE *)si->auth, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN))) <= 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode signed attributes");
    rc = es_sm2_sign(key, NULL, 0, der, (size_t)n, &sig);
    if (rc == ES_OK && !ASN1_OCTET_STRING_set(si->sig, sig.data, (int)sig.len))
        rc = es__fail_ossl(ES_ERR_NOMEM, "out of memory");
    OPENSSL_free(der);
    es_buf_free(&sig);
    return rc;
}

/* The outer structure around one SignerInfo: version, SM3, detached data, the certificate. */
static es_err fill_signed(ES_OFD_CMS *cms, X509 *cert, ES_OFD_SIGNER *si)
{
    ES_OFD_SIGNED *sd = cms->sd;
    X509_ALGOR *alg = X509_ALGOR_new();
    X509 *dup = X509_dup(cert);
    int ok = alg != NULL && dup != NULL && set_alg(alg, OID_SM3);

    ASN1_OBJECT_free(cms->type);
    ASN1_OBJECT_free(sd->content->type);
    cms->type = OBJ_txt2obj(OID_GM_SIGNED_DATA, 1);
    sd->content->type = OBJ_txt2obj(OID_GM_DATA, 1);
    ok = ok && cms->type != NULL && sd->content->type != NULL && ASN1_INTEGER_set(sd->version, 1);
    if (ok && sk_X509_ALGOR_push(sd->md_algs, alg) > 0)
        alg = NULL;
    ok = ok && alg == NULL && (sd->certs = sk_X509_new_null()) != NULL;
    if (ok && sk_X509_push(sd->certs, dup) > 0)
        dup = NULL;
    ok = ok && dup == NULL && sk_ES_OFD_SIGNER_push(sd->signers, si) > 0;
    X509_ALGOR_free(alg);
    X509_free(dup);
    return ok ? ES_OK : es__fail_ossl(ES_ERR_NOMEM, "cannot build SignedData");
}

es_err es__ofd_cms_sign(const es_key *key, X509 *cert, const void *data, size_t n, es_time t,
                        es_buf *out)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];
    ES_OFD_CMS *cms = (ES_OFD_CMS *)ASN1_item_new(ASN1_ITEM_rptr(ES_OFD_CMS));
    ES_OFD_SIGNER *si = (ES_OFD_SIGNER *)ASN1_item_new(ASN1_ITEM_rptr(ES_OFD_SIGNER));
    unsigned char *der = NULL;
    int len;

    if (cms == NULL || si == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if ((rc = es_sm3(data, n, md)) != ES_OK || (rc = fill_signer(si, key, cert, md, t)) != ES_OK ||
        (rc = fill_signed(cms, cert, si)) != ES_OK)
        goto end;
    si = NULL; /* owned by cms */
    if ((len = ASN1_item_i2d((ASN1_VALUE *)cms, &der, ASN1_ITEM_rptr(ES_OFD_CMS))) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode SignedData");
        goto end;
    }
    rc = es_buf_set(out, der, (size_t)len);
end:
    OPENSSL_free(der);
    ASN1_item_free((ASN1_VALUE *)si, ASN1_ITEM_rptr(ES_OFD_SIGNER));
    ASN1_item_free((ASN1_VALUE *)cms, ASN1_ITEM_rptr(ES_OFD_CMS));
    return rc;
}

/* ---- verifying ---- */

static es_err value_result(es_report *r, es_err vr, const char *what, X509 *cert)
{
    char who[512] = "";

    if (vr == ES_ERR_NOMEM)
        return vr;
    X509_NAME_oneline(X509_get_subject_name(cert), who, sizeof(who));
    if (vr == ES_OK)
        return es_report_add(r, "signature.value", ES_CHECK_PASSED,
                             "SM2 signature over %s verifies with %s", what, who);
    return es_report_add(r, "signature.value", ES_CHECK_FAILED, "SM2 signature over %s: %s", what,
                         es_errdetail());
}

static es_err sm2_check(const uint8_t *msg, size_t n, const uint8_t *sig, size_t sn, X509 *cert)
{
    es_key *k = NULL;
    es_err rc = es_key_from_cert(cert, &k);

    if (rc == ES_OK)
        rc = es_sm2_verify(k, NULL, 0, msg, n, sig, sn);
    es_key_free(k);
    return rc;
}

/* The certificate named by the SignerInfo, among those of the SignedData. */
static X509 *find_signer(const ES_OFD_SIGNED *sd, const ES_OFD_SIGNER *si)
{
    for (int i = 0; i < sk_X509_num(sd->certs); i++) {
        X509 *c = sk_X509_value(sd->certs, i);
        if (X509_NAME_cmp(X509_get_issuer_name(c), si->ias->issuer) == 0 &&
            ASN1_INTEGER_cmp(X509_get0_serialNumber(c), si->ias->serial) == 0)
            return c;
    }
    return NULL;
}

/* messageDigest against SM3(data), and the signature over the attributes as sent. */
static es_err attrs_check(es_report *r, const ES_OFD_SIGNER *si, X509 *cert,
                          const uint8_t md[ES_SM3_LEN], es_err *vr)
{
    int i = X509at_get_attr_by_NID(si->auth, NID_pkcs9_messageDigest, -1);
    ASN1_TYPE *v = i >= 0 ? X509_ATTRIBUTE_get0_type(X509at_get_attr(si->auth, i), 0) : NULL;
    unsigned char *der = NULL;
    int n = ASN1_item_i2d((ASN1_VALUE *)si->auth, &der, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
    es_err rc;

    *vr = n > 0 ? sm2_check(der, (size_t)n, si->sig->data, (size_t)si->sig->length, cert)
                : es__fail_ossl(ES_ERR_FORMAT, "cannot encode the signed attributes");
    OPENSSL_free(der);
    if ((rc = value_result(r, *vr, "the signed attributes", cert)) != ES_OK)
        return rc;
    if (v == NULL || v->type != V_ASN1_OCTET_STRING)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED, "no messageDigest attribute");
    if (v->value.octet_string->length != ES_SM3_LEN ||
        memcmp(v->value.octet_string->data, md, ES_SM3_LEN) != 0)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED,
                             "messageDigest is not SM3 of Signature.xml");
    return es_report_add(r, "data.hash", ES_CHECK_PASSED, "messageDigest is SM3 of Signature.xml");
}

static es_err signed_data_check(es_report *r, const ES_OFD_CMS *cms, size_t svn, const void *data,
                                size_t n, const es_ofd_verify_opts *o)
{
    es_err rc, vr;
    uint8_t md[ES_SM3_LEN];
    const ES_OFD_SIGNER *si = sk_ES_OFD_SIGNER_value(cms->sd->signers, 0);
    X509 *cert = si != NULL ? find_signer(cms->sd, si) : NULL;

    if (cert == NULL)
        return es_report_add(r, "format", ES_CHECK_FAILED,
                             "SignedData without a SignerInfo whose certificate it carries");
    if ((rc = es_cert_set_sm2_id(cert, NULL, 0)) != ES_OK ||
        (rc = es_report_add(r, "format", ES_CHECK_PASSED, "SignedData (%zu bytes), %d signer(s)",
                            svn, sk_ES_OFD_SIGNER_num(cms->sd->signers))) != ES_OK ||
        (rc = es_sm3(data, n, md)) != ES_OK)
        return rc;
    if (si->auth != NULL && sk_X509_ATTRIBUTE_num(si->auth) > 0)
        rc = attrs_check(r, si, cert, md, &vr);
    else if ((rc = value_result(r, sm2_check(data, n, si->sig->data, (size_t)si->sig->length, cert),
                                "Signature.xml", cert)) == ES_OK)
        rc = es_report_add(r, "data.hash", ES_CHECK_PASSED,
                           "no signed attributes: the signature covers Signature.xml itself");
    if (rc != ES_OK)
        return rc;
    return es__ofd_chain_check(r, "signature.signer_cert", cert, &o->chain);
}

/* A bare SM2 signature (r||s or DER) carries no certificate: try the ones given. */
static es_err bare_check(es_report *r, const uint8_t *sv, size_t svn, const void *data, size_t n,
                         const es_ofd_verify_opts *o)
{
    es_err rc;
    int ncert = o->signer_certs ? sk_X509_num(o->signer_certs) : 0;

    if ((rc = es_report_add(r, "format", ES_CHECK_PASSED, "a bare SM2 signature (%zu bytes)",
                            svn)) != ES_OK)
        return rc;
    for (int i = 0; i < ncert; i++) {
        X509 *c = sk_X509_value(o->signer_certs, i);
        if (es_cert_set_sm2_id(c, NULL, 0) != ES_OK || sm2_check(data, n, sv, svn, c) != ES_OK)
            continue;
        if ((rc = value_result(r, ES_OK, "Signature.xml", c)) != ES_OK ||
            (rc = es__ofd_chain_check(r, "signature.signer_cert", c, &o->chain)) != ES_OK)
            return rc;
        return es_report_add(r, "data.hash", ES_CHECK_PASSED,
                             "the bare signature covers Signature.xml itself");
    }
    es__ossl_clear();
    if (ncert > 0)
        return es_report_add(r, "signature.value", ES_CHECK_FAILED,
                             "the bare SM2 signature verifies with none of the %d given signer "
                             "certificates",
                             ncert);
    return es_report_add_indeterminate(r, "signature.value",
                                       "a bare SM2 signature carries no certificate: give the "
                                       "signer's certificate to check it");
}

es_err es__ofd_cms_verify(es_report *r, const uint8_t *sv, size_t svn, const void *data, size_t n,
                          const es_ofd_verify_opts *o)
{
    es_err rc;
    const unsigned char *p = sv;
    ES_OFD_CMS *cms = NULL;
    uint8_t raw[64];
    char oid[64] = "";

    if (svn < (size_t)INT32_MAX)
        cms = (ES_OFD_CMS *)ASN1_item_d2i(NULL, &p, (long)svn, ASN1_ITEM_rptr(ES_OFD_CMS));
    if (cms != NULL)
        OBJ_obj2txt(oid, sizeof(oid), cms->type, 1);
    if (cms != NULL && (strcmp(oid, OID_GM_SIGNED_DATA) == 0 || strcmp(oid, OID_PKCS7_SIGNED) == 0))
        rc = signed_data_check(r, cms, svn, data, n, o);
    else if (cms == NULL && es_sm2_sig_to_raw(sv, svn, raw) == ES_OK)
        rc = bare_check(r, sv, svn, data, n, o);
    else
        rc = es_report_add(r, "format", ES_CHECK_FAILED,
                           "SignedValue.dat is neither a SignedData nor an SM2 signature%s%s",
                           oid[0] ? ": content type " : "", oid);
    es__ossl_clear();
    ASN1_item_free((ASN1_VALUE *)cms, ASN1_ITEM_rptr(ES_OFD_CMS));
    return rc;
}

es_err es__ofd_chain_check(es_report *r, const char *name, X509 *cert, const es_verify_opts *vo)
{
    es_err rc;
    es_cert_report *cr = NULL;
    es__sb t = {0};
    es_verdict v;

    if ((rc = es_cert_verify(cert, vo, &cr)) != ES_OK)
        return rc;
    v = es_cert_report_verdict(cr);
    for (size_t i = 0; i < es_cert_report_nproblems(cr); i++) {
        const es_cert_problem *p = es_cert_report_problem(cr, i);
        es__sb_printf(&t, "%sdepth %d (%.300s): %.300s", i ? "; " : "", p->depth, p->subject,
                      p->message);
    }
    if (t.err != ES_OK)
        rc = t.err;
    else if (v == ES_VALID)
        rc = es_report_add(r, name, ES_CHECK_PASSED, "the chain to a trust anchor verifies");
    else if (v == ES_INDETERMINATE)
        rc = es_report_add_indeterminate(r, name, "%s", t.p ? t.p : "");
    else
        rc = es_report_add(r, name, ES_CHECK_FAILED, "%s", t.p ? t.p : "");
    es__sb_free(&t);
    es_cert_report_free(cr);
    return rc;
}
