/* OFD package reading: which damaged entries the reader takes and which it refuses. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "eseal/ofd.h"
#include "ofd/ofd_local.h"
#include "testutil.h"

/* One entry of a zip made for a case: its data, how it is stored, and what its records say. */
typedef struct zent {
    const char *name;
    const char *data;
    int method;     /* 0 stored, 8 deflated */
    int flush;      /* deflate's last flush: Z_FINISH, or Z_SYNC_FLUSH for a stream without end */
    size_t cut;     /* bytes cut from the end of the stored data */
    size_t garbage; /* bytes added after the data */
    long dsize;     /* added to the uncompressed size the records give */
    uint32_t dcrc;  /* xored into the CRC-32 the records give */
    uint16_t flags;
    int raw_empty; /* no data bytes at all, whatever method says */
} zent;

/* The bytes an entry's record points at. */
static size_t entry_bytes(const zent *e, uint8_t *out, size_t cap)
{
    size_t n = strlen(e->data), len = n;
    z_stream zs;

    if (e->raw_empty)
        return 0;
    if (e->method == 8) {
        memset(&zs, 0, sizeof(zs));
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = (Bytef *)(uintptr_t)e->data;
        zs.avail_in = (uInt)n;
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        deflate(&zs, e->flush ? e->flush : Z_FINISH);
        len = zs.total_out;
        deflateEnd(&zs);
    } else {
        memcpy(out, e->data, n);
    }
    len -= e->cut;
    memset(out + len, 0xa5, e->garbage);
    return len + e->garbage;
}

/* A zip of the n entries: local records, central directory, end record. */
static es_buf make_zip(const zent *e, size_t n)
{
    es_buf z = {0};
    uint8_t *p = calloc(1, 1 << 16), *cd = calloc(1, 1 << 14), *h;
    size_t at = 0, cdn = 0;

    assert_non_null(p);
    assert_non_null(cd);
    for (size_t i = 0; i < n; i++) {
        size_t nlen = strlen(e[i].name), len = entry_bytes(&e[i], p + at + 30 + nlen, 4096);
        uint32_t crc = (uint32_t)crc32(0, (const Bytef *)e[i].data, (uInt)strlen(e[i].data));
        h = cd + cdn;
        es__put_le32(h, 0x02014b50u);
        es__put_le16(h + 4, 0x314);
        es__put_le16(h + 6, 20);
        es__put_le16(h + 8, e[i].flags);
        es__put_le16(h + 10, (uint32_t)e[i].method);
        es__put_le32(h + 16, crc ^ e[i].dcrc);
        es__put_le32(h + 20, (uint32_t)len);
        es__put_le32(h + 24, (uint32_t)((long)strlen(e[i].data) + e[i].dsize));
        es__put_le16(h + 28, (uint32_t)nlen);
        es__put_le32(h + 42, (uint32_t)at);
        memcpy(h + 46, e[i].name, nlen);
        memcpy(p + at, "PK\3\4", 4);
        memcpy(p + at + 4, h + 6, 26); /* version needed .. name length, extra 0 */
        memcpy(p + at + 30, e[i].name, nlen);
        at += 30 + nlen + len;
        cdn += 46 + nlen;
    }
    memcpy(p + at, cd, cdn);
    h = p + at + cdn;
    es__put_le32(h, 0x06054b50u);
    es__put_le16(h + 8, (uint32_t)n);
    es__put_le16(h + 10, (uint32_t)n);
    es__put_le32(h + 12, (uint32_t)cdn);
    es__put_le32(h + 16, (uint32_t)at);
    assert_es_ok(es_buf_set(&z, p, at + cdn + 22));
    free(p);
    free(cd);
    return z;
}

/* Read z's entries into a new es_ofd; *rc what reading returned. */
static es_ofd *read_zip(const es_buf *z, es_err *rc)
{
    es_ofd *d = calloc(1, sizeof(*d));

    assert_non_null(d);
    d->lim = (es_ofd_limits){.max_entries = 100, .max_entry_size = 1 << 20, .max_total = 1 << 22};
    *rc = es__ofd_read_zip(d, z->data, z->len, 0);
    return d;
}

