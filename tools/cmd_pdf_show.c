/* eseal pdf show: the pages, revisions and signatures (with coverage) of a PDF. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "eseal/pdf.h"

static const cli_opt opts[] = {
    {"password-env", "VAR", 0, "user or owner password of an encrypted IN.pdf in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {"pdf show",
                              "IN.pdf",
                              1,
                              1,
                              "Show the pages, revisions and signatures of a PDF.",
                              "Nothing is verified: `eseal pdf verify` does that.",
                              opts};

int cmd_pdf_show(int argc, char **argv)
{
    cli_args a;
    es_pdf *d = NULL;
    char *text = NULL;
    const char *password = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_env_option(&a, "password-env", &password)) != CLI_OK)
        return st;
    if ((rc = es_pdf_read_file(a.operand[0], password, &d)) != ES_OK ||
        (rc = es_pdf_to_text(d, &text)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the document");
        goto end;
    }
    fputs(text, stdout);
end:
    es_free(text);
    es_pdf_free(d);
    return st;
}
