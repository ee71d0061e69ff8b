/*
 * continuous_hopfield.c — the `continuous_hopfield` job kind: the stochastic continuous
 * Hopfield network with linear activations, trained by recall-and-learn and then asked to
 * recall each training pattern from a noisy cue (models.md §A; relaxation-fokker-planck.txt
 * §4; the numerics are in src/core/continuous_hopfield.c).
 *
 * Network (Definition 16 with g(v) = v, f(h) = h, I = 0; Theorem 17 with K_v = K_h = I):
 *     E(v, h) = ½|v|² + ½|h|² − vᵀUh,
 *     dv = (U h − v) dt + √(2T) dW_v,   dh = (Uᵀv − h) dt + √(2T) dW_h,
 * integrated exactly (the transition of this linear SDE over dt is Gaussian and known).
 * Learning (Algorithm 15), `epochs` times over the patterns x^μ in order: recall — the
 * hidden units relax at fixed v = x^μ for `steps` steps of `dt` from h = 0 — then learn —
 * U ← U + η (x h̄ᵀ − U⟨hhᵀ⟩) (`oja`) or U ← U + η x h̄ᵀ (`hebb`, Remark 18), with the averages
 * over the second half of the relaxation. U starts as N(0, σ₀²) entries,
 * σ₀ = 0.1/(√visible + √hidden), so that its largest singular value is about 0.1.
 * Pure Hebbian learning increases U without bound; once its largest singular value reaches
 * 1 the energy is unbounded below and the network has no stationary law: with `hebb` the
 * run fails as `diverged` at that epoch (checked after every epoch). Oja's rule keeps U
 * bounded: its expected fixed point has singular values √(1 − T/λ_k) < 1, λ_k the
 * eigenvalues of the pattern covariance (1/P) Σ x xᵀ. At low T/λ that is close to 1 and
 * the sampling noise of the hidden averages can carry a singular value slightly above it;
 * the run then goes on — the slowest recall mode grows as e^{(s−1)t}, negligibly over the
 * recall, and `free_energy_eq` is null — and only a non-finite U fails (`diverged`).
 * Recall: every pattern is cued (`cue`), the hidden units start at their conditional mean
 * given the cue, h₀ = Uᵀv₀ (recall's first step, as in learning), and the joint dynamics
 * runs for `recall_steps` steps of `dt`. With linear activations the stationary law has
 * mean 0, so recall is a transient: components of the cue off the span of U decay at
 * rate 1, those along a learnt pattern direction at the slow rate 1 − s_k (≈ T/(2λ_k)
 * after Oja learning) — a recall time of a few units (the default 50 × 0.1) removes the
 * noise and keeps the pattern. The free energy F[p_t] = ⟨E⟩ − T·H of the law of the
 * state (Gaussian, from the point mass at the cue) is computed exactly; it decreases
 * towards the equilibrium value −T ln Z. `energy` and `recon_error` are those of the
 * sampled states.
 *
 * Parameters (every one optional):
 *   visible        integer in [1, 4096]; default 64, or the length of explicit patterns.
 *   hidden         integer in [1, 512], default 16.
 *   patterns       a count P in [1, 4096] of random ±1 patterns, {"count": P, "bias": b}
 *                  (default {"count": 4, "bias": 0}), or an array of P arrays of `visible`
 *                  numbers in [−1e6, 1e6], none all zero.
 *   rule           "oja" (default) or "hebb".
 *   epochs         integer in [0, 100000], default 100 (0: recall with the initial U).
 *   learning_rate  η > 0 with η·(max_μ |x^μ|² + T) ≤ 0.5 (larger steps make Oja's rule
 *                  overshoot); default 0.2/(max_μ |x^μ|² + T).
 *   temperature    T in [0, 1000], default 0.05.
 *   dt             in (0, 10], default 0.1.
 *   steps          integer in [1, 100000], default 200: relaxation steps of the hidden units
 *                  in each learning recall (the second half is averaged).
 *   recall_steps   integer in [1, 100000], default 50: steps of the final recall.
 *   cue            {"flip": f} (round(f·visible) distinct coordinates negated, default
 *                  0.1) or {"mask": f} (set to 0), f ∈ [0, 1].
 *   record_every   integer in [1, 100000], default 1: series points at epoch/step 0, every
 *                  record_every and the last.
 *   seed           uint64 (absent: drawn at submit); patterns, cues, the initial U, the
 *                  learning noise and the recall noise use streams 1–5 split from it.
 * Admission (BASIN_ELIMIT, one problem): arrays against max_array_elements (at
 * /patterns), series points (at /record_every), the work of learning (at /epochs) and of
 * the recall (at /recall_steps) against max_work.
 *
 * Output. series: `learn_free_energy` (per epoch: the mean over the patterns of the
 * conditional free energy −T ln Z(x^μ) = ½|x|² − ½|Uᵀx|² − (hidden·T/2) ln 2πT, the
 * quantity the Hebbian term lowers), and per recall step, averaged over the patterns:
 * `free_energy` (exact, from step 1 when T > 0: the point mass at step 0 has entropy −∞),
 * `energy` (of the samples), `recon_error` (|v − x|²/|x|² of the samples), `overlap`
 * (cosine of v and x). summary: `free_energy`, `free_energy_eq` (−T ln Z, when U's largest
 * singular value is below 1), `energy`, `recon_error`, `cue_error` (the same at the cue),
 * `mean_recon_error` (of the law's mean: the noise-free recall), `overlap`, `recalled`
 * (patterns whose recalled state is closest in angle to their own pattern),
 * `recall_fraction`, `epochs`, `u_norm` (largest singular value of U),
 * `learn_free_energy`. artifacts: `U` ([visible, hidden]), `recalled` ([P, visible], the
 * final samples), `singular_values` ([min(visible, hidden)]).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/continuous_hopfield.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "models/params.h"

#define NV_MAX     4096
#define NH_MAX     512
#define P_MAX      4096
#define EPOCHS_MAX 100000
#define STEPS_MAX  100000
#define VALUE_MAX  1e6
#define NV_DEFAULT 64
#define NH_DEFAULT 16
#define P_DEFAULT  4

#define CHUNK_OPS    2e7
#define RECALL_BLOCK 64 /* rows of V Xᵀ per block of the final comparison */

