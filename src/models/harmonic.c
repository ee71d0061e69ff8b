/*
 * harmonic.c — the `harmonic` job kind: parameter prediction by harmonic interpolation
 * (models.md §B; rsvp-sparse-fields.txt §1 and §5). The numerics are in
 * src/core/harmonic.c (grid solvers, basin/harmonic.h), src/core/multigrid.c and
 * src/core/rbf.c (basin/rbf.h).
 *
 * On a grid of nodes (i, j) at (i·h, j·h), 1-D when ny = 1, with anchors Φ(x_k) = w_k held
 * fixed, Φ minimises the discrete Dirichlet energy ½∫|∇Φ|² (trapezoid rule) — the
 * 5-point Laplace equation ∇²_h Φ = 0 off the anchors, natural (Neumann) or given
 * (Dirichlet) values on the outer edge — or, with lambda > 0, ½∫|∇Φ|² + λ∫c|Φ| (metabolic
 * sparsity, by ADMM). method `rbf` instead fits Φ(x) = Σ_k a_k φ(ε‖x − x_k‖) + polynomial
 * through anchors anywhere, in scipy.interpolate.RBFInterpolator's conventions (the
 * kernels, the ε scaling of distances, the shifted and scaled monomial basis, smoothing on
 * the diagonal, the default degree), and evaluates it at the grid nodes.
 *
 * Parameters (JSON pointer /params/...; every one optional):
 *   nx, ny        nodes per axis: nx in [2, 4198401], ny in [1, 65536] (1: a 1-D grid),
 *                 nx·ny ≤ 4198401 (2049²); defaults 65 and 65.
 *   h             spacing in (0, 1e6], default 1.
 *   anchors       [{"x", "y", "value"}, ...], at most 100000 (rbf: 3000): positions within
 *                 the grid's box [0, (nx−1)h] × [0, (ny−1)h]; grid methods need them on
 *                 nodes (x/h, y/h whole numbers to 1e-9); y is 0 (or absent) in 1-D; values
 *                 in [−1e12, 1e12]; two anchors on one node must agree (rbf: distinct points
 *                 unless smoothing > 0). Default: the corners (0, 0) with 0 and
 *                 ((nx−1)h, (ny−1)h) with 1. A free (Neumann) edge needs at least one
 *                 anchor.
 *   boundary      "neumann" (default: the natural condition) | "dirichlet" (every edge node
 *                 held at boundary_value; anchors on the edge take precedence). Grid
 *                 methods only.
 *   boundary_value a field (field_params.h: number, nx·ny array, preset) sampled at the
 *                 nodes; only edge nodes are read. Default 0.
 *   method        "cg" (default) | "multigrid" | "sor" | "rbf".
 *   preconditioner (cg) "multigrid" (default) | "ssor" | "jacobi" | "none".
 *   mg_sweeps     Gauss–Seidel sweeps before and after each coarse correction, 1..8,
 *                 default 2.
 *   omega         SOR / SSOR factor in (0, 2); default 2/(1 + sin(π/max(nx, ny))).
 *   tol           relative residual to stop at, [1e-15, 1], default 1e-8.
 *   max_iter      1..10^7; default 500 for multigrid-based solvers and ADMM, else
 *                 10·max(nx, ny) + 100. Not converging within it is a result
 *                 (converged: false), not a failure.
 *   record_every  the residual series every this many iterations (and the first and last);
 *                 default 1.
 *   lambda        weight λ ≥ 0 of the l1 term (≤ 1e12), default 0; > 0 solves by ADMM
 *                 (grid methods).
 *   cost          the cost field c ≥ 0 of λ∫c|Φ| (field, non-negative), default 1.
 *   rho           ADMM penalty ≥ 0 (0: automatic, see basin/harmonic.h), default 0.
 *   kernel        (rbf) "thin_plate" (default; SciPy's thin_plate_spline) | "gaussian" |
 *                 "multiquadric" | "inverse_multiquadric" | "inverse_quadratic" |
 *                 "linear" | "cubic" | "quintic".
 *   epsilon       (rbf) shape parameter in (0, 1e6], default 1 (SciPy requires it for the
 *                 kernels that are not scale invariant; its value for those that are).
 *   degree        (rbf) polynomial degree −1..5; default max(minimum degree, 0): 1 for
 *                 thin_plate and cubic, 2 for quintic, else 0 — SciPy's default. Below the
 *                 minimum degree (where SciPy warns) is refused.
 *   smoothing     (rbf) ≥ 0 added to the diagonal of the kernel matrix, default 0.
 *   points        (rbf) extra evaluation points [[x, y], ...] ([x] or numbers in 1-D), at
 *                 most 10^6: artifact `phi_points`.
 * Admission (BASIN_ELIMIT, one problem): grid arrays (about 4 doubles per node in the
 * largest: the interpolation weights) against max_array_elements (at /nx); the rbf system
 * ((n + monomials)²) against max_array_elements (at /anchors); the series points against
 * max_series_points (at /record_every); set-up plus max_iter iterations (grid) or the fit
 * plus the evaluations (rbf) against max_work (at /max_iter, resp. /anchors).
 *
 * Output. series: `residual` (iteration → relative residual; ADMM: the larger of the
 * relative primal and dual residuals). summary: `iterations`, `residual`, `converged`,
 * `dirichlet_energy` (E_h of the field), `min`, `max`, `anchors`, `method`; `mg_levels`
 * with multigrid; with lambda > 0 `l1` (∫c|Φ| over the grid, anchors included),
 * `objective` (dirichlet_energy + λ·l1),
 * `nonzero_fraction` (free nodes with Φ ≠ 0), `inner_iterations`, `rho`; rbf:
 * `iterations` 0 and `residual` the relative residual of the solved linear system.
 * artifacts: `phi` (float64 [ny, nx]); rbf with points: `phi_points` (float64 [m]).
 * Failure: a non-finite residual is `diverged` at its iteration; a singular rbf system
 * (e.g. collinear points with a degree-1 polynomial) is `singular`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/harmonic.h"
#include "basin/model.h"
#include "basin/rbf.h"
#include "field_params.h"
#include "params.h"

#define CELLS_MAX       4198401L
#define N_MAX           4198401L
#define NY_MAX          65536L
#define ANCHORS_MAX     100000L
#define RBF_ANCHORS_MAX 3000L
#define POINTS_MAX      1000000L
#define VALUE_BOUND     1e12
#define ITER_MAX        10000000L
#define NODE_TOL        1e-9
/* Work units between two checks for cancellation while evaluating an rbf interpolant. */
#define EVAL_CHUNK_OPS 2e7

