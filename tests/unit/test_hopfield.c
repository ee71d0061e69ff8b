/*
 * test_hopfield.c — the `hopfield` model and its numerical core.
 *
 * Each numerical test names its reference (a theorem, a closed form or an independent
 * implementation in this file) and says why its tolerance is what it is. The model is
 * driven exactly as the worker drives it: parse() with the default limits, then run()
 * against an in-memory run context whose summary, series and artifacts are inspected.
 */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/hopfield.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

extern const basin_model model_hopfield;

/* ---- helpers ------------------------------------------------------------------------- */

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, err.text);
    return v;
}

/* Parses params (a JSON text); returns the code and fills problems/normalized/config. */
static int parse_with(const char *text, const basin_limits *limits, basin_problems *problems,
                      json_t **normalized, void **config)
{
    json_t *params = load(text);
    memset(problems, 0, sizeof *problems);
    *normalized = NULL;
    *config = NULL;
    int rc = model_hopfield.parse(params, "/params", limits, problems, NULL, normalized, config);
    json_decref(params);
    return rc;
}

/* Parses (must succeed) and runs params; returns the context, *rc the run's code. */
static basin_ctx *run_params(const char *text, int *rc)
{
    basin_problems problems;
    json_t *normalized;
    void *config;
    int prc = parse_with(text, &basin_default_limits, &problems, &normalized, &config);
    ck_assert_msg(prc == 0, "parse of %s failed (%d): %s: %s", text, prc,
                  problems.count ? problems.items[0].pointer : "",
                  problems.count ? problems.items[0].message : "");
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    *rc = model_hopfield.run(config, ctx);
    model_hopfield.free_config(config);
    json_decref(normalized);
    return ctx;
}

/* Runs params that must succeed. */
static basin_ctx *run_ok(const char *text)
{
    int rc;
    basin_ctx *ctx = run_params(text, &rc);
    ck_assert_msg(rc == 0, "run of %s returned %d", text, rc);
    return ctx;
}

static double summary_real(const basin_ctx *ctx, const char *key)
{
    json_t *v = json_object_get(ctx->summary, key);
    ck_assert_msg(json_is_number(v), "summary %s missing", key);
    return json_number_value(v);
}

static long summary_int(const basin_ctx *ctx, const char *key)
{
    json_t *v = json_object_get(ctx->summary, key);
    ck_assert_msg(json_is_integer(v), "summary %s missing", key);
    return (long)json_integer_value(v);
}

static bool summary_bool(const basin_ctx *ctx, const char *key)
{
    json_t *v = json_object_get(ctx->summary, key);
    ck_assert_msg(json_is_boolean(v), "summary %s missing", key);
    return json_is_true(v);
}

static const run_series *series(const basin_ctx *ctx, const char *name)
{
    const run_series *s = run_ctx_find_series(ctx, name);
    ck_assert_msg(s != NULL, "series %s missing", name);
    return s;
}

static bool has_problem(const basin_problems *p, const char *pointer)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].pointer, pointer) == 0)
            return true;
    return false;
}

/* P random ±1 patterns of N spins, P×N row-major. */
static int8_t *random_patterns(uint64_t seed, long P, long N)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    int8_t *xi = malloc((size_t)(P * N));
    ck_assert_ptr_nonnull(xi);
    for (long k = 0; k < P * N; k++)
        xi[k] = (basin_rng_next(&rng) >> 63) ? 1 : -1;
    return xi;
}

static basin_hopfield *core_new(long N, long P, basin_hopfield_rule rule,
                                basin_hopfield_dynamics dyn, double T, double field,
                                const int8_t *xi)
{
    basin_hopfield_config cfg = {
        .n = N, .p = P, .rule = rule, .dynamics = dyn, .temperature = T, .field = field};
    basin_hopfield *w = NULL;
    ck_assert_int_eq(basin_hopfield_alloc(&cfg, xi, &w), 0);
    ck_assert_int_eq(basin_hopfield_learn(w), 0);
    return w;
}

/* ---- independent reference couplings (plain loops, no BLAS/LAPACK) ------------------ */

/* Hebb: J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ, J_ii = 0. */
static void ref_hebb(const int8_t *xi, long P, long N, double *J)
{
    for (long i = 0; i < N; i++)
        for (long j = 0; j < N; j++) {
            long s = 0;
            for (long mu = 0; mu < P; mu++)
                s += xi[mu * N + i] * xi[mu * N + j];
            J[i * N + j] = i == j ? 0.0 : (double)s / (double)N;
        }
}

/* Pseudo-inverse: G = ΞᵀΞ inverted by Gauss–Jordan with partial pivoting, then
 * Jfull = Ξ G⁻¹ Ξᵀ (returned in Jfull, with diagonal) and J = Jfull with zero diagonal. */
static void ref_pinv(const int8_t *xi, long P, long N, double *Jfull, double *J)
{
    double *A = calloc((size_t)(P * 2 * P), sizeof *A);
    for (long a = 0; a < P; a++) {
        for (long b = 0; b < P; b++) {
            long s = 0;
            for (long i = 0; i < N; i++)
                s += xi[a * N + i] * xi[b * N + i];
            A[a * 2 * P + b] = (double)s;
        }
        A[a * 2 * P + P + a] = 1.0;
    }
    for (long c = 0; c < P; c++) {
        long piv = c;
        for (long r = c + 1; r < P; r++)
            if (fabs(A[r * 2 * P + c]) > fabs(A[piv * 2 * P + c]))
                piv = r;
        for (long k = 0; k < 2 * P; k++) {
            double t = A[c * 2 * P + k];
            A[c * 2 * P + k] = A[piv * 2 * P + k];
            A[piv * 2 * P + k] = t;
        }
        double d = A[c * 2 * P + c];
        for (long k = 0; k < 2 * P; k++)
            A[c * 2 * P + k] /= d;
        for (long r = 0; r < P; r++) {
            if (r == c)
                continue;
            double f = A[r * 2 * P + c];
            for (long k = 0; k < 2 * P; k++)
                A[r * 2 * P + k] -= f * A[c * 2 * P + k];
        }
    }
    for (long i = 0; i < N; i++)
        for (long j = 0; j < N; j++) {
            double s = 0.0;
            for (long a = 0; a < P; a++)
                for (long b = 0; b < P; b++)
                    s += xi[a * N + i] * A[a * 2 * P + P + b] * xi[b * N + j];
            Jfull[i * N + j] = s;
            J[i * N + j] = i == j ? 0.0 : s;
        }
    free(A);
}

/* Storkey (1997), literally: h_ij = Σ_{k≠i,j} W_ik ξ_k,
 * W_ij += (ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j)/N for i ≠ j, all from the previous W. */
static void ref_storkey(const int8_t *xi, long P, long N, double *W)
{
    double *Wn = malloc((size_t)(N * N) * sizeof *Wn);
    memset(W, 0, (size_t)(N * N) * sizeof *W);
    for (long nu = 0; nu < P; nu++) {
        const int8_t *x = xi + nu * N;
        for (long i = 0; i < N; i++)
            for (long j = 0; j < N; j++) {
                if (i == j) {
                    Wn[i * N + j] = 0.0;
                    continue;
                }
                double hij = 0.0, hji = 0.0;
                for (long k = 0; k < N; k++) {
                    if (k != i && k != j) {
                        hij += W[i * N + k] * x[k];
                        hji += W[j * N + k] * x[k];
                    }
                }
                Wn[i * N + j] = W[i * N + j] + (x[i] * x[j] - x[i] * hji - hij * x[j]) / (double)N;
            }
        memcpy(W, Wn, (size_t)(N * N) * sizeof *W);
    }
    free(Wn);
}

/* ---- 1. Lyapunov energy -------------------------------------------------------------- */

/* Reference: for symmetric J with zero diagonal, an async T = 0 flip of s_k changes
 * L = −½ sᵀJs − h_extᵀs by ΔL = 2 s_k(old) h_k < 0 (Hopfield 1982; Agliari, eq. 2.8), so
 * the energy recorded after each sweep never increases. Tolerance 1e-9·N: the energy is
 * recomputed from scratch each sweep in double precision, whose rounding is ~1e-13·N for
 * these sizes; 1e-9·N is far above that and far below the smallest real decrease (2|h|,
 * at least 2/N for Hebb). Hebb, pseudo-inverse and Storkey, with and without a field,
 * five seeds each. */
