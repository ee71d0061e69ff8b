/*
 * langevin.c — the `langevin` job kind: a particle ensemble relaxing to q_E ∝ exp(−E/T).
 *
 * Equation (Theorem 8 of relaxation-fokker-planck.txt, constant mobility K so that the
 * T ∇·K term vanishes):
 *
 *     dx = −K ∇E(x) dt + √(2T) dW,    dW ~ N(0, K dt),
 *
 * integrated for M independent particles in d = 1..3 dimensions by Euler–Maruyama or the
 * overdamped BAOAB limit (Leimkuhler–Matthews), see basin/langevin.h. For the harmonic
 * energy E(x) = ½ k |x − c|² (the Ornstein–Uhlenbeck ensemble) the law stays Gaussian with
 * mean c + e^{−kKt}(m₀ − c) and covariance T/k·I + e^{−kKt}(v₀ − T/k)e^{−kKt}, relaxing to
 * the Boltzmann law N(c, (T/k) I); both integrators' laws are also known exactly.
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   energy        tagged object (default harmonic, k = 1, at the origin):
 *                   {"type": "harmonic", "k": 1.0, "center": [0, ..]}   k in [1e-6, 1e6]
 *                   {"type": "double_well", "barrier": 1.0, "a": 1.0}
 *                       E = Σ_a barrier·((x_a/a)² − 1)², both in [1e-6, 1e6]
 *                   {"type": "polynomial", "coefficients": [c0, .., cn]}
 *                       E = Σ_a Σ_j c_j x_a^j, n even in 2..12, c_n > 0, |c_j| ≤ 1e6;
 *                       default [0, 0, −2, 0, 1] (x⁴ − 2x²)
 *                   {"type": "gaussian_mixture", "weights", "means", "covs"}
 *                       E = −ln Σ_k w_k N(x; μ_k, Σ_k), up to 16 components, weights > 0
 *                       summing to 1 (1e-9), covs variances or SPD matrices
 *   dim           integer 1..3, default 1.
 *   particles     M, integer 1..1e8, default 10000; particles·dim ≤ max_array_elements.
 *   steps         integer 1..1e9, default 1000.
 *   dt            real in (0, 1e6], default 0.01, below the explicit step's stability limit
 *                 2/(κ_E·λ_max(K)): κ_E = k for the harmonic energy (exact limit); for the
 *                 others the largest curvature of E over the box holding the initial law
 *                 and the Boltzmann bulk (E − min E ≤ 25T per axis), a necessary condition
 *                 (basin_langevin_dt_limit). A run can still diverge from far out in a
 *                 superlinear potential: that ends as `diverged`.
 *   temperature   T, real in [0, 1e6], default 1.
 *   init          {"type": "point", "x": [..]} (default: the origin) |
 *                 {"type": "gaussian", "mean": [..], "std": s} (std default 1) |
 *                 {"type": "uniform", "low": [..], "high": [..]} (default [−1, 1]^dim).
 *   mobility      a number κ in [1e-6, 1e6] (K = κ I, default 1) or a dim×dim symmetric
 *                 positive-definite matrix (symmetric to 1e-12 relative, stored symmetrised).
 *   integrator    "euler_maruyama" (default) | "baoab".
 *   histogram     {"bins": n, "min": [..], "max": [..]}: the grid of the entropy and KL
 *                 estimators (T > 0 only). bins per axis default 100 / 40 / 20 for dim
 *                 1 / 2 / 3, with bins^dim ≤ 1e6 and the cells' Boltzmann masses
 *                 (bins^dim·4^dim energy evaluations, made before the first stop check)
 *                 ≤ 3e8 operations; min/max default the box holding the initial law and
 *                 the Boltzmann bulk; min < max per axis.
 *   record_every  integer ≥ 1, default max(1, round(steps/200)): series points are taken at
 *                 step 0, every record_every steps, and at the last step.
 *   snapshot_every integer ≥ 0, default 0 (none): artifact `positions@<step>` every that
 *                 many steps (and at step 0); at most 100 snapshots, particles·dim ≤ 1e6.
 *   seed          uint64; absent: drawn at submit and stored in the normalised params.
 * Work above the limits is refused at submit: particles·steps·dim·(20 + energy cost)
 * operations plus the recordings against max_work (at /params/steps), particles·dim
 * against max_array_elements (at /params/particles), and the series points against
 * max_series_points (at /params/record_every).
 *
 * Outputs:
 *   series    `mean`, `variance` (ensemble mean and unbiased variance, each averaged over
 *             the dimensions), `mean_energy` ⟨E⟩, `free_energy` ⟨E⟩ − T Ĥ, and for T > 0
 *             `entropy` Ĥ, `kl_to_boltzmann` D̂ and `histogram_outside` (the histogram
 *             estimators of basin/langevin.h, Miller–Madow corrected; biases stated there).
 *   summary   `mean`, `variance`, `mean_energy`, `free_energy`, (T > 0) `entropy`,
 *             `kl_to_boltzmann`, `histogram_outside` at the last step; `free_energy_eq`
 *             = −T ln Z (min E at T = 0), the value F relaxes to; for the harmonic energy
 *             `mean_exact`, `variance_exact` (continuous-time closed form at t = steps·dt)
 *             and `variance_scheme` (the integrator's exact law after `steps` steps), all
 *             averaged over the dimensions; `steps`, `time` (= steps·dt).
 *   values    per-dimension arrays `mean`, `variance` (and for harmonic `mean_exact`,
 *             `variance_exact`, `variance_scheme`); `log_partition` ln Z (T > 0).
 *   artifacts `positions`: float64 [particles, dim], final positions, omitted when
 *             particles·dim > 1e6; `positions@<step>` snapshots.
 * Failure: a non-finite coordinate ends the run as `diverged` at the step that produced
 * it. The run polls for stop at least every 2^20 coordinate updates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/langevin.h"
#include "basin/model.h"
#include "energy_params.h"
#include "params.h"

#define ARTIFACT_MAX   1000000 /* coordinates of one positions artifact */
#define SNAPSHOTS_MAX  100
#define HIST_CELLS_MAX 1000000
#define TABLE_MAX      3e8 /* operations of the histogram's Boltzmann table */

