/*
 * model_check.c — the harness the model unit suites share (contracts in model_check.h).
 *
 * Failure messages quote the params as compact JSON, cut to PARAMS_QUOTE_MAX bytes so
 * that a params object with large arrays still gives a readable line.
 */
#include "model_check.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basin/error.h"

#define PARAMS_QUOTE_MAX 240

/* The compact JSON text of params (NULL: the {} it stands for) in buf[0..PARAMS_QUOTE_MAX),
 * ending in "..." when cut. Returns buf. */
static const char *quote_params(const json_t *params, char buf[PARAMS_QUOTE_MAX])
{
    char *text = params ? json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    int n = snprintf(buf, PARAMS_QUOTE_MAX, "%s", text ? text : "{}");
    if (n >= PARAMS_QUOTE_MAX)
        memcpy(buf + PARAMS_QUOTE_MAX - 4, "...", 4);
    free(text);
    return buf;
}

/* ---- models and params ------------------------------------------------------------- */

const basin_model *mc_model(const char *kind)
{
    const basin_model *m = basin_model_find(kind);
    ck_assert_msg(m != NULL, "no model of kind %s", kind);
    return m;
}

double mc_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

json_t *mc_load(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, err.text);
    return j;
}

int mc_parse(const char *kind, const json_t *params, const basin_limits *limits,
             basin_problems *problems, json_t **normalized, void **config)
{
    const basin_model *m = mc_model(kind);
    memset(problems, 0, sizeof *problems);
    *normalized = NULL;
    *config = NULL;
    return m->parse(params, "/params", limits, problems, NULL, normalized, config);
}

int mc_parse_text(const char *kind, const char *text, const basin_limits *limits,
                  basin_problems *problems, json_t **normalized, void **config)
{
    json_t *params = mc_load(text);
    int rc = mc_parse(kind, params, limits, problems, normalized, config);
    json_decref(params);
    return rc;
}

void *mc_parse_ok(const char *kind, const json_t *params, json_t **normalized)
{
    basin_problems pr;
    json_t *norm;
    void *cfg;
    int rc = mc_parse(kind, params, &basin_default_limits, &pr, &norm, &cfg);
    if (rc != 0) {
        char quote[PARAMS_QUOTE_MAX];
        ck_abort_msg("%s: parse of %s failed (%d, %s): %s: %s", kind, quote_params(params, quote),
                     rc, basin_errname(rc), pr.count ? pr.items[0].pointer : "(no problem)",
                     pr.count ? pr.items[0].message : "");
    }
    if (normalized)
        *normalized = norm;
    else
        json_decref(norm);
    return cfg;
}

json_t *mc_check_reparses(const char *kind, const json_t *params)
{
    json_t *n1, *n2;
    mc_model(kind)->free_config(mc_parse_ok(kind, params, &n1));
    mc_model(kind)->free_config(mc_parse_ok(kind, n1, &n2));
    char quote[PARAMS_QUOTE_MAX];
    ck_assert_msg(json_equal(n1, n2),
                  "%s: the normalised params of %s do not re-parse to themselves", kind,
                  quote_params(params, quote));
    json_decref(n2);
    return n1;
}

json_t *mc_schema(const char *kind)
{
    const basin_model *m = mc_model(kind);
    json_t *schema = json_object(), *norm = NULL;
    basin_problems pr = {.count = 0};
    void *cfg = NULL;
    int rc = m->parse(NULL, "/params", &basin_default_limits, &pr, schema, &norm, &cfg);
    ck_assert_msg(rc == 0, "%s: parse of the defaults failed (%d): %s: %s", kind, rc,
                  pr.count ? pr.items[0].pointer : "(no problem)",
                  pr.count ? pr.items[0].message : "");
    m->free_config(cfg);
    json_decref(norm);
    return schema;
}

