/*
 * test_sparse_code.c — the `sparse_code` model and its numerical core (basin/sparse_code.h).
 *
 * References: the orthonormality of the DCT-II and Haar bases; LAPACK's symmetric
 * eigensolver (dsyev) for λ_max(DᵀD); the Lasso's optimality (KKT) conditions and weak
 * duality; its closed form for an orthonormal dictionary, z* = S_λ(Dᵀa); the Beck–Teboulle
 * bound F(x_k) − F* ≤ 2L‖x₀ − z*‖²/(k + 1)² for FISTA and the ISTA bound
 * F(x_k) − F* ≤ L‖x₀ − z*‖²/(2k) (Beck & Teboulle 2009, Theorems 3.1 and 4.4); exact
 * support recovery by OMP for a noiseless sparse signal over a Gaussian dictionary
 * (Tropp 2004: incoherent atoms, sparsity 5 ≪ n = 64). The scikit-learn comparisons are in
 * tests/reference/test_sparse_code.py.
 */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basin/model.h"
#include "basin/rng.h"
#include "basin/sparse_code.h"
#include "basin/wavelet.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* Shared helpers (model_check.h), bound to this suite's model. */
static const basin_model *model(void)
{
    return mc_model("sparse_code");
}

static double now_s(void)
{
    return mc_now_s();
}

static json_t *load(const char *text)
{
    return mc_load(text);
}

static void *parse_ok(const json_t *params, json_t **normalized)
{
    return mc_parse_ok("sparse_code", params, normalized);
}

/* Parses and runs params (stolen); asserts success; returns the context. */
static basin_ctx *run_ok(json_t *params)
{
    return mc_run_ok("sparse_code", params);
}

static double summary(const basin_ctx *ctx, const char *name)
{
    return mc_summary(ctx, name);
}

static const double *artifact(const basin_ctx *ctx, const char *name, int64_t len)
{
    const run_artifact *a = run_ctx_find_artifact(ctx, name);
    ck_assert_msg(a != NULL, "no artifact %s", name);
    ck_assert_int_eq(a->shape[0] * (a->ndim == 2 ? a->shape[1] : 1), len);
    return a->data;
}

static const run_series *series(const basin_ctx *ctx, const char *name)
{
    return mc_series(ctx, name);
}

/* DᵀD for a column-major n×m D (m×m, row-major). */
static void gram(long n, long m, const double *D, double *G)
{
    for (long i = 0; i < m; i++)
        for (long j = 0; j < m; j++) {
            double s = 0.0;
            for (long k = 0; k < n; k++)
                s += D[i * n + k] * D[j * n + k];
            G[i * m + j] = s;
        }
}

/* ---- 1. dictionaries ------------------------------------------------------------------ */

/* Reference: DCT-II and Haar are orthonormal bases (DᵀD = I); the Haar atoms are the
 * inverse periodic Haar transform, so Dᵀa are the forward coefficients; every dictionary
 * has unit-norm columns. Tolerance 1e-13: sums of n ≤ 64 products of O(1) numbers. */
START_TEST(dictionaries)
{
    enum { N = 32, M = 80 };
    double *D = malloc(N * M * sizeof *D), *G = malloc(M * M * sizeof *G), work[2 * M];
    /* DCT, m = n: orthonormal */
    basin_dict_dct(N, N, 0, N, D);
    gram(N, N, D, G);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ck_assert_double_eq_tol(G[i * N + j], i == j ? 1.0 : 0.0, 1e-13);
    /* atom 3, entry 5: cos(π·3·11/64)·√(2/32) */
    ck_assert_double_eq_tol(D[3 * N + 5], cos(M_PI * 3.0 * 11.0 / 64.0) * sqrt(2.0 / N), 1e-15);
    /* overcomplete DCT built in two parts equals one call; unit norms */
    double *D2 = malloc(N * M * sizeof *D2);
    basin_dict_dct(N, M, 0, M, D);
    basin_dict_dct(N, M, 0, 33, D2);
    basin_dict_dct(N, M, 33, M, D2);
    ck_assert(memcmp(D, D2, N * M * sizeof *D) == 0);
    basin_dict_norms(N, M, D, work);
    for (int j = 0; j < M; j++)
        ck_assert_double_eq_tol(work[j], 1.0, 1e-14);
    /* Haar: orthonormal, Dᵀa = the forward transform */
    ck_assert_int_eq(basin_dict_haar(N, 0, N, D, work), 0);
    gram(N, N, D, G);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ck_assert_double_eq_tol(G[i * N + j], i == j ? 1.0 : 0.0, 1e-13);
    double a[N], c[N], Dta[N];
    basin_rng rng;
    basin_rng_seed(&rng, 7);
    basin_rng_normals(&rng, a, N);
    basin_dwt(basin_wavelet_get(BASIN_WAVELET_HAAR), N, 5, a, c, work);
    for (int j = 0; j < N; j++) {
        Dta[j] = 0.0;
        for (int i = 0; i < N; i++)
            Dta[j] += D[j * N + i] * a[i];
        ck_assert_double_eq_tol(Dta[j], c[j], 1e-13);
    }
    ck_assert_int_eq(basin_dict_haar(48, 0, 48, D, work), BASIN_EINVAL);
    /* Gaussian: unit norms; two consecutive column ranges draw what one call draws (the
     * first range's N·17 normals a multiple of BASIN_NORMAL_LANES) */
    basin_normal_gen gen;
    basin_normal_gen_seed(&gen, 9, 1);
    basin_dict_gaussian(N, 0, M, &gen, D);
    basin_normal_gen_seed(&gen, 9, 1);
    basin_dict_gaussian(N, 0, 17, &gen, D2);
    basin_dict_gaussian(N, 17, M, &gen, D2);
    ck_assert(memcmp(D, D2, N * M * sizeof *D) == 0);
    basin_dict_norms(N, M, D, work);
    for (int j = 0; j < M; j++)
        ck_assert_double_eq_tol(work[j], 1.0, 1e-14);
    free(D);
    free(D2);
    free(G);
}
END_TEST

