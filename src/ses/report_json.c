/* Writing reports as JSON (escaped by hand, always valid UTF-8) and as terminal-safe text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/report.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

void es__str_add(es__str *s, const char *p, size_t n)
{
    char *np;
    size_t ncap;

    if (s->err != ES_OK)
        return;
    if (n > ES__STR_MAX - s->len - 1) {
        s->err = es__fail(ES_ERR_LIMIT, "output exceeds %u bytes", ES__STR_MAX);
        return;
    }
    if (s->len + n + 1 > s->cap) {
        ncap = s->cap ? s->cap : 256;
        while (ncap < s->len + n + 1)
            ncap *= 2;
        if ((np = realloc(s->p, ncap)) == NULL) {
            s->err = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", ncap);
            return;
        }
        s->p = np;
        s->cap = ncap;
    }
    memcpy(s->p + s->len, p, n);
    s->len += n;
    s->p[s->len] = '\0';
}

void es__str_addz(es__str *s, const char *z)
{
    es__str_add(s, z, strlen(z));
}

void es__str_addf(es__str *s, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    es__str_add(s, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

int es__utf8_valid(const char *z, size_t n)
{
    const unsigned char *p = (const unsigned char *)z;
    size_t len;

    for (size_t i = 0; i < n; i += len)
        if ((len = utf8_len(p + i, n - i)) == 0)
            return 0;
    return 1;
}

void es__str_json(es__str *s, const char *z, size_t n)
{
    const unsigned char *p = (const unsigned char *)z;
    size_t i = 0, len;

    es__str_add(s, "\"", 1);
    while (i < n) {
        unsigned char c = p[i];

        len = utf8_len(p + i, n - i);
        if (c == '"' || c == '\\') {
            es__str_add(s, "\\", 1);
            es__str_add(s, (const char *)&c, 1);
        } else if (c == '\n') {
            es__str_addz(s, "\\n");
        } else if (c == '\r') {
            es__str_addz(s, "\\r");
        } else if (c == '\t') {
            es__str_addz(s, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            es__str_addf(s, "\\u%04x", c);
        } else if (len == 0) {
            es__str_addz(s, "\\ufffd");
            len = 1;
        } else if (len == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] & 0xfe) == 0xa8) {
            /* U+2028 and U+2029 are valid JSON but end a line in JavaScript. */
            es__str_addf(s, "\\u%04x", 0x2028 + (p[i + 2] & 1));
        } else {
            es__str_add(s, (const char *)p + i, len);
        }
        i += len > 0 ? len : 1;
    }
    es__str_add(s, "\"", 1);
}

void es__str_text(es__str *s, const char *z, size_t n)
{
    const unsigned char *p = (const unsigned char *)z;
    size_t i = 0, len;

    while (i < n) {
        len = utf8_len(p + i, n - i);
        /* C0 and C1 controls could move the cursor or change a terminal's state. */
        if (len == 0 || p[i] < 0x20 || p[i] == 0x7f ||
            (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0))
            es__str_add(s, "?", 1);
        else
            es__str_add(s, (const char *)p + i, len);
        i += len > 0 ? len : 1;
    }
}

es_err es__str_finish(es__str *s, char **out)
{
    *out = NULL;
    if (s->err == ES_OK && s->p == NULL)
        es__str_add(s, "", 0);
    if (s->err != ES_OK) {
        free(s->p);
        s->p = NULL;
        return s->err;
    }
    *out = s->p;
    s->p = NULL;
    return ES_OK;
}

static const char *result_name(es_check_result r)
{
    return r == ES_CHECK_PASSED ? "passed" : r == ES_CHECK_FAILED ? "failed" : "skipped";
}

static void json_check(es__str *s, const es_check *c, int pretty)
{
    es__str_addz(s, pretty ? "    {\"name\": " : "{\"name\":");
    es__str_json(s, c->name, strlen(c->name));
    es__str_addz(s, pretty ? ", \"result\": \"" : ",\"result\":\"");
    es__str_addz(s, result_name(c->result));
    es__str_addz(s, pretty ? "\", \"detail\": " : "\",\"detail\":");
    es__str_json(s, c->detail, strlen(c->detail));
    if (c->indeterminate)
        es__str_addz(s, pretty ? ", \"indeterminate\": true" : ",\"indeterminate\":true");
    es__str_addz(s, "}");
}

static void json_info(es__str *s, const es_report *r, int pretty)
{
    const char *k, *v;

    es__str_addz(s, pretty ? ",\n  \"info\": {" : ",\"info\":{");
    for (size_t i = 0; i < es_report_ninfo(r); i++) {
        es_report_info(r, i, &k, &v);
        es__str_addz(s, i > 0 ? "," : "");
        es__str_addz(s, pretty ? "\n    " : "");
        es__str_json(s, k, strlen(k));
        es__str_addz(s, pretty ? ": " : ":");
        es__str_json(s, v, strlen(v));
    }
    es__str_addz(s, pretty && es_report_ninfo(r) > 0 ? "\n  }" : "}");
}

es_err es_report_to_json(const es_report *r, unsigned flags, char **out)
{
    es__str s = {0};
    int pretty = (flags & ES_REPORT_JSON_PRETTY) != 0;
    size_t n = es_report_ncheck(r);

    es__str_addz(&s, pretty ? "{\n  \"status\": \"" : "{\"status\":\"");
    es__str_addz(&s, es_verdict_name(es_report_status(r)));
    es__str_addz(&s, pretty ? "\",\n  \"checks\": [" : "\",\"checks\":[");
    for (size_t i = 0; i < n; i++) {
        es__str_addz(&s, i > 0 ? "," : "");
        es__str_addz(&s, pretty ? "\n" : "");
        json_check(&s, es_report_check(r, i), pretty);
    }
    es__str_addz(&s, pretty && n > 0 ? "\n  ]" : "]");
    json_info(&s, r, pretty);
    es__str_addz(&s, pretty ? "\n}\n" : "}");
    return es__str_finish(&s, out);
}

es_err es_report_to_text(const es_report *r, char **out)
{
    es__str s = {0};
    const char *k, *v;

    es__str_addf(&s, "status: %s\n", es_verdict_name(es_report_status(r)));
    for (size_t i = 0; i < es_report_ninfo(r); i++) {
        es_report_info(r, i, &k, &v);
        es__str_text(&s, k, strlen(k));
        es__str_addz(&s, ": ");
        es__str_text(&s, v, strlen(v));
        es__str_addz(&s, "\n");
    }
    for (size_t i = 0; i < es_report_ncheck(r); i++) {
        const es_check *c = es_report_check(r, i);

        es__str_addf(&s, "  %-8s ", c->indeterminate ? "undecided" : result_name(c->result));
        es__str_text(&s, c->name, strlen(c->name));
        es__str_addz(&s, c->detail[0] ? ": " : "");
        es__str_text(&s, c->detail, strlen(c->detail));
        es__str_addz(&s, "\n");
    }
    return es__str_finish(&s, out);
}
