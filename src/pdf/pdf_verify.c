/* es_pdf_verify: each signature's ByteRange, coverage, value, seal and later modifications. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "pdf/pdf_local.h"
#include "ses/doc_report_local.h"

static int hexval(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The gap must be exactly the hex string that /Contents holds. */
static const char *gap_problem(const es_pdf *d, const es__pdf_sig *s, size_t g0, size_t g1)
{
    const uint8_t *p = d->data.data;
    size_t k = 0;
    int hi = -1;

    if (p[g0] != '<' || p[g1 - 1] != '>')
        return "the gap does not start with '<' and end with '>'";
    for (size_t i = g0 + 1; i + 1 < g1; i++) {
        int v = hexval(p[i]);
        if (v < 0 && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n' || p[i] == '\t'))
            continue;
        if (v < 0)
            return "the gap holds something other than a hex string";
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (k >= s->contents.len || s->contents.data[k] != (uint8_t)(hi << 4 | v))
            return "the gap is not the signature's /Contents";
        k++;
        hi = -1;
    }
    if (hi >= 0 && (k >= s->contents.len || s->contents.data[k++] != (uint8_t)(hi << 4)))
        return "the gap is not the signature's /Contents";
    return k == s->contents.len ? NULL : "the gap is not the signature's /Contents";
}

static es_err byte_range(es_report *r, const es_pdf *d, const es__pdf_sig *s, es__pdf_ranges *rg,
                         int *ok)
{
    const int64_t *b = s->info.byte_range;
    const char *why = NULL;
    size_t n = d->data.len;

    *ok = 0;
    if (s->info.nbyte_range != 4)
        why = "/ByteRange does not have four numbers";
    else if (b[0] != 0)
        why = "/ByteRange does not start at 0";
    else if (b[1] < 2 || b[2] < b[1] + 2 || b[3] < 0 || (uint64_t)b[2] > n ||
             (uint64_t)b[3] > n - (uint64_t)b[2])
        why = "/ByteRange is out of order or beyond the end of the file";
    else
        why = gap_problem(d, s, (size_t)b[1], (size_t)b[2]);
    if (why != NULL)
        return es_report_add(r, "pdf.byte_range", ES_CHECK_FAILED, "%s", why);
    *ok = 1;
    *rg = (es__pdf_ranges){d->data.data, 0, (size_t)b[1], (size_t)b[2], (size_t)(b[2] + b[3])};
    return es_report_add(r, "pdf.byte_range", ES_CHECK_PASSED,
                         "[0 %lld %lld %lld]: everything but the /Contents string", (long long)b[1],
                         (long long)b[2], (long long)b[3]);
}

/* whole_file, whole_revision (later updates follow) or partial. *end is the covered length. */
static es_err coverage(es_report *r, const es_pdf *d, const es__pdf_ranges *rg, int *kind)
{
    size_t end = rg->b1, n = d->data.len, k = end;
    size_t rev = es__pdf_revision_of(d, end);

    while (k < n && (d->data.data[k] == '\r' || d->data.data[k] == '\n' || d->data.data[k] == ' ' ||
                     d->data.data[k] == 0))
        k++;
    if (k == n && rev > 0) {
        *kind = 0;
        return es_report_add(r, "pdf.coverage", ES_CHECK_PASSED, "whole_file");
    }
    if (rev > 0) {
        *kind = 1;
        return es_report_add(r, "pdf.coverage", ES_CHECK_PASSED,
                             "whole_revision: revision %zu of %zu; %zu bytes were added after it",
                             rev, d->nrevs, n - end);
    }
    *kind = 2;
    return es_report_add(r, "pdf.coverage", ES_CHECK_FAILED,
                         "partial: the signed bytes end at %zu, which is not the end of a "
                         "revision (the file has %zu bytes)",
                         end, n);
}

/* /Contents is a GB/T 38540 SES_Signature over the SM3 of the ByteRange bytes. */
static es_err ses_check(es_report *r, const es__pdf_sig *s, const es__pdf_ranges *rg,
                        const es_pdf_verify_opts *o)
{
    es_signature *g = NULL;
    es_report *sr = NULL;
    es_ses_verify_opts so = {0};
    uint8_t md[ES_SM3_LEN];
    es_err rc = es_signature_parse(s->contents.data, s->contents.len, &g);

    if (rc != ES_OK)
        return rc == ES_ERR_NOMEM
                   ? rc
                   : es_report_add(r, "format", ES_CHECK_FAILED,
                                   "/Contents is not a SES_Signature: %s", es_errdetail());
    so.chain = o->chain;
    if (!so.chain.has_at && es_signature_has_time(g)) {
        so.chain.at = es_signature_time(g);
        so.chain.has_at = 1;
    }
    so.data_hash = md;
    if ((rc = es__pdf_ranges_sm3(rg, md)) == ES_OK &&
        (rc = es_signature_verify(g, &so, &sr)) == ES_OK)
        rc = es__pdf_report_merge(r, sr, NULL);
    es_report_free(sr);
    es_signature_free(g);
    return rc;
}

static es_err content_check(es_report *r, const es__pdf_sig *s, const es__pdf_ranges *rg,
                            const es_pdf_verify_opts *o)
{
    const char *sf = s->subfilter;
    int kind = 0;

    if (strcmp(sf, "ESeal.SES") == 0 ||
        (es_ses_detect(s->contents.data, s->contents.len, &kind) == ES_OK &&
         kind == ES_SES_OBJ_SIGNATURE))
        return ses_check(r, s, rg, o);
    es__ossl_clear();
    if (strcmp(sf, "adbe.pkcs7.detached") == 0 || strcmp(sf, "ETSI.CAdES.detached") == 0)
        return es__pdf_cms_verify(r, s->contents.data, s->contents.len, rg, o);
    if (strcmp(sf, "ETSI.RFC3161") == 0)
        return es_report_add_indeterminate(r, "format",
                                           "a document timestamp: not verified yet by eseal");
    return es_report_add(r, "format", ES_CHECK_FAILED,
                         "unknown SubFilter /%s: the signature cannot be verified", sf);
}

static es_err verify_sig(const es_pdf *d, const es__pdf_sig *s, const es_pdf_verify_opts *o,
                         es_report *r)
{
    es__pdf_ranges rg;
    int ok, kind = 2;
    char num[32];
    es_err rc;

    snprintf(num, sizeof(num), "%ld", s->info.page);
    if ((rc = es_report_set_info(r, "object", "pdf signature")) != ES_OK ||
        (rc = es_report_set_info(r, "field", s->field[0] ? s->field : "(outside the form)")) !=
            ES_OK ||
        (rc = es_report_set_info(r, "subfilter", s->subfilter)) != ES_OK ||
        (rc = es_report_set_info(r, "page", num)) != ES_OK ||
        (rc = byte_range(r, d, s, &rg, &ok)) != ES_OK)
        return rc;
    if (!ok)
        return es_report_add(r, "pdf.coverage", ES_CHECK_SKIPPED, "no usable /ByteRange");
    if ((rc = coverage(r, d, &rg, &kind)) != ES_OK || (rc = content_check(r, s, &rg, o)) != ES_OK)
        return rc;
    if (kind == 0)
        return es_report_add(r, "pdf.modifications", ES_CHECK_PASSED,
                             "nothing was added after the signature");
    if (kind == 2)
        return es_report_add(r, "pdf.modifications", ES_CHECK_FAILED,
                             "bytes outside the signed range are not a later revision: "
                             "they cannot be checked");
    return es__pdf_mods_check(r, d, s, rg.b1);
}

static es_err document(es_doc_report *rep, const es_pdf *d)
{
    es_err rc;
    char num[32];

    snprintf(num, sizeof(num), "%zu", d->npages);
    if ((rc = es_report_set_info(rep->doc, "pages", num)) != ES_OK)
        return rc;
    snprintf(num, sizeof(num), "%zu", d->nrevs);
    if ((rc = es_report_set_info(rep->doc, "revisions", num)) != ES_OK ||
        (rc = es_report_add(rep->doc, "pdf.read", ES_CHECK_PASSED,
                            "%zu page(s), %zu revision(s), "
                            "cross-reference %s%s",
                            d->npages, d->nrevs, d->xref_stream ? "stream" : "table",
                            d->repaired ? " (damaged: repaired by qpdf)" : "")) != ES_OK)
        return rc;
    if (d->nsigs == 0)
        return es_report_add_indeterminate(rep->doc, "pdf.signatures", "not signed");
    return es_report_add(rep->doc, "pdf.signatures", ES_CHECK_PASSED, "%zu signature(s)", d->nsigs);
}

es_err es_pdf_verify(const uint8_t *p, size_t n, const es_pdf_verify_opts *o, es_doc_report **out)
{
    es_doc_report *rep = NULL;
    es_pdf *d = NULL;
    es_err rc;

    *out = NULL;
    if (o == NULL || o->chain.trust == NULL || sk_X509_num(o->chain.trust) < 1)
        return es__fail(ES_ERR_ARG, "at least one trust anchor is required");
    if ((rep = es__doc_report_new()) == NULL)
        return ES_ERR_NOMEM;
    if ((rc = es_pdf_open_password(p, n, o->password, &d)) != ES_OK) {
        rc = rc == ES_ERR_NOMEM
                 ? rc
                 : es_report_add(rep->doc, "pdf.read", ES_CHECK_FAILED,
                                 "cannot read the PDF: %s: %s", es_strerror(rc), es_errdetail());
        goto end;
    }
    if ((rc = document(rep, d)) != ES_OK)
        goto end;
    if (d->nsigs > 0 && (rep->sigs = calloc(d->nsigs, sizeof(*rep->sigs))) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    for (size_t i = 0; i < d->nsigs && rc == ES_OK; i++) {
        if ((rc = es_report_new(&rep->sigs[i])) != ES_OK)
            break;
        rep->nsigs++;
        rc = verify_sig(d, &d->sigs[i], o, rep->sigs[i]);
    }
end:
    es_pdf_free(d);
    if (rc != ES_OK) {
        es_doc_report_free(rep);
        return rc;
    }
    *out = rep;
    return ES_OK;
}
