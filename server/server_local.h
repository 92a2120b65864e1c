/* What the server's layers share: the application, requests, errors, services, helpers. */
#ifndef ESEAL_SERVER_LOCAL_H
#define ESEAL_SERVER_LOCAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"
#include "store/store.h"

/* ---- errors: services fail with one of these; errors.c maps each to an HTTP status ---- */

typedef enum srv_code {
    SRV_OK = 0,
    SRV_BAD_JSON,        /* 400: body is not the JSON object expected */
    SRV_INVALID,         /* 400: fields failed validation (details in fields) */
    SRV_UNAUTHENTICATED, /* 401 */
    SRV_FORBIDDEN,       /* 403 */
    SRV_NOT_FOUND,       /* 404 */
    SRV_METHOD,          /* 405 */
    SRV_CONFLICT,        /* 409: exists already */
    SRV_STATE,           /* 409: not allowed in the current state */
    SRV_TOO_LARGE,       /* 413 */
    SRV_LOCKED,          /* 423: a seal key locked after wrong PINs */
    SRV_RATE_LIMITED,    /* 429 */
    SRV_INTERNAL,        /* 500: details only in the server log */
    SRV_NOT_IMPLEMENTED, /* 501 */
    SRV_UNAVAILABLE,     /* 503 */
    SRV__COUNT
} srv_code;

typedef struct srv_error {
    srv_code code;
    char message[256];
    json_t *fields; /* array of {"field", "reason"} for SRV_INVALID, or NULL */
} srv_error;

