/* libFuzzer target for es_cert_parse / es_certs_parse; accepted certificates must round trip. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(X509 *x, int pem)
{
    es_buf b = {0};
    X509 *y = NULL;

    if (es_cert_write(x, pem, &b) != ES_OK || es_cert_parse(b.data, b.len, &y) != ES_OK)
        __builtin_trap();
    if (X509_cmp(x, y) != 0)
        __builtin_trap();
    X509_free(y);
    es_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    X509 *x = NULL;
    STACK_OF(X509) *sk = NULL;
    es_key *k = NULL;

    if (es_cert_parse(data, size, &x) == ES_OK) {
        round_trip(x, 0);
        round_trip(x, 1);
        /* Only SM2 keys are supported; anything else must be refused cleanly. */
        if (es_key_from_cert(x, &k) == ES_OK)
            es_key_free(k);
        X509_free(x);
    }
    if (es_certs_parse(data, size, &sk) == ES_OK && sk_X509_num(sk) < 1)
        __builtin_trap();
    sk_X509_pop_free(sk, X509_free);
    return 0;
}
