/*
 * SM2 benchmark in one process: eseal's default (fast) path against OpenSSL's EVP SM2 on the
 * same key and message, one core, with ratios; `bench_sm2 diff N` is the long differential run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "eseal/eseal.h"

/*
 * CPU time of this process (single-threaded): other processes sharing the core stretch wall
 * time but not this, so the rates stay comparable on a busy machine.
 */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_sm2: %s: %s\n", what, es_errdetail());
    exit(2);
}

static const uint8_t msg[32] = {0x5a};
static es_buf spki; /* the key's SubjectPublicKeyInfo (DER), for the fresh-key verify */

/* A certificate's key seen once: parse the public key, verify one signature, free it. */
static int verify_fresh(const es_buf *sig)
{
    es_key *k = NULL;
    int ok = es_key_parse(spki.data, spki.len, NULL, &k) == ES_OK &&
             es_sm2_verify(k, NULL, 0, msg, sizeof(msg), sig->data, sig->len) == ES_OK;

    es_key_free(k);
    return ok;
}

/* OpenSSL's SM2 with SM3 and the default ID; verify when sig != NULL. */
static int ossl_op(EVP_PKEY *pkey, uint8_t *out, size_t *outlen, const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    int ok;

    if (sig == NULL)
        ok = EVP_DigestSignInit_ex(m, &p, "SM3", NULL, NULL, pkey, NULL) == 1 &&
             EVP_PKEY_CTX_set1_id(p, ES_SM2_DEFAULT_ID, 16) == 1 &&
             EVP_DigestSign(m, out, outlen, msg, sizeof(msg)) == 1;
    else
        ok = EVP_DigestVerifyInit_ex(m, &p, "SM3", NULL, NULL, pkey, NULL) == 1 &&
             EVP_PKEY_CTX_set1_id(p, ES_SM2_DEFAULT_ID, 16) == 1 &&
             EVP_DigestVerify(m, sig, siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

/*
 * Operations per second of op (0 sign eseal, 1 verify eseal, 2 sign ossl, 3 verify ossl, 4
 * verify eseal on a key parsed from its SPKI each time).
 */
static double rate(es_key *k, int op, const es_buf *sig, double secs)
{
    double start = now(), el;
    long n = 0;

    do {
        for (int i = 0; i < 16; i++, n++) {
            uint8_t out[80];
            size_t olen = sizeof(out);
            es_buf s = {0};
            int ok;

            if (op == 0)
                ok = es_sm2_sign(k, NULL, 0, msg, sizeof(msg), &s) == ES_OK;
            else if (op == 1)
                ok = es_sm2_verify(k, NULL, 0, msg, sizeof(msg), sig->data, sig->len) == ES_OK;
            else if (op == 4)
                ok = verify_fresh(sig);
            else
                ok = ossl_op(es_key_get0_pkey(k), out, &olen, op == 3 ? sig->data : NULL, sig->len);
            es_buf_free(&s);
            if (!ok)
                die("operation failed");
        }
        el = now() - start;
    } while (el < secs);
    return (double)n / el;
}

/* Differential run: n random keys/messages/IDs, each direction; prints failures and counts. */
static int diff(long n)
{
    long bad = 0;

    for (long i = 0; i < n; i++) {
        es_key *k = NULL;
        uint8_t id[32], m[64], osig[80];
        size_t idlen, mlen, olen = sizeof(osig);
        es_buf s = {0};
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        EVP_PKEY_CTX *p = NULL;

        if (es_key_generate_sm2(&k) != ES_OK)
            die("keygen");
        RAND_bytes(id, sizeof(id));
        RAND_bytes(m, sizeof(m));
        idlen = 1 + id[0] % sizeof(id);
        mlen = m[0] % sizeof(m);
        if (es_sm2_sign(k, id, idlen, m, mlen, &s) != ES_OK ||
            EVP_DigestVerifyInit_ex(c, &p, "SM3", NULL, NULL, es_key_get0_pkey(k), NULL) != 1 ||
            EVP_PKEY_CTX_set1_id(p, id, idlen) != 1 ||
            EVP_DigestVerify(c, s.data, s.len, m, mlen) != 1)
            bad++, fprintf(stderr, "round %ld: ours does not verify in OpenSSL\n", i);
        EVP_MD_CTX_reset(c);
        p = NULL;
        if (EVP_DigestSignInit_ex(c, &p, "SM3", NULL, NULL, es_key_get0_pkey(k), NULL) != 1 ||
            EVP_PKEY_CTX_set1_id(p, id, idlen) != 1 ||
            EVP_DigestSign(c, osig, &olen, m, mlen) != 1 ||
            es_sm2_verify(k, id, idlen, m, mlen, osig, olen) != ES_OK)
            bad++, fprintf(stderr, "round %ld: OpenSSL's does not verify in ours\n", i);
        EVP_MD_CTX_free(c);
        es_buf_free(&s);
        es_key_free(k);
        ERR_clear_error();
    }
    printf("differential: %ld rounds x 2 directions, %ld failures\n", n, bad);
    return bad != 0;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0, s1, v1, s2, v2, vf;
    es_key *k = NULL;
    es_buf sig = {0};

    if (argc > 2 && strcmp(argv[1], "diff") == 0)
        return diff(atol(argv[2]));
    if (es_key_generate_sm2(&k) != ES_OK || es_sm2_sign(k, NULL, 0, msg, 32, &sig) != ES_OK ||
        es_key_write_public(k, 0, &spki) != ES_OK)
        die("setup");
    /* "only sign|verify|fresh SECS": one of eseal's operations alone, for a profiler. */
    if (argc > 3 && strcmp(argv[1], "only") == 0) {
        int op = strcmp(argv[2], "verify") == 0 ? 1 : strcmp(argv[2], "fresh") == 0 ? 4 : 0;

        s1 = rate(k, op, &sig, atof(argv[3]));
        printf("sm2_fast_%s_per_s %.1f\n", argv[2], s1);
        es_buf_free(&spki);
        es_buf_free(&sig);
        es_key_free(k);
        return 0;
    }
    s1 = rate(k, 0, &sig, secs);
    v1 = rate(k, 1, &sig, secs);
    s2 = rate(k, 2, &sig, secs);
    v2 = rate(k, 3, &sig, secs);
    vf = rate(k, 4, &sig, secs);
    printf("sm2_fast_sign_per_s %.1f\nsm2_fast_verify_per_s %.1f\n", s1, v1);
    printf("sm2_fast_verify_fresh_key_per_s %.1f\n", vf);
    printf("sm2_evp_sign_per_s %.1f\nsm2_evp_verify_per_s %.1f\n", s2, v2);
    printf("sm2_sign_ratio %.2f\nsm2_verify_ratio %.2f\n", s1 / s2, v1 / v2);
    printf("sm2_verify_fresh_key_ratio %.2f\n", vf / v2);
    es_buf_free(&spki);
    es_buf_free(&sig);
    es_key_free(k);
    return 0;
}
