/*
 * test_ising.c — the `ising` model and its numerical core (basin/ising.h).
 *
 * References: exact enumeration of every configuration of small tori (implemented here,
 * independently of the core); Kaufman's (1949) exact finite-torus partition function
 * (the core's basin_ising_kaufman_energy, itself checked against enumeration); Onsager's
 * energy and the Onsager–Yang spontaneous magnetisation; detailed balance
 * π(s) P(s → s') = π(s') P(s' → s) for every pair of configurations of a 3×3 torus.
 * Monte Carlo checks allow 5 binning error bars: a false failure of one check has
 * probability ~6e-7 for a correct sampler, and the seeds are fixed, so a pass reproduces.
 * Binning with 64 bins estimates an error bar to about ±9%, which the 5σ margin absorbs.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/ising.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* ---- helpers --------------------------------------------------------------------------- */

static double worst_z;

/* |measured − exact| ≤ 5·err (+ a floor for exact results with their own rounding). */
static void check_5sigma(const char *what, double measured, double exact, double err)
{
    double dev = fabs(measured - exact);
    ck_assert_msg(err > 0.0, "%s: error bar %g", what, err);
    ck_assert_msg(dev <= 5.0 * err + 1e-12, "%s: measured %.8f ± %.2g, exact %.8f (%.2f sigma)",
                  what, measured, err, exact, dev / err);
    if (dev / err > worst_z)
        worst_z = dev / err;
}

/* Exact thermal averages of a small torus by enumeration of all q^N configurations (an
 * implementation independent of the core): ⟨e⟩, ⟨|m|⟩ and ⟨e²⟩ per spin, with the
 * conventions of basin/ising.h. */
typedef struct exact {
    double e, abs_m, e2;
} exact;

static int site_value(bool potts, int digit)
{
    return potts ? digit : 2 * digit - 1;
}

static exact enumerate(long L, int q, bool potts, double J, double h, double T)
{
    const long N = L * L;
    long total = 1;
    for (long i = 0; i < N; i++)
        total *= q;
    int s[16], digits[16]; /* N ≤ 16 */
    ck_assert(N <= 16);
    double Z = 0.0, E1 = 0.0, E2 = 0.0, M1 = 0.0;
    /* The ground-state energy bounds −H from above, so exp(−(H − H₀)/T) cannot overflow. */
    const double H0 = -2.0 * fabs(J) * N - fabs(h) * N;
    for (long c = 0; c < total; c++) {
        long rest = c;
        for (long i = 0; i < N; i++) {
            digits[i] = (int)(rest % q);
            rest /= q;
            s[i] = site_value(potts, digits[i]);
        }
        double H = 0.0, M = 0.0;
        long count[BASIN_ISING_Q_MAX] = {0};
        for (long y = 0; y < L; y++)
            for (long x = 0; x < L; x++) {
                int a = s[y * L + x], r = s[y * L + (x + 1) % L], d = s[((y + 1) % L) * L + x];
                if (potts) {
                    H += -J * ((a == r) + (a == d)) - h * (a == 0);
                    count[a]++;
                } else {
                    H += -J * a * (r + d) - h * a;
                    M += a;
                }
            }
        double m;
        if (potts) {
            long top = 0;
            for (int k = 0; k < q; k++)
                top = count[k] > top ? count[k] : top;
            m = ((double)q * (double)top / (double)N - 1.0) / (double)(q - 1);
        } else {
            m = fabs(M) / (double)N;
        }
        double w = exp(-(H - H0) / T);
        Z += w;
        E1 += w * H / N;
        E2 += w * (H / N) * (H / N);
        M1 += w * m;
    }
    return (exact){E1 / Z, M1 / Z, E2 / Z};
}

/* ---- 1. the exact results themselves --------------------------------------------------------- */

/* Reference: enumeration of all 2^N states for L = 2, 3, 4 (N ≤ 16), and Onsager's energy
 * for L = 512, where the finite-size correction of the energy, of order e^{−L/ξ}, is far
 * below double precision away from T_c. Tolerances: 1e-10 absolute against enumeration
 * (Kaufman's four products, summed in logarithms, agree to ~1e-12; the enumeration's 65536
 * terms round to ~1e-13); 1e-10 against Onsager (K₁ by the AGM, to rounding). At T_c the
 * energy is −√2 J: Onsager's formula a hair off T_c (relative 1e-7) gives it to 1e-5. */
