/*
 * diffusion.c — the `diffusion` job kind: score-based generative diffusion of Gaussian-
 * mixture data with the exact score (see basin/diffusion.h for the forward process, the
 * closed-form noised law and score, the samplers and Tweedie's formula).
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   mode          "sample" (default): draw `samples` points by reversing the forward OU
 *                 process; "denoise": draw `samples` data points x, observe y = x + σ z and
 *                 denoise them with Tweedie's formula E[x|y] = y + σ² ∇ ln p_σ(y).
 *   dim           d, 1..16, default 1.
 *   mixture       {"weights", "means", "covs"}: up to 16 components, weights > 0 summing to
 *                 1 (within 1e-9), means d-vectors in [−1e6, 1e6], covs variances (v·I) or
 *                 d×d symmetric positive-definite matrices. Default one standard normal.
 *   samples       1..1e7, default 10000; samples·dim ≤ max_array_elements.
 *   sampler       "ode" (default: probability flow, Heun) | "sde" (reverse SDE,
 *                 Euler–Maruyama).
 *   steps         N, time steps of the grid, 1..1e6, default 200.
 *   t_end         (0, 50], default 10: the sampler starts at t_end.
 *   time_grid     "uniform" (default) | "geometric" (from t_end down to t_min, then 0).
 *   t_min         (0, t_end), default 1e-3: the last positive time of the geometric grid.
 *   prior         "standard" (default: x(t_end) ~ N(0, I), what a generative model uses;
 *                 p_{t_end} differs from it by O(e^{−t_end})) | "exact" (x(t_end) drawn from
 *                 the closed-form p_{t_end}, which isolates the discretisation error).
 *   sigma         noise level of the denoise mode, (0, 1e3], default 0.5.
 *   record_every  steps between series points, default max(1, round(steps/100)).
 *   seed          uint64; absent: drawn at submit and stored in the normalised params.
 * Work above the limits is refused at submit (samples·steps·components·(2d² + 40), twice
 * for the ODE, against max_work at /params/steps).
 *
 * Outputs (sample mode):
 *   series    `mean_norm` ‖sample mean‖ and `variance` (sample variance averaged over the
 *             dimensions) at the grid times passed, with `variance_exact` the same for the
 *             exact noised law p_t; step i is grid time t_i.
 *   summary   `mean_error` = ‖mean − mean_data‖₂, `cov_error` = ‖Cov − Cov_data‖_F (sample
 *             covariance, divisor samples − 1), `occupation_error` = max_k |occ_k − w_k| with
 *             occ_k the mean responsibility of component k under the data law (E[r_k(X)] =
 *             w_k exactly when X ~ p_0, with variance ≤ w_k(1 − w_k)/samples: a binomial
 *             bound), `occupation_z` = max_k |occ_k − w_k| / √(w_k(1 − w_k)/samples) (0 for
 *             one component), `samples`, `steps`, `t_end`.
 *   values    `occupation`, `weights`, `sample_mean`, `data_mean`, `sample_cov`, `data_cov`.
 *   artifacts `samples` float64 [samples, dim].
 * Outputs (denoise mode): summary `mse` (mean squared error per coordinate of x̂),
 *   `mse_noisy` (of y), and for one component `mse_wiener` = tr(Σ − Σ(Σ + σ²I)⁻¹Σ)/d, the
 *   Wiener filter's expected error; artifacts `clean`, `noisy`, `denoised` [samples, dim].
 * Failure: a non-finite coordinate ends the run as `diverged` at its grid step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/diffusion.h"
#include "basin/model.h"
#include "energy_params.h"
#include "params.h"

enum { DMAX = BASIN_DIFFUSION_MAX_DIM, KMAX = BASIN_DIFFUSION_MAX_COMPONENTS };

typedef struct diffusion_config {
    bool denoise;
    int d, K;
    double w[KMAX], mean[KMAX * DMAX], cov[KMAX * DMAX * DMAX];
    long samples, steps, record_every;
    basin_diffusion_sampler sampler;
    basin_diffusion_grid grid;
    double t_end, t_min, sigma;
    bool exact_prior;
    uint64_t seed;
} diffusion_config;

/* ---- parse ---------------------------------------------------------------------------- */

