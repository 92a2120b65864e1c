/* SM2 signature encodings: eseal's strict DER reader against every refusal, and against the
 * OpenSSL round trip it replaced (the same inputs accepted, the same r and s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm2_sig_ref.h"
#include "testutil.h"

/* eseal agrees with the reference on sig: both refuse (ES_ERR_FORMAT), or both give the same
 * r||s and DER (the input itself when it was DER). Returns whether it was accepted. */
static int check_same(const uint8_t *sig, size_t n)
{
    uint8_t raw[64], want[64];
    int der, ok = sm2_sig_ref_decode(sig, n, want, &der);
    es_buf d = {0};

    memset(raw, 0xAA, sizeof(raw));
    if (!ok) {
        assert_es_err(es_sm2_sig_to_raw(sig, n, raw), ES_ERR_FORMAT);
        assert_es_err(es_sm2_sig_to_der(sig, n, &d), ES_ERR_FORMAT);
        assert_null(d.data);
        for (size_t i = 0; i < sizeof(raw); i++)
            assert_int_equal(raw[i], 0xAA); /* untouched on error */
        return 0;
    }
    assert_es_ok(es_sm2_sig_to_raw(sig, n, raw));
    assert_memory_equal(raw, want, 64);
    assert_es_ok(es_sm2_sig_to_der(sig, n, &d));
    if (der) {
        assert_int_equal(d.len, n);
        assert_memory_equal(d.data, sig, n);
    } else {
        assert_es_ok(es_sm2_sig_to_raw(d.data, d.len, want));
        assert_memory_equal(raw, want, 64);
    }
    es_buf_free(&d);
    return 1;
}

