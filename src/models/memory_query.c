/*
 * memory_query.c — params of memory queries and filter evaluation (see memory_query.h).
 */
#include "memory_query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/embed.h"
#include "util/base64.h"
#include "util/clock.h"

bool memory_space_name_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

void memory_read_space(param_reader *r, char name[65])
{
    const json_t *v = params_raw(r, "space", "string");
    name[0] = '\0';
    if (!v)
        params_problem(r, "space", "is required: the name of a memory space");
    else if (!json_is_string(v) || !memory_space_name_valid(json_string_value(v)))
        params_problem(r, "space", "must be a space name: 1 to 64 of A-Z a-z 0-9 _ . -");
    else {
        snprintf(name, 65, "%s", json_string_value(v));
        params_put(r, "space", json_string(name));
    }
}

#define VECTOR_MAX 4096

/* The base64 form: little-endian float32, VECTOR_MAX at most, each in [lo, hi]. Kept as
 * given in the normalised params (the same bits). */
static void read_vector_base64(param_reader *r, const char *key, const json_t *v, double lo,
                               double hi, float **out, size_t *len)
{
    params_raw(r, key, NULL);
    float *f = malloc(VECTOR_MAX * sizeof *f);
    if (!f)
        return;
    long bytes = base64_decode(json_string_value(v), f, VECTOR_MAX * sizeof *f);
    if (bytes <= 0 || bytes % (long)sizeof *f) {
        params_problem(r, key,
                       "a string must be base64 of 1 to %d little-endian float32 (4 bytes each)",
                       VECTOR_MAX);
        free(f);
        return;
    }
    size_t n = (size_t)bytes / sizeof *f;
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (!(f[i] >= lo && f[i] <= hi)) { /* NaN fails too */
            char sub[64];
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            params_problem(r, sub, "must be a number in [%.17g, %.17g]; got %g", lo, hi,
                           (double)f[i]);
            ok = false;
        }
    if (!ok) {
        free(f);
        return;
    }
    params_put(r, key, json_incref((json_t *)v));
    *out = f;
    *len = n;
}

void memory_read_vector(param_reader *r, const char *key, bool positive, float **out, size_t *len)
{
    double *x = NULL;
    size_t n = 0;
    *out = NULL;
    *len = 0;
    double lo = positive ? BASIN_VAR_MIN : -BASIN_MU_MAX,
           hi = positive ? BASIN_VAR_MAX : BASIN_MU_MAX;
    const json_t *given = r->in ? json_object_get(r->in, key) : NULL;
    if (json_is_string(given)) {
        read_vector_base64(r, key, given, lo, hi, out, len);
        return;
    }
    if (params_real_array(r, key, 1, VECTOR_MAX, lo, hi, &x, &n) || !x)
        return;
    float *f = malloc(n * sizeof *f);
    if (f) {
        for (size_t i = 0; i < n; i++)
            f[i] = (float)x[i];
        *out = f;
        *len = n;
    }
    free(x);
}

/* A tag list: an array of 1..MEMORY_FILTER_MAX_TAGS strings of 1..128 bytes. */
static json_t *read_tag_list(param_reader *r, const char *key)
{
    const json_t *v = params_raw(r, key, "array");
    if (!v)
        return NULL;
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n < 1 || n > MEMORY_FILTER_MAX_TAGS) {
        params_problem(r, key, "must be an array of 1 to %d tags", MEMORY_FILTER_MAX_TAGS);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(v, i);
        size_t len = json_is_string(t) ? strlen(json_string_value(t)) : 0;
        if (len < 1 || len > 128) {
            char sub[64];
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            params_problem(r, sub, "must be a tag: a string of 1 to 128 bytes");
            return NULL;
        }
    }
    json_t *copy = json_deep_copy(v);
    params_put(r, key, json_incref(copy));
    return copy;
}

static bool is_range(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0)
        return false;
    const char *k;
    json_t *b;
    json_object_foreach((json_t *)v, k, b)
    {
        if (strcmp(k, "gte") && strcmp(k, "gt") && strcmp(k, "lte") && strcmp(k, "lt"))
            return false;
    }
    return true;
}

static json_t *read_meta_filter(param_reader *r)
{
    const json_t *v = params_raw(r, "meta", "object");
    if (!v)
        return NULL;
    if (!json_is_object(v) || json_object_size(v) > MEMORY_FILTER_MAX_KEYS) {
        params_problem(r, "meta", "must be an object of at most %d conditions",
                       MEMORY_FILTER_MAX_KEYS);
        return NULL;
    }
    const char *key;
    json_t *cond;
    bool ok = true;
    json_object_foreach((json_t *)v, key, cond)
    {
        char sub[200];
        snprintf(sub, sizeof sub, "meta/%.120s", key);
        if (json_is_object(cond)) {
            if (!is_range(cond)) {
                params_problem(r, sub, "a range must use only gte, gt, lte, lt");
                ok = false;
                continue;
            }
            const char *bk;
            json_t *bound;
            json_object_foreach(cond, bk, bound)
            {
                if (!json_is_number(bound) && !json_is_string(bound)) {
                    params_problem(r, sub, "range bounds must be numbers or strings");
                    ok = false;
                }
            }
        } else if (json_is_array(cond)) {
            params_problem(r, sub, "must be a scalar (equality) or a range object");
            ok = false;
        }
    }
    if (!ok)
        return NULL;
    json_t *copy = json_deep_copy(v);
    params_put(r, "meta", json_incref(copy));
    return copy;
}

