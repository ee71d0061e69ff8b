/*
 * test_diffusion.c — the `diffusion` model and its numerical core (basin/diffusion.h).
 *
 * References: the closed-form OU-noised mixture and its score (checked against finite
 * differences of its log-density); for Gaussian data the probability-flow ODE's exact
 * characteristic C(t)^{−1/2}(x − m(t)) = const (Song et al. 2021; derived in
 * basin/diffusion.h) and Heun's second order; Tweedie's formula against the Wiener filter
 * μ + Σ(Σ + σ²I)⁻¹(y − μ) (lectures eq. 9.16 and 9.24) and, for a mixture, against the
 * posterior mean Σ_k r_k(y) (μ_k + Σ_k(Σ_k + σ²I)⁻¹(y − μ_k)) solved by LAPACK; the
 * data law's moments and weights within the Monte Carlo error of the sample.
 */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/diffusion.h"
#include "basin/model.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* A 2-D Gaussian N(μ, Σ) with a tilted covariance. */
static const double MU2[2] = {0.7, -0.4};
static const double SIGMA2[4] = {0.5, 0.2, 0.2, 0.3};

/* ---- 1. the noised law and its score ---------------------------------------------------- */

/* Reference: central finite differences of ln p_t (h = 1e-5; truncation h²·∂³ln p/6 and
 * cancellation ε|ln p|/h are both below 1e-9 here, so 1e-7 absolute), for a 3-component
 * mixture in d = 3 at t = 0 (the data law), 0.3 and 2; and the responsibilities sum to 1. */
