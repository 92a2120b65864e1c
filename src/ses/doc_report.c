/* The document report: status over all reports, JSON built around es_report_to_json, and text. */
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ses/doc_report_local.h"
#include "util/sb.h"

es_doc_report *es__doc_report_new(void)
{
    es_doc_report *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        es__fail(ES_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (es_report_new(&r->doc) != ES_OK) {
        free(r);
        return NULL;
    }
    return r;
}

void es_doc_report_free(es_doc_report *r)
{
    if (r == NULL)
        return;
    es_report_free(r->doc);
    for (size_t i = 0; i < r->nsigs; i++)
        es_report_free(r->sigs[i]);
    free(r->sigs);
    free(r);
}

static es_verdict worse(es_verdict a, es_verdict b)
{
    if (a == ES_INVALID || b == ES_INVALID)
        return ES_INVALID;
    return (a == ES_INDETERMINATE || b == ES_INDETERMINATE) ? ES_INDETERMINATE : ES_VALID;
}

es_verdict es_doc_report_status(const es_doc_report *r)
{
    es_verdict v = es_report_status(r->doc);

    for (size_t i = 0; i < r->nsigs; i++)
        v = worse(v, es_report_status(r->sigs[i]));
    return v;
}

const es_report *es_doc_report_document(const es_doc_report *r)
{
    return r->doc;
}

size_t es_doc_report_nsignatures(const es_doc_report *r)
{
    return r->nsigs;
}

const es_report *es_doc_report_signature(const es_doc_report *r, size_t i)
{
    return i < r->nsigs ? r->sigs[i] : NULL;
}

/* Append text with every line after the first indented (JSON strings hold no raw newline). */
static void add_indented(es__sb *t, const char *text, const char *indent)
{
    size_t n = strlen(text);

    while (n > 0 && text[n - 1] == '\n')
        n--;
    for (size_t i = 0; i < n; i++) {
        es__sb_add(t, &text[i], 1);
        if (text[i] == '\n')
            es__sb_str(t, indent);
    }
}

/* One member: a report rendered by es_report_to_json (or its text form). */
static es_err add_report(es__sb *t, const es_report *r, unsigned flags, int text,
                         const char *indent)
{
    char *s = NULL;
    es_err rc = text ? es_report_to_text(r, &s) : es_report_to_json(r, flags, &s);

    if (rc == ES_OK)
        add_indented(t, s, indent);
    es_free(s);
    return rc;
}

es_err es_doc_report_to_json(const es_doc_report *r, unsigned flags, char **out)
{
    es__sb t = {0};
    int pretty = (flags & ES_REPORT_JSON_PRETTY) != 0;
    const char *nl = pretty ? "\n" : "", *in1 = pretty ? "  " : "", *in2 = pretty ? "    " : "";
    es_err rc;

    *out = NULL;
    es__sb_printf(&t, "{%s%s\"status\": \"%s\",%s%s\"document\": ", nl, in1,
                  es_verdict_name(es_doc_report_status(r)), nl, in1);
    rc = add_report(&t, r->doc, flags, 0, in1);
    es__sb_printf(&t, ",%s%s\"signatures\": [", nl, in1);
    for (size_t i = 0; i < r->nsigs && rc == ES_OK; i++) {
        es__sb_printf(&t, "%s%s%s", i ? "," : "", nl, in2);
        rc = add_report(&t, r->sigs[i], flags, 0, in2);
    }
    es__sb_printf(&t, "%s%s]%s}%s", r->nsigs ? nl : "", r->nsigs ? in1 : "", nl, nl);
    if (rc != ES_OK) {
        es__sb_free(&t);
        return rc;
    }
    return es__sb_finish(&t, out);
}

es_err es_doc_report_to_text(const es_doc_report *r, char **out)
{
    es__sb t = {0};
    es_err rc;

    *out = NULL;
    es__sb_printf(&t, "document: %s\n  ", es_verdict_name(es_doc_report_status(r)));
    rc = add_report(&t, r->doc, 0, 1, "  ");
    for (size_t i = 0; i < r->nsigs && rc == ES_OK; i++) {
        es__sb_printf(&t, "\nsignature %zu:\n  ", i + 1);
        rc = add_report(&t, r->sigs[i], 0, 1, "  ");
    }
    ES__SB_LIT(&t, "\n");
    if (rc != ES_OK) {
        es__sb_free(&t);
        return rc;
    }
    return es__sb_finish(&t, out);
}
