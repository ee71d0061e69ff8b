/*
 * test_continuous_hopfield.c — the `continuous_hopfield` model and its numerical core.
 *
 * Each numerical test names its reference (a closed form, an independent dense
 * computation in this file through LAPACK's symmetric eigensolver, or a theorem) and
 * says why its tolerance is what it is.
 */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/continuous_hopfield.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* A random nv×nh coupling matrix rescaled to spectral norm `norm` (power iteration). */
static double *random_coupling(uint64_t seed, long nv, long nh, double norm)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    double *U = malloc((size_t)(nv * nh) * sizeof *U);
    for (long k = 0; k < nv * nh; k++)
        U[k] = basin_rng_normal(&rng);
    double s;
    ck_assert_int_eq(basin_chn_spectral_norm(U, nv, nh, &s), 0);
    for (long k = 0; k < nv * nh; k++)
        U[k] *= norm / s;
    return U;
}

/* The dense reference: H = [[I, −U], [−Uᵀ, I]] (n×n, n = nv + nh) and its eigenpairs by
 * LAPACKE_dsyev (eigenvectors in the columns of Q, row-major). */
static void dense_eigen(const double *U, long nv, long nh, double *Q, double *lam)
{
    long n = nv + nh;
    memset(Q, 0, (size_t)(n * n) * sizeof *Q);
    for (long i = 0; i < n; i++)
        Q[i * n + i] = 1.0;
    for (long i = 0; i < nv; i++)
        for (long j = 0; j < nh; j++) {
            Q[i * n + nv + j] = -U[i * nh + j];
            Q[(nv + j) * n + i] = -U[i * nh + j];
        }
    ck_assert_int_eq(
        LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, Q, (lapack_int)n, lam), 0);
}

/* f(H) y = Q diag(f(λ)) Qᵀ y */
static void apply_fn(const double *Q, const double *lam, long n, double (*f)(double, double),
                     double arg, const double *y, double *out)
{
    double *c = calloc((size_t)n, sizeof *c);
    for (long k = 0; k < n; k++) {
        for (long i = 0; i < n; i++)
            c[k] += Q[i * n + k] * y[i];
        c[k] *= f(lam[k], arg);
    }
    for (long i = 0; i < n; i++) {
        out[i] = 0.0;
        for (long k = 0; k < n; k++)
            out[i] += Q[i * n + k] * c[k];
    }
    free(c);
}

static double decay_fn(double lambda, double t)
{
    return exp(-lambda * t);
}

/* ---- 1. exact dynamics and free energy ----------------------------------------------- */

/* Reference: the solution x(t) = e^{−Ht}x₀ of dx = −Hx dt at T = 0, evaluated through the
 * dense eigendecomposition of H (LAPACK dsyev) — independent of the SVD route of the core.
 * nv = 7, nh = 4 and nv = 3, nh = 5 (both orientations of U), ‖U‖₂ = 0.9, 25 steps of
 * dt = 0.2 from a random cue. Tolerance 1e-12: both sides are a few O(1) products of
 * orthogonal factors, each rounded to ~1e-15. Also at T = 0: the free energy equals the
 * energy of the (deterministic) state and the law's mean equals the state. */
