/*
 * energy_params.c — shared params readers of the stochastic-relaxation models (see
 * energy_params.h). Problems name the exact JSON pointer of the offending value; a tagged
 * object's schema is a oneOf with one object schema per "type".
 */
#include "energy_params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

size_t ep_problems(const basin_problems *p)
{
    return p->count + p->dropped;
}

json_t *ep_schema_prop(param_reader *r, const char *key)
{
    return r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
}

static bool in_coord(const json_t *e)
{
    return json_is_number(e) && fabs(json_number_value(e)) <= EP_COORD_MAX;
}

bool ep_vector(param_reader *r, const char *key, int d, bool check_len, const double *def,
               double *out)
{
    const json_t *v = params_raw(r, key, "array");
    json_t *prop = ep_schema_prop(r, key);
    if (prop) {
        json_object_set_new(prop, "items",
                            json_pack("{s:s, s:f, s:f}", "type", "number", "minimum", -EP_COORD_MAX,
                                      "maximum", EP_COORD_MAX));
        json_object_set_new(prop, "minItems", json_integer(1));
        json_object_set_new(prop, "maxItems", json_integer(BASIN_LANGEVIN_MAX_DIM));
        json_object_set_new(prop, "description",
                            json_string("one number per dimension (exactly dim numbers)"));
    }
    for (int a = 0; a < d; a++)
        out[a] = def ? def[a] : 0.0;
    bool ok = true;
    if (v) {
        if (!json_is_array(v)) {
            params_problem(r, key, "must be an array of dim = %d numbers", d);
            return false;
        }
        size_t n = json_array_size(v);
        char sub[96];
        if (check_len && n != (size_t)d) {
            snprintf(sub, sizeof sub, "%s/%zu", key, n < (size_t)d ? n : (size_t)d);
            params_problem(r, sub, "%s: the vector needs dim = %d numbers; got %zu",
                           n < (size_t)d ? "missing" : "extra", d, n);
            ok = false;
        }
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_array_get(v, i);
            if (!in_coord(e)) {
                snprintf(sub, sizeof sub, "%s/%zu", key, i);
                params_problem(r, sub, "must be a number in [%g, %g]", -EP_COORD_MAX, EP_COORD_MAX);
                ok = false;
            } else if (i < (size_t)d) {
                out[i] = json_number_value(e);
            }
        }
    }
    if (ok) {
        json_t *norm = json_array();
        for (int a = 0; a < d; a++)
            json_array_append_new(norm, json_real(out[a]));
        params_put(r, key, norm);
    }
    return ok;
}

/* Lower Cholesky of a symmetric d×d matrix; false when a pivot is not positive. */
static bool spd_cholesky(int d, const double *A)
{
    double L[64 * 64];
    if (d > 64)
        return false;
    for (int j = 0; j < d; j++) {
        double s = A[j * d + j];
        for (int m = 0; m < j; m++)
            s -= L[j * d + m] * L[j * d + m];
        if (!(s > 0.0))
            return false;
        L[j * d + j] = sqrt(s);
        for (int i = j + 1; i < d; i++) {
            double v = A[i * d + j];
            for (int m = 0; m < j; m++)
                v -= L[i * d + m] * L[j * d + m];
            L[i * d + j] = v / L[j * d + j];
        }
    }
    return true;
}

