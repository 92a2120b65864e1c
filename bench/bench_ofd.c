/* OFD benchmark: sign and verify a generated ~10 MB OFD (many pages with images), beside SM3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>

#include "eseal/crypto.h"
#include "common.h"
#include "eseal/eseal.h"
#include "eseal/ofd.h"

#define PAGES     100
#define IMAGE_LEN (100 * 1024) /* random bytes: incompressible, like a JPEG */
#define DAY       86400

static void add(zip_t *za, const char *name, const void *p, size_t n)
{
    zip_source_t *s = zip_source_buffer(za, p, n, 0);

    if (s == NULL || zip_file_add(za, name, s, 0) < 0) {
        fprintf(stderr, "bench_ofd: cannot add %s\n", name);
        exit(2);
    }
}

/* The package: OFD.xml, Document.xml, PAGES pages each with its own image resource. */
static void make_ofd(es_buf *out, uint8_t *images, char (*pages)[512], char *doc, size_t docn)
{
    static const char ofd[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:OFD "
                              "xmlns:ofd=\"http://www.ofdspec.org/2016\" Version=\"1.0\" "
                              "DocType=\"OFD\"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml"
                              "</ofd:DocRoot></ofd:DocBody></ofd:OFD>";
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_stat_t st;
    size_t n = 0;
    char name[64];

    zip_error_init(&ze);
    if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
        (za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
        bench_die("zip", ES_ERR_INTERNAL);
    zip_source_keep(src);
    add(za, "OFD.xml", ofd, sizeof(ofd) - 1);
    n += (size_t)snprintf(doc + n, docn - n,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document "
                          "xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:CommonData><ofd:PageArea>"
                          "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                          "</ofd:CommonData><ofd:Pages>");
    for (int i = 0; i < PAGES; i++) {
        n += (size_t)snprintf(doc + n, docn - n,
                              "<ofd:Page ID=\"%d\" BaseLoc=\"Pages/Page_%d/"
                              "Content.xml\"/>",
                              i + 1, i);
        snprintf(pages[i], 512,
                 "<?xml version=\"1.0\"?><ofd:Page xmlns:ofd=\"http://www.ofdspec."
                 "org/2016\"><ofd:Content><ofd:Layer ID=\"1\"><ofd:ImageObject "
                 "ID=\"2\" ResourceID=\"%d\" Boundary=\"0 0 210 297\"/></ofd:Layer>"
                 "</ofd:Content></ofd:Page>",
                 1000 + i);
        snprintf(name, sizeof(name), "Doc_0/Pages/Page_%d/Content.xml", i);
        add(za, name, pages[i], strlen(pages[i]));
        snprintf(name, sizeof(name), "Doc_0/Res/image_%d.jpg", i);
        add(za, name, images + (size_t)i * IMAGE_LEN, IMAGE_LEN);
    }
    snprintf(doc + n, docn - n, "</ofd:Pages></ofd:Document>");
    add(za, "Doc_0/Document.xml", doc, strlen(doc));
    if (zip_close(za) != 0 || zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0 ||
        (out->data = malloc(st.size)) == NULL ||
        zip_source_read(src, out->data, st.size) != (zip_int64_t)st.size)
        bench_die("zip write", ES_ERR_INTERNAL);
    out->len = st.size;
    zip_source_close(src);
    zip_source_free(src);
}

/* A throw-away CA, signer and seal. */
static void make_signer(es_seal **seal, es_key **key, X509 **cert, STACK_OF(X509) * *trust)
{
    char dir[] = "/tmp/bench_ofd.XXXXXX";
    es_ca_init_opts io = {.subject = "CN=Bench Root,C=CN", .root_only = 1};
    es_ca *ca = NULL;
    es_key *mk = NULL;
    X509 *maker = NULL;
    uint8_t png[1024] = "\x89PNG\r\n\x1a\n";
    STACK_OF(X509) *sk = sk_X509_new_null();
    es_buf der = {0};
    es_err rc;

    if (mkdtemp(dir) == NULL || (rc = es_ca_init(dir, &io, "bench", &ca)) != ES_OK)
        bench_die("ca", ES_ERR_IO);
    es_ca_issue_opts mo = {.profile = ES_PROFILE_MAKER, .subject = "CN=M", .pubkey = NULL};
    if ((rc = es_key_generate_sm2(&mk)) != ES_OK || (rc = es_key_generate_sm2(key)) != ES_OK)
        bench_die("key", rc);
    mo.pubkey = mk;
    if ((rc = es_ca_issue(ca, &mo, &maker)) != ES_OK)
        bench_die("maker", rc);
    mo = (es_ca_issue_opts){.profile = ES_PROFILE_SIGNER, .subject = "CN=S", .pubkey = *key};
    if ((rc = es_ca_issue(ca, &mo, cert)) != ES_OK)
        bench_die("signer", rc);
    sk_X509_push(sk, *cert);
    es_seal_make_opts so = {.name = "bench",
                            .signers = sk,
                            .valid_start = es_time_now() - DAY,
                            .valid_end = es_time_now() + DAY,
                            .picture_type = "PNG",
                            .picture = png,
                            .picture_len = sizeof(png)};
    if ((rc = es_seal_make(&so, mk, maker, &der)) != ES_OK ||
        (rc = es_seal_parse(der.data, der.len, seal)) != ES_OK)
        bench_die("seal", rc);
    *trust = sk_X509_new_null();
    X509_up_ref(es_ca_get0_root(ca));
    sk_X509_push(*trust, es_ca_get0_root(ca));
    sk_X509_free(sk);
    es_buf_free(&der);
    X509_free(maker);
    es_key_free(mk);
    es_ca_free(ca);
}

int main(void)
{
    static char pages[PAGES][512], doc[PAGES * 80 + 1024];
    uint8_t *images = malloc((size_t)PAGES * IMAGE_LEN), md[ES_SM3_LEN];
    es_buf in = {0}, out = {0};
    es_seal *seal = NULL;
    es_key *key = NULL;
    X509 *cert = NULL;
    es_ofd_verify_opts vo = {0};
    es_doc_report *r = NULL;
    double t0, sm3_s, sign_s, verify_s, open_s;
    es_ofd *d = NULL;
    es_err rc;

    if (images == NULL || es_random(images, (size_t)PAGES * IMAGE_LEN) != ES_OK)
        bench_die("random", ES_ERR_NOMEM);
    make_ofd(&in, images, pages, doc, sizeof(doc));
    make_signer(&seal, &key, &cert, &vo.chain.trust);
    t0 = bench_now();
    for (int i = 0; i < 5; i++)
        es_sm3(images, (size_t)PAGES * IMAGE_LEN, md);
    sm3_s = (bench_now() - t0) / 5;
    t0 = bench_now();
    if ((rc = es_ofd_open(in.data, in.len, NULL, &d)) != ES_OK)
        bench_die("open", rc);
    open_s = bench_now() - t0;
    es_ofd_free(d);
    es_ofd_sign_opts so = {.kind = ES_OFD_SEAL,
                           .seal = seal,
                           .key = key,
                           .cert = cert,
                           .page = 1,
                           .x_mm = 20,
                           .y_mm = 20};
    t0 = bench_now();
    if ((rc = es_ofd_sign(in.data, in.len, &so, &out)) != ES_OK)
        bench_die("sign", rc);
    sign_s = bench_now() - t0;
    t0 = bench_now();
    if ((rc = es_ofd_verify(out.data, out.len, &vo, &r)) != ES_OK)
        bench_die("verify", rc);
    verify_s = bench_now() - t0;
    printf("OFD of %zu bytes, %d pages with %d KB images (one core)\n", in.len, PAGES,
           IMAGE_LEN / 1024);
    printf("SM3                %8.1f MB/s  (hashing the package once: %.1f ms)\n",
           (double)in.len / 1e6 / sm3_s, 1e3 * sm3_s * (double)in.len / (PAGES * IMAGE_LEN));
    printf("ofd open (unzip)   %8.1f ms\n", open_s * 1e3);
    printf("ofd sign           %8.1f ms    (%.1f MB/s)\n", sign_s * 1e3,
           (double)in.len / 1e6 / sign_s);
    printf("ofd verify         %8.1f ms    (%.1f MB/s), status %s\n", verify_s * 1e3,
           (double)out.len / 1e6 / verify_s, es_verdict_name(es_doc_report_status(r)));
    es_doc_report_free(r);
    es_buf_free(&in);
    es_buf_free(&out);
    es_seal_free(seal);
    es_key_free(key);
    X509_free(cert);
    sk_X509_pop_free(vo.chain.trust, X509_free);
    free(images);
    return 0;
}