START_TEST(test_energy_never_increases)
{
    const char *cases[] = {
        "{\"n\": 400, \"patterns\": 40, \"cue\": {\"pattern\": 0, \"mask\": 0.6}, "
        "\"seed\": %d}",
        "{\"n\": 300, \"patterns\": 60, \"field\": 0.05, \"cue\": {\"pattern\": 1, "
        "\"flip\": 0.35}, \"seed\": %d}",
        "{\"n\": 200, \"patterns\": 80, \"rule\": \"pseudo_inverse\", \"cue\": {\"pattern\": "
        "0, \"mask\": 0.8}, \"seed\": %d}",
        "{\"n\": 200, \"patterns\": 120, \"rule\": \"pseudo_inverse\", \"field\": -0.1, "
        "\"cue\": {\"pattern\": 2, \"flip\": 0.3}, \"seed\": %d}",
        "{\"n\": 150, \"patterns\": 25, \"rule\": \"storkey\", \"cue\": {\"pattern\": 0, "
        "\"mask\": 0.7}, \"seed\": %d}",
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int seed = 1; seed <= 5; seed++) {
            char text[300];
            snprintf(text, sizeof text, cases[c], seed);
            basin_ctx *ctx = run_ok(text);
            const run_series *E = series(ctx, "energy");
            const run_series *flips = series(ctx, "flips");
            json_t *params = load(text);
            double N = (double)json_integer_value(json_object_get(params, "n"));
            json_decref(params);
            ck_assert_uint_ge(E->n, 2);
            double total_flips = 0.0;
            for (size_t k = 0; k < flips->n; k++)
                total_flips += flips->value[k];
            ck_assert_msg(total_flips > 0, "%s: no dynamics to test", text);
            for (size_t k = 1; k < E->n; k++)
                ck_assert_msg(E->value[k] <= E->value[k - 1] + 1e-9 * N,
                              "%s: energy rose at sweep %lld: %.17g -> %.17g", text,
                              (long long)E->step[k], E->value[k - 1], E->value[k]);
            ck_assert(E->value[E->n - 1] < E->value[0]);
            ck_assert(summary_bool(ctx, "converged"));
            run_ctx_free(ctx);
        }
    }
}
END_TEST

/* Reference: the couplings built with plain loops in this file (Hebb sum, Gauss–Jordan
 * inverse of the Gram matrix, Storkey's formula with the explicit k ≠ i, j sums), and the
 * energy and local fields computed from them directly in O(N²). Tolerances: couplings
 * 1e-12 absolute (entries are O(1); both sides are exact or within a few ulps times the
 * condition number ~10 of G); energy 1e-10·N and fields 1e-12 (sums of N terms of O(1)
 * rounded in different orders). Also checks the projector property Jfull ξ^μ = ξ^μ of the
 * pseudo-inverse rule (Kohonen; Personnaz et al. 1985) to 1e-10. */
START_TEST(test_energy_matches_direct)
{
    const long N = 40, P = 7;
    const double h = 0.3;
    int8_t *xi = random_patterns(11, P, N);
    double *J = malloc((size_t)(N * N) * sizeof *J), *Jfull = malloc((size_t)(N * N) * sizeof *J);
    double *Jcore = malloc((size_t)(N * N) * sizeof *J);
    basin_hopfield_rule rules[] = {BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_PSEUDO_INVERSE,
                                   BASIN_HOPFIELD_STORKEY};
    basin_rng rng;
    basin_rng_seed(&rng, 5);
    int8_t s[40];
    for (size_t r = 0; r < 3; r++) {
        if (rules[r] == BASIN_HOPFIELD_HEBB)
            ref_hebb(xi, P, N, J);
        else if (rules[r] == BASIN_HOPFIELD_PSEUDO_INVERSE)
            ref_pinv(xi, P, N, Jfull, J);
        else
            ref_storkey(xi, P, N, J);
        if (rules[r] == BASIN_HOPFIELD_PSEUDO_INVERSE)
            for (long mu = 0; mu < P; mu++)
                for (long i = 0; i < N; i++) {
                    double y = 0.0;
                    for (long j = 0; j < N; j++)
                        y += Jfull[i * N + j] * xi[mu * N + j];
                    ck_assert_double_eq_tol(y, xi[mu * N + i], 1e-10);
                }
        basin_hopfield *w = core_new(N, P, rules[r], BASIN_HOPFIELD_ASYNC, 0.0, h, xi);
        basin_hopfield_couplings(w, Jcore);
        for (long k = 0; k < N * N; k++)
            ck_assert_double_eq_tol(Jcore[k], J[k], 1e-12);
        for (int trial = 0; trial < 5; trial++) {
            for (long i = 0; i < N; i++)
                s[i] = (basin_rng_next(&rng) >> 63) ? 1 : -1;
            basin_hopfield_set_state(w, s);
            double sJs = 0.0, sum = 0.0;
            for (long i = 0; i < N; i++) {
                double hi = 0.0;
                for (long j = 0; j < N; j++)
                    hi += J[i * N + j] * s[j];
                sJs += s[i] * hi;
                sum += s[i];
                ck_assert_double_eq_tol(basin_hopfield_local_field(w, i), hi + h, 1e-12);
            }
            double L = -0.5 * sJs - h * sum;
            ck_assert_double_eq_tol(basin_hopfield_energy(w), L, 1e-10 * (double)N);
        }
        basin_hopfield_free(w);
    }
    free(J);
    free(Jfull);
    free(Jcore);
    free(xi);
}
END_TEST

/* ---- 2. Hebb retrieval and capacity -------------------------------------------------- */

/* Reference: Amit, Gutfreund & Sompolinsky (1985, 1987): at T = 0 the Hebb network has
 * retrieval states with overlap m > 0.99 up to α ≈ 0.138, and none above. At α = 0.05 the
 * retrieval state has m ≈ 1 − O(10⁻⁴) and a cue with 10% of spins flipped (m = 0.8) is
 * well inside its basin: the bound 0.99 allows 5 wrong spins of 1000 at the fixed point.
 * Five fixed seeds (measured: 1.0 for each). */