/* Reference: LAPACK dsyev's largest eigenvalue of DᵀD. Power iteration increases to it
 * from below (Rayleigh quotients of a symmetric PSD matrix); converged to 1e-14 in the
 * quotient's change, it agrees to 1e-9 relative (the quotient's error is quadratic in the
 * eigenvector's, and the eigenvector converges at the rate of the spectral gap). */
START_TEST(power_iteration)
{
    enum { N = 30, M = 80 };
    double *D = malloc(N * M * sizeof *D), *G = malloc(M * M * sizeof *G), w[M];
    double work[N + 2 * M];
    basin_normal_gen gen;
    basin_normal_gen_seed(&gen, 3, 1);
    basin_dict_gaussian(N, 0, M, &gen, D);
    gram(N, M, D, G);
    ck_assert_int_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', M, G, M, w), 0);
    const double lmax = w[M - 1];
    long iters = 0;
    double rho = basin_lipschitz(N, M, D, 5000, 1e-14, work, &iters);
    ck_assert_msg(fabs(rho - lmax) <= 1e-9 * lmax, "ρ = %.15g, λ_max = %.15g", rho, lmax);
    /* monotone from below */
    double *v = work + N + M, prev = 0.0;
    basin_power_start(M, v);
    for (int k = 0; k < 50; k++) {
        double r = basin_power_step(N, M, D, v, work);
        ck_assert(r <= lmax * (1.0 + 1e-12));
        ck_assert(r >= prev * (1.0 - 1e-12));
        prev = r;
    }
    printf("power_iteration: rho = %.15g after %ld steps, LAPACK %.15g\n", rho, iters, lmax);
    free(D);
    free(G);
}
END_TEST

/* ---- 2. the Lasso ------------------------------------------------------------------------ */

/* The synthetic 64×256 Gaussian problem of the model's defaults (seed 11), as JSON. */
static json_t *problem(const char *extra)
{
    char buf[600];
    snprintf(buf, sizeof buf,
             "{\"length\": 64, \"atoms\": 256, \"sparsity\": 5, \"noise\": 0.01, \"seed\": 11, "
             "\"max_iter\": 200000%s%s}",
             extra && *extra ? ", " : "", extra ? extra : "");
    return load(buf);
}

/* λ_max = ‖Dᵀa‖_∞ of the problem (from a run at λ above it). */
static double problem_lambda_max(void)
{
    basin_ctx *ctx = run_ok(problem("\"lambda\": 1e6"));
    double l = summary(ctx, "lambda_max");
    run_ctx_free(ctx);
    return l;
}

/* Reference: the Lasso KKT conditions — g = Dᵀ(Dz − a) satisfies |g_j| ≤ λ everywhere and
 * g_j = −λ sign(z_j) on the support — and weak duality (gap ≥ F(z) − F* ≥ 0 at every
 * recorded iterate, F* bounded below by F_final − gap_final). At a gap of 1e-14‖a‖² the
 * KKT residuals are O(√gap·‖D‖) ≈ 1e-6 λ; the tolerances are 1e-5 λ. */
