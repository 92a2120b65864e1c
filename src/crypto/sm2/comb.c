/*
 * Constant-time k * G for signing: Booth w=7 comb over the precomputed affine table, masked
 * full-row lookups (AVX2 when the CPU has it) run between the products of the previous window's
 * addition, and branch-free Jacobian + affine additions whose one reachable exceptional case
 * (the accumulator at infinity) is handled by masks.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sm2/booth.h"
#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define fmul fp_mul
#define fsqr fp_sqr
#define fadd fp_add
#define fsub fp_sub

/*
 * A row scan in progress. The scan (~100 cycles a row) is vector and load work, the addition
 * (~450) carry-chain work on the integer units; the out-of-order window cannot overlap them
 * across the ~1,300 instructions of an addition, so the scan of the next row is cut into
 * parts that the addition runs between its products (measured: the scan's cost all but goes).
 */
typedef struct {
    const es__aff *row;
    uint64_t mag, neg; /* |digit| (0: no point) and its sign */
    uint64_t x[4], y[4];
} scan;

#define SCAN_PARTS 8
#define SCAN_LEN   (ES__COMB_POINTS / SCAN_PARTS)

typedef void scan_fn(scan *s, int part);

/* All-ones if a == b, else 0, without a branch. */
static uint64_t eq_mask(uint64_t a, uint64_t b)
{
    uint64_t v = a ^ b;

    return ((v | (0 - v)) >> 63) - 1;
}

static void scan_begin(scan *s, const es__aff *row, unsigned b)
{
    s->row = row;
    s->mag = b >> 1;
    s->neg = b & 1;
    memset(s->x, 0, sizeof(s->x));
    memset(s->y, 0, sizeof(s->y));
}

