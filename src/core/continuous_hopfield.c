/*
 * continuous_hopfield.c — exact stochastic dynamics, free energy and recall-and-learn of
 * the linear continuous Hopfield network (see include/basin/continuous_hopfield.h).
 *
 * Recall invariant: between steps, V and Hs are the sample states after t steps; cp0,
 * cq0 and perp0 describe the initial states in the eigenbasis of H, from which the law's
 * mean and the free energy at any t follow in closed form.
 */
#include "basin/continuous_hopfield.h"

#include <assert.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define BLAS3_FLOP  0.125
#define NORMAL_COST 25.0 /* one Marsaglia polar normal */

/* Per-step factors of a mode with eigenvalue λ: e^{−λ dt} and the standard deviation of
 * the exact transition, √(T (1 − e^{−2λ dt})/λ) (√(2T dt) at λ = 0). */
static double mode_decay(double lambda, double dt)
{
    return exp(-lambda * dt);
}

static double mode_sd(double lambda, double T, double dt)
{
    if (T == 0.0)
        return 0.0;
    double w = lambda != 0.0 ? -expm1(-2.0 * lambda * dt) / lambda : 2.0 * dt;
    return sqrt(T * w);
}

/* The variance T(1 − e^{−2λt})/λ of a mode of the law at time t from a point. */
static double mode_var(double lambda, double T, double t)
{
    double w = lambda != 0.0 ? -expm1(-2.0 * lambda * t) / lambda : 2.0 * t;
    return T * w;
}

double basin_chn_energy(const double *U, long nv, long nh, const double *v, const double *h)
{
    double vv = 0.0, hh = 0.0, vUh = 0.0;
    for (long i = 0; i < nv; i++) {
        vv += v[i] * v[i];
        double row = 0.0;
        for (long j = 0; j < nh; j++)
            row += U[i * nh + j] * h[j];
        vUh += v[i] * row;
    }
    for (long j = 0; j < nh; j++)
        hh += h[j] * h[j];
    return 0.5 * vv + 0.5 * hh - vUh;
}

void basin_chn_conditional_free_energies(const double *U, long nv, long nh, double T,
                                         const double *X, long p, double *M, double *F)
{
    /* M = X U: row μ is (Uᵀx^μ)ᵀ */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)p, (blasint)nh, (blasint)nv,
                1.0, X, (blasint)nv, U, (blasint)nh, 0.0, M, (blasint)nh);
    double c = T > 0.0 ? 0.5 * (double)nh * T * log(2.0 * M_PI * T) : 0.0;
    for (long mu = 0; mu < p; mu++) {
        const double *x = X + (size_t)mu * (size_t)nv, *m = M + (size_t)mu * (size_t)nh;
        double xx = cblas_ddot((blasint)nv, x, 1, x, 1), mm = cblas_ddot((blasint)nh, m, 1, m, 1);
        F[mu] = 0.5 * xx - 0.5 * mm - c;
    }
}

int basin_chn_spectral_norm(const double *U, long nv, long nh, double *out)
{
    size_t r = (size_t)(nv < nh ? nv : nh);
    double *a = malloc((size_t)nv * (size_t)nh * sizeof *a), *s = malloc(r * sizeof *s);
    if (!a || !s) {
        free(a);
        free(s);
        return BASIN_ENOMEM;
    }
    memcpy(a, U, (size_t)nv * (size_t)nh * sizeof *a);
    /* u and vt are not referenced with jobz 'N', but LAPACKE's row-major wrapper checks
     * ldvt ≥ nh */
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)nv, (lapack_int)nh, a,
                                     (lapack_int)nh, s, NULL, 1, NULL, (lapack_int)nh);
    double s0 = s[0];
    free(a);
    free(s);
    if (info != 0 || !isfinite(s0))
        return BASIN_EDIVERGED;
    *out = s0;
    return 0;
}

/* ---- learning ---------------------------------------------------------------------------- */

double basin_chn_relax_cost(long nv, long nh)
{
    (void)nv;
    return (double)nh * (double)nh + (NORMAL_COST + 6.0) * (double)nh;
}

