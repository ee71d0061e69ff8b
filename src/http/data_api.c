/*
 * data_api.c — a job's stored output: result, series (JSON or CSV, optionally
 * downsampled), artifact list, and one artifact as JSON nested lists, NPY or CSV.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "util/npy.h"

#define MAX_SERIES_NAMES  64
#define MAX_JSON_ELEMENTS 4000000 /* larger arrays: ask for NPY */

/* Loads the job at path param 0, answering 404 itself. */
static bool load_job(const http_request *req, http_response *res, job_row *row)
{
    const char *id = req->path_params[0];
    int rc = ulid_valid(id) ? store_get_job(req->app->store, id, row) : BASIN_ENOTFOUND;
    if (rc) {
        http_store_problem(res, rc, "job");
        return false;
    }
    return true;
}

int api_job_result(const http_request *req, http_response *res)
{
    job_row row;
    if (!load_job(req, res, &row))
        return 0;
    if (!job_status_final(row.status)) {
        http_problem(res, 409, "conflict", NULL,
                     "the job is %s; its result is available once it finishes",
                     job_status_name(row.status));
        job_row_clear(&row);
        return 0;
    }
    result_row result = {0};
    artifact_info *arts = NULL;
    size_t n_arts = 0;
    int rc = store_get_result(req->app->store, row.id, &result);
    if (rc == 0 || rc == BASIN_ENOTFOUND)
        rc = store_list_artifacts(req->app->store, row.id, &arts, &n_arts);
    if (rc)
        http_store_problem(res, rc, "result");
    else
        http_json(res, 200, render_result(&row, result.summary ? &result : NULL, arts, n_arts));
    free(arts);
    result_row_clear(&result);
    job_row_clear(&row);
    return 0;
}

static json_t *number_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Index of the k-th kept point of n when keeping m: floor(k (n−1) / (m−1)), which keeps
 * the first and the last. */
static size_t kept_index(size_t k, size_t n, size_t m)
{
    return m <= 1 ? 0 : (size_t)(((unsigned long long)k * (n - 1)) / (m - 1));
}

int api_job_series(const http_request *req, http_response *res)
{
    job_row row;
    if (!load_job(req, res, &row))
        return 0;
    char names_buf[2048] = "";
    const char *names[MAX_SERIES_NAMES];
    size_t n_names = 0;
    const char *names_q = req->query(req, "names");
    if (names_q) {
        snprintf(names_buf, sizeof names_buf, "%s", names_q);
        for (char *save = NULL, *tok = strtok_r(names_buf, ",", &save);
             tok && n_names < MAX_SERIES_NAMES; tok = strtok_r(NULL, ",", &save))
            names[n_names++] = tok;
    }
    size_t max_points = 0;
    const char *mp = req->query(req, "max_points");
    if (mp) {
        char *end;
        long v = strtol(mp, &end, 10);
        if (end == mp || *end || v < 2 || v > 100000) {
            job_row_clear(&row);
            http_query_problem(res, "max_points", "must be an integer in [2, 100000]");
            return 0;
        }
        max_points = (size_t)v;
    }
    const char *format = req->query(req, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        job_row_clear(&row);
        http_query_problem(res, "format", "must be json or csv");
        return 0;
    }
    bool csv = format && strcmp(format, "csv") == 0;
    series_data *sd = NULL;
    size_t n = 0;
    int rc = store_get_series(req->app->store, row.id, names_q ? names : NULL, n_names, &sd, &n);
    job_row_clear(&row);
    if (rc) {
        http_store_problem(res, rc, "series");
        return 0;
    }
    http_buf b = {0};
    json_t *all = json_object();
    if (csv)
        http_buf_printf(&b, "series,step,value\n");
    for (size_t i = 0; i < n; i++) {
        size_t m = max_points && sd[i].n > max_points ? max_points : sd[i].n;
        json_t *steps = json_array(), *values = json_array();
        for (size_t k = 0; k < m; k++) {
            size_t j = m == sd[i].n ? k : kept_index(k, sd[i].n, m);
            if (csv) {
                if (isfinite(sd[i].value[j]))
                    http_buf_printf(&b, "%s,%lld,%.17g\n", sd[i].name, (long long)sd[i].step[j],
                                    sd[i].value[j]);
                else
                    http_buf_printf(&b, "%s,%lld,\n", sd[i].name, (long long)sd[i].step[j]);
            } else {
                json_array_append_new(steps, json_integer(sd[i].step[j]));
                json_array_append_new(values, number_or_null(sd[i].value[j]));
            }
        }
        json_object_set_new(all, sd[i].name,
                            json_pack("{s:o, s:o}", "step", steps, "value", values));
    }
    series_data_free(sd, n);
    if (csv) {
        json_decref(all);
        http_buf_send(res, &b, "text/csv; charset=utf-8");
    } else {
        http_json(res, 200, json_pack("{s:o}", "series", all));
    }
    return 0;
}

