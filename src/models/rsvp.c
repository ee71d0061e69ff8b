/*
 * rsvp.c — the `rsvp` job kind: coupled scalar Φ, vector v and entropy S = |∇Φ|² fields
 * (models.md §B; rsvp-sparse-fields.txt §2, §6 and the ethical gradient η of §12):
 *
 *     ∂Φ/∂t = D ∇²Φ − ∇·v,   S = |∇Φ|²,   ∂v/∂t = −γ∇S − δ∇η + f − μv + ν∇²v,
 *
 * on a staggered grid (Φ, S, η, c at cell centres (i·h, j·h); vx, vy on the faces) with
 * explicit conservative steps — the scheme, its boundary rules and its stability limit
 * are in basin/rsvp.h (src/core/rsvp.c); coherence tiles in basin/tiles.h.
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   nx, ny        cells per axis in [2, 4096], nx·ny ≤ 4194304; default 64 × 64.
 *   h             cell size in (0, 1e6], default 1.
 *   D             diffusion in (0, 1e6], default 1.
 *   gamma, delta  couplings of −γ∇S and −δ∇η, in [0, 1e6]; defaults 0.1 and 1.
 *   mu, nu        friction and viscosity in [0, 1e6], default 0.
 *   lambda        weight of λ∫c|Φ| in the free energy, [0, 1e12], default 0.
 *   phi0          initial Φ, a field (src/models/field_params.h: number, nx·ny array,
 *                 preset) at the cell centres; default a gaussian bump of amplitude 1 and
 *                 width 4h at the centre of the box.
 *   v0, force     {"x": field, "y": field}: initial v and forcing f, sampled on the
 *                 x-faces ((i+½)h, jh) and y-faces (ih, (j+½)h); default 0.
 *   eta, cost     η and c ≥ 0 at the cell centres (fields); defaults 0 and 1.
 *   boundary      "periodic" (default) | "neumann" | "dirichlet".
 *   boundary_value dirichlet: Φ_b on the boundary faces, a number or a preset (no arrays),
 *                 default 0.
 *   anchors       [{"x", "y", "value", "rate"}], at most 100000: cells (x/h, y/h whole
 *                 numbers inside the box) held at value + rate·t; rate defaults to
 *                 anchor_rate. Two anchors on one cell must agree.
 *   anchor_rate   default rate of the anchors, [−1e12, 1e12], default 0.
 *   dt            time step in (0, dt_max]; default 0.9·dt_max. dt_max (basin/rsvp.h)
 *                 = min(h²/(4D), 2/(μ + 8ν/h²), h^{3/2}/(8√(γG))), G a bound on the
 *                 initial |∇Φ| (field_gradient_bound of phi0 and, dirichlet, of
 *                 boundary_value; jumps between them and at anchors are not counted). A
 *                 larger dt is refused with the limit in the message.
 *   steps         1..10^9, default 1000.
 *   record_every  ≥ 1, default max(1, steps/200): the series at step 0, every
 *                 record_every steps and the last.
 *   snapshot_every ≥ 0, default 0 (none): artifacts `phi@<step>` at step 0 and every
 *                 snapshot_every steps, at most 100 of them.
 *   tiles         {"thresholds": [τ...] (1..16 values ≥ 0, default [0.5, 1]),
 *                  "relative": true (default: τ times the mean of the final S),
 *                  "recursive": false, "max_depth": 1..12 (default 3),
 *                  "min_gain": [0, 1) (default 0)}.
 *   seed          uint64 for the noise presets (streams 1 phi0, 2 v0.x, 3 v0.y, 4 eta,
 *                 5 cost, 6 force.x, 7 force.y, 8 boundary_value).
 * Admission (BASIN_ELIMIT, one problem): the fields and snapshots against
 * max_array_elements (at /nx, /snapshot_every), the series points against
 * max_series_points (at /record_every), steps plus diagnostics against max_work (at
 * /steps).
 *
 * Output. series (at the recorded steps): `mass`, `dirichlet_energy`, `entropy`,
 * `free_energy`, `kinetic`, `divergence_l2`, `max_speed`. summary: the same at the last
 * step; `tiles` (count at the first threshold), `tiles_<k>` for each threshold k,
 * `tiles_recursive` (leaves of the split trees, when recursive), `dt`, `dt_max`, `steps`,
 * `time`, `gradient_bound` (G), `mass_change` (final − initial mass), `mu_bound` =
 * 4γ² max S₀/D³ (the friction above which the linearised system about the initial
 * gradients is stable). values:
 * `tiles`: per threshold {threshold (absolute), count, tiles: [{id, cells, mean_S,
 * bbox: [i0, j0, i1, j1]}], split: [... with parent and depth] (recursive)}, each list cut
 * at 1000 entries (`truncated`). artifacts (float64 [ny, nx]): `phi`, `vx`, `vy`, `S`,
 * snapshots `phi@<step>`.
 * Failure: blow-up (non-finite values, or Σ|Φ| + Σ|v| over 1e150 per cell) ends the run as
 * `diverged` at its step; the series recorded before it are kept.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/rng.h"
#include "basin/rsvp.h"
#include "basin/tiles.h"
#include "field_params.h"
#include "params.h"

#define N_AXIS_MAX    4096L
#define CELLS_MAX     4194304L
#define ANCHORS_MAX   100000L
#define STEPS_MAX     1000000000L
#define SNAPSHOTS_MAX 100
#define TAU_MAX       16
#define LIST_MAX      1000
#define VALUE_BOUND   1e12
#define NODE_TOL      1e-9
/* Work units between two checks for cancellation (~20 ms). */
#define CHUNK_OPS 2e7

