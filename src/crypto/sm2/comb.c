/*
 * Constant-time k * G for signing: Booth w=7 comb over the precomputed table, masked full-table
 * lookups, and the complete projective formulas of Renes-Costello-Batina (so no input, not even
 * infinity or P = Q, takes a different path).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sm2/sm2_local.h"

#define fmul es__fp_mul
#define fadd es__fp_add
#define fsub es__fp_sub

/*
 * RCB 2016 Algorithm 5: complete mixed addition for a = -3, P projective (may be infinity or
 * equal to +-Q), Q affine (never infinity). 11M + 2 multiplications by b.
 */
static void proj_add_aff(es__proj *r, const es__proj *p, const es__aff *q)
{
    es__fp t0, t1, t2, t3, t4, x3, y3, z3;

    fmul(t0, p->x, q->x);
    fmul(t1, p->y, q->y);
    fadd(t3, q->x, q->y);
    fadd(t4, p->x, p->y);
    fmul(t3, t3, t4);
    fadd(t4, t0, t1);
    fsub(t3, t3, t4);
    fmul(t4, q->y, p->z);
    fadd(t4, t4, p->y);
    fmul(y3, q->x, p->z);
    fadd(y3, y3, p->x);
    fmul(z3, es__sm2_b, p->z);
    fsub(x3, y3, z3);
    fadd(z3, x3, x3);
    fadd(x3, x3, z3);
    fsub(z3, t1, x3);
    fadd(x3, t1, x3);
    fmul(y3, es__sm2_b, y3);
    fadd(t1, p->z, p->z);
    fadd(t2, t1, p->z);
    fsub(y3, y3, t2);
    fsub(y3, y3, t0);
    fadd(t1, y3, y3);
    fadd(y3, t1, y3);
    fadd(t1, t0, t0);
    fadd(t0, t1, t0);
    fsub(t0, t0, t2);
    fmul(t1, t4, y3);
    fmul(t2, t0, y3);
    fmul(y3, x3, z3);
    fadd(y3, y3, t2);
    fmul(x3, t3, x3);
    fsub(r->x, x3, t1);
    fmul(z3, t4, z3);
    fmul(t1, t3, t0);
    fadd(r->z, z3, t1);
    memcpy(r->y, y3, sizeof(es__fp));
}

/* All-ones if a == b, else 0, without a branch. */
static uint64_t eq_mask(uint64_t a, uint64_t b)
{
    uint64_t v = a ^ b;

    return ((v | (0 - v)) >> 63) - 1;
}

/*
 * out = row[mag - 1] with y negated when neg, reading every entry of the row; (0, 0) when
 * mag == 0 (the caller then discards the sum).
 */
static void lookup(es__aff *out, const es__aff *row, uint64_t mag, uint64_t neg)
{
    uint64_t x[4] = {0}, y[4] = {0};
    es__fp ny;

    for (uint64_t i = 0; i < ES__COMB_POINTS; i++) {
        uint64_t m = eq_mask(i + 1, mag);

        for (int l = 0; l < 4; l++) {
            x[l] |= row[i].x[l] & m;
            y[l] |= row[i].y[l] & m;
        }
    }
    memcpy(out->x, x, sizeof(x));
    memcpy(out->y, y, sizeof(y));
    es__fp_neg(ny, out->y);
    es__fp_cmov(out->y, ny, 0 - neg);
}

void es__sm2_mul_g_ct(es__aff *r, const es__fn k)
{
    const es__comb_table *t = es__sm2_table();
    es__proj acc, sum;
    es__aff q;
    es__fp zi;

    /* Infinity is (0 : 1 : 0) in homogeneous coordinates. */
    memset(&acc, 0, sizeof(acc));
    memcpy(acc.y, es__fp_one, sizeof(es__fp));
    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        unsigned b = es__sm2_booth7(k, j);
        uint64_t mag = b >> 1, nz = 0 - (eq_mask(mag, 0) + 1); /* all-ones unless mag == 0 */

        lookup(&q, (*t)[j], mag, b & 1);
        proj_add_aff(&sum, &acc, &q);
        es__fp_cmov(acc.x, sum.x, nz);
        es__fp_cmov(acc.y, sum.y, nz);
        es__fp_cmov(acc.z, sum.z, nz);
    }
    /* k in [1, n-1] never gives infinity, so Z is invertible. */
    es__fp_inv(zi, acc.z);
    es__fp_mul(r->x, acc.x, zi);
    es__fp_mul(r->y, acc.y, zi);
    OPENSSL_cleanse(&acc, sizeof(acc));
    OPENSSL_cleanse(&sum, sizeof(sum));
    OPENSSL_cleanse(&q, sizeof(q));
}
