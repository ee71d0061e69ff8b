/*
 * test_fokker_planck.c — the `fokker_planck` model and its numerical core
 * (basin/fokker_planck.h).
 *
 * References: the scheme's exact discrete properties (mass conservation, positivity,
 * monotone discrete free energy — the step matrices are stochastic and fix q, so the
 * data-processing inequality applies; basin/fokker_planck.h); the partition function by
 * quadrature (Definition 2 of relaxation-fokker-planck.txt: F → −T ln Z); the spectral gap
 * of the generator by a dense symmetric eigen-solver (LAPACK dsyev) on the symmetrised
 * matrix S_ij = √(R_{i→j} R_{j→i}); the Ornstein–Uhlenbeck mean e^{−kKt}(m₀ − c) for the
 * harmonic energy; and the particle picture (Theorem 8): the `langevin` core's ensemble
 * histogram must match the grid density within its multinomial noise.
 */
#include <check.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/fokker_planck.h"
#include "basin/langevin.h"
#include "basin/model.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* The model's test hook (src/models/fokker_planck.c): sets a parsed config's dt without
 * the explicit step's bound. */
void model_fokker_planck_set_dt_unchecked(void *config, double dt);

static basin_energy double_well(void)
{
    basin_energy E = {.type = BASIN_ENERGY_DOUBLE_WELL, .u.double_well = {.h = 1.0, .a = 1.0}};
    return E;
}

/* The dense symmetrised generator S (n×n, row-major) of a grid, from its rates. */
static double *dense_symmetric(const basin_fp *s)
{
    const long n = s->n;
    double *S = calloc((size_t)(n * n), sizeof *S);
    for (long i = 0; i < n; i++)
        S[i * n + i] = -s->out_rate[i];
    for (int m = 0; m < s->n_dirs; m++)
        for (long i = 0; i < n; i++) {
            if (s->rate_fwd[m][i] == 0.0)
                continue;
            long j = i + s->off[m];
            double v = sqrt(s->rate_fwd[m][i] * s->rate_bwd[m][i]);
            S[i * n + j] = S[j * n + i] = v;
        }
    return S;
}

/* ---- 1. relaxation of a double well --------------------------------------------------- */

/* Reference: basin/fokker_planck.h's invariants, checked after every step for
 * E = (x² − 1)², T = 0.5 on [−2.5, 2.5] with 500 cells, from N(1, 0.2²) (an asymmetric start,
 * so the slow inter-well mode is excited):
 *   mass: |Σ V p − 1| ≤ steps·cells·ε (3e-10 for the implicit run): explicit steps move
 *         each flux between two cells (a rounding of ε per cell and step), implicit ones
 *         solve with a band LU whose backward error is a few ε per entry and step; the
 *         drift is a sum of such roundings (observed: about ε·√cells per step);
 *   positivity: p ≥ −1e-300 (exact non-negativity up to underflow);
 *   free energy: F_{n+1} ≤ F_n + 1e-15·|F_n| (rounding), strictly below while KL > 1e-9;
 *   limit: F_final − (−T ln Z_h) = T·KL_final ≥ 0 (identity up to the mass's drift m − 1:
 *         T|m − 1|(1 + |ln Z_h|)), and −T ln Z_h against
 *         −T ln Z by quadrature (basin_langevin_log_partition: 8-node Gauss–Legendre in
 *         2048 panels over R; the midpoint sum of this smooth, rapidly decaying integrand is
 *         spectrally accurate and the box holds all but e^{−55} of q): 1e-9;
 *   late decay: −d ln KL/dt between steps 2000 and 3000 equals 2·ln(1 + dt λ_1)/dt with
 *         λ_1 from basin_fp_spectral_gap, to 1e-4 relative (the second mode's contribution
 *         has decayed by (ρ_2/ρ_1)^2000 < 1e-30; KL's quadratic expansion adds O(KL)). */