typedef struct langevin_config {
    int d;
    long M, steps, record_every, snapshot_every;
    basin_energy E;
    basin_mobility K;
    double T, dt;
    basin_langevin_integrator integrator;
    ep_init init;
    int bins;
    double hist_lo[BASIN_LANGEVIN_MAX_DIM], hist_hi[BASIN_LANGEVIN_MAX_DIM];
    uint64_t seed;
} langevin_config;

/* Test hook: overrides a parsed config's dt without the stability check. Validated params
 * cannot make the harmonic ensemble diverge, so this is the only way to exercise the
 * `diverged` path of run() there. Not for production use. */
void model_langevin_set_dt_unchecked(void *config, double dt);

void model_langevin_set_dt_unchecked(void *config, double dt)
{
    ((langevin_config *)config)->dt = dt;
}

/* ---- parse ---------------------------------------------------------------------------- */

/* Operations per coordinate update of the energy's gradient (for the work estimate). */
static double gradient_cost(const basin_energy *E, int d)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        return 4.0;
    case BASIN_ENERGY_DOUBLE_WELL:
        return 6.0;
    case BASIN_ENERGY_POLYNOMIAL:
        return 2.0 * E->u.polynomial.degree + 2.0;
    case BASIN_ENERGY_GAUSSIAN_MIXTURE:
        return E->u.mixture.n * (2.0 * d + 40.0);
    }
    return 40.0;
}

/* histogram: {"bins", "min", "max"}; defaults from the box [lo, hi]. */
static void read_histogram(param_reader *r, int d, bool dim_ok, const double *lo, const double *hi,
                           langevin_config *cfg)
{
    param_reader hr;
    params_child(r, "histogram", &hr);
    static const int def_bins[4] = {0, 100, 40, 20};
    long max_bins = d == 1 ? HIST_CELLS_MAX : d == 2 ? 1000 : 100;
    cfg->bins = (int)params_int(&hr, "bins", def_bins[dim_ok ? d : 1], 1, max_bins);
    json_t *prop = ep_schema_prop(&hr, "bins");
    if (prop)
        json_object_set_new(prop, "description",
                            json_string("cells per axis: default 100 / 40 / 20 for dim 1 / 2 / "
                                        "3; bins^dim ≤ 1e6"));
    bool ok = ep_vector(&hr, "min", d, dim_ok, lo, cfg->hist_lo);
    ok &= ep_vector(&hr, "max", d, dim_ok, hi, cfg->hist_hi);
    if ((prop = ep_schema_prop(&hr, "min")))
        json_object_set_new(prop, "description",
                            json_string("lower corner; default: the box of the initial law and "
                                        "the Boltzmann bulk"));
    if ((prop = ep_schema_prop(&hr, "max")))
        json_object_set_new(prop, "description",
                            json_string("upper corner; default: the box of the initial law and "
                                        "the Boltzmann bulk"));
    for (int a = 0; ok && dim_ok && a < d; a++)
        if (!(cfg->hist_lo[a] < cfg->hist_hi[a])) {
            char sub[32];
            snprintf(sub, sizeof sub, "max/%d", a);
            params_problem(&hr, sub, "must be above min[%d] = %.17g; got %.17g", a, cfg->hist_lo[a],
                           cfg->hist_hi[a]);
        }
    params_child_end(r, "histogram", &hr);
}