enum { STREAM_PATTERNS = 1, STREAM_CUE, STREAM_INIT, STREAM_LEARN, STREAM_RECALL };

typedef struct chn_config {
    long nv, nh, p;
    double *X;   /* explicit patterns or NULL */
    double bias; /* random patterns */
    basin_chn_rule rule;
    long epochs, steps, recall_steps, record_every;
    double eta, T, dt;
    bool mask;
    double cue_fraction;
    uint64_t seed;
} chn_config;

static void chn_free_config(void *config)
{
    chn_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->X);
    free(cfg);
}

/* ---- parse --------------------------------------------------------------------------- */

static void doc(param_reader *r, const char *key, const char *text)
{
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
    if (prop)
        json_object_set_new(prop, "description", json_string(text));
}

/* Explicit patterns: P arrays of nv numbers, none all zero. Returns the normalised form
 * or NULL after recording problems; allocates cfg->X when well formed. */
static json_t *read_pattern_rows(param_reader *r, const json_t *v, chn_config *cfg, bool nv_ok,
                                 int *rc)
{
    size_t P = json_array_size(v), nv = (size_t)cfg->nv;
    if (P < 1 || P > P_MAX) {
        params_problem(r, "patterns", "must hold between 1 and %d patterns; got %zu", P_MAX, P);
        return NULL;
    }
    cfg->p = (long)P;
    bool shaped = nv_ok;
    for (size_t mu = 0; mu < P && shaped; mu++) {
        const json_t *row = json_array_get(v, mu);
        shaped = json_is_array(row) && json_array_size(row) == nv;
    }
    double *X = shaped ? malloc(P * nv * sizeof *X) : NULL;
    if (shaped && !X) {
        *rc = BASIN_ENOMEM;
        return NULL;
    }
    json_t *norm = json_array();
    bool ok = true;
    for (size_t mu = 0; mu < P; mu++) {
        char sub[48];
        snprintf(sub, sizeof sub, "patterns/%zu", mu);
        const json_t *row = json_array_get(v, mu);
        if (!json_is_array(row) || (nv_ok && json_array_size(row) != nv)) {
            params_problem(r, sub, "must be an array of visible = %ld numbers", cfg->nv);
            ok = false;
            continue;
        }
        json_t *nrow = json_array();
        double norm2 = 0.0;
        for (size_t i = 0; i < json_array_size(row); i++) {
            const json_t *e = json_array_get(row, i);
            double x = json_number_value(e);
            if (!json_is_number(e) || !(x >= -VALUE_MAX && x <= VALUE_MAX)) {
                char el[96];
                snprintf(el, sizeof el, "%s/%zu", sub, i);
                params_problem(r, el, "must be a number in [%g, %g]", -VALUE_MAX, VALUE_MAX);
                ok = false;
                continue;
            }
            norm2 += x * x;
            if (X)
                X[mu * nv + i] = x;
            json_array_append_new(nrow, json_real(x));
        }
        if (ok && norm2 == 0.0) {
            params_problem(r, sub, "must not be all zero");
            ok = false;
        }
        json_array_append_new(norm, nrow);
    }
    if (!ok || !X) {
        free(X);
        json_decref(norm);
        return NULL;
    }
    cfg->X = X;
    return norm;
}

