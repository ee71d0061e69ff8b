/*
 * test_langevin.c — the `langevin` model and its numerical core (basin/langevin.h).
 *
 * References: the Ornstein–Uhlenbeck closed forms (lectures eq. 9.2–9.5 and 16.11) and,
 * sharper, Euler–Maruyama's exact discrete laws for a linear drift (the recursions
 * mean_n − c = (m₀ − c)(1 − κk dt)ⁿ, v_{n+1} = (1 − κk dt)² v_n + 2Tκ dt, derived in
 * basin/langevin.h); the Boltzmann law q_E ∝ exp(−E/T) (Theorem 8 of
 * relaxation-fokker-planck.txt). Particles are independent, so at a fixed step the M
 * positions are iid draws of a Gaussian law: a sample mean has standard deviation √(v/M)
 * and an unbiased sample variance v·√(2/(M − 1)). Statistical checks allow 5σ: a false
 * failure has probability ~6e-7 per check, and the seeds are fixed, so a pass is
 * reproducible.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/langevin.h"
#include "basin/model.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* The model's test hook (src/models/langevin.c): sets a parsed config's dt without the
 * stability check, to reach the `diverged` path that validated params cannot reach. */
void model_langevin_set_dt_unchecked(void *config, double dt);

static json_t *vec(int d, const double *v)
{
    json_t *a = json_array();
    for (int i = 0; i < d; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

/* |measured − exact| ≤ 5σ (+ a rounding floor); tracks the largest |z| seen. */
static double worst_z;

static void check_5sigma(const char *what, long step, double measured, double exact, double sigma)
{
    double floor = 1e-9 * (1.0 + fabs(exact)); /* sums of M equal numbers round */
    double err = fabs(measured - exact);
    ck_assert_msg(err <= 5.0 * sigma + floor, "%s at step %ld: measured %.10g, exact %.10g, %.2fσ",
                  what, step, measured, exact, err / sigma);
    if (sigma > 0.0 && err / sigma > worst_z)
        worst_z = err / sigma;
}

/* ---- 0. the closed forms themselves ----------------------------------------------------- */

/* Reference: the EM recursion v_{n+1} = r² v_n + 2Tκ dt iterated directly, and the
 * continuous OU solution of the lectures (eq. 9.5: mean e^{−κt}x₀, variance σ²(1 − e^{−2κt})/(2κ)).
 * Tolerance 1e-12 relative: both sides are a handful of roundings of O(1) numbers. */
START_TEST(closed_forms)
{
    const double k = 2.0, kappa = 0.7, T = 0.4, c = -0.3, m0 = 1.1, v0 = 0.2, dt = 0.05;
    const double r = 1.0 - kappa * k * dt;
    double mean = m0, v = v0;
    for (long n = 0; n <= 60; n++) {
        basin_langevin_ou law = basin_langevin_ou_em(k, kappa, T, c, m0, v0, dt, n);
        ck_assert_double_eq_tol(law.mean, mean, 1e-12);
        ck_assert_double_eq_tol(law.var, v, 1e-12);
        mean = c + r * (mean - c);
        v = r * r * v + 2.0 * T * kappa * dt;
    }
    ck_assert_double_eq_tol(basin_langevin_ou_em(k, kappa, T, c, m0, v0, dt, 100000).var,
                            basin_langevin_ou_em_stationary_var(k, kappa, T, dt), 1e-12);
    /* lectures 9.5 with drift rate κk and σ² = 2Tκ */
    double t = 0.8, rate = kappa * k, sigma2 = 2.0 * T * kappa;
    basin_langevin_ou law = basin_langevin_ou_exact(k, kappa, T, c, m0, 0.0, t);
    ck_assert_double_eq_tol(law.mean, c + exp(-rate * t) * (m0 - c), 1e-12);
    ck_assert_double_eq_tol(law.var, sigma2 * (1.0 - exp(-2.0 * rate * t)) / (2.0 * rate), 1e-12);
    ck_assert_double_eq_tol(basin_langevin_ou_exact(k, kappa, T, c, m0, v0, 1e3).var, T / k, 1e-12);

    /* Matrix mobility K = Q diag(1, 3) Qᵀ with Q a rotation by 30°: eigenvalues 1 and 3
     * (checked), and the per-dimension law is the mix of two scalar OU modes. */
    double th = M_PI / 6.0, cs = cos(th), sn = sin(th);
    basin_mobility K = {.matrix = true};
    double lam[2] = {1.0, 3.0}, Q[4] = {cs, -sn, sn, cs};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            K.K[a * 2 + b] =
                Q[a * 2 + 0] * lam[0] * Q[b * 2 + 0] + Q[a * 2 + 1] * lam[1] * Q[b * 2 + 1];
    double lmin, lmax;
    ck_assert_int_eq(basin_langevin_mobility_check(2, &K, &lmin, &lmax), 0);
    ck_assert_double_eq_tol(lmin, 1.0, 1e-12);
    ck_assert_double_eq_tol(lmax, 3.0, 1e-12);
    basin_energy E = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = k, .c = {0.5, -1.0}}};
    double x0[2] = {2.0, 1.0}, me[2], ve[2];
    basin_langevin_harmonic_scheme(2, &E, &K, T, BASIN_LANGEVIN_EULER_MARUYAMA, x0, v0, dt, 7, me,
                                   ve);
    double y0[2] = {Q[0] * (x0[0] - 0.5) + Q[2] * (x0[1] + 1.0),
                    Q[1] * (x0[0] - 0.5) + Q[3] * (x0[1] + 1.0)}; /* Qᵀ(x₀ − c) */
    basin_langevin_ou m1 = basin_langevin_ou_em(k, lam[0], T, 0.0, y0[0], v0, dt, 7);
    basin_langevin_ou m2 = basin_langevin_ou_em(k, lam[1], T, 0.0, y0[1], v0, dt, 7);
    ck_assert_double_eq_tol(me[0], 0.5 + Q[0] * m1.mean + Q[1] * m2.mean, 1e-12);
    ck_assert_double_eq_tol(me[1], -1.0 + Q[2] * m1.mean + Q[3] * m2.mean, 1e-12);
    ck_assert_double_eq_tol(ve[0], Q[0] * Q[0] * m1.var + Q[1] * Q[1] * m2.var, 1e-12);
    ck_assert_double_eq_tol(ve[1], Q[2] * Q[2] * m1.var + Q[3] * Q[3] * m2.var, 1e-12);
    /* stability limit 2/(k λ_max) */
    ck_assert_double_eq_tol(basin_langevin_dt_limit(2, &E, &K, NULL, NULL), 2.0 / (k * 3.0), 1e-12);
    basin_mobility bad = {.matrix = true, .K = {1, 2, 2, 1}}; /* eigenvalues −1, 3 */
    ck_assert_int_eq(basin_langevin_mobility_check(2, &bad, &lmin, &lmax), BASIN_EINVAL);
}
END_TEST

/* ---- 1. OU ensemble vs Euler–Maruyama's exact discrete law ------------------------------- */

typedef struct ou_case {
    int d;
    double k, kappa, T, dt, c[3], m0[3], std; /* std < 0: point init at m0 */
    long M, steps, every;
    uint64_t seed;
    bool baoab; /* the integrator: euler_maruyama (false) or baoab */
} ou_case;

/* The integrator's exact law of one coordinate after n steps (basin/langevin.h). */
static basin_langevin_ou scheme_law(const ou_case *oc, int a, double v0, long n)
{
    return oc->baoab
               ? basin_langevin_ou_baoab(oc->k, oc->kappa, oc->T, oc->c[a], oc->m0[a], v0, oc->dt,
                                         n)
               : basin_langevin_ou_em(oc->k, oc->kappa, oc->T, oc->c[a], oc->m0[a], v0, oc->dt, n);
}

/* Reference: basin_langevin_ou_em (the EM recursions, exact for a linear drift at any dt).
 * Series average over the d dimensions, which are independent with equal variance v_n
 * (scalar mobility, isotropic init), so σ(mean) = √(v_n/(M d)) and
 * σ(variance) = v_n √(2/(M − 1))/√d. For ⟨E⟩ = (k/2) Σ_a y_a², y_a ~ N(μ_a, v_n) with
 * μ_a = mean_a − c_a: Var(y²) = 2v² + 4μ²v, so σ(⟨E⟩) = (k/2)√(Σ_a (2v² + 4μ_a² v)/M).
 * Tolerance 5σ at every recorded step. */
