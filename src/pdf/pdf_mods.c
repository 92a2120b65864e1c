/* Changes after a signature: the signed revision against the whole file, object by object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

/* Above this many objects only pages and annotations are compared (a bound on the work). */
#define MAX_COMPARED_OBJECTS 2000000L
#define MAX_CHANGES_LISTED   20

enum role {
    R_NONE = 0,
    R_PAGE,
    R_CONTENT,
    R_RES,
    R_ANNOTS,
    R_ANNOT,
    R_PAGES,
    R_CATALOG,
    R_FORM,
    R_INFO,
    R_SIGFIELD,
    R_SIGDICT
};

typedef struct mods {
    const es_pdf *d;
    qpdf_data a, b;      /* the signed revision, the whole file */
    unsigned char *role; /* per object number of a */
    int *page;           /* 1-based page of a role, 0 when none */
    long n;
    int docmdp; /* P of a certification in the signed revision, 0 when none */
    es__sb list;
    int nchanges;
} mods;

static void change(mods *m, const char *what, int page, long id)
{
    if (m->nchanges++ >= MAX_CHANGES_LISTED)
        return;
    es__sb_str(&m->list, m->nchanges > 1 ? "; " : "");
    if (page > 0)
        es__sb_printf(&m->list, "page %d: ", page);
    es__sb_str(&m->list, what);
    if (id > 0)
        es__sb_printf(&m->list, " (object %ld)", id);
}

static void set_role(mods *m, qpdf_oh oh, enum role r, int page)
{
    int id = qpdf_oh_get_object_id(m->a, oh);

    if (id > 0 && id < m->n && (m->role[id] == R_NONE || r >= R_SIGFIELD)) {
        m->role[id] = (unsigned char)r;
        m->page[id] = page;
    }
}

/* oh and, for an array or dictionary, each indirect item one level down. */
static void set_role_items(mods *m, qpdf_oh oh, enum role r, int page, int depth)
{
    qpdf_data q = m->a;

    set_role(m, oh, r, page);
    if (depth <= 0)
        return;
    if (qpdf_oh_is_array(q, oh)) {
        int n = qpdf_oh_get_array_n_items(q, oh);
        for (int i = 0; i < n; i++) {
            qpdf_oh e = qpdf_oh_get_array_item(q, oh, i);
            set_role_items(m, e, r, page, depth - 1);
            qpdf_oh_release(q, e);
        }
    } else if (qpdf_oh_is_dictionary(q, oh)) {
        static const char *const keys[] = {"/Font",    "/XObject", "/ExtGState",  "/ColorSpace",
                                           "/Pattern", "/Shading", "/Properties", "/N",
                                           "/D",       "/R"};
        for (size_t i = 0; i < ES__ARRAY_LEN(keys); i++) {
            qpdf_oh v = qpdf_oh_get_key(q, oh, keys[i]);
            if (!qpdf_oh_is_null(q, v))
                set_role_items(m, v, r, page, depth - 1);
            qpdf_oh_release(q, v);
        }
    }
}

static void page_roles(mods *m, int i)
{
    qpdf_data q = m->a;
    qpdf_oh pg = qpdf_get_page_n(q, (size_t)i), v, par = qpdf_oh_get_key(q, pg, "/Parent");
    int n;

    set_role(m, pg, R_PAGE, i + 1);
    v = qpdf_oh_get_key(q, pg, "/Contents");
    set_role_items(m, v, R_CONTENT, i + 1, 1);
    qpdf_oh_release(q, v);
    v = qpdf_oh_get_key(q, pg, "/Resources");
    set_role_items(m, v, R_RES, i + 1, 2);
    qpdf_oh_release(q, v);
    v = qpdf_oh_get_key(q, pg, "/Annots");
    set_role(m, v, R_ANNOTS, i + 1);
    n = qpdf_oh_is_array(q, v) ? qpdf_oh_get_array_n_items(q, v) : 0;
    for (int k = 0; k < n; k++) {
        qpdf_oh an = qpdf_oh_get_array_item(q, v, k), ap = qpdf_oh_get_key(q, an, "/AP");
        set_role(m, an, R_ANNOT, i + 1);
        set_role_items(m, ap, R_ANNOT, i + 1, 2);
        qpdf_oh_release(q, ap);
        qpdf_oh_release(q, an);
    }
    qpdf_oh_release(q, v);
    for (int depth = 0; depth < 64 && qpdf_oh_is_dictionary(q, par); depth++) {
        qpdf_oh up = qpdf_oh_get_key(q, par, "/Parent");
        set_role(m, par, R_PAGES, 0);
        qpdf_oh_release(q, par);
        par = up;
    }
    qpdf_oh_release(q, par);
    qpdf_oh_release(q, pg);
}

