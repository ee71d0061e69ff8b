/* routes.c — the route table and its matcher (see routes.h). */
#include "routes.h"

#include <stdio.h>
#include <string.h>

const route http_routes[] = {
    {"GET", "/v1/health", api_health, SCOPE_READ, ROUTE_INLINE},
    {"GET", "/v1/models", api_models, SCOPE_READ, ROUTE_INLINE},
    {"GET", "/v1/models/{kind}", api_model, SCOPE_READ, ROUTE_INLINE},
    {"GET", "/v1/openapi.yaml", api_openapi, SCOPE_READ, ROUTE_INLINE},
    {"GET", "/metrics", api_metrics, SCOPE_READ, ROUTE_THREAD},
    {"POST", "/v1/jobs", api_submit_job, SCOPE_WRITE, ROUTE_INLINE},
    {"GET", "/v1/jobs", api_list_jobs, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}", api_get_job, SCOPE_READ, ROUTE_INLINE},
    {"DELETE", "/v1/jobs/{id}", api_delete_job, SCOPE_WRITE, ROUTE_THREAD},
    {"POST", "/v1/jobs/{id}/cancel", api_cancel_job, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}/result", api_job_result, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}/series", api_job_series, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}/artifacts", api_job_artifacts, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}/artifacts/{name}", api_job_artifact, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/jobs/{id}/events", api_job_events, SCOPE_READ, ROUTE_INLINE},
    {"GET", "/v1/events", api_events, SCOPE_READ, ROUTE_INLINE},
    {"POST", "/v1/sweeps", api_create_sweep, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/sweeps", api_list_sweeps, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/sweeps/{id}", api_get_sweep, SCOPE_READ, ROUTE_THREAD},
    {"DELETE", "/v1/sweeps/{id}", api_delete_sweep, SCOPE_WRITE, ROUTE_THREAD},
    {"POST", "/v1/sweeps/{id}/cancel", api_cancel_sweep, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/sweeps/{id}/table", api_sweep_table, SCOPE_READ, ROUTE_THREAD},
    /* routes: memory spaces */
    {"POST", "/v1/spaces", api_create_space, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/spaces", api_list_spaces, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/spaces/{name}", api_get_space, SCOPE_READ, ROUTE_THREAD},
    {"DELETE", "/v1/spaces/{name}", api_delete_space, SCOPE_WRITE, ROUTE_THREAD},
    {"POST", "/v1/spaces/{name}/memories", api_insert_memories, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/spaces/{name}/memories", api_list_memories, SCOPE_READ, ROUTE_THREAD},
    {"GET", "/v1/spaces/{name}/memories/{id}", api_get_memory, SCOPE_READ, ROUTE_THREAD},
    {"PATCH", "/v1/spaces/{name}/memories/{id}", api_patch_memory, SCOPE_WRITE, ROUTE_THREAD},
    {"DELETE", "/v1/spaces/{name}/memories/{id}", api_delete_memory, SCOPE_WRITE, ROUTE_THREAD},
    {"GET", "/v1/spaces/{name}/memories/{id}/history", api_memory_history, SCOPE_READ,
     ROUTE_THREAD},
    {"POST", "/v1/spaces/{name}/search", api_search_space, SCOPE_READ, ROUTE_THREAD},
};

const size_t http_n_routes = sizeof http_routes / sizeof http_routes[0];

/* Matches path against pattern; copies the {…} segments into buf / params. */
static bool match_path(const char *pattern, const char *path, http_request *req)
{
    const char *p = pattern, *s = path;
    size_t used = 0;
    int n = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pend = strchr(p, '/');
        const char *send = strchr(s, '/');
        size_t plen = pend ? (size_t)(pend - p) : strlen(p);
        size_t slen = send ? (size_t)(send - s) : strlen(s);
        if (plen > 1 && p[0] == '{') {
            if (slen == 0 || n >= HTTP_MAX_PATH_PARAMS || used + slen + 1 > sizeof req->path_buf)
                return false;
            memcpy(req->path_buf + used, s, slen);
            req->path_buf[used + slen] = '\0';
            req->path_params[n++] = req->path_buf + used;
            used += slen + 1;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    return *p == '\0' && *s == '\0';
}

const route *http_match(http_request *req, int *status, char *allow, size_t allow_cap)
{
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    allow[0] = '\0';
    bool path_known = false;
    for (size_t i = 0; i < http_n_routes; i++) {
        const route *r = &http_routes[i];
        if (!match_path(r->pattern, req->path, req))
            continue;
        if (strcmp(r->method, method) == 0)
            return r;
        path_known = true;
        size_t len = strlen(allow);
        snprintf(allow + len, allow_cap - len, "%s%s", len ? ", " : "", r->method);
    }
    *status = path_known ? 405 : 404;
    return NULL;
}
