/*
 * sparse_code.c — dictionaries, power iteration, ISTA/FISTA and OMP (see
 * basin/sparse_code.h). Products with D go through CBLAS on the column-major storage.
 */
#include "basin/sparse_code.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"
#include "basin/wavelet.h"

/* ---- dictionaries ---------------------------------------------------------------------- */

static void normalise_columns(long n, long m, double *D)
{
    for (long j = 0; j < m; j++) {
        double *d = D + j * n;
        double norm = sqrt(cblas_ddot((int)n, d, 1, d, 1)); /* |d_ij| ≤ 1e12: no overflow */
        if (norm > 0.0)
            cblas_dscal((int)n, 1.0 / norm, d, 1);
    }
}

void basin_dict_dct(long n, long m, long j0, long j1, double *D)
{
    /* d_j(i) = cos(π j (2i + 1) / (2m)) */
    for (long j = j0; j < j1; j++)
        for (long i = 0; i < n; i++)
            D[j * n + i] = cos(M_PI * (double)j * (double)(2 * i + 1) / (double)(2 * m));
    normalise_columns(n, j1 - j0, D + j0 * n);
}

int basin_dict_haar(long n, long j0, long j1, double *D, double *work)
{
    if (n < 1 || (n & (n - 1)) != 0)
        return BASIN_EINVAL;
    const int J = basin_wavelet_dyadic_levels(n);
    const basin_wavelet *w = basin_wavelet_get(BASIN_WAVELET_HAAR);
    double *e = work, *scratch = work + n;
    memset(e, 0, (size_t)n * sizeof *e);
    for (long j = j0; j < j1; j++) {
        e[j] = 1.0;
        basin_idwt(w, n, J, e, D + j * n, scratch);
        e[j] = 0.0;
    }
    return 0;
}

void basin_dict_gaussian(long n, long j0, long j1, basin_normal_gen *g, double *D)
{
    basin_normal_gen_fill(g, D + j0 * n, n * (j1 - j0));
    normalise_columns(n, j1 - j0, D + j0 * n);
}

void basin_dict_norms(long n, long m, const double *D, double *norms)
{
    for (long j = 0; j < m; j++)
        norms[j] = sqrt(cblas_ddot((int)n, D + j * n, 1, D + j * n, 1));
}

void basin_power_start(long m, double *v)
{
    basin_rng rng;
    basin_rng_seed(&rng, 0x5eedULL);
    for (long j = 0; j < m; j++)
        v[j] = basin_rng_uniform(&rng) + 0.5;
    double vn = cblas_dnrm2((int)m, v, 1);
    cblas_dscal((int)m, 1.0 / vn, v, 1);
}

double basin_power_step(long n, long m, const double *D, double *v, double *work)
{
    double *u = work, *w = work + n;
    /* u = Dv, ρ = ‖u‖² (‖v‖ = 1), w = Dᵀu = DᵀDv, v ← w/‖w‖ */
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)m, 1.0, D, (int)n, v, 1, 0.0, u, 1);
    double rho = cblas_ddot((int)n, u, 1, u, 1);
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)m, 1.0, D, (int)n, u, 1, 0.0, w, 1);
    double wn = cblas_dnrm2((int)m, w, 1);
    if (wn > 0.0)
        for (long j = 0; j < m; j++)
            v[j] = w[j] / wn;
    return rho;
}

double basin_lipschitz(long n, long m, const double *D, long max_iter, double tol, double *work,
                       long *iters)
{
    double *v = work + n + m;
    basin_power_start(m, v);
    double rho = 0.0;
    long it = 0;
    while (it < max_iter) {
        it++;
        double rho_new = basin_power_step(n, m, D, v, work);
        bool done = fabs(rho_new - rho) <= tol * rho_new;
        rho = rho_new;
        if (done)
            break;
    }
    if (iters)
        *iters = it;
    return rho;
}

/* ---- Lasso --------------------------------------------------------------------------- */

