/*
 * ssm.c — the `ssm` job kind: the convolution kernel of a diagonal state-space model (S4D)
 * and its output on an input signal (models.md §C; Gu et al. 2022 in
 * papers-information-geometry.txt; the numerics are in src/core/ssm.c).
 *
 * N complex modes (A_n, B_n, C_n), state size 2N, step dt, zero-order hold:
 *
 *     K_l = 2 Re Σ_n C_n B_n (e^{dt A_n} − 1)/A_n · e^{dt A_n l},   l = 0..L−1,
 *     y = K ∗ u   (causal, by FFT with zero padding to ≥ min(L, |u|) + |u| − 1),
 *
 * the kernel being the impulse response of x_{n,k} = e^{dt A_n} x_{n,k−1} + B̄_n u_k,
 * y_k = 2 Re Σ C_n x_{n,k}. With `verify` the run also computes the kernel and y by running
 * that recurrence and reports the largest relative differences.
 *
 * Parameters (every one optional):
 *   modes    N, integer in [1, 4096]; default 64, or the length of a given A.
 *   init     "s4d_lin" (default; A_n = −½ + iπn), "s4d_inv"
 *            (A_n = −½ + i(2N/π)(2N/(2n+1) − 1)) or "given" (the default when A is given).
 *   A        given modes {"re": [N numbers in [−1e6, 0)], "im": [N numbers in [−1e6, 1e6]]}
 *            (complex arrays as models.md); Re A_n < 0 (a decaying mode) is required.
 *   B        "ones" (default) or a complex array of N numbers in [−1e6, 1e6].
 *   C        "random" (default: C_n = (g + ig')/√2, g, g' standard normals, as S4D's
 *            complex randn; seeded) or a complex array of N numbers in [−1e6, 1e6].
 *   dt       step in (0, 1000], default 0.01.
 *   length   L, kernel length, integer in [1, 2097152], default 1024.
 *   input    "noise" (default: L standard normals, seeded), "impulse" (δ, length L),
 *            "step" (ones, length L), or an array of 1..2097152 numbers in [−1e12, 1e12].
 *   verify   boolean, default true: also run the recurrence (kernel and output).
 *   seed     uint64; streams split from it: 1 for C, 2 for the input.
 * Admission (BASIN_ELIMIT): L, the input length and the FFT length against
 * max_array_elements (at /length or /input), the operations (4NL + 60N(L/64 + 64) for
 * the kernel, 8N(L + |u|) for verify, 30·P·log2 P for the FFTs of length P) against
 * max_work (at /length).
 *
 * Output. summary: `kernel_l2` ‖K‖₂, `dc_gain` H(0) = −2 Re Σ C_n B_n/A_n (= Σ_{l≥0} K_l),
 * `kernel_sum` Σ_{l<L} K_l as computed and `kernel_sum_exact` its closed form
 * 2 Re Σ W_n (1 − z_n^L)/(1 − z_n), `modes`, `state_size` (2N), `length`,
 * `input_length`, `fft_length`; with verify `recurrence_kernel_error`
 * max_l |K_l^rec − K_l| / max_l |K_l| and `recurrence_output_error` likewise for y.
 * artifacts: `kernel` [L], `input` u, `y` [|u|] (float64). The run checks for stop between
 * blocks of the kernel (≤ 4096 samples), of the recurrences, and between FFTs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/fft.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "basin/ssm.h"
#include "models/params.h"

#define MODES_MAX  4096
#define LENGTH_MAX (1L << 21)
#define PARAM_MAX  1e6
#define INPUT_MAX  1e12
#define SCAN_CHUNK (1L << 20) /* mode-steps between two stop checks */

enum { STREAM_C = 1, STREAM_INPUT = 2 };

typedef enum init_kind { INIT_LIN, INIT_INV, INIT_GIVEN } init_kind;
typedef enum input_kind { INPUT_NOISE, INPUT_IMPULSE, INPUT_STEP, INPUT_GIVEN } input_kind;