double basin_chn_update_cost(long nv, long nh)
{
    return BLAS3_FLOP * 2.0 * (double)nv * (double)nh * (double)nh + 6.0 * (double)nv * (double)nh;
}

void basin_chn_learner_free(basin_chn_learner *L)
{
    if (!L)
        return;
    free(L->U);
    free(L->m);
    free(L->h);
    free(L->hsum);
    free(L->C);
    free(L->noise);
    free(L->tmp);
    free(L);
}

int basin_chn_learner_alloc(long nv, long nh, basin_chn_rule rule, double T, double dt, double eta,
                            const double *U0, basin_chn_learner **out)
{
    assert(nv >= 1 && nh >= 1 && T >= 0.0 && dt > 0.0 && eta > 0.0);
    basin_chn_learner *L = calloc(1, sizeof *L);
    if (!L)
        return BASIN_ENOMEM;
    L->nv = nv;
    L->nh = nh;
    L->T = T;
    L->dt = dt;
    L->eta = eta;
    L->rule = rule;
    size_t v = (size_t)nv, h = (size_t)nh;
    L->U = malloc(v * h * sizeof *L->U);
    L->m = malloc(h * sizeof *L->m);
    L->h = malloc(h * sizeof *L->h);
    L->hsum = malloc(h * sizeof *L->hsum);
    L->C = malloc(h * h * sizeof *L->C);
    L->noise = malloc(h * sizeof *L->noise);
    L->tmp = malloc(v * h * sizeof *L->tmp);
    if (!L->U || !L->m || !L->h || !L->hsum || !L->C || !L->noise || !L->tmp) {
        basin_chn_learner_free(L);
        return BASIN_ENOMEM;
    }
    memcpy(L->U, U0, v * h * sizeof *L->U);
    *out = L;
    return 0;
}

void basin_chn_learn_begin(basin_chn_learner *L, const double *x, long steps)
{
    assert(steps >= 1);
    size_t h = (size_t)L->nh;
    L->x = x;
    L->steps = steps;
    L->done = 0;
    L->counted = 0;
    /* m = Uᵀx, the mean of h | v = x; h starts at 0 */
    cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)L->nv, (blasint)L->nh, 1.0, L->U,
                (blasint)L->nh, x, 1, 0.0, L->m, 1);
    memset(L->h, 0, h * sizeof *L->h);
    memset(L->hsum, 0, h * sizeof *L->hsum);
    memset(L->C, 0, h * h * sizeof *L->C);
}

bool basin_chn_learn_relax(basin_chn_learner *L, long count, basin_rng *rng)
{
    size_t nh = (size_t)L->nh;
    double e = mode_decay(1.0, L->dt), sd = mode_sd(1.0, L->T, L->dt);
    long end = L->done + count < L->steps ? L->done + count : L->steps;
    for (long k = L->done; k < end; k++) {
        /* h ← m + e^{−dt}(h − m) + √(T(1 − e^{−2dt})) ζ: the exact transition of
         * dh = (Uᵀx − h) dt + √(2T) dW */
        if (sd > 0.0)
            basin_rng_normals(rng, L->noise, (long)nh);
        for (size_t j = 0; j < nh; j++)
            L->h[j] = L->m[j] + e * (L->h[j] - L->m[j]) + (sd > 0.0 ? sd * L->noise[j] : 0.0);
        /* averages over the second half: steps k ≥ steps/2 (0-based, the last ⌈steps/2⌉) */
        if (2 * k >= L->steps - 1) {
            for (size_t j = 0; j < nh; j++)
                L->hsum[j] += L->h[j];
            cblas_dsyr(CblasRowMajor, CblasLower, (blasint)nh, 1.0, L->h, 1, L->C, (blasint)nh);
            L->counted++;
        }
    }
    L->done = end;
    return L->done == L->steps;
}

