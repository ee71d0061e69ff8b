/*
 * harmonic.c — the solvers of basin/harmonic.h: preconditioned CG, the multigrid
 * iteration and SOR for the anchored Laplace system, and ADMM for the metabolic-sparsity
 * variant. The operator and the V-cycle are basin/multigrid.h's; this file holds the
 * iteration state between calls of basin_harmonic_step, so a caller can stop, record and
 * report between iterations.
 */
#include "basin/harmonic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"
#include "basin/multigrid.h"

#define ADMM_INNER_MAX     30
#define ADMM_BALANCE_UNTIL 200
#define ADMM_BALANCE_EVERY 10

struct basin_harmonic {
    basin_harmonic_config cfg;
    basin_lap *L;
    basin_mg *mg;
    size_t np;
    double *x;             /* padded field; the data at fixed nodes */
    double *r, *z, *p, *q; /* CG: residual, preconditioned residual, direction, A·direction */
    double rz;             /* r·z */
    double bnorm;          /* ‖b‖ of the anchored system (Φ = 0 at free nodes) */
    long iterations;
    double residual;
    bool converged;
    /* ADMM */
    uint8_t *fixed; /* nx·ny copy */
    double *kappa;  /* padded: κ_p at free nodes */
    double *zz, *u, *zold, *b;
    double rho;
    long inner;
};

/* Σ a_k b_k in four independent partial sums (not bound by the latency of one chain). */
static double dot(const double *a, const double *b, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        s0 += a[k] * b[k];
        s1 += a[k + 1] * b[k + 1];
        s2 += a[k + 2] * b[k + 2];
        s3 += a[k + 3] * b[k + 3];
    }
    for (; k < n; k++)
        s0 += a[k] * b[k];
    return (s0 + s1) + (s2 + s3);
}

void basin_harmonic_free(basin_harmonic *w)
{
    if (!w)
        return;
    basin_mg_free(w->mg);
    basin_lap_free(w->L);
    free(w->x);
    free(w->r);
    free(w->z);
    free(w->p);
    free(w->q);
    free(w->fixed);
    free(w->kappa);
    free(w->zz);
    free(w->u);
    free(w->zold);
    free(w->b);
    free(w);
}

/* z = M⁻¹ r for the configured preconditioner (ADMM: always multigrid). */
static void precondition(basin_harmonic *w, const double *r, double *z)
{
    basin_harmonic_precond pc = w->cfg.lambda > 0.0 ? BASIN_PRECOND_MULTIGRID : w->cfg.precond;
    switch (pc) {
    case BASIN_PRECOND_NONE:
        memcpy(z, r, w->np * sizeof *z);
        break;
    case BASIN_PRECOND_JACOBI:
        for (size_t k = 0; k < w->np; k++)
            z[k] = w->L->invd[k] * r[k];
        break;
    case BASIN_PRECOND_SSOR:
        memset(z, 0, w->np * sizeof *z);
        basin_lap_sor(w->L, r, z, w->cfg.omega, false);
        basin_lap_sor(w->L, r, z, w->cfg.omega, true);
        break;
    case BASIN_PRECOND_MULTIGRID:
        basin_mg_vcycle(w->mg, r, z);
        break;
    }
}

static bool uses_mg(const basin_harmonic_config *cfg)
{
    return cfg->lambda > 0.0 || cfg->method == BASIN_HARMONIC_MULTIGRID ||
           (cfg->method == BASIN_HARMONIC_CG && cfg->precond == BASIN_PRECOND_MULTIGRID);
}

/* (Re)builds the operator — with the diagonal shift ρ for ADMM — and its hierarchy. */
static int build_operator(basin_harmonic *w)
{
    basin_mg_free(w->mg);
    basin_lap_free(w->L);
    w->mg = NULL;
    w->L = NULL;
    const basin_harmonic_config *cfg = &w->cfg;
    double *sigma = NULL;
    size_t n = (size_t)cfg->nx * (size_t)cfg->ny;
    if (cfg->lambda > 0.0) {
        if (!(sigma = malloc(n * sizeof *sigma)))
            return BASIN_ENOMEM;
        for (size_t k = 0; k < n; k++)
            sigma[k] = w->rho;
    }
    int rc = basin_lap_alloc(cfg->nx, cfg->ny, w->fixed, sigma, &w->L);
    free(sigma);
    if (rc)
        return rc;
    if (uses_mg(cfg))
        rc = basin_mg_alloc(w->L, cfg->nu, &w->mg);
    return rc;
}

