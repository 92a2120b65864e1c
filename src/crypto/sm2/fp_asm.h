/*
 * Montgomery product mod the SM2 prime in x86-64 inline assembly with MULX and the two
 * independent carry chains of ADCX (CF) and ADOX (OF). Only called when CPUID reports BMI2 and
 * ADX (es__fp_use_mulx); the portable C product in fp_arith.h is the fallback and the reference.
 * The blocks read a and b through their pointers and say so with a "memory" clobber: exact "m"
 * operands would each need an address register of their own where the compiler does not reuse
 * the pointer's (gcc -O0, clang), one more than x86-64 has left.
 */
#ifndef ESEAL_SM2_FP_ASM_H
#define ESEAL_SM2_FP_ASM_H

#include <stdint.h>

#include "crypto/sm2/fp_arith.h"

#if defined(__x86_64__)
#define ES__FP_HAVE_ASM 1

/*
 * Squaring: the six cross products a_i a_j (i < j) once, doubled on the CF chain while the four
 * squares a_i^2 are added on the OF chain; then the low half is reduced in place (each step's
 * window stays below 2^256, so the wrap-around of the add-then-subtract form cancels) and the
 * high half, below p, is added; the sum (below 2p, with its carry) minus p is kept unless that
 * borrows, chosen by CMOV (no branch).
 */
#define ES__SQR_CROSS                                                                              \
    "movq 0(%[a]), %%rdx\n\t"                                                                      \
    "xorq %[t6], %[t6]\n\t"                                                                        \
    "mulxq 8(%[a]), %[t1], %[t2]\n\t"                                                              \
    "mulxq 16(%[a]), %[lo], %[t3]\n\t"                                                             \
    "addq %[lo], %[t2]\n\t"                                                                        \
    "mulxq 24(%[a]), %[lo], %[t4]\n\t"                                                             \
    "adcq %[lo], %[t3]\n\t"                                                                        \
    "adcq $0, %[t4]\n\t"                                                                           \
    "movq 8(%[a]), %%rdx\n\t"                                                                      \
    "xorq %[t5], %[t5]\n\t"                                                                        \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[t3]\n\t"                                                                       \
    "adcxq %[hi], %[t4]\n\t"                                                                       \
    "mulxq 24(%[a]), %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[t4]\n\t"                                                                       \
    "adcxq %[hi], %[t5]\n\t"                                                                       \
    "adoxq %[t6], %[t5]\n\t"                                                                       \
    "movq 16(%[a]), %%rdx\n\t"                                                                     \
    "mulxq 24(%[a]), %[lo], %[hi]\n\t"                                                             \
    "addq %[lo], %[t5]\n\t"                                                                        \
    "adcq %[hi], %[t6]\n\t"

#define ES__SQR_DIAG                                                                               \
    "xorq %[t7], %[t7]\n\t"                                                                        \
    "movq 0(%[a]), %%rdx\n\t"                                                                      \
    "mulxq %%rdx, %[t0], %[hi]\n\t"                                                                \
    "adcxq %[t1], %[t1]\n\t"                                                                       \
    "adoxq %[hi], %[t1]\n\t"                                                                       \
    "movq 8(%[a]), %%rdx\n\t"                                                                      \
    "mulxq %%rdx, %[lo], %[hi]\n\t"                                                                \
    "adcxq %[t2], %[t2]\n\t"                                                                       \
    "adoxq %[lo], %[t2]\n\t"                                                                       \
    "adcxq %[t3], %[t3]\n\t"                                                                       \
    "adoxq %[hi], %[t3]\n\t"                                                                       \
    "movq 16(%[a]), %%rdx\n\t"                                                                     \
    "mulxq %%rdx, %[lo], %[hi]\n\t"                                                                \
    "adcxq %[t4], %[t4]\n\t"                                                                       \
    "adoxq %[lo], %[t4]\n\t"                                                                       \
    "adcxq %[t5], %[t5]\n\t"                                                                       \
    "adoxq %[hi], %[t5]\n\t"                                                                       \
    "movq 24(%[a]), %%rdx\n\t"                                                                     \
    "mulxq %%rdx, %[lo], %[hi]\n\t"                                                                \
    "adcxq %[t6], %[t6]\n\t"                                                                       \
    "adoxq %[lo], %[t6]\n\t"                                                                       \
    "adcxq %[t7], %[t7]\n\t"                                                                       \
    "adoxq %[hi], %[t7]\n\t"

/* In-place step on a 4-limb window (m, w1, w2, w3) -> (w1, w2, w3, m's register). */
#define ES__RED4(m, w1, w2, w3)                                                                    \
    "movq %[" #m "], %[lo]\n\t"                                                                    \
    "shlq $32, %[lo]\n\t"                                                                          \
    "movq %[" #m "], %[hi]\n\t"                                                                    \
    "shrq $32, %[hi]\n\t"                                                                          \
    "addq %[" #m "], %[" #w1 "]\n\t"                                                               \
    "adcq $0, %[" #w2 "]\n\t"                                                                      \
    "adcq $0, %[" #w3 "]\n\t"                                                                      \
    "adcq $0, %[" #m "]\n\t"                                                                       \
    "subq %[lo], %[" #w1 "]\n\t"                                                                   \
    "sbbq %[hi], %[" #w2 "]\n\t"                                                                   \
    "sbbq %[lo], %[" #w3 "]\n\t"                                                                   \
    "sbbq %[hi], %[" #m "]\n\t"