/* Signatures already in the signed revision: their fields, widgets, appearances, dictionaries. */
static void sig_roles(mods *m, size_t end)
{
    for (size_t i = 0; i < m->d->nsigs; i++) {
        const es__pdf_sig *s = &m->d->sigs[i];
        int64_t e = s->info.byte_range[2] + s->info.byte_range[3];
        if (s->info.nbyte_range != 4 || e < 0 || (size_t)e > end)
            continue;
        if (s->info.docmdp > 0)
            m->docmdp = s->info.docmdp;
        if (s->info.objid > 0 && s->info.objid < m->n)
            m->role[s->info.objid] = R_SIGDICT;
        if (s->field_objid > 0 && s->field_objid < m->n) {
            qpdf_oh f = qpdf_get_object_by_id(m->a, s->field_objid, 0);
            qpdf_oh kids = qpdf_oh_get_key(m->a, f, "/Kids"), ap = qpdf_oh_get_key(m->a, f, "/AP");
            set_role(m, f, R_SIGFIELD, 0);
            set_role_items(m, ap, R_SIGFIELD, 0, 2);
            set_role_items(m, kids, R_SIGFIELD, 0, 1);
            for (int k = 0;
                 qpdf_oh_is_array(m->a, kids) && k < qpdf_oh_get_array_n_items(m->a, kids); k++) {
                qpdf_oh w = qpdf_oh_get_array_item(m->a, kids, k),
                        wap = qpdf_oh_get_key(m->a, w, "/AP");
                set_role_items(m, wap, R_SIGFIELD, 0, 2);
                qpdf_oh_release(m->a, wap);
                qpdf_oh_release(m->a, w);
            }
            qpdf_oh_release(m->a, ap);
            qpdf_oh_release(m->a, kids);
            qpdf_oh_release(m->a, f);
        }
    }
}

static void doc_roles(mods *m)
{
    qpdf_oh root = qpdf_get_root(m->a), t = qpdf_get_trailer(m->a);
    qpdf_oh af = qpdf_oh_get_key(m->a, root, "/AcroForm"), info = qpdf_oh_get_key(m->a, t, "/Info");
    qpdf_oh f = qpdf_oh_get_key(m->a, af, "/Fields"), md = qpdf_oh_get_key(m->a, root, "/Metadata");

    /* document metadata (XMP, /Info) describes the file: writers update it with each signature */
    set_role(m, md, R_INFO, 0);
    qpdf_oh_release(m->a, md);
    set_role(m, root, R_CATALOG, 0);
    set_role(m, af, R_FORM, 0);
    set_role(m, f, R_FORM, 0);
    set_role(m, info, R_INFO, 0);
    qpdf_oh_release(m->a, f);
    qpdf_oh_release(m->a, af);
    qpdf_oh_release(m->a, info);
    qpdf_oh_release(m->a, t);
    qpdf_oh_release(m->a, root);
}

/* 1 when the serialisations (and raw stream data) of the object in a and b are the same; keys
 * in ign are left out of the comparison. */
static int same(mods *m, qpdf_oh oa, qpdf_oh ob, const es__pdf_kv *ign, size_t nign)
{
    es__sb sa = ES__PDF_SB_INIT, sb = ES__PDF_SB_INIT;
    unsigned char *da = NULL, *db = NULL;
    size_t na = 0, nb = 0;
    int eq = qpdf_oh_is_stream(m->a, oa) == qpdf_oh_is_stream(m->b, ob);
    qpdf_oh ha = oa, hb = ob;

    if (eq && qpdf_oh_is_stream(m->a, oa)) {
        ha = qpdf_oh_get_dict(m->a, oa);
        hb = qpdf_oh_get_dict(m->b, ob);
        eq = es__pdf_stream_raw(m->a, oa, &da, &na) == ES_OK &&
             es__pdf_stream_raw(m->b, ob, &db, &nb) == ES_OK && na == nb &&
             (na == 0 || memcmp(da, db, na) == 0);
    }
    eq = eq && es__pdf_ser(m->a, ha, ign, nign, NULL, &sa) == ES_OK &&
         es__pdf_ser(m->b, hb, ign, nign, NULL, &sb) == ES_OK && sa.len == sb.len &&
         (sa.len == 0 || memcmp(sa.p, sb.p, sa.len) == 0);
    if (ha != oa)
        qpdf_oh_release(m->a, ha);
    if (hb != ob)
        qpdf_oh_release(m->b, hb);
    es__ossl_clear();
    free(da);
    free(db);
    es__sb_free(&sa);
    es__sb_free(&sb);
    return eq;
}

