/*
 * test_store.c — the SQLite store against the contracts of src/store/store.h and the
 * queue semantics of docs/design (architecture.md, "Queue semantics").
 *
 * Every test runs on a fresh database: the checked fixture makes a directory with mkdtemp
 * under one base directory, opens basin.db there with store_open(migrate = true), and the
 * teardown closes the store and removes the directory. main() removes the base directory
 * at the end, so a failed test (whose teardown may not run) leaves nothing behind either.
 *
 * References: the contracts in store.h (return codes, what each call writes), the claim
 * order and fencing rules of the design, and SQLite itself (PRAGMA user_version, read with
 * the sqlite3 API directly) for the schema version.
 */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basin/error.h"
#include "models/run_ctx.h"
#include "store/store.h"
#include "store/values.h"
#include "util/clock.h"
#include "util/ulid.h"

/* ---- fixture -------------------------------------------------------------------------- */

static char base_dir[256];
static char test_dir[512];
static char db_path[1024];
static store *S;

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[2048];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void store_setup(void)
{
    snprintf(test_dir, sizeof test_dir, "%s/t.XXXXXX", base_dir);
    ck_assert_msg(mkdtemp(test_dir) != NULL, "mkdtemp %s failed", test_dir);
    snprintf(db_path, sizeof db_path, "%s/basin.db", test_dir);
    store_options opt = {.path = db_path, .sync_full = true, .migrate = true};
    char err[512] = "";
    int rc = store_open(&opt, &S, err, sizeof err);
    ck_assert_msg(rc == 0, "store_open(%s) = %d: %s", db_path, rc, err);
}

static void store_teardown(void)
{
    store_close(S);
    S = NULL;
    remove_dir(test_dir);
}

/* ---- helpers -------------------------------------------------------------------------- */

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

typedef struct submit_args {
    const char *kind;
    int priority;
    int max_attempts;
    int64_t run_after_ms;
    const json_t *labels;
} submit_args;

/* Submits a job with params {"i": i}; fails the test unless it is accepted. */
static void submit_job(const submit_args *a, int i, char id[ULID_LEN + 1])
{
    json_t *params = json_pack("{s:i}", "i", i);
    job_new job = {
        .kind = a->kind ? a->kind : "hopfield",
        .model_version = "1",
        .params = params,
        .labels = a->labels,
        .priority = a->priority,
        .max_attempts = a->max_attempts ? a->max_attempts : 3,
        .run_after_ms = a->run_after_ms,
    };
    int rc = store_submit(S, &job, id);
    json_decref(params);
    ck_assert_int_eq(rc, 0);
}

static void submit_default(char id[ULID_LEN + 1])
{
    submit_args a = {0};
    submit_job(&a, 0, id);
}

static job_row get_job(const char *id)
{
    job_row row;
    int rc = store_get_job(S, id, &row);
    ck_assert_msg(rc == 0, "store_get_job(%s) = %d", id, rc);
    return row;
}

/* Claims the next job, which must be `expect_id` (when not NULL). */
static job_claim claim_job(const char *owner, int64_t lease_ms, const char *expect_id)
{
    job_claim c;
    int rc = store_claim(S, owner, lease_ms, &c);
    ck_assert_msg(rc == 0, "store_claim = %d", rc);
    if (expect_id)
        ck_assert_str_eq(c.id, expect_id);
    return c;
}

static job_outcome succeeded(const basin_ctx *ctx)
{
    job_outcome o = {.status = JOB_SUCCEEDED, .output = ctx};
    return o;
}

static size_t count_series(const char *id)
{
    series_data *sd = NULL;
    size_t n = 99;
    ck_assert_int_eq(store_get_series(S, id, NULL, 0, &sd, &n), 0);
    series_data_free(sd, n);
    return n;
}

static size_t count_artifacts(const char *id)
{
    artifact_info *ai = NULL;
    size_t n = 99;
    ck_assert_int_eq(store_list_artifacts(S, id, &ai, &n), 0);
    free(ai);
    return n;
}

static const char unknown_id[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV"; /* valid, never issued */

/* A run's output: every kind of thing a model can record. */
static const int64_t energy_steps[] = {0, 10, 20};
static const double energy_values[] = {-1.0, -2.5, 0.1};
static const int64_t m_steps[] = {1, 2, 3, 4, 5};
static const double m_values[] = {0.2, -0.0, 1e300, 4.9e-324, 0.999999999999};
static const double field_data[6] = {0.1, -0.2, 3.0, 1.0 / 3.0, -1e-310, 6.02214076e23};
static const int64_t field_shape[2] = {2, 3};
static const uint64_t the_seed = 0xDEADBEEFCAFEBABEull; /* above 2^63: exercises the cast */

static basin_ctx *make_output(void)
{
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_ptr_nonnull(ctx);
    basin_ctx_summary_real(ctx, "energy", -1250.1);
    basin_ctx_summary_real(ctx, "blown", NAN); /* stored as null */
    basin_ctx_summary_int(ctx, "sweeps", 42);
    basin_ctx_summary_bool(ctx, "converged", true);
    basin_ctx_summary_string(ctx, "state", "retrieved");
    basin_ctx_value(ctx, "overlaps", json_pack("[f,f,f]", 0.1, -0.7, 1.0));
    basin_ctx_seed(ctx, the_seed);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(basin_ctx_series(ctx, "energy", energy_steps[i], energy_values[i]), 0);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(basin_ctx_series(ctx, "m", m_steps[i], m_values[i]), 0);
    ck_assert_int_eq(basin_ctx_artifact(ctx, "field", BASIN_F64, 2, field_shape, field_data), 0);
    return ctx;
}

/* ---- 1. migrations -------------------------------------------------------------------- */

static int read_user_version(const char *path)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

START_TEST(test_migrate_new_file_at_latest)
{
    ck_assert_int_ge(store_schema_latest(), 1);
    ck_assert_int_eq(read_user_version(db_path), store_schema_latest());
    ck_assert_int_eq(store_ping(S), 0);
}
END_TEST

START_TEST(test_migrate_rerun_is_noop)
{
    int from = -1, to = -1;
    char err[512] = "";
    ck_assert_int_eq(store_migrate(S, &from, &to, err, sizeof err), 0);
    ck_assert_int_eq(from, store_schema_latest());
    ck_assert_int_eq(to, store_schema_latest());
    ck_assert_int_eq(read_user_version(db_path), store_schema_latest());
}
END_TEST

START_TEST(test_migrate_refuses_newer_schema)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/newer.db", test_dir);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_schema_latest() + 1);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    for (int migrate = 0; migrate <= 1; migrate++) {
        store_options opt = {.path = path, .sync_full = true, .migrate = migrate != 0};
        store *s2 = NULL;
        char err[512] = "";
        int rc = store_open(&opt, &s2, err, sizeof err);
        ck_assert_msg(rc == BASIN_ESCHEMA, "migrate=%d: store_open = %d, want BASIN_ESCHEMA",
                      migrate, rc);
        ck_assert_ptr_null(s2);
        ck_assert_msg(strstr(err, "newer") != NULL, "migrate=%d: message lacks 'newer': %s",
                      migrate, err);
    }
    /* Refusing must not touch the file. */
    ck_assert_int_eq(read_user_version(path), store_schema_latest() + 1);
}
END_TEST

/* ---- 2. submit and read back ---------------------------------------------------------- */

START_TEST(test_submit_get_round_trip)
{
    json_t *params = json_pack("{s:i, s:f, s:s, s:[[i,i],[i,i]], s:b}", "n", 100, "beta", 0.5,
                               "rule", "hebb", "patterns", 1, -1, -1, 1, "sync", 0);
    json_t *labels = json_pack("{s:s, s:s}", "project", "memory", "owner", "ana");
    job_new job = {.kind = "hopfield",
                   .model_version = "2.1",
                   .params = params,
                   .labels = labels,
                   .priority = 7,
                   .max_attempts = 4,
                   .timeout_s = 12.5};
    char id[ULID_LEN + 1];
    int64_t t0 = clock_wall_ms();
    ck_assert_int_eq(store_submit(S, &job, id), 0);
    int64_t t1 = clock_wall_ms();

    job_row r = get_job(id);
    ck_assert_str_eq(r.id, id);
    ck_assert_str_eq(r.kind, "hopfield");
    ck_assert_str_eq(r.model_version, "2.1");
    ck_assert_msg(json_equal(r.params, params), "params differ");
    ck_assert_msg(json_equal(r.labels, labels), "labels differ");
    ck_assert_int_eq(r.priority, 7);
    ck_assert_int_eq(r.max_attempts, 4);
    ck_assert_double_eq(r.timeout_s, 12.5);
    ck_assert_int_eq(r.status, JOB_QUEUED);
    ck_assert_int_eq(r.attempts, 0);
    ck_assert_double_eq(r.progress, 0.0);
    ck_assert(!r.cancel_requested);
    ck_assert_int_ge(r.created_at, t0);
    ck_assert_int_le(r.created_at, t1);
    ck_assert_int_eq(r.run_after, r.created_at);
    ck_assert_int_eq(r.updated_at, r.created_at);
    ck_assert_int_eq(r.started_at, 0);
    ck_assert_int_eq(r.finished_at, 0);
    ck_assert_str_eq(r.error_code, "");
    ck_assert(!r.has_error_step);
    ck_assert_ptr_null(r.summary);
    job_row_clear(&r);

    job_status st = JOB_FAILED;
    ck_assert_int_eq(store_job_status(S, id, &st), 0);
    ck_assert_int_eq(st, JOB_QUEUED);
    ck_assert_int_eq(store_job_status(S, unknown_id, &st), BASIN_ENOTFOUND);
    ck_assert_int_eq(store_get_job(S, unknown_id, &r), BASIN_ENOTFOUND);

    /* No labels and no timeout: labels read back as {}, timeout as 0. */
    job.labels = NULL;
    job.timeout_s = 0;
    char id2[ULID_LEN + 1];
    ck_assert_int_eq(store_submit(S, &job, id2), 0);
    r = get_job(id2);
    ck_assert(json_is_object(r.labels) && json_object_size(r.labels) == 0);
    ck_assert_double_eq(r.timeout_s, 0.0);
    job_row_clear(&r);

    json_decref(params);
    json_decref(labels);
}
END_TEST

