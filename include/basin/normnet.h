/*
 * normnet.h — a divisive-normalisation network with Hebbian plasticity (numerical core).
 *
 * The network of normalization-network-question.txt, exactly as written: n neurons, a
 * stimulus (c, θ) with c, θ ∈ R^k, weights W (n×n), and
 *
 *     r   = g(Σ_j c_j f(θ_j) + b),  g(x) = max(x, 0)²            (r ∈ R^n, elementwise)
 *     R   = r ⊘ (σ² 1 + W r / n)                                 (elementwise division)
 *     ΔW  = W_{t+1} − W_t = α (R_tᵀ R_t − C) + β (W_t − C)
 *     W₀  = 1 (all ones),  C = R₀ᵀ R₀ (R₀ from the first stimulus and W₀),
 *
 * with the tuning curves f_i(θ) = c₀ + (1 − c₀) exp(κ (cos(θ − φ_i) − 1)), φ_i = 2π i/n,
 * which take values in [c₀, 1] (the question's f ∈ [c₀, 1]^{nk}; neuron i's response to
 * component j is f_i(θ_j)). R_tᵀR_t is the outer product of the row vector R_t with itself.
 *
 * What the model predicts about stability. For one (constant) stimulus r is fixed, and
 * W enters R only through u = W r. Hence:
 *   (i)   u obeys a closed n-dimensional map,
 *           u_{t+1} = (1 + β) u_t − (α + β) C r + α R(u_t) (R(u_t)·r),  R(u) = r ⊘ (σ² + u/n);
 *   (ii)  every direction δW with δW r = 0 leaves R unchanged, so the difference of two
 *         trajectories whose weights differ by such a δW is multiplied by exactly 1 + β
 *         per step: δW_t = (1 + β)^t δW₀. For β > 0 these directions grow — the network is
 *         unstable for every α, b, σ and stimulus; at β = 0 they persist (marginal);
 *         for −2 < β < 0 they decay; β ≤ −2 makes them oscillate without decaying;
 *   (iii) a stable fixed point therefore needs −2 < β < 0 and a stable fixed point u* of
 *         (i); it is W* = C − (α/β)(R*ᵀR* − C), R* = R(u*);
 *   (iv)  the first step is W₁ = 1 + β (1 − C) for any stimuli (R₀ᵀR₀ = C by definition),
 *         so with β = 0 and one stimulus W ≡ 1 for ever (a fixed point for every α);
 *   (v)   the map is defined only while σ² + (W r)_i/n > 0 for every i; a weight matrix
 *         driving a denominator to zero or below is a divergence.
 * W stays exactly symmetric: W₀, C and R_tᵀR_t are symmetric, and the update is applied
 * elementwise (R_i R_j = R_j R_i in floating point).
 *
 * Ownership (GSL style): the caller owns the basin_normnet struct; init allocates W, C, the
 * previous W and the vectors; free releases them. No globals, no random numbers (the
 * caller supplies every stimulus).
 */
#ifndef BASIN_NORMNET_H
#define BASIN_NORMNET_H

#include <stdbool.h>

#define BASIN_NORMNET_N_MAX 2048
#define BASIN_NORMNET_K_MAX 64

typedef struct basin_normnet_config {
    long n;       /* neurons, 1..BASIN_NORMNET_N_MAX */
    long k;       /* stimulus components, 1..BASIN_NORMNET_K_MAX */
    double alpha; /* Hebbian rate */
    double beta;  /* decay towards C (β < 0) or away from it (β > 0) */
    double b;     /* baseline input */
    double sigma; /* normalisation constant σ ≥ 0 */
    double c0;    /* tuning-curve floor, in [0, 1] */
    double kappa; /* tuning-curve concentration κ ≥ 0 */
} basin_normnet_config;

/* Norms of one update t (computed from W_t), all Frobenius:
 *   dw       ‖ΔW_t‖ = ‖W_{t+1} − W_t‖
 *   w_c      ‖W_t − C‖
 *   rr_c     ‖R_tᵀR_t − C‖
 *   cycle    ‖W_{t+1} − W_{t−1}‖ = ‖ΔW_t + ΔW_{t−1}‖ (a 2-cycle makes it vanish while dw
 *            does not; at t = 0 it equals dw)
 *   w        ‖W_{t+1}‖
 *   den_min  min_i (σ² + (W_t r_t)_i / n) */
typedef struct basin_normnet_norms {
    double dw, w_c, rr_c, cycle, w, den_min;
} basin_normnet_norms;

typedef struct basin_normnet {
    basin_normnet_config cfg; /* copied */
    long step;                /* updates applied: W holds W_step */
    double *W;                /* owned: n×n row-major, W_step */
    double *C;                /* owned: n×n, R₀ᵀR₀ */
    double *r, *R;            /* owned: n, the last stimulus's r and R */
    /* private */
    double *W_prev; /* W_{step−1} (W₀ at step 0) */
    double *u;      /* W r */
} basin_normnet;

/* Tuning curve of neuron i at angle theta. */
double basin_normnet_tuning(const basin_normnet_config *cfg, long i, double theta);

/* r = g(Σ_j c_j f(θ_j) + b) for stimulus (c[0..k), theta[0..k)) into r[0..n). */
void basin_normnet_response(const basin_normnet_config *cfg, const double *c, const double *theta,
                            double *r);

/* Allocates the workspace for cfg (copied), sets W = W0 (n×n, copied; NULL: all ones) and
 * C = R₀ᵀR₀ with R₀ from stimulus (c, theta) and that W. Returns 0; BASIN_EINVAL for sizes
 * out of range or non-finite parameters; BASIN_ENOMEM; BASIN_EDIVERGED when a denominator
 * σ² + (W₀ r₀)_i/n is ≤ 0. On failure s is left freeable. */
int basin_normnet_init(basin_normnet *s, const basin_normnet_config *cfg, const double *W0,
                       const double *c, const double *theta);

/* Releases the workspace; accepts NULL and a zeroed or failed-init struct. */
void basin_normnet_free(basin_normnet *s);

/* Applies one update with stimulus (c, theta): r_t, R_t from W_t, then
 * W_{t+1} = W_t + α(R_tᵀR_t − C) + β(W_t − C). Writes the norms of the update to *out
 * (may be NULL). Returns 0 (s->step grew by one) or BASIN_EDIVERGED — W untouched — when
 * some σ² + (W_t r_t)_i/n ≤ 0 or is not finite (out->den_min says which), or when
 * ‖W_{t+1}‖ is not finite (then W holds W_{t+1}). */
int basin_normnet_step(basin_normnet *s, const double *c, const double *theta,
                       basin_normnet_norms *out);

#endif
