/* What the files of src/ofd/ share: the package model, XML and text helpers, the CMS signer. */
#ifndef ESEAL_OFD_LOCAL_H
#define ESEAL_OFD_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "eseal/crypto.h"
#include "eseal/ofd.h"
#include "util/sb.h"

/* One zip entry, read in full. name has no leading '/'; zindex is its index in the zip. */
typedef struct es__ofd_entry {
    char *name;
    int is_dir;
    uint64_t zindex;
    es_buf data;
} es__ofd_entry;

/* A Reference of Signature.xml: FileRef as written, resolved to an entry name, CheckValue. */
typedef struct es__ofd_ref {
    char *raw;
    char *name; /* NULL when the path cannot be resolved (".." above the root) */
    char *value;
} es__ofd_ref;

/* A signature: its entry in Signatures.xml and what its Signature.xml says. */
typedef struct es__ofd_sig {
    es_ofd_sig_info info; /* public view; its strings point at the fields below */
    char *id, *type, *path, *error, *date;
    char *check_method;
    es__ofd_ref *refs;
    size_t nrefs;
    es_ofd_stamp *stamps;
    size_t nstamps;
    char *seal_loc;  /* entry name of Seal.esl, or NULL */
    char *value_loc; /* entry name of SignedValue.dat, or NULL */
} es__ofd_sig;

/* Zip records are little-endian: both the reader (ofd_zip.c) and the writer (ofd_zipw.c) read
 * them, and share the zip record sizes. */
#define ES__ZIP_EOCD_LEN 22u
#define ES__ZIP_MAX32    0xffffffffu

static inline uint16_t es__le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t es__le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void es__put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void es__put_le32(uint8_t *p, uint32_t v)
{
    es__put_le16(p, v);
    es__put_le16(p + 2, v >> 16);
}

typedef struct es__ofd_page {
    es_ofd_page pub;
    char *id, *loc;
    int box_read; /* pub.box is final: Content.xml was read (or could not be) */
} es__ofd_page;

struct es_ofd {
    es_ofd_limits lim;
    es_buf zip; /* the zip itself, without bytes before or after it */
    /* opened for writing (es__ofd_open): the archive kept open over zip, and its source, kept
     * beyond zip_close to read the written package from; NULL otherwise */
    struct zip *za;
    struct zip_source *zsrc;
    size_t before, after;
    /* the zip's one end record, in zip: found by es__ofd_read_zip, copied by es__ofd_zip_copy */
    size_t eocd;
    es__ofd_entry *e;
    size_t ne;
    char *doc_root; /* entry name of the first Document.xml */
    char *sigs_loc; /* entry name of Signatures.xml, or NULL */
    char *ns_uri;   /* namespace of OFD.xml's root ("" when none): new XML uses it */
    /* the namespace prefixes of the roots of OFD.xml and Signatures.xml ("" for none; NULL for a
     * list not read): signing names the elements it inserts with them, without parsing again */
    char *ofd_prefix, *sigs_prefix;
    es__ofd_page *pages;
    size_t npages;
    es__ofd_sig *sigs;
    size_t nsigs;
    long max_id;    /* largest number in a Signature ID or MaxSignId (0 when none) */
    int lazy_pages; /* page boxes are read by es__ofd_read_page_box when needed */
    /* one parser context for every file read (a new one per file costs allocations and a
     * dictionary, as much as parsing a small file); made by es__ofd_read_docs, kept after
     * es__ofd_open only for the page boxes of a lazy_pages document (signing, short-lived) */
    xmlParserCtxt *xml;
};

/* ---- package (ofd_zip.c) ---- */

/* Fill d->zip, d->before/after and d->e from the input, within d->lim; for_writing keeps the
 * archive open in d->za for es__ofd_write_zip (the package is parsed once per signature). */
