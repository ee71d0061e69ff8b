/*
 * spaces_api.c — memory spaces over HTTP (api.md "Memory spaces"): create, list, get and
 * delete spaces; insert (batch), list, get, patch and delete memories and read their
 * history; and POST /v1/spaces/{name}/search, a synchronous memory.retrieve.
 *
 * Validation happens here, before anything is stored: every problem of a batch is named
 * by its JSON pointer (/memories/3/vector/7) and a batch is stored in one transaction, all
 * or nothing. Vectors must have the space's dim; variances are given, or derived by the
 * rule of basin/embed.h; texts in a `hash` space are embedded here.
 *
 * JSON has no NaN or Infinity. A body that fails to parse only because of such bare tokens
 * (as some encoders write them) is read again with each turned into a string, so that the
 * answer names the offending entry ("/memories/0/vector/3: must be a finite number")
 * instead of a parse position.
 *
 * Search runs the memory.retrieve model's parse and run on the request's thread, with the
 * store's space provider (include/basin/space.h): the same code path as the job, without
 * storing a job (a search is a read; storing each would fill the job table). Its answer is
 * the job's `values`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/embed.h"
#include "models/memory_query.h"
#include "models/params.h"
#include "models/run_ctx.h"
#include "routes.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/json_text.h"

#define MAX_BATCH      10000
#define MAX_TEXT       65536
#define MAX_META_BYTES 16384
#define MAX_TAGS       64
#define MAX_TAG_BYTES  128
#define MAX_LIST       1000

static const char *const embedders[] = {"none", "hash", NULL};
static const char *const metrics[] = {"fisher_rao", "fisher_local", "cosine", "euclidean", NULL};

/* ---- helpers ----------------------------------------------------------------------------------
 */

static json_t *time_json(int64_t ms)
{
    char buf[40];
    clock_format_rfc3339(ms, buf, sizeof buf);
    return json_string(buf);
}

/* A copy of body with every bare NaN, Infinity or -Infinity outside strings quoted; NULL
 * when there is none (or on allocation failure). */
static char *quote_nonfinite(const char *body, size_t len, size_t *out_len)
{
    static const char *const words[] = {"-Infinity", "Infinity", "NaN"};
    char *out = NULL;
    size_t n = 0, cap = 0, found = 0;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        size_t wlen = 0;
        if (!in_string)
            for (int w = 0; w < 3 && !wlen; w++) {
                size_t l = strlen(words[w]);
                if (i + l <= len && memcmp(body + i, words[w], l) == 0)
                    wlen = l;
            }
        if (n + wlen + 3 > cap) {
            cap = cap ? 2 * cap : len + 64;
            while (cap < n + wlen + 3)
                cap *= 2;
            char *p = realloc(out, cap);
            if (!p) {
                free(out);
                return NULL;
            }
            out = p;
        }
        if (wlen) {
            out[n++] = '"';
            memcpy(out + n, body + i, wlen);
            n += wlen;
            out[n++] = '"';
            i += wlen;
            found++;
            continue;
        }
        char c = body[i++];
        out[n++] = c;
        if (in_string && c == '\\' && i < len)
            out[n++] = body[i++];
        else if (c == '"')
            in_string = !in_string;
    }
    if (!found) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* The body as JSON (415/400 answered as usual), tolerating bare non-finite numbers (see
 * the file comment). */
static json_t *read_body(const http_request *req, http_response *res)
{
    json_t *v = http_json_body(req, res);
    if (v || res->status != 400)
        return v;
    size_t len = 0;
    char *fixed = quote_nonfinite(req->body, req->body_len, &len);
    if (!fixed)
        return NULL;
    json_error_t err;
    v = json_loadb(fixed, len, JSON_REJECT_DUPLICATES, &err);
    free(fixed);
    if (v) { /* withdraw the 400: validation will name the entries */
        free(res->body);
        res->body = NULL;
        res->body_len = 0;
        res->status = 0;
        res->content_type = NULL;
    }
    return v;
}

static bool name_param(const http_request *req, http_response *res, const char **name)
{
    *name = req->path_params[0];
    if (!memory_space_name_valid(*name)) {
        http_problem(res, 404, "not_found", NULL, "memory space not found");
        return false;
    }
    return true;
}