static void relax_double_well(basin_fp_scheme scheme, long cells, double dt, long steps, long late0)
{
    basin_energy E = double_well();
    basin_mobility K = {.kappa = 1.0};
    const double T = 0.5, lo = -2.5, hi = 2.5, mean = 1.0;
    basin_fp s;
    ck_assert_int_eq(basin_fp_init(&s, 1, &cells, &lo, &hi, &E, &K, T, dt, scheme), 0);
    ck_assert_int_eq(basin_fp_set_gaussian(&s, &mean, 0.2), 0);
    basin_fp_stats st, prev;
    basin_fp_measure(&s, &prev);
    double worst_mass = 0.0, min_p = INFINITY, kl_late0 = NAN, kl_late1 = NAN;
    long strict = 0;
    for (long n = 1; n <= steps; n++) {
        ck_assert_int_eq(basin_fp_advance(&s, 1), 0);
        basin_fp_measure(&s, &st);
        worst_mass = fmax(worst_mass, fabs(st.mass - 1.0));
        min_p = fmin(min_p, st.min_p);
        ck_assert_msg(st.free_energy <= prev.free_energy + 1e-15 * fabs(prev.free_energy),
                      "F rose at step %ld: %.17g after %.17g", n, st.free_energy, prev.free_energy);
        if (prev.kl > 1e-9) {
            ck_assert_msg(st.free_energy < prev.free_energy, "F not strictly lower at step %ld", n);
            strict++;
        }
        if (n == late0)
            kl_late0 = st.kl;
        prev = st;
    }
    kl_late1 = st.kl;
    ck_assert_msg(worst_mass <= (double)steps * (double)cells * DBL_EPSILON, "mass drift %g",
                  worst_mass);
    ck_assert_msg(min_p >= -1e-300, "negative density %g", min_p);
    const double F_eq = -T * s.log_Zh;
    /* F − F_eq = T·KL(p/m‖q) + T(m − 1)(KL + 1 − ln Z_h) + O((m − 1)²), m the mass */
    ck_assert_double_eq_tol(st.free_energy - F_eq, T * st.kl,
                            T * fabs(st.mass - 1.0) * (1.0 + fabs(s.log_Zh)) + 1e-14);
    double log_Z;
    ck_assert_int_eq(basin_langevin_log_partition(&E, 1, T, &log_Z), 0);
    ck_assert_msg(fabs(F_eq + T * log_Z) < 1e-9, "-T ln Z_h = %.15g, -T ln Z = %.15g", F_eq,
                  -T * log_Z);
    double gap;
    ck_assert_int_eq(basin_fp_spectral_gap(&s, NULL, NULL, &gap), 0);
    double rate = -log(kl_late1 / kl_late0) / ((double)(steps - late0) * dt);
    double predicted = 2.0 * basin_fp_scheme_rate(&s, gap);
    ck_assert_msg(fabs(rate / predicted - 1.0) < 1e-4, "KL rate %.10g, 2 x scheme gap %.10g", rate,
                  predicted);
    printf("relax_double_well (%s, dt %g): mass drift %.1e, min p %.1e, F strictly lower for "
           "%ld steps, F - (-T ln Z_h) = %.2e, -T ln Z_h - (-T ln Z) = %.1e; gap %.8f, KL rate "
           "%.8f vs 2 x scheme gap %.8f (rel %.1e)\n",
           scheme == BASIN_FP_IMPLICIT ? "implicit" : "explicit", dt, worst_mass, min_p, strict,
           st.free_energy - F_eq, F_eq + T * log_Z, gap, rate, predicted,
           fabs(rate / predicted - 1.0));
    basin_fp_free(&s);
}

START_TEST(double_well_implicit)
{
    relax_double_well(BASIN_FP_IMPLICIT, 500, 0.01, 3000, 2000);
}
END_TEST

START_TEST(double_well_explicit)
{
    /* 200 cells, dt = dt_max/2 (≈ 1.6e-4): every mode's factor 1 − dt λ then lies in
     * [0, 1] (λ ≤ 2 max out-rate by Gershgorin), so no fast mode oscillates near −1; the
     * rate is measured over t ∈ [20, 30] as in the implicit run, where KL ≈ 1e-6 and the
     * quartic terms of KL's expansion (the cubic one vanishes for the odd slow mode of a
     * symmetric well) are far below 1e-4 */
    basin_energy E = double_well();
    basin_mobility K = {.kappa = 1.0};
    const double lo = -2.5, hi = 2.5;
    const long cells = 200;
    basin_fp probe;
    ck_assert_int_eq(
        basin_fp_init(&probe, 1, &cells, &lo, &hi, &E, &K, 0.5, 1.0, BASIN_FP_EXPLICIT), 0);
    double dt = 0.5 * basin_fp_dt_max(&probe);
    basin_fp_free(&probe);
    long steps = (long)(30.0 / dt);
    relax_double_well(BASIN_FP_EXPLICIT, cells, dt, steps, steps * 2 / 3);
}
END_TEST

