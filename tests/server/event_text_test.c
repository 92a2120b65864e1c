/*
 * The signing events' detail text (server/event_text.c) against what jansson wrote before for
 * the same values: json_dumps(json_pack(...), JSON_COMPACT), "{}" when that failed or did not fit
 * in st_event.data. Ordinary values, hostile ones (quotes, backslashes, controls, non-ASCII and
 * invalid UTF-8, NULL), every length around the buffer's end, and random strings.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "event_text.h"
#include "store/store.h"

#define CAP   sizeof(((st_event *)0)->data)
#define GUARD 16

/* What the server stored before: the rule of the old svc_event_fill. */
static void jansson_text(json_t *j, char *out)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

    snprintf(out, CAP, "%s", text && strlen(text) < CAP ? text : "{}");
    free(text);
    json_decref(j);
}

typedef struct vals {
    int64_t doc, seal;
    const char *s[5]; /* seal_code, serial, sm3_before, sm3, ip */
} vals;

typedef struct tally {
    size_t n, empty, long_whole; /* compared, "{}", whole objects of 1000+ bytes */
} tally;

static void same(const char *kind, const char *want, char *got, int whole, tally *t)
{
    for (size_t i = CAP; i < CAP + GUARD; i++)
        if (got[i] != '#')
            fail_msg("%s: byte %zu written past the buffer", kind, i);
    if (strcmp(want, got) != 0)
        fail_msg("%s:\n jansson %s\n written %s", kind, want, got);
    if (whole != (strcmp(want, "{}") != 0))
        fail_msg("%s: returned %d for %s", kind, whole, got);
    t->n++;
    t->empty += !whole;
    t->long_whole += whole && strlen(got) >= 1000;
    memset(got, '#', CAP + GUARD);
}

/* Every event kind both ways. */
static void check(const vals *v, tally *t)
{
    char want[CAP], got[CAP + GUARD];
    json_int_t doc = (json_int_t)v->doc, seal = (json_int_t)v->seal;
    const char *const *s = v->s;
    int w;

    memset(got, '#', sizeof(got));
    jansson_text(json_pack("{s:I, s:s}", "document_id", doc, "ip", s[4]), want);
    w = event_signing_started(got, CAP, v->doc, s[4]);
    same("signing_started", want, got, w, t);
    jansson_text(json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "document_id", doc, "seal_id",
                           seal, "seal_code", s[0], "serial", s[1], "sm3_before", s[2], "sm3", s[3],
                           "ip", s[4]),
                 want);
    w = event_document_signed(got, CAP, v->doc, v->seal, s[0], s[1], s[2], s[3], s[4]);
    same("document_signed", want, got, w, t);
    jansson_text(json_pack("{s:I, s:s}", "document_id", doc, "sm3", s[3]), want);
    w = event_document_completed(got, CAP, v->doc, s[3]);
    same("document_completed", want, got, w, t);
    jansson_text(json_pack("{s:I, s:s, s:s, s:s}", "seal_id", seal, "seal_code", s[0], "sm3", s[3],
                           "ip", s[4]),
                 want);
    w = event_data_signed(got, CAP, v->seal, s[0], s[3], s[4]);
    same("data_signed", want, got, w, t);
}

static const vals ORDINARY = {42,
                              7,
                              {"110101000000123", "3a7f09c2e4",
                               "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
                               "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
                               "192.0.2.10"}};

/* Each hostile value in each string slot in turn. */
static void check_each_slot(const char *h, tally *t)
{
    for (int slot = 0; slot < 5; slot++) {
        vals v = ORDINARY;

        v.s[slot] = h;
        check(&v, t);
    }
}

static void test_ordinary(void **state)
{
    static const int64_t ids[] = {0, 1, -1, 9, 10, 1234567890123, INT64_MAX, INT64_MIN};
    tally t = {0};
    vals v = ORDINARY;

    (void)state;
    check(&v, &t);
    v.s[4] = "2001:db8::1";
    check(&v, &t);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        v.doc = ids[i];
        v.seal = ids[(i + 3) % (sizeof(ids) / sizeof(ids[0]))];
        check(&v, &t);
    }
    assert_int_equal(t.empty, 0);
}

static void test_hostile(void **state)
{
    static const char *const hostile[] = {
        "", "a\"b", "a\\b", "\\\"\\", "\"", "/", "</script>", "\x7f", "中文印章",
        "\xf0\x9f\x94\x8f", "\xe2\x80\xa8", "\xc2\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
        "é\"\n\\ü",
        /* not UTF-8: jansson refused the whole object */
        "\x80", "a\xbf", "\xc0\x80", "\xc1\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xe4\xb8", "a\xe4\xb8", "\xe0\x80\x80", "\xe0\x9f\xbf",
        "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xff", "\xe4\x41\x80", NULL};
    tally t = {0};
    char one[3];

    (void)state;
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
        check_each_slot(hostile[i], &t);
    for (int c = 1; c < 0x20; c++) { /* every control, alone and between letters */
        snprintf(one, sizeof(one), "%c", c);
        check_each_slot(one, &t);
        snprintf(one, sizeof(one), "%cz", c);
        check_each_slot(one, &t);
    }
    /* The 17 invalid ones and NULL, each "{}" in every event it reaches: seal_code 2, serial 1,
     * sm3_before 1, sm3 3, ip 3; the escaped ones never. */
    assert_int_equal(t.empty, 17 * 10);
}

