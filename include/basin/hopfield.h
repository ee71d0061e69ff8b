/*
 * hopfield.h — the numerical core of the binary Hopfield network.
 *
 * Spins s ∈ {±1}^N, patterns ξ^μ ∈ {±1}^N (μ = 0..P−1), symmetric couplings J with zero
 * diagonal, uniform external field h_ext. Local field h_i = Σ_{j≠i} J_ij s_j + h_ext.
 *
 * Storage rules and how the couplings are held:
 *   hebb            J = (1/N) Ξ Ξᵀ − α I (α = P/N). Held as the patterns Ξ (N×P, int8,
 *                   rows padded with zeros to a multiple of 32) and the integer vector
 *                   b = Ξᵀ s = N m (int32, and int16 when N ≤ 32767):
 *                   h_i = (ξ_i·b − P s_i)/N + h_ext. Every sum is an exact integer
 *                   (accumulated in int32 blocks that cannot overflow, then int64), so
 *                   fields, ties, overlaps and energies are exact and the SIMD code that
 *                   computes them (int8 × int16 multiply-adds) gives the same bits at every
 *                   SIMD level; no floating-point copy of the patterns is made.
 *   pseudo_inverse  J = Ξ G⁻¹ Ξᵀ − diag, G = ΞᵀΞ (P×P Gram matrix; Kohonen/Personnaz
 *                   projector). Held as Ξ and K = Ξ G⁻¹ (N×P, no N×N matrix), with
 *                   b = Kᵀ s: h_i = ξ_i·b − J_ii s_i + h_ext, J_ii = ξ_i·K_i. K comes
 *                   from solves with the Cholesky factor of G (LAPACKE dpotrf, dpotrs;
 *                   G⁻¹ itself is never formed). When G is singular or ill-conditioned
 *                   (reciprocal condition < 1e-10: repeated or dependent patterns,
 *                   P ≥ N) a pivoted Cholesky (dpstrf) picks a maximal independent subset
 *                   B of the patterns and K_i = G_BB⁻¹ ξ_{i,B} (zero off B): J is still
 *                   the orthogonal projector onto the span of all the patterns
 *                   (= Ξ G⁺ Ξᵀ).
 *   storkey         the incremental rule of Storkey (1997), held as the dense N×N W with
 *                   the field vector hloc = W s.
 *
 * Each spin update costs O(P) (hebb, pseudo_inverse) or O(1) plus O(N) per flip
 * (storkey): a flip of s_k by δ = −2 s_k adds δ ξ_k to b32 (hebb), δ K_k to b or δ W_k to
 * hloc. The float paths refresh b (hloc) from s at the start of each sweep, so rounding
 * drift is bounded by one sweep, and treat |h_i| ≤ 1e-9 as a tie at T = 0.
 *
 * Dynamics: one sweep is N spin updates. async: random sequential order, a new random
 * permutation each sweep, each update seeing the latest state. sync: all spins updated
 * from the same old state. T = 0: s_i = sign(h_i), unchanged on a tie. T > 0: heat bath,
 * P(s_i = +1) = (1 + tanh(h_i/T))/2, evaluated as 1/(1 + exp(−2h_i/T)) (the same number,
 * one exp instead of a tanh) and taken as 1 or 0 when |2h_i/T| > 40, where it is within
 * e^{−40} ≈ 4.3e-18 of that, below the 2^-53 resolution of the uniform it is compared with.
 * Sync sweeps draw their uniforms in blocks and settle each comparison with a vectorised
 * exponential wherever its rounding cannot change the outcome (all but ~2e-9 of them),
 * calling libm for the rest: the decisions are exactly those of the formula.
 *
 * Ownership: the workspace owns copies of the patterns, the couplings and the state; the
 * caller owns the workspace (alloc/free) and the random generator it passes in. No
 * globals: workspaces on different threads are independent.
 */
#ifndef BASIN_HOPFIELD_H
#define BASIN_HOPFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/rng.h"

typedef enum basin_hopfield_rule {
    BASIN_HOPFIELD_HEBB,
    BASIN_HOPFIELD_PSEUDO_INVERSE,
    BASIN_HOPFIELD_STORKEY,
} basin_hopfield_rule;

