/* Cloud signing: unlock a seal's key with its PIN, sign documents and data, record events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "event_text.h"
#include "eseal_local.h"
#include "eseal/ofd.h"
#include "eseal/pdf.h"
#include "seal_local.h"
#include "util/hex.h"

void srv_signer_release(srv_signer *s)
{
    for (size_t i = 0; i < s->assets.n; i++)
        es_buf_free_public(&s->assets.bytes[i]);
    es_buf_free_public(&s->seal_hex);
    es_key_free(s->key); /* wipes the private key */
    es_seal_free(s->ses);
    X509_free(s->cert);
    memset(s, 0, sizeof(*s));
}

/* Owner, enterprise admin, or an unexpired unrevoked grant. */
static int may_use(srv_app *app, const st_account *who, const st_seal *s)
{
    int ok = 0;

    if (svc_seal_admin(app, who, s))
        return 1;
    return strcmp(s->type, "00") != 0 &&
           st_grant_valid(app->store, s->id, who->id, es_time_now(), &ok) == ES_OK && ok;
}

static srv_code refuse_locked(srv_error *err)
{
    return srv_fail(err, SRV_LOCKED,
                    "the key is locked after %d wrong PINs; the holder must re-verify with the "
                    "platform to unlock it",
                    ST_PIN_TRIES);
}

static srv_code wrong_pin(srv_app *app, int64_t id, srv_error *err)
{
    int64_t failures = 0, locked = 0;

    if (srv_from_es(err, st_seal_pin_failed(app->store, id, &failures, &locked), "pin"))
        return err->code;
    if (locked)
        return srv_fail(err, SRV_LOCKED,
                        "wrong PIN: the key is locked after %d wrong PINs; the holder must "
                        "re-verify with the platform to unlock it",
                        ST_PIN_TRIES);
    return srv_fail(err, SRV_FORBIDDEN, "wrong PIN (%lld of %d attempts left)",
                    (long long)(ST_PIN_TRIES - failures), ST_PIN_TRIES);
}

static es_err load_key(srv_app *app, int64_t id, const char *pin, srv_signer *out)
{
    st_seal_blobs b = {0};
    es_buf blob = {0}, der = {0};
    char aad[64];
    es_err rc = st_seal_blobs_get(app->store, id, &b);

    snprintf(aad, sizeof(aad), "eseal seal key v1:%lld", (long long)id);
    if (rc == ES_OK && (b.wrapped == NULL || b.cert_pem == NULL || b.seal_der == NULL ||
                        srv_unb64(b.wrapped, &blob) != 0 || srv_unb64(b.seal_der, &der) != 0))
        rc = es__fail(ES_ERR_FORMAT, "seal %lld: stored key or seal damaged", (long long)id);
    if (rc == ES_OK)
        rc = custody_unwrap(srv_custody_secret(app), pin, aad, strlen(aad), blob.data, blob.len,
                            &out->key);
    if (rc == ES_OK &&
        (rc = es_cert_parse((const uint8_t *)b.cert_pem, strlen(b.cert_pem), &out->cert)) == ES_OK)
        rc = es_seal_parse(der.data, der.len, &out->ses);
    es_buf_free(&blob);
    es_buf_free(&der);
    st_seal_blobs_release(&b);
    return rc;
}

