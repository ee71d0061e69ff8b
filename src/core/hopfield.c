/*
 * hopfield.c — couplings, sweeps, energy and overlaps of the binary Hopfield network
 * (see include/basin/hopfield.h for the model and the storage of each rule).
 *
 * Invariant between calls: b32 = Ξᵀ s exactly (hebb), b = Kᵀ s (pseudo_inverse) or
 * hloc = W s (storkey) for the current state s, the float ones up to the rounding of
 * incremental updates within one sweep. Every update that flips s_k also applies the
 * flip to b32, b or hloc, so a field read by the next update already sees it.
 */
#include "basin/hopfield.h"

#include <assert.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

/* |h| at or below TIE_FLOAT counts as h = 0 at T = 0 for the floating-point rules: it
 * absorbs the rounding of incrementally maintained fields (≈ flips·ε·|K|), far below any
 * field a pattern produces. Hebb's fields are exact and use 0. */
#define TIE_FLOAT 1e-9

/* Learning stages (learn_stage). */
enum { STAGE_COPY, STAGE_GRAM, STAGE_FACTOR, STAGE_PROJECT, STAGE_STORKEY, STAGE_DONE };

/* Work units, for budgets and admission: one unit ≈ one scalar operation ≈ 1 ns on one
 * core. A flop of BLAS-3 (blocked, vectorised) counts 1/8; an element of the pattern
 * transpose counts 32 (memory traffic and first-touch page faults of the N×P array). */
#define BLAS3_FLOP 0.125
#define COPY_COST  32.0
#define COPY8_COST 4.0

/* async hebb: updates ahead whose pattern rows are prefetched */
#define PREFETCH_AHEAD 8

/* hebb: the rows of xiT8 (and b16) are padded with zeros to a multiple of this many
 * entries, so that the SIMD loops over them have no scalar remainder */
#define ROW_ALIGN 32

_Static_assert(sizeof(lapack_int) == sizeof(int), "pivots are stored as int");

static size_t nn(const basin_hopfield *w)
{
    return (size_t)w->cfg.n;
}

static size_t pp(const basin_hopfield *w)
{
    return (size_t)w->cfg.p;
}

double basin_hopfield_learn_cost(const basin_hopfield_config *cfg)
{
    double N = (double)cfg->n, P = (double)cfg->p;
    double copy = COPY_COST * N * P;
    switch (cfg->rule) {
    case BASIN_HOPFIELD_HEBB:
        return COPY8_COST * N * P;
    case BASIN_HOPFIELD_PSEUDO_INVERSE:
        /* Gram matrix (N P² flops), Cholesky (P³/3), K = Ξ G⁻¹ by solves (2 N P²) */
        return copy + BLAS3_FLOP * (3.0 * N * P * P + P * P * P / 3.0);
    case BASIN_HOPFIELD_STORKEY:
        /* per pattern: f = W ξ (2N²) and the rank-2 update (≈ 6N²), scalar */
        return copy + 8.0 * N * N * P;
    }
    return 0.0;
}

double basin_hopfield_sweep_cost(const basin_hopfield_config *cfg)
{
    double N = (double)cfg->n, P = (double)cfg->p;
    if (cfg->rule == BASIN_HOPFIELD_STORKEY)
        return 2.0 * N * N + 10.0 * N; /* refresh of hloc, worst case N flips */
    return N * (4.0 * P + 10.0);       /* field O(P) + flip O(P) per update */
}

/* Operations one spin update may cost, for turning a budget into a count. */
static double update_cost(const basin_hopfield *w)
{
    if (w->cfg.rule == BASIN_HOPFIELD_STORKEY)
        return (double)w->cfg.n + 4.0;
    return 4.0 * (double)w->cfg.p + 10.0;
}

void basin_hopfield_free(basin_hopfield *w)
{
    if (!w)
        return;
    free(w->xi8);
    free(w->xiT8);
    free(w->b32);
    free(w->b16);
    free(w->K);
    free(w->Xi);
    free(w->d);
    free(w->G);
    free(w->W);
    free(w->b);
    free(w->bP);
    free(w->hloc);
    free(w->hN);
    free(w->sd);
    free(w->aP);
    free(w->s);
    free(w->s_new);
    free(w->s_prev);
    free(w->perm);
    free(w->piv);
    free(w);
}

int basin_hopfield_alloc(const basin_hopfield_config *cfg, const int8_t *xi, basin_hopfield **out)
{
    size_t bytes = (size_t)cfg->n * (size_t)cfg->p;
    int8_t *copy = malloc(bytes);
    if (!copy)
        return BASIN_ENOMEM;
    memcpy(copy, xi, bytes);
    return basin_hopfield_adopt(cfg, copy, out);
}

