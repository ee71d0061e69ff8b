/*
 * sparse_code.c — the `sparse_code` job kind: a sparse representation of a signal over a
 * dictionary (models.md §C; Elad's sparse coding, rsvp-sparse-fields.txt §3–5; the
 * numerics are in src/core/sparse_code.c).
 *
 *     min_z ½‖a − Dz‖² + λ‖z‖₁      (fista, ista)     or     min ‖a − Dz‖ s.t. ‖z‖₀ ≤ k  (omp)
 *
 * D is n×m (n = `length`, m = `atoms`). FISTA and ISTA start with step 1/L₀, L₀ = ρ the
 * power-iteration estimate of λ_max(DᵀD) (until ρ changes by ≤ 10⁻³ρ, at most 100 steps;
 * ρ ≤ λ_max; with working sets, of each working set's D_WᵀD_W), and raise L by
 * backtracking whenever a step fails the sufficient-decrease condition
 * (basin/sparse_code.h), so that the Beck–Teboulle bound holds with the final L.
 * They stop when the duality gap of the iterate is at most tol·‖a‖² (scikit-learn's
 * Lasso criterion: its objective is ours divided by n, with α = λ/n) or after max_iter
 * iterations.
 *
 * Parameters (every one optional):
 *   method        "fista" (default), "ista" or "omp".
 *   dictionary    "gaussian" (default: N(0, 1) entries, seeded, unit-norm columns), "dct"
 *                 (overcomplete cosines cos(πj(2i+1)/(2m)), unit norm; orthonormal DCT-II
 *                 when m = n), "haar" (the orthonormal Haar basis, pywt.wavedec order;
 *                 needs length a power of two and atoms = length), or a matrix: n rows of
 *                 m numbers in [−1e12, 1e12] (row-major, as models.md's matrices).
 *   length        n, integer in [1, 65536]; default the dictionary's rows or the signal's
 *                 length when given, else 64.
 *   atoms         m, integer in [1, 1048576]; default the dictionary's columns when given,
 *                 n for haar, else 256. length·atoms ≤ 2^24 (16M entries, 128 MB), so that
 *                 one iteration (two products with D) stays within ~50 ms of work.
 *   signal        a: n numbers in [−1e12, 1e12]. Absent: synthetic, a = D z₀ + noise·ξ
 *                 with z₀ `sparsity`-sparse (support uniform without replacement,
 *                 amplitudes ±(1 + U[0, 1)), random signs), ξ ~ N(0, I).
 *   sparsity      integer in [0, atoms], default min(5, atoms) (synthetic signal only).
 *   noise         σ in [0, 1e6], default 0.01 (synthetic signal only).
 *   lambda        λ in (0, 1e12], default 0.05 (fista, ista). z = 0 is the solution, found
 *                 at iteration 0 with gap 0, when λ ≥ λ_max = ‖Dᵀa‖_∞ (reported).
 *   k             OMP's atom budget, integer in [1, min(atoms, length)]; default
 *                 max(1, sparsity), capped at min(atoms, length).
 *   tol           in [0, 1], default 1e-8: stop when gap ≤ tol·‖a‖² (fista, ista), when
 *                 ‖a − Dz‖² ≤ tol·‖a‖² (omp).
 *   max_iter      integer in [1, 1e7], default 10000 (fista, ista).
 *   restart       "none" (default: Beck–Teboulle FISTA, with its O(1/k²) guarantee) or
 *                 "adaptive" (O'Donoghue–Candès gradient restart of the momentum).
 *   working_set   boolean, default false: iterate on a working set of atoms, regrown
 *                 from a full gradient check that also certifies the gap (celer's
 *                 strategy, basin/sparse_code.h); iterations then cost O(n·|W|), the
 *                 reported gap is F(z) − the best full dual value, and the O(1/k²) proof
 *                 covers only the plain method.
 *   record_every  integer in [1, 1e7], default max(1, ⌈max_iter/1000⌉): series points at
 *                 iteration 0, every record_every iterations and the last one (omp: every
 *                 atom).
 *   seed          uint64; streams split from it: 1 dictionary (basin_normal_gen's
 *                 ziggurat normals; version 1 drew them by the polar method), 2 code,
 *                 3 noise.
 * Admission (one problem, BASIN_ELIMIT): n·m against max_array_elements (at /atoms, or
 * /dictionary when given; OMP's k² Cholesky entries are fewer, as k ≤ min(n, m)); the
 * planned operations — building D, ≤ 100 power steps of 2nm, max_iter iterations of
 * 2nm + 40m + 20n (omp: k·(nm + nk + k²)) — against max_work (at /max_iter, omp /k); the
 * series points against max_series_points (at /record_every).
 *
 * Output. series: `objective`, `gap` (fista, ista; per iteration) or `objective` (omp; per
 * atom). summary: `objective` (F(z); for omp ½‖a − Dz‖²), `nnz`, `residual` ‖a − Dz‖,
 * `iterations` (omp: atoms chosen), `gap` (fista, ista), `converged`, `lambda_max`; for
 * fista and ista also `lipschitz` (the final L) and `backtracks`, without working sets
 * `lipschitz_estimate` (ρ) and `power_iterations`, with them `checks` and
 * `working_set_size`, with the adaptive restart `restarts`; for a synthetic signal
 * `support_precision` |S ∩ S₀|/|S| (null when z = 0) and `support_recall` |S ∩ S₀|/|S₀|
 * (null when sparsity = 0), S = {j : z_j ≠ 0}. artifacts: `z` [m], `reconstruction` Dz
 * [n], `signal` a [n], for a synthetic signal `z_true` [m], and for a built dictionary of
 * at most 2²² entries `atoms` [m, n] (row j is atom d_j, i.e. Dᵀ; float64).
 * The run checks for stop before each iteration and each power step (≤ 2·2^24 multiply-adds)
 * and between dictionary column blocks of ≤ 2²⁰ entries.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/rng.h"
#include "basin/sparse_code.h"
#include "models/params.h"

#define LENGTH_MAX     65536
#define ATOMS_MAX      1048576
#define DICT_MAX       (1L << 24) /* length·atoms: one iteration is ≤ 2·2^24 multiply-adds */
#define VALUE_MAX      1e12
#define ITER_MAX       10000000
#define POWER_MAX_ITER 100
#define POWER_TOL      1e-3
#define ARTIFACT_DICT  (1L << 22)
#define BUILD_CHUNK    (1L << 20) /* dictionary entries between two stop checks */

