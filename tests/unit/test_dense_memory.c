/*
 * test_dense_memory.c — the `dense_memory` model and its numerical core.
 *
 * Each numerical test names its reference (a theorem, a closed form or a plain-loop
 * implementation in this file) and says why its tolerance is what it is. The model is
 * driven as the worker drives it: parse() with the default limits, then run() against an
 * in-memory run context.
 */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/dense_memory.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "basin/vexp.h"
#include "model_check.h"
#include "models/run_ctx.h"

extern const basin_model model_dense_memory;
extern const basin_model model_hopfield;

/* ---- helpers ------------------------------------------------------------------------- */

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, err.text);
    return v;
}

static int parse_model(const basin_model *model, const char *text, const basin_limits *limits,
                       basin_problems *problems, json_t **normalized, void **config)
{
    json_t *params = load(text);
    memset(problems, 0, sizeof *problems);
    *normalized = NULL;
    *config = NULL;
    int rc = model->parse(params, "/params", limits, problems, NULL, normalized, config);
    json_decref(params);
    return rc;
}

static int parse_with(const char *text, const basin_limits *limits, basin_problems *problems,
                      json_t **normalized, void **config)
{
    return parse_model(&model_dense_memory, text, limits, problems, normalized, config);
}

static basin_ctx *run_model(const basin_model *model, const char *text)
{
    basin_problems problems;
    json_t *normalized;
    void *config;
    int prc = parse_model(model, text, &basin_default_limits, &problems, &normalized, &config);
    ck_assert_msg(prc == 0, "parse of %s failed (%d): %s: %s", text, prc,
                  problems.count ? problems.items[0].pointer : "",
                  problems.count ? problems.items[0].message : "");
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    int rc = model->run(config, ctx);
    ck_assert_msg(rc == 0, "run of %s returned %d", text, rc);
    model->free_config(config);
    json_decref(normalized);
    return ctx;
}

static basin_ctx *run_ok(const char *text)
{
    return run_model(&model_dense_memory, text);
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

/* rows × n standard normals (scaled), row-major. */
static double *gaussian_matrix(uint64_t seed, long rows, long n, double scale)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    double *a = malloc((size_t)(rows * n) * sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (long k = 0; k < rows * n; k++)
        a[k] = scale * basin_rng_normal(&rng);
    return a;
}

/* rows × n random ±1, row-major. */
static int8_t *random_spins(uint64_t seed, long rows, long n)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    int8_t *s = malloc((size_t)(rows * n));
    ck_assert_ptr_nonnull(s);
    for (long k = 0; k < rows * n; k++)
        s[k] = (basin_rng_next(&rng) >> 63) ? 1 : -1;
    return s;
}

/* Plain-loop reference of the continuous model, in long double: for one query xi, the
 * energy E(xi) and the update xi_new = Σ p_μ x_μ, p = softmax(β X xi). */
static double ref_energy_update(const double *X, long P, long n, double beta, const double *xi,
                                double *xi_new)
{
    long double smax = -INFINITY, M2 = 0.0L, xx = 0.0L;
    long double *s = malloc((size_t)P * sizeof *s);
    for (long mu = 0; mu < P; mu++) {
        long double d = 0.0L, r = 0.0L;
        for (long i = 0; i < n; i++) {
            d += (long double)X[mu * n + i] * xi[i];
            r += (long double)X[mu * n + i] * X[mu * n + i];
        }
        s[mu] = d;
        smax = d > smax ? d : smax;
        M2 = r > M2 ? r : M2;
    }
    for (long i = 0; i < n; i++)
        xx += (long double)xi[i] * xi[i];
    long double Z = 0.0L, Zm1 = 0.0L, mean = 0.0L;
    for (long mu = 0; mu < P; mu++) {
        Z += expl((long double)beta * (s[mu] - smax));
        Zm1 += expm1l((long double)beta * (s[mu] - smax));
        mean += s[mu] / P;
    }
    for (long i = 0; i < n; i++) {
        long double acc = 0.0L;
        for (long mu = 0; mu < P; mu++) {
            long double p = beta > 0 ? expl((long double)beta * (s[mu] - smax)) / Z : 1.0L / P;
            acc += p * X[mu * n + i];
        }
        xi_new[i] = (double)acc;
    }
    /* log(Z/P) as log1p of the mean of expm1: exact enough as β → 0 */
    long double E = beta > 0 ? -smax - log1pl(Zm1 / P) / beta : -mean;
    E += 0.5L * xx + 0.5L * M2;
    free(s);
    return (double)E;
}

/* ---- 1. continuous: the update and its energy ---------------------------------------- */

/* Reference: the plain-loop long-double implementation above of ξ ← X softmax(β Xᵀξ) and
 * E = −β⁻¹ log Σ exp(β x·ξ) + ½ξ·ξ + β⁻¹ log P + ½M² (Ramsauer et al. 2020, eq. (2)–(3)).
 * n = 24, P = 40 Gaussian patterns of norm ≈ 1.5, 5 queries, β from 0 to 50, two steps
 * each. Tolerances: states 1e-13 and energies 1e-12 (absolute; all quantities are O(1) to
 * O(10), the double computation rounds each dot product and exp to ~1e-16 relative and
 * the softmax weights to a few ulps, amplified by β·|x|·|Δξ| ≤ 50·3·1e-16). Also: the
 * model's energy series is the mean over the queries of the same energy. */
