/* POST /api/sign/batch: one PIN unlock signs a list of documents or data items. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_text.h"
#include "handlers.h"
#include "seal_local.h"

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

/* s (len bytes) as an element of the results array: "," before it unless first. */
static char *list_item(const char *s, size_t len, int first, size_t *n)
{
    char *text = malloc(len + 2);

    if (text == NULL)
        return NULL;
    text[0] = ',';
    memcpy(text + !first, s, len);
    *n = len + !first;
    text[*n] = '\0';
    return text;
}

/* An item's refusal. */
static char *refusal_text(const svc_batch_item *it, int first, size_t *n)
{
    json_t *j = json_pack("{s:{s:s, s:s}}", "error", "code", srv_code_name(it->err.code), "message",
                          it->err.message);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    char *text = s ? list_item(s, strlen(s), first, n) : NULL;

    free(s);
    json_decref(j);
    return text;
}

/* A document item's result; a tree per item would cost more. */
static char *result_text(const svc_batch_item *it, int first, size_t *n)
{
    char buf[1024];
    jtext t;

    jtext_begin(&t, buf, sizeof(buf));
    jtext_int(&t, "document_id", it->doc.id);
    jtext_str(&t, "sm3", it->doc.sm3);
    jtext_str(&t, "status", it->doc.status);
    return jtext_end(&t) ? list_item(buf, t.len, first, n) : NULL;
}

/*
 * The reply {"results":[...]}, written into the adapter's send buffer as it goes. A data item's
 * SES_Signature carries the whole seal (its picture): ~145 KB, ~190 KB of base64, so a batch of
 * 100 answers ~19 MB. Building that text before sending it cost ~0.2 ms per item, half as much
 * as the signing's hashing: fresh pages faulted in, every byte written twice. Here each
 * signature stays binary, its seal held once for the batch (svc_sign_batch), until its base64
 * goes straight into the buffer being sent (base64 needs no JSON escaping); no buffer of the
 * whole reply exists. The small results (documents, refusals) still go through jansson.
 *
 * The body is a row of parts, each [pre][base64 of sig][post]: the opening, one per item (pre
 * is a result's JSON, or the head of a signature member), the closing.
 */
typedef struct reply_sig {
    const uint8_t *p[3]; /* the bytes before the seal, the seal, the bytes after */
    size_t n[3], len;
} reply_sig;

typedef struct reply_part {
    const char *pre, *post;
    size_t npre, npost;
    reply_sig sig; /* a data item's signature, or empty */
    es_buf owned;  /* its bytes without the seal */
    char *text;    /* pre, when allocated */
    uint64_t end;  /* offset just past the part in the body */
} reply_part;

typedef struct batch_reply {
    reply_part *parts;
    size_t n;
    size_t cur;  /* the part the last read ended in */
    es_buf seal; /* the seal in every signature */
} batch_reply;

static void reply_free(void *cls)
{
    batch_reply *b = cls;

    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++) {
        es_buf_free_public(&b->parts[i].owned);
        free(b->parts[i].text);
    }
    free(b->parts);
    es_buf_free_public(&b->seal);
    free(b);
}

static size_t put_text(const char *s, size_t len, size_t at, char *out, size_t max)
{
    size_t k = at < len ? len - at : 0;

    k = k < max ? k : max;
    if (k > 0)
        memcpy(out, s + at, k);
    return k;
}

/* The bytes of s from off on that lie in one span: where they are and how many. */
static const uint8_t *sig_run(const reply_sig *s, size_t off, size_t *n)
{
    for (int i = 0; i < 3; off -= s->n[i], i++)
        if (off < s->n[i]) {
            *n = s->n[i] - off;
            return s->p[i] + off;
        }
    *n = 0;
    return NULL;
}

/* Characters [at, at + max) of the base64 of s, clipped to its end; returns how many. */
static size_t put_b64(const reply_sig *s, size_t at, char *out, size_t max)
{
    size_t total = SRV_B64_LEN(s->len), done = 0;

    if (at >= total)
        return 0;
    max = max < total - at ? max : total - at;
    while (done < max) {
        size_t pos = at + done, from = pos / 4 * 3, run, k = 0;
        const uint8_t *p = sig_run(s, from, &run);
        uint8_t three[3];
        char group[4];

        if (pos % 4 == 0) { /* whole groups of one span straight into out */
            k = (max - done) / 4 * 3 < run ? (max - done) / 4 * 3 : run;
            k -= from + k < s->len ? k % 3 : 0; /* only the very last group is padded */
        }
        if (k > 0) {
            srv_b64_encode(p, k, out + done);
            done += SRV_B64_LEN(k);
            continue;
        }
        /* A group cut by at, by max or by the end of a span. */
        for (k = 0; k < 3 && from + k < s->len; k++)
            three[k] = *sig_run(s, from + k, &run);
        srv_b64_encode(three, k, group);
        k = 4 - pos % 4 < max - done ? 4 - pos % 4 : max - done;
        memcpy(out + done, group + pos % 4, k);
        done += k;
    }
    return done;
}