START_TEST(test_submit_ids_increase)
{
    char prev[ULID_LEN + 1] = "";
    for (int i = 0; i < 20; i++) {
        char id[ULID_LEN + 1];
        submit_default(id);
        ck_assert_uint_eq(strlen(id), ULID_LEN);
        ck_assert_msg(ulid_valid(id), "invalid id %s", id);
        ck_assert_msg(strcmp(prev, id) < 0, "id %d (%s) not above %s", i, id, prev);
        memcpy(prev, id, sizeof prev);
    }
}
END_TEST

/* ---- 3. group commit ------------------------------------------------------------------ */

#define GC_THREADS    8
#define GC_PER_THREAD 50

typedef struct gc_worker {
    int index;
    char (*ids)[ULID_LEN + 1];
    int failures;
    int not_increasing;
} gc_worker;

static void *gc_run(void *arg)
{
    gc_worker *w = arg;
    json_t *params = json_pack("{s:i}", "thread", w->index);
    job_new job = {.kind = "langevin", .model_version = "1", .params = params, .max_attempts = 3};
    for (int k = 0; k < GC_PER_THREAD; k++) {
        char *id = w->ids[w->index * GC_PER_THREAD + k];
        if (store_submit(S, &job, id) != 0) {
            w->failures++;
            id[0] = '\0';
        } else if (k > 0 && strcmp(w->ids[w->index * GC_PER_THREAD + k - 1], id) >= 0) {
            w->not_increasing++;
        }
    }
    json_decref(params);
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

START_TEST(test_group_commit_concurrent_submits)
{
    static char ids[GC_THREADS * GC_PER_THREAD][ULID_LEN + 1];
    pthread_t th[GC_THREADS];
    gc_worker w[GC_THREADS];
    for (int t = 0; t < GC_THREADS; t++) {
        w[t] = (gc_worker){.index = t, .ids = ids};
        ck_assert_int_eq(pthread_create(&th[t], NULL, gc_run, &w[t]), 0);
    }
    for (int t = 0; t < GC_THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < GC_THREADS; t++) {
        ck_assert_msg(w[t].failures == 0, "thread %d: %d submits failed", t, w[t].failures);
        ck_assert_msg(w[t].not_increasing == 0, "thread %d: ids not increasing", t);
    }
    qsort(ids, GC_THREADS * GC_PER_THREAD, sizeof ids[0], cmp_id);
    for (int i = 0; i < GC_THREADS * GC_PER_THREAD; i++) {
        ck_assert_msg(ulid_valid(ids[i]), "invalid id '%s'", ids[i]);
        if (i > 0)
            ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "duplicate id %s", ids[i]);
    }
    queue_counts c;
    ck_assert_int_eq(store_counts(S, &c), 0);
    ck_assert_int_eq(c.by_status[JOB_QUEUED], GC_THREADS * GC_PER_THREAD);
    ck_assert_int_eq(c.by_status[JOB_RUNNING], 0);
}
END_TEST

/* store_submit_start: one thread queues many jobs without waiting; the committer commits
 * them in a few transactions and calls each job's callback exactly once, after its commit. */
#define ASYNC_JOBS 200

typedef struct async_tally {
    atomic_int calls[ASYNC_JOBS];
    atomic_int failed;
    atomic_int total;
} async_tally;

typedef struct async_ticket {
    async_tally *tally;
    int index;
    char id[ULID_LEN + 1];
} async_ticket;

static void async_done(void *cls, int rc)
{
    async_ticket *t = cls;
    /* The job must be readable once its callback runs: the commit came first. */
    job_status st;
    if (rc != 0 || store_job_status(S, t->id, &st) != 0 || st != JOB_QUEUED)
        atomic_fetch_add(&t->tally->failed, 1);
    atomic_fetch_add(&t->tally->calls[t->index], 1);
    atomic_fetch_add(&t->tally->total, 1);
}

START_TEST(test_submit_start_commits_in_batches)
{
    static async_tally tally;
    static async_ticket tickets[ASYNC_JOBS];
    memset(&tally, 0, sizeof tally);
    json_t *params = json_pack("{s:i}", "n", 1);
    job_new job = {.kind = "langevin", .model_version = "1", .params = params, .max_attempts = 3};
    uint64_t commits_before = store_commits(S);
    for (int i = 0; i < ASYNC_JOBS; i++) {
        tickets[i] = (async_ticket){.tally = &tally, .index = i};
        ck_assert_int_eq(store_submit_start(S, &job, tickets[i].id, async_done, &tickets[i]), 0);
        ck_assert(ulid_valid(tickets[i].id));
    }
    for (int waited = 0; atomic_load(&tally.total) < ASYNC_JOBS && waited < 30000; waited += 5)
        usleep(5000);
    ck_assert_int_eq(atomic_load(&tally.total), ASYNC_JOBS);
    for (int i = 0; i < ASYNC_JOBS; i++)
        ck_assert_msg(atomic_load(&tally.calls[i]) == 1, "job %d: %d callbacks", i,
                      atomic_load(&tally.calls[i]));
    ck_assert_int_eq(atomic_load(&tally.failed), 0);
    queue_counts c;
    ck_assert_int_eq(store_counts(S, &c), 0);
    ck_assert_int_eq(c.by_status[JOB_QUEUED], ASYNC_JOBS);
    /* Queued faster than one commit takes, so they share transactions. */
    uint64_t commits = store_commits(S) - commits_before;
    ck_assert_msg(commits <= ASYNC_JOBS / 2, "%llu commits for %d jobs",
                  (unsigned long long)commits, ASYNC_JOBS);
    json_decref(params);
}
END_TEST

/* ---- 4. claim order ------------------------------------------------------------------- */

START_TEST(test_claim_order_priority_then_oldest)
{
    char a[ULID_LEN + 1], b[ULID_LEN + 1], c[ULID_LEN + 1], d[ULID_LEN + 1], f[ULID_LEN + 1];
    int64_t later = clock_wall_ms() + 3600 * 1000;
    submit_job(&(submit_args){.priority = 0}, 1, a);
    submit_job(&(submit_args){.priority = 5}, 2, b);
    submit_job(&(submit_args){.priority = 5}, 3, c);
    submit_job(&(submit_args){.priority = 0}, 4, d);
    /* Highest priority of all, but not due for an hour. */
    submit_job(&(submit_args){.priority = 10, .run_after_ms = later}, 5, f);

    const char *expect[] = {b, c, a, d};
    for (int i = 0; i < 4; i++) {
        job_claim cl = claim_job("host:1:x", 60000, expect[i]);
        job_claim_clear(&cl);
    }
    job_claim none;
    ck_assert_int_eq(store_claim(S, "host:1:x", 60000, &none), BASIN_ENOTFOUND);
    int64_t due = 0;
    ck_assert_int_eq(store_next_due(S, &due), 0);
    ck_assert_int_eq(due, later);
    job_row r = get_job(f);
    ck_assert_int_eq(r.status, JOB_QUEUED);
    ck_assert_int_eq(r.attempts, 0);
    job_row_clear(&r);
}
END_TEST

START_TEST(test_claim_sets_running_attempts_fence)
{
    json_t *params = json_pack("{s:i, s:s}", "n", 64, "rule", "storkey");
    job_new job = {.kind = "hopfield",
                   .model_version = "1",
                   .params = params,
                   .max_attempts = 5,
                   .timeout_s = 3.5};
    char id[ULID_LEN + 1];
    ck_assert_int_eq(store_submit(S, &job, id), 0);

    int64_t t0 = clock_wall_ms();
    job_claim c = claim_job("host:1:x", 60000, id);
    ck_assert_str_eq(c.kind, "hopfield");
    ck_assert_msg(json_equal(c.params, params), "claimed params differ");
    ck_assert_int_eq(c.attempts, 1);
    ck_assert_int_eq(c.max_attempts, 5);
    ck_assert_double_eq(c.timeout_s, 3.5);
    ck_assert_int_eq(c.fence, 1); /* 0 at submit, +1 by the claim */
    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_RUNNING);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_ge(r.started_at, t0);
    job_row_clear(&r);

    /* Back to the queue and claimed again: attempts and fence increase again. */
    int64_t fence1 = c.fence;
    ck_assert_int_eq(store_requeue(S, id, c.fence, 0, true, NULL, NULL), 0);
    job_claim_clear(&c);
    c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(c.attempts, 2);
    ck_assert_int_eq(c.fence, fence1 + 2); /* the requeue and the claim each bump it */
    job_claim_clear(&c);
    json_decref(params);
}
END_TEST

/* ---- 5. fencing ----------------------------------------------------------------------- */

