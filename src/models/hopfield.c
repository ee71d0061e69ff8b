/*
 * hopfield.c — the `hopfield` job kind: a binary Hopfield network as associative memory
 * (models.md §A; the numerics are in src/core/hopfield.c).
 *
 * Spins s ∈ {±1}^N and P patterns ξ^μ ∈ {±1}^N. Couplings J (symmetric, zero diagonal):
 *   hebb            J = (1/N) Σ_μ ξ^μ ξ^μᵀ − α I, α = P/N; fields from the overlaps,
 *                   h = ξᵀ(ξ s)/N − α s + h_ext, never an N×N matrix.
 *   pseudo_inverse  J = Ξ (ΞᵀΞ)⁻¹ Ξᵀ with its diagonal zeroed (Kohonen/Personnaz projector),
 *                   through the P×P Gram matrix G = ΞᵀΞ: K = Ξ G⁻¹ by Cholesky solves,
 *                   applied as h = Ξ (Kᵀ s) − diag(J) s, never an N×N matrix. Dependent
 *                   patterns (or P ≥ N): the projector onto their span, from a maximal
 *                   independent subset (pivoted Cholesky).
 *   storkey         Storkey (1997) incremental rule, dense N×N (n ≤ 4096).
 * Local field h_i = Σ_{j≠i} J_ij s_j + h_ext. One sweep is N spin updates:
 *   async  random sequential order, a new permutation each sweep;
 *   sync   all spins at once from the previous state.
 * T = 0: s_i = sign(h_i), unchanged when h_i = 0. T > 0: heat bath (Glauber),
 * P(s_i = +1) = (1 + tanh(h_i/T))/2 = 1/(1 + e^{−2h_i/T}), taken as 1 or 0 when
 * |2h_i/T| > 40 (within 4.3e-18 of it, below the resolution of the uniform it is compared
 * with).
 * Lyapunov energy L = −½ sᵀJs − h_ext Σ_i s_i (non-increasing under async updates at T = 0).
 * Mattis overlap m_μ = (1/N) Σ_i ξ_i^μ s_i.
 * Stopping at T = 0: a sweep without flips (fixed point; `converged`), for sync also a
 * return to the state of two sweeps before (2-cycle; `cycle2`), else `max_sweeps`. At
 * T > 0 there is no fixed point: the run always does `max_sweeps` sweeps.
 *
 * Parameters (every one optional):
 *   n            neurons, integer in [1, 1048576]; default 100, or the length of the
 *                explicit patterns when those are given.
 *   patterns     an integer count P in [1, 100000] of random patterns; or
 *                {"count": P, "bias": b} with P(ξ_i = +1) = (1 + b)/2, b ∈ [−1, 1]
 *                (default {"count": 5, "bias": 0}); or an array of P arrays of n values ±1.
 *                Normalised to the object form or to the explicit arrays.
 *   rule         "hebb" (default), "pseudo_inverse" (P ≤ 2048), "storkey" (n ≤ 4096).
 *   dynamics     "async" (default) or "sync".
 *   temperature  T ≥ 0 (≤ 1e6), default 0.
 *   field        uniform external field h_ext ∈ [−1e6, 1e6], default 0.
 *   cue          the initial state; default {"pattern": 0, "flip": 0.1}:
 *                {"pattern": k, "flip": f}  ξ^k with round(f·N) distinct spins flipped;
 *                {"pattern": k, "mask": f}  ξ^k with round(f·N) distinct spins set to ±1
 *                                           at random (each with probability ½);
 *                {"state": [±1 × n]}        an explicit initial state.
 *                k ∈ [0, P), f ∈ [0, 1]. The target pattern of `overlap` and
 *                `final_overlap` is k (pattern 0 for an explicit state).
 *   max_sweeps   integer in [1, 1000000], default 100.
 *   record_every integer in [1, 1000000], default 1: series are recorded at sweep 0, every
 *                record_every-th sweep and the last sweep.
 *   seed         uint64 (absent: drawn at submit time and written into the normalised
 *                params); random patterns, the cue and the dynamics draw from independent
 *                streams split from it (1, 2, 3). Unbiased random patterns take one bit
 *                of the stream per spin, biased ones one uniform (version 2; version 1
 *                drew a uniform for every spin).
 * Admission (BASIN_ELIMIT, one problem): the stored arrays (N·P, plus N·P + P² for
 * pseudo_inverse, N² for storkey; the same bound on every rule although Hebb keeps them
 * as int8) must fit max_array_elements (problem at /patterns, or /n
 * for storkey); the series points, 3·(max_sweeps/record_every + 2), max_series_points (at
 * /record_every); the estimated work of learning (basin_hopfield_learn_cost, at /patterns)
 * and of learning + max_sweeps sweeps + the recorded energies (at /max_sweeps) max_work.
 *
 * Output. series: `overlap` and `energy` (step 0 = the cue, then sweeps), `flips` (per
 * sweep, from step 1). summary: `final_overlap` (target), `retrieved` (argmax_μ |m_μ|, the
 * lowest index on ties), `converged`, `sweeps`, `energy`, `load` (P/N), and for sync
 * `cycle2`. artifacts: `state` (int8, [n]), `overlaps` (float64, [P]).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/hopfield.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "models/params.h"

#define N_MAX         1048576
#define P_MAX         100000
#define N_DEFAULT     100
#define P_DEFAULT     5
#define STORKEY_N_MAX 4096
#define PINV_P_MAX    2048
#define SWEEPS_MAX    1000000
#define FLIP_DEFAULT  0.1

/* Work units (≈ ns, see basin_hopfield_learn_cost) between two checks for cancellation:
 * ~10 ms of sweeping, ~50 ms of learning (large enough for efficient BLAS-3 blocks). */
