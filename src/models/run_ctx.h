/*
 * run_ctx.h — the run context behind basin_ctx (include/basin/model.h).
 *
 * A run context collects everything one run of a model produces — summary, values,
 * series, artifacts, a numerical failure — in memory, and carries the stop request that
 * the owner (a worker, or `basin run`) may raise from another thread. The owner reads the
 * collected output after run() returns and stores or prints it.
 *
 * Threads: the model's thread calls the basin_ctx_* functions; any thread may call
 * run_ctx_request_stop() and run_ctx_get_progress(). Everything else is single-threaded.
 */
#ifndef BASIN_MODELS_RUN_CTX_H
#define BASIN_MODELS_RUN_CTX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/model.h"

typedef struct run_series {
    char name[64];
    int64_t *step;
    double *value;
    size_t n, cap;
} run_series;

typedef struct run_artifact {
    char name[64];
    basin_dtype dtype;
    int ndim;
    int64_t shape[BASIN_MAX_NDIM];
    void *data;
    size_t nbytes;
} run_artifact;

struct basin_ctx {
    basin_limits limits;
    atomic_int stop_reason; /* 0, or BASIN_ECANCELLED / BASIN_ETIMEOUT / BASIN_EFENCED */
    int64_t deadline_ms;    /* wall-clock ms after which should_stop says timeout; 0: none */
    atomic_uint_fast64_t progress_bits; /* the double progress, as bits */

    json_t *summary; /* object of scalars */
    json_t *values;  /* object */
    run_series *series;
    size_t n_series, cap_series;
    size_t total_points;
    run_artifact *artifacts;
    size_t n_artifacts, cap_artifacts;
    uint64_t seed;
    int has_seed;

    int failed;
    char fail_code[32];
    char fail_message[240];
    int64_t fail_step;

    /* Optional progress observer (the CLI's progress bar); called on the model thread. */
    void (*on_progress)(void *user, double fraction);
    void *on_progress_user;

    /* Optional access to memory spaces (include/basin/space.h), installed by the owner. */
    const struct basin_space_provider *spaces;
};

/* A new empty context; NULL on allocation failure. `limits` is copied. */
basin_ctx *run_ctx_new(const basin_limits *limits);
/* Frees everything the context collected; accepts NULL. */
void run_ctx_free(basin_ctx *ctx);
/* Asks the run to stop with `reason` (a basin_err); the first reason wins. */
void run_ctx_request_stop(basin_ctx *ctx, int reason);
/* The reason the run was asked to stop, 0 if none. */
int run_ctx_stop_reason(basin_ctx *ctx);
/* The last progress the model reported, in [0, 1]. */
double run_ctx_get_progress(basin_ctx *ctx);
/* Series `name` or NULL. */
const run_series *run_ctx_find_series(const basin_ctx *ctx, const char *name);
/* Artifact `name` or NULL. */
const run_artifact *run_ctx_find_artifact(const basin_ctx *ctx, const char *name);
/* Bytes per element of a dtype, and its NPY descr ("<f8", ...) and name ("float64"). */
size_t basin_dtype_size(basin_dtype dtype);
const char *basin_dtype_descr(basin_dtype dtype);
const char *basin_dtype_name(basin_dtype dtype);
/* Parses a dtype name ("float64"); returns 0 and writes *out, or BASIN_EINVAL. */
int basin_dtype_parse(const char *name, basin_dtype *out);

#endif
