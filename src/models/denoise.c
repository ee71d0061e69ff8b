/*
 * denoise.c — the `denoise` job kind: optimal linear (Wiener) and wavelet-shrinkage
 * denoising of y = x + z, z ~ N(0, σ²I) (models.md §C; Mallat §10–11 of
 * lectures-hebbian-ebm-diffusion.txt; the numerics are in src/core/denoise.c and
 * src/core/wavelet.c).
 *
 *   wiener   x̂ = Hy, H = (C + σ²I)⁻¹C diagonal in the Fourier basis: gains
 *            h_k = P_k/(P_k + σ²) on the unitary DFT, P the prior's power spectrum;
 *            expected error per sample (1/n) tr(σ²C(C + σ²I)⁻¹) = (1/n) Σ σ²P_k/(P_k + σ²).
 *   wavelet  orthonormal periodic DWT (pywt.wavedec(…, mode="periodization") coefficients),
 *            detail coefficients thresholded, approximation kept, inverse DWT. Noise
 *            σ̂ = median|d₁|/0.6745 (finest details); VisuShrink τ = σ̂√(2 ln n) on every
 *            level, or SureShrink (per level, Donoho–Johnstone hybrid); soft or hard rule.
 *
 * Parameters (every one optional):
 *   signal     a test signal — "doppler" (default), "blocks", "bumps", "heavisine"
 *              (Donoho–Johnstone / WaveLab MakeSignal amplitudes, t_i = (i + 1)/n, as
 *              pywt.data.demo_signal), "stationary" (x ~ N(0, C), C circulant with the
 *              prior spectrum below) — to which noise σ is added; or an array of n ≥ 2
 *              numbers in [−1e12, 1e12]: the observed noisy signal itself.
 *   n          length of a test signal, integer in [2, 2097152], default 1024 (a given
 *              signal's length otherwise; if both are given they must agree).
 *   sigma      noise standard deviation in [0, 1e6] added to a test signal (default 0.1),
 *              and the σ of the Wiener gains; or "mad" (the default for a given signal):
 *              the Wiener filter uses σ̂, the MAD estimate from one level of `wavelet`.
 *              The wavelet thresholds always use σ̂.
 *   method     "wavelet" (default), "wiener", or "none" (x̂ = y: the do-nothing baseline
 *              every method should beat, and the reference cost of a run).
 *   wavelet    "db4" (default, 8 taps) or "haar".
 *   levels     integer ≥ 1; default min(pywt.dwt_max_level(n, taps), the power of 2 in n).
 *              The periodic transform needs n divisible by 2^levels (not padded: a
 *              violation is a problem at /levels, or at /n, /signal for an odd length).
 *   threshold  "visu" (default), "sure", or a number τ in [0, 1e12] applied to every
 *              detail level (τ = 0 keeps the plain transform: x̂ = y to rounding).
 *   rule       "soft" (default) or "hard" (pywt.threshold's conventions).
 *   spectrum   the Wiener prior P_k = E|x̂_k|², k = 0..n/2: "estimate" (default; spectral
 *              subtraction max(|ŷ_k|² − σ², 0)), "oracle" (|x̂_k|² of the clean test
 *              signal), "prior" (the generating spectrum of "stationary"), or an array of
 *              n/2 + 1 numbers in [0, 1e24] (also the generating spectrum of "stationary";
 *              its default is a unit-variance Lorentzian, corner 0.02 cycles/sample).
 *   seed       uint64; streams split from it: 1 noise (basin_normal_gen's ziggurat
 *              normals; version 1 drew them by the polar method), 2 the stationary signal.
 * Admission (BASIN_ELIMIT): n against max_array_elements (at /n), the operations (about
 * 200·n for the synthesis, the transforms and the metrics, plus 40·n·log2 n for
 * Fourier paths) against max_work (at /n).
 *
 * Output. summary: `mse` (1/n)‖x̂ − x‖², `snr_in_db` 10 log10(‖x‖²/‖y − x‖²), `snr_out_db`
 * 10 log10(‖x‖²/‖x̂ − x‖²) (null for a given signal: x is unknown), `kept_coefficients`
 * (wavelet: nonzero coefficients after thresholding, approximation included; wiener:
 * Fourier coefficients k < n with h_k > 0; none: n), `sigma` (the σ the method used),
 * `sigma_hat` (the MAD estimate, when computed), `threshold` (visu's or the fixed τ),
 * `expected_mse` (wiener with a prior, oracle or given spectrum), `levels`. values:
 * `thresholds` (per level j = 1..J, wavelet). artifacts: `noisy` y, `denoised` x̂, `clean`
 * x for a test signal, and for the wavelet method with n ≤ 2^18 `coefficients`, the
 * thresholded coefficients in pywt.wavedec order [a_J, d_J, …, d_1] (all float64 [n]).
 * The run checks for stop between stages and between blocks of 2^18 synthesised samples
 * (each ≤ ~50 ms at the largest n: a transform or FFT of 2^21 samples).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/denoise.h"
#include "basin/fft.h"
#include "basin/model.h"
#include "basin/rng.h"
#include "basin/wavelet.h"
#include "models/params.h"

#define N_MAX              (1L << 21)
#define SYNTH_CHUNK        (1L << 18) /* samples synthesised between two stop checks */
#define SYNTH_BLOCK        2048       /* samples of signal and noise made together (in cache) */
#define COEFF_ARTIFACT_MAX (1L << 18) /* larger runs omit the `coefficients` artifact */
#define VALUE_MAX          1e12
#define SPECTRUM_MAX       1e24
#define FC_DEFAULT         0.02

