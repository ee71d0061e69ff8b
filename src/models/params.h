/*
 * params.h — strict reading of a model's params object.
 *
 * A param_reader walks one JSON object. Each params_* call reads one key: it checks type
 * and bounds, records a problem (with the key's JSON pointer) when the value is wrong,
 * writes the value it settled on — given or default — into the normalised object, and,
 * when a schema is being described, adds the key's JSON Schema. params_close() reports
 * every key that no call read as unknown. On a problem the functions return the default,
 * so a model can read all its params in one pass and report every problem at once.
 *
 * Ownership: `in` is borrowed; the reader owns `out` until params_close() hands it over.
 */
#ifndef BASIN_MODELS_PARAMS_H
#define BASIN_MODELS_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "basin/model.h"

#define PARAMS_MAX_KEYS 48

typedef struct param_reader {
    const json_t *in; /* object being read (borrowed); NULL reads as {} */
    char pointer[160];
    json_t *out;    /* the normalised object being built */
    json_t *schema; /* JSON Schema object being described, or NULL */
    basin_problems *problems;
    const char *seen[PARAMS_MAX_KEYS];
    int n_seen;
} param_reader;

/* Starts reading `in` found at JSON pointer `pointer`. `schema` may be NULL. A non-object
 * `in` is reported as a problem and then read as {}. */
void params_open(param_reader *r, const json_t *in, const char *pointer, basin_problems *problems,
                 json_t *schema);

/* Ends reading: reports unknown keys. Returns 0 and hands over the normalised object
 * (new reference) when no problem was recorded anywhere; otherwise frees it and returns
 * BASIN_EINVAL. `normalized` may be NULL to just free. */
int params_close(param_reader *r, json_t **normalized);

/* Opens the nested object at `key` as `child` (absent reads as {}). Finish it with
 * params_child_end(), which attaches the child's normalised object and schema. */
void params_child(param_reader *r, const char *key, param_reader *child);
void params_child_end(param_reader *r, const char *key, param_reader *child);

/* A real in [lo, hi]; integers are accepted; NaN/Inf cannot occur in JSON. */
double params_real(param_reader *r, const char *key, double def, double lo, double hi);
/* A real in (lo, hi]. */
double params_real_gt(param_reader *r, const char *key, double def, double lo, double hi);
/* An integer in [lo, hi]; a real with an integral value is accepted. */
int64_t params_int(param_reader *r, const char *key, int64_t def, int64_t lo, int64_t hi);
bool params_bool(param_reader *r, const char *key, bool def);
/* One of the NULL-terminated `choices`; returns the matching static choice string. */
const char *params_enum(param_reader *r, const char *key, const char *def,
                        const char *const *choices);
/* "seed": a uint64 (as a JSON integer ≥ 0); absent → a fresh random seed, written into the
 * normalised params so the run can be reproduced. */
uint64_t params_seed(param_reader *r);

/* Reads an array of reals of length in [min_len, max_len], each in [lo, hi], into a new
 * malloc'd array (*out, *len). Absent → returns 0 with *out = NULL, *len = 0 and writes
 * nothing. Returns BASIN_EINVAL (problem recorded) or BASIN_ENOMEM. */
int params_real_array(param_reader *r, const char *key, size_t min_len, size_t max_len, double lo,
                      double hi, double **out, size_t *len);

/* Marks `key` as read without interpreting it; returns the raw value (borrowed) or NULL.
 * `schema_type` (e.g. "array", or NULL) is described in the schema. The caller validates
 * it and stores its normalised form with params_put(). */
const json_t *params_raw(param_reader *r, const char *key, const char *schema_type);

/* Sets key of the normalised object; steals `value`. */
void params_put(param_reader *r, const char *key, json_t *value);

/* The generated forms of the associative memories' `patterns` parameter, v its raw value:
 * absent (p_default random ±1 patterns, bias 0), a count in [1, p_max], or {count, bias}
 * with bias in [−1, 1] (P(ξ = +1) = (1 + bias)/2). When v is one of these, writes *p and
 * *bias (defaults on a problem), stores the normalised {count, bias} and returns true;
 * otherwise (explicit patterns, or a wrong type) returns false with nothing written, for
 * the caller to read. */
bool params_random_patterns(param_reader *r, const json_t *v, long p_default, long p_max, long *p,
                            double *bias);

/* Records a problem at this reader's pointer + "/" + key (key may be NULL for the object
 * itself, or contain "/"-joined sub-paths such as "0/3"). */
void params_problem(param_reader *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when problems were recorded (anywhere in the request). */
bool params_failed(const param_reader *r);

/* Problem for work over a limit: "needs about N operations; the limit is M". */
void params_over_limit(param_reader *r, const char *key, const char *what, double need,
                       double limit);

#endif
