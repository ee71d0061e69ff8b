/*
 * job_cache.h — rendered JSON of finished jobs, so that clients polling a job that is done
 * are answered without parsing and re-serialising its params and summary every time.
 *
 * A finished job's representation changes only if the row changes, and every change of a
 * row bumps at least one of (status, attempts, fence, updated_at, cancel_requested): an
 * entry is used only when the row's current version, read from the store on each request,
 * equals the version it was rendered from. A deleted job is simply not found there, so
 * nothing is ever served stale, even when another process changed the database.
 *
 * Entries live in a fixed direct-mapped table (a colliding id replaces the older entry);
 * bodies above JOB_CACHE_MAX_BODY are not cached. Thread-safe (striped locks).
 */
#ifndef BASIN_HTTP_JOB_CACHE_H
#define BASIN_HTTP_JOB_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define JOB_CACHE_MAX_BODY (32u * 1024u)
#define JOB_ETAG_CAP       40 /* as http_response.etag */

typedef struct job_cache job_cache;

/* A cache of `slots` entries (rounded up to a power of two); NULL when out of memory. */
job_cache *job_cache_new(size_t slots);
void job_cache_free(job_cache *c);

/* On a hit, *body receives a malloc'd copy (NUL-terminated) of the cached body, *len its
 * length and etag the quoted entity tag; returns true. */
bool job_cache_get(job_cache *c, const job_version *v, char **body, size_t *len,
                   char etag[JOB_ETAG_CAP]);
/* Stores a copy of body for v (ignored when too large or out of memory). */
void job_cache_put(job_cache *c, const job_version *v, const char *body, size_t len,
                   const char *etag);

#endif
