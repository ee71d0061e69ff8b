/*
 * server.c — libmicrohttpd glue (see server.h).
 *
 * Threads: a few event threads (MHD's thread pool, epoll) read and write every connection
 * and never block. A request whose route runs inline (quick reads) is answered on the
 * spot; a submit is validated on the spot and its connection parked until the committer
 * thread has made the job durable (http_response.defer_*); any other request parks its
 * connection and runs on a pool thread (offload.h), where it may block — ?wait= holds its
 * request while the job runs. An event stream with nothing to send parks too, and the
 * event pump thread wakes parked streams on every published job change and every second.
 * Limits: the URL and headers must fit the per-connection memory (MHD answers 414/431
 * beyond it), the body is capped at app->max_body (413, checked against Content-Length
 * before reading, and while reading).
 */
#include "server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "offload.h"
#include "routes.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define EVENT_THREADS_MAX 4

typedef struct stream_conn stream_conn;

struct http_server {
    struct MHD_Daemon *daemon;
    app *app;
    uint16_t port;
    offload *offload; /* threads for handlers that may block */
    /* `lock` guards the parked streams, and orders the admission of parked requests after
     * `stopping` (set under it): once it is set nothing new is parked, so stop can wait
     * for what is. */
    pthread_mutex_t lock;
    atomic_bool stopping;
    stream_conn *parked; /* event streams waiting for something to send */
    atomic_int deferred; /* parked requests whose wake has not come yet */
    pthread_t pump;
    bool pump_started;
};

/* Where a request is: its body is arriving (or it is being answered on the spot), or it
 * is parked while it runs elsewhere. */
typedef enum request_phase { PHASE_READING, PHASE_PARKED } request_phase;

/* Per-request state, kept across the access handler's calls while the body arrives and
 * while the request is parked. */
typedef struct request_state {
    char *body;
    size_t len, cap;
    bool too_large;
    size_t announced;   /* Content-Length, when given: the body buffer's first size */
    int64_t started_ms; /* clock_mono_ms() at the first call, for the request log */
    request_phase phase;
    http_server *server;
    struct MHD_Connection *conn;
    const route *route; /* the route to run, or NULL when answered without one */
    int route_index;    /* for the metrics: the matched route, or -1 */
    http_request req;
    http_response res;
} request_state;

int http_parse_listen(const char *listen, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return BASIN_EINVAL;
    const char *h = listen;
    size_t hlen = (size_t)(colon - listen);
    if (h[0] == '[') {
        if (hlen < 3 || h[hlen - 1] != ']')
            return BASIN_EINVAL;
        h++;
        hlen -= 2;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535 || hlen >= cap)
        return BASIN_EINVAL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static const char *lookup_query(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *lookup_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

typedef struct query_iter {
    const char *name;
    void (*fn)(void *user, const char *value);
    void *user;
    int count;
} query_iter;

static enum MHD_Result visit_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    query_iter *it = cls;
    if (key && strcmp(key, it->name) == 0) {
        it->fn(it->user, value ? value : "");
        it->count++;
    }
    return MHD_YES;
}

static int lookup_query_all(const http_request *req, const char *name,
                            void (*fn)(void *user, const char *value), void *user)
{
    query_iter it = {name, fn, user, 0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, visit_query, &it);
    return it.count;
}

/* Headers every answer carries: CORS for the configured origin, and the request id. */
static void common_headers(struct MHD_Response *r, const app *a, const char *request_id)
{
    if (a->cors_origin) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", a->cors_origin);
        MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                "Location, ETag, Retry-After, Idempotent-Replayed, X-Request-Id");
        MHD_add_response_header(r, "Vary", "Origin");
    }
    MHD_add_response_header(r, "X-Request-Id", request_id);
}

/* An event stream's connection: the handler's stream and where it is parked. */
struct stream_conn {
    http_response res;
    http_server *server;
    struct MHD_Connection *conn;
    stream_conn *prev, *next; /* in server->parked while parked */
    bool parked;
};

