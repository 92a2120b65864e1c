/* Parsing SES_Signature (v1, v4/v5 layout) into an es_signature, and its accessors. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ses/seal_crc_local.h"
#include "ses/ses_local.h"

void es_signature_free(es_signature *g)
{
    if (g == NULL)
        return;
    es_buf_free(&g->der);
    es_seal_free(g->seal);
    free(g->time_text);
    es_buf_free(&g->hash);
    free(g->property);
    X509_free(g->signer);
    free(g->sig_alg);
    es_buf_free(&g->sig);
    es_buf_free(&g->ts);
    es__ext_free(&g->ext);
    es_buf_free(&g->tbs);
    free(g);
}

/* A v1 BIT STRING field, or the OCTET STRING some writers use instead. */
static es_err any_bytes(const ASN1_TYPE *t, const char *field, es_buf *out)
{
    if (t->type == V_ASN1_BIT_STRING)
        return es__bits_get(t->value.bit_string, field, out);
    if (t->type == V_ASN1_OCTET_STRING)
        return es_buf_set(out, t->value.octet_string->data, (size_t)t->value.octet_string->length);
    return es__fail(ES_ERR_FORMAT, "%s: expected a BIT STRING, found type %d", field, t->type);
}

/* v1 timeInfo: a time string in a BIT STRING (or OCTET STRING, or a plain time). */
static es_err v1_time(es_signature *g, const ASN1_TYPE *t)
{
    es_err rc;
    es_buf b = {0};

    if (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) {
        g->has_time = es__time_get(t->value.utctime, "TBS_Sign.timeInfo", &g->time) == ES_OK;
        return es__str_get(t->value.utctime, "TBS_Sign.timeInfo", &g->time_text);
    }
    if ((rc = any_bytes(t, "TBS_Sign.timeInfo", &b)) != ES_OK)
        return rc;
    rc = es__v1_time(b.data, b.len, &g->has_time, &g->time, &g->time_text);
    es_buf_free(&b);
    return rc;
}

static es_err signer_part(es_signature *g, const ASN1_OCTET_STRING *cert, const ASN1_OBJECT *alg,
                          const ASN1_BIT_STRING *sig)
{
    es_err rc;

    if ((rc = es__cert_get(cert, "signer certificate", &g->signer)) != ES_OK ||
        (rc = es__oid_get(alg, &g->sig_alg)) != ES_OK)
        return rc;
    return es__bits_get(sig, "SES_Signature.signature", &g->sig);
}

static es_err decode_v1(es_signature *g, const unsigned char *q, long n)
{
    es_err rc;
    ES_SES_SIGNATURE_V1 *d = d2i_ES_SES_SIGNATURE_V1(NULL, &q, n);
    const ES_TBS_SIGN_V1 *t;

    if (d == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "SES_Signature (v1) cannot be decoded");
    t = d->tbs;
    if ((rc = es__int_get(t->version, "TBS_Sign.version", &g->tbs_version)) == ES_OK &&
        (rc = v1_time(g, t->time)) == ES_OK &&
        (rc = any_bytes(t->hash, "TBS_Sign.dataHash", &g->hash)) == ES_OK &&
        (rc = es__str_get(t->property, "TBS_Sign.propertyInfo", &g->property)) == ES_OK)
        rc = signer_part(g, t->cert, t->alg, d->sig);
    ES_SES_SIGNATURE_V1_free(d);
    return rc;
}

static es_err decode_v4(es_signature *g, const unsigned char *q, long n)
{
    es_err rc;
    ES_SES_SIGNATURE_V4 *d = d2i_ES_SES_SIGNATURE_V4(NULL, &q, n);
    const ES_TBS_SIGN_V4 *t;

    if (d == NULL)
        return es__fail_ossl(ES_ERR_FORMAT, "SES_Signature cannot be decoded");
    t = d->tbs;
    if ((rc = es__int_get(t->version, "TBS_Sign.version", &g->tbs_version)) == ES_OK &&
        (rc = es__time_get(t->time, "TBS_Sign.timeInfo", &g->time)) == ES_OK &&
        (rc = es__str_get(t->time, "TBS_Sign.timeInfo", &g->time_text)) == ES_OK &&
        (rc = es__bits_get(t->hash, "TBS_Sign.dataHash", &g->hash)) == ES_OK &&
        (rc = es__str_get(t->property, "TBS_Sign.propertyInfo", &g->property)) == ES_OK &&
        (rc = es__ext_get(t->ext0, t->ext, &g->ext)) == ES_OK &&
        (rc = signer_part(g, d->cert, d->alg, d->sig)) == ES_OK)
        rc = es__ts_get(d->ts, d->ts_raw, &g->has_ts, &g->ts);
    g->has_time = rc == ES_OK;
    ES_SES_SIGNATURE_V4_free(d);
    return rc;
}

