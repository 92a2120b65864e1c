/* Finding signatures: form fields (nested kids included) and signature dictionaries elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

#define MAX_FIELD_DEPTH 32

static es_err add_name(es_pdf *d, const char *name)
{
    char **nf;

    if (d->nfields == ES_PDF_MAX_FIELDS)
        return es__fail(ES_ERR_LIMIT, "more than %u form fields", ES_PDF_MAX_FIELDS);
    if ((nf = realloc(d->fields, (d->nfields + 1) * sizeof(*nf))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    d->fields = nf;
    if ((d->fields[d->nfields] = strdup(name)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    d->nfields++;
    return ES_OK;
}

/* The 1-based page whose object is objid, else the page listing the widget in /Annots. */
static long page_of(const es_pdf *d, qpdf_oh widget)
{
    qpdf_data q = d->q;
    qpdf_oh p = qpdf_oh_get_key(q, widget, "/P");
    int id = qpdf_oh_get_object_id(q, p), wid = qpdf_oh_get_object_id(q, widget);
    long r = 0;

    qpdf_oh_release(q, p);
    for (size_t i = 0; i < d->npages && r == 0; i++)
        if (id > 0 && d->pages[i].objid == id)
            r = (long)i + 1;
    for (size_t i = 0; i < d->npages && r == 0 && wid > 0; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, i), an = qpdf_oh_get_key(q, pg, "/Annots");
        int n = qpdf_oh_is_array(q, an) ? qpdf_oh_get_array_n_items(q, an) : 0;
        for (int j = 0; j < n && r == 0; j++) {
            qpdf_oh a = qpdf_oh_get_array_item(q, an, j);
            if (qpdf_oh_get_object_id(q, a) == wid)
                r = (long)i + 1;
            qpdf_oh_release(q, a);
        }
        qpdf_oh_release(q, an);
        qpdf_oh_release(q, pg);
    }
    return r;
}

/* DocMDP P of a signature dictionary's /Reference (0 when it has none). */
static int docmdp_of(qpdf_data q, qpdf_oh v)
{
    qpdf_oh refs = qpdf_oh_get_key(q, v, "/Reference");
    int n = qpdf_oh_is_array(q, refs) ? qpdf_oh_get_array_n_items(q, refs) : 0, p = 0;

    for (int i = 0; i < n && p == 0; i++) {
        qpdf_oh r = qpdf_oh_get_array_item(q, refs, i);
        if (es__pdf_name_is(q, r, "/TransformMethod", "DocMDP")) {
            qpdf_oh tp = qpdf_oh_get_key(q, r, "/TransformParams");
            p = (int)es__pdf_num(q, tp, "/P", 2);
            p = p < 1 || p > 3 ? 2 : p;
            qpdf_oh_release(q, tp);
        }
        qpdf_oh_release(q, r);
    }
    qpdf_oh_release(q, refs);
    return p;
}