enum { STREAM_NOISE = 1, STREAM_SIGNAL = 2 };

typedef enum signal_kind {
    SIG_BLOCKS = BASIN_SIGNAL_BLOCKS,
    SIG_BUMPS = BASIN_SIGNAL_BUMPS,
    SIG_HEAVISINE = BASIN_SIGNAL_HEAVISINE,
    SIG_DOPPLER = BASIN_SIGNAL_DOPPLER,
    SIG_STATIONARY,
    SIG_GIVEN,
} signal_kind;

typedef enum method_kind { METHOD_WAVELET, METHOD_WIENER, METHOD_NONE } method_kind;
typedef enum spectrum_kind { SPEC_ESTIMATE, SPEC_ORACLE, SPEC_PRIOR, SPEC_GIVEN } spectrum_kind;

typedef struct denoise_config {
    signal_kind signal;
    double *y_given; /* SIG_GIVEN: the observation */
    long n;
    double sigma;
    bool sigma_mad;
    method_kind method;
    basin_wavelet_kind wavelet;
    int levels;
    basin_shrink_threshold threshold;
    double tau; /* BASIN_SHRINK_FIXED */
    basin_threshold_rule rule;
    spectrum_kind spectrum;
    double *P_given; /* SPEC_GIVEN: n/2 + 1 values */
    uint64_t seed;
} denoise_config;

static void denoise_free_config(void *config)
{
    denoise_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->y_given);
    free(cfg->P_given);
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

static const char *const signal_names[] = {"blocks",  "bumps",      "heavisine",
                                           "doppler", "stationary", NULL};

