/* libFuzzer target for es_key_parse (PEM/DER, PKCS#8, SEC1, SPKI); accepted keys must round trip.
 */
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "eseal/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write k in fmt (or as SPKI when fmt < 0), parse it back, and demand the same key. */
static void round_trip(const es_key *k, int fmt)
{
    es_buf b = {0};
    es_key *k2 = NULL;
    es_err rc = fmt < 0 ? es_key_write_public(k, fmt == -2, &b)
                        : es_key_write_private(k, (es_key_format)fmt, NULL, &b);

    if (rc != ES_OK)
        __builtin_trap();
    if (es_key_parse(b.data, b.len, NULL, &k2) != ES_OK)
        __builtin_trap();
    if (EVP_PKEY_eq(es_key_get0_pkey(k), es_key_get0_pkey(k2)) != 1)
        __builtin_trap();
    es_key_free(k2);
    es_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_key *k = NULL;

    /* The encrypted seeds use the password "pw". */
    if (es_key_parse(data, size, "pw", &k) != ES_OK) {
        if (k != NULL)
            __builtin_trap();
        return 0;
    }
    /* An accepted key is one of the three kinds, and an SM2 key is OpenSSL's "SM2" type. */
    switch (es_key_alg(k)) {
    case ES_KEY_SM2:
        if (!EVP_PKEY_is_a(es_key_get0_pkey(k), "SM2"))
            __builtin_trap();
        break;
    case ES_KEY_EC_P256:
        if (!EVP_PKEY_is_a(es_key_get0_pkey(k), "EC"))
            __builtin_trap();
        break;
    case ES_KEY_RSA:
        if (!EVP_PKEY_is_a(es_key_get0_pkey(k), "RSA"))
            __builtin_trap();
        break;
    default:
        __builtin_trap();
    }
    round_trip(k, -1);
    round_trip(k, -2);
    if (es_key_has_private(k)) {
        round_trip(k, ES_KEY_PKCS8_DER);
        if (es_key_alg(k) != ES_KEY_RSA)
            round_trip(k, ES_KEY_SEC1_PEM); /* SEC1 holds EC keys only */
    }
    es_key_free(k);
    return 0;
}
