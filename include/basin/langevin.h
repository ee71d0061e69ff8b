/*
 * langevin.h — overdamped Langevin dynamics of a particle ensemble (numerical core).
 *
 * M independent particles x_i ∈ R^d (d = 1..3) follow the stochastic dynamics of
 * Theorem 8 (relaxation-fokker-planck.txt) with a constant symmetric positive-definite
 * mobility K, so that the T ∇·K term vanishes:
 *
 *     dx = −K ∇E(x) dt + √(2T) dW,    dW ~ N(0, K dt),
 *
 * whose Fokker–Planck equation relaxes every initial law to the Boltzmann law
 * q_E = exp(−E/T)/Z. With K = L Lᵀ (Cholesky), σ = √(2T dt) and ξ_n ~ N(0, I_d) the two
 * integrators are
 *
 *     euler_maruyama   x_{n+1} = x_n − dt K ∇E(x_n) + σ L ξ_{n+1}
 *     baoab            x_{n+1} = x_n − dt K ∇E(x_n) + σ L (ξ_n + ξ_{n+1})/2
 *
 * `baoab` is the overdamped (high-friction) limit of the BAOAB splitting, the
 * Leimkuhler–Matthews scheme (Leimkuhler & Matthews 2013, "Rational construction of
 * stochastic numerical methods for molecular sampling", AMRX): same cost as
 * Euler–Maruyama (one gradient and d normals per particle and step), but each normal is
 * used in two consecutive steps. Its invariant law is second-order accurate in dt where
 * Euler–Maruyama's is first-order; for the harmonic energy it is exactly the Boltzmann law
 * (below).
 *
 * Energies are tagged values (basin_energy), all in d = 1..3 dimensions:
 *   harmonic           E = ½ k |x − c|²                                  (Ornstein–Uhlenbeck)
 *   double_well        E = Σ_a h ((x_a/a)² − 1)²      minima at x_a = ±a, barrier h per axis
 *   polynomial         E = Σ_a P(x_a), P(x) = Σ_j c_j x^j (degree even ≥ 2, c_deg > 0)
 *   gaussian_mixture   E = −ln Σ_k w_k N(x; μ_k, Σ_k)   (q_E at T = 1 is the mixture itself)
 * double_well and polynomial act on each coordinate separately (q_E is then a product of
 * one-dimensional laws).
 *
 * Layout and ownership (GSL style): the caller owns the basin_langevin struct and the
 * positions array x of M·d doubles, particle-major (coordinate a of particle i is
 * x[i*d + a]); the state borrows x for its lifetime and owns its workspace and random
 * streams, released by basin_langevin_free(). No globals.
 *
 * Random streams. The particles are split into blocks of BASIN_LANGEVIN_BLOCK coordinates
 * (whole particles); block b draws every normal and uniform it needs — initial law, then
 * steps — from its own generator, basin_normal_gen stream b of the seed, in its own fixed
 * order. The blocks are independent, so the result does not depend on the order in which
 * they are processed: the core advances each block by many steps while it sits in the L1
 * cache (the positions of a large ensemble do not fit in any cache), and the same seed
 * gives bit-identical positions however the steps are split into advance() calls.
 *
 * Closed forms for the harmonic energy with scalar mobility K = κ·I, per dimension, for an
 * initial law with mean m₀ and variance v₀ (independent coordinates), r = 1 − κk dt:
 *
 *   continuous time (OU, solved with y = e^{κkt}(x − c), as in lectures eq. 9.2–9.5):
 *     mean(t) = c + (m₀ − c) e^{−κkt}
 *     var(t)  = T/k + (v₀ − T/k) e^{−2κkt}          → T/k, the Boltzmann variance
 *   (the lectures' limit "σ/(2√2 κ)" for dx = −κx dt + σ dW is a typo: the stationary
 *   variance is σ²/(2κ), which with σ² = 2Tκ and drift κk gives T/k);
 *
 *   Euler–Maruyama with step dt, exactly (stable iff |r| < 1, i.e. dt < 2/(κk)):
 *     mean_n − c = (m₀ − c) rⁿ
 *     v_{n+1} = r² v_n + 2Tκ dt   ⇒   v_n = v∞ + (v₀ − v∞) r²ⁿ,
 *     v∞ = 2Tκ dt / (1 − r²) = (T/k) / (1 − κk dt/2)   (an O(dt) excess over T/k);
 *
 *   baoab, exactly: the same mean; with s² = 2Tκ dt, x_n is correlated with the ξ_n it
 *   passes on (Cov(x_n, ξ_n) = s/2 for n ≥ 1, 0 for n = 0), so
 *     v_1 = r² v₀ + s²/2,   v_{n+1} = r² v_n + (s²/2)(1 + r)   (n ≥ 1)
 *     ⇒ v_n = v∞ + (v_1 − v∞) r^{2(n−1)},  v∞ = s²(1 + r)/(2(1 − r²)) = T/k exactly.
 *
 * For a matrix mobility the same formulas hold in the eigenbasis of K, mode by mode with
 * κ → λ_j; the stationary EM covariance is (T/k)(I − (k dt/2) K)^{-1}, baoab's (T/k) I.
 */