bool ep_matrix(param_reader *r, const json_t *v, const char *key, int d, bool spd, double *out)
{
    char sub[160];
    if (!json_is_array(v)) {
        params_problem(r, key, "must be a %d×%d matrix (an array of rows)", d, d);
        return false;
    }
    bool ok = true;
    size_t n = json_array_size(v);
    if (n != (size_t)d) {
        snprintf(sub, sizeof sub, "%s/%zu", key, n < (size_t)d ? n : (size_t)d);
        params_problem(r, sub, "%s row: the matrix needs dim = %d rows; got %zu",
                       n < (size_t)d ? "missing" : "extra", d, n);
        ok = false;
    }
    for (size_t i = 0; i < n && i < (size_t)d; i++) {
        const json_t *row = json_array_get(v, i);
        if (!json_is_array(row)) {
            snprintf(sub, sizeof sub, "%s/%zu", key, i);
            params_problem(r, sub, "must be a row of dim = %d numbers", d);
            ok = false;
            continue;
        }
        size_t m = json_array_size(row);
        if (m != (size_t)d) {
            snprintf(sub, sizeof sub, "%s/%zu/%zu", key, i, m < (size_t)d ? m : (size_t)d);
            params_problem(r, sub, "%s: each row needs dim = %d numbers; got %zu",
                           m < (size_t)d ? "missing" : "extra", d, m);
            ok = false;
        }
        for (size_t j = 0; j < m && j < (size_t)d; j++) {
            const json_t *e = json_array_get(row, j);
            if (!in_coord(e)) {
                snprintf(sub, sizeof sub, "%s/%zu/%zu", key, i, j);
                params_problem(r, sub, "must be a number in [%g, %g]", -EP_COORD_MAX, EP_COORD_MAX);
                ok = false;
            } else {
                out[i * (size_t)d + j] = json_number_value(e);
            }
        }
    }
    if (!ok || !spd)
        return ok;
    double scale = 0.0;
    for (int i = 0; i < d * d; i++)
        scale = fmax(scale, fabs(out[i]));
    for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++) {
            double aij = out[i * d + j], aji = out[j * d + i];
            if (fabs(aij - aji) > 1e-12 * scale) {
                snprintf(sub, sizeof sub, "%s/%d/%d", key, i, j);
                params_problem(r, sub,
                               "must equal entry [%d][%d] = %.17g: the matrix must be "
                               "symmetric; got %.17g",
                               j, i, aji, aij);
                ok = false;
            } else {
                out[i * d + j] = out[j * d + i] = 0.5 * (aij + aji);
            }
        }
    if (ok && !spd_cholesky(d, out)) {
        params_problem(r, key,
                       "must be positive definite; this symmetric matrix has a non-positive "
                       "eigenvalue (its Cholesky factorisation fails)");
        ok = false;
    }
    return ok;
}

json_t *ep_matrix_json(int d, const double *m)
{
    json_t *rows = json_array();
    for (int i = 0; i < d; i++) {
        json_t *row = json_array();
        for (int j = 0; j < d; j++)
            json_array_append_new(row, json_real(m[i * d + j]));
        json_array_append_new(rows, row);
    }
    return rows;
}

bool ep_mobility(param_reader *r, const char *key, int d, bool dim_ok, basin_mobility *K)
{
    const json_t *v = params_raw(r, key, NULL);
    json_t *prop = ep_schema_prop(r, key);
    if (prop) {
        json_t *row = json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "number");
        json_object_set_new(prop, "oneOf",
                            json_pack("[{s:s, s:f, s:f}, {s:s, s:o, s:i, s:i}]", "type", "number",
                                      "minimum", EP_PARAM_MIN, "maximum", EP_PARAM_MAX, "type",
                                      "array", "items", row, "minItems", 1, "maxItems",
                                      BASIN_LANGEVIN_MAX_DIM));
        json_object_set_new(prop, "default", json_real(1.0));
        json_object_set_new(prop, "description",
                            json_string("mobility K: a number κ (K = κ I) or a dim×dim "
                                        "symmetric positive-definite matrix"));
    }
    memset(K, 0, sizeof *K);
    K->kappa = 1.0;
    if (!v) {
        params_put(r, key, json_real(1.0));
        return true;
    }
    if (json_is_number(v)) {
        double kappa = json_number_value(v);
        if (!(kappa >= EP_PARAM_MIN && kappa <= EP_PARAM_MAX)) {
            params_problem(r, key,
                           "must be a number in [%g, %g] or a dim×dim symmetric "
                           "positive-definite matrix; got %.17g",
                           EP_PARAM_MIN, EP_PARAM_MAX, kappa);
            return false;
        }
        K->kappa = kappa;
        params_put(r, key, json_real(kappa));
        return true;
    }
    if (!json_is_array(v)) {
        params_problem(r, key,
                       "must be a positive number or a dim×dim symmetric positive-definite "
                       "matrix (an array of rows)");
        return false;
    }
    if (!dim_ok)
        return false; /* dim has its own problem; the shape cannot be checked */
    if (!ep_matrix(r, v, key, d, true, K->K))
        return false;
    K->matrix = true;
    double lmin, lmax;
    if (basin_langevin_mobility_check(d, K, &lmin, &lmax) != 0) {
        params_problem(r, key,
                       "must be positive definite (the mobility is a diffusion tensor); "
                       "this symmetric matrix has a non-positive eigenvalue");
        return false;
    }
    params_put(r, key, ep_matrix_json(d, K->K));
    return true;
}

