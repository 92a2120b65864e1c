/* Signing an OFD package: new Sign_N files, text edits of OFD.xml and Signatures.xml, a new zip. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "eseal/eseal.h"
#include "eseal_local.h"
#include "ofd/ofd_local.h"
#include "ses/seal_crc_local.h"

#define DEFAULT_NS "http://www.ofdspec.org/2016"

typedef struct sign_ctx {
    const es_ofd *d;
    const es_ofd_sign_opts *o;
    es_time t;
    char dir[1024];        /* ".../Signs/Sign_N" */
    char sigs_path[1024];  /* Signatures.xml (existing or new) */
    char xml_path[1100];   /* Sign_N/Signature.xml */
    char value_path[1100]; /* Sign_N/SignedValue.dat */
    char seal_path[1100];  /* Sign_N/Seal.esl */
    long sig_id;
    es_ofd_stamp stamps[256];
    size_t nstamps;
    es_buf ofd_xml;  /* the edited OFD.xml, empty when it does not change */
    es_buf sigs_xml; /* the new Signatures.xml */
    es__sb sig;      /* the new Signature.xml */
    es_buf value;    /* SignedValue.dat */
} sign_ctx;

/* Refuse to sign a document whose Signatures.xml an existing signature protects. */
static es_err check_not_closed(const es_ofd *d)
{
    for (size_t i = 0; d->sigs_loc != NULL && i < d->nsigs; i++)
        for (size_t j = 0; j < d->sigs[i].nrefs; j++)
            if (d->sigs[i].refs[j].name != NULL &&
                strcmp(d->sigs[i].refs[j].name, d->sigs_loc) == 0)
                return es__fail(ES_ERR_STATE,
                                "the document is closed: signature %s (%s) protects %s, so "
                                "adding a signature would break it",
                                d->sigs[i].id, d->sigs[i].path, d->sigs_loc);
    return ES_OK;
}

/* Directory of an entry name ("" for the root), into out. */
static void dirname_of(const char *name, char *out, size_t n)
{
    const char *slash = strrchr(name, '/');
    size_t len = slash ? (size_t)(slash - name) : 0;

    snprintf(out, n, "%.*s", (int)len, name);
}

static int dir_used(const es_ofd *d, const char *dir)
{
    size_t n = strlen(dir);

    for (size_t i = 0; i < d->ne; i++)
        if (strncmp(d->e[i].name, dir, n) == 0 && d->e[i].name[n] == '/')
            return 1;
    return 0;
}

/* Choose Sign_N (the first unused) beside Signatures.xml, and the new files' names. */
static es_err choose_paths(sign_ctx *c)
{
    char signs[1024];
    int n;

    if (c->d->sigs_loc != NULL) {
        dirname_of(c->d->sigs_loc, signs, sizeof(signs));
        snprintf(c->sigs_path, sizeof(c->sigs_path), "%s", c->d->sigs_loc);
    } else {
        char docdir[900];
        dirname_of(c->d->doc_root, docdir, sizeof(docdir));
        snprintf(signs, sizeof(signs), "%s%sSigns", docdir, docdir[0] ? "/" : "");
        snprintf(c->sigs_path, sizeof(c->sigs_path), "%.900s/Signatures.xml", signs);
    }
    for (n = 0; n < 100000; n++) {
        snprintf(c->dir, sizeof(c->dir), "%.900s%sSign_%d", signs, signs[0] ? "/" : "", n);
        if (!dir_used(c->d, c->dir))
            break;
    }
    snprintf(c->xml_path, sizeof(c->xml_path), "%s/Signature.xml", c->dir);
    snprintf(c->value_path, sizeof(c->value_path), "%s/SignedValue.dat", c->dir);
    snprintf(c->seal_path, sizeof(c->seal_path), "%s/Seal.esl", c->dir);
    c->sig_id = c->d->max_id + 1;
    return n < 100000 ? ES_OK : es__fail(ES_ERR_LIMIT, "no free Sign_N directory");
}

/* The qualified names of the n locals in the namespace of prefix (read with the package). */
static es_err qnames(const char *prefix, const char *const *locals, char (*q)[128], size_t n)
{
    if (prefix == NULL)
        return es__fail(ES_ERR_INTERNAL, "the file to edit was not read");
    for (size_t i = 0; i < n; i++)
        es__ofd_qname(prefix, locals[i], q[i], sizeof(q[i]));
    return ES_OK;
}