enum { STREAM_DICT = 1, STREAM_CODE = 2, STREAM_NOISE = 3 };

typedef enum method { METHOD_FISTA, METHOD_ISTA, METHOD_OMP } method;
typedef enum dict_kind { DICT_GAUSSIAN, DICT_DCT, DICT_HAAR, DICT_GIVEN } dict_kind;

typedef struct sparse_config {
    method method;
    dict_kind dict;
    long n, m;
    double *D;      /* given dictionary, column-major n×m, or NULL */
    double *signal; /* given signal (n), or NULL for a synthetic one */
    long sparsity, k, max_iter, record_every;
    double noise, lambda, tol;
    bool restart, working_set;
    uint64_t seed;
} sparse_config;

static void sparse_free_config(void *config)
{
    sparse_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->D);
    free(cfg->signal);
    free(cfg);
}

/* ---- parse ---------------------------------------------------------------------------- */

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

/* `dictionary`: a name or a matrix. Writes cfg->dict, and for a matrix cfg->D, *rows and
 * *cols (0 when not a well-formed matrix). Returns BASIN_ENOMEM or 0. */
static int read_dictionary(param_reader *r, const basin_limits *limits, sparse_config *cfg,
                           long *rows, long *cols)
{
    static const char *const names[] = {"gaussian", "dct", "haar", NULL};
    const json_t *v = params_raw(r, "dictionary", NULL);
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), "dictionary") : NULL;
    if (prop)
        json_object_update_new(
            prop, json_pack("{s:s, s:s, s:[{s:s, s:[s, s, s]}, {s:s, s:i, s:i, s:{s:s, s:{s:s}}}]}",
                            "description",
                            "atoms: gaussian (seeded, unit-norm columns), dct (overcomplete "
                            "cosines), haar (orthonormal basis, length a power of two) or a "
                            "matrix of length rows and atoms columns",
                            "default", "gaussian", "oneOf", "type", "string", "enum", "gaussian",
                            "dct", "haar", "type", "array", "minItems", 1, "maxItems", LENGTH_MAX,
                            "items", "type", "array", "items", "type", "number"));
    *rows = *cols = 0;
    cfg->dict = DICT_GAUSSIAN;
    if (!v) {
        params_put(r, "dictionary", json_string("gaussian"));
        return 0;
    }
    if (json_is_string(v)) {
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], json_string_value(v)) == 0) {
                cfg->dict = (dict_kind)i;
                params_put(r, "dictionary", json_string(names[i]));
                return 0;
            }
        params_problem(r, "dictionary",
                       "must be \"gaussian\", \"dct\", \"haar\" or a matrix (an array of rows)");
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > LENGTH_MAX ||
        !json_is_array(json_array_get(v, 0))) {
        params_problem(r, "dictionary",
                       "must be \"gaussian\", \"dct\", \"haar\" or a matrix: between 1 and %d "
                       "rows, each an array of numbers",
                       LENGTH_MAX);
        return 0;
    }
    cfg->dict = DICT_GIVEN;
    const size_t n = json_array_size(v), m = json_array_size(json_array_get(v, 0));
    if (m < 1 || m > ATOMS_MAX) {
        params_problem(r, "dictionary/0", "must hold between 1 and %d numbers (the atoms)",
                       ATOMS_MAX);
        return 0;
    }
    if ((double)n * (double)m > (double)DICT_MAX) {
        params_problem(r, "dictionary", "must have at most %ld entries (length·atoms); got %zu·%zu",
                       DICT_MAX, n, m);
        return 0;
    }
    if ((double)n * (double)m > (double)limits->max_array_elements) {
        params_over_limit(r, "dictionary", "the dictionary (length·atoms entries)",
                          (double)n * (double)m, (double)limits->max_array_elements);
        return 0;
    }
    bool ok = true;
    char sub[80];
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(v, i);
        if (!json_is_array(row) || json_array_size(row) != m) {
            snprintf(sub, sizeof sub, "dictionary/%zu", i);
            params_problem(r, sub, "must be an array of %zu numbers, like row 0", m);
            ok = false;
        }
    }
    if (!ok)
        return 0;
    double *D = malloc(n * m * sizeof *D);
    if (!D)
        return BASIN_ENOMEM;
    json_t *norm = json_array();
    for (size_t i = 0; i < n && ok; i++) {
        const json_t *row = json_array_get(v, i);
        json_t *nrow = json_array();
        for (size_t j = 0; j < m; j++) {
            const json_t *e = json_array_get(row, j);
            double x = json_number_value(e);
            if (!json_is_number(e) || !(fabs(x) <= VALUE_MAX)) {
                snprintf(sub, sizeof sub, "dictionary/%zu/%zu", i, j);
                params_problem(r, sub, "must be a finite number in [%g, %g]", -VALUE_MAX,
                               VALUE_MAX);
                ok = false;
                break;
            }
            D[j * n + i] = x; /* column-major */
            json_array_append_new(nrow, json_real(x));
        }
        json_array_append_new(norm, nrow);
    }
    if (!ok) {
        free(D);
        json_decref(norm);
        return 0;
    }
    params_put(r, "dictionary", norm);
    cfg->D = D;
    *rows = (long)n;
    *cols = (long)m;
    return 0;
}