/* ---- 2. the spectral gap ------------------------------------------------------------------ */

/* Reference: LAPACK dsyev on the dense symmetrised generator S = Q^{-1/2} A Q^{1/2} (same
 * eigenvalues as A): λ_1 = −(second largest eigenvalue). Inverse iteration stops at 1e-12
 * relative change and dsyev is backward stable (error ε‖S‖ ≈ 1e-16·4·10⁴ here, relative to
 * λ_1 ≈ 0.2 … 3 below 1e-10), so 1e-8 relative. Cases: the 1-D double well and a 2-D
 * harmonic well with a cross-term mobility (diagonal edges). */
START_TEST(spectral_gap_dense)
{
    struct {
        int d;
        long cells[2];
        double lo[2], hi[2], T;
        basin_energy E;
        basin_mobility K;
    } cases[2] = {
        {.d = 1,
         .cells = {80},
         .lo = {-2.5},
         .hi = {2.5},
         .T = 0.4,
         .E = double_well(),
         .K = {.kappa = 1.3}},
        {.d = 2,
         .cells = {14, 11},
         .lo = {-2.0, -1.5},
         .hi = {2.0, 2.0},
         .T = 0.8,
         .E = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = 1.5, .c = {0.2, 0.1}}},
         .K = {.matrix = true, .K = {1.0, 0.3, 0.3, 0.9}}},
    };
    for (int c = 0; c < 2; c++) {
        basin_fp s;
        ck_assert_int_eq(basin_fp_init(&s, cases[c].d, cases[c].cells, cases[c].lo, cases[c].hi,
                                       &cases[c].E, &cases[c].K, cases[c].T, 0.01,
                                       BASIN_FP_IMPLICIT),
                         0);
        if (c == 1)
            ck_assert_int_eq(s.n_dirs, 3); /* x, y and the diagonal */
        double gap;
        ck_assert_int_eq(basin_fp_spectral_gap(&s, NULL, NULL, &gap), 0);
        double *S = dense_symmetric(&s), *w = malloc((size_t)s.n * sizeof *w);
        ck_assert_int_eq(
            LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)s.n, S, (lapack_int)s.n, w), 0);
        double ref = -w[s.n - 2];
        ck_assert_msg(fabs(w[s.n - 1]) < 1e-10 * fabs(w[0]), "the top eigenvalue %g is not 0",
                      w[s.n - 1]);
        ck_assert_msg(fabs(gap / ref - 1.0) < 1e-8, "case %d: gap %.15g, dense %.15g", c, gap, ref);
        printf("spectral_gap_dense: case %d (%ld cells): inverse iteration %.12f, dsyev %.12f\n", c,
               s.n, gap, ref);
        free(S);
        free(w);
        basin_fp_free(&s);
    }
}
END_TEST

/* ---- 3. positivity limit of the explicit step ------------------------------------------- */

/* Reference: basin/fokker_planck.h — I + dt A is stochastic iff dt ≤ dt_max =
 * 1/max_i Σ_j R_{i→j}. At dt = dt_max a point mass stays non-negative and conserves mass
 * (1e-13); at 1.9·dt_max the diagonal 1 − dt·out_i of the fullest cell is ≈ −0.9, so the
 * first step makes it negative and the core reports `diverged` at step 1. */