static void free_config(void *config)
{
    free(config);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const integrators[] = {"euler_maruyama", "baoab", NULL};
    langevin_config cfg;
    memset(&cfg, 0, sizeof cfg);
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = ep_problems(problems); /* the caller may have some already */

    size_t before = ep_problems(problems);
    cfg.d = (int)params_int(&r, "dim", 1, 1, BASIN_LANGEVIN_MAX_DIM);
    const bool dim_ok = ep_problems(problems) == before;
    const int d = cfg.d;

    bool energy_ok = ep_energy(&r, "energy", d, dim_ok, &cfg.E);
    cfg.M = (long)params_int(&r, "particles", 10000, 1, 100000000);
    cfg.steps = (long)params_int(&r, "steps", 1000, 1, 1000000000);
    before = ep_problems(problems);
    cfg.dt = params_real_gt(&r, "dt", 0.01, 0.0, EP_PARAM_MAX);
    bool dt_ok = ep_problems(problems) == before;
    before = ep_problems(problems);
    cfg.T = params_real(&r, "temperature", 1.0, 0.0, EP_PARAM_MAX);
    bool T_ok = ep_problems(problems) == before;
    bool init_ok = ep_init_read(&r, "init", d, dim_ok, &cfg.init);
    bool mobility_ok = ep_mobility(&r, "mobility", d, dim_ok, &cfg.K);
    cfg.integrator =
        strcmp(params_enum(&r, "integrator", "euler_maruyama", integrators), "baoab") == 0
            ? BASIN_LANGEVIN_BAOAB
            : BASIN_LANGEVIN_EULER_MARUYAMA;

    /* the box of the initial law and the Boltzmann bulk: dt limit and histogram range */
    double lo[BASIN_LANGEVIN_MAX_DIM] = {-1, -1, -1}, hi[BASIN_LANGEVIN_MAX_DIM] = {1, 1, 1};
    const bool box_ok = dim_ok && energy_ok && T_ok && init_ok;
    if (box_ok) {
        double blo[3], bhi[3];
        ep_init_box(&cfg.init, d, lo, hi);
        basin_langevin_energy_bulk(&cfg.E, d, cfg.T, blo, bhi);
        for (int a = 0; a < d; a++) {
            lo[a] = fmin(lo[a], blo[a]);
            hi[a] = fmax(hi[a], bhi[a]);
        }
    }
    double hlo[3], hhi[3];
    for (int a = 0; a < 3; a++) { /* a degenerate box (T = 0, point init) gets a unit width */
        double mid = 0.5 * (lo[a] + hi[a]), half = fmax(0.5 * (hi[a] - lo[a]), 0.5);
        hlo[a] = mid - half;
        hhi[a] = mid + half;
    }
    read_histogram(&r, d, dim_ok, hlo, hhi, &cfg);

    long every = lround((double)cfg.steps / 200.0);
    cfg.record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, 1000000000);
    json_t *prop = ep_schema_prop(&r, "record_every");
    if (prop)
        json_object_set_new(prop, "description",
                            json_string("steps between series points; default "
                                        "max(1, round(steps/200))"));
    cfg.snapshot_every = (long)params_int(&r, "snapshot_every", 0, 0, 1000000000);
    if ((prop = ep_schema_prop(&r, "snapshot_every")))
        json_object_set_new(prop, "description",
                            json_string("steps between `positions@<step>` artifacts (0: none); "
                                        "at most 100, particles·dim ≤ 1e6"));
    cfg.seed = params_seed(&r);

    /* The explicit step's stability limit 2/(κ_E λ_max(K)); λ_max of a matrix carries
     * rounding, so dt within 1e-12 of the limit is refused too. */
    if (box_ok && mobility_ok && dt_ok) {
        double limit = basin_langevin_dt_limit(d, &cfg.E, &cfg.K, lo, hi);
        if (!(cfg.dt < limit * (1.0 - 1e-12))) {
            if (cfg.E.type == BASIN_ENERGY_HARMONIC)
                params_problem(&r, "dt",
                               "must be below %.6g = 2/(k·%s) for the explicit step to be "
                               "stable; got %.17g",
                               limit, cfg.K.matrix ? "λ_max(mobility)" : "mobility", cfg.dt);
            else
                params_problem(&r, "dt",
                               "must be below %.6g = 2/(κ_E·λ_max(mobility)) for the explicit "
                               "step to be stable, κ_E = %.6g the largest curvature of the "
                               "energy over the initial law and the Boltzmann bulk; got %.17g",
                               limit, 2.0 / (limit * (cfg.K.matrix ? 1.0 : cfg.K.kappa)), cfg.dt);
        }
    }
    if (dim_ok && cfg.snapshot_every > 0) {
        double snaps = (double)(cfg.steps / cfg.snapshot_every) + 1.0;
        if (snaps > SNAPSHOTS_MAX || (double)cfg.M * d > ARTIFACT_MAX)
            params_problem(&r, "snapshot_every",
                           "would take %.0f snapshots of %.0f coordinates; at most %d "
                           "snapshots of at most %d coordinates",
                           snaps, (double)cfg.M * d, SNAPSHOTS_MAX, ARTIFACT_MAX);
    }
    long cells = 1;
    for (int a = 0; dim_ok && a < d; a++)
        cells *= cfg.bins;
    if (dim_ok && cells > HIST_CELLS_MAX)
        params_problem(&r, "histogram/bins", "bins^dim = %ld cells; at most %d", cells,
                       HIST_CELLS_MAX);
    /* the Boltzmann masses of the cells (4^dim energy evaluations each) are computed in one
     * call before the first stop check: keep that well under the half second a cancellation
     * may take */
    double table = (double)cells * pow(4.0, d) * (8.0 + gradient_cost(&cfg.E, d));
    if (dim_ok && energy_ok && cells <= HIST_CELLS_MAX && cfg.T > 0.0 && table > TABLE_MAX)
        params_over_limit(&r, "histogram/bins",
                          "the Boltzmann table of the histogram (bins^dim·4^dim energy "
                          "evaluations, one call that cannot stop)",
                          table, TABLE_MAX);

    /* Limits, once everything else is valid. */
    size_t valid = ep_problems(problems);
    if (valid == start) {
        double coords = (double)cfg.M * d;
        double per_coord = 16.0 + gradient_cost(&cfg.E, d);
        double records = (double)(cfg.steps / cfg.record_every) + 2.0;
        double work = coords * (double)cfg.steps * per_coord +
                      records * (coords * (per_coord + 20.0) + (double)cells) +
                      (cfg.T > 0.0 ? (double)cells * pow(4.0, d) * per_coord : 0.0);
        double points = 8.0 * records;
        if (coords > (double)limits->max_array_elements)
            params_over_limit(&r, "particles", "the positions (particles·dim)", coords,
                              (double)limits->max_array_elements);
        if (work > (double)limits->max_work)
            params_over_limit(&r, "steps", "the run (particles·steps·dim operations)", work,
                              (double)limits->max_work);
        if (points > (double)limits->max_series_points)
            params_over_limit(&r, "record_every", "the series (8·(steps/record_every + 2) points)",
                              points, (double)limits->max_series_points);
    }
    size_t over = ep_problems(problems) - valid;

    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0)
        return valid == start && over > 0 && ep_problems(problems) == valid + over ? BASIN_ELIMIT
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

