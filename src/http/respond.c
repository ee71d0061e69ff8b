/*
 * respond.c — response helpers (JSON bodies, RFC 9457 problems) and the JSON rendering
 * of jobs, results and artifact references.
 */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "models/params.h"
#include <strings.h>
#include "util/clock.h"
#include "util/json_text.h"
#include "util/sha256.h"

static const char json_content_type[] = "application/json; charset=utf-8";
static const char problem_type[] = "application/problem+json; charset=utf-8";

void http_raw_take(http_response *res, int status, const char *content_type, char *data, size_t len)
{
    free(res->body);
    res->status = status;
    res->content_type = content_type;
    res->body = data;
    res->body_len = len;
}

void http_raw(http_response *res, int status, const char *content_type, const void *data,
              size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        http_raw_take(res, 500, "text/plain", NULL, 0);
        return;
    }
    memcpy(copy, data, len);
    copy[len] = '\0';
    http_raw_take(res, status, content_type, copy, len);
}

static void set_json(http_response *res, int status, const char *type, json_t *body)
{
    size_t len = 0;
    char *text = body ? json_text(body, &len) : NULL;
    json_decref(body);
    if (!text) {
        http_raw_take(res, 500, problem_type, NULL, 0);
        return;
    }
    http_raw_take(res, status, type, text, len);
}

void http_json(http_response *res, int status, json_t *body)
{
    set_json(res, status, json_content_type, body);
}

void http_json_text(http_response *res, int status, char *text, size_t len)
{
    http_raw_take(res, status, json_content_type, text, len);
}

void http_body_etag(const char *body, size_t len, char out[40])
{
    char hex[65];
    sha256_hex(body, len, hex);
    snprintf(out, 40, "\"%.32s\"", hex);
}

static const char *status_title(int status)
{
    const char *t = MHD_get_reason_phrase_for((unsigned)status);
    return t && *t ? t : "Error";
}

/* Sets the problem body; steals `errors` (may be NULL). */
static void problem_body(http_response *res, int status, const char *code, json_t *errors,
                         const char *detail)
{
    char type[64];
    snprintf(type, sizeof type, "/problems/%s", code);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", status_title(status),
                          "status", status, "detail", detail, "code", code);
    if (errors)
        json_object_set_new(p, "errors", errors);
    set_json(res, status, problem_type, p);
}

void http_problem(http_response *res, int status, const char *code, const basin_problems *problems,
                  const char *fmt, ...)
{
    json_t *errors = NULL;
    if (problems && problems->count) {
        errors = json_array();
        for (size_t i = 0; i < problems->count; i++)
            json_array_append_new(errors,
                                  json_pack("{s:s, s:s}", "pointer", problems->items[i].pointer,
                                            "message", problems->items[i].message));
        if (problems->dropped)
            json_array_append_new(errors, json_pack("{s:s, s:s}", "pointer", "", "message",
                                                    "further problems were not listed"));
    }
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    problem_body(res, status, code, errors, detail);
}

void http_query_problem(http_response *res, const char *parameter, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char detail[320];
    snprintf(detail, sizeof detail, "invalid query parameter %s: %s", parameter, message);
    problem_body(res, 422, "validation",
                 json_pack("[{s:s, s:s}]", "parameter", parameter, "message", message), detail);
}

void http_store_problem(http_response *res, int rc, const char *what)
{
    switch (rc) {
    case BASIN_ENOTFOUND:
        http_problem(res, 404, "not_found", NULL, "%s not found", what);
        break;
    case BASIN_ECONFLICT:
        http_problem(res, 409, "conflict", NULL, "%s is in a state that does not allow this", what);
        break;
    case BASIN_EBUSY:
    case BASIN_EDB:
        http_problem(res, 503, "unavailable", NULL,
                     "the database is unavailable right now; retry shortly");
        res->retry_after_s = 1;
        break;
    case BASIN_ENOMEM:
        http_problem(res, 503, "unavailable", NULL, "out of memory; retry shortly");
        res->retry_after_s = 1;
        break;
    case BASIN_EFULL:
        http_problem(res, 503, "unavailable", NULL,
                     "the database is full; nothing was stored (delete finished jobs or "
                     "raise --max-db-size, then retry)");
        res->retry_after_s = 30;
        break;
    default:
        http_problem(res, 500, "internal", NULL, "internal error");
        break;
    }
}

/* ---- rendering -------------------------------------------------------------------------- */

static json_t *time_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char buf[32];
    clock_format_rfc3339(ms, buf, sizeof buf);
    return json_string(buf);
}