static void free_config(void *config)
{
    free(config);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const modes[] = {"sample", "denoise", NULL};
    static const char *const samplers[] = {"ode", "sde", NULL};
    static const char *const grids[] = {"uniform", "geometric", NULL};
    static const char *const priors[] = {"standard", "exact", NULL};
    diffusion_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return BASIN_ENOMEM;
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = ep_problems(problems);

    cfg->denoise = strcmp(params_enum(&r, "mode", "sample", modes), "denoise") == 0;
    size_t before = ep_problems(problems);
    cfg->d = (int)params_int(&r, "dim", 1, 1, DMAX);
    const bool dim_ok = ep_problems(problems) == before;
    param_reader mr;
    params_child(&r, "mixture", &mr);
    ep_mixture(&mr, cfg->d, dim_ok, KMAX, &cfg->K, cfg->w, cfg->mean, cfg->cov);
    params_child_end(&r, "mixture", &mr);
    cfg->samples = (long)params_int(&r, "samples", 10000, 1, 10000000);
    cfg->sampler = strcmp(params_enum(&r, "sampler", "ode", samplers), "sde") == 0
                       ? BASIN_DIFFUSION_SDE
                       : BASIN_DIFFUSION_ODE;
    cfg->steps = (long)params_int(&r, "steps", 200, 1, 1000000);
    before = ep_problems(problems);
    cfg->t_end = params_real_gt(&r, "t_end", 10.0, 0.0, 50.0);
    bool t_ok = ep_problems(problems) == before;
    cfg->grid = strcmp(params_enum(&r, "time_grid", "uniform", grids), "geometric") == 0
                    ? BASIN_DIFFUSION_GEOMETRIC
                    : BASIN_DIFFUSION_UNIFORM;
    before = ep_problems(problems);
    cfg->t_min = params_real_gt(&r, "t_min", 1e-3, 0.0, 50.0);
    if (t_ok && ep_problems(problems) == before && !(cfg->t_min < cfg->t_end))
        params_problem(&r, "t_min", "must be below t_end = %.17g; got %.17g", cfg->t_end,
                       cfg->t_min);
    cfg->exact_prior = strcmp(params_enum(&r, "prior", "standard", priors), "exact") == 0;
    cfg->sigma = params_real_gt(&r, "sigma", 0.5, 0.0, 1e3);
    long every = lround((double)cfg->steps / 100.0);
    cfg->record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, 1000000);
    cfg->seed = params_seed(&r);

    size_t valid = ep_problems(problems);
    if (valid == start) {
        const double d = cfg->d, per_point = cfg->K * (2.0 * d * d + 40.0);
        double elems = (double)cfg->samples * d;
        double work =
            (double)cfg->samples * per_point *
            (cfg->denoise ? 2.0
                          : (double)cfg->steps * (cfg->sampler == BASIN_DIFFUSION_ODE ? 2.0 : 1.0));
        double points = 3.0 * ((double)(cfg->steps / cfg->record_every) + 2.0);
        if (3.0 * elems > (double)limits->max_array_elements)
            params_over_limit(&r, "samples", "the sample arrays (3·samples·dim)", 3.0 * elems,
                              (double)limits->max_array_elements);
        if (work > (double)limits->max_work)
            params_over_limit(&r, "steps", "the run (samples·steps·components·d²)", work,
                              (double)limits->max_work);
        if (points > (double)limits->max_series_points)
            params_over_limit(&r, "record_every", "the series (3·(steps/record_every + 2))", points,
                              (double)limits->max_series_points);
    }
    size_t over = ep_problems(problems) - valid;
    json_t *norm = NULL;
    int rc = params_close(&r, &norm);
    if (rc != 0) {
        free(cfg);
        return valid == start && over > 0 && ep_problems(problems) == valid + over ? BASIN_ELIMIT
                                                                                   : rc;
    }
    *normalized = norm;
    *config = cfg;
    return 0;
}

