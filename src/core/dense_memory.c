/*
 * dense_memory.c — continuous and binary dense associative memories (see
 * include/basin/dense_memory.h for the models and the scaled forms used).
 *
 * Continuous invariant: after an evaluation, S, Wt, smax, lse and energy describe Q; an
 * update consumes them and leaves the evaluation cleared. Binary invariant between calls:
 * b_q = Ξᵀ s_q exactly for every query q (every flip is applied to b at once).
 *
 * Threads: every quantity of one query (a row of Q, S, Wt) depends on that query alone, so
 * each part of an evaluation or an update is shared out over threads (the kept helper
 * threads of basin/helpers.h, joined within the part; one BLAS thread each). The products are
 * cut into fixed blocks, and each block is one dgemm call whichever thread makes it:
 * OpenBLAS does not give the same bits for a row computed within different row counts (its
 * kernels tile the rows by width), so the blocks must not depend on the thread count. The
 * update is cut into blocks of UPDATE_ROWS query rows; the scores into tiles of SCORE_ROWS
 * query rows × SCORE_COLS patterns of the part's patterns, so that each thread reads its
 * own patterns (with row blocks alone, every thread packs every pattern: on two threads
 * the scores took ~1.5× as long as one dgemm over two BLAS threads). The softmax rows are
 * independent and are split freely. Results are therefore the same bits for any thread
 * count.
 */
#include "basin/dense_memory.h"

#include <assert.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basin/error.h"
#include "basin/helpers.h"
#include "basin/vexp.h"

/* Work units (≈ 1 ns of one core): a dgemm flop counts 1/8, an exponential and its
 * bookkeeping 12 (libm's expm1 on nearly flat scores; basin_vexp is several times cheaper,
 * the estimate stays on the safe side), a binary update 6 per pattern. */
#define BLAS3_FLOP 0.125
#define EXP_COST   12.0

/* Independent partial sums of the softmax: sums and extrema over a row are taken in this
 * many lanes, element μ in lane μ mod LANES, then the lanes in order — a fixed order that
 * SIMD code of any width follows exactly. */
#define LANES 8

/* SIMD clones of the softmax loops: additions, subtractions and one multiplication per
 * element in a fixed order, no contraction into FMA, so every clone gives the same bits.
 * Not under ThreadSanitizer: its runtime is not ready when the ifunc resolvers run. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES                                                                               \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),                   \
                   optimize("fp-contract=off")))
#else
#define BASIN_CLONES
#endif

/* Query rows per dgemm call of the update, and the tile of a dgemm call of the scores (the
 * last block of a batch or a part may be shorter). Fixed, so that the bits do not depend on
 * the thread count; 128-row update blocks lose ≈ 4% of dgemm speed against one call over
 * 256 rows (d = 512, 20000 patterns), smaller blocks lose 30% or more; score tiles of
 * 256 × 512 run two threads as fast as one dgemm over two BLAS threads. */
#define UPDATE_ROWS 128
#define SCORE_ROWS  256
#define SCORE_COLS  512

/* Automatic thread count: at most THREADS_MAX, and each thread at least THREAD_WORK units
 * (≈ 1 ms) of a part, so that small problems stay on the caller's thread. */
#define THREADS_MAX 8
#define THREAD_WORK 1e6

enum { EVAL_SCORES, EVAL_SOFTMAX, EVAL_DONE };

/* One thread's share of a part: items [lo, hi) of the given kind. */
typedef enum task_kind { TASK_SCORES, TASK_SOFTMAX, TASK_UPDATE } task_kind;

typedef struct dense_task {
    basin_dense *w;
    task_kind kind;
    size_t lo, hi; /* score tiles, update blocks or softmax query rows */
    size_t mu0, m; /* the block of patterns of the part */
} dense_task;

/* Items that fit a budget at `per_item` operations each: at least one, at most `left`. */
static size_t items_for(double budget, double per_item, size_t left)
{
    double r = budget / per_item;
    if (!(r >= 1.0))
        return 1;
    return r < (double)left ? (size_t)r : left;
}

/* CPUs this process may run on (its affinity mask, so taskset and cpusets count). */
static long cpus_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? n : 1;
}

