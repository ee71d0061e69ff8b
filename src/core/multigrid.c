/*
 * multigrid.c — the anchored grid Laplacian, SOR sweeps and a Galerkin multigrid V-cycle
 * (see basin/multigrid.h for the operator, the padding and why the hierarchy stays
 * non-singular). Level 0 is the 5-point operator held as edge weights; coarser levels are
 * 9-point stencils, nine contiguous doubles per padded node.
 */
#include "basin/multigrid.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define COARSEST_MAX 512

/* Σ a_k b_k over n values in four independent partial sums (a single chain of additions
 * would bound the loop by the latency of one add per element). */
static double dot4(const double *a, const double *b, size_t n)
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

/* ---- the fine operator ----------------------------------------------------------------- */

void basin_lap_free(basin_lap *L)
{
    if (!L)
        return;
    free(L->wE);
    free(L->wN);
    free(L->d);
    free(L->invd);
    free(L->free);
    free(L);
}

int basin_lap_alloc(long nx, long ny, const uint8_t *fixed, const double *sigma, basin_lap **out)
{
    basin_lap *L = calloc(1, sizeof *L);
    if (!L)
        return BASIN_ENOMEM;
    L->nx = nx;
    L->ny = ny;
    L->W = nx + 2;
    L->np = (size_t)(nx + 2) * (size_t)(ny + 2);
    L->wE = calloc(L->np, sizeof *L->wE);
    L->wN = calloc(L->np, sizeof *L->wN);
    L->d = calloc(L->np, sizeof *L->d);
    L->invd = calloc(L->np, sizeof *L->invd);
    L->free = calloc(L->np, 1);
    if (!L->wE || !L->wN || !L->d || !L->invd || !L->free) {
        basin_lap_free(L);
        return BASIN_ENOMEM;
    }
    bool two_d = ny > 1 && nx > 1;
    /* Edge weights: ½ for edges along the outer boundary of a 2-D grid (trapezoid rule). */
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t p = basin_lap_index(L, i, j);
            if (i + 1 < nx)
                L->wE[p] = two_d && (j == 0 || j == ny - 1) ? 0.5 : 1.0;
            if (j + 1 < ny)
                L->wN[p] = two_d && (i == 0 || i == nx - 1) ? 0.5 : 1.0;
        }
    long W = L->W;
    long n_free = 0;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t p = basin_lap_index(L, i, j);
            size_t k = (size_t)j * (size_t)nx + (size_t)i;
            double d = L->wE[p] + L->wE[p - 1] + L->wN[p] + L->wN[p - (size_t)W];
            if (sigma)
                d += sigma[k];
            L->d[p] = d;
            if (!fixed[k] && d > 0.0) {
                L->free[p] = 1;
                L->invd[p] = 1.0 / d;
                n_free++;
            }
        }
    L->n_free = n_free;
    *out = L;
    return 0;
}

double basin_lap_residual(const basin_lap *L, const double *b, const double *x, double *y)
{
    const long W = L->W, nx = L->nx, ny = L->ny;
    const double *wE = L->wE, *wN = L->wN, *d = L->d;
    const uint8_t *fr = L->free;
    double ss = 0.0;
    /* y_p = b_p − (d_p x_p − Σ_q w_pq x_q) at free p, else 0 */
    for (long j = 0; j < ny; j++) {
        size_t p0 = (size_t)(j + 1) * (size_t)W + 1;
        for (long i = 0; i < nx; i++) {
            size_t p = p0 + (size_t)i;
            double Ax = d[p] * x[p] - wE[p] * x[p + 1] - wE[p - 1] * x[p - 1] -
                        wN[p] * x[p + (size_t)W] - wN[p - (size_t)W] * x[p - (size_t)W];
            y[p] = fr[p] ? (b ? b[p] : 0.0) - Ax : 0.0;
        }
        ss += dot4(y + p0, y + p0, (size_t)nx);
    }
    return ss;
}

double basin_lap_apply(const basin_lap *L, const double *x, double *y)
{
    const long W = L->W, nx = L->nx, ny = L->ny;
    const double *wE = L->wE, *wN = L->wN, *d = L->d;
    const uint8_t *fr = L->free;
    double xy = 0.0;
    for (long j = 0; j < ny; j++) {
        size_t p0 = (size_t)(j + 1) * (size_t)W + 1;
        for (long i = 0; i < nx; i++) {
            size_t p = p0 + (size_t)i;
            double Ax = d[p] * x[p] - wE[p] * x[p + 1] - wE[p - 1] * x[p - 1] -
                        wN[p] * x[p + (size_t)W] - wN[p - (size_t)W] * x[p - (size_t)W];
            y[p] = fr[p] ? Ax : 0.0;
        }
        xy += dot4(x + p0, y + p0, (size_t)nx);
    }
    return xy;
}