bool ep_mixture(param_reader *r, int d, bool dim_ok, int max_n, int *n, double *w, double *mean,
                double *cov)
{
    char sub[96];
    bool ok = true;
    /* weights */
    const json_t *jw = params_raw(r, "weights", "array");
    const json_t *jm = params_raw(r, "means", "array");
    const json_t *jc = params_raw(r, "covs", "array");
    json_t *prop = ep_schema_prop(r, "weights");
    if (prop) {
        json_object_set_new(prop, "items",
                            json_pack("{s:s, s:f}", "type", "number", "exclusiveMinimum", 0.0));
        json_object_set_new(prop, "minItems", json_integer(1));
        json_object_set_new(prop, "maxItems", json_integer(max_n));
        json_object_set_new(prop, "default", json_pack("[f]", 1.0));
        json_object_set_new(prop, "description",
                            json_string("component weights: positive, summing to 1 (within "
                                        "1e-9)"));
    }
    if ((prop = ep_schema_prop(r, "means")))
        json_object_set_new(prop, "description",
                            json_string("one mean vector (dim numbers) per component; default "
                                        "the origin"));
    if ((prop = ep_schema_prop(r, "covs")))
        json_object_set_new(prop, "description",
                            json_string("one covariance per component: a variance v > 0 "
                                        "(v·I) or a dim×dim symmetric positive-definite "
                                        "matrix; default 1"));
    int count = 1;
    w[0] = 1.0;
    if (jw) {
        if (!json_is_array(jw) || json_array_size(jw) < 1 || json_array_size(jw) > (size_t)max_n) {
            params_problem(r, "weights", "must be an array of 1 to %d positive numbers", max_n);
            return false;
        }
        count = (int)json_array_size(jw);
        double sum = 0.0;
        for (int k = 0; k < count; k++) {
            const json_t *e = json_array_get(jw, (size_t)k);
            double x = json_number_value(e);
            if (!json_is_number(e) || !(x > 0.0 && x <= 1.0)) {
                snprintf(sub, sizeof sub, "weights/%d", k);
                params_problem(r, sub, "must be a number in (0, 1]");
                ok = false;
            } else {
                w[k] = x;
                sum += x;
            }
        }
        if (ok && !(fabs(sum - 1.0) <= 1e-9)) {
            params_problem(r, "weights", "must sum to 1 (within 1e-9); they sum to %.17g", sum);
            ok = false;
        }
    }
    if (!dim_ok)
        return false;
    /* means */
    memset(mean, 0, (size_t)count * (size_t)d * sizeof *mean);
    if (jm) {
        if (!json_is_array(jm) || json_array_size(jm) != (size_t)count) {
            params_problem(r, "means", "must be an array of %d mean vectors (one per weight)",
                           count);
            ok = false;
        } else {
            for (int k = 0; k < count; k++) {
                const json_t *row = json_array_get(jm, (size_t)k);
                if (!json_is_array(row) || json_array_size(row) != (size_t)d) {
                    snprintf(sub, sizeof sub, "means/%d", k);
                    params_problem(r, sub, "must be an array of dim = %d numbers", d);
                    ok = false;
                    continue;
                }
                for (int a = 0; a < d; a++) {
                    const json_t *e = json_array_get(row, (size_t)a);
                    if (!in_coord(e)) {
                        snprintf(sub, sizeof sub, "means/%d/%d", k, a);
                        params_problem(r, sub, "must be a number in [%g, %g]", -EP_COORD_MAX,
                                       EP_COORD_MAX);
                        ok = false;
                    } else {
                        mean[k * d + a] = json_number_value(e);
                    }
                }
            }
        }
    }
    /* covs */
    for (int k = 0; k < count; k++)
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                cov[(size_t)k * d * d + a * d + b] = a == b ? 1.0 : 0.0;
    if (jc) {
        if (!json_is_array(jc) || json_array_size(jc) != (size_t)count) {
            params_problem(r, "covs", "must be an array of %d covariances (one per weight)", count);
            ok = false;
        } else {
            for (int k = 0; k < count; k++) {
                const json_t *e = json_array_get(jc, (size_t)k);
                double *S = cov + (size_t)k * d * d;
                snprintf(sub, sizeof sub, "covs/%d", k);
                if (json_is_number(e)) {
                    double v = json_number_value(e);
                    if (!(v >= EP_PARAM_MIN && v <= EP_PARAM_MAX)) {
                        params_problem(r, sub,
                                       "must be a variance in [%g, %g] or a dim×dim symmetric "
                                       "positive-definite matrix",
                                       EP_PARAM_MIN, EP_PARAM_MAX);
                        ok = false;
                    } else {
                        for (int a = 0; a < d; a++)
                            S[a * d + a] = v;
                    }
                } else if (!ep_matrix(r, e, sub, d, true, S)) {
                    ok = false;
                }
            }
        }
    }
    if (!ok)
        return false;
    *n = count;
    json_t *nw = json_array(), *nm = json_array(), *nc = json_array();
    for (int k = 0; k < count; k++) {
        json_array_append_new(nw, json_real(w[k]));
        json_t *mu = json_array();
        for (int a = 0; a < d; a++)
            json_array_append_new(mu, json_real(mean[k * d + a]));
        json_array_append_new(nm, mu);
        json_array_append_new(nc, ep_matrix_json(d, cov + (size_t)k * d * d));
    }
    params_put(r, "weights", nw);
    params_put(r, "means", nm);
    params_put(r, "covs", nc);
    return true;
}

