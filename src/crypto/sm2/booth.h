/* Booth w=7 recoding of scalars, inline for the comb loop (comb.c) and as es__sm2_booth7. */
#ifndef ESEAL_SM2_BOOTH_H
#define ESEAL_SM2_BOOTH_H

#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/sm2_local.h"

/*
 * Booth recoding of 8 bits (window j covers bits 7j-1 .. 7j+6 of k): a digit in [-64, 64]
 * returned as magnitude << 1 | sign, computed without branches (from OpenSSL's ecp_nistz256).
 */
ES__FP_INLINE unsigned booth7(const es__fn k, int j)
{
    int pos = 7 * j - 1;
    unsigned w, s, d;

    if (pos < 0) {
        w = (unsigned)(k[0] << 1) & 0xff;
    } else {
        int limb = pos / 64, sh = pos % 64;
        uint64_t v = k[limb] >> sh;

        if (sh > 56 && limb < 3)
            v |= k[limb + 1] << (64 - sh);
        w = (unsigned)v & 0xff;
    }
    s = ~((w >> 7) - 1);
    d = (1u << 8) - w - 1;
    d = (d & s) | (w & ~s);
    d = (d >> 1) + (d & 1);
    return (d << 1) + (s & 1);
}

#endif