START_TEST(test_exact_deterministic_flow)
{
    const long dims[2][2] = {{7, 4}, {3, 5}};
    for (int d = 0; d < 2; d++) {
        long nv = dims[d][0], nh = dims[d][1], n = nv + nh;
        double *U = random_coupling(10 + d, nv, nh, 0.9);
        double *Q = malloc((size_t)(n * n) * sizeof *Q), lam[12], x0[12] = {0}, x[12];
        dense_eigen(U, nv, nh, Q, lam);
        basin_rng rng;
        basin_rng_seed(&rng, 5);
        for (long i = 0; i < nv; i++)
            x0[i] = basin_rng_normal(&rng);
        basin_chn_recall *R;
        ck_assert_int_eq(basin_chn_recall_alloc(U, nv, nh, 1, 0.0, 0.2, &R), 0);
        ck_assert_double_eq_tol(R->s[0], 0.9, 1e-12);
        basin_chn_recall_set_states(R, 0, 1, x0, NULL);
        for (int t = 1; t <= 25; t++) {
            basin_chn_recall_step(R, &rng);
            apply_fn(Q, lam, n, decay_fn, 0.2 * t, x0, x);
            for (long i = 0; i < nv; i++)
                ck_assert_double_eq_tol(R->V[i], x[i], 1e-12);
            for (long j = 0; j < nh; j++)
                ck_assert_double_eq_tol(R->Hs[j], x[nv + j], 1e-12);
            double E;
            basin_chn_recall_energies(R, 0, 1, &E);
            ck_assert_double_eq_tol(E, basin_chn_energy(U, nv, nh, R->V, R->Hs), 1e-12);
            ck_assert_double_eq_tol(basin_chn_recall_free_energy(R, 0), E, 1e-12);
            double vm[7];
            basin_chn_recall_means(R, 0, 1, vm);
            for (long i = 0; i < nv; i++)
                ck_assert_double_eq_tol(vm[i], x[i], 1e-12);
        }
        basin_chn_recall_free(R);
        free(Q);
        free(U);
    }
}
END_TEST

/* Reference: the law of the state started from a point x₀ is N(μ_t, Σ_t) with
 * μ_t = e^{−Ht}x₀ and Σ_t = T H⁻¹(I − e^{−2Ht}) (Ornstein–Uhlenbeck), so
 *     F[p_t] = ½ μᵀHμ + ½ tr(HΣ) − ½ T ln det(2πe Σ),
 * computed here densely from dsyev's eigenpairs of H. nv = 6, nh = 4, ‖U‖₂ = 0.8,
 * T = 0.3, dt = 0.25, 40 steps: the core's closed form agrees to 1e-10 (sums of ~10 O(1)
 * logarithms and exponentials); F never increases (F − F_eq = T·KL(p_t ‖ q) decreases for
 * an OU process with λ > 0) and approaches F_eq = −T ln Z = −(nT/2) ln(2πT) +
 * (T/2) ln det H, reproduced by basin_chn_equilibrium_free_energy to 1e-12. */
START_TEST(test_free_energy_closed_form)
{
    const long nv = 6, nh = 4, n = 10;
    const double T = 0.3, dt = 0.25;
    double *U = random_coupling(20, nv, nh, 0.8);
    double Q[100], lam[10], x0[10] = {0}, mu[10];
    dense_eigen(U, nv, nh, Q, lam);
    basin_rng rng;
    basin_rng_seed(&rng, 6);
    for (long i = 0; i < nv; i++)
        x0[i] = 2.0 * basin_rng_normal(&rng);
    basin_chn_recall *R;
    ck_assert_int_eq(basin_chn_recall_alloc(U, nv, nh, 1, T, dt, &R), 0);
    basin_chn_recall_set_states(R, 0, 1, x0, NULL);
    ck_assert(isinf(basin_chn_recall_free_energy(R, 0)));
    double logdet = 0.0;
    for (long k = 0; k < n; k++)
        logdet += log(lam[k]);
    double Feq = -0.5 * (double)n * T * log(2.0 * M_PI * T) + 0.5 * T * logdet;
    ck_assert_double_eq_tol(basin_chn_equilibrium_free_energy(R), Feq, 1e-12);
    double prev = INFINITY;
    for (int t = 1; t <= 40; t++) {
        basin_chn_recall_step(R, &rng);
        double time = dt * t;
        apply_fn(Q, lam, n, decay_fn, time, x0, mu);
        double Hmu[10];
        apply_fn(Q, lam, n, decay_fn, 0.0, mu, Hmu); /* identity: reuse for μ */
        double quad = 0.0;
        for (long i = 0; i < nv; i++)
            quad += mu[i] * mu[i];
        for (long j = 0; j < nh; j++)
            quad += mu[nv + j] * mu[nv + j];
        for (long i = 0; i < nv; i++)
            for (long j = 0; j < nh; j++)
                quad -= 2.0 * mu[i] * U[i * nh + j] * mu[nv + j];
        double trace = 0.0, logdet_S = 0.0;
        for (long k = 0; k < n; k++) {
            double var = T * (1.0 - exp(-2.0 * lam[k] * time)) / lam[k];
            trace += lam[k] * var;
            logdet_S += log(2.0 * M_PI * M_E * var);
        }
        double F = 0.5 * quad + 0.5 * trace - 0.5 * T * logdet_S;
        double Fc = basin_chn_recall_free_energy(R, 0);
        ck_assert_msg(fabs(Fc - F) < 1e-10, "t=%d: %.15g vs %.15g", t, Fc, F);
        ck_assert_double_le(Fc, prev);
        ck_assert_double_ge(Fc, Feq - 1e-12);
        prev = Fc;
    }
    ck_assert_double_lt(prev - Feq, 0.05);
    basin_chn_recall_free(R);
    free(U);
}
END_TEST