int basin_hopfield_adopt(const basin_hopfield_config *cfg, int8_t *xi, basin_hopfield **out)
{
    assert(cfg->n >= 1 && cfg->p >= 1 && cfg->n <= 2147483647L);
    assert(cfg->temperature >= 0.0);
    basin_hopfield *w = calloc(1, sizeof *w);
    if (!w) {
        free(xi);
        return BASIN_ENOMEM;
    }
    w->cfg = *cfg;
    size_t N = nn(w), P = pp(w);

    w->xi8 = xi; /* P×N, for exact overlaps; the N×P copies are filled by learning */
    w->d = malloc(N * sizeof *w->d);
    w->hN = malloc(N * sizeof *w->hN);
    w->sd = malloc(N * sizeof *w->sd);
    w->s = calloc(N, 1);
    w->s_new = calloc(N, 1);
    w->s_prev = calloc(N, 1);
    w->perm = malloc(N * sizeof *w->perm);
    if (!w->d || !w->hN || !w->sd || !w->s || !w->s_new || !w->s_prev || !w->perm)
        goto nomem;
    switch (cfg->rule) {
    case BASIN_HOPFIELD_HEBB:
        /* rows padded with zeros to a whole number of SIMD blocks */
        w->ps = (P + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
        w->xiT8 = calloc(N, w->ps);
        w->b32 = calloc(P, sizeof *w->b32);
        if (N <= INT16_MAX)
            w->b16 = calloc(w->ps, sizeof *w->b16);
        if (!w->xiT8 || !w->b32 || (N <= INT16_MAX && !w->b16))
            goto nomem;
        break;
    case BASIN_HOPFIELD_PSEUDO_INVERSE:
        w->Xi = malloc(N * P * sizeof *w->Xi);
        w->K = malloc(N * P * sizeof *w->K);
        w->G = calloc(P * P, sizeof *w->G);
        if (!w->Xi || !w->K || !w->G)
            goto nomem;
        break;
    case BASIN_HOPFIELD_STORKEY:
        w->Xi = malloc(N * P * sizeof *w->Xi);
        w->W = calloc(N * N, sizeof *w->W);
        w->hloc = calloc(N, sizeof *w->hloc);
        if (!w->Xi || !w->W || !w->hloc)
            goto nomem;
        break;
    }
    if (cfg->rule != BASIN_HOPFIELD_HEBB) {
        w->b = malloc(P * sizeof *w->b);
        w->bP = malloc(P * sizeof *w->bP);
        w->aP = malloc(P * sizeof *w->aP);
        if (!w->b || !w->bP || !w->aP)
            goto nomem;
    }

    w->tie = cfg->rule == BASIN_HOPFIELD_HEBB ? 0.0 : TIE_FLOAT;
    w->c = 1.0;
    if (cfg->rule == BASIN_HOPFIELD_HEBB) {
        /* J_ii = ξ_i·ξ_i / N = P/N = α before the diagonal is removed (d is J_ii·N) */
        for (size_t i = 0; i < N; i++)
            w->d[i] = (double)P;
        /* |ξ_iμ b_μ| ≤ N, so `chunk` terms sum to at most INT32_MAX */
        w->chunk = (size_t)(INT32_MAX / cfg->n);
    }
    w->learn_stage = STAGE_COPY;
    for (size_t i = 0; i < N; i++)
        w->s[i] = 1;
    *out = w;
    return 0;

nomem:
    basin_hopfield_free(w);
    return BASIN_ENOMEM;
}

/* ---- learning ------------------------------------------------------------------------ */

/* Rows of Ξ that fit a budget at `per_row` operations each, at least one. */
static size_t rows_for(double budget, double per_row, size_t left)
{
    double r = budget / per_row;
    if (!(r >= 1.0))
        return 1;
    return r < (double)left ? (size_t)r : left;
}

/* Transposes the 8×8 byte matrix held in r[0..8) (byte j of r[i] is entry (i, j)): the
 * off-diagonal 4×4, then 2×2, then 1×1 blocks are swapped with masks and shifts. */
static void transpose8x8(uint64_t r[8])
{
    for (int i = 0; i < 4; i++) {
        uint64_t t = ((r[i] >> 32) ^ r[i + 4]) & 0x00000000FFFFFFFFu;
        r[i + 4] ^= t;
        r[i] ^= t << 32;
    }
    static const int upper[4] = {0, 1, 4, 5}; /* the rows whose pair is two below */
    for (int k = 0; k < 4; k++) {
        int i = upper[k];
        uint64_t t = ((r[i] >> 16) ^ r[i + 2]) & 0x0000FFFF0000FFFFu;
        r[i + 2] ^= t;
        r[i] ^= t << 16;
    }
    for (int i = 0; i < 8; i += 2) {
        uint64_t t = ((r[i] >> 8) ^ r[i + 1]) & 0x00FF00FF00FF00FFu;
        r[i + 1] ^= t;
        r[i] ^= t << 8;
    }
}

/* T[i·ts + μ] = X[μ·N + i] for the columns i in [i0, i1) of the P×N int8 matrix X: 8×8
 * blocks through registers, the edges entry by entry. */
static void transpose8(const int8_t *restrict X, size_t N, size_t P, size_t i0, size_t i1,
                       int8_t *restrict T, size_t ts)
{
    size_t P8 = P & ~(size_t)7, a = i0;
    for (; a + 8 <= i1; a += 8) {
        for (size_t m = 0; m < P8; m += 8) {
            uint64_t r[8];
            for (int k = 0; k < 8; k++)
                memcpy(&r[k], X + (m + (size_t)k) * N + a, 8);
            transpose8x8(r);
            for (int k = 0; k < 8; k++)
                memcpy(T + (a + (size_t)k) * ts + m, &r[k], 8);
        }
        for (size_t i = a; i < a + 8; i++)
            for (size_t mu = P8; mu < P; mu++)
                T[i * ts + mu] = X[mu * N + i];
    }
    for (size_t i = a; i < i1; i++)
        for (size_t mu = 0; mu < P; mu++)
            T[i * ts + mu] = X[mu * N + i];
}

/* Mirrors the lower triangle of the row-major P×P matrix A into its upper triangle. */
static void symmetrize_lower(double *A, size_t P)
{
    for (size_t i = 0; i < P; i++)
        for (size_t j = i + 1; j < P; j++)
            A[i * P + j] = A[j * P + i];
}

/* Factors the Gram matrix G = ΞᵀΞ (full symmetric, column-major = row-major) for the
 * solves K_i = G⁻¹ ξ_i. When G is well conditioned (dpotrf succeeds and the reciprocal
 * condition estimate of dpocon exceeds 1e-10): G = L Lᵀ, rank = P, identity pivots.
 * Otherwise (repeated or dependent patterns, P ≥ N) a pivoted Cholesky (dpstrf, pivots
 * down to 1e-9·max G_ii) gives Πᵀ G Π = L Lᵀ whose leading rank × rank block factors
 * G_BB for a maximal independent set B = {piv[0..rank)} of patterns; K_i = G_BB⁻¹ ξ_{i,B}
 * on B and 0 elsewhere makes Ξ Kᵀ = Ξ_B G_BB⁻¹ Ξ_Bᵀ, the same orthogonal projector onto
 * the span of all the patterns (= Ξ G⁺ Ξᵀ). The factor replaces G. */
static int factor_gram(basin_hopfield *w)
{
    size_t P = pp(w);
    lapack_int n = (lapack_int)P;
    double *A = malloc(P * P * sizeof *A);
    w->piv = malloc(P * sizeof *w->piv);
    if (!A || !w->piv) {
        free(A);
        return BASIN_ENOMEM;
    }
    double anorm = 0.0, max_diag = 0.0; /* 1-norm of G for the condition estimate */
    for (size_t j = 0; j < P; j++) {
        double col = 0.0;
        for (size_t i = 0; i < P; i++)
            col += fabs(w->G[i * P + j]);
        anorm = col > anorm ? col : anorm;
        max_diag = w->G[j * P + j] > max_diag ? w->G[j * P + j] : max_diag;
    }
    memcpy(A, w->G, P * P * sizeof *A);
    double rcond = 0.0;
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, A, n) == 0 &&
        LAPACKE_dpocon(LAPACK_COL_MAJOR, 'L', n, A, n, anorm, &rcond) == 0 && rcond > 1e-10) {
        for (size_t a = 0; a < P; a++)
            w->piv[a] = (int)a + 1;
        w->rank = (long)P;
    } else {
        memcpy(A, w->G, P * P * sizeof *A);
        lapack_int rank = 0;
        if (LAPACKE_dpstrf(LAPACK_COL_MAJOR, 'L', n, A, n, w->piv, &rank, 1e-9 * max_diag) < 0 ||
            rank < 1) {
            free(A);
            return BASIN_EDIVERGED;
        }
        w->rank = (long)rank;
    }
    free(w->G);
    w->G = A;
    return 0;
}

