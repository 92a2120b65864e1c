/* eseal ofd sign: stamp (Type="Seal", one page or across pages) or sign (Type="Sign") an OFD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eseal/ofd.h"

static const cli_opt opts[] = {
    {"seal", "SEAL.esl", 0, "the seal to apply (not with --digital)"},
    {"cert", "S.pem", CLI_REQUIRED, "signer certificate (in the seal's certList)"},
    {"key", "S.key", CLI_REQUIRED, "signer private key"},
    {"page", "N", 0, "page number of the stamp, from 1"},
    {"x", "MM", 0, "left edge of the stamp, mm from the page's left"},
    {"y", "MM", 0, "top edge of the stamp, mm from the page's top"},
    {"cross-page", NULL, 0, "a cross-page seal (骑缝章) at the right edge of the pages"},
    {"pages", "A-B", 0, "with --cross-page: the pages to cover (default all)"},
    {"digital", NULL, 0, "a Type=\"Sign\" signature (GM/T 0010 SignedData), no stamp"},
    {"close", NULL, 0, "also protect Signatures.xml: no later signature can be added"},
    {"time", "TIME", 0, "signing time (default now)"},
    {"pass-env", "VAR", 0, "password of an encrypted --key in $VAR"},
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

static int get_mm(const cli_args *a, const char *name, double *out)
{
    const char *v = cli_get(a, name);
    char *end;

    if (v == NULL)
        return cli_usage_error(&spec, "--%s MM is required", name);
    *out = strtod(v, &end);
    if (end == v || *end != '\0' || *out < 0 || *out > 10000)
        return cli_usage_error(&spec, "--%s must be a length in mm, not \"%s\"", name, v);
    return CLI_OK;
}

/* --page/--x/--y, --cross-page [--pages A-B], or --digital. */
static int get_kind(const cli_args *a, es_ofd_sign_opts *o)
{
    const char *pages = cli_get(a, "pages");
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
        if (pages != NULL && sscanf(pages, "%ld-%ld", &o->first_page, &o->last_page) != 2)
            return cli_usage_error(&spec, "--pages must be A-B, not \"%s\"", pages);
        return get_mm(a, "y", &o->y_mm);
    }
    o->page = 1;
    if ((st = cli_get_int(a, "page", 1, 100000, &o->page)) != CLI_OK ||
        (st = get_mm(a, "x", &o->x_mm)) != CLI_OK)
        return st;
    return get_mm(a, "y", &o->y_mm);
}

static int load(const cli_args *a, es_ofd_sign_opts *o, es_seal **seal, es_key **key, X509 **cert)
{
    es_err rc;

    if (cli_has(a, "seal") && (rc = es_seal_read_file(cli_get(a, "seal"), seal)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --seal");
    if ((rc = es_cert_read_file(cli_get(a, "cert"), cert)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --cert");
    if ((rc = es_key_read_file(cli_get(a, "key"), cli_password(a, "pass-env", NULL), key)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --key");
    if (cli_has(a, "time") && (rc = es_time_parse(cli_get(a, "time"), &o->signing_time)) != ES_OK)
        return cli_fail(&spec, rc, "bad --time");
    o->seal = *seal;
    o->key = *key;
    o->cert = *cert;
    o->close = cli_has(a, "close");
    return CLI_OK;
}

int cmd_ofd_sign(int argc, char **argv)
{
    cli_args a;
    es_ofd_sign_opts o = {0};
    es_seal *seal = NULL;
    es_key *key = NULL;
    X509 *cert = NULL;
    es_buf in = {0}, out = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = get_kind(&a, &o)) != CLI_OK || (st = load(&a, &o, &seal, &key, &cert)) != CLI_OK)
        goto end;
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
    es_seal_free(seal);
    es_key_free(key);
    X509_free(cert);
    return st;
}
