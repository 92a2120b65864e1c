/* The route table: every endpoint of the API, as documented in server/openapi.json. */
#include "handlers.h"

static const srv_route routes[] = {
    {"GET", "/healthz", h_healthz},
    {"GET", "/api/openapi.json", h_openapi},
    {"GET", "/api/stats", h_stats},
    {"POST", "/api/accounts/person", h_register_person},
    {"POST", "/api/accounts/enterprise", h_register_enterprise},
    {"GET", "/api/accounts/{id}", h_account_get},
    {"POST", "/api/accounts/{id}/changes", h_account_change},
    {"GET", "/api/accounts/{id}/events", h_account_events},
    {"POST", "/api/auth/login", h_login},
    {"POST", "/api/auth/logout", h_logout},
    {"GET", "/api/me", h_me},
    {"POST", "/api/me/verification", h_me_verification},
    {"POST", "/api/staff", h_staff_create},
    {"GET", "/api/verifications", h_verifications_list},
    {"GET", "/api/verifications/{id}", h_verification_get},
    {"POST", "/api/verifications/{id}/decision", h_verification_decide},
    {"GET", "/api/enterprises/{id}/members", h_members_list},
    {"POST", "/api/enterprises/{id}/members", h_member_invite},
    {"DELETE", "/api/enterprises/{id}/members/{account_id}", h_member_remove},
};

const srv_route *srv_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}