static bool read_time(param_reader *r, const char *key, int64_t *ms)
{
    const json_t *v = params_raw(r, key, "string");
    if (!v)
        return false;
    if (!json_is_string(v) || clock_parse_rfc3339(json_string_value(v), ms)) {
        params_problem(r, key, "must be an RFC 3339 time, e.g. 2026-01-02T03:04:05Z");
        return false;
    }
    params_put(r, key, json_string(json_string_value(v)));
    return true;
}

void memory_filter_read(param_reader *r, memory_filter *f)
{
    memset(f, 0, sizeof *f);
    param_reader c;
    params_child(r, "filter", &c);
    f->meta = read_meta_filter(&c);
    f->tags_any = read_tag_list(&c, "tags_any");
    f->tags_all = read_tag_list(&c, "tags_all");
    f->has_since = read_time(&c, "since", &f->since_ms);
    f->has_until = read_time(&c, "until", &f->until_ms);
    f->include_archived = params_bool(&c, "include_archived", false);
    params_child_end(r, "filter", &c);
}

void memory_filter_clear(memory_filter *f)
{
    json_decref(f->meta);
    json_decref(f->tags_any);
    json_decref(f->tags_all);
    f->meta = f->tags_any = f->tags_all = NULL;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static bool has_tag(const json_t *tags, const char *tag)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
            return true;
    }
    return false;
}

/* -1, 0, 1 comparing a with b when both are numbers or both strings; 2 when incomparable. */
static int compare(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    if (json_is_string(a) && json_is_string(b)) {
        int c = strcmp(json_string_value(a), json_string_value(b));
        return c < 0 ? -1 : c > 0;
    }
    return 2;
}

static bool meta_passes(const json_t *cond_all, const json_t *meta)
{
    const char *key;
    json_t *cond;
    json_object_foreach((json_t *)cond_all, key, cond)
    {
        const json_t *v = json_object_get(meta, key);
        if (!v)
            return false;
        if (is_range(cond)) {
            const char *bk;
            json_t *bound;
            json_object_foreach(cond, bk, bound)
            {
                int c = compare(v, bound);
                if (c == 2)
                    return false;
                if ((!strcmp(bk, "gte") && c < 0) || (!strcmp(bk, "gt") && c <= 0) ||
                    (!strcmp(bk, "lte") && c > 0) || (!strcmp(bk, "lt") && c >= 0))
                    return false;
            }
        } else if (json_is_number(cond) || json_is_number(v)) {
            if (compare(v, cond) != 0)
                return false;
        } else if (!json_equal(v, cond)) {
            return false;
        }
    }
    return true;
}

static bool row_passes(const memory_filter *f, const basin_space *sp, size_t i)
{
    if (!f->include_archived && sp->archived[i])
        return false;
    if (f->has_since && sp->event_time[i] < f->since_ms)
        return false;
    if (f->has_until && sp->event_time[i] > f->until_ms)
        return false;
    if (f->tags_all) {
        size_t k;
        json_t *t;
        json_array_foreach(f->tags_all, k, t)
        {
            if (!has_tag(sp->tags[i], json_string_value(t)))
                return false;
        }
    }
    if (f->tags_any) {
        bool any = false;
        size_t k;
        json_t *t;
        json_array_foreach(f->tags_any, k, t)
        {
            if (has_tag(sp->tags[i], json_string_value(t))) {
                any = true;
                break;
            }
        }
        if (!any)
            return false;
    }
    return !f->meta || meta_passes(f->meta, sp->meta[i]);
}

int memory_filter_rows(const memory_filter *f, const basin_space *sp, uint32_t **rows, size_t *n)
{
    bool only_archived_rule =
        !f->meta && !f->tags_any && !f->tags_all && !f->has_since && !f->has_until;
    if (only_archived_rule) {
        /* An OR over every flag, without an early exit and with the bounds in locals (the
         * flags are bytes, which may alias anything): it vectorises. */
        uint8_t any_archived = 0;
        const uint8_t *archived = sp->archived;
        size_t n_check = f->include_archived ? 0 : sp->n;
        for (size_t i = 0; i < n_check; i++)
            any_archived |= archived[i];
        if (!any_archived) {
            *rows = NULL;
            *n = sp->n;
            return 0;
        }
    }
    uint32_t *out = malloc((sp->n ? sp->n : 1) * sizeof *out);
    if (!out)
        return BASIN_ENOMEM;
    size_t count = 0;
    for (size_t i = 0; i < sp->n; i++)
        if (row_passes(f, sp, i))
            out[count++] = (uint32_t)i;
    *rows = out;
    *n = count;
    return 0;
}
