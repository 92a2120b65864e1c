/* Per-key split table for verification: built lazily, published once, shared by threads. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sm2/fp_inline.h"
#include "crypto/sm2/sm2_local.h"

#define NPTS (ES__VTAB_PIECES * ES__VTAB_PTS)

/*
 * Montgomery's trick: prefix products of the Z's, one inversion of the last, then walk back.
 * Three products per point instead of an inversion per point.
 */
void es__jac_batch_to_aff(es__aff *out, const es__jac *in, es__fp *scratch, size_t n)
{
    es__fp inv, zi, zi2;

    memcpy(scratch[0], in[0].z, sizeof(es__fp));
    for (size_t i = 1; i < n; i++)
        fp_mul(scratch[i], scratch[i - 1], in[i].z);
    es__fp_inv(inv, scratch[n - 1]);
    for (size_t i = n; i-- > 0;) {
        if (i > 0) {
            fp_mul(zi, inv, scratch[i - 1]);
            fp_mul(inv, inv, in[i].z);
        } else {
            memcpy(zi, inv, sizeof(zi));
        }
        fp_sqr(zi2, zi);
        fp_mul(out[i].x, in[i].x, zi2);
        fp_mul(zi2, zi2, zi);
        fp_mul(out[i].y, in[i].y, zi2);
    }
}

/*
 * 240 doublings for the bases 2^(16 i) P and 7 additions per row for the odd multiples, then
 * one inversion for all 128 points. No point is infinity: each is m * P with
 * 0 < m = (2j + 1) 2^(16 i) < 2^244 < n, and P has order n. The 16 KB of Jacobian scratch is on
 * the heap, not on a server thread's stack.
 */
int es__sm2_vtab_build(struct es__sm2_vtab *v, const es__aff *pub)
{
    struct {
        es__jac pts[NPTS];
        es__fp scratch[NPTS];
    } *w = OPENSSL_malloc(sizeof(*w));
    es__jac base, twice;

    if (w == NULL)
        return 0;
    es__jac_from_aff(&base, pub);
    for (int i = 0; i < ES__VTAB_PIECES; i++) {
        es__jac *row = &w->pts[i * ES__VTAB_PTS];

        row[0] = base;
        es__jac_dbl(&twice, &base);
        for (int j = 1; j < ES__VTAB_PTS; j++)
            es__jac_add(&row[j], &row[j - 1], &twice);
        for (int k = 0; i < ES__VTAB_PIECES - 1 && k < ES__VTAB_BITS; k++)
            es__jac_dbl(&base, &base);
    }
    es__jac_batch_to_aff(&v->p[0][0], w->pts, w->scratch, NPTS);
    OPENSSL_free(w);
    return 1;
}

/*
 * Lock-free: the verification that moves nverify from 1 to 2 builds; the others never wait (the
 * table only saves time, so they take the plain path until it is published). The release store
 * publishes the finished table to the acquire loads of other threads.
 */
const struct es__sm2_vtab *es__sm2_key_vtab(const struct es__sm2_key *c)
{
    struct es__sm2_key *m = (struct es__sm2_key *)c; /* only the atomic fields change */
    struct es__sm2_vtab *v = atomic_load_explicit(&m->vtab, memory_order_acquire);

    if (v != NULL)
        return v;
    if (atomic_fetch_add_explicit(&m->nverify, 1, memory_order_relaxed) != 1)
        return NULL;
    /* Public data: no wiping needed when it is freed. Out of memory: the plain path, for good. */
    if ((v = OPENSSL_malloc(sizeof(*v))) == NULL)
        return NULL;
    if (!es__sm2_vtab_build(v, &c->pub)) {
        OPENSSL_free(v);
        return NULL;
    }
    atomic_store_explicit(&m->vtab, v, memory_order_release);
    return v;
}
