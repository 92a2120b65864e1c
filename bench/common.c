/* Shared benchmark helpers (common.h). */
#define _GNU_SOURCE /* program_invocation_short_name: the benchmark's name in messages */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
