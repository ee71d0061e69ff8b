/*
 * fokker_planck.h — the Fokker–Planck equation of overdamped Langevin dynamics on a grid
 * (numerical core).
 *
 *     ∂p/∂t = ∇·(K (∇E p + T ∇p)) = T ∇·(K q ∇(p/q)),   q = e^{−E/T},
 *
 * with a constant symmetric positive-definite mobility K, in d = 1 or 2 dimensions on a box
 * cut into nx (× ny) cells of sides h_x (, h_y), zero flux through the box's boundary
 * (Theorem 6 and Definition 3 of relaxation-fokker-planck.txt).
 *
 * Scheme (conservative finite volumes, Scharfetter–Gummel flux). p_i is the average density
 * of cell i and E_i the energy at its centre. The operator is written as a sum over lattice
 * directions e with weights α_e ≥ 0: K = Σ_e α_e e eᵀ with e1 = (h_x, 0), e2 = (0, h_y) and,
 * for a cross term K_xy ≠ 0, one diagonal e3 = (h_x, sgn(K_xy) h_y):
 *     α3 = |K_xy|/(h_x h_y),  α1 = (K_xx − |K_xy| h_x/h_y)/h_x²,  α2 = (K_yy − |K_xy| h_y/h_x)/h_y²
 * (so that Σ_e α_e (e·∇)² = ∇·K∇), which needs |K_xy| h_x/h_y ≤ K_xx and |K_xy| h_y/h_x ≤ K_yy
 * (diagonal dominance when h_x = h_y; in 1-D α = K/h²). Across each edge between cells i and
 * j = i + e the Scharfetter–Gummel flux — exact for E linear along the edge — moves mass at
 * the rates
 *     R_{i→j} = α_e T B((E_j − E_i)/T),   B(z) = z/(eᶻ − 1)   (Bernoulli, B(0) = 1),
 * and dp_i/dt = Σ_j (R_{j→i} p_j − R_{i→j} p_i) =: (A p)_i. This is the Chang–Cooper /
 * Scharfetter–Gummel discretisation: B > 0 makes A a Markov generator (off-diagonal ≥ 0,
 * columns summing to 0), and R_{i→j} q_i = R_{j→i} q_j exactly (B(z)/B(−z) = e^{−z}), so
 * q_i ∝ e^{−E_i/T} is its stationary law (detailed balance). Consequences, exact in exact
 * arithmetic and to rounding in floating point:
 *   - mass Σ_i p_i V (V = h_x h_y, or h_x) is conserved (every edge moves what it takes);
 *   - explicit steps p ← (I + dt A) p keep p ≥ 0 iff dt ≤ dt_max = 1/max_i Σ_j R_{i→j}
 *     (then I + dt A is a stochastic matrix);
 *   - implicit steps (I − dt A) p' = p keep p ≥ 0 for every dt ((I − dt A)⁻¹ ≥ 0: an M-matrix);
 *   - both step matrices P are stochastic and fix q, so the discrete relative entropy
 *     KL_h(p‖q) = Σ_i V p_i ln(p_i/q_i), with q normalised (Σ V q_i = 1), never increases
 *     (data-processing inequality: KL(Pp‖Pq) ≤ KL(p‖q)), and with it the discrete free
 *     energy F_h[p] = Σ_i V p_i (E_i + T ln p_i) = T KL_h(p‖q) − T ln Z_h,
 *     Z_h = Σ_i V e^{−E_i/T}: F_h decreases to −T ln Z_h, which tends to −T ln Z (the
 *     midpoint rule) as h → 0 for a box holding the Boltzmann bulk.
 * Relaxation rate: A is similar to the symmetric S = Q^{-1/2} A Q^{1/2}
 * (S_ij = √(R_{i→j} R_{j→i})), so its eigenvalues are real, 0 = −λ_0 > −λ_1 ≥ ...; λ_1 is the
 * spectral gap. Late in the run p − q ∝ (per-step factor ρ)ⁿ φ₁ with ρ = 1/(1 + dt λ_1)
 * (implicit) or 1 − dt λ_1 (explicit), and KL ≈ ½ Σ (p − q)²/q decays at twice the scheme's
 * rate g = −ln ρ / dt (provided the initial law has a component along φ₁).
 *
 * Layout and ownership: the state owns every array (density p, energies, rates, the band
 * factorisation); arrays are row-major [ny][nx] (cell (ix, iy) at index iy·nx + ix, centre
 * (lo_x + (ix + ½)h_x, lo_y + (iy + ½)h_y)). Implicit steps solve with an LU factorised
 * once per dt: in 1-D the tridiagonal one (Thomas algorithm; no pivoting is needed, as
 * I − dt A is an M-matrix diagonally dominant by columns), in 2-D a band LU (LAPACK
 * dgbtrf/dgbtrs, kl = ku = nx + 1 with a cross term, nx without). No globals.
 */
