/*
 * field_params.c — grid fields from params: constants, arrays and presets (see
 * field_params.h). Every problem names the JSON pointer of the offending value.
 */
#include "field_params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define POS_BOUND 1e9

void field_spec_free(field_spec *f)
{
    if (!f)
        return;
    free(f->bumps);
    free(f->data);
    f->bumps = NULL;
    f->data = NULL;
}

bool field_is_zero(const field_spec *f)
{
    return f->type == FIELD_CONSTANT && f->value == 0.0;
}

static void describe_field(param_reader *r, const char *key, double def, const char *description)
{
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
    if (!prop)
        return;
    json_t *schema = json_pack(
        "{s:s, s:f, s:[{s:s}, {s:s, s:{s:[s, s]}}, {s:s, s:{s:{s:s, s:[s, s, s, s, "
        "s]}}}]}",
        "description", description, "default", def, "oneOf", "type", "number", "type", "array",
        "items", "type", "number", "array", "type", "object", "properties", "type", "type",
        "string", "enum", "constant", "gaussian", "linear", "mode", "noise");
    json_object_update(prop, schema); /* copies the keys; the object stays ours */
    json_decref(schema);
}

/* One number of an array at sub-path `sub`: finite, within ±bound, ≥ 0 when nonneg. */
static bool read_entry(param_reader *r, const char *sub, const json_t *e, double bound, bool nonneg,
                       double *x)
{
    double v = json_number_value(e);
    if (!json_is_number(e) || !isfinite(v) || fabs(v) > bound || (nonneg && v < 0.0)) {
        params_problem(r, sub, "must be a number in [%g, %g]", nonneg ? 0.0 : -bound, bound);
        return false;
    }
    *x = v;
    return true;
}

static int read_array(param_reader *r, const char *key, const json_t *v, long nx, long ny,
                      bool grid_ok, double bound, bool nonneg, field_spec *out)
{
    size_t n = json_array_size(v);
    bool nested = n > 0 && json_is_array(json_array_get(v, 0));
    if (!grid_ok) {
        params_put(r, key, json_null());
        return 0;
    }
    size_t cells = (size_t)nx * (size_t)ny;
    if (nested ? n != (size_t)ny : n != cells) {
        params_problem(r, key,
                       "must hold nx·ny = %zu numbers (row-major), or ny = %ld rows of nx = %ld; "
                       "got %zu %s",
                       cells, ny, nx, n, nested ? "rows" : "numbers");
        params_put(r, key, json_null());
        return 0;
    }
    out->data = malloc(cells * sizeof *out->data);
    json_t *norm = json_array();
    if (!out->data || !norm) {
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    bool ok = true;
    char sub[160];
    if (nested) {
        for (long j = 0; j < ny && ok; j++) {
            const json_t *row = json_array_get(v, (size_t)j);
            if (!json_is_array(row) || json_array_size(row) != (size_t)nx) {
                snprintf(sub, sizeof sub, "%s/%ld", key, j);
                params_problem(r, sub, "must be an array of nx = %ld numbers", nx);
                ok = false;
                break;
            }
            for (long i = 0; i < nx; i++) {
                snprintf(sub, sizeof sub, "%s/%ld/%ld", key, j, i);
                double x;
                if (!read_entry(r, sub, json_array_get(row, (size_t)i), bound, nonneg, &x)) {
                    ok = false;
                    break;
                }
                out->data[(size_t)j * (size_t)nx + (size_t)i] = x;
            }
        }
    } else {
        for (size_t k = 0; k < cells && ok; k++) {
            snprintf(sub, sizeof sub, "%s/%zu", key, k);
            ok = read_entry(r, sub, json_array_get(v, k), bound, nonneg, &out->data[k]);
        }
    }
    if (ok)
        for (size_t k = 0; k < cells; k++)
            json_array_append_new(norm, json_real(out->data[k]));
    params_put(r, key, ok ? norm : json_null());
    if (!ok)
        json_decref(norm);
    out->type = FIELD_ARRAY;
    return 0;
}

static int read_bumps(param_reader *c, double bound, bool nonneg, field_spec *out)
{
    const json_t *v = params_raw(c, "bumps", "array");
    if (!v) {
        params_put(c, "bumps", json_array());
        return 0;
    }
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n > FIELD_BUMPS_MAX) {
        params_problem(c, "bumps",
                       "must be an array of at most %d objects {x, y, amplitude, width}",
                       FIELD_BUMPS_MAX);
        params_put(c, "bumps", json_null());
        return 0;
    }
    out->bumps = calloc(n ? n : 1, sizeof *out->bumps);
    if (!out->bumps)
        return BASIN_ENOMEM;
    out->n_bumps = n;
    json_t *norm = json_array();
    for (size_t k = 0; k < n; k++) {
        param_reader b;
        char ptr[sizeof c->pointer + 32];
        snprintf(ptr, sizeof ptr, "%s/bumps/%zu", c->pointer, k);
        params_open(&b, json_array_get(v, k), ptr, c->problems, NULL);
        field_bump *f = &out->bumps[k];
        f->x = params_real(&b, "x", 0.0, -POS_BOUND, POS_BOUND);
        f->y = params_real(&b, "y", 0.0, -POS_BOUND, POS_BOUND);
        f->amplitude = params_real(&b, "amplitude", 1.0, nonneg ? 0.0 : -bound, bound);
        f->width = params_real_gt(&b, "width", 1.0, 0.0, POS_BOUND);
        json_t *bn = NULL;
        params_close(&b, &bn);
        json_array_append_new(norm, bn ? bn : json_null());
    }
    params_put(c, "bumps", norm);
    return 0;
}

