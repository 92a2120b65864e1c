/* GB 32100 unified social credit codes (MOD 31-3 check character) and mainland mobile numbers. */
#include <string.h>

#include "eseal/id.h"
#include "eseal_local.h"

/* The 31 characters of GB 32100: digits and capitals without I, O, S, V, Z. */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int char_value(char c)
{
    const char *hit = c != '\0' ? strchr(alphabet, c) : NULL;

    return hit ? (int)(hit - alphabet) : -1;
}

es_err es_id_credit_check_char(const char p[17], char *out)
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        int v = char_value(p[i]);

        if (v < 0)
            return es__fail(ES_ERR_FORMAT, "character %d is not allowed in a credit code", i + 1);
        sum += v * weights[i];
    }
    *out = alphabet[(31 - sum % 31) % 31];
    return ES_OK;
}

/* First character: registration authority; second: the categories that authority uses. */
static es_err check_category(const char *p)
{
    static const char *const ok[] = {"1", "1239", "2", "19",  "3", "123459", "4", "19",
                                     "5", "1239", "6", "129", "7", "129",    "8", "19",
                                     "9", "123",  "A", "19",  "N", "12345",  "Y", "1"};

    for (size_t i = 0; i < ES__ARRAY_LEN(ok); i += 2)
        if (ok[i][0] == p[0])
            return strchr(ok[i + 1], p[1]) != NULL && p[1] != '\0'
                       ? ES_OK
                       : es__fail(ES_ERR_FORMAT, "category %c is unknown for authority %c", p[1],
                                  p[0]);
    return es__fail(ES_ERR_FORMAT, "registration authority %c is unknown", p[0]);
}

es_err es_id_credit_check(const char *p, size_t n)
{
    char want;
    es_err rc;

    if (n != ES_ID_CREDIT_LEN)
        return es__fail(ES_ERR_FORMAT, "must be 18 characters, not %zu", n);
    for (size_t i = 0; i < n; i++)
        if (char_value(p[i]) < 0)
            return es__fail(ES_ERR_FORMAT, "character %zu is not allowed in a credit code", i + 1);
    if ((rc = check_category(p)) != ES_OK)
        return rc;
    if ((rc = es_id_credit_check_char(p, &want)) != ES_OK)
        return rc;
    if (p[17] != want)
        return es__fail(ES_ERR_FORMAT, "check character is %c, expected %c", p[17], want);
    return ES_OK;
}

es_err es_id_mobile_check(const char *p, size_t n)
{
    if (n != ES_ID_MOBILE_LEN)
        return es__fail(ES_ERR_FORMAT, "must be 11 digits, not %zu characters", n);
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return es__fail(ES_ERR_FORMAT, "character %zu is not a digit", i + 1);
    if (p[0] != '1' || p[1] < '3')
        return es__fail(ES_ERR_FORMAT, "a mobile number starts with 13 to 19");
    return ES_OK;
}
