/* Documents: upload (type sniffed, size limited), access, download, verification service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/ofd.h"
#include "eseal_local.h"
#include "seal_local.h"

size_t srv_body_limit(const srv_app *app, const char *method, const char *url)
{
    if (strcmp(method, "POST") == 0 &&
        (strcmp(url, "/api/documents") == 0 || strcmp(url, "/api/verify") == 0 ||
         strcmp(url, "/api/seals") == 0 || strcmp(url, "/api/sign/batch") == 0))
        return app->opts.max_document;
    return app->opts.max_body;
}

static const char *sniff(const uint8_t *p, size_t n)
{
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "pdf";
    if (n >= 4 && memcmp(p, "PK\3\4", 4) == 0)
        return "ofd";
    return NULL;
}

/* "3,5,8": account ids in signing order. */
static int parse_signers(const char *s, int64_t *out, size_t *n)
{
    *n = 0;
    while (s && *s) {
        char *end = NULL;
        long long v = strtoll(s, &end, 10);

        if (end == s || v <= 0 || *n == ST_MAX_SIGNERS || (*end != ',' && *end != '\0'))
            return -1;
        out[(*n)++] = v;
        s = *end ? end + 1 : end;
    }
    return 0;
}

srv_code svc_doc_upload(srv_app *app, const st_account *who, const uint8_t *p, size_t n,
                        const char *name, const char *signers, st_document *out, srv_error *err)
{
    int64_t list[ST_MAX_SIGNERS];
    const char *fmt = sniff(p, n);
    uint8_t h[ES_SM3_LEN];
    size_t ns = 0;
    int rc;

    if (svc_is_staff(who))
        return srv_fail(err, SRV_FORBIDDEN, "staff accounts do not sign documents");
    if (fmt == NULL)
        return srv_fail(err, SRV_INVALID, "the body is neither a PDF nor an OFD document");
    if (parse_signers(signers, list, &ns) != 0)
        return srv_fail(err, SRV_INVALID, "signers: up to %d account ids, comma-separated",
                        ST_MAX_SIGNERS);
    for (size_t i = 0; i < ns; i++)
        if (st_account_get(app->store, list[i], &(st_account){0}) != ES_OK)
            return srv_fail(err, SRV_INVALID, "signers: no account %lld", (long long)list[i]);
    memset(out, 0, sizeof(*out));
    out->owner_id = who->id;
    snprintf(out->format, sizeof(out->format), "%s", fmt);
    snprintf(out->name, sizeof(out->name), "%s", name && strlen(name) < 100 ? name : "document");
    out->size = (int64_t)n;
    if (es_sm3(p, n, h) != ES_OK)
        return srv_fail(err, SRV_INTERNAL, "internal error");
    srv_hex(h, sizeof(h), out->sm3);
    rc = st_doc_create(app->store, out, p, list, ns);
    return srv_from_es(err, rc, "document");
}

int svc_doc_visible(const st_account *who, const st_document *d, const st_signer *signers,
                    size_t nsigners)
{
    int ok = d->owner_id == who->id || svc_is_staff(who);

    for (size_t i = 0; i < nsigners; i++)
        ok |= signers[i].account_id == who->id;
    return ok;
}

srv_code svc_doc_get(srv_app *app, const st_account *who, int64_t id, st_document *d,
                     st_signer *signers, size_t *nsigners, srv_error *err)
{
    if (srv_from_es(err, st_doc_get(app->store, id, d, signers, nsigners), "document") != SRV_OK)
        return err->code;
    return svc_doc_visible(who, d, signers, *nsigners)
               ? SRV_OK
               : srv_fail(err, SRV_NOT_FOUND, "document: not found");
}

void svc_seal_set_release(svc_seal_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        es_buf_free_public(&set->der[i]);
    for (size_t i = 0; i < set->na; i++)
        es_buf_free_public(&set->bytes[i]);
    memset(set, 0, sizeof(*set));
}

/* The DER of each seal and the bytes of each asset a packed document refers to. */
static es_err load_refs(srv_app *app, const es_buf *stored, svc_seal_set *set)
{
    doc_ids ids;
    es_err rc = doc_pack_ids(stored->data, stored->len, &ids);

    for (size_t i = 0; rc == ES_OK && i < ids.nseals; i++)
        if ((rc = svc_seal_der(app, ids.seals[i], &set->der[i])) == ES_OK)
            set->s[set->n++] = (doc_seal){ids.seals[i], set->der[i].data, set->der[i].len, NULL};
    if (rc != ES_OK || ids.nassets == 0 ||
        (rc = st_assets_get(app->store, ids.assets, ids.nassets, set->bytes)) != ES_OK)
        return rc;
    for (size_t i = 0; i < ids.nassets; i++)
        set->a[set->na++] = (doc_asset){ids.assets[i], set->bytes[i].data, set->bytes[i].len};
    return ES_OK;
}