START_TEST(exact_results)
{
    const double temps[] = {0.8, 1.5, 2.0, 2.269185314213022, 2.6, 4.0, 10.0};
    for (long L = 2; L <= 4; L++)
        for (size_t t = 0; t < sizeof temps / sizeof *temps; t++) {
            exact ex = enumerate(L, 2, false, 1.0, 0.0, temps[t]);
            double k = basin_ising_kaufman_energy(L, 1.0, temps[t]);
            ck_assert_msg(fabs(k - ex.e) < 1e-10, "L=%ld T=%g: Kaufman %.15f, enumeration %.15f", L,
                          temps[t], k, ex.e);
            /* J scales out: e(J, T) = J e(1, T/J) */
            ck_assert_double_eq_tol(basin_ising_kaufman_energy(L, 2.5, 2.5 * temps[t]), 2.5 * k,
                                    1e-10);
        }
    const double Tc = basin_ising_critical_temperature(1.0, 2, false);
    ck_assert_double_eq_tol(Tc, 2.0 / log(1.0 + sqrt(2.0)), 1e-15);
    ck_assert_double_eq_tol(basin_ising_critical_temperature(1.0, 3, true),
                            1.0 / log(1.0 + sqrt(3.0)), 1e-15);
    for (double T = 1.0; T <= 4.0; T += 0.25) {
        if (fabs(T - Tc) < 0.05)
            continue;
        double ons = basin_ising_onsager_energy(1.0, T);
        double kauf = basin_ising_kaufman_energy(512, 1.0, T);
        ck_assert_msg(fabs(ons - kauf) < 1e-10, "T=%g: Onsager %.15f, Kaufman(512) %.15f", T, ons,
                      kauf);
    }
    ck_assert_double_eq_tol(basin_ising_onsager_energy(1.0, Tc * (1.0 - 1e-7)), -sqrt(2.0), 1e-5);
    ck_assert_double_eq_tol(basin_ising_onsager_energy(1.0, Tc * (1.0 + 1e-7)), -sqrt(2.0), 1e-5);
    /* Onsager–Yang: m(T = 2) = (1 − sinh⁻⁴ 1)^{1/8}; m → 1 as T → 0; 0 above T_c */
    ck_assert_double_eq_tol(basin_ising_onsager_magnetization(1.0, 2.0),
                            pow(1.0 - pow(sinh(1.0), -4.0), 0.125), 1e-15);
    ck_assert_double_eq_tol(basin_ising_onsager_magnetization(1.0, 2.0), 0.911319377877496, 1e-12);
    ck_assert_double_eq_tol(basin_ising_onsager_magnetization(1.0, 0.5), 1.0, 1e-6);
    ck_assert(basin_ising_onsager_magnetization(1.0, 2.3) == 0.0);
    ck_assert(isnan(basin_ising_kaufman_energy(1, 1.0, 2.0)));
}
END_TEST

/* ---- 2. detailed balance on the 3×3 torus -------------------------------------------------- */

/* π(s) ∝ exp(−H(s)/T), from the core's measure (H = N e). */
static double boltzmann_weight(const basin_ising *w, const int8_t *s, double H0)
{
    double e, m;
    basin_ising_measure(w, s, &e, &m);
    return exp(-((double)w->N * e - H0) / w->cfg.T);
}

static long encode(const int8_t *s, long N, int q, bool potts)
{
    long c = 0;
    for (long i = N - 1; i >= 0; i--)
        c = c * q + (potts ? s[i] : (s[i] + 1) / 2);
    return c;
}

static void decode(long c, int8_t *s, long N, int q, bool potts)
{
    for (long i = 0; i < N; i++) {
        s[i] = (int8_t)site_value(potts, (int)(c % q));
        c /= q;
    }
}

/* Reference: detailed balance π(s) P_i(s → s') = π(s') P_i(s' → s) for every configuration
 * s of the 3×3 torus, every site i and every value v of s_i (s' = s with s_i = v), with P_i
 * the core's single-site update probabilities (from the very tables its sweeps use); and
 * Σ_v P_i(s → s^{i=v}) = 1. Tolerance: each tabulated probability is within 2⁻³³ of the
 * exact one, so |π(s)P − π(s')P'| ≤ (π(s) + π(s'))·2⁻³³ (+ rounding); the Potts heat bath
 * is computed in doubles (relative 1e-14). Cases include a field, an antiferromagnet
 * (frustrated on the odd torus) and q = 3. */
START_TEST(detailed_balance_single_site)
{
    const struct {
        int q;
        bool potts;
        double J, h, T;
        basin_ising_algorithm alg;
    } cases[] = {
        {2, false, 1.0, 0.3, 1.3, BASIN_ISING_METROPOLIS},
        {2, false, -0.7, -0.4, 0.9, BASIN_ISING_METROPOLIS},
        {2, false, 1.0, 0.3, 1.3, BASIN_ISING_HEAT_BATH},
        {3, true, 1.0, 0.5, 0.8, BASIN_ISING_METROPOLIS},
        {3, true, -0.6, 0.4, 0.7, BASIN_ISING_METROPOLIS},
        {3, true, 1.0, 0.5, 0.8, BASIN_ISING_HEAT_BATH},
    };
    double worst = 0.0;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        long bad = 0; /* counted, then asserted once: Check's assertions are slow in loops */
        basin_ising w;
        basin_ising_config c = {.L = 3,
                                .q = cases[k].q,
                                .potts = cases[k].potts,
                                .J = cases[k].J,
                                .h = cases[k].h,
                                .T = cases[k].T,
                                .algorithm = cases[k].alg};
        ck_assert_int_eq(basin_ising_init(&w, &c), 0);
        const long N = 9, q = c.q;
        long states = 1;
        for (long i = 0; i < N; i++)
            states *= q;
        const double H0 = -2.0 * fabs(c.J) * N - fabs(c.h) * N;
        double Z = 0.0;
        int8_t s[9], t[9];
        for (long a = 0; a < states; a++) {
            decode(a, s, N, (int)q, c.potts);
            Z += boltzmann_weight(&w, s, H0);
        }
        const double tol_tab = c.potts && c.algorithm == BASIN_ISING_HEAT_BATH ? 0.0 : 0x1p-33;
        for (long a = 0; a < states; a++) {
            decode(a, s, N, (int)q, c.potts);
            double pa = boltzmann_weight(&w, s, H0) / Z;
            for (long i = 0; i < N; i++) {
                double sum = 0.0;
                for (int d = 0; d < q; d++) {
                    int v = site_value(c.potts, d);
                    double P = basin_ising_site_probability(&w, s, i, v);
                    bad += !(P >= 0.0 && P <= 1.0);
                    sum += P;
                    memcpy(t, s, sizeof s);
                    t[i] = (int8_t)v;
                    double pb = boltzmann_weight(&w, t, H0) / Z;
                    double back = basin_ising_site_probability(&w, t, i, s[i]);
                    double lhs = pa * P, rhs = pb * back;
                    double tol = (pa + pb) * (tol_tab + 1e-14);
                    if (!(fabs(lhs - rhs) <= tol) && bad++ == 0)
                        fprintf(stderr, "case %zu state %ld site %ld v %d: %.17g vs %.17g\n", k, a,
                                i, v, lhs, rhs);
                    if (pa + pb > 0.0)
                        worst = fmax(worst, fabs(lhs - rhs) / (pa + pb));
                }
                bad += !(fabs(sum - 1.0) <= 1e-12);
            }
        }
        ck_assert_msg(bad == 0, "case %zu: %ld violations", k, bad);
        basin_ising_free(&w);
    }
    printf(
        "detailed_balance_single_site: worst |pi P - pi' P'|/(pi + pi') = %.3g (bound 1.2e-10)\n",
        worst);
}
END_TEST

