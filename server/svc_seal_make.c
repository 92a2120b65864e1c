/* Making a seal on activation (制章): key pair, certificate, seal code, SESeal, wrapped key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "eseal/image.h"
#include "eseal_local.h"
#include "seal_local.h"

#define SEAL_YEARS 3

/* Escape a value for es_name_parse (',' '+' '\' '='). */
static void dn_escape(const char *in, char *out, size_t n)
{
    size_t j = 0;

    for (; *in && j + 3 < n; in++) {
        if (strchr(",+\\=", *in))
            out[j++] = '\\';
        out[j++] = *in;
    }
    out[j] = '\0';
}

/* The region of the seal code: the ID number's or credit code's administrative division. */
static void seal_region(const srv_app *app, const st_account *owner, char region[8])
{
    const char *src = owner->credit_code[0] ? owner->credit_code + 2 : owner->id_number;

    snprintf(region, 8, "%s", app->opts.region);
    if (strlen(src) >= 6 && strspn(src, "0123456789") >= 6)
        snprintf(region, 8, "%.6s", src);
}

typedef struct making {
    es_key *key;
    X509 *cert;
    es_buf picture, seal, wrapped;
    st_seal_blobs out;
    char serial[80];
} making;

static void making_release(making *m)
{
    es_key_free(m->key);
    X509_free(m->cert);
    es_buf_free(&m->picture);
    es_buf_free(&m->seal);
    es_buf_free(&m->wrapped);
    st_seal_blobs_release(&m->out);
}

