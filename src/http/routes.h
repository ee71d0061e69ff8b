/*
 * routes.h — the route table: {method, path pattern, handler, scope}. A pattern segment
 * "{name}" matches one non-empty path segment. 404 and 405 (with Allow) fall out of the
 * table: a path that matches no pattern is 404; a path that matches only under other
 * methods is 405.
 */
#ifndef BASIN_HTTP_ROUTES_H
#define BASIN_HTTP_ROUTES_H

#include "http.h"

typedef enum route_scope { SCOPE_READ, SCOPE_WRITE, SCOPE_ADMIN } route_scope;

/* Where a handler runs: ROUTE_INLINE handlers never block (a few quick reads, or a
 * deferred answer), so the server's event threads call them directly; ROUTE_THREAD
 * handlers may block (waits, searches, bulk writes, long queries) and run on a pool
 * thread while their connection is parked. */
typedef enum route_runs { ROUTE_THREAD, ROUTE_INLINE } route_runs;

typedef struct route {
    const char *method;
    const char *pattern;
    http_handler handler;
    route_scope scope;
    route_runs runs;
} route;

extern const route http_routes[];
extern const size_t http_n_routes;

/* Matches req->method and req->path. Returns the route and fills req->path_params; or
 * NULL with *status 404, or 405 and `allow` filled ("GET, POST"). HEAD matches GET. */
const route *http_match(http_request *req, int *status, char *allow, size_t allow_cap);

/* Handlers, by file. */
int api_health(const http_request *req, http_response *res);
int api_models(const http_request *req, http_response *res);
int api_model(const http_request *req, http_response *res);
int api_openapi(const http_request *req, http_response *res);
int api_metrics(const http_request *req, http_response *res);
int api_job_events(const http_request *req, http_response *res);
int api_events(const http_request *req, http_response *res);
int api_submit_job(const http_request *req, http_response *res);
int api_list_jobs(const http_request *req, http_response *res);
int api_get_job(const http_request *req, http_response *res);
int api_delete_job(const http_request *req, http_response *res);
int api_cancel_job(const http_request *req, http_response *res);
int api_job_result(const http_request *req, http_response *res);
int api_job_series(const http_request *req, http_response *res);
int api_job_artifacts(const http_request *req, http_response *res);
int api_job_artifact(const http_request *req, http_response *res);
int api_create_sweep(const http_request *req, http_response *res);
int api_list_sweeps(const http_request *req, http_response *res);
int api_get_sweep(const http_request *req, http_response *res);
int api_delete_sweep(const http_request *req, http_response *res);
int api_cancel_sweep(const http_request *req, http_response *res);
int api_sweep_table(const http_request *req, http_response *res);
/* handlers: memory spaces */
int api_create_space(const http_request *req, http_response *res);
int api_list_spaces(const http_request *req, http_response *res);
int api_get_space(const http_request *req, http_response *res);
int api_delete_space(const http_request *req, http_response *res);
int api_insert_memories(const http_request *req, http_response *res);
int api_list_memories(const http_request *req, http_response *res);
int api_get_memory(const http_request *req, http_response *res);
int api_patch_memory(const http_request *req, http_response *res);
int api_delete_memory(const http_request *req, http_response *res);
int api_memory_history(const http_request *req, http_response *res);
int api_search_space(const http_request *req, http_response *res);

#endif
