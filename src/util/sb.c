/* The growing string builder (sb.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sb.h"

/* Room for n more bytes and the NUL: 0 when it is there, else the error is set. */
static int grow(es__sb *b, size_t n, int exact)
{
    size_t max = b->max ? b->max : ES__SB_DEFAULT_MAX, cap;
    char *np;

    if (b->err != ES_OK)
        return -1;
    if (n > max - b->len) {
        b->err = es__fail(ES_ERR_LIMIT, "output larger than %zu bytes", max);
        return -1;
    }
    if (b->len + n + 1 <= b->cap)
        return 0;
    cap = exact ? b->len + n + 1 : b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap = cap > max / 2 ? max + 1 : cap * 2;
    if ((np = realloc(b->p, cap)) == NULL) {
        b->err = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", cap);
        return -1;
    }
    b->p = np;
    b->cap = cap;
    return 0;
}

void es__sb_reserve(es__sb *b, size_t n)
{
    (void)grow(b, n, 1);
}

void es__sb_add(es__sb *b, const void *p, size_t n)
{
    if (n == 0 || grow(b, n, 0) != 0)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void es__sb_str(es__sb *b, const char *s)
{
    es__sb_add(b, s, strlen(s));
}

void es__sb_printf(es__sb *b, const char *fmt, ...)
{
    char small[512], *big;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = b->err ? b->err : es__fail(ES_ERR_INTERNAL, "bad format \"%s\"", fmt);
        return;
    }
    if ((size_t)n < sizeof(small)) {
        es__sb_add(b, small, (size_t)n);
        return;
    }
    /* Rare (long names, large numbers lists): format again into a buffer of the right size. */
    if ((big = malloc((size_t)n + 1)) == NULL) {
        b->err = b->err ? b->err : es__fail(ES_ERR_NOMEM, "out of memory");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    es__sb_add(b, big, (size_t)n);
    free(big);
}

char *es__sb_cstr(es__sb *b)
{
    char *s = NULL;

    if (es__sb_finish(b, &s) != ES_OK)
        return NULL;
    return s;
}

es_err es__sb_finish(es__sb *b, char **out)
{
    es_err rc = b->err;

    if (rc == ES_OK && b->p == NULL && (b->p = calloc(1, 1)) == NULL)
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    if (rc != ES_OK) {
        es__sb_free(b);
        *out = NULL;
        return rc;
    }
    *out = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return ES_OK;
}

void es__sb_free(es__sb *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