/* Admission against the limits; records at most one problem. */
static bool check_limits(param_reader *r, const sparse_config *cfg, const basin_limits *limits)
{
    const double n = (double)cfg->n, m = (double)cfg->m, nm = n * m;
    if (nm > (double)limits->max_array_elements) {
        params_over_limit(r, cfg->dict == DICT_GIVEN ? "dictionary" : "atoms",
                          "the dictionary (length·atoms entries)", nm,
                          (double)limits->max_array_elements);
        return true;
    }
    /* OMP's k×k Cholesky factor needs no check of its own: k ≤ min(n, m), so k² ≤ n·m */
    double points = cfg->method == METHOD_OMP
                        ? (double)cfg->k + 1.0
                        : 2.0 * (floor((double)cfg->max_iter / (double)cfg->record_every) + 2.0);
    if (points > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", points,
                          (double)limits->max_series_points);
        return true;
    }
    double build = cfg->dict == DICT_GIVEN ? 0.0 : cfg->dict == DICT_HAAR ? 20.0 * nm : 40.0 * nm;
    double work;
    if (cfg->method == METHOD_OMP) {
        double k = (double)cfg->k;
        work = build + 2.0 * nm + k * (2.0 * nm + 2.0 * n * k + k * k);
    } else {
        work = build + POWER_MAX_ITER * 2.0 * nm +
               (double)cfg->max_iter * (2.0 * nm + 40.0 * m + 20.0 * n);
    }
    if (work > (double)limits->max_work) {
        params_over_limit(r, cfg->method == METHOD_OMP ? "k" : "max_iter", "the run (operations)",
                          work, (double)limits->max_work);
        return true;
    }
    return false;
}

