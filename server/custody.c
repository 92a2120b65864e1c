/* Key custody: Argon2id over the PIN, bound to the master secret, es_wrap over the key. */
#include <argon2.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "eseal/crypto.h"
#include "eseal_local.h"

static const char magic[4] = {'E', 'S', 'K', '1'};

/* Bounds an unwrap accepts, so that a tampered blob cannot ask for a huge computation. */
#define MAX_T_COST 16
#define MAX_M_COST (1u << 20)
#define MAX_LANES  8

void custody_params_default(custody_params *p)
{
    p->t_cost = 3;
    p->m_cost_kib = 65536;
    p->lanes = 1;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static es_err check_pin(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0;

    if (n < CUSTODY_PIN_MIN || n > CUSTODY_PIN_MAX)
        return es__fail(ES_ERR_ARG, "a PIN has %d to %d characters", CUSTODY_PIN_MIN,
                        CUSTODY_PIN_MAX);
    return ES_OK;
}

/* kek = HMAC-SM3(secret, Argon2id(pin, salt)). */
static es_err derive(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin,
                     const custody_params *p, const uint8_t salt[CUSTODY_SALT_LEN],
                     uint8_t kek[ES_WRAP_KEK_LEN])
{
    uint8_t stretched[32];
    es_err rc = ES_OK;
    int arc = argon2id_hash_raw(p->t_cost, p->m_cost_kib, p->lanes, pin, strlen(pin), salt,
                                CUSTODY_SALT_LEN, stretched, sizeof(stretched));

    if (arc != ARGON2_OK)
        rc = es__fail(arc == ARGON2_MEMORY_ALLOCATION_ERROR ? ES_ERR_NOMEM : ES_ERR_CRYPTO,
                      "argon2id: %s", argon2_error_message(arc));
    else
        rc = es_hmac_sm3(secret, CUSTODY_SECRET_LEN, stretched, sizeof(stretched), kek);
    es_cleanse(stretched, sizeof(stretched));
    return rc;
}

static es_err wrap_der(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin,
                       const custody_params *p, const void *aad, size_t aadlen, const es_buf *der,
                       es_buf *out)
{
    uint8_t head[CUSTODY_HEAD_LEN], kek[ES_WRAP_KEK_LEN];
    es_buf w = {0};
    es_err rc;

    memcpy(head, magic, 4);
    put32(head + 4, p->t_cost);
    put32(head + 8, p->m_cost_kib);
    put32(head + 12, p->lanes);
    if ((rc = es_random(head + 16, CUSTODY_SALT_LEN)) != ES_OK ||
        (rc = derive(secret, pin, p, head + 16, kek)) != ES_OK ||
        (rc = es_wrap(kek, aad, aadlen, der->data, der->len, &w)) != ES_OK)
        goto end;
    if ((out->data = malloc(sizeof(head) + w.len)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    memcpy(out->data, head, sizeof(head));
    memcpy(out->data + sizeof(head), w.data, w.len);
    out->len = sizeof(head) + w.len;
end:
    es_cleanse(kek, sizeof(kek));
    es_buf_free(&w);
    return rc;
}

es_err custody_wrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin,
                    const custody_params *p, const void *aad, size_t aadlen, const es_key *key,
                    es_buf *out)
{
    es_buf der = {0};
    es_err rc;

    if ((rc = check_pin(pin)) != ES_OK)
        return rc;
    if ((rc = es_key_write_private(key, ES_KEY_PKCS8_DER, NULL, &der)) == ES_OK)
        rc = wrap_der(secret, pin, p, aad, aadlen, &der, out);
    es_buf_free(&der); /* es_buf_free wipes */
    return rc;
}

static es_err unwrap_der(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin, const void *aad,
                         size_t aadlen, const uint8_t *blob, size_t n, es_buf *der)
{
    custody_params p;
    uint8_t kek[ES_WRAP_KEK_LEN];
    es_err rc;

    if (pin == NULL)
        return es__fail(ES_ERR_DECRYPT, "no PIN");
    if (n < CUSTODY_HEAD_LEN || memcmp(blob, magic, 4) != 0)
        return es__fail(ES_ERR_FORMAT, "not a wrapped key (ESK1)");
    p.t_cost = get32(blob + 4);
    p.m_cost_kib = get32(blob + 8);
    p.lanes = get32(blob + 12);
    if (p.t_cost < 1 || p.t_cost > MAX_T_COST || p.m_cost_kib < 8 * p.lanes ||
        p.m_cost_kib > MAX_M_COST || p.lanes < 1 || p.lanes > MAX_LANES)
        return es__fail(ES_ERR_FORMAT, "wrapped key parameters out of bounds");
    if ((rc = derive(secret, pin, &p, blob + 16, kek)) == ES_OK)
        rc = es_unwrap(kek, aad, aadlen, blob + CUSTODY_HEAD_LEN, n - CUSTODY_HEAD_LEN, der);
    es_cleanse(kek, sizeof(kek));
    return rc;
}

es_err custody_unwrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *pin, const void *aad,
                      size_t aadlen, const uint8_t *blob, size_t n, es_key **out)
{
    es_buf der = {0};
    es_err rc;

    *out = NULL;
    if ((rc = unwrap_der(secret, pin, aad, aadlen, blob, n, &der)) == ES_OK)
        rc = es_key_parse(der.data, der.len, NULL, out);
    es_buf_free(&der);
    return rc;
}

es_err custody_rewrap(const uint8_t secret[CUSTODY_SECRET_LEN], const char *old_pin,
                      const char *new_pin, const void *aad, size_t aadlen, const uint8_t *blob,
                      size_t n, es_buf *out)
{
    custody_params p;
    es_buf der = {0};
    es_err rc;

    if ((rc = check_pin(new_pin)) != ES_OK)
        return rc;
    custody_params_default(&p);
    if ((rc = unwrap_der(secret, old_pin, aad, aadlen, blob, n, &der)) == ES_OK)
        rc = wrap_der(secret, new_pin, &p, aad, aadlen, &der, out);
    es_buf_free(&der);
    return rc;
}