/* ---- continuous ------------------------------------------------------------------------ */

double basin_dense_eval_cost(const basin_dense_config *cfg)
{
    double n = (double)cfg->n, P = (double)cfg->p, B = (double)cfg->q;
    return BLAS3_FLOP * 2.0 * B * P * n + EXP_COST * B * P + 2.0 * B * n;
}

double basin_dense_update_cost(const basin_dense_config *cfg)
{
    double n = (double)cfg->n, P = (double)cfg->p, B = (double)cfg->q;
    return BLAS3_FLOP * 2.0 * B * P * n + 4.0 * B * n;
}

void basin_dense_free(basin_dense *w)
{
    if (!w)
        return;
    free(w->X);
    free(w->xnorm);
    free(w->wsum);
    free(w->Q);
    free(w->Qn);
    free(w->S);
    free(w->Wt);
    free(w->energy);
    free(w->lse);
    free(w->smax);
    free(w);
}

int basin_dense_alloc(const basin_dense_config *cfg, const double *X, basin_dense **out)
{
    size_t bytes = (size_t)cfg->p * (size_t)cfg->n * sizeof *X;
    double *copy = malloc(bytes);
    if (!copy)
        return BASIN_ENOMEM;
    memcpy(copy, X, bytes);
    return basin_dense_adopt(cfg, copy, out);
}

int basin_dense_adopt(const basin_dense_config *cfg, double *X, basin_dense **out)
{
    assert(cfg->n >= 1 && cfg->p >= 1 && cfg->q >= 1 && cfg->beta >= 0.0);
    basin_dense *w = calloc(1, sizeof *w);
    if (!w) {
        free(X);
        return BASIN_ENOMEM;
    }
    w->cfg = *cfg;
    size_t n = (size_t)cfg->n, P = (size_t)cfg->p, B = (size_t)cfg->q;
    w->X = X;
    w->xnorm = malloc(P * sizeof *w->xnorm);
    w->wsum = malloc(B * sizeof *w->wsum);
    w->Q = calloc(B * n, sizeof *w->Q);
    w->Qn = calloc(B * n, sizeof *w->Qn);
    w->S = malloc(B * P * sizeof *w->S);
    w->Wt = malloc(B * P * sizeof *w->Wt);
    w->energy = malloc(B * sizeof *w->energy);
    w->lse = malloc(B * sizeof *w->lse);
    w->smax = malloc(B * sizeof *w->smax);
    if (!w->xnorm || !w->wsum || !w->Q || !w->Qn || !w->S || !w->Wt || !w->energy || !w->lse ||
        !w->smax) {
        basin_dense_free(w);
        return BASIN_ENOMEM;
    }
    /* |x_μ| and M² = max_μ |x_μ|² */
    double M2 = 0.0;
    for (size_t mu = 0; mu < P; mu++) {
        double r = cblas_ddot((blasint)n, w->X + mu * n, 1, w->X + mu * n, 1);
        w->xnorm[mu] = sqrt(r);
        M2 = r > M2 ? r : M2;
    }
    w->const_term = 0.5 * M2;
    long cpus = cpus_available();
    w->threads = cfg->threads > 0 ? cfg->threads : cpus < THREADS_MAX ? cpus : THREADS_MAX;
    w->stage = EVAL_SCORES;
    *out = w;
    return 0;
}

void basin_dense_set_queries(basin_dense *w, const double *Q)
{
    memcpy(w->Q, Q, (size_t)w->cfg.q * (size_t)w->cfg.n * sizeof *w->Q);
    w->evaluated = false;
    w->stage = EVAL_SCORES;
    w->pos = 0;
}

/* Σ_μ v_μ for μ < n, summed in LANES fixed lanes, then the lanes in order. */
BASIN_CLONES static double lane_sum(size_t n, const double *restrict v)
{
    double acc[LANES] = {0};
    size_t n8 = n - n % LANES;
    for (size_t mu = 0; mu < n8; mu += LANES)
        for (size_t l = 0; l < LANES; l++)
            acc[l] += v[mu + l];
    for (size_t mu = n8; mu < n; mu++)
        acc[mu - n8] += v[mu];
    double sum = 0.0;
    for (size_t l = 0; l < LANES; l++)
        sum += acc[l];
    return sum;
}

