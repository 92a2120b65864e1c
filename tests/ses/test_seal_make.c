/* Making seals and signatures with an eseal CA: they verify, the openssl tool agrees, refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/ses.h"
#include "testutil.h"

#define PASS "ses test pass"
#define DAY  86400

/* A two-level CA, a maker, two signers and a certificate of the wrong profile, made once. */
static struct {
    es_ca *ca;
    es_key *maker_key, *signer_key, *other_key;
    X509 *maker, *signer, *other;
    STACK_OF(X509) * trust, *untrusted;
    es_buf png;
    es_time now;
} F;

static X509 *issue(es_cert_profile profile, const char *subject, const es_key *k)
{
    es_ca_issue_opts o = {.profile = profile, .subject = subject, .pubkey = k};
    X509 *x = NULL;

    assert_es_ok(es_ca_issue(F.ca, &o, &x));
    return x;
}

static int setup(void **state)
{
    es_ca_init_opts o = {.subject = "CN=eseal SES Test Root,O=eseal,C=CN"};
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s", tu_tmp("ca"));
    if (es_ca_init(dir, &o, PASS, &F.ca) != ES_OK || es_key_generate_sm2(&F.maker_key) ||
        es_key_generate_sm2(&F.signer_key) || es_key_generate_sm2(&F.other_key) ||
        es_ca_chain(F.ca, &F.untrusted) != ES_OK) {
        print_error("setup: %s\n", es_errdetail());
        return -1;
    }
    F.maker = issue(ES_PROFILE_MAKER, "CN=制章者,O=eseal,C=CN", F.maker_key);
    F.signer = issue(ES_PROFILE_SIGNER, "CN=张三,O=eseal,C=CN", F.signer_key);
    F.other = issue(ES_PROFILE_SIGNER, "CN=李四,O=eseal,C=CN", F.other_key);
    F.trust = sk_X509_new_null();
    X509_up_ref(es_ca_get0_root(F.ca));
    sk_X509_push(F.trust, es_ca_get0_root(F.ca));
    F.png = tu_read(tu_sample("seal/StampImg.png"));
    F.now = es_time_now();
    return 0;
}

static int teardown(void **state)
{
    es_ca_free(F.ca);
    es_key_free(F.maker_key);
    es_key_free(F.signer_key);
    es_key_free(F.other_key);
    X509_free(F.maker);
    X509_free(F.signer);
    X509_free(F.other);
    sk_X509_pop_free(F.trust, X509_free);
    sk_X509_pop_free(F.untrusted, X509_free);
    es_buf_free(&F.png);
    return 0;
}

/* Options for a seal that F.signer may use, valid from yesterday for thirty days. */
static es_seal_make_opts make_opts(STACK_OF(X509) * signers)
{
    es_seal_make_opts o = {.type = 1,
                           .name = "示例有限公司合同专用章",
                           .signers = signers,
                           .valid_start = F.now - DAY,
                           .valid_end = F.now + 30 * DAY,
                           .picture = F.png.data,
                           .picture_len = F.png.len};

    return o;
}

static STACK_OF(X509) * signers(void)
{
    STACK_OF(X509) *sk = sk_X509_new_null();

    X509_up_ref(F.signer);
    sk_X509_push(sk, F.signer);
    return sk;
}

static es_seal *make(int digests, es_buf *der)
{
    STACK_OF(X509) *sk = signers();
    es_seal_make_opts o = make_opts(sk);
    es_seal *s = NULL;

    o.cert_digests = digests;
    assert_es_ok(es_seal_make(&o, F.maker_key, F.maker, der));
    assert_es_ok(es_seal_parse(der->data, der->len, &s));
    sk_X509_pop_free(sk, X509_free);
    return s;
}

static es_ses_verify_opts vopts(void)
{
    es_ses_verify_opts o = {.chain = {.trust = F.trust, .untrusted = F.untrusted}};

    return o;
}

static void expect(const es_report *r, const char *name, es_check_result want, const char *part)
{
    const es_check *c = es_report_find(r, name);

    if (c == NULL || c->result != want || (part != NULL && strstr(c->detail, part) == NULL))
        fail_msg("%s: %s", name, c != NULL ? c->detail : "missing");
}

