/* Every sample seal and signature of ../shared/samples/seal gets the verdict its README states. */
#include <stdio.h>
#include <string.h>

#include "eseal/ses.h"
#include "testutil.h"

/* The README's verification setting: the ofdrw root trusted, at 2021-06-01. */
static es_ses_verify_opts sample_opts(void)
{
    es_ses_verify_opts o = {0};

    assert_es_ok(es_certs_read_file(tu_sample("pki/ROOT_cert.pem"), &o.chain.trust));
    assert_es_ok(es_time_parse("2021-06-01", &o.chain.at));
    o.chain.has_at = 1;
    return o;
}

static void opts_release(es_ses_verify_opts *o)
{
    sk_X509_pop_free(o->chain.trust, X509_free);
}

static void assert_check(const es_report *r, const char *name, es_check_result want,
                         const char *detail_part)
{
    const es_check *c = es_report_find(r, name);

    if (c == NULL)
        fail_msg("check %s missing", name);
    if (c->result != want)
        fail_msg("check %s: result %d, expected %d (%s)", name, c->result, want, c->detail);
    if (detail_part != NULL && strstr(c->detail, detail_part) == NULL)
        fail_msg("check %s: detail \"%s\" lacks \"%s\"", name, c->detail, detail_part);
}

/* One row of the README's table, as data. */
typedef struct sample {
    const char *file;
    int kind;
    es_ses_version version;
    es_check_result maker_sig, validity; /* validity: seal.validity or time_in_seal_validity */
} sample;

static const sample samples[] = {
    {"seal/UserV4.esl", ES_SES_OBJ_SEAL, ES_SES_V4, ES_CHECK_PASSED, ES_CHECK_PASSED},
    {"seal/UserV1.esl", ES_SES_OBJ_SEAL, ES_SES_V1, ES_CHECK_PASSED, ES_CHECK_PASSED},
    /* v5 is valid from 2026: at 2021-06-01 its validity fails, its signature still verifies. */
    {"seal/UserV5.esl", ES_SES_OBJ_SEAL, ES_SES_V5, ES_CHECK_PASSED, ES_CHECK_FAILED},
    {"seal/SignedValueV4.dat", ES_SES_OBJ_SIGNATURE, ES_SES_V4, ES_CHECK_PASSED, ES_CHECK_PASSED},
};

static void test_sample_table(void **state)
{
    es_ses_verify_opts o = sample_opts();

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        const sample *s = &samples[i];
        es_buf b = tu_read(tu_sample(s->file));
        es_report *r = NULL;
        int kind = 0;

        print_message("sample %s\n", s->file);
        assert_es_ok(es_ses_detect(b.data, b.len, &kind));
        assert_int_equal(kind, s->kind);
        assert_es_ok(es_ses_verify(b.data, b.len, &o, &r));
        assert_check(r, "format", ES_CHECK_PASSED, NULL);
        assert_check(r, "seal.maker_signature", s->maker_sig, NULL);
        /* The ofdrw root lacks keyCertSign: the chain check fails and says so. */
        assert_check(r, "seal.maker_cert", ES_CHECK_FAILED, "keyCertSign");
        assert_check(r,
                     kind == ES_SES_OBJ_SEAL ? "seal.validity" : "signature.time_in_seal_validity",
                     s->validity, NULL);
        assert_int_equal(es_report_status(r), ES_INVALID);
        es_report_free(r);
        es_buf_free(&b);
    }
    opts_release(&o);
}

static void test_v4_fields(void **state)
{
    es_seal *s = NULL;
    X509 *user = NULL, *maker = NULL;
    es_buf png = tu_read(tu_sample("seal/StampImg.png"));
    const uint8_t *pic;
    size_t n;
    char iso[ES_TIME_STRLEN];

    assert_es_ok(es_seal_read_file(tu_sample("seal/UserV4.esl"), &s));
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &user));
    assert_es_ok(es_cert_read_file(tu_sample("pki/SealBuilder_cert.pem"), &maker));
    assert_int_equal(es_seal_version(s), ES_SES_V4);
    assert_int_equal(es_seal_header_version(s), 4);
    assert_string_equal(es_seal_header_id(s), "ES");
    assert_string_equal(es_seal_vid(s), "OFDR&WTest");
    assert_string_equal(es_seal_esid(s), "51f044b76510434e9bc67a1185c2fba5");
    assert_int_equal(es_seal_type(s), 3);
    assert_string_equal(es_seal_name(s), "OFD R&W 测试用印章");
    assert_int_equal(es_seal_cert_list_type(s), ES_SES_CERTLIST_CERTS);
    assert_int_equal(es_seal_ncert(s), 1);
    assert_int_equal(X509_cmp(es_seal_cert_get0(s, 0)->cert, user), 0);
    assert_null(es_seal_cert_get0(s, 1));
    assert_int_equal(X509_cmp(es_seal_get0_maker_cert(s), maker), 0);
    assert_es_ok(es_time_format(es_seal_valid_end(s), iso));
    assert_string_equal(iso, "2022-04-22T02:09:00Z");
    assert_string_equal(es_seal_picture_type(s), "PNG");
    pic = es_seal_picture(s, &n);
    assert_int_equal(n, png.len);
    assert_memory_equal(pic, png.data, n);
    assert_int_equal(es_seal_picture_width(s), 40);
    assert_int_equal(es_seal_picture_height(s), 40);
    assert_string_equal(es_seal_sig_alg(s), ES_SES_OID_SM2_SM3);
    assert_int_equal(es_seal_next_data(s), 0);
    assert_false(es_seal_has_timestamp(s));
    es_seal_der(s, &n);
    assert_int_equal(n, 17011);
    X509_free(user);
    X509_free(maker);
    es_buf_free(&png);
    es_seal_free(s);
}

