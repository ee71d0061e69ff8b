/*
 * fokker_planck.c — the `fokker_planck` job kind: the density of overdamped Langevin
 * dynamics relaxing to q_E ∝ exp(−E/T), solved on a grid.
 *
 *     ∂p/∂t = ∇·(K (∇E p + T ∇p))     zero flux through the box's boundary,
 *
 * by conservative finite volumes with the Scharfetter–Gummel (Chang–Cooper) flux,
 * explicit or implicit (backward Euler) in time; see basin/fokker_planck.h for the scheme
 * and why it conserves mass, keeps p ≥ 0 and makes the discrete free energy
 * F_h = Σ V p (E + T ln p) decrease to −T ln Z_h.
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   dim           1 or 2, default 1.
 *   energy        as `langevin` (harmonic, double_well, polynomial, gaussian_mixture),
 *                 default harmonic k = 1 at the origin.
 *   temperature   T in (0, 1e6], default 1.
 *   mobility      a number κ in [1e-6, 1e6] (default 1) or a dim×dim SPD matrix; in 2-D a
 *                 cross term needs |K_xy| h_x/h_y ≤ K_xx and |K_xy| h_y/h_x ≤ K_yy (the
 *                 lattice split of the flux keeps every weight ≥ 0; diagonal dominance on a
 *                 square grid).
 *   grid          {"min", "max", "cells"}: each a number (every axis) or one per axis;
 *                 min < max in [−1e6, 1e6]; cells 2..100000 (1-D) or 2..1000 per axis
 *                 (2-D). Default: the box holding the initial law and the Boltzmann bulk
 *                 (E − min E ≤ 25T per axis) widened by 5% on each side, 200 cells (1-D)
 *                 or 64 per axis (2-D).
 *   init          {"type": "point", "x"} (all the mass in the cell holding x) |
 *                 {"type": "gaussian", "mean", "std"} (cell masses of N(mean, std² I),
 *                 renormalised to the grid; std 0 is a point) |
 *                 {"type": "uniform", "low", "high"} (the overlap of the box with each
 *                 cell). The law must meet the grid.
 *   scheme        "implicit" (default) | "explicit".
 *   dt            (0, 1e6]; default 0.01 (implicit) or 0.9·dt_max (explicit). Explicit steps
 *                 must have dt ≤ dt_max = 1/max_i Σ_j R_{i→j} (positivity: the step matrix
 *                 is then stochastic); larger is refused with the bound in the message.
 *   steps         1..1e9, default 1000.
 *   record_every  ≥ 1, default max(1, round(steps/200)).
 *   snapshot_every ≥ 0, default 0 (none): artifacts `p@<step>` (and at step 0); at most 100
 *                 snapshots of at most 1e6 cells.
 *   spectral_gap  boolean, default true: compute the generator's spectral gap λ_1
 *                 (basin_fp_spectral_gap: a band factorisation and up to 500 solves).
 * Work above the limits is refused at submit (at /params/steps: steps × per-step cost plus
 * the factorisations; at /params/grid/cells: cells or band storage over
 * max_array_elements, or a band factorisation above 3e8 operations — one LAPACK call that
 * cannot stop, so 2-D implicit grids (or the 2-D spectral gap) go up to about 90×90; at
 * /params/record_every: series points).
 *
 * Outputs:
 *   series    `free_energy` F_h, `kl` KL_h(p‖q_h), `mass` Σ V p, `mean_energy`, `entropy`,
 *             `min_p`, at the recorded steps.
 *   summary   `free_energy`, `final_kl`, `mass` at the last step; `mass_error` the largest
 *             |mass − 1| seen; `min_p` the smallest density seen; `free_energy_eq`
 *             = −T ln Z_h (the discrete limit); `free_energy_quadrature` = −T ln Z over R^d
 *             (basin_langevin_log_partition; equal to the grid's limit up to O(h²) and the
 *             Boltzmann mass outside the box); `relaxation_rate`, the measured late decay
 *             rate of KL, −ln(KL_b/KL_a)/(t_b − t_a) over the last two recorded points with
 *             KL > 1e-10 (null when there are none); with spectral_gap `spectral_gap` λ_1
 *             and `kl_rate_predicted` = 2·(ln(1 + dt λ_1)/dt implicit, −ln(1 − dt λ_1)/dt
 *             explicit), which relaxation_rate approaches once the slowest mode dominates;
 *             `dt`, `dt_max`, `steps`, `time`, `cells`.
 *   artifacts `p` (final) and `q` (discrete Boltzmann law) float64 [ny, nx] (1-D: ny = 1),
 *             `x` (and `y`) cell centres, `p@<step>` snapshots.
 * Failure: a non-finite or negative (beyond −1e-12 of the largest) density ends the run as
 * `diverged` at its step (validated params cannot get there).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/fokker_planck.h"
#include "basin/model.h"
#include "energy_params.h"
#include "params.h"

#define SNAPSHOTS_MAX 100
/* Operations of one band factorisation: it runs as a single LAPACK call between two stop
 * checks, so it must stay well under the half second a cancellation may take. */