START_TEST(lasso_kkt_and_gap)
{
    const double lmax = problem_lambda_max(), lambda = 0.1 * lmax;
    const char *variants[] = {"\"method\": \"fista\"", "\"method\": \"ista\"",
                              "\"method\": \"fista\", \"restart\": \"adaptive\"",
                              "\"method\": \"fista\", \"working_set\": true",
                              "\"method\": \"ista\", \"working_set\": true"};
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        char extra[300];
        snprintf(extra, sizeof extra, "%s, \"lambda\": %.17g, \"tol\": 1e-14, \"record_every\": 1",
                 variants[v], lambda);
        basin_ctx *ctx = run_ok(problem(extra));
        const double *z = artifact(ctx, "z", 256), *a = artifact(ctx, "signal", 64);
        const double *Dt = artifact(ctx, "atoms", 256 * 64); /* row j = atom j */
        double r[64];
        for (int i = 0; i < 64; i++) {
            r[i] = -a[i];
            for (int j = 0; j < 256; j++)
                r[i] += Dt[j * 64 + i] * z[j];
        }
        double worst = 0.0;
        for (int j = 0; j < 256; j++) {
            double g = 0.0;
            for (int i = 0; i < 64; i++)
                g += Dt[j * 64 + i] * r[i];
            double viol = z[j] != 0.0 ? fabs(g + lambda * copysign(1.0, z[j])) : fabs(g) - lambda;
            worst = fmax(worst, viol / lambda);
        }
        ck_assert_msg(worst <= 1e-5, "%s: KKT violation %g λ", variants[v], worst);
        /* weak duality along the run */
        const run_series *so = series(ctx, "objective"), *sg = series(ctx, "gap");
        const double F_low = so->value[so->n - 1] - sg->value[sg->n - 1];
        for (size_t k = 0; k < so->n; k++) {
            ck_assert_msg(sg->value[k] >= -1e-12, "negative gap %g", sg->value[k]);
            ck_assert_msg(so->value[k] - F_low <= sg->value[k] * (1.0 + 1e-9) + 1e-12,
                          "%s: gap %g below F − F* ≥ %g at %lld", variants[v], sg->value[k],
                          so->value[k] - F_low, (long long)so->step[k]);
        }
        ck_assert(json_is_true(json_object_get(ctx->summary, "converged")));
        printf("lasso_kkt_and_gap: %s: %lld iterations, worst KKT %.2e λ, nnz %lld\n", variants[v],
               (long long)summary(ctx, "iterations"), worst, (long long)summary(ctx, "nnz"));
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: z = 0 satisfies the KKT conditions iff ‖Dᵀa‖_∞ ≤ λ; at z = 0 the dual point
 * θ = a is feasible and the gap is ½‖a‖² − ½‖a‖² = 0 exactly, so the run stops at
 * iteration 0 with z exactly zero, for λ = λ_max itself too. Just below, z ≠ 0. */
START_TEST(lasso_zero_above_lambda_max)
{
    const double lmax = problem_lambda_max();
    const char *methods[] = {"fista", "ista"};
    for (int mth = 0; mth < 2; mth++)
        for (int ws = 0; ws < 2; ws++) {
            const double lambdas[] = {lmax, lmax * (1.0 + 1e-9), 2.0 * lmax, lmax * (1.0 - 1e-3)};
            for (int i = 0; i < 4; i++) {
                char extra[200];
                snprintf(extra, sizeof extra,
                         "\"method\": \"%s\", \"working_set\": %s, \"lambda\": %.17g", methods[mth],
                         ws ? "true" : "false", lambdas[i]);
                basin_ctx *ctx = run_ok(problem(extra));
                const double *z = artifact(ctx, "z", 256);
                long nnz = 0;
                for (int j = 0; j < 256; j++)
                    nnz += z[j] != 0.0;
                if (i < 3) {
                    ck_assert_int_eq(nnz, 0);
                    ck_assert_int_eq((long)summary(ctx, "iterations"), 0);
                    ck_assert_double_eq(summary(ctx, "gap"), 0.0);
                } else {
                    ck_assert_int_ge(nnz, 1);
                }
                run_ctx_free(ctx);
            }
        }
}
END_TEST

/* Reference: for an orthonormal dictionary the Lasso solution is the soft threshold of the
 * analysis coefficients, z* = S_λ(Dᵀa), and with L = 1 one ISTA/FISTA step from 0 reaches
 * it. Tolerance 1e-14: a handful of roundings of O(1) numbers. The DCT and Haar bases are
 * checked through the model, the identity through a given matrix. */
START_TEST(lasso_orthonormal_closed_form)
{
    const char *dicts[] = {"dct", "haar"};
    for (int d = 0; d < 2; d++) {
        char extra[200];
        snprintf(
            extra, sizeof extra,
            "\"dictionary\": \"%s\", \"length\": 32, \"atoms\": 32, \"lambda\": 0.3, \"tol\": 0",
            dicts[d]);
        json_t *p = problem(extra);
        json_object_set_new(p, "max_iter", json_integer(3));
        basin_ctx *ctx = run_ok(p);
        const double *z = artifact(ctx, "z", 32), *a = artifact(ctx, "signal", 32);
        const double *Dt = artifact(ctx, "atoms", 32 * 32);
        for (int j = 0; j < 32; j++) {
            double c = 0.0;
            for (int i = 0; i < 32; i++)
                c += Dt[j * 32 + i] * a[i];
            double zs = fabs(c) > 0.3 ? copysign(fabs(c) - 0.3, c) : 0.0;
            ck_assert_double_eq_tol(z[j], zs, 1e-14);
        }
        ck_assert_double_eq_tol(summary(ctx, "lipschitz"), 1.0, 1e-12);
        run_ctx_free(ctx);
    }
    /* a given identity matrix and signal */
    basin_ctx *ctx = run_ok(load("{\"dictionary\": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],"
                                 " \"signal\": [2, -0.5, 0.25], \"lambda\": 0.5, \"seed\": 1}"));
    const double *z = artifact(ctx, "z", 3);
    ck_assert_double_eq_tol(z[0], 1.5, 1e-15);
    ck_assert_double_eq(z[1], 0.0);
    ck_assert_double_eq(z[2], 0.0);
    ck_assert_double_eq_tol(summary(ctx, "objective"), 0.5 * (0.25 + 0.25 + 0.0625) + 0.75, 1e-15);
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "z_true"));
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "atoms"));
    ck_assert_ptr_null(json_object_get(ctx->summary, "support_recall"));
    run_ctx_free(ctx);
}
END_TEST

