/* SM2 key I/O: every format round trips, interop with the openssl tool, and every refusal. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testutil.h"

#define PASS "correct horse"

/* tmp() returns one static buffer: keep a few paths alive at once. */
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

static void assert_same_key(const es_key *a, const es_key *b)
{
    assert_true(EVP_PKEY_is_a(es_key_get0_pkey(b), "SM2"));
    assert_int_equal(EVP_PKEY_eq(es_key_get0_pkey(a), es_key_get0_pkey(b)), 1);
}

static int contains(const es_buf *b, const char *s)
{
    size_t m = strlen(s);

    for (size_t i = 0; i + m <= b->len; i++)
        if (memcmp(b->data + i, s, m) == 0)
            return 1;
    return 0;
}

static es_key *load(const char *path, const char *pass)
{
    es_key *k = NULL;

    assert_es_ok(es_key_read_file(path, pass, &k));
    assert_true(EVP_PKEY_is_a(es_key_get0_pkey(k), "SM2"));
    return k;
}

static void test_generate(void **state)
{
    es_key *k = gen();
    char name[32];
    size_t len;

    assert_true(es_key_has_private(k));
    assert_int_equal(es_key_alg(k), ES_KEY_SM2);
    assert_true(EVP_PKEY_is_a(es_key_get0_pkey(k), "SM2"));
    assert_true(EVP_PKEY_get_group_name(es_key_get0_pkey(k), name, sizeof(name), &len));
    assert_string_equal(name, "SM2");
    es_key_free(k);
    es_key_free(NULL);
}

static void round_trip(es_key_format fmt, const char *pass, const char *label)
{
    es_key *k = gen(), *k2 = NULL;
    es_buf b = {0};

    assert_es_ok(es_key_write_private(k, fmt, pass, &b));
    if (label != NULL)
        assert_true(contains(&b, label));
    assert_es_ok(es_key_parse(b.data, b.len, pass, &k2));
    assert_true(es_key_has_private(k2));
    assert_same_key(k, k2);
    es_buf_free(&b);
    es_key_free(k2);
    es_key_free(k);
}

static void test_round_trip_private(void **state)
{
    round_trip(ES_KEY_PKCS8_PEM, NULL, "-----BEGIN PRIVATE KEY-----");
    round_trip(ES_KEY_PKCS8_DER, NULL, NULL);
    round_trip(ES_KEY_SEC1_PEM, NULL, "-----BEGIN EC PRIVATE KEY-----");
    round_trip(ES_KEY_SEC1_DER, NULL, NULL);
    round_trip(ES_KEY_PKCS8_PEM, PASS, "-----BEGIN ENCRYPTED PRIVATE KEY-----");
    round_trip(ES_KEY_PKCS8_DER, PASS, NULL);
}

static void test_round_trip_public(void **state)
{
    es_key *k = gen(), *pub = NULL;
    es_buf b = {0}, b2 = {0};

    for (int pem = 0; pem <= 1; pem++) {
        assert_es_ok(es_key_write_public(k, pem, &b));
        assert_int_equal(contains(&b, "-----BEGIN PUBLIC KEY-----"), pem);
        assert_es_ok(es_key_parse(b.data, b.len, NULL, &pub));
        assert_false(es_key_has_private(pub));
        assert_same_key(k, pub);
        assert_es_err(es_key_write_private(pub, ES_KEY_PKCS8_PEM, NULL, &b2), ES_ERR_ARG);
        es_key_free(pub);
        pub = NULL;
        es_buf_free(&b);
    }
    es_key_free(k);
}

static void test_write_refusals(void **state)
{
    es_key *k = gen();
    es_buf b = {0};

    assert_es_err(es_key_write_private(k, ES_KEY_SEC1_PEM, PASS, &b), ES_ERR_ARG);
    assert_es_err(es_key_write_private(k, ES_KEY_SEC1_DER, PASS, &b), ES_ERR_ARG);
    assert_es_err(es_key_write_private(k, ES_KEY_PKCS8_PEM, "", &b), ES_ERR_ARG);
    assert_es_err(es_key_write_private(k, (es_key_format)42, NULL, &b), ES_ERR_ARG);
    es_key_free(k);
}

