/* SM2 encryption: round trips, the GM/T 0009 C1C3C2 layout, openssl interop, and tampering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "testutil.h"

static const char *tmp(const char *name)
{
    static char ring[8][4096];
    static unsigned next;
    char *p = ring[next++ % 8];

    snprintf(p, sizeof(ring[0]), "%s", tu_tmp(name));
    return p;
}

static es_key *gen(void)
{
    es_key *k = NULL;

    assert_es_ok(es_key_generate_sm2(&k));
    return k;
}

static void test_round_trip(void **state)
{
    static const size_t sizes[] = {1, 16, 31, 32, 33, 100, 1000, 65536};
    es_key *k = gen();
    uint8_t *msg = malloc(65536);

    assert_es_ok(es_random(msg, 65536));
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        es_buf ct = {0}, pt = {0};

        assert_es_ok(es_sm2_encrypt(k, msg, sizes[i], &ct));
        assert_es_ok(es_sm2_decrypt(k, ct.data, ct.len, &pt));
        assert_int_equal(pt.len, sizes[i]);
        assert_memory_equal(pt.data, msg, sizes[i]);
        es_buf_free(&pt);
        es_buf_free(&ct);
    }
    free(msg);
    es_key_free(k);
}

static void test_refusals(void **state)
{
    es_key *k = gen(), *other = gen(), *pub = NULL;
    es_buf b = {0}, ct = {0}, pt = {0};

    assert_es_err(es_sm2_encrypt(k, "", 0, &ct), ES_ERR_ARG);
    assert_es_ok(es_key_write_public(k, 0, &b));
    assert_es_ok(es_key_parse(b.data, b.len, NULL, &pub));
    assert_es_ok(es_sm2_encrypt(pub, "secret", 6, &ct));
    assert_es_err(es_sm2_decrypt(pub, ct.data, ct.len, &pt), ES_ERR_ARG);
    assert_es_err(es_sm2_decrypt(other, ct.data, ct.len, &pt), ES_ERR_DECRYPT);
    assert_es_err(es_sm2_decrypt(k, ct.data, 0, &pt), ES_ERR_DECRYPT);
    for (size_t n = 1; n < ct.len; n++)
        assert_es_err(es_sm2_decrypt(k, ct.data, n, &pt), ES_ERR_DECRYPT);
    assert_null(pt.data);
    es_buf_free(&ct);
    es_buf_free(&b);
    es_key_free(pub);
    es_key_free(other);
    es_key_free(k);
}

/* Every single-bit change anywhere in the ciphertext is refused. */
static void test_tampering(void **state)
{
    es_key *k = gen();
    es_buf ct = {0}, pt = {0};

    assert_es_ok(es_sm2_encrypt(k, "attack at dawn", 14, &ct));
    for (size_t i = 0; i < ct.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            es_err rc;

            ct.data[i] ^= (uint8_t)(1u << bit);
            rc = es_sm2_decrypt(k, ct.data, ct.len, &pt);
            ct.data[i] ^= (uint8_t)(1u << bit);
            if (rc != ES_ERR_DECRYPT && rc != ES_ERR_FORMAT)
                fail_msg("byte %zu bit %d: %s", i, bit, es_strerror(rc));
        }
    }
    assert_es_ok(es_sm2_decrypt(k, ct.data, ct.len, &pt));
    es_buf_free(&pt);
    es_buf_free(&ct);
    es_key_free(k);
}

/* GB/T 32918.4 KDF with SM3: SM3(z || ct) for ct = 1, 2, ... concatenated. */
static void kdf(const uint8_t *z, size_t zlen, uint8_t *out, size_t n)
{
    uint8_t buf[128], md[ES_SM3_LEN];

    for (uint32_t ct = 1; n > 0; ct++) {
        size_t k = n < ES_SM3_LEN ? n : ES_SM3_LEN;

        memcpy(buf, z, zlen);
        buf[zlen] = (uint8_t)(ct >> 24);
        buf[zlen + 1] = (uint8_t)(ct >> 16);
        buf[zlen + 2] = (uint8_t)(ct >> 8);
        buf[zlen + 3] = (uint8_t)ct;
        assert_es_ok(es_sm3(buf, zlen + 4, md));
        memcpy(out, md, k);
        out += k;
        n -= k;
    }
}

/* Read DER tag t at *p with a short or one-byte long length; return the content length. */
static size_t der_take(const uint8_t **p, uint8_t t)
{
    size_t len;

    assert_int_equal((*p)[0], t);
    len = (*p)[1];
    *p += 2;
    if (len == 0x81) {
        len = (*p)[0];
        *p += 1;
    }
    return len;
}

/*
 * Check the ciphertext is SEQUENCE { x, y, C3 = SM3(x2 || M || y2), C2 = M ^ KDF(x2 || y2) }
 * by recomputing (x2, y2) = d * C1 with OpenSSL's EC arithmetic.
 */
