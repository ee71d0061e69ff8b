/*
 * db.c — connections, pragmas and migrations of the store.
 *
 * One writer connection behind writer_mutex and a pool of readers, all in WAL mode so that
 * readers never block the writer. Migrations are the embedded migrations/NNNN_*.sql files;
 * PRAGMA user_version holds how many have been applied, and all pending ones are applied
 * in one transaction, so a crash leaves the schema at the old or the new version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util/json_text.h"

extern const char *const basin_migrations[];
extern const char *const basin_migrations_names[];
extern const size_t basin_migrations_count;

int store_schema_latest(void)
{
    return (int)basin_migrations_count;
}

int store_rc(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BASIN_EBUSY;
    case SQLITE_FULL:
        return BASIN_EFULL;
    default:
        return BASIN_EDB;
    }
}

int store_connect(store *s, sqlite3 **out, char *errbuf, size_t errcap)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(s->path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (errbuf)
            snprintf(errbuf, errcap, "cannot open %s: %s", s->path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return BASIN_EDB;
    }
    sqlite3_busy_timeout(db, s->busy_timeout_ms);
    char pragmas[320];
    int n = snprintf(pragmas, sizeof pragmas,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;",
                     s->sync_full ? "FULL" : "NORMAL");
    if (s->max_db_bytes > 0) /* a size quota: writes past it fail with SQLITE_FULL */
        snprintf(pragmas + n, sizeof pragmas - (size_t)n, " PRAGMA max_page_count = %lld;",
                 (long long)(s->max_db_bytes / 4096));
    char *msg = NULL;
    rc = sqlite3_exec(db, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (errbuf)
            snprintf(errbuf, errcap, "cannot configure %s: %s", s->path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return store_rc(rc);
    }
    *out = db;
    return 0;
}

static int user_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st = store_prepare(db, "PRAGMA user_version");
    if (!st)
        return BASIN_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_rc(rc);
}

int store_migrate(store *s, int *from, int *to, char *errbuf, size_t errcap)
{
    int latest = store_schema_latest();
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc) {
        snprintf(errbuf, errcap, "cannot lock the database for migration");
        return rc;
    }
    int version = 0;
    rc = user_version(db, &version);
    if (rc == 0 && version > latest) {
        snprintf(errbuf, errcap,
                 "%s has schema version %d but this basin knows only up to %d: "
                 "it was written by a newer basin; upgrade basin or use another --db",
                 s->path, version, latest);
        rc = BASIN_ESCHEMA;
    }
    for (int v = version; rc == 0 && v < latest; v++) {
        char *msg = NULL;
        if (sqlite3_exec(db, basin_migrations[v], NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(errbuf, errcap, "migration %s failed: %s", basin_migrations_names[v],
                     msg ? msg : "?");
            rc = BASIN_EDB;
        }
        sqlite3_free(msg);
    }
    if (rc == 0 && version < latest) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", latest);
        rc = store_rc(sqlite3_exec(db, sql, NULL, NULL, NULL));
    }
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end) {
        snprintf(errbuf, errcap, "cannot commit the migration");
        rc = end;
    }
    if (rc == 0) {
        if (from)
            *from = version;
        if (to)
            *to = version > latest ? version : latest;
    }
    return rc;
}

int store_open(const store_options *opt, store **out, char *errbuf, size_t errcap)
{
    store *s = calloc(1, sizeof *s);
    if (!s)
        return BASIN_ENOMEM;
    s->path = strdup(opt->path);
    s->sync_full = opt->sync_full;
    s->busy_timeout_ms = opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000;
    s->max_db_bytes = opt->max_db_bytes;
    pthread_mutex_init(&s->writer_mutex, NULL);
    pthread_mutex_init(&s->pool_mutex, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    pthread_mutex_init(&s->submit_mutex, NULL);
    pthread_cond_init(&s->submit_cond, NULL);
    int rc = s->path ? store_connect(s, &s->writer, errbuf, errcap) : BASIN_ENOMEM;
    if (rc == 0)
        rc = store_spaces_open(s);
    if (rc == 0 && opt->migrate)
        rc = store_migrate(s, NULL, NULL, errbuf, errcap);
    if (rc == 0 && !opt->migrate) {
        int version = 0;
        rc = user_version(s->writer, &version);
        if (rc == 0 && version > store_schema_latest()) {
            snprintf(errbuf, errcap, "%s was written by a newer basin (schema %d > %d)", s->path,
                     version, store_schema_latest());
            rc = BASIN_ESCHEMA;
        }
    }
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (!s)
        return;
    store_committer_stop(s);
    store_spaces_close(s);
    for (int i = 0; i < s->n_idle; i++)
        store_disconnect(s->idle[i]);
    store_disconnect(s->writer);
    pthread_mutex_destroy(&s->writer_mutex);
    pthread_mutex_destroy(&s->pool_mutex);
    pthread_cond_destroy(&s->pool_cond);
    pthread_mutex_destroy(&s->submit_mutex);
    pthread_cond_destroy(&s->submit_cond);
    free(s->path);
    free(s);
}

sqlite3 *store_reader_get(store *s)
{
    pthread_mutex_lock(&s->pool_mutex);
    for (;;) {
        if (s->n_idle > 0) {
            sqlite3 *db = s->idle[--s->n_idle];
            pthread_mutex_unlock(&s->pool_mutex);
            return db;
        }
        if (s->n_open < STORE_MAX_READERS) {
            s->n_open++;
            pthread_mutex_unlock(&s->pool_mutex);
            sqlite3 *db = NULL;
            if (store_connect(s, &db, NULL, 0) == 0)
                return db;
            pthread_mutex_lock(&s->pool_mutex);
            s->n_open--;
            pthread_mutex_unlock(&s->pool_mutex);
            return NULL;
        }
        pthread_cond_wait(&s->pool_cond, &s->pool_mutex);
    }
}

void store_reader_put(store *s, sqlite3 *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&s->pool_mutex);
    s->idle[s->n_idle++] = db;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_mutex);
}

