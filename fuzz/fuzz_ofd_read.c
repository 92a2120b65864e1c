/* libFuzzer target for the OFD reader: package (zip) and XML readers, show, and the verifier. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/ofd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ofdrw test root (the seeds' anchor), so that chain building runs as on real input. */
static const char anchor_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICIzCCAcmgAwIBAgIGAXGdK97HMAoGCCqBHM9VAYN1MHUxCzAJBgNVBAYTAkNO\n"
    "MRAwDgYDVQQKDAdPRkQgUiZXMREwDwYDVQQIDAhaaGVqaWFuZzERMA8GA1UEBwwI\n"
    "SGFuZ3pob3UxLjAsBgNVBAMMJU9GRCBSZWFkZXIgYW5kIFdyaXRlclJPT1QgQ2Vy\n"
    "dGlmaWNhdGUwHhcNMjAwNDIxMTQzNzEwWhcNMzAwNDIxMTQzNzEwWjB1MQswCQYD\n"
    "VQQGEwJDTjEQMA4GA1UECgwHT0ZEIFImVzERMA8GA1UECAwIWmhlamlhbmcxETAP\n"
    "BgNVBAcMCEhhbmd6aG91MS4wLAYDVQQDDCVPRkQgUmVhZGVyIGFuZCBXcml0ZXJS\n"
    "T09UIENlcnRpZmljYXRlMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAESMo4yOTI\n"
    "KNjykCH0/xeVSrzlqHCshrzqcRkifPZcHUybzrXFU3oy7bRf+BCBy/1MmJrqxgvF\n"
    "2I1/KIYMA+TX/KNFMEMwCwYDVR0PBAQDAgbAMBMGA1UdJQQMMAoGCCsGAQUFBwMC\n"
    "MAwGA1UdEwQFMAMBAf8wEQYJYIZIAYb4QgEBBAQDAgeAMAoGCCqBHM9VAYN1A0gA\n"
    "MEUCIQD+YiMFUPWQw8goFcX2+pDeXh90xJiYjRPEoWEgluvkTQIgEr1xMp7jwlEi\n"
    "zBR5QDhahWfRXKXmY9YTWq3GGdxXlzk=\n"
    "-----END CERTIFICATE-----\n";

static es_ofd_verify_opts opts;
/* Small limits keep every run fast; the limit paths are part of what is fuzzed. */
static const es_ofd_limits lim = {
    .max_entries = 200, .max_entry_size = 1u << 20, .max_total = 4u << 20, .max_xml_depth = 32};

static void init(void)
{
    if (opts.chain.trust != NULL)
        return;
    if (es_certs_parse((const uint8_t *)anchor_pem, sizeof(anchor_pem) - 1, &opts.chain.trust) !=
        ES_OK)
        __builtin_trap();
    opts.chain.at = 1622505600; /* 2021-06-01T00:00:00Z: reproducible runs */
    opts.chain.has_at = 1;
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