START_TEST(test_hebb_retrieval_below_capacity)
{
    for (int seed = 1; seed <= 5; seed++) {
        char text[200];
        snprintf(text, sizeof text,
                 "{\"n\": 1000, \"patterns\": 50, \"cue\": {\"pattern\": 3, \"flip\": 0.1}, "
                 "\"seed\": %d}",
                 seed);
        basin_ctx *ctx = run_ok(text);
        ck_assert_double_ge(summary_real(ctx, "final_overlap"), 0.99);
        ck_assert_int_eq(summary_int(ctx, "retrieved"), 3);
        ck_assert(summary_bool(ctx, "converged"));
        ck_assert_double_eq_tol(summary_real(ctx, "load"), 0.05, 1e-15);
        const run_series *m = series(ctx, "overlap");
        ck_assert_int_eq(m->step[0], 0);
        ck_assert_double_eq_tol(m->value[0], 0.8, 1e-15); /* exactly 100 of 1000 flipped */
        const run_artifact *state = run_ctx_find_artifact(ctx, "state");
        const run_artifact *ov = run_ctx_find_artifact(ctx, "overlaps");
        ck_assert_ptr_nonnull(state);
        ck_assert_ptr_nonnull(ov);
        ck_assert_int_eq(state->dtype, BASIN_I8);
        ck_assert_int_eq(state->ndim, 1);
        ck_assert_int_eq(state->shape[0], 1000);
        ck_assert_int_eq(ov->dtype, BASIN_F64);
        ck_assert_int_eq(ov->shape[0], 50);
        ck_assert_double_eq(((const double *)ov->data)[3], summary_real(ctx, "final_overlap"));
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: AGS again — at α = 0.3, twice α_c, there is no retrieval state; the dynamics
 * falls into spin-glass/mixture states that keep only a residual overlap with the cued
 * pattern (measured 0.19–0.29 for these seeds at N = 1000). Bound 0.6: far below the
 * ≥ 0.99 of retrieval and well above the measured residuals plus their O(1/√(αN))
 * sample-to-sample spread. */
START_TEST(test_hebb_collapse_above_capacity)
{
    for (int seed = 1; seed <= 5; seed++) {
        char text[200];
        snprintf(text, sizeof text,
                 "{\"n\": 1000, \"patterns\": 300, \"cue\": {\"pattern\": 0, \"flip\": 0.1}, "
                 "\"seed\": %d}",
                 seed);
        basin_ctx *ctx = run_ok(text);
        ck_assert_double_lt(summary_real(ctx, "final_overlap"), 0.6);
        run_ctx_free(ctx);
    }
}
END_TEST

/* ---- 3. pseudo-inverse keeps every pattern ------------------------------------------- */

/* Reference: Kohonen's projector theorem (Agliari, Theorem 1; Personnaz, Guyon & Dreyfus
 * 1985): Jfull ξ^μ = ξ^μ, so with the diagonal removed h_i = (1 − J_ii) ξ_i^μ and, as
 * J_ii < 1 for P < N, sign(h) = ξ^μ: every stored pattern is a fixed point at any load
 * below 1. Exact statement: zero flips in a T = 0 sweep started at each of the 100
 * patterns, at α = 0.5 where Hebb (checked as a contrast) keeps almost none. Also with
 * linearly dependent patterns (a repeated and a negated pattern: singular Gram matrix),
 * where the projector onto their span (built from an independent subset) keeps them all:
 * checked as ξ_i h_i > 0 for every spin. */
START_TEST(test_pinv_patterns_are_fixed_points)
{
    const long N = 200, P = 100;
    int8_t *xi = random_patterns(21, P, N);
    basin_rng rng;
    basin_rng_seed(&rng, 3);
    basin_hopfield *w =
        core_new(N, P, BASIN_HOPFIELD_PSEUDO_INVERSE, BASIN_HOPFIELD_ASYNC, 0.0, 0.0, xi);
    ck_assert_int_eq(w->rank, P); /* the Cholesky path: G is well conditioned */
    basin_hopfield *hebb = core_new(N, P, BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_ASYNC, 0.0, 0.0, xi);
    long hebb_unstable = 0;
    for (long mu = 0; mu < P; mu++) {
        basin_hopfield_set_state(w, xi + mu * N);
        ck_assert_int_eq(basin_hopfield_sweep(w, &rng), 0);
        ck_assert_double_eq(basin_hopfield_overlap(w, mu), 1.0);
        basin_hopfield_set_state(hebb, xi + mu * N);
        hebb_unstable += basin_hopfield_sweep(hebb, &rng) > 0;
    }
    ck_assert_int_gt(hebb_unstable, P / 2);
    basin_hopfield_free(w);
    basin_hopfield_free(hebb);

    /* singular Gram matrix: pattern 9 repeats pattern 3, pattern 8 is −pattern 2 */
    const long N2 = 60, P2 = 10;
    int8_t *x2 = random_patterns(22, P2, N2);
    for (long i = 0; i < N2; i++) {
        x2[9 * N2 + i] = x2[3 * N2 + i];
        x2[8 * N2 + i] = (int8_t)-x2[2 * N2 + i];
    }
    w = core_new(N2, P2, BASIN_HOPFIELD_PSEUDO_INVERSE, BASIN_HOPFIELD_SYNC, 0.0, 0.0, x2);
    /* the same projector as from the 8 independent patterns 0..7 (reference: Gauss–Jordan
     * on their nonsingular Gram matrix); 1e-10 allows for the conditioning of G_BB */
    double *Jref = malloc((size_t)(N2 * N2) * sizeof *Jref);
    double *Jfull = malloc((size_t)(N2 * N2) * sizeof *Jfull);
    double *Jcore = malloc((size_t)(N2 * N2) * sizeof *Jcore);
    ck_assert_int_eq(w->rank, 8);
    ref_pinv(x2, 8, N2, Jfull, Jref);
    basin_hopfield_couplings(w, Jcore);
    for (long k = 0; k < N2 * N2; k++)
        ck_assert_double_eq_tol(Jcore[k], Jref[k], 1e-10);
    for (long mu = 0; mu < P2; mu++) {
        basin_hopfield_set_state(w, x2 + mu * N2);
        ck_assert_int_eq(basin_hopfield_sweep(w, &rng), 0);
        for (long i = 0; i < N2; i++)
            ck_assert_double_gt(x2[mu * N2 + i] * basin_hopfield_local_field(w, i), 0.0);
    }
    basin_hopfield_free(w);
    free(x2);
    free(xi);

    /* P ≥ N: the patterns span R^N, the projector is the identity and with its diagonal
     * removed J = 0 (to rounding, 1e-10) */
    x2 = random_patterns(23, 30, 20);
    w = core_new(20, 30, BASIN_HOPFIELD_PSEUDO_INVERSE, BASIN_HOPFIELD_ASYNC, 0.0, 0.0, x2);
    ck_assert_int_eq(w->rank, 20);
    basin_hopfield_couplings(w, Jcore);
    for (long k = 0; k < 400; k++)
        ck_assert_double_eq_tol(Jcore[k], 0.0, 1e-10);
    basin_hopfield_free(w);
    free(x2);
    free(Jref);
    free(Jfull);
    free(Jcore);

    /* through the model: started exactly at pattern 37, converged after one sweep */
    basin_ctx *ctx = run_ok("{\"n\": 200, \"patterns\": 100, \"rule\": \"pseudo_inverse\", "
                            "\"cue\": {\"pattern\": 37, \"flip\": 0}, \"seed\": 4}");
    ck_assert(summary_bool(ctx, "converged"));
    ck_assert_int_eq(summary_int(ctx, "sweeps"), 1);
    ck_assert_int_eq(summary_int(ctx, "retrieved"), 37);
    ck_assert_double_eq(summary_real(ctx, "final_overlap"), 1.0);
    ck_assert_double_eq(series(ctx, "flips")->value[0], 0.0);
    /* L(ξ) = −½(ξᵀJfullξ − tr Jfull) = −½(N − P) for the projector: exact up to rounding */
    ck_assert_double_eq_tol(summary_real(ctx, "energy"), -50.0, 1e-9);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 4. reproducibility -------------------------------------------------------------- */

static bool same_series(const basin_ctx *a, const basin_ctx *b, const char *name)
{
    const run_series *x = series(a, name), *y = series(b, name);
    return x->n == y->n && memcmp(x->step, y->step, x->n * sizeof *x->step) == 0 &&
           memcmp(x->value, y->value, x->n * sizeof *x->value) == 0;
}

static bool same_state(const basin_ctx *a, const basin_ctx *b)
{
    const run_artifact *x = run_ctx_find_artifact(a, "state");
    const run_artifact *y = run_ctx_find_artifact(b, "state");
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    return x->nbytes == y->nbytes && memcmp(x->data, y->data, x->nbytes) == 0;
}

/* Reference: the contract "same params + same seed = bit-identical result". T > 0 so that
 * the permutation, the heat-bath draws, the random patterns and the random cue all
 * matter; compared with memcmp (no tolerance). A different seed must change the state
 * (two independent random states of 500 spins agree with probability 2⁻⁵⁰⁰). Also checks
 * the record_every schedule: sweep 0, every 3rd sweep, and the last. */
START_TEST(test_same_seed_same_result)
{
    const char *fmt[] = {
        "{\"n\": 500, \"patterns\": 30, \"temperature\": 0.3, \"cue\": {\"pattern\": 2, "
        "\"mask\": 0.5}, \"max_sweeps\": 10, \"record_every\": 3, \"seed\": %d}",
        "{\"n\": 300, \"patterns\": 60, \"rule\": \"pseudo_inverse\", \"dynamics\": \"sync\", "
        "\"temperature\": 0.2, \"max_sweeps\": 10, \"record_every\": 3, \"seed\": %d}",
        "{\"n\": 120, \"patterns\": 12, \"rule\": \"storkey\", \"temperature\": 0.25, "
        "\"max_sweeps\": 10, \"record_every\": 3, \"seed\": %d}",
    };
    for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++) {
        char t1[300], t2[300];
        snprintf(t1, sizeof t1, fmt[f], 17);
        snprintf(t2, sizeof t2, fmt[f], 18);
        basin_ctx *a = run_ok(t1), *b = run_ok(t1), *c = run_ok(t2);
        ck_assert(same_state(a, b));
        ck_assert(same_series(a, b, "overlap"));
        ck_assert(same_series(a, b, "energy"));
        ck_assert(same_series(a, b, "flips"));
        ck_assert(json_equal(a->summary, b->summary));
        ck_assert(!same_state(a, c));
        ck_assert(a->has_seed && a->seed == 17);
        const run_series *m = series(a, "overlap");
        const int64_t expect[] = {0, 3, 6, 9, 10};
        ck_assert_uint_eq(m->n, 5);
        for (size_t k = 0; k < 5; k++)
            ck_assert_int_eq(m->step[k], expect[k]);
        const run_series *fl = series(a, "flips");
        ck_assert_uint_eq(fl->n, 4);
        ck_assert_int_eq(fl->step[0], 3);
        ck_assert(!summary_bool(a, "converged")); /* T > 0: always max_sweeps */
        ck_assert_int_eq(summary_int(a, "sweeps"), 10);
        ck_assert_double_eq(run_ctx_get_progress(a), 1.0);
        run_ctx_free(a);
        run_ctx_free(b);
        run_ctx_free(c);
    }
}
END_TEST

/* ---- 5. validation and normalisation ------------------------------------------------- */

typedef struct bad_case {
    const char *params;
    const char *pointer;
    int rc;
} bad_case;

/* Reference: models.md conventions — one problem per offending value at its exact JSON
 * pointer; work over the limits is BASIN_ELIMIT with a problem. */
START_TEST(test_validation_pointers)
{
    static const bad_case cases[] = {
        {"{\"bogus\": 1}", "/params/bogus", BASIN_EINVAL},
        {"{\"n\": \"big\"}", "/params/n", BASIN_EINVAL},
        {"{\"n\": 0}", "/params/n", BASIN_EINVAL},
        {"{\"n\": 2000000}", "/params/n", BASIN_EINVAL},
        {"{\"n\": 10.5}", "/params/n", BASIN_EINVAL},
        {"{\"temperature\": -1}", "/params/temperature", BASIN_EINVAL},
        {"{\"temperature\": true}", "/params/temperature", BASIN_EINVAL},
        {"{\"field\": \"up\"}", "/params/field", BASIN_EINVAL},
        {"{\"rule\": \"oja\"}", "/params/rule", BASIN_EINVAL},
        {"{\"dynamics\": 1}", "/params/dynamics", BASIN_EINVAL},
        {"{\"max_sweeps\": 0}", "/params/max_sweeps", BASIN_EINVAL},
        {"{\"record_every\": -2}", "/params/record_every", BASIN_EINVAL},
        {"{\"seed\": -1}", "/params/seed", BASIN_EINVAL},
        {"{\"patterns\": 0}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": 2.5}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": \"many\"}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": []}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": {\"count\": 0}}", "/params/patterns/count", BASIN_EINVAL},
        {"{\"patterns\": {\"count\": 3, \"bias\": 1.5}}", "/params/patterns/bias", BASIN_EINVAL},
        {"{\"patterns\": {\"count\": 3, \"skew\": 0}}", "/params/patterns/skew", BASIN_EINVAL},
        {"{\"n\": 4, \"patterns\": [[1, -1, 1, 1], [1, 1, 1]]}", "/params/patterns/1",
         BASIN_EINVAL},
        {"{\"n\": 4, \"patterns\": [[1, -1, 1, 1], 7]}", "/params/patterns/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, -1, 1, 1], [1, 1, 0, 1], [1, 1, 1, 1]]}", "/params/patterns/1/2",
         BASIN_EINVAL},
        {"{\"n\": 8, \"patterns\": [[1, -1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, \"x\"]]}",
         "/params/patterns/1/7", BASIN_EINVAL},
        {"{\"patterns\": 3, \"cue\": {\"pattern\": 3}}", "/params/cue/pattern", BASIN_EINVAL},
        {"{\"cue\": {\"pattern\": -1}}", "/params/cue/pattern", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 1.5}}", "/params/cue/flip", BASIN_EINVAL},
        {"{\"cue\": {\"mask\": -0.5}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 0.1, \"mask\": 0.2}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"cue\": {\"pattern\": 0, \"noise\": 0.2}}", "/params/cue/noise", BASIN_EINVAL},
        {"{\"cue\": 3}", "/params/cue", BASIN_EINVAL},
        {"{\"n\": 4, \"cue\": {\"state\": [1, 1, -1]}}", "/params/cue/state", BASIN_EINVAL},
        {"{\"n\": 4, \"cue\": {\"state\": [1, 1, -1, 2]}}", "/params/cue/state/3", BASIN_EINVAL},
        {"{\"n\": 4, \"cue\": {\"state\": [1, 1, -1, 1], \"flip\": 0.2}}", "/params/cue/flip",
         BASIN_EINVAL},
        {"{\"n\": 5000, \"rule\": \"storkey\"}", "/params/n", BASIN_EINVAL},
        {"{\"n\": 5000, \"patterns\": 3000, \"rule\": \"pseudo_inverse\"}", "/params/patterns",
         BASIN_EINVAL},
        /* 4·N·P·max_sweeps ≈ 2e14 operations > max_work = 2e12 */
        {"{\"n\": 50000, \"patterns\": 1000, \"max_sweeps\": 1000000, \"record_every\": 100}",
         "/params/max_sweeps", BASIN_ELIMIT},
        /* N·P = 1e8 pattern entries > max_array_elements = 2^26 */
        {"{\"n\": 1000000, \"patterns\": 100}", "/params/patterns", BASIN_ELIMIT},
        /* 3 series × (1e6 + 2) points > max_series_points = 1e6 */
        {"{\"n\": 10, \"patterns\": 1, \"max_sweeps\": 1000000}", "/params/record_every",
         BASIN_ELIMIT},
        /* Storkey: N² + N·P ≈ 4.3e8 array elements > 2^26 */
        {"{\"n\": 4096, \"patterns\": 100000, \"rule\": \"storkey\"}", "/params/n", BASIN_ELIMIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        basin_problems problems;
        json_t *normalized;
        void *config;
        int rc =
            parse_with(cases[k].params, &basin_default_limits, &problems, &normalized, &config);
        ck_assert_msg(rc == cases[k].rc, "%s: rc %d, expected %d", cases[k].params, rc,
                      cases[k].rc);
        ck_assert_msg(has_problem(&problems, cases[k].pointer), "%s: no problem at %s (first: %s)",
                      cases[k].params, cases[k].pointer,
                      problems.count ? problems.items[0].pointer : "none");
        ck_assert_ptr_null(normalized);
        ck_assert_ptr_null(config);
    }
    /* every problem of one request is reported at once */
    basin_problems problems;
    json_t *normalized;
    void *config;
    int rc = parse_with("{\"n\": -3, \"rule\": \"x\", \"cue\": {\"flip\": 2}, \"zz\": 0}",
                        &basin_default_limits, &problems, &normalized, &config);
    ck_assert_int_eq(rc, BASIN_EINVAL);
    ck_assert_uint_eq(problems.count, 4);
    ck_assert(has_problem(&problems, "/params/n"));
    ck_assert(has_problem(&problems, "/params/rule"));
    ck_assert(has_problem(&problems, "/params/cue/flip"));
    ck_assert(has_problem(&problems, "/params/zz"));
    /* learning alone over the work limit: about 8.6e8 units (copy + Gram matrix + solves,
     * see basin_hopfield_learn_cost) > 1e8 */
    basin_limits slow = basin_default_limits;
    slow.max_work = 100000000;
    rc = parse_with("{\"n\": 2000, \"patterns\": 1000, \"rule\": \"pseudo_inverse\"}", &slow,
                    &problems, &normalized, &config);
    ck_assert_int_eq(rc, BASIN_ELIMIT);
    ck_assert(has_problem(&problems, "/params/patterns"));
    /* the storkey bound applies to the storkey rule only, a storkey-sized matrix under a
     * smaller array limit is refused at /params/n */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 1000000;
    rc =
        parse_with("{\"n\": 2000, \"rule\": \"storkey\"}", &small, &problems, &normalized, &config);
    ck_assert_int_eq(rc, BASIN_ELIMIT);
    ck_assert(has_problem(&problems, "/params/n"));
}
END_TEST

