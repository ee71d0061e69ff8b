/*
 * sweeps.c — sweeps and their children. A sweep's children are ordinary jobs with
 * sweep_id and sweep_index set and the label {"sweep": id}; everything the queue does to
 * jobs applies to them unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util/clock.h"
#include "values.h"

int store_create_sweep(store *s, const sweep_new *sw, char id_out[ULID_LEN + 1])
{
    char id[ULID_LEN + 1];
    ulid_new(id);
    json_t *labels = sw->labels ? json_deep_copy(sw->labels) : json_object();
    json_object_set_new(labels, "sweep", json_string(id));
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc) {
        json_decref(labels);
        return rc;
    }
    int64_t now = clock_wall_ms();
    size_t n = json_array_size(sw->children);
    sqlite3_stmt *st = store_prepare(
        db, "INSERT INTO sweeps (id, kind, request, varied, labels, children, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sw->kind, -1, SQLITE_STATIC);
        store_bind_json(st, 3, sw->request);
        store_bind_json(st, 4, sw->varied);
        store_bind_json(st, 5, sw->labels ? sw->labels : labels);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)n);
        sqlite3_bind_int64(st, 7, now);
    }
    rc = store_step_done(st);
    st = rc ? NULL
            : store_prepare(db, "INSERT INTO jobs (id, kind, model_version, params, priority, "
                                "labels, status, max_attempts, timeout_s, created_at, run_after, "
                                "updated_at, sweep_id, sweep_index) VALUES (?1, ?2, ?3, ?4, ?5, "
                                "?6, 'queued', ?7, ?8, ?9, ?9, ?9, ?10, ?11)");
    if (!rc && !st)
        rc = BASIN_EDB;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char child[ULID_LEN + 1];
        ulid_new(child);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_text(st, 1, child, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, sw->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sw->model_version, -1, SQLITE_STATIC);
        store_bind_json(st, 4, json_array_get(sw->children, i));
        sqlite3_bind_int(st, 5, sw->priority);
        store_bind_json(st, 6, labels);
        sqlite3_bind_int(st, 7, sw->max_attempts);
        if (sw->timeout_s > 0)
            sqlite3_bind_double(st, 8, sw->timeout_s);
        sqlite3_bind_int64(st, 9, now);
        sqlite3_bind_text(st, 10, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)i);
        int step = sqlite3_step(st);
        if (step != SQLITE_DONE)
            rc = store_rc(step);
    }
    sqlite3_finalize(st);
    json_decref(labels);
    if (rc == 0)
        rc = store_values_sweep(db, id);
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end == 0)
        memcpy(id_out, id, sizeof id);
    return rc ? rc : end;
}

void sweep_row_clear(sweep_row *row)
{
    if (!row)
        return;
    json_decref(row->request);
    json_decref(row->varied);
    json_decref(row->labels);
    row->request = row->varied = row->labels = NULL;
}

#define SWEEP_SELECT                                                                               \
    "SELECT s.id, s.kind, s.request, s.varied, s.labels, s.children, s.created_at, "               \
    "(SELECT count(*) FROM jobs WHERE sweep_id = s.id AND status = 'queued'), "                    \
    "(SELECT count(*) FROM jobs WHERE sweep_id = s.id AND status = 'running'), "                   \
    "(SELECT count(*) FROM jobs WHERE sweep_id = s.id AND status = 'succeeded'), "                 \
    "(SELECT count(*) FROM jobs WHERE sweep_id = s.id AND status = 'failed'), "                    \
    "(SELECT count(*) FROM jobs WHERE sweep_id = s.id AND status = 'cancelled'), "                 \
    "(SELECT avg(CASE WHEN status IN ('succeeded','failed','cancelled') THEN 1.0 "                 \
    " ELSE progress END) FROM jobs WHERE sweep_id = s.id) FROM sweeps s "

static void read_sweep_row(sqlite3_stmt *st, sweep_row *row)
{
    memset(row, 0, sizeof *row);
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *kind = (const char *)sqlite3_column_text(st, 1);
    snprintf(row->id, sizeof row->id, "%s", id ? id : "");
    snprintf(row->kind, sizeof row->kind, "%s", kind ? kind : "");
    row->request = store_column_json(st, 2, json_object());
    row->varied = store_column_json(st, 3, json_array());
    row->labels = store_column_json(st, 4, json_object());
    row->children = sqlite3_column_int64(st, 5);
    row->created_at = sqlite3_column_int64(st, 6);
    for (int i = 0; i < JOB_N_STATUS; i++)
        row->counts[i] = sqlite3_column_int64(st, 7 + i);
    row->progress = sqlite3_column_double(st, 12);
}

int store_get_sweep(store *s, const char *id, sweep_row *out)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, SWEEP_SELECT "WHERE s.id = ?1") : NULL;
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            read_sweep_row(st, out);
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        }
        sqlite3_finalize(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_list_sweeps(store *s, const char *cursor, int limit, sweep_row **rows, size_t *n,
                      char next_cursor[ULID_LEN + 1])
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st =
        db ? store_prepare(db, SWEEP_SELECT "WHERE (?1 IS NULL OR s.id < ?1) ORDER BY s.id DESC "
                                            "LIMIT ?2")
           : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    if (cursor)
        sqlite3_bind_text(st, 1, cursor, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit + 1);
    sweep_row *out = calloc((size_t)limit + 1, sizeof *out);
    size_t count = 0;
    int rc = out ? 0 : BASIN_ENOMEM, step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        read_sweep_row(st, &out[count++]);
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        for (size_t i = 0; out && i < count; i++)
            sweep_row_clear(&out[i]);
        free(out);
        return rc;
    }
    next_cursor[0] = '\0';
    if (count > (size_t)limit) {
        sweep_row_clear(&out[--count]);
        memcpy(next_cursor, out[count - 1].id, ULID_LEN + 1);
    }
    *rows = out;
    *n = count;
    return 0;
}

static int sweep_exists(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = store_prepare(db, "SELECT 1 FROM sweeps WHERE id = ?1");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
}

int store_cancel_sweep(store *s, const char *id, json_t **running)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    rc = sweep_exists(db, id);
    int64_t now = clock_wall_ms();
    json_t *flagged = json_array();
    sqlite3_stmt *st = rc ? NULL
                          : store_prepare(db, "UPDATE jobs SET cancel_requested = 1, updated_at "
                                              "= ?2 WHERE sweep_id = ?1 AND status = 'running' "
                                              "RETURNING id");
    if (!rc && !st)
        rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            json_array_append_new(flagged, json_string((const char *)sqlite3_column_text(st, 0)));
        if (step != SQLITE_DONE)
            rc = store_rc(step);
        sqlite3_finalize(st);
    }
    if (rc == 0) {
        st = store_prepare(db, "UPDATE jobs SET status = 'cancelled', finished_at = ?2, "
                               "updated_at = ?2, cancel_requested = 1, error_code = "
                               "'cancelled', error_message = 'sweep cancelled before it ran' "
                               "WHERE sweep_id = ?1 AND status = 'queued'");
        if (st) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now);
        }
        rc = store_step_done(st);
    }
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end == 0 && running)
        *running = json_incref(flagged);
    json_decref(flagged);
    return rc ? rc : end;
}

int store_delete_sweep(store *s, const char *id)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    rc = sweep_exists(db, id);
    if (rc == 0) {
        sqlite3_stmt *st = store_prepare(db, "SELECT count(*) FROM jobs WHERE sweep_id = ?1 "
                                             "AND status IN ('queued', 'running')");
        if (st) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
                rc = BASIN_ECONFLICT;
            sqlite3_finalize(st);
        } else {
            rc = BASIN_EDB;
        }
    }
    static const char *const sql[] = {
        "DELETE FROM jobs WHERE sweep_id = ?1",
        "DELETE FROM sweeps WHERE id = ?1",
    };
    for (int i = 0; rc == 0 && i < 2; i++) {
        sqlite3_stmt *st = store_prepare(db, sql[i]);
        if (st)
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        rc = store_step_done(st);
    }
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

void sweep_children_free(sweep_child *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        json_decref(c[i].params);
        json_decref(c[i].summary);
    }
    free(c);
}

int store_sweep_children(store *s, const char *id, sweep_child **out, size_t *n)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, "SELECT j.id, j.status, j.params, r.summary "
                                              "FROM jobs j LEFT JOIN results r ON r.job_id = "
                                              "j.id WHERE j.sweep_id = ?1 ORDER BY "
                                              "j.sweep_index")
                          : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sweep_child *items = NULL;
    size_t count = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            sweep_child *p = realloc(items, cap * sizeof *p);
            if (!p) {
                rc = BASIN_ENOMEM;
                break;
            }
            items = p;
        }
        sweep_child *c = &items[count++];
        memset(c, 0, sizeof *c);
        const char *cid = (const char *)sqlite3_column_text(st, 0);
        snprintf(c->id, sizeof c->id, "%s", cid ? cid : "");
        const char *status = (const char *)sqlite3_column_text(st, 1);
        if (!status || job_status_parse(status, &c->status))
            c->status = JOB_FAILED;
        c->params = store_column_json(st, 2, json_object());
        c->summary = store_column_json(st, 3, NULL);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        sweep_children_free(items, count);
        return rc;
    }
    *out = items;
    *n = count;
    return 0;
}
