/* Tests of es_cert_verify: the ofdrw sample chain, eseal CA chains, CRLs, tampering. */
#include "testutil.h"

#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PASS "verify test 口令"

/* One CA shared by the tests: made once in setup. */
static es_ca *ca;
static es_key *subject_key;

static X509 *load(const char *path)
{
    X509 *x = NULL;

    assert_es_ok(es_cert_read_file(path, &x));
    return x;
}

static STACK_OF(X509) * stack_of(X509 *x)
{
    STACK_OF(X509) *sk = sk_X509_new_null();

    assert_non_null(sk);
    assert_true(sk_X509_push(sk, x) > 0);
    return sk;
}

static es_time at(const char *s)
{
    es_time t = 0;

    assert_es_ok(es_time_parse(s, &t));
    return t;
}

/* The first problem whose message contains needle, or NULL. */
static const es_cert_problem *find_problem(const es_cert_report *r, const char *needle)
{
    for (size_t i = 0; i < es_cert_report_nproblems(r); i++) {
        const es_cert_problem *p = es_cert_report_problem(r, i);
        if (strstr(p->message, needle) != NULL)
            return p;
    }
    return NULL;
}

static void print_report(const es_cert_report *r)
{
    print_message("verdict %s, revocation checked %d\n", es_verdict_name(es_cert_report_verdict(r)),
                  es_cert_report_revocation_checked(r));
    for (size_t i = 0; i < es_cert_report_nproblems(r); i++) {
        const es_cert_problem *p = es_cert_report_problem(r, i);
        print_message("  depth %d (%s): %s [%d]\n", p->depth, p->subject, p->message,
                      p->x509_error);
    }
}

/* Verify leaf against the sample root at time when. */
static es_cert_report *verify_sample(X509 *leaf, const char *when)
{
    STACK_OF(X509) *trust = stack_of(load(tu_sample("pki/ROOT_cert.pem")));
    es_verify_opts o = {.trust = trust, .at = at(when), .has_at = 1};
    es_cert_report *r = NULL;

    assert_es_ok(es_cert_verify(leaf, &o, &r));
    print_report(r);
    sk_X509_pop_free(trust, X509_free);
    return r;
}

static void test_sample_2021(void **state)
{
    X509 *leaf = load(tu_sample("pki/USER_cert.pem"));
    es_cert_report *r = verify_sample(leaf, "2021-06-01");
    const es_cert_problem *p;

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 1);
    p = es_cert_report_problem(r, 0);
    assert_int_equal(p->depth, 1);
    assert_string_equal(p->message, "keyUsage lacks keyCertSign");
    assert_true(p->x509_error == X509_V_ERR_INVALID_CA ||
                p->x509_error == X509_V_ERR_KEYUSAGE_NO_CERTSIGN);
    assert_false(p->indeterminate);
    assert_non_null(strstr(p->subject, "CN=OFD Reader and WriterROOT Certificate"));
    assert_false(es_cert_report_revocation_checked(r));
    assert_int_equal(sk_X509_num(es_cert_report_get0_chain(r)), 2);
    assert_null(es_cert_report_problem(r, 1));
    es_cert_report_free(r);
    X509_free(leaf);
}

static void test_sample_2024_expired(void **state)
{
    X509 *leaf = load(tu_sample("pki/USER_cert.pem"));
    es_cert_report *r = verify_sample(leaf, "2024-06-01T08:00:00+08:00");
    const es_cert_problem *p;

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 2);
    p = find_problem(r, "expired at 2022-04-21T14:39:08Z");
    assert_non_null(p);
    assert_int_equal(p->depth, 0);
    assert_int_equal(p->x509_error, X509_V_ERR_CERT_HAS_EXPIRED);
    assert_non_null(strstr(p->subject, "CN=Test Certificate"));
    p = find_problem(r, "keyCertSign");
    assert_non_null(p);
    assert_int_equal(p->depth, 1);
    es_cert_report_free(r);
    X509_free(leaf);
}

/* Flip the last byte of a certificate's DER (inside the signature's s value). */
static X509 *tampered(X509 *x)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int n = i2d_X509(x, &der);
    X509 *t;

    assert_true(n > 0);
    der[n - 1] ^= 0x01;
    p = der;
    t = d2i_X509(NULL, &p, n);
    assert_non_null(t);
    OPENSSL_free(der);
    return t;
}

