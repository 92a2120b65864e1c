/* Seals and grants in the store: applications, decisions, making, PIN counters, grants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/time.h"
#include "eseal_local.h"
#include "store_local.h"
#include "store_seals.h"

static int row_seal(void *ctx, int n, const char *const *v)
{
    st_seal *s = ctx;

    if (n < 16)
        return 1;
    s->id = st__int(v[0]);
    s->owner_id = st__int(v[1]);
    s->applicant_id = st__int(v[2]);
    s->reviewed_by = st__int(v[3]);
    s->reissue_of = st__int(v[4]);
    st__copy(s->type, sizeof(s->type), v[5]);
    st__copy(s->name, sizeof(s->name), v[6]);
    st__copy(s->status, sizeof(s->status), v[7]);
    st__copy(s->reason, sizeof(s->reason), v[8]);
    st__copy(s->code, sizeof(s->code), v[9]);
    st__copy(s->serial, sizeof(s->serial), v[10]);
    st__copy(s->picture_source, sizeof(s->picture_source), v[11]);
    s->pin_failures = st__int(v[12]);
    s->locked = st__int(v[13]);
    s->created_at = st__int(v[14]);
    s->updated_at = st__int(v[15]);
    return 1;
}

es_err st_seal_create(st_store *s, st_seal *seal, const char *picture)
{
    int64_t now = es_time_now();
    st_val p[] = {ST_INT(seal->owner_id),
                  ST_INT(seal->applicant_id),
                  ST_TEXT(seal->type),
                  ST_TEXT(seal->name),
                  ST_TEXT(seal->picture_source),
                  ST_TEXT(picture),
                  seal->reissue_of ? ST_INT(seal->reissue_of) : ST_TEXT(NULL),
                  ST_INT(now),
                  ST_INT(now)};

    seal->id = 0;
    return st__run(s, Q_SEAL_INSERT, p, 9, st__row_int, &seal->id, NULL);
}

es_err st_seal_get(st_store *s, int64_t id, st_seal *out)
{
    st_val p[] = {ST_INT(id)};
    es_err rc;

    memset(out, 0, sizeof(*out));
    if ((rc = st__run(s, Q_SEAL_GET, p, 1, row_seal, out, NULL)) != ES_OK)
        return rc;
    return out->id ? ES_OK : es__fail(ES_ERR_NOT_FOUND, "no such seal");
}

static char *dup_or_null(const char *v)
{
    return v && *v ? strdup(v) : NULL;
}

static int row_blobs(void *ctx, int n, const char *const *v)
{
    st_seal_blobs *b = ctx;

    if (n >= 4) {
        b->picture = dup_or_null(v[0]);
        b->cert_pem = dup_or_null(v[1]);
        b->seal_der = dup_or_null(v[2]);
        b->wrapped = dup_or_null(v[3]);
    }
    return 1;
}

es_err st_seal_blobs_get(st_store *s, int64_t id, st_seal_blobs *out)
{
    st_val p[] = {ST_INT(id)};

    memset(out, 0, sizeof(*out));
    return st__run(s, Q_SEAL_BLOBS, p, 1, row_blobs, out, NULL);
}

static void free_secret_text(char *p)
{
    if (p) {
        es_cleanse(p, strlen(p));
        free(p);
    }
}

void st_seal_blobs_release(st_seal_blobs *b)
{
    free(b->picture);
    free(b->cert_pem);
    free(b->seal_der);
    free_secret_text(b->wrapped);
    memset(b, 0, sizeof(*b));
}

typedef struct list_ctx {
    st_seal *out;
    size_t max, n;
} list_ctx;

static int row_seal_list(void *ctx, int n, const char *const *v)
{
    list_ctx *l = ctx;

    if (l->n >= l->max)
        return 1;
    memset(&l->out[l->n], 0, sizeof(l->out[0]));
    row_seal(&l->out[l->n++], n, v);
    return 0;
}

es_err st_seal_list(st_store *s, int64_t owner, int64_t granted, const char *status, st_seal *out,
                    size_t max, size_t *n)
{
    list_ctx l = {out, max, 0};
    st_val own[] = {ST_INT(owner), ST_INT(max)};
    st_val gr[] = {ST_INT(granted), ST_INT(es_time_now()), ST_INT(max)};
    st_val stv[] = {ST_TEXT(status), ST_INT(max)};
    st_val all[] = {ST_INT(max)};
    es_err rc;

    if (owner > 0)
        rc = st__run(s, Q_SEAL_LIST_OWNER, own, 2, row_seal_list, &l, NULL);
    else if (granted > 0)
        rc = st__run(s, Q_SEAL_LIST_GRANTED, gr, 3, row_seal_list, &l, NULL);
    else if (status)
        rc = st__run(s, Q_SEAL_LIST_STATUS, stv, 2, row_seal_list, &l, NULL);
    else
        rc = st__run(s, Q_SEAL_LIST_ALL, all, 1, row_seal_list, &l, NULL);
    *n = l.n;
    return rc;
}

es_err st_seal_open_count(st_store *s, int64_t owner, const char *type, int64_t *n)
{
    st_val p[] = {ST_INT(owner), ST_TEXT(type)};

    *n = 0;
    return st__run(s, Q_SEAL_OPEN_COUNT, p, 2, st__row_int, n, NULL);
}

static es_err one_row(st_store *s, st_query q, const st_val *p, int np, const char *what)
{
    int64_t changed = 0;
    es_err rc = st__run(s, q, p, np, NULL, NULL, &changed);

    if (rc == ES_OK && changed == 0)
        return es__fail(ES_ERR_STATE, "%s", what);
    return rc;
}

es_err st_seal_decide(st_store *s, int64_t id, const char *status, const char *reason, int64_t by)
{
    st_val p[] = {ST_TEXT(status), ST_TEXT(reason), ST_INT(by), ST_INT(es_time_now()), ST_INT(id)};

    return one_row(s, Q_SEAL_DECIDE, p, 5, "the application is no longer waiting for review");
}

es_err st_seal_transition(st_store *s, int64_t id, const char *from, const char *to,
                          const char *reason)
{
    st_val p[] = {ST_TEXT(to), ST_TEXT(reason), ST_INT(es_time_now()), ST_INT(id), ST_TEXT(from)};

    return one_row(s, Q_SEAL_SET_STATUS, p, 5, "the seal is not in the required state");
}

typedef struct claim_ctx {
    int64_t id;
    const char *region;
    char *code;
} claim_ctx;

static es_err claim_body(st_store *s, st_conn *c, void *ctx)
{
    claim_ctx *cc = ctx;
    st_val reg[] = {ST_TEXT(cc->region)};
    int64_t next = 0, changed = 0;
    es_err rc;

    if ((rc = s->be->query(c, Q_COUNTER_INIT, reg, 1, NULL, NULL, NULL)) != ES_OK ||
        (rc = s->be->query(c, Q_COUNTER_NEXT, reg, 1, st__row_int, &next, NULL)) != ES_OK)
        return rc;
    if (next <= 0 || next > 99999999)
        return es__fail(ES_ERR_LIMIT, "seal codes of region %s are used up", cc->region);
    snprintf(cc->code, ST_SHORT_MAX, "%.6s%08lld", cc->region, (long long)next);
    {
        st_val p[] = {ST_TEXT(cc->code), ST_INT(es_time_now()), ST_INT(cc->id)};

        rc = s->be->query(c, Q_SEAL_CLAIM, p, 3, NULL, NULL, &changed);
    }
    if (rc == ES_OK && changed == 0)
        rc = es__fail(ES_ERR_STATE, "the seal is not approved (or is being made)");
    return rc;
}

es_err st_seal_claim(st_store *s, int64_t id, const char *region, char code[ST_SHORT_MAX])
{
    claim_ctx cc = {id, region, code};

    return st__tx(s, claim_body, &cc);
}

es_err st_seal_made(st_store *s, int64_t id, const char *serial, const st_seal_blobs *m)
{
    int64_t now = es_time_now();

    if (m == NULL) {
        st_val back[] = {ST_TEXT("approved"), ST_TEXT("making failed: try again"), ST_INT(now),
                         ST_INT(id), ST_TEXT("making")};

        return one_row(s, Q_SEAL_SET_STATUS, back, 5, "the seal is not being made");
    }
    {
        st_val p[] = {
            ST_TEXT("active"),    ST_TEXT(serial),     ST_TEXT(m->picture), ST_TEXT(m->cert_pem),
            ST_TEXT(m->seal_der), ST_TEXT(m->wrapped), ST_INT(now),         ST_INT(id)};

        return one_row(s, Q_SEAL_MADE, p, 8, "the seal is not being made");
    }
}

es_err st_seal_set_wrapped(st_store *s, int64_t id, const char *wrapped)
{
    st_val p[] = {ST_TEXT(wrapped), ST_INT(es_time_now()), ST_INT(id)};

    return one_row(s, Q_SEAL_WRAPPED, p, 3, "the seal is locked or not usable");
}

static int row_two(void *ctx, int n, const char *const *v)
{
    int64_t *out = ctx;

    if (n >= 2) {
        out[0] = st__int(v[0]);
        out[1] = st__int(v[1]);
    }
    return 0;
}

es_err st_seal_pin_reserve(st_store *s, int64_t id, int *ok)
{
    st_val p[] = {ST_INT(id), ST_INT(ST_PIN_TRIES)};
    int64_t changed = 0;
    es_err rc = st__run(s, Q_SEAL_PIN_RESERVE, p, 2, NULL, NULL, &changed);

    *ok = rc == ES_OK && changed == 1;
    return rc;
}

es_err st_seal_pin_failed(st_store *s, int64_t id, int64_t *failures, int64_t *locked)
{
    st_val p[] = {ST_INT(ST_PIN_TRIES), ST_INT(id)};
    int64_t two[2] = {0, 0};
    es_err rc = st__run(s, Q_SEAL_PIN_FAIL, p, 2, row_two, two, NULL);

    *failures = two[0];
    *locked = two[1];
    return rc;
}

es_err st_seal_pin_ok(st_store *s, int64_t id)
{
    st_val p[] = {ST_INT(id)};

    return st__run(s, Q_SEAL_PIN_OK, p, 1, NULL, NULL, NULL);
}

es_err st_seal_pin_release(st_store *s, int64_t id)
{
    st_val p[] = {ST_INT(id)};

    return st__run(s, Q_SEAL_PIN_RELEASE, p, 1, NULL, NULL, NULL);
}

es_err st_seal_unlock(st_store *s, int64_t id)
{
    st_val p[] = {ST_INT(es_time_now()), ST_INT(id)};

    return one_row(s, Q_SEAL_UNLOCK, p, 2, "no such seal");
}

es_err st_grant_add(st_store *s, st_grant *g)
{
    st_val p[] = {ST_INT(g->seal_id), ST_INT(g->account_id), ST_INT(g->granted_by),
                  g->expires_at ? ST_INT(g->expires_at) : ST_TEXT(NULL), ST_INT(g->created_at)};

    g->id = 0;
    return st__run(s, Q_GRANT_INSERT, p, 5, st__row_int, &g->id, NULL);
}

es_err st_grant_revoke(st_store *s, int64_t seal, int64_t grant)
{
    st_val p[] = {ST_INT(es_time_now()), ST_INT(grant), ST_INT(seal)};
    int64_t changed = 0;
    es_err rc = st__run(s, Q_GRANT_REVOKE, p, 3, NULL, NULL, &changed);

    if (rc == ES_OK && changed == 0)
        return es__fail(ES_ERR_NOT_FOUND, "no such grant");
    return rc;
}

typedef struct grant_ctx {
    st_grant *out;
    size_t max, n;
} grant_ctx;

static int row_grant(void *ctx, int n, const char *const *v)
{
    grant_ctx *l = ctx;
    st_grant *g;

    if (n < 8 || l->n >= l->max)
        return 1;
    g = &l->out[l->n++];
    g->id = st__int(v[0]);
    g->seal_id = st__int(v[1]);
    g->account_id = st__int(v[2]);
    g->granted_by = st__int(v[3]);
    g->expires_at = st__int(v[4]);
    g->revoked_at = st__int(v[5]);
    g->created_at = st__int(v[6]);
    st__copy(g->name, sizeof(g->name), v[7]);
    return 0;
}

es_err st_grant_list(st_store *s, int64_t seal, st_grant *g, size_t max, size_t *n)
{
    grant_ctx l = {g, max, 0};
    st_val p[] = {ST_INT(seal), ST_INT(max)};
    es_err rc = st__run(s, Q_GRANT_LIST, p, 2, row_grant, &l, NULL);

    *n = l.n;
    return rc;
}

es_err st_grant_valid(st_store *s, int64_t seal, int64_t account, int64_t now, int *ok)
{
    st_val p[] = {ST_INT(seal), ST_INT(account), ST_INT(now)};
    int64_t n = 0;
    es_err rc = st__run(s, Q_GRANT_VALID, p, 3, st__row_int, &n, NULL);

    *ok = n > 0;
    return rc;
}

es_err st_seal_approve_for_test(st_store *s, int64_t id)
{
    return st_seal_decide(s, id, "approved", "test", 0);
}
