/*
 * results.c — a job's output: result (seed, summary, values), series and artifacts.
 * Written once by store_finish inside its fenced transaction, together with the job's
 * indexed summary and series values (values.h); read by the API.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "values.h"

int store_write_output(sqlite3 *db, const char *id, const basin_ctx *ctx);

static int write_result(sqlite3 *db, const char *id, const basin_ctx *ctx)
{
    sqlite3_stmt *st =
        store_prepare(db, "INSERT OR REPLACE INTO results (job_id, seed, summary, \"values\") "
                          "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (ctx->has_seed)
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ctx->seed);
    store_bind_json(st, 3, ctx->summary);
    store_bind_json(st, 4, ctx->values);
    return store_step_done(st);
}

static int write_series(sqlite3 *db, const char *id, const run_series *s)
{
    sqlite3_stmt *st = store_prepare(
        db, "INSERT OR REPLACE INTO series (job_id, name, n, steps, vals, vmin, vmax, vmean, "
            "vlast) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st)
        return BASIN_EDB;
    /* Statistics over the finite values, for queries across jobs. */
    double lo = INFINITY, hi = -INFINITY, sum = 0.0;
    size_t finite = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->value[i];
        if (isfinite(v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            sum += v;
            finite++;
        }
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)s->n);
    sqlite3_bind_blob64(st, 4, s->step ? (const void *)s->step : "", s->n * sizeof(int64_t),
                        SQLITE_STATIC);
    sqlite3_bind_blob64(st, 5, s->value ? (const void *)s->value : "", s->n * sizeof(double),
                        SQLITE_STATIC);
    if (finite) {
        sqlite3_bind_double(st, 6, lo);
        sqlite3_bind_double(st, 7, hi);
        sqlite3_bind_double(st, 8, sum / (double)finite);
    }
    if (s->n && isfinite(s->value[s->n - 1]))
        sqlite3_bind_double(st, 9, s->value[s->n - 1]);
    return store_step_done(st);
}

static int write_artifact(sqlite3 *db, const char *id, const run_artifact *a)
{
    sqlite3_stmt *st =
        store_prepare(db, "INSERT OR REPLACE INTO artifacts (job_id, name, dtype, shape, data) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return BASIN_EDB;
    json_t *shape = json_array();
    for (int d = 0; d < a->ndim; d++)
        json_array_append_new(shape, json_integer(a->shape[d]));
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, basin_dtype_name(a->dtype), -1, SQLITE_STATIC);
    store_bind_json(st, 4, shape);
    json_decref(shape);
    sqlite3_bind_blob64(st, 5, a->nbytes ? a->data : "", a->nbytes, SQLITE_STATIC);
    return store_step_done(st);
}

int store_write_output(sqlite3 *db, const char *id, const basin_ctx *ctx)
{
    int rc = write_result(db, id, ctx);
    for (size_t i = 0; rc == 0 && i < ctx->n_series; i++)
        rc = write_series(db, id, &ctx->series[i]);
    for (size_t i = 0; rc == 0 && i < ctx->n_artifacts; i++)
        rc = write_artifact(db, id, &ctx->artifacts[i]);
    if (rc == 0)
        rc = store_values_output(db, id);
    return rc;
}

void result_row_clear(result_row *r)
{
    if (!r)
        return;
    json_decref(r->summary);
    json_decref(r->values);
    r->summary = r->values = NULL;
}

int store_get_result(store *s, const char *id, result_row *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st =
        store_prepare(db, "SELECT seed, summary, \"values\" FROM results WHERE job_id = ?1");
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            out->has_seed = sqlite3_column_type(st, 0) != SQLITE_NULL;
            out->seed = (uint64_t)sqlite3_column_int64(st, 0);
            out->summary = store_column_json(st, 1, json_object());
            out->values = store_column_json(st, 2, json_object());
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        }
        sqlite3_finalize(st);
    }
    store_reader_put(s, db);
    return rc;
}

