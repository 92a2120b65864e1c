/* What the store's files share: the back-end vtable, typed parameters, the query table. */
#ifndef ESEAL_SERVER_STORE_LOCAL_H
#define ESEAL_SERVER_STORE_LOCAL_H

#include <pthread.h>

#include "eseal/buf.h"
#include "store.h"

/* A parameter of a prepared statement: an integer, a text, NULL (text NULL) or n bytes. */
typedef struct st_val {
    int is_int;
    int64_t i;
    const char *s;
    int is_blob;
    size_t n; /* of a blob */
} st_val;

#define ST_INT(v)     ((st_val){1, (int64_t)(v), NULL, 0, 0})
#define ST_TEXT(v)    ((st_val){0, 0, (v), 0, 0})
#define ST_BLOB(p, n) ((st_val){0, 0, (const char *)(p), 1, (n)})
/* Empty strings become NULL so that partial unique indexes ignore them. */
#define ST_OPT(v) ((st_val){0, 0, ((v) != NULL && (v)[0] != '\0') ? (v) : NULL, 0, 0})

/* Called per result row; values are text ("" for NULL). Return non-zero to stop. */
typedef int (*st_row_fn)(void *ctx, int ncols, const char *const *vals);

typedef struct st_conn st_conn;

/* The statements, each prepared once per connection. SQL uses '?' placeholders. */
typedef enum st_query {
    Q_ACCOUNT_INSERT,
    Q_VERIF_INSERT,
    Q_ACCOUNT_BY_ID,
    Q_ACCOUNT_BY_LOGIN,
    Q_COUNT_ROLE,
    Q_ACCOUNT_SET_NAME,
    Q_ACCOUNT_SET_REP,
    Q_ACCOUNT_SET_STATUS,
    Q_SESSION_INSERT,
    Q_SESSION_ACCOUNT,
    Q_SESSION_DELETE,
    Q_VERIF_LIST,
    Q_VERIF_LIST_ALL,
    Q_VERIF_GET,
    Q_VERIF_FINISH,
    Q_VERIF_NOTE,
    Q_MEMBER_INSERT,
    Q_MEMBER_DELETE,
    Q_MEMBER_ROLE,
    Q_MEMBER_LIST,
    Q_MEMBERSHIPS,
    Q_EVENT_INSERT,
    Q_EVENT_LIST,
    Q_STATS,
    Q_SCHEMA_VERSION,
    /* version 2: seals, grants, seal-code counters, documents (store_seals.c, store_docs.c) */
    Q_SEAL_INSERT,
    Q_SEAL_GET,
    Q_SEAL_BLOBS,
    Q_SEAL_LIST_OWNER,
    Q_SEAL_LIST_STATUS,
    Q_SEAL_LIST_ALL,
    Q_SEAL_LIST_GRANTED,
    Q_SEAL_OPEN_COUNT,
    Q_SEAL_DECIDE,
    Q_SEAL_SET_STATUS,
    Q_COUNTER_INIT,
    Q_COUNTER_NEXT,
    Q_SEAL_CLAIM,
    Q_SEAL_MADE,
    Q_SEAL_WRAPPED,
    Q_SEAL_PIN_RESERVE,
    Q_SEAL_PIN_FAIL,
    Q_SEAL_PIN_RELEASE,
    Q_SEAL_PIN_OK,
    Q_SEAL_UNLOCK,
    Q_GRANT_INSERT,
    Q_GRANT_REVOKE,
    Q_GRANT_LIST,
    Q_GRANT_VALID,
    Q_DOC_INSERT,
    Q_DOC_GET,
    Q_DOC_CONTENT,
    Q_DOC_UPDATE,
    Q_DOC_SIGNER_INSERT,
    Q_DOC_SIGNERS,
    Q_DOC_SIGNER_DONE,
    /* version 4: assets, bytes that stored documents refer to (store_assets.c) */
    Q_ASSET_FIND,
    Q_ASSET_INSERT,
    Q_ASSET_CONTENT,
    Q_ASSET_REPAIR,
    /* password change (store_ops.c) */
    Q_ACCOUNT_SET_PASSWORD,
    Q_SESSION_DELETE_OTHERS,
    Q__COUNT
} st_query;

