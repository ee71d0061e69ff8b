/*
 * model_collapse.c — the `model_collapse` job kind: recursive training on synthetic data
 * (Kempe, lectures-hebbian-ebm-diffusion.txt Part II; models.md §E; numerics and theory in
 * src/core/model_collapse.c and basin/model_collapse.h).
 *
 * `trials` independent chains of `generations` fits each; generation 1 is fitted to real
 * data, generation g to data produced by generation g − 1. Modes:
 *   gaussian    refit N(μ, σ² I_d) to T samples of the previous fit: the variance shrinks,
 *               E σ²_n = σ²((T − 1)/T)^n; error ‖μ_n − μ₀‖², E = (dσ²/T) Σ_{g<n} ((T−1)/T)^g.
 *   regression  least squares on T fresh inputs labelled by the previous fit plus N(0, σ²)
 *               noise; error ‖w_n − w₀‖² (the excess test error), E_n = σ² d n/(T − d − 1).
 *   zipf        Hutter's infinite-memory model on items p(i) ∝ i^{−exponent}, i ≤ support,
 *               with the first generation's data cut at rank `cutoff`; error = p-mass of
 *               the items not memorised; theory: exact for generation 1, mean field after.
 *
 * Parameters (every one optional):
 *   mode         "regression" (default), "gaussian", "zipf".
 *   dim          d, integer in [1, 1000], default 10 (gaussian, regression).
 *   samples      T per generation, integer in [2, 1e9], default 100; regression needs
 *                T ≥ d + 2 (the theory's T − d − 1 > 0).
 *   sigma        σ in (0, 1e6], default 1: the initial std (gaussian), the label noise
 *                (regression).
 *   generations  integer in [1, 10000], default 10.
 *   trials       independent chains, integer in [1, 1e6], default 100.
 *   exponent     zipf β in (1, 10], default 2.
 *   support      zipf items M, integer in [1, 2^28], default 1e6 (stands for ∞).
 *   cutoff       zipf k, integer in [0, support], default 0 (no cut).
 *   seed         uint64; chain i draws from stream i + 1 split from it (absent: drawn at
 *                submit and stored in the normalised params).
 * Admission (BASIN_ELIMIT): the errors array, trials·generations, and for zipf 4·support,
 * against max_array_elements (at /params/trials and /params/support); the work —
 * trials·generations·T·d·10 (gaussian), trials·generations·(T·d·(d + 4) + d³) (regression),
 * trials·generations·T·60 + 40·support·generations (zipf) — against max_work (at
 * /params/trials).
 *
 * Output. series over generations g = 1..G: `test_error` (mean over the chains),
 * `test_error_sem` (its standard error), `theory_error`; gaussian also `variance` and
 * `variance_theory`. summary: `final_error`, `final_error_sem`, `theory_error` (at
 * generation G), `z_score` ((final − theory)/sem), `first_error`, `first_theory`
 * (generation 1), `generations`, `trials`; gaussian `final_variance`, `theory_variance`;
 * regression `theory_per_generation` (σ²d/(T − d − 1)); zipf `tail_mass` (Σ_{i>k} p(i)).
 * artifact: `errors` (float64 [trials, generations], every chain's error).
 * Failure: a numerically singular XᵀX (regression) ends the run as `diverged`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/model_collapse.h"
#include "basin/rng.h"
#include "models/params.h"

#define SAMPLES_MAX     1000000000
#define GENERATIONS_MAX 10000
#define TRIALS_MAX      1000000
#define SUPPORT_MAX     (1L << 28)

typedef struct collapse_config {
    basin_collapse_config core;
    long generations, trials;
    uint64_t seed;
} collapse_config;

static void free_config(void *config)
{
    free(config);
}

static size_t n_problems(const basin_problems *p)
{
    return p->count + p->dropped;
}

static void doc(param_reader *r, const char *key, const char *text)
{
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
    if (prop)
        json_object_set_new(prop, "description", json_string(text));
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const modes[] = {"regression", "gaussian", "zipf", NULL};
    collapse_config cfg;
    memset(&cfg, 0, sizeof cfg);
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);

    const char *mode = params_enum(&r, "mode", "regression", modes);
    doc(&r, "mode",
        "regression (least squares on its own labels), gaussian (refit), zipf (infinite-"
        "memory model with a tail cut)");
    cfg.core.mode = strcmp(mode, "gaussian") == 0 ? BASIN_COLLAPSE_GAUSSIAN
                    : strcmp(mode, "zipf") == 0   ? BASIN_COLLAPSE_ZIPF
                                                  : BASIN_COLLAPSE_REGRESSION;
    size_t before = n_problems(problems);
    cfg.core.d = (long)params_int(&r, "dim", 10, 1, BASIN_COLLAPSE_DIM_MAX);
    bool d_ok = n_problems(problems) == before;
    doc(&r, "dim", "dimension d (gaussian, regression)");
    before = n_problems(problems);
    cfg.core.T = (long)params_int(&r, "samples", 100, 2, SAMPLES_MAX);
    if (n_problems(problems) == before && d_ok && cfg.core.mode == BASIN_COLLAPSE_REGRESSION &&
        cfg.core.T < cfg.core.d + 2)
        params_problem(&r, "samples",
                       "must be ≥ dim + 2 = %ld for regression (the error σ²d/(T − d − 1) "
                       "needs T > d + 1); got %ld",
                       cfg.core.d + 2, cfg.core.T);
    doc(&r, "samples", "samples T per generation");
    cfg.core.sigma = params_real_gt(&r, "sigma", 1.0, 0.0, 1e6);
    doc(&r, "sigma", "initial std (gaussian) or label noise (regression)");
    cfg.generations = (long)params_int(&r, "generations", 10, 1, GENERATIONS_MAX);
    doc(&r, "generations", "generations per chain; generation 1 is fitted to real data");
    cfg.trials = (long)params_int(&r, "trials", 100, 1, TRIALS_MAX);
    doc(&r, "trials", "independent chains averaged");
    cfg.core.zipf_beta = params_real_gt(&r, "exponent", 2.0, 1.0, 10.0);
    doc(&r, "exponent", "zipf: p(i) ∝ i^(−exponent)");
    before = n_problems(problems);
    cfg.core.M = (long)params_int(&r, "support", 1000000, 1, SUPPORT_MAX);
    bool M_ok = n_problems(problems) == before;
    doc(&r, "support", "zipf: number of items (stands for the infinite item set)");
    before = n_problems(problems);
    cfg.core.cutoff = (long)params_int(&r, "cutoff", 0, 0, SUPPORT_MAX);
    if (n_problems(problems) == before && M_ok && cfg.core.cutoff > cfg.core.M)
        params_problem(&r, "cutoff", "must be ≤ support = %ld; got %ld", cfg.core.M,
                       cfg.core.cutoff);
    doc(&r, "cutoff", "zipf: the first generation's data keeps ranks ≤ cutoff (0: no cut)");
    cfg.seed = params_seed(&r);

    size_t valid = n_problems(problems);
    if (valid == start) {
        const double G = (double)cfg.generations, n = (double)cfg.trials;
        const double T = (double)cfg.core.T, d = (double)cfg.core.d;
        double work;
        if (cfg.core.mode == BASIN_COLLAPSE_GAUSSIAN)
            work = n * G * T * d * 10.0;
        else if (cfg.core.mode == BASIN_COLLAPSE_REGRESSION)
            work = n * G * (T * d * (d + 4.0) + d * d * d);
        else
            work = n * G * T * 60.0 + 40.0 * (double)cfg.core.M * G;
        double lim = (double)limits->max_array_elements;
        if (n * G > lim)
            params_over_limit(&r, "trials", "the errors (trials·generations)", n * G, lim);
        else if (cfg.core.mode == BASIN_COLLAPSE_ZIPF && 4.0 * (double)cfg.core.M > lim)
            params_over_limit(&r, "support", "the item tables (4·support)",
                              4.0 * (double)cfg.core.M, lim);
        else if (work > (double)limits->max_work)
            params_over_limit(&r, "trials", "the run (operations)", work, (double)limits->max_work);
    }
    size_t over = n_problems(problems) - valid;

    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0)
        return valid == start && over > 0 && n_problems(problems) == valid + over ? BASIN_ELIMIT
                                                                                  : rc;
    collapse_config *out = malloc(sizeof *out);
    if (!out) {
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    *out = cfg;
    *normalized = norm;
    *config = out;
    return 0;
}

/* ---- run ---------------------------------------------------------------------------------- */

