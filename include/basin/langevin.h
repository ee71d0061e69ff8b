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
 * q_E ∝ exp(−E/T). The Euler–Maruyama step is, with K = L Lᵀ (Cholesky) and ξ ~ N(0, I_d),
 *
 *     x ← x − K ∇E(x) dt + √(2T dt) L ξ.
 *
 * Energies are tagged descriptors (basin_energy); this version implements the harmonic
 * energy E(x) = ½ k |x − c|², i.e. the Ornstein–Uhlenbeck process, whose laws are Gaussian
 * and known in closed form (below). The others are reserved names.
 *
 * Layout and ownership (GSL style): the caller owns the basin_langevin struct and the
 * positions array x of M·d doubles, particle-major (coordinate k of particle i is
 * x[i*d + k]); the state borrows x for its lifetime and owns only a small workspace,
 * released by basin_langevin_free(). No globals: the random stream is the caller's
 * basin_rng, consumed in a fixed order (step by step, particle by particle, coordinate by
 * coordinate), so the same seed gives bit-identical positions on a given build.
 *
 * Closed forms for the harmonic energy with scalar mobility K = κ·I, per dimension, for
 * an initial law with mean m₀ and variance v₀ (independent coordinates):
 *
 *   continuous time (OU, solved with y = e^{κkt}(x − c), as in lectures eq. 9.2–9.5):
 *     mean(t) = c + (m₀ − c) e^{−κkt}
 *     var(t)  = T/k + (v₀ − T/k) e^{−2κkt}          → T/k, the Boltzmann variance
 *   (the lectures' limit "σ/(2√2 κ)" for dx = −κx dt + σ dW is a typo: the stationary
 *   variance is σ²/(2κ), which with σ² = 2Tκ and drift κk gives T/k);
 *
 *   Euler–Maruyama with step dt, exactly (r = 1 − κk dt, stable iff |r| < 1, i.e.
 *   dt < 2/(κk)):
 *     mean_n − c = (m₀ − c) rⁿ
 *     v_{n+1} = r² v_n + 2Tκ dt   ⇒   v_n = v∞ + (v₀ − v∞) r²ⁿ,
 *     v∞ = 2Tκ dt / (1 − r²) = (T/k) / (1 − κk dt/2)   (an O(dt) excess over T/k).
 *
 * For a matrix mobility the same formulas hold in the eigenbasis of K, mode by mode with
 * κ → λ_j; the stationary EM covariance is (T/k)(I − (k dt/2) K)^{-1}.
 */
#ifndef BASIN_LANGEVIN_H
#define BASIN_LANGEVIN_H

#include <stdbool.h>

#include "basin/rng.h"

#define BASIN_LANGEVIN_MAX_DIM 3

/* ---- energies ------------------------------------------------------------------------- */

typedef enum basin_energy_type {
    BASIN_ENERGY_HARMONIC = 0,     /* E = ½ k |x − c|² */
    BASIN_ENERGY_DOUBLE_WELL,      /* reserved: (x² − 1)² */
    BASIN_ENERGY_GAUSSIAN_MIXTURE, /* reserved: wells of a Gaussian mixture */
    BASIN_ENERGY_POLYNOMIAL,       /* reserved: 1-D Σ_j a_j x^j */
} basin_energy_type;

/* A tagged energy: `type` says which member of the union is meaningful. */
typedef struct basin_energy {
    basin_energy_type type;
    union {
        struct {
            double k;                         /* stiffness, > 0 */
            double c[BASIN_LANGEVIN_MAX_DIM]; /* centre, first d entries used */
        } harmonic;
    } u;
} basin_energy;

/* E(x) for one point x[0..d). Only implemented types may be passed. */
double basin_langevin_energy(const basin_energy *E, int d, const double *x);

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

/* The Euler–Maruyama stability limit on dt: 2/(k λ_max(K)) for the harmonic energy (the
 * step is unstable at or above it). Inputs must be valid (mobility_check passed). */
double basin_langevin_dt_limit(int d, const basin_energy *E, const basin_mobility *K);

/* ---- the ensemble --------------------------------------------------------------------- */

