/* base64url.h — RFC 4648 §5 base64url without padding, for opaque URL tokens. */
#ifndef BASIN_UTIL_BASE64URL_H
#define BASIN_UTIL_BASE64URL_H

#include <stddef.h>

/* Encodes len bytes into out (cap ≥ 4·⌈len/3⌉ + 1); returns the length, or 0 if it does
 * not fit. */
size_t base64url_encode(const void *data, size_t len, char *out, size_t cap);
/* Decodes text into out; returns the length, or -1 for bad input or too small a buffer. */
long base64url_decode(const char *text, void *out, size_t cap);

#endif
