/* A detached GM/T 0010 SignedData (SM3, SM2) with signed attributes: OFD Type="Sign", PDF gm. */
#include <string.h>

#include <openssl/objects.h>

#include "cms/cms_local.h"
#include "eseal/crypto.h"
#include "eseal_local.h"

static int set_alg(X509_ALGOR *a, const char *oid)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);

    if (o == NULL || !X509_ALGOR_set0(a, o, V_ASN1_UNDEF, NULL)) {
        ASN1_OBJECT_free(o);
        return 0;
    }
    return 1;
}

/* An attribute whose single value is the DER TLV der (a SEQUENCE). */
static X509_ATTRIBUTE *seq_attr(const char *oid, const uint8_t *der, size_t n)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    X509_ATTRIBUTE *a = NULL;

    if (o != NULL && n < (size_t)INT32_MAX)
        a = X509_ATTRIBUTE_create_by_OBJ(NULL, o, V_ASN1_SEQUENCE, der, (int)n);
    ASN1_OBJECT_free(o);
    return a;
}

/* contentType (GM/T 0010 data), signingTime, messageDigest and the extra attribute. */
static int add_attrs(ES_CMS_SIGNER *si, const uint8_t md[ES_SM3_LEN], es_time t,
                     const es__cms_attr *extra)
{
    ASN1_OBJECT *type = OBJ_txt2obj(ES__OID_GM_DATA, 1);
    ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)t);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_ATTRIBUTE *a[4] = {NULL, NULL, NULL, NULL};
    int ok = type != NULL && when != NULL && os != NULL && ASN1_OCTET_STRING_set(os, md, 32) &&
             (si->auth = sk_X509_ATTRIBUTE_new_null()) != NULL;

    if (ok && (a[0] = X509_ATTRIBUTE_create(NID_pkcs9_contentType, V_ASN1_OBJECT, type)) != NULL)
        type = NULL;
    if (ok && (a[1] = X509_ATTRIBUTE_create(NID_pkcs9_signingTime, when->type, when)) != NULL)
        when = NULL;
    if (ok && (a[2] = X509_ATTRIBUTE_create(NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, os)))
        os = NULL;
    if (ok && extra != NULL)
        ok = (a[3] = seq_attr(extra->oid, extra->der, extra->n)) != NULL;
    for (int i = 0; i < 4; i++) {
        if (ok && a[i] != NULL && sk_X509_ATTRIBUTE_push(si->auth, a[i]) > 0)
            a[i] = NULL;
        ok = ok && (a[i] == NULL);
        X509_ATTRIBUTE_free(a[i]);
    }
    ok = ok && sk_X509_ATTRIBUTE_num(si->auth) >= 3;
    ASN1_OBJECT_free(type);
    ASN1_TIME_free(when);
    ASN1_OCTET_STRING_free(os);
    return ok;
}

/* sid: issuerAndSerialNumber, as the ANY the template keeps. */
static int set_sid(ES_CMS_SIGNER *si, X509 *cert)
{
    PKCS7_ISSUER_AND_SERIAL *ias = PKCS7_ISSUER_AND_SERIAL_new();
    unsigned char *der = NULL;
    ASN1_STRING *s = NULL;
    int n = -1, ok;

    ok = ias != NULL && X509_NAME_set(&ias->issuer, X509_get_issuer_name(cert)) &&
         ASN1_STRING_copy(ias->serial, X509_get0_serialNumber(cert)) &&
         (n = i2d_PKCS7_ISSUER_AND_SERIAL(ias, &der)) > 0 && (s = ASN1_STRING_new()) != NULL &&
         ASN1_STRING_set(s, der, n);
    if (ok) {
        ASN1_TYPE_set(si->sid, V_ASN1_SEQUENCE, s);
        s = NULL;
    }
    ASN1_STRING_free(s);
    OPENSSL_free(der);
    PKCS7_ISSUER_AND_SERIAL_free(ias);
    return ok;
}