START_TEST(test_fencing_after_lease_expiry)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim old = claim_job("host:1:old", 1, id);
    sleep_ms(10);
    int n = -1;
    ck_assert_int_eq(store_recover(S, clock_wall_ms(), NULL, &n), 0);
    ck_assert_int_eq(n, 1);

    job_row before = get_job(id);
    ck_assert_int_eq(before.status, JOB_QUEUED);
    ck_assert_int_eq(before.attempts, 1);
    ck_assert_str_eq(before.error_code, "worker_lost");

    /* The old run is a straggler now: every write it tries is refused. */
    bool cancel = true;
    ck_assert_int_eq(store_heartbeat(S, id, old.fence, 0.5, 60000, &cancel), BASIN_EFENCED);
    basin_ctx *ctx = make_output();
    job_outcome o = succeeded(ctx);
    ck_assert_int_eq(store_finish(S, id, old.fence, &o), BASIN_EFENCED);
    ck_assert_int_eq(store_requeue(S, id, old.fence, 0, false, "x", "y"), BASIN_EFENCED);

    job_row after = get_job(id);
    ck_assert_int_eq(after.status, JOB_QUEUED);
    ck_assert_int_eq(after.attempts, before.attempts);
    ck_assert_double_eq(after.progress, before.progress);
    ck_assert_int_eq(after.updated_at, before.updated_at);
    ck_assert_int_eq(after.run_after, before.run_after);
    ck_assert_int_eq(after.finished_at, 0);
    ck_assert_str_eq(after.error_code, before.error_code);
    ck_assert_ptr_null(after.summary);
    job_row_clear(&before);
    job_row_clear(&after);
    result_row res;
    ck_assert_int_eq(store_get_result(S, id, &res), BASIN_ENOTFOUND);
    ck_assert_uint_eq(count_series(id), 0);
    ck_assert_uint_eq(count_artifacts(id), 0);

    /* A new claim takes over with a higher fence; the straggler still cannot finish. */
    job_claim now = claim_job("host:2:new", 60000, id);
    ck_assert_int_eq(now.attempts, 2);
    ck_assert_int_eq(now.fence, old.fence + 2); /* recovery and the claim each bump it */
    ck_assert_int_eq(store_finish(S, id, old.fence, &o), BASIN_EFENCED);
    ck_assert_int_eq(store_heartbeat(S, id, old.fence, 0.9, 60000, NULL), BASIN_EFENCED);
    job_row mid = get_job(id);
    ck_assert_int_eq(mid.status, JOB_RUNNING);
    ck_assert_double_eq(mid.progress, 0.0);
    job_row_clear(&mid);
    ck_assert_int_eq(store_get_result(S, id, &res), BASIN_ENOTFOUND);

    ck_assert_int_eq(store_heartbeat(S, id, now.fence, 0.5, 60000, NULL), 0);
    ck_assert_int_eq(store_finish(S, id, now.fence, &o), 0);
    job_row done = get_job(id);
    ck_assert_int_eq(done.status, JOB_SUCCEEDED);
    ck_assert_int_eq(done.attempts, 2);
    job_row_clear(&done);
    ck_assert_int_eq(store_get_result(S, id, &res), 0);
    result_row_clear(&res);

    run_ctx_free(ctx);
    job_claim_clear(&old);
    job_claim_clear(&now);
}
END_TEST

/* ---- 6. finish stores the output exactly once ----------------------------------------- */

START_TEST(test_finish_stores_output_once)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim c = claim_job("host:1:x", 60000, id);
    basin_ctx *ctx = make_output();
    job_outcome o = succeeded(ctx);
    int64_t t0 = clock_wall_ms();
    ck_assert_int_eq(store_finish(S, id, c.fence, &o), 0);

    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_SUCCEEDED);
    ck_assert_double_eq(r.progress, 1.0);
    ck_assert_int_ge(r.finished_at, t0);
    ck_assert_msg(r.summary && json_equal(r.summary, ctx->summary), "job summary differs");
    job_row_clear(&r);

    result_row res;
    ck_assert_int_eq(store_get_result(S, id, &res), 0);
    ck_assert(res.has_seed);
    ck_assert_uint_eq(res.seed, the_seed);
    ck_assert_msg(json_equal(res.summary, ctx->summary), "summary differs");
    ck_assert(json_is_null(json_object_get(res.summary, "blown")));
    ck_assert_msg(json_equal(res.values, ctx->values), "values differ");
    result_row_clear(&res);

    series_data *sd = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_get_series(S, id, NULL, 0, &sd, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(sd[0].name, "energy"); /* by name */
    ck_assert_uint_eq(sd[0].n, 3);
    ck_assert_mem_eq(sd[0].step, energy_steps, sizeof energy_steps);
    ck_assert_mem_eq(sd[0].value, energy_values, sizeof energy_values);
    ck_assert_str_eq(sd[1].name, "m");
    ck_assert_uint_eq(sd[1].n, 5);
    ck_assert_mem_eq(sd[1].step, m_steps, sizeof m_steps);
    ck_assert_mem_eq(sd[1].value, m_values, sizeof m_values); /* bit-exact, -0.0 included */
    series_data_free(sd, n);

    const char *only_m[] = {"m"};
    ck_assert_int_eq(store_get_series(S, id, only_m, 1, &sd, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(sd[0].name, "m");
    series_data_free(sd, n);

    artifact_info *list = NULL;
    ck_assert_int_eq(store_list_artifacts(S, id, &list, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(list[0].name, "field");
    ck_assert_str_eq(list[0].dtype, "float64");
    ck_assert_int_eq(list[0].ndim, 2);
    ck_assert_int_eq(list[0].shape[0], 2);
    ck_assert_int_eq(list[0].shape[1], 3);
    free(list);

    artifact_info info;
    void *data = NULL;
    size_t nbytes = 0;
    ck_assert_int_eq(store_get_artifact(S, id, "field", &info, &data, &nbytes), 0);
    ck_assert_str_eq(info.dtype, "float64");
    ck_assert_int_eq(info.ndim, 2);
    ck_assert_int_eq(info.shape[0], 2);
    ck_assert_int_eq(info.shape[1], 3);
    ck_assert_uint_eq(nbytes, sizeof field_data);
    ck_assert_mem_eq(data, field_data, sizeof field_data);
    free(data);
    ck_assert_int_eq(store_get_artifact(S, id, "nope", &info, &data, &nbytes), BASIN_ENOTFOUND);

    /* The same run finishing again, with other output, is refused and changes nothing. */
    basin_ctx *again = run_ctx_new(&basin_default_limits);
    basin_ctx_summary_real(again, "energy", 999.0);
    basin_ctx_series(again, "energy", 0, 999.0);
    job_outcome o2 = {.status = JOB_FAILED, .error_code = "x", .output = again};
    ck_assert_int_eq(store_finish(S, id, c.fence, &o2), BASIN_EFENCED);
    ck_assert_int_eq(store_get_result(S, id, &res), 0);
    ck_assert_msg(json_equal(res.summary, ctx->summary), "summary overwritten");
    result_row_clear(&res);
    ck_assert_int_eq(store_get_series(S, id, NULL, 0, &sd, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_mem_eq(sd[0].value, energy_values, sizeof energy_values);
    series_data_free(sd, n);
    r = get_job(id);
    ck_assert_int_eq(r.status, JOB_SUCCEEDED);
    ck_assert_str_eq(r.error_code, "");
    job_row_clear(&r);

    run_ctx_free(again);
    run_ctx_free(ctx);
    job_claim_clear(&c);
}
END_TEST

/* A finish that claims the next due job in the same transaction: the finished job is
 * stored, the next one runs under a new fence; with nothing due the finish still commits;
 * a fenced finish writes nothing and claims nothing. */
START_TEST(test_finish_then_claim_next)
{
    char a[ULID_LEN + 1], b[ULID_LEN + 1], later[ULID_LEN + 1];
    submit_default(a);
    submit_default(b);
    submit_job(&(submit_args){.run_after_ms = clock_wall_ms() + 3600 * 1000}, 1, later);
    job_claim ca = claim_job("host:1:x", 60000, a);
    job_claim next;
    job_outcome done = {.status = JOB_SUCCEEDED};
    ck_assert_int_eq(store_finish_then_claim(S, a, ca.fence, &done, "host:1:x", 60000, &next), 0);
    ck_assert_str_eq(next.id, b);
    ck_assert_int_eq(next.attempts, 1);
    job_row ra = get_job(a), rb = get_job(b);
    ck_assert_int_eq(ra.status, JOB_SUCCEEDED);
    ck_assert_int_eq(rb.status, JOB_RUNNING);
    job_row_clear(&ra);
    job_row_clear(&rb);

    /* Nothing due (the third job runs in an hour): b finishes, no claim. */
    job_claim none;
    ck_assert_int_eq(store_finish_then_claim(S, b, next.fence, &done, "host:1:x", 60000, &none), 0);
    ck_assert_str_eq(none.id, "");
    rb = get_job(b);
    ck_assert_int_eq(rb.status, JOB_SUCCEEDED);
    job_row_clear(&rb);

    /* A stale fence: nothing written, nothing claimed. */
    ck_assert_int_eq(store_finish_then_claim(S, b, next.fence, &done, "host:1:x", 60000, &none),
                     BASIN_EFENCED);
    ck_assert_str_eq(none.id, "");
    job_row rl = get_job(later);
    ck_assert_int_eq(rl.status, JOB_QUEUED);
    job_row_clear(&rl);
    job_claim_clear(&ca);
    job_claim_clear(&next);
}
END_TEST

/* ---- 7. retry ------------------------------------------------------------------------- */

START_TEST(test_requeue_counts_attempt)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim c = claim_job("host:1:x", 60000, id);
    int64_t later = clock_wall_ms() + 3600 * 1000;
    ck_assert_int_eq(
        store_requeue(S, id, c.fence, later, true, "diverged", "energy is NaN at step 7"), 0);

    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_QUEUED);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(r.run_after, later);
    ck_assert_str_eq(r.error_code, "diverged");
    ck_assert_str_eq(r.error_message, "energy is NaN at step 7");
    job_row_clear(&r);

    job_claim none;
    ck_assert_int_eq(store_claim(S, "host:1:x", 60000, &none), BASIN_ENOTFOUND);
    int64_t due = 0;
    ck_assert_int_eq(store_next_due(S, &due), 0);
    ck_assert_int_eq(due, later);
    job_claim_clear(&c);
}
END_TEST

START_TEST(test_requeue_gives_attempt_back)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(store_requeue(S, id, c.fence, 0, true, "diverged", "first try"), 0);
    job_claim_clear(&c);
    c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(c.attempts, 2);

    /* Shutdown: the attempt is given back; no new error, so the last one is kept. */
    int64_t at = clock_wall_ms();
    ck_assert_int_eq(store_requeue(S, id, c.fence, at, false, NULL, NULL), 0);
    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_QUEUED);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(r.run_after, at);
    ck_assert_str_eq(r.error_code, "diverged");
    ck_assert_str_eq(r.error_message, "first try");
    job_row_clear(&r);

    int64_t fence2 = c.fence;
    job_claim_clear(&c);
    c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(c.attempts, 2);
    ck_assert_int_gt(c.fence, fence2);
    job_claim_clear(&c);
}
END_TEST

/* ---- 8. recovery ---------------------------------------------------------------------- */

START_TEST(test_recover_out_of_attempts_fails)
{
    char id[ULID_LEN + 1];
    submit_job(&(submit_args){.max_attempts = 1}, 0, id);
    job_claim c = claim_job("host:1:x", 1, id);
    ck_assert_int_eq(c.attempts, 1);
    sleep_ms(10);
    int64_t now = clock_wall_ms();
    int n = -1;
    ck_assert_int_eq(store_recover(S, now, NULL, &n), 0);
    ck_assert_int_eq(n, 1);

    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_FAILED);
    ck_assert_str_eq(r.error_code, "worker_lost");
    ck_assert_int_eq(r.finished_at, now);
    ck_assert_int_eq(r.attempts, 1);
    job_row_clear(&r);
    job_claim none;
    ck_assert_int_eq(store_claim(S, "host:1:x", 60000, &none), BASIN_ENOTFOUND);
    ck_assert_int_eq(store_finish(S, id, c.fence, &(job_outcome){.status = JOB_SUCCEEDED}),
                     BASIN_EFENCED);
    job_claim_clear(&c);
}
END_TEST

START_TEST(test_recover_dead_owner_only)
{
    char a1[ULID_LEN + 1], a2[ULID_LEN + 1], b1[ULID_LEN + 1];
    submit_default(a1);
    submit_default(a2);
    submit_default(b1);
    job_claim ca1 = claim_job("host:1:a", 60000, a1);
    job_claim ca2 = claim_job("host:1:a", 60000, a2);
    job_claim cb1 = claim_job("host:2:b", 60000, b1);

    json_t *owners = NULL;
    ck_assert_int_eq(store_running_owners(S, &owners), 0);
    ck_assert_uint_eq(json_array_size(owners), 2);
    int seen_a = 0, seen_b = 0;
    for (size_t i = 0; i < 2; i++) {
        const char *o = json_string_value(json_array_get(owners, i));
        ck_assert_ptr_nonnull(o);
        seen_a += strcmp(o, "host:1:a") == 0;
        seen_b += strcmp(o, "host:2:b") == 0;
    }
    ck_assert_int_eq(seen_a, 1);
    ck_assert_int_eq(seen_b, 1);
    json_decref(owners);

    /* Leases run for another minute: only the dead owner's jobs go back. */
    int n = -1;
    ck_assert_int_eq(store_recover(S, clock_wall_ms(), "host:1:a", &n), 0);
    ck_assert_int_eq(n, 2);
    job_status st;
    ck_assert_int_eq(store_job_status(S, a1, &st), 0);
    ck_assert_int_eq(st, JOB_QUEUED);
    ck_assert_int_eq(store_job_status(S, a2, &st), 0);
    ck_assert_int_eq(st, JOB_QUEUED);
    ck_assert_int_eq(store_job_status(S, b1, &st), 0);
    ck_assert_int_eq(st, JOB_RUNNING);
    ck_assert_int_eq(store_heartbeat(S, b1, cb1.fence, 0.2, 60000, NULL), 0);
    ck_assert_int_eq(store_heartbeat(S, a1, ca1.fence, 0.2, 60000, NULL), BASIN_EFENCED);

    ck_assert_int_eq(store_running_owners(S, &owners), 0);
    ck_assert_uint_eq(json_array_size(owners), 1);
    ck_assert_str_eq(json_string_value(json_array_get(owners, 0)), "host:2:b");
    json_decref(owners);

    /* Nothing expired and no dead owner: recovery touches nothing. */
    ck_assert_int_eq(store_recover(S, clock_wall_ms(), NULL, &n), 0);
    ck_assert_int_eq(n, 0);

    job_claim_clear(&ca1);
    job_claim_clear(&ca2);
    job_claim_clear(&cb1);
}
END_TEST

/* ---- 9. cancel ------------------------------------------------------------------------ */

START_TEST(test_cancel_queued)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    int64_t t0 = clock_wall_ms();
    job_row out;
    ck_assert_int_eq(store_cancel(S, id, &out), 0);
    ck_assert_int_eq(out.status, JOB_CANCELLED);
    ck_assert_int_ge(out.finished_at, t0);
    ck_assert_str_eq(out.error_code, "cancelled");
    job_row_clear(&out);

    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_CANCELLED);
    ck_assert_int_ge(r.finished_at, t0);
    ck_assert_str_eq(r.error_code, "cancelled");
    job_row_clear(&r);
    job_claim none;
    ck_assert_int_eq(store_claim(S, "host:1:x", 60000, &none), BASIN_ENOTFOUND);
}
END_TEST

