/* The one place that maps a server error to an HTTP status and a JSON error body. */
#include <stdio.h>
#include <string.h>

#include "eseal/error.h"
#include "server_local.h"

static const struct {
    int status;
    const char *name;
} codes[SRV__COUNT] = {
    [SRV_OK] = {200, "ok"},
    [SRV_BAD_JSON] = {400, "bad_json"},
    [SRV_INVALID] = {400, "validation_failed"},
    [SRV_UNAUTHENTICATED] = {401, "unauthenticated"},
    [SRV_FORBIDDEN] = {403, "forbidden"},
    [SRV_NOT_FOUND] = {404, "not_found"},
    [SRV_METHOD] = {405, "method_not_allowed"},
    [SRV_CONFLICT] = {409, "conflict"},
    [SRV_STATE] = {409, "invalid_state"},
    [SRV_TOO_LARGE] = {413, "too_large"},
    [SRV_LOCKED] = {423, "locked"},
    [SRV_RATE_LIMITED] = {429, "rate_limited"},
    [SRV_INTERNAL] = {500, "internal"},
    [SRV_NOT_IMPLEMENTED] = {501, "not_implemented"},
    [SRV_UNAVAILABLE] = {503, "unavailable"},
};

int srv_code_status(srv_code c)
{
    return c < SRV__COUNT ? codes[c].status : 500;
}

const char *srv_code_name(srv_code c)
{
    return c < SRV__COUNT ? codes[c].name : "internal";
}

srv_code srv_fail(srv_error *err, srv_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

void srv_field(srv_error *err, const char *field, const char *fmt, ...)
{
    char reason[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (err->fields == NULL)
        err->fields = json_array();
    json_array_append_new(err->fields, json_pack("{s:s, s:s}", "field", field, "reason", reason));
    err->code = SRV_INVALID;
    snprintf(err->message, sizeof(err->message), "invalid input: see fields");
}

srv_code srv_from_es(srv_error *err, int es_rc, const char *what)
{
    switch ((es_err)es_rc) {
    case ES_OK:
        return SRV_OK;
    case ES_ERR_EXISTS:
        return srv_fail(err, SRV_CONFLICT, "%s: exists already", what);
    case ES_ERR_NOT_FOUND:
        return srv_fail(err, SRV_NOT_FOUND, "%s: not found", what);
    case ES_ERR_STATE:
        return srv_fail(err, SRV_STATE, "%s: %s", what, es_errdetail());
    default:
        /* The detail may hold SQL or paths: it goes to the log only. */
        fprintf(stderr,
                "{\"level\":\"error\",\"what\":\"%s\",\"error\":\"%s\",\"detail\":\"%s\"}\n", what,
                es_strerror((es_err)es_rc), es_errdetail());
        return srv_fail(err, SRV_INTERNAL, "internal error");
    }
}

void srv_error_release(srv_error *err)
{
    json_decref(err->fields);
    err->fields = NULL;
}

json_t *srv_error_json(const srv_error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", srv_code_name(err->code), "message",
                          err->message[0] ? err->message : srv_code_name(err->code));

    if (e && err->fields)
        json_object_set(e, "fields", err->fields);
    return json_pack("{s:o}", "error", e);
}
