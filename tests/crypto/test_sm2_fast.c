/* The fast SM2 arithmetic (field, scalars, point multiplication) against OpenSSL's BN and EC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "crypto/sm2/sm2_local.h"
#include "testutil.h"

#define P_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"
#define N_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"

/* Values that stress carries across every limb, near 0, p, n and 2^256. */
static const char *const edge_hex[] = {
    "0",
    "1",
    "2",
    "3",
    "FFFFFFFFFFFFFFFF",
    "10000000000000000",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "100000000000000000000000000000000000000000000000000000000",
    "8000000000000000000000000000000000000000000000000000000000000000",
    "7FFFFFFF7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF800000007FFFFFFFFFFFFFFF",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFE",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000000",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122",
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54124",
    "00000000FFFFFFFF0000000000000000FFFFFFFF000000000000000000000000",
    "FFFFFFFE00000000FFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF00000001",
};
#define NEDGE (sizeof(edge_hex) / sizeof(edge_hex[0]))
#define NRAND 2000

static BIGNUM *bn_hex(const char *hex)
{
    BIGNUM *b = NULL;

    assert_true(BN_hex2bn(&b, hex) > 0);
    return b;
}

/* Operand i: an edge value, then random values below mod. */
static void operand(size_t i, const BIGNUM *mod, uint8_t out[32])
{
    BIGNUM *v = NULL;

    if (i < NEDGE)
        v = bn_hex(edge_hex[i]);
    else
        assert_int_equal(BN_rand_range((v = BN_new()), mod), 1);
    if (BN_cmp(v, mod) >= 0)
        BN_sub(v, v, mod);
    assert_int_equal(BN_bn2binpad(v, out, 32), 32);
    BN_free(v);
}

static void check_bn(const BIGNUM *want, const uint8_t got[32])
{
    uint8_t w[32];

    assert_int_equal(BN_bn2binpad(want, w, 32), 32);
    assert_memory_equal(w, got, 32);
}

typedef void (*fp_mul_fn)(es__fp, const es__fp, const es__fp);
typedef void (*fp_sqr_fn)(es__fp, const es__fp);

static void field_ops(fp_mul_fn mul, fp_sqr_fn sqr)
{
    BIGNUM *p = bn_hex(P_HEX), *a = BN_new(), *b = BN_new(), *w = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    uint8_t ab[32], bb[32], out[32];
    es__fp fa, fb, fr;

    for (size_t i = 0; i < NEDGE + NRAND; i++) {
        operand(i, p, ab);
        operand(i < NEDGE ? (i * 7 + 3) % NEDGE : i, p, bb);
        BN_bin2bn(ab, 32, a);
        BN_bin2bn(bb, 32, b);
        assert_int_equal(es__fp_from_bytes(fa, ab), 1);
        assert_int_equal(es__fp_from_bytes(fb, bb), 1);
        mul(fr, fa, fb);
        es__fp_to_bytes(out, fr);
        BN_mod_mul(w, a, b, p, ctx);
        check_bn(w, out);
        sqr(fr, fa);
        es__fp_to_bytes(out, fr);
        BN_mod_sqr(w, a, p, ctx);
        check_bn(w, out);
        es__fp_add(fr, fa, fb);
        es__fp_to_bytes(out, fr);
        BN_mod_add(w, a, b, p, ctx);
        check_bn(w, out);
        es__fp_sub(fr, fa, fb);
        es__fp_to_bytes(out, fr);
        BN_mod_sub(w, a, b, p, ctx);
        check_bn(w, out);
        if (!BN_is_zero(a) && i % 16 == 0) {
            es__fp_inv(fr, fa);
            es__fp_to_bytes(out, fr);
            BN_mod_inverse(w, a, p, ctx);
            check_bn(w, out);
        }
    }
    BN_free(p);
    BN_free(a);
    BN_free(b);
    BN_free(w);
    BN_CTX_free(ctx);
}

static void test_field_portable(void **state)
{
    field_ops(es__fp_mul_c, es__fp_sqr_c);
}

