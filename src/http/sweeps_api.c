/*
 * sweeps_api.c — POST/GET /v1/sweeps, GET/DELETE /v1/sweeps/{id}, cancel, and the table
 * (columnar JSON or CSV, or a 2-D pivot of one summary value over two swept params).
 *
 * Every child is validated by its model before anything is stored; the first invalid
 * child is named (index and swept values) with its problems under /children/<i>/params.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/params.h"
#include "routes.h"
#include "sweep_plan.h"
#include "util/clock.h"
#include "util/json_text.h"

#define MAX_SWEEP_CHILDREN 10000

static json_t *render_sweep(const sweep_row *s)
{
    char created[32], buf[160];
    clock_format_rfc3339(s->created_at, created, sizeof created);
    json_t *counts = json_object();
    for (int i = 0; i < JOB_N_STATUS; i++)
        json_object_set_new(counts, job_status_name((job_status)i), json_integer(s->counts[i]));
    json_t *links = json_object();
    snprintf(buf, sizeof buf, "/v1/sweeps/%s", s->id);
    json_object_set_new(links, "self", json_string(buf));
    snprintf(buf, sizeof buf, "/v1/sweeps/%s/table", s->id);
    json_object_set_new(links, "table", json_string(buf));
    snprintf(buf, sizeof buf, "/v1/jobs?label=sweep:%s", s->id);
    json_object_set_new(links, "jobs", json_string(buf));
    return json_pack("{s:s, s:s, s:I, s:o, s:f, s:O, s:O, s:s, s:O, s:o}", "id", s->id, "kind",
                     s->kind, "children", (json_int_t)s->children, "counts", counts, "progress",
                     s->progress, "varied", s->varied, "labels", s->labels, "created_at", created,
                     "request", s->request, "links", links);
}

/* "alpha=0.1, beta=2" for a problem's detail. */
static void describe_point(const json_t *point, char *out, size_t cap)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    out[0] = '\0';
    json_object_foreach((json_t *)point, key, v)
    {
        char *text = json_text(v, NULL);
        if (n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", n ? ", " : "", key,
                                  text ? text : "?");
        free(text);
    }
}

