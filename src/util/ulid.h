/*
 * ulid.h — job ids: 26-character ULIDs (48-bit millisecond time + 80 random bits,
 * Crockford base32), so ids sort by creation time as plain strings. Within one process
 * ids are strictly increasing even inside one millisecond.
 */
#ifndef BASIN_UTIL_ULID_H
#define BASIN_UTIL_ULID_H

#include <stdbool.h>

#define ULID_LEN 26

/* Writes a new id and its NUL into out (ULID_LEN + 1 bytes). Thread-safe. */
void ulid_new(char out[ULID_LEN + 1]);
/* True when s is 26 characters of Crockford base32 (upper case). */
bool ulid_valid(const char *s);

#endif