#ifndef BASIN_LANGEVIN_H
#define BASIN_LANGEVIN_H

#include <stdbool.h>
#include <stdint.h>

#include "basin/rng.h"

#define BASIN_LANGEVIN_MAX_DIM      3
#define BASIN_ENERGY_MAX_COMPONENTS 16 /* gaussian_mixture */
#define BASIN_ENERGY_MAX_DEGREE     12 /* polynomial */

/* ---- energies ------------------------------------------------------------------------- */

typedef enum basin_energy_type {
    BASIN_ENERGY_HARMONIC = 0,     /* E = ½ k |x − c|² */
    BASIN_ENERGY_DOUBLE_WELL,      /* E = Σ_a h ((x_a/a)² − 1)² */
    BASIN_ENERGY_GAUSSIAN_MIXTURE, /* E = −ln Σ_k w_k N(x; μ_k, Σ_k) */
    BASIN_ENERGY_POLYNOMIAL,       /* E = Σ_a Σ_j c_j x_a^j */
} basin_energy_type;

/* A tagged energy: `type` says which member of the union is meaningful. Plain value (no
 * pointers): copy it freely. A gaussian_mixture must be prepared by
 * basin_langevin_energy_prepare() before any other use. */
typedef struct basin_energy {
    basin_energy_type type;
    union {
        struct {
            double k;                         /* stiffness, > 0 */
            double c[BASIN_LANGEVIN_MAX_DIM]; /* centre, first d entries used */
        } harmonic;
        struct {
            double h; /* barrier height per axis, > 0 */
            double a; /* minima at ±a, > 0 */
        } double_well;
        struct {
            int degree;                            /* even, 2..BASIN_ENERGY_MAX_DEGREE */
            double c[BASIN_ENERGY_MAX_DEGREE + 1]; /* c[j] multiplies x^j; c[degree] > 0 */
        } polynomial;
        struct {
            int n;                                 /* components, 1..16 */
            double w[BASIN_ENERGY_MAX_COMPONENTS]; /* weights, sum 1 */
            double mean[BASIN_ENERGY_MAX_COMPONENTS * BASIN_LANGEVIN_MAX_DIM]; /* μ_k: [k*d+a] */
            double cov[BASIN_ENERGY_MAX_COMPONENTS * BASIN_LANGEVIN_MAX_DIM *
                       BASIN_LANGEVIN_MAX_DIM]; /* Σ_k: d×d row-major at [k*d*d] */
            /* filled by basin_langevin_energy_prepare: */
            double prec[BASIN_ENERGY_MAX_COMPONENTS * BASIN_LANGEVIN_MAX_DIM *
                        BASIN_LANGEVIN_MAX_DIM];      /* Σ_k⁻¹ */
            double logc[BASIN_ENERGY_MAX_COMPONENTS]; /* ln w_k − ½ ln det(2π Σ_k) */
            double curv;                              /* max_k λ_max(Σ_k⁻¹) */
        } mixture;
    } u;
} basin_energy;

