/*
 * diffusion.h — score-based generative diffusion with an exact score (numerical core).
 *
 * Data law: a Gaussian mixture p_0 = Σ_k w_k N(μ_k, Σ_k) in d dimensions. Forward process:
 * the Ornstein–Uhlenbeck SDE dx = −x dt + √2 dW (lectures, Mézard eq. 17.1), whose solution
 * x_t = e^{−t} x_0 + √(1 − e^{−2t}) z keeps the mixture form:
 *
 *     p_t = Σ_k w_k N(m_k(t), C_k(t)),   m_k(t) = e^{−t} μ_k,
 *                                         C_k(t) = e^{−2t} Σ_k + (1 − e^{−2t}) I,
 *     ∇ log p_t(x) = −Σ_k r_k(x) C_k(t)⁻¹ (x − m_k(t)),   r_k ∝ w_k N(x; m_k(t), C_k(t)).
 *
 * C_k(t) shares its eigenvectors with Σ_k = V diag(λ) Vᵀ (eigenvalues e^{−2t}λ_j + 1 −
 * e^{−2t}), so each time costs one d×d product per component, no factorisation.
 *
 * Reverse samplers, from t_end down to 0 on a time grid t_0 = t_end > t_1 > ... > t_N = 0,
 * starting from x ~ N(0, I) (the forward process's stationary law; p_{t_end} differs from it
 * by O(e^{−t_end})) or from p_{t_end} itself:
 *   sde   reverse-time SDE dx = [−x − 2∇log p_t(x)] dt + √2 dW̄ (Mézard: F = x + 2∇log p),
 *         Euler–Maruyama: x ← x + h (x + 2 s_t(x)) + √(2h) ξ, h = t_i − t_{i+1};
 *   ode   probability flow dx/dt = −x − s_t(x) (Song et al. 2021), Heun's method (explicit
 *         trapezoid): v = −x − s_t(x), x̃ = x − h v, x ← x − (h/2)(v + ṽ(x̃, t_{i+1})).
 * For Gaussian data N(μ, Σ) the probability flow is linear and moves each point along its
 * characteristic: C(t)^{−1/2}(x − m(t)) is invariant (d/dt of it vanishes because
 * dC/dt = 2(I − C) commutes with C), which the tests use.
 *
 * Tweedie's formula (lectures eq. 9.16): for y = x + σ z, z ~ N(0, I),
 *     E[x | y] = y + σ² ∇ log p_σ(y),   p_σ = Σ_k w_k N(μ_k, Σ_k + σ² I);
 * for one Gaussian component it is the Wiener filter μ + Σ (Σ + σ² I)⁻¹ (y − μ) (eq. 9.24).
 *
 * Ownership: basin_diffusion owns copies of the mixture and its eigen-decompositions and a
 * per-time workspace; sample arrays are the caller's (particle-major, x[i*d + a]). Random
 * streams: blocks of BASIN_DIFFUSION_BLOCK samples, block b drawing from basin_normal_gen
 * stream b of the seed, so results do not depend on how the work is split. No globals.
 */
#ifndef BASIN_DIFFUSION_H
#define BASIN_DIFFUSION_H

#include <stdbool.h>
#include <stdint.h>

#include "basin/rng.h"

#define BASIN_DIFFUSION_MAX_DIM        16
#define BASIN_DIFFUSION_MAX_COMPONENTS 16
#define BASIN_DIFFUSION_BLOCK          256 /* samples per random-stream block */

typedef enum basin_diffusion_sampler {
    BASIN_DIFFUSION_SDE = 0, /* reverse SDE, Euler–Maruyama */
    BASIN_DIFFUSION_ODE,     /* probability-flow ODE, Heun */
} basin_diffusion_sampler;

typedef enum basin_diffusion_grid {
    BASIN_DIFFUSION_UNIFORM = 0, /* t_i = t_end (1 − i/N) */
    BASIN_DIFFUSION_GEOMETRIC,   /* t_i = t_end (t_min/t_end)^{i/(N−1)}, i < N; t_N = 0 */
} basin_diffusion_grid;