void basin_lap_sor(const basin_lap *L, const double *b, double *x, double omega, bool backward)
{
    const long W = L->W, nx = L->nx, ny = L->ny;
    const double *wE = L->wE, *wN = L->wN, *d = L->d, *invd = L->invd;
    /* x_p ← x_p + ω (b_p − d_p x_p + Σ_q w_pq x_q)/d_p at free p (invd = 0 elsewhere) */
    for (long jj = 0; jj < ny; jj++) {
        long j = backward ? ny - 1 - jj : jj;
        size_t p0 = (size_t)(j + 1) * (size_t)W + 1;
        for (long ii = 0; ii < nx; ii++) {
            size_t p = p0 + (size_t)(backward ? nx - 1 - ii : ii);
            double res = (b ? b[p] : 0.0) - d[p] * x[p] + wE[p] * x[p + 1] + wE[p - 1] * x[p - 1] +
                         wN[p] * x[p + (size_t)W] + wN[p - (size_t)W] * x[p - (size_t)W];
            x[p] += omega * invd[p] * res;
        }
    }
}

/* ---- the hierarchy ---------------------------------------------------------------------- */

typedef struct mg_level {
    long nx, ny, W;
    size_t np;
    bool cx, cy;   /* this level halves the finer one in x / y */
    double *st;    /* 9 per padded node: s = (dy+1)·3 + (dx+1); NULL on level 0 */
    double *invd;  /* 1/centre at free nodes, 0 elsewhere (level 0: the lap's) */
    uint8_t *free; /* level 0: the lap's */
    double *u, *r; /* correction and right side (not used on level 0: the caller's) */
    double *t;     /* residual scratch */
    double *pw;    /* coarse levels: P, 4 weights per padded node of the finer level, index
                      ky·2 + kx over its parents (parents(j) × parents(i)) */
} mg_level;

struct basin_mg {
    const basin_lap *L;
    int nu;
    int n_levels;
    mg_level *lv;
    /* exact solve on the coarsest level */
    long nc;      /* its free nodes */
    size_t *cidx; /* their padded indices */
    double *chol; /* nc × nc Cholesky factor (column-major, lower) */
    double *cb;   /* nc right side */
};

static void level_free(mg_level *l, bool level0)
{
    if (!level0) {
        free(l->st);
        free(l->invd);
        free(l->free);
        free(l->u);
        free(l->r);
        free(l->pw);
    }
    free(l->t);
}

void basin_mg_free(basin_mg *mg)
{
    if (!mg)
        return;
    if (mg->lv)
        for (int l = 0; l < mg->n_levels; l++)
            level_free(&mg->lv[l], l == 0);
    free(mg->lv);
    free(mg->cidx);
    free(mg->chol);
    free(mg->cb);
    free(mg);
}

int basin_mg_levels(const basin_mg *mg)
{
    return mg->n_levels;
}

long basin_mg_coarsest_size(const basin_mg *mg)
{
    return mg->nc;
}

static size_t lindex(const mg_level *l, long i, long j)
{
    return (size_t)(j + 1) * (size_t)l->W + (size_t)(i + 1);
}

/* The 9-point stencil a[9] of free node p of level l restricted to free neighbours (level
 * 0 from the edge weights; couplings to fixed nodes and ghosts read 0). */
static void stencil_at(const basin_mg *mg, int l, size_t p, double a[9])
{
    if (l > 0) {
        memcpy(a, mg->lv[l].st + 9 * p, 9 * sizeof(double));
        return;
    }
    const basin_lap *L = mg->L;
    size_t W = (size_t)L->W;
    const uint8_t *fr = L->free;
    memset(a, 0, 9 * sizeof(double));
    a[4] = L->d[p];
    a[5] = fr[p + 1] ? -L->wE[p] : 0.0;
    a[3] = fr[p - 1] ? -L->wE[p - 1] : 0.0;
    a[7] = fr[p + W] ? -L->wN[p] : 0.0;
    a[1] = fr[p - W] ? -L->wN[p - W] : 0.0;
}

