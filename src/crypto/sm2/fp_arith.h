/* Montgomery multiplication and squaring mod the SM2 prime, inlined into a portable and a MULX
 * build. */
#ifndef ESEAL_SM2_FP_ARITH_H
#define ESEAL_SM2_FP_ARITH_H

#include <stdint.h>

typedef unsigned __int128 es__u128;

#define ES__FP_INLINE static inline __attribute__((always_inline))

/* Fixed-count limb loops must be unrolled: rolled, the limbs go through memory (2x slower). */
#define ES__UNROLL _Pragma("GCC unroll 8")

/*
 * Carry chains: the x86-64 intrinsics compile to one ADC / SBB each; the __int128 form, which
 * gcc 12 turns into several instructions per limb, is the fallback elsewhere.
 */
#if defined(__x86_64__)
#include <x86intrin.h>
/* Through a temporary: uint64_t is unsigned long, the intrinsics write unsigned long long. */
#define ADC(c, a, b, out)                                                                          \
    do {                                                                                           \
        unsigned long long o_;                                                                     \
        (c) = _addcarry_u64((unsigned char)(c), (a), (b), &o_);                                    \
        (out) = o_;                                                                                \
    } while (0)
#define SBB(c, a, b, out)                                                                          \
    do {                                                                                           \
        unsigned long long o_;                                                                     \
        (c) = _subborrow_u64((unsigned char)(c), (a), (b), &o_);                                   \
        (out) = o_;                                                                                \
    } while (0)
#else
#define ADC(c, a, b, out)                                                                          \
    do {                                                                                           \
        es__u128 x_ = (es__u128)(a) + (b) + (c);                                                   \
        (out) = (uint64_t)x_;                                                                      \
        (c) = (uint64_t)(x_ >> 64);                                                                \
    } while (0)
#define SBB(c, a, b, out)                                                                          \
    do {                                                                                           \
        es__u128 x_ = (es__u128)(a) - (b) - (c);                                                   \
        (out) = (uint64_t)x_;                                                                      \
        (c) = (uint64_t)(x_ >> 64) & 1;                                                            \
    } while (0)
#endif

/*
 * Straight-line code (no arrays) so that every limb stays in a register. Comba (product
 * scanning) keeps a three-word accumulator (c0, c1, c2): MULACC adds a * b, MULACC2 adds it twice
 * (the cross terms of a square).
 */
#define MULACC(a, b)                                                                               \
    do {                                                                                           \
        es__u128 p_ = (es__u128)(a) * (b);                                                         \
        uint64_t k_ = 0;                                                                           \
        ADC(k_, c0, (uint64_t)p_, c0);                                                             \
        ADC(k_, c1, (uint64_t)(p_ >> 64), c1);                                                     \
        c2 += k_;                                                                                  \
    } while (0)
#define MULACC2(a, b)                                                                              \
    do {                                                                                           \
        es__u128 p_ = (es__u128)(a) * (b);                                                         \
        uint64_t k_ = 0, l_ = (uint64_t)p_, h_ = (uint64_t)(p_ >> 64);                             \
        ADC(k_, c0, l_, c0);                                                                       \
        ADC(k_, c1, h_, c1);                                                                       \
        c2 += k_;                                                                                  \
        k_ = 0;                                                                                    \
        ADC(k_, c0, l_, c0);                                                                       \
        ADC(k_, c1, h_, c1);                                                                       \
        c2 += k_;                                                                                  \
    } while (0)
#define SHIFTACC(t)                                                                                \
    do {                                                                                           \
        t = c0;                                                                                    \
        c0 = c1;                                                                                   \
        c1 = c2;                                                                                   \
        c2 = 0;                                                                                    \
    } while (0)

/*
 * Montgomery reduction mod p = 2^256 - 2^224 - 2^96 + 2^64 - 1: -p^-1 mod 2^64 is 1, so each
 * step's multiplier is the low limb m itself, and adding m * p clears that limb while adding
 * m * (2^192 - 2^160 - 2^32 + 1) one limb up: shifts and subtractions, no products. Reducing the
 * low half (w0..w3) alone keeps the window below 2^256 at every step and ends at most p; adding
 * the high half (h0..h3, below p) leaves less than 2p for one conditional subtraction.
 */
