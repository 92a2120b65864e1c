/* eseal sign: apply a seal to data, writing a GB/T 38540 SES_Signature. */
#include <stdio.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"seal", "SEAL.esl", CLI_REQUIRED, "the seal to apply"},
    {"cert", "S.pem", CLI_REQUIRED, "signer certificate (must be in the seal's certList)"},
    {"key", "S.key", CLI_REQUIRED, "signer private key"},
    {"in", "DATA", CLI_REQUIRED, "the data to sign (dataHash = SM3 of its bytes)"},
    {"out", "SIG.dat", CLI_REQUIRED, "where to write the SES_Signature (DER)"},
    {"property", "TEXT", 0, "propertyInfo: what was signed (default: the --in file name)"},
    {"time", "TIME", 0, "signing time (default now)"},
    {"pass-env", "VAR", 0, "password of an encrypted --key in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "sign",
    NULL,
    0,
    0,
    "Apply a seal to data: write a GB/T 38540 (v4) SES_Signature.",
    "Refused when the certificate is not in the seal's certList, the signing time is outside\n"
    "the seal's validity, the seal's maker signature is broken, or the key is not the "
    "certificate's.",
    opts};

/* The streaming SM3 of a file, so data of any size is signed in constant memory. */
static int hash_file(const char *path, uint8_t md[ES_SM3_LEN])
{
    uint8_t chunk[65536];
    es_sm3_ctx *ctx = NULL;
    FILE *f = fopen(path, "rb");
    size_t got;
    int st = CLI_OK;

    if (f == NULL)
        return cli_usage_error(&spec, "cannot open %s", path);
    if (es_sm3_new(&ctx) != ES_OK) {
        st = cli_fail(&spec, ES_ERR_CRYPTO, "SM3 unavailable");
        goto end;
    }
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (es_sm3_update(ctx, chunk, got) != ES_OK) {
            st = cli_fail(&spec, ES_ERR_CRYPTO, "SM3 failed");
            goto end;
        }
    if (ferror(f) || es_sm3_final(ctx, md) != ES_OK)
        st = cli_usage_error(&spec, "cannot read %s", path);
end:
    es_sm3_free(ctx);
    fclose(f);
    return st;
}

typedef struct inputs {
    es_seal *seal;
    X509 *cert;
    es_key *key;
    es_time when;
    uint8_t hash[ES_SM3_LEN];
} inputs;

static int load_inputs(const cli_args *a, inputs *in)
{
    es_err rc;

    if (cli_has(a, "time") && (rc = es_time_parse(cli_get(a, "time"), &in->when)) != ES_OK)
        return cli_fail(&spec, rc, "bad --time");
    if ((rc = es_seal_read_file(cli_get(a, "seal"), &in->seal)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --seal");
    if ((rc = es_cert_read_file(cli_get(a, "cert"), &in->cert)) != ES_OK)
        return cli_fail(&spec, rc, "cannot read --cert");
    if ((rc = es_key_read_file(cli_get(a, "key"), cli_password(a, "pass-env", NULL), &in->key)) !=
        ES_OK)
        return cli_fail(&spec, rc, "cannot read --key");
    return hash_file(cli_get(a, "in"), in->hash);
}

int cmd_sign(int argc, char **argv)
{
    cli_args a;
    inputs in = {0};
    es_buf der = {0};
    const char *property;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = load_inputs(&a, &in)) != CLI_OK)
        goto end;
    property = cli_has(&a, "property") ? cli_get(&a, "property") : cli_get(&a, "in");
    if ((rc = es_seal_sign_hash(in.seal, in.key, in.cert, in.hash, property, in.when, &der)) !=
        ES_OK) {
        st = cli_fail(&spec, rc, "cannot sign");
        goto end;
    }
    if ((st = cli_write_file(&spec, cli_get(&a, "out"), &der, 0644)) == CLI_OK)
        printf("signature: %s (%zu bytes)\n", cli_get(&a, "out"), der.len);
end:
    es_buf_free(&der);
    es_seal_free(in.seal);
    X509_free(in.cert);
    es_key_free(in.key);
    return st;
}