static bool id_param(const http_request *req, http_response *res, const char **id)
{
    *id = req->path_params[1];
    if (!ulid_valid(*id)) {
        http_problem(res, 404, "not_found", NULL, "memory not found");
        return false;
    }
    return true;
}

/* Looks the space up (without counting its memories), answering 404 (or 503) when it
 * cannot. */
static bool get_space(const http_request *req, http_response *res, const char *name, space_row *sp)
{
    int rc = store_space_info(req->app->store, name, sp);
    if (rc) {
        http_store_problem(res, rc, "memory space");
        return false;
    }
    return true;
}

static json_t *render_space(const space_row *sp)
{
    char self[128], memories[160], search[160];
    snprintf(self, sizeof self, "/v1/spaces/%s", sp->name);
    snprintf(memories, sizeof memories, "%s/memories", self);
    snprintf(search, sizeof search, "%s/search", self);
    return json_pack("{s:s, s:i, s:s, s:s, s:I, s:o, s:{s:s, s:s, s:s}}", "name", sp->name, "dim",
                     sp->dim, "embedder", sp->embedder, "metric", sp->metric, "count",
                     (json_int_t)sp->count, "created_at", time_json(sp->created_at), "links",
                     "self", self, "memories", memories, "search", search);
}

static json_t *float_array(const float *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_real(x[i]));
    return a;
}

static json_t *render_memory(const memory_row *m)
{
    json_t *o = json_pack(
        "{s:s, s:o, s:O, s:O, s:o, s:o, s:o, s:f, s:b, s:s, s:I, s:I, s:b, s:o, s:o}", "id", m->id,
        "text", m->text ? json_string(m->text) : json_null(), "meta", m->meta, "tags", m->tags,
        "time", time_json(m->event_time), "created_at", time_json(m->created_at), "updated_at",
        time_json(m->updated_at), "importance", m->importance, "archived", m->archived, "salience",
        m->salience, "access_count", (json_int_t)m->access_count, "observations",
        (json_int_t)m->observations, "variance_given", m->var_given, "supersedes",
        m->supersedes[0] ? json_string(m->supersedes) : json_null(), "superseded_by",
        m->superseded_by[0] ? json_string(m->superseded_by) : json_null());
    if (m->mu) {
        json_object_set_new(o, "vector", float_array(m->mu, m->dim));
        json_object_set_new(o, "variance", float_array(m->var, m->dim));
    }
    return o;
}

