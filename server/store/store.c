/* The store's connection pool, transactions and migrations, shared by both back ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "store_local.h"

void st__copy(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

int64_t st__int(const char *v)
{
    return v && *v ? strtoll(v, NULL, 10) : 0;
}

int st__row_int(void *ctx, int ncols, const char *const *vals)
{
    *(int64_t *)ctx = ncols > 0 ? st__int(vals[0]) : 0;
    return 0;
}

es_err st__acquire(st_store *s, st_conn **out, int *slot)
{
    es_err rc = ES_OK;
    int i;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (i = 0; i < s->nconns && s->busy[i]; i++)
            ;
        if (i < s->nconns)
            break;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    s->busy[i] = 1;
    pthread_mutex_unlock(&s->mu);
    /* Connect outside the lock: a slow database must not block the other slots. */
    if (s->conns[i] != NULL && s->be->broken(s->conns[i])) {
        s->be->disconnect(s->conns[i]);
        s->conns[i] = NULL;
    }
    if (s->conns[i] == NULL)
        rc = s->be->connect(s->target, &s->conns[i]);
    if (rc != ES_OK) {
        st__release(s, i);
        return rc;
    }
    *out = s->conns[i];
    *slot = i;
    return ES_OK;
}

void st__release(st_store *s, int slot)
{
    pthread_mutex_lock(&s->mu);
    s->busy[slot] = 0;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

es_err st__run(st_store *s, st_query q, const st_val *p, int np, st_row_fn fn, void *ctx,
               int64_t *changes)
{
    st_conn *c;
    int slot;
    es_err rc = st__acquire(s, &c, &slot);

    if (rc != ES_OK)
        return rc;
    rc = s->be->query(c, q, p, np, fn, ctx, changes);
    st__release(s, slot);
    return rc;
}

es_err st__blob(st_store *s, st_query q, const st_val *p, int np, es_buf *out)
{
    st_conn *c;
    int slot;
    es_err rc = st__acquire(s, &c, &slot);

    if (rc != ES_OK)
        return rc;
    rc = s->be->blob(c, q, p, np, out);
    st__release(s, slot);
    return rc;
}

es_err st__many(st_store *s, st_conn *c, st_query q, const st_val *p, int np, size_t n,
                int64_t *changes)
{
    es_err rc = ES_OK;

    if (s->be->many != NULL)
        return s->be->many(c, q, p, np, n, changes);
    for (size_t i = 0; rc == ES_OK && i < n; i++)
        rc = s->be->query(c, q, p + i * (size_t)np, np, NULL, NULL, changes ? &changes[i] : NULL);
    return rc;
}

static es_err run_tx(st_store *s, int writes, st_tx_fn body, void *ctx)
{
    st_conn *c;
    int slot;
    es_err rc = st__acquire(s, &c, &slot);

    if (rc != ES_OK)
        return rc;
    if ((rc = writes ? s->be->begin(c) : s->be->begin_read(c)) != ES_OK)
        goto end;
    rc = body(s, c, ctx);
    if (rc == ES_OK)
        rc = s->be->commit(c);
    if (rc != ES_OK)
        s->be->rollback(c);
end:
    st__release(s, slot);
    return rc;
}

es_err st__tx(st_store *s, st_tx_fn body, void *ctx)
{
    return run_tx(s, 1, body, ctx);
}

es_err st__read_tx(st_store *s, st_tx_fn body, void *ctx)
{
    return run_tx(s, 0, body, ctx);
}

/* Apply every migration newer than the recorded version, all in the caller's transaction. */
static es_err migrate(st_store *s, st_conn *c, void *ctx)
{
    int64_t version = 0;
    es_err rc;

    (void)ctx;
    if (s->be->migration_lock && (rc = s->be->migration_lock(c)) != ES_OK)
        return rc;
    if ((rc = s->be->script(c, "CREATE TABLE IF NOT EXISTS schema_version "
                               "(version BIGINT NOT NULL)")) != ES_OK)
        return rc;
    if ((rc = s->be->script(c, "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS "
                               "(SELECT 1 FROM schema_version)")) != ES_OK)
        return rc;
    if ((rc = s->be->query(c, Q_SCHEMA_VERSION, NULL, 0, st__row_int, &version, NULL)) != ES_OK)
        return rc;
    if (version > st_nmigrations)
        return es__fail(ES_ERR_STATE, "database schema version %lld is newer than this eseal (%d)",
                        (long long)version, st_nmigrations);
    for (int v = (int)version; v < st_nmigrations; v++)
        if ((rc = s->be->script(c, st_migrations[v][s->be->dialect])) != ES_OK) {
            char why[256]; /* es__fail overwrites the detail it would quote */

            snprintf(why, sizeof(why), "%s", es_errdetail());
            return es__fail(rc, "migrating the schema from version %d to %d (nothing changed): %s",
                            v, v + 1, why);
        }
    s->version = st_nmigrations;
    if (version < st_nmigrations) {
        char sql[64];

        snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", st_nmigrations);
        rc = s->be->script(c, sql);
    }
    return rc;
}

es_err st_open(const char *url, int nconns, st_store **out)
{
    st_store *s = NULL;
    const char *target = url;
    es_err rc = ES_ERR_NOMEM;

    *out = NULL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        goto end;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (strncmp(url, "sqlite:", 7) == 0) {
        s->be = &st_sqlite_backend;
        target = url + 7;
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        s->be = &st_pg_backend;
    } else {
        rc = es__fail(ES_ERR_ARG, "unknown database \"%s\": use sqlite:PATH or postgresql://...",
                      url);
        goto end;
    }
    s->nconns = nconns < 1 ? 1 : nconns;
    s->target = strdup(target);
    s->conns = calloc((size_t)s->nconns, sizeof(*s->conns));
    s->busy = calloc((size_t)s->nconns, sizeof(*s->busy));
    if (s->target == NULL || s->conns == NULL || s->busy == NULL)
        goto end;
    rc = st__tx(s, migrate, NULL);
    if (rc == ES_OK) {
        *out = s;
        s = NULL;
    }
end:
    st_close(s);
    return rc;
}

void st_close(st_store *s)
{
    if (s == NULL)
        return;
    for (int i = 0; s->conns && i < s->nconns; i++)
        if (s->conns[i])
            s->be->disconnect(s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->conns);
    free(s->busy);
    free(s->target);
    free(s);
}

const char *st_backend_name(const st_store *s)
{
    return s->be->name;
}

int st_schema_version(const st_store *s)
{
    return s->version;
}
