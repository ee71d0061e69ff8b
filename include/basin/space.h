/*
 * space.h — how a model reads a memory space without speaking SQL: a read view of the
 * space's memories held in memory, and the provider hook on the run context that hands
 * such views out.
 *
 * DESIGN. The memories of a space live in SQLite (the store), but retrieval is a scan, and
 * a scan wants its vectors contiguous. So the store keeps, per space, a cache: the means
 * and standard deviations as n × d float32 arrays, their norms and quantised copies, and
 * the per-memory fields filters read (ids, times, tags, meta, archived). It is loaded on
 * first use and updated by every write through the store, inside the writer's critical
 * section, after the write commits — so a view never shows an uncommitted write, and a
 * view acquired after a write returns sees it.
 *
 * A model asks its run context for a view by space name (basin_ctx_space_acquire); the
 * view is a shared read lock on that cache: stable (rows neither move nor change) until
 * basin_ctx_space_release, and writers wait for it. Hold it for one retrieval, not longer.
 * The owner of the run context installs the provider: the worker pool for jobs, the HTTP
 * search endpoint for synchronous searches. Without one (basin run) acquire fails with
 * BASIN_EINVAL.
 *
 * Text search (BM25) cannot come from the cache: it is an FTS5 query, run by the provider
 * on behalf of the model, and answered in rows of the view the model holds.
 */
#ifndef BASIN_SPACE_H
#define BASIN_SPACE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/model.h"
#include "basin/retrieval.h"

#define BASIN_SPACE_ID_LEN 26 /* memory ids: ULIDs */

/* A read view of one space: n memories in rows 0..n-1, every array indexed by row. All
 * borrowed from the provider; valid until released. */
typedef struct basin_space {
    const char *name;
    int dim;
    const char *embedder; /* "none" or "hash" */
    const char *metric;   /* the space's default channel */
    size_t n;
    basin_scan_data scan; /* mu, sigma (n × dim float32), norms, quantised copies */
    const char (*ids)[BASIN_SPACE_ID_LEN + 1];
    char *const *text;   /* NULL where a memory has no text */
    json_t *const *meta; /* objects; read only (do not incref: the provider owns them) */
    json_t *const *tags; /* arrays of strings; read only */
    const int64_t *event_time, *created_at; /* ms since the epoch */
    const float *importance;
    const uint8_t *archived;
} basin_space;

typedef struct basin_space_provider {
    void *user;
    /* A view of space `name`: 0 and *out, BASIN_ENOTFOUND, or a store error. */
    int (*acquire)(void *user, const char *name, const basin_space **out);
    void (*release)(void *user, const basin_space *sp);
    /* Counts one access to each of rows[0..n) of sp, which the caller holds: the memories
     * a retrieval returned (memory.md: a memory's access count). May be NULL. */
    void (*touch)(void *user, const basin_space *sp, const uint32_t *rows, size_t n);
    /* BM25 over the texts of sp (FTS5): the best `limit` matches of the words of `query`
     * (any word may match) as rows of sp with their score (−bm25: larger is better), best
     * first, into rows[0..*n) and score[0..*n). A query without words matches nothing. */
    int (*text_search)(void *user, const basin_space *sp, const char *query, size_t limit,
                       uint32_t *rows, double *score, size_t *n);
} basin_space_provider;

/* Installs a provider on a run context (borrowed: it must outlive the run). */
void basin_ctx_set_spaces(basin_ctx *ctx, const basin_space_provider *provider);

/* The provider's acquire / release / touch / text_search, or BASIN_EINVAL without a
 * provider (touch: nothing). */
int basin_ctx_space_acquire(basin_ctx *ctx, const char *name, const basin_space **out);
void basin_ctx_space_release(basin_ctx *ctx, const basin_space *sp);
void basin_ctx_space_touch(basin_ctx *ctx, const basin_space *sp, const uint32_t *rows, size_t n);
int basin_ctx_text_search(basin_ctx *ctx, const basin_space *sp, const char *query, size_t limit,
                          uint32_t *rows, double *score, size_t *n);

#endif