typedef enum basin_hopfield_dynamics {
    BASIN_HOPFIELD_ASYNC,
    BASIN_HOPFIELD_SYNC,
} basin_hopfield_dynamics;

typedef struct basin_hopfield_config {
    long n; /* neurons N ≥ 1 */
    long p; /* patterns P ≥ 1 */
    basin_hopfield_rule rule;
    basin_hopfield_dynamics dynamics;
    double temperature; /* T ≥ 0 */
    double field;       /* uniform external field h_ext */
} basin_hopfield_config;

/* The workspace. Callers may read the fields in the first group; the rest is private. */
typedef struct basin_hopfield {
    /* read-only for callers */
    basin_hopfield_config cfg;
    int8_t *s;    /* current state, N spins; sync sweeps swap buffers: re-read after a sweep */
    long flips;   /* spins changed by the last complete sweep */
    bool cycle2;  /* sync: the last sweep returned to the state of two sweeps before, with
                     flips > 0 (a 2-cycle; meaningful at T = 0); false for async */
    bool learned; /* the couplings are built */
    long rank;    /* pseudo_inverse: patterns in the independent set B (P when G is regular) */

    /* private */
    bool in_sweep;    /* a sweep was started and not yet completed */
    long sweep_pos;   /* spin updates done in the current sweep */
    long sweep_flips; /* spins changed so far in the current sweep */
    int learn_stage;  /* progress of basin_hopfield_learn_part */
    long learn_pos;   /* row or pattern reached within a learning stage */
    bool have_prev;   /* sync: s_prev holds the state before the last sweep */
    double tie;       /* |h| at or below this is a tie at T = 0 */
    double c;         /* scale of J = c·Ξ Kᵀ − diag: 1 (pseudo_inverse) */
    int8_t *xi8;      /* patterns, P×N row-major: xi8[μ·N + i] = ξ_i^μ */
    int8_t *xiT8;     /* hebb: N×ps patterns, xiT8[i·ps + μ] = ξ_i^μ (0 for μ ≥ P) */
    size_t ps;        /* hebb: P rounded up to a multiple of 32 */
    int32_t *b32;     /* hebb: P, the exact overlaps times N, Ξᵀ s */
    int16_t *b16;     /* hebb, N ≤ INT16_MAX: b32 as int16 (ps, zero padded) */
    size_t chunk;     /* hebb: terms of ξ_i·b summed in int32 before widening */
    double *Xi;       /* pseudo_inverse, storkey: patterns, N×P row-major */
    double *K;        /* pseudo_inverse: N×P, Xi G⁻¹ */
    double *d;        /* N: the diagonal of J before zeroing, times N for hebb (P), 0: storkey */
    double *G;        /* P×P Gram matrix, then its Cholesky factor (pseudo_inverse) */
    int *piv;         /* P: pivots of the factor, 1-based (pseudo_inverse, while learning) */
    double *W;        /* N×N couplings (storkey) */
    double *b;        /* P: Kᵀ s (pseudo_inverse) */
    double *hloc;     /* N: W s (storkey) */
    double *hN;       /* N scratch: fields of a sync sweep, Storkey learning fields */
    double *sd;       /* N scratch: the state as doubles */
    double *aP, *bP;  /* P scratch */
    int8_t *s_new;    /* N: sync target state */
    int8_t *s_prev;   /* N: sync state before the last sweep */
    uint32_t *perm;   /* N: async update order of the current sweep */
} basin_hopfield;

/* Allocates a workspace for cfg with a copy of the patterns xi (P×N row-major, entries
 * ±1, borrowed). The couplings are not built yet: call basin_hopfield_learn() (or
 * basin_hopfield_learn_part() until it returns 1), then basin_hopfield_set_state().
 * Requires n ≥ 1, p ≥ 1, n ≤ 2^31, temperature ≥ 0 (asserted). Returns 0 and writes *out,
 * or BASIN_ENOMEM. */
int basin_hopfield_alloc(const basin_hopfield_config *cfg, const int8_t *xi, basin_hopfield **out);

/* As basin_hopfield_alloc, but takes ownership of xi (malloc'd, P×N): no copy. The
 * workspace keeps xi unchanged as its pattern array, so the caller may go on reading it
 * until basin_hopfield_free, which frees it; a failed allocation frees it at once. */