void basin_chn_learn_end(basin_chn_learner *L)
{
    assert(L->done == L->steps && L->counted > 0);
    size_t nh = (size_t)L->nh;
    blasint v = (blasint)L->nv, h = (blasint)L->nh;
    double inv = 1.0 / (double)L->counted;
    for (size_t j = 0; j < nh; j++)
        L->hsum[j] *= inv; /* h̄ */
    if (L->rule == BASIN_CHN_OJA) {
        /* U ← U + η (x h̄ᵀ − U ⟨h hᵀ⟩): tmp = U C (C symmetric, lower triangle) */
        for (size_t i = 0; i < nh * nh; i++)
            L->C[i] *= inv;
        cblas_dsymm(CblasRowMajor, CblasRight, CblasLower, v, h, 1.0, L->C, h, L->U, h, 0.0, L->tmp,
                    h);
        cblas_daxpy(v * h, -L->eta, L->tmp, 1, L->U, 1);
    }
    /* U ← U + η x h̄ᵀ (the Hebbian term of Remark 18) */
    cblas_dger(CblasRowMajor, v, h, L->eta, L->x, 1, L->hsum, 1, L->U, h);
    L->x = NULL;
}

/* ---- recall ------------------------------------------------------------------------------ */

double basin_chn_recall_cost(long nv, long nh)
{
    double r = (double)(nv < nh ? nv : nh), n = (double)(nv + nh);
    return BLAS3_FLOP * 12.0 * n * r + (NORMAL_COST + 6.0) * n + 20.0 * r;
}

void basin_chn_recall_free(basin_chn_recall *R)
{
    if (!R)
        return;
    free(R->s);
    free(R->V);
    free(R->V0);
    free(R->Hs);
    free(R->A);
    free(R->VT);
    free(R->alpha);
    free(R->beta);
    free(R->cp0);
    free(R->cq0);
    free(R->perp0);
    free(R->Zv);
    free(R->Zh);
    free(R->za);
    free(R->zb);
    free(R->e_lo);
    free(R->e_hi);
    free(R->sd_lo);
    free(R->sd_hi);
    free(R);
}

int basin_chn_recall_alloc(const double *U, long nv, long nh, long q, double T, double dt,
                           basin_chn_recall **out)
{
    assert(nv >= 1 && nh >= 1 && q >= 1 && T >= 0.0 && dt > 0.0);
    basin_chn_recall *R = calloc(1, sizeof *R);
    if (!R)
        return BASIN_ENOMEM;
    size_t v = (size_t)nv, h = (size_t)nh, r = v < h ? v : h, Q = (size_t)q;
    R->nv = nv;
    R->nh = nh;
    R->r = (long)r;
    R->q = q;
    R->T = T;
    R->dt = dt;
    R->s = malloc(r * sizeof *R->s);
    R->V = calloc(Q * v, sizeof *R->V);
    R->V0 = calloc(Q * v, sizeof *R->V0);
    R->Hs = calloc(Q * h, sizeof *R->Hs);
    R->A = malloc(v * r * sizeof *R->A);
    R->VT = malloc(r * h * sizeof *R->VT);
    R->alpha = malloc(Q * r * sizeof *R->alpha);
    R->beta = malloc(Q * r * sizeof *R->beta);
    R->cp0 = calloc(Q * r, sizeof *R->cp0);
    R->cq0 = calloc(Q * r, sizeof *R->cq0);
    R->perp0 = calloc(Q, sizeof *R->perp0);
    R->Zv = malloc(Q * v * sizeof *R->Zv);
    R->Zh = malloc(Q * h * sizeof *R->Zh);
    R->za = malloc(Q * r * sizeof *R->za);
    R->zb = malloc(Q * r * sizeof *R->zb);
    R->e_lo = malloc(r * sizeof *R->e_lo);
    R->e_hi = malloc(r * sizeof *R->e_hi);
    R->sd_lo = malloc(r * sizeof *R->sd_lo);
    R->sd_hi = malloc(r * sizeof *R->sd_hi);
    double *a = malloc(v * h * sizeof *a);
    if (!R->s || !R->V || !R->V0 || !R->Hs || !R->A || !R->VT || !R->alpha || !R->beta || !R->cp0 ||
        !R->cq0 || !R->perp0 || !R->Zv || !R->Zh || !R->za || !R->zb || !R->e_lo || !R->e_hi ||
        !R->sd_lo || !R->sd_hi || !a) {
        free(a);
        basin_chn_recall_free(R);
        return BASIN_ENOMEM;
    }
    /* thin SVD U = A S Bᵀ (row-major: A is nv×r, VT = Bᵀ is r×nh) */
    memcpy(a, U, v * h * sizeof *a);
    lapack_int info =
        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)nv, (lapack_int)nh, a, (lapack_int)nh,
                       R->s, R->A, (lapack_int)r, R->VT, (lapack_int)nh);
    free(a);
    if (info != 0 || !isfinite(R->s[0])) {
        basin_chn_recall_free(R);
        return BASIN_EDIVERGED;
    }
    R->e_one = mode_decay(1.0, dt);
    R->sd_one = mode_sd(1.0, T, dt);
    for (size_t k = 0; k < r; k++) {
        R->e_lo[k] = mode_decay(1.0 - R->s[k], dt);
        R->e_hi[k] = mode_decay(1.0 + R->s[k], dt);
        R->sd_lo[k] = mode_sd(1.0 - R->s[k], T, dt);
        R->sd_hi[k] = mode_sd(1.0 + R->s[k], T, dt);
    }
    *out = R;
    return 0;
}

