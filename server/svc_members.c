/* Enterprise membership: admins invite registered people as members or admins, and remove them. */
#include <string.h>

#include "eseal/time.h"
#include "server_local.h"

int svc_enterprise_admin(srv_app *app, const st_account *who, int64_t ent)
{
    char role[ST_SHORT_MAX];

    if (who->id == ent)
        return strcmp(who->role, "enterprise_admin") == 0;
    return st_member_role(app->store, ent, who->id, role) == ES_OK && strcmp(role, "admin") == 0;
}

/* The enterprise itself must exist and be an enterprise. */
static srv_code load_enterprise(srv_app *app, int64_t ent, st_account *e, srv_error *err)
{
    int rc = st_account_get(app->store, ent, e);

    if (rc == ES_OK && strcmp(e->kind, "enterprise") != 0)
        return srv_fail(err, SRV_NOT_FOUND, "no such enterprise");
    return srv_from_es(err, rc, "enterprise");
}

srv_code svc_members_list(srv_app *app, const st_account *who, int64_t ent, st_member *m,
                          size_t max, size_t *n, srv_error *err)
{
    char role[ST_SHORT_MAX];
    st_account e;

    if (who->id != ent && !svc_is_staff(who) &&
        st_member_role(app->store, ent, who->id, role) != ES_OK)
        return srv_fail(err, SRV_FORBIDDEN, "not a member of this enterprise");
    if (load_enterprise(app, ent, &e, err) != SRV_OK)
        return err->code;
    return srv_from_es(err, st_member_list(app->store, ent, m, max, n), "members");
}

srv_code svc_member_invite(srv_app *app, const st_account *who, int64_t ent, const char *phone,
                           const char *role, st_member *out, srv_error *err)
{
    st_account e, p;
    int rc;

    if (!svc_enterprise_admin(app, who, ent))
        return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin invites members");
    val_mobile(err, "phone", phone);
    if (role == NULL)
        role = "member";
    if (strcmp(role, "member") != 0 && strcmp(role, "admin") != 0)
        srv_field(err, "role", "must be \"member\" or \"admin\"");
    if (err->code != SRV_OK || load_enterprise(app, ent, &e, err) != SRV_OK)
        return err->code;
    /* Staff of an unverified enterprise could act in its name before anyone checked it. */
    if (strcmp(e.status, "verified") != 0)
        return srv_fail(err, SRV_STATE, "the enterprise is not verified yet");
    rc = st_account_by_login(app->store, phone, &p);
    if (rc == ES_ERR_NOT_FOUND || (rc == ES_OK && strcmp(p.kind, "person") != 0))
        return srv_fail(err, SRV_NOT_FOUND, "no registered person with this phone");
    if (srv_from_es(err, rc, "invite") != SRV_OK)
        return err->code;
    rc = st_member_add(app->store, ent, p.id, role, es_time_now());
    if (rc == ES_ERR_EXISTS)
        return srv_fail(err, SRV_CONFLICT, "already a member");
    if (srv_from_es(err, rc, "invite") != SRV_OK)
        return err->code;
    memset(out, 0, sizeof(*out));
    out->enterprise_id = ent;
    out->account_id = p.id;
    strcpy(out->role, role);
    memcpy(out->name, p.name, sizeof(out->name));
    memcpy(out->phone, p.phone, sizeof(out->phone));
    return SRV_OK;
}

srv_code svc_member_remove(srv_app *app, const st_account *who, int64_t ent, int64_t account,
                           srv_error *err)
{
    if (!svc_enterprise_admin(app, who, ent))
        return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin removes members");
    return srv_from_es(err, st_member_remove(app->store, ent, account), "member");
}