/* Reference: Beck & Teboulle (2009), Theorem 4.4 (FISTA, also with backtracking, with the
 * final L): F(x_k) − F* ≤ 2L‖x₀ − z*‖²/(k + 1)²; Theorem 3.1 (ISTA): ≤ L‖x₀ − z*‖²/(2k).
 * x₀ = 0; z* and F* are taken from the converged run (gap ≤ 1e-15‖a‖²), with F* replaced by
 * the lower bound F_final − gap (which only makes the check stricter) and ‖z*‖ by
 * (1 − 1e-6)‖z_final‖ (z_final is within ~√gap of z*). Every iterate is checked. */
START_TEST(beck_teboulle_bound)
{
    const double lmax = problem_lambda_max();
    const double fracs[] = {0.3, 0.05, 0.01};
    for (int mth = 0; mth < 2; mth++)
        for (size_t f = 0; f < sizeof fracs / sizeof *fracs; f++) {
            char extra[200];
            snprintf(extra, sizeof extra,
                     "\"method\": \"%s\", \"lambda\": %.17g, \"tol\": 1e-15, \"record_every\": 1",
                     mth == 0 ? "fista" : "ista", fracs[f] * lmax);
            basin_ctx *ctx = run_ok(problem(extra));
            const run_series *so = series(ctx, "objective"), *sg = series(ctx, "gap");
            const double *z = artifact(ctx, "z", 256);
            double zz = 0.0;
            for (int j = 0; j < 256; j++)
                zz += z[j] * z[j];
            zz *= (1.0 - 1e-6) * (1.0 - 1e-6);
            const double L = summary(ctx, "lipschitz");
            const double F_low = so->value[so->n - 1] - sg->value[sg->n - 1];
            double worst = 0.0;
            for (size_t i = 1; i < so->n; i++) {
                double k = (double)so->step[i];
                double bound =
                    mth == 0 ? 2.0 * L * zz / ((k + 1.0) * (k + 1.0)) : L * zz / (2.0 * k);
                double err = so->value[i] - F_low;
                ck_assert_msg(err <= bound, "%s λ = %g λ_max: F(x_%g) − F* = %g > bound %g",
                              mth == 0 ? "fista" : "ista", fracs[f], k, err, bound);
                worst = fmax(worst, err / bound);
            }
            printf("beck_teboulle_bound: %s λ = %.2f λ_max: %zu iterates, L = %.6g (estimate "
                   "%.6g), worst (F − F*)/bound = %.3f\n",
                   mth == 0 ? "fista" : "ista", fracs[f], so->n - 1, L,
                   summary(ctx, "lipschitz_estimate"), worst);
            run_ctx_free(ctx);
        }
}
END_TEST

/* Solves the Lasso with working sets through the core API to a gap of tol·‖a‖², then
 * returns the worst KKT violation over λ (as lasso_kkt_and_gap) and, in *gathered, whether
 * the last working set's products used the contiguous copy of its atoms. */
static double ws_solve_kkt(long n, long m, const double *D, const double *a, double lambda,
                           double tol, long *n_ws, bool *gathered)
{
    basin_lasso s;
    ck_assert_int_eq(basin_lasso_init(&s, n, m, D, a, lambda, 1.0, BASIN_LASSO_FISTA, true, true),
                     0);
    s.check_gap = 0.5 * tol * s.a_norm2;
    while (s.gap > tol * s.a_norm2 && s.iter < 5000)
        basin_lasso_step(&s);
    ck_assert_msg(s.gap <= tol * s.a_norm2, "no convergence: gap %g", s.gap);
    double *r = malloc((size_t)n * sizeof *r), worst = 0.0;
    for (long i = 0; i < n; i++)
        r[i] = -a[i];
    for (long j = 0; j < m; j++)
        for (long i = 0; i < n && s.z[j] != 0.0; i++)
            r[i] += D[j * n + i] * s.z[j];
    for (long j = 0; j < m; j++) {
        double g = 0.0;
        for (long i = 0; i < n; i++)
            g += D[j * n + i] * r[i];
        double viol = s.z[j] != 0.0 ? fabs(g + lambda * copysign(1.0, s.z[j])) : fabs(g) - lambda;
        worst = fmax(worst, viol / lambda);
    }
    *n_ws = s.n_ws;
    *gathered = s.DW != NULL;
    free(r);
    basin_lasso_free(&s);
    return worst;
}

