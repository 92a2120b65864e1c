/* A bounded growing byte string for writing PDF syntax, reports and text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

void es__pdf_sb_add(es__pdf_sb *b, const void *p, size_t n)
{
    size_t cap;
    uint8_t *np;

    if (b->err != ES_OK || n == 0)
        return;
    if (n > ES__PDF_SB_MAX - b->len) {
        b->err = es__fail(ES_ERR_LIMIT, "output larger than %zu bytes", (size_t)ES__PDF_SB_MAX);
        return;
    }
    if (b->len + n + 1 > b->cap) {
        cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap = cap > ES__PDF_SB_MAX / 2 ? ES__PDF_SB_MAX + 1 : cap * 2;
        if ((np = realloc(b->p, cap)) == NULL) {
            b->err = es__fail(ES_ERR_NOMEM, "out of memory");
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
}

void es__pdf_sb_str(es__pdf_sb *b, const char *s)
{
    es__pdf_sb_add(b, s, strlen(s));
}

void es__pdf_sb_printf(es__pdf_sb *b, const char *fmt, ...)
{
    char small[512];
    char *big = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = b->err ? b->err : es__fail(ES_ERR_INTERNAL, "bad format");
        return;
    }
    if ((size_t)n < sizeof(small)) {
        es__pdf_sb_add(b, small, (size_t)n);
        return;
    }
    if ((big = malloc((size_t)n + 1)) == NULL) {
        b->err = b->err ? b->err : es__fail(ES_ERR_NOMEM, "out of memory");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    es__pdf_sb_add(b, big, (size_t)n);
    free(big);
}

/* Decode one UTF-8 sequence at s; the code point, or -1 when malformed. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long c = p[0];
    int more = c < 0x80             ? 0
               : (c & 0xE0) == 0xC0 ? 1
               : (c & 0xF0) == 0xE0 ? 2
               : (c & 0xF8) == 0xF0 ? 3
                                    : -1;

    if (more < 0)
        return -1;
    c = more == 0 ? c : more == 1 ? (c & 0x1F) : more == 2 ? (c & 0x0F) : (c & 0x07);
    for (int i = 1; i <= more; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (p[i] & 0x3F);
    }
    *s = p + more + 1;
    return c > 0x10FFFF ? -1 : c;
}

void es__pdf_sb_text(es__pdf_sb *b, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    int ascii = 1;

    for (const char *t = utf8; *t; t++)
        ascii = ascii && (unsigned char)*t >= 0x20 && (unsigned char)*t < 0x7F;
    if (ascii) {
        es__pdf_sb_str(b, "(");
        for (const char *t = utf8; *t; t++) {
            if (*t == '(' || *t == ')' || *t == '\\')
                es__pdf_sb_str(b, "\\");
            es__pdf_sb_add(b, t, 1);
        }
        es__pdf_sb_str(b, ")");
        return;
    }
    /* text strings beyond ASCII: UTF-16BE with a byte order mark, written as hex */
    es__pdf_sb_str(b, "<FEFF");
    while (*s) {
        long c = utf8_next(&s);
        if (c < 0) {
            c = 0xFFFD;
            s++;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            es__pdf_sb_printf(b, "%04lX%04lX", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
        } else {
            es__pdf_sb_printf(b, "%04lX", c);
        }
    }
    es__pdf_sb_str(b, ">");
}

char *es__pdf_sb_cstr(es__pdf_sb *b)
{
    char *s;

    if (b->err == ES_OK && b->p == NULL)
        es__pdf_sb_add(b, "", 0), b->p = calloc(1, 1);
    if (b->err != ES_OK || b->p == NULL) {
        es__pdf_sb_free(b);
        return NULL;
    }
    s = (char *)b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

void es__pdf_sb_free(es__pdf_sb *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
