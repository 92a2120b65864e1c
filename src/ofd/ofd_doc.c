/* Opening an OFD package: OFD.xml, Document.xml and its pages, Signatures.xml; accessors. */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

/* Parse the entry called name (which must exist) with d's limits. */
static es_err parse_entry(const es_ofd *d, const char *name, xmlDoc **doc)
{
    const es__ofd_entry *e = es__ofd_find(d, name);

    if (e == NULL || e->is_dir)
        return es__fail(ES_ERR_FORMAT, "%s is missing from the package", name);
    return es__ofd_xml_parse(d->xml, &e->data, name, d->lim.max_xml_depth, doc);
}

/* OFD.xml: the first DocBody's DocRoot and Signatures, and the namespace new XML uses. */
static es_err read_ofd_xml(es_ofd *d)
{
    es_err rc;
    xmlDoc *doc = NULL;
    xmlNode *root, *body;
    char *loc = NULL;

    if ((rc = parse_entry(d, "OFD.xml", &doc)) != ES_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    body = es__ofd_xml_child(root, "DocBody");
    if (!es__ofd_xml_is(root, "OFD") || body == NULL ||
        es__ofd_xml_child(body, "DocRoot") == NULL) {
        rc = es__fail(ES_ERR_FORMAT, "OFD.xml: no OFD/DocBody/DocRoot");
        goto end;
    }
    d->ns_uri = strdup(root->ns != NULL ? (const char *)root->ns->href : "");
    d->ofd_prefix = es__ofd_xml_prefix(root);
    if (d->ns_uri == NULL || d->ofd_prefix == NULL ||
        (loc = es__ofd_xml_text(es__ofd_xml_child(body, "DocRoot"))) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    if ((rc = es__ofd_locate(d, "OFD.xml", loc, &d->doc_root)) != ES_OK)
        goto end;
    free(loc);
    loc = NULL;
    if (es__ofd_xml_child(body, "Signatures") != NULL) {
        if ((loc = es__ofd_xml_text(es__ofd_xml_child(body, "Signatures"))) == NULL)
            rc = es__fail(ES_ERR_NOMEM, "out of memory");
        else if (loc[0] != '\0')
            rc = es__ofd_locate(d, "OFD.xml", loc, &d->sigs_loc);
    }
end:
    free(loc);
    xmlFreeDoc(doc);
    return rc;
}

void es__ofd_read_page_box(es_ofd *d, size_t i)
{
    es__ofd_page *p;
    xmlDoc *doc = NULL;
    char *box = NULL;

    if (i >= d->npages || d->pages[i].box_read)
        return;
    p = &d->pages[i];
    p->box_read = 1;
    /* a page that cannot be read keeps the document's box: verifying reports the entry */
    if (es__ofd_find(d, p->loc) != NULL && parse_entry(d, p->loc, &doc) == ES_OK) {
        xmlNode *area = es__ofd_xml_child(xmlDocGetRootElement(doc), "Area");
        if (area != NULL && es__ofd_xml_child(area, "PhysicalBox") != NULL &&
            (box = es__ofd_xml_text(es__ofd_xml_child(area, "PhysicalBox"))) != NULL)
            es__ofd_box(box, p->pub.box);
    }
    free(box);
    xmlFreeDoc(doc);
}

/* One Page of Document.xml: ID, location, and (unless left for later) its own PhysicalBox. */
static es_err read_page(es_ofd *d, const xmlNode *pn, const double dflt[4])
{
    es_err rc;
    es__ofd_page *p = &d->pages[d->npages];
    char *loc = es__ofd_xml_attr(pn, "BaseLoc");

    memcpy(p->pub.box, dflt, sizeof(p->pub.box));
    if ((p->id = es__ofd_xml_attr(pn, "ID")) == NULL || loc == NULL) {
        rc = es__fail(ES_ERR_FORMAT, "Document.xml: page %zu lacks ID or BaseLoc", d->npages + 1);
        goto end;
    }
    if ((rc = es__ofd_locate(d, d->doc_root, loc, &p->loc)) != ES_OK)
        goto end;
    d->npages++;
    p->pub.id = p->id;
    p->pub.loc = p->loc;
    if (!d->lazy_pages)
        es__ofd_read_page_box(d, d->npages - 1);
end:
    free(loc);
    return rc;
}

static es_err read_document(es_ofd *d)
{
    es_err rc;
    xmlDoc *doc = NULL;
    xmlNode *root, *pages, *area;
    double dflt[4] = {0, 0, 210, 297};
    char *box = NULL;
    size_t n = 0;

    if ((rc = parse_entry(d, d->doc_root, &doc)) != ES_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    area = es__ofd_xml_child(es__ofd_xml_child(root, "CommonData"), "PageArea");
    if ((box = es__ofd_xml_text(es__ofd_xml_child(area, "PhysicalBox"))) != NULL)
        es__ofd_box(box, dflt);
    pages = es__ofd_xml_child(root, "Pages");
    for (xmlNode *p = es__ofd_xml_child(pages, "Page"); p != NULL; p = es__ofd_xml_next(p, "Page"))
        n++;
    if (!es__ofd_xml_is(root, "Document") || n == 0) {
        rc = es__fail(ES_ERR_FORMAT, "%s: no Document/Pages/Page", d->doc_root);
        goto end;
    }
    if ((d->pages = calloc(n + 1, sizeof(*d->pages))) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    for (xmlNode *p = es__ofd_xml_child(pages, "Page"); p != NULL && rc == ES_OK;
         p = es__ofd_xml_next(p, "Page"))
        rc = read_page(d, p, dflt);
end:
    free(box);
    xmlFreeDoc(doc);
    return rc;
}

/* The number in an ID such as "s006" or "12" (0 when there is none). */
static long id_number(const char *s)
{
    while (s != NULL && *s && !isdigit((unsigned char)*s))
        s++;
    return (s != NULL && *s) ? strtol(s, NULL, 10) : 0;
}

static es_err read_signature_entry(es_ofd *d, const xmlNode *sn)
{
    es__ofd_sig *s = &d->sigs[d->nsigs++];
    char *loc = es__ofd_xml_attr(sn, "BaseLoc");
    es_err rc = ES_OK;

    s->id = es__ofd_xml_attr(sn, "ID");
    s->type = es__ofd_xml_attr(sn, "Type");
    if (s->id == NULL)
        s->id = strdup("");
    if (s->type == NULL)
        s->type = strdup("");
    if (s->id == NULL || s->type == NULL)
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    else if (id_number(s->id) > d->max_id)
        d->max_id = id_number(s->id);
    if (rc == ES_OK && (loc == NULL || es__ofd_locate(d, d->sigs_loc, loc, &s->path) != ES_OK))
        s->error = strdup(loc == NULL ? "Signature without BaseLoc" : es_errdetail());
    else if (rc == ES_OK)
        rc = es__ofd_read_sigxml(d, s);
    s->info.id = s->id ? s->id : "";
    s->info.type = s->type ? s->type : "";
    s->info.path = s->path ? s->path : "";
    s->info.error = s->error;
    s->info.signing_time = s->date ? s->date : "";
    s->info.nrefs = s->nrefs;
    s->info.nstamps = s->nstamps;
    s->info.stamps = s->stamps;
    free(loc);
    return rc;
}

static es_err read_signatures(es_ofd *d)
{
    es_err rc;
    xmlDoc *doc = NULL;
    xmlNode *root;
    size_t n = 0;

    if (d->sigs_loc == NULL || es__ofd_find(d, d->sigs_loc) == NULL)
        return ES_OK; /* a pointer to a missing list: nothing signed yet (or removed: coverage) */
    if ((rc = parse_entry(d, d->sigs_loc, &doc)) != ES_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    if ((d->sigs_prefix = es__ofd_xml_prefix(root)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    for (xmlNode *m = es__ofd_xml_child(root, "MaxSignId"); m != NULL;
         m = es__ofd_xml_next(m, "MaxSignId")) {
        char *t = es__ofd_xml_text(m);
        if (id_number(t) > d->max_id)
            d->max_id = id_number(t);
        free(t);
    }
    for (xmlNode *s = es__ofd_xml_child(root, "Signature"); s; s = es__ofd_xml_next(s, "Signature"))
        n++;
    if ((d->sigs = calloc(n + 1, sizeof(*d->sigs))) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    for (xmlNode *s = es__ofd_xml_child(root, "Signature"); s != NULL && rc == ES_OK;
         s = es__ofd_xml_next(s, "Signature"))
        rc = read_signature_entry(d, s);
end:
    xmlFreeDoc(doc);
    return rc;
}

es_err es__ofd_read_docs(es_ofd *d)
{
    es_err rc;

    if (d->xml == NULL && (d->xml = es__ofd_xml_ctx()) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if ((rc = read_ofd_xml(d)) != ES_OK || (rc = read_document(d)) != ES_OK)
        return rc;
    return read_signatures(d);
}

es_err es_ofd_open(const uint8_t *p, size_t n, const es_ofd_limits *lim, es_ofd **out)
{
    return es__ofd_open(p, n, lim, 0, out);
}

es_err es__ofd_open(const uint8_t *p, size_t n, const es_ofd_limits *lim, int flags, es_ofd **out)
{
    es_err rc;
    es_ofd *d;

    assert((p != NULL || n == 0) && out != NULL);
    *out = NULL;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if (lim != NULL)
        d->lim = *lim;
    d->lim.max_entries = d->lim.max_entries ? d->lim.max_entries : ES_OFD_MAX_ENTRIES;
    d->lim.max_entry_size = d->lim.max_entry_size ? d->lim.max_entry_size : ES_OFD_MAX_ENTRY_SIZE;
    d->lim.max_total = d->lim.max_total ? d->lim.max_total : ES_OFD_MAX_TOTAL;
    d->lim.max_xml_depth = d->lim.max_xml_depth ? d->lim.max_xml_depth : ES_OFD_MAX_XML_DEPTH;
    d->lazy_pages = (flags & ES__OFD_LAZY_PAGES) != 0;
    if ((rc = es__ofd_read_zip(d, p, n, (flags & ES__OFD_WRITING) != 0)) != ES_OK ||
        (rc = es__ofd_read_docs(d)) != ES_OK) {
        es_ofd_free(d);
        return rc;
    }
    if (!d->lazy_pages) { /* the parser holds a copy of the last file it read: not kept idle */
        xmlFreeParserCtxt(d->xml);
        d->xml = NULL;
    }
    *out = d;
    return ES_OK;
}

es_err es_ofd_read_file(const char *path, es_ofd **out)
{
    es_buf b = {0};
    es_err rc = es_file_read(path, ES_OFD_MAX_INPUT, &b);

    if (rc == ES_OK)
        rc = es_ofd_open(b.data, b.len, NULL, out);
    es_buf_free_public(&b);
    return rc;
}

void es_ofd_free(es_ofd *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->ne; i++) {
        free(d->e[i].name);
        free(d->e[i].data.data);
    }
    for (size_t i = 0; i < d->npages; i++) {
        free(d->pages[i].id);
        free(d->pages[i].loc);
    }
    if (d->pages != NULL)
        free(d->pages[d->npages].id); /* a page whose reading failed half-way */
    for (size_t i = 0; i < d->nsigs; i++)
        es__ofd_sig_release(&d->sigs[i]);
    free(d->e);
    free(d->pages);
    free(d->sigs);
    free(d->doc_root);
    free(d->sigs_loc);
    free(d->ns_uri);
    free(d->ofd_prefix);
    free(d->sigs_prefix);
    xmlFreeParserCtxt(d->xml);
    if (d->za != NULL)
        zip_discard(d->za);
    if (d->zsrc != NULL)
        zip_source_free(d->zsrc); /* and with it d->zip */
    else
        es_buf_free_public(&d->zip);
    free(d);
}

size_t es_ofd_nentries(const es_ofd *d)
{
    return d->ne;
}

const char *es_ofd_entry_name(const es_ofd *d, size_t i)
{
    return i < d->ne ? d->e[i].name : NULL;
}

const uint8_t *es_ofd_entry(const es_ofd *d, const char *name, size_t *n)
{
    const es__ofd_entry *e = es__ofd_find(d, name);

    if (e == NULL || e->is_dir)
        return NULL;
    *n = e->data.len;
    return e->data.data != NULL ? e->data.data : (const uint8_t *)"";
}

void es_ofd_extra_bytes(const es_ofd *d, size_t *before, size_t *after)
{
    *before = d->before;
    *after = d->after;
}

size_t es_ofd_npages(const es_ofd *d)
{
    return d->npages;
}

const es_ofd_page *es_ofd_page_get0(const es_ofd *d, size_t i)
{
    return i < d->npages ? &d->pages[i].pub : NULL;
}

const char *es_ofd_signatures_path(const es_ofd *d)
{
    return d->sigs_loc;
}

size_t es_ofd_nsignatures(const es_ofd *d)
{
    return d->nsigs;
}

const es_ofd_sig_info *es_ofd_signature_get0(const es_ofd *d, size_t i)
{
    return i < d->nsigs ? &d->sigs[i].info : NULL;
}