/* One Storkey (1997) step for pattern ξ = ξ^ν, from W = W^{ν−1}:
 *   W_ij += (1/N)(ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j),  h_ij = Σ_{k≠i,j} W_ik ξ_k,  i ≠ j.
 * With f = W ξ and W_ii = 0, h_ij = f_i − W_ij ξ_j, so (ξ² = 1, W symmetric)
 *   W_ij += (1/N)(ξ_i ξ_j − ξ_i f_j − f_i ξ_j + 2 W_ij). */
static void storkey_step(basin_hopfield *w, size_t nu)
{
    size_t N = nn(w);
    const int8_t *xi = w->xi8 + nu * N;
    double *f = w->hN, *x = w->sd;
    for (size_t i = 0; i < N; i++)
        x[i] = (double)xi[i];
    cblas_dsymv(CblasRowMajor, CblasLower, (blasint)N, 1.0, w->W, (blasint)N, x, 1, 0.0, f, 1);
    /* Written as ξ_i ξ_j − (ξ_i f_j + f_i ξ_j): IEEE sums and products commute, so entry
     * (j, i) rounds exactly like (i, j) and W stays exactly symmetric. */
    double inv_n = 1.0 / (double)N;
    for (size_t i = 0; i < N; i++) {
        double *Wi = w->W + i * N;
        for (size_t j = 0; j < N; j++)
            Wi[j] += inv_n * (x[i] * x[j] - (x[i] * f[j] + f[i] * x[j]) + 2.0 * Wi[j]);
        Wi[i] = 0.0;
    }
}