/* Coarse parents of fine index i in a dimension halved (c) or kept: 1 or 2. */
static int parents(long i, bool c, long *idx)
{
    if (!c || i % 2 == 0) {
        idx[0] = c ? i / 2 : i;
        return 1;
    }
    idx[0] = (i - 1) / 2;
    idx[1] = (i + 1) / 2;
    return 2;
}

/* Operator-dependent interpolation (Dendy's black-box multigrid) from level l+1 to l:
 *   a fine node on a coarse node takes its value (weight 1);
 *   a node between two coarse nodes in x (on a coarse row) takes
 *       u = (w_W u_W + w_E u_E)/(a_S + a_C + a_N),  w_W = −(a_SW + a_W + a_NW), w_E likewise
 *   (the stencil collapsed onto the line of the parents), and symmetrically in y;
 *   a node between four coarse nodes solves its own row, −Σ_{s≠C} a_s u_s / a_C, with its
 *   edge neighbours' interpolated values.
 * Couplings to fixed nodes are 0 in the stencil but stay in a_C, so next to an anchor the
 * interpolant dips towards the anchor's zero correction: the coarse spaces represent the
 * logarithmic profile around point anchors, which bilinear interpolation cannot (its
 * V-cycle rate then degrades like log n). Rows of fixed fine nodes and columns of fixed
 * coarse nodes are 0. */
static void interpolation(basin_mg *mg, int l)
{
    const mg_level *f = &mg->lv[l];
    mg_level *c = &mg->lv[l + 1];
    double *pw = c->pw;
    memset(pw, 0, 4 * f->np * sizeof *pw);
    for (int pass = 0; pass < 2; pass++)
        for (long j = 0; j < f->ny; j++)
            for (long i = 0; i < f->nx; i++) {
                size_t p = lindex(f, i, j);
                if (!f->free[p])
                    continue;
                bool bx = c->cx && i % 2 == 1, by = c->cy && j % 2 == 1;
                if ((bx && by) != (pass == 1))
                    continue;
                long pxi[2] = {0, 0}, pyi[2] = {0, 0};
                parents(i, c->cx, pxi);
                parents(j, c->cy, pyi);
                double *w = pw + 4 * p;
                if (!bx && !by) {
                    w[0] = 1.0;
                } else {
                    double a[9];
                    stencil_at(mg, l, p, a);
                    if (bx && !by) {
                        double den = a[1] + a[4] + a[7];
                        double wW = -(a[0] + a[3] + a[6]), wE = -(a[2] + a[5] + a[8]);
                        w[0] = den > 0.0 ? wW / den : 0.5;
                        w[1] = den > 0.0 ? wE / den : 0.5;
                    } else if (by && !bx) {
                        double den = a[3] + a[4] + a[5];
                        double wS = -(a[0] + a[1] + a[2]), wN = -(a[6] + a[7] + a[8]);
                        w[0] = den > 0.0 ? wS / den : 0.5;
                        w[2] = den > 0.0 ? wN / den : 0.5;
                    } else {
                        /* u = −Σ_{s≠C} a_s u_s / a_C: corners are coarse nodes, edge
                         * neighbours carry their own (first pass) weights */
                        size_t W = (size_t)f->W;
                        const size_t *nb =
                            (const size_t[]){p - W - 1, p - W,     p - W + 1, p - 1,    p,
                                             p + 1,     p + W - 1, p + W,     p + W + 1};
                        double acc[4] = {0, 0, 0, 0};
                        /* corners: s = 0 (SW → parent 0), 2 (SE → 1), 6 (NW → 2), 8 (NE → 3) */
                        acc[0] -= a[0];
                        acc[1] -= a[2];
                        acc[2] -= a[6];
                        acc[3] -= a[8];
                        /* S (s = 1): between in x on row J: its w[0] → parent 0, w[1] → 1 */
                        acc[0] -= a[1] * pw[4 * nb[1] + 0];
                        acc[1] -= a[1] * pw[4 * nb[1] + 1];
                        /* N (s = 7): its w[0] → parent 2, w[1] → 3 */
                        acc[2] -= a[7] * pw[4 * nb[7] + 0];
                        acc[3] -= a[7] * pw[4 * nb[7] + 1];
                        /* W (s = 3): between in y on column I: its w[0] → 0, w[2] → 2 */
                        acc[0] -= a[3] * pw[4 * nb[3] + 0];
                        acc[2] -= a[3] * pw[4 * nb[3] + 2];
                        /* E (s = 5): its w[0] → 1, w[2] → 3 */
                        acc[1] -= a[5] * pw[4 * nb[5] + 0];
                        acc[3] -= a[5] * pw[4 * nb[5] + 2];
                        for (int k = 0; k < 4; k++)
                            w[k] = a[4] > 0.0 ? acc[k] / a[4] : 0.25;
                    }
                }
                /* drop the columns of fixed coarse nodes */
                int npx = bx ? 2 : 1, npy = by ? 2 : 1;
                for (int ky = 0; ky < 2; ky++)
                    for (int kx = 0; kx < 2; kx++)
                        if (kx >= npx || ky >= npy || !c->free[lindex(c, pxi[kx], pyi[ky])])
                            w[ky * 2 + kx] = 0.0;
            }
}

