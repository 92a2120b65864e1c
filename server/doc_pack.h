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
 * A signed PDF also holds the seal's picture as image streams (es_pdf_picture_streams), the same
 * bytes in every PDF signed with that seal and most of a small one: the store keeps them once as
 * "assets" (raw bytes with an id), and a reference may point to an asset too.
 *
 * Packed form (integers little-endian):
 *   "ESPK" 0x01 0x00, u16 count, u64 length of the document
 *   count x { u64 offset in the document, i64 id, u8 form }
 *     form 0: the DER of seal id; 1: its lower-case hex; 2: the bytes of asset id;
 *     3: id characters '0' (the padding a PDF signature leaves in /Contents)
 *   the document's other bytes, in order
 * References are sorted by offset and do not overlap. Forms 2 and 3 came later under the same
 * version: every earlier pack is still read as it was, and an older reader refuses them as
 * malformed.
 */
#ifndef ESEAL_SERVER_DOC_PACK_H
#define ESEAL_SERVER_DOC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"

/*
 * A seal that may occur in documents: its id in the store and its DER, and optionally that DER's
 * lower-case hex (2n bytes, es__hex_lower): given, a PDF's /Contents is compared with memcmp
 * rather than written out a chunk at a time.
 */
typedef struct doc_seal {
    int64_t id;
    const uint8_t *der;
    size_t n;
    const uint8_t *hex;
} doc_seal;

/* An asset that may occur in documents: its id in the store and its bytes. */
typedef struct doc_asset {
    int64_t id;
    const uint8_t *p;
    size_t n;
} doc_asset;

/* What a document may refer to (either array may be empty). */
typedef struct doc_refs {
    const doc_seal *seals;
    size_t nseals;
    const doc_asset *assets;
    size_t nassets;
} doc_refs;

/* 1 when p (n bytes) is a packed form. Stored documents that are not packed start with
 * "%PDF-" or "PK\3\4" (uploads are refused otherwise, and signing keeps the first bytes). */
int doc_is_packed(const uint8_t *p, size_t n);

/* At most this many references per document (a reference per span: 2 per OFD signer, 3 per
 * PDF signer: its seal's hex, its picture's colour and alpha planes). */
#define DOC_PACK_MAX_REFS 64
/* Seals and assets shorter than this are never referred to (not worth a reference). */
#define DOC_PACK_MIN_LEN 64
/* Runs of '0' (form 3) from this long are referred to, each up to the maximum (a longer run is
 * several); a pack that claims a longer one is malformed. */
#define DOC_PACK_MIN_RUN 256
#define DOC_PACK_MAX_RUN (1 << 20)

/*
 * Pack doc (n bytes) against refs: every occurrence of a seal's DER or of its hex, and of an
 * asset's bytes. *out is the packed form; *nrefs (may be NULL) how many spans were replaced (0:
 * out holds the document behind a header that says so, still valid to unpack).
 */
es_err doc_pack(const uint8_t *doc, size_t n, const doc_refs *refs, es_buf *out, size_t *nrefs);

/* The distinct seal ids and asset ids a packed form refers to. */
typedef struct doc_ids {
    int64_t seals[DOC_PACK_MAX_REFS];
    size_t nseals;
    int64_t assets[DOC_PACK_MAX_REFS];
    size_t nassets;
} doc_ids;

/* The ids p refers to, seals and assets apart. ES_ERR_FORMAT when malformed. */
es_err doc_pack_ids(const uint8_t *p, size_t n, doc_ids *out);

/* The document back from its packed form, given (at least) the seals and assets it refers to:
 * ES_ERR_NOT_FOUND names one that is missing, ES_ERR_FORMAT a malformed form. */
es_err doc_unpack(const uint8_t *p, size_t n, const doc_refs *refs, es_buf *out);

#endif
