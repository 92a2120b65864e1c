/* PDF: every sample in ../shared/samples/pdf gets the verdict its README gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/pdf.h"
#include "eseal_local.h"
#include "testutil.h"
#include "util/sb.h"

static es_doc_report *verify(const char *rel, const char *trust, const char *at)
{
    es_buf b = tu_read(tu_sample(rel));
    es_pdf_verify_opts o = {0};
    es_doc_report *r = NULL;

    assert_es_ok(es_certs_read_file(tu_sample(trust), &o.chain.trust));
    if (at != NULL) {
        assert_es_ok(es_time_parse(at, &o.chain.at));
        o.chain.has_at = 1;
    }
    assert_es_ok(es_pdf_verify(b.data, b.len, &o, &r));
    sk_X509_pop_free(o.chain.trust, X509_free);
    es_buf_free(&b);
    return r;
}

static es_check_result result(const es_report *r, const char *name)
{
    const es_check *c = es_report_find(r, name);

    if (c == NULL)
        fail_msg("no check %s", name);
    return c->result;
}

static const char *detail(const es_report *r, const char *name)
{
    const es_check *c = es_report_find(r, name);

    return c ? c->detail : "";
}

/* Cryptographically intact: ByteRange, digest and value pass; the last covers the file. */
static void intact(const char *rel, size_t nsigs)
{
    es_doc_report *r = verify(rel, "pki/ROOT_cert.pem", NULL);
    size_t n = es_doc_report_nsignatures(r);

    assert_int_equal(n, nsigs);
    for (size_t i = 0; i < n; i++) {
        const es_report *s = es_doc_report_signature(r, i);
        assert_int_equal(result(s, "pdf.byte_range"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "data.hash"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "signature.value"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "pdf.coverage"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "pdf.modifications"), ES_CHECK_PASSED);
        /* a foreign root: the chain cannot be valid, the document not valid */
        assert_int_not_equal(result(s, "signature.signer_cert"), ES_CHECK_PASSED);
    }
    assert_string_equal(detail(es_doc_report_signature(r, n - 1), "pdf.coverage"), "whole_file");
    es_doc_report_free(r);
}

static void test_signed(void **state)
{
    (void)state;
    intact("pdf/signed/qpdf_digitally-signed.pdf", 1);
    intact("pdf/signed/pyhanko_minimal-signed-twice-both-created.pdf", 2);
    intact("pdf/signed/dss_Signature-P-HU_MIC-1.pdf", 1);
}

static void test_negative(void **state)
{
    es_doc_report *r;

    (void)state;
    r = verify("pdf/negative/dss_pdf-signed-corrupted.pdf", "pki/ROOT_cert.pem", NULL);
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    assert_int_equal(es_doc_report_nsignatures(r), 1);
    assert_int_equal(es_report_status(es_doc_report_signature(r, 0)), ES_INVALID);
    es_doc_report_free(r);
    r = verify("pdf/negative/pyhanko_coverage-anomalies_tail-uncovered.pdf", "pki/ROOT_cert.pem",
               NULL);
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    assert_string_not_equal(detail(es_doc_report_signature(r, 0), "pdf.coverage"), "whole_file");
    es_doc_report_free(r);
}

static void test_sm2(void **state)
{
    static const char *const files[] = {"pdf/sm2/sm2_gm.pdf", "pdf/sm2/sm2_pkcs7.pdf"};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        /* signed (2026-01-02) before its certificates' notBefore: check the chain today */
        es_doc_report *r = verify(files[i], "pdf/sm2/sm2_test_ca.crt", "2026-11-28");
        const es_report *s = es_doc_report_signature(r, 0);
        assert_non_null(s);
        assert_int_equal(result(s, "signature.value"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "data.hash"), ES_CHECK_PASSED);
        assert_int_equal(result(s, "pdf.coverage"), ES_CHECK_PASSED);
        assert_int_not_equal(es_doc_report_status(r), ES_INVALID);
        es_doc_report_free(r);
    }
}

static void test_unsigned(void **state)
{
    static const char *const files[] = {
        "pdf/unsigned/dss_pdf-xref-streams.pdf", "pdf/unsigned/pyhanko_minimal-two-pages.pdf",
        "pdf/unsigned/pyhanko_minimal-xref.pdf", "pdf/unsigned/qpdf_c-object-streams.pdf",
        "pdf/unsigned/qpdf_hybrid-xref.pdf",     "pdf/unsigned/qpdf_page-inherit-mediabox.pdf"};

    (void)state;
    for (size_t i = 0; i < ES__ARRAY_LEN(files); i++) {
        es_doc_report *r = verify(files[i], "pki/ROOT_cert.pem", NULL);
        assert_int_equal(es_doc_report_nsignatures(r), 0);
        assert_int_equal(es_doc_report_status(r), ES_INDETERMINATE);
        es_doc_report_free(r);
    }
}