static int sparse_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                        basin_problems *problems, json_t *schema, json_t **normalized,
                        void **config)
{
    static const char *const methods[] = {"fista", "ista", "omp", NULL};
    static const char *const restarts[] = {"none", "adaptive", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);
    sparse_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc = 0;

    const char *meth = params_enum(&r, "method", "fista", methods);
    doc(&r, "method", "fista (default), ista (proximal gradient) or omp (greedy, k atoms)");
    cfg->method = strcmp(meth, "omp") == 0    ? METHOD_OMP
                  : strcmp(meth, "ista") == 0 ? METHOD_ISTA
                                              : METHOD_FISTA;

    long rows, cols;
    size_t before = n_problems(problems);
    if ((rc = read_dictionary(&r, limits, cfg, &rows, &cols)))
        goto fail;
    bool dict_ok = n_problems(problems) == before;

    size_t sig_len = 0;
    before = n_problems(problems);
    rc = params_real_array(&r, "signal", 1, LENGTH_MAX, -VALUE_MAX, VALUE_MAX, &cfg->signal,
                           &sig_len);
    if (rc == BASIN_ENOMEM)
        goto fail;
    rc = 0;
    doc(&r, "signal", "the signal a (length numbers); absent: synthetic D z0 + noise");
    bool sig_ok = n_problems(problems) == before;
    const bool given_signal = cfg->signal != NULL;

    /* length: the dictionary's rows, else the signal's length, else 64 */
    const bool length_given = r.in && json_object_get(r.in, "length");
    long n_def = rows > 0 ? rows : given_signal ? (long)sig_len : 64;
    before = n_problems(problems);
    cfg->n = (long)params_int(&r, "length", n_def, 1, LENGTH_MAX);
    doc(&r, "length",
        "n, the length of the atoms and the signal; default the dictionary's rows, the "
        "signal's length, or 64");
    bool n_ok = n_problems(problems) == before;
    if (n_ok && rows > 0 && cfg->n != rows) {
        params_problem(&r, "length", "must equal the dictionary's %ld rows; got %ld", rows, cfg->n);
        n_ok = false;
    }
    if (n_ok && dict_ok && given_signal && sig_ok && (long)sig_len != cfg->n)
        params_problem(&r, "signal",
                       "dictionary and signal size mismatch: the signal has %zu samples, the "
                       "atoms have length %ld",
                       sig_len, cfg->n);
    if (n_ok && cfg->dict == DICT_HAAR && (cfg->n & (cfg->n - 1)) != 0)
        params_problem(&r, given_signal && !length_given ? "signal" : "length",
                       "the haar dictionary is a wavelet transform: the length must be a power "
                       "of two; got %ld",
                       cfg->n);

    long m_def = cols > 0 ? cols : cfg->dict == DICT_HAAR ? cfg->n : 256;
    before = n_problems(problems);
    cfg->m = (long)params_int(&r, "atoms", m_def, 1, ATOMS_MAX);
    doc(&r, "atoms",
        "m, the number of atoms; default the dictionary's columns, length for haar, "
        "else 256");
    bool m_ok = n_problems(problems) == before;
    if (m_ok && cols > 0 && cfg->m != cols) {
        params_problem(&r, "atoms", "must equal the dictionary's %ld columns; got %ld", cols,
                       cfg->m);
        m_ok = false;
    }
    if (m_ok && n_ok && rows == 0 && (double)cfg->n * (double)cfg->m > (double)DICT_MAX) {
        params_problem(&r, "atoms",
                       "length·atoms must be at most %ld (one iteration multiplies by the whole "
                       "dictionary twice); got %ld·%ld",
                       DICT_MAX, cfg->n, cfg->m);
        m_ok = false;
    }
    if (m_ok && n_ok && cfg->dict == DICT_HAAR && cfg->m != cfg->n) {
        params_problem(&r, "atoms", "the haar dictionary is a basis: atoms must equal length = %ld",
                       cfg->n);
        m_ok = false;
    }

    long sp_def = m_ok && cfg->m < 5 ? cfg->m : 5;
    cfg->sparsity = (long)params_int(&r, "sparsity", sp_def, 0, ATOMS_MAX);
    doc(&r, "sparsity", "nonzeros of the synthetic code z0 (synthetic signal only)");
    if (m_ok && cfg->sparsity > cfg->m)
        params_problem(&r, "sparsity", "must be at most atoms = %ld; got %ld", cfg->m,
                       cfg->sparsity);
    cfg->noise = params_real(&r, "noise", 0.01, 0.0, 1e6);
    doc(&r, "noise", "standard deviation of the synthetic signal's Gaussian noise");
    cfg->lambda = params_real_gt(&r, "lambda", 0.05, 0.0, VALUE_MAX);
    doc(&r, "lambda", "the l1 penalty λ of ½‖a − Dz‖² + λ‖z‖₁ (fista, ista)");

    long k_cap = LENGTH_MAX;
    if (n_ok && m_ok)
        k_cap = cfg->n < cfg->m ? cfg->n : cfg->m;
    long k_def = cfg->sparsity > 1 ? cfg->sparsity : 1;
    if (k_def > k_cap)
        k_def = k_cap;
    cfg->k = (long)params_int(&r, "k", k_def, 1, ATOMS_MAX);
    doc(&r, "k", "atoms OMP may choose, at most min(atoms, length); default the sparsity");
    if (n_ok && m_ok && cfg->k > cfg->m)
        params_problem(&r, "k", "k = %ld atoms exceeds the dictionary's %ld atoms", cfg->k, cfg->m);
    else if (n_ok && m_ok && cfg->k > cfg->n)
        params_problem(&r, "k",
                       "k = %ld exceeds length = %ld: at most length atoms can be independent",
                       cfg->k, cfg->n);

    cfg->tol = params_real(&r, "tol", 1e-8, 0.0, 1.0);
    doc(&r, "tol",
        "stop when the duality gap ≤ tol·‖a‖² (fista, ista) or ‖a − Dz‖² ≤ tol·‖a‖² "
        "(omp)");
    cfg->max_iter = (long)params_int(&r, "max_iter", 10000, 1, ITER_MAX);
    doc(&r, "max_iter", "iterations at most (fista, ista)");
    cfg->restart = strcmp(params_enum(&r, "restart", "none", restarts), "adaptive") == 0;
    doc(&r, "restart",
        "none: Beck–Teboulle FISTA; adaptive: gradient restart of the momentum (O'Donoghue–"
        "Candès)");
    cfg->working_set = params_bool(&r, "working_set", false);
    doc(&r, "working_set",
        "iterate on a working set of atoms regrown from full gradient checks (fista, ista)");
    long every = (cfg->max_iter + 999) / 1000;
    cfg->record_every = (long)params_int(&r, "record_every", every > 1 ? every : 1, 1, ITER_MAX);
    doc(&r, "record_every", "iterations between series points; default max(1, ⌈max_iter/1000⌉)");
    cfg->seed = params_seed(&r);

    bool over = false;
    if (n_problems(problems) == start)
        over = check_limits(&r, cfg, limits);
    else
        over = problems->over_limit && n_problems(problems) == start + 1;

    rc = params_close(&r, normalized);
    if (rc) {
        if (over && n_problems(problems) == start + 1)
            rc = BASIN_ELIMIT;
        goto out;
    }
    *config = cfg;
    return 0;

fail:
    params_close(&r, NULL);
out:
    sparse_free_config(cfg);
    return rc;
}