#ifndef BASIN_FOKKER_PLANCK_H
#define BASIN_FOKKER_PLANCK_H

#include <stdbool.h>

#include "basin/langevin.h"

typedef enum basin_fp_scheme {
    BASIN_FP_EXPLICIT = 0,
    BASIN_FP_IMPLICIT,
} basin_fp_scheme;

#define BASIN_FP_MAX_EDGES 4 /* directions: x, y, one diagonal (stored as one more slot) */

typedef struct basin_fp {
    int d;        /* 1 or 2 */
    long nx, ny;  /* cells per axis (ny = 1 in 1-D) */
    long n;       /* nx·ny */
    double lo[2]; /* lower corner */
    double h[2];  /* cell sides (h[1] = 1 in 1-D) */
    double vol;   /* cell volume h_x h_y (h_x in 1-D) */
    double T;     /* temperature, > 0 */
    double dt;    /* step, > 0 */
    basin_fp_scheme scheme;
    long step;                    /* steps taken */
    double *p;                    /* owned: density, n */
    double *E;                    /* owned: energy at the cell centres, n */
    double *log_q;                /* owned: ln q_i of the normalised discrete Boltzmann law, n */
    double log_Zh;                /* ln Z_h = ln Σ_i V e^{−E_i/T} */
    int n_dirs;                   /* lattice directions with α > 0 */
    long off[BASIN_FP_MAX_EDGES]; /* index offset of the neighbour j = i + off */
    long dx[BASIN_FP_MAX_EDGES], dy[BASIN_FP_MAX_EDGES]; /* the direction in cells */
    double *rate_fwd[BASIN_FP_MAX_EDGES]; /* owned: R_{i→i+off} per cell i (0 off the grid) */
    double *rate_bwd[BASIN_FP_MAX_EDGES]; /* owned: R_{i+off→i} per cell i */
    double *out_rate;                     /* owned: Σ_j R_{i→j} per cell */
    double *work;                         /* owned: n */
    /* implicit, 1-D: the tridiagonal LU of I − dt A, 3n: multipliers l_i, 1/u_ii and the
     * superdiagonal */
    double *tri; /* owned, or NULL */
    /* implicit, 2-D: band LU of I − dt A in LAPACK's column-major band storage */
    int kl;       /* = ku */
    int ldab;     /* 2·kl + kl + 1 */
    double *band; /* owned: ldab·n, or NULL */
    int *ipiv;    /* owned: n */
} basin_fp;

/* Lattice weights α of a mobility on cells of sides h (see the file comment). Writes
 * alpha[0..2] = α_x, α_y, α_diag (1-D: alpha[0] only) and *diag_sign (±1) and returns 0, or
 * BASIN_EINVAL when d ∉ {1, 2}, K fails basin_langevin_mobility_check, or (2-D) a weight
 * would be negative: |K_xy| h_x/h_y > K_xx or |K_xy| h_y/h_x > K_yy. */
int basin_fp_lattice_weights(int d, const basin_mobility *K, const double *h, double *alpha,
                             int *diag_sign);

/* Sets up the grid: d ∈ {1, 2}, cells[0..d) ≥ 2 per axis, the box [lo, hi] (lo < hi per
 * axis), E (copied and prepared), K (see basin_fp_lattice_weights), T > 0, dt > 0 and the
 * scheme. p is allocated and zeroed; set it with basin_fp_set_*. The explicit scheme is
 * accepted with any dt (see basin_fp_dt_max: above it p may turn negative). Returns 0,
 * BASIN_EINVAL, or BASIN_ENOMEM (s freeable either way). Cost: O(n) for the rates, plus the
 * band factorisation O(n kl²) for the implicit scheme. */
