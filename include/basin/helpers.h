/*
 * helpers.h — threads kept for the parallel parts of one computation (the scans of a
 * search, the tiles of a dense-memory step), so that a part does not pay for a new thread.
 *
 * Creating and joining a thread costs 0.04–0.12 ms on a machine that was idle a moment
 * before (the new thread's stack and the wake of an idle core), as much as a whole scan of
 * the compact codes of a large space; waking a kept thread costs about a tenth of that.
 * Up to BASIN_HELPERS_MAX threads are started as they are first wanted and then kept for
 * the life of the process, each waiting for its next call.
 *
 * A caller hands a part to a helper with basin_helper_start and waits for it with
 * basin_helper_join. When every helper is busy (other computations hold them) start
 * returns false and runs nothing: the caller does that part itself, so the work never
 * waits for a helper, and a computation whose result does not depend on who runs which
 * part (every user here) gives the same bits either way. Thread-safe.
 */
#ifndef BASIN_HELPERS_H
#define BASIN_HELPERS_H

#include <stdbool.h>

#define BASIN_HELPERS_MAX 16

/* One part handed to a helper, for basin_helper_join. */
typedef struct basin_helper_call {
    int helper; /* index of the helper running it */
} basin_helper_call;

/* Runs fn(arg) on an idle helper (starting one if fewer than BASIN_HELPERS_MAX run);
 * false, with nothing run, when none is free or a thread cannot be started. */
bool basin_helper_start(basin_helper_call *call, void (*fn)(void *arg), void *arg);

/* Waits until the call's fn has returned; the helper is then free for other calls. Every
 * call that started must be joined exactly once. */
void basin_helper_join(basin_helper_call *call);

#endif