/* `signal`: a name or the observed array. */
static int read_signal(param_reader *r, denoise_config *cfg, size_t *len)
{
    const json_t *v = params_raw(r, "signal", NULL);
    json_t *prop = schema_prop(r, "signal");
    if (prop)
        json_object_update_new(
            prop, json_pack("{s:s, s:s, s:[{s:s, s:[s, s, s, s, s]}, {s:s, s:i, s:i, s:{s:s}}]}",
                            "description",
                            "a test signal (noise sigma is added) or the observed noisy signal",
                            "default", "doppler", "oneOf", "type", "string", "enum", "blocks",
                            "bumps", "heavisine", "doppler", "stationary", "type", "array",
                            "minItems", 2, "maxItems", (int)N_MAX, "items", "type", "number"));
    cfg->signal = SIG_DOPPLER;
    *len = 0;
    if (!v) {
        params_put(r, "signal", json_string("doppler"));
        return 0;
    }
    if (json_is_string(v)) {
        for (int i = 0; signal_names[i]; i++)
            if (strcmp(signal_names[i], json_string_value(v)) == 0) {
                cfg->signal = (signal_kind)i;
                params_put(r, "signal", json_string(signal_names[i]));
                return 0;
            }
    } else if (json_is_array(v)) {
        cfg->signal = SIG_GIVEN;
        /* the array form: read (and normalise) through the strict array reader */
        size_t n = 0;
        int rc = params_real_array(r, "signal", 2, N_MAX, -VALUE_MAX, VALUE_MAX, &cfg->y_given, &n);
        if (rc == BASIN_ENOMEM)
            return rc;
        *len = n;
        return 0;
    }
    params_problem(r, "signal",
                   "must be \"blocks\", \"bumps\", \"heavisine\", \"doppler\", \"stationary\" "
                   "or an array of numbers (the observed signal)");
    return 0;
}

/* `sigma`: a number or "mad". */
static void read_sigma(param_reader *r, denoise_config *cfg)
{
    const json_t *v = params_raw(r, "sigma", NULL);
    json_t *prop = schema_prop(r, "sigma");
    const bool given = cfg->signal == SIG_GIVEN;
    if (prop)
        json_object_update_new(
            prop, json_pack("{s:s, s:[{s:s, s:f, s:f}, {s:s, s:[s]}]}", "description",
                            "noise standard deviation (added to a test signal; used by the "
                            "Wiener gains), or \"mad\": estimated (default for a given signal)",
                            "oneOf", "type", "number", "minimum", 0.0, "maximum", 1e6, "type",
                            "string", "enum", "mad"));
    cfg->sigma = 0.1;
    cfg->sigma_mad = given;
    if (!v) {
        params_put(r, "sigma", given ? json_string("mad") : json_real(0.1));
        return;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "mad") == 0) {
        if (!given) {
            params_problem(r, "sigma",
                           "must be a number for a test signal (the noise added to it); \"mad\" "
                           "is for a given signal");
            return;
        }
        cfg->sigma_mad = true;
        params_put(r, "sigma", json_string("mad"));
        return;
    }
    double x = json_number_value(v);
    if (!json_is_number(v) || !(x >= 0.0 && x <= 1e6)) {
        params_problem(r, "sigma", "must be a number in [0, 1e6] or \"mad\"");
        return;
    }
    cfg->sigma = x;
    cfg->sigma_mad = false;
    params_put(r, "sigma", json_real(x));
}

/* `threshold`: "visu", "sure" or a number. */
static void read_threshold(param_reader *r, denoise_config *cfg)
{
    const json_t *v = params_raw(r, "threshold", NULL);
    json_t *prop = schema_prop(r, "threshold");
    if (prop)
        json_object_update_new(
            prop, json_pack("{s:s, s:s, s:[{s:s, s:[s, s]}, {s:s, s:f, s:f}]}", "description",
                            "visu: σ̂√(2 ln n) on every level; sure: SureShrink per level; or a "
                            "fixed threshold τ on every level",
                            "default", "visu", "oneOf", "type", "string", "enum", "visu", "sure",
                            "type", "number", "minimum", 0.0, "maximum", VALUE_MAX));
    cfg->threshold = BASIN_SHRINK_VISU;
    cfg->tau = 0.0;
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), "visu") == 0)) {
        params_put(r, "threshold", json_string("visu"));
        return;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "sure") == 0) {
        cfg->threshold = BASIN_SHRINK_SURE;
        params_put(r, "threshold", json_string("sure"));
        return;
    }
    double x = json_number_value(v);
    if (!json_is_number(v) || !(x >= 0.0 && x <= VALUE_MAX)) {
        params_problem(r, "threshold", "must be \"visu\", \"sure\" or a number in [0, %g]",
                       VALUE_MAX);
        return;
    }
    cfg->threshold = BASIN_SHRINK_FIXED;
    cfg->tau = x;
    params_put(r, "threshold", json_real(x));
}

