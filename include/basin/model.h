/*
 * model.h — the interface between a job kind (a model) and whoever runs it.
 *
 * A model is a row of the registry: it turns a params JSON object into a validated,
 * normalised config (parse), and runs that config against a run context (run). The
 * context is all a model sees of the world: it reports progress, asks whether to stop,
 * appends series points, attaches artifacts and sets summary scalars. The same model
 * code runs under a worker thread of `basin serve` and in-process under `basin run`.
 *
 * Ownership: parse() owns nothing it is given; it returns a new normalised JSON object
 * and a config the caller frees with free_config(). run() borrows the config and ctx.
 */
#ifndef BASIN_MODEL_H
#define BASIN_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/error.h"

/* ---- problems: what was wrong with a request, one JSON pointer each ------------------ */

#define BASIN_PROBLEMS_MAX 32

typedef struct basin_problem {
    char pointer[160]; /* JSON pointer into the request body, e.g. "/params/n" */
    char message[240];
} basin_problem;

/* A bounded list of problems: past BASIN_PROBLEMS_MAX further ones are only counted. */
typedef struct basin_problems {
    basin_problem items[BASIN_PROBLEMS_MAX];
    size_t count;
    size_t dropped;
    bool over_limit; /* some problem is work beyond a configured limit (resource_limit) */
} basin_problems;

/* Appends a problem at `pointer` with a printf-style message. */
void basin_problems_add(basin_problems *p, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- limits: work a model must refuse at submit time -------------------------------- */

typedef struct basin_limits {
    int64_t max_work;           /* elementary operations one job may plan (≈ seconds × 1e9) */
    int64_t max_array_elements; /* elements of any one array a job holds or returns */
    int64_t max_series_points;  /* series points one job may record, all series together */
} basin_limits;

/* The defaults used by serve and run unless configured otherwise. */
extern const basin_limits basin_default_limits;

/* ---- the run context ----------------------------------------------------------------- */

typedef struct basin_ctx basin_ctx;

typedef enum basin_dtype {
    BASIN_F64,
    BASIN_F32,
    BASIN_I64,
    BASIN_I32,
    BASIN_I8,
    BASIN_U8,
} basin_dtype;

#define BASIN_MAX_NDIM 8

/* True when the run must stop now: cancelled, timed out, lease lost or shutting down.
 * Cheap (an atomic load and a clock read): call it at least every ~50 ms of work. */
bool basin_ctx_should_stop(basin_ctx *ctx);

/* Reports progress in [0, 1]; values outside are clamped. */
void basin_ctx_progress(basin_ctx *ctx, double fraction);

/* Appends point (step, value) to series `name` (created on first use). Steps of one series
 * must increase. Returns BASIN_ELIMIT past the series point limit, BASIN_ENOMEM. */
int basin_ctx_series(basin_ctx *ctx, const char *name, int64_t step, double value);

/* Attaches an n-d array (row-major, `ndim` ≤ BASIN_MAX_NDIM); the data is copied.
 * A second artifact of the same name replaces the first. */
int basin_ctx_artifact(basin_ctx *ctx, const char *name, basin_dtype dtype, int ndim,
                       const int64_t *shape, const void *data);

/* As basin_ctx_artifact, without the copy: takes ownership of `data`, a malloc'd block
 * holding the whole array, which the context frees — also when the call fails, so the
 * caller never frees it. The run may go on reading (not writing) the array until it
 * returns, unless an artifact of the same name replaces it. */
int basin_ctx_artifact_take(basin_ctx *ctx, const char *name, basin_dtype dtype, int ndim,
                            const int64_t *shape, void *data);

/* malloc for large arrays: from 4 MiB on, the block is 2 MiB-aligned and advised for
 * transparent huge pages (first touch then costs a fault per 2 MiB, not per 4 KiB, as
 * NumPy's allocator does). Release with free(); NULL when out of memory. */
void *basin_array_alloc(size_t nbytes);

/* Summary scalars: the flat object jobs are filtered and sorted by. Non-finite reals are
 * stored as null. */
void basin_ctx_summary_real(basin_ctx *ctx, const char *name, double value);
void basin_ctx_summary_int(basin_ctx *ctx, const char *name, int64_t value);
void basin_ctx_summary_bool(basin_ctx *ctx, const char *name, bool value);
void basin_ctx_summary_string(basin_ctx *ctx, const char *name, const char *value);

/* Sets key `name` of the structured `values` object; steals the reference to `value`. */
void basin_ctx_value(basin_ctx *ctx, const char *name, json_t *value);

/* Records the seed the run used (reported with the result). */
void basin_ctx_seed(basin_ctx *ctx, uint64_t seed);

/* Records a numerical failure (code e.g. "diverged") at `step`; the run should then
 * return BASIN_EDIVERGED. Series and artifacts recorded so far are kept. */
void basin_ctx_fail(basin_ctx *ctx, const char *code, int64_t step, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the model registry entry -------------------------------------------------------- */

typedef struct basin_model {
    const char *kind;    /* "hopfield" */
    const char *version; /* bumped when results of the same params change */
    const char *summary; /* one line for GET /v1/models */

    /* Validates `params` (borrowed; NULL means {}). On success returns 0 and writes
     * *normalized (new reference: every parameter, defaults filled, seed chosen) and
     * *config (free with free_config). On failure returns BASIN_EINVAL having appended
     * one problem per offending field (pointers prefixed with `pointer`, e.g. "/params"),
     * or BASIN_ELIMIT when the work exceeds `limits` (also with a problem). When `schema`
     * is not NULL, parse also describes every parameter it reads into it (JSON Schema). */
    int (*parse)(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config);

    /* Runs a parsed config. Returns 0 on success, BASIN_ECANCELLED when it stopped because
     * basin_ctx_should_stop() said so, BASIN_EDIVERGED after basin_ctx_fail(), or another
     * negative code on failure. */
    int (*run)(const void *config, basin_ctx *ctx);

    /* Frees a config from parse; accepts NULL. */
    void (*free_config)(void *config);
} basin_model;

/* The registry: every kind basin runs, in a stable order. */
extern const basin_model *const basin_models[];
extern const size_t basin_n_models;

/* Looks a kind up; NULL when unknown. */
const basin_model *basin_model_find(const char *kind);

#endif