/* alpha = V A and beta = Hs B for queries [j0, j1) */
static void project(basin_chn_recall *R, size_t j0, size_t j1, const double *V, const double *Hs,
                    double *alpha, double *beta)
{
    blasint v = (blasint)R->nv, h = (blasint)R->nh, r = (blasint)R->r, m = (blasint)(j1 - j0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, r, v, 1.0, V + j0 * (size_t)v, v,
                R->A, r, 0.0, alpha + j0 * (size_t)r, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, r, h, 1.0, Hs + j0 * (size_t)h, h,
                R->VT, h, 0.0, beta + j0 * (size_t)r, r);
}

void basin_chn_recall_set_states(basin_chn_recall *R, long j0, long j1, const double *V0,
                                 const double *H0)
{
    size_t v = (size_t)R->nv, h = (size_t)R->nh, r = (size_t)R->r;
    size_t a = (size_t)j0, b = (size_t)j1;
    assert(j0 >= 0 && j0 <= j1 && j1 <= R->q);
    memcpy(R->V + a * v, V0 + a * v, (b - a) * v * sizeof *R->V);
    memcpy(R->V0 + a * v, V0 + a * v, (b - a) * v * sizeof *R->V0);
    if (H0)
        memcpy(R->Hs + a * h, H0 + a * h, (b - a) * h * sizeof *R->Hs);
    else
        memset(R->Hs + a * h, 0, (b - a) * h * sizeof *R->Hs);
    project(R, a, b, R->V, R->Hs, R->alpha, R->beta);
    /* pair coordinates p = (α + β)/√2 (λ = 1 − s), q = (α − β)/√2 (λ = 1 + s); the rest
     * of |x|² lies in λ = 1 modes */
    for (size_t j = a; j < b; j++) {
        double norm2 = 0.0, pair2 = 0.0;
        for (size_t i = 0; i < v; i++)
            norm2 += R->V[j * v + i] * R->V[j * v + i];
        for (size_t i = 0; i < h; i++)
            norm2 += R->Hs[j * h + i] * R->Hs[j * h + i];
        for (size_t k = 0; k < r; k++) {
            double al = R->alpha[j * r + k], be = R->beta[j * r + k];
            R->cp0[j * r + k] = (al + be) * M_SQRT1_2;
            R->cq0[j * r + k] = (al - be) * M_SQRT1_2;
            pair2 += al * al + be * be;
        }
        R->perp0[j] = norm2 - pair2 > 0.0 ? norm2 - pair2 : 0.0;
    }
    R->t = 0;
    R->pos = 0;
}