extern const char *const st_sql[Q__COUNT];

/* Schema migrations: version i+1 is migrations[i][dialect] (0 SQLite, 1 PostgreSQL). */
extern const char *const st_migrations[][2];
extern const int st_nmigrations;

/* One back end. Connections are used by one thread at a time (the pool guarantees it). */
typedef struct st_backend {
    const char *name;
    int dialect; /* index into st_migrations */
    es_err (*connect)(const char *target, st_conn **out);
    void (*disconnect)(st_conn *c);
    /* Run fixed DDL text (migrations only: no parameters). */
    es_err (*script)(st_conn *c, const char *sql);
    /* Run statement q with params; rows to fn (may be NULL); *changes (may be NULL). */
    es_err (*query)(st_conn *c, st_query q, const st_val *params, int nparams, st_row_fn fn,
                    void *ctx, int64_t *changes);
    /* Run statement q, whose first column is binary: that column of the first row into *out
     * (heap; out->data NULL when there is no row). */
    es_err (*blob)(st_conn *c, st_query q, const st_val *params, int nparams, es_buf *out);
    es_err (*begin)(st_conn *c);      /* a write transaction (SQLite: BEGIN IMMEDIATE) */
    es_err (*begin_read)(st_conn *c); /* a read-only one: one snapshot, writers not held up */
    es_err (*commit)(st_conn *c);
    void (*rollback)(st_conn *c);
    /* A lock serialising migrations across processes inside a transaction (may be NULL). */
    es_err (*migration_lock)(st_conn *c);
    /* 1 when the connection is unusable and should be replaced. */
    int (*broken)(st_conn *c);
    /* Statement q run n times (run i with params + i * nparams, no rows read), each run's row
     * count into changes[i] (may be NULL), sent together. NULL: st__many runs query n times. */
    es_err (*many)(st_conn *c, st_query q, const st_val *params, int nparams, size_t n,
                   int64_t *changes);
} st_backend;

extern const st_backend st_sqlite_backend;
extern const st_backend st_pg_backend;

struct st_store {
    const st_backend *be;
    char *target;
    st_conn **conns; /* NULL slots are connected on demand */
    int *busy;
    int nconns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int version;
};

es_err st__acquire(st_store *s, st_conn **out, int *slot);
void st__release(st_store *s, int slot);

/* One statement on a pooled connection. */
es_err st__run(st_store *s, st_query q, const st_val *p, int np, st_row_fn fn, void *ctx,
               int64_t *changes);

/* One statement with a binary first column on a pooled connection (backend's blob). */
es_err st__blob(st_store *s, st_query q, const st_val *p, int np, es_buf *out);

/* At most this many runs per st__many call (its callers' arrays live on the stack). */
#define ST_MANY_MAX 32
/* The backend's many, or n queries one after the other. */
es_err st__many(st_store *s, st_conn *c, st_query q, const st_val *p, int np, size_t n,
                int64_t *changes);

/* Run body inside a write transaction on one connection: commit on ES_OK, else roll back. */
typedef es_err (*st_tx_fn)(st_store *s, st_conn *c, void *ctx);
es_err st__tx(st_store *s, st_tx_fn body, void *ctx);
/* The same inside a read-only transaction (body must not write): its reads see one snapshot. */
es_err st__read_tx(st_store *s, st_tx_fn body, void *ctx);

/* Copy a text value into a fixed field (truncating safely). */
void st__copy(char *dst, size_t size, const char *src);
int64_t st__int(const char *v);
/* Row callback storing the first column as an integer into *(int64_t *)ctx. */
int st__row_int(void *ctx, int ncols, const char *const *vals);

#endif
