/*
 * memory_space.c — the run context's hook to memory spaces (include/basin/space.h): the
 * owner of a run installs a provider; models reach it only through these functions.
 */
#include "basin/space.h"
#include "run_ctx.h"

void basin_ctx_set_spaces(basin_ctx *ctx, const basin_space_provider *provider)
{
    ctx->spaces = provider;
}

int basin_ctx_space_acquire(basin_ctx *ctx, const char *name, const basin_space **out)
{
    if (!ctx->spaces || !ctx->spaces->acquire)
        return BASIN_EINVAL;
    return ctx->spaces->acquire(ctx->spaces->user, name, out);
}

void basin_ctx_space_release(basin_ctx *ctx, const basin_space *sp)
{
    if (sp && ctx->spaces && ctx->spaces->release)
        ctx->spaces->release(ctx->spaces->user, sp);
}

void basin_ctx_space_touch(basin_ctx *ctx, const basin_space *sp, const uint32_t *rows, size_t n)
{
    if (sp && n && ctx->spaces && ctx->spaces->touch)
        ctx->spaces->touch(ctx->spaces->user, sp, rows, n);
}

int basin_ctx_text_search(basin_ctx *ctx, const basin_space *sp, const char *query, size_t limit,
                          uint32_t *rows, double *score, size_t *n)
{
    if (!ctx->spaces || !ctx->spaces->text_search)
        return BASIN_EINVAL;
    return ctx->spaces->text_search(ctx->spaces->user, sp, query, limit, rows, score, n);
}