/* Builds level l+1 (already sized, arrays allocated) from level l: fixed nodes (a coarse
 * node on a fixed fine node is fixed), the interpolation, then the Galerkin stencils
 * A_c = Pᵀ A P over free fine nodes. */
static int galerkin(basin_mg *mg, int l)
{
    const mg_level *f = &mg->lv[l];
    mg_level *c = &mg->lv[l + 1];
    for (long cj = 0; cj < c->ny; cj++)
        for (long ci = 0; ci < c->nx; ci++)
            c->free[lindex(c, ci, cj)] = 1;
    for (long j = 0; j < f->ny; j++)
        for (long i = 0; i < f->nx; i++)
            if (!f->free[lindex(f, i, j)] && !(c->cx && i % 2) && !(c->cy && j % 2))
                c->free[lindex(c, c->cx ? i / 2 : i, c->cy ? j / 2 : j)] = 0;
    interpolation(mg, l);
    memset(c->st, 0, 9 * c->np * sizeof(double));
    /* the coarse parents of every fine node as padded indices, beside their weights pw
     * (same order: ky·2 + kx), and the stencil slot of a coarse index difference */
    uint32_t *ck = calloc(4 * f->np, sizeof *ck);
    int8_t *slot = malloc((size_t)(2 * c->W + 3));
    if (!ck || !slot) {
        free(ck);
        free(slot);
        return BASIN_ENOMEM;
    }
    for (long dy = -1; dy <= 1; dy++)
        for (long dx = -1; dx <= 1; dx++)
            slot[dy * c->W + dx + c->W + 1] = (int8_t)((dy + 1) * 3 + dx + 1);
    for (long j = 0; j < f->ny; j++) {
        long pyi[2] = {0, 0};
        int npy = parents(j, c->cy, pyi);
        for (long i = 0; i < f->nx; i++) {
            long pxi[2] = {0, 0};
            int npx = parents(i, c->cx, pxi);
            size_t p = lindex(f, i, j);
            for (int ky = 0; ky < npy; ky++)
                for (int kx = 0; kx < npx; kx++)
                    ck[4 * p + (size_t)(ky * 2 + kx)] = (uint32_t)lindex(c, pxi[kx], pyi[ky]);
        }
    }
    const long Wf = f->W;
    const long off[9] = {-Wf - 1, -Wf, -Wf + 1, -1, 0, 1, Wf - 1, Wf, Wf + 1};
    const double *pw = c->pw;
    /* A_c[K][L] = Σ_f Σ_g P_fK A_fg P_gL over free f and free neighbours g */
    for (long j = 0; j < f->ny; j++)
        for (long i = 0; i < f->nx; i++) {
            size_t p = lindex(f, i, j);
            if (!f->free[p])
                continue;
            double a[9];
            stencil_at(mg, l, p, a);
            const double *wf = pw + 4 * p;
            const uint32_t *kf = ck + 4 * p;
            for (int s = 0; s < 9; s++) {
                if (a[s] == 0.0)
                    continue;
                size_t g = (size_t)((long)p + off[s]);
                const double *wg = pw + 4 * g;
                const uint32_t *kg = ck + 4 * g;
                for (int m = 0; m < 4; m++) {
                    if (wf[m] == 0.0)
                        continue;
                    double wk = wf[m] * a[s];
                    long K = kf[m];
                    double *row = c->st + 9 * (size_t)K;
                    for (int q = 0; q < 4; q++)
                        if (wg[q] != 0.0)
                            row[slot[(long)kg[q] - K + c->W + 1]] += wk * wg[q];
                }
            }
        }
    free(ck);
    free(slot);
    /* A coarse node whose basis function vanishes (all its fine support fixed) is fixed. */
    for (long cj = 0; cj < c->ny; cj++)
        for (long ci = 0; ci < c->nx; ci++) {
            size_t K = lindex(c, ci, cj);
            double centre = c->st[9 * K + 4];
            if (c->free[K] && centre > 0.0) {
                c->invd[K] = 1.0 / centre;
            } else {
                c->free[K] = 0;
                c->invd[K] = 0.0;
                memset(c->st + 9 * K, 0, 9 * sizeof(double));
            }
        }
    return 0;
}

