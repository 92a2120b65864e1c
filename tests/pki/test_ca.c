/* Tests of the eseal CA: directory layout, certificates openssl accepts, revocation, CRLs. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PASS   "ca test 口令"
#define DISTID "-vfyopt distid:1234567812345678"

static es_ca *ca; /* two-level CA with a CRL URL, made in setup */
static es_key *subject_key;
static char cadir[4096];

static int setup(void **state)
{
    es_ca_init_opts o = {.subject = "CN=eseal Test Root CA,O=eseal,C=CN",
                         .crl_url = "http://crl.example.test/issuing.crl"};

    (void)state;
    snprintf(cadir, sizeof(cadir), "%s", tu_tmp("ca"));
    if (es_ca_init(cadir, &o, PASS, &ca) != ES_OK || es_key_generate_sm2(&subject_key) != ES_OK) {
        print_error("setup: %s\n", es_errdetail());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_ca_free(ca);
    es_key_free(subject_key);
    return 0;
}

/*
 * Paths in rotating static buffers, so that one call can take several (tu_tmp has one buffer,
 * and the order in which arguments are evaluated is unspecified).
 */
static const char *rotating(const char *dir, const char *rel)
{
    static char bufs[4][sizeof(cadir) + 64];
    static unsigned next;
    char *b = bufs[next++ % 4];

    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, rel);
    return b;
}

/* "<cadir>/<rel>" and "<test tmp dir>/<rel>". */
static const char *ca_file(const char *rel)
{
    return rotating(cadir, rel);
}

static const char *tmp(const char *rel)
{
    return rotating(tu_tmpdir(), rel);
}

static X509 *issue(es_ca *c, es_cert_profile profile, const char *subject)
{
    es_ca_issue_opts o = {.profile = profile, .subject = subject, .pubkey = subject_key};
    X509 *x = NULL;

    assert_es_ok(es_ca_issue(c, &o, &x));
    return x;
}

static void write_cert(const char *path, const X509 *x)
{
    es_buf b = {0};

    assert_es_ok(es_cert_write(x, 1, &b));
    tu_write(path, b.data, b.len);
    es_buf_free(&b);
}

static void write_crl(const char *path, const X509_CRL *crl)
{
    es_buf b = {0};

    assert_es_ok(es_crl_write(crl, 1, &b));
    tu_write(path, b.data, b.len);
    es_buf_free(&b);
}

static void assert_mode(const char *path, unsigned mode)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    if ((st.st_mode & 0777) != mode)
        fail_msg("%s has mode %o, expected %o", path, st.st_mode & 0777, mode);
}

/* The extension nid of x, asserting its presence and criticality. */
static void *ext_d2i(const X509 *x, int nid, int critical)
{
    int crit = -1;
    void *v = X509_get_ext_d2i(x, nid, &crit, NULL);

    if (v == NULL)
        fail_msg("no %s extension", OBJ_nid2sn(nid));
    assert_int_equal(crit, critical);
    return v;
}