json_t *render_job(const job_row *row)
{
    json_t *job = json_object();
    json_object_set_new(job, "id", json_string(row->id));
    json_object_set_new(job, "kind", json_string(row->kind));
    json_object_set_new(job, "model_version", json_string(row->model_version));
    json_object_set_new(job, "status", json_string(job_status_name(row->status)));
    json_object_set(job, "params", row->params);
    json_object_set_new(job, "priority", json_integer(row->priority));
    json_object_set(job, "labels", row->labels);
    json_object_set_new(job, "attempts", json_integer(row->attempts));
    json_object_set_new(job, "max_attempts", json_integer(row->max_attempts));
    json_object_set_new(job, "timeout_s",
                        row->timeout_s > 0 ? json_real(row->timeout_s) : json_null());
    json_object_set_new(job, "progress", json_real(row->progress));
    json_object_set_new(job, "cancel_requested", json_boolean(row->cancel_requested));
    json_object_set_new(job, "created_at", time_or_null(row->created_at));
    json_object_set_new(job, "started_at", time_or_null(row->started_at));
    json_object_set_new(job, "finished_at", time_or_null(row->finished_at));
    json_object_set_new(job, "run_after", time_or_null(row->run_after));
    /* A queued job may carry the error of an earlier attempt; it is shown as last_error. */
    if (row->error_code[0]) {
        json_t *err =
            json_pack("{s:s, s:s}", "code", row->error_code, "message", row->error_message);
        if (row->has_error_step)
            json_object_set_new(err, "step", json_integer(row->error_step));
        json_object_set_new(job, job_status_final(row->status) ? "error" : "last_error", err);
    }
    if (!json_object_get(job, "error"))
        json_object_set_new(job, "error", json_null());
    json_object_set(job, "summary", row->summary ? row->summary : json_null());
    /* /v1/jobs/{id} and its sub-resources, by copying (a job is rendered per request). */
    static const char *const rel[] = {"self", "result", "series", "artifacts", "events"};
    char buf[160] = "/v1/jobs/";
    size_t base = strlen(buf), id_len = strnlen(row->id, sizeof row->id);
    memcpy(buf + base, row->id, id_len);
    base += id_len;
    json_t *links = json_object();
    for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++) {
        size_t n = base;
        if (k > 0) {
            buf[n++] = '/';
            size_t l = strlen(rel[k]);
            memcpy(buf + n, rel[k], l);
            n += l;
        }
        json_object_set_new(links, rel[k], json_stringn(buf, n));
    }
    json_object_set_new(job, "links", links);
    return job;
}

json_t *render_artifact_ref(const char *job_id, const artifact_info *a)
{
    json_t *shape = json_array();
    for (int d = 0; d < a->ndim; d++)
        json_array_append_new(shape, json_integer(a->shape[d]));
    char href[192];
    snprintf(href, sizeof href, "/v1/jobs/%s/artifacts/%s", job_id, a->name);
    return json_pack("{s:s, s:s, s:o, s:s}", "name", a->name, "dtype", a->dtype, "shape", shape,
                     "href", href);
}

json_t *render_result(const job_row *row, const result_row *result, const artifact_info *artifacts,
                      size_t n_artifacts)
{
    json_t *r = json_object();
    json_object_set_new(r, "job_id", json_string(row->id));
    json_object_set_new(r, "kind", json_string(row->kind));
    json_object_set_new(r, "model_version", json_string(row->model_version));
    json_object_set_new(r, "status", json_string(job_status_name(row->status)));
    json_object_set_new(r, "seed",
                        result && result->has_seed ? json_integer((json_int_t)result->seed)
                                                   : json_null());
    json_object_set_new(r, "summary",
                        result && result->summary ? json_incref(result->summary) : json_object());
    json_object_set_new(r, "values",
                        result && result->values ? json_incref(result->values) : json_object());
    json_t *arts = json_array();
    for (size_t i = 0; i < n_artifacts; i++)
        json_array_append_new(arts, render_artifact_ref(row->id, &artifacts[i]));
    json_object_set_new(r, "artifacts", arts);
    return r;
}

/* ---- request bodies ------------------------------------------------------------------ */

#define MAX_LABELS 32

/* Accepts application/json and any +json type, with parameters such as charset. */
static bool is_json_content_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t len = strcspn(ct, "; ");
    if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return true;
    return len > 5 && strncasecmp(ct + len - 5, "+json", 5) == 0;
}

void http_read_labels(param_reader *r, const json_t *labels)
{
    if (!labels)
        return;
    if (!json_is_object(labels)) {
        params_problem(r, "labels", "must be an object of strings");
        return;
    }
    if (json_object_size(labels) > MAX_LABELS)
        params_problem(r, "labels", "at most %d labels", MAX_LABELS);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)labels, key, value)
    {
        char sub[96];
        snprintf(sub, sizeof sub, "labels/%.64s", key);
        size_t klen = strlen(key);
        if (klen == 0 || klen > 64 || strchr(key, ':') || strchr(key, '/') || strchr(key, '~'))
            params_problem(r, sub, "label keys are 1 to 64 characters without ':', '/', '~'");
        else if (!json_is_string(value) || json_string_length(value) > 256)
            params_problem(r, sub, "label values are strings of at most 256 characters");
    }
}

json_t *http_json_body(const http_request *req, http_response *res)
{
    if (!is_json_content_type(req->header(req, "Content-Type"))) {
        http_problem(res, 415, "unsupported_media_type", NULL,
                     "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    json_error_t jerr;
    json_t *body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body)
        http_problem(res, 400, "invalid_json", NULL, "invalid JSON at line %d, column %d: %s",
                     jerr.line, jerr.column, jerr.text);
    return body;
}

/* ---- text bodies ------------------------------------------------------------------------ */

void http_buf_printf(http_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n =
            vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->data && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->len + (size_t)n + 1)
            ncap *= 2;
        char *p = realloc(b->data, ncap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = ncap;
    }
}

void http_buf_send(http_response *res, http_buf *b, const char *type)
{
    if (b->failed) {
        free(b->data);
        http_problem(res, 503, "unavailable", NULL, "out of memory rendering the response");
        res->retry_after_s = 1;
        return;
    }
    http_raw_take(res, 200, type, b->data ? b->data : calloc(1, 1), b->len);
}
