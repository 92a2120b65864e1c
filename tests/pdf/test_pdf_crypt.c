/* Encrypted PDFs (standard security handler R2-R6): file keys against qpdf's, signing with the
 * user or owner password (qpdf --check, decrypted strings, the picture rendered, verified),
 * refusals without or with a wrong password, restricted permissions, other security handlers. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "eseal/image.h"
#include "eseal/pdf.h"
#include "pdf/pdf_local.h"
#include "testutil.h"

#define PASS   "pdf-crypt-pass"
#define SAMPLE "pdf/unsigned/pyhanko_minimal-xref.pdf"

/* fontconfig's process-wide caches (the picture's text) are not leaks of eseal. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static struct {
    es_ca *ca;
    es_key *key;
    X509 *cert;
    STACK_OF(X509) * chain;
    es_buf png;
    es_pdf_verify_opts vo;
} F;

/* The encryptions qpdf writes: V1 R2, V2 R3, V4 R4 (RC4 and AESV2), V5 R5 and R6 (AESV3). */
static const struct {
    const char *name, *args;
} ENC[] = {
    {"rc4-40 (R2)", "--allow-weak-crypto --encrypt USER OWNER 40"},
    {"rc4-128 (R3)", "--allow-weak-crypto --encrypt USER OWNER 128 --use-aes=n"},
    {"rc4-128 (R4)", "--allow-weak-crypto --encrypt USER OWNER 128 --use-aes=n --force-V4"},
    {"aes-128 (R4)", "--encrypt USER OWNER 128 --use-aes=y"},
    {"aes-256 (R5)", "--encrypt USER OWNER 256 --force-R5"},
    {"aes-256 (R6)", "--encrypt USER OWNER 256"},
};

static int setup(void **state)
{
    es_ca_init_opts o = {.subject = "CN=eseal PDF Crypt Root,O=eseal,C=CN"};
    es_image_round_opts ro = {.name = "易印测试有限公司", .text = "合同专用章", .dpi = 150};
    es_ca_issue_opts io = {.profile = ES_PROFILE_SIGNER, .subject = "CN=PDF Crypt Signer,C=CN"};
    char dir[4096];

    (void)state;
    snprintf(dir, sizeof(dir), "%s", tu_tmp("crypt-ca"));
    if (es_ca_init(dir, &o, PASS, &F.ca) != ES_OK || es_key_generate_sm2(&F.key) ||
        es_ca_chain(F.ca, &F.chain) || es_image_round(&ro, &F.png) != ES_OK)
        return -1;
    io.pubkey = F.key;
    if (es_ca_issue(F.ca, &io, &F.cert) != ES_OK)
        return -1;
    F.vo.chain.untrusted = F.chain;
    F.vo.chain.trust = sk_X509_new_null();
    X509_up_ref(es_ca_get0_root(F.ca));
    sk_X509_push(F.vo.chain.trust, es_ca_get0_root(F.ca));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    es_ca_free(F.ca);
    es_key_free(F.key);
    X509_free(F.cert);
    es_buf_free(&F.png);
    sk_X509_pop_free(F.chain, X509_free);
    sk_X509_pop_free(F.vo.chain.trust, X509_free);
    return 0;
}

static es_pdf_sign_opts opts(const char *password)
{
    es_pdf_sign_opts o = {.format = ES_PDF_GM,
                          .image = F.png.data,
                          .image_len = F.png.len,
                          .key = F.key,
                          .cert = F.cert,
                          .chain = F.chain,
                          .page = 1,
                          .x_mm = 5,
                          .y_mm = 5,
                          .reason = "测试 approval",
                          .password = password};
    return o;
}

/* The sample encrypted by qpdf with args, as tmp/enc.pdf. */
static es_buf encrypt_sample(const char *sample, const char *args)
{
    assert_int_equal(tu_run("qpdf %s -- '%s' '%s'", args, tu_sample(sample), tu_tmp("enc.pdf")), 0);
    return tu_read(tu_tmp("enc.pdf"));
}