START_TEST(explicit_limit)
{
    basin_energy E = double_well();
    basin_mobility K = {.kappa = 2.0};
    const double lo = -2.0, hi = 2.0, x0 = 0.3;
    const long cells = 200;
    basin_fp s;
    ck_assert_int_eq(basin_fp_init(&s, 1, &cells, &lo, &hi, &E, &K, 0.3, 1.0, BASIN_FP_EXPLICIT),
                     0);
    double dt_max = basin_fp_dt_max(&s);
    basin_fp_free(&s);
    /* the params check computes the same limit row by row, without the grid (the sums run
     * in another order: 1e-14 relative) */
    ck_assert_double_eq_tol(basin_fp_dt_max_grid(1, &cells, &lo, &hi, &E, &K, 0.3), dt_max,
                            1e-14 * dt_max);
    {
        basin_energy H = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = 3.0, .c = {0.4}}};
        basin_mobility K2 = {.matrix = true, .K = {1.0, -0.3, -0.3, 0.7}};
        const long c2[2] = {30, 25};
        const double lo2[2] = {-2.0, -1.0}, hi2[2] = {2.0, 1.5};
        basin_fp g;
        ck_assert_int_eq(basin_fp_init(&g, 2, c2, lo2, hi2, &H, &K2, 0.6, 1.0, BASIN_FP_EXPLICIT),
                         0);
        double want = basin_fp_dt_max(&g);
        ck_assert_double_eq_tol(basin_fp_dt_max_grid(2, c2, lo2, hi2, &H, &K2, 0.6), want,
                                1e-14 * want);
        basin_fp_free(&g);
    }
    ck_assert_int_eq(basin_fp_init(&s, 1, &cells, &lo, &hi, &E, &K, 0.3, dt_max, BASIN_FP_EXPLICIT),
                     0);
    ck_assert_int_eq(basin_fp_set_point(&s, &x0), 0);
    ck_assert_int_eq(basin_fp_advance(&s, 500), 0);
    basin_fp_stats st;
    basin_fp_measure(&s, &st);
    ck_assert(st.min_p >= 0.0);
    ck_assert_double_eq_tol(st.mass, 1.0, 1e-13);
    basin_fp_free(&s);
    ck_assert_int_eq(
        basin_fp_init(&s, 1, &cells, &lo, &hi, &E, &K, 0.3, 1.9 * dt_max, BASIN_FP_EXPLICIT), 0);
    ck_assert_int_eq(basin_fp_set_point(&s, &x0), 0);
    ck_assert_int_eq(basin_fp_advance(&s, 10), BASIN_EDIVERGED);
    ck_assert_int_eq(s.step, 1);
    basin_fp_free(&s);

    /* the model refuses dt above the bound, with the bound in the message */
    json_t *params = mc_load("{\"scheme\": \"explicit\", \"dt\": 0.1, \"grid\": {\"min\": -2,"
                             " \"max\": 2, \"cells\": 200}}");
    basin_problems pr;
    json_t *norm;
    void *cfg;
    ck_assert_int_eq(mc_parse("fokker_planck", params, &basin_default_limits, &pr, &norm, &cfg),
                     BASIN_EINVAL);
    ck_assert_uint_eq(pr.count, 1);
    ck_assert_str_eq(pr.items[0].pointer, "/params/dt");
    ck_assert_msg(strstr(pr.items[0].message, "dt_max") != NULL, "%s", pr.items[0].message);
    json_decref(params);
    /* and the model's diverged path, through the test hook */
    params =
        mc_load("{\"scheme\": \"explicit\", \"grid\": {\"min\": -2, \"max\": 2, \"cells\": 200},"
                " \"init\": {\"type\": \"point\", \"x\": [0.3]}, \"steps\": 50,"
                " \"record_every\": 10}");
    cfg = mc_parse_ok("fokker_planck", params, NULL);
    model_fokker_planck_set_dt_unchecked(cfg, 1.0);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_int_eq(mc_model("fokker_planck")->run(cfg, ctx), BASIN_EDIVERGED);
    ck_assert_str_eq(ctx->fail_code, "diverged");
    ck_assert_int_eq(ctx->fail_step, 1);
    ck_assert_uint_eq(run_ctx_find_series(ctx, "mass")->n, 1); /* kept: step 0 */
    run_ctx_free(ctx);
    mc_model("fokker_planck")->free_config(cfg);
    json_decref(params);
}
END_TEST

/* ---- 4. two dimensions, cross-term mobility -------------------------------------------- */

/* Reference: the continuous Ornstein–Uhlenbeck mean m(t) − c = e^{−kKt}(m₀ − c) (the first
 * moment of the Fokker–Planck equation for E = ½k|x − c|², exact in the continuum), with
 * K = [[1, 0.4], [0.4, 0.8]] (diagonal edges in the scheme). The scheme's own error is
 * O(h²) in space (h = 0.1) and O(dt) in time (implicit, dt = 0.005): the grid mean may
 * differ from m(t) by a few 1e-3; tolerance 1e-2 on |m − m(t)| at t = 0.5, 1, 2 (it also
 * separates K from its diagonal: dropping K_xy moves the mean by > 0.05 at t = 0.5). Also
 * exact properties: mass (1e-12), p ≥ 0, F non-increasing, and the limit KL → 0. */