int basin_hopfield_learn_part(basin_hopfield *w, double budget)
{
    size_t N = nn(w), P = pp(w);
    blasint np = (blasint)P;
    switch (w->learn_stage) {
    case STAGE_COPY: {
        /* hebb: xiT8[i·ps + μ] = ξ_i^μ by 8×8 byte transposes; the others: Xi[i·P + μ] =
         * ξ_i^μ in blocks of 256 rows (contiguous reads of xi8, writes within a block that
         * stays in cache) */
        bool hebb = w->cfg.rule == BASIN_HOPFIELD_HEBB;
        size_t i0 = (size_t)w->learn_pos;
        size_t i1 = i0 + rows_for(budget, (hebb ? COPY8_COST : COPY_COST) * (double)P, N - i0);
        if (hebb) {
            transpose8(w->xi8, N, P, i0, i1, w->xiT8, w->ps);
        } else {
            for (size_t b0 = i0; b0 < i1; b0 += 256) {
                size_t b1 = b0 + 256 < i1 ? b0 + 256 : i1;
                for (size_t mu = 0; mu < P; mu++) {
                    const int8_t *x = w->xi8 + mu * N;
                    for (size_t i = b0; i < b1; i++)
                        w->Xi[i * P + mu] = (double)x[i];
                }
            }
        }
        w->learn_pos = (long)i1;
        if (i1 < N)
            return 0;
        w->learn_pos = 0;
        switch (w->cfg.rule) {
        case BASIN_HOPFIELD_HEBB:
            w->learn_stage = STAGE_DONE;
            w->learned = true;
            return 1;
        case BASIN_HOPFIELD_PSEUDO_INVERSE:
            w->learn_stage = STAGE_GRAM;
            return 0;
        case BASIN_HOPFIELD_STORKEY:
            w->learn_stage = STAGE_STORKEY;
            return 0;
        }
        return 0;
    }
    case STAGE_GRAM: {
        /* G = ΞᵀΞ = Σ over row blocks of Ξ_blkᵀ Ξ_blk (entries are exact integers) */
        size_t i0 = (size_t)w->learn_pos;
        size_t rows = rows_for(budget, BLAS3_FLOP * (double)P * (double)P, N - i0);
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, np, (blasint)rows, 1.0, w->Xi + i0 * P,
                    np, 1.0, w->G, np);
        w->learn_pos = (long)(i0 + rows);
        if (i0 + rows == N) {
            symmetrize_lower(w->G, P);
            w->learn_stage = STAGE_FACTOR;
            w->learn_pos = 0;
        }
        return 0;
    }
    case STAGE_FACTOR: {
        int rc = factor_gram(w);
        if (rc)
            return rc;
        w->learn_stage = STAGE_PROJECT;
        return 0;
    }
    case STAGE_PROJECT: {
        /* K_i = G_BB⁻¹ ξ_{i,B} on B, 0 elsewhere, for a block of rows i: gather ξ_{i,B}
         * (pivot order) into the row of K, solve with the factor in place (the block is
         * the column-major rank × rows right-hand side with leading dimension P),
         * scatter back. d_i = ξ_i·K_i = (Ξ Kᵀ)_ii. */
        size_t i0 = (size_t)w->learn_pos, r = (size_t)w->rank;
        size_t rows = rows_for(budget, BLAS3_FLOP * 2.0 * (double)P * (double)P, N - i0);
        for (size_t i = i0; i < i0 + rows; i++)
            for (size_t a = 0; a < r; a++)
                w->K[i * P + a] = w->Xi[i * P + (size_t)w->piv[a] - 1];
        if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)r, (lapack_int)rows, w->G, np,
                           w->K + i0 * P, np) != 0)
            return BASIN_EDIVERGED;
        for (size_t i = i0; i < i0 + rows; i++) {
            double *Ki = w->K + i * P;
            memcpy(w->aP, Ki, r * sizeof *Ki);
            memset(Ki, 0, P * sizeof *Ki);
            for (size_t a = 0; a < r; a++)
                Ki[w->piv[a] - 1] = w->aP[a];
            w->d[i] = cblas_ddot(np, w->Xi + i * P, 1, Ki, 1);
        }
        w->learn_pos = (long)(i0 + rows);
        if (i0 + rows == N) {
            free(w->G);
            w->G = NULL;
            free(w->piv);
            w->piv = NULL;
            w->learn_stage = STAGE_DONE;
            w->learned = true;
            return 1;
        }
        return 0;
    }
    case STAGE_STORKEY: {
        size_t nu0 = (size_t)w->learn_pos;
        size_t count = rows_for(budget, 8.0 * (double)N * (double)N, P - nu0);
        for (size_t nu = nu0; nu < nu0 + count; nu++)
            storkey_step(w, nu);
        w->learn_pos = (long)(nu0 + count);
        if (nu0 + count == P) {
            for (size_t i = 0; i < N; i++)
                w->d[i] = 0.0;
            w->learn_stage = STAGE_DONE;
            w->learned = true;
            return 1;
        }
        return 0;
    }
    default:
        return 1;
    }
}

int basin_hopfield_learn(basin_hopfield *w)
{
    int rc;
    while ((rc = basin_hopfield_learn_part(w, INFINITY)) == 0)
        ;
    return rc < 0 ? rc : 0;
}

/* ---- SIMD kernels -------------------------------------------------------------------- */

/* SIMD clones of the hot loops. The integer kernels are exact and the heat-bath kernel
 * settles only the decisions that no rounding can change (see heat_bath), so every clone
 * gives the same bits. Not under ThreadSanitizer: its runtime is not ready when the ifunc
 * resolvers run at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BASIN_CLONES
#endif

/* Spins per tile of the sync kernels (int32 dots and uniforms live on the stack). */
#define TILE 256

/* Heat bath: P(s = +1) = 1/(1 + e^{−x}), x = 2h/T, for |x| ≤ X_CUT; certain beyond. */
#define X_CUT 40.0

/* Half-width of the band around u(1 + e^{−x}) = 1 that heat_bath leaves to the exact
 * evaluation: 2^-30 ≈ 9.3e-10, a thousand times the error of its e^{−x}. */
#define BAND 0x1.0p-30

/* out[r] = Σ_i X[r·len + i] y[i] for the rows r < rows of the row-major int8 matrix X.
 * Entries are ±1, so |out[r]| ≤ len < 2^31: the int32 sums are exact. */
BASIN_CLONES static void dots8(size_t rows, size_t len, const int8_t *restrict X,
                               const int8_t *restrict y, int32_t *restrict out)
{
    for (size_t r = 0; r < rows; r++) {
        const int8_t *x = X + r * len;
        int32_t acc = 0;
        for (size_t i = 0; i < len; i++)
            acc += x[i] * y[i];
        out[r] = acc;
    }
}

/* out[r] = x_r·b for the rows r < rows of the int8 matrix X (row stride ps, a multiple of
 * ROW_ALIGN) and the int16 vector b (ps entries), four rows at a time so that each block
 * of b is loaded once for four rows. int8 × int16 products summed in int32 are the
 * multiply-add of every x86-64 SIMD level (pmaddwd). The caller guarantees that the sums
 * fit in int32. */
BASIN_CLONES static void dots8x16(size_t rows, size_t ps, const int8_t *restrict X,
                                  const int16_t *restrict b, int32_t *restrict out)
{
    ps &= ~(size_t)(ROW_ALIGN - 1); /* no remainder loop: ps is a multiple already */
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const int8_t *x0 = X + r * ps, *x1 = x0 + ps, *x2 = x1 + ps, *x3 = x2 + ps;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (size_t mu = 0; mu < ps; mu++) {
            a0 += x0[mu] * b[mu];
            a1 += x1[mu] * b[mu];
            a2 += x2[mu] * b[mu];
            a3 += x3[mu] * b[mu];
        }
        out[r] = a0;
        out[r + 1] = a1;
        out[r + 2] = a2;
        out[r + 3] = a3;
    }
    for (; r < rows; r++) {
        const int8_t *x = X + r * ps;
        int32_t acc = 0;
        for (size_t mu = 0; mu < ps; mu++)
            acc += x[mu] * b[mu];
        out[r] = acc;
    }
}

/* hebb: h_i = (dot_i − P s_i)/N + h_ext for i < n (exact numerators; one rounding each
 * for the quotient and the sum, as in hebb_field) */