/* max without fmax's NaN rules, so that it compiles to one instruction in loops */
static inline double max_d(double a, double b)
{
    return a > b ? a : b;
}

#define BACKTRACK_ETA 1.25 /* L ← max(ηL, ‖Dd‖²/‖d‖²) on a violated decrease condition */
#define WS_MIN        100  /* smallest working set */
#define WS_RATIO      0.05 /* check when W's gap ≤ WS_RATIO × the last full gap */
#define WS_POWER_ITER 20
#define WS_POWER_TOL  1e-2
#define WS_GATHER_MAX (1L << 22) /* largest n·|W| copied into the contiguous D_W */

/* F(z) and the residual sums ‖r‖², ⟨a, r⟩ (r = a − Dz), ‖z‖₁, nnz at the current iterate. */
static void lasso_primal(basin_lasso *s, double *rr_out, double *ar_out)
{
    double rr = 0.0, ar = 0.0, l1 = 0.0;
    long nnz = 0;
    for (long i = 0; i < s->n; i++) {
        double r = s->a[i] - s->Dz[i];
        rr += r * r;
        ar += s->a[i] * r;
    }
    if (s->n_ws < s->m) { /* z vanishes outside the working set */
        for (long q = 0; q < s->n_ws; q++) {
            double zj = s->z[s->ws[q]];
            l1 += fabs(zj);
            nnz += zj != 0.0;
        }
    } else {
        for (long j = 0; j < s->m; j++) {
            l1 += fabs(s->z[j]);
            nnz += s->z[j] != 0.0;
        }
    }
    s->objective = 0.5 * rr + s->lambda * l1;
    s->residual = sqrt(rr);
    s->l1 = l1;
    s->nnz = nnz;
    *rr_out = rr;
    *ar_out = ar;
}

/* The dual value at θ = c·r, c = min(1, λ/ginf): c⟨a, r⟩ − ½c²‖r‖². */
static double dual_value(double lambda, double ginf, double rr, double ar)
{
    double c = ginf > lambda ? lambda / ginf : 1.0;
    return c * ar - 0.5 * c * c * rr;
}

static double ginf_over(const basin_lasso *s, const long *idx, long k)
{
    double ginf = 0.0;
    for (long q = 0; q < k; q++)
        ginf = max_d(ginf, fabs(s->g[idx[q]]));
    return ginf;
}

/* out = D z for the z of `nnz` nonzeros listed in active (a dense product when many: by
 * D, or by the gathered D_W on z's compact copy zc[q] = z_{W_q} when there is one). */
static void apply_D(const basin_lasso *s, const double *z, const double *zc, const long *active,
                    long nnz, double *out)
{
    const long n = s->n, m = s->m;
    if (s->DW && nnz * 4 > s->n_ws) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)s->n_ws, 1.0, s->DW, (int)n, zc, 1,
                    0.0, out, 1);
        return;
    }
    if (!s->DW && nnz * 4 > m) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)m, 1.0, s->D, (int)n, z, 1, 0.0, out,
                    1);
        return;
    }
    memset(out, 0, (size_t)n * sizeof *out);
    for (long q = 0; q < nnz; q++) {
        long j = active[q];
        cblas_daxpy((int)n, z[j], s->D + j * n, 1, out, 1);
    }
}

/* g_j = d_jᵀ(Dz − a) for every atom (full) or for the iterated ones (one product with the
 * gathered D_W, its compact result in work_m[m, m + |W|), when there is one) */
static void gradient(const basin_lasso *s, const double *Dz, double *g, bool full)
{
    const long n = s->n, m = s->m;
    for (long i = 0; i < n; i++)
        s->work_n[i] = Dz[i] - s->a[i];
    if (full || s->n_ws == m) {
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)m, 1.0, s->D, (int)n, s->work_n, 1, 0.0,
                    g, 1);
        return;
    }
    if (s->DW) {
        double *gc = s->work_m + m;
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)s->n_ws, 1.0, s->DW, (int)n, s->work_n,
                    1, 0.0, gc, 1);
        for (long q = 0; q < s->n_ws; q++)
            g[s->ws[q]] = gc[q];
        return;
    }
    for (long q = 0; q < s->n_ws; q++) {
        long j = s->ws[q];
        g[j] = cblas_ddot((int)n, s->D + j * n, 1, s->work_n, 1);
    }
}

