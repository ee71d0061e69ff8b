/*
 * multigrid.h — the anchored grid Laplacian and its solvers: Gauss–Seidel/SOR sweeps, a
 * Galerkin multigrid V-cycle, and preconditioned conjugate gradients.
 *
 * The operator. Nodes (i, j), i = 0..nx−1, j = 0..ny−1 (1-D: ny = 1) of a square grid;
 * neighbours are joined by edges of weight w_e: 1, except edges that run along the outer
 * boundary of a 2-D grid, which weigh ½ (the trapezoid rule for ½∫|∇Φ|²: the discrete
 * energy ½ Σ_e w_e (Φ_a − Φ_b)² is the finite-volume energy of the dual cells, and the
 * free edge is the natural, i.e. Neumann, boundary). Some nodes are fixed (anchors, a
 * Dirichlet edge): their values are data, not unknowns. At a free node
 *
 *     (A x)_p = d_p x_p − Σ_{q~p} w_pq x_q,      d_p = Σ_{q~p} w_pq + σ_p,
 *
 * with an optional diagonal shift σ ≥ 0 (used by the proximal solver); at a fixed node A
 * is the identity on corrections (they stay 0). Away from the boundary A is h² times the
 * 5-point negative Laplacian −Δ_h. A restricted to the free nodes is symmetric positive
 * definite when every connected part of the grid holds a fixed node or σ > 0 somewhere.
 *
 * Storage. Every grid vector is padded by one ghost layer: stride W = nx + 2, node (i, j)
 * at index (j + 1)·W + i + 1, (nx + 2)(ny + 2) entries. Ghost entries are 0 in every
 * vector and count as fixed. Functions below read and write padded vectors.
 *
 * Multigrid. Level 0 is the operator above; level ℓ+1 halves each dimension that still has
 * at least 3 nodes and at least half the larger dimension's count (n_c = ⌊n/2⌋ + 1, coarse
 * node I at fine node 2I: semi-coarsening keeps long thin grids isotropic). Prolongation P
 * is operator-dependent (Dendy's black-box multigrid): a fine node between coarse nodes
 * takes the average of its parents weighted by its own stencil collapsed onto their line,
 * and couplings to fixed nodes count in the diagonal but not in the weights, so next to an
 * anchor the interpolant dips to the anchor's zero correction. The rows of P at fixed fine
 * nodes are 0 (corrections never move an anchor), and a coarse node sitting on a fixed fine
 * node is fixed itself (its column is removed): anchors survive coarsening — on the coarse
 * nodes where they sit, and through the interpolation weights elsewhere — and the coarse
 * problems stay non-singular even with a free (Neumann) outer edge. With bilinear P the
 * V-cycle's rate would degrade like log n around point anchors (the logarithmic profile of
 * a point constraint cannot be represented); with this P the iteration count does not grow
 * with the grid. Coarse operators are Galerkin products A_c = Pᵀ A P (9-point stencils),
 * so every coarse correction minimises the fine energy over its subspace and the V-cycle
 * converges for any anchor pattern. Smoothing: ν red–black Gauss–Seidel sweeps on level
 * 0 and ν lexicographic sweeps on the 9-point levels, before (forward) and after (reversed
 * order) the coarse correction, so the V-cycle with a zero initial guess is a symmetric
 * positive definite preconditioner. The coarsest level (at most 512 nodes, or nothing left
 * to coarsen) is solved exactly by a dense Cholesky factor (LAPACK dpotrf).
 *
 * Ownership: basin_lap and basin_mg own their arrays; callers own the vectors they pass.
 * No globals; workspaces on different threads are independent.
 */
#ifndef BASIN_MULTIGRID_H
#define BASIN_MULTIGRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fine operator. Callers may read every field; only basin_lap_* write them. */
typedef struct basin_lap {
    long nx, ny;
    long W;        /* stride of a padded row, nx + 2 */
    size_t np;     /* padded entries, (nx + 2)(ny + 2) */
    double *wE;    /* wE[p]: weight of the edge p — p+1 (0 where p+1 is a ghost) */
    double *wN;    /* wN[p]: weight of the edge p — p+W (0 where p+W is a ghost) */
    double *d;     /* diagonal Σ w + σ at every real node (fixed ones too) */
    double *invd;  /* 1/d at free nodes; 0 at fixed nodes and ghosts */
    uint8_t *free; /* 1 at free nodes; 0 at fixed nodes and ghosts */
    long n_free;
} basin_lap;

/* Builds the operator of an nx × ny grid (nx, ny ≥ 1). fixed: nx·ny row-major flags
 * (nonzero = fixed; borrowed). sigma: nx·ny diagonal shifts ≥ 0, or NULL for 0. Writes
 * *out (free with basin_lap_free). Returns 0, BASIN_ENOMEM. */
int basin_lap_alloc(long nx, long ny, const uint8_t *fixed, const double *sigma, basin_lap **out);
/* Frees an operator; accepts NULL. */
void basin_lap_free(basin_lap *L);

/* Padded index of node (i, j). */
static inline size_t basin_lap_index(const basin_lap *L, long i, long j)
{
    return (size_t)(j + 1) * (size_t)L->W + (size_t)(i + 1);
}

/* y = b − A x at free nodes, 0 at fixed nodes and ghosts; b may be NULL for 0. x holds the
 * data at fixed nodes (they enter the free rows). Returns Σ y_p² (the squared norm). */
double basin_lap_residual(const basin_lap *L, const double *b, const double *x, double *y);

/* y = A x at free nodes, 0 elsewhere (x must be 0 at fixed nodes for this to be the
 * restricted operator). Returns xᵀy. */
double basin_lap_apply(const basin_lap *L, const double *x, double *y);

/* One SOR sweep for A x = b, in place, in lexicographic order (forward) or its reverse:
 * x_p ← x_p + ω (b_p − (A x)_p)/d_p at free nodes; fixed nodes keep their values. ω = 1 is
 * Gauss–Seidel. b may be NULL for 0. */
void basin_lap_sor(const basin_lap *L, const double *b, double *x, double omega, bool backward);

/* The multigrid hierarchy (private fields). */
typedef struct basin_mg basin_mg;

/* Builds the Galerkin hierarchy of L (borrowed: it must outlive the hierarchy) with nu
 * smoothing sweeps (1..8) on each side. Returns 0, BASIN_ENOMEM, or BASIN_EDIVERGED when
 * the coarsest operator is not positive definite (no fixed node and σ = 0 somewhere). */
int basin_mg_alloc(const basin_lap *L, int nu, basin_mg **out);
/* Frees a hierarchy; accepts NULL. */
void basin_mg_free(basin_mg *mg);
/* Levels in the hierarchy (≥ 1), and the coarsest level's unknowns. */
int basin_mg_levels(const basin_mg *mg);
long basin_mg_coarsest_size(const basin_mg *mg);
/* Elementary operations of one V-cycle (for admission control and budgets). */
double basin_mg_cycle_cost(long nx, long ny, int nu);

/* z = V r: one V-cycle for A z = r from z = 0 (z is overwritten). r must be 0 at fixed
 * nodes and ghosts; z is 0 there on return. A symmetric positive definite map of r. */
void basin_mg_vcycle(basin_mg *mg, const double *r, double *z);

#endif
