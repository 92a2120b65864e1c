/* The fixed-base comb table for G, computed once at first use (not a committed blob). */
#include <pthread.h>
#include <string.h>

#include "crypto/sm2/booth.h"
#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

static es__comb_table comb;
static pthread_once_t comb_once = PTHREAD_ONCE_INIT;

#define NPTS (ES__COMB_WINDOWS * ES__COMB_POINTS)

/*
 * Affine coordinates of all points with one inversion (Montgomery's trick): prefix products of
 * the Z's, invert the last, walk back. None of the points is infinity (multiples i * 2^(7j) * G
 * with i <= 64 and 7j + 7 <= 259 stay far below n).
 */
static void batch_to_affine(const es__jac *in, es__fp *pre)
{
    es__fp inv, zi, zi2;

    memcpy(pre[0], in[0].z, sizeof(es__fp));
    for (int i = 1; i < NPTS; i++)
        fp_mul(pre[i], pre[i - 1], in[i].z);
    es__fp_inv(inv, pre[NPTS - 1]);
    for (int i = NPTS - 1; i >= 0; i--) {
        es__aff *out = &comb[i / ES__COMB_POINTS][i % ES__COMB_POINTS];

        if (i > 0) {
            fp_mul(zi, inv, pre[i - 1]);
            fp_mul(inv, inv, in[i].z);
        } else {
            memcpy(zi, inv, sizeof(zi));
        }
        fp_sqr(zi2, zi);
        fp_mul(out->x, in[i].x, zi2);
        fp_mul(zi2, zi2, zi);
        fp_mul(out->y, in[i].y, zi2);
    }
}

static void build(void)
{
    /* About 150 KB of scratch on the heap-free path: static, used once. */
    static es__jac pts[NPTS];
    static es__fp pre[NPTS];
    es__jac base;

    es__jac_from_aff(&base, &es__sm2_g);
    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        es__jac *row = &pts[j * ES__COMB_POINTS];

        row[0] = base;
        es__jac_dbl(&row[1], &base);
        for (int i = 2; i < ES__COMB_POINTS; i++)
            es__jac_add(&row[i], &row[i - 1], &base);
        /* Next window's base: 2^7 times this one. */
        for (int k = 0; k < ES__COMB_W; k++)
            es__jac_dbl(&base, &base);
    }
    batch_to_affine(pts, pre);
}

const es__comb_table *es__sm2_table(void)
{
    pthread_once(&comb_once, build);
    return (const es__comb_table *)&comb;
}

unsigned es__sm2_booth7(const es__fn k, int j)
{
    return booth7(k, j);
}
