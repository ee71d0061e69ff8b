/* offload.c — a pool of threads for blocking handlers (see offload.h). */
#include "offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct task {
    void (*fn)(void *arg);
    void *arg;
    struct task *next;
} task;

struct offload {
    pthread_mutex_t mutex;
    pthread_cond_t work;  /* a task was queued, or the pool is closing */
    pthread_cond_t ended; /* a thread ended */
    task *head, *tail;
    size_t queued; /* tasks in the queue, not yet taken by a thread */
    unsigned threads, idle, max_threads;
    bool closing;
};

static void *thread_main(void *arg)
{
    offload *o = arg;
    pthread_mutex_lock(&o->mutex);
    for (;;) {
        if (o->head) {
            task *t = o->head;
            o->head = t->next;
            if (!o->head)
                o->tail = NULL;
            o->queued--;
            pthread_mutex_unlock(&o->mutex);
            t->fn(t->arg);
            free(t);
            pthread_mutex_lock(&o->mutex);
            continue;
        }
        if (o->closing)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += OFFLOAD_IDLE_MS / 1000;
        o->idle++;
        int rc = pthread_cond_timedwait(&o->work, &o->mutex, &until);
        o->idle--;
        if (rc == ETIMEDOUT && !o->head)
            break; /* idle long enough: the pool shrinks back */
    }
    o->threads--;
    pthread_cond_broadcast(&o->ended);
    pthread_mutex_unlock(&o->mutex);
    return NULL;
}

offload *offload_new(unsigned max_threads)
{
    offload *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    pthread_mutex_init(&o->mutex, NULL);
    pthread_cond_init(&o->work, NULL);
    pthread_cond_init(&o->ended, NULL);
    o->max_threads = max_threads ? max_threads : 1;
    return o;
}

bool offload_run(offload *o, void (*fn)(void *arg), void *arg)
{
    task *t = malloc(sizeof *t);
    if (!t)
        return false;
    *t = (task){.fn = fn, .arg = arg};
    pthread_mutex_lock(&o->mutex);
    if (o->tail)
        o->tail->next = t;
    else
        o->head = t;
    o->tail = t;
    o->queued++;
    bool started = false;
    /* A thread per queued task: idle threads count only until as many tasks wait (one
     * signalled but not yet awake is idle still, yet already spoken for). */
    if (o->queued > o->idle && o->threads < o->max_threads) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&th, &attr, thread_main, o) == 0;
        pthread_attr_destroy(&attr);
        if (started)
            o->threads++;
    }
    /* Without a new thread the task waits for a running one; if none runs at all (the
     * first create failed), it runs here rather than never. */
    bool run_here = !started && o->threads == 0;
    if (run_here) {
        o->head = t->next;
        if (!o->head)
            o->tail = NULL;
        o->queued--;
    } else if (!started) {
        pthread_cond_signal(&o->work);
    }
    pthread_mutex_unlock(&o->mutex);
    if (run_here) {
        fn(arg);
        free(t);
    }
    return true;
}

void offload_free(offload *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mutex);
    o->closing = true;
    pthread_cond_broadcast(&o->work);
    while (o->threads > 0)
        pthread_cond_wait(&o->ended, &o->mutex);
    pthread_mutex_unlock(&o->mutex);
    pthread_mutex_destroy(&o->mutex);
    pthread_cond_destroy(&o->work);
    pthread_cond_destroy(&o->ended);
    free(o);
}
