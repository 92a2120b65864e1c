/* The seal picture's image streams (es_pdf_picture_streams): exactly the bytes es_pdf_sign writes
 * between "stream\n" and "\nendstream", once per signature; bad input refused with a reason. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "eseal/image.h"
#include "eseal/pdf.h"
#include "testutil.h"
#include "testutil_pki.h"

/* The seal is drawn with fontconfig, whose process-wide caches LeakSanitizer would report. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static tu_pki P;
static es_seal *seal; /* a 42 mm round seal drawn by eseal: transparent corners, an alpha plane */

static int setup(void **state)
{
    (void)state;
    return tu_pki_init(&P, "PDF Picture") == 0 &&
                   tu_seal_make(&P, 1, "PDF 图片测试章", NULL, &seal) == ES_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    es_seal_free(seal);
    tu_pki_free(&P);
    return 0;
}

/* How often s occurs in b as a whole stream: after "stream\n", before "\nendstream"; and how
 * often at all (a stream's bytes elsewhere would not be the picture's). */
static void count(const es_buf *b, const es_buf *s, size_t *as_stream, size_t *anywhere)
{
    const uint8_t *at = b->data, *end = b->data + b->len;

    *as_stream = *anywhere = 0;
    while ((at = memmem(at, (size_t)(end - at), s->data, s->len)) != NULL) {
        (*anywhere)++;
        if (at - b->data >= 7 && memcmp(at - 7, "stream\n", 7) == 0 &&
            (size_t)(end - at) >= s->len + 10 && memcmp(at + s->len, "\nendstream", 10) == 0)
            (*as_stream)++;
        at++;
    }
}

static void sign(es_pdf_format format, es_buf *out)
{
    es_buf in = tu_read(tu_sample("pdf/unsigned/pyhanko_minimal-xref.pdf"));
    es_pdf_sign_opts o = {.format = format,
                          .seal = seal,
                          .key = P.signer_key,
                          .cert = P.signer,
                          .page = 1,
                          .x_mm = 5,
                          .y_mm = 5};

    assert_es_ok(es_pdf_sign(in.data, in.len, &o, out));
    es_buf_free_public(&in);
}

/* Asked for before any signature (the encoder's path), then signed (the cache's): each stream
 * is in the signed file exactly once, as a whole stream; asked again, the same bytes. */
static void test_streams_in_signed_pdf(void **state)
{
    es_buf image = {0}, smask = {0}, again = {0}, again_mask = {0}, pdf = {0};
    size_t as_stream, anywhere;

    (void)state;
    assert_es_ok(es_pdf_picture_streams(seal, &image, &smask));
    assert_true(image.len > 0);
    assert_true(smask.len > 1000); /* the round seal's transparent corners */
    sign(ES_PDF_GM, &pdf);
    count(&pdf, &image, &as_stream, &anywhere);
    assert_int_equal(as_stream, 1);
    assert_int_equal(anywhere, 1);
    count(&pdf, &smask, &as_stream, &anywhere);
    assert_int_equal(as_stream, 1);
    assert_int_equal(anywhere, 1);
    assert_es_ok(es_pdf_picture_streams(seal, &again, &again_mask));
    assert_int_equal(again.len, image.len);
    assert_memory_equal(again.data, image.data, image.len);
    assert_int_equal(again_mask.len, smask.len);
    assert_memory_equal(again_mask.data, smask.data, smask.len);
    es_buf_free_public(&pdf);
    /* the other formats draw the same picture */
    sign(ES_PDF_SES, &pdf);
    count(&pdf, &smask, &as_stream, &anywhere);
    assert_int_equal(as_stream, 1);
    es_buf_free_public(&pdf);
    es_buf_free_public(&image);
    es_buf_free_public(&smask);
    es_buf_free_public(&again);
    es_buf_free_public(&again_mask);
}

static void test_bad_input(void **state)
{
    es_buf image = {(uint8_t *)"stale", 5}, smask = {(uint8_t *)"stale", 5};

    (void)state;
    assert_int_equal(es_pdf_picture_streams(NULL, &image, &smask), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "no seal"));
    assert_null(image.data); /* overwritten, never left pointing at stale bytes */
    assert_null(smask.data);
    assert_int_equal(image.len + smask.len, 0);
    assert_int_equal(es_pdf_picture_streams(seal, NULL, &smask), ES_ERR_ARG);
    assert_non_null(strstr(es_errdetail(), "no output"));
    assert_int_equal(es_pdf_picture_streams(seal, &image, NULL), ES_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_in_signed_pdf),
        cmocka_unit_test(test_bad_input),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
