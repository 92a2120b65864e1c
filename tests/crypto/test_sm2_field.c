/* The SM2 field's addition, subtraction and multiplications by 4 and 8 (assembly and C) against BN.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "crypto/sm2/fp_inline.h"
#include "testutil.h"

#define P_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"
#define NTEST 200000

static const es__fp fp_p = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                            0xfffffffeffffffffULL};

/* Limb values where carries and borrows change (p's own limbs among them). */
static uint64_t limb_pattern(unsigned v)
{
    static const uint64_t pat[] = {0,
                                   1,
                                   0xffffffffULL,
                                   0x100000000ULL,
                                   0x8000000000000000ULL,
                                   0xfffffffeffffffffULL,
                                   0xffffffffffffffffULL,
                                   0xffffffff00000000ULL};

    return pat[v % 8];
}

/* a below p: p - 1 - (a mod 5) when it is not. */
static void below_p(es__fp a)
{
    int ge = 1;

    for (int l = 3; l >= 0; l--) {
        if (a[l] != fp_p[l]) {
            ge = a[l] > fp_p[l];
            break;
        }
    }
    if (ge) {
        uint64_t d = a[0] % 5;

        memcpy(a, fp_p, sizeof(es__fp));
        a[0] -= 1 + d;
    }
}

/* Operand i of a sequence: limb patterns, then p - 1 .. p - 5 and 0, then random values. */
static void operand(unsigned i, unsigned salt, es__fp a)
{
    if (i < NTEST / 2) {
        unsigned v = i * (salt | 1) + salt;

        for (int l = 0; l < 4; l++)
            a[l] = limb_pattern(v >> (3 * l));
    } else {
        assert_int_equal(RAND_bytes((unsigned char *)a, sizeof(es__fp)), 1);
        if (i % 5 == 0)
            a[i % 4] = limb_pattern(i / 4 + salt);
    }
    if (i % 97 == 0)
        memset(a, 0, sizeof(es__fp));
    below_p(a);
}

static BIGNUM *to_bn(const es__fp a, BIGNUM *r)
{
    uint8_t b[32];

    for (int i = 0; i < 32; i++)
        b[31 - i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
    assert_non_null(BN_bin2bn(b, 32, r));
    return r;
}

static void check(const BIGNUM *want, const es__fp got)
{
    BIGNUM *g = to_bn(got, BN_new());

    assert_int_equal(BN_cmp(want, g), 0);
    BN_free(g);
}

/* Each result against BN, from the assembly and from C, and with r aliasing an input. */
static void test_add_sub(void **state)
{
    BIGNUM *p = NULL, *a = BN_new(), *b = BN_new(), *w = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    es__fp fa, fb, r1, r2, r3;

    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (unsigned i = 0; i < NTEST; i++) {
        operand(i, 0, fa);
        operand(i, 0x9e3779b9u, fb);
        to_bn(fa, a);
        to_bn(fb, b);
        BN_mod_add(w, a, b, p, ctx);
        fp_add(r1, fa, fb);
        fp_add_c(r2, fa, fb);
        memcpy(r3, fa, sizeof(r3));
        fp_add(r3, r3, fb);
        check(w, r1);
        check(w, r2);
        check(w, r3);
        BN_mod_sub(w, a, b, p, ctx);
        fp_sub(r1, fa, fb);
        fp_sub_c(r2, fa, fb);
        memcpy(r3, fb, sizeof(r3));
        fp_sub(r3, fa, r3);
        check(w, r1);
        check(w, r2);
        check(w, r3);
        BN_mod_sub(w, p, a, p, ctx);
        fp_neg(r1, fa);
        check(w, r1);
    }
    BN_free(p);
    BN_free(a);
    BN_free(b);
    BN_free(w);
    BN_CTX_free(ctx);
}

static void test_mul4_mul8(void **state)
{
    BIGNUM *p = NULL, *a = BN_new(), *w = BN_new(), *k = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    es__fp fa, r1, r2;

    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (unsigned i = 0; i < NTEST; i++) {
        operand(i, 0x85ebca6bu, fa);
        to_bn(fa, a);
        BN_set_word(k, 4);
        BN_mod_mul(w, a, k, p, ctx);
        fp_mul4(r1, fa);
        fp_add_c(r2, fa, fa);
        fp_add_c(r2, r2, r2);
        check(w, r1);
        check(w, r2);
        memcpy(r1, fa, sizeof(r1));
        fp_mul4(r1, r1);
        check(w, r1);
        BN_set_word(k, 8);
        BN_mod_mul(w, a, k, p, ctx);
        fp_mul8(r1, fa);
        check(w, r1);
        memcpy(r1, fa, sizeof(r1));
        fp_mul8(r1, r1);
        check(w, r1);
    }
    BN_free(p);
    BN_free(a);
    BN_free(w);
    BN_free(k);
    BN_CTX_free(ctx);
}

static void from_bn(es__fp r, const BIGNUM *a)
{
    uint8_t b[32];

    assert_int_equal(BN_bn2binpad(a, b, 32), 32);
    memset(r, 0, sizeof(es__fp));
    for (int i = 0; i < 32; i++)
        r[i / 8] |= (uint64_t)b[31 - i] << (8 * (i % 8));
}

/*
 * The reduction boundaries of 4a and 8a: a = floor(j p / 2^s) + d and j 2^(256-s) + d for every
 * j < 2^s, with d within 16 and random offsets up to 2^200 either side: where 2^s a crosses a
 * multiple of p, and where its low half plus the folded top carries out of 2^256 (random
 * operands almost never land in either band).
 */
static void test_mul4_mul8_edges(void **state)
{
    BIGNUM *p = NULL, *base = BN_new(), *a = BN_new(), *d = BN_new(), *w = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    es__fp fa, r;

    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (int s = 2; s <= 3; s++) {
        for (unsigned j = 1; j < (2u << s); j++) {
            /* j < 2^s: 2^s a near j p; else 2^s a near a multiple of 2^256 (a carry out). */
            BN_set_word(base, j & ((1u << s) - 1));
            if (j < (1u << s)) {
                BN_mul(base, base, p, ctx);
                BN_rshift(base, base, s);
            } else {
                BN_lshift(base, base, 256 - s);
            }
            for (int k = 0; k < 2000; k++) {
                if (k < 33)
                    BN_set_word(d, (BN_ULONG)(k < 17 ? k : k - 16));
                else
                    BN_rand(d, 1 + k % 200, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
                if (k >= 17 && k % 2)
                    BN_sub(a, base, d);
                else
                    BN_add(a, base, d);
                BN_nnmod(a, a, p, ctx);
                from_bn(fa, a);
                BN_lshift(w, a, s);
                BN_nnmod(w, w, p, ctx);
                if (s == 2)
                    fp_mul4(r, fa);
                else
                    fp_mul8(r, fa);
                check(w, r);
            }
        }
    }
    BN_free(p);
    BN_free(base);
    BN_free(a);
    BN_free(d);
    BN_free(w);
    BN_CTX_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_sub),
        cmocka_unit_test(test_mul4_mul8),
        cmocka_unit_test(test_mul4_mul8_edges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
