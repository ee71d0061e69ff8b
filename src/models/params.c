/*
 * params.c — strict params reading with defaults, bounds and schema description
 * (see params.h). Every problem names the JSON pointer of the offending value.
 */
#include "params.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

/* JSON pointer escaping of one reference token (RFC 6901): "~" → "~0", "/" → "~1". */
static void pointer_join(char *dst, size_t cap, const char *base, const char *key)
{
    size_t n = (size_t)snprintf(dst, cap, "%s/", base);
    for (const char *c = key; *c && n + 3 < cap; c++) {
        if (*c == '~' || *c == '/') {
            dst[n++] = '~';
            dst[n++] = *c == '~' ? '0' : '1';
        } else {
            dst[n++] = *c;
        }
    }
    dst[n < cap ? n : cap - 1] = '\0';
}

void params_problem(param_reader *r, const char *key, const char *fmt, ...)
{
    char ptr[sizeof r->pointer + 64];
    if (key)
        snprintf(ptr, sizeof ptr, "%s/%s", r->pointer, key);
    else
        snprintf(ptr, sizeof ptr, "%s", r->pointer);
    char msg[sizeof(((basin_problem *)0)->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    basin_problems_add(r->problems, ptr, "%s", msg);
}

bool params_failed(const param_reader *r)
{
    return r->problems->count > 0 || r->problems->dropped > 0;
}

void params_over_limit(param_reader *r, const char *key, const char *what, double need,
                       double limit)
{
    params_problem(r, key, "%s needs about %.3g; the limit is %.3g", what, need, limit);
    r->problems->over_limit = true;
}

void params_open(param_reader *r, const json_t *in, const char *pointer, basin_problems *problems,
                 json_t *schema)
{
    memset(r, 0, sizeof *r);
    snprintf(r->pointer, sizeof r->pointer, "%s", pointer);
    r->problems = problems;
    r->out = json_object();
    r->schema = schema;
    if (schema) {
        json_object_set_new(schema, "type", json_string("object"));
        json_object_set_new(schema, "additionalProperties", json_false());
        json_object_set_new(schema, "properties", json_object());
    }
    if (in && !json_is_object(in)) {
        params_problem(r, NULL, "must be an object");
        in = NULL;
    }
    r->in = in;
}

static void mark_seen(param_reader *r, const char *key)
{
    if (r->n_seen < PARAMS_MAX_KEYS)
        r->seen[r->n_seen++] = key;
}

static bool was_seen(const param_reader *r, const char *key)
{
    for (int i = 0; i < r->n_seen; i++)
        if (strcmp(r->seen[i], key) == 0)
            return true;
    return false;
}

int params_close(param_reader *r, json_t **normalized)
{
    const char *key;
    json_t *value;
    if (r->in) {
        json_object_foreach((json_t *)r->in, key, value)
        {
            if (!was_seen(r, key)) {
                char ptr[sizeof r->pointer + 64];
                pointer_join(ptr, sizeof ptr, r->pointer, key);
                basin_problems_add(r->problems, ptr, "unknown parameter");
            }
        }
    }
    if (params_failed(r) || !normalized) {
        json_decref(r->out);
        r->out = NULL;
        return params_failed(r) ? BASIN_EINVAL : 0;
    }
    *normalized = r->out;
    r->out = NULL;
    return 0;
}

/* Adds {"type": type, "default": def, ...} for key to the schema; returns the property
 * object (borrowed) or NULL when no schema is being described. Steals def. */
static json_t *describe(param_reader *r, const char *key, const char *type, json_t *def)
{
    if (!r->schema) {
        json_decref(def);
        return NULL;
    }
    json_t *prop = json_object();
    if (type)
        json_object_set_new(prop, "type", json_string(type));
    if (def)
        json_object_set_new(prop, "default", def);
    json_object_set_new(json_object_get(r->schema, "properties"), key, prop);
    return prop;
}

/* Looks key up and marks it read; NULL when absent. */
static const json_t *lookup(param_reader *r, const char *key)
{
    mark_seen(r, key);
    return r->in ? json_object_get(r->in, key) : NULL;
}

static double read_real(param_reader *r, const char *key, double def, double lo, double hi,
                        bool lo_open)
{
    json_t *prop = describe(r, key, "number", json_real(def));
    if (prop) {
        json_object_set_new(prop, lo_open ? "exclusiveMinimum" : "minimum", json_real(lo));
        json_object_set_new(prop, "maximum", json_real(hi));
    }
    const json_t *v = lookup(r, key);
    double x = def;
    if (!v) {
        /* A default derived from other parameters (a stable dt, a learning rate) may fall
         * outside the range: above it the bound is as good a choice (a smaller step stays
         * stable); below it there is no value to choose, so the caller must give one. */
        if (def > hi)
            x = hi;
        else if (!isfinite(def) || (lo_open ? !(def > lo) : !(def >= lo)))
            params_problem(r, key,
                           "has no default for these parameters (the derived default %.17g "
                           "is outside %s%.17g, %.17g]): give a value",
                           def, lo_open ? "(" : "[", lo, hi);
    } else {
        if (!json_is_number(v)) {
            params_problem(r, key, "must be a number");
        } else {
            x = json_number_value(v);
            bool low = lo_open ? !(x > lo) : !(x >= lo);
            if (!isfinite(x) || low || !(x <= hi)) {
                params_problem(r, key, "must be in %s%.17g, %.17g]; got %.17g", lo_open ? "(" : "[",
                               lo, hi, x);
                x = def;
            }
        }
    }
    json_object_set_new(r->out, key, json_real(x));
    return x;
}

double params_real(param_reader *r, const char *key, double def, double lo, double hi)
{
    return read_real(r, key, def, lo, hi, false);
}

double params_real_gt(param_reader *r, const char *key, double def, double lo, double hi)
{
    return read_real(r, key, def, lo, hi, true);
}

int64_t params_int(param_reader *r, const char *key, int64_t def, int64_t lo, int64_t hi)
{
    json_t *prop = describe(r, key, "integer", json_integer(def));
    if (prop) {
        json_object_set_new(prop, "minimum", json_integer(lo));
        json_object_set_new(prop, "maximum", json_integer(hi));
    }
    const json_t *v = lookup(r, key);
    int64_t x = def;
    if (!v && (def < lo || def > hi)) {
        /* a default derived from other parameters fell outside the range */
        params_problem(r, key,
                       "has no default for these parameters (the derived default %lld is "
                       "outside [%lld, %lld]): give a value",
                       (long long)def, (long long)lo, (long long)hi);
    } else if (v) {
        if (json_is_integer(v)) {
            x = json_integer_value(v);
        } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
                   fabs(json_real_value(v)) < 9.0e15) {
            x = (int64_t)json_real_value(v);
        } else {
            params_problem(r, key, "must be an integer");
            json_object_set_new(r->out, key, json_integer(def));
            return def;
        }
        if (x < lo || x > hi) {
            params_problem(r, key, "must be in [%lld, %lld]; got %lld", (long long)lo,
                           (long long)hi, (long long)x);
            x = def;
        }
    }
    json_object_set_new(r->out, key, json_integer(x));
    return x;
}

bool params_bool(param_reader *r, const char *key, bool def)
{
    describe(r, key, "boolean", json_boolean(def));
    const json_t *v = lookup(r, key);
    bool x = def;
    if (v) {
        if (json_is_boolean(v))
            x = json_is_true(v);
        else
            params_problem(r, key, "must be true or false");
    }
    json_object_set_new(r->out, key, json_boolean(x));
    return x;
}

const char *params_enum(param_reader *r, const char *key, const char *def,
                        const char *const *choices)
{
    json_t *prop = describe(r, key, "string", json_string(def));
    if (prop) {
        json_t *e = json_array();
        for (const char *const *c = choices; *c; c++)
            json_array_append_new(e, json_string(*c));
        json_object_set_new(prop, "enum", e);
    }
    const json_t *v = lookup(r, key);
    const char *x = def;
    if (v) {
        const char *s = json_string_value(v);
        const char *match = NULL;
        for (const char *const *c = choices; s && *c; c++)
            if (strcmp(*c, s) == 0)
                match = *c;
        if (match) {
            x = match;
        } else {
            char list[200] = "";
            for (const char *const *c = choices; *c; c++) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s\"%s\"", n ? ", " : "", *c);
            }
            params_problem(r, key, "must be one of %s", list);
        }
    }
    json_object_set_new(r->out, key, json_string(x));
    return x;
}