START_TEST(two_d_cross_mobility)
{
    basin_energy E = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = 2.0, .c = {0.2, -0.1}}};
    basin_mobility K = {.matrix = true, .K = {1.0, 0.4, 0.4, 0.8}};
    const long cells[2] = {60, 60};
    const double lo[2] = {-3.0, -3.0}, hi[2] = {3.0, 3.0}, m0[2] = {1.2, 0.9}, dt = 0.005;
    const double T = 0.5;
    basin_fp s;
    ck_assert_int_eq(basin_fp_init(&s, 2, cells, lo, hi, &E, &K, T, dt, BASIN_FP_IMPLICIT), 0);
    ck_assert_int_eq(s.n_dirs, 3);
    ck_assert_int_eq(basin_fp_set_gaussian(&s, m0, 0.25), 0);
    /* e^{−kKt}: K = Q diag(λ) Qᵀ */
    double lam[2], Q[4];
    basin_langevin_symeig(2, K.K, lam, Q);
    basin_fp_stats st, prev;
    basin_fp_measure(&s, &prev);
    double worst = 0.0, worst_diag = 0.0;
    for (long n = 1; n <= 400; n++) {
        ck_assert_int_eq(basin_fp_advance(&s, 1), 0);
        basin_fp_measure(&s, &st);
        ck_assert_double_eq_tol(st.mass, 1.0, 1e-12);
        ck_assert(st.min_p >= -1e-300);
        ck_assert(st.free_energy <= prev.free_energy + 1e-15 * fabs(prev.free_energy));
        prev = st;
        if (n != 100 && n != 200 && n != 400)
            continue;
        double t = n * dt, mean[2] = {0, 0};
        for (long iy = 0; iy < s.ny; iy++)
            for (long ix = 0; ix < s.nx; ix++) {
                double p = s.p[iy * s.nx + ix] * s.vol;
                mean[0] += p * (s.lo[0] + (ix + 0.5) * s.h[0]);
                mean[1] += p * (s.lo[1] + (iy + 0.5) * s.h[1]);
            }
        double y[2], want[2], diag[2];
        for (int j = 0; j < 2; j++) /* modes of m₀ − c */
            y[j] = Q[0 * 2 + j] * (m0[0] - 0.2) + Q[1 * 2 + j] * (m0[1] + 0.1);
        for (int a = 0; a < 2; a++) {
            want[a] = a == 0 ? 0.2 : -0.1;
            for (int j = 0; j < 2; j++)
                want[a] += Q[a * 2 + j] * exp(-2.0 * lam[j] * t) * y[j];
        }
        diag[0] = 0.2 + exp(-2.0 * 1.0 * t) * (m0[0] - 0.2); /* K without its cross term */
        diag[1] = -0.1 + exp(-2.0 * 0.8 * t) * (m0[1] + 0.1);
        double err = hypot(mean[0] - want[0], mean[1] - want[1]);
        worst = fmax(worst, err);
        if (n == 100)
            worst_diag = hypot(diag[0] - want[0], diag[1] - want[1]);
        ck_assert_msg(err < 1e-2, "t = %g: mean (%.5f, %.5f), OU (%.5f, %.5f)", t, mean[0], mean[1],
                      want[0], want[1]);
    }
    ck_assert_msg(worst_diag > 0.05, "the cross term is not resolved: %g", worst_diag);
    ck_assert_int_eq(basin_fp_advance(&s, 3000), 0);
    basin_fp_measure(&s, &st);
    ck_assert_msg(st.kl < 1e-10, "KL %g after t = 17", st.kl);
    printf("two_d_cross_mobility: worst |mean - OU mean| = %.2e (without K_xy: %.3f); final "
           "KL %.1e\n",
           worst, worst_diag, st.kl);
    basin_fp_free(&s);
}
END_TEST

/* ---- 5. the particle picture ---------------------------------------------------------------- */

/* Reference: Theorem 8 — the Langevin ensemble's law is the Fokker–Planck density. Same
 * double well E = (x² − 1)², T = 0.5, same initial law N(0.8, 0.3²); M = 2·10⁵ particles
 * (Euler–Maruyama, dt = 1e-3) against the implicit grid (1000 cells on [−2.5, 2.5],
 * dt = 1e-3), compared at t = 0.25, 0.5 and 1.5 on 50 bins of width 0.1 (10 grid cells
 * each; the bins hold the whole grid). The statistic χ² = Σ_j (n_j − M P_j)²/(M P_j) over
 * bins with M P_j ≥ 5 follows χ² with B − 1 degrees of freedom when the particle law is P;
 * the systematic errors (O(dt) of both time steps, O(h²) of the grid: relative 1e-3 or less
 * of P_j) add about M·Σ_j (1e-3 P_j)²/P_j = 0.2 to it. Refused above B − 1 + 6√(2(B − 1))
 * (≈ 6σ of the χ² law). */