srv_code svc_signer_unlock(srv_app *app, const st_account *who, int64_t id, const char *pin,
                           srv_signer *out, srv_error *err)
{
    es_err rc;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if (pin == NULL || pin[0] == '\0')
        return srv_fail(err, SRV_INVALID, "pin: required");
    if (srv_from_es(err, st_seal_get(app->store, id, &out->seal), "seal") != SRV_OK)
        return err->code;
    if (!may_use(app, who, &out->seal))
        return srv_fail(err, SRV_FORBIDDEN, "you may not use this seal");
    if (strcmp(out->seal.status, "active") != 0)
        return srv_fail(err, SRV_STATE, "the seal is %s", out->seal.status);
    /* The attempt takes its slot before the PIN is tried (st_seal_pin_reserve). */
    if (out->seal.locked || srv_from_es(err, st_seal_pin_reserve(app->store, id, &ok), "pin") ||
        !ok)
        return err->code ? err->code : refuse_locked(err);
    rc = load_key(app, id, pin, out);
    if (rc == ES_ERR_DECRYPT) {
        srv_signer_release(out);
        return wrong_pin(app, id, err);
    }
    if (srv_from_es(err, rc, "unlock") != SRV_OK) {
        srv_signer_release(out);
        st_seal_pin_release(app->store, id);
        return err->code;
    }
    st_seal_pin_ok(app->store, id);
    return SRV_OK;
}

/* Who signs next: the caller must be it (ordered signers), or the owner (no list). */
static srv_code check_turn(const st_account *who, const st_document *d, const st_signer *sg,
                           size_t n, int64_t *position, int *last, srv_error *err)
{
    size_t i;

    *position = 0;
    if (n == 0) {
        *last = 1;
        return who->id == d->owner_id ? SRV_OK : srv_fail(err, SRV_FORBIDDEN, "not your document");
    }
    for (i = 0; i < n && sg[i].signed_at != 0; i++)
        ;
    if (i == n)
        return srv_fail(err, SRV_STATE, "every signer has signed");
    if (sg[i].account_id != who->id)
        return srv_fail(err, SRV_STATE, "it is the turn of signer %lld (account %lld)",
                        (long long)sg[i].position, (long long)sg[i].account_id);
    *position = sg[i].position;
    *last = i + 1 == n;
    return SRV_OK;
}

static srv_code sign_bytes(const st_document *d, const es_buf *in, const svc_place *pl,
                           const srv_signer *sg, es_buf *out, srv_error *err)
{
    es_ofd_sign_opts o = {0};
    es_err rc;

    if (strcmp(d->format, "pdf") == 0)
        return svc_pdf_sign(in, pl, sg, out, err);
    if (pl->keyword)
        return srv_fail(err, SRV_INVALID, "keyword: positioning by keyword is for PDF only");
    o.kind = pl->cross_page ? ES_OFD_CROSS_PAGE : ES_OFD_SEAL;
    o.seal = sg->ses;
    o.key = sg->key;
    o.cert = sg->cert;
    o.page = pl->page;
    o.x_mm = pl->x_mm;
    o.y_mm = pl->y_mm;
    rc = es_ofd_sign(in->data, in->len, &o, out);
    if (rc == ES_ERR_ARG || rc == ES_ERR_FORMAT)
        return srv_fail(err, SRV_INVALID, "cannot sign: %s", es_errdetail());
    return srv_from_es(err, rc, "sign");
}

void svc_event_init(st_event *e, int64_t account, const char *kind)
{
    size_t n = strlen(kind);

    n = n < sizeof(e->kind) ? n : sizeof(e->kind) - 1;
    e->id = 0;
    e->account_id = account;
    e->at = es_time_now();
    memcpy(e->kind, kind, n);
    e->kind[n] = '\0';
}

static void signed_events(const st_account *who, const srv_signer *sg, const char *ip,
                          svc_signed *s)
{
    const st_document *d = &s->doc;
    st_event *e;

    if (d->nsig == 0) {
        svc_event_init(e = &s->ev[s->nev++], who->id, "signing_started");
        event_signing_started(e->data, sizeof(e->data), d->id, ip);
    }
    svc_event_init(e = &s->ev[s->nev++], who->id, "document_signed");
    event_document_signed(e->data, sizeof(e->data), d->id, sg->seal.id, sg->seal.code,
                          sg->seal.serial, d->sm3, s->sm3, ip);
    if (s->last && strcmp(d->status, "completed") != 0) {
        svc_event_init(e = &s->ev[s->nev++], d->owner_id, "document_completed");
        event_document_completed(e->data, sizeof(e->data), d->id, s->sm3);
    }
}

