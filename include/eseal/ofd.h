/* OFD documents (GB/T 33190) with seals and signatures (GM/T 0099 practice): read, sign, verify. */
#ifndef ESEAL_OFD_H
#define ESEAL_OFD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/error.h"
#include "eseal/key.h"
#include "eseal/pki.h"
#include "eseal/report.h"
#include "eseal/ses.h"
#include "eseal/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An OFD package is a zip archive. eseal reads every entry into memory once, within limits, so a
 * zip bomb or a crafted XML file is refused before it costs more than the limits allow. docs/ofd.md
 * lists what is read and written. Speed: libzip calls mktime for every entry it opens; with TZ
 * unset, glibc re-reads /etc/localtime each time (15 us of a 0.3 ms signature). A program that
 * opens many packages sets TZ once, as tools/eseal.c does (":/etc/localtime").
 */
#define ES_OFD_MAX_INPUT      (1u << 30) /* largest package file read by es_ofd_read_file */
#define ES_OFD_MAX_ENTRIES    10000u
#define ES_OFD_MAX_ENTRY_SIZE (256u << 20)
#define ES_OFD_MAX_TOTAL      (512u << 20) /* sum of the uncompressed sizes */
#define ES_OFD_MAX_XML_DEPTH  64

typedef struct es_ofd_limits {
    size_t max_entries;    /* 0: ES_OFD_MAX_ENTRIES */
    size_t max_entry_size; /* 0: ES_OFD_MAX_ENTRY_SIZE */
    size_t max_total;      /* 0: ES_OFD_MAX_TOTAL */
    int max_xml_depth;     /* 0: ES_OFD_MAX_XML_DEPTH */
} es_ofd_limits;

/* An opened package: immutable after es_ofd_open. */
typedef struct es_ofd es_ofd;

/* A page of the (first) document, in page order; strings borrowed from the es_ofd. */
typedef struct es_ofd_page {
    const char *id;  /* the page's ID in Document.xml (what a StampAnnot's PageRef names) */
    const char *loc; /* its Content.xml as an entry name (no leading '/') */
    double box[4];   /* PhysicalBox "x y w h" in mm: the page's own Area, else the document's */
} es_ofd_page;

/* A StampAnnot of a signature: Boundary and Clip are "x y w h" in mm. */
typedef struct es_ofd_stamp {
    const char *id;
    const char *page_ref;
    int has_boundary; /* 0 when Boundary is absent or not four numbers */
    double boundary[4];
    int has_clip;
    double clip[4];
} es_ofd_stamp;

/* A signature listed in Signatures.xml. */
typedef struct es_ofd_sig_info {
    const char *id;           /* Signature@ID ("" when absent) */
    const char *type;         /* Signature@Type: "Seal", "Sign", or "" when absent */
    const char *path;         /* Signature.xml as an entry name */
    const char *error;        /* NULL when Signature.xml was read, else why it could not be */
    const char *signing_time; /* SignatureDateTime as written ("" when absent) */
    size_t nrefs;             /* References */
    size_t nstamps;
    const es_ofd_stamp *stamps;
} es_ofd_sig_info;

/*
 * Open a package from memory (copied; p may be freed afterwards). Bytes before and after the zip
 * are tolerated: the zip is found from its end-of-central-directory record. Reads OFD.xml, the
 * first document's Document.xml and page list, each page's PhysicalBox, Signatures.xml and every
 * Signature.xml. lim may be NULL (defaults). Errors: ES_ERR_FORMAT (not a zip, a missing or
 * malformed OFD.xml or Document.xml, duplicate entry names), ES_ERR_LIMIT (an entry count, size,
 * total size or XML depth over the limits: the detail names which), ES_ERR_UNSUPPORTED (a DTD
 * in an XML entry: entities are never expanded).
 */
es_err es_ofd_open(const uint8_t *p, size_t n, const es_ofd_limits *lim, es_ofd **out);
es_err es_ofd_read_file(const char *path, es_ofd **out);
/* NULL is a no-op. */
void es_ofd_free(es_ofd *d);

/* Entries (directories included, names as stored without a leading '/'), in archive order. */
size_t es_ofd_nentries(const es_ofd *d);
const char *es_ofd_entry_name(const es_ofd *d, size_t i);
/* The uncompressed bytes of an entry by name, borrowed; NULL when absent. */
const uint8_t *es_ofd_entry(const es_ofd *d, const char *name, size_t *n);
/* How many bytes came before and after the zip in the input. */
void es_ofd_extra_bytes(const es_ofd *d, size_t *before, size_t *after);