/* The stored bytes back as the document whose digest was recorded, or an error: never else. */
static es_err unpack(srv_app *app, const st_document *d, const es_buf *stored, svc_seal_set *set,
                     es_buf *out)
{
    uint8_t h[ES_SM3_LEN];
    char hex[2 * ES_SM3_LEN + 1];
    doc_refs refs;
    es_err rc;

    if ((rc = load_refs(app, stored, set)) != ES_OK)
        return rc;
    refs = (doc_refs){set->s, set->n, set->a, set->na};
    if ((rc = doc_unpack(stored->data, stored->len, &refs, out)) != ES_OK ||
        (rc = es_sm3(out->data, out->len, h)) != ES_OK)
        return rc;
    srv_hex(h, sizeof(h), hex);
    if (strcmp(hex, d->sm3) == 0)
        return ES_OK;
    es_buf_free_public(out);
    return es__fail(ES_ERR_INTERNAL, "document %lld: the stored bytes do not match its digest",
                    (long long)d->id);
}

srv_code svc_doc_content(srv_app *app, const st_document *d, es_buf *out, srv_error *err)
{
    es_buf stored = {0};

    if (srv_from_es(err, st_doc_content(app->store, d->id, &stored), "document") != SRV_OK)
        return err->code;
    return svc_doc_bytes(app, d, &stored, out, NULL, err);
}

srv_code svc_doc_bytes(srv_app *app, const st_document *d, es_buf *stored, es_buf *out,
                       svc_seal_set *seals, srv_error *err)
{
    svc_seal_set local, *set = seals ? seals : &local;
    es_err rc;

    memset(set, 0, sizeof(*set));
    if (!doc_is_packed(stored->data, stored->len)) {
        *out = *stored;
        *stored = (es_buf){NULL, 0};
        return SRV_OK;
    }
    rc = unpack(app, d, stored, set, out);
    es_buf_free_public(stored);
    if (set == &local)
        svc_seal_set_release(set);
    /* A seal or asset missing, a malformed pack, a digest that does not match: the stored copy
     * is damaged (the detail goes to the log); never "not found", never other bytes. */
    if (rc != ES_OK && rc != ES_ERR_NOMEM && rc != ES_ERR_IO) {
        srv_from_es(err, rc == ES_ERR_NOT_FOUND ? ES_ERR_INTERNAL : rc, "document");
        return srv_fail(err, SRV_INTERNAL,
                        "document %lld: its stored copy is damaged and is not served",
                        (long long)d->id);
    }
    return srv_from_es(err, rc, "document");
}

srv_code svc_doc_file(srv_app *app, const st_account *who, int64_t id, st_document *d, es_buf *out,
                      srv_error *err)
{
    st_signer signers[ST_MAX_SIGNERS];
    size_t n = 0;

    if (svc_doc_get(app, who, id, d, signers, &n, err) != SRV_OK)
        return err->code;
    return svc_doc_content(app, d, out, err);
}

static srv_code verify_ofd(const uint8_t *p, size_t n, const es_verify_opts *vo, char **json,
                           int *valid, srv_error *err)
{
    es_ofd_verify_opts o = {0};
    es_doc_report *r = NULL;
    es_err rc;

    o.chain = *vo;
    if ((rc = es_ofd_verify(p, n, &o, &r)) == ES_OK) {
        *valid = es_doc_report_status(r) == ES_VALID;
        rc = es_doc_report_to_json(r, 0, json);
    }
    es_doc_report_free(r);
    return srv_from_es(err, rc, "verify");
}

static srv_code verify_ses(const uint8_t *p, size_t n, const es_verify_opts *vo, char **json,
                           int *valid, srv_error *err)
{
    es_ses_verify_opts o = {0};
    es_report *r = NULL;
    es_err rc;

    o.chain = *vo;
    if ((rc = es_ses_verify(p, n, &o, &r)) == ES_OK) {
        *valid = es_report_status(r) == ES_VALID;
        rc = es_report_to_json(r, 0, json);
    }
    es_report_free(r);
    return srv_from_es(err, rc, "verify");
}

srv_code svc_verify_upload(srv_app *app, const st_account *who, const uint8_t *p, size_t n,
                           const char *ip, char **json, srv_error *err)
{
    const char *fmt = sniff(p, n);
    es_verify_opts vo;
    es_buf in = {(uint8_t *)p, n};
    uint8_t h[ES_SM3_LEN];
    char sm3[65];
    int valid = 0;

    *json = NULL;
    if (n == 0)
        return srv_fail(err, SRV_INVALID, "upload a PDF, OFD, seal or signature");
    if (srv_from_es(err, srv_verify_opts(app, &vo), "verify") != SRV_OK)
        goto end;
    if (fmt && strcmp(fmt, "pdf") == 0)
        svc_pdf_verify(&in, &vo, json, &valid, err);
    else if (fmt)
        verify_ofd(p, n, &vo, json, &valid, err);
    else
        verify_ses(p, n, &vo, json, &valid, err);
    if (err->code == SRV_OK && es_sm3(p, n, h) == ES_OK) {
        srv_hex(h, sizeof(h), sm3);
        svc_event(app, who ? who->id : 0, "document_verified",
                  json_pack("{s:s, s:s, s:s, s:s}", "format", fmt ? fmt : "ses", "sm3", sm3,
                            "result", valid ? "valid" : "not valid", "ip", ip));
    }
end:
    srv_verify_opts_release(&vo);
    return err->code;
}