typedef struct harmonic_config {
    basin_harmonic_config core;
    bool rbf;
    bool dirichlet;
    basin_rbf_kernel kernel;
    double epsilon, smoothing;
    int degree;
    long n_anchors;
    double *ax, *ay, *av; /* anchors, in the order given */
    field_spec boundary_value;
    field_spec cost;
    long max_iter, record_every;
    double *points; /* rbf: m × dim */
    long n_points;
} harmonic_config;

static void harmonic_free_config(void *config)
{
    harmonic_config *cfg = config;
    if (!cfg)
        return;
    free(cfg->ax);
    free(cfg->ay);
    free(cfg->av);
    free(cfg->points);
    field_spec_free(&cfg->boundary_value);
    field_spec_free(&cfg->cost);
    free(cfg);
}

/* ---- parse --------------------------------------------------------------------------- */

static void doc(param_reader *r, const char *key, const char *text)
{
    json_t *prop =
        r->schema ? json_object_get(json_object_get(r->schema, "properties"), key) : NULL;
    if (prop)
        json_object_set_new(prop, "description", json_string(text));
}

static bool failed_since(const basin_problems *p, size_t before)
{
    return p->count + p->dropped != before;
}

typedef struct anchor_key {
    double x, y;
    long node; /* grid node index, or −1 (rbf) */
    long k;    /* position in the list */
} anchor_key;

static int cmp_anchor(const void *a, const void *b)
{
    const anchor_key *p = a, *q = b;
    if (p->node != q->node)
        return p->node < q->node ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->k < q->k ? -1 : p->k > q->k;
}

