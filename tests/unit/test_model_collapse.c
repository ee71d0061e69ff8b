/*
 * test_model_collapse.c — the `model_collapse` model and its numerical core
 * (basin/model_collapse.h).
 *
 * References: the closed forms of Kempe's lecture (lectures-hebbian-ebm-diffusion.txt,
 * Part II) as derived in basin/model_collapse.h — E_n = σ² d n/(T − d − 1) for least
 * squares retrained on its own labels (inverse-Wishart mean), E σ²_n = σ²((T − 1)/T)^n and
 * E‖μ_n − μ₀‖² = (dσ²/T) Σ_{g<n} ((T − 1)/T)^g for Gaussian refits, and Hutter's
 * memorisation error Σ_i p(i)(1 − p(i)/Z)^T for the first Zipf generation. The chains are
 * independent, so a mean over n chains has standard error s/√n (s the sample standard
 * deviation); the checks allow 5 of those (false-failure probability ~6e-7 per check,
 * seeds fixed).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/model_collapse.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

static double worst_z;

static void check_5sem(const char *what, long g, double measured, double theory, double sem,
                       double allowance)
{
    double dev = fabs(measured - theory);
    ck_assert_msg(sem > 0.0, "%s: sem %g", what, sem);
    ck_assert_msg(dev <= 5.0 * sem + allowance,
                  "%s, generation %ld: measured %.6g ± %.2g, theory %.6g (%.2f sem)", what, g,
                  measured, sem, theory, dev / sem);
    worst_z = fmax(worst_z, dev / sem);
}

/* Checks series test_error against theory_error at every generation. */
static void check_series(const basin_ctx *ctx, const char *what, double rel_allowance)
{
    const run_series *m = mc_series(ctx, "test_error"), *s = mc_series(ctx, "test_error_sem"),
                     *t = mc_series(ctx, "theory_error");
    ck_assert_uint_eq(m->n, t->n);
    for (size_t g = 0; g < m->n; g++) {
        ck_assert_int_eq(m->step[g], (int64_t)g + 1);
        check_5sem(what, (long)g + 1, m->value[g], t->value[g], s->value[g],
                   rel_allowance * t->value[g]);
    }
}

/* ---- the theories ------------------------------------------------------------------------ */

/* Reference: E_n = σ² d n/(T − d − 1) (lectures eq. 3.20–3.25; exact for Gaussian inputs:
 * each generation adds the independent error (XᵀX)⁻¹Xᵀε, E‖·‖² = σ² tr E(XᵀX)⁻¹ and
 * E(XᵀX)⁻¹ = I/(T − d − 1)), at every generation, for three (d, T, σ). 5 standard errors
 * over the chains. */
START_TEST(regression_follows_theory)
{
    const struct {
        long d, T;
        double sigma;
        long trials;
    } cases[] = {{10, 50, 1.5, 3000}, {5, 30, 1.0, 4000}, {20, 200, 0.5, 1000}};
    worst_z = 0.0;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[300];
        snprintf(text, sizeof text,
                 "{\"mode\": \"regression\", \"dim\": %ld, \"samples\": %ld, \"sigma\": %g, "
                 "\"generations\": 8, \"trials\": %ld, \"seed\": %zu}",
                 cases[k].d, cases[k].T, cases[k].sigma, cases[k].trials, k + 1);
        basin_ctx *ctx = mc_run_ok("model_collapse", mc_load(text));
        const double per = cases[k].sigma * cases[k].sigma * (double)cases[k].d /
                           (double)(cases[k].T - cases[k].d - 1);
        ck_assert_double_eq_tol(mc_summary(ctx, "theory_per_generation"), per, 1e-15);
        ck_assert_double_eq_tol(mc_summary(ctx, "theory_error"), 8.0 * per, 1e-14);
        const run_series *t = mc_series(ctx, "theory_error");
        for (size_t g = 0; g < t->n; g++)
            ck_assert_double_eq_tol(t->value[g], per * (double)(g + 1), 1e-14);
        check_series(ctx, text, 0.0);
        printf("regression d=%ld T=%ld: E_8 = %.4f ± %.4f, theory %.4f\n", cases[k].d, cases[k].T,
               mc_summary(ctx, "final_error"), mc_summary(ctx, "final_error_sem"),
               mc_summary(ctx, "theory_error"));
        run_ctx_free(ctx);
    }
    printf("regression_follows_theory: worst deviation %.2f standard errors\n", worst_z);
}
END_TEST

