/* What the files of src/pdf/ share: the document model over qpdf, PDF strings, the writer. */
#ifndef ESEAL_PDF_LOCAL_H
#define ESEAL_PDF_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <qpdf/qpdf-c.h>

#include "eseal/pdf.h"
#include "eseal_local.h"
#include "util/sb.h"

/* ---- bytes (util/sb.h; pdf_text.c) ---- */

/* PDF output is as large as its input and then some: builders start with this limit. */
#define ES__PDF_SB_MAX ((size_t)ES_PDF_MAX_INPUT + (256u << 20))
#define ES__PDF_SB_INIT                                                                            \
    {                                                                                              \
        .max = ES__PDF_SB_MAX                                                                      \
    }

/* A PDF literal string (text with '(', ')' and backslash escaped); UTF-8 text becomes UTF-16BE. */
void es__pdf_sb_text(es__sb *b, const char *utf8);

/* ---- numbers without printf (pdf_num.c) ---- */

/* v in decimal, zero-padded to width digits (0: no padding). */
void es__pdf_sb_uint(es__sb *b, unsigned long long v, int width);
void es__pdf_sb_int(es__sb *b, long long v);
/* v with four decimals, as "%.4f" writes it (the last digit may be rounded differently). */
void es__pdf_sb_real(es__sb *b, double v);
/* "id 0 R" */
void es__pdf_sb_ref(es__sb *b, long id);
/* Lower-case hex of n bytes. */
void es__pdf_sb_hex(es__sb *b, const uint8_t *p, size_t n);

/* ---- the document (pdf_doc.c, pdf_fields.c) ---- */

typedef struct es__pdf_sig {
    es_pdf_sig_info info; /* public view; strings point at the fields below */
    char *field, *filter, *subfilter, *m;
    es_buf contents;
    int field_objid; /* the field (or merged field/widget) object, 0 when outside the form */
} es__pdf_sig;

struct es_pdf {
    es_buf data;
    int borrowed; /* data is the caller's (ES__PDF_BORROW) */
    qpdf_data q;
    char *password; /* as given to es_pdf_open_password (wiped when freed), or NULL */
    int encrypted, repaired, xref_stream;
    int64_t startxref; /* offset of the last cross-reference section */
    long size;         /* the trailer's /Size */
    size_t *revs;
    size_t nrevs;
    es_pdf_page *pages;
    size_t npages;
    unsigned char *page_loaded; /* ES__PDF_LAZY_PAGES: 1 for each page read so far */
    es__pdf_sig *sigs;
    size_t nsigs;
    char **fields; /* fully qualified names of every field */
    size_t nfields;
};

/* es__pdf_open: use the caller's bytes, which must outlive the document (no copy). */
#define ES__PDF_BORROW 1u
/* es__pdf_open: read only each page's object number; es__pdf_page_load reads a page's boxes,
 * /Rotate and annotations when a caller needs them. */
#define ES__PDF_LAZY_PAGES 2u

/* es_pdf_open_password with flags (ES__PDF_*). */
es_err es__pdf_open(const uint8_t *p, size_t n, const char *password, unsigned flags, es_pdf **out);
/* Read page i (0-based) when it was left out at open; ES_OK when already read or out of range.
 * ES_ERR_FORMAT. */
es_err es__pdf_page_load(es_pdf *d, size_t i);

/* Open qpdf on p[0..n) (not copied: it must outlive *q) with password (may be NULL).
 * ES_ERR_PASSWORD, ES_ERR_FORMAT. */
es_err es__pdf_qpdf_open(const uint8_t *p, size_t n, const char *password, qpdf_data *q,
                         int *repaired);
/* Walk the form and every object for signature dictionaries (fills d->sigs, d->fields). */
es_err es__pdf_read_fields(es_pdf *d);
/* The 1-based revision whose end is exactly end, or 0. */
size_t es__pdf_revision_of(const es_pdf *d, size_t end);

/* ---- qpdf helpers (pdf_obj.c) ---- */

