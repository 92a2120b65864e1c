/* PDF benchmark: sign (gm) and verify a generated ~50 MB PDF, beside SM3 over the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eseal/crypto.h"
#include "common.h"
#include "eseal/eseal.h"
#include "eseal/image.h"
#include "eseal/pdf.h"

#define IMAGE_LEN (50u << 20) /* random bytes: incompressible, like a scanned page */

/* One A4 page drawing one large image: header, four objects, an xref table. */
static void make_pdf(es_buf *out)
{
    size_t off[6], n = 0, cap = IMAGE_LEN + 4096;
    char *p = malloc(cap);
    static const char content[] = "q 595 0 0 842 0 0 cm /Im0 Do Q\n";

    if (p == NULL || es_random(p + 1024, IMAGE_LEN) != ES_OK)
        bench_die("memory", ES_ERR_NOMEM);
    n += (size_t)sprintf(p + n, "%%PDF-1.7\n");
    off[1] = n;
    n += (size_t)sprintf(p + n, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = n;
    n += (size_t)sprintf(p + n, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = n;
    n += (size_t)sprintf(p + n, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                                "/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>\n"
                                "endobj\n");
    off[4] = n;
    n += (size_t)sprintf(p + n, "4 0 obj\n<< /Length %zu >>\nstream\n%sendstream\nendobj\n",
                         strlen(content), content);
    off[5] = n;
    n += (size_t)sprintf(p + n,
                         "5 0 obj\n<< /Type /XObject /Subtype /Image /Width 4096 /Height %u "
                         "/ColorSpace /DeviceGray /BitsPerComponent 8 /Length %u >>\n"
                         "stream\n",
                         IMAGE_LEN / 4096, IMAGE_LEN);
    es_random(p + n, IMAGE_LEN);
    n += IMAGE_LEN;
    n += (size_t)sprintf(p + n, "\nendstream\nendobj\n");
    size_t xref = n;
    n += (size_t)sprintf(p + n, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++)
        n += (size_t)sprintf(p + n, "%010zu 00000 n \n", off[i]);
    n += (size_t)sprintf(p + n, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                         xref);
    out->data = (uint8_t *)p;
    out->len = n;
}

int main(void)
{
    bench_fixture f = {0};
    es_image_round_opts ro = {.name = "易印基准测试", .dpi = 300};
    es_buf pdf = {0}, signed_pdf = {0};
    es_doc_report *r = NULL;
    uint8_t md[ES_SM3_LEN];
    double t0, t_sm3, t_sign, t_verify;
    es_err rc;

    bench_fixture_setup(&f, "bench_pdf", &ro);
    make_pdf(&pdf);
    es_sm3(pdf.data, pdf.len, md); /* once to fault the pages in */
    t0 = bench_now();
    es_sm3(pdf.data, pdf.len, md);
    t_sm3 = bench_now() - t0;
    es_pdf_sign_opts so = {.seal = f.seal,
                           .key = f.signer_key,
                           .cert = f.signer,
                           .chain = f.chain,
                           .page = 1,
                           .x_mm = 20,
                           .y_mm = 20};
    t0 = bench_now();
    if ((rc = es_pdf_sign(pdf.data, pdf.len, &so, &signed_pdf)) != ES_OK)
        bench_die("sign", rc);
    t_sign = bench_now() - t0;
    es_pdf_verify_opts vo = {0};
    vo.chain.trust = sk_X509_new_null();
    sk_X509_push(vo.chain.trust, es_ca_get0_root(f.ca));
    t0 = bench_now();
    if ((rc = es_pdf_verify(signed_pdf.data, signed_pdf.len, &vo, &r)) != ES_OK)
        bench_die("verify", rc);
    t_verify = bench_now() - t0;
    printf("pdf_mb %.1f\n", (double)pdf.len / 1e6);
    printf("sm3_mb_per_s %.1f\n", (double)pdf.len / 1e6 / t_sm3);
    printf("sign_s %.3f\n", t_sign);
    printf("verify_s %.3f (%s)\n", t_verify, es_verdict_name(es_doc_report_status(r)));
    printf("sign_mb_per_s %.1f\nverify_mb_per_s %.1f\n", (double)pdf.len / 1e6 / t_sign,
           (double)signed_pdf.len / 1e6 / t_verify);
    es_doc_report_free(r);
    sk_X509_free(vo.chain.trust);
    free(pdf.data);
    es_buf_free(&signed_pdf);
    bench_fixture_teardown(&f);
    return 0;
}
