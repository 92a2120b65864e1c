/* Handlers of the unauthenticated service endpoints: health, the API document, statistics. */
#include "handlers.h"

void h_healthz(srv_req *r)
{
    srv_reply(r, 200,
              json_pack("{s:s, s:s, s:i}", "status", "ok", "database",
                        st_backend_name(r->app->store), "schema",
                        st_schema_version(r->app->store)));
}

void h_openapi(srv_req *r)
{
    r->status = 200;
    r->raw = (const char *)srv_openapi_json;
    r->raw_len = srv_openapi_json_len;
    r->raw_type = "application/json";
}

void h_stats(srv_req *r)
{
    st_stats s;
    int rc = st_stats_get(r->app->store, &s);

    if (srv_from_es(&r->err, rc, "stats") != SRV_OK)
        return;
    srv_reply(r, 200,
              json_pack("{s:I, s:I, s:I, s:I, s:I}", "users", (json_int_t)s.users, "providers",
                        (json_int_t)s.providers, "seals_issued", (json_int_t)s.seals_issued,
                        "signings_started", (json_int_t)s.signings_started, "documents_completed",
                        (json_int_t)s.documents_completed));
}
