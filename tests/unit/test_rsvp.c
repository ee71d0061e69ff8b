/*
 * test_rsvp.c — the `rsvp` model, its numerical core (basin/rsvp.h) and the coherence
 * tiles (basin/tiles.h).
 *
 * Each numerical test names its reference (an exact discrete identity of the scheme, a
 * closed form, or a constructed field with known components) and says why its tolerance
 * is what it is. The model is driven as the worker drives it: parse() with the default
 * limits, then run() against an in-memory run context.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/model.h"
#include "basin/rng.h"
#include "basin/rsvp.h"
#include "basin/tiles.h"
#include "model_check.h"
#include "models/run_ctx.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* The data of artifact `name` of ctx. */
static const double *artifact(const basin_ctx *ctx, const char *name)
{
    return mc_artifact(ctx, name)->data;
}

static basin_rsvp *core_new(long nx, long ny, double D, double gamma, double delta, double mu,
                            double nu, basin_rsvp_boundary b, double dt)
{
    basin_rsvp_config cfg = {.nx = nx,
                             .ny = ny,
                             .h = 1.0,
                             .D = D,
                             .gamma = gamma,
                             .delta = delta,
                             .mu = mu,
                             .nu = nu,
                             .dt = dt,
                             .boundary = b};
    basin_rsvp *w = NULL;
    ck_assert_int_eq(basin_rsvp_alloc(&cfg, &w), 0);
    return w;
}

/* ---- 1. conservation and exact discrete identities ----------------------------------- */

/* Reference: the flux form of the Φ update (basin/rsvp.h): with periodic (and with
 * Neumann) boundaries every face flux enters two cells with opposite signs, so ΣΦ is
 * conserved exactly in exact arithmetic. Checked with every term active (noise Φ₀ and v₀,
 * a gaussian η, forcing, γ, δ, μ, ν; μ above the bound 4γ² max S/D³ so the run stays
 * bounded) over 300 steps: |mass(t) − mass(0)| ≤ 1e-12·Σ|Φ|h²
 * at every recorded step — each step adds at most a few ulps of the cell values (~1e-16
 * Σ|Φ|), 300 steps ~3e-14, so 1e-12 is rounding with margin. */
START_TEST(test_mass_conserved)
{
    const char *bc[] = {"periodic", "neumann"};
    for (int b = 0; b < 2; b++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"nx\": 40, \"ny\": 30, \"h\": 0.5, \"D\": 1, \"gamma\": 0.02, \"delta\": "
                 "0.5, \"mu\": 0.1, \"nu\": 0.05, \"boundary\": \"%s\", \"steps\": 300, "
                 "\"record_every\": 10, \"seed\": 4, \"phi0\": {\"type\": \"noise\", \"mean\": 1, "
                 "\"std\": 0.2}, \"v0\": {\"x\": {\"type\": \"noise\", \"std\": 0.1}, \"y\": "
                 "{\"type\": \"noise\", \"std\": 0.1}}, \"eta\": {\"type\": \"gaussian\", "
                 "\"bumps\": [{\"x\": 8, \"y\": 6, \"amplitude\": 2, \"width\": 2}]}, \"force\": "
                 "{\"x\": 0.01, \"y\": -0.02}}",
                 bc[b]);
        basin_ctx *ctx = mc_run_ok("rsvp", mc_load(text));
        const run_series *m = mc_series(ctx, "mass");
        ck_assert_uint_eq(m->n, 31);
        double scale = fabs(m->value[0]) + 40 * 30 * 0.25 * 0.2;
        for (size_t k = 0; k < m->n; k++)
            ck_assert_msg(fabs(m->value[k] - m->value[0]) <= 1e-12 * scale,
                          "%s step %ld: mass %.17g vs %.17g", bc[b], (long)m->step[k], m->value[k],
                          m->value[0]);
        ck_assert_double_le(fabs(mc_summary(ctx, "mass_change")), 1e-12 * scale);
        run_ctx_free(ctx);
    }
}
END_TEST