static void check_ou_case(const ou_case *oc)
{
    json_t *init = oc->std < 0.0 ? json_pack("{s:s, s:o}", "type", "point", "x", vec(oc->d, oc->m0))
                                 : json_pack("{s:s, s:o, s:f}", "type", "gaussian", "mean",
                                             vec(oc->d, oc->m0), "std", oc->std);
    json_t *params = json_pack(
        "{s:i, s:{s:s, s:f, s:o}, s:o, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:s}", "dim", oc->d,
        "energy", "type", "harmonic", "k", oc->k, "center", vec(oc->d, oc->c), "init", init,
        "mobility", oc->kappa, "temperature", oc->T, "dt", oc->dt, "particles", (json_int_t)oc->M,
        "steps", (json_int_t)oc->steps, "record_every", (json_int_t)oc->every, "seed",
        (json_int_t)oc->seed, "integrator", oc->baoab ? "baoab" : "euler_maruyama");
    ck_assert_ptr_nonnull(params);
    basin_ctx *ctx = mc_run_ok("langevin", params);
    const run_series *sm = mc_series(ctx, "mean"), *sv = mc_series(ctx, "variance"),
                     *se = mc_series(ctx, "mean_energy");
    ck_assert_uint_eq(sm->n, (size_t)(oc->steps / oc->every + 1));
    const double v0 = oc->std < 0.0 ? 0.0 : oc->std * oc->std, M = (double)oc->M, d = oc->d;
    for (size_t i = 0; i < sm->n; i++) {
        long n = (long)sm->step[i];
        ck_assert_int_eq(n, (long)i * oc->every);
        double mean = 0.0, v = 0.0, energy = 0.0, energy_var = 0.0;
        for (int a = 0; a < oc->d; a++) {
            basin_langevin_ou law = scheme_law(oc, a, v0, n);
            double mu = law.mean - oc->c[a];
            mean += law.mean / d;
            v = law.var;
            energy += 0.5 * oc->k * (mu * mu + v);
            energy_var += 0.25 * oc->k * oc->k * (2.0 * v * v + 4.0 * mu * mu * v);
        }
        check_5sigma("mean", n, sm->value[i], mean, sqrt(v / (M * d)));
        check_5sigma("variance", n, sv->value[i], v, v * sqrt(2.0 / (M - 1.0)) / sqrt(d));
        check_5sigma("mean_energy", n, se->value[i], energy, sqrt(energy_var / M));
    }
    /* Per dimension at the last step (values): σ(mean_a) = √(v/M), σ(var_a) = v√(2/(M−1)). */
    json_t *vm = json_object_get(ctx->values, "mean"),
           *vv = json_object_get(ctx->values, "variance");
    ck_assert_uint_eq(json_array_size(vm), (size_t)oc->d);
    for (int a = 0; a < oc->d; a++) {
        basin_langevin_ou law = scheme_law(oc, a, v0, oc->steps);
        check_5sigma("mean[a]", oc->steps, json_real_value(json_array_get(vm, (size_t)a)), law.mean,
                     sqrt(law.var / M));
        check_5sigma("variance[a]", oc->steps, json_real_value(json_array_get(vv, (size_t)a)),
                     law.var, law.var * sqrt(2.0 / (M - 1.0)));
    }
    const run_artifact *pos = run_ctx_find_artifact(ctx, "positions");
    ck_assert_ptr_nonnull(pos);
    ck_assert_int_eq(pos->ndim, 2);
    ck_assert_int_eq(pos->shape[0], oc->M);
    ck_assert_int_eq(pos->shape[1], oc->d);
    run_ctx_free(ctx);
}

START_TEST(ou_matches_em_law)
{
    const ou_case cases[] = {
        /* d = 1, point init, off-centre */
        {.d = 1,
         .k = 2.0,
         .kappa = 0.5,
         .T = 0.7,
         .dt = 0.05,
         .c = {-1.0},
         .m0 = {2.0},
         .std = -1.0,
         .M = 40000,
         .steps = 100,
         .every = 10,
         .seed = 11},
        /* d = 1, gaussian init wider than the Boltzmann law: the variance decreases */
        {.d = 1,
         .k = 1.0,
         .kappa = 1.0,
         .T = 0.5,
         .dt = 0.1,
         .c = {0.5},
         .m0 = {-1.0},
         .std = 1.5,
         .M = 40000,
         .steps = 60,
         .every = 6,
         .seed = 12},
        /* d = 3, point init */
        {.d = 3,
         .k = 1.5,
         .kappa = 1.2,
         .T = 1.0,
         .dt = 0.02,
         .c = {0.0, 1.0, -1.0},
         .m0 = {1.0, -2.0, 0.5},
         .std = -1.0,
         .M = 30000,
         .steps = 150,
         .every = 15,
         .seed = 13},
        /* d = 3, gaussian init, large step: κk dt = 0.9 (EM far from the continuous law) */
        {.d = 3,
         .k = 3.0,
         .kappa = 0.6,
         .T = 2.0,
         .dt = 0.5,
         .c = {0.3, -0.3, 0.0},
         .m0 = {-1.0, 0.0, 2.0},
         .std = 0.4,
         .M = 30000,
         .steps = 40,
         .every = 4,
         .seed = 14},
    };
    worst_z = 0.0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_ou_case(&cases[i]);
    printf("ou_matches_em_law: worst |measured - exact| = %.2f sigma\n", worst_z);
}
END_TEST

/* ---- 2. long-time limit: the Boltzmann law -------------------------------------------------- */

/* Reference: EM's stationary variance v∞ = 2Tκ dt/(1 − (1 − κk dt)²), the Boltzmann variance
 * T/k plus the O(dt) excess (T/k)·(κk dt/2)/(1 − κk dt/2); mean → c; ⟨E⟩ → (k/2) v∞ (→ T/2,
 * equipartition). With κk dt = 0.1, after 400 steps the transient is 0.9⁸⁰⁰ ≈ 1e-37 of the
 * initial offset: the law is stationary. M = 1e5: σ(var) = v∞√(2/(M − 1)) = 0.45% of v∞ and
 * the EM excess is 5.3%, so the test also shows it resolves the discretisation bias:
 * the measurement is within 5σ of v∞ and more than 5σ away from T/k. */
