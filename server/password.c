/* Password hashing with Argon2id (libargon2) and a random salt per account. */
#include <argon2.h>
#include <pthread.h>
#include <string.h>

#include "eseal/crypto.h"
#include "server_local.h"

/* OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane. */
#define T_COST   2
#define M_COST   19456
#define LANES    1
#define SALT_LEN 16
#define HASH_LEN 32

int srv_password_hash(const char *password, char *out, size_t outlen)
{
    uint8_t salt[SALT_LEN];

    if (es_random(salt, sizeof(salt)) != ES_OK)
        return -1;
    return argon2id_hash_encoded(T_COST, M_COST, LANES, password, strlen(password), salt,
                                 sizeof(salt), HASH_LEN, out, outlen) == ARGON2_OK
               ? 0
               : -1;
}

/* A real hash to verify against for unknown logins, made once with the same parameters. */
static char dummy[192];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    if (srv_password_hash("no such account", dummy, sizeof(dummy)) != 0)
        dummy[0] = '\0';
}

int srv_password_verify(const char *encoded, const char *password)
{
    /* An unknown login costs as much as a wrong password, so timing does not tell them apart. */
    if (encoded == NULL || encoded[0] == '\0') {
        pthread_once(&dummy_once, make_dummy);
        if (dummy[0])
            (void)argon2id_verify(dummy, password, strlen(password));
        return 0;
    }
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}