/* ---- energies ----------------------------------------------------------------------------- */

static const char *const energy_types[] = {"harmonic", "double_well", "polynomial",
                                           "gaussian_mixture", NULL};

/* The fields of one energy type, read from the energy object's reader er. */
static bool energy_fields(param_reader *er, const char *type, int d, bool dim_ok, basin_energy *E)
{
    size_t before = ep_problems(er->problems);
    memset(E, 0, sizeof *E);
    if (strcmp(type, "harmonic") == 0) {
        E->type = BASIN_ENERGY_HARMONIC;
        E->u.harmonic.k = params_real(er, "k", 1.0, EP_PARAM_MIN, EP_PARAM_MAX);
        ep_vector(er, "center", d, dim_ok, NULL, E->u.harmonic.c);
    } else if (strcmp(type, "double_well") == 0) {
        E->type = BASIN_ENERGY_DOUBLE_WELL;
        E->u.double_well.h = params_real(er, "barrier", 1.0, EP_PARAM_MIN, EP_PARAM_MAX);
        E->u.double_well.a = params_real(er, "a", 1.0, EP_PARAM_MIN, EP_PARAM_MAX);
    } else if (strcmp(type, "polynomial") == 0) {
        E->type = BASIN_ENERGY_POLYNOMIAL;
        double *c = NULL;
        size_t n = 0;
        int rc = params_real_array(er, "coefficients", 3, BASIN_ENERGY_MAX_DEGREE + 1,
                                   -EP_PARAM_MAX, EP_PARAM_MAX, &c, &n);
        json_t *prop = ep_schema_prop(er, "coefficients");
        if (prop) {
            json_object_set_new(prop, "default",
                                json_pack("[f, f, f, f, f]", 0.0, 0.0, -2.0, 0.0, 1.0));
            json_object_set_new(prop, "description",
                                json_string("c_0..c_n of P(x) = Σ_j c_j x^j, applied to each "
                                            "coordinate: degree n even (2..12), c_n > 0"));
        }
        if (rc == 0 && !c) { /* default x⁴ − 2x² */
            static const double def[5] = {0.0, 0.0, -2.0, 0.0, 1.0};
            E->u.polynomial.degree = 4;
            memcpy(E->u.polynomial.c, def, sizeof def);
            params_put(er, "coefficients", json_pack("[f, f, f, f, f]", 0.0, 0.0, -2.0, 0.0, 1.0));
        } else if (rc == 0) {
            int deg = (int)n - 1;
            if (deg % 2 != 0 || !(c[deg] > 0.0)) {
                char sub[64];
                snprintf(sub, sizeof sub, "coefficients/%d", deg);
                params_problem(er, deg % 2 ? "coefficients" : sub,
                               deg % 2 ? "must have an odd number of entries: the degree must "
                                         "be even for exp(−P/T) to be normalisable"
                                       : "the leading coefficient must be positive for "
                                         "exp(−P/T) to be normalisable");
            } else {
                E->u.polynomial.degree = deg;
                memcpy(E->u.polynomial.c, c, n * sizeof *c);
            }
        }
        free(c);
    } else {
        E->type = BASIN_ENERGY_GAUSSIAN_MIXTURE;
        int n = 0;
        if (ep_mixture(er, d, dim_ok, BASIN_ENERGY_MAX_COMPONENTS, &n, E->u.mixture.w,
                       E->u.mixture.mean, E->u.mixture.cov))
            E->u.mixture.n = n;
    }
    if (ep_problems(er->problems) != before || !dim_ok)
        return false;
    int bad;
    if (basin_langevin_energy_prepare(E, d, &bad) != 0) {
        char sub[64];
        snprintf(sub, sizeof sub, "covs/%d", bad);
        params_problem(er, bad >= 0 ? sub : NULL, "the energy's parameters are not valid");
        return false;
    }
    return true;
}