typedef struct basin_langevin {
    int d;            /* dimensions, 1..3 */
    long M;           /* particles, ≥ 1 */
    double *x;        /* borrowed: M·d positions, particle-major */
    basin_energy E;   /* copied */
    basin_mobility K; /* copied */
    double L[BASIN_LANGEVIN_MAX_DIM * BASIN_LANGEVIN_MAX_DIM]; /* K = L Lᵀ, lower, row-major */
    double T;                                                  /* temperature, ≥ 0 */
    double dt;                                                 /* time step, > 0 */
    long step;    /* Euler–Maruyama steps taken since init */
    long polled;  /* coordinate updates since the last poll */
    double *work; /* owned: normals ξ, gradients ∇E and the tiled centre of one block */
} basin_langevin;

/* Prepares s to advance the M·d positions in x (borrowed; not read here). E and K are
 * copied. Returns 0; BASIN_EINVAL when d ∉ [1, 3], M < 1, T < 0 or not finite, dt ≤ 0,
 * the energy type is not implemented, k ≤ 0, or K fails basin_langevin_mobility_check
 * (dt above the stability limit is allowed: the core can be driven into divergence
 * on purpose); BASIN_ENOMEM. On failure s is left freeable. */
int basin_langevin_init(basin_langevin *s, int d, long M, double *x, const basin_energy *E,
                        const basin_mobility *K, double T, double dt);

/* Releases the workspace; accepts NULL and a zeroed or failed-init struct. x is not
 * touched (it is the caller's). */
void basin_langevin_free(basin_langevin *s);

/* Sets every particle to the point x0[0..d). */
void basin_langevin_set_point(basin_langevin *s, const double *x0);

/* Draws every particle from N(mean, std²·I), consuming M·d normals of rng in the positions'
 * order. std ≥ 0. */
void basin_langevin_set_gaussian(basin_langevin *s, basin_rng *rng, const double *mean, double std);

/* Asked about every BASIN_LANGEVIN_POLL_EVERY coordinate updates; returning true stops
 * basin_langevin_advance(). */
typedef bool (*basin_langevin_poll)(void *user);
#define BASIN_LANGEVIN_POLL_EVERY (1L << 20)

/* Advances the ensemble by n ≥ 0 Euler–Maruyama steps, drawing M·d normals per step.
 * `poll` may be NULL. Returns
 *   0                  all n steps done; s->step grew by n;
 *   BASIN_EDIVERGED    a coordinate became ±Inf or NaN; s->step is the step that made it
 *                      (the positions are those after it);
 *   BASIN_ECANCELLED   poll returned true; the ensemble may be mid-step (s->step counts
 *                      whole steps) and should only be discarded. */
int basin_langevin_advance(basin_langevin *s, basin_rng *rng, long n, basin_langevin_poll poll,
                           void *user);

/* Ensemble moments: per-dimension sample mean and unbiased sample variance (divisor M − 1;
 * 0 when M = 1), and the mean energy ⟨E⟩. */
typedef struct basin_langevin_moments {
    double mean[BASIN_LANGEVIN_MAX_DIM];
    double var[BASIN_LANGEVIN_MAX_DIM];
    double mean_energy;
} basin_langevin_moments;

void basin_langevin_measure(const basin_langevin *s, basin_langevin_moments *out);

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

/* Euler–Maruyama's stationary variance 2Tκ dt / (1 − (1 − κk dt)²); needs 0 < κk dt < 2. */
double basin_langevin_ou_em_stationary_var(double k, double kappa, double T, double dt);

/* The same laws for the harmonic energy in d dimensions with any mobility, per dimension
 * (mean[a] and the diagonal of the covariance var[a]), from an initial law with mean
 * m0[0..d) and covariance v0·I. `t` is the time (continuous law) or, for the _em variant,
 * the law after n steps of dt. Computed mode by mode in the eigenbasis of K. Inputs must
 * be valid (mobility_check passed, E harmonic). */
void basin_langevin_harmonic_exact(int d, const basin_energy *E, const basin_mobility *K, double T,
                                   const double *m0, double v0, double t, double *mean,
                                   double *var);
void basin_langevin_harmonic_em(int d, const basin_energy *E, const basin_mobility *K, double T,
                                const double *m0, double v0, double dt, long n, double *mean,
                                double *var);

#endif