START_TEST(test_continuous_matches_reference)
{
    const long n = 24, P = 40, B = 5;
    const double betas[] = {0.0, 1e-9, 0.3, 2.0, 50.0};
    double *X = gaussian_matrix(1, P, n, 0.3);
    double *Q0 = gaussian_matrix(2, B, n, 0.3);
    double xi_ref[24];
    for (size_t k = 0; k < sizeof betas / sizeof betas[0]; k++) {
        basin_dense_config cfg = {.n = n, .p = P, .q = B, .beta = betas[k]};
        basin_dense *w;
        ck_assert_int_eq(basin_dense_alloc(&cfg, X, &w), 0);
        basin_dense_set_queries(w, Q0);
        double *Qcur = malloc((size_t)(B * n) * sizeof *Qcur);
        memcpy(Qcur, Q0, (size_t)(B * n) * sizeof *Qcur);
        for (int step = 0; step < 2; step++) {
            basin_dense_eval(w);
            ck_assert(w->evaluated);
            for (long q = 0; q < B; q++) {
                double E = ref_energy_update(X, P, n, betas[k], Qcur + q * n, xi_ref);
                ck_assert_msg(fabs(w->energy[q] - E) < 1e-12, "beta %g: E %.17g vs %.17g", betas[k],
                              w->energy[q], E);
                memcpy(Qcur + q * n, xi_ref, (size_t)n * sizeof *xi_ref);
            }
            basin_dense_update(w);
            for (long k2 = 0; k2 < B * n; k2++)
                ck_assert_msg(fabs(w->Q[k2] - Qcur[k2]) < 1e-13, "beta %g: %.17g vs %.17g",
                              betas[k], w->Q[k2], Qcur[k2]);
        }
        free(Qcur);
        basin_dense_free(w);
    }
    free(X);
    free(Q0);
}
END_TEST

/* Reference: the β → 0 limit of softmax is uniform, so one update returns the mean of the
 * patterns (Ramsauer et al., the "global averaging" fixed point) from any query, and the
 * energy is −(1/P) Σ_μ x_μ·ξ + ½ξ·ξ + ½M². Through the model with explicit real patterns
 * and two explicit states: after the first step both states equal the mean to 1e-15
 * (the mean of 5 numbers of size ≤ 2 computed by dgemm: a few ulps); a second step leaves
 * it (change 0 to rounding, so the run converges at tol 1e-12). */