/* The schema of a tagged object: one object schema per type name, each built by running
 * `fields` on {"type": name}. */
static json_t *describe_energy(int d)
{
    json_t *one_of = json_array();
    for (const char *const *t = energy_types; *t; t++) {
        basin_problems scratch = {.count = 0};
        json_t *in = json_pack("{s:s}", "type", *t), *schema = json_object();
        param_reader er;
        basin_energy tmp;
        params_open(&er, in, "", &scratch, schema);
        params_raw(&er, "type", "string");
        json_t *type = ep_schema_prop(&er, "type");
        if (type)
            json_object_set_new(type, "const", json_string(*t));
        energy_fields(&er, *t, d, false, &tmp);
        params_close(&er, NULL);
        json_decref(in);
        json_array_append_new(one_of, schema);
    }
    return json_pack("{s:o, s:{s:s}, s:s}", "oneOf", one_of, "default", "type", "harmonic",
                     "description",
                     "energy E(x): harmonic ½k|x − c|², double_well Σ_a h((x_a/a)² − 1)², "
                     "polynomial Σ_a P(x_a), or gaussian_mixture −ln Σ_k w_k N(x; μ_k, Σ_k)");
}

bool ep_energy(param_reader *r, const char *key, int d, bool dim_ok, basin_energy *E)
{
    param_reader er;
    size_t before = ep_problems(r->problems);
    params_child(r, key, &er);
    const json_t *type = params_raw(&er, "type", "string");
    const char *name = "harmonic";
    bool type_ok = true;
    if (type) {
        const char *s = json_string_value(type);
        const char *match = NULL;
        for (const char *const *t = energy_types; s && *t; t++)
            if (strcmp(*t, s) == 0)
                match = *t;
        if (match) {
            name = match;
        } else {
            params_problem(&er, "type",
                           "must be one of \"harmonic\", \"double_well\", \"polynomial\", "
                           "\"gaussian_mixture\"");
            type_ok = false;
        }
    }
    params_put(&er, "type", json_string(name));
    bool ok = type_ok && energy_fields(&er, name, d, dim_ok, E);
    params_child_end(r, key, &er);
    if (r->schema)
        json_object_set_new(json_object_get(r->schema, "properties"), key, describe_energy(d));
    return ok && ep_problems(r->problems) == before;
}

