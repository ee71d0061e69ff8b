/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int codes[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405,
                            406, 409, 413, 414, 415, 422, 429, 500, 503};
#define N_CODES (sizeof codes / sizeof codes[0])

static atomic_ullong http_count[METRICS_MAX_ROUTES + 1][N_CODES + 1];

static const double claim_bounds[] = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60};
static const double run_bounds[] = {0.01, 0.1, 1, 10, 60, 600, 3600};
#define N_CLAIM (sizeof claim_bounds / sizeof claim_bounds[0])
#define N_RUN   (sizeof run_bounds / sizeof run_bounds[0])

typedef struct histogram {
    atomic_ullong bucket[16]; /* cumulative counts are summed at render time */
    atomic_ullong count;
    atomic_ullong sum_us; /* microseconds, so the sum stays an integer atomic */
} histogram;

static histogram claim_hist;
static histogram run_hist[METRICS_MAX_KINDS];
static atomic_ullong busy_us;

static void observe(histogram *h, const double *bounds, size_t n, double seconds)
{
    size_t i = 0;
    while (i < n && seconds > bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, (unsigned long long)(seconds > 0 ? seconds * 1e6 : 0),
                              memory_order_relaxed);
}

void metrics_http(int route, int status)
{
    size_t r = route >= 0 && route < METRICS_MAX_ROUTES ? (size_t)route : METRICS_MAX_ROUTES;
    size_t c = N_CODES;
    for (size_t i = 0; i < N_CODES; i++)
        if (codes[i] == status)
            c = i;
    atomic_fetch_add_explicit(&http_count[r][c], 1, memory_order_relaxed);
}

void metrics_claim(double waited_s)
{
    observe(&claim_hist, claim_bounds, N_CLAIM, waited_s);
}

void metrics_run(int kind, double seconds)
{
    if (kind >= 0 && kind < METRICS_MAX_KINDS)
        observe(&run_hist[kind], run_bounds, N_RUN, seconds);
}

void metrics_busy(double seconds)
{
    atomic_fetch_add_explicit(&busy_us, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

typedef struct out {
    char *buf;
    size_t len, cap;
    int failed;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (n > 0 ? (size_t)n : 0);
        char *p = realloc(o->buf, cap);
        if (!p) {
            o->failed = 1;
            return;
        }
        o->buf = p;
        o->cap = cap;
    }
}

static void put_histogram(out *o, const char *name, const char *labels, histogram *h,
                          const double *bounds, size_t n)
{
    unsigned long long cum = 0;
    for (size_t i = 0; i <= n; i++) {
        cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
        if (i < n)
            put(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, *labels ? "," : "", bounds[i],
                cum);
        else
            put(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, *labels ? "," : "", cum);
    }
    char braces[112] = "";
    if (*labels)
        snprintf(braces, sizeof braces, "{%s}", labels);
    put(o, "%s_sum%s %.6f\n", name, braces,
        (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6);
    put(o, "%s_count%s %llu\n", name, braces,
        atomic_load_explicit(&h->count, memory_order_relaxed));
}

char *metrics_render(const char *(*route_name)(int), int n_routes, const char *(*kind_name)(int),
                     int n_kinds)
{
    out o = {.buf = malloc(8192), .cap = 8192};
    if (!o.buf)
        return NULL;
    o.buf[0] = '\0';
    put(&o, "# HELP basin_http_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE basin_http_requests_total counter\n");
    for (int r = 0; r <= n_routes && r <= METRICS_MAX_ROUTES; r++) {
        size_t row = r == n_routes ? METRICS_MAX_ROUTES : (size_t)r;
        for (size_t c = 0; c <= N_CODES; c++) {
            unsigned long long v = atomic_load_explicit(&http_count[row][c], memory_order_relaxed);
            if (!v)
                continue;
            char code[8];
            snprintf(code, sizeof code, c < N_CODES ? "%d" : "other", c < N_CODES ? codes[c] : 0);
            put(&o, "basin_http_requests_total{route=\"%s\",code=\"%s\"} %llu\n",
                r == n_routes ? "unmatched" : route_name(r), code, v);
        }
    }
    put(&o, "# HELP basin_claim_latency_seconds Time from a job being due to its claim.\n"
            "# TYPE basin_claim_latency_seconds histogram\n");
    put_histogram(&o, "basin_claim_latency_seconds", "", &claim_hist, claim_bounds, N_CLAIM);
    put(&o, "# HELP basin_run_duration_seconds Wall time of model runs, by kind.\n"
            "# TYPE basin_run_duration_seconds histogram\n");
    for (int k = 0; k < n_kinds && k < METRICS_MAX_KINDS; k++) {
        if (!atomic_load_explicit(&run_hist[k].count, memory_order_relaxed))
            continue;
        char labels[96];
        snprintf(labels, sizeof labels, "kind=\"%s\"", kind_name(k));
        put_histogram(&o, "basin_run_duration_seconds", labels, &run_hist[k], run_bounds, N_RUN);
    }
    put(&o,
        "# HELP basin_worker_busy_seconds_total Seconds worker threads spent running jobs.\n"
        "# TYPE basin_worker_busy_seconds_total counter\n"
        "basin_worker_busy_seconds_total %.6f\n",
        (double)atomic_load_explicit(&busy_us, memory_order_relaxed) / 1e6);
    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
