/*
 * dense_memory.h — the numerical core of dense (modern) associative memories.
 *
 * Continuous (Ramsauer et al. 2020, "Hopfield networks is all you need"): P patterns
 * x_μ ∈ Rⁿ (the rows of X, P×n) and B query states ξ_b ∈ Rⁿ (the rows of Q, B×n), all
 * updated at once:
 *     s_bμ = x_μ·ξ_b,   p_b = softmax(β s_b),   ξ_b ← Σ_μ p_bμ x_μ      (ξ ← X softmax(β Xᵀξ))
 * with the energy, non-increasing under the update (it is a concave–convex procedure),
 *     E(ξ) = −β⁻¹ log Σ_μ exp(β x_μ·ξ) + ½ ξ·ξ + β⁻¹ log P + ½ M²,   M = max_μ |x_μ|,
 * whose constants make 0 ≤ E ≤ 2M² and give the finite limit at β = 0,
 *     E(ξ) = −(1/P) Σ_μ x_μ·ξ + ½ ξ·ξ + ½ M²   (and the update returns the pattern mean).
 * The softmax is taken with its maximum subtracted (log-sum-exp), so no β or score can
 * overflow it; its exponentials come from basin_vexp (SIMD, the same bits on every
 * machine) and its sums over patterns are taken in 8 fixed lanes, so that SIMD code of any
 * width adds in the same order. Both products are CBLAS dgemm calls over blocks of
 * patterns, so long batches can stop between blocks, and over fixed blocks of 128 queries
 * that worker threads share out (with the softmax rows): the bits do not depend on the
 * number of threads. BLAS is expected to run one thread per call (the process sets it);
 * OpenBLAS built with pthreads may be called from several threads at once.
 *
 * Binary (Krotov & Hopfield 2016; Demircigil et al. 2017): spins s ∈ {±1}ⁿ, patterns
 * ξ^μ ∈ {±1}ⁿ, energy E = −Σ_μ F(ξ^μ·s) with F(x) = x^d (polynomial) or exp(βx)
 * (exponential). Asynchronous updates in a random order (a new one each sweep) set
 *     s_i ← sign( Σ_μ [F(a_μ + ξ_i^μ) − F(a_μ − ξ_i^μ)] ),   a_μ = Σ_{j≠i} ξ_j^μ s_j,
 * the minimiser of E over s_i, so E never increases; a tie (|sum| ≤ 1e-12 of the sum of
 * the magnitudes of its terms) keeps s_i. The overlaps b_μ = ξ^μ·s are exact integers kept
 * up to date on every flip, so a_μ = b_μ − ξ_i^μ s_i is exact and F is read from a table
 * over the 2n − 1 possible values of a: polynomial ((a+1)/n)^d − ((a−1)/n)^d (F scaled by
 * n^−d, which keeps the sign and cannot overflow); exponential e^{−β(A − a)} with
 * A = max_μ a_μ (the sum scaled by e^{−β(A+1)}·2 sinh β, likewise). One update costs
 * O(P). The reported energy is −Σ_μ (ξ^μ·s)^d (polynomial) and, for the exponential, the
 * log-sum-exp form −β⁻¹ log Σ_μ exp(β ξ^μ·s): a monotone function of −Σ_μ exp(β ξ^μ·s)
 * that cannot overflow, so it is non-increasing exactly when that is.
 *
 * Ownership: workspaces own copies of the patterns and the states; callers own the
 * workspace and the random generator. No globals.
 */
#ifndef BASIN_DENSE_MEMORY_H
#define BASIN_DENSE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/rng.h"

/* ---- continuous ------------------------------------------------------------------------ */

typedef struct basin_dense_config {
    long n;      /* dimension n ≥ 1 */
    long p;      /* patterns P ≥ 1 */
    long q;      /* queries B ≥ 1 */
    double beta; /* inverse temperature β ≥ 0 */
    int threads; /* worker threads: 0 picks them (the CPUs this process may use, at most 8,
                  * and none for small parts); k ≥ 1 uses up to k (tests, benchmarks).
                  * Results are the same bits for every value. */
} basin_dense_config;

/* The workspace. Callers may read the first group; the rest is private. */
typedef struct basin_dense {
    /* read-only for callers */
    basin_dense_config cfg;
    double *Q;      /* B×n: the current queries */
    double *S;      /* B×P: scores s_bμ = x_μ·ξ_b of the current queries (after eval) */
    double *energy; /* B: E(ξ_b) of the current queries (after eval) */
    double change;  /* max_b,i |Δξ_bi| of the last update */
    bool evaluated; /* S and energy describe Q */
    double *X;      /* P×n patterns */
    double *xnorm;  /* P: |x_μ| */

    /* private */
    double *Wt;        /* B×P unnormalised softmax weights e^{β(s − max)} (after eval) */
    double *wsum;      /* B: their sums */
    double *Qn;        /* B×n: the next queries, built by update */
    double *lse;       /* B: log Σ_μ exp(β(s_bμ − max_b)) */
    double *smax;      /* B: max_μ s_bμ */
    double const_term; /* ½ M² (β⁻¹ log P enters with the mean in the log-sum-exp) */
    int stage;         /* progress within eval or update */
    long pos;          /* pattern reached within a stage */
    int threads;       /* worker threads at most (cfg.threads, or the CPUs, at most 8) */
} basin_dense;

/* Allocates a workspace for cfg with a copy of the patterns X (P×n row-major, finite,
 * borrowed). Queries are 0 until basin_dense_set_queries(). Returns 0 and writes *out, or
 * BASIN_ENOMEM. Requires n, p, q ≥ 1 and β ≥ 0 (asserted). */