/* The exact distribution of one Wolff update from configuration s on the 3×3 torus, by
 * enumeration of every subset of the bonds between equal neighbours: the cluster of a seed
 * is its component in the subset (bond percolation with probability p, which is what
 * growing the cluster samples), it moves to each of the q − 1 other states with
 * probability 1/(q − 1), and a field accepts the move with min(1, e^{−βΔH_h}). Adds
 * P(s → s') to out[code(s')]. */
static long find_root(long *parent, long i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static void wolff_row(const basin_ising *w, const int8_t *s, double *out)
{
    const long L = 3, N = 9;
    const int q = w->cfg.q;
    const bool potts = w->cfg.potts;
    const double p = basin_ising_wolff_bond(w);
    long bi[18], bj[18], nb = 0;
    for (long y = 0; y < L; y++)
        for (long x = 0; x < L; x++) {
            long i = y * L + x, r = y * L + (x + 1) % L, d = ((y + 1) % L) * L + x;
            if (s[i] == s[r]) {
                bi[nb] = i;
                bj[nb++] = r;
            }
            if (s[i] == s[d]) {
                bi[nb] = i;
                bj[nb++] = d;
            }
        }
    int8_t t[9];
    for (long mask = 0; mask < (1L << nb); mask++) {
        long parent[9], on = 0;
        for (long i = 0; i < N; i++)
            parent[i] = i;
        for (long b = 0; b < nb; b++)
            if (mask >> b & 1) {
                on++;
                parent[find_root(parent, bi[b])] = find_root(parent, bj[b]);
            }
        double P = pow(p, (double)on) * pow(1.0 - p, (double)(nb - on));
        long root[9], size[9] = {0};
        for (long i = 0; i < N; i++) {
            root[i] = find_root(parent, i);
            size[root[i]]++;
        }
        /* every seed of a component grows that component: weight size/N */
        for (long c = 0; c < N; c++) {
            if (size[c] == 0)
                continue;
            int old = s[c];
            for (int d = 0; d < q; d++) {
                int v = site_value(potts, d);
                if (v == old)
                    continue;
                double dH = potts ? -w->cfg.h * (double)size[c] * ((v == 0) - (old == 0))
                                  : -w->cfg.h * (double)size[c] * (v - old);
                double acc = dH > 0.0 ? exp(-dH / w->cfg.T) : 1.0;
                double weight = P * (double)size[c] / (double)N / (double)(q - 1);
                memcpy(t, s, sizeof t);
                for (long i = 0; i < N; i++)
                    if (root[i] == c)
                        t[i] = (int8_t)v;
                out[encode(t, N, q, potts)] += weight * acc;
                out[encode(s, N, q, potts)] += weight * (1.0 - acc);
            }
        }
    }
}

/* Reference: (a) the exact Wolff transition matrix of the 3×3 Ising torus in a field,
 * built by enumeration (wolff_row) from the core's bond probability, satisfies detailed
 * balance π(s)P(s, s') = π(s')P(s', s) for all 512² pairs and has unit row sums, to 1e-10
 * (each entry sums up to 2^18 products of probabilities: 2^18 roundings of 1.1e-16 are
 * 3e-11); (b) the core's actual cluster updates from
 * fixed configurations land on each outcome with the enumerated probability, within 5σ of
 * the binomial error √(P(1 − P)/n) (outcomes expected < 25 times pooled), for the Ising
 * model and the 3-state Potts model, both in a field. */
START_TEST(detailed_balance_wolff)
{
    basin_ising w;
    basin_ising_config c = {
        .L = 3, .q = 2, .J = 1.0, .h = 0.25, .T = 2.2, .algorithm = BASIN_ISING_WOLFF};
    ck_assert_int_eq(basin_ising_init(&w, &c), 0);
    const long S = 512, N = 9;
    double *P = calloc((size_t)(S * S), sizeof *P), *pi = calloc((size_t)S, sizeof *pi);
    int8_t s[9];
    const double H0 = -2.0 * N - 0.25 * N;
    double Z = 0.0;
    for (long a = 0; a < S; a++) {
        decode(a, s, N, 2, false);
        wolff_row(&w, s, P + a * S);
        pi[a] = boltzmann_weight(&w, s, H0);
        Z += pi[a];
    }
    double worst = 0.0, worst_row = 0.0;
    for (long a = 0; a < S; a++) {
        double row = 0.0;
        for (long b = 0; b < S; b++) {
            row += P[a * S + b];
            worst = fmax(worst, fabs(pi[a] * P[a * S + b] - pi[b] * P[b * S + a]) / Z);
        }
        worst_row = fmax(worst_row, fabs(row - 1.0));
    }
    ck_assert_msg(worst < 1e-10, "detailed balance off by %.3g", worst);
    ck_assert_msg(worst_row < 1e-10, "row sums off by %.3g", worst_row);
    free(pi);

    /* (b) the implementation against the enumerated rows */
    const struct {
        int q;
        bool potts;
        double h, T;
        long start;
    } cases[] = {{2, false, 0.25, 2.2, 0x0F3},
                 {2, false, 0.25, 2.2, 0x1FF},
                 {3, true, 0.4, 1.1, 12345},
                 {3, true, 0.4, 1.1, 0}};
    basin_rng rng;
    basin_rng_seed(&rng, 77);
    double worst_z_w = 0.0;
    const long draws = 200000;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        basin_ising v;
        basin_ising_config cv = {.L = 3,
                                 .q = cases[k].q,
                                 .potts = cases[k].potts,
                                 .J = 1.0,
                                 .h = cases[k].h,
                                 .T = cases[k].T,
                                 .algorithm = BASIN_ISING_WOLFF};
        ck_assert_int_eq(basin_ising_init(&v, &cv), 0);
        long states = cv.q == 2 ? 512 : 19683;
        double *row = calloc((size_t)states, sizeof *row);
        long *hits = calloc((size_t)states, sizeof *hits);
        int8_t s0[9];
        decode(cases[k].start, s0, N, cv.q, cv.potts);
        wolff_row(&v, s0, row);
        for (long n = 0; n < draws; n++) {
            memcpy(v.s, s0, sizeof s0);
            basin_ising_wolff_step(&v, &rng);
            hits[encode(v.s, N, cv.q, cv.potts)]++;
        }
        /* outcomes expected fewer than 25 times are pooled (the normal approximation of
         * the binomial needs a few tens of counts); impossible outcomes must never occur */
        double pool_p = 0.0, pool_f = 0.0;
        for (long b = 0; b <= states; b++) {
            double f, p;
            if (b < states) {
                f = (double)hits[b] / (double)draws;
                p = row[b];
                if (p == 0.0)
                    ck_assert_int_eq(hits[b], 0);
                if (p * (double)draws < 25.0) {
                    pool_p += p;
                    pool_f += f;
                    continue;
                }
            } else {
                f = pool_f;
                p = pool_p;
                if (p * (double)draws < 25.0)
                    continue;
            }
            double sd = sqrt(p * (1.0 - p) / (double)draws);
            ck_assert_msg(fabs(f - p) <= 5.0 * sd + 1e-12,
                          "case %zu outcome %ld: frequency %.5f, exact %.5f (%.1f sigma)", k, b, f,
                          p, fabs(f - p) / sd);
            worst_z_w = fmax(worst_z_w, fabs(f - p) / sd);
        }
        free(row);
        free(hits);
        basin_ising_free(&v);
    }
    printf("detailed_balance_wolff: worst pair imbalance %.3g; implementation vs enumerated "
           "rows: worst %.2f sigma\n",
           worst, worst_z_w);
    free(P);
    basin_ising_free(&w);
}
END_TEST