/* ---- run ------------------------------------------------------------------------------ */

/* Builds the dictionary into D in column blocks, checking for stop between blocks. The
 * Gaussian atoms are stream STREAM_DICT of the seed's fast normal generator; blocks of a
 * multiple of BASIN_NORMAL_LANES columns draw what one call would. */
static int build_dictionary(const sparse_config *cfg, basin_ctx *ctx, double *D)
{
    const long n = cfg->n, m = cfg->m;
    double *work = NULL;
    if (cfg->dict == DICT_HAAR && !(work = malloc((size_t)(2 * n) * sizeof *work)))
        return BASIN_ENOMEM;
    basin_normal_gen gen;
    if (cfg->dict == DICT_GAUSSIAN)
        basin_normal_gen_seed(&gen, cfg->seed, STREAM_DICT);
    /* n ≤ 2^16: at least 16 columns a block, rounded down to a multiple of the lanes */
    long cols = BUILD_CHUNK / n / BASIN_NORMAL_LANES * BASIN_NORMAL_LANES;
    int rc = 0;
    for (long j0 = 0; j0 < m; j0 += cols) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            break;
        }
        long j1 = j0 + cols < m ? j0 + cols : m;
        if (cfg->dict == DICT_GAUSSIAN)
            basin_dict_gaussian(n, j0, j1, &gen, D);
        else if (cfg->dict == DICT_DCT)
            basin_dict_dct(n, m, j0, j1, D);
        else
            basin_dict_haar(n, j0, j1, D, work);
    }
    free(work);
    return rc;
}

