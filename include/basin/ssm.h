/*
 * ssm.h — the convolution kernel of a diagonal state-space model, S4D (numerical core of
 * the `ssm` model; Gu, Gupta, Goel & Ré 2022, papers-information-geometry.txt).
 *
 * N complex modes n < N with A_n (Re A_n < 0), B_n, C_n describe the real system of state
 * size 2N (the modes and their conjugates)
 *
 *     x_n'(t) = A_n x_n(t) + B_n u(t),   y(t) = 2 Re Σ_n C_n x_n(t).
 *
 * Zero-order hold with step dt (u constant on [k dt, (k+1) dt)) gives the recurrence
 *
 *     x_{n,k} = z_n x_{n,k−1} + B̄_n u_k,   y_k = 2 Re Σ_n C_n x_{n,k},
 *     z_n = e^{dt A_n},  B̄_n = (e^{dt A_n} − 1)/A_n · B_n,
 *
 * whose impulse response is the kernel (the Vandermonde formula)
 *
 *     K_l = 2 Re Σ_n W_n z_n^l,   W_n = C_n B_n (e^{dt A_n} − 1)/A_n,   l = 0..L−1,
 *
 * and y = K ∗ u (causal, y_k = Σ_{l≤k} K_l u_{k−l}) for an input starting from rest. With
 * a step input, y_k equals the continuous step response at t = (k + 1) dt. The DC gain of
 * the continuous system, H(0) = −2 Re Σ_n C_n B_n/A_n, is also the sum of the whole
 * discrete kernel: Σ_{l≥0} K_l = 2 Re Σ W_n/(1 − z_n) = H(0) (ZOH preserves DC gain),
 * while the finite kernel sums to 2 Re Σ W_n (1 − z_n^L)/(1 − z_n).
 *
 * Initialisations (S4D §4, state size 2N): S4D-Lin A_n = −½ + iπn; S4D-Inv
 * A_n = −½ + i (2N/π)(2N/(2n + 1) − 1).
 *
 * Accuracy. z_n^l is never formed by repeated multiplication on the Vandermonde path:
 * l = b·T + j (T = BASIN_SSM_BLOCK) and z^l = e^{dt A lT}·(W z^j) with both factors from
 * exp/cos/sin, so every term carries a few ulps whatever l; the block sums are one DGEMM.
 * e^{dt A} − 1 is evaluated with expm1 and sin² (no cancellation when |dt A| is small).
 * Magnitudes below 1e-300 are flushed to zero on both paths (no subnormal arithmetic).
 *
 * Ownership: A, B, C and the inputs are the caller's; basin_ssm owns its tables (init/free).
 * No globals.
 */
#ifndef BASIN_SSM_H
#define BASIN_SSM_H

#include "basin/fft.h"

#define BASIN_SSM_BLOCK 64 /* T: powers z^j, j < T, are tabulated */
#define BASIN_SSM_CHUNK 64 /* blocks per DGEMM */

/* A_n for n < N. */
void basin_ssm_init_lin(long N, double *A_re, double *A_im);
void basin_ssm_init_inv(long N, double *A_re, double *A_im);

typedef struct basin_ssm {
    long N;
    double dt;
    double *A_re, *A_im, *B_re, *B_im, *C_re, *C_im; /* owned copies */
    double *z_re, *z_im;                             /* e^{dt A_n} */
    double *Bbar_re, *Bbar_im;                       /* (e^{dt A_n} − 1)/A_n · B_n */
    double *W_re, *W_im;                             /* C_n B̄_n */
    double *M;  /* 2N × T: rows Re(W_n z_n^j), then −Im(W_n z_n^j) */
    double *Qt; /* CHUNK × 2N: Re e^{dt A_n lT}, Im … of the blocks of one DGEMM */
    double *Kt; /* CHUNK × T */
} basin_ssm;

/* Copies the modes and tabulates the discretisation. N ≥ 1, dt > 0, Re A_n < 0, all finite.
 * Returns 0, BASIN_EINVAL, BASIN_ENOMEM; on failure s is freeable. */
int basin_ssm_init(basin_ssm *s, long N, const double *A_re, const double *A_im, const double *B_re,
                   const double *B_im, const double *C_re, const double *C_im, double dt);

/* Frees the tables; accepts NULL and zeroed or failed-init structs. */
void basin_ssm_free(basin_ssm *s);

/* K[l − l0] = K_l for l0 ≤ l < l1 by the Vandermonde formula. */
void basin_ssm_kernel(const basin_ssm *s, long l0, long l1, double *K);

/* The kernel as the impulse response of the recurrence, z^l by repeated multiplication,
 * in chunks: basin_ssm_impulse_start sets state (2N doubles: re then im of x_n) to the
 * state right after the impulse; each basin_ssm_impulse call then writes the next `len`
 * kernel values K[0, len) and advances state. */
void basin_ssm_impulse_start(const basin_ssm *s, double *state);
void basin_ssm_impulse(const basin_ssm *s, long len, double *K, double *state);

/* Runs the recurrence over u[0, len), writing y[0, len). state: 2N doubles (re then im of
 * x_n), zero for a system at rest, updated so that calls can be chained. */
void basin_ssm_scan(const basin_ssm *s, long len, const double *u, double *y, double *state);

/* H(0) = −2 Re Σ C_n B_n / A_n. */
double basin_ssm_dc_gain(const basin_ssm *s);

/* Σ_{l<L} K_l in closed form, 2 Re Σ W_n (1 − z_n^L)/(1 − z_n). */
double basin_ssm_kernel_sum(const basin_ssm *s, long L);

/* y[0, Lu) = (K ∗ u)[0, Lu) by FFT: K (length L) and u (length Lu) zero-padded to f->n ≥
 * L + Lu − 1, so the circular product has no wrap-around. work: f->n + 2 doubles. Returns
 * 0 or BASIN_EINVAL when f is too short. */
int basin_ssm_convolve(const basin_rfft *f, long L, const double *K, long Lu, const double *u,
                       double *y, double *work);

#endif
