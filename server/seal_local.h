/* Seals, key custody, documents and signing: what their services and handlers share. */
#ifndef ESEAL_SERVER_SEAL_LOCAL_H
#define ESEAL_SERVER_SEAL_LOCAL_H

#include <openssl/x509.h>

#include "doc_pack.h"
#include "eseal/eseal.h"
#include "server_local.h"
#include "store/store_seals.h"

/* ---- the platform's keys (platform.c): CA, seal maker, custody secret ---- */

/*
 * Open the CA, unwrap the seal-maker key and derive the custody secret from the master key
 * (after srv_bootstrap created them). Thread-safe use goes through the functions below.
 */
int srv_platform_open(srv_app *app, const uint8_t master[32], char *why, size_t n);
void srv_platform_close(srv_app *app);
/* The custody secret (HMAC-SM3(master, "eseal custody v1")), borrowed. */
const uint8_t *srv_custody_secret(srv_app *app);
/* Issue a signer certificate for pub (serialised with other CA writers). */
es_err srv_ca_issue_signer(srv_app *app, const char *subject, const es_key *pub, X509 **out);
/* Revoke (cessationOfOperation) and refresh the cached CRL. Already revoked is ES_OK. */
es_err srv_ca_revoke(srv_app *app, const X509 *cert);
/* Make a seal with the platform's maker key. */
es_err srv_make_seal(srv_app *app, es_seal_make_opts *o, es_buf *der);
/* PEM of the root, of the issuing CA, and a fresh CRL (heap copies, caller frees). */
es_err srv_ca_pem(srv_app *app, const char *which, es_buf *out);
/* Trust anchors, intermediates and the current CRL for verifying (caller releases). */
es_err srv_verify_opts(srv_app *app, es_verify_opts *o);
void srv_verify_opts_release(es_verify_opts *o);

/* ---- base64 (base64.c) ---- */

/* Characters of the padded base64 text of n bytes. */
#define SRV_B64_LEN(n) (((n) + 2) / 3 * 4)
/* Write the base64 text of p, SRV_B64_LEN(n) characters without a NUL, to out. */
void srv_b64_encode(const uint8_t *p, size_t n, char *out);
/* Heap NUL-terminated base64 of p; NULL when out of memory. */
char *srv_b64(const uint8_t *p, size_t n);
/* Decode base64 text into out; -1 when it is not base64. */
int srv_unb64(const char *s, es_buf *out);

/* ---- seals (svc_seals.c, svc_seal_admin.c) ---- */

typedef struct svc_seal_in {
    int64_t enterprise_id; /* 0: a personal seal of the caller */
    const char *type;      /* "00" personal, "01".."05", "99" */
    const char *text;      /* type 99: the words under the star (e.g. "人事专用章") */
    es_buf impression;     /* a scanned impression (PNG/JPEG) for review; empty: generated */
} svc_seal_in;

/* Draw the picture of a seal; code may be NULL (before the seal is made). */
es_err srv_seal_picture(const st_seal *s, const char *tax_id, const char *text, const char *code,
                        es_buf *png);
/* The fixed words under the star of a type ("合同专用章"), NULL when it has none. */
const char *srv_seal_type_text(const char *type);
/* 1 when who administers the seal's owner (personal: the person itself). */
int svc_seal_admin(srv_app *app, const st_account *who, const st_seal *s);
srv_code svc_seal_apply(srv_app *app, const st_account *who, const svc_seal_in *in, st_seal *out,
                        srv_error *err);
srv_code svc_seal_read(srv_app *app, const st_account *who, int64_t id, st_seal *out,
                       srv_error *err);
/* Seals the caller owns, administers or holds grants on; staff: by status or all. */
srv_code svc_seal_list(srv_app *app, const st_account *who, int64_t enterprise, const char *status,
                       st_seal *out, size_t max, size_t *n, srv_error *err);
srv_code svc_seal_decide(srv_app *app, const st_account *who, int64_t id, const char *decision,
                         const char *reason, st_seal *out, srv_error *err);
/* Make the seal: key pair, certificate, code, SESeal, wrapped key under pin; active. */
srv_code svc_seal_activate(srv_app *app, const st_account *who, int64_t id, const char *pin,
                           st_seal *out, srv_error *err);
srv_code svc_seal_pin(srv_app *app, const st_account *who, int64_t id, const char *old_pin,
                      const char *new_pin, srv_error *err);
