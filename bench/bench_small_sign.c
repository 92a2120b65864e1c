/* Small-document benchmark: sign a one-page PDF and OFD sample N times with a real ~140 KB seal,
 * and compare the time that is not SM3 or SM2 (encoding, parsing, zip) with the SM3 it needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "eseal/crypto.h"
#include "eseal/eseal.h"
#include "eseal/image.h"
#include "eseal/ofd.h"
#include "eseal/pdf.h"

#define MAX_FILE (16u << 20)

typedef struct result {
    double sign_ms;  /* per signature */
    size_t out_len;  /* one signed document */
    size_t hashed;   /* bytes that signing hashes with SM3 (see pdf_hashed, ofd_hashed) */
    double sm3_ms;   /* es_sm3 over that many bytes, timed between the signatures */
    double other_ms; /* sign_ms - sm3_ms - one SM2 signature */
} result;

/* One signature of in into out (freed first). */
typedef void (*sign_fn)(const bench_fixture *f, const es_buf *in, es_buf *out);
/* How many bytes the signature that made out hashed with SM3. */
typedef size_t (*hashed_fn)(const bench_fixture *f, const es_buf *out);

/* Milliseconds of one SM2 signature and of one verification over a short message (the rest of
 * them is the elliptic-curve work). */
static void sm2_ms(const es_key *k, int reps, double ms[2])
{
    es_buf sig = {0};
    double t0 = bench_now(), t1;
    es_err rc = ES_OK;

    for (int i = 0; i < reps && rc == ES_OK; i++) {
        es_buf_free(&sig);
        rc = es_sm2_sign(k, NULL, 0, "bench", 5, &sig);
    }
    t1 = bench_now();
    for (int i = 0; i < reps && rc == ES_OK; i++)
        rc = es_sm2_verify(k, NULL, 0, "bench", 5, sig.data, sig.len);
    if (rc != ES_OK)
        bench_die("sm2", rc);
    ms[0] = (t1 - t0) / reps * 1e3;
    ms[1] = (bench_now() - t1) / reps * 1e3;
    es_buf_free(&sig);
}

/* The two spans of the /ByteRange of the last signature in p: the bytes the PDF digest covers. */
static size_t byterange_len(const es_buf *b)
{
    const char *key = "/ByteRange [";
    size_t a0, a1, b0, b1, best = 0;

    for (size_t i = 0; i + strlen(key) < b->len; i++)
        if (memcmp(b->data + i, key, strlen(key)) == 0)
            best = i + strlen(key);
    if (best == 0 ||
        sscanf((const char *)b->data + best, "%zu %zu %zu %zu", &a0, &a1, &b0, &b1) != 4)
        bench_die("no /ByteRange in the signed PDF", ES_ERR_FORMAT);
    return a1 + b1;
}

/* A signed document is public: es_free, not es_buf_free, which wipes its hundreds of kilobytes
 * (as it must for keys) and cost as much as writing the PDF's /Contents. */
static void release(es_buf *b)
{
    es_free(b->data);
    *b = (es_buf){0};
}

/*
 * gm signs with SM3 the ByteRange bytes (the digest) and the signed attributes, which carry the
 * whole seal; SM2 then hashes those attributes once more (Z || attributes).
 */
static size_t pdf_hashed(const bench_fixture *f, const es_buf *out)
{
    size_t nseal = 0;

    es_seal_der(f->seal, &nseal);
    return byterange_len(out) + nseal;
}

static void pdf_sign(const bench_fixture *f, const es_buf *in, es_buf *out)
{
    es_pdf_sign_opts so = {.seal = f->seal,
                           .key = f->signer_key,
                           .cert = f->signer,
                           .chain = f->chain,
                           .page = 1,
                           .x_mm = 1,
                           .y_mm = 1};
    es_err rc;

    release(out);
    if ((rc = es_pdf_sign(in->data, in->len, &so, out)) != ES_OK)
        bench_die("pdf sign", rc);
}

/*
 * Type="Seal" hashes every file entry (its References), Signature.xml, and the SES_Signature's
 * to-be-signed part, which carries the whole seal: the output's entries but SignedValue.dat and
 * Seal.esl, plus the seal once.
 */
static size_t ofd_hashed(const bench_fixture *f, const es_buf *out)
{
    es_ofd *d = NULL;
    size_t n = 0, len;
    es_err rc;

    es_seal_der(f->seal, &n);
    if ((rc = es_ofd_open(out->data, out->len, NULL, &d)) != ES_OK)
        bench_die("ofd open", rc);
    for (size_t i = 0; i < es_ofd_nentries(d); i++) {
        const char *name = es_ofd_entry_name(d, i);
        if (es_ofd_entry(d, name, &len) != NULL && strstr(name, "/SignedValue.dat") == NULL &&
            strstr(name, "/Seal.esl") == NULL)
            n += len;
    }
    es_ofd_free(d);
    return n;
}

static void ofd_sign(const bench_fixture *f, const es_buf *in, es_buf *out)
{
    es_ofd_sign_opts so = {.kind = ES_OFD_SEAL,
                           .seal = f->seal,
                           .key = f->signer_key,
                           .cert = f->signer,
                           .page = 1,
                           .x_mm = 20,
                           .y_mm = 20};
    es_err rc;

    release(out);
    if ((rc = es_ofd_sign(in->data, in->len, &so, out)) != ES_OK)
        bench_die("ofd sign", rc);
}

