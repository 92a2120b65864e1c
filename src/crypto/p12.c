/* PKCS#12 parsing, including the legacy RC2/3DES bags that Chinese CA tools still write. */
#include <assert.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "crypto/key_local.h"
#include "eseal_local.h"

static CRYPTO_ONCE providers_once = CRYPTO_ONCE_STATIC_INIT;
/* Held for the life of the process (never unloaded: other threads may be using them). */
static OSSL_PROVIDER *legacy_provider, *default_provider;

/*
 * RC2-40 and 3DES-PBE live in the "legacy" provider. Loading a provider explicitly stops OpenSSL
 * from loading "default" implicitly, so load both (retain_fallbacks keeps default's algorithms).
 * If "legacy" is missing, modern PKCS#12 files still work; old ones fail with OpenSSL's detail.
 */
static void load_providers(void)
{
    legacy_provider = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
    default_provider = OSSL_PROVIDER_try_load(NULL, "default", 1);
    ERR_clear_error();
}

/* Key bags' password-hashing cost, also inside nested SafeContents. */
static es_err check_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, int depth)
{
    es_err rc = ES_OK;

    for (int i = 0; rc == ES_OK && i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        const X509_ALGOR *alg = NULL;

        if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
            X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
            rc = es__pbe_check(alg);
        } else if (PKCS12_SAFEBAG_get_nid(bag) == NID_safeContentsBag && depth < 8) {
            rc = check_bags(PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
        }
    }
    return rc;
}

static es_err check_safe(PKCS7 *p7)
{
    es_err rc;
    STACK_OF(PKCS12_SAFEBAG) * bags;

    if (PKCS7_type_is_encrypted(p7) && p7->d.encrypted != NULL && p7->d.encrypted->enc_data != NULL)
        return es__pbe_check(p7->d.encrypted->enc_data->algorithm);
    if (!PKCS7_type_is_data(p7))
        return ES_OK;
    if ((bags = PKCS12_unpack_p7data(p7)) == NULL)
        return ES_OK;
    rc = check_bags(bags, 0);
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    return rc;
}

/*
 * Refuse a file that asks for absurd amounts of password hashing before doing any. Bags inside
 * encrypted content are only seen after decryption, which needs the right password.
 */
static es_err check_cost(const PKCS12 *p12)
{
    es_err rc = ES_OK;
    const ASN1_INTEGER *iter = NULL;
    STACK_OF(PKCS7) *safes = NULL;

    if (PKCS12_mac_present(p12)) {
        PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
        if ((rc = es__pbe_check_iter(iter)) != ES_OK)
            return rc;
    }
    /* Structure errors are left for PKCS12_parse to report. */
    if ((safes = PKCS12_unpack_authsafes(p12)) != NULL)
        for (int i = 0; rc == ES_OK && i < sk_PKCS7_num(safes); i++)
            rc = check_safe(sk_PKCS7_value(safes, i));
    es__ossl_clear();
    sk_PKCS7_pop_free(safes, PKCS7_free);
    return rc;
}

/*
 * OpenSSL 3.0's PKCS12_parse refuses a file without a MAC (openssl pkcs12 -nomac) whenever a
 * password is given. Such a file has no integrity to check, so give it a throwaway MAC under
 * the same password (one iteration: it protects nothing) and let PKCS12_parse go on.
 */
static es_err add_mac(PKCS12 *p12, const char *pass)
{
    if (!PKCS12_set_mac(p12, pass, -1, NULL, 0, 1, EVP_sha256()))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot prepare a PKCS#12 file without MAC");
    return ES_OK;
}

/* MAC check first: that is what tells a wrong password from a broken file. */
static es_err check_mac(PKCS12 *p12, const char **pass)
{
    es__ossl_clear();
    if (PKCS12_verify_mac(p12, *pass, -1))
        return ES_OK;
    /* An empty password may have been applied as "" or as no password at all. */
    if ((*pass)[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0)) {
        *pass = NULL;
        es__ossl_clear();
        return ES_OK;
    }
    /* A mismatch leaves no error; an unknown MAC digest or a bad MAC structure does. */
    if (ERR_peek_error() == 0)
        return es__fail(ES_ERR_PASSWORD, "PKCS#12 MAC does not verify (wrong password?)");
    return es__fail_ossl(ES_ERR_UNSUPPORTED, "cannot check the PKCS#12 MAC");
}