static void read_patterns(param_reader *r, chn_config *cfg, bool nv_ok, int *rc)
{
    const json_t *v = params_raw(r, "patterns", NULL);
    doc(r, "patterns",
        "training patterns: a count of random ±1 patterns, {count, bias}, or arrays of "
        "`visible` numbers");
    /* Defaults also for explicit patterns that turn out malformed. */
    cfg->p = P_DEFAULT;
    cfg->bias = 0.0;
    *rc = 0;
    if (params_random_patterns(r, v, P_DEFAULT, P_MAX, &cfg->p, &cfg->bias))
        return;
    if (!json_is_array(v)) {
        params_problem(r, "patterns",
                       "must be a count, an object {count, bias} or an array of "
                       "patterns");
        return;
    }
    json_t *norm = read_pattern_rows(r, v, cfg, nv_ok, rc);
    params_put(r, "patterns", norm ? norm : json_null());
}

static void read_cue(param_reader *r, chn_config *cfg)
{
    const json_t *v = params_raw(r, "cue", "object");
    doc(r, "cue",
        "noisy cue of every pattern: {flip: f} negates a fraction f of the coordinates, "
        "{mask: f} sets them to 0");
    cfg->mask = false;
    cfg->cue_fraction = 0.1;
    if (v && !json_is_object(v)) {
        params_problem(r, "cue", "must be an object {flip} or {mask}");
        v = NULL;
    }
    param_reader c;
    char ptr[sizeof r->pointer + 16];
    snprintf(ptr, sizeof ptr, "%s/cue", r->pointer);
    params_open(&c, v, ptr, r->problems, NULL);
    if (v && json_object_get(v, "mask")) {
        if (params_raw(&c, "flip", NULL))
            params_problem(&c, "mask", "give either flip or mask, not both");
        cfg->mask = true;
        cfg->cue_fraction = params_real(&c, "mask", 0.1, 0.0, 1.0);
    } else {
        cfg->cue_fraction = params_real(&c, "flip", 0.1, 0.0, 1.0);
    }
    json_t *norm = NULL;
    params_close(&c, &norm);
    params_put(r, "cue", norm ? norm : json_null());
}

/* max_μ |x^μ|² of the patterns (random ±1: visible). */
static double max_norm2(const chn_config *cfg)
{
    if (!cfg->X)
        return (double)cfg->nv;
    double best = 0.0;
    for (long mu = 0; mu < cfg->p; mu++) {
        double s = 0.0;
        for (long i = 0; i < cfg->nv; i++)
            s += cfg->X[mu * cfg->nv + i] * cfg->X[mu * cfg->nv + i];
        best = s > best ? s : best;
    }
    return best;
}

static double learn_work(const chn_config *cfg)
{
    double nv = (double)cfg->nv, nh = (double)cfg->nh, P = (double)cfg->p;
    double per_pattern = (double)cfg->steps * basin_chn_relax_cost(cfg->nv, cfg->nh) +
                         basin_chn_update_cost(cfg->nv, cfg->nh) + 4.0 * nv * nh;
    double per_epoch = P * per_pattern + 10.0 * nv * nh * (nv < nh ? nv : nh) + 2.0 * P * nv * nh;
    return (double)cfg->epochs * per_epoch;
}