START_TEST(test_cancel_running_flags_run)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim c = claim_job("host:1:x", 60000, id);
    bool cancel = true;
    ck_assert_int_eq(store_heartbeat(S, id, c.fence, 0.1, 60000, &cancel), 0);
    ck_assert(!cancel);

    job_row out;
    ck_assert_int_eq(store_cancel(S, id, &out), 0);
    ck_assert_int_eq(out.status, JOB_RUNNING);
    ck_assert(out.cancel_requested);
    ck_assert_int_eq(out.finished_at, 0);
    job_row_clear(&out);

    ck_assert_int_eq(store_heartbeat(S, id, c.fence, 0.3, 60000, &cancel), 0);
    ck_assert(cancel);
    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_RUNNING);
    ck_assert(r.cancel_requested);
    ck_assert_double_eq(r.progress, 0.3);
    job_row_clear(&r);
    job_claim_clear(&c);
}
END_TEST

START_TEST(test_cancel_finished_conflicts)
{
    char id[ULID_LEN + 1];
    submit_default(id);
    job_claim c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(store_finish(S, id, c.fence, &(job_outcome){.status = JOB_SUCCEEDED}), 0);
    ck_assert_int_eq(store_cancel(S, id, NULL), BASIN_ECONFLICT);
    job_row r = get_job(id);
    ck_assert_int_eq(r.status, JOB_SUCCEEDED);
    ck_assert(!r.cancel_requested);
    job_row_clear(&r);
    job_claim_clear(&c);
}
END_TEST

START_TEST(test_cancel_unknown)
{
    job_row out;
    ck_assert_int_eq(store_cancel(S, unknown_id, &out), BASIN_ENOTFOUND);
}
END_TEST

/* ---- 10. delete ----------------------------------------------------------------------- */

START_TEST(test_delete_finished_removes_everything)
{
    char id[ULID_LEN + 1], keep[ULID_LEN + 1];
    submit_default(id);
    submit_default(keep);
    basin_ctx *ctx = make_output();
    job_outcome o = succeeded(ctx);
    job_claim c = claim_job("host:1:x", 60000, id);
    ck_assert_int_eq(store_finish(S, id, c.fence, &o), 0);
    job_claim_clear(&c);
    c = claim_job("host:1:x", 60000, keep);
    ck_assert_int_eq(store_finish(S, keep, c.fence, &o), 0);
    job_claim_clear(&c);
    ck_assert_uint_eq(count_series(id), 2);

    ck_assert_int_eq(store_delete_job(S, id), 0);
    job_row r;
    ck_assert_int_eq(store_get_job(S, id, &r), BASIN_ENOTFOUND);
    result_row res;
    ck_assert_int_eq(store_get_result(S, id, &res), BASIN_ENOTFOUND);
    ck_assert_uint_eq(count_series(id), 0);
    ck_assert_uint_eq(count_artifacts(id), 0);
    artifact_info info;
    void *data = NULL;
    size_t nbytes = 0;
    ck_assert_int_eq(store_get_artifact(S, id, "field", &info, &data, &nbytes), BASIN_ENOTFOUND);
    ck_assert_int_eq(store_delete_job(S, id), BASIN_ENOTFOUND);

    /* The other job's data is untouched. */
    ck_assert_int_eq(store_get_result(S, keep, &res), 0);
    result_row_clear(&res);
    ck_assert_uint_eq(count_series(keep), 2);
    ck_assert_uint_eq(count_artifacts(keep), 1);
    run_ctx_free(ctx);
}
END_TEST

START_TEST(test_delete_unfinished_conflicts)
{
    char queued[ULID_LEN + 1], running[ULID_LEN + 1];
    submit_default(running);
    submit_default(queued);
    job_claim c = claim_job("host:1:x", 60000, running);
    ck_assert_int_eq(store_delete_job(S, queued), BASIN_ECONFLICT);
    ck_assert_int_eq(store_delete_job(S, running), BASIN_ECONFLICT);
    job_status st;
    ck_assert_int_eq(store_job_status(S, queued, &st), 0);
    ck_assert_int_eq(st, JOB_QUEUED);
    ck_assert_int_eq(store_job_status(S, running, &st), 0);
    ck_assert_int_eq(st, JOB_RUNNING);
    ck_assert_int_eq(store_delete_job(S, unknown_id), BASIN_ENOTFOUND);
    job_claim_clear(&c);
}
END_TEST

/* ---- 11. list ------------------------------------------------------------------------- */

/* Lists with f (one page) and returns how many rows came back; ids into out (may be NULL). */
static size_t list_ids(const job_filter *f, char out[][ULID_LEN + 1], char *cursor)
{
    job_row *rows = NULL;
    size_t n = 0;
    char next[STORE_CURSOR_MAX] = "x";
    ck_assert_int_eq(store_list_jobs(S, f, &rows, &n, next), 0);
    for (size_t i = 0; i < n; i++) {
        if (out)
            memcpy(out[i], rows[i].id, ULID_LEN + 1);
        job_row_clear(&rows[i]);
    }
    free(rows);
    if (cursor)
        memcpy(cursor, next, STORE_CURSOR_MAX);
    return n;
}

