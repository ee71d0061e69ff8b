/* log.c — see log.h. The message is JSON-escaped by jansson. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json_text.h"

static atomic_int min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(log_level level)
{
    atomic_store(&min_level, (int)level);
}

int log_parse_level(const char *name, log_level *out)
{
    for (int i = 0; i <= LOG_OFF; i++)
        if (strcmp(level_names[i], name) == 0) {
            *out = (log_level)i;
            return 0;
        }
    return -1;
}

bool log_enabled(log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void log_fields(log_level level, const char *msg, json_t *fields)
{
    if ((int)level < atomic_load(&min_level)) {
        json_decref(fields);
        return;
    }
    char ts[32];
    clock_format_rfc3339(clock_wall_ms(), ts, sizeof ts);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "msg", msg);
    if (line && fields)
        json_object_update(line, fields);
    json_decref(fields);
    char *text = line ? json_text(line, NULL) : NULL;
    if (text)
        fprintf(stderr, "%s\n", text);
    free(text);
    json_decref(line);
}

void log_msg(log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ts[32];
    clock_format_rfc3339(clock_wall_ms(), ts, sizeof ts);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "msg", msg);
    char *text = line ? json_text(line, NULL) : NULL;
    if (text)
        fprintf(stderr, "%s\n", text); /* stdio locks the stream: lines never interleave */
    free(text);
    json_decref(line);
}