#define FACTOR_MAX     3e8
#define SNAPSHOT_CELLS 1000000

typedef struct fp_config {
    int d;
    long cells[2];
    double lo[2], hi[2];
    basin_energy E;
    basin_mobility K;
    double T, dt, dt_max;
    basin_fp_scheme scheme;
    ep_init init;
    long steps, record_every, snapshot_every;
    bool gap;
} fp_config;

/* Test hook: sets a parsed config's dt without the explicit step's bound, to reach the
 * `diverged` path that validated params cannot reach. Not for production use. */
void model_fokker_planck_set_dt_unchecked(void *config, double dt);

void model_fokker_planck_set_dt_unchecked(void *config, double dt)
{
    ((fp_config *)config)->dt = dt;
}

/* ---- parse ---------------------------------------------------------------------------- */

/* `key` of the grid: a number for every axis or one per axis, each in [lo, hi] (integers
 * when integral). Writes out[0..d) and the normalised array; returns true when valid. */
static bool read_axes(param_reader *r, const char *key, int d, bool dim_ok, bool integral,
                      double lo, double hi, const double *def, double *out)
{
    const json_t *v = params_raw(r, key, NULL);
    json_t *prop = ep_schema_prop(r, key);
    if (prop) {
        const char *t = integral ? "integer" : "number";
        json_object_set_new(prop, "oneOf",
                            json_pack("[{s:s, s:f, s:f}, {s:s, s:{s:s, s:f, s:f}, s:i, s:i}]",
                                      "type", t, "minimum", lo, "maximum", hi, "type", "array",
                                      "items", "type", t, "minimum", lo, "maximum", hi, "minItems",
                                      1, "maxItems", 2));
        json_object_set_new(prop, "description",
                            json_string("one value for every axis, or one per axis"));
    }
    for (int a = 0; a < d; a++)
        out[a] = def[a];
    bool ok = true;
    char sub[64];
    if (v) {
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        if (!json_is_array(v) && !json_is_number(v)) {
            params_problem(r, key, "must be a number or an array of dim numbers");
            return false;
        }
        if (json_is_array(v) && dim_ok && n != (size_t)d) {
            params_problem(r, key, "must have dim = %d entries; got %zu", d, n);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            double x = json_number_value(e);
            if (json_is_array(v))
                snprintf(sub, sizeof sub, "%s/%zu", key, i);
            else
                snprintf(sub, sizeof sub, "%s", key);
            if (!json_is_number(e) || !(x >= lo && x <= hi) || (integral && x != floor(x))) {
                params_problem(r, sub, "must be %s in [%g, %g]",
                               integral ? "an integer" : "a number", lo, hi);
                ok = false;
            } else if (json_is_array(v)) {
                if (i < (size_t)d)
                    out[i] = x;
            } else {
                for (int a = 0; a < d; a++)
                    out[a] = x;
            }
        }
    }
    if (ok) {
        json_t *norm = json_array();
        for (int a = 0; a < d; a++)
            json_array_append_new(norm,
                                  integral ? json_integer((json_int_t)out[a]) : json_real(out[a]));
        params_put(r, key, norm);
    }
    return ok;
}

static void free_config(void *config)
{
    free(config);
}