START_TEST(test_list_filters)
{
    /* j0..j5, created at distinct milliseconds (3 ms apart). */
    char id[6][ULID_LEN + 1];
    json_t *lab[6] = {
        json_pack("{s:s, s:s}", "project", "p1", "stage", "a"),
        json_pack("{s:s, s:s}", "project", "p1", "stage", "b"),
        json_pack("{s:s, s:s}", "project", "p2", "stage", "a"),
        json_pack("{s:s, s:s, s:s}", "project", "p1", "stage", "a", "extra", "x"),
        json_pack("{s:s}", "stage", "a"),
        NULL,
    };
    const char *kinds[6] = {"hopfield", "hopfield", "langevin", "hopfield", "langevin", "hopfield"};
    for (int i = 0; i < 6; i++) {
        submit_job(&(submit_args){.kind = kinds[i], .labels = lab[i]}, i, id[i]);
        json_decref(lab[i]);
        sleep_ms(3);
    }
    /* Statuses: j0 running, j1 cancelled, j2 succeeded; j3..j5 queued. */
    job_claim c = claim_job("host:1:x", 60000, id[0]);
    job_claim_clear(&c);
    ck_assert_int_eq(store_cancel(S, id[1], NULL), 0);
    c = claim_job("host:1:x", 60000, id[2]);
    ck_assert_int_eq(store_finish(S, id[2], c.fence, &(job_outcome){.status = JOB_SUCCEEDED}), 0);
    job_claim_clear(&c);

    char got[16][ULID_LEN + 1];
    job_filter f = {.limit = 100};
    ck_assert_uint_eq(list_ids(&f, got, NULL), 6);

    f.status_mask = 1u << JOB_QUEUED;
    ck_assert_uint_eq(list_ids(&f, got, NULL), 3);
    ck_assert_str_eq(got[0], id[5]);
    ck_assert_str_eq(got[1], id[4]);
    ck_assert_str_eq(got[2], id[3]);

    f.status_mask = (1u << JOB_RUNNING) | (1u << JOB_CANCELLED) | (1u << JOB_SUCCEEDED);
    ck_assert_uint_eq(list_ids(&f, got, NULL), 3);
    ck_assert_str_eq(got[0], id[2]);
    ck_assert_str_eq(got[1], id[1]);
    ck_assert_str_eq(got[2], id[0]);

    f = (job_filter){.limit = 100, .kind = "langevin"};
    ck_assert_uint_eq(list_ids(&f, got, NULL), 2);
    ck_assert_str_eq(got[0], id[4]);
    ck_assert_str_eq(got[1], id[2]);

    f.status_mask = 1u << JOB_SUCCEEDED; /* kind and status together */
    ck_assert_uint_eq(list_ids(&f, got, NULL), 1);
    ck_assert_str_eq(got[0], id[2]);

    /* Two labels must both match (j3 has an extra label and still matches). */
    f = (job_filter){.limit = 100, .n_labels = 2};
    f.label_keys[0] = "project";
    f.label_values[0] = "p1";
    f.label_keys[1] = "stage";
    f.label_values[1] = "a";
    ck_assert_uint_eq(list_ids(&f, got, NULL), 2);
    ck_assert_str_eq(got[0], id[3]);
    ck_assert_str_eq(got[1], id[0]);
    f.label_values[1] = "c";
    ck_assert_uint_eq(list_ids(&f, got, NULL), 0);

    /* since is inclusive, until exclusive, both on created_at. */
    job_row r2 = get_job(id[2]), r4 = get_job(id[4]);
    ck_assert_int_lt(r2.created_at, r4.created_at);
    f = (job_filter){.limit = 100, .since_ms = r2.created_at, .until_ms = r4.created_at};
    ck_assert_uint_eq(list_ids(&f, got, NULL), 2);
    ck_assert_str_eq(got[0], id[3]);
    ck_assert_str_eq(got[1], id[2]);
    f = (job_filter){.limit = 100, .since_ms = r4.created_at};
    ck_assert_uint_eq(list_ids(&f, got, NULL), 2);
    ck_assert_str_eq(got[0], id[5]);
    ck_assert_str_eq(got[1], id[4]);
    f = (job_filter){.limit = 100, .until_ms = r2.created_at};
    ck_assert_uint_eq(list_ids(&f, got, NULL), 2);
    ck_assert_str_eq(got[0], id[1]);
    ck_assert_str_eq(got[1], id[0]);
    job_row_clear(&r2);
    job_row_clear(&r4);
}
END_TEST

START_TEST(test_list_pagination)
{
    char id[10][ULID_LEN + 1];
    for (int i = 0; i < 10; i++)
        submit_default(id[i]);

    /* limit 3: pages of 3, 3, 3, 1, newest first, each id exactly once. */
    char got[10][ULID_LEN + 1];
    char cursor[STORE_CURSOR_MAX] = "";
    size_t total = 0;
    int pages = 0;
    const size_t sizes[] = {3, 3, 3, 1};
    do {
        ck_assert_int_lt(pages, 4);
        char page[3][ULID_LEN + 1];
        job_filter f = {.limit = 3, .cursor = pages ? cursor : NULL};
        size_t n = list_ids(&f, page, cursor);
        ck_assert_uint_eq(n, sizes[pages]);
        for (size_t i = 0; i < n; i++)
            memcpy(got[total++], page[i], ULID_LEN + 1);
        pages++;
        if (pages < 4)
            ck_assert_msg(cursor[0] != '\0', "page %d has no next_cursor", pages);
    } while (cursor[0] != '\0');
    ck_assert_int_eq(pages, 4);
    ck_assert_uint_eq(total, 10);
    for (int i = 0; i < 10; i++)
        ck_assert_str_eq(got[i], id[9 - i]);

    /* limit 5 over 10: exactly two full pages, the second ending with "". */
    job_filter f = {.limit = 5};
    ck_assert_uint_eq(list_ids(&f, got, cursor), 5);
    ck_assert_str_eq(got[4], id[5]);
    ck_assert_str_ne(cursor, ""); /* opaque: a keyset position after id[5] */
    f.cursor = cursor;
    char cursor2[STORE_CURSOR_MAX];
    ck_assert_uint_eq(list_ids(&f, got, cursor2), 5);
    ck_assert_str_eq(got[4], id[0]);
    ck_assert_str_eq(cursor2, "");
}
END_TEST

/* ---- 12. where= and order= --------------------------------------------------------- */

enum { N_ORDERED = 1000 };

/* Finishes every queued job in claim order; job k gets summary v = (k·7919 mod 101), or
 * no v when k % 10 == 0, and a series e with max = k. Fills ids/v/has_v by claim order. */
static void finish_all_with_values(char ids[][ULID_LEN + 1], double *v, bool *has_v)
{
    for (int k = 0; k < N_ORDERED; k++) {
        job_claim c = claim_job("host:1:x", 60000, NULL);
        basin_ctx *ctx = run_ctx_new(&basin_default_limits);
        has_v[k] = k % 10 != 0;
        v[k] = (double)((k * 7919) % 101); /* many ties: the id breaks them */
        if (has_v[k])
            basin_ctx_summary_real(ctx, "v", v[k]);
        basin_ctx_series(ctx, "e", 0, 0.0);
        basin_ctx_series(ctx, "e", 1, (double)k);
        ck_assert_int_eq(
            store_finish(S, c.id, c.fence, &(job_outcome){.status = JOB_SUCCEEDED, .output = ctx}),
            0);
        memcpy(ids[k], c.id, ULID_LEN + 1);
        run_ctx_free(ctx);
        job_claim_clear(&c);
    }
}

static int index_of(char ids[][ULID_LEN + 1], const char *id)
{
    for (int k = 0; k < N_ORDERED; k++)
        if (strcmp(ids[k], id) == 0)
            return k;
    return -1;
}

START_TEST(test_order_pages_every_job_once)
{
    /* Reference: the total order (v IS NULL, v, id) — ascending or with v and id descending
     * — computed here by brute force over what was stored. */
    static char ids[N_ORDERED][ULID_LEN + 1];
    static double v[N_ORDERED];
    static bool has_v[N_ORDERED];
    char dummy[ULID_LEN + 1];
    for (int k = 0; k < N_ORDERED; k++)
        submit_default(dummy);
    finish_all_with_values(ids, v, has_v);

    where_field order;
    char err[256];
    ck_assert_int_eq(where_parse_field("summary.v", &order, err, sizeof err), 0);
    for (int desc = 0; desc < 2; desc++) {
        static bool seen[N_ORDERED];
        memset(seen, 0, sizeof seen);
        char cursor[STORE_CURSOR_MAX] = "";
        int total = 0, prev = -1;
        do {
            job_filter f = {
                .limit = 37, .order = &order, .order_desc = desc, .cursor = total ? cursor : NULL};
            job_row *rows = NULL;
            size_t n = 0;
            ck_assert_int_eq(store_list_jobs(S, &f, &rows, &n, cursor), 0);
            for (size_t i = 0; i < n; i++) {
                int k = index_of(ids, rows[i].id);
                ck_assert_int_ge(k, 0);
                ck_assert_msg(!seen[k], "job %d listed twice", k);
                seen[k] = true;
                if (prev >= 0) {
                    /* nulls last; then v (asc/desc); then id (asc/desc) */
                    bool ok;
                    if (has_v[prev] != has_v[k])
                        ok = has_v[prev];
                    else if (!has_v[k] || v[prev] == v[k])
                        ok = desc ? strcmp(ids[prev], ids[k]) > 0 : strcmp(ids[prev], ids[k]) < 0;
                    else
                        ok = desc ? v[prev] > v[k] : v[prev] < v[k];
                    ck_assert_msg(ok, "out of order at %d (desc=%d)", total, desc);
                }
                prev = k;
                total++;
                job_row_clear(&rows[i]);
            }
            free(rows);
        } while (cursor[0]);
        ck_assert_int_eq(total, N_ORDERED);
    }

    /* A cursor made for one order is refused by another. */
    job_filter f = {.limit = 10, .order = &order};
    char next[STORE_CURSOR_MAX];
    job_row *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_list_jobs(S, &f, &rows, &n, next), 0);
    for (size_t i = 0; i < n; i++)
        job_row_clear(&rows[i]);
    free(rows);
    f.order_desc = true;
    f.cursor = next;
    ck_assert_int_eq(store_list_jobs(S, &f, &rows, &n, next), BASIN_EINVAL);
}
END_TEST

