/*
 * ising.c — the `ising` job kind: the 2-D Ising (and q-state Potts) model on an L×L torus
 * sampled by Monte Carlo (models.md §E; the numerics are in src/core/ising.c).
 *
 *   Ising (q = 2, spins ±1):   H = −J Σ_⟨ij⟩ s_i s_j − h Σ_i s_i
 *   Potts (q ≥ 3, 0..q−1):     H = −J Σ_⟨ij⟩ δ(s_i, s_j) − h Σ_i δ(s_i, 0)
 * sampled from π ∝ exp(−H/T) by checkerboard Metropolis with tabulated acceptance,
 * heat bath, or Wolff clusters (basin/ising.h). After `burn_in` sweeps the run measures
 * e = H/N and m every `measure_every` sweeps, `sweeps` sweeps long, and reports
 *   ⟨e⟩, ⟨|m|⟩                         with binning errors (64 bins),
 *   χ = βN(⟨m²⟩ − ⟨|m|⟩²), c = β²N(⟨e²⟩ − ⟨e⟩²), U = 1 − ⟨m⁴⟩/(3⟨m²⟩²)   (jackknife errors),
 *   τ_int of |m| and of e (binning estimate, in sweeps).
 * m is the magnetisation per spin (Potts: the order parameter (q ρ_max − 1)/(q − 1)).
 *
 * Parameters (every one optional):
 *   L              side, integer in [2, 8192], default 32 (L² ≤ max_array_elements).
 *                  Any L: the sweeps are sequential, so odd L is as valid as even.
 *   q              2 (Ising, default) or 3..64 (Potts).
 *   J              coupling in [−1000, 1000], default 1; wolff needs J ≥ 0.
 *   h              field in [−1000, 1000], default 0.
 *   temperature    T in [1e-6, 1e6], default 2.
 *   algorithm      "metropolis" (default), "heat_bath", "wolff".
 *   clusters_per_sweep  wolff: cluster updates per measured sweep, integer in [0, 1e9];
 *                  default 0 = N/⟨|C|⟩ rounded (at least 1), ⟨|C|⟩ the mean cluster size
 *                  over the burn-in (1 without burn-in), so a sweep flips about N spins.
 *                  Burn-in sweeps are the fewest clusters adding up to N spins; measured
 *                  sweeps need a fixed count, since ending a sweep when the sizes add up
 *                  to N makes the measuring times depend on the state (a biased sample).
 *   init           "ordered" (default: all +1, Potts all 0) or "random".
 *   burn_in        sweeps before measuring, integer in [0, 1e9], default 1000.
 *   sweeps         measured sweeps, integer in [1, 1e9], default 10000.
 *   measure_every  sweeps between measurements, integer in [1, 1e9], default 1; at least
 *                  2 measurements (sweeps ≥ 2·measure_every).
 *   record_every   sweeps between series points, integer in [1, 1e9], default
 *                  max(1, ⌈(burn_in + sweeps)/1000⌉); points at sweep 0, every
 *                  record_every sweeps, and the last sweep.
 *   seed           uint64 (absent: drawn at submit and stored in the normalised params).
 * Admission (BASIN_ELIMIT): L² against max_array_elements (at /params/L); the measurements,
 * 2·sweeps/measure_every, against max_array_elements (at /params/measure_every); the work,
 * (burn_in + sweeps)·L²·cost (cost 6 for Ising single-site updates, 20 Potts Metropolis,
 * 10 + 4q Potts heat bath, 40 Wolff) plus 3·L² per measurement, against max_work (at
 * /params/sweeps); the series, 2·((burn_in + sweeps)/record_every + 2), against
 * max_series_points (at /params/record_every).
 *
 * Output. series: `energy` (e) and `magnetization` (m, signed for Ising) from sweep 0,
 * burn-in included. summary: `energy`, `energy_err`, `abs_magnetization`,
 * `abs_magnetization_err`, `susceptibility`(+`_err`), `specific_heat`(+`_err`), `binder`
 * (+`_err`), `tau_int` (|m|, sweeps), `tau_int_energy` (sweeps), `acceptance` (flips per
 * attempt; Wolff: flipped per cluster site), `measurements`, `bin_size` (measurements per
 * bin), `critical_temperature` (2J/ln(1+√2); Potts J/ln(1+√q); J > 0), and for the Ising
 * model with h = 0, J > 0 the exact references `energy_exact` (Kaufman, this L×L torus),
 * `energy_onsager` and `magnetization_onsager` (infinite lattice); for Wolff
 * `mean_cluster_size` and `clusters_per_sweep`. artifact: `spins` (int8 [L, L], the final
 * configuration). The run polls for stop every 2^21 site updates, inside sweeps too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/ising.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "models/params.h"

#define T_MIN        1e-6
#define T_MAX        1e6
#define JH_MAX       1000.0
#define COUNT_MAX    1000000000
#define SERIES_SPAN  1000 /* default series points */
#define MEASURE_COST 3.0  /* operations per site of one measurement */

