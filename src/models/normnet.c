/*
 * normnet.c — the `normnet` job kind: the divisive-normalisation network with Hebbian
 * plasticity of normalization-network-question.txt (models.md §E; numerics in
 * src/core/normnet.c, whose header states the equations and what they predict).
 *
 *     r_t = g(Σ_j c_j f(θ_j) + b), g(x) = max(x, 0)²,   R_t = r_t ⊘ (σ² 1 + W_t r_t / n),
 *     W_{t+1} = W_t + α (R_tᵀR_t − C) + β (W_t − C),    W₀ = 1,  C = R₀ᵀR₀,
 *     f_i(θ) = c₀ + (1 − c₀) exp(κ (cos(θ − 2π i/n) − 1))  ∈ [c₀, 1].
 * Stability in brief (basin/normnet.h): with one stimulus, directions δW with δW r = 0
 * grow by exactly 1 + β per step, so β > 0 is always unstable, β = 0 leaves W ≡ 1, and a
 * stable fixed point W* = C − (α/β)(R*ᵀR* − C) needs −2 < β < 0.
 *
 * Parameters (every one optional):
 *   n          neurons, integer in [1, 2048], default 32.
 *   k          stimulus components, integer in [1, 64], default 1.
 *   alpha      α in [−10, 10], default 0.1.      beta   β in [−10, 10], default −0.1.
 *   b          baseline in [−100, 100], default 0.1.
 *   sigma      σ in [0, 1000], default 1.
 *   c0         tuning floor c₀ in [0, 1], default 0.1.
 *   kappa      tuning concentration κ in [0, 100], default 2.
 *   stimuli    the input sequence (c_t, θ_t), t = 0, 1, …; the first also defines C:
 *                {"type": "constant", "c": [k numbers], "theta": [k numbers]}
 *                    default c_j = 1, θ_j = 2π j/k;
 *                {"type": "cycle", "set": [{"c": [..], "theta": [..]}, …]}  1..64
 *                    stimuli, used in turn (t mod the set's length);
 *                {"type": "random", "contrast": [lo, hi]}  c_j ~ U[lo, hi) (default
 *                    [0, 1]), θ_j ~ U[0, 2π), fresh each step, from the seed.
 *              c in [−1000, 1000], θ in [−1000, 1000] (radians).
 *   steps      most updates, integer in [1, 1e9], default 1000.
 *   tol        in [0, 1e6], default 1e-10: convergence is ‖ΔW‖_F ≤ tol for `window`
 *              consecutive updates; a 2-cycle is ‖W_{t+1} − W_{t−1}‖_F ≤ tol with
 *              ‖ΔW‖_F > tol for `window` consecutive updates.
 *   window     integer in [1, 1e6], default 10.
 *   max_norm   ‖W‖_F above which the run has diverged, in (0, 1e300], default 1e10.
 *   record_every  updates between series points, default max(1, round(steps/1000)).
 *   seed       uint64 (random stimuli; absent: drawn at submit and stored).
 * Admission (BASIN_ELIMIT): 3n² against max_array_elements (at /params/n); the work,
 * steps·(12 n² + 30 n k), against max_work (at /params/steps); the series,
 * 3·(steps/record_every + 2), against max_series_points (at /params/record_every).
 *
 * The run stops at convergence, at a 2-cycle, at divergence or after `steps` updates.
 * Divergence — some σ² + (W_t r_t)_i/n ≤ 0, ‖W‖_F > max_norm or not finite — ends the job
 * `failed` with code `diverged` at that update, keeping the series, the summary and the
 * artifacts (a stability map reads `diverged` from the summary).
 *
 * Output. series (point t describes update t, computed from W_t): `dw_norm` ‖ΔW_t‖_F,
 * `w_minus_c` ‖W_t − C‖_F, `rr_minus_c` ‖R_tᵀR_t − C‖_F. summary: `stable` (converged to a
 * fixed point), `cycle2`, `diverged`, `outcome` ("converged", "cycle2", "diverged",
 * "max_steps"), `steps` (updates applied), `final_dw_norm`, `growth_ratio`
 * ((‖ΔW_t‖/‖ΔW_{t−p}‖)^{1/p} over the last p updates, p the cycle length, else 1: 1 + β
 * for a growing direction with δW r = 0), `final_w_minus_c`, `final_rr_minus_c`, `w_norm`,
 * `min_denominator` (min_i σ² + (W r)_i/n at the last update), `predicted_ratio` (1 + β).
 * artifacts: `W` and `C` (float64 [n, n]), `R` (float64 [n], the last R_t).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/normnet.h"
#include "basin/rng.h"
#include "models/params.h"

#define RATE_MAX    10.0
#define B_MAX       100.0
#define SIGMA_MAX   1000.0
#define KAPPA_MAX   100.0
#define INPUT_MAX   1000.0
#define CYCLE_MAX   64
#define STEPS_MAX   1000000000
#define SERIES_SPAN 1000
#define WORK_PER_NN 12.0 /* operations per weight per update */
#define WORK_PER_NK 30.0 /* operations per tuning value (an exp and a cos) */

