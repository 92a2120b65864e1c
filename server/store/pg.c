/* The PostgreSQL back end (libpq): statements prepared once per connection, text parameters
 * (binary for blobs). */
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

/* Parameters as libpq wants them: text for numbers and strings, binary for blobs. */
typedef struct pg_params {
    char nums[MAX_PARAMS][24];
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS];
    int fmts[MAX_PARAMS];
} pg_params;

static es_err pg_exec(st_conn *c, st_query q, const st_val *p, int np, int binary_result,
                      PGresult **out)
{
    pg_params a;
    char name[16];
    es_err rc;

    *out = NULL;
    if (np > MAX_PARAMS)
        return es__fail(ES_ERR_INTERNAL, "too many parameters");
    if (!c->prepared[q] && (rc = pg_prepare(c, q)) != ES_OK)
        return rc;
    for (int i = 0; i < np; i++) {
        a.lens[i] = 0;
        a.fmts[i] = 0;
        if (p[i].is_int) {
            snprintf(a.nums[i], sizeof(a.nums[i]), "%lld", (long long)p[i].i);
            a.vals[i] = a.nums[i];
        } else if (p[i].is_blob) {
            if (p[i].n > INT32_MAX)
                return es__fail(ES_ERR_LIMIT, "a value of %zu bytes is too large", p[i].n);
            a.vals[i] = p[i].s ? p[i].s : "";
            a.lens[i] = (int)p[i].n;
            a.fmts[i] = 1;
        } else {
            a.vals[i] = p[i].s;
        }
    }
    snprintf(name, sizeof(name), "q%d", (int)q);
    *out = PQexecPrepared(c->pg, name, np, a.vals, a.lens, a.fmts, binary_result);
    if (PQresultStatus(*out) != PGRES_COMMAND_OK && PQresultStatus(*out) != PGRES_TUPLES_OK) {
        rc = res_fail(c, *out, "query");
        PQclear(*out);
        *out = NULL;
        return rc;
    }
    return ES_OK;
}

static es_err pg_query(st_conn *c, st_query q, const st_val *p, int np, st_row_fn fn, void *ctx,
                       int64_t *changes)
{
    const char *vals[MAX_COLS];
    PGresult *res;
    es_err rc = pg_exec(c, q, p, np, 0, &res);

    if (rc != ES_OK)
        return rc;
    for (int row = 0, nrows = PQntuples(res); fn && row < nrows; row++) {
        int n = PQnfields(res) > MAX_COLS ? MAX_COLS : PQnfields(res);

        for (int i = 0; i < n; i++)
            vals[i] = PQgetvalue(res, row, i);
        if (fn(ctx, n, vals))
            break;
    }
    if (changes)
        *changes = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return ES_OK;
}

/* The statement's results in binary: a bytea column arrives as its bytes, unescaped. */
static es_err pg_blob(st_conn *c, st_query q, const st_val *p, int np, es_buf *out)
{
    PGresult *res;
    es_err rc = pg_exec(c, q, p, np, 1, &res);

    out->data = NULL;
    out->len = 0;
    if (rc != ES_OK)
        return rc;
    if (PQntuples(res) > 0 && PQnfields(res) > 0) {
        size_t n = (size_t)PQgetlength(res, 0, 0);

        if ((out->data = malloc(n + 1)) == NULL)
            rc = es__fail(ES_ERR_NOMEM, "out of memory");
        else if (n)
            memcpy(out->data, PQgetvalue(res, 0, 0), n);
        out->len = out->data ? n : 0;
    }
    PQclear(res);
    return rc;
}

static es_err pg_begin(st_conn *c)
{
    return pg_script(c, "BEGIN");
}

static es_err pg_begin_read(st_conn *c)
{
    return pg_script(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
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
    "postgresql", 1,        pg_connect,    pg_disconnect, pg_script,   pg_query,
    pg_blob,      pg_begin, pg_begin_read, pg_commit,     pg_rollback, pg_migration_lock,
    pg_broken,
};