/* Operations of one step (for the work estimate and the poll interval). */
static double step_cost(const fp_config *c, int kl)
{
    double n = (double)c->cells[0] * (double)(c->d == 2 ? c->cells[1] : 1);
    return c->scheme == BASIN_FP_IMPLICIT ? n * (4.0 * (3.0 * kl + 1.0) + 10.0)
                                          : n * (c->d == 2 ? 40.0 : 16.0);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const schemes[] = {"implicit", "explicit", NULL};
    fp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = ep_problems(problems);

    size_t before = ep_problems(problems);
    cfg.d = (int)params_int(&r, "dim", 1, 1, 2);
    const bool dim_ok = ep_problems(problems) == before;
    const int d = cfg.d;
    bool energy_ok = ep_energy(&r, "energy", d, dim_ok, &cfg.E);
    before = ep_problems(problems);
    cfg.T = params_real_gt(&r, "temperature", 1.0, 0.0, EP_PARAM_MAX);
    bool T_ok = ep_problems(problems) == before;
    bool mobility_ok = ep_mobility(&r, "mobility", d, dim_ok, &cfg.K);
    bool init_ok = ep_init_read(&r, "init", d, dim_ok, &cfg.init);

    /* grid: defaults from the initial law and the Boltzmann bulk */
    double dlo[2] = {-5.0, -5.0}, dhi[2] = {5.0, 5.0};
    if (dim_ok && energy_ok && T_ok && init_ok) {
        double blo[3], bhi[3], ilo[3], ihi[3];
        basin_langevin_energy_bulk(&cfg.E, d, cfg.T, blo, bhi);
        ep_init_box(&cfg.init, d, ilo, ihi);
        for (int a = 0; a < d; a++) {
            double l = fmin(blo[a], ilo[a]), h = fmax(bhi[a], ihi[a]), w = h - l;
            dlo[a] = l - 0.05 * w;
            dhi[a] = h + 0.05 * w;
        }
    }
    param_reader gr;
    params_child(&r, "grid", &gr);
    before = ep_problems(problems);
    double dcells[2] = {d == 2 ? 64.0 : 200.0, 64.0}, cells[2];
    read_axes(&gr, "min", d, dim_ok, false, -EP_COORD_MAX, EP_COORD_MAX, dlo, cfg.lo);
    read_axes(&gr, "max", d, dim_ok, false, -EP_COORD_MAX, EP_COORD_MAX, dhi, cfg.hi);
    read_axes(&gr, "cells", d, dim_ok, true, 2.0, d == 2 ? 1000.0 : 100000.0, dcells, cells);
    for (int a = 0; dim_ok && a < d; a++) {
        cfg.cells[a] = (long)cells[a];
        if (ep_problems(problems) == before && !(cfg.lo[a] < cfg.hi[a])) {
            char sub[32];
            snprintf(sub, sizeof sub, "max/%d", a);
            params_problem(&gr, sub, "must be above min[%d] = %.17g; got %.17g", a, cfg.lo[a],
                           cfg.hi[a]);
        }
    }
    params_child_end(&r, "grid", &gr);
    bool grid_ok = dim_ok && ep_problems(problems) == before;

    cfg.scheme = strcmp(params_enum(&r, "scheme", "implicit", schemes), "explicit") == 0
                     ? BASIN_FP_EXPLICIT
                     : BASIN_FP_IMPLICIT;

    /* the rates, for dt_max and the mobility's lattice split */
    bool rates_ok = false;
    cfg.dt_max = INFINITY;
    if (grid_ok && energy_ok && T_ok && mobility_ok) {
        double h[2] = {(cfg.hi[0] - cfg.lo[0]) / (double)cfg.cells[0],
                       d == 2 ? (cfg.hi[1] - cfg.lo[1]) / (double)cfg.cells[1] : 1.0};
        double alpha[3];
        int sgn;
        if (basin_fp_lattice_weights(d, &cfg.K, h, alpha, &sgn) != 0) {
            params_problem(&r, "mobility/0/1",
                           "|K_xy| = %g is too large for the grid: the scheme needs "
                           "|K_xy|·h_x/h_y ≤ K_xx and |K_xy|·h_y/h_x ≤ K_yy (h = %g, %g) so that "
                           "every lattice flux weight is ≥ 0",
                           fabs(cfg.K.K[1]), h[0], h[1]);
        } else {
            cfg.dt_max = basin_fp_dt_max_grid(d, cfg.cells, cfg.lo, cfg.hi, &cfg.E, &cfg.K, cfg.T);
            if (isnan(cfg.dt_max)) {
                cfg.dt_max = INFINITY;
                params_problem(&r, "grid",
                               "the energy is not finite at every cell centre of this grid");
            } else {
                rates_ok = true;
            }
        }
    }
    double dt_def =
        cfg.scheme == BASIN_FP_EXPLICIT && isfinite(cfg.dt_max) ? 0.9 * cfg.dt_max : 0.01;
    before = ep_problems(problems);
    cfg.dt = params_real_gt(&r, "dt", dt_def, 0.0, EP_PARAM_MAX);
    json_t *prop = ep_schema_prop(&r, "dt");
    if (prop)
        json_object_set_new(prop, "description",
                            json_string("time step; default 0.01 (implicit) or 0.9·dt_max "
                                        "(explicit, which needs dt ≤ dt_max)"));
    if (rates_ok && ep_problems(problems) == before && cfg.scheme == BASIN_FP_EXPLICIT &&
        !(cfg.dt <= cfg.dt_max))
        params_problem(&r, "dt",
                       "must be at most dt_max = %.6g = 1/max_i Σ_j R_i→j for the explicit step "
                       "to keep p ≥ 0 (use \"scheme\": \"implicit\" for larger steps); got "
                       "%.17g",
                       cfg.dt_max, cfg.dt);
    cfg.steps = (long)params_int(&r, "steps", 1000, 1, 1000000000);
    long every = lround((double)cfg.steps / 200.0);
    cfg.record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, 1000000000);
    if ((prop = ep_schema_prop(&r, "record_every")))
        json_object_set_new(prop, "description",
                            json_string("steps between series points; default "
                                        "max(1, round(steps/200))"));
    cfg.snapshot_every = (long)params_int(&r, "snapshot_every", 0, 0, 1000000000);
    cfg.gap = params_bool(&r, "spectral_gap", true);

    /* the initial law must meet the grid */
    if (grid_ok && init_ok) {
        bool meets = true;
        for (int a = 0; a < d; a++) {
            double l, h;
            if (cfg.init.type == EP_INIT_UNIFORM) {
                l = cfg.init.low[a];
                h = cfg.init.high[a];
                meets &= l < cfg.hi[a] && h > cfg.lo[a];
            } else if (cfg.init.type == EP_INIT_POINT || cfg.init.std == 0.0) {
                meets &= cfg.init.x0[a] >= cfg.lo[a] && cfg.init.x0[a] <= cfg.hi[a];
            } else {
                /* the grid must hold a non-negligible part of the gaussian */
                meets &= cfg.init.x0[a] + 30.0 * cfg.init.std > cfg.lo[a] &&
                         cfg.init.x0[a] - 30.0 * cfg.init.std < cfg.hi[a];
            }
        }
        if (!meets)
            params_problem(&r, "init", "the initial law does not meet the grid [min, max]");
    }
    double n = grid_ok ? (double)cfg.cells[0] * (double)(d == 2 ? cfg.cells[1] : 1) : 0.0;
    if (grid_ok && cfg.snapshot_every > 0) {
        double snaps = (double)(cfg.steps / cfg.snapshot_every) + 1.0;
        if (snaps > SNAPSHOTS_MAX || n > SNAPSHOT_CELLS)
            params_problem(&r, "snapshot_every",
                           "would take %.0f snapshots of %.0f cells; at most %d snapshots of at "
                           "most %d cells",
                           snaps, n, SNAPSHOTS_MAX, SNAPSHOT_CELLS);
    }

    size_t valid = ep_problems(problems);
    if (valid == start) {
        int kl = d == 2 ? (int)cfg.cells[0] + 1 : 1;
        double band = (3.0 * kl + 1.0) * n;
        double factor = 2.0 * n * kl * (2.0 * kl + 1.0);
        double records = (double)(cfg.steps / cfg.record_every) + 2.0;
        double work = (double)cfg.steps * step_cost(&cfg, kl) + records * 20.0 * n +
                      (cfg.scheme == BASIN_FP_IMPLICIT ? factor : 0.0) +
                      (cfg.gap ? factor + 500.0 * n * (4.0 * (3.0 * kl + 1.0) + 10.0) : 0.0);
        if (n > (double)limits->max_array_elements)
            params_over_limit(&r, "grid/cells", "the grid (cells)", n,
                              (double)limits->max_array_elements);
        else if ((cfg.scheme == BASIN_FP_IMPLICIT || cfg.gap) &&
                 band > (double)limits->max_array_elements)
            params_over_limit(&r, "grid/cells", "the band factorisation ((3·(nx+1)+1)·cells)", band,
                              (double)limits->max_array_elements);
        else if ((cfg.scheme == BASIN_FP_IMPLICIT || cfg.gap) && factor > FACTOR_MAX)
            params_over_limit(&r, "grid/cells",
                              "the band factorisation (2·cells·(nx+1)·(2nx+3) operations in one "
                              "LAPACK call, which cannot stop; use fewer cells, or the explicit "
                              "scheme with spectral_gap false)",
                              factor, FACTOR_MAX);
        if (work > (double)limits->max_work)
            params_over_limit(&r, "steps", "the run (steps × cells × band operations)", work,
                              (double)limits->max_work);
        if (6.0 * records > (double)limits->max_series_points)
            params_over_limit(&r, "record_every", "the series (6·(steps/record_every + 2) points)",
                              6.0 * records, (double)limits->max_series_points);
    }
    size_t over = ep_problems(problems) - valid;

    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0)
        return valid == start && over > 0 && ep_problems(problems) == valid + over ? BASIN_ELIMIT
                                                                                   : rc;
    fp_config *out = malloc(sizeof *out);
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

