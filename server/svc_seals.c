/* Seal applications: who may apply for which seal, its name and picture, review, reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/image.h"
#include "seal_local.h"

/* The seal types (GA/T 2xxx practice): code, words under the star, several allowed. */
static const struct {
    const char *code, *text;
    int enterprise, several;
} types[] = {
    {"00", NULL, 0, 0},         /* 个人名章: a person's own seal */
    {"01", NULL, 1, 0},         /* 法定名称章 (公章) */
    {"02", "财务专用章", 1, 0}, /* finance */
    {"03", "发票专用章", 1, 0}, /* invoice (oval, with the tax ID) */
    {"04", "合同专用章", 1, 0}, /* contract */
    {"05", NULL, 1, 0},         /* 法定代表人名章: the legal representative's name */
    {"99", NULL, 1, 1},         /* other, with its own words (人事专用章, ...) */
};

static int type_index(const char *code)
{
    for (size_t i = 0; code && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].code, code) == 0)
            return (int)i;
    return -1;
}

int svc_seal_admin(srv_app *app, const st_account *who, const st_seal *s)
{
    if (who->id == s->owner_id)
        return 1;
    return svc_enterprise_admin(app, who, s->owner_id);
}

es_err srv_seal_picture(const st_seal *s, const char *tax_id, const char *text, const char *code,
                        es_buf *png)
{
    es_image_round_opts r = {0};
    es_err rc;

    if (strcmp(s->type, "00") == 0 || strcmp(s->type, "05") == 0) {
        es_image_square_opts q = {0};

        q.name = s->name;
        if ((rc = es_image_square(&q, png)) != ES_ERR_ARG)
            return rc;
    } else if (strcmp(s->type, "03") == 0) {
        es_image_oval_opts o = {0};

        o.name = s->name;
        o.tax_id = tax_id;
        return es_image_oval(&o, png);
    }
    r.name = s->name;
    r.text = text;
    r.code = code;
    return es_image_round(&r, png);
}

/* The words under the star: the type's own, or the applicant's for type 99. */
static const char *seal_text(int ti, const char *given)
{
    return types[ti].text ? types[ti].text : given;
}

const char *srv_seal_type_text(const char *type)
{
    int ti = type_index(type);

    return ti >= 0 ? types[ti].text : NULL;
}

static srv_code check_apply(srv_app *app, const st_account *who, const svc_seal_in *in,
                            st_account *owner, int *ti, srv_error *err)
{
    int rc;

    *ti = type_index(in->type ? in->type : (in->enterprise_id ? NULL : "00"));
    if (*ti < 0 || types[*ti].enterprise != (in->enterprise_id != 0))
        srv_field(err, "type",
                  in->enterprise_id ? "an enterprise seal is 01, 02, 03, 04, 05 or 99"
                                    : "a personal seal is 00 (or omit type)");
    if (in->text && (*ti < 0 || strcmp(types[*ti].code, "99") != 0))
        srv_field(err, "text", "only type 99 has its own words");
    if (*ti >= 0 && strcmp(types[*ti].code, "99") == 0)
        val_name(err, "text", in->text);
    if (err->code != SRV_OK)
        return err->code;
    if (in->enterprise_id && !svc_enterprise_admin(app, who, in->enterprise_id))
        return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin applies for its seals");
    if (!in->enterprise_id && strcmp(who->kind, "person") != 0)
        return srv_fail(err, SRV_FORBIDDEN, "personal seals are for persons");
    rc = st_account_get(app->store, in->enterprise_id ? in->enterprise_id : who->id, owner);
    if (srv_from_es(err, rc, "owner") != SRV_OK)
        return err->code;
    if (strcmp(owner->status, "verified") != 0)
        return srv_fail(err, SRV_STATE, "the identity is not verified");
    return SRV_OK;
}

/* The picture: the uploaded impression (normalised) or one drawn from the name. */
static srv_code make_picture(const svc_seal_in *in, st_seal *s, const st_account *owner,
                             const char *text, char **b64, srv_error *err)
{
    es_buf png = {0};
    es_err rc;

    if (in->impression.len > 0) {
        rc = es_image_import(in->impression.data, in->impression.len,
                             strcmp(s->type, "00") == 0 || strcmp(s->type, "05") == 0 ? 20 : 42, 0,
                             &png, NULL);
        strcpy(s->picture_source, "impression");
        if (rc == ES_ERR_FORMAT || rc == ES_ERR_NOT_FOUND || rc == ES_ERR_LIMIT)
            return srv_fail(err, SRV_INVALID, "impression: %s", es_errdetail());
    } else {
        rc = srv_seal_picture(s, owner->credit_code, text, NULL, &png);
        strcpy(s->picture_source, "generated");
        if (rc == ES_ERR_ARG || rc == ES_ERR_UNSUPPORTED)
            return srv_fail(err, SRV_INVALID, "cannot draw the seal: %s", es_errdetail());
    }
    if (srv_from_es(err, rc, "picture") == SRV_OK && (*b64 = srv_b64(png.data, png.len)) == NULL)
        srv_fail(err, SRV_INTERNAL, "out of memory");
    es_buf_free(&png);
    return err->code;
}

