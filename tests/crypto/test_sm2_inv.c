/* The safegcd field inversion against the Fermat chain and OpenSSL's BN_mod_inverse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "crypto/sm2/sm2_local.h"
#include "testutil.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define P_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"
#define NRAND 100000

static const es__fp fp_p = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                            0xfffffffeffffffffULL};

/* a >= p (limbs compared from the top, variable time: test data only). */
static int ge_p(const es__fp a)
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != fp_p[i])
            return a[i] > fp_p[i];
    return 1;
}

/*
 * One input in Montgomery limbs x (any value below p): safegcd against Fermat, against
 * BN_mod_inverse of the plain value x 2^-256, and x * inv(x) == 1.
 */
static void check_one(const es__fp x, const BIGNUM *p, BN_CTX *ctx)
{
    es__fp r, w, one;
    uint8_t plain[32], got[32], want[32];
    BIGNUM *a = BN_new(), *inv = BN_new();

    es__fp_inv(r, x);
    es__fp_inv_fermat(w, x);
    if (memcmp(r, w, sizeof(r)) != 0)
        fail_msg("safegcd != Fermat for %016llx %016llx %016llx %016llx", (unsigned long long)x[3],
                 (unsigned long long)x[2], (unsigned long long)x[1], (unsigned long long)x[0]);
    assert_false(ge_p(r));
    es__fp_to_bytes(plain, x);
    es__fp_to_bytes(got, r);
    BN_bin2bn(plain, 32, a);
    if (BN_is_zero(a)) {
        assert_true(es__fp_is_zero(r) != 0);
    } else {
        assert_non_null(BN_mod_inverse(inv, a, p, ctx));
        assert_int_equal(BN_bn2binpad(inv, want, 32), 32);
        assert_memory_equal(got, want, 32);
        es__fp_mul(one, r, x);
        assert_memory_equal(one, es__fp_one, sizeof(one));
    }
    BN_free(a);
    BN_free(inv);
}

/* The plain value hex (big-endian, below p) in Montgomery form. */
static void from_hex(es__fp x, const char *hex)
{
    BIGNUM *b = NULL;
    uint8_t be[32];

    assert_true(BN_hex2bn(&b, hex) > 0);
    assert_int_equal(BN_bn2binpad(b, be, 32), 32);
    assert_int_equal(es__fp_from_bytes(x, be), 1);
    BN_free(b);
}

/* 0, 1, 2, 3, p-1, p-2, p-3 and 2^k - 1, as plain values and as raw Montgomery limbs. */
static void test_inv_edges(void **state)
{
    static const char *const hex[] = {
        "0",
        "1",
        "2",
        "3",
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFE",
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFD",
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"};
    BIGNUM *p = NULL, *b = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    es__fp x;

    es__sm2_init();
    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
        from_hex(x, hex[i]);
        check_one(x, p, ctx);
    }
    for (uint64_t s = 0; s <= 3; s++) {
        memset(x, 0, sizeof(x));
        x[0] = s;
        check_one(x, p, ctx);
        memcpy(x, fp_p, sizeof(x));
        x[0] -= s + 1;
        check_one(x, p, ctx);
    }
    for (int k = 1; k <= 256; k++) {
        uint8_t be[32] = {0};

        BN_zero(b);
        BN_set_bit(b, k);
        BN_sub_word(b, 1);
        BN_nnmod(b, b, p, ctx);
        assert_int_equal(BN_bn2binpad(b, be, 32), 32);
        assert_int_equal(es__fp_from_bytes(x, be), 1);
        check_one(x, p, ctx);
        for (int i = 0; i < 4; i++)
            x[i] = k >= 64 * (i + 1) ? ~0ULL : k <= 64 * i ? 0 : (1ULL << (k - 64 * i)) - 1;
        if (!ge_p(x))
            check_one(x, p, ctx);
    }
    BN_free(p);
    BN_free(b);
    BN_CTX_free(ctx);
}

/* Raw limbs, each one of 0, 1, 2^63, 2^64 - 1 (4^4 combinations, those below p). */
static void test_inv_limb_patterns(void **state)
{
    static const uint64_t pat[4] = {0, 1, 1ULL << 63, ~0ULL};
    BIGNUM *p = NULL;
    BN_CTX *ctx = BN_CTX_new();
    int n = 0;

    es__sm2_init();
    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (int c = 0; c < 256; c++) {
        es__fp x;

        for (int i = 0; i < 4; i++)
            x[i] = pat[(c >> (2 * i)) & 3];
        if (ge_p(x))
            continue;
        check_one(x, p, ctx);
        n++;
    }
    assert_int_equal(n, 192); /* top limb 2^64 - 1 is >= p */
    BN_free(p);
    BN_CTX_free(ctx);
}

static void test_inv_random(void **state)
{
    BIGNUM *p = NULL;
    BN_CTX *ctx = BN_CTX_new();
    long n = getenv("ESEAL_SM2_INV_N") != NULL ? atol(getenv("ESEAL_SM2_INV_N")) : NRAND;

    es__sm2_init();
    assert_true(BN_hex2bn(&p, P_HEX) > 0);
    for (long i = 0; i < n; i++) {
        es__fp x;

        do
            assert_int_equal(RAND_bytes((unsigned char *)x, sizeof(x)), 1);
        while (ge_p(x));
        check_one(x, p, ctx);
    }
    BN_free(p);
    BN_CTX_free(ctx);
}

typedef void (*inv_fn)(es__fp, const es__fp);

/*
 * Cycles (TSC) per inversion on a dependent chain, printed for the record; never fails. The
 * minimum over many short runs filters out preemption on a shared machine.
 */
static double cycles(inv_fn f)
{
#if defined(__x86_64__)
    es__fp x = {0x123456789abcdefULL, 0x0fedcba987654321ULL, 0x1111, 0x2222};
    double best = 1e30;

    for (int rep = 0; rep < 5; rep++) {
        uint64_t t0 = __rdtsc();

        double c;

        for (int i = 0; i < 2000; i++)
            f(x, x);
        c = (double)(__rdtsc() - t0) / 2000;
        best = c < best ? c : best;
    }
    return best;
#else
    (void)f;
    return 0;
#endif
}

static void test_inv_timing(void **state)
{
    es__sm2_init();
    printf("[ timing ] fp_inv: safegcd %.0f, Fermat %.0f TSC cycles\n", cycles(es__fp_inv),
           cycles(es__fp_inv_fermat));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_edges),
        cmocka_unit_test(test_inv_limb_patterns),
        cmocka_unit_test(test_inv_random),
        cmocka_unit_test(test_inv_timing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