/* Reads `anchors`. grid_ok: nx, ny, h are valid. Writes cfg->n_anchors, ax, ay, av. */
static int read_anchors(param_reader *r, harmonic_config *cfg, bool grid_ok)
{
    const json_t *v = params_raw(r, "anchors", "array");
    doc(r, "anchors",
        "anchors [{x, y, value}] held fixed; grid methods need them on nodes (x/h, y/h "
        "whole numbers); default: (0, 0) with value 0 and ((nx-1)h, (ny-1)h) with value 1");
    long nx = cfg->core.nx, ny = cfg->core.ny;
    double h = cfg->core.h;
    long max = cfg->rbf ? RBF_ANCHORS_MAX : ANCHORS_MAX;
    size_t n = v ? json_array_size(v) : 2;
    if (v && (!json_is_array(v) || n > (size_t)max)) {
        params_problem(r, "anchors", "must be an array of at most %ld objects {x, y, value}%s", max,
                       cfg->rbf ? " (method rbf)" : "");
        params_put(r, "anchors", json_null());
        return 0;
    }
    cfg->ax = malloc((n ? n : 1) * sizeof *cfg->ax);
    cfg->ay = malloc((n ? n : 1) * sizeof *cfg->ay);
    cfg->av = malloc((n ? n : 1) * sizeof *cfg->av);
    anchor_key *keys = malloc((n ? n : 1) * sizeof *keys);
    json_t *norm = json_array();
    if (!cfg->ax || !cfg->ay || !cfg->av || !keys || !norm) {
        free(keys);
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    cfg->n_anchors = (long)n;
    double X = grid_ok ? (double)(nx - 1) * h : 0.0, Y = grid_ok ? (double)(ny - 1) * h : 0.0;
    if (!v) {
        cfg->ax[0] = cfg->ay[0] = cfg->av[0] = 0.0;
        cfg->ax[1] = X;
        cfg->ay[1] = Y;
        cfg->av[1] = 1.0;
    }
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        if (v) {
            const json_t *e = json_array_get(v, k);
            param_reader a;
            char ptr[sizeof r->pointer + 32];
            snprintf(ptr, sizeof ptr, "%s/anchors/%zu", r->pointer, k);
            params_open(&a, e, ptr, r->problems, NULL);
            size_t before = r->problems->count + r->problems->dropped;
            if (json_is_object(e) && !json_object_get(e, "x"))
                params_problem(&a, "x", "is required");
            if (json_is_object(e) && !json_object_get(e, "value"))
                params_problem(&a, "value", "is required");
            cfg->ax[k] = params_real(&a, "x", 0.0, -1e15, 1e15);
            cfg->ay[k] = params_real(&a, "y", 0.0, -1e15, 1e15);
            cfg->av[k] = params_real(&a, "value", 0.0, -VALUE_BOUND, VALUE_BOUND);
            if (grid_ok && !failed_since(r->problems, before)) {
                double x = cfg->ax[k], y = cfg->ay[k];
                double tolx = NODE_TOL * fmax(1.0, X), toly = NODE_TOL * fmax(1.0, Y);
                if (x < -tolx || x > X + tolx)
                    params_problem(&a, "x", "is outside the grid: must be in [0, %.17g]; got %.17g",
                                   X, x);
                if (ny == 1 && y != 0.0)
                    params_problem(&a, "y", "must be 0 on a 1-D grid (ny = 1)");
                else if (y < -toly || y > Y + toly)
                    params_problem(&a, "y", "is outside the grid: must be in [0, %.17g]; got %.17g",
                                   Y, y);
            }
            json_t *an = NULL;
            if (params_close(&a, &an) == 0 && an)
                json_array_append_new(norm, an);
            if (failed_since(r->problems, before)) {
                ok = false;
                continue;
            }
        } else {
            json_array_append_new(norm, json_pack("{s:f, s:f, s:f}", "x", cfg->ax[k], "y",
                                                  cfg->ay[k], "value", cfg->av[k]));
        }
        keys[k].x = cfg->ax[k];
        keys[k].y = cfg->ay[k];
        keys[k].k = (long)k;
        keys[k].node = -1;
        if (!cfg->rbf && grid_ok && ok) {
            double fx = cfg->ax[k] / h, fy = cfg->ay[k] / h;
            double ix = round(fx), iy = round(fy);
            char sub[64];
            if (fabs(fx - ix) > NODE_TOL * fmax(1.0, fabs(fx))) {
                snprintf(sub, sizeof sub, "anchors/%zu/x", k);
                params_problem(r, sub,
                               "must lie on a node: x/h = %.17g is not a whole number (grid "
                               "methods; method rbf takes anchors anywhere)",
                               fx);
                ok = false;
            }
            if (fabs(fy - iy) > NODE_TOL * fmax(1.0, fabs(fy))) {
                snprintf(sub, sizeof sub, "anchors/%zu/y", k);
                params_problem(r, sub,
                               "must lie on a node: y/h = %.17g is not a whole number (grid "
                               "methods; method rbf takes anchors anywhere)",
                               fy);
                ok = false;
            }
            long i = (long)ix, j = (long)iy;
            i = i < 0 ? 0 : i > nx - 1 ? nx - 1 : i;
            j = j < 0 ? 0 : j > ny - 1 ? ny - 1 : j;
            keys[k].node = j * nx + i;
            keys[k].x = keys[k].y = 0.0;
        }
    }
    /* the same node (grid) or point (rbf) twice */
    if (ok && n > 1) {
        qsort(keys, n, sizeof *keys, cmp_anchor);
        for (size_t k = 1; k < n; k++) {
            const anchor_key *a = &keys[k - 1], *b = &keys[k];
            bool same = a->node == b->node && a->x == b->x && a->y == b->y;
            if (!same)
                continue;
            char sub[64];
            snprintf(sub, sizeof sub, "anchors/%ld", b->k);
            if (cfg->av[a->k] != cfg->av[b->k])
                params_problem(r, sub,
                               "duplicates anchor %ld (the same %s) with a different value "
                               "(%.17g vs %.17g)",
                               a->k, cfg->rbf ? "point" : "node", cfg->av[b->k], cfg->av[a->k]);
            else if (cfg->rbf && cfg->smoothing == 0.0)
                params_problem(r, sub,
                               "duplicates the point of anchor %ld: with smoothing 0 the rbf "
                               "points must be distinct",
                               a->k);
        }
    }
    free(keys);
    params_put(r, "anchors", norm);
    return 0;
}

