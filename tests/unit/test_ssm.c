/*
 * test_ssm.c — the `ssm` model and its numerical core (basin/ssm.h, basin/fft.h).
 *
 * References: the continuous step response of one damped mode, x' = Ax + u, y = 2 Re x,
 * y(t) = 2[a(1 − e^{−at} cos ωt) + ω e^{−at} sin ωt]/(a² + ω²) for A = −a + iω, which a
 * zero-order-hold recurrence reproduces exactly at t = (k + 1) dt; the identity of three
 * computations of y = K ∗ u (Vandermonde kernel + FFT, the recurrence, direct summation);
 * the DC gain identity Σ_{l≥0} K_l = −2 Re Σ C_n B_n/A_n; a long-double evaluation of
 * e^{dt A l} at large lags; the DFT of a cosine.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/fft.h"
#include "basin/model.h"
#include "basin/ssm.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* Artifact `name` of ctx, which must have n elements along its first axis. */
static const double *artifact(const basin_ctx *ctx, const char *name, int64_t n)
{
    const run_artifact *a = mc_artifact(ctx, name);
    ck_assert_int_eq(a->shape[0], n);
    return a->data;
}

static double max_abs(long n, const double *x)
{
    double m = 0.0;
    for (long i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return m;
}

/* ---- 1. closed forms ------------------------------------------------------------------------ */

/* Reference: one mode A = −a + iω, B = C = 1, driven by a unit step from rest: the ZOH
 * recurrence is exact for piecewise-constant input, so y_k = y((k + 1) dt) with the
 * continuous step response above; for ω = 0 the kernel is K_l = 2(1 − e^{−a dt})/a ·
 * e^{−a dt l}. Tolerance 1e-12 of max|y|: the kernel terms carry a few ulps each and the
 * FFT convolution adds O(ε log P) relative to the largest partial sums. */
START_TEST(one_mode_closed_form)
{
    const struct {
        double a, w, dt;
        long L;
    } cases[] = {{0.5, 3.0, 0.01, 2000}, {2.0, 0.0, 0.05, 300}, {0.05, 40.0, 0.002, 20000}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const double a = cases[c].a, w = cases[c].w, dt = cases[c].dt;
        const long L = cases[c].L;
        char buf[300];
        snprintf(buf, sizeof buf,
                 "{\"A\": {\"re\": [%.17g], \"im\": [%.17g]}, \"C\": {\"re\": [1], \"im\": [0]}, "
                 "\"dt\": %.17g, \"length\": %ld, \"input\": \"step\"}",
                 -a, w, dt, L);
        basin_ctx *ctx = mc_run_ok("ssm", mc_load(buf));
        const double *y = artifact(ctx, "y", L), *K = artifact(ctx, "kernel", L);
        const double scale = max_abs(L, y);
        double worst = 0.0;
        for (long k = 0; k < L; k++) {
            double t = (double)(k + 1) * dt, e = exp(-a * t);
            double exact =
                2.0 * (a * (1.0 - e * cos(w * t)) + w * e * sin(w * t)) / (a * a + w * w);
            worst = fmax(worst, fabs(y[k] - exact) / scale);
            if (w == 0.0)
                ck_assert_double_eq_tol(K[k], 2.0 * (-expm1(-a * dt)) / a * exp(-a * dt * k),
                                        1e-14 * K[0]);
        }
        ck_assert_msg(worst <= 1e-12, "case %zu: step response off by %g of max|y|", c, worst);
        /* the DC gain of one mode: −2 Re(1/A) = 2a/(a² + ω²) */
        ck_assert_double_eq_tol(mc_summary(ctx, "dc_gain"), 2.0 * a / (a * a + w * w), 1e-15);
        printf("one_mode_closed_form: a = %g, ω = %g: worst step-response error %.2e of max|y|\n",
               a, w, worst);
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: S4D's initialisations, A_n = −½ + iπn (Lin) and −½ + i(2N/π)(2N/(2n+1) − 1)
 * (Inv, state size 2N). */
START_TEST(initialisations)
{
    double re[4], im[4];
    basin_ssm_init_lin(4, re, im);
    for (int n = 0; n < 4; n++) {
        ck_assert_double_eq(re[n], -0.5);
        ck_assert_double_eq_tol(im[n], M_PI * n, 1e-15);
    }
    basin_ssm_init_inv(4, re, im);
    for (int n = 0; n < 4; n++)
        ck_assert_double_eq_tol(im[n], 8.0 / M_PI * (8.0 / (2.0 * n + 1.0) - 1.0), 1e-14);
    basin_ssm s;
    const double bad_re[1] = {0.0}, one[1] = {1.0}, zero[1] = {0.0};
    ck_assert_int_eq(basin_ssm_init(&s, 1, bad_re, zero, one, zero, one, zero, 0.1), BASIN_EINVAL);
    basin_ssm_free(&s);
}
END_TEST

/* ---- 2. three paths to y ---------------------------------------------------------------- */

/* Reference: the kernel is the recurrence's impulse response and y = K ∗ u its response to
 * u; the model computes K by the Vandermonde formula, y by FFT, and both again by running
 * the recurrence (reported differences ≤ 1e-10 of the largest value: the recurrence's
 * repeated products accumulate ~l ε). Also: an impulse input returns K itself, and a
 * direct O(L·|u|) convolution agrees with the FFT path to 1e-12 of max|y|. */
START_TEST(three_paths)
{
    const char *texts[] = {
        "{\"modes\": 64, \"length\": 4096, \"seed\": 1}",
        "{\"modes\": 32, \"init\": \"s4d_inv\", \"length\": 3000, \"dt\": 0.001, \"seed\": 2}",
        "{\"modes\": 8, \"length\": 1000, \"dt\": 0.1, \"input\": [1, -2, 0.5, 3, 0, 0, 1], "
        "\"B\": {\"re\": [1, 2, 0, 1, 1, 1, 0.5, 1], \"im\": [0, 1, 1, 0, 0, 0, 0, -1]}, "
        "\"seed\": 3}",
    };
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        basin_ctx *ctx = mc_run_ok("ssm", mc_load(texts[t]));
        const long L = (long)mc_summary(ctx, "length"), Lu = (long)mc_summary(ctx, "input_length");
        ck_assert_msg(mc_summary(ctx, "recurrence_kernel_error") <= 1e-10, "%s: kernel %g",
                      texts[t], mc_summary(ctx, "recurrence_kernel_error"));
        ck_assert_msg(mc_summary(ctx, "recurrence_output_error") <= 1e-10, "%s: output %g",
                      texts[t], mc_summary(ctx, "recurrence_output_error"));
        const double *K = artifact(ctx, "kernel", L), *u = artifact(ctx, "input", Lu),
                     *y = artifact(ctx, "y", Lu);
        double worst = 0.0, scale = max_abs(Lu, y);
        for (long k = 0; k < Lu; k++) {
            double s = 0.0;
            for (long l = 0; l <= k && l < L; l++)
                s += K[l] * u[k - l];
            worst = fmax(worst, fabs(s - y[k]) / scale);
        }
        ck_assert_msg(worst <= 1e-12, "%s: direct convolution differs by %g", texts[t], worst);
        printf(
            "three_paths: recurrence kernel %.2e, output %.2e, direct %.2e (N = %lld, L = %ld)\n",
            mc_summary(ctx, "recurrence_kernel_error"), mc_summary(ctx, "recurrence_output_error"),
            worst, (long long)mc_summary(ctx, "modes"), L);
        run_ctx_free(ctx);
    }
    basin_ctx *ctx =
        mc_run_ok("ssm", mc_load("{\"modes\": 16, \"length\": 777, \"input\": \"impulse\", "
                                 "\"seed\": 4}"));
    const double *K = artifact(ctx, "kernel", 777), *y = artifact(ctx, "y", 777);
    for (long k = 0; k < 777; k++)
        ck_assert_double_eq_tol(y[k], K[k], 1e-12 * max_abs(777, K));
    ck_assert_int_eq((long)mc_summary(ctx, "fft_length"), 1568); /* ≥ 2·777 − 1, 2⁵·7² */
    run_ctx_free(ctx);
}
END_TEST

/* Reference: the DC gain identity. Σ_{l<L} K_l = 2 Re Σ W_n (1 − z_n^L)/(1 − z_n) (the
 * computed sum agrees with this closed form to 1e-12 of Σ|K_l|), which tends to
 * H(0) = −2 Re Σ C_n B_n/A_n as L → ∞; here e^{−L dt/2} = e^{−50}, so the tail is below
 * 1e-20 and the two agree to 1e-12. The step response's last value is the same sum. */
START_TEST(dc_gain)
{
    basin_ctx *ctx =
        mc_run_ok("ssm", mc_load("{\"modes\": 16, \"dt\": 0.05, \"length\": 2000, \"input\": "
                                 "\"step\", \"seed\": 5}"));
    const double *K = artifact(ctx, "kernel", 2000), *y = artifact(ctx, "y", 2000);
    double abs_sum = 0.0;
    for (int l = 0; l < 2000; l++)
        abs_sum += fabs(K[l]);
    const double H0 = mc_summary(ctx, "dc_gain");
    ck_assert_double_eq_tol(mc_summary(ctx, "kernel_sum"), mc_summary(ctx, "kernel_sum_exact"),
                            1e-12 * abs_sum);
    ck_assert_double_eq_tol(mc_summary(ctx, "kernel_sum_exact"), H0, 1e-12 * abs_sum);
    ck_assert_double_eq_tol(y[1999], H0, 1e-12 * abs_sum);
    printf("dc_gain: H(0) = %.15g, kernel sum %.15g, step response %.15g\n", H0,
           mc_summary(ctx, "kernel_sum"), y[1999]);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: e^{dt A l} evaluated in long double (64-bit mantissa) from the same double
 * inputs. The blocked Vandermonde path forms z^l from two exponentials, so its error
 * does not grow with l; the tolerance 1e-10 |W| is the conditioning of the phase
 * dt·ω·l ≈ 6e4 rad itself (its double product is off by up to ~7e-12 rad). */
START_TEST(large_lag_accuracy)
{
    const double are = -1e-6, aim = 3.0, one = 1.0, zero = 0.0, dt = 0.01;
    basin_ssm s;
    ck_assert_int_eq(basin_ssm_init(&s, 1, &are, &aim, &one, &zero, &one, &zero, dt), 0);
    const long l0 = (1L << 21) - 5000, len = 5000;
    double *K = malloc(len * sizeof *K), state[2];
    basin_ssm_kernel(&s, l0, l0 + len, K);
    /* W = (e^{dtA} − 1)/A in long double */
    long double a = (long double)dt * are, b = (long double)dt * aim;
    long double em_re = expm1l(a) * cosl(b) - 2.0L * sinl(b / 2) * sinl(b / 2),
                em_im = expl(a) * sinl(b);
    long double den = (long double)are * are + (long double)aim * aim;
    long double W_re = (em_re * are + em_im * aim) / den, W_im = (em_im * are - em_re * aim) / den;
    long double W_abs = sqrtl(W_re * W_re + W_im * W_im);
    double worst = 0.0;
    for (long i = 0; i < len; i++) {
        long double l = (long double)(l0 + i), e = expl(a * l);
        long double ref = 2.0L * (W_re * e * cosl(b * l) - W_im * e * sinl(b * l));
        worst = fmax(worst, (double)(fabsl((long double)K[i] - ref) / W_abs));
    }
    ck_assert_msg(worst <= 1e-10, "Vandermonde error %g |W| at lag ~2^21", worst);
    /* the recurrence, for comparison */
    double *R = malloc((size_t)(l0 + len) * sizeof *R);
    basin_ssm_impulse_start(&s, state);
    basin_ssm_impulse(&s, l0 + len, R, state);
    double worst_rec = 0.0;
    for (long i = 0; i < len; i++)
        worst_rec = fmax(worst_rec, fabs(R[l0 + i] - K[i]) / (double)W_abs);
    printf("large_lag_accuracy: Vandermonde %.2e |W|, recurrence differs by %.2e |W| at l ~ "
           "2^21\n",
           worst, worst_rec);
    free(K);
    free(R);
    basin_ssm_free(&s);
}
END_TEST

/* Reference: the DFT of cos(2π·3t/n) is n/2 at k = 3 and 0 elsewhere; inverse(forward(x))
 * = n·x. Tolerances 1e-12·n: FFTW's O(ε log n) error on O(1) data. */
START_TEST(fft_wrapper)
{
    const long ns[] = {1, 2, 7, 12, 1000, 1024};
    for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
        long n = ns[t];
        basin_rfft f;
        ck_assert_int_eq(basin_rfft_init(&f, n), 0);
        double *x = malloc(n * sizeof *x);
        for (long i = 0; i < n; i++)
            x[i] = f.x[i] = cos(2.0 * M_PI * 3.0 * i / n) + 0.25 * sin(0.1 * i * i);
        basin_rfft_forward(&f);
        basin_rfft_inverse(&f);
        for (long i = 0; i < n; i++)
            ck_assert_double_eq_tol(f.x[i], n * x[i], 1e-12 * n);
        if (n >= 12) {
            for (long i = 0; i < n; i++)
                f.x[i] = cos(2.0 * M_PI * 3.0 * i / n);
            basin_rfft_forward(&f);
            for (long k = 0; k <= n / 2; k++) {
                ck_assert_double_eq_tol(f.X[k][0], k == 3 ? n / 2.0 : 0.0, 1e-12 * n);
                ck_assert_double_eq_tol(f.X[k][1], 0.0, 1e-12 * n);
            }
        }
        free(x);
        basin_rfft_free(&f);
    }
    basin_rfft f;
    ck_assert_int_eq(basin_rfft_init(&f, 0), BASIN_EINVAL);
    basin_rfft_free(&f);
}
END_TEST

/* ---- 3. the params contract ---------------------------------------------------------------- */

/* Reference: models.md's params contract (complex arrays {"re", "im"}, strict pointers)
 * and the model's doc comment. */
START_TEST(validation)
{
    static const mc_refusal cases[] = {
        {"{\"foo\": 1}", "/params/foo", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1, 0], \"im\": [0, 1]}}", "/params/A/re/1", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1, 0.5], \"im\": [0, 1]}}", "/params/A/re/1", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1, -1]}}", "/params/A/im", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1, -1], \"im\": [0]}}", "/params/A/im", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1], \"im\": [0], \"x\": 1}}", "/params/A/x", BASIN_EINVAL},
        {"{\"A\": [-1, -2]}", "/params/A", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1], \"im\": [1e7]}}", "/params/A/im/0", BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1, -1], \"im\": [0, 1]}, \"modes\": 3}", "/params/modes",
         BASIN_EINVAL},
        {"{\"A\": {\"re\": [-1], \"im\": [0]}, \"init\": \"s4d_lin\"}", "/params/init",
         BASIN_EINVAL},
        {"{\"init\": \"given\"}", "/params/A", BASIN_EINVAL},
        {"{\"init\": \"hippo\"}", "/params/init", BASIN_EINVAL},
        {"{\"modes\": 2, \"B\": {\"re\": [1, 1, 1], \"im\": [0, 0, 0]}}", "/params/B/re",
         BASIN_EINVAL},
        {"{\"B\": \"random\"}", "/params/B", BASIN_EINVAL},
        {"{\"modes\": 1, \"C\": {\"re\": [1e7], \"im\": [0]}}", "/params/C/re/0", BASIN_EINVAL},
        {"{\"modes\": 0}", "/params/modes", BASIN_EINVAL},
        {"{\"modes\": 4097}", "/params/modes", BASIN_EINVAL},
        {"{\"dt\": 0}", "/params/dt", BASIN_EINVAL},
        {"{\"length\": 0}", "/params/length", BASIN_EINVAL},
        {"{\"length\": 2097153}", "/params/length", BASIN_EINVAL},
        {"{\"input\": \"chirp\"}", "/params/input", BASIN_EINVAL},
        {"{\"input\": []}", "/params/input", BASIN_EINVAL},
        {"{\"input\": [1, 1e13]}", "/params/input/1", BASIN_EINVAL},
        {"{\"verify\": \"yes\"}", "/params/verify", BASIN_EINVAL},
    };
    mc_check_refusals("ssm", cases, sizeof cases / sizeof *cases);
    basin_limits small = basin_default_limits;
    small.max_work = 1000000;
    json_t *params = mc_load("{\"modes\": 64, \"length\": 65536}");
    basin_problems pr;
    json_t *norm;
    void *cfg;
    ck_assert_int_eq(mc_parse("ssm", params, &small, &pr, &norm, &cfg), BASIN_ELIMIT);
    ck_assert_str_eq(pr.items[0].pointer, "/params/length");
    json_decref(params);
}
END_TEST