srv_code svc_seal_apply(srv_app *app, const st_account *who, const svc_seal_in *in, st_seal *out,
                        srv_error *err)
{
    st_account owner;
    char *b64 = NULL;
    int64_t open = 0;
    int ti, rc;

    if (check_apply(app, who, in, &owner, &ti, err) != SRV_OK)
        return err->code;
    memset(out, 0, sizeof(*out));
    out->owner_id = owner.id;
    out->applicant_id = who->id;
    strcpy(out->type, types[ti].code);
    /* The name comes from the verified identity, never from the request. */
    snprintf(out->name, sizeof(out->name), "%s",
             strcmp(out->type, "05") == 0 ? owner.rep_name : owner.name);
    rc = st_seal_open_count(app->store, owner.id, out->type, &open);
    if (srv_from_es(err, rc, "seals") != SRV_OK)
        return err->code;
    if (open > 0 && !types[ti].several)
        return srv_fail(err, SRV_CONFLICT, "a seal of type %s exists or is being applied for",
                        out->type);
    if (make_picture(in, out, &owner, seal_text(ti, in->text), &b64, err) != SRV_OK)
        return err->code;
    rc = st_seal_create(app->store, out, b64);
    free(b64);
    if (srv_from_es(err, rc, "seal") != SRV_OK)
        return err->code;
    return srv_from_es(err, st_seal_get(app->store, out->id, out), "seal");
}

/* Reading: the owner and its admins, grantees, staff. Others learn nothing (404). */
srv_code svc_seal_read(srv_app *app, const st_account *who, int64_t id, st_seal *out,
                       srv_error *err)
{
    int ok = 0;

    if (srv_from_es(err, st_seal_get(app->store, id, out), "seal") != SRV_OK)
        return err->code;
    if (svc_is_staff(who) || svc_seal_admin(app, who, out))
        return SRV_OK;
    if (srv_from_es(err, st_grant_valid(app->store, id, who->id, es_time_now(), &ok), "seal"))
        return err->code;
    return ok ? SRV_OK : srv_fail(err, SRV_NOT_FOUND, "seal: not found");
}

srv_code svc_seal_list(srv_app *app, const st_account *who, int64_t enterprise, const char *status,
                       st_seal *out, size_t max, size_t *n, srv_error *err)
{
    int rc;

    if (svc_is_staff(who) && enterprise == 0)
        rc = st_seal_list(app->store, 0, 0, status, out, max, n);
    else if (enterprise) {
        if (!svc_is_staff(who) && !svc_enterprise_admin(app, who, enterprise))
            return srv_fail(err, SRV_FORBIDDEN, "only an enterprise admin lists its seals");
        rc = st_seal_list(app->store, enterprise, 0, NULL, out, max, n);
    } else {
        size_t mine = 0, granted = 0;

        rc = st_seal_list(app->store, who->id, 0, NULL, out, max, &mine);
        if (rc == ES_OK)
            rc = st_seal_list(app->store, 0, who->id, NULL, out + mine, max - mine, &granted);
        *n = mine + granted;
    }
    return srv_from_es(err, rc, "seals");
}

srv_code svc_seal_decide(srv_app *app, const st_account *who, int64_t id, const char *decision,
                         const char *reason, st_seal *out, srv_error *err)
{
    int approve = decision && strcmp(decision, "approve") == 0;
    int rc;

    if (!svc_is_staff(who))
        return srv_fail(err, SRV_FORBIDDEN, "only platform reviewers decide seal applications");
    if (!approve && (decision == NULL || strcmp(decision, "reject") != 0))
        srv_field(err, "decision", "must be \"approve\" or \"reject\"");
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > 200)
        srv_field(err, "reason", "required, at most 200 bytes");
    if (err->code != SRV_OK)
        return err->code;
    rc = st_seal_decide(app->store, id, approve ? "approved" : "rejected", reason, who->id);
    if (rc == ES_ERR_STATE && st_seal_get(app->store, id, out) == ES_ERR_NOT_FOUND)
        rc = ES_ERR_NOT_FOUND;
    if (srv_from_es(err, rc, "seal") != SRV_OK)
        return err->code;
    return srv_from_es(err, st_seal_get(app->store, id, out), "seal");
}
