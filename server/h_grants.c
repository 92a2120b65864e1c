/* Handlers of seal grants: list, add, revoke. */
#include <stdlib.h>

#include "handlers.h"
#include "seal_local.h"

static json_t *grant_json(const st_grant *g)
{
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:s, s:I, s:I}", "id", (json_int_t)g->id, "seal_id",
                  (json_int_t)g->seal_id, "account_id", (json_int_t)g->account_id, "name", g->name,
                  "granted_by", (json_int_t)g->granted_by, "created_at", (json_int_t)g->created_at);

    if (o && g->expires_at)
        json_object_set_new(o, "expires_at", json_integer(g->expires_at));
    if (o && g->revoked_at)
        json_object_set_new(o, "revoked_at", json_integer(g->revoked_at));
    return o;
}

void h_grants_list(srv_req *r)
{
    st_grant *g = calloc(ST_LIST_MAX, sizeof(*g));
    st_account who;
    size_t n = 0;
    int64_t id;
    json_t *arr;

    if (g == NULL || !h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        goto end;
    if (svc_grant_list(r->app, &who, id, g, ST_LIST_MAX, &n, &r->err) != SRV_OK)
        goto end;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, grant_json(&g[i]));
    srv_reply(r, 200, json_pack("{s:o}", "grants", arr));
end:
    free(g);
}

void h_grant_add(srv_req *r)
{
    st_account who;
    st_grant g;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_grant_add(r->app, &who, id, srv_jstr(j, "phone"),
                      json_integer_value(json_object_get(j, "expires_at")), &g, &r->err) == SRV_OK)
        srv_reply(r, 201, grant_json(&g));
    json_decref(j);
}

void h_grant_revoke(srv_req *r)
{
    st_account who;
    int64_t id, grant;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (grant = srv_param_id(r, 1)) == 0)
        return;
    if (svc_grant_revoke(r->app, &who, id, grant, &r->err) == SRV_OK)
        srv_reply(r, 200, json_pack("{s:b}", "revoked", 1));
}
