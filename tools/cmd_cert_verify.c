/* eseal cert verify: verify a certificate chain at a given time and name every problem. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {CLI_VERIFY_OPTS, {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "cert verify",
    "CERT.pem",
    1,
    1,
    "Verify a certificate's chain, validity, key usage and revocation.",
    "Exit status: 0 valid, 1 invalid or indeterminate (each problem is printed), 2 could not run.",
    opts};

static void print_report(const char *name, const es_cert_report *r, int have_crls)
{
    es_verdict v = es_cert_report_verdict(r);

    printf("%s: %s\n", name, es_verdict_name(v));
    for (size_t i = 0; i < es_cert_report_nproblems(r); i++) {
        const es_cert_problem *p = es_cert_report_problem(r, i);
        printf("  problem: depth %d (%s): %s\n", p->depth, p->subject, p->message);
    }
    if (!es_cert_report_revocation_checked(r))
        printf("  revocation: not checked%s\n",
               have_crls ? " for every certificate" : " (no --crl given)");
}

int cmd_cert_verify(int argc, char **argv)
{
    cli_args a;
    X509 *leaf = NULL;
    es_verify_opts o = {0};
    es_cert_report *r = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((rc = es_cert_read_file(a.operand[0], &leaf)) != ES_OK) {
        st = cli_fail(&spec, rc, a.operand[0]);
        goto end;
    }
    if ((st = cli_load_verify_opts(&a, &o)) != CLI_OK)
        goto end;
    if ((rc = es_cert_verify(leaf, &o, &r)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot verify");
        goto end;
    }
    print_report(a.operand[0], r, o.crls != NULL);
    st = es_cert_report_verdict(r) == ES_VALID ? CLI_OK : CLI_INVALID;
end:
    es_cert_report_free(r);
    X509_free(leaf);
    cli_free_verify_opts(&o);
    return st;
}
