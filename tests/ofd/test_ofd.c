/* OFD: sample verdicts, signing and re-verifying, exact bytes kept, tampering, cross-page, limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "eseal/ofd.h"
#include "ofd/ofd_local.h"
#include "testutil.h"
#include "testutil_pki.h"

static tu_pki P;
static struct {
    es_seal *seal; /* StampImg.png as the picture, 40 x 40 mm */
    es_ofd_verify_opts vo;
} F;

static int setup(void **state)
{
    es_buf png = tu_read(tu_sample("seal/StampImg.png"));
    es_err rc;

    (void)state;
    if (tu_pki_init(&P, "OFD") != 0 || es_ca_chain(P.ca, &F.vo.chain.untrusted) != ES_OK)
        rc = ES_ERR_INTERNAL;
    else
        rc = tu_seal_make(&P, 1, "OFD 测试章", &png, &F.seal);
    if (rc == ES_OK)
        F.vo.chain.trust = tu_pki_trust(&P);
    es_buf_free(&png);
    return rc == ES_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    es_seal_free(F.seal);
    sk_X509_pop_free(F.vo.chain.trust, X509_free);
    sk_X509_pop_free(F.vo.chain.untrusted, X509_free);
    tu_pki_free(&P);
    return 0;
}

static es_verdict verdict(const es_buf *b)
{
    es_doc_report *r = NULL;
    es_verdict v;

    assert_es_ok(es_ofd_verify(b->data, b->len, &F.vo, &r));
    v = es_doc_report_status(r);
    es_doc_report_free(r);
    return v;
}

static void sign_seal(const es_buf *in, long page, es_buf *out)
{
    es_ofd_sign_opts o = {.kind = ES_OFD_SEAL,
                          .seal = F.seal,
                          .key = P.signer_key,
                          .cert = P.signer,
                          .page = page,
                          .x_mm = 30,
                          .y_mm = 40};

    assert_es_ok(es_ofd_sign(in->data, in->len, &o, out));
}

static const char *check_result(const es_report *r, const char *name)
{
    const es_check *c = es_report_find(r, name);
    static const char *const names[] = {"passed", "failed", "skipped"};

    return c == NULL ? "absent" : names[c->result];
}

/* h.ofd: the first seal fails only on its Signatures.xml reference (and the ofdrw root). */
static void test_h_sample(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/h.ofd"));
    es_ofd_verify_opts o = {0};
    es_doc_report *r = NULL;
    const es_report *s0, *s1;

    (void)state;
    assert_es_ok(es_certs_read_file(tu_sample("pki/ROOT_cert.pem"), &o.chain.trust));
    assert_es_ok(es_time_parse("2021-06-01", &o.chain.at));
    o.chain.has_at = 1;
    assert_es_ok(es_ofd_verify(in.data, in.len, &o, &r));
    assert_int_equal(es_doc_report_nsignatures(r), 2);
    s0 = es_doc_report_signature(r, 0);
    s1 = es_doc_report_signature(r, 1);
    assert_string_equal(check_result(s0, "ofd.references"), "failed");
    assert_non_null(strstr(es_report_find(s0, "ofd.references")->detail, "Signatures.xml"));
    assert_string_equal(check_result(s1, "ofd.references"), "passed");
    for (size_t i = 0; i < es_report_ncheck(s1); i++) {
        const es_check *c = es_report_check(s1, i);
        if (c->result == ES_CHECK_FAILED)
            assert_true(strcmp(c->name, "signature.signer_cert") == 0 ||
                        strcmp(c->name, "seal.maker_cert") == 0);
    }
    assert_string_equal(check_result(s0, "data.hash"), "passed");
    assert_int_equal(es_doc_report_status(r), ES_INVALID);
    es_doc_report_free(r);
    sk_X509_pop_free(o.chain.trust, X509_free);
    es_buf_free(&in);
}