typedef enum stim_type { STIM_CONSTANT, STIM_CYCLE, STIM_RANDOM } stim_type;

typedef struct normnet_config {
    basin_normnet_config core;
    stim_type stim;
    long n_set;        /* stimuli in the set (1 for constant) */
    double *c, *theta; /* n_set × k each */
    double lo, hi;     /* random contrast range */
    long steps, window, record_every;
    double tol, max_norm;
    uint64_t seed;
} normnet_config;

static void free_config(void *config)
{
    normnet_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->c);
    free(cfg->theta);
    free(cfg);
}

/* ---- parse -------------------------------------------------------------------------------- */

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

/* Reads "c" and "theta" of one stimulus object (reader sr) into c[0..k), theta[0..k).
 * required: absent arrays are problems (else defaults). Returns true when valid. */
static bool read_stimulus(param_reader *sr, long k, bool k_ok, bool required, double *c,
                          double *theta)
{
    bool ok = true;
    const char *keys[2] = {"c", "theta"};
    double *dst[2] = {c, theta};
    for (int a = 0; a < 2; a++) {
        double *v = NULL;
        size_t len = 0;
        size_t lo = k_ok ? (size_t)k : 1, hi = k_ok ? (size_t)k : BASIN_NORMNET_K_MAX;
        int rc = params_real_array(sr, keys[a], lo, hi, -INPUT_MAX, INPUT_MAX, &v, &len);
        if (rc != 0) {
            ok = false;
        } else if (!v) {
            if (required) {
                params_problem(sr, keys[a], "required: an array of k = %ld numbers", k);
                ok = false;
            } else if (k_ok) { /* defaults: c_j = 1, θ_j = 2π j/k */
                json_t *def = json_array();
                for (long j = 0; j < k; j++) {
                    dst[a][j] = a == 0 ? 1.0 : 2.0 * M_PI * (double)j / (double)k;
                    json_array_append_new(def, json_real(dst[a][j]));
                }
                params_put(sr, keys[a], def);
            }
        } else if (k_ok) {
            memcpy(dst[a], v, (size_t)k * sizeof *v);
        }
        free(v);
    }
    doc(sr, "c", "contrasts c_j, k numbers");
    doc(sr, "theta", "angles θ_j (radians), k numbers");
    return ok && k_ok;
}

/* stimuli: {"type": "constant" | "cycle" | "random", ...}. Allocates cfg->c, cfg->theta.
 * Returns 0, or BASIN_ENOMEM (problems are recorded in r). */
