/* eseal cert verify: verify a certificate chain at a given time and name every problem. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"trust", "ROOT.pem", CLI_REQUIRED | CLI_MULTI, "trust anchors (PEM bundle or DER)"},
    {"untrusted", "CHAIN.pem", CLI_MULTI, "intermediate certificates"},
    {"crl", "CRL.pem", CLI_MULTI, "CRLs; without any, revocation is not checked"},
    {"at", "TIME", 0, "verification time, e.g. 2021-06-01 or 2021-06-01T08:00:00+08:00"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "cert verify",
    "CERT.pem",
    1,
    1,
    "Verify a certificate's chain, validity, key usage and revocation.",
    "Exit status: 0 valid, 1 invalid or indeterminate (each problem is printed), 2 could not run.",
    opts};

typedef struct inputs {
    X509 *leaf;
    es_verify_opts o;
} inputs;

/* Append every certificate of each --name file to *sk. */
static int load_certs(const cli_args *a, const char *name, STACK_OF(X509) * *sk)
{
    const char *path;

    for (size_t i = 0; (path = cli_get_n(a, name, i)) != NULL; i++) {
        STACK_OF(X509) *more = NULL;
        es_err rc = es_certs_read_file(path, &more);

        if (rc != ES_OK)
            return cli_fail(&spec, rc, path);
        if (*sk == NULL)
            *sk = sk_X509_new_null();
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
            return cli_fail(&spec, rc, path);
        if (*sk == NULL)
            *sk = sk_X509_CRL_new_null();
        while (sk_X509_CRL_num(more) > 0)
            sk_X509_CRL_push(*sk, sk_X509_CRL_shift(more));
        sk_X509_CRL_free(more);
    }
    return CLI_OK;
}

static int load_inputs(const cli_args *a, inputs *in)
{
    es_err rc;
    int st;

    if ((rc = es_cert_read_file(a->operand[0], &in->leaf)) != ES_OK)
        return cli_fail(&spec, rc, a->operand[0]);
    if ((st = load_certs(a, "trust", &in->o.trust)) != CLI_OK ||
        (st = load_certs(a, "untrusted", &in->o.untrusted)) != CLI_OK ||
        (st = load_crls(a, &in->o.crls)) != CLI_OK)
        return st;
    if (cli_has(a, "at")) {
        if ((rc = es_time_parse(cli_get(a, "at"), &in->o.at)) != ES_OK)
            return cli_fail(&spec, rc, "bad --at");
        in->o.has_at = 1;
    }
    return CLI_OK;
}

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
    inputs in = {0};
    es_cert_report *r = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = load_inputs(&a, &in)) != CLI_OK)
        goto end;
    if ((rc = es_cert_verify(in.leaf, &in.o, &r)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot verify");
        goto end;
    }
    print_report(a.operand[0], r, in.o.crls != NULL);
    st = es_cert_report_verdict(r) == ES_VALID ? CLI_OK : CLI_INVALID;
end:
    es_cert_report_free(r);
    X509_free(in.leaf);
    sk_X509_pop_free(in.o.trust, X509_free);
    sk_X509_pop_free(in.o.untrusted, X509_free);
    sk_X509_CRL_pop_free(in.o.crls, X509_CRL_free);
    return st;
}