START_TEST(score_matches_log_density)
{
    const double w[3] = {0.2, 0.5, 0.3};
    const double mu[9] = {-1.0, 0.0, 0.5, 1.0, 1.0, -0.5, 0.0, -1.5, 1.0};
    double cov[27] = {0};
    for (int k = 0; k < 3; k++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                cov[k * 9 + a * 3 + b] = a == b ? 0.3 + 0.2 * k + 0.1 * a : 0.05 * (k + 1);
    basin_diffusion s;
    ck_assert_int_eq(basin_diffusion_init(&s, 3, 3, w, mu, cov, NULL), 0);
    const double times[3] = {0.0, 0.3, 2.0};
    const double x[3] = {0.3, -0.2, 0.6};
    for (int i = 0; i < 3; i++) {
        basin_diffusion_prepare_time(&s, times[i]);
        double sc[3], resp[3];
        basin_diffusion_score(&s, x, sc, resp);
        ck_assert_double_eq_tol(resp[0] + resp[1] + resp[2], 1.0, 1e-14);
        for (int a = 0; a < 3; a++) {
            double xp[3], xm[3], h = 1e-5;
            memcpy(xp, x, sizeof xp);
            memcpy(xm, x, sizeof xm);
            xp[a] += h;
            xm[a] -= h;
            double fd = (basin_diffusion_score(&s, xp, NULL, NULL) -
                         basin_diffusion_score(&s, xm, NULL, NULL)) /
                        (2.0 * h);
            ck_assert_msg(fabs(fd - sc[a]) < 1e-7, "t = %g axis %d: score %.12g, fd %.12g",
                          times[i], a, sc[a], fd);
        }
    }
    basin_diffusion_free(&s);
}
END_TEST

/* ---- 2. the probability flow: characteristic and Heun's order --------------------------- */

/* The exact image at t = 0 of x_T under the probability flow for Gaussian data: the
 * characteristic C(t)^{−1/2}(x − m(t)) is constant, so x_0 = μ + Σ^{1/2} C_T^{−1/2}(x_T − m_T)
 * = μ + V diag(√(λ/c_T)) Vᵀ (x_T − e^{−T} μ), c_T = e^{−2T} λ + 1 − e^{−2T}. */
static void exact_image(const basin_diffusion *s, double T, const double *xT, double *x0)
{
    const double *V = s->V, *lam = s->lam;
    double y[2];
    for (int j = 0; j < 2; j++) {
        y[j] = 0.0;
        for (int a = 0; a < 2; a++)
            y[j] += V[a * 2 + j] * (xT[a] - exp(-T) * MU2[a]);
        double c = exp(-2.0 * T) * lam[j] - expm1(-2.0 * T);
        y[j] *= sqrt(lam[j] / c);
    }
    for (int a = 0; a < 2; a++)
        x0[a] = MU2[a] + V[a * 2 + 0] * y[0] + V[a * 2 + 1] * y[1];
}

/* Reference: the exact characteristic above. Heun's method is second order, so the error
 * at t = 0 falls by 4 when the step halves: from N = 100 to 200 uniform steps over
 * [0, T = 4] the ratio must be in [3.5, 4.5]; at N = 1600 (h = 0.0025) the error must be
 * below 5e-5 (the N = 100 error divided by 4⁴, with a factor 2 of slack: the flow is stiff
 * near t = 0, where the velocity's Jacobian reaches 1/λ_min(Σ) ≈ 5.6, so Heun's constant is
 * large). Five points spread over the prior. */
START_TEST(ode_follows_characteristic)
{
    const double w[1] = {1.0};
    basin_diffusion s;
    ck_assert_int_eq(basin_diffusion_init(&s, 2, 1, w, MU2, SIGMA2, NULL), 0);
    const double T = 4.0;
    const double pts[10] = {0.0, 0.0, 1.5, -0.5, -2.0, 1.0, 0.3, 2.2, -1.1, -1.7};
    double err[3];
    const long Ns[3] = {100, 200, 1600};
    for (int r = 0; r < 3; r++) {
        long N = Ns[r];
        double *t = malloc((size_t)(N + 1) * sizeof *t), x[10];
        basin_diffusion_time_grid(BASIN_DIFFUSION_UNIFORM, T, 0.0, N, t);
        memcpy(x, pts, sizeof x);
        ck_assert_int_eq(
            basin_diffusion_sample(&s, BASIN_DIFFUSION_ODE, t, N, x, 5, NULL, NULL, NULL, NULL), 0);
        err[r] = 0.0;
        for (int i = 0; i < 5; i++) {
            double want[2];
            exact_image(&s, T, pts + 2 * i, want);
            err[r] = fmax(err[r], hypot(x[2 * i] - want[0], x[2 * i + 1] - want[1]));
        }
        free(t);
    }
    double ratio = err[0] / err[1];
    printf("ode_follows_characteristic: max error %.2e (N = 100), %.2e (200), %.2e (1600); "
           "ratio %.2f\n",
           err[0], err[1], err[2], ratio);
    fflush(stdout);
    ck_assert_msg(ratio > 3.5 && ratio < 4.5, "Heun's order: ratio %g", ratio);
    ck_assert_msg(err[2] < 5e-5 && err[2] < 2.0 * err[0] / 256.0, "error %g at N = 1600", err[2]);
    basin_diffusion_free(&s);
}
END_TEST

/* Reference: for Gaussian data the ODE sampler is a linear map, x_0 = A x_T + b with
 * A = Σ^{1/2} C_T^{−1/2} up to Heun's O(h²); so the sample covariance of the outputs equals
 * A Cov(x_T) Aᵀ for the very same draws — a comparison free of Monte Carlo noise. With
 * x_T drawn from p_T exactly, Cov(x_T) ≈ C_T and the outputs' covariance ≈ Σ. With
 * N = 1600 steps (h = 0.0025) Heun's relative error in A is ≈ 2e-5 (ode_follows_characteristic),
 * and it enters the covariance twice: tolerance 1e-4 of Σ_aa on every entry. And against
 * the data covariance itself within the sampling noise: 5σ with
 * σ(S_ab) = √((Σ_aa Σ_bb + Σ_ab²)/(M − 1)). */
START_TEST(heun_sample_covariance)
{
    const double w[1] = {1.0};
    basin_diffusion s;
    ck_assert_int_eq(basin_diffusion_init(&s, 2, 1, w, MU2, SIGMA2, NULL), 0);
    const long M = 10000, N = 1600,
               blocks = (M + BASIN_DIFFUSION_BLOCK - 1) / BASIN_DIFFUSION_BLOCK;
    const double T = 4.0;
    basin_normal_gen *gens = malloc((size_t)blocks * sizeof *gens);
    for (long b = 0; b < blocks; b++)
        basin_normal_gen_seed(&gens[b], 99, (uint64_t)b);
    double *x = malloc((size_t)M * 2 * sizeof *x), *t = malloc((N + 1) * sizeof *t);
    basin_diffusion_draw(&s, exp(-T), exp(-2.0 * T), -expm1(-2.0 * T), x, M, gens);
    double mT[2] = {0}, CT[4] = {0}, m0[2] = {0}, C0[4] = {0};
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 2; a++)
            mT[a] += x[2 * i + a] / M;
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                CT[a * 2 + b] += (x[2 * i + a] - mT[a]) * (x[2 * i + b] - mT[b]) / (M - 1);
    basin_diffusion_time_grid(BASIN_DIFFUSION_UNIFORM, T, 0.0, N, t);
    ck_assert_int_eq(
        basin_diffusion_sample(&s, BASIN_DIFFUSION_ODE, t, N, x, M, gens, NULL, NULL, NULL), 0);
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 2; a++)
            m0[a] += x[2 * i + a] / M;
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                C0[a * 2 + b] += (x[2 * i + a] - m0[a]) * (x[2 * i + b] - m0[b]) / (M - 1);
    /* A = V diag(√(λ/c_T)) Vᵀ */
    double A[4];
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            A[a * 2 + b] = 0.0;
            for (int j = 0; j < 2; j++) {
                double c = exp(-2.0 * T) * s.lam[j] - expm1(-2.0 * T);
                A[a * 2 + b] += s.V[a * 2 + j] * sqrt(s.lam[j] / c) * s.V[b * 2 + j];
            }
        }
    double worst = 0.0, worst_z = 0.0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double want = 0.0; /* (A C_T Aᵀ)_ab */
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    want += A[a * 2 + i] * CT[i * 2 + j] * A[b * 2 + j];
            worst = fmax(worst, fabs(C0[a * 2 + b] - want) / fabs(SIGMA2[a * 2 + a]));
            double sd = sqrt(
                (SIGMA2[a * 3] * SIGMA2[b * 3] + SIGMA2[a * 2 + b] * SIGMA2[a * 2 + b]) / (M - 1));
            double z = fabs(C0[a * 2 + b] - SIGMA2[a * 2 + b]) / sd;
            worst_z = fmax(worst_z, z);
            ck_assert_msg(z < 5.0, "Cov[%d][%d] = %g vs data %g (%.1f sigma)", a, b, C0[a * 2 + b],
                          SIGMA2[a * 2 + b], z);
        }
    printf("heun_sample_covariance: |Cov_out - A Cov_in A^T| / Sigma_aa = %.1e; vs data "
           "covariance %.2f sigma\n",
           worst, worst_z);
    fflush(stdout);
    ck_assert_msg(worst < 1e-4, "sample covariance off the linear map by %g", worst);
    free(x);
    free(t);
    free(gens);
    basin_diffusion_free(&s);
}
END_TEST