static int read_stimuli(param_reader *r, bool k_ok, normnet_config *cfg)
{
    static const char *const types[] = {"constant", "cycle", "random", NULL};
    const long k = cfg->core.k;
    param_reader sr;
    params_child(r, "stimuli", &sr);
    const char *type = params_enum(&sr, "type", "constant", types);
    doc(&sr, "type",
        "constant {c, theta}; cycle {set: [{c, theta}, ...]} used in turn; random "
        "{contrast: [lo, hi]}: c_j ~ U[lo, hi), θ_j ~ U[0, 2π) each step");
    cfg->stim = strcmp(type, "cycle") == 0    ? STIM_CYCLE
                : strcmp(type, "random") == 0 ? STIM_RANDOM
                                              : STIM_CONSTANT;
    cfg->n_set = 1;
    int rc = 0;
    if (cfg->stim == STIM_CONSTANT) {
        cfg->c = calloc((size_t)k, sizeof *cfg->c);
        cfg->theta = calloc((size_t)k, sizeof *cfg->theta);
        if (!cfg->c || !cfg->theta)
            rc = BASIN_ENOMEM;
        else
            read_stimulus(&sr, k, k_ok, false, cfg->c, cfg->theta);
    } else if (cfg->stim == STIM_RANDOM) {
        double *v = NULL;
        size_t len = 0;
        cfg->lo = 0.0;
        cfg->hi = 1.0;
        if (params_real_array(&sr, "contrast", 2, 2, -INPUT_MAX, INPUT_MAX, &v, &len) == 0) {
            if (v && !(v[0] <= v[1]))
                params_problem(&sr, "contrast/1", "must be ≥ contrast[0] = %.17g; got %.17g", v[0],
                               v[1]);
            else if (v) {
                cfg->lo = v[0];
                cfg->hi = v[1];
            } else {
                params_put(&sr, "contrast", json_pack("[f, f]", 0.0, 1.0));
            }
        }
        free(v);
        doc(&sr, "contrast", "range [lo, hi] of the random contrasts c_j");
    } else {
        const json_t *set = params_raw(&sr, "set", "array");
        doc(&sr, "set", "stimuli {c, theta} used in turn, 1..64 of them");
        size_t m = json_array_size(set);
        if (!json_is_array(set) || m < 1 || m > CYCLE_MAX) {
            params_problem(&sr, "set",
                           "required: an array of 1..%d stimuli {\"c\": [..], "
                           "\"theta\": [..]}",
                           CYCLE_MAX);
        } else {
            cfg->n_set = (long)m;
            cfg->c = calloc(m * (size_t)k, sizeof *cfg->c);
            cfg->theta = calloc(m * (size_t)k, sizeof *cfg->theta);
            json_t *norm = json_array();
            if (!cfg->c || !cfg->theta || !norm) {
                json_decref(norm);
                rc = BASIN_ENOMEM;
            } else {
                for (size_t i = 0; i < m; i++) {
                    char ptr[200];
                    snprintf(ptr, sizeof ptr, "%s/set/%zu", sr.pointer, i);
                    param_reader er;
                    params_open(&er, json_array_get(set, i), ptr, sr.problems, NULL);
                    read_stimulus(&er, k, k_ok, true, cfg->c + i * (size_t)k,
                                  cfg->theta + i * (size_t)k);
                    json_t *one = NULL;
                    /* reports unknown keys; the normalised element only when all is well */
                    if (params_close(&er, &one) == 0)
                        json_array_append_new(norm, one);
                }
                params_put(&sr, "set", norm);
            }
        }
    }
    params_child_end(r, "stimuli", &sr);
    return rc;
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    normnet_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return BASIN_ENOMEM;
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);

    cfg->core.n = (long)params_int(&r, "n", 32, 1, BASIN_NORMNET_N_MAX);
    doc(&r, "n", "neurons");
    size_t before = n_problems(problems);
    cfg->core.k = (long)params_int(&r, "k", 1, 1, BASIN_NORMNET_K_MAX);
    bool k_ok = n_problems(problems) == before;
    doc(&r, "k", "components of a stimulus (c, θ) ∈ R^k × R^k");
    cfg->core.alpha = params_real(&r, "alpha", 0.1, -RATE_MAX, RATE_MAX);
    doc(&r, "alpha", "Hebbian rate α in ΔW = α(RᵀR − C) + β(W − C)");
    cfg->core.beta = params_real(&r, "beta", -0.1, -RATE_MAX, RATE_MAX);
    doc(&r, "beta", "rate β in ΔW = α(RᵀR − C) + β(W − C); stable fixed points need −2 < β < 0");
    cfg->core.b = params_real(&r, "b", 0.1, -B_MAX, B_MAX);
    doc(&r, "b", "baseline input b in r = max(Σ_j c_j f(θ_j) + b, 0)²");
    cfg->core.sigma = params_real(&r, "sigma", 1.0, 0.0, SIGMA_MAX);
    doc(&r, "sigma", "normalisation constant σ in R = r ⊘ (σ² + W r/n)");
    cfg->core.c0 = params_real(&r, "c0", 0.1, 0.0, 1.0);
    doc(&r, "c0", "tuning-curve floor: f_i(θ) = c0 + (1 − c0) exp(κ(cos(θ − 2πi/n) − 1))");
    cfg->core.kappa = params_real(&r, "kappa", 2.0, 0.0, KAPPA_MAX);
    doc(&r, "kappa", "tuning-curve concentration κ");
    int rc = read_stimuli(&r, k_ok, cfg);
    cfg->steps = (long)params_int(&r, "steps", 1000, 1, STEPS_MAX);
    doc(&r, "steps", "most updates");
    cfg->tol = params_real(&r, "tol", 1e-10, 0.0, 1e6);
    doc(&r, "tol",
        "convergence: ‖ΔW‖_F ≤ tol (2-cycle: ‖W_{t+1} − W_{t−1}‖_F ≤ tol) for window "
        "consecutive updates");
    cfg->window = (long)params_int(&r, "window", 10, 1, 1000000);
    doc(&r, "window", "consecutive updates the convergence or 2-cycle test must hold");
    cfg->max_norm = params_real_gt(&r, "max_norm", 1e10, 0.0, 1e300);
    doc(&r, "max_norm", "‖W‖_F above which the run has diverged");
    long every = lround((double)cfg->steps / SERIES_SPAN);
    cfg->record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, STEPS_MAX);
    doc(&r, "record_every", "updates between series points; default max(1, round(steps/1000))");
    cfg->seed = params_seed(&r);

    size_t valid = n_problems(problems);
    if (valid == start && rc == 0) {
        double n = (double)cfg->core.n, k = (double)cfg->core.k;
        double arrays = 3.0 * n * n;
        double work = (double)cfg->steps * (WORK_PER_NN * n * n + WORK_PER_NK * n * k);
        double points = 3.0 * ((double)(cfg->steps / cfg->record_every) + 2.0);
        if (arrays > (double)limits->max_array_elements)
            params_over_limit(&r, "n", "the weights (3n² numbers)", arrays,
                              (double)limits->max_array_elements);
        else if (work > (double)limits->max_work)
            params_over_limit(&r, "steps", "the run (steps·(12n² + 30nk) operations)", work,
                              (double)limits->max_work);
        else if (points > (double)limits->max_series_points)
            params_over_limit(&r, "record_every", "the series (3·(steps/record_every + 2) points)",
                              points, (double)limits->max_series_points);
    }
    size_t over = n_problems(problems) - valid;

    json_t *norm = NULL;
    int prc = params_close(&r, &norm);
    if (rc == 0 && prc != 0)
        rc =
            valid == start && over > 0 && n_problems(problems) == valid + over ? BASIN_ELIMIT : prc;
    if (rc != 0) {
        json_decref(norm);
        free_config(cfg);
        return rc;
    }
    *normalized = norm;
    *config = cfg;
    return 0;
}

