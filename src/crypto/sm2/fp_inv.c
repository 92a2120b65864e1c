/*
 * Constant-time inversion mod p by Bernstein-Yang safegcd ("Fast constant-time gcd computation
 * and modular inversion", 2019) with the half-delta divstep (delta starts at 1/2) of Wuille's
 * write-up for libsecp256k1, for which 590 steps provably reach g = 0 for any modulus and input
 * below 2^256 (the original divstep needs 724): 10 batches of 59, each summarised by a 2x2
 * matrix applied to the 256-bit values. Written from the papers' description.
 */
#include <stdint.h>

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/sm2_local.h"

/* Signed 62-bit limbs: v[0] + v[1] 2^62 + ... + v[4] 2^248, v[0..3] in [0, 2^62), v[4] signed. */
typedef struct {
    int64_t v[5];
} s62;

/* 2^62 times the transition matrix of one batch: [f g] <- [u v; q r] [f g] / 2^62. */
typedef struct {
    int64_t u, v, q, r;
} trans;

__extension__ typedef __int128 i128;

#define M62     ((int64_t)0x3fffffffffffffff)
#define BATCH   59
#define BATCHES 10 /* 590 half-delta divsteps suffice for any 256-bit modulus and input < it */
/* Fully unrolled steps: no loop counter in a loop bound by ALU throughput. */
#define STEPS_UNROLL _Pragma("GCC unroll 30")

/* p in signed 62-bit limbs (f's start); p^-1 = -1 mod 2^62 (p = -1 mod 2^64). */
static const s62 p62 = {
    {0x3fffffffffffffff, 0x3ffffffc00000003, 0x3fffffffffffffff, 0x3fffffbfffffffff, 0xff}};
/* The same value with limbs allowed out of [0, 2^62): -1 + (4 - 2^34) 2^62 - 2^38 2^186 +
 * 2^8 2^248, so that the products by p in update_de are shifts and one vanishes. */
static const int64_t p_small[5] = {-1, 4 - ((int64_t)1 << 34), 0, -((int64_t)1 << 38), 256};
/* 2^512 mod p: the start of e, which folds the Montgomery factors in (see es__fp_inv). */
static const s62 r2_62 = {{0x200000003, 0xbfffffffc, 0x1000000010, 0x10000000080, 0}};

/*
 * n half-delta divsteps on the low 64 bits of f and g (all a step looks at is the parity of g
 * and the sign of delta; after i steps the low 64 - i bits are still exact). With
 * D = delta - 1/2, kept as zeta = ~D = -D - 1 so that "D >= 0" is zeta's sign bit: if D >= 0
 * and g is odd, (D, f, g) <- (-D, g, (g - f) / 2), else (D + 1, f, (g + (g odd ? f : 0)) / 2).
 * Masks only: no branch on zeta, f or g. Halving g is done by doubling f's row instead, so the
 * matrix stays integral, scaled by 2^n. For n <= 30, |u| + |v| <= 2^30, so each row is
 * packed in one word, u + v 2^32 and q + r 2^32 (all operations are additive), which halves
 * the matrix work. The loop is bound by ALU throughput (~20 operations a step, a chain through
 * g of 6), so the forms with the fewest operations win, and unrolling drops the counter.
 */
static void steps(int n, int64_t *zeta, uint64_t *pf, uint64_t *pg, uint64_t *puv, uint64_t *pqr)
{
    uint64_t f = *pf, g = *pg, uv = 1, qr = (uint64_t)1 << 32, odd = 0 - (g & 1);
    int64_t z = *zeta;

    STEPS_UNROLL
    for (int i = 0; i < n; i++) {
        uint64_t neg = (uint64_t)(z >> 63); /* D >= 0 */
        uint64_t swap = odd & neg;          /* g odd and D >= 0 */

        g += ((f ^ neg) - neg) & odd; /* g + f when g is odd, g - f on a swap */
        qr += ((uv ^ neg) - neg) & odd;
        f += g & swap; /* a swap makes f the old g: f + (g - f) */
        uv += qr & swap;
        z = (int64_t)(((uint64_t)z ^ swap) - 1); /* -D - 1 on a swap, D + 1 else, as zeta */
        odd = (uint64_t)((int64_t)(g << 62) >> 63);
        g >>= 1;
        uv += uv;
    }
    *zeta = z;
    *pf = f;
    *pg = g;
    *puv = uv;
    *pqr = qr;
}

