/* Crypto benchmark: SM2 sign/verify per second, SM3 and SM4-CBC throughput, one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "eseal/eseal.h"

struct sm2_arg {
    es_key *key;
    uint8_t msg[32];
    es_buf sig;
};

static es_err sm2_sign_op(void *p)
{
    struct sm2_arg *a = p;
    es_buf sig = {0};
    es_err rc = es_sm2_sign(a->key, NULL, 0, a->msg, sizeof(a->msg), &sig);

    es_buf_free(&sig);
    return rc;
}

static es_err sm2_verify_op(void *p)
{
    struct sm2_arg *a = p;

    return es_sm2_verify(a->key, NULL, 0, a->msg, sizeof(a->msg), a->sig.data, a->sig.len);
}

#define BULK_LEN 16384
static uint8_t bulk[BULK_LEN];

static es_err sm3_op(void *p)
{
    uint8_t md[ES_SM3_LEN];

    (void)p;
    return es_sm3(bulk, sizeof(bulk), md);
}

static es_err sm4_op(void *p)
{
    static const uint8_t key[16] = {1, 2, 3}, iv[16] = {4, 5, 6};
    es_buf out = {0};
    es_err rc = es_sm4_encrypt(ES_SM4_CBC, key, iv, 0, bulk, sizeof(bulk), &out);

    (void)p;
    es_buf_free(&out);
    return rc;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    struct sm2_arg a = {0};
    es_err rc;

    memset(a.msg, 0x5a, sizeof(a.msg));
    memset(bulk, 0xa5, sizeof(bulk));
    if ((rc = es_key_generate_sm2(&a.key)) != ES_OK)
        bench_die("key generation", rc);
    if ((rc = es_sm2_sign(a.key, NULL, 0, a.msg, sizeof(a.msg), &a.sig)) != ES_OK)
        bench_die("sign", rc);
    printf("sm2_sign_per_s %.1f\n", bench_rate(sm2_sign_op, &a, 16, seconds));
    printf("sm2_verify_per_s %.1f\n", bench_rate(sm2_verify_op, &a, 16, seconds));
    printf("sm3_mb_per_s %.1f\n", bench_rate(sm3_op, NULL, 16, seconds) * BULK_LEN / 1e6);
    printf("sm4_cbc_mb_per_s %.1f\n", bench_rate(sm4_op, NULL, 16, seconds) * BULK_LEN / 1e6);
    es_buf_free(&a.sig);
    es_key_free(a.key);
    return 0;
}