static void test_layout(void **state)
{
    es_buf key = {0};

    (void)state;
    assert_mode(ca_file("private"), 0700);
    assert_mode(ca_file("private/root.key"), 0600);
    assert_mode(ca_file("private/issuing.key"), 0600);
    assert_mode(ca_file("root.pem"), 0644);
    assert_mode(ca_file("issuing.pem"), 0644);
    assert_mode(ca_file("ca.conf"), 0644);
    assert_mode(ca_file("index.txt"), 0644);
    assert_mode(ca_file("crlnumber"), 0644);
    assert_mode(ca_file("certs"), 0755);
    key = tu_read(ca_file("private/root.key"));
    assert_non_null(strstr((const char *)key.data, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    es_buf_free(&key);
    assert_int_equal(
        tu_run("grep -qx 'crl_url=http://crl.example.test/issuing.crl' '%s'", ca_file("ca.conf")),
        0);
}

static void test_ca_certificates(void **state)
{
    X509 *root = es_ca_get0_root(ca), *issuing = es_ca_get0_issuer(ca);
    BASIC_CONSTRAINTS *bc;

    (void)state;
    assert_ptr_not_equal(root, issuing);
    assert_int_equal(X509_get_version(root), X509_VERSION_3);
    assert_int_equal(X509_get_signature_nid(root), NID_SM2_with_SM3);
    bc = ext_d2i(root, NID_basic_constraints, 1);
    assert_true(bc->ca);
    assert_null(bc->pathlen);
    BASIC_CONSTRAINTS_free(bc);
    bc = ext_d2i(issuing, NID_basic_constraints, 1);
    assert_true(bc->ca);
    assert_int_equal(ASN1_INTEGER_get(bc->pathlen), 0);
    BASIC_CONSTRAINTS_free(bc);
    assert_int_equal(X509_get_key_usage(root), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    assert_int_equal(X509_get_key_usage(issuing), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    assert_non_null(X509_get0_subject_key_id(root));
    assert_int_equal(
        ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(issuing), X509_get0_subject_key_id(root)),
        0);
    assert_int_equal(X509_check_issued(root, issuing), X509_V_OK);
    /* The derived issuing subject. */
    assert_int_equal(tu_run("openssl x509 -in '%s' -noout -subject -nameopt utf8,sep_comma_plus | "
                            "grep -q 'CN=eseal Test Root CA Issuing CA,O=eseal,C=CN'",
                            ca_file("issuing.pem")),
                     0);
    /* Same notAfter, 20 years by default. */
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(root), X509_get0_notAfter(issuing)), 0);
}

static void test_openssl_verifies_chain(void **state)
{
    X509 *leaf = issue(ca, ES_PROFILE_SIGNER, "CN=张三,O=示例公司,C=CN");

    (void)state;
    write_cert(tmp("signer.pem"), leaf);
    /*
     * OpenSSL 3.0's -vfyopt distid applies to the target certificate only, so an SM2
     * intermediate from -untrusted fails there (openssl/openssl#23471). Check each link.
     */
    assert_int_equal(tu_run("openssl verify " DISTID " -CAfile '%s' '%s'", ca_file("root.pem"),
                            ca_file("issuing.pem")),
                     0);
    assert_int_equal(tu_run("openssl verify " DISTID " -partial_chain -CAfile '%s' '%s'",
                            ca_file("issuing.pem"), tmp("signer.pem")),
                     0);
    /* Without the ID, the signature must not verify: the ID really is in the signature. */
    assert_int_not_equal(tu_run("openssl verify -partial_chain -CAfile '%s' '%s' 2>/dev/null",
                                ca_file("issuing.pem"), tmp("signer.pem")),
                         0);
    X509_free(leaf);
}

static void test_root_only_openssl(void **state)
{
    es_ca_init_opts o = {.subject = "CN=Flat Root", .root_only = 1, .years = 2};
    es_ca *flat = NULL;
    STACK_OF(X509) *chain = NULL;
    X509 *leaf;

    (void)state;
    assert_es_ok(es_ca_init(tmp("flat"), &o, PASS, &flat));
    assert_ptr_equal(es_ca_get0_issuer(flat), es_ca_get0_root(flat));
    assert_es_ok(es_ca_chain(flat, &chain));
    assert_int_equal(sk_X509_num(chain), 0);
    sk_X509_free(chain);
    leaf = issue(flat, ES_PROFILE_LOG, "CN=log");
    write_cert(tmp("log.pem"), leaf);
    assert_int_equal(tu_run("openssl verify " DISTID " -CAfile '%s/flat/root.pem' '%s'",
                            tu_tmpdir(), tmp("log.pem")),
                     0);
    assert_int_equal(X509_get_key_usage(leaf), KU_DIGITAL_SIGNATURE);
    assert_int_equal(access(tmp("flat/issuing.pem"), F_OK), -1);
    X509_free(leaf);
    es_ca_free(flat);
}

static void test_chinese_subject_utf8(void **state)
{
    X509 *leaf = issue(ca, ES_PROFILE_SIGNER, "CN=张三,O=示例公司,C=CN");
    const X509_NAME *n = X509_get_subject_name(leaf);
    const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 0));
    const ASN1_STRING *c = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 2));

    (void)state;
    assert_int_equal(ASN1_STRING_type(cn), V_ASN1_UTF8STRING);
    assert_memory_equal(ASN1_STRING_get0_data(cn), "张三", strlen("张三"));
    assert_int_equal(ASN1_STRING_type(c), V_ASN1_PRINTABLESTRING);
    write_cert(tmp("zhang.pem"), leaf);
    assert_int_equal(tu_run("openssl x509 -in '%s' -noout -subject -nameopt utf8,sep_comma_plus | "
                            "grep -q 'CN=张三,O=示例公司,C=CN'",
                            tmp("zhang.pem")),
                     0);
    X509_free(leaf);
}