static void test_junk(void **state)
{
    static const char junk[] = "%PDF-1.4\nthis is not a pdf\n";
    es_pdf_verify_opts o = {0};
    es_doc_report *r = NULL;
    es_pdf *d = NULL;

    (void)state;
    assert_es_ok(es_certs_read_file(tu_sample("pki/ROOT_cert.pem"), &o.chain.trust));
    assert_es_ok(es_pdf_verify((const uint8_t *)junk, sizeof(junk) - 1, &o, &r));
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    assert_int_equal(result(es_doc_report_document(r), "pdf.read"), ES_CHECK_FAILED);
    assert_int_not_equal(es_pdf_open((const uint8_t *)junk, sizeof(junk) - 1, &d), ES_OK);
    es_doc_report_free(r);
    sk_X509_pop_free(o.chain.trust, X509_free);
}

static size_t nsigs_of(const char *const *objs, size_t n)
{
    es_buf in = tu_pdf(objs, n);
    es_pdf *d = NULL;
    size_t r;

    assert_es_ok(es_pdf_open(in.data, in.len, &d));
    r = es_pdf_nsignatures(d);
    es_pdf_free(d);
    free(in.data);
    return r;
}

/*
 * Signature dictionaries outside the form: any object typed /Sig or /DocTimeStamp, or with
 * /ByteRange and /Contents (the refusal to sign certified documents sees them). A page is one only
 * by its keys: qpdf's page list retypes a page that says /Sig as /Page.
 */
static void test_scan(void **state)
{
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          "<< /Type /Sig /Parent 2 0 R /MediaBox [0 0 10 10] >>", "null"};

    (void)state;
    assert_int_equal(nsigs_of(objs, 4), 0);
    objs[2] = "<< /Type /Page /Parent 2 0 R /ByteRange [0 1 2 3] /Contents <00> >>";
    assert_int_equal(nsigs_of(objs, 4), 1);
    objs[2] = "<< /Type /Page /Parent 2 0 R /ByteRange [0 1 2 3] >>";
    assert_int_equal(nsigs_of(objs, 4), 0);
    objs[3] = "<< /Type /Sig /Filter /Adobe.PPKLite >>";
    assert_int_equal(nsigs_of(objs, 4), 1);
    objs[3] = "<< /Type /DocTimeStamp >>";
    assert_int_equal(nsigs_of(objs, 4), 1);
    objs[3] = "<< /Type /Annot /ByteRange [0 1 2 3] /Contents <00> >>";
    assert_int_equal(nsigs_of(objs, 4), 1);
}

/* Page boxes as qpdf reads them: numbers written in any PDF way, a number by reference (qpdf
 * asked item by item), and arrays that are no box (the default 612 x 792). */
static void test_boxes(void **state)
{
    static const struct {
        const char *box;
        double media[4];
    } cases[] = {
        {"[0 0 612 792]", {0, 0, 612, 792}},
        {"[612.5 +792. -0.25 .5]", {-0.25, 0.5, 612.5, 792}},
        {"[-.5 -1 3 4.000000000000000001]", {-0.5, -1, 3, 4.000000000000000001}},
        {"[0 0 4 0 R 100]", {0, 0, 300, 100}},
        {"[0 0 612]", {0, 0, 612, 792}},
        {"[0 0 612 792 5]", {0, 0, 612, 792}},
        {"[0 0 (612) 700]", {0, 0, 612, 792}},
        {"[0 0 /W 700]", {0, 0, 612, 792}},
        {"<< /W 1 >>", {0, 0, 612, 792}},
    };
    char page[128];
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, "300"};

    (void)state;
    for (size_t i = 0; i < ES__ARRAY_LEN(cases); i++) {
        es_buf in;
        es_pdf *d = NULL;

        snprintf(page, sizeof(page), "<< /Type /Page /Parent 2 0 R /MediaBox %s >>", cases[i].box);
        in = tu_pdf(objs, 4);
        assert_es_ok(es_pdf_open(in.data, in.len, &d));
        for (int k = 0; k < 4; k++)
            if (es_pdf_page_get0(d, 0)->media[k] != cases[i].media[k])
                fail_msg("%s: media[%d] %g, not %g", cases[i].box, k,
                         es_pdf_page_get0(d, 0)->media[k], cases[i].media[k]);
        es_pdf_free(d);
        free(in.data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed), cmocka_unit_test(test_negative),
        cmocka_unit_test(test_sm2),    cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_junk),   cmocka_unit_test(test_scan),
        cmocka_unit_test(test_boxes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