/* Staff, after checking the holder's identity again: clear the wrong-PIN lock. */
srv_code svc_seal_unlock(srv_app *app, const st_account *who, int64_t id, const char *reason,
                         st_seal *out, srv_error *err);
/* action: suspend | resume | cancel. Cancel revokes the certificate. */
srv_code svc_seal_action(srv_app *app, const st_account *who, int64_t id, const char *action,
                         const char *reason, st_seal *out, srv_error *err);
/* The SESeal file (DER) of a made seal. */
/* The seal file (SESeal DER) of seal id as stored; ES_ERR_STATE while it is not made. */
es_err svc_seal_der(srv_app *app, int64_t id, es_buf *der);
srv_code svc_seal_file(srv_app *app, const st_account *who, int64_t id, es_buf *der,
                       srv_error *err);
srv_code svc_grant_add(srv_app *app, const st_account *who, int64_t seal, const char *phone,
                       int64_t expires_at, st_grant *out, srv_error *err);
srv_code svc_grant_revoke(srv_app *app, const st_account *who, int64_t seal, int64_t grant,
                          srv_error *err);
srv_code svc_grant_list(srv_app *app, const st_account *who, int64_t seal, st_grant *g, size_t max,
                        size_t *n, srv_error *err);
/*
 * After a name change (rep == 0) or a legal-representative change (rep == 1) of account:
 * cancel the affected seals (revoking their certificates) and apply again for each (换领).
 */
void svc_seals_on_change(srv_app *app, int64_t account, int rep);

/* ---- signing (svc_sign.c) ---- */

/*
 * The seal picture's image streams (es_pdf_picture_streams) as stored assets (doc_pack.h): in
 * every PDF the seal signs, most of a small one. Found or stored when the signer first signs a
 * PDF, then used for every PDF of the request or batch (data-only batches never pay for it).
 */
typedef struct srv_assets {
    int loaded;
    doc_asset a[2];
    es_buf bytes[2]; /* owned: a[i].p points into bytes[i] */
    size_t n;
} srv_assets;

/* An unlocked seal: lives only for one request; srv_signer_release wipes the key. */
typedef struct srv_signer {
    st_seal seal;
    es_seal *ses;
    es_key *key;
    X509 *cert;
    srv_assets assets;
    es_buf seal_hex; /* its seal's DER in hex (doc_seal.hex), made when it first packs a PDF */
} srv_signer;

/*
 * Check that who may use seal id now (active, not locked, owner, enterprise admin or a valid
 * grant), then unwrap its key with pin. A wrong PIN counts towards the lock (403, then 423).
 */
srv_code svc_signer_unlock(srv_app *app, const st_account *who, int64_t id, const char *pin,
                           srv_signer *out, srv_error *err);
void srv_signer_release(srv_signer *s);

typedef struct svc_place {
    long page; /* 1-based */
    double x_mm, y_mm;
    const char *keyword;
    int cross_page;
} svc_place;

/* The seals and assets a stored document refers to (doc_pack.h), loaded from the store. */
typedef struct svc_seal_set {
    doc_seal s[DOC_PACK_MAX_REFS];
    es_buf der[DOC_PACK_MAX_REFS]; /* owned DER, or empty for a seal lent by the caller */
    size_t n;
    doc_asset a[DOC_PACK_MAX_REFS];
    es_buf bytes[DOC_PACK_MAX_REFS]; /* owned bytes, or empty for an asset lent by the caller */
    size_t na;
} svc_seal_set;
void svc_seal_set_release(svc_seal_set *set);

/* A document signed in memory, not stored yet (svc_doc_prepare, then svc_doc_commit). */
typedef struct svc_signed {
    st_document doc; /* as read before signing */
    int64_t position;
    int last;
    char sm3[65];
    es_buf bytes; /* the signed document as stored: packed (doc_pack.h) */
    int64_t size;
    st_event ev[3]; /* signing_started?, document_signed, document_completed? */
    size_t nev;
} svc_signed;

/* Check who's turn on document id and sign it with an unlocked seal, in memory (a PDF: the
 * signer's assets loaded into sg on first use). */
srv_code svc_doc_prepare(srv_app *app, const st_account *who, int64_t id, const svc_place *pl,
                         srv_signer *sg, const char *ip, svc_signed *out, srv_error *err);
/* The same for a document read already (st_docs_read: a batch reads its group at once); its
 * content is taken. */
srv_code svc_doc_prepare_read(srv_app *app, const st_account *who, st_doc_read *r,
                              const svc_place *pl, srv_signer *sg, const char *ip, svc_signed *out,
                              srv_error *err);
