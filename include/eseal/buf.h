/* Owned byte buffers and bounded file I/O. */
#ifndef ESEAL_BUF_H
#define ESEAL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A heap buffer owned by whoever holds it. Functions that fill an es_buf overwrite it (the
 * caller frees any previous contents first). Zero-initialise before first use: es_buf b = {0}.
 */
typedef struct es_buf {
    uint8_t *data;
    size_t len;
} es_buf;

/* Wipe and free the contents, leave b empty. Safe on an empty buffer and on NULL. */
void es_buf_free(es_buf *b);

/*
 * Free the contents without wiping them, leave b empty: for public bytes only (documents,
 * signatures, XML), hundreds of KB where a wipe costs as much as producing them.
 */
void es_buf_free_public(es_buf *b);

/* Copy n bytes from p into a new buffer. */
es_err es_buf_set(es_buf *b, const void *p, size_t n);

/* Wipe n bytes of secret memory in a way the compiler does not optimise away. */
void es_cleanse(void *p, size_t n);

/* Free memory that an eseal function returned as char * or void * (es_free(NULL) is a no-op). */
void es_free(void *p);

/*
 * Read a whole file, refusing files larger than max bytes (ES_ERR_LIMIT). "-" is not special.
 * ES_ERR_IO with the path and strerror in the detail when it cannot be read.
 */
es_err es_file_read(const char *path, size_t max, es_buf *out);

/*
 * Write a file atomically: write "<path>.tmp.<pid>", fsync, rename over path. mode is the
 * permission of a new file (0600 for secrets, 0644 otherwise). Nothing is left behind on error.
 */
es_err es_file_write(const char *path, const void *p, size_t n, unsigned mode);

#ifdef __cplusplus
}
#endif
#endif