/* Starts (or restarts) CG from the current x: r = b − Ax, z = M⁻¹r, p = z. */
static void cg_start(basin_harmonic *w, const double *b)
{
    basin_lap_residual(w->L, b, w->x, w->r);
    precondition(w, w->r, w->z);
    memcpy(w->p, w->z, w->np * sizeof *w->p);
    w->rz = dot(w->r, w->z, w->np);
}

/* One CG iteration for A x = b (b may be NULL); returns ‖r‖² of the recurrence. */
static double cg_iterate(basin_harmonic *w)
{
    double pq = basin_lap_apply(w->L, w->p, w->q);
    double alpha = pq > 0.0 ? w->rz / pq : 0.0;
    for (size_t k = 0; k < w->np; k++) {
        w->x[k] += alpha * w->p[k];
        w->r[k] -= alpha * w->q[k];
    }
    double rr = dot(w->r, w->r, w->np);
    precondition(w, w->r, w->z);
    double rz = dot(w->r, w->z, w->np);
    double beta = w->rz > 0.0 ? rz / w->rz : 0.0;
    w->rz = rz;
    for (size_t k = 0; k < w->np; k++)
        w->p[k] = w->z[k] + beta * w->p[k];
    return rr;
}

int basin_harmonic_alloc(const basin_harmonic_config *cfg, const uint8_t *fixed,
                         const double *values, const double *cost, basin_harmonic **out)
{
    basin_harmonic *w = calloc(1, sizeof *w);
    if (!w)
        return BASIN_ENOMEM;
    w->cfg = *cfg;
    long nx = cfg->nx, ny = cfg->ny;
    size_t n = (size_t)nx * (size_t)ny;
    w->np = (size_t)(nx + 2) * (size_t)(ny + 2);
    int rc = BASIN_ENOMEM;
    w->fixed = malloc(n);
    w->x = calloc(w->np, sizeof *w->x);
    w->r = calloc(w->np, sizeof *w->r);
    w->z = calloc(w->np, sizeof *w->z);
    w->p = calloc(w->np, sizeof *w->p);
    w->q = calloc(w->np, sizeof *w->q);
    if (!w->fixed || !w->x || !w->r || !w->z || !w->p || !w->q)
        goto fail;
    memcpy(w->fixed, fixed, n);
    bool admm = cfg->lambda > 0.0;
    if (admm) {
        w->kappa = calloc(w->np, sizeof *w->kappa);
        w->zz = calloc(w->np, sizeof *w->zz);
        w->u = calloc(w->np, sizeof *w->u);
        w->zold = calloc(w->np, sizeof *w->zold);
        w->b = calloc(w->np, sizeof *w->b);
        if (!w->kappa || !w->zz || !w->u || !w->zold || !w->b)
            goto fail;
        long big = nx > ny ? nx : ny;
        w->rho = cfg->rho > 0.0 ? cfg->rho : sqrt(ny > 1 ? 8.0 : 4.0) * M_PI / (double)big;
    }
    if ((rc = build_operator(w)))
        goto fail;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t k = (size_t)j * (size_t)nx + (size_t)i, p = basin_lap_index(w->L, i, j);
            if (fixed[k]) {
                w->x[p] = values[k];
                if (admm)
                    w->zz[p] = values[k];
            }
            if (admm && !fixed[k]) {
                /* κ_p = λ h² t_p c_p, t_p the trapezoid weight of the node */
                double t = (i == 0 || i == nx - 1) ? 0.5 : 1.0;
                if (ny > 1)
                    t *= (j == 0 || j == ny - 1) ? 0.5 : 1.0;
                w->kappa[p] = cfg->lambda * cfg->h * cfg->h * t * (cost ? cost[k] : 1.0);
            }
        }
    /* ‖b‖ with Φ = 0 at free nodes, where b = −A_free,fixed Φ_fixed */
    w->bnorm = sqrt(basin_lap_residual(w->L, NULL, w->x, w->r));
    w->residual = w->bnorm > 0.0 ? 1.0 : 0.0;
    if (!admm) {
        if (w->bnorm == 0.0)
            w->converged = true;
        else if (cfg->method == BASIN_HARMONIC_CG)
            cg_start(w, NULL);
    }
    *out = w;
    return 0;