int basin_fp_init(basin_fp *s, int d, const long *cells, const double *lo, const double *hi,
                  const basin_energy *E, const basin_mobility *K, double T, double dt,
                  basin_fp_scheme scheme);

/* Releases everything; accepts NULL and a zeroed or failed-init struct. */
void basin_fp_free(basin_fp *s);

/* The explicit step's positivity limit 1/max_i Σ_j R_{i→j}. */
double basin_fp_dt_max(const basin_fp *s);

/* The same limit for the grid basin_fp_init would build from these arguments, computed
 * row by row without building it (3 rows of energies: O(nx) memory, one energy evaluation
 * per cell), for validating params. Returns +Inf when no rate is positive, NAN when the
 * arguments are invalid or an energy is not finite. */
double basin_fp_dt_max_grid(int d, const long *cells, const double *lo, const double *hi,
                            const basin_energy *E, const basin_mobility *K, double T);

/* Initial densities, each normalised to mass Σ p V = 1 over the grid. set_point puts all
 * the mass in the cell holding x0 (BASIN_EINVAL when x0 is off the grid); set_gaussian
 * gives each cell the mass of N(mean, std² I) over it (products of erf differences), std > 0
 * (BASIN_EINVAL when the grid holds less than 1e-300 of it); set_uniform the fraction of
 * the box [low, high] it overlaps (BASIN_EINVAL when they do not overlap). */
int basin_fp_set_point(basin_fp *s, const double *x0);
int basin_fp_set_gaussian(basin_fp *s, const double *mean, double std);
int basin_fp_set_uniform(basin_fp *s, const double *low, const double *high);

/* Advances n ≥ 0 steps. Returns 0, or BASIN_EDIVERGED (s->step is the step) when a density
 * became non-finite or negative beyond rounding (−1e-12 of the largest). */
int basin_fp_advance(basin_fp *s, long n);

/* Diagnostics of the current density. */
typedef struct basin_fp_stats {
    double mass;        /* Σ V p_i */
    double mean_energy; /* Σ V p_i E_i */
    double entropy;     /* −Σ V p_i ln p_i */
    double free_energy; /* mean_energy − T entropy */
    double kl;          /* KL_h(p/m ‖ q) = Σ V (p_i/m) ln(p_i/(m q_i)), m the mass: the
                         * normalised density's, so that the mass's rounding drift does not
                         * enter linearly (F − (−T ln Z_h) = T·KL up to that drift) */
    double min_p;       /* smallest p_i */
} basin_fp_stats;

void basin_fp_measure(const basin_fp *s, basin_fp_stats *out);

/* Asked between passes of basin_fp_spectral_gap; returning true stops it. */
typedef bool (*basin_fp_poll)(void *user);

/* The spectral gap λ_1 of the generator A, by inverse iteration on the zero-mass subspace
 * with a band LU of I + τ(−A), τ = 1e6 / max_i Σ_j R_{i→j} (so that each pass contracts the
 * other modes by about (1 + τλ_1)/(1 + τλ_2), ≈ λ_1/λ_2 when τλ_1 ≫ 1), until the estimate
 * changes by less than 1e-12 relative (at most 500 passes). Writes *gap and returns 0,
 * BASIN_ECANCELLED (poll, which may be NULL, said stop), BASIN_ENOMEM or BASIN_EINVAL
 * (singular factorisation). Cost: one band factorisation plus one band solve per pass. */
int basin_fp_spectral_gap(const basin_fp *s, basin_fp_poll poll, void *user, double *gap);

/* The scheme's per-unit-time contraction rate of the mode of eigenvalue λ:
 * ln(1 + dt λ)/dt (implicit) or −ln(1 − dt λ)/dt (explicit, dt λ < 1). */
double basin_fp_scheme_rate(const basin_fp *s, double lambda);

#endif