/* Reference: the Boltzmann law of the 3×3 Ising torus in a field, by enumeration. The
 * chain of each algorithm (the model's own sweeps, through the core) is sampled every 10
 * sweeps, which at T = 2.5 leaves the samples nearly independent; χ² over the states
 * (those expected fewer than 5 times pooled) must stay below dof + 5√(2 dof): the χ²
 * statistic has mean dof and standard deviation √(2 dof) for independent samples. */
START_TEST(boltzmann_law_3x3)
{
    const basin_ising_algorithm algs[] = {BASIN_ISING_METROPOLIS, BASIN_ISING_HEAT_BATH,
                                          BASIN_ISING_WOLFF};
    const char *names[] = {"metropolis", "heat_bath", "wolff"};
    for (int k = 0; k < 3; k++) {
        basin_ising w;
        basin_ising_config c = {.L = 3, .q = 2, .J = 1.0, .h = 0.2, .T = 2.5, .algorithm = algs[k]};
        ck_assert_int_eq(basin_ising_init(&w, &c), 0);
        w.clusters_per_sweep = 2;
        basin_rng rng;
        basin_rng_seed(&rng, 100 + (uint64_t)k);
        const long S = 512, n = 100000;
        long *hits = calloc(S, sizeof *hits);
        double pi[512], Z = 0.0;
        int8_t s[9];
        for (long a = 0; a < S; a++) {
            decode(a, s, 9, 2, false);
            pi[a] = boltzmann_weight(&w, s, -20.0);
            Z += pi[a];
        }
        for (long t = 0; t < 1000; t++)
            basin_ising_sweep(&w, &rng, NULL, NULL);
        for (long t = 0; t < n; t++) {
            for (int r = 0; r < 10; r++)
                basin_ising_sweep(&w, &rng, NULL, NULL);
            hits[encode(w.s, 9, 2, false)]++;
        }
        double chi2 = 0.0, pool_o = 0.0, pool_e = 0.0;
        long dof = -1;
        for (long a = 0; a < S; a++) {
            double E = n * pi[a] / Z;
            if (E < 5.0) {
                pool_o += (double)hits[a];
                pool_e += E;
                continue;
            }
            chi2 += ((double)hits[a] - E) * ((double)hits[a] - E) / E;
            dof++;
        }
        if (pool_e > 0.0) {
            chi2 += (pool_o - pool_e) * (pool_o - pool_e) / pool_e;
            dof++;
        }
        double bound = (double)dof + 5.0 * sqrt(2.0 * (double)dof);
        ck_assert_msg(chi2 <= bound, "%s: chi2 %.1f, dof %ld, bound %.1f", names[k], chi2, dof,
                      bound);
        printf("boltzmann_law_3x3 %s: chi2 = %.1f for %ld dof (bound %.1f)\n", names[k], chi2, dof,
               bound);
        free(hits);
        basin_ising_free(&w);
    }
}
END_TEST

