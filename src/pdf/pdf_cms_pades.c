/* The pades signature: a CMS SignedData (ECDSA P-256 or RSA, SHA-256) with PAdES B-B attributes. */
#include <string.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include "pdf/pdf_local.h"

/*
 * Sign the DER SET OF the signer's signed attributes ourselves: CMS_SignerInfo_sign would add a
 * signingTime, which PAdES B-B leaves out (the time is the signature dictionary's /M).
 */
static es_err sign_attrs(CMS_SignerInfo *si, EVP_PKEY *pkey)
{
    STACK_OF(X509_ATTRIBUTE) *sk = sk_X509_ATTRIBUTE_new_null();
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char *der = NULL, *sig = NULL;
    size_t siglen = 0;
    int n = -1, ok = sk != NULL && c != NULL;
    es_err rc = ES_OK;

    for (int i = 0; ok && i < CMS_signed_get_attr_count(si); i++)
        ok = sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si, i)) > 0;
    ok = ok && (n = ASN1_item_i2d((ASN1_VALUE *)sk, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN))) > 0;
    ok = ok && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, pkey) == 1 &&
         EVP_DigestSign(c, NULL, &siglen, der, (size_t)n) == 1 &&
         (sig = OPENSSL_malloc(siglen)) != NULL &&
         EVP_DigestSign(c, sig, &siglen, der, (size_t)n) == 1 && siglen < (size_t)INT32_MAX;
    if (!ok || !ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen))
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot sign the signed attributes");
    OPENSSL_free(sig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(c);
    sk_X509_ATTRIBUTE_free(sk); /* the attributes stay the SignerInfo's */
    return rc;
}

/* contentType id-data and messageDigest; signingCertificateV2 comes from CMS_CADES. */
static es_err add_attrs(CMS_SignerInfo *si, const uint8_t md[32])
{
    ASN1_OBJECT *data = OBJ_nid2obj(NID_pkcs7_data);

    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, data, -1) <= 0 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, 32) <= 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot add the signed attributes");
    return ES_OK;
}

es_err es__pdf_cms_sign_pades(const es_key *key, X509 *cert, STACK_OF(X509) * chain,
                              const uint8_t md[32], es_buf *out)
{
    const unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP;
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    unsigned char *der = NULL;
    es_err rc = ES_OK;
    int len;

    if (es_key_alg(key) == ES_KEY_SM2)
        return es__fail(ES_ERR_ARG, "pades signs with an EC P-256 or RSA key, not SM2 (use gm)");
    cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    if (cms == NULL || (si = CMS_add1_signer(cms, cert, es_key_get0_pkey(key), EVP_sha256(),
                                             flags | CMS_CADES)) == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot start the CMS SignedData");
        goto end;
    }
    for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++)
        if (!CMS_add1_cert(cms, sk_X509_value(chain, i))) {
            rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot add the chain");
            goto end;
        }
    if ((rc = add_attrs(si, md)) != ES_OK || (rc = sign_attrs(si, es_key_get0_pkey(key))) != ES_OK)
        goto end;
    if ((len = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the SignedData");
        goto end;
    }
    rc = es_buf_set(out, der, (size_t)len);
end:
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    return rc;
}
