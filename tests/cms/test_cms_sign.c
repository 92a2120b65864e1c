/* The gm SignedData writer: DER the templates agree with, byte for byte, and that verifies. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "cms/cms_local.h"
#include "eseal/crypto.h"
#include "testutil.h"

#define PASS "cms-test-pass"

static struct {
    es_ca *ca;
    es_key *key;
    X509 *cert;
    STACK_OF(X509) * chain;
} F;

static int setup(void **state)
{
    es_ca_init_opts o = {.subject = "CN=eseal CMS Test Root,O=eseal,C=CN"};
    es_ca_issue_opts io = {.profile = ES_PROFILE_SIGNER, .subject = "CN=CMS Signer,C=CN"};
    char dir[4096];

    (void)state;
    snprintf(dir, sizeof(dir), "%s", tu_tmp("ca"));
    if (es_ca_init(dir, &o, PASS, &F.ca) != ES_OK || es_key_generate_sm2(&F.key) != ES_OK ||
        es_ca_chain(F.ca, &F.chain) != ES_OK)
        return -1;
    io.pubkey = F.key;
    return es_ca_issue(F.ca, &io, &F.cert) == ES_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    es_ca_free(F.ca);
    es_key_free(F.key);
    X509_free(F.cert);
    sk_X509_pop_free(F.chain, X509_free);
    return 0;
}

/* A SEQUENCE of n bytes in all (n >= 4, below 2^24): a stand-in for a seal. */
static uint8_t *sequence(size_t n)
{
    uint8_t *p = malloc(n);

    assert_non_null(p);
    memset(p, 0x5a, n);
    p[0] = 0x30;
    p[1] = 0x83;
    p[2] = (uint8_t)((n - 5) >> 16);
    p[3] = (uint8_t)((n - 5) >> 8);
    p[4] = (uint8_t)(n - 5);
    return p;
}

/*
 * Sign with an extra attribute of n bytes (none when n == 0) and check: the templates decode
 * the result and encode it back to the same bytes (DER, sets sorted as OpenSSL sorts them), the
 * verifier accepts it, and the attribute's value is there as given.
 */
static void sign_at(STACK_OF(X509) * chain, size_t n, es_time t)
{
    static const uint8_t data[] = "the signed bytes";
    es__cms_data d = {{data, NULL}, {sizeof(data), 0}, "the data"};
    uint8_t md[ES_SM3_LEN], *x = n ? sequence(n) : NULL;
    es__cms_attr attr = {"2.25.232003012709744419712516910680222307431.2.1", x, n};
    es_buf out = {0};
    es__cms c;
    es_report *r = NULL;
    char oid[80];
    unsigned char *again = NULL;
    int len;

    es_sm3(data, sizeof(data), md);
    assert_es_ok(es__cms_sign_gm(F.key, F.cert, chain, md, t, n ? &attr : NULL, &out));
    assert_int_equal(es__cms_parse(out.data, out.len, &c, oid), 1);
    assert_int_equal(c.len, out.len);
    len = ASN1_item_i2d((ASN1_VALUE *)c.asn1, &again, ASN1_ITEM_rptr(ES_CMS));
    assert_int_equal(len, (int)out.len);
    assert_memory_equal(again, out.data, out.len);
    assert_int_equal(sk_X509_num(c.asn1->sd->certs), 1 + (chain ? sk_X509_num(chain) : 0));
    if (n)
        assert_non_null(memmem(out.data, out.len, x, n));
    assert_es_ok(es_report_new(&r));
    assert_es_ok(es__cms_check(r, out.data, &c, &d));
    assert_int_equal(es_report_find(r, "signature.value")->result, ES_CHECK_PASSED);
    assert_int_equal(es_report_find(r, "data.hash")->result, ES_CHECK_PASSED);
    assert_true(c.has_time && c.time == t);
    assert_int_equal(sk_X509_ATTRIBUTE_num(c.si->auth), n ? 4 : 3);
    es_report_free(r);
    es__cms_release(&c);
    OPENSSL_free(again);
    es_buf_free_public(&out);
    free(x);
}

static void sign_and_check(STACK_OF(X509) * chain, size_t n)
{
    sign_at(chain, n, 1700000000);
}

static void test_no_extra(void **state)
{
    (void)state;
    sign_and_check(NULL, 0);
    sign_and_check(F.chain, 0);
}

static void test_seal_sized(void **state)
{
    (void)state;
    sign_and_check(F.chain, 66426);
    sign_and_check(NULL, 140000);
}

/* signingTime is written by hand: UTCTime for 1950-2049, GeneralizedTime either side of it. */
static void test_signing_times(void **state)
{
    static const es_time t[] = {
        -631152001,            /* 1949-12-31 23:59:59 */
        -631152000,            /* 1950-01-01 00:00:00 */
        0,          951782400, /* 2000-02-29 */
        2524607999,            /* 2049-12-31 23:59:59 */
        2524608000,            /* 2050-01-01 00:00:00 */
        4102444800,            /* 2100-01-01 00:00:00 */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        sign_at(NULL, 0, t[i]);
}

/* Sizes where the outer lengths cross 2^16: a signature value shorter than the longest one
 * shortens a length's octets there, and the writer moves the whole down. */
static void test_length_boundaries(void **state)
{
    (void)state;
    for (size_t n = 65536 - 1800; n < 65536 - 1800 + 2200; n += 3)
        sign_and_check(F.chain, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_extra),
        cmocka_unit_test(test_seal_sized),
        cmocka_unit_test(test_signing_times),
        cmocka_unit_test(test_length_boundaries),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
