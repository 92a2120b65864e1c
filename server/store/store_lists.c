/* The store's list operations and verification decisions: verifications, members, events. */
#include <string.h>

#include "eseal/time.h"
#include "eseal_local.h"
#include "store_local.h"

/* Collects rows into a caller's bounded array. */
typedef struct list_ctx {
    void *items;
    size_t size, max, n;
} list_ctx;

static void *list_next(list_ctx *l)
{
    if (l->n == l->max)
        return NULL;
    return (char *)l->items + l->size * l->n++;
}

static int row_verification(void *ctx, int n, const char *const *v)
{
    st_verification *x = list_next(ctx);

    if (x == NULL || n < 11)
        return 1;
    memset(x, 0, sizeof(*x));
    x->id = st__int(v[0]);
    x->account_id = st__int(v[1]);
    st__copy(x->status, sizeof(x->status), v[2]);
    st__copy(x->source, sizeof(x->source), v[3]);
    st__copy(x->reason, sizeof(x->reason), v[4]);
    x->decided_by = st__int(v[5]);
    x->created_at = st__int(v[6]);
    x->decided_at = st__int(v[7]);
    st__copy(x->kind, sizeof(x->kind), v[8]);
    st__copy(x->name, sizeof(x->name), v[9]);
    st__copy(x->login, sizeof(x->login), v[10]);
    return 0;
}

es_err st_verification_list(st_store *s, const char *status, st_verification *v, size_t max,
                            size_t *n)
{
    list_ctx l = {v, sizeof(*v), max, 0};
    st_val p[] = {ST_TEXT(status), ST_INT(max)};
    es_err rc;

    if (status)
        rc = st__run(s, Q_VERIF_LIST, p, 2, row_verification, &l, NULL);
    else
        rc = st__run(s, Q_VERIF_LIST_ALL, p + 1, 1, row_verification, &l, NULL);
    *n = l.n;
    return rc;
}

es_err st_verification_get(st_store *s, int64_t id, st_verification *out)
{
    list_ctx l = {out, sizeof(*out), 1, 0};
    st_val p[] = {ST_INT(id)};
    es_err rc = st__run(s, Q_VERIF_GET, p, 1, row_verification, &l, NULL);

    if (rc == ES_OK && l.n == 0)
        rc = es__fail(ES_ERR_NOT_FOUND, "no such verification");
    return rc;
}

typedef struct finish_ctx {
    int64_t id, by, now;
    const char *status, *source, *reason;
} finish_ctx;

static es_err finish_body(st_store *s, st_conn *c, void *ctx)
{
    finish_ctx *f = ctx;
    st_val p[] = {ST_TEXT(f->status), ST_TEXT(f->source),
                  ST_TEXT(f->reason), f->by ? ST_INT(f->by) : ST_TEXT(NULL),
                  ST_INT(f->now),     ST_INT(f->id)};
    st_verification v;
    list_ctx l = {&v, sizeof(v), 1, 0};
    st_val id[] = {ST_INT(f->id)};
    int64_t changed = 0;
    es_err rc;

    if ((rc = s->be->query(c, Q_VERIF_FINISH, p, 6, NULL, NULL, &changed)) != ES_OK)
        return rc;
    if (changed == 0)
        return es__fail(ES_ERR_STATE, "the verification is no longer pending");
    if ((rc = s->be->query(c, Q_VERIF_GET, id, 1, row_verification, &l, NULL)) != ES_OK)
        return rc;
    if (l.n == 0)
        return es__fail(ES_ERR_NOT_FOUND, "no such verification");
    {
        st_val a[] = {ST_TEXT(strcmp(f->status, "approved") == 0 ? "verified" : "rejected"),
                      ST_INT(v.account_id)};
        return s->be->query(c, Q_ACCOUNT_SET_STATUS, a, 2, NULL, NULL, NULL);
    }
}

es_err st_verification_finish(st_store *s, int64_t id, const char *status, const char *source,
                              const char *reason, int64_t decided_by, int64_t now)
{
    finish_ctx f = {id, decided_by, now, status, source, reason};

    return st__tx(s, finish_body, &f);
}

typedef struct create_ctx {
    int64_t account, vid;
    const char *reason;
} create_ctx;

static es_err create_body(st_store *s, st_conn *c, void *ctx)
{
    create_ctx *cc = ctx;
    st_val a[] = {ST_TEXT("pending"), ST_INT(cc->account)};
    st_val v[] = {ST_INT(cc->account), ST_TEXT(cc->reason), ST_INT(es_time_now())};
    es_err rc = s->be->query(c, Q_ACCOUNT_SET_STATUS, a, 2, NULL, NULL, NULL);

    if (rc == ES_OK)
        rc = s->be->query(c, Q_VERIF_INSERT, v, 3, st__row_int, &cc->vid, NULL);
    return rc;
}