/* Two signatures in sequence verify; every entry eseal did not edit keeps its bytes. */
static void test_sign_twice_keeps_bytes(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/VPage7.ofd")), one = {0}, two = {0};
    es_ofd *a = NULL, *b = NULL;
    size_t na, nb;

    (void)state;
    sign_seal(&in, 1, &one);
    sign_seal(&one, 3, &two);
    assert_int_equal(verdict(&one), ES_VALID);
    assert_int_equal(verdict(&two), ES_VALID);
    assert_es_ok(es_ofd_open(in.data, in.len, NULL, &a));
    assert_es_ok(es_ofd_open(two.data, two.len, NULL, &b));
    assert_int_equal(es_ofd_nsignatures(b), 2);
    for (size_t i = 0; i < es_ofd_nentries(a); i++) {
        const char *name = es_ofd_entry_name(a, i);
        const uint8_t *pa = es_ofd_entry(a, name, &na), *pb;
        if (pa == NULL || strcmp(name, "OFD.xml") == 0)
            continue;
        pb = es_ofd_entry(b, name, &nb);
        assert_non_null(pb);
        assert_int_equal(na, nb);
        assert_memory_equal(pa, pb, na);
    }
    es_ofd_free(a);
    es_ofd_free(b);
    es_buf_free(&in);
    es_buf_free(&one);
    es_buf_free(&two);
}

/* Changing one byte anywhere in any protected entry is never valid. */
static void test_tamper_every_entry(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), signed_doc = {0};
    es_ofd *d = NULL;
    size_t tried = 0;

    (void)state;
    sign_seal(&in, 1, &signed_doc);
    assert_int_equal(verdict(&signed_doc), ES_VALID);
    assert_es_ok(es_ofd_open(signed_doc.data, signed_doc.len, NULL, &d));
    for (size_t i = 0; i < d->ne; i++) {
        es__ofd_entry *e = &d->e[i];
        if (e->is_dir || strcmp(e->name, "Doc_0/Signs/Signatures.xml") == 0)
            continue;
        for (size_t at = 0; at < e->data.len; at += 1 + e->data.len / 7) {
            es_buf bad = {0}, out = {0};
            es__ofd_put put;
            assert_es_ok(es_buf_set(&bad, e->data.data, e->data.len));
            bad.data[at] ^= 0x20;
            put = (es__ofd_put){.name = e->name, .data = bad.data, .len = bad.len};
            assert_es_ok(es__ofd_write_zip(d, &put, 1, es_time_now(), &out));
            if (verdict(&out) == ES_VALID)
                fail_msg("%s changed at %zu is reported valid", e->name, at);
            tried++;
            es_buf_free(&bad);
            es_buf_free(&out);
        }
    }
    assert_true(tried > 30);
    es_ofd_free(d);
    es_buf_free(&in);
    es_buf_free(&signed_doc);
}

/* Cross-page: one slice per page at the right edge; together they make the whole seal. */
static void test_cross_page_geometry(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/VPage7.ofd")), out = {0};
    es_ofd_sign_opts o = {.kind = ES_OFD_CROSS_PAGE,
                          .seal = F.seal,
                          .key = P.signer_key,
                          .cert = P.signer,
                          .y_mm = 100};
    es_ofd *d = NULL;
    const es_ofd_sig_info *s;
    double sum = 0;

    (void)state;
    assert_es_ok(es_ofd_sign(in.data, in.len, &o, &out));
    assert_int_equal(verdict(&out), ES_VALID);
    assert_es_ok(es_ofd_open(out.data, out.len, NULL, &d));
    s = es_ofd_signature_get0(d, 0);
    assert_int_equal(s->nstamps, es_ofd_npages(d));
    for (size_t k = 0; k < s->nstamps; k++) {
        const es_ofd_stamp *t = &s->stamps[k];
        const es_ofd_page *p = es_ofd_page_get0(d, k);
        assert_string_equal(t->page_ref, p->id);
        assert_true(t->has_clip);
        /* the visible part starts where the previous page's ended, at the right edge */
        assert_float_equal(t->boundary[0] + t->clip[0], p->box[2] - t->clip[2], 0.01);
        assert_float_equal(t->clip[0], sum, 0.01);
        assert_float_equal(t->boundary[1], 100, 0.001);
        sum += t->clip[2];
    }
    assert_float_equal(sum, 40, 0.01);
    es_ofd_free(d);
    es_buf_free(&in);
    es_buf_free(&out);
}

