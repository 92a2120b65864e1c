/* libFuzzer target for es_signature_parse: parse, show every field, verify against a fixed anchor.
 */
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

static unsigned fields(const es_signature *g)
{
    unsigned x = 0;
    size_t n;
    const uint8_t *p;

    x += (unsigned)strlen(es_signature_time_text(g)) + (unsigned)strlen(es_signature_property(g));
    x += (unsigned)strlen(es_signature_sig_alg(g));
    p = es_signature_data_hash(g, &n);
    x += touch(p, n);
    p = es_signature_sig_value(g, &n);
    x += touch(p, n);
    p = es_signature_timestamp(g, &n);
    x += p != NULL ? touch(p, n) : 0;
    for (size_t i = 0; i < es_signature_next_data(g); i++)
        x += touch(es_signature_ext_data(g, i)->value, es_signature_ext_data(g, i)->value_len);
    p = es_seal_der(es_signature_get0_seal(g), &n);
    x += touch(p, n);
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_signature *g = NULL;
    es_report *r = NULL;
    char *out = NULL;
    size_t n;

    init();
    if (es_signature_parse(data, size, &g) != ES_OK) {
        if (g != NULL)
            __builtin_trap();
        /* What is not a signature goes through the detecting entry point (which may find a
         * seal, or report a failed format check). */
        if (es_ses_verify(data, size, &opts, &r) == ES_OK && es_report_ncheck(r) == 0)
            __builtin_trap();
        es_report_free(r);
        return 0;
    }
    es_signature_der(g, &n);
    if (n > size || es_signature_get0_signer_cert(g) == NULL || es_signature_get0_seal(g) == NULL)
        __builtin_trap();
    (void)fields(g);
    if (es_signature_verify(g, &opts, &r) == ES_OK && es_report_to_text(r, &out) == ES_OK)
        es_free(out);
    es_report_free(r);
    if (es_signature_to_json(g, &out) == ES_OK)
        es_free(out);
    if (es_signature_to_text(g, &out) == ES_OK)
        es_free(out);
    es_signature_free(g);
    return 0;
}