/* ---- run ----------------------------------------------------------------------------------- */

/* The stimulus of update t into c[0..k), theta[0..k). */
static void stimulus(const normnet_config *cfg, basin_rng *rng, long t, double *c, double *theta)
{
    const long k = cfg->core.k;
    if (cfg->stim == STIM_RANDOM) {
        for (long j = 0; j < k; j++) {
            c[j] = cfg->lo + (cfg->hi - cfg->lo) * basin_rng_uniform(rng);
            theta[j] = 2.0 * M_PI * basin_rng_uniform(rng);
        }
        return;
    }
    long i = t % cfg->n_set;
    memcpy(c, cfg->c + i * k, (size_t)k * sizeof *c);
    memcpy(theta, cfg->theta + i * k, (size_t)k * sizeof *theta);
}

static int record(basin_ctx *ctx, long t, const basin_normnet_norms *nm)
{
    int rc = basin_ctx_series(ctx, "dw_norm", t, nm->dw);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "w_minus_c", t, nm->w_c);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "rr_minus_c", t, nm->rr_c);
    return rc;
}

static int attach(basin_ctx *ctx, const basin_normnet *s)
{
    int64_t nn[2] = {s->cfg.n, s->cfg.n}, n1[1] = {s->cfg.n};
    int rc = basin_ctx_artifact(ctx, "W", BASIN_F64, 2, nn, s->W);
    if (rc == 0)
        rc = basin_ctx_artifact(ctx, "C", BASIN_F64, 2, nn, s->C);
    if (rc == 0)
        rc = basin_ctx_artifact(ctx, "R", BASIN_F64, 1, n1, s->R);
    return rc;
}

