/*
 * The server's stored-document packing (server/doc_pack.c). The first byte chooses:
 *   even: the rest is a document with the two fuzz seals spliced in where its bytes say; it must
 *         pack and unpack back to itself;
 *   odd:  the rest is a packed form as the database might hold it; unpacking it must fail
 *         cleanly or give a document that packs and unpacks back to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "doc_pack.h"

#define SEAL_LEN 96

static uint8_t seal_a[SEAL_LEN], seal_b[SEAL_LEN];

static void init(void)
{
    for (int i = 0; i < SEAL_LEN; i++) {
        seal_a[i] = (uint8_t)(i * 7 + 1);
        seal_b[i] = (uint8_t)(255 - i * 3);
    }
}

/* Pack doc, unpack it, and require the same bytes. */
static void round_trip(const uint8_t *doc, size_t n, const doc_seal *seals)
{
    es_buf packed = {0}, back = {0};

    if (doc_pack(doc, n, seals, 2, &packed, NULL) != ES_OK)
        return; /* out of memory only */
    if (!doc_is_packed(packed.data, packed.len) ||
        doc_unpack(packed.data, packed.len, seals, 2, &back) != ES_OK || back.len != n ||
        (n > 0 && memcmp(back.data, doc, n) != 0))
        abort();
    es_buf_free_public(&packed);
    es_buf_free_public(&back);
}

/* A document from data: each 0xA5 byte followed by 0/1/2/3 splices seal a, b, hex of a, ... */
static size_t splice(const uint8_t *data, size_t size, uint8_t *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;

    for (size_t i = 0; i < size; i++) {
        const uint8_t *s = (i + 1 < size && (data[i + 1] & 1)) ? seal_b : seal_a;

        if (data[i] == 0xA5 && i + 1 < size && (data[i + 1] & 2)) {
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
    es_buf doc = {0};
    uint8_t *buf;
    size_t n;

    if (size < 1 || size > 1 << 16)
        return 0;
    if (seal_a[0] == 0)
        init();
    seals[0] = (doc_seal){1, seal_a, SEAL_LEN};
    seals[1] = (doc_seal){2, seal_b, SEAL_LEN};
    if ((data[0] & 1) == 0) {
        if ((buf = malloc((size - 1) * 2 * SEAL_LEN + 1)) == NULL)
            return 0;
        n = splice(data + 1, size - 1, buf);
        round_trip(buf, n, seals);
        free(buf);
        return 0;
    }
    if (doc_unpack(data + 1, size - 1, seals, 2, &doc) == ES_OK) {
        round_trip(doc.data, doc.len, seals);
        es_buf_free_public(&doc);
    }
    return 0;
}