/* Reference: the exact transition's law. (a) One step from x₀ = 0: x ~ N(0, Σ_dt), so
 * ⟨E⟩ = ½ tr(HΣ) = (T/2) Σ_k (1 − e^{−2λ_k dt}) and Var E = ½ Σ_k (λ_k σ_k²)²; (b) after
 * t = 40 (≫ 1/λ_min = 1/(1 − 0.6)) the law is the Boltzmann law, and equipartition gives
 * ⟨E⟩ = nT/2 exactly, Var E = nT²/2. 20000 independent queries (nv = 5, nh = 3, ‖U‖ = 0.6,
 * T = 0.7, dt = 0.5, a large step so that the pair-mode corrections matter). Tolerance:
 * 4.5 standard errors of the sample mean (two-sided probability 7e-6). */
START_TEST(test_sampler_moments)
{
    const long nv = 5, nh = 3, n = 8, B = 20000;
    const double T = 0.7, dt = 0.5;
    double *U = random_coupling(30, nv, nh, 0.6);
    double Q[64], lam[8];
    dense_eigen(U, nv, nh, Q, lam);
    basin_chn_recall *R;
    ck_assert_int_eq(basin_chn_recall_alloc(U, nv, nh, B, T, dt, &R), 0);
    double *V0 = calloc((size_t)(B * nv), sizeof *V0), *E = malloc((size_t)B * sizeof *E);
    basin_chn_recall_set_states(R, 0, B, V0, NULL);
    basin_rng rng;
    basin_rng_seed(&rng, 7);
    basin_chn_recall_step(R, &rng);
    double mean_exact = 0.0, var_exact = 0.0;
    for (long k = 0; k < n; k++) {
        double var = T * (1.0 - exp(-2.0 * lam[k] * dt)) / lam[k];
        mean_exact += 0.5 * lam[k] * var;
        var_exact += 0.5 * (lam[k] * var) * (lam[k] * var);
    }
    for (int phase = 0; phase < 2; phase++) {
        basin_chn_recall_energies(R, 0, B, E);
        double m = 0.0;
        for (long j = 0; j < B; j++)
            m += E[j] / (double)B;
        double se = sqrt(var_exact / (double)B);
        ck_assert_msg(fabs(m - mean_exact) < 4.5 * se, "phase %d: <E> %.5f vs %.5f (se %.5f)",
                      phase, m, mean_exact, se);
        for (int t = 0; t < 79; t++)
            basin_chn_recall_step(R, &rng);
        mean_exact = 0.5 * (double)n * T; /* equipartition */
        var_exact = 0.5 * (double)n * T * T;
    }
    basin_chn_recall_free(R);
    free(V0);
    free(E);
    free(U);
}
END_TEST

/* ---- 2. recall and learn ------------------------------------------------------------- */

/* The three ±1 patterns of 40 visible units used below. */
static const char *const PATS =
    "[[1,-1,1,1,-1,1,-1,-1,1,1,1,-1,1,-1,1,1,-1,-1,1,-1,1,1,-1,1,-1,-1,1,1,1,-1,-1,1,1,-1,1,"
    "-1,1,1,-1,-1],"
    "[1,1,1,-1,-1,-1,1,1,-1,1,-1,1,1,1,-1,-1,1,-1,1,1,-1,1,1,-1,1,1,-1,-1,1,1,-1,-1,1,1,1,-1,"
    "-1,1,-1,1],"
    "[-1,1,-1,1,1,1,1,-1,-1,-1,1,1,-1,1,1,-1,1,1,1,-1,1,-1,-1,-1,1,1,1,-1,1,-1,1,-1,-1,1,1,1,"
    "-1,1,1,-1]]";