static void test_sample_tampered(void **state)
{
    X509 *leaf = load(tu_sample("pki/USER_cert.pem")), *bad = tampered(leaf);
    es_cert_report *r = verify_sample(bad, "2021-06-01");
    const es_cert_problem *p;

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    p = find_problem(r, "signature does not verify");
    assert_non_null(p);
    assert_int_equal(p->depth, 0);
    assert_int_equal(p->x509_error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
    es_cert_report_free(r);
    X509_free(bad);
    X509_free(leaf);
}

static void test_unknown_issuer_is_indeterminate(void **state)
{
    X509 *leaf = load(tu_sample("pki/USER_cert.pem"));
    STACK_OF(X509) *trust = stack_of(load(tu_sample("pdf/sm2/sm2_test_ca.crt")));
    es_verify_opts o = {.trust = trust, .at = at("2021-06-01"), .has_at = 1};
    es_cert_report *r = NULL;
    const es_cert_problem *p;

    (void)state;
    assert_es_ok(es_cert_verify(leaf, &o, &r));
    print_report(r);
    assert_int_equal(es_cert_report_verdict(r), ES_INDETERMINATE);
    p = find_problem(r, "issuer not found: C=CN, O=OFD R&W");
    assert_non_null(p);
    assert_true(p->indeterminate);
    assert_int_equal(es_cert_report_nproblems(r), 1);
    es_cert_report_free(r);
    sk_X509_pop_free(trust, X509_free);
    X509_free(leaf);
}

static void test_no_trust_anchor(void **state)
{
    X509 *leaf = load(tu_sample("pki/USER_cert.pem"));
    STACK_OF(X509) *empty = sk_X509_new_null();
    es_verify_opts o = {0};
    es_cert_report *r = NULL;

    (void)state;
    assert_es_err(es_cert_verify(leaf, &o, &r), ES_ERR_ARG);
    o.trust = empty;
    assert_es_err(es_cert_verify(leaf, &o, &r), ES_ERR_ARG);
    assert_null(r);
    sk_X509_free(empty);
    X509_free(leaf);
}

static void test_verdict_names(void **state)
{
    (void)state;
    assert_string_equal(es_verdict_name(ES_VALID), "valid");
    assert_string_equal(es_verdict_name(ES_INVALID), "invalid");
    assert_string_equal(es_verdict_name(ES_INDETERMINATE), "indeterminate");
}

/* ---- Chains made by es_ca ---- */

static int setup_ca(void **state)
{
    es_ca_init_opts o = {.subject = "CN=Verify Test Root,O=eseal,C=CN",
                         .crl_url = "http://crl.example.test/issuing.crl"};

    (void)state;
    if (es_ca_init(tu_tmp("ca"), &o, PASS, &ca) != ES_OK ||
        es_key_generate_sm2(&subject_key) != ES_OK) {
        print_error("setup: %s\n", es_errdetail());
        return -1;
    }
    return 0;
}

static int teardown_ca(void **state)
{
    (void)state;
    es_ca_free(ca);
    es_key_free(subject_key);
    return 0;
}

static X509 *issue(es_ca *c, const char *subject)
{
    es_ca_issue_opts o = {.profile = ES_PROFILE_SIGNER, .subject = subject, .pubkey = subject_key};
    X509 *x = NULL;

    assert_es_ok(es_ca_issue(c, &o, &x));
    return x;
}

static X509_CRL *make_crl(es_ca *c, int days)
{
    X509_CRL *crl = NULL;

    assert_es_ok(es_ca_crl(c, days, &crl));
    return crl;
}

/* Verify leaf against c's root and issuing CA with crl (may be NULL), at when (0: now). */
static es_cert_report *verify_ca(es_ca *c, X509 *leaf, X509_CRL *crl, es_time when)
{
    STACK_OF(X509) *trust = stack_of(X509_dup(es_ca_get0_root(c)));
    STACK_OF(X509) *chain = NULL;
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
    es_verify_opts o = {.trust = trust, .at = when, .has_at = when != 0};
    es_cert_report *r = NULL;

    assert_es_ok(es_ca_chain(c, &chain));
    o.untrusted = chain;
    if (crl != NULL) {
        assert_true(sk_X509_CRL_push(crls, crl) > 0);
        o.crls = crls;
    }
    assert_es_ok(es_cert_verify(leaf, &o, &r));
    print_report(r);
    sk_X509_CRL_free(crls);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(trust, X509_free);
    return r;
}

static void test_ca_chain_valid(void **state)
{
    X509 *leaf = issue(ca, "CN=张三,O=示例公司,C=CN");
    es_cert_report *r = verify_ca(ca, leaf, NULL, 0);

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_VALID);
    assert_int_equal(es_cert_report_nproblems(r), 0);
    assert_false(es_cert_report_revocation_checked(r));
    assert_int_equal(sk_X509_num(es_cert_report_get0_chain(r)), 3);
    assert_int_equal(X509_cmp(sk_X509_value(es_cert_report_get0_chain(r), 0), leaf), 0);
    es_cert_report_free(r);
    X509_free(leaf);
}

