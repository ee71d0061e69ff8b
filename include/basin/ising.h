/*
 * ising.h — the 2-D Ising and q-state Potts models on an L×L torus (numerical core).
 *
 * Sites i = y·L + x (row-major), x, y = 0..L−1, periodic in both directions. The bonds
 * are (i, right(i)) and (i, down(i)) for every site: 2N bonds for N = L² sites (on L = 2 a
 * pair of neighbours is joined by two bonds, as in Kaufman's torus). Energies:
 *
 *   Ising  (spins s_i = ±1):        H = −J Σ_⟨ij⟩ s_i s_j − h Σ_i s_i
 *   Potts  (spins s_i = 0..q−1):    H = −J Σ_⟨ij⟩ δ(s_i, s_j) − h Σ_i δ(s_i, 0)
 *
 * and the Boltzmann law π(s) ∝ exp(−H(s)/T) (k_B = 1). Magnetisation per spin: Ising
 * m = (1/N) Σ_i s_i (signed); Potts m = (q ρ_max − 1)/(q − 1) with ρ_max the largest
 * fraction of spins in one state (0 for an even mixture, 1 when ordered; for q = 2 it is
 * |m| of the Ising spins). q-state Potts with coupling 2J is the Ising model shifted by
 * −2JN: δ(σ, σ') = (1 + s s')/2.
 *
 * Algorithms (one sweep ≈ N elementary updates):
 *   metropolis  checkerboard order: the sites with x + y even, row by row, then the odd
 *               ones. Ising: propose s_i → −s_i; Potts: propose a state uniformly among
 *               the q − 1 others. Accept with min(1, exp(−ΔH/T)), tabulated.
 *   heat_bath   same order; draw s_i from its conditional law given the neighbours:
 *               Ising P(s_i = +1) = 1/(1 + exp(−2(J Σ_nb s_j + h)/T)) (tabulated); Potts
 *               P(s_i = k) ∝ exp((J n_k + h δ(k, 0))/T), n_k = neighbours in state k.
 *   wolff       single-cluster updates (Wolff 1989): from a uniformly drawn seed, grow the
 *               cluster over bonds to equal neighbours, each added with probability
 *               p = 1 − exp(−2J/T) (Ising) or 1 − exp(−J/T) (Potts); flip it (Potts: to a
 *               state drawn uniformly among the q − 1 others); with h ≠ 0 the flip is
 *               accepted with min(1, exp(−ΔH_h/T)), ΔH_h the change of the field term.
 *               Needs J ≥ 0. A sweep is w->clusters_per_sweep clusters when that is set
 *               (> 0). Otherwise it is the fewest clusters whose sizes add up to at least
 *               N, counting from where the last sweep stopped (the excess carries over):
 *               about N spins, but ending at a time that depends on the cluster sizes, so
 *               states seen at those ends are biased towards large clusters (inspection
 *               paradox) — good for burn-in, not for measurements.
 * The updates are sequential and in place (each sees its neighbours' latest state), so
 * every elementary update satisfies detailed balance for any L ≥ 2, odd included; the
 * checkerboard order is an order, not a parallel update.
 *
 * Tabulated acceptance: the single-site tables hold P·2³² rounded to an integer and an
 * update accepts when a 32-bit random number is below it, so a realised probability is
 * within 2⁻³³ of the exact one (≤ 1.2e-10, far below any Monte Carlo error). Wolff's bond
 * probability is compared with 64-bit draws (error ≤ 2⁻⁶⁴), its field acceptance with
 * 53-bit uniforms.
 *
 * Random numbers: the caller's basin_rng, consumed in a fixed order (one 64-bit draw per
 * two Ising updates, more for Potts), so the same seed gives the same chain on a build.
 *
 * Ownership (GSL style): the caller owns the basin_ising struct; basin_ising_init()
 * allocates the spins and tables it holds; basin_ising_free() releases them. No globals.
 */
#ifndef BASIN_ISING_H
#define BASIN_ISING_H

#include <stdbool.h>
#include <stdint.h>

#include "basin/rng.h"

#define BASIN_ISING_L_MIN 2
#define BASIN_ISING_L_MAX 8192 /* N = 2^26 spins */
#define BASIN_ISING_Q_MAX 64