/* Reference: with γ = δ = 0, v = 0 and f = 0 the scheme is Φ ← Φ + dt D ∇²_h Φ, whose
 * eigenvectors on the periodic grid are the Fourier modes, with the exact factor
 * r = 1 − 4 D dt/h² (sin²(πk/nx) + sin²(πl/ny)) per step. A mode (k, l) = (3, 2) on 32 × 24
 * with h = 0.7 after 60 steps (r^60 ≈ 1.6e-4) must equal r^60 cos(...) at every cell to
 * 1e-13 (rounding of 60 steps of values ≤ 1), and its Dirichlet energy series must fall by
 * exactly r² per step (to 1e-8 relative: rounding 1e-15 of the initial amplitude against
 * an amplitude ≥ 1.6e-4, squared). */
START_TEST(test_fourier_mode_decay)
{
    const long nx = 32, ny = 24, steps = 60;
    const double h = 0.7, D = 0.8;
    basin_ctx *ctx =
        mc_run_ok("rsvp", mc_load("{\"nx\": 32, \"ny\": 24, \"h\": 0.7, \"D\": 0.8, \"gamma\": 0, "
                                  "\"delta\": 0, \"steps\": 60, \"record_every\": 10, \"phi0\": "
                                  "{\"type\": \"mode\", \"kx\": 3, \"ky\": 2, \"amplitude\": 1}}"));
    double dt = mc_summary(ctx, "dt");
    double r = 1.0 - 4.0 * D * dt / (h * h) *
                         (pow(sin(M_PI * 3.0 / nx), 2) + pow(sin(M_PI * 2.0 / ny), 2));
    const double *phi = artifact(ctx, "phi");
    double rn = pow(r, (double)steps), err = 0.0;
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++)
            err = fmax(
                err, fabs(phi[j * nx + i] - rn * cos(2.0 * M_PI * (3.0 * i / nx + 2.0 * j / ny))));
    ck_assert_msg(err < 1e-13, "max error %g (r = %.15f)", err, r);
    const run_series *E = mc_series(ctx, "dirichlet_energy");
    for (size_t k = 1; k < E->n; k++) {
        double want = pow(r, 2.0 * (double)(E->step[k] - E->step[k - 1]));
        ck_assert_double_eq_tol(E->value[k] / E->value[k - 1], want, 1e-8 * want);
    }
    /* the kinetic energy stays exactly 0 */
    ck_assert_double_eq(mc_summary(ctx, "kinetic"), 0.0);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: on the periodic grid every gradient term (∇S, ∇η, ∇²v) sums to zero over
 * the faces, so with μ = 0, Σv(t) = Σv₀ + t Σf exactly. Checked through the core with
 * random v₀, η, f and a nonlinear Φ (γ > 0): after 400 steps Σvx and Σvy match to 1e-10
 * of Σ|v| (rounding of 400 steps of sums over 600 faces). */
START_TEST(test_momentum_balance)
{
    const long nx = 30, ny = 20, n = nx * ny, steps = 400;
    basin_rsvp *w = core_new(nx, ny, 1.0, 0.05, 0.3, 0.0, 0.1, BASIN_RSVP_PERIODIC, 0.1);
    basin_rng rng;
    basin_rng_seed(&rng, 9);
    double sx0 = 0.0, sy0 = 0.0, sfx = 0.0, sfy = 0.0;
    for (long k = 0; k < n; k++) {
        w->phi0[k] = sin(0.3 * (double)(k % nx)) + 0.1 * basin_rng_normal(&rng);
        w->vx0[k] = 0.1 * basin_rng_normal(&rng);
        w->vy0[k] = 0.1 * basin_rng_normal(&rng);
        w->eta[k] = cos(0.2 * (double)(k / nx)) + 0.1 * basin_rng_uniform(&rng);
        w->fx[k] = 0.01 * basin_rng_normal(&rng);
        w->fy[k] = 0.01 * basin_rng_normal(&rng);
        sx0 += w->vx0[k];
        sy0 += w->vy0[k];
        sfx += w->fx[k];
        sfy += w->fy[k];
    }
    basin_rsvp_start(w);
    ck_assert_int_eq(basin_rsvp_advance(w, steps), 0);
    double *vx = malloc((size_t)n * sizeof *vx), *vy = malloc((size_t)n * sizeof *vy);
    basin_rsvp_fields(w, NULL, vx, vy, NULL);
    double sx = 0.0, sy = 0.0, mag = 0.0;
    for (long k = 0; k < n; k++) {
        sx += vx[k];
        sy += vy[k];
        mag += fabs(vx[k]) + fabs(vy[k]);
    }
    ck_assert_double_eq_tol(sx, sx0 + w->time * sfx, 1e-10 * mag);
    ck_assert_double_eq_tol(sy, sy0 + w->time * sfy, 1e-10 * mag);
    ck_assert_double_gt(fabs(w->time * sfx), 1e-3); /* the forcing did move the sums */
    free(vx);
    free(vy);
    basin_rsvp_free(w);
}
END_TEST