static void test_make_sign_verify(void **state)
{
    es_buf der = {0}, sig = {0};
    es_seal *s = make(0, &der);
    es_ses_verify_opts o = vopts();
    es_report *r = NULL;
    static const char *const names[] = {"format",
                                        "signature.value",
                                        "signature.cert_in_seal",
                                        "signature.signer_cert",
                                        "seal.maker_signature",
                                        "seal.maker_cert",
                                        "signature.time_in_seal_validity",
                                        "data.hash"};

    assert_int_equal(es_seal_version(s), ES_SES_V4);
    assert_string_equal(es_seal_vid(s), "eseal");
    assert_string_equal(es_seal_name(s), "示例有限公司合同专用章");
    assert_string_equal(es_seal_picture_type(s), "PNG");
    assert_int_equal(es_seal_picture_width(s), 40);
    assert_int_equal(strlen(es_seal_esid(s)), 32);
    assert_int_equal(X509_cmp(es_seal_cert_get0(s, 0)->cert, F.signer), 0);
    assert_es_ok(es_seal_verify(s, &o, &r));
    assert_int_equal(es_report_status(r), ES_VALID);
    expect(r, "seal.validity", ES_CHECK_PASSED, NULL);
    es_report_free(r);

    assert_es_ok(es_seal_sign_data(s, F.signer_key, F.signer, "hello", 5, "/doc", 0, &sig));
    o.data = "hello";
    o.data_len = 5;
    o.has_data = 1;
    assert_es_ok(es_ses_verify(sig.data, sig.len, &o, &r));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        expect(r, names[i], ES_CHECK_PASSED, NULL);
    assert_int_equal(es_report_status(r), ES_VALID);
    es_report_free(r);
    o.data = "hellO";
    assert_es_ok(es_ses_verify(sig.data, sig.len, &o, &r));
    expect(r, "data.hash", ES_CHECK_FAILED, NULL);
    assert_int_equal(es_report_status(r), ES_INVALID);
    es_report_free(r);
    es_buf_free(&sig);
    es_buf_free(&der);
    es_seal_free(s);
}

/* Offset of the first element at depth 1 whose line contains `what` in asn1parse output. */
static long asn1_offset(const char *der_path, const char *what, int last)
{
    char out[4096], line[512];
    long off = -1;
    FILE *f;

    snprintf(out, sizeof(out), "%s.txt", der_path);
    assert_int_equal(tu_run("openssl asn1parse -inform DER -in %s > %s", der_path, out), 0);
    f = fopen(out, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, "d=1") == NULL || strstr(line, what) == NULL)
            continue;
        off = strtol(line, NULL, 10);
        if (!last)
            break;
    }
    fclose(f);
    assert_true(off >= 0);
    return off;
}

/* Verify the signature of an eseal-written object with nothing but the openssl tool. */
static void openssl_check(const es_buf *der, const char *name, const es_key *k)
{
    char obj[3000], pub[4096], tbs[4096], sig[4096];
    es_buf p = {0};
    long tbs_off, sig_off;

    snprintf(obj, sizeof(obj), "%s", tu_tmp(name));
    snprintf(pub, sizeof(pub), "%s.pub", obj);
    snprintf(tbs, sizeof(tbs), "%s.tbs", obj);
    snprintf(sig, sizeof(sig), "%s.sig", obj);
    tu_write(obj, der->data, der->len);
    assert_es_ok(es_key_write_public(k, 1, &p));
    tu_write(pub, p.data, p.len);
    es_buf_free(&p);
    tbs_off = asn1_offset(obj, "SEQUENCE", 0);
    sig_off = asn1_offset(obj, "BIT STRING", 1);
    assert_int_equal(tu_run("openssl asn1parse -inform DER -in %s -strparse %ld -out %s -noout",
                            obj, tbs_off, tbs),
                     0);
    assert_int_equal(tu_run("openssl asn1parse -inform DER -in %s -strparse %ld -out %s -noout",
                            obj, sig_off, sig),
                     0);
    assert_int_equal(tu_run("openssl dgst -sm3 -verify %s -sigopt distid:1234567812345678 "
                            "-signature %s %s",
                            pub, sig, tbs),
                     0);
    /* A flipped byte must make the same command fail: the check above can fail. */
    assert_int_not_equal(
        tu_run("printf '\\001' | dd of=%s bs=1 seek=20 conv=notrunc 2>/dev/null && "
               "openssl dgst -sm3 -verify %s -sigopt distid:1234567812345678 "
               "-signature %s %s",
               tbs, pub, sig, tbs),
        0);
}

static void test_openssl_agrees(void **state)
{
    es_buf der = {0}, sig = {0};
    es_seal *s = make(0, &der);

    openssl_check(&der, "seal.esl", F.maker_key);
    assert_es_ok(es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, "p", 0, &sig));
    openssl_check(&sig, "sig.dat", F.signer_key);
    es_buf_free(&sig);
    es_buf_free(&der);
    es_seal_free(s);
}

