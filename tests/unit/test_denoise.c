/*
 * test_denoise.c — the `denoise` model and its numerical core (basin/wavelet.h,
 * basin/denoise.h).
 *
 * References: the orthonormality of the periodic DWT (perfect reconstruction, Parseval,
 * WWᵀ = I); the one-level Haar closed form with PyWavelets' signs; Daubechies' 4 vanishing
 * moments of db4 (details of a cubic vanish); the soft/hard rules and the MAD estimate as
 * pywt.threshold and numpy.median define them (a sort for the large cases); SURE's definition
 * (Stein 1981; Donoho & Johnstone 1995) minimised by brute force; the Wiener filter's expected
 * error (1/n) tr(σ²C(C + σ²I)⁻¹) (lectures eq. 10.1–10.9) with its exact sampling spread; the
 * Donoho–Johnstone formulas of the test signals. The PyWavelets comparisons are in
 * tests/reference/test_denoise.py.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basin/denoise.h"
#include "basin/fft.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "basin/wavelet.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* Shared helpers (model_check.h), bound to this suite's model. */
static const basin_model *model(void)
{
    return mc_model("denoise");
}

static double now_s(void)
{
    return mc_now_s();
}

static json_t *load(const char *text)
{
    return mc_load(text);
}

static void *parse_ok(const json_t *params, json_t **normalized)
{
    return mc_parse_ok("denoise", params, normalized);
}

/* Parses and runs params (stolen); asserts success; returns the context. */
static basin_ctx *run_ok(json_t *params)
{
    return mc_run_ok("denoise", params);
}

static double summary(const basin_ctx *ctx, const char *name)
{
    return mc_summary(ctx, name);
}

static const double *artifact(const basin_ctx *ctx, const char *name, int64_t n)
{
    const run_artifact *a = run_ctx_find_artifact(ctx, name);
    ck_assert_msg(a != NULL, "no artifact %s", name);
    ck_assert_int_eq(a->shape[0], n);
    return a->data;
}

static double max_abs(long n, const double *x)
{
    double m = 0.0;
    for (long i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return m;
}

/* ---- 1. the transform ------------------------------------------------------------------- */

/* Reference: an orthonormal transform is inverted by its transpose (x = Wᵀ W x) and keeps
 * norms (‖Wx‖ = ‖x‖), and its matrix satisfies WWᵀ = I. Tolerances 1e-13 relative: each
 * coefficient is a sum of F·J ≤ 8·10 rounded products. */
START_TEST(transform_identities)
{
    const long ns[] = {2, 4, 8, 64, 96, 1024};
    basin_rng rng;
    basin_rng_seed(&rng, 5);
    for (int k = 0; k < 2; k++) {
        const basin_wavelet *w = basin_wavelet_get((basin_wavelet_kind)k);
        for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
            long n = ns[t];
            double *x = malloc(n * sizeof *x), *c = malloc(n * sizeof *c),
                   *y = malloc(n * sizeof *y), *work = malloc(n * sizeof *work);
            basin_rng_normals(&rng, x, n);
            double xx = 0.0;
            for (long i = 0; i < n; i++)
                xx += x[i] * x[i];
            for (int J = 0; J <= basin_wavelet_dyadic_levels(n); J++) {
                basin_dwt(w, n, J, x, c, work);
                basin_idwt(w, n, J, c, y, work);
                double cc = 0.0, err = 0.0;
                for (long i = 0; i < n; i++) {
                    cc += c[i] * c[i];
                    err = fmax(err, fabs(y[i] - x[i]));
                }
                ck_assert_msg(err <= 1e-13 * max_abs(n, x), "%s n=%ld J=%d: reconstruction %g",
                              w->name, n, J, err);
                ck_assert_msg(fabs(cc - xx) <= 1e-13 * xx, "%s n=%ld J=%d: Parseval %g vs %g",
                              w->name, n, J, cc, xx);
            }
            free(x);
            free(c);
            free(y);
            free(work);
        }
        /* W Wᵀ = I from the transforms of the unit vectors (n = 32, 5 levels) */
        enum { N = 32 };
        double W[N][N], e[N] = {0}, work[N];
        for (int j = 0; j < N; j++) {
            e[j] = 1.0;
            basin_dwt(w, N, 5, e, W[j], work); /* W[j] = column j of the matrix */
            e[j] = 0.0;
        }
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++) {
                double s = 0.0;
                for (int j = 0; j < N; j++)
                    s += W[j][a] * W[j][b];
                ck_assert_double_eq_tol(s, a == b ? 1.0 : 0.0, 1e-14);
            }
    }
}
END_TEST

/* Reference: Haar, one level, with PyWavelets' filters dec_lo = (1, 1)/√2,
 * dec_hi = (−1, 1)/√2 and alignment: a_k = (x_{2k} + x_{2k+1})/√2,
 * d_k = (x_{2k} − x_{2k+1})/√2 (tolerance 1e-15, two roundings). db4 has 4 vanishing
 * moments: away from the periodic wrap, the details of a cubic vanish (to 1e-12 of its
 * size: 8 products of O(1) numbers cancelling), those of a quartic do not. */