/* Reference: the Gaussian refit laws E σ²_n = σ²((T − 1)/T)^n and
 * E‖μ_n‖² = (dσ²/T) Σ_{g<n} ((T − 1)/T)^g, for the variance through the core (whose chains
 * give its standard error) and for the error through the model; 5 standard errors. The
 * variance collapses: after 40 generations of T = 10 it is 0.9^40 ≈ 1.5% of σ². */
START_TEST(gaussian_variance_shrinks)
{
    worst_z = 0.0;
    basin_collapse c;
    basin_collapse_config cfg = {.mode = BASIN_COLLAPSE_GAUSSIAN, .d = 2, .T = 10, .sigma = 2.0};
    ck_assert_int_eq(basin_collapse_init(&c, &cfg), 0);
    const long G = 40, n = 20000;
    double *sum = calloc(G, sizeof *sum), *sum2 = calloc(G, sizeof *sum2);
    double theory[40], vtheory[40];
    basin_collapse_theory(&c, G, theory, vtheory, NULL);
    basin_rng rng;
    basin_rng_seed(&rng, 3);
    for (long i = 0; i < n; i++) {
        basin_collapse_reset(&c, &rng);
        for (long g = 0; g < G; g++) {
            double e, v;
            ck_assert_int_eq(basin_collapse_generation(&c, &rng, NULL, NULL, &e, &v), 0);
            sum[g] += v;
            sum2[g] += v * v;
        }
    }
    for (long g = 0; g < G; g++) {
        double mean = sum[g] / n, var = (sum2[g] - n * mean * mean) / (n - 1.0);
        ck_assert_double_eq_tol(vtheory[g], 4.0 * pow(0.9, (double)(g + 1)), 1e-12);
        check_5sem("variance", g + 1, mean, vtheory[g], sqrt(var / n), 0.0);
    }
    printf("gaussian: mean variance after 40 generations %.5f (theory %.5f, sigma^2 = 4)\n",
           sum[G - 1] / n, vtheory[G - 1]);
    free(sum);
    free(sum2);
    basin_collapse_free(&c);

    basin_ctx *ctx =
        mc_run_ok("model_collapse", mc_load("{\"mode\": \"gaussian\", \"dim\": 3, \"samples\": 20, "
                                            "\"generations\": 30, \"trials\": 5000, \"seed\": 4}"));
    check_series(ctx, "gaussian error", 0.0);
    const run_series *v = mc_series(ctx, "variance"), *vt = mc_series(ctx, "variance_theory");
    ck_assert_double_eq_tol(vt->value[29], pow(19.0 / 20.0, 30.0), 1e-12);
    ck_assert(v->value[29] < 0.3); /* collapsed from 1 */
    ck_assert_double_eq_tol(mc_summary(ctx, "theory_variance"), vt->value[29], 1e-15);
    run_ctx_free(ctx);
    printf("gaussian_variance_shrinks: worst deviation %.2f standard errors\n", worst_z);
}
END_TEST

/* Reference: Hutter's infinite-memory model. Generation 1: E₁ = Σ_{i≤k} p(i)(1 − p(i)/Z₀)^T
 * + Σ_{i>k} p(i) exactly (5 standard errors); later generations against the mean-field
 * recursion, which replaces the random normaliser Z_g by its mean: allowed 5 standard
 * errors plus 2% of the theory for that approximation. Exact properties: memory only
 * shrinks along a chain (each generation samples from what the last memorised), so every
 * chain's error is non-decreasing; the tail mass of a cut at k = 1000 for β = 2 is
 * (Σ_{k<i≤M} i⁻²)/(Σ_{i≤M} i⁻²), i.e. ≈ (1/k − 1/M)/ζ(2) to 1e-3 relative. */