void svc_signed_release(svc_signed *s)
{
    es_buf_free_public(&s->bytes);
    memset(s, 0, sizeof(*s));
}

/*
 * The signer's picture streams as assets, found or stored once per signer (SM3 of 68 KB per
 * document would cost more than storing it saves), each in its own short transaction: committed
 * before any document that refers to it. A plane too short to be referred to is not stored.
 */
static srv_code signer_assets(srv_app *app, srv_signer *sg, srv_error *err)
{
    srv_assets *as = &sg->assets;
    es_buf planes[2] = {{NULL, 0}, {NULL, 0}};
    uint8_t h[ES_SM3_LEN];
    char sm3[65];
    int64_t id = 0;
    es_err rc;

    if (as->loaded)
        return SRV_OK;
    rc = es_pdf_picture_streams(sg->ses, &planes[0], &planes[1]);
    for (size_t i = 0; rc == ES_OK && i < 2; i++) {
        if (planes[i].len < DOC_PACK_MIN_LEN)
            continue;
        if ((rc = es_sm3(planes[i].data, planes[i].len, h)) != ES_OK)
            break;
        srv_hex(h, sizeof(h), sm3);
        if ((rc = st_asset_put(app->store, sg->seal.id, sm3, planes[i].data, planes[i].len, &id)) !=
            ES_OK)
            break;
        as->bytes[as->n] = planes[i];
        as->a[as->n] = (doc_asset){id, planes[i].data, planes[i].len};
        as->n++;
        planes[i] = (es_buf){NULL, 0};
    }
    es_buf_free_public(&planes[0]);
    es_buf_free_public(&planes[1]);
    as->loaded = rc == ES_OK;
    return srv_from_es(err, rc, "seal picture");
}

/*
 * The signed document as stored: packed against the signer's seal and assets and the seals and
 * assets its earlier signatures referred to (doc_pack.h), so that the database holds no copy of
 * what it has.
 */
static srv_code pack(srv_signer *sg, const char *format, svc_seal_set *set, const es_buf *doc,
                     es_buf *out, srv_error *err)
{
    size_t n = 0, k = 0;
    const uint8_t *der = es_seal_der(sg->ses, &n);
    doc_refs refs;

    /* a PDF holds the seal as hex: written out once per signer, then compared with memcmp */
    if (strcmp(format, "pdf") == 0 && sg->seal_hex.data == NULL &&
        (sg->seal_hex.data = malloc(2 * n + 1)) != NULL) {
        es__hex_lower(der, n, (char *)sg->seal_hex.data);
        sg->seal_hex.len = 2 * n;
    }
    while (k < set->n && set->s[k].id != sg->seal.id)
        k++;
    if (k == set->n && set->n < DOC_PACK_MAX_REFS) /* lent: der[] stays empty */
        set->s[set->n++] = (doc_seal){sg->seal.id, der, n, sg->seal_hex.data};
    for (size_t i = 0; i < sg->assets.n; i++) {
        for (k = 0; k < set->na && set->a[k].id != sg->assets.a[i].id; k++)
            ;
        if (k == set->na && set->na < DOC_PACK_MAX_REFS)
            set->a[set->na++] = sg->assets.a[i]; /* lent: bytes[] stays empty */
    }
    refs = (doc_refs){set->s, set->n, set->a, set->na};
    return srv_from_es(err, doc_pack(doc->data, doc->len, &refs, out, NULL), "document");
}

srv_code svc_doc_prepare(srv_app *app, const st_account *who, int64_t id, const svc_place *pl,
                         srv_signer *sg, const char *ip, svc_signed *out, srv_error *err)
{
    st_doc_read r = {.id = id};
    size_t nread = 0;

    memset(out, 0, sizeof(*out));
    if (srv_from_es(err, st_docs_read(app->store, &r, 1, SIZE_MAX, &nread), "document") == SRV_OK)
        svc_doc_prepare_read(app, who, &r, pl, sg, ip, out, err);
    es_buf_free_public(&r.content);
    return err->code;
}