typedef struct poll_state {
    basin_ctx *ctx;
    long done, total; /* generations fitted, over all chains */
} poll_state;

static bool poll_stop(void *user)
{
    poll_state *p = user;
    basin_ctx_progress(p->ctx, (double)p->done / (double)p->total);
    return basin_ctx_should_stop(p->ctx);
}

static int run(const void *config, basin_ctx *ctx)
{
    const collapse_config *cfg = config;
    const long G = cfg->generations, n = cfg->trials;
    const bool gauss = cfg->core.mode == BASIN_COLLAPSE_GAUSSIAN;
    basin_collapse c;
    memset(&c, 0, sizeof c);
    double *errors = malloc((size_t)n * (size_t)G * sizeof *errors);
    double *vars = gauss ? malloc((size_t)G * sizeof *vars) : NULL;
    double *theory = malloc((size_t)G * sizeof *theory);
    double *vtheory = malloc((size_t)G * sizeof *vtheory);
    double *scratch = NULL;
    int rc = errors && theory && vtheory && (!gauss || vars) ? 0 : BASIN_ENOMEM;
    if (rc != 0)
        goto out;
    if (gauss)
        memset(vars, 0, (size_t)G * sizeof *vars);
    rc = basin_collapse_init(&c, &cfg->core);
    if (rc != 0)
        goto out;
    basin_rng root;
    basin_rng_seed(&root, cfg->seed);
    basin_ctx_seed(ctx, cfg->seed);

    poll_state p = {.ctx = ctx, .done = 0, .total = n * G};
    for (long i = 0; i < n; i++) {
        if (poll_stop(&p)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        basin_rng rng;
        basin_rng_split(&root, (uint64_t)i + 1, &rng);
        basin_collapse_reset(&c, &rng);
        for (long g = 0; g < G; g++) {
            double e, v;
            rc = basin_collapse_generation(&c, &rng, poll_stop, &p, &e, &v);
            if (rc == BASIN_EDIVERGED) {
                basin_ctx_fail(ctx, "diverged", g + 1,
                               "XᵀX is numerically singular at generation %ld of chain %ld", g + 1,
                               i);
                goto out;
            }
            if (rc != 0)
                goto out;
            errors[i * G + g] = e;
            if (gauss)
                vars[g] += v / (double)n;
            p.done++;
        }
    }

    if (cfg->core.mode == BASIN_COLLAPSE_ZIPF) {
        scratch = malloc((size_t)cfg->core.M * sizeof *scratch);
        if (!scratch) {
            rc = BASIN_ENOMEM;
            goto out;
        }
    }
    basin_collapse_theory(&c, G, theory, vtheory, scratch);

    double mean = 0.0, sem = 0.0;
    for (long g = 0; g < G; g++) {
        double s = 0.0, ss = 0.0;
        for (long i = 0; i < n; i++)
            s += errors[i * G + g];
        mean = s / (double)n;
        for (long i = 0; i < n; i++)
            ss += (errors[i * G + g] - mean) * (errors[i * G + g] - mean);
        sem = n > 1 ? sqrt(ss / ((double)n - 1.0) / (double)n) : NAN;
        if ((rc = basin_ctx_series(ctx, "test_error", g + 1, mean)) != 0 ||
            (rc = basin_ctx_series(ctx, "test_error_sem", g + 1, sem)) != 0 ||
            (rc = basin_ctx_series(ctx, "theory_error", g + 1, theory[g])) != 0)
            goto out;
        if (gauss && ((rc = basin_ctx_series(ctx, "variance", g + 1, vars[g])) != 0 ||
                      (rc = basin_ctx_series(ctx, "variance_theory", g + 1, vtheory[g])) != 0))
            goto out;
        if (g == 0) {
            basin_ctx_summary_real(ctx, "first_error", mean);
            basin_ctx_summary_real(ctx, "first_theory", theory[0]);
        }
    }
    basin_ctx_summary_real(ctx, "final_error", mean);
    basin_ctx_summary_real(ctx, "final_error_sem", sem);
    basin_ctx_summary_real(ctx, "theory_error", theory[G - 1]);
    basin_ctx_summary_real(ctx, "z_score", (mean - theory[G - 1]) / sem);
    basin_ctx_summary_int(ctx, "generations", G);
    basin_ctx_summary_int(ctx, "trials", n);
    if (gauss) {
        basin_ctx_summary_real(ctx, "final_variance", vars[G - 1]);
        basin_ctx_summary_real(ctx, "theory_variance", vtheory[G - 1]);
    } else if (cfg->core.mode == BASIN_COLLAPSE_REGRESSION) {
        const basin_collapse_config *k = &cfg->core;
        basin_ctx_summary_real(ctx, "theory_per_generation",
                               k->sigma * k->sigma * (double)k->d /
                                   ((double)k->T - (double)k->d - 1.0));
    } else {
        basin_ctx_summary_real(ctx, "tail_mass", basin_collapse_tail_mass(&c));
    }
    int64_t shape[2] = {n, G};
    rc = basin_ctx_artifact(ctx, "errors", BASIN_F64, 2, shape, errors);
    basin_ctx_progress(ctx, 1.0);

out:
    basin_collapse_free(&c);
    free(errors);
    free(vars);
    free(theory);
    free(vtheory);
    free(scratch);
    return rc;
}

const basin_model model_model_collapse = {
    .kind = "model_collapse",
    .version = "1",
    .summary = "recursive training on synthetic data (Gaussian refit, least squares on its own "
               "labels, Zipf infinite memory) beside the theory",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
