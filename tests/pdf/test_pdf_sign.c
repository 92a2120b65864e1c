/* PDF signing: every unsigned sample sealed (gm, ses), pades with P-256 and RSA, bytes kept,
 * re-verified, several signers, certification, placement on rotated pages and across pages, and
 * tampering after signing. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "eseal/image.h"
#include "eseal/pdf.h"
#include "pdf/pdf_local.h"
#include "testutil.h"
#include "testutil_pki.h"

/* The seal is drawn with fontconfig, whose process-wide caches LeakSanitizer would report; only
 * fontconfig's own allocations are muted (as tests/image does). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static tu_pki P;
static struct {
    es_seal *seal; /* a 42 mm round seal drawn by eseal (300 dpi keeps the tests quick) */
    STACK_OF(X509) * chain;
    es_pdf_verify_opts vo;
} F;

static int setup(void **state)
{
    (void)state;
    if (tu_pki_init(&P, "PDF") != 0 || es_ca_chain(P.ca, &F.chain) != ES_OK)
        return -1;
    F.vo.chain.untrusted = F.chain; /* a SES_Signature carries no intermediate certificates */
    F.vo.chain.trust = tu_pki_trust(&P);
    return tu_seal_make(&P, 1, "PDF 测试章", NULL, &F.seal) == ES_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    es_seal_free(F.seal);
    sk_X509_pop_free(F.chain, X509_free);
    sk_X509_pop_free(F.vo.chain.trust, X509_free);
    tu_pki_free(&P);
    return 0;
}

static es_pdf_sign_opts opts(es_pdf_format f)
{
    es_pdf_sign_opts o = {.format = f,
                          .seal = F.seal,
                          .key = P.signer_key,
                          .cert = P.signer,
                          .chain = F.chain,
                          .page = 1,
                          .x_mm = 20,
                          .y_mm = 4,
                          .reason = "测试 approval"};
    return o;
}

static es_doc_report *verify(const es_buf *b)
{
    es_doc_report *r = NULL;

    assert_es_ok(es_pdf_verify(b->data, b->len, &F.vo, &r));
    return r;
}

static void dump(const es_doc_report *r)
{
    char *t = NULL;

    if (es_doc_report_to_text(r, &t) == ES_OK)
        fputs(t, stderr);
    es_free(t);
}

/* Every signature valid (the report printed when not). */
static void assert_valid(const es_buf *b, size_t nsigs)
{
    es_doc_report *r = verify(b);

    if (es_doc_report_status(r) != ES_VALID || es_doc_report_nsignatures(r) != nsigs)
        dump(r);
    assert_int_equal(es_doc_report_nsignatures(r), nsigs);
    assert_int_equal(es_doc_report_status(r), ES_VALID);
    es_doc_report_free(r);
}

static es_check_result result(const es_doc_report *r, size_t i, const char *name)
{
    const es_check *c = es_report_find(es_doc_report_signature(r, i), name);

    if (c == NULL)
        fail_msg("signature %zu has no check %s", i, name);
    return c->result;
}

static void sign(const es_buf *in, const es_pdf_sign_opts *o, es_buf *out)
{
    assert_es_ok(es_pdf_sign(in->data, in->len, o, out));
    assert_true(out->len > in->len);
    assert_memory_equal(out->data, in->data, in->len);
}

static void qpdf_check(const es_buf *b)
{
    tu_write(tu_tmp("check.pdf"), b->data, b->len);
    assert_int_equal(tu_run("qpdf --check '%s' >/dev/null", tu_tmp("check.pdf")), 0);
}

/* The last /Contents is the signature as it was read back, in lower-case hex (two digits per
 * byte, as snprintf writes them), then '0's to the end of its room. */
static void assert_contents_hex(const es_buf *b)
{
    es_pdf *d = NULL;
    const char *p = (const char *)b->data, *at = NULL;
    char two[3];

    for (const char *q = p; (q = memmem(q, b->len - (size_t)(q - p), "/Contents <", 11)) != NULL;
         q++)
        at = q + 11;
    assert_non_null(at);
    assert_es_ok(es_pdf_open(b->data, b->len, &d));
    const es_buf *sig = &d->sigs[d->nsigs - 1].contents;
    assert_true(sig->len > 1000);
    for (size_t i = 0; i < sig->len; i++) {
        snprintf(two, sizeof(two), "%02x", sig->data[i]);
        if (memcmp(at + 2 * i, two, 2) != 0)
            fail_msg("/Contents byte %zu is \"%.2s\", not \"%s\"", i, at + 2 * i, two);
    }
    for (at += 2 * sig->len; *at != '>'; at++)
        assert_int_equal(*at, '0');
    es_pdf_free(d);
}

