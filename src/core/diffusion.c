/*
 * diffusion.c — exact-score diffusion for Gaussian-mixture data: noised laws, scores,
 * reverse SDE and probability-flow samplers, Tweedie's denoiser (see basin/diffusion.h).
 *
 * Invariant: after basin_diffusion_prepare(sm, a, b), m, prec and logc describe the law
 * Σ_k w_k N(sm μ_k, a Σ_k + b I) with C_k⁻¹ = V_k diag(1/(a λ + b)) V_kᵀ, computed from the
 * eigen-decomposition made once at init.
 */
#include "basin/diffusion.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define LN_2PI 1.8378770664093454836
enum { DMAX = BASIN_DIFFUSION_MAX_DIM, KMAX = BASIN_DIFFUSION_MAX_COMPONENTS };

void basin_diffusion_free(basin_diffusion *s)
{
    if (!s)
        return;
    free(s->w);
    free(s->mu);
    free(s->cov);
    free(s->lam);
    free(s->V);
    free(s->m);
    free(s->prec);
    free(s->logc);
    memset(s, 0, sizeof *s);
}

int basin_diffusion_init(basin_diffusion *s, int d, int K, const double *w, const double *mean,
                         const double *cov, int *bad)
{
    memset(s, 0, sizeof *s);
    if (bad)
        *bad = -1;
    if (d < 1 || d > DMAX || K < 1 || K > KMAX)
        return BASIN_EINVAL;
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        if (!(w[k] > 0.0) || !(w[k] <= 1.0)) {
            if (bad)
                *bad = k;
            return BASIN_EINVAL;
        }
        sum += w[k];
    }
    if (!(fabs(sum - 1.0) <= 1e-9))
        return BASIN_EINVAL;
    const size_t dd = (size_t)d * (size_t)d;
    s->d = d;
    s->K = K;
    s->w = malloc((size_t)K * sizeof *s->w);
    s->mu = malloc((size_t)K * (size_t)d * sizeof *s->mu);
    s->cov = malloc((size_t)K * dd * sizeof *s->cov);
    s->lam = malloc((size_t)K * (size_t)d * sizeof *s->lam);
    s->V = malloc((size_t)K * dd * sizeof *s->V);
    s->m = malloc((size_t)K * (size_t)d * sizeof *s->m);
    s->prec = malloc((size_t)K * dd * sizeof *s->prec);
    s->logc = malloc((size_t)K * sizeof *s->logc);
    if (!s->w || !s->mu || !s->cov || !s->lam || !s->V || !s->m || !s->prec || !s->logc) {
        basin_diffusion_free(s);
        return BASIN_ENOMEM;
    }
    memcpy(s->w, w, (size_t)K * sizeof *w);
    memcpy(s->mu, mean, (size_t)K * (size_t)d * sizeof *mean);
    for (int k = 0; k < K; k++) {
        const double *S = cov + (size_t)k * dd;
        double *C = s->cov + (size_t)k * dd, *V = s->V + (size_t)k * dd;
        double scale = 0.0;
        bool ok = true;
        for (size_t i = 0; i < dd; i++) {
            ok &= isfinite(S[i]);
            scale = fmax(scale, fabs(S[i]));
        }
        for (int a = 0; a < d && ok; a++) {
            ok &= isfinite(mean[k * d + a]);
            for (int b = 0; b < d; b++) {
                ok &= fabs(S[a * d + b] - S[b * d + a]) <= 1e-12 * scale;
                C[a * d + b] = 0.5 * (S[a * d + b] + S[b * d + a]);
            }
        }
        memcpy(V, C, dd * sizeof *V);
        double *lam = s->lam + (size_t)k * d;
        if (ok)
            ok = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', d, V, d, lam) == 0 && lam[0] > 0.0 &&
                 isfinite(lam[d - 1]);
        if (!ok) {
            if (bad)
                *bad = k;
            basin_diffusion_free(s);
            return BASIN_EINVAL;
        }
    }
    basin_diffusion_prepare_time(s, 0.0);
    return 0;
}