START_TEST(boltzmann_limit)
{
    const double k = 2.0, kappa = 1.0, T = 0.5, dt = 0.05, c = 0.25;
    const long M = 100000;
    basin_ctx *ctx = mc_run_ok(
        "langevin",
        mc_load("{\"energy\": {\"type\": \"harmonic\", \"k\": 2, \"center\": [0.25]},"
                " \"temperature\": 0.5, \"dt\": 0.05, \"particles\": 100000, \"steps\": 400,"
                " \"init\": {\"type\": \"point\", \"x\": [3]}, \"seed\": 2024}"));
    double v_inf = basin_langevin_ou_em_stationary_var(k, kappa, T, dt);
    double sv = v_inf * sqrt(2.0 / (M - 1.0));
    double var = mc_summary(ctx, "variance"), mean = mc_summary(ctx, "mean");
    double energy = mc_summary(ctx, "mean_energy");
    worst_z = 0.0;
    check_5sigma("variance vs EM stationary", 400, var, v_inf, sv);
    check_5sigma("mean vs centre", 400, mean, c, sqrt(v_inf / M));
    /* ⟨E⟩ = (k/2) y², y ~ N(0, v∞): Var = (k/2)² 2v∞² */
    check_5sigma("mean_energy vs (k/2) v_inf", 400, energy, 0.5 * k * v_inf,
                 0.5 * k * v_inf * sqrt(2.0 / M));
    ck_assert_msg(fabs(var - T / k) > 5.0 * sv, "EM bias not resolved: %g vs T/k = %g", var, T / k);
    /* the summary's continuous closed form is the Boltzmann law itself at t = 20 */
    ck_assert_double_eq_tol(mc_summary(ctx, "variance_exact"), T / k, 1e-12);
    ck_assert_double_eq_tol(mc_summary(ctx, "mean_exact"), c, 1e-12);
    ck_assert_double_eq_tol(mc_summary(ctx, "time"), 20.0, 1e-12);
    ck_assert_int_eq((long)mc_summary(ctx, "steps"), 400);
    /* the last series point is the summary */
    const run_series *s = mc_series(ctx, "variance");
    ck_assert_int_eq(s->step[s->n - 1], 400);
    ck_assert_double_eq(s->value[s->n - 1], var);
    printf("boltzmann_limit: variance %.6f, EM stationary %.6f (%.2f sigma), T/k %.6f "
           "(%.1f sigma away); mean %.5f; mean_energy %.6f vs %.6f\n",
           var, v_inf, fabs(var - v_inf) / sv, T / k, fabs(var - T / k) / sv, mean, energy,
           0.5 * k * v_inf);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 3. anisotropic mobility: still the Boltzmann law ----------------------------------- */

/* 3×3 inverse by the adjugate. */
static void inverse3(const double *A, double *B)
{
    double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                 A[2] * (A[3] * A[7] - A[4] * A[6]);
    B[0] = (A[4] * A[8] - A[5] * A[7]) / det;
    B[1] = (A[2] * A[7] - A[1] * A[8]) / det;
    B[2] = (A[1] * A[5] - A[2] * A[4]) / det;
    B[3] = (A[5] * A[6] - A[3] * A[8]) / det;
    B[4] = (A[0] * A[8] - A[2] * A[6]) / det;
    B[5] = (A[2] * A[3] - A[0] * A[5]) / det;
    B[6] = (A[3] * A[7] - A[4] * A[6]) / det;
    B[7] = (A[1] * A[6] - A[0] * A[7]) / det;
    B[8] = (A[0] * A[4] - A[1] * A[3]) / det;
}

/* Reference: the Boltzmann law N(c, (T/k) I) — the mobility changes the path, not the
 * equilibrium (Theorem 8) — and, sharper, EM's exact stationary covariance
 * Σ∞ = (T/k)(I − h K)^{-1}, h = k dt/2 (Σ = AΣA + 2T dt K with A = I − k dt K commuting
 * with K). Tolerance for the Boltzmann check, per covariance entry (a, b):
 *   bias:      ‖Σ∞ − (T/k) I‖₂ = (T/k)·hλ_max/(1 − hλ_max)  (bounds every entry);
 *   transient: from a point init Σ_n − Σ∞ = −Aⁿ Σ∞ Aⁿ, entries ≤ ρ²ⁿ ‖Σ∞‖₂ with
 *              ρ = 1 − k dt λ_min (and the mean's ≤ ρⁿ |m₀ − c|);
 *   noise:     5σ, σ²(S_ab) = (Σ_aa Σ_bb + Σ_ab²)/(M − 1) for Gaussian samples (Isserlis).
 * With dt = 0.01, λ_max ≈ 2.0: the bias is ≈ 1%, the noise 5σ ≈ 3.5% of T/k (M = 40000). */
START_TEST(anisotropic_mobility)
{
    const double k = 1.0, T = 1.0, dt = 0.01, c[3] = {0.5, -0.5, 1.0}, m0[3] = {2.0, 1.0, -1.0};
    const long M = 40000, steps = 1500;
    const double Kmat[9] = {1.5, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 0.8};
    basin_ctx *ctx = mc_run_ok(
        "langevin",
        mc_load("{\"dim\": 3, \"energy\": {\"type\": \"harmonic\", \"k\": 1, \"center\": "
                "[0.5, -0.5, 1]},"
                " \"mobility\": [[1.5, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 0.8]],"
                " \"temperature\": 1, \"dt\": 0.01, \"particles\": 40000, \"steps\": 1500,"
                " \"init\": {\"type\": \"point\", \"x\": [2, 1, -1]}, \"seed\": 99}"));
    basin_mobility K = {.matrix = true};
    memcpy(K.K, Kmat, sizeof Kmat);
    double lmin, lmax;
    ck_assert_int_eq(basin_langevin_mobility_check(3, &K, &lmin, &lmax), 0);
    const double h = 0.5 * k * dt;
    const double bias = (T / k) * h * lmax / (1.0 - h * lmax);
    const double rho = 1.0 - k * dt * lmin;
    double I_hK[9], Sinf[9];
    for (int i = 0; i < 9; i++)
        I_hK[i] = (i % 4 == 0 ? 1.0 : 0.0) - h * Kmat[i];
    inverse3(I_hK, Sinf);
    for (int i = 0; i < 9; i++)
        Sinf[i] *= T / k;
    const double Snorm = (T / k) / (1.0 - h * lmax);
    const double trans_cov = pow(rho, 2.0 * (double)steps) * Snorm;
    double dist0 = 0.0;
    for (int a = 0; a < 3; a++)
        dist0 += (m0[a] - c[a]) * (m0[a] - c[a]);
    const double trans_mean = pow(rho, (double)steps) * sqrt(dist0);

    /* sample mean and covariance of the final positions */
    const run_artifact *pos = run_ctx_find_artifact(ctx, "positions");
    ck_assert_ptr_nonnull(pos);
    const double *x = pos->data;
    double mean[3] = {0}, S[9] = {0};
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 3; a++)
            mean[a] += x[i * 3 + a] / (double)M;
    for (long i = 0; i < M; i++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                S[a * 3 + b] +=
                    (x[i * 3 + a] - mean[a]) * (x[i * 3 + b] - mean[b]) / (double)(M - 1);

    double worst_boltz = 0.0, worst_em = 0.0;
    for (int a = 0; a < 3; a++) {
        double sm = sqrt(Sinf[a * 4] / (double)M);
        double err = fabs(mean[a] - c[a]);
        ck_assert_msg(err <= 5.0 * sm + trans_mean, "mean[%d] = %g, c = %g", a, mean[a], c[a]);
        for (int b = 0; b < 3; b++) {
            double sab = Sinf[a * 3 + b];
            double sigma = sqrt((Sinf[a * 4] * Sinf[b * 4] + sab * sab) / (double)(M - 1));
            double boltz = a == b ? T / k : 0.0;
            double e_boltz = fabs(S[a * 3 + b] - boltz), e_em = fabs(S[a * 3 + b] - sab);
            ck_assert_msg(e_boltz <= bias + trans_cov + 5.0 * sigma,
                          "S[%d][%d] = %g vs Boltzmann %g: tolerance %g", a, b, S[a * 3 + b], boltz,
                          bias + trans_cov + 5.0 * sigma);
            ck_assert_msg(e_em <= trans_cov + 5.0 * sigma, "S[%d][%d] = %g vs EM Σ∞ %g (%.2fσ)", a,
                          b, S[a * 3 + b], sab, e_em / sigma);
            worst_boltz = fmax(worst_boltz, e_boltz / (bias + trans_cov + 5.0 * sigma));
            worst_em = fmax(worst_em, e_em / sigma);
        }
    }
    /* the core's closed form for the diagonal (with its exact transient) agrees */
    basin_energy E = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = k, .c = {0.5, -0.5, 1.0}}};
    double me[3], ve[3];
    basin_langevin_harmonic_scheme(3, &E, &K, T, BASIN_LANGEVIN_EULER_MARUYAMA, m0, 0.0, dt, steps,
                                   me, ve);
    for (int a = 0; a < 3; a++)
        ck_assert_double_eq_tol(ve[a], Sinf[a * 4], trans_cov + 1e-12);
    ck_assert_double_eq_tol(mc_summary(ctx, "variance_exact"), T / k, 1e-6);
    printf("anisotropic_mobility: lambda in [%.4f, %.4f], bias bound %.4f, transient %.1e; "
           "S diag %.4f %.4f %.4f off %.4f %.4f %.4f; worst |S - T/k I| = %.2f of tolerance, "
           "worst |S - EM Sigma_inf| = %.2f sigma\n",
           lmin, lmax, bias, trans_cov, S[0], S[4], S[8], S[1], S[2], S[5], worst_boltz, worst_em);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 4. reproducibility ----------------------------------------------------------------- */

static bool same_output(const basin_ctx *a, const basin_ctx *b)
{
    const run_artifact *pa = run_ctx_find_artifact(a, "positions"),
                       *pb = run_ctx_find_artifact(b, "positions");
    if (pa->nbytes != pb->nbytes || memcmp(pa->data, pb->data, pa->nbytes) != 0)
        return false;
    const char *names[] = {"mean", "variance", "mean_energy"};
    for (int i = 0; i < 3; i++) {
        const run_series *sa = run_ctx_find_series(a, names[i]),
                         *sb = run_ctx_find_series(b, names[i]);
        if (sa->n != sb->n || memcmp(sa->value, sb->value, sa->n * sizeof *sa->value) != 0 ||
            memcmp(sa->step, sb->step, sa->n * sizeof *sa->step) != 0)
            return false;
    }
    return true;
}

/* Reference: the contract "same params + same seed = bit-identical result"; the run from
 * the stored normalised params (what the worker executes) must be the same run. */
START_TEST(same_seed_same_run)
{
    const char *text = "{\"dim\": 2, \"mobility\": [[1.2, 0.3], [0.3, 0.7]],"
                       " \"init\": {\"type\": \"gaussian\", \"mean\": [1, -1], \"std\": 0.5},"
                       " \"particles\": 3001, \"steps\": 200, \"seed\": %d}";
    char buf[300];
    snprintf(buf, sizeof buf, text, 5);
    json_t *p1 = mc_load(buf), *norm = NULL;
    void *c1 = mc_parse_ok("langevin", p1, &norm), *c2 = mc_parse_ok("langevin", p1, NULL),
         *c3 = mc_parse_ok("langevin", norm, NULL);
    basin_ctx *r1 = mc_run_config_ok("langevin", c1), *r2 = mc_run_config_ok("langevin", c2),
              *r3 = mc_run_config_ok("langevin", c3);
    ck_assert(same_output(r1, r2));
    ck_assert(same_output(r1, r3));
    snprintf(buf, sizeof buf, text, 6);
    json_t *p4 = mc_load(buf);
    void *c4 = mc_parse_ok("langevin", p4, NULL);
    basin_ctx *r4 = mc_run_config_ok("langevin", c4);
    ck_assert(!same_output(r1, r4));
    const run_artifact *a1 = run_ctx_find_artifact(r1, "positions"),
                       *a4 = run_ctx_find_artifact(r4, "positions");
    ck_assert(memcmp(a1->data, a4->data, a1->nbytes) != 0);
    ck_assert_uint_eq(r1->seed, 5);
    ck_assert_int_eq(r1->has_seed, 1);
    /* A drawn seed is stored in the normalised params, so their replay is the same run. */
    json_t *p5 = mc_load("{\"particles\": 500, \"steps\": 50}"), *norm5 = NULL;
    void *c5 = mc_parse_ok("langevin", p5, &norm5), *c6 = mc_parse_ok("langevin", norm5, NULL);
    ck_assert(json_is_integer(json_object_get(norm5, "seed")));
    basin_ctx *r5 = mc_run_config_ok("langevin", c5), *r6 = mc_run_config_ok("langevin", c6);
    ck_assert(same_output(r5, r6));
    basin_ctx *all[] = {r1, r2, r3, r4, r5, r6};
    void *cfgs[] = {c1, c2, c3, c4, c5, c6};
    for (int i = 0; i < 6; i++) {
        run_ctx_free(all[i]);
        mc_model("langevin")->free_config(cfgs[i]);
    }
    json_decref(p1);
    json_decref(norm);
    json_decref(p4);
    json_decref(p5);
    json_decref(norm5);
}
END_TEST

