/* What the benchmark programs share: a clock, a fatal error, and an operations-per-second loop. */
#ifndef ESEAL_BENCH_COMMON_H
#define ESEAL_BENCH_COMMON_H

#include <openssl/x509.h>

#include "eseal/eseal.h"
#include "eseal/image.h"

/* Monotonic wall time in seconds. */
double bench_now(void);
/* Print "<program>: what: <error>: <detail>" and exit with status 2. */
void bench_die(const char *what, es_err rc) __attribute__((noreturn));

typedef es_err (*bench_op)(void *arg);
/* Run op in rounds of batch calls for about seconds of wall time; operations per second. */
double bench_rate(bench_op op, void *arg, int batch, double seconds);

/* A CA, a seal maker and a signer (SM2 keys, certificates) and a seal with a round picture. */
typedef struct bench_fixture {
    es_ca *ca;
    es_key *maker_key, *signer_key;
    X509 *maker, *signer;
    es_seal *seal;
    STACK_OF(X509) * chain;
} bench_fixture;
/* Make f in a new directory under /tmp named after tag, the seal's picture drawn with ro. */
void bench_fixture_setup(bench_fixture *f, const char *tag, const es_image_round_opts *ro);
void bench_fixture_teardown(bench_fixture *f);

#endif
