/* Account services: real-name registration of people and enterprises, staff, reads, changes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "eseal/time.h"
#include "server_local.h"

/* Copy an ID number with a lowercase final 'x' made 'X', so that one person has one key. */
static const char *norm_id(const char *in, char out[ST_SHORT_MAX])
{
    size_t n;

    if (in == NULL || (n = strlen(in)) >= ST_SHORT_MAX)
        return in;
    memcpy(out, in, n + 1);
    if (n > 0 && out[n - 1] == 'x')
        out[n - 1] = 'X';
    return out;
}

static srv_code hash_into(const char *password, st_account *a, srv_error *err)
{
    if (srv_password_hash(password, a->pw_hash, sizeof(a->pw_hash)) != 0)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    return SRV_OK;
}

/* Store the account with a pending verification, then run the pipeline on it. */
static srv_code create_and_verify(srv_app *app, st_account *a, const char *liveness,
                                  st_verification *v, srv_error *err)
{
    int64_t vid = 0;
    int rc;

    a->created_at = es_time_now();
    rc = st_account_create(app->store, a, &vid);
    if (rc == ES_ERR_EXISTS)
        return srv_fail(err, SRV_CONFLICT, "an account with this %s exists already",
                        strcmp(a->kind, "person") == 0 ? "phone or ID number" : "credit code");
    if (srv_from_es(err, rc, "register") != SRV_OK)
        return err->code;
    if (svc_verify_run(app, a, vid, liveness, v, err) != SRV_OK)
        return err->code;
    return srv_from_es(err, st_account_get(app->store, a->id, a), "register");
}

srv_code svc_register_person(srv_app *app, const svc_person_in *in, st_account *out,
                             st_verification *v, srv_error *err)
{
    char id[ST_SHORT_MAX], key[64];
    const char *idn = norm_id(in->id_number, id);

    val_name(err, "name", in->name);
    val_resident(err, "id_number", idn);
    val_mobile(err, "phone", in->phone);
    val_password(err, "password", in->password);
    val_optional_token(err, "liveness_token", in->liveness_token);
    if (err->code != SRV_OK)
        return err->code;
    snprintf(key, sizeof(key), "id:%s", idn);
    if (svc_verify_allow(app, key, err) != SRV_OK)
        return err->code;
    memset(out, 0, sizeof(*out));
    strcpy(out->kind, "person");
    strcpy(out->role, "person");
    strcpy(out->status, "pending");
    snprintf(out->login, sizeof(out->login), "%s", in->phone);
    snprintf(out->name, sizeof(out->name), "%s", in->name);
    snprintf(out->id_number, sizeof(out->id_number), "%s", idn);
    snprintf(out->phone, sizeof(out->phone), "%s", in->phone);
    if (hash_into(in->password, out, err) != SRV_OK)
        return err->code;
    return create_and_verify(app, out, in->liveness_token, v, err);
}

srv_code svc_register_enterprise(srv_app *app, const svc_enterprise_in *in, st_account *out,
                                 st_verification *v, srv_error *err)
{
    char rep[ST_SHORT_MAX], hid[ST_SHORT_MAX], key[64];
    const char *rep_id = norm_id(in->rep_id, rep), *handler_id = norm_id(in->handler_id, hid);

    val_name(err, "name", in->name);
    val_credit(err, "credit_code", in->credit_code);
    val_name(err, "legal_rep.name", in->rep_name);
    val_resident(err, "legal_rep.id_number", rep_id);
    val_name(err, "handler.name", in->handler_name);
    val_resident(err, "handler.id_number", handler_id);
    val_mobile(err, "handler.phone", in->handler_phone);
    val_password(err, "password", in->password);
    val_optional_token(err, "liveness_token", in->liveness_token);
    if (err->code != SRV_OK)
        return err->code;
    snprintf(key, sizeof(key), "credit:%s", in->credit_code);
    if (svc_verify_allow(app, key, err) != SRV_OK)
        return err->code;
    memset(out, 0, sizeof(*out));
    strcpy(out->kind, "enterprise");
    strcpy(out->role, "enterprise_admin");
    strcpy(out->status, "pending");
    snprintf(out->login, sizeof(out->login), "%s", in->credit_code);
    snprintf(out->name, sizeof(out->name), "%s", in->name);
    snprintf(out->credit_code, sizeof(out->credit_code), "%s", in->credit_code);
    snprintf(out->rep_name, sizeof(out->rep_name), "%s", in->rep_name);
    snprintf(out->rep_id, sizeof(out->rep_id), "%s", rep_id);
    snprintf(out->handler_name, sizeof(out->handler_name), "%s", in->handler_name);
    snprintf(out->handler_id, sizeof(out->handler_id), "%s", handler_id);
    snprintf(out->handler_phone, sizeof(out->handler_phone), "%s", in->handler_phone);
    if (hash_into(in->password, out, err) != SRV_OK)
        return err->code;
    return create_and_verify(app, out, in->liveness_token, v, err);
}

/* Staff logins: a lowercase letter, then letters, digits, '.', '_', '-': never a phone. */
static int staff_login_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 3 || n > 32 || !islower((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr("._-", s[i]))
            return 0;
    return 1;
}

srv_code svc_staff_create(srv_app *app, const st_account *who, const char *login, const char *name,
                          const char *password, const char *role, st_account *out, srv_error *err)
{
    int rc;

    if (strcmp(who->role, "admin") != 0)
        return srv_fail(err, SRV_FORBIDDEN, "only a platform admin creates staff accounts");
    if (!staff_login_ok(login))
        srv_field(err, "login", "3 to 32 of a-z 0-9 . _ -, starting with a letter");
    val_name(err, "name", name);
    val_password(err, "password", password);
    if (role == NULL || (strcmp(role, "reviewer") != 0 && strcmp(role, "admin") != 0))
        srv_field(err, "role", "must be \"reviewer\" or \"admin\"");
    if (err->code != SRV_OK)
        return err->code;
    memset(out, 0, sizeof(*out));
    strcpy(out->kind, "staff");
    snprintf(out->role, sizeof(out->role), "%s", role);
    strcpy(out->status, "verified");
    snprintf(out->login, sizeof(out->login), "%s", login);
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->created_at = es_time_now();
    if (hash_into(password, out, err) != SRV_OK)
        return err->code;
    rc = st_staff_create(app->store, out);
    if (rc == ES_ERR_EXISTS)
        return srv_fail(err, SRV_CONFLICT, "the login \"%s\" is taken", login);
    return srv_from_es(err, rc, "staff");
}

srv_code svc_account_read(srv_app *app, const st_account *who, int64_t id, st_account *out,
                          srv_error *err)
{
    if (who->id != id && !svc_is_staff(who) && !svc_enterprise_admin(app, who, id))
        return srv_fail(err, SRV_FORBIDDEN, "not your account");
    return srv_from_es(err, st_account_get(app->store, id, out), "account");
}
