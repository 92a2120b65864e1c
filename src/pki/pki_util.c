/* Helpers shared by src/pki: ASN1_TIME conversion and SM2 signing contexts with the signer ID. */
#include <assert.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

es_err es__time_from_asn1(const ASN1_TIME *t, es_time *out)
{
    struct tm tm;
    char iso[96];

    assert(t != NULL && out != NULL);
    if (!ASN1_TIME_to_tm(t, &tm))
        return es__fail_ossl(ES_ERR_FORMAT, "malformed time in a certificate or CRL");
    /* ASN1_TIME_to_tm gives UTC fields; reuse the one calendar implementation eseal has. */
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return es_time_parse(iso, out);
}

es_err es__sm2_md_init(EVP_MD_CTX *md, EVP_PKEY *key, int sign)
{
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    assert(md != NULL && key != NULL);
    if (sign)
        ok = EVP_DigestSignInit(md, &pctx, EVP_sm3(), NULL, key);
    else
        ok = EVP_DigestVerifyInit(md, &pctx, EVP_sm3(), NULL, key);
    /* The ID enters Z = SM3(ENTL || ID || curve || key), computed at the first update. */
    if (ok != 1 || EVP_PKEY_CTX_set1_id(pctx, ES_SM2_DEFAULT_ID, ES_SM2_DEFAULT_ID_LEN) != 1)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot start an SM2 %s",
                             sign ? "signature" : "verification");
    return ES_OK;
}