static void test_serials(void **state)
{
    X509 *a = issue(ca, ES_PROFILE_SIGNER, "CN=a"), *b = issue(ca, ES_PROFILE_SIGNER, "CN=b");
    const ASN1_INTEGER *sa = X509_get0_serialNumber(a), *sb = X509_get0_serialNumber(b);

    (void)state;
    assert_int_not_equal(ASN1_INTEGER_cmp(sa, sb), 0);
    assert_int_equal(ASN1_STRING_length(sa), 16);
    assert_int_equal(ASN1_STRING_length(sb), 16);
    assert_int_equal(ASN1_STRING_type(sa), V_ASN1_INTEGER); /* positive */
    assert_int_not_equal(ASN1_INTEGER_cmp(sa, X509_get0_serialNumber(es_ca_get0_root(ca))), 0);
    X509_free(a);
    X509_free(b);
}

static void test_profiles(void **state)
{
    static const es_cert_profile all[] = {ES_PROFILE_MAKER, ES_PROFILE_SIGNER, ES_PROFILE_TSA,
                                          ES_PROFILE_LOG};
    es_cert_profile got;
    X509 *sample = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        X509 *x = issue(ca, all[i], "CN=profile test");
        BASIC_CONSTRAINTS *bc = ext_d2i(x, NID_basic_constraints, 1);
        ASN1_BIT_STRING *ku = ext_d2i(x, NID_key_usage, 1);
        STACK_OF(DIST_POINT) *cdp = ext_d2i(x, NID_crl_distribution_points, 0);
        CERTIFICATEPOLICIES *pol = ext_d2i(x, NID_certificate_policies, 0);
        uint32_t want = all[i] == ES_PROFILE_LOG ? KU_DIGITAL_SIGNATURE
                                                 : KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION;

        assert_false(bc->ca);
        assert_int_equal(X509_get_key_usage(x), want);
        assert_int_equal(sk_DIST_POINT_num(cdp), 1);
        assert_int_equal(sk_POLICYINFO_num(pol), 1);
        assert_es_ok(es_cert_get_profile(x, &got));
        assert_int_equal(got, all[i]);
        assert_int_equal(X509_check_issued(es_ca_get0_issuer(ca), x), X509_V_OK);
        assert_int_equal(X509_get_extension_flags(x) & EXFLAG_XKUSAGE,
                         all[i] == ES_PROFILE_TSA ? EXFLAG_XKUSAGE : 0);
        BASIC_CONSTRAINTS_free(bc);
        ASN1_BIT_STRING_free(ku);
        sk_DIST_POINT_pop_free(cdp, DIST_POINT_free);
        CERTIFICATEPOLICIES_free(pol);
        X509_free(x);
    }
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &sample));
    assert_es_err(es_cert_get_profile(sample, &got), ES_ERR_NOT_FOUND);
    X509_free(sample);
}