fail:
    basin_harmonic_free(w);
    return rc;
}

/* Soft threshold S_t(v) = sign(v) max(|v| − t, 0). */
static double soft(double v, double t)
{
    return v > t ? v - t : v < -t ? v + t : 0.0;
}

static int admm_step(basin_harmonic *w)
{
    const uint8_t *fr = w->L->free;
    size_t np = w->np;
    /* Φ-update: (A + ρI)Φ = ρ(z − u), warm-started CG to a reduction 1e-3 (or below a
     * floor tied to tol) */
    double bb = 0.0;
    for (size_t k = 0; k < np; k++) {
        w->b[k] = fr[k] ? w->rho * (w->zz[k] - w->u[k]) : 0.0;
        bb += w->b[k] * w->b[k];
    }
    cg_start(w, w->b);
    double r0 = sqrt(dot(w->r, w->r, np));
    double floor_ = 1e-3 * w->cfg.tol * (sqrt(bb) + w->bnorm);
    double target = fmax(1e-3 * r0, floor_);
    for (int it = 0; it < ADMM_INNER_MAX && r0 > 0.0; it++) {
        double rr = cg_iterate(w);
        w->inner++;
        if (!isfinite(rr))
            return BASIN_EDIVERGED;
        if (sqrt(rr) <= target)
            break;
    }
    /* z-update (soft threshold) and dual update, at free nodes */
    double xx = 0.0, zn = 0.0, pr = 0.0, dz = 0.0, uu = 0.0;
    for (size_t k = 0; k < np; k++) {
        if (!fr[k])
            continue;
        double zo = w->zz[k];
        double zk = soft(w->x[k] + w->u[k], w->kappa[k] / w->rho);
        w->zz[k] = zk;
        w->u[k] += w->x[k] - zk;
        xx += w->x[k] * w->x[k];
        zn += zk * zk;
        pr += (w->x[k] - zk) * (w->x[k] - zk);
        dz += (zk - zo) * (zk - zo);
        uu += w->u[k] * w->u[k];
    }
    double scale = fmax(sqrt(xx), sqrt(zn));
    double rp = scale > 0.0 ? sqrt(pr) / scale : 0.0;
    double rd = uu > 0.0 ? sqrt(dz) / sqrt(uu) : (dz > 0.0 ? 1.0 : 0.0);
    w->iterations++;
    w->residual = fmax(rp, rd);
    if (!isfinite(w->residual))
        return BASIN_EDIVERGED;
    if (w->residual <= w->cfg.tol) {
        w->converged = true;
        return 1;
    }
    /* residual balancing: keep the primal and dual residuals within a factor 10 */
    if (w->iterations <= ADMM_BALANCE_UNTIL && w->iterations % ADMM_BALANCE_EVERY == 0 &&
        (rp > 10.0 * rd || rd > 10.0 * rp)) {
        double f = rp > 10.0 * rd ? 2.0 : 0.5;
        w->rho *= f;
        for (size_t k = 0; k < np; k++)
            w->u[k] /= f;
        int rc = build_operator(w);
        if (rc)
            return rc;
    }
    return 0;
}

int basin_harmonic_step(basin_harmonic *w)
{
    if (w->converged)
        return 1;
    if (w->cfg.lambda > 0.0)
        return admm_step(w);
    double rr;
    switch (w->cfg.method) {
    case BASIN_HARMONIC_CG:
        rr = cg_iterate(w);
        if (sqrt(rr) <= w->cfg.tol * w->bnorm) {
            /* confirm with the true residual (the recurrence drifts); restart if short */
            rr = basin_lap_residual(w->L, NULL, w->x, w->r);
            if (sqrt(rr) > w->cfg.tol * w->bnorm)
                cg_start(w, NULL);
        }
        break;
    case BASIN_HARMONIC_MULTIGRID:
        /* Φ ← Φ + V(b − AΦ); w->r holds b − AΦ */
        if (w->iterations == 0)
            basin_lap_residual(w->L, NULL, w->x, w->r);
        basin_mg_vcycle(w->mg, w->r, w->z);
        for (size_t k = 0; k < w->np; k++)
            w->x[k] += w->z[k];
        rr = basin_lap_residual(w->L, NULL, w->x, w->r);
        break;
    case BASIN_HARMONIC_SOR:
    default:
        basin_lap_sor(w->L, NULL, w->x, w->cfg.omega, false);
        rr = basin_lap_residual(w->L, NULL, w->x, w->r);
        break;
    }
    w->iterations++;
    w->residual = sqrt(rr) / w->bnorm;
    if (!isfinite(w->residual))
        return BASIN_EDIVERGED;
    if (w->residual <= w->cfg.tol) {
        w->converged = true;
        return 1;
    }
    return 0;
}

