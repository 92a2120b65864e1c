/* The objects of a signing update: appearances, widgets, the field, and the changed page, form
 * and catalog objects (existing objects are rewritten from qpdf with the new keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"
#include "pdf/pdf_update_local.h"

/* Numbers separated by spaces, each as "%.4f" writes it. */
static void reals(es__sb *b, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            es__sb_add(b, " ", 1);
        es__pdf_sb_real(b, v[i]);
    }
}

/* An appearance: the picture (or its slice) upright on the shown page (ISO 32000 12.5.5). */
static void write_ap(es__pdf_writer *w, const es__pdf_widget *x, long ap, long img)
{
    es__sb c = ES__PDF_SB_INIT;
    /* /Rotate is a multiple of 90: the matrix entries are 0, 1 or -1 */
    static const int cs[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    int co = cs[(x->rotate / 90) & 3][0], si = cs[(x->rotate / 90) & 3][1];
    const int m[4] = {co, si, -si, co};
    const double bbox[2] = {x->bw, x->bh};

    /* "q w 0 0 h dx 0 cm /Seal Do Q" */
    ES__SB_LIT(&c, "q ");
    es__pdf_sb_real(&c, x->img_w);
    ES__SB_LIT(&c, " 0 0 ");
    es__pdf_sb_real(&c, x->img_h);
    ES__SB_LIT(&c, " ");
    es__pdf_sb_real(&c, x->img_dx);
    ES__SB_LIT(&c, " 0 cm /Seal Do Q\n");
    es__pdf_w_begin(w, ap);
    /* the page is shown turned clockwise by /Rotate: turn the appearance back */
    ES__SB_LIT(&w->out, "<< /Type /XObject /Subtype /Form /BBox [0 0 ");
    reals(&w->out, bbox, 2);
    ES__SB_LIT(&w->out, "] /Matrix [");
    for (int i = 0; i < 4; i++) {
        es__pdf_sb_int(&w->out, m[i]);
        ES__SB_LIT(&w->out, " ");
    }
    ES__SB_LIT(&w->out, "0 0] /Resources << /XObject << /Seal ");
    es__pdf_sb_ref(&w->out, img);
    ES__SB_LIT(&w->out, " >> >> /Length ");
    es__pdf_sb_uint(&w->out, c.len, 0);
    ES__SB_LIT(&w->out, " >>\nstream\n");
    es__sb_add(&w->out, c.p, c.len);
    es__sb_str(&w->out, "\nendstream");
    es__pdf_w_end(w);
    if (c.err != ES_OK && w->out.err == ES_OK)
        w->out.err = c.err;
    es__sb_free(&c);
}

/* The widget keys: a merged field/widget for one page, kids of the field across pages. */
static void widget_keys(es__pdf_writer *w, const es__pdf_widget *x, long ap)
{
    ES__SB_LIT(&w->out, " /Type /Annot /Subtype /Widget /F 132 /P ");
    es__pdf_sb_ref(&w->out, w->d->pages[x->page].objid);
    ES__SB_LIT(&w->out, " /Rect [");
    reals(&w->out, x->rect, 4);
    ES__SB_LIT(&w->out, "] /AP << /N ");
    es__pdf_sb_ref(&w->out, ap);
    ES__SB_LIT(&w->out, " >>");
}

es_err es__pdf_write_widgets(es__pdf_writer *w, const es__pdf_update *u)
{
    for (size_t i = 0; i < u->nwidgets; i++)
        write_ap(w, &u->widgets[i], u->ap_ids[i], u->img);
    es__pdf_w_begin(w, u->field);
    es__sb_str(&w->out, "<< /FT /Sig /T ");
    es__pdf_sb_text(&w->out, u->name);
    ES__SB_LIT(&w->out, " /V ");
    es__pdf_sb_ref(&w->out, u->sig);
    if (u->nwidgets == 1) {
        widget_keys(w, &u->widgets[0], u->ap_ids[0]);
    } else {
        es__sb_str(&w->out, " /Kids [");
        for (size_t i = 0; i < u->nwidgets; i++) {
            if (i > 0)
                ES__SB_LIT(&w->out, " ");
            es__pdf_sb_ref(&w->out, u->widget_ids[i]);
        }
        es__sb_str(&w->out, "]");
    }
    es__sb_str(&w->out, " >>");
    es__pdf_w_end(w);
    for (size_t i = 0; u->nwidgets > 1 && i < u->nwidgets; i++) {
        es__pdf_w_begin(w, u->widget_ids[i]);
        ES__SB_LIT(&w->out, "<< /Parent ");
        es__pdf_sb_ref(&w->out, u->field);
        widget_keys(w, &u->widgets[i], u->ap_ids[i]);
        es__sb_str(&w->out, " >>");
        es__pdf_w_end(w);
    }
    return w->out.err;
}

/* Rewrite an existing object: its serialisation with keys replaced or items appended, written
 * in place (a failure fails the whole update, so a half-written object is never used). */
static es_err rewrite(es__pdf_writer *w, qpdf_oh oh, const es__pdf_kv *ov, size_t nov,
                      const char *append)
{
    es_err rc;

    es__pdf_w_begin_gen(w, qpdf_oh_get_object_id(w->d->q, oh), qpdf_oh_get_generation(w->d->q, oh));
    if ((rc = es__pdf_ser(w->d->q, oh, ov, nov, append, &w->out)) != ES_OK)
        return rc;
    es__pdf_w_end(w);
    return w->out.err;
}

/* Serialise an array (direct or absent) with one more reference at its end. */
static es_err array_plus(qpdf_data q, qpdf_oh arr, long id, es__sb *b)
{
    char ref[32];

    snprintf(ref, sizeof(ref), "%ld 0 R", id);
    if (!qpdf_oh_is_array(q, arr)) {
        es__sb_printf(b, "[%s]", ref);
        return b->err;
    }
    return es__pdf_ser(q, arr, NULL, 0, ref, b);
}

/* Add the widget to the page's /Annots: rewrite the array object, or the page with a new one. */
static es_err add_annot(es__pdf_writer *w, size_t page, long widget)
{
    qpdf_data q = w->d->q;
    qpdf_oh pg = qpdf_get_page_n(q, page), an = qpdf_oh_get_key(q, pg, "/Annots");
    es__sb b = ES__PDF_SB_INIT;
    char ref[32];
    es_err rc;

    snprintf(ref, sizeof(ref), "%ld 0 R", widget);
    if (qpdf_oh_is_array(q, an) && qpdf_oh_is_indirect(q, an)) {
        rc = rewrite(w, an, NULL, 0, ref);
    } else if ((rc = array_plus(q, an, widget, &b)) == ES_OK) {
        es__pdf_kv kv = {"/Annots", (const char *)b.p};
        rc = rewrite(w, pg, &kv, 1, NULL);
    }
    es__sb_free(&b);
    qpdf_oh_release(q, an);
    qpdf_oh_release(q, pg);
    return rc;
}

/* The form: the new field in /Fields and /SigFlags 3; the catalog when the form is not an
 * indirect object of its own, or for the certification's /Perms. */
static es_err add_field(es__pdf_writer *w, const es__pdf_update *u)
{
    qpdf_data q = w->d->q;
    qpdf_oh root = qpdf_get_root(q), af = qpdf_oh_get_key(q, root, "/AcroForm");
    qpdf_oh fields = qpdf_oh_get_key_if_dict(q, af, "/Fields"); /* no warning when af is null */
    es__sb fb = ES__PDF_SB_INIT, ab = ES__PDF_SB_INIT, pb = ES__PDF_SB_INIT;
    es_kv_list cat = {{{0}}, 0};
    es__pdf_kv kv[2] = {{"/Fields", NULL}, {"/SigFlags", "3"}};
    es_err rc = ES_OK;
    char ref[32];

    snprintf(ref, sizeof(ref), "%ld 0 R", u->field);
    if (qpdf_oh_is_array(q, fields) && qpdf_oh_is_indirect(q, fields))
        rc = rewrite(w, fields, NULL, 0, ref);
    else if ((rc = array_plus(q, fields, u->field, &fb)) == ES_OK)
        kv[0].text = (const char *)fb.p;
    if (rc == ES_OK && qpdf_oh_is_dictionary(q, af) && qpdf_oh_is_indirect(q, af)) {
        rc = rewrite(w, af, kv[0].text ? kv : kv + 1, kv[0].text ? 2 : 1, NULL);
    } else if (rc == ES_OK) {
        if (qpdf_oh_is_dictionary(q, af))
            rc = es__pdf_ser(q, af, kv, 2, NULL, &ab);
        else
            es__sb_printf(&ab, "<< /Fields [%s] /SigFlags 3 >>", ref);
        cat.kv[cat.n++] = (es__pdf_kv){"/AcroForm", (const char *)ab.p};
    }
    if (rc == ES_OK && u->certify) {
        es__sb_printf(&pb, "<< /DocMDP %ld 0 R >>", u->sig);
        cat.kv[cat.n++] = (es__pdf_kv){"/Perms", (const char *)pb.p};
    }
    if (rc == ES_OK && (rc = ab.err ? ab.err : pb.err) == ES_OK && cat.n > 0)
        rc = rewrite(w, root, cat.kv, cat.n, NULL);
    es__sb_free(&fb);
    es__sb_free(&ab);
    es__sb_free(&pb);
    qpdf_oh_release(q, fields);
    qpdf_oh_release(q, af);
    qpdf_oh_release(q, root);
    return rc;
}

es_err es__pdf_write_changes(es__pdf_writer *w, const es__pdf_update *u)
{
    es_err rc = ES_OK;

    for (size_t i = 0; i < u->nwidgets && rc == ES_OK; i++)
        rc = add_annot(w, u->widgets[i].page, u->nwidgets == 1 ? u->field : u->widget_ids[i]);
    if (rc == ES_OK)
        rc = add_field(w, u);
    return rc;
}