/* Reference: Oja's subspace rule with the thermal hidden average ⟨hhᵀ⟩ = UᵀxxᵀU + T I has
 * the fixed point U = E_k diag(√(1 − T/λ_k)) R — the maximum-likelihood couplings of the
 * Gaussian model: T(I − UUᵀ)⁻¹ matches the pattern covariance C = (1/P) Σ x xᵀ on its
 * range — so the top P singular values of the learnt U are √(1 − T/λ_k), λ_k the
 * eigenvalues of C (here from LAPACK dsyev of the 3×3 Gram matrix / 3). visible 40,
 * hidden 6, T = 0.5 (√(1 − T/λ) = 0.986, 0.983, 0.968), 400 epochs of η = 0.002 with 1000
 * relaxation steps (500 averaged, ≈ 25 correlation times). Tolerance 0.01: the online
 * updates and the sampled averages leave fluctuations of a few 1e-3 (measured deviations
 * 0.0005, 0.0045, 0.0026). The three unused singular values decay (at rate ηT per update)
 * from ≈ 0.07 to below 0.05 (measured 0.02). */
START_TEST(test_oja_fixed_point)
{
    char text[2000];
    snprintf(text, sizeof text,
             "{\"patterns\": %s, \"hidden\": 6, \"temperature\": 0.5, \"epochs\": 400, "
             "\"steps\": 1000, \"learning_rate\": 0.002, \"recall_steps\": 1, \"seed\": 3}",
             PATS);
    basin_ctx *ctx = mc_run_ok("continuous_hopfield", mc_load(text));
    json_t *X = mc_load(PATS);
    double G[9];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double sum = 0.0;
            for (int i = 0; i < 40; i++)
                sum += json_number_value(json_array_get(json_array_get(X, (size_t)a), (size_t)i)) *
                       json_number_value(json_array_get(json_array_get(X, (size_t)b), (size_t)i));
            G[a * 3 + b] = sum / 3.0;
        }
    json_decref(X);
    double lam[3];
    ck_assert_int_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', 3, G, 3, lam), 0);
    const run_artifact *sv = run_ctx_find_artifact(ctx, "singular_values");
    ck_assert_ptr_nonnull(sv);
    ck_assert_int_eq(sv->shape[0], 6);
    const double *s = sv->data;
    for (int k = 0; k < 3; k++) {
        double expect = sqrt(1.0 - 0.5 / lam[2 - k]); /* dsyev ascending, s descending */
        ck_assert_msg(fabs(s[k] - expect) < 0.01, "s_%d = %.5f, expected %.5f", k, s[k], expect);
    }
    for (int k = 3; k < 6; k++)
        ck_assert_double_lt(s[k], 0.05);
    ck_assert_double_eq(mc_summary(ctx, "u_norm"), s[0]);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: recall as the relaxation of Theorem 17's dynamics. After learning (default
 * T = 0.05, 200 epochs) each pattern is cued with 15% of its signs flipped (relative error
 * 0.6): every cue ends closest to its own pattern (recall_fraction 1), with the sampled
 * state's error below half the cue's (measured 0.14) and the noise-free law mean's lower
 * still (measured 0.10: what remains is the flipped part inside the span of the patterns);
 * the exact free energy of the law decreases at every recorded step and stays above
 * −T ln Z when U's singular values are below 1; the conditional free energy that learning
 * lowers ends far below its start (20.2 → 0.18). Contrast: without learning (epochs 0)
 * the cue decays into thermal noise — error > 0.9, mean cosine < 0.5 (measured 1.06,
 * 0.002). */
