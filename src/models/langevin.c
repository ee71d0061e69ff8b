/*
 * langevin.c — the `langevin` job kind: a particle ensemble relaxing to q_E ∝ exp(−E/T).
 *
 * Equation (Theorem 8 of relaxation-fokker-planck.txt, constant mobility K so that the
 * T ∇·K term vanishes):
 *
 *     dx = −K ∇E(x) dt + √(2T) dW,    dW ~ N(0, K dt),
 *
 * integrated for M independent particles in d = 1..3 dimensions by Euler–Maruyama,
 * x ← x − K ∇E(x) dt + √(2T dt) L ξ with K = L Lᵀ and ξ ~ N(0, I). This version offers
 * the harmonic energy E(x) = ½ k |x − c|² (the Ornstein–Uhlenbeck ensemble), whose law
 * stays Gaussian with mean c + e^{−kKt}(m₀ − c) and covariance
 * T/k·I + e^{−kKt}(v₀ − T/k)e^{−kKt}, relaxing to the Boltzmann law N(c, (T/k) I).
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   energy        {"type": "harmonic", "k": 1.0, "center": [0, ..]}: k in [1e-6, 1e6],
 *                 center one number per dimension in [−1e6, 1e6] (default the origin).
 *                 "double_well", "gaussian_mixture", "polynomial" are not available yet.
 *   dim           integer 1..3, default 1.
 *   particles     M, integer 1..1e8, default 10000; particles·dim ≤ max_array_elements.
 *   steps         integer 1..1e9, default 1000.
 *   dt            real in (0, 1e6], default 0.01, and below the Euler–Maruyama stability
 *                 limit 2/(k·λ_max(K)) (for a scalar mobility κ: 2/(κk)).
 *   temperature   T, real in [0, 1e6], default 1.
 *   init          {"type": "point", "x": [..]} (default: the origin) or
 *                 {"type": "gaussian", "mean": [..], "std": s} (mean default the origin,
 *                 std in [0, 1e6], default 1): x₀ ~ N(mean, s² I). Coordinates in
 *                 [−1e6, 1e6]; every vector has exactly dim numbers.
 *   mobility      a number κ in [1e-6, 1e6] (K = κ I, default 1) or a dim×dim symmetric
 *                 positive-definite matrix (rows of numbers in [−1e6, 1e6]; symmetric to
 *                 1e-12 relative, stored symmetrised).
 *   integrator    "euler_maruyama" (the only one for now).
 *   record_every  integer ≥ 1, default max(1, round(steps/200)): series points are taken at
 *                 step 0, every record_every steps, and at the last step.
 *   seed          uint64; absent: drawn at submit and stored in the normalised params.
 * Work above the limits is refused at submit: particles·steps·dim·20 operations against
 * max_work (at /params/steps), particles·dim against max_array_elements (at
 * /params/particles), and the series points against max_series_points (at
 * /params/record_every).
 *
 * Outputs:
 *   series    `mean`, `variance` (ensemble mean and unbiased variance, each averaged over
 *             the dimensions) and `mean_energy` ⟨E⟩, at the recorded steps.
 *   summary   `mean`, `variance`, `mean_energy` at the last step; for the harmonic energy
 *             `mean_exact`, `variance_exact`, the continuous-time closed form at
 *             t = steps·dt averaged over the dimensions (it differs from the Euler–Maruyama
 *             law by O(dt): the stationary EM variance is (T/k)/(1 − κk dt/2));
 *             `steps`, `time` (= steps·dt).
 *   values    per-dimension arrays `mean`, `variance`, `mean_exact`, `variance_exact`.
 *   artifact  `positions`: float64 [particles, dim], final positions; omitted when
 *             particles·dim > 1e6 (10⁶ coordinates, 8 MB).
 * Failure: a non-finite coordinate ends the run as `diverged` at the step that produced
 * it (validated params cannot get there: the harmonic EM step below its stability limit is
 * a contraction plus bounded noise). The run polls for stop at least every 2^20
 * coordinate updates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/langevin.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "params.h"

#define COORD_MAX      1e6
#define PARAM_MAX      1e6
#define PARAM_MIN      1e-6
#define ARTIFACT_MAX   1000000 /* coordinates */
#define WORK_PER_COORD 20      /* operations per coordinate update, for the work estimate */

