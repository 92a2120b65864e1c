/* eseal pdf sign: a visible seal (one page, a keyword, or across pages) and its signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eseal/pdf.h"

static const cli_opt opts[] = {
    CLI_SIGN_OPTS,
    {"image", "FILE", 0, "a PNG or JPEG picture instead of a seal (gm and pades)"},
    {"keyword", "TEXT", 0, "centre the seal on the first occurrence of TEXT"},
    {"format", "gm|ses|pades", 0, "signature format (default gm)"},
    {"certify", "1|2|3", 0, "certify the document (DocMDP P); first signature only"},
    {"reason", "R", 0, "/Reason of the signature"},
    {"location", "L", 0, "/Location of the signature"},
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

static int get_place(const cli_args *a, es_pdf_sign_opts *o)
{
    const char *f = cli_get(a, "format");
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
        if ((st = cli_get_pages(a, &o->first_page, &o->last_page)) != CLI_OK)
            return st;
        return cli_get_mm(a, "y", &o->y_mm);
    }
    if (o->keyword != NULL)
        return CLI_OK;
    if ((st = cli_get_mm(a, "x", &o->x_mm)) != CLI_OK)
        return st;
    return cli_get_mm(a, "y", &o->y_mm);
}

/* The signer, --image and the signature dictionary's texts. */
static int load(const cli_args *a, es_pdf_sign_opts *o, cli_signer *signer, es_buf *img)
{
    es_err rc;
    int st;

    if ((st = cli_load_signer(a, signer)) != CLI_OK)
        return st;
    if (cli_has(a, "image") && (rc = es_file_read(cli_get(a, "image"), 64u << 20, img)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --image");
    if ((st = cli_env_option(a, "password-env", &o->password)) != CLI_OK)
        return st;
    o->seal = signer->seal;
    o->key = signer->key;
    o->cert = signer->cert;
    o->signing_time = signer->time;
    o->image = img->data;
    o->image_len = img->len;
    o->reason = cli_get(a, "reason");
    o->location = cli_get(a, "location");
    return CLI_OK;
}

int cmd_pdf_sign(int argc, char **argv)
{
    cli_args a;
    es_pdf_sign_opts o = {0};
    cli_signer signer = {0};
    es_buf in = {0}, out = {0}, img = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = get_place(&a, &o)) != CLI_OK || (st = load(&a, &o, &signer, &img)) != CLI_OK)
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
    cli_free_signer(&signer);
    return st;
}
