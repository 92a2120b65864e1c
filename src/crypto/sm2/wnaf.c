/* s * G + t * P for verification (public inputs, variable time): w-NAF for P, the comb for G. */
#include <string.h>

#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define WNAF_W    5
#define WNAF_PRE  (1 << (WNAF_W - 2)) /* P, 3P, ..., 15P */
#define WNAF_BITS 257

/* Width-5 NAF of k: digits odd in [-15, 15] or 0, at most one non-zero in any 5 in a row. */
static void wnaf(int8_t out[WNAF_BITS], const es__fn k)
{
    uint64_t v[5] = {k[0], k[1], k[2], k[3], 0};

    for (int i = 0; i < WNAF_BITS; i++) {
        int d = 0;

        if (v[0] & 1) {
            d = (int)(v[0] & ((1u << WNAF_W) - 1));
            if (d >= 1 << (WNAF_W - 1))
                d -= 1 << WNAF_W;
            /* v -= d: a borrow (d > 0) or a carry (d < 0) through the limbs. */
            uint64_t c = (uint64_t)(d < 0 ? -d : d);
            for (int l = 0; l < 5 && c != 0; l++) {
                uint64_t old = v[l];

                if (d > 0) {
                    v[l] = old - c;
                    c = old < c;
                } else {
                    v[l] = old + c;
                    c = v[l] < old;
                }
            }
        }
        out[i] = (int8_t)d;
        for (int l = 0; l < 4; l++)
            v[l] = (v[l] >> 1) | (v[l + 1] << 63);
        v[4] >>= 1;
    }
}

static void neg_jac(es__jac *r, const es__jac *a)
{
    memcpy(r->x, a->x, sizeof(es__fp));
    memcpy(r->z, a->z, sizeof(es__fp));
    fp_neg(r->y, a->y);
}

/* Add the comb points of s * G into acc: no doublings needed. */
static void add_comb(es__jac *acc, const es__fn s)
{
    const es__comb_table *t = es__sm2_table();

    for (int j = 0; j < ES__COMB_WINDOWS; j++) {
        unsigned b = es__sm2_booth7(s, j), mag = b >> 1;
        es__aff q;

        if (mag == 0)
            continue;
        q = (*t)[j][mag - 1];
        if (b & 1)
            fp_neg(q.y, q.y);
        es__jac_add_aff(acc, acc, &q);
    }
}

void es__sm2_mul2_vartime(es__jac *r, const es__fn s, const es__aff *pt, const es__fn t)
{
    es__jac pre[WNAF_PRE], p2, acc, q;
    int8_t naf[WNAF_BITS];
    int i, started = 0;

    wnaf(naf, t);
    es__jac_from_aff(&pre[0], pt);
    es__jac_dbl(&p2, &pre[0]);
    for (i = 1; i < WNAF_PRE; i++)
        es__jac_add(&pre[i], &pre[i - 1], &p2);
    memset(&acc, 0, sizeof(acc)); /* Z = 0: infinity */
    for (i = WNAF_BITS - 1; i >= 0; i--) {
        if (started)
            es__jac_dbl(&acc, &acc);
        if (naf[i] > 0) {
            es__jac_add(&acc, &acc, &pre[naf[i] / 2]);
            started = 1;
        } else if (naf[i] < 0) {
            neg_jac(&q, &pre[-naf[i] / 2]);
            es__jac_add(&acc, &acc, &q);
            started = 1;
        }
    }
    add_comb(&acc, s);
    *r = acc;
}
