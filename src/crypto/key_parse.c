/* Parsing keys (SM2, P-256, RSA): PKCS#8 (plain and encrypted), SEC1, SPKI, PEM or DER, bounded. */
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

/* What a PEM label or a DER structure says the key is. */
typedef enum key_kind { KIND_NONE, KIND_PKCS8, KIND_EPKCS8, KIND_SEC1, KIND_SPKI } key_kind;

es_err es__pbe_check_iter(const ASN1_INTEGER *iter)
{
    int64_t v = 1;

    if (iter != NULL && !ASN1_INTEGER_get_int64(&v, iter)) {
        es__ossl_clear();
        return es__fail(ES_ERR_LIMIT, "password-based iteration count too large");
    }
    if (v > ES__PBE_MAX_ITER)
        return es__fail(ES_ERR_LIMIT, "password-based iteration count %lld exceeds %d",
                        (long long)v, ES__PBE_MAX_ITER);
    return ES_OK;
}

/* PBES2 with PBKDF2: the count is in PBKDF2-params. scrypt is bounded by OpenSSL's maxmem. */
static es_err pbes2_check(const ASN1_TYPE *param)
{
    es_err rc = ES_OK;
    PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), param);
    PBKDF2PARAM *kdf = NULL;

    if (pbe2 == NULL || pbe2->keyfunc == NULL)
        goto end;
    if (OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2)
        goto end;
    kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter);
    if (kdf != NULL)
        rc = es__pbe_check_iter(kdf->iter);
end:
    /* Malformed parameters are left for OpenSSL to report when it decrypts. */
    es__ossl_clear();
    PBKDF2PARAM_free(kdf);
    PBE2PARAM_free(pbe2);
    return rc;
}

es_err es__pbe_check(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *oid = NULL;
    const void *pval = NULL;
    int ptype = 0;
    PBEPARAM *pbe;
    es_err rc;

    X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    if (ptype != V_ASN1_SEQUENCE)
        return ES_OK;
    if (OBJ_obj2nid(oid) == NID_pbes2)
        return pbes2_check(alg->parameter);
    /* PKCS#5 v1 and PKCS#12 PBE algorithms share PBEParameter { salt, iterationCount }. */
    pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
    rc = pbe != NULL ? es__pbe_check_iter(pbe->iter) : ES_OK;
    es__ossl_clear();
    PBEPARAM_free(pbe);
    return rc;
}

/* Decrypt an EncryptedPrivateKeyInfo; any failure means the password is wrong or missing. */
static es_err decrypt_pkcs8(const X509_SIG *sig, const char *pass, PKCS8_PRIV_KEY_INFO **p8)
{
    const X509_ALGOR *alg = NULL;
    es_err rc;

    X509_SIG_get0(sig, &alg, NULL);
    if ((rc = es__pbe_check(alg)) != ES_OK)
        return rc;
    if (pass == NULL)
        return es__fail(ES_ERR_PASSWORD, "the key is encrypted and no password was given");
    *p8 = PKCS8_decrypt_ex(sig, pass, (int)strlen(pass), NULL, NULL);
    if (*p8 == NULL)
        return es__fail_ossl(ES_ERR_PASSWORD, "cannot decrypt the key (wrong password?)");
    return ES_OK;
}

/* A well-formed PrivateKeyInfo whose key OpenSSL cannot decode: foreign algorithm or bad key. */
static es_err pkcs8_failure(const PKCS8_PRIV_KEY_INFO *p8)
{
    const ASN1_OBJECT *alg = NULL;
    int nid;

    PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8);
    nid = OBJ_obj2nid(alg);
    if (nid != NID_X9_62_id_ecPublicKey && nid != NID_sm2 && nid != NID_rsaEncryption)
        return es__fail_ossl(ES_ERR_UNSUPPORTED, "unsupported key algorithm %s",
                             nid != NID_undef ? OBJ_nid2sn(nid) : "(unknown)");
    return es__fail_ossl(ES_ERR_FORMAT, "cannot decode the PKCS#8 key");
}

static es_err decode_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, EVP_PKEY **pkey)
{
    *pkey = EVP_PKCS82PKEY_ex(p8, NULL, NULL);
    if (*pkey == NULL)
        return pkcs8_failure(p8);
    return ES_OK;
}

/* Decode DER with OpenSSL's decoders for the given structure, requiring all bytes used. */
static es_err decode_with(const char *structure, int sel, const uint8_t *der, size_t n,
                          EVP_PKEY **pkey)
{
    es_err rc = ES_OK;
    OSSL_DECODER_CTX *dctx = NULL;
    const unsigned char *p = der;
    size_t left = n;

    dctx = OSSL_DECODER_CTX_new_for_pkey(pkey, "DER", structure, NULL, sel, NULL, NULL);
    if (dctx == NULL) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot set up a key decoder");
        goto end;
    }
    if (!OSSL_DECODER_from_data(dctx, &p, &left) || *pkey == NULL) {
        rc = es__fail_ossl(ES_ERR_FORMAT, "cannot decode the %s key", structure);
        goto end;
    }
    if (left != 0) {
        rc = es__fail(ES_ERR_FORMAT, "%zu bytes after the key", left);
        goto end;
    }
