/* libFuzzer target for es_p12_parse with the password "pw" (the generated seeds use it). */
#include <stddef.h>
#include <stdint.h>

#include "eseal/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_key *k = NULL;
    X509 *x = NULL;
    STACK_OF(X509) *ca = NULL;
    es_err rc = es_p12_parse(data, size, "pw", &k, &x, &ca);

    /* Success means a private key with its certificate; failure leaves nothing behind. */
    if (rc == ES_OK && (k == NULL || x == NULL || !es_key_has_private(k)))
        __builtin_trap();
    if (rc != ES_OK && (k != NULL || x != NULL || ca != NULL))
        __builtin_trap();
    sk_X509_pop_free(ca, X509_free);
    X509_free(x);
    es_key_free(k);
    return 0;
}