static bool query_flag(const http_request *req, const char *name, bool def)
{
    const char *v = req->query(req, name);
    if (!v)
        return def;
    return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* Reads a float vector of exactly `dim` entries at `ptr` (a JSON pointer) into out — an
 * array of numbers, or a base64 string of dim little-endian float32 (compact, and much
 * faster to parse) — each entry finite and, with positive, in [BASIN_VAR_MIN,
 * BASIN_VAR_MAX], else |x| ≤ BASIN_MU_MAX. */
static bool read_floats(basin_problems *pr, const char *ptr, const json_t *v, int dim,
                        bool positive, float *out)
{
    if (json_is_string(v)) {
        long n = base64_decode(json_string_value(v), out, (size_t)dim * sizeof *out);
        if (n != (long)((size_t)dim * sizeof *out)) {
            basin_problems_add(pr, ptr,
                               "a string vector must be base64 of %d little-endian float32 (%d "
                               "bytes)",
                               dim, dim * (int)sizeof *out);
            return false;
        }
        bool ok = true;
        for (int i = 0; i < dim && pr->count < BASIN_PROBLEMS_MAX; i++) {
            float x = out[i];
            if (!isfinite(x) || (positive ? !(x >= BASIN_VAR_MIN && x <= BASIN_VAR_MAX)
                                          : !(fabsf(x) <= BASIN_MU_MAX))) {
                char sub[200];
                snprintf(sub, sizeof sub, "%s/%d", ptr, i);
                basin_problems_add(pr, sub, "must be a finite %s; got %g",
                                   positive ? "variance in [1e-12, 1e12]" : "number, |x| <= 1e12",
                                   (double)x);
                ok = false;
            }
        }
        return ok;
    }
    if (!json_is_array(v)) {
        basin_problems_add(pr, ptr, "must be an array of %d numbers", dim);
        return false;
    }
    if (json_array_size(v) != (size_t)dim) {
        basin_problems_add(pr, ptr, "must have %d entries (the space's dim); got %zu", dim,
                           json_array_size(v));
        return false;
    }
    bool ok = true;
    for (int i = 0; i < dim; i++) {
        const json_t *e = json_array_get(v, (size_t)i);
        double x = json_number_value(e);
        bool good =
            json_is_number(e) && isfinite(x) &&
            (positive ? (x >= BASIN_VAR_MIN && x <= BASIN_VAR_MAX) : fabs(x) <= BASIN_MU_MAX);
        if (!good) {
            char sub[200];
            snprintf(sub, sizeof sub, "%s/%d", ptr, i);
            if (!json_is_number(e))
                basin_problems_add(pr, sub, "must be a finite number%s",
                                   json_is_string(e) ? " (NaN and Infinity are not allowed)" : "");
            else if (positive)
                basin_problems_add(pr, sub, "must be a variance in [%g, %g]; got %g", BASIN_VAR_MIN,
                                   BASIN_VAR_MAX, x);
            else
                basin_problems_add(pr, sub, "must be a number in [-%g, %g]; got %g", BASIN_MU_MAX,
                                   BASIN_MU_MAX, x);
            ok = false;
            if (pr->count >= BASIN_PROBLEMS_MAX)
                break;
        }
        out[i] = (float)x;
    }
    return ok;
}

static bool read_tags(basin_problems *pr, const char *ptr, const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) > MAX_TAGS) {
        basin_problems_add(pr, ptr, "must be an array of at most %d tags", MAX_TAGS);
        return false;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *t = json_array_get(v, i);
        size_t len = json_is_string(t) ? strlen(json_string_value(t)) : 0;
        if (len < 1 || len > MAX_TAG_BYTES) {
            char sub[200];
            snprintf(sub, sizeof sub, "%s/%zu", ptr, i);
            basin_problems_add(pr, sub, "must be a tag: a string of 1 to %d bytes", MAX_TAG_BYTES);
            return false;
        }
    }
    return true;
}

static bool read_meta(basin_problems *pr, const char *ptr, const json_t *v, bool allow_null)
{
    if (!json_is_object(v)) {
        basin_problems_add(pr, ptr, "must be an object");
        return false;
    }
    char *text = json_text(v, NULL);
    size_t len = text ? strlen(text) : 0;
    free(text);
    if (len > MAX_META_BYTES) {
        basin_problems_add(pr, ptr, "is %zu bytes as JSON; at most %d", len, MAX_META_BYTES);
        return false;
    }
    (void)allow_null;
    return true;
}

static bool read_text(basin_problems *pr, const char *ptr, const json_t *v)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) > MAX_TEXT) {
        basin_problems_add(pr, ptr, "must be a string of at most %d bytes", MAX_TEXT);
        return false;
    }
    return true;
}

static bool read_time(basin_problems *pr, const char *ptr, const json_t *v, int64_t *ms)
{
    if (!json_is_string(v) || clock_parse_rfc3339(json_string_value(v), ms)) {
        basin_problems_add(pr, ptr, "must be an RFC 3339 time, e.g. 2026-01-02T03:04:05Z");
        return false;
    }
    return true;
}

static bool read_importance(basin_problems *pr, const char *ptr, const json_t *v, double *out)
{
    double x = json_number_value(v);
    if (!json_is_number(v) || !(x >= 0.0 && x <= 1.0)) {
        basin_problems_add(pr, ptr, "must be a number in [0, 1]");
        return false;
    }
    *out = x;
    return true;
}

/* Embeds text into mu for a hash space; a text without words is a problem at ptr. */
static bool embed_text(basin_problems *pr, const char *ptr, const char *text, int dim, float *mu)
{
    if (basin_hash_embed(text, strlen(text), dim, mu) == 0) {
        basin_problems_add(pr, ptr,
                           "has no words to embed (the hash embedder needs at least "
                           "one letter or digit)");
        return false;
    }
    return true;
}