/* Reference: the definitions of basin/rsvp.h — the entropy is twice the Dirichlet
 * energy, the free energy with v = 0 and λ = 0 equals the entropy (|∇Φ − v|² = S), and
 * λ adds λ Σ c|Φ| h²; kinetic = ½ Σ v² h². Checked on a random state (to 1e-12 relative:
 * the same sums in another order). */
START_TEST(test_diagnostics_identities)
{
    const long nx = 16, ny = 12, n = nx * ny;
    basin_rsvp_config cfg = {.nx = nx,
                             .ny = ny,
                             .h = 0.5,
                             .D = 1.0,
                             .lambda = 0.7,
                             .dt = 0.01,
                             .boundary = BASIN_RSVP_PERIODIC};
    basin_rsvp *w = NULL;
    ck_assert_int_eq(basin_rsvp_alloc(&cfg, &w), 0);
    basin_rng rng;
    basin_rng_seed(&rng, 2);
    double l1 = 0.0;
    for (long k = 0; k < n; k++) {
        w->phi0[k] = basin_rng_normal(&rng);
        w->cost[k] = 1.0 + basin_rng_uniform(&rng);
        l1 += w->cost[k] * fabs(w->phi0[k]);
    }
    basin_rsvp_start(w);
    basin_rsvp_diag d;
    basin_rsvp_diagnostics(w, &d);
    ck_assert_double_eq_tol(d.entropy, 2.0 * d.dirichlet_energy, 1e-12 * d.entropy);
    ck_assert_double_eq_tol(d.free_energy, d.entropy + 0.7 * l1 * 0.25, 1e-12 * d.free_energy);
    ck_assert_double_eq(d.kinetic, 0.0);
    /* a constant v: kinetic = ½ (vx² + vy²) n h² */
    for (long k = 0; k < n; k++) {
        w->vx0[k] = 0.3;
        w->vy0[k] = -0.4;
    }
    basin_rsvp_start(w);
    basin_rsvp_diagnostics(w, &d);
    ck_assert_double_eq_tol(d.kinetic, 0.5 * 0.25 * (double)n * 0.25, 1e-12);
    ck_assert_double_eq_tol(d.max_speed, 0.5, 1e-12);
    ck_assert_double_eq_tol(d.divergence_l2, 0.0, 1e-12);
    basin_rsvp_free(w);
}
END_TEST

/* ---- 2. stability: damping, growth, blow-up ------------------------------------------ */

/* A steady background: Φ = x (uniform gradient G = 1) with a Dirichlet boundary carrying
 * the same ramp, so S is uniform and v stays 0; a tiny seeded perturbation in v₀. */
static char *ramp_params(double mu, double amp, long steps, double dt)
{
    char dts[64] = "";
    if (dt > 0)
        snprintf(dts, sizeof dts, "\"dt\": %.17g, ", dt);
    char *t = malloc(1024);
    snprintf(t, 1024,
             "{\"nx\": 48, \"ny\": 12, \"D\": 1, \"gamma\": 1, \"delta\": 0, \"mu\": %g, %s"
             "\"boundary\": \"dirichlet\", \"boundary_value\": {\"type\": \"linear\", "
             "\"gradient\": [1, 0]}, \"phi0\": {\"type\": \"linear\", \"gradient\": [1, 0]}, "
             "\"v0\": {\"x\": {\"type\": \"noise\", \"std\": %g}, \"y\": {\"type\": \"noise\", "
             "\"std\": %g}}, \"steps\": %ld, \"record_every\": 50, \"seed\": 5}",
             mu, dts, amp, amp, steps);
    return t;
}