typedef enum basin_ising_algorithm {
    BASIN_ISING_METROPOLIS = 0,
    BASIN_ISING_HEAT_BATH,
    BASIN_ISING_WOLFF,
} basin_ising_algorithm;

typedef struct basin_ising_config {
    long L;     /* side, in [BASIN_ISING_L_MIN, BASIN_ISING_L_MAX] */
    int q;      /* states: 2 for Ising, 2..BASIN_ISING_Q_MAX for Potts */
    bool potts; /* Potts spins 0..q−1 and energy (allowed with q = 2); false: Ising ±1 */
    double J;   /* coupling (≥ 0 for wolff) */
    double h;   /* field */
    double T;   /* temperature > 0 */
    basin_ising_algorithm algorithm;
} basin_ising_config;

/* The workspace. Callers may read the first group; the rest is private. */
typedef struct basin_ising {
    basin_ising_config cfg;  /* copied */
    long N;                  /* L² */
    double beta;             /* 1/T */
    int8_t *s;               /* owned: N spins, row-major; callers may write valid spins */
    long sweeps;             /* sweeps done since init */
    int64_t attempts;        /* elementary updates (single-site) or cluster sites visited */
    int64_t accepted;        /* accepted flips (metropolis), spins changed (heat_bath),
                                spins flipped (wolff) */
    int64_t clusters;        /* wolff: clusters grown */
    long clusters_per_sweep; /* wolff: clusters per sweep, or 0 (≈ N spins; see above);
                                callers may set it */

    /* private */
    int32_t *left, *right; /* owned: column index of the left / right neighbour */
    uint64_t table[64];    /* single-site acceptance thresholds, P·2³² */
    double boltz[27];      /* Potts heat bath: e^{β(J Δn + h Δδ)}, [(Δn + 4)·3 + Δδ + 1] */
    double p_add;          /* wolff bond probability */
    uint64_t p_add64;      /* p_add·2⁶⁴, compared with 64-bit draws */
    int32_t *stack;        /* owned (wolff): cluster members */
    long carry;            /* wolff: cluster sites beyond the last sweep boundary */
    long polled;           /* site updates since the last poll */
} basin_ising;

/* Prepares w for cfg (copied). Returns 0; BASIN_EINVAL when L, q, T (> 0 and finite), J
 * or h (finite) are out of range, q ≠ 2 without potts, or wolff with J < 0; BASIN_ENOMEM.
 * The spins start ordered (basin_ising_set_ordered). On failure w is left freeable. */
int basin_ising_init(basin_ising *w, const basin_ising_config *cfg);

/* Releases what init allocated; accepts NULL and a zeroed or failed-init struct. */
void basin_ising_free(basin_ising *w);

/* All spins +1 (Ising) or 0 (Potts). */
void basin_ising_set_ordered(basin_ising *w);

/* Independent uniform spins, N draws of rng in site order. */
void basin_ising_set_random(basin_ising *w, basin_rng *rng);

/* Asked about every BASIN_ISING_POLL_EVERY site updates; returning true stops a sweep. */
typedef bool (*basin_ising_poll)(void *user);
#define BASIN_ISING_POLL_EVERY (1L << 21)

/* One sweep of the configured algorithm. `poll` may be NULL. Returns 0 (w->sweeps grew by
 * one) or BASIN_ECANCELLED when poll returned true: the sweep (or a Wolff cluster) was
 * left half done and the state should only be discarded. */
int basin_ising_sweep(basin_ising *w, basin_rng *rng, basin_ising_poll poll, void *user);

/* One Wolff cluster update from a uniformly drawn seed (any algorithm's workspace, J ≥ 0).
 * Returns the cluster size (the flip may have been refused by the field). */
long basin_ising_wolff_step(basin_ising *w, basin_rng *rng);

/* The probability that one elementary single-site update of site i (metropolis or
 * heat_bath as configured; for wolff, metropolis) leaves that site in state v, given the
 * configuration s (N spins, borrowed; not w->s unless passed), computed from the same
 * tables the sweeps use. v is ±1 (Ising) or 0..q−1 (Potts). */
