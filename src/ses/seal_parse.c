/* Parsing SESeal (v1, v4, v5) into an es_seal, and the seal's accessors. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "eseal_local.h"
#include "ses/seal_crc_local.h"
#include "ses/ses_local.h"

static void cert_entry_free(es_seal_cert *c)
{
    free((uint8_t *)c->der);
    X509_free(c->cert);
    free((char *)c->digest_type);
    free((uint8_t *)c->digest);
}

void es_seal_free(es_seal *s)
{
    if (s == NULL)
        return;
    es_buf_free(&s->der);
    free(s->header_id);
    free(s->vid);
    free(s->esid);
    free(s->name);
    free(s->pic_type);
    free(s->sig_alg);
    es_buf_free(&s->picture);
    for (size_t i = 0; i < s->ncert; i++)
        cert_entry_free(&s->certs[i]);
    free(s->certs);
    es__ext_free(&s->ext);
    X509_free(s->maker);
    es_buf_free(&s->sig);
    es_buf_free(&s->ts);
    es_buf_free(&s->tbs);
    free(s);
}

static es_err copy_bytes(const ASN1_STRING *a, const uint8_t **p, size_t *n)
{
    size_t len = (size_t)ASN1_STRING_length(a);
    uint8_t *d = malloc(len > 0 ? len : 1);

    if (d == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", len);
    if (len > 0)
        memcpy(d, ASN1_STRING_get0_data(a), len);
    *p = d;
    *n = len;
    return ES_OK;
}

/* certListType 1: an OCTET STRING holding a signer certificate. */
static es_err cert_entry(const ASN1_TYPE *t, const char *field, es_seal_cert *c)
{
    es_err rc;

    if (t->type != V_ASN1_OCTET_STRING)
        return es__fail(ES_ERR_FORMAT, "%s: certListType 1 needs an OCTET STRING, found type %d",
                        field, t->type);
    if ((rc = copy_bytes(t->value.octet_string, &c->der, &c->der_len)) != ES_OK)
        return rc;
    return es__cert_get(t->value.octet_string, field, &c->cert);
}

/* certListType 2: a CertDigestObj { type, value }. */
static es_err digest_entry(const ASN1_TYPE *t, const char *field, es_seal_cert *c)
{
    es_err rc = ES_OK;
    ES_SES_CERTDIGEST *d = NULL;
    const unsigned char *q;

    if (t->type != V_ASN1_SEQUENCE)
        return es__fail(ES_ERR_FORMAT, "%s: certListType 2 needs a CertDigestObj SEQUENCE", field);
    q = t->value.sequence->data;
    if ((d = d2i_ES_SES_CERTDIGEST(NULL, &q, t->value.sequence->length)) == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "%s: cannot decode CertDigestObj", field);
    if ((rc = es__str_get(d->type, field, (char **)&c->digest_type)) == ES_OK)
        rc = copy_bytes(d->value, &c->digest, &c->digest_len);
    ES_SES_CERTDIGEST_free(d);
    return rc;
}

