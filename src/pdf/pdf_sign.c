/* es_pdf_sign: one incremental update with a visible seal and a gm, ses or pades signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "eseal/image.h"
#include "pdf/pdf_local.h"
#include "pdf/pdf_update_local.h"
#include "ses/ses_local.h"
#include "util/hex.h"

/* Room for what /Contents will hold beyond the seal and certificates (signature, attributes). */
#define CONTENTS_SLACK 4096

typedef struct sign_ctx {
    const es_pdf_sign_opts *o;
    es_pdf *d;
    es__pdf_writer w;
    es__pdf_update u;
    char name[32];
    size_t br_off; /* where the three ByteRange numbers are written */
    size_t c0, c1; /* the /Contents hex string, '<' to after '>' */
    size_t room;   /* bytes /Contents can hold (contents_room) */
    es_time t;
    es__pdf_crypt crypt; /* an encrypted document's key */
} sign_ctx;

/* "Signature<N>" for the first N no field has: a field name is never reused. */
static void pick_name(sign_ctx *c)
{
    for (int n = 1;; n++) {
        size_t i = 0;
        snprintf(c->name, sizeof(c->name), "Signature%d", n);
        while (i < c->d->nfields && strcmp(c->d->fields[i], c->name) != 0)
            i++;
        if (i == c->d->nfields)
            return;
    }
}

static es_err check_opts(const es_pdf_sign_opts *o)
{
    if (o->key == NULL || o->cert == NULL)
        return es__fail(ES_ERR_ARG, "the signer's key and certificate are required");
    if (o->format != ES_PDF_GM && o->format != ES_PDF_SES && o->format != ES_PDF_PADES)
        return es__fail(ES_ERR_ARG, "unknown signature format %d", (int)o->format);
    if ((o->format == ES_PDF_PADES) != (es_key_alg(o->key) != ES_KEY_SM2))
        return es__fail(ES_ERR_ARG, "%s",
                        o->format == ES_PDF_PADES
                            ? "pades signs with an EC P-256 or RSA key, not SM2 (use gm or ses)"
                            : "gm and ses sign with an SM2 key (use pades for EC P-256 or RSA)");
    if (o->seal == NULL && (o->format == ES_PDF_SES || o->image == NULL))
        return es__fail(ES_ERR_ARG, "%s",
                        o->format == ES_PDF_SES ? "the ses format needs a seal"
                                                : "give a seal or a picture");
    if (o->certify < 0 || o->certify > 3)
        return es__fail(ES_ERR_ARG, "certify must be 1, 2 or 3");
    return es_key_match_cert(o->key, o->cert);
}

/* An encrypted document: its key from the password, and the permission to add a signature field
 * (/P bits 4 and 6, ISO 32000-2 table 22) unless the owner password was given. */
static es_err check_crypt(sign_ctx *c)
{
    es_err rc = es__pdf_crypt_init(c->d->q, c->o->password, &c->crypt);

    if (rc == ES_OK && !c->crypt.owner && (c->crypt.p & 0x28) != 0x28)
        rc = es__fail(ES_ERR_STATE, "the PDF's permissions do not allow adding a signature field "
                                    "with the user password: give the owner password");
    return rc;
}

/* Refusals that depend on the document: encrypted, repaired, locked by a certification. */
static es_err check_doc(sign_ctx *c)
{
    es_err rc;

    if (c->d->encrypted && (rc = check_crypt(c)) != ES_OK)
        return rc;
    if (c->d->repaired)
        return es__fail(ES_ERR_FORMAT,
                        "the PDF's cross-reference data is damaged (qpdf had to repair it): an "
                        "incremental update would not be readable; repair the file first");
    for (size_t i = 0; i < c->d->nsigs; i++)
        if (c->d->sigs[i].info.docmdp == 1)
            return es__fail(ES_ERR_STATE, "the document is certified with no changes allowed");
    if (c->o->certify && c->d->nsigs > 0)
        return es__fail(ES_ERR_STATE, "only the first signature may certify a document");
    /* gm with a seal: the same refusals as a ses signature (seal, signer, validity), checked
     * without signing (a probe signature hashed the whole seal twice); pades only draws the
     * seal's picture */
    if (c->o->seal != NULL && c->o->format != ES_PDF_PADES)
        return es__seal_check_signer(c->o->seal, c->o->key, c->o->cert, c->t);
    return ES_OK;
}

/* The pages placement reads: the target page, or those of a keyword search or a cross-page seal
 * (the document is opened without the others: a long document's pages cost nothing). */
static es_err load_pages(const sign_ctx *c)
{
    const es_pdf_sign_opts *o = c->o;
    size_t from = 0, to = c->d->npages;
    es_err rc = ES_OK;

    if (o->cross_page) {
        from = o->first_page > 0 ? (size_t)o->first_page - 1 : 0;
        to = o->last_page > 0 && (size_t)o->last_page < to ? (size_t)o->last_page : to;
    } else if (o->keyword == NULL) {
        from = o->page > 0 ? (size_t)o->page - 1 : 0;
        to = from < to ? from + 1 : to;
    }
    for (size_t i = from; i < to && rc == ES_OK; i++)
        rc = es__pdf_page_load(c->d, i);
    return rc;
}