/* Set err and return its code. */
srv_code srv_fail(srv_error *err, srv_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a field problem (code becomes SRV_INVALID). */
void srv_field(srv_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Map a library or store error: EXISTS -> conflict, NOT_FOUND, STATE, LIMIT -> too large;
 * anything else is internal: what and es_errdetail() go to the log, not to the client.
 */
srv_code srv_from_es(srv_error *err, int es_rc, const char *what);
void srv_error_release(srv_error *err);
/* HTTP status and the stable code string ("validation_failed") of a code. */
int srv_code_status(srv_code c);
const char *srv_code_name(srv_code c);
/* {"error": {"code", "message"[, "fields"]}} */
json_t *srv_error_json(const srv_error *err);

/* ---- the application ---- */

typedef struct srv_limiter srv_limiter;
typedef struct srv_idp srv_idp;
typedef struct srv_platform srv_platform; /* CA, seal maker, custody secret (platform.c) */

typedef struct srv_app {
    st_store *store;
    srv_opts opts;
    srv_idp *idp; /* NULL: no provider, reviewers decide */
    srv_limiter *login_limit, *verify_limit;
    srv_platform *pf;
    char data_dir[1024];
} srv_app;

/* ---- requests, as the adapter hands them to handlers ---- */

#define SRV_MAX_PARAMS 4

/*
 * A response body written while it is sent, so that a large one is never held whole in memory.
 * The adapter calls read(cls, pos, buf, max) for the bytes from pos on, pos going from 0 up to
 * len: it writes 1 to max bytes into buf and returns how many, or 0 to abort the connection.
 * free(cls) runs once, when the body was sent, the connection broke or it could not be queued;
 * that may be after the handler returned, so cls owns everything read needs.
 */
typedef struct srv_stream {
    uint64_t len;
    size_t (*read)(void *cls, uint64_t pos, char *buf, size_t max);
    void (*free)(void *cls);
    void *cls;
} srv_stream;

typedef struct srv_req {
    srv_app *app;
    const char *method, *path, *client_ip, *authorization;
    const char *body;
    size_t body_len;
    const char *param[SRV_MAX_PARAMS]; /* path parameters in pattern order */
    char parambuf[512];
    void *conn; /* the adapter's connection, for srv_query */
    /* response */
    int status;
    json_t *json;    /* a JSON response (owned) */
    const char *raw; /* or a static body */
    size_t raw_len;
    void *raw_owned;      /* or a heap body (malloc) the adapter frees */
    srv_stream stream;    /* or a body written while it is sent (read set; adapter frees) */
    const char *raw_type; /* its content type */
    srv_error err;        /* set when the request failed */
    int64_t account_id;   /* who made it, for the access log */
} srv_req;

typedef void (*srv_handler)(srv_req *r);

typedef struct srv_route {
    const char *method;
    const char *pattern; /* "/api/enterprises/{id}/members", as in openapi.json */
    srv_handler handler;
} srv_route;

/* The route table (routes.c). */
const srv_route *srv_routes(size_t *n);
/* Find the route for method + path and fill r->param; sets 404 or 405 on r->err. */
const srv_route *srv_route_match(srv_req *r);
/* Route and run one request: r->status/json/raw, or r->err. */
void srv_dispatch(srv_req *r);
/* A query-string argument of the request (adapter). */
const char *srv_query(srv_req *r, const char *name);

/* The OpenAPI document, embedded at build time from server/openapi.json. */
extern const unsigned char srv_openapi_json[];
extern const size_t srv_openapi_json_len;

/* ---- handler helpers (h_common.c) ---- */

/* Parse the body as a JSON object; NULL with SRV_BAD_JSON set. */
json_t *srv_body(srv_req *r);
/* A string member, NULL when absent or not a string. */
const char *srv_jstr(const json_t *o, const char *key);
void srv_reply(srv_req *r, int status, json_t *json);
/* A path parameter as a positive id; 0 with SRV_NOT_FOUND set when it is not one. */
int64_t srv_param_id(srv_req *r, int i);
json_t *srv_account_json(const st_account *a);
json_t *srv_verification_json(const st_verification *v);

/* ---- services ---- */

/* Authenticate "Bearer TOKEN"; fills who. */
srv_code svc_auth_check(srv_app *app, const char *authorization, st_account *who, srv_error *err);
/* Log in by phone, credit code or staff name; out gets a new token (65 bytes). */
srv_code svc_auth_login(srv_app *app, const char *login, const char *password,
                        const char *client_ip, char token[65], int64_t *expires, srv_error *err);
srv_code svc_auth_logout(srv_app *app, const char *authorization, srv_error *err);
/*
 * Change who's password (who from svc_auth_check of authorization): current must verify, under
 * the login rate limit of who's login (SRV_RATE_LIMITED, SRV_FORBIDDEN when wrong); fresh must
 * pass val_password and differ from current (SRV_INVALID naming the field). Every other session
 * of the account is revoked (*revoked of them) with the change, and password_changed recorded.
 */
srv_code svc_auth_password(srv_app *app, const st_account *who, const char *authorization,
                           const char *current, const char *fresh, const char *client_ip,
                           int64_t *revoked, srv_error *err);
int svc_is_staff(const st_account *a);

typedef struct svc_person_in {
    const char *name, *id_number, *phone, *password, *liveness_token;
} svc_person_in;

typedef struct svc_enterprise_in {
    const char *name, *credit_code, *rep_name, *rep_id, *handler_name, *handler_id, *handler_phone,
        *password, *liveness_token;
} svc_enterprise_in;

srv_code svc_register_person(srv_app *app, const svc_person_in *in, st_account *out,
                             st_verification *v, srv_error *err);
srv_code svc_register_enterprise(srv_app *app, const svc_enterprise_in *in, st_account *out,
                                 st_verification *v, srv_error *err);
srv_code svc_staff_create(srv_app *app, const st_account *who, const char *login, const char *name,
                          const char *password, const char *role, st_account *out, srv_error *err);
/* Read account id as who: oneself, platform staff, or an admin of the enterprise id. */
srv_code svc_account_read(srv_app *app, const st_account *who, int64_t id, st_account *out,
                          srv_error *err);
/* A name or legal-representative change (rep_id NULL: name) recorded as an event. */
srv_code svc_account_change(srv_app *app, const st_account *who, int64_t id, const char *name,
                            const char *rep_id, st_verification *v, srv_error *err);
srv_code svc_events(srv_app *app, const st_account *who, int64_t id, st_event *e, size_t max,
                    size_t *n, srv_error *err);

/* 1 if who may administer enterprise ent (the enterprise account or an admin member). */
int svc_enterprise_admin(srv_app *app, const st_account *who, int64_t ent);
srv_code svc_members_list(srv_app *app, const st_account *who, int64_t ent, st_member *m,
                          size_t max, size_t *n, srv_error *err);
srv_code svc_member_invite(srv_app *app, const st_account *who, int64_t ent, const char *phone,
                           const char *role, st_member *out, srv_error *err);
srv_code svc_member_remove(srv_app *app, const st_account *who, int64_t ent, int64_t account,
                           srv_error *err);

/* The verification pipeline: provider if configured, else pending for reviewers. */
srv_code svc_verify_run(srv_app *app, const st_account *a, int64_t vid, const char *liveness,
                        st_verification *out, srv_error *err);
/* Verify again (after a rejection or a change), rate-limited per identity. */
srv_code svc_verify_retry(srv_app *app, const st_account *who, const char *liveness,
                          st_verification *out, srv_error *err);
/* Count an attempt for an identity; SRV_RATE_LIMITED past the limit. */
srv_code svc_verify_allow(srv_app *app, const char *identity, srv_error *err);
srv_code svc_review_list(srv_app *app, const st_account *who, const char *status,
                         st_verification *v, size_t max, size_t *n, srv_error *err);
srv_code svc_review_get(srv_app *app, const st_account *who, int64_t id, st_verification *v,
                        srv_error *err);
srv_code svc_review_decide(srv_app *app, const st_account *who, int64_t id, const char *decision,
                           const char *reason, st_verification *out, srv_error *err);

/* ---- validation (validate.c): each adds field problems to err ---- */

void val_name(srv_error *err, const char *field, const char *v);
void val_resident(srv_error *err, const char *field, const char *v);
void val_credit(srv_error *err, const char *field, const char *v);
void val_mobile(srv_error *err, const char *field, const char *v);
void val_password(srv_error *err, const char *field, const char *v);
void val_optional_token(srv_error *err, const char *field, const char *v);

/* ---- passwords (password.c): Argon2id with a random per-account salt ---- */

int srv_password_hash(const char *password, char *out, size_t outlen);
/* 1 if password matches encoded; with encoded NULL spends the same time and returns 0. */
int srv_password_verify(const char *encoded, const char *password);

/* ---- rate limits (ratelimit.c): a leaky bucket per key, in this process ---- */

/* max attempts at once, then one more every window_s / max seconds. */
srv_limiter *srv_limiter_new(int max, int window_s);
void srv_limiter_free(srv_limiter *l);
/* 1 if key has used up its attempts (until one leaks away). */
int srv_limiter_blocked(srv_limiter *l, const char *key);
/* Count one attempt for key. */
void srv_limiter_hit(srv_limiter *l, const char *key);
void srv_limiter_reset(srv_limiter *l, const char *key);

/* ---- identity provider client (idp.c) ---- */

typedef enum srv_idp_result { IDP_MATCH, IDP_MISMATCH, IDP_UNAVAILABLE } srv_idp_result;

/* Parse "http://host:port/path"; NULL with a message in why when it is not one. */
srv_idp *srv_idp_new(const char *url, int timeout_ms, int retries, char *why, size_t n);
void srv_idp_free(srv_idp *p);
/* POST request (a JSON object) and read the verdict; reason gets the provider's words. */
srv_idp_result srv_idp_verify(srv_idp *p, const json_t *request, char *reason, size_t n);

/* ---- bootstrap (bootstrap.c) ---- */

/* Create (first start) or check the master key, CA, seal-maker key and first admin. */
int srv_bootstrap(srv_app *app, char *why, size_t n);

/* ---- HTTP adapter (http.c) ---- */

typedef struct srv_http srv_http;
int srv_http_start(srv_app *app, const char *host, unsigned port, srv_http **out, unsigned *bound,
                   char *why, size_t n);
/* Stop accepting, wait for requests in flight (bounded), stop the workers. */
void srv_http_stop(srv_http *h);

/* Hex of n bytes into out (2n + 1). */
void srv_hex(const uint8_t *p, size_t n, char *out);

#endif
