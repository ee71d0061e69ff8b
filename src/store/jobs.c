/*
 * jobs.c — job rows and the queue: submit (group commit), read, list, cancel, delete,
 * claim, heartbeat, finish, requeue and recovery of expired leases.
 *
 * Every write that belongs to a run is guarded by `WHERE id = ? AND fence = ? AND
 * status = 'running'`: if the row did not change, the run lost its lease and gets
 * BASIN_EFENCED with nothing written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util/clock.h"
#include "values.h"

int store_write_output(sqlite3 *db, const char *id, const basin_ctx *ctx);

static const char *const status_names[JOB_N_STATUS] = {
    [JOB_QUEUED] = "queued", [JOB_RUNNING] = "running",     [JOB_SUCCEEDED] = "succeeded",
    [JOB_FAILED] = "failed", [JOB_CANCELLED] = "cancelled",
};

const char *job_status_name(job_status st)
{
    return status_names[st];
}

int job_status_parse(const char *name, job_status *out)
{
    for (int i = 0; i < JOB_N_STATUS; i++)
        if (strcmp(status_names[i], name) == 0) {
            *out = (job_status)i;
            return 0;
        }
    return BASIN_EINVAL;
}

bool job_status_final(job_status st)
{
    return st == JOB_SUCCEEDED || st == JOB_FAILED || st == JOB_CANCELLED;
}

/* ---- submit with group commit ------------------------------------------------------ */

struct submit_request {
    const job_new *job;
    char id[ULID_LEN + 1];
    int rc;
    store_submit_done done; /* called by the committer once the batch is committed */
    void *done_cls;
    submit_request *next;
};

static int insert_job(sqlite3 *db, const job_new *job, const char *id, int64_t now)
{
    sqlite3_stmt *st = store_cached(
        db, "INSERT INTO jobs (id, kind, model_version, params, priority, labels, status, "
            "max_attempts, timeout_s, created_at, run_after, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, ?9, ?10, ?9)");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, job->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, job->model_version, -1, SQLITE_STATIC);
    if (job->params_text)
        sqlite3_bind_text(st, 4, job->params_text, -1, SQLITE_STATIC);
    else
        store_bind_json(st, 4, job->params);
    sqlite3_bind_int(st, 5, job->priority);
    if (job->labels)
        store_bind_json(st, 6, job->labels);
    else
        sqlite3_bind_text(st, 6, "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, job->max_attempts);
    if (job->timeout_s > 0)
        sqlite3_bind_double(st, 8, job->timeout_s);
    if (job->created_ms > 0)
        now = job->created_ms;
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, job->run_after_ms > 0 ? job->run_after_ms : now);
    int step = sqlite3_step(st);
    store_done(st);
    return step == SQLITE_DONE ? 0 : store_rc(step);
}

/* Runs a parameterless statement through the statement cache (sqlite3_exec would parse
 * it again on every call, and these run once per submitted job). */
static void run_cached(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = store_cached(db, sql);
    if (st) {
        sqlite3_step(st);
        store_done(st);
    }
}

/* Commits every request of the batch in one transaction. Each insert runs inside a
 * savepoint so one bad row fails alone — unless SQLite rolled the whole transaction back
 * (it may on SQLITE_FULL): then every request of the batch fails with that error, since
 * none of them was stored. */
static void commit_batch(store *s, submit_request *batch)
{
    sqlite3 *db = NULL;
    int rc = store_write_begin(s, &db);
    bool begun = rc == 0; /* the writer is locked until store_write_end */
    int64_t now = clock_wall_ms();
    bool index_values = rc == 0 && store_values_from_inputs(db);
    for (submit_request *r = batch; r; r = r->next) {
        if (rc) {
            r->rc = rc;
            continue;
        }
        run_cached(db, "SAVEPOINT one");
        r->rc = insert_job(db, r->job, r->id, now);
        if (r->rc == 0 && index_values)
            r->rc = store_values_job(db, r->id);
        if (r->rc && sqlite3_get_autocommit(db)) {
            rc = r->rc;
            for (submit_request *q = batch; q != r; q = q->next)
                q->rc = rc;
            continue;
        }
        run_cached(db, r->rc ? "ROLLBACK TO one" : "RELEASE one");
    }
    if (rc) {
        if (begun)
            store_write_end(s, false); /* unlocks; the ROLLBACK itself may find nothing */
        return;
    }
    int end = store_write_end(s, true);
    for (submit_request *r = batch; r; r = r->next)
        if (end && r->rc == 0)
            r->rc = end;
}

