/*
 * test_harmonic.c — the `harmonic` model and its numerical core (multigrid, CG, SOR, ADMM,
 * RBF).
 *
 * Each numerical test names its reference (a closed form, an exact discrete identity or
 * an independent plain-loop implementation in this file) and says why its tolerance is
 * what it is. The model is driven as the worker drives it: parse() with the default
 * limits, then run() against an in-memory run context.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/harmonic.h"
#include "basin/model.h"
#include "basin/multigrid.h"
#include "basin/rbf.h"
#include "basin/rng.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* The ny × nx field phi of ctx. */
static const double *phi_of(const basin_ctx *ctx, long nx, long ny)
{
    const run_artifact *a = mc_artifact(ctx, "phi");
    ck_assert_int_eq(a->ndim, 2);
    ck_assert_int_eq(a->shape[0], ny);
    ck_assert_int_eq(a->shape[1], nx);
    return a->data;
}

/* {"x", "y", "value"} */
static json_t *anchor(double x, double y, double v)
{
    return json_pack("{s:f, s:f, s:f}", "x", x, "y", y, "value", v);
}

/* k random anchors on the nodes of an nx × ny grid (distinct nodes), values N(0, 1), at
 * the same relative positions for every grid size (u·(n − 1) rounded). */
static json_t *random_anchors(uint64_t seed, long k, long nx, long ny, double h)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    json_t *a = json_array();
    uint8_t *seen = calloc((size_t)(nx * ny), 1);
    for (long m = 0; m < k; m++) {
        long i = lround(basin_rng_uniform(&rng) * (double)(nx - 1));
        long j = lround(basin_rng_uniform(&rng) * (double)(ny - 1));
        double v = basin_rng_normal(&rng);
        if (seen[j * nx + i])
            continue;
        seen[j * nx + i] = 1;
        json_array_append_new(a, anchor((double)i * h, (double)j * h, v));
    }
    free(seen);
    return a;
}

/* ---- 1. exactness on harmonic polynomials -------------------------------------------- */

typedef double (*poly_fn)(double, double);
static double p_x2y2(double x, double y)
{
    return x * x - y * y;
}
static double p_xy(double x, double y)
{
    return x * y;
}
static double p_cubic(double x, double y)
{
    return x * x * x - 3.0 * x * y * y;
}

/* Reference: the 5-point stencil is exact on polynomials of degree ≤ 3 (its truncation
 * error is h²/12 (∂⁴_x + ∂⁴_y)Φ + ..., zero for cubics), so Dirichlet data from the
 * harmonic polynomials x² − y², xy and x³ − 3xy² is reproduced at every node by the exact
 * discrete solution. On a 33 × 25 grid with h = 0.1 (polynomials of x − 1.2, y − 0.7),
 * every solver run to tol 1e-13. Tolerance 1e-9·max|p|: the error of an iterate is at
 * most ‖A⁻¹‖·‖r‖ ≤ (κ(A) ≈ 4·33²/π² ≈ 450)·1e-13·‖b‖, and ‖b‖ ≤ 4·(edge nodes)^½·max|p|,
 * so ~1e-9·max|p| bounds it with margin for rounding. */
START_TEST(test_harmonic_polynomials)
{
    const long nx = 33, ny = 25;
    const double h = 0.1;
    poly_fn polys[] = {p_x2y2, p_xy, p_cubic};
    const char *methods[][2] = {{"cg", "multigrid"},
                                {"cg", "ssor"},
                                {"cg", "none"},
                                {"multigrid", "multigrid"},
                                {"sor", "multigrid"}};
    for (int q = 0; q < 3; q++) {
        json_t *bv = json_array();
        double pmax = 0.0;
        for (long j = 0; j < ny; j++)
            for (long i = 0; i < nx; i++) {
                double v = polys[q]((double)i * h - 1.2, (double)j * h - 0.7);
                pmax = fmax(pmax, fabs(v));
                json_array_append_new(bv, json_real(v));
            }
        for (int m = 0; m < 5; m++) {
            /* an interior anchor carrying the exact value changes nothing */
            double ax = 12 * h, ay = 5 * h;
            json_t *params = json_pack(
                "{s:i, s:i, s:f, s:s, s:O, s:s, s:s, s:f, s:i, s:[o]}", "nx", (int)nx, "ny",
                (int)ny, "h", h, "boundary", "dirichlet", "boundary_value", bv, "method",
                methods[m][0], "preconditioner", methods[m][1], "tol", 1e-13, "max_iter", 20000,
                "anchors", anchor(ax, ay, polys[q](ax - 1.2, ay - 0.7)));
            basin_ctx *ctx = mc_run_ok("harmonic", params);
            ck_assert_msg(json_is_true(json_object_get(ctx->summary, "converged")), "%s/%s",
                          methods[m][0], methods[m][1]);
            const double *phi = phi_of(ctx, nx, ny);
            double err = 0.0;
            for (long j = 0; j < ny; j++)
                for (long i = 0; i < nx; i++)
                    err = fmax(err, fabs(phi[j * nx + i] -
                                         polys[q]((double)i * h - 1.2, (double)j * h - 0.7)));
            ck_assert_msg(err <= 1e-9 * pmax, "poly %d %s/%s: max error %g", q, methods[m][0],
                          methods[m][1], err);
            run_ctx_free(ctx);
        }
        json_decref(bv);
    }
}
END_TEST