/* Minimal DER INTEGER of the big-endian value v (vn bytes, leading zeros skipped). */
static size_t put_int(uint8_t *out, const uint8_t *v, size_t vn)
{
    size_t pad;

    while (vn > 1 && v[0] == 0) {
        v++;
        vn--;
    }
    pad = (v[0] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(vn + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v, vn);
    return 2 + pad + vn;
}

/* SEQUENCE { r, s } of two magnitudes. */
static size_t put_sig(uint8_t *out, const uint8_t *r, size_t rn, const uint8_t *s, size_t sn)
{
    size_t len = put_int(out + 2, r, rn);

    len += put_int(out + 2 + len, s, sn);
    out[0] = 0x30;
    out[1] = (uint8_t)len;
    return len + 2;
}

typedef struct vec {
    const char *hex;
    int ok;           /* accepted */
    const char *what; /* the case */
} vec;

static void run_table(const vec *v, size_t nv)
{
    uint8_t b[200];
    es_key *k = NULL;

    assert_es_ok(es_key_generate_sm2(&k));
    for (size_t i = 0; i < nv; i++) {
        size_t n = tu_unhex(v[i].hex, b, sizeof(b));
        uint8_t raw[64];

        if (check_same(b, n) != v[i].ok)
            fail_msg("%s: expected %s", v[i].what, v[i].ok ? "accepted" : "refused");
        assert_es_err(es_sm2_sig_to_raw(b, n, raw), v[i].ok ? ES_OK : ES_ERR_FORMAT);
        /* refused: a format error, never "does not verify"; accepted: a wrong signature */
        assert_es_err(es_sm2_verify(k, NULL, 0, "m", 1, b, n),
                      v[i].ok ? ES_ERR_SIGNATURE : ES_ERR_FORMAT);
    }
    es_key_free(k);
}

#define R33  "0080112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
#define N    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"
#define N1   "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122"
#define N2   "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54124"
#define P7F  "7FFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122"
#define Z32  "0000000000000000000000000000000000000000000000000000000000000000"
#define FF32 "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

static void test_refusals(void **state)
{
    static const vec v[] = {
        {"", 0, "empty"},
        {"30", 0, "header cut"},
        {"3000", 0, "empty SEQUENCE"},
        {"3006020101020101", 1, "r = s = 1"},
        {"300602010102010100", 0, "trailing byte"},
        {"30060201010201", 0, "truncated s"},
        {"3006020101020201", 0, "s longer than what is left"},
        {"3007020101020101", 0, "SEQUENCE longer than the input"},
        {"3005020101020101", 0, "SEQUENCE shorter than its contents"},
        {"308106020101020101", 0, "long-form SEQUENCE length where short is required"},
        {"30820006020101020101", 0, "two-byte SEQUENCE length"},
        {"308006020101020101", 0, "indefinite SEQUENCE length"},
        {"300702810101020101", 0, "long-form INTEGER length"},
        {"300702820001020101", 0, "two-byte INTEGER length, non-minimal"},
        {"300702800102010100", 0, "indefinite INTEGER length"},
        {"300702020001020101", 0, "leading zero not needed in r"},
        {"30070201010202007F", 0, "leading zero not needed in s"},
        {"3026020101022100" P7F, 0, "leading zero not needed in a 32-byte s"},
        {"3006020181020101", 0, "negative r"},
        {"30060201010201FF", 0, "negative s"},
        {"30070202FF01020101", 0, "negative r, two bytes"},
        {"30250201010220" N1, 0, "s of 32 bytes with the top bit set and no pad: negative"},
        {"3006020100020101", 0, "r = 0"},
        {"3006020101020100", 0, "s = 0"},
        {"300702020000020101", 0, "r = 0 in two bytes"},
        {"30050200020101", 0, "empty INTEGER"},
        {"3006020101030101", 0, "s is a BIT STRING"},
        {"3006040101020101", 0, "r is an OCTET STRING"},
        {"3106020101020101", 0, "SET, not SEQUENCE"},
        {"3006A20101020101", 0, "context tag for r"},
        {"3009020101020101020101", 0, "a third INTEGER"},
        {"30450221" R33 "021F" N1, 0, "s INTEGER shorter than the rest"},
        {"30460221" R33 "022100" N1, 1, "33-byte r and s with their 0x00 pads, s = n - 1"},
        {"3025020101021F" P7F, 0, "s INTEGER of 31 bytes holding 32"},
        {"3026020101022000" N1, 0, "s INTEGER of 32 bytes holding a pad and 32"},
        {"30250201010220" P7F, 1, "32-byte s, top bit clear, no pad"},
        {"3026022100" N "020101", 0, "r = n"},
        {"3026022100" N1 "020101", 1, "r = n - 1"},
        {"3026020101022100" N2, 0, "s = n + 1"},
        {"3026020101022100" N, 0, "s = n"},
        {"3027020101022200" N2 "00", 0, "s of 33 value bytes"},
        {"3026020101022101" N, 0, "s = 2^256 + n"},
    };

    run_table(v, sizeof(v) / sizeof(v[0]));
}

/* 64 bytes are raw r||s unless they are strict DER; raw r and s must be in range too. */
static void test_raw(void **state)
{
    static const vec v[] = {
        {N1 N1, 1, "raw r = s = n - 1"},
        {N N1, 0, "raw r = n"},
        {N1 N2, 0, "raw s = n + 1"},
        {Z32 N1, 0, "raw r = 0"},
        {N1 Z32, 0, "raw s = 0"},
        {"00000000000000000000000000000000000000000000000000000000000000" N1, 0, "63 bytes"},
        {N1 N1 "00", 0, "65 bytes"},
    };

    run_table(v, sizeof(v) / sizeof(v[0]));
}

/* A 64-byte input that is strict DER is read as DER only: out of range, it is refused rather
 * than read as r||s (which would be in range). */
static void test_64_byte_der(void **state)
{
    uint8_t r[33], s[28], b[80], raw[64];
    size_t n;

    memset(r, 0x11, sizeof(r));
    memset(s, 0x22, sizeof(s));
    n = put_sig(b, r, 30, s, sizeof(s));
    assert_int_equal(n, 64);
    assert_int_equal(check_same(b, n), 1);
    assert_es_ok(es_sm2_sig_to_raw(b, n, raw));
    assert_int_equal(raw[1], 0);
    assert_int_equal(raw[2], 0x11);
    b[4] = 0x80; /* r negative: not DER, so raw r||s, both in range */
    assert_int_equal(check_same(b, n), 1);
    assert_es_ok(es_sm2_sig_to_raw(b, n, raw));
    assert_memory_equal(raw, b, 64);
    b[4] = 0x11;
    b[2 + 32 + 2] = 0x80; /* s negative after a good r: raw too, r not taken from the DER */
    assert_int_equal(check_same(b, n), 1);
    assert_es_ok(es_sm2_sig_to_raw(b, n, raw));
    assert_memory_equal(raw, b, 64);
    /* r = n (with its pad) and a 25-byte s: 64 bytes of strict DER, r out of range */
    tu_unhex(N, r, 32);
    n = put_sig(b, r, 32, s, 25);
    assert_int_equal(n, 64);
    assert_int_equal(check_same(b, n), 0);
    assert_es_err(es_sm2_sig_to_raw(b, n, raw), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "signature r is not in [1, n-1]"));
}

/* Every one-byte change, cut, insertion and extension of signatures of every shape: eseal and
 * the reference accept the same inputs with the same r and s. */