/* Group commit: submitters queue requests and the committer thread takes everything queued
 * so far and commits it in one transaction (one fsync), while the next requests queue
 * behind it. No submitter thread waits for its turn: an HTTP server can answer thousands
 * of submissions per second from a couple of threads. */
static void *committer_main(void *arg)
{
    store *s = arg;
    pthread_mutex_lock(&s->submit_mutex);
    for (;;) {
        while (!s->pending_head && !s->committer_stop)
            pthread_cond_wait(&s->submit_cond, &s->submit_mutex);
        if (!s->pending_head)
            break; /* stopping, and nothing is left to commit */
        submit_request *batch = s->pending_head;
        s->pending_head = s->pending_tail = NULL;
        pthread_mutex_unlock(&s->submit_mutex);
        commit_batch(s, batch);
        for (submit_request *r = batch, *next; r; r = next) {
            next = r->next;
            r->done(r->done_cls, r->rc);
            free(r);
        }
        pthread_mutex_lock(&s->submit_mutex);
    }
    pthread_mutex_unlock(&s->submit_mutex);
    return NULL;
}

int store_submit_start(store *s, const job_new *job, char id_out[ULID_LEN + 1],
                       store_submit_done done, void *cls)
{
    submit_request *req = calloc(1, sizeof *req);
    if (!req)
        return BASIN_ENOMEM;
    req->job = job;
    req->done = done;
    req->done_cls = cls;
    ulid_new(req->id);
    memcpy(id_out, req->id, sizeof req->id);
    pthread_mutex_lock(&s->submit_mutex);
    if (!s->committer_started) {
        if (pthread_create(&s->committer, NULL, committer_main, s) != 0) {
            pthread_mutex_unlock(&s->submit_mutex);
            free(req);
            return BASIN_ENOMEM;
        }
        s->committer_started = true;
    }
    if (s->pending_tail)
        s->pending_tail->next = req;
    else
        s->pending_head = req;
    s->pending_tail = req;
    pthread_cond_signal(&s->submit_cond);
    pthread_mutex_unlock(&s->submit_mutex);
    return 0;
}

void store_committer_stop(store *s)
{
    pthread_mutex_lock(&s->submit_mutex);
    bool started = s->committer_started;
    s->committer_stop = true;
    pthread_cond_signal(&s->submit_cond);
    pthread_mutex_unlock(&s->submit_mutex);
    if (started)
        pthread_join(s->committer, NULL);
}

/* A synchronous submit: the caller sleeps until the committer has committed its job. */
typedef struct submit_wait {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool done;
    int rc;
} submit_wait;

static void submit_wait_done(void *cls, int rc)
{
    submit_wait *w = cls;
    pthread_mutex_lock(&w->mutex);
    w->rc = rc;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mutex);
}

int store_submit(store *s, const job_new *job, char id_out[ULID_LEN + 1])
{
    submit_wait w = {.done = false};
    pthread_mutex_init(&w.mutex, NULL);
    pthread_cond_init(&w.cond, NULL);
    char id[ULID_LEN + 1];
    int rc = store_submit_start(s, job, id, submit_wait_done, &w);
    if (rc == 0) {
        pthread_mutex_lock(&w.mutex);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.mutex);
        pthread_mutex_unlock(&w.mutex);
        rc = w.rc;
    }
    pthread_mutex_destroy(&w.mutex);
    pthread_cond_destroy(&w.cond);
    if (rc == 0)
        memcpy(id_out, id, sizeof id);
    return rc;
}