enum {
    STREAM_PHI0 = 1,
    STREAM_V0X,
    STREAM_V0Y,
    STREAM_ETA,
    STREAM_COST,
    STREAM_FX,
    STREAM_FY,
    STREAM_BOUNDARY
};

typedef struct rsvp_config {
    basin_rsvp_config core;
    long steps, record_every, snapshot_every;
    field_spec phi0, v0x, v0y, eta, cost, fx, fy, boundary_value;
    long n_anchors;
    long *ai, *aj;
    double *aw, *arate;
    double thresholds[TAU_MAX];
    int n_thresholds;
    bool relative, recursive;
    int max_depth;
    double min_gain;
    uint64_t seed;
    double grad_bound; /* bound on |∇Φ₀| (field_gradient_bound) */
} rsvp_config;

static void rsvp_free_config(void *config)
{
    rsvp_config *cfg = config;
    if (!cfg)
        return;
    field_spec *fields[] = {&cfg->phi0, &cfg->v0x, &cfg->v0y, &cfg->eta,
                            &cfg->cost, &cfg->fx,  &cfg->fy,  &cfg->boundary_value};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        field_spec_free(fields[k]);
    free(cfg->ai);
    free(cfg->aj);
    free(cfg->aw);
    free(cfg->arate);
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

static bool failed_since(const basin_problems *p, size_t before)
{
    return p->count + p->dropped != before;
}

/* {"x": field, "y": field} on the faces. */
static int read_vector(param_reader *r, const char *key, long nx, long ny, bool grid_ok,
                       const char *what, field_spec *fx, field_spec *fy)
{
    param_reader c;
    params_child(r, key, &c);
    int rc = field_read(&c, "x", 0.0, NULL, nx, ny, grid_ok, true, VALUE_BOUND, false,
                        "x component on the x-faces ((i+1/2)h, jh)", fx);
    if (!rc)
        rc = field_read(&c, "y", 0.0, NULL, nx, ny, grid_ok, true, VALUE_BOUND, false,
                        "y component on the y-faces (ih, (j+1/2)h)", fy);
    params_child_end(r, key, &c);
    doc(r, key, what);
    return rc;
}

typedef struct cell_key {
    long cell, k;
} cell_key;

static int cmp_cell(const void *a, const void *b)
{
    const cell_key *p = a, *q = b;
    if (p->cell != q->cell)
        return p->cell < q->cell ? -1 : 1;
    return p->k < q->k ? -1 : p->k > q->k;
}

static int read_anchors(param_reader *r, rsvp_config *cfg, bool grid_ok, double rate_def)
{
    const json_t *v = params_raw(r, "anchors", "array");
    doc(r, "anchors",
        "cells held at value + rate t: [{x, y, value, rate}] with x/h, y/h whole numbers");
    if (!v) {
        params_put(r, "anchors", json_array());
        return 0;
    }
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n > (size_t)ANCHORS_MAX) {
        params_problem(r, "anchors", "must be an array of at most %ld objects {x, y, value}",
                       ANCHORS_MAX);
        params_put(r, "anchors", json_null());
        return 0;
    }
    size_t m = n ? n : 1;
    cfg->ai = malloc(m * sizeof *cfg->ai);
    cfg->aj = malloc(m * sizeof *cfg->aj);
    cfg->aw = malloc(m * sizeof *cfg->aw);
    cfg->arate = malloc(m * sizeof *cfg->arate);
    cell_key *keys = malloc(m * sizeof *keys);
    json_t *norm = json_array();
    if (!cfg->ai || !cfg->aj || !cfg->aw || !cfg->arate || !keys || !norm) {
        free(keys);
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    long nx = cfg->core.nx, ny = cfg->core.ny;
    double h = cfg->core.h;
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        const json_t *e = json_array_get(v, k);
        param_reader a;
        char ptr[sizeof r->pointer + 32];
        snprintf(ptr, sizeof ptr, "%s/anchors/%zu", r->pointer, k);
        params_open(&a, e, ptr, r->problems, NULL);
        size_t before = r->problems->count + r->problems->dropped;
        if (json_is_object(e) && !json_object_get(e, "x"))
            params_problem(&a, "x", "is required");
        if (json_is_object(e) && !json_object_get(e, "y"))
            params_problem(&a, "y", "is required");
        if (json_is_object(e) && !json_object_get(e, "value"))
            params_problem(&a, "value", "is required");
        double x = params_real(&a, "x", 0.0, -1e15, 1e15);
        double y = params_real(&a, "y", 0.0, -1e15, 1e15);
        cfg->aw[k] = params_real(&a, "value", 0.0, -VALUE_BOUND, VALUE_BOUND);
        cfg->arate[k] = params_real(&a, "rate", rate_def, -VALUE_BOUND, VALUE_BOUND);
        if (grid_ok && !failed_since(r->problems, before)) {
            double c[2] = {x / h, y / h};
            long lim[2] = {nx, ny};
            long idx[2];
            const char *names[2] = {"x", "y"};
            for (int d = 0; d < 2; d++) {
                double rc = round(c[d]);
                if (fabs(c[d] - rc) > NODE_TOL * fmax(1.0, fabs(c[d])))
                    params_problem(&a, names[d],
                                   "must be a cell centre: %s/h = %.17g is not a whole number",
                                   names[d], c[d]);
                else if (rc < 0 || rc > (double)(lim[d] - 1))
                    params_problem(&a, names[d],
                                   "is outside the grid: %s/h must be in [0, %ld]; got %.17g",
                                   names[d], lim[d] - 1, c[d]);
                idx[d] = (long)rc;
            }
            cfg->ai[k] = idx[0];
            cfg->aj[k] = idx[1];
        }
        json_t *an = NULL;
        if (params_close(&a, &an) == 0 && an)
            json_array_append_new(norm, an);
        if (failed_since(r->problems, before))
            ok = false;
        keys[k].cell = ok ? cfg->aj[k] * nx + cfg->ai[k] : 0;
        keys[k].k = (long)k;
    }
    cfg->n_anchors = (long)n;
    if (ok && grid_ok && n > 1) {
        qsort(keys, n, sizeof *keys, cmp_cell);
        for (size_t k = 1; k < n; k++)
            if (keys[k].cell == keys[k - 1].cell &&
                (cfg->aw[keys[k].k] != cfg->aw[keys[k - 1].k] ||
                 cfg->arate[keys[k].k] != cfg->arate[keys[k - 1].k])) {
                char sub[48];
                snprintf(sub, sizeof sub, "anchors/%ld", keys[k].k);
                params_problem(r, sub,
                               "duplicates anchor %ld (the same cell) with a different value or "
                               "rate",
                               keys[k - 1].k);
            }
    }
    free(keys);
    params_put(r, "anchors", norm);
    return 0;
}