/* Drop errors qpdf recorded on earlier lookups (a missing key is not an error for eseal). */
void es__pdf_qpdf_clear(qpdf_data q);
/* The value of key in dict as a number / name (without '/') / int; def when absent. */
double es__pdf_num(qpdf_data q, qpdf_oh dict, const char *key, double def);
int es__pdf_name_is(qpdf_data q, qpdf_oh dict, const char *key, const char *name);
/* A new string: the name (without '/') or text of dict[key]; "" when absent; NULL on no memory. */
char *es__pdf_get_text(qpdf_data q, qpdf_oh dict, const char *key);
/* 1 when dict[key] is an array of four numbers, stored in box (normalised: lower-left first). */
int es__pdf_box(qpdf_data q, qpdf_oh dict, const char *key, double box[4]);
/* The same for the array arr itself. */
int es__pdf_box_of(qpdf_data q, qpdf_oh arr, double box[4]);

/* A key to replace or add when serialising a dictionary: text is PDF syntax. */
typedef struct es__pdf_kv {
    const char *key; /* with the leading '/' */
    const char *text;
} es__pdf_kv;
/*
 * Serialise oh as PDF syntax: the object itself even when it is indirect, references inside it
 * as "N G R". A top-level dictionary gets the keys of ov replaced or added; a top-level array
 * gets append (may be NULL) added at its end.
 */
es_err es__pdf_ser(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, const char *append,
                   es__sb *b);
/* Serialise oh as a value: a reference "N G R" when it is indirect. */
es_err es__pdf_ser_value(qpdf_data q, qpdf_oh oh, es__sb *b);
/* The raw (undecoded) data of a stream; caller frees *p with free(). */
es_err es__pdf_stream_raw(qpdf_data q, qpdf_oh oh, unsigned char **p, size_t *n);

/* ---- encrypted documents (pdf_crypt_key.c, pdf_crypt.c) ---- */

/* How strings or streams are encrypted (ISO 32000-2 7.6.5 /CFM). */
typedef enum es__pdf_cm {
    ES__PDF_CM_NONE = 0, /* Identity */
    ES__PDF_CM_RC4,      /* V2 */
    ES__PDF_CM_AES128,   /* AESV2 */
    ES__PDF_CM_AES256    /* AESV3 */
} es__pdf_cm;

/* The standard security handler's state: the file key and the methods. */
typedef struct es__pdf_crypt {
    uint8_t key[32];
    size_t nkey;
    int r;               /* /R: 2-6 */
    es__pdf_cm stm, str; /* streams, strings */
    int owner;           /* 1 when the owner password was given */
    uint32_t p;          /* /P permissions */
} es__pdf_crypt;

/* RC4 in place (for the handler: OpenSSL 3 keeps RC4 in its legacy provider). */
void es__pdf_rc4(const uint8_t *key, size_t nkey, uint8_t *p, size_t n);
/*
 * The file key of q's standard security handler (R2-R6) from the user or owner password.
 * Errors: ES_ERR_PASSWORD (password NULL or wrong), ES_ERR_UNSUPPORTED (public-key or custom
 * handlers, unknown V/R or crypt filter), ES_ERR_FORMAT. Wipe *c with OPENSSL_cleanse.
 */
es_err es__pdf_crypt_init(qpdf_data q, const char *password, es__pdf_crypt *c);
/*
 * Append the body of object id gen (the text after "id gen obj", as eseal writes it) to out with
 * every string and the stream data encrypted and /Length adjusted; with plain_contents the
 * top-level /Contents string is copied as it is (a signature dictionary, ISO 32000-2 7.6.2).
 */
es_err es__pdf_crypt_object(const es__pdf_crypt *c, long id, int gen, const uint8_t *p, size_t n,
                            int plain_contents, es__sb *out);

/* ---- incremental writer (pdf_write.c) ---- */

typedef struct es__pdf_off {
    long id;
    int gen;
    size_t off;
} es__pdf_off;

typedef struct es__pdf_writer {
    const es_pdf *d;
    es__sb out;
    es__pdf_off *objs;
    size_t nobjs, cap;
    long next_id;               /* the next free object number */
    const es__pdf_crypt *crypt; /* encrypt each object at es__pdf_w_end (NULL: plain) */
    long plain_id;              /* the signature dictionary: its /Contents stays plain */
} es__pdf_writer;

/* 32 new bytes for /ID strings (two of 16): unique in and across processes, not secret
 * (pdf_id.c). */
es_err es__pdf_new_id(uint8_t out[32]);

