/* libFuzzer target for SM2 signature decoding (DER or raw r||s) and verification with a fixed key:
 * eseal's strict DER reader against the OpenSSL round trip it replaced. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/key.h"
#include "sm2_sig_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* USER_key.pem from the samples; the seeds are its signatures over MSG with the default ID. */
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgDaNN4D91TVX1Jj6m\n"
                              "U4M3/8kDZAeuX1xaYaSEAwDlleWhRANCAAQM0WST3IUiVJ1AkQPq0tZmbDrkvMbz\n"
                              "tCxIhZm3yJ6TE5xO9iM72oSy1+J3ZnvxxvV6C20yHGRULPRsNZpGfooe\n"
                              "-----END PRIVATE KEY-----\n";
#define MSG "eseal fuzz message"

static es_key *fixed_key(void)
{
    static es_key *k;

    if (k == NULL && es_key_parse((const uint8_t *)key_pem, sizeof(key_pem) - 1, NULL, &k) != ES_OK)
        abort();
    return k;
}

/*
 * The two encodings agree: a signature that decodes converts both ways to the same r||s; the
 * reference accepts exactly the same inputs with the same r||s; a DER input re-encodes to itself.
 */
static void check_encodings(const uint8_t *data, size_t size, es_err vrc)
{
    es_buf der = {0};
    uint8_t raw[64], raw2[64], want[64];
    int was_der, ref = sm2_sig_ref_decode(data, size, want, &was_der);
    es_err drc = es_sm2_sig_to_der(data, size, &der);
    es_err rrc = es_sm2_sig_to_raw(data, size, raw);

    if ((drc == ES_OK) != (rrc == ES_OK) || (vrc == ES_ERR_FORMAT) != (drc != ES_OK))
        __builtin_trap();
    if (ref != (rrc == ES_OK) || (ref && memcmp(raw, want, 64) != 0))
        __builtin_trap();
    if (drc == ES_OK) {
        if (es_sm2_sig_to_raw(der.data, der.len, raw2) != ES_OK || memcmp(raw, raw2, 64) != 0)
            __builtin_trap();
        if (was_der && (der.len != size || memcmp(der.data, data, size) != 0))
            __builtin_trap();
    }
    es_buf_free(&der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_err rc = es_sm2_verify(fixed_key(), NULL, 0, MSG, sizeof(MSG) - 1, data, size);

    if (rc != ES_OK && rc != ES_ERR_SIGNATURE && rc != ES_ERR_FORMAT)
        __builtin_trap();
    check_encodings(data, size, rc);
    return 0;
}