static void test_maker_policy_text(void **state)
{
    X509 *x = issue(ca, ES_PROFILE_MAKER, "CN=Seal Maker");

    (void)state;
    write_cert(tmp("maker.pem"), x);
    assert_int_equal(tu_run("openssl x509 -in '%s' -noout -text | grep -q "
                            "'Policy: 2.25.232003012709744419712516910680222307431.1.1$'",
                            tmp("maker.pem")),
                     0);
    assert_int_equal(tu_run("openssl x509 -in '%s' -noout -text | "
                            "grep -q 'URI:http://crl.example.test/issuing.crl'",
                            tmp("maker.pem")),
                     0);
    X509_free(x);
}

static void test_tsa_eku_critical(void **state)
{
    X509 *x = issue(ca, ES_PROFILE_TSA, "CN=eseal TSA");
    EXTENDED_KEY_USAGE *eku = ext_d2i(x, NID_ext_key_usage, 1);

    (void)state;
    assert_int_equal(sk_ASN1_OBJECT_num(eku), 1);
    assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_time_stamp);
    assert_int_equal(X509_get_extended_key_usage(x), XKU_TIMESTAMP);
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    X509_free(x);
}

static void test_profile_names(void **state)
{
    es_cert_profile p;

    (void)state;
    assert_es_ok(es_cert_profile_from_name("tsa", &p));
    assert_int_equal(p, ES_PROFILE_TSA);
    assert_string_equal(es_cert_profile_name(ES_PROFILE_MAKER), "maker");
    assert_string_equal(es_cert_profile_name(ES_PROFILE_SIGNER), "signer");
    assert_string_equal(es_cert_profile_name(ES_PROFILE_LOG), "log");
    assert_es_err(es_cert_profile_from_name("notary", &p), ES_ERR_ARG);
    assert_es_err(es_cert_profile_from_name("Maker", &p), ES_ERR_ARG);
}

static es_time time_of(const ASN1_TIME *t)
{
    struct tm tm;
    char iso[64];
    es_time out = 0;

    assert_true(ASN1_TIME_to_tm(t, &tm));
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    assert_es_ok(es_time_parse(iso, &out));
    return out;
}

static void test_validity(void **state)
{
    es_ca_issue_opts o = {.profile = ES_PROFILE_SIGNER, .subject = "CN=v", .pubkey = subject_key};
    X509 *issuer = es_ca_get0_issuer(ca), *x = NULL;
    es_time ca_start = time_of(X509_get0_notBefore(issuer));
    es_time ca_end = time_of(X509_get0_notAfter(issuer));

    (void)state;
    assert_es_ok(es_ca_issue(ca, &o, &x)); /* signer: 365 days */
    assert_int_equal(time_of(X509_get0_notAfter(x)) - time_of(X509_get0_notBefore(x)), 365 * 86400);
    X509_free(x);
    o.profile = ES_PROFILE_MAKER; /* maker: 1825 days */
    assert_es_ok(es_ca_issue(ca, &o, &x));
    assert_int_equal(time_of(X509_get0_notAfter(x)) - time_of(X509_get0_notBefore(x)),
                     1825 * 86400);
    X509_free(x);
    o.days = 36500; /* cut to the issuer's notAfter */
    o.not_before = ca_start + 86400;
    assert_es_ok(es_ca_issue(ca, &o, &x));
    assert_int_equal(time_of(X509_get0_notBefore(x)), ca_start + 86400);
    assert_int_equal(time_of(X509_get0_notAfter(x)), ca_end);
    X509_free(x);
    o.not_before = ca_start - 10 * 86400; /* cut to the issuer's notBefore */
    assert_es_ok(es_ca_issue(ca, &o, &x));
    assert_int_equal(time_of(X509_get0_notBefore(x)), ca_start);
    X509_free(x);
    o.days = 5; /* entirely before the issuer */
    assert_es_err(es_ca_issue(ca, &o, &x), ES_ERR_ARG);
    assert_null(x);
    o.not_before = 0;
    o.days = -1;
    assert_es_err(es_ca_issue(ca, &o, &x), ES_ERR_ARG);
    o.days = 0;
    o.subject = "XX=bad";
    assert_es_err(es_ca_issue(ca, &o, &x), ES_ERR_FORMAT);
}