/* What one recording measured. */
typedef struct record_out {
    basin_langevin_moments m;
    basin_langevin_hist_stats h;
    double mean, var, free_energy;
} record_out;

/* Appends the series points of the current ensemble at `step`; fills *o. */
static int record(const basin_langevin *s, basin_langevin_hist *hist, basin_ctx *ctx, long step,
                  record_out *o)
{
    basin_langevin_measure(s, &o->m);
    o->mean = o->var = 0.0;
    for (int a = 0; a < s->d; a++) {
        o->mean += o->m.mean[a] / s->d;
        o->var += o->m.var[a] / s->d;
    }
    o->free_energy = o->m.mean_energy;
    if (hist) {
        basin_langevin_hist_measure(hist, s->x, s->M, &o->h);
        o->free_energy = o->m.mean_energy - s->T * o->h.entropy; /* F = ⟨E⟩ − T H */
    }
    int rc = basin_ctx_series(ctx, "mean", step, o->mean);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "variance", step, o->var);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "mean_energy", step, o->m.mean_energy);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "free_energy", step, o->free_energy);
    if (hist) {
        if (rc == 0)
            rc = basin_ctx_series(ctx, "entropy", step, o->h.entropy);
        if (rc == 0)
            rc = basin_ctx_series(ctx, "kl_to_boltzmann", step, o->h.kl);
        if (rc == 0)
            rc = basin_ctx_series(ctx, "histogram_outside", step, o->h.outside);
    }
    return rc;
}