static int run(const void *config, basin_ctx *ctx)
{
    const normnet_config *cfg = config;
    const long n = cfg->core.n;
    basin_normnet s;
    memset(&s, 0, sizeof s);
    double c[BASIN_NORMNET_K_MAX], theta[BASIN_NORMNET_K_MAX];
    const long period = cfg->stim == STIM_CYCLE ? cfg->n_set : 1;
    double *dw_hist = calloc((size_t)period + 1, sizeof *dw_hist); /* ring of ‖ΔW‖ */
    int rc = dw_hist ? 0 : BASIN_ENOMEM;
    if (rc != 0)
        goto out;
    basin_rng rng;
    basin_rng_seed(&rng, cfg->seed);
    basin_ctx_seed(ctx, cfg->seed);

    stimulus(cfg, &rng, 0, c, theta);
    rc = basin_normnet_init(&s, &cfg->core, NULL, c, theta);
    if (rc == BASIN_EDIVERGED) {
        basin_ctx_summary_bool(ctx, "diverged", true);
        basin_ctx_summary_bool(ctx, "stable", false);
        basin_ctx_summary_string(ctx, "outcome", "diverged");
        basin_ctx_summary_int(ctx, "steps", 0);
        basin_ctx_fail(ctx, "diverged", 0,
                       "σ² + (W₀ r₀)_i/n ≤ 0 for the first stimulus: R₀ is not defined");
        goto out;
    }
    if (rc != 0)
        goto out;

    /* Poll about every 2^22 weight updates. */
    const long check_every = n * n >= (1L << 22) ? 1 : (1L << 22) / (n * n);
    basin_normnet_norms nm = {0, 0, 0, 0, 0, 0}, last = nm;
    long calm = 0, cyc = 0;
    const char *outcome = "max_steps";
    const char *why = NULL;
    long fail_t = 0;
    bool first = true;
    for (long t = 0; t < cfg->steps; t++) {
        if (t % check_every == 0) {
            basin_ctx_progress(ctx, (double)t / (double)cfg->steps);
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
        }
        if (!first)
            stimulus(cfg, &rng, t, c, theta);
        first = false;
        int src = basin_normnet_step(&s, c, theta, &nm);
        if (src == BASIN_EDIVERGED && !(nm.den_min > 0.0)) {
            why = "a denominator σ² + (W r)_i/n reached zero or below";
            last.den_min = nm.den_min;
            outcome = "diverged";
            fail_t = t;
            break;
        }
        last = nm;
        dw_hist[s.step % (period + 1)] = nm.dw;
        bool rec = t % cfg->record_every == 0 || t == cfg->steps - 1;
        if (src == BASIN_EDIVERGED || !(nm.w <= cfg->max_norm)) {
            why = src == BASIN_EDIVERGED ? "‖W‖ overflowed" : "‖W‖_F exceeded max_norm";
            outcome = "diverged";
            fail_t = t;
            rec = true;
        }
        calm = nm.dw <= cfg->tol ? calm + 1 : 0;
        cyc = nm.dw > cfg->tol && nm.cycle <= cfg->tol ? cyc + 1 : 0;
        if (calm >= cfg->window && !why)
            outcome = "converged";
        else if (cyc >= cfg->window && !why)
            outcome = "cycle2";
        if (strcmp(outcome, "max_steps") != 0)
            rec = true;
        if (rec && (rc = record(ctx, t, &nm)) != 0)
            goto out;
        if (strcmp(outcome, "max_steps") != 0)
            break;
    }

    /* growth over the last cycle of stimuli: (‖ΔW_t‖/‖ΔW_{t−p}‖)^{1/p} */
    double growth = NAN;
    if (s.step > period) {
        double now = dw_hist[s.step % (period + 1)];
        double then = dw_hist[(s.step - period) % (period + 1)];
        if (then > 0.0)
            growth = pow(now / then, 1.0 / (double)period);
    }
    bool diverged = strcmp(outcome, "diverged") == 0;
    basin_ctx_summary_bool(ctx, "stable", strcmp(outcome, "converged") == 0);
    basin_ctx_summary_bool(ctx, "cycle2", strcmp(outcome, "cycle2") == 0);
    basin_ctx_summary_bool(ctx, "diverged", diverged);
    basin_ctx_summary_string(ctx, "outcome", outcome);
    basin_ctx_summary_int(ctx, "steps", s.step);
    basin_ctx_summary_real(ctx, "final_dw_norm", last.dw);
    basin_ctx_summary_real(ctx, "growth_ratio", growth);
    basin_ctx_summary_real(ctx, "predicted_ratio", 1.0 + cfg->core.beta);
    basin_ctx_summary_real(ctx, "final_w_minus_c", last.w_c);
    basin_ctx_summary_real(ctx, "final_rr_minus_c", last.rr_c);
    basin_ctx_summary_real(ctx, "w_norm", last.w);
    basin_ctx_summary_real(ctx, "min_denominator", last.den_min);
    rc = attach(ctx, &s);
    if (rc != 0)
        goto out;
    if (diverged) {
        basin_ctx_fail(ctx, "diverged", fail_t, "%s at update %ld", why, fail_t);
        rc = BASIN_EDIVERGED;
        goto out;
    }
    basin_ctx_progress(ctx, 1.0);

out:
    basin_normnet_free(&s);
    free(dw_hist);
    return rc;
}

const basin_model model_normnet = {
    .kind = "normnet",
    .version = "1",
    .summary = "divisive-normalisation network with Hebbian plasticity: convergence, "
               "2-cycles and divergence of W",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