/* Reference: the Lasso KKT conditions, tolerance as lasso_kkt_and_gap, for both ways a
 * working-set iteration forms its two products: with W's atoms gathered into one
 * contiguous block (n = 64, |W| = 100), and atom by atom when n·|W| is over the 2^22
 * entries the block may hold (n = 16384, a 150-sparse code: |W| = 2·nnz ≥ 300 of 320). */
START_TEST(working_set_products)
{
    static const long sizes[2][3] = {{64, 256, 5}, {16384, 320, 150}}; /* n, m, sparsity */
    for (int c = 0; c < 2; c++) {
        const long n = sizes[c][0], m = sizes[c][1], k = sizes[c][2];
        double *D = malloc((size_t)(n * m) * sizeof *D), *a = calloc((size_t)n, sizeof *a);
        basin_normal_gen gen;
        basin_normal_gen_seed(&gen, 5, 1);
        basin_dict_gaussian(n, 0, m, &gen, D);
        basin_rng rng;
        basin_rng_seed(&rng, 5);
        for (long q = 0; q < k; q++) { /* a = D z0 + 0.01 ξ, z0 on every other atom */
            double amp = (1.0 + basin_rng_uniform(&rng)) * (q % 2 ? 1.0 : -1.0);
            for (long i = 0; i < n; i++)
                a[i] += amp * D[2 * q * n + i];
        }
        for (long i = 0; i < n; i++)
            a[i] += 0.01 * basin_rng_normal(&rng);
        double lmax = 0.0;
        for (long j = 0; j < m; j++) {
            double g = 0.0;
            for (long i = 0; i < n; i++)
                g += D[j * n + i] * a[i];
            lmax = fmax(lmax, fabs(g));
        }
        long n_ws = 0;
        bool gathered = false;
        double worst = ws_solve_kkt(n, m, D, a, 0.1 * lmax, 1e-14, &n_ws, &gathered);
        ck_assert_msg(worst <= 1e-5, "n = %ld: KKT violation %g λ", n, worst);
        ck_assert(gathered == (n * n_ws <= (1L << 22)));
        ck_assert(gathered == (c == 0) && n_ws < m);
        printf("working_set_products: n = %ld, |W| = %ld, %s, worst KKT %.2e λ\n", n, n_ws,
               gathered ? "gathered" : "atom by atom", worst);
        free(D);
        free(a);
    }
}
END_TEST

/* ---- 3. OMP ------------------------------------------------------------------------------ */

/* Reference: OMP recovers the support of a noiseless 5-sparse signal over an incoherent
 * 64×256 Gaussian dictionary (Tropp 2004); then the least-squares refit is exact, z = z₀
 * to rounding (1e-12), the residual is orthogonal to the chosen atoms, the objective
 * ½‖r‖² never increases, and the run stops at 5 atoms even when k allows more. */
START_TEST(omp_exact_recovery)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        char extra[200];
        snprintf(extra, sizeof extra,
                 "\"method\": \"omp\", \"noise\": 0, \"k\": %d, \"seed\": %llu", seed == 5 ? 12 : 5,
                 (unsigned long long)seed);
        json_t *p = problem(extra);
        basin_ctx *ctx = run_ok(p);
        const double *z = artifact(ctx, "z", 256), *z0 = artifact(ctx, "z_true", 256);
        for (int j = 0; j < 256; j++) {
            ck_assert_msg((z[j] != 0.0) == (z0[j] != 0.0), "seed %llu: support differs at %d",
                          (unsigned long long)seed, j);
            ck_assert_double_eq_tol(z[j], z0[j], 1e-12);
        }
        ck_assert_double_eq(summary(ctx, "support_precision"), 1.0);
        ck_assert_double_eq(summary(ctx, "support_recall"), 1.0);
        ck_assert_int_eq((long)summary(ctx, "iterations"), 5);
        const run_series *so = series(ctx, "objective");
        for (size_t k = 1; k < so->n; k++)
            ck_assert(so->value[k] <= so->value[k - 1] * (1.0 + 1e-12));
        ck_assert(summary(ctx, "residual") < 1e-12);
        run_ctx_free(ctx);
    }
    /* the core: residual ⟂ chosen atoms after each step (noisy signal) */
    enum { N = 40, M = 100 };
    double *D = malloc(N * M * sizeof *D), a[N];
    basin_rng rng;
    basin_rng_seed(&rng, 4);
    basin_normal_gen gen;
    basin_normal_gen_seed(&gen, 4, 1);
    basin_dict_gaussian(N, 0, M, &gen, D);
    basin_rng_normals(&rng, a, N);
    basin_omp s;
    ck_assert_int_eq(basin_omp_init(&s, N, M, D, a, 10), 0);
    while (basin_omp_step(&s))
        for (long q = 0; q < s.k; q++)
            ck_assert_double_eq_tol(s.c[s.support[q]], 0.0, 1e-12);
    ck_assert_int_eq(s.k, 10);
    basin_omp_free(&s);
    ck_assert_int_eq(basin_omp_init(&s, N, M, D, a, N + 1), BASIN_EINVAL);
    basin_omp_free(&s);
    free(D);
}
END_TEST

