/*
 * The zip's local headers checked against its central directory. libzip reads each entry through
 * its central record; streaming readers (Java's ZipInputStream, many OFD readers, funzip) read
 * the local headers one after the other and never see the directory. Where the two disagree
 * (another name, method or size in a local header, entries sharing bytes, a local header no central
 * record points to) a signed package could verify in eseal while another reader shows other
 * content.
 */
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

#define CDIR_LEN      46u
#define LOCAL_LEN     30u
#define MAX32         ES__ZIP_MAX32
#define FL_ENCRYPTED  1u
#define FL_DESCRIPTOR 8u
#define DISAGREE      "zip readers would disagree on its content"

/* Where one entry's bytes lie, as libzip reads them and as a streaming reader goes past them. */
typedef struct zspan {
    uint64_t loc;  /* its local header */
    uint64_t end;  /* the end of its data: local header, name, extra, compressed size */
    uint64_t next; /* where a streaming reader looks for the next header (after a descriptor) */
    size_t i;      /* its central record's index */
    const uint8_t *name;
    size_t nlen;
} zspan;

/* What one central record says, with its zip64 values in place of the 0xFFFFFFFF markers. */
typedef struct zcent {
    const uint8_t *c;
    size_t i;
    uint64_t loc, csize, usize;
    char name[96]; /* for messages */
} zcent;

static uint64_t le64(const uint8_t *p)
{
    return es__le32(p) | (uint64_t)es__le32(p + 4) << 32;
}

/* The name bytes for a message: control characters shown as '?', cut at a character boundary. */
static void shown(const uint8_t *s, size_t n, char out[96])
{
    size_t k = n < 80 ? n : 80;

    while (k < n && k > 0 && (s[k] & 0xc0) == 0x80)
        k--;
    for (size_t j = 0; j < k; j++)
        out[j] = s[j] < 0x20 || s[j] == 0x7f ? '?' : (char)s[j];
    strcpy(out + k, k < n ? "..." : "");
}

/* Replace *v[0..n) with the values of the first zip64 extra field (id 1) among the xlen bytes of
 * extra fields at x, in the order the field gives them; 0 when it is missing or too short. */
static int zip64_values(const uint8_t *x, size_t xlen, uint64_t *v[], size_t n)
{
    while (xlen >= 4) {
        size_t len = es__le16(x + 2);
        if (len > xlen - 4)
            return 0;
        if (es__le16(x) == 1) {
            if (len < 8 * n)
                return 0;
            for (size_t k = 0; k < n; k++)
                *v[k] = le64(x + 4 + 8 * k);
            return 1;
        }
        x += 4 + len;
        xlen -= 4 + len;
    }
    return 0;
}

/* Central record i at *at (within the directory that ends at cd_end), as libzip reads it: the
 * markers replaced from its zip64 extra field, whatever the end record (libzip does so). */
static es_err read_central(const uint8_t *z, size_t *at, uint64_t cd_end, size_t i, zcent *e)
{
    const uint8_t *c = z + *at;
    size_t nlen, xlen, len, k = 0;
    uint64_t *want[3];

    if (cd_end - *at < CDIR_LEN || memcmp(c, "PK\1\2", 4) != 0)
        return es__fail(ES_ERR_FORMAT, "zip entry %zu: no central record where it should be", i);
    nlen = es__le16(c + 28);
    xlen = es__le16(c + 30);
    len = CDIR_LEN + nlen + xlen + es__le16(c + 32);
    if (len > cd_end - *at)
        return es__fail(ES_ERR_FORMAT, "zip entry %zu: its central record runs past the directory",
                        i);
    *e = (zcent){.c = c, .i = i, .csize = es__le32(c + 20), .usize = es__le32(c + 24)};
    e->loc = es__le32(c + 42);
    shown(c + CDIR_LEN, nlen, e->name);
    if (e->usize == MAX32)
        want[k++] = &e->usize;
    if (e->csize == MAX32)
        want[k++] = &e->csize;
    if (e->loc == MAX32)
        want[k++] = &e->loc;
    if (k > 0 && !zip64_values(c + CDIR_LEN + nlen, xlen, want, k))
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): a size or offset of 0xFFFFFFFF in its central record "
                        "without a zip64 extra field to give it",
                        i, e->name);
    *at += len;
    return ES_OK;
}