/* The field type of a widget or field, looked up its /Parent chain. */
static int is_sig_widget(qpdf_data q, qpdf_oh w)
{
    qpdf_oh cur = w;
    int sig = 0;

    for (int i = 0; i < 32 && qpdf_oh_is_dictionary(q, cur) && !sig; i++) {
        qpdf_oh up = qpdf_oh_get_key(q, cur, "/Parent");
        if (qpdf_oh_has_key(q, cur, "/FT")) {
            sig = es__pdf_name_is(q, cur, "/FT", "Sig") ? 1 : -1;
        }
        if (cur != w)
            qpdf_oh_release(q, cur);
        cur = up;
        if (sig < 0)
            break;
    }
    if (cur != w)
        qpdf_oh_release(q, cur);
    return sig > 0;
}

static int in_annots(qpdf_data q, qpdf_oh annots, int id)
{
    int n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0, found = 0;

    for (int i = 0; i < n && !found; i++) {
        qpdf_oh e = qpdf_oh_get_array_item(q, annots, i);
        found = qpdf_oh_get_object_id(q, e) == id;
        qpdf_oh_release(q, e);
    }
    return found;
}

/* New annotations on page i: signature widgets are allowed, others only with DocMDP P=3. */
static void page_annots(mods *m, int i)
{
    qpdf_oh pa = qpdf_get_page_n(m->a, (size_t)i), pb = qpdf_get_page_n(m->b, (size_t)i);
    qpdf_oh aa = qpdf_oh_get_key(m->a, pa, "/Annots"), ab = qpdf_oh_get_key(m->b, pb, "/Annots");
    int na = qpdf_oh_is_array(m->a, aa) ? qpdf_oh_get_array_n_items(m->a, aa) : 0;
    int nb = qpdf_oh_is_array(m->b, ab) ? qpdf_oh_get_array_n_items(m->b, ab) : 0;

    if (qpdf_oh_get_object_id(m->a, pa) != qpdf_oh_get_object_id(m->b, pb))
        change(m, "the page was replaced", i + 1, 0);
    for (int k = 0; k < nb; k++) {
        qpdf_oh e = qpdf_oh_get_array_item(m->b, ab, k);
        int id = qpdf_oh_get_object_id(m->b, e);
        if ((id == 0 || !in_annots(m->a, aa, id)) && !is_sig_widget(m->b, e) && m->docmdp != 3) {
            char what[80];
            qpdf_oh st = qpdf_oh_get_key(m->b, e, "/Subtype");
            snprintf(what, sizeof(what), "a new %.40s annotation over the page",
                     qpdf_oh_is_name(m->b, st) ? qpdf_oh_get_name(m->b, st) + 1 : "unknown");
            change(m, what, i + 1, id);
            qpdf_oh_release(m->b, st);
        }
        qpdf_oh_release(m->b, e);
    }
    for (int k = 0; k < na; k++) {
        qpdf_oh e = qpdf_oh_get_array_item(m->a, aa, k);
        int id = qpdf_oh_get_object_id(m->a, e);
        if (id > 0 && !in_annots(m->b, ab, id))
            change(m, "an annotation was removed", i + 1, id);
        qpdf_oh_release(m->a, e);
    }
    qpdf_oh_release(m->a, aa);
    qpdf_oh_release(m->b, ab);
    qpdf_oh_release(m->a, pa);
    qpdf_oh_release(m->b, pb);
}

