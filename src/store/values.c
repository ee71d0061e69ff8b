/*
 * values.c — the registry of indexed value fields and the rows of job_values
 * (migrations/0006_job_values.sql).
 *
 * Invariant: for a ready field F and every job J, job_values has the row (J, F, v) exactly
 * when the listing's expression for F on J (query.c) is a non-null v. Three kinds of write
 * keep it: registration backfills every job that exists (in batches, each its own writer
 * transaction, then marks the field ready); a job's insert writes its params and labels
 * values (store_values_job/sweep); its output writes its summary and series values
 * (store_values_output). Deletes follow the foreign keys. A field registered between two
 * writes is seen by the later one, since all of them hold the writer; so no job is missed.
 *
 * Every value is computed by SQLite from the stored row, with the expression the listing
 * uses, never from the C objects: the index then agrees with the listing to the last bit
 * (the same JSON parser reads the same text).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "values.h"

typedef struct field_key {
    where_source source;
    char path[WHERE_MAX_PATH * 2 + 8]; /* json_extract path, or the series name */
    const char *stat;                  /* series column, or "" */
} field_key;

static const char *const source_name[] = {
    [WHERE_SUMMARY] = "summary",
    [WHERE_PARAMS] = "params",
    [WHERE_LABELS] = "labels",
    [WHERE_SERIES] = "series",
};

static const char *const series_column[] = {
    [STAT_MIN] = "vmin",   [STAT_MAX] = "vmax", [STAT_MEAN] = "vmean",
    [STAT_LAST] = "vlast", [STAT_COUNT] = "n",
};

const char *store_series_column(where_stat stat)
{
    return series_column[stat];
}

void store_json_path(const char *dotted, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "$");
    for (const char *seg = dotted; *seg && n < cap;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        n += (size_t)snprintf(out + n, cap - n, ".\"%.*s\"", (int)len, seg);
        seg += len + (dot ? 1 : 0);
    }
}

/* ---- writes that give jobs values ----------------------------------------------------- */

/* The value of a series statistic, chosen by the field's stat (a bound or column name). */
#define SERIES_STAT(stat)                                                                          \
    "CASE " stat " WHEN 'vmin' THEN s.vmin WHEN 'vmax' THEN s.vmax WHEN 'vmean' THEN s.vmean "     \
    "WHEN 'vlast' THEN s.vlast WHEN 'n' THEN s.n END"

/* Runs a cached statement with text ?1 = key to completion. */
static int run_keyed(sqlite3 *db, const char *sql, const char *key)
{
    sqlite3_stmt *st = store_cached(db, sql);
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    store_done(st);
    return step == SQLITE_DONE ? 0 : store_rc(step);
}

/* Params and labels values of new jobs, for every registered field of those sources:
 *   (j, f, json_extract(j.params | j.labels, f.path)) where that is not null. */
#define JOB_VALUES_SQL(which_jobs)                                                                 \
    "INSERT OR REPLACE INTO job_values (job_id, field, value) "                                    \
    "SELECT j.id, f.id, json_extract(CASE f.source WHEN 'params' THEN j.params "                   \
    "ELSE j.labels END, f.path) AS v FROM value_fields f CROSS JOIN jobs j "                       \
    "WHERE f.source IN ('params', 'labels') AND " which_jobs " AND v IS NOT NULL"

bool store_values_from_inputs(sqlite3 *db)
{
    sqlite3_stmt *st =
        store_cached(db, "SELECT 1 FROM value_fields WHERE source IN ('params', 'labels') LIMIT 1");
    if (!st)
        return true; /* cannot tell: index, which is never wrong */
    bool any = sqlite3_step(st) != SQLITE_DONE;
    store_done(st);
    return any;
}

int store_values_job(sqlite3 *db, const char *id)
{
    return run_keyed(db, JOB_VALUES_SQL("j.id = ?1"), id);
}

int store_values_sweep(sqlite3 *db, const char *sweep_id)
{
    return run_keyed(db, JOB_VALUES_SQL("j.sweep_id = ?1"), sweep_id);
}