/* The largest and the smallest of v[0..n), n ≥ 1 (finite values). */
BASIN_CLONES static void lane_range(size_t n, const double *restrict v, double *max, double *min)
{
    double hi[LANES], lo[LANES];
    for (size_t l = 0; l < LANES; l++)
        hi[l] = lo[l] = v[0];
    size_t n8 = n - n % LANES;
    for (size_t mu = 0; mu < n8; mu += LANES)
        for (size_t l = 0; l < LANES; l++) {
            hi[l] = v[mu + l] > hi[l] ? v[mu + l] : hi[l];
            lo[l] = v[mu + l] < lo[l] ? v[mu + l] : lo[l];
        }
    for (size_t mu = n8; mu < n; mu++) {
        hi[0] = v[mu] > hi[0] ? v[mu] : hi[0];
        lo[0] = v[mu] < lo[0] ? v[mu] : lo[0];
    }
    *max = hi[0];
    *min = lo[0];
    for (size_t l = 1; l < LANES; l++) {
        *max = hi[l] > *max ? hi[l] : *max;
        *min = lo[l] < *min ? lo[l] : *min;
    }
}

/* w_μ = β(s_μ − max) for μ < n (the exponent of the softmax weights) */
BASIN_CLONES static void shifted(size_t n, double beta, const double *restrict s, double max,
                                 double *restrict w)
{
    for (size_t mu = 0; mu < n; mu++)
        w[mu] = beta * (s[mu] - max);
}

/* Softmax weights and energy of query row q, from its scores s = S_q (the weights are left
 * unnormalised in Wt, their sum in wsum: the update divides the B×n result instead of the
 * B×P weights):
 *   β > 0:  w_μ = e^{β(s_μ − max)}/Σ_ν e^{β(s_ν − max)},
 *           E = −max − β⁻¹ log(Σ_μ e^{β(s_μ − max)}/P) + ½|ξ|² + ½M².
 *           When the scores are nearly flat (β(max − min) ≤ 1) the logarithm is taken as
 *           log1p(mean_μ expm1(β(s_μ − max))), which stays accurate as β → 0 where
 *           log Σ − log P would cancel (an error ε/β); otherwise as log(Σ/P), whose
 *           rounding ε·β⁻¹ is then below ε(max − min). The exponentials of that common
 *           case come from basin_vexp over the whole row.
 *   β = 0:  w_μ = 1/P,  E = −mean_μ s_μ + ½|ξ|² + ½M².
 * Sums over μ are lane_sum's. */
static void softmax_row(basin_dense *w, size_t q)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p;
    double beta = w->cfg.beta;
    const double *s = w->S + q * P;
    double *wt = w->Wt + q * P;
    const double *xi = w->Q + q * n;
    double half_norm = 0.5 * cblas_ddot((blasint)n, xi, 1, xi, 1);
    if (beta == 0.0) {
        for (size_t mu = 0; mu < P; mu++)
            wt[mu] = 1.0;
        w->wsum[q] = (double)P;
        w->smax[q] = 0.0;
        w->lse[q] = log((double)P);
        w->energy[q] = -lane_sum(P, s) / (double)P + half_norm + w->const_term;
        return;
    }
    double mx, mn;
    lane_range(P, s, &mx, &mn);
    double sum_w, log_mean;
    if (beta * (mx - mn) <= 1.0) {
        for (size_t mu = 0; mu < P; mu++)
            wt[mu] = expm1(beta * (s[mu] - mx));
        double sum_e = lane_sum(P, wt);
        for (size_t mu = 0; mu < P; mu++)
            wt[mu] += 1.0;
        sum_w = lane_sum(P, wt);
        log_mean = log1p(sum_e / (double)P);
    } else {
        shifted(P, beta, s, mx, wt);
        basin_vexp(P, wt, wt);
        sum_w = lane_sum(P, wt);
        log_mean = log(sum_w / (double)P);
    }
    w->wsum[q] = sum_w;
    w->smax[q] = mx;
    w->lse[q] = log_mean + log((double)P);
    w->energy[q] = -mx - log_mean / beta + half_norm + w->const_term;
}

