/* What real files contain and eseal must read: hand-built variants, v1 signatures, precise errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/ses.h"
#include "testutil.h"

/* ---- A tiny DER builder: every function consumes its es_buf arguments ---- */

static es_buf raw(const void *p, size_t n)
{
    es_buf b = {0};

    assert_es_ok(es_buf_set(&b, p, n));
    return b;
}

static es_buf tlv(uint8_t tag, es_buf c)
{
    uint8_t h[6];
    size_t hl = 2;
    es_buf b = {0};

    h[0] = tag;
    if (c.len < 0x80) {
        h[1] = (uint8_t)c.len;
    } else if (c.len < 0x100) {
        h[1] = 0x81, h[2] = (uint8_t)c.len, hl = 3;
    } else if (c.len < 0x10000) {
        h[1] = 0x82, h[2] = (uint8_t)(c.len >> 8), h[3] = (uint8_t)c.len, hl = 4;
    } else {
        h[1] = 0x83, h[2] = (uint8_t)(c.len >> 16), h[3] = (uint8_t)(c.len >> 8);
        h[4] = (uint8_t)c.len, hl = 5;
    }
    b.data = malloc(hl + c.len);
    assert_non_null(b.data);
    memcpy(b.data, h, hl);
    memcpy(b.data + hl, c.data, c.len);
    b.len = hl + c.len;
    es_buf_free(&c);
    return b;
}

/* Concatenate n buffers (NULL-data buffers are skipped: an absent optional field). */
static es_buf cat(int n, ...)
{
    va_list ap;
    es_buf out = {0}, x;

    out.data = malloc(1);
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        x = va_arg(ap, es_buf);
        out.data = realloc(out.data, out.len + x.len + 1);
        assert_non_null(out.data);
        if (x.len > 0)
            memcpy(out.data + out.len, x.data, x.len);
        out.len += x.len;
        es_buf_free(&x);
    }
    va_end(ap);
    return out;
}

static es_buf str(uint8_t tag, const char *s)
{
    return tlv(tag, raw(s, strlen(s)));
}

static es_buf bits(const uint8_t *p, size_t n)
{
    uint8_t z = 0;

    return tlv(0x03, cat(2, raw(&z, 1), raw(p, n)));
}

static es_buf small_int(uint8_t v)
{
    return tlv(0x02, raw(&v, 1));
}

static es_buf oid_sm2_sm3(void)
{
    static const uint8_t o[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75};

    return tlv(0x06, raw(o, sizeof(o)));
}

static es_buf cert_der(const char *sample)
{
    X509 *x = NULL;
    es_buf b = {0};

    assert_es_ok(es_cert_read_file(tu_sample(sample), &x));
    assert_es_ok(es_cert_write(x, 0, &b));
    X509_free(x);
    return b;
}

/* SM2 signature of tbs with a sample key, as DER or raw r||s. */
static es_buf sign(const char *keyfile, const es_buf *tbs, int rawsig)
{
    es_key *k = NULL;
    es_buf sig = {0};
    uint8_t rs[64];

    assert_es_ok(es_key_read_file(tu_sample(keyfile), NULL, &k));
    assert_es_ok(es_sm2_sign(k, NULL, 0, tbs->data, tbs->len, &sig));
    es_key_free(k);
    if (!rawsig)
        return sig;
    assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, rs));
    es_buf_free(&sig);
    return raw(rs, sizeof(rs));
}

static es_buf copy(const es_buf *b)
{
    return raw(b->data, b->len);
}

/* ExtDatas (untagged, or in [0] EXPLICIT) with critical FALSE written out, which DER would
 * omit, and a critical one. */
static es_buf ext_datas(uint8_t tag)
{
    static const uint8_t oid1[] = {0x2a, 0x03, 0x04}, oid2[] = {0x2a, 0x03, 0x05};
    static const uint8_t f = 0x00, t = 0xff;
    es_buf list = tlv(
        0x30,
        cat(2, tlv(0x30, cat(3, tlv(0x06, raw(oid1, 3)), tlv(0x01, raw(&f, 1)), str(0x04, "v1"))),
            tlv(0x30, cat(3, tlv(0x06, raw(oid2, 3)), tlv(0x01, raw(&t, 1)), str(0x04, "v2")))));

    return tag == 0x30 ? list : tlv(tag, list);
}