static int read_preset(param_reader *r, const char *key, const json_t *v, long ny, double bound,
                       bool nonneg, field_spec *out)
{
    static const char *const all[] = {"constant", "gaussian", "linear", "mode", "noise", NULL};
    static const char *const nonneg_types[] = {"constant", "gaussian", NULL};
    param_reader c;
    char ptr[sizeof r->pointer + 64];
    snprintf(ptr, sizeof ptr, "%s/%s", r->pointer, key);
    params_open(&c, v, ptr, r->problems, NULL);
    const char *type = params_enum(&c, "type", "constant", nonneg ? nonneg_types : all);
    int rc = 0;
    double lo = nonneg ? 0.0 : -bound;
    if (strcmp(type, "constant") == 0) {
        out->type = FIELD_CONSTANT;
        out->value = params_real(&c, "value", 0.0, lo, bound);
    } else if (strcmp(type, "gaussian") == 0) {
        out->type = FIELD_GAUSSIAN;
        out->value = params_real(&c, "offset", 0.0, lo, bound);
        rc = read_bumps(&c, bound, nonneg, out);
    } else if (strcmp(type, "linear") == 0) {
        out->type = FIELD_LINEAR;
        out->value = params_real(&c, "offset", 0.0, -bound, bound);
        double *g = NULL;
        size_t len = 0;
        rc = params_real_array(&c, "gradient", 1, 2, -bound, bound, &g, &len);
        if (rc == BASIN_EINVAL)
            rc = 0;
        if (!g)
            params_put(&c, "gradient", json_pack("[f, f]", 0.0, 0.0));
        out->gx = len > 0 ? g[0] : 0.0;
        out->gy = len > 1 ? g[1] : 0.0;
        if (len == 1)
            params_put(&c, "gradient", json_pack("[f, f]", out->gx, 0.0));
        if (ny == 1 && out->gy != 0.0)
            params_problem(&c, "gradient/1", "must be 0 on a 1-D grid");
        free(g);
    } else if (strcmp(type, "mode") == 0) {
        out->type = FIELD_MODE;
        out->value = params_real(&c, "offset", 0.0, -bound, bound);
        out->amplitude = params_real(&c, "amplitude", 1.0, -bound, bound);
        out->kx = params_real(&c, "kx", 1.0, -1e6, 1e6);
        out->ky = params_real(&c, "ky", 0.0, -1e6, 1e6);
        out->phase = params_real(&c, "phase", 0.0, -1e6, 1e6);
    } else {
        out->type = FIELD_NOISE;
        out->value = params_real(&c, "mean", 0.0, -bound, bound);
        out->amplitude = params_real(&c, "std", 1.0, 0.0, bound);
    }
    json_t *norm = NULL;
    params_close(&c, &norm);
    params_put(r, key, norm ? norm : json_null());
    return rc;
}

