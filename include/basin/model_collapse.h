/*
 * model_collapse.h — recursive training on synthetic data (numerical core).
 *
 * Kempe's lecture (lectures-hebbian-ebm-diffusion.txt, Part II): a model is fitted to data,
 * the next generation is fitted to data the model produced, and so on. Three settings,
 * each with the theory it is measured against (generation g = 1 is fitted to real data):
 *
 * gaussian    x ~ N(μ_{g−1}, σ²_{g−1} I_d), T samples; refit μ_g = x̄ and the isotropic
 *             maximum-likelihood variance σ²_g = Σ_t ‖x_t − x̄‖² / (T d). With μ₀ = 0,
 *             σ₀ = σ:  E σ²_n = σ² ((T − 1)/T)^n   (the variance shrinks: collapse), and
 *             E ‖μ_n − μ₀‖² = (d σ²/T) Σ_{g<n} ((T − 1)/T)^g   (the mean random-walks).
 *             The error of generation n is ‖μ_n − μ₀‖²; `variance` is σ²_n.
 * regression  x ~ N(0, I_d), y = xᵀ w_{g−1} + ε, ε ~ N(0, σ²), T samples; w_g is the least-
 *             squares fit (w₀ the true weights, drawn N(0, I/d) per chain). The test error
 *             E_x (xᵀw − y)² − σ² = ‖w_g − w₀‖², and since each generation adds the
 *             independent error (XᵀX)⁻¹Xᵀε with E‖·‖² = σ² tr E(XᵀX)⁻¹ = σ² d/(T − d − 1)
 *             (inverse Wishart), exactly
 *                 E_n = E ‖w_n − w₀‖² = σ² d n / (T − d − 1)      (lectures eq. 3.20–3.25).
 *             Fitted by the normal equations, XᵀX accumulated in blocks of rows (dsyrk)
 *             and solved by Cholesky (dposv); needs T ≥ d + 2.
 * zipf        Hutter's infinite-memory model: items i = 1..M with p(i) ∝ i^{−β} (M large
 *             stands for ∞), a model memorises the items it saw in T samples and errs on
 *             the others: E = Σ_{i unseen} p(i). Generation 1 is trained on real data cut
 *             at rank k (the "tail cut" of synthetic data; k = 0: no cut); generation g on
 *             T samples of p restricted to what generation g − 1 memorised. Theory: with
 *             q_g(i) = P(i memorised by generation g), q₀(i) = 1[i ≤ k], Z_g = Σ_i p(i) q_g(i),
 *                 q_{g+1}(i) = q_g(i) (1 − (1 − p(i)/Z_g)^T),   E_g = 1 − Σ_i p(i) q_g(i),
 *             exact for g = 1 (E₁ = Σ_{i≤k} p(i)(1 − p(i)/Z₀)^T + Σ_{i>k} p(i), eq. 3.9) and a
 *             mean-field approximation after (Z_g replaced by its mean). The floor is the
 *             tail mass Σ_{i>k} p(i) ≈ k^{−(β−1)} / ((β − 1) ζ(β)).
 *
 * Ownership (GSL style): the caller owns the basin_collapse struct; init allocates its
 * workspace, free releases it. Random numbers come from the caller's basin_rng, in a fixed
 * order. No globals.
 */
#ifndef BASIN_MODEL_COLLAPSE_H
#define BASIN_MODEL_COLLAPSE_H

#include <stdbool.h>
#include <stdint.h>

#include "basin/rng.h"

#define BASIN_COLLAPSE_DIM_MAX 1000

typedef enum basin_collapse_mode {
    BASIN_COLLAPSE_GAUSSIAN = 0,
    BASIN_COLLAPSE_REGRESSION,
    BASIN_COLLAPSE_ZIPF,
} basin_collapse_mode;

typedef struct basin_collapse_config {
    basin_collapse_mode mode;
    long d;           /* dimension (gaussian, regression), 1..BASIN_COLLAPSE_DIM_MAX */
    long T;           /* samples per generation, ≥ 2 (regression: ≥ d + 2) */
    double sigma;     /* σ > 0: initial std (gaussian), label noise (regression) */
    double zipf_beta; /* zipf exponent β > 1 */
    long M;           /* zipf: items, ≥ 1 */
    long cutoff;      /* zipf: k in [0, M], 0 = no cut */
} basin_collapse_config;

typedef struct basin_collapse {
    basin_collapse_config cfg; /* copied */
    long generation;           /* generations fitted in the current chain */
    /* gaussian: the current fit; regression: w (current) and w0 (truth) */
    double *mu, *w, *w0;
    double var;
    /* private */
    double *xtx, *xty, *x, *y, *acc; /* regression blocks; gaussian sums */
    double *p, *cum;                 /* zipf: p(i), cumulative p over 1..M */
    int64_t *stamp;                  /* zipf: epoch that last drew item i */
    int64_t epoch;                   /* zipf: generations over all chains (never reset) */
    int32_t *items;                  /* zipf: memorised items (≤ T) */
    double *icum;                    /* zipf: cumulative p over the memorised items */
    long n_items;
    long polled;
} basin_collapse;

/* Allocates the workspace. Returns 0; BASIN_EINVAL for parameters out of range (see the
 * struct); BASIN_ENOMEM. On failure c is left freeable. */
int basin_collapse_init(basin_collapse *c, const basin_collapse_config *cfg);

/* Releases the workspace; accepts NULL and a zeroed or failed-init struct. */
void basin_collapse_free(basin_collapse *c);

/* Starts a new chain at generation 0 (regression: draws w₀ ~ N(0, I/d) from rng). */
void basin_collapse_reset(basin_collapse *c, basin_rng *rng);

/* Asked about every BASIN_COLLAPSE_POLL_EVERY operations; true stops the generation. */
typedef bool (*basin_collapse_poll)(void *user);
#define BASIN_COLLAPSE_POLL_EVERY (1L << 22)

/* Fits the next generation to data of the current model (real data for the first).
 * Writes its error (see the file comment) to *error and, for gaussian, σ²_g to *variance
 * (may be NULL; NAN for the other modes). Returns 0; BASIN_ECANCELLED when poll said so
 * (the chain is then undefined: reset it); BASIN_EDIVERGED when XᵀX is not positive
 * definite (regression, numerically singular). */
int basin_collapse_generation(basin_collapse *c, basin_rng *rng, basin_collapse_poll poll,
                              void *user, double *error, double *variance);

/* Theory of the mean error for generations 1..G into error[0..G) and, for gaussian, the
 * mean variance into variance[0..G) (may be NULL). zipf needs the workspace's p (pass
 * the initialised c; the others read only c->cfg); zipf uses q[0..M) of scratch, the
 * others nothing (scratch may be NULL). */
void basin_collapse_theory(const basin_collapse *c, long G, double *error, double *variance,
                           double *scratch);

/* zipf: Σ_{i>k} p(i), the error floor of the cut (0 without a cut). */
double basin_collapse_tail_mass(const basin_collapse *c);

#endif