static void test_sign_unsigned_samples(void **state)
{
    static const char *const files[] = {
        "pdf/unsigned/dss_pdf-xref-streams.pdf", "pdf/unsigned/pyhanko_minimal-two-pages.pdf",
        "pdf/unsigned/pyhanko_minimal-xref.pdf", "pdf/unsigned/qpdf_c-object-streams.pdf",
        "pdf/unsigned/qpdf_hybrid-xref.pdf",     "pdf/unsigned/qpdf_page-inherit-mediabox.pdf"};

    (void)state;
    for (size_t i = 0; i < ES__ARRAY_LEN(files); i++) {
        es_buf in = tu_read(tu_sample(files[i])), out = {0};
        es_pdf_sign_opts o = opts(i % 2 ? ES_PDF_SES : ES_PDF_GM);
        es_pdf *d = NULL;
        print_message("%s (%s)\n", files[i], i % 2 ? "ses" : "gm");
        o.x_mm = o.y_mm = 5;
        sign(&in, &o, &out);
        qpdf_check(&out);
        assert_valid(&out, 1);
        assert_contents_hex(&out);
        /* the update uses the file's own cross-reference flavour */
        assert_es_ok(es_pdf_open(in.data, in.len, &d));
        int flavour = es_pdf_xref_is_stream(d);
        es_pdf_free(d);
        assert_es_ok(es_pdf_open(out.data, out.len, &d));
        assert_int_equal(es_pdf_xref_is_stream(d), flavour);
        assert_string_equal(es_pdf_signature_get0(d, 0)->field, "Signature1");
        es_pdf_free(d);
        es_buf_free(&in);
        es_buf_free(&out);
    }
}

/* A signed sample signed again: the earlier signatures stay intact, the new one verifies. */
static void test_sign_signed_sample(void **state)
{
    es_buf in = tu_read(tu_sample("pdf/signed/pyhanko_minimal-signed-twice-both-created.pdf"));
    es_buf out = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);
    es_doc_report *r;

    (void)state;
    sign(&in, &o, &out);
    qpdf_check(&out);
    r = verify(&out);
    assert_int_equal(es_doc_report_nsignatures(r), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(result(r, i, "signature.value"), ES_CHECK_PASSED);
        assert_int_equal(result(r, i, "pdf.modifications"), ES_CHECK_PASSED);
    }
    assert_int_equal(es_report_status(es_doc_report_signature(r, 2)), ES_VALID);
    es_doc_report_free(r);
    es_buf_free(&in);
    es_buf_free(&out);
}

/* Two signers; the first certifies with P=2; P=1 locks the document. */
static void test_sequence_and_certify(void **state)
{
    es_buf in = tu_read(tu_sample("pdf/unsigned/pyhanko_minimal-two-pages.pdf"));
    es_buf one = {0}, two = {0}, three = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);
    es_pdf *d = NULL;

    (void)state;
    o.certify = 2;
    sign(&in, &o, &one);
    o.certify = 0;
    o.format = ES_PDF_SES;
    o.page = 2;
    sign(&one, &o, &two);
    assert_valid(&two, 2);
    assert_es_ok(es_pdf_open(two.data, two.len, &d));
    assert_int_equal(es_pdf_signature_get0(d, 0)->docmdp, 2);
    assert_string_equal(es_pdf_signature_get0(d, 1)->field, "Signature2");
    es_pdf_free(d);
    o.certify = 1;
    assert_es_err(es_pdf_sign(two.data, two.len, &o, &three), ES_ERR_STATE);
    o.format = ES_PDF_GM;
    es_buf_free(&one);
    sign(&in, &o, &one);
    o.certify = 0;
    assert_es_err(es_pdf_sign(one.data, one.len, &o, &three), ES_ERR_STATE);
    o.format = ES_PDF_PADES; /* with an SM2 key */
    assert_es_err(es_pdf_sign(in.data, in.len, &o, &three), ES_ERR_ARG);
    es_buf_free(&in);
    es_buf_free(&one);
    es_buf_free(&two);
}

