/* Batch signing: one PIN unlock, many documents or data items, few commits, key wiped after. */
#include <stdlib.h>
#include <string.h>

#include "seal_local.h"

/* Documents signed in memory before one commit: bounds the memory a batch holds. */
#define GROUP 16

void svc_batch_item_release(svc_batch_item *it)
{
    es_buf_free(&it->data);
    free(it->signature);
    it->signature = NULL;
    srv_error_release(&it->err);
}

static void sign_data(const srv_signer *sg, svc_batch_item *it, st_event *ev, const st_account *who,
                      const char *ip)
{
    es_buf sig = {0};
    uint8_t h[ES_SM3_LEN];
    char sm3[65];

    if (srv_from_es(&it->err,
                    es_seal_sign_data(sg->ses, sg->key, sg->cert, it->data.data, it->data.len, NULL,
                                      0, &sig),
                    "sign") == SRV_OK &&
        (it->signature = srv_b64(sig.data, sig.len)) == NULL)
        srv_fail(&it->err, SRV_INTERNAL, "out of memory");
    es_sm3(it->data.data, it->data.len, h);
    srv_hex(h, sizeof(h), sm3);
    if (it->err.code == SRV_OK)
        svc_event_fill(ev, who->id, "data_signed",
                       json_pack("{s:I, s:s, s:s, s:s}", "seal_id", (json_int_t)sg->seal.id,
                                 "seal_code", sg->seal.code, "sm3", sm3, "ip", ip));
    es_buf_free(&sig);
}

/* Prepare up to GROUP documents from *next on, commit them together. */
static srv_code doc_group(srv_app *app, const st_account *who, const srv_signer *sg,
                          svc_batch_item *items, size_t n, size_t *next, const char *ip,
                          srv_error *err)
{
    svc_signed s[GROUP];
    srv_error errs[GROUP];
    size_t idx[GROUP], k = 0;

    for (; *next < n && k < GROUP; (*next)++) {
        svc_batch_item *it = &items[*next];

        if (it->document_id == 0)
            continue;
        memset(&errs[k], 0, sizeof(errs[k]));
        if (svc_doc_prepare(app, who, it->document_id, &it->place, sg, ip, &s[k], &it->err) ==
            SRV_OK)
            idx[k++] = *next;
        else
            svc_signed_release(&s[k]);
    }
    if (k > 0 && svc_doc_commit(app, s, k, errs, err) == SRV_OK)
        for (size_t i = 0; i < k; i++) {
            svc_batch_item *it = &items[idx[i]];

            it->err = errs[i];
            it->doc = s[i].doc;
            it->doc.nsig++;
            memcpy(it->doc.sm3, s[i].sm3, sizeof(it->doc.sm3));
            strcpy(it->doc.status, s[i].last ? "completed" : "open");
        }
    for (size_t i = 0; i < k; i++)
        svc_signed_release(&s[i]);
    return err->code;
}

srv_code svc_sign_batch(srv_app *app, const st_account *who, int64_t seal_id, const char *pin,
                        svc_batch_item *items, size_t n, const char *ip, srv_error *err)
{
    srv_signer sg;
    st_event *ev = NULL;
    size_t nev = 0, next = 0;

    if (n == 0 || n > (size_t)app->opts.batch_max)
        return srv_fail(err, SRV_INVALID, "items: 1 to %d documents or data items",
                        app->opts.batch_max);
    if ((ev = calloc(n, sizeof(*ev))) == NULL)
        return srv_fail(err, SRV_INTERNAL, "out of memory");
    /* The key is unwrapped once for the whole batch and wiped at the end. */
    if (svc_signer_unlock(app, who, seal_id, pin, &sg, err) != SRV_OK)
        goto end;
    for (size_t i = 0; i < n; i++)
        if (items[i].document_id == 0) {
            sign_data(&sg, &items[i], &ev[nev], who, ip);
            nev += items[i].err.code == SRV_OK;
        }
    while (next < n && doc_group(app, who, &sg, items, n, &next, ip, err) == SRV_OK)
        ;
    srv_signer_release(&sg);
    if (err->code == SRV_OK)
        srv_from_es(err, st_events_add(app->store, ev, nev), "events");
end:
    free(ev);
    return err->code;
}
