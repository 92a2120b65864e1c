/* Flat JSON objects as jansson's compact text, written in place: the signing events. */
#include "event_text.h"

#include <assert.h>
#include <string.h>

/* Append n bytes, keeping one for the NUL; past the end the object is spoilt. */
static void put(jtext *t, const char *s, size_t n)
{
    if (t->bad || n >= t->cap - t->len) {
        t->bad = 1;
        return;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

/* The length of the UTF-8 sequence at p (n bytes left), 0 where jansson's utf8_check_string
 * fails: a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t k;
    uint32_t v;

    if (p[0] < 0x80)
        return 1;
    if (p[0] < 0xc2 || p[0] > 0xf4)
        return 0;
    k = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    if (k > n)
        return 0;
    v = p[0] & (0x7fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3fu);
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (k == 3 && v < 0x800) ||
        (k == 4 && v < 0x10000))
        return 0;
    return k;
}

static void put_escape(jtext *t, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

    switch (c) {
    case '"':
    case '\\':
        e[1] = (char)c;
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    default:
        put(t, e, 6);
        return;
    }
    put(t, e, 2);
}

/* A JSON string: runs that need no escape are copied whole. */
static void put_string(jtext *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, from = 0, k;

    if (s == NULL) {
        t->bad = 1;
        return;
    }
    n = strlen(s);
    put(t, "\"", 1);
    for (size_t i = 0; i < n && !t->bad; i += k) {
        if ((k = utf8_seq(p + i, n - i)) == 0) {
            t->bad = 1;
            return;
        }
        if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
            continue;
        put(t, s + from, i - from);
        put_escape(t, p[i]);
        from = i + 1;
    }
    put(t, s + from, n - from);
    put(t, "\"", 1);
}

static void put_key(jtext *t, const char *key)
{
    if (t->len > 1)
        put(t, ",", 1);
    put_string(t, key);
    put(t, ":", 1);
}

void jtext_begin(jtext *t, char *buf, size_t cap)
{
    assert(cap >= 3);
    *t = (jtext){buf, 0, cap, 0};
    put(t, "{", 1);
}

void jtext_int(jtext *t, const char *key, int64_t v)
{
    char digits[24], *d = digits + sizeof(digits);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do
        *--d = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--d = '-';
    put_key(t, key);
    put(t, d, (size_t)(digits + sizeof(digits) - d));
}

void jtext_str(jtext *t, const char *key, const char *v)
{
    put_key(t, key);
    put_string(t, v);
}

int jtext_end(jtext *t)
{
    put(t, "}", 1);
    if (t->bad) {
        memcpy(t->p, "{}", 3);
        return 0;
    }
    t->p[t->len] = '\0';
    return 1;
}

int event_signing_started(char *buf, size_t cap, int64_t document_id, const char *ip)
{
    jtext t;

    jtext_begin(&t, buf, cap);
    jtext_int(&t, "document_id", document_id);
    jtext_str(&t, "ip", ip);
    return jtext_end(&t);
}

int event_document_signed(char *buf, size_t cap, int64_t document_id, int64_t seal_id,
                          const char *seal_code, const char *serial, const char *sm3_before,
                          const char *sm3, const char *ip)
{
    jtext t;

    jtext_begin(&t, buf, cap);
    jtext_int(&t, "document_id", document_id);
    jtext_int(&t, "seal_id", seal_id);
    jtext_str(&t, "seal_code", seal_code);
    jtext_str(&t, "serial", serial);
    jtext_str(&t, "sm3_before", sm3_before);
    jtext_str(&t, "sm3", sm3);
    jtext_str(&t, "ip", ip);
    return jtext_end(&t);
}

int event_document_completed(char *buf, size_t cap, int64_t document_id, const char *sm3)
{
    jtext t;

    jtext_begin(&t, buf, cap);
    jtext_int(&t, "document_id", document_id);
    jtext_str(&t, "sm3", sm3);
    return jtext_end(&t);
}

int event_data_signed(char *buf, size_t cap, int64_t seal_id, const char *seal_code,
                      const char *sm3, const char *ip)
{
    jtext t;

    jtext_begin(&t, buf, cap);
    jtext_int(&t, "seal_id", seal_id);
    jtext_str(&t, "seal_code", seal_code);
    jtext_str(&t, "sm3", sm3);
    jtext_str(&t, "ip", ip);
    return jtext_end(&t);
}
