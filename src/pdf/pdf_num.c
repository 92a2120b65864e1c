/* Numbers and hex in PDF syntax without printf: an update writes a few dozen of them, and
 * vsnprintf was a tenth of what signing spends outside SM2 and SM3. */
#include <math.h>
#include <string.h>

#include "pdf/pdf_local.h"
#include "util/hex.h"

/* Values beyond this go through printf (never in what eseal writes: points on a page). */
#define REAL_FAST_MAX 1e12

void es__pdf_sb_uint(es__sb *b, unsigned long long v, int width)
{
    char s[24], *e = s + sizeof(s), *o = e;

    do {
        *--o = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (e - o < width && o > s)
        *--o = '0';
    es__sb_add(b, o, (size_t)(e - o));
}

void es__pdf_sb_int(es__sb *b, long long v)
{
    if (v < 0) {
        es__sb_add(b, "-", 1);
        es__pdf_sb_uint(b, 0ull - (unsigned long long)v, 0); /* LLONG_MIN too */
    } else {
        es__pdf_sb_uint(b, (unsigned long long)v, 0);
    }
}

void es__pdf_sb_real(es__sb *b, double v)
{
    unsigned long long k;

    if (!(fabs(v) < REAL_FAST_MAX)) {
        es__sb_printf(b, "%.4f", v);
        return;
    }
    /* rounded to four decimals as one integer: the last digit may differ from printf's exact
     * rounding by one, a ten-thousandth of a point */
    k = (unsigned long long)llround(fabs(v) * 10000.0);
    if (v < 0 && k > 0)
        es__sb_add(b, "-", 1);
    es__pdf_sb_uint(b, k / 10000, 0);
    es__sb_add(b, ".", 1);
    es__pdf_sb_uint(b, k % 10000, 4);
}

void es__pdf_sb_ref(es__sb *b, long id)
{
    es__pdf_sb_int(b, id);
    es__sb_add(b, " 0 R", 4);
}

void es__pdf_sb_hex(es__sb *b, const uint8_t *p, size_t n)
{
    char s[128];

    for (size_t i = 0; i < n; i += sizeof(s) / 2) {
        size_t k = n - i < sizeof(s) / 2 ? n - i : sizeof(s) / 2;

        es__hex_lower(p + i, k, s);
        es__sb_add(b, s, 2 * k);
    }
}
