/*
 * SM2 verification on per-key split tables: the double-scalar multiplication against
 * EC_POINT_mul on edge and random scalars, the table and plain paths against each other and
 * against OpenSSL's EVP verify, and the lazy, thread-safe building of the table.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "crypto/sm2/sm2_local.h"
#include "testutil.h"

#define N_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"

/* Scalars around 16-, 32- and 64-bit boundaries, pieces of 0 and of all ones, and near n. */
static const char *const scalar_hex[] = {
    "0",
    "1",
    "2",
    "3",
    "FFFF",
    "10000",
    "FFFF0000FFFF0000FFFF",
    "FFFFFFFF",
    "100000000",
    "FFFFFFFF00000000FFFFFFFF00000000",
    "FFFFFFFFFFFFFFFF",
    "10000000000000000",
    "10000000000000001",
    "8000000000000000",
    "100000000000000000000000000000000",
    "1000000000000000000000000000000000000000000000000",
    "1000000000000000000000000000000000000000000000001",
    "FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFF00000000000000000000000000000000",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFEFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF",
    "8000000000000000000000000000000000000000000000000000000000000000",
    "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "1000000000000000100000000000000010000000000000001",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052A53BBF40939D54123",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE7203DF6B21C6052B53BBF40939D54123",
    "7FFFFFFF7FFFFFFFFFFFFFFFFFFFFFFFB901EFB590E30295A9DDFA049CEAA091",
};
#define NSCALAR (sizeof(scalar_hex) / sizeof(scalar_hex[0]))

/*
 * P = m * G for these m: with P = +-2^(16 j) G the points of P's and G's tables coincide, so the
 * loop meets Q + Q (doubling) and Q - Q (infinity) for scalars of single bits.
 */
static const char *const mult_hex[] = {
    "1",
    "-1",
    "10000",
    "-1000000000000",
    "100000000",
    "10000000000000000",
    "-10000000000000000",
    "-1000000000000000000000000",
    "100000000000000000000000000000000",
    "-1000000000000000000000000000000000000000000000000",
    "3",
    "-7",
    "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A",
};
#define NMULT (sizeof(mult_hex) / sizeof(mult_hex[0]))

struct ctx {
    EC_GROUP *g;
    BIGNUM *n;
    BN_CTX *bc;
};

static void ctx_init(struct ctx *c)
{
    c->g = EC_GROUP_new_by_curve_name(NID_sm2);
    c->n = NULL;
    assert_true(BN_hex2bn(&c->n, N_HEX) > 0);
    c->bc = BN_CTX_new();
}

static void ctx_free(struct ctx *c)
{
    EC_GROUP_free(c->g);
    BN_free(c->n);
    BN_CTX_free(c->bc);
}

static void to_fn(es__fn r, const BIGNUM *v)
{
    uint8_t b[32];

    assert_int_equal(BN_bn2binpad(v, b, 32), 32);
    assert_int_equal(es__fn_from_bytes(r, b), 1);
}

/* Our affine point of an OpenSSL point (not infinity). */
static void to_aff(const struct ctx *c, es__aff *r, const EC_POINT *p)
{
    uint8_t enc[65];

    assert_int_equal(EC_POINT_point2oct(c->g, p, POINT_CONVERSION_UNCOMPRESSED, enc, 65, c->bc),
                     65);
    assert_int_equal(es__sm2_point_decode(r, enc, 65), 1);
}

/* s G + t P on the split table of P against EC_POINT_mul (and the plain path on the way). */
static void check_split(const struct ctx *c, const struct es__sm2_vtab *v, const EC_POINT *p,
                        const BIGNUM *s, const BIGNUM *t)
{
    EC_POINT *q = EC_POINT_new(c->g);
    uint8_t enc[65], ours[64];
    es__fn fs, ft;
    es__aff pa, ra;
    es__jac j;

    to_fn(fs, s);
    to_fn(ft, t);
    es__sm2_mul2_split(&j, fs, v, ft);
    assert_int_equal(EC_POINT_mul(c->g, q, s, p, t, c->bc), 1);
    if (EC_POINT_is_at_infinity(c->g, q)) {
        assert_true(es__fp_is_zero(j.z) != 0);
        to_aff(c, &pa, p);
        es__sm2_mul2_vartime(&j, fs, &pa, ft);
        assert_true(es__fp_is_zero(j.z) != 0);
    } else {
        assert_int_equal(es__jac_to_aff(&ra, &j), 1);
        es__sm2_point_encode(ours, &ra);
        EC_POINT_point2oct(c->g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, c->bc);
        assert_memory_equal(ours, enc + 1, 64);
    }
    EC_POINT_free(q);
}