typedef struct ssm_config {
    long N, L, Lu;
    init_kind init;
    double *A_re, *A_im; /* given modes, or NULL */
    double *B_re, *B_im; /* given, or NULL for ones */
    double *C_re, *C_im; /* given, or NULL for random */
    double dt;
    input_kind input;
    double *u; /* given input, or NULL */
    bool verify;
    uint64_t seed;
} ssm_config;

static void ssm_free_config(void *config)
{
    ssm_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->A_re);
    free(cfg->A_im);
    free(cfg->B_re);
    free(cfg->B_im);
    free(cfg->C_re);
    free(cfg->C_im);
    free(cfg->u);
    free(cfg);
}

/* ---- parse ---------------------------------------------------------------------------- */

static size_t n_problems(const basin_problems *p)
{
    return p->count + p->dropped;
}

static json_t *schema_prop(param_reader *r, const char *key)
{
    return r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
}

static void doc(param_reader *r, const char *key, const char *text)
{
    json_t *prop = schema_prop(r, key);
    if (prop)
        json_object_set_new(prop, "description", json_string(text));
}

static json_t *complex_schema(double re_lo, double re_hi)
{
    return json_pack("{s:s, s:b, s:[s, s], s:{s:{s:s, s:{s:s, s:f, s:f}}, s:{s:s, s:{s:s, s:f, "
                     "s:f}}}}",
                     "type", "object", "additionalProperties", 0, "required", "re", "im",
                     "properties", "re", "type", "array", "items", "type", "number", "minimum",
                     re_lo, "maximum", re_hi, "im", "type", "array", "items", "type", "number",
                     "minimum", -PARAM_MAX, "maximum", PARAM_MAX);
}

/* Reads the complex array {"re": [..], "im": [..]} at `key` (present, borrowed v) into new
 * arrays of equal length (*len). Records problems; returns BASIN_ENOMEM or 0. */
static int read_complex(param_reader *r, const char *key, const json_t *v, double re_lo,
                        double re_hi, double **re, double **im, size_t *len)
{
    *re = *im = NULL;
    *len = 0;
    if (!json_is_object(v)) {
        params_problem(r, key, "must be a complex array {\"re\": [..], \"im\": [..]}");
        return 0;
    }
    param_reader c;
    char ptr[sizeof r->pointer + 16];
    snprintf(ptr, sizeof ptr, "%s/%s", r->pointer, key);
    params_open(&c, v, ptr, r->problems, NULL);
    size_t nre = 0, nim = 0;
    int rc1 = params_real_array(&c, "re", 1, MODES_MAX, re_lo, re_hi, re, &nre);
    int rc2 = params_real_array(&c, "im", 1, MODES_MAX, -PARAM_MAX, PARAM_MAX, im, &nim);
    if (rc1 == BASIN_ENOMEM || rc2 == BASIN_ENOMEM) {
        params_close(&c, NULL);
        return BASIN_ENOMEM;
    }
    if (!json_object_get(v, "re"))
        params_problem(&c, "re", "is required");
    if (!json_object_get(v, "im"))
        params_problem(&c, "im", "is required");
    if (*re && *im && nre != nim)
        params_problem(&c, "im", "must have as many entries as re (%zu); got %zu", nre, nim);
    json_t *norm = NULL;
    params_close(&c, &norm);
    if (norm && *re && *im && nre == nim) {
        params_put(r, key, norm);
        *len = nre;
    } else {
        json_decref(norm);
        free(*re);
        free(*im);
        *re = *im = NULL;
    }
    return 0;
}