START_TEST(closed_forms)
{
    double x[16], c[16], work[16];
    for (int i = 0; i < 16; i++)
        x[i] = sin(1.0 + 0.7 * i) + 0.1 * i;
    basin_dwt(basin_wavelet_get(BASIN_WAVELET_HAAR), 16, 1, x, c, work);
    for (int k = 0; k < 8; k++) {
        ck_assert_double_eq_tol(c[k], (x[2 * k] + x[2 * k + 1]) / sqrt(2.0), 1e-15);
        ck_assert_double_eq_tol(c[8 + k], (x[2 * k] - x[2 * k + 1]) / sqrt(2.0), 1e-15);
    }
    enum { N = 256 };
    double p[N], q[N], cp[N], cq[N], wk[N];
    for (int i = 0; i < N; i++) {
        double t = (double)i / N - 0.5;
        p[i] = 1.0 - 2.0 * t + 3.0 * t * t - 5.0 * t * t * t;
        q[i] = t * t * t * t;
    }
    const basin_wavelet *db4 = basin_wavelet_get(BASIN_WAVELET_DB4);
    basin_dwt(db4, N, 1, p, cp, wk);
    basin_dwt(db4, N, 1, q, cq, wk);
    double worst_p = 0.0, worst_q = 0.0;
    for (int k = 2; k < N / 2 - 2; k++) { /* interior: 2k + 4 − j ∈ [0, N) for j < 8 */
        worst_p = fmax(worst_p, fabs(cp[N / 2 + k]));
        worst_q = fmax(worst_q, fabs(cq[N / 2 + k]));
    }
    ck_assert_msg(worst_p <= 1e-12 * max_abs(N, p), "cubic details %g", worst_p);
    ck_assert_msg(worst_q > 1e-12, "quartic details vanish: %g", worst_q);
    ck_assert_int_eq(basin_wavelet_max_level(1024, db4), 7);
    ck_assert_int_eq(basin_wavelet_max_level(1024, basin_wavelet_get(BASIN_WAVELET_HAAR)), 10);
    ck_assert_int_eq(basin_wavelet_max_level(6, db4), 0);
    ck_assert_int_eq(basin_wavelet_dyadic_levels(96), 5);
}
END_TEST

/* Reference: pywt.threshold's rules (soft: sign(x)(|x| − τ)₊, |x| = τ → 0; hard: keeps
 * |x| ≥ τ) and numpy.median (the mean of the middle two for even m); exact arithmetic on
 * these small numbers. */
START_TEST(thresholds_and_mad)
{
    double soft[] = {-3, -1, 0, 0.5, 1, 2.5}, hard[] = {-3, -1, 0, 0.5, 1, 2.5};
    const double want_soft[] = {-2, 0, 0, 0, 0, 1.5}, want_hard[] = {-3, -1, 0, 0, 1, 2.5};
    ck_assert_int_eq(basin_threshold(6, soft, 1.0, BASIN_THRESHOLD_SOFT), 2);
    ck_assert_int_eq(basin_threshold(6, hard, 1.0, BASIN_THRESHOLD_HARD), 4);
    for (int i = 0; i < 6; i++) {
        ck_assert_double_eq(soft[i], want_soft[i]);
        ck_assert_double_eq(hard[i], want_hard[i]);
    }
    double work[8 + BASIN_MAD_EXTRA];
    const double odd[] = {3, -1, 2}, even[] = {1, -4, 2, 3}, ties[] = {2, -2, 2, 5};
    ck_assert_double_eq(basin_mad_sigma(3, odd, work), 2.0 / 0.6745);
    ck_assert_double_eq(basin_mad_sigma(4, even, work), 2.5 / 0.6745);
    ck_assert_double_eq(basin_mad_sigma(4, ties, work), 2.0 / 0.6745);
    ck_assert_double_eq(basin_mad_sigma(1, odd, work), 3.0 / 0.6745);
    ck_assert_double_eq(basin_visu_threshold(2.0, 1024), 2.0 * sqrt(2.0 * log(1024.0)));
    /* large m: the sampling selection, and an input whose evenly spaced sample is
     * unrepresentative (every 24th value huge), which takes the exact fallback; the
     * reference is the middle of the sorted |d| */
    const long sizes[] = {100001, 100000, 98304};
    basin_rng rng;
    basin_rng_seed(&rng, 12);
    for (int t = 0; t < 3; t++) {
        const long m = sizes[t];
        double *d = malloc(m * sizeof *d), *s = malloc(m * sizeof *s),
               *wk = malloc((2 * m + BASIN_MAD_EXTRA) * sizeof *wk);
        basin_rng_normals(&rng, d, m);
        if (t == 2)
            for (long i = 0; i < m; i += 24)
                d[i] = 1e6 + (double)i;
        for (long i = 0; i < m; i++)
            s[i] = fabs(d[i]);
        basin_sort_nonnegative(m, s, wk);
        double med = m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
        ck_assert_double_eq(basin_mad_sigma(m, d, wk), med / 0.6745);
        free(d);
        free(s);
        free(wk);
    }
    double a[] = {3.0, 0.0, 1e-300, 7.5, 2.0}, wk[5];
    basin_sort_nonnegative(5, a, wk);
    const double sorted[] = {0.0, 1e-300, 2.0, 3.0, 7.5};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq(a[i], sorted[i]);
}
END_TEST

