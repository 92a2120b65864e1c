/* eseal seal make: make a GB/T 38540 v4 seal signed by a seal maker. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"maker-cert", "M.pem", CLI_REQUIRED, "seal maker certificate (eseal maker profile)"},
    {"maker-key", "M.key", CLI_REQUIRED, "seal maker private key"},
    {"signer-cert", "S.pem", CLI_REQUIRED | CLI_MULTI, "certificate allowed to use the seal"},
    {"name", "NAME", CLI_REQUIRED, "seal name (UTF-8), e.g. \"示例公司合同专用章\""},
    {"type", "N", CLI_REQUIRED, "seal type (business-defined integer)"},
    {"valid-from", "TIME", CLI_REQUIRED, "start of the seal's validity"},
    {"valid-to", "TIME", CLI_REQUIRED, "end of the seal's validity"},
    {"image", "FILE", CLI_REQUIRED, "seal picture: PNG, JPG, GIF, BMP, SVG or OFD"},
    {"width-mm", "W", 0, "picture width in mm (default: from the PNG/SVG, else 40)"},
    {"height-mm", "H", 0, "picture height in mm (default: from the PNG/SVG, else 40)"},
    {"vid", "VENDOR", 0, "vendor id in the header (default eseal)"},
    {"esid", "ID", 0, "seal identifier (default: a new unique id)"},
    {"cert-digests", NULL, 0, "list SM3 digests of the signer certificates (certListType 2)"},
    {"out", "SEAL.esl", CLI_REQUIRED, "where to write the seal (DER)"},
    {"pass-env", "VAR", 0, "password of an encrypted maker key in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "seal make", NULL, 0, 0, "Make a GB/T 38540 (v4) electronic seal signed by the seal maker.",
    NULL,        opts};

typedef struct inputs {
    es_seal_make_opts o;
    es_key *maker_key;
    X509 *maker_cert;
    es_buf picture;
} inputs;

static int load_signers(const cli_args *a, STACK_OF(X509) * *out)
{
    const char *path;

    if ((*out = sk_X509_new_null()) == NULL)
        return cli_usage_error(&spec, "out of memory");
    for (size_t i = 0; (path = cli_get_n(a, "signer-cert", i)) != NULL; i++) {
        X509 *c = NULL;
        es_err rc = es_cert_read_file(path, &c);

        if (rc != ES_OK)
            return cli_fail(&spec, rc, path);
        if (!sk_X509_push(*out, c)) {
            X509_free(c);
            return cli_usage_error(&spec, "out of memory");
        }
    }
    return CLI_OK;
}

static int parse_times(const cli_args *a, es_seal_make_opts *o)
{
    es_err rc;

    if ((rc = es_time_parse(cli_get(a, "valid-from"), &o->valid_start)) != ES_OK)
        return cli_fail(&spec, rc, "bad --valid-from");
    if ((rc = es_time_parse(cli_get(a, "valid-to"), &o->valid_end)) != ES_OK)
        return cli_fail(&spec, rc, "bad --valid-to");
    return CLI_OK;
}

/* Without --width-mm and --height-mm, the picture's own size (PNG pHYs, SVG mm) when it has one. */
static void picture_size(const es_buf *pic, long *w, long *h)
{
    double wm, hm;

    if (es_image_size_mm(pic->data, pic->len, &wm, &hm) == ES_OK && wm >= 1 && hm >= 1 &&
        wm <= 1000 && hm <= 1000) {
        *w = (long)(wm + 0.5);
        *h = (long)(hm + 0.5);
    }
}

static int load_inputs(const cli_args *a, inputs *in)
{
    long type = 0, w = 40, h = 40;
    es_err rc;
    int st;

    if ((st = cli_get_int(a, "type", 0, 2147483647L, &type)) != CLI_OK ||
        (st = cli_get_int(a, "width-mm", 1, 1000, &w)) != CLI_OK ||
        (st = cli_get_int(a, "height-mm", 1, 1000, &h)) != CLI_OK ||
        (st = parse_times(a, &in->o)) != CLI_OK || (st = load_signers(a, &in->o.signers)) != CLI_OK)
        return st;
    if ((rc = es_cert_read_file(cli_get(a, "maker-cert"), &in->maker_cert)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --maker-cert");
    if ((rc = es_key_read_file(cli_get(a, "maker-key"), cli_password(a, "pass-env", NULL),
                               &in->maker_key)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --maker-key");
    if ((rc = es_file_read(cli_get(a, "image"), ES_SES_MAX_INPUT, &in->picture)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --image");
    if (!cli_has(a, "width-mm") && !cli_has(a, "height-mm"))
        picture_size(&in->picture, &w, &h);
    in->o.type = type;
    in->o.width_mm = w;
    in->o.height_mm = h;
    in->o.name = cli_get(a, "name");
    in->o.vid = cli_get(a, "vid");
    in->o.esid = cli_get(a, "esid");
    in->o.cert_digests = cli_has(a, "cert-digests");
    in->o.picture = in->picture.data;
    in->o.picture_len = in->picture.len;
    return CLI_OK;
}

int cmd_seal_make(int argc, char **argv)
{
    cli_args a;
    inputs in = {0};
    es_buf der = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = load_inputs(&a, &in)) != CLI_OK)
        goto end;
    if ((rc = es_seal_make(&in.o, in.maker_key, in.maker_cert, &der)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot make the seal");
        goto end;
    }
    if ((st = cli_write_file(&spec, cli_get(&a, "out"), &der, 0644)) == CLI_OK)
        printf("seal: %s (%zu bytes)\n", cli_get(&a, "out"), der.len);
end:
    es_buf_free(&der);
    es_buf_free(&in.picture);
    sk_X509_pop_free(in.o.signers, X509_free);
    X509_free(in.maker_cert);
    es_key_free(in.maker_key);
    return st;
}
