/* A detached GM/T 0010 SignedData (SM3, SM2) with signed attributes: OFD Type="Sign", PDF gm. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "cms/cms_local.h"
#include "crypto/cert_der.h"
#include "eseal/crypto.h"
#include "eseal_local.h"
#include "util/der.h"

/*
 * Through the templates the extra attribute (a PDF gm signature's seal, about 66 KB) was copied
 * five times per signature: into an X509_ATTRIBUTE, into the sorted SET OF to be signed (each
 * element encoded into a temporary, then copied), into the whole SignedData (sorted again), into
 * the returned buffer. Here the small parts are still OpenSSL's own i2d (a name, an INTEGER, an
 * OID, a certificate, kept per certificate by crypto/cert_der.c) and only the framing and the three
 * small attributes (an OID, a time, a digest) are written by hand (as src/ses/sig_der.c does for
 * TBS_Sign): the signed attributes are written once, where they lie in the result, signed there
 * as a SET (tag 0x31) and then retagged [0] IMPLICIT (0xA0). tests/cms checks the result
 * against the templates' encoding.
 */

/* PKCS #9 contentType, messageDigest, signingTime */
#define OID_CONTENT_TYPE   "1.2.840.113549.1.9.3"
#define OID_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define OID_SIGNING_TIME   "1.2.840.113549.1.9.5"

/* Longest DER SM2 signature value: SEQUENCE of two INTEGERs of at most 33 bytes. */
#define SIG_DER_MAX 72
/* The extra attribute's value: far more than any seal, far less than where sizes could wrap. */
#define EXTRA_MAX (256u << 20)

/* One DER element, possibly in two pieces (a head from i2d, the caller's bytes after it). */
typedef struct part {
    unsigned char *h; /* OPENSSL_malloc'd */
    size_t nh;
    const uint8_t *b;
    size_t nb;
} part;

/* The SignedData's parts, encoded before the buffer is sized. */
typedef struct gm_parts {
    part oid_sd, oid_data, sid, md_alg, sig_alg;
    part attrs[4]; /* contentType, signingTime, messageDigest, the extra one */
    size_t nattrs;
    part *certs;
    size_t ncerts;
    size_t attrs_len, certs_len; /* contents of the SET OF attributes and of certificates */
} gm_parts;

static size_t hdr(size_t n)
{
    return 1 + es__der_len(NULL, n);
}

static size_t part_len(const part *p)
{
    return p->nh + p->nb;
}

static uint8_t part_byte(const part *p, size_t i)
{
    return i < p->nh ? p->h[i] : p->b[i - p->nh];
}

/* DER order of SET OF elements: as OpenSSL sorts them (bytes, then the shorter first). */
static int part_cmp(const void *a, const void *b)
{
    const part *x = a, *y = b;
    size_t n = part_len(x) < part_len(y) ? part_len(x) : part_len(y);

    for (size_t i = 0; i < n; i++)
        if (part_byte(x, i) != part_byte(y, i))
            return part_byte(x, i) < part_byte(y, i) ? -1 : 1;
    return part_len(x) < part_len(y) ? -1 : part_len(x) > part_len(y);
}

static uint8_t *put(uint8_t *o, const part *p)
{
    memcpy(o, p->h, p->nh);
    if (p->nb > 0)
        memcpy(o + p->nh, p->b, p->nb);
    return o + p->nh + p->nb;
}

static uint8_t *put_hdr(uint8_t *o, uint8_t tag, size_t n)
{
    *o++ = tag;
    return o + es__der_len(o, n);
}

/*
 * OIDs encoded once per process: OBJ_txt2obj parses the text (the seal attribute's 2.25 arc
 * through a BIGNUM), which cost as much per signature as the rest of the small parts.
 */
#define OID_CACHE_N   16
#define OID_DER_MAX   48
#define OID_CACHE_TXT 128

static struct {
    char txt[OID_CACHE_TXT];
    uint8_t der[OID_DER_MAX];
    size_t n;
} oid_cache[OID_CACHE_N];
static size_t oid_cache_n;
static pthread_mutex_t oid_lock = PTHREAD_MUTEX_INITIALIZER;