static void validation_problem(http_response *res, const basin_problems *pr)
{
    http_problem(res, 422, pr->over_limit ? "resource_limit" : "validation", pr,
                 "the request has %zu invalid field(s); nothing was stored",
                 pr->count + pr->dropped);
}

/* ---- spaces ------------------------------------------------------------------------------------
 */

int api_create_space(const http_request *req, http_response *res)
{
    json_t *body = http_json_body(req, res);
    if (!body)
        return 0;
    basin_problems problems = {0};
    param_reader r;
    params_open(&r, body, "", &problems, NULL);
    const json_t *name = params_raw(&r, "name", "string");
    int dim = (int)params_int(&r, "dim", 256, 1, SPACE_DIM_MAX);
    const char *embedder = params_enum(&r, "embedder", "none", embedders);
    const char *metric = params_enum(&r, "metric", "cosine", metrics);
    if (!name)
        params_problem(&r, "name", "is required");
    else if (!json_is_string(name) || !memory_space_name_valid(json_string_value(name)))
        params_problem(&r, "name", "must be 1 to 64 of A-Z a-z 0-9 _ . -");
    if (!json_object_get(body, "dim") && strcmp(embedder, "none") == 0)
        params_problem(&r, "dim", "is required for embedder none (the length of the vectors)");
    params_close(&r, NULL);
    if (problems.count) {
        validation_problem(res, &problems);
        json_decref(body);
        return 0;
    }
    space_row sp = {.dim = dim};
    snprintf(sp.name, sizeof sp.name, "%s", json_string_value(name));
    snprintf(sp.embedder, sizeof sp.embedder, "%s", embedder);
    snprintf(sp.metric, sizeof sp.metric, "%s", metric);
    json_decref(body);
    int rc = store_space_create(req->app->store, &sp);
    if (rc == BASIN_ECONFLICT) {
        basin_problems_add(&problems, "/name", "a space named %s exists", sp.name);
        http_problem(res, 409, "conflict", &problems, "memory space %s already exists", sp.name);
        return 0;
    }
    if (rc == 0)
        rc = store_space_get(req->app->store, sp.name, &sp);
    if (rc) {
        http_store_problem(res, rc, "memory space");
        return 0;
    }
    snprintf(res->location, sizeof res->location, "/v1/spaces/%s", sp.name);
    http_json(res, 201, render_space(&sp));
    return 0;
}

int api_list_spaces(const http_request *req, http_response *res)
{
    space_row *rows = NULL;
    size_t n = 0;
    int rc = store_space_list(req->app->store, &rows, &n);
    if (rc) {
        http_store_problem(res, rc, "memory spaces");
        return 0;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_space(&rows[i]));
    free(rows);
    http_json(res, 200, json_pack("{s:o}", "spaces", list));
    return 0;
}

int api_get_space(const http_request *req, http_response *res)
{
    const char *name;
    space_row sp;
    if (!name_param(req, res, &name))
        return 0;
    int rc = store_space_get(req->app->store, name, &sp);
    if (rc)
        http_store_problem(res, rc, "memory space");
    else
        http_json(res, 200, render_space(&sp));
    return 0;
}

int api_delete_space(const http_request *req, http_response *res)
{
    const char *name;
    if (!name_param(req, res, &name))
        return 0;
    int rc = store_space_delete(req->app->store, name);
    if (rc)
        http_store_problem(res, rc, "memory space");
    else
        http_raw_take(res, 204, NULL, NULL, 0);
    return 0;
}

/* ---- memories: insert ------------------------------------------------------------------------ */

static const char *const memory_keys[] = {"text", "vector", "variance",   "meta",
                                          "tags", "time",   "importance", NULL};