/* Score tiles of a part of m patterns: rows of tiles over the queries, columns over the
 * part's patterns. */
static size_t score_tile_cols(size_t m)
{
    return (m + SCORE_COLS - 1) / SCORE_COLS;
}

static size_t score_tiles(size_t B, size_t m)
{
    return (B + SCORE_ROWS - 1) / SCORE_ROWS * score_tile_cols(m);
}

/* S[r0:r1, c0:c1] = Q[r0:r1] X[c0:c1]ᵀ for tile t of the part μ0:μ0+m (tiles numbered
 * along the patterns first) */
static void scores_tile(basin_dense *w, size_t t, size_t mu0, size_t m)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p, B = (size_t)w->cfg.q;
    size_t cols = score_tile_cols(m);
    size_t r0 = t / cols * SCORE_ROWS, rows = B - r0 < SCORE_ROWS ? B - r0 : SCORE_ROWS;
    size_t off = t % cols * SCORE_COLS, c0 = mu0 + off;
    size_t width = m - off < SCORE_COLS ? m - off : SCORE_COLS;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)rows, (blasint)width, (blasint)n,
                1.0, w->Q + r0 * n, (blasint)n, w->X + c0 * n, (blasint)n, 0.0, w->S + r0 * P + c0,
                (blasint)P);
}

/* Qn[r0:r1] (+)= Wt[r0:r1, μ0:μ0+m] X[μ0:μ0+m], r0:r1 query block j (= for the first
 * block of patterns, += after) */
static void update_block(basin_dense *w, size_t j, size_t mu0, size_t m)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p, B = (size_t)w->cfg.q;
    size_t r0 = j * UPDATE_ROWS, rows = B - r0 < UPDATE_ROWS ? B - r0 : UPDATE_ROWS;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)rows, (blasint)n, (blasint)m,
                1.0, w->Wt + r0 * P + mu0, (blasint)P, w->X + mu0 * n, (blasint)n,
                mu0 == 0 ? 0.0 : 1.0, w->Qn + r0 * n, (blasint)n);
}

static void run_task(void *arg)
{
    dense_task *t = arg;
    for (size_t k = t->lo; k < t->hi; k++) {
        if (t->kind == TASK_SCORES)
            scores_tile(t->w, k, t->mu0, t->m);
        else if (t->kind == TASK_UPDATE)
            update_block(t->w, k, t->mu0, t->m);
        else
            softmax_row(t->w, k);
    }
}

/* Runs items [lo, hi) of a part of `work` units, shared in contiguous ranges over up to
 * w->threads threads (the caller's thread takes the first, helpers the others). A range
 * no helper was free for is run by the caller: the results are the same. */
static void run_part(basin_dense *w, task_kind kind, size_t lo, size_t hi, size_t mu0, size_t m,
                     double work)
{
    size_t items = hi - lo, T = (size_t)w->threads;
    if (w->cfg.threads == 0) {
        double by_work = work / THREAD_WORK;
        T = by_work < (double)T ? (by_work >= 1.0 ? (size_t)by_work : 1) : T;
    }
    T = T < items ? T : items;
    dense_task task[THREADS_MAX];
    basin_helper_call call[THREADS_MAX];
    bool started[THREADS_MAX] = {false};
    T = T < THREADS_MAX ? T : THREADS_MAX;
    for (size_t k = 0; k < T; k++)
        task[k] = (dense_task){.w = w,
                               .kind = kind,
                               .lo = lo + items * k / T,
                               .hi = lo + items * (k + 1) / T,
                               .mu0 = mu0,
                               .m = m};
    for (size_t k = 1; k < T; k++)
        started[k] = basin_helper_start(&call[k], run_task, &task[k]);
    run_task(&task[0]);
    for (size_t k = 1; k < T; k++) {
        if (started[k])
            basin_helper_join(&call[k]);
        else
            run_task(&task[k]);
    }
}

