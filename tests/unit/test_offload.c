/*
 * test_offload.c — the pool of threads for blocking handlers (src/http/offload.c).
 *
 * What the server relies on: every task runs exactly once, even when more are queued than
 * there are threads; the pool grows to as many threads as tasks block at once, never past
 * its maximum; and offload_free returns only after every queued task has run.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "http/offload.h"

typedef struct counters {
    atomic_int runs[1000];
    atomic_int running, peak, finished;
    atomic_bool release; /* blocking tasks wait for this */
} counters;

typedef struct task_arg {
    counters *c;
    int index;
    bool block;
} task_arg;

static void task(void *arg)
{
    task_arg *t = arg;
    counters *c = t->c;
    int now = atomic_fetch_add(&c->running, 1) + 1;
    for (int peak = atomic_load(&c->peak);
         now > peak && !atomic_compare_exchange_weak(&c->peak, &peak, now);)
        ;
    while (t->block && !atomic_load(&c->release))
        usleep(1000);
    atomic_fetch_add(&c->runs[t->index], 1);
    atomic_fetch_sub(&c->running, 1);
    atomic_fetch_add(&c->finished, 1);
}

START_TEST(test_every_task_runs_once)
{
    static counters c;
    static task_arg args[1000];
    offload *o = offload_new(4);
    ck_assert_ptr_nonnull(o);
    for (int i = 0; i < 1000; i++) {
        args[i] = (task_arg){.c = &c, .index = i};
        ck_assert(offload_run(o, task, &args[i]));
    }
    offload_free(o); /* waits for the queue to drain */
    int finished = atomic_load(&c.finished), peak = atomic_load(&c.peak);
    ck_assert_int_eq(finished, 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert_msg(atomic_load(&c.runs[i]) == 1, "task %d ran %d times", i,
                      atomic_load(&c.runs[i]));
    ck_assert_int_le(peak, 4);
}
END_TEST

START_TEST(test_grows_to_blocking_tasks_but_not_past_max)
{
    static counters c;
    static task_arg args[10];
    offload *o = offload_new(6);
    for (int i = 0; i < 10; i++) {
        args[i] = (task_arg){.c = &c, .index = i, .block = true};
        ck_assert(offload_run(o, task, &args[i]));
    }
    /* Six tasks block at once (one thread each); the other four wait in the queue. */
    for (int waited = 0; atomic_load(&c.running) < 6 && waited < 10000; waited++)
        usleep(1000);
    usleep(50000);
    int running = atomic_load(&c.running), finished = atomic_load(&c.finished);
    ck_assert_int_eq(running, 6);
    ck_assert_int_eq(finished, 0);
    atomic_store(&c.release, true);
    offload_free(o);
    finished = atomic_load(&c.finished);
    int peak = atomic_load(&c.peak);
    ck_assert_int_eq(finished, 10);
    ck_assert_int_eq(peak, 6);
}
END_TEST

START_TEST(test_tasks_queued_together_do_not_share_an_idle_thread)
{
    /* One idle thread and two blocking tasks queued back to back: the second must get a
     * thread of its own, not wait behind the first (the idle thread is claimed by the
     * first as soon as it is signalled, before it wakes). */
    static counters c;
    static task_arg args[3];
    offload *o = offload_new(8);
    args[0] = (task_arg){.c = &c, .index = 0};
    ck_assert(offload_run(o, task, &args[0]));
    for (int waited = 0; atomic_load(&c.finished) < 1 && waited < 10000; waited++)
        usleep(1000);
    usleep(20000); /* the thread is idle now */
    for (int i = 1; i <= 2; i++) {
        args[i] = (task_arg){.c = &c, .index = i, .block = true};
        ck_assert(offload_run(o, task, &args[i]));
    }
    for (int waited = 0; atomic_load(&c.running) < 2 && waited < 5000; waited++)
        usleep(1000);
    int running = atomic_load(&c.running);
    atomic_store(&c.release, true);
    offload_free(o);
    ck_assert_int_eq(running, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("offload");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_task_runs_once);
    tcase_add_test(tc, test_grows_to_blocking_tasks_but_not_past_max);
    tcase_add_test(tc, test_tasks_queued_together_do_not_share_an_idle_thread);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
