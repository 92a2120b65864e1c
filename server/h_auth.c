/* Login, logout, password change, and the bearer-token check every other handler uses. */
#include "handlers.h"
#include "seal_local.h"

int h_auth(srv_req *r, st_account *who)
{
    if (svc_auth_check(r->app, r->authorization, who, &r->err) != SRV_OK)
        return 0;
    r->account_id = who->id;
    return 1;
}

void h_login(srv_req *r)
{
    json_t *in = srv_body(r);
    char token[65];
    int64_t expires = 0;

    if (in == NULL)
        return;
    if (svc_auth_login(r->app, srv_jstr(in, "login"), srv_jstr(in, "password"), r->client_ip, token,
                       &expires, &r->err) == SRV_OK)
        srv_reply(r, 200,
                  json_pack("{s:s, s:I}", "token", token, "expires_at", (json_int_t)expires));
    srv_jwipe(in, "password");
    json_decref(in);
}

void h_password_change(srv_req *r)
{
    st_account who;
    int64_t revoked = 0;
    json_t *in;

    if (!h_auth(r, &who) || (in = srv_body(r)) == NULL)
        return;
    if (svc_auth_password(r->app, &who, r->authorization, srv_jstr(in, "current_password"),
                          srv_jstr(in, "new_password"), r->client_ip, &revoked, &r->err) == SRV_OK)
        srv_reply(r, 200,
                  json_pack("{s:b, s:I}", "changed", 1, "sessions_revoked", (json_int_t)revoked));
    srv_jwipe(in, "current_password");
    srv_jwipe(in, "new_password");
    json_decref(in);
}

void h_logout(srv_req *r)
{
    if (svc_auth_logout(r->app, r->authorization, &r->err) == SRV_OK)
        srv_reply(r, 200, json_pack("{s:b}", "logged_out", 1));
}
