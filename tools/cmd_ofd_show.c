/* eseal ofd show: the pages, signatures and stamp positions of an OFD document. */
#include <stdio.h>

#include "cli.h"
#include "eseal/ofd.h"

static const cli_opt opts[] = {{NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ofd show", "IN.ofd", 1, 1, "Show the pages, signatures and stamp positions of an OFD.",
    NULL,       opts};

int cmd_ofd_show(int argc, char **argv)
{
    cli_args a;
    es_ofd *d = NULL;
    char *text = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((rc = es_ofd_read_file(a.operand[0], &d)) != ES_OK ||
        (rc = es_ofd_to_text(d, &text)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the document");
        goto end;
    }
    fputs(text, stdout);
end:
    es_free(text);
    es_ofd_free(d);
    return st;
}
