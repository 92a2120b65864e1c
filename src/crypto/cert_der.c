/* The DER of signing certificates, kept per certificate object for the writers that embed it
 * (CMS SignedData, a SES_Signature's TBS_Sign). */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/cert_der.h"

/*
 * A batch signs with one certificate and chain many times, and i2d_X509 re-encodes the whole
 * certificate each time (twice: to size it, then to write it), which cost half of building a
 * SignedData. The entries hold a reference to their X509, so no other certificate can appear
 * at a cached address; a certificate is not changed once it signs. A few entries, LRU-replaced.
 */
#define CERT_CACHE_N 16

typedef struct cert_entry {
    X509 *x; /* a reference held by the cache */
    unsigned char *der;
    size_t n;
    unsigned long used;
} cert_entry;

static cert_entry cert_cache[CERT_CACHE_N];
static unsigned long cert_tick;
static pthread_mutex_t cert_lock = PTHREAD_MUTEX_INITIALIZER;

/* A copy of x's cached DER into *der (when der is not NULL): its length, 0 when not cached. */
static size_t lookup(X509 *x, unsigned char **der)
{
    size_t n = 0;

    pthread_mutex_lock(&cert_lock);
    for (int i = 0; i < CERT_CACHE_N && n == 0; i++) {
        cert_entry *e = &cert_cache[i];
        if (e->x != x)
            continue;
        e->used = ++cert_tick;
        n = e->n;
        if (der != NULL && (*der = OPENSSL_memdup(e->der, e->n)) == NULL)
            n = 0;
    }
    pthread_mutex_unlock(&cert_lock);
    return n;
}

/* Keep der (n bytes, taken) as x's; a lost race with another thread keeps one entry. */
static void insert(X509 *x, unsigned char *der, size_t n)
{
    cert_entry *e = &cert_cache[0], old = {0};

    pthread_mutex_lock(&cert_lock);
    for (int i = 0; i < CERT_CACHE_N; i++)
        if (cert_cache[i].x == x) {
            e = NULL;
            break;
        }
    for (int i = 1; e != NULL && i < CERT_CACHE_N && e->x != NULL; i++)
        if (cert_cache[i].x == NULL || cert_cache[i].used < e->used)
            e = &cert_cache[i];
    if (e != NULL && X509_up_ref(x)) {
        old = *e;
        *e = (cert_entry){x, der, n, ++cert_tick};
        der = NULL;
    }
    pthread_mutex_unlock(&cert_lock);
    X509_free(old.x);
    OPENSSL_free(old.der);
    OPENSSL_free(der);
}

size_t es__cert_der(X509 *x, unsigned char **der)
{
    unsigned char *enc = NULL;
    size_t n = lookup(x, der);
    int len;

    if (n > 0)
        return n;
    if ((len = i2d_X509(x, &enc)) <= 0)
        return 0;
    n = (size_t)len;
    if (der != NULL && (*der = OPENSSL_memdup(enc, n)) == NULL)
        n = 0;
    insert(x, enc, (size_t)len);
    return n;
}