/* Reference: the linear stability analysis of basin/rsvp.h. About a uniform gradient G
 * the linearised system grows at rates up to 4γ²G²/D³ unless μ exceeds that bound
 * (here 4). (a) μ = 8 > 4 (dt from the automatic limit): the perturbation decays — the
 * kinetic energy ends below its start (1e-10 → < 1e-15) and never exceeds it, over 3000
 * steps; (b) μ = 0: a perturbation grows, the kinetic energy rising by more than 1e3
 * within 100 steps; (c) μ = 0 and long enough: the blow-up is reported — run() returns
 * BASIN_EDIVERGED, the job's code is "diverged" with the step (> 0), the series recorded
 * before it are kept. */
START_TEST(test_damping_growth_divergence)
{
    char *t = ramp_params(8.0, 1e-5, 3000, 0.0);
    basin_ctx *ctx = mc_run_ok("rsvp", mc_load(t));
    free(t);
    const run_series *K = mc_series(ctx, "kinetic");
    for (size_t k = 1; k < K->n; k++)
        ck_assert_double_le(K->value[k], K->value[0]);
    ck_assert_double_lt(K->value[K->n - 1], 1e-5 * K->value[0]);
    ck_assert_double_eq_tol(mc_summary(ctx, "mu_bound"), 4.0, 1e-9);
    run_ctx_free(ctx);

    t = ramp_params(0.0, 1e-8, 100, 0.0);
    int rc;
    ctx = mc_run("rsvp", mc_load(t), &rc);
    free(t);
    ck_assert_int_eq(rc, 0);
    K = mc_series(ctx, "kinetic");
    ck_assert_double_gt(K->value[K->n - 1], 1e3 * K->value[0]);
    run_ctx_free(ctx);

    t = ramp_params(0.0, 1e-5, 20000, 0.0);
    ctx = mc_run("rsvp", mc_load(t), &rc);
    free(t);
    ck_assert_int_eq(rc, BASIN_EDIVERGED);
    ck_assert(ctx->failed);
    ck_assert_str_eq(ctx->fail_code, "diverged");
    ck_assert_int_gt(ctx->fail_step, 0);
    ck_assert_int_lt(ctx->fail_step, 20000);
    K = mc_series(ctx, "kinetic");
    ck_assert_int_ge(K->n, 2);
    ck_assert_int_lt(K->step[K->n - 1], ctx->fail_step);
    run_ctx_free(ctx);
}
END_TEST

/* Reference: linearity of the small-amplitude regime. Without damping a perturbation
 * δ (std 1e-9 in v₀) of the steady ramp evolves by the linearised step J: after 100
 * steps the run from 2δ (seeded identically, so the same direction) is twice the run from
 * δ: ‖(Φ_{2δ} − ramp) − 2(Φ_δ − ramp)‖ ≤ 1e-4 ‖Φ_δ − ramp‖. The quadratic term is
 * O(|perturbation|/|G|) ≈ 1e-6 relative and the rounding of Φ ≈ 50 against a
 * perturbation ≥ 1e-9 about 1e-6 too. (The reference test compares
 * the growth with the eigenvalues of J computed by NumPy.) */
START_TEST(test_small_mode_is_linear)
{
    double *fields[2];
    double norm = 0.0;
    for (int k = 0; k < 2; k++) {
        char *t = ramp_params(0.0, k == 0 ? 1e-9 : 2e-9, 100, 0.1);
        basin_ctx *ctx = mc_run_ok("rsvp", mc_load(t));
        free(t);
        fields[k] = malloc(48 * 12 * sizeof(double));
        memcpy(fields[k], artifact(ctx, "phi"), 48 * 12 * sizeof(double));
        for (long p = 0; p < 48 * 12; p++)
            fields[k][p] -= (double)(p % 48);
        run_ctx_free(ctx);
    }
    double diff = 0.0;
    for (long p = 0; p < 48 * 12; p++) {
        norm += fields[0][p] * fields[0][p];
        double d = fields[1][p] - 2.0 * fields[0][p];
        diff += d * d;
    }
    ck_assert_double_gt(sqrt(norm), 1e-7); /* it grew from ~1e-9 */
    ck_assert_double_le(sqrt(diff), 1e-4 * sqrt(norm));
    free(fields[0]);
    free(fields[1]);
}
END_TEST