START_TEST(test_beta_zero_gives_mean)
{
    basin_ctx *ctx = run_ok(
        "{\"patterns\": [[1, 0.5, -2, 0], [0, 1.5, 1, 1], [-1, 0.25, 0, 2], [0.5, 0.5, 0.5, 0.5], "
        "[2, -1, 1, -0.5]], \"beta\": 0, \"cue\": {\"states\": [[3, 3, 3, 3], [-1, 0, 7, 2]]}, "
        "\"steps\": 5, \"tol\": 1e-12}");
    const double mean[4] = {0.5, 0.35, 0.1, 0.6};
    const run_artifact *st = run_ctx_find_artifact(ctx, "state");
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(st->ndim, 2);
    ck_assert_int_eq(st->shape[0], 2);
    ck_assert_int_eq(st->shape[1], 4);
    const double *s = st->data;
    for (int q = 0; q < 2; q++)
        for (int i = 0; i < 4; i++)
            ck_assert_double_eq_tol(s[q * 4 + i], mean[i], 1e-15);
    ck_assert_int_eq(summary_int(ctx, "steps"), 2);
    ck_assert(json_is_true(json_object_get(ctx->summary, "converged")));
    /* E(mean) = −mean·mean + ½ mean·mean + ½ M², M² = max |x_μ|² = 6 (pattern 2... 5.0625,
     * pattern 0: 5.25, pattern 1: 5.25, pattern 4: 6.25) */
    double mm = 0.25 + 0.1225 + 0.01 + 0.36;
    ck_assert_double_eq_tol(summary_real(ctx, "energy"), -0.5 * mm + 0.5 * 6.25, 1e-14);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: Ramsauer et al. (2020), Theorem 1: the update is a concave–convex procedure
 * on E, so E(ξ_{t+1}) ≤ E(ξ_t). Checked per query in the core for 20 steps, 8 queries
 * from random Gaussian states, Gaussian and ±1 patterns, β ∈ {0.05, 0.5, 5, 50}, and in
 * the model's mean-energy series. Tolerance 1e-12·(1 + |E|): E is O(1–100) here and is
 * computed to ~1e-15 relative; at a fixed point it stalls to rounding. */
START_TEST(test_continuous_energy_non_increasing)
{
    const long n = 32, P = 100, B = 8;
    const double betas[] = {0.05, 0.5, 5.0, 50.0};
    double *Xg = gaussian_matrix(3, P, n, 0.25);
    int8_t *xs = random_spins(4, P, n);
    double *Xs = malloc((size_t)(P * n) * sizeof *Xs);
    for (long k = 0; k < P * n; k++)
        Xs[k] = xs[k];
    double *Q0 = gaussian_matrix(5, B, n, 1.0);
    const double *sets[2] = {Xg, Xs};
    for (int set = 0; set < 2; set++)
        for (size_t k = 0; k < 4; k++) {
            basin_dense_config cfg = {.n = n, .p = P, .q = B, .beta = betas[k]};
            basin_dense *w;
            ck_assert_int_eq(basin_dense_alloc(&cfg, sets[set], &w), 0);
            basin_dense_set_queries(w, Q0);
            double prev[8];
            basin_dense_eval(w);
            memcpy(prev, w->energy, sizeof prev);
            double drop = 0.0;
            for (int t = 0; t < 20; t++) {
                basin_dense_update(w);
                basin_dense_eval(w);
                for (long q = 0; q < B; q++) {
                    ck_assert_msg(w->energy[q] <= prev[q] + 1e-12 * (1.0 + fabs(prev[q])),
                                  "set %d beta %g step %d query %ld: %.17g -> %.17g", set, betas[k],
                                  t, q, prev[q], w->energy[q]);
                    drop += prev[q] - w->energy[q];
                    prev[q] = w->energy[q];
                }
            }
            ck_assert_double_gt(drop, 0.0);
            basin_dense_free(w);
        }
    basin_ctx *ctx = run_ok("{\"n\": 100, \"patterns\": 300, \"beta\": 0.08, \"queries\": 16, "
                            "\"cue\": {\"pattern\": 0, \"mask\": 0.6}, \"steps\": 30, \"tol\": 0, "
                            "\"seed\": 3}");
    const run_series *E = series(ctx, "energy");
    ck_assert_uint_eq(E->n, 31);
    for (size_t k = 1; k < E->n; k++)
        ck_assert(E->value[k] <= E->value[k - 1] + 1e-12 * (1.0 + fabs(E->value[k - 1])));
    run_ctx_free(ctx);
    free(Xg);
    free(xs);
    free(Xs);
    free(Q0);
}
END_TEST

/* ---- 2. binary: exact energy descent and capacity ------------------------------------ */

/* Reference: each asynchronous update sets s_i to the minimiser of E over s_i (Krotov &
 * Hopfield 2016, eq. (3)), so E never increases, for any F. Checked after every single
 * update of the core (E recomputed from the exact overlaps; the drive's sign decides only
 * when it exceeds its rounding bound, so no rounding can raise E), for F = x², x³, x⁴ and
 * exp(βx) with β = 0.5, 2, at n = 40, P = 30, from random states. Exact comparison: E is a
 * sum of integers (polynomial) or a log-sum-exp recomputed from integers, with tolerance
 * 1e-12·|E| for the latter's rounding. Also: the drive of the polynomial equals the
 * brute-force difference F-sums (E with s_i = −1 minus E with s_i = +1, scaled by n^−d)
 * to 1e-12. */
START_TEST(test_binary_energy_never_increases)
{
    const long n = 40, P = 30, B = 3;
    int8_t *xi = random_spins(6, P, n);
    int8_t *s0 = random_spins(7, B, n);
    struct {
        basin_dense_f f;
        int degree;
        double beta;
    } cases[] = {{BASIN_DENSE_POLYNOMIAL, 2, 0},
                 {BASIN_DENSE_POLYNOMIAL, 3, 0},
                 {BASIN_DENSE_POLYNOMIAL, 4, 0},
                 {BASIN_DENSE_EXPONENTIAL, 0, 0.5},
                 {BASIN_DENSE_EXPONENTIAL, 0, 2.0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        basin_dense_bin_config cfg = {.n = n,
                                      .p = P,
                                      .q = B,
                                      .f = cases[c].f,
                                      .degree = cases[c].degree,
                                      .beta = cases[c].beta};
        basin_dense_bin *w;
        ck_assert_int_eq(basin_dense_bin_alloc(&cfg, xi, &w), 0);
        basin_dense_bin_set_states(w, s0);
        if (cases[c].f == BASIN_DENSE_POLYNOMIAL) {
            for (long i = 0; i < n; i++) {
                double scale, h = basin_dense_bin_drive(w, 0, i, &scale);
                double Fp = 0.0, Fm = 0.0, nd = pow((double)n, cases[c].degree);
                for (long mu = 0; mu < P; mu++) {
                    long a = 0;
                    for (long j = 0; j < n; j++)
                        if (j != i)
                            a += xi[mu * n + j] * w->s[j];
                    Fp += pow((double)(a + xi[mu * n + i]), cases[c].degree) / nd;
                    Fm += pow((double)(a - xi[mu * n + i]), cases[c].degree) / nd;
                }
                ck_assert_double_eq_tol(h, Fp - Fm, 1e-12);
            }
        }
        basin_rng rng;
        basin_rng_seed(&rng, 8);
        double prev[3];
        for (long q = 0; q < B; q++)
            prev[q] = basin_dense_bin_energy(w, q);
        double first = prev[0];
        long updates = 0;
        for (int sweep = 0; sweep < 30; sweep++) {
            bool done = false;
            while (!done) {
                done = basin_dense_bin_sweep_part(w, &rng, 1.0); /* one update at a time */
                updates++;
                for (long q = 0; q < B; q++) {
                    double E = basin_dense_bin_energy(w, q);
                    ck_assert_msg(E <= prev[q] + 1e-12 * fabs(prev[q]),
                                  "case %zu query %ld: %.17g -> %.17g", c, q, prev[q], E);
                    prev[q] = E;
                }
            }
            if (w->flips == 0)
                break;
        }
        ck_assert_double_lt(prev[0], first);
        for (long q = 0; q < B; q++)
            ck_assert(w->converged[q]);
        ck_assert_int_gt(updates, n);
        basin_dense_bin_free(w);
    }
    free(xi);
    free(s0);
}
END_TEST

/* Reference: Demircigil et al. (2017): with F(x) = exp(x) the binary dense memory stores
 * exponentially many patterns in n and retrieves each from a fraction of corrupted spins;
 * the Hopfield (Hebb) network stores only 0.138 n (Amit, Gutfreund & Sompolinsky).
 * n = 64, P = 640 (load 10, 72× the Hebb capacity 8.8 patterns), 64 queries cued from 64
 * different patterns with 10% (6) spins flipped: every query converges to its pattern
 * exactly (overlap 1; with β = 1 the target's term exceeds the others by e^{~26}).
 * Contrast at the same load: hopfield (Hebb) keeps a mean overlap below 0.6. The
 * continuous variant (β = 1, ±1 patterns, same load and cues) retrieves each pattern to
 * overlap ≥ 0.999 in one or two steps (the separation x_t·ξ − max_μ x_μ·ξ ≈ 52 − 29 makes
 * the softmax weight of the target 1 − O(e^{−20})). Polynomial F(x) = x⁴ (capacity
 * ∝ n³) at n = 100, P = 100 (7× Hebb's): all 32 queries retrieved. */
START_TEST(test_capacity_beyond_hopfield)
{
    basin_ctx *ctx = run_ok("{\"variant\": \"exponential\", \"n\": 64, \"patterns\": 640, "
                            "\"queries\": 64, \"cue\": {\"pattern\": 0, \"flip\": 0.1}, "
                            "\"steps\": 20, \"seed\": 11}");
    ck_assert_double_eq(summary_real(ctx, "final_overlap"), 1.0);
    ck_assert_double_eq(summary_real(ctx, "retrieved_fraction"), 1.0);
    ck_assert(json_is_true(json_object_get(ctx->summary, "converged")));
    ck_assert_double_eq_tol(series(ctx, "overlap")->value[0], 1.0 - 12.0 / 64.0, 1e-15);
    ck_assert_double_eq_tol(summary_real(ctx, "load"), 10.0, 1e-15);
    run_ctx_free(ctx);

    ctx = run_model(&model_hopfield, "{\"n\": 64, \"patterns\": 640, \"cue\": {\"pattern\": 0, "
                                     "\"flip\": 0.1}, \"seed\": 11}");
    ck_assert_double_lt(summary_real(ctx, "final_overlap"), 0.6);
    run_ctx_free(ctx);

    ctx = run_ok("{\"variant\": \"continuous\", \"n\": 64, \"patterns\": 640, \"beta\": 1, "
                 "\"queries\": 64, \"cue\": {\"pattern\": 0, \"flip\": 0.1}, \"seed\": 11}");
    ck_assert_double_ge(summary_real(ctx, "min_overlap"), 0.999);
    ck_assert_double_eq(summary_real(ctx, "retrieved_fraction"), 1.0);
    ck_assert_int_le(summary_int(ctx, "steps"), 3);
    run_ctx_free(ctx);

    ctx = run_ok("{\"variant\": \"polynomial\", \"degree\": 4, \"n\": 100, \"patterns\": 100, "
                 "\"queries\": 32, \"cue\": {\"pattern\": 5, \"flip\": 0.1}, \"seed\": 12}");
    ck_assert_double_eq(summary_real(ctx, "retrieved_fraction"), 1.0);
    ck_assert_double_ge(summary_real(ctx, "min_overlap"), 0.98);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 3. batches, reproducibility ----------------------------------------------------- */

static bool same_artifact(const basin_ctx *a, const basin_ctx *b, const char *name)
{
    const run_artifact *x = run_ctx_find_artifact(a, name), *y = run_ctx_find_artifact(b, name);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    return x->nbytes == y->nbytes && memcmp(x->data, y->data, x->nbytes) == 0;
}

/* Reference: the contract "same params + same seed = bit-identical result" (memcmp), a
 * different seed gives different states; and a batch is B independent queries: query q of
 * a batch cued from pattern (k + q) mod P ends where a single query cued the same way
 * does (continuous to 1e-14, the dgemm blocking differing with B; binary exactly — not
 * compared, as the random flips differ). */
START_TEST(test_reproducible_and_batched)
{
    const char *fmt[] = {
        "{\"n\": 50, \"patterns\": 80, \"beta\": 0.4, \"queries\": 6, \"cue\": {\"pattern\": 1, "
        "\"mask\": 0.5}, \"steps\": 4, \"seed\": %d}",
        "{\"variant\": \"polynomial\", \"n\": 60, \"patterns\": 30, \"queries\": 4, \"cue\": "
        "{\"pattern\": 2, \"mask\": 0.6}, \"seed\": %d}",
        "{\"variant\": \"exponential\", \"beta\": 0.7, \"n\": 60, \"patterns\": 90, \"queries\": "
        "3, \"cue\": {\"pattern\": 2, \"flip\": 0.3}, \"seed\": %d}",
    };
    for (size_t f = 0; f < 3; f++) {
        char t1[300], t2[300];
        snprintf(t1, sizeof t1, fmt[f], 21);
        snprintf(t2, sizeof t2, fmt[f], 22);
        basin_ctx *a = run_ok(t1), *b = run_ok(t1), *c = run_ok(t2);
        ck_assert(same_artifact(a, b, "state"));
        ck_assert(same_artifact(a, b, "overlaps"));
        ck_assert(json_equal(a->summary, b->summary));
        ck_assert(!same_artifact(a, c, "state"));
        run_ctx_free(a);
        run_ctx_free(b);
        run_ctx_free(c);
    }
    /* batch vs singles with explicit states */
    const long n = 20;
    double *S = gaussian_matrix(30, 3, n, 1.0);
    char *batch = malloc(20000), *one = malloc(20000);
    const char *pats = "[[1,-1,1,1,-1,1,-1,-1,1,1,1,-1,1,-1,1,1,-1,-1,1,-1],"
                       "[1,1,1,-1,-1,-1,1,1,-1,1,-1,1,1,1,-1,-1,1,-1,1,1],"
                       "[-1,1,-1,1,1,1,1,-1,-1,-1,1,1,-1,1,1,-1,1,1,1,-1]]";
    int len = snprintf(batch, 20000,
                       "{\"patterns\": %s, \"beta\": 0.3, \"steps\": 3, "
                       "\"cue\": {\"states\": [",
                       pats);
    for (long q = 0; q < 3; q++) {
        len += snprintf(batch + len, 20000 - (size_t)len, "%s[", q ? "," : "");
        for (long i = 0; i < n; i++)
            len +=
                snprintf(batch + len, 20000 - (size_t)len, "%s%.17g", i ? "," : "", S[q * n + i]);
        len += snprintf(batch + len, 20000 - (size_t)len, "]");
    }
    snprintf(batch + len, 20000 - (size_t)len, "]}}");
    basin_ctx *all = run_ok(batch);
    const double *sa = run_ctx_find_artifact(all, "state")->data;
    for (long q = 0; q < 3; q++) {
        int l = snprintf(one, 20000,
                         "{\"patterns\": %s, \"beta\": 0.3, \"steps\": 3, \"cue\": "
                         "{\"state\": [",
                         pats);
        for (long i = 0; i < n; i++)
            l += snprintf(one + l, 20000 - (size_t)l, "%s%.17g", i ? "," : "", S[q * n + i]);
        snprintf(one + l, 20000 - (size_t)l, "]}}");
        basin_ctx *single = run_ok(one);
        const double *s1 = run_ctx_find_artifact(single, "state")->data;
        for (long i = 0; i < n; i++)
            ck_assert_double_eq_tol(s1[i], sa[q * n + i], 1e-14);
        run_ctx_free(single);
    }
    run_ctx_free(all);
    free(batch);
    free(one);
    free(S);
}
END_TEST

/* One continuous run in the core with `threads` worker threads: `steps` steps of
 * evaluation and update in parts of `budget` units; the scores, energies, states and
 * changes of every step are appended to out (its layout is the same for every thread
 * count). */
static void run_threads(long n, long P, long B, double beta, double budget, int threads, int steps,
                        double *out)
{
    basin_dense_config cfg = {.n = n, .p = P, .q = B, .beta = beta, .threads = threads};
    double *X = gaussian_matrix(31, P, n, 0.4), *Q0 = gaussian_matrix(32, B, n, 0.4);
    basin_dense *w;
    ck_assert_int_eq(basin_dense_alloc(&cfg, X, &w), 0);
    basin_dense_set_queries(w, Q0);
    size_t k = 0;
    for (int step = 0; step < steps; step++) {
        while (!basin_dense_eval_part(w, budget))
            ;
        memcpy(out + k, w->S, (size_t)(B * P) * sizeof *out);
        k += (size_t)(B * P);
        memcpy(out + k, w->energy, (size_t)B * sizeof *out);
        k += (size_t)B;
        while (!basin_dense_update_part(w, budget))
            ;
        memcpy(out + k, w->Q, (size_t)(B * n) * sizeof *out);
        k += (size_t)(B * n);
        out[k++] = w->change;
    }
    basin_dense_free(w);
    free(X);
    free(Q0);
}

/* Reference: the contract "same seed, same result, bit for bit" on any machine, whatever
 * its core count: the continuous core run with 2, 3 and 4 threads gives memcmp-identical
 * scores (the overlaps derive from them), energies, states and changes to the run with one
 * thread. OpenBLAS gives different bits for one row of a product computed within
 * different row counts, so this fails if the dgemm blocks follow the thread count (it
 * does, with one block of B/threads rows per thread, on the case n = 50, P = 300, B = 40).
 * Sizes: B = 40 and 5 in one block; B = 300 (blocks of 128, 128, 44 queries; not a
 * multiple of 3 or 4), whole and in parts of a few patterns and a few softmax rows;
 * B = 130 on the flat-score (expm1) path; B = 3 and 2 (fewer queries than threads);
 * β = 0. BLAS runs one thread, as in basin. */
START_TEST(test_threads_same_bits)
{
    static const struct {
        long n, p, q;
        double beta, budget;
    } cases[] = {
        {50, 300, 40, 0.5, INFINITY}, {50, 1000, 5, 0.5, INFINITY}, {64, 400, 300, 0.7, 1e6},
        {24, 300, 300, 0.7, 2e4},     {40, 200, 130, 0.01, 1e5},    {16, 50, 3, 2.0, INFINITY},
        {33, 70, 2, 0.3, 300.0},      {8, 20, 7, 0.0, INFINITY},
    };
    openblas_set_num_threads(1);
    const int steps = 3;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        long n = cases[c].n, P = cases[c].p, B = cases[c].q;
        size_t len = (size_t)steps * (size_t)(B * P + B + B * n + 1);
        double *one = malloc(len * sizeof *one), *many = malloc(len * sizeof *many);
        run_threads(n, P, B, cases[c].beta, cases[c].budget, 1, steps, one);
        for (int threads = 2; threads <= 4; threads++) {
            run_threads(n, P, B, cases[c].beta, cases[c].budget, threads, steps, many);
            ck_assert_msg(memcmp(one, many, len * sizeof *one) == 0,
                          "case %zu: %d threads differ from 1", c, threads);
        }
        free(one);
        free(many);
    }
}
END_TEST

/* ---- 4. validation and normalisation ------------------------------------------------- */

typedef struct bad_case {
    const char *params;
    const char *pointer;
    int rc;
} bad_case;

/* Reference: models.md conventions — one problem per offending value at its exact JSON
 * pointer (422 validation), work over the limits BASIN_ELIMIT (422 resource_limit). */
START_TEST(test_validation_pointers)
{
    static const bad_case cases[] = {
        {"{\"bogus\": 1}", "/params/bogus", BASIN_EINVAL},
        {"{\"n\": 0}", "/params/n", BASIN_EINVAL},
        {"{\"variant\": \"cubic\"}", "/params/variant", BASIN_EINVAL},
        {"{\"beta\": -1}", "/params/beta", BASIN_EINVAL},
        {"{\"variant\": \"exponential\", \"beta\": 0}", "/params/beta", BASIN_EINVAL},
        {"{\"degree\": 0}", "/params/degree", BASIN_EINVAL},
        {"{\"degree\": 31}", "/params/degree", BASIN_EINVAL},
        {"{\"patterns\": 0}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": 2000000}", "/params/patterns", BASIN_EINVAL},
        {"{\"patterns\": {\"count\": 3, \"bias\": 2}}", "/params/patterns/bias", BASIN_EINVAL},
        /* non-±1 patterns for a binary variant; reals are fine for continuous */
        {"{\"variant\": \"polynomial\", \"patterns\": [[1, -1, 1], [1, 0.5, -1]]}",
         "/params/patterns/1/1", BASIN_EINVAL},
        {"{\"variant\": \"exponential\", \"patterns\": [[1, -1, 1], [1, 2, -1]]}",
         "/params/patterns/1/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, -1, 1], [1, \"x\", -1]]}", "/params/patterns/1/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, -1, 1], [1, 2e7, -1]]}", "/params/patterns/1/1", BASIN_EINVAL},
        /* ragged arrays */
        {"{\"patterns\": [[1, -1, 1], [1, -1]]}", "/params/patterns/1", BASIN_EINVAL},
        {"{\"patterns\": [[1, -1, 1], 4]}", "/params/patterns/1", BASIN_EINVAL},
        {"{\"patterns\": []}", "/params/patterns", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 1.5}}", "/params/cue/flip", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": -0.1}}", "/params/cue/flip", BASIN_EINVAL},
        {"{\"cue\": {\"mask\": 2}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"patterns\": 4, \"cue\": {\"pattern\": 4}}", "/params/cue/pattern", BASIN_EINVAL},
        {"{\"cue\": {\"flip\": 0.1, \"mask\": 0.1}}", "/params/cue/mask", BASIN_EINVAL},
        {"{\"n\": 3, \"cue\": {\"state\": [1, 1]}}", "/params/cue/state", BASIN_EINVAL},
        {"{\"n\": 3, \"cue\": {\"states\": [[1, 1, 1], [1, 1]]}}", "/params/cue/states/1",
         BASIN_EINVAL},
        {"{\"n\": 3, \"variant\": \"polynomial\", \"cue\": {\"states\": [[1, 1, 1], [1, 0, 1]]}}",
         "/params/cue/states/1/1", BASIN_EINVAL},
        {"{\"n\": 3, \"cue\": {\"state\": [1, 1, 1]}, \"queries\": 2}", "/params/queries",
         BASIN_EINVAL},
        {"{\"n\": 3, \"cue\": {\"states\": [[1, 1, 1]], \"pattern\": 0}}", "/params/cue/pattern",
         BASIN_EINVAL},
        {"{\"queries\": 0}", "/params/queries", BASIN_EINVAL},
        {"{\"steps\": 0}", "/params/steps", BASIN_EINVAL},
        {"{\"tol\": -1}", "/params/tol", BASIN_EINVAL},
        {"{\"record_every\": 0}", "/params/record_every", BASIN_EINVAL},
        /* n too large for the memory limit: n·P = 1e6·100 > 2^26 elements */
        {"{\"n\": 1000000, \"patterns\": 100}", "/params/patterns", BASIN_ELIMIT},
        /* the B×P scores: 65536 × 2000 > 2^26 */
        {"{\"n\": 8, \"patterns\": 2000, \"queries\": 65536}", "/params/patterns", BASIN_ELIMIT},
        /* work: 100000 steps of 2·(2·256·20000·512)/8 ≈ 1.3e9 each > 2e12 */
        {"{\"n\": 512, \"patterns\": 20000, \"queries\": 256, \"steps\": 100000, "
         "\"record_every\": 1000}",
         "/params/steps", BASIN_ELIMIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        basin_problems problems;
        json_t *normalized;
        void *config;
        int rc =
            parse_with(cases[k].params, &basin_default_limits, &problems, &normalized, &config);
        ck_assert_msg(rc == cases[k].rc, "%s: rc %d, expected %d (first: %s %s)", cases[k].params,
                      rc, cases[k].rc, problems.count ? problems.items[0].pointer : "none",
                      problems.count ? problems.items[0].message : "");
        ck_assert_msg(has_problem(&problems, cases[k].pointer), "%s: no problem at %s (first: %s)",
                      cases[k].params, cases[k].pointer,
                      problems.count ? problems.items[0].pointer : "none");
        ck_assert_ptr_null(normalized);
        ck_assert_ptr_null(config);
    }
}
END_TEST

