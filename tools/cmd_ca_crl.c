/* eseal ca crl: write a fresh CRL of the CA. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"dir", "CA", CLI_REQUIRED, "CA directory"},
    {"out", "CRL.pem", CLI_REQUIRED, "where to write the CRL"},
    {"days", "N", 0, "days until nextUpdate (default 7)"},
    {"der", NULL, 0, "write DER instead of PEM"},
    {"pass-env", "VAR", 0, "variable holding the CA key password (default ESEAL_CA_PASS)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ca crl", NULL, 0, 0, "Write a CRL, signed by the issuing CA, of every revoked certificate.",
    NULL,     opts};

int cmd_ca_crl(int argc, char **argv)
{
    cli_args a;
    es_ca *ca = NULL;
    X509_CRL *crl = NULL;
    es_buf out = {0};
    const char *pass;
    long days = 7;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "days", 1, 3650, &days)) != CLI_OK)
        return st;
    if ((pass = cli_password(&a, "pass-env", "ESEAL_CA_PASS")) == NULL)
        return cli_usage_error(&spec, "no CA password: set $ESEAL_CA_PASS or use --pass-env VAR");
    if ((rc = es_ca_open(cli_get(&a, "dir"), pass, &ca)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot open the CA");
        goto end;
    }
    if ((rc = es_ca_crl(ca, (int)days, &crl)) != ES_OK ||
        (rc = es_crl_write(crl, !cli_has(&a, "der"), &out)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot make the CRL");
        goto end;
    }
    if ((st = cli_write_file(&spec, cli_get(&a, "out"), &out, 0644)) == CLI_OK)
        printf("CRL: %s\n", cli_get(&a, "out"));
end:
    es_buf_free(&out);
    X509_CRL_free(crl);
    es_ca_free(ca);
    return st;
}