START_TEST(zipf_memory)
{
    worst_z = 0.0;
    const char *texts[] = {
        "{\"mode\": \"zipf\", \"exponent\": 2, \"samples\": 1000, \"support\": 100000, "
        "\"generations\": 10, \"trials\": 400, \"seed\": 5}",
        "{\"mode\": \"zipf\", \"exponent\": 2, \"samples\": 20000, \"support\": 1000000, "
        "\"cutoff\": 1000, \"generations\": 6, \"trials\": 100, \"seed\": 6}",
        "{\"mode\": \"zipf\", \"exponent\": 1.5, \"samples\": 5000, \"support\": 200000, "
        "\"cutoff\": 20000, \"generations\": 6, \"trials\": 200, \"seed\": 7}"};
    for (int k = 0; k < 3; k++) {
        basin_ctx *ctx = mc_run_ok("model_collapse", mc_load(texts[k]));
        const run_series *m = mc_series(ctx, "test_error"), *s = mc_series(ctx, "test_error_sem"),
                         *t = mc_series(ctx, "theory_error");
        check_5sem("zipf generation 1 (exact)", 1, m->value[0], t->value[0], s->value[0], 0.0);
        check_series(ctx, "zipf (mean field)", 0.02);
        const run_artifact *a = run_ctx_find_artifact(ctx, "errors");
        const double *e = a->data;
        long trials = a->shape[0], G = a->shape[1];
        for (long i = 0; i < trials; i++)
            for (long g = 1; g < G; g++)
                ck_assert_msg(e[i * G + g] >= e[i * G + g - 1] - 1e-12,
                              "chain %ld: error fell from %g to %g", i, e[i * G + g - 1],
                              e[i * G + g]);
        if (k == 1) {
            double zeta2 = M_PI * M_PI / 6.0;
            double approx = (1.0 / 1000.0 - 1.0 / 1e6) / (zeta2 - 1e-6);
            ck_assert_msg(fabs(mc_summary(ctx, "tail_mass") - approx) < 1e-3 * approx,
                          "tail mass %g vs %g", mc_summary(ctx, "tail_mass"), approx);
            /* the cut sets the floor: every generation errs at least on the tail */
            for (size_t g = 0; g < m->n; g++)
                ck_assert(m->value[g] >= mc_summary(ctx, "tail_mass"));
        }
        printf("zipf %d: E_1 = %.5f (exact %.5f), E_G = %.5f (mean field %.5f)\n", k, m->value[0],
               t->value[0], m->value[m->n - 1], t->value[t->n - 1]);
        run_ctx_free(ctx);
    }
    printf("zipf_memory: worst deviation %.2f standard errors\n", worst_z);
}
END_TEST

/* ---- the job contract --------------------------------------------------------------------- */

