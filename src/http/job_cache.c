/* job_cache.c — see job_cache.h. */
#include "job_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 64 /* locks; slot i is guarded by stripe i % STRIPES */

typedef struct entry {
    job_version version; /* version.id[0] == '\0': empty */
    char *body;
    size_t len;
    char etag[JOB_ETAG_CAP];
} entry;

struct job_cache {
    entry *slots;
    size_t mask; /* slots - 1 */
    pthread_mutex_t stripes[STRIPES];
};

job_cache *job_cache_new(size_t slots)
{
    size_t n = STRIPES;
    while (n < slots)
        n *= 2;
    job_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->slots = calloc(n, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->mask = n - 1;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->stripes[i], NULL);
    return c;
}

void job_cache_free(job_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i <= c->mask; i++)
        free(c->slots[i].body);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->stripes[i]);
    free(c->slots);
    free(c);
}

/* FNV-1a over the id: ULIDs share their time prefix, so every byte is mixed in. */
static size_t slot_of(const job_cache *c, const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32)) & c->mask;
}

static bool same_version(const job_version *a, const job_version *b)
{
    return strcmp(a->id, b->id) == 0 && a->status == b->status && a->attempts == b->attempts &&
           a->cancel_requested == b->cancel_requested && a->fence == b->fence &&
           a->updated_at == b->updated_at;
}

bool job_cache_get(job_cache *c, const job_version *v, char **body, size_t *len,
                   char etag[JOB_ETAG_CAP])
{
    size_t i = slot_of(c, v->id);
    pthread_mutex_t *lock = &c->stripes[i % STRIPES];
    bool hit = false;
    pthread_mutex_lock(lock);
    entry *e = &c->slots[i];
    if (e->body && same_version(&e->version, v)) {
        char *copy = malloc(e->len + 1);
        if (copy) {
            memcpy(copy, e->body, e->len + 1);
            *body = copy;
            *len = e->len;
            memcpy(etag, e->etag, JOB_ETAG_CAP);
            hit = true;
        }
    }
    pthread_mutex_unlock(lock);
    return hit;
}

void job_cache_put(job_cache *c, const job_version *v, const char *body, size_t len,
                   const char *etag)
{
    if (len > JOB_CACHE_MAX_BODY || strlen(etag) >= JOB_ETAG_CAP)
        return;
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, body, len);
    copy[len] = '\0';
    size_t i = slot_of(c, v->id);
    pthread_mutex_t *lock = &c->stripes[i % STRIPES];
    pthread_mutex_lock(lock);
    entry *e = &c->slots[i];
    char *old = e->body;
    e->version = *v;
    e->body = copy;
    e->len = len;
    snprintf(e->etag, sizeof e->etag, "%s", etag);
    pthread_mutex_unlock(lock);
    free(old);
}
