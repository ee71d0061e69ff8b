/*
 * dense_memory.c — the `dense_memory` job kind: modern (dense) associative memories
 * (models.md §A; the numerics are in src/core/dense_memory.c).
 *
 * Variants:
 *   continuous   Ramsauer et al. (2020): states ξ ∈ Rⁿ, ξ ← X softmax(β Xᵀξ) for a batch
 *                of queries at once, energy
 *                E = −β⁻¹ log Σ_μ exp(β x_μ·ξ) + ½ ξ·ξ + β⁻¹ log P + ½ M² (non-increasing).
 *                One step updates every query; the run stops after `steps` steps or when
 *                no coordinate moved by more than `tol`.
 *   polynomial   Krotov & Hopfield (2016): spins s ∈ {±1}ⁿ, E = −Σ_μ (ξ^μ·s)^degree,
 *   exponential  Demircigil et al. (2017): E = −Σ_μ exp(β ξ^μ·s), reported in the
 *                log-sum-exp form −β⁻¹ log Σ_μ exp(β ξ^μ·s) (a monotone function of it that
 *                cannot overflow). Binary variants update spins asynchronously at T = 0 in a
 *                random order, a new one each sweep (one step = one sweep of every query
 *                not yet at a fixed point), each update minimising E, so E never
 *                increases; a query whose sweep changes nothing is a fixed point and stops.
 * Capacity: polynomial grows as n^{degree−1}, exponential exponentially in n — far beyond
 * the 0.138 n of the Hopfield network (`hopfield`, which degree 2 reproduces).
 *
 * Parameters (every one optional):
 *   n            dimension, integer in [1, 1048576]; default 64, or the length of the
 *                explicit patterns.
 *   variant      "continuous" (default), "polynomial", "exponential".
 *   patterns     a count P in [1, 1048576] of random ±1 patterns, or {"count": P,
 *                "bias": b} (P(ξ_i = +1) = (1 + b)/2, b ∈ [−1, 1]; default {"count": 8,
 *                "bias": 0}), or an array of P arrays of n numbers: ±1 for the binary
 *                variants, any numbers in [−1e6, 1e6] for continuous.
 *   beta         β ∈ [0, 1e6], default 1: the inverse temperature of the softmax
 *                (continuous; β = 0 averages the patterns) and of F(x) = exp(βx)
 *                (exponential, where it must be > 0); unused by polynomial.
 *   degree       integer in [1, 30], default 3: F(x) = x^degree (polynomial only); the
 *                energy |Σ_μ (ξ^μ·s)^degree| ≤ P·n^degree ≤ 10^187 always fits a double.
 *   cue          the initial states; default {"pattern": 0, "flip": 0.1}:
 *                {"pattern": k, "flip": f}  query q starts from pattern (k + q) mod P with
 *                                           round(f·n) distinct coordinates negated;
 *                {"pattern": k, "mask": f}  … with round(f·n) distinct coordinates erased:
 *                                           set to 0 (continuous) or to a random ±1
 *                                           (binary, each with probability ½);
 *                {"state": [n numbers]}     one explicit state (queries must be 1);
 *                {"states": [[n numbers], …]}  a batch of explicit states.
 *                k ∈ [0, P), f ∈ [0, 1]; states are ±1 for the binary variants. The target
 *                of query q is pattern (k + q) mod P, and pattern 0 for explicit states.
 *   queries      batch size B, integer in [1, 65536]; default 1 (or the number of
 *                explicit states, which it must then equal).
 *   steps        integer in [1, 100000], default 10: updates (continuous) or sweeps
 *                (binary) at most.
 *   tol          continuous: stop when max |Δξ| ≤ tol; real in [0, 1e6], default 1e-10.
 *   record_every integer in [1, 100000], default 1: series at step 0, every record_every
 *                steps and at the last step.
 *   seed         uint64 (absent: drawn at submit); random patterns, cues and the update
 *                orders draw from streams 1, 2, 3 split from it.
 * Version 2: the softmax exponentials come from basin_vexp and its sums are taken in 8
 * fixed lanes (continuous results differ from version 1 in the last bits).
 * Version 3: the continuous products run over fixed blocks of 128 queries, shared out
 * over threads (the same bits for any thread count; batches of more than 128 queries
 * differ from version 2 in the last bits).
 * Version 4: the continuous scores run over fixed tiles of 256 queries × 512 patterns
 * (two threads no longer each read every pattern; results may differ from version 3 in
 * the last bits).
 * Admission (BASIN_ELIMIT, one problem): the arrays held (patterns n·P, the B×P scores and
 * weights, the B×n states) against max_array_elements (at /patterns); series points
 * against max_series_points (at /record_every); the estimated work of `steps` steps
 * (dgemm flops at 1/8 unit, see basin_dense_eval_cost) against max_work (at /steps).
 *
 * Overlap of a state with pattern μ: the cosine x_μ·ξ/(|x_μ||ξ|) (0 for a zero vector),
 * which for ±1 vectors is the Mattis overlap (1/n) ξ^μ·s of `hopfield`.
 * Output. series: `overlap` (mean over queries of the overlap with the target), `energy`
 * (mean over queries), `change` (continuous: max |Δξ| of the step) or `flips` (binary:
 * spins changed in the sweep), from step 0 (change and flips from step 1). summary:
 * `final_overlap` (mean), `min_overlap`, `energy` (mean), `steps`, `converged`,
 * `retrieved` (argmax_μ |m_μ| of query 0, the lowest index on ties), `retrieved_fraction`
 * (queries whose argmax is their target), `load` (P/n). artifacts: `state` ([B, n],
 * float64 or int8), `overlaps` ([B, P] float64; omitted when B·P > 10⁶, 8 MB).
 * Failure: a non-finite energy or change ends the run as `diverged` (finite inputs cannot
 * produce one: the log-sum-exp is shifted by its maximum).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/dense_memory.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "models/params.h"

#define N_MAX        1048576
#define P_MAX        1048576
#define Q_MAX        65536
#define STEPS_MAX    100000
#define N_DEFAULT    64
#define P_DEFAULT    8
#define FLIP_DEFAULT 0.1
#define VALUE_MAX    1e6
#define DEGREE_MAX   30
#define OVERLAPS_MAX 1000000 /* the overlaps artifact is omitted above B·P = 10⁶ (8 MB) */