static uint32_t le(const uint8_t *p, int n)
{
    uint32_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The central directory of b (a plain zip, as eseal writes): its offset, count and end record. */
static size_t zip_cdir(const es_buf *b, size_t *count)
{
    size_t eocd = b->len - 22;

    assert_true(b->len >= 22 && le(b->data + eocd, 4) == 0x06054b50u);
    *count = le(b->data + eocd + 10, 2);
    return le(b->data + eocd + 16, 4);
}

/* The local record (header and data) of the entry called name in b, into *off and *len. */
static int zip_local(const es_buf *b, const char *name, size_t *off, size_t *len)
{
    size_t count, at = zip_cdir(b, &count);

    for (size_t i = 0; i < count; i++) {
        const uint8_t *c = b->data + at, *l;
        size_t n = le(c + 28, 2);
        l = b->data + le(c + 42, 4);
        if (n == strlen(name) && memcmp(c + 46, name, n) == 0) {
            *off = le(c + 42, 4);
            *len = 30 + le(l + 26, 2) + le(l + 28, 2) + le(c + 20, 4);
            return 1;
        }
        at += 46 + n + le(c + 30, 2) + le(c + 32, 2);
    }
    return 0;
}

/* Every central record of b agrees with its local header (unzip -t warned of a different UTF-8
 * flag once), and a stored entry's CRC-32 is its data's. */
static void assert_zip_consistent(const es_buf *b)
{
    size_t count, at = zip_cdir(b, &count);

    for (size_t i = 0; i < count; i++) {
        const uint8_t *c = b->data + at, *l = b->data + le(c + 42, 4);
        size_t n = le(c + 28, 2), data = le(c + 42, 4) + 30 + le(l + 26, 2) + le(l + 28, 2);
        assert_int_equal(le(l, 4), 0x04034b50u);
        assert_memory_equal(c + 8, l + 6, 2);        /* flags */
        assert_memory_equal(c + 10, l + 8, 2);       /* method */
        if (!(le(c + 8, 2) & 8))                     /* else in a data descriptor */
            assert_memory_equal(c + 16, l + 14, 12); /* CRC, sizes */
        assert_memory_equal(c + 46, l + 30, n);      /* name */
        if (le(c + 10, 2) == 0)
            assert_int_equal(crc32_z(0, b->data + data, le(c + 24, 4)), le(c + 16, 4));
        at += 46 + n + le(c + 30, 2) + le(c + 32, 2);
    }
}

/* The written zip: records consistent, every record of an unchanged entry copied byte for byte
 * (with its data descriptor: v4signed.ofd has one after every entry). */
static void check_zip_records(const char *sample)
{
    es_buf in = tu_read(tu_sample(sample)), one = {0}, two = {0};
    size_t count, at, o1, n1, o2, n2;

    sign_seal(&in, 1, &one);
    sign_seal(&one, 1, &two);
    assert_zip_consistent(&one);
    assert_zip_consistent(&two);
    at = zip_cdir(&one, &count);
    for (size_t i = 0; i < count; i++) {
        const uint8_t *c = one.data + at;
        char name[256];
        size_t n = le(c + 28, 2);
        snprintf(name, sizeof(name), "%.*s", (int)n, (const char *)c + 46);
        at += 46 + n + le(c + 30, 2) + le(c + 32, 2);
        if (strstr(name, "Signatures.xml") != NULL)
            continue; /* the one entry the second signature edits */
        assert_true(zip_local(&one, name, &o1, &n1) && zip_local(&two, name, &o2, &n2));
        if (le(c + 8, 2) & 8)
            n1 += le(one.data + o1 + n1, 4) == 0x08074b50u ? 16 : 12;
        assert_true(o1 + n1 <= one.len && o2 + n1 <= two.len);
        assert_memory_equal(one.data + o1, two.data + o2, n1);
    }
    es_buf_free(&in);
    es_buf_free(&one);
    es_buf_free(&two);
}

static void test_zip_records(void **state)
{
    (void)state;
    check_zip_records("ofd/helloworld.ofd");
    check_zip_records("ofd/v4signed.ofd");
}

/* helloworld.ofd with a zip64 end record and locator, its central directory offset moved there. */
static es_buf zip64_variant(const es_buf *in)
{
    size_t count, cd = zip_cdir(in, &count), eocd = in->len - 22, cdlen = eocd - cd;
    es_buf b = {0};
    uint8_t z[76] = {0x50, 0x4b, 6, 6, 44, [12] = 45, [14] = 45};
    uint8_t *p;

    assert_es_ok(es_buf_set(&b, in->data, in->len + sizeof(z)));
    p = b.data + eocd;
    for (int i = 0; i < 8; i++) {
        z[24 + i] = (uint8_t)((uint64_t)count >> 8 * i);
        z[32 + i] = (uint8_t)((uint64_t)count >> 8 * i);
        z[40 + i] = (uint8_t)((uint64_t)cdlen >> 8 * i);
        z[48 + i] = (uint8_t)((uint64_t)cd >> 8 * i);
        z[64 + i] = (uint8_t)((uint64_t)eocd >> 8 * i); /* locator: where the record is */
    }
    memcpy(z + 56, "PK\6\7", 4);
    z[72] = 1; /* disks */
    memcpy(p, z, sizeof(z));
    memcpy(p + sizeof(z), in->data + eocd, 22);
    memset(p + sizeof(z) + 16, 0xff, 4);
    return b;
}

/* A package eseal's own writer leaves alone (zip64) is written by libzip, and verifies. */
static void test_zip64_through_libzip(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), z64, out = {0};
    es_ofd *d = NULL;
    es__ofd_put put = {.name = "x.txt", .data = (const uint8_t *)"x", .len = 1};
    int handled = 1;

    (void)state;
    z64 = zip64_variant(&in);
    assert_es_ok(es_ofd_open(z64.data, z64.len, NULL, &d));
    assert_es_ok(es__ofd_zip_copy(d, &put, 1, es_time_now(), &out, &handled));
    assert_int_equal(handled, 0);
    sign_seal(&z64, 1, &out);
    assert_int_equal(verdict(&out), ES_VALID);
    es_ofd_free(d);
    es_buf_free(&in);
    es_buf_free(&z64);
    es_buf_free(&out);
}

