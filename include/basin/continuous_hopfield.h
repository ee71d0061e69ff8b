/*
 * continuous_hopfield.h — the numerical core of the stochastic continuous Hopfield network
 * with linear activations and its recall-and-learn rule (relaxation-fokker-planck.txt §4:
 * Definition 16, Theorem 17, Algorithm 15, Remark 18). Prefix basin_chn_ ("continuous
 * Hopfield network").
 *
 * Visible v ∈ R^nv, hidden h ∈ R^nh, couplings U (nv×nh), input I = 0, Lagrangians
 * L_v = ½|v|², L_h = ½|h|²: the activations are g(v) = v and f(h) = h (linear), their
 * Hessians the identity, so K_v = K_h = I (Theorem 17) and Definition 16's energy is
 *     E(v, h) = ½|v|² + ½|h|² − vᵀUh = ½ xᵀHx,   x = (v, h),   H = [[I, −U], [−Uᵀ, I]],
 * with the stochastic dynamics
 *     dv = (U h − v) dt + √(2T) dW_v,    dh = (Uᵀv − h) dt + √(2T) dW_h,
 * whose stationary law exp(−E/T)/Z exists iff H is positive definite, i.e. the largest
 * singular value of U is below 1.
 *
 * The dynamics is linear, so it is integrated exactly (not by Euler–Maruyama): with the
 * thin SVD U = A S Bᵀ (r = min(nv, nh)), H has the eigenvalues 1 − s_k and 1 + s_k with
 * eigenvectors (a_k, ±b_k)/√2, and 1 on the rest, and one step of length dt is
 *     x ← e^{−H dt} x + (T H⁻¹(I − e^{−2H dt}))^{1/2} ζ,   ζ ~ N(0, I),
 * applied as the λ = 1 map on the whole space plus a rank-2r correction in the pair
 * modes (the noise of each mode is the projection of one N(0, I) vector, so every step
 * draws nv + nh normals, in the order v then h, query by query). The law of the state
 * started from a point x₀ is Gaussian, N(e^{−Ht}x₀, T H⁻¹(I − e^{−2Ht})), so its free
 * energy F[p_t] = ⟨E⟩ − T·H[p_t] is known exactly; it decreases to −T ln Z (for λ > 0 in
 * every mode, F − F_eq = T·KL(p_t ‖ q) is non-increasing).
 *
 * Recall and learn (Algorithm 15): for a pattern x, recall relaxes the hidden units at
 * fixed v = x — by the same exact transition with rate 1: h ← m + e^{−dt}(h − m) +
 * √(T(1 − e^{−2dt})) ζ, m = Uᵀx, from h = 0 — and averages h and h hᵀ over the second
 * half of the steps (the first half is burn-in); learn moves U along the Hebbian gradient
 * ⟨g(v) f(h)ᵀ⟩ = x h̄ᵀ (Remark 18):
 *     hebb  ΔU = η x h̄ᵀ                 (U grows without bound: once its largest singular
 *                                         value reaches 1, E is unbounded below)
 *     oja   ΔU = η (x h̄ᵀ − U ⟨h hᵀ⟩)    (Oja's subspace rule: the Hebbian term with a decay
 *                                         that keeps U bounded; its fixed point over the
 *                                         patterns is U = E_k diag(√(1 − T/λ_k)) R — the
 *                                         maximum-likelihood couplings of the Gaussian
 *                                         model, λ_k the eigenvalues of the pattern
 *                                         covariance (1/P) Σ_μ x xᵀ above T)
 *
 * Ownership: workspaces own their arrays; callers own the workspaces and the random
 * generators. No globals.
 */
#ifndef BASIN_CONTINUOUS_HOPFIELD_H
#define BASIN_CONTINUOUS_HOPFIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "basin/rng.h"

typedef enum basin_chn_rule {
    BASIN_CHN_OJA,
    BASIN_CHN_HEBB,
} basin_chn_rule;

/* E(v, h) = ½|v|² + ½|h|² − vᵀUh for U (nv×nh row-major). O(nv·nh). */
double basin_chn_energy(const double *U, long nv, long nh, const double *v, const double *h);

/* The conditional free energies −T ln Z(x^μ) = min_p F[p | v = x^μ] of the hidden units at
 * fixed v, for the p rows of X (p×nv): ½|x|² − ½|Uᵀx|² − (nh T/2) ln(2πT) (the last term
 * 0 at T = 0), into F (p entries); M is caller-owned scratch of p×nh. One dgemm. */
void basin_chn_conditional_free_energies(const double *U, long nv, long nh, double T,
                                         const double *X, long p, double *M, double *F);

/* The largest singular value of U (LAPACK dgesdd, values only); writes it to *out and
 * returns 0, or BASIN_ENOMEM, or BASIN_EDIVERGED when the SVD fails (non-finite U). */
int basin_chn_spectral_norm(const double *U, long nv, long nh, double *out);

/* ---- learning ---------------------------------------------------------------------------- */

typedef struct basin_chn_learner {
    /* read-only for callers */
    long nv, nh;
    double T, dt, eta;
    basin_chn_rule rule;
    double *U; /* nv×nh couplings, updated by each learn step */

    /* private */
    const double *x; /* the pattern being learnt (borrowed between begin and end) */
    long steps, done, counted;
    double *m, *h, *hsum, *C, *noise, *tmp;
} basin_chn_learner;

