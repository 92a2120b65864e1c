/* Field validation for registrations: each check explains, field by field, what is wrong. */
#include <string.h>

#include "eseal/id.h"
#include "server_local.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
#define TOKEN_MAX    512

void val_name(srv_error *err, const char *field, const char *v)
{
    size_t n = v ? strlen(v) : 0;

    if (v == NULL) {
        srv_field(err, field, "required");
        return;
    }
    if (n == 0 || n >= ST_NAME_MAX) {
        srv_field(err, field, "must be 1 to %d bytes of UTF-8", ST_NAME_MAX - 1);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            srv_field(err, field, "must not contain control characters");
            return;
        }
    if (v[0] == ' ' || v[n - 1] == ' ')
        srv_field(err, field, "must not start or end with a space");
}

void val_resident(srv_error *err, const char *field, const char *v)
{
    if (v == NULL)
        srv_field(err, field, "required");
    else if (es_id_resident_check(v, strlen(v)) != ES_OK)
        srv_field(err, field, "not a valid resident ID number: %s", es_errdetail());
}

void val_credit(srv_error *err, const char *field, const char *v)
{
    if (v == NULL)
        srv_field(err, field, "required");
    else if (es_id_credit_check(v, strlen(v)) != ES_OK)
        srv_field(err, field, "not a valid unified social credit code: %s", es_errdetail());
}

void val_mobile(srv_error *err, const char *field, const char *v)
{
    if (v == NULL)
        srv_field(err, field, "required");
    else if (es_id_mobile_check(v, strlen(v)) != ES_OK)
        srv_field(err, field, "not a valid mobile number: %s", es_errdetail());
}

void val_password(srv_error *err, const char *field, const char *v)
{
    size_t n = v ? strlen(v) : 0;

    if (v == NULL)
        srv_field(err, field, "required");
    else if (n < PASSWORD_MIN || n > PASSWORD_MAX)
        srv_field(err, field, "must be %d to %d bytes", PASSWORD_MIN, PASSWORD_MAX);
}

void val_optional_token(srv_error *err, const char *field, const char *v)
{
    if (v != NULL && (v[0] == '\0' || strlen(v) > TOKEN_MAX))
        srv_field(err, field, "must be 1 to %d bytes when given", TOKEN_MAX);
}