bool basin_chn_recall_step_part(basin_chn_recall *R, basin_rng *rng, double budget)
{
    size_t v = (size_t)R->nv, h = (size_t)R->nh, r = (size_t)R->r, Q = (size_t)R->q;
    double per = basin_chn_recall_cost(R->nv, R->nh), n = budget / per;
    size_t j0 = (size_t)R->pos, j1 = j0 + 1;
    if (n > 1.0)
        j1 = n < (double)(Q - j0) ? j0 + (size_t)n : Q;
    blasint m = (blasint)(j1 - j0);
    double *V = R->V + j0 * v, *Hs = R->Hs + j0 * h;
    bool noisy = R->T > 0.0;

    /* α = Aᵀv, β = Bᵀh of the current states; the noise ζ and its projections */
    project(R, j0, j1, R->V, R->Hs, R->alpha, R->beta);
    if (noisy) {
        for (size_t j = j0; j < j1; j++) {
            basin_rng_normals(rng, R->Zv + j * v, (long)v);
            basin_rng_normals(rng, R->Zh + j * h, (long)h);
        }
        project(R, j0, j1, R->Zv, R->Zh, R->za, R->zb);
    }
    /* corrections in the pair modes: c = (e^{−λdt} − e^{−dt}) coordinate + (σ_λ − σ_1)
     * noise coordinate, for λ = 1 − s (p) and 1 + s (q); written back over α (visible
     * part (c_p + c_q)/√2) and β (hidden part (c_p − c_q)/√2) */
    for (size_t j = j0; j < j1; j++) {
        for (size_t k = 0; k < r; k++) {
            double al = R->alpha[j * r + k], be = R->beta[j * r + k];
            double p = (al + be) * M_SQRT1_2, q = (al - be) * M_SQRT1_2;
            double cp = (R->e_lo[k] - R->e_one) * p, cq = (R->e_hi[k] - R->e_one) * q;
            if (noisy) {
                double za = R->za[j * r + k], zb = R->zb[j * r + k];
                cp += (R->sd_lo[k] - R->sd_one) * (za + zb) * M_SQRT1_2;
                cq += (R->sd_hi[k] - R->sd_one) * (za - zb) * M_SQRT1_2;
            }
            R->alpha[j * r + k] = (cp + cq) * M_SQRT1_2;
            R->beta[j * r + k] = (cp - cq) * M_SQRT1_2;
        }
    }
    /* x ← e^{−dt} x + σ_1 ζ (the λ = 1 map) + the corrections */
    for (size_t i = 0; i < (size_t)m * v; i++)
        V[i] = R->e_one * V[i] + (noisy ? R->sd_one * R->Zv[j0 * v + i] : 0.0);
    for (size_t i = 0; i < (size_t)m * h; i++)
        Hs[i] = R->e_one * Hs[i] + (noisy ? R->sd_one * R->Zh[j0 * h + i] : 0.0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, (blasint)v, (blasint)r, 1.0,
                R->alpha + j0 * r, (blasint)r, R->A, (blasint)r, 1.0, V, (blasint)v);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, (blasint)h, (blasint)r, 1.0,
                R->beta + j0 * r, (blasint)r, R->VT, (blasint)h, 1.0, Hs, (blasint)h);
    R->pos = (long)j1;
    if (j1 < Q)
        return false;
    R->pos = 0;
    R->t++;
    return true;
}

void basin_chn_recall_step(basin_chn_recall *R, basin_rng *rng)
{
    while (!basin_chn_recall_step_part(R, rng, INFINITY))
        ;
}

void basin_chn_recall_energies(basin_chn_recall *R, long j0, long j1, double *E)
{
    size_t v = (size_t)R->nv, h = (size_t)R->nh, r = (size_t)R->r;
    assert(j0 >= 0 && j0 <= j1 && j1 <= R->q && R->pos == 0);
    project(R, (size_t)j0, (size_t)j1, R->V, R->Hs, R->alpha, R->beta);
    /* E = ½|v|² + ½|h|² − vᵀUh, vᵀUh = Σ_k s_k α_k β_k */
    for (size_t j = (size_t)j0; j < (size_t)j1; j++) {
        double vv = 0.0, hh = 0.0, c = 0.0;
        for (size_t i = 0; i < v; i++)
            vv += R->V[j * v + i] * R->V[j * v + i];
        for (size_t i = 0; i < h; i++)
            hh += R->Hs[j * h + i] * R->Hs[j * h + i];
        for (size_t k = 0; k < r; k++)
            c += R->s[k] * R->alpha[j * r + k] * R->beta[j * r + k];
        E[j] = 0.5 * vv + 0.5 * hh - c;
    }
}