/* ---- 3. mixtures: moments and weights -------------------------------------------------- */

/* Reference: the data law (3 components in 2-D). The occupation of component k — the mean
 * responsibility r_k(x) over the samples — has expectation w_k under the data law and
 * variance ≤ w_k(1 − w_k)/M (a binomial bound): |occ_k − w_k| ≤ 5 of those σ for both
 * samplers (occupation_z < 5). The sample mean within 5σ per coordinate
 * (σ_a = √(Cov_aa/M)), and the covariance error below 5 times its Monte Carlo scale
 * √(Σ_ab (Cov_aa Cov_bb + Cov_ab²)/(M − 1)) (Gaussian fourth moments; a mixture's are
 * larger, hence the factor 5 on a norm). Discretisation: 400 steps to t_end = 8 (the
 * prior's error e^{−16}) — the systematic error is far below the noise. */
START_TEST(mixture_weights_recovered)
{
    const char *samplers[2] = {"ode", "sde"};
    for (int i = 0; i < 2; i++) {
        char buf[600];
        snprintf(buf, sizeof buf,
                 "{\"dim\": 2, \"mixture\": {\"weights\": [0.2, 0.5, 0.3], \"means\": [[-2, 0],"
                 " [1, 1], [1.5, -2]], \"covs\": [0.3, [[0.5, 0.2], [0.2, 0.4]], 0.2]},"
                 " \"samples\": 20000, \"sampler\": \"%s\", \"steps\": 400, \"t_end\": 8,"
                 " \"time_grid\": \"%s\", \"seed\": %d}",
                 samplers[i], i == 0 ? "uniform" : "geometric", 11 + i);
        basin_ctx *ctx = mc_run_ok("diffusion", mc_load(buf));
        const double M = 20000.0;
        json_t *dc = json_object_get(ctx->values, "data_cov");
        double C[4];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                C[a * 2 + b] = json_real_value(json_array_get(json_array_get(dc, a), b));
        double mscale = 5.0 * sqrt((C[0] + C[3]) / M), cscale = 0.0;
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                cscale += (C[a * 3] * C[b * 3] + C[a * 2 + b] * C[a * 2 + b]) / (M - 1.0);
        cscale = 5.0 * sqrt(cscale);
        double oz = mc_summary(ctx, "occupation_z"), me = mc_summary(ctx, "mean_error"),
               ce = mc_summary(ctx, "cov_error");
        printf("mixture_weights_recovered (%s): occupation_z %.2f, mean_error %.4f (limit "
               "%.4f), cov_error %.4f (limit %.4f)\n",
               samplers[i], oz, me, mscale, ce, cscale);
        ck_assert_msg(oz < 5.0, "%s: occupation %.2f sigma off the weights", samplers[i], oz);
        ck_assert_msg(me < mscale, "%s: mean error %g", samplers[i], me);
        ck_assert_msg(ce < cscale, "%s: covariance error %g", samplers[i], ce);
        const run_artifact *a = run_ctx_find_artifact(ctx, "samples");
        ck_assert(a && a->shape[0] == 20000 && a->shape[1] == 2);
        const run_series *v = run_ctx_find_series(ctx, "variance"),
                         *ve = run_ctx_find_series(ctx, "variance_exact");
        ck_assert(v && ve && v->n == ve->n && v->n >= 2);
        ck_assert_int_eq(v->step[v->n - 1], 400);
        run_ctx_free(ctx);
    }
}
END_TEST