#define ES__SQR_TAIL                                                                               \
    "addq %[t4], %[t0]\n\t"                                                                        \
    "adcq %[t5], %[t1]\n\t"                                                                        \
    "adcq %[t6], %[t2]\n\t"                                                                        \
    "adcq %[t7], %[t3]\n\t"                                                                        \
    "movl $0, %k[lo]\n\t"                                                                          \
    "adcq $0, %[lo]\n\t"                                                                           \
    "movq %[t0], %[t4]\n\t"                                                                        \
    "movq %[t1], %[t5]\n\t"                                                                        \
    "movq %[t2], %[t6]\n\t"                                                                        \
    "movq %[t3], %[t7]\n\t"                                                                        \
    "movabsq $0xffffffff00000000, %[hi]\n\t"                                                       \
    "subq $-1, %[t4]\n\t"                                                                          \
    "sbbq %[hi], %[t5]\n\t"                                                                        \
    "movabsq $0xfffffffeffffffff, %[hi]\n\t"                                                       \
    "sbbq $-1, %[t6]\n\t"                                                                          \
    "sbbq %[hi], %[t7]\n\t"                                                                        \
    "sbbq $0, %[lo]\n\t"                                                                           \
    "cmovncq %[t4], %[t0]\n\t"                                                                     \
    "cmovncq %[t5], %[t1]\n\t"                                                                     \
    "cmovncq %[t6], %[t2]\n\t"                                                                     \
    "cmovncq %[t7], %[t3]\n\t"

/* r = a^2 / 2^256 mod p for a below p; constant time; r may alias a. */
ES__FP_INLINE void fp_mont_sqr_asm(uint64_t r[4], const uint64_t a[4])
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;

    __asm__(ES__SQR_CROSS ES__SQR_DIAG ES__RED4(t0, t1, t2, t3) ES__RED4(t1, t2, t3, t0)
                ES__RED4(t2, t3, t0, t1) ES__RED4(t3, t0, t1, t2) ES__SQR_TAIL
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a)
            : "rdx", "cc", "memory");
    (void)t4;
    (void)t5;
    (void)t6;
    (void)t7;
    (void)lo;
    (void)hi;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/*
 * Product: operand scanning, the full 512-bit product first (row i adds a * b[i] with the low
 * words on the OF chain and the high words on the CF chain; no row waits for a reduction, so the
 * multiplier runs ahead), then the squaring's in-place reduction of the low half and the high
 * half (below p, since a * b < p^2) added. Each row's final carries land in its fresh top limb and
 * cannot leave it: the partial product stays below 2^(64 (i + 5)).
 */
#define ES__PROW0                                                                                  \
    "movq 0(%[b]), %%rdx\n\t"                                                                      \
    "mulxq 0(%[a]), %[t0], %[t1]\n\t"                                                              \
    "mulxq 8(%[a]), %[lo], %[t2]\n\t"                                                              \
    "addq %[lo], %[t1]\n\t"                                                                        \
    "mulxq 16(%[a]), %[lo], %[t3]\n\t"                                                             \
    "adcq %[lo], %[t2]\n\t"                                                                        \
    "mulxq 24(%[a]), %[lo], %[t4]\n\t"                                                             \
    "adcq %[lo], %[t3]\n\t"                                                                        \
    "adcq $0, %[t4]\n\t"

/* w0..w3 += a * b[off / 8] with the top limb w4 fresh from the last MULX. */
#define ES__PROW(off, w0, w1, w2, w3, w4)                                                          \
    "movq " #off "(%[b]), %%rdx\n\t"                                                               \
    "xorl %k[lo], %k[lo]\n\t"                                                                      \
    "mulxq 0(%[a]), %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #w0 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #w1 "]\n\t"                                                                  \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #w1 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #w2 "]\n\t"                                                                  \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[" #w2 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #w3 "]\n\t"                                                                  \
    "mulxq 24(%[a]), %[lo], %[" #w4 "]\n\t"                                                        \
    "adoxq %[lo], %[" #w3 "]\n\t"                                                                  \
    "movl $0, %%edx\n\t"                                                                           \
    "adcxq %%rdx, %[" #w4 "]\n\t"                                                                  \
    "adoxq %%rdx, %[" #w4 "]\n\t"

/* r = a * b / 2^256 mod p for a, b below p; constant time; r may alias a or b. */
ES__FP_INLINE void fp_mont_mul_asm(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;

    __asm__(ES__PROW0 ES__PROW(8, t1, t2, t3, t4, t5) ES__PROW(16, t2, t3, t4, t5, t6)
                ES__PROW(24, t3, t4, t5, t6, t7) ES__RED4(t0, t1, t2, t3) ES__RED4(t1, t2, t3, t0)
                    ES__RED4(t2, t3, t0, t1) ES__RED4(t3, t0, t1, t2) ES__SQR_TAIL
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a), [b] "r"(b)
            : "rdx", "cc", "memory");
    (void)t4;
    (void)t5;
    (void)t6;
    (void)t7;
    (void)lo;
    (void)hi;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

#undef ES__PROW0
#undef ES__PROW
#undef ES__SQR_CROSS
#undef ES__SQR_DIAG
#undef ES__RED4
#undef ES__SQR_TAIL
#else
#define ES__FP_HAVE_ASM 0
#endif

#endif
