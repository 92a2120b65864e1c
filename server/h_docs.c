/* Handlers of documents and signing: upload, read, download, sign, batch, verify, CA files. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "seal_local.h"

void srv_jwipe(json_t *o, const char *key)
{
    const char *v = srv_jstr(o, key);

    if (v)
        es_cleanse((char *)v, strlen(v));
}

static json_t *doc_json(const st_document *d, const st_signer *sg, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; sg && i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:I}", "position", (json_int_t)sg[i].position, "account_id",
                           (json_int_t)sg[i].account_id, "signed_at", (json_int_t)sg[i].signed_at));
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:o}", "id", (json_int_t)d->id,
                     "owner_id", (json_int_t)d->owner_id, "format", d->format, "name", d->name,
                     "sm3", d->sm3, "size", (json_int_t)d->size, "status", d->status, "signatures",
                     (json_int_t)d->nsig, "signers", arr);
}

void h_doc_upload(srv_req *r)
{
    st_account who;
    st_document d;

    if (!h_auth(r, &who))
        return;
    if (svc_doc_upload(r->app, &who, (const uint8_t *)r->body, r->body_len, srv_query(r, "name"),
                       srv_query(r, "signers"), &d, &r->err) == SRV_OK)
        srv_reply(r, 201, doc_json(&d, NULL, 0));
}

void h_doc_get(srv_req *r)
{
    st_signer sg[ST_MAX_SIGNERS];
    st_account who;
    st_document d;
    size_t n = 0;
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_doc_get(r->app, &who, id, &d, sg, &n, &r->err) == SRV_OK)
        srv_reply(r, 200, doc_json(&d, sg, n));
}

void h_doc_file(srv_req *r)
{
    st_account who;
    st_document d;
    es_buf b = {0};
    int64_t id;

    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0)
        return;
    if (svc_doc_file(r->app, &who, id, &d, &b, &r->err) != SRV_OK)
        return;
    r->status = 200;
    r->raw_owned = b.data;
    r->raw_len = b.len;
    r->raw_type = strcmp(d.format, "pdf") == 0 ? "application/pdf" : "application/ofd";
}

/* The position of a seal: page + x/y mm, a keyword, or cross-page. */
static void get_place(const json_t *j, svc_place *pl)
{
    memset(pl, 0, sizeof(*pl));
    pl->page = json_is_integer(json_object_get(j, "page"))
                   ? (long)json_integer_value(json_object_get(j, "page"))
                   : 1;
    pl->x_mm = json_number_value(json_object_get(j, "x_mm"));
    pl->y_mm = json_number_value(json_object_get(j, "y_mm"));
    pl->keyword = srv_jstr(j, "keyword");
    pl->cross_page = json_is_true(json_object_get(j, "cross_page"));
}

void h_doc_sign(srv_req *r)
{
    srv_signer sg;
    svc_place pl;
    st_account who;
    st_document d;
    int64_t id;
    json_t *j;

    memset(&sg, 0, sizeof(sg));
    if (!h_auth(r, &who) || (id = srv_param_id(r, 0)) == 0 || (j = srv_body(r)) == NULL)
        return;
    get_place(j, &pl);
    if (svc_signer_unlock(r->app, &who, json_integer_value(json_object_get(j, "seal_id")),
                          srv_jstr(j, "pin"), &sg, &r->err) == SRV_OK &&
        svc_doc_sign_with(r->app, &who, id, &pl, &sg, r->client_ip, &d, &r->err) == SRV_OK)
        srv_reply(r, 200, doc_json(&d, NULL, 0));
    srv_signer_release(&sg);
    srv_jwipe(j, "pin");
    json_decref(j);
}

void h_verify(srv_req *r)
{
    st_account who;
    char *text = NULL;
    json_error_t je;

    if (!h_auth(r, &who))
        return;
    if (svc_verify_upload(r->app, &who, (const uint8_t *)r->body, r->body_len, r->client_ip, &text,
                          &r->err) == SRV_OK)
        srv_reply(r, 200, json_loads(text, 0, &je));
    es_free(text);
}

static void ca_file(srv_req *r, const char *which, const char *type)
{
    es_buf b = {0};

    if (srv_from_es(&r->err, srv_ca_pem(r->app, which, &b), "ca") != SRV_OK)
        return;
    r->status = 200;
    r->raw_owned = b.data;
    r->raw_len = b.len;
    r->raw_type = type;
}

void h_ca_root(srv_req *r)
{
    ca_file(r, "root", "application/x-pem-file");
}

void h_ca_chain(srv_req *r)
{
    ca_file(r, "chain", "application/x-pem-file");
}

void h_ca_crl(srv_req *r)
{
    ca_file(r, "crl", "application/x-pem-file");
}
