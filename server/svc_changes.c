/* Changes of name or legal representative: validated, recorded as events, verified again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal_local.h"

/* Only the account itself or an admin of the enterprise may change it. */
static srv_code may_change(srv_app *app, const st_account *who, int64_t id, srv_error *err)
{
    if (who->id != id && !svc_enterprise_admin(app, who, id))
        return srv_fail(err, SRV_FORBIDDEN, "only the account or its enterprise admin may");
    return SRV_OK;
}

static json_t *change_data(const st_account *a, const char *name, const char *rep_id)
{
    if (rep_id)
        return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "old", "name", a->rep_name, "id_number",
                         a->rep_id, "new", "name", name, "id_number", rep_id);
    return json_pack("{s:s, s:s}", "old", a->name, "new", name);
}

srv_code svc_account_change(srv_app *app, const st_account *who, int64_t id, const char *name,
                            const char *rep_id, st_verification *v, srv_error *err)
{
    st_account a;
    json_t *data = NULL;
    char *text = NULL;
    int64_t vid = 0;
    int rc;

    if (may_change(app, who, id, err) != SRV_OK)
        return err->code;
    if (srv_from_es(err, st_account_get(app->store, id, &a), "account") != SRV_OK)
        return err->code;
    if (rep_id && strcmp(a.kind, "enterprise") != 0)
        return srv_fail(err, SRV_INVALID, "only enterprises have a legal representative");
    if (strcmp(a.kind, "staff") == 0)
        return srv_fail(err, SRV_FORBIDDEN, "staff accounts are not verified identities");
    val_name(err, rep_id ? "legal_rep.name" : "name", name);
    if (rep_id)
        val_resident(err, "legal_rep.id_number", rep_id);
    if (err->code != SRV_OK)
        return err->code;
    data = change_data(&a, name, rep_id);
    text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    if (text == NULL || strlen(text) >= sizeof(((st_event *)0)->data)) {
        srv_fail(err, SRV_INTERNAL, "internal error");
        goto end;
    }
    rc = st_account_change(app->store, id, name, rep_id,
                           rep_id ? "legal_rep_changed" : "name_changed", text, &vid);
    if (srv_from_es(err, rc, "change") != SRV_OK)
        goto end;
    /* The seals bearing the old name or representative are cancelled and applied for again. */
    svc_seals_on_change(app, id, rep_id != NULL);
    if (srv_from_es(err, st_account_get(app->store, id, &a), "change") == SRV_OK)
        svc_verify_run(app, &a, vid, NULL, v, err);
end:
    free(text);
    json_decref(data);
    return err->code;
}

srv_code svc_events(srv_app *app, const st_account *who, int64_t id, st_event *e, size_t max,
                    size_t *n, srv_error *err)
{
    if (who->id != id && !svc_is_staff(who) && !svc_enterprise_admin(app, who, id))
        return srv_fail(err, SRV_FORBIDDEN, "not your account");
    return srv_from_es(err, st_event_list(app->store, id, e, max, n), "events");
}
