/*
 * model_collapse.c — generations of models fitted to their predecessors' output: Gaussian
 * refits, least-squares regression on self-generated labels, and Hutter's infinite-memory
 * model on Zipf-distributed items (see basin/model_collapse.h for the theory).
 *
 * Invariant: between generations the workspace holds exactly the current model — (μ, σ²)
 * for gaussian, w (and the truth w₀) for regression, the memorised items for zipf — so a
 * generation reads only that and fresh random numbers.
 */
#include "basin/model_collapse.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define ZIPF_M_MAX (1L << 28)
#define T_MAX      1000000000L

/* Counts `ops` operations towards the next poll; true when poll asks to stop. */
static bool tick(basin_collapse *c, long ops, basin_collapse_poll poll, void *user)
{
    c->polled += ops;
    if (c->polled < BASIN_COLLAPSE_POLL_EVERY)
        return false;
    c->polled = 0;
    return poll && poll(user);
}

static long regression_block(long d)
{
    long b = 65536 / d;
    return b > 0 ? b : 1;
}

int basin_collapse_init(basin_collapse *c, const basin_collapse_config *cfg)
{
    memset(c, 0, sizeof *c);
    const long d = cfg->d, T = cfg->T;
    bool ok = T >= 2 && T <= T_MAX && cfg->sigma > 0.0 && isfinite(cfg->sigma);
    switch (cfg->mode) {
    case BASIN_COLLAPSE_GAUSSIAN:
        ok = ok && d >= 1 && d <= BASIN_COLLAPSE_DIM_MAX;
        break;
    case BASIN_COLLAPSE_REGRESSION:
        ok = ok && d >= 1 && d <= BASIN_COLLAPSE_DIM_MAX && T >= d + 2;
        break;
    case BASIN_COLLAPSE_ZIPF:
        ok = ok && cfg->zipf_beta > 1.0 && isfinite(cfg->zipf_beta) && cfg->M >= 1 &&
             cfg->M <= ZIPF_M_MAX && cfg->cutoff >= 0 && cfg->cutoff <= cfg->M;
        break;
    default:
        ok = false;
    }
    if (!ok)
        return BASIN_EINVAL;
    c->cfg = *cfg;
    if (cfg->mode == BASIN_COLLAPSE_GAUSSIAN) {
        c->mu = calloc((size_t)d, sizeof *c->mu);
        c->acc = calloc((size_t)d, sizeof *c->acc);
        if (!c->mu || !c->acc)
            goto nomem;
    } else if (cfg->mode == BASIN_COLLAPSE_REGRESSION) {
        const size_t B = (size_t)regression_block(d);
        c->w = calloc((size_t)d, sizeof *c->w);
        c->w0 = calloc((size_t)d, sizeof *c->w0);
        c->xtx = malloc((size_t)d * (size_t)d * sizeof *c->xtx);
        c->xty = malloc((size_t)d * sizeof *c->xty);
        c->x = malloc(B * (size_t)d * sizeof *c->x);
        c->y = malloc(B * sizeof *c->y);
        if (!c->w || !c->w0 || !c->xtx || !c->xty || !c->x || !c->y)
            goto nomem;
    } else {
        const size_t M = (size_t)cfg->M;
        const size_t cap = (size_t)(T < cfg->M ? T : cfg->M);
        c->p = malloc(M * sizeof *c->p);
        c->cum = malloc(M * sizeof *c->cum);
        c->stamp = calloc(M, sizeof *c->stamp);
        c->items = malloc(2 * cap * sizeof *c->items);
        c->icum = malloc(cap * sizeof *c->icum);
        if (!c->p || !c->cum || !c->stamp || !c->items || !c->icum)
            goto nomem;
        /* p(i) = i^{−β} / H, H summed from the smallest terms up */
        double H = 0.0;
        for (long i = cfg->M; i >= 1; i--) {
            c->p[i - 1] = pow((double)i, -cfg->zipf_beta);
            H += c->p[i - 1];
        }
        double run = 0.0;
        for (size_t i = 0; i < M; i++) {
            c->p[i] /= H;
            run += c->p[i];
            c->cum[i] = run;
        }
    }
    return 0;
nomem:
    basin_collapse_free(c);
    return BASIN_ENOMEM;
}

void basin_collapse_free(basin_collapse *c)
{
    if (!c)
        return;
    free(c->mu);
    free(c->w);
    free(c->w0);
    free(c->xtx);
    free(c->xty);
    free(c->x);
    free(c->y);
    free(c->acc);
    free(c->p);
    free(c->cum);
    free(c->stamp);
    free(c->items);
    free(c->icum);
    memset(c, 0, sizeof *c);
}