static int snapshot(const langevin_config *cfg, basin_ctx *ctx, const double *x, long step)
{
    char name[64];
    snprintf(name, sizeof name, "positions@%ld", step);
    int64_t shape[2] = {cfg->M, cfg->d};
    return basin_ctx_artifact(ctx, name, BASIN_F64, 2, shape, x);
}

static json_t *vector_json(int d, const double *v)
{
    json_t *a = json_array();
    for (int i = 0; i < d; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

static double dim_mean(int d, const double *v)
{
    double s = 0.0;
    for (int a = 0; a < d; a++)
        s += v[a] / d;
    return s;
}

static int run(const void *config, basin_ctx *ctx)
{
    const langevin_config *cfg = config;
    const int d = cfg->d;
    basin_langevin s;
    memset(&s, 0, sizeof s);
    basin_langevin_hist hist, *hp = NULL;
    memset(&hist, 0, sizeof hist);
    record_out o;
    int rc;
    double *x = malloc((size_t)cfg->M * (size_t)d * sizeof *x);
    if (!x)
        return BASIN_ENOMEM;
    rc = basin_langevin_init(&s, d, cfg->M, x, &cfg->E, &cfg->K, cfg->T, cfg->dt, cfg->integrator,
                             cfg->seed);
    if (rc != 0)
        goto out;
    if (cfg->T > 0.0) {
        rc = basin_langevin_hist_init(&hist, &cfg->E, d, cfg->T, cfg->bins, cfg->hist_lo,
                                      cfg->hist_hi);
        if (rc != 0)
            goto out;
        hp = &hist;
    }
    basin_ctx_seed(ctx, cfg->seed);
    switch (cfg->init.type) {
    case EP_INIT_POINT:
        basin_langevin_set_point(&s, cfg->init.x0);
        break;
    case EP_INIT_GAUSSIAN:
        basin_langevin_set_gaussian(&s, cfg->init.x0, cfg->init.std);
        break;
    case EP_INIT_UNIFORM:
        basin_langevin_set_uniform(&s, cfg->init.low, cfg->init.high);
        break;
    }
    rc = record(&s, hp, ctx, 0, &o);
    if (rc == 0 && cfg->snapshot_every > 0)
        rc = snapshot(cfg, ctx, x, 0);
    if (rc != 0)
        goto out;

    poll_state p = {.ctx = ctx, .s = &s, .steps = cfg->steps};
    while (s.step < cfg->steps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        /* up to the next recorded or snapshot step */
        long n = cfg->record_every - s.step % cfg->record_every;
        if (cfg->snapshot_every > 0) {
            long ns = cfg->snapshot_every - s.step % cfg->snapshot_every;
            n = ns < n ? ns : n;
        }
        if (n > cfg->steps - s.step)
            n = cfg->steps - s.step;
        rc = basin_langevin_advance(&s, n, poll_stop, &p);
        if (rc == BASIN_EDIVERGED) {
            basin_ctx_fail(ctx, "diverged", s.step,
                           "a particle coordinate became non-finite at step %ld (t = %g, "
                           "dt = %g)",
                           s.step, (double)s.step * cfg->dt, cfg->dt);
            goto out;
        }
        if (rc != 0)
            goto out;
        if (s.step % cfg->record_every == 0 || s.step == cfg->steps)
            rc = record(&s, hp, ctx, s.step, &o);
        if (rc == 0 && cfg->snapshot_every > 0 && s.step % cfg->snapshot_every == 0)
            rc = snapshot(cfg, ctx, x, s.step);
        if (rc != 0)
            goto out;
        basin_ctx_progress(ctx, (double)s.step / (double)cfg->steps);
    }

    /* Summary: the last recording, the equilibrium free energy, the closed forms. */
    const double t = (double)cfg->steps * cfg->dt;
    basin_ctx_summary_real(ctx, "mean", o.mean);
    basin_ctx_summary_real(ctx, "variance", o.var);
    basin_ctx_summary_real(ctx, "mean_energy", o.m.mean_energy);
    basin_ctx_summary_real(ctx, "free_energy", o.free_energy);
    if (hp) {
        basin_ctx_summary_real(ctx, "entropy", o.h.entropy);
        basin_ctx_summary_real(ctx, "kl_to_boltzmann", o.h.kl);
        basin_ctx_summary_real(ctx, "histogram_outside", o.h.outside);
        basin_ctx_summary_real(ctx, "free_energy_eq", -cfg->T * hist.log_Z);
        basin_ctx_value(ctx, "log_partition", json_real(hist.log_Z));
    } else {
        basin_ctx_summary_real(ctx, "free_energy_eq", basin_langevin_energy_min(&cfg->E, d));
    }
    basin_ctx_summary_int(ctx, "steps", cfg->steps);
    basin_ctx_summary_real(ctx, "time", t);
    basin_ctx_value(ctx, "mean", vector_json(d, o.m.mean));
    basin_ctx_value(ctx, "variance", vector_json(d, o.m.var));
    if (cfg->E.type == BASIN_ENERGY_HARMONIC) {
        double me[BASIN_LANGEVIN_MAX_DIM], ve[BASIN_LANGEVIN_MAX_DIM];
        double ms[BASIN_LANGEVIN_MAX_DIM], vs[BASIN_LANGEVIN_MAX_DIM];
        double v0 = 0.0; /* the initial covariance v₀·I */
        if (cfg->init.type == EP_INIT_GAUSSIAN)
            v0 = cfg->init.std * cfg->init.std;
        bool iso = true; /* the closed forms need an isotropic initial covariance */
        if (cfg->init.type == EP_INIT_UNIFORM) {
            double w0 = cfg->init.high[0] - cfg->init.low[0];
            v0 = w0 * w0 / 12.0;
            for (int a = 1; a < d; a++)
                iso &= cfg->init.high[a] - cfg->init.low[a] == w0;
        }
        if (iso) {
            basin_langevin_harmonic_exact(d, &cfg->E, &cfg->K, cfg->T, cfg->init.x0, v0, t, me, ve);
            basin_langevin_harmonic_scheme(d, &cfg->E, &cfg->K, cfg->T, cfg->integrator,
                                           cfg->init.x0, v0, cfg->dt, cfg->steps, ms, vs);
            basin_ctx_summary_real(ctx, "mean_exact", dim_mean(d, me));
            basin_ctx_summary_real(ctx, "variance_exact", dim_mean(d, ve));
            basin_ctx_summary_real(ctx, "variance_scheme", dim_mean(d, vs));
            basin_ctx_value(ctx, "mean_exact", vector_json(d, me));
            basin_ctx_value(ctx, "variance_exact", vector_json(d, ve));
            basin_ctx_value(ctx, "variance_scheme", vector_json(d, vs));
        }
    }
    if ((double)cfg->M * d <= ARTIFACT_MAX) {
        int64_t shape[2] = {cfg->M, d};
        rc = basin_ctx_artifact(ctx, "positions", BASIN_F64, 2, shape, x);
    }
    basin_ctx_progress(ctx, 1.0);

out:
    basin_langevin_hist_free(&hist);
    basin_langevin_free(&s);
    free(x);
    return rc;
}

const basin_model model_langevin = {
    .kind = "langevin",
    .version = "2",
    .summary = "particle ensemble relaxing to exp(-E/T) by overdamped Langevin dynamics "
               "(harmonic, double-well, polynomial, Gaussian-mixture energies)",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