/* OFD.xml gains DocBody/Signatures when it has none: inserted as text, once. */
static es_err edit_ofd_xml(sign_ctx *c)
{
    static const char *const locals[] = {"DocBody", "Signatures"};
    es_err rc;
    char q[2][128]; /* body, sigs */
    es__sb t = {0};
    const es__ofd_entry *e = es__ofd_find(c->d, "OFD.xml");

    if (c->d->sigs_loc != NULL)
        return ES_OK;
    if ((rc = qnames(c->d->ofd_prefix, locals, q, 2)) != ES_OK)
        return rc;
    es__sb_printf(&t, "<%s>/", q[1]);
    es__ofd_sb_xml(&t, c->sigs_path);
    es__sb_printf(&t, "</%s>", q[1]);
    rc = t.err == ES_OK ? es__ofd_insert_before_close(&e->data, q[0], t.p, &c->ofd_xml) : t.err;
    es__sb_free(&t);
    return rc;
}

/* The Signature element for Signatures.xml, with its qualified names from prefix q. */
static void signature_element(const sign_ctx *c, es__sb *t, const char *sig_q)
{
    es__sb_printf(t, "<%s ID=\"%ld\" Type=\"%s\" BaseLoc=\"/", sig_q, c->sig_id,
                  c->o->kind == ES_OFD_DIGITAL ? "Sign" : "Seal");
    es__ofd_sb_xml(t, c->xml_path);
    ES__SB_LIT(t, "\"/>");
}

/* Signatures.xml: a new file, or the old one with the new Signature inserted and MaxSignId
 * updated, every other byte kept. */
static es_err edit_signatures(sign_ctx *c)
{
    static const char *const locals[] = {"Signatures", "Signature", "MaxSignId"};
    es_err rc = ES_OK;
    const es__ofd_entry *e = es__ofd_find(c->d, c->sigs_path);
    char q[3][128], id[32]; /* root, sig, max */
    es__sb t = {0};
    es_buf mid = {0};

    snprintf(id, sizeof(id), "%ld", c->sig_id + (long)c->nstamps);
    if (e == NULL) {
        es__sb_printf(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signatures "
                          "xmlns:ofd=\"");
        es__ofd_sb_xml(&t, c->d->ns_uri[0] ? c->d->ns_uri : DEFAULT_NS);
        es__sb_printf(&t, "\"><ofd:MaxSignId>%s</ofd:MaxSignId>", id);
        signature_element(c, &t, "ofd:Signature");
        es__sb_printf(&t, "</ofd:Signatures>");
        if ((rc = t.err) == ES_OK)
            rc = es_buf_set(&c->sigs_xml, t.p, t.len);
        goto end;
    }
    if ((rc = qnames(c->d->sigs_prefix, locals, q, 3)) != ES_OK)
        goto end;
    rc = es__ofd_replace_text(&e->data, q[2], id, &mid);
    signature_element(c, &t, q[1]);
    if (rc == ES_ERR_NOT_FOUND)
        es__sb_printf(&t, "<%s>%s</%s>", q[2], id, q[2]);
    if (rc != ES_OK && rc != ES_ERR_NOT_FOUND)
        goto end;
    rc = t.err != ES_OK
             ? t.err
             : es__ofd_insert_before_close(rc == ES_OK ? &mid : &e->data, q[0], t.p, &c->sigs_xml);
end:
    es__sb_free(&t);
    es_buf_free_public(&mid);
    return rc;
}

static const es__ofd_page *page_at(const sign_ctx *c, long number)
{
    if (number < 1 || (size_t)number > c->d->npages)
        return NULL;
    return &c->d->pages[number - 1];
}

static es_err add_stamp(sign_ctx *c, const es__ofd_page *p, const double b[4], const double *clip)
{
    es_ofd_stamp *s = &c->stamps[c->nstamps];

    if (c->nstamps == ES__ARRAY_LEN(c->stamps))
        return es__fail(ES_ERR_LIMIT, "more than %zu stamps", ES__ARRAY_LEN(c->stamps));
    s->page_ref = p->id;
    s->has_boundary = 1;
    memcpy(s->boundary, b, sizeof(s->boundary));
    if (clip != NULL) {
        s->has_clip = 1;
        memcpy(s->clip, clip, sizeof(s->clip));
    }
    c->nstamps++;
    return ES_OK;
}