void basin_diffusion_prepare(basin_diffusion *s, double sm, double a, double b)
{
    const int d = s->d;
    const size_t dd = (size_t)d * (size_t)d;
    for (int k = 0; k < s->K; k++) {
        const double *V = s->V + k * dd, *lam = s->lam + (size_t)k * d;
        double inv[DMAX], logdet = 0.0;
        for (int j = 0; j < d; j++) {
            double c = a * lam[j] + b; /* eigenvalue of C_k = a Σ_k + b I */
            inv[j] = 1.0 / c;
            logdet += log(c);
        }
        double *P = s->prec + k * dd;
        for (int i = 0; i < d; i++) /* P = V diag(1/c) Vᵀ */
            for (int j = i; j < d; j++) {
                double v = 0.0;
                for (int l = 0; l < d; l++)
                    v += V[i * d + l] * inv[l] * V[j * d + l];
                P[i * d + j] = P[j * d + i] = v;
            }
        for (int i = 0; i < d; i++)
            s->m[k * d + i] = sm * s->mu[k * d + i];
        s->logc[k] = log(s->w[k]) - 0.5 * ((double)d * LN_2PI + logdet);
    }
}

void basin_diffusion_prepare_time(basin_diffusion *s, double t)
{
    /* m = e^{−t} μ, C = e^{−2t} Σ + (1 − e^{−2t}) I */
    basin_diffusion_prepare(s, exp(-t), exp(-2.0 * t), -expm1(-2.0 * t));
}

double basin_diffusion_score(const basin_diffusion *s, const double *x, double *score, double *resp)
{
    /* ℓ_k = logc_k − ½ (x − m_k)ᵀ P_k (x − m_k);  ln p = lse ℓ;
     * ∇ ln p = −Σ_k r_k P_k (x − m_k),  r_k = exp(ℓ_k − ln p) */
    const int d = s->d, K = s->K;
    const size_t dd = (size_t)d * (size_t)d;
    double l[KMAX], u[KMAX * DMAX], top = -INFINITY;
    for (int k = 0; k < K; k++) {
        const double *m = s->m + k * d, *P = s->prec + k * dd;
        double y[DMAX], q = 0.0;
        for (int a = 0; a < d; a++)
            y[a] = x[a] - m[a];
        for (int a = 0; a < d; a++) {
            double v = 0.0;
            for (int b = 0; b < d; b++)
                v += P[a * d + b] * y[b];
            u[k * d + a] = v;
            q += y[a] * v;
        }
        l[k] = s->logc[k] - 0.5 * q;
        top = fmax(top, l[k]);
    }
    double sum = 0.0;
    for (int k = 0; k < K; k++)
        sum += exp(l[k] - top);
    double lse = top + log(sum);
    if (score)
        for (int a = 0; a < d; a++)
            score[a] = 0.0;
    for (int k = 0; k < K; k++) {
        double r = exp(l[k] - lse);
        if (resp)
            resp[k] = r;
        if (score)
            for (int a = 0; a < d; a++)
                score[a] -= r * u[k * d + a];
    }
    return lse;
}

void basin_diffusion_time_grid(basin_diffusion_grid grid, double t_end, double t_min, long N,
                               double *t)
{
    for (long i = 0; i <= N; i++) {
        if (grid == BASIN_DIFFUSION_UNIFORM || N == 1)
            t[i] = t_end * (1.0 - (double)i / (double)N);
        else
            t[i] = i == N ? 0.0 : t_end * pow(t_min / t_end, (double)i / (double)(N - 1));
    }
    t[0] = t_end;
    t[N] = 0.0;
}

/* Samples [first, first + nb) of block b. */
static long block_span(long M, long b, long *first)
{
    *first = b * BASIN_DIFFUSION_BLOCK;
    return M - *first < BASIN_DIFFUSION_BLOCK ? M - *first : BASIN_DIFFUSION_BLOCK;
}

void basin_diffusion_draw(const basin_diffusion *s, double sm, double a, double b, double *x,
                          long M, basin_normal_gen *gens)
{
    const int d = s->d;
    const size_t dd = (size_t)d * (size_t)d;
    const long blocks = (M + BASIN_DIFFUSION_BLOCK - 1) / BASIN_DIFFUSION_BLOCK;
    double u[BASIN_DIFFUSION_BLOCK];
    for (long bl = 0; bl < blocks; bl++) {
        long first, nb = block_span(M, bl, &first);
        double *xb = x + first * d;
        basin_normal_gen_uniform(&gens[bl], u, nb);
        basin_normal_gen_fill(&gens[bl], xb, nb * d);
        for (long i = 0; i < nb; i++) {
            /* component k with probability w_k (inverse CDF); the last one takes rounding */
            int k = 0;
            double c = s->w[0];
            while (k < s->K - 1 && u[i] >= c)
                c += s->w[++k];
            /* x = sm μ_k + V diag(√(a λ + b)) z */
            const double *V = s->V + k * dd, *lam = s->lam + (size_t)k * d;
            double z[DMAX];
            for (int j = 0; j < d; j++)
                z[j] = sqrt(a * lam[j] + b) * xb[i * d + j];
            for (int r = 0; r < d; r++) {
                double v = sm * s->mu[k * d + r];
                for (int j = 0; j < d; j++)
                    v += V[r * d + j] * z[j];
                xb[i * d + r] = v;
            }
        }
    }
}