static void test_init_refusals(void **state)
{
    es_ca_init_opts o = {.subject = "CN=x"};
    es_ca *c = NULL;

    (void)state;
    assert_es_err(es_ca_init(cadir, &o, PASS, &c), ES_ERR_EXISTS);
    assert_null(c);
    assert_es_err(es_ca_init(tmp("new1"), &o, "", &c), ES_ERR_ARG);
    assert_es_err(es_ca_init(tmp("new1"), &o, NULL, &c), ES_ERR_ARG);
    o.crl_url = "http://a,b";
    assert_es_err(es_ca_init(tmp("new1"), &o, PASS, &c), ES_ERR_ARG);
    o.crl_url = NULL;
    o.subject = NULL;
    assert_es_err(es_ca_init(tmp("new1"), &o, PASS, &c), ES_ERR_ARG);
    o.subject = "XX=bad";
    assert_es_err(es_ca_init(tmp("new1"), &o, PASS, &c), ES_ERR_FORMAT);
    o.subject = "CN=same";
    o.issuing_subject = "CN=same";
    assert_es_err(es_ca_init(tmp("new1"), &o, PASS, &c), ES_ERR_ARG);
    /* Nothing was created by the refused calls. */
    assert_int_equal(access(tmp("new1"), F_OK), -1);
}

static void test_open(void **state)
{
    es_ca *c = NULL;
    X509 *x;

    (void)state;
    assert_es_err(es_ca_open(cadir, "wrong password", &c), ES_ERR_PASSWORD);
    assert_null(c);
    assert_es_err(es_ca_open(tu_tmpdir(), PASS, &c), ES_ERR_IO);
    assert_es_ok(es_ca_open(cadir, PASS, &c));
    assert_int_equal(X509_cmp(es_ca_get0_root(c), es_ca_get0_root(ca)), 0);
    assert_int_equal(X509_cmp(es_ca_get0_issuer(c), es_ca_get0_issuer(ca)), 0);
    x = issue(c, ES_PROFILE_SIGNER, "CN=from a reopened CA");
    assert_int_equal(X509_check_issued(es_ca_get0_issuer(ca), x), X509_V_OK);
    X509_free(x);
    es_ca_free(c);
}

/* A certificate with x's issuer and serial but another key and signature. */
static X509 *forged(const X509 *x)
{
    X509 *f = X509_dup(x);
    es_key *k = NULL;

    assert_non_null(f);
    assert_es_ok(es_key_generate_sm2(&k));
    assert_int_equal(X509_set_pubkey(f, es_key_get0_pkey(k)), 1);
    assert_true(X509_sign(f, es_key_get0_pkey(k), EVP_sm3()) > 0);
    es_key_free(k);
    return f;
}

static void test_revoke_refusals(void **state)
{
    X509 *leaf = issue(ca, ES_PROFILE_SIGNER, "CN=revoke twice"), *fake = forged(leaf);
    X509 *sample = NULL;

    (void)state;
    assert_es_err(es_ca_revoke(ca, leaf, 7, 0), ES_ERR_ARG);
    assert_es_err(es_ca_revoke(ca, leaf, 8, 0), ES_ERR_ARG);
    assert_es_err(es_ca_revoke(ca, leaf, 11, 0), ES_ERR_ARG);
    assert_es_err(es_ca_revoke(ca, fake, 1, 0), ES_ERR_NOT_FOUND);
    assert_es_ok(es_ca_revoke(ca, leaf, 4, 0));
    assert_es_err(es_ca_revoke(ca, leaf, 1, 0), ES_ERR_STATE);
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &sample));
    assert_es_err(es_ca_revoke(ca, sample, 1, 0), ES_ERR_NOT_FOUND);
    assert_es_err(es_ca_revoke(ca, es_ca_get0_root(ca), 1, 0), ES_ERR_NOT_FOUND);
    X509_free(sample);
    X509_free(fake);
    X509_free(leaf);
}