/*
 * Where the seal goes. A normal seal: at (x, y) on one page. A cross-page seal over n pages: the
 * picture is cut into n vertical slices of width w/n; page k shows slice k at the right edge of
 * the page (Boundary shifted left by (k+1)·w/n, Clip selecting the slice), so that the slices
 * line up into the whole seal when the pages are fanned out.
 */
static es_err place_stamps(sign_ctx *c)
{
    const es_ofd_sign_opts *o = c->o;
    double w = (double)es_seal_picture_width(o->seal), h = (double)es_seal_picture_height(o->seal);
    long first = o->first_page ? o->first_page : 1;
    long last = o->first_page ? o->last_page : (long)c->d->npages;
    const es__ofd_page *p;
    es_err rc = ES_OK;

    w = w > 0 ? w : 40;
    h = h > 0 ? h : 40;
    if (o->kind == ES_OFD_SEAL) {
        double b[4] = {o->x_mm, o->y_mm, w, h};
        if ((p = page_at(c, o->page)) == NULL)
            return es__fail(ES_ERR_ARG, "page %ld does not exist (the document has %zu)", o->page,
                            c->d->npages);
        if (o->x_mm < 0 || o->y_mm < 0 || o->x_mm >= p->pub.box[2] || o->y_mm >= p->pub.box[3])
            return es__fail(ES_ERR_ARG, "position %g, %g mm is outside page %ld (%g x %g mm)",
                            o->x_mm, o->y_mm, o->page, p->pub.box[2], p->pub.box[3]);
        return add_stamp(c, p, b, NULL);
    }
    if (page_at(c, first) == NULL || page_at(c, last) == NULL || last - first < 1)
        return es__fail(ES_ERR_ARG,
                        "a cross-page seal needs at least two existing pages, not "
                        "%ld-%ld of %zu",
                        first, last, c->d->npages);
    if (o->y_mm < 0 || o->y_mm >= page_at(c, first)->pub.box[3])
        return es__fail(ES_ERR_ARG, "y %g mm is outside the page", o->y_mm);
    for (long k = 0; k <= last - first && rc == ES_OK; k++) {
        double sw = w / (double)(last - first + 1);
        p = page_at(c, first + k);
        double b[4] = {p->pub.box[2] - sw * (double)(k + 1), o->y_mm, w, h};
        double clip[4] = {sw * (double)k, 0, sw, h};
        rc = add_stamp(c, p, b, clip);
    }
    return rc;
}

static void write_box(es__sb *t, const char *attr, const double b[4])
{
    ES__SB_LIT(t, " ");
    es__sb_str(t, attr);
    ES__SB_LIT(t, "=\"");
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            ES__SB_LIT(t, " ");
        es__ofd_sb_mm(t, b[i]);
    }
    ES__SB_LIT(t, "\"");
}

/* One Reference with the SM3 of the bytes the entry will have in the output. */
static es_err write_ref(sign_ctx *c, es_sm3_ctx *sm3, const char *name, const uint8_t *p, size_t n)
{
    char b64[45];
    es_err rc = es__ofd_sm3_b64(sm3, p, n, b64);

    ES__SB_LIT(&c->sig, "<ofd:Reference FileRef=\"/");
    es__ofd_sb_xml(&c->sig, name);
    ES__SB_LIT(&c->sig, "\"><ofd:CheckValue>");
    es__sb_add(&c->sig, b64, 44);
    ES__SB_LIT(&c->sig, "</ofd:CheckValue></ofd:Reference>");
    return rc;
}

/* References: every file except the new signature's own and, unless closing, Signatures.xml.
 * One SM3 context serves them all: a new one per file cost as much as hashing a small file. */
static es_err write_refs(sign_ctx *c)
{
    es_err rc;
    int sigs_seen = 0;
    es_sm3_ctx *sm3 = NULL;

    if ((rc = es_sm3_new(&sm3)) != ES_OK)
        return rc;
    ES__SB_LIT(&c->sig, "<ofd:References CheckMethod=\"1.2.156.10197.1.401\">");
    for (size_t i = 0; i < c->d->ne && rc == ES_OK; i++) {
        const es__ofd_entry *e = &c->d->e[i];
        if (e->is_dir)
            continue;
        if (strcmp(e->name, c->sigs_path) == 0) {
            sigs_seen = 1;
            if (c->o->close)
                rc = write_ref(c, sm3, e->name, c->sigs_xml.data, c->sigs_xml.len);
        } else if (strcmp(e->name, "OFD.xml") == 0 && c->ofd_xml.len > 0) {
            rc = write_ref(c, sm3, e->name, c->ofd_xml.data, c->ofd_xml.len);
        } else {
            rc = write_ref(c, sm3, e->name, e->data.data, e->data.len);
        }
    }
    if (rc == ES_OK && c->o->close && !sigs_seen)
        rc = write_ref(c, sm3, c->sigs_path, c->sigs_xml.data, c->sigs_xml.len);
    ES__SB_LIT(&c->sig, "</ofd:References>");
    es_sm3_free(sm3);
    return rc;
}

