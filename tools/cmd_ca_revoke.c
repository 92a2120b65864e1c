/* eseal ca revoke: revoke a certificate the CA issued. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"dir", "CA", CLI_REQUIRED, "CA directory"},
    {"cert", "CERT.pem", CLI_REQUIRED, "the certificate to revoke"},
    {"reason", "R", 0,
     "unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation, "
     "certificateHold, privilegeWithdrawn (default unspecified)"},
    {"at", "TIME", 0, "revocation time (default now)"},
    {"pass-env", "VAR", 0, "variable holding the CA key password (default ESEAL_CA_PASS)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ca revoke", NULL, 0, 0, "Revoke a certificate; the next `eseal ca crl` lists it.", NULL, opts};

int cmd_ca_revoke(int argc, char **argv)
{
    cli_args a;
    es_ca *ca = NULL;
    X509 *cert = NULL;
    const char *pass;
    int reason = 0;
    es_time when = 0;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if (cli_has(&a, "reason") &&
        (rc = es_crl_reason_from_name(cli_get(&a, "reason"), &reason)) != ES_OK)
        return cli_fail(&spec, rc, "bad --reason");
    if (cli_has(&a, "at") && (rc = es_time_parse(cli_get(&a, "at"), &when)) != ES_OK)
        return cli_fail(&spec, rc, "bad --at");
    if ((pass = cli_password(&a, "pass-env", "ESEAL_CA_PASS")) == NULL)
        return cli_usage_error(&spec, "no CA password: set $ESEAL_CA_PASS or use --pass-env VAR");
    if ((rc = es_cert_read_file(cli_get(&a, "cert"), &cert)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the certificate");
        goto end;
    }
    if ((rc = es_ca_open(cli_get(&a, "dir"), pass, &ca)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot open the CA");
        goto end;
    }
    if ((rc = es_ca_revoke(ca, cert, reason, when)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot revoke");
        goto end;
    }
    printf("revoked: %s\n", cli_get(&a, "cert"));
end:
    X509_free(cert);
    es_ca_free(ca);
    return st;
}
