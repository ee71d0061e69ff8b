/*
 * jobs_api.c — submit, list, get, cancel and delete jobs.
 *
 * Submit validates everything before storing anything: the envelope (kind, priority,
 * labels, …) and the model's params, reporting every problem with its JSON pointer. The
 * 202 is sent only after the job is committed: on an event thread the answer is deferred
 * until the committer has committed it (store_submit_start), on a pool thread store_submit
 * returns after the commit.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/params.h"
#include "job_cache.h"
#include "routes.h"
#include "util/clock.h"
#include "util/json_text.h"
#include "util/sha256.h"

#define MAX_WAIT_S 60.0

/* Waits up to wait_s for job `id` to finish; returns true if it did. */
static bool wait_for_job(app *a, const char *id, double wait_s)
{
    int64_t deadline = clock_mono_ms() + (int64_t)(wait_s * 1000.0);
    for (;;) {
        uint64_t gen = hub_generation(a->hub);
        job_status st;
        if (store_job_status(a->store, id, &st) != 0)
            return false;
        if (job_status_final(st))
            return true;
        int64_t now = clock_mono_ms();
        if (now >= deadline || atomic_load(&a->stopping))
            return false;
        /* Wake at least once a second: a job finished by another process publishes
         * nothing here. */
        hub_wait(a->hub, gen, deadline < now + 1000 ? deadline : now + 1000);
    }
}

/* Parses ?wait=: 0 and *out in [0, 60], or writes a problem and returns -1. */
static int parse_wait(const http_request *req, http_response *res, double *out)
{
    const char *w = req->query(req, "wait");
    *out = 0.0;
    if (!w)
        return 0;
    char *end;
    double v = strtod(w, &end);
    if (end == w || *end || !isfinite(v) || v < 0 || v > MAX_WAIT_S) {
        http_query_problem(res, "wait", "must be a number of seconds in [0, %g]", MAX_WAIT_S);
        return -1;
    }
    *out = v;
    return 0;
}

/* Answers with the job (and, when finished and asked to wait, its result inline). */
static void respond_job(app *a, const char *id, int status, bool with_result, http_response *res)
{
    job_row row;
    int rc = store_get_job(a->store, id, &row);
    if (rc) {
        http_store_problem(res, rc, "job");
        return;
    }
    json_t *job = render_job(&row);
    if (with_result && job_status_final(row.status)) {
        result_row result = {0};
        artifact_info *arts = NULL;
        size_t n_arts = 0;
        bool has = store_get_result(a->store, id, &result) == 0;
        store_list_artifacts(a->store, id, &arts, &n_arts);
        json_object_set_new(job, "result", render_result(&row, has ? &result : NULL, arts, n_arts));
        free(arts);
        result_row_clear(&result);
        status = 200;
    }
    snprintf(res->location, sizeof res->location, "/v1/jobs/%s", id);
    job_row_clear(&row);
    http_json(res, status, job);
}

/* A validated job, ready to store, and what its answer needs after the commit. */
typedef struct prepared_job {
    app *app;
    json_t *body; /* the request; labels point into it */
    json_t *normalized;
    char *params_text; /* normalized as JSON text, made here rather than by the committer */
    const json_t *labels;
    const basin_model *model;
    job_new job;
    char id[ULID_LEN + 1];
    /* A deferred commit (POST without ?wait=): its result and whom to wake. */
    int rc;
    void (*wake)(void *cls);
    void *wake_cls;
} prepared_job;

static void prepared_free(prepared_job *p)
{
    free(p->params_text);
    json_decref(p->normalized);
    json_decref(p->body);
    free(p);
}

/* Validates the envelope (kind, priority, labels, …) and the model's params; returns the
 * job ready to store, or NULL with the problem written to res. */
