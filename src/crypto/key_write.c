/* Writing keys: PKCS#8 (plain and encrypted with SM4-CBC), SEC1 (EC only) and SPKI, PEM or DER. */
#include <assert.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/key_local.h"
#include "eseal_local.h"

/* Encrypted PKCS#8 output: PBES2 with SM4-CBC and PBKDF2-HMAC-SHA256. */
#define PBE_CIPHER   "SM4-CBC"
#define PBE_ITER     100000
#define PBE_SALT_LEN 16

/* Copy a memory BIO's contents to out. */
static es_err bio_to_buf(BIO *bio, es_buf *out)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);

    if (len < 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot read a memory BIO");
    return es_buf_set(out, data, (size_t)len);
}

/* Copy DER from OpenSSL (len < 0: the i2d call failed) to out, wiping and freeing it. */
static es_err der_to_buf(unsigned char *der, int len, const char *what, es_buf *out)
{
    es_err rc;

    if (len <= 0 || der == NULL)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode %s", what);
    rc = es_buf_set(out, der, (size_t)len);
    OPENSSL_clear_free(der, (size_t)len);
    return rc;
}

static es_err encrypt_pkcs8(PKCS8_PRIV_KEY_INFO *p8, const char *pass, X509_SIG **sig)
{
    es_err rc = ES_OK;
    EVP_CIPHER *cipher = NULL;
    X509_ALGOR *pbe = NULL;

    cipher = EVP_CIPHER_fetch(NULL, PBE_CIPHER, NULL);
    if (cipher == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot fetch %s", PBE_CIPHER);
        goto end;
    }
    /* NULL salt and IV: OpenSSL draws them from its CSPRNG. */
    pbe =
        PKCS5_pbe2_set_iv_ex(cipher, PBE_ITER, NULL, PBE_SALT_LEN, NULL, NID_hmacWithSHA256, NULL);
    if (pbe == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up PBES2");
        goto end;
    }
    *sig = PKCS8_set0_pbe_ex(pass, (int)strlen(pass), p8, pbe, NULL, NULL);
    if (*sig == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encrypt the key");
        goto end;
    }
    pbe = NULL;
end:
    X509_ALGOR_free(pbe);
    EVP_CIPHER_free(cipher);
    return rc;
}

static es_err write_epkcs8(PKCS8_PRIV_KEY_INFO *p8, int pem, const char *pass, es_buf *out)
{
    es_err rc = ES_OK;
    X509_SIG *sig = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;

    if ((rc = encrypt_pkcs8(p8, pass, &sig)) != ES_OK)
        goto end;
    if (!pem) {
        int len = i2d_X509_SIG(sig, &der);

        rc = der_to_buf(der, len, "the encrypted key", out);
        goto end;
    }
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_PKCS8(bio, sig)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot write the encrypted key");
        goto end;
    }
    rc = bio_to_buf(bio, out);
end:
    BIO_free(bio);
    X509_SIG_free(sig);
    return rc;
}

static es_err write_pkcs8(const es_key *k, int pem, const char *pass, es_buf *out)
{
    es_err rc = ES_OK;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;

    p8 = EVP_PKEY2PKCS8(k->pkey);
    if (p8 == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the key as PKCS#8");
        goto end;
    }
    if (pass != NULL) {
        rc = write_epkcs8(p8, pem, pass, out);
        goto end;
    }
    if (!pem) {
        int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);

        rc = der_to_buf(der, len, "the key", out);
        goto end;
    }
    /* A secure-memory BIO wipes what it held when freed. */
    bio = BIO_new(BIO_s_secmem());
    if (bio == NULL || !PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot write the key");
        goto end;
    }
    rc = bio_to_buf(bio, out);
end:
    BIO_free(bio);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

/* SEC1 ECPrivateKey; OpenSSL would label SM2 keys "SM2 PRIVATE KEY", others expect "EC". */
static es_err write_sec1(const es_key *k, int pem, es_buf *out)
{
    es_err rc = ES_OK;
    unsigned char *der = NULL;
    int len;
    BIO *bio = NULL;

    len = i2d_PrivateKey(k->pkey, &der);
    if (!pem || len <= 0)
        return der_to_buf(der, len, "the key as SEC1", out);
    bio = BIO_new(BIO_s_secmem());
    if (bio == NULL || !PEM_write_bio(bio, "EC PRIVATE KEY", "", der, len)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot write the key");
        goto end;
    }
    rc = bio_to_buf(bio, out);
end:
    BIO_free(bio);
    OPENSSL_clear_free(der, (size_t)len);
    return rc;
}

es_err es_key_write_private(const es_key *k, es_key_format fmt, const char *pass, es_buf *out)
{
    assert(k != NULL && out != NULL);
    out->data = NULL;
    out->len = 0;
    if (!k->has_private)
        return es__fail(ES_ERR_ARG, "the key has no private part");
    if (pass != NULL && pass[0] == '\0')
        return es__fail(ES_ERR_ARG, "empty password");
    switch (fmt) {
    case ES_KEY_PKCS8_PEM:
    case ES_KEY_PKCS8_DER:
        return write_pkcs8(k, fmt == ES_KEY_PKCS8_PEM, pass, out);
    case ES_KEY_SEC1_PEM:
    case ES_KEY_SEC1_DER:
        if (pass != NULL)
            return es__fail(ES_ERR_ARG, "SEC1 keys cannot be written with a password");
        if (k->alg == ES_KEY_RSA)
            return es__fail(ES_ERR_ARG, "SEC1 is for EC keys: write an RSA key as PKCS#8");
        return write_sec1(k, fmt == ES_KEY_SEC1_PEM, out);
    default:
        return es__fail(ES_ERR_ARG, "unknown key format %d", (int)fmt);
    }
}

es_err es_key_write_public(const es_key *k, int pem, es_buf *out)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    unsigned char *der = NULL;

    assert(k != NULL && out != NULL);
    out->data = NULL;
    out->len = 0;
    if (!pem) {
        int len = i2d_PUBKEY(k->pkey, &der);

        return der_to_buf(der, len, "the public key", out);
    }
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_PUBKEY(bio, k->pkey)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot write the public key");
        goto end;
    }
    rc = bio_to_buf(bio, out);
end:
    BIO_free(bio);
    return rc;
}
