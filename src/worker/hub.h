/*
 * hub.h — "a job changed" notifications, for requests that wait on jobs (?wait=).
 *
 * A generation counter bumped on every published change, and a condition variable. A
 * waiter reads the generation, checks the state it waits for, and sleeps until the
 * generation moves or its deadline passes — so no change between check and sleep is
 * missed. Thread-safe.
 */
#ifndef BASIN_WORKER_HUB_H
#define BASIN_WORKER_HUB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hub hub;

/* NULL on allocation failure. */
hub *hub_new(void);
/* Accepts NULL. No waiter may remain. */
void hub_free(hub *h);
/* Announces that job `job_id` changed state. */
void hub_publish(hub *h, const char *job_id);
/* The current generation. */
uint64_t hub_generation(hub *h);
/* Sleeps until the generation differs from `seen` or until deadline_mono_ms
 * (clock_mono_ms). Returns true when the generation moved. */
bool hub_wait(hub *h, uint64_t seen, int64_t deadline_mono_ms);

#endif