typedef struct ising_config {
    basin_ising_config core;
    bool random_init;
    long burn_in, sweeps, measure_every, record_every, clusters_per_sweep;
    uint64_t seed;
} ising_config;

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

/* Operations per site of one sweep (for the work estimate). */
static double sweep_cost(const basin_ising_config *c)
{
    switch (c->algorithm) {
    case BASIN_ISING_WOLFF:
        return 40.0;
    case BASIN_ISING_HEAT_BATH:
        return c->potts ? 10.0 + 4.0 * c->q : 6.0;
    default:
        return c->potts ? 20.0 : 6.0;
    }
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const algorithms[] = {"metropolis", "heat_bath", "wolff", NULL};
    static const char *const inits[] = {"ordered", "random", NULL};
    ising_config cfg;
    memset(&cfg, 0, sizeof cfg);
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);

    cfg.core.L = (long)params_int(&r, "L", 32, BASIN_ISING_L_MIN, BASIN_ISING_L_MAX);
    doc(&r, "L", "side of the L×L torus (N = L² spins)");
    cfg.core.q = (int)params_int(&r, "q", 2, 2, BASIN_ISING_Q_MAX);
    doc(&r, "q", "2: Ising spins ±1; 3..64: q-state Potts model");
    cfg.core.potts = cfg.core.q > 2;
    size_t before = n_problems(problems);
    cfg.core.J = params_real(&r, "J", 1.0, -JH_MAX, JH_MAX);
    bool J_ok = n_problems(problems) == before;
    doc(&r, "J", "coupling: H = −J Σ s_i s_j (Potts: −J Σ δ(s_i, s_j)) over nearest neighbours");
    cfg.core.h = params_real(&r, "h", 0.0, -JH_MAX, JH_MAX);
    doc(&r, "h", "field: −h Σ s_i (Potts: −h Σ δ(s_i, 0))");
    cfg.core.T = params_real(&r, "temperature", 2.0, T_MIN, T_MAX);
    doc(&r, "temperature", "temperature T (k_B = 1)");
    const char *alg = params_enum(&r, "algorithm", "metropolis", algorithms);
    doc(&r, "algorithm",
        "metropolis (checkerboard order, tabulated acceptance), heat_bath, or wolff "
        "(single clusters; a sweep is clusters adding up to N spins)");
    cfg.core.algorithm = strcmp(alg, "wolff") == 0       ? BASIN_ISING_WOLFF
                         : strcmp(alg, "heat_bath") == 0 ? BASIN_ISING_HEAT_BATH
                                                         : BASIN_ISING_METROPOLIS;
    if (J_ok && cfg.core.algorithm == BASIN_ISING_WOLFF && cfg.core.J < 0.0)
        params_problem(&r, "J",
                       "must be ≥ 0 for the wolff algorithm (clusters of equal spins); got "
                       "%.17g",
                       cfg.core.J);
    cfg.clusters_per_sweep = (long)params_int(&r, "clusters_per_sweep", 0, 0, COUNT_MAX);
    doc(&r, "clusters_per_sweep",
        "wolff only: clusters per measured sweep; 0: N over the mean cluster size of the "
        "burn-in");
    cfg.random_init = strcmp(params_enum(&r, "init", "ordered", inits), "random") == 0;
    doc(&r, "init", "initial spins: ordered (all +1, Potts all 0) or random");
    cfg.burn_in = (long)params_int(&r, "burn_in", 1000, 0, COUNT_MAX);
    doc(&r, "burn_in", "sweeps before the first measurement");
    cfg.sweeps = (long)params_int(&r, "sweeps", 10000, 1, COUNT_MAX);
    doc(&r, "sweeps", "sweeps after burn-in, measured every measure_every");
    before = n_problems(problems);
    cfg.measure_every = (long)params_int(&r, "measure_every", 1, 1, COUNT_MAX);
    if (n_problems(problems) == before && cfg.sweeps / cfg.measure_every < 2)
        params_problem(&r, "measure_every",
                       "must leave at least 2 measurements: sweeps/measure_every = %ld/%ld",
                       cfg.sweeps, cfg.measure_every);
    doc(&r, "measure_every", "sweeps between measurements (at least 2 measurements)");
    long total = cfg.burn_in + cfg.sweeps;
    long every = (total + SERIES_SPAN - 1) / SERIES_SPAN;
    cfg.record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, COUNT_MAX);
    doc(&r, "record_every",
        "sweeps between series points; default max(1, ceil((burn_in + sweeps)/1000))");
    cfg.seed = params_seed(&r);

    size_t valid = n_problems(problems);
    if (valid == start) {
        double N = (double)cfg.core.L * (double)cfg.core.L;
        double n_meas = (double)(cfg.sweeps / cfg.measure_every);
        double points = 2.0 * ((double)(total / cfg.record_every) + 2.0);
        double per_sweep = N * sweep_cost(&cfg.core);
        if (cfg.core.algorithm == BASIN_ISING_WOLFF && cfg.clusters_per_sweep > 0)
            per_sweep *= (double)cfg.clusters_per_sweep; /* a cluster may hold every spin */
        double work = (double)total * per_sweep + (n_meas + points / 2.0) * N * MEASURE_COST;
        if (N > (double)limits->max_array_elements)
            params_over_limit(&r, "L", "the spins (L²)", N, (double)limits->max_array_elements);
        else if (2.0 * n_meas > (double)limits->max_array_elements)
            params_over_limit(&r, "measure_every", "the measurements (2·sweeps/measure_every)",
                              2.0 * n_meas, (double)limits->max_array_elements);
        else if (work > (double)limits->max_work)
            params_over_limit(&r, "sweeps", "the run ((burn_in + sweeps)·L²·cost operations)", work,
                              (double)limits->max_work);
        else if (points > (double)limits->max_series_points)
            params_over_limit(&r, "record_every",
                              "the series (2·((burn_in + sweeps)/record_every + 2) points)", points,
                              (double)limits->max_series_points);
    }
    size_t over = n_problems(problems) - valid;

    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0)
        return valid == start && over > 0 && n_problems(problems) == valid + over ? BASIN_ELIMIT
                                                                                  : rc;
    ising_config *out = malloc(sizeof *out);
    if (!out) {
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    *out = cfg;
    *normalized = norm;
    *config = out;
    return 0;
}