/* B or C: the string `name` (default) or a complex array of modes entries. */
static int read_vector(param_reader *r, const char *key, const char *name, const char *what, long N,
                       bool N_ok, double **re, double **im)
{
    const json_t *v = params_raw(r, key, NULL);
    json_t *prop = schema_prop(r, key);
    if (prop)
        json_object_update_new(prop,
                               json_pack("{s:s, s:s, s:[{s:s, s:[s]}, o]}", "description", what,
                                         "default", name, "oneOf", "type", "string", "enum", name,
                                         complex_schema(-PARAM_MAX, PARAM_MAX)));
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), name) == 0)) {
        params_put(r, key, json_string(name));
        return 0;
    }
    if (json_is_string(v)) {
        params_problem(r, key, "must be \"%s\" or a complex array {\"re\": [..], \"im\": [..]}",
                       name);
        return 0;
    }
    size_t len;
    int rc = read_complex(r, key, v, -PARAM_MAX, PARAM_MAX, re, im, &len);
    if (rc)
        return rc;
    if (*re && N_ok && (long)len != N) {
        char sub[32];
        snprintf(sub, sizeof sub, "%s/re", key);
        params_problem(r, sub, "must have modes = %ld entries; got %zu", N, len);
    }
    return 0;
}

/* `input`: a name or an array. */
static int read_input(param_reader *r, ssm_config *cfg)
{
    static const char *const names[] = {"noise", "impulse", "step", NULL};
    const json_t *v = params_raw(r, "input", NULL);
    json_t *prop = schema_prop(r, "input");
    if (prop)
        json_object_update_new(
            prop,
            json_pack("{s:s, s:s, s:[{s:s, s:[s, s, s]}, {s:s, s:i, s:i, s:{s:s}}]}", "description",
                      "input u: noise (seeded standard normals), impulse or step of "
                      "length L, or an array of numbers",
                      "default", "noise", "oneOf", "type", "string", "enum", "noise", "impulse",
                      "step", "type", "array", "minItems", 1, "maxItems", (int)LENGTH_MAX, "items",
                      "type", "number"));
    cfg->input = INPUT_NOISE;
    if (!v) {
        params_put(r, "input", json_string("noise"));
        return 0;
    }
    if (json_is_string(v)) {
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], json_string_value(v)) == 0) {
                cfg->input = (input_kind)i;
                params_put(r, "input", json_string(names[i]));
                return 0;
            }
    } else if (json_is_array(v)) {
        size_t len = 0;
        cfg->input = INPUT_GIVEN;
        int rc = params_real_array(r, "input", 1, LENGTH_MAX, -INPUT_MAX, INPUT_MAX, &cfg->u, &len);
        if (rc == BASIN_ENOMEM)
            return rc;
        cfg->Lu = (long)len;
        return 0;
    }
    params_problem(r, "input", "must be \"noise\", \"impulse\", \"step\" or an array of numbers");
    return 0;
}

