/* Keys: the es_key object (SM2, P-256, RSA), generation, and matching against certificates. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/key_local.h"
#include "crypto/sm2/sm2_local.h"
#include "eseal_local.h"

void es__sm2_id(const uint8_t **id, size_t *idlen)
{
    if (*id == NULL || *idlen == 0) {
        *id = (const uint8_t *)ES_SM2_DEFAULT_ID;
        *idlen = ES_SM2_DEFAULT_ID_LEN;
    }
}

/* ---- Wrapping and conversion ---- */

static int on_sm2_curve(const EVP_PKEY *pkey)
{
    char name[80];
    size_t len = 0;

    if (!EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len))
        return 0;
    return strcmp(name, "SM2") == 0;
}

static int pkey_has_private(const EVP_PKEY *pkey)
{
    BIGNUM *d = NULL;
    int ok = EVP_PKEY_get_bn_param(
        pkey, EVP_PKEY_is_a(pkey, "RSA") ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY, &d);

    BN_clear_free(d);
    return ok;
}

/*
 * OpenSSL 3.0 gives some decoders' EC keys on the SM2 curve the type "EC", with which SM2
 * signing and encryption (and the SM2 ID) do not work: rebuild such a key as an "SM2" key.
 */
static es_err ec_to_sm2(EVP_PKEY *in, int priv, EVP_PKEY **out)
{
    es_err rc = ES_OK;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int sel = priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;

    if (EVP_PKEY_todata(in, sel, &params) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot export EC key");
        goto end;
    }
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, out, sel, params) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot convert EC key to SM2");
        goto end;
    }
end:
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

es_err es__key_wrap(EVP_PKEY *pkey, es_key **out)
{
    es_err rc = ES_OK;
    EVP_PKEY *sm2 = NULL;
    es_key *k = NULL;
    int priv;

    *out = NULL;
    if (!EVP_PKEY_is_a(pkey, "SM2") && !EVP_PKEY_is_a(pkey, "EC")) {
        const char *type = EVP_PKEY_get0_type_name(pkey);

        rc = es__fail(ES_ERR_UNSUPPORTED, "not an SM2 key but %s", type ? type : "unknown");
        goto end;
    }
    if (!on_sm2_curve(pkey)) {
        rc = es__fail_ossl(ES_ERR_UNSUPPORTED, "EC key is not on the SM2 curve");
        goto end;
    }
    priv = pkey_has_private(pkey);
    es__ossl_clear();
    if (EVP_PKEY_is_a(pkey, "SM2")) {
        sm2 = pkey;
        pkey = NULL;
    } else if ((rc = ec_to_sm2(pkey, priv, &sm2)) != ES_OK) {
        goto end;
    }
    k = OPENSSL_zalloc(sizeof(*k));
    if (k == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a key");
        goto end;
    }
    k->pkey = sm2;
    k->has_private = priv;
    k->alg = ES_KEY_SM2;
    sm2 = NULL;
    es__sm2_key_attach(k); /* fast-SM2 caches; the key works without them */
    *out = k;
end:
    EVP_PKEY_free(sm2);
    EVP_PKEY_free(pkey);
    return rc;
}

/* P-256 or RSA of a usable size: ES_KEY_SM2 means "not one of those" (es__key_wrap decides). */
static es_key_alg_id other_alg(const EVP_PKEY *pkey, es_err *rc)
{
    char name[80];
    size_t len = 0;
    int bits = EVP_PKEY_get_bits(pkey);

    *rc = ES_OK;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (bits < 2048 || bits > 16384)
            *rc = es__fail(ES_ERR_UNSUPPORTED,
                           "RSA keys of %d bits are not supported (2048 to "
                           "16384)",
                           bits);
        return ES_KEY_RSA;
    }
    if (EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) &&
        (strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0))
        return ES_KEY_EC_P256;
    es__ossl_clear();
    return ES_KEY_SM2;
}

es_err es__key_wrap_any(EVP_PKEY *pkey, es_key **out)
{
    es_err rc;
    es_key *k = NULL;
    es_key_alg_id alg = other_alg(pkey, &rc);

    *out = NULL;
    if (rc != ES_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    if (alg == ES_KEY_SM2) {
        char why[256];

        rc = es__key_wrap(pkey, out);
        if (rc == ES_ERR_UNSUPPORTED) {
            snprintf(why, sizeof(why), "%s", es_errdetail());
            rc = es__fail(rc, "%s (eseal supports SM2, EC P-256 and RSA keys)", why);
        }
        return rc;
    }
    if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL) {
        EVP_PKEY_free(pkey);
        return es__fail(ES_ERR_NOMEM, "cannot allocate a key");
    }
    k->pkey = pkey;
    k->has_private = pkey_has_private(pkey);
    k->alg = alg;
    es__ossl_clear();
    *out = k; /* no fast-SM2 cache: es__sm2_key_attach is for SM2 keys only */
    return ES_OK;
}