/* −(T/2) ln(2πe σ²) + (T/2) λ σ²: the entropy and fluctuation part of F for one mode */
static double mode_free(double lambda, double T, double var)
{
    return 0.5 * lambda * var - 0.5 * T * log(2.0 * M_PI * M_E * var);
}

double basin_chn_recall_free_energy(const basin_chn_recall *R, long j)
{
    size_t r = (size_t)R->r;
    double t = (double)R->t * R->dt, T = R->T;
    /* mean part ½ μᵀHμ with μ = e^{−Ht} x₀: each mode coordinate decays as e^{−λt} */
    double mean = 0.5 * exp(-2.0 * t) * R->perp0[j];
    for (size_t k = 0; k < r; k++) {
        double lo = 1.0 - R->s[k], hi = 1.0 + R->s[k];
        double p = exp(-lo * t) * R->cp0[(size_t)j * r + k];
        double q = exp(-hi * t) * R->cq0[(size_t)j * r + k];
        mean += 0.5 * (lo * p * p + hi * q * q);
    }
    if (T == 0.0)
        return mean;
    if (R->t == 0)
        return INFINITY;
    /* fluctuations: ½ tr(HΣ) − T·H[p] over the nv + nh modes */
    double n_unit = (double)(R->nv + R->nh) - 2.0 * (double)r;
    double F = mean + n_unit * mode_free(1.0, T, mode_var(1.0, T, t));
    for (size_t k = 0; k < r; k++) {
        double lo = 1.0 - R->s[k], hi = 1.0 + R->s[k];
        F += mode_free(lo, T, mode_var(lo, T, t)) + mode_free(hi, T, mode_var(hi, T, t));
    }
    return F;
}

double basin_chn_equilibrium_free_energy(const basin_chn_recall *R)
{
    double T = R->T;
    if (T == 0.0)
        return 0.0;
    size_t r = (size_t)R->r;
    double n_unit = (double)(R->nv + R->nh) - 2.0 * (double)r;
    double F = n_unit * mode_free(1.0, T, T);
    for (size_t k = 0; k < r; k++) {
        double lo = 1.0 - R->s[k], hi = 1.0 + R->s[k];
        if (!(lo > 0.0))
            return NAN;
        F += mode_free(lo, T, T / lo) + mode_free(hi, T, T / hi);
    }
    return F;
}

void basin_chn_recall_means(basin_chn_recall *R, long j0, long j1, double *Vm)
{
    size_t nv = (size_t)R->nv, r = (size_t)R->r, a = (size_t)j0, b = (size_t)j1;
    assert(j0 >= 0 && j0 <= j1 && j1 <= R->q && R->pos == 0);
    double t = (double)R->t * R->dt, e1 = exp(-t);
    /* visible part of e^{−Ht}x₀ = e^{−t}(x₀ − its pair part) + Σ_k (p(t) u⁻_k + q(t) u⁺_k):
     * v = e^{−t} v₀ + A c with c_k = (p(t) + q(t))/√2 − e^{−t} (p₀ + q₀)/√2; c in za */
    double *C = R->za;
    for (size_t j = a; j < b; j++)
        for (size_t k = 0; k < r; k++) {
            double p0 = R->cp0[j * r + k], q0 = R->cq0[j * r + k];
            double p = exp(-(1.0 - R->s[k]) * t) * p0, q = exp(-(1.0 + R->s[k]) * t) * q0;
            C[j * r + k] = (p + q) * M_SQRT1_2 - e1 * (p0 + q0) * M_SQRT1_2;
        }
    for (size_t i = 0; i < (b - a) * nv; i++)
        Vm[i] = e1 * R->V0[a * nv + i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)(b - a), (blasint)nv, (blasint)r,
                1.0, C + a * r, (blasint)r, R->A, (blasint)r, 1.0, Vm, (blasint)nv);
}