int field_read(param_reader *r, const char *key, double def, const json_t *def_json, long nx,
               long ny, bool grid_ok, bool allow_array, double bound, bool nonneg,
               const char *description, field_spec *out)
{
    memset(out, 0, sizeof *out);
    out->type = FIELD_CONSTANT;
    out->value = def;
    const json_t *v = params_raw(r, key, NULL);
    describe_field(r, key, def, description);
    if (def_json && r->schema) {
        json_t *prop = json_object_get(json_object_get(r->schema, "properties"), key);
        if (prop)
            json_object_set(prop, "default", (json_t *)def_json);
    }
    if (!v)
        v = def_json;
    if (!v) {
        params_put(r, key, json_real(def));
        return 0;
    }
    if (json_is_array(v) && !allow_array) {
        params_problem(r, key, "must be a number or a preset object (not an array)");
        params_put(r, key, json_null());
        return 0;
    }
    if (json_is_number(v)) {
        double x;
        if (read_entry(r, key, v, bound, nonneg, &x))
            out->value = x;
        params_put(r, key, json_real(out->value));
        return 0;
    }
    if (json_is_array(v))
        return read_array(r, key, v, nx, ny, grid_ok, bound, nonneg, out);
    if (json_is_object(v))
        return read_preset(r, key, v, ny, bound, nonneg, out);
    params_problem(r, key, "must be a number, an array of nx·ny numbers or a preset object");
    params_put(r, key, json_null());
    return 0;
}

void field_fill(const field_spec *f, long nx, long ny, double h, double ox, double oy,
                basin_rng *rng, double *out)
{
    size_t n = (size_t)nx * (size_t)ny;
    switch (f->type) {
    case FIELD_CONSTANT:
        for (size_t k = 0; k < n; k++)
            out[k] = f->value;
        break;
    case FIELD_ARRAY:
        memcpy(out, f->data, n * sizeof *out);
        break;
    case FIELD_GAUSSIAN:
        /* c + Σ_b A_b exp(−|p − p_b|²/(2 w_b²)) */
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++) {
                double x = ((double)i + ox) * h, y = ((double)j + oy) * h, s = f->value;
                for (size_t b = 0; b < f->n_bumps; b++) {
                    const field_bump *B = &f->bumps[b];
                    double dx = x - B->x, dy = y - B->y;
                    s += B->amplitude * exp(-(dx * dx + dy * dy) / (2.0 * B->width * B->width));
                }
                out[(size_t)j * (size_t)nx + (size_t)i] = s;
            }
        break;
    case FIELD_LINEAR:
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++)
                out[(size_t)j * (size_t)nx + (size_t)i] =
                    f->value + f->gx * ((double)i + ox) * h + f->gy * ((double)j + oy) * h;
        break;
    case FIELD_MODE:
        /* c + A cos(2π(k i/nx + l j/ny) + φ) */
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++)
                out[(size_t)j * (size_t)nx + (size_t)i] =
                    f->value + f->amplitude * cos(2.0 * M_PI *
                                                      (f->kx * ((double)i + ox) / (double)nx +
                                                       f->ky * ((double)j + oy) / (double)ny) +
                                                  f->phase);
        break;
    case FIELD_NOISE:
        for (size_t k = 0; k < n; k++)
            out[k] = f->value + f->amplitude * basin_rng_normal(rng);
        break;
    }
}

double field_gradient_bound(const field_spec *f, long nx, long ny, double h)
{
    switch (f->type) {
    case FIELD_CONSTANT:
        return 0.0;
    case FIELD_ARRAY: {
        double gx = 0.0, gy = 0.0;
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++) {
                size_t k = (size_t)j * (size_t)nx + (size_t)i;
                if (i + 1 < nx)
                    gx = fmax(gx, fabs(f->data[k + 1] - f->data[k]));
                if (j + 1 < ny)
                    gy = fmax(gy, fabs(f->data[k + (size_t)nx] - f->data[k]));
            }
        return sqrt(gx * gx + gy * gy) / h;
    }
    case FIELD_GAUSSIAN: {
        double s = 0.0;
        for (size_t b = 0; b < f->n_bumps; b++)
            s += fabs(f->bumps[b].amplitude) / (f->bumps[b].width * sqrt(M_E));
        return s;
    }
    case FIELD_LINEAR:
        return sqrt(f->gx * f->gx + f->gy * f->gy);
    case FIELD_MODE: {
        double sx = 2.0 * fabs(sin(M_PI * f->kx / (double)nx)),
               sy = 2.0 * fabs(sin(M_PI * f->ky / (double)ny));
        return fabs(f->amplitude) * sqrt(sx * sx + sy * sy) / h;
    }
    case FIELD_NOISE:
    default:
        return 8.0 * f->amplitude / h;
    }
}
