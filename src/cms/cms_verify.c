/* Verifying a SignedData: SM2 (GM/T 0010 or RFC 5652 OIDs), RSA and ECDSA, over the bytes sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "cms/cms_local.h"
#include "eseal/crypto.h"
#include "eseal_local.h"

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
static X509 *find_signer(const ES_CMS_SIGNED *sd, const ES_CMS_SIGNER *si)
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

es_err es__cms_data_digest(const es__cms_data *d, const EVP_MD *md, uint8_t *out, unsigned *len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, d->p[0], d->n[0]) &&
             (d->n[1] == 0 || EVP_DigestUpdate(c, d->p[1], d->n[1])) &&
             EVP_DigestFinal_ex(c, out, len);

    EVP_MD_CTX_free(c);
    return ok ? ES_OK : es__fail_ossl(ES_ERR_CRYPTO, "cannot hash the signed bytes");
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
    EVP_PKEY *pk = X509_get0_pubkey(cert); /* NULL when the certificate's key is unusable */
    const char *alg = pk != NULL ? EVP_PKEY_get0_type_name(pk) : NULL;

    if (vr == ES_ERR_NOMEM)
        return vr;
    alg = alg == NULL               ? ""
          : strcmp(alg, "SM2") == 0 ? "SM2 "
          : strcmp(alg, "RSA") == 0 ? "RSA "
          : strcmp(alg, "EC") == 0  ? "ECDSA "
                                    : "";
    X509_NAME_oneline(X509_get_subject_name(cert), who, sizeof(who));
    if (vr == ES_OK)
        return es_report_add(r, "signature.value", ES_CHECK_PASSED,
                             "%ssignature over %s verifies with %s", alg, what, who);
    return es_report_add(r, "signature.value", ES_CHECK_FAILED, "%ssignature over %s: %s", alg,
                         what, es_errdetail());
}

static es_time signing_time(const ES_CMS_SIGNER *si, int *has)
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

/* With signed attributes: the signature over them as received, then messageDigest. */
static es_err attrs_check(es_report *r, const uint8_t *der, size_t dn, const es__cms *c,
                          const EVP_MD *md, const char *mdname, const uint8_t *dg, unsigned dl,
                          const es__cms_data *d)
{
    const ES_CMS_SIGNER *si = c->si;
    int i = X509at_get_attr_by_NID(si->auth, NID_pkcs9_messageDigest, -1);
    ASN1_TYPE *v = i >= 0 ? X509_ATTRIBUTE_get0_type(X509at_get_attr(si->auth, i), 0) : NULL;
    const uint8_t *ap = NULL;
    size_t an = 0;
    uint8_t *copy = NULL;
    es_err rc, vr;

    /* The signature covers the attributes' own bytes re-tagged as a SET (0x31); re-encoding
     * them instead would accept a signature over other bytes than those received. */
    if (!find_attrs(der, dn, &ap, &an))
        vr = es__fail(ES_ERR_FORMAT, "cannot locate the signed attributes");
    else if ((copy = OPENSSL_memdup(ap, an)) == NULL)
        vr = es__fail(ES_ERR_NOMEM, "out of memory");
    else {
        copy[0] = 0x31;
        vr = sig_verify(c->cert, md, copy, an, NULL, 0, si->sig);
    }
    OPENSSL_free(copy);
    if ((rc = value_check(r, vr, "the signed attributes", c->cert)) != ES_OK)
        return rc;
    if (v == NULL || v->type != V_ASN1_OCTET_STRING)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED, "no messageDigest attribute");
    if ((unsigned)v->value.octet_string->length != dl ||
        memcmp(v->value.octet_string->data, dg, dl) != 0)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED,
                             "messageDigest is not the %s digest of %s", mdname, d->name);
    return es_report_add(r, "data.hash", ES_CHECK_PASSED, "messageDigest is the %s digest of %s",
                         mdname, d->name);
}

es_err es__cms_check(es_report *r, const uint8_t *der, es__cms *c, const es__cms_data *d)
{
    const EVP_MD *md;
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    char mdname[80] = "";
    es_err rc;

    c->si = sk_ES_CMS_SIGNER_value(c->asn1->sd->signers, 0);
    c->cert = c->si != NULL ? find_signer(c->asn1->sd, c->si) : NULL;
    if (c->cert == NULL)
        return es_report_add(r, "format", ES_CHECK_FAILED,
                             "SignedData without a SignerInfo whose certificate it carries");
    if ((md = digest_of(c->si->digest_alg, mdname, sizeof(mdname))) == NULL) {
        c->cert = NULL; /* nothing was checked: no further checks on the signer */
        return es_report_add(r, "format", ES_CHECK_FAILED, "unknown digest algorithm %s", mdname);
    }
    if ((rc = es_cert_set_sm2_id(c->cert, NULL, 0)) != ES_OK ||
        (rc = es_report_add(r, "format", ES_CHECK_PASSED,
                            "SignedData (%zu bytes), digest %s, %d signer(s)", c->len, mdname,
                            sk_ES_CMS_SIGNER_num(c->asn1->sd->signers))) != ES_OK ||
        (rc = es__cms_data_digest(d, md, dg, &dl)) != ES_OK)
        return rc;
    c->time = signing_time(c->si, &c->has_time);
    if (c->si->auth != NULL && sk_X509_ATTRIBUTE_num(c->si->auth) > 0)
        return attrs_check(r, der, c->len, c, md, mdname, dg, dl, d);
    rc = value_check(r, sig_verify(c->cert, md, d->p[0], d->n[0], d->p[1], d->n[1], c->si->sig),
                     d->name, c->cert);
    if (rc != ES_OK)
        return rc;
    return es_report_add(r, "data.hash", ES_CHECK_PASSED,
                         "no signed attributes: the signature covers %s itself", d->name);
}

int es__cms_parse(const uint8_t *p, size_t n, es__cms *c, char oid[80])
{
    const unsigned char *q = p;

    memset(c, 0, sizeof(*c));
    oid[0] = '\0';
    c->len = elem_size(p, n, 0);
    if (c->len > 0 && c->len < (size_t)INT32_MAX)
        c->asn1 = (ES_CMS *)ASN1_item_d2i(NULL, &q, (long)c->len, ASN1_ITEM_rptr(ES_CMS));
    es__ossl_clear();
    if (c->asn1 == NULL)
        return 0;
    OBJ_obj2txt(oid, 80, c->asn1->type, 1);
    return strcmp(oid, ES__OID_GM_SIGNED_DATA) == 0 || strcmp(oid, ES__OID_PKCS7_SIGNED) == 0;
}

void es__cms_release(es__cms *c)
{
    ASN1_item_free((ASN1_VALUE *)c->asn1, ASN1_ITEM_rptr(ES_CMS));
    memset(c, 0, sizeof(*c));
}