#define TEXT "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\">some text, some text</ofd:OFD>"

/*
 * Each case is a package of OFD.xml and one entry made as the case says; the verdict is the
 * table's, and a package taken reads as the data that was stored. The verdicts are libzip 1.7's:
 * a reader that replaces it (or a libzip that changes them) must keep them or say why.
 */
static void test_damaged_entries(void **state)
{
    static const struct {
        zent e;
        es_err want;
    } cases[] = {
        {{.name = "a.xml", .data = TEXT, .method = 8}, ES_OK},
        {{.name = "a.xml", .data = TEXT, .method = 0}, ES_OK},
        {{.name = "a.xml", .data = TEXT, .method = 8, .flush = Z_SYNC_FLUSH}, ES_OK},
        {{.name = "a.xml", .data = TEXT, .method = 8, .garbage = 9}, ES_OK},
        {{.name = "a.xml", .data = TEXT, .method = 8, .cut = 4}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 8, .dcrc = 1}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 0, .dcrc = 0x100}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 8, .dsize = -1}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 8, .dsize = 1}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 0, .garbage = 2}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 0, .cut = 2, .dsize = -2}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = TEXT, .method = 8, .flags = 1}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = "", .method = 8}, ES_OK},
        {{.name = "a.xml", .data = "", .method = 8, .dcrc = 5}, ES_ERR_FORMAT},
        /* no data at all: libzip reads nothing and checks no CRC-32 of it */
        {{.name = "a.xml", .data = "", .method = 8, .raw_empty = 1, .dcrc = 5}, ES_OK},
        {{.name = "a.xml", .data = "", .method = 0, .raw_empty = 1, .dcrc = 5}, ES_OK},
        {{.name = "a.xml", .data = "", .method = 8, .raw_empty = 1, .dsize = 1}, ES_ERR_FORMAT},
        {{.name = "a.xml", .data = "", .method = 0, .raw_empty = 1, .dsize = 2}, ES_ERR_FORMAT},
    };
    static const zent first = {.name = "OFD.xml", .data = TEXT TEXT, .method = 8};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        zent e[2] = {first, cases[i].e};
        es_buf z = make_zip(e, 2);
        es_err rc;
        es_ofd *d;

        print_message("case %zu\n", i);
        d = read_zip(&z, &rc);
        assert_int_equal(rc, cases[i].want);
        for (size_t k = 0; rc == ES_OK && k < 2; k++) {
            size_t n = 0;
            const uint8_t *p = es_ofd_entry(d, e[k].name, &n);
            assert_non_null(p);
            assert_int_equal(n, strlen(e[k].data));
            assert_memory_equal(p, e[k].data, n);
        }
        if (rc != ES_OK)
            assert_non_null(strstr(es_errdetail(), "a.xml"));
        es_ofd_free(d);
        es_buf_free(&z);
    }
}

/* A deflated entry one byte longer than its record says is refused, and an entry over the limit
 * is refused before it is read. */
static void test_sizes_bounded(void **state)
{
    zent e[2] = {{.name = "OFD.xml", .data = TEXT, .method = 8},
                 {.name = "b.xml", .data = TEXT, .method = 8, .dsize = -1}};
    es_buf z = make_zip(e, 2);
    es_err rc;
    es_ofd *d;

    (void)state;
    d = read_zip(&z, &rc);
    assert_es_err(rc, ES_ERR_FORMAT);
    assert_non_null(strstr(es_errdetail(), "b.xml"));
    es_ofd_free(d);
    es_buf_free(&z);
    e[1].dsize = 0;
    z = make_zip(e, 2);
    d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->lim = (es_ofd_limits){.max_entries = 100, .max_entry_size = 40, .max_total = 1 << 22};
    assert_es_err(es__ofd_read_zip(d, z.data, z.len, 0), ES_ERR_LIMIT);
    assert_non_null(strstr(es_errdetail(), "zip bomb"));
    es_ofd_free(d);
    es_buf_free(&z);
}

