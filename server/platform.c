/* The platform's keys at run time: CA (issue, revoke, CRL), seal maker, custody secret. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal_local.h"

#define MAKER_AAD "eseal maker key v1"

struct srv_platform {
    pthread_mutex_t mu; /* es_ca is not thread-safe in a process: one CA operation at a time */
    es_ca *ca;
    es_key *maker_key;
    X509 *maker_cert;
    X509_CRL *crl; /* the latest CRL, refreshed after each revocation */
    uint8_t custody[32];
};

static int derive(const uint8_t master[32], const char *label, uint8_t out[32])
{
    return es_hmac_sm3(master, 32, label, strlen(label), out) == ES_OK ? 0 : -1;
}

static int open_maker(srv_platform *pf, const char *dir, const uint8_t master[32])
{
    uint8_t kek[32];
    char path[1100];
    es_buf w = {0}, der = {0};
    int rc = -1;

    snprintf(path, sizeof(path), "%s/maker.key.wrapped", dir);
    if (derive(master, "eseal key wrap v1", kek) == 0 && es_file_read(path, 1 << 16, &w) == ES_OK &&
        es_unwrap(kek, MAKER_AAD, strlen(MAKER_AAD), w.data, w.len, &der) == ES_OK &&
        es_key_parse(der.data, der.len, NULL, &pf->maker_key) == ES_OK) {
        snprintf(path, sizeof(path), "%s/maker.pem", dir);
        rc = es_cert_read_file(path, &pf->maker_cert) == ES_OK ? 0 : -1;
    }
    es_cleanse(kek, sizeof(kek));
    es_buf_free(&w);
    es_buf_free(&der);
    return rc;
}

int srv_platform_open(srv_app *app, const uint8_t master[32], char *why, size_t n)
{
    srv_platform *pf = calloc(1, sizeof(*pf));
    uint8_t pw[32];
    char pass[65], cadir[1100];
    int rc = -1;

    if (pf == NULL)
        return snprintf(why, n, "out of memory"), -1;
    pthread_mutex_init(&pf->mu, NULL);
    app->pf = pf;
    snprintf(cadir, sizeof(cadir), "%s/ca", app->data_dir);
    if (derive(master, "eseal ca password v1", pw) != 0 ||
        derive(master, "eseal custody v1", pf->custody) != 0)
        goto end;
    srv_hex(pw, sizeof(pw), pass);
    if (es_ca_open(cadir, pass, &pf->ca) != ES_OK) {
        snprintf(why, n, "cannot open the CA: %s", es_errdetail());
        goto end;
    }
    if (open_maker(pf, app->data_dir, master) != 0) {
        snprintf(why, n, "cannot load the seal maker: %s", es_errdetail());
        goto end;
    }
    if (es_ca_crl(pf->ca, 7, &pf->crl) != ES_OK) {
        snprintf(why, n, "cannot make a CRL: %s", es_errdetail());
        goto end;
    }
    rc = 0;
end:
    es_cleanse(pw, sizeof(pw));
    es_cleanse(pass, sizeof(pass));
    return rc;
}

void srv_platform_close(srv_app *app)
{
    srv_platform *pf = app->pf;

    if (pf == NULL)
        return;
    es_ca_free(pf->ca);
    es_key_free(pf->maker_key);
    X509_free(pf->maker_cert);
    X509_CRL_free(pf->crl);
    es_cleanse(pf->custody, sizeof(pf->custody));
    pthread_mutex_destroy(&pf->mu);
    free(pf);
    app->pf = NULL;
}

const uint8_t *srv_custody_secret(srv_app *app)
{
    return app->pf->custody;
}

es_err srv_ca_issue_signer(srv_app *app, const char *subject, const es_key *pub, X509 **out)
{
    es_ca_issue_opts io = {0};
    es_err rc;

    io.profile = ES_PROFILE_SIGNER;
    io.subject = subject;
    io.pubkey = pub;
    io.days = 3 * 365;
    pthread_mutex_lock(&app->pf->mu);
    rc = es_ca_issue(app->pf->ca, &io, out);
    pthread_mutex_unlock(&app->pf->mu);
    return rc;
}

es_err srv_ca_revoke(srv_app *app, const X509 *cert)
{
    X509_CRL *crl = NULL;
    es_err rc;

    pthread_mutex_lock(&app->pf->mu);
    rc = es_ca_revoke(app->pf->ca, cert, 5 /* cessationOfOperation */, 0);
    if (rc == ES_ERR_STATE)
        rc = ES_OK;
    if (rc == ES_OK && (rc = es_ca_crl(app->pf->ca, 7, &crl)) == ES_OK) {
        X509_CRL_free(app->pf->crl);
        app->pf->crl = crl;
    }
    pthread_mutex_unlock(&app->pf->mu);
    return rc;
}

es_err srv_make_seal(srv_app *app, es_seal_make_opts *o, es_buf *der)
{
    return es_seal_make(o, app->pf->maker_key, app->pf->maker_cert, der);
}

es_err srv_ca_pem(srv_app *app, const char *which, es_buf *out)
{
    es_err rc;

    pthread_mutex_lock(&app->pf->mu);
    if (strcmp(which, "root") == 0)
        rc = es_cert_write(es_ca_get0_root(app->pf->ca), 1, out);
    else if (strcmp(which, "chain") == 0)
        rc = es_cert_write(es_ca_get0_issuer(app->pf->ca), 1, out);
    else
        rc = es_crl_write(app->pf->crl, 1, out);
    pthread_mutex_unlock(&app->pf->mu);
    return rc;
}

es_err srv_verify_opts(srv_app *app, es_verify_opts *o)
{
    es_err rc = ES_OK;

    memset(o, 0, sizeof(*o));
    o->trust = sk_X509_new_null();
    o->untrusted = sk_X509_new_null();
    o->crls = sk_X509_CRL_new_null();
    if (o->trust == NULL || o->untrusted == NULL || o->crls == NULL)
        return ES_ERR_NOMEM;
    pthread_mutex_lock(&app->pf->mu);
    if (!X509_up_ref(es_ca_get0_root(app->pf->ca)) ||
        !sk_X509_push(o->trust, es_ca_get0_root(app->pf->ca)) ||
        !X509_up_ref(es_ca_get0_issuer(app->pf->ca)) ||
        !sk_X509_push(o->untrusted, es_ca_get0_issuer(app->pf->ca)) ||
        !X509_CRL_up_ref(app->pf->crl) || !sk_X509_CRL_push(o->crls, app->pf->crl))
        rc = ES_ERR_NOMEM;
    pthread_mutex_unlock(&app->pf->mu);
    return rc;
}

void srv_verify_opts_release(es_verify_opts *o)
{
    sk_X509_pop_free(o->trust, X509_free);
    sk_X509_pop_free(o->untrusted, X509_free);
    sk_X509_CRL_pop_free(o->crls, X509_CRL_free);
    memset(o, 0, sizeof(*o));
}