int api_create_sweep(const http_request *req, http_response *res)
{
    app *a = req->app;
    json_t *body = http_json_body(req, res);
    if (!body)
        return 0;
    basin_problems problems = {0};
    param_reader r;
    params_open(&r, body, "", &problems, NULL);
    const json_t *kind = params_raw(&r, "kind", "string");
    const json_t *base = params_raw(&r, "base", "object");
    const json_t *grid = params_raw(&r, "grid", "object");
    const json_t *random = params_raw(&r, "random", "object");
    uint64_t seed = params_seed(&r);
    int priority = (int)params_int(&r, "priority", 0, -1000, 1000);
    int max_attempts = (int)params_int(&r, "max_attempts", 3, 1, 20);
    double timeout_s = params_real(&r, "timeout_s", 0, 0, 604800);
    const json_t *labels = params_raw(&r, "labels", "object");
    http_read_labels(&r, labels);
    if (base && !json_is_object(base))
        params_problem(&r, "base", "must be an object (the params every child starts from)");
    const basin_model *model = NULL;
    if (!kind || !json_is_string(kind))
        params_problem(&r, "kind", "is required: a job kind (see GET /v1/models)");
    else if (!(model = basin_model_find(json_string_value(kind))))
        params_problem(&r, "kind", "unknown kind '%.64s'", json_string_value(kind));
    json_t *normalized_request = NULL;
    params_close(&r, &normalized_request);

    sweep_plan plan = {0};
    if (!problems.count &&
        sweep_plan_build(base, grid, random, seed, MAX_SWEEP_CHILDREN, &problems, &plan) == 0) {
        /* Validate every child with its model; stop at the first invalid one. */
        json_t *normalized_children = json_array();
        size_t n = json_array_size(plan.children);
        for (size_t i = 0; i < n; i++) {
            char pointer[64];
            snprintf(pointer, sizeof pointer, "/children/%zu/params", i);
            json_t *norm = NULL;
            void *config = NULL;
            if (model->parse(json_array_get(plan.children, i), pointer, &a->limits, &problems, NULL,
                             &norm, &config)) {
                char point[400];
                describe_point(json_array_get(plan.points, i), point, sizeof point);
                http_problem(res, 422, problems.over_limit ? "resource_limit" : "validation",
                             &problems, "child %zu of %zu (%s) is invalid; nothing was stored", i,
                             n, point);
                json_decref(normalized_children);
                goto done;
            }
            model->free_config(config);
            json_array_append_new(normalized_children, norm);
        }
        /* The request as stored: what was given, with the defaults and the seed. */
        json_t *request =
            json_pack("{s:s, s:O, s:O, s:O, s:I}", "kind", model->kind, "base",
                      base ? base : json_object(), "grid", grid ? grid : json_null(), "random",
                      random ? random : json_null(), "seed", (json_int_t)seed);
        sweep_new sw = {.kind = model->kind,
                        .model_version = model->version,
                        .request = request,
                        .varied = plan.varied,
                        .labels = labels,
                        .priority = priority,
                        .max_attempts = max_attempts,
                        .timeout_s = timeout_s,
                        .children = normalized_children};
        char id[ULID_LEN + 1];
        int rc = store_create_sweep(a->store, &sw, id);
        json_decref(request);
        json_decref(normalized_children);
        if (rc) {
            http_store_problem(res, rc, "sweep");
            goto done;
        }
        if (a->pool)
            worker_pool_wake(a->pool);
        sweep_row row;
        sweep_child *children = NULL;
        size_t n_children = 0;
        rc = store_get_sweep(a->store, id, &row);
        if (rc == 0)
            rc = store_sweep_children(a->store, id, &children, &n_children);
        if (rc) {
            http_store_problem(res, rc, "sweep");
            goto done;
        }
        json_t *out = render_sweep(&row);
        json_t *ids = json_array();
        for (size_t i = 0; i < n_children; i++)
            json_array_append_new(ids, json_string(children[i].id));
        json_object_set_new(out, "child_ids", ids);
        sweep_children_free(children, n_children);
        sweep_row_clear(&row);
        snprintf(res->location, sizeof res->location, "/v1/sweeps/%s", id);
        http_json(res, 202, out);
        goto done;
    }
    http_problem(res, 422, problems.over_limit ? "resource_limit" : "validation", &problems,
                 "the sweep has %zu invalid field(s); nothing was stored",
                 problems.count + problems.dropped);
done:
    sweep_plan_clear(&plan);
    json_decref(normalized_request);
    json_decref(body);
    return 0;
}

static bool load_sweep(const http_request *req, http_response *res, sweep_row *row)
{
    const char *id = req->path_params[0];
    int rc = ulid_valid(id) ? store_get_sweep(req->app->store, id, row) : BASIN_ENOTFOUND;
    if (rc)
        http_store_problem(res, rc, "sweep");
    return rc == 0;
}

int api_get_sweep(const http_request *req, http_response *res)
{
    sweep_row row;
    if (!load_sweep(req, res, &row))
        return 0;
    http_json(res, 200, render_sweep(&row));
    sweep_row_clear(&row);
    return 0;
}

int api_list_sweeps(const http_request *req, http_response *res)
{
    int limit = 100;
    const char *l = req->query(req, "limit");
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (end == l || *end || v < 1 || v > 1000) {
            http_query_problem(res, "limit", "must be an integer in [1, 1000]");
            return 0;
        }
        limit = (int)v;
    }
    const char *cursor = req->query(req, "cursor");
    if (cursor && !ulid_valid(cursor)) {
        http_query_problem(res, "cursor", "is not a cursor this server returned");
        return 0;
    }
    sweep_row *rows = NULL;
    size_t n = 0;
    char next[ULID_LEN + 1];
    int rc = store_list_sweeps(req->app->store, cursor, limit, &rows, &n, next);
    if (rc) {
        http_store_problem(res, rc, "sweeps");
        return 0;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, render_sweep(&rows[i]));
        sweep_row_clear(&rows[i]);
    }
    free(rows);
    http_json(res, 200,
              json_pack("{s:o, s:o}", "sweeps", list, "next_cursor",
                        next[0] ? json_string(next) : json_null()));
    return 0;
}