/* z with n bytes of comment c on its end record (which has none yet). */
static void add_comment(es_buf *z, const void *c, size_t n)
{
    uint8_t *p = realloc(z->data, z->len + n);

    assert_non_null(p);
    memcpy(p + z->len, c, n);
    es__put_le16(p + z->len - 2, (uint32_t)n);
    z->data = p;
    z->len += n;
}

/* b + z + a as a new buffer. */
static es_buf wrap(const void *b, size_t nb, const es_buf *z, const void *a, size_t na)
{
    es_buf w = {.data = malloc(nb + z->len + na), .len = nb + z->len + na};

    assert_non_null(w.data);
    memcpy(w.data, b, nb);
    memcpy(w.data + nb, z->data, z->len);
    memcpy(w.data + nb + z->len, a, na);
    return w;
}

/* Read z; the error and its detail as expected (want_detail NULL: taken, with OFD.xml). */
static void expect_read(const es_buf *z, es_err want, const char *want_detail)
{
    es_err rc;
    es_ofd *d = read_zip(z, &rc);

    assert_int_equal(rc, want);
    if (want == ES_OK)
        assert_non_null(es__ofd_find(d, "OFD.xml"));
    else if (strstr(es_errdetail(), want_detail) == NULL)
        fail_msg("detail \"%s\", not \"%s\"", es_errdetail(), want_detail);
    es_ofd_free(d);
}

#define TWO_EOCD "more than one zip end-of-central-directory record"

/*
 * End records: a comment is fine, the bytes "PK\5\6" with room for a record after them anywhere
 * a reader searches (the comment, a stored entry, bytes after the zip) are a second record and
 * refused; so are a comment longer than the file and zip64 markers without a zip64 record.
 */
static void test_end_records(void **state)
{
    zent e[2] = {{.name = "OFD.xml", .data = TEXT, .method = 8},
                 {.name = "a.xml", .data = "x PK\5\6 y", .method = 0}};
    static const uint8_t fake[22] = {'P', 'K', 5, 6};
    es_buf z, w;

    (void)state;
    z = make_zip(e, 2); /* a stored entry holding the signature */
    expect_read(&z, ES_ERR_FORMAT, TWO_EOCD);
    es_buf_free(&z);
    e[1].method = 8; /* deflated, the bytes are not in the package */
    z = make_zip(e, 2);
    expect_read(&z, ES_OK, NULL);
    add_comment(&z, "", 0);
    expect_read(&z, ES_OK, NULL);
    add_comment(&z, "signed by the finance office", 28);
    expect_read(&z, ES_OK, NULL);
    w = wrap("junk", 4, &z, "junk", 4);
    expect_read(&w, ES_OK, NULL);
    es_buf_free(&w);
    w = wrap("", 0, &z, fake, sizeof(fake)); /* a record after the zip */
    expect_read(&w, ES_ERR_FORMAT, TWO_EOCD);
    es_buf_free(&w);
    es__put_le16(z.data + z.len - 28 - 2, 29);
    expect_read(&z, ES_ERR_FORMAT, "runs past the end");
    es__put_le16(z.data + z.len - 28 - 2, 28);
    memcpy(z.data + z.len - 28 + 4, "PK\5\6", 4); /* 20 bytes of comment after it */
    expect_read(&z, ES_ERR_FORMAT, TWO_EOCD);
    memcpy(z.data + z.len - 28 + 4, "PK\5\5", 4);
    memcpy(z.data + z.len - 4, "PK\5\6", 4); /* no room for a record: no reader takes it */
    expect_read(&z, ES_OK, NULL);
    es_buf_free(&z);
    z = make_zip(e, 2);
    memset(z.data + z.len - 6, 0xff, 4); /* zip64's offset marker, no zip64 record */
    expect_read(&z, ES_ERR_FORMAT, "no zip64 locator");
    es_buf_free(&z);
}

/* A prefix is tolerated unless a reader that ignores it (Go's, or Info-ZIP's when the offset is
 * 0) would find a directory at the offset the end record gives. */
