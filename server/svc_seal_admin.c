/* A made seal's life: PIN change, unlock, suspend, resume, cancel, reissue, grants, its file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "eseal_local.h"
#include "seal_local.h"

void svc_event(srv_app *app, int64_t account, const char *kind, json_t *data)
{
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;

    if (text && strlen(text) < sizeof(((st_event *)0)->data))
        srv_from_es(&(srv_error){0}, st_event_add(app->store, account, kind, text, es_time_now()),
                    "event");
    free(text);
    json_decref(data);
}

srv_code svc_seal_pin(srv_app *app, const st_account *who, int64_t id, const char *old_pin,
                      const char *new_pin, srv_error *err)
{
    srv_signer sg;
    st_seal_blobs b = {0};
    es_buf blob = {0}, out = {0};
    char aad[64], *text = NULL;
    int rc;

    memset(&sg, 0, sizeof(sg));
    if (new_pin == NULL || strlen(new_pin) < CUSTODY_PIN_MIN || strlen(new_pin) > CUSTODY_PIN_MAX)
        return srv_fail(err, SRV_INVALID, "new_pin: %d to %d characters", CUSTODY_PIN_MIN,
                        CUSTODY_PIN_MAX);
    /* The old PIN is checked like a signing: wrong ones count towards the lock. */
    if (svc_signer_unlock(app, who, id, old_pin, &sg, err) != SRV_OK)
        return err->code;
    if (!svc_seal_admin(app, who, &sg.seal)) {
        srv_fail(err, SRV_FORBIDDEN, "only the holder changes the PIN");
        goto end;
    }
    snprintf(aad, sizeof(aad), "eseal seal key v1:%lld", (long long)id);
    rc = st_seal_blobs_get(app->store, id, &b);
    if (rc == ES_OK && srv_unb64(b.wrapped, &blob) != 0)
        rc = ES_ERR_FORMAT;
    if (rc == ES_OK)
        rc = custody_rewrap(srv_custody_secret(app), old_pin, new_pin, aad, strlen(aad), blob.data,
                            blob.len, &out);
    if (rc == ES_OK && (text = srv_b64(out.data, out.len)) == NULL)
        rc = ES_ERR_NOMEM;
    if (rc == ES_OK)
        rc = st_seal_set_wrapped(app->store, id, text);
    if (srv_from_es(err, rc, "pin") == SRV_OK)
        svc_event(app, sg.seal.owner_id, "seal_pin_changed",
                  json_pack("{s:I, s:I}", "seal_id", (json_int_t)id, "by", (json_int_t)who->id));
end:
    free(text);
    es_buf_free(&blob);
    es_buf_free(&out);
    st_seal_blobs_release(&b);
    srv_signer_release(&sg);
    return err->code;
}

srv_code svc_seal_unlock(srv_app *app, const st_account *who, int64_t id, const char *reason,
                         st_seal *out, srv_error *err)
{
    if (!svc_is_staff(who))
        return srv_fail(err, SRV_FORBIDDEN,
                        "only platform staff unlock a key, after checking the holder's identity");
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > 200)
        return srv_fail(err, SRV_INVALID, "reason: required, at most 200 bytes");
    if (srv_from_es(err, st_seal_get(app->store, id, out), "seal") != SRV_OK ||
        srv_from_es(err, st_seal_unlock(app->store, id), "seal") != SRV_OK)
        return err->code;
    svc_event(app, out->owner_id, "seal_unlocked",
              json_pack("{s:I, s:I, s:s}", "seal_id", (json_int_t)id, "by", (json_int_t)who->id,
                        "reason", reason));
    return srv_from_es(err, st_seal_get(app->store, id, out), "seal");
}

/* Cancel: the seal first (no new signature from now on), then its certificate. */
static int cancel_seal(srv_app *app, const st_seal *s, const char *reason)
{
    st_seal_blobs b = {0};
    X509 *cert = NULL;
    int rc = st_seal_transition(app->store, s->id, s->status, "cancelled", reason);

    if (rc == ES_OK && strcmp(s->status, "active") != 0 && strcmp(s->status, "suspended") != 0)
        return ES_OK; /* never made: no certificate */
    if (rc == ES_OK && (rc = st_seal_blobs_get(app->store, s->id, &b)) == ES_OK && b.cert_pem &&
        (rc = es_cert_parse((const uint8_t *)b.cert_pem, strlen(b.cert_pem), &cert)) == ES_OK)
        rc = srv_ca_revoke(app, cert);
    X509_free(cert);
    st_seal_blobs_release(&b);
    if (rc == ES_OK)
        svc_event(app, s->owner_id, "seal_cancelled",
                  json_pack("{s:I, s:s, s:s, s:s}", "seal_id", (json_int_t)s->id, "code", s->code,
                            "serial", s->serial, "reason", reason));
    return rc;
}

