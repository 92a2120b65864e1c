/* PDF documents with visible seals and signatures: read, sign by incremental update, verify. */
#ifndef ESEAL_PDF_H
#define ESEAL_PDF_H

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
 * PDF files are parsed with qpdf (xref tables and streams, object streams, hybrid files,
 * inherited page attributes, damaged files repaired by qpdf). eseal never rewrites a file: a
 * signature is an incremental update appended to the original bytes (docs/pdf.md).
 */
#define ES_PDF_MAX_INPUT   (1024u << 20) /* largest PDF read or signed */
#define ES_PDF_MAX_FIELDS  10000u        /* form fields walked (nested kids included) */
#define ES_PDF_MAX_SIGS    256u          /* signatures reported */
#define ES_PDF_MAX_CONTENT (1u << 20)    /* largest /Contents of a signature */

/* An opened PDF: immutable after es_pdf_open. */
typedef struct es_pdf es_pdf;

/* A page as the viewer shows it; boxes are in user space (points), inherited values applied. */
typedef struct es_pdf_page {
    int objid;       /* the page object's number */
    double media[4]; /* MediaBox llx lly urx ury */
    double crop[4];  /* CropBox (MediaBox when absent), clipped to the MediaBox */
    int rotate;      /* /Rotate normalised to 0, 90, 180 or 270 (clockwise) */
    size_t nannots;  /* annotations on the page */
} es_pdf_page;

/* What a signature is, before any verification. Strings are borrowed from the es_pdf. */
typedef struct es_pdf_sig_info {
    const char *field;     /* fully qualified field name; "" for a dictionary outside the form */
    const char *filter;    /* /Filter, e.g. "Adobe.PPKLite" ("" when absent) */
    const char *subfilter; /* /SubFilter, e.g. "adbe.pkcs7.detached" ("" when absent) */
    int objid;             /* the signature dictionary's object number (0 when direct) */
    int nbyte_range;       /* entries of /ByteRange (4 when well-formed) */
    int64_t byte_range[4];
    size_t contents_len; /* bytes of /Contents */
    const char *m;       /* /M as written ("" when absent) */
    long page;           /* 1-based page of its first widget, 0 when unknown */
    int docmdp;          /* certification: the DocMDP P value 1-3, 0 for an approval signature */
    size_t revision;     /* 1-based revision whose end the ByteRange reaches, 0 when none */
} es_pdf_sig_info;

/*
 * Open a PDF from memory (copied). Errors: ES_ERR_FORMAT (not a PDF, or damaged beyond what
 * qpdf repairs), ES_ERR_PASSWORD (encrypted with a user password), ES_ERR_LIMIT (larger than
 * ES_PDF_MAX_INPUT, too many fields).
 */
es_err es_pdf_open(const uint8_t *p, size_t n, es_pdf **out);
/* The same for an encrypted file: password is its user or owner password (NULL: none). */
es_err es_pdf_open_password(const uint8_t *p, size_t n, const char *password, es_pdf **out);
es_err es_pdf_read_file(const char *path, const char *password, es_pdf **out);
/* NULL is a no-op. */
void es_pdf_free(es_pdf *d);

size_t es_pdf_npages(const es_pdf *d);
/* The i-th page (0-based), or NULL out of range. */
const es_pdf_page *es_pdf_page_get0(const es_pdf *d, size_t i);
/* Revisions: one per %%EOF marker; the end offset (after the marker and its end of line). */
size_t es_pdf_nrevisions(const es_pdf *d);
size_t es_pdf_revision_end(const es_pdf *d, size_t i);
/* 1 when the last cross-reference section is a stream, 0 for a table (also hybrid files). */
int es_pdf_xref_is_stream(const es_pdf *d);
/* 1 when the file is encrypted; 1 when qpdf had to repair it (signing refuses both). */
int es_pdf_is_encrypted(const es_pdf *d);
int es_pdf_was_repaired(const es_pdf *d);
/* Signatures (form fields with a value, and signature dictionaries outside the form), in
 * ByteRange order. */
size_t es_pdf_nsignatures(const es_pdf *d);
const es_pdf_sig_info *es_pdf_signature_get0(const es_pdf *d, size_t i);

/* Pages, revisions, signatures and their coverage as terminal-safe text; free with es_free. */
es_err es_pdf_to_text(const es_pdf *d, char **out);

/* ---- Signing ---- */

typedef enum es_pdf_format {
    ES_PDF_GM = 0, /* adbe.pkcs7.detached: GM/T 0010 SignedData (SM2/SM3) carrying the SESeal */
    ES_PDF_SES,    /* ESeal.SES: /Contents is a GB/T 38540 SES_Signature */
    ES_PDF_PADES   /* ETSI.CAdES.detached, PAdES B-B: an EC P-256 or RSA key, SHA-256 */
} es_pdf_format;