/* A packed row a + b 2^32 (|a|, |b| <= 2^30) back to a and b. */
static void unpack(uint64_t w, int64_t *a, int64_t *b)
{
    *a = (int32_t)(uint32_t)w;
    *b = (int64_t)(w - (uint64_t)*a) >> 32;
}

/*
 * 59 divsteps as 29 then 30 (packed rows), their matrices multiplied (row sums |u| + |v| at
 * most 2^29 2^30) and scaled by 8 so that t is 2^62 times the transition matrix.
 */
static void divsteps(int64_t *zeta, uint64_t f, uint64_t g, trans *t)
{
    uint64_t uv, qr;
    int64_t u1, v1, q1, r1, u2, v2, q2, r2;

    steps(29, zeta, &f, &g, &uv, &qr);
    unpack(uv, &u1, &v1);
    unpack(qr, &q1, &r1);
    steps(30, zeta, &f, &g, &uv, &qr);
    unpack(uv, &u2, &v2);
    unpack(qr, &q2, &r2);
    t->u = 8 * (u2 * u1 + v2 * q1);
    t->v = 8 * (u2 * v1 + v2 * r1);
    t->q = 8 * (q2 * u1 + r2 * q1);
    t->r = 8 * (q2 * v1 + r2 * r1);
}

/* [f g] <- t [f g] / 2^62, exact: the batch made the low 62 bits of both products zero. */
static void update_fg(s62 *f, s62 *g, const trans *t)
{
    i128 cf = (i128)t->u * f->v[0] + (i128)t->v * g->v[0];
    i128 cg = (i128)t->q * f->v[0] + (i128)t->r * g->v[0];

    cf >>= 62;
    cg >>= 62;
    ES__UNROLL
    for (int i = 1; i < 5; i++) {
        cf += (i128)t->u * f->v[i] + (i128)t->v * g->v[i];
        cg += (i128)t->q * f->v[i] + (i128)t->r * g->v[i];
        f->v[i - 1] = (int64_t)cf & M62;
        g->v[i - 1] = (int64_t)cg & M62;
        cf >>= 62;
        cg >>= 62;
    }
    f->v[4] = (int64_t)cf;
    g->v[4] = (int64_t)cg;
}

/*
 * [d e] <- t [d e] / 2^62 mod p, keeping d, e in (-2p, p). Adding p for each negative input
 * brings the inputs to (-p, p), so |t [d e]| < p 2^62 as |u| + |v| <= 2^62; subtracting
 * p * md with md in [0, 2^62) chosen to clear the low 62 bits (md = sum * p^-1 = -sum mod 2^62)
 * leaves a multiple of 2^62 in (-2p 2^62, p 2^62). The sign tests are masks.
 */
static void update_de(s62 *d, s62 *e, const trans *t)
{
    int64_t sd = d->v[4] >> 63, se = e->v[4] >> 63;
    int64_t md = (t->u & sd) + (t->v & se), me = (t->q & sd) + (t->r & se);
    i128 cd = (i128)t->u * d->v[0] + (i128)t->v * e->v[0];
    i128 ce = (i128)t->q * d->v[0] + (i128)t->r * e->v[0];

    /* Only the low 62 bits matter: unsigned, as the low word of cd may be anything. */
    md -= (int64_t)(((uint64_t)md - (uint64_t)cd) & (uint64_t)M62);
    me -= (int64_t)(((uint64_t)me - (uint64_t)ce) & (uint64_t)M62);
    cd += (i128)p_small[0] * md;
    ce += (i128)p_small[0] * me;
    cd >>= 62;
    ce >>= 62;
    ES__UNROLL
    for (int i = 1; i < 5; i++) {
        cd += (i128)t->u * d->v[i] + (i128)t->v * e->v[i] + (i128)p_small[i] * md;
        ce += (i128)t->q * d->v[i] + (i128)t->r * e->v[i] + (i128)p_small[i] * me;
        d->v[i - 1] = (int64_t)cd & M62;
        e->v[i - 1] = (int64_t)ce & M62;
        cd >>= 62;
        ce >>= 62;
    }
    d->v[4] = (int64_t)cd;
    e->v[4] = (int64_t)ce;
}