static void test_sign_refusals(void **state)
{
    es_buf der = {0}, sig = {0};
    es_seal *s = make(0, &der), *v1 = NULL;
    es_key *user = NULL;
    X509 *usercert = NULL;

    assert_es_err(es_seal_sign_data(s, F.other_key, F.other, "x", 1, NULL, 0, &sig), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "not in the seal's certList"));
    assert_non_null(strstr(es_errdetail(), "李四"));
    assert_non_null(strstr(es_errdetail(), "none of the 1 certList certificates matches"));
    assert_es_err(
        es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, NULL, F.now + 31 * DAY, &sig),
        ES_ERR_STATE);
    assert_es_err(es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, NULL, F.now - 2 * DAY, &sig),
                  ES_ERR_STATE);
    assert_es_err(es_seal_sign_data(s, F.other_key, F.signer, "x", 1, NULL, 0, &sig),
                  ES_ERR_KEY_MISMATCH);
    assert_es_err(es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, "非 ASCII", 0, &sig),
                  ES_ERR_ARG);
    assert_null(sig.data);
    /* eseal writes v4 only: a v1 seal is refused, even with its own signer. */
    assert_es_ok(es_seal_read_file(tu_sample("seal/UserV1.esl"), &v1));
    assert_es_ok(es_key_read_file(tu_sample("pki/USER_key.pem"), NULL, &user));
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &usercert));
    assert_es_err(es_seal_sign_data(v1, user, usercert, "x", 1, NULL, 0, &sig), ES_ERR_UNSUPPORTED);
    es_key_free(user);
    X509_free(usercert);
    es_seal_free(v1);
    es_buf_free(&der);
    es_seal_free(s);
}

static void test_make_refusals(void **state)
{
    STACK_OF(X509) *sk = signers(), *none = sk_X509_new_null();
    es_seal_make_opts o = make_opts(sk);
    es_buf der = {0};

    /* The maker certificate must carry the maker profile: a signer's does not. */
    assert_es_err(es_seal_make(&o, F.signer_key, F.signer, &der), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "maker profile"));
    assert_es_err(es_seal_make(&o, F.signer_key, F.maker, &der), ES_ERR_KEY_MISMATCH);
    o.picture_type = "JPG";
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    o.picture_type = "TIFF";
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    o = make_opts(sk);
    o.valid_end = o.valid_start;
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    o = make_opts(none);
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    o = make_opts(sk);
    o.name = "bad \xff utf-8";
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    o = make_opts(sk);
    o.esid = "印章";
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &der), ES_ERR_ARG);
    assert_null(der.data);
    sk_X509_pop_free(sk, X509_free);
    sk_X509_free(none);
}

/* certListType 2: SM3 digests of the signer certificates. */
static void test_cert_digests(void **state)
{
    es_buf der = {0}, sig = {0}, cert = {0};
    es_seal *s = make(1, &der);
    es_ses_verify_opts o = vopts();
    es_report *r = NULL;
    const es_seal_cert *c;
    uint8_t md[32];

    assert_int_equal(es_seal_cert_list_type(s), ES_SES_CERTLIST_DIGESTS);
    c = es_seal_cert_get0(s, 0);
    assert_null(c->cert);
    assert_string_equal(c->digest_type, "SM3");
    assert_es_ok(es_cert_write(F.signer, 0, &cert));
    assert_es_ok(es_sm3(cert.data, cert.len, md));
    assert_int_equal(c->digest_len, 32);
    assert_memory_equal(c->digest, md, 32);
    assert_es_err(es_seal_sign_data(s, F.other_key, F.other, "x", 1, NULL, 0, &sig), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "none of the 1 certList digests matches"));
    assert_es_ok(es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, NULL, 0, &sig));
    assert_es_ok(es_ses_verify(sig.data, sig.len, &o, &r));
    expect(r, "signature.cert_in_seal", ES_CHECK_PASSED, "digest");
    expect(r, "data.hash", ES_CHECK_SKIPPED, NULL);
    assert_int_equal(es_report_status(r), ES_VALID);
    es_report_free(r);
    es_buf_free(&cert);
    es_buf_free(&sig);
    es_buf_free(&der);
    es_seal_free(s);
}

