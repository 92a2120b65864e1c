/* Helpers shared by the unit tests. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char path_buf[4096];
static char tmpdir_buf[4096];

const char *tu_sample(const char *rel)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", ESEAL_SAMPLES_DIR, rel);
    return path_buf;
}

const char *tu_data(const char *rel)
{
    snprintf(path_buf, sizeof(path_buf), "%s/tests/data/%s", ESEAL_SOURCE_DIR, rel);
    return path_buf;
}

const char *tu_tmpdir(void)
{
    if (tmpdir_buf[0] == '\0') {
        const char *base = getenv("ESEAL_TEST_TMP");
        char tmpl[4096];

        if (base == NULL || base[0] == '\0')
            base = "/tmp";
        mkdir(base, 0700);
        snprintf(tmpl, sizeof(tmpl), "%s/t.XXXXXX", base);
        if (mkdtemp(tmpl) == NULL)
            fail_msg("mkdtemp %s: %s", tmpl, strerror(errno));
        snprintf(tmpdir_buf, sizeof(tmpdir_buf), "%s", tmpl);
    }
    return tmpdir_buf;
}

const char *tu_tmp(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", tu_tmpdir(), name);
    return path_buf;
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