int store_values_output(sqlite3 *db, const char *id)
{
    /* Delete, then insert: a rewritten output leaves no value of the old one behind. */
    static const char *const sql[] = {
        "DELETE FROM job_values WHERE job_id = ?1 AND field IN "
        "(SELECT id FROM value_fields WHERE source IN ('summary', 'series'))",
        "INSERT INTO job_values (job_id, field, value) "
        "SELECT r.job_id, f.id, json_extract(r.summary, f.path) AS v "
        "FROM value_fields f CROSS JOIN results r "
        "WHERE f.source = 'summary' AND r.job_id = ?1 AND v IS NOT NULL",
        "INSERT INTO job_values (job_id, field, value) "
        "SELECT s.job_id, f.id, " SERIES_STAT("f.stat") " AS v "
                                                        "FROM value_fields f CROSS JOIN series s "
                                                        "WHERE f.source = 'series' AND s.job_id = "
                                                        "?1 AND s.name = f.path AND v IS NOT NULL",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++)
        rc = run_keyed(db, sql[i], id);
    return rc;
}

/* ---- registration and backfill -------------------------------------------------------- */

/* Binds the field's key: ?1 source, ?2 path, ?3 stat (unused indexes are ignored). */
static void bind_key(sqlite3_stmt *st, const field_key *k)
{
    sqlite3_bind_text(st, 1, source_name[k->source], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->stat, -1, SQLITE_STATIC);
}

/* 0 with the field's id and ready flag, BASIN_ENOTFOUND when not registered. */
static int lookup(sqlite3 *db, const field_key *k, int64_t *id, bool *ready)
{
    sqlite3_stmt *st = store_cached(
        db, "SELECT id, ready FROM value_fields WHERE source = ?1 AND path = ?2 AND stat = ?3");
    if (!st)
        return BASIN_EDB;
    bind_key(st, k);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *ready = sqlite3_column_int(st, 1) != 0;
    }
    store_done(st);
    return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
}

/* Whether some job has a non-null value for the field: fields nobody has (a typo, another
 * kind's key) are not registered, so they cost no write and take no slot. */
static const char *const probe_sql[] = {
    [WHERE_SUMMARY] = "SELECT 1 FROM results WHERE json_extract(summary, ?2) IS NOT NULL LIMIT 1",
    [WHERE_PARAMS] = "SELECT 1 FROM jobs WHERE json_extract(params, ?2) IS NOT NULL LIMIT 1",
    [WHERE_LABELS] = "SELECT 1 FROM jobs WHERE json_extract(labels, ?2) IS NOT NULL LIMIT 1",
    [WHERE_SERIES] =
        "SELECT 1 FROM series s WHERE s.name = ?2 AND " SERIES_STAT("?3") " IS NOT NULL LIMIT 1",
};

/* Registers the field (not ready): 0 and *id; BASIN_ENOTFOUND when the registry is full or
 * no job has a value. */
