/* Showing every field of a seal or signature, as JSON or as indented text, from one field list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

/* Text mode shows at most this many bytes of a hex value; JSON shows all of it. */
#define TEXT_HEX_MAX 64
#define MAX_DEPTH    8

/* One writer, two syntaxes: the field list below is written once for JSON and text. */
typedef struct emit {
    es__sb s;
    int json;
    int depth;
    int count[MAX_DEPTH]; /* members written at each depth, for JSON commas */
    int array[MAX_DEPTH]; /* 1 inside a JSON array: members have no key */
} emit;

static void indent(emit *e)
{
    for (int i = 0; i < e->depth; i++)
        es__sb_str(&e->s, "  ");
}

static void key(emit *e, const char *k)
{
    if (e->json) {
        es__sb_str(&e->s, e->count[e->depth]++ > 0 ? ",\n" : "\n");
        indent(e);
        if (!e->array[e->depth]) {
            es__sb_json(&e->s, k, strlen(k));
            es__sb_str(&e->s, ": ");
        }
        return;
    }
    indent(e);
    es__sb_term(&e->s, k, strlen(k));
    es__sb_str(&e->s, ":");
}

static void put_str(emit *e, const char *k, const char *v)
{
    key(e, k);
    if (e->json) {
        es__sb_json(&e->s, v, strlen(v));
        return;
    }
    es__sb_str(&e->s, " ");
    es__sb_term(&e->s, v, strlen(v));
    es__sb_str(&e->s, "\n");
}

static void put_int(emit *e, const char *k, long v)
{
    key(e, k);
    es__sb_printf(&e->s, e->json ? "%ld" : " %ld\n", v);
}

static void put_bool(emit *e, const char *k, int v)
{
    key(e, k);
    es__sb_str(&e->s, e->json ? (v ? "true" : "false") : (v ? " yes\n" : " no\n"));
}

static void put_time(emit *e, const char *k, es_time t)
{
    char iso[ES_TIME_STRLEN];

    es__time_text(t, iso);
    put_str(e, k, iso);
}

static void put_hex(emit *e, const char *k, const uint8_t *p, size_t n)
{
    char pair[3];
    size_t m = e->json || n <= TEXT_HEX_MAX ? n : TEXT_HEX_MAX;

    key(e, k);
    es__sb_str(&e->s, e->json ? "\"" : " ");
    for (size_t i = 0; i < m; i++) {
        es__hex(p + i, 1, pair, sizeof(pair));
        es__sb_add(&e->s, pair, 2);
    }
    if (m < n)
        es__sb_printf(&e->s, "... (%zu bytes)", n);
    es__sb_str(&e->s, e->json ? "\"" : "\n");
}

static void open_(emit *e, const char *k, int array)
{
    if (k != NULL)
        key(e, k);
    es__sb_str(&e->s, e->json ? (array ? "[" : "{") : (k != NULL ? "\n" : ""));
    if (e->depth + 1 < MAX_DEPTH) {
        e->depth++;
        e->count[e->depth] = 0;
        e->array[e->depth] = array && e->json;
    }
}

static void close_(emit *e, int array)
{
    int had = e->count[e->depth] > 0;

    if (!e->json && !had) {
        indent(e);
        es__sb_str(&e->s, "(none)\n");
    }
    if (e->depth > 0)
        e->depth--;
    if (!e->json)
        return;
    if (had) {
        es__sb_str(&e->s, "\n");
        indent(e);
    }
    es__sb_str(&e->s, array ? "]" : "}");
}

static void put_cert(emit *e, const char *k, X509 *x)
{
    char buf[512], *issuer = NULL;
    unsigned char *der = NULL;
    int n;
    uint8_t md[ES_SM3_LEN];
    es_time t;
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);

    open_(e, k, 0);
    es__subject(x, buf, sizeof(buf));
    put_str(e, "subject", buf);
    if (es_name_format(X509_get_issuer_name(x), &issuer) == ES_OK)
        put_str(e, "issuer", issuer);
    es_free(issuer);
    put_hex(e, "serial", serial->data, (size_t)serial->length);
    if (es__time_get(X509_get0_notBefore(x), "notBefore", &t) == ES_OK)
        put_time(e, "notBefore", t);
    if (es__time_get(X509_get0_notAfter(x), "notAfter", &t) == ES_OK)
        put_time(e, "notAfter", t);
    if ((n = i2d_X509(x, &der)) > 0 && es_sm3(der, (size_t)n, md) == ES_OK)
        put_hex(e, "sm3", md, sizeof(md));
    OPENSSL_free(der);
    close_(e, 0);
}