/* pdfsig (poppler, NSS) accepts the signature: "Signature is Valid" (the test root is unknown). */
static void assert_pdfsig_valid(const es_buf *b)
{
    tu_write(tu_tmp("pades.pdf"), b->data, b->len);
    assert_int_equal(tu_run("pdfsig '%s' 2>&1 | grep -q 'Signature is Valid'", tu_tmp("pades.pdf")),
                     0);
}

/* pades with an EC P-256 and an RSA-3072 signer certified by the SM2 CA; the seal's picture. */
static void test_pades(void **state)
{
    static const es_key_alg_id algs[] = {ES_KEY_EC_P256, ES_KEY_RSA};
    es_buf in = tu_read(tu_sample("pdf/unsigned/qpdf_hybrid-xref.pdf")), out = {0}, bad = {0};

    (void)state;
    for (size_t i = 0; i < ES__ARRAY_LEN(algs); i++) {
        es_key *k = NULL;
        es_pdf_sign_opts o = opts(ES_PDF_PADES);
        es_doc_report *r;
        es_pdf *d = NULL;

        assert_es_ok(es_key_generate(algs[i], &k));
        o.key = k;
        o.cert = tu_pki_issue(&P, ES_PROFILE_SIGNER, "CN=PDF PAdES Signer,C=CN", k);
        assert_non_null(o.cert);
        sign(&in, &o, &out);
        qpdf_check(&out);
        assert_valid(&out, 1);
        assert_pdfsig_valid(&out);
        assert_es_ok(es_pdf_open(out.data, out.len, &d));
        assert_string_equal(es_pdf_signature_get0(d, 0)->subfilter, "ETSI.CAdES.detached");
        es_pdf_free(d);
        /* a changed byte inside the range is caught */
        assert_es_ok(es_buf_set(&bad, out.data, out.len));
        bad.data[in.len / 2] ^= 1;
        r = verify(&bad);
        assert_int_equal(es_doc_report_status(r), ES_INVALID);
        assert_int_equal(result(r, 0, "data.hash"), ES_CHECK_FAILED);
        es_doc_report_free(r);
        /* the SM2 formats refuse the key */
        o.format = ES_PDF_GM;
        assert_es_err(es_pdf_sign(in.data, in.len, &o, &bad), ES_ERR_ARG);
        es_buf_free(&bad);
        es_buf_free(&out);
        X509_free(o.cert);
        es_key_free(k);
    }
    es_buf_free(&in);
}

/* The widget's rectangle: on a page rotated by 90 and for a cross-page seal. */
static void test_placement(void **state)
{
    es_buf in = tu_read(tu_sample("pdf/unsigned/pyhanko_minimal-two-pages.pdf")), out = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);
    es_pdf *d = NULL;

    (void)state;
    o.page = 5;
    assert_es_err(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_ARG);
    o.page = 1;
    o.x_mm = 5000;
    assert_es_err(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_ARG);
    o.x_mm = 10;
    o.cross_page = 1;
    sign(&in, &o, &out);
    assert_valid(&out, 1);
    assert_es_ok(es_pdf_open(out.data, out.len, &d));
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(es_pdf_page_get0(d, i)->nannots, 1);
    es_pdf_free(d);
    es_buf_free(&in);
    es_buf_free(&out);
}

/* A page tree whose pages inherit /MediaBox, /CropBox and /Rotate from two levels of /Pages. */
static es_buf inherit_tree_pdf(void)
{
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        ("<< /Type /Pages /Kids [3 0 R] /Count 2 /MediaBox [0 0 500 400] /CropBox [10 10 490 390]"
         " /Rotate 90 >>"),
        "<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 5 0 R] /Count 2 /Rotate 180 >>",
        "<< /Type /Page /Parent 3 0 R >>",
        "<< /Type /Page /Parent 3 0 R /MediaBox [100 100 0 0] /Rotate -90 >>",
    };

    return tu_pdf(objs, ES__ARRAY_LEN(objs));
}

/*
 * A page written directly in /Kids: qpdf makes it indirect under the number the update would
 * give its first new object, and the old /Kids would still hold the page. Refused, nothing out.
 */