/* Known answer: the file key computed from pw is the one qpdf shows for tmp/enc.pdf. */
static void assert_key_is_qpdfs(const es_buf *in, const char *pw)
{
    es_pdf *d = NULL;
    es__pdf_crypt c;
    uint8_t want[32];
    es_buf hex;
    size_t n;

    assert_int_equal(tu_run("qpdf --show-encryption --show-encryption-key --password=%s '%s' | "
                            "sed -n 's/^Encryption key = //p' >'%s'",
                            pw, tu_tmp("enc.pdf"), tu_tmp("key.txt")),
                     0);
    hex = tu_read(tu_tmp("key.txt"));
    assert_true(hex.len > 10);
    hex.data[hex.len - 1] = 0; /* the newline */
    n = tu_unhex((const char *)hex.data, want, sizeof(want));
    assert_es_ok(es_pdf_open_password(in->data, in->len, pw, &d));
    assert_es_ok(es__pdf_crypt_init(d->q, pw, &c));
    assert_int_equal(c.nkey, n);
    assert_memory_equal(c.key, want, n);
    assert_int_equal(c.owner, strcmp(pw, "OWNER") == 0);
    es_pdf_free(d);
    es_buf_free(&hex);
}

/* Red pixels of page 1 rendered at 72 dpi (pixels are points) inside and outside box. */
static void red_pixels(const char *pdf, const double box[4], size_t *in, size_t *out)
{
    es_buf ppm;
    int w = 0, h = 0, off = 0;

    assert_int_equal(
        tu_run("pdftoppm -upw USER -r 72 -f 1 -l 1 -singlefile '%s' '%s'", pdf, tu_tmp("render")),
        0);
    ppm = tu_read(tu_tmp("render.ppm"));
    assert_int_equal(sscanf((const char *)ppm.data, "P6 %d %d 255%n", &w, &h, &off), 2);
    assert_true(off > 0 && (size_t)off + 1 + (size_t)w * (size_t)h * 3 <= ppm.len);
    *in = *out = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = ppm.data + off + 1 + ((size_t)y * (size_t)w + (size_t)x) * 3;
            if (p[0] > 160 && p[1] < 100 && p[2] < 100)
                (x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3] ? (*in)++ : (*out)++);
        }
    es_buf_free(&ppm);
}

/* What a signed encrypted file must be: qpdf reads it, its new objects decrypt, it verifies. */
static void assert_signed_ok(const es_buf *out)
{
    es_doc_report *r = NULL;
    es_buf dec;
    /* the seal: 5 mm from the top-left, 42 mm wide (a round seal's usual size) */
    const double mm = 72 / 25.4, box[4] = {5 * mm - 2, 5 * mm - 2, 47 * mm + 2, 47 * mm + 2};
    size_t in = 0, outside = 0;

    tu_write(tu_tmp("enc-signed.pdf"), out->data, out->len);
    assert_int_equal(
        tu_run("qpdf --check --password=USER '%s' >/dev/null", tu_tmp("enc-signed.pdf")), 0);
    assert_int_equal(
        tu_run("qpdf --password=USER --decrypt --qdf --object-streams=disable '%s' '%s'",
               tu_tmp("enc-signed.pdf"), tu_tmp("dec.pdf")),
        0);
    dec = tu_read(tu_tmp("dec.pdf"));
    assert_non_null(memmem(dec.data, dec.len, "/T (Signature1)", 15));
    assert_non_null(memmem(dec.data, dec.len, "/Reason <feff6d4b8bd5", 21)); /* 测试 */
    assert_non_null(memmem(dec.data, dec.len, "/SubFilter /adbe.pkcs7.detached", 31));
    es_buf_free(&dec);
    red_pixels(tu_tmp("enc-signed.pdf"), box, &in, &outside);
    print_message("  red pixels: %zu in the seal's box, %zu outside\n", in, outside);
    assert_true(in > 500);
    assert_int_equal(outside, 0);
    F.vo.password = "USER";
    assert_es_ok(es_pdf_verify(out->data, out->len, &F.vo, &r));
    assert_int_equal(es_doc_report_nsignatures(r), 1);
    assert_int_equal(es_doc_report_status(r), ES_VALID);
    es_doc_report_free(r);
    F.vo.password = NULL; /* without it, pages and fields cannot be read */
    assert_es_ok(es_pdf_verify(out->data, out->len, &F.vo, &r));
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    es_doc_report_free(r);
}

