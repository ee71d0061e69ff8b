/*
 * run_ctx.c — in-memory collection of a run's output and its stop flag (see run_ctx.h).
 */
#include "run_ctx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/clock.h"

static const struct {
    const char *descr, *name;
    size_t size;
} dtype_table[] = {
    [BASIN_F64] = {"<f8", "float64", 8}, [BASIN_F32] = {"<f4", "float32", 4},
    [BASIN_I64] = {"<i8", "int64", 8},   [BASIN_I32] = {"<i4", "int32", 4},
    [BASIN_I8] = {"|i1", "int8", 1},     [BASIN_U8] = {"|u1", "uint8", 1},
};

size_t basin_dtype_size(basin_dtype dtype)
{
    return dtype_table[dtype].size;
}

const char *basin_dtype_descr(basin_dtype dtype)
{
    return dtype_table[dtype].descr;
}

const char *basin_dtype_name(basin_dtype dtype)
{
    return dtype_table[dtype].name;
}

int basin_dtype_parse(const char *name, basin_dtype *out)
{
    for (int i = 0; i < (int)(sizeof dtype_table / sizeof dtype_table[0]); i++)
        if (strcmp(dtype_table[i].name, name) == 0) {
            *out = (basin_dtype)i;
            return 0;
        }
    return BASIN_EINVAL;
}

const basin_limits basin_default_limits = {
    .max_work = 2000000000000LL,   /* ~30 min of simple flops: longer belongs in a sweep */
    .max_array_elements = 1 << 26, /* 64 Mi elements: 512 MiB of float64 */
    .max_series_points = 1000000,
};

void basin_problems_add(basin_problems *p, const char *pointer, const char *fmt, ...)
{
    if (p->count >= BASIN_PROBLEMS_MAX) {
        p->dropped++;
        return;
    }
    basin_problem *it = &p->items[p->count++];
    snprintf(it->pointer, sizeof it->pointer, "%s", pointer);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
}

basin_ctx *run_ctx_new(const basin_limits *limits)
{
    basin_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->limits = *limits;
    atomic_init(&ctx->stop_reason, 0);
    atomic_init(&ctx->progress_bits, 0);
    ctx->summary = json_object();
    ctx->values = json_object();
    if (!ctx->summary || !ctx->values) {
        run_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void run_ctx_free(basin_ctx *ctx)
{
    if (!ctx)
        return;
    json_decref(ctx->summary);
    json_decref(ctx->values);
    for (size_t i = 0; i < ctx->n_series; i++) {
        free(ctx->series[i].step);
        free(ctx->series[i].value);
    }
    free(ctx->series);
    for (size_t i = 0; i < ctx->n_artifacts; i++)
        free(ctx->artifacts[i].data);
    free(ctx->artifacts);
    free(ctx);
}

void run_ctx_request_stop(basin_ctx *ctx, int reason)
{
    int expected = 0;
    atomic_compare_exchange_strong(&ctx->stop_reason, &expected, reason);
}

int run_ctx_stop_reason(basin_ctx *ctx)
{
    return atomic_load(&ctx->stop_reason);
}

bool basin_ctx_should_stop(basin_ctx *ctx)
{
    if (atomic_load_explicit(&ctx->stop_reason, memory_order_relaxed))
        return true;
    if (ctx->deadline_ms && clock_wall_ms() >= ctx->deadline_ms) {
        run_ctx_request_stop(ctx, BASIN_ETIMEOUT);
        return true;
    }
    return false;
}

void basin_ctx_progress(basin_ctx *ctx, double fraction)
{
    if (!(fraction >= 0.0))
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    uint64_t bits;
    memcpy(&bits, &fraction, sizeof bits);
    atomic_store_explicit(&ctx->progress_bits, bits, memory_order_relaxed);
    if (ctx->on_progress)
        ctx->on_progress(ctx->on_progress_user, fraction);
}

double run_ctx_get_progress(basin_ctx *ctx)
{
    uint64_t bits = atomic_load_explicit(&ctx->progress_bits, memory_order_relaxed);
    double fraction;
    memcpy(&fraction, &bits, sizeof fraction);
    return fraction;
}

const run_series *run_ctx_find_series(const basin_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_series; i++)
        if (strcmp(ctx->series[i].name, name) == 0)
            return &ctx->series[i];
    return NULL;
}

const run_artifact *run_ctx_find_artifact(const basin_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_artifacts; i++)
        if (strcmp(ctx->artifacts[i].name, name) == 0)
            return &ctx->artifacts[i];
    return NULL;
}