/* Checks the parameters of E in d dimensions and, for a mixture, computes its derived
 * fields. Returns 0, or BASIN_EINVAL (E unchanged) when d ∉ [1, 3] or a parameter is out
 * of its domain: k, h, a ≤ 0 or not finite; a polynomial degree odd, < 2 or > 12, or
 * c_deg ≤ 0; mixture n ∉ [1, 16], a weight ≤ 0, weights not summing to 1 within 1e-9, or a
 * covariance not symmetric (1e-12 relative) positive definite. When `bad` is not NULL it
 * receives the index of the offending mixture component (−1 for anything else). */
int basin_langevin_energy_prepare(basin_energy *E, int d, int *bad);

/* E(x) for one point x[0..d). */
double basin_langevin_energy(const basin_energy *E, int d, const double *x);

/* g[0..d) = ∇E(x) for one point. */
void basin_langevin_energy_gradient(const basin_energy *E, int d, const double *x, double *g);

/* The smallest value of E (0 for harmonic and double_well, min P per axis × d for a
 * polynomial, found numerically; for a mixture the smallest of E at the component means,
 * an upper bound on the minimum that is only used as a reference level). */
double basin_langevin_energy_min(const basin_energy *E, int d);

/* The Boltzmann bulk of E at temperature T > 0: per axis an interval [lo_a, hi_a] outside
 * of which q_E carries a mass below about e^{−25} per axis (for the separable energies,
 * {x : E_axis(x) − min ≤ 25T}; harmonic c_a ± √(50T/k); mixture ∪_k μ_ka ± √(50 T Σ_k,aa)).
 * At T = 0 the intervals shrink to the minima. */
void basin_langevin_energy_bulk(const basin_energy *E, int d, double T, double *lo, double *hi);

/* An upper bound κ_E on the largest eigenvalue of the Hessian of E over the box
 * [lo, hi] (per axis): k (harmonic); max_k λ_max(Σ_k⁻¹), a bound on the whole space
 * (mixture: −∇² ln Σ w N = Σ r_k Σ_k⁻¹ − Cov_r(Σ_k⁻¹(x − μ_k)) ≤ Σ r_k Σ_k⁻¹); the largest
 * P''(x) over the box (separable energies; exact for double_well, from a 4097-point scan
 * plus the endpoints for a polynomial). At least 0. */
double basin_langevin_energy_curvature(const basin_energy *E, int d, const double *lo,
                                       const double *hi);

/* ---- mobility ------------------------------------------------------------------------- */

/* K = κ·I (matrix == false) or the given d×d symmetric positive-definite matrix. */
typedef struct basin_mobility {
    bool matrix;
    double kappa;                                              /* > 0, when !matrix */
    double K[BASIN_LANGEVIN_MAX_DIM * BASIN_LANGEVIN_MAX_DIM]; /* row-major d×d, when matrix */
} basin_mobility;

/* Checks K (symmetric to 1e-12 relative and positive definite) and writes its smallest
 * and largest eigenvalues (κ, κ for a scalar). Returns 0, or BASIN_EINVAL (nothing
 * written) when d is out of range, κ ≤ 0, K is not symmetric or not positive definite. */
int basin_langevin_mobility_check(int d, const basin_mobility *K, double *lambda_min,
                                  double *lambda_max);

/* Eigen-decomposition of a symmetric d×d matrix A (d ≤ 3; cyclic Jacobi): A = Q diag(w) Qᵀ,
 * w ascending, eigenvectors in the columns of Q (row-major; Q may be NULL). */