#define SWEEP_CHUNK_OPS 1e7
#define LEARN_CHUNK_OPS 5e7

/* Streams split from the seed. */
enum { STREAM_PATTERNS = 1, STREAM_CUE = 2, STREAM_DYNAMICS = 3 };

typedef enum cue_kind { CUE_FLIP, CUE_MASK, CUE_STATE } cue_kind;

typedef struct hopfield_config {
    basin_hopfield_config core;
    int8_t *xi;  /* explicit patterns (P×N), or NULL for random ones */
    double bias; /* random patterns: P(ξ = +1) = (1 + bias)/2 */
    cue_kind cue;
    long cue_pattern;
    double cue_fraction; /* flip or mask fraction */
    int8_t *cue_state;   /* CUE_STATE: N spins */
    long max_sweeps, record_every;
    uint64_t seed;
} hopfield_config;

static void hopfield_free_config(void *config)
{
    hopfield_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->xi);
    free(cfg->cue_state);
    free(cfg);
}

/* ---- parse --------------------------------------------------------------------------- */

/* Merges `extra` (stolen) into the schema property of `key`, when describing. */
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

/* True when v is the JSON number 1 or −1; writes the spin. */
static bool read_spin(const json_t *v, int8_t *spin)
{
    if (!json_is_number(v))
        return false;
    double x = json_number_value(v);
    if (x != 1.0 && x != -1.0)
        return false;
    *spin = x > 0 ? 1 : -1;
    return true;
}

/* Reads an array of n spins at sub-path `key` (e.g. "patterns/3", "cue/state") of r into
 * out (n entries; NULL to only check) and returns its normalised copy, or NULL after
 * recording problems. n_ok: n itself is valid, so the length can be checked. */
static json_t *read_spins(param_reader *r, const char *key, const json_t *v, long n, bool n_ok,
                          int8_t *out)
{
    if (!json_is_array(v)) {
        params_problem(r, key, "must be an array of values 1 or -1");
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
        int8_t spin;
        if (!read_spin(json_array_get(v, i), &spin)) {
            char sub[96];
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            params_problem(r, sub, "must be 1 or -1");
            ok = false;
            continue;
        }
        if (out && n_ok)
            out[i] = spin;
        json_array_append_new(norm, json_integer(spin));
    }
    if (!ok) {
        json_decref(norm);
        return NULL;
    }
    return norm;
}