static void test_ca_crl_checked(void **state)
{
    X509 *leaf = issue(ca, "CN=checked");
    X509_CRL *crl = make_crl(ca, 0);
    es_cert_report *r = verify_ca(ca, leaf, crl, 0);

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_VALID);
    assert_int_equal(es_cert_report_nproblems(r), 0);
    assert_true(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(leaf);
}

static void test_ca_revoked(void **state)
{
    X509 *leaf = issue(ca, "CN=revoked");
    es_time when = es_time_now();
    char iso[ES_TIME_STRLEN], want[128];
    X509_CRL *crl;
    es_cert_report *r;
    const es_cert_problem *p;

    (void)state;
    assert_es_ok(es_ca_revoke(ca, leaf, 1, when));
    crl = make_crl(ca, 0);
    r = verify_ca(ca, leaf, crl, 0);
    assert_es_ok(es_time_format(when, iso));
    snprintf(want, sizeof(want), "revoked at %s (reason keyCompromise)", iso);
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 1);
    p = es_cert_report_problem(r, 0);
    assert_string_equal(p->message, want);
    assert_int_equal(p->depth, 0);
    assert_int_equal(p->x509_error, X509_V_ERR_CERT_REVOKED);
    assert_true(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(leaf);
}

static void test_ca_revoked_unspecified(void **state)
{
    X509 *leaf = issue(ca, "CN=unspecified");
    X509_CRL *crl;
    X509_REVOKED *rev = NULL;
    es_cert_report *r;

    (void)state;
    assert_es_ok(es_ca_revoke(ca, leaf, 0, 0));
    crl = make_crl(ca, 0);
    assert_int_equal(X509_CRL_get0_by_cert(crl, &rev, leaf), 1);
    /* RFC 5280 practice: no reasonCode entry extension for unspecified. */
    assert_int_equal(X509_REVOKED_get_ext_by_NID(rev, NID_crl_reason, -1), -1);
    r = verify_ca(ca, leaf, crl, 0);
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_non_null(find_problem(r, "(reason unspecified)"));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(leaf);
}

static void test_foreign_crl_indeterminate(void **state)
{
    es_ca_init_opts o = {.subject = "CN=Other CA", .root_only = 1, .years = 1};
    es_ca *other = NULL;
    X509 *leaf = issue(ca, "CN=no crl");
    X509_CRL *crl;
    es_cert_report *r;
    const es_cert_problem *p;

    (void)state;
    assert_es_ok(es_ca_init(tu_tmp("other"), &o, PASS, &other));
    crl = make_crl(other, 0);
    r = verify_ca(ca, leaf, crl, 0);
    assert_int_equal(es_cert_report_verdict(r), ES_INDETERMINATE);
    p = find_problem(r, "no CRL from its issuer");
    assert_non_null(p);
    assert_int_equal(p->depth, 0);
    assert_true(p->indeterminate);
    assert_false(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(leaf);
    es_ca_free(other);
}

static void test_stale_crl_indeterminate(void **state)
{
    X509 *leaf = issue(ca, "CN=stale");
    X509_CRL *crl = make_crl(ca, 7);
    es_cert_report *r = verify_ca(ca, leaf, crl, es_time_now() + 10 * 86400);

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INDETERMINATE);
    assert_non_null(find_problem(r, "CRL is out of date (nextUpdate "));
    assert_false(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(leaf);
}

static X509_CRL *tampered_crl(X509_CRL *crl)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int n = i2d_X509_CRL(crl, &der);
    X509_CRL *t;

    assert_true(n > 0);
    der[n - 1] ^= 0x01;
    p = der;
    t = d2i_X509_CRL(NULL, &p, n);
    assert_non_null(t);
    OPENSSL_free(der);
    return t;
}

