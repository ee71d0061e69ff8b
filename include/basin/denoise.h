/*
 * denoise.h — optimal linear and wavelet denoising (numerical core of the `denoise` model;
 * Mallat §10, lectures-hebbian-ebm-diffusion.txt; Donoho & Johnstone 1994, 1995).
 *
 * Observation y = x + z, z ~ N(0, σ² I), x ∈ R^n.
 *
 * Fourier conventions: the unitary DFT x̂_k = n^{−1/2} Σ_t x_t e^{−2πi kt/n}; a stationary
 * (circulant) prior C has eigenvectors the Fourier atoms and eigenvalues the power
 * spectrum P_k = E|x̂_k|², with P_{n−k} = P_k for a real signal, so spectra are passed
 * one-sided, k = 0..⌊n/2⌋. Parseval: (1/n) Σ_{k<n} P_k = (1/n) E‖x‖².
 *
 * Wiener filter (lectures Theorem 4, eq. 10.1–10.2): H = (C + σ²I)⁻¹C is diagonal in the
 * Fourier basis with gains h_k = P_k/(P_k + σ²) ∈ [0, 1] (h_k = 0 when P_k + σ² = 0),
 * and its expected error per sample is
 *
 *     E‖Hy − x‖²/n = (1/n) tr(σ²C(C + σ²I)⁻¹) = (1/n) Σ_{k<n} σ²P_k/(P_k + σ²).
 *
 * With the oracle spectrum P_k = |x̂_k|² of a known x this is the ideal linear error of
 * eq. 10.9.
 *
 * Wavelet shrinkage: y is transformed by an orthonormal periodic DWT (basin/wavelet.h),
 * its detail coefficients are thresholded, the approximation is kept, and the result is
 * transformed back.
 *
 * Ownership: arrays are the caller's; Fourier routines borrow a caller-owned basin_rfft
 * of length n (basin/fft.h) and overwrite its buffers. No globals.
 */
#ifndef BASIN_DENOISE_H
#define BASIN_DENOISE_H

#include "basin/fft.h"
#include "basin/rng.h"
#include "basin/wavelet.h"

/* ---- test signals --------------------------------------------------------------------- */

typedef enum basin_test_signal {
    BASIN_SIGNAL_BLOCKS = 0,
    BASIN_SIGNAL_BUMPS,
    BASIN_SIGNAL_HEAVISINE,
    BASIN_SIGNAL_DOPPLER,
} basin_test_signal;

/* Writes x[i] for i0 ≤ i < i1 of the Donoho–Johnstone test signal `kind` of length n at
 * t_i = (i + 1)/n (n ≥ 1; x is the whole array, so a signal can be written in parts), with
 * WaveLab's MakeSignal amplitudes (no rescaling), sign(0) = 0 — the same values as
 * pywt.data.demo_signal(name, n) wherever its t grid is exact (n a power of two):
 *   blocks     Σ_j h_j (1 + sign(t − t_j))/2
 *   bumps      Σ_j h_j / (1 + |(t − t_j)/w_j|)⁴
 *   heavisine  4 sin(4πt) − sign(t − 0.3) − sign(0.72 − t)
 *   doppler    √(t(1 − t)) sin(2π·1.05/(t + 0.05)) */
void basin_test_signal_fill(basin_test_signal kind, long n, long i0, long i1, double *x);

/* ---- Fourier-domain (stationary) tools ------------------------------------------------ */

/* P_k = |x̂_k|², k = 0..n/2 (unitary DFT) of x[0, n), with f of length n. */
void basin_power_spectrum(const basin_rfft *f, const double *x, double *P);

/* The spectral-subtraction estimate P̂_k = max(|ŷ_k|² − σ², 0), k = 0..n/2. */
void basin_spectrum_estimate(const basin_rfft *f, const double *y, double sigma, double *P);

/* A Lorentzian (first-order Markov-like) spectrum P_k ∝ 1/(1 + (ν_k/fc)²),
 * ν_k = min(k, n − k)/n, fc > 0 in cycles per sample, scaled to unit variance
 * ((1/n) Σ_{k<n} P_k = 1). Writes k = 0..n/2. */
void basin_spectrum_lorentzian(long n, double fc, double *P);

/* Draws x ~ N(0, C) for the circulant C of spectrum P: x = F⁻¹(√P_k · F(w)) with w the
 * next n standard normals of rng (unitary F). f has length n. */
void basin_stationary_signal(const basin_rfft *f, const double *P, basin_rng *rng, double *x);

/* The Wiener estimate xhat = Hy with gains h_k = P_k/(P_k + σ²); returns the number of
 * Fourier coefficients k < n (both halves of the spectrum) with h_k > 0. y and xhat may be
 * the same array. */
long basin_wiener_filter(const basin_rfft *f, const double *y, const double *P, double sigma,
                         double *xhat);

/* (1/n) Σ_{k<n} σ²P_k/(P_k + σ²): the Wiener filter's expected squared error per sample
 * when x has spectrum P (P one-sided, k = 0..n/2). */
double basin_wiener_expected_mse(long n, const double *P, double sigma);

/* ---- wavelet shrinkage ----------------------------------------------------------------- */

typedef enum basin_shrink_threshold {
    BASIN_SHRINK_VISU = 0, /* τ = σ̂ √(2 ln n) on every detail level */
    BASIN_SHRINK_SURE,     /* SureShrink, one threshold per level */
    BASIN_SHRINK_FIXED,    /* a given τ on every detail level */
} basin_shrink_threshold;

/* Thresholds the detail coefficients of c[0, n) (wavedec layout, J ≥ 1 levels, n divisible
 * by 2^J) in place, leaving the approximation. σ̂ = basin_mad_sigma of d_1. `fixed` is the
 * threshold of BASIN_SHRINK_FIXED (ignored otherwise). Writes *sigma_hat, tau[j − 1] the
 * threshold of level j (j = 1..J), and returns the number of nonzero coefficients
 * afterwards, the approximation included. work: n + BASIN_MAD_EXTRA doubles. */
long basin_wavelet_shrink(long n, int J, double *c, basin_shrink_threshold kind, double fixed,
                          basin_threshold_rule rule, double *tau, double *sigma_hat, double *work);

#endif