static void test_direct_page_refused(void **state)
{
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>] /Count 1 "
        ">>",
    };
    es_buf in = tu_pdf(objs, ES__ARRAY_LEN(objs)), out = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);

    (void)state;
    assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "page 1 is a direct object"));
    assert_null(out.data);
    es_buf_free(&in);
}

static void assert_page(const es_pdf_page *pg, const double media[4], const double crop[4],
                        int rotate)
{
    for (int i = 0; i < 4; i++) {
        assert_true(pg->media[i] == media[i]);
        assert_true(pg->crop[i] == crop[i]);
    }
    assert_int_equal(pg->rotate, rotate);
}

/* Inherited page attributes: read with every page at open, and by the signer, which reads only
 * the page it places the seal on. */
static void test_inherited_pages(void **state)
{
    static const double media1[4] = {0, 0, 500, 400}, crop1[4] = {10, 10, 490, 390};
    static const double media2[4] = {0, 0, 100, 100}, crop2[4] = {10, 10, 100, 100};
    es_buf in = inherit_tree_pdf(), out = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);
    es_pdf *d = NULL;

    (void)state;
    assert_es_ok(es_pdf_open(in.data, in.len, &d));
    assert_false(es_pdf_was_repaired(d));
    assert_int_equal(es_pdf_npages(d), 2);
    assert_page(es_pdf_page_get0(d, 0), media1, crop1, 180);
    assert_page(es_pdf_page_get0(d, 1), media2, crop2, 270);
    es_pdf_free(d);
    /* page 2 shows 90 x 90 points: the seal does not fit, as the signer finds */
    o.page = 2;
    o.x_mm = o.y_mm = 0;
    assert_es_err(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "page 2 (31.7 x 31.7 mm)"));
    o.page = 1;
    sign(&in, &o, &out);
    qpdf_check(&out);
    assert_valid(&out, 1);
    assert_es_ok(es_pdf_open(out.data, out.len, &d));
    assert_int_equal(es_pdf_page_get0(d, 0)->nannots, 1);
    assert_int_equal(es_pdf_page_get0(d, 1)->nannots, 0);
    es_pdf_free(d);
    es_buf_free(&out);
    free(in.data);
}

/* ---- tampering: later revisions written with eseal's own update writer ---- */

typedef void (*edit_fn)(es__pdf_writer *w, es_pdf *d);

static void update(const es_buf *in, edit_fn fn, es_buf *out)
{
    es_pdf *d = NULL;
    es__pdf_writer w;

    assert_es_ok(es_pdf_open(in->data, in->len, &d));
    assert_es_ok(es__pdf_w_init(&w, d));
    fn(&w, d);
    assert_es_ok(es__pdf_w_finish(&w));
    out->data = (uint8_t *)w.out.p;
    out->len = w.out.len;
    w.out.p = NULL;
    es__pdf_w_release(&w);
    es_pdf_free(d);
}

static void add_page(es__pdf_writer *w, es_pdf *d)
{
    qpdf_oh root = qpdf_get_root(d->q), pages = qpdf_oh_get_key(d->q, root, "/Pages");
    long id = es__pdf_w_new_id(w);
    es__sb kids = ES__PDF_SB_INIT;
    qpdf_oh k = qpdf_oh_get_key(d->q, pages, "/Kids");
    char ref[32], count[32];

    snprintf(ref, sizeof(ref), "%ld 0 R", id);
    snprintf(count, sizeof(count), "%zu", d->npages + 1);
    assert_es_ok(es__pdf_ser(d->q, k, NULL, 0, ref, &kids));
    es__pdf_kv kv[2] = {{"/Kids", (const char *)kids.p}, {"/Count", count}};
    es__pdf_w_begin(w, id);
    es__sb_printf(&w->out, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 200 200] >>",
                  qpdf_oh_get_object_id(d->q, pages));
    es__pdf_w_end(w);
    es__pdf_w_begin(w, qpdf_oh_get_object_id(d->q, pages));
    assert_es_ok(es__pdf_ser(d->q, pages, kv, 2, NULL, &w->out));
    es__pdf_w_end(w);
    es__sb_free(&kids);
}