/* `spectrum`: a name or n/2 + 1 numbers. n_ok: n is valid. */
static int read_spectrum(param_reader *r, denoise_config *cfg, bool n_ok)
{
    static const char *const names[] = {"estimate", "oracle", "prior", NULL};
    const json_t *v = params_raw(r, "spectrum", NULL);
    json_t *prop = schema_prop(r, "spectrum");
    if (prop)
        json_object_update_new(
            prop,
            json_pack("{s:s, s:s, s:[{s:s, s:[s, s, s]}, {s:s, s:{s:s, s:f, s:f}}]}", "description",
                      "Wiener prior power spectrum P_k = E|x̂_k|², k = 0..n/2: estimate, oracle "
                      "(test signals), prior (stationary) or n/2 + 1 numbers",
                      "default", "estimate", "oneOf", "type", "string", "enum", "estimate",
                      "oracle", "prior", "type", "array", "items", "type", "number", "minimum", 0.0,
                      "maximum", SPECTRUM_MAX));
    cfg->spectrum = SPEC_ESTIMATE;
    if (!v) {
        params_put(r, "spectrum", json_string("estimate"));
        return 0;
    }
    if (json_is_string(v)) {
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], json_string_value(v)) == 0) {
                cfg->spectrum = (spectrum_kind)i;
                params_put(r, "spectrum", json_string(names[i]));
                if (cfg->spectrum == SPEC_ORACLE && cfg->signal == SIG_GIVEN)
                    params_problem(r, "spectrum",
                                   "\"oracle\" needs the clean signal: use a test signal");
                if (cfg->spectrum == SPEC_PRIOR && cfg->signal != SIG_STATIONARY)
                    params_problem(r, "spectrum",
                                   "\"prior\" is the spectrum of signal \"stationary\"");
                return 0;
            }
        params_problem(r, "spectrum",
                       "must be \"estimate\", \"oracle\", \"prior\" or an array of n/2 + 1 "
                       "numbers");
        return 0;
    }
    if (!json_is_array(v)) {
        params_problem(r, "spectrum",
                       "must be \"estimate\", \"oracle\", \"prior\" or an array of n/2 + 1 "
                       "numbers");
        return 0;
    }
    size_t want = n_ok ? (size_t)(cfg->n / 2 + 1) : 0;
    size_t len = 0;
    cfg->spectrum = SPEC_GIVEN;
    int rc = params_real_array(r, "spectrum", 1, (size_t)N_MAX / 2 + 1, 0.0, SPECTRUM_MAX,
                               &cfg->P_given, &len);
    if (rc == BASIN_ENOMEM)
        return rc;
    if (rc == 0 && n_ok && len != want)
        params_problem(r, "spectrum",
                       "must have n/2 + 1 = %zu values (k = 0..n/2, one-sided); got %zu", want,
                       len);
    return 0;
}

