/* Resident ID numbers, credit codes and mobile numbers: check characters and field rules. */
#include <string.h>

#include "eseal/id.h"
#include "testutil.h"

static void check_detail(const char *want)
{
    if (strstr(es_errdetail(), want) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", es_errdetail(), want);
}

/* Published examples: GB 11643's own sample and well-known specimen numbers. */
static void test_resident_valid(void **state)
{
    static const char *const ok[] = {"11010519491231002X", "11010519491231002x",
                                     "440524188001010014", "320311770706001"};
    char c;

    (void)state;
    assert_es_ok(es_id_resident_check(ok[0], strlen(ok[0])));
    assert_es_ok(es_id_resident_check(ok[1], strlen(ok[1])));
    assert_es_ok(es_id_resident_check_char("11010519491231002", &c));
    assert_int_equal(c, 'X');
    assert_es_ok(es_id_resident_check_char("44052418800101001", &c));
    assert_int_equal(c, '4');
    assert_es_err(es_id_resident_check(ok[2], strlen(ok[2])), ES_ERR_FORMAT);
    check_detail("1900");
    assert_es_err(es_id_resident_check(ok[3], strlen(ok[3])), ES_ERR_FORMAT);
    check_detail("18 characters");
}

static void test_resident_invalid(void **state)
{
    (void)state;
    assert_es_err(es_id_resident_check("110105194912310021", 18), ES_ERR_FORMAT);
    check_detail("check character is 1, expected X");
    assert_es_err(es_id_resident_check("110105194902300025", 18), ES_ERR_FORMAT);
    check_detail("does not exist");
    assert_es_err(es_id_resident_check("110105209912310025", 18), ES_ERR_FORMAT);
    check_detail("future");
    assert_es_err(es_id_resident_check("000105194912310021", 18), ES_ERR_FORMAT);
    check_detail("region code 00");
    assert_es_err(es_id_resident_check("1101051949123100A1", 18), ES_ERR_FORMAT);
    check_detail("not a digit");
    assert_es_err(es_id_resident_check("11010519491231002Y", 18), ES_ERR_FORMAT);
    assert_es_err(es_id_resident_check("11010519491231002X", 17), ES_ERR_FORMAT);
}

/* Leap days: 2000-02-29 exists, 1900-02-29 does not. */
static void test_resident_leap(void **state)
{
    char id[19] = "11010520000229001";
    char c;

    (void)state;
    assert_es_ok(es_id_resident_check_char(id, &c));
    id[17] = c;
    assert_es_ok(es_id_resident_check(id, 18));
    memcpy(id + 6, "19000229", 8);
    assert_es_ok(es_id_resident_check_char(id, &c));
    id[17] = c;
    assert_es_err(es_id_resident_check(id, 18), ES_ERR_FORMAT);
}

static void test_credit(void **state)
{
    char c;

    (void)state;
    assert_es_ok(es_id_credit_check("91350100M000100Y43", 18));
    assert_es_ok(es_id_credit_check_char("91350100M000100Y4", &c));
    assert_int_equal(c, '3');
    assert_es_err(es_id_credit_check("91350100M000100Y44", 18), ES_ERR_FORMAT);
    check_detail("check character is 4, expected 3");
    assert_es_err(es_id_credit_check("91350100M000100I43", 18), ES_ERR_FORMAT);
    check_detail("character 16");
    assert_es_err(es_id_credit_check("97350100M000100Y43", 18), ES_ERR_FORMAT);
    check_detail("category 7");
    assert_es_err(es_id_credit_check("B1350100M000100Y43", 18), ES_ERR_FORMAT);
    assert_es_err(es_id_credit_check("91350100M000100Y4", 17), ES_ERR_FORMAT);
}

static void test_mobile(void **state)
{
    (void)state;
    assert_es_ok(es_id_mobile_check("13800138000", 11));
    assert_es_ok(es_id_mobile_check("19912345678", 11));
    assert_es_err(es_id_mobile_check("12800138000", 11), ES_ERR_FORMAT);
    assert_es_err(es_id_mobile_check("1380013800", 10), ES_ERR_FORMAT);
    assert_es_err(es_id_mobile_check("1380013800a", 11), ES_ERR_FORMAT);
    assert_es_err(es_id_mobile_check("23800138000", 11), ES_ERR_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_valid), cmocka_unit_test(test_resident_invalid),
        cmocka_unit_test(test_resident_leap),  cmocka_unit_test(test_credit),
        cmocka_unit_test(test_mobile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
