/*
 * wavelet.h — orthonormal periodic discrete wavelet transforms and wavelet shrinkage
 * (numerical core of the `denoise` model; Mallat §10–11 in lectures-hebbian-ebm-diffusion.txt,
 * Donoho & Johnstone 1994/1995).
 *
 * Transform. One level maps a periodic sequence x of even length N to N/2 approximation
 * and N/2 detail coefficients with the filters h (low pass) and g (high pass) of length F:
 *
 *     a_k = Σ_{j<F} h_j x_{(2k + F/2 − j) mod N},   d_k = Σ_{j<F} g_j x_{(2k + F/2 − j) mod N},
 *
 * g_j = (−1)^{j+1} h_{F−1−j}. The map is orthogonal (periodization: no boundary
 * extension, no extra coefficients), so its inverse is its transpose, and Parseval
 * ‖x‖² = ‖a‖² + ‖d‖² holds to rounding. J levels recurse on the approximation. The
 * filters, the alignment F/2 and the signs are those of PyWavelets: the coefficients are
 * exactly pywt.wavedec(x, w, mode="periodization", level=J) (h = dec_lo, g = dec_hi).
 *
 * Layout. A length-n signal (n divisible by 2^J) has n coefficients c, stored in
 * pywt.wavedec's order [a_J, d_J, d_{J−1}, …, d_1]: the approximation a_J at c[0, n/2^J)
 * and the detail d_j of level j (j = 1 finest) at c[n/2^j, n/2^{j−1}).
 *
 * Shrinkage. σ̂ = median|d_1| / 0.6745 (the finest details' MAD estimate of the noise);
 * VisuShrink τ = σ̂ √(2 ln n); SureShrink chooses per level the threshold minimising
 * Stein's unbiased risk estimate of soft thresholding, with Donoho & Johnstone's hybrid
 * rule for sparse levels (as WaveLab's HybridThresh / ValSUREThresh). Rules: soft
 * η(x) = sign(x)(|x| − τ)₊, hard η(x) = x·[|x| > τ].
 *
 * Ownership: arrays are the caller's; workspaces are caller-provided scratch of the stated
 * length. No globals, no allocation.
 */
#ifndef BASIN_WAVELET_H
#define BASIN_WAVELET_H

typedef enum basin_wavelet_kind {
    BASIN_WAVELET_HAAR = 0, /* F = 2 */
    BASIN_WAVELET_DB4,      /* Daubechies, 4 vanishing moments, F = 8 */
} basin_wavelet_kind;

typedef struct basin_wavelet {
    const char *name; /* "haar", "db4" */
    int F;            /* filter length */
    const double *h;  /* low-pass decomposition filter (pywt dec_lo), F taps */
    const double *g;  /* high-pass decomposition filter (pywt dec_hi), F taps */
} basin_wavelet;

/* The wavelet of `kind` (a static table entry; never NULL for a valid kind). */
const basin_wavelet *basin_wavelet_get(basin_wavelet_kind kind);

/* pywt.dwt_max_level(n, F): ⌊log2(n/(F − 1))⌋, at least 0; for n < F − 1 it is 0. */
int basin_wavelet_max_level(long n, const basin_wavelet *w);

/* The number of times 2 divides n (n ≥ 1): J levels need J ≤ this. */
int basin_wavelet_dyadic_levels(long n);

/* Forward transform of x[0, n) into c[0, n) (layout above), J ≥ 0 levels, n divisible by
 * 2^J (J = 0 copies). work: n doubles. x and c must not overlap. */
void basin_dwt(const basin_wavelet *w, long n, int J, const double *x, double *c, double *work);

/* Inverse transform of c[0, n) into x[0, n); same conditions, except that J ≤ 1 level
 * uses no work (it may then be NULL). */
void basin_idwt(const basin_wavelet *w, long n, int J, const double *c, double *x, double *work);

/* ---- shrinkage ----------------------------------------------------------------------- */

typedef enum basin_threshold_rule {
    BASIN_THRESHOLD_SOFT = 0,
    BASIN_THRESHOLD_HARD,
} basin_threshold_rule;

/* Applies the rule with threshold tau ≥ 0 to d[0, m) in place; returns the number of
 * nonzero results. Soft: the exact zero when |x| ≤ tau; hard: keeps x when |x| > tau
 * (pywt.threshold's conventions, including |x| == tau → 0). */
long basin_threshold(long m, double *d, double tau, basin_threshold_rule rule);

/* Extra scratch of the median's sampling selection. */
#define BASIN_MAD_EXTRA 4096

/* The median of |d_i|, i < m (m ≥ 1; the mean of the two middle values when m is even,
 * as numpy.median), divided by 0.6745; exact (a sampling selection with an exact
 * fallback). work: 2m + BASIN_MAD_EXTRA doubles. */
double basin_mad_sigma(long m, const double *d, double *work);

/* VisuShrink's universal threshold σ √(2 ln n) (n ≥ 1). */
double basin_visu_threshold(double sigma, long n);

/* SureShrink threshold for one level d[0, m), m ≥ 1, noise σ > 0 (in d's units):
 * with x = d/σ, η = (‖x‖² − m)/m and γ = (log2 m)^{3/2}/√m, the universal
 * t_U = √(2 ln m) when η < γ (a sparse level), else min(t_S, t_U) with t_S = |x_(k)|
 * minimising over k = 1..m the risk SURE(|x_(k)|) = m − 2k + Σ_{i≤k} x_(i)² +
 * (m − k) x_(k)² (|x_(1)| ≤ … ≤ |x_(m)|; the first minimiser). Returns σ·t.
 * work: 2m doubles. */
double basin_sure_threshold(long m, const double *d, double sigma, double *work);

/* Sorts a[0, m) of non-negative finite doubles ascending in place: an LSD radix sort on
 * the IEEE bit patterns (monotone for non-negative doubles), O(m), no worst case.
 * work: m doubles. */
void basin_sort_nonnegative(long m, double *a, double *work);

#endif