START_TEST(test_where_matches_brute_force)
{
    static char ids[N_ORDERED][ULID_LEN + 1];
    static double v[N_ORDERED];
    static bool has_v[N_ORDERED];
    char dummy[ULID_LEN + 1];
    for (int k = 0; k < N_ORDERED; k++)
        submit_default(dummy);
    finish_all_with_values(ids, v, has_v);
    const struct {
        const char *text;
        int (*want)(int k, const double *v, const bool *has_v);
    } cases[] = {
        {"summary.v >= 50 and series.e.max < 500", NULL},
        {"not summary.v >= 50 or series.e.max = 999", NULL},
        {"summary.v = 'x' or labels.a = \"x' OR 1=1 --\"", NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        where_expr e;
        char err[256];
        ck_assert_int_eq(where_parse(cases[c].text, &e, err, sizeof err), 0);
        int expected = 0;
        for (int k = 0; k < N_ORDERED; k++) {
            bool m;
            /* Two-valued logic (where.h): a comparison with a missing value is false, and
             * `not` negates that, so a job without v matches `not summary.v >= 50`. */
            if (c == 0)
                m = has_v[k] && v[k] >= 50 && k < 500;
            else if (c == 1)
                m = !(has_v[k] && v[k] >= 50) || k == 999;
            else
                m = false; /* numbers never equal a string; the label does not exist */
            expected += m;
        }
        job_filter f = {.limit = 1000, .where = &e};
        job_row *rows = NULL;
        size_t n = 0;
        char next[STORE_CURSOR_MAX];
        ck_assert_int_eq(store_list_jobs(S, &f, &rows, &n, next), 0);
        ck_assert_msg((int)n == expected, "%s: %zu rows, want %d", cases[c].text, n, expected);
        for (size_t i = 0; i < n; i++)
            job_row_clear(&rows[i]);
        free(rows);
    }
    /* The jobs table is intact after the SQL-looking string. */
    queue_counts qc;
    ck_assert_int_eq(store_counts(S, &qc), 0);
    ck_assert_int_eq(qc.by_status[JOB_SUCCEEDED], N_ORDERED);
}
END_TEST

/* ---- 13. indexed values (values.h, migrations/0006_job_values.sql) ---------------------- */

/* Reference for every test of this group: SQLite's comparison rules
 * (https://www.sqlite.org/datatype3.html#comparisons), which the listing inherits from
 * json_extract and the series columns — NULL compares to nothing, numbers (integers and
 * reals alike) sort before text, text sorts by bytes — and the listing order of store.h:
 * nulls last, ties by id. The expected lists are computed here by brute force. */

/* A value as the listing's SQL expression gives it. */
typedef struct val {
    enum { V_NULL, V_NUM, V_TEXT } type;
    double num;
    char text[24];
} val;

static val v_null(void)
{
    return (val){.type = V_NULL};
}

static val v_num(double x)
{
    return (val){.type = V_NUM, .num = x};
}

static val v_text(const char *t)
{
    val v = {.type = V_TEXT};
    snprintf(v.text, sizeof v.text, "%s", t);
    return v;
}

/* Three-way comparison of two non-null values. */
static int val_cmp(const val *a, const val *b)
{
    if (a->type != b->type)
        return a->type == V_NUM ? -1 : 1;
    if (a->type == V_NUM)
        return (a->num > b->num) - (a->num < b->num);
    int c = strcmp(a->text, b->text);
    return (c > 0) - (c < 0);
}

/* A connection of its own to the test database, to read job_values directly. */
static int64_t raw_int(const char *sql, const char *arg)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Submits a job with these params and labels (both taken). */
static void submit_with(json_t *params, json_t *labels, char id[ULID_LEN + 1])
{
    job_new job = {.kind = "hopfield",
                   .model_version = "1",
                   .params = params,
                   .labels = labels,
                   .max_attempts = 3};
    ck_assert_int_eq(store_submit(S, &job, id), 0);
    json_decref(params);
    json_decref(labels);
}

/* Lists every page with order `field` (desc with a leading '-') and where `where` (may be
 * NULL), `page` rows at a time (0: random sizes from 1 to 60), following the cursors;
 * writes the ids in listing order into out and returns how many. */
static size_t list_all(const char *field, const char *where, int page, char (*out)[ULID_LEN + 1],
                       size_t cap)
{
    where_field order;
    where_expr e;
    char err[256];
    bool desc = field && field[0] == '-';
    if (field)
        ck_assert_msg(where_parse_field(field + desc, &order, err, sizeof err) == 0, "%s", err);
    const char *shown = where ? where : "-";
    if (where)
        ck_assert_msg(where_parse(where, &e, err, sizeof err) == 0, "%s: %s", shown, err);
    char cursor[STORE_CURSOR_MAX] = "";
    size_t total = 0;
    int pages = 0;
    do {
        job_filter f = {.limit = page ? page : 1 + rand() % 60,
                        .order = field ? &order : NULL,
                        .order_desc = desc,
                        .where = where ? &e : NULL,
                        .cursor = pages ? cursor : NULL};
        job_row *rows = NULL;
        size_t n = 0;
        int rc = store_list_jobs(S, &f, &rows, &n, cursor);
        ck_assert_msg(rc == 0, "list %s where %s: %d", field ? field : "-", shown, rc);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(total < cap, "more than %zu rows", cap);
            memcpy(out[total++], rows[i].id, ULID_LEN + 1);
            job_row_clear(&rows[i]);
        }
        free(rows);
        pages++;
    } while (cursor[0]);
    return total;
}

START_TEST(test_values_follow_writes)
{
    /* Three jobs, then a listing by each kind of field registers it: backfilled rows. */
    char id[3][ULID_LEN + 1];
    for (int k = 0; k < 3; k++)
        submit_with(json_pack("{s:i, s:f}", "i", k, "x", 0.5 * k),
                    json_pack("{s:s}", "g", k ? "b" : "a"), id[k]);
    static char got[64][ULID_LEN + 1];
    const char *fields[] = {"params.x", "labels.g", "summary.v", "series.e.max"};
    for (int i = 0; i < 4; i++)
        list_all(fields[i], NULL, 10, got, 64);
    /* summary.v and series.e.max: no job has a value yet, so they are not registered. */
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields WHERE ready = 1", NULL), 2);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values", NULL), 6);
    ck_assert_double_eq(raw_int("SELECT value * 2 FROM job_values v JOIN value_fields f ON "
                                "f.id = v.field WHERE f.source = 'params' AND v.job_id = ?1",
                                id[2]),
                        2.0);

    /* Finishing gives summary and series values; list to register them. */
    for (int k = 0; k < 3; k++) {
        job_claim c = claim_job("host:1:x", 60000, id[k]);
        basin_ctx *ctx = run_ctx_new(&basin_default_limits);
        basin_ctx_summary_int(ctx, "v", 10 + k);
        basin_ctx_series(ctx, "e", 0, -1.0 * k);
        ck_assert_int_eq(
            store_finish(S, c.id, c.fence, &(job_outcome){JOB_SUCCEEDED, .output = ctx}), 0);
        run_ctx_free(ctx);
        job_claim_clear(&c);
    }
    list_all("summary.v", NULL, 10, got, 64);
    list_all("-series.e.max", NULL, 10, got, 64);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields WHERE ready = 1", NULL), 4);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values", NULL), 12);

    /* From now on every write keeps the rows: a submit (params, labels) ... */
    char j4[ULID_LEN + 1];
    submit_with(json_pack("{s:i, s:s}", "i", 4, "x", "text"), NULL, j4);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values WHERE job_id = ?1", j4), 1);
    ck_assert_int_eq(raw_int("SELECT typeof(value) = 'text' FROM job_values WHERE job_id = ?1", j4),
                     1);
    /* ... a sweep's children (labels gain "sweep"; g is the sweep's label) ... */
    json_t *children = json_pack("[{s:i}, {s:i}, {s:f}]", "x", 7, "y", 1, "x", 8.5);
    json_t *request = json_object(), *varied = json_pack("[s]", "x");
    json_t *sweep_labels = json_pack("{s:s}", "g", "sw");
    sweep_new sw = {.kind = "hopfield",
                    .model_version = "1",
                    .request = request,
                    .varied = varied,
                    .labels = sweep_labels,
                    .max_attempts = 3,
                    .children = children};
    char sweep_id[ULID_LEN + 1];
    ck_assert_int_eq(store_create_sweep(S, &sw, sweep_id), 0);
    json_decref(children);
    json_decref(request);
    json_decref(varied);
    json_decref(sweep_labels);
    /* two children with x, three with g */
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values v JOIN jobs j ON j.id = v.job_id "
                             "WHERE j.sweep_id = ?1",
                             sweep_id),
                     5);
    /* ... and an output (summary, series). */
    job_claim c = claim_job("host:1:x", 60000, j4);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    basin_ctx_summary_string(ctx, "v", "s");
    basin_ctx_series(ctx, "e", 0, 2.0);
    basin_ctx_series(ctx, "e", 1, NAN); /* statistics skip NaN: max stays 2 */
    ck_assert_int_eq(store_finish(S, c.id, c.fence, &(job_outcome){JOB_SUCCEEDED, .output = ctx}),
                     0);
    run_ctx_free(ctx);
    job_claim_clear(&c);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values WHERE job_id = ?1", j4), 3);
    ck_assert_int_eq(raw_int("SELECT value FROM job_values v JOIN value_fields f ON f.id = v.field "
                             "WHERE f.source = 'series' AND v.job_id = ?1",
                             j4),
                     2);

    /* The walk lists them where the order says: series.e.max desc is 2 (j4), 0, -1, -2,
     * then the sweep's children, which have no series, newest first. */
    size_t n = list_all("-series.e.max", NULL, 2, got, 64);
    ck_assert_uint_eq(n, 7);
    ck_assert_str_eq(got[0], j4);
    ck_assert_str_eq(got[1], id[0]);
    ck_assert_str_eq(got[3], id[2]);

    /* Deletes take the rows along: one job, a sweep, and retention. */
    ck_assert_int_eq(store_delete_job(S, j4), 0);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values WHERE job_id = ?1", j4), 0);
    ck_assert_int_eq(store_cancel_sweep(S, sweep_id, NULL), 0);
    ck_assert_int_eq(store_delete_sweep(S, sweep_id), 0);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values", NULL), 12);
    int64_t deleted = 0;
    ck_assert_int_eq(store_gc(S, clock_wall_ms() + 1000, 2, &deleted), 0);
    ck_assert_int_eq(deleted, 3);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values", NULL), 0);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields", NULL), 4);
}
END_TEST