/* ---- 4. Tweedie ----------------------------------------------------------------------------- */

/* Reference: for one Gaussian component Tweedie's E[x|y] = y + σ²∇ ln p_σ(y) is the Wiener
 * filter μ + Σ(Σ + σ²I)⁻¹(y − μ) (lectures 9.22–9.24): the identity to 1e-12 (both sides
 * are a few roundings of O(1) numbers; the filter is solved here with LAPACK dposv). For a
 * 2-component mixture the posterior mean is Σ_k r_k(y)(μ_k + Σ_k(Σ_k + σ²I)⁻¹(y − μ_k)),
 * r_k ∝ w_k N(y; μ_k, Σ_k + σ²I), computed here independently: 1e-12 too. */
START_TEST(tweedie_is_wiener)
{
    const int d = 3;
    const double w1[1] = {1.0}, mu[6] = {0.5, -1.0, 2.0, -1.0, 0.5, 0.0};
    const double cov[18] = {1.0, 0.3, -0.2, 0.3, 0.8, 0.1,  -0.2, 0.1,  0.5,
                            0.4, 0.0, 0.1,  0.0, 0.6, -0.1, 0.1,  -0.1, 0.9};
    const double sigma = 0.7, s2 = sigma * sigma;
    const double y[12] = {0.0, 0.0, 0.0, 1.5, -2.0, 3.0, -0.7, 0.2, 1.1, 2.5, 2.5, -1.0};
    basin_diffusion s;
    ck_assert_int_eq(basin_diffusion_init(&s, d, 1, w1, mu, cov, NULL), 0);
    double xhat[12];
    basin_diffusion_tweedie(&s, sigma, y, 4, xhat);
    double worst = 0.0;
    for (int i = 0; i < 4; i++) {
        double A[9], b[3];
        for (int a = 0; a < d; a++) {
            b[a] = y[i * d + a] - mu[a];
            for (int c = 0; c < d; c++)
                A[a * d + c] = cov[a * d + c] + (a == c ? s2 : 0.0);
        }
        ck_assert_int_eq(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, b, 1), 0);
        for (int a = 0; a < d; a++) {
            double want = mu[a];
            for (int c = 0; c < d; c++)
                want += cov[a * d + c] * b[c];
            worst = fmax(worst, fabs(xhat[i * d + a] - want));
            ck_assert_msg(fabs(xhat[i * d + a] - want) < 1e-12, "point %d axis %d: %.17g vs %.17g",
                          i, a, xhat[i * d + a], want);
        }
    }
    basin_diffusion_free(&s);

    const double w2[2] = {0.35, 0.65};
    ck_assert_int_eq(basin_diffusion_init(&s, d, 2, w2, mu, cov, NULL), 0);
    basin_diffusion_tweedie(&s, sigma, y, 4, xhat);
    double worst2 = 0.0;
    for (int i = 0; i < 4; i++) {
        double lg[2], post[2][3];
        for (int k = 0; k < 2; k++) {
            double L[9], b[3], bb[3];
            for (int a = 0; a < d; a++) {
                b[a] = bb[a] = y[i * d + a] - mu[k * d + a];
                for (int c = 0; c < d; c++)
                    L[a * d + c] = cov[k * 9 + a * d + c] + (a == c ? s2 : 0.0);
            }
            ck_assert_int_eq(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', d, 1, L, d, b, 1), 0);
            double q = 0.0, logdet = 0.0;
            for (int a = 0; a < d; a++) {
                q += bb[a] * b[a];
                logdet += 2.0 * log(L[a * d + a]);
            }
            lg[k] = log(w2[k]) - 0.5 * (d * log(2.0 * M_PI) + logdet + q);
            for (int a = 0; a < d; a++) {
                post[k][a] = mu[k * d + a];
                for (int c = 0; c < d; c++)
                    post[k][a] += cov[k * 9 + a * d + c] * b[c];
            }
        }
        double m = fmax(lg[0], lg[1]);
        double r0 = exp(lg[0] - m) / (exp(lg[0] - m) + exp(lg[1] - m)), r1 = 1.0 - r0;
        for (int a = 0; a < d; a++) {
            double want = r0 * post[0][a] + r1 * post[1][a];
            worst2 = fmax(worst2, fabs(xhat[i * d + a] - want));
            ck_assert_msg(fabs(xhat[i * d + a] - want) < 1e-12, "mixture point %d: %.17g vs %.17g",
                          i, xhat[i * d + a], want);
        }
    }
    printf("tweedie_is_wiener: max |Tweedie - Wiener| = %.1e; mixture posterior mean %.1e\n", worst,
           worst2);
    basin_diffusion_free(&s);
}
END_TEST

