/* Writing reports as JSON (escaped by hand, always valid UTF-8) and as terminal-safe text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/report.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

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

void es__sb_json(es__sb *s, const char *z, size_t n)
{
    const unsigned char *p = (const unsigned char *)z;
    size_t i = 0, len;

    es__sb_add(s, "\"", 1);
    while (i < n) {
        unsigned char c = p[i];

        len = utf8_len(p + i, n - i);
        if (c == '"' || c == '\\') {
            es__sb_add(s, "\\", 1);
            es__sb_add(s, (const char *)&c, 1);
        } else if (c == '\n') {
            es__sb_str(s, "\\n");
        } else if (c == '\r') {
            es__sb_str(s, "\\r");
        } else if (c == '\t') {
            es__sb_str(s, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            es__sb_printf(s, "\\u%04x", c);
        } else if (len == 0) {
            es__sb_str(s, "\\ufffd");
            len = 1;
        } else if (len == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] & 0xfe) == 0xa8) {
            /* U+2028 and U+2029 are valid JSON but end a line in JavaScript. */
            es__sb_printf(s, "\\u%04x", 0x2028 + (p[i + 2] & 1));
        } else {
            es__sb_add(s, (const char *)p + i, len);
        }
        i += len > 0 ? len : 1;
    }
    es__sb_add(s, "\"", 1);
}

void es__sb_term(es__sb *s, const char *z, size_t n)
{
    const unsigned char *p = (const unsigned char *)z;
    size_t i = 0, len;

    while (i < n) {
        len = utf8_len(p + i, n - i);
        /* C0 and C1 controls could move the cursor or change a terminal's state. */
        if (len == 0 || p[i] < 0x20 || p[i] == 0x7f ||
            (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0))
            es__sb_add(s, "?", 1);
        else
            es__sb_add(s, (const char *)p + i, len);
        i += len > 0 ? len : 1;
    }
}

static const char *result_name(es_check_result r)
{
    return r == ES_CHECK_PASSED ? "passed" : r == ES_CHECK_FAILED ? "failed" : "skipped";
}

static void json_check(es__sb *s, const es_check *c, int pretty)
{
    es__sb_str(s, pretty ? "    {\"name\": " : "{\"name\":");
    es__sb_json(s, c->name, strlen(c->name));
    es__sb_str(s, pretty ? ", \"result\": \"" : ",\"result\":\"");
    es__sb_str(s, result_name(c->result));
    es__sb_str(s, pretty ? "\", \"detail\": " : "\",\"detail\":");
    es__sb_json(s, c->detail, strlen(c->detail));
    if (c->indeterminate)
        es__sb_str(s, pretty ? ", \"indeterminate\": true" : ",\"indeterminate\":true");
    es__sb_str(s, "}");
}

static void json_info(es__sb *s, const es_report *r, int pretty)
{
    const char *k, *v;

    es__sb_str(s, pretty ? ",\n  \"info\": {" : ",\"info\":{");
    for (size_t i = 0; i < es_report_ninfo(r); i++) {
        es_report_info(r, i, &k, &v);
        es__sb_str(s, i > 0 ? "," : "");
        es__sb_str(s, pretty ? "\n    " : "");
        es__sb_json(s, k, strlen(k));
        es__sb_str(s, pretty ? ": " : ":");
        es__sb_json(s, v, strlen(v));
    }
    es__sb_str(s, pretty && es_report_ninfo(r) > 0 ? "\n  }" : "}");
}

es_err es_report_to_json(const es_report *r, unsigned flags, char **out)
{
    es__sb s = {0};
    int pretty = (flags & ES_REPORT_JSON_PRETTY) != 0;
    size_t n = es_report_ncheck(r);

    es__sb_str(&s, pretty ? "{\n  \"status\": \"" : "{\"status\":\"");
    es__sb_str(&s, es_verdict_name(es_report_status(r)));
    es__sb_str(&s, pretty ? "\",\n  \"checks\": [" : "\",\"checks\":[");
    for (size_t i = 0; i < n; i++) {
        es__sb_str(&s, i > 0 ? "," : "");
        es__sb_str(&s, pretty ? "\n" : "");
        json_check(&s, es_report_check(r, i), pretty);
    }
    es__sb_str(&s, pretty && n > 0 ? "\n  ]" : "]");
    json_info(&s, r, pretty);
    es__sb_str(&s, pretty ? "\n}\n" : "}");
    return es__sb_finish(&s, out);
}

es_err es_report_to_text(const es_report *r, char **out)
{
    es__sb s = {0};
    const char *k, *v;

    es__sb_printf(&s, "status: %s\n", es_verdict_name(es_report_status(r)));
    for (size_t i = 0; i < es_report_ninfo(r); i++) {
        es_report_info(r, i, &k, &v);
        es__sb_term(&s, k, strlen(k));
        es__sb_str(&s, ": ");
        es__sb_term(&s, v, strlen(v));
        es__sb_str(&s, "\n");
    }
    for (size_t i = 0; i < es_report_ncheck(r); i++) {
        const es_check *c = es_report_check(r, i);

        es__sb_printf(&s, "  %-8s ", c->indeterminate ? "undecided" : result_name(c->result));
        es__sb_term(&s, c->name, strlen(c->name));
        es__sb_str(&s, c->detail[0] ? ": " : "");
        es__sb_term(&s, c->detail, strlen(c->detail));
        es__sb_str(&s, "\n");
    }
    return es__sb_finish(&s, out);
}