/* ---- 3. tiles ------------------------------------------------------------------------ */

/* Reference: a constructed S (0 inside four rectangles, 1 elsewhere) whose components of
 * {S < ½} are known: on a 20 × 12 grid, A = [0,2]×[1,3] and B = [17,19]×[1,3] touch the
 * left and right edges, C = [5,9]×[6,10], D = [12,13]×[0,0] — four components without
 * wrapping, three with (A and B join across the periodic edge). Cells, boxes and mean S
 * are exact; with S = 0.25 in one cell of C the mean is 0.25/25. At τ = 2 the whole grid
 * is one component. */
START_TEST(test_tiles_components)
{
    const long nx = 20, ny = 12;
    double S[240];
    for (long k = 0; k < nx * ny; k++)
        S[k] = 1.0;
    const long rect[4][4] = {{0, 1, 2, 3}, {17, 1, 19, 3}, {5, 6, 9, 10}, {12, 0, 13, 0}};
    for (int r = 0; r < 4; r++)
        for (long j = rect[r][1]; j <= rect[r][3]; j++)
            for (long i = rect[r][0]; i <= rect[r][2]; i++)
                S[j * nx + i] = 0.0;
    S[8 * nx + 7] = 0.25;
    int32_t label[240], stack[240];
    long n = basin_tiles_label(nx, ny, false, S, 0.5, label, stack);
    ck_assert_int_eq(n, 4);
    basin_tile t[8];
    basin_tiles_stats(nx, ny, S, label, n, t);
    /* labels in row-major order of first cells: D (row 0), A, B (row 1), C */
    const long cells[4] = {2, 9, 9, 25};
    const long box[4][4] = {{12, 0, 13, 0}, {0, 1, 2, 3}, {17, 1, 19, 3}, {5, 6, 9, 10}};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(t[k].cells, cells[k]);
        ck_assert_int_eq(t[k].i0, box[k][0]);
        ck_assert_int_eq(t[k].j0, box[k][1]);
        ck_assert_int_eq(t[k].i1, box[k][2]);
        ck_assert_int_eq(t[k].j1, box[k][3]);
    }
    ck_assert_double_eq_tol(t[3].mean_S, 0.25 / 25.0, 1e-15);
    ck_assert_double_eq(t[1].mean_S, 0.0);
    ck_assert_int_eq(basin_tiles_label(nx, ny, true, S, 0.5, label, stack), 3);
    ck_assert_int_eq(label[1 * nx + 0], label[1 * nx + 19]);
    ck_assert_int_eq(basin_tiles_label(nx, ny, false, S, 2.0, label, stack), 1);
    ck_assert_int_eq(basin_tiles_label(nx, ny, false, S, 0.0, label, stack), 0);
}
END_TEST

/* Reference: basin/tiles.h's split rule on a constructed tile. One 16 × 16 component
 * (τ above every value) with S = 0 in its lower-left 8 × 8 quadrant and S = 1 elsewhere:
 * the first split has a child of mean 0 < the parent's 0.75, so it is kept; the zero
 * quadrant then has uniform S and is a leaf, the three S = 1 quadrants are uniform too:
 * 1 + 4 nodes, 4 leaves. With max_depth 1 the same; with min_gain above 1 − 0/0.75... any
 * gain ≤ 1 keeps it, and a uniform S never splits. Every child's cells lie in its
 * parent's box and the children's cells add up to the parent's. */