/* Reference: the worker re-parses the stored normalised params, so normalising must be
 * idempotent (json_equal) and both configs must give the identical run (memcmp). */
START_TEST(test_normalised_round_trip)
{
    static const char *inputs[] = {
        "{}",
        "{\"seed\": 9}",
        "{\"n\": 50, \"patterns\": 3, \"seed\": 1}",
        "{\"n\": 64.0, \"patterns\": {\"count\": 4, \"bias\": 0.25}, \"rule\": "
        "\"pseudo_inverse\", \"dynamics\": \"sync\", \"temperature\": 0.1, \"field\": 0.02, "
        "\"cue\": {\"pattern\": 2, \"mask\": 0.4}, \"max_sweeps\": 7, \"record_every\": 2, "
        "\"seed\": 3}",
        ("{\"patterns\": [[1, -1, 1, -1, 1, 1], [1.0, 1, -1, -1, 1, -1]], \"rule\": "
         "\"storkey\", \"cue\": {\"state\": [1, 1, 1, -1, -1, -1]}, \"seed\": 5}"),
    };
    static const char *keys[] = {"n",     "patterns", "rule",       "dynamics",     "temperature",
                                 "field", "cue",      "max_sweeps", "record_every", "seed"};
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        basin_problems problems;
        json_t *n1, *n2;
        void *c1, *c2;
        ck_assert_int_eq(parse_with(inputs[k], &basin_default_limits, &problems, &n1, &c1), 0);
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
            ck_assert_msg(json_object_get(n1, keys[j]), "%s: %s not filled", inputs[k], keys[j]);
        ck_assert_uint_eq(json_object_size(n1), sizeof keys / sizeof keys[0]);
        char *text = json_dumps(n1, JSON_COMPACT);
        ck_assert_int_eq(parse_with(text, &basin_default_limits, &problems, &n2, &c2), 0);
        ck_assert_msg(json_equal(n1, n2), "not idempotent: %s", text);
        basin_ctx *a = run_ctx_new(&basin_default_limits), *b = run_ctx_new(&basin_default_limits);
        ck_assert_int_eq(model_hopfield.run(c1, a), 0);
        ck_assert_int_eq(model_hopfield.run(c2, b), 0);
        ck_assert(same_state(a, b));
        ck_assert(same_series(a, b, "energy"));
        ck_assert(json_equal(a->summary, b->summary));
        run_ctx_free(a);
        run_ctx_free(b);
        free(text);
        json_decref(n1);
        json_decref(n2);
        model_hopfield.free_config(c1);
        model_hopfield.free_config(c2);
    }
    /* defaults, and the canonical forms of patterns and cue */
    basin_problems problems;
    json_t *n;
    void *c;
    ck_assert_int_eq(
        parse_with("{\"patterns\": 7, \"seed\": 2}", &basin_default_limits, &problems, &n, &c), 0);
    json_t *expect = load("{\"n\": 100, \"patterns\": {\"count\": 7, \"bias\": 0.0}, "
                          "\"rule\": \"hebb\", \"dynamics\": \"async\", \"temperature\": 0.0, "
                          "\"field\": 0.0, \"cue\": {\"pattern\": 0, \"flip\": 0.1}, "
                          "\"max_sweeps\": 100, \"record_every\": 1, \"seed\": 2}");
    ck_assert(json_equal(n, expect));
    json_decref(expect);
    json_decref(n);
    model_hopfield.free_config(c);
    /* explicit patterns set n, normalised to integers */
    ck_assert_int_eq(parse_with("{\"patterns\": [[1.0, -1, 1]], \"seed\": 2}",
                                &basin_default_limits, &problems, &n, &c),
                     0);
    ck_assert_int_eq(json_integer_value(json_object_get(n, "n")), 3);
    expect = load("[[1, -1, 1]]");
    ck_assert(json_equal(json_object_get(n, "patterns"), expect));
    json_decref(expect);
    json_decref(n);
    model_hopfield.free_config(c);

    /* the schema describes every parameter with its default */
    json_t *schema = json_object();
    memset(&problems, 0, sizeof problems);
    ck_assert_int_eq(
        model_hopfield.parse(NULL, "/params", &basin_default_limits, &problems, schema, &n, &c), 0);
    json_t *props = json_object_get(schema, "properties");
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
        ck_assert_msg(json_object_get(props, keys[j]), "schema lacks %s", keys[j]);
    ck_assert(json_is_false(json_object_get(schema, "additionalProperties")));
    ck_assert(json_object_get(json_object_get(props, "cue"), "default"));
    ck_assert(json_object_get(json_object_get(props, "patterns"), "oneOf"));
    json_decref(schema);
    json_decref(n);
    model_hopfield.free_config(c);
}
END_TEST