int basin_dense_eval_part(basin_dense *w, double budget)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p, B = (size_t)w->cfg.q;
    if (w->evaluated)
        return 1;
    if (w->stage == EVAL_SCORES) {
        /* S[:, μ0:μ1] = Q X[μ0:μ1]ᵀ, by tiles */
        size_t mu0 = (size_t)w->pos;
        double per = BLAS3_FLOP * 2.0 * (double)B * (double)n;
        size_t m = items_for(budget, per, P - mu0);
        run_part(w, TASK_SCORES, 0, score_tiles(B, m), mu0, m, per * (double)m);
        w->pos = (long)(mu0 + m);
        if (mu0 + m == P) {
            w->stage = EVAL_SOFTMAX;
            w->pos = 0;
        }
        return 0;
    }
    /* EVAL_SOFTMAX */
    size_t q0 = (size_t)w->pos;
    size_t rows = items_for(budget, EXP_COST * (double)P, B - q0);
    run_part(w, TASK_SOFTMAX, q0, q0 + rows, 0, 0, EXP_COST * (double)P * (double)rows);
    w->pos = (long)(q0 + rows);
    if (q0 + rows < B)
        return 0;
    w->stage = EVAL_DONE;
    w->pos = 0;
    w->evaluated = true;
    return 1;
}

int basin_dense_update_part(basin_dense *w, double budget)
{
    assert(w->evaluated);
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p, B = (size_t)w->cfg.q;
    size_t blocks = (B + UPDATE_ROWS - 1) / UPDATE_ROWS;
    /* Qn = Σ over pattern blocks of Wt[:, μ0:μ1] X[μ0:μ1], then row b divided by Σ_μ w_bμ:
     * ξ_b ← Σ_μ p_bμ x_μ */
    size_t mu0 = (size_t)w->pos;
    double per = BLAS3_FLOP * 2.0 * (double)B * (double)n;
    size_t m = items_for(budget, per, P - mu0);
    run_part(w, TASK_UPDATE, 0, blocks, mu0, m, per * (double)m);
    w->pos = (long)(mu0 + m);
    if (mu0 + m < P)
        return 0;
    double change = 0.0;
    for (size_t b = 0; b < B; b++) {
        double inv = 1.0 / w->wsum[b];
        for (size_t i = 0; i < n; i++) {
            size_t k = b * n + i;
            w->Qn[k] *= inv;
            double d = fabs(w->Qn[k] - w->Q[k]);
            change = d > change || isnan(d) ? d : change;
        }
    }
    double *t = w->Q;
    w->Q = w->Qn;
    w->Qn = t;
    w->change = change;
    w->evaluated = false;
    w->stage = EVAL_SCORES;
    w->pos = 0;
    return 1;
}

void basin_dense_eval(basin_dense *w)
{
    while (!basin_dense_eval_part(w, INFINITY))
        ;
}

void basin_dense_update(basin_dense *w)
{
    basin_dense_eval(w);
    while (!basin_dense_update_part(w, INFINITY))
        ;
}

/* ---- binary ---------------------------------------------------------------------------- */

double basin_dense_bin_update_cost(const basin_dense_bin_config *cfg)
{
    return 6.0 * (double)cfg->p + 20.0;
}

void basin_dense_bin_free(basin_dense_bin *w)
{
    if (!w)
        return;
    free(w->s);
    free(w->b);
    free(w->converged);
    free(w->xi8);
    free(w->xiT8);
    free(w->table);
    free(w->a);
    free(w->perm);
    free(w);
}

