/*
 * memory_complete.c — job kind `memory.complete` (memory.md): associative recall. The
 * means of a space's memories (after the filter) are the stored patterns X of a modern
 * Hopfield network (Ramsauer et al.; lectures-hebbian-ebm-diffusion.txt); a partial or
 * noisy cue ξ is completed by iterating
 *     ξ ← X softmax(β Xᵀ ξ)
 * until ‖Δξ‖∞ ≤ tol or `steps` updates. Values: the fixed point ("state"), whether it
 * converged, and the memories the final state attends to most (weight = softmax weight,
 * with the cosine between the state and each memory's mean), nearest first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/retrieval.h"
#include "basin/space.h"
#include "memory_query.h"
#include "run_ctx.h"
#include "util/clock.h"

typedef struct complete_config {
    char space[65];
    float *vector;
    size_t dim;
    double beta, tol;
    int steps, k;
    memory_filter filter;
} complete_config;

static void free_config(void *p)
{
    complete_config *c = p;
    if (!c)
        return;
    free(c->vector);
    memory_filter_clear(&c->filter);
    free(c);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    (void)limits;
    complete_config *c = calloc(1, sizeof *c);
    if (!c)
        return BASIN_ENOMEM;
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    memory_read_space(&r, c->space);
    memory_read_vector(&r, "vector", false, &c->vector, &c->dim);
    if (!c->vector && !params_failed(&r))
        params_problem(&r, "vector", "is required: the cue to complete");
    c->beta = params_real_gt(&r, "beta", 8.0, 0.0, 1e4);
    c->steps = (int)params_int(&r, "steps", 10, 1, 100);
    c->tol = params_real(&r, "tol", 1e-6, 0.0, 1.0);
    c->k = (int)params_int(&r, "k", 10, 1, 1000);
    memory_filter_read(&r, &c->filter);
    if (params_close(&r, normalized)) {
        free_config(c);
        return BASIN_EINVAL;
    }
    *config = c;
    return 0;
}

typedef struct weighted {
    uint32_t row;
    double p;
} weighted;

static int cmp_weight(const void *a, const void *b)
{
    const weighted *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int run(const void *config, basin_ctx *ctx)
{
    const complete_config *cfg = config;
    int64_t t0 = clock_mono_ms();
    const basin_space *sp = NULL;
    int rc = basin_ctx_space_acquire(ctx, cfg->space, &sp);
    if (rc == BASIN_EINVAL || rc == BASIN_ENOTFOUND) {
        basin_ctx_fail(ctx, rc == BASIN_EINVAL ? "unavailable" : "not_found", 0,
                       rc == BASIN_EINVAL ? "memory spaces are not available to this run"
                                          : "no memory space named %s",
                       cfg->space);
        return BASIN_EDIVERGED;
    }
    if (rc)
        return rc;
    uint32_t *rows = NULL;
    size_t n = 0, d = (size_t)sp->dim;
    float *xi = NULL;
    double *p = NULL;
    weighted *w = NULL;
    if (cfg->dim != d) {
        basin_ctx_fail(ctx, "invalid_query", 0, "/vector: has %zu entries; space %s has dim %d",
                       cfg->dim, sp->name, sp->dim);
        rc = BASIN_EDIVERGED;
        goto done;
    }
    rc = memory_filter_rows(&cfg->filter, sp, &rows, &n);
    if (rc)
        goto done;
    double work = (double)n * (double)d * 2.0 * (cfg->steps + 1);
    if (work > (double)ctx->limits.max_work) {
        basin_ctx_fail(ctx, "resource_limit", 0,
                       "completing over %zu memories of dim %zu for %d steps needs about %.3g "
                       "operations; the limit is %.3g (filter the space)",
                       n, d, cfg->steps, work, (double)ctx->limits.max_work);
        rc = BASIN_EDIVERGED;
        goto done;
    }
    xi = malloc(d * sizeof *xi);
    p = malloc((n ? n : 1) * sizeof *p);
    w = malloc((n ? n : 1) * sizeof *w);
    if (!xi || !p || !w) {
        rc = BASIN_ENOMEM;
        goto done;
    }
    memcpy(xi, cfg->vector, d * sizeof *xi);
    int steps = 0;
    bool converged = false;
    if (n > 0) {
        /* Run one update at a time so that the last change is known and cancellation is
         * honoured between updates. */
        float *prev = malloc(d * sizeof *prev);
        if (!prev) {
            rc = BASIN_ENOMEM;
            goto done;
        }
        for (steps = 0; steps < cfg->steps && !converged; steps++) {
            if (basin_ctx_should_stop(ctx)) {
                free(prev);
                rc = BASIN_ECANCELLED;
                goto done;
            }
            memcpy(prev, xi, d * sizeof *xi);
            rc = basin_hopfield_complete(sp->dim, sp->scan.mu, rows, n, cfg->beta, 1, 0.0, xi, p);
            if (rc < 0) {
                free(prev);
                goto done;
            }
            rc = 0;
            double change = 0.0;
            for (size_t j = 0; j < d; j++)
                change = fmax(change, fabs((double)xi[j] - prev[j]));
            basin_ctx_series(ctx, "change", steps + 1, change);
            converged = change <= cfg->tol;
            basin_ctx_progress(ctx, (double)(steps + 1) / cfg->steps);
        }
        free(prev);
    }
    for (size_t i = 0; i < n; i++)
        w[i] = (weighted){rows ? rows[i] : (uint32_t)i, p[i]};
    qsort(w, n, sizeof *w, cmp_weight);
    json_t *state = json_array();
    double xx = 0.0;
    for (size_t j = 0; j < d; j++) {
        json_array_append_new(state, json_real(xi[j]));
        xx += (double)xi[j] * xi[j];
    }
    json_t *results = json_array();
    size_t k = n < (size_t)cfg->k ? n : (size_t)cfg->k;
    for (size_t i = 0; i < k; i++) {
        json_t *item = memory_result_json(sp, w[i].row);
        double cos = basin_metric_exact(BASIN_METRIC_COSINE, sp->dim, sp->scan.mu + w[i].row * d,
                                        NULL, xi, NULL);
        json_object_set_new(item, "weight", json_real(w[i].p));
        json_object_set_new(item, "cosine", json_real(cos));
        json_array_append_new(results, item);
    }
    if (k) /* w may be NULL when nothing was found */
        memory_touch_returned(ctx, sp, &w[0].row, sizeof *w, k);
    basin_ctx_value(ctx, "state", state);
    basin_ctx_value(ctx, "results", results);
    basin_ctx_value(ctx, "steps", json_integer(steps));
    basin_ctx_value(ctx, "converged", json_boolean(converged));
    basin_ctx_value(ctx, "patterns", json_integer((json_int_t)n));
    basin_ctx_value(ctx, "elapsed_ms", json_real((double)(clock_mono_ms() - t0)));
    basin_ctx_summary_int(ctx, "steps", steps);
    basin_ctx_summary_bool(ctx, "converged", converged);
    basin_ctx_summary_int(ctx, "patterns", (int64_t)n);
    basin_ctx_summary_real(ctx, "top_weight", k ? w[0].p : 0.0);
    basin_ctx_summary_real(ctx, "state_norm", sqrt(xx));

done:
    free(xi);
    free(p);
    free(w);
    free(rows);
    basin_ctx_space_release(ctx, sp);
    return rc;
}

const basin_model model_memory_complete = {
    .kind = "memory.complete",
    .version = "1",
    .summary = "Associative completion of a partial or noisy cue by a modern Hopfield network "
               "over the memories of a space",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