void basin_langevin_symeig(int d, const double *A, double *w, double *Q);

/* The explicit step's stability limit on dt: 2/(κ_E λ_max(K)) with κ_E the curvature
 * bound of E over the box [lo, hi] (see basin_langevin_energy_curvature). For the harmonic
 * energy it is exact (the iteration x − c ← (I − k dt K)(x − c) + noise is stable iff
 * dt < 2/(k λ_max)) and the box is not used (may be NULL); for the others it is the linear
 * stability limit of the drift over the box, a necessary condition (an explicit step of a
 * superlinear drift can still blow up from far enough away). Returns +Inf when κ_E = 0.
 * Inputs must be valid (prepare and mobility_check passed). */
double basin_langevin_dt_limit(int d, const basin_energy *E, const basin_mobility *K,
                               const double *lo, const double *hi);

/* ---- the ensemble --------------------------------------------------------------------- */

typedef enum basin_langevin_integrator {
    BASIN_LANGEVIN_EULER_MARUYAMA = 0,
    BASIN_LANGEVIN_BAOAB, /* overdamped limit of BAOAB (Leimkuhler–Matthews) */
} basin_langevin_integrator;

/* Coordinates per random-stream block: divisible by 1, 2, 3 and BASIN_NORMAL_LANES. */
#define BASIN_LANGEVIN_BLOCK 768

typedef struct basin_langevin {
    int d;            /* dimensions, 1..3 */
    long M;           /* particles, ≥ 1 */
    double *x;        /* borrowed: M·d positions, particle-major */
    basin_energy E;   /* copied */
    basin_mobility K; /* copied */
    double L[BASIN_LANGEVIN_MAX_DIM * BASIN_LANGEVIN_MAX_DIM]; /* K = L Lᵀ, lower, row-major */
    double T;                                                  /* temperature, ≥ 0 */
    double dt;                                                 /* time step, > 0 */
    basin_langevin_integrator integrator;
    long step;             /* steps taken since init */
    long polled;           /* coordinate updates since the last poll */
    long per_block;        /* particles per block */
    long n_blocks;         /* ⌈M / per_block⌉ */
    basin_normal_gen *gen; /* owned: one generator per block */
    double *xi;            /* owned (baoab): ξ_n of every coordinate, M·d; else NULL */
    double *work;          /* owned: normals and gradients of one block */
} basin_langevin;

/* Prepares s to advance the M·d positions in x (borrowed; not read here) with random
 * streams from `seed`. E (prepared) and K are copied. Returns 0; BASIN_EINVAL when
 * d ∉ [1, 3], M < 1, T < 0 or not finite, dt ≤ 0 or not finite, E fails
 * basin_langevin_energy_prepare, or K fails basin_langevin_mobility_check (dt above the
 * stability limit is allowed: the core can be driven into divergence on purpose);
 * BASIN_ENOMEM. On failure s is left freeable. */
int basin_langevin_init(basin_langevin *s, int d, long M, double *x, const basin_energy *E,
                        const basin_mobility *K, double T, double dt,
                        basin_langevin_integrator integrator, uint64_t seed);

/* Releases the workspace and streams; accepts NULL and a zeroed or failed-init struct.
 * x is not touched (it is the caller's). */
void basin_langevin_free(basin_langevin *s);

/* Initial laws; call before the first advance. set_point sets every particle to
 * x0[0..d). set_gaussian draws x_ia = mean_a + std·ξ (std ≥ 0), set_uniform
 * x_ia = low_a + (high_a − low_a)·U (low_a ≤ high_a), each block from its own stream. */
void basin_langevin_set_point(basin_langevin *s, const double *x0);
void basin_langevin_set_gaussian(basin_langevin *s, const double *mean, double std);
void basin_langevin_set_uniform(basin_langevin *s, const double *low, const double *high);