/* Factors the coarsest level's operator restricted to its free nodes. */
static int factor_coarsest(basin_mg *mg)
{
    int l = mg->n_levels - 1;
    const mg_level *c = &mg->lv[l];
    long n = 0;
    for (size_t p = 0; p < c->np; p++)
        n += c->free[p] ? 1 : 0;
    mg->nc = n;
    if (n == 0)
        return 0;
    long *map = malloc(c->np * sizeof *map);
    mg->cidx = malloc((size_t)n * sizeof *mg->cidx);
    mg->chol = calloc((size_t)n * (size_t)n, sizeof *mg->chol);
    mg->cb = malloc((size_t)n * sizeof *mg->cb);
    if (!map || !mg->cidx || !mg->chol || !mg->cb) {
        free(map);
        return BASIN_ENOMEM;
    }
    long k = 0;
    for (size_t p = 0; p < c->np; p++) {
        map[p] = c->free[p] ? k : -1;
        if (c->free[p])
            mg->cidx[k++] = p;
    }
    const long W = c->W;
    const long off[9] = {-W - 1, -W, -W + 1, -1, 0, 1, W - 1, W, W + 1};
    for (long a = 0; a < n; a++) {
        size_t p = mg->cidx[a];
        double st[9];
        stencil_at(mg, l, p, st);
        for (int s = 0; s < 9; s++) {
            long q = map[(size_t)((long)p + off[s])];
            if (q >= 0 && st[s] != 0.0)
                mg->chol[(size_t)q * (size_t)n + (size_t)a] += st[s];
        }
    }
    free(map);
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, mg->chol, (lapack_int)n);
    return info == 0 ? 0 : BASIN_EDIVERGED;
}

/* Whether the next level halves x / y, given a level of nx × ny. */
static void coarsen_dims(long nx, long ny, bool *cx, bool *cy)
{
    long big = nx > ny ? nx : ny;
    *cx = nx >= 3 && 2 * nx >= big;
    *cy = ny >= 3 && 2 * ny >= big;
}

int basin_mg_alloc(const basin_lap *L, int nu, basin_mg **out)
{
    basin_mg *mg = calloc(1, sizeof *mg);
    if (!mg)
        return BASIN_ENOMEM;
    mg->L = L;
    mg->nu = nu;
    int n_levels = 1;
    long nx = L->nx, ny = L->ny;
    while (nx * ny > COARSEST_MAX) {
        bool cx, cy;
        coarsen_dims(nx, ny, &cx, &cy);
        if (!cx && !cy)
            break;
        nx = cx ? nx / 2 + 1 : nx;
        ny = cy ? ny / 2 + 1 : ny;
        n_levels++;
    }
    mg->lv = calloc((size_t)n_levels, sizeof *mg->lv);
    if (!mg->lv) {
        free(mg);
        return BASIN_ENOMEM;
    }
    mg->n_levels = n_levels;
    int rc = BASIN_ENOMEM;
    mg_level *l0 = &mg->lv[0];
    l0->nx = L->nx;
    l0->ny = L->ny;
    l0->W = L->W;
    l0->np = L->np;
    l0->invd = L->invd;
    l0->free = L->free;
    if (!(l0->t = calloc(l0->np, sizeof *l0->t)))
        goto fail;
    for (int l = 1; l < n_levels; l++) {
        mg_level *f = &mg->lv[l - 1], *c = &mg->lv[l];
        coarsen_dims(f->nx, f->ny, &c->cx, &c->cy);
        c->nx = c->cx ? f->nx / 2 + 1 : f->nx;
        c->ny = c->cy ? f->ny / 2 + 1 : f->ny;
        c->W = c->nx + 2;
        c->np = (size_t)(c->nx + 2) * (size_t)(c->ny + 2);
        c->st = calloc(9 * c->np, sizeof *c->st);
        c->invd = calloc(c->np, sizeof *c->invd);
        c->free = calloc(c->np, 1);
        c->u = calloc(c->np, sizeof *c->u);
        c->r = calloc(c->np, sizeof *c->r);
        c->t = calloc(c->np, sizeof *c->t);
        c->pw = calloc(4 * f->np, sizeof *c->pw);
        if (!c->st || !c->invd || !c->free || !c->u || !c->r || !c->t || !c->pw) {
            rc = BASIN_ENOMEM;
            goto fail;
        }
        if ((rc = galerkin(mg, l - 1)))
            goto fail;
    }
    if ((rc = factor_coarsest(mg)))
        goto fail;
    *out = mg;
    return 0;
fail:
    basin_mg_free(mg);
    return rc;
}