/* Our encrypted PKCS#8 is PBES2/PBKDF2-HMAC-SHA256/SM4-CBC, 100000 rounds, 16-byte salt. */
static void test_encrypted_pkcs8_params(void **state)
{
    es_key *k = gen();
    es_buf b = {0};
    const char *der = tmp("enc.der");
    const char *asn = tmp("enc.asn1");

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_DER, PASS, &b));
    tu_write(der, b.data, b.len);
    assert_int_equal(tu_run("openssl asn1parse -inform DER -in %s > %s", der, asn), 0);
    assert_int_equal(tu_run("grep -q ':PBES2' %s", asn), 0);
    assert_int_equal(tu_run("grep -q ':PBKDF2' %s", asn), 0);
    assert_int_equal(tu_run("grep -q ':hmacWithSHA256' %s", asn), 0);
    assert_int_equal(tu_run("grep -qi ':sm4-cbc' %s", asn), 0);
    assert_int_equal(tu_run("grep -q 'INTEGER *:0186A0' %s", asn), 0);
    /* The salt is the first OCTET STRING inside PBKDF2-params: 16 bytes (header 2). */
    assert_int_equal(
        tu_run("grep -A2 ':PBKDF2' %s | grep -q 'hl=2 l=  16 prim: OCTET STRING'", asn), 0);
    es_buf_free(&b);
    es_key_free(k);
}

/* Two encryptions of one key differ: the salt and IV are random. */
static void test_encrypted_pkcs8_random(void **state)
{
    es_key *k = gen();
    es_buf a = {0}, b = {0};

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_DER, PASS, &a));
    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_DER, PASS, &b));
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data, b.data, a.len);
    es_buf_free(&a);
    es_buf_free(&b);
    es_key_free(k);
}

static void test_encrypted_pkcs8_openssl_reads(void **state)
{
    es_key *k = gen(), *k2;
    es_buf b = {0};
    const char *in = tmp("enc-ours.pem");

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, PASS, &b));
    tu_write(in, b.data, b.len);
    es_buf_free(&b);
    assert_int_equal(tu_run("openssl pkey -in %s -passin 'pass:" PASS "' -out %s", in,
                            tmp("dec-by-openssl.pem")),
                     0);
    k2 = load(tmp("dec-by-openssl.pem"), NULL);
    assert_same_key(k, k2);
    es_key_free(k2);
    es_key_free(k);
}

static void test_wrong_password(void **state)
{
    es_key *k = gen(), *k2 = NULL;
    es_buf b = {0};

    for (int pem = 0; pem <= 1; pem++) {
        assert_es_ok(es_key_write_private(k, pem ? ES_KEY_PKCS8_PEM : ES_KEY_PKCS8_DER, PASS, &b));
        assert_es_err(es_key_parse(b.data, b.len, "wrong", &k2), ES_ERR_PASSWORD);
        assert_es_err(es_key_parse(b.data, b.len, NULL, &k2), ES_ERR_PASSWORD);
        assert_es_err(es_key_parse(b.data, b.len, "", &k2), ES_ERR_PASSWORD);
        assert_null(k2);
        es_buf_free(&b);
    }
    es_key_free(k);
}