static void read_tiles(param_reader *r, rsvp_config *cfg)
{
    param_reader c;
    params_child(r, "tiles", &c);
    double *tau = NULL;
    size_t n = 0;
    int rc = params_real_array(&c, "thresholds", 1, TAU_MAX, 0.0, 1e300, &tau, &n);
    if (rc == 0 && !tau) {
        cfg->thresholds[0] = 0.5;
        cfg->thresholds[1] = 1.0;
        cfg->n_thresholds = 2;
        params_put(&c, "thresholds", json_pack("[f, f]", 0.5, 1.0));
    } else {
        for (size_t k = 0; k < n; k++)
            cfg->thresholds[k] = tau[k];
        cfg->n_thresholds = (int)n;
    }
    free(tau);
    cfg->relative = params_bool(&c, "relative", true);
    cfg->recursive = params_bool(&c, "recursive", false);
    cfg->max_depth = (int)params_int(&c, "max_depth", 3, 1, 12);
    cfg->min_gain = params_real(&c, "min_gain", 0.0, 0.0, 0.999);
    params_child_end(r, "tiles", &c);
    doc(r, "tiles",
        "coherence tiles: components of {S < tau} per threshold, optionally split recursively");
}

static bool check_limits(param_reader *r, const rsvp_config *cfg, const basin_limits *limits)
{
    double cells = (double)cfg->core.nx * (double)cfg->core.ny;
    double padded = (double)(cfg->core.nx + 2) * (double)(cfg->core.ny + 2);
    if (padded > (double)limits->max_array_elements) {
        params_over_limit(r, "nx", "the fields (array elements)", padded,
                          (double)limits->max_array_elements);
        return true;
    }
    double snaps = cfg->snapshot_every > 0
                       ? floor((double)cfg->steps / (double)cfg->snapshot_every) + 1.0
                       : 0.0;
    if (snaps > SNAPSHOTS_MAX || (snaps + 4.0) * cells > (double)limits->max_array_elements) {
        params_over_limit(
            r, "snapshot_every", "the snapshots (arrays of nx·ny)", snaps,
            fmin(SNAPSHOTS_MAX, floor((double)limits->max_array_elements / cells) - 4.0));
        return true;
    }
    double records = floor((double)cfg->steps / (double)cfg->record_every) + 2.0;
    if (7.0 * records > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", 7.0 * records,
                          (double)limits->max_series_points);
        return true;
    }
    double work = (double)cfg->steps * basin_rsvp_step_cost(&cfg->core) +
                  records * basin_rsvp_diag_cost(&cfg->core) +
                  (double)cfg->n_thresholds * cells * (cfg->recursive ? 40.0 : 20.0);
    if (work > (double)limits->max_work) {
        params_over_limit(r, "steps", "the run (operations)", work, (double)limits->max_work);
        return true;
    }
    return false;
}