/* The k-th largest of a[0, m) (k ≥ 1), rearranging a (Hoare selection). */
static double select_largest(double *a, long m, long k)
{
    long lo = 0, hi = m - 1, target = k - 1;
    while (hi > lo) {
        double pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] > pivot)
                i++;
            while (a[j] < pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return a[target];
    }
    return a[target];
}

/* λ_max(D_WᵀD_W) by power iteration over the working set (from below), on compact
 * vectors v, w (v_q is the entry of atom W_q) in work_m: with the gathered D_W two
 * products a step, else one BLAS-1 call per atom. */
static double ws_lipschitz(basin_lasso *s)
{
    const long n = s->n, k = s->n_ws;
    double *v = s->work_m, *w = s->work_m + s->m, *u = s->work_n;
    basin_rng rng;
    basin_rng_seed(&rng, 0x5eedULL);
    double vn = 0.0;
    for (long q = 0; q < k; q++) {
        v[q] = basin_rng_uniform(&rng) + 0.5;
        vn += v[q] * v[q];
    }
    vn = sqrt(vn);
    for (long q = 0; q < k; q++)
        v[q] /= vn;
    double rho = 0.0;
    for (int it = 0; it < WS_POWER_ITER; it++) {
        /* u = D_W v, ρ = ‖u‖², w = D_Wᵀu, v ← w/‖w‖ */
        if (s->DW) {
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)k, 1.0, s->DW, (int)n, v, 1, 0.0,
                        u, 1);
        } else {
            memset(u, 0, (size_t)n * sizeof *u);
            for (long q = 0; q < k; q++)
                cblas_daxpy((int)n, v[q], s->D + s->ws[q] * n, 1, u, 1);
        }
        double rho_new = cblas_ddot((int)n, u, 1, u, 1);
        if (s->DW)
            cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)k, 1.0, s->DW, (int)n, u, 1, 0.0, w,
                        1);
        else
            for (long q = 0; q < k; q++)
                w[q] = cblas_ddot((int)n, s->D + s->ws[q] * n, 1, u, 1);
        double wn = cblas_dnrm2((int)k, w, 1);
        bool done = fabs(rho_new - rho) <= WS_POWER_TOL * rho_new || wn == 0.0;
        rho = rho_new;
        if (done)
            break;
        for (long q = 0; q < k; q++)
            v[q] = w[q] / wn;
    }
    return rho > 0.0 ? rho : 1.0;
}

/* Copies the atoms of W, in order, into the contiguous n×|W| D_W (s->DW), when W is a
 * proper subset of at most WS_GATHER_MAX entries and the memory is there; else s->DW =
 * NULL and the products go atom by atom. */
static void ws_gather(basin_lasso *s)
{
    const long n = s->n, k = s->n_ws;
    s->DW = NULL;
    if (k == s->m || n * k > WS_GATHER_MAX)
        return;
    if (n * k > s->cap_DW) {
        long cap = 2 * n * k < WS_GATHER_MAX ? 2 * n * k : WS_GATHER_MAX;
        double *p = realloc(s->DW_store, (size_t)cap * sizeof *p);
        if (!p)
            return;
        s->DW_store = p;
        s->cap_DW = cap;
    }
    for (long q = 0; q < k; q++)
        memcpy(s->DW_store + q * n, s->D + s->ws[q] * n, (size_t)n * sizeof *s->D);
    s->DW = s->DW_store;
}

