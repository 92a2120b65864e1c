/* The reference SM2 signature decoder (sm2_sig_ref.h): OpenSSL's round trip. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "sm2_sig_ref.h"

/* The SM2 group order n, written here rather than taken from eseal: the reference stands alone. */
static const uint8_t sm2_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23,
};

int sm2_sig_ref_decode(const uint8_t *sig, size_t n, uint8_t raw[64], int *der)
{
    const unsigned char *p = sig;
    unsigned char *enc = NULL;
    ECDSA_SIG *s = NULL;
    BIGNUM *order = BN_bin2bn(sm2_order, 32, NULL), *r = NULL, *sv = NULL;
    int len, ok = 0;

    *der = 0;
    if (order == NULL)
        abort();
    if (n == 0)
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
