/*
 * Constant-time k * G for signing: Booth w=7 comb over the precomputed affine table, masked
 * full-row lookups (AVX2 when the CPU has it) and branch-free Jacobian + affine additions whose
 * one reachable exceptional case (the accumulator at infinity) is handled by masks.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define fmul fp_mul
#define fsqr fp_sqr
#define fadd fp_add
#define fsub fp_sub

/*
 * madd-2007-bl (7M + 4S), a Jacobian, b affine, with no branch: wrong only when a is infinity or
 * a = +-b. The caller masks the first case; the second cannot occur (see es__sm2_mul_g_ct).
 */
static void jac_madd_ct(es__jac *r, const es__jac *a, const es__aff *b)
{
    es__fp z1z1, u2, s2, h, hh, i, j, rr, v, t;

    fsqr(z1z1, a->z);
    fmul(u2, b->x, z1z1);
    fmul(s2, b->y, a->z);
    fmul(s2, s2, z1z1);
    fsub(h, u2, a->x);
    fsub(rr, s2, a->y);
    fadd(rr, rr, rr);
    fsqr(hh, h);
    fp_mul4(i, hh);
    fmul(j, h, i);
    fmul(v, a->x, i);
    fadd(t, a->z, h);
    fsqr(t, t);
    fsub(t, t, z1z1);
    fsub(r->z, t, hh);
    fsqr(t, rr);
    fsub(t, t, j);
    fsub(t, t, v);
    fsub(r->x, t, v);
    fsub(t, v, r->x);
    fmul(t, rr, t);
    fmul(s2, a->y, j);
    fadd(s2, s2, s2);
    fsub(r->y, t, s2);
}

/* All-ones if a == b, else 0, without a branch. */
static uint64_t eq_mask(uint64_t a, uint64_t b)
{
    uint64_t v = a ^ b;

    return ((v | (0 - v)) >> 63) - 1;
}

/*
 * out = row[mag - 1] with y negated when neg, reading every entry of the row; (0, 0) when
 * mag == 0 (the caller then discards the sum). Two independent accumulators per coordinate
 * half the dependency chains of the masked ORs.
 */
static void lookup_scalar(es__aff *out, const es__aff *row, uint64_t mag)
{
    uint64_t x[4] = {0}, y[4] = {0};

    for (uint64_t i = 0; i < ES__COMB_POINTS; i++) {
        uint64_t m = eq_mask(i + 1, mag);

        ES__UNROLL
        for (int l = 0; l < 4; l++) {
            x[l] |= row[i].x[l] & m;
            y[l] |= row[i].y[l] & m;
        }
    }
    memcpy(out->x, x, sizeof(x));
    memcpy(out->y, y, sizeof(y));
}

#if defined(__x86_64__)
#include <immintrin.h>

int es__sm2_use_avx2;

/* The same scan with 256-bit masks: one compare, two loads, two ANDs and two ORs per entry. */
__attribute__((target("avx2"))) static void lookup_avx2(es__aff *out, const es__aff *row,
                                                        uint64_t mag)
{
    __m256i x = _mm256_setzero_si256(), y = _mm256_setzero_si256();
    __m256i want = _mm256_set1_epi64x((long long)mag), idx = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi64x(1);

    for (int i = 0; i < ES__COMB_POINTS; i++) {
        __m256i m;

        idx = _mm256_add_epi64(idx, one);
        m = _mm256_cmpeq_epi64(idx, want);
        x = _mm256_or_si256(x, _mm256_and_si256(m, _mm256_loadu_si256((const void *)row[i].x)));
        y = _mm256_or_si256(y, _mm256_and_si256(m, _mm256_loadu_si256((const void *)row[i].y)));
    }
    _mm256_storeu_si256((void *)out->x, x);
    _mm256_storeu_si256((void *)out->y, y);
}
#else
int es__sm2_use_avx2;
#endif

/* The AVX2 / scalar choice depends on the CPU only. */
static void lookup(es__aff *out, const es__aff *row, uint64_t mag, uint64_t neg)
{
    es__fp ny;

#if defined(__x86_64__)
    if (es__sm2_use_avx2)
        lookup_avx2(out, row, mag);
    else
#endif
        lookup_scalar(out, row, mag);
    fp_neg(ny, out->y);
    es__fp_cmov(out->y, ny, 0 - neg);
}

/*
 * The accumulator after windows 0..j-1 is v G with v = (k mod 2^7j) - (bit 7j-1) 2^7j, so
 * |v| <= 2^(7j-1), and window j adds d 2^7j G with 1 <= |d| <= 64. For k in [1, n-1], v = +-d 2^7j
 * (mod n) is impossible: below window 36 every value is under n/2 and |v| < 2^7j; in window 36
 * (|d| <= 16) v = d 2^252 - n would need k = 2 d 2^252 - n < n, so d <= 15 and |v| > 2^251.
 * Hence the only exceptional input of the addition is an infinite accumulator (all digits so far
 * zero), tracked by the mask inf and replaced by the looked-up point without a branch; a zero
 * digit keeps the accumulator by a masked select.
 */
void es__sm2_mul_g_ct(es__aff *r, const es__fn k)
{
    const es__comb_table *t = es__sm2_table();
    es__jac acc, sum;
    es__aff q;
    es__fp zi, zi2;
    uint64_t inf = ~(uint64_t)0;

    memset(&acc, 0, sizeof(acc));
    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        unsigned b = es__sm2_booth7(k, j);
        uint64_t mag = b >> 1, nz = 0 - (eq_mask(mag, 0) + 1); /* all-ones unless mag == 0 */

        lookup(&q, (*t)[j], mag, b & 1);
        jac_madd_ct(&sum, &acc, &q);
        es__fp_cmov(sum.x, q.x, inf);
        es__fp_cmov(sum.y, q.y, inf);
        es__fp_cmov(sum.z, es__fp_one, inf);
        es__fp_cmov(acc.x, sum.x, nz);
        es__fp_cmov(acc.y, sum.y, nz);
        es__fp_cmov(acc.z, sum.z, nz);
        inf &= ~nz;
    }
    /* k in [1, n-1] never gives infinity, so Z is invertible. */
    es__fp_inv(zi, acc.z);
    fsqr(zi2, zi);
    fmul(r->x, acc.x, zi2);
    fmul(zi2, zi2, zi);
    fmul(r->y, acc.y, zi2);
    OPENSSL_cleanse(&acc, sizeof(acc));
    OPENSSL_cleanse(&sum, sizeof(sum));
    OPENSSL_cleanse(&q, sizeof(q));
    OPENSSL_cleanse(zi, sizeof(zi));
    OPENSSL_cleanse(zi2, sizeof(zi2));
}