BASIN_CLONES static void hebb_h(size_t n, const int32_t *restrict dot, const int8_t *restrict s,
                                int32_t P, double N, double field, double *restrict h)
{
    for (size_t i = 0; i < n; i++)
        h[i] = (double)(dot[i] - P * s[i]) / N + field;
}

/* hebb flip of spin k by d = ±2 (x = ξ_k): b32 += d x and, when b16 is not NULL, b16 too
 * (|b| ≤ N ≤ INT16_MAX there). */
BASIN_CLONES static void flip8(size_t P, const int8_t *restrict x, int32_t d, int32_t *restrict b32,
                               int16_t *restrict b16)
{
    for (size_t mu = 0; mu < P; mu++)
        b32[mu] += d * x[mu];
    if (b16)
        for (size_t mu = 0; mu < P; mu++)
            b16[mu] = (int16_t)(b16[mu] + d * x[mu]);
}

/* The heat-bath decision for field h and uniform u, as specified: x = 2h/T, +1 when
 * x > X_CUT, −1 when x < −X_CUT, else +1 iff u < 1/(1 + exp(−x)). */
static int8_t heat_bath_exact(double h, double T, double u)
{
    double x = 2.0 * h / T;
    if (x > X_CUT)
        return 1;
    if (x < -X_CUT)
        return -1;
    return u < 1.0 / (1.0 + exp(-x)) ? 1 : -1;
}

/* heat_bath_exact without a libm call, from two_T = 2/T: ±1 where that decision is
 * certain, 0 where the caller must call heat_bath_exact (a fraction ~2e-9 of the spins).
 *   x' = h·(2/T) is within 3 ulps of heat_bath_exact's x.
 *   x' > 38: +1. Beyond 40 by the rule; below, e^{−x} < 2^-54, so 1 + e^{−x} rounds to 1
 *            and u < 1 always holds.
 *   −39.9 ≤ x' ≤ 38: e = e^{−x'} (y = k ln2 + r, |r| ≤ ln2/2, Taylor polynomial of degree
 *            10 for e^r, 2^k from the bits of the rounding shifter; relative error < 1e-12
 *            all told), z = u(1 + e). z < 1 − BAND gives u(1 + e^{−x}) < 1 − BAND/2: u is
 *            below the probability by far more than the few ulps by which exp, the sum and
 *            the quotient of heat_bath_exact can move it, so +1; z > 1 + BAND: −1.
 *   x' < −39.9: −1 when u > 0 (u ≥ 2^-53 exceeds the probability, at most e^{−39.9}).
 * So the result is the same bits whatever the SIMD width, FMA contraction or libm; NaN
 * fields are left to heat_bath_exact as well. Branch-free, so that loops over it
 * vectorise. */
static inline int8_t heat_bath_fast(double h, double two_T, double u)
{
    double x = h * two_T, y = -x;
    double t = y * 0x1.71547652b82fep0 + 0x1.8p52; /* low bits: k = round(y/ln2) */
    double k = t - 0x1.8p52;
    double r = y - k * 0x1.62e42fefa39efp-1;
    double p = r * (1.0 / 3628800.0) + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits; /* 2^k = (k + 1023) << 52; k sits in t's low bits, two's complement */
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + (1023u - 0x4338000000000000u)) << 52;
    double two_k;
    memcpy(&two_k, &bits, sizeof two_k);
    double z = u * (1.0 + p * two_k);
    int mid = (x >= -39.9) & (x <= 38.0);
    int plus = (x > 38.0) | (mid & (z < 1.0 - BAND));
    int minus = (mid & (z > 1.0 + BAND)) | ((x < -39.9) & (u > 0.0));
    return (int8_t)(plus - minus);
}

/* heat_bath_fast for n spins: out[i] from h[i] and u[i] */
BASIN_CLONES static void heat_bath(size_t n, const double *restrict h, const double *restrict u,
                                   double T, int8_t *restrict out)
{
    double two_T = 2.0 / T;
    for (size_t i = 0; i < n; i++)
        out[i] = heat_bath_fast(h[i], two_T, u[i]);
}

/* ---- fields and state ---------------------------------------------------------------- */

/* sd = s as doubles */
static void state_to_double(basin_hopfield *w)
{
    size_t N = nn(w);
    for (size_t i = 0; i < N; i++)
        w->sd[i] = (double)w->s[i];
}

/* Recomputes the maintained fields from s: b32 (and b16) = Ξᵀ s, b = Kᵀ s, or
 * hloc = W s. */
static void refresh_fields(basin_hopfield *w)
{
    blasint N = (blasint)w->cfg.n, P = (blasint)w->cfg.p;
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB) {
        dots8(pp(w), nn(w), w->xi8, w->s, w->b32);
        if (w->b16)
            for (blasint mu = 0; mu < P; mu++)
                w->b16[mu] = (int16_t)w->b32[mu];
        return;
    }
    state_to_double(w);
    if (w->cfg.rule == BASIN_HOPFIELD_STORKEY)
        cblas_dsymv(CblasRowMajor, CblasLower, N, 1.0, w->W, N, w->sd, 1, 0.0, w->hloc, 1);
    else
        cblas_dgemv(CblasRowMajor, CblasTrans, N, P, 1.0, w->K, P, w->sd, 1, 0.0, w->b, 1);
}

/* hebb: the fast int16 form of the fields applies (N ≤ INT16_MAX and N·P ≤ INT32_MAX) */
static bool hebb16(const basin_hopfield *w)
{
    return w->b16 && w->chunk >= pp(w);
}

/* hebb: ξ_i·b exactly. Blocks of `chunk` products are summed in int32 (a block sums to
 * at most chunk·N ≤ INT32_MAX), the blocks in int64. */
