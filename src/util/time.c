/* ISO 8601 / RFC 3339 times <-> seconds since the epoch, without locale or time-zone state. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eseal/time.h"
#include "eseal_local.h"

/* Longest accepted input: a date-time with a generous fraction and an offset. */
#define TIME_MAX_INPUT 64

#define SECS_PER_DAY 86400

/* Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: the civil date of a day count. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Read exactly n decimal digits at *pp; advance on success. */
static int digits(const char **pp, int n, int *out)
{
    const char *p = *pp;
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *pp = p + n;
    *out = v;
    return 1;
}

/* "YYYY-MM-DD" into days since the epoch; checks that the date exists. */
static int parse_date(const char **pp, int64_t *days)
{
    int y, m, d;
    const char *p = *pp;

    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &m) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)m))
        return 0;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    *pp = p;
    return 1;
}

/* "HH:MM:SS" with an optional fraction, which is dropped. */
static int parse_clock(const char **pp, int64_t *secs)
{
    int h, mi, s;
    const char *p = *pp;

    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &s))
        return 0;
    if (h > 23 || mi > 59 || s > 59)
        return 0;
    if (*p == '.' || *p == ',') {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    *secs = (int64_t)h * 3600 + mi * 60 + s;
    *pp = p;
    return 1;
}

/* "Z" or "+HH:MM" / "-HH:MM" / "+HHMM": the offset east of UTC in seconds. */
static int parse_zone(const char **pp, int64_t *offset)
{
    const char *p = *pp;
    int sign, h, mi;

    if (*p == 'Z' || *p == 'z') {
        *offset = 0;
        *pp = p + 1;
        return 1;
    }
    if (*p != '+' && *p != '-')
        return 0;
    sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &h))
        return 0;
    if (*p == ':')
        p++;
    if (!digits(&p, 2, &mi) || h > 23 || mi > 59)
        return 0;
    *offset = sign * ((int64_t)h * 3600 + mi * 60);
    *pp = p;
    return 1;
}

es_err es_time_parse(const char *s, es_time *out)
{
    const char *p = s;
    int64_t days, secs = 0, offset = 0;

    assert(s != NULL && out != NULL);
    if (strnlen(s, TIME_MAX_INPUT + 1) > TIME_MAX_INPUT)
        return es__fail(ES_ERR_FORMAT, "time too long (at most %d characters)", TIME_MAX_INPUT);
    if (!parse_date(&p, &days))
        return es__fail(ES_ERR_FORMAT, "\"%s\": expected an existing date YYYY-MM-DD", s);
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!parse_clock(&p, &secs))
            return es__fail(ES_ERR_FORMAT, "\"%s\": expected a time HH:MM:SS", s);
        /* A verification time must not depend on the machine's zone: no local times. */
        if (*p == '\0')
            return es__fail(ES_ERR_FORMAT, "\"%s\": time zone missing (add Z or +08:00)", s);
        if (!parse_zone(&p, &offset))
            return es__fail(ES_ERR_FORMAT, "\"%s\": expected Z or +HH:MM after the time", s);
    }
    if (*p != '\0')
        return es__fail(ES_ERR_FORMAT, "\"%s\": unexpected \"%s\" at the end", s, p);
    *out = days * SECS_PER_DAY + secs - offset;
    return ES_OK;
}

es_err es_time_format(es_time t, char out[ES_TIME_STRLEN])
{
    int64_t days, y, rem;
    unsigned m, d;
    char wide[64];

    assert(out != NULL);
    /* Floor division, so times before the epoch land on the right day. */
    days = t / SECS_PER_DAY;
    rem = t % SECS_PER_DAY;
    if (rem < 0) {
        rem += SECS_PER_DAY;
        days--;
    }
    if (days < days_from_civil(1, 1, 1) || days > days_from_civil(9999, 12, 31)) {
        out[0] = '\0';
        return es__fail(ES_ERR_ARG, "time %lld is outside the years 0001-9999", (long long)t);
    }
    civil_from_days(days, &y, &m, &d);
    /* Through a roomy buffer: the compiler cannot see that every field fits its width. */
    snprintf(wide, sizeof(wide), "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
    memcpy(out, wide, ES_TIME_STRLEN - 1);
    out[ES_TIME_STRLEN - 1] = '\0';
    return ES_OK;
}

es_time es_time_now(void)
{
    struct timespec ts;

    /* CLOCK_REALTIME is UTC seconds since the epoch; time() would do the same. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (es_time)time(NULL);
    return (es_time)ts.tv_sec;
}
