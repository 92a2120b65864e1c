/* Lower-case hex (hex.h). */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/hex.h"

/* clang-format off */
#define HEX_ROW(h) \
    h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
#define HEX_TABLE \
    HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") \
    HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b") HEX_ROW("c") HEX_ROW("d") \
    HEX_ROW("e") HEX_ROW("f")
/* clang-format on */

/* The two lower-case hex digits of every byte value, "000102...ff". */
static const char hex_pairs[] = HEX_TABLE;

/*
 * A PDF's /Contents room for a seal's signature is hundreds of kilobytes written once per
 * signature, and the server compares stored PDFs against a seal's hex: with SSE2 (every x86-64)
 * sixteen bytes at a time, the nibbles interleaved and turned into digits with a compare, else
 * two characters per lookup.
 */
void es__hex(const uint8_t *p, size_t n, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    if (n > (outlen - 1) / 2)
        n = (outlen - 1) / 2;
    es__hex_lower(p, n, out);
    out[2 * n] = '\0';
}

void es__hex_lower(const uint8_t *restrict in, size_t n, char *restrict out)
{
    size_t i = 0;

#ifdef __SSE2__
    const __m128i low = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0');
    const __m128i gap = _mm_set1_epi8('a' - '0' - 10);

    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low), lo = _mm_and_si128(x, low);
        __m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);

        a = _mm_add_epi8(_mm_add_epi8(a, zero), _mm_and_si128(_mm_cmpgt_epi8(a, nine), gap));
        b = _mm_add_epi8(_mm_add_epi8(b, zero), _mm_and_si128(_mm_cmpgt_epi8(b, nine), gap));
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i), a);
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i + 16), b);
    }
#endif
    for (; i < n; i++)
        memcpy(out + 2 * i, hex_pairs + 2 * in[i], 2);
}
