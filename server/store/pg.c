/* The PostgreSQL back end (libpq): statements prepared once per connection, text parameters. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "store_local.h"

struct st_conn {
    PGconn *pg;
    unsigned char prepared[Q__COUNT];
};

#define MAX_PARAMS 20
#define MAX_COLS   20

/* Map a failed result: unique violations (SQLSTATE 23505) are conflicts, the rest I/O. */
static es_err res_fail(st_conn *c, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);

    if (state && strcmp(state, "23505") == 0)
        return es__fail(ES_ERR_EXISTS, "%s: %s", what, msg);
    return es__fail(ES_ERR_IO, "postgresql: %s: %s", what, msg);
}

static void pg_disconnect(st_conn *c)
{
    if (c == NULL)
        return;
    PQfinish(c->pg);
    free(c);
}

static es_err pg_connect(const char *url, st_conn **out)
{
    st_conn *c = calloc(1, sizeof(*c));
    es_err rc = ES_ERR_NOMEM;

    if (c == NULL)
        goto end;
    c->pg = PQconnectdb(url);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        rc = es__fail(ES_ERR_IO, "postgresql: cannot connect: %s",
                      c->pg ? PQerrorMessage(c->pg) : "out of memory");
        goto end;
    }
    *out = c;
    c = NULL;
    rc = ES_OK;
end:
    pg_disconnect(c);
    return rc;
}

static es_err pg_script(st_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    es_err rc = ES_OK;
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = res_fail(c, res, "schema");
    PQclear(res);
    return rc;
}

/* Turn the '?' placeholders of st_sql into $1, $2, ... (the SQL has no '?' in literals). */
static es_err pg_prepare(st_conn *c, st_query q)
{
    const char *sql = st_sql[q];
    char name[16], *text = malloc(strlen(sql) * 3 + 1), *w = text;
    PGresult *res;
    int n = 0;
    es_err rc = ES_OK;

    if (text == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (const char *r = sql; *r; r++)
        if (*r == '?')
            w += sprintf(w, "$%d", ++n);
        else
            *w++ = *r;
    *w = '\0';
    snprintf(name, sizeof(name), "q%d", (int)q);
    res = PQprepare(c->pg, name, text, n, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = res_fail(c, res, "prepare");
    else
        c->prepared[q] = 1;
    PQclear(res);
    free(text);
    return rc;
}

static es_err pg_query(st_conn *c, st_query q, const st_val *p, int np, st_row_fn fn, void *ctx,
                       int64_t *changes)
{
    char nums[MAX_PARAMS][24], name[16];
    const char *vals[MAX_PARAMS > MAX_COLS ? MAX_PARAMS : MAX_COLS];
    PGresult *res = NULL;
    es_err rc;

    if (np > MAX_PARAMS)
        return es__fail(ES_ERR_INTERNAL, "too many parameters");
    if (!c->prepared[q] && (rc = pg_prepare(c, q)) != ES_OK)
        return rc;
    for (int i = 0; i < np; i++) {
        if (p[i].is_int) {
            snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)p[i].i);
            vals[i] = nums[i];
        } else {
            vals[i] = p[i].s;
        }
    }
    snprintf(name, sizeof(name), "q%d", (int)q);
    res = PQexecPrepared(c->pg, name, np, vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(c, res, "query");
        goto end;
    }
    rc = ES_OK;
    for (int row = 0, nrows = PQntuples(res); fn && row < nrows; row++) {
        int n = PQnfields(res) > MAX_COLS ? MAX_COLS : PQnfields(res);

        for (int i = 0; i < n; i++)
            vals[i] = PQgetvalue(res, row, i);
        if (fn(ctx, n, vals))
            break;
    }
    if (changes)
        *changes = strtoll(PQcmdTuples(res), NULL, 10);
end:
    PQclear(res);
    return rc;
}

static es_err pg_begin(st_conn *c)
{
    return pg_script(c, "BEGIN");
}

static es_err pg_commit(st_conn *c)
{
    return pg_script(c, "COMMIT");
}

static void pg_rollback(st_conn *c)
{
    PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* Servers starting together on one database must not migrate it twice. */
static es_err pg_migration_lock(st_conn *c)
{
    return pg_script(c, "SELECT pg_advisory_xact_lock(7411)");
}

static int pg_broken(st_conn *c)
{
    return PQstatus(c->pg) != CONNECTION_OK;
}

const st_backend st_pg_backend = {
    "postgresql", 1,         pg_connect,  pg_disconnect,     pg_script, pg_query,
    pg_begin,     pg_commit, pg_rollback, pg_migration_lock, pg_broken,
};
