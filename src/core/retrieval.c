/*
 * retrieval.c — distances between diagonal Gaussians, scans with a bounded top-k, rank
 * fusion and modern-Hopfield completion (see include/basin/retrieval.h).
 *
 * The scans are the hot loop of a memory space: one pass over contiguous rows, the
 * per-row work an inner loop over d written in blocks of LANES independent accumulators
 * (so that the compiler vectorises it without reassociating a single float sum), and a
 * top-k that rejects a non-qualifying row with one comparison. Each scan is compiled for
 * x86-64-v4 (AVX-512), v3 (AVX2) and the baseline and picked at load time (not under
 * ThreadSanitizer, whose runtime is not ready when the ifunc resolvers run).
 *
 * The Fisher–Rao term needs log1p in the inner loop; libm's is not vectorisable, so
 * log1p_pos below computes it branch-free: u = 1 + x split into 2^e · m with m in
 * [√½, √2) by integer operations on the bits, log m by the Cephes logf polynomial
 * (|error| ≲ 1 ulp on that interval), plus the rounding of u corrected to first order.
 */
#include "basin/retrieval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
/* fp-contract=fast: let a·b + c become one FMA where the target has it (ISO C mode turns
 * contraction off; the kernels below are written so that either way is accurate). */
#define BASIN_CLONES                                                                               \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),                   \
                   optimize("fp-contract=fast")))
#else
#define BASIN_CLONES
#endif

/* Independent partial sums per row: four 512-bit (eight 256-bit) accumulators, so that the
 * adds of one row do not wait on each other. */
#define LANES 64

/* ---- exact distances ------------------------------------------------------------------ */

double basin_arccosh1p(double delta)
{
    /* arccosh(1+δ) = log(1 + δ + √(δ(δ+2))); √δ·√(δ+2) avoids overflowing δ² for huge δ
     * and log1p keeps the relative precision of tiny arguments. */
    return log1p(delta + sqrt(delta) * sqrt(delta + 2.0));
}

double basin_fisher_rao_1d(double mu1, double s1, double mu2, double s2)
{
    double dm = mu1 - mu2, ds = s1 - s2;
    /* δ = ((μ₁−μ₂)² + 2(σ₁−σ₂)²) / (4σ₁σ₂); the product is formed as (4σ₁)σ₂ so that it
     * underflows only when the distance is astronomically large anyway. */
    double delta = (dm * dm + 2.0 * ds * ds) / (4.0 * s1 * s2);
    if (!isfinite(delta)) /* the numerator overflowed: use arccosh(1+δ) ≈ log(2δ) */
        return M_SQRT2 * (2.0 * log(fabs(dm) + M_SQRT2 * fabs(ds)) - log(2.0 * s1) - log(s2));
    return M_SQRT2 * basin_arccosh1p(delta);
}

double basin_fisher_rao(int d, const double *mu1, const double *s1, const double *mu2,
                        const double *s2)
{
    double sum = 0.0;
    for (int i = 0; i < d; i++) {
        double di = basin_fisher_rao_1d(mu1[i], s1[i], mu2[i], s2[i]);
        sum += di * di;
    }
    return sqrt(sum);
}

double basin_fisher_rao_f32(int d, const float *mu1, const float *s1, const float *mu2,
                            const float *s2)
{
    double sum = 0.0;
    for (int i = 0; i < d; i++) {
        double di = basin_fisher_rao_1d(mu1[i], s1[i], mu2[i], s2[i]);
        sum += di * di;
    }
    return sqrt(sum);
}

double basin_metric_exact(basin_metric m, int d, const float *mu, const float *s, const float *q_mu,
                          const float *q_s)
{
    double sum = 0.0, aa = 0.0, qq = 0.0;
    switch (m) {
    case BASIN_METRIC_FISHER_RAO:
        return basin_fisher_rao_f32(d, mu, s, q_mu, q_s);
    case BASIN_METRIC_FISHER_LOCAL:
        /* d² = Σ ((μ₁−μ₂)² + 2(σ₁−σ₂)²) / (σ₁σ₂) */
        for (int i = 0; i < d; i++) {
            double dm = (double)mu[i] - q_mu[i], ds = (double)s[i] - q_s[i];
            sum += (dm * dm + 2.0 * ds * ds) / ((double)s[i] * q_s[i]);
        }
        return sqrt(sum);
    case BASIN_METRIC_COSINE:
        for (int i = 0; i < d; i++) {
            sum += (double)mu[i] * q_mu[i];
            aa += (double)mu[i] * mu[i];
            qq += (double)q_mu[i] * q_mu[i];
        }
        return aa > 0 && qq > 0 ? sum / (sqrt(aa) * sqrt(qq)) : 0.0;
    case BASIN_METRIC_EUCLIDEAN:
        for (int i = 0; i < d; i++) {
            double dm = (double)mu[i] - q_mu[i];
            sum += dm * dm;
        }
        return sqrt(sum);
    }
    return NAN;
}