static int register_field(store *s, const field_key *k, int64_t *id)
{
    sqlite3 *rdb = store_reader_get(s);
    if (!rdb)
        return BASIN_EDB;
    int rc = BASIN_EDB;
    sqlite3_stmt *st = store_cached(rdb, "SELECT count(*) FROM value_fields");
    if (st) {
        int step = sqlite3_step(st);
        rc = step != SQLITE_ROW                                 ? store_rc(step)
             : sqlite3_column_int64(st, 0) >= VALUES_MAX_FIELDS ? BASIN_ENOTFOUND
                                                                : 0;
        store_done(st);
    }
    if (rc == 0) {
        st = store_prepare(rdb, probe_sql[k->source]);
        rc = BASIN_EDB;
        if (st) {
            bind_key(st, k);
            int step = sqlite3_step(st);
            rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
            sqlite3_finalize(st);
        }
    }
    store_reader_put(s, rdb);
    if (rc)
        return rc;

    sqlite3 *db;
    rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    st = store_prepare(db, "INSERT OR IGNORE INTO value_fields (source, path, stat) "
                           "VALUES (?1, ?2, ?3)");
    if (st)
        bind_key(st, k);
    rc = store_step_done(st);
    bool ready;
    if (rc == 0)
        rc = lookup(db, k, id, &ready);
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

/* Values of field ?1 for the jobs with ?4 < id <= ?5 (?2 path, ?3 stat): the same
 * expressions as the listing's, over every job of the range. */
static const char *const backfill_sql[] = {
    [WHERE_SUMMARY] = "INSERT OR REPLACE INTO job_values (job_id, field, value) "
                      "SELECT job_id, ?1, json_extract(summary, ?2) AS v FROM results "
                      "WHERE job_id > ?4 AND job_id <= ?5 AND v IS NOT NULL",
    [WHERE_PARAMS] = "INSERT OR REPLACE INTO job_values (job_id, field, value) "
                     "SELECT id, ?1, json_extract(params, ?2) AS v FROM jobs "
                     "WHERE id > ?4 AND id <= ?5 AND v IS NOT NULL",
    [WHERE_LABELS] = "INSERT OR REPLACE INTO job_values (job_id, field, value) "
                     "SELECT id, ?1, json_extract(labels, ?2) AS v FROM jobs "
                     "WHERE id > ?4 AND id <= ?5 AND v IS NOT NULL",
    [WHERE_SERIES] =
        "INSERT OR REPLACE INTO job_values (job_id, field, value) "
        "SELECT s.job_id, ?1, " SERIES_STAT(
            "?3") " AS v FROM series s "
                  "WHERE s.job_id > ?4 AND s.job_id <= ?5 AND s.name = ?2 AND v IS NOT NULL",
};

/* One backfill transaction: the next VALUES_BATCH jobs after *after (by id); marks the
 * field ready when none is left. *done tells whether it did. */
static int backfill_batch(store *s, const field_key *k, int64_t id, char after[ULID_LEN + 1],
                          bool *done)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    char upto[ULID_LEN + 1] = "";
    sqlite3_stmt *st = store_cached(
        db, "SELECT max(id) FROM (SELECT id FROM jobs WHERE id > ?1 ORDER BY id LIMIT ?2)");
    rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, VALUES_BATCH);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            snprintf(upto, sizeof upto, "%s", t ? t : "");
            rc = 0;
        } else {
            rc = store_rc(step);
        }
        store_done(st);
    }
    if (rc == 0 && upto[0]) {
        st = store_prepare(db, backfill_sql[k->source]);
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, k->path, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, k->stat, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, after, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, upto, -1, SQLITE_STATIC);
        }
        rc = store_step_done(st);
    } else if (rc == 0) {
        st = store_prepare(db, "UPDATE value_fields SET ready = 1 WHERE id = ?1");
        if (st)
            sqlite3_bind_int64(st, 1, id);
        rc = store_step_done(st);
    }
    int end = store_write_end(s, rc == 0);
    if (rc || end)
        return rc ? rc : end;
    *done = upto[0] == '\0';
    memcpy(after, upto, sizeof upto);
    return 0;
}

/* Builds are serialised in this process: a second listing that needs a field being built
 * waits for it instead of building it again. (Another process building the same field
 * only repeats idempotent writes.) */
static pthread_mutex_t build_mutex = PTHREAD_MUTEX_INITIALIZER;

int store_values_field(store *s, const where_field *f, int64_t *id)
{
    if (f->source == WHERE_COLUMN)
        return BASIN_ENOTFOUND;
    field_key k = {.source = f->source, .stat = ""};
    if (f->source == WHERE_SERIES) {
        snprintf(k.path, sizeof k.path, "%s", f->path);
        k.stat = series_column[f->stat];
    } else {
        store_json_path(f->path, k.path, sizeof k.path);
    }
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    int64_t fid = 0;
    bool ready = false;
    int rc = lookup(db, &k, &fid, &ready);
    store_reader_put(s, db);
    if (rc == 0 && ready) {
        *id = fid;
        return 0;
    }
    if (rc && rc != BASIN_ENOTFOUND)
        return rc;

    pthread_mutex_lock(&build_mutex);
    db = store_reader_get(s);
    rc = db ? lookup(db, &k, &fid, &ready) : BASIN_EDB;
    store_reader_put(s, db);
    if (rc == BASIN_ENOTFOUND) {
        ready = false;
        rc = register_field(s, &k, &fid);
    }
    char after[ULID_LEN + 1] = "";
    for (bool done = ready; rc == 0 && !done;)
        rc = backfill_batch(s, &k, fid, after, &done);
    pthread_mutex_unlock(&build_mutex);
    if (rc == 0)
        *id = fid;
    return rc;
}
