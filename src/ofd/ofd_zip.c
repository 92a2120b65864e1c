/* The OFD package as a zip: locating it among extra bytes, bounded reading, writing a new one. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zip.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

#define EOCD_LEN   ES__ZIP_EOCD_LEN
#define LOC64_LEN  20u
#define EOCD64_LEN 56u
#define MAX16      0xffffu
#define MAX32      ES__ZIP_MAX32
/* How far before a zip's end readers look for its end record: the longest comment and the record
 * (Python, Java, Go), and the zip64 locator's 20 bytes that libzip's buffer has room for. */
#define EOCD_SEARCH (MAX16 + EOCD_LEN + LOC64_LEN)

static uint64_t le64(const uint8_t *p)
{
    return es__le32(p) | (uint64_t)es__le32(p + 4) << 32;
}

/* The end-record signatures that start in [lo, hi] (a whole record fits after each): how many,
 * and the last in *last (left alone when none). memchr keeps the 64 KiB scan of every package
 * within a few microseconds. */
static size_t eocd_sigs(const uint8_t *p, size_t lo, size_t hi, size_t *last)
{
    size_t count = 0;
    const uint8_t *q = p + lo, *stop = p + hi + 1;

    while (q < stop && (q = memchr(q, 'P', (size_t)(stop - q))) != NULL) {
        if (memcmp(q, "PK\5\6", 4) == 0) {
            *last = (size_t)(q - p);
            count++;
        }
        q++;
    }
    return count;
}

/* The zip64 end record before the plain one at pos (its locator right before it, where libzip,
 * Python and Info-ZIP look): it must stand where both the locator points (libzip, Info-ZIP) and
 * right before the locator (Python), with no extensible data, and say what the plain record says
 * wherever that is not saturated; then it gives the directory's size and offset. */
static es_err zip64_end(const uint8_t *p, size_t pos, uint64_t *cd_size, uint64_t *cd_off,
                        size_t *dir_end)
{
    const uint8_t *e = p + pos, *z;
    uint64_t n64;

    if (pos < LOC64_LEN + EOCD64_LEN || memcmp(p + pos - LOC64_LEN - EOCD64_LEN, "PK\6\6", 4) != 0)
        return es__fail(ES_ERR_FORMAT, "zip64 end locator without its zip64 end record before it");
    z = p + pos - LOC64_LEN - EOCD64_LEN;
    n64 = le64(z + 32);
    *cd_size = le64(z + 40);
    *cd_off = le64(z + 48);
    *dir_end = pos - LOC64_LEN - EOCD64_LEN;
    if (le64(z + 4) != EOCD64_LEN - 12 || es__le32(e - 16) != 0 || es__le32(e - 4) > 1 ||
        es__le32(z + 16) != 0 || es__le32(z + 20) != 0 || le64(z + 24) != n64 ||
        (es__le16(e + 10) != MAX16 && es__le16(e + 10) != n64) ||
        (es__le32(e + 12) != MAX32 && es__le32(e + 12) != *cd_size) ||
        (es__le32(e + 16) != MAX32 && es__le32(e + 16) != *cd_off) || *cd_size > *dir_end ||
        *cd_off > *dir_end - *cd_size || le64(e - 12) != *cd_off + *cd_size)
        return es__fail(ES_ERR_FORMAT,
                        "the zip64 end record and locator do not agree with the end record: zip "
                        "readers would disagree on the package's content");
    return ES_OK;
}

/* The directory's size and offset from the one end record at pos, and where the directory ends
 * (the record, or a zip64 end record before it). */
static es_err dir_span(const uint8_t *p, size_t pos, uint64_t *cd_size, uint64_t *cd_off,
                       size_t *dir_end)
{
    if (pos >= LOC64_LEN && memcmp(p + pos - LOC64_LEN, "PK\6\7", 4) == 0)
        return zip64_end(p, pos, cd_size, cd_off, dir_end);
    *cd_size = es__le32(p + pos + 12);
    *cd_off = es__le32(p + pos + 16);
    *dir_end = pos;
    if (*cd_size == MAX32 || *cd_off == MAX32 || es__le16(p + pos + 10) == MAX16)
        return es__fail(ES_ERR_FORMAT, "zip end record with zip64 markers but no zip64 locator");
    if (*cd_size + *cd_off > pos)
        return es__fail(ES_ERR_FORMAT,
                        "zip central directory (%llu bytes at %llu) does not fit "
                        "before its end record at %zu",
                        (unsigned long long)*cd_size, (unsigned long long)*cd_off, pos);
    return ES_OK;
}