/* ---- top-k ------------------------------------------------------------------------------ */

/* True when a is worse than b: larger key, or equal key and larger row. */
static inline int worse(float ka, uint32_t ra, float kb, uint32_t rb)
{
    return ka > kb || (ka == kb && ra > rb);
}

void basin_topk_init(basin_topk *t, basin_hit *buf, size_t k)
{
    t->h = buf;
    t->n = 0;
    t->k = k;
}

/* Moves the hole at i down to where x belongs (children move up: one store per level). */
static void sift_down(basin_hit *h, size_t n, size_t i, basin_hit x)
{
    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= n)
            break;
        if (l + 1 < n && worse(h[l + 1].key, h[l + 1].row, h[l].key, h[l].row))
            m = l + 1;
        if (!worse(h[m].key, h[m].row, x.key, x.row))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

void basin_topk_push(basin_topk *t, float key, uint32_t row)
{
    basin_hit *h = t->h;
    if (t->n < t->k) {
        size_t i = t->n++;
        h[i] = (basin_hit){key, row};
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!worse(h[i].key, h[i].row, h[p].key, h[p].row))
                break;
            basin_hit tmp = h[i];
            h[i] = h[p];
            h[p] = tmp;
            i = p;
        }
        return;
    }
    if (!worse(h[0].key, h[0].row, key, row))
        return;
    sift_down(h, t->n, 0, (basin_hit){key, row});
}

static int cmp_hit(const void *a, const void *b)
{
    const basin_hit *x = a, *y = b;
    if (worse(x->key, x->row, y->key, y->row))
        return 1;
    if (worse(y->key, y->row, x->key, x->row))
        return -1;
    return 0;
}

size_t basin_topk_sort(basin_topk *t)
{
    qsort(t->h, t->n, sizeof *t->h, cmp_hit);
    return t->n;
}

/* Offers a hit, with the common rejection inlined into the scan loops. */
static inline void offer(basin_topk *t, float key, uint32_t row)
{
    if (t->n == t->k && !worse(t->h[0].key, t->h[0].row, key, row))
        return;
    basin_topk_push(t, key, row);
}

/* ---- the vectorisable kernels -------------------------------------------------------------- */

/* log(1 + x) for x ≥ 0 (finite), branch-free (see the file comment). */
static inline float log1p_pos(float x)
{
    float u = 1.0f + x;
    /* u = fl(1+x) lost the low bits of x: log1p(x) = log(u) + (x − (u−1))/u + O(err²).
     * For u < 2 the division is replaced by the product with 2 − u (the correction is at
     * most half an ulp of 1, so this costs < 2e-8 absolute); above 2 it is below an ulp
     * of log u and dropped. */
    float c = u < 2.0f ? (x - (u - 1.0f)) * (2.0f - u) : 0.0f;
    uint32_t iu;
    memcpy(&iu, &u, sizeof iu);
    iu += 0x3f800000u - 0x3f3504f3u; /* so that the exponent flips at √½ */
    int32_t e = (int32_t)(iu >> 23) - 0x7f;
    iu = (iu & 0x007fffffu) + 0x3f3504f3u;
    float m;
    memcpy(&m, &iu, sizeof m); /* u = 2^e · m, m ∈ [√½, √2) */
    float f = m - 1.0f, z = f * f, fe = (float)e;
    float y = 7.0376836292E-2f;
    y = y * f - 1.1514610310E-1f;
    y = y * f + 1.1676998740E-1f;
    y = y * f - 1.2420140846E-1f;
    y = y * f + 1.4249322787E-1f;
    y = y * f - 1.6668057665E-1f;
    y = y * f + 2.0000714765E-1f;
    y = y * f - 2.4999993993E-1f;
    y = y * f + 3.3333331174E-1f;
    y = y * f * z;
    y += -2.12194440e-4f * fe; /* ln 2 = 0.693359375 − 2.12194440e-4, in two parts */
    y += -0.5f * z;
    return f + y + 0.693359375f * fe + c;
}