static void test_prefix(void **state)
{
    zent e[1] = {{.name = "OFD.xml", .data = TEXT, .method = 8}};
    es_buf z = make_zip(e, 1), w;
    uint32_t cd = (uint32_t)(z.data[z.len - 6] | z.data[z.len - 5] << 8);
    uint8_t *pre = calloc(1, cd + 4);

    (void)state;
    assert_non_null(pre);
    w = wrap(pre, cd + 4, &z, "", 0);
    expect_read(&w, ES_OK, NULL);
    es_buf_free(&w);
    memcpy(pre + cd, "PK\1\2", 4);
    w = wrap(pre, cd + 4, &z, "", 0);
    expect_read(&w, ES_ERR_FORMAT, "without them also gives a directory");
    es_buf_free(&w);
    free(pre);
    es_buf_free(&z);
}

/* One change to a record of helloworld.ofd: 'L' its local header, 'C' its central record; op
 * 'x' xors v into the field, '=' sets it, '+' adds v. */
typedef struct edit {
    char rec, op;
    int entry;
    size_t off;
    int len; /* 2 or 4 */
    uint32_t v;
} edit;

/* The central record (rec 'C') or local header ('L') of entry k of b, a plain zip. */
static uint8_t *record(const es_buf *b, char rec, int k)
{
    const uint8_t *e = b->data + b->len - 22;
    uint8_t *c = b->data + (e[16] | e[17] << 8 | (size_t)e[18] << 16);

    for (int i = 0; i < k; i++)
        c += 46 + (c[28] | c[29] << 8) + (c[30] | c[31] << 8) + (c[32] | c[33] << 8);
    assert_memory_equal(c, "PK\1\2", 4);
    return rec == 'C' ? c : b->data + (c[42] | c[43] << 8 | (size_t)c[44] << 16);
}

static void apply(es_buf *b, const edit *e)
{
    uint8_t *p = record(b, e->rec, e->entry) + e->off;
    uint32_t v = e->len == 2 ? (uint32_t)(p[0] | p[1] << 8)
                             : (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);

    v = e->op == 'x' ? v ^ e->v : e->op == '+' ? v + e->v : e->v;
    if (e->len == 2)
        es__put_le16(p, v);
    else
        es__put_le32(p, v);
}

/* Read b: refused with want and a detail holding detail, or taken with every entry as in ref. */
static void expect_same(const es_buf *b, const es_ofd *ref, es_err want, const char *detail)
{
    es_err rc;
    es_ofd *d = read_zip(b, &rc);

    if (rc != want)
        fail_msg("%s (%s), not %s", es_strerror(rc), es_errdetail(), es_strerror(want));
    if (rc != ES_OK && strstr(es_errdetail(), detail) == NULL)
        fail_msg("detail \"%s\", not \"%s\"", es_errdetail(), detail);
    for (size_t k = 0; rc == ES_OK && k < ref->ne; k++) {
        assert_true(k < d->ne);
        assert_string_equal(d->e[k].name, ref->e[k].name);
        assert_int_equal(d->e[k].data.len, ref->e[k].data.len);
        if (ref->e[k].data.len > 0)
            assert_memory_equal(d->e[k].data.data, ref->e[k].data.data, ref->e[k].data.len);
    }
    es_ofd_free(d);
}

#define NAMES    "its local header names \"Doc_0/Document.xmm\""
#define SIZES    "its local header gives CRC-32"
#define OVERLAP  "overlap"
#define INTO_DIR "runs into the central directory"

/*
 * helloworld.ofd (7 entries, UTF-8 flag on each; entry 0 Doc_0/Document.xml deflated at offset
 * 0, entry 6 OFD.xml the last before the directory) with its records edited: what a streaming
 * reader would read differently is refused, what only differs in metadata is taken as it was.
 */