START_TEST(langevin_vs_fokker_planck)
{
    basin_energy E = double_well();
    basin_mobility K = {.kappa = 1.0};
    const double T = 0.5, lo = -2.5, hi = 2.5, mean = 0.8, std = 0.3, dt = 1e-3;
    const long cells = 1000, M = 200000, group = 20;
    basin_fp fp;
    ck_assert_int_eq(basin_fp_init(&fp, 1, &cells, &lo, &hi, &E, &K, T, dt, BASIN_FP_IMPLICIT), 0);
    ck_assert_int_eq(basin_fp_set_gaussian(&fp, &mean, std), 0);
    double *x = malloc(M * sizeof *x);
    basin_langevin ens;
    ck_assert_int_eq(
        basin_langevin_init(&ens, 1, M, x, &E, &K, T, dt, BASIN_LANGEVIN_EULER_MARUYAMA, 12345), 0);
    basin_langevin_set_gaussian(&ens, &mean, std);
    const long at[3] = {250, 500, 1500};
    const long B = cells / group;
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(basin_langevin_advance(&ens, at[k] - ens.step, NULL, NULL), 0);
        ck_assert_int_eq(basin_fp_advance(&fp, at[k] - fp.step), 0);
        long *n = calloc((size_t)B, sizeof *n), outside = 0;
        for (long i = 0; i < M; i++) {
            double u = (x[i] - lo) / (hi - lo) * (double)B;
            if (u >= 0.0 && u < (double)B)
                n[(long)u]++;
            else
                outside++;
        }
        double chi2 = 0.0;
        long dof = -1;
        for (long j = 0; j < B; j++) {
            double P = 0.0;
            for (long c = j * group; c < (j + 1) * group; c++)
                P += fp.p[c] * fp.vol;
            double e = (double)M * P;
            if (e < 5.0)
                continue;
            chi2 += ((double)n[j] - e) * ((double)n[j] - e) / e;
            dof++;
        }
        double limit = dof + 6.0 * sqrt(2.0 * dof);
        printf("langevin_vs_fokker_planck: t = %.2f: chi2 = %.1f on %ld dof (limit %.0f), "
               "%ld particles outside the grid\n",
               at[k] * dt, chi2, dof, limit, outside);
        ck_assert_msg(chi2 < limit, "t = %g: chi2 %g > %g", at[k] * dt, chi2, limit);
        ck_assert_int_le(outside, 2);
        free(n);
    }
    basin_langevin_free(&ens);
    basin_fp_free(&fp);
    free(x);
}
END_TEST

/* ---- 6. the model's contract ------------------------------------------------------------- */

/* Reference: models.md's summary keys and series names; the model's doc comment (what
 * each number is). The run of a double well must end near equilibrium with the free
 * energy at −T ln Z_h (identity F − F_eq = T·KL, 1e-10), the quadrature value within 1e-8,
 * and the measured late rate near its prediction (1e-3: the recorded points are 100 steps
 * apart and the last ones are still mode-1 dominated). */