static int denoise_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                         basin_problems *problems, json_t *schema, json_t **normalized,
                         void **config)
{
    static const char *const methods[] = {"wavelet", "wiener", "none", NULL};
    static const char *const wavelets[] = {"haar", "db4", NULL};
    static const char *const rules[] = {"soft", "hard", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    const size_t start = n_problems(problems);
    denoise_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc;
    size_t len = 0, before = n_problems(problems);
    if ((rc = read_signal(&r, cfg, &len)))
        goto fail;
    bool signal_ok = n_problems(problems) == before;
    const bool given = cfg->signal == SIG_GIVEN;

    before = n_problems(problems);
    cfg->n = (long)params_int(&r, "n", given && signal_ok ? (int64_t)len : 1024, 2, N_MAX);
    doc(&r, "n", "signal length; default 1024, or the given signal's length");
    bool n_ok = n_problems(problems) == before && (!given || signal_ok);
    if (n_ok && given && (size_t)cfg->n != len) {
        params_problem(&r, "n", "must equal the given signal's length %zu; got %ld", len, cfg->n);
        n_ok = false;
    }
    read_sigma(&r, cfg);
    const char *method = params_enum(&r, "method", "wavelet", methods);
    cfg->method = strcmp(method, "wiener") == 0 ? METHOD_WIENER
                  : strcmp(method, "none") == 0 ? METHOD_NONE
                                                : METHOD_WAVELET;
    doc(&r, "method",
        "wavelet (shrinkage), wiener (Fourier-basis linear filter) or none (x̂ = y, the "
        "baseline)");
    cfg->wavelet = strcmp(params_enum(&r, "wavelet", "db4", wavelets), "haar") == 0
                       ? BASIN_WAVELET_HAAR
                       : BASIN_WAVELET_DB4;
    doc(&r, "wavelet", "orthonormal wavelet: db4 (8 taps) or haar");

    const basin_wavelet *w = basin_wavelet_get(cfg->wavelet);
    int dyadic = n_ok ? basin_wavelet_dyadic_levels(cfg->n) : 1;
    int lv_def = n_ok ? basin_wavelet_max_level(cfg->n, w) : 1;
    if (lv_def > dyadic)
        lv_def = dyadic;
    if (lv_def < 1)
        lv_def = 1;
    before = n_problems(problems);
    cfg->levels = (int)params_int(&r, "levels", lv_def, 1, 30);
    doc(&r, "levels",
        "wavelet levels J; default min(pywt.dwt_max_level(n, taps), the power of 2 in n); n "
        "must be divisible by 2^J");
    bool levels_ok = n_problems(problems) == before;
    const bool uses_dwt =
        cfg->method == METHOD_WAVELET || (cfg->method == METHOD_WIENER && cfg->sigma_mad);
    if (n_ok && uses_dwt && dyadic == 0)
        params_problem(&r, given && !(r.in && json_object_get(r.in, "n")) ? "signal" : "n",
                       "the periodic wavelet transform needs an even length; got %ld", cfg->n);
    else if (n_ok && levels_ok && cfg->method == METHOD_WAVELET && cfg->levels > dyadic)
        params_problem(&r, "levels",
                       "n = %ld is not divisible by 2^%d: the periodic transform halves the "
                       "length at each level (at most %d levels here)",
                       cfg->n, cfg->levels, dyadic);

    read_threshold(&r, cfg);
    cfg->rule = strcmp(params_enum(&r, "rule", "soft", rules), "hard") == 0 ? BASIN_THRESHOLD_HARD
                                                                            : BASIN_THRESHOLD_SOFT;
    doc(&r, "rule", "soft: sign(x)(|x| − τ)₊; hard: x where |x| ≥ τ");
    if ((rc = read_spectrum(&r, cfg, n_ok)))
        goto fail;
    cfg->seed = params_seed(&r);

    bool over = false;
    if (n_problems(problems) == start) {
        double n = (double)cfg->n;
        double work = 200.0 * n + 40.0 * n * log2(n);
        if (n > (double)limits->max_array_elements) {
            params_over_limit(&r, "n", "the signal (samples)", n,
                              (double)limits->max_array_elements);
            over = true;
        } else if (work > (double)limits->max_work) {
            params_over_limit(&r, "n", "the run (operations)", work, (double)limits->max_work);
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
    denoise_free_config(cfg);
    return rc;
}

/* ---- run ------------------------------------------------------------------------------ */

/* The sums below run in LANES interleaved partial sums (sample i into sum i mod LANES,
 * added up in order at the end), so that they vectorise with a fixed rounding: the same
 * bits at every SIMD width. */
#define LANES 8

static double lanes_total(const double s[LANES])
{
    double t = 0.0;
    for (int l = 0; l < LANES; l++)
        t += s[l];
    return t;
}

/* y_i ← x_i + σ y_i (y holds standard normals) for i in [i0, i1), i0 a multiple of LANES;
 * adds x_i² to xx and (σ y_i)² to ee, lane by lane. */
static void add_noise(long i0, long i1, double sigma, const double *restrict x, double *restrict y,
                      double xx[LANES], double ee[LANES])
{
    long i = i0;
    for (; i + LANES <= i1; i += LANES)
        for (int l = 0; l < LANES; l++) {
            double z = sigma * y[i + l];
            y[i + l] = x[i + l] + z;
            xx[l] += x[i + l] * x[i + l];
            ee[l] += z * z;
        }
    for (; i < i1; i++) {
        double z = sigma * y[i];
        y[i] = x[i] + z;
        xx[i % LANES] += x[i] * x[i];
        ee[i % LANES] += z * z;
    }
}

/* Σ (x̂_i − x_i)² (x may be NULL: 0) into *err; returns whether every x̂_i is finite
 * (v − v is 0 for a finite v, NaN otherwise). */
static bool error_and_finite(long n, const double *restrict xhat, const double *restrict x,
                             double *err)
{
    double e[LANES] = {0.0}, bad[LANES] = {0.0};
    const long n8 = n / LANES * LANES;
    if (x) {
        for (long i = 0; i < n8; i += LANES)
            for (int l = 0; l < LANES; l++) {
                double v = xhat[i + l], d = v - x[i + l];
                bad[l] += v - v;
                e[l] += d * d;
            }
        for (long i = n8; i < n; i++) {
            double d = xhat[i] - x[i];
            bad[i % LANES] += xhat[i] - xhat[i];
            e[i % LANES] += d * d;
        }
    } else {
        for (long i = 0; i < n8; i += LANES)
            for (int l = 0; l < LANES; l++)
                bad[l] += xhat[i + l] - xhat[i + l];
        for (long i = n8; i < n; i++)
            bad[i % LANES] += xhat[i] - xhat[i];
    }
    *err = lanes_total(e);
    return lanes_total(bad) == 0.0;
}

/* x = Wᵀc for the J-level coefficients c[0, n) without scratch of its own, c destroyed:
 * the levels J..2 rebuild a_1 from c[0, n/2) (the wavedec layout of a_1's own (J − 1)-level
 * transform) into x[0, n/2), with x[n/2, n) as their scratch; a_1 then moves to c[0, n/2),
 * which those levels have consumed, and the last level reads c into x. c and x hold n
 * doubles each. */
static void inverse_in_place(const basin_wavelet *w, long n, int J, double *c, double *x)
{
    basin_idwt(w, n / 2, J - 1, c, x, x + n / 2);
    memcpy(c, x, (size_t)(n / 2) * sizeof *c);
    basin_idwt(w, n, 1, c, x, NULL); /* one level uses no scratch */
}

static int denoise_run(const void *config, basin_ctx *ctx)
{
    const denoise_config *cfg = config;
    const long n = cfg->n;
    const bool synthetic = cfg->signal != SIG_GIVEN;
    const basin_wavelet *w = basin_wavelet_get(cfg->wavelet);
    basin_rfft f;
    memset(&f, 0, sizeof f);
    int rc = 0;
    /* xhat and work double as the scratch of the transforms and of σ̂ (n + extra); pages
     * are only touched (and paid for) by the methods that use them */
    const size_t scratch = (size_t)n + BASIN_MAD_EXTRA;
    double *x = NULL, *y = basin_array_alloc((size_t)n * sizeof *y);
    double *xhat = basin_array_alloc(scratch * sizeof *xhat);
    double *work = basin_array_alloc(scratch * sizeof *work), *P = NULL, *P_prior = NULL;
    bool x_owned = true, y_owned = true, xhat_owned = true; /* until the context takes them */
    double tau[30];
    int64_t shape[1] = {n};
    if (!y || !xhat || !work) {
        rc = BASIN_ENOMEM;
        goto out;
    }
    const bool fourier = cfg->method == METHOD_WIENER || cfg->signal == SIG_STATIONARY;
    if (fourier) {
        P = malloc((size_t)(n / 2 + 1) * sizeof *P);
        P_prior = malloc((size_t)(n / 2 + 1) * sizeof *P_prior);
        if (!P || !P_prior || (rc = basin_rfft_init(&f, n)) != 0) {
            rc = rc ? rc : BASIN_ENOMEM;
            goto out;
        }
        if (cfg->spectrum == SPEC_GIVEN)
            memcpy(P_prior, cfg->P_given, (size_t)(n / 2 + 1) * sizeof *P_prior);
        else
            basin_spectrum_lorentzian(n, FC_DEFAULT, P_prior);
    }
    basin_ctx_seed(ctx, cfg->seed);
    basin_rng root, rng_signal;
    basin_rng_seed(&root, cfg->seed);
    basin_rng_split(&root, STREAM_SIGNAL, &rng_signal);
    basin_normal_gen noise;
    basin_normal_gen_seed(&noise, cfg->seed, STREAM_NOISE);

    /* the observation: y = x + σξ, or as given */
    double xx = 0.0, e_in = 0.0, xx_l[LANES] = {0.0}, e_in_l[LANES] = {0.0};
    if (synthetic) {
        if (!(x = basin_array_alloc((size_t)n * sizeof *x))) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        if (cfg->signal == SIG_STATIONARY)
            basin_stationary_signal(&f, P_prior, &rng_signal, x);
        for (long i0 = 0; i0 < n; i0 += SYNTH_CHUNK) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            long i1 = i0 + SYNTH_CHUNK < n ? i0 + SYNTH_CHUNK : n;
            /* blocks of a multiple of BASIN_NORMAL_LANES: the noise is the stream's first n
             * normals whatever the blocking */
            for (long b0 = i0; b0 < i1; b0 += SYNTH_BLOCK) {
                long b1 = b0 + SYNTH_BLOCK < i1 ? b0 + SYNTH_BLOCK : i1;
                if (cfg->signal != SIG_STATIONARY)
                    basin_test_signal_fill((basin_test_signal)cfg->signal, n, b0, b1, x);
                basin_normal_gen_fill(&noise, y + b0, b1 - b0);
                add_noise(b0, b1, cfg->sigma, x, y, xx_l, e_in_l);
            }
        }
        xx = lanes_total(xx_l);
        e_in = lanes_total(e_in_l);
        /* x and y become the context's (no copy) and are only read from here on */
        rc = basin_ctx_artifact_take(ctx, "clean", BASIN_F64, 1, shape, x);
        x_owned = false;
        if (rc)
            goto out;
    } else {
        memcpy(y, cfg->y_given, (size_t)n * sizeof *y);
    }
    rc = basin_ctx_artifact_take(ctx, "noisy", BASIN_F64, 1, shape, y);
    y_owned = false;
    if (rc)
        goto out;
    basin_ctx_progress(ctx, 0.25);
    if (basin_ctx_should_stop(ctx)) {
        rc = BASIN_ECANCELLED;
        goto out;
    }

    long kept = n;
    double sigma = cfg->sigma, sigma_hat = NAN;
    if (cfg->method == METHOD_WAVELET) {
        /* c = W y (in work); threshold the details; x̂ = Wᵀ c */
        basin_dwt(w, n, cfg->levels, y, work, xhat);
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        kept = basin_wavelet_shrink(n, cfg->levels, work, cfg->threshold, cfg->tau, cfg->rule, tau,
                                    &sigma_hat, xhat);
        if (n <= COEFF_ARTIFACT_MAX &&
            (rc = basin_ctx_artifact(ctx, "coefficients", BASIN_F64, 1, shape, work)))
            goto out;
        basin_ctx_progress(ctx, 0.6);
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        inverse_in_place(w, n, cfg->levels, work, xhat);
        sigma = sigma_hat;
        if (cfg->threshold != BASIN_SHRINK_SURE)
            basin_ctx_summary_real(ctx, "threshold", tau[0]);
        json_t *taus = json_array();
        for (int j = 0; j < cfg->levels; j++)
            json_array_append_new(taus, json_real(tau[j]));
        basin_ctx_value(ctx, "thresholds", taus);
        basin_ctx_summary_int(ctx, "levels", cfg->levels);
    } else if (cfg->method == METHOD_WIENER) {
        if (cfg->sigma_mad) {
            /* σ̂ from the finest details of one level of the wavelet */
            basin_dwt(w, n, 1, y, xhat, work);
            sigma = sigma_hat = basin_mad_sigma(n / 2, xhat + n / 2, work);
        }
        switch (cfg->spectrum) {
        case SPEC_ESTIMATE:
            basin_spectrum_estimate(&f, y, sigma, P);
            break;
        case SPEC_ORACLE:
            basin_power_spectrum(&f, x, P);
            break;
        case SPEC_PRIOR:
        case SPEC_GIVEN:
            memcpy(P, P_prior, (size_t)(n / 2 + 1) * sizeof *P);
            break;
        }
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        kept = basin_wiener_filter(&f, y, P, sigma, xhat);
        if (cfg->spectrum != SPEC_ESTIMATE)
            basin_ctx_summary_real(ctx, "expected_mse", basin_wiener_expected_mse(n, P, sigma));
    } else {
        memcpy(xhat, y, (size_t)n * sizeof *y); /* none: x̂ = y */
    }
    basin_ctx_progress(ctx, 0.9);

    double e_out = 0.0;
    if (!error_and_finite(n, xhat, synthetic ? x : NULL, &e_out)) {
        basin_ctx_fail(ctx, "diverged", 0, "the denoised signal is not finite");
        rc = BASIN_EDIVERGED;
        goto out;
    }
    basin_ctx_summary_real(ctx, "mse", synthetic ? e_out / (double)n : NAN);
    basin_ctx_summary_real(ctx, "snr_in_db", synthetic ? 10.0 * log10(xx / e_in) : NAN);
    basin_ctx_summary_real(ctx, "snr_out_db", synthetic ? 10.0 * log10(xx / e_out) : NAN);
    basin_ctx_summary_int(ctx, "kept_coefficients", kept);
    basin_ctx_summary_real(ctx, "sigma", sigma);
    if (!isnan(sigma_hat))
        basin_ctx_summary_real(ctx, "sigma_hat", sigma_hat);
    rc = basin_ctx_artifact_take(ctx, "denoised", BASIN_F64, 1, shape, xhat);
    xhat_owned = false;
    if (rc)
        goto out;
    basin_ctx_progress(ctx, 1.0);
out:
    basin_rfft_free(&f);
    if (x_owned)
        free(x);
    if (y_owned)
        free(y);
    if (xhat_owned)
        free(xhat);
    free(work);
    free(P);
    free(P_prior);
    return rc;
}

const basin_model model_denoise = {
    .kind = "denoise",
    .version = "2",
    .summary = "denoising of a noisy signal: Wiener filter in the Fourier basis or wavelet "
               "shrinkage (haar, db4; VisuShrink, SureShrink)",
    .parse = denoise_parse,
    .run = denoise_run,
    .free_config = denoise_free_config,
};