/* `points` (rbf): [[x, y], ...] or, in 1-D, [x, ...] / [[x], ...]. */
static int read_points(param_reader *r, harmonic_config *cfg, int dim)
{
    const json_t *v = params_raw(r, "points", "array");
    doc(r, "points",
        "method rbf: extra evaluation points [[x, y], ...] (1-D: [x, ...]); artifact "
        "phi_points");
    if (!v) {
        params_put(r, "points", json_array());
        return 0;
    }
    size_t m = json_array_size(v);
    if (!json_is_array(v) || m > POINTS_MAX) {
        params_problem(r, "points", "must be an array of at most %ld points", POINTS_MAX);
        return 0;
    }
    if (m > 0 && !cfg->rbf) {
        params_problem(r, "points", "applies to method rbf only");
        return 0;
    }
    cfg->points = malloc((m ? m : 1) * (size_t)dim * sizeof *cfg->points);
    json_t *norm = json_array();
    if (!cfg->points || !norm) {
        json_decref(norm);
        return BASIN_ENOMEM;
    }
    bool ok = true;
    for (size_t k = 0; k < m && ok; k++) {
        const json_t *e = json_array_get(v, k);
        double c[2] = {0.0, 0.0};
        int len = json_is_array(e) ? (int)json_array_size(e) : json_is_number(e) ? -1 : 0;
        if (len == -1 && dim == 1) {
            c[0] = json_number_value(e);
        } else if (len == dim) {
            for (int a = 0; a < dim; a++) {
                const json_t *x = json_array_get(e, (size_t)a);
                if (!json_is_number(x)) {
                    len = 0;
                    break;
                }
                c[a] = json_number_value(x);
            }
        }
        if ((len != dim && !(len == -1 && dim == 1)) || !isfinite(c[0]) || !isfinite(c[1]) ||
            fabs(c[0]) > 1e15 || fabs(c[1]) > 1e15) {
            char sub[48];
            snprintf(sub, sizeof sub, "points/%zu", k);
            params_problem(r, sub, "must be %s of finite numbers", dim == 2 ? "[x, y]" : "[x]");
            ok = false;
            break;
        }
        json_t *pt = json_array();
        for (int a = 0; a < dim; a++) {
            cfg->points[k * (size_t)dim + (size_t)a] = c[a];
            json_array_append_new(pt, json_real(c[a]));
        }
        json_array_append_new(norm, pt);
    }
    cfg->n_points = ok ? (long)m : 0;
    params_put(r, "points", ok ? norm : json_null());
    if (!ok)
        json_decref(norm);
    return 0;
}

static const char *const kernel_names[] = {"linear",
                                           "thin_plate",
                                           "cubic",
                                           "quintic",
                                           "multiquadric",
                                           "inverse_multiquadric",
                                           "inverse_quadratic",
                                           "gaussian",
                                           NULL};

/* Work, memory and series bounds; records at most one problem. */
static bool check_limits(param_reader *r, const harmonic_config *cfg, const basin_limits *limits)
{
    double cells = (double)cfg->core.nx * (double)cfg->core.ny;
    if (cfg->rbf) {
        double n = (double)cfg->n_anchors,
               m = (double)basin_rbf_monomials(cfg->core.ny > 1 ? 2 : 1, cfg->degree);
        if ((n + m) * (n + m) > (double)limits->max_array_elements) {
            params_over_limit(r, "anchors", "the rbf system (array elements)", (n + m) * (n + m),
                              (double)limits->max_array_elements);
            return true;
        }
        double work = basin_rbf_fit_cost(cfg->n_anchors, (long)m) +
                      basin_rbf_eval_cost(cfg->n_anchors, (long)m, (long)cells + cfg->n_points);
        if (work > (double)limits->max_work) {
            params_over_limit(r, "anchors", "the rbf fit and evaluation (operations)", work,
                              (double)limits->max_work);
            return true;
        }
        return false;
    }
    if (4.0 * cells > (double)limits->max_array_elements) {
        params_over_limit(r, "nx", "the grid (array elements, about 4 per node)", 4.0 * cells,
                          (double)limits->max_array_elements);
        return true;
    }
    double records = floor((double)cfg->max_iter / (double)cfg->record_every) + 2.0;
    if (records > (double)limits->max_series_points) {
        params_over_limit(r, "record_every", "the series (points)", records,
                          (double)limits->max_series_points);
        return true;
    }
    double work = basin_harmonic_setup_cost(&cfg->core) +
                  (double)cfg->max_iter * basin_harmonic_step_cost(&cfg->core);
    if (work > (double)limits->max_work) {
        params_over_limit(r, "max_iter", "the run (operations)", work, (double)limits->max_work);
        return true;
    }
    return false;
}

