/* Seal benchmark: parse + full verification of a seal and a signature per second, beside SM2. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "eseal/eseal.h"
#include "eseal/ses.h"

#define PICTURE_LEN 16384 /* about the size of a real seal image */
#define DAY         86400

typedef struct bench {
    es_key *maker_key, *signer_key;
    X509 *maker, *signer;
    es_ses_verify_opts opts;
    es_buf seal, sig, sm2sig;
    uint8_t msg[32];
} bench;

/* Parse and verify a seal; a result other than valid means the benchmark is broken. */
static es_err seal_op(void *p)
{
    bench *b = p;
    es_seal *s = NULL;
    es_report *r = NULL;
    es_err rc;

    if ((rc = es_seal_parse(b->seal.data, b->seal.len, &s)) == ES_OK &&
        (rc = es_seal_verify(s, &b->opts, &r)) == ES_OK && es_report_status(r) != ES_VALID)
        rc = ES_ERR_INTERNAL;
    es_report_free(r);
    es_seal_free(s);
    return rc;
}

static es_err sig_op(void *p)
{
    bench *b = p;
    es_signature *g = NULL;
    es_report *r = NULL;
    es_err rc;

    if ((rc = es_signature_parse(b->sig.data, b->sig.len, &g)) == ES_OK &&
        (rc = es_signature_verify(g, &b->opts, &r)) == ES_OK && es_report_status(r) != ES_VALID)
        rc = ES_ERR_INTERNAL;
    es_report_free(r);
    es_signature_free(g);
    return rc;
}

static es_err sm2_op(void *p)
{
    bench *b = p;

    return es_sm2_verify(b->maker_key, NULL, 0, b->msg, sizeof(b->msg), b->sm2sig.data,
                         b->sm2sig.len);
}

/* Remove the temporary CA directory (two levels of plain files). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char path[4096];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(path);
        else
            unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

static X509 *issue(es_ca *ca, es_cert_profile profile, const char *subject, const es_key *k)
{
    es_ca_issue_opts o = {.profile = profile, .subject = subject, .pubkey = k};
    X509 *x = NULL;
    es_err rc;

    if ((rc = es_ca_issue(ca, &o, &x)) != ES_OK)
        bench_die("issue", rc);
    return x;
}

/* A CA, a maker, a signer, a seal with a 16 KB picture, and a signature with it. */
static void setup(bench *b, es_ca *ca)
{
    static uint8_t png[PICTURE_LEN] = "\x89PNG\r\n\x1a\n";
    STACK_OF(X509) *sk = sk_X509_new_null();
    es_seal_make_opts o = {.type = 1,
                           .name = "基准测试章",
                           .signers = sk,
                           .valid_start = es_time_now() - DAY,
                           .valid_end = es_time_now() + DAY,
                           .picture = png,
                           .picture_len = sizeof(png)};
    es_seal *s = NULL;
    es_err rc;

    for (size_t i = 8; i < sizeof(png); i++)
        png[i] = (uint8_t)(i * 131);
    if ((rc = es_key_generate_sm2(&b->maker_key)) != ES_OK ||
        (rc = es_key_generate_sm2(&b->signer_key)) != ES_OK ||
        (rc = es_ca_chain(ca, &b->opts.chain.untrusted)) != ES_OK)
        bench_die("setup", rc);
    b->maker = issue(ca, ES_PROFILE_MAKER, "CN=Bench Maker,C=CN", b->maker_key);
    b->signer = issue(ca, ES_PROFILE_SIGNER, "CN=Bench Signer,C=CN", b->signer_key);
    sk_X509_push(sk, b->signer);
    b->opts.chain.trust = sk_X509_new_null();
    X509_up_ref(es_ca_get0_root(ca));
    sk_X509_push(b->opts.chain.trust, es_ca_get0_root(ca));
    if ((rc = es_seal_make(&o, b->maker_key, b->maker, &b->seal)) != ES_OK ||
        (rc = es_seal_parse(b->seal.data, b->seal.len, &s)) != ES_OK ||
        (rc = es_seal_sign_data(s, b->signer_key, b->signer, "data", 4, "/doc", 0, &b->sig)) !=
            ES_OK ||
        (rc = es_sm2_sign(b->maker_key, NULL, 0, b->msg, sizeof(b->msg), &b->sm2sig)) != ES_OK)
        bench_die("setup", rc);
    es_seal_free(s);
    sk_X509_free(sk);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    char dir[] = "/tmp/eseal-bench.XXXXXX", cadir[64];
    es_ca_init_opts co = {.subject = "CN=eseal Bench Root,C=CN"};
    es_ca *ca = NULL;
    bench b = {0};
    es_err rc;

    if (mkdtemp(dir) == NULL)
        bench_die("mkdtemp", ES_ERR_IO);
    snprintf(cadir, sizeof(cadir), "%s/ca", dir);
    if ((rc = es_ca_init(cadir, &co, "bench", &ca)) != ES_OK)
        bench_die("ca init", rc);
    setup(&b, ca);
    es_ca_free(ca);
    rm_tree(dir);
    printf("seal_parse_verify_per_s %.1f\n", bench_rate(seal_op, &b, 8, seconds));
    printf("signature_parse_verify_per_s %.1f\n", bench_rate(sig_op, &b, 8, seconds));
    printf("sm2_verify_per_s %.1f\n", bench_rate(sm2_op, &b, 8, seconds));
    es_key_free(b.maker_key);
    es_key_free(b.signer_key);
    X509_free(b.maker);
    X509_free(b.signer);
    sk_X509_pop_free(b.opts.chain.trust, X509_free);
    sk_X509_pop_free(b.opts.chain.untrusted, X509_free);
    es_buf_free(&b.seal);
    es_buf_free(&b.sig);
    es_buf_free(&b.sm2sig);
    return 0;
}