static void unpark_locked(http_server *s, stream_conn *sc)
{
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        s->parked = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    sc->prev = sc->next = NULL;
    sc->parked = false;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_conn *sc = cls;
    http_server *s = sc->server;
    long n = atomic_load(&s->stopping) ? -1 : sc->res.stream(sc->res.stream_cls, buf, max);
    if (n != 0)
        return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
    /* Nothing yet: park until the pump wakes this stream (next change, or a second). */
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->stopping)) {
        pthread_mutex_unlock(&s->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    MHD_suspend_connection(sc->conn);
    sc->parked = true;
    sc->next = s->parked;
    if (s->parked)
        s->parked->prev = sc;
    s->parked = sc;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* A parked stream's connection is suspended and cannot end: the pump (or stop) resumes
 * it first, so a stream that ends is never in the parked list. */
static void stream_done(void *cls)
{
    stream_conn *sc = cls;
    sc->res.stream_free(sc->res.stream_cls);
    free(sc);
}

/* Resumes every parked stream; each then looks for something to send. */
static void wake_streams(http_server *s)
{
    pthread_mutex_lock(&s->lock);
    while (s->parked) {
        stream_conn *sc = s->parked;
        unpark_locked(s, sc);
        MHD_resume_connection(sc->conn);
    }
    pthread_mutex_unlock(&s->lock);
}

/* The event pump: wakes parked streams on every published job change, and at least once
 * a second (progress arrives with heartbeats, which publish nothing). */
static void *pump_main(void *arg)
{
    http_server *s = arg;
    for (;;) {
        uint64_t gen = hub_generation(s->app->hub);
        if (atomic_load(&s->stopping))
            break;
        hub_wait(s->app->hub, gen, clock_mono_ms() + 1000);
        wake_streams(s);
    }
    return NULL;
}

/* A streamed answer (server-sent events): MHD pulls from it until the stream ends, so the
 * response state moves to the heap and is freed by stream_done. */
static enum MHD_Result send_stream(http_server *s, struct MHD_Connection *conn, http_response *res)
{
    stream_conn *sc = calloc(1, sizeof *sc);
    if (!sc) {
        res->stream_free(res->stream_cls);
        return MHD_NO;
    }
    sc->res = *res;
    sc->server = s;
    sc->conn = conn;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_reader, sc, stream_done);
    if (!r) {
        stream_done(sc);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    common_headers(r, res->app, res->request_id);
    enum MHD_Result ok = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_response(http_server *s, struct MHD_Connection *conn,
                                     http_response *res)
{
    if (res->stream)
        return send_stream(s, conn, res);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(res->body_len, res->body ? res->body : (void *)"",
                                        res->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(res->body);
        return MHD_NO;
    }
    res->body = NULL;
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (res->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    if (res->content_disposition[0])
        MHD_add_response_header(r, "Content-Disposition", res->content_disposition);
    if (res->retry_after_s > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", res->retry_after_s);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (res->etag[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
    if (res->bearer_challenge)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (res->replayed)
        MHD_add_response_header(r, "Idempotent-Replayed", "true");
    if (res->cors_methods[0]) {
        MHD_add_response_header(r, "Access-Control-Allow-Methods", res->cors_methods);
        MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, "
                                "If-None-Match, X-Request-Id");
        MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    common_headers(r, res->app, res->request_id);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A strong ETag (hash of the body) on successful reads up to 1 MiB, and 304 Not
 * Modified when If-None-Match names it — clients polling a job pay for changes only. */
static void add_etag(const http_request *req, http_response *res)
{
    if (res->status != 200 || res->stream || res->body_len > (1u << 20) ||
        (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
        return;
    if (!res->etag[0]) /* else the handler knows it already */
        http_body_etag(res->body ? res->body : "", res->body_len, res->etag);
    const char *inm = req->header(req, "If-None-Match");
    if (inm && (strstr(inm, res->etag) || strcmp(inm, "*") == 0)) {
        free(res->body);
        res->body = NULL;
        res->body_len = 0;
        res->status = 304;
    }
}

/* Matches the request and checks what every route needs (authorisation, body size).
 * Returns the route to run; or NULL when st->res already holds the answer (404, 405, 401,
 * 413, a CORS preflight). Sets st->route_index for the metrics. */
static const route *admit(app *a, const char *method, const char *url, request_state *st)
{
    http_request *req = &st->req;
    http_response *res = &st->res;
    *req = (http_request){
        .app = a,
        .token_id = "",
        .method = method,
        .path = url,
        .body = st->body ? st->body : "",
        .body_len = st->len,
        .query = lookup_query,
        .header = lookup_header,
        .query_all = lookup_query_all,
        .conn = st->conn,
    };
    st->route_index = -1;
    int status = 0;
    const route *r = http_match(req, &status, res->allow, sizeof res->allow);
    if (!r && status == 405 && a->cors_origin && strcmp(method, "OPTIONS") == 0) {
        /* A browser's CORS preflight: the path exists; say what it may do. */
        http_raw_take(res, 204, NULL, NULL, 0);
        snprintf(res->cors_methods, sizeof res->cors_methods, "%s", res->allow);
        return NULL;
    }
    if (!r) {
        if (status == 405)
            http_problem(res, 405, "method_not_allowed", NULL,
                         "%s is not allowed on %s; allowed: %s", method, url, res->allow);
        else
            http_problem(res, 404, "not_found", NULL, "no route %s", url);
        return NULL;
    }
    st->route_index = (int)(r - http_routes);
    if (!http_authorize(req, r, res))
        return NULL;
    if (st->too_large) {
        http_problem(res, 413, "payload_too_large", NULL,
                     "the request body is larger than the limit of %zu bytes", a->max_body);
        return NULL;
    }
    return r;
}

/* Runs the route's handler into st->res. */
static void run_handler(request_state *st)
{
    http_response *res = &st->res;
    st->route->handler(&st->req, res);
    if (res->defer_start || res->needs_thread)
        return;
    if (!res->status)
        http_problem(res, 500, "internal", NULL, "internal error");
    add_etag(&st->req, res);
}

/* Metrics, the request log, and the answer itself. */
static enum MHD_Result answer(request_state *st)
{
    http_response *res = &st->res;
    metrics_http(st->route_index, res->status);
    if (log_enabled(LOG_INFO))
        log_fields(LOG_INFO, "request",
                   json_pack("{s:s, s:s, s:i, s:f, s:s}", "method", st->req.method, "path",
                             st->req.path, "status", res->status, "ms",
                             (double)(clock_mono_ms() - st->started_ms), "request_id",
                             res->request_id));
    log_debug("%s %s -> %d", st->req.method, st->req.path, res->status);
    return send_response(st->server, st->conn, res);
}

/* Called once, from any thread, when a parked request's answer can be written. */
static void wake_request(void *cls)
{
    request_state *st = cls;
    http_server *s = st->server;
    MHD_resume_connection(st->conn);
    atomic_fetch_sub(&s->deferred, 1);
}

static void run_on_thread(void *cls)
{
    request_state *st = cls;
    st->req.on_event_thread = false;
    run_handler(st);
    wake_request(st);
}

/* Parks the connection and hands the request on: to the handler's own deferred start, or
 * to a pool thread. Called on an event thread, inside the access handler. */
static enum MHD_Result park(request_state *st)
{
    http_server *s = st->server;
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->stopping)) {
        pthread_mutex_unlock(&s->lock);
        if (st->res.defer_start) { /* never started: its finish only frees its state */
            http_response scratch = {.app = st->res.app};
            st->res.defer_finish(st->res.defer_cls, &scratch);
            free(scratch.body);
        }
        http_response fresh = {.app = st->res.app};
        memcpy(fresh.request_id, st->res.request_id, sizeof fresh.request_id);
        st->res = fresh;
        http_problem(&st->res, 503, "unavailable", NULL, "the server is stopping");
        st->res.retry_after_s = 1;
        return answer(st);
    }
    atomic_fetch_add(&s->deferred, 1);
    st->phase = PHASE_PARKED;
    MHD_suspend_connection(st->conn);
    bool handed_on = true;
    if (st->res.defer_start)
        st->res.defer_start(st->res.defer_cls, wake_request, st);
    else
        handed_on = offload_run(s->offload, run_on_thread, st);
    pthread_mutex_unlock(&s->lock);
    if (!handed_on)
        run_on_thread(st); /* out of memory for the task: run here (unlocked) rather than never */
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *s = cls;
    app *a = s->app;
    request_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        st->started_ms = clock_mono_ms();
        st->server = s;
        st->conn = conn;
        /* Refuse an announced oversized body before reading any of it. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
        if (announced > a->max_body) {
            /* Answer now; MHD discards the body rather than waiting for it. */
            st->too_large = true;
            http_response res = {.app = a};
            ulid_new(res.request_id);
            http_problem(&res, 413, "payload_too_large", NULL,
                         "the request body is larger than the limit of %zu bytes", a->max_body);
            metrics_http(-1, 413);
            return send_response(s, conn, &res);
        }
        st->announced = (size_t)announced;
        return MHD_YES;
    }
    if (st->phase == PHASE_PARKED) {
        /* Back from parking: the answer is ready, or the deferred handler writes it now. */
        if (st->res.defer_finish) {
            void (*finish)(void *, http_response *) = st->res.defer_finish;
            st->res.defer_start = NULL;
            st->res.defer_finish = NULL;
            finish(st->res.defer_cls, &st->res);
            if (!st->res.status)
                http_problem(&st->res, 500, "internal", NULL, "internal error");
        }
        return answer(st);
    }
    if (*upload_size) {
        if (!st->too_large && st->len + *upload_size > a->max_body)
            st->too_large = true;
        if (!st->too_large) {
            if (st->len + *upload_size + 1 > st->cap) {
                /* Sized to the announced length: a small body takes a small block (a
                 * block of 1 KiB or more makes malloc consolidate its free lists). */
                size_t ncap = st->cap ? st->cap : st->announced + 1;
                while (ncap < st->len + *upload_size + 1)
                    ncap *= 2;
                char *p = realloc(st->body, ncap);
                if (!p)
                    return MHD_NO;
                st->body = p;
                st->cap = ncap;
            }
            memcpy(st->body + st->len, upload_data, *upload_size);
            st->len += *upload_size;
            st->body[st->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    http_response *res = &st->res;
    *res = (http_response){.app = a};
    /* X-Request-Id: the client's, if it is a short token, else a new one. */
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t rlen = rid ? strlen(rid) : 0;
    bool rid_ok = rlen > 0 && rlen < sizeof res->request_id;
    for (size_t i = 0; rid_ok && i < rlen; i++)
        rid_ok = isalnum((unsigned char)rid[i]) || rid[i] == '-' || rid[i] == '_' || rid[i] == '.';
    if (rid_ok)
        memcpy(res->request_id, rid, rlen + 1);
    else
        ulid_new(res->request_id);
    st->route = admit(a, method, url, st);
    if (!st->route)
        return answer(st);
    if (st->route->runs == ROUTE_INLINE) {
        st->req.on_event_thread = true;
        run_handler(st);
        if (res->defer_start)
            return park(st);
        if (!res->needs_thread)
            return answer(st);
        /* The handler must block after all: start again on a pool thread. */
        http_response fresh = {.app = a};
        memcpy(fresh.request_id, res->request_id, sizeof fresh.request_id);
        *res = fresh;
    }
    return park(st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    request_state *st = *con_cls;
    if (st) {
        free(st->body);
        free(st);
        *con_cls = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

int http_server_start(app *a, const http_options *o, http_server **out, char *errbuf, size_t errcap)
{
    char host[256];
    uint16_t port;
    if (http_parse_listen(o->listen, host, sizeof host, &port)) {
        snprintf(errbuf, errcap, "bad listen address '%s' (want HOST:PORT)", o->listen);
        return BASIN_EINVAL;
    }
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", port);
    if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai) {
        snprintf(errbuf, errcap, "cannot resolve listen host '%s'", host);
        return BASIN_EINVAL;
    }
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        freeaddrinfo(ai);
        return BASIN_ENOMEM;
    }
    s->app = a;
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->deferred, 0);
    atomic_init(&s->stopping, false);
    unsigned connections = o->connections ? o->connections : 256u;
    /* Every connection may be running a blocking handler at once. */
    s->offload = offload_new(connections);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned event_threads = cpus < 1                   ? 1u
                             : cpus > EVENT_THREADS_MAX ? EVENT_THREADS_MAX
                                                        : (unsigned)cpus;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (s->offload)
        s->daemon = MHD_start_daemon(
            flags, port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, event_threads,
            MHD_OPTION_CONNECTION_LIMIT, connections, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_NOTIFY_COMPLETED,
            on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (s->daemon && pthread_create(&s->pump, NULL, pump_main, s) == 0)
        s->pump_started = true;
    if (!s->pump_started) {
        if (s->daemon)
            MHD_stop_daemon(s->daemon);
        snprintf(errbuf, errcap, "cannot listen on %s (address in use or not allowed?)", o->listen);
        offload_free(s->offload);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return BASIN_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    *out = s;
    return 0;
}

uint16_t http_server_port(http_server *s)
{
    return s->port;
}

void http_server_quiesce(http_server *s)
{
    if (s && s->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon); /* the caller owns the listen socket */
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
}

/* Stopping: MHD must not be stopped with a connection parked, so nothing new is parked
 * once `stopping` is set; parked streams are woken (and end); blocking handlers finish
 * (waits see app->stopping within a second); deferred answers arrive; then MHD stops. */
void http_server_stop(http_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, true);
    pthread_mutex_unlock(&s->lock);
    hub_publish(s->app->hub, NULL);
    pthread_join(s->pump, NULL);
    wake_streams(s);
    offload_free(s->offload);
    while (atomic_load(&s->deferred) > 0)
        usleep(1000);
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