/* The DER TLV of the OID txt into der: its length, 0 when txt is not an OID or too long. */
static size_t oid_der(const char *txt, uint8_t der[OID_DER_MAX])
{
    ASN1_OBJECT *o = NULL;
    unsigned char *q = der;
    size_t n = 0, i;

    pthread_mutex_lock(&oid_lock);
    for (i = 0; i < oid_cache_n && strcmp(oid_cache[i].txt, txt) != 0; i++)
        ;
    if (i < oid_cache_n)
        memcpy(der, oid_cache[i].der, n = oid_cache[i].n);
    pthread_mutex_unlock(&oid_lock);
    if (n > 0)
        return n;
    if ((o = OBJ_txt2obj(txt, 1)) != NULL && i2d_ASN1_OBJECT(o, NULL) > 0 &&
        i2d_ASN1_OBJECT(o, NULL) <= OID_DER_MAX)
        n = (size_t)i2d_ASN1_OBJECT(o, &q);
    ASN1_OBJECT_free(o);
    pthread_mutex_lock(&oid_lock);
    if (n > 0 && strlen(txt) < OID_CACHE_TXT && oid_cache_n < OID_CACHE_N) {
        strcpy(oid_cache[oid_cache_n].txt, txt);
        memcpy(oid_cache[oid_cache_n].der, der, n);
        oid_cache[oid_cache_n++].n = n;
    }
    pthread_mutex_unlock(&oid_lock);
    return n;
}

static int oid_part(part *p, const char *oid)
{
    uint8_t der[OID_DER_MAX];
    size_t n = oid_der(oid, der);

    p->h = n > 0 ? OPENSSL_memdup(der, n) : NULL;
    p->nh = p->h != NULL ? n : 0;
    return p->h != NULL;
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID } (parameters absent, as SM2 and SM3 have
 * them: the same bytes as X509_ALGOR with V_ASN1_UNDEF). */
static int alg_part(part *p, const char *oid)
{
    uint8_t der[OID_DER_MAX];
    size_t n = oid_der(oid, der);

    if (n == 0 || (p->h = OPENSSL_malloc(hdr(n) + n)) == NULL)
        return 0;
    memcpy(put_hdr(p->h, 0x30, n), der, n);
    p->nh = hdr(n) + n;
    return 1;
}

/* issuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER } */
static int sid_part(part *p, X509 *cert)
{
    unsigned char *name = NULL, *serial = NULL, *o;
    int nn = i2d_X509_NAME(X509_get_issuer_name(cert), &name);
    int ns = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);
    size_t body = (size_t)nn + (size_t)ns;
    int ok = nn > 0 && ns > 0 && (p->h = OPENSSL_malloc(hdr(body) + body)) != NULL;

    if (ok) {
        o = put_hdr(p->h, 0x30, body);
        memcpy(o, name, (size_t)nn);
        memcpy(o + nn, serial, (size_t)ns);
        p->nh = hdr(body) + body;
    }
    OPENSSL_free(name);
    OPENSSL_free(serial);
    return ok;
}

/*
 * Attribute ::= SEQUENCE { attrType OID, attrValues SET { value } } of one small value (v: its
 * whole TLV), written directly: through X509_ATTRIBUTE and its template the three small
 * attributes cost as much as the certificates.
 */
static int small_attr(part *p, const char *oid, const uint8_t *v, size_t nv)
{
    uint8_t der[OID_DER_MAX], *o;
    size_t no = oid_der(oid, der), seq = no + hdr(nv) + nv;

    if (no == 0 || (p->h = OPENSSL_malloc(hdr(seq) + seq)) == NULL)
        return 0;
    o = put_hdr(p->h, 0x30, seq);
    memcpy(o, der, no);
    o = put_hdr(o + no, 0x31, nv);
    memcpy(o, v, nv);
    p->nh = hdr(seq) + seq;
    return 1;
}

/*
 * Time ::= CHOICE { UTCTime, GeneralizedTime } of t as ASN1_TIME_set writes it (RFC 5280:
 * UTCTime "YYMMDDHHMMSSZ" for 1950-2049, else GeneralizedTime "YYYYMMDDHHMMSSZ"): the TLV's
 * length, 0 when t's year has no four digits.
 */
static size_t time_der(es_time t, uint8_t out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    int year, utc, v[7];
    uint8_t *o = out + 2;

    if ((time_t)t != t || OPENSSL_gmtime(&tt, &tm) == NULL)
        return 0;
    year = tm.tm_year + 1900;
    if (year < 0 || year > 9999)
        return 0;
    utc = year >= 1950 && year < 2050;
    v[0] = year / 100;
    v[1] = year % 100;
    v[2] = tm.tm_mon + 1;
    v[3] = tm.tm_mday;
    v[4] = tm.tm_hour;
    v[5] = tm.tm_min;
    v[6] = tm.tm_sec;
    for (int i = utc; i < 7; i++) {
        *o++ = (uint8_t)('0' + v[i] / 10);
        *o++ = (uint8_t)('0' + v[i] % 10);
    }
    *o++ = 'Z';
    out[0] = utc ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
    out[1] = (uint8_t)(o - out - 2);
    return (size_t)(o - out);
}