end:
    if (rc != ES_OK) {
        EVP_PKEY_free(*pkey);
        *pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return rc;
}

/*
 * SEC1 ECPrivateKey. A structure error is ES_ERR_FORMAT; a well-formed key on an unknown curve
 * also fails to decode and is reported as malformed too (OpenSSL does not tell them apart).
 */
static es_err decode_sec1(const uint8_t *der, size_t n, EVP_PKEY **pkey)
{
    return decode_with("type-specific", EVP_PKEY_KEYPAIR, der, n, pkey);
}

static es_err decode_spki(const uint8_t *der, size_t n, EVP_PKEY **pkey)
{
    return decode_with("SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY, der, n, pkey);
}

/* Encrypted or plain PKCS#8 DER (kind says which) to a key. */
static es_err decode_p8_der(key_kind kind, const uint8_t *der, size_t n, const char *pass,
                            EVP_PKEY **pkey)
{
    es_err rc = ES_OK;
    X509_SIG *sig = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    const unsigned char *p = der;

    if (kind == KIND_EPKCS8) {
        sig = d2i_X509_SIG(NULL, &p, (long)n);
        if (sig == NULL || p != der + n) {
            rc = es__fail_ossl(ES_ERR_FORMAT, "malformed EncryptedPrivateKeyInfo");
            goto end;
        }
        if ((rc = decrypt_pkcs8(sig, pass, &p8)) != ES_OK)
            goto end;
    } else {
        p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)n);
        if (p8 == NULL || p != der + n) {
            rc = es__fail_ossl(ES_ERR_FORMAT, "malformed PrivateKeyInfo");
            goto end;
        }
    }
    rc = decode_pkcs8(p8, pkey);
end:
    X509_SIG_free(sig);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

static es_err decode_kind(key_kind kind, const uint8_t *der, size_t n, const char *pass,
                          EVP_PKEY **pkey)
{
    switch (kind) {
    case KIND_PKCS8:
    case KIND_EPKCS8:
        return decode_p8_der(kind, der, n, pass, pkey);
    case KIND_SEC1:
        return decode_sec1(der, n, pkey);
    case KIND_SPKI:
        return decode_spki(der, n, pkey);
    default:
        return es__fail(ES_ERR_INTERNAL, "bad key kind %d", (int)kind);
    }
}

/* Which of the four structures DER holds, by parsing its outer structure only. */
static key_kind der_kind(const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    X509_SIG *sig = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    X509_PUBKEY *spki = NULL;
    key_kind kind = KIND_SEC1;

    if ((sig = d2i_X509_SIG(NULL, &p, (long)n)) != NULL && p == der + n)
        kind = KIND_EPKCS8;
    else if ((p = der, p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)n)) != NULL && p == der + n)
        kind = KIND_PKCS8;
    else if ((p = der, spki = d2i_X509_PUBKEY(NULL, &p, (long)n)) != NULL && p == der + n)
        kind = KIND_SPKI;
    X509_SIG_free(sig);
    PKCS8_PRIV_KEY_INFO_free(p8);
    X509_PUBKEY_free(spki);
    es__ossl_clear();
    return kind;
}

static key_kind label_kind(const char *name)
{
    static const struct {
        const char *label;
        key_kind kind;
    } labels[] = {
        {"PRIVATE KEY", KIND_PKCS8},   {"ENCRYPTED PRIVATE KEY", KIND_EPKCS8},
        {"EC PRIVATE KEY", KIND_SEC1}, {"SM2 PRIVATE KEY", KIND_SEC1},
        {"PUBLIC KEY", KIND_SPKI},
    };

    for (size_t i = 0; i < ES__ARRAY_LEN(labels); i++)
        if (strcmp(name, labels[i].label) == 0)
            return labels[i].kind;
    return KIND_NONE;
}

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
    size_t len = strlen(u);

    if (len > (size_t)size)
        return -1;
    memcpy(buf, u, len);
    return (int)len;
}

