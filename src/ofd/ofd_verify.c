/* Verifying an OFD package: each signature (SES or SignedData), its references, seal file and
 * stamps, and which entries no signature protects. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ofd/ofd_local.h"
#include "ses/doc_report_local.h"

/* Every CheckMethod spelling seen for SM3; an absent one is taken as SM3 (all known writers). */
static int is_sm3(const char *m)
{
    static const char *const names[] = {"", "SM3", "1.2.156.10197.1.401", "1.2.156.10197.1.401.1",
                                        "1.2.156.10197.1.401.2"};

    for (size_t i = 0; i < ES__ARRAY_LEN(names); i++)
        if (strcasecmp(m, names[i]) == 0)
            return 1;
    return 0;
}

/* ofd.references: every Reference's CheckValue against SM3 of the entry's bytes. */
static es_err refs_check(const es_ofd *d, const es__ofd_sig *s, es_report *r)
{
    es__sb bad = {0};
    size_t nbad = 0;
    es_err rc = ES_OK;
    char b64[45];
    es_sm3_ctx *sm3 = NULL;

    if (!is_sm3(s->check_method))
        return es_report_add(r, "ofd.references", ES_CHECK_FAILED, "CheckMethod \"%s\" is not SM3",
                             s->check_method);
    if (s->nrefs == 0)
        return es_report_add(r, "ofd.references", ES_CHECK_FAILED, "no Reference");
    if ((rc = es_sm3_new(&sm3)) != ES_OK)
        return rc;
    for (size_t i = 0; i < s->nrefs && rc == ES_OK; i++) {
        const es__ofd_ref *f = &s->refs[i];
        const es__ofd_entry *e = f->name ? es__ofd_find(d, f->name) : NULL;
        const char *why = NULL;
        if (e == NULL || e->is_dir)
            why = "missing";
        else if ((rc = es__ofd_sm3_b64(sm3, e->data.data, e->data.len, b64)) == ES_OK &&
                 strcmp(b64, f->value) != 0)
            why = "changed";
        if (why != NULL && nbad++ < 20)
            es__sb_printf(&bad, "%s%.200s %s", nbad > 1 ? "; " : "", f->raw, why);
    }
    if (rc == ES_OK && (rc = bad.err) == ES_OK) {
        if (nbad == 0)
            rc = es_report_add(r, "ofd.references", ES_CHECK_PASSED,
                               "all %zu references match (SM3)", s->nrefs);
        else
            rc =
                es_report_add(r, "ofd.references", ES_CHECK_FAILED, "%zu of %zu do not match: %s%s",
                              nbad, s->nrefs, bad.p, nbad > 20 ? "; ..." : "");
    }
    es__sb_free(&bad);
    es_sm3_free(sm3);
    return rc;
}

/* ofd.seal_file: Seal.esl, when named, holds exactly the seal inside the signature. */
static es_err seal_file_check(const es_ofd *d, const es__ofd_sig *s, const es_signature *g,
                              es_report *r)
{
    const es__ofd_entry *e = s->seal_loc ? es__ofd_find(d, s->seal_loc) : NULL;
    const uint8_t *der;
    size_t n = 0;

    if (s->seal_loc == NULL)
        return es_report_add(r, "ofd.seal_file", ES_CHECK_SKIPPED, "no Seal.esl is named");
    if (e == NULL || e->is_dir)
        return es_report_add(r, "ofd.seal_file", ES_CHECK_FAILED, "%s is named but missing",
                             s->seal_loc);
    if (g == NULL)
        return es_report_add(r, "ofd.seal_file", ES_CHECK_SKIPPED,
                             "the signature could not be read to compare its seal");
    der = es_seal_der(es_signature_get0_seal(g), &n);
    if (n != e->data.len || memcmp(der, e->data.data, n) != 0)
        return es_report_add(r, "ofd.seal_file", ES_CHECK_FAILED,
                             "%s (%zu bytes) is not the seal inside the signature (%zu bytes)",
                             s->seal_loc, e->data.len, n);
    return es_report_add(r, "ofd.seal_file", ES_CHECK_PASSED, "%s is the seal inside the signature",
                         s->seal_loc);
}

/* What is wrong with one StampAnnot, or NULL. */
static const char *stamp_problem(const es_ofd *d, const es_ofd_stamp *t)
{
    const es__ofd_page *p = NULL;
    const double *b = t->boundary, *c = t->clip;

    for (size_t i = 0; i < d->npages && p == NULL; i++)
        if (strcmp(d->pages[i].id, t->page_ref) == 0)
            p = &d->pages[i];
    if (p == NULL)
        return "PageRef names no page of the document";
    if (!t->has_boundary || b[2] <= 0 || b[3] <= 0)
        return "Boundary is not four numbers with a positive size";
    if (b[0] >= p->pub.box[0] + p->pub.box[2] || b[0] + b[2] <= p->pub.box[0] ||
        b[1] >= p->pub.box[1] + p->pub.box[3] || b[1] + b[3] <= p->pub.box[1])
        return "Boundary lies outside the page";
    if (t->has_clip && (c[2] <= 0 || c[3] <= 0 || c[0] < -0.01 || c[1] < -0.01 ||
                        c[0] + c[2] > b[2] + 0.01 || c[1] + c[3] > b[3] + 0.01))
        return "Clip is not inside the Boundary";
    return NULL;
}