/* ---- 6. cancellation ----------------------------------------------------------------- */

/* Reference: model.h — run() returns BASIN_ECANCELLED when basin_ctx_should_stop() says
 * so, "well under a second" after the request (models.md). Checked: a stop requested
 * before the run; one requested at the first progress report (after sweep 1), which must
 * end the run before sweep 2 is recorded; and stops from another thread 50 ms into a long
 * T > 0 run (100 sweeps of N = 20000, P = 200 ≈ 2 s) and into the Gram/projector learning
 * of a pseudo-inverse network (N = 3000, P = 1500 ≈ 3e10 operations). Bound 0.5 s on the
 * latency: the checks come every ~1e7 sweep or ~2e8 learning operations (milliseconds),
 * the rest is headroom for a loaded 2-core machine. */
START_TEST(test_cancellation)
{
    basin_problems problems;
    json_t *normalized;
    void *config;
    ck_assert_int_eq(parse_with("{\"n\": 100, \"temperature\": 0.5, \"seed\": 1}",
                                &basin_default_limits, &problems, &normalized, &config),
                     0);
    run_ctx_free(mc_run_stopped_before("hopfield", config));

    basin_ctx *ctx = mc_run_stopped_at_progress("hopfield", config);
    ck_assert_uint_eq(series(ctx, "overlap")->n, 2); /* sweeps 0 and 1 */
    ck_assert_double_lt(run_ctx_get_progress(ctx), 0.05);
    run_ctx_free(ctx);
    model_hopfield.free_config(config);
    json_decref(normalized);

    mc_check_stop("hopfield",
                  "{\"n\": 20000, \"patterns\": 200, \"temperature\": 0.5, "
                  "\"max_sweeps\": 100, \"seed\": 1}",
                  0.05, 0.5);
    mc_check_stop("hopfield",
                  "{\"n\": 3000, \"patterns\": 1500, \"rule\": \"pseudo_inverse\", "
                  "\"seed\": 1}",
                  0.05, 0.5);
}
END_TEST

/* ---- 7. synchronous dynamics --------------------------------------------------------- */

/* Reference: Goles-Chacc, Fogelman-Soulié & Pellegrin (1985): parallel T = 0 dynamics
 * with symmetric J ends in a fixed point or a 2-cycle. (a) N = 2, ξ = (1, −1): J_12 = −½
 * and from (1, 1) the network alternates (1, 1) ↔ (−1, −1): a 2-cycle found at sweep 2,
 * not converged, 2 flips per sweep. (b) Hebb at α = 0.05 from a 10% cue: a fixed point
 * with overlap ≥ 0.99 (AGS as above). (c) at α = 0.3 from random states, each run ends in
 * one of the two before max_sweeps, and a reported 2-cycle is checked by two more sweeps
 * of the core. */
