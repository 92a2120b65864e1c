/* Assets in the store: bytes kept once that stored documents refer to (doc_pack.h). */
#include <string.h>

#include "eseal/time.h"
#include "eseal_local.h"
#include "store_local.h"
#include "store_seals.h"

typedef struct put_ctx {
    int64_t seal;
    const char *sm3;
    const uint8_t *p;
    size_t n;
    int64_t *id;
} put_ctx;

/* The found row's bytes compared with p (once per batch, not per document) and put right. */
static es_err check_found(st_store *s, st_conn *c, const put_ctx *pc)
{
    es_buf have = {0};
    st_val q[] = {ST_INT(*pc->id)};
    st_val fix[] = {ST_BLOB(pc->p, pc->n), ST_INT(*pc->id)};
    es_err rc = s->be->blob(c, Q_ASSET_CONTENT, q, 1, &have);

    if (rc == ES_OK && (have.len != pc->n || memcmp(have.data, pc->p, pc->n) != 0))
        rc = s->be->query(c, Q_ASSET_REPAIR, fix, 2, NULL, NULL, NULL);
    es_buf_free_public(&have);
    return rc;
}

static es_err put_body(st_store *s, st_conn *c, void *ctx)
{
    put_ctx *pc = ctx;
    st_val key[] = {ST_INT(pc->seal), ST_TEXT(pc->sm3)};
    st_val row[] = {ST_INT(pc->seal), ST_TEXT(pc->sm3), ST_BLOB(pc->p, pc->n),
                    ST_INT(es_time_now())};
    es_err rc;

    *pc->id = 0;
    if ((rc = s->be->query(c, Q_ASSET_FIND, key, 2, st__row_int, pc->id, NULL)) != ES_OK)
        return rc;
    if (*pc->id != 0)
        return check_found(s, c, pc);
    if ((rc = s->be->query(c, Q_ASSET_INSERT, row, 4, st__row_int, pc->id, NULL)) != ES_OK ||
        *pc->id != 0)
        return rc;
    /* stored by another connection between the two statements (PostgreSQL) */
    if ((rc = s->be->query(c, Q_ASSET_FIND, key, 2, st__row_int, pc->id, NULL)) != ES_OK)
        return rc;
    return *pc->id != 0 ? check_found(s, c, pc)
                        : es__fail(ES_ERR_IO, "asset of seal %lld: neither stored nor found",
                                   (long long)pc->seal);
}

es_err st_asset_put(st_store *s, int64_t seal, const char *sm3, const uint8_t *p, size_t n,
                    int64_t *id)
{
    put_ctx pc = {seal, sm3, p, n, id};

    return st__tx(s, put_body, &pc);
}

es_err st_assets_get(st_store *s, const int64_t *ids, size_t n, es_buf *out)
{
    es_err rc = ES_OK;
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = (es_buf){NULL, 0};
    for (i = 0; rc == ES_OK && i < n; i++) {
        st_val p[] = {ST_INT(ids[i])};

        if ((rc = st__blob(s, Q_ASSET_CONTENT, p, 1, &out[i])) == ES_OK && out[i].data == NULL)
            rc = es__fail(ES_ERR_NOT_FOUND, "asset %lld: no such row", (long long)ids[i]);
    }
    for (i = 0; rc != ES_OK && i < n; i++)
        es_buf_free_public(&out[i]);
    return rc;
}
