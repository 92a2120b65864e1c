/* Handlers of the reviewers' queue: list verifications, read one, decide a pending one. */
#include <stdlib.h>

#include "handlers.h"

void h_verifications_list(srv_req *r)
{
    const char *status = srv_query(r, "status");
    st_verification *v = NULL;
    st_account who;
    size_t n = 0;
    json_t *arr;

    if (!h_auth(r, &who))
        return;
    if ((v = calloc(ST_LIST_MAX, sizeof(*v))) == NULL) {
        srv_fail(&r->err, SRV_INTERNAL, "out of memory");
        return;
    }
    if (svc_review_list(r->app, &who, status ? status : "pending", v, ST_LIST_MAX, &n, &r->err) !=
        SRV_OK)
        goto end;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, srv_verification_json(&v[i]));
    srv_reply(r, 200, json_pack("{s:o}", "verifications", arr));
end:
    free(v);
}

void h_verification_get(srv_req *r)
{
    st_account who;
    st_verification v;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_review_get(r->app, &who, id, &v, &r->err) == SRV_OK)
        srv_reply(r, 200, srv_verification_json(&v));
}

void h_verification_decide(srv_req *r)
{
    st_account who;
    st_verification v;
    json_t *in;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (in = srv_body(r)) == NULL)
        return;
    if (svc_review_decide(r->app, &who, id, srv_jstr(in, "decision"), srv_jstr(in, "reason"), &v,
                          &r->err) == SRV_OK)
        srv_reply(r, 200, srv_verification_json(&v));
    json_decref(in);
}
