/* Random bytes from OpenSSL's CSPRNG. */
#include <assert.h>
#include <limits.h>

#include <openssl/rand.h>

#include "eseal/crypto.h"
#include "eseal_local.h"

es_err es_random(void *p, size_t n)
{
    uint8_t *cur = p;

    assert(p != NULL || n == 0);
    /* RAND_bytes takes an int count, so larger requests go in chunks. */
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;

        if (RAND_bytes(cur, chunk) != 1)
            return es__fail_ossl(ES_ERR_CRYPTO, "cannot generate %d random bytes", chunk);
        cur += chunk;
        n -= (size_t)chunk;
    }
    return ES_OK;
}