START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"mode\": \"diffusion\"}", "/params/mode", BASIN_EINVAL},
        {"{\"dim\": 0}", "/params/dim", BASIN_EINVAL},
        {"{\"dim\": 1001}", "/params/dim", BASIN_EINVAL},
        {"{\"samples\": 1}", "/params/samples", BASIN_EINVAL},
        {"{\"dim\": 10, \"samples\": 11}", "/params/samples", BASIN_EINVAL},
        {"{\"sigma\": 0}", "/params/sigma", BASIN_EINVAL},
        {"{\"generations\": 0}", "/params/generations", BASIN_EINVAL},
        {"{\"trials\": 0}", "/params/trials", BASIN_EINVAL},
        {"{\"exponent\": 1}", "/params/exponent", BASIN_EINVAL},
        {"{\"support\": 0}", "/params/support", BASIN_EINVAL},
        {"{\"mode\": \"zipf\", \"support\": 100, \"cutoff\": 101}", "/params/cutoff", BASIN_EINVAL},
        {"{\"seed\": 1.5}", "/params/seed", BASIN_EINVAL},
        {"{\"noise\": 1}", "/params/noise", BASIN_EINVAL},
        /* limits */
        {"{\"dim\": 1000, \"samples\": 1000000, \"trials\": 1000}", "/params/trials", BASIN_ELIMIT},
        {"{\"trials\": 1000000, \"generations\": 10000}", "/params/trials", BASIN_ELIMIT},
        {"{\"mode\": \"zipf\", \"support\": 268435456}", "/params/support", BASIN_ELIMIT},
    };
    mc_check_refusals("model_collapse", cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Reference: normalised params re-parse identically with the documented defaults; the
 * same seed gives the same run; chain i draws from its own stream, so it is the same chain
 * whatever the number of trials. */
START_TEST(normalised_and_reproducible)
{
    json_t *params = mc_load("{}"), *n1 = NULL, *n2 = NULL;
    void *c1 = mc_parse_ok("model_collapse", params, &n1),
         *c2 = mc_parse_ok("model_collapse", n1, &n2);
    ck_assert(json_equal(n1, n2));
    json_t *want =
        mc_load("{\"mode\": \"regression\", \"dim\": 10, \"samples\": 100, \"sigma\": 1.0,"
                " \"generations\": 10, \"trials\": 100, \"exponent\": 2.0, \"support\":"
                " 1000000, \"cutoff\": 0}");
    json_object_set(want, "seed", json_object_get(n1, "seed"));
    ck_assert(json_equal(n1, want));
    json_decref(want);
    mc_model("model_collapse")->free_config(c1);
    mc_model("model_collapse")->free_config(c2);
    json_decref(params);
    json_decref(n1);
    json_decref(n2);

    const char *modes[] = {"regression", "gaussian", "zipf"};
    for (int m = 0; m < 3; m++) {
        char a[200], b[200];
        snprintf(a, sizeof a,
                 "{\"mode\": \"%s\", \"dim\": 4, \"samples\": 30, \"support\": 1000, "
                 "\"generations\": 5, \"trials\": 6, \"seed\": 9}",
                 modes[m]);
        snprintf(b, sizeof b,
                 "{\"mode\": \"%s\", \"dim\": 4, \"samples\": 30, \"support\": 1000, "
                 "\"generations\": 5, \"trials\": 3, \"seed\": 9}",
                 modes[m]);
        basin_ctx *r1 = mc_run_ok("model_collapse", mc_load(a)),
                  *r2 = mc_run_ok("model_collapse", mc_load(a)),
                  *r3 = mc_run_ok("model_collapse", mc_load(b));
        const run_artifact *e1 = run_ctx_find_artifact(r1, "errors"),
                           *e2 = run_ctx_find_artifact(r2, "errors"),
                           *e3 = run_ctx_find_artifact(r3, "errors");
        ck_assert_int_eq(e1->shape[0], 6);
        ck_assert_int_eq(e1->shape[1], 5);
        ck_assert(memcmp(e1->data, e2->data, e1->nbytes) == 0);
        ck_assert(memcmp(e1->data, e3->data, e3->nbytes) == 0); /* first 3 chains */
        ck_assert(json_equal(r1->summary, r2->summary));
        run_ctx_free(r1);
        run_ctx_free(r2);
        run_ctx_free(r3);
    }
}
END_TEST

/* Reference: model.h / models.md: runs of a minute — one regression generation of
 * T·d² = 9e9 operations, or 10⁸ Zipf draws — return BASIN_ECANCELLED within 0.5 s of a
 * stop request (the core polls inside a generation). */
START_TEST(cancellation)
{
    const char *texts[] = {
        "{\"dim\": 300, \"samples\": 100000, \"trials\": 1, \"generations\": 10}",
        "{\"mode\": \"zipf\", \"samples\": 100000000, \"trials\": 1, "
        "\"generations\": 3}"};
    for (int i = 0; i < 2; i++) {
        double latency = mc_check_stop("model_collapse", texts[i], 0.3, 0.5);
        printf("cancellation %d: returned %.1f ms after the request\n", i, 1e3 * latency);
    }
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"theory", regression_follows_theory},
        {"theory", gaussian_variance_shrinks},
        {"theory", zipf_memory},
        {"validation", validation},
        {"reproducibility", normalised_and_reproducible},
        {"cancellation", cancellation},
    };
    return mc_run_suite(mc_suite("model_collapse", cases, sizeof cases / sizeof *cases, 60));
}
