/* Verification reports: named checks in order, descriptive info, and the overall status. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/report.h"
#include "eseal_local.h"

typedef struct info_entry {
    char *key;
    char *value;
} info_entry;

struct es_report {
    es_check *checks;
    size_t ncheck;
    info_entry info[ES_REPORT_MAX_CHECKS];
    size_t ninfo;
};

es_err es_report_new(es_report **out)
{
    assert(out != NULL);
    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate a report");
    if (((*out)->checks = calloc(ES_REPORT_MAX_CHECKS, sizeof(es_check))) == NULL) {
        free(*out);
        *out = NULL;
        return es__fail(ES_ERR_NOMEM, "cannot allocate a report");
    }
    return ES_OK;
}

void es_report_free(es_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->ncheck; i++) {
        free((char *)r->checks[i].name);
        free((char *)r->checks[i].detail);
    }
    for (size_t i = 0; i < r->ninfo; i++) {
        free(r->info[i].key);
        free(r->info[i].value);
    }
    free(r->checks);
    free(r);
}

/* Cut s (of length n) so that it does not end inside a UTF-8 sequence. */
static void cut_utf8(char *s, size_t n)
{
    size_t i = n, need;
    unsigned char lead;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
        i--;
    if (i == 0)
        return;
    lead = (unsigned char)s[i - 1];
    need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

/* A heap copy of at most ES_REPORT_MAX_DETAIL - 1 bytes of the formatted text. */
ES__PRINTF(1, 0) static char *format_detail(const char *fmt, va_list ap)
{
    char *d = malloc(ES_REPORT_MAX_DETAIL);
    int n;

    if (d == NULL)
        return NULL;
    n = vsnprintf(d, ES_REPORT_MAX_DETAIL, fmt, ap);
    if (n < 0)
        d[0] = '\0';
    else if ((size_t)n >= ES_REPORT_MAX_DETAIL)
        cut_utf8(d, ES_REPORT_MAX_DETAIL - 1);
    return d;
}

ES__PRINTF(5, 0)
static es_err add(es_report *r, const char *name, es_check_result result, int indeterminate,
                  const char *fmt, va_list ap)
{
    es_check *c;

    assert(r != NULL && name != NULL && fmt != NULL);
    if (r->ncheck == ES_REPORT_MAX_CHECKS)
        return es__fail(ES_ERR_LIMIT, "a report holds at most %d checks", ES_REPORT_MAX_CHECKS);
    c = &r->checks[r->ncheck];
    c->name = strdup(name);
    c->detail = format_detail(fmt, ap);
    if (c->name == NULL || c->detail == NULL) {
        free((char *)c->name);
        free((char *)c->detail);
        memset(c, 0, sizeof(*c));
        return es__fail(ES_ERR_NOMEM, "cannot add a check to the report");
    }
    c->result = result;
    c->indeterminate = indeterminate;
    r->ncheck++;
    return ES_OK;
}

es_err es_report_add(es_report *r, const char *name, es_check_result result, const char *fmt, ...)
{
    va_list ap;
    es_err rc;

    va_start(ap, fmt);
    rc = add(r, name, result, 0, fmt, ap);
    va_end(ap);
    return rc;
}

es_err es_report_add_indeterminate(es_report *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    es_err rc;

    va_start(ap, fmt);
    rc = add(r, name, ES_CHECK_SKIPPED, 1, fmt, ap);
    va_end(ap);
    return rc;
}

/* The value copied and cut to the detail limit at a character boundary. */
static char *copy_value(const char *value)
{
    size_t n = strnlen(value, ES_REPORT_MAX_DETAIL);
    char *v = malloc(n + 1);

    if (v == NULL)
        return NULL;
    memcpy(v, value, n);
    v[n] = '\0';
    if (n == ES_REPORT_MAX_DETAIL) {
        v[n - 1] = '\0';
        cut_utf8(v, n - 1);
    }
    return v;
}

es_err es_report_set_info(es_report *r, const char *key, const char *value)
{
    size_t i;
    char *v;

    assert(r != NULL && key != NULL && value != NULL);
    for (i = 0; i < r->ninfo && strcmp(r->info[i].key, key) != 0; i++)
        ;
    if (i == ES_REPORT_MAX_CHECKS)
        return es__fail(ES_ERR_LIMIT, "a report holds at most %d info entries",
                        ES_REPORT_MAX_CHECKS);
    if ((v = copy_value(value)) == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot copy a report value");
    if (i < r->ninfo) {
        free(r->info[i].value);
        r->info[i].value = v;
        return ES_OK;
    }
    if ((r->info[i].key = strdup(key)) == NULL) {
        free(v);
        return es__fail(ES_ERR_NOMEM, "cannot copy a report key");
    }
    r->info[i].value = v;
    r->ninfo++;
    return ES_OK;
}

es_verdict es_report_status(const es_report *r)
{
    int undecided = 0;

    assert(r != NULL);
    for (size_t i = 0; i < r->ncheck; i++) {
        if (r->checks[i].result == ES_CHECK_FAILED)
            return ES_INVALID;
        undecided |= r->checks[i].indeterminate;
    }
    return undecided || r->ncheck == 0 ? ES_INDETERMINATE : ES_VALID;
}

size_t es_report_ncheck(const es_report *r)
{
    assert(r != NULL);
    return r->ncheck;
}

const es_check *es_report_check(const es_report *r, size_t i)
{
    assert(r != NULL);
    return i < r->ncheck ? &r->checks[i] : NULL;
}

const es_check *es_report_find(const es_report *r, const char *name)
{
    assert(r != NULL && name != NULL);
    for (size_t i = 0; i < r->ncheck; i++)
        if (strcmp(r->checks[i].name, name) == 0)
            return &r->checks[i];
    return NULL;
}

size_t es_report_ninfo(const es_report *r)
{
    assert(r != NULL);
    return r->ninfo;
}

es_err es_report_info(const es_report *r, size_t i, const char **key, const char **value)
{
    assert(r != NULL && key != NULL && value != NULL);
    if (i >= r->ninfo)
        return es__fail(ES_ERR_ARG, "report info %zu out of range (%zu entries)", i, r->ninfo);
    *key = r->info[i].key;
    *value = r->info[i].value;
    return ES_OK;
}

const char *es_report_get_info(const es_report *r, const char *key)
{
    assert(r != NULL && key != NULL);
    for (size_t i = 0; i < r->ninfo; i++)
        if (strcmp(r->info[i].key, key) == 0)
            return r->info[i].value;
    return NULL;
}