void basin_collapse_reset(basin_collapse *c, basin_rng *rng)
{
    const long d = c->cfg.d;
    c->generation = 0;
    switch (c->cfg.mode) {
    case BASIN_COLLAPSE_GAUSSIAN:
        memset(c->mu, 0, (size_t)d * sizeof *c->mu);
        c->var = c->cfg.sigma * c->cfg.sigma;
        break;
    case BASIN_COLLAPSE_REGRESSION:
        basin_rng_normals(rng, c->w0, d);
        for (long a = 0; a < d; a++)
            c->w0[a] /= sqrt((double)d);
        memcpy(c->w, c->w0, (size_t)d * sizeof *c->w);
        break;
    case BASIN_COLLAPSE_ZIPF:
        c->n_items = -1; /* the source is p cut at k: no list yet */
        break;
    }
}

/* ---- the three generations ------------------------------------------------------------ */

/* x_t = μ + σ z_t, z_t ~ N(0, I): x̄ = μ + σ z̄ and Σ‖x_t − x̄‖² = σ² (Σ‖z_t‖² − T‖z̄‖²). */
static int gaussian_generation(basin_collapse *c, basin_rng *rng, basin_collapse_poll poll,
                               void *user, double *error, double *variance)
{
    const long d = c->cfg.d, T = c->cfg.T;
    double *zsum = c->acc, zz = 0.0;
    memset(zsum, 0, (size_t)d * sizeof *zsum);
    for (long t = 0; t < T; t++) {
        for (long a = 0; a < d; a++) {
            double z = basin_rng_normal(rng);
            zsum[a] += z;
            zz += z * z;
        }
        if (tick(c, 10 * d, poll, user))
            return BASIN_ECANCELLED;
    }
    const double s = sqrt(c->var);
    double zbar2 = 0.0, err = 0.0;
    for (long a = 0; a < d; a++) {
        double zbar = zsum[a] / (double)T;
        zbar2 += zbar * zbar;
        c->mu[a] += s * zbar;
        err += c->mu[a] * c->mu[a];
    }
    c->var = c->var * (zz - (double)T * zbar2) / ((double)T * (double)d);
    c->generation++;
    *error = err;
    if (variance)
        *variance = c->var;
    return 0;
}

/* y = X w_{g−1} + σ ε;  w_g = (XᵀX)⁻¹ Xᵀ y, XᵀX and Xᵀy accumulated over blocks of rows. */
static int regression_generation(basin_collapse *c, basin_rng *rng, basin_collapse_poll poll,
                                 void *user, double *error)
{
    const long d = c->cfg.d, T = c->cfg.T, B = regression_block(d);
    const int di = (int)d;
    memset(c->xtx, 0, (size_t)d * (size_t)d * sizeof *c->xtx);
    memset(c->xty, 0, (size_t)d * sizeof *c->xty);
    for (long t0 = 0; t0 < T; t0 += B) {
        const long b = T - t0 < B ? T - t0 : B;
        basin_rng_normals(rng, c->x, b * d);
        basin_rng_normals(rng, c->y, b);
        /* y_b ← σ ε_b + X_b w */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)b, di, 1.0, c->x, di, c->w, 1, c->cfg.sigma,
                    c->y, 1);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, di, (int)b, 1.0, c->x, di, 1.0, c->xtx,
                    di);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)b, di, 1.0, c->x, di, c->y, 1, 1.0, c->xty, 1);
        if (tick(c, b * d * (d + 4), poll, user))
            return BASIN_ECANCELLED;
    }
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', di, 1, c->xtx, di, c->xty, 1);
    if (info != 0)
        return BASIN_EDIVERGED;
    double err = 0.0;
    for (long a = 0; a < d; a++) {
        c->w[a] = c->xty[a];
        err += (c->w[a] - c->w0[a]) * (c->w[a] - c->w0[a]);
    }
    c->generation++;
    *error = err;
    return 0;
}

