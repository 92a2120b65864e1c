/* Certificates' DER, encoded once per certificate object for the writers that embed it. */
#ifndef ESEAL_CRYPTO_CERT_DER_H
#define ESEAL_CRYPTO_CERT_DER_H

#include <stddef.h>

#include <openssl/x509.h>

/*
 * The DER of x and its length (0 on failure); with der not NULL, a copy in *der that the caller
 * frees with OPENSSL_free. Kept per X509 object (the cache holds a reference): a certificate
 * must not be changed once it has signed.
 */
size_t es__cert_der(X509 *x, unsigned char **der);

#endif