/* Work units between two checks for cancellation (≈ 0.1 s on one core; larger dgemm
 * blocks repack the queries less often). */
#define CHUNK_OPS 1e8

enum { STREAM_PATTERNS = 1, STREAM_CUE = 2, STREAM_DYNAMICS = 3 };

typedef enum variant { CONTINUOUS, POLYNOMIAL, EXPONENTIAL } variant;
typedef enum cue_kind { CUE_FLIP, CUE_MASK, CUE_STATES } cue_kind;

typedef struct dense_config {
    long n, p, q;
    variant var;
    double beta;
    int degree;
    double *X;   /* explicit patterns (P×n), or NULL for random ones */
    double bias; /* random patterns */
    cue_kind cue;
    long cue_pattern;
    double cue_fraction;
    double *states; /* CUE_STATES: B×n */
    long steps, record_every;
    double tol;
    uint64_t seed;
} dense_config;

static void dense_free_config(void *config)
{
    dense_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->X);
    free(cfg->states);
    free(cfg);
}

/* ---- parse --------------------------------------------------------------------------- */

static void describe(param_reader *r, const char *key, json_t *extra)
{
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
    if (prop && extra)
        json_object_update(prop, extra);
    json_decref(extra);
}

static void doc(param_reader *r, const char *key, const char *text)
{
    if (r->schema)
        describe(r, key, json_pack("{s:s}", "description", text));
}

/* Reads an array of n numbers at sub-path `key` of r: ±1 when `spins`, else numbers in
 * [−VALUE_MAX, VALUE_MAX]. Writes them to out (n doubles; NULL to only check) and returns
 * the normalised copy, or NULL after recording problems. n_ok: n is valid, so the length
 * can be checked. */
