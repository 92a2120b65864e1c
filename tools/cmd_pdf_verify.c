/* eseal pdf verify: verify every signature of a PDF, its coverage and what changed after it. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "eseal/pdf.h"

static const cli_opt opts[] = {
    CLI_VERIFY_OPTS,
    {"json", NULL, 0, "print the report as JSON (docs/pdf.md)"},
    {"password-env", "VAR", 0, "user or owner password of an encrypted IN.pdf in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "pdf verify",
    "IN.pdf",
    1,
    1,
    "Verify the signatures of a PDF, check by check.",
    "Each signature gets a report like `eseal verify` with pdf.byte_range, pdf.coverage and\n"
    "pdf.modifications added. Without --at, certificates are checked at the signing time.\n"
    "Exit status: 0 valid, 1 invalid or indeterminate, 2 could not run.",
    opts};

int cmd_pdf_verify(int argc, char **argv)
{
    cli_args a;
    es_pdf_verify_opts o = {0};
    es_buf in = {0};
    es_doc_report *r = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_load_verify_opts(&a, &o.chain)) != CLI_OK ||
        (st = cli_env_option(&a, "password-env", &o.password)) != CLI_OK)
        goto end;
    if ((rc = es_file_read(a.operand[0], ES_PDF_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if ((rc = es_pdf_verify(in.data, in.len, &o, &r)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot verify");
        goto end;
    }
    st = cli_print_doc_report(&a, r);
end:
    es_doc_report_free(r);
    es_buf_free(&in);
    cli_free_verify_opts(&o.chain);
    return st;
}