/* Keys written by `openssl genpkey`, `openssl ec` (its SM2 PRIVATE KEY label) and others. */
static void test_openssl_made_keys(void **state)
{
    const char *pk8 = tmp("gen.pem");
    static const char *const derived[][2] = {
        {"sm2label.pem", "ec"},
        {"sec1.der", "ec -outform DER"},
        {"pk8.der", "pkey -outform DER"},
        {"pub.pem", "pkey -pubout"},
        {"pub.der", "pkey -pubout -outform DER"},
    };
    char path[4096];
    es_key *ref, *k;

    assert_int_equal(tu_run("openssl genpkey -algorithm SM2 -out %s", pk8), 0);
    ref = load(pk8, NULL);
    for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
        snprintf(path, sizeof(path), "%s", tmp(derived[i][0]));
        assert_int_equal(tu_run("openssl %s -in %s -out %s", derived[i][1], pk8, path), 0);
        k = load(path, NULL);
        assert_int_equal(es_key_has_private(k), strncmp(derived[i][0], "pub", 3) != 0);
        assert_same_key(ref, k);
        es_key_free(k);
    }
    assert_int_equal(tu_run("grep -q 'BEGIN SM2 PRIVATE KEY' %s", tmp("sm2label.pem")), 0);
    es_key_free(ref);
}

/*
 * `openssl ecparam -genkey` writes an SM2 PARAMETERS block before the key; `openssl ec` output
 * relabelled EC PRIVATE KEY is what other tools write; explicit curve parameters are still SM2.
 */
static void test_openssl_other_layouts(void **state)
{
    static const struct {
        const char *name, *cmd, *label;
    } cases[] = {
        {"ecparam.pem", "openssl ecparam -name SM2 -genkey", "BEGIN SM2 PARAMETERS"},
        {"eclabel.pem", "openssl genpkey -algorithm SM2 | openssl ec | sed 's/SM2 PRIV/EC PRIV/'",
         "BEGIN EC PRIVATE KEY"},
        {"explicit.pem", "openssl genpkey -algorithm SM2 | openssl ec -param_enc explicit",
         "BEGIN SM2 PRIVATE KEY"},
    };
    es_key *k;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = tmp(cases[i].name);

        assert_int_equal(tu_run("%s > %s 2>/dev/null", cases[i].cmd, path), 0);
        assert_int_equal(tu_run("grep -q '%s' %s", cases[i].label, path), 0);
        k = load(path, NULL);
        assert_true(es_key_has_private(k));
        es_key_free(k);
    }
}

static void test_openssl_encrypted_keys(void **state)
{
    const char *pk8 = tmp("gen2.pem"), *epk8 = tmp("gen2-enc.pem");
    const char *legacy = tmp("gen2-legacy.pem");
    es_key *ref, *k = NULL;

    assert_int_equal(tu_run("openssl genpkey -algorithm SM2 -out %s", pk8), 0);
    assert_int_equal(
        tu_run("openssl pkcs8 -topk8 -v2 aes-256-cbc -in %s -passout pass:pw -out %s", pk8, epk8),
        0);
    assert_int_equal(tu_run("openssl ec -in %s -aes256 -passout pass:pw -out %s", pk8, legacy), 0);
    ref = load(pk8, NULL);
    k = load(epk8, "pw");
    assert_same_key(ref, k);
    es_key_free(k);
    k = load(legacy, "pw");
    assert_same_key(ref, k);
    es_key_free(k);
    k = NULL;
    assert_es_err(es_key_read_file(epk8, "wrong", &k), ES_ERR_PASSWORD);
    assert_es_err(es_key_read_file(legacy, "wrong", &k), ES_ERR_PASSWORD);
    assert_es_err(es_key_read_file(legacy, NULL, &k), ES_ERR_PASSWORD);
    es_key_free(ref);
}

/* A huge PBKDF2 count is refused before any hashing (the limit is 1000000). */
static void test_iteration_limit(void **state)
{
    const char *pk8 = tmp("gen3.pem"), *epk8 = tmp("gen3-iter.pem");
    es_key *k = NULL;

    assert_int_equal(tu_run("openssl genpkey -algorithm SM2 -out %s", pk8), 0);
    assert_int_equal(tu_run("openssl pkcs8 -topk8 -v2 aes-128-cbc -iter 1000001 -in %s "
                            "-passout pass:pw -out %s",
                            pk8, epk8),
                     0);
    assert_es_err(es_key_read_file(epk8, "pw", &k), ES_ERR_LIMIT);
    assert_int_equal(tu_run("openssl pkcs8 -topk8 -v2 aes-128-cbc -iter 1000000 -in %s "
                            "-passout pass:pw -out %s",
                            pk8, epk8),
                     0);
    k = load(epk8, "pw");
    es_key_free(k);
}

