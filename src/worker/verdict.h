/*
 * verdict.h — what becomes of a job when a run of it ends: the queue's state machine as
 * pure functions (no I/O), so that every transition can be tested directly.
 */
#ifndef BASIN_WORKER_VERDICT_H
#define BASIN_WORKER_VERDICT_H

#include <stdint.h>

typedef enum run_verdict {
    VERDICT_SUCCEEDED, /* store the output, status succeeded */
    VERDICT_FAILED,    /* final failure: timeout, numerical failure, bad params, no retries */
    VERDICT_CANCELLED, /* a user cancel stopped the run */
    VERDICT_RETRY,     /* transient failure with attempts left: requeue after a backoff */
    VERDICT_REQUEUE,   /* shutdown interrupted the run: requeue now, attempt given back */
    VERDICT_ABANDON,   /* the lease was taken over: write nothing */
} run_verdict;

/* The verdict for a run that returned `rc` (a basin_err) after being asked to stop for
 * `stop_reason` (0 if never asked), on attempt `attempts` of `max_attempts`.
 * Deterministic failures (BASIN_EDIVERGED, BASIN_EINVAL) are never retried. */
run_verdict worker_verdict(int rc, int stop_reason, int attempts, int max_attempts);

/* Retry delay after failed attempt `attempt` (≥ 1): base·2^(attempt−1), capped at max_ms,
 * times the jitter factor 0.5 + 0.5·u for u in [0, 1) ("equal jitter": spreads retries of
 * jobs that failed together while keeping at least half the backoff). */
int64_t worker_retry_delay_ms(int64_t base_ms, int64_t max_ms, int attempt, double u);

#endif
