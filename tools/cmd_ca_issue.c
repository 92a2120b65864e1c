/* eseal ca issue: issue an end-entity certificate of one of eseal's profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"dir", "CA", CLI_REQUIRED, "CA directory"},
    {"profile", "maker|signer|tsa|log", CLI_REQUIRED, "certificate profile"},
    {"subject", "DN", CLI_REQUIRED, "subject, e.g. \"CN=张三,O=示例公司,C=CN\""},
    {"key", "KEY.pem", 0, "the subject's private key (only its public half is used)"},
    {"pubkey", "PUB.pem", 0, "the subject's public key"},
    {"out", "CERT.pem", CLI_REQUIRED, "where to write the certificate"},
    {"days", "N", 0, "validity in days (default 365; maker, tsa, log 1825)"},
    {"not-before", "TIME", 0, "start of validity (default now)"},
    {"pass-env", "VAR", 0, "variable holding the CA key password (default ESEAL_CA_PASS)"},
    {"key-pass-env", "VAR", 0, "variable holding the password of an encrypted --key"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "ca issue",
    NULL,
    0,
    0,
    "Issue a certificate for a seal maker, signer, TSA or log.",
    "With an issuing CA, the chain above the certificate is written beside it as\n"
    "<CERT>-chain.pem (CERT without its .pem ending).",
    opts};

/* "out/leaf.pem" -> "out/leaf-chain.pem" */
static void chain_path(const char *out, char *buf, size_t size)
{
    size_t len = strlen(out);

    if (len > 4 && strcmp(out + len - 4, ".pem") == 0)
        len -= 4;
    snprintf(buf, size, "%.*s-chain.pem", (int)len, out);
}

static int write_chain(const es_ca *ca, const char *out)
{
    STACK_OF(X509) *chain = NULL;
    es_buf all = {0}, one = {0};
    char path[4096];
    es_err rc;
    int st = CLI_OK;

    if ((rc = es_ca_chain(ca, &chain)) != ES_OK)
        return cli_fail(&spec, rc, "cannot get the CA chain");
    if (sk_X509_num(chain) == 0)
        goto end;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        uint8_t *grown;
        if ((rc = es_cert_write(sk_X509_value(chain, i), 1, &one)) != ES_OK) {
            st = cli_fail(&spec, rc, "cannot encode the chain");
            goto end;
        }
        if ((grown = realloc(all.data, all.len + one.len)) == NULL) {
            st = cli_usage_error(&spec, "out of memory");
            goto end;
        }
        memcpy(grown + all.len, one.data, one.len);
        all.data = grown;
        all.len += one.len;
        es_buf_free(&one);
    }
    chain_path(out, path, sizeof(path));
    if ((st = cli_write_file(&spec, path, &all, 0644)) == CLI_OK)
        printf("chain: %s\n", path);
end:
    es_buf_free(&one);
    es_buf_free(&all);
    sk_X509_pop_free(chain, X509_free);
    return st;
}

static int read_subject_key(const cli_args *a, es_key **key)
{
    es_err rc;

    if (cli_has(a, "key") == cli_has(a, "pubkey"))
        return cli_usage_error(&spec, "give exactly one of --key and --pubkey");
    if (cli_has(a, "key"))
        rc = es_key_read_file(cli_get(a, "key"), cli_password(a, "key-pass-env", NULL), key);
    else
        rc = es_key_read_file(cli_get(a, "pubkey"), NULL, key);
    return rc == ES_OK ? CLI_OK : cli_fail(&spec, rc, "cannot read the subject's key");
}

int cmd_ca_issue(int argc, char **argv)
{
    cli_args a;
    es_ca_issue_opts o = {0};
    es_ca *ca = NULL;
    es_key *key = NULL;
    X509 *cert = NULL;
    es_buf pem = {0};
    const char *pass, *nb;
    long days = 0;
    es_err rc;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "days", 1, 36500, &days)) != CLI_OK)
        return st;
    if ((rc = es_cert_profile_from_name(cli_get(&a, "profile"), &o.profile)) != ES_OK)
        return cli_fail(&spec, rc, "bad --profile");
    if ((nb = cli_get(&a, "not-before")) != NULL &&
        (rc = es_time_parse(nb, &o.not_before)) != ES_OK)
        return cli_fail(&spec, rc, "bad --not-before");
    if ((pass = cli_password(&a, "pass-env", "ESEAL_CA_PASS")) == NULL)
        return cli_usage_error(&spec, "no CA password: set $ESEAL_CA_PASS or use --pass-env VAR");
    if ((st = read_subject_key(&a, &key)) != CLI_OK)
        goto end;
    if ((rc = es_ca_open(cli_get(&a, "dir"), pass, &ca)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot open the CA");
        goto end;
    }
    o.subject = cli_get(&a, "subject");
    o.pubkey = key;
    o.days = (int)days;
    if ((rc = es_ca_issue(ca, &o, &cert)) != ES_OK ||
        (rc = es_cert_write(cert, 1, &pem)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot issue the certificate");
        goto end;
    }
    if ((st = cli_write_file(&spec, cli_get(&a, "out"), &pem, 0644)) != CLI_OK)
        goto end;
    printf("issued: %s\n", cli_get(&a, "out"));
    st = write_chain(ca, cli_get(&a, "out"));
end:
    es_buf_free(&pem);
    X509_free(cert);
    es_key_free(key);
    es_ca_free(ca);
    return st;
}