static void cover_page(es__pdf_writer *w, es_pdf *d)
{
    qpdf_oh pg = qpdf_get_page_n(d->q, 0), an = qpdf_oh_get_key(d->q, pg, "/Annots");
    long id = es__pdf_w_new_id(w);
    es__sb b = ES__PDF_SB_INIT;
    char ref[32];

    snprintf(ref, sizeof(ref), "%ld 0 R", id);
    assert_true(qpdf_oh_is_array(d->q, an) && !qpdf_oh_is_indirect(d->q, an));
    assert_es_ok(es__pdf_ser(d->q, an, NULL, 0, ref, &b));
    es__pdf_kv kv = {"/Annots", (const char *)b.p};
    es__pdf_w_begin(w, id);
    es__sb_str(&w->out, "<< /Type /Annot /Subtype /Square /Rect [0 0 2000 2000] /IC [1 1 1] "
                        "/C [1 1 1] >>");
    es__pdf_w_end(w);
    es__pdf_w_begin(w, qpdf_oh_get_object_id(d->q, pg));
    assert_es_ok(es__pdf_ser(d->q, pg, &kv, 1, NULL, &w->out));
    es__pdf_w_end(w);
    es__sb_free(&b);
}

static void override_ap(es__pdf_writer *w, es_pdf *d)
{
    int fid = d->sigs[0].field_objid;
    qpdf_oh f = qpdf_get_object_by_id(d->q, fid, 0);
    long id = es__pdf_w_new_id(w);
    char ap[64];

    snprintf(ap, sizeof(ap), "<< /N %ld 0 R >>", id);
    es__pdf_kv kv = {"/AP", ap};
    es__pdf_w_begin(w, id);
    es__sb_str(&w->out, "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 0 >>\n"
                        "stream\n\nendstream");
    es__pdf_w_end(w);
    es__pdf_w_begin(w, fid);
    assert_es_ok(es__pdf_ser(d->q, f, &kv, 1, NULL, &w->out));
    es__pdf_w_end(w);
}

static void assert_tampered(const es_buf *b, const char *check)
{
    es_doc_report *r = verify(b);

    if (result(r, 0, check) != ES_CHECK_FAILED)
        dump(r);
    assert_int_equal(result(r, 0, check), ES_CHECK_FAILED);
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    es_doc_report_free(r);
}

static void test_tamper(void **state)
{
    es_buf in = tu_read(tu_sample("pdf/unsigned/pyhanko_minimal-two-pages.pdf"));
    es_buf s = {0}, t = {0};
    es_pdf_sign_opts o = opts(ES_PDF_GM);
    es_pdf *d = NULL;
    char *br;

    (void)state;
    sign(&in, &o, &s);
    assert_valid(&s, 1);
    /* one byte inside the signed range */
    assert_es_ok(es_buf_set(&t, s.data, s.len));
    t.data[in.len / 2] ^= 0x01;
    assert_tampered(&t, "data.hash");
    es_buf_free(&t);
    /* a ByteRange that leaves bytes out: the first range two bytes shorter */
    assert_es_ok(es_buf_set(&t, s.data, s.len));
    assert_es_ok(es_pdf_open(s.data, s.len, &d));
    br = NULL;
    for (size_t i = in.len; br == NULL && i + 14 < t.len; i++)
        if (memcmp(t.data + i, "/ByteRange [0 ", 14) == 0)
            br = (char *)t.data + i;
    assert_non_null(br);
    char num[32];
    snprintf(num, sizeof(num), "%010lld",
             (long long)es_pdf_signature_get0(d, 0)->byte_range[1] - 2);
    memcpy(br + 14, num, 10);
    es_pdf_free(d);
    assert_tampered(&t, "pdf.byte_range");
    es_buf_free(&t);
    update(&s, add_page, &t);
    assert_tampered(&t, "pdf.modifications");
    es_buf_free(&t);
    update(&s, cover_page, &t);
    assert_tampered(&t, "pdf.modifications");
    es_buf_free(&t);
    update(&s, override_ap, &t);
    assert_tampered(&t, "pdf.modifications");
    es_buf_free(&t);
    es_buf_free(&s);
    es_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_unsigned_samples),
        cmocka_unit_test(test_sign_signed_sample),
        cmocka_unit_test(test_sequence_and_certify),
        cmocka_unit_test(test_pades),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_inherited_pages),
        cmocka_unit_test(test_direct_page_refused),
        cmocka_unit_test(test_tamper),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