static int ssm_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                     basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    static const char *const inits[] = {"s4d_lin", "s4d_inv", "given", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);
    ssm_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc;

    /* A first: it sets the defaults of modes and init */
    const json_t *Av = params_raw(&r, "A", NULL);
    json_t *prop = schema_prop(&r, "A");
    if (prop) {
        json_object_update_new(prop, complex_schema(-PARAM_MAX, 0.0));
        json_object_set_new(prop, "description",
                            json_string("given modes A_n (Re A_n < 0); implies init \"given\""));
    }
    size_t nA = 0;
    if (Av) {
        if ((rc = read_complex(&r, "A", Av, -PARAM_MAX, PARAM_MAX, &cfg->A_re, &cfg->A_im, &nA)))
            goto fail;
        for (size_t i = 0; cfg->A_re && i < nA; i++)
            if (!(cfg->A_re[i] < 0.0)) {
                char sub[40];
                snprintf(sub, sizeof sub, "A/re/%zu", i);
                params_problem(&r, sub,
                               "must be negative: Re A_n < 0 makes mode n decay (a stable "
                               "system); got %.17g",
                               cfg->A_re[i]);
            }
    }
    size_t before = n_problems(problems);
    cfg->N = (long)params_int(&r, "modes", nA ? (int64_t)nA : 64, 1, MODES_MAX);
    doc(&r, "modes", "complex modes N (state size 2N); default 64, or the length of A");
    bool N_ok = n_problems(problems) == before;
    if (N_ok && nA && (long)nA != cfg->N) {
        params_problem(&r, "modes", "must equal the length of A (%zu); got %ld", nA, cfg->N);
        N_ok = false;
    }
    const char *init = params_enum(&r, "init", Av ? "given" : "s4d_lin", inits);
    doc(&r, "init", "s4d_lin (A_n = −½ + iπn), s4d_inv, or given (A)");
    cfg->init = strcmp(init, "given") == 0     ? INIT_GIVEN
                : strcmp(init, "s4d_inv") == 0 ? INIT_INV
                                               : INIT_LIN;
    if (Av && cfg->init != INIT_GIVEN)
        params_problem(&r, "init", "must be \"given\" when A is given; got \"%s\"", init);
    if (!Av && cfg->init == INIT_GIVEN)
        params_problem(&r, "A", "is required when init is \"given\"");

    if ((rc = read_vector(&r, "B", "ones", "input matrix B_n: ones (default) or given", cfg->N,
                          N_ok, &cfg->B_re, &cfg->B_im)))
        goto fail;
    if ((rc = read_vector(&r, "C", "random",
                          "output matrix C_n: random (seeded complex normal, default) or given",
                          cfg->N, N_ok, &cfg->C_re, &cfg->C_im)))
        goto fail;
    cfg->dt = params_real_gt(&r, "dt", 0.01, 0.0, 1000.0);
    doc(&r, "dt", "zero-order-hold step");
    cfg->L = (long)params_int(&r, "length", 1024, 1, LENGTH_MAX);
    doc(&r, "length", "L, kernel length (and the length of a synthetic input)");
    if ((rc = read_input(&r, cfg)))
        goto fail;
    if (cfg->input != INPUT_GIVEN)
        cfg->Lu = cfg->L;
    cfg->verify = params_bool(&r, "verify", true);
    doc(&r, "verify",
        "also run the recurrence and report its differences from the kernel and "
        "the FFT convolution");
    cfg->seed = params_seed(&r);

    bool over = false;
    if (n_problems(problems) == start) {
        const double N = (double)cfg->N, L = (double)cfg->L, Lu = (double)cfg->Lu;
        const double Lk = L < Lu ? L : Lu;
        const double P = (double)basin_fft_fast_size((long)(Lk + Lu - 1.0));
        double work = 4.0 * N * L + 60.0 * N * (L / 64.0 + 64.0) + 30.0 * P * log2(P + 1.0) +
                      (cfg->verify ? 8.0 * N * (L + Lu) : 0.0);
        double elements = fmax(fmax(L, Lu), P);
        if (elements > (double)limits->max_array_elements) {
            params_over_limit(&r, cfg->input == INPUT_GIVEN && Lu > L ? "input" : "length",
                              "the kernel, input or FFT (elements)", elements,
                              (double)limits->max_array_elements);
            over = true;
        } else if (work > (double)limits->max_work) {
            params_over_limit(&r, "length", "the run (operations)", work, (double)limits->max_work);
            over = true;
        }
    }
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
    ssm_free_config(cfg);
    return rc;
}

/* ---- run ------------------------------------------------------------------------------ */

static double max_abs(long n, const double *x)
{
    double m = 0.0;
    for (long i = 0; i < n; i++)
        m = fabs(x[i]) > m ? fabs(x[i]) : m;
    return m;
}

/* max |a − b| / max |b| (0 when both vanish) */
static double rel_max_diff(long n, const double *a, const double *b)
{
    double d = 0.0;
    for (long i = 0; i < n; i++)
        d = fabs(a[i] - b[i]) > d ? fabs(a[i] - b[i]) : d;
    double s = max_abs(n, b);
    return s > 0.0 ? d / s : d;
}