/* Reference: the worker re-parses the stored normalised params: normalising is idempotent
 * (json_equal) and both configs give the identical run (memcmp of the state). The schema
 * describes every parameter. */
START_TEST(test_normalised_round_trip)
{
    static const char *inputs[] = {
        "{}",
        "{\"seed\": 4}",
        "{\"variant\": \"polynomial\", \"n\": 30.0, \"patterns\": {\"count\": 5, \"bias\": 0.2}, "
        "\"degree\": 5, \"queries\": 3, \"cue\": {\"pattern\": 4, \"mask\": 0.3}, \"seed\": 8}",
        "{\"patterns\": [[1, 0.5], [-1, 2]], \"beta\": 3, \"cue\": {\"states\": [[0, 1], [1, "
        "1.0]]}, \"steps\": 4, \"record_every\": 2, \"tol\": 0, \"seed\": 1}",
        "{\"variant\": \"exponential\", \"patterns\": [[1, -1, 1]], \"cue\": {\"state\": [1, 1, "
        "1.0]}, \"seed\": 2}",
    };
    static const char *keys[] = {"n",       "variant", "patterns", "beta",         "degree", "cue",
                                 "queries", "steps",   "tol",      "record_every", "seed"};
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
        ck_assert_int_eq(model_dense_memory.run(c1, a), 0);
        ck_assert_int_eq(model_dense_memory.run(c2, b), 0);
        ck_assert(same_artifact(a, b, "state"));
        ck_assert(json_equal(a->summary, b->summary));
        run_ctx_free(a);
        run_ctx_free(b);
        free(text);
        json_decref(n1);
        json_decref(n2);
        model_dense_memory.free_config(c1);
        model_dense_memory.free_config(c2);
    }
    basin_problems problems;
    json_t *n;
    void *c;
    ck_assert_int_eq(
        parse_with("{\"patterns\": 7, \"seed\": 2}", &basin_default_limits, &problems, &n, &c), 0);
    json_t *expect = load("{\"n\": 64, \"variant\": \"continuous\", \"patterns\": {\"count\": 7, "
                          "\"bias\": 0.0}, \"beta\": 1.0, \"degree\": 3, \"cue\": {\"pattern\": 0, "
                          "\"flip\": 0.1}, \"queries\": 1, \"steps\": 10, \"tol\": 1e-10, "
                          "\"record_every\": 1, \"seed\": 2}");
    ck_assert(json_equal(n, expect));
    json_decref(expect);
    json_decref(n);
    model_dense_memory.free_config(c);
    /* explicit states set queries */
    ck_assert_int_eq(parse_with("{\"n\": 2, \"cue\": {\"states\": [[1, 1], [1, -1], [0, 0]]}}",
                                &basin_default_limits, &problems, &n, &c),
                     0);
    ck_assert_int_eq(json_integer_value(json_object_get(n, "queries")), 3);
    json_decref(n);
    model_dense_memory.free_config(c);

    json_t *schema = json_object();
    memset(&problems, 0, sizeof problems);
    ck_assert_int_eq(
        model_dense_memory.parse(NULL, "/params", &basin_default_limits, &problems, schema, &n, &c),
        0);
    json_t *props = json_object_get(schema, "properties");
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
        ck_assert_msg(json_object_get(props, keys[j]), "schema lacks %s", keys[j]);
    json_decref(schema);
    json_decref(n);
    model_dense_memory.free_config(c);
}
END_TEST