/* Where the zip lies in the input: [start, end), its end record, and its central directory
 * (offset from start). */
typedef struct zplace {
    size_t start, end, eocd;
    uint64_t cd_off, cd_size;
} zplace;

/*
 * Find the zip in p from its end record. Readers search back from the end for that record, and
 * when there are several they do not take the same one: libzip the first that reads as a
 * directory, Info-ZIP, Python and Java the last. So a second record within
 * any reader's reach (a directory hidden in the comment, or in a stored entry) is refused: every
 * reader then reads the one directory eseal hashes and copies. The bytes the directory's size
 * and offset do not account for are a prefix; libzip, given the zip alone, reads offsets from its
 * start, as Python, Java and Info-ZIP do with a prefix.
 */
static es_err locate(const uint8_t *p, size_t n, zplace *z)
{
    size_t pos = SIZE_MAX, dir_end = 0, lo, count, other;
    es_err rc;

    if (n < EOCD_LEN)
        return es__fail(ES_ERR_FORMAT, "not an OFD package: %zu bytes, too short for a zip", n);
    lo = n > EOCD_SEARCH ? n - EOCD_SEARCH : 0;
    count = eocd_sigs(p, lo, n - EOCD_LEN, &pos);
    if (count == 0 && lo > 0)
        eocd_sigs(p, 0, lo - 1, &pos); /* far before bytes after the zip: tolerated as before */
    if (pos == SIZE_MAX)
        return es__fail(ES_ERR_FORMAT, "not an OFD package: no zip end-of-central-directory");
    z->end = pos + EOCD_LEN + es__le16(p + pos + 20);
    /* bytes after the zip: libzip, given the zip alone, searches back from its end */
    if (count <= 1 && z->end < n)
        count = eocd_sigs(p, z->end > EOCD_SEARCH ? z->end - EOCD_SEARCH : 0, n - EOCD_LEN, &other);
    if (count > 1)
        return es__fail(ES_ERR_FORMAT,
                        "the package has more than one zip end-of-central-directory record (%zu "
                        "in its last %u bytes): zip readers would disagree on its content",
                        count, EOCD_SEARCH);
    if (z->end > n)
        return es__fail(ES_ERR_FORMAT,
                        "the zip end record's comment (%u bytes) runs past the end of the file",
                        es__le16(p + pos + 20));
    if ((rc = dir_span(p, pos, &z->cd_size, &z->cd_off, &dir_end)) != ES_OK)
        return rc;
    z->start = dir_end - (size_t)z->cd_size - (size_t)z->cd_off;
    z->eocd = pos;
    /* Go reads the directory without the prefix when a record is found there, Info-ZIP when the
     * offset is 0: with a prefix, neither may find one */
    if (z->start > 0 && (z->cd_off == 0 || memcmp(p + z->cd_off, "PK\1\2", 4) == 0))
        return es__fail(ES_ERR_FORMAT,
                        "the zip has %zu bytes before it, and its directory offset read without "
                        "them also gives a directory: zip readers would disagree on its content",
                        z->start);
    return ES_OK;
}

static es_err zip_failed(zip_error_t *ze, const char *what)
{
    return es__fail(ES_ERR_FORMAT, "%s: %s", what, zip_error_strerror(ze));
}