typedef struct basin_diffusion {
    int d, K;
    double *w;   /* owned: weights, K */
    double *mu;  /* owned: means, K·d */
    double *cov; /* owned: covariances, K·d·d */
    double *lam; /* owned: eigenvalues of Σ_k, K·d (ascending) */
    double *V;   /* owned: eigenvectors of Σ_k in columns, K·d·d (row-major) */
    /* the law prepared by basin_diffusion_prepare: Σ_k w_k N(s μ_k, a Σ_k + b I) */
    double *m;    /* owned: K·d means */
    double *prec; /* owned: K·d·d precisions */
    double *logc; /* owned: K, ln w_k − ½ ln det(2π C_k) */
} basin_diffusion;

/* Copies the mixture (K ∈ [1, 16] components in d ∈ [1, 16] dimensions; weights > 0 summing
 * to 1 within 1e-9; covariances symmetric positive definite, symmetrised) and decomposes
 * each covariance (LAPACK dsyev). Returns 0, BASIN_EINVAL (a bad input; *bad = the component,
 * or −1), or BASIN_ENOMEM; s is freeable in every case. */
int basin_diffusion_init(basin_diffusion *s, int d, int K, const double *w, const double *mean,
                         const double *cov, int *bad);

/* Frees; accepts NULL and zeroed or failed-init structs. */
void basin_diffusion_free(basin_diffusion *s);

/* Prepares the law Σ_k w_k N(sm·μ_k, a·Σ_k + b·I) (a, b ≥ 0, a + b > 0) for the score and
 * density calls below: the OU law at time t is sm = e^{−t}, a = e^{−2t}, b = 1 − e^{−2t};
 * Tweedie's p_σ is sm = 1, a = 1, b = σ². */
void basin_diffusion_prepare(basin_diffusion *s, double sm, double a, double b);
void basin_diffusion_prepare_time(basin_diffusion *s, double t);

/* For the prepared law, at x[0..d): returns ln p(x); writes the score ∇ ln p(x) to score
 * (may be NULL) and the responsibilities r_k(x) to resp (may be NULL). */
double basin_diffusion_score(const basin_diffusion *s, const double *x, double *score,
                             double *resp);

/* The time grid t[0..N] (N ≥ 1; 0 < t_min < t_end for the geometric grid). */
void basin_diffusion_time_grid(basin_diffusion_grid grid, double t_end, double t_min, long N,
                               double *t);

/* Draws M points of the prepared law (components by uniforms, then N(m_k, C_k) via the
 * eigen-decomposition) into x, block b of BASIN_DIFFUSION_BLOCK points from gens[b]. */
void basin_diffusion_draw(const basin_diffusion *s, double sm, double a, double b, double *x,
                          long M, basin_normal_gen *gens);

/* Called between steps; returning true stops basin_diffusion_sample(). */
typedef bool (*basin_diffusion_poll)(void *user, long step);

/* Integrates the M points x (at t[0]) down the grid t[0..N] with the sampler, prepares s at
 * every grid time (so s is left prepared at t_N), normals of block b from gens[b]. `poll`
 * may be NULL and is asked after every step. Returns 0, BASIN_ECANCELLED, or
 * BASIN_EDIVERGED (a non-finite coordinate; *bad_step the grid step). */
int basin_diffusion_sample(basin_diffusion *s, basin_diffusion_sampler sampler, const double *t,
                           long N, double *x, long M, basin_normal_gen *gens,
                           basin_diffusion_poll poll, void *user, long *bad_step);

/* Tweedie's denoiser x̂ = y + σ² ∇ ln p_σ(y) for M points y (prepares s for p_σ). */
void basin_diffusion_tweedie(basin_diffusion *s, double sigma, const double *y, long M,
                             double *xhat);

/* The data law's mean (d) and covariance (d·d): Σ w μ and Σ w (Σ + μμᵀ) − mean meanᵀ. */
void basin_diffusion_moments(const basin_diffusion *s, double *mean, double *cov);

#endif