typedef enum init_type { INIT_POINT, INIT_GAUSSIAN } init_type;

typedef struct langevin_config {
    int d;
    long M, steps, record_every;
    basin_energy E;
    basin_mobility K;
    double T, dt;
    init_type init;
    double x0[BASIN_LANGEVIN_MAX_DIM]; /* the point, or the gaussian's mean */
    double std;                        /* the gaussian's std (0 for a point) */
    uint64_t seed;
} langevin_config;

/* Test hook: overrides a parsed config's dt without the stability check. Validated params
 * cannot make the harmonic ensemble diverge, so this is the only way to exercise the
 * `diverged` path of run(). Not for production use. */
void model_langevin_set_dt_unchecked(void *config, double dt);

void model_langevin_set_dt_unchecked(void *config, double dt)
{
    ((langevin_config *)config)->dt = dt;
}

/* ---- parse ---------------------------------------------------------------------------- */

static size_t n_problems(const basin_problems *p)
{
    return p->count + p->dropped;
}

/* The schema property of `key` (borrowed), or NULL when no schema is being described. */
static json_t *schema_prop(param_reader *r, const char *key)
{
    return r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
}

/* Reads `key` as a vector of d numbers in [−COORD_MAX, COORD_MAX] into out[0..d) (absent:
 * zeros). Problems: a non-array at key; a bad element at key/i; a missing element at
 * key/n or the first extra one at key/d (length checks only when check_len, i.e. when d
 * itself is valid). Writes the normalised array and returns true when valid. */
static bool read_vector(param_reader *r, const char *key, int d, bool check_len, double *out)
{
    const json_t *v = params_raw(r, key, "array");
    json_t *prop = schema_prop(r, key);
    if (prop) {
        json_object_set_new(prop, "items",
                            json_pack("{s:s, s:f, s:f}", "type", "number", "minimum", -COORD_MAX,
                                      "maximum", COORD_MAX));
        json_object_set_new(prop, "minItems", json_integer(1));
        json_object_set_new(prop, "maxItems", json_integer(BASIN_LANGEVIN_MAX_DIM));
        json_object_set_new(prop, "description",
                            json_string("one number per dimension (exactly dim numbers); "
                                        "default: the origin"));
    }
    for (int a = 0; a < BASIN_LANGEVIN_MAX_DIM; a++)
        out[a] = 0.0;
    bool ok = true;
    if (v) {
        if (!json_is_array(v)) {
            params_problem(r, key, "must be an array of dim = %d numbers", d);
            return false;
        }
        size_t n = json_array_size(v);
        char sub[80];
        if (check_len && n != (size_t)d) {
            snprintf(sub, sizeof sub, "%s/%zu", key, n < (size_t)d ? n : (size_t)d);
            params_problem(r, sub, "%s: the vector needs dim = %d numbers; got %zu",
                           n < (size_t)d ? "missing" : "extra", d, n);
            ok = false;
        }
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_array_get(v, i);
            double x = json_number_value(e);
            if (!json_is_number(e) || !(fabs(x) <= COORD_MAX)) {
                snprintf(sub, sizeof sub, "%s/%zu", key, i);
                params_problem(r, sub, "must be a number in [%g, %g]", -COORD_MAX, COORD_MAX);
                ok = false;
            } else if (i < (size_t)d) {
                out[i] = x;
            }
        }
    }
    if (ok) {
        json_t *norm = json_array();
        for (int a = 0; a < d; a++)
            json_array_append_new(norm, json_real(out[a]));
        params_put(r, key, norm);
    }
    return ok;
}

static const char *const energy_reserved[] = {"double_well", "gaussian_mixture", "polynomial"};

