/* clock.h — wall and monotonic time in milliseconds, and RFC 3339 formatting. */
#ifndef BASIN_UTIL_CLOCK_H
#define BASIN_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);
/* Milliseconds from an arbitrary origin that never goes backwards (CLOCK_MONOTONIC). */
int64_t clock_mono_ms(void);
/* Formats epoch ms as "2026-01-02T03:04:05.678Z" into buf (≥ 25 bytes). */
void clock_format_rfc3339(int64_t ms, char *buf, size_t cap);
/* Parses an RFC 3339 time ("...Z" or "+hh:mm", optional fraction) into epoch ms;
 * 0 on success, BASIN_EINVAL otherwise. */
int clock_parse_rfc3339(const char *s, int64_t *ms);

#endif
