/* eseal key pub: write the public key of a private key (or of a certificate). */
#include "cli.h"

static const cli_opt opts[] = {
    {"in", "KEY.pem", CLI_REQUIRED, "private key (PEM or DER, PKCS#8 or SEC1)"},
    {"out", "PUB.pem", CLI_REQUIRED, "where to write the public key (SubjectPublicKeyInfo PEM)"},
    {"pass-env", "VAR", 0, "password of an encrypted key in $VAR"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {"key pub", NULL, 0, 0, "Write the public key of a private key.",
                              NULL,      opts};

int cmd_key_pub(int argc, char **argv)
{
    cli_args a;
    es_key *key = NULL;
    es_buf pub = {0};
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((rc = es_key_read_file(cli_get(&a, "in"), cli_password(&a, "pass-env", NULL), &key)) !=
        ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the key");
        goto end;
    }
    if ((rc = es_key_write_public(key, 1, &pub)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot encode the public key");
        goto end;
    }
    st = cli_write_file(&spec, cli_get(&a, "out"), &pub, 0644);
end:
    es_buf_free(&pub);
    es_key_free(key);
    return st;
}