static void test_crl_bad_signature(void **state)
{
    X509 *leaf = issue(ca, "CN=bad crl");
    X509_CRL *crl = make_crl(ca, 0), *bad = tampered_crl(crl);
    es_cert_report *r = verify_ca(ca, leaf, bad, 0);

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_non_null(find_problem(r, "CRL has a signature that does not verify"));
    assert_false(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    X509_CRL_free(bad);
    X509_CRL_free(crl);
    X509_free(leaf);
}

/* A CRL signed the way OpenSSL 3.0 signs by default (empty SM2 ID) is accepted too. */
static void test_crl_empty_id_accepted(void **state)
{
    X509 *leaf = issue(ca, "CN=empty id");
    X509_CRL *crl = make_crl(ca, 0);
    es_key *k = NULL;
    char path[4096];
    es_cert_report *r;

    (void)state;
    snprintf(path, sizeof(path), "%s", tu_tmp("ca/private/issuing.key"));
    assert_es_ok(es_key_read_file(path, PASS, &k));
    assert_true(X509_CRL_sign(crl, es_key_get0_pkey(k), EVP_sm3()) > 0);
    r = verify_ca(ca, leaf, crl, 0);
    assert_int_equal(es_cert_report_verdict(r), ES_VALID);
    assert_true(es_cert_report_revocation_checked(r));
    es_cert_report_free(r);
    es_key_free(k);
    X509_CRL_free(crl);
    X509_free(leaf);
}

static void test_root_only_crl(void **state)
{
    es_ca_init_opts o = {.subject = "CN=Flat Root", .root_only = 1, .years = 2};
    es_ca *flat = NULL;
    X509 *leaf, *other;
    X509_CRL *crl;
    es_cert_report *r;

    (void)state;
    assert_es_ok(es_ca_init(tu_tmp("flat"), &o, PASS, &flat));
    leaf = issue(flat, "CN=flat leaf");
    other = issue(flat, "CN=flat revoked");
    assert_es_ok(es_ca_revoke(flat, other, 5, 0));
    crl = make_crl(flat, 1);
    r = verify_ca(flat, leaf, crl, 0);
    assert_int_equal(es_cert_report_verdict(r), ES_VALID);
    assert_true(es_cert_report_revocation_checked(r));
    assert_int_equal(sk_X509_num(es_cert_report_get0_chain(r)), 2);
    es_cert_report_free(r);
    r = verify_ca(flat, other, crl, 0);
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_non_null(find_problem(r, "(reason cessationOfOperation)"));
    es_cert_report_free(r);
    X509_CRL_free(crl);
    X509_free(other);
    X509_free(leaf);
    es_ca_free(flat);
}

static void test_ca_tampered(void **state)
{
    X509 *leaf = issue(ca, "CN=tampered"), *bad = tampered(leaf);
    es_cert_report *r = verify_ca(ca, bad, NULL, 0);
    const es_cert_problem *p;

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 1);
    p = es_cert_report_problem(r, 0);
    assert_string_equal(p->message, "signature does not verify with the issuer's public key");
    assert_int_equal(p->depth, 0);
    es_cert_report_free(r);
    X509_free(bad);
    X509_free(leaf);
}

static void test_not_yet_valid(void **state)
{
    X509 *leaf = issue(ca, "CN=early");
    es_cert_report *r = verify_ca(ca, leaf, NULL, at("2001-01-01"));
    const es_cert_problem *p;

    (void)state;
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 3); /* leaf, issuing CA and root */
    p = find_problem(r, "not yet valid (valid from ");
    assert_non_null(p);
    es_cert_report_free(r);
    X509_free(leaf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_2021),
        cmocka_unit_test(test_sample_2024_expired),
        cmocka_unit_test(test_sample_tampered),
        cmocka_unit_test(test_unknown_issuer_is_indeterminate),
        cmocka_unit_test(test_no_trust_anchor),
        cmocka_unit_test(test_verdict_names),
        cmocka_unit_test(test_ca_chain_valid),
        cmocka_unit_test(test_ca_crl_checked),
        cmocka_unit_test(test_ca_revoked),
        cmocka_unit_test(test_ca_revoked_unspecified),
        cmocka_unit_test(test_foreign_crl_indeterminate),
        cmocka_unit_test(test_stale_crl_indeterminate),
        cmocka_unit_test(test_crl_bad_signature),
        cmocka_unit_test(test_crl_empty_id_accepted),
        cmocka_unit_test(test_root_only_crl),
        cmocka_unit_test(test_ca_tampered),
        cmocka_unit_test(test_not_yet_valid),
    };

    return cmocka_run_group_tests(tests, setup_ca, teardown_ca);
}
