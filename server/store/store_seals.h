/* The store's seal, grant and document records (schema version 2). */
#ifndef ESEAL_SERVER_STORE_SEALS_H
#define ESEAL_SERVER_STORE_SEALS_H

#include "store.h"

/* Wrong PINs after which a seal's key is locked. */
#define ST_PIN_TRIES 5

typedef struct st_seal {
    int64_t id, owner_id, applicant_id, reviewed_by, reissue_of;
    char type[4];              /* "00" personal, "01".."05", "99" */
    char name[ST_NAME_MAX];    /* from the verified identity */
    char status[ST_SHORT_MAX]; /* applied approved rejected making active suspended cancelled */
    char reason[256];
    char code[ST_SHORT_MAX];           /* 6-digit region + 8-digit sequence, once made */
    char serial[80];                   /* the signer certificate's serial (hex), once made */
    char picture_source[ST_SHORT_MAX]; /* generated | impression */
    int64_t pin_failures, locked;
    int64_t created_at, updated_at;
} st_seal;

/* The large columns, base64 text (or PEM), heap strings; free with st_seal_blobs_release. */
typedef struct st_seal_blobs {
    char *picture, *cert_pem, *seal_der, *wrapped;
} st_seal_blobs;

typedef struct st_grant {
    int64_t id, seal_id, account_id, granted_by, expires_at, revoked_at, created_at;
    char name[ST_NAME_MAX]; /* the grantee's */
} st_grant;

typedef struct st_document {
    int64_t id, owner_id, size, nsig, created_at, updated_at;
    char format[8]; /* pdf | ofd */
    char name[ST_NAME_MAX];
    char sm3[65];              /* of the current content */
    char status[ST_SHORT_MAX]; /* open | completed */
} st_document;

typedef struct st_signer {
    int64_t position, account_id, signed_at;
} st_signer;

#define ST_MAX_SIGNERS 16

/* A new application (applied); s->id set. picture: base64 PNG. reissue_of 0: none. */
es_err st_seal_create(st_store *s, st_seal *seal, const char *picture);
es_err st_seal_get(st_store *s, int64_t id, st_seal *out);
es_err st_seal_blobs_get(st_store *s, int64_t id, st_seal_blobs *out);
void st_seal_blobs_release(st_seal_blobs *b);
/* By owner (owner > 0), granted to account (granted > 0), by status, or all. */
es_err st_seal_list(st_store *s, int64_t owner, int64_t granted, const char *status, st_seal *out,
                    size_t max, size_t *n);
/* Seals of owner and type not rejected or cancelled. */
es_err st_seal_open_count(st_store *s, int64_t owner, const char *type, int64_t *n);
/* applied -> approved | rejected. ES_ERR_STATE when no longer applied. */
es_err st_seal_decide(st_store *s, int64_t id, const char *status, const char *reason, int64_t by);
/* from -> to with a reason. ES_ERR_STATE when not in from. */
es_err st_seal_transition(st_store *s, int64_t id, const char *from, const char *to,
                          const char *reason);
/*
 * approved -> making and assign the seal code region || next value of the region's counter,
 * in one transaction. ES_ERR_STATE when the seal is not approved.
 */
es_err st_seal_claim(st_store *s, int64_t id, const char *region, char code[ST_SHORT_MAX]);
/* applied -> approved without a reviewer: unit tests only. */
es_err st_seal_approve_for_test(st_store *s, int64_t id);
/* making -> active with every artefact, or back to approved (made == NULL) after a failure. */
es_err st_seal_made(st_store *s, int64_t id, const char *serial, const st_seal_blobs *made);
/* A new wrapped key (PIN change). */
es_err st_seal_set_wrapped(st_store *s, int64_t id, const char *wrapped);
/*
 * PIN attempts: st_seal_pin_reserve takes a slot before the PIN is evaluated (*ok 0: none left,
 * the key is locked or every slot is taken by attempts in flight), atomically, so that parallel
 * guesses evaluate at most ST_PIN_TRIES PINs. Then exactly one of: st_seal_pin_failed (a wrong
 * PIN keeps its slot; *locked 1 once ST_PIN_TRIES slots are taken), st_seal_pin_ok (the right
 * PIN clears the count unless the key got locked meanwhile), st_seal_pin_release (the attempt
 * failed for another reason and gives its slot back).
 */