static int harmonic_parse(const json_t *params, const char *pointer, const basin_limits *limits,
                          basin_problems *problems, json_t *schema, json_t **normalized,
                          void **config)
{
    static const char *const methods[] = {"cg", "multigrid", "sor", "rbf", NULL};
    static const char *const boundaries[] = {"neumann", "dirichlet", NULL};
    static const char *const preconds[] = {"multigrid", "ssor", "jacobi", "none", NULL};
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    harmonic_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        params_close(&r, NULL);
        return BASIN_ENOMEM;
    }
    int rc = 0;
    basin_harmonic_config *core = &cfg->core;

    size_t before = problems->count + problems->dropped;
    core->nx = (long)params_int(&r, "nx", 65, 2, N_MAX);
    doc(&r, "nx", "nodes along x");
    core->ny = (long)params_int(&r, "ny", 65, 1, NY_MAX);
    doc(&r, "ny", "nodes along y (1: a 1-D grid)");
    if (!failed_since(problems, before) && (double)core->nx * (double)core->ny > CELLS_MAX)
        params_problem(&r, "nx", "the grid has %ld·%ld nodes; at most %ld are allowed", core->nx,
                       core->ny, CELLS_MAX);
    core->h = params_real_gt(&r, "h", 1.0, 0.0, 1e6);
    doc(&r, "h", "grid spacing: node (i, j) sits at (i h, j h)");
    bool grid_ok = !failed_since(problems, before);

    const char *method = params_enum(&r, "method", "cg", methods);
    doc(&r, "method",
        "cg (preconditioned conjugate gradients), multigrid (V-cycles), sor, or rbf (radial "
        "basis functions through the anchors, scipy.interpolate.RBFInterpolator conventions)");
    cfg->rbf = strcmp(method, "rbf") == 0;
    core->method = strcmp(method, "multigrid") == 0 ? BASIN_HARMONIC_MULTIGRID
                   : strcmp(method, "sor") == 0     ? BASIN_HARMONIC_SOR
                                                    : BASIN_HARMONIC_CG;
    const char *boundary = params_enum(&r, "boundary", "neumann", boundaries);
    doc(&r, "boundary",
        "outer edge: neumann (natural: free) or dirichlet (edge nodes held at "
        "boundary_value); grid methods");
    cfg->dirichlet = strcmp(boundary, "dirichlet") == 0;
    if (cfg->rbf && cfg->dirichlet)
        params_problem(&r, "boundary", "applies to the grid methods only (method rbf)");
    if ((rc = field_read(&r, "boundary_value", 0.0, NULL, core->nx, core->ny, grid_ok, true,
                         VALUE_BOUND, false, "values of a dirichlet edge, sampled at the nodes",
                         &cfg->boundary_value)))
        goto fail;

    /* rbf settings first: the anchors' duplicate rule depends on smoothing */
    const char *kernel = params_enum(&r, "kernel", "thin_plate", kernel_names);
    doc(&r, "kernel", "method rbf: the radial function (thin_plate is SciPy's thin_plate_spline)");
    for (int k = 0; kernel_names[k]; k++)
        if (strcmp(kernel, kernel_names[k]) == 0)
            cfg->kernel = (basin_rbf_kernel)k;
    cfg->epsilon = params_real_gt(&r, "epsilon", 1.0, 0.0, 1e6);
    doc(&r, "epsilon", "method rbf: shape parameter scaling the distances");
    int min_degree = basin_rbf_min_degree(cfg->kernel);
    int def_degree = min_degree > 0 ? min_degree : 0;
    cfg->degree = (int)params_int(&r, "degree", def_degree, -1, 5);
    doc(&r, "degree",
        "method rbf: degree of the added polynomial (-1: none); default max(minimum degree, "
        "0) as SciPy");
    if (cfg->degree < min_degree)
        params_problem(&r, "degree",
                       "must be at least %d for kernel %s (the interpolant may not be "
                       "well-posed below it)",
                       min_degree, kernel);
    cfg->smoothing = params_real(&r, "smoothing", 0.0, 0.0, 1e12);
    doc(&r, "smoothing", "method rbf: added to the diagonal of the kernel matrix");

    before = problems->count + problems->dropped;
    if ((rc = read_anchors(&r, cfg, grid_ok)))
        goto fail;
    bool anchors_ok = !failed_since(problems, before);
    int dim = core->ny > 1 ? 2 : 1;
    if ((rc = read_points(&r, cfg, dim)))
        goto fail;
    if (anchors_ok && cfg->rbf && cfg->n_anchors < basin_rbf_monomials(dim, cfg->degree))
        params_problem(&r, "anchors", "method rbf with degree %d needs at least %ld anchors",
                       cfg->degree, basin_rbf_monomials(dim, cfg->degree));
    if (anchors_ok && cfg->rbf && cfg->n_anchors == 0)
        params_problem(&r, "anchors", "method rbf needs at least one anchor");

    const char *pc = params_enum(&r, "preconditioner", "multigrid", preconds);
    doc(&r, "preconditioner", "method cg: multigrid (one V-cycle), ssor, jacobi or none");
    core->precond = strcmp(pc, "ssor") == 0     ? BASIN_PRECOND_SSOR
                    : strcmp(pc, "jacobi") == 0 ? BASIN_PRECOND_JACOBI
                    : strcmp(pc, "none") == 0   ? BASIN_PRECOND_NONE
                                                : BASIN_PRECOND_MULTIGRID;
    core->nu = (int)params_int(&r, "mg_sweeps", 2, 1, 8);
    doc(&r, "mg_sweeps", "Gauss-Seidel sweeps before and after each coarse-grid correction");
    long big = core->nx > core->ny ? core->nx : core->ny;
    core->omega = params_real_gt(&r, "omega", 2.0 / (1.0 + sin(M_PI / (double)big)), 0.0, 2.0);
    doc(&r, "omega", "SOR / SSOR relaxation factor; default 2/(1 + sin(pi/max(nx, ny)))");
    if (core->omega >= 2.0)
        params_problem(&r, "omega", "must be below 2");
    core->tol = params_real(&r, "tol", 1e-8, 1e-15, 1.0);
    doc(&r, "tol", "relative residual ||b - A phi|| / ||b|| to stop at");
    core->lambda = params_real(&r, "lambda", 0.0, 0.0, 1e12);
    doc(&r, "lambda", "weight of the metabolic cost lambda * integral of c |phi| (ADMM)");
    bool mg_based = core->lambda > 0.0 || core->method == BASIN_HARMONIC_MULTIGRID ||
                    (core->method == BASIN_HARMONIC_CG && core->precond == BASIN_PRECOND_MULTIGRID);
    cfg->max_iter = (long)params_int(&r, "max_iter", mg_based ? 500 : 10 * big + 100, 1, ITER_MAX);
    doc(&r, "max_iter",
        "iterations at most; default 500 (multigrid-based solvers, ADMM) or 10 max(nx, ny) + "
        "100");
    cfg->record_every = (long)params_int(&r, "record_every", 1, 1, ITER_MAX);
    doc(&r, "record_every", "record the residual every this many iterations");
    if ((rc =
             field_read(&r, "cost", 1.0, NULL, core->nx, core->ny, grid_ok, true, VALUE_BOUND, true,
                        "the cost field c >= 0 of lambda * integral of c |phi|", &cfg->cost)))
        goto fail;
    core->rho = params_real(&r, "rho", 0.0, 0.0, 1e12);
    doc(&r, "rho", "ADMM penalty (0: automatic)");
    if (cfg->rbf && core->lambda > 0.0)
        params_problem(&r, "lambda", "applies to the grid methods only (method rbf)");
    if (anchors_ok && !cfg->rbf && !cfg->dirichlet && core->lambda == 0.0 && cfg->n_anchors == 0)
        params_problem(&r, "anchors",
                       "a neumann edge needs at least one anchor (the solution is otherwise "
                       "undetermined)");

    bool over = false;
    if (problems->count + problems->dropped == 0)
        over = check_limits(&r, cfg, limits);
    rc = params_close(&r, normalized);
    if (rc) {
        if (over && problems->count == 1 && problems->dropped == 0)
            rc = BASIN_ELIMIT;
        goto out;
    }
    *config = cfg;
    return 0;
