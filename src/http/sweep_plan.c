/* sweep_plan.c — see sweep_plan.h. */
#include "sweep_plan.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/rng.h"

#define MAX_AXES        16
#define MAX_AXIS_VALUES 100000

static bool valid_path(const char *path)
{
    if (!*path || strlen(path) > 120 || path[0] == '.' || path[strlen(path) - 1] == '.')
        return false;
    for (const char *c = path; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return false;
    return !strstr(path, "..");
}

json_t *sweep_get_path(const json_t *obj, const char *path)
{
    char key[128];
    const json_t *cur = obj;
    while (cur && *path) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof key || !json_is_object(cur))
            return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        cur = json_object_get(cur, key);
        path += len + (path[len] == '.');
    }
    return (json_t *)cur;
}

int sweep_set_path(json_t *obj, const char *path, json_t *value)
{
    char key[128];
    json_t *cur = obj;
    for (;;) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof key || !json_is_object(cur)) {
            json_decref(value);
            return BASIN_EINVAL;
        }
        memcpy(key, path, len);
        key[len] = '\0';
        if (path[len] == '\0')
            return json_object_set_new(cur, key, value) ? BASIN_ENOMEM : 0;
        json_t *next = json_object_get(cur, key);
        if (!next) {
            next = json_object();
            json_object_set_new(cur, key, next);
        }
        cur = next;
        path += len + 1;
    }
}

/* Values of one grid axis as a JSON array (new reference), or NULL with a problem. */
static json_t *axis_values(const char *path, const json_t *spec, basin_problems *pr)
{
    char ptr[160];
    snprintf(ptr, sizeof ptr, "/grid/%s", path);
    if (json_is_array(spec)) {
        if (json_array_size(spec) == 0 || json_array_size(spec) > MAX_AXIS_VALUES) {
            basin_problems_add(pr, ptr, "a list of 1 to %d values", MAX_AXIS_VALUES);
            return NULL;
        }
        return json_deep_copy(spec);
    }
    const json_t *lin = json_object_get(spec, "linspace");
    const json_t *log = json_object_get(spec, "logspace");
    const json_t *range = lin ? lin : log;
    if (!json_is_object(spec) || json_object_size(spec) != 1 || !range) {
        basin_problems_add(pr, ptr,
                           "must be a list, {\"linspace\": [a, b, n]} or "
                           "{\"logspace\": [a, b, n]}");
        return NULL;
    }
    double a = json_number_value(json_array_get(range, 0));
    double b = json_number_value(json_array_get(range, 1));
    const json_t *nj = json_array_get(range, 2);
    if (!json_is_array(range) || json_array_size(range) != 3 ||
        !json_is_number(json_array_get(range, 0)) || !json_is_number(json_array_get(range, 1)) ||
        !json_is_integer(nj) || json_integer_value(nj) < 1 ||
        json_integer_value(nj) > MAX_AXIS_VALUES || (log && (fabs(a) > 300 || fabs(b) > 300))) {
        basin_problems_add(pr, ptr, "[a, b, n] with numbers a, b%s and an integer n in [1, %d]",
                           log ? " in [-300, 300]" : "", MAX_AXIS_VALUES);
        return NULL;
    }
    json_int_t n = json_integer_value(nj);
    json_t *out = json_array();
    for (json_int_t i = 0; i < n; i++) {
        /* numpy.linspace: a + i·(b − a)/(n − 1), with the last point exactly b */
        double x = n == 1 ? a : (i == n - 1 ? b : a + (double)i * (b - a) / (double)(n - 1));
        json_array_append_new(out, json_real(log ? pow(10.0, x) : x));
    }
    return out;
}

typedef enum { DRAW_UNIFORM, DRAW_LOGUNIFORM, DRAW_CHOICE } draw_kind;

typedef struct draw_axis {
    const char *path;
    draw_kind kind;
    double a, b;
    const json_t *choices;
} draw_axis;