/* The first index in cum[0..n) with u < cum[i] (n − 1 if none, against rounding). */
static long search(const double *cum, long n, double u)
{
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (u < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* T draws from the current source; the distinct items drawn are what the new generation
 * memorises; its error is the p-mass of everything else. */
static int zipf_generation(basin_collapse *c, basin_rng *rng, basin_collapse_poll poll, void *user,
                           double *error)
{
    const long T = c->cfg.T, M = c->cfg.M;
    const long cap = T < M ? T : M;
    const long K = c->cfg.cutoff > 0 ? c->cfg.cutoff : M;
    const int64_t g = ++c->epoch; /* unique over chains: stamps never need clearing */
    c->generation++;
    /* items: [0, cap) the previous list, [cap, 2 cap) the new one */
    int32_t *old = c->items, *nw = c->items + cap;
    const bool prefix = c->n_items < 0;
    const long n_old = prefix ? K : c->n_items;
    const double Z = prefix ? c->cum[K - 1] : c->icum[n_old - 1];
    long m = 0;
    for (long t = 0; t < T; t++) {
        double u = basin_rng_uniform(rng) * Z;
        long i = prefix ? search(c->cum, K, u) : old[search(c->icum, n_old, u)];
        if (c->stamp[i] != g) {
            c->stamp[i] = g;
            nw[m++] = (int32_t)i;
        }
        if (tick(c, 40, poll, user))
            return BASIN_ECANCELLED;
    }
    memcpy(old, nw, (size_t)m * sizeof *old);
    double run = 0.0;
    for (long j = 0; j < m; j++) {
        run += c->p[old[j]];
        c->icum[j] = run;
    }
    c->n_items = m;
    *error = fmax(0.0, 1.0 - run);
    return 0;
}

int basin_collapse_generation(basin_collapse *c, basin_rng *rng, basin_collapse_poll poll,
                              void *user, double *error, double *variance)
{
    if (variance)
        *variance = NAN;
    switch (c->cfg.mode) {
    case BASIN_COLLAPSE_GAUSSIAN:
        return gaussian_generation(c, rng, poll, user, error, variance);
    case BASIN_COLLAPSE_REGRESSION:
        return regression_generation(c, rng, poll, user, error);
    default:
        return zipf_generation(c, rng, poll, user, error);
    }
}

/* ---- theory --------------------------------------------------------------------------- */

void basin_collapse_theory(const basin_collapse *c, long G, double *error, double *variance,
                           double *scratch)
{
    const basin_collapse_config *cfg = &c->cfg;
    const double d = (double)cfg->d, T = (double)cfg->T, s2 = cfg->sigma * cfg->sigma;
    switch (cfg->mode) {
    case BASIN_COLLAPSE_GAUSSIAN: {
        /* E σ²_n = σ² ρⁿ, E‖μ_n‖² = (dσ²/T) Σ_{g<n} ρ^g,  ρ = (T − 1)/T */
        const double rho = (T - 1.0) / T;
        double v = s2, e = 0.0;
        for (long n = 0; n < G; n++) {
            e += d * v / T;
            v *= rho;
            error[n] = e;
            if (variance)
                variance[n] = v;
        }
        break;
    }
    case BASIN_COLLAPSE_REGRESSION:
        /* E_n = σ² d n / (T − d − 1) */
        for (long n = 0; n < G; n++) {
            error[n] = s2 * d * (double)(n + 1) / (T - d - 1.0);
            if (variance)
                variance[n] = NAN;
        }
        break;
    case BASIN_COLLAPSE_ZIPF: {
        /* q₀ = 1[i ≤ k]; q_{g+1} = q_g (1 − (1 − p/Z_g)^T), Z_g = Σ p q_g; E_g = Σ p (1 − q_g) */
        const long M = cfg->M, K = cfg->cutoff > 0 ? cfg->cutoff : M;
        double *q = scratch;
        double Z = 0.0;
        for (long i = 0; i < M; i++) {
            q[i] = i < K ? 1.0 : 0.0;
            Z += c->p[i] * q[i];
        }
        for (long n = 0; n < G; n++) {
            double e = 0.0, z = 0.0;
            for (long i = 0; i < M; i++) {
                if (q[i] > 0.0) {
                    double x = c->p[i] / Z;
                    q[i] *= x >= 1.0 ? 1.0 : -expm1(T * log1p(-x));
                }
                e += c->p[i] * (1.0 - q[i]);
                z += c->p[i] * q[i];
            }
            Z = z;
            error[n] = e;
            if (variance)
                variance[n] = NAN;
        }
        break;
    }
    }
}

double basin_collapse_tail_mass(const basin_collapse *c)
{
    if (c->cfg.mode != BASIN_COLLAPSE_ZIPF || c->cfg.cutoff == 0)
        return 0.0;
    double tail = 0.0;
    for (long i = c->cfg.M - 1; i >= c->cfg.cutoff; i--)
        tail += c->p[i];
    return tail;
}