static int stop(basin_ctx *ctx)
{
    return basin_ctx_should_stop(ctx) ? BASIN_ECANCELLED : 0;
}

static int ssm_run(const void *config, basin_ctx *ctx)
{
    const ssm_config *cfg = config;
    const long N = cfg->N, L = cfg->L, Lu = cfg->Lu;
    const long P = basin_fft_fast_size((L < Lu ? L : Lu) + Lu - 1);
    basin_ssm s;
    basin_rfft f;
    memset(&s, 0, sizeof s);
    memset(&f, 0, sizeof f);
    int rc;
    double *modes = malloc((size_t)(6 * N) * sizeof *modes);
    double *K = malloc((size_t)L * sizeof *K), *u = malloc((size_t)Lu * sizeof *u);
    double *y = malloc((size_t)Lu * sizeof *y), *work = malloc((size_t)(P + 2) * sizeof *work);
    double *check = NULL, *state = malloc((size_t)(2 * N) * sizeof *state);
    if (!modes || !K || !u || !y || !work || !state) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    basin_ctx_seed(ctx, cfg->seed);
    basin_rng root, rng_c, rng_u;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_C, &rng_c);
    basin_rng_split(&root, STREAM_INPUT, &rng_u);

    /* the modes */
    double *A_re = modes, *A_im = modes + N, *B_re = modes + 2 * N, *B_im = modes + 3 * N;
    double *C_re = modes + 4 * N, *C_im = modes + 5 * N;
    if (cfg->init == INIT_GIVEN) {
        memcpy(A_re, cfg->A_re, (size_t)N * sizeof *A_re);
        memcpy(A_im, cfg->A_im, (size_t)N * sizeof *A_im);
    } else if (cfg->init == INIT_INV) {
        basin_ssm_init_inv(N, A_re, A_im);
    } else {
        basin_ssm_init_lin(N, A_re, A_im);
    }
    for (long n = 0; n < N; n++) {
        B_re[n] = cfg->B_re ? cfg->B_re[n] : 1.0;
        B_im[n] = cfg->B_im ? cfg->B_im[n] : 0.0;
        if (cfg->C_re) {
            C_re[n] = cfg->C_re[n];
            C_im[n] = cfg->C_im[n];
        } else {
            C_re[n] = M_SQRT1_2 * basin_rng_normal(&rng_c);
            C_im[n] = M_SQRT1_2 * basin_rng_normal(&rng_c);
        }
    }
    if ((rc = basin_ssm_init(&s, N, A_re, A_im, B_re, B_im, C_re, C_im, cfg->dt)))
        goto out;

    /* K by the Vandermonde formula, in blocks */
    const long block = BASIN_SSM_BLOCK * BASIN_SSM_CHUNK;
    for (long l0 = 0; l0 < L; l0 += block) {
        if ((rc = stop(ctx)))
            goto out;
        basin_ssm_kernel(&s, l0, l0 + block < L ? l0 + block : L, K + l0);
        basin_ctx_progress(ctx, 0.3 * (double)(l0 + block) / (double)L);
    }
    for (long l = 0; l < L; l++)
        if (!isfinite(K[l])) {
            basin_ctx_fail(ctx, "diverged", l, "the kernel is not finite at lag %ld", l);
            rc = BASIN_EDIVERGED;
            goto out;
        }

    /* the input */
    switch (cfg->input) {
    case INPUT_NOISE:
        basin_rng_normals(&rng_u, u, Lu);
        break;
    case INPUT_IMPULSE:
        memset(u, 0, (size_t)Lu * sizeof *u);
        u[0] = 1.0;
        break;
    case INPUT_STEP:
        for (long k = 0; k < Lu; k++)
            u[k] = 1.0;
        break;
    case INPUT_GIVEN:
        memcpy(u, cfg->u, (size_t)Lu * sizeof *u);
        break;
    }

    /* y = K ∗ u by FFT of length P ≥ min(L, Lu) + Lu − 1 */
    if ((rc = stop(ctx)))
        goto out;
    if ((rc = basin_rfft_init(&f, P)))
        goto out;
    if ((rc = basin_ssm_convolve(&f, L, K, Lu, u, y, work)))
        goto out;
    basin_ctx_progress(ctx, 0.6);
    for (long k = 0; k < Lu; k++)
        if (!isfinite(y[k])) {
            basin_ctx_fail(ctx, "diverged", k, "the output is not finite at step %ld", k);
            rc = BASIN_EDIVERGED;
            goto out;
        }

    if (cfg->verify) {
        /* the same kernel and output by running the recurrence */
        long max_len = L > Lu ? L : Lu;
        if (!(check = malloc((size_t)max_len * sizeof *check))) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        const long chunk = SCAN_CHUNK / N > 0 ? SCAN_CHUNK / N : 1;
        basin_ssm_impulse_start(&s, state);
        for (long l0 = 0; l0 < L; l0 += chunk) {
            if ((rc = stop(ctx)))
                goto out;
            basin_ssm_impulse(&s, l0 + chunk < L ? chunk : L - l0, check + l0, state);
        }
        basin_ctx_summary_real(ctx, "recurrence_kernel_error", rel_max_diff(L, check, K));
        basin_ctx_progress(ctx, 0.8);
        memset(state, 0, (size_t)(2 * N) * sizeof *state);
        for (long k0 = 0; k0 < Lu; k0 += chunk) {
            if ((rc = stop(ctx)))
                goto out;
            basin_ssm_scan(&s, k0 + chunk < Lu ? chunk : Lu - k0, u + k0, check + k0, state);
        }
        basin_ctx_summary_real(ctx, "recurrence_output_error", rel_max_diff(Lu, check, y));
    }

    double kk = 0.0, ksum = 0.0;
    for (long l = 0; l < L; l++) {
        kk += K[l] * K[l];
        ksum += K[l];
    }
    basin_ctx_summary_real(ctx, "kernel_l2", sqrt(kk));
    basin_ctx_summary_real(ctx, "dc_gain", basin_ssm_dc_gain(&s));
    basin_ctx_summary_real(ctx, "kernel_sum", ksum);
    basin_ctx_summary_real(ctx, "kernel_sum_exact", basin_ssm_kernel_sum(&s, L));
    basin_ctx_summary_int(ctx, "modes", N);
    basin_ctx_summary_int(ctx, "state_size", 2 * N);
    basin_ctx_summary_int(ctx, "length", L);
    basin_ctx_summary_int(ctx, "input_length", Lu);
    basin_ctx_summary_int(ctx, "fft_length", P);
    int64_t shape_l[1] = {L}, shape_u[1] = {Lu};
    if ((rc = basin_ctx_artifact(ctx, "kernel", BASIN_F64, 1, shape_l, K)))
        goto out;
    if ((rc = basin_ctx_artifact(ctx, "input", BASIN_F64, 1, shape_u, u)))
        goto out;
    if ((rc = basin_ctx_artifact(ctx, "y", BASIN_F64, 1, shape_u, y)))
        goto out;
    basin_ctx_progress(ctx, 1.0);
out:
    basin_ssm_free(&s);
    basin_rfft_free(&f);
    free(modes);
    free(K);
    free(u);
    free(y);
    free(work);
    free(check);
    free(state);
    return rc;
}

const basin_model model_ssm = {
    .kind = "ssm",
    .version = "1",
    .summary = "diagonal state-space (S4D) convolution kernel by the Vandermonde formula, its "
               "recurrence check, and the output y = K * u by FFT",
    .parse = ssm_parse,
    .run = ssm_run,
    .free_config = ssm_free_config,
};