es_err es__ofd_read_zip(es_ofd *d, const uint8_t *p, size_t n, int for_writing);
/* The entry called name (exact match, else ASCII case-insensitive), or NULL. */
const es__ofd_entry *es__ofd_find(const es_ofd *d, const char *name);
/*
 * The zip at p + start (a prefix before it), its central directory of n records cd_size bytes at
 * cd_off (from the zip's start): every record against the local header it points to (name,
 * method, encryption, CRC-32 and sizes unless a data descriptor gives them), and the entries'
 * bytes against each other (no overlap, no local header outside every entry where a streaming
 * reader would look for the next). ES_ERR_FORMAT naming the entry; ES_ERR_NOMEM. Called by
 * es__ofd_read_zip once libzip has read the directory (ofd_zip_local.c).
 */
es_err es__ofd_zip_local_check(const uint8_t *p, size_t start, uint64_t cd_off, uint64_t cd_size,
                               size_t n);

/*
 * New entries smaller than this are stored: a deflate stream costs about 256 KB of allocation and
 * zeroing to set up, more per signature than the XML files it could shrink by a few hundred
 * bytes are worth (Signatures.xml, OFD.xml, a small document's Signature.xml).
 */
#define ES__OFD_STORE_BELOW 4096

/* A new or replaced entry for es__ofd_write_zip. */
typedef struct es__ofd_put {
    const char *name;
    const uint8_t *data;
    size_t len;
    /* 1: stored, not deflated. Seal.esl and SignedValue.dat carry the seal picture, already
     * compressed (PNG, JPEG): deflating them costs milliseconds per signature and saves nothing.
     * Entries under ES__OFD_STORE_BELOW are stored whatever this says. */
    int store;
    /* data[span_off, span_off + span_len) has the CRC-32 span_crc, known beforehand (a seal's,
     * kept with it): the writer does not read those bytes again. span_len 0: none. */
    size_t span_off, span_len;
    uint32_t span_crc;
} es__ofd_put;
/* The package with the puts applied (replacing entries of the same name), into *out; new and
 * replaced entries dated mtime. Written by es__ofd_zip_copy when it can, else by libzip: the
 * archive kept by es__ofd_open(for_writing) is then used up (with d->zip); without one a copy of
 * d->zip is opened, so a document opened for reading can be written many times. */
es_err es__ofd_write_zip(es_ofd *d, const es__ofd_put *puts, size_t nputs, es_time mtime,
                         es_buf *out);
/*
 * The same without libzip (ofd_zipw.c): every unchanged entry's local record (header, data, data
 * descriptor) and central record copied byte for byte, only the offset updated. *handled 0 (and
 * nothing done) for a package it leaves to libzip: zip64, several disks, records out of bounds
 * or overlapping, an output that would need zip64.
 */
es_err es__ofd_zip_copy(const es_ofd *d, const es__ofd_put *puts, size_t nputs, es_time mtime,
                        es_buf *out, int *handled);

/* ---- XML (ofd_xml.c) ---- */

/*
 * Parse an entry: no network, no DTD (refused), no entity expansion, depth <= max_depth.
 * name is for messages. Free with xmlFreeDoc. ctx: a context from es__ofd_xml_ctx to reuse
 * (reset by each parse), or NULL for one of its own.
 */
es_err es__ofd_xml_parse(xmlParserCtxt *ctx, const es_buf *b, const char *name, int max_depth,
                         xmlDoc **out);
/* A parser context for es__ofd_xml_parse (free with xmlFreeParserCtxt), or NULL: no memory. */
xmlParserCtxt *es__ofd_xml_ctx(void);
/* The first element child of parent whose local name is local (any namespace), or NULL. */
xmlNode *es__ofd_xml_child(const xmlNode *parent, const char *local);
/* The next element sibling after n with the same local name, or NULL. */
xmlNode *es__ofd_xml_next(const xmlNode *n, const char *local);
/* 1 if n is an element with local name local. */
int es__ofd_xml_is(const xmlNode *n, const char *local);
/* The text of n (whitespace trimmed) as a new string; NULL only on no memory. */
char *es__ofd_xml_text(const xmlNode *n);
/* An attribute by local name as a new string, or NULL when absent. */
char *es__ofd_xml_attr(const xmlNode *n, const char *local);

/* ---- paths (ofd_path.c) ---- */

