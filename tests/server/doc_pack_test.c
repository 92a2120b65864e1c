/*
 * Stored-document packing (server/doc_pack.c): the platform's seals, raw and as hex, factored
 * out of a document and put back byte for byte; near misses left alone; damaged packed forms
 * refused with an error, never unpacked into something else.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "doc_pack.h"
#include "eseal/crypto.h"

#define SEAL_LEN 2000

static uint8_t seal_a[SEAL_LEN], seal_b[SEAL_LEN + 1];
static doc_seal seals[2];

static int setup(void **state)
{
    (void)state;
    assert_es_ok(es_random(seal_a, sizeof(seal_a)));
    assert_es_ok(es_random(seal_b, sizeof(seal_b)));
    seals[0] = (doc_seal){7, seal_a, sizeof(seal_a)};
    seals[1] = (doc_seal){9, seal_b, sizeof(seal_b)};
    return 0;
}

/* A document builder: random filler, seals raw or as lower-case hex. */
typedef struct doc {
    uint8_t p[64 * 1024];
    size_t n;
} doc;

static void filler(doc *d, size_t n)
{
    assert_es_ok(es_random(d->p + d->n, n));
    d->n += n;
}

static void raw(doc *d, const uint8_t *s, size_t n)
{
    memcpy(d->p + d->n, s, n);
    d->n += n;
}

static void hex(doc *d, const uint8_t *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        d->p[d->n++] = (uint8_t)digits[s[i] >> 4];
        d->p[d->n++] = (uint8_t)digits[s[i] & 15];
    }
}

/* Pack, check the references and the size, unpack, and get the same bytes. */
static void round_trip(const doc *d, size_t want_refs, size_t cut)
{
    es_buf packed = {0}, back = {0};
    size_t nrefs = 99;
    int64_t ids[4];
    size_t nids = 0;

    assert_es_ok(doc_pack(d->p, d->n, seals, 2, &packed, &nrefs));
    assert_int_equal(nrefs, want_refs);
    assert_true(doc_is_packed(packed.data, packed.len));
    assert_int_equal(packed.len, 16 + 17 * want_refs + d->n - cut);
    assert_es_ok(doc_pack_ids(packed.data, packed.len, ids, 4, &nids));
    assert_true(nids <= 2);
    assert_es_ok(doc_unpack(packed.data, packed.len, seals, 2, &back));
    assert_int_equal(back.len, d->n);
    assert_memory_equal(back.data, d->p, d->n);
    es_buf_free_public(&packed);
    es_buf_free_public(&back);
}

static void test_factored_out(void **state)
{
    static doc d;

    (void)state;
    d.n = 0;
    raw(&d, seal_a, SEAL_LEN); /* at the very start */
    filler(&d, 100);
    hex(&d, seal_a, SEAL_LEN);     /* a PDF's /Contents */
    raw(&d, seal_b, SEAL_LEN + 1); /* right after another */
    filler(&d, 7);
    raw(&d, seal_a, SEAL_LEN);
    raw(&d, seal_a, SEAL_LEN);     /* twice in a row */
    hex(&d, seal_b, SEAL_LEN + 1); /* at the very end */
    round_trip(&d, 6, 3 * SEAL_LEN + 2 * SEAL_LEN + (SEAL_LEN + 1) + 2 * (SEAL_LEN + 1));
}

static void test_near_misses_stay(void **state)
{
    static doc d;

    (void)state;
    d.n = 0;
    filler(&d, 10);
    raw(&d, seal_a, SEAL_LEN - 1); /* cut short */
    filler(&d, 10);
    raw(&d, seal_a, 40);            /* the probe matches, the rest does not */
    raw(&d, seal_b, SEAL_LEN - 40); /* (different bytes) */
    hex(&d, seal_a, SEAL_LEN / 2);
    round_trip(&d, 0, 0);
    d.n = 0; /* an empty document */
    round_trip(&d, 0, 0);
}

static void test_upper_case_hex_stays(void **state)
{
    static doc d;

    (void)state;
    d.n = 0;
    hex(&d, seal_a, SEAL_LEN);
    for (size_t i = 0; i < d.n; i++)
        if (d.p[i] >= 'a' && d.p[i] <= 'f')
            d.p[i] = (uint8_t)(d.p[i] - 'a' + 'A');
    round_trip(&d, 0, 0);
}

static void test_damage_refused(void **state)
{
    static doc d;
    es_buf packed = {0}, back = {0};
    uint8_t *bad;

    (void)state;
    d.n = 0;
    filler(&d, 50);
    raw(&d, seal_a, SEAL_LEN);
    filler(&d, 50);
    hex(&d, seal_b, SEAL_LEN + 1);
    filler(&d, 50);
    assert_es_ok(doc_pack(d.p, d.n, seals, 2, &packed, NULL));
    /* every truncation */
    for (size_t n = 0; n < packed.len; n++) {
        assert_int_not_equal(doc_unpack(packed.data, n, seals, 2, &back), ES_OK);
        assert_null(back.data);
    }
    /* one seal not given */
    assert_int_equal(doc_unpack(packed.data, packed.len, seals, 1, &back), ES_ERR_NOT_FOUND);
    bad = malloc(packed.len + 1);
    assert_non_null(bad);
    /* a byte too many, references out of order, a length that does not add up, a bad form */
    memcpy(bad, packed.data, packed.len);
    bad[packed.len] = 'x';
    assert_int_equal(doc_unpack(bad, packed.len + 1, seals, 2, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    memcpy(bad + 16, packed.data + 33, 17);
    memcpy(bad + 33, packed.data + 16, 17);
    assert_int_equal(doc_unpack(bad, packed.len, seals, 2, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    bad[15] = 0x40; /* a document of 2^62 bytes */
    assert_int_equal(doc_unpack(bad, packed.len, seals, 2, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    bad[16 + 16] = 2;
    assert_int_equal(doc_unpack(bad, packed.len, seals, 2, &back), ES_ERR_FORMAT);
    assert_null(back.data);
    assert_false(doc_is_packed((const uint8_t *)"%PDF-1.7", 8));
    assert_false(doc_is_packed((const uint8_t *)"PK\3\4 and more bytes", 20));
    free(bad);
    es_buf_free_public(&packed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factored_out),
        cmocka_unit_test(test_near_misses_stay),
        cmocka_unit_test(test_upper_case_hex_stays),
        cmocka_unit_test(test_damage_refused),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