/* P = m G; the split table of P, built from our decoding of OpenSSL's point. */
static EC_POINT *point_of(const struct ctx *c, const BIGNUM *m, struct es__sm2_vtab *v)
{
    EC_POINT *p = EC_POINT_new(c->g);
    BIGNUM *mm = BN_dup(m);
    es__aff a;

    assert_int_equal(BN_nnmod(mm, mm, c->n, c->bc), 1);
    assert_int_equal(EC_POINT_mul(c->g, p, mm, NULL, NULL, c->bc), 1);
    to_aff(c, &a, p);
    assert_int_equal(es__sm2_vtab_build(v, &a), 1);
    BN_free(mm);
    return p;
}

/* Every pair of edge scalars on every edge point, and s = -t m (mod n), which gives infinity. */
static void test_split_edges(void **state)
{
    struct ctx c;
    struct es__sm2_vtab *v = malloc(sizeof(*v));
    BIGNUM *sc[NSCALAR], *m = NULL, *s = BN_new();

    (void)state;
    ctx_init(&c);
    for (size_t i = 0; i < NSCALAR; i++) {
        sc[i] = NULL;
        assert_true(BN_hex2bn(&sc[i], scalar_hex[i]) > 0);
    }
    for (size_t pi = 0; pi < NMULT; pi++) {
        EC_POINT *p;

        assert_true(BN_hex2bn(&m, mult_hex[pi]) > 0);
        p = point_of(&c, m, v);
        for (size_t i = 0; i < NSCALAR; i++) {
            for (size_t k = 0; k < NSCALAR; k++)
                check_split(&c, v, p, sc[i], sc[k]);
            assert_int_equal(BN_mod_mul(s, sc[i], m, c.n, c.bc), 1);
            assert_int_equal(BN_mod_sub(s, c.n, s, c.n, c.bc), 1);
            check_split(&c, v, p, s, sc[i]);
        }
        EC_POINT_free(p);
        BN_free(m);
        m = NULL;
    }
    for (size_t i = 0; i < NSCALAR; i++)
        BN_free(sc[i]);
    BN_free(s);
    free(v);
    ctx_free(&c);
}

/* A random scalar below n; 16-bit pieces replaced by 0 or all ones now and then. */
static void random_scalar(const struct ctx *c, BIGNUM *r)
{
    uint8_t b[32], how[16];

    RAND_bytes(how, sizeof(how));
    assert_int_equal(BN_rand_range(r, c->n), 1);
    BN_bn2binpad(r, b, 32);
    for (int i = 0; i < 16; i++) {
        if (how[i] % 8 == 0)
            memset(b + 2 * i, 0, 2);
        else if (how[i] % 8 == 1)
            memset(b + 2 * i, 0xFF, 2);
    }
    BN_bin2bn(b, 32, r);
    if (BN_cmp(r, c->n) >= 0)
        BN_sub(r, r, c->n);
}

#define NRAND 2000