/* ofd.stamp_annot: each StampAnnot names an existing page by ID, with a sane Boundary/Clip. */
static es_err stamp_check(const es_ofd *d, const es__ofd_sig *s, int digital, es_report *r)
{
    const char *why;
    es__sb pages = {0};
    es_err rc;

    if (s->nstamps == 0)
        return es_report_add(r, "ofd.stamp_annot", ES_CHECK_SKIPPED, "%s",
                             digital ? "no StampAnnot (a signature without a stamp)"
                                     : "no StampAnnot: the seal is not shown on a page");
    for (size_t i = 0; i < s->nstamps; i++) {
        if ((why = stamp_problem(d, &s->stamps[i])) != NULL) {
            es__sb_free(&pages);
            return es_report_add(r, "ofd.stamp_annot", ES_CHECK_FAILED,
                                 "StampAnnot %.60s (PageRef \"%.60s\"): %s", s->stamps[i].id,
                                 s->stamps[i].page_ref, why);
        }
        es__sb_printf(&pages, "%s%.60s", i ? ", " : "", s->stamps[i].page_ref);
    }
    rc = pages.err != ES_OK
             ? pages.err
             : es_report_add(r, "ofd.stamp_annot", ES_CHECK_PASSED,
                             "%zu StampAnnot(s) on pages with ID %s", s->nstamps, pages.p);
    es__sb_free(&pages);
    return rc;
}

/* The SES part: es_ses_verify with dataHash bound to SM3(Signature.xml). */
static es_err seal_part(const es__ofd_entry *xml, const es__ofd_entry *val,
                        const es_ofd_verify_opts *o, es_report **r, es_signature **g)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];
    es_ses_verify_opts so = {0};

    if ((rc = es_sm3(xml->data.data, xml->data.len, md)) != ES_OK)
        return rc;
    so.chain = o->chain;
    so.data_hash = md;
    if ((rc = es_ses_verify(val->data.data, val->data.len, &so, r)) != ES_OK)
        return rc;
    if (es_signature_parse(val->data.data, val->data.len, g) != ES_OK)
        *g = NULL; /* already a failed "format" check */
    return ES_OK;
}

/* Is this a Type="Sign" signature? Type says so; without Type, what SignedValue.dat holds. */
static int is_digital(const es__ofd_sig *s, const es__ofd_entry *val)
{
    int kind = 0;

    if (strcasecmp(s->type, "Sign") == 0)
        return 1;
    if (strcasecmp(s->type, "Seal") == 0)
        return 0;
    return es_ses_detect(val->data.data, val->data.len, &kind) == ES_OK ? 0 : 1;
}

static es_err sig_parts(const es_ofd *d, const es__ofd_sig *s, const es_ofd_verify_opts *o,
                        es_report **r)
{
    es_err rc;
    const es__ofd_entry *xml = es__ofd_find(d, s->path);
    const es__ofd_entry *val = s->value_loc ? es__ofd_find(d, s->value_loc) : NULL;
    es_signature *g = NULL;
    int digital;

    if ((rc = es_report_new(r)) != ES_OK)
        return rc;
    if (s->error != NULL || val == NULL || val->is_dir)
        return es_report_add(*r, "format", ES_CHECK_FAILED, "%s",
                             s->error ? s->error : "SignedValue is missing");
    digital = is_digital(s, val);
    if (digital) {
        rc =
            es__ofd_cms_verify(*r, val->data.data, val->data.len, xml->data.data, xml->data.len, o);
    } else {
        es_report_free(*r);
        *r = NULL;
        rc = seal_part(xml, val, o, r, &g);
    }
    if (rc == ES_OK && (rc = refs_check(d, s, *r)) == ES_OK &&
        (rc = (digital
                   ? es_report_add(*r, "ofd.seal_file", ES_CHECK_SKIPPED, "Type=\"Sign\": no seal")
                   : seal_file_check(d, s, g, *r))) == ES_OK)
        rc = stamp_check(d, s, digital, *r);
    es_signature_free(g);
    return rc;
}

