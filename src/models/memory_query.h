/*
 * memory_query.h — what memory.retrieve and memory.complete share: reading the space name,
 * a query vector and a filter from params, and turning a filter into the rows of a space
 * view that pass it.
 *
 * Filter semantics (api.md, "Memory spaces"): every condition given must hold.
 *   meta: {key: value}            meta[key] equals value (numbers compare as numbers)
 *         {key: {"gte","gt","lte","lt": bound}}   meta[key] within the bounds (numbers with
 *                                 numbers, strings with strings, byte order)
 *   tags_any: [..]                at least one of these tags
 *   tags_all: [..]                every one of these tags
 *   since, until                  event time within [since, until] (RFC 3339)
 *   include_archived              archived memories are left out unless true
 */
#ifndef BASIN_MODELS_MEMORY_QUERY_H
#define BASIN_MODELS_MEMORY_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "basin/space.h"
#include "params.h"

#define MEMORY_FILTER_MAX_KEYS 16
#define MEMORY_FILTER_MAX_TAGS 64
#define MEMORY_QUERY_TEXT_MAX  8192

typedef struct memory_filter {
    json_t *meta;     /* object (owned) or NULL */
    json_t *tags_any; /* array of strings (owned) or NULL */
    json_t *tags_all; /* array of strings (owned) or NULL */
    int64_t since_ms, until_ms;
    bool has_since, has_until;
    bool include_archived;
} memory_filter;

/* Reads key "filter" of r (absent: no conditions but the archived rule). */
void memory_filter_read(param_reader *r, memory_filter *f);
void memory_filter_clear(memory_filter *f);

/* The rows of sp that pass f: *rows = NULL when every row passes (scan all), else a
 * malloc'd list of *n rows in increasing order. 0 or BASIN_ENOMEM. */
int memory_filter_rows(const memory_filter *f, const basin_space *sp, uint32_t **rows, size_t *n);

/* Reads "space": a name of 1..64 characters [A-Za-z0-9_.-]; writes it into name. */
void memory_read_space(param_reader *r, char name[65]);

/* Reads an optional float32 vector at `key` (1..4096 entries, |x| ≤ BASIN_MU_MAX; with
 * positive = true, entries in [BASIN_VAR_MIN, BASIN_VAR_MAX]) into a malloc'd *out of *len
 * entries (NULL, 0 when absent): an array of numbers, or a base64 string of little-endian
 * float32 (no decimal parsing: the fast form for large queries). */
void memory_read_vector(param_reader *r, const char *key, bool positive, float **out, size_t *len);

/* A memory of sp as a result object: {id, text, meta, tags, time, importance, archived}
 * (new reference; meta and tags copied). */
json_t *memory_result_json(const basin_space *sp, uint32_t row);

/* Counts one access of each of the k memories a run returns: their rows are at
 * first_row, first_row + stride bytes, … (the row member of an array of results). A count
 * lost to a failed allocation is not fatal. */
void memory_touch_returned(basin_ctx *ctx, const basin_space *sp, const uint32_t *first_row,
                           size_t stride, size_t k);

/* True when s names a valid space ("space" rule above). */
bool memory_space_name_valid(const char *s);

#endif
