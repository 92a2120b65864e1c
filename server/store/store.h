/* The server's storage interface: accounts, sessions, verifications, members, events, stats. */
#ifndef ESEAL_SERVER_STORE_H
#define ESEAL_SERVER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/error.h"

/*
 * One store, two back ends behind the vtable in store_local.h: SQLite ("sqlite:PATH", WAL) and
 * PostgreSQL ("postgresql://..." or "postgres://..."). Every function is thread-safe: each call
 * takes a connection from a small pool. Multi-row changes run in one transaction. Errors:
 * ES_ERR_EXISTS for a unique-key conflict, ES_ERR_NOT_FOUND for a missing row, ES_ERR_STATE
 * for a row not in the required state, ES_ERR_IO for a database failure (detail: the
 * database's message, for the server log only, never for clients).
 */
typedef struct st_store st_store;

/* Field sizes bound what the validation layer accepts (bytes, with the NUL). */
#define ST_NAME_MAX  192
#define ST_SHORT_MAX 32

typedef struct st_account {
    int64_t id;
    char kind[ST_SHORT_MAX];   /* person | enterprise | staff */
    char role[ST_SHORT_MAX];   /* person | enterprise_admin | reviewer | admin */
    char status[ST_SHORT_MAX]; /* pending | verified | rejected */
    char login[64];            /* phone (person), credit code (enterprise), name (staff) */
    char name[ST_NAME_MAX];
    char id_number[ST_SHORT_MAX]; /* person */
    char phone[ST_SHORT_MAX];     /* person */
    char credit_code[ST_SHORT_MAX];
    char rep_name[ST_NAME_MAX]; /* enterprise: legal representative */
    char rep_id[ST_SHORT_MAX];
    char handler_name[ST_NAME_MAX]; /* enterprise: the person who registered it (经办人) */
    char handler_id[ST_SHORT_MAX];
    char handler_phone[ST_SHORT_MAX];
    char pw_hash[192]; /* Argon2id encoded string (salt and parameters included) */
    int64_t created_at;
} st_account;

typedef struct st_verification {
    int64_t id, account_id;
    char status[ST_SHORT_MAX]; /* pending | approved | rejected */
    char source[ST_SHORT_MAX]; /* "" while pending, then provider | reviewer */
    char reason[256];
    int64_t decided_by; /* reviewer account, 0 if none */
    int64_t created_at, decided_at;
    char kind[ST_SHORT_MAX]; /* the account's kind, name and login, for reviewers */
    char name[ST_NAME_MAX];
    char login[64];
} st_verification;

typedef struct st_member {
    int64_t enterprise_id, account_id;
    char role[ST_SHORT_MAX]; /* admin | member */
    char name[ST_NAME_MAX];  /* the member's name (or the enterprise's, in memberships) */
    char phone[ST_SHORT_MAX];
} st_member;

typedef struct st_event {
    int64_t id, account_id;
    char kind[ST_SHORT_MAX]; /* name_changed, legal_rep_changed, seal_issued, ... */
    char data[1024];         /* JSON object text */
    int64_t at;
} st_event;

typedef struct st_stats {
    int64_t users, providers, seals_issued, signings_started, documents_completed;
} st_stats;

/* A list filled by the *_list functions: at most max items (callers pass a bounded array). */
#define ST_LIST_MAX 200

/* Open a store and apply pending migrations in one transaction. nconns: pool size (>= 1). */
es_err st_open(const char *url, int nconns, st_store **out);
/* Close every connection; the caller guarantees no call is in progress. NULL is a no-op. */
void st_close(st_store *s);
/* "sqlite" or "postgresql". */
const char *st_backend_name(const st_store *s);
/* The schema version after migrations. */
int st_schema_version(const st_store *s);

/* Insert a new account (a->id set) with a pending verification (*vid) in one transaction. */
es_err st_account_create(st_store *s, st_account *a, int64_t *vid);
/* Insert a staff account (no verification). */
es_err st_staff_create(st_store *s, st_account *a);
es_err st_account_get(st_store *s, int64_t id, st_account *out);
es_err st_account_by_login(st_store *s, const char *login, st_account *out);
es_err st_account_count_role(st_store *s, const char *role, int64_t *n);

/*
 * Change a name or legal representative: the account's fields, an event {kind, data} and a new
 * pending verification (*vid) in one transaction; the account goes back to pending.
 * rep_id NULL: a name change (new_name); otherwise the legal representative's.
 */
es_err st_account_change(st_store *s, int64_t id, const char *new_name, const char *rep_id,
                         const char *kind, const char *data, int64_t *vid);

es_err st_session_create(st_store *s, const char *hash, int64_t account, int64_t now,
                         int64_t expires);
/* The account of an unexpired session. ES_ERR_NOT_FOUND for unknown or expired tokens. */
es_err st_session_account(st_store *s, const char *hash, int64_t now, st_account *out);
es_err st_session_revoke(st_store *s, const char *hash);
/*
 * Replace the password hash old_hash of account id by new_hash, delete every session of the
 * account but keep_session (a token hash), and record the event password_changed with data (JSON
 * text, no secrets), in one transaction; *revoked gets the number of sessions deleted.
 * ES_ERR_STATE when the stored hash is no longer old_hash (changed meanwhile): nothing changes.
 */
es_err st_account_set_password(st_store *s, int64_t id, const char *old_hash, const char *new_hash,
                               const char *keep_session, const char *data, int64_t *revoked);

/* Verifications with status (NULL: all), oldest first. */
es_err st_verification_list(st_store *s, const char *status, st_verification *v, size_t max,
                            size_t *n);
es_err st_verification_get(st_store *s, int64_t id, st_verification *out);
/*
 * Decide a pending verification and set its account's status (approved -> verified, rejected
 * -> rejected) in one transaction. ES_ERR_STATE when it was no longer pending.
 */
es_err st_verification_finish(st_store *s, int64_t id, const char *status, const char *source,
                              const char *reason, int64_t decided_by, int64_t now);
/* A new pending verification for account, which goes back to pending (one transaction). */
es_err st_verification_create(st_store *s, int64_t account, const char *reason, int64_t *vid);
/* Record a note on a pending verification (why it waits), keeping it pending. */
es_err st_verification_note(st_store *s, int64_t id, const char *reason);

es_err st_member_add(st_store *s, int64_t enterprise, int64_t account, const char *role,
                     int64_t now);
es_err st_member_remove(st_store *s, int64_t enterprise, int64_t account);
/* The role of account in enterprise; ES_ERR_NOT_FOUND when it is no member. */
es_err st_member_role(st_store *s, int64_t enterprise, int64_t account, char role[ST_SHORT_MAX]);
es_err st_member_list(st_store *s, int64_t enterprise, st_member *m, size_t max, size_t *n);
/* The enterprises account belongs to (name = the enterprise's). */
es_err st_memberships(st_store *s, int64_t account, st_member *m, size_t max, size_t *n);

es_err st_event_add(st_store *s, int64_t account, const char *kind, const char *data, int64_t at);
es_err st_event_list(st_store *s, int64_t account, st_event *e, size_t max, size_t *n);

es_err st_stats_get(st_store *s, st_stats *out);

#endif