/* Values of every length across the end of st_event.data: plain, escaped 2 and 6 for 1. */
static void test_lengths(void **state)
{
    static const char fill[] = {'x', '"', '\x01', '\xe4'};
    char *s = malloc(CAP + 8);
    tally t = {0};

    (void)state;
    assert_non_null(s);
    for (size_t f = 0; f < sizeof(fill); f++)
        for (size_t len = 0; len <= CAP + 4; len++) {
            size_t n = fill[f] == '\xe4' ? len / 3 * 3 : len; /* 中 is e4 b8 ad */

            for (size_t i = 0; i < n; i++)
                s[i] = fill[f] == '\xe4' ? "\xe4\xb8\xad"[i % 3] : fill[f];
            s[n] = '\0';
            check_each_slot(s, &t);
        }
    free(s);
    assert_true(t.empty > 0);      /* the rule was reached */
    assert_true(t.long_whole > 0); /* and objects just short of it were kept whole */
}

/* Random strings from a palette that reaches every branch of the escaper and the UTF-8 check. */
static void test_random(void **state)
{
    static const char *const bits[] = {"a",        "Z",
                                       "0",        " ",
                                       "\"",       "\\",
                                       "/",        "\n",
                                       "\b",       "\x1f",
                                       "\x7f",     "é",
                                       "中",       "\xf0\x9f\x94\x8f",
                                       "\x80",     "\xc3",
                                       "\xe4\xb8", "\xed\xa0\x80",
                                       "\xf8",     "\xc0\xaf"};
    char s[200];
    tally t = {0};

    (void)state;
    srand(38540);
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, parts = (size_t)rand() % 24;

        for (size_t i = 0; i < parts; i++) {
            const char *b = bits[(size_t)rand() % (sizeof(bits) / sizeof(bits[0]))];

            memcpy(s + len, b, strlen(b));
            len += strlen(b);
        }
        s[len] = '\0';
        check_each_slot(s, &t);
    }
    assert_true(t.empty > 0 && t.empty < t.n);
}

/* A batch's document result (server/h_batch.c) is written with the builder too. */
static void test_result(void **state)
{
    static const char *const status[] = {"open", "completed", "", "\"\x01", "\xc3"};
    char want[CAP], got[CAP];
    jtext t;

    (void)state;
    for (size_t i = 0; i < sizeof(status) / sizeof(status[0]); i++) {
        jansson_text(json_pack("{s:I, s:s, s:s}", "document_id", (json_int_t)i, "sm3",
                               ORDINARY.s[3], "status", status[i]),
                     want);
        jtext_begin(&t, got, CAP);
        jtext_int(&t, "document_id", (int64_t)i);
        jtext_str(&t, "sm3", ORDINARY.s[3]);
        jtext_str(&t, "status", status[i]);
        assert_int_equal(jtext_end(&t), i + 1 < sizeof(status) / sizeof(status[0]));
        assert_string_equal(got, want);
    }
}

/* The builder itself: the NUL counts, nothing past cap, a spoilt object stays "{}". */
static void test_builder(void **state)
{
    char buf[16];
    jtext t;

    (void)state;
    jtext_begin(&t, buf, 3);
    assert_int_equal(jtext_end(&t), 1);
    assert_string_equal(buf, "{}");
    jtext_begin(&t, buf, 8);
    jtext_int(&t, "a", 1);
    assert_int_equal(jtext_end(&t), 1);
    assert_string_equal(buf, "{\"a\":1}");
    memset(buf, '#', sizeof(buf));
    jtext_begin(&t, buf, 7); /* {"a":1} and its NUL need 8 */
    jtext_int(&t, "a", 1);
    assert_int_equal(jtext_end(&t), 0);
    assert_string_equal(buf, "{}");
    assert_int_equal(buf[7], '#');
    jtext_begin(&t, buf, sizeof(buf));
    jtext_str(&t, "a", NULL);
    jtext_str(&t, "b", "c");
    assert_int_equal(jtext_end(&t), 0);
    assert_string_equal(buf, "{}");
    jtext_begin(&t, buf, sizeof(buf));
    jtext_str(&t, "\xff", "c"); /* a key is checked as a value is */
    assert_int_equal(jtext_end(&t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary), cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_lengths),  cmocka_unit_test(test_random),
        cmocka_unit_test(test_result),   cmocka_unit_test(test_builder),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
