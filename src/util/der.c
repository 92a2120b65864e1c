/* Hand-written DER pieces (der.h). */
#include "util/der.h"

size_t es__der_len(uint8_t *out, size_t n)
{
    size_t k = 0;

    if (n < 0x80) {
        if (out != NULL)
            out[0] = (uint8_t)n;
        return 1;
    }
    for (size_t v = n; v != 0; v >>= 8)
        k++;
    if (out != NULL) {
        out[0] = (uint8_t)(0x80 | k);
        for (size_t i = 0; i < k; i++)
            out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    }
    return 1 + k;
}
