/* Verifying a SignedData in /Contents: SM2 (GM/T 0010 or RFC 5652 OIDs), RSA and ECDSA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "eseal/crypto.h"
#include "pdf/pdf_cms_local.h"
#include "pdf/pdf_local.h"
#include "pdf/pdf_verify_local.h"

#define MAX_DER_DEPTH 16

/* One BER TLV at p: tag (single byte), header and content length; indefinite: len = SIZE_MAX. */
static int tlv(const uint8_t *p, size_t n, uint8_t *tag, size_t *hdr, size_t *len)
{
    size_t l = 0, k;

    if (n < 2 || (p[0] & 0x1F) == 0x1F)
        return 0;
    *tag = p[0];
    if (p[1] < 0x80) {
        *hdr = 2;
        *len = p[1];
    } else if (p[1] == 0x80) {
        *hdr = 2;
        *len = SIZE_MAX;
        return (p[0] & 0x20) != 0;
    } else {
        k = p[1] & 0x7F;
        if (k > 4 || n < 2 + k)
            return 0;
        for (size_t i = 0; i < k; i++)
            l = (l << 8) | p[2 + i];
        *hdr = 2 + k;
        *len = l;
    }
    return *len <= n - *hdr;
}

/* The whole size of the element at p (indefinite lengths walked to their end-of-contents). */
static size_t elem_size(const uint8_t *p, size_t n, int depth)
{
    uint8_t tag;
    size_t hdr, len, at;

    if (depth > MAX_DER_DEPTH || !tlv(p, n, &tag, &hdr, &len))
        return 0;
    if (len != SIZE_MAX)
        return hdr + len;
    for (at = hdr; at + 2 <= n && !(p[at] == 0 && p[at + 1] == 0);) {
        size_t s = elem_size(p + at, n - at, depth + 1);
        if (s == 0)
            return 0;
        at += s;
    }
    return at + 2 <= n ? at + 2 : 0;
}

/* Enter the constructed element at *p: *p, *n become its contents. */
static int enter(const uint8_t **p, size_t *n, uint8_t want)
{
    uint8_t tag;
    size_t hdr, len;

    if (!tlv(*p, *n, &tag, &hdr, &len) || tag != want)
        return 0;
    *p += hdr;
    *n = len == SIZE_MAX ? *n - hdr : len;
    return 1;
}

static int skip(const uint8_t **p, size_t *n)
{
    size_t s = elem_size(*p, *n, 0);

    if (s == 0)
        return 0;
    *p += s;
    *n -= s;
    return 1;
}

/* The original bytes of the first SignerInfo's signedAttrs ([0] IMPLICIT), or 0 when absent. */
static int find_attrs(const uint8_t *p, size_t n, const uint8_t **ap, size_t *an)
{
    if (!enter(&p, &n, 0x30) || !skip(&p, &n) || !enter(&p, &n, 0xA0) || !enter(&p, &n, 0x30) ||
        !skip(&p, &n) || !skip(&p, &n) || !skip(&p, &n))
        return 0;
    while (n > 0 && (p[0] == 0xA0 || p[0] == 0xA1))
        if (!skip(&p, &n))
            return 0;
    if (!enter(&p, &n, 0x31) || !enter(&p, &n, 0x30) || !skip(&p, &n) || !skip(&p, &n) ||
        !skip(&p, &n) || n == 0 || p[0] != 0xA0)
        return 0;
    *ap = p;
    *an = elem_size(p, n, 0);
    return *an > 0;
}

/* The certificate the SignerInfo names: issuer and serial, or subject key identifier. */
static X509 *find_signer(const ES_PDF_SIGNED *sd, const ES_PDF_SIGNER *si)
{
    PKCS7_ISSUER_AND_SERIAL *ias = NULL;
    const ASN1_STRING *ski = NULL;
    X509 *found = NULL;

    if (si->sid->type == V_ASN1_SEQUENCE) {
        const unsigned char *q = si->sid->value.sequence->data;
        ias = d2i_PKCS7_ISSUER_AND_SERIAL(NULL, &q, si->sid->value.sequence->length);
    } else if (si->sid->type == V_ASN1_OTHER || si->sid->type == V_ASN1_OCTET_STRING) {
        ski = si->sid->value.asn1_string;
    }
    for (int i = 0; found == NULL && i < sk_X509_num(sd->certs); i++) {
        X509 *c = sk_X509_value(sd->certs, i);
        const ASN1_OCTET_STRING *cs = X509_get0_subject_key_id(c);
        if (ias != NULL && X509_NAME_cmp(X509_get_issuer_name(c), ias->issuer) == 0 &&
            ASN1_INTEGER_cmp(X509_get0_serialNumber(c), ias->serial) == 0)
            found = c;
        /* [0] IMPLICIT OCTET STRING: the ANY holds the whole TLV; compare its contents */
        if (ski != NULL && cs != NULL && ski->length >= 2 &&
            (size_t)ski->length - 2 == (size_t)cs->length &&
            memcmp(ski->data + 2, cs->data, (size_t)cs->length) == 0)
            found = c;
    }
    PKCS7_ISSUER_AND_SERIAL_free(ias);
    es__ossl_clear();
    return found;
}

