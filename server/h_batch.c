/* POST /api/sign/batch: one PIN unlock signs a list of documents or data items. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "seal_local.h"
#include "util/sb.h"

/* {"document_id", page, x_mm, y_mm | keyword | cross_page} or {"data": base64}. */
static int parse_item(const json_t *j, svc_batch_item *it)
{
    const char *data = srv_jstr(j, "data");

    memset(it, 0, sizeof(*it));
    if (data != NULL)
        return srv_unb64(data, &it->data) == 0 ? 0 : -1;
    it->document_id = json_integer_value(json_object_get(j, "document_id"));
    it->place.page = json_is_integer(json_object_get(j, "page"))
                         ? (long)json_integer_value(json_object_get(j, "page"))
                         : 1;
    it->place.x_mm = json_number_value(json_object_get(j, "x_mm"));
    it->place.y_mm = json_number_value(json_object_get(j, "y_mm"));
    it->place.keyword = srv_jstr(j, "keyword");
    it->place.cross_page = json_is_true(json_object_get(j, "cross_page"));
    return it->document_id > 0 ? 0 : -1;
}

static json_t *result_json(const svc_batch_item *it)
{
    if (it->err.code != SRV_OK)
        return json_pack("{s:{s:s, s:s}}", "error", "code", srv_code_name(it->err.code), "message",
                         it->err.message);
    if (it->document_id == 0)
        return json_pack("{s:s}", "signature", it->signature);
    return json_pack("{s:I, s:s, s:s}", "document_id", (json_int_t)it->doc.id, "sm3", it->doc.sm3,
                     "status", it->doc.status);
}

/*
 * The response, written as text: a data item's SES_Signature carries the whole seal (its
 * picture: ~100 KB of base64), which jansson would validate and escape byte by byte, costing more
 * than the signature itself. Base64 needs no escaping; the small parts still go through jansson.
 */
static void reply_results(srv_req *r, const svc_batch_item *items, size_t n)
{
    es__sb b = {.max = (size_t)1 << 31};
    size_t need = 32;

    /* A batch of data items answers with megabytes of base64: one allocation of the right size
     * instead of doubling and copying it (and faulting its pages in) as it grows. */
    for (size_t i = 0; i < n; i++)
        need += (items[i].signature != NULL ? strlen(items[i].signature) : 0) + 256;
    es__sb_reserve(&b, need);
    es__sb_str(&b, "{\"results\":[");
    for (size_t i = 0; i < n; i++) {
        const svc_batch_item *it = &items[i];
        json_t *j = NULL;
        char *text = NULL;

        if (i > 0)
            es__sb_str(&b, ",");
        if (it->err.code == SRV_OK && it->document_id == 0) {
            es__sb_str(&b, "{\"signature\":\"");
            es__sb_str(&b, it->signature);
            es__sb_str(&b, "\"}");
        } else if ((j = result_json(it)) != NULL && (text = json_dumps(j, JSON_COMPACT)) != NULL) {
            es__sb_str(&b, text);
        } else if (b.err == ES_OK) {
            b.err = ES_ERR_NOMEM;
        }
        free(text);
        json_decref(j);
    }
    es__sb_str(&b, "]}");
    if (b.err != ES_OK) {
        es__sb_free(&b);
        srv_fail(&r->err, SRV_INTERNAL, "out of memory");
        return;
    }
    r->status = 200;
    r->raw_owned = b.p;
    r->raw_len = b.len;
    r->raw_type = "application/json";
}

void h_sign_batch(srv_req *r)
{
    svc_batch_item *items = NULL;
    st_account who;
    json_t *j, *arr;
    size_t n, i;

    if (!h_auth(r, &who) || (j = srv_body(r)) == NULL)
        return;
    arr = json_object_get(j, "items");
    n = json_array_size(arr);
    if (n > (size_t)r->app->opts.batch_max || (items = calloc(n + 1, sizeof(*items))) == NULL)
        n = (size_t)r->app->opts.batch_max + 1; /* refused below */
    for (i = 0; items && i < n; i++)
        if (parse_item(json_array_get(arr, i), &items[i]) != 0) {
            srv_fail(&r->err, SRV_INVALID, "items[%zu]: a document_id or base64 data", i);
            break;
        }
    if (r->err.code == SRV_OK &&
        svc_sign_batch(r->app, &who, json_integer_value(json_object_get(j, "seal_id")),
                       srv_jstr(j, "pin"), items, n, r->client_ip, &r->err) == SRV_OK)
        reply_results(r, items, n);
    for (i = 0; items && i < n; i++)
        svc_batch_item_release(&items[i]);
    free(items);
    srv_jwipe(j, "pin");
    json_decref(j);
}