/* A package every path refuses with why in the detail: opening, verifying (ofd.package
 * failed) and signing, which writes nothing. */
static void refused_as_package(const es_buf *pkg, const char *why)
{
    es_ofd_sign_opts o = {.kind = ES_OFD_SEAL,
                          .seal = F.seal,
                          .key = P.signer_key,
                          .cert = P.signer,
                          .page = 1,
                          .x_mm = 30,
                          .y_mm = 40};
    es_doc_report *r = NULL;
    es_ofd *d = NULL;
    es_buf out = {0};

    assert_es_err(es_ofd_open(pkg->data, pkg->len, NULL, &d), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), why));
    assert_es_ok(es_ofd_verify(pkg->data, pkg->len, &F.vo, &r));
    assert_int_not_equal(es_doc_report_status(r), ES_VALID);
    assert_string_equal(check_result(es_doc_report_document(r), "ofd.package"), "failed");
    assert_non_null(strstr(es_report_find(es_doc_report_document(r), "ofd.package")->detail, why));
    es_doc_report_free(r);
    assert_es_err(es_ofd_sign(pkg->data, pkg->len, &o, &out), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), why));
    assert_null(out.data);
    assert_int_equal(out.len, 0);
}

/*
 * A signed package with a second directory and end record hidden in its comment, the directory
 * a copy of the first with one entry's size changed: readers that take the last record (unzip,
 * Python) would read that one. Verifying and signing refuse it, and signing writes nothing.
 */
static void test_hidden_end_record(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), s = {0}, h = {0};
    es_ofd *d = NULL;
    size_t count, cd, eocd, cdlen, clen;
    uint8_t *p;

    (void)state;
    sign_seal(&in, 1, &s);
    cd = zip_cdir(&s, &count);
    eocd = s.len - 22;
    cdlen = eocd - cd;
    clen = cdlen + 22;
    h.data = p = malloc(s.len + clen);
    h.len = s.len + clen;
    assert_non_null(p);
    memcpy(p, s.data, s.len);
    memcpy(p + s.len, s.data + cd, cdlen);        /* the copied directory */
    p[s.len + 24] ^= 1;                           /* its first entry's uncompressed size */
    memcpy(p + s.len + cdlen, s.data + eocd, 22); /* its end record */
    p[s.len + cdlen + 16] = (uint8_t)(s.len);
    p[s.len + cdlen + 17] = (uint8_t)(s.len >> 8);
    p[eocd + 20] = (uint8_t)clen;
    p[eocd + 21] = (uint8_t)(clen >> 8);
    refused_as_package(&h, "more than one zip end-of-central-directory record");
    p[eocd + 20] = p[eocd + 21] = 0; /* the same bytes after the zip, not in its comment */
    assert_es_err(es_ofd_open(h.data, h.len, NULL, &d), ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "more than one zip end-of-central-directory record"));
    h.len = s.len + cdlen; /* without the second record: bytes after the zip, as before */
    assert_es_ok(es_ofd_open(h.data, h.len, NULL, &d));
    es_ofd_free(d);
    es_buf_free(&in);
    es_buf_free(&s);
    es_buf_free(&h);
}