int basin_diffusion_sample(basin_diffusion *s, basin_diffusion_sampler sampler, const double *t,
                           long N, double *x, long M, basin_normal_gen *gens,
                           basin_diffusion_poll poll, void *user, long *bad_step)
{
    const int d = s->d;
    const long blocks = (M + BASIN_DIFFUSION_BLOCK - 1) / BASIN_DIFFUSION_BLOCK;
    double *v = NULL;
    if (sampler == BASIN_DIFFUSION_ODE) {
        v = malloc((size_t)M * (size_t)d * sizeof *v);
        if (!v)
            return BASIN_ENOMEM;
    }
    double xi[BASIN_DIFFUSION_BLOCK * DMAX];
    int rc = 0;
    for (long step = 0; step < N; step++) {
        const double h = t[step] - t[step + 1];
        bool finite = true;
        basin_diffusion_prepare_time(s, t[step]);
        if (sampler == BASIN_DIFFUSION_SDE) {
            /* x ← x + h (x + 2 s_t(x)) + √(2h) ξ */
            const double sigma = sqrt(2.0 * h);
            for (long bl = 0; bl < blocks; bl++) {
                long first, nb = block_span(M, bl, &first);
                basin_normal_gen_fill(&gens[bl], xi, nb * d);
                for (long i = 0; i < nb; i++) {
                    double *xp = x + (first + i) * d, sc[DMAX];
                    basin_diffusion_score(s, xp, sc, NULL);
                    for (int a = 0; a < d; a++) {
                        xp[a] += h * (xp[a] + 2.0 * sc[a]) + sigma * xi[i * d + a];
                        finite &= isfinite(xp[a]);
                    }
                }
            }
        } else {
            /* Heun: v = −x − s_t(x), x̃ = x − h v, x ← x − (h/2)(v + ṽ(x̃, t_{i+1})) */
            for (long i = 0; i < M; i++) {
                double *xp = x + i * d, sc[DMAX];
                basin_diffusion_score(s, xp, sc, NULL);
                for (int a = 0; a < d; a++)
                    v[i * d + a] = -xp[a] - sc[a];
            }
            basin_diffusion_prepare_time(s, t[step + 1]);
            for (long i = 0; i < M; i++) {
                double *xp = x + i * d, xt[DMAX], sc[DMAX];
                for (int a = 0; a < d; a++)
                    xt[a] = xp[a] - h * v[i * d + a];
                basin_diffusion_score(s, xt, sc, NULL);
                for (int a = 0; a < d; a++) {
                    xp[a] -= 0.5 * h * (v[i * d + a] + (-xt[a] - sc[a]));
                    finite &= isfinite(xp[a]);
                }
            }
        }
        if (!finite) {
            if (bad_step)
                *bad_step = step + 1;
            rc = BASIN_EDIVERGED;
            break;
        }
        if (poll && poll(user, step + 1)) {
            rc = BASIN_ECANCELLED;
            break;
        }
    }
    if (rc == 0)
        basin_diffusion_prepare_time(s, t[N]);
    free(v);
    return rc;
}

void basin_diffusion_tweedie(basin_diffusion *s, double sigma, const double *y, long M,
                             double *xhat)
{
    /* x̂ = y + σ² ∇ ln p_σ(y),  p_σ = Σ w N(μ, Σ + σ² I) */
    const int d = s->d;
    basin_diffusion_prepare(s, 1.0, 1.0, sigma * sigma);
    for (long i = 0; i < M; i++) {
        double sc[DMAX];
        basin_diffusion_score(s, y + i * d, sc, NULL);
        for (int a = 0; a < d; a++)
            xhat[i * d + a] = y[i * d + a] + sigma * sigma * sc[a];
    }
}

void basin_diffusion_moments(const basin_diffusion *s, double *mean, double *cov)
{
    const int d = s->d;
    const size_t dd = (size_t)d * (size_t)d;
    for (int a = 0; a < d; a++) {
        mean[a] = 0.0;
        for (int k = 0; k < s->K; k++)
            mean[a] += s->w[k] * s->mu[k * d + a];
    }
    for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++) {
            double v = 0.0;
            for (int k = 0; k < s->K; k++) {
                const double *mu = s->mu + k * d;
                v += s->w[k] * (s->cov[k * dd + a * d + b] + (mu[a] - mean[a]) * (mu[b] - mean[b]));
            }
            cov[a * d + b] = v;
        }
}