static int64_t hebb_dot(const basin_hopfield *w, size_t i)
{
    size_t P = pp(w), chunk = w->chunk;
    const int8_t *x = w->xiT8 + i * w->ps;
    int64_t total = 0;
    for (size_t m0 = 0; m0 < P; m0 += chunk) {
        size_t m1 = P - m0 > chunk ? m0 + chunk : P;
        int32_t acc = 0;
        if (w->b16) {
            const int16_t *b = w->b16;
            for (size_t mu = m0; mu < m1; mu++)
                acc += x[mu] * b[mu];
        } else {
            const int32_t *b = w->b32;
            for (size_t mu = m0; mu < m1; mu++)
                acc += x[mu] * b[mu];
        }
        total += acc;
    }
    return total;
}

/* hebb: h_i = (ξ_i·b − P s_i)/N + h_ext, the numerator exact */
static double hebb_field(const basin_hopfield *w, size_t i)
{
    if (hebb16(w)) {
        int32_t dot;
        double h;
        dots8x16(1, w->ps, w->xiT8 + i * w->ps, w->b16, &dot);
        hebb_h(1, &dot, w->s + i, (int32_t)w->cfg.p, (double)w->cfg.n, w->cfg.field, &h);
        return h;
    }
    int64_t num = hebb_dot(w, i) - (int64_t)w->cfg.p * w->s[i];
    return (double)num / (double)w->cfg.n + w->cfg.field;
}

/* hebb: h[i] for i in [i0, i1), as hebb_field */
static void hebb_fields(const basin_hopfield *w, size_t i0, size_t i1, double *h)
{
    if (hebb16(w)) {
        int32_t dot[TILE];
        for (size_t t0 = i0; t0 < i1; t0 += TILE) {
            size_t n = i1 - t0 < TILE ? i1 - t0 : TILE;
            dots8x16(n, w->ps, w->xiT8 + t0 * w->ps, w->b16, dot);
            hebb_h(n, dot, w->s + t0, (int32_t)w->cfg.p, (double)w->cfg.n, w->cfg.field, h + t0);
        }
        return;
    }
    for (size_t i = i0; i < i1; i++)
        h[i] = hebb_field(w, i);
}

double basin_hopfield_local_field(const basin_hopfield *w, long i)
{
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB)
        return hebb_field(w, (size_t)i);
    if (w->cfg.rule == BASIN_HOPFIELD_STORKEY)
        return w->hloc[i] + w->cfg.field;
    /* h_i = c (ξ_i·b − d_i s_i) + h_ext */
    size_t P = pp(w);
    double dot = cblas_ddot((blasint)P, w->Xi + (size_t)i * P, 1, w->b, 1);
    return w->c * (dot - w->d[i] * (double)w->s[i]) + w->cfg.field;
}

/* Applies s_k → −s_k (already written to s) to the maintained fields:
 * b32 += δ ξ_k, b += δ K_k or hloc += δ W_k, with δ = s_k(new) − s_k(old) = 2 s_k(new). */
static void apply_flip(basin_hopfield *w, size_t k, int8_t s_new)
{
    double delta = 2.0 * (double)s_new;
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB) {
        size_t P = pp(w);
        flip8(P, w->xiT8 + k * w->ps, 2 * s_new, w->b32, w->b16);
    } else if (w->cfg.rule == BASIN_HOPFIELD_STORKEY) {
        size_t N = nn(w);
        const double *Wk = w->W + k * N;
        double *h = w->hloc;
        for (size_t j = 0; j < N; j++)
            h[j] += delta * Wk[j];
    } else {
        size_t P = pp(w);
        const double *Kk = w->K + k * P;
        double *b = w->b;
        for (size_t mu = 0; mu < P; mu++)
            b[mu] += delta * Kk[mu];
    }
}

/* The new value of a spin with local field h: sign(h) (kept on a tie) at T = 0, else
 * +1 with probability (1 + tanh(h/T))/2 = 1/(1 + e^{−x}), x = 2h/T, against one uniform
 * u (heat_bath_exact). For |x| > 40 the probability is within e^{−40} ≈ 4.3e-18 of 1 or 0
 * — below the 2^-53 spacing of u — and is taken as 1 or 0 without calling exp. */
static int8_t decide(const basin_hopfield *w, basin_rng *rng, double h, int8_t s_old)
{
    double T = w->cfg.temperature;
    if (T > 0.0) {
        double u = basin_rng_uniform(rng);
        int8_t s = heat_bath_fast(h, 2.0 / T, u);
        return s ? s : heat_bath_exact(h, T, u);
    }
    if (h > w->tie)
        return 1;
    if (h < -w->tie)
        return -1;
    return s_old;
}

/* decide() for the spins i in [i0, i1) with fields h[i], into out[i]: the same decisions
 * from the same uniforms, drawn in order of i, one per spin when T > 0. */
static void decide_block(const basin_hopfield *w, basin_rng *rng, size_t i0, size_t i1,
                         const double *h, int8_t *out)
{
    double T = w->cfg.temperature, tie = w->tie;
    const int8_t *s = w->s;
    if (!(T > 0.0)) {
        for (size_t i = i0; i < i1; i++)
            out[i] = h[i] > tie ? 1 : h[i] < -tie ? -1 : s[i];
        return;
    }
    double u[TILE];
    for (size_t t0 = i0; t0 < i1; t0 += TILE) {
        size_t n = i1 - t0 < TILE ? i1 - t0 : TILE;
        for (size_t k = 0; k < n; k++)
            u[k] = basin_rng_uniform(rng);
        heat_bath(n, h + t0, u, T, out + t0);
        int8_t *tile = out + t0;
        for (int8_t *z = memchr(tile, 0, n); z;) { /* left undecided: rare */
            size_t k = (size_t)(z - tile);
            *z = heat_bath_exact(h[t0 + k], T, u[k]);
            z = k + 1 < n ? memchr(z + 1, 0, n - k - 1) : NULL;
        }
    }
}