/* The class of a PKCS12_parse failure after the MAC (if any) verified. */
static es_err parse_failure(int had_mac)
{
    unsigned long first = ERR_peek_error(), last = ERR_peek_last_error();

    /* An algorithm no loaded provider implements, e.g. RC2 without the legacy provider. */
    if (ERR_GET_REASON(first) == ERR_R_UNSUPPORTED || ERR_GET_REASON(last) == ERR_R_UNSUPPORTED)
        return es__fail_ossl(ES_ERR_UNSUPPORTED, "unsupported algorithm in the PKCS#12 file");
    /* Without a MAC, failing to decrypt the bags is the only sign of a wrong password. */
    return es__fail_ossl(had_mac ? ES_ERR_FORMAT : ES_ERR_PASSWORD,
                         "cannot decrypt or decode the PKCS#12 contents");
}

static es_err set_ids(X509 *cert, STACK_OF(X509) * ca)
{
    es_err rc = es_cert_set_sm2_id(cert, NULL, 0);

    for (int i = 0; rc == ES_OK && i < sk_X509_num(ca); i++)
        rc = es_cert_set_sm2_id(sk_X509_value(ca, i), NULL, 0);
    return rc;
}

static es_err decode(const uint8_t *p, size_t n, PKCS12 **p12)
{
    const unsigned char *q = p;

    if (n == 0)
        return es__fail(ES_ERR_FORMAT, "empty PKCS#12 input");
    if (n > ES_KEY_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "PKCS#12 input of %zu bytes exceeds the limit", n);
    *p12 = d2i_PKCS12(NULL, &q, (long)n);
    if (*p12 == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "cannot decode PKCS#12");
    if (q != p + n)
        return es__fail(ES_ERR_FORMAT, "%zu bytes after the PKCS#12 data", (size_t)(p + n - q));
    return ES_OK;
}

es_err es_p12_parse(const uint8_t *p, size_t n, const char *pass, es_key **key, X509 **cert,
                    STACK_OF(X509) * *ca)
{
    es_err rc;
    PKCS12 *p12 = NULL;
    EVP_PKEY *pkey = NULL;
    X509 *x = NULL;
    STACK_OF(X509) *others = NULL;
    int had_mac;

    assert((p != NULL || n == 0) && key != NULL && cert != NULL);
    *key = NULL;
    *cert = NULL;
    if (ca != NULL)
        *ca = NULL;
    if (pass == NULL)
        pass = "";
    if (!CRYPTO_THREAD_run_once(&providers_once, load_providers))
        return es__fail_ossl(ES_ERR_INTERNAL, "cannot load OpenSSL providers");
    if ((rc = decode(p, n, &p12)) != ES_OK)
        goto end;
    if ((rc = check_cost(p12)) != ES_OK)
        goto end;
    had_mac = PKCS12_mac_present(p12);
    if ((rc = had_mac ? check_mac(p12, &pass) : add_mac(p12, pass)) != ES_OK)
        goto end;
    if (!PKCS12_parse(p12, pass, &pkey, &x, &others)) {
        rc = parse_failure(had_mac);
        goto end;
    }
    if (pkey == NULL || x == NULL) {
        rc = es__fail(ES_ERR_NOT_FOUND, "the PKCS#12 file holds no %s",
                      pkey == NULL ? "private key" : "certificate for its key");
        goto end;
    }
    if ((rc = set_ids(x, others)) != ES_OK)
        goto end;
    rc = es__key_wrap(pkey, key);
    pkey = NULL;
    if (rc != ES_OK)
        goto end;
    *cert = x;
    x = NULL;
    if (ca != NULL) {
        *ca = others;
        others = NULL;
    }
end:
    EVP_PKEY_free(pkey);
    X509_free(x);
    sk_X509_pop_free(others, X509_free);
    PKCS12_free(p12);
    return rc;
}