/* ---- run ------------------------------------------------------------------------------ */

static json_t *vector_json(int n, const double *v)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

static json_t *matrix_json(int d, const double *m)
{
    json_t *rows = json_array();
    for (int i = 0; i < d; i++)
        json_array_append_new(rows, vector_json(d, m + i * d));
    return rows;
}

/* Sample mean (d) and covariance (d·d, divisor M − 1; 0 for M = 1). */
static void sample_moments(int d, long M, const double *x, double *mean, double *cov)
{
    for (int a = 0; a < d; a++) {
        double s = 0.0;
        for (long i = 0; i < M; i++)
            s += x[i * d + a];
        mean[a] = s / (double)M;
    }
    for (int a = 0; a < d; a++)
        for (int b = a; b < d; b++) {
            double s = 0.0;
            for (long i = 0; i < M; i++)
                s += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
            cov[a * d + b] = cov[b * d + a] = M > 1 ? s / (double)(M - 1) : 0.0;
        }
}

typedef struct poll_state {
    basin_ctx *ctx;
    const diffusion_config *cfg;
    const double *t, *x;
    basin_diffusion *s;
    int rc;
} poll_state;

/* Series at grid step `step`: the sample's mean norm and variance, and the exact noised
 * law's variance (from its moments: the OU law keeps the mixture form). */
static int record(poll_state *p, long step)
{
    const diffusion_config *cfg = p->cfg;
    const int d = cfg->d;
    double mean[DMAX], cov[DMAX * DMAX], dm[DMAX], dc[DMAX * DMAX];
    sample_moments(d, cfg->samples, p->x, mean, cov);
    basin_diffusion_moments(p->s, dm, dc);
    double t = p->t[step], e2 = exp(-2.0 * t), b = -expm1(-2.0 * t);
    double norm = 0.0, var = 0.0, var_exact = 0.0;
    for (int a = 0; a < d; a++) {
        norm += mean[a] * mean[a];
        var += cov[a * d + a] / d;
        /* Cov_t = e^{−2t} Cov_0 + (1 − e^{−2t}) I (the means scale by e^{−t}, covariances
         * and mean spread by e^{−2t}) */
        var_exact += (e2 * dc[a * d + a] + b) / d;
    }
    int rc = basin_ctx_series(p->ctx, "mean_norm", step, sqrt(norm));
    if (rc == 0)
        rc = basin_ctx_series(p->ctx, "variance", step, var);
    if (rc == 0)
        rc = basin_ctx_series(p->ctx, "variance_exact", step, var_exact);
    return rc;
}

static bool poll_stop(void *user, long step)
{
    poll_state *p = user;
    basin_ctx_progress(p->ctx, (double)step / (double)p->cfg->steps);
    if (step % p->cfg->record_every == 0 || step == p->cfg->steps) {
        /* the sampler left s prepared at t_step only at the end: record needs the data
         * moments, which do not depend on the preparation */
        p->rc = record(p, step);
        if (p->rc != 0)
            return true;
    }
    return basin_ctx_should_stop(p->ctx);
}

