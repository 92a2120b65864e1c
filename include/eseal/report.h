/* Verification reports: an overall status and an ordered list of named checks, as JSON or text. */
#ifndef ESEAL_REPORT_H
#define ESEAL_REPORT_H

#include <stddef.h>

#include "eseal/error.h"
#include "eseal/pki.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ES_REPORT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ES_REPORT_PRINTF(f, a)
#endif

/*
 * A report is what every verifier of eseal returns (seals, signatures, and later OFD and PDF
 * documents): docs/report.md documents the JSON form, which is stable. A check that ran and
 * found a problem FAILED; one that could not run or does not apply (no data given, a timestamp
 * that a later release verifies) is SKIPPED. A skipped check may be marked indeterminate: it
 * needed to run but could not decide (a chain to an unknown root, a missing CRL).
 */
typedef enum es_check_result {
    ES_CHECK_PASSED = 0,
    ES_CHECK_FAILED,
    ES_CHECK_SKIPPED
} es_check_result;

/* One check, borrowed from its report (valid while the report lives and is not added to). */
typedef struct es_check {
    const char *name; /* stable identifier, e.g. "seal.maker_signature" */
    es_check_result result;
    int indeterminate;  /* 1: could not be decided; makes the status indeterminate */
    const char *detail; /* one line of UTF-8, never NULL (may be "") */
} es_check;

typedef struct es_report es_report;

/* Limits that keep a report small whatever the input: longer details are cut at a UTF-8
 * character boundary, and adding more checks or info entries is ES_ERR_LIMIT. */
#define ES_REPORT_MAX_CHECKS 256
#define ES_REPORT_MAX_DETAIL 2048

es_err es_report_new(es_report **out);
/* NULL is a no-op. */
void es_report_free(es_report *r);

/*
 * Append a check. name is copied; detail is printf-formatted. An indeterminate check is added
 * with es_report_add_indeterminate (its result is ES_CHECK_SKIPPED).
 */
es_err es_report_add(es_report *r, const char *name, es_check_result result, const char *fmt, ...)
    ES_REPORT_PRINTF(4, 5);
es_err es_report_add_indeterminate(es_report *r, const char *name, const char *fmt, ...)
    ES_REPORT_PRINTF(3, 4);

/*
 * Set a descriptive key/value (what was verified: "object", "esID", "signing_time", ...),
 * emitted in the JSON "info" object in the order first set. Setting a key again replaces its
 * value. Both strings are copied; the value is cut to ES_REPORT_MAX_DETAIL bytes.
 */
es_err es_report_set_info(es_report *r, const char *key, const char *value);

/* Invalid if any check failed, else indeterminate if any check is indeterminate or there is no
 * check at all, else valid. */
es_verdict es_report_status(const es_report *r);

size_t es_report_ncheck(const es_report *r);
/* The i-th check in the order added; NULL when i is out of range. */
const es_check *es_report_check(const es_report *r, size_t i);
/* The first check called name, or NULL. */
const es_check *es_report_find(const es_report *r, const char *name);

size_t es_report_ninfo(const es_report *r);
/* The i-th info entry (borrowed); ES_ERR_ARG when i is out of range. */
es_err es_report_info(const es_report *r, size_t i, const char **key, const char **value);
/* The value of key, or NULL. */
const char *es_report_get_info(const es_report *r, const char *key);

/* Flags for es_report_to_json. */
#define ES_REPORT_JSON_PRETTY 1u /* indent with two spaces and end with a newline */

/*
 * The report as JSON: {"status": ..., "checks": [{"name", "result", "detail"
 * [, "indeterminate": true]}...], "info": {...}} (docs/report.md). Strings are escaped for JSON;
 * bytes that are not valid UTF-8 become U+FFFD, so the output is always valid UTF-8 JSON.
 * *out is NUL-terminated; free it with es_free.
 */
es_err es_report_to_json(const es_report *r, unsigned flags, char **out);

/*
 * The report as human-readable lines: "status: valid", each info entry, then one line per
 * check ("  passed  seal.maker_signature: ..."). Control characters from the input are shown as
 * '?', so printing the text to a terminal is safe. Free *out with es_free.
 */
es_err es_report_to_text(const es_report *r, char **out);

/* ---- Document reports (es_ofd_verify, es_pdf_verify) ---- */

/*
 * A signed document's verification: one report for the file itself (reading, the list of
 * signatures, what they cover) and one per signature, in the document's order.
 */
typedef struct es_doc_report es_doc_report;

void es_doc_report_free(es_doc_report *r);
/* Invalid if any report has a failed check, else indeterminate if any is, else valid. */
es_verdict es_doc_report_status(const es_doc_report *r);
/* The file-level report (borrowed). */
const es_report *es_doc_report_document(const es_doc_report *r);
size_t es_doc_report_nsignatures(const es_doc_report *r);
/* The i-th signature's report (borrowed); NULL out of range. */
const es_report *es_doc_report_signature(const es_doc_report *r, size_t i);
/*
 * {"status": ..., "document": {report}, "signatures": [{report}, ...]} where each report is
 * es_report_to_json's object. flags as es_report_to_json. Free *out with es_free.
 */
es_err es_doc_report_to_json(const es_doc_report *r, unsigned flags, char **out);
/* Terminal-safe text: the status, the document checks, then each signature's report. */
es_err es_doc_report_to_text(const es_doc_report *r, char **out);

#ifdef __cplusplus
}
#endif
#endif