void mc_check_refusals(const char *kind, const mc_refusal *cases, size_t n)
{
    const basin_model *m = mc_model(kind);
    for (size_t i = 0; i < n; i++) {
        const mc_refusal *c = &cases[i];
        json_t *params = mc_load(c->params);
        basin_problems pr = {.count = 0};
        json_t *norm = (json_t *)&pr; /* sentinels: a refusal must leave them alone */
        void *cfg = &pr;
        int rc = m->parse(params, "/params", &basin_default_limits, &pr, NULL, &norm, &cfg);
        const char *first = pr.count ? pr.items[0].pointer : "-";
        const char *why = pr.count ? pr.items[0].message : "-";
        ck_assert_msg(rc == c->rc, "%s: %s: rc %d, expected %d (%s: %s)", kind, c->params, rc,
                      c->rc, first, why);
        ck_assert_msg(norm == (json_t *)&pr && cfg == (void *)&pr,
                      "%s: %s: refused, yet wrote an out-param", kind, c->params);
        ck_assert_msg(mc_has_problem(&pr, c->pointer), "%s: %s: no problem at %s (first: %s: %s)",
                      kind, c->params, c->pointer, first, why);
        ck_assert_msg(pr.count == 1, "%s: %s: %zu problems, expected 1 (second: %s)", kind,
                      c->params, pr.count, pr.count > 1 ? pr.items[1].pointer : "");
        json_decref(params);
    }
}

void mc_check_problems(const char *kind, const mc_refusal *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const mc_refusal *c = &cases[i];
        basin_problems pr;
        json_t *norm;
        void *cfg;
        int rc = mc_parse_text(kind, c->params, &basin_default_limits, &pr, &norm, &cfg);
        const char *first = pr.count ? pr.items[0].pointer : "none";
        ck_assert_msg(rc == c->rc, "%s: %s: rc %d, expected %d (first: %s %s)", kind, c->params, rc,
                      c->rc, first, pr.count ? pr.items[0].message : "");
        ck_assert_msg(mc_has_problem(&pr, c->pointer), "%s: %s: no problem at %s (first: %s)", kind,
                      c->params, c->pointer, first);
        ck_assert_msg(norm == NULL && cfg == NULL, "%s: %s: refused, yet returned params or config",
                      kind, c->params);
    }
}

/* ---- runs -------------------------------------------------------------------------- */

/* mc_run without dropping params. */
static basin_ctx *run_borrowed(const char *kind, const json_t *params, int *rc)
{
    const basin_model *m = mc_model(kind);
    void *cfg = mc_parse_ok(kind, params, NULL);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    *rc = m->run(cfg, ctx);
    m->free_config(cfg);
    return ctx;
}

basin_ctx *mc_run(const char *kind, json_t *params, int *rc)
{
    basin_ctx *ctx = run_borrowed(kind, params, rc);
    json_decref(params);
    return ctx;
}

basin_ctx *mc_run_ok(const char *kind, json_t *params)
{
    int rc;
    basin_ctx *ctx = run_borrowed(kind, params, &rc);
    if (rc != 0) {
        char quote[PARAMS_QUOTE_MAX];
        ck_abort_msg("%s: run of %s returned %d (%s)%s%s", kind, quote_params(params, quote), rc,
                     basin_errname(rc), ctx->failed ? ": " : "",
                     ctx->failed ? ctx->fail_message : "");
    }
    json_decref(params);
    return ctx;
}

basin_ctx *mc_run_config_ok(const char *kind, const void *config)
{
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    int rc = mc_model(kind)->run(config, ctx);
    ck_assert_msg(rc == 0, "%s: run returned %d (%s)%s%s", kind, rc, basin_errname(rc),
                  ctx->failed ? ": " : "", ctx->failed ? ctx->fail_message : "");
    return ctx;
}

typedef struct stopper {
    basin_ctx *ctx;
    double delay_s;
    double at; /* mc_now_s() just before the request */
} stopper;

static void *stop_later(void *arg)
{
    stopper *st = arg;
    double whole = floor(st->delay_s);
    struct timespec d = {.tv_sec = (time_t)whole, .tv_nsec = (long)((st->delay_s - whole) * 1e9)};
    nanosleep(&d, NULL);
    st->at = mc_now_s();
    run_ctx_request_stop(st->ctx, BASIN_ECANCELLED);
    return NULL;
}