static bool poll_stop(void *user)
{
    return basin_ctx_should_stop(user);
}

static int record(const basin_fp *s, basin_ctx *ctx, long step, basin_fp_stats *st)
{
    basin_fp_measure(s, st);
    int rc = basin_ctx_series(ctx, "free_energy", step, st->free_energy);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "kl", step, st->kl);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "mass", step, st->mass);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "mean_energy", step, st->mean_energy);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "entropy", step, st->entropy);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "min_p", step, st->min_p);
    return rc;
}

static int grid_artifact(basin_ctx *ctx, const basin_fp *s, const char *name, const double *v)
{
    int64_t shape[2] = {s->ny, s->nx};
    return basin_ctx_artifact(ctx, name, BASIN_F64, 2, shape, v);
}

static int snapshot(basin_ctx *ctx, const basin_fp *s)
{
    char name[64];
    snprintf(name, sizeof name, "p@%ld", s->step);
    return grid_artifact(ctx, s, name, s->p);
}

static int run(const void *config, basin_ctx *ctx)
{
    const fp_config *cfg = config;
    basin_fp s;
    basin_fp_stats st;
    double *axis = NULL;
    int rc = basin_fp_init(&s, cfg->d, cfg->cells, cfg->lo, cfg->hi, &cfg->E, &cfg->K, cfg->T,
                           cfg->dt, cfg->scheme);
    if (rc != 0)
        goto out;
    switch (cfg->init.type) {
    case EP_INIT_POINT:
        rc = basin_fp_set_point(&s, cfg->init.x0);
        break;
    case EP_INIT_GAUSSIAN:
        rc = cfg->init.std > 0.0 ? basin_fp_set_gaussian(&s, cfg->init.x0, cfg->init.std)
                                 : basin_fp_set_point(&s, cfg->init.x0);
        break;
    case EP_INIT_UNIFORM:
        rc = basin_fp_set_uniform(&s, cfg->init.low, cfg->init.high);
        break;
    }
    if (rc != 0) {
        basin_ctx_fail(ctx, "invalid_init", 0, "the initial law has no mass on the grid");
        rc = BASIN_EDIVERGED;
        goto out;
    }
    rc = record(&s, ctx, 0, &st);
    if (rc == 0 && cfg->snapshot_every > 0)
        rc = snapshot(ctx, &s);
    if (rc != 0)
        goto out;
    double mass_error = fabs(st.mass - 1.0), min_p = st.min_p;
    /* steps between stop checks: about 2^22 operations */
    const int kl = cfg->d == 2 ? (int)cfg->cells[0] + 1 : 1;
    long chunk = (long)(4194304.0 / step_cost(cfg, kl));
    if (chunk < 1)
        chunk = 1;
    /* the last two recorded points with KL > 1e-10 (above any rounding floor), for the
     * measured rate */
    double kl_a = NAN, t_a = NAN, kl_b = NAN, t_b = NAN;
    if (st.kl > 1e-10) {
        kl_b = st.kl;
        t_b = 0.0;
    }
    while (s.step < cfg->steps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        long n = cfg->record_every - s.step % cfg->record_every;
        if (cfg->snapshot_every > 0) {
            long ns = cfg->snapshot_every - s.step % cfg->snapshot_every;
            n = ns < n ? ns : n;
        }
        if (n > cfg->steps - s.step)
            n = cfg->steps - s.step;
        if (n > chunk)
            n = chunk;
        rc = basin_fp_advance(&s, n);
        if (rc == BASIN_EDIVERGED) {
            basin_ctx_fail(ctx, "diverged", s.step,
                           "the density became negative or non-finite at step %ld (dt = %g, "
                           "dt_max = %g)",
                           s.step, cfg->dt, cfg->dt_max);
            goto out;
        }
        if (rc != 0)
            goto out;
        if (s.step % cfg->record_every == 0 || s.step == cfg->steps) {
            rc = record(&s, ctx, s.step, &st);
            mass_error = fmax(mass_error, fabs(st.mass - 1.0));
            min_p = fmin(min_p, st.min_p);
            if (st.kl > 1e-10) {
                kl_a = kl_b;
                t_a = t_b;
                kl_b = st.kl;
                t_b = (double)s.step * cfg->dt;
            }
        }
        if (rc == 0 && cfg->snapshot_every > 0 && s.step % cfg->snapshot_every == 0)
            rc = snapshot(ctx, &s);
        if (rc != 0)
            goto out;
        basin_ctx_progress(ctx, 0.95 * (double)s.step / (double)cfg->steps);
    }

    basin_ctx_summary_real(ctx, "free_energy", st.free_energy);
    basin_ctx_summary_real(ctx, "final_kl", st.kl);
    basin_ctx_summary_real(ctx, "mass", st.mass);
    basin_ctx_summary_real(ctx, "mass_error", mass_error);
    basin_ctx_summary_real(ctx, "min_p", min_p);
    basin_ctx_summary_real(ctx, "free_energy_eq", -cfg->T * s.log_Zh);
    double log_Z;
    if (basin_langevin_log_partition(&cfg->E, cfg->d, cfg->T, &log_Z) == 0)
        basin_ctx_summary_real(ctx, "free_energy_quadrature", -cfg->T * log_Z);
    basin_ctx_summary_real(ctx, "relaxation_rate",
                           isfinite(kl_a) ? -log(kl_b / kl_a) / (t_b - t_a) : NAN);
    if (cfg->gap) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        double gap;
        rc = basin_fp_spectral_gap(&s, poll_stop, ctx, &gap);
        if (rc != 0)
            goto out;
        basin_ctx_summary_real(ctx, "spectral_gap", gap);
        basin_ctx_summary_real(ctx, "kl_rate_predicted", 2.0 * basin_fp_scheme_rate(&s, gap));
    }
    basin_ctx_summary_real(ctx, "dt", cfg->dt);
    basin_ctx_summary_real(ctx, "dt_max", basin_fp_dt_max(&s));
    basin_ctx_summary_int(ctx, "steps", cfg->steps);
    basin_ctx_summary_real(ctx, "time", (double)cfg->steps * cfg->dt);
    basin_ctx_summary_int(ctx, "cells", s.n);

    rc = grid_artifact(ctx, &s, "p", s.p);
    if (rc != 0)
        goto out;
    for (long i = 0; i < s.n; i++) /* q, through the work buffer */
        s.work[i] = exp(s.log_q[i]);
    rc = grid_artifact(ctx, &s, "q", s.work);
    long nmax = s.nx > s.ny ? s.nx : s.ny;
    axis = malloc((size_t)nmax * sizeof *axis);
    if (rc == 0 && !axis)
        rc = BASIN_ENOMEM;
    for (int a = 0; rc == 0 && a < cfg->d; a++) {
        long m = a == 0 ? s.nx : s.ny;
        for (long i = 0; i < m; i++)
            axis[i] = s.lo[a] + ((double)i + 0.5) * s.h[a];
        int64_t shape[1] = {m};
        rc = basin_ctx_artifact(ctx, a == 0 ? "x" : "y", BASIN_F64, 1, shape, axis);
    }
    basin_ctx_progress(ctx, 1.0);
out:
    free(axis);
    basin_fp_free(&s);
    return rc;
}

const basin_model model_fokker_planck = {
    .kind = "fokker_planck",
    .version = "1",
    .summary = "Fokker-Planck relaxation to exp(-E/T) on a 1-D or 2-D grid (Scharfetter-Gummel "
               "finite volumes, explicit or implicit)",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
