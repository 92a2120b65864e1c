/* A bounded DER walker: version detection, the skeleton of seals and signatures, original bytes. */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ses/ses_local.h"

/*
 * The templates of ses_asn1.c decode values, but OpenSSL's errors do not say where in the
 * input a problem is, and they cannot tell which original bytes were signed. This walker checks
 * the skeleton first, field by field, so that malformed input is reported as "SES_SealInfo.esID
 * at offset 29: expected IA5String, found UTF8String", and it records where every signed part
 * lies. It never reads outside [off, end).
 */

static const char *tag_name(uint8_t tag)
{
    switch (tag) {
    case 0x01:
        return "BOOLEAN";
    case 0x02:
        return "INTEGER";
    case 0x03:
        return "BIT STRING";
    case 0x04:
        return "OCTET STRING";
    case 0x05:
        return "NULL";
    case 0x06:
        return "OBJECT IDENTIFIER";
    case 0x0c:
        return "UTF8String";
    case 0x13:
        return "PrintableString";
    case 0x16:
        return "IA5String";
    case 0x17:
        return "UTCTime";
    case 0x18:
        return "GeneralizedTime";
    case 0x30:
        return "SEQUENCE";
    case 0x31:
        return "SET";
    case 0xa0:
        return "[0]";
    default:
        return NULL;
    }
}

/* "IA5String (0x16)" or "0x9f" into buf. */
static const char *tag_text(uint8_t tag, char *buf, size_t n)
{
    const char *name = tag_name(tag);

    if (name != NULL)
        snprintf(buf, n, "%s (0x%02x)", name, tag);
    else
        snprintf(buf, n, "tag 0x%02x", tag);
    return buf;
}

es_err es__tlv_read(const uint8_t *p, size_t off, size_t end, const char *field, es__tlv *out)
{
    size_t len = 0, hlen = 2, nb;

    memset(out, 0, sizeof(*out));
    if (off >= end || end - off < 2)
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: truncated (%zu bytes left)", field, off,
                        off < end ? end - off : 0);
    if ((p[off] & 0x1f) == 0x1f)
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: multi-byte tag 0x%02x not expected",
                        field, off, p[off]);
    if (p[off + 1] < 0x80) {
        len = p[off + 1];
    } else if (p[off + 1] == 0x80) {
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: indefinite length (BER) is not DER",
                        field, off);
    } else {
        nb = p[off + 1] & 0x7f;
        if (nb > 4)
            return es__fail(ES_ERR_FORMAT, "%s at offset %zu: length of %zu octets is too long",
                            field, off, nb);
        if (end - off - 2 < nb)
            return es__fail(ES_ERR_FORMAT, "%s at offset %zu: truncated in its length", field, off);
        for (size_t i = 0; i < nb; i++)
            len = len << 8 | p[off + 2 + i];
        hlen += nb;
    }
    if (len > end - off - hlen)
        return es__fail(ES_ERR_FORMAT,
                        "%s at offset %zu: length %zu runs past the end (%zu bytes left)", field,
                        off, len, end - off - hlen);
    out->off = off;
    out->hlen = hlen;
    out->len = len;
    out->tag = p[off];
    return ES_OK;
}

static int tag_ok(const es__field *f, uint8_t tag)
{
    for (size_t i = 0; i < sizeof(f->tags) && f->tags[i] != 0; i++)
        if (f->tags[i] == tag)
            return 1;
    return 0;
}

static es_err wrong_tag(const char *what, const es__field *f, const es__tlv *c)
{
    char want[80] = "", got[32], one[32];

    for (size_t i = 0; i < sizeof(f->tags) && f->tags[i] != 0; i++) {
        if (i > 0)
            strncat(want, " or ", sizeof(want) - strlen(want) - 1);
        strncat(want, tag_text(f->tags[i], one, sizeof(one)), sizeof(want) - strlen(want) - 1);
    }
    return es__fail(ES_ERR_FORMAT, "%s.%s at offset %zu: expected %s, found %s", what, f->name,
                    c->off, want, tag_text(c->tag, got, sizeof(got)));
}