/* Undo legacy PEM encryption ("Proc-Type: 4,ENCRYPTED"), as `openssl ec -aes256` writes. */
static es_err pem_decrypt(const char *header, unsigned char *data, long *len, const char *pass)
{
    EVP_CIPHER_INFO ci;

    if (!PEM_get_EVP_CIPHER_INFO((char *)header, &ci))
        return es__fail_ossl(ES_ERR_UNSUPPORTED, "unsupported PEM encryption");
    if (ci.cipher == NULL)
        return ES_OK;
    if (pass == NULL)
        return es__fail(ES_ERR_PASSWORD, "the key is encrypted and no password was given");
    if (!PEM_do_header(&ci, data, len, pem_pass_cb, (void *)pass))
        return es__fail_ossl(ES_ERR_PASSWORD, "cannot decrypt the key (wrong password?)");
    return ES_OK;
}

/* The first key block of PEM text: its kind and DER (freed by the caller, wiped). */
static es_err pem_first_key(BIO *bio, key_kind *kind, char **header, unsigned char **der, long *len)
{
    char *name = NULL;

    for (;;) {
        if (!PEM_read_bio(bio, &name, header, der, len))
            return es__fail_ossl(ES_ERR_FORMAT, "no key found in PEM input");
        *kind = label_kind(name);
        OPENSSL_free(name);
        if (*kind != KIND_NONE)
            return ES_OK;
        OPENSSL_free(*header);
        OPENSSL_clear_free(*der, (size_t)*len);
        *header = NULL;
        *der = NULL;
    }
}

static es_err parse_pem(const uint8_t *p, size_t n, const char *pass, EVP_PKEY **pkey)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    char *header = NULL;
    unsigned char *der = NULL;
    long len = 0, dlen;
    key_kind kind = KIND_NONE;

    bio = BIO_new_mem_buf(p, (int)n);
    if (bio == NULL) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a BIO");
        goto end;
    }
    if ((rc = pem_first_key(bio, &kind, &header, &der, &len)) != ES_OK)
        goto end;
    dlen = len;
    if ((rc = pem_decrypt(header, der, &dlen, pass)) != ES_OK)
        goto end;
    rc = decode_kind(kind, der, (size_t)dlen, pass, pkey);
    /* Garbage after a legacy decryption means the password was wrong, not the file. */
    if (rc == ES_ERR_FORMAT && dlen != len)
        rc = es__fail(ES_ERR_PASSWORD, "cannot decrypt the key (wrong password?)");
end:
    OPENSSL_free(header);
    OPENSSL_clear_free(der, (size_t)len);
    BIO_free(bio);
    return rc;
}

/* 1 if p is exactly one DER SEQUENCE: its header's length covers all n bytes. */
static int is_one_sequence(const uint8_t *p, size_t n)
{
    size_t len = 0, hdr = 2, k;

    if (n < 2 || p[0] != 0x30)
        return 0;
    if (p[1] < 0x80)
        return (size_t)p[1] + 2 == n;
    k = p[1] & 0x7f;
    if (k == 0 || k > 4 || n < 2 + k)
        return 0;
    for (size_t i = 0; i < k; i++)
        len = len << 8 | p[2 + i];
    hdr += k;
    return len == n - hdr;
}

int es__is_pem(const uint8_t *p, size_t n)
{
    static const char begin[] = "-----BEGIN ";
    size_t m = sizeof(begin) - 1;

    /* DER may contain the BEGIN text (in a name, say); PEM may have text before the block. */
    if (is_one_sequence(p, n))
        return 0;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(p + i, begin, m) == 0)
            return 1;
    return 0;
}

/* A private key whose stored public point is not d*G (or d out of range) would sign garbage. */
static es_err check_pair(const es_key *k)
{
    es_err rc = ES_OK;
    EVP_PKEY_CTX *ctx;

    if (!k->has_private)
        return ES_OK;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (ctx == NULL)
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a key context");
    else if (EVP_PKEY_pairwise_check(ctx) != 1)
        rc = es__fail_ossl(ES_ERR_FORMAT, "the public key does not match the private key");
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

es_err es_key_parse(const uint8_t *p, size_t n, const char *pass, es_key **out)
{
    es_err rc;
    EVP_PKEY *pkey = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if (n == 0)
        return es__fail(ES_ERR_FORMAT, "empty key");
    if (n > ES_KEY_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "key of %zu bytes exceeds the limit", n);
    if (es__is_pem(p, n))
        rc = parse_pem(p, n, pass, &pkey);
    else
        rc = decode_kind(der_kind(p, n), p, n, pass, &pkey);
    if (rc != ES_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    if ((rc = es__key_wrap_any(pkey, out)) == ES_OK && (rc = check_pair(*out)) != ES_OK) {
        es_key_free(*out);
        *out = NULL;
    }
    return rc;
}

es_err es_key_read_file(const char *path, const char *pass, es_key **out)
{
    es_err rc;
    es_buf b = {0};

    assert(path != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_file_read(path, ES_KEY_MAX_INPUT, &b)) != ES_OK)
        return rc;
    rc = es_key_parse(b.data, b.len, pass, out);
    es_buf_free(&b);
    return rc;
}