/* ---- 5. validation ------------------------------------------------------------------------ */

/* Reference: the params contract of models.md (strict, one JSON pointer per problem) and
 * the model's doc comment. Each case must fail with the listed code, report the exact
 * pointer, and write neither out-param. */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"foo\": 1}", "/params/foo", BASIN_EINVAL},
        {"[1, 2]", "/params", BASIN_EINVAL},
        {"{\"dim\": \"3\"}", "/params/dim", BASIN_EINVAL},
        {"{\"steps\": 1.5}", "/params/steps", BASIN_EINVAL},
        {"{\"energy\": 3}", "/params/energy", BASIN_EINVAL},
        {"{\"energy\": {\"k\": \"stiff\"}}", "/params/energy/k", BASIN_EINVAL},
        {"{\"energy\": {\"k\": 0}}", "/params/energy/k", BASIN_EINVAL},
        {"{\"energy\": {\"type\": 7}}", "/params/energy/type", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"harmonic\", \"depth\": 1}}", "/params/energy/depth",
         BASIN_EINVAL},
        {"{\"init\": {\"type\": \"gaussian\", \"std\": -1}}", "/params/init/std", BASIN_EINVAL},
        {"{\"init\": {\"type\": \"banana\"}}", "/params/init/type", BASIN_EINVAL},
        {"{\"dim\": 2, \"init\": {\"type\": \"uniform\", \"low\": [0, 1], \"high\": [1, 1]}}",
         "/params/init/high/1", BASIN_EINVAL},
        {"{\"init\": {\"type\": \"gaussian\", \"x\": [1]}}", "/params/init/x", BASIN_EINVAL},
        {"{\"init\": {\"type\": \"point\", \"x\": 1}}", "/params/init/x", BASIN_EINVAL},
        {"{\"temperature\": -1}", "/params/temperature", BASIN_EINVAL},
        {"{\"particles\": 0}", "/params/particles", BASIN_EINVAL},
        {"{\"record_every\": 0}", "/params/record_every", BASIN_EINVAL},
        {"{\"integrator\": \"heun\"}", "/params/integrator", BASIN_EINVAL},
        {"{\"seed\": -5}", "/params/seed", BASIN_EINVAL},
        {"{\"dim\": 0}", "/params/dim", BASIN_EINVAL},
        {"{\"dim\": 4}", "/params/dim", BASIN_EINVAL},
        /* vectors of the wrong length: the pointer names the first missing / extra index */
        {"{\"dim\": 3, \"init\": {\"type\": \"gaussian\", \"mean\": [0, 0]}}",
         "/params/init/mean/2", BASIN_EINVAL},
        {"{\"dim\": 2, \"energy\": {\"center\": [1, 2, 3]}}", "/params/energy/center/2",
         BASIN_EINVAL},
        {"{\"dim\": 2, \"init\": {\"x\": [0, \"a\"]}}", "/params/init/x/1", BASIN_EINVAL},
        {"{\"init\": {\"type\": \"gaussian\", \"mean\": [1e9]}}", "/params/init/mean/0",
         BASIN_EINVAL},
        /* Euler–Maruyama stability: dt < 2/(k λ_max) */
        {"{\"dt\": 0}", "/params/dt", BASIN_EINVAL},
        {"{\"dt\": 2}", "/params/dt", BASIN_EINVAL},
        {"{\"dt\": 0.3, \"energy\": {\"k\": 4}, \"mobility\": 2}", "/params/dt", BASIN_EINVAL},
        {"{\"dim\": 2, \"dt\": 0.5, \"mobility\": [[3, 1], [1, 3]]}", "/params/dt", BASIN_EINVAL},
        /* energies */
        {"{\"energy\": {\"type\": \"double_well\", \"barrier\": 0}}", "/params/energy/barrier",
         BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"double_well\", \"k\": 1}}", "/params/energy/k", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"banana\"}}", "/params/energy/type", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [0.5, 0.6], \"means\":"
         " [[0], [1]], \"covs\": [1, 1]}}",
         "/params/energy/weights", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [0.5, 0.5], \"means\":"
         " [[0]]}}",
         "/params/energy/means", BASIN_EINVAL},
        {"{\"dim\": 2, \"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [1],"
         " \"means\": [[0, 0]], \"covs\": [[[1, 2], [2, 1]]]}}",
         "/params/energy/covs/0", BASIN_EINVAL},
        {"{\"dim\": 2, \"energy\": {\"type\": \"gaussian_mixture\", \"weights\": [0.2, 0.8],"
         " \"means\": [[0, 0], [1, 1]], \"covs\": [1, [[1, 0.5], [0, 1]]]}}",
         "/params/energy/covs/1/0/1", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"gaussian_mixture\", \"covs\": [-1]}}", "/params/energy/covs/0",
         BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"polynomial\", \"coefficients\": [0, 1, 1, 1]}}",
         "/params/energy/coefficients", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"polynomial\", \"coefficients\": [0, 0, -1]}}",
         "/params/energy/coefficients/2", BASIN_EINVAL},
        {"{\"energy\": {\"type\": \"polynomial\", \"coefficients\": [0, 0, 1e7]}}",
         "/params/energy/coefficients/2", BASIN_EINVAL},
        /* the explicit step's bound for a double well: κ_E = max P'' over the bulk
         * |x| ≤ √(1 + √25) at T = 1, 4(3·6 − 1) = 68, so dt < 2/68 = 0.0294 */
        {"{\"energy\": {\"type\": \"double_well\"}, \"dt\": 0.03}", "/params/dt", BASIN_EINVAL},
        {"{\"histogram\": {\"min\": [1], \"max\": [0]}}", "/params/histogram/max/0", BASIN_EINVAL},
        {"{\"dim\": 3, \"histogram\": {\"bins\": 101}}", "/params/histogram/bins", BASIN_EINVAL},
        {"{\"steps\": 1000, \"snapshot_every\": 1}", "/params/snapshot_every", BASIN_EINVAL},
        /* mobility */
        {"{\"mobility\": -1}", "/params/mobility", BASIN_EINVAL},
        {"{\"mobility\": \"big\"}", "/params/mobility", BASIN_EINVAL},
        {"{\"dim\": 2, \"mobility\": [[1, 2], [2, 1]]}", "/params/mobility", BASIN_EINVAL},
        {"{\"dim\": 2, \"mobility\": [[1, 0.5], [0, 1]]}", "/params/mobility/0/1", BASIN_EINVAL},
        {"{\"dim\": 2, \"mobility\": [[1, 0], [0, 1], [0, 0]]}", "/params/mobility/2",
         BASIN_EINVAL},
        {"{\"dim\": 3, \"mobility\": [[1, 0, 0], [0, 1], [0, 0, 1]]}", "/params/mobility/1/2",
         BASIN_EINVAL},
        {"{\"dim\": 2, \"mobility\": [[1, 0], [0, null]]}", "/params/mobility/1/1", BASIN_EINVAL},
        /* limits */
        {"{\"particles\": 10000000, \"steps\": 1000000}", "/params/steps", BASIN_ELIMIT},
        {"{\"particles\": 10, \"steps\": 1000000, \"record_every\": 1}", "/params/record_every",
         BASIN_ELIMIT},
    };
    mc_check_refusals("langevin", cases, sizeof cases / sizeof *cases);

    /* several problems at once, each with its pointer */
    json_t *params = mc_load("{\"dim\": 5, \"dt\": -1, \"foo\": 0, \"init\": {\"std\": 1}}");
    basin_problems pr;
    json_t *norm;
    void *cfg;
    ck_assert_int_eq(mc_parse("langevin", params, &basin_default_limits, &pr, &norm, &cfg),
                     BASIN_EINVAL);
    const char *want[] = {"/params/dim", "/params/dt", "/params/foo", "/params/init/std"};
    ck_assert_uint_eq(pr.count, 4);
    for (int w = 0; w < 4; w++)
        ck_assert_msg(mc_has_problem(&pr, want[w]), "no problem at %s", want[w]);
    json_decref(params);

    /* positions over max_array_elements (with a small limit) */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 1000;
    params = mc_load("{\"dim\": 3, \"particles\": 500}");
    ck_assert_int_eq(mc_parse("langevin", params, &small, &pr, &norm, &cfg), BASIN_ELIMIT);
    ck_assert_uint_eq(pr.count, 1);
    ck_assert_str_eq(pr.items[0].pointer, "/params/particles");
    json_decref(params);

    /* just below the double well's bound is accepted */
    params = mc_load("{\"energy\": {\"type\": \"double_well\"}, \"dt\": 0.029}");
    void *ok_cfg = mc_parse_ok("langevin", params, NULL);
    mc_model("langevin")->free_config(ok_cfg);
    json_decref(params);

    /* The stability message states the limit. */
    params = mc_load("{\"dt\": 0.3, \"energy\": {\"k\": 4}, \"mobility\": 2}");
    mc_parse("langevin", params, &basin_default_limits, &pr, &norm, &cfg);
    ck_assert_msg(strstr(pr.items[0].message, "0.25") != NULL, "message: %s", pr.items[0].message);
    json_decref(params);
}
END_TEST

