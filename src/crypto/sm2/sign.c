/* SM2 signing and verification on the fast arithmetic (GB/T 32918.2), with hedged nonces. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/sm2/sm2_local.h"
#include "crypto/sm2_digest.h"
#include "eseal_local.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ES__HAVE_MEMCHECK 1
#endif
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static EVP_MD *sm3_md;
static int fast_enabled;

/*
 * Per-thread signing state, so that the server's threads share nothing mutable: two SM3
 * contexts reused from one hash to the next (a context's allocation and provider set-up cost
 * as much as a compression) and a pool of CSPRNG bytes for nonces (one RAND_bytes call costs
 * about as much as 4 compressions whether it yields 32 or 512 bytes).
 */
#define RAND_POOL 512
struct sign_tls {
    EVP_MD_CTX *md[2];
    size_t left; /* unused bytes at the end of pool */
    uint8_t pool[RAND_POOL];
};
static pthread_key_t tls_key;

/* CPUID leaf 7: EBX bit 8 is BMI2 (MULX), bit 19 ADX (clang 14 has no "adx" cpu_supports). */
static int cpu_has_mulx(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;

    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return (b >> 8 & 1) && (b >> 19 & 1);
#endif
    return 0;
}

static void tls_free(void *v)
{
    struct sign_tls *t = v;

    EVP_MD_CTX_free(t->md[0]);
    EVP_MD_CTX_free(t->md[1]);
    OPENSSL_clear_free(t, sizeof(*t));
}

static void init(void)
{
    const char *sel = getenv("ESEAL_SM2");

    es__fp_use_mulx = cpu_has_mulx();
#if defined(__x86_64__)
    es__sm2_use_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
#if defined(__x86_64__)
    fast_enabled = 1;
#endif
    if (sel != NULL && strcmp(sel, "openssl") == 0)
        fast_enabled = 0;
    if (sel != NULL && strcmp(sel, "portable") == 0) {
        es__fp_use_mulx = 0;
        es__sm2_use_avx2 = 0;
    }
    /* Fetched once: an implicit fetch per hash costs a lock and a lookup. */
    sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
    if (sm3_md == NULL || pthread_key_create(&tls_key, tls_free) != 0)
        fast_enabled = 0;
    es__ossl_clear();
}

void es__sm2_init(void)
{
    pthread_once(&init_once, init);
}

int es__sm2_fast_enabled(void)
{
    es__sm2_init();
    return fast_enabled;
}

void es__sm2_declassify(const void *v, size_t n)
{
#ifdef ES__HAVE_MEMCHECK
    (void)VALGRIND_MAKE_MEM_DEFINED(v, n);
#else
    (void)v;
    (void)n;
#endif
}

/* This thread's state, made on its first signature; NULL only when out of memory. */
static struct sign_tls *tls_get(void)
{
    struct sign_tls *t = pthread_getspecific(tls_key);

    if (t != NULL)
        return t;
    if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL)
        return NULL;
    t->md[0] = EVP_MD_CTX_new();
    t->md[1] = EVP_MD_CTX_new();
    if (t->md[0] == NULL || t->md[1] == NULL || pthread_setspecific(tls_key, t) != 0) {
        tls_free(t);
        return NULL;
    }
    return t;
}