START_TEST(test_sync_fixed_point_or_cycle)
{
    basin_ctx *ctx = run_ok("{\"patterns\": [[1, -1]], \"dynamics\": \"sync\", "
                            "\"cue\": {\"state\": [1, 1]}}");
    ck_assert(summary_bool(ctx, "cycle2"));
    ck_assert(!summary_bool(ctx, "converged"));
    ck_assert_int_eq(summary_int(ctx, "sweeps"), 2);
    const run_series *fl = series(ctx, "flips");
    ck_assert_uint_eq(fl->n, 2);
    ck_assert_double_eq(fl->value[0], 2.0);
    ck_assert_double_eq(fl->value[1], 2.0);
    run_ctx_free(ctx);

    ctx = run_ok("{\"n\": 1000, \"patterns\": 50, \"dynamics\": \"sync\", \"seed\": 8}");
    ck_assert(summary_bool(ctx, "converged"));
    ck_assert(!summary_bool(ctx, "cycle2"));
    ck_assert_double_ge(summary_real(ctx, "final_overlap"), 0.99);
    run_ctx_free(ctx);

    const long N = 400, P = 120;
    int8_t *xi = random_patterns(31, P, N);
    basin_hopfield *w = core_new(N, P, BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_SYNC, 0.0, 0.0, xi);
    basin_rng rng;
    basin_rng_seed(&rng, 9);
    int8_t *s0 = malloc((size_t)N), *s1 = malloc((size_t)N);
    int cycles = 0, fixed = 0;
    for (int trial = 0; trial < 10; trial++) {
        for (long i = 0; i < N; i++)
            s0[i] = (basin_rng_next(&rng) >> 63) ? 1 : -1;
        basin_hopfield_set_state(w, s0);
        int t = 0;
        while (t < 1000 && basin_hopfield_sweep(w, &rng) > 0 && !w->cycle2)
            t++;
        ck_assert_int_lt(t, 1000);
        if (w->cycle2) {
            cycles++;
            memcpy(s0, w->s, (size_t)N);
            ck_assert_int_gt(basin_hopfield_sweep(w, &rng), 0);
            memcpy(s1, w->s, (size_t)N);
            ck_assert(memcmp(s0, s1, (size_t)N) != 0);
            basin_hopfield_sweep(w, &rng);
            ck_assert(memcmp(s0, w->s, (size_t)N) == 0);
        } else {
            fixed++;
        }
    }
    /* both outcomes occur at this load (measured: 5 2-cycles, 5 fixed points) */
    ck_assert_int_gt(cycles, 0);
    ck_assert_int_gt(fixed, 0);
    free(s0);
    free(s1);
    free(xi);
    basin_hopfield_free(w);
}
END_TEST

/* ---- 8. finite temperature ----------------------------------------------------------- */

/* Reference: at low load (P = 1) the Hebb network is the Curie–Weiss model, whose overlap
 * in equilibrium solves m = tanh(m/T) (Agliari; models.md §A). N = 2000, heat bath, mean
 * of the overlap over sweeps 100..1000. Tolerance 0.01: the per-sweep fluctuation is
 * σ_m ≈ √((1−m²)/(N(1−(1−m²)/T))) ≈ 0.007 (T = 0.5) to 0.025 (T = 0.8), averaged over
 * ~900 sweeps with a correlation time of a few sweeps → ≲ 0.002; the finite-N and
 * zero-diagonal corrections are O(1/N) = 5e-4. */
START_TEST(test_mean_field_overlap)
{
    const double temps[] = {0.5, 0.8};
    for (size_t k = 0; k < 2; k++) {
        double T = temps[k], m = 1.0;
        for (int it = 0; it < 10000; it++)
            m = tanh(m / T);
        char text[200];
        snprintf(text, sizeof text,
                 "{\"n\": 2000, \"patterns\": 1, \"temperature\": %.17g, \"max_sweeps\": 1000, "
                 "\"seed\": 12}",
                 T);
        basin_ctx *ctx = run_ok(text);
        const run_series *ov = series(ctx, "overlap");
        double sum = 0.0;
        long count = 0;
        for (size_t j = 0; j < ov->n; j++)
            if (ov->step[j] >= 100) {
                sum += ov->value[j];
                count++;
            }
        ck_assert_double_eq_tol(sum / (double)count, m, 0.01);
        run_ctx_free(ctx);
    }
}
END_TEST

/* ---- 9. exact finite-N Curie–Weiss law ----------------------------------------------- */

/* Reference: the gauge transform τ_i = ξ_i s_i maps the Hebb network with one pattern onto
 * the Curie–Weiss model: L = −(M² − N)/(2N) with M = Σ_i τ_i = N m (Agliari, eqs. 2.10–2.11).
 * The heat bath leaves exp(−L/T) invariant, so the stationary law of M is exactly
 *     P(M) ∝ C(N, (N+M)/2) exp(M²/(2NT)),
 * summed here over the N + 1 values of M (log-weights, lgamma): the exact finite-N ⟨|m|⟩
 * and ⟨m²⟩, not the N → ∞ solution of m = tanh(m/T). N = 64, T = 0.8 (ordered; mean field
 * says m* = 0.710) and T = 1.3 (disordered; mean field says m = 0), a random pattern (so
 * the gauge is not the identity), 2·10⁵ sweeps after 10³ of burn-in, one sample per
 * sweep. Tolerance: 5 standard errors from 100 batch means (the batches, 2000 sweeps each,
 * are far longer than the correlation time, so they are nearly independent; 5σ has a
 * two-sided probability 6e-7). The test is sharp: the standard error is below 0.004, and
 * the exact ⟨|m|⟩ differs from the mean-field value by more than 0.02 at both temperatures
 * (checked), so the finite-N law, not mean-field theory, is what is confirmed. Measured:
 * T = 0.8: ⟨|m|⟩ = 0.6388 ± 0.0010 (exact 0.6382, mean field 0.7104), ⟨m²⟩ = 0.4449 ±
 * 0.0010 (exact 0.4444); T = 1.3: ⟨|m|⟩ = 0.1944 ± 0.0005 (exact 0.1939, mean field 0),
 * ⟨m²⟩ = 0.0576 ± 0.0003 (exact 0.0574). */
START_TEST(test_curie_weiss_exact_finite_n)
{
    const long N = 64;
    const double temps[] = {0.8, 1.3};
    int8_t *xi = random_patterns(41, 1, N);
    for (size_t k = 0; k < 2; k++) {
        double T = temps[k];
        /* exact moments: log-weights shifted by their maximum */
        double logw[65], wmax = -INFINITY;
        for (long j = 0; j <= N; j++) {
            double M = (double)(2 * j - N);
            logw[j] = lgamma((double)N + 1.0) - lgamma((double)j + 1.0) -
                      lgamma((double)(N - j) + 1.0) + M * M / (2.0 * (double)N * T);
            wmax = logw[j] > wmax ? logw[j] : wmax;
        }
        double Z = 0.0, abs_m = 0.0, m2 = 0.0;
        for (long j = 0; j <= N; j++) {
            double wgt = exp(logw[j] - wmax), m = (double)(2 * j - N) / (double)N;
            Z += wgt;
            abs_m += wgt * fabs(m);
            m2 += wgt * m * m;
        }
        abs_m /= Z;
        m2 /= Z;
        double mf = 0.0; /* mean field: the largest root of m = tanh(m/T) */
        if (T < 1.0) {
            mf = 1.0;
            for (int it = 0; it < 100000; it++)
                mf = tanh(mf / T);
        }
        ck_assert_double_gt(fabs(abs_m - mf), 0.02);

        basin_hopfield *w = core_new(N, 1, BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_ASYNC, T, 0.0, xi);
        basin_hopfield_set_state(w, xi);
        basin_rng rng;
        basin_rng_seed(&rng, 100 + k);
        for (int t = 0; t < 1000; t++)
            basin_hopfield_sweep(w, &rng);
        enum { BATCHES = 100, PER_BATCH = 2000 };
        double bm_abs[BATCHES], bm_m2[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            double sa = 0.0, s2 = 0.0;
            for (int t = 0; t < PER_BATCH; t++) {
                basin_hopfield_sweep(w, &rng);
                double m = basin_hopfield_overlap(w, 0);
                sa += fabs(m);
                s2 += m * m;
            }
            bm_abs[b] = sa / PER_BATCH;
            bm_m2[b] = s2 / PER_BATCH;
        }
        double est[2], se[2];
        const double *bm[2] = {bm_abs, bm_m2};
        for (int q = 0; q < 2; q++) {
            double mean = 0.0, var = 0.0;
            for (int b = 0; b < BATCHES; b++)
                mean += bm[q][b] / BATCHES;
            for (int b = 0; b < BATCHES; b++)
                var += (bm[q][b] - mean) * (bm[q][b] - mean) / (BATCHES - 1);
            est[q] = mean;
            se[q] = sqrt(var / BATCHES);
            ck_assert_double_lt(se[q], 0.004);
        }
        ck_assert_msg(fabs(est[0] - abs_m) < 5.0 * se[0],
                      "T=%g: <|m|> %.5f vs exact %.5f (se %.5f, mean field %.4f)", T, est[0], abs_m,
                      se[0], mf);
        ck_assert_msg(fabs(est[1] - m2) < 5.0 * se[1], "T=%g: <m^2> %.5f vs exact %.5f (se %.5f)",
                      T, est[1], m2, se[1]);
        basin_hopfield_free(w);
    }
    free(xi);
}
END_TEST