/* SURE of soft thresholding at t for x (Stein's unbiased risk estimate, unit noise). */
static double sure(long m, const double *x, double t)
{
    double s = (double)m;
    for (long i = 0; i < m; i++) {
        s -= fabs(x[i]) <= t ? 2.0 : 0.0;
        s += fmin(x[i] * x[i], t * t);
    }
    return s;
}

/* Reference: SureShrink (Donoho & Johnstone 1995; WaveLab's HybridThresh): on a dense level
 * the threshold minimises SURE(t) = m − 2#{|x_i| ≤ t} + Σ min(x_i², t²) over the candidates
 * t ∈ {|x_i|} (checked by brute force, 1e-9 relative on the risk) unless that exceeds the
 * universal √(2 ln m); on a sparse level (η < γ) it is the universal threshold. */
START_TEST(sure_threshold)
{
    enum { M = 1000 };
    double x[M], work[2 * M];
    basin_rng rng;
    basin_rng_seed(&rng, 8);
    const double sigma = 0.5;
    for (int dense = 0; dense < 2; dense++) {
        basin_rng_normals(&rng, x, M);
        for (int i = 0; i < M; i++)
            x[i] = sigma * (x[i] + (dense && i % 4 == 0 ? 3.0 : 0.0));
        double t = basin_sure_threshold(M, x, sigma, work) / sigma;
        double u[M], norm2 = 0.0;
        for (int i = 0; i < M; i++) {
            u[i] = x[i] / sigma;
            norm2 += u[i] * u[i];
        }
        const double universal = sqrt(2.0 * log((double)M));
        const double eta = (norm2 - M) / M, gamma = pow(log2((double)M), 1.5) / sqrt((double)M);
        if (!dense) {
            ck_assert_msg(eta < gamma, "noise level not sparse: η = %g, γ = %g", eta, gamma);
            ck_assert_double_eq_tol(t, universal, 1e-14);
            continue;
        }
        ck_assert_msg(eta >= gamma, "dense level: η = %g, γ = %g", eta, gamma);
        double best = INFINITY, best_t = 0.0;
        for (int i = 0; i < M; i++) {
            double r = sure(M, u, fabs(u[i]));
            if (r < best || (r == best && fabs(u[i]) < best_t)) {
                best = r;
                best_t = fabs(u[i]);
            }
        }
        ck_assert(t <= universal + 1e-14);
        ck_assert_msg(fabs(sure(M, u, t) - best) <= 1e-9 * fabs(best),
                      "SURE(%g) = %g, min %g at %g", t, sure(M, u, t), best, best_t);
        printf("sure_threshold: dense level t = %.6f (brute force %.6f, universal %.6f)\n", t,
               best_t, universal);
    }
}
END_TEST

/* ---- 2. the Wiener filter ----------------------------------------------------------------- */

/* Reference: lectures Theorem 4 and eq. 10.9 — for x ~ N(0, C) stationary with spectrum P
 * and white noise σ, the Wiener error per sample has mean E = (1/n) Σ_k v_k,
 * v_k = σ²P_k/(P_k + σ²) = (1/n) tr(σ²C(C + σ²I)⁻¹). Its sampling spread is exact too: the
 * error's Fourier coefficients are independent Gaussians of variance v_k, real at k = 0,
 * n/2 and complex in conjugate pairs otherwise, so Var(mse) = (2v_0² + 2v_{n/2}² +
 * 4Σ_{0<k<n/2} v_k²)/n². The measured mse must be within 5 of those σ (a false failure
 * has probability ~6e-7; seeds are fixed). */
START_TEST(wiener_expected_mse)
{
    const long n = 1L << 16;
    const double sigma = 0.5;
    double worst = 0.0;
    for (int seed = 1; seed <= 3; seed++) {
        char buf[200];
        snprintf(buf, sizeof buf,
                 "{\"signal\": \"stationary\", \"n\": %ld, \"sigma\": %g, \"method\": \"wiener\", "
                 "\"spectrum\": \"prior\", \"seed\": %d}",
                 n, sigma, seed);
        basin_ctx *ctx = run_ok(load(buf));
        double *P = malloc((n / 2 + 1) * sizeof *P);
        basin_spectrum_lorentzian(n, 0.02, P);
        double E = 0.0, var = 0.0;
        for (long k = 0; k <= n / 2; k++) {
            double v = sigma * sigma * P[k] / (P[k] + sigma * sigma);
            bool edge = k == 0 || 2 * k == n;
            E += (edge ? 1.0 : 2.0) * v;
            var += (edge ? 2.0 : 4.0) * v * v;
        }
        E /= (double)n;
        double sd = sqrt(var) / (double)n;
        ck_assert_double_eq_tol(summary(ctx, "expected_mse"), E, 1e-15 * (1.0 + E));
        double mse = summary(ctx, "mse");
        ck_assert_msg(fabs(mse - E) <= 5.0 * sd, "seed %d: mse %g, expected %g ± %g", seed, mse, E,
                      sd);
        worst = fmax(worst, fabs(mse - E) / sd);
        /* the no-noise-free bound: Wiener beats the raw observation (σ² per sample) */
        ck_assert(E < sigma * sigma);
        free(P);
        run_ctx_free(ctx);
    }
    printf("wiener_expected_mse: n = %ld, worst |mse − E| = %.2f σ\n", n, worst);

    /* gains in [0, 1]; σ = 0 leaves y unchanged (1e-13: two FFTs of O(1) data) */
    basin_rfft f;
    ck_assert_int_eq(basin_rfft_init(&f, 100), 0);
    double y[100], xh[100], P[51];
    basin_rng rng;
    basin_rng_seed(&rng, 2);
    basin_rng_normals(&rng, y, 100);
    for (int k = 0; k <= 50; k++)
        P[k] = k < 10 ? 2.0 : 0.0;
    ck_assert_int_eq(basin_wiener_filter(&f, y, P, 0.0, xh), 19); /* k = 0..9 and 91..99 */
    basin_power_spectrum(&f, y, P);
    ck_assert_int_eq(basin_wiener_filter(&f, y, P, 0.0, xh), 100);
    for (int i = 0; i < 100; i++)
        ck_assert_double_eq_tol(xh[i], y[i], 1e-13);
    ck_assert_int_eq(basin_fft_fast_size(1), 1);
    ck_assert_int_eq(basin_fft_fast_size(11), 12);
    ck_assert_int_eq(basin_fft_fast_size(131073), 131220); /* 2²·3⁸·5 */
    basin_rfft_free(&f);
    basin_rfft_free(&f); /* freeing twice is harmless */
}
END_TEST

