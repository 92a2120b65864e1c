/* Internal interface of eseal's fast SM2: field, scalar and point arithmetic, keys, signing. */
#ifndef ESEAL_SM2_LOCAL_H
#define ESEAL_SM2_LOCAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/key_local.h"

/*
 * Field elements mod p and scalars mod n: 4 little-endian 64-bit limbs, always fully reduced.
 * Field elements live in Montgomery form (a * 2^256 mod p) unless a name says otherwise.
 */
typedef uint64_t es__fp[4];
typedef uint64_t es__fn[4];

/* An affine point (Montgomery form); the table and public keys never hold infinity. */
typedef struct es__aff {
    es__fp x, y;
} es__aff;

/* Jacobian (X/Z^2, Y/Z^3), used by the variable-time code; Z = 0 is infinity. */
typedef struct es__jac {
    es__fp x, y, z;
} es__jac;

/* Homogeneous projective (X/Z, Y/Z) for the complete formulas of the constant-time code. */
typedef struct es__proj {
    es__fp x, y, z;
} es__proj;

extern const es__fp es__fp_one; /* 1 (Montgomery form) */
extern const es__fp es__sm2_b;  /* curve coefficient b (Montgomery form) */
extern const es__aff es__sm2_g; /* the generator */
extern const es__fn es__sm2_n;  /* the group order */
extern int es__fp_use_mulx;     /* set once by es__sm2_init when the CPU has BMI2 and ADX */
extern int es__sm2_use_avx2;    /* set once by es__sm2_init: AVX2 table scans (comb.c) */

/* ---- Field mod p (fp.c, fp_mulx.c) ---- */
void es__fp_mul(es__fp r, const es__fp a, const es__fp b);
void es__fp_sqr(es__fp r, const es__fp a);
void es__fp_mul_mulx(es__fp r, const es__fp a, const es__fp b);
void es__fp_sqr_mulx(es__fp r, const es__fp a);
void es__fp_mul_c(es__fp r, const es__fp a, const es__fp b);
void es__fp_sqr_c(es__fp r, const es__fp a);
void es__fp_add(es__fp r, const es__fp a, const es__fp b);
void es__fp_sub(es__fp r, const es__fp a, const es__fp b);
void es__fp_neg(es__fp r, const es__fp a);
/* All-ones if a == 0, else 0 (constant time). */
uint64_t es__fp_is_zero(const es__fp a);
/* r = mask ? a : r, mask all-ones or 0 (constant time). */
void es__fp_cmov(es__fp r, const es__fp a, uint64_t mask);
/* Big-endian bytes (not Montgomery) to Montgomery form; 0 if the value is not below p. */
int es__fp_from_bytes(es__fp r, const uint8_t b[32]);
void es__fp_to_bytes(uint8_t b[32], const es__fp a);
/* r = a^-1 (safegcd, fp_inv.c; constant time; 0 maps to 0). */
void es__fp_inv(es__fp r, const es__fp a);
/* The same by Fermat, a^(p-2) (constant time, ~3x slower): the tests' reference. */
void es__fp_inv_fermat(es__fp r, const es__fp a);
/* A square root of a if there is one (returns 1), else 0. Variable time: public inputs only. */
int es__fp_sqrt_vartime(es__fp r, const es__fp a);

/* ---- Scalars mod n (fn.c) ---- */
/* Big-endian bytes to a scalar; 0 if the value is not below n (constant time). */
int es__fn_from_bytes(es__fn r, const uint8_t b[32]);
void es__fn_to_bytes(uint8_t b[32], const es__fn a);
/* Any 256-bit value reduced mod n (constant time). */
void es__fn_reduce(es__fn r, const uint8_t b[32]);
/* A 512-bit big-endian value reduced mod n (constant time): uniform nonces from 64 bytes. */
void es__fn_reduce_wide(es__fn r, const uint8_t b[64]);
void es__fn_add(es__fn r, const es__fn a, const es__fn b);
void es__fn_sub(es__fn r, const es__fn a, const es__fn b);
/* Montgomery product a * b / 2^256 mod n. */
void es__fn_mont_mul(es__fn r, const es__fn a, const es__fn b);
/* r = a^-1 * 2^256 mod n, ready for es__fn_mont_mul to give plain products (constant time). */
void es__fn_inv_mont(es__fn r, const es__fn a);
uint64_t es__fn_is_zero(const es__fn a);

/* ---- Points, variable time (jacobian.c, point_codec.c) ---- */
void es__jac_dbl(es__jac *r, const es__jac *a);
void es__jac_add(es__jac *r, const es__jac *a, const es__jac *b);
void es__jac_add_aff(es__jac *r, const es__jac *a, const es__aff *b);
void es__jac_from_aff(es__jac *r, const es__aff *a);
/* Affine x of a (normal form, big-endian); 0 if a is infinity. */
int es__jac_to_aff(es__aff *r, const es__jac *a);
int es__aff_on_curve(const es__aff *a);
/*
 * Decode and validate a public point: 04||x||y (65 bytes), 02/03||x (33 bytes) or x||y
 * (64 bytes). 1 if it is a point of the curve (never infinity), 0 otherwise.
 */
int es__sm2_point_decode(es__aff *r, const uint8_t *p, size_t n);
/* Uncompressed x||y, big-endian. */
void es__sm2_point_encode(uint8_t out[64], const es__aff *a);

