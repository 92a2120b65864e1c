/* Helpers shared by the unit tests. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/sb.h"

#define PATH_SLOTS 8
static char path_bufs[PATH_SLOTS][4096];
static unsigned path_next;
static char tmpdir_buf[1024];

/* Format a path into the next of a ring of buffers, so a few paths can be alive at once. */
__attribute__((format(printf, 1, 2))) static const char *path_printf(const char *fmt, ...)
{
    char *buf = path_bufs[path_next++ % PATH_SLOTS];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(path_bufs[0]), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(path_bufs[0]))
        fail_msg("path too long");
    return buf;
}

const char *tu_sample(const char *rel)
{
    return path_printf("%s/%s", ESEAL_SAMPLES_DIR, rel);
}

const char *tu_data(const char *rel)
{
    return path_printf("%s/tests/data/%s", ESEAL_SOURCE_DIR, rel);
}

const char *tu_tmpdir(void)
{
    if (tmpdir_buf[0] == '\0') {
        const char *base = getenv("ESEAL_TEST_TMP");
        char tmpl[sizeof(tmpdir_buf)];
        size_t blen;

        if (base == NULL || base[0] == '\0')
            base = "/tmp";
        mkdir(base, 0700);
        blen = strlen(base);
        if (blen + sizeof("/t.XXXXXX") > sizeof(tmpl))
            fail_msg("ESEAL_TEST_TMP is too long");
        memcpy(tmpl, base, blen);
        memcpy(tmpl + blen, "/t.XXXXXX", sizeof("/t.XXXXXX"));
        if (mkdtemp(tmpl) == NULL)
            fail_msg("mkdtemp %s: %s", tmpl, strerror(errno));
        memcpy(tmpdir_buf, tmpl, sizeof(tmpdir_buf));
    }
    return tmpdir_buf;
}

const char *tu_tmp(const char *name)
{
    return path_printf("%s/%s", tu_tmpdir(), name);
}

es_buf tu_read(const char *path)
{
    es_buf b = {0};
    es_err rc = es_file_read(path, 1u << 30, &b);

    if (rc != ES_OK)
        fail_msg("read %s: %s", path, es_errdetail());
    return b;
}

void tu_write(const char *path, const void *p, size_t n)
{
    es_err rc = es_file_write(path, p, n, 0600);

    if (rc != ES_OK)
        fail_msg("write %s: %s", path, es_errdetail());
}

int tu_run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    fflush(stdout);
    st = system(cmd);
    if (st == -1)
        fail_msg("cannot run: %s", cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t tu_unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = 0;

    while (*hex) {
        if (*hex == ' ' || *hex == '\n') {
            hex++;
            continue;
        }
        int hi = hexval(hex[0]), lo = hex[1] ? hexval(hex[1]) : -1;
        if (hi < 0 || lo < 0 || n >= max)
            fail_msg("bad hex or too long at \"%.8s\"", hex);
        out[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    return n;
}

es_buf tu_pdf(const char *const *objs, size_t n)
{
    size_t off[16], xref;
    es__sb b = {.max = 1u << 20};
    es_buf out;

    assert_true(n <= sizeof(off) / sizeof(off[0]));
    es__sb_str(&b, "%PDF-1.7\n");
    for (size_t i = 0; i < n; i++) {
        off[i] = b.len;
        es__sb_printf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
    }
    xref = b.len;
    es__sb_printf(&b, "xref\n0 %zu\n0000000000 65535 f\r\n", n + 1);
    for (size_t i = 0; i < n; i++)
        es__sb_printf(&b, "%010zu 00000 n\r\n", off[i]);
    es__sb_printf(&b, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n + 1,
                  xref);
    assert_int_equal(b.err, ES_OK);
    out.data = (uint8_t *)b.p;
    out.len = b.len;
    return out;
}