/* Validates memory i of a batch into m (vectors into mu/var, dim each). */
static void read_memory(basin_problems *pr, const space_row *sp, size_t i, const json_t *v,
                        memory_new *m, float *mu, float *var)
{
    char ptr[64], sub[160];
    snprintf(ptr, sizeof ptr, "/memories/%zu", i);
    memset(m, 0, sizeof *m);
    m->mu = mu;
    m->var = var;
    m->importance = 0.5;
    if (!json_is_object(v)) {
        basin_problems_add(pr, ptr, "must be an object");
        return;
    }
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x)
    {
        bool known = false;
        for (const char *const *k = memory_keys; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known) {
            snprintf(sub, sizeof sub, "%s/%.40s", ptr, key);
            basin_problems_add(pr, sub,
                               "unknown field; known: text, vector, variance, meta, "
                               "tags, time, importance");
        }
    }
    const json_t *text = json_object_get(v, "text"), *vec = json_object_get(v, "vector");
    const json_t *variance = json_object_get(v, "variance");
    bool hash = strcmp(sp->embedder, "hash") == 0;
    if (text && !json_is_null(text)) {
        snprintf(sub, sizeof sub, "%s/text", ptr);
        if (read_text(pr, sub, text))
            m->text = json_string_value(text);
    }
    bool have_vec = false;
    if (vec) {
        snprintf(sub, sizeof sub, "%s/vector", ptr);
        have_vec = read_floats(pr, sub, vec, sp->dim, false, mu);
    } else if (hash && m->text) {
        snprintf(sub, sizeof sub, "%s/text", ptr);
        have_vec = embed_text(pr, sub, m->text, sp->dim, mu);
    } else {
        snprintf(sub, sizeof sub, "%s/vector", ptr);
        basin_problems_add(pr, sub,
                           hash ? "is required without a text"
                                : "is required (space "
                                  "embedder none)");
    }
    if (variance) {
        snprintf(sub, sizeof sub, "%s/variance", ptr);
        m->var_given = read_floats(pr, sub, variance, sp->dim, true, var);
    } else if (have_vec) {
        basin_variance_from_mean(sp->dim, mu, var);
    }
    const json_t *meta = json_object_get(v, "meta"), *tags = json_object_get(v, "tags");
    if (meta) {
        snprintf(sub, sizeof sub, "%s/meta", ptr);
        if (read_meta(pr, sub, meta, false))
            m->meta = meta;
    }
    if (tags) {
        snprintf(sub, sizeof sub, "%s/tags", ptr);
        if (read_tags(pr, sub, tags))
            m->tags = tags;
    }
    const json_t *t = json_object_get(v, "time"), *imp = json_object_get(v, "importance");
    if (t) {
        snprintf(sub, sizeof sub, "%s/time", ptr);
        read_time(pr, sub, t, &m->event_time);
    }
    if (imp) {
        snprintf(sub, sizeof sub, "%s/importance", ptr);
        read_importance(pr, sub, imp, &m->importance);
    }
}

int api_insert_memories(const http_request *req, http_response *res)
{
    const char *name;
    space_row sp;
    if (!name_param(req, res, &name))
        return 0;
    json_t *body = read_body(req, res);
    if (!body)
        return 0;
    basin_problems problems = {0};
    const json_t *list = json_object_get(body, "memories");
    size_t n = json_array_size(list);
    if (!json_is_object(body))
        basin_problems_add(&problems, "", "must be an object {\"memories\": [...]}");
    else if (!json_is_array(list) || n == 0)
        basin_problems_add(&problems, "/memories", "must be a non-empty array of memories");
    else if (n > MAX_BATCH) {
        basin_problems_add(&problems, "/memories",
                           "at most %d memories per request; got %zu (split the batch)", MAX_BATCH,
                           n);
        problems.over_limit = true;
    } else if (json_object_size(body) != 1) {
        basin_problems_add(&problems, "", "only \"memories\" is allowed");
    }
    if (problems.count) {
        validation_problem(res, &problems);
        json_decref(body);
        return 0;
    }
    if (!get_space(req, res, name, &sp)) {
        json_decref(body);
        return 0;
    }
    size_t d = (size_t)sp.dim;
    memory_new *m = malloc(n * sizeof *m);
    float *mu = malloc(n * d * sizeof *mu), *var = malloc(n * d * sizeof *var);
    char(*ids)[ULID_LEN + 1] = malloc(n * sizeof *ids);
    if (!m || !mu || !var || !ids) {
        http_store_problem(res, BASIN_ENOMEM, "memories");
        goto done;
    }
    for (size_t i = 0; i < n && problems.count < BASIN_PROBLEMS_MAX; i++)
        read_memory(&problems, &sp, i, json_array_get(list, i), &m[i], mu + i * d, var + i * d);
    if (problems.count) {
        validation_problem(res, &problems);
        goto done;
    }
    int rc = store_memories_insert(req->app->store, name, sp.dim, m, n, ids);
    if (rc) {
        http_store_problem(res, rc, "memory space");
        goto done;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_string(ids[i]));
    snprintf(res->location, sizeof res->location, "/v1/spaces/%s/memories", name);
    http_json(res, 201, json_pack("{s:o}", "ids", out));
done:
    free(m);
    free(mu);
    free(var);
    free(ids);
    json_decref(body);
    return 0;
}

