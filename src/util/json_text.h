/*
 * json_text.h — compact JSON text of a jansson value, fast.
 *
 * json_text(v) writes the same bytes as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY):
 * keys in insertion order, no spaces, strings escaped as jansson does (", \, and controls;
 * \uXXXX in upper-case hex; other UTF-8 as is), integers in decimal, reals as "%.17g"
 * with ".0" added to integral values and the exponent's '+' and leading zeros dropped.
 * It exists because json_dumps spends most of its time on bookkeeping (a loop check that
 * formats every container's address and hashes it, a buffer grown 16 bytes at a time);
 * every response body and every stored JSON column goes through here.
 */
#ifndef BASIN_JSON_TEXT_H
#define BASIN_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* Returns a malloc'd, NUL-terminated text and its length in *len (if len is non-NULL);
 * NULL when out of memory, when a string is not valid UTF-8, or when the value nests
 * deeper than JSON_TEXT_MAX_DEPTH (jansson's parser refuses more than 2048). */
#define JSON_TEXT_MAX_DEPTH 4096
char *json_text(const json_t *v, size_t *len);

#endif