static prepared_job *prepare_job(const http_request *req, http_response *res)
{
    app *a = req->app;
    json_t *body = http_json_body(req, res);
    if (!body)
        return NULL;
    basin_problems problems = {0};
    param_reader r;
    params_open(&r, body, "", &problems, NULL);
    const json_t *kind = params_raw(&r, "kind", "string");
    const json_t *params = params_raw(&r, "params", "object");
    int priority = (int)params_int(&r, "priority", 0, -1000, 1000);
    int max_attempts = (int)params_int(&r, "max_attempts", 3, 1, 20);
    const json_t *timeout = params_raw(&r, "timeout_s", "number");
    const json_t *labels = params_raw(&r, "labels", "object");
    const json_t *run_after = params_raw(&r, "run_after", "string");

    double timeout_s = 0.0;
    if (timeout && (!json_is_number(timeout) || !(json_number_value(timeout) > 0) ||
                    json_number_value(timeout) > 604800))
        params_problem(&r, "timeout_s", "must be a number of seconds in (0, 604800]");
    else if (timeout)
        timeout_s = json_number_value(timeout);
    int64_t run_after_ms = 0;
    if (run_after && (!json_is_string(run_after) ||
                      clock_parse_rfc3339(json_string_value(run_after), &run_after_ms)))
        params_problem(&r, "run_after", "must be an RFC 3339 time, e.g. 2026-01-02T03:04:05Z");
    http_read_labels(&r, labels);
    if (params && !json_is_object(params))
        params_problem(&r, "params", "must be an object");

    const basin_model *model = NULL;
    if (!kind)
        params_problem(&r, "kind", "is required");
    else if (!json_is_string(kind))
        params_problem(&r, "kind", "must be a string");
    else
        model = basin_model_find(json_string_value(kind));
    params_close(&r, NULL);

    if (kind && json_is_string(kind) && !model) {
        char list[512] = "";
        for (size_t i = 0; i < basin_n_models; i++) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", basin_models[i]->kind);
        }
        basin_problems_add(&problems, "/kind", "unknown kind; known kinds: %s", list);
        http_problem(res, 422, "unknown_kind", &problems, "unknown kind '%.64s'",
                     json_string_value(kind));
        json_decref(body);
        return NULL;
    }
    json_t *normalized = NULL;
    void *config = NULL;
    if (model && (!params || json_is_object(params)) &&
        model->parse(params, "/params", &a->limits, &problems, NULL, &normalized, &config) == 0)
        model->free_config(config);
    if (problems.count || problems.dropped || !normalized) {
        bool limit = problems.over_limit;
        http_problem(res, 422, limit ? "resource_limit" : "validation", &problems,
                     limit ? "the job needs more than the configured limits allow"
                           : "the request has %zu invalid field(s)",
                     problems.count + problems.dropped);
        json_decref(normalized);
        json_decref(body);
        return NULL;
    }
    prepared_job *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(normalized);
        json_decref(body);
        http_store_problem(res, BASIN_ENOMEM, "job");
        return NULL;
    }
    *p = (prepared_job){
        .app = a,
        .body = body,
        .normalized = normalized,
        .labels = labels,
        .model = model,
        .job =
            {
                .kind = model->kind,
                .model_version = model->version,
                .params = normalized,
                .labels = labels,
                .priority = priority,
                .max_attempts = max_attempts,
                .timeout_s = timeout_s,
                .run_after_ms = run_after_ms,
                .created_ms = clock_wall_ms(),
            },
        .rc = BASIN_EBUSY, /* until the commit says otherwise */
    };
    p->params_text = json_text(normalized, NULL);
    p->job.params_text = p->params_text; /* NULL (out of memory): the store writes it */
    return p;
}

/* The 202 for a committed job: the row as committed, rendered from what was stored
 * rather than read back. */
static void respond_queued(const prepared_job *p, http_response *res)
{
    job_row row = {
        .status = JOB_QUEUED,
        .params = json_incref(p->normalized),
        .labels = p->labels ? json_incref((json_t *)p->labels) : json_object(),
        .priority = p->job.priority,
        .max_attempts = p->job.max_attempts,
        .timeout_s = p->job.timeout_s,
        .created_at = p->job.created_ms,
        .run_after = p->job.run_after_ms > 0 ? p->job.run_after_ms : p->job.created_ms,
        .updated_at = p->job.created_ms,
    };
    memcpy(row.id, p->id, sizeof row.id);
    snprintf(row.kind, sizeof row.kind, "%s", p->model->kind);
    snprintf(row.model_version, sizeof row.model_version, "%s", p->model->version);
    snprintf(res->location, sizeof res->location, "/v1/jobs/%s", p->id);
    http_json(res, 202, render_job(&row));
    job_row_clear(&row);
}

/* Validates and stores one job, blocking until it is durable (and, with ?wait=, until it
 * ends); on success writes its id into id_out (else leaves it). */
static void submit_job(const http_request *req, http_response *res, char id_out[ULID_LEN + 1])
{
    app *a = req->app;
    double wait_s;
    if (parse_wait(req, res, &wait_s))
        return;
    prepared_job *p = prepare_job(req, res);
    if (!p)
        return;
    int rc = store_submit(a->store, &p->job, p->id);
    if (rc) {
        http_store_problem(res, rc, "job");
        prepared_free(p);
        return;
    }
    if (a->pool)
        worker_pool_wake(a->pool);
    memcpy(id_out, p->id, sizeof p->id);
    if (wait_s > 0)
        respond_job(a, p->id, 202, wait_for_job(a, p->id, wait_s), res);
    else
        respond_queued(p, res);
    prepared_free(p);
}

/* The deferred submit (http_response.defer_*): queued for the committer, answered when it
 * has committed — no thread waits in between. */
static void commit_done(void *cls, int rc)
{
    prepared_job *p = cls;
    p->rc = rc;
    p->wake(p->wake_cls);
}