static void test_local_headers(void **state)
{
    static const struct {
        edit e[4];
        es_err want;
        const char *detail;
    } cases[] = {
        {{{'L', 'x', 0, 30 + 17, 2, 'l' ^ 'm'}}, ES_ERR_FORMAT, NAMES},
        {{{'L', '=', 0, 8, 2, 0}}, ES_ERR_FORMAT, "compression method 0, its central record 8"},
        {{{'L', 'x', 0, 6, 2, 1}}, ES_ERR_FORMAT, "disagree on whether it is encrypted"},
        {{{'L', 'x', 0, 22, 4, 1}}, ES_ERR_FORMAT, SIZES},
        {{{'L', 'x', 0, 18, 4, 1}}, ES_ERR_FORMAT, SIZES},
        {{{'L', 'x', 3, 14, 4, 1}}, ES_ERR_FORMAT, "(Doc_0/Pages/Page_0/Content.xml)"},
        /* bit 3 only in the central record: a streaming reader trusts the local sizes, right */
        {{{'C', 'x', 0, 8, 2, 8}}, ES_OK, NULL},
        {{{'C', 'x', 0, 8, 2, 8}, {'L', 'x', 0, 22, 4, 1}}, ES_ERR_FORMAT, SIZES},
        /* bit 3 in the local header: sizes and CRC from the data descriptor, 0 in the header */
        {{{'L', 'x', 0, 6, 2, 8},
          {'L', '=', 0, 14, 4, 0},
          {'L', '=', 0, 18, 4, 0},
          {'L', '=', 0, 22, 4, 0}},
         ES_OK,
         NULL},
        {{{'L', 'x', 0, 6, 2, 8}}, ES_OK, NULL},
        {{{'L', 'x', 0, 6, 2, 8}, {'L', 'x', 0, 22, 4, 1}}, ES_ERR_FORMAT, SIZES},
        /* metadata: the UTF-8 flag (libzip 1.7 cleared it in central records), time, versions */
        {{{'L', 'x', 0, 6, 2, 0x800}}, ES_OK, NULL},
        {{{'C', 'x', 6, 8, 2, 0x800}}, ES_OK, NULL},
        {{{'L', 'x', 0, 10, 4, 0x12345}}, ES_OK, NULL},
        {{{'L', 'x', 0, 4, 2, 1}, {'C', 'x', 0, 4, 2, 0x300}}, ES_OK, NULL},
        {{{'L', 'x', 0, 6, 2, 2}}, ES_OK, NULL},
        /* data running into the next local header, or the directory (deflate ends earlier, so
         * libzip alone reads both) */
        {{{'L', '+', 0, 18, 4, 10}, {'C', '+', 0, 20, 4, 10}}, ES_ERR_FORMAT, OVERLAP},
        {{{'L', '+', 6, 18, 4, 1}, {'C', '+', 6, 20, 4, 1}}, ES_ERR_FORMAT, INTO_DIR},
        {{{'C', '=', 4, 42, 4, 100}}, ES_ERR_FORMAT, "no local header at offset 100"},
    };
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd"));
    es_err rc;
    es_ofd *ref = read_zip(&in, &rc);

    (void)state;
    assert_es_ok(rc);
    assert_int_equal(ref->ne, 7);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_buf b = {0};
        print_message("case %zu\n", i);
        assert_es_ok(es_buf_set(&b, in.data, in.len));
        for (size_t k = 0; k < 4 && cases[i].e[k].rec; k++)
            apply(&b, &cases[i].e[k]);
        expect_same(&b, ref, cases[i].want, cases[i].detail);
        es_buf_free(&b);
    }
    es_ofd_free(ref);
    es_buf_free(&in);
}

/* in (a zip without comment) with n bytes inserted at offset at: before the directory they move
 * its offset, after it they add to its size; dcount is added to the entry counts. */
static es_buf insert(const es_buf *in, size_t at, const void *bytes, size_t n, int dcount)
{
    es_buf b = {.data = malloc(in->len + n), .len = in->len + n};
    uint8_t *e;
    uint32_t cd = (uint32_t)(in->data[in->len - 6] | in->data[in->len - 5] << 8);

    assert_non_null(b.data);
    memcpy(b.data, in->data, at);
    memcpy(b.data + at, bytes, n);
    memcpy(b.data + at + n, in->data + at, in->len - at);
    e = b.data + b.len - 22;
    es__put_le16(e + 8, e[8] + dcount);
    es__put_le16(e + 10, e[10] + dcount);
    if (at <= cd)
        es__put_le32(e + 16, cd + (uint32_t)n);
    else
        es__put_le32(e + 12, (uint32_t)(e[12] | e[13] << 8) + (uint32_t)n);
    return b;
}

