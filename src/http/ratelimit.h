/*
 * ratelimit.h — per-token request rate: a token bucket per API token (refilled at `rate`
 * requests per second up to a burst of 2·rate). Buckets live in a fixed table keyed by
 * token id; a full table recycles the least recently used bucket. Thread-safe.
 */
#ifndef BASIN_HTTP_RATELIMIT_H
#define BASIN_HTTP_RATELIMIT_H

#include <stdbool.h>

/* Sets the rate (requests per second per token; 0 turns limiting off). */
void ratelimit_configure(double rate);
/* Takes one request from token_id's bucket. True when allowed; when not, *retry_after_s
 * receives the whole seconds until one request will be. */
bool ratelimit_take(const char *token_id, int *retry_after_s);

#endif
