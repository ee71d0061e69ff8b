/*
 * where.h — the `where=` language of GET /v1/jobs: parse a filter expression into a small
 * tree, with errors that give the position and the token expected.
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := unary ("and" unary)*
 *   unary  := "not" unary | "(" expr ")" | field op value
 *   op     := "=" | "!=" | "<" | "<=" | ">" | ">="
 *   value  := number | 'string' | "string" | true | false
 *   field  := summary.<key> | params.<key>[.<key>…] | labels.<key>
 *           | series.<name>.(min|max|mean|last|count)
 *           | created_at | started_at | finished_at | kind | status | priority | attempts
 *           | progress
 *
 * Keys are [A-Za-z0-9_-]+. Keywords are case-insensitive. Logic is two-valued: a
 * comparison with a value a job does not have (no such summary key, no such series) is
 * false, and `not` negates that — so `not summary.x > 1` matches jobs without x. The tree holds
 * values, never SQL: the store turns it into SQL from fixed fragments and binds every value.
 * Bounds: WHERE_MAX_LENGTH characters, WHERE_MAX_NODES comparisons and connectives.
 */
#ifndef BASIN_UTIL_WHERE_H
#define BASIN_UTIL_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHERE_MAX_LENGTH 2000
#define WHERE_MAX_NODES  64
#define WHERE_MAX_PATH   160

typedef enum where_source {
    WHERE_SUMMARY, /* path: the key */
    WHERE_PARAMS,  /* path: dotted key path */
    WHERE_LABELS,  /* path: the key */
    WHERE_SERIES,  /* path: the series name; stat: which statistic */
    WHERE_COLUMN,  /* column: a job column */
} where_source;

typedef enum where_stat { STAT_MIN, STAT_MAX, STAT_MEAN, STAT_LAST, STAT_COUNT } where_stat;

typedef enum where_column {
    COL_CREATED_AT,
    COL_STARTED_AT,
    COL_FINISHED_AT,
    COL_KIND,
    COL_STATUS,
    COL_PRIORITY,
    COL_ATTEMPTS,
    COL_PROGRESS,
} where_column;

typedef struct where_field {
    where_source source;
    char path[WHERE_MAX_PATH];
    where_stat stat;
    where_column column;
} where_field;

typedef enum where_value_type { WV_NUMBER, WV_STRING, WV_BOOL, WV_TIME } where_value_type;

typedef struct where_value {
    where_value_type type; /* a string compared with a time column becomes WV_TIME */
    double number;
    int64_t time_ms;
    bool boolean;
    char string[256];
} where_value;

typedef enum where_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } where_op;

typedef enum where_kind { WHERE_AND, WHERE_OR, WHERE_NOT, WHERE_CMP } where_kind;

typedef struct where_node {
    where_kind kind;
    int left, right; /* child indices into where_expr.nodes (AND/OR: both, NOT: left) */
    where_field field;
    where_op op;
    where_value value;
} where_node;

/* A parsed expression: nodes[root] is the top. Plain value, no heap. */
typedef struct where_expr {
    where_node nodes[WHERE_MAX_NODES];
    int n_nodes;
    int root;
} where_expr;

/* Parses `text`. Returns 0 and fills *out; or BASIN_EINVAL with a message in err that
 * starts with the 1-based character position ("at 14: expected …"). */
int where_parse(const char *text, where_expr *out, char *err, size_t errcap);

/* Parses a single field name (for order=). 0 or BASIN_EINVAL with a message. */
int where_parse_field(const char *text, where_field *out, char *err, size_t errcap);

/* The type a field's values have when it is a job column: WV_TIME, WV_STRING or
 * WV_NUMBER; -1 for fields whose type is only known per job (summary, params, labels). */
int where_field_type(const where_field *f);

#endif