/* The synthetic code: `sparsity` atoms drawn without replacement (partial Fisher–Yates),
 * amplitudes ±(1 + U[0, 1)). */
static int synthetic_code(const sparse_config *cfg, basin_rng *rng, double *z0)
{
    const long m = cfg->m;
    long *idx = malloc((size_t)m * sizeof *idx);
    if (!idx)
        return BASIN_ENOMEM;
    for (long j = 0; j < m; j++)
        idx[j] = j;
    memset(z0, 0, (size_t)m * sizeof *z0);
    for (long q = 0; q < cfg->sparsity; q++) {
        long j = q + (long)basin_rng_below(rng, (uint64_t)(m - q));
        long t = idx[q];
        idx[q] = idx[j];
        idx[j] = t;
        double amp = 1.0 + basin_rng_uniform(rng);
        z0[idx[q]] = (basin_rng_next(rng) >> 63) ? amp : -amp;
    }
    free(idx);
    return 0;
}

static int record(basin_ctx *ctx, long step, double objective, const double *gap)
{
    int rc = basin_ctx_series(ctx, "objective", step, objective);
    if (!rc && gap)
        rc = basin_ctx_series(ctx, "gap", step, *gap);
    return rc;
}

/* Progress of a gap-driven solve: the larger of the iteration fraction and how far log gap
 * has come from its first value towards the target. */
static double lasso_progress(const basin_lasso *s, double gap0, double target, long max_iter)
{
    double p = (double)s->iter / (double)max_iter;
    if (gap0 > target && target > 0.0 && s->gap > 0.0) {
        double q = log(gap0 / s->gap) / log(gap0 / target);
        if (q > p)
            p = q;
    }
    return p < 1.0 ? p : 1.0;
}

