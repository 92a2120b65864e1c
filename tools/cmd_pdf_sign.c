/* eseal pdf sign: a visible seal (one page, a keyword, or across pages) and its signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eseal/pdf.h"

static const cli_opt opts[] = {
    {"seal", "SEAL.esl", 0, "the seal to apply (its picture is drawn)"},
    {"image", "FILE", 0, "a PNG or JPEG picture instead of a seal (gm and pades)"},
    {"cert", "S.pem", CLI_REQUIRED, "signer certificate (in the seal's certList)"},
    {"key", "S.key", CLI_REQUIRED, "signer private key"},
    {"page", "N", 0, "page of the seal, from 1 (default 1)"},
    {"x", "MM", 0, "left edge of the seal, mm from the shown page's left"},
    {"y", "MM", 0, "top edge of the seal, mm from the shown page's top"},
    {"keyword", "TEXT", 0, "centre the seal on the first occurrence of TEXT"},
    {"cross-page", NULL, 0, "a cross-page seal (骑缝章) at the right edge of the pages"},
    {"pages", "A-B", 0, "with --cross-page: the pages to cover (default all)"},
    {"format", "gm|ses|pades", 0, "signature format (default gm)"},
    {"certify", "1|2|3", 0, "certify the document (DocMDP P); first signature only"},
    {"reason", "R", 0, "/Reason of the signature"},
    {"location", "L", 0, "/Location of the signature"},
    {"time", "TIME", 0, "signing time (default now)"},
    {"pass-env", "VAR", 0, "password of an encrypted --key in $VAR"},
    {"password-env", "VAR", 0, "user or owner password of an encrypted IN.pdf in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "pdf sign",
    "IN.pdf OUT.pdf",
    2,
    2,
    "Seal and sign a PDF: the original bytes are kept and one incremental update is appended.",
    "gm: GM/T 0010 SignedData (SM2/SM3) carrying the seal; ses: a GB/T 38540 SES_Signature;\n"
    "pades: ETSI.CAdES.detached with an EC P-256 or RSA key (the seal's picture only).\n"
    "Give --page/--x/--y, --keyword, or --cross-page --y.",
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

static int get_place(const cli_args *a, es_pdf_sign_opts *o)
{
    const char *pages = cli_get(a, "pages"), *f = cli_get(a, "format");
    int st;

    if ((st = cli_get_int(a, "page", 1, 1000000, &o->page)) != CLI_OK ||
        (st = cli_get_int(a, "certify", 1, 3, &(long){0})) != CLI_OK)
        return st;
    o->certify = cli_has(a, "certify") ? atoi(cli_get(a, "certify")) : 0;
    o->format = f == NULL || strcmp(f, "gm") == 0 ? ES_PDF_GM
                : strcmp(f, "ses") == 0           ? ES_PDF_SES
                : strcmp(f, "pades") == 0         ? ES_PDF_PADES
                                                  : (es_pdf_format)-1;
    if ((int)o->format < 0)
        return cli_usage_error(&spec, "--format must be gm, ses or pades, not \"%s\"", f);
    if (cli_has(a, "seal") == cli_has(a, "image"))
        return cli_usage_error(&spec, "give --seal or --image");
    o->keyword = cli_get(a, "keyword");
    o->cross_page = cli_has(a, "cross-page");
    if (o->cross_page) {
        if (pages != NULL && sscanf(pages, "%ld-%ld", &o->first_page, &o->last_page) != 2)
            return cli_usage_error(&spec, "--pages must be A-B, not \"%s\"", pages);
        return get_mm(a, "y", &o->y_mm);
    }
    if (o->keyword != NULL)
        return CLI_OK;
    if ((st = get_mm(a, "x", &o->x_mm)) != CLI_OK)
        return st;
    return get_mm(a, "y", &o->y_mm);
}

static int load(const cli_args *a, es_pdf_sign_opts *o, es_seal **seal, es_key **key, X509 **cert,
                es_buf *img)
{
    es_err rc;

    if (cli_has(a, "seal") && (rc = es_seal_read_file(cli_get(a, "seal"), seal)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --seal");
    if (cli_has(a, "image") && (rc = es_file_read(cli_get(a, "image"), 64u << 20, img)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --image");
    if ((rc = es_cert_read_file(cli_get(a, "cert"), cert)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --cert");
    if ((rc = es_key_read_file(cli_get(a, "key"), cli_password(a, "pass-env", NULL), key)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --key");
    if (cli_has(a, "time") && (rc = es_time_parse(cli_get(a, "time"), &o->signing_time)) != ES_OK)
        return cli_fail(&spec, rc, "bad --time");
    o->seal = *seal;
    o->image = img->data;
    o->image_len = img->len;
    o->key = *key;
    o->cert = *cert;
    o->reason = cli_get(a, "reason");
    o->location = cli_get(a, "location");
    if (cli_has(a, "password-env") && getenv(cli_get(a, "password-env")) == NULL)
        return cli_usage_error(&spec, "$%s is not set", cli_get(a, "password-env"));
    o->password = cli_has(a, "password-env") ? getenv(cli_get(a, "password-env")) : NULL;
    return CLI_OK;
}

int cmd_pdf_sign(int argc, char **argv)
{
    cli_args a;
    es_pdf_sign_opts o = {0};
    es_seal *seal = NULL;
    es_key *key = NULL;
    X509 *cert = NULL;
    es_buf in = {0}, out = {0}, img = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = get_place(&a, &o)) != CLI_OK ||
        (st = load(&a, &o, &seal, &key, &cert, &img)) != CLI_OK)
        goto end;
    if ((rc = es_file_read(a.operand[0], ES_PDF_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if ((rc = es_pdf_sign(in.data, in.len, &o, &out)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot sign");
        goto end;
    }
    st = cli_write_file(&spec, a.operand[1], &out, 0644);
end:
    es_buf_free(&in);
    es_buf_free(&out);
    es_buf_free(&img);
    es_seal_free(seal);
    es_key_free(key);
    X509_free(cert);
    return st;
}
