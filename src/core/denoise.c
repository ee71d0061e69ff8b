/*
 * denoise.c — test signals, the Fourier-basis Wiener filter and wavelet shrinkage (see
 * basin/denoise.h). The FFTW transforms are unnormalised (basin/fft.h): a unitary
 * coefficient is X_k/√n, and inverse(forward(x)) = n·x.
 */
#include "basin/denoise.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* WaveLab MakeSignal's positions, heights and widths (Donoho & Johnstone 1994, Table 1). */
static const double dj_pos[11] = {.1, .13, .15, .23, .25, .40, .44, .65, .76, .78, .81};
static const double blocks_h[11] = {4, -5, 3, -4, 5, -4.2, 2.1, 4.3, -3.1, 2.1, -4.2};
static const double bumps_h[11] = {4, 5, 3, 4, 5, 4.2, 2.1, 4.3, 3.1, 5.1, 4.2};
static const double bumps_w[11] = {.005, .005, .006, .01, .01, .03, .01, .01, .005, .008, .005};

/* sign(x) with sign(0) = 0, without branches (the loops over it vectorise) */
static inline double sign0(double x)
{
    return (double)(x > 0.0) - (double)(x < 0.0);
}

/* sin x for 0 ≤ |x| < 2^20 without branches, so that the loops over it vectorise (the
 * test signals' arguments stay below 140). x = kπ/2 + (r0 + r1) by fdlibm's two-step
 * Cody–Waite reduction (π/2 in parts of 33, 33 and 53 bits: k·part is exact for
 * |k| < 2^20, and the ~119 bits carried cover the worst cancellation of doubles this
 * small), then the fdlibm/FreeBSD kernels __kernel_sin and __kernel_cos on
 * |r| ≤ π/4 (errors under 1 ulp; libm's sin is correctly rounded, so the two may differ
 * in the last bit). k is rounded by the 1.5·2^52 shift, whose low bits give k mod 4.
 * Plain IEEE operations only (no fma: the C11 build does not contract), so every SIMD
 * width gives the same bits. */
static inline double sin_small(double x)
{
    static const double invpio2 = 6.36619772367581382433e-01, /* 2/π */
        pio2_1 = 1.57079632673412561417e+00,                  /* first 33 bits of π/2 */
        pio2_2 = 6.07710050630396597660e-11,                  /* next 33 bits */
        pio2_2t = 2.02226624879595063154e-21,                 /* π/2 − pio2_1 − pio2_2 */
        shift = 0x1.8p52;
    static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                        S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                        S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                        C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                        C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    const double kf_shifted = x * invpio2 + shift;
    uint64_t kbits;
    memcpy(&kbits, &kf_shifted, sizeof kbits);
    const double k = kf_shifted - shift;
    /* r0 + r1 = x − kπ/2 */
    const double t = x - k * pio2_1; /* exact */
    double w = k * pio2_2;
    const double r = t - w;
    w = k * pio2_2t - ((t - r) - w);
    const double r0 = r - w, r1 = (r - r0) - w;
    /* the kernels: sin(r0 + r1) and cos(r0 + r1) */
    const double z = r0 * r0, z2 = z * z, v = z * r0;
    const double ps = S2 + z * (S3 + z * S4) + z * z2 * (S5 + z * S6);
    const double sn = r0 - ((z * (0.5 * r1 - v * ps) - r1) - v * S1);
    const double pc = z * (C1 + z * (C2 + z * C3)) + z2 * z2 * (C4 + z * (C5 + z * C6));
    const double hz = 0.5 * z, wc = 1.0 - hz;
    const double cs = wc + (((1.0 - wc) - hz) + (z * pc - r0 * r1));
    /* sin(kπ/2 + r) = sin r, cos r, −sin r, −cos r for k mod 4 = 0, 1, 2, 3 */
    const double f = (kbits & 1) ? cs : sn;
    return (kbits & 2) ? -f : f;
}