/* ---- 5. cancellation ----------------------------------------------------------------- */

/* Reference: model.h — run() returns BASIN_ECANCELLED promptly after a stop request.
 * Long runs (a continuous batch of 256 queries over 20000 patterns, ≈ 1 s per step; a
 * binary exponential run of 2000 sweeps) stopped 50 ms in. Bound 0.5 s: checks come every
 * 2e7 work units (a few ms), the rest is headroom for a loaded machine. */
START_TEST(test_cancellation)
{
    mc_check_stop("dense_memory",
                  "{\"n\": 512, \"patterns\": 20000, \"queries\": 256, \"steps\": 50, "
                  "\"tol\": 0, \"seed\": 1}",
                  0.05, 0.5);
    mc_check_stop("dense_memory",
                  "{\"variant\": \"exponential\", \"n\": 2000, \"patterns\": 2000, "
                  "\"cue\": {\"pattern\": 0, \"mask\": 1}, \"queries\": 8, \"steps\": 2000, "
                  "\"record_every\": 10, \"seed\": 1}",
                  0.05, 0.5);
}
END_TEST

/* ---- basin_vexp, the exponential of the softmax ------------------------------------- */

/* |y − e^x| in units in the last place of e^x, from expl (long double: 64-bit mantissa,
 * 2^11 times finer than a double's, so its own error is below 0.001 ulp here); the ulp of
 * a subnormal result is 2^−1074. */
