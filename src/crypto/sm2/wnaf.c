/*
 * s * G + t * P for a key's first verification (public inputs, variable time): w-NAF for P, the
 * comb for G; and the w-NAF recoding that split.c shares.
 */
#include <string.h>

#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define WNAF_W    5
#define WNAF_PRE  (1 << (WNAF_W - 2)) /* P, 3P, ..., 15P */
#define WNAF_BITS 257

/* 64 bits of v from bit pos on (pos <= 256; v[4] = 0 stands for the bits above k). */
static uint64_t bits_at(const uint64_t v[5], int pos)
{
    int l = pos >> 6, sh = pos & 63;
    uint64_t x = v[l] >> sh;

    if (sh != 0 && l < 4)
        x |= v[l + 1] << (64 - sh);
    return x;
}

/*
 * At most one non-zero digit in any w in a row: about 257 / (w + 1) additions. Runs of digits
 * equal to the pending carry are skipped with one count of trailing zeros (libsecp256k1's
 * recoding), instead of shifting the whole scalar once per bit. A carry out of bit 255 lands at
 * 256 at most, since k < 2^256.
 */
void es__sm2_wnaf(int8_t out[WNAF_BITS], const es__fn k, int w)
{
    const uint64_t v[5] = {k[0], k[1], k[2], k[3], 0};
    const uint64_t mask = ((uint64_t)1 << w) - 1;
    uint64_t carry = 0;
    int bit = 0;

    memset(out, 0, WNAF_BITS);
    while (bit < WNAF_BITS) {
        uint64_t x = bits_at(v, bit), word;

        if (((x ^ carry) & 1) == 0) {
            /* Bits equal to the carry give zero digits; above bit 256, carry 1 stops the run. */
            uint64_t diff = carry ? ~x : x;

            bit += diff != 0 ? __builtin_ctzll(diff) : 64;
            continue;
        }
        word = (x & mask) + carry; /* odd, below 2^w */
        carry = word >> (w - 1);
        out[bit] = (int8_t)((int)word - (int)(carry << w));
        bit += w;
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

    es__sm2_wnaf(naf, t, WNAF_W);
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
