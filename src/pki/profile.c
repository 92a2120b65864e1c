/* eseal certificate profiles: names, certificatePolicies OIDs, and reading them from a cert. */
#include <assert.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

static const struct {
    es_cert_profile profile;
    const char *name;
    const char *oid;
} profiles[] = {
    {ES_PROFILE_MAKER, "maker", ES__OID_PROFILES ".1"},
    {ES_PROFILE_SIGNER, "signer", ES__OID_PROFILES ".2"},
    {ES_PROFILE_TSA, "tsa", ES__OID_PROFILES ".3"},
    {ES_PROFILE_LOG, "log", ES__OID_PROFILES ".4"},
};

es_err es_cert_profile_from_name(const char *name, es_cert_profile *out)
{
    assert(name != NULL && out != NULL);
    for (size_t i = 0; i < ES__ARRAY_LEN(profiles); i++) {
        if (strcmp(profiles[i].name, name) == 0) {
            *out = profiles[i].profile;
            return ES_OK;
        }
    }
    return es__fail(ES_ERR_ARG, "unknown certificate profile \"%s\" (maker, signer, tsa, log)",
                    name);
}

const char *es_cert_profile_name(es_cert_profile p)
{
    for (size_t i = 0; i < ES__ARRAY_LEN(profiles); i++) {
        if (profiles[i].profile == p)
            return profiles[i].name;
    }
    return "unknown";
}

ASN1_OBJECT *es__profile_oid(es_cert_profile p)
{
    for (size_t i = 0; i < ES__ARRAY_LEN(profiles); i++) {
        /* no_name = 1: numeric form only, and nothing is added to OpenSSL's global table. */
        if (profiles[i].profile == p)
            return OBJ_txt2obj(profiles[i].oid, 1);
    }
    return NULL;
}

/* Which profile, if any, a policy OID names. */
static int profile_of_policy(const ASN1_OBJECT *policy, es_cert_profile *out)
{
    char txt[128];
    int n = OBJ_obj2txt(txt, sizeof(txt), policy, 1);

    /* A longer OID is truncated, and cannot be one of ours anyway. */
    if (n <= 0 || (size_t)n >= sizeof(txt))
        return 0;
    for (size_t i = 0; i < ES__ARRAY_LEN(profiles); i++) {
        if (strcmp(profiles[i].oid, txt) == 0) {
            *out = profiles[i].profile;
            return 1;
        }
    }
    return 0;
}

es_err es_cert_get_profile(const X509 *cert, es_cert_profile *out)
{
    es_err rc = ES_OK;
    CERTIFICATEPOLICIES *pols = NULL;
    int crit = -1;

    assert(cert != NULL && out != NULL);
    pols = X509_get_ext_d2i(cert, NID_certificate_policies, &crit, NULL);
    if (pols == NULL) {
        if (crit == -1)
            rc = es__fail(ES_ERR_NOT_FOUND, "certificate has no certificatePolicies");
        else
            rc = es__fail_ossl(ES_ERR_FORMAT, "certificatePolicies cannot be decoded");
        goto end;
    }
    for (int i = 0; i < sk_POLICYINFO_num(pols); i++) {
        if (profile_of_policy(sk_POLICYINFO_value(pols, i)->policyid, out))
            goto end;
    }
    rc = es__fail(ES_ERR_NOT_FOUND, "certificatePolicies name no eseal profile");
end:
    CERTIFICATEPOLICIES_free(pols);
    es__ossl_clear();
    return rc;
}
