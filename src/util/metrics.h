/*
 * metrics.h — process-wide counters and histograms for GET /metrics (Prometheus text
 * format 0.0.4). Everything is a relaxed atomic: recording never blocks or allocates.
 * Label values are bounded: routes are indices into the route table, kinds into the
 * model registry, status codes a fixed list (others count as "other").
 */
#ifndef BASIN_UTIL_METRICS_H
#define BASIN_UTIL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_ROUTES 64
#define METRICS_MAX_KINDS  64

/* One HTTP request answered: route index (or -1 when no route matched) and status. */
void metrics_http(int route, int status);
/* A job claimed `waited_s` seconds after it became due. */
void metrics_claim(double waited_s);
/* A run of a model (registry index) that took `seconds`. */
void metrics_run(int kind, double seconds);
/* Worker time: add busy seconds. */
void metrics_busy(double seconds);

/* Renders the HTTP, claim, run and busy metrics; route_name(i) and kind_name(i) give the
 * label values. Returns a malloc'd NUL-terminated text (the caller frees) or NULL. */
char *metrics_render(const char *(*route_name)(int), int n_routes, const char *(*kind_name)(int),
                     int n_kinds);

#endif
