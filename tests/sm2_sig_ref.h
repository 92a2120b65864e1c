/*
 * The SM2 signature decoder eseal had before its own strict DER reader, kept as the reference
 * both the unit test (tests/crypto/test_sm2_sig.c) and the fuzzer (fuzz/fuzz_sm2_sig.c) compare
 * eseal against. Plain C over OpenSSL, no cmocka: the fuzzer links it too.
 */
#ifndef ESEAL_TESTS_SM2_SIG_REF_H
#define ESEAL_TESTS_SM2_SIG_REF_H

#include <stddef.h>
#include <stdint.h>

/*
 * d2i_ECDSA_SIG using every byte and giving back the same bytes through i2d_ECDSA_SIG (strict
 * DER), else 64 bytes read as r||s; r and s in [1, n-1]. 1 = accepted (raw filled, *der says
 * which encoding), 0 = refused. Aborts when OpenSSL cannot allocate.
 */
int sm2_sig_ref_decode(const uint8_t *sig, size_t n, uint8_t raw[64], int *der);

#endif
