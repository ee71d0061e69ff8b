/*
 * retention.c — deleting old finished jobs. Deleting a job deletes its result, series,
 * artifacts and indexed values (foreign keys ON DELETE CASCADE); freed pages are reused by
 * SQLite at once and returned to the file system by store_vacuum (`basin gc`).
 */
#include "store_internal.h"

int store_gc(store *s, int64_t before_ms, int batch, int64_t *deleted)
{
    int64_t total = 0;
    for (;;) {
        sqlite3 *db;
        int rc = store_write_begin(s, &db);
        if (rc)
            return rc;
        sqlite3_stmt *st = store_prepare(
            db, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN "
                "('succeeded', 'failed', 'cancelled') AND finished_at < ?1 LIMIT ?2)");
        if (st) {
            sqlite3_bind_int64(st, 1, before_ms);
            sqlite3_bind_int(st, 2, batch);
        }
        rc = store_step_done(st);
        int n = rc == 0 ? sqlite3_changes(db) : 0;
        if (rc == 0 && n < batch)
            rc = store_step_done(
                store_prepare(db, "DELETE FROM sweeps WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE "
                                  "jobs.sweep_id = sweeps.id)"));
        int end = store_write_end(s, rc == 0);
        if (rc || end)
            return rc ? rc : end;
        total += n;
        if (n < batch)
            break;
    }
    if (deleted)
        *deleted = total;
    return 0;
}

int store_vacuum(store *s)
{
    pthread_mutex_lock(&s->writer_mutex);
    int rc = sqlite3_exec(s->writer, "VACUUM", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->writer_mutex);
    return store_rc(rc);
}