START_TEST(model_run)
{
    basin_ctx *ctx = mc_run_ok(
        "fokker_planck", mc_load("{\"energy\": {\"type\": \"double_well\"}, \"temperature\":"
                                 " 0.5, \"grid\": {\"min\": -2.5, \"max\": 2.5, \"cells\": 400},"
                                 " \"init\": {\"type\": \"gaussian\", \"mean\": [1], \"std\":"
                                 " 0.2}, \"dt\": 0.01, \"steps\": 2000, \"record_every\": 100,"
                                 " \"snapshot_every\": 500}"));
    const char *keys[] = {"free_energy",
                          "free_energy_eq",
                          "final_kl",
                          "mass",
                          "mass_error",
                          "min_p",
                          "spectral_gap",
                          "relaxation_rate",
                          "kl_rate_predicted",
                          "free_energy_quadrature",
                          "dt_max"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_is_number(json_object_get(ctx->summary, keys[i])), "no %s", keys[i]);
    const char *series[] = {"free_energy", "kl", "mass", "mean_energy", "entropy", "min_p"};
    for (size_t i = 0; i < 6; i++) {
        const run_series *sr = run_ctx_find_series(ctx, series[i]);
        ck_assert_msg(sr && sr->n == 21, "series %s", series[i]);
    }
    double F = mc_summary(ctx, "free_energy"), Feq = mc_summary(ctx, "free_energy_eq");
    ck_assert_double_eq_tol(F - Feq, 0.5 * mc_summary(ctx, "final_kl"), 1e-10);
    ck_assert_double_eq_tol(Feq, mc_summary(ctx, "free_energy_quadrature"), 1e-8);
    ck_assert(mc_summary(ctx, "mass_error") < 1e-12);
    double rate = mc_summary(ctx, "relaxation_rate"), pred = mc_summary(ctx, "kl_rate_predicted");
    ck_assert_msg(fabs(rate / pred - 1.0) < 1e-3, "rate %g predicted %g", rate, pred);
    const run_artifact *p = run_ctx_find_artifact(ctx, "p"), *q = run_ctx_find_artifact(ctx, "q"),
                       *xa = run_ctx_find_artifact(ctx, "x");
    ck_assert(p && q && xa);
    ck_assert_int_eq(p->ndim, 2);
    ck_assert_int_eq(p->shape[0], 1);
    ck_assert_int_eq(p->shape[1], 400);
    ck_assert_double_eq_tol(((const double *)xa->data)[0], -2.5 + 0.5 * 5.0 / 400.0, 1e-15);
    for (int step = 0; step <= 2000; step += 500) {
        char name[32];
        snprintf(name, sizeof name, "p@%d", step);
        ck_assert_msg(run_ctx_find_artifact(ctx, name) != NULL, "no %s", name);
    }
    printf("model_run: F - F_eq = %.2e, F_eq %.12f vs quadrature %.12f, rate %.6f vs %.6f\n",
           F - Feq, Feq, mc_summary(ctx, "free_energy_quadrature"), rate, pred);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: the params contract of models.md and the model's doc comment: each case fails
 * with the listed code, reports the exact pointer (and only one problem), and writes
 * neither out-param. */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"dim\": 3}", "/params/dim", BASIN_EINVAL},
        {"{\"temperature\": 0}", "/params/temperature", BASIN_EINVAL},
        {"{\"grid\": {\"cells\": 1}}", "/params/grid/cells", BASIN_EINVAL},
        {"{\"grid\": {\"cells\": 10.5}}", "/params/grid/cells", BASIN_EINVAL},
        {"{\"grid\": {\"min\": 1, \"max\": -1}}", "/params/grid/max/0", BASIN_EINVAL},
        {"{\"dim\": 2, \"grid\": {\"cells\": [10, 10, 10]}}", "/params/grid/cells", BASIN_EINVAL},
        {"{\"dim\": 2, \"grid\": {\"min\": [0, \"a\"]}}", "/params/grid/min/1", BASIN_EINVAL},
        {"{\"grid\": {\"size\": 3}}", "/params/grid/size", BASIN_EINVAL},
        {"{\"scheme\": \"crank_nicolson\"}", "/params/scheme", BASIN_EINVAL},
        {"{\"scheme\": \"explicit\", \"dt\": 1}", "/params/dt", BASIN_EINVAL},
        {"{\"grid\": {\"min\": -1, \"max\": 1}, \"init\": {\"type\": \"point\", \"x\": [50]}}",
         "/params/init", BASIN_EINVAL},
        {"{\"grid\": {\"min\": -1, \"max\": 1}, \"init\": {\"type\": \"uniform\", \"low\": [2],"
         " \"high\": [3]}}",
         "/params/init", BASIN_EINVAL},
        /* a cross term larger than the diagonal of a square grid */
        {"{\"dim\": 2, \"mobility\": [[1, 0.9], [0.9, 0.85]]}", "/params/mobility/0/1",
         BASIN_EINVAL},
        {"{\"dim\": 2, \"mobility\": [[1, 2], [2, 1]]}", "/params/mobility", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [0.3, 0.3], \"means\": [[0],"
         " [1]]}}",
         "/params/energy/weights", BASIN_EINVAL},
        {"{\"dim\": 2, \"energy\": {\"type\": \"gaussian_mixture\", \"covs\": [[[1, 0], [0, "
         "-1]]]}}",
         "/params/energy/covs/0", BASIN_EINVAL},
        {"{\"steps\": 100, \"snapshot_every\": 1}", "/params/snapshot_every", BASIN_EINVAL},
        {"{\"spectral_gap\": 1}", "/params/spectral_gap", BASIN_EINVAL},
        {"{\"seed\": 3}", "/params/seed", BASIN_EINVAL}, /* deterministic: no seed */
        /* limits */
        {"{\"grid\": {\"cells\": 100000}, \"steps\": 1000000000}", "/params/steps", BASIN_ELIMIT},
        {"{\"dim\": 2, \"grid\": {\"cells\": 200}}", "/params/grid/cells", BASIN_ELIMIT},
    };
    mc_check_refusals("fokker_planck", cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Reference: the worker re-parses stored normalised params: parse(normalised) must give the
 * same JSON and the same run, bit for bit (the model is deterministic); the schema lists
 * every parameter. */
START_TEST(normalised_params_reparse)
{
    const char *texts[] = {
        "{}",
        "{\"dim\": 2, \"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [0.4, 0.6],"
        " \"means\": [[-1, 0], [1, 0.5]], \"covs\": [0.3, [[0.4, 0.1], [0.1, 0.3]]]},"
        " \"grid\": {\"cells\": [24, 20]}, \"steps\": 30, \"scheme\": \"explicit\","
        " \"mobility\": [[1, 0.2], [0.2, 1]]}",
        "{\"energy\": {\"type\": \"polynomial\", \"coefficients\": [0, 0.3, -1, 0, 0.5]},"
        " \"init\": {\"type\": \"uniform\", \"low\": [-1], \"high\": [0]}, \"steps\": 50}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *params = mc_load(texts[i]), *n1 = NULL, *n2 = NULL;
        void *c1 = mc_parse_ok("fokker_planck", params, &n1),
             *c2 = mc_parse_ok("fokker_planck", n1, &n2);
        char *s1 = json_dumps(n1, JSON_SORT_KEYS), *s2 = json_dumps(n2, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(n1, n2), "%s\n%s", s1, s2);
        free(s1);
        free(s2);
        basin_ctx *a = mc_run_config_ok("fokker_planck", c1),
                  *b = mc_run_config_ok("fokker_planck", c2);
        const run_artifact *pa = run_ctx_find_artifact(a, "p"), *pb = run_ctx_find_artifact(b, "p");
        ck_assert_uint_eq(pa->nbytes, pb->nbytes);
        ck_assert_mem_eq(pa->data, pb->data, pa->nbytes);
        ck_assert(json_equal(a->summary, b->summary));
        run_ctx_free(a);
        run_ctx_free(b);
        mc_model("fokker_planck")->free_config(c1);
        mc_model("fokker_planck")->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
    json_t *schema = mc_schema("fokker_planck");
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"dim",   "energy",       "temperature",    "mobility",
                          "init",  "grid",         "scheme",         "dt",
                          "steps", "record_every", "snapshot_every", "spectral_gap"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    json_decref(schema);
}
END_TEST

/* Reference: model.h / models.md — a run stops promptly (well under a second) when asked.
 * A 2-D implicit run (90×90 cells, 10⁵ steps of ≈ 10⁷ operations) must return within
 * 0.5 s of the request. */
START_TEST(cancellation)
{
    const char *text =
        "{\"dim\": 2, \"grid\": {\"cells\": 90}, \"steps\": 100000, \"spectral_gap\": false}";
    double latency = mc_check_stop("fokker_planck", text, 0.4, 0.5);
    printf("cancellation: returned %.1f ms after the request\n", 1e3 * latency);
}
END_TEST

static Suite *fokker_planck_suite(void)
{
    Suite *s = suite_create("fokker_planck");
    TCase *scheme = tcase_create("scheme");
    tcase_set_timeout(scheme, 120);
    tcase_add_test(scheme, double_well_implicit);
    tcase_add_test(scheme, double_well_explicit);
    tcase_add_test(scheme, spectral_gap_dense);
    tcase_add_test(scheme, explicit_limit);
    tcase_add_test(scheme, two_d_cross_mobility);
    tcase_add_test(scheme, langevin_vs_fokker_planck);
    suite_add_tcase(s, scheme);
    TCase *contract = tcase_create("contract");
    tcase_set_timeout(contract, 60);
    tcase_add_test(contract, model_run);
    tcase_add_test(contract, validation);
    tcase_add_test(contract, normalised_params_reparse);
    tcase_add_test(contract, cancellation);
    suite_add_tcase(s, contract);
    return s;
}

int main(void)
{
    return mc_run_suite(fokker_planck_suite());
}