static const EVP_MD *digest_of(const X509_ALGOR *a, char *name, size_t nn)
{
    char oid[80];

    OBJ_obj2txt(oid, sizeof(oid), a->algorithm, 1);
    if (strncmp(oid, ES__OID_SM3, strlen(ES__OID_SM3)) == 0) {
        snprintf(name, nn, "SM3");
        return EVP_sm3();
    }
    OBJ_obj2txt(name, nn, a->algorithm, 0);
    return EVP_get_digestbyobj(a->algorithm);
}

static es_err ranges_digest(const es__pdf_ranges *rg, const EVP_MD *md, uint8_t *out, unsigned *len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestInit_ex(c, md, NULL) &&
             EVP_DigestUpdate(c, rg->p + rg->a0, rg->a1 - rg->a0) &&
             EVP_DigestUpdate(c, rg->p + rg->b0, rg->b1 - rg->b0) &&
             EVP_DigestFinal_ex(c, out, len);

    EVP_MD_CTX_free(c);
    return ok ? ES_OK : es__fail_ossl(ES_ERR_CRYPTO, "cannot hash the signed bytes");
}

es_err es__pdf_ranges_sm3(const es__pdf_ranges *rg, uint8_t md[32])
{
    unsigned len = 0;

    return ranges_digest(rg, EVP_sm3(), md, &len);
}

/* An SM2 signature (ID 1234567812345678) over msg, or RSA/ECDSA with md via OpenSSL. */
static es_err sig_verify(X509 *cert, const EVP_MD *md, const uint8_t *msg, size_t n,
                         const uint8_t *msg2, size_t n2, const ASN1_OCTET_STRING *sig)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    es_key *k = NULL;
    es_buf all = {0};
    EVP_MD_CTX *c = NULL;
    es_err rc;

    if (pk == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "the signer's certificate has no usable key");
    if (es_key_from_cert(cert, &k) == ES_OK && es_key_alg(k) == ES_KEY_SM2) {
        /* SM2 signs the message itself (Z || M): join the two ranges */
        if ((rc = es_buf_set(&all, msg, n + n2)) == ES_OK) {
            memcpy(all.data, msg, n);
            if (n2)
                memcpy(all.data + n, msg2, n2);
            rc = es_sm2_verify(k, NULL, 0, all.data, n + n2, sig->data, (size_t)sig->length);
        }
        goto end;
    }
    es__ossl_clear();
    c = EVP_MD_CTX_new();
    if (c == NULL || EVP_DigestVerifyInit(c, NULL, md, NULL, pk) != 1 ||
        EVP_DigestVerifyUpdate(c, msg, n) != 1 || (n2 && EVP_DigestVerifyUpdate(c, msg2, n2) != 1))
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot verify with the signer's key");
    else if (EVP_DigestVerifyFinal(c, sig->data, (size_t)sig->length) != 1)
        rc = es__fail_ossl(ES_ERR_SIGNATURE, "the signature does not verify");
    else
        rc = ES_OK;
end:
    EVP_MD_CTX_free(c);
    es_key_free(k);
    free(all.data);
    return rc;
}

static es_err value_check(es_report *r, es_err vr, const char *what, X509 *cert)
{
    char who[300] = "";

    if (vr == ES_ERR_NOMEM)
        return vr;
    X509_NAME_oneline(X509_get_subject_name(cert), who, sizeof(who));
    if (vr == ES_OK)
        return es_report_add(r, "signature.value", ES_CHECK_PASSED,
                             "signature over %s verifies with %s", what, who);
    return es_report_add(r, "signature.value", ES_CHECK_FAILED, "signature over %s: %s", what,
                         es_errdetail());
}

static es_time signing_time(const ES_PDF_SIGNER *si, int *has)
{
    int i = X509at_get_attr_by_NID(si->auth, NID_pkcs9_signingTime, -1);
    ASN1_TYPE *v = i >= 0 ? X509_ATTRIBUTE_get0_type(X509at_get_attr(si->auth, i), 0) : NULL;
    struct tm tm;
    char iso[40];
    es_time t = 0;

    *has = 0;
    if (v == NULL || (v->type != V_ASN1_UTCTIME && v->type != V_ASN1_GENERALIZEDTIME) ||
        !ASN1_TIME_to_tm(v->value.utctime, &tm))
        return 0;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    *has = es_time_parse(iso, &t) == ES_OK;
    return t;
}

