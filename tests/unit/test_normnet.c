/*
 * test_normnet.c — the `normnet` model and its numerical core (basin/normnet.h).
 *
 * References: the equations of normalization-network-question.txt, transcribed a second
 * time in this file (r, R₀, C = R₀ᵀR₀, the first update); the closed-form consequences
 * derived in basin/normnet.h (β = 0 with one stimulus leaves W ≡ 1; W₁ = 1 + β(1 − C);
 * W stays symmetric; perturbations δW with δW r = 0 are multiplied by exactly 1 + β per
 * update; a fixed point satisfies W* = C − (α/β)(R*ᵀR* − C)). The 10-step comparison with
 * NumPy is tests/reference/test_normnet.py.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/normnet.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

static bool summary_bool(const basin_ctx *ctx, const char *name)
{
    json_t *v = json_object_get(ctx->summary, name);
    ck_assert_msg(json_is_boolean(v), "summary %s missing", name);
    return json_is_true(v);
}

static const char *summary_str(const basin_ctx *ctx, const char *name)
{
    const char *s = json_string_value(json_object_get(ctx->summary, name));
    ck_assert_msg(s != NULL, "summary %s missing", name);
    return s;
}

/* Artifact `name` of ctx, which must hold n_elems doubles. */
static const double *artifact(const basin_ctx *ctx, const char *name, long n_elems)
{
    const run_artifact *a = mc_artifact(ctx, name);
    ck_assert_uint_eq(a->nbytes, (size_t)n_elems * sizeof(double));
    return a->data;
}

/* The question's equations, transcribed independently of the core: f_i(θ), r, and
 * R = r ⊘ (σ² + W r/n) with W r summed in index order. */
static void reference_R(const basin_normnet_config *c, const double *W, const double *cs,
                        const double *th, double *r, double *R)
{
    const long n = c->n;
    for (long i = 0; i < n; i++) {
        double x = c->b;
        for (long j = 0; j < c->k; j++) {
            double f = c->c0 + (1.0 - c->c0) *
                                   exp(c->kappa * (cos(th[j] - 2.0 * M_PI * (double)i / n) - 1.0));
            x += cs[j] * f;
        }
        r[i] = x > 0.0 ? x * x : 0.0;
    }
    for (long i = 0; i < n; i++) {
        double u = 0.0;
        for (long j = 0; j < n; j++)
            u += W[i * n + j] * r[j];
        R[i] = r[i] / (c->sigma * c->sigma + u / (double)n);
    }
}

/* ---- closed forms --------------------------------------------------------------------------- */

/* Reference: with β = 0 and one stimulus, ΔW₀ = α(R₀ᵀR₀ − C) = 0 and R never changes, so
 * W ≡ 1 exactly (every entry the double 1.0) for any α; the run converges after `window`
 * updates with ‖ΔW‖ = 0. */