/* Reference: the worker re-parses stored normalised params, so parse(normalised) must give
 * the same normalised JSON (json_equal). Also the defaults documented in the model. */
START_TEST(normalised_params_reparse)
{
    const char *texts[] = {
        "{}",
        "null",
        "{\"dim\": 3, \"energy\": {\"type\": \"harmonic\", \"k\": 2, \"center\": [1, 2, 3]},"
        " \"init\": {\"type\": \"gaussian\", \"mean\": [0, 0, 1], \"std\": 0.5},"
        " \"mobility\": [[2, 0.5, 0], [0.5, 1, 0], [0, 0, 1]], \"particles\": 100,"
        " \"steps\": 10, \"dt\": 0.1, \"temperature\": 0.3, \"record_every\": 3, \"seed\": 42,"
        " \"integrator\": \"euler_maruyama\"}",
        "{\"dim\": 2, \"mobility\": 3, \"init\": {\"x\": [1, 2]}, \"steps\": 7}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *params = strcmp(texts[i], "null") == 0 ? NULL : mc_load(texts[i]);
        json_t *n1 = NULL, *n2 = NULL;
        void *c1 = mc_parse_ok("langevin", params, &n1);
        void *c2 = mc_parse_ok("langevin", n1, &n2);
        char *s1 = json_dumps(n1, JSON_SORT_KEYS), *s2 = json_dumps(n2, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(n1, n2), "%s\n%s", s1, s2);
        free(s1);
        free(s2);
        mc_model("langevin")->free_config(c1);
        mc_model("langevin")->free_config(c2);
        json_decref(params);
        if (i == 0) { /* the defaults */
            /* the histogram box: the Boltzmann bulk ½ x² ≤ 25 T, i.e. |x| ≤ √50 */
            json_t *want =
                mc_load("{\"dim\": 1, \"energy\": {\"type\": \"harmonic\", \"k\": 1.0,"
                        " \"center\": [0.0]}, \"particles\": 10000, \"steps\": 1000,"
                        " \"dt\": 0.01, \"temperature\": 1.0, \"init\": {\"type\":"
                        " \"point\", \"x\": [0.0]}, \"mobility\": 1.0, \"integrator\":"
                        " \"euler_maruyama\", \"record_every\": 5, \"snapshot_every\": 0,"
                        " \"histogram\": {\"bins\": 100}}");
            json_object_set_new(json_object_get(want, "histogram"), "min",
                                json_pack("[f]", -sqrt(50.0)));
            json_object_set_new(json_object_get(want, "histogram"), "max",
                                json_pack("[f]", sqrt(50.0)));
            json_object_set(want, "seed", json_object_get(n1, "seed"));
            char *got = json_dumps(n1, JSON_SORT_KEYS);
            ck_assert_msg(json_equal(n1, want), "defaults: %s", got);
            free(got);
            json_decref(want);
        }
        json_decref(n1);
        json_decref(n2);
    }

    /* the schema describes every parameter, init as one object per type */
    json_t *schema = mc_schema("langevin");
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"energy",     "dim",         "particles",    "steps",
                          "dt",         "temperature", "init",         "mobility",
                          "integrator", "histogram",   "record_every", "snapshot_every",
                          "seed"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(props, "init"), "oneOf")), 3);
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(props, "energy"), "oneOf")),
                      4);
    json_decref(schema);
}
END_TEST

/* ---- 6. cancellation and divergence ------------------------------------------------------- */

/* Reference: model.h — run() returns BASIN_ECANCELLED when basin_ctx_should_stop() says so,
 * and models.md — "stops promptly (well under a second)". The threaded case runs a job of
 * ~1e10 coordinate updates (minutes) and must return within 0.5 s of the request: the
 * core polls every 2^20 coordinate updates (~15 ms), also inside one step (M = 1e6). */
START_TEST(cancellation)
{
    /* 1. a stop requested before the run */
    json_t *params = mc_load("{\"particles\": 1000, \"steps\": 100000}");
    void *cfg = mc_parse_ok("langevin", params, NULL);
    basin_ctx *ctx = mc_run_stopped_before("langevin", cfg);
    ck_assert_int_eq(ctx->failed, 0);
    run_ctx_free(ctx);

    /* 2. a stop requested at the first progress report */
    ctx = mc_run_stopped_at_progress("langevin", cfg);
    ck_assert_uint_le(mc_series(ctx, "mean")->n, 3);
    run_ctx_free(ctx);
    mc_model("langevin")->free_config(cfg);
    json_decref(params);

    /* 3. from another thread, mid-run */
    params =
        mc_load("{\"particles\": 1000000, \"steps\": 10000, \"init\": {\"type\": \"gaussian\"}}");
    cfg = mc_parse_ok("langevin", params, NULL);
    ctx = run_ctx_new(&basin_default_limits);
    double latency = mc_stop_latency("langevin", cfg, ctx, 0.3);
    ck_assert_msg(latency < 0.5, "stopped %.3f s after the request", latency);
    ck_assert(run_ctx_get_progress(ctx) < 1.0);
    printf("cancellation: returned %.1f ms after the request (progress %.4f)\n", 1e3 * latency,
           run_ctx_get_progress(ctx));
    run_ctx_free(ctx);
    mc_model("langevin")->free_config(cfg);
    json_decref(params);
}
END_TEST

/* Reference: with κk dt = 3 the EM map is x − c ← −2(x − c) + noise, so |x| doubles each
 * step and overflows DBL_MAX ≈ 2^1024 after about 1024 steps from |x₀| = 1 (the noise adds
 * a bounded factor). Validated params cannot get there (dt < 2/(κk) is enforced), so the
 * core is driven directly and the model through its test hook. */
START_TEST(divergence)
{
    /* core */
    const long M = 100;
    double *x = malloc(M * 2 * sizeof *x);
    basin_energy E = {.type = BASIN_ENERGY_HARMONIC, .u.harmonic = {.k = 1.0}};
    basin_mobility K = {.kappa = 1.0};
    basin_langevin s;
    ck_assert_int_eq(
        basin_langevin_init(&s, 2, M, x, &E, &K, 1.0, 3.0, BASIN_LANGEVIN_EULER_MARUYAMA, 3), 0);
    double one[2] = {1.0, 1.0};
    basin_langevin_set_point(&s, one);
    ck_assert_int_eq(basin_langevin_advance(&s, 5000, NULL, NULL), BASIN_EDIVERGED);
    long bad_step = s.step;
    ck_assert_msg(bad_step > 1000 && bad_step < 1040, "diverged at step %ld", bad_step);
    bool nonfinite = false;
    for (long i = 0; i < M * 2; i++)
        nonfinite |= !isfinite(x[i]);
    ck_assert(nonfinite);
    /* the step before is still finite: the reported step is the first bad one */
    basin_langevin_free(&s);
    ck_assert_int_eq(
        basin_langevin_init(&s, 2, M, x, &E, &K, 1.0, 3.0, BASIN_LANGEVIN_EULER_MARUYAMA, 3), 0);
    basin_langevin_set_point(&s, one);
    ck_assert_int_eq(basin_langevin_advance(&s, bad_step - 1, NULL, NULL), 0);
    for (long i = 0; i < M * 2; i++)
        ck_assert(isfinite(x[i]));
    basin_langevin_free(&s);
    free(x);

    /* model */
    json_t *params =
        mc_load("{\"dim\": 2, \"particles\": 100, \"steps\": 2000, \"record_every\": 100,"
                " \"init\": {\"type\": \"point\", \"x\": [1, 1]}, \"seed\": 3}");
    void *cfg = mc_parse_ok("langevin", params, NULL);
    model_langevin_set_dt_unchecked(cfg, 3.0);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_int_eq(mc_model("langevin")->run(cfg, ctx), BASIN_EDIVERGED);
    ck_assert_int_eq(ctx->failed, 1);
    ck_assert_str_eq(ctx->fail_code, "diverged");
    ck_assert_int_eq(ctx->fail_step, bad_step); /* same seed, same stream: same step */
    const run_series *sm = mc_series(ctx, "mean");
    ck_assert_uint_eq(sm->n, (size_t)(bad_step / 100 + 1)); /* kept up to the failure */
    ck_assert(isfinite(sm->value[sm->n - 1]));
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "positions"));
    printf("divergence: non-finite at step %ld (%s)\n", bad_step, ctx->fail_message);
    run_ctx_free(ctx);
    mc_model("langevin")->free_config(cfg);
    json_decref(params);
}
END_TEST