/*
 * The local header's CRC-32 and sizes against the central record's. With bit 3 set in the local
 * header a streaming reader takes them from the data descriptor (or the deflate stream's end), so
 * the local ones may be 0 (what writers put there) or the right ones, or 0xFFFFFFFF for sizes (a
 * zip64 entry streamed); anything else is refused. Without bit 3 the streaming reader trusts them,
 * whatever the central record's bit 3 says, so they must be the central ones; when either size is
 * 0xFFFFFFFF both come from the local zip64 extra field, as Java reads them.
 */
static es_err local_sizes(const zcent *e, const uint8_t *l)
{
    const uint8_t *x = l + LOCAL_LEN + es__le16(l + 26);
    uint32_t crc = es__le32(e->c + 16), lcrc = es__le32(l + 14);
    uint64_t lc = es__le32(l + 18), lu = es__le32(l + 22), *want[2] = {&lu, &lc};

    if (es__le16(l + 6) & FL_DESCRIPTOR) {
        if ((lcrc == 0 || lcrc == crc) && (lc == 0 || lc == MAX32 || lc == e->csize) &&
            (lu == 0 || lu == MAX32 || lu == e->usize))
            return ES_OK;
    } else if ((lc != MAX32 && lu != MAX32) || zip64_values(x, es__le16(l + 28), want, 2)) {
        if (lcrc == crc && lc == e->csize && lu == e->usize)
            return ES_OK;
    }
    return es__fail(
        ES_ERR_FORMAT,
        "zip entry %zu (%s): its local header gives CRC-32 %08x and %llu bytes "
        "compressed, %llu uncompressed, its central record %08x, %llu and %llu: " DISAGREE,
        e->i, e->name, lcrc, (unsigned long long)lc, (unsigned long long)lu, crc,
        (unsigned long long)e->csize, (unsigned long long)e->usize);
}

/* The local header of e (the directory starts at cd_off) against its central record; *s where
 * its bytes lie. */
static es_err check_local(const uint8_t *z, uint64_t cd_off, const zcent *e, zspan *s)
{
    const uint8_t *l, *c = e->c;
    size_t nlen = es__le16(c + 28), lnlen;
    es_err rc;

    if (e->loc > cd_off || cd_off - e->loc < LOCAL_LEN || memcmp(z + e->loc, "PK\3\4", 4) != 0)
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): no local header at offset %llu, before the central "
                        "directory at %llu",
                        e->i, e->name, (unsigned long long)e->loc, (unsigned long long)cd_off);
    l = z + e->loc;
    lnlen = es__le16(l + 26);
    s->end = e->loc + LOCAL_LEN + lnlen + es__le16(l + 28);
    if (s->end > cd_off)
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): its local header at offset %llu runs into the central "
                        "directory",
                        e->i, e->name, (unsigned long long)e->loc);
    if (lnlen != nlen || memcmp(l + LOCAL_LEN, c + CDIR_LEN, nlen) != 0) {
        char lname[96];
        shown(l + LOCAL_LEN, lnlen, lname);
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): its local header names \"%s\": " DISAGREE, e->i,
                        e->name, lname);
    }
    if (es__le16(l + 8) != es__le16(c + 10))
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): its local header gives compression method %u, its "
                        "central record %u: " DISAGREE,
                        e->i, e->name, es__le16(l + 8), es__le16(c + 10));
    if ((es__le16(l + 6) ^ es__le16(c + 8)) & FL_ENCRYPTED)
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): its local header and central record disagree on "
                        "whether it is encrypted: " DISAGREE,
                        e->i, e->name);
    if ((rc = local_sizes(e, l)) != ES_OK)
        return rc;
    if (e->csize > cd_off - s->end)
        return es__fail(ES_ERR_FORMAT,
                        "zip entry %zu (%s): its data (%llu bytes at offset %llu) runs into the "
                        "central directory at %llu: " DISAGREE,
                        e->i, e->name, (unsigned long long)e->csize, (unsigned long long)s->end,
                        (unsigned long long)cd_off);
    s->loc = e->loc;
    s->end += e->csize;
    s->next = s->end;
    s->i = e->i;
    s->name = c + CDIR_LEN;
    s->nlen = nlen;
    /* the data descriptor a streaming reader then skips: its signature is optional, its sizes
     * 8 bytes when the local header has a zip64 extra field (Java's rule) */
    if (es__le16(l + 6) & FL_DESCRIPTOR) {
        s->next += zip64_values(l + LOCAL_LEN + lnlen, es__le16(l + 28), NULL, 0) ? 20 : 12;
        if (cd_off - s->end >= 4 && memcmp(z + s->end, "PK\7\10", 4) == 0)
            s->next += 4;
    }
    return ES_OK;
}

