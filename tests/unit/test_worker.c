/*
 * test_worker.c — the queue's state machine (worker_verdict, retry backoff) and the worker
 * pool end to end against a real SQLite store: a job runs to success, a cancel stops a
 * running job within a second, a worker whose lease was taken over stops and writes
 * nothing (the job then runs again and succeeds once), shutdown gives the attempt back,
 * and a timeout fails the job. Reference: the queue semantics of
 * ../shared/design/architecture.md.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "worker/pool.h"
#include "worker/verdict.h"

START_TEST(verdicts_follow_the_queue_semantics)
{
    ck_assert_int_eq(worker_verdict(0, 0, 1, 3), VERDICT_SUCCEEDED);
    ck_assert_int_eq(worker_verdict(BASIN_ECANCELLED, BASIN_ECANCELLED, 1, 3), VERDICT_CANCELLED);
    ck_assert_int_eq(worker_verdict(BASIN_ECANCELLED, BASIN_ETIMEOUT, 1, 3), VERDICT_FAILED);
    ck_assert_int_eq(worker_verdict(BASIN_ECANCELLED, BASIN_ESHUTDOWN, 3, 3), VERDICT_REQUEUE);
    ck_assert_int_eq(worker_verdict(BASIN_ECANCELLED, BASIN_EFENCED, 1, 3), VERDICT_ABANDON);
    /* Deterministic failures are not retried; transient ones are, while attempts last. */
    ck_assert_int_eq(worker_verdict(BASIN_EDIVERGED, 0, 1, 3), VERDICT_FAILED);
    ck_assert_int_eq(worker_verdict(BASIN_EINVAL, 0, 1, 3), VERDICT_FAILED);
    ck_assert_int_eq(worker_verdict(BASIN_ENOMEM, 0, 1, 3), VERDICT_RETRY);
    ck_assert_int_eq(worker_verdict(BASIN_EDB, 0, 2, 3), VERDICT_RETRY);
    ck_assert_int_eq(worker_verdict(BASIN_ENOMEM, 0, 3, 3), VERDICT_FAILED);
}
END_TEST

START_TEST(default_options_keep_jobs)
{
    /* Defaults set every field whatever the memory held before (a caller's stack): in
     * particular retention is 0, keep — a stray positive value made a server delete
     * finished jobs moments after they ended. Reference: pool.h. */
    worker_options o;
    memset(&o, 0x5a, sizeof o);
    worker_options_default(&o);
    ck_assert_int_eq(o.retention_ms, 0);
    ck_assert_int_ge(o.n_workers, 1);
    ck_assert_int_eq(o.lease_ms, 30000);
    ck_assert_int_eq(o.heartbeat_ms, 1000);
}
END_TEST

START_TEST(retry_delay_doubles_with_jitter_and_cap)
{
    /* base·2^(attempt−1)·(0.5 + 0.5u), capped before the jitter. */
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 1, 0.0), 500);
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 1, 0.999999), 999);
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 3, 0.0), 2000);
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 3, 0.5), 3000);
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 30, 0.0), 150000);
    ck_assert_int_eq(worker_retry_delay_ms(1000, 300000, 1000, 0.999999), 299999);
}
END_TEST

/* ---- the pool against a real store ----------------------------------------------------- */

static char dir[64];
static char db_path[128];
static store *st;
static hub *hb;
static worker_pool *pool;

static void pool_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/basin-worker-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/w.db", dir);
    store_options so = {.path = db_path, .sync_full = false, .migrate = true};
    char err[256];
    ck_assert_int_eq(store_open(&so, &st, err, sizeof err), 0);
    hb = hub_new();
    worker_options wo;
    worker_options_default(&wo);
    wo.n_workers = 1;
    wo.lease_ms = 2000;
    wo.heartbeat_ms = 100;
    ck_assert_int_eq(worker_pool_start(st, hb, &wo, &pool), 0);
}