/*
 * A signed package whose first entry's local header names another file than its central record:
 * libzip reads the central one, streaming readers the local one. Verifying reports it under
 * ofd.package, and signing refuses it and writes nothing (the other local-header cases are in
 * test_ofd_zip.c).
 */
static void test_renamed_local_header(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), s = {0};
    es_ofd *d = NULL;
    size_t count, cd, loc;

    (void)state;
    sign_seal(&in, 1, &s);
    cd = zip_cdir(&s, &count);
    loc = le(s.data + cd + 42, 4);
    assert_true(count > 0 && loc + 31 < cd && le(s.data + loc, 4) == 0x04034b50u);
    assert_es_ok(es_ofd_open(s.data, s.len, NULL, &d));
    es_ofd_free(d);
    s.data[loc + 30] ^= 0x20; /* the first byte of its name, in the local header only */
    refused_as_package(&s, "its local header names");
    es_buf_free(&in);
    es_buf_free(&s);
}

/* zip64 records that say something else than the end record, or stand elsewhere than both
 * where the locator points and right before it, are refused. */
static void test_zip64_disagreeing(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), z64;
    es_ofd *d = NULL;
    size_t e;

    (void)state;
    z64 = zip64_variant(&in);
    e = z64.len - 22;
    for (int k = 0; k < 3; k++) {
        es_buf b = {0};
        assert_es_ok(es_buf_set(&b, z64.data, z64.len));
        if (k == 0)
            memset(b.data + e + 16, 0, 4); /* the plain offset 0, not the marker */
        else if (k == 1)
            b.data[e - 12] ^= 1; /* the locator points elsewhere */
        else
            b.data[e - 20 - 56 + 32] ^= 1; /* the zip64 entry count */
        assert_es_err(es_ofd_open(b.data, b.len, NULL, &d), ES_ERR_FORMAT);
        assert_non_null(strstr(es_errdetail(), "zip64 end record and locator do not agree"));
        es_buf_free(&b);
    }
    es_buf_free(&in);
    es_buf_free(&z64);
}

/* --close, then another signature: refused with ES_ERR_STATE. */
static void test_close(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), one = {0}, two = {0};
    es_ofd_sign_opts o = {
        .kind = ES_OFD_DIGITAL, .key = P.signer_key, .cert = P.signer, .close = 1};

    (void)state;
    assert_es_ok(es_ofd_sign(in.data, in.len, &o, &one));
    assert_int_equal(verdict(&one), ES_VALID);
    o.close = 0;
    assert_es_err(es_ofd_sign(one.data, one.len, &o, &two), ES_ERR_STATE);
    assert_non_null(strstr(es_errdetail(), "closed"));
    es_buf_free(&in);
    es_buf_free(&one);
}

/* helloworld.ofd with three pages: the first without a box of its own, the second 420 mm wide,
 * the third with a box in a Content.xml that is not well-formed (so the document's counts). */