/* Working sets: W = supp(z) ∪ the atoms of largest |g_j|/‖d_j‖, |W| = min(m,
 * max(WS_MIN, 2 nnz)), in increasing index order; then L and the momentum restart. Needs
 * the full gradient g at z. */
static void ws_rebuild(basin_lasso *s)
{
    const long m = s->m;
    long p = 2 * s->nnz > WS_MIN ? 2 * s->nnz : WS_MIN;
    if (p > m)
        p = m;
    long need = p - s->nnz; /* atoms to add outside the support */
    double *pr = s->work_m, *sel = s->work_m + m;
    long nc = 0;
    for (long j = 0; j < m; j++) {
        pr[j] = s->z[j] != 0.0 ? INFINITY : s->norms[j] > 0.0 ? fabs(s->g[j]) / s->norms[j] : -1.0;
        if (s->z[j] == 0.0)
            sel[nc++] = pr[j];
    }
    double v = need > 0 && nc > 0 ? select_largest(sel, nc, need < nc ? need : nc) : INFINITY;
    long added = 0;
    bool changed = false; /* an unchanged W keeps its L (never lowered by backtracking) */
    for (long j = 0; j < m; j++) {
        unsigned char now = s->z[j] != 0.0 || (pr[j] > v && added++ < need);
        changed |= now != s->in_ws[j];
        s->in_ws[j] = now;
    }
    for (long j = 0; j < m && added < need; j++)
        if (!s->in_ws[j] && pr[j] == v) {
            s->in_ws[j] = 1;
            added++;
            changed = true;
        }
    s->n_ws = 0;
    for (long j = 0; j < m; j++)
        if (s->in_ws[j])
            s->ws[s->n_ws++] = j;
    if (changed) {
        ws_gather(s);
        s->L = ws_lipschitz(s);
    }
    /* restart: every iterate buffer holds z (zero outside W ⊇ supp z), t = 1 */
    memcpy(s->z_prev, s->z, (size_t)m * sizeof *s->z);
    memcpy(s->spare_m, s->z, (size_t)m * sizeof *s->z);
    memcpy(s->g_prev, s->g, (size_t)m * sizeof *s->g);
    memcpy(s->Dz_prev, s->Dz, (size_t)s->n * sizeof *s->Dz);
    s->t = 1.0;
}

/* The full evaluation at z: g on every atom, the duality gap, and (working sets) the best
 * dual value and a new W. */
static void lasso_full_check(basin_lasso *s, bool compute_gradient)
{
    double rr, ar;
    if (compute_gradient)
        gradient(s, s->Dz, s->g, true);
    lasso_primal(s, &rr, &ar);
    double ginf = 0.0;
    for (long j = 0; j < s->m; j++)
        ginf = max_d(ginf, fabs(s->g[j]));
    double dual = dual_value(s->lambda, ginf, rr, ar);
    s->grad_inf = ginf;
    if (!s->working_set) {
        s->dual = dual;
        s->gap = s->objective - dual;
        return;
    }
    s->checks++;
    s->full_gap = s->objective - dual;
    if (s->checks == 1 || dual > s->dual)
        s->dual = dual;
    s->gap = s->objective - s->dual;
    s->ws_gap = s->full_gap;
    ws_rebuild(s);
}