/* ---- 3. the model against Kaufman (small L) and Onsager (L = 64) ------------------------------
 */

/* Reference: Kaufman's exact energy of the L×L torus (summary energy_exact, checked against
 * enumeration above), for every algorithm, below, near and above T_c; and the exact specific
 * heat c = de/dT by a central difference of Kaufman's energy (step 1e-4: truncation ~1e-8,
 * far below the Monte Carlo error). 5 binning/jackknife error bars. */
START_TEST(model_matches_kaufman)
{
    const char *algs[] = {"metropolis", "heat_bath", "wolff"};
    const double temps[] = {1.8, 2.3, 3.0};
    const long Ls[] = {4, 6, 8};
    worst_z = 0.0;
    for (int a = 0; a < 3; a++)
        for (int t = 0; t < 3; t++) {
            char text[300];
            long L = Ls[t];
            snprintf(text, sizeof text,
                     "{\"L\": %ld, \"temperature\": %g, \"algorithm\": \"%s\", \"burn_in\": 2000,"
                     " \"sweeps\": 100000, \"seed\": %d}",
                     L, temps[t], algs[a], 10 * a + t);
            basin_ctx *ctx = mc_run_ok("ising", mc_load(text));
            double e = mc_summary(ctx, "energy"), err = mc_summary(ctx, "energy_err");
            double e_exact = basin_ising_kaufman_energy(L, 1.0, temps[t]);
            ck_assert_double_eq_tol(mc_summary(ctx, "energy_exact"), e_exact, 1e-15);
            check_5sigma(text, e, e_exact, err);
            double dT = 1e-4;
            double c_exact = (basin_ising_kaufman_energy(L, 1.0, temps[t] + dT) -
                              basin_ising_kaufman_energy(L, 1.0, temps[t] - dT)) /
                             (2.0 * dT);
            check_5sigma("specific heat", mc_summary(ctx, "specific_heat"), c_exact,
                         mc_summary(ctx, "specific_heat_err"));
            run_ctx_free(ctx);
        }
    printf("model_matches_kaufman: 9 runs, worst deviation %.2f error bars\n", worst_z);
}
END_TEST

/* Reference: Onsager's energy and the Onsager–Yang spontaneous magnetisation at L = 64,
 * away from T_c (T = 2.0 ordered, 3.0 disordered): the finite-size corrections at L = 64
 * are of order e^{−L/ξ} with ξ ≈ 1–2, i.e. nothing (Kaufman's L = 64 energy agrees with
 * Onsager to 1e-12, checked). ⟨|m|⟩ is compared at T = 2.0 only: above T_c a finite torus
 * has ⟨|m|⟩ ~ √(χT/N) > 0. Every algorithm; 5 error bars. */
START_TEST(model_matches_onsager)
{
    const char *algs[] = {"metropolis", "heat_bath", "wolff"};
    worst_z = 0.0;
    for (int a = 0; a < 3; a++) {
        for (int k = 0; k < 2; k++) {
            double T = k == 0 ? 2.0 : 3.0;
            char text[300];
            snprintf(text, sizeof text,
                     "{\"L\": 64, \"temperature\": %g, \"algorithm\": \"%s\", \"burn_in\": 500,"
                     " \"sweeps\": %d, \"seed\": %d}",
                     T, algs[a], strcmp(algs[a], "wolff") == 0 ? 5000 : 10000, 40 + a * 2 + k);
            basin_ctx *ctx = mc_run_ok("ising", mc_load(text));
            double ons = basin_ising_onsager_energy(1.0, T);
            ck_assert_double_eq_tol(basin_ising_kaufman_energy(64, 1.0, T), ons, 1e-12);
            ck_assert_double_eq_tol(mc_summary(ctx, "energy_onsager"), ons, 1e-15);
            check_5sigma(text, mc_summary(ctx, "energy"), ons, mc_summary(ctx, "energy_err"));
            if (T < 2.2)
                check_5sigma("|m|", mc_summary(ctx, "abs_magnetization"),
                             basin_ising_onsager_magnetization(1.0, T),
                             mc_summary(ctx, "abs_magnetization_err"));
            run_ctx_free(ctx);
        }
    }
    printf("model_matches_onsager: worst deviation %.2f error bars\n", worst_z);
}
END_TEST

/* Reference: (a) the 3-state Potts model on the 3×3 torus by enumeration of its 3^9 states
 * (⟨e⟩ and ⟨m⟩ with m = (3ρ_max − 1)/2), through the model with q = 3, every algorithm;
 * (b) the Potts code path with q = 2 and coupling 2J is the Ising model shifted by −2J per
 * spin (δ(σ, σ') = (1 + s s')/2), so its ⟨e⟩ + 2J is Kaufman's energy (core, L = 8,
 * T = 2.5, every algorithm). 5 error bars. */
