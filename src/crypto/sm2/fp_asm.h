/*
 * Montgomery product mod the SM2 prime in x86-64 inline assembly with MULX and the two
 * independent carry chains of ADCX (CF) and ADOX (OF). Only called when CPUID reports BMI2 and
 * ADX (es__fp_use_mulx); the portable C product in fp_arith.h is the fallback and the reference.
 * The blocks read a and b through their pointers and say so with a "memory" clobber: exact "m"
 * operands would each need an address register of their own where the compiler does not reuse
 * the pointer's (gcc -O0, clang), one more than x86-64 has left. Below them, addition,
 * subtraction and multiplication by 4 and 8 in base x86-64 (no dispatch), which use few enough
 * registers for "m" operands.
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
 * window stays below 2^256, so its subtractions never borrow out of the top limb) and the
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

/*
 * In-place step on a 4-limb window (m, w1, w2, w3) -> (w1, w2, w3, m's register), with x and y
 * as scratch: adding m p clears m and adds m (2^192 - 2^160 - 2^32 + 1) from w1 on, which is the
 * window minus k = m (2^32 - 1) (two limbs, from w1) minus m 2^32 (two limbs, from w3) with m
 * itself as the new top limb. k is formed from the shifts on a short chain of its own, so a
 * step is 6 carry operations instead of the 8 of an add-then-subtract form (7 % more products
 * and 9 % more squares per second, measured). The window stays below 2^256 throughout.
 */
#define ES__RED4(m, w1, w2, w3, x, y)                                                              \
    "movq %[" #m "], %[" #x "]\n\t"                                                                \
    "shlq $32, %[" #x "]\n\t"                                                                      \
    "movq %[" #m "], %[" #y "]\n\t"                                                                \
    "shrq $32, %[" #y "]\n\t"                                                                      \
    "movq %[" #x "], %[lo]\n\t"                                                                    \
    "movq %[" #y "], %[hi]\n\t"                                                                    \
    "subq %[" #m "], %[lo]\n\t"                                                                    \
    "sbbq $0, %[hi]\n\t"                                                                           \
    "subq %[lo], %[" #w1 "]\n\t"                                                                   \
    "sbbq %[hi], %[" #w2 "]\n\t"                                                                   \
    "sbbq %[" #x "], %[" #w3 "]\n\t"                                                               \
    "sbbq %[" #y "], %[" #m "]\n\t"

/* The four steps; the window rotates back to (t0, t1, t2, t3). */
#define ES__REDALL(x, y)                                                                           \
    ES__RED4(t0, t1, t2, t3, x, y)                                                                 \
    ES__RED4(t1, t2, t3, t0, x, y) ES__RED4(t2, t3, t0, t1, x, y) ES__RED4(t3, t0, t1, t2, x, y)

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
    /* rdx (x) and the pointer's register serve as the reduction's scratch. */
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi, x;
    const uint64_t *pa = a;

    __asm__(ES__SQR_CROSS ES__SQR_DIAG ES__REDALL(x, a) ES__SQR_TAIL
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi),
              [x] "=&d"(x), [a] "+r"(pa)
            :
            : "cc", "memory");
    (void)t4;
    (void)t5;
    (void)t6;
    (void)t7;
    (void)lo;
    (void)hi;
    (void)x;
    (void)pa;
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
    /* The pointers' registers serve as the reduction's scratch. */
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
    const uint64_t *pa = a, *pb = b;

    __asm__(ES__PROW0 ES__PROW(8, t1, t2, t3, t4, t5) ES__PROW(16, t2, t3, t4, t5, t6)
                ES__PROW(24, t3, t4, t5, t6, t7) ES__REDALL(a, b) ES__SQR_TAIL
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi),
              [a] "+r"(pa), [b] "+r"(pb)
            :
            : "rdx", "cc", "memory");
    (void)t4;
    (void)t5;
    (void)t6;
    (void)t7;
    (void)lo;
    (void)hi;
    (void)pa;
    (void)pb;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/*
 * Addition and subtraction: gcc 12 turns the C forms' mask selection into SSE shuffles (about 45
 * instructions for an addition, with GPR/XMM moves on the dependency chain); these are one
 * carry chain, the chain of the subtraction of p and four CMOVs (add), or one borrow mask (sub).
 * They need only base x86-64, so they do not dispatch on the CPU. Each limb is an "m" operand,
 * so that a local array is addressed from the stack pointer without a register of its own
 * (through pointers, the extra address computations cost 7 % of signing speed, measured).
 */