static double recall_work(const chn_config *cfg)
{
    double nv = (double)cfg->nv, nh = (double)cfg->nh, P = (double)cfg->p;
    double records = (double)cfg->recall_steps / (double)cfg->record_every + 2.0;
    return (double)cfg->recall_steps * P * basin_chn_recall_cost(cfg->nv, cfg->nh) +
           records * P * (nv + nh) * 4.0 + 10.0 * nv * nh * (nv < nh ? nv : nh) +
           0.25 * P * P * nv + 20.0 * P * nv;
}

static bool check_limits(param_reader *r, const chn_config *cfg, const basin_limits *limits)
{
    double nv = (double)cfg->nv, nh = (double)cfg->nh, P = (double)cfg->p;
    double elements = 5.0 * P * nv + 4.0 * nv * nh + 4.0 * P * nh + 8.0 * P;
    if (elements > (double)limits->max_array_elements) {
        params_over_limit(r, "patterns", "the patterns, couplings and states (array elements)",
                          elements, (double)limits->max_array_elements);
        return true;
    }
    double points = (floor((double)cfg->epochs / (double)cfg->record_every) + 2.0) +
                    4.0 * (floor((double)cfg->recall_steps / (double)cfg->record_every) + 2.0);
    if (points > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", points,
                          (double)limits->max_series_points);
        return true;
    }
    double learn = learn_work(cfg);
    if (learn > (double)limits->max_work) {
        params_over_limit(r, "epochs", "learning (operations)", learn, (double)limits->max_work);
        return true;
    }
    double total = learn + recall_work(cfg);
    if (total > (double)limits->max_work) {
        params_over_limit(r, "recall_steps", "learning and recall (operations)", total,
                          (double)limits->max_work);
        return true;
    }
    return false;
}

