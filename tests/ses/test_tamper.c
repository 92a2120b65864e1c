/* Tampering is caught: every flipped byte of an eseal seal or signature fails; truncation fails. */
#include <stdio.h>
#include <string.h>

#include "eseal/ses.h"
#include "testutil.h"
#include "testutil_pki.h"

#define DATA "the signed document"

static tu_pki P;
static struct {
    es_ses_verify_opts opts;
    es_buf seal, sig;
} F;

/* A seal with a small picture (so that every byte can be flipped) and a signature with it. */
static es_err make_objects(void)
{
    static const uint8_t png[64] = "\x89PNG\r\n\x1a\n small picture for the tamper test";
    STACK_OF(X509) *sk = sk_X509_new_null();
    es_seal_make_opts o = {.type = 2,
                           .name = "篡改测试章",
                           .signers = sk,
                           .valid_start = es_time_now() - TU_DAY,
                           .valid_end = es_time_now() + TU_DAY,
                           .picture = png,
                           .picture_len = sizeof(png)};
    es_seal *s = NULL;
    es_err rc;

    sk_X509_push(sk, P.signer);
    if ((rc = es_seal_make(&o, P.maker_key, P.maker, &F.seal)) == ES_OK &&
        (rc = es_seal_parse(F.seal.data, F.seal.len, &s)) == ES_OK)
        rc = es_seal_sign_data(s, P.signer_key, P.signer, DATA, strlen(DATA), "/doc", 0, &F.sig);
    es_seal_free(s);
    sk_X509_free(sk);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    if (tu_pki_init(&P, "Tamper") != 0 || es_ca_chain(P.ca, &F.opts.chain.untrusted) != ES_OK)
        return -1;
    F.opts.chain.trust = tu_pki_trust(&P);
    F.opts.data = DATA;
    F.opts.data_len = strlen(DATA);
    F.opts.has_data = 1;
    if (make_objects() != ES_OK) {
        print_error("setup: %s\n", es_errdetail());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_X509_pop_free(F.opts.chain.trust, X509_free);
    sk_X509_pop_free(F.opts.chain.untrusted, X509_free);
    es_buf_free(&F.seal);
    es_buf_free(&F.sig);
    tu_pki_free(&P);
    return 0;
}

/* Parse and verify p as a seal or a signature: 1 if the result is valid; counts parses. */
static int verifies(const uint8_t *p, size_t n, int is_sig, size_t *parsed)
{
    es_seal *s = NULL;
    es_signature *g = NULL;
    es_report *r = NULL;
    es_err rc = is_sig ? es_signature_parse(p, n, &g) : es_seal_parse(p, n, &s);
    int valid;

    if (rc != ES_OK)
        return 0;
    (*parsed)++;
    assert_es_ok(is_sig ? es_signature_verify(g, &F.opts, &r) : es_seal_verify(s, &F.opts, &r));
    valid = es_report_status(r) == ES_VALID;
    es_report_free(r);
    es_seal_free(s);
    es_signature_free(g);
    return valid;
}

/* Flip bits of every byte, one byte at a time; count what parsed at all. */
static void flip_all(const es_buf *orig, int is_sig)
{
    static const uint8_t masks[] = {0x01, 0x80};
    es_buf b = {0};
    size_t parsed = 0, total = 0;

    assert_true(verifies(orig->data, orig->len, is_sig, &parsed));
    assert_es_ok(es_buf_set(&b, orig->data, orig->len));
    for (size_t i = 0; i < b.len; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            b.data[i] ^= masks[m];
            if (verifies(b.data, b.len, is_sig, &parsed))
                fail_msg("%s with byte %zu ^ 0x%02x still verifies", is_sig ? "signature" : "seal",
                         i, masks[m]);
            b.data[i] ^= masks[m];
            total++;
        }
    }
    /* Most flips land in signed bytes: verification, not only the parser, must catch them. */
    assert_true(parsed > total / 2);
    print_message("%zu flips of %zu bytes, %zu parsed, none valid\n", total, b.len, parsed);
    es_buf_free(&b);
}

static void test_flip_seal(void **state)
{
    flip_all(&F.seal, 0);
}

static void test_flip_signature(void **state)
{
    flip_all(&F.sig, 1);
}

/* Every proper prefix is an error, never a crash or a read past the end (ASan watches). */
static void truncate_all(const es_buf *orig, const char *what)
{
    for (size_t n = 0; n < orig->len; n++) {
        /* A copy of exactly n bytes, so that ASan catches any read beyond it. */
        es_buf b = {0};
        es_seal *s = NULL;
        es_signature *g = NULL;

        assert_es_ok(es_buf_set(&b, orig->data, n));
        if (es_seal_parse(b.data, n, &s) == ES_OK || es_signature_parse(b.data, n, &g) == ES_OK)
            fail_msg("%s truncated to %zu bytes parses", what, n);
        es_buf_free(&b);
    }
}

static void test_truncate(void **state)
{
    es_buf v4 = tu_read(tu_sample("seal/UserV4.esl"));
    es_buf sv = tu_read(tu_sample("seal/SignedValueV4.dat"));
    es_buf v1 = tu_read(tu_sample("seal/UserV1.esl"));

    truncate_all(&F.seal, "eseal seal");
    truncate_all(&F.sig, "eseal signature");
    truncate_all(&v4, "UserV4.esl");
    truncate_all(&v1, "UserV1.esl");
    truncate_all(&sv, "SignedValueV4.dat");
    es_buf_free(&v4);
    es_buf_free(&v1);
    es_buf_free(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flip_seal),
        cmocka_unit_test(test_flip_signature),
        cmocka_unit_test(test_truncate),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
