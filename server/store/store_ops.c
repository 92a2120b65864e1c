/* The store's operations: rows in and out of the shared statements, transactions where needed. */
#include <string.h>

#include "eseal/time.h"
#include "eseal_local.h"
#include "store_local.h"

static int row_account(void *ctx, int n, const char *const *v)
{
    st_account *a = ctx;

    if (n < 16)
        return 1;
    a->id = st__int(v[0]);
    st__copy(a->kind, sizeof(a->kind), v[1]);
    st__copy(a->role, sizeof(a->role), v[2]);
    st__copy(a->status, sizeof(a->status), v[3]);
    st__copy(a->login, sizeof(a->login), v[4]);
    st__copy(a->name, sizeof(a->name), v[5]);
    st__copy(a->id_number, sizeof(a->id_number), v[6]);
    st__copy(a->phone, sizeof(a->phone), v[7]);
    st__copy(a->credit_code, sizeof(a->credit_code), v[8]);
    st__copy(a->rep_name, sizeof(a->rep_name), v[9]);
    st__copy(a->rep_id, sizeof(a->rep_id), v[10]);
    st__copy(a->handler_name, sizeof(a->handler_name), v[11]);
    st__copy(a->handler_id, sizeof(a->handler_id), v[12]);
    st__copy(a->handler_phone, sizeof(a->handler_phone), v[13]);
    st__copy(a->pw_hash, sizeof(a->pw_hash), v[14]);
    a->created_at = st__int(v[15]);
    return 1;
}

static es_err insert_account(st_store *s, st_conn *c, st_account *a)
{
    st_val p[] = {ST_TEXT(a->kind),         ST_TEXT(a->role),        ST_TEXT(a->status),
                  ST_TEXT(a->login),        ST_TEXT(a->name),        ST_OPT(a->id_number),
                  ST_OPT(a->phone),         ST_OPT(a->credit_code),  ST_OPT(a->rep_name),
                  ST_OPT(a->rep_id),        ST_OPT(a->handler_name), ST_OPT(a->handler_id),
                  ST_OPT(a->handler_phone), ST_TEXT(a->pw_hash),     ST_INT(a->created_at)};

    a->id = 0;
    return s->be->query(c, Q_ACCOUNT_INSERT, p, 15, st__row_int, &a->id, NULL);
}

typedef struct create_ctx {
    st_account *a;
    int64_t vid;
} create_ctx;

static es_err create_body(st_store *s, st_conn *c, void *ctx)
{
    create_ctx *cc = ctx;
    es_err rc = insert_account(s, c, cc->a);
    st_val p[] = {ST_INT(cc->a->id), ST_TEXT("awaiting identity check"), ST_INT(cc->a->created_at)};

    if (rc != ES_OK)
        return rc;
    return s->be->query(c, Q_VERIF_INSERT, p, 3, st__row_int, &cc->vid, NULL);
}

es_err st_account_create(st_store *s, st_account *a, int64_t *vid)
{
    create_ctx cc = {a, 0};
    es_err rc = st__tx(s, create_body, &cc);

    *vid = cc.vid;
    return rc;
}

static es_err staff_body(st_store *s, st_conn *c, void *ctx)
{
    return insert_account(s, c, ctx);
}

es_err st_staff_create(st_store *s, st_account *a)
{
    return st__tx(s, staff_body, a);
}

static es_err get_account(st_store *s, st_query q, const st_val *p, int np, st_account *out)
{
    es_err rc;

    memset(out, 0, sizeof(*out));
    if ((rc = st__run(s, q, p, np, row_account, out, NULL)) != ES_OK)
        return rc;
    return out->id ? ES_OK : es__fail(ES_ERR_NOT_FOUND, "no such account");
}

es_err st_account_get(st_store *s, int64_t id, st_account *out)
{
    st_val p[] = {ST_INT(id)};

    return get_account(s, Q_ACCOUNT_BY_ID, p, 1, out);
}

es_err st_account_by_login(st_store *s, const char *login, st_account *out)
{
    st_val p[] = {ST_TEXT(login)};

    return get_account(s, Q_ACCOUNT_BY_LOGIN, p, 1, out);
}

es_err st_account_count_role(st_store *s, const char *role, int64_t *n)
{
    st_val p[] = {ST_TEXT(role)};

    *n = 0;
    return st__run(s, Q_COUNT_ROLE, p, 1, st__row_int, n, NULL);
}

typedef struct change_ctx {
    int64_t id, vid, now;
    const char *name, *rep_id, *kind, *data;
} change_ctx;

