/* hub.c — see hub.h. The condition variable uses CLOCK_MONOTONIC for its deadlines. */
#include "hub.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/clock.h"

struct hub {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    uint64_t generation;
};

hub *hub_new(void)
{
    hub *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&h->mutex, NULL);
    return h;
}

void hub_free(hub *h)
{
    if (!h)
        return;
    pthread_cond_destroy(&h->cond);
    pthread_mutex_destroy(&h->mutex);
    free(h);
}

void hub_publish(hub *h, const char *job_id)
{
    (void)job_id; /* every waiter re-checks its own job */
    pthread_mutex_lock(&h->mutex);
    h->generation++;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->mutex);
}

uint64_t hub_generation(hub *h)
{
    pthread_mutex_lock(&h->mutex);
    uint64_t g = h->generation;
    pthread_mutex_unlock(&h->mutex);
    return g;
}

bool hub_wait(hub *h, uint64_t seen, int64_t deadline_mono_ms)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_mono_ms / 1000),
                          .tv_nsec = (long)(deadline_mono_ms % 1000) * 1000000L};
    pthread_mutex_lock(&h->mutex);
    while (h->generation == seen && clock_mono_ms() < deadline_mono_ms)
        if (pthread_cond_timedwait(&h->cond, &h->mutex, &ts) != 0)
            break;
    bool moved = h->generation != seen;
    pthread_mutex_unlock(&h->mutex);
    return moved;
}