static int solve_lasso(const sparse_config *cfg, basin_ctx *ctx, const double *D, const double *a,
                       double *z, double *Dz, long *iterations)
{
    const long n = cfg->n, m = cfg->m;
    basin_lasso s;
    memset(&s, 0, sizeof s);
    int rc = 0;
    double *work = malloc((size_t)(n + 2 * m) * sizeof *work);
    if (!work)
        return BASIN_ENOMEM;
    /* L₀ = ρ from power iteration (from below; backtracking raises L when needed); with
     * working sets each set estimates its own */
    double *v = work + n + m, rho = 0.0;
    long it = 0;
    if (!cfg->working_set) {
        basin_power_start(m, v);
        for (it = 1; it <= POWER_MAX_ITER; it++) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            double rho_new = basin_power_step(n, m, D, v, work);
            bool done = fabs(rho_new - rho) <= POWER_TOL * rho_new;
            rho = rho_new;
            if (done)
                break;
        }
        basin_ctx_summary_real(ctx, "lipschitz_estimate", rho);
        basin_ctx_summary_int(ctx, "power_iterations", it > POWER_MAX_ITER ? POWER_MAX_ITER : it);
    }
    double L0 = rho > 0.0 ? rho : 1.0; /* D = 0: z = 0 is exact whatever the step */
    rc = basin_lasso_init(&s, n, m, D, a, cfg->lambda, L0,
                          cfg->method == METHOD_FISTA ? BASIN_LASSO_FISTA : BASIN_LASSO_ISTA,
                          cfg->restart, cfg->working_set);
    if (rc)
        goto out;
    basin_ctx_summary_real(ctx, "lambda_max", s.grad_inf);
    const double target = cfg->tol * s.a_norm2, gap0 = s.gap;
    s.check_gap = 0.5 * target;
    if ((rc = record(ctx, 0, s.objective, &s.gap)))
        goto out;
    bool converged = s.gap <= target;
    while (!converged && s.iter < cfg->max_iter) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        basin_lasso_step(&s);
        if (!isfinite(s.objective) || !isfinite(s.gap)) {
            basin_ctx_fail(ctx, "diverged", s.iter,
                           "the objective became non-finite at iteration %ld (L = %g)", s.iter,
                           s.L);
            rc = BASIN_EDIVERGED;
            goto out;
        }
        converged = s.gap <= target;
        if (converged || s.iter == cfg->max_iter || s.iter % cfg->record_every == 0)
            if ((rc = record(ctx, s.iter, s.objective, &s.gap)))
                goto out;
        basin_ctx_progress(ctx, lasso_progress(&s, gap0, target, cfg->max_iter));
    }
    memcpy(z, s.z, (size_t)m * sizeof *z);
    memcpy(Dz, s.Dz, (size_t)n * sizeof *Dz);
    *iterations = s.iter;
    basin_ctx_summary_real(ctx, "objective", s.objective);
    basin_ctx_summary_real(ctx, "gap", s.gap);
    basin_ctx_summary_bool(ctx, "converged", converged);
    basin_ctx_summary_real(ctx, "lipschitz", s.L);
    basin_ctx_summary_int(ctx, "backtracks", s.backtracks);
    if (cfg->working_set) {
        basin_ctx_summary_int(ctx, "checks", s.checks);
        basin_ctx_summary_int(ctx, "working_set_size", s.n_ws);
    }
    if (cfg->method == METHOD_FISTA && cfg->restart)
        basin_ctx_summary_int(ctx, "restarts", s.restarts);
out:
    basin_lasso_free(&s);
    free(work);
    return rc;
}

static int solve_omp(const sparse_config *cfg, basin_ctx *ctx, const double *D, const double *a,
                     double *z, double *Dz, long *iterations)
{
    const long n = cfg->n, m = cfg->m;
    basin_omp s;
    int rc = basin_omp_init(&s, n, m, D, a, cfg->k);
    if (rc)
        return rc;
    double lambda_max = 0.0;
    for (long j = 0; j < m; j++)
        lambda_max = fabs(s.c[j]) > lambda_max ? fabs(s.c[j]) : lambda_max;
    basin_ctx_summary_real(ctx, "lambda_max", lambda_max);
    const double target = cfg->tol * s.residual2;
    if ((rc = record(ctx, 0, 0.5 * s.residual2, NULL)))
        goto out;
    while (s.residual2 > target) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        if (!basin_omp_step(&s))
            break;
        if (!isfinite(s.residual2)) {
            basin_ctx_fail(ctx, "diverged", s.k, "the residual became non-finite at atom %ld", s.k);
            rc = BASIN_EDIVERGED;
            goto out;
        }
        if ((rc = record(ctx, s.k, 0.5 * s.residual2, NULL)))
            goto out;
        basin_ctx_progress(ctx, (double)s.k / (double)cfg->k);
    }
    basin_omp_code(&s, z);
    for (long i = 0; i < n; i++)
        Dz[i] = a[i] - s.r[i];
    *iterations = s.k;
    basin_ctx_summary_real(ctx, "objective", 0.5 * s.residual2);
    basin_ctx_summary_bool(ctx, "converged", s.residual2 <= target || s.k == cfg->k);
out:
    basin_omp_free(&s);
    return rc;
}

