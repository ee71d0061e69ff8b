/*
 * rsvp.c — explicit conservative steps of the RSVP fields on a staggered grid (see
 * basin/rsvp.h for the scheme, the boundary rules and the stability limit).
 *
 * Every field lives in a padded array (one ghost layer, stride W = nx + 2). Each step
 * refreshes the ghosts of the current state from the boundary rule, computes S at the
 * cells, then writes the next Φ and v into the second buffer in one pass each and swaps.
 * Boundary faces of a non-periodic grid are never written, so they stay 0 (v·n = 0).
 */
#include "basin/rsvp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define BLOWUP 1e150

double basin_rsvp_dt_max(const basin_rsvp_config *cfg, double grad)
{
    double h = cfg->h, h2 = h * h;
    double dt = h2 / (4.0 * cfg->D);
    double damp = cfg->mu + 8.0 * cfg->nu / h2;
    if (damp > 0.0 && 2.0 / damp < dt)
        dt = 2.0 / damp;
    double kappa = cfg->gamma * grad;
    if (kappa > 0.0 && h * sqrt(h) / (8.0 * sqrt(kappa)) < dt)
        dt = h * sqrt(h) / (8.0 * sqrt(kappa));
    return dt;
}

void basin_rsvp_free(basin_rsvp *w)
{
    if (!w)
        return;
    double *arrays[] = {w->phi0, w->vx0, w->vy0, w->eta, w->cost,  w->fx, w->fy,
                        w->bW,   w->bE,  w->bS,  w->bN,  w->phi,   w->vx, w->vy,
                        w->phn,  w->vxn, w->vyn, w->S,   w->eta_p, w->Gx, w->Gy};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    free(w->a_idx);
    free(w->a_w);
    free(w->a_rate);
    free(w);
}

int basin_rsvp_alloc(const basin_rsvp_config *cfg, basin_rsvp **out)
{
    basin_rsvp *w = calloc(1, sizeof *w);
    if (!w)
        return BASIN_ENOMEM;
    w->cfg = *cfg;
    long nx = cfg->nx, ny = cfg->ny;
    size_t n = (size_t)nx * (size_t)ny;
    w->W = nx + 2;
    w->np = (size_t)(nx + 2) * (size_t)(ny + 2);
    double **plain[] = {&w->phi0, &w->vx0, &w->vy0, &w->eta, &w->cost, &w->fx, &w->fy};
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
        if (!(*plain[k] = calloc(n, sizeof(double))))
            goto fail;
    if (!(w->bW = calloc((size_t)ny, sizeof(double))) ||
        !(w->bE = calloc((size_t)ny, sizeof(double))) ||
        !(w->bS = calloc((size_t)nx, sizeof(double))) ||
        !(w->bN = calloc((size_t)nx, sizeof(double))))
        goto fail;
    double **padded[] = {&w->phi, &w->vx, &w->vy,    &w->phn, &w->vxn,
                         &w->vyn, &w->S,  &w->eta_p, &w->Gx,  &w->Gy};
    for (size_t k = 0; k < sizeof padded / sizeof padded[0]; k++)
        if (!(*padded[k] = calloc(w->np, sizeof(double))))
            goto fail;
    *out = w;
    return 0;
fail:
    basin_rsvp_free(w);
    return BASIN_ENOMEM;
}

int basin_rsvp_set_anchors(basin_rsvp *w, long n, const long *i, const long *j, const double *val,
                           const double *rate)
{
    free(w->a_idx);
    free(w->a_w);
    free(w->a_rate);
    w->a_idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *w->a_idx);
    w->a_w = malloc((size_t)(n > 0 ? n : 1) * sizeof *w->a_w);
    w->a_rate = malloc((size_t)(n > 0 ? n : 1) * sizeof *w->a_rate);
    if (!w->a_idx || !w->a_w || !w->a_rate) {
        w->n_anchors = 0;
        return BASIN_ENOMEM;
    }
    for (long k = 0; k < n; k++) {
        w->a_idx[k] = (size_t)(j[k] + 1) * (size_t)w->W + (size_t)(i[k] + 1);
        w->a_w[k] = val[k];
        w->a_rate[k] = rate ? rate[k] : 0.0;
    }
    w->n_anchors = n;
    return 0;
}

static inline size_t pidx(const basin_rsvp *w, long i, long j)
{
    return (size_t)(j + 1) * (size_t)w->W + (size_t)(i + 1);
}

/* Copies the rows of a plain [ny][nx] array into a padded one. */
static void pad(const basin_rsvp *w, const double *src, double *dst)
{
    for (long j = 0; j < w->cfg.ny; j++)
        memcpy(dst + pidx(w, 0, j), src + (size_t)j * (size_t)w->cfg.nx,
               (size_t)w->cfg.nx * sizeof *dst);
}