/* The NAF of every width sums back to k, with odd bounded digits at least w apart. */
static void test_wnaf(void **state)
{
    struct ctx c;
    BIGNUM *k = BN_new(), *sum = BN_new(), *term = BN_new();
    int8_t naf[257];
    es__fn fk;

    (void)state;
    ctx_init(&c);
    for (int i = 0; i < 4 * NRAND; i++) {
        int w = 2 + i % 7, last = -1000;

        if ((size_t)i < NSCALAR)
            assert_true(BN_hex2bn(&k, scalar_hex[i]) > 0);
        else
            random_scalar(&c, k);
        to_fn(fk, k);
        es__sm2_wnaf(naf, fk, w);
        BN_zero(sum);
        for (int b = 0; b < 257; b++) {
            if (naf[b] == 0)
                continue;
            assert_true((naf[b] & 1) && naf[b] < (1 << (w - 1)) && naf[b] > -(1 << (w - 1)));
            assert_true(b - last >= w);
            last = b;
            BN_set_word(term, (BN_ULONG)(naf[b] < 0 ? -naf[b] : naf[b]));
            BN_lshift(term, term, b);
            if (naf[b] < 0)
                BN_sub(sum, sum, term);
            else
                BN_add(sum, sum, term);
        }
        assert_int_equal(BN_cmp(sum, k), 0);
    }
    BN_free(k);
    BN_free(sum);
    BN_free(term);
    ctx_free(&c);
}

static void test_split_random(void **state)
{
    struct ctx c;
    struct es__sm2_vtab *v = malloc(sizeof(*v));
    BIGNUM *m = BN_new(), *s = BN_new(), *t = BN_new();

    (void)state;
    ctx_init(&c);
    for (int i = 0; i < NRAND; i++) {
        EC_POINT *p;

        random_scalar(&c, m);
        if (BN_is_zero(m))
            BN_one(m);
        p = point_of(&c, m, v);
        random_scalar(&c, s);
        random_scalar(&c, t);
        check_split(&c, v, p, s, t);
        EC_POINT_free(p);
    }
    BN_free(m);
    BN_free(s);
    BN_free(t);
    free(v);
    ctx_free(&c);
}

/* OpenSSL's verdict on raw r||s for e's message under pkey. */
static int ossl_verify(EVP_PKEY *pkey, const uint8_t *msg, size_t n, const uint8_t raw[64])
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    es_buf der = {0};
    int ok = es_sm2_sig_to_der(raw, 64, &der) == ES_OK &&
             EVP_DigestVerifyInit_ex(mctx, &pctx, "SM3", NULL, NULL, pkey, NULL) == 1 &&
             EVP_PKEY_CTX_set1_id(pctx, ES_SM2_DEFAULT_ID, 16) == 1 &&
             EVP_DigestVerify(mctx, der.data, der.len, msg, n) == 1;

    EVP_MD_CTX_free(mctx);
    es_buf_free(&der);
    ERR_clear_error();
    return ok;
}

/* Plain path, table path, the public API (tabled after warm-up) and OpenSSL agree on raw. */
static void agree(es_key *k, const struct es__sm2_vtab *v, const uint8_t *msg, size_t n,
                  const uint8_t raw[64], int want)
{
    uint8_t z[32], e[32];
    int plain, tab, api, ossl;

    assert_es_ok(es__sm2_z(k->sm2, NULL, 0, z));
    assert_es_ok(es__sm2_digest(z, msg, n, e));
    plain = es__sm2_verify_e(&k->sm2->pub, e, raw);
    tab = es__sm2_verify_e_tab(v, e, raw);
    api = es_sm2_verify(k, NULL, 0, msg, n, raw, 64) == ES_OK;
    ossl = ossl_verify(es_key_get0_pkey(k), msg, n, raw);
    ERR_clear_error();
    assert_int_equal(plain, tab);
    assert_int_equal(plain, api);
    assert_int_equal(plain, ossl);
    if (want >= 0)
        assert_int_equal(plain, want);
}

#define NKEYS 60