static int read_draw_axis(const char *path, const json_t *spec, draw_axis *ax, basin_problems *pr)
{
    char ptr[180];
    snprintf(ptr, sizeof ptr, "/random/params/%s", path);
    ax->path = path;
    const json_t *u = json_object_get(spec, "uniform");
    const json_t *lu = json_object_get(spec, "loguniform");
    const json_t *ch = json_object_get(spec, "choice");
    if (!json_is_object(spec) || json_object_size(spec) != 1 || !(u || lu || ch)) {
        basin_problems_add(pr, ptr,
                           "must be {\"uniform\": [a, b]}, {\"loguniform\": [a, b]} "
                           "or {\"choice\": [v, ...]}");
        return BASIN_EINVAL;
    }
    if (ch) {
        if (!json_is_array(ch) || json_array_size(ch) == 0) {
            basin_problems_add(pr, ptr, "choice needs a non-empty list");
            return BASIN_EINVAL;
        }
        ax->kind = DRAW_CHOICE;
        ax->choices = ch;
        return 0;
    }
    const json_t *r = u ? u : lu;
    ax->kind = u ? DRAW_UNIFORM : DRAW_LOGUNIFORM;
    ax->a = json_number_value(json_array_get(r, 0));
    ax->b = json_number_value(json_array_get(r, 1));
    if (!json_is_array(r) || json_array_size(r) != 2 || !json_is_number(json_array_get(r, 0)) ||
        !json_is_number(json_array_get(r, 1)) || !(ax->a < ax->b) || (lu && !(ax->a > 0))) {
        basin_problems_add(pr, ptr, "[a, b] with a < b%s", lu ? " and a > 0" : "");
        return BASIN_EINVAL;
    }
    return 0;
}

/* Value of draw axis `ax` at stratified/plain uniform u in [0, 1). */
static json_t *draw_value(const draw_axis *ax, double u)
{
    switch (ax->kind) {
    case DRAW_UNIFORM:
        return json_real(ax->a + (ax->b - ax->a) * u);
    case DRAW_LOGUNIFORM:
        return json_real(exp(log(ax->a) + (log(ax->b) - log(ax->a)) * u));
    case DRAW_CHOICE: {
        size_t n = json_array_size(ax->choices);
        size_t i = (size_t)(u * (double)n);
        return json_deep_copy(json_array_get(ax->choices, i < n ? i : n - 1));
    }
    }
    return json_null();
}

void sweep_plan_clear(sweep_plan *plan)
{
    json_decref(plan->varied);
    json_decref(plan->points);
    json_decref(plan->children);
    plan->varied = plan->points = plan->children = NULL;
}

