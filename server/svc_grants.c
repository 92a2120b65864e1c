/* Enterprise seal authorisation: admins grant members the use of a seal, with an expiry. */
#include <string.h>

#include "seal_local.h"

static srv_code admin_of(srv_app *app, const st_account *who, int64_t id, st_seal *s,
                         srv_error *err)
{
    if (svc_seal_read(app, who, id, s, err) != SRV_OK)
        return err->code;
    if (strcmp(s->type, "00") == 0)
        return srv_fail(err, SRV_STATE, "a personal seal is not granted to others");
    if (!svc_seal_admin(app, who, s))
        return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin grants its seals");
    return SRV_OK;
}

srv_code svc_grant_add(srv_app *app, const st_account *who, int64_t seal, const char *phone,
                       int64_t expires_at, st_grant *out, srv_error *err)
{
    char role[ST_SHORT_MAX];
    st_account p;
    st_seal s;
    int rc;

    val_mobile(err, "phone", phone);
    if (expires_at < 0 || (expires_at > 0 && expires_at <= es_time_now()))
        srv_field(err, "expires_at", "must be in the future (seconds since 1970), or absent");
    if (err->code != SRV_OK || admin_of(app, who, seal, &s, err) != SRV_OK)
        return err->code;
    rc = st_account_by_login(app->store, phone, &p);
    if (rc == ES_ERR_NOT_FOUND || (rc == ES_OK && strcmp(p.kind, "person") != 0))
        return srv_fail(err, SRV_NOT_FOUND, "no registered person with this phone");
    if (srv_from_es(err, rc, "grant") != SRV_OK)
        return err->code;
    if (st_member_role(app->store, s.owner_id, p.id, role) != ES_OK)
        return srv_fail(err, SRV_STATE, "only members of the enterprise get grants");
    memset(out, 0, sizeof(*out));
    out->seal_id = seal;
    out->account_id = p.id;
    out->granted_by = who->id;
    out->expires_at = expires_at;
    out->created_at = es_time_now();
    memcpy(out->name, p.name, sizeof(out->name));
    if (srv_from_es(err, st_grant_add(app->store, out), "grant") == SRV_OK)
        svc_event(app, s.owner_id, "seal_granted",
                  json_pack("{s:I, s:I, s:I, s:I}", "seal_id", (json_int_t)seal, "grant",
                            (json_int_t)out->id, "account_id", (json_int_t)p.id, "expires_at",
                            (json_int_t)expires_at));
    return err->code;
}

srv_code svc_grant_revoke(srv_app *app, const st_account *who, int64_t seal, int64_t grant,
                          srv_error *err)
{
    st_seal s;

    if (admin_of(app, who, seal, &s, err) != SRV_OK)
        return err->code;
    if (srv_from_es(err, st_grant_revoke(app->store, seal, grant), "grant") == SRV_OK)
        svc_event(app, s.owner_id, "seal_grant_revoked",
                  json_pack("{s:I, s:I}", "seal_id", (json_int_t)seal, "grant", (json_int_t)grant));
    return err->code;
}

srv_code svc_grant_list(srv_app *app, const st_account *who, int64_t seal, st_grant *g, size_t max,
                        size_t *n, srv_error *err)
{
    st_seal s;

    if (svc_seal_read(app, who, seal, &s, err) != SRV_OK)
        return err->code;
    if (!svc_is_staff(who) && !svc_seal_admin(app, who, &s))
        return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin lists grants");
    return srv_from_es(err, st_grant_list(app->store, seal, g, max, n), "grants");
}
