/* Batch signing: one PIN unlock, many documents or data items, few commits, key wiped after. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_text.h"
#include "seal_local.h"
#include "ses/seal_crc_local.h"

/* Documents read and signed in memory before one commit: at most SVC_COMMIT_MAX, and no more
 * once their stored bytes reach this much (a big document is as big packed as it was signed). */
#define GROUP_BYTES ((size_t)16 << 20)

void svc_batch_item_release(svc_batch_item *it)
{
    es_buf_free(&it->data);
    es_buf_free_public(&it->signature);
    srv_error_release(&it->err);
}

/* The seal cut out of a batch's data signatures: its bytes, kept once, and where it lay last. */
typedef struct seal_cut {
    es_buf *seal;
    size_t at; /* SIZE_MAX before the first */
} seal_cut;

/*
 * Where the seal lies in the signature, if it is byte for byte the signer's. Every signature of
 * a batch has it at the same place, so that place is tried first: the reply puts back the very
 * bytes it cut, so equal bytes there are all it needs, and the signature is not parsed again
 * per item. Else its SESeal TLV, as OFD signing finds it.
 */
static size_t find_seal(const es_buf *sig, const uint8_t *der, size_t n, size_t last)
{
    size_t off = 0, len = 0;

    if (last <= sig->len && n <= sig->len - last && memcmp(sig->data + last, der, n) == 0)
        return last;
    if (es__sig_seal_span(sig->data, sig->len, &off, &len) != ES_OK || len != n ||
        memcmp(sig->data + off, der, n) != 0)
        return SIZE_MAX;
    return off;
}

/*
 * Cut the seal out of a data item's signature (kept whole when it is not found or memory is
 * short). The rest is copied into a buffer of its size, so that the big one is freed whole
 * and reused by the next signature instead of fresh pages.
 */
static void cut_seal(svc_batch_item *it, const srv_signer *sg, seal_cut *cut)
{
    size_t nseal, at, rest;
    const uint8_t *der = es_seal_der(sg->ses, &nseal);
    es_buf *sig = &it->signature;
    uint8_t *small;

    it->seal_at = SIZE_MAX;
    if ((at = find_seal(sig, der, nseal, cut->at)) == SIZE_MAX ||
        (cut->seal->data == NULL && es_buf_set(cut->seal, der, nseal) != ES_OK))
        return;
    rest = sig->len - at - nseal;
    if ((small = malloc(at + rest + 1)) == NULL)
        return;
    memcpy(small, sig->data, at);
    memcpy(small + at, sig->data + at + nseal, rest);
    es_buf_free_public(sig);
    sig->data = small;
    sig->len = at + rest;
    it->seal_at = cut->at = at;
}

static void sign_data(const srv_signer *sg, svc_batch_item *it, seal_cut *cut, st_event *ev,
                      const st_account *who, const char *ip)
{
    const void *data = it->data.data != NULL ? (const void *)it->data.data : "";
    uint8_t h[ES_SM3_LEN];
    char sm3[65];

    /* Hashed once, for the signature and for the event. */
    if (srv_from_es(&it->err, es_sm3(data, it->data.len, h), "sm3") != SRV_OK ||
        srv_from_es(&it->err,
                    es_seal_sign_hash(sg->ses, sg->key, sg->cert, h, NULL, 0, &it->signature),
                    "sign") != SRV_OK)
        return;
    cut_seal(it, sg, cut);
    srv_hex(h, sizeof(h), sm3);
    svc_event_init(ev, who->id, "data_signed");
    event_data_signed(ev->data, sizeof(ev->data), sg->seal.id, sg->seal.code, sm3, ip);
}

/* The documents of one commit: a few KB each, too many for a thread's stack. */
typedef struct group {
    st_doc_read r[SVC_COMMIT_MAX];
    size_t at[SVC_COMMIT_MAX]; /* r[i] is items[at[i]] */
    svc_signed s[SVC_COMMIT_MAX];
    srv_error errs[SVC_COMMIT_MAX];
    size_t idx[SVC_COMMIT_MAX];
} group;

/*
 * Read the next documents from *next on in one transaction, sign them in memory: into g->s,
 * g->idx. Returns how many were signed; *next moves past those read.
 */
static size_t read_and_sign(srv_app *app, const st_account *who, srv_signer *sg,
                            svc_batch_item *items, size_t n, size_t *next, const char *ip, group *g,
                            srv_error *err)
{
    size_t m = 0, nread = 0, k = 0;

    for (size_t i = *next; i < n && m < SVC_COMMIT_MAX; i++)
        if (items[i].document_id != 0) {
            g->at[m] = i;
            g->r[m++] = (st_doc_read){.id = items[i].document_id};
        }
    *next = m > 0 ? g->at[m - 1] + 1 : n;
    if (m == 0 ||
        srv_from_es(err, st_docs_read(app->store, g->r, m, GROUP_BYTES, &nread), "documents"))
        return 0;
    if (nread < m)
        *next = g->at[nread];
    for (size_t j = 0; j < nread; j++) {
        svc_batch_item *it = &items[g->at[j]];

        memset(&g->errs[k], 0, sizeof(g->errs[k]));
        if (svc_doc_prepare_read(app, who, &g->r[j], &it->place, sg, ip, &g->s[k], &it->err) ==
            SRV_OK)
            g->idx[k++] = g->at[j];
        else
            svc_signed_release(&g->s[k]);
        es_buf_free_public(&g->r[j].content);
    }
    return k;
}

/* Read and sign the next group of documents, commit them together. */
static srv_code doc_group(srv_app *app, const st_account *who, srv_signer *sg,
                          svc_batch_item *items, size_t n, size_t *next, const char *ip, group *g,
                          srv_error *err)
{
    svc_signed *s = g->s;
    srv_error *errs = g->errs;
    size_t *idx = g->idx, k = read_and_sign(app, who, sg, items, n, next, ip, g, err);

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
                        svc_batch_item *items, size_t n, const char *ip, es_buf *seal,
                        srv_error *err)
{
    srv_signer sg;
    st_event *ev = NULL;
    seal_cut cut = {seal, SIZE_MAX};
    group *g = NULL;
    size_t nev = 0, next = 0;

    if (n == 0 || n > (size_t)app->opts.batch_max)
        return srv_fail(err, SRV_INVALID, "items: 1 to %d documents or data items",
                        app->opts.batch_max);
    if ((ev = calloc(n, sizeof(*ev))) == NULL || (g = malloc(sizeof(*g))) == NULL) {
        free(ev);
        return srv_fail(err, SRV_INTERNAL, "out of memory");
    }
    /* The key is unwrapped once for the whole batch and wiped at the end. */
    if (svc_signer_unlock(app, who, seal_id, pin, &sg, err) != SRV_OK)
        goto end;
    for (size_t i = 0; i < n; i++)
        if (items[i].document_id == 0) {
            sign_data(&sg, &items[i], &cut, &ev[nev], who, ip);
            nev += items[i].err.code == SRV_OK;
        }
    while (next < n && doc_group(app, who, &sg, items, n, &next, ip, g, err) == SRV_OK)
        ;
    srv_signer_release(&sg);
    if (err->code == SRV_OK)
        srv_from_es(err, st_events_add(app->store, ev, nev), "events");
end:
    free(ev);
    free(g);
    return err->code;
}