static void read_artifact_info(sqlite3_stmt *st, artifact_info *info)
{
    memset(info, 0, sizeof *info);
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *dtype = (const char *)sqlite3_column_text(st, 1);
    snprintf(info->name, sizeof info->name, "%s", name ? name : "");
    snprintf(info->dtype, sizeof info->dtype, "%s", dtype ? dtype : "");
    json_t *shape = store_column_json(st, 2, json_array());
    size_t i;
    json_t *dim;
    json_array_foreach(shape, i, dim)
    {
        if (i < BASIN_MAX_NDIM)
            info->shape[info->ndim++] = json_integer_value(dim);
    }
    json_decref(shape);
}

int store_list_artifacts(store *s, const char *id, artifact_info **out, size_t *n)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_prepare(
        db, "SELECT name, dtype, shape FROM artifacts WHERE job_id = ?1 ORDER BY name");
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    artifact_info *items = NULL;
    size_t count = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            artifact_info *p = realloc(items, cap * sizeof *p);
            if (!p) {
                rc = BASIN_ENOMEM;
                break;
            }
            items = p;
        }
        read_artifact_info(st, &items[count++]);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        free(items);
        return rc;
    }
    *out = items;
    *n = count;
    return 0;
}

int store_get_artifact(store *s, const char *id, const char *name, artifact_info *info, void **data,
                       size_t *nbytes)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_prepare(
        db, "SELECT name, dtype, shape, data FROM artifacts WHERE job_id = ?1 AND name = ?2");
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            size_t len = (size_t)sqlite3_column_bytes(st, 3);
            void *copy = malloc(len ? len : 1);
            if (copy) {
                if (len)
                    memcpy(copy, sqlite3_column_blob(st, 3), len);
                read_artifact_info(st, info);
                *data = copy;
                *nbytes = len;
                rc = 0;
            } else {
                rc = BASIN_ENOMEM;
            }
        } else {
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        }
        sqlite3_finalize(st);
    }
    store_reader_put(s, db);
    return rc;
}

void series_data_free(series_data *sd, size_t n)
{
    for (size_t i = 0; sd && i < n; i++) {
        free(sd[i].step);
        free(sd[i].value);
    }
    free(sd);
}

static bool wanted(const char *name, const char *const *names, size_t n_names)
{
    if (!names)
        return true;
    for (size_t i = 0; i < n_names; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

int store_get_series(store *s, const char *id, const char *const *names, size_t n_names,
                     series_data **out, size_t *n)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_prepare(
        db, "SELECT name, n, steps, vals FROM series WHERE job_id = ?1 ORDER BY name");
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    series_data *items = NULL;
    size_t count = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name || !wanted(name, names, n_names))
            continue;
        size_t len = (size_t)sqlite3_column_int64(st, 1);
        if ((size_t)sqlite3_column_bytes(st, 2) != len * sizeof(int64_t) ||
            (size_t)sqlite3_column_bytes(st, 3) != len * sizeof(double)) {
            rc = BASIN_EDB;
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            series_data *p = realloc(items, cap * sizeof *p);
            if (!p) {
                rc = BASIN_ENOMEM;
                break;
            }
            items = p;
        }
        series_data *sd = &items[count++];
        memset(sd, 0, sizeof *sd);
        snprintf(sd->name, sizeof sd->name, "%s", name);
        sd->n = len;
        sd->step = malloc(len ? len * sizeof(int64_t) : 1);
        sd->value = malloc(len ? len * sizeof(double) : 1);
        if (!sd->step || !sd->value) {
            rc = BASIN_ENOMEM;
            break;
        }
        if (len) {
            memcpy(sd->step, sqlite3_column_blob(st, 2), len * sizeof(int64_t));
            memcpy(sd->value, sqlite3_column_blob(st, 3), len * sizeof(double));
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        series_data_free(items, count);
        return rc;
    }
    *out = items;
    *n = count;
    return 0;
}
