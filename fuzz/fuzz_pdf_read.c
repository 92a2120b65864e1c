/* libFuzzer target for the PDF reader (qpdf underneath), show, and the signature verifier. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * qpdf repairs damaged files by scanning them, which on large junk takes long: inputs are
 * bounded so one run stays well under the per-input timeout (-timeout=10 in fuzz/CMakeLists).
 */
#define MAX_FUZZ_INPUT (128u << 10)

/* The SM2 sample CA (the seeds' anchor), so that chain building runs as on real input. */
static const char anchor_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB2zCCAYGgAwIBAgIUVj0jAaX2IjXPE8+xEgjGxJtrPuEwCgYIKoEcz1UBg3Uw\n"
    "OzELMAkGA1UEBhMCQ04xETAPBgNVBAoMCOa1i+ivlUNBMRkwFwYDVQQDDBBTTTIg\n"
    "VGVzdCBSb290IENBMB4XDTI2MTEyNzA4MTYwMloXDTM2MTEyNDA4MTYwMlowOzEL\n"
    "MAkGA1UEBhMCQ04xETAPBgNVBAoMCOa1i+ivlUNBMRkwFwYDVQQDDBBTTTIgVGVz\n"
    "dCBSb290IENBMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE1AfbGFw61RDW5dgU\n"
    "HmVKHVMljlw5qKxnmWXE2vTx+4ghLS7EToiuC08j3LKt2EFpolWhsHm9JuNZLejB\n"
    "uKLsdKNjMGEwHQYDVR0OBBYEFO2SMPXrxG5+ybXKE0bC6t33ZLlKMB8GA1UdIwQY\n"
    "MBaAFO2SMPXrxG5+ybXKE0bC6t33ZLlKMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P\n"
    "AQH/BAQDAgEGMAoGCCqBHM9VAYN1A0gAMEUCIECyhwibyasdobs2nVvJkiCS8KMV\n"
    "NhLLWXx4/0Bz6wRxAiEAg9pGO8qi58rd8WUT6GW8+pFT0Kd1V8a/oo4hQX8eFpk=\n"
    "-----END CERTIFICATE-----\n";

static es_pdf_verify_opts opts;

static void init(void)
{
    if (opts.chain.trust != NULL)
        return;
    if (es_certs_parse((const uint8_t *)anchor_pem, sizeof(anchor_pem) - 1, &opts.chain.trust) !=
        ES_OK)
        __builtin_trap();
    opts.chain.at = 1795996800; /* 2026-12-01T00:00:00Z: reproducible runs */
    opts.chain.has_at = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_pdf *d = NULL;
    es_doc_report *r = NULL;
    char *text = NULL;

    init();
    if (size > MAX_FUZZ_INPUT)
        return 0;
    if (es_pdf_open(data, size, &d) == ES_OK && es_pdf_to_text(d, &text) == ES_OK &&
        strlen(text) == 0)
        __builtin_trap();
    es_free(text);
    text = NULL;
    es_pdf_free(d);
    if (es_pdf_verify(data, size, &opts, &r) != ES_OK)
        __builtin_trap(); /* with an anchor given, only running out of memory may fail */
    if (es_doc_report_to_json(r, 0, &text) != ES_OK)
        __builtin_trap();
    es_free(text);
    es_doc_report_free(r);
    return 0;
}