/* Allocates a learner with a copy of the initial couplings U0 (nv×nh). Requires nv, nh ≥ 1,
 * T ≥ 0, dt > 0, eta > 0 (asserted). Returns 0 or BASIN_ENOMEM. */
int basin_chn_learner_alloc(long nv, long nh, basin_chn_rule rule, double T, double dt, double eta,
                            const double *U0, basin_chn_learner **out);
void basin_chn_learner_free(basin_chn_learner *L);

/* Starts one recall-and-learn step on pattern x (nv entries, borrowed until _end): the
 * hidden units start at 0 and will relax for `steps` ≥ 1 steps of dt at fixed v = x. */
void basin_chn_learn_begin(basin_chn_learner *L, const double *x, long steps);

/* Performs up to `count` of the remaining relaxation steps (drawing nh normals each from
 * rng); returns true when all are done. */
bool basin_chn_learn_relax(basin_chn_learner *L, long count, basin_rng *rng);

/* Applies the learning rule with the averages of the second half of the relaxation. */
void basin_chn_learn_end(basin_chn_learner *L);

/* Work of one relaxation step and of the update, in budget units (≈ ns). */
double basin_chn_relax_cost(long nv, long nh);
double basin_chn_update_cost(long nv, long nh);

/* ---- recall ------------------------------------------------------------------------------ */

typedef struct basin_chn_recall {
    /* read-only for callers */
    long nv, nh, r, q; /* r = min(nv, nh) modes, q queries */
    double T, dt;
    double *s;  /* r singular values of U, descending */
    double *V;  /* q×nv visible states */
    double *Hs; /* q×nh hidden states */
    long t;     /* steps done since set_states */

    /* private */
    double *A;            /* nv×r left singular vectors */
    double *VT;           /* r×nh right singular vectors, transposed */
    double *V0;           /* q×nv initial visible states */
    double *alpha, *beta; /* q×r: Aᵀv, Bᵀh of the state being stepped */
    double *cp0, *cq0;    /* q×r: pair-mode coordinates of the initial state */
    double *perp0;        /* q: squared norm of the initial state outside the pair modes */
    double *Zv, *Zh;      /* q×nv, q×nh normals */
    double *za, *zb;      /* q×r: their projections */
    double *e_lo, *e_hi, *sd_lo, *sd_hi; /* r: per-step factors of the modes 1 ∓ s_k */
    double e_one, sd_one;                /* the same for λ = 1 */
    long pos;                            /* queries done in the current step */
} basin_chn_recall;

/* Allocates a recall workspace for q queries of the network U (nv×nh, copied through its
 * SVD). Returns 0, BASIN_ENOMEM, or BASIN_EDIVERGED when the SVD fails (non-finite U).
 * Requires T ≥ 0, dt > 0. The largest singular value may be ≥ 1 (then E is unbounded
 * below and some modes grow; the caller decides whether that is acceptable). */
int basin_chn_recall_alloc(const double *U, long nv, long nh, long q, double T, double dt,
                           basin_chn_recall **out);
void basin_chn_recall_free(basin_chn_recall *R);

/* Sets the states of queries [j0, j1) from rows j0..j1−1 of V0 (q×nv) and H0 (q×nh; NULL:
 * hidden states 0), copied, and the time to 0: call it for every query (in blocks, so that
 * a caller can check for cancellation between them: O((j1 − j0)·(nv + nh)·r)) before the
 * first step. */
void basin_chn_recall_set_states(basin_chn_recall *R, long j0, long j1, const double *V0,
                                 const double *H0);

/* Advances the queries of the current step in parts of about `budget` operations (at least
 * one query); returns true when every query has made the step (then t has grown by 1).
 * Draws nv + nh normals per query from rng. */
bool basin_chn_recall_step_part(basin_chn_recall *R, basin_rng *rng, double budget);

/* One whole step. */
void basin_chn_recall_step(basin_chn_recall *R, basin_rng *rng);

/* Writes the energies E(v, h) of the current sample states of queries [j0, j1) into
 * E[j0..j1) (q entries in all). O((j1 − j0)·(nv + nh)·r). Not between the parts of a step. */
void basin_chn_recall_energies(basin_chn_recall *R, long j0, long j1, double *E);

/* F[p_t] = ⟨E⟩ − T·H of the Gaussian law of query j's state at the current time t·dt
 * (from the point mass at its initial state): +inf at t = 0 when T > 0. O(r). */
double basin_chn_recall_free_energy(const basin_chn_recall *R, long j);

/* The equilibrium free energy −T ln Z = Σ over the nv + nh modes of
 * (T/2)(1 − ln(2πe T/λ)) (0 at T = 0); NaN when some λ ≤ 0. */
double basin_chn_equilibrium_free_energy(const basin_chn_recall *R);

/* Writes the visible parts of the law's means e^{−Ht}x₀ of queries [j0, j1) into Vm
 * ((j1 − j0)×nv, row 0 for query j0). O((j1 − j0)·nv·r). Not between the parts of a step. */
void basin_chn_recall_means(basin_chn_recall *R, long j0, long j1, double *Vm);

/* Work of one recall step of one query, in budget units. */
double basin_chn_recall_cost(long nv, long nh);

#endif