/* Record the signature dictionary v (of field name, widget w, or neither). */
static es_err add_sig(es_pdf *d, qpdf_oh v, const char *name, qpdf_oh w, int field_objid)
{
    qpdf_data q = d->q;
    es__pdf_sig *ns, *s;
    qpdf_oh br, c;
    size_t len = 0;
    const char *bytes;

    if (d->nsigs == ES_PDF_MAX_SIGS)
        return es__fail(ES_ERR_LIMIT, "more than %u signatures", ES_PDF_MAX_SIGS);
    if ((ns = realloc(d->sigs, (d->nsigs + 1) * sizeof(*ns))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    d->sigs = ns;
    s = &d->sigs[d->nsigs++];
    memset(s, 0, sizeof(*s));
    s->field = strdup(name);
    s->filter = es__pdf_get_text(q, v, "/Filter");
    s->subfilter = es__pdf_get_text(q, v, "/SubFilter");
    s->m = es__pdf_get_text(q, v, "/M");
    s->field_objid = field_objid;
    if (!s->field || !s->filter || !s->subfilter || !s->m)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    s->info.objid = qpdf_oh_get_object_id(q, v);
    br = qpdf_oh_get_key(q, v, "/ByteRange");
    s->info.nbyte_range = qpdf_oh_is_array(q, br) ? qpdf_oh_get_array_n_items(q, br) : 0;
    for (int i = 0; i < 4 && i < s->info.nbyte_range; i++) {
        qpdf_oh e = qpdf_oh_get_array_item(q, br, i);
        s->info.byte_range[i] = qpdf_oh_is_integer(q, e) ? qpdf_oh_get_int_value(q, e) : -1;
        qpdf_oh_release(q, e);
    }
    qpdf_oh_release(q, br);
    c = qpdf_oh_get_key(q, v, "/Contents");
    if (qpdf_oh_is_string(q, c) && (bytes = qpdf_oh_get_binary_string_value(q, c, &len)) != NULL &&
        len <= ES_PDF_MAX_CONTENT && es_buf_set(&s->contents, bytes, len) != ES_OK)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    qpdf_oh_release(q, c);
    s->info.contents_len = s->contents.len;
    s->info.page = w ? page_of(d, w) : 0;
    s->info.docmdp = docmdp_of(q, v);
    return ES_OK;
}

static es_err walk(es_pdf *d, qpdf_oh f, const char *parent, int depth, const char *ft_in);

static es_err walk_kids(es_pdf *d, qpdf_oh kids, const char *name, int depth, const char *ft)
{
    es_err rc = ES_OK;
    int n = qpdf_oh_get_array_n_items(d->q, kids);

    for (int i = 0; i < n && rc == ES_OK; i++) {
        qpdf_oh k = qpdf_oh_get_array_item(d->q, kids, i);
        if (qpdf_oh_is_dictionary(d->q, k))
            rc = walk(d, k, name, depth + 1, ft);
        qpdf_oh_release(d->q, k);
    }
    return rc;
}

/* A field: its name, and when it is a signature field with a value, the signature. */
static es_err walk(es_pdf *d, qpdf_oh f, const char *parent, int depth, const char *ft_in)
{
    qpdf_data q = d->q;
    char *t = es__pdf_get_text(q, f, "/T"), *ft = es__pdf_get_text(q, f, "/FT"), *name = NULL;
    qpdf_oh kids = qpdf_oh_get_key(q, f, "/Kids"), v = qpdf_oh_get_key(q, f, "/V");
    es_err rc = ES_OK;
    size_t nn;

    if (t == NULL || ft == NULL || (nn = strlen(parent) + strlen(t) + 2) == 0 ||
        (name = malloc(nn)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if (depth > MAX_FIELD_DEPTH) {
        rc = es__fail(ES_ERR_LIMIT, "form fields nested deeper than %d", MAX_FIELD_DEPTH);
        goto end;
    }
    snprintf(name, nn, "%s%s%s", parent, parent[0] && t[0] ? "." : "", t);
    if (ft[0] == 0) {
        free(ft);
        ft = strdup(ft_in);
    }
    if (ft == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if (t[0] && (rc = add_name(d, name)) != ES_OK)
        goto end;
    if (strcmp(ft, "Sig") == 0 && qpdf_oh_is_dictionary(q, v)) {
        qpdf_oh w = f;
        if (qpdf_oh_is_array(q, kids) && qpdf_oh_get_array_n_items(q, kids) > 0)
            w = qpdf_oh_get_array_item(q, kids, 0);
        rc = add_sig(d, v, name, w, qpdf_oh_get_object_id(q, f));
        if (w != f)
            qpdf_oh_release(q, w);
    }
    if (rc == ES_OK && qpdf_oh_is_array(q, kids))
        rc = walk_kids(d, kids, name, depth, ft);
end:
    qpdf_oh_release(q, kids);
    qpdf_oh_release(q, v);
    free(t);
    free(ft);
    free(name);
    return rc;
}

static int known(const es_pdf *d, int objid)
{
    for (size_t i = 0; i < d->nsigs; i++)
        if (d->sigs[i].info.objid == objid)
            return 1;
    return 0;
}

/* Signature dictionaries that no field points at: a signature must not hide outside the form. */
static es_err scan_objects(es_pdf *d)
{
    qpdf_data q = d->q;
    es_err rc = ES_OK;

    for (long id = 1; id < d->size && rc == ES_OK; id++) {
        qpdf_oh o = qpdf_get_object_by_id(q, (int)id, 0);
        /* one call for each test: every object of the file passes through here */
        if (qpdf_oh_is_dictionary(q, o) && !known(d, (int)id) &&
            (qpdf_oh_is_dictionary_of_type(q, o, "/Sig", "") ||
             qpdf_oh_is_dictionary_of_type(q, o, "/DocTimeStamp", "") ||
             (qpdf_oh_has_key(q, o, "/ByteRange") && qpdf_oh_has_key(q, o, "/Contents"))))
            rc = add_sig(d, o, "", 0, 0);
        qpdf_oh_release(q, o);
    }
    return rc;
}

static int by_end(const void *a, const void *b)
{
    const es__pdf_sig *x = a, *y = b;
    int64_t ex = x->info.byte_range[2] + x->info.byte_range[3];
    int64_t ey = y->info.byte_range[2] + y->info.byte_range[3];

    return ex < ey ? -1 : ex > ey;
}

es_err es__pdf_read_fields(es_pdf *d)
{
    qpdf_data q = d->q;
    qpdf_oh root = qpdf_get_root(q), af = qpdf_oh_get_key(q, root, "/AcroForm");
    /* most documents have no form: asking a null for a key makes qpdf record a warning */
    qpdf_oh fields = qpdf_oh_get_key_if_dict(q, af, "/Fields");
    es_err rc = ES_OK;

    if (qpdf_oh_is_array(q, fields))
        rc = walk_kids(d, fields, "", 0, "");
    if (rc == ES_OK)
        rc = scan_objects(d);
    qpdf_oh_release(q, fields);
    qpdf_oh_release(q, af);
    qpdf_oh_release(q, root);
    if (rc != ES_OK)
        return rc;
    if (d->nsigs > 1)
        qsort(d->sigs, d->nsigs, sizeof(*d->sigs), by_end);
    for (size_t i = 0; i < d->nsigs; i++) {
        es__pdf_sig *s = &d->sigs[i];
        s->info.field = s->field;
        s->info.filter = s->filter;
        s->info.subfilter = s->subfilter;
        s->info.m = s->m;
        if (s->info.nbyte_range == 4 && s->info.byte_range[2] >= 0 && s->info.byte_range[3] >= 0)
            s->info.revision =
                es__pdf_revision_of(d, (size_t)(s->info.byte_range[2] + s->info.byte_range[3]));
    }
    /* errors on damaged objects were handled as absent values: start the next reader clean */
    while (qpdf_has_error(q))
        qpdf_get_error(q);
    return ES_OK;
}