static es_err picture(const es_pdf_sign_opts *o, const uint8_t **p, size_t *n, double *w, double *h)
{
    if (o->seal != NULL) {
        *p = es_seal_picture(o->seal, n);
        *w = (double)es_seal_picture_width(o->seal);
        *h = (double)es_seal_picture_height(o->seal);
    } else {
        *p = o->image;
        *n = o->image_len;
        if (es_image_size_mm(*p, *n, w, h) != ES_OK) {
            es__ossl_clear();
            *w = *h = 40; /* a picture without physical size: the usual seal size */
        }
    }
    if (!(*w > 0 && *w <= 1000 && *h > 0 && *h <= 1000))
        return es__fail(ES_ERR_ARG, "the picture's size %.0f x %.0f mm is not usable", *w, *h);
    return ES_OK;
}

static size_t contents_room(const sign_ctx *c)
{
    size_t n = 0, room = CONTENTS_SLACK + es__pdf_cms_certs_len(c->o->cert, c->o->chain);

    if (c->o->seal != NULL && c->o->format != ES_PDF_PADES)
        es_seal_der(c->o->seal, &n);
    return room + n;
}

/*
 * The room of /Contents: n bytes that fill_signature writes (the signature's hex, then '0's).
 * An encrypted document's signature dictionary is copied when its strings are encrypted, so its
 * room is filled now; a plain one's is only set aside: writing hundreds of kilobytes of '0's that
 * the signature then overwrites cost as much as the hex itself.
 */