#if defined(__OPTIMIZE__)
#define ES__FP_M4(n, p)                                                                            \
    [n##0] "m"((p)[0]), [n##1] "m"((p)[1]), [n##2] "m"((p)[2]), [n##3] "m"((p)[3])
#define ES__L(n, i) "%[" #n #i "]"
#else
/* gcc 12 -O0 gives each limb an address register of its own; its allocator never ends. */
#define ES__FP_M4(n, p) [n] "r"(p), "m"(*(const uint64_t(*)[4])(p))
#define ES__L(n, i)     #i "*8(%[" #n "])"
#endif

/* clang-format splits the limb macros inside the templates: */
/* clang-format off */
/* r = a + b mod p for a, b below p; constant time; r may alias a or b. */
ES__FP_INLINE void fp_add_asm(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t0, t1, t2, t3, s0, s1, s2, s3, c, k;

    __asm__("movq " ES__L(a, 0) ", %[t0]\n\t"
            "movq " ES__L(a, 1) ", %[t1]\n\t"
            "movq " ES__L(a, 2) ", %[t2]\n\t"
            "movq " ES__L(a, 3) ", %[t3]\n\t"
            "xorl %k[c], %k[c]\n\t"
            "addq " ES__L(b, 0) ", %[t0]\n\t"
            "adcq " ES__L(b, 1) ", %[t1]\n\t"
            "adcq " ES__L(b, 2) ", %[t2]\n\t"
            "adcq " ES__L(b, 3) ", %[t3]\n\t"
            "adcq $0, %[c]\n\t"
            "movq %[t0], %[s0]\n\t"
            "movq %[t1], %[s1]\n\t"
            "movq %[t2], %[s2]\n\t"
            "movq %[t3], %[s3]\n\t"
            "movabsq $0xffffffff00000000, %[k]\n\t"
            "subq $-1, %[s0]\n\t"
            "sbbq %[k], %[s1]\n\t"
            "movabsq $0xfffffffeffffffff, %[k]\n\t"
            "sbbq $-1, %[s2]\n\t"
            "sbbq %[k], %[s3]\n\t"
            "sbbq $0, %[c]\n\t"
            "cmovncq %[s0], %[t0]\n\t"
            "cmovncq %[s1], %[t1]\n\t"
            "cmovncq %[s2], %[t2]\n\t"
            "cmovncq %[s3], %[t3]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [s0] "=&r"(s0),
              [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [c] "=&r"(c), [k] "=&r"(k)
            : ES__FP_M4(a, a), ES__FP_M4(b, b)
            : "cc");
    (void)s0;
    (void)s1;
    (void)s2;
    (void)s3;
    (void)c;
    (void)k;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/* r = a - b mod p for a, b below p: p added back under the borrow's mask; r may alias a or b. */
ES__FP_INLINE void fp_sub_asm(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t0, t1, t2, t3, m, x, y;

    __asm__("movq " ES__L(a, 0) ", %[t0]\n\t"
            "movq " ES__L(a, 1) ", %[t1]\n\t"
            "movq " ES__L(a, 2) ", %[t2]\n\t"
            "movq " ES__L(a, 3) ", %[t3]\n\t"
            "subq " ES__L(b, 0) ", %[t0]\n\t"
            "sbbq " ES__L(b, 1) ", %[t1]\n\t"
            "sbbq " ES__L(b, 2) ", %[t2]\n\t"
            "sbbq " ES__L(b, 3) ", %[t3]\n\t"
            "sbbq %[m], %[m]\n\t"
            "movabsq $0xffffffff00000000, %[x]\n\t"
            "andq %[m], %[x]\n\t"
            "movabsq $0xfffffffeffffffff, %[y]\n\t"
            "andq %[m], %[y]\n\t"
            "addq %[m], %[t0]\n\t"
            "adcq %[x], %[t1]\n\t"
            "adcq %[m], %[t2]\n\t"
            "adcq %[y], %[t3]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [m] "=&r"(m),
              [x] "=&r"(x), [y] "=&r"(y)
            : ES__FP_M4(a, a), ES__FP_M4(b, b)
            : "cc");
    (void)m;
    (void)x;
    (void)y;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/*
 * r = a 2^s mod p (s = 2 or 3) for a below p, one operation instead of s additions: the shifted
 * value is T + c 2^256 with c < 2^s, congruent to W = T + c (2^256 - p); W is at most
 * 2^256 + 7 (2^256 - p), so its reduction is W + (2^256 - p) mod 2^256, taken by CMOV when W or
 * that sum carries (never both), else W. A macro, so that s stays an immediate at -O0.
 */
#define ES__FP_MUL2K(name, s, rs)                                                                  \
    ES__FP_INLINE void name(uint64_t r[4], const uint64_t a[4])                                    \
    {                                                                                              \
        uint64_t t0, t1, t2, t3, c, x, y, u3, k;                                                   \
                                                                                                   \
        __asm__("movq " ES__L(a, 3) ", %[t3]\n\t"                                                  \
                "movq %[t3], %[c]\n\t"                                                             \
                "shrq $" #rs ", %[c]\n\t"                                                          \
                "movq " ES__L(a, 2) ", %[t2]\n\t"                                                  \
                "shldq $" #s ", %[t2], %[t3]\n\t"                                                  \
                "movq " ES__L(a, 1) ", %[t1]\n\t"                                                  \
                "shldq $" #s ", %[t1], %[t2]\n\t"                                                  \
                "movq " ES__L(a, 0) ", %[t0]\n\t"                                                  \
                "shldq $" #s ", %[t0], %[t1]\n\t"                                                  \
                "shlq $" #s ", %[t0]\n\t"                                                          \
                "movq %[c], %[y]\n\t"                                                              \
                "shlq $32, %[y]\n\t"                                                               \
                "movq %[y], %[x]\n\t"                                                              \
                "subq %[c], %[x]\n\t"                                                              \
                "xorl %k[k], %k[k]\n\t"                                                            \
                "addq %[c], %[t0]\n\t"                                                             \
                "adcq %[x], %[t1]\n\t"                                                             \
                "adcq $0, %[t2]\n\t"                                                               \
                "adcq %[y], %[t3]\n\t"                                                             \
                "adcq $0, %[k]\n\t"                                                                \
                "movl $1, %k[c]\n\t"                                                               \
                "movl $0xffffffff, %k[x]\n\t"                                                      \
                "movl $0, %k[y]\n\t"                                                               \
                "movabsq $0x100000000, %[u3]\n\t"                                                  \
                "addq %[t0], %[c]\n\t"                                                             \
                "adcq %[t1], %[x]\n\t"                                                             \
                "adcq %[t2], %[y]\n\t"                                                             \
                "adcq %[t3], %[u3]\n\t"                                                            \
                "adcq $0, %[k]\n\t"                                                                \
                "negq %[k]\n\t"                                                                    \
                "cmovcq %[c], %[t0]\n\t"                                                           \
                "cmovcq %[x], %[t1]\n\t"                                                           \
                "cmovcq %[y], %[t2]\n\t"                                                           \
                "cmovcq %[u3], %[t3]\n\t"                                                          \
                : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [c] "=&r"(c),   \
                  [x] "=&r"(x), [y] "=&r"(y), [u3] "=&r"(u3), [k] "=&r"(k)                         \
                : ES__FP_M4(a, a)                                                                  \
                : "cc");                                                                           \
        (void)c;                                                                                   \
        (void)x;                                                                                   \
        (void)y;                                                                                   \
        (void)u3;                                                                                  \
        (void)k;                                                                                   \
        r[0] = t0;                                                                                 \
        r[1] = t1;                                                                                 \
        r[2] = t2;                                                                                 \
        r[3] = t3;                                                                                 \
    }

ES__FP_MUL2K(fp_mul4_asm, 2, 62)
ES__FP_MUL2K(fp_mul8_asm, 3, 61)

/* clang-format on */
#undef ES__FP_MUL2K
#undef ES__FP_M4
#undef ES__L
#undef ES__PROW0
#undef ES__PROW
#undef ES__SQR_CROSS
#undef ES__SQR_DIAG
#undef ES__RED4
#undef ES__REDALL
#undef ES__SQR_TAIL
#else
#define ES__FP_HAVE_ASM 0
#endif

#endif