/* ExtDatas round trip; a critical one is reported without failing; esIDs are unique. */
static void test_ext_and_ids(void **state)
{
    STACK_OF(X509) *sk = signers();
    es_seal_make_opts o = make_opts(sk);
    es_ext_data ext[2] = {{"1.2.156.1.99", 1, (const uint8_t *)"abc", 3},
                          {"1.2.156.1.98", 0, (const uint8_t *)"", 0}};
    es_buf a = {0}, b = {0}, c = {0};
    es_seal *s = NULL, *t = NULL;
    es_ses_verify_opts v = vopts();
    es_report *r = NULL;

    o.ext = ext;
    o.next = 2;
    o.vid = "vendor-1";
    o.width_mm = 42;
    o.height_mm = 38;
    assert_es_ok(es_seal_make(&o, F.maker_key, F.maker, &a));
    o.esid = "33010000000001";
    assert_es_ok(es_seal_make(&o, F.maker_key, F.maker, &b));
    assert_es_ok(es_seal_parse(a.data, a.len, &s));
    assert_es_ok(es_seal_parse(b.data, b.len, &t));
    assert_string_not_equal(es_seal_esid(s), es_seal_esid(t));
    assert_string_equal(es_seal_esid(t), "33010000000001");
    assert_string_equal(es_seal_vid(s), "vendor-1");
    assert_int_equal(es_seal_picture_height(s), 38);
    assert_int_equal(es_seal_next_data(s), 2);
    assert_true(es_seal_ext_data(s, 0)->critical);
    assert_memory_equal(es_seal_ext_data(s, 0)->value, "abc", 3);
    assert_false(es_seal_ext_data(s, 1)->critical);
    assert_es_ok(es_seal_verify(s, &v, &r));
    expect(r, "seal.extensions", ES_CHECK_SKIPPED, "1.2.156.1.99");
    assert_int_equal(es_report_status(r), ES_VALID);
    es_report_free(r);
    o.ext = ext + 1;
    o.next = 1;
    ext[1].oid = "not an oid";
    assert_es_err(es_seal_make(&o, F.maker_key, F.maker, &c), ES_ERR_ARG);
    assert_null(c.data);
    es_seal_free(s);
    es_seal_free(t);
    es_buf_free(&a);
    es_buf_free(&b);
    sk_X509_pop_free(sk, X509_free);
}

/* A seal shown as JSON is valid JSON with the fields of docs/ses.md. */
static void test_show(void **state)
{
    es_buf der = {0};
    es_seal *s = make(0, &der);
    char *j = NULL, path[4096];

    assert_es_ok(es_seal_to_json(s, &j));
    snprintf(path, sizeof(path), "%s", tu_tmp("show.json"));
    tu_write(path, j, strlen(j));
    assert_int_equal(
        tu_run("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
               "assert d[\"certListType\"]==1 and d[\"picture\"][\"type\"]==\"PNG\"' %s",
               path),
        0);
    es_free(j);
    assert_es_ok(es_seal_to_text(s, &j));
    assert_non_null(strstr(j, "name: 示例有限公司合同专用章\n"));
    es_free(j);
    es_buf_free(&der);
    es_seal_free(s);
}

/* A revoked signer certificate, with the CA's CRL given: the signer check fails. */
static void test_revoked_signer(void **state)
{
    es_buf der = {0}, sig = {0};
    es_seal *s = make(0, &der);
    es_ses_verify_opts o = vopts();
    X509_CRL *crl = NULL;
    es_report *r = NULL;

    assert_es_ok(es_seal_sign_data(s, F.signer_key, F.signer, "x", 1, NULL, 0, &sig));
    assert_es_ok(es_ca_revoke(F.ca, F.signer, 1, 0));
    assert_es_ok(es_ca_crl(F.ca, 7, &crl));
    o.chain.crls = sk_X509_CRL_new_null();
    sk_X509_CRL_push(o.chain.crls, crl);
    assert_es_ok(es_ses_verify(sig.data, sig.len, &o, &r));
    expect(r, "signature.signer_cert", ES_CHECK_FAILED, "revoked");
    expect(r, "seal.maker_cert", ES_CHECK_PASSED, "revocation checked");
    assert_int_equal(es_report_status(r), ES_INVALID);
    es_report_free(r);
    sk_X509_CRL_pop_free(o.chain.crls, X509_CRL_free);
    es_buf_free(&sig);
    es_buf_free(&der);
    es_seal_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_sign_verify),
        cmocka_unit_test(test_openssl_agrees),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_make_refusals),
        cmocka_unit_test(test_cert_digests),
        cmocka_unit_test(test_ext_and_ids),
        cmocka_unit_test(test_show),
        /* Last: it revokes the signer. */
        cmocka_unit_test(test_revoked_signer),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