static void test_reason_names(void **state)
{
    int code = -1;

    (void)state;
    assert_es_ok(es_crl_reason_from_name("keyCompromise", &code));
    assert_int_equal(code, 1);
    assert_es_ok(es_crl_reason_from_name("cessationOfOperation", &code));
    assert_int_equal(code, 5);
    assert_es_ok(es_crl_reason_from_name("aACompromise", &code));
    assert_int_equal(code, 10);
    assert_es_err(es_crl_reason_from_name("sleepy", &code), ES_ERR_ARG);
    assert_es_err(es_crl_reason_from_name("", &code), ES_ERR_ARG);
}

static long crl_number(const X509_CRL *crl)
{
    ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    long v;

    assert_non_null(n);
    v = ASN1_INTEGER_get(n);
    ASN1_INTEGER_free(n);
    return v;
}

static void test_crl_contents(void **state)
{
    X509 *leaf = issue(ca, ES_PROFILE_SIGNER, "CN=in the CRL");
    X509_CRL *a = NULL, *b = NULL;
    X509_REVOKED *rev = NULL;
    ASN1_ENUMERATED *why;
    ASN1_OCTET_STRING *aki_id;
    AUTHORITY_KEYID *aki;

    (void)state;
    assert_es_ok(es_ca_crl(ca, 0, &a));
    assert_es_ok(es_ca_revoke(ca, leaf, 1, 0));
    assert_es_ok(es_ca_crl(ca, 30, &b));
    assert_int_equal(crl_number(b), crl_number(a) + 1);
    assert_int_equal(X509_CRL_get_version(b), X509_CRL_VERSION_2);
    assert_int_equal(X509_CRL_get_signature_nid(b), NID_SM2_with_SM3);
    assert_int_equal(
        X509_NAME_cmp(X509_CRL_get_issuer(b), X509_get_subject_name(es_ca_get0_issuer(ca))), 0);
    assert_int_equal(time_of(X509_CRL_get0_nextUpdate(a)) - time_of(X509_CRL_get0_lastUpdate(a)),
                     7 * 86400);
    assert_int_equal(time_of(X509_CRL_get0_nextUpdate(b)) - time_of(X509_CRL_get0_lastUpdate(b)),
                     30 * 86400);
    assert_true(time_of(X509_CRL_get0_lastUpdate(b)) <= es_time_now());
    assert_int_equal(X509_CRL_get0_by_cert(a, &rev, leaf), 0);
    assert_int_equal(X509_CRL_get0_by_cert(b, &rev, leaf), 1);
    why = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
    assert_non_null(why);
    assert_int_equal(ASN1_ENUMERATED_get(why), 1);
    ASN1_ENUMERATED_free(why);
    aki = X509_CRL_get_ext_d2i(b, NID_authority_key_identifier, NULL, NULL);
    assert_non_null(aki);
    aki_id = aki->keyid;
    assert_int_equal(ASN1_OCTET_STRING_cmp(aki_id, X509_get0_subject_key_id(es_ca_get0_issuer(ca))),
                     0);
    AUTHORITY_KEYID_free(aki);
    X509_CRL_free(a);
    a = NULL;
    assert_es_err(es_ca_crl(ca, -1, &a), ES_ERR_ARG);
    assert_null(a);
    X509_CRL_free(b);
    X509_free(leaf);
}

static void serial_hex(const X509 *x, char *buf, size_t n)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = BN_bn2hex(bn);

    assert_non_null(hex);
    snprintf(buf, n, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
}