static void unpad(const basin_rsvp *w, const double *src, double *dst)
{
    for (long j = 0; j < w->cfg.ny; j++)
        memcpy(dst + (size_t)j * (size_t)w->cfg.nx, src + pidx(w, 0, j),
               (size_t)w->cfg.nx * sizeof *dst);
}

/* Periodic ghosts of a padded cell or face array: wrap rows, then columns. */
static void wrap(const basin_rsvp *w, double *a)
{
    long nx = w->cfg.nx, ny = w->cfg.ny;
    memcpy(a + pidx(w, 0, -1), a + pidx(w, 0, ny - 1), (size_t)nx * sizeof *a);
    memcpy(a + pidx(w, 0, ny), a + pidx(w, 0, 0), (size_t)nx * sizeof *a);
    for (long j = -1; j <= ny; j++) {
        a[pidx(w, -1, j)] = a[pidx(w, nx - 1, j)];
        a[pidx(w, nx, j)] = a[pidx(w, 0, j)];
    }
}

/* Ghosts of the current Φ, vx, vy from the boundary rule. */
static void fill_ghosts(basin_rsvp *w)
{
    long nx = w->cfg.nx, ny = w->cfg.ny;
    double *phi = w->phi, *vx = w->vx, *vy = w->vy;
    if (w->cfg.boundary == BASIN_RSVP_PERIODIC) {
        wrap(w, phi);
        wrap(w, vx);
        wrap(w, vy);
        return;
    }
    bool dir = w->cfg.boundary == BASIN_RSVP_DIRICHLET;
    /* Φ: zero gradient (neumann) or 2Φ_b − Φ (dirichlet) */
    for (long j = 0; j < ny; j++) {
        double a = phi[pidx(w, 0, j)], b = phi[pidx(w, nx - 1, j)];
        phi[pidx(w, -1, j)] = dir ? 2.0 * w->bW[j] - a : a;
        phi[pidx(w, nx, j)] = dir ? 2.0 * w->bE[j] - b : b;
    }
    for (long i = 0; i < nx; i++) {
        double a = phi[pidx(w, i, 0)], b = phi[pidx(w, i, ny - 1)];
        phi[pidx(w, i, -1)] = dir ? 2.0 * w->bS[i] - a : a;
        phi[pidx(w, i, ny)] = dir ? 2.0 * w->bN[i] - b : b;
    }
    /* v: the normal component is 0 on the boundary faces (the west/south ghost faces are
     * boundary faces); the tangential ghosts mirror (free slip) or flip (no slip) */
    double s = dir ? -1.0 : 1.0;
    for (long j = 0; j < ny; j++) {
        vx[pidx(w, -1, j)] = 0.0;
        vy[pidx(w, -1, j)] = s * vy[pidx(w, 0, j)];
        vy[pidx(w, nx, j)] = s * vy[pidx(w, nx - 1, j)];
    }
    for (long i = 0; i < nx; i++) {
        vy[pidx(w, i, -1)] = 0.0;
        vx[pidx(w, i, -1)] = s * vx[pidx(w, i, 0)];
        vx[pidx(w, i, ny)] = s * vx[pidx(w, i, ny - 1)];
    }
}

/* S at the cells: S = ½(g²_W + g²_E) + ½(g²_S + g²_N); periodic ghosts wrapped. */
static void entropy(basin_rsvp *w)
{
    const long nx = w->cfg.nx, ny = w->cfg.ny;
    const size_t W = (size_t)w->W;
    const double ih2 = 1.0 / (w->cfg.h * w->cfg.h);
    const double *phi = w->phi;
    double *S = w->S;
    for (long j = 0; j < ny; j++) {
        size_t p0 = pidx(w, 0, j);
        for (size_t p = p0; p < p0 + (size_t)nx; p++) {
            double gE = phi[p + 1] - phi[p], gW = phi[p] - phi[p - 1];
            double gN = phi[p + W] - phi[p], gS = phi[p] - phi[p - W];
            S[p] = 0.5 * ih2 * (gE * gE + gW * gW + gN * gN + gS * gS);
        }
    }
    if (w->cfg.boundary == BASIN_RSVP_PERIODIC)
        wrap(w, S);
}