START_TEST(potts)
{
    const char *algs[] = {"metropolis", "heat_bath", "wolff"};
    worst_z = 0.0;
    exact ex = enumerate(3, 3, true, 1.0, 0.3, 1.2);
    for (int a = 0; a < 3; a++) {
        char text[300];
        snprintf(text, sizeof text,
                 "{\"L\": 3, \"q\": 3, \"h\": 0.3, \"temperature\": 1.2, \"algorithm\": \"%s\","
                 " \"sweeps\": 200000, \"seed\": %d}",
                 algs[a], 60 + a);
        basin_ctx *ctx = mc_run_ok("ising", mc_load(text));
        check_5sigma(text, mc_summary(ctx, "energy"), ex.e, mc_summary(ctx, "energy_err"));
        check_5sigma("Potts m", mc_summary(ctx, "abs_magnetization"), ex.abs_m,
                     mc_summary(ctx, "abs_magnetization_err"));
        run_ctx_free(ctx);
    }
    const basin_ising_algorithm core_algs[] = {BASIN_ISING_METROPOLIS, BASIN_ISING_HEAT_BATH,
                                               BASIN_ISING_WOLFF};
    for (int a = 0; a < 3; a++) {
        basin_ising w;
        basin_ising_config c = {
            .L = 8, .q = 2, .potts = true, .J = 2.0, .T = 2.5, .algorithm = core_algs[a]};
        ck_assert_int_eq(basin_ising_init(&w, &c), 0);
        basin_rng rng;
        basin_rng_seed(&rng, 70 + (uint64_t)a);
        if (c.algorithm == BASIN_ISING_WOLFF)
            w.clusters_per_sweep = 4;
        const long n = 60000;
        double *e = malloc(n * sizeof *e), *m = malloc(n * sizeof *m);
        for (int t = 0; t < 1000; t++)
            basin_ising_sweep(&w, &rng, NULL, NULL);
        for (long t = 0; t < n; t++) {
            basin_ising_sweep(&w, &rng, NULL, NULL);
            basin_ising_measure(&w, w.s, &e[t], &m[t]);
        }
        basin_ising_observables o;
        ck_assert_int_eq(basin_ising_analyse(e, m, n, w.N, c.T, &o), 0);
        check_5sigma("Potts q = 2 vs Kaufman", o.energy.mean + 2.0,
                     basin_ising_kaufman_energy(8, 1.0, 2.5), o.energy.err);
        free(e);
        free(m);
        basin_ising_free(&w);
    }
    printf("potts: worst deviation %.2f error bars\n", worst_z);
}
END_TEST

/* ---- 4. statistics -------------------------------------------------------------------------- */

/* Reference: an AR(1) series x_t = ρ x_{t−1} + √(1 − ρ²) ξ_t has unit variance and
 * τ_int = ½ (1 + ρ)/(1 − ρ) (= 4.5 at ρ = 0.8), so the error of its mean is √(2τ_int/n).
 * With 64 bins the estimates scatter by ~√(2/63) ≈ 18% (τ, relative) and 9% (error): the
 * checks allow 5 of those. For independent Gaussian m the Binder cumulant is 0 and
 * χ = βN(1 − 2/π), c = β²N Var(e): jackknife errors must cover them (5σ). */
START_TEST(binning_analysis)
{
    const long n = 1L << 20;
    double *e = malloc(n * sizeof *e), *m = malloc(n * sizeof *m);
    basin_rng rng;
    basin_rng_seed(&rng, 5);
    const double rho = 0.8, tau = 0.5 * (1.0 + rho) / (1.0 - rho);
    double x = basin_rng_normal(&rng);
    for (long t = 0; t < n; t++) {
        x = rho * x + sqrt(1.0 - rho * rho) * basin_rng_normal(&rng);
        e[t] = x;
        m[t] = basin_rng_normal(&rng);
    }
    basin_ising_observables o;
    ck_assert_int_eq(basin_ising_analyse(e, m, n, 10, 2.0, &o), 0);
    ck_assert_int_eq(o.n_bins, 64);
    ck_assert_int_eq(o.bin_size, n / 64);
    ck_assert_msg(fabs(o.energy.tau_int - tau) <= 5.0 * 0.18 * tau, "tau %g vs %g",
                  o.energy.tau_int, tau);
    double err = sqrt(2.0 * tau / (double)n);
    ck_assert_msg(fabs(o.energy.err - err) <= 5.0 * 0.09 * err, "err %g vs %g", o.energy.err, err);
    ck_assert_msg(fabs(o.energy.mean) <= 5.0 * err, "mean %g", o.energy.mean);
    /* independent samples: τ = ½ */
    ck_assert_msg(fabs(o.abs_m.tau_int - 0.5) <= 5.0 * 0.18 * 0.5, "tau(|m|) %g", o.abs_m.tau_int);
    check_5sigma("|m| of N(0,1)", o.abs_m.mean, sqrt(2.0 / M_PI), o.abs_m.err);
    check_5sigma("Binder of N(0,1)", o.binder, 0.0, o.binder_err);
    check_5sigma("chi", o.chi, 0.5 * 10.0 * (1.0 - 2.0 / M_PI), o.chi_err);
    /* c = β²N Var(e) with Var(e) = 1 (AR(1) stationary) */
    check_5sigma("c", o.c, 0.25 * 10.0, o.c_err);
    printf("binning_analysis: tau %.3f (exact %.3f), err %.3g (exact %.3g), Binder %.4f +- %.4f\n",
           o.energy.tau_int, tau, o.energy.err, err, o.binder, o.binder_err);
    /* few samples: one per bin; invalid input */
    ck_assert_int_eq(basin_ising_analyse(e, m, 10, 4, 1.0, &o), 0);
    ck_assert_int_eq(o.n_bins, 10);
    ck_assert_int_eq(basin_ising_analyse(e, m, 1, 4, 1.0, &o), BASIN_EINVAL);
    free(e);
    free(m);
}
END_TEST

