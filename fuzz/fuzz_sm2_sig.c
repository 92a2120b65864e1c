/* libFuzzer target for SM2 signature decoding (DER or raw r||s) and verification with a fixed key:
 * eseal's strict DER reader against the OpenSSL round trip it replaced. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "eseal/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* USER_key.pem from the samples; the seeds are its signatures over MSG with the default ID. */
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgDaNN4D91TVX1Jj6m\n"
                              "U4M3/8kDZAeuX1xaYaSEAwDlleWhRANCAAQM0WST3IUiVJ1AkQPq0tZmbDrkvMbz\n"
                              "tCxIhZm3yJ6TE5xO9iM72oSy1+J3ZnvxxvV6C20yHGRULPRsNZpGfooe\n"
                              "-----END PRIVATE KEY-----\n";
#define MSG "eseal fuzz message"

static const uint8_t sm2_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23,
};

static es_key *fixed_key(void)
{
    static es_key *k;

    if (k == NULL && es_key_parse((const uint8_t *)key_pem, sizeof(key_pem) - 1, NULL, &k) != ES_OK)
        abort();
    return k;
}

/*
 * The decoder eseal had before: d2i_ECDSA_SIG using every byte and re-encoding to the same bytes
 * (strict DER), else 64 bytes as r||s; r and s in [1, n-1]. 1 if accepted (raw filled, *der
 * says whether as DER).
 */
static int ref_decode(const uint8_t *sig, size_t n, uint8_t raw[64], int *der)
{
    const unsigned char *p = sig;
    unsigned char *enc = NULL;
    ECDSA_SIG *s = NULL;
    BIGNUM *order = BN_bin2bn(sm2_order, 32, NULL), *r = NULL, *sv = NULL;
    int len, ok = 0;

    *der = 0;
    if (order == NULL || n == 0)
        goto end;
    if (n <= 80 && (s = d2i_ECDSA_SIG(NULL, &p, (long)n)) != NULL && p == sig + n &&
        (len = i2d_ECDSA_SIG(s, &enc)) > 0 && (size_t)len == n && memcmp(enc, sig, n) == 0) {
        *der = 1;
    } else {
        ECDSA_SIG_free(s);
        s = NULL;
        if (n != 64)
            goto end;
        r = BN_bin2bn(sig, 32, NULL);
        sv = BN_bin2bn(sig + 32, 32, NULL);
        if ((s = ECDSA_SIG_new()) == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(s, r, sv))
            abort();
    }
    r = (BIGNUM *)ECDSA_SIG_get0_r(s);
    sv = (BIGNUM *)ECDSA_SIG_get0_s(s);
    if (BN_is_zero(r) || BN_is_zero(sv) || BN_is_negative(r) || BN_is_negative(sv) ||
        BN_cmp(r, order) >= 0 || BN_cmp(sv, order) >= 0)
        goto end;
    if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(sv, raw + 32, 32) != 32)
        abort();
    ok = 1;
end:
    OPENSSL_free(enc);
    ECDSA_SIG_free(s);
    BN_free(order);
    ERR_clear_error();
    return ok;
}

/*
 * The two encodings agree: a signature that decodes converts both ways to the same r||s; the
 * reference accepts exactly the same inputs with the same r||s; a DER input re-encodes to itself.
 */
static void check_encodings(const uint8_t *data, size_t size, es_err vrc)
{
    es_buf der = {0};
    uint8_t raw[64], raw2[64], want[64];
    int was_der, ref = ref_decode(data, size, want, &was_der);
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