#define RED_STEP()                                                                                 \
    do {                                                                                           \
        uint64_t m_ = w0, lo_ = m_ << 32, hi_ = m_ >> 32, v0_, v1_, v2_, v3_, b_ = 0, c_ = 0;      \
        SBB(b_, m_, lo_, v0_);                                                                     \
        SBB(b_, 0, hi_, v1_);                                                                      \
        SBB(b_, 0, lo_, v2_);                                                                      \
        SBB(b_, m_, hi_, v3_);                                                                     \
        ADC(c_, w1, v0_, w0);                                                                      \
        ADC(c_, w2, v1_, w1);                                                                      \
        ADC(c_, w3, v2_, w2);                                                                      \
        w3 = v3_ + c_;                                                                             \
    } while (0)

ES__FP_INLINE void fp_reduce(uint64_t r[4], uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                             uint64_t h0, uint64_t h1, uint64_t h2, uint64_t h3)
{
    uint64_t s0, s1, s2, s3, c = 0, bw = 0, keep;

    RED_STEP();
    RED_STEP();
    RED_STEP();
    RED_STEP();
    ADC(c, w0, h0, w0);
    ADC(c, w1, h1, w1);
    ADC(c, w2, h2, w2);
    ADC(c, w3, h3, w3);
    /* Subtract p = (2^64-1, 2^64-2^32, 2^64-1, 2^64-2^32-1); keep w when that borrows. */
    SBB(bw, w0, 0xffffffffffffffffULL, s0);
    SBB(bw, w1, 0xffffffff00000000ULL, s1);
    SBB(bw, w2, 0xffffffffffffffffULL, s2);
    SBB(bw, w3, 0xfffffffeffffffffULL, s3);
    keep = 0 - ((c ^ 1) & bw);
    r[0] = (w0 & keep) | (s0 & ~keep);
    r[1] = (w1 & keep) | (s1 & ~keep);
    r[2] = (w2 & keep) | (s2 & ~keep);
    r[3] = (w3 & keep) | (s3 & ~keep);
}

/* r = a * b / 2^256 mod p for a, b below p; constant time. */
ES__FP_INLINE void fp_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0, t0, t1, t2, t3, t4, t5, t6;

    MULACC(a0, b0);
    SHIFTACC(t0);
    MULACC(a0, b1);
    MULACC(a1, b0);
    SHIFTACC(t1);
    MULACC(a0, b2);
    MULACC(a1, b1);
    MULACC(a2, b0);
    SHIFTACC(t2);
    MULACC(a0, b3);
    MULACC(a1, b2);
    MULACC(a2, b1);
    MULACC(a3, b0);
    SHIFTACC(t3);
    MULACC(a1, b3);
    MULACC(a2, b2);
    MULACC(a3, b1);
    SHIFTACC(t4);
    MULACC(a2, b3);
    MULACC(a3, b2);
    SHIFTACC(t5);
    MULACC(a3, b3);
    SHIFTACC(t6);
    fp_reduce(r, t0, t1, t2, t3, t4, t5, t6, c0);
}

/* r = a^2 / 2^256 mod p: the six cross products once (added twice), plus the four squares. */
ES__FP_INLINE void fp_mont_sqr(uint64_t r[4], const uint64_t a[4])
{
    uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0, t0, t1, t2, t3, t4, t5, t6;

    MULACC(a0, a0);
    SHIFTACC(t0);
    MULACC2(a0, a1);
    SHIFTACC(t1);
    MULACC2(a0, a2);
    MULACC(a1, a1);
    SHIFTACC(t2);
    MULACC2(a0, a3);
    MULACC2(a1, a2);
    SHIFTACC(t3);
    MULACC2(a1, a3);
    MULACC(a2, a2);
    SHIFTACC(t4);
    MULACC2(a2, a3);
    SHIFTACC(t5);
    MULACC(a3, a3);
    SHIFTACC(t6);
    fp_reduce(r, t0, t1, t2, t3, t4, t5, t6, c0);
}

#endif
