/* libFuzzer target for es_unwrap: the first 32 bytes are the KEK, the rest is the wrapped blob. */
#include <stddef.h>
#include <stdint.h>

#include "eseal/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Beyond not crashing: a success has the plaintext length, a failure leaves out empty. */
static void unwrap_once(const uint8_t *kek, const char *aad, size_t aadlen, const uint8_t *p,
                        size_t n)
{
    es_buf out = {0};
    es_err rc = es_unwrap(kek, aad, aadlen, p, n, &out);

    if (rc == ES_OK && out.len != n - ES_WRAP_OVERHEAD)
        __builtin_trap();
    if (rc != ES_OK && (out.data != NULL || out.len != 0))
        __builtin_trap();
    es_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < ES_WRAP_KEK_LEN)
        return 0;
    /* The seeds are wrapped without aad; a fixed aad exercises the other path too. */
    unwrap_once(data, NULL, 0, data + ES_WRAP_KEK_LEN, size - ES_WRAP_KEK_LEN);
    unwrap_once(data, "fuzz", 4, data + ES_WRAP_KEK_LEN, size - ES_WRAP_KEK_LEN);
    return 0;
}