static void start_commit(void *cls, void (*wake)(void *), void *wake_cls)
{
    prepared_job *p = cls;
    p->wake = wake;
    p->wake_cls = wake_cls;
    int rc = store_submit_start(p->app->store, &p->job, p->id, commit_done, p);
    if (rc)
        commit_done(p, rc);
}

static void finish_commit(void *cls, http_response *res)
{
    prepared_job *p = cls;
    if (p->rc == 0) {
        if (p->app->pool)
            worker_pool_wake(p->app->pool);
        respond_queued(p, res);
    } else {
        http_store_problem(res, p->rc, "job");
    }
    prepared_free(p);
}

/* Idempotency-Key: the same key with the same body answers the original job again (with
 * Idempotent-Replayed: true) for IDEMPOTENCY_TTL_MS; with another body it is 422; while
 * the first request is still being processed it is 409. Keys are per token. */
#define IDEMPOTENCY_TTL_MS (24LL * 3600 * 1000)

int api_submit_job(const http_request *req, http_response *res)
{
    char id[ULID_LEN + 1] = "";
    const char *key = req->header(req, "Idempotency-Key");
    bool blocks = key || req->query(req, "wait");
    if (blocks && req->on_event_thread) {
        res->needs_thread = true; /* the idempotency record and ?wait= block */
        return 0;
    }
    if (!key && req->on_event_thread) {
        prepared_job *p = prepare_job(req, res);
        if (p) {
            res->defer_start = start_commit;
            res->defer_finish = finish_commit;
            res->defer_cls = p;
        }
        return 0;
    }
    if (!key) {
        submit_job(req, res, id);
        return 0;
    }
    size_t len = strlen(key);
    bool printable = len >= 1 && len <= 255;
    for (size_t i = 0; printable && i < len; i++)
        printable = key[i] > 32 && key[i] < 127;
    if (!printable) {
        http_query_problem(res, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
        return 0;
    }
    char hash[65];
    sha256_hex(req->body, req->body_len, hash);
    idem_state state;
    int rc =
        store_idem_begin(req->app->store, req->token_id, key, hash, IDEMPOTENCY_TTL_MS, &state, id);
    if (rc) {
        http_store_problem(res, rc, "idempotency record");
        return 0;
    }
    switch (state) {
    case IDEM_REPLAY:
        respond_job(req->app, id, 202, false, res);
        res->replayed = true;
        break;
    case IDEM_INFLIGHT:
        http_problem(res, 409, "conflict", NULL,
                     "a request with this Idempotency-Key is still being processed");
        break;
    case IDEM_MISMATCH:
        http_query_problem(res, "Idempotency-Key",
                           "was used with a different request body in the last 24 hours");
        break;
    case IDEM_NEW:
        submit_job(req, res, id);
        if (id[0])
            store_idem_finish(req->app->store, req->token_id, key, id);
        else
            store_idem_abort(req->app->store, req->token_id, key);
        break;
    }
    return 0;
}

int api_get_job(const http_request *req, http_response *res)
{
    const char *id = req->path_params[0];
    if (!ulid_valid(id)) {
        http_problem(res, 404, "not_found", NULL, "job not found");
        return 0;
    }
    /* A finished job is served from the cache of rendered bodies when the row has not
     * changed since it was rendered (see job_cache.h). */
    app *a = req->app;
    job_version version;
    int rc = store_job_version(a->store, id, &version);
    if (rc) {
        http_store_problem(res, rc, "job");
        return 0;
    }
    bool cacheable = job_status_final(version.status) && a->job_cache;
    char *body;
    size_t len;
    if (cacheable && job_cache_get(a->job_cache, &version, &body, &len, res->etag)) {
        http_json_text(res, 200, body, len);
        snprintf(res->location, sizeof res->location, "/v1/jobs/%s", id);
        return 0;
    }
    respond_job(a, id, 200, false, res);
    /* A final row never changes again but for deletion, so what was just read is this
     * version's representation. */
    if (cacheable && res->status == 200 && res->body) {
        http_body_etag(res->body, res->body_len, res->etag);
        job_cache_put(a->job_cache, &version, res->body, res->body_len, res->etag);
    }
    return 0;
}

int api_cancel_job(const http_request *req, http_response *res)
{
    app *a = req->app;
    const char *id = req->path_params[0];
    job_row row;
    int rc = ulid_valid(id) ? store_cancel(a->store, id, &row) : BASIN_ENOTFOUND;
    if (rc == BASIN_ECONFLICT) {
        http_problem(res, 409, "conflict", NULL, "the job has already finished");
        return 0;
    }
    if (rc) {
        http_store_problem(res, rc, "job");
        return 0;
    }
    if (row.status == JOB_RUNNING && a->pool)
        worker_pool_cancel(a->pool, id);
    hub_publish(a->hub, id);
    http_json(res, 200, render_job(&row));
    job_row_clear(&row);
    return 0;
}

int api_delete_job(const http_request *req, http_response *res)
{
    const char *id = req->path_params[0];
    int rc = ulid_valid(id) ? store_delete_job(req->app->store, id) : BASIN_ENOTFOUND;
    if (rc == BASIN_ECONFLICT) {
        http_problem(res, 409, "conflict", NULL,
                     "the job is queued or running: cancel it first, then delete it");
        return 0;
    }
    if (rc) {
        http_store_problem(res, rc, "job");
        return 0;
    }
    http_raw_take(res, 204, NULL, NULL, 0);
    return 0;
}

/* ---- GET /v1/jobs ------------------------------------------------------------------- */

typedef struct list_query {
    job_filter f;
    where_expr where;
    where_field order;
    char label_buf[16][384];
    const char *bad; /* the first parameter that failed */
    char bad_message[160];
} list_query;

static void add_status(void *user, const char *value)
{
    list_query *q = user;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", value);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        job_status st;
        if (job_status_parse(tok, &st) == 0) {
            q->f.status_mask |= 1u << st;
        } else if (!q->bad) {
            q->bad = "status";
            snprintf(q->bad_message, sizeof q->bad_message,
                     "must be queued, running, succeeded, failed or cancelled");
        }
    }
}