static int chn_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                     basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const rules[] = {"oja", "hebb", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    chn_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc = 0;

    int64_t nv_def = NV_DEFAULT;
    const json_t *pat = r.in ? json_object_get(r.in, "patterns") : NULL;
    if (json_is_array(pat) && json_is_array(json_array_get(pat, 0))) {
        size_t len = json_array_size(json_array_get(pat, 0));
        if (len >= 1 && len <= NV_MAX)
            nv_def = (int64_t)len;
    }
    size_t before = problems->count + problems->dropped;
    cfg->nv = (long)params_int(&r, "visible", nv_def, 1, NV_MAX);
    doc(&r, "visible", "visible units; default 64, or the length of the explicit patterns");
    bool nv_ok = problems->count + problems->dropped == before;
    cfg->nh = (long)params_int(&r, "hidden", NH_DEFAULT, 1, NH_MAX);
    doc(&r, "hidden", "hidden units");

    before = problems->count + problems->dropped;
    read_patterns(&r, cfg, nv_ok, &rc);
    if (rc)
        goto fail;
    bool p_ok = problems->count + problems->dropped == before;

    const char *rule = params_enum(&r, "rule", "oja", rules);
    doc(&r, "rule",
        "oja: U += eta (x hbar^T - U <h h^T>) (Hebbian with Oja's decay, bounded); hebb: "
        "U += eta x hbar^T (grows until the network loses its stationary law)");
    cfg->rule = strcmp(rule, "hebb") == 0 ? BASIN_CHN_HEBB : BASIN_CHN_OJA;
    cfg->epochs = (long)params_int(&r, "epochs", 100, 0, EPOCHS_MAX);
    doc(&r, "epochs", "passes of recall-and-learn over the patterns");
    cfg->T = params_real(&r, "temperature", 0.05, 0.0, 1000.0);
    doc(&r, "temperature", "T of the noise sqrt(2T) dW");
    cfg->dt = params_real_gt(&r, "dt", 0.1, 0.0, 10.0);
    doc(&r, "dt", "time step of the (exact) stochastic dynamics");
    cfg->steps = (long)params_int(&r, "steps", 200, 1, STEPS_MAX);
    doc(&r, "steps", "relaxation steps of the hidden units in each learning recall");
    cfg->recall_steps = (long)params_int(&r, "recall_steps", 50, 1, STEPS_MAX);
    doc(&r, "recall_steps", "steps of the final recall from the cues");
    double m2 = nv_ok && p_ok ? max_norm2(cfg) : 1.0;
    double eta_def = 0.2 / (m2 + cfg->T);
    cfg->eta = params_real_gt(&r, "learning_rate", eta_def, 0.0, 1e6);
    doc(&r, "learning_rate", "eta; at most 0.5/(max |x|^2 + T); default 0.2/(max |x|^2 + T)");
    if (nv_ok && p_ok && cfg->eta * (m2 + cfg->T) > 0.5)
        params_problem(&r, "learning_rate",
                       "must satisfy learning_rate*(max |x|^2 + T) <= 0.5 (here %.6g*%.6g = "
                       "%.6g): larger steps overshoot",
                       cfg->eta, m2 + cfg->T, cfg->eta * (m2 + cfg->T));
    read_cue(&r, cfg);
    cfg->record_every = (long)params_int(&r, "record_every", 1, 1, STEPS_MAX);
    doc(&r, "record_every", "record the series every this many epochs and recall steps");
    cfg->seed = params_seed(&r);

    bool over = false;
    if (problems->count + problems->dropped == 0)
        over = check_limits(&r, cfg, limits);
    rc = params_close(&r, normalized);
    if (rc) {
        if (over && problems->count == 1 && problems->dropped == 0)
            rc = BASIN_ELIMIT;
        goto out;
    }
    *config = cfg;
    return 0;

fail:
    params_close(&r, NULL);
out:
    chn_free_config(cfg);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------- */

typedef struct run_state {
    const chn_config *cfg;
    basin_ctx *ctx;
    const double *X;
    double *xnorm2; /* P: |x^μ|² */
    double *E;      /* P scratch */
    double *M;      /* P×nh scratch */
    double *G;      /* RECALL_BLOCK×P scratch */
} run_state;

/* Mean over the patterns of the conditional free energy −T ln Z(x^μ). */
static double learn_free_energy(const run_state *st, const double *U)
{
    const chn_config *cfg = st->cfg;
    basin_chn_conditional_free_energies(U, cfg->nv, cfg->nh, cfg->T, st->X, cfg->p, st->M, st->E);
    double sum = 0.0;
    for (long mu = 0; mu < cfg->p; mu++)
        sum += st->E[mu];
    return sum / (double)cfg->p;
}

/* |v − x|²/|x|² and the cosine of v and x. */
static void compare(const double *v, const double *x, long n, double x2, double *err, double *cos)
{
    double d2 = 0.0, vv = 0.0, vx = 0.0;
    for (long i = 0; i < n; i++) {
        d2 += (v[i] - x[i]) * (v[i] - x[i]);
        vv += v[i] * v[i];
        vx += v[i] * x[i];
    }
    *err = d2 / x2;
    *cos = vv > 0.0 ? vx / sqrt(vv * x2) : 0.0;
}

/* Records the recall series at step t: means over the patterns. The energies come in
 * blocks of queries with a check for a stop between them. */
static int record_recall(run_state *st, basin_chn_recall *R, long t, double out[4])
{
    const chn_config *cfg = st->cfg;
    size_t nv = (size_t)cfg->nv;
    for (long j0 = 0; j0 < cfg->p; j0 += RECALL_BLOCK) {
        if (basin_ctx_should_stop(st->ctx))
            return BASIN_ECANCELLED;
        basin_chn_recall_energies(R, j0, j0 + RECALL_BLOCK < cfg->p ? j0 + RECALL_BLOCK : cfg->p,
                                  st->E);
    }
    double E = 0.0, F = 0.0, err = 0.0, ov = 0.0;
    for (long j = 0; j < cfg->p; j++) {
        double e, c;
        compare(R->V + (size_t)j * nv, st->X + (size_t)j * nv, cfg->nv, st->xnorm2[j], &e, &c);
        E += st->E[j];
        F += basin_chn_recall_free_energy(R, j);
        err += e;
        ov += c;
    }
    double P = (double)cfg->p;
    out[0] = F / P;
    out[1] = E / P;
    out[2] = err / P;
    out[3] = ov / P;
    if (!isfinite(out[1]) || !isfinite(out[2]) || isnan(out[0])) {
        basin_ctx_fail(st->ctx, "diverged", t, "non-finite state in the recall at step %ld", t);
        return BASIN_EDIVERGED;
    }
    int rc = 0;
    if (isfinite(out[0]))
        rc = basin_ctx_series(st->ctx, "free_energy", t, out[0]);
    if (!rc)
        rc = basin_ctx_series(st->ctx, "energy", t, out[1]);
    if (!rc)
        rc = basin_ctx_series(st->ctx, "recon_error", t, out[2]);
    if (!rc)
        rc = basin_ctx_series(st->ctx, "overlap", t, out[3]);
    return rc;
}

/* Patterns: explicit, or random ±1 (one uniform each). */
static void make_patterns(const chn_config *cfg, basin_rng *rng, double *X)
{
    size_t total = (size_t)cfg->p * (size_t)cfg->nv;
    if (cfg->X) {
        memcpy(X, cfg->X, total * sizeof *X);
        return;
    }
    double p_up = 0.5 * (1.0 + cfg->bias);
    for (size_t k = 0; k < total; k++)
        X[k] = basin_rng_uniform(rng) < p_up ? 1.0 : -1.0;
}

/* Cue j: pattern j with round(f·nv) distinct coordinates negated or set to 0. */
static int make_cues(const chn_config *cfg, const double *X, basin_rng *rng, double *V0)
{
    size_t nv = (size_t)cfg->nv, P = (size_t)cfg->p;
    size_t m = (size_t)floor(cfg->cue_fraction * (double)nv + 0.5);
    m = m > nv ? nv : m;
    uint32_t *idx = malloc(nv * sizeof *idx);
    if (!idx)
        return BASIN_ENOMEM;
    memcpy(V0, X, P * nv * sizeof *V0);
    for (size_t j = 0; j < P; j++) {
        for (size_t i = 0; i < nv; i++)
            idx[i] = (uint32_t)i;
        for (size_t k = 0; k < m; k++) {
            size_t s = k + (size_t)basin_rng_below(rng, (uint64_t)(nv - k));
            uint32_t t = idx[k];
            idx[k] = idx[s];
            idx[s] = t;
            double *x = V0 + j * nv + idx[k];
            *x = cfg->mask ? 0.0 : -*x;
        }
    }
    free(idx);
    return 0;
}

static int chn_run(const void *config, basin_ctx *ctx)
{
    const chn_config *cfg = config;
    size_t nv = (size_t)cfg->nv, nh = (size_t)cfg->nh, P = (size_t)cfg->p;
    double *X = NULL, *U0 = NULL, *V0 = NULL, *H0 = NULL;
    basin_chn_learner *L = NULL;
    basin_chn_recall *R = NULL;
    run_state st = {.cfg = cfg, .ctx = ctx};
    int rc;

    basin_ctx_seed(ctx, cfg->seed);
    if (basin_ctx_should_stop(ctx))
        return BASIN_ECANCELLED;
    basin_rng root, rng_pat, rng_cue, rng_init, rng_learn, rng_recall;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_PATTERNS, &rng_pat);
    basin_rng_split(&root, STREAM_CUE, &rng_cue);
    basin_rng_split(&root, STREAM_INIT, &rng_init);
    basin_rng_split(&root, STREAM_LEARN, &rng_learn);
    basin_rng_split(&root, STREAM_RECALL, &rng_recall);

    X = malloc(P * nv * sizeof *X);
    U0 = malloc(nv * nh * sizeof *U0);
    V0 = malloc(P * nv * sizeof *V0);
    H0 = malloc(P * nh * sizeof *H0);
    st.xnorm2 = malloc(P * sizeof *st.xnorm2);
    st.E = malloc(P * sizeof *st.E);
    st.M = malloc(P * nh * sizeof *st.M);
    st.G = malloc((P < RECALL_BLOCK ? P : RECALL_BLOCK) * P * sizeof *st.G);
    if (!st.M || !st.G || !X || !U0 || !V0 || !H0 || !st.xnorm2 || !st.E) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    make_patterns(cfg, &rng_pat, X);
    st.X = X;
    for (size_t j = 0; j < P; j++) {
        double s = 0.0;
        for (size_t i = 0; i < nv; i++)
            s += X[j * nv + i] * X[j * nv + i];
        st.xnorm2[j] = s;
    }
    /* U0 entries N(0, σ₀²), σ₀ = 0.1/(√nv + √nh): largest singular value ≈ 0.1 */
    double sigma0 = 0.1 / (sqrt((double)nv) + sqrt((double)nh));
    basin_rng_normals(&rng_init, U0, (long)(nv * nh));
    for (size_t k = 0; k < nv * nh; k++)
        U0[k] *= sigma0;
    if ((rc = basin_chn_learner_alloc(cfg->nv, cfg->nh, cfg->rule, cfg->T, cfg->dt, cfg->eta, U0,
                                      &L)))
        goto out;

    /* ---- recall and learn ---- */
    double total = (double)cfg->epochs + 1.0;
    if (basin_ctx_should_stop(ctx)) {
        rc = BASIN_ECANCELLED;
        goto out;
    }
    double Flearn = learn_free_energy(&st, L->U);
    if ((rc = basin_ctx_series(ctx, "learn_free_energy", 0, Flearn)))
        goto out;
    long relax_chunk = (long)(CHUNK_OPS / basin_chn_relax_cost(cfg->nv, cfg->nh)) + 1;
    for (long e = 1; e <= cfg->epochs; e++) {
        for (size_t mu = 0; mu < P; mu++) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            basin_chn_learn_begin(L, X + mu * nv, cfg->steps);
            while (!basin_chn_learn_relax(L, relax_chunk, &rng_learn))
                if (basin_ctx_should_stop(ctx)) {
                    rc = BASIN_ECANCELLED;
                    goto out;
                }
            basin_chn_learn_end(L);
        }
        double s_max;
        rc = basin_chn_spectral_norm(L->U, cfg->nv, cfg->nh, &s_max);
        if (rc == BASIN_EDIVERGED) {
            basin_ctx_fail(ctx, "diverged", e, "U is not finite after epoch %ld", e);
            goto out;
        }
        if (rc)
            goto out;
        if (cfg->rule == BASIN_CHN_HEBB && s_max >= 1.0) {
            basin_ctx_fail(ctx, "diverged", e,
                           "after epoch %ld the largest singular value of U is %.6g >= 1: the "
                           "energy is unbounded below and the network has no stationary law",
                           e, s_max);
            rc = BASIN_EDIVERGED;
            goto out;
        }
        if (e % cfg->record_every == 0 || e == cfg->epochs) {
            Flearn = learn_free_energy(&st, L->U);
            if ((rc = basin_ctx_series(ctx, "learn_free_energy", e, Flearn)))
                goto out;
        }
        basin_ctx_progress(ctx, 0.9 * (double)e / total);
    }

    /* ---- recall from the cues ---- */
    if (basin_ctx_should_stop(ctx)) {
        rc = BASIN_ECANCELLED;
        goto out;
    }
    if ((rc = basin_chn_recall_alloc(L->U, cfg->nv, cfg->nh, cfg->p, cfg->T, cfg->dt, &R))) {
        if (rc == BASIN_EDIVERGED)
            basin_ctx_fail(ctx, "diverged", cfg->epochs, "the SVD of U failed");
        goto out;
    }
    if ((rc = make_cues(cfg, X, &rng_cue, V0)))
        goto out;
    /* h₀ = Uᵀv₀ for every cue (H0 = V0 U), in blocks of queries */
    for (size_t j0 = 0; j0 < P; j0 += RECALL_BLOCK) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        size_t m = P - j0 < RECALL_BLOCK ? P - j0 : RECALL_BLOCK;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, (blasint)nh, (blasint)nv,
                    1.0, V0 + j0 * nv, (blasint)nv, L->U, (blasint)nh, 0.0, H0 + j0 * nh,
                    (blasint)nh);
        basin_chn_recall_set_states(R, (long)j0, (long)(j0 + m), V0, H0);
    }
    double first[4], last[4];
    if ((rc = record_recall(&st, R, 0, first)))
        goto out;
    memcpy(last, first, sizeof last);
    for (long t = 1; t <= cfg->recall_steps; t++) {
        while (!basin_chn_recall_step_part(R, &rng_recall, CHUNK_OPS))
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
        if (t % cfg->record_every == 0 || t == cfg->recall_steps)
            if ((rc = record_recall(&st, R, t, last)))
                goto out;
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        basin_ctx_progress(ctx, 0.9 + 0.1 * (double)t / (double)cfg->recall_steps);
    }

    /* recalled: the final sample is closest in angle to its own pattern, argmax_μ of
     * v·x^μ/|x^μ| — from blocks of rows of V Xᵀ, checking for a stop between blocks */
    long recalled = 0;
    double mean_err = 0.0;
    size_t block = RECALL_BLOCK;
    double *Vm = V0; /* the cues are no longer needed: the means of a block go here */
    for (size_t j0 = 0; j0 < P; j0 += block) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        size_t m = P - j0 < block ? P - j0 : block;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)m, (blasint)P, (blasint)nv,
                    1.0, R->V + j0 * nv, (blasint)nv, X, (blasint)nv, 0.0, st.G, (blasint)P);
        basin_chn_recall_means(R, (long)j0, (long)(j0 + m), Vm);
        for (size_t j = j0; j < j0 + m; j++) {
            const double *g = st.G + (j - j0) * P;
            size_t best = 0;
            double best_c = -INFINITY;
            for (size_t mu = 0; mu < P; mu++) {
                double c = g[mu] / sqrt(st.xnorm2[mu]);
                if (c > best_c) {
                    best_c = c;
                    best = mu;
                }
            }
            recalled += best == j;
            double e, cs;
            compare(Vm + (j - j0) * nv, X + j * nv, cfg->nv, st.xnorm2[j], &e, &cs);
            mean_err += e;
        }
    }
    basin_ctx_summary_real(ctx, "free_energy", last[0]);
    basin_ctx_summary_real(ctx, "free_energy_eq", basin_chn_equilibrium_free_energy(R));
    basin_ctx_summary_real(ctx, "energy", last[1]);
    basin_ctx_summary_real(ctx, "recon_error", last[2]);
    basin_ctx_summary_real(ctx, "cue_error", first[2]);
    basin_ctx_summary_real(ctx, "mean_recon_error", mean_err / (double)P);
    basin_ctx_summary_real(ctx, "overlap", last[3]);
    basin_ctx_summary_int(ctx, "recalled", recalled);
    basin_ctx_summary_real(ctx, "recall_fraction", (double)recalled / (double)P);
    basin_ctx_summary_int(ctx, "epochs", cfg->epochs);
    basin_ctx_summary_real(ctx, "u_norm", R->s[0]);
    basin_ctx_summary_real(ctx, "learn_free_energy", Flearn);
    int64_t shape_u[2] = {(int64_t)nv, (int64_t)nh}, shape_v[2] = {(int64_t)P, (int64_t)nv};
    int64_t shape_s[1] = {(int64_t)R->r};
    if ((rc = basin_ctx_artifact(ctx, "U", BASIN_F64, 2, shape_u, L->U)) ||
        (rc = basin_ctx_artifact(ctx, "recalled", BASIN_F64, 2, shape_v, R->V)) ||
        (rc = basin_ctx_artifact(ctx, "singular_values", BASIN_F64, 1, shape_s, R->s)))
        goto out;
    basin_ctx_progress(ctx, 1.0);
    rc = 0;
out:
    basin_chn_learner_free(L);
    basin_chn_recall_free(R);
    free(X);
    free(U0);
    free(V0);
    free(H0);
    free(st.xnorm2);
    free(st.E);
    free(st.M);
    free(st.G);
    return rc;
}

const basin_model model_continuous_hopfield = {
    .kind = "continuous_hopfield",
    .version = "1",
    .summary = "stochastic continuous Hopfield network with linear activations: "
               "recall-and-learn (Hebbian, Oja), exact free energy, recall from noisy cues",
    .parse = chn_parse,
    .run = chn_run,
    .free_config = chn_free_config,
};