/* d_i² / 2 = arccosh(1 + δ)² for one dimension, in float32. δ is capped at 1e18 so that
 * δ(δ+2) stays finite (one square root instead of √δ·√(δ+2)); a capped term is already
 * ≥ 42² — a memory that far is past any top-k, and the rerank is exact in double. */
static inline float fr_term(float m1, float s1, float m2, float s2)
{
    float dm = m1 - m2, ds = s1 - s2;
    float delta = (dm * dm + 2.0f * ds * ds) / (4.0f * s1 * s2);
    float big = delta > 1e18f ? 1.0f : 0.0f; /* a blend, not a branch: it vectorises */
    delta -= big * (delta - 1e18f);
    float L = log1p_pos(delta + sqrtf(delta * (delta + 2.0f)));
    return L * L;
}

static inline float local_term(float m1, float s1, float m2, float s2)
{
    float dm = m1 - m2, ds = s1 - s2;
    return (dm * dm + 2.0f * ds * ds) / (s1 * s2);
}

static inline float bf16_to_f32(uint16_t h)
{
    uint32_t b = (uint32_t)h << 16;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* Σ acc[0..LANES) as a tree of halvings: each level is one vector add, where a plain loop
 * would be LANES dependent scalar adds (the order is fixed, so results stay reproducible). */
static inline float reduce_lanes(float *restrict acc)
{
    for (int w = LANES / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            acc[l] += acc[l + w];
    return acc[0];
}

/* Σ t[0..d) with LANES independent partial sums (vectorisable without reassociation). */
static inline float sum_lanes(const float *restrict t, size_t d)
{
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= d; j += LANES)
        for (int l = 0; l < LANES; l++)
            acc[l] += t[j + l];
    for (; j < d; j++)
        acc[j % LANES] += t[j];
    return reduce_lanes(acc);
}

/* One scan function per (metric, representation); each walks rows[0..count), or 0..count-1
 * when rows is NULL. Per row, the terms go into t (d floats, in L1) by a plain loop that
 * vectorises, and are then summed by sum_lanes. */
BASIN_CLONES static void scan_fr_f32(size_t d, const float *restrict mu, const float *restrict sg,
                                     const float *restrict q, const float *restrict qs,
                                     const uint32_t *rows, size_t count, float *restrict t,
                                     basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const float *restrict a = mu + i * d, *restrict s = sg + i * d;
        for (size_t j = 0; j < d; j++)
            t[j] = fr_term(a[j], s[j], q[j], qs[j]);
        offer(top, sum_lanes(t, d), (uint32_t)i);
    }
}

BASIN_CLONES static void scan_fr_q8(size_t d, const int8_t *restrict code,
                                    const float *restrict scale, const uint16_t *restrict sg,
                                    const float *restrict q, const float *restrict qs,
                                    const uint32_t *rows, size_t count, float *restrict t,
                                    basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const int8_t *restrict a = code + i * d;
        const uint16_t *restrict s = sg + i * d;
        float sc = scale[i];
        for (size_t j = 0; j < d; j++)
            t[j] = fr_term(sc * (float)a[j], bf16_to_f32(s[j]), q[j], qs[j]);
        offer(top, sum_lanes(t, d), (uint32_t)i);
    }
}

BASIN_CLONES static void scan_local_f32(size_t d, const float *restrict mu,
                                        const float *restrict sg, const float *restrict q,
                                        const float *restrict qs, const uint32_t *rows,
                                        size_t count, float *restrict t, basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const float *restrict a = mu + i * d, *restrict s = sg + i * d;
        for (size_t j = 0; j < d; j++)
            t[j] = local_term(a[j], s[j], q[j], qs[j]);
        offer(top, sum_lanes(t, d), (uint32_t)i);
    }
}