static void test_v1_v5_fields(void **state)
{
    es_seal *s = NULL;
    char iso[ES_TIME_STRLEN];

    assert_es_ok(es_seal_read_file(tu_sample("seal/UserV1.esl"), &s));
    assert_int_equal(es_seal_version(s), ES_SES_V1);
    /* v1 has no certListType and UTCTime dates. */
    assert_int_equal(es_seal_cert_list_type(s), ES_SES_CERTLIST_CERTS);
    assert_int_equal(es_seal_ncert(s), 1);
    assert_es_ok(es_time_format(es_seal_valid_start(s), iso));
    assert_string_equal(iso, "2020-04-22T02:18:07Z");
    assert_string_equal(es_seal_name(s), "OFDRW测试用印章");
    es_seal_free(s);
    assert_es_ok(es_seal_read_file(tu_sample("seal/UserV5.esl"), &s));
    assert_int_equal(es_seal_version(s), ES_SES_V5);
    assert_int_equal(es_seal_header_version(s), 5);
    assert_string_equal(es_seal_vid(s), "OFDR&WTestV5");
    es_seal_free(s);
}

/* SignedValueV4.dat: the value verifies with USER_cert; its dataHash is 32 zero bytes. */
static void test_signed_value_v4(void **state)
{
    es_ses_verify_opts o = sample_opts();
    es_signature *g = NULL;
    es_report *r = NULL;
    X509 *user = NULL;
    static const uint8_t zeros[32];
    const uint8_t *h;
    size_t n;

    assert_es_ok(es_signature_read_file(tu_sample("seal/SignedValueV4.dat"), &g));
    assert_es_ok(es_cert_read_file(tu_sample("pki/USER_cert.pem"), &user));
    assert_int_equal(X509_cmp(es_signature_get0_signer_cert(g), user), 0);
    assert_string_equal(es_signature_property(g), "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_string_equal(es_seal_esid(es_signature_get0_seal(g)),
                        "51f044b76510434e9bc67a1185c2fba5");
    h = es_signature_data_hash(g, &n);
    assert_int_equal(n, 32);
    assert_memory_equal(h, zeros, 32);
    assert_true(es_signature_has_time(g));
    assert_false(es_signature_has_timestamp(g));

    /* Without data the data check is skipped; with any data it fails. */
    assert_es_ok(es_signature_verify(g, &o, &r));
    assert_check(r, "signature.value", ES_CHECK_PASSED, NULL);
    assert_check(r, "signature.cert_in_seal", ES_CHECK_PASSED, NULL);
    assert_check(r, "signature.signer_cert", ES_CHECK_FAILED, "keyCertSign");
    assert_check(r, "data.hash", ES_CHECK_SKIPPED, NULL);
    es_report_free(r);
    o.data = "<Signature/>";
    o.data_len = 12;
    o.has_data = 1;
    assert_es_ok(es_signature_verify(g, &o, &r));
    assert_check(r, "signature.value", ES_CHECK_PASSED, NULL);
    assert_check(r, "data.hash", ES_CHECK_FAILED, "0000000000000000");
    assert_int_equal(es_report_status(r), ES_INVALID);
    es_report_free(r);
    /* A hash given directly is compared the same way: zeros match zeros. */
    o.has_data = 0;
    o.data_hash = zeros;
    assert_es_ok(es_signature_verify(g, &o, &r));
    assert_check(r, "data.hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    X509_free(user);
    es_signature_free(g);
    opts_release(&o);
}

/* Chain to a root that is not trusted: indeterminate, not invalid. */
static void test_unknown_root(void **state)
{
    es_ses_verify_opts o = sample_opts();
    es_seal *s = NULL;
    es_report *r = NULL;
    const es_check *c;

    sk_X509_pop_free(o.chain.trust, X509_free);
    assert_es_ok(es_certs_read_file(tu_sample("pdf/sm2/sm2_test_ca.crt"), &o.chain.trust));
    assert_es_ok(es_seal_read_file(tu_sample("seal/UserV4.esl"), &s));
    assert_es_ok(es_seal_verify(s, &o, &r));
    c = es_report_find(r, "seal.maker_cert");
    assert_non_null(c);
    assert_int_equal(c->result, ES_CHECK_SKIPPED);
    assert_true(c->indeterminate);
    assert_int_equal(es_report_status(r), ES_INDETERMINATE);
    es_report_free(r);
    es_seal_free(s);
    opts_release(&o);
}

/* Reports in JSON: the exact escaping, and the samples' reports load with python's json. */
static void test_report_json(void **state)
{
    es_report *r = NULL;
    char *j = NULL;

    assert_es_ok(es_report_new(&r));
    assert_int_equal(es_report_status(r), ES_INDETERMINATE);
    assert_es_ok(es_report_add(r, "a", ES_CHECK_PASSED, "q\"b\\s/\n\t\x01\x7f"));
    assert_es_ok(es_report_add(r, "b", ES_CHECK_SKIPPED, "bad \xff\xc0\x80 ok 印 \xe2\x80\xa8"));
    assert_es_ok(es_report_add_indeterminate(r, "c", "%d", 7));
    assert_es_ok(es_report_set_info(r, "k", "v"));
    assert_es_ok(es_report_set_info(r, "k", "w"));
    assert_es_ok(es_report_to_json(r, 0, &j));
    assert_string_equal(j, "{\"status\":\"indeterminate\",\"checks\":["
                           "{\"name\":\"a\",\"result\":\"passed\",\"detail\":"
                           "\"q\\\"b\\\\s/\\n\\t\\u0001\\u007f\"},"
                           "{\"name\":\"b\",\"result\":\"skipped\",\"detail\":"
                           "\"bad \\ufffd\\ufffd\\ufffd ok 印 \\u2028\"},"
                           "{\"name\":\"c\",\"result\":\"skipped\",\"detail\":\"7\","
                           "\"indeterminate\":true}],\"info\":{\"k\":\"w\"}}");
    es_free(j);
    assert_es_ok(es_report_add(r, "d", ES_CHECK_FAILED, "x"));
    assert_int_equal(es_report_status(r), ES_INVALID);
    assert_es_ok(es_report_to_text(r, &j));
    assert_non_null(strstr(j, "status: invalid\n"));
    assert_non_null(strstr(j, "q\"b\\s/??"));
    es_free(j);
    es_report_free(r);
    es_report_free(NULL);
}

static void test_sample_json_loads(void **state)
{
    es_ses_verify_opts o = sample_opts();
    es_buf b = tu_read(tu_sample("seal/SignedValueV4.dat"));
    es_report *r = NULL;
    es_signature *g = NULL;
    char *j = NULL, path[4096];

    assert_es_ok(es_ses_verify(b.data, b.len, &o, &r));
    assert_es_ok(es_report_to_json(r, ES_REPORT_JSON_PRETTY, &j));
    snprintf(path, sizeof(path), "%s", tu_tmp("report.json"));
    tu_write(path, j, strlen(j));
    assert_int_equal(tu_run("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                            "assert d[\"status\"]==\"invalid\" and d[\"checks\"][0][\"name\"]=="
                            "\"format\"' %s",
                            path),
                     0);
    es_free(j);
    assert_es_ok(es_signature_parse(b.data, b.len, &g));
    assert_es_ok(es_signature_to_json(g, &j));
    tu_write(path, j, strlen(j));
    assert_int_equal(tu_run("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                            "assert d[\"seal\"][\"picture\"][\"bytes\"]==15693' %s",
                            path),
                     0);
    es_free(j);
    es_signature_free(g);
    es_report_free(r);
    es_buf_free(&b);
    opts_release(&o);
}

/* What is not a seal: a failed format check from es_ses_verify, ES_ERR_FORMAT from parsers. */
static void test_not_a_seal(void **state)
{
    es_ses_verify_opts o = sample_opts();
    es_buf b = tu_read(tu_sample("pki/ROOT.p12"));
    es_report *r = NULL;
    es_seal *s = NULL;

    assert_es_ok(es_ses_verify(b.data, b.len, &o, &r));
    assert_check(r, "format", ES_CHECK_FAILED, NULL);
    assert_int_equal(es_report_status(r), ES_INVALID);
    es_report_free(r);
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_FORMAT);
    assert_null(s);
    assert_es_err(es_seal_parse((const uint8_t *)"", 0, &s), ES_ERR_FORMAT);
    es_buf_free(&b);
    opts_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_table),      cmocka_unit_test(test_v4_fields),
        cmocka_unit_test(test_v1_v5_fields),      cmocka_unit_test(test_signed_value_v4),
        cmocka_unit_test(test_unknown_root),      cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_sample_json_loads), cmocka_unit_test(test_not_a_seal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