/* energy: {"type": "harmonic", "k", "center"}. */
static void read_energy(param_reader *er, int d, bool dim_ok, basin_energy *E)
{
    const json_t *type = params_raw(er, "type", "string");
    json_t *prop = schema_prop(er, "type");
    if (prop) {
        json_object_set_new(prop, "enum", json_pack("[s]", "harmonic"));
        json_object_set_new(prop, "default", json_string("harmonic"));
    }
    if (type) {
        const char *s = json_string_value(type);
        bool reserved = false;
        for (size_t i = 0; s && i < sizeof energy_reserved / sizeof *energy_reserved; i++)
            reserved |= strcmp(s, energy_reserved[i]) == 0;
        if (!s)
            params_problem(er, "type", "must be a string: \"harmonic\"");
        else if (reserved)
            params_problem(er, "type",
                           "energy \"%s\" is not available yet; this version offers "
                           "\"harmonic\"",
                           s);
        else if (strcmp(s, "harmonic") != 0)
            params_problem(er, "type", "unknown energy \"%s\"; must be \"harmonic\"", s);
    }
    params_put(er, "type", json_string("harmonic"));
    memset(E, 0, sizeof *E);
    E->type = BASIN_ENERGY_HARMONIC;
    E->u.harmonic.k = params_real(er, "k", 1.0, PARAM_MIN, PARAM_MAX);
    read_vector(er, "center", d, dim_ok, E->u.harmonic.c);
}

/* init: {"type": "point", "x"} or {"type": "gaussian", "mean", "std"}. */
static void read_init(param_reader *ir, int d, bool dim_ok, langevin_config *cfg)
{
    static const char *const types[] = {"point", "gaussian", NULL};
    const char *type = params_enum(ir, "type", "point", types);
    if (strcmp(type, "point") == 0) {
        cfg->init = INIT_POINT;
        read_vector(ir, "x", d, dim_ok, cfg->x0);
        cfg->std = 0.0;
    } else {
        cfg->init = INIT_GAUSSIAN;
        read_vector(ir, "mean", d, dim_ok, cfg->x0);
        cfg->std = params_real(ir, "std", 1.0, 0.0, PARAM_MAX);
    }
}

/* The schema of init: one object schema per type, told apart by "type". */
static json_t *describe_init(void)
{
    static const char *const names[] = {"point", "gaussian"};
    json_t *one_of = json_array();
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        basin_problems scratch = {.count = 0};
        json_t *in = json_pack("{s:s}", "type", names[i]);
        json_t *schema = json_object();
        param_reader ir;
        langevin_config tmp;
        params_open(&ir, in, "", &scratch, schema);
        read_init(&ir, 1, false, &tmp);
        json_t *type = schema_prop(&ir, "type");
        if (type)
            json_object_set_new(type, "const", json_string(names[i]));
        params_close(&ir, NULL);
        json_decref(in);
        json_array_append_new(one_of, schema);
    }
    return json_pack("{s:o, s:{s:s}, s:s}", "oneOf", one_of, "default", "type", "point",
                     "description", "initial law: a point (default the origin) or a gaussian");
}