double basin_ising_site_probability(const basin_ising *w, const int8_t *s, long i, int v);

/* Wolff's bond probability p (1 − exp(−2βJ) Ising, 1 − exp(−βJ) Potts). */
double basin_ising_wolff_bond(const basin_ising *w);

/* Energy and magnetisation per spin of configuration s (N spins, borrowed). */
void basin_ising_measure(const basin_ising *w, const int8_t *s, double *e, double *m);

/* ---- exact results (Ising, h = 0) ------------------------------------------------------ */

/* T_c = 2J/ln(1 + √2) (Onsager), and J/ln(1 + √q) for the q-state Potts model; J > 0. */
double basin_ising_critical_temperature(double J, int q, bool potts);

/* Onsager's energy per spin of the infinite lattice, J > 0, T > 0, T ≠ T_c:
 *   e = −J coth 2K [1 + (2/π)(2 tanh² 2K − 1) K₁(κ)],  K = J/T,  κ = 2 sinh 2K / cosh² 2K,
 * K₁ the complete elliptic integral of the first kind (by the arithmetic–geometric mean). */
double basin_ising_onsager_energy(double J, double T);

/* Onsager–Yang spontaneous magnetisation (1 − sinh⁻⁴ 2K)^{1/8} below T_c, 0 above. */
double basin_ising_onsager_magnetization(double J, double T);

/* Kaufman's (1949) exact energy per spin of the L×L torus, from
 *   Z = ½ (2 sinh 2K)^{N/2} (Z₁ + Z₂ + Z₃ + Z₄),
 *   Z₁ = Π_r 2 cosh(L γ_{2r+1}/2), Z₂ = Π_r 2 sinh(L γ_{2r+1}/2),
 *   Z₃ = Π_r 2 cosh(L γ_{2r}/2),   Z₄ = Π_r 2 sinh(L γ_{2r}/2),   r = 0..L−1,
 *   cosh γ_l = cosh² 2K / sinh 2K − cos(π l/L) (γ_l > 0, l ≥ 1),  γ₀ = 2K + ln tanh K,
 * as e = −(J/N) ∂ ln Z/∂K, differentiated analytically and summed in logarithms (no
 * overflow at any L). J > 0, T > 0, 2 ≤ L ≤ 10⁶. Returns NAN for invalid input. */
double basin_ising_kaufman_energy(long L, double J, double T);

/* ---- statistics of a Monte Carlo time series -------------------------------------------- */

/* Number of bins of the binning analysis (fewer samples: one bin per sample). */
#define BASIN_ISING_BINS 64

/* A mean with its binning error and integrated autocorrelation time (in samples): the
 * last B·b samples (B = BASIN_ISING_BINS bins of b = ⌊n/B⌋ samples) are used; with x̄_k
 * the bin means and x̄ their mean,
 *   err² = Σ_k (x̄_k − x̄)² / (B (B − 1)),     τ_int = err² · B b / (2 σ²),
 * σ² the sample variance of the samples used: τ_int = ½ for independent samples, the
 * binning estimate of ½ + Σ_t ρ(t) (NAN for a constant series). */
typedef struct basin_ising_stat {
    double mean, err, tau_int;
} basin_ising_stat;

/* The observables of an equilibrium run, from n measurements e[k], m[k] per spin:
 *   ⟨e⟩, ⟨|m|⟩                      binning errors;
 *   χ = β N (⟨m²⟩ − ⟨|m|⟩²)          susceptibility per spin;
 *   c = β² N (⟨e²⟩ − ⟨e⟩²)           specific heat per spin;
 *   U = 1 − ⟨m⁴⟩/(3⟨m²⟩²)            Binder cumulant;
 * the last three with jackknife errors over the same bins. n ≥ 2. */
typedef struct basin_ising_observables {
    basin_ising_stat energy, abs_m;
    double chi, chi_err, c, c_err, binder, binder_err;
    long n_used, bin_size, n_bins;
} basin_ising_observables;

/* Fills *out; returns 0, BASIN_EINVAL for n < 2, N < 1 or T ≤ 0. */
int basin_ising_analyse(const double *e, const double *m, long n, long N, double T,
                        basin_ising_observables *out);

#endif