/* Valid, damaged and random signatures on many keys, by eseal and by OpenSSL. */
static void test_verify_paths(void **state)
{
    (void)state;
    for (int i = 0; i < NKEYS; i++) {
        es_key *k = NULL;
        uint8_t msg[64], raw[64], bad[64];
        es_buf sig = {0};

        assert_es_ok(es_key_generate_sm2(&k));
        RAND_bytes(msg, sizeof(msg));
        assert_es_ok(es_sm2_sign(k, NULL, 0, msg, sizeof(msg), &sig));
        assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, raw));
        /* Lazy building: nothing after the first verification, the table after the second. */
        assert_es_ok(es_sm2_verify(k, NULL, 0, msg, sizeof(msg), raw, 64));
        assert_null(atomic_load(&k->sm2->vtab));
        assert_es_ok(es_sm2_verify(k, NULL, 0, msg, sizeof(msg), raw, 64));
        assert_non_null(atomic_load(&k->sm2->vtab));
        for (int j = 0; j < 8; j++) {
            const struct es__sm2_vtab *v = atomic_load(&k->sm2->vtab);

            agree(k, v, msg, sizeof(msg), raw, 1);
            memcpy(bad, raw, 64);
            bad[(j * 9 + i) % 64] ^= (uint8_t)(1u << (j % 8));
            agree(k, v, msg, sizeof(msg), bad, -1);
            RAND_bytes(bad, 64);
            agree(k, v, msg, sizeof(msg), bad, -1);
            msg[j] ^= 1;
            agree(k, v, msg, sizeof(msg), raw, 0);
            msg[j] ^= 1;
        }
        es_buf_free(&sig);
        es_key_free(k);
    }
}

/* OpenSSL's signatures verify on the table path too. */
static void test_openssl_signatures(void **state)
{
    (void)state;
    for (int i = 0; i < NKEYS; i++) {
        es_key *k = NULL;
        uint8_t msg[40], osig[80], raw[64];
        size_t olen = sizeof(osig);
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;

        assert_es_ok(es_key_generate_sm2(&k));
        RAND_bytes(msg, sizeof(msg));
        assert_int_equal(
            EVP_DigestSignInit_ex(mctx, &pctx, "SM3", NULL, NULL, es_key_get0_pkey(k), NULL), 1);
        assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, ES_SM2_DEFAULT_ID, 16), 1);
        assert_int_equal(EVP_DigestSign(mctx, osig, &olen, msg, sizeof(msg)), 1);
        assert_es_ok(es_sm2_sig_to_raw(osig, olen, raw));
        for (int j = 0; j < 3; j++)
            assert_es_ok(es_sm2_verify(k, NULL, 0, msg, sizeof(msg), osig, olen));
        assert_non_null(atomic_load(&k->sm2->vtab));
        agree(k, atomic_load(&k->sm2->vtab), msg, sizeof(msg), raw, 1);
        EVP_MD_CTX_free(mctx);
        es_key_free(k);
    }
}

#define NTHREADS 4
#define NPER     40

struct job {
    es_key *k;
    const uint8_t *sig;
    size_t len;
    int failures;
};

static void *verify_many(void *arg)
{
    struct job *j = arg;

    for (int i = 0; i < NPER; i++)
        if (es_sm2_verify(j->k, NULL, 0, "shared", 6, j->sig, j->len) != ES_OK)
            j->failures++;
    return NULL;
}

/* Threads verifying with one fresh key race on building the table; all must succeed. */
static void test_threads(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        es_key *k = NULL;
        es_buf sig = {0};
        pthread_t th[NTHREADS];
        struct job jobs[NTHREADS];

        assert_es_ok(es_key_generate_sm2(&k));
        assert_es_ok(es_sm2_sign(k, NULL, 0, "shared", 6, &sig));
        for (int i = 0; i < NTHREADS; i++) {
            jobs[i] = (struct job){k, sig.data, sig.len, 0};
            assert_int_equal(pthread_create(&th[i], NULL, verify_many, &jobs[i]), 0);
        }
        for (int i = 0; i < NTHREADS; i++) {
            assert_int_equal(pthread_join(th[i], NULL), 0);
            assert_int_equal(jobs[i].failures, 0);
        }
        assert_non_null(atomic_load(&k->sm2->vtab));
        es_buf_free(&sig);
        es_key_free(k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wnaf),
        cmocka_unit_test(test_split_edges),
        cmocka_unit_test(test_split_random),
        cmocka_unit_test(test_verify_paths),
        cmocka_unit_test(test_openssl_signatures),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
