/* What the PDF verifier's files share beyond pdf_local.h: the checks on a signer. */
#ifndef ESEAL_PDF_VERIFY_LOCAL_H
#define ESEAL_PDF_VERIFY_LOCAL_H

#include <openssl/x509.h>

#include "pdf/pdf_local.h"

/*
 * After the signature value: the signer's chain (at the verification time of docs/pdf.md,
 * with the SignedData's certificates as intermediates) and, when the signed attributes carry
 * a SESeal, the seal checks, signature.cert_in_seal and signature.time_in_seal_validity.
 */
es_err es__pdf_signer_checks(es_report *r, X509 *cert, STACK_OF(X509) * certs,
                             STACK_OF(X509_ATTRIBUTE) * auth, int has_t, es_time t,
                             const es_pdf_verify_opts *o);

#endif