/* ---- 10. the Glauber chain samples exp(−L/T)/Z --------------------------------------- */

/* Reference: exact enumeration. Each heat-bath update leaves the Boltzmann law
 * π(s) = exp(−L(s)/T)/Z invariant (detailed balance for symmetric J with zero diagonal),
 * hence so does every sweep of them in any order, and the chain is irreducible at T > 0:
 * its empirical law converges to π. N = 10 (1024 states), P = 3 random patterns, field
 * 0.1, T = 1, one state recorded after each of n = 4·10⁵ sweeps; π from the couplings
 * (basin_hopfield_couplings) summed over all 1024 states. Bound on the total variation
 * distance TV = ½ Σ_s |p̂(s) − π(s)|: for n independent samples E[TV] ≈ ½ Σ_s
 * √(2π(s)/(πn)) (the mean absolute deviation of a binomial count, 0.012–0.017 here);
 * successive sweeps are correlated, which inflates each variance by 2τ_int; the bound is
 * 2.5× the independent value, allowing 2τ_int up to 6 sweeps (measured: TV within 1.25×
 * the independent value, so τ_int < 1 sweep at this temperature), and the fluctuation of
 * TV around its mean is a small fraction of it (a sum over ~1000 states). Power: the same
 * samples are far (TV > 2× the bound) from the law at T = 1.3, so a wrong temperature or
 * a wrong field would fail. Hebb, pseudo-inverse and Storkey couplings. */
START_TEST(test_glauber_matches_enumeration)
{
    enum { NS = 10, STATES = 1 << NS };
    const long n = 400000;
    const double T = 1.0, h = 0.1;
    int8_t *xi = random_patterns(51, 3, NS);
    basin_hopfield_rule rules[] = {BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_PSEUDO_INVERSE,
                                   BASIN_HOPFIELD_STORKEY};
    double J[NS * NS], pi[STATES], pi_wrong[STATES];
    long *count = calloc(STATES, sizeof *count);
    for (size_t r = 0; r < 3; r++) {
        basin_hopfield *w = core_new(NS, 3, rules[r], BASIN_HOPFIELD_ASYNC, T, h, xi);
        basin_hopfield_couplings(w, J);
        double Z = 0.0, Zw = 0.0, bound = 0.0;
        for (int c = 0; c < STATES; c++) {
            double L = 0.0;
            for (int i = 0; i < NS; i++) {
                double si = (c >> i) & 1 ? 1.0 : -1.0, hi = 0.0;
                for (int j = 0; j < NS; j++)
                    hi += J[i * NS + j] * ((c >> j) & 1 ? 1.0 : -1.0);
                L += -0.5 * si * hi - h * si;
            }
            pi[c] = exp(-L / T);
            pi_wrong[c] = exp(-L / 1.3);
            Z += pi[c];
            Zw += pi_wrong[c];
        }
        for (int c = 0; c < STATES; c++) {
            pi[c] /= Z;
            pi_wrong[c] /= Zw;
            bound += 0.5 * sqrt(2.0 * pi[c] / (M_PI * (double)n));
        }
        bound *= 2.5;

        memset(count, 0, STATES * sizeof *count);
        basin_rng rng;
        basin_rng_seed(&rng, 60 + r);
        int8_t s0[NS];
        for (int i = 0; i < NS; i++)
            s0[i] = 1;
        basin_hopfield_set_state(w, s0);
        for (int t = 0; t < 100; t++)
            basin_hopfield_sweep(w, &rng);
        for (long t = 0; t < n; t++) {
            basin_hopfield_sweep(w, &rng);
            int c = 0;
            for (int i = 0; i < NS; i++)
                c |= (w->s[i] > 0) << i;
            count[c]++;
        }
        double tv = 0.0, tv_wrong = 0.0;
        for (int c = 0; c < STATES; c++) {
            double p = (double)count[c] / (double)n;
            tv += 0.5 * fabs(p - pi[c]);
            tv_wrong += 0.5 * fabs(p - pi_wrong[c]);
        }
        ck_assert_msg(tv < bound, "rule %zu: TV %.5f, bound %.5f", r, tv, bound);
        ck_assert_msg(tv_wrong > 2.0 * bound, "rule %zu: TV to T = 1.3 only %.5f", r, tv_wrong);
        basin_hopfield_free(w);
    }
    free(count);
    free(xi);
}
END_TEST

/* ---- 11. the projector of the pseudo-inverse rule ------------------------------------ */

/* Reference: Personnaz, Guyon & Dreyfus (1985) / Kohonen: before its diagonal is zeroed,
 * J = Ξ(ΞᵀΞ)⁻¹Ξᵀ is the orthogonal projector onto the span of the patterns: J = Jᵀ,
 * J² = J and tr J = rank Ξ (= P for independent patterns). Checked at N = 120 with
 * P = 30 and P = 60 (load 0.25 and 0.5) and with dependent patterns (rank 8 of 10).
 * Tolerances: entries of J, J² and Jᵀ are O(1) sums of O(P) products of well-conditioned
 * factors (cond(G) ≈ (1 + √α)²/(1 − √α)² ≤ 34 here), so rounding is ~1e-15·P·cond ≪ 1e-11;
 * the trace sums N such entries: 1e-9. */
START_TEST(test_pinv_projector_identities)
{
    const long N = 120;
    const long Ps[] = {30, 60, 10};
    double *J = malloc((size_t)(N * N) * sizeof *J), *J2 = malloc((size_t)(N * N) * sizeof *J2);
    for (size_t k = 0; k < 3; k++) {
        long P = Ps[k];
        int8_t *xi = random_patterns(70 + k, P, N);
        long rank = P;
        if (P == 10) { /* pattern 9 repeats 3, pattern 8 is −2: rank 8 */
            for (long i = 0; i < N; i++) {
                xi[9 * N + i] = xi[3 * N + i];
                xi[8 * N + i] = (int8_t)-xi[2 * N + i];
            }
            rank = 8;
        }
        basin_hopfield *w =
            core_new(N, P, BASIN_HOPFIELD_PSEUDO_INVERSE, BASIN_HOPFIELD_ASYNC, 0.0, 0.0, xi);
        ck_assert_int_eq(w->rank, rank);
        basin_hopfield_couplings_full(w, J);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)N, (blasint)N, (blasint)N,
                    1.0, J, (blasint)N, J, (blasint)N, 0.0, J2, (blasint)N);
        double trace = 0.0, asym = 0.0, idem = 0.0;
        for (long i = 0; i < N; i++) {
            trace += J[i * N + i];
            for (long j = 0; j < N; j++) {
                asym = fmax(asym, fabs(J[i * N + j] - J[j * N + i]));
                idem = fmax(idem, fabs(J2[i * N + j] - J[i * N + j]));
            }
        }
        ck_assert_msg(asym < 1e-11, "P=%ld: |J - J^T| = %g", P, asym);
        ck_assert_msg(idem < 1e-11, "P=%ld: |J^2 - J| = %g", P, idem);
        ck_assert_double_eq_tol(trace, (double)rank, 1e-9);
        /* zeroing the diagonal gives the couplings the dynamics uses */
        basin_hopfield_couplings(w, J2);
        for (long i = 0; i < N; i++)
            for (long j = 0; j < N; j++)
                ck_assert_double_eq(J2[i * N + j], i == j ? 0.0 : J[i * N + j]);
        basin_hopfield_free(w);
        free(xi);
    }
    /* Hebb's J before zeroing has diagonal P/N exactly */
    int8_t *xi = random_patterns(79, 7, N);
    basin_hopfield *w = core_new(N, 7, BASIN_HOPFIELD_HEBB, BASIN_HOPFIELD_ASYNC, 0.0, 0.0, xi);
    basin_hopfield_couplings_full(w, J);
    for (long i = 0; i < N; i++)
        ck_assert_double_eq(J[i * N + i], 7.0 / (double)N);
    basin_hopfield_free(w);
    free(xi);
    free(J);
    free(J2);
}
END_TEST