es_err st_seal_pin_reserve(st_store *s, int64_t id, int *ok);
es_err st_seal_pin_failed(st_store *s, int64_t id, int64_t *failures, int64_t *locked);
es_err st_seal_pin_ok(st_store *s, int64_t id);
es_err st_seal_pin_release(st_store *s, int64_t id);
es_err st_seal_unlock(st_store *s, int64_t id);

es_err st_grant_add(st_store *s, st_grant *g);
es_err st_grant_revoke(st_store *s, int64_t seal, int64_t grant);
es_err st_grant_list(st_store *s, int64_t seal, st_grant *g, size_t max, size_t *n);
/* 1 in *ok when account holds an unexpired, unrevoked grant on seal at now. */
es_err st_grant_valid(st_store *s, int64_t seal, int64_t account, int64_t now, int *ok);

/* A new document with its d->size bytes of content and its ordered signers (may be 0). */
es_err st_doc_create(st_store *s, st_document *d, const uint8_t *content, const int64_t *signers,
                     size_t nsigners);
es_err st_doc_get(st_store *s, int64_t id, st_document *out, st_signer *signers, size_t *nsigners);
/* The content (heap: es_buf_free()). */
es_err st_doc_content(st_store *s, int64_t id, es_buf *out);
/* A document as signing reads it: its row, its signers and its stored bytes. */
typedef struct st_doc_read {
    int64_t id;
    es_err rc; /* ES_OK, or ES_ERR_NOT_FOUND: no such document (the others are still read) */
    st_document doc;
    st_signer signers[ST_MAX_SIGNERS];
    size_t nsigners;
    es_buf content; /* heap: es_buf_free_public() */
} st_doc_read;
/*
 * Read out[0..n) (each out[i].id set by the caller) in one read-only transaction: a batch's
 * documents seen in one snapshot, for one round of locks instead of three per document. Stops
 * once the stored bytes read reach max_bytes (after one document at least): *nread were read.
 */
es_err st_docs_read(st_store *s, st_doc_read *out, size_t n, size_t max_bytes, size_t *nread);
/* One signed document to store: its new content and the events that record the signature. */
typedef struct st_doc_update {
    const st_document *d;   /* as read before signing (id, nsig) */
    const uint8_t *content; /* content_len bytes, as stored (a packed document: doc_pack.h) */
    size_t content_len;
    const char *sm3, *status;
    int64_t size, position; /* position > 0: that listed signer is done */
    const st_event *ev;     /* events to add in the same transaction */
    size_t nev;
    es_err rc; /* out: ES_ERR_STATE when someone signed meanwhile (nsig changed) */
} st_doc_update;

/*
 * Store n signed documents and their events in one transaction (one commit for a batch). An
 * item whose document changed meanwhile gets rc ES_ERR_STATE and changes nothing; the others
 * are stored. Returns an error only when the transaction failed (then nothing is stored).
 */
es_err st_doc_signed(st_store *s, st_doc_update *u, size_t n);
/* Add n events in one transaction. */
es_err st_events_add(st_store *s, const st_event *ev, size_t n);

/*
 * Assets (schema version 4, store_assets.c): bytes kept once that stored documents refer to
 * (server/doc_pack.h), keyed by their seal and the SM3 (hex) of the bytes.
 *
 * st_asset_put finds seal's asset with digest sm3 or stores p (n bytes) as a new one, in its own
 * short transaction (committed before any document that refers to it); *id is its id. A found
 * row whose bytes are not p gets p back: its key says what it must hold (the caller computed
 * sm3 from p), and documents refer to it by that.
 */
es_err st_asset_put(st_store *s, int64_t seal, const char *sm3, const uint8_t *p, size_t n,
                    int64_t *id);
/* The bytes of assets ids[0..n) into out[0..n) (heap, free each with es_buf_free_public; all
 * empty on error). ES_ERR_NOT_FOUND (detail: the id) when one is missing. */
es_err st_assets_get(st_store *s, const int64_t *ids, size_t n, es_buf *out);

#endif
