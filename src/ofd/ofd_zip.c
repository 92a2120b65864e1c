/* The OFD package as a zip: locating it among extra bytes, bounded reading, writing a new one. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zip.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

#define EOCD_LEN 22u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Find [start, end) of the zip in p. The last end-of-central-directory record whose comment
 * reaches exactly to its end (or, with bytes after the zip, the last one at all) gives the
 * central directory's size and offset, and with them how many bytes precede the zip: libzip
 * reads offsets from the start of its input, so the input is cut to the zip itself.
 */
static es_err locate(const uint8_t *p, size_t n, size_t *start, size_t *end)
{
    size_t pos = 0, found = 0;
    uint32_t cd_size, cd_off;

    if (n < EOCD_LEN)
        return es__fail(ES_ERR_FORMAT, "not an OFD package: %zu bytes, too short for a zip", n);
    for (size_t i = n - EOCD_LEN + 1; i-- > 0;) {
        if (memcmp(p + i, "PK\5\6", 4) != 0)
            continue;
        if (!found) {
            pos = i;
            found = 1;
        }
        if (i + EOCD_LEN + le16(p + i + 20) == n) {
            pos = i;
            break;
        }
    }
    if (!found)
        return es__fail(ES_ERR_FORMAT, "not an OFD package: no zip end-of-central-directory");
    cd_size = le32(p + pos + 12);
    cd_off = le32(p + pos + 16);
    *end = pos + EOCD_LEN + le16(p + pos + 20);
    if (*end > n)
        *end = n;
    if (cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
        *start = 0; /* zip64: offsets live elsewhere; give libzip everything before the end */
        return ES_OK;
    }
    if ((uint64_t)cd_size + cd_off > pos)
        return es__fail(ES_ERR_FORMAT,
                        "zip central directory (%u bytes at %u) does not fit "
                        "before its end record at %zu",
                        cd_size, cd_off, pos);
    *start = pos - cd_size - cd_off;
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
    size_t start = 0, end = 0, total = 0;
    zip_error_t ze;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    zip_int64_t ne;

    zip_error_init(&ze);
    if ((rc = locate(p, n, &start, &end)) != ES_OK ||
        (rc = es_buf_set(&d->zip, p + start, end - start)) != ES_OK)
        goto end;
    d->before = start;
    d->after = n - end;
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
