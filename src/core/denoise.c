/*
 * denoise.c — test signals, the Fourier-basis Wiener filter and wavelet shrinkage (see
 * basin/denoise.h). The FFTW transforms are unnormalised (basin/fft.h): a unitary
 * coefficient is X_k/√n, and inverse(forward(x)) = n·x.
 */
#include "basin/denoise.h"

#include <math.h>
#include <string.h>

/* WaveLab MakeSignal's positions, heights and widths (Donoho & Johnstone 1994, Table 1). */
static const double dj_pos[11] = {.1, .13, .15, .23, .25, .40, .44, .65, .76, .78, .81};
static const double blocks_h[11] = {4, -5, 3, -4, 5, -4.2, 2.1, 4.3, -3.1, 2.1, -4.2};
static const double bumps_h[11] = {4, 5, 3, 4, 5, 4.2, 2.1, 4.3, 3.1, 5.1, 4.2};
static const double bumps_w[11] = {.005, .005, .006, .01, .01, .03, .01, .01, .005, .008, .005};

static double sign0(double x)
{
    return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;
}

void basin_test_signal_fill(basin_test_signal kind, long n, long i0, long i1, double *x)
{
    for (long i = i0; i < i1; i++) {
        const double t = (double)(i + 1) / (double)n;
        double f = 0.0;
        switch (kind) {
        case BASIN_SIGNAL_BLOCKS:
            for (int j = 0; j < 11; j++)
                f += blocks_h[j] * (1.0 + sign0(t - dj_pos[j])) / 2.0;
            break;
        case BASIN_SIGNAL_BUMPS:
            for (int j = 0; j < 11; j++) {
                double u = 1.0 + fabs((t - dj_pos[j]) / bumps_w[j]);
                double u2 = u * u;
                f += bumps_h[j] / (u2 * u2);
            }
            break;
        case BASIN_SIGNAL_HEAVISINE:
            f = 4.0 * sin(4.0 * M_PI * t) - sign0(t - 0.3) - sign0(0.72 - t);
            break;
        case BASIN_SIGNAL_DOPPLER:
            f = sqrt(t * (1.0 - t)) * sin(2.0 * M_PI * 1.05 / (t + 0.05));
            break;
        }
        x[i] = f;
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
