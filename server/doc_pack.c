/* Stored documents with the platform's seals and assets factored out (doc_pack.h: the format). */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "doc_pack.h"
#include "eseal_local.h"
#include "util/hex.h"

#define MAGIC      "ESPK\1\0"
#define HEAD_LEN   16 /* magic, count, length */
#define REF_LEN    17 /* offset, id, form */
#define FORM_DER   0
#define FORM_HEX   1
#define FORM_ASSET 2
#define FORM_ZEROS 3 /* a run of '0' characters; the id is its length */
#define RUN_PROBE  64
#define PROBE      32 /* bytes of a seal or asset searched for before comparing all of it */

/* What a reference stands for: a seal's DER (shown raw or as hex) or an asset's bytes. */
typedef struct target {
    int64_t id;
    const uint8_t *p;
    size_t n;
    const uint8_t *hex; /* optional: p's hex, 2n bytes */
} target;

typedef struct span {
    uint64_t off, len;
    int64_t id;
    uint8_t form;
} span;

/* 1 when p holds the lower-case hex of s (n bytes), written out a chunk at a time. */
static int is_hex_of(const uint8_t *p, const uint8_t *s, size_t n)
{
    char chunk[512];

    for (size_t i = 0; i < n; i += sizeof(chunk) / 2) {
        size_t k = n - i < sizeof(chunk) / 2 ? n - i : sizeof(chunk) / 2;

        es__hex_lower(s + i, k, chunk);
        if (memcmp(p + 2 * i, chunk, 2 * k) != 0)
            return 0;
    }
    return 1;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/*
 * Every occurrence of t in doc, raw or as its hex (form), found by the first PROBE bytes of that
 * form and then compared whole (the hex never written out: most documents hold none), appended
 * to s (at most DOC_PACK_MAX_REFS in all).
 */
static void find_all(const uint8_t *doc, size_t n, const target *t, uint8_t form, span *s,
                     size_t *ns)
{
    const uint8_t *at = doc, *end = doc + n;
    size_t len = form == FORM_HEX ? 2 * t->n : t->n;
    uint8_t probe[PROBE];

    if (t->n < DOC_PACK_MIN_LEN)
        return;
    if (form == FORM_HEX && t->hex == NULL)
        es__hex_lower(t->p, PROBE / 2, (char *)probe);
    else
        memcpy(probe, form == FORM_HEX ? t->hex : t->p, PROBE);
    while (*ns < DOC_PACK_MAX_REFS && (size_t)(end - at) >= len &&
           (at = memmem(at, (size_t)(end - at) - len + PROBE, probe, PROBE)) != NULL) {
        if (form != FORM_HEX ? memcmp(at, t->p, len) == 0
            : t->hex != NULL ? memcmp(at, t->hex, len) == 0
                             : is_hex_of(at, t->p, t->n)) {
            s[(*ns)++] = (span){(uint64_t)(at - doc), len, t->id, form};
            at += len;
        } else {
            at++;
        }
    }
}

static int by_offset(const void *a, const void *b)
{
    const span *x = a, *y = b;

    return x->off < y->off ? -1 : x->off > y->off;
}

/* Sort, then drop any span that overlaps one before it. */
static size_t settle(span *s, size_t ns)
{
    size_t k = 0;

    qsort(s, ns, sizeof(*s), by_offset);
    for (size_t i = 0; i < ns; i++)
        if (k == 0 || s[i].off >= s[k - 1].off + s[k - 1].len)
            s[k++] = s[i];
    return k;
}

/*
 * Runs of at least DOC_PACK_MIN_RUN '0' characters (at most DOC_PACK_MAX_RUN each): the room a
 * PDF signature leaves after its hex in /Contents, 7.4 KB of a small signed PDF's 11.6.
 */
static void find_runs(const uint8_t *doc, size_t from, size_t to, span *s, size_t *ns)
{
    uint8_t probe[RUN_PROBE];
    const uint8_t *at = doc + from, *end = doc + to, *e;

    memset(probe, '0', sizeof(probe));
    while (*ns < DOC_PACK_MAX_REFS && (size_t)(end - at) >= DOC_PACK_MIN_RUN &&
           (at = memmem(at, (size_t)(end - at), probe, RUN_PROBE)) != NULL) {
        for (e = at + RUN_PROBE; e < end && *e == '0' && e - at < DOC_PACK_MAX_RUN; e++)
            ;
        if (e - at >= DOC_PACK_MIN_RUN)
            s[(*ns)++] = (span){(uint64_t)(at - doc), (uint64_t)(e - at), e - at, FORM_ZEROS};
        at = e;
    }
}

/* Assets first: a picture's planes are the larger spans, should the references run out; runs
 * last. */
static void find_spans(const uint8_t *doc, size_t n, const doc_refs *refs, span *s, size_t *ns)
{
    *ns = 0;
    for (size_t i = 0; i < refs->nassets; i++) {
        const doc_asset *a = &refs->assets[i];

        find_all(doc, n, &(target){a->id, a->p, a->n, NULL}, FORM_ASSET, s, ns);
    }
    for (size_t i = 0; i < refs->nseals; i++) {
        const doc_seal *seal = &refs->seals[i];

        const target t = {seal->id, seal->der, seal->n, seal->hex};

        find_all(doc, n, &t, FORM_DER, s, ns);
        find_all(doc, n, &t, FORM_HEX, s, ns);
    }
    *ns = settle(s, *ns);
    /* Runs only between the spans: a seal's hex ending in '0' would otherwise start a run that
     * overlaps it, and settling would drop the whole run after it. */
    for (size_t i = 0, k = *ns, from = 0; i <= k; i++) {
        size_t to = i < k ? (size_t)s[i].off : n;

        if (to > from)
            find_runs(doc, from, to, s, ns);
        from = i < k ? (size_t)(s[i].off + s[i].len) : n;
    }
    *ns = settle(s, *ns);
}

es_err doc_pack(const uint8_t *doc, size_t n, const doc_refs *refs, es_buf *out, size_t *nrefs)
{
    span s[DOC_PACK_MAX_REFS];
    size_t ns, cut = 0, at = 0;
    uint8_t *w;

    out->data = NULL;
    out->len = 0;
    find_spans(doc, n, refs, s, &ns);
    for (size_t i = 0; i < ns; i++)
        cut += s[i].len;
    if ((out->data = malloc(HEAD_LEN + ns * REF_LEN + n - cut + 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    w = out->data;
    memcpy(w, MAGIC, 6);
    w[6] = (uint8_t)ns;
    w[7] = (uint8_t)(ns >> 8);
    put_u64(w + 8, n);
    w += HEAD_LEN;
    for (size_t i = 0; i < ns; i++, w += REF_LEN) {
        put_u64(w, s[i].off);
        put_u64(w + 8, (uint64_t)s[i].id);
        w[16] = s[i].form;
    }
    for (size_t i = 0; i <= ns; i++) {
        size_t stop = i < ns ? (size_t)s[i].off : n;

        memcpy(w, doc + at, stop - at);
        w += stop - at;
        at = i < ns ? stop + (size_t)s[i].len : n;
    }
    out->len = (size_t)(w - out->data);
    if (nrefs != NULL)
        *nrefs = ns;
    return ES_OK;
}

int doc_is_packed(const uint8_t *p, size_t n)
{
    return n >= HEAD_LEN && memcmp(p, MAGIC, 6) == 0;
}

/* The header and references of a packed form, checked against each other and its size. */
static es_err parse(const uint8_t *p, size_t n, size_t *count, uint64_t *len)
{
    if (n < HEAD_LEN || memcmp(p, MAGIC, 6) != 0)
        return es__fail(ES_ERR_FORMAT, "stored document: not a packed document");
    *count = (size_t)p[6] | (size_t)p[7] << 8;
    *len = get_u64(p + 8);
    if (*count > DOC_PACK_MAX_REFS || n - HEAD_LEN < *count * REF_LEN)
        return es__fail(ES_ERR_FORMAT, "stored document: %zu references do not fit", *count);
    return ES_OK;
}

/* Add id to ids (n of them) unless it is there already. */
static void add_id(int64_t *ids, size_t *n, int64_t id)
{
    size_t k = 0;

    while (k < *n && ids[k] != id)
        k++;
    if (k == *n)
        ids[(*n)++] = id;
}

es_err doc_pack_ids(const uint8_t *p, size_t n, doc_ids *out)
{
    size_t count;
    uint64_t len;
    es_err rc = parse(p, n, &count, &len);

    out->nseals = out->nassets = 0;
    /* count <= DOC_PACK_MAX_REFS (parse): neither array can fill up */
    for (size_t i = 0; rc == ES_OK && i < count; i++) {
        const uint8_t *r = p + HEAD_LEN + i * REF_LEN;
        int64_t id = (int64_t)get_u64(r + 8);

        if (r[16] > FORM_ZEROS)
            rc = es__fail(ES_ERR_FORMAT, "stored document: reference %zu has form %u", i, r[16]);
        else if (r[16] == FORM_ZEROS)
            continue; /* a run refers to nothing stored */
        else if (r[16] == FORM_ASSET)
            add_id(out->assets, &out->nassets, id);
        else
            add_id(out->seals, &out->nseals, id);
    }
    return rc;
}

/* What reference (id, form) stands for among refs, or NULL when it is not given. */
static int target_of(const doc_refs *refs, int64_t id, uint8_t form, target *t)
{
    if (form == FORM_ASSET) {
        for (size_t i = 0; i < refs->nassets; i++)
            if (refs->assets[i].id == id) {
                *t = (target){id, refs->assets[i].p, refs->assets[i].n, NULL};
                return 1;
            }
        return 0;
    }
    for (size_t i = 0; i < refs->nseals; i++)
        if (refs->seals[i].id == id) {
            *t = (target){id, refs->seals[i].der, refs->seals[i].n, refs->seals[i].hex};
            return 1;
        }
    return 0;
}

/* Reference i of p, checked: its form known, its seal or asset given, in order after pos,
 * inside the document. */
static es_err ref_span(const uint8_t *p, size_t i, const doc_refs *refs, uint64_t pos, uint64_t len,
                       span *s, target *t)
{
    const uint8_t *r = p + HEAD_LEN + i * REF_LEN;

    s->off = get_u64(r);
    s->id = (int64_t)get_u64(r + 8);
    s->form = r[16];
    if (s->form > FORM_ZEROS)
        return es__fail(ES_ERR_FORMAT, "stored document: reference %zu has form %u", i, s->form);
    if (s->form == FORM_ZEROS) {
        /* bounded: a pack of a few bytes must not claim a document of any size */
        if (s->id < 1 || s->id > DOC_PACK_MAX_RUN)
            return es__fail(ES_ERR_FORMAT, "stored document: reference %zu is a run of %lld", i,
                            (long long)s->id);
        *t = (target){0, NULL, (size_t)s->id, NULL};
        s->len = (uint64_t)s->id;
    } else if (!target_of(refs, s->id, s->form, t)) {
        return es__fail(ES_ERR_NOT_FOUND, "stored document: %s %lld is not known",
                        s->form == FORM_ASSET ? "asset" : "seal", (long long)s->id);
    } else {
        s->len = t->n * (s->form == FORM_HEX ? 2u : 1u);
    }
    if (s->off < pos || s->off > len || s->len > len - s->off)
        return es__fail(ES_ERR_FORMAT, "stored document: reference %zu is out of place", i);
    return ES_OK;
}

es_err doc_unpack(const uint8_t *p, size_t n, const doc_refs *refs, es_buf *out)
{
    span s[DOC_PACK_MAX_REFS];
    target t[DOC_PACK_MAX_REFS];
    size_t count, nrest, at = 0;
    uint64_t len, pos = 0, sum = 0;
    const uint8_t *rest;
    es_err rc;

    out->data = NULL;
    out->len = 0;
    if ((rc = parse(p, n, &count, &len)) != ES_OK)
        return rc;
    rest = p + HEAD_LEN + count * REF_LEN;
    nrest = n - HEAD_LEN - count * REF_LEN;
    /* Every reference checked, and the length they claim with the bytes there are, before the
     * document's length is trusted with an allocation. */
    for (size_t i = 0; i < count; i++, pos = s[i - 1].off + s[i - 1].len) {
        if ((rc = ref_span(p, i, refs, pos, len, &s[i], &t[i])) != ES_OK)
            return rc;
        sum += s[i].len;
    }
    if (sum > len || len - sum != nrest)
        return es__fail(ES_ERR_FORMAT, "stored document: %zu bytes where %llu belong", nrest,
                        (unsigned long long)(len - (sum > len ? len : sum)));
    if ((out->data = malloc((size_t)len + 1)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    pos = 0;
    for (size_t i = 0; i <= count; i++) {
        uint64_t stop = i < count ? s[i].off : len;

        memcpy(out->data + pos, rest + at, (size_t)(stop - pos));
        at += (size_t)(stop - pos);
        if (i < count && s[i].form == FORM_ZEROS)
            memset(out->data + stop, '0', (size_t)s[i].len);
        else if (i < count && s[i].form == FORM_HEX && t[i].hex == NULL)
            es__hex_lower(t[i].p, t[i].n, (char *)out->data + stop);
        else if (i < count)
            memcpy(out->data + stop, s[i].form == FORM_HEX ? t[i].hex : t[i].p, (size_t)s[i].len);
        pos = i < count ? stop + s[i].len : len;
    }
    out->len = (size_t)len;
    return ES_OK;
}