int basin_hopfield_adopt(const basin_hopfield_config *cfg, int8_t *xi, basin_hopfield **out);

/* Frees a workspace; accepts NULL and half-built workspaces. */
void basin_hopfield_free(basin_hopfield *w);

/* Builds the couplings in parts of about `budget` elementary operations, so a caller can
 * check for cancellation in between: first the N×P copy of the patterns (every rule),
 * then the Gram matrix, its Cholesky factor and the solves for K (pseudo_inverse) or one
 * Storkey step per pattern. Returns 1 when the couplings are complete, 0 when more parts remain,
 * BASIN_ENOMEM, or BASIN_EDIVERGED when LAPACK fails (pseudo_inverse with a numerically
 * zero Gram matrix, which ±1 patterns cannot produce). */
int basin_hopfield_learn_part(basin_hopfield *w, double budget);

/* Builds the couplings in one call: 0, BASIN_ENOMEM or BASIN_EDIVERGED. */
int basin_hopfield_learn(basin_hopfield *w);

/* Sets the state to s (N entries ±1, copied), refreshes the maintained fields and ends any
 * sweep in progress; sync cycle detection starts afresh. Requires learned couplings. */
void basin_hopfield_set_state(basin_hopfield *w, const int8_t *s);

/* Performs the next spin updates of the current sweep, about `budget` elementary
 * operations' worth (at least one update), starting a new sweep — and for async a new
 * random order — when none is in progress. Draws from rng: the permutation (async),
 * then one uniform per update when T > 0. Returns true when the sweep completed; then
 * w->flips and w->cycle2 describe it. */
bool basin_hopfield_sweep_part(basin_hopfield *w, basin_rng *rng, double budget);

/* Runs one whole sweep (or the rest of the current one); returns w->flips. */
long basin_hopfield_sweep(basin_hopfield *w, basin_rng *rng);

/* The local field h_i = Σ_{j≠i} J_ij s_j + h_ext of the current state; O(P) or O(1).
 * This and the functions below require learned couplings and a state (set_state). */
double basin_hopfield_local_field(const basin_hopfield *w, long i);

/* The Lyapunov energy L = −½ sᵀJs − h_extᵀs of the current state (J with zero diagonal):
 * hebb from the exact maintained overlaps, O(N + P); the other rules computed afresh from
 * s (in the workspace's scratch; the state and the maintained fields are untouched),
 * O(NP), or O(N²) for storkey. */
double basin_hopfield_energy(basin_hopfield *w);

/* The Mattis overlap m_μ = (1/N) Σ_i ξ_i^μ s_i of pattern mu (0 ≤ mu < P), exact: O(1)
 * for hebb (the maintained overlap), O(N) otherwise. */
double basin_hopfield_overlap(const basin_hopfield *w, long mu);

/* Writes all P overlaps into m (caller-owned, P entries), exact like
 * basin_hopfield_overlap: O(P) for hebb, O(NP) otherwise. */
void basin_hopfield_overlaps(basin_hopfield *w, double *m);

/* Writes the dense couplings J (N×N row-major, zero diagonal) into caller-owned J; meant
 * for checks at small N (O(N²P)). Requires learned couplings. */
void basin_hopfield_couplings(const basin_hopfield *w, double *J);

/* Like basin_hopfield_couplings but before the diagonal is zeroed: (1/N) Ξ Ξᵀ (hebb), the
 * projector Ξ G⁺ Ξᵀ onto the span of the patterns (pseudo_inverse; symmetric, idempotent
 * and of trace `rank`, to rounding), W itself (storkey, whose diagonal is 0). */
void basin_hopfield_couplings_full(const basin_hopfield *w, double *J);

/* Estimated work of building the couplings and of one sweep, for admission control before
 * allocating anything, in the units of the budgets above: about one scalar operation, or
 * 1 ns of one core (a BLAS-3 flop counts 1/8, a transposed pattern entry 32 as a double,
 * 4 as an int8). */
double basin_hopfield_learn_cost(const basin_hopfield_config *cfg);
double basin_hopfield_sweep_cost(const basin_hopfield_config *cfg);

#endif
