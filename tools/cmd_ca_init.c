/* eseal ca init: create a root CA and an issuing CA in a directory. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"dir", "CA", CLI_REQUIRED, "CA directory (created; must be empty if it exists)"},
    {"subject", "DN", CLI_REQUIRED, "root subject, e.g. \"CN=Example Root CA,O=Example,C=CN\""},
    {"issuing-subject", "DN", 0, "issuing CA subject (default: the root's with \" Issuing CA\")"},
    {"root-only", NULL, 0, "no issuing CA: the root issues end-entity certificates"},
    {"years", "N", 0, "validity of the CA certificates in years (default 20)"},
    {"crl-url", "URL", 0, "CRL distribution point written into issued certificates"},
    {"pass-env", "VAR", 0, "variable holding the CA key password (default ESEAL_CA_PASS)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ca init",
    NULL,
    0,
    0,
    "Create a CA: SM2 root and issuing CA with SM2-with-SM3 certificates.",
    "The CA keys are stored encrypted under the password; root.pem and issuing.pem are left in\n"
    "the directory for relying parties.",
    opts};

int cmd_ca_init(int argc, char **argv)
{
    cli_args a;
    es_ca_init_opts o = {0};
    es_ca *ca = NULL;
    const char *pass;
    long years = 20;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "years", 1, 100, &years)) != CLI_OK)
        return st;
    if ((pass = cli_password(&a, "pass-env", "ESEAL_CA_PASS")) == NULL)
        return cli_usage_error(&spec,
                               "no CA password: set $%s (or name a variable with --pass-env)",
                               cli_has(&a, "pass-env") ? cli_get(&a, "pass-env") : "ESEAL_CA_PASS");
    o.subject = cli_get(&a, "subject");
    o.issuing_subject = cli_get(&a, "issuing-subject");
    o.root_only = cli_has(&a, "root-only");
    o.years = (int)years;
    o.crl_url = cli_get(&a, "crl-url");
    if ((rc = es_ca_init(cli_get(&a, "dir"), &o, pass, &ca)) != ES_OK)
        return cli_fail(&spec, rc, "cannot create the CA");
    printf("created CA in %s: %s/root.pem%s%s%s\n", cli_get(&a, "dir"), cli_get(&a, "dir"),
           o.root_only ? "" : ", ", o.root_only ? "" : cli_get(&a, "dir"),
           o.root_only ? "" : "/issuing.pem");
    es_ca_free(ca);
    return CLI_OK;
}
