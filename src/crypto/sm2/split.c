/*
 * s * G + t * P for verification on split tables (public inputs, variable time): with
 * P_i = 2^(16 i) P and G_i = 2^(16 i) G tabulated, both scalars are cut into sixteen 16-bit
 * pieces that share one run of 16 doublings instead of 256. The additions stay as many as the
 * NAF digits (about 257 / (w + 1) per scalar), so the doublings' 61 % of the plain path is gone
 * and the wide table for G (w = 8, built once per process) keeps its additions few.
 */
#include <pthread.h>
#include <string.h>

#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define GTAB_W   8
#define GTAB_PTS (1 << (GTAB_W - 2))
#define NAF_LEN  257
#define PIECES   ES__VTAB_PIECES
#define BITS     ES__VTAB_BITS

/* gtab[i][j] = (2j + 1) * 2^(16 i) * G (64 KB). */
static es__aff gtab[PIECES][GTAB_PTS];
static pthread_once_t gtab_once = PTHREAD_ONCE_INIT;

/*
 * As es__sm2_vtab_build for G, but one inversion per row: 8 KB of scratch on the stack instead
 * of 128 KB kept in static memory, for 15 extra inversions once per process. No point is
 * infinity: m = (2j + 1) 2^(16 i) < 2^247 < n.
 */
static void gtab_build(void)
{
    es__jac row[GTAB_PTS], base, twice;
    es__fp scratch[GTAB_PTS];

    es__jac_from_aff(&base, &es__sm2_g);
    for (int i = 0; i < PIECES; i++) {
        row[0] = base;
        es__jac_dbl(&twice, &base);
        for (int j = 1; j < GTAB_PTS; j++)
            es__jac_add(&row[j], &row[j - 1], &twice);
        es__jac_batch_to_aff(gtab[i], row, scratch, GTAB_PTS);
        for (int k = 0; i < PIECES - 1 && k < BITS; k++)
            es__jac_dbl(&base, &base);
    }
}

/* acc += d * row[0] for an odd digit d (row[j] = (2j + 1) * base); 1 if anything was added. */
static int add_digit(es__jac *acc, const es__aff *row, int d)
{
    es__aff q;

    if (d == 0)
        return 0;
    if (d > 0) {
        es__jac_add_aff(acc, acc, &row[d >> 1]);
        return 1;
    }
    q = row[(-d) >> 1];
    fp_neg(q.y, q.y);
    es__jac_add_aff(acc, acc, &q);
    return 1;
}

/*
 * Digit k of a 257-digit NAF belongs to piece i = min(k / 16, 15) at position b = k - 16 i: the
 * sum over pieces of d * 2^b * (2^(16 i) X) is the scalar's multiple of X. Only digit 256 sits at
 * b = 16, so the loop has 17 steps but still 16 doublings. es__jac_add_aff handles the sums that
 * meet Q + Q, Q - Q or infinity (P = +-2^(16 j) G makes table points coincide; tested).
 */
void es__sm2_mul2_split(es__jac *r, const es__fn s, const struct es__sm2_vtab *v, const es__fn t)
{
    int8_t ns[NAF_LEN], nt[NAF_LEN];
    es__jac acc;
    int started = 0;

    pthread_once(&gtab_once, gtab_build);
    es__sm2_wnaf(nt, t, ES__VTAB_W);
    es__sm2_wnaf(ns, s, GTAB_W);
    memset(&acc, 0, sizeof(acc)); /* Z = 0: infinity */
    for (int b = BITS; b >= 0; b--) {
        if (started)
            es__jac_dbl(&acc, &acc);
        for (int i = b == BITS ? PIECES - 1 : 0; i < PIECES; i++) {
            started |= add_digit(&acc, v->p[i], nt[BITS * i + b]);
            started |= add_digit(&acc, gtab[i], ns[BITS * i + b]);
        }
    }
    *r = acc;
}