BASIN_CLONES static void scan_local_q8(size_t d, const int8_t *restrict code,
                                       const float *restrict scale, const uint16_t *restrict sg,
                                       const float *restrict q, const float *restrict qs,
                                       const uint32_t *rows, size_t count, float *restrict t,
                                       basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const int8_t *restrict a = code + i * d;
        const uint16_t *restrict s = sg + i * d;
        float sc = scale[i];
        for (size_t j = 0; j < d; j++)
            t[j] = local_term(sc * (float)a[j], bf16_to_f32(s[j]), q[j], qs[j]);
        offer(top, sum_lanes(t, d), (uint32_t)i);
    }
}

/* Dot products: cosine (key −a·q̂/‖a‖, q̂ normalised) and, for the q8 candidate stage,
 * euclidean (key ‖a‖² − 2a·q + ‖q‖²). */
BASIN_CLONES static void scan_dot_f32(size_t d, const float *restrict mu, const float *restrict q,
                                      const float *restrict inv_norm, const uint32_t *rows,
                                      size_t count, basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const float *restrict a = mu + i * d;
        float acc[LANES] = {0};
        size_t j = 0;
        for (; j + LANES <= d; j += LANES)
            for (int l = 0; l < LANES; l++)
                acc[l] += a[j + l] * q[j + l];
        for (; j < d; j++)
            acc[j % LANES] += a[j] * q[j];
        offer(top, -reduce_lanes(acc) * inv_norm[i], (uint32_t)i);
    }
}

/* The candidate stage of cosine and euclidean: integer dot products of the int8 means with
 * the query quantised to int16 (qi ≈ q / qscale), which compile to multiply-add pairs
 * (pmaddwd); the int32 sum cannot overflow because |qi| ≤ (2³¹ − 1) / (127 d). */
BASIN_CLONES static void scan_dot_q8(size_t d, const int8_t *restrict code,
                                     const float *restrict scale, const int16_t *restrict qi,
                                     float qscale, const float *restrict inv_norm,
                                     const float *restrict sq_norm, float qq, bool cosine,
                                     const uint32_t *rows, size_t count, basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const int8_t *restrict a = code + i * d;
        int32_t s = 0;
        for (size_t j = 0; j < d; j++)
            s += (int16_t)a[j] * qi[j];
        float dot = (float)s * qscale * scale[i];
        offer(top, cosine ? -dot * inv_norm[i] : sq_norm[i] - 2.0f * dot + qq, (uint32_t)i);
    }
}

/* The Euclidean scan in float32 directly (the expanded form above loses precision when
 * the vectors are long and close; the q8 candidate stage tolerates that). */
BASIN_CLONES static void scan_l2_f32(size_t d, const float *restrict mu, const float *restrict q,
                                     const uint32_t *rows, size_t count, float *restrict t,
                                     basin_topk *top)
{
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        const float *restrict a = mu + i * d;
        for (size_t j = 0; j < d; j++)
            t[j] = (a[j] - q[j]) * (a[j] - q[j]);
        offer(top, sum_lanes(t, d), (uint32_t)i);
    }
}