/* SES_SealInfo for USER_cert with UTCTime dates, extDatas [0] EXPLICIT, certList as given. */
static es_buf seal_info(int list_type, es_buf cert_list, uint8_t ext_tag)
{
    return tlv(
        0x30,
        cat(5, tlv(0x30, cat(3, str(0x16, "ES"), small_int(4), str(0x16, "tolerance"))),
            str(0x16, "tol-1"),
            tlv(0x30, cat(7, small_int(7), str(0x0c, "容错印章"), small_int((uint8_t)list_type),
                          tlv(0x30, cert_list), str(0x17, "200101000000Z"),
                          str(0x17, "200101000000Z"), str(0x18, "20301231235959Z"))),
            tlv(0x30, cat(4, str(0x16, "PNG"), str(0x04, "\x89PNG\r\n\x1a\n"), small_int(30),
                          small_int(30))),
            ext_datas(ext_tag)));
}

/* A v4 seal by SealBuilder with a raw r||s signature and trailing bytes. */
static es_buf hand_seal(int list_type, es_buf cert_list, uint8_t ext_tag, int trailing)
{
    es_buf info = seal_info(list_type, cert_list, ext_tag),
           sig = sign("pki/SealBuilder_key.pem", &info, 1);
    es_buf seal = tlv(0x30, cat(4, info, tlv(0x04, cert_der("pki/SealBuilder_cert.pem")),
                                oid_sm2_sm3(), bits(sig.data, sig.len)));

    es_buf_free(&sig);
    return trailing ? cat(2, seal, raw("\0\0junk", 6)) : seal;
}

static es_ses_verify_opts opts(void)
{
    es_ses_verify_opts o = {0};

    assert_es_ok(es_certs_read_file(tu_sample("pki/ROOT_cert.pem"), &o.chain.trust));
    assert_es_ok(es_time_parse("2021-06-01", &o.chain.at));
    o.chain.has_at = 1;
    return o;
}

static void expect(const es_report *r, const char *name, es_check_result want, const char *part)
{
    const es_check *c = es_report_find(r, name);

    if (c == NULL || c->result != want || (part != NULL && strstr(c->detail, part) == NULL))
        fail_msg("%s: %s", name, c != NULL ? c->detail : "missing");
}

static void test_tolerated_seal(void **state)
{
    es_ses_verify_opts o = opts();
    es_buf der = hand_seal(1, tlv(0x04, cert_der("pki/USER_cert.pem")), 0xa0, 1);
    es_seal *s = NULL;
    es_report *r = NULL;

    assert_es_ok(es_seal_parse(der.data, der.len, &s));
    assert_int_equal(es_seal_next_data(s), 2);
    assert_false(es_seal_ext_data(s, 0)->critical);
    assert_true(es_seal_ext_data(s, 1)->critical);
    assert_string_equal(es_seal_ext_data(s, 1)->oid, "1.2.3.5");
    assert_es_ok(es_seal_verify(s, &o, &r));
    expect(r, "format", ES_CHECK_PASSED, "trailing bytes ignored");
    expect(r, "seal.maker_signature", ES_CHECK_PASSED, NULL);
    expect(r, "seal.validity", ES_CHECK_PASSED, NULL);
    /* Critical unknown ExtDatas are reported, not fatal. */
    expect(r, "seal.extensions", ES_CHECK_SKIPPED, "1.2.3.5");
    es_report_free(r);
    es_seal_free(s);
    es_buf_free(&der);
    sk_X509_pop_free(o.chain.trust, X509_free);
}