fail:
    params_close(&r, NULL);
out:
    harmonic_free_config(cfg);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------- */

static void field_stats(const double *phi, size_t n, double *lo, double *hi)
{
    double a = phi[0], b = phi[0];
    for (size_t k = 1; k < n; k++) {
        a = phi[k] < a ? phi[k] : a;
        b = phi[k] > b ? phi[k] : b;
    }
    *lo = a;
    *hi = b;
}

static int run_rbf(const harmonic_config *cfg, basin_ctx *ctx, double *phi)
{
    long nx = cfg->core.nx, ny = cfg->core.ny, n = cfg->n_anchors;
    int dim = ny > 1 ? 2 : 1;
    double *y = malloc((size_t)n * (size_t)dim * sizeof *y);
    double *smooth = malloc((size_t)n * sizeof *smooth);
    double *row = malloc((size_t)nx * (size_t)dim * sizeof *row);
    double *vals = NULL;
    basin_rbf *rbf = NULL;
    int rc = BASIN_ENOMEM;
    if (!y || !smooth || !row)
        goto out;
    for (long k = 0; k < n; k++) {
        y[k * dim] = cfg->ax[k];
        if (dim == 2)
            y[k * dim + 1] = cfg->ay[k];
        smooth[k] = cfg->smoothing;
    }
    rc = basin_rbf_fit(cfg->kernel, dim, n, y, cfg->av, smooth, cfg->epsilon, cfg->degree, &rbf);
    if (rc == BASIN_EDIVERGED) {
        basin_ctx_fail(ctx, "singular", 0,
                       "the rbf system is singular (repeated points, or too few points in "
                       "general position for the degree-%d polynomial)",
                       cfg->degree);
        goto out;
    }
    if (rc)
        goto out;
    basin_ctx_series(ctx, "residual", 0, rbf->residual);
    double total = (double)nx * (double)ny + (double)cfg->n_points, done = 0.0;
    double per_point = 20.0 * (double)n + 1.0;
    long rows_per_check = (long)fmax(1.0, EVAL_CHUNK_OPS / (per_point * (double)nx));
    for (long j = 0; j < ny; j++) {
        if (j % rows_per_check == 0) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            basin_ctx_progress(ctx, done / total);
        }
        for (long i = 0; i < nx; i++) {
            row[i * dim] = (double)i * cfg->core.h;
            if (dim == 2)
                row[i * dim + 1] = (double)j * cfg->core.h;
        }
        basin_rbf_eval(rbf, nx, row, phi + (size_t)j * (size_t)nx);
        done += (double)nx;
    }
    if (cfg->n_points > 0) {
        vals = malloc((size_t)cfg->n_points * sizeof *vals);
        if (!vals) {
            rc = BASIN_ENOMEM;
            goto out;
        }
        long chunk = (long)fmax(1.0, EVAL_CHUNK_OPS / per_point);
        for (long k = 0; k < cfg->n_points; k += chunk) {
            if (basin_ctx_should_stop(ctx)) {
                rc = BASIN_ECANCELLED;
                goto out;
            }
            long m = cfg->n_points - k < chunk ? cfg->n_points - k : chunk;
            basin_rbf_eval(rbf, m, cfg->points + (size_t)k * (size_t)dim, vals + k);
            basin_ctx_progress(ctx, (done + (double)k) / total);
        }
        int64_t shape[1] = {cfg->n_points};
        if ((rc = basin_ctx_artifact(ctx, "phi_points", BASIN_F64, 1, shape, vals)))
            goto out;
    }
    basin_ctx_summary_int(ctx, "iterations", 0);
    basin_ctx_summary_real(ctx, "residual", rbf->residual);
    basin_ctx_summary_bool(ctx, "converged", true);
    basin_ctx_summary_int(ctx, "degree", cfg->degree);
    rc = 0;