/* Read entry i fully, checking its real size against the limits (a zip's sizes can lie). */
static es_err read_entry(es_ofd *d, zip_t *za, zip_uint64_t i, const zip_stat_t *st, size_t *total,
                         es__ofd_entry *e)
{
    es_err rc = ES_OK;
    zip_file_t *zf = NULL;
    size_t want = (size_t)st->size, got = 0;
    zip_int64_t r;
    uint8_t extra;

    if (st->size > d->lim.max_entry_size || st->size > d->lim.max_total - *total)
        return es__fail(ES_ERR_LIMIT,
                        "entry %s: %llu bytes uncompressed exceeds the limit (%zu per entry, %zu "
                        "in all): refused as a possible zip bomb",
                        st->name, (unsigned long long)st->size, d->lim.max_entry_size,
                        d->lim.max_total);
    if ((e->data.data = malloc(want ? want : 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if ((zf = zip_fopen_index(za, i, 0)) == NULL) {
        rc = es__fail(ES_ERR_FORMAT, "entry %s: %s", st->name, zip_strerror(za));
        goto end;
    }
    while (got < want && (r = zip_fread(zf, e->data.data + got, want - got)) > 0)
        got += (size_t)r;
    if (got != want || zip_fread(zf, &extra, 1) != 0) {
        rc = es__fail(ES_ERR_FORMAT, "entry %s: stored size %zu does not match its data (%s)",
                      st->name, want, zip_file_strerror(zf));
        goto end;
    }
    e->data.len = want;
    *total += want;
end:
    if (zf != NULL)
        zip_fclose(zf);
    return rc;
}

static es_err add_entry(es_ofd *d, zip_t *za, zip_uint64_t i, size_t *total)
{
    zip_stat_t st;
    es__ofd_entry *e = &d->e[d->ne];
    const char *name;

    if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
        return es__fail(ES_ERR_FORMAT, "zip entry %llu: %s", (unsigned long long)i,
                        zip_strerror(za));
    for (name = st.name; *name == '/'; name++)
        ;
    if (es__ofd_find(d, name) != NULL && strcmp(es__ofd_find(d, name)->name, name) == 0)
        return es__fail(ES_ERR_FORMAT, "entry %s appears twice in the package", name);
    if ((e->name = strdup(name)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    e->zindex = i;
    d->ne++;
    e->is_dir = name[0] == '\0' || name[strlen(name) - 1] == '/';
    if (e->is_dir)
        return ES_OK;
    return read_entry(d, za, i, &st, total, e);
}

es_err es__ofd_read_zip(es_ofd *d, const uint8_t *p, size_t n, int for_writing)
{
    es_err rc;
    size_t total = 0;
    zplace z = {0};
    zip_error_t ze;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    zip_int64_t ne;

    zip_error_init(&ze);
    if ((rc = locate(p, n, &z)) != ES_OK ||
        (rc = es_buf_set(&d->zip, p + z.start, z.end - z.start)) != ES_OK)
        goto end;
    d->before = z.start;
    d->eocd = z.eocd - z.start;
    d->after = n - z.end;
    /* for writing the source owns d->zip (libzip 1.7 frees a buffer it shares with the written
     * package even when it was given with freep 0), kept in d->zsrc to read the output from */
    if ((src = zip_source_buffer_create(d->zip.data, d->zip.len, for_writing, &ze)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if (for_writing) {
        zip_source_keep(src);
        d->zsrc = src;
    }
    if ((za = zip_open_from_source(src, for_writing ? 0 : ZIP_RDONLY, &ze)) == NULL) {
        rc = zip_failed(&ze, "not a readable OFD package");
        goto end;
    }
    src = NULL; /* the archive owns it now */
    if ((ne = zip_get_num_entries(za, 0)) < 0 || (uint64_t)ne > d->lim.max_entries) {
        rc = es__fail(ES_ERR_LIMIT, "the package has %lld entries, more than the limit of %zu",
                      (long long)ne, d->lim.max_entries);
        goto end;
    }
    /* after libzip has read the directory, so what it refuses keeps libzip's message */
    if ((rc = es__ofd_zip_local_check(p, z.start, z.cd_off, z.cd_size, (size_t)ne)) != ES_OK)
        goto end;
    if ((d->e = calloc((size_t)ne + 1, sizeof(*d->e))) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    for (zip_int64_t i = 0; i < ne && rc == ES_OK; i++)
        rc = add_entry(d, za, (zip_uint64_t)i, &total);
    if (rc == ES_OK && for_writing) {
        d->za = za;
        za = NULL;
    }
end:
    if (za != NULL)
        zip_discard(za);
    zip_source_free(src);
    zip_error_fini(&ze);
    return rc;
}

const es__ofd_entry *es__ofd_find(const es_ofd *d, const char *name)
{
    for (size_t i = 0; i < d->ne; i++)
        if (strcmp(d->e[i].name, name) == 0)
            return &d->e[i];
    for (size_t i = 0; i < d->ne; i++)
        if (strcasecmp(d->e[i].name, name) == 0)
            return &d->e[i];
    return NULL;
}

/* Replace or add one entry; libzip copies every entry left alone with its compressed bytes. */
static es_err put_one(const es_ofd *d, zip_t *za, const es__ofd_put *put)
{
    zip_source_t *s = zip_source_buffer(za, put->data, put->len, 0);
    const es__ofd_entry *e = NULL;
    zip_int64_t idx;

    if (s == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->ne; i++)
        if (strcmp(d->e[i].name, put->name) == 0)
            e = &d->e[i];
    if (e != NULL && zip_file_replace(za, e->zindex, s, 0) == 0)
        idx = (zip_int64_t)e->zindex;
    else if (e == NULL)
        idx = zip_file_add(za, put->name, s, ZIP_FL_ENC_UTF_8);
    else
        idx = -1;
    if (idx >= 0) {
        int store = put->store || put->len < ES__OFD_STORE_BELOW;
        zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
        return ES_OK;
    }
    zip_source_free(s);
    return es__fail(ES_ERR_INTERNAL, "cannot write %s: %s", put->name, zip_strerror(za));
}

/* Read the whole written archive back out of its source. */
static es_err source_bytes(zip_source_t *src, es_buf *out)
{
    es_err rc = ES_OK;
    zip_stat_t st;
    zip_int64_t r;

    if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(src) != 0)
        return es__fail(ES_ERR_INTERNAL, "cannot read the written package");
    if ((out->data = malloc(st.size ? (size_t)st.size : 1)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    } else if ((r = zip_source_read(src, out->data, st.size)) < 0 || (zip_uint64_t)r != st.size) {
        rc = es__fail(ES_ERR_INTERNAL, "short read of the written package");
        es_buf_free(out);
    } else {
        out->len = (size_t)st.size;
    }
    zip_source_close(src);
    return rc;
}

/* A writable archive over a copy of d->zip, and its source kept to read the output from. */
static es_err reopen(const es_ofd *d, zip_t **za, zip_source_t **src)
{
    es_err rc = ES_OK;
    zip_error_t ze;
    es_buf copy = {0};

    zip_error_init(&ze);
    if ((rc = es_buf_set(&copy, d->zip.data, d->zip.len)) != ES_OK)
        goto end;
    if ((*src = zip_source_buffer_create(copy.data, copy.len, 1, &ze)) == NULL) {
        free(copy.data);
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    zip_source_keep(*src);
    if ((*za = zip_open_from_source(*src, 0, &ze)) == NULL) {
        zip_source_free(*src); /* the reference the archive would have taken */
        rc = zip_failed(&ze, "cannot reopen the package for writing");
    }
end:
    zip_error_fini(&ze);
    return rc;
}

es_err es__ofd_write_zip(es_ofd *d, const es__ofd_put *puts, size_t nputs, es_time mtime,
                         es_buf *out)
{
    int handled = 0;
    es_err rc = es__ofd_zip_copy(d, puts, nputs, mtime, out, &handled);
    zip_t *za = d->za;
    zip_source_t *src = d->zsrc;

    if (handled)
        return rc;
    d->za = NULL;
    d->zsrc = NULL;
    if (za != NULL)
        d->zip = (es_buf){0}; /* the source owns it, and writing replaces it */
    else
        rc = reopen(d, &za, &src);
    for (size_t i = 0; i < nputs && rc == ES_OK; i++)
        rc = put_one(d, za, &puts[i]);
    if (rc == ES_OK && zip_close(za) != 0)
        rc = es__fail(ES_ERR_INTERNAL, "cannot write the package: %s", zip_strerror(za));
    else if (rc == ES_OK)
        za = NULL; /* zip_close freed it */
    if (rc == ES_OK)
        rc = source_bytes(src, out);
    if (za != NULL)
        zip_discard(za);
    zip_source_free(src);
    return rc;
}
