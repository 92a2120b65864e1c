/* Times as seconds since the Unix epoch (UTC), parsed from and written as ISO 8601. */
#ifndef ESEAL_TIME_H
#define ESEAL_TIME_H

#include <stdint.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds since 1970-01-01T00:00:00Z; negative before. */
typedef int64_t es_time;

/*
 * Parse ISO 8601 / RFC 3339: "2021-06-01T00:00:00Z", "2021-06-01T08:00:00+08:00",
 * "2021-06-01 00:00:00Z", fractional seconds (dropped), or a date alone ("2021-06-01", midnight
 * UTC). A date-time without zone is refused (ES_ERR_FORMAT): a verification time must not depend
 * on the machine's zone. Years 0001-9999; the date must exist (no 2021-02-30).
 */
es_err es_time_parse(const char *s, es_time *out);

/* Write t as "YYYY-MM-DDTHH:MM:SSZ" (20 chars + NUL). */
#define ES_TIME_STRLEN 21
es_err es_time_format(es_time t, char out[ES_TIME_STRLEN]);

/* The current time. */
es_time es_time_now(void);

#ifdef __cplusplus
}
#endif
#endif
