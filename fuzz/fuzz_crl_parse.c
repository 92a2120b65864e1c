/* libFuzzer target for es_crls_parse and what eseal reads from a CRL (times, reasons, TBS). */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eseal/eseal.h"
#include "pki/pki_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One key for signature checks, made once; reachable until exit, so not a leak. */
static es_key *key;

/* Read every field es_cert_verify and es_ca read, and re-encode. */
static void exercise(X509_CRL *crl)
{
    STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
    es_buf out = {0};
    es_time t;

    if (X509_CRL_get0_lastUpdate(crl) != NULL)
        es__time_from_asn1(X509_CRL_get0_lastUpdate(crl), &t);
    if (X509_CRL_get0_nextUpdate(crl) != NULL)
        es__time_from_asn1(X509_CRL_get0_nextUpdate(crl), &t);
    for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
        X509_REVOKED *rv = sk_X509_REVOKED_value(revs, i);
        ASN1_ENUMERATED *why = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);

        es__time_from_asn1(X509_REVOKED_get0_revocationDate(rv), &t);
        if (why != NULL)
            es__crl_reason_name((int)ASN1_ENUMERATED_get(why));
        ASN1_ENUMERATED_free(why);
    }
    es__crl_verify_sm2(crl, es_key_get0_pkey(key));
    if (es_crl_write(crl, 1, &out) == ES_OK)
        es_buf_free(&out);
    if (es_crl_write(crl, 0, &out) == ES_OK) {
        STACK_OF(X509_CRL) *again = NULL;
        /* What eseal wrote, eseal reads. */
        if (es_crls_parse(out.data, out.len, &again) != ES_OK)
            abort();
        sk_X509_CRL_pop_free(again, X509_CRL_free);
        es_buf_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    STACK_OF(X509_CRL) *crls = NULL;

    if (key == NULL && es_key_generate_sm2(&key) != ES_OK)
        abort();
    if (es_crls_parse(data, size, &crls) != ES_OK)
        return 0;
    for (int i = 0; i < sk_X509_CRL_num(crls); i++)
        exercise(sk_X509_CRL_value(crls, i));
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    return 0;
}
