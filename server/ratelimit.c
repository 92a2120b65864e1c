/* Fixed-window attempt counters per key (login name, identity), kept in this process. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_local.h"

/*
 * A fixed table: a key hashes to one slot; a colliding key takes the slot over with a fresh
 * count. That bounds memory under a flood of names at the price of rare resets, which is
 * the safe direction only for availability; docs/server.md notes it.
 */
#define SLOTS 4096

typedef struct slot {
    uint64_t key;
    int64_t window;
    int count;
} slot;

struct srv_limiter {
    pthread_mutex_t mu;
    int max, window_s;
    slot slots[SLOTS];
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h | 1; /* 0 marks an empty slot */
}

srv_limiter *srv_limiter_new(int max, int window_s)
{
    srv_limiter *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->max = max;
    l->window_s = window_s;
    return l;
}

void srv_limiter_free(srv_limiter *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* The key's slot, reset when it belongs to another key or an old window. Locked by caller. */
static slot *find(srv_limiter *l, const char *key)
{
    uint64_t h = fnv1a(key);
    int64_t window = (int64_t)time(NULL) / l->window_s;
    slot *s = &l->slots[h % SLOTS];

    if (s->key != h || s->window != window) {
        s->key = h;
        s->window = window;
        s->count = 0;
    }
    return s;
}

int srv_limiter_blocked(srv_limiter *l, const char *key)
{
    int blocked;

    pthread_mutex_lock(&l->mu);
    blocked = find(l, key)->count >= l->max;
    pthread_mutex_unlock(&l->mu);
    return blocked;
}

void srv_limiter_hit(srv_limiter *l, const char *key)
{
    pthread_mutex_lock(&l->mu);
    find(l, key)->count++;
    pthread_mutex_unlock(&l->mu);
}

void srv_limiter_reset(srv_limiter *l, const char *key)
{
    pthread_mutex_lock(&l->mu);
    find(l, key)->count = 0;
    pthread_mutex_unlock(&l->mu);
}
