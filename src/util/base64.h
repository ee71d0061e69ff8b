/* base64.h — decoding base64 of either alphabet (RFC 4648 §4 standard, §5 URL-safe), with
 * or without padding: how clients send float32 vectors compactly. */
#ifndef BASIN_UTIL_BASE64_H
#define BASIN_UTIL_BASE64_H

#include <stddef.h>

/* Decodes text into out; returns the number of bytes, or -1 for a character outside both
 * alphabets, text after the padding, or more than cap bytes. */
long base64_decode(const char *text, void *out, size_t cap);

#endif
