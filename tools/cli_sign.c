/* Loading the options the document signing commands share: the signer, lengths, page ranges. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_load_signer(const cli_args *a, cli_signer *s)
{
    const char *pass = cli_password(a, "pass-env", NULL);
    es_err rc;

    if (cli_has(a, "seal") && (rc = es_seal_read_file(cli_get(a, "seal"), &s->seal)) != ES_OK)
        return cli_fail(a->spec, rc, "cannot read --seal");
    if ((rc = es_cert_read_file(cli_get(a, "cert"), &s->cert)) != ES_OK)
        return cli_fail(a->spec, rc, "cannot read --cert");
    if ((rc = es_key_read_file(cli_get(a, "key"), pass, &s->key)) != ES_OK)
        return cli_fail(a->spec, rc, "cannot read --key");
    if (cli_has(a, "time") && (rc = es_time_parse(cli_get(a, "time"), &s->time)) != ES_OK)
        return cli_fail(a->spec, rc, "bad --time");
    return CLI_OK;
}

void cli_free_signer(cli_signer *s)
{
    es_seal_free(s->seal);
    es_key_free(s->key);
    X509_free(s->cert);
    s->seal = NULL;
    s->key = NULL;
    s->cert = NULL;
}

int cli_get_mm(const cli_args *a, const char *name, double *out)
{
    const char *v = cli_get(a, name);
    char *end;

    if (v == NULL)
        return cli_usage_error(a->spec, "--%s MM is required", name);
    *out = strtod(v, &end);
    if (end == v || *end != '\0' || *out < 0 || *out > 10000)
        return cli_usage_error(a->spec, "--%s must be a length in mm, not \"%s\"", name, v);
    return CLI_OK;
}

int cli_get_pages(const cli_args *a, long *first, long *last)
{
    const char *pages = cli_get(a, "pages");
    char tail;

    if (pages != NULL && sscanf(pages, "%ld-%ld%c", first, last, &tail) != 2)
        return cli_usage_error(a->spec, "--pages must be A-B, not \"%s\"", pages);
    return CLI_OK;
}