uint64_t params_seed(param_reader *r)
{
    json_t *prop = describe(r, "seed", "integer", NULL);
    if (prop) {
        json_object_set_new(prop, "minimum", json_integer(0));
        json_object_set_new(prop, "description",
                            json_string("random seed (uint64); absent: drawn at submit "
                                        "time and stored in the normalised params"));
    }
    const json_t *v = lookup(r, "seed");
    uint64_t seed = 0;
    if (v) {
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            seed = (uint64_t)json_integer_value(v);
        } else {
            params_problem(r, "seed", "must be an integer in [0, 2^63)");
        }
    } else {
        /* Drawn once at submit; stored, so replays of the normalised params reproduce. */
        if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
            seed = (uint64_t)time(NULL);
        seed >>= 1; /* JSON integers are signed 64-bit */
    }
    json_object_set_new(r->out, "seed", json_integer((json_int_t)seed));
    return seed;
}

int params_real_array(param_reader *r, const char *key, size_t min_len, size_t max_len, double lo,
                      double hi, double **out, size_t *len)
{
    json_t *prop = describe(r, key, "array", NULL);
    if (prop) {
        json_object_set_new(prop, "items", json_pack("{s:s}", "type", "number"));
        json_object_set_new(prop, "minItems", json_integer((json_int_t)min_len));
        json_object_set_new(prop, "maxItems", json_integer((json_int_t)max_len));
    }
    *out = NULL;
    *len = 0;
    const json_t *v = lookup(r, key);
    if (!v)
        return 0;
    if (!json_is_array(v)) {
        params_problem(r, key, "must be an array of numbers");
        return BASIN_EINVAL;
    }
    size_t n = json_array_size(v);
    if (n < min_len || n > max_len) {
        params_problem(r, key, "must have between %zu and %zu elements; got %zu", min_len, max_len,
                       n);
        return BASIN_EINVAL;
    }
    double *a = malloc((n ? n : 1) * sizeof *a);
    json_t *norm = json_array();
    if (!a || !norm) {
        free(a);
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        double x = json_number_value(e);
        if (!json_is_number(e) || !(x >= lo && x <= hi)) {
            char sub[64];
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            params_problem(r, sub, "must be a number in [%.17g, %.17g]", lo, hi);
            rc = BASIN_EINVAL;
            continue;
        }
        a[i] = x;
        json_array_append_new(norm, json_real(x));
    }
    if (rc) {
        free(a);
        json_decref(norm);
        return rc;
    }
    json_object_set_new(r->out, key, norm);
    *out = a;
    *len = n;
    return 0;
}

