/*
 * Stored-document packing (server/doc_pack.c): the platform's seals, raw and as hex, and assets
 * (raw bytes) factored out of a document and put back byte for byte; near misses left alone;
 * packs written before assets existed read as before; damaged packed forms and references to
 * what is not given refused with an error, never unpacked into something else.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "doc_pack.h"
#include "eseal/crypto.h"
#include "util/hex.h"

#define SEAL_LEN  2000
#define ASSET_LEN 3000

static uint8_t seal_a[SEAL_LEN], seal_b[SEAL_LEN + 1], asset_x[ASSET_LEN], asset_y[100];
static doc_seal seals[2];
static doc_asset assets[2];
/* Seals only (as before assets), seals and assets, one seal, no asset */
static doc_refs refs, all, one_seal, no_assets;

static int setup(void **state)
{
    (void)state;
    assert_es_ok(es_random(seal_a, sizeof(seal_a)));
    seal_a[SEAL_LEN - 1] = 0; /* test_zero_runs: '0' digits just before a run of '0' */
    assert_es_ok(es_random(seal_b, sizeof(seal_b)));
    assert_es_ok(es_random(asset_x, sizeof(asset_x)));
    assert_es_ok(es_random(asset_y, sizeof(asset_y)));
    seals[0] = (doc_seal){7, seal_a, sizeof(seal_a), NULL};
    seals[1] = (doc_seal){9, seal_b, sizeof(seal_b), NULL};
    /* asset 7 shares its id with seal 7: the two are apart (the form says which) */
    assets[0] = (doc_asset){7, asset_x, sizeof(asset_x)};
    assets[1] = (doc_asset){11, asset_y, sizeof(asset_y)};
    refs = (doc_refs){seals, 2, NULL, 0};
    all = (doc_refs){seals, 2, assets, 2};
    one_seal = (doc_refs){seals, 1, assets, 2};
    no_assets = refs;
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
static void round_trip_with(const doc *d, const doc_refs *r, size_t want_refs, size_t cut,
                            doc_ids *ids)
{
    es_buf packed = {0}, back = {0};
    size_t nrefs = 99;

    assert_es_ok(doc_pack(d->p, d->n, r, &packed, &nrefs));
    assert_int_equal(nrefs, want_refs);
    assert_true(doc_is_packed(packed.data, packed.len));
    assert_int_equal(packed.len, 16 + 17 * want_refs + d->n - cut);
    assert_es_ok(doc_pack_ids(packed.data, packed.len, ids));
    assert_true(ids->nseals <= r->nseals && ids->nassets <= r->nassets);
    assert_es_ok(doc_unpack(packed.data, packed.len, r, &back));
    assert_int_equal(back.len, d->n);
    assert_memory_equal(back.data, d->p, d->n);
    es_buf_free_public(&packed);
    es_buf_free_public(&back);
}

static void round_trip(const doc *d, size_t want_refs, size_t cut)
{
    doc_ids ids;

    round_trip_with(d, &refs, want_refs, cut, &ids);
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

/* Seals given with their hex (doc_seal.hex): the same packs, unpacked the same either way. */
static void test_given_hex_same(void **state)
{
    static doc d;
    static uint8_t hex_a[2 * SEAL_LEN], hex_b[2 * (SEAL_LEN + 1)];
    doc_seal with_hex[2] = {seals[0], seals[1]};
    doc_refs given = {with_hex, 2, assets, 2};
    es_buf a = {0}, b = {0}, back = {0};
    size_t na = 0, nb = 0;

    (void)state;
    es__hex_lower(seal_a, SEAL_LEN, (char *)hex_a);
    es__hex_lower(seal_b, SEAL_LEN + 1, (char *)hex_b);
    with_hex[0].hex = hex_a;
    with_hex[1].hex = hex_b;
    d.n = 0;
    hex(&d, seal_a, SEAL_LEN);
    assert_memory_equal(d.p, hex_a, sizeof(hex_a)); /* es__hex_lower is the test's lower-case hex */
    filler(&d, 33);
    hex(&d, seal_a, SEAL_LEN / 2); /* a near miss: the probe matches */
    raw(&d, seal_b, SEAL_LEN + 1);
    hex(&d, seal_b, SEAL_LEN + 1);
    assert_es_ok(doc_pack(d.p, d.n, &all, &a, &na));
    assert_es_ok(doc_pack(d.p, d.n, &given, &b, &nb));
    assert_int_equal(na, 3);
    assert_int_equal(nb, na);
    assert_int_equal(b.len, a.len);
    assert_memory_equal(b.data, a.data, a.len);
    assert_es_ok(doc_unpack(b.data, b.len, &given, &back));
    assert_int_equal(back.len, d.n);
    assert_memory_equal(back.data, d.p, d.n);
    es_buf_free_public(&a);
    es_buf_free_public(&b);
    es_buf_free_public(&back);
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
    assert_es_ok(doc_pack(d.p, d.n, &refs, &packed, NULL));
    /* every truncation */
    for (size_t n = 0; n < packed.len; n++) {
        assert_int_not_equal(doc_unpack(packed.data, n, &refs, &back), ES_OK);
        assert_null(back.data);
    }
    /* one seal not given */
    assert_int_equal(doc_unpack(packed.data, packed.len, &(doc_refs){seals, 1, NULL, 0}, &back),
                     ES_ERR_NOT_FOUND);
    bad = malloc(packed.len + 1);
    assert_non_null(bad);
    /* a byte too many, references out of order, a length that does not add up, a bad form */
    memcpy(bad, packed.data, packed.len);
    bad[packed.len] = 'x';
    assert_int_equal(doc_unpack(bad, packed.len + 1, &refs, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    memcpy(bad + 16, packed.data + 33, 17);
    memcpy(bad + 33, packed.data + 16, 17);
    assert_int_equal(doc_unpack(bad, packed.len, &refs, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    bad[15] = 0x40; /* a document of 2^62 bytes */
    assert_int_equal(doc_unpack(bad, packed.len, &refs, &back), ES_ERR_FORMAT);
    memcpy(bad, packed.data, packed.len);
    bad[16 + 16] = 4;
    assert_int_equal(doc_unpack(bad, packed.len, &refs, &back), ES_ERR_FORMAT);
    assert_int_equal(doc_pack_ids(bad, packed.len, &(doc_ids){0}), ES_ERR_FORMAT);
    assert_null(back.data);
    assert_false(doc_is_packed((const uint8_t *)"%PDF-1.7", 8));
    assert_false(doc_is_packed((const uint8_t *)"PK\3\4 and more bytes", 20));
    free(bad);
    es_buf_free_public(&packed);
}

static void zeros(doc *d, size_t n)
{
    memset(d->p + d->n, '0', n);
    d->n += n;
}

/* Runs of '0' (a PDF's /Contents padding): from DOC_PACK_MIN_RUN on, beside a seal's hex. */
static void test_zero_runs(void **state)
{
    static doc d;
    doc_ids ids;

    (void)state;
    d.n = 0;
    zeros(&d, DOC_PACK_MIN_RUN - 1); /* too short, at the start */
    d.p[d.n++] = 'x';
    hex(&d, seal_a, SEAL_LEN); /* its hex ends in "00" (setup): the run still follows it */
    zeros(&d, 5000);           /* right after the seal's hex, as in /Contents */
    d.p[d.n++] = '>';
    zeros(&d, DOC_PACK_MIN_RUN); /* just long enough, at the very end */
    round_trip_with(&d, &all, 3, 2 * SEAL_LEN + 5000 + DOC_PACK_MIN_RUN, &ids);
    assert_int_equal(ids.nseals, 1);
    assert_int_equal(ids.nassets, 0);
}

/* A run longer than DOC_PACK_MAX_RUN is several references; a pack cannot claim a longer one. */
static void test_long_run(void **state)
{
    size_t n = DOC_PACK_MAX_RUN + DOC_PACK_MIN_RUN + 7;
    uint8_t *p = malloc(n);
    es_buf packed = {0}, back = {0};
    size_t nrefs = 0;

    (void)state;
    assert_non_null(p);
    memset(p, '0', n);
    assert_es_ok(doc_pack(p, n, &all, &packed, &nrefs));
    assert_int_equal(nrefs, 2);
    assert_int_equal(packed.len, 16 + 2 * 17); /* the most, then the rest of the run */
    assert_es_ok(doc_unpack(packed.data, packed.len, &all, &back));
    assert_int_equal(back.len, n);
    assert_memory_equal(back.data, p, n);
    es_buf_free_public(&back);
    /* the first run claims one more than the most; then none at all, then a negative one */
    packed.data[16 + 8] = 1;
    packed.data[16 + 10] = 0x10;
    assert_int_equal(doc_unpack(packed.data, packed.len, &all, &back), ES_ERR_FORMAT);
    memset(packed.data + 16 + 8, 0, 8);
    assert_int_equal(doc_unpack(packed.data, packed.len, &all, &back), ES_ERR_FORMAT);
    memset(packed.data + 16 + 8, 0xff, 8);
    assert_int_equal(doc_unpack(packed.data, packed.len, &all, &back), ES_ERR_FORMAT);
    assert_null(back.data);
    es_buf_free_public(&packed);
    free(p);
}

/* Assets beside seals: raw only (an asset's hex stays), kept apart from a seal of the same id. */
static void test_assets_factored_out(void **state)
{
    static doc d;
    doc_ids ids;

    (void)state;
    d.n = 0;
    raw(&d, asset_x, ASSET_LEN); /* at the very start */
    hex(&d, seal_a, SEAL_LEN);
    raw(&d, asset_y, sizeof(asset_y)); /* right after a seal */
    filler(&d, 30);
    hex(&d, asset_y, sizeof(asset_y)); /* an asset's hex is not referred to */
    raw(&d, asset_x, ASSET_LEN - 1);   /* cut short */
    filler(&d, 1);
    raw(&d, asset_x, ASSET_LEN); /* at the very end */
    round_trip_with(&d, &all, 4, 2 * ASSET_LEN + 2 * SEAL_LEN + sizeof(asset_y), &ids);
    assert_int_equal(ids.nseals, 1);
    assert_int_equal(ids.seals[0], 7);
    assert_int_equal(ids.nassets, 2);
    assert_int_equal(ids.assets[0], 7);
    assert_int_equal(ids.assets[1], 11);
    /* without assets given, only the seal goes */
    round_trip_with(&d, &no_assets, 1, 2 * SEAL_LEN, &ids);
    assert_int_equal(ids.nassets, 0);
}

/* An asset that overlaps a seal: one of the two is referred to, the bytes come back the same. */
static void test_overlapping_spans(void **state)
{
    static doc d;
    static uint8_t tail[SEAL_LEN];
    doc_asset over = {5, tail, 0};
    doc_refs r = {seals, 2, &over, 1};
    doc_ids ids;

    (void)state;
    d.n = 0;
    filler(&d, 10);
    raw(&d, seal_a, SEAL_LEN);
    filler(&d, 500);
    memcpy(tail, d.p + 10 + SEAL_LEN - 300, 800); /* the seal's last 300 bytes and the filler */
    over.n = 800;
    round_trip_with(&d, &r, 1, SEAL_LEN, &ids); /* the first of the two, the seal */
    assert_int_equal(ids.nseals + ids.nassets, 1);
}

/* A pack as written before assets existed (form 0 and 1 only), built byte by byte: unchanged. */
static void test_old_pack_reads(void **state)
{
    static uint8_t old[16 + 2 * 17 + 9];
    es_buf back = {0};
    uint8_t *w = old;
    uint64_t len = 3 + SEAL_LEN + 3 + 2 * (SEAL_LEN + 1) + 3;

    (void)state;
    memcpy(w, "ESPK\1\0\2\0", 8);
    for (int i = 0; i < 8; i++)
        w[8 + i] = (uint8_t)(len >> (8 * i));
    w += 16;
    memset(w, 0, 34);
    w[0] = 3; /* offset 3, seal 7, DER */
    w[8] = 7;
    w[16] = 0;
    w[17] = (uint8_t)((3 + SEAL_LEN + 3) & 0xFF); /* seal 9 as hex */
    w[18] = (uint8_t)((3 + SEAL_LEN + 3) >> 8);
    w[25] = 9;
    w[33] = 1;
    memcpy(w + 34, "abcdefghi", 9);
    assert_es_ok(doc_unpack(old, sizeof(old), &refs, &back));
    assert_int_equal(back.len, len);
    assert_memory_equal(back.data, "abc", 3);
    assert_memory_equal(back.data + 3, seal_a, SEAL_LEN);
    assert_memory_equal(back.data + 3 + SEAL_LEN, "def", 3);
    assert_memory_equal(back.data + len - 3, "ghi", 3);
    for (size_t i = 0; i < SEAL_LEN + 1; i++) {
        static const char digits[] = "0123456789abcdef";
        const uint8_t *h = back.data + 3 + SEAL_LEN + 3 + 2 * i;

        assert_int_equal(h[0], digits[seal_b[i] >> 4]);
        assert_int_equal(h[1], digits[seal_b[i] & 15]);
    }
    es_buf_free_public(&back);
}

/* Damage in a pack with assets: refused, whatever part is hit. */
static void test_asset_refs_refused(void **state)
{
    static doc d;
    es_buf packed = {0}, back = {0};
    uint8_t *bad;

    (void)state;
    d.n = 0;
    filler(&d, 40);
    raw(&d, asset_x, ASSET_LEN);
    filler(&d, 40);
    raw(&d, asset_y, sizeof(asset_y));
    filler(&d, 40);
    hex(&d, seal_a, SEAL_LEN);
    assert_es_ok(doc_pack(d.p, d.n, &all, &packed, NULL));
    /* an asset not given, one given only as a seal of its id, and a seal not given */
    assert_int_equal(doc_unpack(packed.data, packed.len, &no_assets, &back), ES_ERR_NOT_FOUND);
    assert_non_null(strstr(es_errdetail(), "asset 7"));
    assert_int_equal(
        doc_unpack(packed.data, packed.len, &(doc_refs){seals, 2, &assets[1], 1}, &back),
        ES_ERR_NOT_FOUND);
    assert_int_equal(
        doc_unpack(packed.data, packed.len, &(doc_refs){&seals[1], 1, assets, 2}, &back),
        ES_ERR_NOT_FOUND);
    assert_non_null(strstr(es_errdetail(), "seal 7"));
    assert_null(back.data);
    for (size_t n = 0; n < packed.len; n++) {
        assert_int_not_equal(doc_unpack(packed.data, n, &all, &back), ES_OK);
        assert_null(back.data);
    }
    bad = malloc(packed.len);
    assert_non_null(bad);
    /* the second reference starting inside the first (overlap) */
    memcpy(bad, packed.data, packed.len);
    memcpy(bad + 16 + 17, bad + 16, 8);
    bad[16 + 17] += 1;
    assert_int_equal(doc_unpack(bad, packed.len, &all, &back), ES_ERR_FORMAT);
    /* a reference past the document's end */
    memcpy(bad, packed.data, packed.len);
    bad[16 + 2 * 17 + 6] = 0x7F;
    assert_int_equal(doc_unpack(bad, packed.len, &all, &back), ES_ERR_FORMAT);
    /* the short asset's reference pointing at the long one: it overruns the next reference */
    memcpy(bad, packed.data, packed.len);
    bad[16 + 17 + 16] = 2;
    bad[16 + 17 + 8] = 7;
    assert_int_not_equal(doc_unpack(bad, packed.len, &all, &back), ES_OK);
    assert_null(back.data);
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
        cmocka_unit_test(test_assets_factored_out),
        cmocka_unit_test(test_overlapping_spans),
        cmocka_unit_test(test_old_pack_reads),
        cmocka_unit_test(test_asset_refs_refused),
        cmocka_unit_test(test_given_hex_same),
        cmocka_unit_test(test_zero_runs),
        cmocka_unit_test(test_long_run),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
