/* Base64 (RFC 4648, padded) for the JSON API: a fast encoder for signatures, OpenSSL's decoder. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "seal_local.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Two base64 characters for each 12-bit value: one load per 12 bits, not per 6. */
static uint16_t pairs[4096];

static void pairs_init(void)
{
    for (int i = 0; i < 4096; i++) {
        char two[2] = {ALPHABET[i >> 6], ALPHABET[i & 63]};

        memcpy(&pairs[i], two, 2);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

/*
 * 24 bytes into 32 characters per step (the AVX2 method of Muła and Lemire, "Faster Base64
 * Encoding and Decoding using AVX2 Instructions", 2018): each 128-bit lane holds 12 input bytes
 * at offset 4, a shuffle gathers each 3-byte group into a 32-bit word, two multiplies move the
 * four 6-bit values into bytes, and a 16-entry table maps them to the alphabet. Each load reads
 * 4 bytes before and after its 24, so steps stop 4 bytes short of the end; returns the bytes done.
 */
__attribute__((target("avx2"))) static size_t encode_avx2(const uint8_t *p, size_t n, char *out)
{
    const __m256i shuf = _mm256_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1, 14, 15,
                                         13, 14, 11, 12, 10, 11, 8, 9, 7, 8, 5, 6, 4, 5);
    const __m256i lut =
        _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                         -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    size_t done = 0;

    if (n < 32)
        return 0;
    for (; done + 28 <= n; done += 24, out += 32) {
        __m256i v, hi, lo, idx;

        if (done == 0) /* the first load cannot start 4 bytes early: move its lanes instead */
            v = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const void *)p),
                                            _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
        else
            v = _mm256_loadu_si256((const void *)(p + done - 4));
        v = _mm256_shuffle_epi8(v, shuf);
        hi = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
                                _mm256_set1_epi32(0x04000040));
        lo = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
                                _mm256_set1_epi32(0x01000010));
        v = _mm256_or_si256(hi, lo);
        /* Table index: 0 for A-Z, 1 for a-z, 2..11 for digits, 12 for '+', 13 for '/'. */
        idx = _mm256_sub_epi8(_mm256_subs_epu8(v, _mm256_set1_epi8(51)),
                              _mm256_cmpgt_epi8(v, _mm256_set1_epi8(25)));
        v = _mm256_add_epi8(v, _mm256_shuffle_epi8(lut, idx));
        _mm256_storeu_si256((void *)out, v);
    }
    return done;
}
#endif

void srv_b64_encode(const uint8_t *p, size_t n, char *out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    size_t i = 0;

    pthread_once(&once, pairs_init);
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        i = encode_avx2(p, n, out);
        out += i / 3 * 4;
    }
#endif
    for (; i + 3 <= n; i += 3, out += 4) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

        memcpy(out, &pairs[v >> 12], 2);
        memcpy(out + 2, &pairs[v & 4095], 2);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

        out[0] = ALPHABET[v >> 18];
        out[1] = ALPHABET[(v >> 12) & 63];
        out[2] = i + 1 < n ? ALPHABET[(v >> 6) & 63] : '=';
        out[3] = '=';
    }
}

char *srv_b64(const uint8_t *p, size_t n)
{
    char *out = malloc(SRV_B64_LEN(n) + 1);

    if (out != NULL) {
        srv_b64_encode(p, n, out);
        out[SRV_B64_LEN(n)] = '\0';
    }
    return out;
}

int srv_unb64(const char *s, es_buf *out)
{
    size_t n = s ? strlen(s) : 0;
    int len, pad = 0;

    out->data = NULL;
    out->len = 0;
    if (n % 4 != 0 || n > ((size_t)1 << 30))
        return -1;
    if ((out->data = malloc(n / 4 * 3 + 1)) == NULL)
        return -1;
    len = n ? EVP_DecodeBlock(out->data, (const unsigned char *)s, (int)n) : 0;
    if (len < 0) {
        es_buf_free(out);
        return -1;
    }
    pad = n >= 1 && s[n - 1] == '=' ? (n >= 2 && s[n - 2] == '=' ? 2 : 1) : 0;
    out->len = (size_t)len - (size_t)pad;
    return 0;
}
