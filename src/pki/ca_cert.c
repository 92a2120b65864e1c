/* Making the CA's certificates: serials, validity, each kind's extensions, SM2 signature. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "pki/pki_local.h"

#define SERIAL_LEN 16

es_err es__ca_new_serial(ASN1_INTEGER **out)
{
    unsigned char b[SERIAL_LEN];
    BIGNUM *bn = NULL;
    es_err rc;

    *out = NULL;
    /* Positive (top bit clear) and a nonzero first byte, so the DER value is 16 bytes. */
    do {
        if ((rc = es_random(b, sizeof(b))) != ES_OK)
            return rc;
        b[0] &= 0x7f;
    } while (b[0] == 0);
    bn = BN_bin2bn(b, sizeof(b), NULL);
    if (bn == NULL || (*out = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot make a serial number");
    BN_free(bn);
    return rc;
}

es_err es__serial_hex(const ASN1_INTEGER *serial, char *buf, size_t n)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    es_err rc = ES_OK;

    if (hex == NULL)
        rc = es__fail_ossl(ES_ERR_FORMAT, "cannot read a serial number");
    else if ((size_t)snprintf(buf, n, "%s", hex) >= n)
        rc = es__fail(ES_ERR_LIMIT, "serial number too long");
    OPENSSL_free(hex);
    BN_free(bn);
    return rc;
}

/* Add an extension written in OpenSSL's configuration syntax ("critical,CA:TRUE"). */
static es_err add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    ok = ext != NULL && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ok)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot add %s = %s", OBJ_nid2sn(nid), value);
    return ES_OK;
}

/* certificatePolicies with the profile's OID (docs/pki.md), not critical. */
static es_err add_policy(X509 *x, es_cert_profile p)
{
    CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
    POLICYINFO *pi = POLICYINFO_new();
    es_err rc = ES_OK;

    if (pols == NULL || pi == NULL || !sk_POLICYINFO_push(pols, pi)) {
        POLICYINFO_free(pi);
        rc = es__fail(ES_ERR_NOMEM, "cannot make certificatePolicies");
        goto end;
    }
    ASN1_OBJECT_free(pi->policyid);
    pi->policyid = es__profile_oid(p);
    if (pi->policyid == NULL ||
        X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_APPEND) != 1)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot add certificatePolicies");
end:
    CERTIFICATEPOLICIES_free(pols);
    return rc;
}

/* keyUsage and extendedKeyUsage of each end-entity profile. */
static es_err add_usage(X509 *x, X509 *issuer, es_cert_profile p)
{
    es_err rc;

    switch (p) {
    case ES_PROFILE_MAKER:
    case ES_PROFILE_SIGNER:
        return add_ext(x, issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    case ES_PROFILE_TSA:
        /* RFC 3161 2.3: a TSA certificate has exactly this EKU, critical. */
        rc = add_ext(x, issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        if (rc != ES_OK)
            return rc;
        return add_ext(x, issuer, NID_ext_key_usage, "critical,timeStamping");
    case ES_PROFILE_LOG:
        return add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
    }
    return es__fail(ES_ERR_ARG, "unknown certificate profile %d", (int)p);
}

static es_err add_extensions(X509 *x, const es__cert_req *req)
{
    X509 *is = req->issuer;
    int ee = req->kind == ES__CERT_EE;
    const char *bc = req->kind == ES__CERT_ROOT    ? "critical,CA:TRUE"
                     : req->kind == ES__CERT_SUBCA ? "critical,CA:TRUE,pathlen:0"
                                                   : "critical,CA:FALSE";
    char cdp[ES__CA_PATH_MAX + 8];
    es_err rc = add_ext(x, is, NID_basic_constraints, bc);

    if (rc == ES_OK)
        rc = ee ? add_usage(x, is, req->profile)
                : add_ext(x, is, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (rc == ES_OK)
        rc = add_ext(x, is, NID_subject_key_identifier, "hash");
    /* A self-signed root needs no AKI: its SKI names it. */
    if (rc == ES_OK && req->kind != ES__CERT_ROOT)
        rc = add_ext(x, is, NID_authority_key_identifier, "keyid:always");
    if (rc == ES_OK && ee && req->crl_url != NULL) {
        snprintf(cdp, sizeof(cdp), "URI:%s", req->crl_url);
        rc = add_ext(x, is, NID_crl_distribution_points, cdp);
    }
    if (rc == ES_OK && ee)
        rc = add_policy(x, req->profile);
    return rc;
}

/* Version, serial, names, key and validity. */
static es_err set_fields(X509 *x, const es__cert_req *req)
{
    const X509_NAME *issuer_name =
        req->issuer != NULL ? X509_get_subject_name(req->issuer) : req->subject;

    if (!X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, req->serial) ||
        !X509_set_subject_name(x, req->subject) || !X509_set_issuer_name(x, issuer_name) ||
        !X509_set_pubkey(x, req->pubkey))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot fill in the certificate");
    /* ASN1_TIME_set picks UTCTime up to 2049 and GeneralizedTime after, as RFC 5280 asks. */
    if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)req->not_before) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)req->not_after) == NULL)
        return es__fail_ossl(ES_ERR_ARG, "cannot set the validity period");
    return ES_OK;
}

es_err es__ca_make_cert(const es__cert_req *req, X509 **out)
{
    es_err rc = ES_OK;
    X509 *x = NULL;
    EVP_MD_CTX *md = NULL;

    assert(req != NULL && out != NULL);
    *out = NULL;
    x = X509_new();
    md = EVP_MD_CTX_new();
    if (x == NULL || md == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a certificate");
        goto end;
    }
    if ((rc = set_fields(x, req)) != ES_OK || (rc = add_extensions(x, req)) != ES_OK ||
        (rc = es__sm2_md_init(md, req->signkey, 1)) != ES_OK)
        goto end;
    if (X509_sign_ctx(x, md) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot sign the certificate");
        goto end;
    }
    if ((rc = es_cert_set_sm2_id(x, NULL, 0)) != ES_OK)
        goto end;
    *out = x;
    x = NULL;
end:
    EVP_MD_CTX_free(md);
    X509_free(x);
    return rc;
}