static es_buf three_pages(void)
{
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document "
        "xmlns:ofd=\"http://www.ofdspec.org/"
        "2016\"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 "
        "0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages><ofd:Page ID=\"1\" "
        "BaseLoc=\"Pages/Page_0/Content.xml\"/><ofd:Page ID=\"7\" "
        "BaseLoc=\"Pages/Page_1/Content.xml\"/><ofd:Page ID=\"9\" "
        "BaseLoc=\"Pages/Page_2/Content.xml\"/></ofd:Pages></ofd:Document>";
    static const char wide[] =
        "<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:Area>"
        "<ofd:PhysicalBox>0 0 420 297</ofd:PhysicalBox></ofd:Area></ofd:Page>";
    static const char broken[] = "<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:Area>"
                                 "<ofd:PhysicalBox>0 0 420 297</ofd:PhysicalBox></ofd:Area><x>";
    es__ofd_put puts[] = {
        {.name = "Doc_0/Document.xml", .data = (const uint8_t *)doc, .len = strlen(doc)},
        {.name = "Doc_0/Pages/Page_1/Content.xml",
         .data = (const uint8_t *)wide,
         .len = strlen(wide)},
        {.name = "Doc_0/Pages/Page_2/Content.xml",
         .data = (const uint8_t *)broken,
         .len = strlen(broken)},
    };
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), out = {0};
    es_ofd *d = NULL;

    assert_es_ok(es__ofd_open(in.data, in.len, NULL, ES__OFD_WRITING, &d));
    assert_es_ok(es__ofd_write_zip(d, puts, ES__ARRAY_LEN(puts), 1700000000, &out));
    es_ofd_free(d);
    es_buf_free(&in);
    return out;
}

/* Signing reads the box of the pages it stamps only, and reads it as es_ofd_open does. */
static void test_page_boxes(void **state)
{
    es_buf in = three_pages(), out = {0};
    es_ofd_sign_opts o = {
        .kind = ES_OFD_SEAL, .seal = F.seal, .key = P.signer_key, .cert = P.signer, .x_mm = 300};
    static const double width[] = {210, 420, 210};
    es_ofd *d = NULL;
    const es_ofd_sig_info *s;

    (void)state;
    assert_es_ok(es_ofd_open(in.data, in.len, NULL, &d));
    assert_int_equal(es_ofd_npages(d), 3);
    for (size_t i = 0; i < 3; i++)
        assert_float_equal(es_ofd_page_get0(d, i)->box[2], width[i], 1e-9);
    es_ofd_free(d);
    for (long page = 1; page <= 3; page++) {
        o.page = page;
        if (page != 2) {
            assert_es_err(es_ofd_sign(in.data, in.len, &o, &out), ES_ERR_ARG);
            assert_non_null(strstr(es_errdetail(), "x 297 mm"));
            continue;
        }
        assert_es_ok(es_ofd_sign(in.data, in.len, &o, &out));
        assert_int_equal(verdict(&out), ES_VALID);
        es_buf_free(&out);
    }
    o = (es_ofd_sign_opts){.kind = ES_OFD_CROSS_PAGE,
                           .seal = F.seal,
                           .key = P.signer_key,
                           .cert = P.signer,
                           .first_page = 2,
                           .last_page = 3,
                           .y_mm = 10};
    assert_es_ok(es_ofd_sign(in.data, in.len, &o, &out));
    assert_es_ok(es_ofd_open(out.data, out.len, NULL, &d));
    s = es_ofd_signature_get0(d, 0);
    assert_int_equal(s->nstamps, 2);
    assert_float_equal(s->stamps[0].boundary[0], 420 - s->stamps[0].clip[2], 0.01);
    assert_float_equal(s->stamps[1].boundary[0], 210 - 2 * s->stamps[1].clip[2], 0.01);
    es_ofd_free(d);
    es_buf_free(&out);
    es_buf_free(&in);
}

/* Lengths in mm without printf: exactly what "%.3f" gives, trailing zeros cut. */
static void test_mm_text(void **state)
{
    static const double special[] = {0,     -0.0,  0.0005,    0.0015,  -0.0005,  1.0005,      2.675,
                                     1e9,   -1e9,  1e-300,    -4e-4,   123.4565, 999999.9995, 40,
                                     -40.5, 1e300, 0.1 + 0.2, 1.0 / 3, 297.0001, 1e15};
    uint32_t x = 12345;

    (void)state;
    for (size_t i = 0; i < 200000 + ES__ARRAY_LEN(special); i++) {
        double v;
        char want[64]; /* as the writer's buffer: 1e300 is cut there */
        size_t n;
        es__sb got = {0};
        x = x * 1103515245u + 12345u;
        v = i < ES__ARRAY_LEN(special) ? special[i]
                                       : ((double)(x >> 8) - 8388608.0) / (i % 2 ? 1000.0 : 7.0);
        snprintf(want, sizeof(want), "%.3f", v);
        n = strlen(want);
        while (n > 0 && want[n - 1] == '0')
            n--;
        if (n > 0 && want[n - 1] == '.')
            n--;
        if (n == 2 && want[0] == '-' && want[1] == '0')
            n = 1, want[0] = '0';
        want[n] = '\0';
        es__ofd_sb_mm(&got, v);
        assert_non_null(got.p);
        assert_string_equal(got.p, want);
        es__sb_free(&got);
    }
}

