/* Tests of es_name_parse / es_name_format: both syntaxes, escapes, string types, refusals. */
#include "testutil.h"

#include <string.h>

#include <openssl/x509.h>

static X509_NAME *parse_ok(const char *s)
{
    X509_NAME *n = NULL;

    assert_es_ok(es_name_parse(s, &n));
    assert_non_null(n);
    return n;
}

/* Format name and compare with want. */
static void assert_formats_as(const X509_NAME *n, const char *want)
{
    char *s = NULL;

    assert_es_ok(es_name_format(n, &s));
    assert_string_equal(s, want);
    es_free(s);
}

/* The ASN.1 string type and UTF-8 value of entry i. */
static void assert_entry(const X509_NAME *n, int i, int nid, int type, const char *value)
{
    const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
    const ASN1_STRING *v;

    assert_non_null(e);
    v = X509_NAME_ENTRY_get_data(e);
    assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)), nid);
    assert_int_equal(ASN1_STRING_type(v), type);
    assert_int_equal(ASN1_STRING_length(v), (int)strlen(value));
    assert_memory_equal(ASN1_STRING_get0_data(v), value, strlen(value));
}

static void test_rfc4514_chinese(void **state)
{
    X509_NAME *n = parse_ok("CN=张三,O=示例公司,C=CN");

    (void)state;
    assert_int_equal(X509_NAME_entry_count(n), 3);
    assert_entry(n, 0, NID_commonName, V_ASN1_UTF8STRING, "张三");
    assert_entry(n, 1, NID_organizationName, V_ASN1_UTF8STRING, "示例公司");
    assert_entry(n, 2, NID_countryName, V_ASN1_PRINTABLESTRING, "CN");
    assert_formats_as(n, "CN=张三, O=示例公司, C=CN");
    X509_NAME_free(n);
}

static void test_slash_form(void **state)
{
    X509_NAME *a = parse_ok("/CN=张三/O=Example, Inc./C=CN");
    X509_NAME *b = parse_ok("CN=张三,O=Example\\, Inc.,C=CN");

    (void)state;
    assert_int_equal(X509_NAME_cmp(a, b), 0);
    assert_entry(a, 1, NID_organizationName, V_ASN1_UTF8STRING, "Example, Inc.");
    assert_formats_as(a, "CN=张三, O=Example\\, Inc., C=CN");
    X509_NAME_free(a);
    X509_NAME_free(b);
}

static void test_all_attributes(void **state)
{
    X509_NAME *n = parse_ok("CN=a,O=b,OU=c,C=cn,ST=d,L=e,street=f,serialNumber=123,"
                            "emailAddress=x@example.com,UID=u1,DC=example,title=t,givenName=g,"
                            "surname=s,GN=g2,SN=s2");

    (void)state;
    assert_int_equal(X509_NAME_entry_count(n), 16);
    assert_entry(n, 6, NID_streetAddress, V_ASN1_UTF8STRING, "f");
    assert_entry(n, 7, NID_serialNumber, V_ASN1_PRINTABLESTRING, "123");
    assert_entry(n, 8, NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "x@example.com");
    assert_entry(n, 9, NID_userId, V_ASN1_UTF8STRING, "u1");
    assert_entry(n, 10, NID_domainComponent, V_ASN1_IA5STRING, "example");
    assert_entry(n, 14, NID_givenName, V_ASN1_UTF8STRING, "g2");
    assert_entry(n, 15, NID_surname, V_ASN1_UTF8STRING, "s2");
    X509_NAME_free(n);
    /* Attribute names are case-insensitive. */
    n = parse_ok("cn=x,o=y");
    assert_entry(n, 1, NID_organizationName, V_ASN1_UTF8STRING, "y");
    X509_NAME_free(n);
}

static void test_escapes_and_spaces(void **state)
{
    X509_NAME *n =
        parse_ok("  CN = \\ lead\\,comma\\+plus\\\\back\\=eq trail\\  , O=\\E5\\BC\\A0 ");

    (void)state;
    assert_entry(n, 0, NID_commonName, V_ASN1_UTF8STRING, " lead,comma+plus\\back=eq trail ");
    assert_entry(n, 1, NID_organizationName, V_ASN1_UTF8STRING, "张");
    X509_NAME_free(n);
}

static void test_multi_valued_rdn(void **state)
{
    X509_NAME *n = parse_ok("CN=a+UID=b,O=c");

    (void)state;
    assert_int_equal(X509_NAME_entry_count(n), 3);
    assert_int_equal(X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 0)),
                     X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 1)));
    assert_int_not_equal(X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 1)),
                         X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 2)));
    assert_formats_as(n, "CN=a + UID=b, O=c");
    X509_NAME_free(n);
}

/* Whatever es_name_format prints, es_name_parse reads back to the same name. */
static void test_round_trip(void **state)
{
    static const char *const names[] = {
        "CN=张三,O=示例公司,C=CN",
        "CN=a\\,b\\+c\\\\d\\\"e\\<f\\>g\\;h,OU=x#y",
        "CN=\\ spaced \\ ,O=x",
        "GN=名,SN=姓,emailAddress=a@b.cn",
        "CN=a+UID=b,O=c",
        /* Found by fuzz_name: OpenSSL prints a one-character "#" value unescaped. */
        "CN=\\#",
        "CN=\\#,O=\\#x",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        X509_NAME *a = parse_ok(names[i]), *b = NULL;
        char *s = NULL;
        assert_es_ok(es_name_format(a, &s));
        if (es_name_parse(s, &b) != ES_OK)
            fail_msg("%s -> \"%s\" does not parse: %s", names[i], s, es_errdetail());
        if (X509_NAME_cmp(a, b) != 0)
            fail_msg("%s -> \"%s\" parses to a different name", names[i], s);
        es_free(s);
        X509_NAME_free(a);
        X509_NAME_free(b);
    }
}

static void test_sample_certificate(void **state)
{
    X509 *x = NULL;

    (void)state;
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &x));
    assert_formats_as(X509_get_subject_name(x),
                      "C=CN, O=OFD R&W, ST=Zhejiang, L=Hangzhou, CN=Test Certificate");
    X509_free(x);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "CN",
        "=x",
        "CN=",
        "CN= ,O=x",
        "XX=bad",
        "CN=a,,O=b",
        "CN=a,",
        "/CN=a/",
        "CN=a\\",
        "CN=a\\q",
        "CN=a\\4",
        "C=CHN",
        "C=C1",
        "C=中国",
        "emailAddress=张@example.com",
        "CN=#3003",
        "CN=\\FF\\FE",
        "CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    X509_NAME *n = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        es_err rc = es_name_parse(bad[i], &n);
        if (rc != ES_ERR_FORMAT)
            fail_msg("\"%s\" -> %s, expected malformed input", bad[i], es_strerror(rc));
        assert_null(n);
    }
    assert_es_err(es_name_parse("XX=bad", &n), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "XX"));
}

static void test_limit(void **state)
{
    char big[5000];
    X509_NAME *n = NULL;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "CN=", 3);
    big[sizeof(big) - 1] = '\0';
    assert_es_err(es_name_parse(big, &n), ES_ERR_LIMIT);
    assert_null(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4514_chinese),
        cmocka_unit_test(test_slash_form),
        cmocka_unit_test(test_all_attributes),
        cmocka_unit_test(test_escapes_and_spaces),
        cmocka_unit_test(test_multi_valued_rdn),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sample_certificate),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