/* Reference: the Donoho–Johnstone formulas at chosen points (t_i = (i + 1)/n), including
 * sign(0) = 0 at a jump hit exactly (n = 10: t_2 = 0.3 for heavisine). */
START_TEST(test_signals)
{
    double x[100];
    basin_test_signal_fill(BASIN_SIGNAL_HEAVISINE, 10, 0, 10, x);
    ck_assert_double_eq_tol(x[2], 4.0 * sin(4.0 * M_PI * 0.3) - 0.0 - 1.0, 1e-15);
    ck_assert_double_eq_tol(x[9], 4.0 * sin(4.0 * M_PI) - 1.0 + 1.0, 1e-14);
    basin_test_signal_fill(BASIN_SIGNAL_DOPPLER, 10, 0, 10, x);
    ck_assert_double_eq_tol(x[4], sqrt(0.25) * sin(2.0 * M_PI * 1.05 / 0.55), 1e-15);
    ck_assert_double_eq(x[9], 0.0);
    basin_test_signal_fill(BASIN_SIGNAL_BLOCKS, 10, 0, 10, x); /* t = 1: every jump passed */
    ck_assert_double_eq_tol(x[9], 4 - 5 + 3 - 4 + 5 - 4.2 + 2.1 + 4.3 - 3.1 + 2.1 - 4.2, 1e-14);
    ck_assert_double_eq_tol(x[0], 4.0 / 2.0, 1e-15); /* t = 0.1: the first jump, sign 0 */
    basin_test_signal_fill(BASIN_SIGNAL_BUMPS, 100, 0, 100, x); /* t = 0.1: the first peak */
    ck_assert(x[9] > 4.0);
    double part[100];
    basin_test_signal_fill(BASIN_SIGNAL_BUMPS, 100, 0, 37, part);
    basin_test_signal_fill(BASIN_SIGNAL_BUMPS, 100, 37, 100, part);
    ck_assert(memcmp(part, x, sizeof part) == 0);
}
END_TEST

/* Reference: libm's sin and sqrt (glibc's sin is correctly rounded). The signals' sine is
 * basin's own branch-free one (fdlibm's reduction and kernels, under 1 ulp), so at every
 * sample of n = 2^16 (arguments up to 2π·1.05/0.05 ≈ 132 for doppler) the two differ by
 * at most the sine's ulp times its factor plus the result's rounding: doppler
 * √(t(1 − t)) ≤ ½ times a sine within 2^-52, |x| ≤ ½: 2^-53 + 2^-54 ≤ 2·2^-53;
 * heavisine 4 sin(4πt) within 4·2^-52, then ± signs to |x| ≤ 6: 4·2^-52 + 2^-51 =
 * 6·2^-52. Parts written separately equal one call. */
START_TEST(test_signal_sine)
{
    enum { N = 1 << 16 };
    double *x = malloc(N * sizeof *x), *part = malloc(N * sizeof *part);
    basin_test_signal_fill(BASIN_SIGNAL_DOPPLER, N, 0, N, x);
    double worst_d = 0.0, worst_h = 0.0;
    for (long i = 0; i < N; i++) {
        const double t = (double)(i + 1) / (double)N;
        const double ref = sqrt(t * (1.0 - t)) * sin(2.0 * M_PI * 1.05 / (t + 0.05));
        worst_d = fmax(worst_d, fabs(x[i] - ref));
    }
    ck_assert_msg(worst_d <= 2.0 * 0x1p-53, "doppler: %g from libm", worst_d);
    basin_test_signal_fill(BASIN_SIGNAL_DOPPLER, N, 0, 1001, part);
    basin_test_signal_fill(BASIN_SIGNAL_DOPPLER, N, 1001, N, part);
    ck_assert(memcmp(part, x, N * sizeof *x) == 0);
    basin_test_signal_fill(BASIN_SIGNAL_HEAVISINE, N, 0, N, x);
    for (long i = 0; i < N; i++) {
        const double t = (double)(i + 1) / (double)N;
        const double s1 = t > 0.3 ? 1.0 : t < 0.3 ? -1.0 : 0.0;
        const double s2 = 0.72 > t ? 1.0 : 0.72 < t ? -1.0 : 0.0;
        const double ref = 4.0 * sin(4.0 * M_PI * t) - s1 - s2;
        worst_h = fmax(worst_h, fabs(x[i] - ref));
    }
    ck_assert_msg(worst_h <= 6.0 * 0x1p-52, "heavisine: %g from libm", worst_h);
    printf("test_signal_sine: worst |Δ| from libm: doppler %.2g, heavisine %.2g\n", worst_d,
           worst_h);
    free(x);
    free(part);
}
END_TEST