/* ---- memories: read ------------------------------------------------------------------------- */

int api_list_memories(const http_request *req, http_response *res)
{
    const char *name;
    if (!name_param(req, res, &name))
        return 0;
    int limit = 100;
    const char *lim = req->query(req, "limit");
    if (lim) {
        char *end;
        long v = strtol(lim, &end, 10);
        if (end == lim || *end || v < 1 || v > MAX_LIST) {
            http_query_problem(res, "limit", "must be an integer in [1, %d]", MAX_LIST);
            return 0;
        }
        limit = (int)v;
    }
    const char *cursor = req->query(req, "cursor");
    if (cursor && !ulid_valid(cursor)) {
        http_query_problem(res, "cursor", "is not a cursor this server returned");
        return 0;
    }
    memory_row *rows = NULL;
    size_t n = 0;
    char next[ULID_LEN + 1];
    int rc = store_memory_list(req->app->store, name, cursor, limit,
                               query_flag(req, "vectors", false), &rows, &n, next);
    if (rc) {
        http_store_problem(res, rc, "memory space");
        return 0;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, render_memory(&rows[i]));
        memory_row_clear(&rows[i]);
    }
    free(rows);
    http_json(res, 200,
              json_pack("{s:o, s:o}", "memories", list, "next_cursor",
                        next[0] ? json_string(next) : json_null()));
    return 0;
}

int api_get_memory(const http_request *req, http_response *res)
{
    const char *name, *id;
    if (!name_param(req, res, &name) || !id_param(req, res, &id))
        return 0;
    memory_row row;
    int rc = store_memory_get(req->app->store, name, id, query_flag(req, "vectors", true), &row);
    if (rc) {
        http_store_problem(res, rc, rc == BASIN_ENOTFOUND ? "memory (or its space)" : "memory");
        return 0;
    }
    http_json(res, 200, render_memory(&row));
    memory_row_clear(&row);
    return 0;
}

int api_memory_history(const http_request *req, http_response *res)
{
    const char *name, *id;
    if (!name_param(req, res, &name) || !id_param(req, res, &id))
        return 0;
    json_t *items = NULL;
    int rc = store_memory_history(req->app->store, name, id, &items);
    if (rc) {
        http_store_problem(res, rc, "memory (or its space)");
        return 0;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_object_set_new(it, "at", time_json(json_integer_value(json_object_get(it, "at"))));
    }
    http_json(res, 200, json_pack("{s:s, s:o}", "id", id, "history", items));
    return 0;
}

int api_delete_memory(const http_request *req, http_response *res)
{
    const char *name, *id;
    if (!name_param(req, res, &name) || !id_param(req, res, &id))
        return 0;
    int rc = store_memory_delete(req->app->store, name, id);
    if (rc)
        http_store_problem(res, rc, "memory (or its space)");
    else
        http_raw_take(res, 204, NULL, NULL, 0);
    return 0;
}

/* ---- memories: patch ----------------------------------------------------------------------- */

static const char *const patch_keys[] = {"text",       "vector",   "variance", "meta",    "tags",
                                         "importance", "archived", "time",     "observe", NULL};