/* P-256 and RSA keys are read in every layout; other curves and algorithms are refused. */
static void test_other_algorithms(void **state)
{
    static const struct {
        const char *cmd;
        es_err want;
        es_key_alg_id alg;
    } cases[] = {
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", ES_OK, ES_KEY_EC_P256},
        {"openssl ecparam -name prime256v1 -genkey -noout", ES_OK, ES_KEY_EC_P256},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkey -pubout",
         ES_OK, ES_KEY_EC_P256},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkey -outform "
         "DER",
         ES_OK, ES_KEY_EC_P256},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkcs8 -topk8 "
         "-passout pass:pw",
         ES_OK, ES_KEY_EC_P256},
        {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048", ES_OK, ES_KEY_RSA},
        {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkey -pubout",
         ES_OK, ES_KEY_RSA},
        {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024", ES_ERR_UNSUPPORTED, 0},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1", ES_ERR_UNSUPPORTED,
         0},
        {"openssl ecparam -name brainpoolP256r1 -genkey -noout", ES_ERR_UNSUPPORTED, 0},
        {"openssl genpkey -algorithm ED25519", ES_ERR_UNSUPPORTED, 0},
    };
    es_key *k = NULL;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = tmp("other.pem");

        assert_int_equal(tu_run("%s > %s 2>/dev/null", cases[i].cmd, path), 0);
        assert_es_err(es_key_read_file(path, "pw", &k), cases[i].want);
        if (cases[i].want != ES_OK) {
            assert_null(k);
            continue;
        }
        assert_int_equal(es_key_alg(k), cases[i].alg);
        es_key_free(k);
        k = NULL;
    }
}

/* Generated P-256 and RSA keys: right size, written and read back, refused by es_sm2_*. */
static void test_generate_other(void **state)
{
    static const es_key_alg_id algs[] = {ES_KEY_EC_P256, ES_KEY_RSA};
    es_key *k = NULL, *k2 = NULL;
    es_buf b = {0}, sig = {0};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        assert_es_ok(es_key_generate(algs[i], &k));
        assert_int_equal(es_key_alg(k), algs[i]);
        assert_true(es_key_has_private(k));
        assert_int_equal(EVP_PKEY_get_bits(es_key_get0_pkey(k)), i == 0 ? 256 : 3072);
        assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, "pw", &b));
        assert_es_ok(es_key_parse(b.data, b.len, "pw", &k2));
        assert_int_equal(EVP_PKEY_eq(es_key_get0_pkey(k), es_key_get0_pkey(k2)), 1);
        es_buf_free(&b);
        assert_es_err(es_key_write_private(k, ES_KEY_SEC1_PEM, NULL, &b),
                      i == 0 ? ES_OK : ES_ERR_ARG);
        es_buf_free(&b);
        assert_es_err(es_sm2_sign(k, NULL, 0, "m", 1, &sig), ES_ERR_ARG);
        assert_es_err(es_sm2_verify(k2, NULL, 0, "m", 1, (const uint8_t *)"xx", 2), ES_ERR_ARG);
        es_key_free(k2);
        es_key_free(k);
        k = k2 = NULL;
    }
    assert_es_err(es_key_generate((es_key_alg_id)99, &k), ES_ERR_ARG);
}