static es_err issue(srv_app *app, const st_seal *s, const st_account *owner, making *m)
{
    char subject[1200], cn[400], o[400];
    ASN1_INTEGER *sn;
    BIGNUM *bn = NULL;
    char *hex = NULL;
    es_err rc;

    dn_escape(s->name, cn, sizeof(cn));
    dn_escape(owner->name, o, sizeof(o));
    snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=%s,C=CN", cn, s->code, o);
    if ((rc = es_key_generate_sm2(&m->key)) != ES_OK ||
        (rc = srv_ca_issue_signer(app, subject, m->key, &m->cert)) != ES_OK)
        return rc;
    sn = X509_get_serialNumber(m->cert);
    if ((bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL || (hex = BN_bn2hex(bn)) == NULL)
        rc = ES_ERR_NOMEM;
    else
        snprintf(m->serial, sizeof(m->serial), "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
    return rc;
}

static es_err make_ses(srv_app *app, const st_seal *s, const st_account *owner, making *m)
{
    es_seal_make_opts o = {0};
    double w = 40, h = 40;
    es_err rc = ES_OK;

    if (strcmp(s->picture_source, "generated") == 0)
        rc = srv_seal_picture(s, owner->credit_code, srv_seal_type_text(s->type), s->code,
                              &m->picture);
    if (rc != ES_OK)
        return rc;
    if (strcmp(s->type, "99") == 0 || m->picture.len == 0) {
        st_seal_blobs b;

        /* An impression, or type 99 with its own words: keep the reviewed picture. */
        es_buf_free(&m->picture);
        if ((rc = st_seal_blobs_get(app->store, s->id, &b)) == ES_OK &&
            srv_unb64(b.picture, &m->picture) != 0)
            rc = es__fail(ES_ERR_FORMAT, "stored picture");
        st_seal_blobs_release(&b);
        if (rc != ES_OK)
            return rc;
    }
    es_image_size_mm(m->picture.data, m->picture.len, &w, &h);
    o.esid = s->code;
    o.type = atol(s->type);
    o.name = s->name;
    o.signers = sk_X509_new_null();
    if (o.signers == NULL || !sk_X509_push(o.signers, m->cert)) {
        sk_X509_free(o.signers);
        return ES_ERR_NOMEM;
    }
    o.valid_start = es_time_now() - 60;
    o.valid_end = es_time_now() + (es_time)SEAL_YEARS * 365 * 86400 - 3600;
    o.picture = m->picture.data;
    o.picture_len = m->picture.len;
    o.width_mm = (long)(w + 0.5);
    o.height_mm = (long)(h + 0.5);
    rc = srv_make_seal(app, &o, &m->seal);
    sk_X509_free(o.signers);
    return rc;
}

static es_err make_all(srv_app *app, const st_seal *s, const char *pin, making *m)
{
    custody_params cp;
    st_account owner;
    char aad[64];
    es_buf pem = {0};
    es_err rc;

    custody_params_default(&cp);
    snprintf(aad, sizeof(aad), "eseal seal key v1:%lld", (long long)s->id);
    if ((rc = st_account_get(app->store, s->owner_id, &owner)) != ES_OK ||
        (rc = issue(app, s, &owner, m)) != ES_OK || (rc = make_ses(app, s, &owner, m)) != ES_OK ||
        (rc = custody_wrap(srv_custody_secret(app), pin, &cp, aad, strlen(aad), m->key,
                           &m->wrapped)) != ES_OK ||
        (rc = es_cert_write(m->cert, 1, &pem)) != ES_OK)
        goto end;
    m->out.picture = srv_b64(m->picture.data, m->picture.len);
    m->out.seal_der = srv_b64(m->seal.data, m->seal.len);
    m->out.wrapped = srv_b64(m->wrapped.data, m->wrapped.len);
    m->out.cert_pem = strndup((const char *)pem.data, pem.len);
    if (!m->out.picture || !m->out.seal_der || !m->out.wrapped || !m->out.cert_pem)
        rc = ES_ERR_NOMEM;
end:
    es_buf_free(&pem);
    return rc;
}

static srv_code check_activate(srv_app *app, const st_account *who, int64_t id, const char *pin,
                               st_seal *s, srv_error *err)
{
    st_account owner;
    size_t n = pin ? strlen(pin) : 0;

    if (n < CUSTODY_PIN_MIN || n > CUSTODY_PIN_MAX)
        return srv_fail(err, SRV_INVALID, "pin: %d to %d characters", CUSTODY_PIN_MIN,
                        CUSTODY_PIN_MAX);
    if (svc_seal_read(app, who, id, s, err) != SRV_OK)
        return err->code;
    if (!svc_seal_admin(app, who, s))
        return srv_fail(err, SRV_FORBIDDEN, "only the holder activates a seal");
    if (strcmp(s->status, "approved") != 0)
        return srv_fail(err, SRV_STATE, "the seal is %s, not approved", s->status);
    if (srv_from_es(err, st_account_get(app->store, s->owner_id, &owner), "owner") != SRV_OK)
        return err->code;
    if (strcmp(owner.status, "verified") != 0)
        return srv_fail(err, SRV_STATE, "the identity is not verified (a change is pending)");
    return SRV_OK;
}

srv_code svc_seal_activate(srv_app *app, const st_account *who, int64_t id, const char *pin,
                           st_seal *out, srv_error *err)
{
    making m;
    st_account owner;
    char region[8];
    int rc;

    memset(&m, 0, sizeof(m));
    if (check_activate(app, who, id, pin, out, err) != SRV_OK)
        return err->code;
    if (srv_from_es(err, st_account_get(app->store, out->owner_id, &owner), "owner") != SRV_OK)
        return err->code;
    seal_region(app, &owner, region);
    rc = st_seal_claim(app->store, id, region, out->code);
    if (srv_from_es(err, rc, "seal") != SRV_OK)
        return err->code;
    rc = make_all(app, out, pin, &m);
    if (rc == ES_OK)
        rc = st_seal_made(app->store, id, m.serial, &m.out);
    if (rc != ES_OK) {
        if (m.cert)
            srv_ca_revoke(app, m.cert);
        st_seal_made(app->store, id, NULL, NULL);
        if (rc == ES_ERR_EXISTS)
            srv_fail(err, SRV_CONFLICT, "another seal of this type is active");
        else
            srv_from_es(err, rc == ES_ERR_STATE ? ES_ERR_INTERNAL : rc, "making the seal");
    } else {
        svc_event(app, out->owner_id, "seal_issued",
                  json_pack("{s:I, s:s, s:s, s:s, s:I}", "seal_id", (json_int_t)id, "code",
                            out->code, "type", out->type, "serial", m.serial, "by",
                            (json_int_t)who->id));
        rc = st_seal_get(app->store, id, out);
        srv_from_es(err, rc, "seal");
    }
    making_release(&m);
    return err->code;
}
