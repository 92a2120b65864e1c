/* Owned byte buffers, wiping, and atomic bounded file I/O. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eseal_local.h"

void es_cleanse(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}

void es_free(void *p)
{
    free(p);
}

void es_buf_free_public(es_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

void es_buf_free(es_buf *b)
{
    if (b == NULL)
        return;
    es_cleanse(b->data, b->len);
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

es_err es_buf_set(es_buf *b, const void *p, size_t n)
{
    uint8_t *d = malloc(n > 0 ? n : 1);

    if (d == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes", n);
    if (n > 0)
        memcpy(d, p, n);
    b->data = d;
    b->len = n;
    return ES_OK;
}

es_err es_file_read(const char *path, size_t max, es_buf *out)
{
    es_err rc = ES_OK;
    FILE *f = NULL;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;

    out->data = NULL;
    out->len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = es__fail(ES_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        goto end;
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nd;

            if (cap > max) {
                rc = es__fail(ES_ERR_LIMIT, "%s is larger than the limit of %zu bytes", path, max);
                goto end;
            }
            nd = realloc(data, ncap);
            if (nd == NULL) {
                rc = es__fail(ES_ERR_NOMEM, "cannot allocate %zu bytes to read %s", ncap, path);
                goto end;
            }
            data = nd;
            cap = ncap;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = es__fail(ES_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto end;
    }
    if (len > max) {
        rc = es__fail(ES_ERR_LIMIT, "%s is larger than the limit of %zu bytes", path, max);
        goto end;
    }
    out->data = data;
    out->len = len;
    data = NULL;
end:
    if (f != NULL)
        fclose(f);
    if (data != NULL) {
        es_cleanse(data, len);
        free(data);
    }
    return rc;
}

es_err es_file_write(const char *path, const void *p, size_t n, unsigned mode)
{
    es_err rc = ES_OK;
    char tmp[4096];
    int fd = -1;
    const uint8_t *cur = p;
    size_t left = n;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return es__fail(ES_ERR_ARG, "path too long: %s", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return es__fail(ES_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    while (left > 0) {
        ssize_t w = write(fd, cur, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = es__fail(ES_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
            goto end;
        }
        cur += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = es__fail(ES_ERR_IO, "cannot sync %s: %s", tmp, strerror(errno));
        goto end;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = es__fail(ES_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
        goto end;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = es__fail(ES_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto end;
    }
end:
    if (fd >= 0)
        close(fd);
    if (rc != ES_OK)
        unlink(tmp);
    return rc;
}