/*
 * What the directory does not account for: a second central record for one local header (one
 * entry's bytes read twice), and bytes between the last entry and the directory, refused when
 * they start a local header (a streaming reader reads an entry there, eseal none) or when they
 * precede the zip.
 */
static void test_local_extra_bytes(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), b;
    size_t cd = (size_t)(in.data[in.len - 6] | in.data[in.len - 5] << 8), first = 281;
    uint8_t *c = record(&in, 'C', 6), zeros[64] = {0};
    es_err rc;
    es_ofd *ref = read_zip(&in, &rc);

    (void)state;
    assert_es_ok(rc);
    /* OFD.xml's central record twice */
    b = insert(&in, in.len - 22, c, (size_t)(in.data + in.len - 22 - c), 1);
    expect_same(&b, ref, ES_ERR_FORMAT, OVERLAP);
    es_buf_free(&b);
    /* the first entry's local record again before the directory */
    b = insert(&in, cd, in.data, first, 0);
    expect_same(&b, ref, ES_ERR_FORMAT, "local header at offset 1201 belongs to no entry");
    es_buf_free(&b);
    b = insert(&in, cd, zeros, sizeof(zeros), 0);
    expect_same(&b, ref, ES_OK, NULL);
    es_buf_free(&b);
    /* the same before the zip */
    b = wrap(in.data, first, &in, "", 0);
    expect_same(&b, ref, ES_ERR_FORMAT, "bytes before the zip start with a zip local header");
    es_buf_free(&b);
    es_ofd_free(ref);
    es_buf_free(&in);
}

/* OFD.xml's central record in helloworld.ofd (the last) with its compressed size marked
 * 0xFFFFFFFF and, when value is not 0, given in a zip64 extra field as value. */
static es_buf zip64_size(const es_buf *in, uint64_t value)
{
    uint8_t x[12] = {1, 0, 8, 0};
    es_buf b;
    uint8_t *c;

    for (int i = 0; i < 8; i++)
        x[4 + i] = (uint8_t)(value >> 8 * i);
    b = insert(in, in->len - 22, x, value ? sizeof(x) : 0, 0);
    c = record(&b, 'C', 6);
    assert_int_equal(c[32] | c[33] << 8, 0); /* no comment: the new extra field ends the record */
    if (value)
        es__put_le16(c + 30, (uint32_t)(c[30] | c[31] << 8) + sizeof(x));
    es__put_le32(c + 20, 0xffffffffu);
    return b;
}

/* A zip64 extra field in a plain zip's central record (libzip reads it whatever the end record):
 * its value is what the local header is checked against, and a marker needs one. */
static void test_local_zip64_fields(void **state)
{
    es_buf in = tu_read(tu_sample("ofd/helloworld.ofd")), b;
    uint8_t *c = record(&in, 'C', 6);
    uint32_t csize = (uint32_t)(c[20] | c[21] << 8 | c[22] << 16);
    es_err rc;
    es_ofd *ref = read_zip(&in, &rc);

    (void)state;
    assert_es_ok(rc);
    b = zip64_size(&in, csize);
    expect_same(&b, ref, ES_OK, NULL);
    es_buf_free(&b);
    b = zip64_size(&in, csize - 1);
    expect_same(&b, ref, ES_ERR_FORMAT, SIZES);
    es_buf_free(&b);
    b = zip64_size(&in, 0); /* libzip 1.7 refuses it first ("No such file") */
    expect_same(&b, ref, ES_ERR_FORMAT, "");
    es_buf_free(&b);
    es_ofd_free(ref);
    es_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_entries),    cmocka_unit_test(test_sizes_bounded),
        cmocka_unit_test(test_end_records),        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_local_headers),      cmocka_unit_test(test_local_extra_bytes),
        cmocka_unit_test(test_local_zip64_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
