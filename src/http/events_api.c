/*
 * events_api.c — server-sent events: GET /v1/jobs/{id}/events (one job) and GET /v1/events
 * (every job, for dashboards).
 *
 * A stream follows jobs in (updated_at, id) order: each change is an event whose `id:` is
 * that position, so a client that reconnects with Last-Event-ID continues exactly after
 * the last change it saw. Events: `status` (the job, when its status changed), `progress`
 * (the job, when only its progress moved), and on a job's own stream `series` (the last
 * point of each series) when it finishes, after which that stream ends. The server calls
 * the stream again on every published change and at least once a second (progress comes
 * from heartbeats), and it sends a `: keep-alive` comment every 15 s. At most MAX_EVENT_STREAMS
 * streams are open at once (503 beyond).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "util/clock.h"
#include "util/json_text.h"

#define MAX_EVENT_STREAMS 64
#define KEEPALIVE_MS      15000
#define BATCH             100

typedef struct event_stream {
    app *app;
    char job_id[ULID_LEN + 1]; /* "" for every job */
    int64_t after_ms;          /* position: the last change sent */
    char after_id[ULID_LEN + 1];
    json_t *last_status; /* job id → status last sent (to tell status from progress) */
    char *pending;       /* formatted events not yet handed to the server */
    size_t pending_len, pending_off;
    int64_t last_write_ms;
    bool finished; /* single-job stream: the job is final and was sent */
} event_stream;

static void stream_free(void *cls)
{
    event_stream *es = cls;
    atomic_fetch_sub(&es->app->event_streams, 1);
    json_decref(es->last_status);
    free(es->pending);
    free(es);
}

static void append(event_stream *es, const char *text)
{
    size_t n = strlen(text);
    char *p = realloc(es->pending, es->pending_len + n + 1);
    if (!p)
        return;
    memcpy(p + es->pending_len, text, n + 1);
    es->pending = p;
    es->pending_len += n;
}

static void append_event(event_stream *es, const char *type, const char *id, json_t *data)
{
    char *json = json_text(data, NULL);
    json_decref(data);
    if (!json)
        return;
    size_t cap = strlen(json) + strlen(id) + strlen(type) + 32;
    char *text = malloc(cap);
    if (text) {
        snprintf(text, cap, "id: %s\nevent: %s\ndata: %s\n\n", id, type, json);
        append(es, text);
        free(text);
    }
    free(json);
}

/* The last point of every series of a finished job, as {name: {step, value}}. */
static json_t *series_tail(app *a, const char *id)
{
    series_data *sd = NULL;
    size_t n = 0;
    json_t *tail = json_object();
    if (store_get_series(a->store, id, NULL, 0, &sd, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if (sd[i].n)
                json_object_set_new(tail, sd[i].name,
                                    json_pack("{s:I, s:f}", "step",
                                              (json_int_t)sd[i].step[sd[i].n - 1], "value",
                                              sd[i].value[sd[i].n - 1]));
        series_data_free(sd, n);
    }
    return tail;
}

/* Reads the changes after the stream's position into pending events. */
static void poll_changes(event_stream *es)
{
    job_row *rows = NULL;
    size_t n = 0;
    if (store_jobs_changed(es->app->store, es->job_id[0] ? es->job_id : NULL, es->after_ms,
                           es->after_id, BATCH, &rows, &n))
        return;
    for (size_t i = 0; i < n; i++) {
        job_row *r = &rows[i];
        char id[64];
        snprintf(id, sizeof id, "%lld-%s", (long long)r->updated_at, r->id);
        const char *status = job_status_name(r->status);
        const char *before = json_string_value(json_object_get(es->last_status, r->id));
        bool status_changed = !before || strcmp(before, status) != 0;
        if (es->job_id[0] || status_changed || r->status == JOB_RUNNING) {
            append_event(es, status_changed ? "status" : "progress", id, render_job(r));
            if (!es->job_id[0] && job_status_final(r->status))
                json_object_del(es->last_status, r->id); /* bounded: only live jobs kept */
            else
                json_object_set_new(es->last_status, r->id, json_string(status));
        }
        if (es->job_id[0] && job_status_final(r->status)) {
            append_event(es, "series", id, series_tail(es->app, r->id));
            es->finished = true;
        }
        es->after_ms = r->updated_at;
        memcpy(es->after_id, r->id, sizeof es->after_id);
        job_row_clear(r);
    }
    free(rows);
}

static long stream_read(void *cls, char *buf, size_t max)
{
    event_stream *es = cls;
    for (;;) {
        if (es->pending_off < es->pending_len) {
            size_t n = es->pending_len - es->pending_off;
            if (n > max)
                n = max;
            memcpy(buf, es->pending + es->pending_off, n);
            es->pending_off += n;
            if (es->pending_off == es->pending_len) {
                es->pending_len = es->pending_off = 0;
            }
            es->last_write_ms = clock_mono_ms();
            return (long)n;
        }
        if (es->finished || atomic_load(&es->app->stopping))
            return -1;
        poll_changes(es);
        if (es->pending_len)
            continue;
        if (clock_mono_ms() - es->last_write_ms >= KEEPALIVE_MS) {
            append(es, ": keep-alive\n\n");
            continue;
        }
        return 0; /* nothing yet: the server calls again after the next change */
    }
}

/* Opens a stream for job_id ("" for all) from Last-Event-ID, or from now (all jobs) /
 * from the start (one job). */
static int open_stream(const http_request *req, http_response *res, const char *job_id)
{
    app *a = req->app;
    if (atomic_fetch_add(&a->event_streams, 1) >= MAX_EVENT_STREAMS) {
        atomic_fetch_sub(&a->event_streams, 1);
        http_problem(res, 503, "unavailable", NULL, "too many open event streams (%d)",
                     MAX_EVENT_STREAMS);
        res->retry_after_s = 5;
        return 0;
    }
    event_stream *es = calloc(1, sizeof *es);
    if (!es) {
        atomic_fetch_sub(&a->event_streams, 1);
        http_store_problem(res, BASIN_ENOMEM, "stream");
        return 0;
    }
    es->app = a;
    es->last_status = json_object();
    snprintf(es->job_id, sizeof es->job_id, "%s", job_id);
    es->last_write_ms = clock_mono_ms();
    const char *last = req->header(req, "Last-Event-ID");
    long long ms = 0;
    char id[ULID_LEN + 1] = "";
    if (last && sscanf(last, "%lld-%26s", &ms, id) == 2 && ulid_valid(id)) {
        es->after_ms = ms;
        memcpy(es->after_id, id, sizeof id);
    } else if (!job_id[0]) {
        es->after_ms = clock_wall_ms(); /* the all-jobs stream starts with what happens next */
    }
    res->status = 200;
    res->stream = stream_read;
    res->stream_free = stream_free;
    res->stream_cls = es;
    return 0;
}

int api_job_events(const http_request *req, http_response *res)
{
    const char *id = req->path_params[0];
    job_status st;
    int rc = ulid_valid(id) ? store_job_status(req->app->store, id, &st) : BASIN_ENOTFOUND;
    if (rc) {
        http_store_problem(res, rc, "job");
        return 0;
    }
    return open_stream(req, res, id);
}

int api_events(const http_request *req, http_response *res)
{
    return open_stream(req, res, "");
}
