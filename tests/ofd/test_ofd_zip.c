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

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

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
        put32(h, 0x02014b50u);
        put16(h + 4, 0x314);
        put16(h + 6, 20);
        put16(h + 8, e[i].flags);
        put16(h + 10, (uint32_t)e[i].method);
        put32(h + 16, crc ^ e[i].dcrc);
        put32(h + 20, (uint32_t)len);
        put32(h + 24, (uint32_t)((long)strlen(e[i].data) + e[i].dsize));
        put16(h + 28, (uint32_t)nlen);
        put32(h + 42, (uint32_t)at);
        memcpy(h + 46, e[i].name, nlen);
        memcpy(p + at, "PK\3\4", 4);
        memcpy(p + at + 4, h + 6, 26); /* version needed .. name length, extra 0 */
        memcpy(p + at + 30, e[i].name, nlen);
        at += 30 + nlen + len;
        cdn += 46 + nlen;
    }
    memcpy(p + at, cd, cdn);
    h = p + at + cdn;
    put32(h, 0x06054b50u);
    put16(h + 8, (uint32_t)n);
    put16(h + 10, (uint32_t)n);
    put32(h + 12, (uint32_t)cdn);
    put32(h + 16, (uint32_t)at);
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
    put16(p + z->len - 2, (uint32_t)n);
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
    put16(z.data + z.len - 28 - 2, 29);
    expect_read(&z, ES_ERR_FORMAT, "runs past the end");
    put16(z.data + z.len - 28 - 2, 28);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_entries),
        cmocka_unit_test(test_sizes_bounded),
        cmocka_unit_test(test_end_records),
        cmocka_unit_test(test_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