/* One object that differs: allowed or reported by what it is in the signed revision. */
static void classify(mods *m, long id, qpdf_oh oa, qpdf_oh ob)
{
    static const es__pdf_kv page_ign[] = {{"/Annots", NULL}};
    static const es__pdf_kv cat_ign[] = {
        {"/AcroForm", NULL}, {"/DSS", NULL}, {"/Extensions", NULL}};
    static const es__pdf_kv tree_ign[] = {{"/Kids", NULL}, {"/Count", NULL}};
    int pg = m->page[id], fill = m->docmdp != 1;

    switch (m->role[id]) {
    case R_PAGE:
        if (!same(m, oa, ob, page_ign, 1))
            change(m, "the page dictionary changed", pg, id);
        break;
    case R_CONTENT:
        change(m, "a content stream changed", pg, id);
        break;
    case R_RES:
        change(m, "the resources changed", pg, id);
        break;
    case R_ANNOT:
        /* filling in a form field rewrites its widget and appearance, as DocMDP 2 and 3 allow */
        if (!(fill && qpdf_oh_is_dictionary(m->a, oa) &&
              es__pdf_name_is(m->a, oa, "/Subtype", "Widget")))
            change(m, "an annotation or its appearance changed", pg, id);
        break;
    case R_PAGES:
        if (!same(m, oa, ob, tree_ign, 2))
            change(m, "the page tree changed", 0, id);
        break;
    case R_CATALOG:
        if (!same(m, oa, ob, cat_ign, 3))
            change(m, "the document catalog changed", 0, id);
        break;
    case R_SIGFIELD:
        change(m, "a signed field or its appearance was overridden", 0, id);
        break;
    case R_SIGDICT:
        change(m, "a signature dictionary changed", 0, id);
        break;
    case R_ANNOTS:
    case R_FORM:
    case R_INFO:
        break; /* judged by the page and field comparisons */
    default:
        if (!(qpdf_oh_is_dictionary(m->a, oa) && (es__pdf_name_is(m->a, oa, "/Type", "XRef") ||
                                                  es__pdf_name_is(m->a, oa, "/Type", "ObjStm"))))
            change(m, "an object changed", 0, id);
    }
}

static void compare(mods *m)
{
    int npa = qpdf_get_num_pages(m->a), npb = qpdf_get_num_pages(m->b);

    if (npa != npb) {
        char what[80];
        snprintf(what, sizeof(what), "pages %s: %d then, %d now", npb > npa ? "added" : "removed",
                 npa, npb);
        change(m, what, 0, 0);
    }
    for (int i = 0; i < npa && i < npb; i++)
        page_annots(m, i);
    if (m->docmdp == 1 && m->nchanges == 0)
        change(m, "the document is certified with no changes allowed, yet it was updated", 0, 0);
    for (long id = 1; id < m->n; id++) {
        qpdf_oh oa = qpdf_get_object_by_id(m->a, (int)id, 0);
        if (!qpdf_oh_is_null(m->a, oa)) {
            qpdf_oh ob = qpdf_get_object_by_id(m->b, (int)id, 0);
            if (!same(m, oa, ob, NULL, 0))
                classify(m, id, oa, ob);
            qpdf_oh_release(m->b, ob);
        }
        qpdf_oh_release(m->a, oa);
    }
}

static es_err build(mods *m, size_t end)
{
    qpdf_oh t = qpdf_get_trailer(m->a);
    int np;

    m->n = (long)es__pdf_num(m->a, t, "/Size", 0);
    qpdf_oh_release(m->a, t);
    if (m->n < 1 || m->n > MAX_COMPARED_OBJECTS)
        m->n = 1;
    if ((m->role = calloc((size_t)m->n, 1)) == NULL ||
        (m->page = calloc((size_t)m->n, sizeof(int))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    doc_roles(m);
    np = qpdf_get_num_pages(m->a);
    for (int i = 0; i < np; i++)
        page_roles(m, i);
    sig_roles(m, end);
    return ES_OK;
}

es_err es__pdf_mods_check(es_report *r, const es_pdf *d, const es__pdf_sig *s, size_t end)
{
    mods m;
    es_err rc;
    char *text = NULL;

    (void)s;
    memset(&m, 0, sizeof(m));
    m.d = d;
    m.b = d->q;
    if ((rc = es__pdf_qpdf_open(d->data.data, end, d->password, &m.a, NULL)) != ES_OK) {
        rc = es_report_add(r, "pdf.modifications", ES_CHECK_FAILED,
                           "the signed revision cannot be read: %s", es_errdetail());
        goto end;
    }
    if ((rc = build(&m, end)) != ES_OK)
        goto end;
    compare(&m);
    while (qpdf_has_error(m.b))
        qpdf_get_error(m.b);
    if (m.nchanges > MAX_CHANGES_LISTED)
        es__sb_printf(&m.list, "; and %d more", m.nchanges - MAX_CHANGES_LISTED);
    if ((text = es__sb_cstr(&m.list)) == NULL)
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    else if (m.nchanges == 0)
        rc = es_report_add(r, "pdf.modifications", ES_CHECK_PASSED,
                           "%zu bytes added later hold only allowed changes (signatures, form "
                           "data, DSS)",
                           d->data.len - end);
    else
        rc = es_report_add(r, "pdf.modifications", ES_CHECK_FAILED, "%s", text);
end:
    es_free(text);
    es__sb_free(&m.list);
    free(m.role);
    free(m.page);
    if (m.a != NULL)
        qpdf_cleanup(&m.a);
    return rc;
}
