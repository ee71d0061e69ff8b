/* ratelimit.c — see ratelimit.h. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/clock.h"

#define BUCKETS 256

typedef struct bucket {
    char key[32];
    double tokens;
    int64_t refilled_ms; /* clock_mono_ms() of the last refill; also LRU age */
} bucket;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static bucket table[BUCKETS];
static double rate_per_s;

void ratelimit_configure(double rate)
{
    pthread_mutex_lock(&mutex);
    rate_per_s = rate > 0 ? rate : 0;
    memset(table, 0, sizeof table);
    pthread_mutex_unlock(&mutex);
}

bool ratelimit_take(const char *token_id, int *retry_after_s)
{
    pthread_mutex_lock(&mutex);
    if (rate_per_s <= 0 || !token_id[0]) {
        pthread_mutex_unlock(&mutex);
        return true;
    }
    int64_t now = clock_mono_ms();
    double burst = 2.0 * rate_per_s;
    bucket *b = NULL, *oldest = &table[0];
    for (int i = 0; i < BUCKETS && !b; i++) {
        if (strncmp(table[i].key, token_id, sizeof table[i].key - 1) == 0)
            b = &table[i];
        else if (table[i].refilled_ms < oldest->refilled_ms)
            oldest = &table[i];
    }
    if (!b) { /* a new token, or the least recently seen one's place */
        b = oldest;
        strncpy(b->key, token_id, sizeof b->key - 1);
        b->key[sizeof b->key - 1] = '\0';
        b->tokens = burst;
        b->refilled_ms = now;
    }
    b->tokens += (double)(now - b->refilled_ms) / 1000.0 * rate_per_s;
    if (b->tokens > burst)
        b->tokens = burst;
    b->refilled_ms = now;
    bool ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else
        *retry_after_s = (int)ceil((1.0 - b->tokens) / rate_per_s);
    pthread_mutex_unlock(&mutex);
    return ok;
}