out:
    basin_rbf_free(rbf);
    free(y);
    free(smooth);
    free(row);
    free(vals);
    return rc;
}

static int run_grid(const harmonic_config *cfg, basin_ctx *ctx, double *phi)
{
    long nx = cfg->core.nx, ny = cfg->core.ny;
    size_t n = (size_t)nx * (size_t)ny;
    uint8_t *fixed = calloc(n, 1);
    double *values = calloc(n, sizeof *values);
    double *cost = NULL;
    basin_harmonic *w = NULL;
    int rc = BASIN_ENOMEM;
    if (!fixed || !values)
        goto out;
    if (cfg->dirichlet) {
        field_fill(&cfg->boundary_value, nx, ny, cfg->core.h, 0.0, 0.0, NULL, values);
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++)
                if (i == 0 || i == nx - 1 || (ny > 1 && (j == 0 || j == ny - 1)))
                    fixed[(size_t)j * (size_t)nx + (size_t)i] = 1;
    }
    for (long k = 0; k < cfg->n_anchors; k++) {
        long i = lround(cfg->ax[k] / cfg->core.h), j = lround(cfg->ay[k] / cfg->core.h);
        size_t p = (size_t)j * (size_t)nx + (size_t)i;
        fixed[p] = 1;
        values[p] = cfg->av[k];
    }
    if (cfg->core.lambda > 0.0) {
        if (!(cost = malloc(n * sizeof *cost)))
            goto out;
        field_fill(&cfg->cost, nx, ny, cfg->core.h, 0.0, 0.0, NULL, cost);
    }
    if (basin_ctx_should_stop(ctx)) {
        rc = BASIN_ECANCELLED;
        goto out;
    }
    rc = basin_harmonic_alloc(&cfg->core, fixed, values, cost, &w);
    if (rc == BASIN_EDIVERGED) {
        basin_ctx_fail(ctx, "diverged", 0, "the anchored operator is singular");
        goto out;
    }
    if (rc)
        goto out;
    if ((rc = basin_ctx_series(ctx, "residual", 0, basin_harmonic_residual(w))))
        goto out;
    double log_tol = log(cfg->core.tol);
    int st = basin_harmonic_residual(w) <= cfg->core.tol && cfg->core.lambda == 0.0 ? 1 : 0;
    long it = 0;
    while (st == 0 && it < cfg->max_iter) {
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        st = basin_harmonic_step(w);
        it = basin_harmonic_iterations(w);
        double res = basin_harmonic_residual(w);
        if (st == BASIN_EDIVERGED) {
            basin_ctx_series(ctx, "residual", it, res);
            basin_ctx_fail(ctx, "diverged", it, "the residual is not finite at iteration %ld", it);
            rc = st;
            goto out;
        }
        if (st < 0) {
            rc = st;
            goto out;
        }
        if (st == 1 || it % cfg->record_every == 0 || it == cfg->max_iter)
            if ((rc = basin_ctx_series(ctx, "residual", it, res)))
                goto out;
        double frac = (double)it / (double)cfg->max_iter;
        if (res > 0.0 && isfinite(res))
            frac = fmax(frac, log(res) / log_tol);
        basin_ctx_progress(ctx, fmin(frac, 1.0));
    }
    basin_harmonic_field(w, phi);
    basin_ctx_summary_int(ctx, "iterations", it);
    basin_ctx_summary_real(ctx, "residual", basin_harmonic_residual(w));
    basin_ctx_summary_bool(ctx, "converged", st == 1);
    if (basin_harmonic_mg_levels(w) > 0)
        basin_ctx_summary_int(ctx, "mg_levels", basin_harmonic_mg_levels(w));
    if (cfg->core.lambda > 0.0) {
        double l1 = basin_harmonic_l1(nx, ny, cfg->core.h, cost, phi);
        long nonzero = 0, n_free = 0;
        for (size_t k = 0; k < n; k++)
            if (!fixed[k]) {
                n_free++;
                nonzero += phi[k] != 0.0;
            }
        basin_ctx_summary_real(ctx, "l1", l1);
        basin_ctx_summary_real(ctx, "objective",
                               basin_harmonic_energy(nx, ny, cfg->core.h, phi) +
                                   cfg->core.lambda * l1);
        basin_ctx_summary_real(ctx, "nonzero_fraction",
                               n_free ? (double)nonzero / (double)n_free : 0.0);
        basin_ctx_summary_int(ctx, "inner_iterations", basin_harmonic_inner_iterations(w));
        basin_ctx_summary_real(ctx, "rho", basin_harmonic_rho(w));
    }
    rc = 0;