/* mobility: a number κ or a d×d SPD matrix. Returns true when valid. */
static bool read_mobility(param_reader *r, int d, bool dim_ok, basin_mobility *K)
{
    const json_t *v = params_raw(r, "mobility", NULL);
    json_t *prop = schema_prop(r, "mobility");
    if (prop) {
        json_t *row = json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "number");
        json_object_set_new(prop, "oneOf",
                            json_pack("[{s:s, s:f, s:f}, {s:s, s:o, s:i, s:i}]", "type", "number",
                                      "minimum", PARAM_MIN, "maximum", PARAM_MAX, "type", "array",
                                      "items", row, "minItems", 1, "maxItems",
                                      BASIN_LANGEVIN_MAX_DIM));
        json_object_set_new(prop, "default", json_real(1.0));
        json_object_set_new(prop, "description",
                            json_string("mobility K: a number κ (K = κ I) or a dim×dim "
                                        "symmetric positive-definite matrix"));
    }
    memset(K, 0, sizeof *K);
    K->kappa = 1.0;
    if (!v) {
        params_put(r, "mobility", json_real(1.0));
        return true;
    }
    if (json_is_number(v)) {
        double kappa = json_number_value(v);
        if (!(kappa >= PARAM_MIN && kappa <= PARAM_MAX)) {
            params_problem(r, "mobility",
                           "must be a number in [%g, %g] or a dim×dim symmetric "
                           "positive-definite matrix; got %.17g",
                           PARAM_MIN, PARAM_MAX, kappa);
            return false;
        }
        K->kappa = kappa;
        params_put(r, "mobility", json_real(kappa));
        return true;
    }
    if (!json_is_array(v)) {
        params_problem(r, "mobility",
                       "must be a positive number or a dim×dim symmetric positive-definite "
                       "matrix (an array of rows)");
        return false;
    }
    if (!dim_ok)
        return false; /* dim has its own problem; the shape cannot be checked */
    bool ok = true;
    char sub[80];
    size_t n = json_array_size(v);
    if (n != (size_t)d) {
        snprintf(sub, sizeof sub, "mobility/%zu", n < (size_t)d ? n : (size_t)d);
        params_problem(r, sub, "%s row: the mobility matrix needs dim = %d rows; got %zu",
                       n < (size_t)d ? "missing" : "extra", d, n);
        ok = false;
    }
    for (size_t i = 0; i < n && i < (size_t)d; i++) {
        const json_t *row = json_array_get(v, i);
        if (!json_is_array(row)) {
            snprintf(sub, sizeof sub, "mobility/%zu", i);
            params_problem(r, sub, "must be a row of dim = %d numbers", d);
            ok = false;
            continue;
        }
        size_t m = json_array_size(row);
        if (m != (size_t)d) {
            snprintf(sub, sizeof sub, "mobility/%zu/%zu", i, m < (size_t)d ? m : (size_t)d);
            params_problem(r, sub, "%s: each row needs dim = %d numbers; got %zu",
                           m < (size_t)d ? "missing" : "extra", d, m);
            ok = false;
        }
        for (size_t j = 0; j < m && j < (size_t)d; j++) {
            const json_t *e = json_array_get(row, j);
            double x = json_number_value(e);
            if (!json_is_number(e) || !(fabs(x) <= PARAM_MAX)) {
                snprintf(sub, sizeof sub, "mobility/%zu/%zu", i, j);
                params_problem(r, sub, "must be a number in [%g, %g]", -PARAM_MAX, PARAM_MAX);
                ok = false;
            } else {
                K->K[i * (size_t)d + j] = x;
            }
        }
    }
    if (!ok)
        return false;
    double scale = 0.0;
    for (int i = 0; i < d * d; i++)
        scale = fmax(scale, fabs(K->K[i]));
    for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++) {
            double kij = K->K[i * d + j], kji = K->K[j * d + i];
            if (fabs(kij - kji) > 1e-12 * scale) {
                snprintf(sub, sizeof sub, "mobility/%d/%d", i, j);
                params_problem(r, sub,
                               "must equal mobility[%d][%d] = %.17g: the mobility must be "
                               "symmetric; got %.17g",
                               j, i, kji, kij);
                ok = false;
            } else {
                K->K[i * d + j] = K->K[j * d + i] = 0.5 * (kij + kji);
            }
        }
    if (!ok)
        return false;
    K->matrix = true;
    double lmin, lmax;
    if (basin_langevin_mobility_check(d, K, &lmin, &lmax) != 0) {
        params_problem(r, "mobility",
                       "must be positive definite (the mobility is a diffusion tensor); "
                       "this symmetric matrix has a non-positive eigenvalue");
        return false;
    }
    json_t *norm = json_array();
    for (int i = 0; i < d; i++) {
        json_t *row = json_array();
        for (int j = 0; j < d; j++)
            json_array_append_new(row, json_real(K->K[i * d + j]));
        json_array_append_new(norm, row);
    }
    params_put(r, "mobility", norm);
    return true;
}