/* ---- reading jobs ------------------------------------------------------------------ */

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? t : "");
}

void store_read_job_row(sqlite3_stmt *st, job_row *row)
{
    memset(row, 0, sizeof *row);
    copy_text(row->id, sizeof row->id, st, 0);
    copy_text(row->kind, sizeof row->kind, st, 1);
    copy_text(row->model_version, sizeof row->model_version, st, 2);
    const char *status = (const char *)sqlite3_column_text(st, 3);
    if (!status || job_status_parse(status, &row->status))
        row->status = JOB_FAILED;
    row->params = store_column_json(st, 4, json_object());
    row->labels = store_column_json(st, 5, json_object());
    row->priority = sqlite3_column_int(st, 6);
    row->attempts = sqlite3_column_int(st, 7);
    row->max_attempts = sqlite3_column_int(st, 8);
    row->timeout_s = sqlite3_column_double(st, 9);
    row->progress = sqlite3_column_double(st, 10);
    row->cancel_requested = sqlite3_column_int(st, 11) != 0;
    row->created_at = sqlite3_column_int64(st, 12);
    row->started_at = sqlite3_column_int64(st, 13);
    row->finished_at = sqlite3_column_int64(st, 14);
    row->run_after = sqlite3_column_int64(st, 15);
    row->updated_at = sqlite3_column_int64(st, 16);
    copy_text(row->error_code, sizeof row->error_code, st, 17);
    copy_text(row->error_message, sizeof row->error_message, st, 18);
    row->has_error_step = sqlite3_column_type(st, 19) != SQLITE_NULL;
    row->error_step = sqlite3_column_int64(st, 19);
    row->summary = store_column_json(st, 20, NULL);
}

void job_row_clear(job_row *row)
{
    if (!row)
        return;
    json_decref(row->params);
    json_decref(row->labels);
    json_decref(row->summary);
    row->params = row->labels = row->summary = NULL;
}

static int get_job_on(sqlite3 *db, const char *id, job_row *out)
{
    sqlite3_stmt *st = store_cached(db, "SELECT " JOB_COLUMNS JOB_FROM "WHERE j.id = ?1");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_read_job_row(st, out);
    store_done(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(rc);
}

int store_get_job(store *s, const char *id, job_row *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    int rc = get_job_on(db, id, out);
    store_reader_put(s, db);
    return rc;
}

int store_job_status(store *s, const char *id, job_status *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_cached(db, "SELECT status FROM jobs WHERE id = ?1");
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = job_status_parse((const char *)sqlite3_column_text(st, 0), out);
        else
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        store_done(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_job_version(store *s, const char *id, job_version *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_cached(db, "SELECT status, attempts, cancel_requested, fence, "
                                        "updated_at FROM jobs WHERE id = ?1");
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            snprintf(out->id, sizeof out->id, "%s", id);
            rc = job_status_parse((const char *)sqlite3_column_text(st, 0), &out->status);
            out->attempts = sqlite3_column_int(st, 1);
            out->cancel_requested = sqlite3_column_int(st, 2) != 0;
            out->fence = sqlite3_column_int64(st, 3);
            out->updated_at = sqlite3_column_int64(st, 4);
        } else {
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        }
        store_done(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_counts(store *s, queue_counts *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_prepare(db, "SELECT status, count(*) FROM jobs GROUP BY status");
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    queue_counts c = {0};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        job_status js;
        if (job_status_parse((const char *)sqlite3_column_text(st, 0), &js) == 0)
            c.by_status[js] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (step != SQLITE_DONE)
        return store_rc(step);
    *out = c;
    return 0;
}

int store_queue_depth(store *s, int64_t *queued, int64_t *running)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    static const char *const sql[2] = {
        "SELECT count(*) FROM jobs INDEXED BY jobs_queue WHERE status = 'queued'",
        "SELECT count(*) FROM jobs INDEXED BY jobs_running WHERE status = 'running'",
    };
    int64_t *out[2] = {queued, running};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = store_cached(db, sql[i]);
        if (!st) {
            rc = BASIN_EDB;
            break;
        }
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            *out[i] = sqlite3_column_int64(st, 0);
        else
            rc = store_rc(step);
        store_done(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_counts_by_kind(store *s,
                         void (*fn)(void *user, const char *kind, const char *status,
                                    int64_t count),
                         void *user)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st =
        db ? store_prepare(db, "SELECT kind, status, count(*) FROM jobs GROUP BY kind, status")
           : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn(user, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
           sqlite3_column_int64(st, 2));
    sqlite3_finalize(st);
    store_reader_put(s, db);
    return step == SQLITE_DONE ? 0 : store_rc(step);
}

/* ---- cancel and delete ------------------------------------------------------------- */

int store_cancel(store *s, const char *id, job_row *out)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    job_row row;
    rc = get_job_on(db, id, &row);
    if (rc == 0) {
        int64_t now = clock_wall_ms();
        sqlite3_stmt *st = NULL;
        if (row.status == JOB_QUEUED) {
            st = store_prepare(db, "UPDATE jobs SET status = 'cancelled', finished_at = ?2, "
                                   "updated_at = ?2, cancel_requested = 1, error_code = "
                                   "'cancelled', error_message = 'cancelled before it ran' "
                                   "WHERE id = ?1");
        } else if (row.status == JOB_RUNNING) {
            st = store_prepare(db, "UPDATE jobs SET cancel_requested = 1, updated_at = ?2 "
                                   "WHERE id = ?1");
        } else {
            rc = BASIN_ECONFLICT;
        }
        job_row_clear(&row);
        if (st) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now);
            rc = store_step_done(st);
        }
        if (rc == 0 && out)
            rc = get_job_on(db, id, out);
    }
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end) {
        job_row_clear(out);
        rc = end;
    }
    return rc;
}

