/* Arithmetic mod the SM2 prime p = 2^256 - 2^224 - 2^96 + 2^64 - 1 in Montgomery form. */
#include <string.h>

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

static const es__fp fp_p = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                            0xfffffffeffffffffULL};
/* 2^512 mod p: multiplying by it enters Montgomery form. */
static const es__fp fp_r2 = {0x0000000200000003ULL, 0x00000002ffffffffULL, 0x0000000100000001ULL,
                             0x0000000400000002ULL};
const es__fp es__fp_one = {0x0000000000000001ULL, 0x00000000ffffffffULL, 0, 0x0000000100000000ULL};
const es__fp es__sm2_b = {0x90d230632bc0dd42ULL, 0x71cf379ae9b537abULL, 0x527981505ea51c3cULL,
                          0x240fe188ba20e2c8ULL};
const es__aff es__sm2_g = {
    {0x61328990f418029eULL, 0x3e7981eddca6c050ULL, 0xd6a1ed99ac24c3c3ULL, 0x91167a5ee1c13b05ULL},
    {0xc1354e593c2d0dddULL, 0xc1f5e5788d3295faULL, 0x8d4cfb066e2a48f8ULL, 0x63cd65d481d735bdULL},
};

int es__fp_use_mulx;

void es__fp_mul_c(es__fp r, const es__fp a, const es__fp b)
{
    fp_mont_mul(r, a, b);
}

void es__fp_sqr_c(es__fp r, const es__fp a)
{
    fp_mont_sqr(r, a);
}

/* The branch depends only on the CPU, never on data. */
void es__fp_mul(es__fp r, const es__fp a, const es__fp b)
{
    fp_mul(r, a, b);
}

void es__fp_sqr(es__fp r, const es__fp a)
{
    fp_sqr(r, a);
}

void es__fp_add(es__fp r, const es__fp a, const es__fp b)
{
    fp_add(r, a, b);
}

void es__fp_sub(es__fp r, const es__fp a, const es__fp b)
{
    fp_sub(r, a, b);
}

void es__fp_neg(es__fp r, const es__fp a)
{
    fp_neg(r, a);
}

uint64_t es__fp_is_zero(const es__fp a)
{
    uint64_t v = a[0] | a[1] | a[2] | a[3];

    /* (v | -v) has its top bit set exactly when v != 0. */
    return ((v | (0 - v)) >> 63) - 1;
}

void es__fp_cmov(es__fp r, const es__fp a, uint64_t mask)
{
    fp_cmov(r, a, mask);
}

/* Big-endian bytes to limbs and back. */
static void load_be(uint64_t r[4], const uint8_t b[32])
{
    ES__UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;

        ES__UNROLL

        for (int j = 0; j < 8; j++)
            v = (v << 8) | b[(3 - i) * 8 + j];
        r[i] = v;
    }
}

static void store_be(uint8_t b[32], const uint64_t a[4])
{
    ES__UNROLL
    for (int i = 0; i < 4; i++)
        ES__UNROLL
    for (int j = 0; j < 8; j++)
        b[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

int es__fp_from_bytes(es__fp r, const uint8_t b[32])
{
    uint64_t t[4], bw = 0;

    load_be(t, b);
    ES__UNROLL
    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)t[i] - fp_p[i] - bw;
        bw = (uint64_t)(x >> 64) & 1;
    }
    es__fp_mul(r, t, fp_r2);
    return (int)bw; /* a borrow means the value is below p */
}

void es__fp_to_bytes(uint8_t b[32], const es__fp a)
{
    static const es__fp one = {1, 0, 0, 0};
    es__fp t;

    es__fp_mul(t, a, one);
    store_be(b, t);
}

/* r = a^(2^k) * b. */
static void sqr_n_mul(es__fp r, const es__fp a, int k, const es__fp b)
{
    es__fp t;

    memcpy(t, a, sizeof(t));
    ES__UNROLL
    for (int i = 0; i < k; i++)
        fp_sqr(t, t);
    fp_mul(r, t, b);
}

/*
 * a^(p-2) with a fixed chain: p - 2 is 31 ones, a zero, 128 ones, 32 zeros, 32 ones, 30 ones,
 * a zero and a one; x_k = a^(2^k - 1) builds the runs. 256 squarings and 15 products. The
 * reference for the safegcd es__fp_inv (fp_inv.c) in the tests.
 */
void es__fp_inv_fermat(es__fp r, const es__fp a)
{
    es__fp x2, x3, x6, x12, x15, x30, x31, x32, t;

    sqr_n_mul(x2, a, 1, a);
    sqr_n_mul(x3, x2, 1, a);
    sqr_n_mul(x6, x3, 3, x3);
    sqr_n_mul(x12, x6, 6, x6);
    sqr_n_mul(x15, x12, 3, x3);
    sqr_n_mul(x30, x15, 15, x15);
    sqr_n_mul(x31, x30, 1, a);
    sqr_n_mul(x32, x31, 1, a);
    sqr_n_mul(t, x31, 33, x32); /* 31 ones, 0, 32 ones */
    sqr_n_mul(t, t, 32, x32);
    sqr_n_mul(t, t, 32, x32);
    sqr_n_mul(t, t, 32, x32); /* ... 128 ones */
    sqr_n_mul(t, t, 64, x32); /* 32 zeros, 32 ones */
    sqr_n_mul(t, t, 30, x30);
    sqr_n_mul(r, t, 2, a); /* 0, 1 */
}

/* a^e for a public exponent e (square and multiply, variable time). */
static void pow_vartime(es__fp r, const es__fp a, const uint64_t e[4])
{
    es__fp t;

    memcpy(t, es__fp_one, sizeof(t));
    ES__UNROLL
    for (int i = 255; i >= 0; i--) {
        es__fp_sqr(t, t);
        if ((e[i / 64] >> (i % 64)) & 1)
            es__fp_mul(t, t, a);
    }
    memcpy(r, t, sizeof(t));
}

int es__fp_sqrt_vartime(es__fp r, const es__fp a)
{
    /* p = 3 mod 4, so a^((p+1)/4) is a root when one exists. */
    static const uint64_t e[4] = {0x4000000000000000ULL, 0xffffffffc0000000ULL,
                                  0xffffffffffffffffULL, 0x3fffffffbfffffffULL};
    es__fp s, c;

    pow_vartime(s, a, e);
    es__fp_sqr(c, s);
    memcpy(r, s, sizeof(s));
    return memcmp(c, a, sizeof(c)) == 0;
}
