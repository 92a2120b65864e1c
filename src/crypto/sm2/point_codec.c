/* Decoding and validating public SM2 points (SEC1 encodings) and encoding them. */
#include <string.h>

#include "crypto/sm2/sm2_local.h"

/* 1 if (x, y) is on the curve; x and y already below p. */
static int decode_xy(es__aff *r, const uint8_t xy[64])
{
    if (!es__fp_from_bytes(r->x, xy) || !es__fp_from_bytes(r->y, xy + 32))
        return 0;
    return es__aff_on_curve(r);
}

/* y from x and the parity of y (02: even, 03: odd). */
static int decode_compressed(es__aff *r, const uint8_t *p)
{
    es__fp rhs, t;
    uint8_t yb[32];

    if (!es__fp_from_bytes(r->x, p + 1))
        return 0;
    es__fp_sqr(rhs, r->x);
    es__fp_mul(rhs, rhs, r->x);
    es__fp_add(t, r->x, r->x);
    es__fp_add(t, t, r->x);
    es__fp_sub(rhs, rhs, t);
    es__fp_add(rhs, rhs, es__sm2_b);
    if (!es__fp_sqrt_vartime(r->y, rhs))
        return 0;
    es__fp_to_bytes(yb, r->y);
    if ((yb[31] & 1) != (p[0] & 1))
        es__fp_neg(r->y, r->y);
    /* y = 0 has no odd twin: 03 with y = 0 would decode to 0, which is even. */
    es__fp_to_bytes(yb, r->y);
    return (yb[31] & 1) == (p[0] & 1);
}

int es__sm2_point_decode(es__aff *r, const uint8_t *p, size_t n)
{
    if (p == NULL)
        return 0;
    if (n == 65 && p[0] == 0x04)
        return decode_xy(r, p + 1);
    if (n == 64)
        return decode_xy(r, p);
    if (n == 33 && (p[0] == 0x02 || p[0] == 0x03))
        return decode_compressed(r, p);
    return 0;
}

void es__sm2_point_encode(uint8_t out[64], const es__aff *a)
{
    es__fp_to_bytes(out, a->x);
    es__fp_to_bytes(out + 32, a->y);
}