static void put_ext(emit *e, const es__ext *x)
{
    char k[32];

    open_(e, "extDatas", 1);
    for (size_t i = 0; i < x->n; i++) {
        snprintf(k, sizeof(k), "[%zu]", i);
        open_(e, k, 0);
        put_str(e, "oid", x->v[i].oid);
        put_bool(e, "critical", x->v[i].critical);
        put_hex(e, "value", x->v[i].value, x->v[i].value_len);
        close_(e, 0);
    }
    close_(e, 1);
}

static void put_cert_list(emit *e, const es_seal *s)
{
    char k[32];

    put_int(e, "certListType", s->cert_list_type);
    open_(e, "certList", 1);
    for (size_t i = 0; i < s->ncert; i++) {
        snprintf(k, sizeof(k), "[%zu]", i);
        if (s->cert_list_type == ES_SES_CERTLIST_CERTS) {
            put_cert(e, k, s->certs[i].cert);
            continue;
        }
        open_(e, k, 0);
        put_str(e, "digestType", s->certs[i].digest_type);
        put_hex(e, "digest", s->certs[i].digest, s->certs[i].digest_len);
        close_(e, 0);
    }
    close_(e, 1);
}

static void put_seal(emit *e, const es_seal *s)
{
    uint8_t md[ES_SM3_LEN];

    put_str(e, "object", "seal");
    put_int(e, "version", s->version);
    put_str(e, "headerID", s->header_id);
    put_int(e, "headerVersion", s->header_version);
    put_str(e, "vid", s->vid);
    put_str(e, "esID", s->esid);
    put_int(e, "type", s->type);
    put_str(e, "name", s->name);
    put_cert_list(e, s);
    put_time(e, "createDate", s->create);
    put_time(e, "validStart", s->start);
    put_time(e, "validEnd", s->end);
    open_(e, "picture", 0);
    put_str(e, "type", s->pic_type);
    put_int(e, "bytes", (long)s->picture.len);
    put_int(e, "widthMM", s->width);
    put_int(e, "heightMM", s->height);
    if (es_sm3(s->picture.data, s->picture.len, md) == ES_OK)
        put_hex(e, "sm3", md, sizeof(md));
    close_(e, 0);
    put_ext(e, &s->ext);
    put_cert(e, "maker", s->maker);
    put_str(e, "signAlgID", s->sig_alg);
    put_hex(e, "signedValue", s->sig.data, s->sig.len);
    if (s->has_ts)
        put_int(e, "timeStampBytes", (long)s->ts.len);
}

static void put_signature(emit *e, const es_signature *g)
{
    put_str(e, "object", "signature");
    put_int(e, "version", g->version);
    put_int(e, "tbsVersion", g->tbs_version);
    put_str(e, "timeInfo", g->time_text);
    if (g->has_time)
        put_time(e, "signingTime", g->time);
    put_hex(e, "dataHash", g->hash.data, g->hash.len);
    put_str(e, "propertyInfo", g->property);
    put_ext(e, &g->ext);
    put_cert(e, "signer", g->signer);
    put_str(e, "signatureAlgID", g->sig_alg);
    put_hex(e, "signature", g->sig.data, g->sig.len);
    if (g->has_ts)
        put_int(e, "timeStampBytes", (long)g->ts.len);
    open_(e, "seal", 0);
    put_seal(e, g->seal);
    close_(e, 0);
}

static es_err finish(emit *e, char **out)
{
    if (e->json)
        es__sb_str(&e->s, "\n");
    return es__sb_finish(&e->s, out);
}

static es_err show_seal(const es_seal *s, int json, char **out)
{
    emit e = {.json = json};

    if (json)
        open_(&e, NULL, 0);
    put_seal(&e, s);
    if (json)
        close_(&e, 0);
    return finish(&e, out);
}

static es_err show_signature(const es_signature *g, int json, char **out)
{
    emit e = {.json = json};

    if (json)
        open_(&e, NULL, 0);
    put_signature(&e, g);
    if (json)
        close_(&e, 0);
    return finish(&e, out);
}

es_err es_seal_to_json(const es_seal *s, char **out)
{
    return show_seal(s, 1, out);
}

es_err es_seal_to_text(const es_seal *s, char **out)
{
    return show_seal(s, 0, out);
}

es_err es_signature_to_json(const es_signature *g, char **out)
{
    return show_signature(g, 1, out);
}

es_err es_signature_to_text(const es_signature *g, char **out)
{
    return show_signature(g, 0, out);
}