static es_err parse(const uint8_t *p, size_t n, es_signature *g)
{
    es_err rc;
    es__sig_layout l;
    const unsigned char *q;

    if ((rc = es__sig_layout_read(p, n, &l)) != ES_OK)
        return rc;
    g->trailing = n - ES__TLV_END(l.all);
    if ((rc = es_buf_set(&g->der, p, ES__TLV_SIZE(l.all))) != ES_OK ||
        (rc = es_buf_set(&g->tbs, p + l.tbs.off, ES__TLV_SIZE(l.tbs))) != ES_OK ||
        (rc = es__seal_parse_at(p, l.eseal.off, ES__TLV_END(l.eseal), &g->seal)) != ES_OK)
        return rc;
    g->version = l.v1 ? ES_SES_V1 : g->seal->version == ES_SES_V5 ? ES_SES_V5 : ES_SES_V4;
    q = p;
    return l.v1 ? decode_v1(g, q, (long)ES__TLV_SIZE(l.all))
                : decode_v4(g, q, (long)ES__TLV_SIZE(l.all));
}

es_err es__sig_seal_span(const uint8_t *p, size_t n, size_t *off, size_t *len)
{
    es__sig_layout l;
    es_err rc = es__sig_layout_read(p, n, &l);

    *off = rc == ES_OK ? l.eseal.off : 0;
    *len = rc == ES_OK ? ES__TLV_SIZE(l.eseal) : 0;
    return rc;
}

es_err es_signature_parse(const uint8_t *p, size_t n, es_signature **out)
{
    es_err rc;
    es_signature *g = NULL;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if (n > ES_SES_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "signature of %zu bytes exceeds the limit of %u bytes", n,
                        ES_SES_MAX_INPUT);
    if ((g = calloc(1, sizeof(*g))) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate a signature");
    if ((rc = parse(p, n, g)) != ES_OK)
        es_signature_free(g);
    else
        *out = g;
    return rc;
}

es_err es_signature_read_file(const char *path, es_signature **out)
{
    es_err rc;
    es_buf b = {0};
    char why[512];

    assert(path != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_file_read(path, ES_SES_MAX_INPUT, &b)) != ES_OK)
        return rc;
    if ((rc = es_signature_parse(b.data, b.len, out)) != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        es__fail(rc, "%s: %s", path, why);
    }
    es_buf_free(&b);
    return rc;
}

const uint8_t *es_signature_der(const es_signature *g, size_t *n)
{
    *n = g->der.len;
    return g->der.data;
}

es_ses_version es_signature_version(const es_signature *g)
{
    return g->version;
}

long es_signature_tbs_version(const es_signature *g)
{
    return g->tbs_version;
}

const es_seal *es_signature_get0_seal(const es_signature *g)
{
    return g->seal;
}

int es_signature_has_time(const es_signature *g)
{
    return g->has_time;
}

es_time es_signature_time(const es_signature *g)
{
    return g->time;
}

const char *es_signature_time_text(const es_signature *g)
{
    return g->time_text;
}

const uint8_t *es_signature_data_hash(const es_signature *g, size_t *n)
{
    *n = g->hash.len;
    return g->hash.data;
}

const char *es_signature_property(const es_signature *g)
{
    return g->property;
}

X509 *es_signature_get0_signer_cert(const es_signature *g)
{
    return g->signer;
}

const char *es_signature_sig_alg(const es_signature *g)
{
    return g->sig_alg;
}

const uint8_t *es_signature_sig_value(const es_signature *g, size_t *n)
{
    *n = g->sig.len;
    return g->sig.data;
}

int es_signature_has_timestamp(const es_signature *g)
{
    return g->has_ts;
}

const uint8_t *es_signature_timestamp(const es_signature *g, size_t *n)
{
    *n = g->has_ts ? g->ts.len : 0;
    return g->has_ts ? g->ts.data : NULL;
}

size_t es_signature_next_data(const es_signature *g)
{
    return g->ext.n;
}

const es_ext_data *es_signature_ext_data(const es_signature *g, size_t i)
{
    return i < g->ext.n ? &g->ext.v[i] : NULL;
}