static void describe_patterns(param_reader *r)
{
    if (!r->schema)
        return;
    describe(r, "patterns",
             json_pack("{s:s, s:{s:i, s:f}, s:[{s:s, s:i, s:i}, {s:s, s:b, s:{s:{s:s, s:i, "
                       "s:i, s:i}, s:{s:s, s:f, s:f, s:f}}}, {s:s, s:i, s:i, s:{s:s, "
                       "s:{s:[i, i]}}}]}",
                       "description",
                       "stored patterns: a count of random ±1 patterns; {count, bias} with "
                       "P(xi = +1) = (1 + bias)/2; or explicit patterns, arrays of n values "
                       "1 or -1",
                       "default", "count", P_DEFAULT, "bias", 0.0, "oneOf", "type", "integer",
                       "minimum", 1, "maximum", P_MAX, "type", "object", "additionalProperties", 0,
                       "properties", "count", "type", "integer", "minimum", 1, "maximum", P_MAX,
                       "default", P_DEFAULT, "bias", "type", "number", "minimum", -1.0, "maximum",
                       1.0, "default", 0.0, "type", "array", "minItems", 1, "maxItems", P_MAX,
                       "items", "type", "array", "items", "enum", -1, 1));
}

/* `patterns`: writes cfg->core.p, cfg->bias or cfg->xi, and the normalised form. */
static int read_patterns(param_reader *r, hopfield_config *cfg, bool n_ok)
{
    const json_t *v = params_raw(r, "patterns", NULL);
    describe_patterns(r);
    /* Defaults also for explicit patterns that turn out malformed. */
    cfg->core.p = P_DEFAULT;
    cfg->bias = 0.0;
    if (params_random_patterns(r, v, P_DEFAULT, P_MAX, &cfg->core.p, &cfg->bias))
        return 0;
    const char *what = "must be a count, an object {count, bias} or an array of patterns";
    if (!json_is_array(v)) {
        params_problem(r, "patterns", "%s", what);
        return 0;
    }
    size_t P = json_array_size(v);
    if (P < 1 || P > P_MAX) {
        params_problem(r, "patterns", "must hold between 1 and %d patterns; got %zu", P_MAX, P);
        return 0;
    }
    cfg->core.p = (long)P;
    long n = cfg->core.n;
    /* lengths first, so that storage is only allocated for a well-formed n × P array */
    bool shaped = n_ok;
    for (size_t mu = 0; mu < P && shaped; mu++) {
        const json_t *row = json_array_get(v, mu);
        shaped = json_is_array(row) && json_array_size(row) == (size_t)n;
    }
    if (shaped) {
        cfg->xi = malloc(P * (size_t)n);
        if (!cfg->xi)
            return BASIN_ENOMEM;
    }
    json_t *norm = json_array();
    bool ok = true;
    for (size_t mu = 0; mu < P; mu++) {
        char sub[48];
        snprintf(sub, sizeof sub, "patterns/%zu", mu);
        json_t *row = read_spins(r, sub, json_array_get(v, mu), n, n_ok,
                                 cfg->xi ? cfg->xi + mu * (size_t)n : NULL);
        if (!row) {
            ok = false;
            continue;
        }
        json_array_append_new(norm, row);
    }
    params_put(r, "patterns", ok ? norm : json_null());
    if (!ok)
        json_decref(norm);
    return 0;
}