static void free_config(void *config)
{
    free(config);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const integrators[] = {"euler_maruyama", NULL};
    langevin_config cfg;
    memset(&cfg, 0, sizeof cfg);
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems); /* the caller may have some already */

    size_t before = n_problems(problems);
    cfg.d = (int)params_int(&r, "dim", 1, 1, BASIN_LANGEVIN_MAX_DIM);
    bool dim_ok = n_problems(problems) == before;

    param_reader er;
    before = n_problems(problems);
    params_child(&r, "energy", &er);
    read_energy(&er, cfg.d, dim_ok, &cfg.E);
    params_child_end(&r, "energy", &er);
    bool energy_ok = n_problems(problems) == before;

    cfg.M = (long)params_int(&r, "particles", 10000, 1, 100000000);
    cfg.steps = (long)params_int(&r, "steps", 1000, 1, 1000000000);
    before = n_problems(problems);
    cfg.dt = params_real_gt(&r, "dt", 0.01, 0.0, PARAM_MAX);
    bool dt_ok = n_problems(problems) == before;
    cfg.T = params_real(&r, "temperature", 1.0, 0.0, PARAM_MAX);

    param_reader ir;
    params_child(&r, "init", &ir);
    read_init(&ir, cfg.d, dim_ok, &cfg);
    params_child_end(&r, "init", &ir);
    if (schema)
        json_object_set_new(json_object_get(schema, "properties"), "init", describe_init());

    bool mobility_ok = read_mobility(&r, cfg.d, dim_ok, &cfg.K);
    params_enum(&r, "integrator", "euler_maruyama", integrators);

    long every = lround((double)cfg.steps / 200.0);
    cfg.record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, 1000000000);
    json_t *prop = schema_prop(&r, "record_every");
    if (prop)
        json_object_set_new(prop, "description",
                            json_string("steps between series points; default "
                                        "max(1, round(steps/200))"));
    cfg.seed = params_seed(&r);

    /* x − c ← (I − k dt K)(x − c) + noise is stable iff k dt λ < 2 for every eigenvalue λ
     * of K. λ_max of a matrix carries rounding, so dt within 1e-12 of the limit is refused
     * too. */
    if (energy_ok && mobility_ok && dt_ok) {
        double limit = basin_langevin_dt_limit(cfg.d, &cfg.E, &cfg.K);
        if (!(cfg.dt < limit * (1.0 - 1e-12)))
            params_problem(&r, "dt",
                           "must be below %.6g = 2/(k·%s) for the Euler–Maruyama step to be "
                           "stable; got %.17g",
                           limit, cfg.K.matrix ? "λ_max(mobility)" : "mobility", cfg.dt);
    }

    /* Limits, once everything else is valid. */
    size_t valid = n_problems(problems);
    if (valid == start) {
        double coords = (double)cfg.M * cfg.d;
        double work = coords * (double)cfg.steps * WORK_PER_COORD;
        double points = 3.0 * ((double)(cfg.steps / cfg.record_every) + 2.0);
        if (coords > (double)limits->max_array_elements)
            params_over_limit(&r, "particles", "the positions (particles·dim)", coords,
                              (double)limits->max_array_elements);
        if (work > (double)limits->max_work)
            params_over_limit(&r, "steps", "the run (particles·steps·dim·20 operations)", work,
                              (double)limits->max_work);
        if (points > (double)limits->max_series_points)
            params_over_limit(&r, "record_every", "the series (3·(steps/record_every + 2) points)",
                              points, (double)limits->max_series_points);
    }
    size_t over = n_problems(problems) - valid;

    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0)
        return valid == start && over > 0 && n_problems(problems) == valid + over ? BASIN_ELIMIT
                                                                                  : rc;
    langevin_config *out = malloc(sizeof *out);
    if (!out) {
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    *out = cfg;
    *normalized = norm;
    *config = out;
    return 0;
}

/* ---- run ------------------------------------------------------------------------------ */

typedef struct poll_state {
    basin_ctx *ctx;
    const basin_langevin *s;
    long steps;
} poll_state;

static bool poll_stop(void *user)
{
    poll_state *p = user;
    basin_ctx_progress(p->ctx, (double)p->s->step / (double)p->steps);
    return basin_ctx_should_stop(p->ctx);
}

/* Appends the series points of the current ensemble at `step`; fills *m. */
static int record(const basin_langevin *s, basin_ctx *ctx, long step, basin_langevin_moments *m)
{
    basin_langevin_measure(s, m);
    double mean = 0.0, var = 0.0;
    for (int a = 0; a < s->d; a++) {
        mean += m->mean[a] / s->d;
        var += m->var[a] / s->d;
    }
    int rc = basin_ctx_series(ctx, "mean", step, mean);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "variance", step, var);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "mean_energy", step, m->mean_energy);
    return rc;
}

