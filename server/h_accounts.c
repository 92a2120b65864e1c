/* Handlers of registration, accounts, changes and staff: JSON <-> account services. */
#include <stdlib.h>

#include "handlers.h"

/* 201 {"account": ..., "verification": ...} */
static void reply_registered(srv_req *r, const st_account *a, const st_verification *v)
{
    srv_reply(r, 201,
              json_pack("{s:o, s:o}", "account", srv_account_json(a), "verification",
                        srv_verification_json(v)));
}

void h_register_person(srv_req *r)
{
    json_t *in = srv_body(r);
    svc_person_in p;
    st_account a;
    st_verification v;

    if (in == NULL)
        return;
    p.name = srv_jstr(in, "name");
    p.id_number = srv_jstr(in, "id_number");
    p.phone = srv_jstr(in, "phone");
    p.password = srv_jstr(in, "password");
    p.liveness_token = srv_jstr(in, "liveness_token");
    if (svc_register_person(r->app, &p, &a, &v, &r->err) == SRV_OK) {
        r->account_id = a.id;
        reply_registered(r, &a, &v);
    }
    json_decref(in);
}

void h_register_enterprise(srv_req *r)
{
    json_t *in = srv_body(r);
    json_t *rep, *handler;
    svc_enterprise_in e;
    st_account a;
    st_verification v;

    if (in == NULL)
        return;
    rep = json_object_get(in, "legal_rep");
    handler = json_object_get(in, "handler");
    e.name = srv_jstr(in, "name");
    e.credit_code = srv_jstr(in, "credit_code");
    e.rep_name = srv_jstr(rep, "name");
    e.rep_id = srv_jstr(rep, "id_number");
    e.handler_name = srv_jstr(handler, "name");
    e.handler_id = srv_jstr(handler, "id_number");
    e.handler_phone = srv_jstr(handler, "phone");
    e.password = srv_jstr(in, "password");
    e.liveness_token = srv_jstr(in, "liveness_token");
    if (svc_register_enterprise(r->app, &e, &a, &v, &r->err) == SRV_OK) {
        r->account_id = a.id;
        reply_registered(r, &a, &v);
    }
    json_decref(in);
}

static json_t *memberships_json(srv_req *r, const st_account *who)
{
    st_member m[32];
    size_t n = 0;
    json_t *arr = json_array();

    if (st_memberships(r->app->store, who->id, m, 32, &n) != 0) {
        srv_from_es(&r->err, 1, "memberships");
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "enterprise_id",
                                             (json_int_t)m[i].enterprise_id, "name", m[i].name,
                                             "role", m[i].role));
    return arr;
}

void h_me(srv_req *r)
{
    st_account who;
    json_t *o;

    if (!h_auth(r, &who))
        return;
    o = srv_account_json(&who);
    json_object_set_new(o, "memberships", memberships_json(r, &who));
    if (r->err.code != SRV_OK) {
        json_decref(o);
        return;
    }
    srv_reply(r, 200, o);
}

void h_account_get(srv_req *r)
{
    st_account who, a;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_account_read(r->app, &who, id, &a, &r->err) == SRV_OK)
        srv_reply(r, 200, srv_account_json(&a));
}

void h_account_change(srv_req *r)
{
    st_account who;
    st_verification v;
    json_t *in;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (in = srv_body(r)) == NULL)
        return;
    if (json_object_get(in, "legal_rep") != NULL)
        svc_account_change(r->app, &who, id, srv_jstr(json_object_get(in, "legal_rep"), "name"),
                           srv_jstr(json_object_get(in, "legal_rep"), "id_number"), &v, &r->err);
    else
        svc_account_change(r->app, &who, id, srv_jstr(in, "name"), NULL, &v, &r->err);
    if (r->err.code == SRV_OK)
        srv_reply(r, 200, json_pack("{s:o}", "verification", srv_verification_json(&v)));
    json_decref(in);
}

void h_account_events(srv_req *r)
{
    st_event *e = NULL;
    st_account who;
    size_t n = 0;
    int64_t id;
    json_t *arr;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if ((e = calloc(ST_LIST_MAX, sizeof(*e))) == NULL) {
        srv_fail(&r->err, SRV_INTERNAL, "out of memory");
        return;
    }
    if (svc_events(r->app, &who, id, e, ST_LIST_MAX, &n, &r->err) != SRV_OK)
        goto end;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *data = json_loads(e[i].data, 0, NULL);

        json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:I}", "id", (json_int_t)e[i].id,
                                             "kind", e[i].kind, "data", data ? data : json_object(),
                                             "at", (json_int_t)e[i].at));
    }
    srv_reply(r, 200, json_pack("{s:o}", "events", arr));
end:
    free(e);
}

void h_me_verification(srv_req *r)
{
    st_account who;
    st_verification v;
    json_t *in = NULL;
    const char *liveness = NULL;

    if (!h_auth(r, &who))
        return;
    /* The body is optional here: it only carries a fresh liveness token. */
    if (r->body_len > 0) {
        if ((in = srv_body(r)) == NULL)
            return;
        liveness = srv_jstr(in, "liveness_token");
    }
    if (svc_verify_retry(r->app, &who, liveness, &v, &r->err) == SRV_OK)
        srv_reply(r, 200, json_pack("{s:o}", "verification", srv_verification_json(&v)));
    json_decref(in);
}

void h_staff_create(srv_req *r)
{
    st_account who, a;
    json_t *in;

    if (!h_auth(r, &who) || (in = srv_body(r)) == NULL)
        return;
    if (svc_staff_create(r->app, &who, srv_jstr(in, "login"), srv_jstr(in, "name"),
                         srv_jstr(in, "password"), srv_jstr(in, "role"), &a, &r->err) == SRV_OK)
        srv_reply(r, 201, srv_account_json(&a));
    json_decref(in);
}
