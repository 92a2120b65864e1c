/* libFuzzer target for the OFD reader: package (zip) and XML readers, show, and the verifier. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "anchor.h"
#include "eseal/ofd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static es_ofd_verify_opts opts;
/* Small limits keep every run fast; the limit paths are part of what is fuzzed. */
static const es_ofd_limits lim = {
    .max_entries = 200, .max_entry_size = 1u << 20, .max_total = 4u << 20, .max_xml_depth = 32};

static void init(void)
{
    fuzz_anchor_init(&opts.chain);
    opts.lim = &lim;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_ofd *d = NULL;
    es_doc_report *r = NULL;
    char *text = NULL;

    init();
    if (es_ofd_open(data, size, &lim, &d) == ES_OK) {
        if (es_ofd_to_text(d, &text) == ES_OK && strlen(text) == 0)
            __builtin_trap();
        es_free(text);
        text = NULL;
        es_ofd_free(d);
    }
    if (es_ofd_verify(data, size, &opts, &r) == ES_OK) {
        if (es_doc_report_to_json(r, 0, &text) == ES_OK && text[0] != '{')
            __builtin_trap();
        es_free(text);
        es_doc_report_free(r);
    }
    return 0;
}