/* Asked about every BASIN_LANGEVIN_POLL_EVERY coordinate updates; returning true stops
 * basin_langevin_advance(). */
typedef bool (*basin_langevin_poll)(void *user);
#define BASIN_LANGEVIN_POLL_EVERY (1L << 20)

/* Advances the ensemble by n ≥ 0 steps of the integrator. `poll` may be NULL. Returns
 *   0                  all n steps done; s->step grew by n;
 *   BASIN_EDIVERGED    a coordinate became ±Inf or NaN; s->step is the first step that
 *                      made one (the positions are then partly beyond it and should only
 *                      be inspected for non-finite values);
 *   BASIN_ECANCELLED   poll returned true; the blocks may be at different steps
 *                      (s->step counts the steps every block completed) and the ensemble
 *                      should only be discarded. */
int basin_langevin_advance(basin_langevin *s, long n, basin_langevin_poll poll, void *user);

/* Ensemble moments: per-dimension sample mean and unbiased sample variance (divisor M − 1;
 * 0 when M = 1), and the mean energy ⟨E⟩. */
typedef struct basin_langevin_moments {
    double mean[BASIN_LANGEVIN_MAX_DIM];
    double var[BASIN_LANGEVIN_MAX_DIM];
    double mean_energy;
} basin_langevin_moments;

void basin_langevin_measure(const basin_langevin *s, basin_langevin_moments *out);

/* ---- histogram estimators: entropy and KL to the Boltzmann law -------------------------
 *
 * A regular grid of `bins` cells per axis over the box [lo, hi] (B = bins^d cells of volume
 * V) counts the particles: p̂_j = n_j/M, p̂_out the fraction outside the box. With Q_j the
 * Boltzmann mass of cell j (tensor Gauss–Legendre, 4 nodes per axis and cell, of
 * exp(−E/T)/Z) and Q_out = 1 − Σ Q_j:
 *
 *   entropy  Ĥ = −Σ_j p̂_j ln(p̂_j / V) + (B_occ − 1)/(2M)
 *   KL       D̂ = Σ_j p̂_j ln(p̂_j / Q_j) + p̂_out ln(p̂_out / Q_out) − (B_occ − 1)/(2M)
 *
 * with B_occ the number of occupied cells (the outside counting as one when occupied).
 * The last terms are the Miller–Madow correction: the plug-in estimates of a law over B
 * cells from M samples are biased by −(B − 1)/(2M) (entropy) and +(B − 1)/(2M) (KL to a
 * known law) to first order in 1/M; with the occupied count in place of B the corrected
 * estimates are unbiased to O(1/M) (Miller 1955; Paninski 2003, Neural Comput. 15, §3).
 * Left uncorrected: the binning itself. Ĥ estimates the differential entropy of the law
 * smoothed over cells, H[p] + O(V^{2/d}) for a smooth density, and needs the particles in
 * the box (the outside fraction is left out of Ĥ and reported); D̂ is the KL between the
 * two laws coarse-grained to the cells, a lower bound on KL(p‖q_E) by the data-processing
 * inequality, equal to it up to O(V^{2/d}) for smooth laws. D̂ can come out slightly
 * negative near equilibrium (its noise is ≈ √(2(B_occ − 1))/(2M)).
 * Free energy: F̂ = ⟨E⟩ − T Ĥ (Definition 2); at equilibrium F → −T ln Z. */

typedef struct basin_langevin_hist {
    int d, bins;
    double lo[BASIN_LANGEVIN_MAX_DIM], hi[BASIN_LANGEVIN_MAX_DIM];
    long cells;      /* bins^d */
    double log_vol;  /* ln V */
    double log_Z;    /* ln Z of exp(−E/T) over R^d */
    double *log_q;   /* owned: ln Q_j, cells */
    double log_qout; /* ln Q_out (−Inf when it rounds to 0) */
    long *count;     /* owned: counts, cells */
} basin_langevin_hist;