int store_write_begin(store *s, sqlite3 **db)
{
    pthread_mutex_lock(&s->writer_mutex);
    int rc = sqlite3_exec(s->writer, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        pthread_mutex_unlock(&s->writer_mutex);
        return store_rc(rc);
    }
    *db = s->writer;
    return 0;
}

int store_write_end(store *s, bool ok)
{
    int rc = sqlite3_exec(s->writer, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK && ok) {
        /* A failed COMMIT leaves the transaction open (e.g. SQLITE_FULL): undo it. */
        sqlite3_exec(s->writer, "ROLLBACK", NULL, NULL, NULL);
    } else if (ok) {
        atomic_fetch_add(&s->commits, 1);
    }
    pthread_mutex_unlock(&s->writer_mutex);
    return store_rc(rc);
}

uint64_t store_commits(store *s)
{
    return atomic_load(&s->commits);
}

/* Every statement store_cached() prepared, so that store_disconnect() finalizes those and
 * only those: a connection also holds statements of its virtual tables (FTS5), which
 * they finalize themselves. Touched only when a statement is first prepared and when a
 * connection closes. */
static pthread_mutex_t cached_mutex = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_stmt **cached_list;
static size_t cached_n, cached_cap;

sqlite3_stmt *store_cached(sqlite3 *db, const char *sql)
{
    /* The connection's own list of statements is the cache: a statement is used by one
     * caller at a time (connections are not shared while in use), so a match that is not
     * busy is free. Preparing costs tens of microseconds; this look-up a few strcmp. */
    for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
        if (!sqlite3_stmt_busy(st) && strcmp(sqlite3_sql(st), sql) == 0) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    pthread_mutex_lock(&cached_mutex);
    if (cached_n == cached_cap) {
        size_t cap = cached_cap ? cached_cap * 2 : 64;
        sqlite3_stmt **p = realloc(cached_list, cap * sizeof *p);
        if (p) {
            cached_list = p;
            cached_cap = cap;
        }
    }
    bool kept = cached_n < cached_cap;
    if (kept)
        cached_list[cached_n++] = st;
    pthread_mutex_unlock(&cached_mutex);
    if (!kept) { /* out of memory: use it once, uncached */
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

void store_done(sqlite3_stmt *st)
{
    if (st)
        sqlite3_reset(st);
}

void store_disconnect(sqlite3 *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&cached_mutex);
    for (size_t i = 0; i < cached_n;) {
        if (sqlite3_db_handle(cached_list[i]) == db) {
            sqlite3_finalize(cached_list[i]);
            cached_list[i] = cached_list[--cached_n];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&cached_mutex);
    sqlite3_close(db);
}

sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int store_step_done(sqlite3_stmt *st)
{
    if (!st)
        return BASIN_EDB;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_rc(rc);
}

json_t *store_column_json(sqlite3_stmt *st, int col, json_t *def)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    if (!text)
        return def;
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!v)
        return def;
    json_decref(def);
    return v;
}

int store_bind_json(sqlite3_stmt *st, int idx, const json_t *value)
{
    size_t len = 0;
    char *text = json_text(value, &len);
    if (!text)
        return BASIN_ENOMEM;
    return sqlite3_bind_text64(st, idx, text, len, free, SQLITE_UTF8) == SQLITE_OK ? 0 : BASIN_EDB;
}

int store_ping(store *s)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    int version = 0;
    int rc = user_version(db, &version);
    store_reader_put(s, db);
    return rc;
}
