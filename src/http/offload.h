/*
 * offload.h — threads for handlers that may block (?wait=, searches, bulk writes), so
 * that the server's event threads never do.
 *
 * A pool that grows on demand up to a maximum: a task goes to an idle thread if there is
 * one not already spoken for, else to a new thread, else it queues until a thread is
 * free. A thread idle for
 * OFFLOAD_IDLE_MS exits. Thread-safe.
 */
#ifndef BASIN_HTTP_OFFLOAD_H
#define BASIN_HTTP_OFFLOAD_H

#include <stdbool.h>

#define OFFLOAD_IDLE_MS 30000

typedef struct offload offload;

/* NULL on allocation failure. */
offload *offload_new(unsigned max_threads);
/* Queues fn(arg); false only when out of memory (fn is then not called). */
bool offload_run(offload *o, void (*fn)(void *arg), void *arg);
/* Runs what is queued, waits for every thread to end, and frees. Accepts NULL. */
void offload_free(offload *o);

#endif
