/* The libmicrohttpd adapter: per-request state, bounded bodies, responses, the access log. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eseal/time.h"
#include "seal_local.h"

struct srv_http {
    struct MHD_Daemon *d;
    srv_app *app;
    atomic_int inflight;
};

/* What MHD keeps for one request between its callbacks. */
typedef struct req_state {
    struct timespec start;
    char *body;
    size_t len;
    int too_large;
    size_t limit; /* the body limit of this route */
    int status;
    size_t sent;
    int64_t account_id;
    char method[8];
    char path[256];
    char ip[INET6_ADDRSTRLEN];
} req_state;

static double ms_since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

const char *srv_query(srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr_in *sin = ci ? (const struct sockaddr_in *)ci->client_addr : NULL;

    snprintf(out, n, "-");
    if (sin && sin->sin_family == AF_INET)
        inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)n);
}

static void add_headers(struct MHD_Response *resp, const char *type)
{
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result send_json(struct MHD_Connection *c, req_state *st, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (text == NULL) {
        status = 500;
        text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}");
    }
    st->status = status;
    st->sent = text ? strlen(text) : 0;
    resp = MHD_create_response_from_buffer(st->sent, text, MHD_RESPMEM_MUST_FREE);
    add_headers(resp, "application/json");
    ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, req_state *st, srv_req *r)
{
    json_t *e = srv_error_json(&r->err);
    enum MHD_Result ret = send_json(c, st, srv_code_status(r->err.code), e);

    json_decref(e);
    return ret;
}

/* MHD's buffer for a streamed body: each read fills up to this much, each send sends it. */
#define STREAM_BLOCK ((size_t)256 << 10)

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    const srv_stream *s = cls;
    size_t n = s->read(s->cls, pos, buf, max);

    return n > 0 && n <= max ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    srv_stream *s = cls;

    s->free(s->cls);
    free(s);
}

/* Hand r->stream to MHD, which reads it as it sends and frees it with the response. */
static enum MHD_Result send_stream(struct MHD_Connection *c, req_state *st, srv_req *r)
{
    srv_stream *s = malloc(sizeof(*s));
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret;