es_key_alg_id es_key_alg(const es_key *k)
{
    assert(k != NULL);
    return k->alg;
}

es_err es_key_generate(es_key_alg_id alg, es_key **out)
{
    es_err rc = ES_OK;
    EVP_PKEY *pkey = NULL;

    assert(out != NULL);
    *out = NULL;
    if (alg == ES_KEY_SM2)
        return es_key_generate_sm2(out);
    if (alg == ES_KEY_EC_P256)
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    else if (alg == ES_KEY_RSA)
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    else
        return es__fail(ES_ERR_ARG, "unknown key algorithm %d", (int)alg);
    if (pkey == NULL)
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot generate a %s key",
                           alg == ES_KEY_RSA ? "RSA" : "P-256");
    else
        rc = es__key_wrap_any(pkey, out);
    return rc;
}

es_err es_key_generate_sm2(es_key **out)
{
    es_err rc = ES_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    assert(out != NULL);
    *out = NULL;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &pkey) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot generate an SM2 key");
        goto end;
    }
    rc = es__key_wrap(pkey, out);
    pkey = NULL;
end:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int es_key_has_private(const es_key *k)
{
    assert(k != NULL);
    return k->has_private;
}

EVP_PKEY *es_key_get0_pkey(const es_key *k)
{
    assert(k != NULL);
    return k->pkey;
}

es_err es_key_from_pkey(EVP_PKEY *pkey, es_key **out)
{
    assert(pkey != NULL && out != NULL);
    *out = NULL;
    if (!EVP_PKEY_up_ref(pkey))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot reference key");
    return es__key_wrap_any(pkey, out);
}

es_err es_key_from_cert(const X509 *cert, es_key **out)
{
    EVP_PKEY *pkey;

    assert(cert != NULL && out != NULL);
    *out = NULL;
    pkey = X509_get0_pubkey(cert);
    if (pkey == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "cannot decode the certificate's public key");
    return es_key_from_pkey(pkey, out);
}

/*
 * 1 if cert's SubjectPublicKeyInfo (which OpenSSL decoded) is id-ecPublicKey on the named SM2
 * curve with k's validated point, uncompressed: then EVP_PKEY_eq of the two is 1, and this reads
 * the bytes the certificate holds instead of comparing groups and points (0.62 us, twice per
 * PDF signature). 0 leaves the question to EVP_PKEY_eq.
 */
static int same_sm2_point(const es_key *k, const X509 *cert)
{
    X509_PUBKEY *xpk = X509_get_X509_PUBKEY(cert);
    const ASN1_OBJECT *alg = NULL;
    const unsigned char *pt = NULL;
    const void *param = NULL;
    X509_ALGOR *a = NULL;
    int ptlen = 0, ptype = V_ASN1_UNDEF;

    if (k->alg != ES_KEY_SM2 || k->sm2 == NULL || xpk == NULL ||
        !X509_PUBKEY_get0_param(NULL, &pt, &ptlen, &a, xpk))
        return 0;
    X509_ALGOR_get0(&alg, &ptype, &param, a);
    return OBJ_obj2nid(alg) == NID_X9_62_id_ecPublicKey && ptype == V_ASN1_OBJECT &&
           OBJ_obj2nid(param) == NID_sm2 && ptlen == 65 && pt[0] == 0x04 &&
           memcmp(pt + 1, k->sm2->pub_xy, 64) == 0;
}

es_err es_key_match_cert(const es_key *k, const X509 *cert)
{
    es_err rc;
    es_key *ck = NULL;
    EVP_PKEY *pk;

    assert(k != NULL && cert != NULL);
    /* The certificate caches its decoded key: equal to it, no decoding is needed. Otherwise a
     * key of our own from the certificate says why they differ (or that its kind is wrong). */
    if ((pk = X509_get0_pubkey(cert)) != NULL &&
        (pk == k->pkey || same_sm2_point(k, cert) || EVP_PKEY_eq(k->pkey, pk) == 1))
        return ES_OK;
    es__ossl_clear();
    rc = es_key_from_cert(cert, &ck);
    if (rc == ES_ERR_UNSUPPORTED)
        rc = es__fail(ES_ERR_KEY_MISMATCH, "the certificate's key is of an unsupported kind");
    else if (rc == ES_OK && EVP_PKEY_eq(k->pkey, ck->pkey) != 1)
        rc = es__fail(ES_ERR_KEY_MISMATCH, "the key does not belong to the certificate");
    es__ossl_clear();
    es_key_free(ck);
    return rc;
}

void es_key_free(es_key *k)
{
    if (k == NULL)
        return;
    es__sm2_key_detach(k);
    /* EVP_PKEY_free wipes the private scalar (OpenSSL keeps it in a cleared BIGNUM). */
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k);
}