/* Escaping for attributes and text, in runs. */
static void test_xml_escape(void **state)
{
    es__sb t = {0};

    (void)state;
    es__ofd_sb_xml(&t, "");
    es__ofd_sb_xml(&t, "Doc_0/a&b<c>\"d\"&&");
    es__ofd_sb_long(&t, -1234567);
    es__ofd_sb_long(&t, 0);
    assert_string_equal(t.p, "Doc_0/a&amp;b&lt;c&gt;&quot;d&quot;&amp;&amp;-12345670");
    es__sb_free(&t);
}

/* Limits: total size (a zip bomb), entry count, XML depth. */
/*
 * An OFD.xml that says GB18030 and holds bytes that are not: refused as malformed with what
 * libxml2 found, and nothing written to stderr (libxml2 reports encoding errors there by
 * default; the library never prints).
 */
static void test_bad_encoding_silent(void **state)
{
    static const char ofd_xml[] =
        "<?xml version=\"1.0\" encoding=\"GB18030\"?><!-- \x81\x20\xff -->"
        "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>";
    es__ofd_put put = {
        .name = "OFD.xml", .data = (const uint8_t *)ofd_xml, .len = sizeof(ofd_xml) - 1};
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), bad = {0};
    es_ofd *d = NULL;
    FILE *err = tmpfile();
    int saved = dup(2);
    es_err rc;

    (void)state;
    assert_non_null(err);
    assert_true(saved >= 0);
    assert_es_ok(es__ofd_open(in.data, in.len, NULL, ES__OFD_WRITING, &d));
    assert_es_ok(es__ofd_write_zip(d, &put, 1, 1700000000, &bad));
    es_ofd_free(d);
    d = NULL;
    fflush(stderr);
    assert_true(dup2(fileno(err), 2) >= 0);
    rc = es_ofd_open(bad.data, bad.len, NULL, &d);
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    assert_es_err(rc, ES_ERR_FORMAT);
    assert_null(d);
    assert_non_null(strstr(es_errdetail(), "OFD.xml"));
    assert_non_null(strstr(es_errdetail(), "input conversion failed"));
    assert_int_equal(ftell(err), 0); /* nothing reached stderr */
    fclose(err);
    es_buf_free(&bad);
    es_buf_free(&in);
}

static void test_limits(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/VPage7.ofd"));
    es_ofd_limits lim = {.max_total = 10000};
    es_ofd *d = NULL;

    (void)state;
    assert_es_err(es_ofd_open(in.data, in.len, &lim, &d), ES_ERR_LIMIT);
    assert_non_null(strstr(es_errdetail(), "zip bomb"));
    lim = (es_ofd_limits){.max_entries = 5};
    assert_es_err(es_ofd_open(in.data, in.len, &lim, &d), ES_ERR_LIMIT);
    lim = (es_ofd_limits){.max_xml_depth = 3};
    assert_es_err(es_ofd_open(in.data, in.len, &lim, &d), ES_ERR_LIMIT);
    assert_non_null(strstr(es_errdetail(), "deep"));
    assert_es_err(es_ofd_open(in.data, 100, NULL, &d), ES_ERR_FORMAT);
    assert_null(d);
    es_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h_sample),
        cmocka_unit_test(test_sign_twice_keeps_bytes),
        cmocka_unit_test(test_tamper_every_entry),
        cmocka_unit_test(test_cross_page_geometry),
        cmocka_unit_test(test_zip_records),
        cmocka_unit_test(test_zip64_through_libzip),
        cmocka_unit_test(test_hidden_end_record),
        cmocka_unit_test(test_renamed_local_header),
        cmocka_unit_test(test_zip64_disagreeing),
        cmocka_unit_test(test_close),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_encoding_silent),
        cmocka_unit_test(test_page_boxes),
        cmocka_unit_test(test_mm_text),
        cmocka_unit_test(test_xml_escape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