static void test_from_pkey(void **state)
{
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *ecsm2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "SM2");
    es_key *k = NULL, *pub = NULL;
    uint8_t a[65], b[65];
    size_t alen, blen;
    es_buf sig = {0}, spki = {0};

    assert_non_null(p256);
    assert_es_ok(es_key_from_pkey(p256, &k));
    assert_int_equal(es_key_alg(k), ES_KEY_EC_P256);
    assert_true(es_key_has_private(k));
    es_key_free(k);
    k = NULL;
    /* An "EC" key on the SM2 curve becomes an "SM2" key with the same key pair. */
    assert_non_null(ecsm2);
    assert_true(EVP_PKEY_is_a(ecsm2, "EC"));
    assert_es_ok(es_key_from_pkey(ecsm2, &k));
    assert_true(EVP_PKEY_is_a(es_key_get0_pkey(k), "SM2"));
    assert_true(es_key_has_private(k));
    assert_true(EVP_PKEY_get_octet_string_param(ecsm2, "pub", a, sizeof(a), &alen));
    assert_true(EVP_PKEY_get_octet_string_param(es_key_get0_pkey(k), "pub", b, sizeof(b), &blen));
    assert_memory_equal(a, b, alen);
    assert_int_equal(alen, blen);
    /* The converted key signs; a verifier built from the EC key's SPKI accepts it. */
    assert_es_ok(es_sm2_sign(k, NULL, 0, "m", 1, &sig));
    assert_int_equal(i2d_PUBKEY(ecsm2, NULL) > 0, 1);
    spki.len = (size_t)i2d_PUBKEY(ecsm2, &spki.data);
    assert_es_ok(es_key_parse(spki.data, spki.len, NULL, &pub));
    assert_es_ok(es_sm2_verify(pub, NULL, 0, "m", 1, sig.data, sig.len));
    OPENSSL_free(spki.data);
    es_buf_free(&sig);
    es_key_free(pub);
    es_key_free(k);
    EVP_PKEY_free(ecsm2);
    EVP_PKEY_free(p256);
}

/* Every proper prefix and one extra byte of every encoding is refused as malformed. */
static void assert_truncations_fail(const es_buf *b)
{
    es_key *k = NULL;
    uint8_t *more = malloc(b->len + 1);

    for (size_t n = 1; n < b->len; n++)
        assert_es_err(es_key_parse(b->data, n, NULL, &k), ES_ERR_FORMAT);
    memcpy(more, b->data, b->len);
    more[b->len] = 0;
    assert_es_err(es_key_parse(more, b->len + 1, NULL, &k), ES_ERR_FORMAT);
    free(more);
}

static void test_malformed(void **state)
{
    es_key *k = gen();
    es_buf b = {0};
    es_key *k2 = NULL;
    static const char bad_pem[] = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
    static const char cert_only[] =
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    uint8_t junk[200];

    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_DER, NULL, &b));
    assert_truncations_fail(&b);
    es_buf_free(&b);
    assert_es_ok(es_key_write_private(k, ES_KEY_SEC1_DER, NULL, &b));
    assert_truncations_fail(&b);
    es_buf_free(&b);
    assert_es_ok(es_key_write_public(k, 0, &b));
    assert_truncations_fail(&b);
    es_buf_free(&b);
    assert_es_ok(es_key_write_private(k, ES_KEY_PKCS8_PEM, NULL, &b));
    assert_es_err(es_key_parse(b.data, b.len / 2, NULL, &k2), ES_ERR_FORMAT);
    es_buf_free(&b);
    assert_es_err(es_key_parse((const uint8_t *)bad_pem, strlen(bad_pem), NULL, &k2),
                  ES_ERR_FORMAT);
    assert_es_err(es_key_parse((const uint8_t *)cert_only, strlen(cert_only), NULL, &k2),
                  ES_ERR_FORMAT);
    assert_es_err(es_key_parse(junk, 0, NULL, &k2), ES_ERR_FORMAT);
    for (int i = 0; i < 20; i++) {
        assert_es_ok(es_random(junk, sizeof(junk)));
        assert_es_err(es_key_parse(junk, sizeof(junk), NULL, &k2), ES_ERR_FORMAT);
    }
    assert_null(k2);
    es_key_free(k);
}