/* Grows *items (each `size` bytes) so that one more fits; 0 or BASIN_ENOMEM. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*items, ncap * size);
    if (!p)
        return BASIN_ENOMEM;
    *items = p;
    *cap = ncap;
    return 0;
}

int basin_ctx_series(basin_ctx *ctx, const char *name, int64_t step, double value)
{
    if (ctx->total_points >= (size_t)ctx->limits.max_series_points)
        return BASIN_ELIMIT;
    run_series *s = (run_series *)run_ctx_find_series(ctx, name);
    if (!s) {
        if (grow((void **)&ctx->series, &ctx->cap_series, ctx->n_series, sizeof *s))
            return BASIN_ENOMEM;
        s = &ctx->series[ctx->n_series++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        int64_t *st = realloc(s->step, ncap * sizeof *st);
        if (!st)
            return BASIN_ENOMEM;
        s->step = st;
        double *va = realloc(s->value, ncap * sizeof *va);
        if (!va)
            return BASIN_ENOMEM;
        s->value = va;
        s->cap = ncap;
    }
    s->step[s->n] = step;
    s->value[s->n] = value;
    s->n++;
    ctx->total_points++;
    return 0;
}

#define HUGE_MIN   ((size_t)4 << 20) /* arrays from 4 MiB on get transparent huge pages */
#define HUGE_ALIGN ((size_t)2 << 20)

void *basin_array_alloc(size_t nbytes)
{
#ifdef MADV_HUGEPAGE
    if (nbytes >= HUGE_MIN) {
        void *p = NULL;
        if (posix_memalign(&p, HUGE_ALIGN, nbytes) != 0)
            return NULL;
        /* advice only: where THP is off or the call fails, the block works as any other */
        (void)madvise(p, nbytes & ~(size_t)4095, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(nbytes ? nbytes : 1);
}

/* Attaches `data` (nbytes, owned from here on) as artifact `name`; on failure frees it. */
static int attach(basin_ctx *ctx, const char *name, basin_dtype dtype, int ndim,
                  const int64_t *shape, void *data, size_t nbytes)
{
    run_artifact *a = (run_artifact *)run_ctx_find_artifact(ctx, name);
    if (a) {
        if (a->data != data) /* the same block taken again stays */
            free(a->data);
    } else {
        if (grow((void **)&ctx->artifacts, &ctx->cap_artifacts, ctx->n_artifacts, sizeof *a)) {
            free(data);
            return BASIN_ENOMEM;
        }
        a = &ctx->artifacts[ctx->n_artifacts++];
        memset(a, 0, sizeof *a);
        snprintf(a->name, sizeof a->name, "%s", name);
    }
    a->dtype = dtype;
    a->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        a->shape[d] = shape[d];
    a->data = data;
    a->nbytes = nbytes;
    return 0;
}

/* The byte size of an array of `shape`, checked against the limits; 0 or a basin_err. */
static int artifact_bytes(const basin_ctx *ctx, basin_dtype dtype, int ndim, const int64_t *shape,
                          size_t *nbytes)
{
    if (ndim < 0 || ndim > BASIN_MAX_NDIM)
        return BASIN_EINVAL;
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return BASIN_EINVAL;
        count *= (size_t)shape[d];
    }
    if (count > (size_t)ctx->limits.max_array_elements)
        return BASIN_ELIMIT;
    *nbytes = count * basin_dtype_size(dtype);
    return 0;
}

int basin_ctx_artifact(basin_ctx *ctx, const char *name, basin_dtype dtype, int ndim,
                       const int64_t *shape, const void *data)
{
    size_t nbytes = 0;
    int rc = artifact_bytes(ctx, dtype, ndim, shape, &nbytes);
    if (rc)
        return rc;
    void *copy = basin_array_alloc(nbytes);
    if (!copy)
        return BASIN_ENOMEM;
    memcpy(copy, data, nbytes);
    return attach(ctx, name, dtype, ndim, shape, copy, nbytes);
}

int basin_ctx_artifact_take(basin_ctx *ctx, const char *name, basin_dtype dtype, int ndim,
                            const int64_t *shape, void *data)
{
    size_t nbytes = 0;
    int rc = artifact_bytes(ctx, dtype, ndim, shape, &nbytes);
    if (rc) {
        free(data);
        return rc;
    }
    if (!data && !(data = malloc(1))) /* an empty array: still a block, as the copy makes */
        return BASIN_ENOMEM;
    return attach(ctx, name, dtype, ndim, shape, data, nbytes);
}

void basin_ctx_summary_real(basin_ctx *ctx, const char *name, double value)
{
    json_object_set_new(ctx->summary, name, isfinite(value) ? json_real(value) : json_null());
}

void basin_ctx_summary_int(basin_ctx *ctx, const char *name, int64_t value)
{
    json_object_set_new(ctx->summary, name, json_integer(value));
}

void basin_ctx_summary_bool(basin_ctx *ctx, const char *name, bool value)
{
    json_object_set_new(ctx->summary, name, json_boolean(value));
}

void basin_ctx_summary_string(basin_ctx *ctx, const char *name, const char *value)
{
    json_object_set_new(ctx->summary, name, json_string(value));
}

void basin_ctx_value(basin_ctx *ctx, const char *name, json_t *value)
{
    json_object_set_new(ctx->values, name, value);
}

void basin_ctx_seed(basin_ctx *ctx, uint64_t seed)
{
    ctx->seed = seed;
    ctx->has_seed = 1;
}

void basin_ctx_fail(basin_ctx *ctx, const char *code, int64_t step, const char *fmt, ...)
{
    ctx->failed = 1;
    snprintf(ctx->fail_code, sizeof ctx->fail_code, "%s", code);
    ctx->fail_step = step;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->fail_message, sizeof ctx->fail_message, fmt, ap);
    va_end(ap);
}