START_TEST(test_learn_and_recall)
{
    char text[2000];
    snprintf(text, sizeof text,
             "{\"patterns\": %s, \"hidden\": 6, \"epochs\": 200, \"cue\": {\"flip\": 0.15}, "
             "\"record_every\": 5, \"seed\": 3}",
             PATS);
    basin_ctx *ctx = mc_run_ok("continuous_hopfield", mc_load(text));
    ck_assert_double_eq(mc_summary(ctx, "recall_fraction"), 1.0);
    ck_assert_double_eq_tol(mc_summary(ctx, "cue_error"), 0.6, 1e-15);
    ck_assert_double_lt(mc_summary(ctx, "recon_error"), 0.5 * mc_summary(ctx, "cue_error"));
    ck_assert_double_lt(mc_summary(ctx, "mean_recon_error"), mc_summary(ctx, "recon_error"));
    ck_assert_double_gt(mc_summary(ctx, "overlap"), 0.9);
    const run_series *F = mc_series(ctx, "free_energy");
    ck_assert_int_eq(F->step[0], 5); /* from step 1 at T > 0; record_every 5 */
    ck_assert_uint_eq(F->n, 10);
    for (size_t k = 1; k < F->n; k++)
        ck_assert_double_le(F->value[k], F->value[k - 1]);
    json_t *feq = json_object_get(ctx->summary, "free_energy_eq");
    if (json_is_number(feq))
        ck_assert_double_ge(F->value[F->n - 1], json_number_value(feq));
    const run_series *LF = mc_series(ctx, "learn_free_energy");
    ck_assert_double_lt(LF->value[LF->n - 1], 0.05 * LF->value[0]);
    run_ctx_free(ctx);

    snprintf(text, sizeof text,
             "{\"patterns\": %s, \"hidden\": 6, \"epochs\": 0, \"cue\": {\"flip\": 0.15}, "
             "\"seed\": 3}",
             PATS);
    ctx = mc_run_ok("continuous_hopfield", mc_load(text));
    ck_assert_double_gt(mc_summary(ctx, "recon_error"), 0.9);
    ck_assert_double_lt(mc_summary(ctx, "overlap"), 0.5);
    const run_series *F0 = mc_series(ctx, "free_energy");
    for (size_t k = 1; k < F0->n; k++)
        ck_assert_double_le(F0->value[k], F0->value[k - 1]);
    ck_assert_double_ge(F0->value[F0->n - 1], mc_summary(ctx, "free_energy_eq"));
    run_ctx_free(ctx);
}
END_TEST

/* Reference: Remark 18 — the pure Hebbian rule ΔU = η x h̄ᵀ only grows U; once its largest
 * singular value reaches 1 the energy is unbounded below (no stationary law), which the
 * model reports as a `diverged` failure at that epoch, keeping the series so far. Default
 * network (64 visible, 16 hidden, 4 random patterns), η = 0.2/(64 + T): the growth factor
 * per epoch along each pattern is about 1 + η|x|² = 1.2, from 0.1 to 1 in about 13 epochs. */
START_TEST(test_hebb_diverges)
{
    int rc;
    basin_ctx *ctx = mc_run("continuous_hopfield",
                            mc_load("{\"rule\": \"hebb\", \"epochs\": 200, \"seed\": 4}"), &rc);
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    ck_assert(ctx->failed);
    ck_assert_str_eq(ctx->fail_code, "diverged");
    ck_assert_int_gt(ctx->fail_step, 3);
    ck_assert_int_lt(ctx->fail_step, 40);
    const run_series *LF = mc_series(ctx, "learn_free_energy");
    ck_assert_int_eq(LF->n, (size_t)ctx->fail_step);
    for (size_t k = 1; k < LF->n; k++)
        ck_assert_double_lt(LF->value[k], LF->value[k - 1]); /* Hebb lowers F monotonically */
    run_ctx_free(ctx);
}
END_TEST

/* ---- 3. reproducibility, validation, cancellation ------------------------------------ */

static bool same_artifact(const basin_ctx *a, const basin_ctx *b, const char *name)
{
    const run_artifact *x = run_ctx_find_artifact(a, name), *y = run_ctx_find_artifact(b, name);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    return x->nbytes == y->nbytes && memcmp(x->data, y->data, x->nbytes) == 0;
}

/* Reference: "same params + same seed = bit-identical result" (memcmp); another seed
 * differs. */
