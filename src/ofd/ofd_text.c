/* Text for OFD XML: escaping, lengths in mm, and edits that keep every other byte. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ofd/ofd_local.h"

/* Runs of characters that need no escaping are appended at once (names, paths: all of them). */
void es__ofd_sb_xml(es__sb *s, const char *text)
{
    const char *c = text;

    for (;;) {
        size_t run = strcspn(c, "&<>\"");
        es__sb_add(s, c, run);
        c += run;
        switch (*c) {
        case '\0':
            return;
        case '&':
            ES__SB_LIT(s, "&amp;");
            break;
        case '<':
            ES__SB_LIT(s, "&lt;");
            break;
        case '>':
            ES__SB_LIT(s, "&gt;");
            break;
        default:
            ES__SB_LIT(s, "&quot;");
        }
        c++;
    }
}

void es__ofd_sb_long(es__sb *s, long v)
{
    char t[24], *p = t + sizeof(t);
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        *--p = '-';
    es__sb_add(s, p, (size_t)(t + sizeof(t) - p));
}

/*
 * mm·1000 rounded, when that is sure to be what "%.3f" rounds to: below 1e9 the product is within
 * 1.2e-7 of the exact one, so away from a tie (.5 ± 1e-6) both round alike. 0 when unsure.
 */
static int thousandths(double mm, long long *q)
{
    double x = mm * 1000, f;

    if (!(fabs(x) < 1e9))
        return 0;
    f = fabs(x - trunc(x));
    if (fabs(f - 0.5) < 1e-6)
        return 0;
    *q = llround(x);
    return 1;
}

void es__ofd_sb_mm(es__sb *s, double mm)
{
    char t[64];
    size_t n;
    long long q;

    /* the common case without printf: whole millimetres, then up to 3 decimals, no trailing 0 */
    if (thousandths(mm, &q)) {
        unsigned long long a = q < 0 ? (unsigned long long)-q : (unsigned long long)q;
        unsigned frac = (unsigned)(a % 1000);
        if (q < 0)
            ES__SB_LIT(s, "-");
        es__ofd_sb_long(s, (long)(a / 1000));
        if (frac == 0)
            return;
        t[0] = '.';
        t[1] = (char)('0' + frac / 100);
        t[2] = (char)('0' + frac / 10 % 10);
        t[3] = (char)('0' + frac % 10);
        for (n = 4; t[n - 1] == '0'; n--)
            ;
        es__sb_add(s, t, n);
        return;
    }
    snprintf(t, sizeof(t), "%.3f", mm);
    n = strlen(t);
    while (n > 0 && t[n - 1] == '0')
        n--;
    if (n > 0 && t[n - 1] == '.')
        n--;
    if (n == 2 && t[0] == '-' && t[1] == '0')
        n = 1, t[0] = '0';
    es__sb_add(s, t, n);
}

es_err es__ofd_sm3_b64(es_sm3_ctx *sm3, const void *p, size_t n, char out[45])
{
    uint8_t md[ES_SM3_LEN];
    es_err rc = es_sm3_update(sm3, p, n);

    if (rc == ES_OK)
        rc = es_sm3_final(sm3, md);
    if (rc == ES_OK)
        EVP_EncodeBlock((unsigned char *)out, md, sizeof(md));
    return rc;
}

char *es__ofd_xml_prefix(const xmlNode *n)
{
    return strdup(n != NULL && n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix
                                                                      : "");
}

void es__ofd_qname(const char *prefix, const char *local, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", prefix, prefix[0] ? ":" : "", local);
}

/* Offset of the last "</qname" followed by optional space and '>', or -1. */
static long last_close(const es_buf *in, const char *qname)
{
    size_t q = strlen(qname);

    for (size_t i = in->len; i-- > 0;) {
        size_t j = i + 2 + q;
        if (in->data[i] != '<' || i + 2 + q > in->len || in->data[i + 1] != '/' ||
            memcmp(in->data + i + 2, qname, q) != 0)
            continue;
        while (j < in->len && (in->data[j] == ' ' || in->data[j] == '\t' || in->data[j] == '\r' ||
                               in->data[j] == '\n'))
            j++;
        if (j < in->len && in->data[j] == '>')
            return (long)i;
    }
    return -1;
}

/* For an empty root <qname .../>: the offset of its "/>", or -1 (quotes are skipped). */
static long empty_root_end(const es_buf *in, const char *qname)
{
    size_t q = strlen(qname), i;
    char quote = 0;

    for (i = 0; i + 1 + q <= in->len; i++)
        if (in->data[i] == '<' && memcmp(in->data + i + 1, qname, q) == 0 &&
            (i + 1 + q == in->len || strchr(" \t\r\n/>", in->data[i + 1 + q]) != NULL))
            break;
    for (i += 1 + q; i < in->len; i++) {
        char c = (char)in->data[i];
        if (quote != 0)
            quote = c == quote ? 0 : quote;
        else if (c == '"' || c == '\'')
            quote = c;
        else if (c == '>')
            return (i > 0 && in->data[i - 1] == '/') ? (long)i - 1 : -1;
    }
    return -1;
}

/* out = in[0..at) + a + b + in[skip..) */
static es_err splice(const es_buf *in, size_t at, size_t skip, const char *a, const char *b,
                     es_buf *out)
{
    es__sb s = {0};

    es__sb_add(&s, in->data, at);
    es__sb_add(&s, a, strlen(a));
    es__sb_add(&s, b, strlen(b));
    es__sb_add(&s, in->data + skip, in->len - skip);
    if (s.err != ES_OK) {
        es__sb_free(&s);
        return s.err;
    }
    out->data = (uint8_t *)s.p;
    out->len = s.len;
    return ES_OK;
}

es_err es__ofd_insert_before_close(const es_buf *in, const char *qname, const char *text,
                                   es_buf *out)
{
    long at = last_close(in, qname);
    char close[160];

    if (at >= 0)
        return splice(in, (size_t)at, (size_t)at, text, "", out);
    if ((at = empty_root_end(in, qname)) < 0)
        return es__fail(ES_ERR_FORMAT, "no closing tag </%s> to insert before", qname);
    snprintf(close, sizeof(close), "</%s>", qname);
    /* "<x a='1'/>" becomes "<x a='1'>text</x>": skip the "/>" and write ">" again */
    {
        es__sb t = {0};
        es_err rc;
        es__sb_add(&t, ">", 1);
        es__sb_add(&t, text, strlen(text));
        rc = t.err == ES_OK ? splice(in, (size_t)at, (size_t)at + 2, t.p, close, out) : t.err;
        es__sb_free(&t);
        return rc;
    }
}

es_err es__ofd_replace_text(const es_buf *in, const char *qname, const char *text, es_buf *out)
{
    long close = last_close(in, qname);
    char open[160];
    size_t on;

    if (close < 0)
        return ES_ERR_NOT_FOUND;
    on = (size_t)snprintf(open, sizeof(open), "<%s", qname);
    for (long i = close; i-- > 0;) {
        size_t u = (size_t)i;
        if (u + on < in->len && memcmp(in->data + u, open, on) == 0 &&
            strchr(" \t\r\n>", in->data[u + on]) != NULL) {
            const uint8_t *gt = memchr(in->data + u, '>', (size_t)close - u);
            if (gt == NULL || gt[-1] == '/')
                return ES_ERR_NOT_FOUND;
            return splice(in, (size_t)(gt - in->data) + 1, (size_t)close, text, "", out);
        }
    }
    return ES_ERR_NOT_FOUND;
}
