/* The new /ID strings of an update: unique, without a call to the random generator each time. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "eseal/crypto.h"
#include "pdf/pdf_local.h"

/*
 * An /ID string only has to be new (ISO 32000-2 14.4), not secret: RAND_bytes per signature
 * (the DRBG's locks and reseed checks) cost as much as writing all the update's numbers. Here a
 * secret drawn once per process, the process id (a forked server's children share the secret)
 * and a counter go through a bijective mixer: no two calls of one process give the same value,
 * and other processes differ by their secret and id.
 */
static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static uint64_t id_secret[4];
static es_err id_rc;
static atomic_ullong id_count;

static void id_init(void)
{
    id_rc = es_random(id_secret, sizeof(id_secret));
}

/* splitmix64's finaliser: a bijection of 64-bit values. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

es_err es__pdf_new_id(uint8_t out[32])
{
    uint64_t pid = (uint64_t)getpid(), n, v[4];

    pthread_once(&id_once, id_init);
    if (id_rc != ES_OK)
        return es_random(out, 32);
    n = atomic_fetch_add(&id_count, 1);
    v[0] = mix(id_secret[0] ^ pid);
    v[1] = mix(id_secret[1] + n);
    v[2] = mix(id_secret[2] ^ pid);
    v[3] = mix(id_secret[3] + n);
    memcpy(out, v, sizeof(v));
    return ES_OK;
}
