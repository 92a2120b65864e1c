/* What verifying commands share: --trust, --untrusted, --crl, --at, and printing reports. */
#include <stdio.h>

#include "cli.h"

/* Append every certificate of each --name file to *sk. */
static int load_certs(const cli_args *a, const char *name, STACK_OF(X509) * *sk)
{
    const char *path;

    for (size_t i = 0; (path = cli_get_n(a, name, i)) != NULL; i++) {
        STACK_OF(X509) *more = NULL;
        es_err rc = es_certs_read_file(path, &more);

        if (rc != ES_OK)
            return cli_fail(a->spec, rc, path);
        if (*sk == NULL && (*sk = sk_X509_new_null()) == NULL) {
            sk_X509_pop_free(more, X509_free);
            return cli_usage_error(a->spec, "out of memory");
        }
        while (sk_X509_num(more) > 0)
            sk_X509_push(*sk, sk_X509_shift(more));
        sk_X509_free(more);
    }
    return CLI_OK;
}

static int load_crls(const cli_args *a, STACK_OF(X509_CRL) * *sk)
{
    const char *path;

    for (size_t i = 0; (path = cli_get_n(a, "crl", i)) != NULL; i++) {
        STACK_OF(X509_CRL) *more = NULL;
        es_err rc = es_crls_read_file(path, &more);

        if (rc != ES_OK)
            return cli_fail(a->spec, rc, path);
        if (*sk == NULL && (*sk = sk_X509_CRL_new_null()) == NULL) {
            sk_X509_CRL_pop_free(more, X509_CRL_free);
            return cli_usage_error(a->spec, "out of memory");
        }
        while (sk_X509_CRL_num(more) > 0)
            sk_X509_CRL_push(*sk, sk_X509_CRL_shift(more));
        sk_X509_CRL_free(more);
    }
    return CLI_OK;
}

int cli_load_verify_opts(const cli_args *a, es_verify_opts *o)
{
    es_err rc;
    int st;

    if ((st = load_certs(a, "trust", &o->trust)) != CLI_OK ||
        (st = load_certs(a, "untrusted", &o->untrusted)) != CLI_OK ||
        (st = load_crls(a, &o->crls)) != CLI_OK)
        return st;
    if (cli_has(a, "at")) {
        if ((rc = es_time_parse(cli_get(a, "at"), &o->at)) != ES_OK)
            return cli_fail(a->spec, rc, "bad --at");
        o->has_at = 1;
    }
    return CLI_OK;
}

void cli_free_verify_opts(es_verify_opts *o)
{
    sk_X509_pop_free(o->trust, X509_free);
    sk_X509_pop_free(o->untrusted, X509_free);
    sk_X509_CRL_pop_free(o->crls, X509_CRL_free);
    o->trust = o->untrusted = NULL;
    o->crls = NULL;
}

int cli_print_doc_report(const cli_args *a, const es_doc_report *r)
{
    char *text = NULL;
    es_err rc = cli_has(a, "json") ? es_doc_report_to_json(r, ES_REPORT_JSON_PRETTY, &text)
                                   : es_doc_report_to_text(r, &text);

    if (rc != ES_OK)
        return cli_fail(a->spec, rc, "cannot print the report");
    fputs(text, stdout);
    es_free(text);
    return es_doc_report_status(r) == ES_VALID ? CLI_OK : CLI_INVALID;
}