static json_t *read_vector(param_reader *r, const char *key, const json_t *v, long n, bool n_ok,
                           bool spins, double *out)
{
    const char *what = spins ? "values 1 or -1" : "numbers";
    if (!json_is_array(v)) {
        params_problem(r, key, "must be an array of %s", what);
        return NULL;
    }
    size_t len = json_array_size(v);
    if (n_ok && len != (size_t)n) {
        params_problem(r, key, "must have n = %ld entries; got %zu", n, len);
        return NULL;
    }
    json_t *norm = json_array();
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        const json_t *e = json_array_get(v, i);
        double x = json_number_value(e);
        bool good = json_is_number(e) &&
                    (spins ? (x == 1.0 || x == -1.0) : (x >= -VALUE_MAX && x <= VALUE_MAX));
        if (!good) {
            char sub[96];
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            if (spins)
                params_problem(r, sub, "must be 1 or -1");
            else
                params_problem(r, sub, "must be a number in [%g, %g]", -VALUE_MAX, VALUE_MAX);
            ok = false;
            continue;
        }
        if (out && n_ok)
            out[i] = x;
        json_array_append_new(norm, spins ? json_integer(x > 0 ? 1 : -1) : json_real(x));
    }
    if (!ok) {
        json_decref(norm);
        return NULL;
    }
    return norm;
}

/* Reads an array of rows (patterns or states) at `key` of r into *out (rows × n doubles,
 * malloc'd when every row is well formed). Returns the normalised form or NULL. */
static json_t *read_rows(param_reader *r, const char *key, const json_t *v, long n, bool n_ok,
                         bool spins, size_t max_rows, size_t *rows, double **out, int *rc)
{
    *rows = 0;
    *rc = 0;
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > max_rows) {
        params_problem(r, key, "must be an array of 1 to %zu arrays of n %s", max_rows,
                       spins ? "values 1 or -1" : "numbers");
        return NULL;
    }
    size_t R = json_array_size(v);
    bool shaped = n_ok;
    for (size_t k = 0; k < R && shaped; k++) {
        const json_t *row = json_array_get(v, k);
        shaped = json_is_array(row) && json_array_size(row) == (size_t)n;
    }
    double *data = NULL;
    if (shaped) {
        data = malloc(R * (size_t)n * sizeof *data);
        if (!data) {
            *rc = BASIN_ENOMEM;
            return NULL;
        }
    }
    json_t *norm = json_array();
    bool ok = true;
    for (size_t k = 0; k < R; k++) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s/%zu", key, k);
        json_t *row = read_vector(r, sub, json_array_get(v, k), n, n_ok, spins,
                                  data ? data + k * (size_t)n : NULL);
        if (!row) {
            ok = false;
            continue;
        }
        json_array_append_new(norm, row);
    }
    if (!ok || !data) {
        json_decref(norm);
        free(data);
        return NULL;
    }
    *rows = R;
    *out = data;
    return norm;
}

static void read_patterns(param_reader *r, dense_config *cfg, bool n_ok, int *rc)
{
    const json_t *v = params_raw(r, "patterns", NULL);
    doc(r, "patterns",
        "stored patterns: a count of random ±1 patterns; {count, bias} with P(xi = +1) = "
        "(1 + bias)/2; or explicit patterns, arrays of n numbers (±1 for the binary "
        "variants)");
    /* Defaults also for explicit patterns that turn out malformed. */
    cfg->p = P_DEFAULT;
    cfg->bias = 0.0;
    *rc = 0;
    if (params_random_patterns(r, v, P_DEFAULT, P_MAX, &cfg->p, &cfg->bias))
        return;
    size_t rows = 0;
    json_t *norm = read_rows(r, "patterns", v, cfg->n, n_ok, cfg->var != CONTINUOUS, P_MAX, &rows,
                             &cfg->X, rc);
    if (json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= P_MAX)
        cfg->p = (long)json_array_size(v);
    params_put(r, "patterns", norm ? norm : json_null());
}

