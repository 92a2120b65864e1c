/* The SQLite back end: WAL, a busy timeout, statements prepared once per connection. */
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "store_local.h"

struct st_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q__COUNT];
};

/* Writers wait this long for the lock before failing (WAL lets readers go on meanwhile). */
#define BUSY_TIMEOUT_MS 15000

static es_err db_fail(sqlite3 *db, int rc, const char *what)
{
    int ext = db ? sqlite3_extended_errcode(db) : rc;

    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return es__fail(ES_ERR_EXISTS, "%s: %s", what, sqlite3_errmsg(db));
    return es__fail(ES_ERR_IO, "sqlite: %s: %s", what,
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static void lite_disconnect(st_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static es_err lite_script(st_conn *c, const char *sql)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ES_OK : db_fail(c->db, rc, "schema");
}

/*
 * eseal_unbase64(text): the bytes of a base64 text, for migration 3 (document contents went
 * from base64 text to blobs; SQLite 3.40 has no base64 function). NULL for malformed input, so
 * that the migration's NOT NULL column refuses it rather than storing garbage.
 */
static void sql_unbase64(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *s = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), len, pad;
    unsigned char *out;

    (void)argc;
    if (s == NULL || n % 4 != 0)
        return;
    if ((out = sqlite3_malloc(n / 4 * 3 + 1)) == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if ((len = EVP_DecodeBlock(out, s, n)) < 0) {
        sqlite3_free(out);
        return;
    }
    pad = n >= 1 && s[n - 1] == '=' ? (n >= 2 && s[n - 2] == '=' ? 2 : 1) : 0;
    sqlite3_result_blob(ctx, out, len - pad, sqlite3_free);
}

static es_err lite_connect(const char *path, st_conn **out)
{
    st_conn *c = calloc(1, sizeof(*c));
    int rc;
    es_err err = ES_ERR_NOMEM;

    if (c == NULL)
        goto end;
    rc = sqlite3_open_v2(path, &c->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err = db_fail(c->db, rc, path);
        goto end;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    rc = sqlite3_create_function(c->db, "eseal_unbase64", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                 sql_unbase64, NULL, NULL);
    if (rc != SQLITE_OK) {
        err = db_fail(c->db, rc, "function");
        goto end;
    }
    /*
     * page_size (a new database only; an existing one keeps its own): signed documents, hundreds
     * of KB each (the seal's picture is inside every signature), are most of the bytes written,
     * and with 4 KB pages writing them cost as much CPU as hashing them: two write calls per WAL
     * frame and one more per page at checkpoint. 64 KB pages halve a document's cost; a small
     * commit costs 0.2 ms of CPU instead of 0.09 (docs/server.md has the measurements).
     * wal_autocheckpoint: 256 pages (16 MB); the default 1000 would let the WAL grow to 64 MB.
     * synchronous=FULL: an acknowledged registration or signature survives a power cut, not only
     * a crash; batches group their documents into few commits instead. cache_size: a group of
     * signed documents fits in the page cache, which would otherwise spill dirty pages to the
     * WAL mid-transaction.
     */
    if ((err = lite_script(c, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; "
                              "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                              "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=256;")) != ES_OK)
        goto end;
    *out = c;
    c = NULL;
end:
    lite_disconnect(c);
    return err;
}

static es_err bind(st_conn *c, sqlite3_stmt *st, const st_val *p, int np)
{
    int rc = SQLITE_OK;

    for (int i = 0; i < np && rc == SQLITE_OK; i++) {
        if (p[i].is_int)
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
        else if (p[i].is_blob) /* static: the caller's bytes outlive the statement's step */
            rc = p[i].n == 0 ? sqlite3_bind_zeroblob(st, i + 1, 0)
                             : sqlite3_bind_blob64(st, i + 1, p[i].s, p[i].n, SQLITE_STATIC);
        else if (p[i].s == NULL)
            rc = sqlite3_bind_null(st, i + 1);
        else
            rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_TRANSIENT);
    }
    return rc == SQLITE_OK ? ES_OK : db_fail(c->db, rc, "bind");
}

#define MAX_COLS 20

static es_err prepared(st_conn *c, st_query q, sqlite3_stmt **out)
{
    int rc;

    if (c->stmt[q] == NULL &&
        (rc = sqlite3_prepare_v3(c->db, st_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[q],
                                 NULL)) != SQLITE_OK)
        return db_fail(c->db, rc, "prepare");
    *out = c->stmt[q];
    return ES_OK;
}

static es_err lite_query(st_conn *c, st_query q, const st_val *p, int np, st_row_fn fn, void *ctx,
                         int64_t *changes)
{
    sqlite3_stmt *st;
    const char *vals[MAX_COLS];
    es_err err;
    int rc;

    if ((err = prepared(c, q, &st)) != ES_OK)
        return err;
    if ((err = bind(c, st, p, np)) != ES_OK)
        goto end;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);

        n = n > MAX_COLS ? MAX_COLS : n;
        for (int i = 0; i < n; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            vals[i] = v ? v : "";
        }
        if (fn && fn(ctx, n, vals))
            break;
    }
    err = rc == SQLITE_DONE || rc == SQLITE_ROW ? ES_OK : db_fail(c->db, rc, "step");
    if (err == ES_OK && changes)
        *changes = sqlite3_changes64(c->db);
end:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return err;
}

static es_err lite_blob(st_conn *c, st_query q, const st_val *p, int np, es_buf *out)
{
    sqlite3_stmt *st;
    es_err err;
    int rc;

    out->data = NULL;
    out->len = 0;
    if ((err = prepared(c, q, &st)) != ES_OK)
        return err;
    if ((err = bind(c, st, p, np)) != ES_OK)
        goto end;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *v = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);

        /* +1: an empty blob is still a found row, with non-NULL data */
        if ((out->data = malloc(n + 1)) == NULL) {
            err = es__fail(ES_ERR_NOMEM, "out of memory");
            goto end;
        }
        if (n)
            memcpy(out->data, v, n);
        out->len = n;
    } else if (rc != SQLITE_DONE) {
        err = db_fail(c->db, rc, "step");
    }
end:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return err;
}

static es_err lite_begin(st_conn *c)
{
    return lite_script(c, "BEGIN IMMEDIATE");
}

static es_err lite_begin_read(st_conn *c)
{
    return lite_script(c, "BEGIN DEFERRED");
}

static es_err lite_commit(st_conn *c)
{
    return lite_script(c, "COMMIT");
}

static void lite_rollback(st_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static int lite_broken(st_conn *c)
{
    return c->db == NULL;
}

const st_backend st_sqlite_backend = {
    "sqlite",    0,          lite_connect,    lite_disconnect, lite_script,   lite_query,
    lite_blob,   lite_begin, lite_begin_read, lite_commit,     lite_rollback, NULL,
    lite_broken, NULL, /* many: statements run in-process, nothing to save by sending them together
                        */
};
