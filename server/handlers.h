/* The HTTP handlers: each turns JSON into one service call and the result back into JSON. */
#ifndef ESEAL_SERVER_HANDLERS_H
#define ESEAL_SERVER_HANDLERS_H

#include "server_local.h"

void h_healthz(srv_req *r);
void h_openapi(srv_req *r);
void h_stats(srv_req *r);

void h_register_person(srv_req *r);
void h_register_enterprise(srv_req *r);
void h_account_get(srv_req *r);
void h_account_change(srv_req *r);
void h_account_events(srv_req *r);
void h_me(srv_req *r);
void h_me_verification(srv_req *r);
void h_staff_create(srv_req *r);

void h_login(srv_req *r);
void h_logout(srv_req *r);
void h_password_change(srv_req *r);

void h_verifications_list(srv_req *r);
void h_verification_get(srv_req *r);
void h_verification_decide(srv_req *r);

void h_members_list(srv_req *r);
void h_member_invite(srv_req *r);
void h_member_remove(srv_req *r);

void h_seal_apply(srv_req *r);
void h_seals_list(srv_req *r);
void h_seal_get(srv_req *r);
void h_seal_file(srv_req *r);
void h_seal_decide(srv_req *r);
void h_seal_activate(srv_req *r);
void h_seal_pin(srv_req *r);
void h_seal_unlock(srv_req *r);
void h_seal_suspend(srv_req *r);
void h_seal_resume(srv_req *r);
void h_seal_cancel(srv_req *r);
void h_grants_list(srv_req *r);
void h_grant_add(srv_req *r);
void h_grant_revoke(srv_req *r);

void h_doc_upload(srv_req *r);
void h_doc_get(srv_req *r);
void h_doc_file(srv_req *r);
void h_doc_sign(srv_req *r);
void h_sign_batch(srv_req *r);
void h_verify(srv_req *r);
void h_ca_root(srv_req *r);
void h_ca_chain(srv_req *r);
void h_ca_crl(srv_req *r);

/* Authenticate the request into who (401 on r->err otherwise); returns 1 when authenticated. */
int h_auth(srv_req *r, st_account *who);

#endif