/* Reference: parse(normalised) = normalised, the documented defaults, and the schema. */
START_TEST(normalised_params)
{
    const char *texts[] = {
        "{}",
        "{\"A\": {\"re\": [-1, -0.5], \"im\": [0, 2]}, \"C\": {\"re\": [1, 2], \"im\": [0, 1]}, "
        "\"input\": [1, 2, 3], \"verify\": false, \"seed\": 1}",
        "{\"init\": \"s4d_inv\", \"modes\": 8, \"length\": 100, \"input\": \"step\"}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *params = mc_load(texts[i]), *n1 = NULL, *n2 = NULL;
        void *c1 = mc_parse_ok("ssm", params, &n1), *c2 = mc_parse_ok("ssm", n1, &n2);
        char *s1 = json_dumps(n1, JSON_SORT_KEYS), *s2 = json_dumps(n2, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(n1, n2), "%s\n%s", s1, s2);
        if (i == 0) {
            json_t *want =
                mc_load("{\"modes\": 64, \"init\": \"s4d_lin\", \"B\": \"ones\", \"C\": "
                        "\"random\", \"dt\": 0.01, \"length\": 1024, \"input\": \"noise\", "
                        "\"verify\": true}");
            json_object_set(want, "seed", json_object_get(n1, "seed"));
            ck_assert_msg(json_equal(n1, want), "defaults: %s", s1);
            json_decref(want);
        }
        if (i == 1)
            ck_assert_str_eq(json_string_value(json_object_get(n1, "init")), "given");
        free(s1);
        free(s2);
        mc_model("ssm")->free_config(c1);
        mc_model("ssm")->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
    json_t *schema = mc_schema("ssm");
    json_t *props = json_object_get(schema, "properties");
    const char *keys[] = {"A",  "modes",  "init",  "B",      "C",
                          "dt", "length", "input", "verify", "seed"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "schema lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(props), sizeof keys / sizeof *keys);
    json_decref(schema);
}
END_TEST

/* Reference: same params + seed = bit-identical kernel and output (the random C and the
 * noise input come from the seed); another seed, another C. */
START_TEST(reproducible)
{
    basin_ctx *a = mc_run_ok("ssm", mc_load("{\"modes\": 32, \"length\": 5000, \"seed\": 8}"));
    basin_ctx *b = mc_run_ok("ssm", mc_load("{\"modes\": 32, \"length\": 5000, \"seed\": 8}"));
    basin_ctx *c = mc_run_ok("ssm", mc_load("{\"modes\": 32, \"length\": 5000, \"seed\": 9}"));
    const char *names[] = {"kernel", "y", "input"};
    for (int i = 0; i < 3; i++) {
        const run_artifact *x = run_ctx_find_artifact(a, names[i]),
                           *y = run_ctx_find_artifact(b, names[i]),
                           *z = run_ctx_find_artifact(c, names[i]);
        ck_assert(memcmp(x->data, y->data, x->nbytes) == 0);
        ck_assert(memcmp(x->data, z->data, x->nbytes) != 0);
    }
    ck_assert(json_equal(a->summary, b->summary));
    run_ctx_free(a);
    run_ctx_free(b);
    run_ctx_free(c);
}
END_TEST

/* Reference: model.h's cancellation contract. The threaded case (4096 modes, L = 2^21,
 * verify: ~10^11 operations, a minute or more) must return within 0.5 s of the request. */
START_TEST(cancellation)
{
    json_t *params = mc_load("{\"modes\": 64, \"length\": 100000}");
    void *cfg = mc_parse_ok("ssm", params, NULL);
    run_ctx_free(mc_run_stopped_before("ssm", cfg));
    basin_ctx *ctx = mc_run_stopped_at_progress("ssm", cfg);
    ck_assert_ptr_null(run_ctx_find_artifact(ctx, "kernel"));
    run_ctx_free(ctx);
    mc_model("ssm")->free_config(cfg);
    json_decref(params);

    const char *text = "{\"modes\": 4096, \"length\": 2097152}";
    double latency = mc_check_stop("ssm", text, 0.5, 0.5);
    printf("cancellation: returned %.1f ms after the request\n", 1e3 * latency);
}
END_TEST

static Suite *ssm_suite(void)
{
    Suite *s = suite_create("ssm");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 60);
    tcase_add_test(core, one_mode_closed_form);
    tcase_add_test(core, initialisations);
    tcase_add_test(core, three_paths);
    tcase_add_test(core, dc_gain);
    tcase_add_test(core, large_lag_accuracy);
    tcase_add_test(core, fft_wrapper);
    suite_add_tcase(s, core);
    TCase *contract = tcase_create("contract");
    tcase_set_timeout(contract, 60);
    tcase_add_test(contract, validation);
    tcase_add_test(contract, normalised_params);
    tcase_add_test(contract, reproducible);
    tcase_add_test(contract, cancellation);
    suite_add_tcase(s, contract);
    return s;
}

int main(void)
{
    return mc_run_suite(ssm_suite());
}
