/* Cloud-signing costs: one PIN unlock (Argon2id + unwrap), raw SM2 signing and verifying, and
 * SESeal signing of raw data in one unlocked batch. Usage: bench_custody [seconds-per-part] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "custody.h"
#include "common.h"
#include "eseal/eseal.h"

/* A self-made seal for the key: a throw-away maker CA in a temp dir. */
static es_seal *make_seal(es_key *key, X509 **cert)
{
    char dir[] = "/tmp/bench-custody-XXXXXX";
    es_ca_init_opts io = {0};
    es_ca_issue_opts so = {0};
    es_seal_make_opts mo = {0};
    es_ca *ca = NULL;
    es_key *mk = NULL;
    X509 *mc = NULL;
    es_buf der = {0};
    es_seal *seal = NULL;
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,    0,
                                  13,   'I', 'H', 'D', 'R',  0,    0,    0,    1,    0,    0,
                                  0,    1,   8,   6,   0,    0,    0,    0x1f, 0x15, 0xc4, 0x89};

    io.subject = "CN=bench root";
    if (!mkdtemp(dir) || es_ca_init(dir, &io, "pw", &ca) || es_key_generate_sm2(&mk))
        return NULL;
    so.profile = ES_PROFILE_MAKER;
    so.subject = "CN=bench maker";
    so.pubkey = mk;
    es_ca_issue(ca, &so, &mc);
    so.profile = ES_PROFILE_SIGNER;
    so.subject = "CN=bench signer";
    so.pubkey = key;
    es_ca_issue(ca, &so, cert);
    mo.name = "bench";
    mo.signers = sk_X509_new_null();
    sk_X509_push(mo.signers, *cert);
    mo.valid_start = es_time_now() - 60;
    mo.valid_end = es_time_now() + 86400;
    mo.picture = png;
    mo.picture_len = sizeof(png);
    if (es_seal_make(&mo, mk, mc, &der) == ES_OK)
        es_seal_parse(der.data, der.len, &seal);
    sk_X509_free(mo.signers);
    es_buf_free(&der);
    es_key_free(mk);
    X509_free(mc);
    es_ca_free(ca);
    return seal;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3, t0;
    uint8_t secret[32], data[1024];
    custody_params p;
    es_key *key = NULL, *k2 = NULL;
    X509 *cert = NULL;
    es_seal *seal;
    es_buf blob = {0}, sig = {0};
    long n;

    custody_params_default(&p);
    es_random(secret, sizeof(secret));
    es_random(data, sizeof(data));
    es_key_generate_sm2(&key);
    custody_wrap(secret, "314159", &p, "seal:1", 6, key, &blob);
    for (n = 0, t0 = bench_now(); bench_now() - t0 < secs || n < 3; n++) {
        custody_unwrap(secret, "314159", "seal:1", 6, blob.data, blob.len, &k2);
        es_key_free(k2);
    }
    printf("PIN unlock (Argon2id t=%u m=%u KiB p=%u + HMAC-SM3 + SM4-CTR unwrap + key parse): "
           "%.1f ms\n",
           p.t_cost, p.m_cost_kib, p.lanes, (bench_now() - t0) * 1e3 / (double)n);
    for (n = 0, t0 = bench_now(); bench_now() - t0 < secs; n++) {
        es_sm2_sign(key, NULL, 0, data, 32, &sig);
        es_buf_free(&sig);
    }
    printf("raw SM2 sign (SM3 of 32 bytes + SM2): %.0f /s\n", (double)n / (bench_now() - t0));
    es_sm2_sign(key, NULL, 0, data, 32, &sig);
    for (n = 0, t0 = bench_now(); bench_now() - t0 < secs; n++)
        es_sm2_verify(key, NULL, 0, data, 32, sig.data, sig.len);
    es_buf_free(&sig);
    printf("raw SM2 verify (each SES_Signature is verified once after signing): %.0f /s\n",
           (double)n / (bench_now() - t0));
    if ((seal = make_seal(key, &cert)) == NULL)
        return fprintf(stderr, "cannot make a seal: %s\n", es_errdetail()), 1;
    for (n = 0, t0 = bench_now(); bench_now() - t0 < secs; n++) {
        es_seal_sign_data(seal, key, cert, data, sizeof(data), NULL, 0, &sig);
        es_buf_free(&sig);
    }
    printf("batch of raw data, 1 KiB items (SES_Signature each, key unwrapped once): %.0f /s\n",
           (double)n / (bench_now() - t0));
    es_seal_free(seal);
    X509_free(cert);
    es_key_free(key);
    es_buf_free(&blob);
    return 0;
}