static void check_c1c3c2(const es_key *k, const es_buf *ct, const uint8_t *msg, size_t n)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *c1 = EC_POINT_new(g), *p2 = EC_POINT_new(g);
    BIGNUM *d = NULL, *x = NULL, *y = NULL;
    const uint8_t *p = ct->data;
    uint8_t xy[64], z[200], md[ES_SM3_LEN], *c2 = malloc(n);
    size_t len;

    assert_true(EVP_PKEY_get_bn_param(es_key_get0_pkey(k), OSSL_PKEY_PARAM_PRIV_KEY, &d));
    der_take(&p, 0x30);
    len = der_take(&p, 0x02);
    x = BN_bin2bn(p, (int)len, NULL);
    p += len;
    len = der_take(&p, 0x02);
    y = BN_bin2bn(p, (int)len, NULL);
    p += len;
    assert_int_equal(EC_POINT_set_affine_coordinates(g, c1, x, y, NULL), 1);
    assert_int_equal(EC_POINT_mul(g, p2, NULL, c1, d, NULL), 1);
    assert_int_equal(EC_POINT_get_affine_coordinates(g, p2, x, y, NULL), 1);
    assert_int_equal(BN_bn2binpad(x, xy, 32), 32);
    assert_int_equal(BN_bn2binpad(y, xy + 32, 32), 32);
    assert_int_equal(der_take(&p, 0x04), ES_SM3_LEN);
    memcpy(z, xy, 32);
    memcpy(z + 32, msg, n);
    memcpy(z + 32 + n, xy + 32, 32);
    assert_es_ok(es_sm3(z, 64 + n, md));
    assert_memory_equal(p, md, ES_SM3_LEN);
    p += ES_SM3_LEN;
    assert_int_equal(der_take(&p, 0x04), n);
    kdf(xy, 64, c2, n);
    for (size_t i = 0; i < n; i++)
        c2[i] ^= msg[i];
    assert_memory_equal(p, c2, n);
    assert_ptr_equal(p + n, ct->data + ct->len);
    free(c2);
    BN_clear_free(d);
    BN_free(x);
    BN_free(y);
    EC_POINT_free(p2);
    EC_POINT_free(c1);
    EC_GROUP_free(g);
}

static void test_gmt0009_layout(void **state)
{
    static const uint8_t msg[] = "encryption standard";
    const size_t n = sizeof(msg) - 1;
    const char *ctf = tmp("layout.der"), *asn = tmp("layout.txt");
    es_key *k = gen();
    es_buf ct = {0};

    assert_es_ok(es_sm2_encrypt(k, msg, n, &ct));
    check_c1c3c2(k, &ct, msg, n);
    /* The openssl tool sees the same four fields. */
    tu_write(ctf, ct.data, ct.len);
    assert_int_equal(tu_run("openssl asn1parse -inform DER -in %s > %s", ctf, asn), 0);
    assert_int_equal(tu_run("test $(grep -c 'd=1 .*prim: INTEGER' %s) = 2", asn), 0);
    assert_int_equal(tu_run("sed -n 4p %s | grep -q 'd=1  hl=2 l=  32 prim: OCTET STRING'", asn),
                     0);
    assert_int_equal(tu_run("sed -n 5p %s | grep -q 'd=1  hl=2 l=  19 prim: OCTET STRING'", asn),
                     0);
    es_buf_free(&ct);
    es_key_free(k);
}

static void write_keys(const es_key *k, const char *priv, const char *pub)
{
    es_buf b = {0};

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, NULL, &b));
    tu_write(priv, b.data, b.len);
    es_buf_free(&b);
    assert_es_ok(es_key_write_public(k, 1, &b));
    tu_write(pub, b.data, b.len);
    es_buf_free(&b);
}

static void test_openssl_interop(void **state)
{
    const char *key = tmp("k.pem"), *pub = tmp("p.pem"), *ours = tmp("ours.ct");
    const char *theirs = tmp("theirs.ct"), *out = tmp("out.pt"), *in = tmp("in.pt");
    static const char text[] = "a session key, more or less";
    es_key *k = gen();
    es_buf ct = {0}, pt = {0};

    write_keys(k, key, pub);
    assert_es_ok(es_sm2_encrypt(k, text, sizeof(text) - 1, &ct));
    tu_write(ours, ct.data, ct.len);
    es_buf_free(&ct);
    assert_int_equal(tu_run("openssl pkeyutl -decrypt -inkey %s -in %s -out %s", key, ours, out),
                     0);
    pt = tu_read(out);
    assert_int_equal(pt.len, sizeof(text) - 1);
    assert_memory_equal(pt.data, text, pt.len);
    es_buf_free(&pt);
    tu_write(in, text, sizeof(text) - 1);
    assert_int_equal(
        tu_run("openssl pkeyutl -encrypt -pubin -inkey %s -in %s -out %s", pub, in, theirs), 0);
    ct = tu_read(theirs);
    assert_es_ok(es_sm2_decrypt(k, ct.data, ct.len, &pt));
    assert_int_equal(pt.len, sizeof(text) - 1);
    assert_memory_equal(pt.data, text, pt.len);
    check_c1c3c2(k, &ct, (const uint8_t *)text, sizeof(text) - 1);
    es_buf_free(&pt);
    es_buf_free(&ct);
    es_key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_tampering),       cmocka_unit_test(test_gmt0009_layout),
        cmocka_unit_test(test_openssl_interop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