static es_err verify_one(const es_ofd *d, const es__ofd_sig *s, const es_ofd_verify_opts *o,
                         es_report **out)
{
    es_report *r = NULL;
    es_err rc = sig_parts(d, s, o, &r);

    if (rc == ES_OK && (rc = es_report_set_info(r, "ofd_signature_id", s->id)) == ES_OK &&
        (rc = es_report_set_info(r, "ofd_type", s->type[0] ? s->type : "(none)")) == ES_OK)
        rc = es_report_set_info(r, "ofd_path", s->path ? s->path : "");
    if (rc != ES_OK) {
        es_report_free(r);
        return rc;
    }
    *out = r;
    return ES_OK;
}

/* Protected: referenced by a signature, or a signature's own file, or Signatures.xml. */
static int is_protected(const es_ofd *d, const char *name)
{
    if (d->sigs_loc != NULL && strcmp(name, d->sigs_loc) == 0)
        return 1;
    for (size_t i = 0; i < d->nsigs; i++) {
        const es__ofd_sig *s = &d->sigs[i];
        if ((s->path && strcmp(s->path, name) == 0) ||
            (s->value_loc && strcmp(s->value_loc, name) == 0) ||
            (s->seal_loc && strcmp(s->seal_loc, name) == 0))
            return 1;
        for (size_t j = 0; j < s->nrefs; j++)
            if (s->refs[j].name != NULL && strcmp(s->refs[j].name, name) == 0)
                return 1;
    }
    return 0;
}

/* ofd.coverage: entries added after the signatures (or never signed) are reported. */
static es_err coverage_check(const es_ofd *d, es_report *r)
{
    es__sb t = {0};
    size_t n = 0;
    es_err rc;

    if (d->nsigs == 0)
        return es_report_add(r, "ofd.coverage", ES_CHECK_SKIPPED, "no signature");
    for (size_t i = 0; i < d->ne; i++)
        if (!d->e[i].is_dir && !is_protected(d, d->e[i].name) && n++ < 20)
            es__sb_printf(&t, "%s/%.200s", n > 1 ? ", " : "", d->e[i].name);
    if ((rc = t.err) == ES_OK)
        rc = n == 0 ? es_report_add(r, "ofd.coverage", ES_CHECK_PASSED,
                                    "every entry is protected by a signature")
                    : es_report_add(r, "ofd.coverage", ES_CHECK_FAILED,
                                    "%zu entries no signature protects (added or changed after "
                                    "signing): %s%s",
                                    n, t.p, n > 20 ? ", ..." : "");
    es__sb_free(&t);
    return rc;
}

static es_err verify_doc(const es_ofd *d, const es_ofd_verify_opts *o, es_doc_report *rep)
{
    es_err rc;

    if ((rc = es_report_add(rep->doc, "ofd.package", ES_CHECK_PASSED,
                            "%zu entries, %zu pages; %zu bytes before and %zu after the zip "
                            "ignored",
                            d->ne, d->npages, d->before, d->after)) != ES_OK)
        return rc;
    if ((rep->sigs = calloc(d->nsigs + 1, sizeof(*rep->sigs))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->nsigs; i++, rep->nsigs++)
        if ((rc = verify_one(d, &d->sigs[i], o, &rep->sigs[i])) != ES_OK)
            return rc;
    rc = d->nsigs == 0
             ? es_report_add_indeterminate(rep->doc, "ofd.signatures", "the document is not signed")
             : es_report_add(rep->doc, "ofd.signatures", ES_CHECK_PASSED,
                             "%zu signature(s) listed in %s", d->nsigs, d->sigs_loc);
    return rc == ES_OK ? coverage_check(d, rep->doc) : rc;
}

es_err es_ofd_verify(const uint8_t *p, size_t n, const es_ofd_verify_opts *o, es_doc_report **out)
{
    es_err rc;
    es_ofd *d = NULL;
    es_doc_report *rep = NULL;

    assert((p != NULL || n == 0) && o != NULL && out != NULL);
    *out = NULL;
    if (o->chain.trust == NULL || sk_X509_num(o->chain.trust) == 0)
        return es__fail(ES_ERR_ARG, "no trust anchor given");
    if ((rep = es__doc_report_new()) == NULL)
        return ES_ERR_NOMEM;
    if ((rc = es_report_set_info(rep->doc, "object", "ofd")) != ES_OK)
        goto end;
    rc = es_ofd_open(p, n, o->lim, &d);
    if (rc == ES_ERR_NOMEM)
        goto end;
    if (rc != ES_OK)
        rc = es_report_add(rep->doc, "ofd.package", ES_CHECK_FAILED, "%s: %s", es_strerror(rc),
                           es_errdetail());
    else
        rc = verify_doc(d, o, rep);
end:
    es_ofd_free(d);
    if (rc != ES_OK)
        es_doc_report_free(rep);
    else
        *out = rep;
    return rc;
}
