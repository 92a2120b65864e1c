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
    {"POST", "/api/me/password", h_password_change},
    {"POST", "/api/staff", h_staff_create},
    {"GET", "/api/verifications", h_verifications_list},
    {"GET", "/api/verifications/{id}", h_verification_get},
    {"POST", "/api/verifications/{id}/decision", h_verification_decide},
    {"GET", "/api/enterprises/{id}/members", h_members_list},
    {"POST", "/api/enterprises/{id}/members", h_member_invite},
    {"DELETE", "/api/enterprises/{id}/members/{account_id}", h_member_remove},
    {"POST", "/api/seals", h_seal_apply},
    {"GET", "/api/seals", h_seals_list},
    {"GET", "/api/seals/{id}", h_seal_get},
    {"GET", "/api/seals/{id}/seal.esl", h_seal_file},
    {"POST", "/api/seals/{id}/decision", h_seal_decide},
    {"POST", "/api/seals/{id}/activate", h_seal_activate},
    {"POST", "/api/seals/{id}/pin", h_seal_pin},
    {"POST", "/api/seals/{id}/unlock", h_seal_unlock},
    {"POST", "/api/seals/{id}/suspend", h_seal_suspend},
    {"POST", "/api/seals/{id}/resume", h_seal_resume},
    {"POST", "/api/seals/{id}/cancel", h_seal_cancel},
    {"GET", "/api/seals/{id}/grants", h_grants_list},
    {"POST", "/api/seals/{id}/grants", h_grant_add},
    {"DELETE", "/api/seals/{id}/grants/{grant}", h_grant_revoke},
    {"POST", "/api/documents", h_doc_upload},
    {"GET", "/api/documents/{id}", h_doc_get},
    {"GET", "/api/documents/{id}/file", h_doc_file},
    {"POST", "/api/documents/{id}/sign", h_doc_sign},
    {"POST", "/api/sign/batch", h_sign_batch},
    {"POST", "/api/verify", h_verify},
    {"GET", "/api/ca/root.pem", h_ca_root},
    {"GET", "/api/ca/chain.pem", h_ca_chain},
    {"GET", "/api/ca/crl.pem", h_ca_crl},
};

const srv_route *srv_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}