const json_t *params_raw(param_reader *r, const char *key, const char *schema_type)
{
    describe(r, key, schema_type, NULL);
    return lookup(r, key);
}

bool params_random_patterns(param_reader *r, const json_t *v, long p_default, long p_max, long *p,
                            double *bias)
{
    if (v && !json_is_number(v) && !json_is_object(v))
        return false;
    *p = p_default;
    *bias = 0.0;
    if (!v) {
        params_put(r, "patterns",
                   json_pack("{s:I, s:f}", "count", (json_int_t)p_default, "bias", 0.0));
    } else if (json_is_number(v)) {
        double x = json_number_value(v);
        if (x != floor(x) || x < 1 || x > (double)p_max) {
            params_problem(r, "patterns", "a count must be an integer in [1, %ld]", p_max);
            return true;
        }
        *p = (long)x;
        params_put(r, "patterns", json_pack("{s:I, s:f}", "count", (json_int_t)x, "bias", 0.0));
    } else {
        param_reader c;
        char ptr[sizeof r->pointer + 16];
        snprintf(ptr, sizeof ptr, "%s/patterns", r->pointer);
        params_open(&c, v, ptr, r->problems, NULL);
        *p = (long)params_int(&c, "count", p_default, 1, p_max);
        *bias = params_real(&c, "bias", 0.0, -1.0, 1.0);
        json_t *norm = NULL;
        params_close(&c, &norm);
        params_put(r, "patterns", norm ? norm : json_null());
    }
    return true;
}

void params_put(param_reader *r, const char *key, json_t *value)
{
    json_object_set_new(r->out, key, value);
}

void params_child(param_reader *r, const char *key, param_reader *child)
{
    char ptr[sizeof r->pointer];
    pointer_join(ptr, sizeof ptr, r->pointer, key);
    json_t *schema = r->schema ? json_object() : NULL;
    params_open(child, lookup(r, key), ptr, r->problems, schema);
}

void params_child_end(param_reader *r, const char *key, param_reader *child)
{
    json_t *normalized = child->out;
    child->out = NULL;
    /* Report the child's unknown keys; keep its normalised object either way. */
    child->out = json_object();
    params_close(child, NULL);
    json_object_set_new(r->out, key, normalized);
    if (r->schema && child->schema)
        json_object_set_new(json_object_get(r->schema, "properties"), key, child->schema);
    else
        json_decref(child->schema);
}
