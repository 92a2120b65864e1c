/* Hand-written DER pieces shared by the writers that frame large contents in place
 * (src/ses/sig_der.c for TBS_Sign, src/cms/cms_sign.c for SignedData). */
#ifndef ESEAL_UTIL_DER_H
#define ESEAL_UTIL_DER_H

#include <stddef.h>
#include <stdint.h>

/* The DER length octets for content of n bytes: their count, written to out unless NULL. */
size_t es__der_len(uint8_t *out, size_t n);

#endif