static int sparse_run(const void *config, basin_ctx *ctx)
{
    const sparse_config *cfg = config;
    const long n = cfg->n, m = cfg->m;
    int rc;
    /* a given dictionary is used in place; the others are built into D_built */
    double *D_built = cfg->D ? NULL : basin_array_alloc((size_t)(n * m) * sizeof *D_built);
    const double *D = cfg->D ? cfg->D : D_built;
    double *a = malloc((size_t)n * sizeof *a);
    double *z = calloc((size_t)m, sizeof *z);
    double *Dz = calloc((size_t)n, sizeof *Dz);
    double *z0 = NULL;
    if (!D || !a || !z || !Dz) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    basin_ctx_seed(ctx, cfg->seed);
    basin_rng root, rng_code, rng_noise;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_CODE, &rng_code);
    basin_rng_split(&root, STREAM_NOISE, &rng_noise);

    if (D_built && (rc = build_dictionary(cfg, ctx, D_built)))
        goto out;
    if (cfg->signal) {
        memcpy(a, cfg->signal, (size_t)n * sizeof *a);
    } else {
        /* a = D z0 + σ ξ */
        z0 = malloc((size_t)m * sizeof *z0);
        if (!z0) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        if ((rc = synthetic_code(cfg, &rng_code, z0)))
            goto out;
        memset(a, 0, (size_t)n * sizeof *a);
        for (long j = 0; j < m; j++)
            if (z0[j] != 0.0)
                for (long i = 0; i < n; i++)
                    a[i] += z0[j] * D[j * n + i];
        for (long i = 0; i < n; i++)
            a[i] += cfg->noise * basin_rng_normal(&rng_noise);
    }

    long iterations = 0;
    if (cfg->method == METHOD_OMP)
        rc = solve_omp(cfg, ctx, D, a, z, Dz, &iterations);
    else
        rc = solve_lasso(cfg, ctx, D, a, z, Dz, &iterations);
    if (rc)
        goto out;

    long nnz = 0, hits = 0;
    double rr = 0.0;
    for (long j = 0; j < m; j++) {
        nnz += z[j] != 0.0;
        hits += z0 && z[j] != 0.0 && z0[j] != 0.0;
    }
    for (long i = 0; i < n; i++)
        rr += (a[i] - Dz[i]) * (a[i] - Dz[i]);
    basin_ctx_summary_int(ctx, "nnz", nnz);
    basin_ctx_summary_real(ctx, "residual", sqrt(rr));
    basin_ctx_summary_int(ctx, "iterations", iterations);
    if (z0) {
        basin_ctx_summary_real(ctx, "support_precision", nnz ? (double)hits / (double)nnz : NAN);
        basin_ctx_summary_real(ctx, "support_recall",
                               cfg->sparsity ? (double)hits / (double)cfg->sparsity : NAN);
    }
    int64_t shape_m[1] = {m}, shape_n[1] = {n};
    if ((rc = basin_ctx_artifact(ctx, "z", BASIN_F64, 1, shape_m, z)))
        goto out;
    if ((rc = basin_ctx_artifact(ctx, "reconstruction", BASIN_F64, 1, shape_n, Dz)))
        goto out;
    if ((rc = basin_ctx_artifact(ctx, "signal", BASIN_F64, 1, shape_n, a)))
        goto out;
    if (z0 && (rc = basin_ctx_artifact(ctx, "z_true", BASIN_F64, 1, shape_m, z0)))
        goto out;
    if (D_built && n * m <= ARTIFACT_DICT) {
        int64_t shape[2] = {m, n}; /* row j is atom d_j: the column-major D as stored */
        rc = basin_ctx_artifact_take(ctx, "atoms", BASIN_F64, 2, shape, D_built);
        D_built = NULL; /* the context's now, whatever rc */
        if (rc)
            goto out;
    }
    basin_ctx_progress(ctx, 1.0);
out:
    free(D_built);
    free(a);
    free(z);
    free(Dz);
    free(z0);
    return rc;
}

const basin_model model_sparse_code = {
    .kind = "sparse_code",
    .version = "2",
    .summary = "sparse code of a signal over a dictionary: lasso by FISTA/ISTA with a "
               "duality-gap stop, or orthogonal matching pursuit",
    .parse = sparse_parse,
    .run = sparse_run,
    .free_config = sparse_free_config,
};