void svc_signed_release(svc_signed *s);
/*
 * At most this many documents per commit (svc_doc_commit). Packed documents are small (a few KB
 * for a small one), and each commit writes whole 64 KB pages and syncs: 64 per commit instead
 * of 16 cut a batch's database time per document by a third (docs/server.md).
 */
#define SVC_COMMIT_MAX 64
/*
 * Store n prepared documents and their events in one transaction (one commit for a batch);
 * errs[i] gets a document's own refusal (signed by someone else meanwhile).
 */
srv_code svc_doc_commit(srv_app *app, svc_signed *s, size_t n, srv_error *errs, srv_error *err);
/* Prepare and commit one document; out is its state after. */
srv_code svc_doc_sign_with(srv_app *app, const st_account *who, int64_t id, const svc_place *pl,
                           srv_signer *sg, const char *ip, st_document *out, srv_error *err);

/* One item of a batch: a document (document_id, place) or raw data. */
typedef struct svc_batch_item {
    int64_t document_id; /* 0: a data item */
    svc_place place;
    es_buf data;
    srv_error err;    /* out: this item's refusal */
    st_document doc;  /* out: a document's state after */
    es_buf signature; /* out: a data item's SES_Signature (DER), the seal cut out at seal_at */
    size_t seal_at;   /* out: where the batch's seal goes back in; SIZE_MAX: nothing cut out */
} svc_batch_item;

/*
 * Unlock seal_id once with pin, sign every item, wipe the key. Documents are stored in groups,
 * one transaction each; every signature is recorded as an event.
 *
 * Every SES_Signature embeds the whole seal (its picture: ~140 KB), the same bytes in each, so
 * a data item keeps its signature without them and seal (empty before, caller frees) gets them
 * once: a batch of 100 holds 100 small signatures, not 14 MB of fresh memory.
 */
srv_code svc_sign_batch(srv_app *app, const st_account *who, int64_t seal_id, const char *pin,
                        svc_batch_item *items, size_t n, const char *ip, es_buf *seal,
                        srv_error *err);
void svc_batch_item_release(svc_batch_item *it);
/* An event record's account, kind and time (now); its data is written next (event_text.h). */
void svc_event_init(st_event *e, int64_t account, const char *kind);

/* PDF signing through the PDF library (svc_pdf.c). */
srv_code svc_pdf_sign(const es_buf *in, const svc_place *pl, const srv_signer *sg, es_buf *out,
                      srv_error *err);
srv_code svc_pdf_verify(const es_buf *in, const es_verify_opts *vo, char **json, int *valid,
                        srv_error *err);
/* Record an event of kind for account with data (a JSON object, consumed). */
void svc_event(srv_app *app, int64_t account, const char *kind, json_t *data);

/* ---- documents (svc_docs.c) ---- */

srv_code svc_doc_upload(srv_app *app, const st_account *who, const uint8_t *p, size_t n,
                        const char *name, const char *signers, st_document *out, srv_error *err);
/* May who read (and sign) the document: the owner, a listed signer or staff. */
srv_code svc_doc_get(srv_app *app, const st_account *who, int64_t id, st_document *d,
                     st_signer *signers, size_t *nsigners, srv_error *err);
int svc_doc_visible(const st_account *who, const st_document *d, const st_signer *signers,
                    size_t nsigners);
srv_code svc_doc_file(srv_app *app, const st_account *who, int64_t id, st_document *d, es_buf *out,
                      srv_error *err);
/* The current content of d, unpacked and checked against d->sm3, without the access check (the
 * caller made it). */
srv_code svc_doc_content(srv_app *app, const st_document *d, es_buf *out, srv_error *err);
/* The same from d's stored bytes as read (taken: moved into out or freed); the seals and assets
 * they referred to into seals when not NULL (release them with svc_seal_set_release). */
srv_code svc_doc_bytes(srv_app *app, const st_document *d, es_buf *stored, es_buf *out,
                       svc_seal_set *seals, srv_error *err);
/* Verify an uploaded PDF, OFD, seal or signature; *json is the CLI's JSON report (free()). */
srv_code svc_verify_upload(srv_app *app, const st_account *who, const uint8_t *p, size_t n,
                           const char *ip, char **json, srv_error *err);

/* Wipe the string member key of o in place (PINs) before the object is freed. */
void srv_jwipe(json_t *o, const char *key);

/* The request body limit of a route: documents get opts.max_document, the rest max_body. */
size_t srv_body_limit(const srv_app *app, const char *method, const char *url);

#endif