int store_delete_job(store *s, const char *id)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st = store_prepare(
        db, "DELETE FROM jobs WHERE id = ?1 AND status IN ('succeeded','failed','cancelled')");
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        rc = store_step_done(st);
    } else {
        rc = BASIN_EDB;
    }
    if (rc == 0 && sqlite3_changes(db) == 0) {
        job_status js;
        sqlite3_stmt *q = store_prepare(db, "SELECT status FROM jobs WHERE id = ?1");
        rc = BASIN_ENOTFOUND;
        if (q) {
            sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW &&
                job_status_parse((const char *)sqlite3_column_text(q, 0), &js) == 0)
                rc = BASIN_ECONFLICT;
            sqlite3_finalize(q);
        }
    }
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

/* ---- the queue ------------------------------------------------------------------------ */

void job_claim_clear(job_claim *c)
{
    if (c) {
        json_decref(c->params);
        c->params = NULL;
    }
}

/* Claims the best due job inside the caller's write transaction. Claim and next-due
 * queries name their partial indexes: without statistics SQLite prefers jobs_status and
 * sorts the whole queue, which at 10^5 queued jobs costs ~50 ms per claim instead of
 * ~50 µs. */
static int claim_on(sqlite3 *db, const char *owner, int64_t lease_ms, job_claim *out)
{
    sqlite3_stmt *st = store_cached(
        db, "UPDATE jobs SET status = 'running', attempts = attempts + 1, fence = fence + 1, "
            "lease_owner = ?1, lease_expires = ?2 + ?3, started_at = ?2, updated_at = ?2, "
            "progress = 0 "
            "WHERE id = (SELECT id FROM jobs INDEXED BY jobs_queue WHERE status = 'queued' "
            "AND run_after <= ?2 "
            "            ORDER BY priority DESC, id LIMIT 1) "
            "RETURNING id, kind, params, fence, attempts, max_attempts, timeout_s, "
            "max(run_after, created_at)");
    if (!st)
        return BASIN_EDB;
    int64_t now = clock_wall_ms();
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, lease_ms);
    int step = sqlite3_step(st);
    int rc = 0;
    job_claim c = {0};
    if (step == SQLITE_ROW) {
        copy_text(c.id, sizeof c.id, st, 0);
        copy_text(c.kind, sizeof c.kind, st, 1);
        c.params = store_column_json(st, 2, json_object());
        c.fence = sqlite3_column_int64(st, 3);
        c.attempts = sqlite3_column_int(st, 4);
        c.max_attempts = sqlite3_column_int(st, 5);
        c.timeout_s = sqlite3_column_double(st, 6);
        c.due_ms = sqlite3_column_int64(st, 7);
        step = sqlite3_step(st);
    } else {
        rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
    }
    store_done(st);
    if (rc)
        job_claim_clear(&c);
    else
        *out = c;
    return rc;
}

