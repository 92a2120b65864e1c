/* Jacobian point arithmetic for public data (verification, table building): variable time. */
#include <string.h>

#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define fmul fp_mul
#define fsqr fp_sqr
#define fadd fp_add
#define fsub fp_sub

static int is_inf(const es__jac *a)
{
    return es__fp_is_zero(a->z) != 0;
}

static void set_inf(es__jac *r)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->x, es__fp_one, sizeof(es__fp));
    memcpy(r->y, es__fp_one, sizeof(es__fp));
}

void es__jac_from_aff(es__jac *r, const es__aff *a)
{
    memcpy(r->x, a->x, sizeof(es__fp));
    memcpy(r->y, a->y, sizeof(es__fp));
    memcpy(r->z, es__fp_one, sizeof(es__fp));
}

/* dbl-2001-b for a = -3: 3M + 5S. */
void es__jac_dbl(es__jac *r, const es__jac *a)
{
    es__fp delta, gamma, beta, alpha, t, u;

    if (is_inf(a) || es__fp_is_zero(a->y)) {
        set_inf(r);
        return;
    }
    fsqr(delta, a->z);
    fsqr(gamma, a->y);
    fmul(beta, a->x, gamma);
    fsub(t, a->x, delta);
    fadd(u, a->x, delta);
    fmul(alpha, t, u);
    fadd(t, alpha, alpha);
    fadd(alpha, t, alpha);
    fadd(r->z, a->y, a->z);
    fsqr(r->z, r->z);
    fsub(r->z, r->z, gamma);
    fsub(r->z, r->z, delta);
    fp_mul4(beta, beta);
    fsqr(t, alpha);
    fadd(u, beta, beta);
    fsub(r->x, t, u);
    fsub(t, beta, r->x);
    fmul(t, alpha, t);
    fsqr(gamma, gamma);
    fp_mul8(gamma, gamma);
    fsub(r->y, t, gamma);
}

/* add-2007-bl: 11M + 5S, with the doubling and inverse cases handled. */
void es__jac_add(es__jac *r, const es__jac *a, const es__jac *b)
{
    es__fp z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;

    if (is_inf(a)) {
        *r = *b;
        return;
    }
    if (is_inf(b)) {
        *r = *a;
        return;
    }
    fsqr(z1z1, a->z);
    fsqr(z2z2, b->z);
    fmul(u1, a->x, z2z2);
    fmul(u2, b->x, z1z1);
    fmul(s1, a->y, b->z);
    fmul(s1, s1, z2z2);
    fmul(s2, b->y, a->z);
    fmul(s2, s2, z1z1);
    fsub(h, u2, u1);
    fsub(rr, s2, s1);
    if (es__fp_is_zero(h)) {
        if (es__fp_is_zero(rr))
            es__jac_dbl(r, a);
        else
            set_inf(r);
        return;
    }
    fadd(rr, rr, rr);
    fadd(i, h, h);
    fsqr(i, i);
    fmul(j, h, i);
    fmul(v, u1, i);
    fadd(t, a->z, b->z);
    fsqr(t, t);
    fsub(t, t, z1z1);
    fsub(t, t, z2z2);
    fmul(r->z, t, h);
    fsqr(t, rr);
    fsub(t, t, j);
    fsub(t, t, v);
    fsub(r->x, t, v);
    fsub(t, v, r->x);
    fmul(t, rr, t);
    fmul(s1, s1, j);
    fadd(s1, s1, s1);
    fsub(r->y, t, s1);
}

/* madd-2007-bl: 7M + 4S, b affine. */
void es__jac_add_aff(es__jac *r, const es__jac *a, const es__aff *b)
{
    es__fp z1z1, u2, s2, h, hh, i, j, rr, v, t;

    if (is_inf(a)) {
        es__jac_from_aff(r, b);
        return;
    }
    fsqr(z1z1, a->z);
    fmul(u2, b->x, z1z1);
    fmul(s2, b->y, a->z);
    fmul(s2, s2, z1z1);
    fsub(h, u2, a->x);
    fsub(rr, s2, a->y);
    if (es__fp_is_zero(h)) {
        if (es__fp_is_zero(rr))
            es__jac_dbl(r, a);
        else
            set_inf(r);
        return;
    }
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

int es__jac_to_aff(es__aff *r, const es__jac *a)
{
    es__fp zi, zi2;

    if (is_inf(a))
        return 0;
    es__fp_inv(zi, a->z);
    fsqr(zi2, zi);
    fmul(r->x, a->x, zi2);
    fmul(zi2, zi2, zi);
    fmul(r->y, a->y, zi2);
    return 1;
}

/* y^2 = x^3 - 3x + b. */
int es__aff_on_curve(const es__aff *a)
{
    es__fp l, rhs, t;

    fsqr(l, a->y);
    fsqr(rhs, a->x);
    fmul(rhs, rhs, a->x);
    fadd(t, a->x, a->x);
    fadd(t, t, a->x);
    fsub(rhs, rhs, t);
    fadd(rhs, rhs, es__sm2_b);
    return memcmp(l, rhs, sizeof(l)) == 0;
}