/* ---- run ------------------------------------------------------------------------------- */

typedef struct poll_state {
    basin_ctx *ctx;
    const basin_ising *w;
    long total;
} poll_state;

static bool poll_stop(void *user)
{
    poll_state *p = user;
    basin_ctx_progress(p->ctx, (double)p->w->sweeps / (double)p->total);
    return basin_ctx_should_stop(p->ctx);
}

static int record(basin_ctx *ctx, long sweep, double e, double m)
{
    int rc = basin_ctx_series(ctx, "energy", sweep, e);
    if (rc == 0)
        rc = basin_ctx_series(ctx, "magnetization", sweep, m);
    return rc;
}

static int run(const void *config, basin_ctx *ctx)
{
    const ising_config *cfg = config;
    basin_ising w;
    double *es = NULL, *ms = NULL;
    const long n_meas = cfg->sweeps / cfg->measure_every;
    const long total = cfg->burn_in + cfg->sweeps;
    int rc = basin_ising_init(&w, &cfg->core);
    if (rc != 0)
        goto out;
    es = malloc((size_t)n_meas * sizeof *es);
    ms = malloc((size_t)n_meas * sizeof *ms);
    if (!es || !ms) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    basin_rng rng;
    basin_rng_seed(&rng, cfg->seed);
    basin_ctx_seed(ctx, cfg->seed);
    if (cfg->random_init)
        basin_ising_set_random(&w, &rng);
    double e, m;
    basin_ising_measure(&w, w.s, &e, &m);
    rc = record(ctx, 0, e, m);
    if (rc != 0)
        goto out;

    /* Poll between sweeps about every 2^16 site updates (and inside long sweeps). */
    const long check_every = w.N >= 65536 ? 1 : 65536 / w.N;
    poll_state p = {.ctx = ctx, .w = &w, .total = total};
    long k = 0;
    int64_t attempts0 = 0, accepted0 = 0, clusters0 = 0;
    for (long t = 1; t <= total; t++) {
        if (t % check_every == 0 && poll_stop(&p)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        if (t == cfg->burn_in + 1) { /* rates over the measured sweeps only */
            if (cfg->core.algorithm == BASIN_ISING_WOLFF) {
                long nc = cfg->clusters_per_sweep;
                if (nc == 0 && w.clusters > 0)
                    nc = lround((double)w.N * (double)w.clusters / (double)w.attempts);
                w.clusters_per_sweep = nc > 0 ? nc : 1;
            }
            attempts0 = w.attempts;
            accepted0 = w.accepted;
            clusters0 = w.clusters;
        }
        rc = basin_ising_sweep(&w, &rng, poll_stop, &p);
        if (rc != 0)
            goto out;
        bool measure = t > cfg->burn_in && (t - cfg->burn_in) % cfg->measure_every == 0;
        bool rec = t % cfg->record_every == 0 || t == total;
        if (measure || rec)
            basin_ising_measure(&w, w.s, &e, &m);
        if (measure) {
            es[k] = e;
            ms[k] = m;
            k++;
        }
        if (rec && (rc = record(ctx, t, e, m)) != 0)
            goto out;
    }

    basin_ising_observables o;
    rc = basin_ising_analyse(es, ms, n_meas, w.N, cfg->core.T, &o);
    if (rc != 0)
        goto out;
    const double per = (double)cfg->measure_every;
    basin_ctx_summary_real(ctx, "energy", o.energy.mean);
    basin_ctx_summary_real(ctx, "energy_err", o.energy.err);
    basin_ctx_summary_real(ctx, "abs_magnetization", o.abs_m.mean);
    basin_ctx_summary_real(ctx, "abs_magnetization_err", o.abs_m.err);
    basin_ctx_summary_real(ctx, "susceptibility", o.chi);
    basin_ctx_summary_real(ctx, "susceptibility_err", o.chi_err);
    basin_ctx_summary_real(ctx, "specific_heat", o.c);
    basin_ctx_summary_real(ctx, "specific_heat_err", o.c_err);
    basin_ctx_summary_real(ctx, "binder", o.binder);
    basin_ctx_summary_real(ctx, "binder_err", o.binder_err);
    basin_ctx_summary_real(ctx, "tau_int", o.abs_m.tau_int * per);
    basin_ctx_summary_real(ctx, "tau_int_energy", o.energy.tau_int * per);
    int64_t att = w.attempts - attempts0;
    basin_ctx_summary_real(ctx, "acceptance",
                           att > 0 ? (double)(w.accepted - accepted0) / (double)att : NAN);
    basin_ctx_summary_int(ctx, "measurements", n_meas);
    basin_ctx_summary_int(ctx, "bin_size", o.bin_size);
    basin_ctx_summary_int(ctx, "sweeps", total);
    const basin_ising_config *c = &cfg->core;
    if (c->J > 0.0)
        basin_ctx_summary_real(ctx, "critical_temperature",
                               basin_ising_critical_temperature(c->J, c->q, c->potts));
    if (!c->potts && c->h == 0.0 && c->J > 0.0) {
        basin_ctx_summary_real(ctx, "energy_exact", basin_ising_kaufman_energy(c->L, c->J, c->T));
        basin_ctx_summary_real(ctx, "energy_onsager", basin_ising_onsager_energy(c->J, c->T));
        basin_ctx_summary_real(ctx, "magnetization_onsager",
                               basin_ising_onsager_magnetization(c->J, c->T));
    }
    if (c->algorithm == BASIN_ISING_WOLFF) {
        int64_t cl = w.clusters - clusters0;
        basin_ctx_summary_real(ctx, "mean_cluster_size", cl > 0 ? (double)att / (double)cl : NAN);
        basin_ctx_summary_int(ctx, "clusters_per_sweep", w.clusters_per_sweep);
    }
    int64_t shape[2] = {c->L, c->L};
    rc = basin_ctx_artifact(ctx, "spins", BASIN_I8, 2, shape, w.s);
    basin_ctx_progress(ctx, 1.0);

out:
    basin_ising_free(&w);
    free(es);
    free(ms);
    return rc;
}

const basin_model model_ising = {
    .kind = "ising",
    .version = "1",
    .summary = "2-D Ising / q-state Potts model on an L x L torus: Metropolis, heat bath or "
               "Wolff Monte Carlo with binning error bars",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
