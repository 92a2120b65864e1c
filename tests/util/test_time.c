/* Tests of es_time_parse / es_time_format: known answers, calendar edge cases, refusals. */
#include "testutil.h"

#include <string.h>

static es_time parse_ok(const char *s)
{
    es_time t = 0;

    assert_es_ok(es_time_parse(s, &t));
    return t;
}

static void test_known_answers(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2021-06-01T00:00:00Z"), 1622505600);
    assert_int_equal(parse_ok("2022-04-21T14:39:08Z"), 1650551948);
    assert_int_equal(parse_ok("2000-03-01T00:00:00Z"), 951868800);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), -62135596800LL);
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
    assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), 2147483648LL);
}

static void test_forms(void **state)
{
    es_time want = 1622505600;

    (void)state;
    assert_int_equal(parse_ok("2021-06-01"), want);
    assert_int_equal(parse_ok("2021-06-01 00:00:00Z"), want);
    assert_int_equal(parse_ok("2021-06-01t00:00:00z"), want);
    assert_int_equal(parse_ok("2021-06-01T08:00:00+08:00"), want);
    assert_int_equal(parse_ok("2021-06-01T08:00:00+0800"), want);
    assert_int_equal(parse_ok("2021-05-31T19:30:00-04:30"), want);
    assert_int_equal(parse_ok("2021-06-01T00:00:00.999Z"), want);
    assert_int_equal(parse_ok("2021-06-01T00:00:00,5+00:00"), want);
    assert_int_equal(parse_ok("2021-06-01T00:00:00.123456789012Z"), want);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2020-02-29") + 86400, parse_ok("2020-03-01"));
    assert_int_equal(parse_ok("2000-02-29") + 86400, parse_ok("2000-03-01"));
    assert_int_equal(parse_ok("2400-02-29") + 86400, parse_ok("2400-03-01"));
    assert_int_equal(parse_ok("2021-02-28") + 86400, parse_ok("2021-03-01"));
    assert_es_err(es_time_parse("2021-02-29", &(es_time){0}), ES_ERR_FORMAT);
    assert_es_err(es_time_parse("1900-02-29T00:00:00Z", &(es_time){0}), ES_ERR_FORMAT);
    assert_es_err(es_time_parse("2100-02-29", &(es_time){0}), ES_ERR_FORMAT);
    assert_es_err(es_time_parse("2021-04-31", &(es_time){0}), ES_ERR_FORMAT);
    assert_es_err(es_time_parse("2021-02-30", &(es_time){0}), ES_ERR_FORMAT);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "2021-06-01T00:00:00", /* no zone: would depend on the machine */
        "2021-06-01T00:00",    /* no seconds */
        "2021-06-01T24:00:00Z",
        "2021-06-01T23:60:00Z",
        "2021-06-01T23:59:60Z",
        "2021-13-01",
        "2021-00-10",
        "2021-06-00",
        "0000-01-01",
        "21-06-01",
        "2021-6-1",
        "2021/06/01",
        " 2021-06-01",
        "2021-06-01 ",
        "2021-06-01T00:00:00Zjunk",
        "2021-06-01T00:00:00.Z",
        "2021-06-01T00:00:00+8:00",
        "2021-06-01T00:00:00+24:00",
        "2021-06-01T00:00:00+08:60",
        "2021-06-01T00:00:00+08:",
        "2021-06-01X00:00:00Z",
        "garbage",
        "2021-06-01T00:00:00.000000000000000000000000000000000000000000000000000000000001Z",
    };
    es_time t = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        es_err rc = es_time_parse(bad[i], &t);
        if (rc != ES_ERR_FORMAT)
            fail_msg("\"%s\" -> %s, expected malformed input", bad[i], es_strerror(rc));
        assert_true(strlen(es_errdetail()) > 0);
    }
    assert_int_equal(t, 42); /* untouched on error */
}

static void test_format(void **state)
{
    char s[ES_TIME_STRLEN];

    (void)state;
    assert_es_ok(es_time_format(0, s));
    assert_string_equal(s, "1970-01-01T00:00:00Z");
    assert_es_ok(es_time_format(1650551948, s));
    assert_string_equal(s, "2022-04-21T14:39:08Z");
    assert_es_ok(es_time_format(-1, s));
    assert_string_equal(s, "1969-12-31T23:59:59Z");
    assert_es_ok(es_time_format(951782400, s));
    assert_string_equal(s, "2000-02-29T00:00:00Z");
    assert_es_ok(es_time_format(253402300799LL, s));
    assert_string_equal(s, "9999-12-31T23:59:59Z");
    assert_es_err(es_time_format(253402300800LL, s), ES_ERR_ARG);
    assert_es_err(es_time_format(-62135596801LL, s), ES_ERR_ARG);
}

/* Every day of four centuries survives format -> parse, and days are 86400 s apart. */
static void test_round_trip(void **state)
{
    char s[ES_TIME_STRLEN];
    es_time t0 = parse_ok("1900-01-01T12:34:56Z");

    (void)state;
    for (es_time d = 0; d < 146097; d++) {
        es_time t = t0 + d * 86400, back = 0;
        assert_es_ok(es_time_format(t, s));
        assert_es_ok(es_time_parse(s, &back));
        if (back != t)
            fail_msg("%s: %lld != %lld", s, (long long)back, (long long)t);
    }
    assert_es_ok(es_time_format(t0 + 146097LL * 86400, s));
    assert_string_equal(s, "2300-01-01T12:34:56Z");
}

static void test_now(void **state)
{
    es_time now = es_time_now();

    (void)state;
    assert_true(now > parse_ok("2024-01-01"));
    assert_true(now < parse_ok("2200-01-01"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers), cmocka_unit_test(test_forms),
        cmocka_unit_test(test_leap_years),    cmocka_unit_test(test_refused),
        cmocka_unit_test(test_format),        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_now),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
