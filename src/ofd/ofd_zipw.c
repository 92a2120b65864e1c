/*
 * Writing a signed OFD package without libzip: every unchanged entry's local and central records
 * copied byte for byte, the new entries appended.
 *
 * Why not libzip, which reads every package: libzip 1.7 writes each central record anew (for an
 * ASCII name it clears the UTF-8 flag that the copied local header keeps, so `unzip -t` warned on
 * every unchanged entry of every signed OFD), recomputes the CRC of every stored entry (the seal,
 * twice per signature) and passes the archive through its buffers twice. Packages this writer
 * does not take (zip64, several disks, records out of bounds or overlapping) still go through
 * libzip. fuzz/fuzz_ofd_write.c checks that what it writes reopens with every entry and CRC.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

#define EOCD_LEN  ES__ZIP_EOCD_LEN
#define CDIR_LEN  46u
#define LOCAL_LEN 30u
#define MAX32     ES__ZIP_MAX32

/* One central directory record of the input, and the local record it points to. */
typedef struct zrec {
    size_t cd_off, cd_len;   /* the central record in d->zip */
    size_t loc_off, loc_len; /* local header, data and data descriptor */
    const es__ofd_put *put;  /* replaces this entry, or NULL */
    size_t new_off;          /* the local record's offset in the output */
} zrec;

/* A put as it will be written: compressed or not, and its CRC. */
typedef struct zput {
    const es__ofd_put *put;
    const uint8_t *name;
    size_t nlen;
    uint16_t flags, method;
    uint32_t crc;
    size_t clen;  /* bytes of data written */
    size_t off;   /* its local record's offset in the output */
    int replaces; /* an input entry of the same name */
} zput;

typedef struct zw {
    const es_ofd *d;
    zrec *r;
    size_t nr;
    size_t cd_off, cd_size, eocd;
    zput *p;
    size_t np;
    uint16_t dos_time, dos_date;
    uint8_t *o; /* the output, and how much of it is written */
    size_t n, cap;
} zw;

/* The end record es__ofd_read_zip found, the package's only one (it refuses others, where
 * readers would disagree): a plain (not zip64) archive whose central directory ends where the
 * record starts. 0 when the package is anything else. */
static int read_eocd(zw *w)
{
    const uint8_t *z = w->d->zip.data;
    size_t n = w->d->zip.len, pos = w->d->eocd;

    if (n < EOCD_LEN || pos > n - EOCD_LEN || memcmp(z + pos, "PK\5\6", 4) != 0 ||
        pos + EOCD_LEN + es__le16(z + pos + 20) != n || es__le32(z + pos + 4) != 0 ||
        es__le16(z + pos + 8) != es__le16(z + pos + 10))
        return 0;
    w->eocd = pos;
    w->cd_size = es__le32(z + pos + 12);
    w->cd_off = es__le32(z + pos + 16);
    return es__le16(z + pos + 10) == w->d->ne && w->cd_size != MAX32 && w->cd_off != MAX32 &&
           (uint64_t)w->cd_off + w->cd_size == pos;
}

/* Central record k at *at and the span of its local record; 0 when anything is off. */
static int read_record(zw *w, size_t k, size_t *at)
{
    const uint8_t *z = w->d->zip.data, *c = z + *at, *l;
    size_t end = w->cd_off + w->cd_size, data, loc;
    uint32_t csize;
    zrec *r = &w->r[k];

    if (end - *at < CDIR_LEN || es__le32(c) != 0x02014b50u)
        return 0;
    r->cd_off = *at;
    r->cd_len = CDIR_LEN + (size_t)es__le16(c + 28) + es__le16(c + 30) + es__le16(c + 32);
    csize = es__le32(c + 20);
    loc = es__le32(c + 42);
    if (r->cd_len > end - *at || csize == MAX32 || es__le32(c + 24) == MAX32 || loc == MAX32 ||
        es__le16(c + 34) != 0 || loc > w->cd_off || w->cd_off - loc < LOCAL_LEN)
        return 0;
    l = z + loc;
    data = loc + LOCAL_LEN + es__le16(l + 26) + es__le16(l + 28);
    if (es__le32(l) != 0x04034b50u || data > w->cd_off || w->cd_off - data < csize)
        return 0;
    data += csize;
    if (es__le16(c + 8) & 8) { /* a data descriptor follows, with or without its signature */
        size_t dd = w->cd_off - data >= 4 && es__le32(z + data) == 0x08074b50u ? 16 : 12;
        if (w->cd_off - data < dd)
            return 0;
        data += dd;
    }
    r->loc_off = loc;
    r->loc_len = data - loc;
    *at += r->cd_len;
    return 1;
}