/* Write the TBSCertList and the signature value of crl for openssl pkeyutl. */
static void split_crl(const X509_CRL *crl, const char *tbs_path, const char *sig_path)
{
    unsigned char *der = NULL;
    const unsigned char *p, *tbs;
    const ASN1_BIT_STRING *sig = NULL;
    long len;
    int n = i2d_X509_CRL(crl, &der), tag, cls;

    assert_true(n > 0);
    p = der;
    assert_int_equal(ASN1_get_object(&p, &len, &tag, &cls, n) & 0x80, 0);
    tbs = p;
    assert_int_equal(ASN1_get_object(&p, &len, &tag, &cls, n - (p - der)) & 0x80, 0);
    tu_write(tbs_path, tbs, (size_t)(p - tbs) + (size_t)len);
    X509_CRL_get0_signature(crl, &sig, NULL);
    tu_write(sig_path, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
    OPENSSL_free(der);
}

static void test_revoked_openssl_agrees(void **state)
{
    X509 *leaf = issue(ca, ES_PROFILE_SIGNER, "CN=revoked,O=示例公司,C=CN");
    STACK_OF(X509) *trust = sk_X509_new_null(), *chain = NULL;
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
    X509_CRL *crl = NULL;
    es_verify_opts o = {0};
    es_cert_report *r = NULL;
    es_key *issuer_pub = NULL, *issuer_priv = NULL;
    es_buf pub = {0}, index = {0};
    char serial[80], line[128];

    (void)state;
    assert_es_ok(es_ca_revoke(ca, leaf, 1, 0));
    assert_es_ok(es_ca_crl(ca, 0, &crl));
    /* es_cert_verify: invalid, and it says why. */
    assert_true(sk_X509_push(trust, X509_dup(es_ca_get0_root(ca))) > 0);
    assert_es_ok(es_ca_chain(ca, &chain));
    assert_true(sk_X509_CRL_push(crls, crl) > 0);
    o.trust = trust;
    o.untrusted = chain;
    o.crls = crls;
    assert_es_ok(es_cert_verify(leaf, &o, &r));
    assert_int_equal(es_cert_report_verdict(r), ES_INVALID);
    assert_int_equal(es_cert_report_nproblems(r), 1);
    assert_non_null(strstr(es_cert_report_problem(r, 0)->message, "(reason keyCompromise)"));
    assert_true(es_cert_report_revocation_checked(r));
    /* openssl reads the same entry from the CRL. */
    write_cert(tmp("revoked.pem"), leaf);
    write_crl(tmp("revoked.crl"), crl);
    serial_hex(leaf, serial, sizeof(serial));
    assert_int_equal(tu_run("openssl crl -in '%s' -noout -text | grep -A4 'Serial Number: %s' | "
                            "grep -q 'Key Compromise'",
                            tmp("revoked.crl"), serial),
                     0);
    /* The CRL signature is a standard SM2 one with the GM/T 0009 ID (openssl pkeyutl). */
    split_crl(crl, tmp("crl.tbs"), tmp("crl.sig"));
    assert_es_ok(es_key_from_cert(es_ca_get0_issuer(ca), &issuer_pub));
    assert_es_ok(es_key_write_public(issuer_pub, 1, &pub));
    tu_write(tmp("issuing.pub"), pub.data, pub.len);
    assert_int_equal(tu_run("openssl pkeyutl -verify -pubin -inkey '%s' -rawin -digest sm3 "
                            "-pkeyopt distid:1234567812345678 -in '%s' -sigfile '%s'",
                            tmp("issuing.pub"), tmp("crl.tbs"), tmp("crl.sig")),
                     0);
    /*
     * openssl verify -crl_check checks CRL signatures with an empty SM2 ID only (OpenSSL 3.0);
     * given the same CRL signed that way, it agrees the certificate is revoked.
     */
    assert_es_ok(es_key_read_file(ca_file("private/issuing.key"), PASS, &issuer_priv));
    assert_true(X509_CRL_sign(crl, es_key_get0_pkey(issuer_priv), EVP_sm3()) > 0);
    write_crl(tmp("revoked-emptyid.crl"), crl);
    assert_int_equal(tu_run("openssl verify " DISTID " -partial_chain -crl_check -CRLfile '%s' "
                            "-CAfile '%s' '%s' 2>&1 | grep -q 'certificate revoked'",
                            tmp("revoked-emptyid.crl"), ca_file("issuing.pem"), tmp("revoked.pem")),
                     0);
    /* index.txt records it. */
    index = tu_read(ca_file("index.txt"));
    snprintf(line, sizeof(line), "R\t%s\t", serial);
    assert_non_null(strstr((const char *)index.data, line));
    es_buf_free(&index);
    es_buf_free(&pub);
    es_key_free(issuer_pub);
    es_key_free(issuer_priv);
    es_cert_report_free(r);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(trust, X509_free);
    X509_free(leaf);
}

static void test_crls_parse(void **state)
{
    X509_CRL *a = NULL, *b = NULL;
    STACK_OF(X509_CRL) *sk = NULL;
    es_buf pa = {0}, pb = {0}, der = {0};
    unsigned char bundle[16384], *trail;
    size_t n;

    (void)state;
    assert_es_ok(es_ca_crl(ca, 0, &a));
    assert_es_ok(es_ca_crl(ca, 0, &b));
    assert_es_ok(es_crl_write(a, 1, &pa));
    assert_es_ok(es_crl_write(b, 1, &pb));
    assert_true(pa.len + pb.len + 16 < sizeof(bundle));
    n = (size_t)snprintf((char *)bundle, sizeof(bundle), "first\n%.*snext\n%.*s", (int)pa.len,
                         (const char *)pa.data, (int)pb.len, (const char *)pb.data);
    assert_es_ok(es_crls_parse(bundle, n, &sk));
    assert_int_equal(sk_X509_CRL_num(sk), 2);
    assert_int_equal(X509_CRL_cmp(sk_X509_CRL_value(sk, 1), b), 0);
    assert_int_equal(crl_number(sk_X509_CRL_value(sk, 1)), crl_number(a) + 1);
    sk_X509_CRL_pop_free(sk, X509_CRL_free);
    /* One DER CRL; trailing bytes are refused. */
    assert_es_ok(es_crl_write(a, 0, &der));
    assert_int_equal(der.data[0], 0x30);
    assert_es_ok(es_crls_parse(der.data, der.len, &sk));
    assert_int_equal(sk_X509_CRL_num(sk), 1);
    sk_X509_CRL_pop_free(sk, X509_CRL_free);
    trail = malloc(der.len + 1);
    assert_non_null(trail);
    memcpy(trail, der.data, der.len);
    trail[der.len] = 0;
    assert_es_err(es_crls_parse(trail, der.len + 1, &sk), ES_ERR_FORMAT);
    assert_es_err(es_crls_parse(trail, der.len - 1, &sk), ES_ERR_FORMAT);
    free(trail);
    assert_es_err(es_crls_parse((const uint8_t *)"garbage", 7, &sk), ES_ERR_FORMAT);
    assert_es_err(es_crls_parse((const uint8_t *)"", 0, &sk), ES_ERR_FORMAT);
    /* A broken block in a bundle. */
    memcpy(bundle + pa.len - 40, "!!!!", 4);
    assert_es_err(es_crls_parse(bundle + 6, pa.len, &sk), ES_ERR_FORMAT);
    assert_null(sk);
    /* From a file. */
    tu_write(tmp("a.crl"), der.data, der.len);
    assert_es_ok(es_crls_read_file(tmp("a.crl"), &sk));
    assert_int_equal(sk_X509_CRL_num(sk), 1);
    sk_X509_CRL_pop_free(sk, X509_CRL_free);
    assert_es_err(es_crls_read_file(tmp("missing.crl"), &sk), ES_ERR_IO);
    es_buf_free(&pa);
    es_buf_free(&pb);
    es_buf_free(&der);
    X509_CRL_free(a);
    X509_CRL_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_ca_certificates),
        cmocka_unit_test(test_openssl_verifies_chain),
        cmocka_unit_test(test_root_only_openssl),
        cmocka_unit_test(test_chinese_subject_utf8),
        cmocka_unit_test(test_serials),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_maker_policy_text),
        cmocka_unit_test(test_tsa_eku_critical),
        cmocka_unit_test(test_profile_names),
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_init_refusals),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_revoke_refusals),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_crl_contents),
        cmocka_unit_test(test_revoked_openssl_agrees),
        cmocka_unit_test(test_crls_parse),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