double basin_mg_cycle_cost(long nx, long ny, int nu)
{
    double n = (double)nx * (double)ny;
    return n * (24.0 * nu + 40.0) + n / 3.0 * (40.0 * nu + 70.0);
}

/* ---- the V-cycle ------------------------------------------------------------------------ */

/* Red–black Gauss–Seidel on level 0 for corrections (0 at fixed nodes):
 * u_p = (r_p + Σ_q w_pq u_q)/d_p on the nodes with i + j even, then odd (forward), or odd
 * then even (backward: the adjoint sweep, so the V-cycle stays symmetric). Within a colour
 * the updates are independent, which lets the loop run at memory speed. */
static void gs0_colour(const basin_lap *L, const double *r, double *u, long colour)
{
    const size_t W = (size_t)L->W;
    const long nx = L->nx, ny = L->ny;
    const double *wE = L->wE, *wN = L->wN, *invd = L->invd;
    for (long j = 0; j < ny; j++) {
        size_t p0 = (size_t)(j + 1) * W + 1;
        long i = (j + colour) & 1;
        if (j > 0 && j + 1 < ny) {
            /* an inner row of a 2-D grid: every edge off the outer columns weighs 1 */
            if (i == 0) {
                u[p0] = invd[p0] *
                        (r[p0] + wE[p0] * u[p0 + 1] + wN[p0] * u[p0 + W] + wN[p0 - W] * u[p0 - W]);
                i = 2;
            }
            for (; i < nx - 1; i += 2) {
                size_t p = p0 + (size_t)i;
                u[p] = invd[p] * (r[p] + u[p + 1] + u[p - 1] + u[p + W] + u[p - W]);
            }
        }
        for (; i < nx; i += 2) {
            size_t p = p0 + (size_t)i;
            u[p] = invd[p] * (r[p] + wE[p] * u[p + 1] + wE[p - 1] * u[p - 1] + wN[p] * u[p + W] +
                              wN[p - W] * u[p - W]);
        }
    }
}

static void gs0(const basin_lap *L, const double *r, double *u, bool backward)
{
    gs0_colour(L, r, u, backward ? 1 : 0);
    gs0_colour(L, r, u, backward ? 0 : 1);
}

/* Gauss–Seidel on a 9-point level: u_p = (r_p − Σ_{s≠centre} a_s u_{p+off_s})/a_centre. */
static void gs9(const mg_level *c, const double *r, double *u, bool backward)
{
    const size_t W = (size_t)c->W;
    const double *st = c->st, *invd = c->invd;
    for (long jj = 0; jj < c->ny; jj++) {
        long j = backward ? c->ny - 1 - jj : jj;
        size_t p0 = (size_t)(j + 1) * W + 1;
        for (long ii = 0; ii < c->nx; ii++) {
            size_t p = p0 + (size_t)(backward ? c->nx - 1 - ii : ii);
            const double *a = st + 9 * p;
            double s = r[p] - (a[0] * u[p - W - 1] + a[1] * u[p - W] + a[2] * u[p - W + 1] +
                               a[3] * u[p - 1] + a[5] * u[p + 1] + a[6] * u[p + W - 1] +
                               a[7] * u[p + W] + a[8] * u[p + W + 1]);
            u[p] = invd[p] * s;
        }
    }
}

