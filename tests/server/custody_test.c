/* Key custody: PIN wrap round trip, wrong PIN/secret/aad, and no key bytes in the database file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>

#include "custody.h"
#include "eseal/crypto.h"
#include "seal_local.h"

static int failed;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "FAIL: %s\n", what);                                                   \
            failed++;                                                                              \
        }                                                                                          \
    } while (0)

static int contains(const es_buf *hay, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + n <= hay->len; i++)
        if (memcmp(hay->data + i, p, n) == 0)
            return 1;
    return 0;
}

/* The raw 32-byte scalar d of an SM2 key. */
static void scalar(const es_key *k, uint8_t d[32])
{
    BIGNUM *bn = NULL;

    EVP_PKEY_get_bn_param(es_key_get0_pkey(k), OSSL_PKEY_PARAM_PRIV_KEY, &bn);
    BN_bn2binpad(bn, d, 32);
    BN_clear_free(bn);
}

static void test_db(const es_key *key, const es_buf *blob)
{
    char dir[] = "/tmp/eseal-custody-XXXXXX", url[128], path[128];
    uint8_t d[32];
    es_buf der = {0}, sec1 = {0}, file = {0}, wal = {0};
    st_store *s = NULL;
    st_seal_blobs b = {0};
    char *b64 = srv_b64(blob->data, blob->len);
    st_account a = {0};
    st_seal seal = {0};
    int64_t vid;

    CHECK(mkdtemp(dir) != NULL, "temp dir");
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    CHECK(st_open(url, 1, &s) == ES_OK, "open store");
    strcpy(a.kind, "person");
    strcpy(a.role, "person");
    strcpy(a.status, "verified");
    strcpy(a.login, "13800000000");
    strcpy(a.name, "张三");
    strcpy(a.pw_hash, "x");
    CHECK(st_account_create(s, &a, &vid) == ES_OK, "account");
    seal.owner_id = seal.applicant_id = a.id;
    strcpy(seal.type, "00");
    strcpy(seal.name, "张三");
    strcpy(seal.picture_source, "generated");
    CHECK(st_seal_create(s, &seal, "iVBO") == ES_OK, "seal row");
    CHECK(st_seal_approve_for_test(s, seal.id) == ES_OK, "approved");
    {
        char code[ST_SHORT_MAX];
        st_seal_blobs m = {(char *)"iVBO", (char *)"-----BEGIN CERTIFICATE-----",
                           (char *)"MA==", b64};

        CHECK(st_seal_claim(s, seal.id, "110000", code) == ES_OK, "claim");
        CHECK(strcmp(code, "11000000000001") == 0, "first seal code of the region");
        CHECK(st_seal_made(s, seal.id, "01", &m) == ES_OK, "made");
    }
    CHECK(st_seal_blobs_get(s, seal.id, &b) == ES_OK && b.wrapped && strcmp(b.wrapped, b64) == 0,
          "wrapped key stored and read back");
    st_seal_blobs_release(&b);
    st_close(s);
    snprintf(path, sizeof(path), "%s/t.db", dir);
    es_file_read(path, 1 << 26, &file);
    snprintf(path, sizeof(path), "%s/t.db-wal", dir);
    es_file_read(path, 1 << 26, &wal);
    scalar(key, d);
    es_key_write_private(key, ES_KEY_PKCS8_DER, NULL, &der);
    es_key_write_private(key, ES_KEY_SEC1_DER, NULL, &sec1);
    CHECK(file.len > 0, "database file read");
    CHECK(contains(&file, blob->data + CUSTODY_HEAD_LEN, 8) == 0, "blob stored as base64 only");
    CHECK(!contains(&file, d, 32) && !contains(&wal, d, 32), "no raw scalar in the database");
    CHECK(!contains(&file, der.data, der.len) && !contains(&wal, der.data, der.len), "no PKCS#8");
    CHECK(!contains(&file, sec1.data, sec1.len) && !contains(&wal, sec1.data, sec1.len), "no SEC1");
    /* The test can fail: the same search finds the key bytes when they are there. */
    CHECK(contains(&der, d, 32), "the search finds a scalar where it is");
    es_buf_free(&file);
    es_buf_free(&wal);
    es_buf_free(&der);
    es_buf_free(&sec1);
    free(b64);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    CHECK(system(path) == 0, "cleanup");
}

int main(void)
{
    uint8_t secret[32], other[32];
    custody_params p = {1, 1024, 1}; /* fast parameters for the test */
    es_key *key = NULL, *back = NULL;
    es_buf blob = {0}, re = {0};
    uint8_t d1[32], d2[32];

    es_random(secret, sizeof(secret));
    es_random(other, sizeof(other));
    CHECK(es_key_generate_sm2(&key) == ES_OK, "key");
    CHECK(custody_wrap(secret, "12345", &p, "a", 1, key, &blob) == ES_ERR_ARG, "short PIN");
    CHECK(custody_wrap(secret, "123456", &p, "seal:1", 6, key, &blob) == ES_OK, "wrap");
    CHECK(custody_unwrap(secret, "123456", "seal:1", 6, blob.data, blob.len, &back) == ES_OK,
          "unwrap");
    scalar(key, d1);
    scalar(back, d2);
    CHECK(memcmp(d1, d2, 32) == 0, "same key back");
    es_key_free(back);
    back = NULL;
    CHECK(custody_unwrap(secret, "123457", "seal:1", 6, blob.data, blob.len, &back) ==
              ES_ERR_DECRYPT,
          "wrong PIN");
    CHECK(custody_unwrap(other, "123456", "seal:1", 6, blob.data, blob.len, &back) ==
              ES_ERR_DECRYPT,
          "master secret alone or another secret");
    CHECK(custody_unwrap(secret, "123456", "seal:2", 6, blob.data, blob.len, &back) ==
              ES_ERR_DECRYPT,
          "another seal's aad");
    blob.data[5] ^= 1;
    CHECK(custody_unwrap(secret, "123456", "seal:1", 6, blob.data, blob.len, &back) != ES_OK,
          "tampered parameters");
    blob.data[5] ^= 1;
    CHECK(custody_rewrap(secret, "123456", "654321", "seal:1", 6, blob.data, blob.len, &re) ==
              ES_OK,
          "rewrap");
    CHECK(custody_unwrap(secret, "654321", "seal:1", 6, re.data, re.len, &back) == ES_OK,
          "new PIN opens");
    es_key_free(back);
    test_db(key, &blob);
    es_key_free(key);
    es_buf_free(&blob);
    es_buf_free(&re);
    printf("custody: %s\n", failed ? "FAILED" : "all passed");
    return failed ? 1 : 0;
}