es_err es__tlv_match(const uint8_t *p, const es__tlv *t, const char *what, const es__field *f,
                     size_t nf, es__tlv *out)
{
    size_t pos = ES__TLV_CONTENT(*t), end = ES__TLV_END(*t), i = 0;
    char name[96];
    es__tlv c;

    memset(out, 0, nf * sizeof(*out));
    while (pos < end) {
        /* the element's name only for the error: formatting it for each cost 1 us a signature */
        if (es__tlv_read(p, pos, end, what, &c) != ES_OK) {
            snprintf(name, sizeof(name), "%s.%s", what, i < nf ? f[i].name : "(extra element)");
            return es__tlv_read(p, pos, end, name, &c);
        }
        while (i < nf && !tag_ok(&f[i], c.tag) && f[i].optional)
            i++;
        if (i == nf)
            return es__fail(ES_ERR_FORMAT, "%s at offset %zu: unexpected element %s after %s", what,
                            c.off, tag_text(c.tag, name, sizeof(name)), f[nf - 1].name);
        if (!tag_ok(&f[i], c.tag))
            return wrong_tag(what, &f[i], &c);
        out[i++] = c;
        pos = ES__TLV_END(c);
    }
    for (; i < nf; i++)
        if (!f[i].optional)
            return es__fail(ES_ERR_FORMAT, "%s.%s missing (%s at offset %zu ends at %zu)", what,
                            f[i].name, what, t->off, end);
    return ES_OK;
}

es_err es__tlv_count(const uint8_t *p, const es__tlv *t, const char *what, size_t *count)
{
    size_t pos = ES__TLV_CONTENT(*t), end = ES__TLV_END(*t);
    char name[96];
    es__tlv c;

    *count = 0;
    while (pos < end) {
        if (es__tlv_read(p, pos, end, what, &c) != ES_OK) {
            snprintf(name, sizeof(name), "%s element %zu", what, *count + 1);
            return es__tlv_read(p, pos, end, name, &c);
        }
        (*count)++;
        pos = ES__TLV_END(c);
    }
    return ES_OK;
}

/* A non-negative INTEGER of at most 8 content octets. */
static es_err small_int(const uint8_t *p, const es__tlv *t, const char *field, long *out)
{
    const uint8_t *c = p + ES__TLV_CONTENT(*t);
    unsigned long v = 0;

    if (t->len == 0 || t->len > 8 || (c[0] & 0x80))
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: not a small non-negative INTEGER", field,
                        t->off);
    for (size_t i = 0; i < t->len; i++)
        v = v << 8 | c[i];
    if (v > LONG_MAX)
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: INTEGER too large", field, t->off);
    *out = (long)v;
    return ES_OK;
}

/* A constructed TLV read at off as "what", which must be a SEQUENCE. */
static es_err read_seq(const uint8_t *p, size_t off, size_t end, const char *what, es__tlv *out)
{
    es_err rc;
    char got[32];

    if ((rc = es__tlv_read(p, off, end, what, out)) != ES_OK)
        return rc;
    if (out->tag != 0x30)
        return es__fail(ES_ERR_FORMAT, "%s at offset %zu: expected SEQUENCE (0x30), found %s", what,
                        off, tag_text(out->tag, got, sizeof(got)));
    return ES_OK;
}

/* Times: GeneralizedTime as the standard says, UTCTime as GM/T 0031-2014 (and others) write. */
#define TIME_TAGS                                                                                  \
    {                                                                                              \
        0x18, 0x17                                                                                 \
    }

static const es__field sealinfo_fields[] = {
    {"header", {0x30}, 0},  {"esID", {0x16}, 0},           {"property", {0x30}, 0},
    {"picture", {0x30}, 0}, {"extDatas", {0x30, 0xa0}, 1},
};
static const es__field header_fields[] = {
    {"ID", {0x16}, 0}, {"version", {0x02}, 0}, {"Vid", {0x16}, 0}};
static const es__field property_fields[] = {
    {"type", {0x02}, 0},        {"name", {0x0c}, 0},          {"certListType", {0x02}, 1},
    {"certList", {0x30}, 0},    {"createDate", TIME_TAGS, 0}, {"validStart", TIME_TAGS, 0},
    {"validEnd", TIME_TAGS, 0},
};
static const es__field picture_fields[] = {
    {"type", {0x16}, 0}, {"data", {0x04}, 0}, {"width", {0x02}, 0}, {"height", {0x02}, 0}};