int basin_dense_bin_alloc(const basin_dense_bin_config *cfg, const int8_t *xi,
                          basin_dense_bin **out)
{
    assert(cfg->n >= 1 && cfg->n <= (1L << 30) && cfg->p >= 1 && cfg->q >= 1);
    assert(cfg->f == BASIN_DENSE_POLYNOMIAL ? cfg->degree >= 1 : cfg->beta > 0.0);
    basin_dense_bin *w = calloc(1, sizeof *w);
    if (!w)
        return BASIN_ENOMEM;
    w->cfg = *cfg;
    size_t n = (size_t)cfg->n, P = (size_t)cfg->p, B = (size_t)cfg->q;
    w->s = malloc(B * n);
    w->b = malloc(B * P * sizeof *w->b);
    w->converged = calloc(B, sizeof *w->converged);
    w->xi8 = malloc(P * n);
    w->xiT8 = malloc(n * P);
    w->table = malloc((2 * n + 1) * sizeof *w->table);
    w->a = malloc(P * sizeof *w->a);
    w->perm = malloc(n * sizeof *w->perm);
    if (!w->s || !w->b || !w->converged || !w->xi8 || !w->xiT8 || !w->table || !w->a || !w->perm) {
        basin_dense_bin_free(w);
        return BASIN_ENOMEM;
    }
    memcpy(w->xi8, xi, P * n);
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t i1 = i0 + 256 < n ? i0 + 256 : n;
        for (size_t mu = 0; mu < P; mu++)
            for (size_t i = i0; i < i1; i++)
                w->xiT8[i * P + mu] = xi[mu * n + i];
    }
    /* polynomial: table[a + n] = ((a+1)/n)^d − ((a−1)/n)^d for a ∈ [−n, n];
     * exponential: table[k] = e^{−βk} for k ∈ [0, 2n] */
    double dn = (double)n;
    for (size_t k = 0; k <= 2 * n; k++) {
        if (cfg->f == BASIN_DENSE_POLYNOMIAL) {
            double a = (double)k - dn;
            w->table[k] = pow((a + 1.0) / dn, cfg->degree) - pow((a - 1.0) / dn, cfg->degree);
        } else {
            w->table[k] = exp(-cfg->beta * (double)k);
        }
    }
    /* every state all +1: the overlaps of query 0, copied to the others */
    memset(w->s, 1, B * n);
    basin_dense_bin_set_state(w, 0, w->s);
    for (size_t q = 1; q < B; q++)
        memcpy(w->b + q * P, w->b, P * sizeof *w->b);
    *out = w;
    return 0;
}

void basin_dense_bin_set_state(basin_dense_bin *w, long q, const int8_t *s)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p;
    int8_t *sq = w->s + (size_t)q * n;
    if (s != sq)
        memmove(sq, s, n);
    /* b_qμ = ξ^μ·s_q, exact (|b| ≤ n ≤ 2^30) */
    for (size_t mu = 0; mu < P; mu++) {
        const int8_t *x = w->xi8 + mu * n;
        int32_t acc = 0;
        for (size_t i = 0; i < n; i++)
            acc += x[i] * sq[i];
        w->b[(size_t)q * P + mu] = acc;
    }
    w->converged[q] = false;
    w->in_sweep = false;
    w->flips = 0;
}

void basin_dense_bin_set_states(basin_dense_bin *w, const int8_t *s)
{
    size_t n = (size_t)w->cfg.n;
    for (long q = 0; q < w->cfg.q; q++)
        basin_dense_bin_set_state(w, q, s + (size_t)q * n);
}

double basin_dense_bin_drive(basin_dense_bin *w, long q, long i, double *scale)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p;
    const int8_t *x = w->xiT8 + (size_t)i * P;
    const int32_t *bq = w->b + (size_t)q * P;
    int32_t si = w->s[(size_t)q * n + (size_t)i];
    int32_t *a = w->a;
    /* a_μ = b_μ − ξ_i^μ s_i, the overlap without spin i */
    for (size_t mu = 0; mu < P; mu++)
        a[mu] = bq[mu] - x[mu] * si;
    double h = 0.0, mag = 0.0;
    if (w->cfg.f == BASIN_DENSE_POLYNOMIAL) {
        /* Σ_μ ξ_i^μ [((a+1)/n)^d − ((a−1)/n)^d] */
        const double *t = w->table + n;
        for (size_t mu = 0; mu < P; mu++) {
            double v = t[a[mu]];
            h += x[mu] > 0 ? v : -v;
            mag += fabs(v);
        }
    } else {
        /* Σ_μ ξ_i^μ e^{−β(A − a_μ)}, A = max_μ a_μ */
        int32_t A = a[0];
        for (size_t mu = 1; mu < P; mu++)
            A = a[mu] > A ? a[mu] : A;
        for (size_t mu = 0; mu < P; mu++) {
            double v = w->table[A - a[mu]];
            h += x[mu] > 0 ? v : -v;
            mag += v;
        }
    }
    *scale = mag;
    return h;
}