int api_patch_memory(const http_request *req, http_response *res)
{
    const char *name, *id;
    space_row sp;
    if (!name_param(req, res, &name) || !id_param(req, res, &id))
        return 0;
    json_t *body = read_body(req, res);
    if (!body)
        return 0;
    if (!get_space(req, res, name, &sp)) {
        json_decref(body);
        return 0;
    }
    basin_problems pr = {0};
    memory_patch p = {0};
    int dim = sp.dim;
    bool hash = strcmp(sp.embedder, "hash") == 0;
    float *mu = malloc((size_t)dim * sizeof *mu), *var = malloc((size_t)dim * sizeof *var);
    float *omu = malloc((size_t)dim * sizeof *omu), *ovar = malloc((size_t)dim * sizeof *ovar);
    if (!mu || !var || !omu || !ovar) {
        http_store_problem(res, BASIN_ENOMEM, "memory");
        goto done;
    }
    if (!json_is_object(body) || json_object_size(body) == 0) {
        basin_problems_add(&pr, "",
                           "must be an object with at least one of: text, vector, "
                           "variance, meta, tags, importance, archived, time, observe");
    } else {
        const char *key;
        json_t *x;
        json_object_foreach(body, key, x)
        {
            bool known = false;
            for (const char *const *k = patch_keys; *k && !known; k++)
                known = strcmp(*k, key) == 0;
            if (!known) {
                char sub[64];
                snprintf(sub, sizeof sub, "/%.40s", key);
                basin_problems_add(&pr, sub, "unknown field");
            }
        }
        const json_t *text = json_object_get(body, "text"), *vec = json_object_get(body, "vector");
        const json_t *variance = json_object_get(body, "variance");
        const json_t *meta = json_object_get(body, "meta"), *tags = json_object_get(body, "tags");
        const json_t *imp = json_object_get(body, "importance");
        const json_t *arch = json_object_get(body, "archived"), *t = json_object_get(body, "time");
        const json_t *obs = json_object_get(body, "observe");
        if (text) {
            p.set_text = true;
            if (!json_is_null(text) && read_text(&pr, "/text", text))
                p.text = json_string_value(text);
        }
        if (vec) {
            if (read_floats(&pr, "/vector", vec, dim, false, mu))
                p.mu = mu;
        } else if (hash && p.text) {
            if (embed_text(&pr, "/text", p.text, dim, mu))
                p.mu = mu;
        }
        if (variance && !vec)
            basin_problems_add(&pr, "/variance", "needs a vector (or observe it instead)");
        else if (variance && read_floats(&pr, "/variance", variance, dim, true, var))
            p.var_given = true;
        if (p.mu && !p.var_given)
            basin_variance_from_mean(dim, mu, var);
        if (p.mu)
            p.var = var;
        if (meta && read_meta(&pr, "/meta", meta, true))
            p.meta = meta;
        if (tags && read_tags(&pr, "/tags", tags))
            p.tags = tags;
        if (imp && read_importance(&pr, "/importance", imp, &p.importance))
            p.set_importance = true;
        if (arch && !json_is_boolean(arch))
            basin_problems_add(&pr, "/archived", "must be true or false");
        else if (arch) {
            p.set_archived = true;
            p.archived = json_is_true(arch);
        }
        if (t && read_time(&pr, "/time", t, &p.event_time))
            p.set_time = true;
        if (obs) {
            const json_t *ov = json_object_get(obs, "vector"), *ot = json_object_get(obs, "text");
            const json_t *ovr = json_object_get(obs, "variance");
            bool ok = false;
            if (!json_is_object(obs))
                basin_problems_add(&pr, "/observe",
                                   "must be an object {vector, variance?} or "
                                   "{text} (hash spaces)");
            else if (ov)
                ok = read_floats(&pr, "/observe/vector", ov, dim, false, omu);
            else if (ot && hash && read_text(&pr, "/observe/text", ot))
                ok = embed_text(&pr, "/observe/text", json_string_value(ot), dim, omu);
            else
                basin_problems_add(&pr, "/observe/vector", "is required%s",
                                   hash ? " (or a text)" : "");
            if (ok && ovr)
                ok = read_floats(&pr, "/observe/variance", ovr, dim, true, ovar);
            else if (ok)
                basin_variance_from_mean(dim, omu, ovar);
            if (ok) {
                p.obs_mu = omu;
                p.obs_var = ovar;
            }
        }
    }
    if (pr.count) {
        validation_problem(res, &pr);
        goto done;
    }
    memory_row row;
    int rc = store_memory_patch(req->app->store, name, id, dim, &p, &row);
    if (rc) {
        http_store_problem(res, rc, "memory (or its space)");
        goto done;
    }
    bool vectors = query_flag(req, "vectors", false);
    if (!vectors) {
        free(row.mu);
        free(row.var);
        row.mu = row.var = NULL;
    }
    http_json(res, 200, render_memory(&row));
    memory_row_clear(&row);
done:
    free(mu);
    free(var);
    free(omu);
    free(ovar);
    json_decref(body);
    return 0;
}