/* ---- initial laws ------------------------------------------------------------------------- */

static const char *const init_types[] = {"point", "gaussian", "uniform", NULL};

static void init_fields(param_reader *ir, const char *type, int d, bool dim_ok, ep_init *init)
{
    memset(init, 0, sizeof *init);
    if (strcmp(type, "point") == 0) {
        init->type = EP_INIT_POINT;
        ep_vector(ir, "x", d, dim_ok, NULL, init->x0);
    } else if (strcmp(type, "gaussian") == 0) {
        init->type = EP_INIT_GAUSSIAN;
        ep_vector(ir, "mean", d, dim_ok, NULL, init->x0);
        init->std = params_real(ir, "std", 1.0, 0.0, EP_PARAM_MAX);
    } else {
        init->type = EP_INIT_UNIFORM;
        const double lo[3] = {-1.0, -1.0, -1.0}, hi[3] = {1.0, 1.0, 1.0};
        bool ok = ep_vector(ir, "low", d, dim_ok, lo, init->low);
        ok &= ep_vector(ir, "high", d, dim_ok, hi, init->high);
        for (int a = 0; ok && dim_ok && a < d; a++)
            if (!(init->low[a] < init->high[a])) {
                char sub[32];
                snprintf(sub, sizeof sub, "high/%d", a);
                params_problem(ir, sub, "must be above low[%d] = %.17g; got %.17g", a, init->low[a],
                               init->high[a]);
            }
        for (int a = 0; a < d; a++)
            init->x0[a] = 0.5 * (init->low[a] + init->high[a]);
    }
}

static json_t *describe_init(int d)
{
    json_t *one_of = json_array();
    for (const char *const *t = init_types; *t; t++) {
        basin_problems scratch = {.count = 0};
        json_t *in = json_pack("{s:s}", "type", *t), *schema = json_object();
        param_reader ir;
        ep_init tmp;
        params_open(&ir, in, "", &scratch, schema);
        params_enum(&ir, "type", *t, init_types);
        json_t *type = ep_schema_prop(&ir, "type");
        if (type)
            json_object_set_new(type, "const", json_string(*t));
        init_fields(&ir, *t, d, false, &tmp);
        params_close(&ir, NULL);
        json_decref(in);
        json_array_append_new(one_of, schema);
    }
    return json_pack("{s:o, s:{s:s}, s:s}", "oneOf", one_of, "default", "type", "point",
                     "description",
                     "initial law: a point (default the origin), a gaussian N(mean, std² I) "
                     "or the uniform law on the box [low, high]");
}

bool ep_init_read(param_reader *r, const char *key, int d, bool dim_ok, ep_init *init)
{
    param_reader ir;
    size_t before = ep_problems(r->problems);
    params_child(r, key, &ir);
    const char *type = params_enum(&ir, "type", "point", init_types);
    init_fields(&ir, type, d, dim_ok, init);
    params_child_end(r, key, &ir);
    if (r->schema)
        json_object_set_new(json_object_get(r->schema, "properties"), key, describe_init(d));
    return ep_problems(r->problems) == before;
}

void ep_init_box(const ep_init *init, int d, double *lo, double *hi)
{
    for (int a = 0; a < d; a++) {
        switch (init->type) {
        case EP_INIT_POINT:
            lo[a] = hi[a] = init->x0[a];
            break;
        case EP_INIT_GAUSSIAN:
            lo[a] = init->x0[a] - 5.0 * init->std;
            hi[a] = init->x0[a] + 5.0 * init->std;
            break;
        case EP_INIT_UNIFORM:
            lo[a] = init->low[a];
            hi[a] = init->high[a];
            break;
        }
    }
}