/* An upper bound of the length of Signature.xml (up to 1 MB, beyond which the builder's own
 * doubling is cheap beside the hashing): it is allocated once, not grown from 256 bytes. */
static size_t sig_xml_size(const sign_ctx *c)
{
    size_t n = 1024 + 8 * strlen(c->d->ns_uri) + 6 * (strlen(c->seal_path) + strlen(c->value_path));

    for (size_t i = 0; i < c->d->ne; i++)
        n += 120 + 6 * strlen(c->d->e[i].name);
    for (size_t i = 0; i < c->nstamps; i++)
        n += 300 + 6 * strlen(c->stamps[i].page_ref);
    n += 120 + 6 * strlen(c->sigs_path);
    return n < ((size_t)1 << 20) ? n : (size_t)1 << 20;
}

/* Signature.xml, as text, in the GM/T 0099 element order. */
static es_err write_signature_xml(sign_ctx *c)
{
    es_err rc;
    char when[ES_TIME_STRLEN];
    es__sb *t = &c->sig;

    if ((rc = es_time_format(c->t, when)) != ES_OK)
        return rc;
    es__sb_reserve(t, sig_xml_size(c));
    ES__SB_LIT(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signature xmlns:ofd=\"");
    es__ofd_sb_xml(t, c->d->ns_uri[0] ? c->d->ns_uri : DEFAULT_NS);
    ES__SB_LIT(t, "\"><ofd:SignedInfo><ofd:Provider ProviderName=\"eseal\" Company=\"eseal\" "
                  "Version=\"" ESEAL_VERSION "\"/><ofd:SignatureMethod>1.2.156.10197.1.501"
                  "</ofd:SignatureMethod><ofd:SignatureDateTime>");
    es__sb_str(t, when);
    ES__SB_LIT(t, "</ofd:SignatureDateTime>");
    if ((rc = write_refs(c)) != ES_OK)
        return rc;
    for (size_t i = 0; i < c->nstamps; i++) {
        ES__SB_LIT(t, "<ofd:StampAnnot ID=\"");
        es__ofd_sb_long(t, c->sig_id + 1 + (long)i);
        ES__SB_LIT(t, "\" PageRef=\"");
        es__ofd_sb_xml(t, c->stamps[i].page_ref);
        ES__SB_LIT(t, "\"");
        write_box(t, "Boundary", c->stamps[i].boundary);
        if (c->stamps[i].has_clip)
            write_box(t, "Clip", c->stamps[i].clip);
        ES__SB_LIT(t, "/>");
    }
    if (c->o->kind != ES_OFD_DIGITAL) {
        ES__SB_LIT(t, "<ofd:Seal><ofd:BaseLoc>/");
        es__ofd_sb_xml(t, c->seal_path);
        ES__SB_LIT(t, "</ofd:BaseLoc></ofd:Seal>");
    }
    ES__SB_LIT(t, "</ofd:SignedInfo><ofd:SignedValue>/");
    es__ofd_sb_xml(t, c->value_path);
    ES__SB_LIT(t, "</ofd:SignedValue></ofd:Signature>");
    return t->err;
}

/* SignedValue.dat: SES_Signature over SM3(Signature.xml), or SignedData for Type="Sign". */
static es_err make_value(sign_ctx *c)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];
    char prop[1200];

    if (c->o->kind == ES_OFD_DIGITAL) {
        if ((rc = es_key_match_cert(c->o->key, c->o->cert)) != ES_OK)
            return rc;
        return es__ofd_cms_sign(c->o->key, c->o->cert, c->sig.p, c->sig.len, c->t, &c->value);
    }
    snprintf(prop, sizeof(prop), "/%s", c->xml_path);
    if ((rc = es_sm3(c->sig.p, c->sig.len, md)) != ES_OK)
        return rc;
    return es_seal_sign_hash(c->o->seal, c->o->key, c->o->cert, md, prop, c->t, &c->value);
}