static size_t put_part(const reply_part *p, size_t at, char *out, size_t max)
{
    size_t k = 0, nb = SRV_B64_LEN(p->sig.len);

    if (at < p->npre)
        k += put_text(p->pre, p->npre, at, out, max);
    if (at + k >= p->npre && at + k < p->npre + nb)
        k += put_b64(&p->sig, at + k - p->npre, out + k, max - k);
    if (at + k >= p->npre + nb)
        k += put_text(p->post, p->npost, at + k - p->npre - nb, out + k, max - k);
    return k;
}

/* srv_stream read: the body is asked for in order, so the part to go on from is remembered. */
static size_t reply_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    batch_reply *b = cls;
    size_t done = 0;

    if (b->cur > 0 && pos < b->parts[b->cur - 1].end)
        b->cur = 0; /* asked again for earlier bytes */
    while (done < max && b->cur < b->n) {
        const reply_part *p = &b->parts[b->cur];
        uint64_t start = b->cur > 0 ? b->parts[b->cur - 1].end : 0;

        if (pos + done >= p->end)
            b->cur++;
        else
            done += put_part(p, (size_t)(pos + done - start), buf + done, max - done);
    }
    return done;
}

static const char OPEN[] = "{\"results\":[", CLOSE[] = "]}";
static const char SIG_PRE[] = ",{\"signature\":\"", SIG_POST[] = "\"}";

/* A data item's signature moves into p, the seal put back where it was cut out. */
static void reply_sig_take(reply_part *p, svc_batch_item *it, const es_buf *seal)
{
    es_buf *g = &p->owned;
    size_t at = it->seal_at < it->signature.len ? it->seal_at : it->signature.len;

    *g = it->signature;
    memset(&it->signature, 0, sizeof(it->signature));
    p->sig = (reply_sig){.p = {g->data, seal->data, g->data + at}, .n = {at, 0, g->len - at}};
    if (it->seal_at != SIZE_MAX)
        p->sig.n[1] = seal->len;
    p->sig.len = p->sig.n[0] + p->sig.n[1] + p->sig.n[2];
}

/* Part i + 1 of the reply from item i. */
static int reply_item(reply_part *p, svc_batch_item *it, const es_buf *seal, int first)
{
    if (it->err.code == SRV_OK && it->document_id == 0) {
        p->pre = SIG_PRE + first;
        p->npre = sizeof(SIG_PRE) - 1 - (size_t)first;
        p->post = SIG_POST;
        p->npost = sizeof(SIG_POST) - 1;
        reply_sig_take(p, it, seal);
        return 0;
    }
    p->text = it->err.code == SRV_OK ? result_text(it, first, &p->npre)
                                     : refusal_text(it, first, &p->npre);
    p->pre = p->text;
    return p->text != NULL ? 0 : -1;
}

/* Hand the results to the adapter as a streamed body; the signatures and seal move into it. */
static void reply_results(srv_req *r, svc_batch_item *items, size_t n, es_buf *seal)
{
    batch_reply *b = calloc(1, sizeof(*b));
    uint64_t off = 0;
    size_t i;

    if (b == NULL || (b->parts = calloc(n + 2, sizeof(*b->parts))) == NULL)
        goto fail;
    b->seal = *seal;
    memset(seal, 0, sizeof(*seal));
    b->n = n + 2;
    b->parts[0].pre = OPEN;
    b->parts[0].npre = sizeof(OPEN) - 1;
    b->parts[n + 1].pre = CLOSE;
    b->parts[n + 1].npre = sizeof(CLOSE) - 1;
    for (i = 0; i < n; i++)
        if (reply_item(&b->parts[i + 1], &items[i], &b->seal, i == 0) != 0)
            goto fail;
    for (i = 0; i < b->n; i++) {
        reply_part *p = &b->parts[i];

        off += p->npre + SRV_B64_LEN(p->sig.len) + p->npost;
        p->end = off;
    }
    r->status = 200;
    r->raw_type = "application/json";
    r->stream = (srv_stream){.len = off, .read = reply_read, .free = reply_free, .cls = b};
    return;
fail:
    reply_free(b);
    srv_fail(&r->err, SRV_INTERNAL, "out of memory");
}

void h_sign_batch(srv_req *r)
{
    svc_batch_item *items = NULL;
    es_buf seal = {0};
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
                       srv_jstr(j, "pin"), items, n, r->client_ip, &seal, &r->err) == SRV_OK)
        reply_results(r, items, n, &seal);
    for (i = 0; items && i < n; i++)
        svc_batch_item_release(&items[i]);
    free(items);
    free(seal.data); /* public: no wipe */
    srv_jwipe(j, "pin");
    json_decref(j);
}
