/*
 * store_internal.h — what the store's files share: the connections and statement helpers.
 * Not for use outside src/store/.
 */
#ifndef BASIN_STORE_INTERNAL_H
#define BASIN_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>

#include "store.h"

#define STORE_MAX_READERS 16

typedef struct submit_request submit_request;

struct store {
    char *path;
    bool sync_full;
    int busy_timeout_ms;
    int64_t max_db_bytes; /* 0: no quota */

    pthread_mutex_t writer_mutex; /* guards writer */
    sqlite3 *writer;

    pthread_mutex_t pool_mutex; /* guards the reader pool */
    pthread_cond_t pool_cond;
    sqlite3 *idle[STORE_MAX_READERS];
    int n_idle, n_open;

    /* Group commit: submitters queue requests; the committer thread commits them in
     * batches (jobs.c). Started by the first submit, stopped by store_close. */
    pthread_mutex_t submit_mutex;
    pthread_cond_t submit_cond; /* signalled when a request is queued, or to stop */
    submit_request *pending_head, *pending_tail;
    pthread_t committer;
    bool committer_started, committer_stop;

    struct space_registry *spaces; /* the memory-space caches (spaces.c) */
    atomic_uint_fast64_t commits;  /* write transactions committed by this process */
};

#define JOB_COLUMNS                                                                                \
    "j.id, j.kind, j.model_version, j.status, j.params, j.labels, j.priority, j.attempts, "        \
    "j.max_attempts, j.timeout_s, j.progress, j.cancel_requested, j.created_at, "                  \
    "j.started_at, j.finished_at, j.run_after, j.updated_at, j.error_code, "                       \
    "j.error_message, j.error_step, r.summary"
#define JOB_FROM " FROM jobs j LEFT JOIN results r ON r.job_id = j.id "

/* Commits what is queued, then stops the committer thread (if it was started). */
void store_committer_stop(store *s);

/* Reads one row selected with JOB_COLUMNS JOB_FROM into *row. */
void store_read_job_row(sqlite3_stmt *st, job_row *row);

/* Opens one connection with basin's pragmas. */
int store_connect(store *s, sqlite3 **out, char *errbuf, size_t errcap);
/* Borrows a reader connection (waits if all are busy); give it back with store_reader_put. */
sqlite3 *store_reader_get(store *s);
void store_reader_put(store *s, sqlite3 *db);
/* Locks the writer and begins an IMMEDIATE transaction; on failure the writer is unlocked
 * and a basin code returned. */
int store_write_begin(store *s, sqlite3 **db);
/* Commits (ok) or rolls back (!ok) and unlocks the writer. Returns the commit's result. */
int store_write_end(store *s, bool ok);
/* Maps an SQLite result code to a basin code (BUSY/LOCKED → BASIN_EBUSY, else EDB). */
int store_rc(int sqlite_rc);
/* A statement of db prepared once and kept (hot paths): reset and unbound, ready to bind.
 * Give it back with store_done(), never sqlite3_finalize(). NULL on failure. */
sqlite3_stmt *store_cached(sqlite3 *db, const char *sql);
/* Resets a cached statement after use (keeps it for the next caller on this connection). */
void store_done(sqlite3_stmt *st);
/* The memory-space caches of s (spaces.c): created empty by store_open, freed with every
 * cache by store_close. 0 or BASIN_ENOMEM; close accepts a store whose open failed. */
int store_spaces_open(store *s);
void store_spaces_close(store *s);
/* Finalizes every statement of db and closes it. */
void store_disconnect(sqlite3 *db);

/* Prepares sql on db; NULL on failure. */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);
/* Executes a prepared, bound statement to completion and finalises it; basin code. */
int store_step_done(sqlite3_stmt *st);
/* Column as a new JSON reference parsed from text; NULL column or bad JSON → def (taken). */
json_t *store_column_json(sqlite3_stmt *st, int col, json_t *def);
/* Binds a JSON value as compact text. */
int store_bind_json(sqlite3_stmt *st, int idx, const json_t *value);

#endif