static void contents_room_put(es__sb *b, size_t n, int fill)
{
    es__sb_reserve(b, n);
    if (b->err != ES_OK)
        return;
    if (fill)
        memset(b->p + b->len, '0', n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void write_sigdict(sign_ctx *c)
{
    es__sb *b = &c->w.out;
    struct tm tm;
    time_t tt = (time_t)c->t;

    gmtime_r(&tt, &tm);
    const int date[6] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour,        tm.tm_min,     tm.tm_sec};

    es__pdf_w_begin(&c->w, c->u.sig);
    es__sb_str(b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /");
    es__sb_str(b, c->o->format == ES_PDF_SES     ? "ESeal.SES"
                  : c->o->format == ES_PDF_PADES ? "ETSI.CAdES.detached"
                                                 : "adbe.pkcs7.detached");
    /* the placeholders come before any string: encrypting the strings moves nothing before */
    es__sb_str(b, " /ByteRange [0 ");
    c->br_off = b->len;
    es__sb_str(b, "0000000000 0000000000 0000000000] /Contents ");
    c->c0 = b->len;
    es__sb_str(b, "<");
    contents_room_put(b, 2 * c->room, c->d->encrypted);
    es__sb_str(b, ">");
    c->c1 = b->len;
    /* " /M (D:%04d%02d%02d%02d%02d%02dZ)" */
    es__sb_str(b, " /M (D:");
    for (int i = 0; i < 6; i++)
        es__pdf_sb_uint(b, (unsigned)date[i], i == 0 ? 4 : 2);
    es__sb_str(b, "Z)");
    if (c->o->reason)
        es__sb_str(b, " /Reason "), es__pdf_sb_text(b, c->o->reason);
    if (c->o->location)
        es__sb_str(b, " /Location "), es__pdf_sb_text(b, c->o->location);
    if (c->o->certify)
        es__sb_printf(b,
                      " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams"
                      " << /Type /TransformParams /P %d /V /1.2 >> >>]",
                      c->o->certify);
    es__sb_str(b, " >>");
    es__pdf_w_end(&c->w);
}

/* Number the new objects, then write them and the changed ones. */
static es_err write_update(sign_ctx *c, const uint8_t *pic, size_t npic)
{
    es__pdf_update *u = &c->u;
    es_err rc;

    u->name = c->name;
    u->certify = c->o->certify;
    u->img = es__pdf_w_new_id(&c->w);
    es__pdf_w_new_id(&c->w); /* the soft mask */
    u->sig = es__pdf_w_new_id(&c->w);
    u->field = es__pdf_w_new_id(&c->w);
    if ((u->ap_ids = calloc(u->nwidgets, sizeof(long))) == NULL ||
        (u->widget_ids = calloc(u->nwidgets, sizeof(long))) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < u->nwidgets; i++) {
        u->ap_ids[i] = es__pdf_w_new_id(&c->w);
        if (u->nwidgets > 1)
            u->widget_ids[i] = es__pdf_w_new_id(&c->w);
    }
    if (c->d->encrypted) {
        c->w.crypt = &c->crypt;
        c->w.plain_id = u->sig;
    }
    if ((rc = es__pdf_image_write(&c->w, pic, npic, u->img)) != ES_OK ||
        (rc = es__pdf_write_widgets(&c->w, u)) != ES_OK)
        return rc;
    write_sigdict(c);
    if ((rc = es__pdf_write_changes(&c->w, u)) != ES_OK)
        return rc;
    return es__pdf_w_finish(&c->w);
}

/* v as the ten digits of a ByteRange placeholder (an update stays below 10^10 bytes). */
static void put_digits(uint8_t *o, size_t v)
{
    for (int i = 9; i >= 0; i--, v /= 10)
        o[i] = (uint8_t)('0' + v % 10);
}

/* The signature over md in the format asked for; n: the length of the whole update. */
static es_err sign_md(const sign_ctx *c, const uint8_t md[32], size_t n, es_buf *sig)
{
    const es_pdf_sign_opts *o = c->o;
    char prop[80];

    if (o->format == ES_PDF_PADES)
        return es__pdf_cms_sign_pades(o->key, o->cert, o->chain, md, sig);
    if (o->format != ES_PDF_SES)
        return es__pdf_cms_sign_gm(o->key, o->cert, o->chain, o->seal, md, c->t, sig);
    /* a SES_Signature names the ByteRange it covers in its property info */
    snprintf(prop, sizeof(prop), "ByteRange 0 %zu %zu %zu", c->c0, c->c1, n - c->c1);
    return es_seal_sign_hash(o->seal, o->key, o->cert, md, prop, c->t, sig);
}

/* ByteRange numbers, the digest of what they cover, the signature into /Contents. */
static es_err fill_signature(sign_ctx *c)
{
    uint8_t *p = (uint8_t *)c->w.out.p, md[ES_SM3_LEN];
    size_t n = c->w.out.len, room = (c->c1 - c->c0 - 2) / 2;
    es__pdf_ranges rg = {p, 0, c->c0, c->c1, n};
    es_buf sig = {0};
    es_err rc;

    /* "%010zu %010zu %010zu" over the placeholder */
    put_digits(p + c->br_off, c->c0);
    put_digits(p + c->br_off + 11, c->c1);
    put_digits(p + c->br_off + 22, n - c->c1);
    if (c->o->format == ES_PDF_PADES)
        rc = es__pdf_ranges_sha256(&rg, md);
    else
        rc = es__pdf_ranges_sm3(&rg, md);
    if (rc != ES_OK)
        return rc;
    if ((rc = sign_md(c, md, n, &sig)) == ES_OK && sig.len > room)
        rc = es__fail(ES_ERR_INTERNAL, "the signature (%zu bytes) outgrew its room (%zu)", sig.len,
                      room);
    if (rc == ES_OK) {
        es__hex_lower(sig.data, sig.len, (char *)p + c->c0 + 1);
        memset(p + c->c0 + 1 + 2 * sig.len, '0', 2 * (room - sig.len));
    }
    es_buf_free_public(&sig);
    return rc;
}

es_err es_pdf_sign(const uint8_t *in, size_t n, const es_pdf_sign_opts *o, es_buf *out)
{
    sign_ctx c;
    const uint8_t *pic = NULL;
    size_t npic = 0;
    double wmm, hmm;
    es_err rc;

    memset(&c, 0, sizeof(c));
    c.o = o;
    c.t = o->signing_time ? o->signing_time : es_time_now();
    if ((rc = check_opts(o)) != ES_OK ||
        (rc = es__pdf_open(in, n, o->password, ES__PDF_BORROW | ES__PDF_LAZY_PAGES, &c.d)) !=
            ES_OK ||
        (rc = check_doc(&c)) != ES_OK || (rc = load_pages(&c)) != ES_OK ||
        (rc = picture(o, &pic, &npic, &wmm, &hmm)) != ES_OK ||
        (rc = es__pdf_place(c.d, o, wmm, hmm, &c.u.widgets, &c.u.nwidgets)) != ES_OK ||
        (rc = es__pdf_w_init(&c.w, c.d)) != ES_OK)
        goto end;
    pick_name(&c);
    /* one allocation for the update, most of which is the /Contents room and the picture's
     * planes (about the size of the picture; more only costs one copy as the buffer grows) */
    c.room = contents_room(&c);
    es__sb_reserve(&c.w.out, 2 * c.room + npic + 16384);
    if ((rc = write_update(&c, pic, npic)) != ES_OK || (rc = fill_signature(&c)) != ES_OK)
        goto end;
    out->data = (uint8_t *)c.w.out.p;
    out->len = c.w.out.len;
    c.w.out.p = NULL;
end:
    es__pdf_w_release(&c.w);
    free(c.u.widgets);
    free(c.u.ap_ids);
    free(c.u.widget_ids);
    es_pdf_free(c.d);
    OPENSSL_cleanse(&c.crypt, sizeof(c.crypt));
    return rc;
}
