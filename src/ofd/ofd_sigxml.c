/* Reading a Signature.xml (GM/T 0099): references, stamp annotations, seal and value locations. */
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

static es_err nomem(void)
{
    return es__fail(ES_ERR_NOMEM, "out of memory");
}

static es_err read_refs(const es_ofd *d, es__ofd_sig *s, const xmlNode *refs)
{
    size_t n = 0;
    char p[4096];

    if ((s->check_method = es__ofd_xml_attr(refs, "CheckMethod")) == NULL &&
        (s->check_method = strdup("")) == NULL)
        return nomem();
    for (xmlNode *r = es__ofd_xml_child(refs, "Reference"); r; r = es__ofd_xml_next(r, "Reference"))
        n++;
    if ((s->refs = calloc(n + 1, sizeof(*s->refs))) == NULL)
        return nomem();
    for (xmlNode *r = es__ofd_xml_child(refs, "Reference"); r != NULL;
         r = es__ofd_xml_next(r, "Reference")) {
        es__ofd_ref *f = &s->refs[s->nrefs++];
        if ((f->raw = es__ofd_xml_attr(r, "FileRef")) == NULL && (f->raw = strdup("")) == NULL)
            return nomem();
        if ((f->value = es__ofd_xml_text(es__ofd_xml_child(r, "CheckValue"))) == NULL)
            return nomem();
        /* FileRef is normally absolute; a relative one is taken from the package root */
        if (es__ofd_resolve(NULL, f->raw, p, sizeof(p)) == ES_OK && (f->name = strdup(p)) == NULL)
            return nomem();
        (void)d;
    }
    return ES_OK;
}

static es_err read_stamps(es__ofd_sig *s, const xmlNode *si)
{
    size_t n = 0;

    for (xmlNode *a = es__ofd_xml_child(si, "StampAnnot"); a; a = es__ofd_xml_next(a, "StampAnnot"))
        n++;
    if ((s->stamps = calloc(n + 1, sizeof(*s->stamps))) == NULL)
        return nomem();
    for (xmlNode *a = es__ofd_xml_child(si, "StampAnnot"); a != NULL;
         a = es__ofd_xml_next(a, "StampAnnot")) {
        es_ofd_stamp *t = &s->stamps[s->nstamps++];
        char *b = es__ofd_xml_attr(a, "Boundary"), *c = es__ofd_xml_attr(a, "Clip");
        t->has_boundary = es__ofd_box(b, t->boundary);
        t->has_clip = es__ofd_box(c, t->clip);
        free(b);
        free(c);
        t->id = es__ofd_xml_attr(a, "ID");
        t->page_ref = es__ofd_xml_attr(a, "PageRef");
        if ((t->id == NULL && (t->id = strdup("")) == NULL) ||
            (t->page_ref == NULL && (t->page_ref = strdup("")) == NULL))
            return nomem();
    }
    return ES_OK;
}

/* Seal/BaseLoc and SignedValue, resolved against Signature.xml. */
static es_err read_locs(const es_ofd *d, es__ofd_sig *s, const xmlNode *root, const xmlNode *si)
{
    es_err rc = ES_OK;
    char *t = NULL;
    xmlNode *seal = es__ofd_xml_child(es__ofd_xml_child(si, "Seal"), "BaseLoc");
    xmlNode *val = es__ofd_xml_child(root, "SignedValue");

    if (val == NULL)
        val = es__ofd_xml_child(si, "SignedValue"); /* misplaced by some writers */
    if (seal != NULL) {
        if ((t = es__ofd_xml_text(seal)) == NULL)
            return nomem();
        if (t[0] != '\0' && (rc = es__ofd_locate(d, s->path, t, &s->seal_loc)) != ES_OK)
            goto end;
        free(t);
        t = NULL;
    }
    if (val != NULL) {
        if ((t = es__ofd_xml_text(val)) == NULL)
            return nomem();
        if (t[0] != '\0')
            rc = es__ofd_locate(d, s->path, t, &s->value_loc);
    }
end:
    free(t);
    return rc;
}

es_err es__ofd_read_sigxml(const es_ofd *d, es__ofd_sig *s)
{
    es_err rc = ES_OK;
    const es__ofd_entry *e = es__ofd_find(d, s->path);
    xmlDoc *doc = NULL;
    xmlNode *root, *si = NULL;

    if (e == NULL || e->is_dir) {
        rc = es__fail(ES_ERR_FORMAT, "%s is missing from the package", s->path);
        goto end;
    }
    if ((rc = es__ofd_xml_parse(d->xml, &e->data, s->path, d->lim.max_xml_depth, &doc)) != ES_OK)
        goto end;
    root = xmlDocGetRootElement(doc);
    if (!es__ofd_xml_is(root, "Signature") ||
        (si = es__ofd_xml_child(root, "SignedInfo")) == NULL) {
        rc = es__fail(ES_ERR_FORMAT, "%s: no Signature/SignedInfo", s->path);
        goto end;
    }
    if ((s->date = es__ofd_xml_text(es__ofd_xml_child(si, "SignatureDateTime"))) == NULL)
        rc = nomem();
    else if ((rc = read_refs(d, s, es__ofd_xml_child(si, "References"))) == ES_OK &&
             (rc = read_stamps(s, si)) == ES_OK)
        rc = read_locs(d, s, root, si);
end:
    xmlFreeDoc(doc);
    /* a signature that cannot be read is reported by the verifier, not an error here */
    if (rc != ES_OK && rc != ES_ERR_NOMEM)
        rc = (s->error = strdup(es_errdetail())) != NULL ? ES_OK : nomem();
    return rc;
}

void es__ofd_sig_release(es__ofd_sig *s)
{
    for (size_t i = 0; i < s->nrefs; i++) {
        free(s->refs[i].raw);
        free(s->refs[i].name);
        free(s->refs[i].value);
    }
    for (size_t i = 0; i < s->nstamps; i++) {
        free((char *)s->stamps[i].id);
        free((char *)s->stamps[i].page_ref);
    }
    free(s->refs);
    free(s->stamps);
    free(s->id);
    free(s->type);
    free(s->path);
    free(s->error);
    free(s->date);
    free(s->check_method);
    free(s->seal_loc);
    free(s->value_loc);
    memset(s, 0, sizeof(*s));
}