/* Entries part * SCAN_LEN .. + SCAN_LEN - 1, each read and masked: 64-bit masks. */
static void scan_part_c(scan *s, int part)
{
    const es__aff *row = s->row;

    for (int i = part * SCAN_LEN; i < (part + 1) * SCAN_LEN; i++) {
        uint64_t m = eq_mask((uint64_t)i + 1, s->mag);

        ES__UNROLL
        for (int l = 0; l < 4; l++) {
            s->x[l] |= row[i].x[l] & m;
            s->y[l] |= row[i].y[l] & m;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

int es__sm2_use_avx2;

/* The same with 256-bit masks: one compare, two loads, two ANDs and two ORs per entry. */
__attribute__((target("avx2"))) static void scan_part_avx2(scan *s, int part)
{
    __m256i x = _mm256_loadu_si256((const void *)s->x), y = _mm256_loadu_si256((const void *)s->y);
    __m256i want = _mm256_set1_epi64x((long long)s->mag);
    __m256i idx = _mm256_set1_epi64x(part * SCAN_LEN);
    const __m256i one = _mm256_set1_epi64x(1);
    const es__aff *row = s->row;

    for (int i = part * SCAN_LEN; i < (part + 1) * SCAN_LEN; i++) {
        __m256i m;

        idx = _mm256_add_epi64(idx, one);
        m = _mm256_cmpeq_epi64(idx, want);
        x = _mm256_or_si256(x, _mm256_and_si256(m, _mm256_loadu_si256((const void *)row[i].x)));
        y = _mm256_or_si256(y, _mm256_and_si256(m, _mm256_loadu_si256((const void *)row[i].y)));
    }
    _mm256_storeu_si256((void *)s->x, x);
    _mm256_storeu_si256((void *)s->y, y);
}
#else
int es__sm2_use_avx2;
#endif

/* The scanned entry, y negated for a negative digit; (0, 0) for a zero digit. */
ES__FP_INLINE void scan_end(es__aff *out, const scan *s)
{
    es__fp ny;

    memcpy(out->x, s->x, sizeof(out->x));
    memcpy(out->y, s->y, sizeof(out->y));
    fp_neg(ny, out->y);
    fp_cmov(out->y, ny, 0 - s->neg);
}

/*
 * madd-2007-bl (7M + 4S), a Jacobian, b affine, with no branch: wrong only when a is infinity or
 * a = +-b. The caller masks the first case; the second cannot occur (see comb_loop).
 * The parts of the scan s run between the products (part is a constant after inlining).
 */
ES__FP_INLINE void jac_madd_ct(es__jac *r, const es__jac *a, const es__aff *b, scan_fn *part,
                               scan *s)
{
    es__fp z1z1, u2, s2, h, hh, i, j, rr, v, t;

    fsqr(z1z1, a->z);
    part(s, 0);
    fmul(u2, b->x, z1z1);
    part(s, 1);
    fmul(s2, b->y, a->z);
    part(s, 2);
    fmul(s2, s2, z1z1);
    part(s, 3);
    fsub(h, u2, a->x);
    fsub(rr, s2, a->y);
    fadd(rr, rr, rr);
    fsqr(hh, h);
    part(s, 4);
    fp_mul4(i, hh);
    fmul(j, h, i);
    part(s, 5);
    fmul(v, a->x, i);
    part(s, 6);
    fadd(t, a->z, h);
    fsqr(t, t);
    part(s, 7);
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

/*
 * The accumulator after windows 0..j-1 is v G with v = (k mod 2^7j) - (bit 7j-1) 2^7j, so
 * |v| <= 2^(7j-1), and window j adds d 2^7j G with 1 <= |d| <= 64. For k in [1, n-1], v = +-d 2^7j
 * (mod n) is impossible: below window 36 every value is under n/2 and |v| < 2^7j; in window 36
 * (|d| <= 16) v = d 2^252 - n would need k = 2 d 2^252 - n < n, so d <= 15 and |v| > 2^251.
 * Hence the only exceptional input of the addition is an infinite accumulator (all digits so far
 * zero), tracked by the mask inf and replaced by the looked-up point without a branch; a zero
 * digit keeps the accumulator by a masked select. Row j + 1 is scanned during window j's addition.
 */
ES__FP_INLINE void comb_loop(es__jac *acc, const es__fn k, scan_fn *part)
{
    const es__comb_table *t = es__sm2_table();
    es__jac sum;
    es__aff q;
    scan s;
    uint64_t inf = ~(uint64_t)0;

    memset(acc, 0, sizeof(*acc));
    scan_begin(&s, (*t)[0], booth7(k, 0));
    for (int i = 0; i < SCAN_PARTS; i++)
        part(&s, i);
    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        uint64_t nz = 0 - (eq_mask(s.mag, 0) + 1); /* all-ones unless the digit is 0 */
        int last = j + 1 == ES__COMB_WINDOWS;      /* a public branch: its scan is idle */

        scan_end(&q, &s);
        scan_begin(&s, (*t)[last ? 0 : j + 1], last ? 0 : booth7(k, j + 1));
        jac_madd_ct(&sum, acc, &q, part, &s);
        fp_cmov(sum.x, q.x, inf);
        fp_cmov(sum.y, q.y, inf);
        fp_cmov(sum.z, es__fp_one, inf);
        fp_cmov(acc->x, sum.x, nz);
        fp_cmov(acc->y, sum.y, nz);
        fp_cmov(acc->z, sum.z, nz);
        inf &= ~nz;
    }
    OPENSSL_cleanse(&sum, sizeof(sum));
    OPENSSL_cleanse(&q, sizeof(q));
    OPENSSL_cleanse(&s, sizeof(s));
}

/* Two copies of the loop, the scan inlined into each; the choice depends on the CPU only. */
#if defined(__x86_64__)
__attribute__((target("avx2"))) static void comb_avx2(es__jac *acc, const es__fn k)
{
    comb_loop(acc, k, scan_part_avx2);
}
#endif

static void comb_c(es__jac *acc, const es__fn k)
{
    comb_loop(acc, k, scan_part_c);
}

void es__sm2_mul_g_ct(es__aff *r, const es__fn k)
{
    es__jac acc;
    es__fp zi, zi2;

#if defined(__x86_64__)
    if (es__sm2_use_avx2)
        comb_avx2(&acc, k);
    else
#endif
        comb_c(&acc, k);
    /* k in [1, n-1] never gives infinity, so Z is invertible. */
    es__fp_inv(zi, acc.z);
    fsqr(zi2, zi);
    fmul(r->x, acc.x, zi2);
    fmul(zi2, zi2, zi);
    fmul(r->y, acc.y, zi2);
    OPENSSL_cleanse(&acc, sizeof(acc));
    OPENSSL_cleanse(zi, sizeof(zi));
    OPENSSL_cleanse(zi2, sizeof(zi2));
}