void basin_rsvp_start(basin_rsvp *w)
{
    long nx = w->cfg.nx, ny = w->cfg.ny;
    bool periodic = w->cfg.boundary == BASIN_RSVP_PERIODIC;
    memset(w->vx, 0, w->np * sizeof *w->vx);
    memset(w->vy, 0, w->np * sizeof *w->vy);
    memset(w->vxn, 0, w->np * sizeof *w->vxn);
    memset(w->vyn, 0, w->np * sizeof *w->vyn);
    pad(w, w->phi0, w->phi);
    pad(w, w->vx0, w->vx);
    pad(w, w->vy0, w->vy);
    if (!periodic) {
        /* v·n = 0 on the boundary faces */
        for (long j = 0; j < ny; j++)
            w->vx[pidx(w, nx - 1, j)] = 0.0;
        for (long i = 0; i < nx; i++)
            w->vy[pidx(w, i, ny - 1)] = 0.0;
    }
    /* static forcing G = −δ∇η + f on the faces */
    pad(w, w->eta, w->eta_p);
    if (periodic)
        wrap(w, w->eta_p);
    const double idh = w->cfg.delta / w->cfg.h;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t p = pidx(w, i, j), k = (size_t)j * (size_t)nx + (size_t)i;
            bool xin = periodic || i + 1 < nx, yin = periodic || j + 1 < ny;
            w->Gx[p] = xin ? -idh * (w->eta_p[p + 1] - w->eta_p[p]) + w->fx[k] : 0.0;
            w->Gy[p] = yin ? -idh * (w->eta_p[p + (size_t)w->W] - w->eta_p[p]) + w->fy[k] : 0.0;
        }
    w->step = 0;
    w->time = 0.0;
    for (long k = 0; k < w->n_anchors; k++)
        w->phi[w->a_idx[k]] = w->a_w[k];
}

/* Σ|x_k| over n values, in four independent sums (so the loop is not bound by the
 * latency of one chain of additions). */
static double l1_sum(const double *x, size_t n)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        a0 += fabs(x[k]);
        a1 += fabs(x[k + 1]);
        a2 += fabs(x[k + 2]);
        a3 += fabs(x[k + 3]);
    }
    for (; k < n; k++)
        a0 += fabs(x[k]);
    return (a0 + a1) + (a2 + a3);
}

/* S of cell row j into out[1..nx] (out[0], out[nx+1]: the periodic wrap). */
static void entropy_row(const basin_rsvp *w, long j, double *out)
{
    const long nx = w->cfg.nx;
    const size_t W = (size_t)w->W;
    const double ih2 = 0.5 / (w->cfg.h * w->cfg.h);
    const double *phi = w->phi + pidx(w, 0, j);
    for (long i = 0; i < nx; i++) {
        const double *q = phi + i;
        double gE = q[1] - q[0], gW = q[0] - q[-1], gN = q[W] - q[0], gS = q[0] - q[-(long)W];
        out[i + 1] = ih2 * (gE * gE + gW * gW + gN * gN + gS * gS);
    }
    out[0] = out[nx];
    out[nx + 1] = out[1];
}

/* One explicit step from (phi, vx, vy) into (phn, vxn, vyn), row by row so that each row
 * of the inputs is read from memory once: S is kept for two rows only (j and j + 1).
 * Returns Σ|new values|. */
static double step_once(basin_rsvp *w)
{
    const long nx = w->cfg.nx, ny = w->cfg.ny;
    const size_t W = (size_t)w->W;
    const double h = w->cfg.h, dt = w->cfg.dt;
    const double aD = dt * w->cfg.D / (h * h), adiv = dt / h;
    const double aS = dt * w->cfg.gamma / h, amu = dt * w->cfg.mu, anu = dt * w->cfg.nu / (h * h);
    const bool periodic = w->cfg.boundary == BASIN_RSVP_PERIODIC;
    const double *restrict phi = w->phi, *restrict vx = w->vx, *restrict vy = w->vy;
    const double *restrict Gx = w->Gx, *restrict Gy = w->Gy;
    double *restrict phn = w->phn, *restrict vxn = w->vxn, *restrict vyn = w->vyn;
    /* two rolling rows of S and, for the periodic wrap, row 0 */
    double *rows[2] = {w->S, w->S + W}, *row0 = w->S + 2 * W;
    entropy_row(w, 0, rows[0]);
    if (periodic)
        memcpy(row0, rows[0], W * sizeof *row0);
    if (ny > 1)
        entropy_row(w, 1, rows[1]);
    long nxu = periodic ? nx : nx - 1, nyu = periodic ? ny : ny - 1;
    double l1 = 0.0;
    for (long j = 0; j < ny; j++) {
        size_t p0 = pidx(w, 0, j);
        const double *Sj = rows[j & 1] + 1;
        const double *Sn = j + 1 < ny ? rows[(j + 1) & 1] + 1 : row0 + 1;
        /* Φ' = Φ + dt (D ∇²Φ − ∇·v) */
        for (long i = 0; i < nx; i++) {
            size_t p = p0 + (size_t)i;
            double lap = phi[p + 1] + phi[p - 1] + phi[p + W] + phi[p - W] - 4.0 * phi[p];
            double div = vx[p] - vx[p - 1] + vy[p] - vy[p - W];
            phn[p] = phi[p] + aD * lap - adiv * div;
        }
        l1 += l1_sum(phn + p0, (size_t)nx);
        /* v' = v + dt (−γ∇S + G − μv + ν∇²v) on the faces inside the box */
        for (long i = 0; i < nxu; i++) {
            size_t p = p0 + (size_t)i;
            double lap = vx[p + 1] + vx[p - 1] + vx[p + W] + vx[p - W] - 4.0 * vx[p];
            vxn[p] = vx[p] - aS * (Sj[i + 1] - Sj[i]) + dt * Gx[p] - amu * vx[p] + anu * lap;
        }
        l1 += l1_sum(vxn + p0, (size_t)nxu);
        if (j < nyu) {
            for (long i = 0; i < nx; i++) {
                size_t p = p0 + (size_t)i;
                double lap = vy[p + 1] + vy[p - 1] + vy[p + W] + vy[p - W] - 4.0 * vy[p];
                vyn[p] = vy[p] - aS * (Sn[i] - Sj[i]) + dt * Gy[p] - amu * vy[p] + anu * lap;
            }
            l1 += l1_sum(vyn + p0, (size_t)nx);
        }
        if (j + 2 < ny)
            entropy_row(w, j + 2, rows[j & 1]);
    }
    return l1;
}