static void mutate_all(const uint8_t *sig, size_t n, size_t *accepted, size_t *total)
{
    static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x1F, 0x20, 0x21, 0x22,
                                   0x30, 0x7F, 0x80, 0x81, 0x82, 0xFF};
    uint8_t b[128];

    for (size_t len = 0; len <= n; len++, (*total)++)
        *accepted += (size_t)check_same(sig, len);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < sizeof(vals); j++, (*total)++) {
            memcpy(b, sig, n);
            b[i] = vals[j];
            *accepted += (size_t)check_same(b, n);
            memcpy(b, sig, i);
            b[i] = vals[j];
            memcpy(b + i + 1, sig + i, n - i);
            *accepted += (size_t)check_same(b, n + 1);
        }
        memcpy(b, sig, n);
        b[i] ^= 0x80;
        *accepted += (size_t)check_same(b, n);
    }
    memcpy(b, sig, n);
    b[n] = 0;
    *accepted += (size_t)check_same(b, n + 1);
}

/* Values of r and s around every bound: the first len bytes of hex. */
static const struct shape {
    const char *hex;
    size_t len;
} shapes[] = {
    {"00", 1},   {"01", 1},    {"7F", 1}, {"80", 1}, /* 0; one byte, without and with the pad */
    {"0100", 2}, {N1, 31},     {P7F, 32},            /* 31 bytes; 32 with the top bit clear */
    {N1, 32},    {N, 32},      {N2, 32},             /* n - 1, n, n + 1 */
    {FF32, 32},  {"01" N, 33},                       /* 2^256 - 1; 33 bytes */
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

static void test_against_openssl(void **state)
{
    uint8_t vals[NSHAPES][40], b[80];
    size_t accepted = 0, total = 0;

    for (size_t i = 0; i < NSHAPES; i++)
        assert_true(tu_unhex(shapes[i].hex, vals[i], sizeof(vals[i])) >= shapes[i].len);
    for (size_t i = 0; i < NSHAPES; i++)
        for (size_t j = 0; j < NSHAPES; j++)
            mutate_all(b, put_sig(b, vals[i], shapes[i].len, vals[j], shapes[j].len), &accepted,
                       &total);
    /* raw r||s around the bounds */
    for (size_t i = 0; i < NSHAPES; i++) {
        size_t n = shapes[i].len;

        memset(b, 0, 64);
        if (n <= 32) {
            memcpy(b + 32 - n, vals[i], n);
            memcpy(b + 64 - n, vals[i], n);
        }
        mutate_all(b, 64, &accepted, &total);
    }
    /* 64 bytes of DER, whose edits fall back to raw r||s */
    memset(vals[0], 0x11, 30);
    memset(vals[1], 0x22, 28);
    mutate_all(b, put_sig(b, vals[0], 30, vals[1], 28), &accepted, &total);
    /* both verdicts were exercised, many times */
    assert_true(accepted > 1000);
    assert_true(total - accepted > 10000);
}

static uint32_t next(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Random inputs, half shaped like DER: no disagreement either. */
static void test_random(void **state)
{
    uint8_t b[82];
    uint32_t x = 12345;

    for (int i = 0; i < 200000; i++) {
        size_t n = (size_t)(next(&x) % 82);

        for (size_t j = 0; j < n; j++)
            b[j] = (uint8_t)next(&x);
        if (n >= 8 && i % 2 == 0) { /* a plausible frame: lengths mostly right */
            size_t rl = 1 + (size_t)next(&x) % (n - 6);

            b[0] = 0x30;
            b[1] = (uint8_t)(n - 2);
            b[2] = 0x02;
            b[3] = (uint8_t)rl;
            if (4 + rl + 2 <= n) {
                b[4 + rl] = 0x02;
                b[5 + rl] = (uint8_t)(n - 6 - rl);
            }
        }
        check_same(b, n);
    }
}

/* Signatures made by eseal: DER that decodes to itself, and verifies after the round trip. */
static void test_made_signatures(void **state)
{
    es_key *k = NULL;
    es_buf sig = {0}, der = {0};
    uint8_t raw[64];

    assert_es_ok(es_key_generate_sm2(&k));
    for (int i = 0; i < 200; i++) {
        assert_es_ok(es_sm2_sign(k, NULL, 0, &i, sizeof(i), &sig));
        assert_int_equal(check_same(sig.data, sig.len), 1);
        assert_es_ok(es_sm2_sig_to_raw(sig.data, sig.len, raw));
        assert_es_ok(es_sm2_verify(k, NULL, 0, &i, sizeof(i), raw, 64));
        assert_es_ok(es_sm2_sig_to_der(raw, 64, &der));
        assert_int_equal(der.len, sig.len);
        assert_memory_equal(der.data, sig.data, sig.len);
        es_buf_free(&der);
        es_buf_free(&sig);
    }
    es_key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),    cmocka_unit_test(test_raw),
        cmocka_unit_test(test_64_byte_der), cmocka_unit_test(test_against_openssl),
        cmocka_unit_test(test_random),      cmocka_unit_test(test_made_signatures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
