/* The standard security handler's file key: from the user or owner password, R2-R6 (ISO 32000-2
 * 7.6.4.3 algorithms 2, 2.A, 2.B, 4-7, 11, 12). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pdf/pdf_local.h"

static const uint8_t PAD[32] = {0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E,
                                0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68,
                                0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A};

/* What the key computation reads from /Encrypt and the trailer. */
typedef struct enc_dict {
    int v, r, encrypt_metadata;
    long length; /* bits */
    uint32_t p;
    uint8_t o[48], u[48], oe[32], ue[32], id0[256];
    size_t no, nu, noe, nue, nid0;
} enc_dict;

void es__pdf_rc4(const uint8_t *key, size_t nkey, uint8_t *p, size_t n)
{
    uint8_t s[256], t;
    size_t i, j = 0;

    for (i = 0; i < 256; i++)
        s[i] = (uint8_t)i;
    for (i = 0; i < 256; i++) {
        j = (j + s[i] + key[i % nkey]) & 255;
        t = s[i], s[i] = s[j], s[j] = t;
    }
    i = j = 0;
    for (size_t k = 0; k < n; k++) {
        i = (i + 1) & 255;
        j = (j + s[i]) & 255;
        t = s[i], s[i] = s[j], s[j] = t;
        p[k] ^= s[(s[i] + s[j]) & 255];
    }
    OPENSSL_cleanse(s, sizeof(s));
}

/* Digest of up to three parts (NULL parts skipped); the digest's length, 0 on failure. */
static size_t digest(const EVP_MD *md, const void *a, size_t na, const void *b, size_t nb,
                     const void *c, size_t nc, uint8_t *out)
{
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    unsigned n = 0;
    int ok = x != NULL && EVP_DigestInit_ex(x, md, NULL) && EVP_DigestUpdate(x, a, na) &&
             (b == NULL || EVP_DigestUpdate(x, b, nb)) &&
             (c == NULL || EVP_DigestUpdate(x, c, nc)) && EVP_DigestFinal_ex(x, out, &n);

    EVP_MD_CTX_free(x);
    return ok ? n : 0;
}

/* AES-CBC without padding, n a multiple of 16 (the handler's own uses: R6 hash, /UE, /OE). */
static int aes_nopad(int enc, const uint8_t *key, size_t nkey, const uint8_t *iv, const uint8_t *in,
                     size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    int ok = x != NULL &&
             EVP_CipherInit_ex(x, nkey == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(), NULL, key, iv,
                               enc) &&
             EVP_CIPHER_CTX_set_padding(x, 0) && EVP_CipherUpdate(x, out, &l1, in, (int)n) &&
             EVP_CipherFinal_ex(x, out + l1, &l2) && (size_t)(l1 + l2) == n;

    EVP_CIPHER_CTX_free(x);
    return ok;
}