static int by_offset(const void *a, const void *b)
{
    const zspan *x = a, *y = b;

    return x->loc < y->loc ? -1 : x->loc > y->loc;
}

/* A local header at pos, in a gap before lim that no entry covers: streaming readers read it as
 * an entry the directory does not list. */
static int hidden(const uint8_t *z, uint64_t pos, uint64_t lim)
{
    return pos < lim && lim - pos >= 4 && memcmp(z + pos, "PK\3\4", 4) == 0;
}

/* The entries' bytes in file order: none runs into the next one's local header (libzip would
 * read shared bytes for both, a streaming reader only once), and no local header stands in a gap
 * where a streaming reader looks for the next one. */
static es_err check_spans(const uint8_t *z, uint64_t cd_off, zspan *s, size_t n)
{
    uint64_t end = 0, next = 0;
    char a[96], b[96];

    qsort(s, n, sizeof(*s), by_offset);
    for (size_t k = 0; k <= n; k++) {
        uint64_t lim = k < n ? s[k].loc : cd_off;
        if (k > 0 && end > lim) {
            shown(s[k - 1].name, s[k - 1].nlen, a);
            shown(s[k].name, s[k].nlen, b);
            return es__fail(ES_ERR_FORMAT,
                            "zip entries %zu (%s) and %zu (%s) overlap: the data of the first "
                            "runs to offset %llu, past the local header of the second at %llu: "
                            "zip readers would disagree on their content",
                            s[k - 1].i, a, s[k].i, b, (unsigned long long)end,
                            (unsigned long long)lim);
        }
        if (hidden(z, end, lim) || hidden(z, next, lim))
            return es__fail(ES_ERR_FORMAT,
                            "a zip local header at offset %llu belongs to no entry of the central "
                            "directory: streaming zip readers would read an entry others do not",
                            (unsigned long long)(hidden(z, end, lim) ? end : next));
        if (k < n) {
            end = s[k].end;
            next = s[k].next;
        }
    }
    return ES_OK;
}

es_err es__ofd_zip_local_check(const uint8_t *p, size_t start, uint64_t cd_off, uint64_t cd_size,
                               size_t n)
{
    const uint8_t *z = p + start;
    size_t at = (size_t)cd_off;
    zspan *s;
    zcent e;
    es_err rc = ES_OK;

    if (start >= 4 && memcmp(p, "PK\3\4", 4) == 0)
        return es__fail(ES_ERR_FORMAT,
                        "the %zu bytes before the zip start with a zip local header: streaming "
                        "zip readers would read an entry others do not",
                        start);
    if ((s = malloc((n ? n : 1) * sizeof(*s))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == ES_OK; i++)
        if ((rc = read_central(z, &at, cd_off + cd_size, i, &e)) == ES_OK)
            rc = check_local(z, cd_off, &e, &s[i]);
    if (rc == ES_OK)
        rc = check_spans(z, cd_off, s, n);
    free(s);
    return rc;
}