START_TEST(test_tiles_split)
{
    const long nx = 16, ny = 16;
    double S[256];
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++)
            S[j * nx + i] = (i < 8 && j < 8) ? 0.0 : 1.0;
    int32_t label[256], stack[256];
    long n = basin_tiles_label(nx, ny, true, S, 2.0, label, stack);
    ck_assert_int_eq(n, 1);
    basin_tile tiles[1], out[600];
    basin_tiles_stats(nx, ny, S, label, n, tiles);
    ck_assert_double_eq(tiles[0].mean_S, 0.75);
    long leaves = 0;
    long m = basin_tiles_split(nx, ny, S, label, tiles, n, 5, 0.0, out, 600, &leaves);
    ck_assert_int_eq(m, 5);
    ck_assert_int_eq(leaves, 4);
    long sum = 0;
    for (long k = 1; k < m; k++) {
        ck_assert_int_eq(out[k].parent, 0);
        ck_assert_int_eq(out[k].depth, 1);
        ck_assert_int_eq(out[k].cells, 64);
        sum += out[k].cells;
    }
    ck_assert_int_eq(sum, 256);
    ck_assert_double_eq(out[1].mean_S, 0.0);
    /* uniform S: no split */
    for (long k = 0; k < 256; k++)
        S[k] = 0.5;
    basin_tiles_stats(nx, ny, S, label, n, tiles);
    m = basin_tiles_split(nx, ny, S, label, tiles, n, 5, 0.0, out, 600, &leaves);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(leaves, 1);
    /* a gradient S = i: splits down to max_depth; parents precede children and children
     * lie in their parents' boxes */
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++)
            S[j * nx + i] = (double)i;
    basin_tiles_stats(nx, ny, S, label, n, tiles);
    m = basin_tiles_split(nx, ny, S, label, tiles, n, 3, 0.0, out, 600, &leaves);
    ck_assert_int_gt(m, 5);
    for (long k = 1; k < m; k++) {
        const basin_tile *p = &out[out[k].parent];
        ck_assert_int_lt(out[k].parent, k);
        ck_assert_int_le(out[k].depth, 3);
        ck_assert_int_ge(out[k].i0, p->i0);
        ck_assert_int_le(out[k].i1, p->i1);
        ck_assert_int_ge(out[k].j0, p->j0);
        ck_assert_int_le(out[k].j1, p->j1);
    }
}
END_TEST

/* Reference: the model's tiles output agrees with the core on its own S artifact: the
 * summary counts per threshold equal basin_tiles_label on the returned S at the
 * thresholds listed in values, and the recursive leaves are reported. */
START_TEST(test_tiles_in_model)
{
    basin_ctx *ctx =
        mc_run_ok("rsvp", mc_load("{\"nx\": 40, \"ny\": 32, \"steps\": 50, \"seed\": 3, \"phi0\": "
                                  "{\"type\": \"noise\", \"std\": 1}, \"tiles\": {\"thresholds\": "
                                  "[0.3, 1, 3], \"recursive\": true, \"max_depth\": 2}}"));
    const double *S = artifact(ctx, "S");
    json_t *tl = json_object_get(ctx->values, "tiles");
    ck_assert_int_eq(json_array_size(tl), 3);
    int32_t label[40 * 32], stack[40 * 32];
    for (int k = 0; k < 3; k++) {
        json_t *e = json_array_get(tl, (size_t)k);
        double tau = json_number_value(json_object_get(e, "threshold"));
        long n = basin_tiles_label(40, 32, true, S, tau, label, stack);
        char key[16];
        snprintf(key, sizeof key, "tiles_%d", k);
        ck_assert_int_eq(json_integer_value(json_object_get(ctx->summary, key)), n);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "count")), n);
        ck_assert(json_is_array(json_object_get(e, "split")));
    }
    ck_assert(json_is_integer(json_object_get(ctx->summary, "tiles_recursive")));
    ck_assert_int_eq(json_integer_value(json_object_get(ctx->summary, "tiles")),
                     json_integer_value(json_object_get(ctx->summary, "tiles_0")));
    run_ctx_free(ctx);
}
END_TEST

/* ---- 4. anchors, snapshots, reproducibility ------------------------------------------- */

/* Reference: basin/rsvp.h — anchors are held at w + rate·t after every step, exactly;
 * snapshots phi@<step> appear at 0 and every snapshot_every steps; the same params and
 * seed reproduce bit for bit, and the normalised params re-parse to themselves. */