/* A stored entry's CRC costs as much as its SM3 would: the seal's is computed once per seal, and
 * SignedValue.dat, which holds the seal, reads only its own few hundred bytes. */
static void seal_spans(const sign_ctx *c, es__ofd_put *value, es__ofd_put *seal)
{
    size_t off = 0, len = 0;

    seal->span_len = seal->len;
    seal->span_crc = es__seal_crc32(c->o->seal);
    if (es__sig_seal_span(c->value.data, c->value.len, &off, &len) == ES_OK && len == seal->len &&
        memcmp(c->value.data + off, seal->data, len) == 0) {
        value->span_off = off;
        value->span_len = len;
        value->span_crc = seal->span_crc;
    }
}

/* The boxes of the pages place_stamps looks at (it reports pages that do not exist). */
static void read_boxes(es_ofd *d, const es_ofd_sign_opts *o)
{
    long first = o->first_page ? o->first_page : 1;
    long last = o->first_page ? o->last_page : (long)d->npages;

    if (o->kind == ES_OFD_SEAL) {
        first = o->page;
        last = o->page;
    }
    if (o->kind == ES_OFD_DIGITAL || first < 1)
        return;
    for (long k = first; k <= last && (size_t)k <= d->npages; k++)
        es__ofd_read_page_box(d, (size_t)k - 1);
}

static es_err write_output(sign_ctx *c, es_ofd *d, es_buf *out)
{
    const uint8_t *seal;
    size_t nseal = 0, n = 0;
    es__ofd_put puts[5];

    if (c->ofd_xml.len > 0)
        puts[n++] =
            (es__ofd_put){.name = "OFD.xml", .data = c->ofd_xml.data, .len = c->ofd_xml.len};
    puts[n++] =
        (es__ofd_put){.name = c->sigs_path, .data = c->sigs_xml.data, .len = c->sigs_xml.len};
    puts[n++] =
        (es__ofd_put){.name = c->xml_path, .data = (const uint8_t *)c->sig.p, .len = c->sig.len};
    puts[n++] = (es__ofd_put){
        .name = c->value_path, .data = c->value.data, .len = c->value.len, .store = 1};
    if (c->o->kind != ES_OFD_DIGITAL) {
        seal = es_seal_der(c->o->seal, &nseal);
        puts[n] = (es__ofd_put){.name = c->seal_path, .data = seal, .len = nseal, .store = 1};
        seal_spans(c, &puts[n - 1], &puts[n]);
        n++;
    }
    return es__ofd_write_zip(d, puts, n, c->t, out);
}

es_err es_ofd_sign(const uint8_t *in, size_t n, const es_ofd_sign_opts *o, es_buf *out)
{
    es_err rc;
    es_ofd *d = NULL;
    sign_ctx c;

    assert(in != NULL && o != NULL && out != NULL && o->key != NULL && o->cert != NULL);
    memset(&c, 0, sizeof(c));
    if (o->kind != ES_OFD_DIGITAL && o->seal == NULL)
        return es__fail(ES_ERR_ARG, "a seal is required to stamp a document");
    if ((rc = es__ofd_open(in, n, o->lim, ES__OFD_WRITING | ES__OFD_LAZY_PAGES, &d)) != ES_OK ||
        (rc = check_not_closed(d)) != ES_OK)
        goto end;
    read_boxes(d, o);
    c.d = d;
    c.o = o;
    c.t = o->signing_time ? o->signing_time : es_time_now();
    if ((rc = choose_paths(&c)) != ES_OK ||
        (o->kind != ES_OFD_DIGITAL && (rc = place_stamps(&c)) != ES_OK) ||
        (rc = edit_ofd_xml(&c)) != ES_OK || (rc = edit_signatures(&c)) != ES_OK ||
        (rc = write_signature_xml(&c)) != ES_OK || (rc = make_value(&c)) != ES_OK)
        goto end;
    rc = write_output(&c, d, out);
end:
    es_buf_free_public(&c.ofd_xml);
    es_buf_free_public(&c.sigs_xml);
    es_buf_free_public(&c.value);
    es__sb_free(&c.sig);
    es_ofd_free(d);
    return rc;
}