/* Attribute ::= SEQUENCE { attrType OID, attrValues SET { value } }: the value is the caller's
 * DER, kept where it is (the head holds everything before it). */
static int extra_part(part *p, const es__cms_attr *x)
{
    part oid = {0};
    size_t set, seq;
    uint8_t *o;
    int ok = x->n > 0 && x->n <= EXTRA_MAX && oid_part(&oid, x->oid);

    set = x->n;
    seq = oid.nh + hdr(set) + set;
    if (ok && (p->h = OPENSSL_malloc(hdr(seq) + oid.nh + hdr(set))) != NULL) {
        o = put_hdr(p->h, 0x30, seq);
        memcpy(o, oid.h, oid.nh);
        o = put_hdr(o + oid.nh, 0x31, set);
        p->nh = (size_t)(o - p->h);
        p->b = x->der;
        p->nb = x->n;
    }
    OPENSSL_free(oid.h);
    return ok && p->h != NULL;
}

/* contentType (GM/T 0010 data), signingTime, messageDigest and the extra one, DER-sorted. */
static int attrs_parts(gm_parts *g, const uint8_t md[ES_SM3_LEN], es_time t,
                       const es__cms_attr *extra)
{
    uint8_t type[OID_DER_MAX], when[17], digest[2 + ES_SM3_LEN] = {V_ASN1_OCTET_STRING, ES_SM3_LEN};
    size_t ntype = oid_der(ES__OID_GM_DATA, type), nwhen = time_der(t, when);
    int ok;

    memcpy(digest + 2, md, ES_SM3_LEN);
    ok = ntype > 0 && nwhen > 0 && small_attr(&g->attrs[0], OID_CONTENT_TYPE, type, ntype) &&
         small_attr(&g->attrs[1], OID_SIGNING_TIME, when, nwhen) &&
         small_attr(&g->attrs[2], OID_MESSAGE_DIGEST, digest, sizeof(digest));
    g->nattrs = 3;
    if (ok && extra != NULL)
        ok = extra_part(&g->attrs[g->nattrs++], extra);
    if (!ok)
        return 0;
    qsort(g->attrs, g->nattrs, sizeof(part), part_cmp);
    for (size_t i = 0; i < g->nattrs; i++)
        g->attrs_len += part_len(&g->attrs[i]);
    return 1;
}

/* The signer's certificate and the chain, DER-sorted as the SET OF they are. */
static int certs_parts(gm_parts *g, X509 *cert, STACK_OF(X509) * chain)
{
    size_t n = 1 + (chain != NULL ? (size_t)sk_X509_num(chain) : 0);

    if ((g->certs = calloc(n, sizeof(part))) == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        X509 *x = i == 0 ? cert : sk_X509_value(chain, (int)i - 1);
        part *p = &g->certs[g->ncerts];
        if ((p->nh = es__cert_der(x, &p->h)) == 0)
            return 0;
        g->certs_len += g->certs[g->ncerts++].nh;
    }
    qsort(g->certs, g->ncerts, sizeof(part), part_cmp);
    return 1;
}

static void parts_free(gm_parts *g)
{
    part *p[] = {&g->oid_sd, &g->oid_data, &g->sid, &g->md_alg, &g->sig_alg};

    for (size_t i = 0; i < ES__ARRAY_LEN(p); i++)
        OPENSSL_free(p[i]->h);
    for (size_t i = 0; i < ES__ARRAY_LEN(g->attrs); i++)
        OPENSSL_free(g->attrs[i].h);
    for (size_t i = 0; i < g->ncerts; i++)
        OPENSSL_free(g->certs[i].h);
    free(g->certs);
}

/* The lengths of the contents of each constructed element, for a signature value of siglen bytes;
 * pre: the bytes before the signed attributes; total: the whole ContentInfo. */
typedef struct gm_sizes {
    size_t si, si_set, sd, a0, ci, pre, total;
} gm_sizes;

