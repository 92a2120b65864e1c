/* eseal ofd verify: verify every signature of an OFD document and what they protect. */
#include <stdio.h>

#include "cli.h"
#include "eseal/ofd.h"

static const cli_opt opts[] = {
    CLI_VERIFY_OPTS,
    {"signer-cert", "CERT.pem", CLI_MULTI,
     "signer certificates for Type=\"Sign\" files that carry a bare SM2 signature"},
    {"json", NULL, 0, "print the report as JSON (docs/ofd.md)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ofd verify",
    "IN.ofd",
    1,
    1,
    "Verify the signatures of an OFD document, check by check.",
    "Each signature gets a report like `eseal verify` with ofd.references, ofd.seal_file and\n"
    "ofd.stamp_annot added; the document report names entries no signature protects.\n"
    "Exit status: 0 valid, 1 invalid or indeterminate, 2 could not run.",
    opts};

static int load_signer_certs(const cli_args *a, STACK_OF(X509) * *sk)
{
    const char *path;

    for (size_t i = 0; (path = cli_get_n(a, "signer-cert", i)) != NULL; i++) {
        X509 *c = NULL;
        es_err rc = es_cert_read_file(path, &c);
        if (rc != ES_OK)
            return cli_fail(&spec, rc, path);
        if ((*sk == NULL && (*sk = sk_X509_new_null()) == NULL) || !sk_X509_push(*sk, c)) {
            X509_free(c);
            return cli_usage_error(&spec, "out of memory");
        }
    }
    return CLI_OK;
}

int cmd_ofd_verify(int argc, char **argv)
{
    cli_args a;
    es_ofd_verify_opts o = {0};
    es_buf in = {0};
    es_doc_report *r = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_load_verify_opts(&a, &o.chain)) != CLI_OK ||
        (st = load_signer_certs(&a, &o.signer_certs)) != CLI_OK)
        goto end;
    if ((rc = es_file_read(a.operand[0], ES_OFD_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if ((rc = es_ofd_verify(in.data, in.len, &o, &r)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot verify");
        goto end;
    }
    st = cli_print_doc_report(&a, r);
end:
    es_doc_report_free(r);
    es_buf_free(&in);
    sk_X509_pop_free(o.signer_certs, X509_free);
    cli_free_verify_opts(&o.chain);
    return st;
}
