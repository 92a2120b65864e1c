/*
 * The server's stored-document packing (server/doc_pack.c). The first byte chooses:
 *   even: the rest is a document with the two fuzz seals and the fuzz asset spliced in where its
 *         bytes say; it must pack and unpack back to itself;
 *   odd:  the rest is a packed form as the database might hold it; unpacking it must fail
 *         cleanly or give a document that packs and unpacks back to itself. doc_pack_ids must
 *         agree: it fails on no form doc_unpack takes.
 */
#include <stdlib.h>
#include <string.h>

#include "doc_pack.h"
#include "util/hex.h"

#define SEAL_LEN  96
#define ASSET_LEN 80

static uint8_t seal_a[SEAL_LEN], seal_b[SEAL_LEN], asset_c[ASSET_LEN];
static uint8_t hex_b[2 * SEAL_LEN]; /* seal b is given with its hex (doc_seal.hex), a without */

static void init(void)
{
    for (int i = 0; i < SEAL_LEN; i++) {
        seal_a[i] = (uint8_t)(i * 7 + 1);
        seal_b[i] = (uint8_t)(255 - i * 3);
    }
    /* the asset starts with seal a's first bytes: a probe that matches both */
    memcpy(asset_c, seal_a, 40);
    for (int i = 40; i < ASSET_LEN; i++)
        asset_c[i] = (uint8_t)(i * 13 + 5);
}

/* Pack doc, unpack it, and require the same bytes. */
static void round_trip(const uint8_t *doc, size_t n, const doc_refs *refs)
{
    es_buf packed = {0}, back = {0};
    doc_ids ids;

    if (doc_pack(doc, n, refs, &packed, NULL) != ES_OK)
        return; /* out of memory only */
    if (!doc_is_packed(packed.data, packed.len) ||
        doc_pack_ids(packed.data, packed.len, &ids) != ES_OK ||
        doc_unpack(packed.data, packed.len, refs, &back) != ES_OK || back.len != n ||
        (n > 0 && memcmp(back.data, doc, n) != 0))
        abort();
    es_buf_free_public(&packed);
    es_buf_free_public(&back);
}

/* A document from data: each 0xA5 byte followed by 0/1/2/3 splices seal a, b, hex of a, hex of
 * b; followed by a byte with bit 2 set, the asset; with bit 3 set, a run of 200 to 440 '0's
 * (runs are referred to from 256 on). */
static size_t splice(const uint8_t *data, size_t size, uint8_t *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;

    for (size_t i = 0; i < size; i++) {
        const uint8_t *s = (i + 1 < size && (data[i + 1] & 1)) ? seal_b : seal_a;

        if (data[i] == 0xA5 && i + 1 < size && (data[i + 1] & 8)) {
            size_t run = 200 + (size_t)(data[i + 1] >> 4) * 16;

            memset(out + n, '0', run);
            n += run;
            i++;
        } else if (data[i] == 0xA5 && i + 1 < size && (data[i + 1] & 4)) {
            memcpy(out + n, asset_c, ASSET_LEN);
            n += ASSET_LEN;
            i++;
        } else if (data[i] == 0xA5 && i + 1 < size && (data[i + 1] & 2)) {
            for (int k = 0; k < SEAL_LEN; k++) {
                out[n++] = (uint8_t)digits[s[k] >> 4];
                out[n++] = (uint8_t)digits[s[k] & 15];
            }
            i++;
        } else if (data[i] == 0xA5 && i + 1 < size) {
            memcpy(out + n, s, SEAL_LEN);
            n += SEAL_LEN;
            i++;
        } else {
            out[n++] = data[i];
        }
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    doc_seal seals[2];
    doc_asset asset;
    doc_refs refs;
    doc_ids ids;
    es_buf doc = {0};
    uint8_t *buf;
    size_t n;

    if (size < 1 || size > 1 << 16)
        return 0;
    if (seal_a[0] == 0) {
        init();
        es__hex_lower(seal_b, SEAL_LEN, (char *)hex_b);
    }
    seals[0] = (doc_seal){1, seal_a, SEAL_LEN, NULL};
    seals[1] = (doc_seal){2, seal_b, SEAL_LEN, hex_b};
    asset = (doc_asset){1, asset_c, ASSET_LEN}; /* the id of seal a: the form tells them apart */
    refs = (doc_refs){seals, 2, &asset, 1};
    if ((data[0] & 1) == 0) {
        /* two input bytes make at most 440 (a run): 256 per byte is room enough */
        if ((buf = malloc((size - 1) * 256 + 1)) == NULL)
            return 0;
        n = splice(data + 1, size - 1, buf);
        round_trip(buf, n, &refs);
        free(buf);
        return 0;
    }
    if (doc_unpack(data + 1, size - 1, &refs, &doc) == ES_OK) {
        if (doc_pack_ids(data + 1, size - 1, &ids) != ES_OK || ids.nseals > 2 || ids.nassets > 1)
            abort();
        round_trip(doc.data, doc.len, &refs);
        es_buf_free_public(&doc);
    }
    return 0;
}