static es_err fill_signer(ES_CMS_SIGNER *si, const es_key *key, X509 *cert,
                          const es__cms_attr *extra, const uint8_t md[ES_SM3_LEN], es_time t)
{
    es_err rc;
    unsigned char *der = NULL;
    int n;
    es_buf sig = {0};

    if (!ASN1_INTEGER_set(si->version, 1) || !set_sid(si, cert) ||
        !set_alg(si->digest_alg, ES__OID_SM3) || !set_alg(si->sig_alg, ES__OID_SM2_SIGN) ||
        !add_attrs(si, md, t, extra))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot build SignerInfo");
    /* signed as a DER SET OF (tag 0x31, sorted), stored [0] IMPLICIT */
    if ((n = ASN1_item_i2d((ASN1_VALUE *)si->auth, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN))) <= 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode signed attributes");
    rc = es_sm2_sign(key, NULL, 0, der, (size_t)n, &sig);
    if (rc == ES_OK && !ASN1_OCTET_STRING_set(si->sig, sig.data, (int)sig.len))
        rc = es__fail_ossl(ES_ERR_NOMEM, "out of memory");
    OPENSSL_free(der);
    es_buf_free(&sig);
    return rc;
}

/* Version, SM3, detached GM/T 0010 data, the signer's certificate and chain, the SignerInfo. */
static es_err fill_signed(ES_CMS *cms, X509 *cert, STACK_OF(X509) * chain, ES_CMS_SIGNER *si)
{
    ES_CMS_SIGNED *sd = cms->sd;
    X509_ALGOR *alg = X509_ALGOR_new();
    int ok = alg != NULL && set_alg(alg, ES__OID_SM3);

    ASN1_OBJECT_free(cms->type);
    ASN1_OBJECT_free(sd->content->type);
    cms->type = OBJ_txt2obj(ES__OID_GM_SIGNED_DATA, 1);
    sd->content->type = OBJ_txt2obj(ES__OID_GM_DATA, 1);
    ok = ok && cms->type != NULL && sd->content->type != NULL && ASN1_INTEGER_set(sd->version, 1);
    if (ok && sk_X509_ALGOR_push(sd->md_algs, alg) > 0)
        alg = NULL;
    ok = ok && alg == NULL && (sd->certs = sk_X509_new_null()) != NULL;
    for (int i = -1; ok && i < (chain ? sk_X509_num(chain) : 0); i++) {
        /* a reference, not X509_dup: a copy decodes the certificate again, per signature */
        X509 *ref = i < 0 ? cert : sk_X509_value(chain, i);
        ok = X509_up_ref(ref) == 1;
        if (ok && sk_X509_push(sd->certs, ref) <= 0) {
            X509_free(ref);
            ok = 0;
        }
    }
    ok = ok && sk_ES_CMS_SIGNER_push(sd->signers, si) > 0;
    X509_ALGOR_free(alg);
    return ok ? ES_OK : es__fail_ossl(ES_ERR_NOMEM, "cannot build SignedData");
}

es_err es__cms_sign_gm(const es_key *key, X509 *cert, STACK_OF(X509) * chain, const uint8_t md[32],
                       es_time t, const es__cms_attr *extra, es_buf *out)
{
    es_err rc;
    ES_CMS *cms = (ES_CMS *)ASN1_item_new(ASN1_ITEM_rptr(ES_CMS));
    ES_CMS_SIGNER *si = (ES_CMS_SIGNER *)ASN1_item_new(ASN1_ITEM_rptr(ES_CMS_SIGNER));
    unsigned char *der = NULL;
    int len;

    if (cms == NULL || si == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if ((rc = fill_signer(si, key, cert, extra, md, t)) != ES_OK ||
        (rc = fill_signed(cms, cert, chain, si)) != ES_OK)
        goto end;
    si = NULL; /* owned by cms */
    if ((len = ASN1_item_i2d((ASN1_VALUE *)cms, &der, ASN1_ITEM_rptr(ES_CMS))) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode SignedData");
        goto end;
    }
    rc = es_buf_set(out, der, (size_t)len);
end:
    OPENSSL_free(der);
    ASN1_item_free((ASN1_VALUE *)si, ASN1_ITEM_rptr(ES_CMS_SIGNER));
    ASN1_item_free((ASN1_VALUE *)cms, ASN1_ITEM_rptr(ES_CMS));
    return rc;
}