/* Reference: the denoise mode's expected error for one Gaussian component is the Wiener
 * filter's, tr(Σ − Σ(Σ + σ²I)⁻¹Σ)/d (reported as mse_wiener); the measured mse of M·d
 * coordinates must be within 5σ of it, σ ≈ mse·√(2/(M d)) (a mean of squared Gaussian
 * errors, χ²-like), and the noisy input's error within 5σ of σ². */
START_TEST(denoise_mode)
{
    basin_ctx *ctx =
        mc_run_ok("diffusion", mc_load("{\"mode\": \"denoise\", \"dim\": 2, \"mixture\":"
                                       " {\"weights\": [1], \"means\": [[1, -1]], \"covs\": [[[0.5,"
                                       " 0.2], [0.2, 0.3]]]}, \"sigma\": 0.6, \"samples\": 40000,"
                                       " \"seed\": 5}"));
    double mse = mc_summary(ctx, "mse"), wiener = mc_summary(ctx, "mse_wiener"),
           noisy = mc_summary(ctx, "mse_noisy");
    double n = 80000.0;
    ck_assert_msg(fabs(mse - wiener) < 5.0 * wiener * sqrt(2.0 / n), "mse %g vs %g", mse, wiener);
    ck_assert_msg(fabs(noisy - 0.36) < 5.0 * 0.36 * sqrt(2.0 / n), "noisy %g", noisy);
    ck_assert(run_ctx_find_artifact(ctx, "denoised") && run_ctx_find_artifact(ctx, "clean") &&
              run_ctx_find_artifact(ctx, "noisy"));
    printf("denoise_mode: mse %.5f, Wiener %.5f, noisy %.5f\n", mse, wiener, noisy);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 5. the model's contract -------------------------------------------------------------- */

/* Reference: the time grids of basin/diffusion.h (ends, monotonicity, the geometric ratio). */
START_TEST(time_grids)
{
    double t[11];
    basin_diffusion_time_grid(BASIN_DIFFUSION_UNIFORM, 5.0, 0.0, 10, t);
    for (int i = 0; i <= 10; i++)
        ck_assert_double_eq_tol(t[i], 5.0 * (1.0 - i / 10.0), 1e-15);
    basin_diffusion_time_grid(BASIN_DIFFUSION_GEOMETRIC, 5.0, 1e-3, 10, t);
    ck_assert_double_eq(t[0], 5.0);
    ck_assert_double_eq_tol(t[9], 1e-3, 1e-15);
    ck_assert_double_eq(t[10], 0.0);
    for (int i = 1; i < 9; i++)
        ck_assert_double_eq_tol(t[i + 1] / t[i], t[1] / t[0], 1e-12);
}
END_TEST

/* Reference: the params contract (models.md; the model's doc comment). */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"dim\": 17}", "/params/dim", BASIN_EINVAL},
        {"{\"mode\": \"train\"}", "/params/mode", BASIN_EINVAL},
        {"{\"sampler\": \"ddim\"}", "/params/sampler", BASIN_EINVAL},
        {"{\"time_grid\": \"cosine\"}", "/params/time_grid", BASIN_EINVAL},
        {"{\"samples\": 0}", "/params/samples", BASIN_EINVAL},
        {"{\"t_end\": 0}", "/params/t_end", BASIN_EINVAL},
        {"{\"t_end\": 1, \"t_min\": 2}", "/params/t_min", BASIN_EINVAL},
        {"{\"sigma\": -1}", "/params/sigma", BASIN_EINVAL},
        {"{\"mixture\": {\"weights\": [0.5, 0.4], \"means\": [[0], [1]]}}",
         "/params/mixture/weights", BASIN_EINVAL},
        {"{\"mixture\": {\"weights\": [0.5, -0.5]}}", "/params/mixture/weights/1", BASIN_EINVAL},
        {"{\"mixture\": {\"weights\": [0.5, 0.5], \"means\": [[0], [1]], \"covs\": [1]}}",
         "/params/mixture/covs", BASIN_EINVAL},
        {"{\"dim\": 2, \"mixture\": {\"covs\": [[[1, 0], [0, 0]]]}}", "/params/mixture/covs/0",
         BASIN_EINVAL},
        {"{\"dim\": 2, \"mixture\": {\"covs\": [[[1, 0.3], [0.2, 1]]]}}",
         "/params/mixture/covs/0/0/1", BASIN_EINVAL},
        {"{\"dim\": 2, \"mixture\": {\"means\": [[0, \"x\"]]}}", "/params/mixture/means/0/1",
         BASIN_EINVAL},
        {"{\"mixture\": {\"shape\": 1}}", "/params/mixture/shape", BASIN_EINVAL},
        {"{\"samples\": 10000000, \"steps\": 1000000}", "/params/steps", BASIN_ELIMIT},
    };
    mc_check_refusals("diffusion", cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Reference: same params + seed = the same samples, bit for bit, also from the stored
 * normalised params; another seed gives other samples. */
START_TEST(reproducible)
{
    const char *text = "{\"dim\": 2, \"mixture\": {\"weights\": [0.4, 0.6], \"means\": [[-1, 0],"
                       " [1, 0]], \"covs\": [0.2, 0.3]}, \"samples\": 999, \"steps\": 50,"
                       " \"sampler\": \"sde\", \"seed\": %d}";
    char buf[400];
    snprintf(buf, sizeof buf, text, 7);
    json_t *p1 = mc_load(buf), *n1 = NULL, *n2 = NULL;
    void *c1 = mc_parse_ok("diffusion", p1, &n1), *c2 = mc_parse_ok("diffusion", n1, &n2);
    ck_assert(json_equal(n1, n2));
    snprintf(buf, sizeof buf, text, 8);
    json_t *p3 = mc_load(buf);
    void *c3 = mc_parse_ok("diffusion", p3, NULL);
    basin_ctx *r[3];
    void *cs[3] = {c1, c2, c3};
    for (int i = 0; i < 3; i++)
        r[i] = mc_run_config_ok("diffusion", cs[i]);
    const run_artifact *a = run_ctx_find_artifact(r[0], "samples"),
                       *b = run_ctx_find_artifact(r[1], "samples"),
                       *c = run_ctx_find_artifact(r[2], "samples");
    ck_assert_mem_eq(a->data, b->data, a->nbytes);
    ck_assert(memcmp(a->data, c->data, a->nbytes) != 0);
    for (int i = 0; i < 3; i++) {
        run_ctx_free(r[i]);
        mc_model("diffusion")->free_config(cs[i]);
    }
    json_decref(p1);
    json_decref(n1);
    json_decref(n2);
    json_decref(p3);

    /* the schema lists every parameter */
    json_t *schema = mc_schema("diffusion");
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"mode",  "dim",          "mixture",   "samples", "sampler",
                          "steps", "t_end",        "time_grid", "t_min",   "prior",
                          "sigma", "record_every", "seed"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    json_decref(schema);
}
END_TEST

/* Reference: model.h / models.md — the run stops well under a second after the request
 * (the sampler polls after every grid step; one step of 10⁵ samples with 8 components in
 * 4-D is ≈ 10⁸ operations). */
START_TEST(cancellation)
{
    const char *text = "{\"dim\": 4, \"mixture\": {\"weights\": [0.125, 0.125, 0.125, 0.125,"
                       " 0.125, 0.125, 0.125, 0.125]}, \"samples\": 100000, \"steps\": 20000,"
                       " \"sampler\": \"sde\"}";
    double latency = mc_check_stop("diffusion", text, 0.3, 0.5);
    printf("cancellation: returned %.1f ms after the request\n", 1e3 * latency);
}
END_TEST

static Suite *diffusion_suite(void)
{
    Suite *s = suite_create("diffusion");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, score_matches_log_density);
    tcase_add_test(core, ode_follows_characteristic);
    tcase_add_test(core, heun_sample_covariance);
    tcase_add_test(core, tweedie_is_wiener);
    tcase_add_test(core, time_grids);
    suite_add_tcase(s, core);
    TCase *model_case = tcase_create("model");
    tcase_set_timeout(model_case, 120);
    tcase_add_test(model_case, mixture_weights_recovered);
    tcase_add_test(model_case, denoise_mode);
    tcase_add_test(model_case, validation);
    tcase_add_test(model_case, reproducible);
    tcase_add_test(model_case, cancellation);
    suite_add_tcase(s, model_case);
    return s;
}

int main(void)
{
    return mc_run_suite(diffusion_suite());
}
