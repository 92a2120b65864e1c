/* eseal ofd sign: stamp (Type="Seal", one page or across pages) or sign (Type="Sign") an OFD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eseal/ofd.h"

static const cli_opt opts[] = {
    CLI_SIGN_OPTS,
    {"digital", NULL, 0, "a Type=\"Sign\" signature (GM/T 0010 SignedData), no seal or stamp"},
    {"close", NULL, 0, "also protect Signatures.xml: no later signature can be added"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ofd sign",
    "IN.ofd OUT.ofd",
    2,
    2,
    "Sign an OFD document: a visible seal, a cross-page seal or a digital signature.",
    "Every entry the signature does not need to change keeps its exact bytes. A document\n"
    "closed by an earlier --close signature is refused.",
    opts};

/* --page/--x/--y, --cross-page [--pages A-B], or --digital. */
static int get_kind(const cli_args *a, es_ofd_sign_opts *o)
{
    int st;

    o->kind = cli_has(a, "digital")      ? ES_OFD_DIGITAL
              : cli_has(a, "cross-page") ? ES_OFD_CROSS_PAGE
                                         : ES_OFD_SEAL;
    if (cli_has(a, "digital") && cli_has(a, "cross-page"))
        return cli_usage_error(&spec, "--digital and --cross-page exclude each other");
    if ((o->kind == ES_OFD_DIGITAL) == cli_has(a, "seal"))
        return cli_usage_error(&spec, "give --seal for a stamp, or --digital without it");
    if (o->kind == ES_OFD_DIGITAL)
        return CLI_OK;
    if (o->kind == ES_OFD_CROSS_PAGE) {
        if ((st = cli_get_pages(a, &o->first_page, &o->last_page)) != CLI_OK)
            return st;
        return cli_get_mm(a, "y", &o->y_mm);
    }
    o->page = 1;
    if ((st = cli_get_int(a, "page", 1, 100000, &o->page)) != CLI_OK ||
        (st = cli_get_mm(a, "x", &o->x_mm)) != CLI_OK)
        return st;
    return cli_get_mm(a, "y", &o->y_mm);
}

int cmd_ofd_sign(int argc, char **argv)
{
    cli_args a;
    es_ofd_sign_opts o = {0};
    cli_signer signer = {0};
    es_buf in = {0}, out = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = get_kind(&a, &o)) != CLI_OK || (st = cli_load_signer(&a, &signer)) != CLI_OK)
        goto end;
    o.seal = signer.seal;
    o.key = signer.key;
    o.cert = signer.cert;
    o.signing_time = signer.time;
    o.close = cli_has(&a, "close");
    if ((rc = es_file_read(a.operand[0], ES_OFD_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if ((rc = es_ofd_sign(in.data, in.len, &o, &out)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot sign");
        goto end;
    }
    st = cli_write_file(&spec, a.operand[1], &out, 0644);
end:
    es_buf_free(&in);
    es_buf_free(&out);
    cli_free_signer(&signer);
    return st;
}