int basin_lasso_init(basin_lasso *s, long n, long m, const double *D, const double *a,
                     double lambda, double L0, basin_lasso_method method, bool restart,
                     bool working_set)
{
    memset(s, 0, sizeof *s);
    if (n < 1 || m < 1 || !(lambda > 0.0) || !(L0 > 0.0) || !isfinite(lambda) || !isfinite(L0))
        return BASIN_EINVAL;
    s->n = n;
    s->m = m;
    s->D = D;
    s->a = a;
    s->lambda = lambda;
    s->L = L0;
    s->method = method;
    s->restart = restart;
    s->working_set = working_set;
    s->t = 1.0;
    s->z = calloc((size_t)m, sizeof *s->z);
    s->z_prev = calloc((size_t)m, sizeof *s->z_prev);
    s->spare_m = calloc((size_t)m, sizeof *s->spare_m);
    s->g = calloc((size_t)m, sizeof *s->g);
    s->g_prev = calloc((size_t)m, sizeof *s->g_prev);
    s->spare_g = calloc((size_t)m, sizeof *s->spare_g);
    s->Dz = calloc((size_t)n, sizeof *s->Dz);
    s->Dz_prev = calloc((size_t)n, sizeof *s->Dz_prev);
    s->spare_n = calloc((size_t)n, sizeof *s->spare_n);
    s->work_n = calloc((size_t)n, sizeof *s->work_n);
    s->Dy = calloc((size_t)n, sizeof *s->Dy);
    s->work_m = calloc((size_t)(2 * m), sizeof *s->work_m);
    s->active = calloc((size_t)m, sizeof *s->active);
    s->ws = calloc((size_t)m, sizeof *s->ws);
    if (working_set) {
        s->in_ws = calloc((size_t)m, sizeof *s->in_ws);
        s->norms = calloc((size_t)m, sizeof *s->norms);
    }
    if (!s->z || !s->z_prev || !s->spare_m || !s->g || !s->g_prev || !s->spare_g || !s->Dz ||
        !s->Dz_prev || !s->spare_n || !s->work_n || !s->Dy || !s->work_m || !s->active || !s->ws ||
        (working_set && (!s->in_ws || !s->norms))) {
        basin_lasso_free(s);
        return BASIN_ENOMEM;
    }
    for (long j = 0; j < m; j++)
        s->ws[j] = j;
    s->n_ws = m;
    if (working_set)
        basin_dict_norms(n, m, D, s->norms);
    s->a_norm2 = cblas_ddot((int)n, a, 1, a, 1);
    /* z = 0: Dz = 0, g = −Dᵀa */
    lasso_full_check(s, true);
    memcpy(s->g_prev, s->g, (size_t)m * sizeof *s->g);
    return 0;
}

