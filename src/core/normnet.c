/*
 * normnet.c — one update of the divisive-normalisation network with Hebbian plasticity
 * (see basin/normnet.h for the equations and what they predict).
 *
 * Invariant: W holds W_step and W_prev holds W_{step−1}; C never changes after init. The
 * update is elementwise over the n×n matrices, with W r from one BLAS dgemv (OpenBLAS
 * runs one thread, so it is deterministic).
 */
#include "basin/normnet.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

double basin_normnet_tuning(const basin_normnet_config *cfg, long i, double theta)
{
    double phi = 2.0 * M_PI * (double)i / (double)cfg->n;
    return cfg->c0 + (1.0 - cfg->c0) * exp(cfg->kappa * (cos(theta - phi) - 1.0));
}

/*   r_i = max(Σ_j c_j f_i(θ_j) + b, 0)²  */
void basin_normnet_response(const basin_normnet_config *cfg, const double *c, const double *theta,
                            double *r)
{
    for (long i = 0; i < cfg->n; i++) {
        double x = cfg->b;
        for (long j = 0; j < cfg->k; j++)
            x += c[j] * basin_normnet_tuning(cfg, i, theta[j]);
        x = x > 0.0 ? x : 0.0;
        r[i] = x * x;
    }
}

/* R = r ⊘ (σ² + W r / n); returns min_i of the denominators (u = W r left in s->u). */
static double normalise(basin_normnet *s)
{
    const long n = s->cfg.n;
    const double s2 = s->cfg.sigma * s->cfg.sigma;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, s->W, (int)n, s->r, 1, 0.0, s->u,
                1);
    double den_min = INFINITY;
    for (long i = 0; i < n; i++) {
        double den = s2 + s->u[i] / (double)n;
        if (!(den > 0.0)) /* also NaN */
            den_min = isnan(den) ? NAN : fmin(den_min, den);
        else if (den < den_min)
            den_min = den;
        s->R[i] = s->r[i] / den;
    }
    return den_min;
}

static bool config_ok(const basin_normnet_config *c)
{
    return c->n >= 1 && c->n <= BASIN_NORMNET_N_MAX && c->k >= 1 && c->k <= BASIN_NORMNET_K_MAX &&
           isfinite(c->alpha) && isfinite(c->beta) && isfinite(c->b) && isfinite(c->sigma) &&
           c->sigma >= 0.0 && c->c0 >= 0.0 && c->c0 <= 1.0 && isfinite(c->kappa) && c->kappa >= 0.0;
}

int basin_normnet_init(basin_normnet *s, const basin_normnet_config *cfg, const double *W0,
                       const double *c, const double *theta)
{
    memset(s, 0, sizeof *s);
    if (!config_ok(cfg))
        return BASIN_EINVAL;
    s->cfg = *cfg;
    const size_t n = (size_t)cfg->n, nn = n * n;
    s->W = malloc(nn * sizeof *s->W);
    s->C = malloc(nn * sizeof *s->C);
    s->W_prev = malloc(nn * sizeof *s->W_prev);
    s->r = malloc(n * sizeof *s->r);
    s->R = malloc(n * sizeof *s->R);
    s->u = malloc(n * sizeof *s->u);
    if (!s->W || !s->C || !s->W_prev || !s->r || !s->R || !s->u) {
        basin_normnet_free(s);
        return BASIN_ENOMEM;
    }
    for (size_t i = 0; i < nn; i++)
        s->W[i] = W0 ? W0[i] : 1.0;
    memcpy(s->W_prev, s->W, nn * sizeof *s->W);
    basin_normnet_response(cfg, c, theta, s->r);
    double den_min = normalise(s);
    if (!(den_min > 0.0))
        return BASIN_EDIVERGED; /* s is freeable */
    /* C = R₀ᵀ R₀ */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            s->C[i * n + j] = s->R[i] * s->R[j];
    return 0;
}

void basin_normnet_free(basin_normnet *s)
{
    if (!s)
        return;
    free(s->W);
    free(s->C);
    free(s->W_prev);
    free(s->r);
    free(s->R);
    free(s->u);
    s->W = s->C = s->W_prev = s->r = s->R = s->u = NULL;
}

int basin_normnet_step(basin_normnet *s, const double *c, const double *theta,
                       basin_normnet_norms *out)
{
    const size_t n = (size_t)s->cfg.n;
    const double alpha = s->cfg.alpha, beta = s->cfg.beta;
    basin_normnet_response(&s->cfg, c, theta, s->r);
    basin_normnet_norms nm = {0, 0, 0, 0, 0, 0};
    nm.den_min = normalise(s);
    if (!(nm.den_min > 0.0)) {
        if (out)
            *out = nm;
        return BASIN_EDIVERGED;
    }
    /* ΔW_ij = α (R_i R_j − C_ij) + β (W_ij − C_ij);  W_ij ← W_ij + ΔW_ij */
    double dw2 = 0.0, wc2 = 0.0, rr2 = 0.0, cyc2 = 0.0, w2 = 0.0;
    const double *R = s->R;
    for (size_t i = 0; i < n; i++) {
        double *W = s->W + i * n, *Wp = s->W_prev + i * n;
        const double *C = s->C + i * n;
        const double Ri = R[i];
        for (size_t j = 0; j < n; j++) {
            double rr = Ri * R[j] - C[j];
            double wc = W[j] - C[j];
            double dw = alpha * rr + beta * wc;
            double next = W[j] + dw;
            double cyc = next - Wp[j];
            dw2 += dw * dw;
            wc2 += wc * wc;
            rr2 += rr * rr;
            cyc2 += cyc * cyc;
            w2 += next * next;
            Wp[j] = W[j];
            W[j] = next;
        }
    }
    nm.dw = sqrt(dw2);
    nm.w_c = sqrt(wc2);
    nm.rr_c = sqrt(rr2);
    nm.cycle = sqrt(cyc2);
    nm.w = sqrt(w2);
    s->step++;
    if (out)
        *out = nm;
    return isfinite(nm.w) ? 0 : BASIN_EDIVERGED;
}
