/* Shared benchmark helpers (common.h). */
#define _GNU_SOURCE /* program_invocation_short_name: the benchmark's name in messages */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "eseal/crypto.h"

#include "common.h"

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_die(const char *what, es_err rc)
{
    fprintf(stderr, "%s: %s: %s: %s\n", program_invocation_short_name, what, es_strerror(rc),
            es_errdetail());
    exit(2);
}

double bench_rate(bench_op op, void *arg, int batch, double seconds)
{
    double start = bench_now(), elapsed;
    long n = 0;
    es_err rc;

    do {
        for (int i = 0; i < batch; i++, n++)
            if ((rc = op(arg)) != ES_OK)
                bench_die("operation failed", rc);
        elapsed = bench_now() - start;
    } while (elapsed < seconds);
    return (double)n / elapsed;
}

#define DAY 86400

static X509 *issue(bench_fixture *f, es_cert_profile p, const char *subject, const es_key *k)
{
    es_ca_issue_opts o = {.profile = p, .subject = subject, .pubkey = k};
    X509 *x = NULL;
    es_err rc = es_ca_issue(f->ca, &o, &x);

    if (rc != ES_OK)
        bench_die("issue", rc);
    return x;
}

/* The seal `eseal image round` would draw by default (42 mm, 600 dpi): about 140 KB. */
void bench_fixture_setup(bench_fixture *f, const char *tag, const es_image_round_opts *ro)
{
    char dir[64], ca[96];
    es_ca_init_opts io = {.subject = "CN=Bench Root,C=CN"};
    es_buf png = {0}, der = {0};
    STACK_OF(X509) *sk = sk_X509_new_null();
    es_err rc;

    snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", tag);
    if (mkdtemp(dir) == NULL)
        bench_die("mkdtemp", ES_ERR_IO);
    snprintf(ca, sizeof(ca), "%s/ca", dir);
    if ((rc = es_ca_init(ca, &io, "bench", &f->ca)) != ES_OK ||
        (rc = es_key_generate_sm2(&f->maker_key)) != ES_OK ||
        (rc = es_key_generate_sm2(&f->signer_key)) != ES_OK ||
        (rc = es_ca_chain(f->ca, &f->chain)) != ES_OK || (rc = es_image_round(ro, &png)) != ES_OK)
        bench_die("setup", rc);
    f->maker = issue(f, ES_PROFILE_MAKER, "CN=Bench Maker,C=CN", f->maker_key);
    f->signer = issue(f, ES_PROFILE_SIGNER, "CN=Bench Signer,C=CN", f->signer_key);
    sk_X509_push(sk, f->signer);
    es_seal_make_opts so = {.type = 1,
                            .name = "基准章",
                            .signers = sk,
                            .valid_start = es_time_now() - DAY,
                            .valid_end = es_time_now() + DAY,
                            .picture = png.data,
                            .picture_len = png.len};
    if ((rc = es_seal_make(&so, f->maker_key, f->maker, &der)) != ES_OK ||
        (rc = es_seal_parse(der.data, der.len, &f->seal)) != ES_OK)
        bench_die("seal", rc);
    sk_X509_free(sk);
    es_buf_free(&png);
    es_buf_free(&der);
}

void bench_fixture_teardown(bench_fixture *f)
{
    es_seal_free(f->seal);
    X509_free(f->maker);
    X509_free(f->signer);
    es_key_free(f->maker_key);
    es_key_free(f->signer_key);
    sk_X509_pop_free(f->chain, X509_free);
    es_ca_free(f->ca);
}
