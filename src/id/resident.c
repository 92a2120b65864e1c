/* GB 11643 resident identity numbers: province code, birth date and the MOD 11-2 check. */
#include <string.h>
#include <time.h>

#include "eseal/id.h"
#include "eseal/time.h"
#include "eseal_local.h"

/* Province-level codes of GB/T 2260 that begin an ID number (71 Taiwan, 81/82 HK/Macau). */
static const char *const provinces[] = {"11", "12", "13", "14", "15", "21", "22", "23", "31",
                                        "32", "33", "34", "35", "36", "37", "41", "42", "43",
                                        "44", "45", "46", "50", "51", "52", "53", "54", "61",
                                        "62", "63", "64", "65", "71", "81", "82", "83", "91"};

es_err es_id_resident_check_char(const char p[17], char *out)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        if (p[i] < '0' || p[i] > '9')
            return es__fail(ES_ERR_FORMAT, "character %d is not a digit", i + 1);
        sum += (p[i] - '0') * weights[i];
    }
    *out = map[sum % 11];
    return ES_OK;
}

static int num(const char *p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Digits 7..14 must be a date that exists, not before 1900 and not after today (UTC). */
static es_err check_birth(const char *p)
{
    int y = num(p, 4), m = num(p + 4, 2), d = num(p + 6, 2);
    time_t now = (time_t)es_time_now();
    struct tm tm;
    long today, born = (long)y * 10000 + m * 100 + d;

    if (y < 1900)
        return es__fail(ES_ERR_FORMAT, "birth date %.8s is before 1900", p);
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return es__fail(ES_ERR_FORMAT, "birth date %.8s does not exist", p);
    gmtime_r(&now, &tm);
    today = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (born > today)
        return es__fail(ES_ERR_FORMAT, "birth date %.8s is in the future", p);
    return ES_OK;
}

es_err es_id_resident_check(const char *p, size_t n)
{
    char want, got;
    size_t i;
    es_err rc;

    if (n != ES_ID_RESIDENT_LEN)
        return es__fail(ES_ERR_FORMAT, "must be 18 characters, not %zu", n);
    if ((rc = es_id_resident_check_char(p, &want)) != ES_OK)
        return rc;
    got = p[17] == 'x' ? 'X' : p[17];
    if ((got < '0' || got > '9') && got != 'X')
        return es__fail(ES_ERR_FORMAT, "character 18 must be a digit or X");
    for (i = 0; i < ES__ARRAY_LEN(provinces); i++)
        if (memcmp(p, provinces[i], 2) == 0)
            break;
    if (i == ES__ARRAY_LEN(provinces))
        return es__fail(ES_ERR_FORMAT, "region code %.2s is not a province", p);
    if ((rc = check_birth(p + 6)) != ES_OK)
        return rc;
    if (got != want)
        return es__fail(ES_ERR_FORMAT, "check character is %c, expected %c", got, want);
    return ES_OK;
}