static double ulps(double y, long double ref)
{
    int e;
    frexpl(ref, &e);
    long double ulp = ldexpl(1.0L, e - 53 < -1074 ? -1074 : e - 53);
    return (double)(fabsl((long double)y - ref) / ulp);
}

/* Reference: expl. Tolerance 1.5 ulp: the method rounds the reduced argument, the
 * polynomial sum and the final 1 + … once each (≈ 0.5 + 0.25 + 0.25 ulp; the largest
 * error seen over 6·10⁷ random arguments was 1.013 ulp), while the softmax needs a few
 * ulps at most (the reference test holds the model to 1e-12 against NumPy). Covered:
 * the whole finite range [−745.1, 709.78] including subnormal results, the softmax range
 * [−50, 0], |x| < 0.7 around the reduction boundaries; exact special values e^0 = 1,
 * e^{±Inf}, NaN, overflow just above ln DBL_MAX, underflow to 0 below −745.14; in-place
 * use and lengths that are not a multiple of the kernel's tile. */
START_TEST(test_vexp_matches_expl)
{
    const size_t n = 300007; /* not a multiple of the tile of 256 */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    basin_rng rng;
    basin_rng_seed(&rng, 5);
    for (size_t i = 0; i < n; i++) {
        double u = basin_rng_uniform(&rng);
        x[i] = i % 3 == 0 ? -745.1 + 1454.88 * u : i % 3 == 1 ? -50.0 * u : -0.7 + 1.4 * u;
    }
    basin_vexp(n, x, y);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = ulps(y[i], expl((long double)x[i]));
        worst = e > worst ? e : worst;
    }
    ck_assert_msg(worst < 1.5, "largest error %.3f ulp", worst);
    /* in place: the same bits */
    memcpy(y + 1, x, (n - 1) * sizeof *x);
    basin_vexp(n - 1, y + 1, y + 1);
    double *z = malloc(n * sizeof *z);
    basin_vexp(n - 1, x, z);
    ck_assert_int_eq(memcmp(y + 1, z, (n - 1) * sizeof *z), 0);

    double sx[] = {0.0,     -0.0,    INFINITY, -INFINITY, NAN, 709.782712893384, 709.7827128933841,
                   -745.13, -745.14, 1e300,    -1e300};
    double sy[sizeof sx / sizeof sx[0]];
    basin_vexp(sizeof sx / sizeof sx[0], sx, sy);
    ck_assert(sy[0] == 1.0 && sy[1] == 1.0);
    ck_assert(isinf(sy[2]) && sy[2] > 0 && sy[3] == 0.0 && isnan(sy[4]));
    ck_assert(isfinite(sy[5]) && ulps(sy[5], expl((long double)sx[5])) < 1.5);
    ck_assert(isinf(sy[6]));
    ck_assert(sy[7] == 0x1p-1074 && sy[8] == 0.0); /* e^−745.13 rounds to the least subnormal */
    ck_assert(isinf(sy[9]) && sy[10] == 0.0);
    basin_vexp(0, NULL, NULL);
    free(x);
    free(y);
    free(z);
}
END_TEST

static Suite *dense_suite(void)
{
    Suite *s = suite_create("dense_memory");
    struct {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"continuous", test_continuous_matches_reference},
        {"continuous", test_beta_zero_gives_mean},
        {"continuous", test_continuous_energy_non_increasing},
        {"binary", test_binary_energy_never_increases},
        {"capacity", test_capacity_beyond_hopfield},
        {"reproducibility", test_reproducible_and_batched},
        {"reproducibility", test_threads_same_bits},
        {"validation", test_validation_pointers},
        {"validation", test_normalised_round_trip},
        {"cancellation", test_cancellation},
        {"vexp", test_vexp_matches_expl},
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
    SRunner *sr = srunner_create(dense_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
