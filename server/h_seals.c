/* Handlers of seals: apply, list, read, review, activate, PIN, unlock, life cycle, file. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "seal_local.h"

static json_t *seal_json(const st_seal *s)
{
    json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "id",
                          (json_int_t)s->id, "owner_id", (json_int_t)s->owner_id, "applicant_id",
                          (json_int_t)s->applicant_id, "type", s->type, "name", s->name, "status",
                          s->status, "reason", s->reason, "picture_source", s->picture_source,
                          "locked", (int)(s->locked != 0), "created_at", (json_int_t)s->created_at,
                          "updated_at", (json_int_t)s->updated_at);

    if (o && s->code[0])
        json_object_set_new(o, "code", json_string(s->code));
    if (o && s->serial[0])
        json_object_set_new(o, "cert_serial", json_string(s->serial));
    if (o && s->reissue_of)
        json_object_set_new(o, "reissue_of", json_integer(s->reissue_of));
    return o;
}

void h_seal_apply(srv_req *r)
{
    svc_seal_in in = {0};
    const char *imp;
    st_account who;
    st_seal s;
    json_t *j;

    if (!h_auth(r, &who) || (j = srv_body(r)) == NULL)
        return;
    in.enterprise_id = json_integer_value(json_object_get(j, "enterprise_id"));
    in.type = srv_jstr(j, "type");
    in.text = srv_jstr(j, "text");
    if ((imp = srv_jstr(j, "impression")) != NULL && srv_unb64(imp, &in.impression) != 0)
        srv_fail(&r->err, SRV_INVALID, "impression: base64 of a PNG or JPEG scan");
    else if (svc_seal_apply(r->app, &who, &in, &s, &r->err) == SRV_OK)
        srv_reply(r, 201, seal_json(&s));
    es_buf_free(&in.impression);
    json_decref(j);
}

void h_seals_list(srv_req *r)
{
    const char *ent = srv_query(r, "enterprise_id");
    st_seal *s = calloc(ST_LIST_MAX, sizeof(*s));
    st_account who;
    size_t n = 0;
    json_t *arr;

    if (s == NULL || !h_auth(r, &who))
        goto end;
    if (svc_seal_list(r->app, &who, ent ? atoll(ent) : 0, srv_query(r, "status"), s, ST_LIST_MAX,
                      &n, &r->err) != SRV_OK)
        goto end;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, seal_json(&s[i]));
    srv_reply(r, 200, json_pack("{s:o}", "seals", arr));
end:
    free(s);
}

void h_seal_get(srv_req *r)
{
    st_account who;
    st_seal s;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_seal_read(r->app, &who, id, &s, &r->err) == SRV_OK)
        srv_reply(r, 200, seal_json(&s));
}

void h_seal_file(srv_req *r)
{
    st_account who;
    es_buf der = {0};
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_seal_file(r->app, &who, id, &der, &r->err) != SRV_OK)
        return;
    r->status = 200;
    r->raw_owned = der.data;
    r->raw_len = der.len;
    r->raw_type = "application/octet-stream";
}

void h_seal_decide(srv_req *r)
{
    st_account who;
    st_seal s;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_seal_decide(r->app, &who, id, srv_jstr(j, "decision"), srv_jstr(j, "reason"), &s,
                        &r->err) == SRV_OK)
        srv_reply(r, 200, seal_json(&s));
    json_decref(j);
}

void h_seal_activate(srv_req *r)
{
    st_account who;
    st_seal s;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_seal_activate(r->app, &who, id, srv_jstr(j, "pin"), &s, &r->err) == SRV_OK)
        srv_reply(r, 200, seal_json(&s));
    srv_jwipe(j, "pin");
    json_decref(j);
}

void h_seal_pin(srv_req *r)
{
    st_account who;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_seal_pin(r->app, &who, id, srv_jstr(j, "old_pin"), srv_jstr(j, "new_pin"), &r->err) ==
        SRV_OK)
        srv_reply(r, 200, json_pack("{s:b}", "changed", 1));
    srv_jwipe(j, "old_pin");
    srv_jwipe(j, "new_pin");
    json_decref(j);
}

void h_seal_unlock(srv_req *r)
{
    st_account who;
    st_seal s;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_seal_unlock(r->app, &who, id, srv_jstr(j, "reason"), &s, &r->err) == SRV_OK)
        srv_reply(r, 200, seal_json(&s));
    json_decref(j);
}

static void action(srv_req *r, const char *what)
{
    st_account who;
    st_seal s;
    int64_t id;
    json_t *j;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    if (svc_seal_action(r->app, &who, id, what, srv_jstr(j, "reason"), &s, &r->err) == SRV_OK)
        srv_reply(r, 200, seal_json(&s));
    json_decref(j);
}

void h_seal_suspend(srv_req *r)
{
    action(r, "suspend");
}

void h_seal_resume(srv_req *r)
{
    action(r, "resume");
}

void h_seal_cancel(srv_req *r)
{
    action(r, "cancel");
}
