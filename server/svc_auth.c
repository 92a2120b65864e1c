/* Sessions: login with Argon2id, random bearer tokens stored as SM3 hashes, expiry, logout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "eseal/time.h"
#include "server_local.h"
#include "util/hex.h"

#define TOKEN_BYTES 32

void srv_hex(const uint8_t *p, size_t n, char *out)
{
    es__hex_lower(p, n, out);
    out[2 * n] = '\0';
}

/* The database keeps SM3(token): a stolen database holds no usable token. */
static int token_hash(const char *token, char out[2 * ES_SM3_LEN + 1])
{
    uint8_t h[ES_SM3_LEN];

    if (es_sm3(token, strlen(token), h) != ES_OK)
        return -1;
    srv_hex(h, sizeof(h), out);
    return 0;
}

/* The token of "Bearer TOKEN", or NULL. */
static const char *bearer(const char *authorization)
{
    size_t n;

    if (authorization == NULL || strncmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    n = strlen(authorization + 7);
    return n == 2 * TOKEN_BYTES ? authorization + 7 : NULL;
}

int svc_is_staff(const st_account *a)
{
    return strcmp(a->kind, "staff") == 0;
}

srv_code svc_auth_check(srv_app *app, const char *authorization, st_account *who, srv_error *err)
{
    const char *token = bearer(authorization);
    char hash[2 * ES_SM3_LEN + 1];
    int rc;

    if (token == NULL)
        return srv_fail(err, SRV_UNAUTHENTICATED, "an Authorization: Bearer token is required");
    if (token_hash(token, hash) != 0)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    rc = st_session_account(app->store, hash, es_time_now(), who);
    if (rc == ES_ERR_NOT_FOUND)
        return srv_fail(err, SRV_UNAUTHENTICATED, "the token is unknown, expired or revoked");
    return srv_from_es(err, rc, "session");
}

static srv_code new_session(srv_app *app, const st_account *a, char token[65], int64_t *expires,
                            srv_error *err)
{
    uint8_t raw[TOKEN_BYTES];
    char hash[2 * ES_SM3_LEN + 1];
    int64_t now = es_time_now();

    if (es_random(raw, sizeof(raw)) != ES_OK)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    srv_hex(raw, sizeof(raw), token);
    es_cleanse(raw, sizeof(raw));
    if (token_hash(token, hash) != 0)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    *expires = now + app->opts.session_ttl;
    return srv_from_es(err, st_session_create(app->store, hash, a->id, now, *expires), "session");
}

/* The login limiter's key of a login name: password changes count against the same bucket. */
static void limit_key(const char *login, char key[128])
{
    snprintf(key, 128, "login:%s", login);
}

srv_code svc_auth_login(srv_app *app, const char *login, const char *password,
                        const char *client_ip, char token[65], int64_t *expires, srv_error *err)
{
    char key[128];
    st_account a;
    int rc, ok;

    (void)client_ip;
    if (login == NULL || password == NULL || strlen(login) >= sizeof(a.login))
        return srv_fail(err, SRV_INVALID, "login and password are required");
    limit_key(login, key);
    /* Checked before the password so that a guesser learns nothing once limited. */
    if (srv_limiter_blocked(app->login_limit, key))
        return srv_fail(err, SRV_RATE_LIMITED, "too many failed logins; try again later");
    rc = st_account_by_login(app->store, login, &a);
    if (rc != ES_OK && rc != ES_ERR_NOT_FOUND)
        return srv_from_es(err, rc, "login");
    ok = srv_password_verify(rc == ES_OK ? a.pw_hash : NULL, password);
    if (!ok) {
        srv_limiter_hit(app->login_limit, key);
        return srv_fail(err, SRV_UNAUTHENTICATED, "wrong login or password");
    }
    srv_limiter_reset(app->login_limit, key);
    return new_session(app, &a, token, expires, err);
}

srv_code svc_auth_logout(srv_app *app, const char *authorization, srv_error *err)
{
    st_account who;
    char hash[2 * ES_SM3_LEN + 1];

    if (svc_auth_check(app, authorization, &who, err) != SRV_OK)
        return err->code;
    if (token_hash(bearer(authorization), hash) != 0)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    return srv_from_es(err, st_session_revoke(app->store, hash), "logout");
}

/* Field checks of a password change; SRV_INVALID with every bad field named. */
static srv_code password_fields(const char *current, const char *fresh, srv_error *err)
{
    if (current == NULL)
        srv_field(err, "current_password", "required");
    val_password(err, "new_password", fresh);
    if (err->code == SRV_OK && current != NULL && strcmp(current, fresh) == 0)
        srv_field(err, "new_password", "must differ from the current password");
    return err->code;
}

/* Store the new hash and drop the other sessions; the caller's session is kept. */
static srv_code password_store(srv_app *app, const st_account *who, const char *authorization,
                               const char *fresh, const char *client_ip, int64_t *revoked,
                               srv_error *err)
{
    char keep[2 * ES_SM3_LEN + 1], pw_hash[sizeof(who->pw_hash)], *text = NULL;
    json_t *data = json_pack("{s:s}", "ip", client_ip ? client_ip : "");
    int rc;

    if (data == NULL || (text = json_dumps(data, JSON_COMPACT)) == NULL ||
        strlen(text) >= sizeof(((st_event *)0)->data) || bearer(authorization) == NULL ||
        token_hash(bearer(authorization), keep) != 0 ||
        srv_password_hash(fresh, pw_hash, sizeof(pw_hash)) != 0) {
        srv_fail(err, SRV_INTERNAL, "internal error");
        goto end;
    }
    rc = st_account_set_password(app->store, who->id, who->pw_hash, pw_hash, keep, text, revoked);
    srv_from_es(err, rc, "password change");
end:
    es_cleanse(pw_hash, sizeof(pw_hash));
    free(text);
    json_decref(data);
    return err->code;
}

srv_code svc_auth_password(srv_app *app, const st_account *who, const char *authorization,
                           const char *current, const char *fresh, const char *client_ip,
                           int64_t *revoked, srv_error *err)
{
    char key[128];

    *revoked = 0;
    if (password_fields(current, fresh, err) != SRV_OK)
        return err->code;
    limit_key(who->login, key);
    /* As at login: limited before the password is checked, so a guesser learns nothing more. */
    if (srv_limiter_blocked(app->login_limit, key))
        return srv_fail(err, SRV_RATE_LIMITED, "too many failed password attempts; try later");
    if (!srv_password_verify(who->pw_hash, current)) {
        srv_limiter_hit(app->login_limit, key);
        /* Not 401: the token is fine, and a client would drop its session on a 401. */
        return srv_fail(err, SRV_FORBIDDEN, "the current password is wrong");
    }
    srv_limiter_reset(app->login_limit, key);
    return password_store(app, who, authorization, fresh, client_ip, revoked, err);
}
