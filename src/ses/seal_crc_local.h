/* What src/ofd takes from src/ses to store a seal in a zip without a second pass over its bytes,
 * and the server to hold a batch's seal once instead of in every signature. */
#ifndef ESEAL_SEAL_CRC_LOCAL_H
#define ESEAL_SEAL_CRC_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/ses.h"

/* The zip CRC-32 of es_seal_der(s), computed on first use and kept with the seal (which is
 * immutable after parsing: threads that race compute and store the same value). */
uint32_t es__seal_crc32(const es_seal *s);
/* Where the SESeal TLV lies in the DER SES_Signature p[0..n): *off and *len. ES_ERR_FORMAT when
 * p is not a SES_Signature. */
es_err es__sig_seal_span(const uint8_t *p, size_t n, size_t *off, size_t *len);

#endif