/* ---- 5. the job contract: validation, reproducibility, cancellation ---------------------- */

/* Reference: the params contract of models.md (strict, one JSON pointer per problem) and
 * the model's doc comment; out-params untouched on failure. */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"temperature\": -1}", "/params/temperature", BASIN_EINVAL},
        {"{\"temperature\": 0}", "/params/temperature", BASIN_EINVAL},
        {"{\"L\": 1}", "/params/L", BASIN_EINVAL},
        {"{\"L\": 10000}", "/params/L", BASIN_EINVAL},
        {"{\"L\": 3.5}", "/params/L", BASIN_EINVAL},
        {"{\"q\": 1}", "/params/q", BASIN_EINVAL},
        {"{\"q\": 65}", "/params/q", BASIN_EINVAL},
        {"{\"J\": \"strong\"}", "/params/J", BASIN_EINVAL},
        {"{\"h\": 1e9}", "/params/h", BASIN_EINVAL},
        {"{\"algorithm\": \"swendsen_wang\"}", "/params/algorithm", BASIN_EINVAL},
        {"{\"algorithm\": \"wolff\", \"J\": -1}", "/params/J", BASIN_EINVAL},
        {"{\"init\": \"warm\"}", "/params/init", BASIN_EINVAL},
        {"{\"burn_in\": -1}", "/params/burn_in", BASIN_EINVAL},
        {"{\"sweeps\": 0}", "/params/sweeps", BASIN_EINVAL},
        {"{\"sweeps\": 10, \"measure_every\": 6}", "/params/measure_every", BASIN_EINVAL},
        {"{\"record_every\": 0}", "/params/record_every", BASIN_EINVAL},
        {"{\"clusters_per_sweep\": -2}", "/params/clusters_per_sweep", BASIN_EINVAL},
        {"{\"seed\": -5}", "/params/seed", BASIN_EINVAL},
        {"{\"beta\": 0.4}", "/params/beta", BASIN_EINVAL},
        {"[1]", "/params", BASIN_EINVAL},
        /* limits */
        {"{\"L\": 8192, \"sweeps\": 1000000}", "/params/sweeps", BASIN_ELIMIT},
        {"{\"L\": 4, \"sweeps\": 10000000, \"record_every\": 1}", "/params/record_every",
         BASIN_ELIMIT},
        {"{\"L\": 2, \"sweeps\": 1000000000}", "/params/measure_every", BASIN_ELIMIT},
    };
    mc_check_refusals("ising", cases, sizeof cases / sizeof *cases);
    /* several at once */
    json_t *params = mc_load("{\"L\": 0, \"temperature\": -2, \"q\": 99, \"x\": 1}");
    basin_problems pr;
    json_t *norm;
    void *cfg;
    ck_assert_int_eq(mc_parse("ising", params, &basin_default_limits, &pr, &norm, &cfg),
                     BASIN_EINVAL);
    ck_assert_uint_eq(pr.count, 4);
    json_decref(params);
    /* L² over max_array_elements */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 1000;
    params = mc_load("{\"L\": 40, \"sweeps\": 10}");
    ck_assert_int_eq(mc_parse("ising", params, &small, &pr, &norm, &cfg), BASIN_ELIMIT);
    ck_assert_str_eq(pr.items[0].pointer, "/params/L");
    ck_assert(pr.over_limit);
    json_decref(params);
    /* odd L is valid for every algorithm (sequential updates) */
    for (int a = 0; a < 3; a++) {
        const char *texts[] = {"{\"L\": 7, \"algorithm\": \"metropolis\"}",
                               "{\"L\": 7, \"algorithm\": \"heat_bath\"}",
                               "{\"L\": 7, \"algorithm\": \"wolff\"}"};
        params = mc_load(texts[a]);
        mc_model("ising")->free_config(mc_parse_ok("ising", params, NULL));
        json_decref(params);
    }
}
END_TEST

/* Reference: the worker re-parses stored normalised params: parse(normalised) must give the
 * same JSON, the documented defaults, and a schema with every parameter. */
