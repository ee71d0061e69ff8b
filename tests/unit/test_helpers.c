/*
 * test_helpers.c — the kept helper threads (src/core/helpers.c): every started call runs
 * exactly once and join waits for it; when every helper is held start refuses and runs
 * nothing; helpers are reused, many callers at once share them safely (this suite also
 * runs under ThreadSanitizer), and a forked child starts its own. The tests run in one
 * process, in order (CK_NOFORK), so that they see the helpers the earlier ones started.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basin/helpers.h"

static void add_one(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

/* Reference: helpers.h — after join the call's fn has returned (its effect is visible),
 * and a helper joined is free again: more calls than BASIN_HELPERS_MAX in sequence all
 * start. */
START_TEST(join_waits_and_helpers_are_reused)
{
    atomic_int count = 0;
    for (int i = 0; i < 5 * BASIN_HELPERS_MAX; i++) {
        basin_helper_call call;
        ck_assert(basin_helper_start(&call, add_one, &count));
        basin_helper_join(&call);
        ck_assert_int_eq(atomic_load(&count), i + 1);
    }
}
END_TEST

/* A call that holds its helper until released. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open;
    bool opened;
    atomic_int entered;
} gate;

static void wait_at_gate(void *arg)
{
    gate *g = arg;
    atomic_fetch_add(&g->entered, 1);
    pthread_mutex_lock(&g->lock);
    while (!g->opened)
        pthread_cond_wait(&g->open, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Reference: helpers.h — with every helper held, start returns false and runs nothing
 * (the count stays put); once they are released and joined, start succeeds again. */
START_TEST(start_refuses_when_every_helper_is_held)
{
    gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .open = PTHREAD_COND_INITIALIZER};
    basin_helper_call calls[BASIN_HELPERS_MAX];
    for (int i = 0; i < BASIN_HELPERS_MAX; i++)
        ck_assert_msg(basin_helper_start(&calls[i], wait_at_gate, &g), "helper %d", i);
    atomic_int count = 0;
    basin_helper_call extra;
    ck_assert(!basin_helper_start(&extra, add_one, &count));
    pthread_mutex_lock(&g.lock);
    g.opened = true;
    pthread_cond_broadcast(&g.open);
    pthread_mutex_unlock(&g.lock);
    for (int i = 0; i < BASIN_HELPERS_MAX; i++)
        basin_helper_join(&calls[i]);
    ck_assert_int_eq(atomic_load(&g.entered), BASIN_HELPERS_MAX);
    ck_assert_int_eq(atomic_load(&count), 0);
    ck_assert(basin_helper_start(&extra, add_one, &count));
    basin_helper_join(&extra);
    ck_assert_int_eq(atomic_load(&count), 1);
}
END_TEST

/* Many callers at once, each handing out parts and running the refused ones itself (as
 * the scans do): every part runs exactly once. */
enum { CALLERS = 8, ROUNDS = 200, PARTS = 4 };

static atomic_int runs[CALLERS][PARTS];

static void mark(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void *caller(void *arg)
{
    int c = (int)(intptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        basin_helper_call call[PARTS];
        bool started[PARTS] = {false};
        for (int p = 1; p < PARTS; p++)
            started[p] = basin_helper_start(&call[p], mark, &runs[c][p]);
        mark(&runs[c][0]);
        for (int p = 1; p < PARTS; p++) {
            if (started[p])
                basin_helper_join(&call[p]);
            else
                mark(&runs[c][p]);
        }
    }
    return NULL;
}

START_TEST(concurrent_callers_run_every_part_once)
{
    pthread_t t[CALLERS];
    for (int c = 0; c < CALLERS; c++)
        ck_assert_int_eq(pthread_create(&t[c], NULL, caller, (void *)(intptr_t)c), 0);
    for (int c = 0; c < CALLERS; c++)
        pthread_join(t[c], NULL);
    for (int c = 0; c < CALLERS; c++)
        for (int p = 0; p < PARTS; p++)
            ck_assert_msg(atomic_load(&runs[c][p]) == ROUNDS, "caller %d part %d ran %d times", c,
                          p, atomic_load(&runs[c][p]));
}
END_TEST

#ifndef __SANITIZE_THREAD__ /* ThreadSanitizer refuses new threads after such a fork */
/* Reference: helpers.c — a child of fork() has no helper threads; it must not wait on its
 * parent's (they do not exist there) but start its own: a call in the child of a process
 * whose helpers were started runs and joins. */
START_TEST(a_forked_child_starts_its_own_helpers)
{
    atomic_int count = 0;
    basin_helper_call call;
    ck_assert(basin_helper_start(&call, add_one, &count)); /* the parent's helpers exist */
    basin_helper_join(&call);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        alarm(10); /* a child waiting on a helper that does not exist dies instead of hanging */
        atomic_int in_child = 0;
        bool ok = basin_helper_start(&call, add_one, &in_child);
        if (ok)
            basin_helper_join(&call);
        _exit(ok && atomic_load(&in_child) == 1 ? 0 : 1);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("helpers");
    TCase *tc = tcase_create("helpers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, join_waits_and_helpers_are_reused);
    tcase_add_test(tc, start_refuses_when_every_helper_is_held);
    tcase_add_test(tc, concurrent_callers_run_every_part_once);
#ifndef __SANITIZE_THREAD__
    tcase_add_test(tc, a_forked_child_starts_its_own_helpers);
#endif
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