int basin_dense_alloc(const basin_dense_config *cfg, const double *X, basin_dense **out);

/* As basin_dense_alloc, but takes ownership of X (malloc'd, P×n): no copy. X is freed by
 * basin_dense_free, or at once when the allocation fails. */
int basin_dense_adopt(const basin_dense_config *cfg, double *X, basin_dense **out);

/* Frees a workspace; accepts NULL and half-built workspaces. */
void basin_dense_free(basin_dense *w);

/* Sets the B queries (B×n row-major, copied) and forgets any evaluation in progress. */
void basin_dense_set_queries(basin_dense *w, const double *Q);

/* Evaluates the current queries in parts of about `budget` operations (at least one block
 * of patterns): the scores S = Q Xᵀ, then for each query the softmax weights and the
 * energy. Returns 1 when complete (S, energy valid, `evaluated` set), 0 when more parts
 * remain. Calling it when already evaluated returns 1 at once. */
int basin_dense_eval_part(basin_dense *w, double budget);

/* Performs the update ξ_b ← Σ_μ p_bμ x_μ of the evaluated queries in parts of about
 * `budget` operations. Returns 1 when complete: Q holds the new queries, `change` the
 * largest change of a coordinate, and the evaluation is cleared; 0 when more parts
 * remain. Requires a complete evaluation (asserted). */
int basin_dense_update_part(basin_dense *w, double budget);

/* Whole-step conveniences: evaluate (if needed), then update. */
void basin_dense_eval(basin_dense *w);
void basin_dense_update(basin_dense *w);

/* Estimated work of one evaluation and of one update, in the budget units (about 1 ns of
 * one core: a dgemm flop counts 1/8, an exp 8). */
double basin_dense_eval_cost(const basin_dense_config *cfg);
double basin_dense_update_cost(const basin_dense_config *cfg);

/* ---- binary ---------------------------------------------------------------------------- */

typedef enum basin_dense_f {
    BASIN_DENSE_POLYNOMIAL,  /* F(x) = x^degree */
    BASIN_DENSE_EXPONENTIAL, /* F(x) = exp(βx) */
} basin_dense_f;

typedef struct basin_dense_bin_config {
    long n; /* spins n ≥ 1, n ≤ 2^30 */
    long p; /* patterns P ≥ 1 */
    long q; /* independent query states B ≥ 1 */
    basin_dense_f f;
    int degree;  /* polynomial: d ≥ 1 */
    double beta; /* exponential: β > 0 */
} basin_dense_bin_config;

typedef struct basin_dense_bin {
    /* read-only for callers */
    basin_dense_bin_config cfg;
    int8_t *s;       /* B×n: the current states */
    int32_t *b;      /* B×P: the exact overlaps times n, b_bμ = ξ^μ·s_b */
    long flips;      /* spins changed by the last complete sweep, all queries */
    bool *converged; /* B: the query's last sweep changed nothing (it is a fixed point) */

    /* private */
    int8_t *xi8;    /* P×n patterns */
    int8_t *xiT8;   /* n×P patterns */
    double *table;  /* 2n + 1 entries: see the header comment */
    int32_t *a;     /* P scratch: a_μ */
    uint32_t *perm; /* n: update order of the current query's sweep */
    bool in_sweep;
    long query;       /* query being swept */
    long pos;         /* spin updates done for it */
    long sweep_flips; /* flips so far in this sweep */
    long query_flips; /* flips so far for this query */
} basin_dense_bin;

/* Allocates a workspace with a copy of the patterns (P×n row-major, ±1, borrowed); the
 * states are all +1 until basin_dense_bin_set_states(). Returns 0 or BASIN_ENOMEM. */
int basin_dense_bin_alloc(const basin_dense_bin_config *cfg, const int8_t *xi,
                          basin_dense_bin **out);

/* Frees a workspace; accepts NULL and half-built workspaces. */
void basin_dense_bin_free(basin_dense_bin *w);

/* Sets the B states (B×n, ±1, copied), recomputes the overlaps, clears `converged` and
 * ends any sweep in progress. O(B·P·n). */
void basin_dense_bin_set_states(basin_dense_bin *w, const int8_t *s);

/* The same for query q alone (s: n spins, copied), O(P·n), so that a caller can set many
 * states with checks for cancellation in between. */
void basin_dense_bin_set_state(basin_dense_bin *w, long q, const int8_t *s);

/* Performs about `budget` operations of the current sweep (at least one spin update),
 * starting one when none is in progress. A sweep visits every query not yet converged:
 * a fresh random order of its n spins (drawn from rng), then n updates in that order.
 * Returns true when the sweep completed; then `flips` and `converged` describe it. */
bool basin_dense_bin_sweep_part(basin_dense_bin *w, basin_rng *rng, double budget);

/* A whole sweep; returns `flips`. */
long basin_dense_bin_sweep(basin_dense_bin *w, basin_rng *rng);

/* The energy of query q's state (see the header comment for the form), from its exact
 * overlaps: O(P). */
double basin_dense_bin_energy(const basin_dense_bin *w, long q);

/* The local drive of spin i of query q: Σ_μ [F(a_μ + ξ_i^μ) − F(a_μ − ξ_i^μ)] in the scaled
 * form the update uses (its sign decides s_i), and through *scale the sum of the
 * magnitudes of its terms (the tie threshold is 1e-12·scale). O(P). */
double basin_dense_bin_drive(basin_dense_bin *w, long q, long i, double *scale);

/* Estimated work of one spin update, in budget units. */
double basin_dense_bin_update_cost(const basin_dense_bin_config *cfg);

#endif
