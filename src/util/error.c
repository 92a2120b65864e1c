/* Error strings and the per-thread error detail. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "eseal_local.h"

#define DETAIL_MAX 1024

static _Thread_local char detail[DETAIL_MAX];

static const char *const messages[ES_ERR__COUNT] = {
    [ES_OK] = "success",
    [ES_ERR_NOMEM] = "out of memory",
    [ES_ERR_ARG] = "invalid argument",
    [ES_ERR_IO] = "input/output error",
    [ES_ERR_FORMAT] = "malformed input",
    [ES_ERR_UNSUPPORTED] = "not supported",
    [ES_ERR_LIMIT] = "input exceeds a limit",
    [ES_ERR_CRYPTO] = "cryptographic operation failed",
    [ES_ERR_SIGNATURE] = "signature does not verify",
    [ES_ERR_DECRYPT] = "decryption failed",
    [ES_ERR_PASSWORD] = "password missing or wrong",
    [ES_ERR_KEY_MISMATCH] = "key does not match the certificate",
    [ES_ERR_NOT_FOUND] = "not found",
    [ES_ERR_EXISTS] = "already exists",
    [ES_ERR_STATE] = "not allowed in the current state",
    [ES_ERR_INTERNAL] = "internal error",
};

const char *es_strerror(es_err e)
{
    if ((unsigned)e >= ES_ERR__COUNT || messages[e] == NULL)
        return "unknown error";
    return messages[e];
}

const char *es_errdetail(void)
{
    return detail;
}

ES__PRINTF(1, 0) static void set_detail(const char *fmt, va_list ap)
{
    vsnprintf(detail, sizeof(detail), fmt, ap);
}

es_err es__fail(es_err e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_detail(fmt, ap);
    va_end(ap);
    return e;
}

/* Append "; " and each queued OpenSSL error, oldest first, until the buffer is full. */
static void append_ossl_queue(void)
{
    size_t used = strlen(detail);
    unsigned long code;
    const char *data;
    int flags;
    char line[256];

    while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        ERR_error_string_n(code, line, sizeof(line));
        if (used + 2 < sizeof(detail)) {
            int w = snprintf(detail + used, sizeof(detail) - used, ": %s%s%s", line,
                             (flags & ERR_TXT_STRING) && data[0] ? " " : "",
                             (flags & ERR_TXT_STRING) ? data : "");
            if (w > 0)
                used += (size_t)w < sizeof(detail) - used ? (size_t)w : sizeof(detail) - used - 1;
        }
    }
}

es_err es__fail_ossl(es_err e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_detail(fmt, ap);
    va_end(ap);
    append_ossl_queue();
    return e;
}

void es__ossl_clear(void)
{
    ERR_clear_error();
}
