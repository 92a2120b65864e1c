/* The identity verification pipeline and the reviewers' decisions. Nothing is approved silently. */
#include <stdio.h>
#include <string.h>

#include "eseal/time.h"
#include "server_local.h"

srv_code svc_verify_allow(srv_app *app, const char *identity, srv_error *err)
{
    if (srv_limiter_blocked(app->verify_limit, identity))
        return srv_fail(err, SRV_RATE_LIMITED,
                        "too many verification attempts for this identity; "
                        "try again later");
    srv_limiter_hit(app->verify_limit, identity);
    return SRV_OK;
}

/* The provider's request: the protocol is in docs/server.md. */
static json_t *idp_request(const st_account *a, int64_t vid, const char *liveness)
{
    char rid[32];
    json_t *o;

    snprintf(rid, sizeof(rid), "v-%lld", (long long)vid);
    if (strcmp(a->kind, "person") == 0)
        o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", rid, "subject", "person", "name",
                      a->name, "id_number", a->id_number, "phone", a->phone);
    else
        o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}}", "request_id", rid,
                      "subject", "enterprise", "name", a->name, "credit_code", a->credit_code,
                      "legal_rep", "name", a->rep_name, "id_number", a->rep_id, "handler", "name",
                      a->handler_name, "id_number", a->handler_id, "phone", a->handler_phone);
    if (o && liveness)
        json_object_set_new(o, "liveness_token", json_string(liveness));
    return o;
}

srv_code svc_verify_run(srv_app *app, const st_account *a, int64_t vid, const char *liveness,
                        st_verification *out, srv_error *err)
{
    char reason[200], note[256];
    json_t *req = NULL;
    srv_idp_result res;
    int rc;

    if (app->idp == NULL) {
        rc = st_verification_note(app->store, vid, "no identity provider: waiting for a reviewer");
    } else if ((req = idp_request(a, vid, liveness)) == NULL) {
        rc = ES_ERR_NOMEM;
    } else {
        res = srv_idp_verify(app->idp, req, reason, sizeof(reason));
        if (res == IDP_UNAVAILABLE) {
            snprintf(note, sizeof(note),
                     "identity provider unavailable (%s): waiting for a reviewer", reason);
            rc = st_verification_note(app->store, vid, note);
        } else {
            rc = st_verification_finish(app->store, vid, res == IDP_MATCH ? "approved" : "rejected",
                                        "provider", reason, 0, es_time_now());
        }
    }
    json_decref(req);
    if (srv_from_es(err, rc, "verification") != SRV_OK)
        return err->code;
    return srv_from_es(err, st_verification_get(app->store, vid, out), "verification");
}

srv_code svc_verify_retry(srv_app *app, const st_account *who, const char *liveness,
                          st_verification *out, srv_error *err)
{
    char key[64];
    int64_t vid = 0;
    int rc;

    if (svc_is_staff(who))
        return srv_fail(err, SRV_FORBIDDEN, "staff accounts are not verified identities");
    if (strcmp(who->status, "rejected") != 0)
        return srv_fail(err, SRV_STATE,
                        "only a rejected account is verified again (this one is %s)", who->status);
    val_optional_token(err, "liveness_token", liveness);
    if (err->code != SRV_OK)
        return err->code;
    snprintf(key, sizeof(key), "%s:%s", who->id_number[0] ? "id" : "credit",
             who->id_number[0] ? who->id_number : who->credit_code);
    if (svc_verify_allow(app, key, err) != SRV_OK)
        return err->code;
    rc = st_verification_create(app->store, who->id, "verification requested again", &vid);
    if (srv_from_es(err, rc, "verification") != SRV_OK)
        return err->code;
    return svc_verify_run(app, who, vid, liveness, out, err);
}

static srv_code need_staff(const st_account *who, srv_error *err)
{
    if (!svc_is_staff(who))
        return srv_fail(err, SRV_FORBIDDEN, "only platform reviewers and admins may");
    return SRV_OK;
}

srv_code svc_review_list(srv_app *app, const st_account *who, const char *status,
                         st_verification *v, size_t max, size_t *n, srv_error *err)
{
    if (need_staff(who, err) != SRV_OK)
        return err->code;
    if (strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "rejected") != 0 && strcmp(status, "all") != 0)
        return srv_fail(err, SRV_INVALID, "status must be pending, approved, rejected or all");
    return srv_from_es(
        err, st_verification_list(app->store, strcmp(status, "all") ? status : NULL, v, max, n),
        "verifications");
}

srv_code svc_review_get(srv_app *app, const st_account *who, int64_t id, st_verification *v,
                        srv_error *err)
{
    if (need_staff(who, err) != SRV_OK)
        return err->code;
    return srv_from_es(err, st_verification_get(app->store, id, v), "verification");
}

srv_code svc_review_decide(srv_app *app, const st_account *who, int64_t id, const char *decision,
                           const char *reason, st_verification *out, srv_error *err)
{
    int approve = decision && strcmp(decision, "approve") == 0;
    int rc;

    if (need_staff(who, err) != SRV_OK)
        return err->code;
    if (!approve && (decision == NULL || strcmp(decision, "reject") != 0))
        srv_field(err, "decision", "must be \"approve\" or \"reject\"");
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > 200)
        srv_field(err, "reason", "required, at most 200 bytes");
    if (err->code != SRV_OK)
        return err->code;
    rc = st_verification_finish(app->store, id, approve ? "approved" : "rejected", "reviewer",
                                reason, who->id, es_time_now());
    if (srv_from_es(err, rc, "verification") != SRV_OK)
        return err->code;
    return srv_from_es(err, st_verification_get(app->store, id, out), "verification");
}