static int rsvp_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                      basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const boundaries[] = {"periodic", "neumann", "dirichlet", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    rsvp_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    basin_rsvp_config *core = &cfg->core;
    int rc = 0;
    size_t before = problems->count + problems->dropped;
    core->nx = (long)params_int(&r, "nx", 64, 2, N_AXIS_MAX);
    doc(&r, "nx", "cells along x");
    core->ny = (long)params_int(&r, "ny", 64, 2, N_AXIS_MAX);
    doc(&r, "ny", "cells along y");
    if (!failed_since(problems, before) && (double)core->nx * (double)core->ny > CELLS_MAX)
        params_problem(&r, "nx", "the grid has %ld·%ld cells; at most %ld are allowed", core->nx,
                       core->ny, CELLS_MAX);
    core->h = params_real_gt(&r, "h", 1.0, 0.0, 1e6);
    doc(&r, "h", "cell size: cell (i, j) is centred at (i h, j h)");
    bool grid_ok = !failed_since(problems, before);
    long nx = core->nx, ny = core->ny;
    double h = core->h;

    core->D = params_real_gt(&r, "D", 1.0, 0.0, 1e6);
    doc(&r, "D", "diffusion coefficient of phi");
    core->gamma = params_real(&r, "gamma", 0.1, 0.0, 1e6);
    doc(&r, "gamma", "coupling of -gamma grad S in the v equation");
    core->delta = params_real(&r, "delta", 1.0, 0.0, 1e6);
    doc(&r, "delta", "coupling of -delta grad eta (the ethical cost field)");
    core->mu = params_real(&r, "mu", 0.0, 0.0, 1e6);
    doc(&r, "mu", "friction: -mu v");
    core->nu = params_real(&r, "nu", 0.0, 0.0, 1e6);
    doc(&r, "nu", "viscosity: nu laplacian v");
    core->lambda = params_real(&r, "lambda", 0.0, 0.0, 1e12);
    doc(&r, "lambda", "weight of lambda * integral of c |phi| in the free energy");
    const char *boundary = params_enum(&r, "boundary", "periodic", boundaries);
    doc(&r, "boundary",
        "periodic; neumann (no flux, free slip); dirichlet (phi = boundary_value on the "
        "boundary faces, no slip); v.n = 0 on the boundary faces of both");
    core->boundary = strcmp(boundary, "neumann") == 0     ? BASIN_RSVP_NEUMANN
                     : strcmp(boundary, "dirichlet") == 0 ? BASIN_RSVP_DIRICHLET
                                                          : BASIN_RSVP_PERIODIC;

    /* fields */
    json_t *bump =
        json_pack("{s:s, s:f, s:[{s:f, s:f, s:f, s:f}]}", "type", "gaussian", "offset", 0.0,
                  "bumps", "x", grid_ok ? 0.5 * (double)(nx - 1) * h : 0.0, "y",
                  grid_ok ? 0.5 * (double)(ny - 1) * h : 0.0, "amplitude", 1.0, "width", 4.0 * h);
    rc = field_read(&r, "phi0", 0.0, bump, nx, ny, grid_ok, true, VALUE_BOUND, false,
                    "initial phi at the cell centres; default a gaussian bump (amplitude 1, "
                    "width 4h) at the centre",
                    &cfg->phi0);
    json_decref(bump);
    if (rc)
        goto fail;
    if ((rc = read_vector(&r, "v0", nx, ny, grid_ok, "initial v {x, y} on the faces", &cfg->v0x,
                          &cfg->v0y)))
        goto fail;
    if ((rc = read_vector(&r, "force", nx, ny, grid_ok, "forcing f {x, y} on the faces", &cfg->fx,
                          &cfg->fy)))
        goto fail;
    if ((rc = field_read(&r, "eta", 0.0, NULL, nx, ny, grid_ok, true, VALUE_BOUND, false,
                         "the ethical cost field eta at the cell centres", &cfg->eta)))
        goto fail;
    if ((rc =
             field_read(&r, "cost", 1.0, NULL, nx, ny, grid_ok, true, VALUE_BOUND, true,
                        "the metabolic cost c >= 0 at the cell centres (free energy)", &cfg->cost)))
        goto fail;
    if ((rc = field_read(&r, "boundary_value", 0.0, NULL, nx, ny, grid_ok, false, VALUE_BOUND,
                         false, "dirichlet: phi on the boundary faces (a number or a preset)",
                         &cfg->boundary_value)))
        goto fail;
    double rate_def = params_real(&r, "anchor_rate", 0.0, -VALUE_BOUND, VALUE_BOUND);
    doc(&r, "anchor_rate", "default rate of change of the anchors' values");
    if ((rc = read_anchors(&r, cfg, grid_ok, rate_def)))
        goto fail;

    /* time stepping: dt_max from the coefficients and a bound on the initial gradients */
    bool coeffs_ok = !failed_since(problems, before);
    if (coeffs_ok) {
        cfg->grad_bound = field_gradient_bound(&cfg->phi0, nx, ny, h);
        if (core->boundary == BASIN_RSVP_DIRICHLET)
            cfg->grad_bound =
                fmax(cfg->grad_bound, field_gradient_bound(&cfg->boundary_value, nx, ny, h));
    }
    core->dt = 1.0; /* placeholder for dt_max, which does not read dt */
    double dt_max = coeffs_ok ? basin_rsvp_dt_max(core, cfg->grad_bound) : 1.0;
    const json_t *dtv = r.in ? json_object_get(r.in, "dt") : NULL;
    core->dt = params_real_gt(&r, "dt", 0.9 * dt_max, 0.0, 1e6);
    doc(&r, "dt",
        "time step; default 0.9 dt_max, dt_max = min(h^2/(4D), 2/(mu + 8 nu/h^2), "
        "h^1.5/(8 sqrt(gamma G))) with G a bound on the initial |grad phi|; larger is refused");
    if (dtv && coeffs_ok && core->dt > dt_max)
        params_problem(&r, "dt",
                       "exceeds the stability limit of the explicit scheme: dt_max = "
                       "min(h^2/(4D), 2/(mu + 8 nu/h^2), h^1.5/(8 sqrt(gamma G))) = %.17g "
                       "(G = %.6g bounds the initial |grad phi|); got %.17g",
                       dt_max, cfg->grad_bound, core->dt);
    cfg->steps = (long)params_int(&r, "steps", 1000, 1, STEPS_MAX);
    doc(&r, "steps", "time steps");
    long rec_def = cfg->steps / 200 > 1 ? cfg->steps / 200 : 1;
    cfg->record_every = (long)params_int(&r, "record_every", rec_def, 1, STEPS_MAX);
    doc(&r, "record_every", "record the series every this many steps (and the first and last)");
    cfg->snapshot_every = (long)params_int(&r, "snapshot_every", 0, 0, STEPS_MAX);
    doc(&r, "snapshot_every", "artifacts phi@<step> every this many steps (0: none)");
    read_tiles(&r, cfg);
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
    rsvp_free_config(cfg);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------- */

static int record(basin_ctx *ctx, basin_rsvp *w, basin_rsvp_diag *d)
{
    basin_rsvp_diagnostics(w, d);
    struct {
        const char *name;
        double value;
    } s[] = {{"mass", d->mass},          {"dirichlet_energy", d->dirichlet_energy},
             {"entropy", d->entropy},    {"free_energy", d->free_energy},
             {"kinetic", d->kinetic},    {"divergence_l2", d->divergence_l2},
             {"max_speed", d->max_speed}};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
        int rc = basin_ctx_series(ctx, s[k].name, w->step, s[k].value);
        if (rc)
            return rc;
    }
    return 0;
}