int store_claim(store *s, const char *owner, int64_t lease_ms, job_claim *out)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    job_claim c = {0};
    rc = claim_on(db, owner, lease_ms, &c);
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end)
        rc = end;
    if (rc) {
        job_claim_clear(&c);
        return rc;
    }
    *out = c;
    return 0;
}

int store_heartbeat(store *s, const char *id, int64_t fence, double progress, int64_t lease_ms,
                    bool *cancel_requested)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    int64_t now = clock_wall_ms();
    sqlite3_stmt *st = store_cached(
        db, "UPDATE jobs SET lease_expires = ?3 + ?4, progress = ?5, updated_at = ?3 "
            "WHERE id = ?1 AND fence = ?2 AND status = 'running' RETURNING cancel_requested");
    if (!st) {
        store_write_end(s, false);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, fence);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, lease_ms);
    sqlite3_bind_double(st, 5, progress);
    int step = sqlite3_step(st);
    bool cancel = false;
    if (step == SQLITE_ROW) {
        cancel = sqlite3_column_int(st, 0) != 0;
        step = sqlite3_step(st);
    } else {
        rc = step == SQLITE_DONE ? BASIN_EFENCED : store_rc(step);
    }
    store_done(st);
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end)
        rc = end;
    if (rc == 0 && cancel_requested)
        *cancel_requested = cancel;
    return rc;
}

/* Stores the end of a run inside the caller's write transaction (fenced). */
static int finish_on(sqlite3 *db, const char *id, int64_t fence, const job_outcome *o)
{
    sqlite3_stmt *st = store_cached(
        db, "UPDATE jobs SET status = ?3, finished_at = ?4, updated_at = ?4, "
            "progress = CASE WHEN ?3 = 'succeeded' THEN 1 ELSE progress END, "
            "lease_owner = NULL, lease_expires = NULL, error_code = ?5, error_message = ?6, "
            "error_step = ?7 WHERE id = ?1 AND fence = ?2 AND status = 'running'");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, fence);
    sqlite3_bind_text(st, 3, job_status_name(o->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, clock_wall_ms());
    if (o->error_code)
        sqlite3_bind_text(st, 5, o->error_code, -1, SQLITE_STATIC);
    if (o->error_message)
        sqlite3_bind_text(st, 6, o->error_message, -1, SQLITE_STATIC);
    if (o->has_error_step)
        sqlite3_bind_int64(st, 7, o->error_step);
    int step = sqlite3_step(st);
    store_done(st);
    int rc = step == SQLITE_DONE ? 0 : store_rc(step);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = BASIN_EFENCED;
    if (rc == 0 && o->output)
        rc = store_write_output(db, id, o->output);
    return rc;
}

int store_finish(store *s, const char *id, int64_t fence, const job_outcome *o)
{
    return store_finish_then_claim(s, id, fence, o, NULL, 0, NULL);
}

