/*
 * Field operations inlined into the point formulas: the product dispatches on the CPU (a branch
 * that depends only on CPUID, never on data) to the MULX/ADX assembly or the portable C product;
 * add, sub, neg and the multiplications by 4 and 8 are short straight-line carry chains, in base
 * x86-64 assembly where available (fp_asm.h) and in C otherwise.
 */
#ifndef ESEAL_SM2_FP_INLINE_H
#define ESEAL_SM2_FP_INLINE_H

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/fp_asm.h"
#include "crypto/sm2/sm2_local.h"

#define ES__P0 0xffffffffffffffffULL
#define ES__P1 0xffffffff00000000ULL
#define ES__P2 0xffffffffffffffffULL
#define ES__P3 0xfffffffeffffffffULL

ES__FP_INLINE void fp_mul(es__fp r, const es__fp a, const es__fp b)
{
#if ES__FP_HAVE_ASM
    if (es__fp_use_mulx) {
        fp_mont_mul_asm(r, a, b);
        return;
    }
#endif
    es__fp_mul_c(r, a, b);
}

ES__FP_INLINE void fp_sqr(es__fp r, const es__fp a)
{
#if ES__FP_HAVE_ASM
    if (es__fp_use_mulx) {
        fp_mont_sqr_asm(r, a);
        return;
    }
#endif
    es__fp_sqr_c(r, a);
}

/* r = a + b mod p: the fallback, and the reference the assembly is tested against. */
ES__FP_INLINE void fp_add_c(es__fp r, const es__fp a, const es__fp b)
{
    uint64_t t0, t1, t2, t3, s0, s1, s2, s3, c = 0, bw = 0, keep;

    ADC(c, a[0], b[0], t0);
    ADC(c, a[1], b[1], t1);
    ADC(c, a[2], b[2], t2);
    ADC(c, a[3], b[3], t3);
    SBB(bw, t0, ES__P0, s0);
    SBB(bw, t1, ES__P1, s1);
    SBB(bw, t2, ES__P2, s2);
    SBB(bw, t3, ES__P3, s3);
    keep = 0 - ((c ^ 1) & bw); /* the sum is below p: keep it */
    r[0] = (t0 & keep) | (s0 & ~keep);
    r[1] = (t1 & keep) | (s1 & ~keep);
    r[2] = (t2 & keep) | (s2 & ~keep);
    r[3] = (t3 & keep) | (s3 & ~keep);
}

/* r = a - b mod p (fallback and reference). */
ES__FP_INLINE void fp_sub_c(es__fp r, const es__fp a, const es__fp b)
{
    uint64_t t0, t1, t2, t3, bw = 0, mask, c = 0;

    SBB(bw, a[0], b[0], t0);
    SBB(bw, a[1], b[1], t1);
    SBB(bw, a[2], b[2], t2);
    SBB(bw, a[3], b[3], t3);
    mask = 0 - bw; /* add p back after a borrow */
    ADC(c, t0, ES__P0 & mask, r[0]);
    ADC(c, t1, ES__P1 & mask, r[1]);
    ADC(c, t2, ES__P2 & mask, r[2]);
    ADC(c, t3, ES__P3 & mask, r[3]);
}

/* The assembly where there is any: base x86-64, no CPU dispatch. */
ES__FP_INLINE void fp_add(es__fp r, const es__fp a, const es__fp b)
{
#if ES__FP_HAVE_ASM
    fp_add_asm(r, a, b);
#else
    fp_add_c(r, a, b);
#endif
}

ES__FP_INLINE void fp_sub(es__fp r, const es__fp a, const es__fp b)
{
#if ES__FP_HAVE_ASM
    fp_sub_asm(r, a, b);
#else
    fp_sub_c(r, a, b);
#endif
}

/* r = 4a and r = 8a mod p: one shift and one reduction where the assembly is available. */
ES__FP_INLINE void fp_mul4(es__fp r, const es__fp a)
{
#if ES__FP_HAVE_ASM
    fp_mul4_asm(r, a);
#else
    fp_add(r, a, a);
    fp_add(r, r, r);
#endif
}

ES__FP_INLINE void fp_mul8(es__fp r, const es__fp a)
{
#if ES__FP_HAVE_ASM
    fp_mul8_asm(r, a);
#else
    fp_mul4(r, a);
    fp_add(r, r, r);
#endif
}

/* r = mask ? a : r for mask all-ones or 0: inline, as the comb loop does six per window. */
ES__FP_INLINE void fp_cmov(es__fp r, const es__fp a, uint64_t mask)
{
    ES__UNROLL
    for (int i = 0; i < 4; i++)
        r[i] = (r[i] & ~mask) | (a[i] & mask);
}

/* r = -a mod p (0 stays 0). */
ES__FP_INLINE void fp_neg(es__fp r, const es__fp a)
{
    static const es__fp zero = {0};

    fp_sub(r, zero, a);
}

#endif