void basin_lasso_step(basin_lasso *s)
{
    const long n = s->n;
    /* momentum: β = (t_k − 1)/t_{k+1}, t_{k+1} = (1 + √(1 + 4t_k²))/2 (β = 0 for ISTA and
     * for the first step after a (re)start) */
    double beta = 0.0;
    if (s->method == BASIN_LASSO_FISTA && s->iter >= 1) {
        double t_next = 0.5 * (1.0 + sqrt(1.0 + 4.0 * s->t * s->t));
        beta = (s->t - 1.0) / t_next;
        s->t = t_next;
    }
    /* Dy = Dz + β(Dz − Dz_prev) */
    for (long i = 0; i < n; i++)
        s->Dy[i] = s->Dz[i] + beta * (s->Dz[i] - s->Dz_prev[i]);
    double *z_new = s->spare_m, *Dz_new = s->spare_n, *g_new = s->spare_g;
    double *zc = s->work_m; /* z_new on W, compact (for the product with D_W) */
    long nnz;
    double restart_dot;
    for (;;) {
        /* y = z + β(z − z_prev), ∇f(y) = g + β(g − g_prev); z_new = S_{λ/L}(y − ∇f(y)/L) */
        const double inv_L = 1.0 / s->L, tau = s->lambda / s->L;
        double dd = 0.0;
        nnz = 0;
        restart_dot = 0.0;
        for (long q = 0; q < s->n_ws; q++) {
            long j = s->ws[q];
            double y = s->z[j] + beta * (s->z[j] - s->z_prev[j]);
            double gy = s->g[j] + beta * (s->g[j] - s->g_prev[j]);
            double u = y - gy * inv_L;
            double au = fabs(u);
            double zj = au > tau ? copysign(au - tau, u) : 0.0;
            z_new[j] = zj;
            zc[q] = zj;
            if (zj != 0.0)
                s->active[nnz++] = j;
            dd += (zj - y) * (zj - y);
            restart_dot += (y - zj) * (zj - s->z[j]);
        }
        apply_D(s, z_new, zc, s->active, nnz, Dz_new);
        /* sufficient decrease ‖D(z_new − y)‖² ≤ L‖z_new − y‖², allowing for rounding in the
         * difference of the two products */
        double Ddd = 0.0, scale = 0.0;
        for (long i = 0; i < n; i++) {
            double e = Dz_new[i] - s->Dy[i];
            Ddd += e * e;
            scale += Dz_new[i] * Dz_new[i] + s->Dy[i] * s->Dy[i];
        }
        if (dd == 0.0 || !(Ddd > s->L * dd * (1.0 + 1e-12) + 1e-24 * scale))
            break;
        s->L = fmax(BACKTRACK_ETA * s->L, Ddd / dd);
        s->backtracks++;
    }
    if (s->method == BASIN_LASSO_FISTA && s->restart && restart_dot > 0.0) {
        s->t = 1.0; /* the next step starts without momentum */
        s->restarts++;
    }
    gradient(s, Dz_new, g_new, false);
    /* rotate: prev ← current ← new; the old prev buffers become the spares */
    double *t;
    t = s->z_prev, s->z_prev = s->z, s->z = z_new, s->spare_m = t;
    t = s->Dz_prev, s->Dz_prev = s->Dz, s->Dz = Dz_new, s->spare_n = t;
    t = s->g_prev, s->g_prev = s->g, s->g = g_new, s->spare_g = t;
    s->iter++;
    if (!s->working_set) {
        lasso_full_check(s, false); /* g is already the full gradient */
        return;
    }
    /* working set: W's own gap; the certificate against the best full dual value */
    double rr, ar;
    lasso_primal(s, &rr, &ar);
    s->ws_gap = s->objective - dual_value(s->lambda, ginf_over(s, s->ws, s->n_ws), rr, ar);
    s->gap = s->objective - s->dual;
    if (s->ws_gap <= fmax(WS_RATIO * s->full_gap, s->check_gap))
        lasso_full_check(s, true);
}

void basin_lasso_free(basin_lasso *s)
{
    if (!s)
        return;
    free(s->z);
    free(s->z_prev);
    free(s->spare_m);
    free(s->g);
    free(s->g_prev);
    free(s->spare_g);
    free(s->Dz);
    free(s->Dz_prev);
    free(s->spare_n);
    free(s->work_n);
    free(s->Dy);
    free(s->work_m);
    free(s->active);
    free(s->ws);
    free(s->in_ws);
    free(s->norms);
    free(s->DW_store);
    memset(s, 0, sizeof *s);
}

/* ---- OMP ------------------------------------------------------------------------------- */

int basin_omp_init(basin_omp *s, long n, long m, const double *D, const double *a, long kmax)
{
    memset(s, 0, sizeof *s);
    if (n < 1 || m < 1 || kmax < 1 || kmax > n || kmax > m)
        return BASIN_EINVAL;
    s->n = n;
    s->m = m;
    s->kmax = kmax;
    s->D = D;
    s->a = a;
    s->support = calloc((size_t)kmax, sizeof *s->support);
    s->Lc = calloc((size_t)(kmax * kmax), sizeof *s->Lc);
    s->b = calloc((size_t)kmax, sizeof *s->b);
    s->x = calloc((size_t)kmax, sizeof *s->x);
    s->w = calloc((size_t)kmax, sizeof *s->w);
    s->r = calloc((size_t)n, sizeof *s->r);
    s->c = calloc((size_t)m, sizeof *s->c);
    s->norms = calloc((size_t)m, sizeof *s->norms);
    s->in_s = calloc((size_t)m, sizeof *s->in_s);
    if (!s->support || !s->Lc || !s->b || !s->x || !s->w || !s->r || !s->c || !s->norms ||
        !s->in_s) {
        basin_omp_free(s);
        return BASIN_ENOMEM;
    }
    basin_dict_norms(n, m, D, s->norms);
    memcpy(s->r, a, (size_t)n * sizeof *a);
    s->residual2 = cblas_ddot((int)n, a, 1, a, 1);
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)m, 1.0, D, (int)n, s->r, 1, 0.0, s->c, 1);
    return 0;
}

