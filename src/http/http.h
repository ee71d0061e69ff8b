/*
 * http.h — what every handler sees: the request, the response it fills, the app state,
 * and helpers for JSON bodies and RFC 9457 problems.
 *
 * Handlers never touch libmicrohttpd or SQL directly: they read `http_request`, call the
 * store and the worker pool, and fill `http_response`, which the server sends.
 */
#ifndef BASIN_HTTP_HTTP_H
#define BASIN_HTTP_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "basin/model.h"
#include "store/store.h"
#include "worker/hub.h"
#include "worker/pool.h"

typedef struct app {
    store *store;
    hub *hub;
    worker_pool *pool;
    basin_limits limits;
    size_t max_body; /* bytes */
    atomic_bool stopping;
    /* Tokens: once any token exists every route but health needs one. Re-read from the
     * store at most every AUTH_RECHECK_MS, so `basin token create` takes effect live. */
    atomic_bool auth_required;
    atomic_llong auth_checked_ms; /* clock_mono_ms() of the last check; 0: never */
    atomic_int event_streams;     /* open SSE streams (bounded by MAX_EVENT_STREAMS) */
    const char *cors_origin;      /* Access-Control-Allow-Origin for browsers, or NULL */
    struct job_cache *job_cache;  /* rendered finished jobs, or NULL (see job_cache.h) */
} app;

#define HTTP_MAX_PATH_PARAMS 4

typedef struct http_request {
    app *app;
    const char *method;
    const char *path;
    const char *body; /* NUL-terminated; "" when none */
    size_t body_len;
    const char *path_params[HTTP_MAX_PATH_PARAMS]; /* the {…} segments, in order */
    char path_buf[512];                            /* storage of path_params */
    /* Query and header look-up, backed by the server. NULL when absent. */
    const char *(*query)(const struct http_request *req, const char *name);
    const char *(*header)(const struct http_request *req, const char *name);
    /* Calls fn for every value of a repeated query parameter; returns how many. */
    int (*query_all)(const struct http_request *req, const char *name,
                     void (*fn)(void *user, const char *value), void *user);
    void *conn;                  /* the server's connection handle */
    char token_id[ULID_LEN + 1]; /* the authenticated token's id; "" without tokens */
    bool on_event_thread;        /* the handler must not block (see route.runs_inline) */
} http_request;

typedef struct http_response {
    int status;
    char *body; /* malloc'd; freed by the server */
    size_t body_len;
    const char *content_type; /* static string */
    char location[128];
    char allow[64];
    char content_disposition[128];
    int retry_after_s;     /* 0: no header */
    bool bearer_challenge; /* add WWW-Authenticate: Bearer (401) */
    bool replayed;         /* add Idempotent-Replayed: true */
    char etag[40];         /* set by the server for cacheable reads */
    char request_id[40];   /* X-Request-Id: the client's (sanitised) or a new one */
    const app *app;        /* for headers every answer carries */
    char cors_methods[64]; /* a CORS preflight's Access-Control-Allow-Methods */
    /* A streamed body instead of `body` (server-sent events): the server calls stream()
     * for more bytes until it returns -1 (end); 0 means nothing yet, and the server calls
     * again after the next published job change or within a second. stream_free() when
     * the connection ends. */
    long (*stream)(void *cls, char *buf, size_t max);
    void (*stream_free)(void *cls);
    void *stream_cls;
    /* An answer that comes later without holding a thread (a submit waiting for its
     * commit): the server parks the connection and calls defer_start(defer_cls, wake,
     * wake_cls), which arranges for wake(wake_cls) to be called exactly once, from any
     * thread; then, back on its own thread, defer_finish(defer_cls, res) writes the answer
     * and frees defer_cls. */
    void (*defer_start)(void *cls, void (*wake)(void *wake_cls), void *wake_cls);
    void (*defer_finish)(void *cls, struct http_response *res);
    void *defer_cls;
    /* Set by a handler called on an event thread (req->on_event_thread) that finds it
     * must block after all: the server runs it again on a thread that may. */
    bool needs_thread;
} http_response;

typedef int (*http_handler)(const http_request *req, http_response *res);

/* Sets a JSON body (steals `body`) with the given status. */
void http_json(http_response *res, int status, json_t *body);
/* Sets a body that is already JSON text (malloc'd, NUL-terminated; taken over). */
void http_json_text(http_response *res, int status, char *text, size_t len);
/* The strong entity tag of a body: a quoted prefix of its SHA-256. */
void http_body_etag(const char *body, size_t len, char out[40]);
/* Sets a raw body (copied) with a static content type. */
void http_raw(http_response *res, int status, const char *content_type, const void *data,
              size_t len);
/* Sets a raw body, taking ownership of the malloc'd `data`. */
void http_raw_take(http_response *res, int status, const char *content_type, char *data,
                   size_t len);
/* RFC 9457 problem: type "/problems/<code>", title from the status, detail (printf-style),
 * and the problems list (may be NULL) as "errors". */
void http_problem(http_response *res, int status, const char *code, const basin_problems *problems,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A problem for a store error code (not found → 404, busy → 503 with Retry-After, …). */
void http_store_problem(http_response *res, int rc, const char *what);
/* A problem about one query parameter: 422 validation with errors [{parameter, message}]. */
void http_query_problem(http_response *res, const char *parameter, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The request body as JSON (new reference), or NULL having answered 415 (not JSON) or
 * 400 (invalid JSON, with line and column). */
json_t *http_json_body(const http_request *req, http_response *res);

struct param_reader;
/* Checks a `labels` object (≤ 32 string pairs; keys 1–64 chars without ':', '/', '~';
 * values ≤ 256 chars), recording problems under "labels/<key>". NULL is fine. */
void http_read_labels(struct param_reader *r, const json_t *labels);

/* A growable text body (CSV): printf into it, then send it. A failed allocation is
 * remembered and answered as 503 by http_buf_send. */
typedef struct http_buf {
    char *data;
    size_t len, cap;
    bool failed;
} http_buf;

void http_buf_printf(http_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends b as a 200 body of `type`, taking its memory. */
void http_buf_send(http_response *res, http_buf *b, const char *type);

/* JSON rendering of store rows (new references). */
json_t *render_job(const job_row *row);
json_t *render_result(const job_row *row, const result_row *result, const artifact_info *artifacts,
                      size_t n_artifacts);
json_t *render_artifact_ref(const char *job_id, const artifact_info *a);

#endif
