/* Helpers shared by the unit tests: sample paths, temp dirs, running external commands. */
#ifndef ESEAL_TESTUTIL_H
#define ESEAL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eseal/eseal.h"

/* Assert that an eseal call returns ES_OK, printing es_errdetail() when it does not. */
#define assert_es_ok(call)                                                                         \
    do {                                                                                           \
        es_err rc_ = (call);                                                                       \
        if (rc_ != ES_OK)                                                                          \
            fail_msg("%s -> %s: %s", #call, es_strerror(rc_), es_errdetail());                     \
    } while (0)

/* Assert that an eseal call returns exactly the error e. */
#define assert_es_err(call, e)                                                                     \
    do {                                                                                           \
        es_err rc_ = (call);                                                                       \
        if (rc_ != (e))                                                                            \
            fail_msg("%s -> %s (%s), expected %s", #call, es_strerror(rc_), es_errdetail(),        \
                     es_strerror(e));                                                              \
    } while (0)

/* Path of a file in ../shared/samples. The path functions return one of 8 static buffers in
 * turn: a path stays valid for the next 7 calls. */
const char *tu_sample(const char *rel);

/* Path of a file in tests/data. */
const char *tu_data(const char *rel);

/* A fresh empty directory for this test process; tu_tmp("x") is a path inside it. */
const char *tu_tmpdir(void);
const char *tu_tmp(const char *name);

/* Read a file (fails the test if it cannot be read). */
es_buf tu_read(const char *path);

/* Write a file (fails the test if it cannot be written). */
void tu_write(const char *path, const void *p, size_t n);

/* Run a shell command (printf-style); returns its exit status, output goes to the test log. */
int tu_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A PDF of the objects 1..n given as text, objs[0] the catalog, with a classic xref table. */
es_buf tu_pdf(const char *const *objs, size_t n);

/* Hex string to bytes (fails the test on bad hex); returns the byte count. */
size_t tu_unhex(const char *hex, uint8_t *out, size_t max);

#endif