/* Algorithm 2.A/2.B: the R5 (SHA-256) or R6 (iterated) hash of pw || salt || udata. */
static es_err hash_aes(int r, const uint8_t *pw, size_t npw, const uint8_t *salt,
                       const uint8_t *udata, uint8_t out[32])
{
    uint8_t k[64], *k1 = NULL, *e = NULL;
    size_t nk = digest(EVP_sha256(), pw, npw, salt, 8, udata, udata ? 48 : 0, k),
           nu = udata ? 48 : 0;
    size_t len, max = 64 * (127 + 64 + 48);
    es_err rc = ES_OK;

    if (nk == 0)
        return es__fail(ES_ERR_INTERNAL, "SHA-256 failed");
    if (r == 6 && ((k1 = malloc(max)) == NULL || (e = malloc(max)) == NULL))
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    for (int round = 0; r == 6 && rc == ES_OK; round++) {
        unsigned sum = 0;
        len = npw + nk + nu;
        for (size_t i = 0; i < 64; i++) {
            memcpy(k1 + i * len, pw, npw);
            memcpy(k1 + i * len + npw, k, nk);
            if (nu > 0)
                memcpy(k1 + i * len + npw + nk, udata, nu);
        }
        if (!aes_nopad(1, k, 16, k + 16, k1, 64 * len, e)) {
            rc = es__fail(ES_ERR_INTERNAL, "AES failed");
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += e[i];
        nk = digest(sum % 3 == 0   ? EVP_sha256()
                    : sum % 3 == 1 ? EVP_sha384()
                                   : EVP_sha512(),
                    e, 64 * len, NULL, 0, NULL, 0, k);
        if (nk == 0)
            rc = es__fail(ES_ERR_INTERNAL, "SHA-2 failed");
        if (round >= 63 && (int)e[64 * len - 1] <= round - 31)
            break;
    }
    memcpy(out, k, 32);
    OPENSSL_cleanse(k, sizeof(k));
    if (k1 != NULL)
        OPENSSL_cleanse(k1, max);
    free(k1);
    free(e);
    return rc;
}

/* R5/R6 (algorithms 2.A, 11, 12): the user password, then the owner password. */
static es_err key_aes(const enc_dict *ed, const char *password, es__pdf_crypt *c)
{
    uint8_t h[32], ik[32], zero[16] = {0};
    size_t npw = strlen(password) > 127 ? 127 : strlen(password);
    const uint8_t *pw = (const uint8_t *)password;
    es_err rc;

    if (ed->nu < 48 || ed->no < 48 || ed->nue < 32 || ed->noe < 32)
        return es__fail(ES_ERR_FORMAT, "the /Encrypt dictionary's /U, /O, /UE or /OE is short");
    if ((rc = hash_aes(ed->r, pw, npw, ed->u + 32, NULL, h)) != ES_OK)
        return rc;
    if (memcmp(h, ed->u, 32) == 0) {
        rc = hash_aes(ed->r, pw, npw, ed->u + 40, NULL, ik);
        if (rc == ES_OK && !aes_nopad(0, ik, 32, zero, ed->ue, 32, c->key))
            rc = es__fail(ES_ERR_INTERNAL, "AES failed");
    } else if ((rc = hash_aes(ed->r, pw, npw, ed->o + 32, ed->u, h)) == ES_OK &&
               memcmp(h, ed->o, 32) == 0) {
        c->owner = 1;
        rc = hash_aes(ed->r, pw, npw, ed->o + 40, ed->u, ik);
        if (rc == ES_OK && !aes_nopad(0, ik, 32, zero, ed->oe, 32, c->key))
            rc = es__fail(ES_ERR_INTERNAL, "AES failed");
    } else if (rc == ES_OK) {
        rc = es__fail(ES_ERR_PASSWORD, "the password is wrong");
    }
    c->nkey = 32;
    OPENSSL_cleanse(ik, sizeof(ik));
    return rc;
}

/* Algorithm 2: the key from a padded 32-byte password. */
static int key_rc4(const enc_dict *ed, const uint8_t padded[32], uint8_t *key, size_t n)
{
    uint8_t h[16], pe[4] = {(uint8_t)ed->p, (uint8_t)(ed->p >> 8), (uint8_t)(ed->p >> 16),
                            (uint8_t)(ed->p >> 24)};
    static const uint8_t ff[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    int ok = x != NULL && EVP_DigestInit_ex(x, EVP_md5(), NULL) &&
             EVP_DigestUpdate(x, padded, 32) && EVP_DigestUpdate(x, ed->o, 32) &&
             EVP_DigestUpdate(x, pe, 4) && EVP_DigestUpdate(x, ed->id0, ed->nid0) &&
             (ed->r < 4 || ed->encrypt_metadata || EVP_DigestUpdate(x, ff, 4)) &&
             EVP_DigestFinal_ex(x, h, NULL);

    EVP_MD_CTX_free(x);
    for (int i = 0; ok && ed->r >= 3 && i < 50; i++)
        ok = digest(EVP_md5(), h, n, NULL, 0, NULL, 0, h) == 16;
    memcpy(key, h, n);
    OPENSSL_cleanse(h, sizeof(h));
    return ok;
}

/* Algorithms 4 and 5: 1 when key opens /U. */
static int user_ok(const enc_dict *ed, const uint8_t *key, size_t n)
{
    uint8_t x[32], k[16];

    if (ed->r == 2) {
        memcpy(x, PAD, 32);
        es__pdf_rc4(key, n, x, 32);
        return memcmp(x, ed->u, 32) == 0;
    }
    if (digest(EVP_md5(), PAD, 32, ed->id0, ed->nid0, NULL, 0, x) != 16)
        return 0;
    for (int i = 0; i < 20; i++) {
        for (size_t j = 0; j < n; j++)
            k[j] = (uint8_t)(key[j] ^ i);
        es__pdf_rc4(k, n, x, 16);
    }
    return memcmp(x, ed->u, 16) == 0;
}

static void pad_password(const char *pw, uint8_t out[32])
{
    size_t n = strlen(pw) > 32 ? 32 : strlen(pw);

    memcpy(out, pw, n);
    memcpy(out + n, PAD, 32 - n);
}

/* R2-R4: the user password, then the owner password (algorithm 7 recovers the user's). */
static es_err key_legacy(const enc_dict *ed, const char *password, es__pdf_crypt *c)
{
    size_t n = ed->v == 1 ? 5 : ed->v == 4 ? 16 : (size_t)ed->length / 8;
    uint8_t pad[32], h[16], rk[16];
    int ok;

    if (n < 5 || n > 16 || ed->length % 8 != 0)
        return es__fail(ES_ERR_UNSUPPORTED, "an RC4 key of %ld bits is not supported", ed->length);
    if (ed->nu < 32 || ed->no < 32)
        return es__fail(ES_ERR_FORMAT, "the /Encrypt dictionary's /U or /O is short");
    c->nkey = n;
    pad_password(password, pad);
    if ((ok = key_rc4(ed, pad, c->key, n)) && user_ok(ed, c->key, n))
        goto end;
    ok = ok && digest(EVP_md5(), pad, 32, NULL, 0, NULL, 0, h) == 16;
    for (int i = 0; ok && ed->r >= 3 && i < 50; i++)
        ok = digest(EVP_md5(), h, 16, NULL, 0, NULL, 0, h) == 16;
    memcpy(pad, ed->o, 32);
    for (int i = ed->r == 2 ? 0 : 19; ok && i >= 0; i--) {
        for (size_t j = 0; j < n; j++)
            rk[j] = (uint8_t)(h[j] ^ i);
        es__pdf_rc4(rk, n, pad, 32);
    }
    c->owner = 1;
    ok = ok && key_rc4(ed, pad, c->key, n) && user_ok(ed, c->key, n);
end:
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(h, sizeof(h));
    OPENSSL_cleanse(rk, sizeof(rk));
    return ok ? ES_OK : es__fail(ES_ERR_PASSWORD, "the password is wrong");
}

static size_t get_bytes(qpdf_data q, qpdf_oh dict, const char *key, uint8_t *out, size_t max)
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    size_t n = 0;
    const char *s = qpdf_oh_is_string(q, v) ? qpdf_oh_get_binary_string_value(q, v, &n) : NULL;

    n = s == NULL ? 0 : n > max ? max : n;
    if (n > 0)
        memcpy(out, s, n);
    qpdf_oh_release(q, v);
    return n;
}

/* The method of crypt filter name (V4/V5 /StmF, /StrF); Identity when absent. */
static es_err filter_method(qpdf_data q, qpdf_oh enc, const char *key, es__pdf_cm *m)
{
    qpdf_oh name = qpdf_oh_get_key(q, enc, key), cf = qpdf_oh_get_key(q, enc, "/CF"), f;
    const char *n = qpdf_oh_is_name(q, name) ? qpdf_oh_get_name(q, name) : "/Identity";
    es_err rc = ES_OK;

    f = qpdf_oh_get_key(q, cf, n);
    *m = ES__PDF_CM_NONE;
    if (strcmp(n, "/Identity") == 0 || es__pdf_name_is(q, f, "/CFM", "None"))
        *m = ES__PDF_CM_NONE;
    else if (es__pdf_name_is(q, f, "/CFM", "V2"))
        *m = ES__PDF_CM_RC4;
    else if (es__pdf_name_is(q, f, "/CFM", "AESV2"))
        *m = ES__PDF_CM_AES128;
    else if (es__pdf_name_is(q, f, "/CFM", "AESV3"))
        *m = ES__PDF_CM_AES256;
    else
        rc = es__fail(ES_ERR_UNSUPPORTED, "the crypt filter %s is not supported", n);
    qpdf_oh_release(q, f);
    qpdf_oh_release(q, cf);
    qpdf_oh_release(q, name);
    es__pdf_qpdf_clear(q);
    return rc;
}

static es_err read_dict(qpdf_data q, qpdf_oh t, qpdf_oh enc, enc_dict *ed, es__pdf_crypt *c)
{
    qpdf_oh id = qpdf_oh_get_key(q, t, "/ID"), id0 = qpdf_oh_get_array_item(q, id, 0), em;
    es_err rc = ES_OK;

    if (!es__pdf_name_is(q, enc, "/Filter", "Standard"))
        rc = es__fail(ES_ERR_UNSUPPORTED,
                      "the PDF is encrypted with a public-key or custom security handler: only "
                      "the standard (password) security handler is supported");
    ed->v = (int)es__pdf_num(q, enc, "/V", 0);
    ed->r = (int)es__pdf_num(q, enc, "/R", 0);
    ed->length = (long)es__pdf_num(q, enc, "/Length", 40);
    ed->p = (uint32_t)(int64_t)es__pdf_num(q, enc, "/P", 0);
    em = qpdf_oh_get_key(q, enc, "/EncryptMetadata");
    ed->encrypt_metadata = !qpdf_oh_is_bool(q, em) || qpdf_oh_get_bool_value(q, em);
    qpdf_oh_release(q, em);
    ed->no = get_bytes(q, enc, "/O", ed->o, sizeof(ed->o));
    ed->nu = get_bytes(q, enc, "/U", ed->u, sizeof(ed->u));
    ed->noe = get_bytes(q, enc, "/OE", ed->oe, sizeof(ed->oe));
    ed->nue = get_bytes(q, enc, "/UE", ed->ue, sizeof(ed->ue));
    if (qpdf_oh_is_string(q, id0)) {
        const char *s = qpdf_oh_get_binary_string_value(q, id0, &ed->nid0);
        ed->nid0 = s == NULL ? 0 : ed->nid0 > sizeof(ed->id0) ? sizeof(ed->id0) : ed->nid0;
        if (ed->nid0 > 0)
            memcpy(ed->id0, s, ed->nid0);
    }
    qpdf_oh_release(q, id0);
    qpdf_oh_release(q, id);
    es__pdf_qpdf_clear(q);
    if (rc == ES_OK && !((ed->v == 1 && ed->r == 2) || (ed->v == 2 && ed->r == 3) ||
                         (ed->v == 4 && ed->r == 4) || (ed->v == 5 && (ed->r == 5 || ed->r == 6))))
        rc = es__fail(ES_ERR_UNSUPPORTED, "standard security handler V%d R%d is not supported",
                      ed->v, ed->r);
    c->r = ed->r;
    c->p = ed->p;
    c->stm = c->str = ed->v < 4 ? ES__PDF_CM_RC4 : ES__PDF_CM_NONE;
    if (rc == ES_OK && ed->v >= 4 && (rc = filter_method(q, enc, "/StmF", &c->stm)) == ES_OK)
        rc = filter_method(q, enc, "/StrF", &c->str);
    return rc;
}

es_err es__pdf_crypt_init(qpdf_data q, const char *password, es__pdf_crypt *c)
{
    qpdf_oh t = qpdf_get_trailer(q), enc = qpdf_oh_get_key(q, t, "/Encrypt");
    enc_dict ed;
    es_err rc;

    memset(c, 0, sizeof(*c));
    memset(&ed, 0, sizeof(ed));
    if (!qpdf_oh_is_dictionary(q, enc))
        rc = es__fail(ES_ERR_FORMAT, "the trailer's /Encrypt is not a dictionary");
    else if ((rc = read_dict(q, t, enc, &ed, c)) != ES_OK)
        ;
    else if (password == NULL)
        rc = es__fail(ES_ERR_PASSWORD,
                      "the PDF is encrypted: its user or owner password is needed to sign it");
    else if (ed.r >= 5)
        rc = key_aes(&ed, password, c);
    else
        rc = key_legacy(&ed, password, c);
    qpdf_oh_release(q, enc);
    qpdf_oh_release(q, t);
    es__pdf_qpdf_clear(q);
    if (rc != ES_OK)
        OPENSSL_cleanse(c, sizeof(*c));
    return rc;
}
