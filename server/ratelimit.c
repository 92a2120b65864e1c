/*
 * Attempt limits per key (login name, identity), kept in this process: a leaky bucket in GCRA
 * form. max attempts at once, then one more each window/max. A fixed window let a guesser have
 * 2 x max attempts around a window's end, and its reset made a limit test fail now and then.
 */
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
    int64_t tat; /* theoretical arrival time (ms, monotonic): "full" up to tat - window */
} slot;

struct srv_limiter {
    pthread_mutex_t mu;
    int64_t window, step; /* ms; step = window / max, the time one attempt takes to leak */
    slot slots[SLOTS];
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
    l->window = (int64_t)window_s * 1000;
    l->step = l->window / (max > 0 ? max : 1);
    return l;
}

void srv_limiter_free(srv_limiter *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* The key's slot, emptied when it belonged to another key. Locked by caller. */
static slot *find(srv_limiter *l, const char *key)
{
    uint64_t h = fnv1a(key);
    slot *s = &l->slots[h % SLOTS];

    if (s->key != h) {
        s->key = h;
        s->tat = 0;
    }
    return s;
}

int srv_limiter_blocked(srv_limiter *l, const char *key)
{
    int blocked;

    pthread_mutex_lock(&l->mu);
    /* one more attempt would put the bucket over max */
    blocked = find(l, key)->tat - now_ms() > l->window - l->step;
    pthread_mutex_unlock(&l->mu);
    return blocked;
}

void srv_limiter_hit(srv_limiter *l, const char *key)
{
    int64_t now = now_ms();
    slot *s;

    pthread_mutex_lock(&l->mu);
    s = find(l, key);
    s->tat = (s->tat > now ? s->tat : now) + l->step;
    pthread_mutex_unlock(&l->mu);
}

void srv_limiter_reset(srv_limiter *l, const char *key)
{
    pthread_mutex_lock(&l->mu);
    find(l, key)->tat = 0;
    pthread_mutex_unlock(&l->mu);
}
