/*
 * model_check.h — the harness the model unit suites (tests/unit/test_<model>.c) share.
 *
 * A suite drives its model as the worker does: parse() with the default limits, then
 * run() against an in-memory run context (models/run_ctx.h). These helpers do the
 * bookkeeping around those calls so that a test states only what it checks. A helper
 * that drives a model takes it by its registry kind ("ssm", "ising", ...) and, where a
 * step must succeed, fails the running Check test with a message naming the kind, the
 * params and the first problem (or the run's code).
 *
 * Ownership: params are borrowed unless a contract says "stolen" (then the helper drops
 * the reference once it has run them); a returned context is the caller's (run_ctx_free),
 * a returned config too (mc_model(kind)->free_config), a returned JSON object too
 * (json_decref). Series and artifacts are borrowed from their context.
 *
 * Only for tests: the helpers abort the test (ck_assert) instead of returning errors.
 */
#ifndef BASIN_TESTS_MODEL_CHECK_H
#define BASIN_TESTS_MODEL_CHECK_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "basin/model.h"
#include "models/run_ctx.h"

/* ---- models and params ------------------------------------------------------------- */

/* The registry entry of `kind`; fails the test when basin knows no such kind. */
const basin_model *mc_model(const char *kind);

/* Seconds on the monotonic clock (for latencies and timings). */
double mc_now_s(void);

/* Parses a JSON text written by the test; fails the test, quoting the text, when it is
 * not JSON. Returns a new reference. */
json_t *mc_load(const char *text);

/* Calls kind's parse() on params (borrowed; NULL means {}) with `limits`, pointers under
 * "/params" and no schema, after clearing *problems and setting *normalized and *config
 * to NULL. Returns parse()'s code; the out-params are then as parse() left them. For
 * tests of refusals; mc_parse_ok for params that must be accepted. */
int mc_parse(const char *kind, const json_t *params, const basin_limits *limits,
             basin_problems *problems, json_t **normalized, void **config);

/* mc_parse on the params in a JSON text (mc_load), which it drops after parsing. */
int mc_parse_text(const char *kind, const char *text, const basin_limits *limits,
                  basin_problems *problems, json_t **normalized, void **config);

/* Parses params (borrowed) with basin_default_limits and returns the config (free with
 * mc_model(kind)->free_config). Writes the normalised params (a new reference) to
 * *normalized when that is not NULL, else drops them. Fails the test with the kind, the
 * params, the code and the first problem's pointer and message when parse() refuses. */
void *mc_parse_ok(const char *kind, const json_t *params, json_t **normalized);

/* Parses params (borrowed) as mc_parse_ok does, then parses the normalised params again
 * and fails the test unless they are accepted and normalise to themselves (the worker
 * re-parses stored params). Returns the normalised params (a new reference). */
json_t *mc_check_reparses(const char *kind, const json_t *params);

/* The JSON Schema kind's parse() describes its params with (a new reference), written
 * while parsing the default params (NULL), which must succeed. */
json_t *mc_schema(const char *kind);

/* A params text a model must refuse, and how. */
typedef struct mc_refusal {
    const char *params;  /* JSON text */
    const char *pointer; /* the one problem's pointer, "/params/..." */
    int rc;              /* BASIN_EINVAL, or BASIN_ELIMIT for work over the limits */
} mc_refusal;

/* Checks the params contract's refusal for each of cases[0..n): parse() with
 * basin_default_limits returns the case's rc, reports exactly one problem, at the case's
 * pointer, and writes neither *normalized nor *config. Fails the test at the first case
 * that differs, naming the kind, the params and the problems reported. */
void mc_check_refusals(const char *kind, const mc_refusal *cases, size_t n);

/* A looser check of the same cases, for models whose refusals may report several
 * problems: parse() (mc_parse_text, basin_default_limits) returns the case's rc, one of
 * the problems is at the case's pointer, and *normalized and *config stay NULL. */
void mc_check_problems(const char *kind, const mc_refusal *cases, size_t n);

/* ---- runs -------------------------------------------------------------------------- */

/* Parses params (stolen) as mc_parse_ok does, runs the config against a new context with
 * basin_default_limits and frees the config. Writes run()'s code to *rc and returns the
 * context (run_ctx_free), whatever the code: for runs expected to fail or stop. */
basin_ctx *mc_run(const char *kind, json_t *params, int *rc);

/* As mc_run (params stolen), but the run must return 0: otherwise fails the test with the
 * kind, the params, the code and the context's failure message, if any. */
basin_ctx *mc_run_ok(const char *kind, json_t *params);

/* Runs config (borrowed, from kind's parse()) against a new context with
 * basin_default_limits; the run must return 0, else the test fails with the kind, the
 * code and the context's failure message, if any. Returns the context (run_ctx_free). */
basin_ctx *mc_run_config_ok(const char *kind, const void *config);

/* Runs config (borrowed, from kind's parse()) against ctx (borrowed) while another thread
 * sleeps `delay_s` seconds and then asks the run to stop (BASIN_ECANCELLED). Fails the
 * test unless run() returns BASIN_ECANCELLED; returns the seconds from the request to
 * run() returning, for the caller to bound. */
double mc_stop_latency(const char *kind, const void *config, basin_ctx *ctx, double delay_s);

/* Parses the JSON text (which must be accepted), runs it as mc_stop_latency does and
 * fails the test unless run() returned within `bound_s` seconds of the request. Frees
 * what it made; returns the latency (for the test to print). */
double mc_check_stop(const char *kind, const char *text, double delay_s, double bound_s);

/* Runs config (borrowed) against a new context whose stop (BASIN_ECANCELLED) is requested
 * before run() starts; fails the test unless run() returns BASIN_ECANCELLED. Returns the
 * context (run_ctx_free) for further checks. */
basin_ctx *mc_run_stopped_before(const char *kind, const void *config);

/* As mc_run_stopped_before, with the stop requested at the run's first progress report. */
basin_ctx *mc_run_stopped_at_progress(const char *kind, const void *config);

/* ---- what a run produced ------------------------------------------------------------ */

/* Summary scalar `name` of ctx; fails the test when it is missing or not a number (an
 * integer summary is returned as a double). */
double mc_summary(const basin_ctx *ctx, const char *name);

/* Summary scalar `name` of ctx; fails the test when it is missing or not an integer. */
long mc_summary_int(const basin_ctx *ctx, const char *name);

/* Series `name` of ctx (borrowed); fails the test when the run recorded none. */
const run_series *mc_series(const basin_ctx *ctx, const char *name);

/* Artifact `name` of ctx (borrowed); fails the test when the run recorded none. */
const run_artifact *mc_artifact(const basin_ctx *ctx, const char *name);

/* Whether some problem of `problems` is at exactly `pointer` ("/params/n"). */
bool mc_has_problem(const basin_problems *problems, const char *pointer);

/* ---- suites ------------------------------------------------------------------------ */

/* One test and the name of the test case that holds it alone. */
typedef struct mc_case {
    const char *name;
    const TTest *test;
} mc_case;

/* A new suite `name` with one test case per entry of cases[0..n), in order, each with a
 * timeout of `timeout_s` seconds. Names may repeat (cases of one group). */
Suite *mc_suite(const char *name, const mc_case *cases, size_t n, double timeout_s);

/* Runs every test of `suite` (taken and freed) with CK_NORMAL output; returns
 * EXIT_SUCCESS when none failed, else EXIT_FAILURE: the value for main() to return. */
int mc_run_suite(Suite *suite);

#endif