static void test_field_mulx(void **state)
{
    es__sm2_init();
    if (!es__fp_use_mulx)
        skip();
    field_ops(es__fp_mul_mulx, es__fp_sqr_mulx);
}

/* Encodings at and above p are refused; below p accepted. */
static void test_field_range(void **state)
{
    static const char *const bad[] = {
        P_HEX, "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000010000000000000000",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"};
    uint8_t b[32];
    es__fp f;

    for (size_t i = 0; i < 3; i++) {
        memset(b, 0, sizeof(b));
        assert_int_equal(tu_unhex(bad[i], b, 32), 32);
        assert_int_equal(es__fp_from_bytes(f, b), 0);
    }
    b[0] = 0xFF, b[3] = 0xFE;
    memset(b + 4, 0xFF, 28);
    b[31] = 0xFE; /* ... still above p */
    assert_int_equal(es__fp_from_bytes(f, b), 0);
    assert_int_equal(tu_unhex(P_HEX, b, 32), 32);
    b[31]--;
    assert_int_equal(es__fp_from_bytes(f, b), 1);
}

static void test_scalar_ops(void **state)
{
    BIGNUM *n = bn_hex(N_HEX), *a = BN_new(), *b = BN_new(), *w = BN_new(), *rinv = BN_new();
    BIGNUM *r = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    uint8_t ab[32], bb[32], out[32], wide[64];
    es__fn sa, sb, sr;

    BN_set_bit(r, 256);
    BN_mod_inverse(rinv, r, n, ctx);
    for (size_t i = 0; i < NEDGE + NRAND; i++) {
        operand(i, n, ab);
        operand(i < NEDGE ? (i * 5 + 1) % NEDGE : i, n, bb);
        BN_bin2bn(ab, 32, a);
        BN_bin2bn(bb, 32, b);
        assert_int_equal(es__fn_from_bytes(sa, ab), 1);
        assert_int_equal(es__fn_from_bytes(sb, bb), 1);
        es__fn_mont_mul(sr, sa, sb);
        es__fn_to_bytes(out, sr);
        BN_mod_mul(w, a, b, n, ctx);
        BN_mod_mul(w, w, rinv, n, ctx);
        check_bn(w, out);
        es__fn_add(sr, sa, sb);
        es__fn_to_bytes(out, sr);
        BN_mod_add(w, a, b, n, ctx);
        check_bn(w, out);
        es__fn_sub(sr, sa, sb);
        es__fn_to_bytes(out, sr);
        BN_mod_sub(w, a, b, n, ctx);
        check_bn(w, out);
        /* 512-bit reduction: a || b. */
        memcpy(wide, ab, 32);
        memcpy(wide + 32, bb, 32);
        es__fn_reduce_wide(sr, wide);
        es__fn_to_bytes(out, sr);
        BN_bin2bn(wide, 64, w);
        BN_mod(w, w, n, ctx);
        check_bn(w, out);
        if (!BN_is_zero(a) && i % 16 == 0) {
            es__fn_inv_mont(sr, sa);
            es__fn_to_bytes(out, sr);
            BN_mod_inverse(w, a, n, ctx);
            BN_mod_mul(w, w, r, n, ctx);
            check_bn(w, out);
        }
    }
    /* n itself and 2^256 - 1 are not scalars; es__fn_reduce folds them. */
    assert_int_equal(tu_unhex(N_HEX, ab, 32), 32);
    assert_int_equal(es__fn_from_bytes(sa, ab), 0);
    es__fn_reduce(sa, ab);
    assert_true(es__fn_is_zero(sa) != 0);
    memset(ab, 0xFF, 32);
    assert_int_equal(es__fn_from_bytes(sa, ab), 0);
    BN_free(n);
    BN_free(a);
    BN_free(b);
    BN_free(w);
    BN_free(r);
    BN_free(rinv);
    BN_CTX_free(ctx);
}

/* k * G (constant time) and s * G + t * P (variable time) against EC_POINT_mul. */
static void test_scalar_mult(void **state)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = EC_POINT_new(g), *pp = EC_POINT_new(g);
    BIGNUM *n = bn_hex(N_HEX), *k = BN_new(), *t = BN_new(), *pk = BN_new();
    uint8_t kb[32], tb[32], enc[65], ours[64];
    es__fn sk, st;
    es__aff r, pub;
    es__jac j;

    for (size_t i = 0; i < NEDGE + 300; i++) {
        operand(i, n, kb);
        operand(i + 1 < NEDGE ? i + 1 : i + 7, n, tb);
        BN_bin2bn(kb, 32, k);
        BN_bin2bn(tb, 32, t);
        assert_int_equal(es__fn_from_bytes(sk, kb), 1);
        assert_int_equal(es__fn_from_bytes(st, tb), 1);
        /* P = (i + 2) G, a different point each time. */
        BN_set_word(pk, (BN_ULONG)i + 2);
        assert_int_equal(EC_POINT_mul(g, pp, pk, NULL, NULL, NULL), 1);
        EC_POINT_point2oct(g, pp, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
        assert_int_equal(es__sm2_point_decode(&pub, enc, 65), 1);
        if (!BN_is_zero(k)) {
            es__sm2_mul_g_ct(&r, sk);
            es__sm2_point_encode(ours, &r);
            assert_int_equal(EC_POINT_mul(g, q, k, NULL, NULL, NULL), 1);
            EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
            assert_memory_equal(ours, enc + 1, 64);
        }
        es__sm2_mul2_vartime(&j, sk, &pub, st);
        assert_int_equal(EC_POINT_mul(g, q, k, pp, t, NULL), 1);
        if (EC_POINT_is_at_infinity(g, q)) {
            assert_true(es__fp_is_zero(j.z) != 0);
            continue;
        }
        assert_int_equal(es__jac_to_aff(&r, &j), 1);
        es__sm2_point_encode(ours, &r);
        EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
        assert_memory_equal(ours, enc + 1, 64);
    }
    /* s G + t P = infinity when P = G and t = n - s. */
    BN_set_word(k, 12345);
    BN_sub(t, n, k);
    BN_bn2binpad(k, kb, 32);
    BN_bn2binpad(t, tb, 32);
    es__fn_from_bytes(sk, kb);
    es__fn_from_bytes(st, tb);
    es__sm2_mul2_vartime(&j, sk, &es__sm2_g, st);
    assert_true(es__fp_is_zero(j.z) != 0);
    EC_POINT_free(q);
    EC_POINT_free(pp);
    EC_GROUP_free(g);
    BN_free(n);
    BN_free(k);
    BN_free(t);
    BN_free(pk);
}

/* Limb patterns that stress every carry of the assembly product: each limb one of these. */
static uint64_t limb_pattern(unsigned v)
{
    static const uint64_t pat[] = {0,
                                   1,
                                   0xffffffffULL,
                                   0x100000000ULL,
                                   0x8000000000000000ULL,
                                   0xfffffffffffffffeULL,
                                   0xffffffffffffffffULL,
                                   0xffffffff00000000ULL};

    return pat[v % 8];
}

/* a below p: p - 1 - (a mod small) when a is not. */
static void below_p(es__fp a)
{
    static const es__fp p = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                             0xfffffffeffffffffULL};
    int ge = 1;

    for (int l = 3; l >= 0; l--) {
        if (a[l] != p[l]) {
            ge = a[l] > p[l];
            break;
        }
    }
    if (ge) {
        uint64_t d = a[0] % 5;

        memcpy(a, p, sizeof(es__fp));
        a[0] -= 1 + d; /* p - 1 ... p - 5 */
    }
}