/* With signed attributes: messageDigest against the ranges, the signature over the attributes. */
static es_err attrs_check(es_report *r, const uint8_t *der, size_t dn, const ES_PDF_SIGNER *si,
                          X509 *cert, const EVP_MD *md, const uint8_t *dg, unsigned dl)
{
    int i = X509at_get_attr_by_NID(si->auth, NID_pkcs9_messageDigest, -1);
    ASN1_TYPE *v = i >= 0 ? X509_ATTRIBUTE_get0_type(X509at_get_attr(si->auth, i), 0) : NULL;
    const uint8_t *ap = NULL;
    size_t an = 0;
    unsigned char *re = NULL;
    uint8_t *copy = NULL;
    es_err rc, vr;

    /* verify over the attributes as sent, re-tagged as a SET (0x31) */
    if (find_attrs(der, dn, &ap, &an) && (copy = OPENSSL_memdup(ap, an)) != NULL) {
        copy[0] = 0x31;
        vr = sig_verify(cert, md, copy, an, NULL, 0, si->sig);
    } else {
        int n = ASN1_item_i2d((ASN1_VALUE *)si->auth, &re, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
        vr = n > 0 ? sig_verify(cert, md, re, (size_t)n, NULL, 0, si->sig)
                   : es__fail_ossl(ES_ERR_FORMAT, "cannot encode the signed attributes");
    }
    OPENSSL_free(copy);
    OPENSSL_free(re);
    if ((rc = value_check(r, vr, "the signed attributes", cert)) != ES_OK)
        return rc;
    if (v == NULL || v->type != V_ASN1_OCTET_STRING)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED, "no messageDigest attribute");
    if ((unsigned)v->value.octet_string->length != dl ||
        memcmp(v->value.octet_string->data, dg, dl) != 0)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED,
                             "messageDigest is not the digest of the ByteRange bytes");
    return es_report_add(r, "data.hash", ES_CHECK_PASSED,
                         "messageDigest is the digest of the ByteRange bytes");
}

static es_err signer_check(es_report *r, const uint8_t *der, size_t dn, const ES_PDF_CMS *cms,
                           const es__pdf_ranges *rg, const es_pdf_verify_opts *o)
{
    const ES_PDF_SIGNER *si = sk_ES_PDF_SIGNER_value(cms->sd->signers, 0);
    X509 *cert = si != NULL ? find_signer(cms->sd, si) : NULL;
    const EVP_MD *md;
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    char mdname[80] = "";
    int has_t = 0;
    es_time t;
    es_err rc;

    if (cert == NULL)
        return es_report_add(r, "format", ES_CHECK_FAILED,
                             "SignedData without a SignerInfo whose certificate it carries");
    if ((md = digest_of(si->digest_alg, mdname, sizeof(mdname))) == NULL)
        return es_report_add(r, "format", ES_CHECK_FAILED, "unknown digest algorithm %s", mdname);
    if ((rc = es_cert_set_sm2_id(cert, NULL, 0)) != ES_OK ||
        (rc = es_report_add(r, "format", ES_CHECK_PASSED,
                            "SignedData (%zu bytes), digest %s, %d signer(s)", dn, mdname,
                            sk_ES_PDF_SIGNER_num(cms->sd->signers))) != ES_OK ||
        (rc = ranges_digest(rg, md, dg, &dl)) != ES_OK)
        return rc;
    t = signing_time(si, &has_t);
    if (has_t) {
        char ts[ES_TIME_STRLEN];
        es_time_format(t, ts);
        es_report_set_info(r, "signing_time", ts);
    }
    if (si->auth != NULL && sk_X509_ATTRIBUTE_num(si->auth) > 0)
        rc = attrs_check(r, der, dn, si, cert, md, dg, dl);
    else if ((rc = value_check(r,
                               sig_verify(cert, md, rg->p + rg->a0, rg->a1 - rg->a0, rg->p + rg->b0,
                                          rg->b1 - rg->b0, si->sig),
                               "the ByteRange bytes", cert)) == ES_OK)
        rc = es_report_add(r, "data.hash", ES_CHECK_PASSED,
                           "no signed attributes: the signature covers the ByteRange bytes");
    if (rc == ES_OK)
        rc = es__pdf_signer_checks(r, cert, cms->sd->certs, si->auth, has_t, t, o);
    return rc;
}

es_err es__pdf_cms_verify(es_report *r, const uint8_t *p, size_t n, const es__pdf_ranges *rg,
                          const es_pdf_verify_opts *o)
{
    const unsigned char *q = p;
    ES_PDF_CMS *cms = NULL;
    char oid[80] = "";
    size_t dn = elem_size(p, n, 0);
    es_err rc;

    if (dn > 0 && dn < (size_t)INT32_MAX)
        cms = (ES_PDF_CMS *)ASN1_item_d2i(NULL, &q, (long)dn, ASN1_ITEM_rptr(ES_PDF_CMS));
    if (cms != NULL)
        OBJ_obj2txt(oid, sizeof(oid), cms->type, 1);
    if (cms != NULL &&
        (strcmp(oid, ES__OID_GM_SIGNED_DATA) == 0 || strcmp(oid, ES__OID_PKCS7_SIGNED) == 0))
        rc = signer_check(r, p, dn, cms, rg, o);
    else
        rc = es_report_add(r, "format", ES_CHECK_FAILED, "/Contents is not a SignedData%s%s",
                           oid[0] ? ": content type " : "", oid);
    es__ossl_clear();
    ASN1_item_free((ASN1_VALUE *)cms, ASN1_ITEM_rptr(ES_PDF_CMS));
    return rc;
}
