/*
 * log.h — structured logs: one JSON object per line on stderr
 * ({"ts","level","msg"}), filtered by a process-wide level. Thread-safe.
 */
#ifndef BASIN_UTIL_LOG_H
#define BASIN_UTIL_LOG_H

#include <jansson.h>
#include <stdbool.h>

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;

/* Sets the minimum level written (default LOG_INFO). */
void log_set_level(log_level level);
/* Parses "debug|info|warn|error|off"; 0 or -1. */
int log_parse_level(const char *name, log_level *out);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when lines of `level` are written (check before building costly fields). */
bool log_enabled(log_level level);

/* One line with extra fields: {"ts","level","msg", ...fields}; steals `fields`. */
void log_fields(log_level level, const char *msg, json_t *fields);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