/* ---- 3. the model -------------------------------------------------------------------------- */

/* Reference: the summary's definitions; the baseline `none` (x̂ = y) has snr_out = snr_in;
 * τ = 0 keeps the transform (x̂ = y to 1e-13, coefficients with ‖c‖ = ‖y‖); VisuShrink
 * improves the SNR of a smooth signal in noise; SURE thresholds never exceed the level's
 * universal threshold; for a given signal mse is unknown (null) and σ̂ is reported. */
START_TEST(model_outputs)
{
    const long n = 4096;
    basin_ctx *base = run_ok(load("{\"signal\": \"doppler\", \"n\": 4096, \"sigma\": 0.1, "
                                  "\"method\": \"none\", \"seed\": 3}"));
    basin_ctx *visu = run_ok(load("{\"signal\": \"doppler\", \"n\": 4096, \"sigma\": 0.1, "
                                  "\"seed\": 3}"));
    basin_ctx *zero = run_ok(load("{\"signal\": \"doppler\", \"n\": 4096, \"sigma\": 0.1, "
                                  "\"threshold\": 0, \"seed\": 3}"));
    basin_ctx *sure = run_ok(load("{\"signal\": \"blocks\", \"n\": 4096, \"sigma\": 0.5, "
                                  "\"threshold\": \"sure\", \"wavelet\": \"haar\", \"seed\": 3}"));
    ck_assert_double_eq(summary(base, "snr_out_db"), summary(base, "snr_in_db"));
    ck_assert_int_eq((long)summary(base, "kept_coefficients"), n);
    ck_assert_double_eq(summary(visu, "snr_in_db"), summary(base, "snr_in_db"));
    ck_assert_msg(summary(visu, "snr_out_db") > summary(visu, "snr_in_db") + 3.0,
                  "no gain: %g → %g dB", summary(visu, "snr_in_db"), summary(visu, "snr_out_db"));
    ck_assert_double_eq_tol(summary(visu, "threshold"),
                            summary(visu, "sigma_hat") * sqrt(2.0 * log((double)n)), 1e-15);
    ck_assert_double_eq_tol(summary(visu, "sigma_hat"), 0.1, 0.01); /* MAD: ±~3% at n/2 = 2048 */
    const double *y = artifact(zero, "noisy", n), *xh = artifact(zero, "denoised", n),
                 *c = artifact(zero, "coefficients", n);
    double cc = 0.0, yy = 0.0;
    for (long i = 0; i < n; i++) {
        ck_assert_double_eq_tol(xh[i], y[i], 1e-13);
        cc += c[i] * c[i];
        yy += y[i] * y[i];
    }
    ck_assert_double_eq_tol(cc, yy, 1e-12 * yy);
    /* the inverse rebuilds levels J..2 and the last one apart: x̂ = y at every depth */
    for (int J = 1; J <= 3; J++) {
        char text[160];
        snprintf(text, sizeof text,
                 "{\"signal\": \"bumps\", \"n\": 4096, \"levels\": %d, \"threshold\": 0, "
                 "\"seed\": 3}",
                 J);
        basin_ctx *lv = run_ok(load(text));
        const double *yl = artifact(lv, "noisy", n), *xl = artifact(lv, "denoised", n);
        for (long i = 0; i < n; i++)
            ck_assert_double_eq_tol(xl[i], yl[i], 1e-13 * max_abs(n, yl));
        run_ctx_free(lv);
    }
    json_t *taus = json_object_get(sure->values, "thresholds");
    ck_assert_uint_eq(json_array_size(taus), 12);
    const double sh = summary(sure, "sigma_hat");
    for (size_t j = 0; j < 12; j++) {
        long m = n >> (j + 1);
        ck_assert(json_real_value(json_array_get(taus, j)) <=
                  sh * sqrt(2.0 * log((double)m)) + 1e-12);
    }
    ck_assert_ptr_null(json_object_get(sure->summary, "threshold"));
    run_ctx_free(base);
    run_ctx_free(visu);
    run_ctx_free(zero);
    run_ctx_free(sure);

    basin_ctx *given = run_ok(load("{\"signal\": [1, 2, 3, 4, 4, 3, 2, 1], \"method\": \"wiener\", "
                                   "\"seed\": 1}"));
    ck_assert(json_is_null(json_object_get(given->summary, "mse")));
    ck_assert(summary(given, "sigma") >= 0.0);
    ck_assert_ptr_null(run_ctx_find_artifact(given, "clean"));
    artifact(given, "denoised", 8);
    run_ctx_free(given);
}
END_TEST