int api_cancel_sweep(const http_request *req, http_response *res)
{
    app *a = req->app;
    const char *id = req->path_params[0];
    json_t *running = NULL;
    int rc = ulid_valid(id) ? store_cancel_sweep(a->store, id, &running) : BASIN_ENOTFOUND;
    if (rc) {
        http_store_problem(res, rc, "sweep");
        return 0;
    }
    size_t i;
    json_t *jid;
    json_array_foreach(running, i, jid)
    {
        if (a->pool)
            worker_pool_cancel(a->pool, json_string_value(jid));
    }
    json_decref(running);
    hub_publish(a->hub, id);
    return api_get_sweep(req, res);
}

int api_delete_sweep(const http_request *req, http_response *res)
{
    const char *id = req->path_params[0];
    int rc = ulid_valid(id) ? store_delete_sweep(req->app->store, id) : BASIN_ENOTFOUND;
    if (rc == BASIN_ECONFLICT) {
        http_problem(res, 409, "conflict", NULL,
                     "children are queued or running: cancel the sweep first, then delete it");
        return 0;
    }
    if (rc) {
        http_store_problem(res, rc, "sweep");
        return 0;
    }
    http_raw_take(res, 204, NULL, NULL, 0);
    return 0;
}

/* ---- the table ------------------------------------------------------------------------ */

/* Summary keys in order of first appearance over the children. */
static json_t *summary_keys(const sweep_child *c, size_t n)
{
    json_t *seen = json_object(), *keys = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *key;
        json_t *v;
        json_object_foreach(c[i].summary, key, v)
        {
            if (!json_object_get(seen, key)) {
                json_object_set_new(seen, key, json_true());
                json_array_append_new(keys, json_string(key));
            }
        }
    }
    json_decref(seen);
    return keys;
}

static void csv_value(http_buf *b, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strpbrk(s, ",\"\n\r")) {
            http_buf_printf(b, "\"");
            for (; *s; s++)
                http_buf_printf(b, *s == '"' ? "\"\"" : "%c", *s);
            http_buf_printf(b, "\"");
        } else {
            http_buf_printf(b, "%s", s);
        }
    } else if (json_is_real(v)) {
        http_buf_printf(b, "%.17g", json_real_value(v));
    } else if (json_is_integer(v)) {
        http_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_boolean(v)) {
        http_buf_printf(b, "%s", json_is_true(v) ? "true" : "false");
    } else {
        char *text = json_text(v, NULL);
        json_t *s = json_string(text ? text : "");
        csv_value(b, s);
        json_decref(s);
        free(text);
    }
}

/* Strips an optional prefix ("params." / "summary."). */
static const char *unprefix(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 ? name + n : name;
}

static bool is_varied(const json_t *varied, const char *path)
{
    size_t i;
    json_t *v;
    json_array_foreach(varied, i, v)
    {
        if (strcmp(json_string_value(v), path) == 0)
            return true;
    }
    return false;
}

/* Index of value v in the list of distinct values `values`, appending it if new. */
static size_t distinct_index(json_t *values, const json_t *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(values, i, e)
    {
        if (json_equal(e, v))
            return i;
    }
    json_array_append(values, (json_t *)v);
    return json_array_size(values) - 1;
}

static int cmp_json_numbers(const void *a, const void *b)
{
    double x = json_number_value(*(json_t *const *)a), y = json_number_value(*(json_t *const *)b);
    return (x > y) - (x < y);
}

/* Sorts `values` numerically when every value is a number; returns the permutation
 * old index → new index in perm. */
