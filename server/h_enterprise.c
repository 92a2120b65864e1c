/* Handlers of enterprise membership: list members, invite one, remove one. */
#include <stdlib.h>

#include "handlers.h"

static json_t *member_json(const st_member *m)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s}", "enterprise_id", (json_int_t)m->enterprise_id,
                     "account_id", (json_int_t)m->account_id, "role", m->role, "name", m->name,
                     "phone", m->phone);
}

void h_members_list(srv_req *r)
{
    st_member *m = NULL;
    st_account who;
    size_t n = 0;
    int64_t ent;
    json_t *arr;

    if (!h_auth(r, &who) || (ent = srv_param_id(r, 0)) == 0)
        return;
    if ((m = calloc(ST_LIST_MAX, sizeof(*m))) == NULL) {
        srv_fail(&r->err, SRV_INTERNAL, "out of memory");
        return;
    }
    if (svc_members_list(r->app, &who, ent, m, ST_LIST_MAX, &n, &r->err) != SRV_OK)
        goto end;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, member_json(&m[i]));
    srv_reply(r, 200, json_pack("{s:o}", "members", arr));
end:
    free(m);
}

void h_member_invite(srv_req *r)
{
    st_account who;
    st_member m;
    int64_t ent;
    json_t *in;

    if (!h_auth(r, &who) || (ent = srv_param_id(r, 0)) == 0 || (in = srv_body(r)) == NULL)
        return;
    if (svc_member_invite(r->app, &who, ent, srv_jstr(in, "phone"), srv_jstr(in, "role"), &m,
                          &r->err) == SRV_OK)
        srv_reply(r, 201, member_json(&m));
    json_decref(in);
}

void h_member_remove(srv_req *r)
{
    st_account who;
    int64_t ent, acct;

    if (!h_auth(r, &who) || (ent = srv_param_id(r, 0)) == 0 || (acct = srv_param_id(r, 1)) == 0)
        return;
    if (svc_member_remove(r->app, &who, ent, acct, &r->err) == SRV_OK)
        srv_reply(r, 200, json_pack("{s:b}", "removed", 1));
}