static void layout(const gm_parts *g, size_t siglen, gm_sizes *s)
{
    size_t tail = hdr(g->attrs_len) + g->attrs_len + g->sig_alg.nh + hdr(siglen) + siglen;

    s->si = 3 + g->sid.nh + g->md_alg.nh + tail;
    s->si_set = hdr(s->si) + s->si;
    s->sd = 3 + hdr(g->md_alg.nh) + g->md_alg.nh + hdr(g->oid_data.nh) + g->oid_data.nh +
            hdr(g->certs_len) + g->certs_len + hdr(s->si_set) + s->si_set;
    s->a0 = hdr(s->sd) + s->sd;
    s->ci = g->oid_sd.nh + hdr(s->a0) + s->a0;
    s->total = hdr(s->ci) + s->ci;
    s->pre = s->total - tail;
}

/*
 * ContentInfo { gm signedData, [0] SignedData { 1, SET { SM3 }, { gm data }, [0] certificates,
 * SET { SignerInfo { 1, sid, SM3, ...: everything before the signed attributes.
 */
static void put_prefix(uint8_t *o, const gm_parts *g, const gm_sizes *s)
{
    static const uint8_t v1[] = {0x02, 0x01, 0x01};

    o = put_hdr(o, 0x30, s->ci);
    o = put(o, &g->oid_sd);
    o = put_hdr(o, 0xA0, s->a0);
    o = put_hdr(o, 0x30, s->sd);
    memcpy(o, v1, sizeof(v1));
    o = put(put_hdr(o + sizeof(v1), 0x31, g->md_alg.nh), &g->md_alg);
    o = put(put_hdr(o, 0x30, g->oid_data.nh), &g->oid_data);
    o = put_hdr(o, 0xA0, g->certs_len);
    for (size_t i = 0; i < g->ncerts; i++)
        o = put(o, &g->certs[i]);
    o = put_hdr(put_hdr(o, 0x31, s->si_set), 0x30, s->si);
    memcpy(o, v1, sizeof(v1));
    put(put(o + sizeof(v1), &g->sid), &g->md_alg);
}

static int build_parts(gm_parts *g, X509 *cert, STACK_OF(X509) * chain, const uint8_t md[32],
                       es_time t, const es__cms_attr *extra)
{
    return oid_part(&g->oid_sd, ES__OID_GM_SIGNED_DATA) &&
           oid_part(&g->oid_data, ES__OID_GM_DATA) && sid_part(&g->sid, cert) &&
           alg_part(&g->md_alg, ES__OID_SM3) && alg_part(&g->sig_alg, ES__OID_SM2_SIGN) &&
           attrs_parts(g, md, t, extra) && certs_parts(g, cert, chain);
}

/*
 * The signed attributes go where the longest signature value puts them and are signed there;
 * the rest is written around them for the actual value (a shorter one can shorten a length's
 * octets: then the whole moves down, which a signature of a 66 KB seal does once in ~2^15).
 */
es_err es__cms_sign_gm(const es_key *key, X509 *cert, STACK_OF(X509) * chain, const uint8_t md[32],
                       es_time t, const es__cms_attr *extra, es_buf *out)
{
    gm_parts g;
    gm_sizes max, s;
    uint8_t *buf = NULL, *o;
    es_buf sig = {0};
    es_err rc = ES_OK;

    memset(&g, 0, sizeof(g));
    if (!build_parts(&g, cert, chain, md, t, extra)) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot build SignerInfo");
        goto end;
    }
    layout(&g, SIG_DER_MAX, &max);
    if ((buf = malloc(max.total)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a SignedData of %zu bytes", max.total);
        goto end;
    }
    /* signed as a DER SET OF (tag 0x31, sorted), stored [0] IMPLICIT */
    o = put_hdr(buf + max.pre, 0x31, g.attrs_len);
    for (size_t i = 0; i < g.nattrs; i++)
        o = put(o, &g.attrs[i]);
    if ((rc = es_sm2_sign(key, NULL, 0, buf + max.pre, (size_t)(o - (buf + max.pre)), &sig)) !=
        ES_OK)
        goto end;
    if (sig.len > SIG_DER_MAX) {
        rc = es__fail(ES_ERR_INTERNAL, "signature value of %zu bytes", sig.len);
        goto end;
    }
    buf[max.pre] = 0xA0;
    o = put_hdr(put(o, &g.sig_alg), 0x04, sig.len);
    memcpy(o, sig.data, sig.len);
    layout(&g, sig.len, &s);
    put_prefix(buf + (max.pre - s.pre), &g, &s);
    if (max.pre > s.pre)
        memmove(buf, buf + (max.pre - s.pre), s.total);
    out->data = buf;
    out->len = s.total;
    buf = NULL;
end:
    free(buf);
    es_buf_free_public(&sig);
    parts_free(&g);
    return rc;
}