/* t = r − A u on a 9-point level (0 at fixed nodes). */
static void residual9(const mg_level *c, const double *r, const double *u, double *t)
{
    const size_t W = (size_t)c->W;
    for (long j = 0; j < c->ny; j++) {
        size_t p0 = (size_t)(j + 1) * W + 1;
        for (size_t p = p0; p < p0 + (size_t)c->nx; p++) {
            const double *a = c->st + 9 * p;
            double Au = a[0] * u[p - W - 1] + a[1] * u[p - W] + a[2] * u[p - W + 1] +
                        a[3] * u[p - 1] + a[4] * u[p] + a[5] * u[p + 1] + a[6] * u[p + W - 1] +
                        a[7] * u[p + W] + a[8] * u[p + W + 1];
            t[p] = c->free[p] ? r[p] - Au : 0.0;
        }
    }
}

/* rc = Pᵀ t, scattered from the fine nodes (0 at fixed coarse nodes: their columns are 0). */
static void restrict_to(const mg_level *f, const mg_level *c, const double *t, double *rc)
{
    memset(rc, 0, c->np * sizeof *rc);
    for (long j = 0; j < f->ny; j++) {
        long pyi[2] = {0, 0};
        int npy = parents(j, c->cy, pyi);
        for (long i = 0; i < f->nx; i++) {
            size_t p = lindex(f, i, j);
            double tf = t[p];
            if (tf == 0.0)
                continue;
            long pxi[2] = {0, 0};
            int npx = parents(i, c->cx, pxi);
            const double *w = c->pw + 4 * p;
            for (int ky = 0; ky < npy; ky++)
                for (int kx = 0; kx < npx; kx++)
                    rc[lindex(c, pxi[kx], pyi[ky])] += w[ky * 2 + kx] * tf;
        }
    }
}

/* u += P uc (P's rows are 0 at fixed fine nodes). */
static void prolong_add(const mg_level *f, const mg_level *c, const double *uc, double *u)
{
    for (long j = 0; j < f->ny; j++) {
        long pyi[2] = {0, 0};
        int npy = parents(j, c->cy, pyi);
        for (long i = 0; i < f->nx; i++) {
            size_t p = lindex(f, i, j);
            long pxi[2] = {0, 0};
            int npx = parents(i, c->cx, pxi);
            const double *w = c->pw + 4 * p;
            double s = 0.0;
            for (int ky = 0; ky < npy; ky++)
                for (int kx = 0; kx < npx; kx++)
                    s += w[ky * 2 + kx] * uc[lindex(c, pxi[kx], pyi[ky])];
            u[p] += s;
        }
    }
}

static void solve_coarsest(basin_mg *mg, const double *r, double *u)
{
    const mg_level *c = &mg->lv[mg->n_levels - 1];
    memset(u, 0, c->np * sizeof *u);
    long n = mg->nc;
    if (n == 0)
        return;
    for (long a = 0; a < n; a++)
        mg->cb[a] = r[mg->cidx[a]];
    LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, mg->chol, (lapack_int)n, mg->cb,
                   (lapack_int)n);
    for (long a = 0; a < n; a++)
        u[mg->cidx[a]] = mg->cb[a];
}

/* u = V r on level l: ν forward sweeps, coarse correction, ν backward sweeps. */
static void vcycle(basin_mg *mg, int l, const double *r, double *u)
{
    mg_level *lv = &mg->lv[l];
    if (l == mg->n_levels - 1) {
        solve_coarsest(mg, r, u);
        return;
    }
    memset(u, 0, lv->np * sizeof *u);
    mg_level *c = &mg->lv[l + 1];
    if (l == 0) {
        for (int k = 0; k < mg->nu; k++)
            gs0(mg->L, r, u, false);
        basin_lap_residual(mg->L, r, u, lv->t);
    } else {
        for (int k = 0; k < mg->nu; k++)
            gs9(lv, r, u, false);
        residual9(lv, r, u, lv->t);
    }
    restrict_to(lv, c, lv->t, c->r);
    vcycle(mg, l + 1, c->r, c->u);
    prolong_add(lv, c, c->u, u);
    for (int k = 0; k < mg->nu; k++) {
        if (l == 0)
            gs0(mg->L, r, u, true);
        else
            gs9(lv, r, u, true);
    }
}

void basin_mg_vcycle(basin_mg *mg, const double *r, double *z)
{
    vcycle(mg, 0, r, z);
}