    if (s != NULL) {
        *s = r->stream;
        resp = MHD_create_response_from_callback(s->len, STREAM_BLOCK, stream_read, s, stream_free);
    }
    if (resp == NULL) { /* r->stream is still ours: on_request frees it */
        free(s);
        srv_fail(&r->err, SRV_INTERNAL, "out of memory");
        return respond_error(c, st, r);
    }
    memset(&r->stream, 0, sizeof(r->stream));
    st->status = r->status;
    st->sent = (size_t)s->len;
    add_headers(resp, r->raw_type);
    ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, req_state *st, srv_req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (r->err.code != SRV_OK)
        return respond_error(c, st, r);
    if (r->stream.read != NULL)
        return send_stream(c, st, r);
    if (r->raw_owned != NULL) {
        st->status = r->status;
        st->sent = r->raw_len;
        resp = MHD_create_response_from_buffer(r->raw_len, r->raw_owned, MHD_RESPMEM_MUST_FREE);
        r->raw_owned = NULL;
        add_headers(resp, r->raw_type);
        ret = MHD_queue_response(c, (unsigned)r->status, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (r->raw == NULL)
        return send_json(c, st, r->status, r->json);
    st->status = r->status;
    st->sent = r->raw_len;
    resp = MHD_create_response_from_buffer(r->raw_len, (void *)r->raw, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", r->raw_type);
    ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The first call: state, and an early 413 when the declared length is over the limit. */
static enum MHD_Result begin(srv_http *h, struct MHD_Connection *c, const char *url,
                             const char *method, void **con_cls)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    req_state *st = calloc(1, sizeof(*st));

    if (st == NULL)
        return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    snprintf(st->method, sizeof(st->method), "%s", method);
    snprintf(st->path, sizeof(st->path), "%s", url);
    client_ip(c, st->ip, sizeof(st->ip));
    atomic_fetch_add(&h->inflight, 1);
    *con_cls = st;
    st->limit = srv_body_limit(h->app, method, url);
    if (cl && strtoull(cl, NULL, 10) > st->limit) {
        srv_error err = {0};
        json_t *e;
        enum MHD_Result ret;

        srv_fail(&err, SRV_TOO_LARGE, "the body is larger than %zu bytes", st->limit);
        e = srv_error_json(&err);
        ret = send_json(c, st, 413, e);
        json_decref(e);
        return ret;
    }
    return MHD_YES;
}

/* Keep the body up to the limit; past it, drop it and remember to answer 413. */
static void take_body(srv_http *h, req_state *st, const char *data, size_t n)
{
    char *grown;

    if (st->too_large)
        return;
    (void)h;
    if (st->len + n > st->limit || (grown = realloc(st->body, st->len + n + 1)) == NULL) {
        st->too_large = 1;
        free(st->body);
        st->body = NULL;
        st->len = 0;
        return;
    }
    memcpy(grown + st->len, data, n);
    st->body = grown;
    st->len += n;
    st->body[st->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    srv_http *h = cls;
    req_state *st = *con_cls;
    srv_req r;
    enum MHD_Result ret;

    (void)version;
    if (st == NULL)
        return begin(h, c, url, method, con_cls);
    if (st->status != 0) /* answered early (413): drop whatever still arrives */
        return *upload_size = 0, MHD_YES;
    if (*upload_size > 0) {
        take_body(h, st, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&r, 0, sizeof(r));
    r.app = h->app;
    r.method = method;
    r.path = url;
    r.client_ip = st->ip;
    r.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    r.body = st->body;
    r.body_len = st->len;
    r.conn = c;
    if (st->too_large)
        srv_fail(&r.err, SRV_TOO_LARGE, "the body is larger than %zu bytes", st->limit);
    else
        srv_dispatch(&r);
    ret = respond(c, st, &r);
    st->account_id = r.account_id;
    json_decref(r.json);
    free(r.raw_owned);
    if (r.stream.free != NULL) /* not handed to MHD: the request failed */
        r.stream.free(r.stream.cls);
    srv_error_release(&r.err);
    return ret;
}

/* One structured line per request, written with one call so lines never interleave. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    srv_http *h = cls;
    req_state *st = *con_cls;
    char line[512], ts[ES_TIME_STRLEN];
    int n;

    (void)c;
    if (st == NULL)
        return;
    es_time_format(es_time_now(), ts);
    n = snprintf(line, sizeof(line),
                 "{\"ts\":\"%s\",\"ip\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,"
                 "\"bytes\":%zu,\"ms\":%.2f,\"account\":%lld%s}\n",
                 ts, st->ip, st->method, st->path, st->status, st->sent, ms_since(&st->start),
                 (long long)st->account_id,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    if (n > 0)
        (void)!write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    es_cleanse(st->body, st->len); /* bodies carry PINs */
    free(st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&h->inflight, 1);
}

int srv_http_start(srv_app *app, const char *host, unsigned port, srv_http **out, unsigned *bound,
                   char *why, size_t n)
{
    struct sockaddr_in sa = {0};
    srv_http *h = calloc(1, sizeof(*h));
    const union MHD_DaemonInfo *info;

    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (h == NULL || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(why, n, "cannot listen on \"%s\": an IPv4 address is needed", host);
        free(h);
        return -1;
    }
    h->app = app;
    atomic_init(&h->inflight, 0);
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_AUTO, 0, NULL, NULL, on_request, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)app->opts.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
    if (h->d == NULL) {
        snprintf(why, n, "cannot listen on %s:%u (in use, or not an address of this machine)", host,
                 port);
        free(h);
        return -1;
    }
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *bound = info ? info->port : port;
    *out = h;
    return 0;
}

void srv_http_stop(srv_http *h)
{
    MHD_socket listen_fd;

    if (h == NULL)
        return;
    listen_fd = MHD_quiesce_daemon(h->d);
    /* Requests already accepted get up to 10 s to finish before the workers stop. */
    for (int i = 0; i < 1000 && atomic_load(&h->inflight) > 0; i++)
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
    MHD_stop_daemon(h->d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    free(h);
}