/*
 * Resolve loc (absolute "/a/b" or relative to the directory of the entry base; base NULL means
 * the root) into an entry name in out. "." and ".." are applied; ".." above the root and empty
 * paths are ES_ERR_FORMAT.
 */
es_err es__ofd_resolve(const char *base, const char *loc, char *out, size_t n);
/* Resolve loc against base, and if no such entry exists against the root: a new string. */
es_err es__ofd_locate(const es_ofd *d, const char *base, const char *loc, char **out);
/* "x y w h" into box; 0 when it is not exactly four finite numbers. */
int es__ofd_box(const char *s, double box[4]);

/* ---- documents (ofd_doc.c, ofd_sigxml.c) ---- */

es_err es__ofd_read_docs(es_ofd *d);
/* es__ofd_open flags: keep the archive open for es__ofd_write_zip; leave each page's box to
 * es__ofd_read_page_box (signing needs the box of the pages it stamps, not every Content.xml). */
#define ES__OFD_WRITING    1
#define ES__OFD_LAZY_PAGES 2
/* es_ofd_open with flags (ES__OFD_*; 0 for es_ofd_open's behaviour). */
es_err es__ofd_open(const uint8_t *p, size_t n, const es_ofd_limits *lim, int flags, es_ofd **out);
/* Set the box of page i (0-based) from its Content.xml, once: a page that cannot be read keeps
 * the document's box, as es_ofd_open does. Nothing for an i out of range. */
void es__ofd_read_page_box(es_ofd *d, size_t i);
/* Read Signature.xml of s (s->path set) into s; a failure is kept in s->error, not returned
 * (only ES_ERR_NOMEM is). */
es_err es__ofd_read_sigxml(const es_ofd *d, es__ofd_sig *s);
void es__ofd_sig_release(es__ofd_sig *s);

/* ---- text (ofd_text.c) ---- */

/* Append text escaped for an XML attribute or element. */
void es__ofd_sb_xml(es__sb *s, const char *text);
/* Append a length in mm ("12.5", at most 3 decimals): what "%.3f" gives, trailing zeros cut. */
void es__ofd_sb_mm(es__sb *s, double mm);
/* Append v in decimal. */
void es__ofd_sb_long(es__sb *s, long v);
void es__sb_free(es__sb *s);
/* base64 of SM3(p) into out (45 bytes with NUL), with sm3 (left ready for the next). */
es_err es__ofd_sm3_b64(es_sm3_ctx *sm3, const void *p, size_t n, char out[45]);
/* The namespace prefix of element n as a new string ("" for none); NULL only on no memory. */
char *es__ofd_xml_prefix(const xmlNode *n);
/* The qualified name prefix:local, or local when prefix is "". */
void es__ofd_qname(const char *prefix, const char *local, char *out, size_t size);
/* Insert text before the last closing tag </qname> of buf (or turn <qname .../> into a pair).
 * ES_ERR_FORMAT when neither is found. */
es_err es__ofd_insert_before_close(const es_buf *in, const char *qname, const char *text,
                                   es_buf *out);
/* Replace the text of the last <qname>...</qname> with text; ES_ERR_NOT_FOUND when absent. */
es_err es__ofd_replace_text(const es_buf *in, const char *qname, const char *text, es_buf *out);

/* ---- GM/T 0010 SignedData (ofd_cms.c) ---- */

/* SignedData over data (detached) with contentType, signingTime and messageDigest (SM3). */
es_err es__ofd_cms_sign(const es_key *key, X509 *cert, const void *data, size_t n, es_time t,
                        es_buf *out);
/*
 * Verify SignedValue.dat of a Type="Sign" signature over data into r: format, signature.value,
 * signature.signer_cert, data.hash. A bare SM2 signature is tried with each of extra.
 */
es_err es__ofd_cms_verify(es_report *r, const uint8_t *sv, size_t svn, const void *data, size_t n,
                          const es_ofd_verify_opts *o);
/* A chain check named name in r, like the SES verifier's. */
es_err es__ofd_chain_check(es_report *r, const char *name, X509 *cert, const es_verify_opts *vo);

#endif