static void test_sign_encrypted(void **state)
{
    (void)state;
    for (size_t i = 0; i < ES__ARRAY_LEN(ENC); i++) {
        es_buf in = encrypt_sample(SAMPLE, ENC[i].args), out = {0};
        es_pdf_sign_opts o = opts(NULL);

        print_message("%s\n", ENC[i].name);
        assert_key_is_qpdfs(&in, "USER");
        assert_key_is_qpdfs(&in, "OWNER");
        assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_PASSWORD);
        o.password = "wrong";
        assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_PASSWORD);
        assert_null(out.data);
        o.password = i % 2 ? "OWNER" : "USER";
        assert_es_ok(es_pdf_sign(in.data, in.len, &o, &out));
        assert_true(out.len > in.len);
        assert_memory_equal(out.data, in.data, in.len);
        assert_signed_ok(&out);
        es_buf_free(&in);
        es_buf_free(&out);
    }
}

/* An empty user password is still a password: NULL is refused, "" signs. */
static void test_empty_user_password(void **state)
{
    es_buf in = encrypt_sample("pdf/unsigned/dss_pdf-xref-streams.pdf",
                               "--object-streams=generate --encrypt '' OWNER 256"),
           out = {0};
    es_pdf_sign_opts o = opts(NULL);
    es_pdf *d = NULL;

    (void)state;
    assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_PASSWORD);
    o.password = "";
    assert_es_ok(es_pdf_sign(in.data, in.len, &o, &out));
    tu_write(tu_tmp("enc-empty.pdf"), out.data, out.len);
    assert_int_equal(tu_run("qpdf --check '%s' >/dev/null", tu_tmp("enc-empty.pdf")), 0);
    assert_es_ok(es_pdf_open(out.data, out.len, &d));
    assert_true(es_pdf_is_encrypted(d));
    assert_true(es_pdf_xref_is_stream(d));
    assert_int_equal(es_pdf_nsignatures(d), 1);
    es_pdf_free(d);
    es_buf_free(&in);
    es_buf_free(&out);
}

/* Permissions without form changes: only the owner password signs. */
static void test_permissions(void **state)
{
    es_buf in = encrypt_sample(SAMPLE, "--encrypt USER OWNER 256 --modify=none --annotate=n"),
           out = {0};
    es_pdf_sign_opts o = opts("USER");

    (void)state;
    assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_STATE);
    assert_null(out.data);
    o.password = "OWNER";
    assert_es_ok(es_pdf_sign(in.data, in.len, &o, &out));
    es_buf_free(&in);
    es_buf_free(&out);
}

/* Another security handler (a public-key one would look the same): not supported. */
static void test_other_handler(void **state)
{
    es_buf in = encrypt_sample(SAMPLE, "--encrypt USER OWNER 128 --use-aes=y"), out = {0};
    es_pdf_sign_opts o = opts("USER");
    uint8_t *f = memmem(in.data, in.len, "/Filter /Standard", 17);

    (void)state;
    assert_non_null(f);
    memcpy(f + 8, "/PubSecZZ", 9); /* same length: the offsets stay right */
    assert_int_equal(es_pdf_sign(in.data, in.len, &o, &out), ES_ERR_UNSUPPORTED);
    assert_null(out.data);
    es_buf_free(&in);
}

/* RC4 known answer (the cipher is eseal's own: OpenSSL 3 has it only in the legacy provider). */
static void test_rc4(void **state)
{
    uint8_t p[9] = "Plaintext";
    static const uint8_t want[9] = {0xBB, 0xF3, 0x16, 0xE8, 0xD9, 0x40, 0xAF, 0x0A, 0xD3};

    (void)state;
    es__pdf_rc4((const uint8_t *)"Key", 3, p, sizeof(p));
    assert_memory_equal(p, want, sizeof(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rc4),
        cmocka_unit_test(test_sign_encrypted),
        cmocka_unit_test(test_empty_user_password),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_other_handler),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