START_TEST(beta_zero_keeps_ones)
{
    const double alphas[] = {0.1, 0.7, 3.0};
    for (int a = 0; a < 3; a++) {
        char text[300];
        snprintf(text, sizeof text,
                 "{\"n\": 24, \"k\": 2, \"alpha\": %g, \"beta\": 0, \"window\": 7, "
                 "\"stimuli\": {\"type\": \"constant\", \"c\": [1, 0.5], \"theta\": [0.3, 2]}}",
                 alphas[a]);
        int rc;
        basin_ctx *ctx = mc_run("normnet", mc_load(text), &rc);
        ck_assert_int_eq(rc, 0);
        const double *W = artifact(ctx, "W", 24 * 24);
        for (int i = 0; i < 24 * 24; i++)
            ck_assert_msg(W[i] == 1.0, "W[%d] = %.17g", i, W[i]);
        const run_series *dw = run_ctx_find_series(ctx, "dw_norm");
        for (size_t i = 0; i < dw->n; i++)
            ck_assert(dw->value[i] == 0.0);
        ck_assert(summary_bool(ctx, "stable"));
        ck_assert_str_eq(summary_str(ctx, "outcome"), "converged");
        ck_assert_int_eq((long)mc_summary(ctx, "steps"), 7);
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: W₁ = W₀ + α(R₀ᵀR₀ − C) + β(W₀ − C) = 1 + β(1 − C) since C = R₀ᵀR₀, with C
 * computed by the independent transcription above, for a constant and for a cyclic input
 * (whose second stimulus plays no part in the first update). Tolerance 1e-14 absolute:
 * entries are O(1) and the two computations differ only in the order of the n-term sum
 * W r (dgemv vs a loop), i.e. by a few roundings. */
START_TEST(first_step_formula)
{
    basin_normnet_config c = {.n = 12,
                              .k = 2,
                              .alpha = 0.4,
                              .beta = -0.3,
                              .b = 0.2,
                              .sigma = 0.7,
                              .c0 = 0.15,
                              .kappa = 1.5};
    const double cs[2] = {0.9, 0.4}, th[2] = {0.5, 2.5}, cs2[2] = {0.1, 1.0}, th2[2] = {1, 4};
    double ones[144], r[12], R[12];
    for (int i = 0; i < 144; i++)
        ones[i] = 1.0;
    reference_R(&c, ones, cs, th, r, R);
    for (int pass = 0; pass < 2; pass++) {
        basin_normnet s;
        ck_assert_int_eq(basin_normnet_init(&s, &c, NULL, cs, th), 0);
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
                ck_assert_double_eq_tol(s.C[i * 12 + j], R[i] * R[j], 1e-14);
        basin_normnet_norms nm;
        /* the first update uses the first stimulus (pass 1: then the cycle moves on) */
        ck_assert_int_eq(basin_normnet_step(&s, cs, th, &nm), 0);
        double dw2 = 0.0;
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++) {
                double want = 1.0 + c.beta * (1.0 - R[i] * R[j]);
                ck_assert_double_eq_tol(s.W[i * 12 + j], want, 1e-14);
                dw2 += (want - 1.0) * (want - 1.0);
            }
        ck_assert_double_eq_tol(nm.dw, sqrt(dw2), 1e-13);
        ck_assert(nm.rr_c < 1e-15); /* R₀ᵀR₀ − C = 0 */
        if (pass == 1) {
            /* second update from the second stimulus, against the transcription */
            double W1[144], r2[12], R2[12];
            memcpy(W1, s.W, sizeof W1);
            reference_R(&c, W1, cs2, th2, r2, R2);
            ck_assert_int_eq(basin_normnet_step(&s, cs2, th2, &nm), 0);
            for (int i = 0; i < 12; i++)
                for (int j = 0; j < 12; j++) {
                    double C = s.C[i * 12 + j];
                    double want = W1[i * 12 + j] + c.alpha * (R2[i] * R2[j] - C) +
                                  c.beta * (W1[i * 12 + j] - C);
                    ck_assert_double_eq_tol(s.W[i * 12 + j], want, 1e-14);
                }
        }
        basin_normnet_free(&s);
    }
}
END_TEST

/* Reference: W₀, C and R_tᵀR_t are symmetric and the update is elementwise, so W stays
 * symmetric bit for bit (R_i R_j and R_j R_i are the same double) — here for 300 updates
 * of random three-component stimuli. */
START_TEST(stays_symmetric)
{
    int rc;
    basin_ctx *ctx =
        mc_run("normnet",
               mc_load("{\"n\": 20, \"k\": 3, \"alpha\": 0.3, \"beta\": -0.05, \"steps\": "
                       "300, \"tol\": 0, \"stimuli\": {\"type\": \"random\"}, \"seed\": 8}"),
               &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq((long)mc_summary(ctx, "steps"), 300);
    const double *W = artifact(ctx, "W", 400), *C = artifact(ctx, "C", 400);
    double asym = 0.0, off = 0.0;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 20; j++) {
            ck_assert_msg(W[i * 20 + j] == W[j * 20 + i], "W[%d][%d] != W[%d][%d]", i, j, j, i);
            ck_assert(C[i * 20 + j] == C[j * 20 + i]);
            asym = fmax(asym, fabs(W[i * 20 + j] - W[j * 20 + i]));
            off = fmax(off, fabs(W[i * 20 + j] - 1.0));
        }
    ck_assert(off > 1e-3); /* W did move */
    printf("stays_symmetric: max |W - W^T| = %g after 300 updates (W moved by up to %.3f)\n", asym,
           off);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: for −2 < β < 0 and one stimulus the run converges (the δW r = 0 directions
 * decay by |1 + β| per update), to the fixed point W* = C − (α/β)(R*ᵀR* − C) of
 * α(RᵀR − C) + β(W − C) = 0. W* is checked from the artifacts: at convergence
 * ‖ΔW‖ ≤ tol = 1e-12, so the identity holds to ~tol/|β| per entry (1e-10 allowed).
 * β ≤ −2 makes those directions oscillate without decaying: never stable. */
START_TEST(negative_beta_converges)
{
    const double betas[] = {-0.1, -0.5, -1.5};
    for (int b = 0; b < 3; b++) {
        char text[300];
        snprintf(text, sizeof text,
                 "{\"n\": 16, \"k\": 2, \"alpha\": 0.2, \"beta\": %g, \"tol\": 1e-12, \"steps\": "
                 "20000, \"stimuli\": {\"c\": [1, 0.3], \"theta\": [0, 1.5]}}",
                 betas[b]);
        int rc;
        basin_ctx *ctx = mc_run("normnet", mc_load(text), &rc);
        ck_assert_int_eq(rc, 0);
        ck_assert_msg(summary_bool(ctx, "stable"), "beta %g: %s", betas[b],
                      summary_str(ctx, "outcome"));
        const double *W = artifact(ctx, "W", 256), *C = artifact(ctx, "C", 256),
                     *R = artifact(ctx, "R", 16);
        double worst = 0.0;
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 16; j++) {
                double Wstar = C[i * 16 + j] - (0.2 / betas[b]) * (R[i] * R[j] - C[i * 16 + j]);
                worst = fmax(worst, fabs(W[i * 16 + j] - Wstar));
            }
        ck_assert_msg(worst < 1e-10, "beta %g: |W - W*| = %g", betas[b], worst);
        printf("negative_beta_converges: beta %g stable after %ld updates, |W - W*| = %.2g\n",
               betas[b], (long)mc_summary(ctx, "steps"), worst);
        run_ctx_free(ctx);
    }
    int rc;
    basin_ctx *ctx =
        mc_run("normnet", mc_load("{\"n\": 16, \"beta\": -2.5, \"steps\": 2000}"), &rc);
    ck_assert(!summary_bool(ctx, "stable"));
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: the prediction of basin/normnet.h (ii). Two trajectories under one stimulus,
 * from W₀ = 1 and W₀' = 1 + εE with E r = 0 (E = P A P, P = I − r̂r̂ᵀ, A symmetric random),
 * differ after t updates by exactly (1 + β)^t εE, whatever α, b, σ. Tolerance 1e-9 of
 * ‖(1 + β)^t εE‖: in floating point E r is ~1e-17 rather than 0 and each W entry carries
 * rounding ~1e-16·|W| per update, which the subtraction of the two trajectories exposes
 * relative to ε = 1e-2. A control direction with E r ≠ 0 does not follow the law.
 * The model's growth_ratio for β > 0 approaches 1 + β (to 1e-9 at divergence). */
START_TEST(positive_beta_grows_by_one_plus_beta)
{
    const long n = 10;
    basin_normnet_config c = {
        .n = n, .k = 1, .alpha = 0.6, .beta = 0.1, .b = 0.3, .sigma = 0.8, .c0 = 0.2, .kappa = 2};
    const double cs[1] = {1.0}, th[1] = {0.7}, eps = 1e-2;
    double r[10], Rr[10], ones[100], A[100], E[100], Wp[100];
    for (int i = 0; i < 100; i++)
        ones[i] = 1.0;
    reference_R(&c, ones, cs, th, r, Rr);
    double rn = 0.0;
    for (int i = 0; i < n; i++)
        rn += r[i] * r[i];
    rn = sqrt(rn);
    basin_rng rng;
    basin_rng_seed(&rng, 11);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            A[i * n + j] = A[j * n + i] = basin_rng_normal(&rng);
    for (int control = 0; control < 2; control++) {
        /* E = P A P (control: A itself) */
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double e = 0.0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++) {
                        double Pia = (i == a) - r[i] * r[a] / (rn * rn);
                        double Pbj = (b == j) - r[b] * r[j] / (rn * rn);
                        e += Pia * A[a * n + b] * Pbj;
                    }
                E[i * n + j] = control ? A[i * n + j] : e;
            }
        for (int i = 0; i < 100; i++)
            Wp[i] = 1.0 + eps * E[i];
        basin_normnet s1, s2;
        ck_assert_int_eq(basin_normnet_init(&s1, &c, NULL, cs, th), 0);
        ck_assert_int_eq(basin_normnet_init(&s2, &c, Wp, cs, th), 0);
        memcpy(s2.C, s1.C, sizeof(double) * 100); /* both runs share C = R₀ᵀR₀ of W₀ = 1 */
        double worst = 0.0;
        for (int t = 1; t <= 40; t++) {
            ck_assert_int_eq(basin_normnet_step(&s1, cs, th, NULL), 0);
            ck_assert_int_eq(basin_normnet_step(&s2, cs, th, NULL), 0);
            double g = pow(1.0 + c.beta, t), num = 0.0, den = 0.0;
            for (int i = 0; i < 100; i++) {
                double want = g * eps * E[i];
                num += (s2.W[i] - s1.W[i] - want) * (s2.W[i] - s1.W[i] - want);
                den += want * want;
            }
            worst = fmax(worst, sqrt(num / den));
        }
        if (control == 0)
            ck_assert_msg(worst < 1e-9, "delta W r = 0 direction: relative deviation %g", worst);
        else
            ck_assert_msg(worst > 1e-3, "control direction follows the law: %g", worst);
        printf("positive_beta: %s: max relative deviation from (1+beta)^t over 40 updates = %.3g\n",
               control ? "control (E r != 0)" : "E r = 0", worst);
        basin_normnet_free(&s1);
        basin_normnet_free(&s2);
    }

    const double betas[] = {0.05, 0.2};
    for (int b = 0; b < 2; b++) {
        char text[200];
        snprintf(text, sizeof text, "{\"n\": 16, \"beta\": %g, \"steps\": 100000}", betas[b]);
        int rc;
        basin_ctx *ctx = mc_run("normnet", mc_load(text), &rc);
        ck_assert_int_eq(rc, BASIN_EDIVERGED);
        ck_assert(summary_bool(ctx, "diverged"));
        double ratio = mc_summary(ctx, "growth_ratio");
        ck_assert_msg(fabs(ratio - (1.0 + betas[b])) < 1e-9, "beta %g: growth ratio %.15f",
                      betas[b], ratio);
        ck_assert_double_eq_tol(mc_summary(ctx, "predicted_ratio"), 1.0 + betas[b], 1e-15);
        printf("positive_beta: model beta %g: growth_ratio %.15f after %ld updates\n", betas[b],
               ratio, (long)mc_summary(ctx, "steps"));
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: with two alternating stimuli and −2 < β < 0 the composed two-step map
 * contracts, so W settles on a 2-cycle: W_{t+2} = W_t while ΔW ≠ 0. The run stops with
 * outcome "cycle2" and, the two updates of a cycle undoing each other, consecutive ‖ΔW‖
 * are equal (growth ratio 1 over the period). */
START_TEST(two_cycle)
{
    int rc;
    basin_ctx *ctx = mc_run(
        "normnet",
        mc_load(
            "{\"n\": 16, \"alpha\": 0.5, \"beta\": -0.3, \"steps\": 5000, \"stimuli\": {\"type\": "
            "\"cycle\", \"set\": [{\"c\": [1], \"theta\": [0]}, {\"c\": [0.5], \"theta\": [2]}]}}"),
        &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(summary_str(ctx, "outcome"), "cycle2");
    ck_assert(summary_bool(ctx, "cycle2"));
    ck_assert(!summary_bool(ctx, "stable"));
    ck_assert(mc_summary(ctx, "final_dw_norm") > 0.1);
    ck_assert_double_eq_tol(mc_summary(ctx, "growth_ratio"), 1.0, 1e-6);
    const run_series *dw = run_ctx_find_series(ctx, "dw_norm");
    ck_assert_double_eq_tol(dw->value[dw->n - 1], dw->value[dw->n - 2], 1e-8);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: the model's failure contract (models.md): divergence ends the job `failed`
 * with code `diverged` at the update where it happened, keeping series and summary. A
 * small σ with β > 0 drives σ² + (W r)_i/n below zero; σ = 0 with r₀ = 0 (b far below the
 * tuning curves) leaves R₀ undefined at the start. */
START_TEST(divergence)
{
    int rc;
    basin_ctx *ctx = mc_run("normnet", mc_load("{\"n\": 16, \"beta\": 0.2, \"sigma\": 0.1}"), &rc);
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    ck_assert(ctx->failed);
    ck_assert_str_eq(ctx->fail_code, "diverged");
    ck_assert(summary_bool(ctx, "diverged"));
    ck_assert(mc_summary(ctx, "min_denominator") <= 0.0);
    ck_assert_ptr_nonnull(run_ctx_find_series(ctx, "dw_norm"));
    ck_assert_ptr_nonnull(run_ctx_find_artifact(ctx, "W"));
    run_ctx_free(ctx);
    ctx = mc_run("normnet", mc_load("{\"n\": 16, \"sigma\": 0, \"b\": -5}"), &rc);
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    ck_assert_int_eq(ctx->fail_step, 0);
    ck_assert(summary_bool(ctx, "diverged"));
    run_ctx_free(ctx);
    /* max_norm */
    ctx = mc_run("normnet", mc_load("{\"n\": 8, \"beta\": 0.5, \"max_norm\": 100}"), &rc);
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    ck_assert(mc_summary(ctx, "w_norm") > 100.0);
    ck_assert(strstr(ctx->fail_message, "max_norm") != NULL);
    run_ctx_free(ctx);
}
END_TEST

/* ---- the job contract -------------------------------------------------------------------- */

/* Reference: the params contract of models.md; one problem per case at the exact pointer;
 * out-params untouched. */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"n\": 0}", "/params/n", BASIN_EINVAL},
        {"{\"n\": 5000}", "/params/n", BASIN_EINVAL},
        {"{\"k\": 0}", "/params/k", BASIN_EINVAL},
        {"{\"alpha\": 11}", "/params/alpha", BASIN_EINVAL},
        {"{\"beta\": \"big\"}", "/params/beta", BASIN_EINVAL},
        {"{\"sigma\": -1}", "/params/sigma", BASIN_EINVAL},
        {"{\"c0\": 1.5}", "/params/c0", BASIN_EINVAL},
        {"{\"kappa\": -1}", "/params/kappa", BASIN_EINVAL},
        {"{\"steps\": 0}", "/params/steps", BASIN_EINVAL},
        {"{\"tol\": -1}", "/params/tol", BASIN_EINVAL},
        {"{\"max_norm\": 0}", "/params/max_norm", BASIN_EINVAL},
        {"{\"window\": 0}", "/params/window", BASIN_EINVAL},
        {"{\"stimuli\": 3}", "/params/stimuli", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"sweep\"}}", "/params/stimuli/type", BASIN_EINVAL},
        {"{\"k\": 2, \"stimuli\": {\"c\": [1]}}", "/params/stimuli/c", BASIN_EINVAL},
        {"{\"stimuli\": {\"theta\": [\"x\"]}}", "/params/stimuli/theta/0", BASIN_EINVAL},
        {"{\"stimuli\": {\"c\": [1], \"width\": 2}}", "/params/stimuli/width", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"cycle\"}}", "/params/stimuli/set", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"cycle\", \"set\": []}}", "/params/stimuli/set", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"cycle\", \"set\": [{\"c\": [1], \"theta\": [0]}, "
         "{\"c\": [1]}]}}",
         "/params/stimuli/set/1/theta", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"cycle\", \"set\": [{\"c\": [1], \"theta\": [0], \"z\": "
         "0}]}}",
         "/params/stimuli/set/0/z", BASIN_EINVAL},
        {"{\"stimuli\": {\"type\": \"random\", \"contrast\": [1, 0]}}",
         "/params/stimuli/contrast/1", BASIN_EINVAL},
        {"{\"seed\": -1}", "/params/seed", BASIN_EINVAL},
        {"{\"foo\": 1}", "/params/foo", BASIN_EINVAL},
        /* limits */
        {"{\"n\": 2048, \"steps\": 100000000}", "/params/steps", BASIN_ELIMIT},
        {"{\"n\": 2, \"steps\": 10000000, \"record_every\": 1}", "/params/record_every",
         BASIN_ELIMIT},
    };
    mc_check_refusals("normnet", cases, sizeof cases / sizeof *cases);
    basin_limits small = basin_default_limits;
    small.max_array_elements = 1000;
    json_t *params = mc_load("{\"n\": 30}");
    basin_problems pr;
    json_t *norm;
    void *cfg;
    ck_assert_int_eq(mc_parse("normnet", params, &small, &pr, &norm, &cfg), BASIN_ELIMIT);
    ck_assert_str_eq(pr.items[0].pointer, "/params/n");
    json_decref(params);
}
END_TEST

/* Reference: the normalised params re-parse to the same JSON (with the documented
 * defaults), and the same params and seed give bit-identical runs, also from the
 * normalised params; another seed gives other random stimuli. */
START_TEST(normalised_and_reproducible)
{
    json_t *params = mc_load("{}"), *n1 = NULL, *n2 = NULL;
    void *c1 = mc_parse_ok("normnet", params, &n1), *c2 = mc_parse_ok("normnet", n1, &n2);
    ck_assert(json_equal(n1, n2));
    json_t *want =
        mc_load("{\"n\": 32, \"k\": 1, \"alpha\": 0.1, \"beta\": -0.1, \"b\": 0.1, "
                "\"sigma\": 1.0, \"c0\": 0.1, \"kappa\": 2.0, \"stimuli\": {\"type\": "
                "\"constant\", \"c\": [1.0], \"theta\": [0.0]}, \"steps\": 1000, "
                "\"tol\": 1e-10, \"window\": 10, \"max_norm\": 1e10, \"record_every\": 1}");
    json_object_set(want, "seed", json_object_get(n1, "seed"));
    char *got = json_dumps(n1, JSON_SORT_KEYS);
    ck_assert_msg(json_equal(n1, want), "defaults: %s", got);
    free(got);
    json_decref(want);
    mc_model("normnet")->free_config(c1);
    mc_model("normnet")->free_config(c2);
    json_decref(params);
    json_decref(n1);
    json_decref(n2);

    const char *texts[] = {
        "{\"n\": 12, \"k\": 2, \"steps\": 50, \"tol\": 0, \"stimuli\": {\"type\": \"random\", "
        "\"contrast\": [0.2, 0.9]}, \"seed\": 21}",
        "{\"n\": 12, \"k\": 2, \"steps\": 50, \"stimuli\": {\"type\": \"cycle\", \"set\": "
        "[{\"c\": [1, 0], \"theta\": [0, 1]}, {\"c\": [0, 1], \"theta\": [2, 3]}]}, \"seed\": 1}"};
    for (int i = 0; i < 2; i++) {
        params = mc_load(texts[i]);
        json_t *norm = NULL, *norm2 = NULL;
        void *a = mc_parse_ok("normnet", params, &norm), *b = mc_parse_ok("normnet", norm, &norm2);
        ck_assert(json_equal(norm, norm2));
        basin_ctx *ra = mc_run_config_ok("normnet", a), *rb = mc_run_config_ok("normnet", b);
        const run_artifact *wa = run_ctx_find_artifact(ra, "W"),
                           *wb = run_ctx_find_artifact(rb, "W");
        ck_assert(memcmp(wa->data, wb->data, wa->nbytes) == 0);
        ck_assert(json_equal(ra->summary, rb->summary));
        if (i == 0) {
            json_object_set_new(params, "seed", json_integer(22));
            void *c = mc_parse_ok("normnet", params, NULL);
            basin_ctx *rc = mc_run_config_ok("normnet", c);
            const run_artifact *wc = run_ctx_find_artifact(rc, "W");
            ck_assert(memcmp(wa->data, wc->data, wa->nbytes) != 0);
            run_ctx_free(rc);
            mc_model("normnet")->free_config(c);
        }
        run_ctx_free(ra);
        run_ctx_free(rb);
        mc_model("normnet")->free_config(a);
        mc_model("normnet")->free_config(b);
        json_decref(params);
        json_decref(norm);
        json_decref(norm2);
    }
}
END_TEST

/* Reference: model.h / models.md: a run of minutes (n = 2048, 30000 updates) returns
 * BASIN_ECANCELLED within 0.5 s of a stop request. */
START_TEST(cancellation)
{
    const char *text = "{\"n\": 2048, \"steps\": 30000, \"tol\": 0, \"beta\": -0.01}";
    double latency = mc_check_stop("normnet", text, 0.3, 0.5);
    printf("cancellation: returned %.1f ms after the request\n", 1e3 * latency);
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"closed_forms", beta_zero_keeps_ones},
        {"closed_forms", first_step_formula},
        {"closed_forms", stays_symmetric},
        {"stability", negative_beta_converges},
        {"stability", positive_beta_grows_by_one_plus_beta},
        {"stability", two_cycle},
        {"stability", divergence},
        {"validation", validation},
        {"reproducibility", normalised_and_reproducible},
        {"cancellation", cancellation},
    };
    return mc_run_suite(mc_suite("normnet", cases, sizeof cases / sizeof *cases, 60));
}
