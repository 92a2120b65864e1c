/* eseal verify: verify a seal or a signature (and its data) in the GB/T 38540 order. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    CLI_VERIFY_OPTS,
    {"data", "DATA", 0, "the signed data, to check a signature's dataHash"},
    {"json", NULL, 0, "print the report as JSON (docs/report.md)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "verify",
    "SEAL.esl|SIG.dat",
    1,
    1,
    "Verify a seal or a signature and report every check by name.",
    "The object is detected from its structure. Exit status: 0 valid, 1 invalid or\n"
    "indeterminate (the report says why), 2 could not run.",
    opts};

static int print_report(const es_report *r, int json)
{
    char *text = NULL;
    es_err rc =
        json ? es_report_to_json(r, ES_REPORT_JSON_PRETTY, &text) : es_report_to_text(r, &text);

    if (rc != ES_OK)
        return cli_fail(&spec, rc, "cannot print the report");
    fputs(text, stdout);
    es_free(text);
    return CLI_OK;
}

int cmd_verify(int argc, char **argv)
{
    cli_args a;
    es_ses_verify_opts o = {0};
    es_buf in = {0}, data = {0};
    es_report *r = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_load_verify_opts(&a, &o.chain)) != CLI_OK)
        goto end;
    if ((rc = es_file_read(a.operand[0], ES_SES_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if (cli_has(&a, "data")) {
        if ((rc = es_file_read(cli_get(&a, "data"), (size_t)1 << 32, &data)) != ES_OK) {
            st = cli_fail(&spec, rc, "cannot read --data");
            goto end;
        }
        o.data = data.data;
        o.data_len = data.len;
        o.has_data = 1;
    }
    if ((rc = es_ses_verify(in.data, in.len, &o, &r)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot verify");
        goto end;
    }
    if ((st = print_report(r, cli_has(&a, "json"))) == CLI_OK)
        st = es_report_status(r) == ES_VALID ? CLI_OK : CLI_INVALID;
end:
    es_report_free(r);
    es_buf_free(&in);
    es_buf_free(&data);
    cli_free_verify_opts(&o.chain);
    return st;
}
