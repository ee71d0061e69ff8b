/*
 * server.c — libmicrohttpd glue (see server.h).
 *
 * Threads: one thread per connection (bounded by the connection limit), so a handler may
 * block — ?wait= holds its request while the job runs. Limits: the URL and headers must
 * fit the per-connection memory limit (MHD answers 414/431 beyond it), the body is capped
 * at app->max_body (413, checked against Content-Length before reading, and while reading).
 */
#include "server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "routes.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/log.h"

struct http_server {
    struct MHD_Daemon *daemon;
    app *app;
    uint16_t port;
};

/* Per-request state, kept across the access handler's calls while the body arrives. */
typedef struct request_state {
    char *body;
    size_t len, cap;
    bool too_large;
    size_t announced;   /* Content-Length, when given: the body buffer's first size */
    int64_t started_ms; /* clock_mono_ms() at the first call, for the request log */
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

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    http_response *res = cls;
    long n = res->stream(res->stream_cls, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_done(void *cls)
{
    http_response *res = cls;
    res->stream_free(res->stream_cls);
    free(res);
}

/* A streamed answer (server-sent events): MHD pulls from it until the stream ends, so the
 * response state is copied to the heap and freed by stream_done. */
static enum MHD_Result send_stream(struct MHD_Connection *conn, http_response *res)
{
    http_response *copy = malloc(sizeof *copy);
    if (!copy) {
        res->stream_free(res->stream_cls);
        return MHD_NO;
    }
    *copy = *res;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_reader, copy, stream_done);
    if (!r) {
        stream_done(copy);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    common_headers(r, res->app, res->request_id);
    enum MHD_Result ok = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, http_response *res)
{
    if (res->stream)
        return send_stream(conn, res);
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

/* Answers one request into res; returns the matched route's index, or -1. */
static int dispatch(app *a, struct MHD_Connection *conn, const char *method, const char *url,
                    request_state *st, http_response *res)
{
    http_request req = {
        .app = a,
        .token_id = "",
        .method = method,
        .path = url,
        .body = st->body ? st->body : "",
        .body_len = st->len,
        .query = lookup_query,
        .header = lookup_header,
        .query_all = lookup_query_all,
        .conn = conn,
    };
    int status = 0;
    const route *r = http_match(&req, &status, res->allow, sizeof res->allow);
    if (!r && status == 405 && a->cors_origin && strcmp(method, "OPTIONS") == 0) {
        /* A browser's CORS preflight: the path exists; say what it may do. */
        http_raw_take(res, 204, NULL, NULL, 0);
        snprintf(res->cors_methods, sizeof res->cors_methods, "%s", res->allow);
        return -1;
    }
    if (!r) {
        if (status == 405)
            http_problem(res, 405, "method_not_allowed", NULL,
                         "%s is not allowed on %s; allowed: %s", method, url, res->allow);
        else
            http_problem(res, 404, "not_found", NULL, "no route %s", url);
        return -1;
    }
    int index = (int)(r - http_routes);
    if (!http_authorize(&req, r, res))
        return index;
    if (st->too_large) {
        http_problem(res, 413, "payload_too_large", NULL,
                     "the request body is larger than the limit of %zu bytes", a->max_body);
        return index;
    }
    r->handler(&req, res);
    if (!res->status)
        http_problem(res, 500, "internal", NULL, "internal error");
    add_etag(&req, res);
    return index;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    app *a = cls;
    request_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        st->started_ms = clock_mono_ms();
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
            return send_response(conn, &res);
        }
        st->announced = (size_t)announced;
        return MHD_YES;
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
    http_response res = {.app = a};
    /* X-Request-Id: the client's, if it is a short token, else a new one. */
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t rlen = rid ? strlen(rid) : 0;
    bool rid_ok = rlen > 0 && rlen < sizeof res.request_id;
    for (size_t i = 0; rid_ok && i < rlen; i++)
        rid_ok = isalnum((unsigned char)rid[i]) || rid[i] == '-' || rid[i] == '_' || rid[i] == '.';
    if (rid_ok)
        memcpy(res.request_id, rid, rlen + 1);
    else
        ulid_new(res.request_id);
    int route_index = dispatch(a, conn, method, url, st, &res);
    metrics_http(route_index, res.status);
    if (log_enabled(LOG_INFO))
        log_fields(LOG_INFO, "request",
                   json_pack("{s:s, s:s, s:i, s:f, s:s}", "method", method, "path", url, "status",
                             res.status, "ms", (double)(clock_mono_ms() - st->started_ms),
                             "request_id", res.request_id));
    log_debug("%s %s -> %d", method, url, res.status);
    return send_response(conn, &res);
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
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, a, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
        o->connections ? o->connections : 256u, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->daemon) {
        snprintf(errbuf, errcap, "cannot listen on %s (address in use or not allowed?)", o->listen);
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

void http_server_stop(http_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    free(s);
}