/* SM3(a || b) (b may be NULL) on this thread's context. */
static es_err sm3_2(uint8_t out[32], const void *a, size_t na, const void *b, size_t nb)
{
    struct sign_tls *t = tls_get();

    if (t == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate the SM2 signing state");
    if (!EVP_DigestInit_ex2(t->md[0], sm3_md, NULL) || !EVP_DigestUpdate(t->md[0], a, na) ||
        (b != NULL && !EVP_DigestUpdate(t->md[0], b, nb)) ||
        !EVP_DigestFinal_ex(t->md[0], out, NULL))
        return es__fail_ossl(ES_ERR_CRYPTO, "SM3 failed");
    return ES_OK;
}

es_err es__sm2_digest(const uint8_t z[32], const void *msg, size_t n, uint8_t e[32])
{
    es__sm2_init();
    return sm3_2(e, z, 32, n > 0 ? msg : NULL, n);
}

int es__sm2_sign_k(uint8_t raw[64], const es__fn dinv, const uint8_t e[32], const es__fn k)
{
    es__aff pt;
    es__fn x1, r, rk, s;
    uint8_t xb[32];
    uint64_t bad;

    es__sm2_mul_g_ct(&pt, k);
    es__fp_to_bytes(xb, pt.x);
    es__fn_reduce(x1, xb);
    es__fn_reduce(r, e);
    es__fn_add(r, r, x1);
    es__fn_add(rk, r, k);
    /* s = (1 + d)^-1 (k - r d) = (1 + d)^-1 (k + r) - r: one product, no inversion. */
    es__fn_mont_mul(s, dinv, rk);
    es__fn_sub(s, s, r);
    bad = es__fn_is_zero(k) | es__fn_is_zero(r) | es__fn_is_zero(rk) | es__fn_is_zero(s);
    /* r and s are the published signature; whether to retry reveals nothing else. */
    es__sm2_declassify(&bad, sizeof(bad));
    es__sm2_declassify(r, sizeof(r));
    es__sm2_declassify(s, sizeof(s));
    OPENSSL_cleanse(&pt, sizeof(pt));
    OPENSSL_cleanse(xb, sizeof(xb));
    OPENSSL_cleanse(x1, sizeof(x1));
    OPENSSL_cleanse(rk, sizeof(rk));
    if (bad)
        return 0;
    es__fn_to_bytes(raw, r);
    es__fn_to_bytes(raw + 32, s);
    return 1;
}

/* 1 if x (Montgomery, from the point's X/Z^2) matches c: X == c * Z^2 in the field. */
static int x_matches(const es__jac *pt, const uint64_t c[4])
{
    uint8_t cb[32];
    es__fp cm, z2;

    es__fn_to_bytes(cb, c); /* same limb layout as a field element */
    if (!es__fp_from_bytes(cm, cb))
        return 0;
    es__fp_sqr(z2, pt->z);
    es__fp_mul(cm, cm, z2);
    return memcmp(cm, pt->x, sizeof(cm)) == 0;
}

/* The verification equation on pub's split table v if there is one, else on pub alone. */
static int verify(const es__aff *pub, const struct es__sm2_vtab *v, const uint8_t e[32],
                  const uint8_t raw[64])
{
    es__fn r, s, t, en, c;
    uint64_t cn[4], carry = 0;
    es__jac pt;

    es__sm2_init();
    if (!es__fn_from_bytes(r, raw) || !es__fn_from_bytes(s, raw + 32) || es__fn_is_zero(r) ||
        es__fn_is_zero(s))
        return 0;
    es__fn_add(t, r, s);
    if (es__fn_is_zero(t))
        return 0;
    if (v != NULL)
        es__sm2_mul2_split(&pt, s, v, t);
    else
        es__sm2_mul2_vartime(&pt, s, pub, t);
    if (es__fp_is_zero(pt.z))
        return 0;
    /* (e + x1) mod n == r  <=>  x1 is c = r - e mod n, or c + n when that is below p. */
    es__fn_reduce(en, e);
    es__fn_sub(c, r, en);
    if (x_matches(&pt, c))
        return 1;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 x = (unsigned __int128)c[i] + es__sm2_n[i] + carry;
        cn[i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
    return carry == 0 && x_matches(&pt, cn);
}

int es__sm2_verify_e(const es__aff *pub, const uint8_t e[32], const uint8_t raw[64])
{
    return verify(pub, NULL, e, raw);
}

int es__sm2_verify_e_tab(const struct es__sm2_vtab *v, const uint8_t e[32], const uint8_t raw[64])
{
    return verify(NULL, v, e, raw);
}

/* n bytes of this thread's CSPRNG pool, refilled when short; taken bytes are wiped. */
static es_err pool_take(struct sign_tls *t, uint8_t *out, size_t n)
{
    uint8_t *p;

    if (t->left < n) {
        if (RAND_bytes(t->pool, RAND_POOL) != 1)
            return es__fail_ossl(ES_ERR_CRYPTO, "cannot generate a nonce");
        t->left = RAND_POOL;
    }
    p = t->pool + RAND_POOL - t->left;
    memcpy(out, p, n);
    OPENSSL_cleanse(p, n);
    t->left -= n;
    return ES_OK;
}

/*
 * k = SM3(R || d || e || i || 0) || SM3(R || d || e || i || 1) mod n, R 32 fresh CSPRNG bytes:
 * uniform (512 bits reduced, bias 2^-256) while the CSPRNG works, and still secret and unique
 * per message if it fails (RFC 6979's property), without HMAC-SM3's extra passes. R || d is
 * exactly one block, hashed once and its state copied: 3 compressions instead of 4. R comes
 * from a per-thread pool; a forked child may reuse its parent's pool, and the hash of d and e
 * makes that harmless: a repeated R gives a repeated k only for the same key and message, i.e.
 * the same signature.
 */
static es_err nonce(es__fn k, struct sign_tls *t, const es__fn d, const uint8_t e[32], uint8_t i)
{
    uint8_t blk[64], tail[34], wide[64];
    es_err rc;

    if ((rc = pool_take(t, blk, 32)) != ES_OK)
        return rc;
    es__fn_to_bytes(blk + 32, d);
    memcpy(tail, e, 32);
    tail[32] = i;
    if (!EVP_DigestInit_ex2(t->md[0], sm3_md, NULL) || !EVP_DigestUpdate(t->md[0], blk, 64) ||
        !EVP_MD_CTX_copy_ex(t->md[1], t->md[0]))
        rc = ES_ERR_CRYPTO;
    for (int half = 0; half < 2 && rc == ES_OK; half++) {
        tail[33] = (uint8_t)half;
        if (!EVP_DigestUpdate(t->md[half], tail, sizeof(tail)) ||
            !EVP_DigestFinal_ex(t->md[half], wide + 32 * half, NULL))
            rc = ES_ERR_CRYPTO;
    }
    if (rc == ES_OK)
        es__fn_reduce_wide(k, wide);
    /* The contexts now hold states derived from d and k: back to SM3's IV. */
    if (!EVP_DigestInit_ex2(t->md[0], sm3_md, NULL) || !EVP_DigestInit_ex2(t->md[1], sm3_md, NULL))
        rc = ES_ERR_CRYPTO;
    OPENSSL_cleanse(blk, sizeof(blk));
    OPENSSL_cleanse(wide, sizeof(wide));
    return rc == ES_OK ? ES_OK : es__fail_ossl(rc, "SM3 failed");
}

es_err es__sm2_fast_sign_e(const es_key *k, const uint8_t e[32], es_buf *sig)
{
    const struct es__sm2_key *c = k->sm2;
    struct sign_tls *t;
    uint8_t raw[64], der[ES__SM2_DER_SIG_MAX];
    es__fn kk;
    es_err rc = ES_OK;
    int ok = 0;

    if ((t = tls_get()) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate the SM2 signing state");
    for (uint8_t i = 0; !ok; i++) {
        if ((rc = nonce(kk, t, c->d, e, i)) != ES_OK)
            break;
        ok = es__sm2_sign_k(raw, c->dinv, e, kk);
    }
    OPENSSL_cleanse(kk, sizeof(kk));
    if (rc != ES_OK)
        return rc;
    return es_buf_set(sig, der, es__sm2_sig_der(raw, der));
}

es_err es__sm2_fast_sign(const es_key *k, const uint8_t *id, size_t idlen, const void *msg,
                         size_t n, es_buf *sig)
{
    uint8_t z[32], e[32];
    es_err rc;

    if ((rc = es__sm2_z(k->sm2, id, idlen, z)) != ES_OK ||
        (rc = es__sm2_digest(z, msg, n, e)) != ES_OK)
        return rc;
    return es__sm2_fast_sign_e(k, e, sig);
}

es_err es__sm2_fast_verify_e(const es_key *k, const uint8_t e[32], const uint8_t raw[64])
{
    if (!verify(&k->sm2->pub, es__sm2_key_vtab(k->sm2), e, raw))
        return es__fail(ES_ERR_SIGNATURE, "SM2 signature does not verify");
    return ES_OK;
}

es_err es__sm2_fast_verify(const es_key *k, const uint8_t *id, size_t idlen, const void *msg,
                           size_t n, const uint8_t raw[64])
{
    uint8_t z[32], e[32];
    es_err rc;

    if ((rc = es__sm2_z(k->sm2, id, idlen, z)) != ES_OK ||
        (rc = es__sm2_digest(z, msg, n, e)) != ES_OK)
        return rc;
    return es__sm2_fast_verify_e(k, e, raw);
}