int basin_omp_step(basin_omp *s)
{
    const long n = s->n, m = s->m, k = s->k;
    if (s->stopped || k >= s->kmax) {
        s->stopped = true;
        return 0;
    }
    /* j = argmax_{j ∉ S} |d_jᵀ r| / ‖d_j‖ */
    long best = -1;
    double best_v = 0.0;
    for (long j = 0; j < m; j++) {
        if (s->in_s[j] || s->norms[j] == 0.0)
            continue;
        double v = fabs(s->c[j]) / s->norms[j];
        if (v > best_v) {
            best_v = v;
            best = j;
        }
    }
    if (best < 0) { /* r ⟂ every atom */
        s->stopped = true;
        return 0;
    }
    const double *d = s->D + best * n;
    /* Cholesky update of G = D_SᵀD_S: L w = D_Sᵀ d, pivot² = ‖d‖² − ‖w‖² */
    double dd = s->norms[best] * s->norms[best];
    double ww = 0.0;
    for (long q = 0; q < k; q++) {
        double v = cblas_ddot((int)n, s->D + s->support[q] * n, 1, d, 1);
        for (long p = 0; p < q; p++)
            v -= s->Lc[q * s->kmax + p] * s->w[p];
        s->w[q] = v / s->Lc[q * s->kmax + q];
        ww += s->w[q] * s->w[q];
    }
    double pivot2 = dd - ww;
    if (!(pivot2 > 1e-12 * dd)) { /* dependent on the chosen atoms */
        s->stopped = true;
        return 0;
    }
    for (long p = 0; p < k; p++)
        s->Lc[k * s->kmax + p] = s->w[p];
    s->Lc[k * s->kmax + k] = sqrt(pivot2);
    s->support[k] = best;
    s->in_s[best] = 1;
    s->b[k] = cblas_ddot((int)n, d, 1, s->a, 1);
    s->k = k + 1;
    /* x = (L Lᵀ)⁻¹ b: forward then back substitution */
    const long kk = s->k, ld = s->kmax;
    for (long q = 0; q < kk; q++) {
        double v = s->b[q];
        for (long p = 0; p < q; p++)
            v -= s->Lc[q * ld + p] * s->w[p];
        s->w[q] = v / s->Lc[q * ld + q];
    }
    for (long q = kk - 1; q >= 0; q--) {
        double v = s->w[q];
        for (long p = q + 1; p < kk; p++)
            v -= s->Lc[p * ld + q] * s->x[p];
        s->x[q] = v / s->Lc[q * ld + q];
    }
    /* r = a − D_S x, c = Dᵀr */
    memcpy(s->r, s->a, (size_t)n * sizeof *s->r);
    for (long q = 0; q < kk; q++)
        cblas_daxpy((int)n, -s->x[q], s->D + s->support[q] * n, 1, s->r, 1);
    s->residual2 = cblas_ddot((int)n, s->r, 1, s->r, 1);
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)m, 1.0, s->D, (int)n, s->r, 1, 0.0, s->c,
                1);
    if (s->k >= s->kmax)
        s->stopped = true;
    return 1;
}

void basin_omp_code(const basin_omp *s, double *z)
{
    memset(z, 0, (size_t)s->m * sizeof *z);
    for (long q = 0; q < s->k; q++)
        z[s->support[q]] = s->x[q];
}

void basin_omp_free(basin_omp *s)
{
    if (!s)
        return;
    free(s->support);
    free(s->Lc);
    free(s->b);
    free(s->x);
    free(s->w);
    free(s->r);
    free(s->c);
    free(s->norms);
    free(s->in_s);
    memset(s, 0, sizeof *s);
}