START_TEST(test_reproducible)
{
    const char *a_text =
        "{\"visible\": 30, \"hidden\": 5, \"patterns\": {\"count\": 3, \"bias\": "
        "0.2}, \"epochs\": 20, \"steps\": 30, \"cue\": {\"mask\": 0.3}, \"seed\": 8}";
    const char *c_text =
        "{\"visible\": 30, \"hidden\": 5, \"patterns\": {\"count\": 3, \"bias\": "
        "0.2}, \"epochs\": 20, \"steps\": 30, \"cue\": {\"mask\": 0.3}, \"seed\": 9}";
    basin_ctx *a = mc_run_ok("continuous_hopfield", mc_load(a_text)),
              *b = mc_run_ok("continuous_hopfield", mc_load(a_text)),
              *c = mc_run_ok("continuous_hopfield", mc_load(c_text));
    ck_assert(same_artifact(a, b, "U"));
    ck_assert(same_artifact(a, b, "recalled"));
    ck_assert(json_equal(a->summary, b->summary));
    ck_assert(!same_artifact(a, c, "recalled"));
    run_ctx_free(a);
    run_ctx_free(b);
    run_ctx_free(c);
}
END_TEST

/* Reference: models.md conventions — one problem per offending value at its exact JSON
 * pointer; work over the limits BASIN_ELIMIT. */
