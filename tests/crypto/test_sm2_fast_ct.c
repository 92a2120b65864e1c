/*
 * Constant-time evidence for fast SM2 signing, ctgrind-style: the test reruns itself under
 * valgrind memcheck with the private key and nonce marked undefined; memcheck then reports every
 * branch, memory index or cmov that depends on them. No report may come from src/crypto/sm2.
 * A canary run (variable-time verification fed undefined data) proves the check can fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <valgrind/memcheck.h>

#include "crypto/sm2/sm2_local.h"
#include "testutil.h"

#define SIGNS 8

/* Mode --ct: sign with secret d (via dinv) and k; the output r, s is declassified inside. */
static int run_ct(void)
{
    es_key *k = NULL;
    uint8_t e[32], kb[32], raw[64];
    es__fn kk, dinv;
    es_buf sig = {0};

    if (es_key_generate_sm2(&k) != ES_OK || k->sm2 == NULL)
        return 2;
    es__sm2_table();
    memcpy(dinv, k->sm2->dinv, sizeof(dinv));
    for (int i = 0; i < SIGNS; i++) {
        memset(e, i, sizeof(e));
        memset(kb, 0x11 * (i + 1), sizeof(kb));
        kb[0] = 0x7F;
        es__fn_from_bytes(kk, kb);
        VALGRIND_MAKE_MEM_UNDEFINED(kk, sizeof(kk));
        VALGRIND_MAKE_MEM_UNDEFINED(dinv, sizeof(dinv));
        es__sm2_sign_k(raw, dinv, e, kk);
    }
    /* The whole path too: d, (1 + d)^-1 secret, nonce derived inside. */
    VALGRIND_MAKE_MEM_UNDEFINED(k->sm2->d, sizeof(k->sm2->d));
    VALGRIND_MAKE_MEM_UNDEFINED(k->sm2->dinv, sizeof(k->sm2->dinv));
    for (int i = 0; i < SIGNS; i++) {
        if (es_sm2_sign(k, NULL, 0, "ct", 2, &sig) != ES_OK)
            return 2;
        es_buf_free(&sig);
    }
    VALGRIND_MAKE_MEM_DEFINED(k->sm2, sizeof(*k->sm2));
    es_key_free(k);
    return 0;
}

/* Mode --canary: verification is variable time on purpose; with secret inputs it must show. */
static int run_canary(void)
{
    uint8_t e[32] = {1}, raw[64];

    memset(raw, 0x42, sizeof(raw));
    VALGRIND_MAKE_MEM_UNDEFINED(raw, sizeof(raw));
    (void)es__sm2_verify_e(&es__sm2_g, e, raw);
    return 0;
}

/* Errors whose stack passes through src/crypto/sm2 in a valgrind log. */
static int sm2_errors(const char *log, int *total)
{
    FILE *f = fopen(log, "r");
    char line[1024];
    int in_err = 0, counted = 0, n = 0;

    *total = 0;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, "depends on uninitialised") || strstr(line, "Use of uninitialised")) {
            in_err = 1;
            counted = 0;
            (*total)++;
            continue;
        }
        if (in_err && strstr(line, "crypto/sm2/") != NULL && !counted) {
            n++;
            counted = 1;
            fputs(line, stderr);
        }
        if (in_err && strchr(line, ':') == NULL) /* "==pid== " blank line ends a record */
            in_err = 0;
    }
    fclose(f);
    return n;
}

static int under_valgrind(const char *mode, const char *log)
{
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

    assert_true(len > 0);
    self[len] = '\0';
    return tu_run("valgrind --tool=memcheck --error-limit=no --fullpath-after= "
                  "--log-file=%s %s %s",
                  log, self, mode);
}

static void require_valgrind(void)
{
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan and valgrind do not mix */
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
    skip();
#endif
#endif
    if (system("valgrind --version > /dev/null 2>&1") != 0)
        skip();
}

static void test_sign_is_constant_time(void **state)
{
    const char *log = tu_tmp("ct.log");
    char path[4096];
    int total, n;

    require_valgrind();
    snprintf(path, sizeof(path), "%s", log);
    assert_int_equal(under_valgrind("--ct", path), 0);
    n = sm2_errors(path, &total);
    printf("ct: %d secret-dependent reports in src/crypto/sm2 (%d in all)\n", n, total);
    assert_int_equal(n, 0);
}

static void test_canary_is_caught(void **state)
{
    const char *log = tu_tmp("canary.log");
    char path[4096];
    int total, n;

    require_valgrind();
    snprintf(path, sizeof(path), "%s", log);
    assert_int_equal(under_valgrind("--canary", path), 0);
    n = sm2_errors(path, &total);
    printf("canary: %d reports in src/crypto/sm2\n", n);
    assert_true(n > 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_is_constant_time),
        cmocka_unit_test(test_canary_is_caught),
    };

    if (argc > 1 && strcmp(argv[1], "--ct") == 0)
        return run_ct();
    if (argc > 1 && strcmp(argv[1], "--canary") == 0)
        return run_canary();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
