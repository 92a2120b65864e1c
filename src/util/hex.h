/* Lower-case hex, the one encoder for the library and the server (PDF /Contents, stored
 * documents, digests in JSON and the database). */
#ifndef ESEAL_UTIL_HEX_H
#define ESEAL_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The lower-case hex of n bytes into out: 2n characters, no terminator. */
void es__hex_lower(const uint8_t *in, size_t n, char *out);
/* The same as a string in out[0..outlen): as many whole bytes as fit, always terminated
 * (outlen > 0). */
void es__hex(const uint8_t *p, size_t n, char *out, size_t outlen);

#endif