int store_finish_then_claim(store *s, const char *id, int64_t fence, const job_outcome *o,
                            const char *owner, int64_t lease_ms, job_claim *next)
{
    if (next)
        memset(next, 0, sizeof *next);
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    rc = finish_on(db, id, fence, o);
    if (rc == 0 && next) {
        /* The claim may fail alone (nothing due, or an error): the finish still commits. */
        run_cached(db, "SAVEPOINT next");
        if (claim_on(db, owner, lease_ms, next) != 0)
            run_cached(db, "ROLLBACK TO next");
        run_cached(db, "RELEASE next");
    }
    int end = store_write_end(s, rc == 0);
    if ((rc || end) && next) {
        job_claim_clear(next);
        next->id[0] = '\0';
    }
    return rc ? rc : end;
}

int store_requeue(store *s, const char *id, int64_t fence, int64_t run_after_ms, bool count_attempt,
                  const char *error_code, const char *error_message)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st = store_prepare(
        db, "UPDATE jobs SET status = 'queued', fence = fence + 1, lease_owner = NULL, "
            "lease_expires = NULL, run_after = ?3, updated_at = ?4, progress = 0, "
            "attempts = attempts - ?5, error_code = coalesce(?6, error_code), "
            "error_message = coalesce(?7, error_message) "
            "WHERE id = ?1 AND fence = ?2 AND status = 'running'");
    if (!st) {
        store_write_end(s, false);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, fence);
    sqlite3_bind_int64(st, 3, run_after_ms);
    sqlite3_bind_int64(st, 4, clock_wall_ms());
    sqlite3_bind_int(st, 5, count_attempt ? 0 : 1);
    if (error_code)
        sqlite3_bind_text(st, 6, error_code, -1, SQLITE_STATIC);
    if (error_message)
        sqlite3_bind_text(st, 7, error_message, -1, SQLITE_STATIC);
    rc = store_step_done(st);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = BASIN_EFENCED;
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

int store_recover(store *s, int64_t now_ms, const char *dead_owner, int *n)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    /* Out of attempts: the job fails; otherwise it goes back to the queue at once (the
     * crash itself is the backoff). Both bump the fence so a straggler cannot write. */
    static const char *const sql[2] = {
        "UPDATE jobs SET status = 'failed', fence = fence + 1, finished_at = ?1, "
        "updated_at = ?1, lease_owner = NULL, lease_expires = NULL, error_code = "
        "'worker_lost', error_message = 'the worker running this job stopped (its "
        "process died or its lease expired) and no attempts are left' WHERE status = 'running' AND "
        "attempts >= "
        "max_attempts AND (lease_expires < ?1 OR lease_owner = ?2)",
        "UPDATE jobs SET status = 'queued', fence = fence + 1, run_after = ?1, "
        "updated_at = ?1, lease_owner = NULL, lease_expires = NULL, progress = 0, "
        "error_code = 'worker_lost', error_message = 'the worker running this job "
        "stopped (its process died or its lease expired); requeued' WHERE status = 'running' AND "
        "(lease_expires < ?1 OR lease_owner = ?2)",
    };
    int touched = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = store_prepare(db, sql[i]);
        if (!st) {
            rc = BASIN_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, now_ms);
        if (dead_owner)
            sqlite3_bind_text(st, 2, dead_owner, -1, SQLITE_STATIC);
        rc = store_step_done(st);
        touched += sqlite3_changes(db);
    }
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end == 0 && n)
        *n = touched;
    return rc ? rc : end;
}

int store_running_owners(store *s, json_t **out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_prepare(db, "SELECT DISTINCT lease_owner FROM jobs WHERE "
                                         "status = 'running' AND lease_owner IS NOT NULL");
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    json_t *owners = json_array();
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(owners, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (step != SQLITE_DONE) {
        json_decref(owners);
        return store_rc(step);
    }
    *out = owners;
    return 0;
}

int store_next_due(store *s, int64_t *ms)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    sqlite3_stmt *st = store_cached(
        db, "SELECT min(run_after) FROM jobs INDEXED BY jobs_due WHERE status = 'queued'");
    int rc = BASIN_EDB;
    if (st) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            *ms = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            rc = step == SQLITE_ROW ? BASIN_ENOTFOUND : store_rc(step);
        }
        store_done(st);
    }
    store_reader_put(s, db);
    return rc;
}
