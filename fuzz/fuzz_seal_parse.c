/* libFuzzer target for es_seal_parse: parse, read every field, verify against a fixed anchor. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "anchor.h"
#include "eseal/ses.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static es_ses_verify_opts opts;

static void init(void)
{
    fuzz_anchor_init(&opts.chain);
    opts.data = "data";
    opts.data_len = 4;
    opts.has_data = 1;
}

/* Touch every byte an accessor hands out, so that ASan sees a bad pointer or length. */
static unsigned touch(const uint8_t *p, size_t n)
{
    unsigned x = 0;

    for (size_t i = 0; i < n; i++)
        x += p[i];
    return x;
}

static unsigned fields(const es_seal *s)
{
    unsigned x = 0;
    size_t n;
    const uint8_t *p;

    x += (unsigned)strlen(es_seal_header_id(s)) + (unsigned)strlen(es_seal_vid(s));
    x += (unsigned)strlen(es_seal_esid(s)) + (unsigned)strlen(es_seal_name(s));
    x += (unsigned)strlen(es_seal_picture_type(s)) + (unsigned)strlen(es_seal_sig_alg(s));
    for (size_t i = 0; i < es_seal_ncert(s); i++) {
        const es_seal_cert *c = es_seal_cert_get0(s, i);

        x += c->der != NULL ? touch(c->der, c->der_len) : touch(c->digest, c->digest_len);
        x += c->digest_type != NULL ? (unsigned)strlen(c->digest_type) : 0;
    }
    for (size_t i = 0; i < es_seal_next_data(s); i++)
        x += touch(es_seal_ext_data(s, i)->value, es_seal_ext_data(s, i)->value_len);
    p = es_seal_picture(s, &n);
    x += touch(p, n);
    p = es_seal_sig_value(s, &n);
    x += touch(p, n);
    p = es_seal_timestamp(s, &n);
    x += p != NULL ? touch(p, n) : 0;
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_seal *s = NULL;
    es_report *r = NULL;
    char *out = NULL;
    size_t n;

    init();
    if (es_seal_parse(data, size, &s) != ES_OK) {
        if (s != NULL)
            __builtin_trap();
        return 0;
    }
    es_seal_der(s, &n);
    if (n > size || es_seal_get0_maker_cert(s) == NULL)
        __builtin_trap();
    (void)fields(s);
    if (es_seal_verify(s, &opts, &r) == ES_OK && es_report_to_json(r, 0, &out) == ES_OK)
        es_free(out);
    es_report_free(r);
    if (es_seal_to_json(s, &out) == ES_OK)
        es_free(out);
    if (es_seal_to_text(s, &out) == ES_OK)
        es_free(out);
    es_seal_free(s);
    return 0;
}