/* ---- random listings against the brute-force reference ---- */

enum { N_FINISHED = 360, N_QUEUED = 40, N_RJOBS = N_FINISHED + N_QUEUED };
enum { F_SUMMARY_V, F_PARAMS_X, F_PARAMS_OY, F_LABELS_G, F_SERIES_MAX, N_RFIELDS };
static const char *const rfield[N_RFIELDS] = {"summary.v", "params.x", "params.o.y", "labels.g",
                                              "series.e.max"};

typedef struct rjob {
    char id[ULID_LEN + 1];
    val f[N_RFIELDS];
} rjob;

static rjob rj[N_RJOBS];

static const char *const some_text[] = {"a", "b", "ab", "B", ""};

/* A random scalar as JSON and as the value json_extract gives: integers, halves (some
 * equal to integers), texts, booleans (1 and 0), an array (its JSON text), null. */
static json_t *random_json(val *v)
{
    int r = rand() % 20;
    if (r < 7) {
        int i = rand() % 11 - 5;
        *v = v_num(i);
        return json_integer(i);
    }
    if (r < 12) {
        double x = 0.5 * (rand() % 21 - 10);
        *v = v_num(x);
        return json_real(x);
    }
    if (r < 15) {
        const char *t = some_text[rand() % 5];
        *v = v_text(t);
        return json_string(t);
    }
    if (r < 16) {
        bool b = rand() % 2;
        *v = v_num(b);
        return json_boolean(b);
    }
    if (r < 17) {
        int i = rand() % 3;
        char text[16];
        snprintf(text, sizeof text, "[%d,1]", i);
        *v = v_text(text);
        return json_pack("[i,i]", i, 1);
    }
    *v = v_null();
    return r < 18 ? json_null() : NULL; /* NULL: the key is absent */
}

static void make_random_jobs(void)
{
    for (int k = 0; k < N_RJOBS; k++) {
        rjob *j = &rj[k];
        json_t *params = json_pack("{s:i}", "i", k);
        json_t *x = random_json(&j->f[F_PARAMS_X]);
        if (x)
            json_object_set_new(params, "x", x);
        j->f[F_PARAMS_OY] = v_null();
        if (k % 3) {
            int y = rand() % 9;
            json_object_set_new(params, "o", json_pack("{s:i}", "y", y));
            j->f[F_PARAMS_OY] = v_num(y);
        } else if (k % 2) {
            json_object_set_new(params, "o", json_integer(5)); /* o.y of a number: null */
        }
        json_t *labels = NULL;
        j->f[F_LABELS_G] = v_null();
        if (k % 5) {
            char g[8];
            snprintf(g, sizeof g, "g%d", rand() % 4);
            labels = json_pack("{s:s}", "g", g);
            j->f[F_LABELS_G] = v_text(g);
        }
        submit_with(params, labels, j->id);
        j->f[F_SUMMARY_V] = v_null();
        j->f[F_SERIES_MAX] = v_null();
    }
    /* The first N_FINISHED finish (every sixth without output); the rest stay queued. */
    for (int k = 0; k < N_FINISHED; k++) {
        rjob *j = &rj[k];
        job_claim c = claim_job("host:1:x", 60000, j->id);
        basin_ctx *ctx = NULL;
        if (k % 6) {
            ctx = run_ctx_new(&basin_default_limits);
            val v;
            json_t *sv = random_json(&v);
            if (sv && json_is_integer(sv))
                basin_ctx_summary_int(ctx, "v", json_integer_value(sv));
            else if (sv && json_is_real(sv))
                basin_ctx_summary_real(ctx, "v", json_real_value(sv));
            else if (sv && json_is_string(sv))
                basin_ctx_summary_string(ctx, "v", json_string_value(sv));
            else if (sv && json_is_boolean(sv))
                basin_ctx_summary_bool(ctx, "v", json_is_true(sv));
            else
                v = v_null(); /* summaries are scalars: no arrays, and null means absent */
            json_decref(sv);
            j->f[F_SUMMARY_V] = v;
            if (k % 4) {
                double e = rand() % 7 - 3;
                basin_ctx_series(ctx, "e", 0, 0.0);
                basin_ctx_series(ctx, "e", 1, e);
                j->f[F_SERIES_MAX] = v_num(e > 0 ? e : 0);
            }
        }
        job_outcome o = {.status = ctx ? JOB_SUCCEEDED : JOB_FAILED, .output = ctx};
        ck_assert_int_eq(store_finish(S, c.id, c.fence, &o), 0);
        run_ctx_free(ctx);
        job_claim_clear(&c);
    }
}

/* A random where tree, its text and its brute-force evaluation. */
typedef struct rnode {
    enum { R_CMP, R_AND, R_OR, R_NOT } kind;
    int field;
    where_op op;
    val c;
    int left, right;
} rnode;

static const char *const op_text[] = {"=", "!=", "<", "<=", ">", ">="};

static int random_where(rnode *t, int *n, int depth, int prefer_field)
{
    int i = (*n)++;
    int r = depth >= 3 ? 0 : rand() % 7;
    if (r <= 3) {
        t[i] = (rnode){.kind = R_CMP, .op = (where_op)(rand() % 6)};
        t[i].field = rand() % 2 ? prefer_field : rand() % N_RFIELDS;
        int c = rand() % 10;
        if (t[i].field == F_SERIES_MAX || c < 6)
            t[i].c = v_num(0.5 * (rand() % 15 - 7));
        else if (c < 9)
            t[i].c = v_text(t[i].field == F_LABELS_G ? (rand() % 2 ? "g1" : "g2")
                                                     : some_text[rand() % 5]);
        else
            t[i].c = v_num(1); /* written as true */
        return i;
    }
    t[i].kind = r == 4 ? R_OR : r == 5 ? R_NOT : R_AND;
    t[i].left = random_where(t, n, depth + 1, prefer_field);
    if (t[i].kind != R_NOT)
        t[i].right = random_where(t, n, depth + 1, prefer_field);
    return i;
}

/* Appends node i's text at out + *len (bounded by cap). */
static void where_text(const rnode *t, int i, char *out, size_t cap, size_t *len)
{
#define APPEND(...) (*len += (size_t)snprintf(out + *len, *len < cap ? cap - *len : 0, __VA_ARGS__))
    switch (t[i].kind) {
    case R_CMP:
        if (t[i].c.type == V_TEXT)
            APPEND("%s %s '%s'", rfield[t[i].field], op_text[t[i].op], t[i].c.text);
        else if (t[i].c.num == 1 && t[i].field != F_SERIES_MAX && rand() % 2)
            APPEND("%s %s true", rfield[t[i].field], op_text[t[i].op]);
        else
            APPEND("%s %s %.17g", rfield[t[i].field], op_text[t[i].op], t[i].c.num);
        break;
    case R_NOT:
        APPEND("not (");
        where_text(t, t[i].left, out, cap, len);
        APPEND(")");
        break;
    default:
        APPEND("(");
        where_text(t, t[i].left, out, cap, len);
        APPEND(") %s (", t[i].kind == R_AND ? "and" : "or");
        where_text(t, t[i].right, out, cap, len);
        APPEND(")");
        break;
    }
#undef APPEND
    ck_assert_uint_lt(*len, cap);
}

/* Two-valued: a comparison with a null is false, and `not` negates that (where.h). */
static bool where_eval(const rnode *t, int i, const rjob *j)
{
    switch (t[i].kind) {
    case R_CMP: {
        const val *a = &j->f[t[i].field];
        if (a->type == V_NULL)
            return false;
        int c = val_cmp(a, &t[i].c);
        switch (t[i].op) {
        case OP_EQ:
            return c == 0;
        case OP_NE:
            return c != 0;
        case OP_LT:
            return c < 0;
        case OP_LE:
            return c <= 0;
        case OP_GT:
            return c > 0;
        default:
            return c >= 0;
        }
    }
    case R_AND:
        return where_eval(t, t[i].left, j) && where_eval(t, t[i].right, j);
    case R_OR:
        return where_eval(t, t[i].left, j) || where_eval(t, t[i].right, j);
    default:
        return !where_eval(t, t[i].left, j);
    }
}

static int ref_field;
static bool ref_desc;