static void sort_axis(json_t *values, size_t *perm)
{
    size_t n = json_array_size(values);
    json_t **items = malloc((n ? n : 1) * sizeof *items);
    bool numeric = items != NULL;
    for (size_t i = 0; i < n && items; i++) {
        items[i] = json_array_get(values, i);
        numeric = numeric && json_is_number(items[i]);
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    if (numeric && n > 1) {
        json_t **sorted = malloc(n * sizeof *sorted);
        if (sorted) {
            memcpy(sorted, items, n * sizeof *sorted);
            qsort(sorted, n, sizeof *sorted, cmp_json_numbers);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    if (items[i] == sorted[j])
                        perm[i] = j;
            json_t *copy = json_array();
            for (size_t j = 0; j < n; j++)
                json_array_append(copy, sorted[j]);
            json_array_clear(values);
            json_array_extend(values, copy);
            json_decref(copy);
            free(sorted);
        }
    }
    free(items);
}

static void pivot(http_response *res, const sweep_row *row, const sweep_child *c, size_t n,
                  const char *pivot_arg, const char *value_arg)
{
    char axes[256];
    snprintf(axes, sizeof axes, "%s", pivot_arg);
    char *comma = strchr(axes, ',');
    if (!comma || strchr(comma + 1, ',')) {
        http_query_problem(res, "pivot", "must be two swept params: pivot=a,b");
        return;
    }
    *comma = '\0';
    const char *px = unprefix(axes, "params."), *py = unprefix(comma + 1, "params.");
    if (!is_varied(row->varied, px) || !is_varied(row->varied, py) || !strcmp(px, py)) {
        http_query_problem(res, "pivot", "'%s' and '%s' must be two different swept params", px,
                           py);
        return;
    }
    if (!value_arg) {
        http_query_problem(res, "value", "is required with pivot: a summary key");
        return;
    }
    const char *key = unprefix(value_arg, "summary.");
    json_t *xs = json_array(), *ys = json_array();
    size_t *xi = calloc(n ? n : 1, sizeof *xi), *yi = calloc(n ? n : 1, sizeof *yi);
    for (size_t i = 0; i < n && xi && yi; i++) {
        json_t *x = sweep_get_path(c[i].params, px), *y = sweep_get_path(c[i].params, py);
        xi[i] = distinct_index(xs, x ? x : json_null());
        yi[i] = distinct_index(ys, y ? y : json_null());
    }
    size_t nx = json_array_size(xs), ny = json_array_size(ys);
    size_t *px_perm = calloc(nx ? nx : 1, sizeof *px_perm);
    size_t *py_perm = calloc(ny ? ny : 1, sizeof *py_perm);
    size_t cells = nx * ny > 0 ? nx * ny : 1;
    double *sum = calloc(cells, sizeof *sum);
    long *cnt = calloc(cells, sizeof *cnt);
    if (!xi || !yi || !px_perm || !py_perm || !sum || !cnt) {
        http_store_problem(res, BASIN_ENOMEM, "table");
        goto out;
    }
    sort_axis(xs, px_perm);
    sort_axis(ys, py_perm);
    /* Cell = mean of the value over the children at (x, y); booleans count as 0/1, so a
     * cell of `stable` is the fraction of stable children. */
    for (size_t i = 0; i < n; i++) {
        const json_t *v = c[i].summary ? json_object_get(c[i].summary, key) : NULL;
        if (!v || !(json_is_number(v) || json_is_boolean(v)))
            continue;
        size_t cell = py_perm[yi[i]] * nx + px_perm[xi[i]];
        sum[cell] += json_is_boolean(v) ? (json_is_true(v) ? 1.0 : 0.0) : json_number_value(v);
        cnt[cell]++;
    }
    json_t *grid = json_array(), *counts = json_array();
    for (size_t y = 0; y < ny; y++) {
        json_t *grow = json_array(), *crow = json_array();
        for (size_t x = 0; x < nx; x++) {
            size_t cell = y * nx + x;
            json_array_append_new(grow, cnt[cell] && isfinite(sum[cell] / (double)cnt[cell])
                                            ? json_real(sum[cell] / (double)cnt[cell])
                                            : json_null());
            json_array_append_new(crow, json_integer(cnt[cell]));
        }
        json_array_append_new(grid, grow);
        json_array_append_new(counts, crow);
    }
    http_json(res, 200,
              json_pack("{s:s, s:{s:s, s:O}, s:{s:s, s:O}, s:s, s:o, s:o}", "sweep_id", row->id,
                        "x", "param", px, "values", xs, "y", "param", py, "values", ys, "value",
                        key, "grid", grid, "n", counts));
out:
    json_decref(xs);
    json_decref(ys);
    free(xi);
    free(yi);
    free(px_perm);
    free(py_perm);
    free(sum);
    free(cnt);
}

int api_sweep_table(const http_request *req, http_response *res)
{
    sweep_row row;
    if (!load_sweep(req, res, &row))
        return 0;
    const char *format = req->query(req, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        sweep_row_clear(&row);
        http_query_problem(res, "format", "must be json or csv");
        return 0;
    }
    sweep_child *c = NULL;
    size_t n = 0;
    int rc = store_sweep_children(req->app->store, row.id, &c, &n);
    if (rc) {
        sweep_row_clear(&row);
        http_store_problem(res, rc, "sweep");
        return 0;
    }
    const char *pivot_arg = req->query(req, "pivot");
    if (pivot_arg) {
        pivot(res, &row, c, n, pivot_arg, req->query(req, "value"));
        goto out;
    }
    json_t *keys = summary_keys(c, n);
    if (format && strcmp(format, "csv") == 0) {
        http_buf b = {0};
        size_t i;
        json_t *k;
        http_buf_printf(&b, "job_id,status");
        json_array_foreach(row.varied, i, k)
        {
            http_buf_printf(&b, ",params.%s", json_string_value(k));
        }
        json_array_foreach(keys, i, k)
        {
            http_buf_printf(&b, ",summary.%s", json_string_value(k));
        }
        http_buf_printf(&b, "\n");
        for (size_t r = 0; r < n; r++) {
            http_buf_printf(&b, "%s,%s", c[r].id, job_status_name(c[r].status));
            json_array_foreach(row.varied, i, k)
            {
                http_buf_printf(&b, ",");
                csv_value(&b, sweep_get_path(c[r].params, json_string_value(k)));
            }
            json_array_foreach(keys, i, k)
            {
                http_buf_printf(&b, ",");
                csv_value(&b, c[r].summary ? json_object_get(c[r].summary, json_string_value(k))
                                           : NULL);
            }
            http_buf_printf(&b, "\n");
        }
        http_buf_send(res, &b, "text/csv; charset=utf-8");
    } else {
        json_t *columns = json_object(), *ids = json_array(), *status = json_array();
        for (size_t r = 0; r < n; r++) {
            json_array_append_new(ids, json_string(c[r].id));
            json_array_append_new(status, json_string(job_status_name(c[r].status)));
        }
        json_object_set_new(columns, "job_id", ids);
        json_object_set_new(columns, "status", status);
        size_t i;
        json_t *k;
        json_array_foreach(row.varied, i, k)
        {
            json_t *col = json_array();
            for (size_t r = 0; r < n; r++) {
                json_t *v = sweep_get_path(c[r].params, json_string_value(k));
                json_array_append(col, v ? v : json_null());
            }
            char name[200];
            snprintf(name, sizeof name, "params.%s", json_string_value(k));
            json_object_set_new(columns, name, col);
        }
        json_array_foreach(keys, i, k)
        {
            json_t *col = json_array();
            for (size_t r = 0; r < n; r++) {
                json_t *v =
                    c[r].summary ? json_object_get(c[r].summary, json_string_value(k)) : NULL;
                json_array_append(col, v ? v : json_null());
            }
            char name[200];
            snprintf(name, sizeof name, "summary.%s", json_string_value(k));
            json_object_set_new(columns, name, col);
        }
        http_json(res, 200,
                  json_pack("{s:s, s:I, s:o}", "sweep_id", row.id, "rows", (json_int_t)n, "columns",
                            columns));
    }
    json_decref(keys);
out:
    sweep_children_free(c, n);
    sweep_row_clear(&row);
    return 0;
}
