/*
 * harmonic.h — harmonic interpolation on a grid: the field Φ that minimises the discrete
 * Dirichlet energy with anchors held fixed, and its metabolic-sparsity variant.
 *
 * Grid: nodes (i, j) at (i·h, j·h), i = 0..nx−1, j = 0..ny−1, row-major [ny][nx]; 1-D when
 * ny = 1. The discrete energy is the trapezoid / finite-volume form of ½∫|∇Φ|²:
 *
 *     E_h[Φ] = ½ h^{d−2} Σ_edges w_e (Φ_a − Φ_b)²,   w_e = ½ on edges along the outer
 *                                                    boundary of a 2-D grid, 1 otherwise,
 *
 * (see basin/multigrid.h). Its minimiser over the free nodes, with the fixed nodes (the
 * anchors, and with a Dirichlet edge every edge node) at their values, solves the
 * anchored Laplace system A Φ = 0 at free nodes: the 5-point stencil ∇²_h Φ = 0 inside,
 * and the natural (Neumann) condition on a free outer edge. The stencil is exact on
 * cubic polynomials, so a harmonic cubic given as Dirichlet data is reproduced exactly.
 *
 * Solvers (one basin_harmonic_step = one iteration; the residual is ‖b − AΦ‖₂/‖b‖₂ over
 * the free nodes, b the anchors' coupling, from Φ = 0 at free nodes — scipy's convention):
 *   CG         preconditioned conjugate gradients; preconditioner none, jacobi, ssor (one
 *              forward and one backward SOR sweep from 0: symmetric) or multigrid (one
 *              V-cycle, basin/multigrid.h: iteration count independent of the grid size).
 *   MULTIGRID  the V-cycle as a stationary iteration Φ ← Φ + V(b − AΦ).
 *   SOR        lexicographic successive over-relaxation with factor ω.
 *
 * Metabolic sparsity (lambda > 0): minimise E_h[Φ] + λ Σ_p V_p c_p |Φ_p| (V_p = h^d times
 * the trapezoid weight of the node: the discrete λ∫c|Φ|, c ≥ 0 given per node) over the
 * free nodes by ADMM, a proximal method: with the split Φ = z and the scaled dual u,
 *     Φ ← argmin E_h + (ρ/2)‖Φ − z + u‖²   (the SPD system (A + ρI)Φ = ρ(z − u), solved
 *                                           by MG-preconditioned CG warm-started),
 *     z ← S_{κ/ρ}(Φ + u)                   (soft threshold, κ_p = λ h² V_p c_p / h^d),
 *     u ← u + Φ − z,
 * stopping when the primal residual ‖Φ − z‖/max(‖Φ‖, ‖z‖) and the dual residual
 * ρ‖z − z_prev‖/‖ρu‖ are both at most tol (residual = their maximum). ρ starts at
 * rho (0: √8·π/max(nx, ny), the geometric mean of the extreme eigenvalues of A) and is
 * rebalanced by factors of 2 during the first 200 iterations when one residual exceeds
 * the other tenfold (Boyd et al. 2011, §3.4.1). The field returned is z (exactly sparse).
 *
 * Ownership: the workspace copies the mask, values and cost it is given; the caller owns
 * the workspace. No globals.
 */
#ifndef BASIN_HARMONIC_H
#define BASIN_HARMONIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum basin_harmonic_method {
    BASIN_HARMONIC_CG,
    BASIN_HARMONIC_MULTIGRID,
    BASIN_HARMONIC_SOR,
} basin_harmonic_method;

typedef enum basin_harmonic_precond {
    BASIN_PRECOND_NONE,
    BASIN_PRECOND_JACOBI,
    BASIN_PRECOND_SSOR,
    BASIN_PRECOND_MULTIGRID,
} basin_harmonic_precond;

typedef struct basin_harmonic_config {
    long nx, ny; /* nx ≥ 2, ny ≥ 1 */
    double h;    /* spacing > 0 */
    basin_harmonic_method method;
    basin_harmonic_precond precond; /* CG only */
    int nu;                         /* V-cycle smoothing sweeps on each side, 1..8 */
    double omega;                   /* SOR / SSOR factor in (0, 2) */
    double tol;                     /* relative residual to stop at, > 0 */
    double lambda; /* ≥ 0; > 0 selects the proximal (ADMM) solver, method ignored */
    double rho;    /* ADMM penalty > 0, or 0 for the automatic start */
} basin_harmonic_config;

typedef struct basin_harmonic basin_harmonic;

/* Allocates a workspace and builds the operator (and the multigrid hierarchy when the
 * method uses one). fixed: nx·ny flags (nonzero = held); values: nx·ny, read at fixed
 * nodes only; cost: nx·ny values c ≥ 0 (lambda > 0 only; NULL = 1). All borrowed, copied.
 * Free nodes start at 0. Requires a fixed node (asserted by the caller's validation) unless
 * lambda > 0. Returns 0 and writes *out, BASIN_ENOMEM, or BASIN_EDIVERGED when the
 * operator is singular. */
int basin_harmonic_alloc(const basin_harmonic_config *cfg, const uint8_t *fixed,
                         const double *values, const double *cost, basin_harmonic **out);

/* Frees a workspace; accepts NULL. */
void basin_harmonic_free(basin_harmonic *w);

/* One iteration of the configured solver. Returns 1 when the residual is at most tol
 * (then further calls do nothing and return 1), 0 when not yet, BASIN_ENOMEM (ADMM
 * rebalancing), or BASIN_EDIVERGED when the residual is not finite. */
int basin_harmonic_step(basin_harmonic *w);

/* Iterations done, the current residual (see above; 0 when b = 0), and for ADMM the inner
 * CG iterations done and the current ρ. */
long basin_harmonic_iterations(const basin_harmonic *w);
double basin_harmonic_residual(const basin_harmonic *w);
long basin_harmonic_inner_iterations(const basin_harmonic *w);
double basin_harmonic_rho(const basin_harmonic *w);
/* Levels of the multigrid hierarchy (0 when none). */
int basin_harmonic_mg_levels(const basin_harmonic *w);

/* Writes the current field (nx·ny, row-major; for ADMM the sparse iterate z). */
void basin_harmonic_field(const basin_harmonic *w, double *phi);

/* E_h[Φ] = ½ h^{d−2} Σ_e w_e (Φ_a − Φ_b)² of a field phi (nx·ny). */
double basin_harmonic_energy(long nx, long ny, double h, const double *phi);

/* Σ_p V_p c_p |Φ_p| (the discrete ∫c|Φ|); cost NULL = 1. */
double basin_harmonic_l1(long nx, long ny, double h, const double *cost, const double *phi);

/* Elementary operations of one iteration, and of building the workspace. */
double basin_harmonic_step_cost(const basin_harmonic_config *cfg);
double basin_harmonic_setup_cost(const basin_harmonic_config *cfg);

#endif