void basin_hopfield_set_state(basin_hopfield *w, const int8_t *s)
{
    assert(w->learned);
    memcpy(w->s, s, nn(w));
    refresh_fields(w);
    w->in_sweep = false;
    w->sweep_pos = 0;
    w->sweep_flips = 0;
    w->flips = 0;
    w->cycle2 = false;
    w->have_prev = false;
}

/* ---- sweeps -------------------------------------------------------------------------- */

static void sweep_begin(basin_hopfield *w, basin_rng *rng)
{
    size_t N = nn(w);
    if (w->cfg.rule != BASIN_HOPFIELD_HEBB)
        refresh_fields(w); /* bounds the drift of incremental updates to one sweep */
    if (w->cfg.dynamics == BASIN_HOPFIELD_ASYNC) {
        /* a fresh uniform permutation (Fisher–Yates) */
        for (size_t i = 0; i < N; i++)
            w->perm[i] = (uint32_t)i;
        for (size_t i = N - 1; i > 0; i--) {
            size_t j = (size_t)basin_rng_below(rng, (uint64_t)i + 1);
            uint32_t t = w->perm[i];
            w->perm[i] = w->perm[j];
            w->perm[j] = t;
        }
    }
    w->in_sweep = true;
    w->sweep_pos = 0;
    w->sweep_flips = 0;
}

/* async hebb in the int16 form: updates perm[k0..k1) in order, each seeing the latest
 * state; the field, decide() and the flip of each update inlined into one SIMD clone. */
BASIN_CLONES static void async_hebb16(basin_hopfield *w, basin_rng *rng, size_t k0, size_t k1)
{
    size_t N = nn(w), P = pp(w), ps = w->ps & ~(size_t)(ROW_ALIGN - 1);
    const int8_t *X = w->xiT8;
    const uint32_t *perm = w->perm;
    int8_t *s = w->s;
    int32_t *b32 = w->b32;
    int16_t *b16 = w->b16;
    int32_t Pi = (int32_t)P;
    double n = (double)w->cfg.n, field = w->cfg.field;
    long flips = 0;
    for (size_t k = k0; k < k1; k++) {
        size_t i = perm[k];
        if (k + PREFETCH_AHEAD < N) {
            /* the order is random: fetch the pattern row of a later update in advance */
            const int8_t *row = X + (size_t)perm[k + PREFETCH_AHEAD] * ps;
            for (size_t off = 0; off < ps; off += 64)
                __builtin_prefetch(row + off);
        }
        const int8_t *x = X + i * ps;
        int32_t acc = 0;
        for (size_t mu = 0; mu < ps; mu++)
            acc += x[mu] * b16[mu];
        double h = (double)(acc - Pi * s[i]) / n + field;
        int8_t s_new = decide(w, rng, h, s[i]);
        if (s_new != s[i]) {
            s[i] = s_new;
            int32_t d = 2 * s_new;
            for (size_t mu = 0; mu < P; mu++)
                b32[mu] += d * x[mu];
            for (size_t mu = 0; mu < ps; mu++) /* the padding stays 0 */
                b16[mu] = (int16_t)(b16[mu] + d * x[mu]);
            flips++;
        }
    }
    w->sweep_flips += flips;
}

/* async: updates perm[k0..k1) in order, each seeing the latest state */
static void async_part(basin_hopfield *w, basin_rng *rng, size_t k0, size_t k1)
{
    size_t N = nn(w);
    bool hebb = w->cfg.rule == BASIN_HOPFIELD_HEBB;
    if (hebb && hebb16(w)) {
        async_hebb16(w, rng, k0, k1);
        return;
    }
    for (size_t k = k0; k < k1; k++) {
        size_t i = w->perm[k];
        if (hebb && k + PREFETCH_AHEAD < N) {
            const int8_t *row = w->xiT8 + (size_t)w->perm[k + PREFETCH_AHEAD] * w->ps;
            for (size_t off = 0; off < w->ps; off += 64)
                __builtin_prefetch(row + off);
        }
        double h = basin_hopfield_local_field(w, (long)i);
        int8_t s_new = decide(w, rng, h, w->s[i]);
        if (s_new != w->s[i]) {
            w->s[i] = s_new;
            apply_flip(w, i, s_new);
            w->sweep_flips++;
        }
    }
}

/* sync: s_new_i for i in [i0, i1) from the old state (b and hloc stay those of s): all the
 * fields of the block first, then the decisions */
static void sync_part(basin_hopfield *w, basin_rng *rng, size_t i0, size_t i1)
{
    double *h = w->hN;
    if (w->cfg.rule == BASIN_HOPFIELD_STORKEY) {
        for (size_t i = i0; i < i1; i++)
            h[i] = w->hloc[i] + w->cfg.field;
    } else if (w->cfg.rule == BASIN_HOPFIELD_HEBB) {
        hebb_fields(w, i0, i1, h);
    } else {
        /* h = c (Ξ b − d∘s) + h_ext on the block of rows */
        blasint P = (blasint)w->cfg.p;
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)(i1 - i0), P, 1.0, w->Xi + i0 * pp(w), P,
                    w->b, 1, 0.0, h + i0, 1);
        for (size_t i = i0; i < i1; i++)
            h[i] = w->c * (h[i] - w->d[i] * (double)w->s[i]) + w->cfg.field;
    }
    decide_block(w, rng, i0, i1, h, w->s_new);
}

/* sync: counts flips, applies them to the fields, detects a 2-cycle, rotates states */
static void sync_end(basin_hopfield *w)
{
    size_t N = nn(w);
    long flips = 0;
    for (size_t i0 = 0; i0 < N; i0 += 64) { /* skips unchanged blocks at memcmp speed */
        size_t i1 = N - i0 < 64 ? N : i0 + 64;
        if (memcmp(w->s_new + i0, w->s + i0, i1 - i0) == 0)
            continue;
        for (size_t i = i0; i < i1; i++)
            if (w->s_new[i] != w->s[i]) {
                apply_flip(w, i, w->s_new[i]);
                flips++;
            }
    }
    w->cycle2 = flips > 0 && w->have_prev && memcmp(w->s_new, w->s_prev, N) == 0;
    int8_t *t = w->s_prev;
    w->s_prev = w->s;
    w->s = w->s_new;
    w->s_new = t;
    w->have_prev = true;
    w->sweep_flips = flips;
}