static int run_denoise(const diffusion_config *cfg, basin_diffusion *s, basin_ctx *ctx,
                       basin_normal_gen *gens, double *x, double *y, double *xhat)
{
    const int d = cfg->d;
    const long M = cfg->samples;
    /* clean data, then the noise from the same block streams */
    basin_diffusion_draw(s, 1.0, 1.0, 0.0, x, M, gens);
    const long blocks = (M + BASIN_DIFFUSION_BLOCK - 1) / BASIN_DIFFUSION_BLOCK;
    for (long b = 0; b < blocks; b++) {
        long first = b * BASIN_DIFFUSION_BLOCK;
        long nb = M - first < BASIN_DIFFUSION_BLOCK ? M - first : BASIN_DIFFUSION_BLOCK;
        basin_normal_gen_fill(&gens[b], y + first * d, nb * d);
    }
    for (long i = 0; i < M * d; i++)
        y[i] = x[i] + cfg->sigma * y[i];
    if (basin_ctx_should_stop(ctx))
        return BASIN_ECANCELLED;
    basin_diffusion_tweedie(s, cfg->sigma, y, M, xhat);
    double mse = 0.0, mse_noisy = 0.0;
    for (long i = 0; i < M * d; i++) {
        mse += (xhat[i] - x[i]) * (xhat[i] - x[i]);
        mse_noisy += (y[i] - x[i]) * (y[i] - x[i]);
    }
    basin_ctx_summary_real(ctx, "mse", mse / ((double)M * d));
    basin_ctx_summary_real(ctx, "mse_noisy", mse_noisy / ((double)M * d));
    if (cfg->K == 1) {
        /* tr(Σ − Σ(Σ + σ²I)⁻¹Σ)/d = Σ_j λ_j σ²/(λ_j + σ²) / d */
        double s2 = cfg->sigma * cfg->sigma, e = 0.0;
        for (int j = 0; j < d; j++)
            e += s->lam[j] * s2 / (s->lam[j] + s2);
        basin_ctx_summary_real(ctx, "mse_wiener", e / d);
    }
    basin_ctx_summary_int(ctx, "samples", M);
    basin_ctx_summary_real(ctx, "sigma", cfg->sigma);
    int64_t shape[2] = {M, d};
    int rc = basin_ctx_artifact(ctx, "clean", BASIN_F64, 2, shape, x);
    if (rc == 0)
        rc = basin_ctx_artifact(ctx, "noisy", BASIN_F64, 2, shape, y);
    if (rc == 0)
        rc = basin_ctx_artifact(ctx, "denoised", BASIN_F64, 2, shape, xhat);
    return rc;
}

