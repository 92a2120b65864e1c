/* What every file of libeseal shares: setting errors with their detail. */
#ifndef ESEAL_LOCAL_H
#define ESEAL_LOCAL_H

#include <stdarg.h>
#include <stddef.h>

#include "eseal/buf.h"
#include "eseal/error.h"

#if defined(__GNUC__)
#define ES__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ES__PRINTF(f, a)
#endif

/* Set the thread's error detail from fmt and return e. */
es_err es__fail(es_err e, const char *fmt, ...) ES__PRINTF(2, 3);

/*
 * As es__fail, and append what OpenSSL's error queue holds (draining it), so the detail reads
 * "cannot decode key: error:1E08010C:DECODER routines::unsupported".
 */
es_err es__fail_ossl(es_err e, const char *fmt, ...) ES__PRINTF(2, 3);

/* Clear OpenSSL's error queue (after an expected failure that is not an error for eseal). */
void es__ossl_clear(void);

#define ES__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