static void add_label(void *user, const char *value)
{
    list_query *q = user;
    const char *colon = strchr(value, ':');
    if (!colon || colon == value || q->f.n_labels >= 16 || strlen(value) >= 384) {
        if (!q->bad) {
            q->bad = "label";
            snprintf(q->bad_message, sizeof q->bad_message,
                     "must be key:value (at most 16 label filters)");
        }
        return;
    }
    char *buf = q->label_buf[q->f.n_labels];
    snprintf(buf, 384, "%s", value);
    buf[colon - value] = '\0';
    q->f.label_keys[q->f.n_labels] = buf;
    q->f.label_values[q->f.n_labels] = buf + (colon - value) + 1;
    q->f.n_labels++;
}

int api_list_jobs(const http_request *req, http_response *res)
{
    list_query q = {.f = {.limit = 100}};
    req->query_all(req, "status", add_status, &q);
    req->query_all(req, "label", add_label, &q);
    if (q.bad) {
        http_query_problem(res, q.bad, "%s", q.bad_message);
        return 0;
    }
    q.f.kind = req->query(req, "kind");
    const char *limit = req->query(req, "limit");
    if (limit) {
        char *end;
        long v = strtol(limit, &end, 10);
        if (end == limit || *end || v < 1 || v > 1000) {
            http_query_problem(res, "limit", "must be an integer in [1, 1000]");
            return 0;
        }
        q.f.limit = (int)v;
    }
    q.f.cursor = req->query(req, "cursor");
    char err[400];
    const char *where = req->query(req, "where");
    if (where) {
        if (where_parse(where, &q.where, err, sizeof err)) {
            http_query_problem(res, "where", "%s", err);
            return 0;
        }
        q.f.where = &q.where;
    }
    const char *order = req->query(req, "order");
    if (order) {
        q.f.order_desc = order[0] == '-';
        if (where_parse_field(order + (order[0] == '-' || order[0] == '+'), &q.order, err,
                              sizeof err)) {
            http_query_problem(res, "order", "%s", err);
            return 0;
        }
        q.f.order = &q.order;
    }
    const char *since = req->query(req, "since"), *until = req->query(req, "until");
    if (since && clock_parse_rfc3339(since, &q.f.since_ms)) {
        http_query_problem(res, "since", "must be an RFC 3339 time");
        return 0;
    }
    if (until && clock_parse_rfc3339(until, &q.f.until_ms)) {
        http_query_problem(res, "until", "must be an RFC 3339 time");
        return 0;
    }
    job_row *rows = NULL;
    size_t n = 0;
    char next[STORE_CURSOR_MAX];
    int rc = store_list_jobs(req->app->store, &q.f, &rows, &n, next);
    if (rc == BASIN_EINVAL) {
        http_query_problem(res, "cursor", "is not a cursor this server returned for this order");
        return 0;
    }
    if (rc == BASIN_ELIMIT) {
        http_query_problem(res, "where", "the query is too large; simplify the expression");
        return 0;
    }
    if (rc) {
        http_store_problem(res, rc, "jobs");
        return 0;
    }
    json_t *jobs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(jobs, render_job(&rows[i]));
        job_row_clear(&rows[i]);
    }
    free(rows);
    http_json(res, 200,
              json_pack("{s:o, s:o}", "jobs", jobs, "next_cursor",
                        next[0] ? json_string(next) : json_null()));
    return 0;
}