/* ---- 7. the random streams ---------------------------------------------------------------- */

/* Φ(x), the standard normal CDF. */
static double Phi(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

/* References: (1) basin_rng_normal's stream is unchanged since the first version (its first
 * outputs for seed 42, recorded from that version, bit for bit); (2) the ziggurat's law is
 * N(0, 1) (Marsaglia & Tsang 2000): with n = 4·10⁶ draws the counts in 60 cells (58 of
 * width 0.125 over [−3.625, 3.625] and the two tails) against n·(Φ(b) − Φ(a)) give a
 * χ² with 59 degrees of freedom, refused above 120 (p ≈ 5e-6); the first four moments and
 * the tail mass beyond the base layer r = 4.039 (which goes through the exact tail
 * algorithm) are within 5σ of their normal values (σ(mean) = 1/√n, σ(var) = √(2/n),
 * σ(skew moment E x³) = √(15/n), σ(E x⁴) = √(96/n), σ(tail) = √(P(1−P)/n)); (3) how the
 * draws are split into calls does not change them (rng.h). */
START_TEST(normal_generator)
{
    basin_rng r;
    basin_rng_seed(&r, 42);
    const double polar[4] = {-0x1.73d2feb0fb377p-1, -0x1.b088028693f9cp-3, 0x1.c5e21f7812a4cp-3,
                             0x1.0ba8bb0c5fa51p-1};
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq(basin_rng_normal(&r), polar[i]);

    const long n = 4000000, chunk = 4000;
    enum { CELLS = 60 };
    long count[CELLS] = {0}, tail = 0;
    double m1 = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0;
    const double r0 = 4.0388498461095045;
    basin_normal_gen g;
    basin_normal_gen_seed(&g, 2024, 1);
    double *z = malloc((size_t)chunk * sizeof *z);
    double elapsed = 0.0;
    for (long done = 0; done < n; done += chunk) {
        double t0 = mc_now_s();
        basin_normal_gen_fill(&g, z, chunk);
        elapsed += mc_now_s() - t0;
        for (long i = 0; i < chunk; i++) {
            double v = z[i];
            m1 += v;
            m2 += v * v;
            m3 += v * v * v;
            m4 += v * v * v * v;
            tail += fabs(v) > r0;
            int c = v < -3.625 ? 0 : v >= 3.625 ? CELLS - 1 : 1 + (int)((v + 3.625) / 0.125);
            count[c]++;
        }
    }
    double chi2 = 0.0;
    for (int c = 0; c < CELLS; c++) {
        double a = c == 0 ? -INFINITY : -3.625 + 0.125 * (c - 1);
        double b = c == CELLS - 1 ? INFINITY : -3.625 + 0.125 * c;
        double e = (double)n * (Phi(b) - Phi(a));
        chi2 += ((double)count[c] - e) * ((double)count[c] - e) / e;
    }
    const double nd = (double)n, p_tail = erfc(r0 / M_SQRT2);
    printf("normal_generator: chi2 = %.1f (59 dof), mean %.2e, var-1 %.2e, E x^3 %.2e, "
           "E x^4 - 3 %.2e, tail %.3e vs %.3e; %.2f ns per normal\n",
           chi2, m1 / nd, m2 / nd - 1.0, m3 / nd, m4 / nd - 3.0, tail / nd, p_tail,
           1e9 * elapsed / nd);
    ck_assert_msg(chi2 < 120.0, "chi2 = %g", chi2);
    ck_assert(fabs(m1 / nd) < 5.0 / sqrt(nd));
    ck_assert(fabs(m2 / nd - 1.0) < 5.0 * sqrt(2.0 / nd));
    ck_assert(fabs(m3 / nd) < 5.0 * sqrt(15.0 / nd));
    ck_assert(fabs(m4 / nd - 3.0) < 5.0 * sqrt(96.0 / nd));
    ck_assert(fabs(tail / nd - p_tail) < 5.0 * sqrt(p_tail * (1.0 - p_tail) / nd));

    /* splitting: one call of 1000 = calls of 8, 16, 976; different streams differ */
    basin_normal_gen a, b, c;
    basin_normal_gen_seed(&a, 9, 3);
    basin_normal_gen_seed(&b, 9, 3);
    basin_normal_gen_seed(&c, 9, 4);
    double za[1000], zb[1000], zc[1000];
    basin_normal_gen_fill(&a, za, 1000);
    basin_normal_gen_fill(&b, zb, 8);
    basin_normal_gen_fill(&b, zb + 8, 16);
    basin_normal_gen_fill(&b, zb + 24, 976);
    basin_normal_gen_fill(&c, zc, 1000);
    ck_assert_mem_eq(za, zb, sizeof za);
    ck_assert(memcmp(za, zc, sizeof za) != 0);
    basin_normal_gen_seed(&a, 9, 3);
    double u[1000];
    basin_normal_gen_uniform(&a, u, 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert(u[i] >= 0.0 && u[i] < 1.0);
    free(z);
}
END_TEST

/* Reference: the design of basin/langevin.h — each block of particles draws from its own
 * stream in its own order, so the positions after n steps are the same bits whether the n
 * steps come in one advance() call or several, and whatever the record interval of the
 * model. M is not a multiple of the block size, d = 3, matrix mobility, baoab. */
START_TEST(chunking_invariance)
{
    const long M = 1000, d = 3;
    basin_energy E = {.type = BASIN_ENERGY_DOUBLE_WELL, .u.double_well = {.h = 1.0, .a = 1.0}};
    basin_mobility K = {.matrix = true, .K = {1.0, 0.2, 0.0, 0.2, 0.8, 0.1, 0.0, 0.1, 0.6}};
    double *x1 = malloc(M * d * sizeof *x1), *x2 = malloc(M * d * sizeof *x2);
    const double mean[3] = {0.5, -0.5, 0.0};
    basin_langevin s1, s2;
    ck_assert_int_eq(basin_langevin_init(&s1, 3, M, x1, &E, &K, 0.7, 0.01, BASIN_LANGEVIN_BAOAB, 5),
                     0);
    ck_assert_int_eq(basin_langevin_init(&s2, 3, M, x2, &E, &K, 0.7, 0.01, BASIN_LANGEVIN_BAOAB, 5),
                     0);
    basin_langevin_set_gaussian(&s1, mean, 0.3);
    basin_langevin_set_gaussian(&s2, mean, 0.3);
    ck_assert_int_eq(basin_langevin_advance(&s1, 100, NULL, NULL), 0);
    ck_assert_int_eq(basin_langevin_advance(&s2, 1, NULL, NULL), 0);
    ck_assert_int_eq(basin_langevin_advance(&s2, 36, NULL, NULL), 0);
    ck_assert_int_eq(basin_langevin_advance(&s2, 63, NULL, NULL), 0);
    ck_assert_int_eq(s1.step, 100);
    ck_assert_int_eq(s2.step, 100);
    ck_assert_mem_eq(x1, x2, M * d * sizeof *x1);
    basin_langevin_free(&s1);
    basin_langevin_free(&s2);
    free(x1);
    free(x2);

    /* the model: record_every 7 and 50 give the same final positions */
    const char *text =
        "{\"dim\": 2, \"energy\": {\"type\": \"polynomial\", \"coefficients\": [0, 0.5,"
        " -1, 0, 0.5]}, \"particles\": 1234, \"steps\": 100, \"record_every\": %d,"
        " \"integrator\": \"baoab\", \"init\": {\"type\": \"uniform\"},"
        " \"seed\": 77}";
    char buf[400];
    snprintf(buf, sizeof buf, text, 7);
    basin_ctx *a = mc_run_ok("langevin", mc_load(buf));
    snprintf(buf, sizeof buf, text, 50);
    basin_ctx *b = mc_run_ok("langevin", mc_load(buf));
    const run_artifact *pa = run_ctx_find_artifact(a, "positions"),
                       *pb = run_ctx_find_artifact(b, "positions");
    ck_assert_uint_eq(pa->nbytes, pb->nbytes);
    ck_assert_mem_eq(pa->data, pb->data, pa->nbytes);
    run_ctx_free(a);
    run_ctx_free(b);
}
END_TEST

/* ---- 8. baoab ------------------------------------------------------------------------------ */

/* Reference: baoab's exact discrete law for the OU process (basin/langevin.h: the mean of
 * Euler–Maruyama; v_1 = r² v₀ + s²/2, v_{n+1} = r² v_n + (s²/2)(1 + r)), 5σ at every
 * recorded step as in ou_matches_em_law; and its stationary variance, which is T/k exactly
 * at any stable dt: with κk dt = 0.5 Euler–Maruyama's is (T/k)/(1 − 0.25) = 1.33 T/k, far
 * outside the 5σ band (σ = v√(2/(M−1)) = 0.45% of v with M = 10⁵), and baoab's must be in it.
 * The closed form is also checked against the recursion iterated directly (1e-12). */
START_TEST(baoab_matches_law)
{
    {
        const double k = 2.0, kappa = 0.5, T = 0.3, c = 0.5, m0 = -1.0, v0 = 0.4, dt = 0.3;
        const double r = 1.0 - kappa * k * dt, s2 = 2.0 * T * kappa * dt;
        double mean = m0, v = v0;
        for (long n = 0; n <= 40; n++) {
            basin_langevin_ou law = basin_langevin_ou_baoab(k, kappa, T, c, m0, v0, dt, n);
            ck_assert_double_eq_tol(law.mean, mean, 1e-12);
            ck_assert_double_eq_tol(law.var, v, 1e-12);
            mean = c + r * (mean - c);
            v = r * r * v + (n == 0 ? 0.5 * s2 : 0.5 * s2 * (1.0 + r));
        }
        ck_assert_double_eq_tol(basin_langevin_ou_baoab(k, kappa, T, c, m0, v0, dt, 10000).var,
                                T / k, 1e-12);
    }
    const ou_case cases[] = {
        {.d = 1,
         .k = 2.0,
         .kappa = 0.5,
         .T = 0.7,
         .dt = 0.1,
         .c = {-1.0},
         .m0 = {2.0},
         .std = -1.0,
         .M = 40000,
         .steps = 100,
         .every = 10,
         .seed = 21,
         .baoab = true},
        {.d = 3,
         .k = 3.0,
         .kappa = 0.6,
         .T = 2.0,
         .dt = 0.5,
         .c = {0.3, -0.3, 0.0},
         .m0 = {-1.0, 0.0, 2.0},
         .std = 0.4,
         .M = 30000,
         .steps = 40,
         .every = 4,
         .seed = 22,
         .baoab = true},
    };
    worst_z = 0.0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_ou_case(&cases[i]);
    /* stationary: κk dt = 0.5 */
    const long M = 100000;
    basin_ctx *ctx = mc_run_ok(
        "langevin", mc_load("{\"energy\": {\"type\": \"harmonic\", \"k\": 1}, \"dt\": 0.5,"
                            " \"temperature\": 0.8, \"particles\": 100000, \"steps\": 200,"
                            " \"integrator\": \"baoab\", \"init\": {\"type\": \"point\","
                            " \"x\": [2]}, \"seed\": 31}"));
    const double vT = 0.8, sv = vT * sqrt(2.0 / (M - 1.0));
    const double v_em = basin_langevin_ou_em_stationary_var(1.0, 1.0, 0.8, 0.5);
    double var = mc_summary(ctx, "variance");
    check_5sigma("baoab stationary variance vs T/k", 200, var, vT, sv);
    ck_assert_double_eq_tol(mc_summary(ctx, "variance_scheme"), vT, 1e-12);
    ck_assert_msg(fabs(v_em - vT) > 10.0 * sv, "the EM excess %g is not resolved", v_em - vT);
    printf("baoab_matches_law: worst %.2f sigma; stationary variance %.5f vs T/k = %.5f "
           "(%.2f sigma), Euler-Maruyama's would be %.5f (%.0f sigma away)\n",
           worst_z, var, vT, fabs(var - vT) / sv, v_em, (v_em - vT) / sv);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 9. energies, partition function, histogram estimators ------------------------------- */

/* Reference: central finite differences (h = 1e-5: truncation h²·E'''/6 ≲ 1e-8 and
 * cancellation ε·|E|/h ≲ 1e-10 for these energies and points, so 1e-6 relative is safe) for
 * every energy's gradient in d = 1..3; closed forms and identities for ln Z:
 *   harmonic (d/2) ln(2πT/k);
 *   polynomial x⁴ − 2x² = (x² − 1)² − 1, so ln Z_poly = ln Z_dw + d/T, and ln Z_dw against
 *   a midpoint sum with 2·10⁶ cells over [−4, 4] (the integrand is smooth and its tails
 *   beyond ±4 are below e^{−200/T}: the midpoint sum converges spectrally; 1e-10);
 *   one-component mixture at T: ∫ N(x; μ, Σ)^{1/T} = (2π)^{d(1−1/T)/2} det Σ^{(1−1/T)/2}
 *   T^{d/2} (cubature path of basin_langevin_log_partition; 1e-6 for its panel widths).
 * Also min E (x⁴ − 2x²: −1 per axis) and the bulk interval of the polynomial, which must
 * equal the double well's closed form a √(1 + √(25T/h)) (1e-9). */
START_TEST(energies_and_partition)
{
    basin_energy Es[4];
    memset(Es, 0, sizeof Es);
    Es[0].type = BASIN_ENERGY_HARMONIC;
    Es[0].u.harmonic.k = 1.7;
    Es[0].u.harmonic.c[0] = 0.3;
    Es[0].u.harmonic.c[1] = -0.2;
    Es[0].u.harmonic.c[2] = 1.0;
    Es[1].type = BASIN_ENERGY_DOUBLE_WELL;
    Es[1].u.double_well.h = 2.0;
    Es[1].u.double_well.a = 1.3;
    Es[2].type = BASIN_ENERGY_POLYNOMIAL;
    Es[2].u.polynomial.degree = 6;
    const double pc[7] = {0.1, -0.4, -1.0, 0.3, 0.2, 0.0, 0.05};
    memcpy(Es[2].u.polynomial.c, pc, sizeof pc);
    for (int d = 1; d <= 3; d++) {
        Es[3].type = BASIN_ENERGY_GAUSSIAN_MIXTURE;
        Es[3].u.mixture.n = 2;
        Es[3].u.mixture.w[0] = 0.3;
        Es[3].u.mixture.w[1] = 0.7;
        for (int a = 0; a < d; a++) {
            Es[3].u.mixture.mean[a] = -1.0;
            Es[3].u.mixture.mean[d + a] = 1.5;
            for (int b = 0; b < d; b++) {
                Es[3].u.mixture.cov[a * d + b] = a == b ? 0.5 : 0.1;
                Es[3].u.mixture.cov[d * d + a * d + b] = a == b ? 1.2 : -0.2;
            }
        }
        for (int e = 0; e < 4; e++) {
            ck_assert_int_eq(basin_langevin_energy_prepare(&Es[e], d, NULL), 0);
            const double x[3] = {0.7, -1.1, 0.4};
            double g[3];
            basin_langevin_energy_gradient(&Es[e], d, x, g);
            for (int a = 0; a < d; a++) {
                double xp[3], xm[3], h = 1e-5;
                memcpy(xp, x, sizeof xp);
                memcpy(xm, x, sizeof xm);
                xp[a] += h;
                xm[a] -= h;
                double fd =
                    (basin_langevin_energy(&Es[e], d, xp) - basin_langevin_energy(&Es[e], d, xm)) /
                    (2.0 * h);
                ck_assert_msg(fabs(fd - g[a]) <= 1e-6 * (1.0 + fabs(g[a])),
                              "energy %d d %d axis %d: gradient %.12g, finite difference %.12g", e,
                              d, a, g[a], fd);
            }
        }
    }
    /* ln Z */
    double lz;
    ck_assert_int_eq(basin_langevin_log_partition(&Es[0], 3, 0.6, &lz), 0);
    ck_assert_double_eq_tol(lz, 1.5 * log(2.0 * M_PI * 0.6 / 1.7), 1e-12);
    basin_energy dw = {.type = BASIN_ENERGY_DOUBLE_WELL, .u.double_well = {.h = 1.0, .a = 1.0}};
    basin_energy poly = {.type = BASIN_ENERGY_POLYNOMIAL,
                         .u.polynomial = {.degree = 4, .c = {0.0, 0.0, -2.0, 0.0, 1.0}}};
    const double T = 0.4;
    double z1 = 0.0;
    const long cells = 2000000;
    for (long i = 0; i < cells; i++) {
        double x = -4.0 + 8.0 * ((double)i + 0.5) / (double)cells;
        z1 += exp(-(x * x - 1.0) * (x * x - 1.0) / T) * 8.0 / (double)cells;
    }
    double ldw, lpoly;
    ck_assert_int_eq(basin_langevin_log_partition(&dw, 2, T, &ldw), 0);
    ck_assert_int_eq(basin_langevin_log_partition(&poly, 2, T, &lpoly), 0);
    ck_assert_double_eq_tol(ldw, 2.0 * log(z1), 1e-10);
    ck_assert_double_eq_tol(lpoly, ldw + 2.0 / T, 1e-9);
    ck_assert_double_eq_tol(basin_langevin_energy_min(&poly, 2), -2.0, 1e-12);
    double plo[3], phi[3], dlo[3], dhi[3];
    basin_langevin_energy_bulk(&poly, 1, T, plo, phi);
    basin_langevin_energy_bulk(&dw, 1, T, dlo, dhi);
    ck_assert_double_eq_tol(phi[0], sqrt(1.0 + sqrt(25.0 * T)), 1e-9);
    ck_assert_double_eq_tol(plo[0], -phi[0], 1e-9);
    ck_assert_double_eq_tol(dhi[0], phi[0], 1e-9);
    for (int d = 1; d <= 3; d++) {
        basin_energy g1 = {.type = BASIN_ENERGY_GAUSSIAN_MIXTURE};
        g1.u.mixture.n = 1;
        g1.u.mixture.w[0] = 1.0;
        double logdet = 0.0;
        for (int a = 0; a < d; a++) {
            g1.u.mixture.mean[a] = 0.3 * a;
            for (int b = 0; b < d; b++)
                g1.u.mixture.cov[a * d + b] = a == b ? 0.8 + 0.2 * a : 0.15;
        }
        /* det of the d ≤ 3 matrices above */
        const double *S = g1.u.mixture.cov;
        logdet = d == 1 ? log(S[0])
                 : d == 2
                     ? log(S[0] * S[3] - S[1] * S[2])
                     : log(S[0] * (S[4] * S[8] - S[5] * S[7]) - S[1] * (S[3] * S[8] - S[5] * S[6]) +
                           S[2] * (S[3] * S[7] - S[4] * S[6]));
        ck_assert_int_eq(basin_langevin_energy_prepare(&g1, d, NULL), 0);
        const double Tm = 0.5;
        double want = 0.5 * d * (1.0 - 1.0 / Tm) * log(2.0 * M_PI) +
                      0.5 * (1.0 - 1.0 / Tm) * logdet + 0.5 * d * log(Tm);
        ck_assert_int_eq(basin_langevin_log_partition(&g1, d, Tm, &lz), 0);
        ck_assert_msg(fabs(lz - want) < 1e-6, "d = %d: ln Z %.12g, closed form %.12g", d, lz, want);
        ck_assert_int_eq(basin_langevin_log_partition(&g1, d, 1.0, &lz), 0);
        ck_assert_double_eq(lz, 0.0);
    }
    /* a mixture must be prepared: non-SPD covariance, weights */
    basin_energy bad = {.type = BASIN_ENERGY_GAUSSIAN_MIXTURE};
    bad.u.mixture.n = 2;
    bad.u.mixture.w[0] = bad.u.mixture.w[1] = 0.5;
    bad.u.mixture.cov[0] = bad.u.mixture.cov[3] = 1.0; /* first: I */
    bad.u.mixture.cov[4] = 1.0;
    bad.u.mixture.cov[5] = bad.u.mixture.cov[6] = 2.0; /* second: [[1, 2], [2, 0]] */
    int which;
    ck_assert_int_eq(basin_langevin_energy_prepare(&bad, 2, &which), BASIN_EINVAL);
    ck_assert_int_eq(which, 1);
}
END_TEST

/* Reference: at equilibrium the histogram estimators must match the Boltzmann law's
 * values. baoab's stationary law for the harmonic energy is the Boltzmann law exactly, so
 * after 0.75⁶⁰⁰ of the transient the particles are iid draws of N(c, T/k):
 *   KL: the coarse-grained law of the particles is Q itself, D̂ is centred on 0 and
 *       2M·(D̂ + (B−1)/(2M)) ≈ χ²_{B−1}: tolerance 5·√(2(B − 1))/(2M);
 *   entropy: Ĥ estimates H_Q = −Σ Q_j ln(Q_j/V) (computed here from erf), with standard
 *       deviation √(Var_Q(ln(Q/V))/M) (tolerance 5σ + 2/M for the O(B/M²) remainder);
 *       H_Q − ½ ln(2πeT/k) is the binning bias, O(V²), printed;
 *   free energy: F̂ = ⟨E⟩ − T Ĥ against −T ln Z, with the summed tolerances of ⟨E⟩
 *       (σ = (T/2)√(2/M)), T·Ĥ and T·|H_Q − H|.
 * The box [−2.75, 3.25] is c ± 6σ: the law's mass outside is 2e-9, so the outside fraction
 * must be below 5/M (it is 0 unless a 6σ event happens). */
START_TEST(equilibrium_estimators)
{
    const double k = 2.0, T = 0.5, c = 0.25;
    const long M = 200000;
    basin_ctx *ctx = mc_run_ok(
        "langevin",
        mc_load("{\"energy\": {\"type\": \"harmonic\", \"k\": 2, \"center\": [0.25]},"
                " \"temperature\": 0.5, \"dt\": 0.25, \"particles\": 200000, \"steps\": 600,"
                " \"record_every\": 600, \"integrator\": \"baoab\", \"histogram\": {\"bins\":"
                " 40, \"min\": [-2.75], \"max\": [3.25]}, \"init\": {\"type\": \"point\", \"x\":"
                " [1]}, \"seed\": 8}"));
    const int B = 40;
    const double lo = -2.75, hi = 3.25, w = (hi - lo) / B, sd = sqrt(T / k);
    double HQ = 0.0, EQ = 0.0, E2 = 0.0;
    for (int j = 0; j < B; j++) {
        double a = lo + w * j, b = a + w;
        double q = Phi((b - c) / sd) - Phi((a - c) / sd);
        double l = log(q / w);
        HQ -= q * l;
        EQ += q * l;
        E2 += q * l * l;
    }
    double sH = sqrt((E2 - EQ * EQ) / M);
    double H = mc_summary(ctx, "entropy"), D = mc_summary(ctx, "kl_to_boltzmann");
    double F = mc_summary(ctx, "free_energy"), F_eq = mc_summary(ctx, "free_energy_eq");
    double H_exact = 0.5 * log(2.0 * M_PI * M_E * T / k);
    double sD = sqrt(2.0 * (B - 1)) / (2.0 * M);
    ck_assert_double_eq_tol(F_eq, -T * 0.5 * log(2.0 * M_PI * T / k), 1e-12);
    ck_assert_msg(fabs(D) < 5.0 * sD, "KL %g, 5 sigma %g", D, 5.0 * sD);
    ck_assert_msg(fabs(H - HQ) < 5.0 * sH + 2.0 / M, "entropy %.6f vs binned %.6f (sigma %.2g)", H,
                  HQ, sH);
    double sE = 0.5 * T * sqrt(2.0 / M);
    double tolF = 5.0 * sE + T * (5.0 * sH + 2.0 / M) + T * fabs(HQ - H_exact);
    ck_assert_msg(fabs(F - F_eq) < tolF, "F %.6f vs -T ln Z %.6f (tolerance %.2g)", F, F_eq, tolF);
    ck_assert(mc_summary(ctx, "histogram_outside") < 5.0 / M);
    printf("equilibrium_estimators: KL %.2e (5 sigma %.1e); entropy %.6f vs binned %.6f "
           "(%.2f sigma), exact %.6f (binning bias %.1e); F %.6f vs -T ln Z %.6f\n",
           D, 5.0 * sD, H, HQ, fabs(H - HQ) / sH, H_exact, HQ - H_exact, F, F_eq);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: models.md's snapshot convention — `positions@<step>` at step 0 and every
 * snapshot_every steps, each [particles, dim]; the step-0 snapshot of a uniform init lies
 * in its box. */
START_TEST(snapshots)
{
    basin_ctx *ctx =
        mc_run_ok("langevin", mc_load("{\"dim\": 2, \"particles\": 300, \"steps\": 40,"
                                      " \"snapshot_every\": 10, \"init\": {\"type\": \"uniform\","
                                      " \"low\": [1, 2], \"high\": [1.5, 3]}, \"seed\": 4}"));
    for (int step = 0; step <= 40; step += 10) {
        char name[32];
        snprintf(name, sizeof name, "positions@%d", step);
        const run_artifact *a = run_ctx_find_artifact(ctx, name);
        ck_assert_msg(a != NULL, "no %s", name);
        ck_assert_int_eq(a->shape[0], 300);
        ck_assert_int_eq(a->shape[1], 2);
        if (step == 0) {
            const double *x = a->data;
            for (int i = 0; i < 300; i++) {
                ck_assert(x[2 * i] >= 1.0 && x[2 * i] < 1.5);
                ck_assert(x[2 * i + 1] >= 2.0 && x[2 * i + 1] < 3.0);
            }
        }
    }
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "positions@5"));
    run_ctx_free(ctx);
}
END_TEST

static Suite *langevin_suite(void)
{
    Suite *s = suite_create("langevin");
    TCase *core = tcase_create("closed_forms");
    tcase_add_test(core, closed_forms);
    tcase_add_test(core, energies_and_partition);
    suite_add_tcase(s, core);
    TCase *stats = tcase_create("statistics");
    tcase_set_timeout(stats, 120);
    tcase_add_test(stats, ou_matches_em_law);
    tcase_add_test(stats, boltzmann_limit);
    tcase_add_test(stats, anisotropic_mobility);
    tcase_add_test(stats, baoab_matches_law);
    tcase_add_test(stats, equilibrium_estimators);
    tcase_add_test(stats, normal_generator);
    suite_add_tcase(s, stats);
    TCase *contract = tcase_create("contract");
    tcase_set_timeout(contract, 60);
    tcase_add_test(contract, same_seed_same_run);
    tcase_add_test(contract, validation);
    tcase_add_test(contract, normalised_params_reparse);
    tcase_add_test(contract, cancellation);
    tcase_add_test(contract, divergence);
    tcase_add_test(contract, chunking_invariance);
    tcase_add_test(contract, snapshots);
    suite_add_tcase(s, contract);
    return s;
}

int main(void)
{
    return mc_run_suite(langevin_suite());
}
