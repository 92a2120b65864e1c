/* Conversions between the ASN.1 values of seals and signatures and plain C values, both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "eseal/key.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

es_err es__str_get(const ASN1_STRING *s, const char *field, char **out)
{
    int len = ASN1_STRING_length(s);
    const unsigned char *d = ASN1_STRING_get0_data(s);

    *out = NULL;
    /* A NUL inside a name or id would let two different values print the same. */
    if (len > 0 && memchr(d, 0, (size_t)len) != NULL)
        return es__fail(ES_ERR_FORMAT, "%s contains a NUL byte", field);
    if ((*out = malloc((size_t)len + 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %d bytes", len + 1);
    if (len > 0)
        memcpy(*out, d, (size_t)len);
    (*out)[len] = '\0';
    return ES_OK;
}

es_err es__int_get(const ASN1_INTEGER *i, const char *field, long *out)
{
    int64_t v;

    if (!ASN1_INTEGER_get_int64(&v, i)) {
        es__ossl_clear();
        return es__fail(ES_ERR_FORMAT, "%s: INTEGER out of range", field);
    }
    *out = (long)v;
    return ES_OK;
}

es_err es__time_get(const ASN1_TIME *t, const char *field, es_time *out)
{
    es_err rc = ES_OK;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int day, sec;

    if (epoch == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a time");
    if (!ASN1_TIME_diff(&day, &sec, epoch, t)) {
        es__ossl_clear();
        rc = es__fail(ES_ERR_FORMAT, "%s: invalid time \"%.*s\"", field,
                      ASN1_STRING_length(t) > 40 ? 40 : ASN1_STRING_length(t),
                      (const char *)ASN1_STRING_get0_data(t));
    } else {
        *out = (es_time)day * 86400 + sec;
    }
    ASN1_TIME_free(epoch);
    return rc;
}

es_err es__bits_get(const ASN1_BIT_STRING *b, const char *field, es_buf *out)
{
    /* Unused bits are not covered by any signature check: refuse them, or a flipped unused-bit
     * count would leave a tampered file "valid". */
    if ((b->flags & ASN1_STRING_FLAG_BITS_LEFT) && (b->flags & 0x07) != 0)
        return es__fail(ES_ERR_FORMAT, "%s: BIT STRING with %ld unused bits", field,
                        b->flags & 0x07);
    return es_buf_set(out, b->data, (size_t)b->length);
}

es_err es__oid_get(const ASN1_OBJECT *o, char **out)
{
    int n = OBJ_obj2txt(NULL, 0, o, 1);

    *out = NULL;
    if (n <= 0)
        return es__fail_ossl(ES_ERR_FORMAT, "invalid OBJECT IDENTIFIER");
    if ((*out = malloc((size_t)n + 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %d bytes", n + 1);
    OBJ_obj2txt(*out, n + 1, o, 1);
    return ES_OK;
}

es_err es__cert_get(const ASN1_OCTET_STRING *der, const char *field, X509 **out)
{
    es_err rc = es_cert_parse(ASN1_STRING_get0_data(der), (size_t)ASN1_STRING_length(der), out);
    char why[512];

    if (rc != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = es__fail(ES_ERR_FORMAT, "%s is not a certificate: %s", field, why);
    }
    return rc;
}

es_err es__ts_get(const ASN1_TYPE *ts, const ASN1_BIT_STRING *raw, int *has, es_buf *out)
{
    unsigned char *der = NULL;
    int len;
    es_err rc;

    *has = ts != NULL || raw != NULL;
    if (raw != NULL)
        return es__bits_get(raw, "timeStamp", out);
    if (ts == NULL)
        return ES_OK;
    if (ts->type == V_ASN1_BIT_STRING)
        return es__bits_get(ts->value.bit_string, "timeStamp", out);
    if (ts->type == V_ASN1_OCTET_STRING)
        return es_buf_set(out, ts->value.octet_string->data,
                          (size_t)ts->value.octet_string->length);
    /* Anything else (a bare token SEQUENCE) is kept as its encoding. */
    if ((len = i2d_ASN1_TYPE(ts, &der)) <= 0)
        return es__fail_ossl(ES_ERR_FORMAT, "timeStamp cannot be encoded");
    rc = es_buf_set(out, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

static es_err ext_add(const ES_SES_EXTDATA *e, es_ext_data *d)
{
    es_err rc;
    uint8_t *v;
    size_t n = (size_t)ASN1_STRING_length(e->value);

    if ((rc = es__oid_get(e->id, (char **)&d->oid)) != ES_OK)
        return rc;
    d->critical = e->critical > 0;
    if ((v = malloc(n > 0 ? n : 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", n);
    if (n > 0)
        memcpy(v, ASN1_STRING_get0_data(e->value), n);
    d->value = v;
    d->value_len = n;
    return ES_OK;
}

es_err es__ext_get(const STACK_OF(ES_SES_EXTDATA) * a, const STACK_OF(ES_SES_EXTDATA) * b,
                   es__ext *out)
{
    es_err rc = ES_OK;
    int na = sk_ES_SES_EXTDATA_num(a), nb = sk_ES_SES_EXTDATA_num(b);
    size_t n = (size_t)(na > 0 ? na : 0) + (size_t)(nb > 0 ? nb : 0);

    out->v = NULL;
    out->n = 0;
    if (n == 0)
        return ES_OK;
    if ((out->v = calloc(n, sizeof(*out->v))) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %zu extDatas", n);
    for (int i = 0; rc == ES_OK && i < na; i++, out->n++)
        rc = ext_add(sk_ES_SES_EXTDATA_value(a, i), &out->v[out->n]);
    for (int i = 0; rc == ES_OK && i < nb; i++, out->n++)
        rc = ext_add(sk_ES_SES_EXTDATA_value(b, i), &out->v[out->n]);
    return rc;
}

void es__ext_free(es__ext *e)
{
    /* es__ext_get counts an entry that failed half-way: its fields are NULL or allocated. */
    for (size_t i = 0; e->v != NULL && i < e->n; i++) {
        free((char *)e->v[i].oid);
        free((uint8_t *)e->v[i].value);
    }
    free(e->v);
    e->v = NULL;
    e->n = 0;
}

es_err es__bits_set(ASN1_BIT_STRING **b, const uint8_t *p, size_t n)
{
    if (*b == NULL && (*b = ASN1_BIT_STRING_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a BIT STRING");
    if (!ASN1_BIT_STRING_set(*b, (unsigned char *)p, (int)n))
        return es__fail_ossl(ES_ERR_NOMEM, "cannot set a BIT STRING");
    /* Without BITS_LEFT OpenSSL drops trailing zero bytes: a hash ending in 00 would shrink. */
    (*b)->flags &= ~(long)(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    (*b)->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    return ES_OK;
}

es_err es__time_set(es_time t, ASN1_TIME **out)
{
    ASN1_GENERALIZEDTIME *g = NULL;

    if (t < -62135596800LL || t > 253402300799LL ||
        (g = ASN1_GENERALIZEDTIME_adj(NULL, (time_t)t, 0, 0)) == NULL)
        return es__fail_ossl(ES_ERR_ARG, "time %lld cannot be written as GeneralizedTime",
                             (long long)t);
    ASN1_TIME_free(*out);
    *out = g;
    return ES_OK;
}

es_err es__ia5_set(const char *s, const char *field, ASN1_IA5STRING **out)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] > 0x7e || (unsigned char)s[i] < 0x20)
            return es__fail(ES_ERR_ARG,
                            "%s must be printable ASCII (IA5String): byte %zu is 0x%02x", field, i,
                            (unsigned char)s[i]);
    if (*out == NULL && (*out = ASN1_IA5STRING_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a string");
    if (!ASN1_STRING_set(*out, s, (int)n))
        return es__fail_ossl(ES_ERR_NOMEM, "cannot set %s", field);
    return ES_OK;
}

static es_err ext_put_one(const es_ext_data *x, size_t i, STACK_OF(ES_SES_EXTDATA) * sk)
{
    ES_SES_EXTDATA *e = ES_SES_EXTDATA_new();

    if (e == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate an ExtData");
    ASN1_OBJECT_free(e->id);
    e->id = x->oid != NULL ? OBJ_txt2obj(x->oid, 1) : NULL;
    if (e->id == NULL) {
        ES_SES_EXTDATA_free(e);
        es__ossl_clear();
        return es__fail(ES_ERR_ARG, "extDatas[%zu]: \"%s\" is not a dotted OID", i,
                        x->oid != NULL ? x->oid : "(null)");
    }
    /* DER encodes TRUE as 0xFF; FALSE is the default and left out. */
    e->critical = x->critical ? 0xff : 0;
    if (!ASN1_OCTET_STRING_set(e->value, x->value, (int)x->value_len) ||
        !sk_ES_SES_EXTDATA_push(sk, e)) {
        ES_SES_EXTDATA_free(e);
        return es__fail_ossl(ES_ERR_NOMEM, "cannot add an ExtData");
    }
    return ES_OK;
}

es_err es__ext_put(const es_ext_data *ext, size_t n, STACK_OF(ES_SES_EXTDATA) * *out)
{
    es_err rc = ES_OK;
    STACK_OF(ES_SES_EXTDATA) *sk = NULL;

    *out = NULL;
    if (n == 0)
        return ES_OK;
    if ((sk = sk_ES_SES_EXTDATA_new_null()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate extDatas");
    for (size_t i = 0; rc == ES_OK && i < n; i++)
        rc = ext_put_one(&ext[i], i, sk);
    if (rc != ES_OK)
        sk_ES_SES_EXTDATA_pop_free(sk, ES_SES_EXTDATA_free);
    else
        *out = sk;
    return rc;
}

ASN1_OBJECT *es__oid_sm2_sm3(void)
{
    return OBJ_txt2obj(ES_SES_OID_SM2_SM3, 1);
}

int es__alg_is_sm2(const char *oid)
{
    /* Some writers name the SM2-1 signature scheme instead of SM2-with-SM3; both mean the same
     * computation here (SM3 digest with Z, SM2 signature). */
    return strcmp(oid, ES_SES_OID_SM2_SM3) == 0 || strcmp(oid, "1.2.156.10197.1.301.1") == 0;
}

/* Interpret a v1 time string; times without a zone are China Standard Time (docs/ses.md). */
static int v1_time_text(const char *s, es_time *t)
{
    char buf[96];
    ASN1_TIME *a = NULL;
    int ok;

    if (s[0] == '\0')
        return 0;
    if (strchr(s, '-') != NULL) {
        if (es_time_parse(s, t) == ES_OK)
            return 1;
        snprintf(buf, sizeof(buf), "%s+08:00", s);
        return es_time_parse(buf, t) == ES_OK;
    }
    if ((a = ASN1_TIME_new()) == NULL)
        return 0;
    ok = ASN1_TIME_set_string(a, s) == 1;
    if (!ok) {
        snprintf(buf, sizeof(buf), "%s+0800", s);
        ok = ASN1_TIME_set_string(a, buf) == 1;
    }
    ok = ok && es__time_get(a, "timeInfo", t) == ES_OK;
    ASN1_TIME_free(a);
    es__ossl_clear();
    return ok;
}

es_err es__v1_time(const uint8_t *p, size_t n, int *has, es_time *t, char **text)
{
    char s[65];
    size_t m = 0;
    const unsigned char *q = p;
    ASN1_TIME *inner = NULL;

    *has = 0;
    *t = 0;
    /* Some writers put the DER of a UTCTime or GeneralizedTime inside the BIT STRING. */
    if (n >= 2 && (p[0] == 0x17 || p[0] == 0x18) &&
        (inner = d2i_ASN1_TIME(NULL, &q, (long)n)) != NULL) {
        p = ASN1_STRING_get0_data(inner);
        n = (size_t)ASN1_STRING_length(inner);
    }
    es__ossl_clear();
    for (size_t i = 0; i < n && m < sizeof(s) - 1 && p[i] != 0; i++)
        s[m++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    while (m > 0 && s[m - 1] == ' ')
        m--;
    s[m] = '\0';
    ASN1_TIME_free(inner);
    *has = v1_time_text(s, t);
    if ((*text = strdup(s)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot copy the time text");
    return ES_OK;
}