static void describe_cue(param_reader *r)
{
    if (!r->schema)
        return;
    describe(r, "cue",
             json_pack("{s:s, s:{s:i, s:f}, s:[{s:s, s:b, s:{s:{s:s, s:i, s:i}, s:{s:s, s:f, "
                       "s:f, s:f}}}, {s:s, s:b, s:[s], s:{s:{s:s, s:i, s:i}, s:{s:s, s:f, "
                       "s:f}}}, {s:s, s:b, s:[s], s:{s:{s:s, s:{s:[i, i]}}}}]}",
                       "description",
                       "initial state: pattern `pattern` with a fraction `flip` of its spins "
                       "flipped, or with a fraction `mask` of its spins set at random, or an "
                       "explicit `state` of n values 1 or -1",
                       "default", "pattern", 0, "flip", FLIP_DEFAULT, "oneOf", "type", "object",
                       "additionalProperties", 0, "properties", "pattern", "type", "integer",
                       "minimum", 0, "default", 0, "flip", "type", "number", "minimum", 0.0,
                       "maximum", 1.0, "default", FLIP_DEFAULT, "type", "object",
                       "additionalProperties", 0, "required", "mask", "properties", "pattern",
                       "type", "integer", "minimum", 0, "default", 0, "mask", "type", "number",
                       "minimum", 0.0, "maximum", 1.0, "type", "object", "additionalProperties", 0,
                       "required", "state", "properties", "state", "type", "array", "items", "enum",
                       -1, 1));
}