/* The partition function of exp(−E/T), T > 0, over R^d: closed form for harmonic
 * ((d/2) ln(2πT/k)) and for a mixture at T = 1 (0); d · ln Z₁ for the separable energies
 * (Z₁ by composite 8-node Gauss–Legendre over the Boltzmann bulk in 2048 panels); tensor
 * Gauss–Legendre over the bulk box widened by a quarter on each side otherwise (1-D 1024
 * panels × 4 nodes, 2-D 128² × 4², 3-D 20³ × 4³: at most 5·10⁵ energy evaluations). Writes
 * *log_Z; returns 0 or BASIN_ENOMEM. */
int basin_langevin_log_partition(const basin_energy *E, int d, double T, double *log_Z);

/* Sets up h for E at temperature T > 0 over the box [lo, hi] (lo_a < hi_a) with
 * `bins` ≥ 1 cells per axis. Returns 0, BASIN_EINVAL, or BASIN_ENOMEM (h freeable). */
int basin_langevin_hist_init(basin_langevin_hist *h, const basin_energy *E, int d, double T,
                             int bins, const double *lo, const double *hi);
void basin_langevin_hist_free(basin_langevin_hist *h);

typedef struct basin_langevin_hist_stats {
    double entropy; /* Ĥ */
    double kl;      /* D̂ */
    double outside; /* p̂_out */
    long occupied;  /* B_occ */
} basin_langevin_hist_stats;

/* Histogram of the M particles x (particle-major, h->d coordinates each) and its
 * estimates. */
void basin_langevin_hist_measure(basin_langevin_hist *h, const double *x, long M,
                                 basin_langevin_hist_stats *out);

/* ---- closed forms (harmonic energy) --------------------------------------------------- */

/* Mean and variance of one coordinate. */
typedef struct basin_langevin_ou {
    double mean, var;
} basin_langevin_ou;

/* Continuous-time OU law at time t ≥ 0 of one coordinate: E = ½ k (x − c)², mobility κ,
 * initial mean m0 and variance v0 (see the file comment). */
basin_langevin_ou basin_langevin_ou_exact(double k, double kappa, double T, double c, double m0,
                                          double v0, double t);

/* The law of Euler–Maruyama's iterate after n ≥ 0 steps of dt, exactly (the discrete
 * recursions of the file comment, solved; at κk dt = 2 the variance grows linearly and
 * above it geometrically, as the iterates do). */
basin_langevin_ou basin_langevin_ou_em(double k, double kappa, double T, double c, double m0,
                                       double v0, double dt, long n);

/* The same for the baoab integrator (file comment). */
basin_langevin_ou basin_langevin_ou_baoab(double k, double kappa, double T, double c, double m0,
                                          double v0, double dt, long n);

/* Euler–Maruyama's stationary variance 2Tκ dt / (1 − (1 − κk dt)²); needs 0 < κk dt < 2. */
double basin_langevin_ou_em_stationary_var(double k, double kappa, double T, double dt);

/* The same laws for the harmonic energy in d dimensions with any mobility, per dimension
 * (mean[a] and the diagonal of the covariance var[a]), from an initial law with mean
 * m0[0..d) and covariance v0·I. `t` is the time (continuous law); the _scheme variant gives
 * the law of the integrator's iterate after n steps of dt. Computed mode by mode in the
 * eigenbasis of K. Inputs must be valid (mobility_check passed, E harmonic). */
void basin_langevin_harmonic_exact(int d, const basin_energy *E, const basin_mobility *K, double T,
                                   const double *m0, double v0, double t, double *mean,
                                   double *var);
void basin_langevin_harmonic_scheme(int d, const basin_energy *E, const basin_mobility *K, double T,
                                    basin_langevin_integrator integrator, const double *m0,
                                    double v0, double dt, long n, double *mean, double *var);

#endif