typedef struct es_pdf_sign_opts {
    es_pdf_format format;
    const es_seal *seal;  /* the seal (required for ses; its picture is drawn; pades: only that) */
    const uint8_t *image; /* or a picture (PNG or JPEG) when there is no seal */
    size_t image_len;
    const es_key *key;      /* the signer's private key, required */
    X509 *cert;             /* the signer's certificate, required */
    STACK_OF(X509) * chain; /* certificates to embed beside cert (may be NULL) */
    long page;              /* 1-based page; 0: the first page, or the keyword's page */
    double x_mm, y_mm;      /* top-left corner of the seal, mm from the shown page's top-left */
    const char *keyword;    /* instead of x/y: centre the seal on the first match (may be NULL) */
    int cross_page;         /* 1: a cross-page seal (骑缝章) at the right edge of the pages */
    long first_page;        /* cross_page: 0 (all pages) or a 1-based range */
    long last_page;
    int certify;        /* 0: approval signature; 1-3: certification with DocMDP P */
    const char *reason; /* /Reason and /Location (UTF-8, may be NULL) */
    const char *location;
    es_time signing_time; /* 0: now */
    const char *password; /* an encrypted PDF's user or owner password (NULL: none) */
} es_pdf_sign_opts;

/*
 * Sign the PDF in and write the original bytes followed by one incremental update to *out: a
 * new signature field whose widget(s) draw the seal picture, the signature dictionary, and the
 * changed page, form and catalog objects, with a cross-reference section of the file's own kind.
 * An encrypted PDF (standard security handler R2-R6) is signed with its password: the new
 * objects are encrypted with the document's key, /Contents excepted (docs/pdf.md).
 * Errors: ES_ERR_PASSWORD (encrypted and no or a wrong password), ES_ERR_UNSUPPORTED (a public-key
 * or custom security handler, a picture that is neither PNG nor JPEG), ES_ERR_ARG
 * (a key of the wrong kind: gm and ses need SM2, pades EC P-256 or RSA), ES_ERR_STATE (the document
 * is certified with P=1, or certify on a signed document), ES_ERR_ARG (page out of range, a seal
 * outside the page, keyword not found), ES_ERR_FORMAT (damaged input), and the refusals of
 * es_seal_sign_hash.
 */
es_err es_pdf_sign(const uint8_t *in, size_t n, const es_pdf_sign_opts *o, es_buf *out);

/*
 * The bytes es_pdf_sign writes for the seal's picture, between "stream\n" and "\nendstream": in
 * *image the colour image's stream (a PNG's RGB plane, Flate-compressed, or a JPEG picture itself)
 * and in *smask its soft mask's (a PNG's alpha plane; empty when every pixel is opaque, and for a
 * JPEG). Every PDF signed with the seal holds these same bytes (encrypted PDFs excepted: their
 * streams are encrypted), most of a small signed PDF: a store keeps them once and lets each
 * stored document refer to them. Computed by the same encoder and cache as es_pdf_sign, so a
 * batch pays for it once. Both buffers are overwritten (the caller frees them: es_buf_free_public).
 * Errors: ES_ERR_ARG (no seal or buffer), ES_ERR_FORMAT (no picture, a damaged PNG or JPEG),
 * ES_ERR_UNSUPPORTED (a picture that is neither PNG nor JPEG), ES_ERR_NOMEM.
 */
es_err es_pdf_picture_streams(const es_seal *seal, es_buf *image, es_buf *smask);

/* ---- Verifying ---- */

typedef struct es_pdf_verify_opts {
    es_verify_opts chain; /* trust anchors (required), intermediates, CRLs; at: see docs/pdf.md */
    const char *password; /* an encrypted PDF's user or owner password (NULL: none) */
} es_pdf_verify_opts;

/*
 * Verify every signature into a document report (eseal/report.h): one es_report for the file
 * ("pdf.read", "pdf.signatures") and one per signature shaped like es_signature_verify's, with
 * "pdf.byte_range", "pdf.coverage" and "pdf.modifications" added (docs/pdf.md). A file that
 * cannot be read is not an error here: the "pdf.read" check fails; a file without signatures is
 * indeterminate. Returns an error only when the verification could not run (no trust anchor, no
 * memory).
 */
es_err es_pdf_verify(const uint8_t *p, size_t n, const es_pdf_verify_opts *o, es_doc_report **out);

#ifdef __cplusplus
}
#endif
#endif