es_err st_verification_create(st_store *s, int64_t account, const char *reason, int64_t *vid)
{
    create_ctx cc = {account, 0, reason};
    es_err rc = st__tx(s, create_body, &cc);

    *vid = cc.vid;
    return rc;
}

es_err st_verification_note(st_store *s, int64_t id, const char *reason)
{
    st_val p[] = {ST_TEXT(reason), ST_INT(id)};

    return st__run(s, Q_VERIF_NOTE, p, 2, NULL, NULL, NULL);
}

es_err st_member_add(st_store *s, int64_t enterprise, int64_t account, const char *role,
                     int64_t now)
{
    st_val p[] = {ST_INT(enterprise), ST_INT(account), ST_TEXT(role), ST_INT(now)};

    return st__run(s, Q_MEMBER_INSERT, p, 4, NULL, NULL, NULL);
}

es_err st_member_remove(st_store *s, int64_t enterprise, int64_t account)
{
    st_val p[] = {ST_INT(enterprise), ST_INT(account)};
    int64_t changed = 0;
    es_err rc = st__run(s, Q_MEMBER_DELETE, p, 2, NULL, NULL, &changed);

    if (rc == ES_OK && changed == 0)
        rc = es__fail(ES_ERR_NOT_FOUND, "no such member");
    return rc;
}

static int row_text(void *ctx, int n, const char *const *v)
{
    if (n > 0)
        st__copy(ctx, ST_SHORT_MAX, v[0]);
    return 1;
}

es_err st_member_role(st_store *s, int64_t enterprise, int64_t account, char role[ST_SHORT_MAX])
{
    st_val p[] = {ST_INT(enterprise), ST_INT(account)};
    es_err rc;

    role[0] = '\0';
    rc = st__run(s, Q_MEMBER_ROLE, p, 2, row_text, role, NULL);
    if (rc == ES_OK && role[0] == '\0')
        rc = es__fail(ES_ERR_NOT_FOUND, "not a member");
    return rc;
}

static int row_member(void *ctx, int n, const char *const *v)
{
    st_member *m = list_next(ctx);

    if (m == NULL || n < 5)
        return 1;
    m->enterprise_id = st__int(v[0]);
    m->account_id = st__int(v[1]);
    st__copy(m->role, sizeof(m->role), v[2]);
    st__copy(m->name, sizeof(m->name), v[3]);
    st__copy(m->phone, sizeof(m->phone), v[4]);
    return 0;
}

es_err st_member_list(st_store *s, int64_t enterprise, st_member *m, size_t max, size_t *n)
{
    list_ctx l = {m, sizeof(*m), max, 0};
    st_val p[] = {ST_INT(enterprise), ST_INT(max)};
    es_err rc = st__run(s, Q_MEMBER_LIST, p, 2, row_member, &l, NULL);

    *n = l.n;
    return rc;
}

es_err st_memberships(st_store *s, int64_t account, st_member *m, size_t max, size_t *n)
{
    list_ctx l = {m, sizeof(*m), max, 0};
    st_val p[] = {ST_INT(account), ST_INT(max)};
    es_err rc = st__run(s, Q_MEMBERSHIPS, p, 2, row_member, &l, NULL);

    *n = l.n;
    return rc;
}

es_err st_event_add(st_store *s, int64_t account, const char *kind, const char *data, int64_t at)
{
    st_val p[] = {account ? ST_INT(account) : ST_TEXT(NULL), ST_TEXT(kind), ST_TEXT(data),
                  ST_INT(at)};

    return st__run(s, Q_EVENT_INSERT, p, 4, NULL, NULL, NULL);
}

static int row_event(void *ctx, int n, const char *const *v)
{
    st_event *e = list_next(ctx);

    if (e == NULL || n < 5)
        return 1;
    e->id = st__int(v[0]);
    e->account_id = st__int(v[1]);
    st__copy(e->kind, sizeof(e->kind), v[2]);
    st__copy(e->data, sizeof(e->data), v[3]);
    e->at = st__int(v[4]);
    return 0;
}

es_err st_event_list(st_store *s, int64_t account, st_event *e, size_t max, size_t *n)
{
    list_ctx l = {e, sizeof(*e), max, 0};
    st_val p[] = {ST_INT(account), ST_INT(max)};
    es_err rc = st__run(s, Q_EVENT_LIST, p, 2, row_event, &l, NULL);

    *n = l.n;
    return rc;
}