/* ---- Scalar multiplication (table.c, comb.c, wnaf.c) ---- */
#define ES__COMB_W       7
#define ES__COMB_WINDOWS 37 /* ceil(257 / 7): Booth digits of a 256-bit scalar */
#define ES__COMB_POINTS  64 /* |digit| in 1..64 */
typedef es__aff es__comb_table[ES__COMB_WINDOWS][ES__COMB_POINTS];
/* The comb table T[j][i] = (i+1) * 2^(7j) * G, built once (pthread_once) on first use. */
const es__comb_table *es__sm2_table(void);
/* Booth digit j of k: magnitude << 1 | sign (OpenSSL's w=7 recoding). */
unsigned es__sm2_booth7(const es__fn k, int j);
/* Affine k * G for secret k in [1, n-1] (constant time; complete formulas). */
void es__sm2_mul_g_ct(es__aff *r, const es__fn k);
/* s * G + t * P for public s, t (variable time). */
void es__sm2_mul2_vartime(es__jac *r, const es__fn s, const es__aff *pt, const es__fn t);
/* Width-w NAF of k (2 <= w <= 8): 257 digits, odd in [-(2^(w-1) - 1), 2^(w-1) - 1] or 0. */
void es__sm2_wnaf(int8_t out[257], const es__fn k, int w);

/* ---- Split tables for verification (vtab.c, split.c) ---- */
/*
 * Scalars are cut into 16 pieces of 16 bits that share one run of 16 doublings; a key's table
 * holds the odd multiples for a width-5 NAF of each piece (measured against 4 x 64 bits, 8 x 32
 * and widths 4..6 in docs/sm2.md).
 */
#define ES__VTAB_PIECES 16
#define ES__VTAB_BITS   (256 / ES__VTAB_PIECES)
#define ES__VTAB_W      5
#define ES__VTAB_PTS    (1 << (ES__VTAB_W - 2)) /* odd multiples 1, 3, ..., 2^(w-1) - 1 */
/* Per public key P: p[i][j] = (2j + 1) * 2^(16 i) * P, affine (8 KB). */
struct es__sm2_vtab {
    es__aff p[ES__VTAB_PIECES][ES__VTAB_PTS];
};
/* n Jacobian points, none infinity, to affine with one inversion; scratch holds n elements. */
void es__jac_batch_to_aff(es__aff *out, const es__jac *in, es__fp *scratch, size_t n);
/* Fill v for the point pub (about 5 table verifications); 0 if scratch memory ran out. */
int es__sm2_vtab_build(struct es__sm2_vtab *v, const es__aff *pub);
/* s * G + t * P with P's split table v (public s, t; variable time). */
void es__sm2_mul2_split(es__jac *r, const es__fn s, const struct es__sm2_vtab *v, const es__fn t);

/* Tell memcheck that v is public from here on (a no-op outside valgrind). */
void es__sm2_declassify(const void *v, size_t n);

/* ---- Keys and signatures (keycache.c, sign.c) ---- */
#define ES__SM2_ZCACHE_ID_MAX 64

/* What eseal keeps per key for the fast path; immutable but for the Z cache slot and vtab. */
struct es__sm2_key {
    es__aff pub;        /* validated public point */
    uint8_t pub_xy[64]; /* the same, big-endian x||y, for Z */
    int has_private;
    es__fn d;              /* private scalar */
    es__fn dinv;           /* (1 + d)^-1, Montgomery form mod n */
    uint8_t z_default[32]; /* Z for ES_SM2_DEFAULT_ID */
    void *lock;            /* pthread_mutex_t * guarding the other-ID slot */
    size_t zid_len;        /* 0: slot empty */
    uint8_t zid[ES__SM2_ZCACHE_ID_MAX];
    uint8_t z_other[32];
    /* Split table for verification, published once by the key's second verification. */
    _Atomic(struct es__sm2_vtab *) vtab;
    atomic_uint nverify; /* verifications seen before vtab was published */
};

/* es__sm2_key_attach / es__sm2_key_detach (key_local.h) build and free struct es__sm2_key. */
/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) for key c, cached. */
es_err es__sm2_z(const struct es__sm2_key *c, const uint8_t *id, size_t idlen, uint8_t z[32]);
/* Run es__sm2_init (table, CPU features) now; sign/verify call it themselves. */
void es__sm2_init(void);
/* 1 if the fast path is selected: x86-64 and ESEAL_SM2 is not "openssl" (read once). */
int es__sm2_fast_enabled(void);

/*
 * The signing equation with a given nonce: raw r||s of e under d, dinv = (1 + d)^-1 (mont).
 * 0 when k must be replaced (r = 0, r + k = n or s = 0), 1 when raw holds the signature.
 */
int es__sm2_sign_k(uint8_t raw[64], const es__fn dinv, const uint8_t e[32], const es__fn k);
/* 1 if raw r||s (each in [1, n-1], checked here) is a signature of e under pub. */
int es__sm2_verify_e(const es__aff *pub, const uint8_t e[32], const uint8_t raw[64]);
/* The same on pub's split table v (es__sm2_vtab_build of the same point). */
int es__sm2_verify_e_tab(const struct es__sm2_vtab *v, const uint8_t e[32], const uint8_t raw[64]);
/*
 * The key's split table, or NULL when the plain path must be used: the first verification of a
 * key takes the plain path, the second builds and publishes the table (verifications racing with
 * that build take the plain path), later ones share it. Thread-safe; freed by
 * es__sm2_key_detach.
 */
const struct es__sm2_vtab *es__sm2_key_vtab(const struct es__sm2_key *c);
/* e = SM3(Z || msg). */
es_err es__sm2_digest(const uint8_t z[32], const void *msg, size_t n, uint8_t e[32]);

es_err es__sm2_fast_sign(const es_key *k, const uint8_t *id, size_t idlen, const void *msg,
                         size_t n, es_buf *sig);
es_err es__sm2_fast_verify(const es_key *k, const uint8_t *id, size_t idlen, const void *msg,
                           size_t n, const uint8_t raw[64]);

#endif