/* The listing order: nulls last; then the value (numbers before text), then the id. */
static int ref_order(const void *pa, const void *pb)
{
    const rjob *a = *(const rjob *const *)pa, *b = *(const rjob *const *)pb;
    const val *x = &a->f[ref_field], *y = &b->f[ref_field];
    if ((x->type == V_NULL) != (y->type == V_NULL))
        return x->type == V_NULL ? 1 : -1;
    int c = x->type == V_NULL ? 0 : val_cmp(x, y);
    if (c == 0)
        c = strcmp(a->id, b->id);
    return ref_desc ? -c : c;
}

/* Lists by every field in both directions with random wheres and page sizes; each full
 * listing must equal the brute-force one. */
static void check_random_listings(void)
{
    static char got[N_RJOBS + 1][ULID_LEN + 1];
    static const rjob *want[N_RJOBS];
    int listings = 0;
    for (int field = 0; field < N_RFIELDS; field++) {
        for (int w = 0; w < 14; w++) {
            rnode t[64];
            int nt = 0, root = -1;
            char text[4096] = "";
            if (w > 0) { /* w = 0: no where */
                root = random_where(t, &nt, 0, field);
                size_t len = 0;
                where_text(t, root, text, sizeof text, &len);
            }
            ref_field = field;
            ref_desc = w % 2;
            size_t nwant = 0;
            for (int k = 0; k < N_RJOBS; k++)
                if (root < 0 || where_eval(t, root, &rj[k]))
                    want[nwant++] = &rj[k];
            qsort(want, nwant, sizeof want[0], ref_order);
            char order[32];
            snprintf(order, sizeof order, "%s%s", ref_desc ? "-" : "", rfield[field]);
            size_t n = list_all(order, root < 0 ? NULL : text, 0, got, N_RJOBS + 1);
            ck_assert_msg(n == nwant, "order=%s where=%s: %zu rows, want %zu", order, text, n,
                          nwant);
            for (size_t i = 0; i < n; i++)
                ck_assert_msg(strcmp(got[i], want[i]->id) == 0,
                              "order=%s where=%s: row %zu is %s, want %s", order, text, i, got[i],
                              want[i]->id);
            listings++;
        }
    }
    ck_assert_int_eq(listings, N_RFIELDS * 14);
}

/* The walk's CPU budget (query.c): 1 ns makes every walk hand over to the sorted plan at
 * its first look at the clock, after however many rows it found by then. */
extern int64_t store_walk_budget_ns;

START_TEST(test_values_walk_matches_brute_force)
{
    srand(20240611);
    make_random_jobs();
    int64_t budget = store_walk_budget_ns;
    for (int pass = 0; pass < 2; pass++) {
        store_walk_budget_ns = pass ? 1 : budget;
        check_random_listings();
    }
    store_walk_budget_ns = budget;
    /* The walk did answer: every field is indexed, one row per job with a value. */
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields WHERE ready = 1", NULL), N_RFIELDS);
    for (int field = 0; field < N_RFIELDS; field++) {
        int64_t with_value = 0;
        for (int k = 0; k < N_RJOBS; k++)
            with_value += rj[k].f[field].type != V_NULL;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM job_values WHERE field = %d", field + 1);
        ck_assert_int_eq(raw_int(sql, NULL), with_value);
    }
}
END_TEST

START_TEST(test_values_not_indexed_falls_back)
{
    /* Params with more keys than the registry holds: k0 … k{MAX}, job i has k = (i·7) mod 5
     * and, for job 0, no k{MAX}. Listings by k0 … k{MAX-1} fill the registry; by k{MAX}
     * the listing sorts without an index, with the same order; so does a key nobody has. */
    enum { N = 12 };
    char id[N][ULID_LEN + 1];
    for (int i = 0; i < N; i++) {
        json_t *params = json_object();
        for (int k = 0; k <= VALUES_MAX_FIELDS; k++)
            if (i || k < VALUES_MAX_FIELDS) {
                char key[16];
                snprintf(key, sizeof key, "k%d", k);
                json_object_set_new(params, key, json_integer((i * 7) % 5));
            }
        submit_with(params, NULL, id[i]);
    }
    static char got[N + 1][ULID_LEN + 1];
    char field[32];
    for (int k = 0; k <= VALUES_MAX_FIELDS; k++) {
        snprintf(field, sizeof field, "-params.k%d", k);
        ck_assert_uint_eq(list_all(field, NULL, 5, got, N + 1), N);
        /* (i·7) mod 5 descending, ties by id descending, job 0 last for the unindexed key */
        for (int r = 1; r < N; r++) {
            int a = index_of(id, got[r - 1]), b = index_of(id, got[r]);
            int va = (a * 7) % 5, vb = (b * 7) % 5;
            bool a_null = k == VALUES_MAX_FIELDS && a == 0;
            ck_assert_msg(
                !a_null && (va > vb || (va == vb && a > b) || (k == VALUES_MAX_FIELDS && b == 0)),
                "k%d: %d before %d", k, a, b);
        }
    }
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields", NULL), VALUES_MAX_FIELDS);
    ck_assert_uint_eq(list_all("summary.nothing", NULL, 5, got, N + 1), N);
    ck_assert_str_eq(got[0], id[0]); /* all null: by id */
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields", NULL), VALUES_MAX_FIELDS);
}
END_TEST

extern const char *const basin_migrations[];

START_TEST(test_values_after_upgrade_from_0005)
{
    /* A database written by schema 5 (migrations 0001-0005, rows inserted as that version
     * did), opened by this build: it migrates, and a listing by a summary value backfills
     * the jobs that were already there. */
    enum { N = 100 };
    char path[1024];
    snprintf(path, sizeof path, "%s/v5.db", test_dir);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    for (int v = 0; v < 5; v++)
        ck_assert_int_eq(sqlite3_exec(db, basin_migrations[v], NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 5", NULL, NULL, NULL), SQLITE_OK);
    static char ids[N][ULID_LEN + 1];
    for (int k = 0; k < N; k++) {
        ulid_new(ids[k]);
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO jobs (id, kind, model_version, params, status, created_at, "
                 "run_after, updated_at, finished_at) VALUES ('%.26s', 'hopfield', '1', "
                 "'{\"x\":%d}', 'succeeded', %d, %d, %d, %d)",
                 ids[k], k % 7, k, k, k, k);
        ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        if (k % 5) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO results (job_id, summary) VALUES ('%.26s', '{\"v\":%d}')", ids[k],
                     (k * 37) % 11);
            ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        }
    }
    sqlite3_close(db);

    store_options opt = {.path = path, .sync_full = true, .migrate = true};
    store *s5 = NULL;
    char err[512] = "";
    ck_assert_msg(store_open(&opt, &s5, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(read_user_version(path), store_schema_latest());
    store *mine = S;
    S = s5; /* list_all works on S */
    static char got[N + 1][ULID_LEN + 1];
    ck_assert_uint_eq(list_all("summary.v", NULL, 7, got, N + 1), N);
    /* v ascending, ties by id; the jobs without a result last, by id */
    int prev = -1;
    for (int r = 0; r < N; r++) {
        int k = index_of(ids, got[r]);
        ck_assert_int_ge(k, 0);
        if (prev >= 0) {
            bool ok;
            if ((prev % 5 == 0) != (k % 5 == 0))
                ok = k % 5 == 0;
            else if (k % 5 == 0 || (prev * 37) % 11 == (k * 37) % 11)
                ok = prev < k;
            else
                ok = (prev * 37) % 11 < (k * 37) % 11;
            ck_assert_msg(ok, "row %d: job %d after job %d", r, k, prev);
        }
        prev = k;
    }
    /* where on the order field: x > 3, descending, ties by id descending */
    size_t n = list_all("-params.x", "params.x > 3", 9, got, N + 1);
    size_t want = 0;
    for (int k = 0; k < N; k++)
        want += k % 7 > 3;
    ck_assert_uint_eq(n, want);
    ck_assert_int_eq(index_of(ids, got[0]), 97); /* the last job with x = 6 */
    S = mine;
    store_close(s5);

    /* Both fields were backfilled from the rows written before the upgrade. */
    snprintf(db_path, sizeof db_path, "%s", path);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM value_fields WHERE ready = 1", NULL), 2);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM job_values", NULL), N + N - N / 5);
    snprintf(db_path, sizeof db_path, "%s/basin.db", test_dir);
}
END_TEST

/* ---- runner --------------------------------------------------------------------------- */

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    struct {
        const char *name;
        const TTest *tests[8];
    } groups[] = {
        {"migrations",
         {test_migrate_new_file_at_latest, test_migrate_rerun_is_noop,
          test_migrate_refuses_newer_schema}},
        {"submit", {test_submit_get_round_trip, test_submit_ids_increase}},
        {"group_commit",
         {test_group_commit_concurrent_submits, test_submit_start_commits_in_batches}},
        {"claim", {test_claim_order_priority_then_oldest, test_claim_sets_running_attempts_fence}},
        {"fencing", {test_fencing_after_lease_expiry}},
        {"finish", {test_finish_stores_output_once, test_finish_then_claim_next}},
        {"retry", {test_requeue_counts_attempt, test_requeue_gives_attempt_back}},
        {"recovery", {test_recover_out_of_attempts_fails, test_recover_dead_owner_only}},
        {"cancel",
         {test_cancel_queued, test_cancel_running_flags_run, test_cancel_finished_conflicts,
          test_cancel_unknown}},
        {"delete", {test_delete_finished_removes_everything, test_delete_unfinished_conflicts}},
        {"list", {test_list_filters, test_list_pagination}},
        {"query", {test_order_pages_every_job_once, test_where_matches_brute_force}},
        {"values",
         {test_values_follow_writes, test_values_walk_matches_brute_force,
          test_values_not_indexed_falls_back, test_values_after_upgrade_from_0005}},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        TCase *tc = tcase_create(groups[g].name);
        tcase_add_checked_fixture(tc, store_setup, store_teardown);
        tcase_set_timeout(tc, 30);
        for (size_t i = 0; i < 8 && groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof base_dir, "%s/basin-test-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(store_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