/* ---- 2. anchors, maximum principle, energy minimum ----------------------------------- */

/* Reference: the discrete problem itself. (a) anchors are data: the field equals each
 * anchor's value bit for bit; (b) discrete maximum principle: the 5-point operator with
 * non-negative weights makes every free value a weighted average of its neighbours, so
 * min/max lie at anchors — checked to 1e-9 (the iterate's residual is below 1e-10 of ‖b‖,
 * and max |Φ| ≤ 3, so its overshoot is far below that); (c) the solution minimises
 * E_h: moving any one free node by ±1e-3 raises the energy (by ½ d_p·1e-6 to first order,
 * far above rounding). 1-D and 2-D, Neumann edge. */
START_TEST(test_anchors_maximum_principle_energy)
{
    const long sizes[][2] = {{97, 1}, {40, 31}};
    for (int s = 0; s < 2; s++) {
        long nx = sizes[s][0], ny = sizes[s][1];
        json_t *anchors = random_anchors(11 + (uint64_t)s, 12, nx, ny, 0.5);
        double amin = INFINITY, amax = -INFINITY;
        size_t k;
        json_t *a;
        json_array_foreach(anchors, k, a)
        {
            double v = json_number_value(json_object_get(a, "value"));
            amin = fmin(amin, v);
            amax = fmax(amax, v);
        }
        json_t *copy = json_deep_copy(anchors);
        basin_ctx *ctx =
            mc_run_ok("harmonic", json_pack("{s:i, s:i, s:f, s:f, s:o}", "nx", (int)nx, "ny",
                                            (int)ny, "h", 0.5, "tol", 1e-10, "anchors", copy));
        const double *phi = phi_of(ctx, nx, ny);
        json_array_foreach(anchors, k, a)
        {
            long i = lround(json_number_value(json_object_get(a, "x")) / 0.5);
            long j = lround(json_number_value(json_object_get(a, "y")) / 0.5);
            ck_assert(phi[j * nx + i] == json_number_value(json_object_get(a, "value")));
        }
        double lo = mc_summary(ctx, "min"), hi = mc_summary(ctx, "max");
        ck_assert_double_ge(lo, amin - 1e-9);
        ck_assert_double_le(hi, amax + 1e-9);
        ck_assert_double_eq_tol(lo, amin, 1e-15);
        ck_assert_double_eq_tol(hi, amax, 1e-15);
        double E = basin_harmonic_energy(nx, ny, 0.5, phi);
        ck_assert_double_eq_tol(E, mc_summary(ctx, "dirichlet_energy"), 1e-12 * E);
        double *work = malloc((size_t)(nx * ny) * sizeof *work);
        for (int trial = 0; trial < 20; trial++) {
            long p = (trial * 7919) % (nx * ny);
            bool is_anchor = false;
            json_array_foreach(anchors, k, a)
            {
                long i = lround(json_number_value(json_object_get(a, "x")) / 0.5);
                long j = lround(json_number_value(json_object_get(a, "y")) / 0.5);
                is_anchor |= j * nx + i == p;
            }
            if (is_anchor)
                continue;
            for (int sg = -1; sg <= 1; sg += 2) {
                memcpy(work, phi, (size_t)(nx * ny) * sizeof *work);
                work[p] += sg * 1e-3;
                ck_assert_double_gt(basin_harmonic_energy(nx, ny, 0.5, work), E);
            }
        }
        free(work);
        json_decref(anchors);
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: in 1-D with Neumann ends the minimiser of ½∫Φ'² through anchors is the
 * piecewise-linear interpolant, constant beyond the outermost anchors — exact on the grid
 * (the 3-point stencil is exact on linear functions). Tolerance 1e-10 (tol 1e-13, κ ≈
 * 4·200²/π² ≈ 1.6e4). E_h then has the closed form ½ Σ (Δw)²/Δx. */
START_TEST(test_one_d_piecewise_linear)
{
    const long nx = 201;
    const double h = 0.05;
    const double ax[] = {1.0, 4.0, 7.5}, av[] = {2.0, -1.0, 0.5};
    json_t *anchors = json_array();
    for (int k = 0; k < 3; k++)
        json_array_append_new(anchors, anchor(ax[k], 0.0, av[k]));
    basin_ctx *ctx =
        mc_run_ok("harmonic", json_pack("{s:i, s:i, s:f, s:f, s:o}", "nx", (int)nx, "ny", 1, "h", h,
                                        "tol", 1e-13, "anchors", anchors));
    const double *phi = phi_of(ctx, nx, 1);
    for (long i = 0; i < nx; i++) {
        double x = (double)i * h, want;
        if (x <= ax[0])
            want = av[0];
        else if (x >= ax[2])
            want = av[2];
        else {
            int k = x < ax[1] ? 0 : 1;
            want = av[k] + (av[k + 1] - av[k]) * (x - ax[k]) / (ax[k + 1] - ax[k]);
        }
        ck_assert_double_eq_tol(phi[i], want, 1e-10);
    }
    double E = 0.5 * (9.0 / 3.0 + 2.25 / 3.5);
    ck_assert_double_eq_tol(mc_summary(ctx, "dirichlet_energy"), E, 1e-9);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 3. the solvers agree; multigrid iteration counts ---------------------------------- */

/* Reference: an independent dense solve. The anchored 2-D system on a 17 × 13 grid
 * (trapezoid weights as documented in basin/multigrid.h) is assembled here with plain
 * loops and solved by Gaussian elimination with partial pivoting; every solver (CG with
 * each preconditioner, multigrid, SOR; Neumann and Dirichlet edges) must match it to
 * 1e-9 (tol 1e-12 and κ ≤ ~300). */
static void dense_reference(long nx, long ny, const uint8_t *fixed, const double *val, double *out)
{
    long n = nx * ny;
    double *A = calloc((size_t)(n * n), sizeof *A), *b = calloc((size_t)n, sizeof *b);
    for (long p = 0; p < n; p++) {
        if (fixed[p]) {
            A[p * n + p] = 1.0;
            b[p] = val[p];
            continue;
        }
        long i = p % nx, j = p / nx;
        const long di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
        for (int e = 0; e < 4; e++) {
            long a = i + di[e], c = j + dj[e];
            if (a < 0 || a >= nx || c < 0 || c >= ny)
                continue;
            bool horizontal = dj[e] == 0;
            double w = 1.0;
            if (ny > 1 && horizontal && (j == 0 || j == ny - 1))
                w = 0.5;
            if (ny > 1 && !horizontal && (i == 0 || i == nx - 1))
                w = 0.5;
            A[p * n + p] += w;
            A[p * n + c * nx + a] -= w;
        }
    }
    for (long c = 0; c < n; c++) {
        long piv = c;
        for (long r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c]))
                piv = r;
        for (long k = 0; k < n; k++) {
            double t = A[c * n + k];
            A[c * n + k] = A[piv * n + k];
            A[piv * n + k] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (long r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            if (f == 0.0)
                continue;
            for (long k = c; k < n; k++)
                A[r * n + k] -= f * A[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (long r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (long k = r + 1; k < n; k++)
            s -= A[r * n + k] * out[k];
        out[r] = s / A[r * n + r];
    }
    free(A);
    free(b);
}

START_TEST(test_solvers_match_dense)
{
    const long nx = 17, ny = 13;
    for (int dir = 0; dir < 2; dir++) {
        json_t *anchors = random_anchors(5, 6, nx, ny, 1.0);
        uint8_t fixed[17 * 13] = {0};
        double val[17 * 13] = {0}, ref[17 * 13];
        if (dir)
            for (long j = 0; j < ny; j++)
                for (long i = 0; i < nx; i++)
                    if (i == 0 || j == 0 || i == nx - 1 || j == ny - 1) {
                        fixed[j * nx + i] = 1;
                        val[j * nx + i] = 0.25;
                    }
        size_t k;
        json_t *a;
        json_array_foreach(anchors, k, a)
        {
            long p = lround(json_number_value(json_object_get(a, "y"))) * nx +
                     lround(json_number_value(json_object_get(a, "x")));
            fixed[p] = 1;
            val[p] = json_number_value(json_object_get(a, "value"));
        }
        dense_reference(nx, ny, fixed, val, ref);
        const char *methods[][2] = {{"cg", "multigrid"}, {"cg", "ssor"},        {"cg", "jacobi"},
                                    {"cg", "none"},      {"multigrid", "none"}, {"sor", "none"}};
        for (int m = 0; m < 6; m++) {
            basin_ctx *ctx = mc_run_ok(
                "harmonic", json_pack("{s:i, s:i, s:s, s:f, s:f, s:s, s:s, s:O}", "nx", (int)nx,
                                      "ny", (int)ny, "boundary", dir ? "dirichlet" : "neumann",
                                      "boundary_value", 0.25, "tol", 1e-12, "method", methods[m][0],
                                      "preconditioner", methods[m][1], "anchors", anchors));
            const double *phi = phi_of(ctx, nx, ny);
            for (long p = 0; p < nx * ny; p++)
                ck_assert_msg(fabs(phi[p] - ref[p]) < 1e-9, "%s/%s dir %d node %ld: %g vs %g",
                              methods[m][0], methods[m][1], dir, p, phi[p], ref[p]);
            run_ctx_free(ctx);
        }
        json_decref(anchors);
    }
}
END_TEST

/* k anchor blocks of side `block` nodes at the same relative positions for every grid
 * size, each block holding one value. */
static json_t *random_blocks(uint64_t seed, long k, long n, long block)
{
    basin_rng rng;
    basin_rng_seed(&rng, seed);
    json_t *a = json_array();
    uint8_t *seen = calloc((size_t)(n * n), 1);
    for (long m = 0; m < k; m++) {
        long i0 = lround(basin_rng_uniform(&rng) * (double)(n - 1 - block));
        long j0 = lround(basin_rng_uniform(&rng) * (double)(n - 1 - block));
        double v = basin_rng_normal(&rng);
        for (long j = j0; j < j0 + block; j++)
            for (long i = i0; i < i0 + block; i++)
                if (!seen[j * n + i]) {
                    seen[j * n + i] = 1;
                    json_array_append_new(a, anchor((double)i, (double)j, v));
                }
    }
    free(seen);
    return a;
}

/* Reference: multigrid theory — with Galerkin coarse operators and operator-dependent
 * interpolation the V-cycle contracts the error by a factor bounded away from 1
 * independently of h, so the iteration count to a fixed tolerance does not grow with the
 * grid. Checked on 65², 129², 257², 513² grids at tol 1e-8 with CG + V-cycle and the plain
 * V-cycle iteration: the mean contraction factor (residual^(1/iterations)) stays below 0.1
 * (CG) and 0.25 (V-cycle) on every grid, and (a) for 60 anchor blocks of a fixed physical
 * size (side (n − 1)/32 nodes, the same relative positions: one continuous problem
 * refined) CG takes the same count on every grid and the V-cycle counts differ by at most
 * one (measured: 6, and 8–9 with factors 0.090–0.104); (b) point anchors are not one
 * continuous problem refined — a point constraint's capacity falls like 1/log(1/h) — and
 * their counts may drift by one (CG) or two (V-cycle) over this range (measured 7 and
 * 10–11, factors 0.045–0.068 and 0.13–0.17; bilinear interpolation instead adds about two
 * iterations per doubling). */
START_TEST(test_multigrid_iterations_grid_independent)
{
    const long sizes[] = {65, 129, 257, 513};
    for (int blocks = 1; blocks >= 0; blocks--) {
        long lo[2] = {1000, 1000}, hi[2] = {0, 0};
        for (int s = 0; s < 4; s++) {
            long n = sizes[s];
            for (int m = 0; m < 2; m++) {
                json_t *anchors = blocks ? random_blocks(3, 60, n, (n - 1) / 32)
                                         : random_anchors(3, 60, n, n, 1.0);
                basin_ctx *ctx =
                    mc_run_ok("harmonic", json_pack("{s:i, s:i, s:s, s:f, s:o}", "nx", (int)n, "ny",
                                                    (int)n, "method", m == 0 ? "cg" : "multigrid",
                                                    "tol", 1e-8, "anchors", anchors));
                long it = mc_summary_int(ctx, "iterations");
                /* the mean contraction factor per iteration */
                double rate = pow(mc_summary(ctx, "residual"), 1.0 / (double)it);
                ck_assert_double_le(rate, m == 0 ? 0.1 : 0.25);
                ck_assert(json_is_true(json_object_get(ctx->summary, "converged")));
                lo[m] = it < lo[m] ? it : lo[m];
                hi[m] = it > hi[m] ? it : hi[m];
                run_ctx_free(ctx);
            }
        }
        ck_assert_int_le(hi[0] - lo[0], blocks ? 0 : 1);
        ck_assert_int_le(hi[1] - lo[1], blocks ? 1 : 2);
    }
}
END_TEST

/* ---- 4. metabolic sparsity (ADMM) ---------------------------------------------------- */

/* Reference: the optimality (KKT) conditions of min ½ΦᵀAΦ + Σ κ_p|Φ_p| over free nodes,
 * κ_p = λ h² t_p c_p (basin/harmonic.h), checked on the returned field with A assembled
 * here: at a node with Φ_p = 0, |(AΦ)_p| ≤ κ_p; elsewhere (AΦ)_p = −κ_p sign Φ_p.
 * Tolerance 1e-4·max κ: ADMM stops at relative primal/dual residuals 1e-9, and the
 * remaining violation is of the order of the dual residual times ρ‖u‖. Also: the sparse
 * field has zeros (nonzero_fraction < 1), the objective E_h + λ l1 is below that of the
 * λ = 0 harmonic field and of the field 0 off the anchors, and a huge λ gives Φ = 0 at
 * every free node whose anchored neighbours cannot pay for a nonzero value. */
START_TEST(test_admm_kkt)
{
    const long nx = 41, ny = 33;
    const double h = 0.25, lambda = 3.0;
    json_t *anchors = random_anchors(21, 8, nx, ny, h);
    /* a spatially varying cost: c = 1 + x */
    json_t *cost = json_array();
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++)
            json_array_append_new(cost, json_real(1.0 + (double)i * h));
    basin_ctx *ctx =
        mc_run_ok("harmonic", json_pack("{s:i, s:i, s:f, s:f, s:O, s:f, s:i, s:O}", "nx", (int)nx,
                                        "ny", (int)ny, "h", h, "lambda", lambda, "cost", cost,
                                        "tol", 1e-9, "max_iter", 5000, "anchors", anchors));
    ck_assert(json_is_true(json_object_get(ctx->summary, "converged")));
    const double *phi = phi_of(ctx, nx, ny);
    uint8_t fixed[41 * 33] = {0};
    size_t k;
    json_t *a;
    json_array_foreach(anchors, k, a)
    {
        long p = lround(json_number_value(json_object_get(a, "y")) / h) * nx +
                 lround(json_number_value(json_object_get(a, "x")) / h);
        fixed[p] = 1;
    }
    double kmax = 0.0, worst = 0.0;
    long zeros = 0;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            long p = j * nx + i;
            if (fixed[p])
                continue;
            double t =
                ((i == 0 || i == nx - 1) ? 0.5 : 1.0) * ((j == 0 || j == ny - 1) ? 0.5 : 1.0);
            double kap = lambda * h * h * t * (1.0 + (double)i * h);
            kmax = fmax(kmax, kap);
            double Ap = 0.0;
            const long di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
            for (int e = 0; e < 4; e++) {
                long ia = i + di[e], ja = j + dj[e];
                if (ia < 0 || ia >= nx || ja < 0 || ja >= ny)
                    continue;
                double w = (dj[e] == 0 && (j == 0 || j == ny - 1)) ||
                                   (di[e] == 0 && (i == 0 || i == nx - 1))
                               ? 0.5
                               : 1.0;
                Ap += w * (phi[p] - phi[ja * nx + ia]);
            }
            if (phi[p] == 0.0) {
                zeros++;
                worst = fmax(worst, fabs(Ap) - kap);
            } else {
                worst = fmax(worst, fabs(Ap + kap * (phi[p] > 0 ? 1.0 : -1.0)));
            }
        }
    ck_assert_double_lt(worst, 1e-4 * kmax);
    ck_assert_int_gt(zeros, 0);
    ck_assert_double_lt(mc_summary(ctx, "nonzero_fraction"), 1.0);
    double obj = mc_summary(ctx, "objective");
    run_ctx_free(ctx);

    /* the λ = 0 field, and the field zero off the anchors, cost more */
    json_t *cost_copy = json_deep_copy(cost);
    ctx = mc_run_ok("harmonic", json_pack("{s:i, s:i, s:f, s:f, s:O}", "nx", (int)nx, "ny", (int)ny,
                                          "h", h, "tol", 1e-12, "anchors", anchors));
    const double *harm = phi_of(ctx, nx, ny);
    double *c = malloc((size_t)(nx * ny) * sizeof *c), *z = calloc((size_t)(nx * ny), sizeof *z);
    for (long p = 0; p < nx * ny; p++) {
        c[p] = 1.0 + (double)(p % nx) * h;
        if (fixed[p])
            z[p] = harm[p];
    }
    double obj_h =
        basin_harmonic_energy(nx, ny, h, harm) + lambda * basin_harmonic_l1(nx, ny, h, c, harm);
    double obj_z =
        basin_harmonic_energy(nx, ny, h, z) + lambda * basin_harmonic_l1(nx, ny, h, c, z);
    ck_assert_double_lt(obj, obj_h);
    ck_assert_double_lt(obj, obj_z);
    run_ctx_free(ctx);
    free(c);
    free(z);
    json_decref(cost_copy);

    /* huge λ: free nodes are 0 (κ ≥ λ h²/4 ≫ the largest |Σ w Φ_anchor| ≤ 4·max|w|) */
    ctx = mc_run_ok("harmonic",
                    json_pack("{s:i, s:i, s:f, s:f, s:f, s:O}", "nx", (int)nx, "ny", (int)ny, "h",
                              h, "lambda", 1e4, "tol", 1e-9, "anchors", anchors));
    ck_assert_double_eq(mc_summary(ctx, "nonzero_fraction"), 0.0);
    run_ctx_free(ctx);
    json_decref(cost);
    json_decref(anchors);
}
END_TEST

/* ---- 5. RBF -------------------------------------------------------------------------- */

/* Reference: the interpolation conditions of basin/rbf.h (SciPy's RBFInterpolator
 * system). (a) With smoothing 0 each kernel is exact at its data points: |f(y_i) − d_i| ≤
 * 1e-8·max|d| (the systems here have condition numbers below ~1e6 — points at least 0.3
 * apart, ε = 1.5 — so LU leaves residuals ~1e-10); (b) thin_plate with its default
 * degree-1 polynomial reproduces a linear function everywhere (the RBF part vanishes:
 * Pᵀa = 0 forces a = 0 when d is in the span of P), to 1e-9; (c) with smoothing s, the
 * system's first rows say f(y_i) = d_i − s a_i, checked to 1e-9, and the smoothed values
 * are off the data; (d) through the model (method rbf): anchors off the nodes, the field
 * at the nodes and at extra points reproduce the linear function to 1e-9, and the
 * solved system's relative residual is below 1e-10. */
START_TEST(test_rbf_exact_and_linear)
{
    basin_rng rng;
    basin_rng_seed(&rng, 7);
    const long n = 40;
    double y[80], d[40], lin[40];
    for (long i = 0; i < n; i++) {
        y[2 * i] = (double)(i % 8) * 0.5 + 0.1 * basin_rng_uniform(&rng);
        y[2 * i + 1] = (double)(i / 8) * 0.6 + 0.1 * basin_rng_uniform(&rng);
        d[i] = sin(y[2 * i]) * cos(y[2 * i + 1]);
        lin[i] = 2.0 + 3.0 * y[2 * i] - y[2 * i + 1];
    }
    basin_rbf_kernel kernels[] = {BASIN_RBF_THIN_PLATE,
                                  BASIN_RBF_GAUSSIAN,
                                  BASIN_RBF_MULTIQUADRIC,
                                  BASIN_RBF_INVERSE_MULTIQUADRIC,
                                  BASIN_RBF_INVERSE_QUADRATIC,
                                  BASIN_RBF_LINEAR,
                                  BASIN_RBF_CUBIC,
                                  BASIN_RBF_QUINTIC};
    for (int k = 0; k < 8; k++) {
        int deg = basin_rbf_min_degree(kernels[k]);
        deg = deg > 0 ? deg : 0;
        basin_rbf *r = NULL;
        ck_assert_int_eq(basin_rbf_fit(kernels[k], 2, n, y, d, NULL, 1.5, deg, &r), 0);
        double f[40];
        basin_rbf_eval(r, n, y, f);
        for (long i = 0; i < n; i++)
            ck_assert_msg(fabs(f[i] - d[i]) < 1e-8, "kernel %d point %ld: %g vs %g", k, i, f[i],
                          d[i]);
        ck_assert_double_lt(r->residual, 1e-10);
        basin_rbf_free(r);
    }
    basin_rbf *r = NULL;
    ck_assert_int_eq(basin_rbf_fit(BASIN_RBF_THIN_PLATE, 2, n, y, lin, NULL, 1.0, 1, &r), 0);
    double x[200], f[100];
    for (int p = 0; p < 100; p++) {
        x[2 * p] = -1.0 + 0.06 * p;
        x[2 * p + 1] = 5.0 - 0.07 * p;
    }
    basin_rbf_eval(r, 100, x, f);
    for (int p = 0; p < 100; p++)
        ck_assert_double_eq_tol(f[p], 2.0 + 3.0 * x[2 * p] - x[2 * p + 1], 1e-9);
    basin_rbf_free(r);

    /* smoothing: f(y_i) = d_i − s a_i */
    double s[40];
    for (long i = 0; i < n; i++)
        s[i] = 0.3;
    ck_assert_int_eq(basin_rbf_fit(BASIN_RBF_THIN_PLATE, 2, n, y, d, s, 1.0, 1, &r), 0);
    double fs[40], off = 0.0;
    basin_rbf_eval(r, n, y, fs);
    for (long i = 0; i < n; i++) {
        ck_assert_double_eq_tol(fs[i], d[i] - 0.3 * r->coef[i], 1e-9);
        off = fmax(off, fabs(fs[i] - d[i]));
    }
    ck_assert_double_gt(off, 1e-3);
    basin_rbf_free(r);

    /* through the model: anchors off the nodes, field at the nodes, points */
    json_t *anchors = json_array();
    for (long i = 0; i < n; i++)
        json_array_append_new(anchors, anchor(y[2 * i], y[2 * i + 1], lin[i]));
    basin_ctx *ctx =
        mc_run_ok("harmonic", json_pack("{s:i, s:i, s:f, s:s, s:o, s:[[f, f], [f, f]]}", "nx", 9,
                                        "ny", 6, "h", 0.5, "method", "rbf", "anchors", anchors,
                                        "points", 0.33, 1.7, 2.2, 0.4));
    const double *phi = phi_of(ctx, 9, 6);
    for (long j = 0; j < 6; j++)
        for (long i = 0; i < 9; i++)
            ck_assert_double_eq_tol(phi[j * 9 + i], 2.0 + 1.5 * (double)i - 0.5 * (double)j, 1e-9);
    const run_artifact *pts = run_ctx_find_artifact(ctx, "phi_points");
    ck_assert_ptr_nonnull(pts);
    ck_assert_double_eq_tol(((double *)pts->data)[0], 2.0 + 0.99 - 1.7, 1e-9);
    ck_assert_double_eq_tol(((double *)pts->data)[1], 2.0 + 6.6 - 0.4, 1e-9);
    ck_assert_double_lt(mc_summary(ctx, "residual"), 1e-10);
    run_ctx_free(ctx);
}
END_TEST

/* ---- 6. validation ------------------------------------------------------------------- */

/* Reference: models.md conventions — bad params are refused with a JSON pointer per
 * problem; work over the limits is BASIN_ELIMIT (resource_limit). */
START_TEST(test_validation)
{
    struct {
        const char *params;
        const char *pointer;
    } cases[] = {
        /* anchors outside the grid */
        {"{\"nx\": 9, \"ny\": 9, \"anchors\": [{\"x\": 9, \"y\": 0, \"value\": 1}]}",
         "/params/anchors/0/x"},
        {"{\"nx\": 9, \"ny\": 9, \"anchors\": [{\"x\": 1, \"y\": -1, \"value\": 1}]}",
         "/params/anchors/0/y"},
        /* off a node (grid methods) */
        {"{\"nx\": 9, \"ny\": 9, \"anchors\": [{\"x\": 1.5, \"y\": 0, \"value\": 1}]}",
         "/params/anchors/0/x"},
        /* duplicate anchors with different values */
        {"{\"nx\": 9, \"ny\": 9, \"anchors\": [{\"x\": 1, \"y\": 2, \"value\": 1}, {\"x\": 3, "
         "\"y\": 3, \"value\": 0}, {\"x\": 1, \"y\": 2, \"value\": 2}]}",
         "/params/anchors/2"},
        {"{\"method\": \"rbf\", \"anchors\": [{\"x\": 1.5, \"y\": 2, \"value\": 1}, {\"x\": 1.5, "
         "\"y\": 2, \"value\": 1}, {\"x\": 3, \"y\": 3, \"value\": 0}]}",
         "/params/anchors/1"},
        /* missing fields, unknown keys */
        {"{\"anchors\": [{\"x\": 1, \"y\": 2}]}", "/params/anchors/0/value"},
        {"{\"anchors\": [{\"x\": 1, \"y\": 2, \"value\": 1, \"w\": 3}]}", "/params/anchors/0/w"},
        {"{\"speed\": 1}", "/params/speed"},
        /* mismatched array shapes */
        {"{\"nx\": 3, \"ny\": 2, \"boundary\": \"dirichlet\", \"boundary_value\": [1, 2, 3]}",
         "/params/boundary_value"},
        {"{\"nx\": 3, \"ny\": 2, \"lambda\": 1, \"cost\": [[1, 2, 3], [1, 2]]}", "/params/cost/1"},
        {"{\"nx\": 3, \"ny\": 2, \"lambda\": 1, \"cost\": [1, 2, 3, 4, -5, 6]}", "/params/cost/4"},
        /* values out of range (non-finite numbers cannot be written in JSON; huge ones are
         * refused the same way) */
        {"{\"anchors\": [{\"x\": 1, \"y\": 2, \"value\": 1e300}]}", "/params/anchors/0/value"},
        {"{\"nx\": 3, \"ny\": 2, \"boundary_value\": [1, 2, 3, 4, 5, 1e200]}",
         "/params/boundary_value/5"},
        /* the grid's cell limit */
        {"{\"nx\": 4000, \"ny\": 4000}", "/params/nx"},
        {"{\"nx\": 1, \"ny\": 4}", "/params/nx"},
        /* 1-D anchors off the line; neumann without anchors; rbf options */
        {"{\"nx\": 9, \"ny\": 1, \"anchors\": [{\"x\": 1, \"y\": 1, \"value\": 1}]}",
         "/params/anchors/0/y"},
        {"{\"anchors\": []}", "/params/anchors"},
        {"{\"method\": \"rbf\", \"kernel\": \"thin_plate\", \"degree\": 0}", "/params/degree"},
        {"{\"method\": \"rbf\", \"lambda\": 1}", "/params/lambda"},
        {"{\"method\": \"sor\", \"omega\": 2}", "/params/omega"},
        {"{\"points\": [[1, 2]]}", "/params/points"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        basin_problems problems;
        json_t *normalized;
        void *config;
        json_t *params = mc_load(cases[c].params);
        int rc =
            mc_parse("harmonic", params, &basin_default_limits, &problems, &normalized, &config);
        json_decref(params);
        ck_assert_msg(rc == BASIN_EINVAL, "case %zu (%s): rc %d", c, cases[c].params, rc);
        ck_assert_msg(mc_has_problem(&problems, cases[c].pointer),
                      "case %zu: no problem at %s (%s)", c, cases[c].pointer,
                      problems.count ? problems.items[0].pointer : "no problems");
        ck_assert_ptr_null(config);
    }
    /* over the configured limits: resource_limit */
    basin_limits small = basin_default_limits;
    small.max_array_elements = 10000;
    basin_problems problems;
    json_t *normalized;
    void *config;
    json_t *params = mc_load("{\"nx\": 100, \"ny\": 100}");
    ck_assert_int_eq(mc_parse("harmonic", params, &small, &problems, &normalized, &config),
                     BASIN_ELIMIT);
    ck_assert(problems.over_limit);
    ck_assert(mc_has_problem(&problems, "/params/nx"));
    json_decref(params);
    small = basin_default_limits;
    small.max_work = 1000000;
    params = mc_load("{\"nx\": 100, \"ny\": 100, \"method\": \"sor\"}");
    ck_assert_int_eq(mc_parse("harmonic", params, &small, &problems, &normalized, &config),
                     BASIN_ELIMIT);
    ck_assert(mc_has_problem(&problems, "/params/max_iter"));
    json_decref(params);
}
END_TEST

/* ---- 7. reproducibility, series, cancellation ------------------------------------------ */

/* Reference: model.h — the normalised params re-parse to identical JSON and give the
 * bit-identical run; the residual series starts at iteration 0 and ends at the last one. */
START_TEST(test_normalised_reparse_and_series)
{
    const char *texts[] = {
        "{\"nx\": 30, \"ny\": 20, \"anchors\": [{\"x\": 3, \"y\": 4, \"value\": 1}, {\"x\": "
        "20, \"y\": 9, \"value\": -1}], \"record_every\": 2}",
        "{\"nx\": 30, \"ny\": 1, \"method\": \"sor\", \"anchors\": [{\"x\": 3, \"value\": 1}]}",
        "{\"nx\": 12, \"ny\": 10, \"method\": \"rbf\", \"kernel\": \"gaussian\", \"epsilon\": "
        "0.7, \"anchors\": [{\"x\": 3.3, \"y\": 4.1, \"value\": 1}, {\"x\": 7, \"y\": 2, "
        "\"value\": 0}]}",
        "{\"nx\": 20, \"ny\": 20, \"lambda\": 0.5, \"cost\": {\"type\": \"gaussian\", \"offset\": "
        "1, \"bumps\": [{\"x\": 5, \"y\": 5, \"amplitude\": 2, \"width\": 3}]}}",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        basin_problems problems;
        json_t *n1, *n2;
        void *c1, *c2;
        json_t *params = mc_load(texts[t]);
        ck_assert_int_eq(mc_parse("harmonic", params, &basin_default_limits, &problems, &n1, &c1),
                         0);
        ck_assert_int_eq(mc_parse("harmonic", n1, &basin_default_limits, &problems, &n2, &c2), 0);
        ck_assert(json_equal(n1, n2));
        basin_ctx *a = mc_run_config_ok("harmonic", c1), *b = mc_run_config_ok("harmonic", c2);
        const run_artifact *pa = run_ctx_find_artifact(a, "phi"),
                           *pb = run_ctx_find_artifact(b, "phi");
        ck_assert_int_eq(memcmp(pa->data, pb->data, pa->nbytes), 0);
        const run_series *s = run_ctx_find_series(a, "residual");
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(s->step[0], 0);
        ck_assert_int_eq(s->step[s->n - 1], mc_summary_int(a, "iterations"));
        run_ctx_free(a);
        run_ctx_free(b);
        mc_model("harmonic")->free_config(c1);
        mc_model("harmonic")->free_config(c2);
        json_decref(params);
        json_decref(n1);
        json_decref(n2);
    }
}
END_TEST

/* Reference: model.h — run() returns BASIN_ECANCELLED when asked, well under a second
 * after the request. A stop before the run, and one 100 ms into a long SOR run on a
 * 1025² grid (each sweep a few ms; checked every iteration) and into a large rbf
 * evaluation. Bound 0.5 s: the checks come every iteration or ~2e7 operations; the rest
 * is headroom for a loaded machine. */
START_TEST(test_cancellation)
{
    const char *texts[] = {
        "{\"nx\": 1025, \"ny\": 1025, \"method\": \"sor\", \"max_iter\": 50000}",
        "{\"nx\": 1000, \"ny\": 1000, \"method\": \"rbf\", \"kernel\": \"gaussian\", "
        "\"anchors\": [{\"x\": 1, \"y\": 1, \"value\": 1}, {\"x\": 500, \"y\": 2, \"value\": 1},"
        "{\"x\": 3, \"y\": 700, \"value\": 1}, {\"x\": 900, \"y\": 900, \"value\": 1}]}",
    };
    for (int t = 0; t < 2; t++) {
        json_t *params = mc_load(texts[t]);
        void *config = mc_parse_ok("harmonic", params, NULL);
        run_ctx_free(mc_run_stopped_before("harmonic", config));
        if (t == 0) {
            basin_ctx *ctx = run_ctx_new(&basin_default_limits);
            ck_assert_double_lt(mc_stop_latency("harmonic", config, ctx, 0.1), 0.5);
            run_ctx_free(ctx);
        }
        mc_model("harmonic")->free_config(config);
        json_decref(params);
    }
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"harmonic_polynomials", test_harmonic_polynomials},
        {"anchors_maximum_principle_energy", test_anchors_maximum_principle_energy},
        {"one_d_piecewise_linear", test_one_d_piecewise_linear},
        {"solvers_match_dense", test_solvers_match_dense},
        {"multigrid_iterations_grid_independent", test_multigrid_iterations_grid_independent},
        {"admm_kkt", test_admm_kkt},
        {"rbf_exact_and_linear", test_rbf_exact_and_linear},
        {"validation", test_validation},
        {"normalised_reparse_and_series", test_normalised_reparse_and_series},
        {"cancellation", test_cancellation},
    };
    return mc_run_suite(mc_suite("harmonic", cases, sizeof cases / sizeof *cases, 120));
}
