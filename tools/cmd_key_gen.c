/* eseal key gen: generate an SM2, EC P-256 or RSA-3072 key pair. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"out", "KEY.pem", CLI_REQUIRED, "where to write the private key (mode 0600)"},
    {"alg", "sm2|ec-p256|rsa3072", 0, "key algorithm (default sm2; the others are for pades)"},
    {"pass-env", "VAR", 0, "encrypt the key (PKCS#8, SM4-CBC) with the password in $VAR"},
    {"format", "pkcs8|sec1", 0, "PEM structure of an unencrypted key (default pkcs8)"},
    {"pubout", "PUB.pem", 0, "also write the public key"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "key gen",
    NULL,
    0,
    0,
    "Generate a key pair: SM2 (default), ECDSA P-256 or RSA 3072.",
    "Without --pass-env the key is written unencrypted (mode 0600); a warning says so.",
    opts};

static int parse_format(const cli_args *a, const char *pass, es_key_format *fmt)
{
    const char *f = cli_get(a, "format");

    *fmt = ES_KEY_PKCS8_PEM;
    if (f == NULL || strcmp(f, "pkcs8") == 0)
        return CLI_OK;
    if (strcmp(f, "sec1") != 0)
        return cli_usage_error(&spec, "--format must be pkcs8 or sec1, not \"%s\"", f);
    if (pass != NULL)
        return cli_usage_error(&spec, "an encrypted key is always PKCS#8: drop --format sec1");
    *fmt = ES_KEY_SEC1_PEM;
    return CLI_OK;
}

static int parse_alg(const cli_args *a, es_key_format fmt, es_key_alg_id *alg)
{
    const char *v = cli_get(a, "alg");

    *alg = ES_KEY_SM2;
    if (v == NULL || strcmp(v, "sm2") == 0)
        return CLI_OK;
    if (strcmp(v, "ec-p256") == 0)
        *alg = ES_KEY_EC_P256;
    else if (strcmp(v, "rsa3072") == 0)
        *alg = ES_KEY_RSA;
    else
        return cli_usage_error(&spec, "--alg must be sm2, ec-p256 or rsa3072, not \"%s\"", v);
    if (*alg == ES_KEY_RSA && fmt == ES_KEY_SEC1_PEM)
        return cli_usage_error(&spec, "SEC1 is for EC keys: drop --format sec1 for RSA");
    return CLI_OK;
}

int cmd_key_gen(int argc, char **argv)
{
    cli_args a;
    es_key *key = NULL;
    es_buf pem = {0}, pub = {0};
    es_key_format fmt;
    es_key_alg_id alg;
    const char *pass;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    pass = cli_password(&a, "pass-env", NULL);
    if (cli_has(&a, "pass-env") && pass == NULL) {
        st = cli_usage_error(&spec, "$%s is not set or empty", cli_get(&a, "pass-env"));
        goto end;
    }
    if ((st = parse_format(&a, pass, &fmt)) != CLI_OK || (st = parse_alg(&a, fmt, &alg)) != CLI_OK)
        goto end;
    if ((rc = es_key_generate(alg, &key)) != ES_OK ||
        (rc = es_key_write_private(key, fmt, pass, &pem)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot generate the key");
        goto end;
    }
    if (cli_has(&a, "pubout") && (rc = es_key_write_public(key, 1, &pub)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot encode the public key");
        goto end;
    }
    if ((st = cli_write_file(&spec, cli_get(&a, "out"), &pem, 0600)) != CLI_OK)
        goto end;
    if (cli_has(&a, "pubout") &&
        (st = cli_write_file(&spec, cli_get(&a, "pubout"), &pub, 0644)) != CLI_OK)
        goto end;
    if (pass == NULL)
        fprintf(stderr, "eseal key gen: warning: %s is not encrypted (use --pass-env VAR)\n",
                cli_get(&a, "out"));
end:
    es_buf_free(&pem);
    es_buf_free(&pub);
    es_key_free(key);
    return st;
}