srv_code svc_doc_prepare_read(srv_app *app, const st_account *who, st_doc_read *r,
                              const svc_place *pl, srv_signer *sg, const char *ip, svc_signed *out,
                              srv_error *err)
{
    es_buf in = {0}, signed_ = {0};
    svc_seal_set seals = {0};
    uint8_t h[ES_SM3_LEN];

    memset(out, 0, sizeof(*out));
    /* missing or not the caller's to see: the same answer, so ids tell nothing */
    if (r->rc != ES_OK || !svc_doc_visible(who, &r->doc, r->signers, r->nsigners))
        return srv_fail(err, SRV_NOT_FOUND, "document: not found");
    out->doc = r->doc;
    if (check_turn(who, &out->doc, r->signers, r->nsigners, &out->position, &out->last, err) !=
            SRV_OK ||
        svc_doc_bytes(app, &out->doc, &r->content, &in, &seals, err) != SRV_OK ||
        sign_bytes(&out->doc, &in, pl, sg, &signed_, err) != SRV_OK ||
        (strcmp(out->doc.format, "pdf") == 0 && signer_assets(app, sg, err) != SRV_OK))
        goto end;
    if (es_sm3(signed_.data, signed_.len, h) != ES_OK) {
        srv_fail(err, SRV_INTERNAL, "internal error");
        goto end;
    }
    if (pack(sg, out->doc.format, &seals, &signed_, &out->bytes, err) != SRV_OK)
        goto end;
    srv_hex(h, sizeof(h), out->sm3);
    out->size = (int64_t)signed_.len;
    signed_events(who, sg, ip, out);
end:
    svc_seal_set_release(&seals);
    es_buf_free_public(&in);
    es_buf_free_public(&signed_);
    return err->code;
}

srv_code svc_doc_commit(srv_app *app, svc_signed *s, size_t n, srv_error *errs, srv_error *err)
{
    st_doc_update u[SVC_COMMIT_MAX];
    es_err rc;

    if (n > sizeof(u) / sizeof(u[0]))
        return srv_fail(err, SRV_INTERNAL, "internal error: commit group too large");
    for (size_t i = 0; i < n; i++) {
        memset(&u[i], 0, sizeof(u[i]));
        u[i].d = &s[i].doc;
        u[i].content = s[i].bytes.data;
        u[i].content_len = s[i].bytes.len;
        u[i].sm3 = s[i].sm3;
        u[i].status = s[i].last ? "completed" : "open";
        u[i].size = s[i].size;
        u[i].position = s[i].position;
        u[i].ev = s[i].ev;
        u[i].nev = s[i].nev;
    }
    rc = st_doc_signed(app->store, u, n);
    if (srv_from_es(err, rc, "document") != SRV_OK)
        return err->code;
    for (size_t i = 0; i < n; i++)
        if (u[i].rc != ES_OK)
            srv_fail(&errs[i], SRV_STATE, "the document was signed by someone else meanwhile");
    return SRV_OK;
}

srv_code svc_doc_sign_with(srv_app *app, const st_account *who, int64_t id, const svc_place *pl,
                           srv_signer *sg, const char *ip, st_document *out, srv_error *err)
{
    st_signer signers[ST_MAX_SIGNERS];
    svc_signed s;
    size_t n = 0;

    if (svc_doc_prepare(app, who, id, pl, sg, ip, &s, err) == SRV_OK &&
        svc_doc_commit(app, &s, 1, err, err) == SRV_OK)
        srv_from_es(err, st_doc_get(app->store, id, out, signers, &n), "document");
    svc_signed_release(&s);
    return err->code;
}