/* The loops below are cloned for AVX-512 and AVX2 where the compiler supports it; the
 * clones compute the same operations (no contraction), so they give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BASIN_CLONES
#endif

BASIN_CLONES static void fill_doppler(long n, long i0, long i1, double *restrict x)
{
    for (long i = i0; i < i1; i++) {
        const double t = (double)(i + 1) / (double)n;
        x[i] = sqrt(t * (1.0 - t)) * sin_small(2.0 * M_PI * 1.05 / (t + 0.05));
    }
}

BASIN_CLONES static void fill_heavisine(long n, long i0, long i1, double *restrict x)
{
    for (long i = i0; i < i1; i++) {
        const double t = (double)(i + 1) / (double)n;
        x[i] = 4.0 * sin_small(4.0 * M_PI * t) - sign0(t - 0.3) - sign0(0.72 - t);
    }
}

BASIN_CLONES static void fill_bumps(long n, long i0, long i1, double *restrict x)
{
    for (long i = i0; i < i1; i++) {
        const double t = (double)(i + 1) / (double)n;
        double f = 0.0;
        for (int j = 0; j < 11; j++) {
            double u = 1.0 + fabs((t - dj_pos[j]) / bumps_w[j]);
            double u2 = u * u;
            f += bumps_h[j] / (u2 * u2);
        }
        x[i] = f;
    }
}

BASIN_CLONES static void fill_blocks(long n, long i0, long i1, double *restrict x)
{
    for (long i = i0; i < i1; i++) {
        const double t = (double)(i + 1) / (double)n;
        double f = 0.0;
        for (int j = 0; j < 11; j++)
            f += blocks_h[j] * (1.0 + sign0(t - dj_pos[j])) / 2.0;
        x[i] = f;
    }
}

void basin_test_signal_fill(basin_test_signal kind, long n, long i0, long i1, double *x)
{
    switch (kind) {
    case BASIN_SIGNAL_BLOCKS:
        fill_blocks(n, i0, i1, x);
        break;
    case BASIN_SIGNAL_BUMPS:
        fill_bumps(n, i0, i1, x);
        break;
    case BASIN_SIGNAL_HEAVISINE:
        fill_heavisine(n, i0, i1, x);
        break;
    case BASIN_SIGNAL_DOPPLER:
        fill_doppler(n, i0, i1, x);
        break;
    }
}

void basin_power_spectrum(const basin_rfft *f, const double *x, double *P)
{
    const long n = f->n;
    memcpy(f->x, x, (size_t)n * sizeof *x);
    basin_rfft_forward(f);
    for (long k = 0; k <= n / 2; k++)
        P[k] = (f->X[k][0] * f->X[k][0] + f->X[k][1] * f->X[k][1]) / (double)n;
}

void basin_spectrum_estimate(const basin_rfft *f, const double *y, double sigma, double *P)
{
    basin_power_spectrum(f, y, P);
    /* E|ŷ_k|² = P_k + σ² for y = x + z: subtract the noise floor, clip at 0 */
    for (long k = 0; k <= f->n / 2; k++)
        P[k] = fmax(P[k] - sigma * sigma, 0.0);
}

void basin_spectrum_lorentzian(long n, double fc, double *P)
{
    double total = 0.0; /* Σ_{k<n} of the unscaled spectrum */
    for (long k = 0; k <= n / 2; k++) {
        double nu = (double)k / (double)n / fc;
        P[k] = 1.0 / (1.0 + nu * nu);
        total += (k == 0 || 2 * k == n) ? P[k] : 2.0 * P[k];
    }
    const double scale = (double)n / total;
    for (long k = 0; k <= n / 2; k++)
        P[k] *= scale;
}

void basin_stationary_signal(const basin_rfft *f, const double *P, basin_rng *rng, double *x)
{
    const long n = f->n;
    basin_rng_normals(rng, f->x, n);
    basin_rfft_forward(f);
    /* X_k ← √P_k W_k; x = inverse/n: then x̂_k = √P_k ŵ_k with E|ŵ_k|² = 1 */
    for (long k = 0; k <= n / 2; k++) {
        double s = sqrt(P[k]) / (double)n;
        f->X[k][0] *= s;
        f->X[k][1] *= s;
    }
    basin_rfft_inverse(f);
    memcpy(x, f->x, (size_t)n * sizeof *x);
}

long basin_wiener_filter(const basin_rfft *f, const double *y, const double *P, double sigma,
                         double *xhat)
{
    const long n = f->n;
    const double s2 = sigma * sigma;
    memcpy(f->x, y, (size_t)n * sizeof *y);
    basin_rfft_forward(f);
    long kept = 0;
    /* x̂_k = h_k ŷ_k, h_k = P_k/(P_k + σ²) (lectures eq. 10.1–10.2) */
    for (long k = 0; k <= n / 2; k++) {
        double d = P[k] + s2;
        double h = d > 0.0 ? P[k] / d : 0.0;
        if (h > 0.0)
            kept += (k == 0 || 2 * k == n) ? 1 : 2;
        f->X[k][0] *= h / (double)n;
        f->X[k][1] *= h / (double)n;
    }
    basin_rfft_inverse(f);
    memcpy(xhat, f->x, (size_t)n * sizeof *xhat);
    return kept;
}

double basin_wiener_expected_mse(long n, const double *P, double sigma)
{
    const double s2 = sigma * sigma;
    double sum = 0.0;
    for (long k = 0; k <= n / 2; k++) {
        double d = P[k] + s2;
        double e = d > 0.0 ? s2 * P[k] / d : 0.0;
        sum += (k == 0 || 2 * k == n) ? e : 2.0 * e;
    }
    return sum / (double)n;
}

long basin_wavelet_shrink(long n, int J, double *c, basin_shrink_threshold kind, double fixed,
                          basin_threshold_rule rule, double *tau, double *sigma_hat, double *work)
{
    /* σ̂ from the finest details d_1 = c[n/2, n) */
    const double sigma = basin_mad_sigma(n / 2, c + n / 2, work);
    long kept = n >> J; /* the approximation is kept */
    for (int j = 1; j <= J; j++) {
        long m = n >> j;
        double *d = c + m;
        double t;
        if (kind == BASIN_SHRINK_VISU)
            t = basin_visu_threshold(sigma, n);
        else if (kind == BASIN_SHRINK_FIXED)
            t = fixed;
        else
            t = sigma > 0.0 ? basin_sure_threshold(m, d, sigma, work) : 0.0;
        tau[j - 1] = t;
        kept += basin_threshold(m, d, t, rule);
    }
    *sigma_hat = sigma;
    return kept;
}
