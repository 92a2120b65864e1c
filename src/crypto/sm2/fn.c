/* Arithmetic mod the SM2 group order n: Montgomery products for the signing equation. */
#include <string.h>

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/sm2_local.h"

const es__fn es__sm2_n = {0x53bbf40939d54123ULL, 0x7203df6b21c6052bULL, 0xffffffffffffffffULL,
                          0xfffffffeffffffffULL};
/* -n^-1 mod 2^64 and 2^512 mod n. */
static const uint64_t fn_n0 = 0x327f9e8872350975ULL;
static const es__fn fn_r2 = {0x901192af7c114f20ULL, 0x3464504ade6fa2faULL, 0x620fc84c3affe0d4ULL,
                             0x1eb5e412a22b3d3bULL};

/* r = t - n if t (with carry bit hi) is at least n, else t; constant time. */
static void cond_sub_n(es__fn r, const uint64_t t[4], uint64_t hi)
{
    uint64_t s[4], bw = 0, keep;

    ES__UNROLL

    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)t[i] - es__sm2_n[i] - bw;
        s[i] = (uint64_t)x;
        bw = (uint64_t)(x >> 64) & 1;
    }
    keep = 0 - ((hi ^ 1) & bw);
    ES__UNROLL
    for (int i = 0; i < 4; i++)
        r[i] = (t[i] & keep) | (s[i] & ~keep);
}

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

int es__fn_from_bytes(es__fn r, const uint8_t b[32])
{
    uint64_t bw = 0;

    load_be(r, b);
    ES__UNROLL
    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)r[i] - es__sm2_n[i] - bw;
        bw = (uint64_t)(x >> 64) & 1;
    }
    return (int)bw;
}

void es__fn_to_bytes(uint8_t b[32], const es__fn a)
{
    ES__UNROLL
    for (int i = 0; i < 4; i++)
        ES__UNROLL
    for (int j = 0; j < 8; j++)
        b[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

void es__fn_reduce(es__fn r, const uint8_t b[32])
{
    uint64_t t[4];

    /* Any 256-bit value is below 2n. */
    load_be(t, b);
    cond_sub_n(r, t, 0);
}

/* CIOS Montgomery product; inputs with a * b < n * 2^256 give a result below n. */
void es__fn_mont_mul(es__fn r, const es__fn a, const es__fn b)
{
    uint64_t t[6] = {0};

    ES__UNROLL

    for (int i = 0; i < 4; i++) {
        uint64_t c = 0, m;
        es__u128 x;

        ES__UNROLL

        for (int j = 0; j < 4; j++) {
            x = (es__u128)a[j] * b[i] + t[j] + c;
            t[j] = (uint64_t)x;
            c = (uint64_t)(x >> 64);
        }
        x = (es__u128)t[4] + c;
        t[4] = (uint64_t)x;
        t[5] = (uint64_t)(x >> 64);
        m = t[0] * fn_n0;
        x = (es__u128)m * es__sm2_n[0] + t[0];
        c = (uint64_t)(x >> 64);
        ES__UNROLL
        for (int j = 1; j < 4; j++) {
            x = (es__u128)m * es__sm2_n[j] + t[j] + c;
            t[j - 1] = (uint64_t)x;
            c = (uint64_t)(x >> 64);
        }
        x = (es__u128)t[4] + c;
        t[3] = (uint64_t)x;
        t[4] = t[5] + (uint64_t)(x >> 64);
    }
    cond_sub_n(r, t, t[4]);
}

void es__fn_reduce_wide(es__fn r, const uint8_t b[64])
{
    es__fn hi, lo;

    /* hi * 2^256 + lo: the Montgomery product of hi and 2^512 is hi * 2^256 mod n. */
    load_be(hi, b);
    es__fn_reduce(lo, b + 32);
    es__fn_mont_mul(hi, hi, fn_r2);
    es__fn_add(r, hi, lo);
}

void es__fn_add(es__fn r, const es__fn a, const es__fn b)
{
    uint64_t t[4], c = 0;

    ES__UNROLL

    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)a[i] + b[i] + c;
        t[i] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
    cond_sub_n(r, t, c);
}

void es__fn_sub(es__fn r, const es__fn a, const es__fn b)
{
    uint64_t t[4], bw = 0, mask, c = 0;

    ES__UNROLL

    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)a[i] - b[i] - bw;
        t[i] = (uint64_t)x;
        bw = (uint64_t)(x >> 64) & 1;
    }
    mask = 0 - bw;
    ES__UNROLL
    for (int i = 0; i < 4; i++) {
        es__u128 x = (es__u128)t[i] + (es__sm2_n[i] & mask) + c;
        r[i] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
}

uint64_t es__fn_is_zero(const es__fn a)
{
    uint64_t v = a[0] | a[1] | a[2] | a[3];

    return ((v | (0 - v)) >> 63) - 1;
}

/*
 * Fermat: (a R)^(n-2) in the Montgomery domain is a^-1 R. The exponent is public, so branching
 * on its bits leaks nothing about a.
 */
void es__fn_inv_mont(es__fn r, const es__fn a)
{
    static const es__fn n2 = {0x53bbf40939d54121ULL, 0x7203df6b21c6052bULL, 0xffffffffffffffffULL,
                              0xfffffffeffffffffULL};
    es__fn am, t;

    es__fn_mont_mul(am, a, fn_r2);
    memcpy(t, am, sizeof(t));
    ES__UNROLL
    for (int i = 254; i >= 0; i--) { /* bit 255 of n - 2 is the leading one */
        es__fn_mont_mul(t, t, t);
        if ((n2[i / 64] >> (i % 64)) & 1)
            es__fn_mont_mul(t, t, am);
    }
    memcpy(r, t, sizeof(t));
    memset(am, 0, sizeof(am));
}
