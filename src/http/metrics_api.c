/*
 * metrics_api.c — GET /metrics in the Prometheus text format: jobs by kind and status and
 * the queue depth (from the store), workers busy/total, and the in-process counters and
 * histograms of util/metrics.h (requests by route and code, claim latency, run duration by
 * kind, worker busy time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "util/metrics.h"

static const char *route_name(int i)
{
    return http_routes[i].pattern;
}

static const char *kind_name(int i)
{
    return basin_models[i]->kind;
}

static void put_job_count(void *user, const char *kind, const char *status, int64_t count)
{
    http_buf *b = user;
    http_buf_printf(b, "basin_jobs{kind=\"%s\",status=\"%s\"} %lld\n", kind, status,
                    (long long)count);
}

int api_metrics(const http_request *req, http_response *res)
{
    app *a = req->app;
    http_buf b = {0};
    queue_counts counts;
    int rc = store_counts(a->store, &counts);
    if (rc == 0) {
        http_buf_printf(&b, "# HELP basin_jobs Jobs stored, by kind and status.\n"
                            "# TYPE basin_jobs gauge\n");
        rc = store_counts_by_kind(a->store, put_job_count, &b);
    }
    if (rc) {
        free(b.data);
        http_store_problem(res, rc, "metrics");
        return 0;
    }
    int total = 0, busy = 0;
    if (a->pool)
        worker_pool_counts(a->pool, &total, &busy);
    http_buf_printf(&b,
                    "# HELP basin_queue_depth Jobs waiting to run (queued, due or not).\n"
                    "# TYPE basin_queue_depth gauge\nbasin_queue_depth %lld\n"
                    "# HELP basin_jobs_running Jobs being run.\n"
                    "# TYPE basin_jobs_running gauge\nbasin_jobs_running %lld\n"
                    "# HELP basin_workers Worker threads.\n"
                    "# TYPE basin_workers gauge\nbasin_workers %d\n"
                    "# HELP basin_workers_busy Worker threads running a job now.\n"
                    "# TYPE basin_workers_busy gauge\nbasin_workers_busy %d\n",
                    (long long)counts.by_status[JOB_QUEUED],
                    (long long)counts.by_status[JOB_RUNNING], total, busy);
    char *rest = metrics_render(route_name, (int)http_n_routes, kind_name, (int)basin_n_models);
    if (!rest) {
        free(b.data);
        http_store_problem(res, BASIN_ENOMEM, "metrics");
        return 0;
    }
    http_buf_printf(&b, "%s", rest);
    free(rest);
    http_buf_send(res, &b, "text/plain; version=0.0.4; charset=utf-8");
    return 0;
}