/* ---- search --------------------------------------------------------------------------------- */

/* A model failure message "/pointer: text" → problem at that pointer. */
static void failure_problem(http_response *res, int status, const char *code, const char *message)
{
    basin_problems pr = {0};
    const char *colon = message[0] == '/' ? strstr(message, ": ") : NULL;
    if (colon) {
        char ptr[160];
        snprintf(ptr, sizeof ptr, "%.*s", (int)(colon - message), message);
        basin_problems_add(&pr, ptr, "%s", colon + 2);
    } else {
        basin_problems_add(&pr, "", "%s", message);
    }
    http_problem(res, status, code, &pr, "%s", message);
}

int api_search_space(const http_request *req, http_response *res)
{
    const char *name;
    space_row sp;
    if (!name_param(req, res, &name))
        return 0;
    json_t *body = read_body(req, res);
    if (!body)
        return 0;
    basin_problems pr = {0};
    if (!json_is_object(body)) {
        basin_problems_add(&pr, "", "must be an object (the memory.retrieve params)");
    } else {
        const json_t *given = json_object_get(body, "space");
        if (given && !(json_is_string(given) && strcmp(json_string_value(given), name) == 0))
            basin_problems_add(&pr, "/space", "must be absent or %s (the space in the path)", name);
    }
    if (pr.count) {
        validation_problem(res, &pr);
        json_decref(body);
        return 0;
    }
    if (!get_space(req, res, name, &sp)) {
        json_decref(body);
        return 0;
    }
    json_object_set_new(body, "space", json_string(name));
    /* The dimension is known here: name the offending field before running. */
    const char *fields[] = {"vector", "variance"};
    for (int f = 0; f < 2; f++) {
        const json_t *v = json_object_get(body, fields[f]);
        if (json_is_array(v) && json_array_size(v) != (size_t)sp.dim) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/%s", fields[f]);
            basin_problems_add(&pr, ptr, "must have %d entries (the space's dim); got %zu", sp.dim,
                               json_array_size(v));
        }
    }
    const basin_model *model = basin_model_find("memory.retrieve");
    json_t *normalized = NULL;
    void *config = NULL;
    if (!pr.count && model)
        model->parse(body, "", &req->app->limits, &pr, NULL, &normalized, &config);
    json_decref(body);
    json_decref(normalized);
    if (pr.count || !config) {
        if (!pr.count)
            http_problem(res, 500, "internal", NULL, "internal error");
        else
            validation_problem(res, &pr);
        if (model && config)
            model->free_config(config);
        return 0;
    }
    basin_ctx *ctx = run_ctx_new(&req->app->limits);
    basin_space_provider spaces;
    store_space_provider(req->app->store, &spaces);
    int rc = ctx ? 0 : BASIN_ENOMEM;
    if (ctx) {
        basin_ctx_set_spaces(ctx, &spaces);
        rc = model->run(config, ctx);
    }
    model->free_config(config);
    if (rc == 0) {
        http_json(res, 200, json_incref(ctx->values));
    } else if (ctx && ctx->failed) {
        if (strcmp(ctx->fail_code, "not_found") == 0)
            http_problem(res, 404, "not_found", NULL, "%s", ctx->fail_message);
        else if (strcmp(ctx->fail_code, "resource_limit") == 0)
            failure_problem(res, 422, "resource_limit", ctx->fail_message);
        else if (strcmp(ctx->fail_code, "invalid_query") == 0)
            failure_problem(res, 422, "validation", ctx->fail_message);
        else
            http_problem(res, 500, "internal", NULL, "internal error");
    } else {
        http_store_problem(res, rc == BASIN_ECANCELLED ? BASIN_EBUSY : rc, "memory space");
    }
    run_ctx_free(ctx);
    return 0;
}