/* `cue` and `queries`. p_ok: the pattern count is valid. */
static void read_cue(param_reader *r, dense_config *cfg, bool n_ok, bool p_ok, int *rc)
{
    const json_t *v = params_raw(r, "cue", "object");
    doc(r, "cue",
        "initial states: {pattern, flip} (query q from pattern (pattern + q) mod P with a "
        "fraction flip of coordinates negated), {pattern, mask} (a fraction erased: 0, or "
        "a random ±1 for binary variants), {state} (one explicit state) or {states} (a "
        "batch)");
    *rc = 0;
    cfg->cue = CUE_FLIP;
    cfg->cue_pattern = 0;
    cfg->cue_fraction = FLIP_DEFAULT;
    long q_given = -1;
    bool spins = cfg->var != CONTINUOUS;
    if (v && !json_is_object(v)) {
        params_problem(r, "cue",
                       "must be an object {pattern, flip}, {pattern, mask}, {state} "
                       "or {states}");
        v = NULL;
    }
    param_reader c;
    char ptr[sizeof r->pointer + 16];
    snprintf(ptr, sizeof ptr, "%s/cue", r->pointer);
    params_open(&c, v, ptr, r->problems, NULL);
    const json_t *state = v ? json_object_get(v, "state") : NULL;
    const json_t *states = v ? json_object_get(v, "states") : NULL;
    if (state || states) {
        static const char *const others[] = {"pattern", "flip", "mask"};
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
            if (params_raw(&c, others[k], NULL))
                params_problem(&c, others[k], "cannot be combined with state or states");
        if (state && states)
            params_problem(&c, "states", "give either state or states, not both");
        cfg->cue = CUE_STATES;
        params_raw(&c, "state", NULL);
        params_raw(&c, "states", NULL);
        if (state && !states) {
            double *one = n_ok ? malloc((size_t)cfg->n * sizeof *one) : NULL;
            if (n_ok && !one) {
                *rc = BASIN_ENOMEM;
                params_close(&c, NULL);
                return;
            }
            json_t *norm = read_vector(&c, "state", state, cfg->n, n_ok, spins, one);
            if (norm) {
                params_put(&c, "state", norm);
                cfg->states = one;
            } else {
                free(one);
            }
            q_given = 1;
        } else if (states) {
            size_t rows = 0;
            json_t *norm = read_rows(&c, "states", states, cfg->n, n_ok, spins, Q_MAX, &rows,
                                     &cfg->states, rc);
            if (*rc) {
                params_close(&c, NULL);
                return;
            }
            if (norm)
                params_put(&c, "states", norm);
            if (json_is_array(states))
                q_given = (long)json_array_size(states);
        }
    } else {
        long hi = p_ok ? cfg->p - 1 : P_MAX - 1;
        cfg->cue_pattern = (long)params_int(&c, "pattern", 0, 0, hi);
        if (v && json_object_get(v, "mask")) {
            if (params_raw(&c, "flip", NULL))
                params_problem(&c, "mask", "give either flip or mask, not both");
            cfg->cue = CUE_MASK;
            cfg->cue_fraction = params_real(&c, "mask", FLIP_DEFAULT, 0.0, 1.0);
        } else {
            cfg->cue_fraction = params_real(&c, "flip", FLIP_DEFAULT, 0.0, 1.0);
        }
    }
    json_t *norm = NULL;
    params_close(&c, &norm);
    params_put(r, "cue", norm ? norm : json_null());

    int64_t q_def = q_given >= 1 && q_given <= Q_MAX ? q_given : 1;
    const json_t *qv = r->in ? json_object_get(r->in, "queries") : NULL;
    cfg->q = (long)params_int(r, "queries", q_def, 1, Q_MAX);
    doc(r, "queries",
        "batch size B: queries updated together; default 1, or the number of explicit "
        "states");
    if (q_given >= 1 && qv && cfg->q != q_given)
        params_problem(r, "queries", "must equal the number of explicit cue states (%ld)", q_given);
}

/* Arrays held, for the element limit. */
static double elements_needed(const dense_config *cfg)
{
    double n = (double)cfg->n, P = (double)cfg->p, B = (double)cfg->q;
    if (cfg->var == CONTINUOUS)
        return P * n + 2.0 * B * P + 3.0 * B * n;
    return 2.0 * P * n + B * P + 2.0 * B * n;
}

/* Work of the run, for the work limit. */
static double work_needed(const dense_config *cfg)
{
    double n = (double)cfg->n, P = (double)cfg->p, B = (double)cfg->q, S = (double)cfg->steps;
    if (cfg->var == CONTINUOUS) {
        basin_dense_config core = {.n = cfg->n, .p = cfg->p, .q = cfg->q, .beta = cfg->beta};
        return (S + 1.0) * basin_dense_eval_cost(&core) + S * basin_dense_update_cost(&core) +
               10.0 * (P * n + B * n);
    }
    basin_dense_bin_config core = {.n = cfg->n, .p = cfg->p, .q = cfg->q};
    return S * B * n * basin_dense_bin_update_cost(&core) + 4.0 * (S + 2.0) * B * P +
           2.0 * B * n * P + 10.0 * P * n;
}

