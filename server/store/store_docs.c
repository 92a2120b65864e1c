/* Documents in the store: content (bytes), ordered signers, updates after each signature. */
#include <stdlib.h>
#include <string.h>

#include "eseal/time.h"
#include "eseal_local.h"
#include "store_local.h"
#include "store_seals.h"

typedef struct create_ctx {
    st_document *d;
    const uint8_t *content;
    const int64_t *signers;
    size_t nsigners;
} create_ctx;

static es_err create_body(st_store *s, st_conn *c, void *ctx)
{
    create_ctx *cc = ctx;
    st_document *d = cc->d;
    st_val p[] = {ST_INT(d->owner_id),   ST_TEXT(d->format),
                  ST_TEXT(d->name),      ST_BLOB(cc->content, (size_t)d->size),
                  ST_TEXT(d->sm3),       ST_INT(d->size),
                  ST_INT(d->created_at), ST_INT(d->created_at)};
    es_err rc = s->be->query(c, Q_DOC_INSERT, p, 8, st__row_int, &d->id, NULL);

    for (size_t i = 0; rc == ES_OK && i < cc->nsigners; i++) {
        st_val q[] = {ST_INT(d->id), ST_INT(i + 1), ST_INT(cc->signers[i])};

        rc = s->be->query(c, Q_DOC_SIGNER_INSERT, q, 3, NULL, NULL, NULL);
    }
    return rc;
}

es_err st_doc_create(st_store *s, st_document *d, const uint8_t *content, const int64_t *signers,
                     size_t nsigners)
{
    create_ctx cc = {d, content, signers, nsigners};

    d->id = 0;
    d->created_at = d->updated_at = es_time_now();
    strcpy(d->status, "open");
    return st__tx(s, create_body, &cc);
}

static int row_doc(void *ctx, int n, const char *const *v)
{
    st_document *d = ctx;

    if (n < 10)
        return 1;
    d->id = st__int(v[0]);
    d->owner_id = st__int(v[1]);
    st__copy(d->format, sizeof(d->format), v[2]);
    st__copy(d->name, sizeof(d->name), v[3]);
    st__copy(d->sm3, sizeof(d->sm3), v[4]);
    d->size = st__int(v[5]);
    st__copy(d->status, sizeof(d->status), v[6]);
    d->nsig = st__int(v[7]);
    d->created_at = st__int(v[8]);
    d->updated_at = st__int(v[9]);
    return 1;
}

typedef struct signers_ctx {
    st_signer *out;
    size_t n;
} signers_ctx;

static int row_signer(void *ctx, int n, const char *const *v)
{
    signers_ctx *l = ctx;

    if (n < 3 || l->n >= ST_MAX_SIGNERS)
        return 1;
    l->out[l->n].position = st__int(v[0]);
    l->out[l->n].account_id = st__int(v[1]);
    l->out[l->n].signed_at = st__int(v[2]);
    l->n++;
    return 0;
}

/* The row of document id and its signers, read on c; d->id stays 0 when there is none. */
static es_err doc_row(st_store *s, st_conn *c, int64_t id, st_document *d, st_signer *signers,
                      size_t *nsigners)
{
    st_val p[] = {ST_INT(id)};
    signers_ctx l = {signers, 0};
    es_err rc;

    memset(d, 0, sizeof(*d));
    *nsigners = 0;
    if ((rc = s->be->query(c, Q_DOC_GET, p, 1, row_doc, d, NULL)) != ES_OK || d->id == 0)
        return rc;
    rc = s->be->query(c, Q_DOC_SIGNERS, p, 1, row_signer, &l, NULL);
    *nsigners = l.n;
    return rc;
}

typedef struct get_ctx {
    int64_t id;
    st_document *d;
    st_signer *signers;
    size_t *nsigners;
} get_ctx;

static es_err get_body(st_store *s, st_conn *c, void *ctx)
{
    get_ctx *g = ctx;

    return doc_row(s, c, g->id, g->d, g->signers, g->nsigners);
}

es_err st_doc_get(st_store *s, int64_t id, st_document *out, st_signer *signers, size_t *nsigners)
{
    get_ctx g = {id, out, signers, nsigners};
    es_err rc = st__read_tx(s, get_body, &g);

    if (rc == ES_OK && out->id == 0)
        return es__fail(ES_ERR_NOT_FOUND, "no such document");
    return rc;
}

es_err st_doc_content(st_store *s, int64_t id, es_buf *out)
{
    st_val p[] = {ST_INT(id)};
    es_err rc;

    if ((rc = st__blob(s, Q_DOC_CONTENT, p, 1, out)) != ES_OK)
        return rc;
    return out->data ? ES_OK : es__fail(ES_ERR_NOT_FOUND, "no such document");
}

typedef struct read_ctx {
    st_doc_read *r;
    size_t n, max_bytes, *nread;
} read_ctx;

static es_err read_body(st_store *s, st_conn *c, void *ctx)
{
    read_ctx *x = ctx;
    st_doc_read *r = x->r;
    size_t bytes = 0, i;
    es_err rc = ES_OK;

    for (i = 0; rc == ES_OK && i < x->n && (i == 0 || bytes < x->max_bytes); i++) {
        st_val p[] = {ST_INT(r[i].id)};

        r[i].rc = ES_ERR_NOT_FOUND;
        if ((rc = doc_row(s, c, r[i].id, &r[i].doc, r[i].signers, &r[i].nsigners)) != ES_OK ||
            r[i].doc.id == 0 || (rc = s->be->blob(c, Q_DOC_CONTENT, p, 1, &r[i].content)) != ES_OK)
            continue;
        r[i].rc = r[i].content.data != NULL ? ES_OK : ES_ERR_NOT_FOUND;
        bytes += r[i].content.len;
    }
    *x->nread = i;
    return rc;
}