/*
 * After a warm-up (fonts, allocator, caches), five rounds of n signatures, each followed by
 * es_sm3 over as many bytes as it hashed (the first bytes of its output): the two see the same
 * clock speed and caches. The round with the fastest signing is kept, since the machine's other
 * work only ever adds time.
 */
static void measure(const bench_fixture *f, const es_buf *in, int n, sign_fn sign, hashed_fn hashed,
                    result *r)
{
    es_buf out = {0};
    uint8_t md[ES_SM3_LEN];

    for (int i = 0; i < n / 10 + 1; i++)
        sign(f, in, &out);
    r->out_len = out.len;
    r->hashed = hashed(f, &out);
    if (r->hashed > out.len)
        bench_die("the output is shorter than what signing hashed", ES_ERR_INTERNAL);
    r->sign_ms = 1e9;
    for (int round = 0; round < 5; round++) {
        double t_sign = 0, t_sm3 = 0;
        for (int i = 0; i < n; i++) {
            double t0 = bench_now(), t1, t2;
            sign(f, in, &out);
            t1 = bench_now();
            es_sm3(out.data, r->hashed, md);
            t2 = bench_now();
            t_sign += t1 - t0;
            t_sm3 += t2 - t1;
        }
        if (t_sign / n * 1e3 < r->sign_ms) {
            r->sign_ms = t_sign / n * 1e3;
            r->sm3_ms = t_sm3 / n * 1e3;
        }
    }
    release(&out);
}

/* sm2: the SM2 work of one signature: a signature, and for a SES_Signature (OFD) the check
 * es_seal_sign_hash makes of it before returning it. */
static void report(const char *what, const es_buf *in, result *r, double sm2, int n)
{
    r->other_ms = r->sign_ms - r->sm3_ms - sm2;
    printf("%s: %zu bytes in, %zu out; %d signatures\n", what, in->len, r->out_len, n);
    printf("  sign            %8.3f ms per signature\n", r->sign_ms);
    printf("  SM3 (%7zu B) %8.3f ms  (%.0f MB/s)\n", r->hashed, r->sm3_ms,
           (double)r->hashed / 1e3 / r->sm3_ms);
    printf("  SM2             %8.3f ms\n", sm2);
    printf("  the rest        %8.3f ms  = %.0f%% of SM3 (encoding, parsing, zip, allocation)\n",
           r->other_ms, 100 * r->other_ms / r->sm3_ms);
}

static void read_sample(const char *path, es_buf *b)
{
    es_err rc = es_file_read(path, MAX_FILE, b);

    if (rc != ES_OK)
        bench_die(path, rc);
}

static void run(const bench_fixture *f, const char *what, const es_buf *in, int n, double sm2,
                sign_fn sign, hashed_fn hashed)
{
    result r = {0};

    measure(f, in, n, sign, hashed, &r);
    report(what, in, &r, sm2, n);
}

/*
 * bench_small_sign [N [pdf|ofd]]: N signatures (300) of each sample, or of one only (to profile
 * it alone). The samples are read from $ESEAL_SAMPLES, else ../shared/samples.
 */
int main(int argc, char **argv)
{
    const char *dir = getenv("ESEAL_SAMPLES") ? getenv("ESEAL_SAMPLES") : "../shared/samples";
    const char *only = argc > 2 ? argv[2] : "";
    char path[4096];
    int n = argc > 1 ? atoi(argv[1]) : 300;
    es_buf pdf = {0}, ofd = {0};
    bench_fixture f = {0};
    size_t nseal = 0, npic = 0;

    /* as tools/eseal.c does: the time zone read once, not per mktime in libzip (15 us an OFD) */
    if (getenv("TZ") == NULL)
        setenv("TZ", ":/etc/localtime", 0);
    snprintf(path, sizeof(path), "%s/pdf/unsigned/pyhanko_minimal-xref.pdf", dir);
    read_sample(path, &pdf);
    snprintf(path, sizeof(path), "%s/ofd/helloworld.ofd", dir);
    read_sample(path, &ofd);
    es_image_round_opts ro = {
        .name = "易印基准测试有限公司", .text = "合同专用章", .code = "15010200000001"};

    bench_fixture_setup(&f, "bench_small_sign", &ro);
    n = n > 0 ? n : 300;
    double sm2[2];
    sm2_ms(f.signer_key, 200, sm2);
    es_seal_der(f.seal, &nseal);
    es_seal_picture(f.seal, &npic);
    printf("seal of %zu bytes (picture %zu bytes); SM2 sign %.3f ms, verify %.3f ms\n", nseal, npic,
           sm2[0], sm2[1]);
    if (strcmp(only, "ofd") != 0)
        run(&f, "pdf (gm)", &pdf, n, sm2[0], pdf_sign, pdf_hashed);
    if (strcmp(only, "pdf") != 0)
        run(&f, "ofd (seal)", &ofd, n, sm2[0] + sm2[1], ofd_sign, ofd_hashed);
    es_buf_free(&pdf);
    es_buf_free(&ofd);
    bench_fixture_teardown(&f);
    return 0;
}