/* SEC1 with another key's public point: the pair check refuses it. */
static void test_mismatched_pair(void **state)
{
    es_key *a = gen(), *b = gen(), *k = NULL;
    es_buf da = {0}, db = {0};

    assert_es_ok(es_key_write_private(a, ES_KEY_SEC1_DER, NULL, &da));
    assert_es_ok(es_key_write_private(b, ES_KEY_SEC1_DER, NULL, &db));
    assert_int_equal(da.len, db.len);
    assert_int_equal(da.data[da.len - 65], 0x04);
    assert_es_ok(es_key_parse(da.data, da.len, NULL, &k));
    es_key_free(k);
    memcpy(da.data + da.len - 65, db.data + db.len - 65, 65);
    assert_es_err(es_key_parse(da.data, da.len, NULL, &k), ES_ERR_FORMAT);
    assert_null(k);
    es_buf_free(&db);
    es_buf_free(&da);
    es_key_free(b);
    es_key_free(a);
}

static void test_limits_and_io(void **state)
{
    es_key *k = NULL;
    uint8_t one = 0x30;

    assert_es_err(es_key_parse(&one, (size_t)ES_KEY_MAX_INPUT + 1, NULL, &k), ES_ERR_LIMIT);
    assert_es_err(es_key_read_file(tmp("does-not-exist"), NULL, &k), ES_ERR_IO);
    assert_null(k);
}

static X509 *cert(const char *name)
{
    X509 *x = NULL;

    assert_es_ok(es_cert_read_file(tu_sample(name), &x));
    return x;
}

static void test_match_cert(void **state)
{
    es_key *user = load(tu_sample("pki/USER_key.pem"), NULL);
    es_key *maker = load(tu_sample("pki/SealBuilder_key.pem"), NULL);
    es_key *sign = load(tu_sample("pki/sign_key.pem"), NULL);
    X509 *ucert = cert("pki/USER_cert.pem"), *scert = cert("pki/sign_cert.pem");

    assert_es_ok(es_key_match_cert(user, ucert));
    assert_es_ok(es_key_match_cert(sign, scert));
    assert_es_err(es_key_match_cert(maker, ucert), ES_ERR_KEY_MISMATCH);
    assert_es_err(es_key_match_cert(user, scert), ES_ERR_KEY_MISMATCH);
    X509_free(ucert);
    X509_free(scert);
    es_key_free(sign);
    es_key_free(maker);
    es_key_free(user);
}

static void test_from_cert_verifies_sample_key(void **state)
{
    es_key *user = load(tu_sample("pki/USER_key.pem"), NULL), *pub = NULL;
    X509 *ucert = cert("pki/USER_cert.pem");
    es_buf sig = {0};
    static const char msg[] = "sealed with the sample key";

    assert_es_ok(es_key_from_cert(ucert, &pub));
    assert_false(es_key_has_private(pub));
    assert_es_ok(es_sm2_sign(user, NULL, 0, msg, sizeof(msg) - 1, &sig));
    assert_es_ok(es_sm2_verify(pub, NULL, 0, msg, sizeof(msg) - 1, sig.data, sig.len));
    assert_es_err(es_sm2_verify(pub, NULL, 0, msg, sizeof(msg) - 2, sig.data, sig.len),
                  ES_ERR_SIGNATURE);
    es_buf_free(&sig);
    X509_free(ucert);
    es_key_free(pub);
    es_key_free(user);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_round_trip_private),
        cmocka_unit_test(test_round_trip_public),
        cmocka_unit_test(test_write_refusals),
        cmocka_unit_test(test_encrypted_pkcs8_params),
        cmocka_unit_test(test_encrypted_pkcs8_random),
        cmocka_unit_test(test_encrypted_pkcs8_openssl_reads),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_openssl_made_keys),
        cmocka_unit_test(test_openssl_other_layouts),
        cmocka_unit_test(test_openssl_encrypted_keys),
        cmocka_unit_test(test_iteration_limit),
        cmocka_unit_test(test_other_algorithms),
        cmocka_unit_test(test_generate_other),
        cmocka_unit_test(test_from_pkey),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_mismatched_pair),
        cmocka_unit_test(test_limits_and_io),
        cmocka_unit_test(test_match_cert),
        cmocka_unit_test(test_from_cert_verifies_sample_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