es_err st_docs_read(st_store *s, st_doc_read *out, size_t n, size_t max_bytes, size_t *nread)
{
    read_ctx ctx = {out, n, max_bytes, nread};
    es_err rc;

    *nread = 0;
    for (size_t i = 0; i < n; i++) {
        out[i].content = (es_buf){NULL, 0};
        out[i].nsigners = 0;
    }
    if ((rc = st__read_tx(s, read_body, &ctx)) != ES_OK) {
        for (size_t i = 0; i < n; i++)
            es_buf_free_public(&out[i].content);
        *nread = 0;
    }
    return rc;
}

/* Event rows gathered for one st__many run. */
typedef struct event_rows {
    st_val p[ST_MANY_MAX * 4];
    size_t n;
} event_rows;

static es_err events_flush(st_store *s, st_conn *c, event_rows *r)
{
    es_err rc = st__many(s, c, Q_EVENT_INSERT, r->p, 4, r->n, NULL);

    r->n = 0;
    return rc;
}

static es_err events_put(st_store *s, st_conn *c, event_rows *r, const st_event *ev)
{
    st_val *p = &r->p[4 * r->n++];

    p[0] = ev->account_id ? ST_INT(ev->account_id) : ST_TEXT(NULL);
    p[1] = ST_TEXT(ev->kind);
    p[2] = ST_TEXT(ev->data);
    p[3] = ST_INT(ev->at);
    return r->n == ST_MANY_MAX ? events_flush(s, c, r) : ES_OK;
}

static es_err add_events(st_store *s, st_conn *c, const st_event *ev, size_t n)
{
    event_rows r = {.n = 0};
    es_err rc = ES_OK;

    for (size_t i = 0; rc == ES_OK && i < n; i++)
        rc = events_put(s, c, &r, &ev[i]);
    return rc == ES_OK ? events_flush(s, c, &r) : rc;
}

/*
 * Up to ST_MANY_MAX signed documents: their rows, then their signers', then their events, each
 * a run of statements sent together (on PostgreSQL three round trips, not ~4 per document),
 * each in the documents' order. A row another signing changed meanwhile leaves u->rc
 * ES_ERR_STATE and nothing else written for it.
 */
static es_err signed_chunk(st_store *s, st_conn *c, st_doc_update *u, size_t n, int64_t now)
{
    st_val p[ST_MANY_MAX * 7];
    int64_t changed[ST_MANY_MAX];
    event_rows r = {.n = 0};
    size_t k = 0;
    es_err rc;

    for (size_t i = 0; i < n; i++) {
        st_val *v = &p[7 * i];

        v[0] = ST_BLOB(u[i].content, u[i].content_len);
        v[1] = ST_TEXT(u[i].sm3);
        v[2] = ST_INT(u[i].size);
        v[3] = ST_TEXT(u[i].status);
        v[4] = ST_INT(now);
        v[5] = ST_INT(u[i].d->id);
        v[6] = ST_INT(u[i].d->nsig);
    }
    if ((rc = st__many(s, c, Q_DOC_UPDATE, p, 7, n, changed)) != ES_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        u[i].rc = changed[i] == 0 ? ES_ERR_STATE : ES_OK;
        if (u[i].rc == ES_OK && u[i].position > 0) {
            p[3 * k] = ST_INT(now);
            p[3 * k + 1] = ST_INT(u[i].d->id);
            p[3 * k++ + 2] = ST_INT(u[i].position);
        }
    }
    if ((rc = st__many(s, c, Q_DOC_SIGNER_DONE, p, 3, k, changed)) != ES_OK)
        return rc;
    for (size_t j = 0; j < k; j++)
        if (changed[j] == 0)
            return es__fail(ES_ERR_STATE, "this signer has signed already");
    for (size_t i = 0; rc == ES_OK && i < n; i++)
        for (size_t e = 0; rc == ES_OK && u[i].rc == ES_OK && e < u[i].nev; e++)
            rc = events_put(s, c, &r, &u[i].ev[e]);
    return rc == ES_OK ? events_flush(s, c, &r) : rc;
}

typedef struct signed_ctx {
    st_doc_update *u;
    size_t n;
} signed_ctx;

static es_err signed_body(st_store *s, st_conn *c, void *ctx)
{
    signed_ctx *sc = ctx;
    int64_t now = es_time_now();
    es_err rc = ES_OK;

    for (size_t i = 0; rc == ES_OK && i < sc->n; i += ST_MANY_MAX)
        rc = signed_chunk(s, c, sc->u + i, sc->n - i < ST_MANY_MAX ? sc->n - i : ST_MANY_MAX, now);
    return rc;
}

es_err st_doc_signed(st_store *s, st_doc_update *u, size_t n)
{
    signed_ctx sc = {u, n};

    return st__tx(s, signed_body, &sc);
}

typedef struct events_ctx {
    const st_event *ev;
    size_t n;
} events_ctx;

static es_err events_body(st_store *s, st_conn *c, void *ctx)
{
    events_ctx *ec = ctx;

    return add_events(s, c, ec->ev, ec->n);
}

es_err st_events_add(st_store *s, const st_event *ev, size_t n)
{
    events_ctx ec = {ev, n};

    return n ? st__tx(s, events_body, &ec) : ES_OK;
}
