/*
 * The one growing string of libeseal: XML, PDF syntax, JSON and text are all written into it.
 * Appends never fail on the spot: the first error (limit or memory) sticks in err and makes
 * later appends no-ops, so a writer checks once at the end.
 */
#ifndef ESEAL_UTIL_SB_H
#define ESEAL_UTIL_SB_H

#include <stddef.h>

#include "eseal_local.h"

typedef struct es__sb {
    char *p; /* NUL-terminated once anything was added */
    size_t len, cap;
    size_t max; /* hard limit on len; 0 means ES__SB_DEFAULT_MAX */
    es_err err; /* first failure */
} es__sb;

/* Enough for any XML, report or JSON eseal writes; writers of whole files set max. */
#define ES__SB_DEFAULT_MAX ((size_t)64 << 20)

void es__sb_add(es__sb *b, const void *p, size_t n);
/* Make room for n more bytes at once (a large output of known size: one allocation, no copies). */
void es__sb_reserve(es__sb *b, size_t n);
void es__sb_str(es__sb *b, const char *s);
/* Append a string literal (its length computed by the compiler). */
#define ES__SB_LIT(b, lit) es__sb_add((b), (lit), sizeof(lit) - 1)
/* Formatted text of any length. */
void es__sb_printf(es__sb *b, const char *fmt, ...) ES__PRINTF(2, 3);
/* Give up the bytes as a C string (NULL on error, the builder freed; the caller frees). */
char *es__sb_cstr(es__sb *b);
/* Hand the string over in *out (ES_OK; "" when nothing was added) or free it and return err. */
es_err es__sb_finish(es__sb *b, char **out);
void es__sb_free(es__sb *b);

#endif
