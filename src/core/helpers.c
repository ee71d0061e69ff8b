/*
 * helpers.c — kept threads for the parallel parts of a computation (basin/helpers.h).
 *
 * One lock guards every helper's state; each helper has a condition to be woken by (go)
 * and one its caller waits on (done). A helper's state runs
 *     ABSENT → IDLE → RUNNING → DONE → IDLE → …
 * start moves IDLE → RUNNING (claiming the helper), the helper RUNNING → DONE when fn has
 * returned, join DONE → IDLE. A claimed helper is RUNNING or DONE until its caller joins
 * it, so no two calls share one.
 *
 * A child of fork() has none of the parent's threads: it starts with every helper ABSENT
 * (pthread_atfork), so that it starts its own instead of waiting on ones that do not exist
 * there (the Check suites fork a child per test).
 */
#include "basin/helpers.h"

#include <pthread.h>

typedef enum { ABSENT, IDLE, RUNNING, DONE } helper_state;

typedef struct helper {
    helper_state state;
    void (*fn)(void *);
    void *arg;
    pthread_cond_t go, done;
} helper;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static helper helpers[BASIN_HELPERS_MAX];
static pthread_once_t fork_handlers = PTHREAD_ONCE_INIT;

static void before_fork(void)
{
    pthread_mutex_lock(&lock);
}

static void after_fork_in_parent(void)
{
    pthread_mutex_unlock(&lock);
}

static void after_fork_in_child(void)
{
    for (int i = 0; i < BASIN_HELPERS_MAX; i++)
        helpers[i].state = ABSENT; /* start_thread initialises its conditions again */
    pthread_mutex_unlock(&lock);
}

static void register_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

static void *helper_main(void *p)
{
    helper *h = p;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (h->state != RUNNING)
            pthread_cond_wait(&h->go, &lock);
        void (*fn)(void *) = h->fn;
        void *arg = h->arg;
        pthread_mutex_unlock(&lock);
        fn(arg);
        pthread_mutex_lock(&lock);
        h->state = DONE;
        pthread_cond_signal(&h->done);
    }
    return NULL;
}

/* Starts helper i's thread (under the lock); false when the thread cannot be created. */
static bool start_thread(int i)
{
    helper *h = &helpers[i];
    pthread_cond_init(&h->go, NULL);
    pthread_cond_init(&h->done, NULL);
    pthread_t tid;
    if (pthread_create(&tid, NULL, helper_main, h) != 0) {
        pthread_cond_destroy(&h->go);
        pthread_cond_destroy(&h->done);
        return false;
    }
    pthread_detach(tid);
    h->state = IDLE;
    return true;
}

bool basin_helper_start(basin_helper_call *call, void (*fn)(void *arg), void *arg)
{
    pthread_once(&fork_handlers, register_fork_handlers);
    pthread_mutex_lock(&lock);
    int found = -1;
    for (int i = 0; i < BASIN_HELPERS_MAX && found < 0; i++)
        if (helpers[i].state == IDLE)
            found = i;
    for (int i = 0; i < BASIN_HELPERS_MAX && found < 0; i++)
        if (helpers[i].state == ABSENT) {
            if (!start_thread(i))
                break;
            found = i;
        }
    if (found >= 0) {
        helper *h = &helpers[found];
        h->fn = fn;
        h->arg = arg;
        h->state = RUNNING;
        pthread_cond_signal(&h->go);
        call->helper = found;
    }
    pthread_mutex_unlock(&lock);
    return found >= 0;
}

void basin_helper_join(basin_helper_call *call)
{
    helper *h = &helpers[call->helper];
    pthread_mutex_lock(&lock);
    while (h->state != DONE)
        pthread_cond_wait(&h->done, &lock);
    h->state = IDLE;
    pthread_mutex_unlock(&lock);
}