size_t basin_scan(basin_metric m, const basin_scan_data *S, const float *q_mu, const float *q_sigma,
                  const uint32_t *rows, size_t n_rows, bool quantised, basin_topk *top)
{
    size_t d = (size_t)S->d, count = rows ? n_rows : S->n;
    float *t = malloc((d ? d : 1) * sizeof *t), *qn = malloc((d ? d : 1) * sizeof *qn);
    if (!t || !qn) {
        free(t);
        free(qn);
        return 0;
    }
    const float *q = q_mu;
    double qq = 0.0;
    for (size_t j = 0; j < d; j++)
        qq += (double)q_mu[j] * q_mu[j];
    if (m == BASIN_METRIC_COSINE) {
        /* Normalise the query once: the key is then −(a·q̂)/‖a‖. */
        float inv = qq > 0 ? (float)(1.0 / sqrt(qq)) : 0.0f;
        for (size_t j = 0; j < d; j++)
            qn[j] = q_mu[j] * inv;
        q = qn;
    }
    size_t bytes = 0;
    switch (m) {
    case BASIN_METRIC_FISHER_RAO:
        if (quantised)
            scan_fr_q8(d, S->mu_q8, S->q8_scale, S->sigma_bf16, q, q_sigma, rows, count, t, top);
        else
            scan_fr_f32(d, S->mu, S->sigma, q, q_sigma, rows, count, t, top);
        bytes = count * d * (quantised ? 3 : 8);
        break;
    case BASIN_METRIC_FISHER_LOCAL:
        if (quantised)
            scan_local_q8(d, S->mu_q8, S->q8_scale, S->sigma_bf16, q, q_sigma, rows, count, t, top);
        else
            scan_local_f32(d, S->mu, S->sigma, q, q_sigma, rows, count, t, top);
        bytes = count * d * (quantised ? 3 : 8);
        break;
    case BASIN_METRIC_COSINE:
    case BASIN_METRIC_EUCLIDEAN: {
        bool cosine = m == BASIN_METRIC_COSINE;
        if (quantised) {
            int16_t *qi = (int16_t *)t; /* t has room for d floats */
            double qmax = fmin(32767.0, 2147483647.0 / (127.0 * (double)(d ? d : 1)));
            float amax = 0.0f;
            for (size_t j = 0; j < d; j++)
                amax = fmaxf(amax, fabsf(q[j]));
            float qscale = amax > 0 ? (float)(amax / floor(qmax)) : 1.0f;
            for (size_t j = 0; j < d; j++)
                qi[j] = (int16_t)lrintf(q[j] / qscale);
            scan_dot_q8(d, S->mu_q8, S->q8_scale, qi, qscale, S->inv_norm, S->sq_norm, (float)qq,
                        cosine, rows, count, top);
        } else if (cosine)
            scan_dot_f32(d, S->mu, q, S->inv_norm, rows, count, top);
        else
            scan_l2_f32(d, S->mu, q, rows, count, t, top);
        bytes = count * (d * (quantised ? 1 : 4) + 4);
        break;
    }
    }
    free(t);
    free(qn);
    return bytes;
}

/* ---- fusion ----------------------------------------------------------------------------- */

double basin_rrf(size_t n_channels, const double *w, const int *rank, double k_rrf)
{
    double s = 0.0;
    for (size_t c = 0; c < n_channels; c++)
        if (rank[c] >= 1)
            s += w[c] / (k_rrf + (double)rank[c]);
    return s;
}

/* ---- modern Hopfield --------------------------------------------------------------------- */

/* p = softmax(β Xᵀ ξ) over the selected rows. */
static void attention(int d, const float *X, const uint32_t *rows, size_t n, double beta,
                      const float *xi, double *p)
{
    double amax = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        const float *x = X + (size_t)(rows ? rows[j] : j) * (size_t)d;
        double dot = 0.0;
        for (int i = 0; i < d; i++)
            dot += (double)x[i] * xi[i];
        p[j] = beta * dot;
        if (p[j] > amax)
            amax = p[j];
    }
    double z = 0.0;
    for (size_t j = 0; j < n; j++) {
        p[j] = exp(p[j] - amax);
        z += p[j];
    }
    for (size_t j = 0; j < n; j++)
        p[j] /= z;
}

int basin_hopfield_complete(int d, const float *X, const uint32_t *rows, size_t n_rows, double beta,
                            int steps, double tol, float *xi, double *p_out)
{
    double *next = malloc((size_t)d * sizeof *next);
    if (!next)
        return BASIN_ENOMEM;
    int t = 0;
    while (t < steps) {
        /* ξ ← X softmax(β Xᵀ ξ) */
        attention(d, X, rows, n_rows, beta, xi, p_out);
        memset(next, 0, (size_t)d * sizeof *next);
        for (size_t j = 0; j < n_rows; j++) {
            const float *x = X + (size_t)(rows ? rows[j] : j) * (size_t)d;
            double pj = p_out[j];
            if (pj < 1e-300)
                continue;
            for (int i = 0; i < d; i++)
                next[i] += pj * x[i];
        }
        double change = 0.0;
        for (int i = 0; i < d; i++) {
            double c = fabs(next[i] - xi[i]);
            if (c > change)
                change = c;
            xi[i] = (float)next[i];
        }
        t++;
        if (change <= tol)
            break;
    }
    attention(d, X, rows, n_rows, beta, xi, p_out);
    free(next);
    return t;
}