double mc_stop_latency(const char *kind, const void *config, basin_ctx *ctx, double delay_s)
{
    const basin_model *m = mc_model(kind);
    stopper st = {.ctx = ctx, .delay_s = delay_s, .at = 0.0};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, stop_later, &st), 0);
    int rc = m->run(config, ctx);
    double end = mc_now_s();
    pthread_join(th, NULL);
    ck_assert_msg(rc == BASIN_ECANCELLED,
                  "%s: run asked to stop after %.3f s returned %d (%s), not %d (cancelled)", kind,
                  delay_s, rc, basin_errname(rc), BASIN_ECANCELLED);
    return end - st.at;
}

double mc_check_stop(const char *kind, const char *text, double delay_s, double bound_s)
{
    json_t *params = mc_load(text);
    void *cfg = mc_parse_ok(kind, params, NULL);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    double latency = mc_stop_latency(kind, cfg, ctx, delay_s);
    ck_assert_msg(latency < bound_s, "%s: %s: stopped %.3f s after the request (bound %g s)", kind,
                  text, latency, bound_s);
    run_ctx_free(ctx);
    mc_model(kind)->free_config(cfg);
    json_decref(params);
    return latency;
}

/* The on_progress observer of mc_run_stopped_at_progress: `ctx` is the run's context. */
static void stop_on_progress(void *ctx, double fraction)
{
    (void)fraction;
    run_ctx_request_stop(ctx, BASIN_ECANCELLED);
}

/* Runs config against ctx and fails the test unless run() returns BASIN_ECANCELLED;
 * `when` says when the stop was requested. Returns ctx. */
static basin_ctx *run_cancelled(const char *kind, const void *config, basin_ctx *ctx,
                                const char *when)
{
    int rc = mc_model(kind)->run(config, ctx);
    ck_assert_msg(rc == BASIN_ECANCELLED, "%s: run asked to stop %s returned %d (%s), not %d", kind,
                  when, rc, basin_errname(rc), BASIN_ECANCELLED);
    return ctx;
}

basin_ctx *mc_run_stopped_before(const char *kind, const void *config)
{
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    run_ctx_request_stop(ctx, BASIN_ECANCELLED);
    return run_cancelled(kind, config, ctx, "before it started");
}

basin_ctx *mc_run_stopped_at_progress(const char *kind, const void *config)
{
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    ctx->on_progress = stop_on_progress;
    ctx->on_progress_user = ctx;
    return run_cancelled(kind, config, ctx, "at its first progress report");
}

/* ---- what a run produced ------------------------------------------------------------ */

double mc_summary(const basin_ctx *ctx, const char *name)
{
    json_t *v = json_object_get(ctx->summary, name);
    ck_assert_msg(json_is_number(v), "summary %s missing", name);
    return json_number_value(v);
}

long mc_summary_int(const basin_ctx *ctx, const char *name)
{
    json_t *v = json_object_get(ctx->summary, name);
    ck_assert_msg(json_is_integer(v), "summary %s missing", name);
    return (long)json_integer_value(v);
}

const run_series *mc_series(const basin_ctx *ctx, const char *name)
{
    const run_series *s = run_ctx_find_series(ctx, name);
    ck_assert_msg(s != NULL, "series %s missing", name);
    return s;
}

const run_artifact *mc_artifact(const basin_ctx *ctx, const char *name)
{
    const run_artifact *a = run_ctx_find_artifact(ctx, name);
    ck_assert_msg(a != NULL, "artifact %s missing", name);
    return a;
}

bool mc_has_problem(const basin_problems *problems, const char *pointer)
{
    for (size_t i = 0; i < problems->count; i++)
        if (strcmp(problems->items[i].pointer, pointer) == 0)
            return true;
    return false;
}

/* ---- suites ------------------------------------------------------------------------ */

Suite *mc_suite(const char *name, const mc_case *cases, size_t n, double timeout_s)
{
    Suite *s = suite_create(name);
    for (size_t k = 0; k < n; k++) {
        TCase *tc = tcase_create(cases[k].name);
        tcase_set_timeout(tc, timeout_s);
        tcase_add_test(tc, cases[k].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int mc_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