out:
    basin_harmonic_free(w);
    free(fixed);
    free(values);
    free(cost);
    return rc;
}

static int harmonic_run(const void *config, basin_ctx *ctx)
{
    const harmonic_config *cfg = config;
    long nx = cfg->core.nx, ny = cfg->core.ny;
    size_t n = (size_t)nx * (size_t)ny;
    double *phi = malloc(n * sizeof *phi);
    if (!phi)
        return BASIN_ENOMEM;
    int rc = cfg->rbf ? run_rbf(cfg, ctx, phi) : run_grid(cfg, ctx, phi);
    if (rc)
        goto out;
    double lo, hi;
    field_stats(phi, n, &lo, &hi);
    basin_ctx_summary_real(ctx, "dirichlet_energy",
                           basin_harmonic_energy(nx, ny, cfg->core.h, phi));
    basin_ctx_summary_real(ctx, "min", lo);
    basin_ctx_summary_real(ctx, "max", hi);
    basin_ctx_summary_int(ctx, "anchors", cfg->n_anchors);
    basin_ctx_summary_string(ctx, "method",
                             cfg->rbf ? "rbf"
                             : cfg->core.lambda > 0.0
                                 ? "admm"
                                 : (const char *[]){"cg", "multigrid", "sor"}[cfg->core.method]);
    int64_t shape[2] = {ny, nx};
    if ((rc = basin_ctx_artifact(ctx, "phi", BASIN_F64, 2, shape, phi)))
        goto out;
    basin_ctx_progress(ctx, 1.0);
out:
    free(phi);
    return rc;
}

const basin_model model_harmonic = {
    .kind = "harmonic",
    .version = "1",
    .summary = "harmonic interpolation through anchors on a 1-D/2-D grid (CG, multigrid, SOR; "
               "metabolic l1 cost by ADMM) or by radial basis functions (SciPy conventions)",
    .parse = harmonic_parse,
    .run = harmonic_run,
    .free_config = harmonic_free_config,
};
