/* What every handler uses: the JSON body, path ids, replies and the JSON form of records. */
#include <stdlib.h>
#include <string.h>

#include "server_local.h"

json_t *srv_body(srv_req *r)
{
    json_error_t je;
    json_t *j;

    if (r->body_len == 0) {
        srv_fail(&r->err, SRV_BAD_JSON, "a JSON object body is required");
        return NULL;
    }
    j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        srv_fail(&r->err, SRV_BAD_JSON, "bad JSON at line %d column %d: %s", je.line, je.column,
                 je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        srv_fail(&r->err, SRV_BAD_JSON, "the body must be a JSON object");
        return NULL;
    }
    return j;
}

const char *srv_jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void srv_reply(srv_req *r, int status, json_t *json)
{
    json_decref(r->json);
    r->status = status;
    r->json = json;
}

int64_t srv_param_id(srv_req *r, int i)
{
    const char *p = r->param[i];
    char *end = NULL;
    long long v = p ? strtoll(p, &end, 10) : 0;

    if (p == NULL || *p < '1' || *p > '9' || *end != '\0' || v <= 0) {
        srv_fail(&r->err, SRV_NOT_FOUND, "no such object");
        return 0;
    }
    return v;
}

static void set_opt(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

json_t *srv_account_json(const st_account *a)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)a->id, "kind",
                          a->kind, "role", a->role, "status", a->status, "login", a->login, "name",
                          a->name, "created_at", (json_int_t)a->created_at);

    if (o == NULL)
        return NULL;
    set_opt(o, "id_number", a->id_number);
    set_opt(o, "phone", a->phone);
    set_opt(o, "credit_code", a->credit_code);
    if (a->rep_name[0])
        json_object_set_new(o, "legal_rep",
                            json_pack("{s:s, s:s}", "name", a->rep_name, "id_number", a->rep_id));
    if (a->handler_name[0])
        json_object_set_new(o, "handler",
                            json_pack("{s:s, s:s, s:s}", "name", a->handler_name, "id_number",
                                      a->handler_id, "phone", a->handler_phone));
    return o;
}

json_t *srv_verification_json(const st_verification *v)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)v->id, "account_id",
                          (json_int_t)v->account_id, "status", v->status, "source", v->source,
                          "reason", v->reason, "created_at", (json_int_t)v->created_at);

    if (o == NULL)
        return NULL;
    if (v->decided_at)
        json_object_set_new(o, "decided_at", json_integer(v->decided_at));
    if (v->decided_by)
        json_object_set_new(o, "decided_by", json_integer(v->decided_by));
    if (v->kind[0])
        json_object_set_new(
            o, "account",
            json_pack("{s:s, s:s, s:s}", "kind", v->kind, "name", v->name, "login", v->login));
    return o;
}