int basin_rsvp_advance(basin_rsvp *w, long n)
{
    const double limit = BLOWUP * (double)w->cfg.nx * (double)w->cfg.ny;
    for (long s = 0; s < n; s++) {
        fill_ghosts(w);
        double l1 = step_once(w);
        double *t = w->phi;
        w->phi = w->phn;
        w->phn = t;
        t = w->vx;
        w->vx = w->vxn;
        w->vxn = t;
        t = w->vy;
        w->vy = w->vyn;
        w->vyn = t;
        w->step++;
        w->time = (double)w->step * w->cfg.dt;
        for (long k = 0; k < w->n_anchors; k++)
            w->phi[w->a_idx[k]] = w->a_w[k] + w->a_rate[k] * w->time;
        if (!(l1 < limit))
            return BASIN_EDIVERGED;
    }
    return 0;
}

void basin_rsvp_diagnostics(basin_rsvp *w, basin_rsvp_diag *d)
{
    fill_ghosts(w);
    entropy(w);
    const long nx = w->cfg.nx, ny = w->cfg.ny;
    const size_t W = (size_t)w->W;
    const double h = w->cfg.h, h2 = h * h;
    const double *phi = w->phi, *vx = w->vx, *vy = w->vy, *S = w->S;
    double mass = 0.0, ent = 0.0, fe = 0.0, l1c = 0.0, kin = 0.0, div2 = 0.0, vmax = 0.0;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t p = pidx(w, i, j);
            mass += phi[p];
            ent += S[p];
            double gE = (phi[p + 1] - phi[p]) / h, gW = (phi[p] - phi[p - 1]) / h;
            double gN = (phi[p + W] - phi[p]) / h, gS = (phi[p] - phi[p - W]) / h;
            double eE = gE - vx[p], eW = gW - vx[p - 1], eN = gN - vy[p], eS = gS - vy[p - W];
            fe += 0.5 * (eE * eE + eW * eW + eN * eN + eS * eS);
            l1c += w->cost[(size_t)j * (size_t)nx + (size_t)i] * fabs(phi[p]);
            kin += vx[p] * vx[p] + vy[p] * vy[p];
            double dv = (vx[p] - vx[p - 1] + vy[p] - vy[p - W]) / h;
            div2 += dv * dv;
            double cx = 0.5 * (vx[p] + vx[p - 1]), cy = 0.5 * (vy[p] + vy[p - W]);
            double sp = sqrt(cx * cx + cy * cy);
            vmax = sp > vmax ? sp : vmax;
        }
    d->mass = mass * h2;
    d->entropy = ent * h2;
    d->dirichlet_energy = 0.5 * ent * h2;
    d->free_energy = (fe + w->cfg.lambda * l1c) * h2;
    d->kinetic = 0.5 * kin * h2;
    d->divergence_l2 = sqrt(div2 * h2);
    d->max_speed = vmax;
}

void basin_rsvp_fields(basin_rsvp *w, double *phi, double *vx, double *vy, double *S)
{
    if (phi)
        unpad(w, w->phi, phi);
    if (vx)
        unpad(w, w->vx, vx);
    if (vy)
        unpad(w, w->vy, vy);
    if (S) {
        fill_ghosts(w);
        entropy(w);
        unpad(w, w->S, S);
    }
}

double basin_rsvp_step_cost(const basin_rsvp_config *cfg)
{
    return 45.0 * (double)cfg->nx * (double)cfg->ny;
}

double basin_rsvp_diag_cost(const basin_rsvp_config *cfg)
{
    return 60.0 * (double)cfg->nx * (double)cfg->ny;
}