long basin_harmonic_iterations(const basin_harmonic *w)
{
    return w->iterations;
}

double basin_harmonic_residual(const basin_harmonic *w)
{
    return w->residual;
}

long basin_harmonic_inner_iterations(const basin_harmonic *w)
{
    return w->inner;
}

double basin_harmonic_rho(const basin_harmonic *w)
{
    return w->rho;
}

int basin_harmonic_mg_levels(const basin_harmonic *w)
{
    return w->mg ? basin_mg_levels(w->mg) : 0;
}

void basin_harmonic_field(const basin_harmonic *w, double *phi)
{
    const double *src = w->cfg.lambda > 0.0 ? w->zz : w->x;
    for (long j = 0; j < w->cfg.ny; j++)
        memcpy(phi + (size_t)j * (size_t)w->cfg.nx, src + basin_lap_index(w->L, 0, j),
               (size_t)w->cfg.nx * sizeof *phi);
}

double basin_harmonic_energy(long nx, long ny, double h, const double *phi)
{
    bool two_d = ny > 1;
    double s = 0.0;
    /* E = ½ h^{d−2} Σ_e w_e (Φ_a − Φ_b)², w_e = ½ along the boundary of a 2-D grid */
    for (long j = 0; j < ny; j++) {
        const double *row = phi + (size_t)j * (size_t)nx;
        double we = two_d && (j == 0 || j == ny - 1) ? 0.5 : 1.0, sx = 0.0;
        for (long i = 0; i + 1 < nx; i++)
            sx += (row[i + 1] - row[i]) * (row[i + 1] - row[i]);
        s += we * sx;
        if (j + 1 < ny) {
            const double *up = row + nx;
            double sy = 0.0;
            for (long i = 0; i < nx; i++) {
                double wn = (i == 0 || i == nx - 1) ? 0.5 : 1.0;
                sy += wn * (up[i] - row[i]) * (up[i] - row[i]);
            }
            s += sy;
        }
    }
    return 0.5 * s * (two_d ? 1.0 : 1.0 / h);
}

double basin_harmonic_l1(long nx, long ny, double h, const double *cost, const double *phi)
{
    double s = 0.0;
    for (long j = 0; j < ny; j++) {
        double ty = ny > 1 && (j == 0 || j == ny - 1) ? 0.5 : 1.0;
        for (long i = 0; i < nx; i++) {
            size_t k = (size_t)j * (size_t)nx + (size_t)i;
            double t = ty * ((i == 0 || i == nx - 1) ? 0.5 : 1.0);
            s += t * (cost ? cost[k] : 1.0) * fabs(phi[k]);
        }
    }
    return s * (ny > 1 ? h * h : h);
}

double basin_harmonic_step_cost(const basin_harmonic_config *cfg)
{
    double n = (double)cfg->nx * (double)cfg->ny;
    double cycle = basin_mg_cycle_cost(cfg->nx, cfg->ny, cfg->nu);
    if (cfg->lambda > 0.0)
        return 10.0 * (20.0 * n + cycle) + 20.0 * n;
    switch (cfg->method) {
    case BASIN_HARMONIC_CG: {
        double pc = cfg->precond == BASIN_PRECOND_MULTIGRID ? cycle
                    : cfg->precond == BASIN_PRECOND_SSOR    ? 30.0 * n
                                                            : 2.0 * n;
        return 20.0 * n + pc;
    }
    case BASIN_HARMONIC_MULTIGRID:
        return 14.0 * n + cycle;
    case BASIN_HARMONIC_SOR:
    default:
        return 26.0 * n;
    }
}

double basin_harmonic_setup_cost(const basin_harmonic_config *cfg)
{
    double n = (double)cfg->nx * (double)cfg->ny;
    return uses_mg(cfg) ? 150.0 * n + 1.0e8 : 20.0 * n;
}
