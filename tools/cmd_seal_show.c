/* eseal seal show: print every field of a seal or signature; extract the seal picture. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"json", NULL, 0, "print JSON instead of text"},
    {"extract-picture", "OUT", 0, "write the seal's picture bytes to OUT"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "seal show",
    "SEAL.esl|SIG.dat",
    1,
    1,
    "Show every field of a seal (SESeal) or signature (SES_Signature), v1, v4 or v5.",
    NULL,
    opts};

/* Render the object as text or JSON into *out; *seal is the seal whose picture may be saved. */
static int render(const es_buf *in, int json, es_seal **seal, es_signature **sig, char **out)
{
    int kind = 0;
    es_err rc;

    if ((rc = es_ses_detect(in->data, in->len, &kind)) != ES_OK)
        return cli_fail(&spec, rc, "not a seal or signature");
    if (kind == ES_SES_OBJ_SEAL) {
        if ((rc = es_seal_parse(in->data, in->len, seal)) == ES_OK)
            rc = json ? es_seal_to_json(*seal, out) : es_seal_to_text(*seal, out);
    } else {
        if ((rc = es_signature_parse(in->data, in->len, sig)) == ES_OK)
            rc = json ? es_signature_to_json(*sig, out) : es_signature_to_text(*sig, out);
    }
    return rc == ES_OK ? CLI_OK : cli_fail(&spec, rc, "cannot read the object");
}

static int extract_picture(const es_seal *seal, const char *path)
{
    es_buf pic = {0};
    size_t n = 0;
    const uint8_t *p = es_seal_picture(seal, &n);
    int st;

    if (es_buf_set(&pic, p, n) != ES_OK)
        return cli_usage_error(&spec, "out of memory");
    st = cli_write_file(&spec, path, &pic, 0644);
    es_buf_free(&pic);
    return st;
}

int cmd_seal_show(int argc, char **argv)
{
    cli_args a;
    es_buf in = {0};
    es_seal *seal = NULL;
    es_signature *sig = NULL;
    char *text = NULL;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((rc = es_file_read(a.operand[0], ES_SES_MAX_INPUT, &in)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the input");
        goto end;
    }
    if ((st = render(&in, cli_has(&a, "json"), &seal, &sig, &text)) != CLI_OK)
        goto end;
    fputs(text, stdout);
    if (cli_has(&a, "extract-picture"))
        st = extract_picture(seal ? seal : es_signature_get0_seal(sig),
                             cli_get(&a, "extract-picture"));
end:
    es_free(text);
    es_seal_free(seal);
    es_signature_free(sig);
    es_buf_free(&in);
    return st;
}