/* Start with a copy of the original bytes (and an end of line if they lack one). */
es_err es__pdf_w_init(es__pdf_writer *w, const es_pdf *d);
/* A new object number. */
long es__pdf_w_new_id(es__pdf_writer *w);
/* Record that object id starts here and write "id 0 obj\n" (or "id gen obj\n"). */
void es__pdf_w_begin(es__pdf_writer *w, long id);
void es__pdf_w_begin_gen(es__pdf_writer *w, long id, int gen);
/* End the object begun last (encrypting it first when w->crypt is set). */
void es__pdf_w_end(es__pdf_writer *w);
/* Write the cross-reference section (table or stream, as the file's last one) and trailer. */
es_err es__pdf_w_finish(es__pdf_writer *w);
void es__pdf_w_release(es__pdf_writer *w);

/* ---- seal picture and appearance (pdf_image.c, pdf_place.c) ---- */

/* Write the picture as an image XObject (with an SMask for transparency): object id img. */
es_err es__pdf_image_write(es__pdf_writer *w, const uint8_t *p, size_t n, long img);

/* A widget to add: page, rectangle in user space, appearance matrix and the slice drawn. */
typedef struct es__pdf_widget {
    size_t page; /* 0-based */
    double rect[4];
    int rotate;
    double bw, bh; /* appearance BBox (the shown size of the widget), points */
    double img_dx; /* the picture's offset in the appearance (cross-page slices) */
    double img_w, img_h;
} es__pdf_widget;

/* Widgets for a seal of w x h mm (see es_pdf_sign_opts). ES_ERR_ARG for bad pages/positions. */
es_err es__pdf_place(const es_pdf *d, const es_pdf_sign_opts *o, double w_mm, double h_mm,
                     es__pdf_widget **out, size_t *nout);
/* The centre of the first match of text, in user space of the 0-based page. ES_ERR_NOT_FOUND. */
es_err es__pdf_keyword(const es_pdf *d, const char *text, long page, size_t *pg, double *x,
                       double *y);

/* ---- CMS (pdf_cms_sign.c, pdf_cms_verify.c) ---- */

/* The private attribute that carries the SESeal in a gm SignedData (docs/pdf.md). */
#define ES__PDF_OID_SEAL_ATTR "2.25.232003012709744419712516910680222307431.2.1"

/* The bytes a ByteRange covers, as two spans of d (or of a buffer being written). */
typedef struct es__pdf_ranges {
    const uint8_t *p;
    size_t a0, a1, b0, b1; /* [a0, a1) and [b0, b1) */
} es__pdf_ranges;

/* SM3 of the ranges (pdf_cms.c). */
es_err es__pdf_ranges_sm3(const es__pdf_ranges *r, uint8_t md[32]);

/* The DER length of cert and chain (may be NULL) together, as a SignedData carries them. */
size_t es__pdf_cms_certs_len(X509 *cert, STACK_OF(X509) * chain);

/* A GM/T 0010 SignedData over the ranges' SM3, carrying seal (may be NULL) as an attribute. */
es_err es__pdf_cms_sign_gm(const es_key *key, X509 *cert, STACK_OF(X509) * chain,
                           const es_seal *seal, const uint8_t md[32], es_time t, es_buf *out);

/* SHA-256 of the ranges (pdf_cms.c). */
es_err es__pdf_ranges_sha256(const es__pdf_ranges *rg, uint8_t md[32]);

/*
 * A pades SignedData (ETSI.CAdES.detached) over the ranges' SHA-256 md with key (EC P-256 or RSA;
 * ES_ERR_ARG for SM2): signed attributes contentType, messageDigest, signingCertificateV2.
 */
es_err es__pdf_cms_sign_pades(const es_key *key, X509 *cert, STACK_OF(X509) * chain,
                              const uint8_t md[32], es_buf *out);

/* Verify a SignedData over the ranges into r: format, data.hash, signature.value, the chain and
 * (gm) the seal checks. */
es_err es__pdf_cms_verify(es_report *r, const uint8_t *p, size_t n, const es__pdf_ranges *rg,
                          const es_pdf_verify_opts *o);

/* ---- verifying (pdf_verify.c, pdf_mods.c) ---- */

/* Compare the revision that ends at end with the whole file; add "pdf.modifications". */
es_err es__pdf_mods_check(es_report *r, const es_pdf *d, const es__pdf_sig *s, size_t end);
/* Copy every check and info entry of from into to (checks named in skip are left out). */
es_err es__pdf_report_merge(es_report *to, const es_report *from, const char *skip);
/* The chain of cert at the verification time, as the check name. */
es_err es__pdf_chain_check(es_report *r, const char *name, X509 *cert, STACK_OF(X509) * extra,
                           const es_verify_opts *vo);

#endif