static bool check_limits(param_reader *r, const dense_config *cfg, const basin_limits *limits)
{
    double elements = elements_needed(cfg);
    if (elements > (double)limits->max_array_elements) {
        params_over_limit(r, "patterns", "the patterns, scores and states (array elements)",
                          elements, (double)limits->max_array_elements);
        return true;
    }
    double records = 3.0 * (floor((double)cfg->steps / (double)cfg->record_every) + 2.0);
    if (records > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", records,
                          (double)limits->max_series_points);
        return true;
    }
    double work = work_needed(cfg);
    if (work > (double)limits->max_work) {
        params_over_limit(r, "steps", "the run (operations)", work, (double)limits->max_work);
        return true;
    }
    return false;
}

static int dense_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                       basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const variants[] = {"continuous", "polynomial", "exponential", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    dense_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc = 0;

    int64_t n_def = N_DEFAULT;
    const json_t *pat = r.in ? json_object_get(r.in, "patterns") : NULL;
    if (json_is_array(pat) && json_is_array(json_array_get(pat, 0))) {
        size_t len = json_array_size(json_array_get(pat, 0));
        if (len >= 1 && len <= N_MAX)
            n_def = (int64_t)len;
    }
    size_t before = problems->count + problems->dropped;
    cfg->n = (long)params_int(&r, "n", n_def, 1, N_MAX);
    doc(&r, "n", "dimension n; default 64, or the length of the explicit patterns");
    bool n_ok = problems->count + problems->dropped == before;

    const char *var = params_enum(&r, "variant", "continuous", variants);
    doc(&r, "variant",
        "continuous: xi <- X softmax(beta X^T xi) (Ramsauer et al. 2020); polynomial: "
        "E = -sum (xi.s)^degree; exponential: E = -sum exp(beta xi.s) (binary spins)");
    cfg->var = strcmp(var, "polynomial") == 0    ? POLYNOMIAL
               : strcmp(var, "exponential") == 0 ? EXPONENTIAL
                                                 : CONTINUOUS;

    before = problems->count + problems->dropped;
    read_patterns(&r, cfg, n_ok, &rc);
    if (rc)
        goto fail;
    bool p_ok = problems->count + problems->dropped == before;

    cfg->beta = params_real(&r, "beta", 1.0, 0.0, 1e6);
    doc(&r, "beta",
        "inverse temperature: of the softmax (continuous; 0 averages the patterns) and of "
        "F(x) = exp(beta x) (exponential, > 0)");
    if (cfg->var == EXPONENTIAL && cfg->beta == 0.0)
        params_problem(&r, "beta", "the exponential variant needs beta > 0");
    cfg->degree = (int)params_int(&r, "degree", 3, 1, DEGREE_MAX);
    doc(&r, "degree", "polynomial variant: F(x) = x^degree");

    read_cue(&r, cfg, n_ok, p_ok, &rc);
    if (rc)
        goto fail;
    cfg->steps = (long)params_int(&r, "steps", 10, 1, STEPS_MAX);
    doc(&r, "steps", "updates (continuous) or sweeps (binary) at most");
    cfg->tol = params_real(&r, "tol", 1e-10, 0.0, 1e6);
    doc(&r, "tol", "continuous: stop when no coordinate moves by more than tol");
    cfg->record_every = (long)params_int(&r, "record_every", 1, 1, STEPS_MAX);
    doc(&r, "record_every", "record the series every this many steps (and at 0 and the last)");
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
    dense_free_config(cfg);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------- */

/* Random ±1 patterns, as hopfield: bias 0 one bit each (bit j of each 64-bit draw for
 * spin j), else one uniform each. */
static int random_patterns(basin_ctx *ctx, basin_rng *rng, double bias, size_t total, int8_t *xi)
{
    double p_up = 0.5 * (1.0 + bias);
    size_t chunk = (size_t)1 << 22;
    /* spins[v]: the 8 spins of a byte v of a draw, spin j from bit j */
    int8_t spins[256][8];
    for (unsigned v = 0; v < 256; v++)
        for (unsigned j = 0; j < 8; j++)
            spins[v][j] = (v >> j) & 1u ? 1 : -1;
    for (size_t k0 = 0; k0 < total; k0 += chunk) {
        if (basin_ctx_should_stop(ctx))
            return BASIN_ECANCELLED;
        size_t k1 = k0 + chunk < total ? k0 + chunk : total;
        if (bias == 0.0) {
            for (size_t k = k0; k < k1; k += 64) {
                uint64_t bits = basin_rng_next(rng);
                if (k1 - k >= 64) {
                    for (unsigned b = 0; b < 8; b++)
                        memcpy(xi + k + 8 * b, spins[(bits >> (8 * b)) & 255u], 8);
                    continue;
                }
                for (size_t j = 0; j < k1 - k; j++)
                    xi[k + j] = (int8_t)(2 * (int)((bits >> j) & 1u) - 1);
            }
        } else {
            for (size_t k = k0; k < k1; k++)
                xi[k] = basin_rng_uniform(rng) < p_up ? 1 : -1;
        }
    }
    return 0;
}

/* The cue of every query into Q (B×n doubles): pattern (k + q) mod P with round(f·n)
 * distinct coordinates (a partial Fisher–Yates draw per query) negated, or erased (0 for
 * continuous, a random ±1 for binary); or the explicit states. */
static int build_cues(const dense_config *cfg, const double *X, basin_rng *rng, double *Q)
{
    size_t n = (size_t)cfg->n, B = (size_t)cfg->q;
    if (cfg->cue == CUE_STATES) {
        memcpy(Q, cfg->states, B * n * sizeof *Q);
        return 0;
    }
    size_t m = (size_t)floor(cfg->cue_fraction * (double)n + 0.5);
    m = m > n ? n : m;
    uint32_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return BASIN_ENOMEM;
    for (size_t q = 0; q < B; q++) {
        size_t target = (size_t)((cfg->cue_pattern + (long)q) % cfg->p);
        double *xi = Q + q * n;
        memcpy(xi, X + target * n, n * sizeof *xi);
        for (size_t i = 0; i < n; i++)
            idx[i] = (uint32_t)i;
        for (size_t k = 0; k < m; k++) {
            size_t j = k + (size_t)basin_rng_below(rng, (uint64_t)(n - k));
            uint32_t t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
            size_t i = idx[k];
            if (cfg->cue == CUE_FLIP)
                xi[i] = -xi[i];
            else if (cfg->var == CONTINUOUS)
                xi[i] = 0.0;
            else
                xi[i] = (basin_rng_next(rng) >> 63) ? 1.0 : -1.0;
        }
    }
    free(idx);
    return 0;
}

static long target_of(const dense_config *cfg, size_t q)
{
    return cfg->cue == CUE_STATES ? 0 : (cfg->cue_pattern + (long)q) % cfg->p;
}

/* The shared state of a run. */
typedef struct run_state {
    const dense_config *cfg;
    basin_ctx *ctx;
    basin_dense *cw;     /* continuous */
    basin_dense_bin *bw; /* binary */
    const double *xnorm; /* P: |x_μ| (continuous; the workspace's) */
    double *qnorm;       /* B: |ξ_b| of the evaluated queries (continuous) */
} run_state;

/* Continuous: |ξ_b| of the current queries. */
static void query_norms(run_state *st)
{
    size_t n = (size_t)st->cfg->n, B = (size_t)st->cfg->q;
    for (size_t q = 0; q < B; q++) {
        const double *xi = st->cw->Q + q * n;
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += xi[i] * xi[i];
        st->qnorm[q] = sqrt(s);
    }
}

/* Overlap of query q with pattern mu: x_μ·ξ/(|x_μ||ξ|), or b/n for binary (the same
 * number for ±1 vectors). Continuous requires an evaluation (the scores) and qnorm. */
static double overlap(const run_state *st, size_t q, size_t mu)
{
    size_t P = (size_t)st->cfg->p;
    if (st->bw)
        return (double)st->bw->b[q * P + mu] / (double)st->cfg->n;
    double d = st->xnorm[mu] * st->qnorm[q];
    return d > 0.0 ? st->cw->S[q * P + mu] / d : 0.0;
}

static double energy_of(const run_state *st, size_t q)
{
    return st->bw ? basin_dense_bin_energy(st->bw, (long)q) : st->cw->energy[q];
}

/* Records the mean overlap with the targets, the mean energy and (t > 0) the change or
 * flips of step t; returns BASIN_EDIVERGED (after basin_ctx_fail) on a non-finite value. */
static int record(run_state *st, long t, double *mean_E)
{
    const dense_config *cfg = st->cfg;
    size_t B = (size_t)cfg->q;
    double sum_m = 0.0, sum_E = 0.0;
    for (size_t q = 0; q < B; q++) {
        sum_m += overlap(st, q, (size_t)target_of(cfg, q));
        sum_E += energy_of(st, q);
    }
    double E = sum_E / (double)B;
    double delta = st->bw ? (double)st->bw->flips : st->cw->change;
    if (!isfinite(E) || (t > 0 && !isfinite(delta))) {
        basin_ctx_fail(st->ctx, "diverged", t, "non-finite energy or update at step %ld", t);
        return BASIN_EDIVERGED;
    }
    *mean_E = E;
    int rc = basin_ctx_series(st->ctx, "overlap", t, sum_m / (double)B);
    if (!rc)
        rc = basin_ctx_series(st->ctx, "energy", t, E);
    if (!rc && t > 0)
        rc = basin_ctx_series(st->ctx, st->bw ? "flips" : "change", t, delta);
    return rc;
}

/* Continuous: evaluates the current queries in cancellable parts. */
static int eval_checked(run_state *st)
{
    while (!basin_dense_eval_part(st->cw, CHUNK_OPS))
        if (basin_ctx_should_stop(st->ctx))
            return BASIN_ECANCELLED;
    query_norms(st);
    return 0;
}

/* One step (an update or a sweep) in cancellable parts; writes whether it converged. */
static int step_checked(run_state *st, basin_rng *rng, bool *converged)
{
    if (st->bw) {
        while (!basin_dense_bin_sweep_part(st->bw, rng, CHUNK_OPS))
            if (basin_ctx_should_stop(st->ctx))
                return BASIN_ECANCELLED;
        bool all = true;
        for (long q = 0; q < st->cfg->q; q++)
            all = all && st->bw->converged[q];
        *converged = all;
        return 0;
    }
    while (!basin_dense_update_part(st->cw, CHUNK_OPS))
        if (basin_ctx_should_stop(st->ctx))
            return BASIN_ECANCELLED;
    int rc = eval_checked(st);
    *converged = st->cw->change <= st->cfg->tol;
    return rc;
}

static int dense_run(const void *config, basin_ctx *ctx)
{
    const dense_config *cfg = config;
    size_t n = (size_t)cfg->n, P = (size_t)cfg->p, B = (size_t)cfg->q;
    bool binary = cfg->var != CONTINUOUS;
    int8_t *xi8 = NULL, *s8 = NULL;
    double *X = NULL, *Q = NULL, *m = NULL;
    run_state st = {.cfg = cfg, .ctx = ctx};
    int rc;

    basin_ctx_seed(ctx, cfg->seed);
    if (basin_ctx_should_stop(ctx))
        return BASIN_ECANCELLED;
    basin_rng root, rng_patterns, rng_cue, rng;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_PATTERNS, &rng_patterns);
    basin_rng_split(&root, STREAM_CUE, &rng_cue);
    basin_rng_split(&root, STREAM_DYNAMICS, &rng);

    /* patterns as doubles (X) and, for binary, as int8 */
    X = malloc(P * n * sizeof *X);
    Q = malloc(B * n * sizeof *Q);
    bool keep_overlaps = B * P <= OVERLAPS_MAX;
    m = malloc((keep_overlaps ? B : 1) * P * sizeof *m);
    if (!X || !Q || !m) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    if (cfg->X) {
        memcpy(X, cfg->X, P * n * sizeof *X);
    } else {
        xi8 = malloc(P * n);
        if (!xi8) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        if ((rc = random_patterns(ctx, &rng_patterns, cfg->bias, P * n, xi8)))
            goto out;
        for (size_t k0 = 0; k0 < P * n; k0 += (size_t)1 << 22) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            size_t k1 = P * n - k0 > ((size_t)1 << 22) ? k0 + ((size_t)1 << 22) : P * n;
            for (size_t k = k0; k < k1; k++)
                X[k] = (double)xi8[k];
        }
    }
    if ((rc = build_cues(cfg, X, &rng_cue, Q)))
        goto out;

    if (binary) {
        if (!xi8) {
            xi8 = malloc(P * n);
            if (!xi8) {
                rc = BASIN_ENOMEM;
                goto out;
            }
            for (size_t k = 0; k < P * n; k++)
                xi8[k] = X[k] > 0 ? 1 : -1;
        }
        s8 = malloc(B * n);
        if (!s8) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        for (size_t k = 0; k < B * n; k++)
            s8[k] = Q[k] > 0 ? 1 : -1;
        basin_dense_bin_config bc = {.n = cfg->n,
                                     .p = cfg->p,
                                     .q = cfg->q,
                                     .f = cfg->var == POLYNOMIAL ? BASIN_DENSE_POLYNOMIAL
                                                                 : BASIN_DENSE_EXPONENTIAL,
                                     .degree = cfg->degree,
                                     .beta = cfg->beta};
        if ((rc = basin_dense_bin_alloc(&bc, xi8, &st.bw)))
            goto out;
        for (size_t q = 0; q < B; q++) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            basin_dense_bin_set_state(st.bw, (long)q, s8 + q * n);
        }
    } else {
        basin_dense_config cc = {.n = cfg->n, .p = cfg->p, .q = cfg->q, .beta = cfg->beta};
        rc = basin_dense_adopt(&cc, X, &st.cw); /* the workspace owns X from here */
        X = NULL;
        if (rc)
            goto out;
        st.xnorm = st.cw->xnorm;
        st.qnorm = malloc(B * sizeof *st.qnorm);
        if (!st.qnorm) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        basin_dense_set_queries(st.cw, Q);
        if ((rc = eval_checked(&st)))
            goto out;
    }
    free(X);
    X = NULL;

    double E;
    if ((rc = record(&st, 0, &E)))
        goto out;
    bool converged = false;
    long t = 0;
    while (t < cfg->steps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        if ((rc = step_checked(&st, &rng, &converged)))
            goto out;
        t++;
        bool last = converged || t == cfg->steps;
        if (last || t % cfg->record_every == 0)
            if ((rc = record(&st, t, &E)))
                goto out;
        basin_ctx_progress(ctx, (double)t / (double)cfg->steps);
        if (last)
            break;
    }

    /* final overlaps of every query with every pattern */
    double sum_m = 0.0, min_m = INFINITY;
    long hits = 0, retrieved0 = 0;
    for (size_t q = 0; q < B; q++) {
        double *mq = m + (keep_overlaps ? q * P : 0);
        for (size_t mu = 0; mu < P; mu++)
            mq[mu] = overlap(&st, q, mu);
        size_t best = 0; /* argmax |m_μ|, the lowest index on ties */
        double top = fabs(mq[0]);
        for (size_t mu = 1; mu < P; mu++)
            if (fabs(mq[mu]) > top) {
                top = fabs(mq[mu]);
                best = mu;
            }
        double mt = mq[target_of(cfg, q)];
        sum_m += mt;
        min_m = mt < min_m ? mt : min_m;
        hits += (long)best == target_of(cfg, q);
        if (q == 0)
            retrieved0 = (long)best;
    }
    basin_ctx_summary_real(ctx, "final_overlap", sum_m / (double)B);
    basin_ctx_summary_real(ctx, "min_overlap", min_m);
    basin_ctx_summary_real(ctx, "energy", E);
    basin_ctx_summary_int(ctx, "steps", t);
    basin_ctx_summary_bool(ctx, "converged", converged);
    basin_ctx_summary_int(ctx, "retrieved", retrieved0);
    basin_ctx_summary_real(ctx, "retrieved_fraction", (double)hits / (double)B);
    basin_ctx_summary_real(ctx, "load", (double)P / (double)n);
    int64_t shape_s[2] = {(int64_t)B, (int64_t)n}, shape_m[2] = {(int64_t)B, (int64_t)P};
    if (binary)
        rc = basin_ctx_artifact(ctx, "state", BASIN_I8, 2, shape_s, st.bw->s);
    else
        rc = basin_ctx_artifact(ctx, "state", BASIN_F64, 2, shape_s, st.cw->Q);
    if (!rc && keep_overlaps)
        rc = basin_ctx_artifact(ctx, "overlaps", BASIN_F64, 2, shape_m, m);
    if (rc)
        goto out;
    basin_ctx_progress(ctx, 1.0);
    rc = 0;
out:
    basin_dense_free(st.cw);
    basin_dense_bin_free(st.bw);
    free(st.qnorm);
    free(xi8);
    free(s8);
    free(X);
    free(Q);
    free(m);
    return rc;
}

const basin_model model_dense_memory = {
    .kind = "dense_memory",
    .version = "4",
    .summary = "modern (dense) associative memory: continuous softmax retrieval for a batch "
               "of queries, or binary spins with polynomial or exponential energy",
    .parse = dense_parse,
    .run = dense_run,
    .free_config = dense_free_config,
};