START_TEST(test_validation_pointers)
{
    static const mc_refusal cases[] = {
        {"{\"bogus\": 1}", "/params/bogus", BASIN_EINVAL},
        {"{\"visible\": 0}", "/params/visible", BASIN_EINVAL},
        {"{\"hidden\": 513}", "/params/hidden", BASIN_EINVAL},
        {"{\"patterns\": 5000}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": [[1, 2], [3]]}", "/params/patterns/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, 2], [3, \"x\"]]}", "/params/patterns/1/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, 2], [0, 0]]}", "/params/patterns/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, 2], [1, 1e7]]}", "/params/patterns/1/1", BASIN_EINVAL},
        {"{\"rule\": \"sanger\"}", "/params/rule", BASIN_EINVAL},
        {"{\"epochs\": -1}", "/params/epochs", BASIN_EINVAL},
        {"{\"temperature\": -0.1}", "/params/temperature", BASIN_EINVAL},
        {"{\"dt\": 0}", "/params/dt", BASIN_EINVAL},
        {"{\"steps\": 0}", "/params/steps", BASIN_EINVAL},
        {"{\"learning_rate\": 0.1}", "/params/learning_rate", BASIN_EINVAL},
        {"{\"learning_rate\": 0}", "/params/learning_rate", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 1.2}}", "/params/cue/flip", BASIN_EINVAL},
        {"{\"cue\": {\"mask\": -1}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 0.1, \"mask\": 0.1}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"cue\": {\"noise\": 0.1}}", "/params/cue/noise", BASIN_EINVAL},
        {"{\"cue\": 1}", "/params/cue", BASIN_EINVAL},
        /* visible too large for the memory limit: 5·4096·4096 > 2^26 elements */
        {"{\"visible\": 4096, \"patterns\": 4096}", "/params/patterns", BASIN_ELIMIT},
        /* learning work: 1e5 epochs × 4096 patterns × 1e5 steps */
        {"{\"patterns\": 4096, \"epochs\": 100000, \"steps\": 100000, \"record_every\": 100}",
         "/params/epochs", BASIN_ELIMIT},
        /* recall work alone: 1000 patterns × 1e5 steps of 3000 + 512 units */
        {"{\"visible\": 3000, \"hidden\": 512, \"patterns\": 1000, \"epochs\": 0, "
         "\"recall_steps\": 100000, \"record_every\": 100}",
         "/params/recall_steps", BASIN_ELIMIT},
        {"{\"recall_steps\": 0}", "/params/recall_steps", BASIN_EINVAL},
    };
    mc_check_problems("continuous_hopfield", cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Reference: normalising is idempotent and the re-parsed config gives the identical run;
 * the schema describes every parameter. */
START_TEST(test_normalised_round_trip)
{
    static const char *inputs[] = {
        "{\"epochs\": 3, \"steps\": 10}",
        "{\"patterns\": [[1, 0.5, -2], [0, 1, 1]], \"hidden\": 2, \"epochs\": 5, \"steps\": 8, "
        "\"cue\": {\"mask\": 0.34}, \"temperature\": 0, \"seed\": 2}",
    };
    static const char *keys[] = {
        "visible", "hidden",       "patterns",      "rule", "epochs",       "temperature", "dt",
        "steps",   "recall_steps", "learning_rate", "cue",  "record_every", "seed"};
    for (size_t k = 0; k < 2; k++) {
        basin_problems problems;
        json_t *n1, *n2;
        void *c1, *c2;
        ck_assert_int_eq(mc_parse_text("continuous_hopfield", inputs[k], &basin_default_limits,
                                       &problems, &n1, &c1),
                         0);
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
            ck_assert_msg(json_object_get(n1, keys[j]), "%s: %s not filled", inputs[k], keys[j]);
        ck_assert_uint_eq(json_object_size(n1), sizeof keys / sizeof keys[0]);
        char *text = json_dumps(n1, JSON_COMPACT);
        ck_assert_int_eq(
            mc_parse_text("continuous_hopfield", text, &basin_default_limits, &problems, &n2, &c2),
            0);
        ck_assert_msg(json_equal(n1, n2), "not idempotent: %s", text);
        basin_ctx *a = mc_run_config_ok("continuous_hopfield", c1),
                  *b = mc_run_config_ok("continuous_hopfield", c2);
        ck_assert(same_artifact(a, b, "recalled"));
        ck_assert(json_equal(a->summary, b->summary));
        run_ctx_free(a);
        run_ctx_free(b);
        free(text);
        json_decref(n1);
        json_decref(n2);
        mc_model("continuous_hopfield")->free_config(c1);
        mc_model("continuous_hopfield")->free_config(c2);
    }
    /* the default learning rate is 0.2/(max |x|² + T) = 0.2/(64.05) for 64 random ±1 */
    basin_problems problems;
    json_t *n;
    void *c;
    ck_assert_int_eq(mc_parse_text("continuous_hopfield", "{\"seed\": 1}", &basin_default_limits,
                                   &problems, &n, &c),
                     0);
    ck_assert_double_eq_tol(json_real_value(json_object_get(n, "learning_rate")), 0.2 / 64.05,
                            1e-15);
    json_decref(n);
    mc_model("continuous_hopfield")->free_config(c);
    json_t *schema = mc_schema("continuous_hopfield");
    json_t *props = json_object_get(schema, "properties");
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
        ck_assert_msg(json_object_get(props, keys[j]), "schema lacks %s", keys[j]);
    json_decref(schema);
}
END_TEST

/* Reference: model.h — run() returns BASIN_ECANCELLED promptly after a stop request: a
 * long learning run (512 hidden units, 10⁴ relaxation steps per pattern) and a long recall
 * (2000 patterns of 2048 + 512 units), stopped 50 ms in. Bound 0.5 s. */
START_TEST(test_cancellation)
{
    const char *texts[] = {
        "{\"visible\": 256, \"hidden\": 512, \"patterns\": 50, \"epochs\": 10, \"steps\": "
        "10000, \"record_every\": 100, \"seed\": 1}",
        "{\"visible\": 2048, \"hidden\": 512, \"patterns\": 2000, \"epochs\": 0, "
        "\"recall_steps\": 200, \"record_every\": 100, \"seed\": 1}",
    };
    for (int k = 0; k < 2; k++)
        mc_check_stop("continuous_hopfield", texts[k], 0.05, 0.5);
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"dynamics", test_exact_deterministic_flow}, {"dynamics", test_free_energy_closed_form},
        {"dynamics", test_sampler_moments},          {"learning", test_oja_fixed_point},
        {"learning", test_learn_and_recall},         {"learning", test_hebb_diverges},
        {"reproducibility", test_reproducible},      {"validation", test_validation_pointers},
        {"validation", test_normalised_round_trip},  {"cancellation", test_cancellation},
    };
    return mc_run_suite(mc_suite("continuous_hopfield", cases, sizeof cases / sizeof *cases, 60));
}