/* `cue`: writes cfg->cue*, and the normalised form. p_ok: the pattern count is valid. */
static int read_cue(param_reader *r, hopfield_config *cfg, bool n_ok, bool p_ok)
{
    const json_t *v = params_raw(r, "cue", "object");
    describe_cue(r);
    cfg->cue = CUE_FLIP;
    cfg->cue_pattern = 0;
    cfg->cue_fraction = FLIP_DEFAULT;
    if (v && !json_is_object(v)) {
        params_problem(r, "cue",
                       "must be an object {pattern, flip}, {pattern, mask} or "
                       "{state}");
        return 0;
    }
    param_reader c;
    char ptr[sizeof r->pointer + 16];
    snprintf(ptr, sizeof ptr, "%s/cue", r->pointer);
    params_open(&c, v, ptr, r->problems, NULL);
    const json_t *state = v ? json_object_get(v, "state") : NULL;
    if (state) {
        static const char *const others[] = {"pattern", "flip", "mask"};
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
            if (params_raw(&c, others[k], NULL))
                params_problem(&c, others[k], "cannot be combined with state");
        params_raw(&c, "state", NULL);
        cfg->cue = CUE_STATE;
        long n = cfg->core.n;
        if (n_ok && json_is_array(state) && json_array_size(state) == (size_t)n) {
            cfg->cue_state = malloc((size_t)n);
            if (!cfg->cue_state) {
                params_close(&c, NULL);
                return BASIN_ENOMEM;
            }
        }
        json_t *norm = read_spins(&c, "state", state, n, n_ok, cfg->cue_state);
        if (norm)
            params_put(&c, "state", norm);
    } else {
        long hi = p_ok ? cfg->core.p - 1 : P_MAX - 1;
        cfg->cue_pattern = (long)params_int(&c, "pattern", 0, 0, hi);
        bool has_mask = v && json_object_get(v, "mask");
        if (has_mask) {
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
    return 0;
}

/* Work, memory and series bounds; records at most one problem. Returns true when over. */
static bool check_limits(param_reader *r, const hopfield_config *cfg, const basin_limits *limits)
{
    const basin_hopfield_config *core = &cfg->core;
    double N = (double)core->n, P = (double)core->p;
    bool storkey = core->rule == BASIN_HOPFIELD_STORKEY;
    bool pinv = core->rule == BASIN_HOPFIELD_PSEUDO_INVERSE;

    double elements = N * P * (pinv ? 2.0 : 1.0) + (pinv ? P * P : 0.0) + (storkey ? N * N : 0.0);
    if (elements > (double)limits->max_array_elements) {
        params_over_limit(r, storkey ? "n" : "patterns", "the couplings (array elements)", elements,
                          (double)limits->max_array_elements);
        return true;
    }
    double records = floor((double)cfg->max_sweeps / (double)cfg->record_every) + 2.0;
    if (3.0 * records > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", 3.0 * records,
                          (double)limits->max_series_points);
        return true;
    }
    double learn = basin_hopfield_learn_cost(core);
    if (learn > (double)limits->max_work) {
        params_over_limit(r, "patterns", "learning the couplings (operations)", learn,
                          (double)limits->max_work);
        return true;
    }
    double energy = storkey ? 2.0 * N * N : 4.0 * N * P;
    double need =
        learn + (double)cfg->max_sweeps * basin_hopfield_sweep_cost(core) + records * (energy + N);
    if (need > (double)limits->max_work) {
        params_over_limit(r, "max_sweeps", "the run (operations)", need, (double)limits->max_work);
        return true;
    }
    return false;
}

static int hopfield_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                          basin_problems *problems, json_t *schema, json_t **normalized,
                          void **config)
{
    static const char *const rules[] = {"hebb", "pseudo_inverse", "storkey", NULL};
    static const char *const dynamics[] = {"async", "sync", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    hopfield_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc = 0;

    /* n defaults to the length of explicit patterns, when those are given */
    int64_t n_def = N_DEFAULT;
    const json_t *pat = r.in ? json_object_get(r.in, "patterns") : NULL;
    if (json_is_array(pat) && json_is_array(json_array_get(pat, 0))) {
        size_t len = json_array_size(json_array_get(pat, 0));
        if (len >= 1 && len <= N_MAX)
            n_def = (int64_t)len;
    }
    size_t before = problems->count + problems->dropped;
    cfg->core.n = (long)params_int(&r, "n", n_def, 1, N_MAX);
    doc(&r, "n", "neurons N; default 100, or the length of the explicit patterns");
    bool n_ok = problems->count + problems->dropped == before;

    before = problems->count + problems->dropped;
    if ((rc = read_patterns(&r, cfg, n_ok)))
        goto fail;
    bool p_ok = problems->count + problems->dropped == before;

    const char *rule = params_enum(&r, "rule", "hebb", rules);
    doc(&r, "rule",
        "storage rule: hebb, pseudo_inverse (projector, at most 2048 patterns) or storkey "
        "(incremental, n at most 4096)");
    cfg->core.rule = strcmp(rule, "hebb") == 0             ? BASIN_HOPFIELD_HEBB
                     : strcmp(rule, "pseudo_inverse") == 0 ? BASIN_HOPFIELD_PSEUDO_INVERSE
                                                           : BASIN_HOPFIELD_STORKEY;
    const char *dyn = params_enum(&r, "dynamics", "async", dynamics);
    doc(&r, "dynamics",
        "async: random sequential updates, a new order each sweep; sync: "
        "all spins at once");
    cfg->core.dynamics = strcmp(dyn, "sync") == 0 ? BASIN_HOPFIELD_SYNC : BASIN_HOPFIELD_ASYNC;
    cfg->core.temperature = params_real(&r, "temperature", 0.0, 0.0, 1e6);
    doc(&r, "temperature",
        "T: 0 is s_i = sign(h_i); T > 0 is the heat bath "
        "P(s_i = +1) = (1 + tanh(h_i/T))/2");
    cfg->core.field = params_real(&r, "field", 0.0, -1e6, 1e6);
    doc(&r, "field", "uniform external field h_ext");
    if ((rc = read_cue(&r, cfg, n_ok, p_ok)))
        goto fail;
    cfg->max_sweeps = (long)params_int(&r, "max_sweeps", 100, 1, SWEEPS_MAX);
    doc(&r, "max_sweeps",
        "sweeps (N spin updates each) at most; T = 0 runs stop earlier at "
        "a fixed point or, for sync, a 2-cycle");
    cfg->record_every = (long)params_int(&r, "record_every", 1, 1, SWEEPS_MAX);
    doc(&r, "record_every",
        "record the series every this many sweeps (and at sweep 0 and the "
        "last sweep)");
    cfg->seed = params_seed(&r);

    if (n_ok && cfg->core.rule == BASIN_HOPFIELD_STORKEY && cfg->core.n > STORKEY_N_MAX)
        params_problem(&r, "n", "the storkey rule holds an n×n matrix: n must be at most %d",
                       STORKEY_N_MAX);
    if (p_ok && cfg->core.rule == BASIN_HOPFIELD_PSEUDO_INVERSE && cfg->core.p > PINV_P_MAX)
        params_problem(&r, "patterns", "the pseudo_inverse rule takes at most %d patterns",
                       PINV_P_MAX);

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
    hopfield_free_config(cfg);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------- */

/* Random patterns: ξ_i^μ = +1 with probability (1 + bias)/2, drawn in order μ, i: for
 * bias 0 one bit each (the bits of each 64-bit draw from the lowest), else one uniform
 * each. Returns 0, or BASIN_ECANCELLED when asked to stop (checked every 2^22 spins). */
static int random_patterns(basin_ctx *ctx, basin_rng *rng, double bias, size_t P, size_t N,
                           int8_t *xi)
{
    double p_up = 0.5 * (1.0 + bias);
    size_t total = P * N, chunk = (size_t)1 << 22; /* a multiple of 64 */
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

/* The cue: pattern k with round(f·N) distinct spins (a partial Fisher–Yates draw) flipped,
 * or set to ±1 at random; or the explicit state. */
static int build_cue(const hopfield_config *cfg, const int8_t *xi, basin_rng *rng, int8_t *s)
{
    size_t N = (size_t)cfg->core.n;
    if (cfg->cue == CUE_STATE) {
        memcpy(s, cfg->cue_state, N);
        return 0;
    }
    memcpy(s, xi + (size_t)cfg->cue_pattern * N, N);
    size_t m = (size_t)floor(cfg->cue_fraction * (double)N + 0.5);
    if (m > N)
        m = N;
    uint32_t *idx = malloc(N * sizeof *idx);
    if (!idx)
        return BASIN_ENOMEM;
    for (size_t i = 0; i < N; i++)
        idx[i] = (uint32_t)i;
    for (size_t k = 0; k < m; k++) {
        size_t j = k + (size_t)basin_rng_below(rng, (uint64_t)(N - k));
        uint32_t t = idx[k];
        idx[k] = idx[j];
        idx[j] = t;
        size_t i = idx[k];
        if (cfg->cue == CUE_FLIP)
            s[i] = (int8_t)-s[i];
        else
            s[i] = (basin_rng_next(rng) >> 63) ? 1 : -1;
    }
    free(idx);
    return 0;
}

/* Appends the overlap and energy of sweep t (and its flips when t > 0). */
static int record(basin_ctx *ctx, basin_hopfield *w, long target, long t, double *energy)
{
    double m = basin_hopfield_overlap(w, target);
    double E = basin_hopfield_energy(w);
    *energy = E;
    if (!isfinite(E)) {
        basin_ctx_fail(ctx, "diverged", t, "the energy is not finite at sweep %ld", t);
        return BASIN_EDIVERGED;
    }
    int rc = basin_ctx_series(ctx, "overlap", t, m);
    if (!rc)
        rc = basin_ctx_series(ctx, "energy", t, E);
    if (!rc && t > 0)
        rc = basin_ctx_series(ctx, "flips", t, (double)w->flips);
    return rc;
}

static int hopfield_run(const void *config, basin_ctx *ctx)
{
    const hopfield_config *cfg = config;
    size_t N = (size_t)cfg->core.n, P = (size_t)cfg->core.p;
    int8_t *xi_random = NULL, *s0 = NULL;
    double *m = NULL;
    basin_hopfield *w = NULL;
    int rc;

    basin_ctx_seed(ctx, cfg->seed);
    if (basin_ctx_should_stop(ctx))
        return BASIN_ECANCELLED;
    basin_rng root, rng_patterns, rng_cue, rng;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_PATTERNS, &rng_patterns);
    basin_rng_split(&root, STREAM_CUE, &rng_cue);
    basin_rng_split(&root, STREAM_DYNAMICS, &rng);

    const int8_t *xi = cfg->xi;
    if (!xi) {
        xi_random = malloc(P * N);
        if (!xi_random) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        if ((rc = random_patterns(ctx, &rng_patterns, cfg->bias, P, N, xi_random)))
            goto out;
        xi = xi_random;
    }
    /* the workspace takes the random patterns over (xi stays readable while it lives) and
     * copies explicit ones */
    rc = xi_random ? basin_hopfield_adopt(&cfg->core, xi_random, &w)
                   : basin_hopfield_alloc(&cfg->core, xi, &w);
    xi_random = NULL;
    if (rc)
        goto out;
    while ((rc = basin_hopfield_learn_part(w, LEARN_CHUNK_OPS)) == 0) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
    }
    if (rc < 0) {
        if (rc == BASIN_EDIVERGED)
            basin_ctx_fail(ctx, "diverged", 0, "the Gram matrix of the patterns is zero");
        goto out;
    }
    s0 = malloc(N);
    m = malloc(P * sizeof *m);
    if (!s0 || !m) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    if ((rc = build_cue(cfg, xi, &rng_cue, s0)))
        goto out;
    basin_hopfield_set_state(w, s0);
    long target = cfg->cue == CUE_STATE ? 0 : cfg->cue_pattern;

    double E;
    if ((rc = record(ctx, w, target, 0, &E)))
        goto out;
    bool zero_T = cfg->core.temperature == 0.0;
    bool converged = false, cycle2 = false;
    long t = 0;
    while (t < cfg->max_sweeps) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        while (!basin_hopfield_sweep_part(w, &rng, SWEEP_CHUNK_OPS)) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
        }
        t++;
        converged = zero_T && w->flips == 0;
        cycle2 = zero_T && w->cycle2;
        bool last = converged || cycle2 || t == cfg->max_sweeps;
        if (last || t % cfg->record_every == 0)
            if ((rc = record(ctx, w, target, t, &E)))
                goto out;
        basin_ctx_progress(ctx, (double)t / (double)cfg->max_sweeps);
        if (last)
            break;
    }

    basin_hopfield_overlaps(w, m);
    size_t retrieved = 0;
    for (size_t mu = 1; mu < P; mu++)
        if (fabs(m[mu]) > fabs(m[retrieved]))
            retrieved = mu;
    basin_ctx_summary_real(ctx, "final_overlap", m[target]);
    basin_ctx_summary_int(ctx, "retrieved", (int64_t)retrieved);
    basin_ctx_summary_bool(ctx, "converged", converged);
    basin_ctx_summary_int(ctx, "sweeps", t);
    basin_ctx_summary_real(ctx, "energy", E);
    basin_ctx_summary_real(ctx, "load", (double)P / (double)N);
    if (cfg->core.dynamics == BASIN_HOPFIELD_SYNC)
        basin_ctx_summary_bool(ctx, "cycle2", cycle2);
    int64_t shape_n[1] = {(int64_t)N}, shape_p[1] = {(int64_t)P};
    if ((rc = basin_ctx_artifact(ctx, "state", BASIN_I8, 1, shape_n, w->s)))
        goto out;
    if ((rc = basin_ctx_artifact(ctx, "overlaps", BASIN_F64, 1, shape_p, m)))
        goto out;
    basin_ctx_progress(ctx, 1.0);
    rc = 0;
out:
    basin_hopfield_free(w);
    free(xi_random);
    free(s0);
    free(m);
    return rc;
}

const basin_model model_hopfield = {
    .kind = "hopfield",
    .version = "2",
    .summary = "binary Hopfield network: Hebb, pseudo-inverse or Storkey couplings, async or "
               "sync dynamics at T >= 0, retrieval from a cue",
    .parse = hopfield_parse,
    .run = hopfield_run,
    .free_config = hopfield_free_config,
};