static json_t *vector_json(int d, const double *v)
{
    json_t *a = json_array();
    for (int i = 0; i < d; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

static int run(const void *config, basin_ctx *ctx)
{
    const langevin_config *cfg = config;
    const int d = cfg->d;
    basin_langevin s;
    memset(&s, 0, sizeof s);
    basin_langevin_moments m;
    int rc;
    double *x = malloc((size_t)cfg->M * (size_t)d * sizeof *x);
    if (!x)
        return BASIN_ENOMEM;
    rc = basin_langevin_init(&s, d, cfg->M, x, &cfg->E, &cfg->K, cfg->T, cfg->dt);
    if (rc != 0)
        goto out;

    basin_rng rng;
    basin_rng_seed(&rng, cfg->seed);
    basin_ctx_seed(ctx, cfg->seed);
    if (cfg->init == INIT_POINT)
        basin_langevin_set_point(&s, cfg->x0);
    else
        basin_langevin_set_gaussian(&s, &rng, cfg->x0, cfg->std);
    rc = record(&s, ctx, 0, &m);
    if (rc != 0)
        goto out;

    poll_state p = {.ctx = ctx, .s = &s, .steps = cfg->steps};
    while (s.step < cfg->steps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        /* up to the next recorded step */
        long n = cfg->record_every - s.step % cfg->record_every;
        if (n > cfg->steps - s.step)
            n = cfg->steps - s.step;
        rc = basin_langevin_advance(&s, &rng, n, poll_stop, &p);
        if (rc == BASIN_EDIVERGED) {
            basin_ctx_fail(ctx, "diverged", s.step,
                           "a particle coordinate became non-finite at step %ld (t = %g, "
                           "dt = %g)",
                           s.step, (double)s.step * cfg->dt, cfg->dt);
            goto out;
        }
        if (rc != 0)
            goto out;
        rc = record(&s, ctx, s.step, &m);
        if (rc != 0)
            goto out;
        basin_ctx_progress(ctx, (double)s.step / (double)cfg->steps);
    }

    /* Summary: the measured moments beside the continuous-time closed form. */
    double t = (double)cfg->steps * cfg->dt;
    double mean_exact[BASIN_LANGEVIN_MAX_DIM], var_exact[BASIN_LANGEVIN_MAX_DIM];
    basin_langevin_harmonic_exact(d, &cfg->E, &cfg->K, cfg->T, cfg->x0, cfg->std * cfg->std, t,
                                  mean_exact, var_exact);
    double mean = 0.0, var = 0.0, me = 0.0, ve = 0.0;
    for (int a = 0; a < d; a++) {
        mean += m.mean[a] / d;
        var += m.var[a] / d;
        me += mean_exact[a] / d;
        ve += var_exact[a] / d;
    }
    basin_ctx_summary_real(ctx, "mean", mean);
    basin_ctx_summary_real(ctx, "variance", var);
    basin_ctx_summary_real(ctx, "mean_energy", m.mean_energy);
    basin_ctx_summary_real(ctx, "mean_exact", me);
    basin_ctx_summary_real(ctx, "variance_exact", ve);
    basin_ctx_summary_int(ctx, "steps", cfg->steps);
    basin_ctx_summary_real(ctx, "time", t);
    basin_ctx_value(ctx, "mean", vector_json(d, m.mean));
    basin_ctx_value(ctx, "variance", vector_json(d, m.var));
    basin_ctx_value(ctx, "mean_exact", vector_json(d, mean_exact));
    basin_ctx_value(ctx, "variance_exact", vector_json(d, var_exact));
    if ((double)cfg->M * d <= ARTIFACT_MAX) {
        int64_t shape[2] = {cfg->M, d};
        rc = basin_ctx_artifact(ctx, "positions", BASIN_F64, 2, shape, x);
    }
    basin_ctx_progress(ctx, 1.0);

out:
    basin_langevin_free(&s);
    free(x);
    return rc;
}

const basin_model model_langevin = {
    .kind = "langevin",
    .version = "1",
    .summary = "particle ensemble relaxing to exp(-E/T) by overdamped Langevin dynamics "
               "(harmonic energy: Ornstein-Uhlenbeck)",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
