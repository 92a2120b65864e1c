/* A test PKI shared by the unit tests that make seals and sign: a CA, a maker, a signer. */
#ifndef ESEAL_TESTUTIL_PKI_H
#define ESEAL_TESTUTIL_PKI_H

#include <openssl/x509.h>

#include "eseal/eseal.h"

#define TU_DAY 86400

typedef struct tu_pki {
    es_ca *ca;
    es_key *maker_key, *signer_key;
    X509 *maker, *signer;
} tu_pki;

/*
 * A CA in the test's temporary directory (root "CN=eseal <label> Test Root,O=eseal,C=CN") and
 * fresh SM2 keys with a maker ("CN=<label> Maker,C=CN") and a signer ("CN=<label> Signer,C=CN")
 * certificate. 0 on success; the error is printed.
 */
int tu_pki_init(tu_pki *p, const char *label);
void tu_pki_free(tu_pki *p);

/* A certificate for k issued by p's CA (NULL, printed, on failure). */
X509 *tu_pki_issue(const tu_pki *p, es_cert_profile profile, const char *subject, const es_key *k);

/* The trust list for verifying: the CA's root alone (free with sk_X509_pop_free). */
STACK_OF(X509) * tu_pki_trust(const tu_pki *p);

/*
 * A seal made by p's maker and listing p's signer, valid from a day ago for a year, of type and
 * name, with picture png (NULL: a 42 mm round seal drawn by eseal at 300 dpi, quick to make).
 */
es_err tu_seal_make(const tu_pki *p, int type, const char *name, const es_buf *png, es_seal **out);

#endif