static int run(const void *config, basin_ctx *ctx)
{
    const diffusion_config *cfg = config;
    const int d = cfg->d;
    const long M = cfg->samples;
    const long blocks = (M + BASIN_DIFFUSION_BLOCK - 1) / BASIN_DIFFUSION_BLOCK;
    basin_diffusion s;
    memset(&s, 0, sizeof s);
    basin_normal_gen *gens = malloc((size_t)blocks * sizeof *gens);
    double *x = malloc((size_t)M * (size_t)d * sizeof *x);
    double *y = cfg->denoise ? malloc((size_t)M * (size_t)d * sizeof *y) : NULL;
    double *xhat = cfg->denoise ? malloc((size_t)M * (size_t)d * sizeof *xhat) : NULL;
    double *t = cfg->denoise ? NULL : malloc((size_t)(cfg->steps + 1) * sizeof *t);
    int rc = BASIN_ENOMEM;
    if (!gens || !x || (cfg->denoise && (!y || !xhat)) || (!cfg->denoise && !t))
        goto out;
    rc = basin_diffusion_init(&s, d, cfg->K, cfg->w, cfg->mean, cfg->cov, NULL);
    if (rc != 0)
        goto out;
    basin_ctx_seed(ctx, cfg->seed);
    for (long b = 0; b < blocks; b++)
        basin_normal_gen_seed(&gens[b], cfg->seed, (uint64_t)b);
    if (cfg->denoise) {
        rc = run_denoise(cfg, &s, ctx, gens, x, y, xhat);
        goto out;
    }

    /* the prior at t_end: N(0, I) or the exact noised law */
    basin_diffusion_time_grid(cfg->grid, cfg->t_end, cfg->t_min, cfg->steps, t);
    if (cfg->exact_prior)
        basin_diffusion_draw(&s, exp(-cfg->t_end), exp(-2.0 * cfg->t_end),
                             -expm1(-2.0 * cfg->t_end), x, M, gens);
    else
        basin_diffusion_draw(&s, 0.0, 0.0, 1.0, x, M, gens);
    poll_state p = {.ctx = ctx, .cfg = cfg, .t = t, .x = x, .s = &s, .rc = 0};
    rc = record(&p, 0);
    if (rc != 0)
        goto out;
    long bad = 0;
    rc = basin_diffusion_sample(&s, cfg->sampler, t, cfg->steps, x, M, gens, poll_stop, &p, &bad);
    if (p.rc != 0) {
        rc = p.rc;
        goto out;
    }
    if (rc == BASIN_EDIVERGED) {
        basin_ctx_fail(ctx, "diverged", bad,
                       "a sample coordinate became non-finite at grid "
                       "step %ld (t = %g)",
                       bad, t[bad]);
        goto out;
    }
    if (rc != 0)
        goto out;

    /* summary against the data law (s is prepared at t = 0: the data law itself) */
    double mean[DMAX], cov[DMAX * DMAX], dm[DMAX], dc[DMAX * DMAX];
    sample_moments(d, M, x, mean, cov);
    basin_diffusion_moments(&s, dm, dc);
    double me = 0.0, ce = 0.0;
    for (int a = 0; a < d; a++) {
        me += (mean[a] - dm[a]) * (mean[a] - dm[a]);
        for (int b = 0; b < d; b++)
            ce += (cov[a * d + b] - dc[a * d + b]) * (cov[a * d + b] - dc[a * d + b]);
    }
    double occ[KMAX] = {0}, resp[KMAX];
    for (long i = 0; i < M; i++) {
        basin_diffusion_score(&s, x + i * d, NULL, resp);
        for (int k = 0; k < cfg->K; k++)
            occ[k] += resp[k];
    }
    double occ_err = 0.0, occ_z = 0.0;
    for (int k = 0; k < cfg->K; k++) {
        occ[k] /= (double)M;
        double e = fabs(occ[k] - cfg->w[k]);
        occ_err = fmax(occ_err, e);
        if (cfg->K > 1)
            occ_z = fmax(occ_z, e / sqrt(cfg->w[k] * (1.0 - cfg->w[k]) / (double)M));
    }
    basin_ctx_summary_real(ctx, "mean_error", sqrt(me));
    basin_ctx_summary_real(ctx, "cov_error", sqrt(ce));
    basin_ctx_summary_real(ctx, "occupation_error", occ_err);
    basin_ctx_summary_real(ctx, "occupation_z", occ_z);
    basin_ctx_summary_int(ctx, "samples", M);
    basin_ctx_summary_int(ctx, "steps", cfg->steps);
    basin_ctx_summary_real(ctx, "t_end", cfg->t_end);
    basin_ctx_value(ctx, "occupation", vector_json(cfg->K, occ));
    basin_ctx_value(ctx, "weights", vector_json(cfg->K, cfg->w));
    basin_ctx_value(ctx, "sample_mean", vector_json(d, mean));
    basin_ctx_value(ctx, "data_mean", vector_json(d, dm));
    basin_ctx_value(ctx, "sample_cov", matrix_json(d, cov));
    basin_ctx_value(ctx, "data_cov", matrix_json(d, dc));
    int64_t shape[2] = {M, d};
    rc = basin_ctx_artifact(ctx, "samples", BASIN_F64, 2, shape, x);
    basin_ctx_progress(ctx, 1.0);
out:
    basin_diffusion_free(&s);
    free(gens);
    free(x);
    free(y);
    free(xhat);
    free(t);
    return rc;
}

const basin_model model_diffusion = {
    .kind = "diffusion",
    .version = "1",
    .summary = "score-based generative diffusion of Gaussian-mixture data with the exact score "
               "(reverse SDE or probability-flow ODE, Tweedie denoising)",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