/* SES_SealInfo and everything under it down to the values. */
static es_err sealinfo_layout(const uint8_t *p, es__seal_layout *out)
{
    es_err rc;
    es__tlv si[5], hd[3], pr[7], pic[4];

    if ((rc = es__tlv_match(p, &out->info, "SES_SealInfo", sealinfo_fields,
                            ES__ARRAY_LEN(sealinfo_fields), si)) != ES_OK ||
        (rc = es__tlv_match(p, &si[0], "SES_Header", header_fields, ES__ARRAY_LEN(header_fields),
                            hd)) != ES_OK ||
        (rc = small_int(p, &hd[1], "SES_Header.version", &out->header_version)) != ES_OK ||
        (rc = es__tlv_match(p, &si[2], "SES_ESPropertyInfo", property_fields,
                            ES__ARRAY_LEN(property_fields), pr)) != ES_OK ||
        (rc = es__tlv_match(p, &si[3], "SES_ESPictrueInfo", picture_fields,
                            ES__ARRAY_LEN(picture_fields), pic)) != ES_OK)
        return rc;
    out->certlist = pr[3];
    return ES_OK;
}

static const es__field seal4_fields[] = {
    {"eSealInfo", {0x30}, 0},       {"cert", {0x04}, 0},
    {"signAlgID", {0x06}, 0},       {"signedValue", {0x03}, 0},
    {"timeStamp", {0xa0, 0x03}, 1},
};
static const es__field seal1_fields[] = {{"esealInfo", {0x30}, 0}, {"signInfo", {0x30}, 0}};
static const es__field signinfo_fields[] = {
    {"cert", {0x04}, 0}, {"signatureAlgorithm", {0x06}, 0}, {"signData", {0x03}, 0}};

es_err es__seal_layout_read(const uint8_t *p, size_t off, size_t end, es__seal_layout *out)
{
    es_err rc;
    size_t count;
    es__tlv t[5];

    memset(out, 0, sizeof(*out));
    if ((rc = read_seq(p, off, end, "SESeal", &out->all)) != ES_OK ||
        (rc = es__tlv_count(p, &out->all, "SESeal", &count)) != ES_OK)
        return rc;
    if (count == 2) {
        out->version = ES_SES_V1;
        if ((rc = es__tlv_match(p, &out->all, "SESeal", seal1_fields, 2, t)) != ES_OK ||
            (rc = es__tlv_match(p, &t[1], "SES_SignInfo", signinfo_fields, 3, t + 2)) != ES_OK)
            return rc;
        out->info = t[0];
        out->cert = t[2];
        out->alg = t[3];
        out->sig = t[4];
    } else if (count == 4 || count == 5) {
        if ((rc = es__tlv_match(p, &out->all, "SESeal", seal4_fields, 5, t)) != ES_OK)
            return rc;
        out->info = t[0];
        out->cert = t[1];
        out->alg = t[2];
        out->sig = t[3];
        out->ts = t[4];
    } else {
        return es__fail(ES_ERR_FORMAT,
                        "SESeal at offset %zu has %zu elements: expected 2 (GM/T 0031-2014), 4 "
                        "(GB/T 38540) or 5 (with a timeStamp)",
                        off, count);
    }
    if ((rc = sealinfo_layout(p, out)) != ES_OK)
        return rc;
    if (out->version != ES_SES_V1)
        out->version = out->header_version == 5 || count == 5 ? ES_SES_V5 : ES_SES_V4;
    return ES_OK;
}

static const es__field sig4_fields[] = {
    {"toSign", {0x30}, 0},          {"cert", {0x04}, 0},
    {"signatureAlgID", {0x06}, 0},  {"signature", {0x03}, 0},
    {"timeStamp", {0xa0, 0x03}, 1},
};
static const es__field sig1_fields[] = {{"toSign", {0x30}, 0}, {"signature", {0x03}, 0}};
static const es__field tbs4_fields[] = {
    {"version", {0x02}, 0},  {"eseal", {0x30}, 0},        {"timeInfo", TIME_TAGS, 0},
    {"dataHash", {0x03}, 0}, {"propertyInfo", {0x16}, 0}, {"extDatas", {0xa0, 0x30}, 1},
};
static const es__field tbs1_fields[] = {
    {"version", {0x02}, 0},
    {"eseal", {0x30}, 0},
    {"timeInfo", {0x03, 0x04, 0x18, 0x17}, 0},
    {"dataHash", {0x03, 0x04}, 0},
    {"propertyInfo", {0x16}, 0},
    {"cert", {0x04}, 0},
    {"signatureAlgorithm", {0x06}, 0},
};