/* Reference: basin_ctx_artifact_take's contract (model.h): the context keeps the caller's
 * block itself (no copy), frees it on replacement, at its own end and when the call fails
 * (the ASan and valgrind runs of this suite check that nothing leaks); basin_array_alloc's
 * large blocks are 2 MiB-aligned. */
START_TEST(artifacts_taken)
{
    basin_limits lim = basin_default_limits;
    lim.max_array_elements = 1 << 20;
    basin_ctx *ctx = run_ctx_new(&lim);
    const size_t n = (size_t)1 << 19; /* 4 MiB of doubles */
    double *big = basin_array_alloc(n * sizeof *big);
    ck_assert_ptr_nonnull(big);
    ck_assert_uint_eq((uintptr_t)big % ((uintptr_t)2 << 20), 0);
    for (size_t i = 0; i < n; i++)
        big[i] = (double)i;
    int64_t shape[2] = {(int64_t)n / 4, 4};
    ck_assert_int_eq(basin_ctx_artifact_take(ctx, "a", BASIN_F64, 2, shape, big), 0);
    const run_artifact *a = run_ctx_find_artifact(ctx, "a");
    ck_assert_ptr_eq(a->data, big);
    ck_assert_uint_eq(a->nbytes, n * sizeof *big);
    ck_assert_int_eq(a->ndim, 2);
    double *small = basin_array_alloc(3 * sizeof *small);
    small[0] = 1.0, small[1] = 2.0, small[2] = 3.0;
    int64_t three[1] = {3};
    ck_assert_int_eq(basin_ctx_artifact_take(ctx, "a", BASIN_F64, 1, three, small), 0);
    ck_assert_ptr_eq(run_ctx_find_artifact(ctx, "a")->data, small);
    ck_assert_uint_eq(ctx->n_artifacts, 1);
    /* refused: over the limit, a negative extent, too many dimensions — freed all the same */
    int64_t over[1] = {(1 << 20) + 1}, negative[1] = {-1};
    ck_assert_int_eq(basin_ctx_artifact_take(ctx, "b", BASIN_F64, 1, over, malloc(8)),
                     BASIN_ELIMIT);
    ck_assert_int_eq(basin_ctx_artifact_take(ctx, "b", BASIN_F64, 1, negative, malloc(8)),
                     BASIN_EINVAL);
    ck_assert_int_eq(
        basin_ctx_artifact_take(ctx, "b", BASIN_F64, BASIN_MAX_NDIM + 1, three, malloc(8)),
        BASIN_EINVAL);
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "b"));
    /* an empty array needs no block */
    int64_t none[1] = {0};
    ck_assert_int_eq(basin_ctx_artifact_take(ctx, "e", BASIN_F64, 1, none, NULL), 0);
    ck_assert_uint_eq(run_ctx_find_artifact(ctx, "e")->nbytes, 0);
    /* the copying form still copies, large arrays too */
    double *src = malloc(n * sizeof *src);
    for (size_t i = 0; i < n; i++)
        src[i] = -(double)i;
    int64_t flat[1] = {(int64_t)n};
    ck_assert_int_eq(basin_ctx_artifact(ctx, "c", BASIN_F64, 1, flat, src), 0);
    const run_artifact *c = run_ctx_find_artifact(ctx, "c");
    ck_assert_ptr_ne(c->data, src);
    ck_assert(memcmp(c->data, src, n * sizeof *src) == 0);
    free(src);
    run_ctx_free(ctx);
}
END_TEST

typedef struct bad_case {
    const char *params;
    const char *pointer;
    int rc;
} bad_case;

/* Reference: models.md's params contract and the model's doc comment (strict, one pointer
 * per problem, no padding of lengths a transform cannot take). */