int api_job_artifacts(const http_request *req, http_response *res)
{
    job_row row;
    if (!load_job(req, res, &row))
        return 0;
    artifact_info *arts = NULL;
    size_t n = 0;
    int rc = store_list_artifacts(req->app->store, row.id, &arts, &n);
    if (rc) {
        job_row_clear(&row);
        http_store_problem(res, rc, "artifacts");
        return 0;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_artifact_ref(row.id, &arts[i]));
    free(arts);
    job_row_clear(&row);
    http_json(res, 200, json_pack("{s:o}", "artifacts", list));
    return 0;
}

/* Element i of a typed array, as a double (exact for every dtype basin stores except
 * int64 beyond 2^53, which no model produces). */
static double element(basin_dtype dt, const void *data, size_t i)
{
    switch (dt) {
    case BASIN_F64:
        return ((const double *)data)[i];
    case BASIN_F32:
        return ((const float *)data)[i];
    case BASIN_I64:
        return (double)((const int64_t *)data)[i];
    case BASIN_I32:
        return ((const int32_t *)data)[i];
    case BASIN_I8:
        return ((const int8_t *)data)[i];
    case BASIN_U8:
        return ((const uint8_t *)data)[i];
    }
    return NAN;
}

static json_t *element_json(basin_dtype dt, const void *data, size_t i)
{
    if (dt == BASIN_F64 || dt == BASIN_F32)
        return number_or_null(element(dt, data, i));
    return json_integer((json_int_t)element(dt, data, i));
}

/* Nested lists for dimensions d.. starting at flat offset *pos. */
static json_t *nested(const artifact_info *a, basin_dtype dt, const void *data, int d, size_t *pos)
{
    if (d == a->ndim)
        return element_json(dt, data, (*pos)++);
    json_t *list = json_array();
    for (int64_t i = 0; i < a->shape[d]; i++)
        json_array_append_new(list, nested(a, dt, data, d + 1, pos));
    return list;
}

int api_job_artifact(const http_request *req, http_response *res)
{
    job_row row;
    if (!load_job(req, res, &row))
        return 0;
    const char *name = req->path_params[1];
    artifact_info info;
    void *data = NULL;
    size_t nbytes = 0;
    int rc = store_get_artifact(req->app->store, row.id, name, &info, &data, &nbytes);
    job_row_clear(&row);
    if (rc) {
        http_store_problem(res, rc, "artifact");
        return 0;
    }
    basin_dtype dt;
    size_t count = 1;
    for (int d = 0; d < info.ndim; d++)
        count *= (size_t)info.shape[d];
    if (basin_dtype_parse(info.dtype, &dt) || count * basin_dtype_size(dt) != nbytes) {
        free(data);
        http_problem(res, 500, "internal", NULL, "stored artifact is inconsistent");
        return 0;
    }
    /* ?format= wins over Accept; no preference means JSON. */
    const char *format = req->query(req, "format");
    const char *accept = req->header(req, "Accept");
    if (!format && accept && strstr(accept, "application/x-npy"))
        format = "npy";
    else if (!format && accept && strstr(accept, "text/csv"))
        format = "csv";
    else if (!format)
        format = "json";

    if (strcmp(format, "npy") == 0) {
        char header[512];
        size_t hlen =
            npy_header(header, sizeof header, basin_dtype_descr(dt), info.ndim, info.shape);
        char *body = malloc(hlen + nbytes + 1);
        if (!body) {
            free(data);
            http_store_problem(res, BASIN_ENOMEM, "artifact");
            return 0;
        }
        memcpy(body, header, hlen);
        memcpy(body + hlen, data, nbytes);
        snprintf(res->content_disposition, sizeof res->content_disposition,
                 "attachment; filename=\"%.64s.npy\"", info.name);
        http_raw_take(res, 200, "application/x-npy", body, hlen + nbytes);
    } else if (strcmp(format, "csv") == 0) {
        if (info.ndim > 2) {
            http_query_problem(res, "format", "CSV holds 1-D and 2-D arrays; this one is %d-D",
                               info.ndim);
        } else {
            size_t cols = info.ndim == 2 ? (size_t)info.shape[1] : 1;
            http_buf b = {0};
            for (size_t i = 0; i < count; i++) {
                double v = element(dt, data, i);
                http_buf_printf(&b, "%.17g%s", v, (i + 1) % cols == 0 ? "\n" : ",");
            }
            http_buf_send(res, &b, "text/csv; charset=utf-8");
        }
    } else if (strcmp(format, "json") == 0) {
        if (count > MAX_JSON_ELEMENTS) {
            http_problem(res, 422, "resource_limit", NULL,
                         "%zu elements is too many for JSON (limit %d): ask for "
                         "?format=npy",
                         count, MAX_JSON_ELEMENTS);
        } else {
            size_t pos = 0;
            http_json(res, 200, nested(&info, dt, data, 0, &pos));
        }
    } else {
        http_query_problem(res, "format", "must be json, npy or csv");
    }
    free(data);
    return 0;
}