es_err es__sig_layout_read(const uint8_t *p, size_t n, es__sig_layout *out)
{
    es_err rc;
    size_t count;
    es__tlv t[5], b[7];

    memset(out, 0, sizeof(*out));
    if ((rc = read_seq(p, 0, n, "SES_Signature", &out->all)) != ES_OK ||
        (rc = es__tlv_count(p, &out->all, "SES_Signature", &count)) != ES_OK)
        return rc;
    if (count != 2 && count != 4 && count != 5)
        return es__fail(ES_ERR_FORMAT,
                        "SES_Signature has %zu elements: expected 2 (GM/T 0031-2014), 4 (GB/T "
                        "38540) or 5 (with a timeStamp)",
                        count);
    out->v1 = count == 2;
    rc = out->v1 ? es__tlv_match(p, &out->all, "SES_Signature", sig1_fields, 2, t)
                 : es__tlv_match(p, &out->all, "SES_Signature", sig4_fields, 5, t);
    if (rc == ES_OK)
        rc = out->v1 ? es__tlv_match(p, &t[0], "TBS_Sign", tbs1_fields, 7, b)
                     : es__tlv_match(p, &t[0], "TBS_Sign", tbs4_fields, 6, b);
    if (rc != ES_OK)
        return rc;
    out->tbs = t[0];
    out->eseal = b[1];
    out->time = b[2];
    out->cert = out->v1 ? b[5] : t[1];
    out->alg = out->v1 ? b[6] : t[2];
    out->sig = out->v1 ? t[1] : t[3];
    out->ts = out->v1 ? (es__tlv){0} : t[4];
    return ES_OK;
}

es_err es_ses_detect(const uint8_t *p, size_t n, int *kind)
{
    es_err rc;
    es__tlv all, first, inner;
    char why[512];

    assert((p != NULL || n == 0) && kind != NULL);
    *kind = 0;
    if (n > ES_SES_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "input of %zu bytes exceeds the limit of %u", n,
                        ES_SES_MAX_INPUT);
    if ((rc = read_seq(p, 0, n, "outer SEQUENCE", &all)) != ES_OK ||
        (rc = read_seq(p, ES__TLV_CONTENT(all), ES__TLV_END(all), "first element", &first)) !=
            ES_OK ||
        (rc = es__tlv_read(p, ES__TLV_CONTENT(first), ES__TLV_END(first), "first element's first",
                           &inner)) != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        return es__fail(rc, "neither a SESeal nor a SES_Signature: %s", why);
    }
    /* SESeal starts with SES_SealInfo { SES_Header ...}, SES_Signature with TBS_Sign {version. */
    if (inner.tag == 0x30)
        *kind = ES_SES_OBJ_SEAL;
    else if (inner.tag == 0x02)
        *kind = ES_SES_OBJ_SIGNATURE;
    else
        return es__fail(ES_ERR_FORMAT,
                        "neither a SESeal nor a SES_Signature: offset %zu holds tag 0x%02x",
                        inner.off, inner.tag);
    return ES_OK;
}

es_err es__der_sequence(const uint8_t *p, const es__tlv *parts, size_t nparts, es_buf *out)
{
    size_t total = 0, hlen, pos;
    uint8_t hdr[2 + sizeof(size_t)];

    for (size_t i = 0; i < nparts; i++)
        total += ES__TLV_SIZE(parts[i]);
    hdr[0] = 0x30;
    hlen = 1 + es__der_len(hdr + 1, total);
    if ((out->data = malloc(hlen + total)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", hlen + total);
    out->len = hlen + total;
    memcpy(out->data, hdr, hlen);
    pos = hlen;
    for (size_t i = 0; i < nparts; i++) {
        memcpy(out->data + pos, p + parts[i].off, ES__TLV_SIZE(parts[i]));
        pos += ES__TLV_SIZE(parts[i]);
    }
    return ES_OK;
}