/* Every certList entry, read as certListType says (not by tag); errors name the offset. */
static es_err cert_list(es_seal *s, const STACK_OF(ASN1_TYPE) * sk, const uint8_t *p,
                        const es__tlv *list)
{
    es_err rc = ES_OK;
    int n = sk_ASN1_TYPE_num(sk);
    size_t pos = ES__TLV_CONTENT(*list);
    char field[64];
    es__tlv t;

    if (n <= 0)
        return ES_OK;
    if ((s->certs = calloc((size_t)n, sizeof(*s->certs))) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %d certList entries", n);
    for (int i = 0; rc == ES_OK && i < n; i++, s->ncert++) {
        rc = es__tlv_read(p, pos, ES__TLV_END(*list), "certList entry", &t);
        snprintf(field, sizeof(field), "certList[%d] at offset %zu", i, t.off);
        pos = ES__TLV_END(t);
        if (rc == ES_OK && s->cert_list_type == ES_SES_CERTLIST_CERTS)
            rc = cert_entry(sk_ASN1_TYPE_value(sk, i), field, &s->certs[i]);
        else if (rc == ES_OK)
            rc = digest_entry(sk_ASN1_TYPE_value(sk, i), field, &s->certs[i]);
    }
    return rc;
}

static es_err property(es_seal *s, const ES_SES_PROPERTY *pr, const uint8_t *p, const es__tlv *list)
{
    es_err rc;
    long type = ES_SES_CERTLIST_CERTS;

    if ((rc = es__int_get(pr->type, "SES_ESPropertyInfo.type", &s->type)) != ES_OK ||
        (rc = es__str_get(pr->name, "SES_ESPropertyInfo.name", &s->name)) != ES_OK)
        return rc;
    /* v1 has no certListType: its certList holds certificates. */
    if (pr->cert_list_type != NULL &&
        (rc = es__int_get(pr->cert_list_type, "certListType", &type)) != ES_OK)
        return rc;
    if (type != ES_SES_CERTLIST_CERTS && type != ES_SES_CERTLIST_DIGESTS)
        return es__fail(ES_ERR_UNSUPPORTED,
                        "certListType %ld is neither 1 (certificates) nor 2 (digests)", type);
    s->cert_list_type = (int)type;
    if ((rc = cert_list(s, pr->cert_list, p, list)) != ES_OK ||
        (rc = es__time_get(pr->create, "createDate", &s->create)) != ES_OK ||
        (rc = es__time_get(pr->start, "validStart", &s->start)) != ES_OK)
        return rc;
    return es__time_get(pr->end, "validEnd", &s->end);
}

static es_err seal_info(es_seal *s, const ES_SES_SEALINFO *in, const uint8_t *p,
                        const es__seal_layout *l)
{
    es_err rc;
    const ES_SES_PICTURE *pic = in->picture;

    if ((rc = es__str_get(in->header->id, "SES_Header.ID", &s->header_id)) != ES_OK ||
        (rc = es__str_get(in->header->vid, "SES_Header.Vid", &s->vid)) != ES_OK ||
        (rc = es__str_get(in->esid, "SES_SealInfo.esID", &s->esid)) != ES_OK ||
        (rc = property(s, in->property, p, &l->certlist)) != ES_OK ||
        (rc = es__str_get(pic->type, "SES_ESPictrueInfo.type", &s->pic_type)) != ES_OK ||
        (rc = es_buf_set(&s->picture, ASN1_STRING_get0_data(pic->data),
                         (size_t)ASN1_STRING_length(pic->data))) != ES_OK ||
        (rc = es__int_get(pic->width, "SES_ESPictrueInfo.width", &s->width)) != ES_OK ||
        (rc = es__int_get(pic->height, "SES_ESPictrueInfo.height", &s->height)) != ES_OK)
        return rc;
    return es__ext_get(in->ext, in->ext0, &s->ext);
}

/* The maker's part: certificate, algorithm, signature value. */
static es_err maker_part(es_seal *s, const ASN1_OCTET_STRING *cert, const ASN1_OBJECT *alg,
                         const ASN1_BIT_STRING *sig)
{
    es_err rc;

    if ((rc = es__cert_get(cert, "SESeal.cert (maker certificate)", &s->maker)) != ES_OK ||
        (rc = es__oid_get(alg, &s->sig_alg)) != ES_OK)
        return rc;
    return es__bits_get(sig, "SESeal.signedValue", &s->sig);
}

/* Decode with the template of the detected layout and convert every field. */
static es_err decode(es_seal *s, const uint8_t *p, const es__seal_layout *l)
{
    es_err rc;
    const unsigned char *q = p + l->all.off;
    long n = (long)ES__TLV_SIZE(l->all);
    ES_SESEAL_V1 *d1 = NULL;
    ES_SESEAL_V4 *d4 = NULL;

    if (s->version == ES_SES_V1) {
        if ((d1 = d2i_ES_SESEAL_V1(NULL, &q, n)) == NULL)
            return es__fail_ossl(ES_ERR_FORMAT, "SESeal (v1) at offset %zu cannot be decoded",
                                 l->all.off);
        if ((rc = seal_info(s, d1->info, p, l)) == ES_OK)
            rc = maker_part(s, d1->sign->cert, d1->sign->alg, d1->sign->sig);
        ES_SESEAL_V1_free(d1);
        return rc;
    }
    if ((d4 = d2i_ES_SESEAL_V4(NULL, &q, n)) == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "SESeal (v%d) at offset %zu cannot be decoded",
                             (int)s->version, l->all.off);
    if ((rc = seal_info(s, d4->info, p, l)) == ES_OK &&
        (rc = maker_part(s, d4->cert, d4->alg, d4->sig)) == ES_OK)
        rc = es__ts_get(d4->ts, d4->ts_raw, &s->has_ts, &s->ts);
    ES_SESEAL_V4_free(d4);
    return rc;
}

es_err es__seal_parse_at(const uint8_t *p, size_t off, size_t end, es_seal **out)
{
    es_err rc;
    es__seal_layout l;
    es_seal *s = NULL;
    es__tlv v1[3];

    *out = NULL;
    if ((rc = es__seal_layout_read(p, off, end, &l)) != ES_OK)
        return rc;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate a seal");
    atomic_init(&s->maker_ok, 0);
    s->version = l.version;
    s->header_version = l.header_version;
    s->trailing = end - ES__TLV_END(l.all);
    if ((rc = es_buf_set(&s->der, p + l.all.off, ES__TLV_SIZE(l.all))) != ES_OK)
        goto end;
    /* v1 signs SEQUENCE { SES_SealInfo, cert, signatureAlgorithm } of the original TLVs. */
    v1[0] = l.info;
    v1[1] = l.cert;
    v1[2] = l.alg;
    rc = l.version == ES_SES_V1 ? es__der_sequence(p, v1, 3, &s->tbs)
                                : es_buf_set(&s->tbs, p + l.info.off, ES__TLV_SIZE(l.info));
    if (rc == ES_OK)
        rc = decode(s, p, &l);
end:
    if (rc != ES_OK)
        es_seal_free(s);
    else
        *out = s;
    return rc;
}

es_err es_seal_parse(const uint8_t *p, size_t n, es_seal **out)
{
    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if (n > ES_SES_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "seal of %zu bytes exceeds the limit of %u bytes", n,
                        ES_SES_MAX_INPUT);
    return es__seal_parse_at(p, 0, n, out);
}

es_err es_seal_read_file(const char *path, es_seal **out)
{
    es_err rc;
    es_buf b = {0};
    char why[512];

    assert(path != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_file_read(path, ES_SES_MAX_INPUT, &b)) != ES_OK)
        return rc;
    if ((rc = es_seal_parse(b.data, b.len, out)) != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        es__fail(rc, "%s: %s", path, why);
    }
    es_buf_free(&b);
    return rc;
}