/* ---- 12. the SIMD sweeps against spin-by-spin references ----------------------------- */

/* A Hebb network written out spin by spin: exact overlaps b = Ξᵀ s in int64, the field
 * h_i = (Σ_μ ξ_i^μ b_μ − P s_i)/N + h_ext, the decision rule of hopfield.h with libm's
 * exp, the uniforms drawn in the documented order. */
typedef struct ref_net {
    long N, P;
    const int8_t *xi; /* P×N */
    int8_t *s;
    int64_t *b;
    double T, field;
} ref_net;

static double ref_field(const ref_net *r, long i)
{
    int64_t dot = 0;
    for (long mu = 0; mu < r->P; mu++)
        dot += r->xi[mu * r->N + i] * r->b[mu];
    return (double)(dot - r->P * r->s[i]) / (double)r->N + r->field;
}

static int8_t ref_decide(const ref_net *r, basin_rng *rng, double h, int8_t s_old)
{
    if (r->T == 0.0)
        return h > 0.0 ? 1 : h < 0.0 ? -1 : s_old;
    double x = 2.0 * h / r->T, u = basin_rng_uniform(rng);
    if (x > 40.0)
        return 1;
    if (x < -40.0)
        return -1;
    return u < 1.0 / (1.0 + exp(-x)) ? 1 : -1;
}

static void ref_flip(ref_net *r, long i, int8_t s_new)
{
    r->s[i] = s_new;
    for (long mu = 0; mu < r->P; mu++)
        r->b[mu] += 2 * s_new * r->xi[mu * r->N + i];
}

/* sync: every field from the old state, one uniform per spin in index order */
static void ref_sync_sweep(ref_net *r, basin_rng *rng, double *h, int8_t *s_new)
{
    for (long i = 0; i < r->N; i++)
        h[i] = ref_field(r, i);
    for (long i = 0; i < r->N; i++)
        s_new[i] = ref_decide(r, rng, h[i], r->s[i]);
    for (long i = 0; i < r->N; i++)
        if (s_new[i] != r->s[i])
            ref_flip(r, i, s_new[i]);
}

/* async: a Fisher–Yates permutation, then one update (and uniform) per spin in its order */
static void ref_async_sweep(ref_net *r, basin_rng *rng, uint32_t *perm)
{
    for (long i = 0; i < r->N; i++)
        perm[i] = (uint32_t)i;
    for (long i = r->N - 1; i > 0; i--) {
        long j = (long)basin_rng_below(rng, (uint64_t)i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (long k = 0; k < r->N; k++) {
        long i = perm[k];
        int8_t s_new = ref_decide(r, rng, ref_field(r, i), r->s[i]);
        if (s_new != r->s[i])
            ref_flip(r, i, s_new);
    }
}

/* Reference: ref_net above, an independent spin-by-spin implementation of the Hebb rule
 * and of the decision rule in hopfield.h, fed from the same random stream. The states
 * must agree exactly after every sweep, with no tolerance: the core's SIMD fields are
 * exact integers and its vectorised heat bath settles only the decisions that no rounding
 * can change (the rest go through the same libm expression), so any difference is a bug.
 * Cases: N = 1003 (not a multiple of any SIMD block) with P = 37, and N = 33001 > 32767
 * (the int32 overlaps) with P = 5; T = 0 and temperatures from sharp (|2h/T| ≫ 40)
 * through the cut at |2h/T| ≈ 40 (T = 0.05 puts the typical field there) to hot (T = 5);
 * h_ext = 0.05; sync and async; the workspace built by alloc and by adopt. */
START_TEST(test_sweeps_match_reference)
{
    const struct {
        long N, P, sweeps;
    } sizes[] = {{1003, 37, 6}, {33001, 5, 2}};
    const double temps[] = {0.0, 0.02, 0.05, 0.5, 5.0};
    for (size_t z = 0; z < 2; z++) {
        long N = sizes[z].N, P = sizes[z].P;
        int8_t *xi = random_patterns(70 + z, P, N);
        int8_t *s0 = malloc((size_t)N), *s_new = malloc((size_t)N);
        double *h = malloc((size_t)N * sizeof *h);
        uint32_t *perm = malloc((size_t)N * sizeof *perm);
        ref_net r = {.N = N, .P = P, .xi = xi, .field = 0.05};
        r.s = malloc((size_t)N);
        r.b = malloc((size_t)P * sizeof *r.b);
        basin_rng cue;
        basin_rng_seed(&cue, 80 + z);
        for (long i = 0; i < N; i++)
            s0[i] = (int8_t)(basin_rng_uniform(&cue) < 0.2 ? -xi[i] : xi[i]);
        for (size_t k = 0; k < sizeof temps / sizeof temps[0]; k++) {
            for (int d = 0; d < 2; d++) {
                basin_hopfield_dynamics dyn = d ? BASIN_HOPFIELD_ASYNC : BASIN_HOPFIELD_SYNC;
                basin_hopfield_config cfg = {.n = N,
                                             .p = P,
                                             .rule = BASIN_HOPFIELD_HEBB,
                                             .dynamics = dyn,
                                             .temperature = temps[k],
                                             .field = r.field};
                basin_hopfield *w = NULL;
                if (d) {
                    int8_t *own = malloc((size_t)(N * P));
                    memcpy(own, xi, (size_t)(N * P));
                    ck_assert_int_eq(basin_hopfield_adopt(&cfg, own, &w), 0);
                } else {
                    ck_assert_int_eq(basin_hopfield_alloc(&cfg, xi, &w), 0);
                }
                ck_assert_int_eq(basin_hopfield_learn(w), 0);
                basin_hopfield_set_state(w, s0);
                r.T = temps[k];
                memcpy(r.s, s0, (size_t)N);
                for (long mu = 0; mu < P; mu++) {
                    r.b[mu] = 0;
                    for (long i = 0; i < N; i++)
                        r.b[mu] += xi[mu * N + i] * s0[i];
                }
                basin_rng rng_core, rng_ref;
                basin_rng_seed(&rng_core, 90 + k);
                basin_rng_seed(&rng_ref, 90 + k);
                for (long t = 0; t < sizes[z].sweeps; t++) {
                    basin_hopfield_sweep(w, &rng_core);
                    if (d)
                        ref_async_sweep(&r, &rng_ref, perm);
                    else
                        ref_sync_sweep(&r, &rng_ref, h, s_new);
                    ck_assert_msg(memcmp(w->s, r.s, (size_t)N) == 0,
                                  "N %ld T %g %s: states differ after sweep %ld", N, temps[k],
                                  d ? "async" : "sync", t + 1);
                    for (long mu = 0; mu < P; mu++)
                        ck_assert_double_eq(basin_hopfield_overlap(w, mu),
                                            (double)r.b[mu] / (double)N);
                }
                ck_assert_uint_eq(basin_rng_next(&rng_core), basin_rng_next(&rng_ref));
                basin_hopfield_free(w);
            }
        }
        free(r.s);
        free(r.b);
        free(xi);
        free(s0);
        free(s_new);
        free(h);
        free(perm);
    }
}
END_TEST

static Suite *hopfield_suite(void)
{
    Suite *s = suite_create("hopfield");
    struct {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"energy", test_energy_never_increases},
        {"energy", test_energy_matches_direct},
        {"retrieval", test_hebb_retrieval_below_capacity},
        {"retrieval", test_hebb_collapse_above_capacity},
        {"pseudo_inverse", test_pinv_patterns_are_fixed_points},
        {"reproducibility", test_same_seed_same_result},
        {"validation", test_validation_pointers},
        {"validation", test_normalised_round_trip},
        {"cancellation", test_cancellation},
        {"sync", test_sync_fixed_point_or_cycle},
        {"temperature", test_mean_field_overlap},
        {"temperature", test_curie_weiss_exact_finite_n},
        {"temperature", test_glauber_matches_enumeration},
        {"pseudo_inverse", test_pinv_projector_identities},
        {"simd", test_sweeps_match_reference},
    };
    for (size_t k = 0; k < sizeof tests / sizeof tests[0]; k++) {
        TCase *tc = tcase_create(tests[k].name);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, tests[k].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hopfield_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