/* Limbs 0..3 back into [0, 2^62), the excess carried up: the sign is then v[4]'s. */
static void carry(s62 *a)
{
    ES__UNROLL
    for (int i = 0; i < 4; i++) {
        a->v[i + 1] += a->v[i] >> 62;
        a->v[i] &= M62;
    }
}

/* a += p where mask is all-ones. */
static void add_p_masked(s62 *a, int64_t mask)
{
    ES__UNROLL
    for (int i = 0; i < 5; i++)
        a->v[i] += p_small[i] & mask;
    carry(a);
}

/* a = -a where mask is all-ones. */
static void neg_masked(s62 *a, int64_t mask)
{
    ES__UNROLL
    for (int i = 0; i < 5; i++)
        a->v[i] = (a->v[i] ^ mask) - mask;
    carry(a);
}

static void to_s62(s62 *r, const es__fp a)
{
    r->v[0] = (int64_t)(a[0] & (uint64_t)M62);
    r->v[1] = (int64_t)((a[0] >> 62 | a[1] << 2) & (uint64_t)M62);
    r->v[2] = (int64_t)((a[1] >> 60 | a[2] << 4) & (uint64_t)M62);
    r->v[3] = (int64_t)((a[2] >> 58 | a[3] << 6) & (uint64_t)M62);
    r->v[4] = (int64_t)(a[3] >> 56);
}

/* a in [0, p), normalised limbs. */
static void from_s62(es__fp r, const s62 *a)
{
    uint64_t v0 = (uint64_t)a->v[0], v1 = (uint64_t)a->v[1], v2 = (uint64_t)a->v[2];
    uint64_t v3 = (uint64_t)a->v[3], v4 = (uint64_t)a->v[4];

    r[0] = v0 | v1 << 62;
    r[1] = v1 >> 2 | v2 << 60;
    r[2] = v2 >> 4 | v3 << 58;
    r[3] = v3 >> 6 | v4 << 56;
}

/*
 * With f = p, g = x (the Montgomery limbs, x = a 2^256), d = 0 and e = c, every update keeps
 * f c = d x and g c = e x (mod p). After 590 steps g = 0 and f = +-gcd(p, x) = +-1 for x != 0,
 * so d = +-c / x. Starting from c = 2^512 makes that +-a^-1 2^256: the inverse already in
 * Montgomery form, without the product by 2^768 that inverting the limbs as such would need.
 * For x = 0, g and d stay 0. The last steps fix d's range and sign by masks.
 */
void es__fp_inv(es__fp r, const es__fp a)
{
    s62 f = p62, g, d = {{0}}, e = r2_62;
    int64_t zeta = -1; /* delta = 1/2 */
    trans t;

    to_s62(&g, a);
    for (int i = 0; i < BATCHES; i++) {
        divsteps(&zeta, (uint64_t)f.v[0] | (uint64_t)f.v[1] << 62,
                 (uint64_t)g.v[0] | (uint64_t)g.v[1] << 62, &t);
        update_fg(&f, &g, &t); /* first: the next batch waits for it */
        update_de(&d, &e, &t);
    }
    add_p_masked(&d, d.v[4] >> 63); /* (-2p, p) -> (-p, p) */
    neg_masked(&d, f.v[4] >> 63);   /* f = -1: d = -d */
    add_p_masked(&d, d.v[4] >> 63); /* (-p, p) -> [0, p) */
    from_s62(r, &d);
}