static void pool_teardown(void)
{
    worker_pool_stop(pool, 0);
    hub_free(hb);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Submits a langevin job with the given particles/steps (3-D OU). */
static void submit(long particles, long steps, double timeout_s, char id[ULID_LEN + 1])
{
    json_t *params = json_pack("{s:{s:s, s:f}, s:i, s:I, s:I, s:f, s:i}", "energy", "type",
                               "harmonic", "k", 1.0, "dim", 3, "particles", (json_int_t)particles,
                               "steps", (json_int_t)steps, "dt", 0.001, "seed", 1);
    const basin_model *m = basin_model_find("langevin");
    basin_problems pr = {0};
    json_t *normalized = NULL;
    void *config = NULL;
    ck_assert_int_eq(
        m->parse(params, "/params", &basin_default_limits, &pr, NULL, &normalized, &config), 0);
    m->free_config(config);
    job_new job = {.kind = "langevin",
                   .model_version = m->version,
                   .params = normalized,
                   .max_attempts = 3,
                   .timeout_s = timeout_s};
    ck_assert_int_eq(store_submit(st, &job, id), 0);
    json_decref(normalized);
    json_decref(params);
    worker_pool_wake(pool);
}

/* Waits (up to timeout_ms) until the job has status `want`; returns its row. */
static job_row wait_for(const char *id, job_status want, int64_t timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    job_row row;
    for (;;) {
        ck_assert_int_eq(store_get_job(st, id, &row), 0);
        if (row.status == want || clock_mono_ms() > deadline)
            break;
        job_row_clear(&row);
        usleep(10000);
    }
    ck_assert_msg(row.status == want, "job %s is %s, wanted %s", id, job_status_name(row.status),
                  job_status_name(want));
    return row;
}

START_TEST(a_job_runs_to_success_once)
{
    char id[ULID_LEN + 1];
    submit(1000, 100, 0, id);
    job_row row = wait_for(id, JOB_SUCCEEDED, 20000);
    ck_assert_int_eq(row.attempts, 1);
    ck_assert_double_eq(row.progress, 1.0);
    ck_assert_int_eq(json_integer_value(json_object_get(row.summary, "steps")), 100);
    job_row_clear(&row);
    result_row res;
    ck_assert_int_eq(store_get_result(st, id, &res), 0);
    ck_assert(res.has_seed && res.seed == 1);
    result_row_clear(&res);
}
END_TEST

START_TEST(cancel_stops_a_running_job_within_a_second)
{
    char id[ULID_LEN + 1];
    submit(200000, 100000, 0, id);
    job_row row = wait_for(id, JOB_RUNNING, 10000);
    job_row_clear(&row);
    int64_t t0 = clock_mono_ms();
    ck_assert_int_eq(store_cancel(st, id, NULL), 0);
    worker_pool_cancel(pool, id);
    row = wait_for(id, JOB_CANCELLED, 1000);
    ck_assert_int_lt(clock_mono_ms() - t0, 1000);
    ck_assert_str_eq(row.error_code, "cancelled");
    job_row_clear(&row);
}
END_TEST

START_TEST(cancel_through_the_database_reaches_the_run)
{
    /* Another process's cancel only sets cancel_requested: the heartbeat carries it. */
    char id[ULID_LEN + 1];
    submit(200000, 100000, 0, id);
    job_row row = wait_for(id, JOB_RUNNING, 10000);
    job_row_clear(&row);
    ck_assert_int_eq(store_cancel(st, id, NULL), 0);
    row = wait_for(id, JOB_CANCELLED, 1000);
    job_row_clear(&row);
}
END_TEST

START_TEST(a_stale_worker_cannot_write)
{
    /* Declare the running worker dead (as a restarted process would): the job is requeued
     * with a new fence. The old run learns at its next heartbeat that it is fenced out,
     * stops and writes nothing; the job runs again (attempt 2) and succeeds once. */
    char id[ULID_LEN + 1];
    submit(20000, 1000, 0, id); /* short: also under ThreadSanitizer's slowdown */
    job_row row = wait_for(id, JOB_RUNNING, 10000);
    job_row_clear(&row);
    int n = 0;
    ck_assert_int_eq(store_recover(st, clock_wall_ms(), worker_pool_owner(pool), &n), 0);
    ck_assert_int_eq(n, 1);
    row = wait_for(id, JOB_SUCCEEDED, 60000);
    ck_assert_int_eq(row.attempts, 2);
    ck_assert_str_eq(row.error_code, ""); /* a success carries no error */
    job_row_clear(&row);
}
END_TEST

START_TEST(shutdown_requeues_and_gives_the_attempt_back)
{
    char id[ULID_LEN + 1];
    submit(200000, 100000, 0, id);
    job_row row = wait_for(id, JOB_RUNNING, 10000);
    job_row_clear(&row);
    worker_pool_stop(pool, 0);
    pool = NULL;
    ck_assert_int_eq(store_get_job(st, id, &row), 0);
    ck_assert_int_eq(row.status, JOB_QUEUED);
    ck_assert_int_eq(row.attempts, 0);
    job_row_clear(&row);
}
END_TEST

START_TEST(timeout_fails_the_job)
{
    char id[ULID_LEN + 1];
    submit(200000, 100000, 0.2, id);
    job_row row = wait_for(id, JOB_FAILED, 5000);
    ck_assert_str_eq(row.error_code, "timeout");
    ck_assert_int_eq(row.attempts, 1);
    job_row_clear(&row);
}
END_TEST

int main(void)
{
    log_set_level(LOG_WARN);
    Suite *s = suite_create("worker");
    TCase *pure = tcase_create("verdict");
    tcase_add_test(pure, verdicts_follow_the_queue_semantics);
    tcase_add_test(pure, retry_delay_doubles_with_jitter_and_cap);
    tcase_add_test(pure, default_options_keep_jobs);
    suite_add_tcase(s, pure);
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
    tcase_add_test(tc, a_job_runs_to_success_once);
    tcase_add_test(tc, cancel_stops_a_running_job_within_a_second);
    tcase_add_test(tc, cancel_through_the_database_reaches_the_run);
    tcase_add_test(tc, a_stale_worker_cannot_write);
    tcase_add_test(tc, shutdown_requeues_and_gives_the_attempt_back);
    tcase_add_test(tc, timeout_fails_the_job);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