size_t es_ofd_npages(const es_ofd *d);
/* The i-th page (0-based), or NULL out of range. */
const es_ofd_page *es_ofd_page_get0(const es_ofd *d, size_t i);
/* Signatures.xml as an entry name, or NULL when the document has none. */
const char *es_ofd_signatures_path(const es_ofd *d);
size_t es_ofd_nsignatures(const es_ofd *d);
const es_ofd_sig_info *es_ofd_signature_get0(const es_ofd *d, size_t i);

/* Pages, signatures and stamp positions as terminal-safe text; free with es_free. */
es_err es_ofd_to_text(const es_ofd *d, char **out);

/* ---- Signing ---- */

typedef enum es_ofd_sign_kind {
    ES_OFD_SEAL = 0,   /* Type="Seal": SES_Signature v4, one visible stamp */
    ES_OFD_CROSS_PAGE, /* Type="Seal": one signature, a slice of the seal on each page (骑缝章) */
    ES_OFD_DIGITAL     /* Type="Sign": GM/T 0010 SignedData, no stamp */
} es_ofd_sign_kind;

typedef struct es_ofd_sign_opts {
    es_ofd_sign_kind kind;
    const es_seal *seal; /* ES_OFD_SEAL, ES_OFD_CROSS_PAGE: a v4 seal listing cert */
    const es_key *key;   /* the signer's private key, required */
    X509 *cert;          /* the signer's certificate, required */
    long page;           /* ES_OFD_SEAL: page number, 1-based */
    double x_mm, y_mm;   /* ES_OFD_SEAL: top-left corner of the stamp on the page;
                            ES_OFD_CROSS_PAGE: y_mm only */
    long first_page;     /* ES_OFD_CROSS_PAGE: 0 (all pages) or a 1-based range */
    long last_page;
    int close;                /* 1: also protect Signatures.xml (no later signature possible) */
    es_time signing_time;     /* 0: now */
    const es_ofd_limits *lim; /* NULL: defaults */
} es_ofd_sign_opts;

/*
 * Sign the package in (bytes before/after the zip are dropped) and write the signed package to
 * *out. Every unchanged entry keeps its compressed bytes; OFD.xml (once, to add the Signatures
 * pointer) and Signatures.xml are edited as text; Sign_N/Signature.xml, SignedValue.dat and
 * (seals) Seal.esl are added. Every other entry is referenced with its SM3 hash; Signatures.xml
 * only with close. The seal's size comes from its picture's width and height in mm.
 * Errors: ES_ERR_STATE when an existing signature protects Signatures.xml (the document is
 * closed) or the seal/time refusals of es_seal_sign_hash, ES_ERR_ARG for a page out of range or
 * a stamp outside the page, ES_ERR_KEY_MISMATCH, and the errors of es_ofd_open.
 */
es_err es_ofd_sign(const uint8_t *in, size_t n, const es_ofd_sign_opts *o, es_buf *out);

/* ---- Verifying ---- */

typedef struct es_ofd_verify_opts {
    es_verify_opts chain;          /* trust anchors (required), intermediates, CRLs, time */
    STACK_OF(X509) * signer_certs; /* for Type="Sign" files that store a bare SM2 signature
                                      without a certificate (may be NULL) */
    const es_ofd_limits *lim;      /* NULL: defaults */
} es_ofd_verify_opts;

/*
 * Verify every signature of the package into a document report (eseal/report.h): one es_report
 * for the package ("ofd.package", "ofd.signatures", "ofd.coverage") and one per signature, in
 * Signatures.xml order, shaped like es_signature_verify's with the checks "ofd.references",
 * "ofd.seal_file" and "ofd.stamp_annot" added (docs/ofd.md). A package that cannot be opened is
 * not an error here: the "ofd.package" check fails with the reason (including limit refusals).
 * Returns an error only when the verification could not run (no trust anchor, no memory).
 */
es_err es_ofd_verify(const uint8_t *p, size_t n, const es_ofd_verify_opts *o, es_doc_report **out);

#ifdef __cplusplus
}
#endif
#endif