/* ---- 4. the params contract ------------------------------------------------------------- */

typedef struct bad_case {
    const char *params;
    const char *pointer;
    int rc;
} bad_case;

/* Reference: models.md's params contract — strict, one JSON pointer per problem, work
 * beyond the limits refused (BASIN_ELIMIT) — and the model's doc comment. JSON carries no
 * NaN or Inf; a finite value beyond the documented bound is refused with its pointer. */
START_TEST(validation)
{
    static const bad_case cases[] = {
        {"{\"foo\": 1}", "/params/foo", BASIN_EINVAL},
        {"{\"method\": \"lars\"}", "/params/method", BASIN_EINVAL},
        {"{\"dictionary\": \"wavelet\"}", "/params/dictionary", BASIN_EINVAL},
        {"{\"dictionary\": 3}", "/params/dictionary", BASIN_EINVAL},
        {"{\"dictionary\": [[1, 2], [3]]}", "/params/dictionary/1", BASIN_EINVAL},
        {"{\"dictionary\": [[1, 2], [3, \"x\"]]}", "/params/dictionary/1/1", BASIN_EINVAL},
        {"{\"dictionary\": [[1, 1e300]]}", "/params/dictionary/0/1", BASIN_EINVAL},
        /* dictionary and signal size mismatch */
        {"{\"dictionary\": [[1, 0], [0, 1]], \"signal\": [1, 2, 3]}", "/params/signal",
         BASIN_EINVAL},
        {"{\"length\": 16, \"signal\": [1, 2, 3]}", "/params/signal", BASIN_EINVAL},
        {"{\"dictionary\": [[1, 0], [0, 1]], \"length\": 3}", "/params/length", BASIN_EINVAL},
        {"{\"dictionary\": [[1, 0], [0, 1]], \"atoms\": 3}", "/params/atoms", BASIN_EINVAL},
        /* k > atoms, k > length, sparsity > atoms */
        {"{\"method\": \"omp\", \"atoms\": 20, \"k\": 21}", "/params/k", BASIN_EINVAL},
        {"{\"method\": \"omp\", \"length\": 8, \"atoms\": 20, \"k\": 9}", "/params/k",
         BASIN_EINVAL},
        {"{\"atoms\": 20, \"sparsity\": 21}", "/params/sparsity", BASIN_EINVAL},
        /* the Haar transform needs a power of two */
        {"{\"dictionary\": \"haar\", \"length\": 48}", "/params/length", BASIN_EINVAL},
        {"{\"dictionary\": \"haar\", \"signal\": [1, 2, 3]}", "/params/signal", BASIN_EINVAL},
        {"{\"dictionary\": \"haar\", \"length\": 16, \"atoms\": 32}", "/params/atoms",
         BASIN_EINVAL},
        /* values */
        {"{\"signal\": [1, 2, 1e13]}", "/params/signal/2", BASIN_EINVAL},
        {"{\"signal\": [1, null]}", "/params/signal/1", BASIN_EINVAL},
        {"{\"lambda\": 0}", "/params/lambda", BASIN_EINVAL},
        {"{\"lambda\": -1}", "/params/lambda", BASIN_EINVAL},
        {"{\"noise\": -0.1}", "/params/noise", BASIN_EINVAL},
        {"{\"tol\": 2}", "/params/tol", BASIN_EINVAL},
        {"{\"max_iter\": 0}", "/params/max_iter", BASIN_EINVAL},
        {"{\"restart\": \"always\"}", "/params/restart", BASIN_EINVAL},
        {"{\"working_set\": 1}", "/params/working_set", BASIN_EINVAL},
        {"{\"length\": 0}", "/params/length", BASIN_EINVAL},
        {"{\"seed\": -1}", "/params/seed", BASIN_EINVAL},
        /* limits */
        {"{\"length\": 4096, \"atoms\": 4097}", "/params/atoms", BASIN_EINVAL}, /* > 2^24 */
        {"{\"length\": 4096, \"atoms\": 4096, \"max_iter\": 10000000}", "/params/max_iter",
         BASIN_ELIMIT},
        {"{\"max_iter\": 10000000, \"record_every\": 1}", "/params/record_every", BASIN_ELIMIT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *params = load(cases[i].params);
        basin_problems pr = {.count = 0};
        json_t *norm = (json_t *)&pr;
        void *cfg = &pr;
        int rc = model()->parse(params, "/params", &basin_default_limits, &pr, NULL, &norm, &cfg);
        ck_assert_msg(rc == cases[i].rc, "%s: rc %d, expected %d (%s: %s)", cases[i].params, rc,
                      cases[i].rc, pr.count ? pr.items[0].pointer : "-",
                      pr.count ? pr.items[0].message : "-");
        ck_assert_ptr_eq(norm, (json_t *)&pr);
        ck_assert_ptr_eq(cfg, &pr);
        bool found = false;
        for (size_t j = 0; j < pr.count; j++)
            found |= strcmp(pr.items[j].pointer, cases[i].pointer) == 0;
        ck_assert_msg(found, "%s: no problem at %s (first: %s: %s)", cases[i].params,
                      cases[i].pointer, pr.count ? pr.items[0].pointer : "-",
                      pr.count ? pr.items[0].message : "-");
        ck_assert_msg(pr.count == 1, "%s: %zu problems (second: %s)", cases[i].params, pr.count,
                      pr.count > 1 ? pr.items[1].pointer : "");
        json_decref(params);
    }
    /* a dictionary over a small array limit is refused before it is copied, and so is a
     * generated one */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 5;
    json_t *gen = load("{\"length\": 2, \"atoms\": 3}");
    basin_problems pg = {.count = 0};
    json_t *ng = NULL;
    void *cg = NULL;
    ck_assert_int_eq(model()->parse(gen, "/params", &small, &pg, NULL, &ng, &cg), BASIN_ELIMIT);
    ck_assert_str_eq(pg.items[0].pointer, "/params/atoms");
    json_decref(gen);
    json_t *params = load("{\"dictionary\": [[1, 2, 3], [4, 5, 6]]}");
    basin_problems pr = {.count = 0};
    json_t *norm = NULL;
    void *cfg = NULL;
    ck_assert_int_eq(model()->parse(params, "/params", &small, &pr, NULL, &norm, &cfg),
                     BASIN_ELIMIT);
    ck_assert_str_eq(pr.items[0].pointer, "/params/dictionary");
    json_decref(params);
}
END_TEST

/* Reference: the worker re-parses stored normalised params: parse(normalised) gives the
 * same JSON, and the documented defaults. The schema lists every parameter. */
START_TEST(normalised_params)
{
    const char *texts[] = {
        "{}",
        "{\"method\": \"omp\", \"dictionary\": \"dct\", \"length\": 16, \"atoms\": 40, "
        "\"sparsity\": 3, \"seed\": 4}",
        "{\"dictionary\": [[1, 0.5], [0, 2]], \"signal\": [1, -1], \"lambda\": 0.1, \"seed\": 1}",
        "{\"dictionary\": \"haar\", \"length\": 64, \"restart\": \"adaptive\", \"working_set\": "
        "true, \"max_iter\": 50, \"record_every\": 7, \"tol\": 0}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *params = load(texts[i]), *n1 = NULL, *n2 = NULL;
        void *c1 = parse_ok(params, &n1), *c2 = parse_ok(n1, &n2);
        char *s1 = json_dumps(n1, JSON_SORT_KEYS), *s2 = json_dumps(n2, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(n1, n2), "%s\n%s", s1, s2);
        if (i == 0) {
            json_t *want = load(
                "{\"method\": \"fista\", \"dictionary\": \"gaussian\", \"length\": 64, \"atoms\": "
                "256, \"sparsity\": 5, \"noise\": 0.01, \"lambda\": 0.05, \"k\": 5, \"tol\": 1e-8, "
                "\"max_iter\": 10000, \"restart\": \"none\", \"working_set\": false, "
                "\"record_every\": 10}");
            json_object_set(want, "seed", json_object_get(n1, "seed"));
            ck_assert_msg(json_equal(n1, want), "defaults: %s", s1);
            json_decref(want);
        }
        free(s1);
        free(s2);
        model()->free_config(c1);
        model()->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
    json_t *schema = json_object(), *norm = NULL;
    basin_problems pr = {.count = 0};
    void *cfg = NULL;
    ck_assert_int_eq(
        model()->parse(NULL, "/params", &basin_default_limits, &pr, schema, &norm, &cfg), 0);
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"method",      "dictionary",   "signal", "length", "atoms",    "sparsity",
                          "noise",       "lambda",       "k",      "tol",    "max_iter", "restart",
                          "working_set", "record_every", "seed"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    model()->free_config(cfg);
    json_decref(norm);
    json_decref(schema);
}
END_TEST

/* Reference: same params + seed = bit-identical output (z, signal, series), also from the
 * normalised params; another seed gives another problem. */
START_TEST(reproducible)
{
    const char *text = "{\"length\": 48, \"atoms\": 200, \"lambda\": 0.02, \"working_set\": true, "
                       "\"restart\": \"adaptive\", \"seed\": %d}";
    char buf[200];
    snprintf(buf, sizeof buf, text, 21);
    json_t *p = load(buf), *norm = NULL;
    void *c1 = parse_ok(p, &norm);
    model()->free_config(c1);
    basin_ctx *r1 = run_ok(json_incref(p)), *r2 = run_ok(json_incref(norm));
    const char *arts[] = {"z", "signal", "reconstruction", "atoms"};
    for (int i = 0; i < 4; i++) {
        const run_artifact *a1 = run_ctx_find_artifact(r1, arts[i]),
                           *a2 = run_ctx_find_artifact(r2, arts[i]);
        ck_assert(a1->nbytes == a2->nbytes && memcmp(a1->data, a2->data, a1->nbytes) == 0);
    }
    const run_series *g1 = series(r1, "gap"), *g2 = series(r2, "gap");
    ck_assert(g1->n == g2->n && memcmp(g1->value, g2->value, g1->n * sizeof(double)) == 0);
    snprintf(buf, sizeof buf, text, 22);
    basin_ctx *r3 = run_ok(load(buf));
    const run_artifact *s1 = run_ctx_find_artifact(r1, "signal"),
                       *s3 = run_ctx_find_artifact(r3, "signal");
    ck_assert(memcmp(s1->data, s3->data, s1->nbytes) != 0);
    ck_assert_uint_eq(r1->seed, 21);
    run_ctx_free(r1);
    run_ctx_free(r2);
    run_ctx_free(r3);
    json_decref(p);
    json_decref(norm);
}
END_TEST

/* ---- 5. cancellation ---------------------------------------------------------------------- */

typedef struct job {
    void *cfg;
    basin_ctx *ctx;
    int rc;
    double t_end;
} job;

static void *job_main(void *arg)
{
    job *j = arg;
    j->rc = model()->run(j->cfg, j->ctx);
    j->t_end = now_s();
    return NULL;
}

static void stop_on_progress(void *user, double fraction)
{
    (void)fraction;
    run_ctx_request_stop(user, BASIN_ECANCELLED);
}

/* Reference: model.h — run() returns BASIN_ECANCELLED when basin_ctx_should_stop() says so;
 * models.md — "stops promptly (well under a second)". The threaded case is a 2048×8192
 * FISTA run of minutes (the largest dictionary, 2^24 entries: each iteration 2 products of
 * 16.8M multiply-adds, ~15–30 ms); it must return within 0.5 s of the request. */
START_TEST(cancellation)
{
    json_t *params = load("{\"length\": 64, \"atoms\": 256, \"lambda\": 0.01, \"tol\": 0}");
    void *cfg = parse_ok(params, NULL);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    run_ctx_request_stop(ctx, BASIN_ECANCELLED);
    ck_assert_int_eq(model()->run(cfg, ctx), BASIN_ECANCELLED);
    run_ctx_free(ctx);
    ctx = run_ctx_new(&basin_default_limits);
    ctx->on_progress = stop_on_progress;
    ctx->on_progress_user = ctx;
    ck_assert_int_eq(model()->run(cfg, ctx), BASIN_ECANCELLED);
    ck_assert_uint_le(series(ctx, "gap")->n, 2);
    run_ctx_free(ctx);
    model()->free_config(cfg);
    json_decref(params);

    params = load("{\"length\": 2048, \"atoms\": 8192, \"lambda\": 1e-4, \"tol\": 0, "
                  "\"max_iter\": 50000, \"sparsity\": 100}");
    job j = {.cfg = parse_ok(params, NULL), .ctx = run_ctx_new(&basin_default_limits)};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, job_main, &j), 0);
    struct timespec pause = {.tv_sec = 1, .tv_nsec = 0};
    nanosleep(&pause, NULL);
    double t_stop = now_s();
    run_ctx_request_stop(j.ctx, BASIN_ECANCELLED);
    pthread_join(th, NULL);
    ck_assert_int_eq(j.rc, BASIN_ECANCELLED);
    ck_assert_msg(j.t_end - t_stop < 0.5, "stopped %.3f s after the request", j.t_end - t_stop);
    printf("cancellation: returned %.1f ms after the request\n", 1e3 * (j.t_end - t_stop));
    run_ctx_free(j.ctx);
    model()->free_config(j.cfg);
    json_decref(params);
}
END_TEST

static Suite *sparse_code_suite(void)
{
    Suite *s = suite_create("sparse_code");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 60);
    tcase_add_test(core, dictionaries);
    tcase_add_test(core, power_iteration);
    suite_add_tcase(s, core);
    TCase *lasso = tcase_create("lasso");
    tcase_set_timeout(lasso, 120);
    tcase_add_test(lasso, lasso_kkt_and_gap);
    tcase_add_test(lasso, lasso_zero_above_lambda_max);
    tcase_add_test(lasso, lasso_orthonormal_closed_form);
    tcase_add_test(lasso, beck_teboulle_bound);
    tcase_add_test(lasso, working_set_products);
    tcase_add_test(lasso, omp_exact_recovery);
    suite_add_tcase(s, lasso);
    TCase *contract = tcase_create("contract");
    tcase_set_timeout(contract, 60);
    tcase_add_test(contract, validation);
    tcase_add_test(contract, normalised_params);
    tcase_add_test(contract, reproducible);
    tcase_add_test(contract, cancellation);
    suite_add_tcase(s, contract);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sparse_code_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