bool basin_hopfield_sweep_part(basin_hopfield *w, basin_rng *rng, double budget)
{
    assert(w->learned);
    size_t N = nn(w);
    if (!w->in_sweep)
        sweep_begin(w, rng);
    size_t k0 = (size_t)w->sweep_pos;
    size_t k1 = k0 + rows_for(budget, update_cost(w), N - k0);
    if (w->cfg.dynamics == BASIN_HOPFIELD_ASYNC)
        async_part(w, rng, k0, k1);
    else
        sync_part(w, rng, k0, k1);
    w->sweep_pos = (long)k1;
    if (k1 < N)
        return false;
    if (w->cfg.dynamics == BASIN_HOPFIELD_SYNC)
        sync_end(w);
    else
        w->cycle2 = false;
    w->flips = w->sweep_flips;
    w->in_sweep = false;
    return true;
}

long basin_hopfield_sweep(basin_hopfield *w, basin_rng *rng)
{
    while (!basin_hopfield_sweep_part(w, rng, INFINITY))
        ;
    return w->flips;
}

/* ---- observables --------------------------------------------------------------------- */

double basin_hopfield_energy(basin_hopfield *w)
{
    size_t N = nn(w);
    blasint n = (blasint)N, P = (blasint)w->cfg.p;
    state_to_double(w);
    double sum_s = 0.0;
    for (size_t i = 0; i < N; i++)
        sum_s += w->sd[i];
    double sJs;
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB) {
        /* sᵀ J s = (Σ_μ (ξ^μ·s)² − N P)/N from the exact dots b32 = Ξᵀ s; the sum of
         * squares is exact below 2^53 */
        double sum2 = 0.0;
        for (size_t mu = 0; mu < pp(w); mu++)
            sum2 += (double)w->b32[mu] * (double)w->b32[mu];
        sJs = (sum2 - (double)N * (double)pp(w)) / (double)N;
    } else if (w->cfg.rule == BASIN_HOPFIELD_STORKEY) {
        /* sᵀ W s, W with zero diagonal */
        cblas_dsymv(CblasRowMajor, CblasLower, n, 1.0, w->W, n, w->sd, 1, 0.0, w->hN, 1);
        sJs = cblas_ddot(n, w->sd, 1, w->hN, 1);
    } else {
        /* sᵀ J s = c (aᵀ b − Σ_i d_i) with a = Ξᵀ s, b = Kᵀ s, both computed afresh */
        cblas_dgemv(CblasRowMajor, CblasTrans, n, P, 1.0, w->Xi, P, w->sd, 1, 0.0, w->aP, 1);
        cblas_dgemv(CblasRowMajor, CblasTrans, n, P, 1.0, w->K, P, w->sd, 1, 0.0, w->bP, 1);
        double ab = cblas_ddot(P, w->aP, 1, w->bP, 1);
        double trace = 0.0;
        for (size_t i = 0; i < N; i++)
            trace += w->d[i];
        sJs = w->c * (ab - trace);
    }
    /* L = −½ sᵀJs − h_ext Σ_i s_i */
    return -0.5 * sJs - w->cfg.field * sum_s;
}

double basin_hopfield_overlap(const basin_hopfield *w, long mu)
{
    size_t N = nn(w);
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB)
        return (double)w->b32[mu] / (double)N; /* b32 = Ξᵀ s, exact */
    int32_t dot;
    dots8(1, N, w->xi8 + (size_t)mu * N, w->s, &dot);
    return (double)dot / (double)N;
}

void basin_hopfield_overlaps(basin_hopfield *w, double *m)
{
    size_t N = nn(w), P = pp(w);
    if (w->cfg.rule == BASIN_HOPFIELD_HEBB) {
        for (size_t mu = 0; mu < P; mu++)
            m[mu] = (double)w->b32[mu] / (double)N; /* b32 = Ξᵀ s, exact */
        return;
    }
    state_to_double(w);
    /* Ξᵀ s is an exact integer vector; divide afterwards to keep it so */
    cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)N, (blasint)P, 1.0, w->Xi, (blasint)P, w->sd, 1,
                0.0, m, 1);
    for (size_t mu = 0; mu < P; mu++)
        m[mu] /= (double)N;
}

void basin_hopfield_couplings_full(const basin_hopfield *w, double *J)
{
    assert(w->learned);
    size_t N = nn(w), P = pp(w);
    switch (w->cfg.rule) {
    case BASIN_HOPFIELD_HEBB:
        /* J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ, the integer sums exact */
        for (size_t i = 0; i < N; i++) {
            const int8_t *xi = w->xiT8 + i * w->ps;
            for (size_t j = 0; j < N; j++) {
                const int8_t *xj = w->xiT8 + j * w->ps;
                long acc = 0;
                for (size_t mu = 0; mu < P; mu++)
                    acc += xi[mu] * xj[mu];
                J[i * N + j] = (double)acc / (double)N;
            }
        }
        break;
    case BASIN_HOPFIELD_PSEUDO_INVERSE:
        /* J = c Ξ Kᵀ */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)N, (blasint)N, (blasint)P,
                    w->c, w->Xi, (blasint)P, w->K, (blasint)P, 0.0, J, (blasint)N);
        break;
    case BASIN_HOPFIELD_STORKEY:
        memcpy(J, w->W, N * N * sizeof *J);
        break;
    }
}

void basin_hopfield_couplings(const basin_hopfield *w, double *J)
{
    size_t N = nn(w);
    basin_hopfield_couplings_full(w, J);
    for (size_t i = 0; i < N; i++)
        J[i * N + i] = 0.0;
}
