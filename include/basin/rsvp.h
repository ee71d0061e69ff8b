/*
 * rsvp.h — the coupled scalar, vector and entropy fields of RSVP (rsvp-sparse-fields.txt
 * §2, §12; models.md §B):
 *
 *     ∂Φ/∂t = D ∇²Φ − ∇·v
 *     S     = |∇Φ|²
 *     ∂v/∂t = −γ ∇S − δ ∇η + f − μ v + ν ∇²v
 *
 * Staggered grid (Arakawa C): nx × ny cells of side h, Φ, S, η, c at the cell centres
 * (cell (i, j) at (i·h, j·h)), vx on the x-faces ((i+½)·h, j·h) between cells (i, j) and
 * (i+1, j), vy on the y-faces (i·h, (j+½)·h). Arrays are row-major [ny][nx]; vx[j][i] is
 * the east face of cell (i, j), vy[j][i] its north face.
 *
 * Discretisation (conservative, explicit Euler in time, all terms from the old state):
 *   face gradients   g_x = (Φ_{i+1,j} − Φ_{i,j})/h,  g_y likewise;
 *   Φ update         Φ ← Φ − (dt/h) Σ_faces ±F,  F = −D g + v  (flux form: with periodic
 *                    or Neumann boundaries the fluxes telescope and ΣΦ is conserved to
 *                    rounding);
 *   entropy          S_{ij} = ½(g²_{x,i−½} + g²_{x,i+½}) + ½(g²_{y,j−½} + g²_{y,j+½}),
 *                    so Σ S h² = Σ_faces g² h² (boundary faces of a non-periodic grid
 *                    count ½: the half of the face's dual cell inside the box), and the
 *                    discrete Dirichlet energy is ½ Σ S h²;
 *   v update         at each face, −γ (S_{i+1} − S_i)/h − δ (η_{i+1} − η_i)/h + f − μ v
 *                    + ν ∇²_h v (5-point on the face lattice).
 * With periodic boundaries every gradient term sums to zero over the faces, so
 * Σv(t) = Σv₀ + t Σf exactly when μ = 0; with γ = δ = 0 and v = 0 a Fourier mode of Φ
 * decays by 1 − 4 D dt/h² (sin²(πk/nx) + sin²(πl/ny)) per step.
 * Boundaries (ghost cells / faces):
 *   periodic   everything wraps;
 *   neumann    no flux: ∂Φ/∂n = 0, v·n = 0 on the boundary faces, free slip
 *              (∂v_t/∂n = 0) for the viscous term; ΣΦ conserved;
 *   dirichlet  Φ = Φ_b on the boundary faces (ghost 2Φ_b − Φ), v·n = 0, no slip
 *              (v_t = 0) for the viscous term.
 * Boundary faces of non-periodic grids (vx[j][nx−1], vy[ny−1][i]) hold v·n = 0.
 * Anchors: cells held at w_k + rate_k·t after every step (they act as sources).
 *
 * Stability: explicit Euler is stable for the linear terms when dt ≤ h²/(4D) and
 * dt ≤ 2/(μ + 8ν/h²) (the second only when μ + ν > 0; Gershgorin bound 8/h² of the 5-point
 * operator with any of the ghost rules above). The γ coupling, linearised about a gradient
 * G, couples Φ and ∇·v with a rate κ ≤ γ·(2|G|/h)·(8/h²) = 16γ|G|/h³ at the grid scale,
 * whose eigenvalues ~√κ need dt√κ ≤ ½: dt ≤ h^{3/2}/(8√(γ|G|)). So
 *     dt_max = min(h²/(4D), 2/(μ + 8ν/h²), h^{3/2}/(8√(γ G_max)))
 * with G_max a bound on |∇Φ| of the initial state (the caller's). Physically the
 * linearised system grows at rates up to 4γ²|G|²/D³ (small wavenumbers) unless the
 * friction μ exceeds that bound; blow-up is detected (non-finite values, or
 * Σ|Φ| + Σ|v| > 1e150·cells) and reported as BASIN_EDIVERGED with the step.
 *
 * Ownership: the workspace owns every array; callers fill the inputs through the
 * pointers below before the first step. No globals.
 */
#ifndef BASIN_RSVP_H
#define BASIN_RSVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum basin_rsvp_boundary {
    BASIN_RSVP_PERIODIC,
    BASIN_RSVP_NEUMANN,
    BASIN_RSVP_DIRICHLET,
} basin_rsvp_boundary;

