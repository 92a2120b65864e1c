/* Sessions: login with Argon2id, random bearer tokens stored as SM3 hashes, expiry, logout. */
#include <stdio.h>
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

srv_code svc_auth_login(srv_app *app, const char *login, const char *password,
                        const char *client_ip, char token[65], int64_t *expires, srv_error *err)
{
    char key[128];
    st_account a;
    int rc, ok;

    (void)client_ip;
    if (login == NULL || password == NULL || strlen(login) >= sizeof(a.login))
        return srv_fail(err, SRV_INVALID, "login and password are required");
    snprintf(key, sizeof(key), "login:%s", login);
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