START_TEST(test_anchors_snapshots_reproducible)
{
    const char *text = "{\"nx\": 20, \"ny\": 16, \"steps\": 100, \"snapshot_every\": 25, "
                       "\"seed\": 8, \"phi0\": {\"type\": \"noise\", \"std\": 0.5}, \"anchors\": "
                       "[{\"x\": 3, \"y\": 4, \"value\": 2}, {\"x\": 10, \"y\": 10, \"value\": "
                       "-1, \"rate\": 0.01}]}";
    basin_ctx *a = mc_run_ok("rsvp", mc_load(text)), *b = mc_run_ok("rsvp", mc_load(text));
    const double *pa = artifact(a, "phi"), *pb = artifact(b, "phi");
    ck_assert_int_eq(memcmp(pa, pb, 20 * 16 * sizeof(double)), 0);
    double T = mc_summary(a, "time");
    ck_assert(pa[4 * 20 + 3] == 2.0);
    ck_assert_double_eq_tol(pa[10 * 20 + 10], -1.0 + 0.01 * T, 1e-15);
    for (int s = 0; s <= 100; s += 25) {
        char name[32];
        snprintf(name, sizeof name, "phi@%d", s);
        ck_assert_ptr_nonnull(run_ctx_find_artifact(a, name));
    }
    run_ctx_free(a);
    run_ctx_free(b);

    json_t *params = mc_load(text);
    json_decref(mc_check_reparses("rsvp", params));
    json_decref(params);
    /* defaults re-parse too */
    params = json_object();
    json_decref(mc_check_reparses("rsvp", params));
    json_decref(params);
}
END_TEST

/* Reference: params.c, read_real — the default dt is 0.9 dt_max and dt_max grows as h²:
 * with h = 666 660 it is far above dt's bound 1e6, so the default becomes the bound, and
 * the normalised params (which carry it) re-parse to themselves. */
START_TEST(test_large_cell_default_dt_is_bounded)
{
    json_t *params = mc_load("{\"h\": 666660, \"seed\": 1}");
    json_t *normalized = mc_check_reparses("rsvp", params);
    ck_assert_double_eq(json_real_value(json_object_get(normalized, "dt")), 1e6);
    json_decref(normalized);
    json_decref(params);
}
END_TEST

/* ---- 5. validation ------------------------------------------------------------------- */

/* Reference: models.md conventions — bad params are refused with a JSON pointer per
 * problem; a dt above the stability limit is refused; work over the limits is
 * BASIN_ELIMIT. */