typedef struct basin_rsvp_config {
    long nx, ny;                 /* ≥ 2 */
    double h;                    /* > 0 */
    double D;                    /* > 0 */
    double gamma, delta, mu, nu; /* ≥ 0 */
    double lambda;               /* weight of ∫c|Φ| in the free energy, ≥ 0 */
    double dt;                   /* 0 < dt ≤ dt_max */
    basin_rsvp_boundary boundary;
} basin_rsvp_config;

typedef struct basin_rsvp_diag {
    double mass;             /* Σ Φ h² */
    double dirichlet_energy; /* ½ Σ S h² (= ½ Σ_faces g² h², see above) */
    double entropy;          /* Σ S h² */
    double free_energy;      /* Σ_cells ½Σ_{its 4 faces}(g − v)² h² + λ Σ c|Φ| h²: the
                                discrete ∫(|∇Φ − v|² + λc|Φ|), with the weights of S */
    double kinetic;          /* ½ Σ_faces v² h² */
    double divergence_l2;    /* (Σ (∇·v)² h²)^½, ∇·v at the cells */
    double max_speed;        /* max over cells of |v| (face values averaged to the cell) */
} basin_rsvp_diag;

typedef struct basin_rsvp {
    /* read-only for callers */
    basin_rsvp_config cfg;
    long step;   /* steps done */
    double time; /* step · dt */
    /* inputs, [ny][nx] each, written by the caller before the first step (zero-filled) */
    double *phi0, *vx0, *vy0; /* initial fields (copied in by basin_rsvp_start) */
    double *eta, *cost;       /* η and c at the cells */
    double *fx, *fy;          /* forcing on the faces */
    double *bW, *bE;          /* dirichlet Φ_b on the west/east boundary faces, [ny] */
    double *bS, *bN;          /* south/north, [nx] */
    /* private */
    long W;                  /* padded stride nx + 2 */
    size_t np;               /* padded size (nx + 2)(ny + 2) */
    double *phi, *vx, *vy;   /* padded state */
    double *phn, *vxn, *vyn; /* padded next state */
    double *S, *eta_p;       /* padded entropy and η */
    double *Gx, *Gy;         /* static face forcing −δ∇η + f (padded) */
    long n_anchors;
    size_t *a_idx; /* padded cell indices */
    double *a_w, *a_rate;
} basin_rsvp;

/* dt_max (see above) for initial gradients bounded by grad (≥ 0); finite as D > 0. */
double basin_rsvp_dt_max(const basin_rsvp_config *cfg, double grad);

/* Allocates a workspace with zeroed inputs. Requires nx, ny ≥ 2, h, D > 0 (asserted by the
 * caller's validation). Returns 0 and writes *out, or BASIN_ENOMEM. */
int basin_rsvp_alloc(const basin_rsvp_config *cfg, basin_rsvp **out);

/* Frees a workspace; accepts NULL. */
void basin_rsvp_free(basin_rsvp *w);

/* Sets the anchors: n cells (i[k], j[k]) held at w[k] + rate[k]·t (arrays borrowed,
 * copied; rate may be NULL for 0). Returns 0 or BASIN_ENOMEM. */
int basin_rsvp_set_anchors(basin_rsvp *w, long n, const long *i, const long *j, const double *val,
                           const double *rate);

/* Copies the initial fields in, builds the static forcing, applies the anchors at t = 0
 * and resets step and time. Call after filling the inputs. */
void basin_rsvp_start(basin_rsvp *w);

/* Advances n steps. Returns 0, or BASIN_EDIVERGED when the state blew up (w->step is
 * then the step that produced it; the state is that step's). */
int basin_rsvp_advance(basin_rsvp *w, long n);

/* The diagnostics of the current state. */
void basin_rsvp_diagnostics(basin_rsvp *w, basin_rsvp_diag *d);

/* Writes the current Φ, vx, vy, S ([ny][nx] each; any may be NULL). */
void basin_rsvp_fields(basin_rsvp *w, double *phi, double *vx, double *vy, double *S);

/* Elementary operations of one step and of one set of diagnostics. */
double basin_rsvp_step_cost(const basin_rsvp_config *cfg);
double basin_rsvp_diag_cost(const basin_rsvp_config *cfg);

#endif
