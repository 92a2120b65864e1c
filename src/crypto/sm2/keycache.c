/* Per-key state of the fast SM2 path: validated point, d and (1 + d)^-1, cached Z values. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/sm2/sm2_local.h"
#include "crypto/sm2_digest.h"
#include "eseal_local.h"

/* a = p - 3, b, xG, yG as they enter Z (GB/T 32918.2 5.5). */
static const uint8_t curve_abg[128] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
    0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
    0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7,
    0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
    0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0,
};

/* ENTL is a 16-bit count of bits. */
#define ID_MAX 8191

es_err es__sm2_z_xy(const uint8_t pub_xy[64], const uint8_t *id, size_t idlen, uint8_t z[32])
{
    es_err rc = ES_OK;
    EVP_MD_CTX *ctx;
    uint8_t entl[2] = {(uint8_t)((idlen * 8) >> 8), (uint8_t)(idlen * 8)};

    if (idlen > ID_MAX)
        return es__fail(ES_ERR_ARG, "SM2 ID of %zu bytes is longer than 8191", idlen);
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sm3(), NULL) ||
        !EVP_DigestUpdate(ctx, entl, 2) || !EVP_DigestUpdate(ctx, id, idlen) ||
        !EVP_DigestUpdate(ctx, curve_abg, sizeof(curve_abg)) ||
        !EVP_DigestUpdate(ctx, pub_xy, 64) || !EVP_DigestFinal_ex(ctx, z, NULL))
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot hash the SM2 ID");
    EVP_MD_CTX_free(ctx);
    return rc;
}

es_err es__sm2_z(const struct es__sm2_key *c, const uint8_t *id, size_t idlen, uint8_t z[32])
{
    struct es__sm2_key *m = (struct es__sm2_key *)c; /* only the guarded slot changes */
    int hit = 0;
    es_err rc;

    es__sm2_id(&id, &idlen);
    if (idlen == ES_SM2_DEFAULT_ID_LEN && memcmp(id, ES_SM2_DEFAULT_ID, idlen) == 0) {
        memcpy(z, c->z_default, 32);
        return ES_OK;
    }
    pthread_mutex_lock(m->lock);
    if (m->zid_len == idlen && memcmp(m->zid, id, idlen) == 0) {
        memcpy(z, m->z_other, 32);
        hit = 1;
    }
    pthread_mutex_unlock(m->lock);
    if (hit)
        return ES_OK;
    if ((rc = es__sm2_z_xy(c->pub_xy, id, idlen, z)) != ES_OK)
        return rc;
    if (idlen <= ES__SM2_ZCACHE_ID_MAX) {
        pthread_mutex_lock(m->lock);
        memcpy(m->zid, id, idlen);
        m->zid_len = idlen;
        memcpy(m->z_other, z, 32);
        pthread_mutex_unlock(m->lock);
    }
    return ES_OK;
}

/* d from the key; 1 if present and in [1, n-2] so that 1 + d is invertible. */
static int load_private(struct es__sm2_key *c, EVP_PKEY *pkey)
{
    static const es__fn one = {1, 0, 0, 0};
    BIGNUM *bn = NULL;
    uint8_t b[32];
    es__fn d1;
    int ok = 0;

    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) ||
        BN_bn2binpad(bn, b, 32) != 32 || !es__fn_from_bytes(c->d, b))
        goto end;
    es__fn_add(d1, c->d, one);
    if (es__fn_is_zero(c->d) || es__fn_is_zero(d1))
        goto end;
    es__fn_inv_mont(c->dinv, d1);
    ok = 1;
end:
    OPENSSL_cleanse(b, sizeof(b));
    OPENSSL_cleanse(d1, sizeof(d1));
    BN_clear_free(bn);
    return ok;
}

static int load_public(struct es__sm2_key *c, EVP_PKEY *pkey)
{
    uint8_t enc[80];
    size_t len = 0;

    if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc), &len) ||
        !es__sm2_point_decode(&c->pub, enc, len))
        return 0;
    es__sm2_point_encode(c->pub_xy, &c->pub);
    return 1;
}

void es__sm2_key_attach(es_key *k)
{
    struct es__sm2_key *c = NULL;
    pthread_mutex_t *lock = NULL;

    if (k == NULL || k->pkey == NULL || !EVP_PKEY_is_a(k->pkey, "SM2"))
        return;
    es__sm2_init();
    c = OPENSSL_zalloc(sizeof(*c));
    lock = malloc(sizeof(*lock));
    if (c == NULL || lock == NULL || pthread_mutex_init(lock, NULL) != 0) {
        free(lock);
        lock = NULL;
        goto fail;
    }
    c->lock = lock;
    atomic_init(&c->vtab, NULL);
    atomic_init(&c->nverify, 0);
    if (!load_public(c, k->pkey) || es__sm2_z_xy(c->pub_xy, (const uint8_t *)ES_SM2_DEFAULT_ID,
                                                 ES_SM2_DEFAULT_ID_LEN, c->z_default) != ES_OK)
        goto fail;
    c->has_private = k->has_private && load_private(c, k->pkey);
    k->sm2 = c;
    es__ossl_clear();
    return;
fail:
    /* No fast path for this key: es_sm2_sign / es_sm2_verify use OpenSSL for it. */
    if (lock != NULL) {
        pthread_mutex_destroy(lock);
        free(lock);
    }
    OPENSSL_clear_free(c, sizeof(*c));
    es__ossl_clear();
}

void es__sm2_key_detach(es_key *k)
{
    struct es__sm2_key *c;

    if (k == NULL || (c = k->sm2) == NULL)
        return;
    pthread_mutex_destroy(c->lock);
    free(c->lock);
    OPENSSL_free(atomic_load_explicit(&c->vtab, memory_order_acquire));
    OPENSSL_clear_free(c, sizeof(*c));
    k->sm2 = NULL;
}