static int snapshot(basin_ctx *ctx, basin_rsvp *w, double *buf)
{
    char name[64];
    snprintf(name, sizeof name, "phi@%ld", w->step);
    basin_rsvp_fields(w, buf, NULL, NULL, NULL);
    int64_t shape[2] = {w->cfg.ny, w->cfg.nx};
    return basin_ctx_artifact(ctx, name, BASIN_F64, 2, shape, buf);
}

static json_t *tile_json(const basin_tile *t, bool tree)
{
    json_t *o = json_pack("{s:I, s:I, s:f, s:[I, I, I, I]}", "id", (json_int_t)t->id, "cells",
                          (json_int_t)t->cells, "mean_S", t->mean_S, "bbox", (json_int_t)t->i0,
                          (json_int_t)t->j0, (json_int_t)t->i1, (json_int_t)t->j1);
    if (tree) {
        json_object_set_new(o, "parent", json_integer(t->parent));
        json_object_set_new(o, "depth", json_integer(t->depth));
    }
    return o;
}

/* Tiles of the final S at each threshold: summary counts and the values list. */
static int tiles(basin_ctx *ctx, const rsvp_config *cfg, const double *S)
{
    long nx = cfg->core.nx, ny = cfg->core.ny;
    size_t n = (size_t)nx * (size_t)ny;
    int32_t *label = malloc(n * sizeof *label), *stack = malloc(n * sizeof *stack);
    basin_tile *list = NULL, *tree = NULL;
    json_t *all = json_array();
    int rc = BASIN_ENOMEM;
    if (!label || !stack || !all)
        goto out;
    double mean = 0.0;
    for (size_t k = 0; k < n; k++)
        mean += S[k];
    mean /= (double)n;
    long leaves_total = 0;
    bool periodic = cfg->core.boundary == BASIN_RSVP_PERIODIC;
    for (int t = 0; t < cfg->n_thresholds; t++) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        double tau = cfg->relative ? cfg->thresholds[t] * mean : cfg->thresholds[t];
        long count = basin_tiles_label(nx, ny, periodic, S, tau, label, stack);
        free(list);
        list = malloc((size_t)(count > 0 ? count : 1) * sizeof *list);
        if (!list)
            goto out;
        basin_tiles_stats(nx, ny, S, label, count, list);
        char key[32];
        snprintf(key, sizeof key, "tiles_%d", t);
        basin_ctx_summary_int(ctx, key, count);
        if (t == 0)
            basin_ctx_summary_int(ctx, "tiles", count);
        json_t *items = json_array();
        for (long k = 0; k < count && k < LIST_MAX; k++)
            json_array_append_new(items, tile_json(&list[k], false));
        json_t *entry = json_pack("{s:f, s:I, s:o, s:b}", "threshold", tau, "count",
                                  (json_int_t)count, "tiles", items, "truncated", count > LIST_MAX);
        if (cfg->recursive) {
            long cap = (long)n + count;
            free(tree);
            tree = malloc((size_t)cap * sizeof *tree);
            if (!tree) {
                json_decref(entry);
                goto out;
            }
            long leaves = 0;
            long m = basin_tiles_split(nx, ny, S, label, list, count, cfg->max_depth, cfg->min_gain,
                                       tree, cap, &leaves);
            if (m < 0) {
                json_decref(entry);
                goto out;
            }
            leaves_total += leaves;
            json_t *split = json_array();
            for (long k = 0; k < m && k < LIST_MAX; k++)
                json_array_append_new(split, tile_json(&tree[k], true));
            json_object_set_new(entry, "split", split);
            json_object_set_new(entry, "split_nodes", json_integer(m));
            json_object_set_new(entry, "split_leaves", json_integer(leaves));
            json_object_set_new(entry, "split_truncated", json_boolean(m > LIST_MAX));
        }
        json_array_append_new(all, entry);
    }
    if (cfg->recursive)
        basin_ctx_summary_int(ctx, "tiles_recursive", leaves_total);
    basin_ctx_value(ctx, "tiles", all);
    all = NULL;
    rc = 0;