START_TEST(test_validation)
{
    struct {
        const char *params;
        const char *pointer;
    } cases[] = {
        {"{\"dt\": 0.3}", "/params/dt"},
        {"{\"mu\": 100, \"dt\": 0.03}", "/params/dt"},
        {"{\"nx\": 3, \"ny\": 2, \"phi0\": [1, 2, 3]}", "/params/phi0"},
        {"{\"nx\": 3, \"ny\": 2, \"v0\": {\"x\": [[1, 2, 3], [1, 2]]}}", "/params/v0/x/1"},
        {"{\"nx\": 3, \"ny\": 2, \"eta\": [1, 2, 3, 4, 5, 1e300]}", "/params/eta/5"},
        {"{\"nx\": 3, \"ny\": 2, \"cost\": [1, 2, 3, 4, 5, -1]}", "/params/cost/5"},
        {"{\"boundary\": \"dirichlet\", \"boundary_value\": [1, 2]}", "/params/boundary_value"},
        {"{\"nx\": 8, \"ny\": 8, \"anchors\": [{\"x\": 8, \"y\": 0, \"value\": 1}]}",
         "/params/anchors/0/x"},
        {"{\"nx\": 8, \"ny\": 8, \"anchors\": [{\"x\": 1, \"y\": 0.5, \"value\": 1}]}",
         "/params/anchors/0/y"},
        {"{\"nx\": 8, \"ny\": 8, \"anchors\": [{\"x\": 1, \"y\": 1, \"value\": 1}, {\"x\": 1, "
         "\"y\": 1, \"value\": 3}]}",
         "/params/anchors/1"},
        {"{\"anchors\": [{\"x\": 1, \"value\": 1}]}", "/params/anchors/0/y"},
        {"{\"nx\": 4096, \"ny\": 4096}", "/params/nx"},
        {"{\"nx\": 1}", "/params/nx"},
        {"{\"phi0\": {\"type\": \"wave\"}}", "/params/phi0/type"},
        {"{\"phi0\": {\"type\": \"gaussian\", \"bumps\": [{\"width\": 0}]}}",
         "/params/phi0/bumps/0/width"},
        {"{\"tiles\": {\"thresholds\": []}}", "/params/tiles/thresholds"},
        {"{\"tiles\": {\"depth\": 2}}", "/params/tiles/depth"},
        {"{\"force\": 3}", "/params/force"},
        {"{\"snapshot_every\": 1, \"steps\": 1000}", "/params/snapshot_every"},
        {"{\"h\": 1e-300}", "/params/dt"}, /* dt_max = h²/(4D) underflows to 0 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        basin_problems problems;
        json_t *normalized;
        void *config;
        json_t *params = mc_load(cases[c].params);
        int rc = mc_parse("rsvp", params, &basin_default_limits, &problems, &normalized, &config);
        json_decref(params);
        ck_assert_msg(rc == BASIN_EINVAL || rc == BASIN_ELIMIT, "case %zu (%s): rc %d", c,
                      cases[c].params, rc);
        ck_assert_msg(mc_has_problem(&problems, cases[c].pointer),
                      "case %zu: no problem at %s (%s)", c, cases[c].pointer,
                      problems.count ? problems.items[0].pointer : "no problems");
        ck_assert_ptr_null(config);
    }
    basin_limits small = basin_default_limits;
    small.max_work = 100000000;
    basin_problems problems;
    json_t *normalized;
    void *config;
    json_t *params = mc_load("{\"nx\": 256, \"ny\": 256, \"steps\": 100000}");
    ck_assert_int_eq(mc_parse("rsvp", params, &small, &problems, &normalized, &config),
                     BASIN_ELIMIT);
    ck_assert(problems.over_limit);
    ck_assert(mc_has_problem(&problems, "/params/steps"));
    json_decref(params);
}
END_TEST

/* ---- 6. cancellation ----------------------------------------------------------------- */

/* Reference: model.h — run() returns BASIN_ECANCELLED when asked, well under a second
 * after the request: a stop before the run, and one 100 ms into a long run on 1024²
 * cells (checked every ~2e7 operations, a few steps). Bound 0.5 s, headroom for a loaded
 * machine. */
START_TEST(test_cancellation)
{
    json_t *params = mc_load("{\"nx\": 1024, \"ny\": 1024, \"steps\": 20000, \"record_every\": "
                             "1000}");
    void *config = mc_parse_ok("rsvp", params, NULL);
    run_ctx_free(mc_run_stopped_before("rsvp", config));
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    ck_assert_double_lt(mc_stop_latency("rsvp", config, ctx, 0.1), 0.5);
    run_ctx_free(ctx);
    mc_model("rsvp")->free_config(config);
    json_decref(params);
}
END_TEST

int main(void)
{
    const mc_case cases[] = {
        {"mass_conserved", test_mass_conserved},
        {"fourier_mode_decay", test_fourier_mode_decay},
        {"momentum_balance", test_momentum_balance},
        {"diagnostics_identities", test_diagnostics_identities},
        {"damping_growth_divergence", test_damping_growth_divergence},
        {"small_mode_is_linear", test_small_mode_is_linear},
        {"tiles_components", test_tiles_components},
        {"tiles_split", test_tiles_split},
        {"tiles_in_model", test_tiles_in_model},
        {"anchors_snapshots_reproducible", test_anchors_snapshots_reproducible},
        {"validation", test_validation},
        {"large_cell_default_dt_is_bounded", test_large_cell_default_dt_is_bounded},
        {"cancellation", test_cancellation},
    };
    return mc_run_suite(mc_suite("rsvp", cases, sizeof cases / sizeof *cases, 120));
}