static es_err change_body(st_store *s, st_conn *c, void *ctx)
{
    change_ctx *cc = ctx;
    st_val name[] = {ST_TEXT(cc->name), ST_INT(cc->id)};
    st_val rep[] = {ST_TEXT(cc->name), ST_TEXT(cc->rep_id), ST_INT(cc->id)};
    st_val ev[] = {ST_INT(cc->id), ST_TEXT(cc->kind), ST_TEXT(cc->data), ST_INT(cc->now)};
    st_val ver[] = {ST_INT(cc->id), ST_TEXT("re-verification after a change"), ST_INT(cc->now)};
    int64_t changed = 0;
    es_err rc;

    if (cc->rep_id)
        rc = s->be->query(c, Q_ACCOUNT_SET_REP, rep, 3, NULL, NULL, &changed);
    else
        rc = s->be->query(c, Q_ACCOUNT_SET_NAME, name, 2, NULL, NULL, &changed);
    if (rc == ES_OK && changed == 0)
        rc = es__fail(ES_ERR_NOT_FOUND, "no such account");
    if (rc == ES_OK)
        rc = s->be->query(c, Q_EVENT_INSERT, ev, 4, NULL, NULL, NULL);
    if (rc == ES_OK)
        rc = s->be->query(c, Q_VERIF_INSERT, ver, 3, st__row_int, &cc->vid, NULL);
    return rc;
}

es_err st_account_change(st_store *s, int64_t id, const char *new_name, const char *rep_id,
                         const char *kind, const char *data, int64_t *vid)
{
    change_ctx cc = {id, 0, 0, new_name, rep_id, kind, data};
    es_err rc;

    cc.now = es_time_now();
    rc = st__tx(s, change_body, &cc);
    *vid = cc.vid;
    return rc;
}

es_err st_session_create(st_store *s, const char *hash, int64_t account, int64_t now,
                         int64_t expires)
{
    st_val p[] = {ST_TEXT(hash), ST_INT(account), ST_INT(now), ST_INT(expires)};

    return st__run(s, Q_SESSION_INSERT, p, 4, NULL, NULL, NULL);
}

es_err st_session_account(st_store *s, const char *hash, int64_t now, st_account *out)
{
    st_val p[] = {ST_TEXT(hash), ST_INT(now)};

    return get_account(s, Q_SESSION_ACCOUNT, p, 2, out);
}

es_err st_session_revoke(st_store *s, const char *hash)
{
    st_val p[] = {ST_TEXT(hash)};

    return st__run(s, Q_SESSION_DELETE, p, 1, NULL, NULL, NULL);
}

typedef struct password_ctx {
    int64_t id, now, revoked;
    const char *old_hash, *new_hash, *keep, *data;
} password_ctx;

static es_err password_body(st_store *s, st_conn *c, void *ctx)
{
    password_ctx *pc = ctx;
    st_val pw[] = {ST_TEXT(pc->new_hash), ST_INT(pc->id), ST_TEXT(pc->old_hash)};
    st_val others[] = {ST_INT(pc->id), ST_TEXT(pc->keep)};
    st_val ev[] = {ST_INT(pc->id), ST_TEXT("password_changed"), ST_TEXT(pc->data), ST_INT(pc->now)};
    int64_t changed = 0;
    es_err rc = s->be->query(c, Q_ACCOUNT_SET_PASSWORD, pw, 3, NULL, NULL, &changed);

    if (rc == ES_OK && changed == 0)
        rc = es__fail(ES_ERR_STATE, "the password was changed meanwhile");
    if (rc == ES_OK)
        rc = s->be->query(c, Q_SESSION_DELETE_OTHERS, others, 2, NULL, NULL, &pc->revoked);
    if (rc == ES_OK)
        rc = s->be->query(c, Q_EVENT_INSERT, ev, 4, NULL, NULL, NULL);
    return rc;
}

es_err st_account_set_password(st_store *s, int64_t id, const char *old_hash, const char *new_hash,
                               const char *keep_session, const char *data, int64_t *revoked)
{
    password_ctx pc = {id, es_time_now(), 0, old_hash, new_hash, keep_session, data};
    es_err rc = st__tx(s, password_body, &pc);

    *revoked = rc == ES_OK ? pc.revoked : 0;
    return rc;
}

static int row_stats(void *ctx, int n, const char *const *v)
{
    st_stats *st = ctx;

    if (n >= 5) {
        st->users = st__int(v[0]);
        st->providers = st__int(v[1]);
        st->seals_issued = st__int(v[2]);
        st->signings_started = st__int(v[3]);
        st->documents_completed = st__int(v[4]);
    }
    return 1;
}

es_err st_stats_get(st_store *s, st_stats *out)
{
    memset(out, 0, sizeof(*out));
    return st__run(s, Q_STATS, NULL, 0, row_stats, out, NULL);
}