/* certListType 2 with an SM3 and a SHA-256 digest; decided by the type, not the tag. */
static void test_digest_list(void **state)
{
    es_ses_verify_opts o = opts();
    es_buf user = cert_der("pki/USER_cert.pem"), other = cert_der("pki/sign_cert.pem");
    uint8_t md[32], sha[32];
    es_buf list, seal, tbs, sig, der;
    es_signature *g = NULL;
    es_report *r = NULL;

    assert_es_ok(es_sm3(user.data, user.len, md));
    assert_int_equal(EVP_Digest(other.data, other.len, sha, NULL, EVP_sha256(), NULL), 1);
    list = cat(2, tlv(0x30, cat(2, str(0x13, "SHA256"), tlv(0x04, raw(sha, 32)))),
               tlv(0x30, cat(2, str(0x13, "SM3"), tlv(0x04, raw(md, 32)))));
    seal = hand_seal(2, list, 0x30, 0);
    /* TBS_Sign with an untagged extDatas and a [0] EXPLICIT timeStamp after the signature. */
    assert_es_ok(es_sm3("data", 4, md));
    tbs = tlv(0x30, cat(6, small_int(4), seal, str(0x18, "20201012111403Z"), bits(md, 32),
                        str(0x16, "/p"), tlv(0x30, cat(0))));
    sig = sign("pki/USER_key.pem", &tbs, 0);
    der = tlv(0x30, cat(5, tbs, tlv(0x04, copy(&user)), oid_sm2_sm3(), bits(sig.data, sig.len),
                        tlv(0xa0, bits((const uint8_t *)"token", 5))));
    assert_es_ok(es_signature_parse(der.data, der.len, &g));
    assert_int_equal(es_seal_cert_list_type(es_signature_get0_seal(g)), 2);
    assert_string_equal(es_seal_cert_get0(es_signature_get0_seal(g), 0)->digest_type, "SHA256");
    assert_true(es_signature_has_timestamp(g));
    o.data = "data";
    o.data_len = 4;
    o.has_data = 1;
    assert_es_ok(es_signature_verify(g, &o, &r));
    expect(r, "signature.value", ES_CHECK_PASSED, NULL);
    expect(r, "signature.cert_in_seal", ES_CHECK_PASSED, "certList[1] is its digest");
    expect(r, "signature.timestamp", ES_CHECK_SKIPPED, "verified in a later release");
    expect(r, "data.hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    es_signature_free(g);
    es_buf_free(&der);
    es_buf_free(&sig);
    es_buf_free(&user);
    es_buf_free(&other);
    sk_X509_pop_free(o.chain.trust, X509_free);
}

/* A GM/T 0031-2014 signature as ofdrw writes it: China-time text in a BIT STRING. */
static void test_v1_signature(void **state)
{
    es_ses_verify_opts o = opts();
    es_buf seal = tu_read(tu_sample("seal/UserV1.esl")), tbs, sig, der;
    const char *when = "2020-10-12 11:14:03";
    uint8_t md[32];
    es_signature *g = NULL;
    es_report *r = NULL;
    char iso[ES_TIME_STRLEN];

    assert_es_ok(es_sm3("xml", 3, md));
    tbs = tlv(0x30, cat(7, small_int(1), seal, bits((const uint8_t *)when, strlen(when)),
                        bits(md, 32), str(0x16, "/Doc_0/Signs/Sign_0/Signature.xml"),
                        tlv(0x04, cert_der("pki/USER_cert.pem")), oid_sm2_sm3()));
    sig = sign("pki/USER_key.pem", &tbs, 0);
    der = tlv(0x30, cat(2, tbs, bits(sig.data, sig.len)));
    assert_es_ok(es_signature_parse(der.data, der.len, &g));
    assert_int_equal(es_signature_version(g), ES_SES_V1);
    assert_int_equal(es_seal_version(es_signature_get0_seal(g)), ES_SES_V1);
    assert_true(es_signature_has_time(g));
    assert_es_ok(es_time_format(es_signature_time(g), iso));
    assert_string_equal(iso, "2020-10-12T03:14:03Z");
    assert_string_equal(es_signature_time_text(g), when);
    o.data = "xml";
    o.data_len = 3;
    o.has_data = 1;
    assert_es_ok(es_signature_verify(g, &o, &r));
    expect(r, "signature.value", ES_CHECK_PASSED, NULL);
    expect(r, "signature.cert_in_seal", ES_CHECK_PASSED, NULL);
    expect(r, "seal.maker_signature", ES_CHECK_PASSED, NULL);
    expect(r, "signature.time_in_seal_validity", ES_CHECK_PASSED, NULL);
    expect(r, "data.hash", ES_CHECK_PASSED, NULL);
    es_report_free(r);
    es_signature_free(g);
    es_buf_free(&der);
    es_buf_free(&sig);
    sk_X509_pop_free(o.chain.trust, X509_free);
}

/* Malformed input: the error names the field and the offset. */
static void test_precise_errors(void **state)
{
    es_buf good = tu_read(tu_sample("seal/UserV4.esl")), b;
    es_seal *s = NULL;

    b = copy(&good);
    b.data[29] = 0x0c; /* esID as UTF8String */
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "SES_SealInfo.esID at offset 29"));
    es_buf_free(&b);
    b = copy(&good);
    b.data[5] = 0x80; /* indefinite length of SES_SealInfo */
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "indefinite"));
    es_buf_free(&b);
    b = copy(&good);
    b.data[97] = 3; /* certListType 3 */
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_UNSUPPORTED);
    es_buf_free(&b);
    b = copy(&good);
    b.data[16939] = 1; /* one unused bit in signedValue */
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "unused bits"));
    es_buf_free(&b);
    /* Three elements: neither v1 nor v4. */
    b = tlv(0x30, cat(3, str(0x04, "a"), str(0x04, "b"), str(0x04, "c")));
    assert_es_err(es_seal_parse(b.data, b.len, &s), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "has 3 elements"));
    es_buf_free(&b);
    assert_null(s);
    es_buf_free(&good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tolerated_seal),
        cmocka_unit_test(test_digest_list),
        cmocka_unit_test(test_v1_signature),
        cmocka_unit_test(test_precise_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