int sweep_plan_build(const json_t *base, const json_t *grid, const json_t *random, uint64_t seed,
                     size_t max_children, basin_problems *pr, sweep_plan *out)
{
    const char *gpath[MAX_AXES];
    json_t *gvals[MAX_AXES] = {0};
    size_t n_grid = 0;
    draw_axis daxes[MAX_AXES];
    size_t n_draw_axes = 0, n_draws = 1;
    bool lhs = false;
    int rc = 0;
    memset(out, 0, sizeof *out);

    if (grid && !json_is_object(grid)) {
        basin_problems_add(pr, "/grid", "must be an object of param paths");
        rc = BASIN_EINVAL;
    }
    const char *key;
    json_t *spec;
    if (grid && json_is_object(grid)) {
        json_object_foreach((json_t *)grid, key, spec)
        {
            char ptr[160];
            snprintf(ptr, sizeof ptr, "/grid/%s", key);
            if (n_grid >= MAX_AXES) {
                basin_problems_add(pr, "/grid", "at most %d swept params", MAX_AXES);
                rc = BASIN_EINVAL;
                break;
            }
            if (!valid_path(key)) {
                basin_problems_add(pr, ptr, "a param path is dotted keys of [A-Za-z0-9_-]");
                rc = BASIN_EINVAL;
                continue;
            }
            gpath[n_grid] = key;
            gvals[n_grid] = axis_values(key, spec, pr);
            if (!gvals[n_grid])
                rc = BASIN_EINVAL;
            n_grid++;
        }
    }
    if (random) {
        const json_t *n = json_object_get(random, "n");
        const json_t *params = json_object_get(random, "params");
        const json_t *lh = json_object_get(random, "latin_hypercube");
        json_t *extra;
        json_object_foreach((json_t *)random, key, extra)
        {
            if (strcmp(key, "n") && strcmp(key, "params") && strcmp(key, "latin_hypercube")) {
                char ptr[160];
                snprintf(ptr, sizeof ptr, "/random/%s", key);
                basin_problems_add(pr, ptr, "unknown key (n, params, latin_hypercube)");
                rc = BASIN_EINVAL;
            }
        }
        if (!json_is_object(random) || !json_is_integer(n) || json_integer_value(n) < 1 ||
            (json_int_t)json_integer_value(n) > (json_int_t)max_children) {
            basin_problems_add(pr, "/random/n", "an integer in [1, %zu]", max_children);
            rc = BASIN_EINVAL;
        } else {
            n_draws = (size_t)json_integer_value(n);
        }
        if (lh && !json_is_boolean(lh)) {
            basin_problems_add(pr, "/random/latin_hypercube", "must be true or false");
            rc = BASIN_EINVAL;
        }
        lhs = json_is_true(lh);
        if (!json_is_object(params) || json_object_size(params) == 0) {
            basin_problems_add(pr, "/random/params", "an object of param paths to draw");
            rc = BASIN_EINVAL;
        } else {
            json_object_foreach((json_t *)params, key, spec)
            {
                if (n_draw_axes >= MAX_AXES || !valid_path(key)) {
                    char ptr[180];
                    snprintf(ptr, sizeof ptr, "/random/params/%s", key);
                    basin_problems_add(pr, ptr,
                                       "a param path is dotted keys of [A-Za-z0-9_-] "
                                       "(at most %d)",
                                       MAX_AXES);
                    rc = BASIN_EINVAL;
                    continue;
                }
                if (read_draw_axis(key, spec, &daxes[n_draw_axes], pr))
                    rc = BASIN_EINVAL;
                else
                    n_draw_axes++;
            }
        }
    }
    if (rc == 0 && n_grid == 0 && n_draw_axes == 0) {
        basin_problems_add(pr, "/grid", "a sweep needs a non-empty grid or random draws");
        rc = BASIN_EINVAL;
    }
    /* children = Π |axis| × draws, bounded before anything is built */
    double total = (double)n_draws;
    for (size_t i = 0; rc == 0 && i < n_grid; i++)
        total *= (double)json_array_size(gvals[i]);
    if (rc == 0 && total > (double)max_children) {
        basin_problems_add(pr, "/grid", "%.0f children; the limit is %zu per sweep", total,
                           max_children);
        pr->over_limit = true;
        rc = BASIN_EINVAL;
    }
    if (rc) {
        for (size_t i = 0; i < n_grid; i++)
            json_decref(gvals[i]);
        return rc;
    }

    /* Random draws: n_draws points over the draw axes. */
    size_t n_children = (size_t)total;
    json_t *draws = json_array();
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    size_t *perm = lhs ? malloc(n_draws * sizeof *perm) : NULL;
    json_t *columns[MAX_AXES] = {0};
    for (size_t a = 0; a < n_draw_axes; a++) {
        columns[a] = json_array();
        if (lhs) { /* a random permutation of the strata (Fisher–Yates) */
            for (size_t i = 0; i < n_draws; i++)
                perm[i] = i;
            for (size_t i = n_draws; i > 1; i--) {
                size_t j = (size_t)basin_rng_below(&rng, i);
                size_t t = perm[i - 1];
                perm[i - 1] = perm[j];
                perm[j] = t;
            }
        }
        for (size_t i = 0; i < n_draws; i++) {
            double u = basin_rng_uniform(&rng);
            if (lhs)
                u = ((double)perm[i] + u) / (double)n_draws;
            json_array_append_new(columns[a], draw_value(&daxes[a], u));
        }
    }
    free(perm);
    for (size_t i = 0; i < (n_draw_axes ? n_draws : 1); i++) {
        json_t *d = json_object();
        for (size_t a = 0; a < n_draw_axes; a++)
            json_object_set(d, daxes[a].path, json_array_get(columns[a], i));
        json_array_append_new(draws, d);
    }
    for (size_t a = 0; a < n_draw_axes; a++)
        json_decref(columns[a]);

    out->varied = json_array();
    for (size_t i = 0; i < n_grid; i++)
        json_array_append_new(out->varied, json_string(gpath[i]));
    for (size_t a = 0; a < n_draw_axes; a++)
        json_array_append_new(out->varied, json_string(daxes[a].path));
    out->points = json_array();
    out->children = json_array();
    size_t idx[MAX_AXES] = {0};
    size_t n_draw_points = json_array_size(draws);
    for (size_t c = 0; c < n_children; c++) {
        /* grid index from c: first axis slowest, then the draw index fastest */
        size_t rem = c / n_draw_points;
        for (size_t i = n_grid; i-- > 0;) {
            size_t len = json_array_size(gvals[i]);
            idx[i] = rem % len;
            rem /= len;
        }
        json_t *point = json_object();
        for (size_t i = 0; i < n_grid; i++)
            json_object_set(point, gpath[i], json_array_get(gvals[i], idx[i]));
        json_object_update(point, json_array_get(draws, c % n_draw_points));
        json_t *params = base && json_is_object(base) ? json_deep_copy(base) : json_object();
        const char *path;
        json_t *v;
        json_object_foreach(point, path, v)
        {
            if (sweep_set_path(params, path, json_deep_copy(v)) && rc == 0) {
                char ptr[160];
                snprintf(ptr, sizeof ptr, "/grid/%s", path);
                basin_problems_add(pr, ptr,
                                   "the path runs through a base value that is not "
                                   "an object");
                rc = BASIN_EINVAL;
            }
        }
        json_array_append_new(out->points, point);
        json_array_append_new(out->children, params);
    }
    json_decref(draws);
    for (size_t i = 0; i < n_grid; i++)
        json_decref(gvals[i]);
    if (rc)
        sweep_plan_clear(out);
    return rc;
}
