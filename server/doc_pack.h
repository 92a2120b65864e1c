/*
 * Stored documents with the platform's seals factored out.
 *
 * Every signature a document carries holds its whole seal (a GB/T 38540 SES_Signature embeds
 * the SESeal, mostly its picture): a signed OFD holds it twice (SignedValue.dat and Seal.esl),
 * a signed PDF as lower-case hex inside /Contents. The seals are in the database already, so a
 * signed document is stored "packed": each such span replaced by a reference to its seal. A
 * small signed document shrinks from ~300 KB to a few KB; writing it was as costly as hashing
 * it. Unpacking puts back exactly the bytes that were there; the caller checks the result's SM3
 * against the digest recorded when it was stored, so a damaged pack is never served.
 *
 * Packed form (integers little-endian):
 *   "ESPK" 0x01 0x00, u16 count, u64 length of the document
 *   count x { u64 offset in the document, i64 seal id, u8 form (0: DER, 1: lower-case hex) }
 *   the document's other bytes, in order
 * References are sorted by offset and do not overlap.
 */
#ifndef ESEAL_SERVER_DOC_PACK_H
#define ESEAL_SERVER_DOC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"

/* A seal that may occur in documents: its id in the store and its DER. */
typedef struct doc_seal {
    int64_t id;
    const uint8_t *der;
    size_t n;
} doc_seal;

/* 1 when p (n bytes) is a packed form. Stored documents that are not packed start with
 * "%PDF-" or "PK\3\4" (uploads are refused otherwise, and signing keeps the first bytes). */
int doc_is_packed(const uint8_t *p, size_t n);

/* At most this many references per document (a reference per seal span: 2 per OFD signer). */
#define DOC_PACK_MAX_REFS 64

/*
 * Pack doc (n bytes) against seals: every occurrence of a seal's DER or of its hex. *out is the
 * packed form; *nrefs (may be NULL) how many spans were replaced (0: out holds the document
 * behind a header that says so, still valid to unpack).
 */
es_err doc_pack(const uint8_t *doc, size_t n, const doc_seal *seals, size_t nseals, es_buf *out,
                size_t *nrefs);

/* The distinct seal ids a packed form refers to (at most max). ES_ERR_FORMAT when malformed. */
es_err doc_pack_ids(const uint8_t *p, size_t n, int64_t *ids, size_t max, size_t *nids);

/* The document back from its packed form, given (at least) the seals it refers to. */
es_err doc_unpack(const uint8_t *p, size_t n, const doc_seal *seals, size_t nseals, es_buf *out);

#endif