out:
    json_decref(all);
    free(label);
    free(stack);
    free(list);
    free(tree);
    return rc;
}

static int rsvp_run(const void *config, basin_ctx *ctx)
{
    const rsvp_config *cfg = config;
    long nx = cfg->core.nx, ny = cfg->core.ny;
    size_t n = (size_t)nx * (size_t)ny;
    double h = cfg->core.h;
    basin_rsvp *w = NULL;
    double *buf = NULL;
    int rc;

    basin_ctx_seed(ctx, cfg->seed);
    if (basin_ctx_should_stop(ctx))
        return BASIN_ECANCELLED;
    if ((rc = basin_rsvp_alloc(&cfg->core, &w)))
        return rc;
    if (!(buf = malloc(n * sizeof *buf))) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    basin_rng root, rng;
    basin_rng_seed(&root, cfg->seed);
    struct {
        const field_spec *f;
        double *dst;
        long fnx, fny;
        double ox, oy;
        int stream;
    } fills[] = {
        {&cfg->phi0, w->phi0, nx, ny, 0.0, 0.0, STREAM_PHI0},
        {&cfg->v0x, w->vx0, nx, ny, 0.5, 0.0, STREAM_V0X},
        {&cfg->v0y, w->vy0, nx, ny, 0.0, 0.5, STREAM_V0Y},
        {&cfg->eta, w->eta, nx, ny, 0.0, 0.0, STREAM_ETA},
        {&cfg->cost, w->cost, nx, ny, 0.0, 0.0, STREAM_COST},
        {&cfg->fx, w->fx, nx, ny, 0.5, 0.0, STREAM_FX},
        {&cfg->fy, w->fy, nx, ny, 0.0, 0.5, STREAM_FY},
    };
    for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++) {
        basin_rng_split(&root, (uint64_t)fills[k].stream, &rng);
        field_fill(fills[k].f, fills[k].fnx, fills[k].fny, h, fills[k].ox, fills[k].oy, &rng,
                   fills[k].dst);
    }
    if (cfg->core.boundary == BASIN_RSVP_DIRICHLET) {
        basin_rng_split(&root, STREAM_BOUNDARY, &rng);
        field_fill(&cfg->boundary_value, 1, ny, h, -0.5, 0.0, &rng, w->bW);
        field_fill(&cfg->boundary_value, 1, ny, h, (double)nx - 0.5, 0.0, &rng, w->bE);
        field_fill(&cfg->boundary_value, nx, 1, h, 0.0, -0.5, &rng, w->bS);
        field_fill(&cfg->boundary_value, nx, 1, h, 0.0, (double)ny - 0.5, &rng, w->bN);
    }
    if ((rc = basin_rsvp_set_anchors(w, cfg->n_anchors, cfg->ai, cfg->aj, cfg->aw, cfg->arate)))
        goto out;
    basin_rsvp_start(w);

    basin_rsvp_diag d0, d;
    if ((rc = record(ctx, w, &d0)))
        goto out;
    d = d0;
    /* the friction bound 4γ² max|∇Φ|²/D³ at the start */
    basin_rsvp_fields(w, NULL, NULL, NULL, buf);
    double smax = 0.0;
    for (size_t k = 0; k < n; k++)
        smax = buf[k] > smax ? buf[k] : smax;
    double D = cfg->core.D;
    double mu_bound = 4.0 * cfg->core.gamma * cfg->core.gamma * smax / (D * D * D);
    if (cfg->snapshot_every > 0 && (rc = snapshot(ctx, w, buf)))
        goto out;

    long chunk = (long)fmax(1.0, CHUNK_OPS / basin_rsvp_step_cost(&cfg->core));
    while (w->step < cfg->steps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        /* up to the next record, snapshot or chunk boundary */
        long s = w->step;
        long next = cfg->steps;
        long nr = (s / cfg->record_every + 1) * cfg->record_every;
        next = nr < next ? nr : next;
        if (cfg->snapshot_every > 0) {
            long ns = (s / cfg->snapshot_every + 1) * cfg->snapshot_every;
            next = ns < next ? ns : next;
        }
        next = s + chunk < next ? s + chunk : next;
        rc = basin_rsvp_advance(w, next - s);
        if (rc == BASIN_EDIVERGED) {
            basin_ctx_fail(ctx, "diverged", w->step,
                           "the fields blew up at step %ld (t = %.6g): the coupling gamma grows "
                           "gradients faster than diffusion and friction damp them (mu_bound = "
                           "%.6g)",
                           w->step, w->time, mu_bound);
            goto out;
        }
        if (rc)
            goto out;
        if (w->step % cfg->record_every == 0 || w->step == cfg->steps)
            if ((rc = record(ctx, w, &d)))
                goto out;
        if (cfg->snapshot_every > 0 && w->step % cfg->snapshot_every == 0)
            if ((rc = snapshot(ctx, w, buf)))
                goto out;
        basin_ctx_progress(ctx, 0.95 * (double)w->step / (double)cfg->steps);
    }

    basin_ctx_summary_real(ctx, "mass", d.mass);
    basin_ctx_summary_real(ctx, "dirichlet_energy", d.dirichlet_energy);
    basin_ctx_summary_real(ctx, "entropy", d.entropy);
    basin_ctx_summary_real(ctx, "free_energy", d.free_energy);
    basin_ctx_summary_real(ctx, "kinetic", d.kinetic);
    basin_ctx_summary_real(ctx, "divergence_l2", d.divergence_l2);
    basin_ctx_summary_real(ctx, "max_speed", d.max_speed);
    basin_ctx_summary_real(ctx, "mass_change", d.mass - d0.mass);
    basin_ctx_summary_real(ctx, "mu_bound", mu_bound);
    basin_ctx_summary_real(ctx, "dt", cfg->core.dt);
    basin_ctx_summary_real(ctx, "dt_max", basin_rsvp_dt_max(&cfg->core, cfg->grad_bound));
    basin_ctx_summary_real(ctx, "gradient_bound", cfg->grad_bound);
    basin_ctx_summary_int(ctx, "steps", w->step);
    basin_ctx_summary_real(ctx, "time", w->time);

    int64_t shape[2] = {ny, nx};
    const char *names[4] = {"phi", "vx", "vy", "S"};
    for (int k = 0; k < 4; k++) {
        basin_rsvp_fields(w, k == 0 ? buf : NULL, k == 1 ? buf : NULL, k == 2 ? buf : NULL,
                          k == 3 ? buf : NULL);
        if ((rc = basin_ctx_artifact(ctx, names[k], BASIN_F64, 2, shape, buf)))
            goto out;
    }
    /* buf holds S */
    if ((rc = tiles(ctx, cfg, buf)))
        goto out;
    basin_ctx_progress(ctx, 1.0);
    rc = 0;
out:
    basin_rsvp_free(w);
    free(buf);
    return rc;
}

const basin_model model_rsvp = {
    .kind = "rsvp",
    .version = "1",
    .summary = "coupled scalar, vector and entropy fields (RSVP) on a staggered grid, with "
               "anchors, the ethical gradient eta, friction, viscosity and coherence tiles",
    .parse = rsvp_parse,
    .run = rsvp_run,
    .free_config = rsvp_free_config,
};