/* One update of spin i of query q: s_i ← sign(drive) unless the drive is within the
 * rounding bound of the sum, 2(P + 2)ε·Σ|terms| (recursive summation of P table entries,
 * each itself within 2ε), where its sign is not certain and s_i is kept. */
static void update_spin(basin_dense_bin *w, size_t q, size_t i)
{
    size_t n = (size_t)w->cfg.n, P = (size_t)w->cfg.p;
    double scale;
    double h = basin_dense_bin_drive(w, (long)q, (long)i, &scale);
    double tie = 2.0 * ((double)P + 2.0) * DBL_EPSILON * scale;
    int8_t *s = w->s + q * n + i;
    int8_t s_new = h > tie ? 1 : h < -tie ? -1 : *s;
    if (s_new == *s)
        return;
    *s = s_new;
    const int8_t *x = w->xiT8 + i * P;
    int32_t *bq = w->b + q * P, d = 2 * s_new;
    for (size_t mu = 0; mu < P; mu++)
        bq[mu] += d * x[mu];
    w->sweep_flips++;
    w->query_flips++;
}

/* Moves w->query to the next query (from `from`) that has not converged, or to B. */
static void next_query(basin_dense_bin *w, long from)
{
    long q = from;
    while (q < w->cfg.q && w->converged[q])
        q++;
    w->query = q;
    w->pos = 0;
}

bool basin_dense_bin_sweep_part(basin_dense_bin *w, basin_rng *rng, double budget)
{
    size_t n = (size_t)w->cfg.n;
    if (!w->in_sweep) {
        w->in_sweep = true;
        w->sweep_flips = 0;
        next_query(w, 0);
    }
    size_t todo = items_for(budget, basin_dense_bin_update_cost(&w->cfg), (size_t)-1);
    while (todo > 0 && w->query < w->cfg.q) {
        size_t q = (size_t)w->query;
        if (w->pos == 0) {
            /* a fresh uniform order of the spins (Fisher–Yates) */
            for (size_t i = 0; i < n; i++)
                w->perm[i] = (uint32_t)i;
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)basin_rng_below(rng, (uint64_t)i + 1);
                uint32_t t = w->perm[i];
                w->perm[i] = w->perm[j];
                w->perm[j] = t;
            }
            w->query_flips = 0;
        }
        size_t k0 = (size_t)w->pos, k1 = n - k0 < todo ? n : k0 + todo;
        for (size_t k = k0; k < k1; k++)
            update_spin(w, q, w->perm[k]);
        todo -= k1 - k0;
        w->pos = (long)k1;
        if (k1 == n) {
            w->converged[q] = w->query_flips == 0;
            next_query(w, (long)q + 1);
        }
    }
    if (w->query < w->cfg.q)
        return false;
    w->in_sweep = false;
    w->flips = w->sweep_flips;
    return true;
}

long basin_dense_bin_sweep(basin_dense_bin *w, basin_rng *rng)
{
    while (!basin_dense_bin_sweep_part(w, rng, INFINITY))
        ;
    return w->flips;
}

double basin_dense_bin_energy(const basin_dense_bin *w, long q)
{
    size_t P = (size_t)w->cfg.p;
    const int32_t *bq = w->b + (size_t)q * P;
    if (w->cfg.f == BASIN_DENSE_POLYNOMIAL) {
        /* −Σ_μ (ξ^μ·s)^d */
        double E = 0.0;
        for (size_t mu = 0; mu < P; mu++)
            E -= pow((double)bq[mu], w->cfg.degree);
        return E;
    }
    /* −β⁻¹ log Σ_μ exp(β b_μ) = −bmax − β⁻¹ log Σ_μ e^{−β(bmax − b_μ)} */
    int32_t bmax = bq[0];
    for (size_t mu = 1; mu < P; mu++)
        bmax = bq[mu] > bmax ? bq[mu] : bmax;
    double sum = 0.0;
    for (size_t mu = 0; mu < P; mu++)
        sum += w->table[bmax - bq[mu]];
    return -(double)bmax - log(sum) / w->cfg.beta;
}