/* The input's records, each matched with the put that replaces it; 0 when they cannot be copied
 * as they are (zip64, several disks, records out of bounds or overlapping). */
static int read_records(zw *w)
{
    size_t at, copied = 0;

    if (!read_eocd(w) || (w->r = calloc(w->d->ne + 1, sizeof(*w->r))) == NULL)
        return 0;
    at = w->cd_off;
    for (size_t k = 0; k < w->d->ne; k++) {
        if (!read_record(w, k, &at))
            return 0;
        copied += w->r[k].loc_len;
    }
    w->nr = w->d->ne;
    return at == w->cd_off + w->cd_size && copied <= w->cd_off;
}

static int ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Match each put with the entry it replaces (by its name without a leading '/', as es_ofd has
 * it), keeping that entry's name bytes and UTF-8 flag; a new entry is named put->name. */
static es_err match_puts(zw *w, const es__ofd_put *puts, size_t nputs)
{
    if ((w->p = calloc(nputs + 1, sizeof(*w->p))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nputs; i++) {
        zput *p = &w->p[w->np++];
        p->put = &puts[i];
        p->name = (const uint8_t *)puts[i].name;
        p->nlen = strlen(puts[i].name);
        p->flags = ascii(puts[i].name) ? 0 : 0x800;
        for (size_t k = 0; k < w->d->ne; k++) {
            const uint8_t *c = w->d->zip.data + w->r[w->d->e[k].zindex].cd_off;
            if (strcmp(w->d->e[k].name, puts[i].name) != 0)
                continue;
            w->r[w->d->e[k].zindex].put = &puts[i];
            p->name = c + CDIR_LEN;
            p->nlen = es__le16(c + 28);
            p->flags = es__le16(c + 8) & 0x800;
            p->replaces = 1;
        }
    }
    return ES_OK;
}

/* CRC-32 of a put, without reading again the span whose CRC it carries. */
static uint32_t put_crc(const es__ofd_put *p)
{
    size_t a = p->span_off, b = p->span_off + p->span_len;
    uLong crc;

    if (p->span_len == 0)
        return (uint32_t)crc32_z(0, p->data, p->len);
    crc = crc32_z(0, p->data, a);
    crc = crc32_combine(crc, p->span_crc, (z_off_t)p->span_len);
    return (uint32_t)crc32_combine(crc, crc32_z(0, p->data + b, p->len - b), (z_off_t)(p->len - b));
}

/* Raw deflate of p into w->o at w->n; 0 when it is not smaller than the data (stored then). */
static int deflate_into(zw *w, zput *p)
{
    z_stream zs;
    int ok;

    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    zs.next_in = (Bytef *)(uintptr_t)p->put->data;
    zs.avail_in = (uInt)p->put->len;
    zs.next_out = w->o + w->n;
    zs.avail_out = (uInt)(w->cap - w->n);
    ok = deflate(&zs, Z_FINISH) == Z_STREAM_END && zs.total_out < p->put->len;
    p->clen = (size_t)zs.total_out;
    deflateEnd(&zs);
    return ok;
}

/* The local record of a put: header, then the data, deflated or stored. */
static void write_local(zw *w, zput *p)
{
    uint8_t *h = w->o + w->n;
    const es__ofd_put *put = p->put;

    p->off = w->n;
    p->crc = put_crc(put);
    w->n += LOCAL_LEN + p->nlen;
    p->method = 0;
    if (!put->store && put->len >= ES__OFD_STORE_BELOW && deflate_into(w, p)) {
        p->method = 8;
    } else {
        p->clen = put->len;
        if (put->len > 0)
            memcpy(w->o + w->n, put->data, put->len);
    }
    w->n += p->clen;
    es__put_le32(h, 0x04034b50u);
    es__put_le16(h + 4, p->method ? 20 : 10);
    es__put_le16(h + 6, p->flags);
    es__put_le16(h + 8, p->method);
    es__put_le16(h + 10, w->dos_time);
    es__put_le16(h + 12, w->dos_date);
    es__put_le32(h + 14, p->crc);
    es__put_le32(h + 18, (uint32_t)p->clen);
    es__put_le32(h + 22, (uint32_t)put->len);
    es__put_le16(h + 26, (uint32_t)p->nlen);
    es__put_le16(h + 28, 0);
    memcpy(h + LOCAL_LEN, p->name, p->nlen);
}

/* The central record of a put, made on Unix (3), version 2.0, mode 0644. */
static void write_central(zw *w, const zput *p)
{
    uint8_t *c = w->o + w->n;

    es__put_le32(c, 0x02014b50u);
    es__put_le16(c + 4, 0x0314);
    memcpy(c + 6, w->o + p->off + 4, 26); /* needed .. extra length: as in the local header */
    memset(c + 32, 0, 6);                 /* comment length, disk, internal attributes */
    es__put_le32(c + 38, 0100644u << 16);
    es__put_le32(c + 42, (uint32_t)p->off);
    memcpy(c + CDIR_LEN, p->name, p->nlen);
    w->n += CDIR_LEN + p->nlen;
}

/* MS-DOS time and date of t, local time as zip tools show it; 1980-01-01 for earlier times. */
static void dos_time(zw *w, es_time t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL || tm.tm_year < 80) {
        w->dos_time = 0;
        w->dos_date = 1 << 5 | 1;
        return;
    }
    w->dos_time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    w->dos_date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

/* An upper bound of the output's size; 0 when it could need zip64 (left to libzip). */
static size_t capacity(const zw *w)
{
    const es_buf *z = &w->d->zip;
    uint64_t cap = z->len; /* local records copied (at most cd_off bytes), directory, end */

    for (size_t i = 0; i < w->np; i++) {
        size_t len = w->p[i].put->len;
        if (w->p[i].nlen > 0xffff || len >= MAX32)
            return 0;
        cap += 2 * (uint64_t)w->p[i].nlen + LOCAL_LEN + CDIR_LEN + compressBound((uLong)len);
    }
    return cap < MAX32 && w->nr + w->np < 0xffff ? (size_t)cap : 0;
}

/* Local records in the input's order (the replaced ones rewritten), then the new entries. */
static void write_records(zw *w)
{
    const uint8_t *z = w->d->zip.data;

    for (size_t k = 0; k < w->nr; k++) {
        zrec *r = &w->r[k];
        r->new_off = w->n;
        for (size_t i = 0; r->put != NULL && i < w->np; i++)
            if (w->p[i].put == r->put)
                write_local(w, &w->p[i]);
        if (r->put == NULL) {
            memcpy(w->o + w->n, z + r->loc_off, r->loc_len);
            w->n += r->loc_len;
        }
    }
    for (size_t i = 0; i < w->np; i++)
        if (!w->p[i].replaces)
            write_local(w, &w->p[i]);
}

/* The central directory in the same order, then the end record with the input's comment. */
static void write_directory(zw *w)
{
    const uint8_t *z = w->d->zip.data;
    size_t start = w->n, count = 0;

    for (size_t k = 0; k < w->nr; k++, count++) {
        const zrec *r = &w->r[k];
        for (size_t i = 0; r->put != NULL && i < w->np; i++)
            if (w->p[i].put == r->put)
                write_central(w, &w->p[i]);
        if (r->put == NULL) {
            memcpy(w->o + w->n, z + r->cd_off, r->cd_len);
            es__put_le32(w->o + w->n + 42, (uint32_t)r->new_off);
            w->n += r->cd_len;
        }
    }
    for (size_t i = 0; i < w->np; i++)
        if (!w->p[i].replaces) {
            write_central(w, &w->p[i]);
            count++;
        }
    memcpy(w->o + w->n, z + w->eocd, w->d->zip.len - w->eocd);
    es__put_le16(w->o + w->n + 8, (uint32_t)count);
    es__put_le16(w->o + w->n + 10, (uint32_t)count);
    es__put_le32(w->o + w->n + 12, (uint32_t)(w->n - start));
    es__put_le32(w->o + w->n + 16, (uint32_t)start);
    w->n += w->d->zip.len - w->eocd;
}

es_err es__ofd_zip_copy(const es_ofd *d, const es__ofd_put *puts, size_t nputs, es_time mtime,
                        es_buf *out, int *handled)
{
    es_err rc = ES_OK;
    zw w;

    memset(&w, 0, sizeof(w));
    w.d = d;
    *handled = 0;
    if (d->zip.data == NULL || !read_records(&w))
        goto end;
    if ((rc = match_puts(&w, puts, nputs)) != ES_OK || (w.cap = capacity(&w)) == 0)
        goto end;
    *handled = 1;
    if ((w.o = malloc(w.cap)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a package of %zu bytes", w.cap);
        goto end;
    }
    dos_time(&w, mtime);
    write_records(&w);
    write_directory(&w);
    out->data = w.o;
    out->len = w.n;
    w.o = NULL;
end:
    *handled = *handled || rc != ES_OK;
    free(w.o);
    free(w.r);
    free(w.p);
    return rc;
}