/* The MULX/ADX assembly against the portable C product: all 8^4 x 8^4 limb patterns by sampling,
 * p - 1 .. p - 5, and random values; aliasing r == a and r == b too. */
static void test_field_asm_vs_c(void **state)
{
    es__fp a, b, r1, r2, r3;

    es__sm2_init();
    if (!es__fp_use_mulx)
        skip();
    for (unsigned i = 0; i < 300000; i++) {
        if (i < 100000) {
            for (int l = 0; l < 4; l++) {
                a[l] = limb_pattern((i >> (3 * l)) & 7);
                b[l] = limb_pattern((i * 2654435761u >> (3 * l + 7)) & 7);
            }
        } else {
            RAND_bytes((unsigned char *)a, sizeof(a));
            RAND_bytes((unsigned char *)b, sizeof(b));
            if (i % 3 == 0)
                a[i % 4] = limb_pattern(i / 4);
        }
        below_p(a);
        below_p(b);
        es__fp_mul_c(r1, a, b);
        es__fp_mul_mulx(r2, a, b);
        assert_memory_equal(r1, r2, sizeof(r1));
        memcpy(r3, b, sizeof(r3));
        es__fp_mul_mulx(r3, a, r3);
        assert_memory_equal(r1, r3, sizeof(r1));
        es__fp_sqr_c(r1, a);
        es__fp_sqr_mulx(r2, a);
        assert_memory_equal(r1, r2, sizeof(r1));
        memcpy(r3, a, sizeof(r3));
        es__fp_sqr_mulx(r3, r3);
        assert_memory_equal(r1, r3, sizeof(r1));
    }
}