START_TEST(normalised_params)
{
    const char *texts[] = {"{}", "{\"L\": 9, \"q\": 4, \"J\": 0.5, \"h\": -0.1, \"temperature\": "
                                 "0.7, \"algorithm\": \"wolff\", \"init\": \"random\", "
                                 "\"burn_in\": 0, \"sweeps\": 50, \"measure_every\": 5, "
                                 "\"record_every\": 3, \"clusters_per_sweep\": 2, \"seed\": 9}"};
    for (int i = 0; i < 2; i++) {
        json_t *params = mc_load(texts[i]), *n1 = NULL, *n2 = NULL;
        void *c1 = mc_parse_ok("ising", params, &n1), *c2 = mc_parse_ok("ising", n1, &n2);
        ck_assert(json_equal(n1, n2));
        if (i == 0) {
            json_t *want = mc_load("{\"L\": 32, \"q\": 2, \"J\": 1.0, \"h\": 0.0, \"temperature\":"
                                   " 2.0, \"algorithm\": \"metropolis\", \"init\": \"ordered\","
                                   " \"burn_in\": 1000, \"sweeps\": 10000, \"measure_every\": 1,"
                                   " \"record_every\": 11, \"clusters_per_sweep\": 0}");
            json_object_set(want, "seed", json_object_get(n1, "seed"));
            char *got = json_dumps(n1, JSON_SORT_KEYS);
            ck_assert_msg(json_equal(n1, want), "defaults: %s", got);
            free(got);
            json_decref(want);
        }
        mc_model("ising")->free_config(c1);
        mc_model("ising")->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
    json_t *schema = mc_schema("ising");
    ck_assert_uint_eq(json_object_size(json_object_get(schema, "properties")), 13);
    json_decref(schema);
}
END_TEST

static bool same_output(const basin_ctx *a, const basin_ctx *b)
{
    const run_artifact *sa = run_ctx_find_artifact(a, "spins"),
                       *sb = run_ctx_find_artifact(b, "spins");
    if (!sa || !sb || sa->nbytes != sb->nbytes || memcmp(sa->data, sb->data, sa->nbytes) != 0)
        return false;
    const char *names[] = {"energy", "magnetization"};
    for (int i = 0; i < 2; i++) {
        const run_series *x = run_ctx_find_series(a, names[i]),
                         *y = run_ctx_find_series(b, names[i]);
        if (x->n != y->n || memcmp(x->value, y->value, x->n * sizeof *x->value) != 0)
            return false;
    }
    return json_equal(a->summary, b->summary);
}

/* Reference: "same params + same seed = bit-identical result", also from the normalised
 * params; a different seed gives a different chain. Series shape and the artifact. */
START_TEST(reproducibility)
{
    const char *algs[] = {"metropolis", "heat_bath", "wolff"};
    for (int a = 0; a < 3; a++) {
        char text[200];
        snprintf(text, sizeof text,
                 "{\"L\": 12, \"q\": %d, \"algorithm\": \"%s\", \"init\": \"random\", "
                 "\"burn_in\": 10, \"sweeps\": 300, \"record_every\": 7, \"seed\": 3}",
                 a == 1 ? 3 : 2, algs[a]);
        json_t *p = mc_load(text), *norm = NULL;
        void *c1 = mc_parse_ok("ising", p, &norm), *c2 = mc_parse_ok("ising", norm, NULL);
        basin_ctx *r1 = mc_run_config_ok("ising", c1), *r2 = mc_run_config_ok("ising", c2);
        ck_assert(same_output(r1, r2));
        const run_series *e = run_ctx_find_series(r1, "energy");
        ck_assert_uint_eq(e->n, 310 / 7 + 2); /* 0, 7, …, 308, 310 */
        ck_assert_int_eq(e->step[e->n - 1], 310);
        const run_artifact *s = run_ctx_find_artifact(r1, "spins");
        ck_assert_int_eq(s->dtype, BASIN_I8);
        ck_assert_int_eq(s->shape[0], 12);
        ck_assert_int_eq(s->shape[1], 12);
        ck_assert_uint_eq(r1->seed, 3);
        json_object_set_new(p, "seed", json_integer(4));
        void *c3 = mc_parse_ok("ising", p, NULL);
        basin_ctx *r3 = mc_run_config_ok("ising", c3);
        ck_assert(!same_output(r1, r3));
        run_ctx_free(r1);
        run_ctx_free(r2);
        run_ctx_free(r3);
        mc_model("ising")->free_config(c1);
        mc_model("ising")->free_config(c2);
        mc_model("ising")->free_config(c3);
        json_decref(p);
        json_decref(norm);
    }
}
END_TEST

/* Reference: model.h (BASIN_ECANCELLED when should_stop says so) and models.md ("stops
 * promptly, well under a second"): runs of minutes (L = 1024, 10⁵ sweeps; a Wolff run at
 * low T whose clusters span the lattice) return within 0.5 s of a stop request. */
START_TEST(cancellation)
{
    const char *texts[] = {"{\"L\": 1024, \"sweeps\": 100000, \"seed\": 1}",
                           "{\"L\": 1024, \"sweeps\": 10000, \"algorithm\": \"wolff\", "
                           "\"temperature\": 1.0, \"burn_in\": 0, \"seed\": 1}"};
    for (int i = 0; i < 2; i++) {
        double latency = mc_check_stop("ising", texts[i], 0.3, 0.5);
        printf("cancellation %d: returned %.1f ms after the request\n", i, 1e3 * latency);
    }
    /* stop before the run */
    json_t *params = mc_load("{\"L\": 8}");
    void *cfg = mc_parse_ok("ising", params, NULL);
    run_ctx_free(mc_run_stopped_before("ising", cfg));
    mc_model("ising")->free_config(cfg);
    json_decref(params);
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"exact", exact_results},
        {"detailed_balance", detailed_balance_single_site},
        {"detailed_balance", detailed_balance_wolff},
        {"detailed_balance", boltzmann_law_3x3},
        {"kaufman", model_matches_kaufman},
        {"onsager", model_matches_onsager},
        {"potts", potts},
        {"statistics", binning_analysis},
        {"validation", validation},
        {"validation", normalised_params},
        {"reproducibility", reproducibility},
        {"cancellation", cancellation},
    };
    return mc_run_suite(mc_suite("ising", cases, sizeof cases / sizeof *cases, 120));
}
