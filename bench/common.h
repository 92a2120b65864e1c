/* What the benchmark programs share: a clock, a fatal error, and an operations-per-second loop. */
#ifndef ESEAL_BENCH_COMMON_H
#define ESEAL_BENCH_COMMON_H

#include "eseal/error.h"

/* Monotonic wall time in seconds. */
double bench_now(void);
/* Print "<program>: what: <error>: <detail>" and exit with status 2. */
void bench_die(const char *what, es_err rc) __attribute__((noreturn));

typedef es_err (*bench_op)(void *arg);
/* Run op in rounds of batch calls for about seconds of wall time; operations per second. */
double bench_rate(bench_op op, void *arg, int batch, double seconds);

#endif
