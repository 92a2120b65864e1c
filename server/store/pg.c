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
    int stuck; /* a pipeline could not be left: the pool replaces the connection */
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

static es_err pg_params_fill(pg_params *a, const st_val *p, int np)
{
    if (np > MAX_PARAMS)
        return es__fail(ES_ERR_INTERNAL, "too many parameters");
    for (int i = 0; i < np; i++) {
        a->lens[i] = 0;
        a->fmts[i] = 0;
        if (p[i].is_int) {
            snprintf(a->nums[i], sizeof(a->nums[i]), "%lld", (long long)p[i].i);
            a->vals[i] = a->nums[i];
        } else if (p[i].is_blob) {
            if (p[i].n > INT32_MAX)
                return es__fail(ES_ERR_LIMIT, "a value of %zu bytes is too large", p[i].n);
            a->vals[i] = p[i].s ? p[i].s : "";
            a->lens[i] = (int)p[i].n;
            a->fmts[i] = 1;
        } else {
            a->vals[i] = p[i].s;
        }
    }
    return ES_OK;
}

static es_err pg_exec(st_conn *c, st_query q, const st_val *p, int np, int binary_result,
                      PGresult **out)
{
    pg_params a;
    char name[16];
    es_err rc;

    *out = NULL;
    if ((rc = pg_params_fill(&a, p, np)) != ES_OK ||
        (!c->prepared[q] && (rc = pg_prepare(c, q)) != ES_OK))
        return rc;
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

/*
 * A pipeline's answers: one result per statement sent (its row count into changes[i]), each
 * followed by a NULL, then the synchronisation point. After an error the server skips the rest
 * (PGRES_PIPELINE_ABORTED each) and the caller's transaction is rolled back.
 */
static es_err pipeline_answers(st_conn *c, size_t sent, int64_t *changes, es_err rc)
{
    size_t i = 0;
    int nulls = 0;

    while (nulls < 2 && i <= sent) { /* two NULLs in a row or more answers: the link failed */
        PGresult *res = PQgetResult(c->pg);
        ExecStatusType st = PQresultStatus(res);

        if (res == NULL) {
            nulls++;
            continue;
        }
        nulls = 0;
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            return rc;
        }
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            if (changes != NULL && i < sent)
                changes[i] = strtoll(PQcmdTuples(res), NULL, 10);
        } else if (rc == ES_OK) {
            rc = st == PGRES_PIPELINE_ABORTED
                     ? es__fail(ES_ERR_IO, "postgresql: statement %zu skipped after an error", i)
                     : res_fail(c, res, "query");
        }
        i++;
        PQclear(res);
    }
    c->stuck = 1;
    return rc != ES_OK ? rc
                       : es__fail(ES_ERR_IO, "postgresql: pipeline: %s", PQerrorMessage(c->pg));
}

/*
 * Statement q run n times, run i with p + i * np, sent together in pipeline mode and answered
 * together: one round trip instead of n (a batch's commit group was ~4 per document, and
 * PostgreSQL spent half its time on the messages). The answers are row counts, so the server
 * never blocks writing them while we are still sending (the deadlock libpq's documentation
 * warns of in blocking mode). A pipeline that cannot be left marks the connection broken.
 */
static es_err pg_many(st_conn *c, st_query q, const st_val *p, int np, size_t n, int64_t *changes)
{
    char name[16];
    size_t sent = 0;
    es_err rc = ES_OK;

    if (n <= 1)
        return n == 0 ? ES_OK : pg_query(c, q, p, np, NULL, NULL, changes);
    if (!c->prepared[q] && (rc = pg_prepare(c, q)) != ES_OK)
        return rc;
    if (PQenterPipelineMode(c->pg) != 1)
        return es__fail(ES_ERR_IO, "postgresql: pipeline: %s", PQerrorMessage(c->pg));
    snprintf(name, sizeof(name), "q%d", (int)q);
    for (; sent < n; sent++) {
        pg_params a;

        if ((rc = pg_params_fill(&a, p + sent * (size_t)np, np)) != ES_OK)
            break;
        if (PQsendQueryPrepared(c->pg, name, np, a.vals, a.lens, a.fmts, 0) != 1) {
            rc = es__fail(ES_ERR_IO, "postgresql: query: %s", PQerrorMessage(c->pg));
            break;
        }
    }
    if (PQpipelineSync(c->pg) != 1) {
        c->stuck = 1;
        rc = rc != ES_OK ? rc : es__fail(ES_ERR_IO, "postgresql: %s", PQerrorMessage(c->pg));
    } else {
        rc = pipeline_answers(c, sent, changes, rc);
    }
    if (PQexitPipelineMode(c->pg) != 1) {
        c->stuck = 1;
        rc = rc != ES_OK ? rc : es__fail(ES_ERR_IO, "postgresql: %s", PQerrorMessage(c->pg));
    }
    return rc;
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
    return c->stuck || PQstatus(c->pg) != CONNECTION_OK;
}

const st_backend st_pg_backend = {
    "postgresql", 1,        pg_connect,    pg_disconnect, pg_script,   pg_query,
    pg_blob,      pg_begin, pg_begin_read, pg_commit,     pg_rollback, pg_migration_lock,
    pg_broken,    pg_many,
};
