/* sha256.h — SHA-256 (FIPS 180-4), for hashing API tokens and idempotent request bodies. */
#ifndef BASIN_UTIL_SHA256_H
#define BASIN_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Writes the 32-byte digest of data[0..len). */
void sha256(const void *data, size_t len, uint8_t out[32]);
/* Writes the digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