static void check_mul_g(EC_GROUP *g, EC_POINT *q, const BIGNUM *k)
{
    uint8_t kb[32], enc[65], ours[64];
    es__fn sk;
    es__aff r;

    assert_int_equal(BN_bn2binpad(k, kb, 32), 32);
    assert_int_equal(es__fn_from_bytes(sk, kb), 1);
    es__sm2_mul_g_ct(&r, sk);
    es__sm2_point_encode(ours, &r);
    assert_int_equal(EC_POINT_mul(g, q, k, NULL, NULL, NULL), 1);
    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, enc, 65, NULL);
    assert_memory_equal(ours, enc + 1, 64);
}

/*
 * k * G where the comb's accumulator stays at infinity for many windows or meets the largest
 * digits: d * 2^7j and n - d * 2^7j for every window j, 2^7j - 1, 1..130, and the top of the range.
 */
static void comb_edges(void)
{
    static const unsigned ds[] = {1, 2, 3, 15, 16, 63, 64, 65, 127, 128};
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = EC_POINT_new(g);
    BIGNUM *n = bn_hex(N_HEX), *k = BN_new(), *t = BN_new();
    BN_CTX *ctx = BN_CTX_new();

    for (unsigned i = 1; i <= 130; i++) {
        BN_set_word(k, i);
        check_mul_g(g, q, k);
        BN_sub(t, n, k);
        check_mul_g(g, q, t);
    }
    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
            BN_set_word(k, ds[i]);
            BN_lshift(k, k, 7 * j);
            BN_nnmod(k, k, n, ctx);
            if (BN_is_zero(k))
                continue;
            check_mul_g(g, q, k);
            BN_sub(t, n, k);
            check_mul_g(g, q, t);
        }
        BN_one(k);
        BN_lshift(k, k, 7 * j);
        BN_sub_word(k, 1);
        if (!BN_is_zero(k) && BN_cmp(k, n) < 0)
            check_mul_g(g, q, k);
    }
    BN_rshift1(k, n);
    check_mul_g(g, q, k); /* (n - 1) / 2 */
    BN_add_word(k, 1);
    check_mul_g(g, q, k);
    BN_free(n);
    BN_free(k);
    BN_free(t);
    BN_CTX_free(ctx);
    EC_POINT_free(q);
    EC_GROUP_free(g);
}

/* Both row scans the comb interleaves with its additions: AVX2 (when the CPU has it) and C. */
static void test_comb_edges(void **state)
{
    int avx2;

    (void)state;
    es__sm2_init();
    avx2 = es__sm2_use_avx2;
    comb_edges();
    es__sm2_use_avx2 = 0;
    comb_edges();
    es__sm2_use_avx2 = avx2;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_portable), cmocka_unit_test(test_field_mulx),
        cmocka_unit_test(test_field_range),    cmocka_unit_test(test_scalar_ops),
        cmocka_unit_test(test_scalar_mult),    cmocka_unit_test(test_field_asm_vs_c),
        cmocka_unit_test(test_comb_edges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
