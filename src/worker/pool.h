/*
 * pool.h — the scheduler and the worker threads that run jobs.
 *
 * One libuv loop thread schedules: it wakes on submit (worker_pool_wake, a uv_async) and
 * on timers (heartbeat, run_after of queued jobs), claims due jobs for idle worker
 * threads, heartbeats their leases and watches for cancel requests. Each of N worker
 * threads runs one job at a time (parse → run → store the outcome, fenced) and hands
 * itself back to the loop.
 *
 * Outcomes: success → succeeded; a user cancel → cancelled; timeout → failed/timeout;
 * numerical failure → failed with the model's code (not retried: it is deterministic);
 * any other error → requeued with exponential backoff and jitter until max_attempts;
 * lease lost → nothing written (the job belongs to someone else now); shutdown → requeued
 * without spending an attempt.
 */
#ifndef BASIN_WORKER_POOL_H
#define BASIN_WORKER_POOL_H

#include <stdint.h>

#include "basin/model.h"
#include "store/store.h"
#include "worker/hub.h"

typedef struct worker_options {
    int n_workers;         /* ≥ 1 */
    int64_t lease_ms;      /* lease length; a crashed run is requeued after it */
    int64_t heartbeat_ms;  /* lease renewal and cancel polling interval */
    int64_t retry_base_ms; /* first retry delay; doubles per attempt */
    int64_t retry_max_ms;  /* cap on the retry delay */
    int64_t retention_ms;  /* delete jobs finished longer ago than this, hourly; 0: keep */
    basin_limits limits;
} worker_options;

/* Sensible defaults: n_workers = cores, lease 30 s, heartbeat 1 s, retry 1 s … 5 min. */
void worker_options_default(worker_options *o);

typedef struct worker_pool worker_pool;

/* Recovers jobs left running by a dead process, then starts the loop and the threads.
 * `s` and `h` are borrowed and must outlive the pool. */
int worker_pool_start(store *s, hub *h, const worker_options *o, worker_pool **out);

/* Tells the scheduler that work may be due (after a submit). Thread-safe. */
void worker_pool_wake(worker_pool *p);

/* Asks the local run of job `id`, if any, to stop as cancelled. Thread-safe. */
void worker_pool_cancel(worker_pool *p, const char *id);

/* Worker counts. Thread-safe. */
void worker_pool_counts(worker_pool *p, int *total, int *busy);

/* The lease owner name of this process ("host:pid:instance"). */
const char *worker_pool_owner(worker_pool *p);

/* Stops claiming, lets running jobs finish for up to grace_ms, then stops them and
 * requeues them; joins every thread and frees the pool. Accepts NULL. */
void worker_pool_stop(worker_pool *p, int64_t grace_ms);

#endif
