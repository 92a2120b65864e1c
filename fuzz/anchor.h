/* What the verifying fuzzers share: a trust anchor, so that chain building runs as on real input.
 */
#ifndef ESEAL_FUZZ_ANCHOR_H
#define ESEAL_FUZZ_ANCHOR_H

#include <openssl/x509.h>

#include "eseal/pki.h"

/* The ofdrw test root (the seeds' anchor), so that chain building runs as on real input. */
static const char fuzz_anchor_pem[] =
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

/* Trust the anchor and verify at a fixed time (2021-06-01T00:00:00Z: reproducible runs). */
static inline void fuzz_anchor_init(es_verify_opts *o)
{
    if (o->trust != NULL)
        return;
    if (es_certs_parse((const uint8_t *)fuzz_anchor_pem, sizeof(fuzz_anchor_pem) - 1, &o->trust) !=
        ES_OK)
        __builtin_trap();
    o->at = 1622505600;
    o->has_at = 1;
}

#endif