START_TEST(validation)
{
    static const bad_case cases[] = {
        {"{\"foo\": 1}", "/params/foo", BASIN_EINVAL},
        {"{\"signal\": \"chirp\"}", "/params/signal", BASIN_EINVAL},
        {"{\"signal\": {\"a\": 1}}", "/params/signal", BASIN_EINVAL},
        {"{\"signal\": [1]}", "/params/signal", BASIN_EINVAL},
        {"{\"signal\": [1, 2, 1e13, 4]}", "/params/signal/2", BASIN_EINVAL},
        {"{\"signal\": [1, 2, true, 4]}", "/params/signal/2", BASIN_EINVAL},
        {"{\"signal\": [1, 2, 3, 4], \"n\": 8}", "/params/n", BASIN_EINVAL},
        /* a wavelet transform needs an even length divisible by 2^levels */
        {"{\"n\": 1001}", "/params/n", BASIN_EINVAL},
        {"{\"signal\": [1, 2, 3]}", "/params/signal", BASIN_EINVAL},
        {"{\"n\": 1000, \"levels\": 4}", "/params/levels", BASIN_EINVAL},
        {"{\"n\": 1024, \"levels\": 11}", "/params/levels", BASIN_EINVAL},
        {"{\"levels\": 0}", "/params/levels", BASIN_EINVAL},
        {"{\"n\": 1}", "/params/n", BASIN_EINVAL},
        {"{\"sigma\": -1}", "/params/sigma", BASIN_EINVAL},
        {"{\"sigma\": \"mad\"}", "/params/sigma", BASIN_EINVAL},
        {"{\"sigma\": \"big\"}", "/params/sigma", BASIN_EINVAL},
        {"{\"method\": \"median\"}", "/params/method", BASIN_EINVAL},
        {"{\"wavelet\": \"db8\"}", "/params/wavelet", BASIN_EINVAL},
        {"{\"threshold\": \"minimax\"}", "/params/threshold", BASIN_EINVAL},
        {"{\"threshold\": -1}", "/params/threshold", BASIN_EINVAL},
        {"{\"rule\": \"garrote\"}", "/params/rule", BASIN_EINVAL},
        {"{\"spectrum\": \"flat\"}", "/params/spectrum", BASIN_EINVAL},
        {"{\"spectrum\": \"prior\"}", "/params/spectrum", BASIN_EINVAL},
        {"{\"signal\": [1, 2, 3, 4], \"spectrum\": \"oracle\"}", "/params/spectrum", BASIN_EINVAL},
        {"{\"n\": 8, \"spectrum\": [1, 1, 1, 1]}", "/params/spectrum", BASIN_EINVAL},
        {"{\"n\": 8, \"spectrum\": [1, 1, -1, 1, 1]}", "/params/spectrum/2", BASIN_EINVAL},
        {"{\"seed\": 1.5}", "/params/seed", BASIN_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *params = load(cases[i].params);
        basin_problems pr = {.count = 0};
        json_t *norm = (json_t *)&pr;
        void *cfg = &pr;
        int rc = model()->parse(params, "/params", &basin_default_limits, &pr, NULL, &norm, &cfg);
        ck_assert_msg(rc == cases[i].rc, "%s: rc %d, expected %d", cases[i].params, rc,
                      cases[i].rc);
        ck_assert_ptr_eq(norm, (json_t *)&pr);
        ck_assert_ptr_eq(cfg, &pr);
        bool found = false;
        for (size_t j = 0; j < pr.count; j++)
            found |= strcmp(pr.items[j].pointer, cases[i].pointer) == 0;
        ck_assert_msg(found, "%s: no problem at %s (first: %s: %s)", cases[i].params,
                      cases[i].pointer, pr.count ? pr.items[0].pointer : "-",
                      pr.count ? pr.items[0].message : "-");
        ck_assert_msg(pr.count == 1, "%s: %zu problems (second: %s)", cases[i].params, pr.count,
                      pr.count > 1 ? pr.items[1].pointer : "");
        json_decref(params);
    }
    /* a wiener run needs no dyadic length when σ is known */
    json_t *ok = load("{\"n\": 1001, \"method\": \"wiener\"}");
    void *cfg = parse_ok(ok, NULL);
    model()->free_config(cfg);
    json_decref(ok);
    /* limits */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 1000;
    json_t *params = load("{\"n\": 2048}");
    basin_problems pr = {.count = 0};
    json_t *norm = NULL;
    cfg = NULL;
    ck_assert_int_eq(model()->parse(params, "/params", &small, &pr, NULL, &norm, &cfg),
                     BASIN_ELIMIT);
    ck_assert_str_eq(pr.items[0].pointer, "/params/n");
    json_decref(params);
}
END_TEST

/* Reference: parse(normalised) = normalised (the worker re-parses stored params), the
 * documented defaults, and a schema entry for every parameter. */
START_TEST(normalised_params)
{
    const char *texts[] = {
        "{}",
        "{\"signal\": [1, 2, 3, 4, 5, 6, 7, 8], \"threshold\": \"sure\", \"rule\": \"hard\"}",
        "{\"signal\": \"stationary\", \"n\": 16, \"method\": \"wiener\", \"spectrum\": [1, 2, 3, "
        "4, 5, 6, 7, 8, 9], \"sigma\": 0.3, \"seed\": 2}",
        "{\"signal\": \"bumps\", \"wavelet\": \"haar\", \"levels\": 3, \"threshold\": 0.25}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *params = load(texts[i]), *n1 = NULL, *n2 = NULL;
        void *c1 = parse_ok(params, &n1), *c2 = parse_ok(n1, &n2);
        char *s1 = json_dumps(n1, JSON_SORT_KEYS), *s2 = json_dumps(n2, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(n1, n2), "%s\n%s", s1, s2);
        if (i == 0) {
            json_t *want =
                load("{\"signal\": \"doppler\", \"n\": 1024, \"sigma\": 0.1, \"method\": "
                     "\"wavelet\", \"wavelet\": \"db4\", \"levels\": 7, \"threshold\": "
                     "\"visu\", \"rule\": \"soft\", \"spectrum\": \"estimate\"}");
            json_object_set(want, "seed", json_object_get(n1, "seed"));
            ck_assert_msg(json_equal(n1, want), "defaults: %s", s1);
            json_decref(want);
        }
        if (i == 1)
            ck_assert_str_eq(json_string_value(json_object_get(n1, "sigma")), "mad");
        free(s1);
        free(s2);
        model()->free_config(c1);
        model()->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
    json_t *schema = json_object(), *norm = NULL;
    basin_problems pr = {.count = 0};
    void *cfg = NULL;
    ck_assert_int_eq(
        model()->parse(NULL, "/params", &basin_default_limits, &pr, schema, &norm, &cfg), 0);
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"signal", "n",         "sigma", "method",   "wavelet",
                          "levels", "threshold", "rule",  "spectrum", "seed"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    model()->free_config(cfg);
    json_decref(norm);
    json_decref(schema);
}
END_TEST

/* Reference: same params + seed = bit-identical output; another seed, another noise. */
START_TEST(reproducible)
{
    const char *texts[] = {
        "{\"signal\": \"bumps\", \"n\": 2048, \"threshold\": \"sure\", \"seed\": 9}",
        "{\"signal\": \"stationary\", \"n\": 2000, \"method\": \"wiener\", "
        "\"seed\": 9}",
        "{\"signal\": \"bumps\", \"n\": 2048, \"threshold\": \"sure\", \"seed\": 10}"};
    basin_ctx *r[3];
    for (int i = 0; i < 3; i++)
        r[i] = run_ok(load(texts[i]));
    basin_ctx *again = run_ok(load(texts[0]));
    const run_artifact *a = run_ctx_find_artifact(r[0], "denoised"),
                       *b = run_ctx_find_artifact(again, "denoised"),
                       *c = run_ctx_find_artifact(r[2], "denoised");
    ck_assert(a->nbytes == b->nbytes && memcmp(a->data, b->data, a->nbytes) == 0);
    ck_assert(memcmp(a->data, c->data, a->nbytes) != 0);
    ck_assert(json_equal(r[0]->summary, again->summary));
    basin_ctx *w2 = run_ok(load(texts[1]));
    ck_assert(json_equal(r[1]->summary, w2->summary));
    for (int i = 0; i < 3; i++)
        run_ctx_free(r[i]);
    run_ctx_free(again);
    run_ctx_free(w2);
}
END_TEST

typedef struct job {
    void *cfg;
    basin_ctx *ctx;
    int rc;
    double t_end;
} job;

static void *job_main(void *arg)
{
    job *j = arg;
    j->rc = model()->run(j->cfg, j->ctx);
    j->t_end = now_s();
    return NULL;
}

static void stop_on_progress(void *user, double fraction)
{
    (void)fraction;
    run_ctx_request_stop(user, BASIN_ECANCELLED);
}

/* Reference: model.h's cancellation contract; the run checks between its stages, so a
 * stop raised at the first progress report ends it there, and one raised from another
 * thread during the largest run (n = 2^21) ends it within 0.5 s. */
START_TEST(cancellation)
{
    json_t *params = load("{\"n\": 4096}");
    void *cfg = parse_ok(params, NULL);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    run_ctx_request_stop(ctx, BASIN_ECANCELLED);
    ck_assert_int_eq(model()->run(cfg, ctx), BASIN_ECANCELLED);
    run_ctx_free(ctx);
    ctx = run_ctx_new(&basin_default_limits);
    ctx->on_progress = stop_on_progress;
    ctx->on_progress_user = ctx;
    ck_assert_int_eq(model()->run(cfg, ctx), BASIN_ECANCELLED);
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "denoised"));
    run_ctx_free(ctx);
    model()->free_config(cfg);
    json_decref(params);

    params = load("{\"n\": 2097152, \"threshold\": \"sure\"}");
    job j = {.cfg = parse_ok(params, NULL), .ctx = run_ctx_new(&basin_default_limits)};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, job_main, &j), 0);
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 150 * 1000 * 1000};
    nanosleep(&pause, NULL);
    double t_stop = now_s();
    run_ctx_request_stop(j.ctx, BASIN_ECANCELLED);
    pthread_join(th, NULL);
    ck_assert_msg(j.rc == BASIN_ECANCELLED || j.rc == 0, "rc %d", j.rc);
    ck_assert_msg(j.t_end - t_stop < 0.5, "stopped %.3f s after the request", j.t_end - t_stop);
    printf("cancellation: returned %.1f ms after the request (rc %d)\n", 1e3 * (j.t_end - t_stop),
           j.rc);
    run_ctx_free(j.ctx);
    model()->free_config(j.cfg);
    json_decref(params);
}
END_TEST

static Suite *denoise_suite(void)
{
    Suite *s = suite_create("denoise");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 60);
    tcase_add_test(core, transform_identities);
    tcase_add_test(core, closed_forms);
    tcase_add_test(core, thresholds_and_mad);
    tcase_add_test(core, sure_threshold);
    tcase_add_test(core, wiener_expected_mse);
    tcase_add_test(core, test_signals);
    tcase_add_test(core, test_signal_sine);
    suite_add_tcase(s, core);
    TCase *contract = tcase_create("contract");
    tcase_set_timeout(contract, 60);
    tcase_add_test(contract, model_outputs);
    tcase_add_test(contract, artifacts_taken);
    tcase_add_test(contract, validation);
    tcase_add_test(contract, normalised_params);
    tcase_add_test(contract, reproducible);
    tcase_add_test(contract, cancellation);
    suite_add_tcase(s, contract);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(denoise_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