const uint8_t *es_seal_der(const es_seal *s, size_t *n)
{
    assert(s != NULL && n != NULL);
    *n = s->der.len;
    return s->der.data;
}

uint32_t es__seal_crc32(const es_seal *s)
{
    /* the seal is not const where it was allocated; only this cache is ever written */
    atomic_uint_least64_t *cache = (atomic_uint_least64_t *)&s->crc;
    uint_least64_t v = atomic_load_explicit(cache, memory_order_relaxed);

    if (v == 0) {
        v = (uint_least64_t)1 << 32 | crc32_z(0, s->der.data, s->der.len);
        atomic_store_explicit(cache, v, memory_order_relaxed);
    }
    return (uint32_t)v;
}

es_ses_version es_seal_version(const es_seal *s)
{
    return s->version;
}

long es_seal_header_version(const es_seal *s)
{
    return s->header_version;
}

const char *es_seal_header_id(const es_seal *s)
{
    return s->header_id;
}

const char *es_seal_vid(const es_seal *s)
{
    return s->vid;
}

const char *es_seal_esid(const es_seal *s)
{
    return s->esid;
}

long es_seal_type(const es_seal *s)
{
    return s->type;
}

const char *es_seal_name(const es_seal *s)
{
    return s->name;
}

int es_seal_cert_list_type(const es_seal *s)
{
    return s->cert_list_type;
}

size_t es_seal_ncert(const es_seal *s)
{
    return s->ncert;
}

const es_seal_cert *es_seal_cert_get0(const es_seal *s, size_t i)
{
    return i < s->ncert ? &s->certs[i] : NULL;
}

es_time es_seal_create_date(const es_seal *s)
{
    return s->create;
}

es_time es_seal_valid_start(const es_seal *s)
{
    return s->start;
}

es_time es_seal_valid_end(const es_seal *s)
{
    return s->end;
}

const char *es_seal_picture_type(const es_seal *s)
{
    return s->pic_type;
}

const uint8_t *es_seal_picture(const es_seal *s, size_t *n)
{
    *n = s->picture.len;
    return s->picture.data;
}

long es_seal_picture_width(const es_seal *s)
{
    return s->width;
}

long es_seal_picture_height(const es_seal *s)
{
    return s->height;
}

size_t es_seal_next_data(const es_seal *s)
{
    return s->ext.n;
}

const es_ext_data *es_seal_ext_data(const es_seal *s, size_t i)
{
    return i < s->ext.n ? &s->ext.v[i] : NULL;
}

X509 *es_seal_get0_maker_cert(const es_seal *s)
{
    return s->maker;
}

const char *es_seal_sig_alg(const es_seal *s)
{
    return s->sig_alg;
}

const uint8_t *es_seal_sig_value(const es_seal *s, size_t *n)
{
    *n = s->sig.len;
    return s->sig.data;
}

int es_seal_has_timestamp(const es_seal *s)
{
    return s->has_ts;
}

const uint8_t *es_seal_timestamp(const es_seal *s, size_t *n)
{
    *n = s->has_ts ? s->ts.len : 0;
    return s->has_ts ? s->ts.data : NULL;
}
