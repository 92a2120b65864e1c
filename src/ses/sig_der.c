/* DER of a v4 SES_Signature written into one buffer: the seal's bytes are copied once. */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "eseal/crypto.h"
#include "crypto/cert_der.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

/*
 * Through the OpenSSL templates the embedded seal (about 140 KB, mostly its picture) was copied
 * four times per signature: into an ASN1_STRING, into DER(TBS_Sign) to be signed, into the whole
 * SES_Signature, into the returned buffer. Here the small fields still go through OpenSSL's i2d
 * of each value (so the bytes are the templates' bytes: tests/ses/test_sig_der.c compares them)
 * and only the framing is written by hand. TBS_Sign is written in place first, so that it is
 * hashed where it lies, once.
 */

/* Tag, length and content: the bytes written (out != NULL) or needed. */
static size_t tlv(uint8_t *out, uint8_t tag, const void *p, size_t n, size_t pad)
{
    size_t h;

    if (out == NULL)
        return 1 + es__der_len(NULL, n + pad) + n + pad;
    out[0] = tag;
    h = 1 + es__der_len(out + 1, n + pad);
    if (pad)
        out[h] = 0; /* BIT STRING: no unused bits */
    if (n > 0)
        memcpy(out + h + pad, p, n);
    return h + pad + n;
}

static int fits(int len, size_t room)
{
    return len > 0 && (size_t)len <= room;
}

/* DER of the OID ES_SES_OID_SM2_SM3 (1.2.156.10197.1.501): OBJ_txt2obj parsed the text anew for
 * each signature. */
static const uint8_t sm2_sm3_oid[] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};
_Static_assert(sizeof(sm2_sm3_oid) <= sizeof(((es__sigw *)0)->alg), "es__sigw.alg is too small");

/* The small TBS_Sign fields as OpenSSL's templates encode them. */
static es_err small_fields(es__sigw *w, const uint8_t hash[32], const char *prop, es_time when)
{
    es_err rc;
    ASN1_TIME *t = NULL;
    ASN1_BIT_STRING *h = NULL;
    ASN1_IA5STRING *p = NULL;
    unsigned char *q;

    if ((rc = es__time_set(when, &t)) != ES_OK ||
        (rc = es__bits_set(&h, hash, ES_SM3_LEN)) != ES_OK ||
        (rc = es__ia5_set(prop != NULL ? prop : "", "propertyInfo", &p)) != ES_OK)
        goto end;
    /* each value's size first: none may exceed its slot in w */
    if (!fits(i2d_ASN1_TIME(t, NULL), sizeof(w->time)) ||
        !fits(i2d_ASN1_BIT_STRING(h, NULL), sizeof(w->hash))) {
        rc = es__fail_ossl(ES_ERR_INTERNAL, "cannot encode TBS_Sign");
        goto end;
    }
    q = w->time;
    w->time_len = (size_t)i2d_ASN1_TIME(t, &q);
    q = w->hash;
    w->hash_len = (size_t)i2d_ASN1_BIT_STRING(h, &q);
    memcpy(w->alg, sm2_sm3_oid, sizeof(sm2_sm3_oid));
    w->alg_len = sizeof(sm2_sm3_oid);
    w->prop = NULL;
    if ((w->prop_len = i2d_ASN1_IA5STRING(p, &w->prop)) <= 0)
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot encode propertyInfo");
end:
    ASN1_TIME_free(t);
    ASN1_BIT_STRING_free(h);
    ASN1_IA5STRING_free(p);
    return rc;
}

/* Reserve the buffer and write TBS_Sign { 4, seal, time, hash, property } at w->tbs_off. */
static es_err write_tbs(es__sigw *w, const uint8_t *seal, size_t seal_len)
{
    static const uint8_t version[] = {0x02, 0x01, 0x04};
    size_t body = sizeof(version) + seal_len + w->time_len + w->hash_len + (size_t)w->prop_len;
    size_t cert_tlv = tlv(NULL, 0x04, NULL, w->cert_len, 0);
    size_t tail_max = cert_tlv + w->alg_len + tlv(NULL, 0x03, NULL, ES__SIG_DER_MAX, 1);
    uint8_t *o;

    w->tbs_len = 1 + es__der_len(NULL, body) + body;
    /* the outer header for the longest signature value: a shorter one moves the whole down */
    w->tbs_off = 1 + es__der_len(NULL, w->tbs_len + tail_max);
    if ((w->buf = malloc(w->tbs_off + w->tbs_len + tail_max)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate a signature of %zu bytes",
                        w->tbs_off + w->tbs_len + tail_max);
    o = w->buf + w->tbs_off;
    *o++ = 0x30;
    o += es__der_len(o, body);
    memcpy(o, version, sizeof(version));
    o += sizeof(version);
    memcpy(o, seal, seal_len); /* the seal's own bytes, as the maker signed them */
    o += seal_len;
    memcpy(o, w->time, w->time_len);
    o += w->time_len;
    memcpy(o, w->hash, w->hash_len);
    o += w->hash_len;
    memcpy(o, w->prop, (size_t)w->prop_len);
    return ES_OK;
}

es_err es__sigw_begin(es__sigw *w, const uint8_t *seal, size_t seal_len, X509 *cert,
                      const uint8_t hash[32], const char *prop, es_time when)
{
    es_err rc;

    memset(w, 0, sizeof(*w));
    if ((w->cert_len = es__cert_der(cert, &w->cert)) == 0)
        return es__fail_ossl(ES_ERR_INTERNAL, "cannot encode the signer certificate");
    if ((rc = small_fields(w, hash, prop, when)) != ES_OK)
        return rc;
    return write_tbs(w, seal, seal_len);
}

es_err es__sigw_finish(es__sigw *w, const uint8_t *sig, size_t siglen, es_buf *out)
{
    size_t content, hlen, start;
    uint8_t *o;

    if (siglen > ES__SIG_DER_MAX)
        return es__fail(ES_ERR_INTERNAL, "signature value of %zu bytes", siglen);
    o = w->buf + w->tbs_off + w->tbs_len;
    o += tlv(o, 0x04, w->cert, w->cert_len, 0);
    memcpy(o, w->alg, w->alg_len);
    o += w->alg_len;
    o += tlv(o, 0x03, sig, siglen, 1);
    content = (size_t)(o - (w->buf + w->tbs_off));
    hlen = 1 + es__der_len(NULL, content);
    start = w->tbs_off - hlen;
    w->buf[start] = 0x30;
    es__der_len(w->buf + start + 1, content);
    w->moved = start > 0;
    if (w->moved) { /* only when the length's size changed with the signature's */
        memmove(w->buf, w->buf + start, hlen + content);
        w->tbs_off -= start;
    }
    out->data = w->buf;
    out->len = hlen + content;
    w->buf = NULL;
    return ES_OK;
}

void es__sigw_free(es__sigw *w)
{
    free(w->buf);
    OPENSSL_free(w->cert);
    OPENSSL_free(w->prop);
    memset(w, 0, sizeof(*w));
}