srv_code svc_seal_action(srv_app *app, const st_account *who, int64_t id, const char *action,
                         const char *reason, st_seal *out, srv_error *err)
{
    int rc;

    if (reason == NULL || reason[0] == '\0' || strlen(reason) > 200)
        return srv_fail(err, SRV_INVALID, "reason: required, at most 200 bytes");
    if (svc_seal_read(app, who, id, out, err) != SRV_OK)
        return err->code;
    if (!svc_is_staff(who) && !svc_seal_admin(app, who, out))
        return srv_fail(err, SRV_FORBIDDEN, "only the holder or platform staff may");
    if (strcmp(action, "suspend") == 0)
        rc = st_seal_transition(app->store, id, "active", "suspended", reason);
    else if (strcmp(action, "resume") == 0)
        rc = st_seal_transition(app->store, id, "suspended", "active", reason);
    else if (strcmp(out->status, "cancelled") == 0 || strcmp(out->status, "rejected") == 0 ||
             strcmp(out->status, "making") == 0)
        rc = ES_ERR_STATE;
    else
        rc = cancel_seal(app, out, reason);
    if (rc == ES_ERR_STATE)
        return srv_fail(err, SRV_STATE, "cannot %s a seal that is %s", action, out->status);
    if (srv_from_es(err, rc, action) != SRV_OK)
        return err->code;
    if (strcmp(action, "cancel") != 0)
        svc_event(app, out->owner_id, strcmp(action, "suspend") ? "seal_resumed" : "seal_suspended",
                  json_pack("{s:I, s:s}", "seal_id", (json_int_t)id, "reason", reason));
    return srv_from_es(err, st_seal_get(app->store, id, out), "seal");
}

/* 换领: a new application of the same type under the new name, reviewed after re-verification. */
static void reissue(srv_app *app, const st_seal *old, const st_account *owner, int rep)
{
    st_seal again = *old;
    st_seal_blobs b = {0};
    es_buf png = {0};
    char *b64 = NULL;

    snprintf(again.name, sizeof(again.name), "%s", rep ? owner->rep_name : owner->name);
    again.reissue_of = old->id;
    if (strcmp(old->picture_source, "generated") == 0 &&
        srv_seal_picture(&again, owner->credit_code, srv_seal_type_text(old->type), NULL, &png) ==
            ES_OK)
        b64 = srv_b64(png.data, png.len);
    else if (st_seal_blobs_get(app->store, old->id, &b) == ES_OK && b.picture)
        b64 = strdup(b.picture);
    if (b64)
        st_seal_create(app->store, &again, b64);
    free(b64);
    es_buf_free(&png);
    st_seal_blobs_release(&b);
}

void svc_seals_on_change(srv_app *app, int64_t account, int rep)
{
    st_seal *s = calloc(ST_LIST_MAX, sizeof(*s));
    st_account owner;
    size_t n = 0;

    if (s == NULL || st_account_get(app->store, account, &owner) != ES_OK ||
        st_seal_list(app->store, account, 0, NULL, s, ST_LIST_MAX, &n) != ES_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].status, "cancelled") == 0 || strcmp(s[i].status, "rejected") == 0 ||
            (rep && strcmp(s[i].type, "05") != 0) || (!rep && strcmp(s[i].type, "05") == 0))
            continue;
        if (cancel_seal(app, &s[i], rep ? "legal representative changed" : "name changed") == ES_OK)
            reissue(app, &s[i], &owner, rep);
    }
    free(s);
}

es_err svc_seal_der(srv_app *app, int64_t id, es_buf *der)
{
    st_seal_blobs b = {0};
    es_err rc = st_seal_blobs_get(app->store, id, &b);

    if (rc == ES_OK && (b.seal_der == NULL || srv_unb64(b.seal_der, der) != 0))
        rc = es__fail(ES_ERR_STATE, "seal %lld is not made yet", (long long)id);
    st_seal_blobs_release(&b);
    return rc;
}

srv_code svc_seal_file(srv_app *app, const st_account *who, int64_t id, es_buf *der, srv_error *err)
{
    st_seal s;
    es_err rc;

    if (svc_seal_read(app, who, id, &s, err) != SRV_OK)
        return err->code;
    if ((rc = svc_seal_der(app, id, der)) == ES_ERR_STATE)
        return srv_fail(err, SRV_STATE, "the seal is not made yet");
    return srv_from_es(err, rc, "seal");
}
