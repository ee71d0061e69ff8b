/*
 * retrieval.c — distances between diagonal Gaussians, scans with a bounded top-k, rank
 * fusion and modern-Hopfield completion (see include/basin/retrieval.h).
 *
 * The scans are the hot loop of a memory space: one pass over contiguous rows, the
 * per-row work an inner loop over d written in blocks of LANES independent accumulators
 * (so that the compiler vectorises it without reassociating a single float sum), and a
 * top-k that rejects a non-qualifying row with one comparison. Selections inside the loops
 * are products with 0 or 1, not branches, so that they vectorise for AVX2 as well. Each
 * scan is compiled for x86-64-v4 (AVX-512), v3 (AVX2) and the baseline and picked at load
 * time (not under ThreadSanitizer, whose runtime is not ready when the ifunc resolvers
 * run); where the target has FMA, a·b + c may be fused, so keys can differ across machines
 * by a few ulps (retrieval.h, basin_scan), never across runs on one machine.
 *
 * The candidate stages read compact copies (retrieval.h, basin_scan_data) through integer
 * dot products, written one product per statement so that they compile to multiply-add
 * pairs (pmaddwd) rather than widened 32-bit multiplies — and the cosine one, where the
 * machine has AVX-512 VNNI, through byte products (vpdpbusd) instead, chosen at run time
 * and giving the same integer sums: 4-bit means for cosine (an
 * eighth of the bytes of the float32 means), 8-bit means for euclidean, and for both
 * Fisher metrics the local form as three dot products with query-independent features of
 * each row, so that the candidate stage needs no division or logarithm per component.
 *
 * The Fisher–Rao term needs log1p in the inner loop; libm's is not vectorisable, so
 * log1p_pos below computes it branch-free: u = 1 + x split into 2^e · m with m in
 * [√½, √2) by integer operations on the bits, log m by the Cephes logf polynomial
 * (|error| ≲ 1 ulp on that interval), plus the rounding of u corrected to first order.
 */
#include "basin/retrieval.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_VNNI_KERNEL 1
#endif

#include "basin/embed.h"
#include "basin/error.h"
#include "basin/fast_scan.h"

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

static inline int hit_worse(basin_hit a, basin_hit b)
{
    return worse(a.key, a.row, b.key, b.row);
}

void basin_topk_init(basin_topk *t, basin_hit *buf, size_t k)
{
    t->h = buf;
    t->n = 0;
    t->k = k;
    t->base = 0;
    t->bar_set = false;
}

static int cmp_hit(const void *a, const void *b)
{
    const basin_hit *x = a, *y = b;
    return hit_worse(*x, *y) ? 1 : hit_worse(*y, *x) ? -1 : 0;
}

static void swap_hits(basin_hit *h, size_t i, size_t j)
{
    basin_hit t = h[i];
    h[i] = h[j];
    h[j] = t;
}

/* Reorders h[0..n) so that its k best come first (in no particular order) with the k-th
 * best at h[k−1], 1 ≤ k ≤ n: quickselect with a median-of-three pivot and a Lomuto
 * partition (every loop bounded by the range, whatever the comparisons say), falling back
 * to a full sort of the range after too many rounds, so the worst case stays O(n log n). */
static void select_best(basin_hit *h, size_t n, size_t k)
{
    size_t lo = 0, hi = n, rounds = 0, target = k - 1;
    while (hi - lo > 1) {
        if (++rounds > 64) {
            qsort(h + lo, hi - lo, sizeof *h, cmp_hit);
            return;
        }
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        if (hit_worse(h[lo], h[mid]))
            swap_hits(h, lo, mid);
        if (hit_worse(h[mid], h[last]))
            swap_hits(h, mid, last);
        if (hit_worse(h[lo], h[mid]))
            swap_hits(h, lo, mid);
        swap_hits(h, mid, last); /* the median of three is the pivot, at last */
        basin_hit pivot = h[last];
        size_t store = lo;
        for (size_t i = lo; i < last; i++)
            if (hit_worse(pivot, h[i]))
                swap_hits(h, i, store++);
        swap_hits(h, store, last);
        if (store == target)
            return;
        if (store < target)
            lo = store + 1;
        else
            hi = store;
    }
}

size_t basin_topk_finish(basin_topk *t)
{
    if (t->n > t->k) {
        select_best(t->h, t->n, t->k);
        t->n = t->k;
    }
    if (t->n == t->k && t->k > 0) {
        /* The bar: the worst of the kept (at h[k−1] after a selection; found otherwise). */
        basin_hit bar = t->h[0];
        for (size_t i = 1; i < t->n; i++)
            if (hit_worse(t->h[i], bar))
                bar = t->h[i];
        t->bar = bar;
        t->bar_set = true;
    }
    return t->n;
}

void basin_topk_push(basin_topk *t, float key, uint32_t row)
{
    basin_hit x = {key, row + t->base};
    if (t->bar_set && !hit_worse(t->bar, x))
        return;
    t->h[t->n++] = x;
    if (t->n == 2 * t->k)
        basin_topk_finish(t);
}

size_t basin_topk_sort(basin_topk *t)
{
    basin_topk_finish(t);
    qsort(t->h, t->n, sizeof *t->h, cmp_hit);
    return t->n;
}

/* Offers a hit, with the common rejection inlined into the scan loops. */
static inline void offer(basin_topk *t, float key, uint32_t row)
{
    if (t->bar_set && !worse(t->bar.key, t->bar.row, key, row + t->base))
        return;
    basin_topk_push(t, key, row);
}

/* ---- compact copies ---------------------------------------------------------------------- */

size_t basin_q4_row_bytes(int d)
{
    return ((size_t)d + 63) / 64 * 32;
}

/* x rounded to the nearest integer, ties to even, for |x| < 2^51: adding and removing
 * 1.5·2^52 leaves no fraction bits (what nearbyint does, without a libm call on baseline
 * x86-64). */
static inline double round_even(double x)
{
    const double magic = 6755399441055744.0;
    return (x + magic) - magic;
}

/* The features of the local Fisher form for one component (see basin_scan_data):
 * A = μ²/σ + 2σ, B = μ/σ, C = 1/σ, with one division. */
static inline void fl_features(double mu, double sigma, double f[3])
{
    double r = 1.0 / sigma;
    f[0] = mu * mu * r + 2.0 * sigma;
    f[1] = mu * r;
    f[2] = r;
}

void basin_scan_row_derive(int d, const float *mu, const float *sigma, basin_scan_row *out)
{
    size_t n = (size_t)d;
    double sq = 0.0, amax = 0.0;
    for (size_t j = 0; j < n; j++) {
        sq += (double)mu[j] * mu[j];
        amax = fabs((double)mu[j]) > amax ? fabs((double)mu[j]) : amax;
    }
    out->sq_norm = (float)sq;
    out->inv_norm = sq > 0 ? (float)(1.0 / sqrt(sq)) : 0.0f;
    out->q8_scale = basin_quantize_q8(d, mu, out->mu_q8);
    basin_fs_encode_row(d, mu, out->cos_fs);

    /* 4 bits: max|μ| ↦ ±7, stored as c = code + 8 ∈ [1, 15], two components per byte. */
    float s4 = amax > 0 ? (float)(amax / 7.0) : 1.0f;
    out->q4_scale = s4;
    size_t bytes = basin_q4_row_bytes(d);
    memset(out->mu_q4, 0x88, bytes);
    double inv4 = 1.0 / (double)s4;
    for (size_t j = 0; j < n; j++) {
        double c = round_even((double)mu[j] * inv4);
        uint8_t code = (uint8_t)(8 + (c > 7.0 ? 7 : c < -7.0 ? -7 : (int)c));
        uint8_t *byte = &out->mu_q4[j % bytes];
        *byte =
            j < bytes ? (uint8_t)((*byte & 0xf0u) | code) : (uint8_t)((*byte & 0x0fu) | code << 4);
    }

    /* The features of the local Fisher form, each quantised like mu_q8 (in double): a pass
     * for their largest magnitudes, a pass for the codes. */
    double fmax_k[3] = {0.0, 0.0, 0.0}, f[3];
    for (size_t j = 0; j < n; j++) {
        fl_features(mu[j], sigma[j], f);
        for (int k = 0; k < 3; k++)
            fmax_k[k] = fabs(f[k]) > fmax_k[k] ? fabs(f[k]) : fmax_k[k];
    }
    double inv[3];
    for (int k = 0; k < 3; k++) {
        out->fl_scale[k] = fmax_k[k] > 0 ? (float)(fmax_k[k] / 127.0) : 1.0f;
        inv[k] = 1.0 / (double)out->fl_scale[k];
    }
    for (size_t j = 0; j < n; j++) {
        fl_features(mu[j], sigma[j], f);
        for (int k = 0; k < 3; k++) {
            double c = round_even(f[k] * inv[k]);
            out->fl_q8[(size_t)k * n + j] = (int8_t)(c > 127.0 ? 127.0 : c < -127.0 ? -127.0 : c);
        }
    }
}

basin_scan_data basin_scan_window(const basin_scan_data *S, size_t lo, size_t hi)
{
    size_t d = (size_t)S->d;
    basin_scan_data w = *S;
    w.n = hi - lo;
    w.mu = S->mu + lo * d;
    w.sigma = S->sigma + lo * d;
    w.inv_norm = S->inv_norm + lo;
    w.sq_norm = S->sq_norm + lo;
    if (S->mu_q4) {
        w.mu_q4 = S->mu_q4 + lo * basin_q4_row_bytes(S->d);
        w.q4_scale = S->q4_scale + lo;
    }
    if (S->mu_q8) {
        w.mu_q8 = S->mu_q8 + lo * d;
        w.q8_scale = S->q8_scale + lo;
    }
    if (S->fl_q8) {
        w.fl_q8 = S->fl_q8 + lo * 3 * d;
        w.fl_scale = S->fl_scale + lo * 3;
    }
    w.cos_fs =
        S->cos_fs && lo % BASIN_FS_BLOCK == 0 ? S->cos_fs + lo * basin_fs_row_bytes(S->d) : NULL;
    return w;
}

/* ---- the vectorisable kernels -------------------------------------------------------------- */

/* log(1 + x) for x ≥ 0 (finite), branch-free (see the file comment). */
static inline float log1p_pos(float x)
{
    float u = 1.0f + x;
    /* u = fl(1+x) lost the low bits of x: log1p(x) = log(u) + (x − (u−1))/u + O(err²).
     * For u < 2 the division is replaced by the product with 2 − u (the correction is at
     * most half an ulp of 1, so this costs < 2e-8 absolute); above 2 it is below an ulp
     * of log u and dropped. Selections are products with 0 or 1 (no branch, no blend). */
    float c = (float)(u < 2.0f) * ((x - (u - 1.0f)) * (2.0f - u));
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

/* d_i² / 2 = arccosh(1 + δ)² for one dimension, in float32, with s2x4 = 4σ₂. δ is capped
 * at 1e18 so that δ(δ+2) stays finite (one square root instead of √δ·√(δ+2)); a capped
 * term is already ≥ 42² — a memory that far is past any top-k, and the rerank is exact in
 * double. */
static inline float fr_term(float m1, float s1, float m2, float s2, float s2x4)
{
    float dm = m1 - m2, ds = s1 - s2;
    float delta = (dm * dm + 2.0f * ds * ds) / (s1 * s2x4);
    delta -= (float)(delta > 1e18f) * (delta - 1e18f);
    float L = log1p_pos(delta + sqrtf(delta * (delta + 2.0f)));
    return L * L;
}

static inline float local_term(float m1, float s1, float m2, float s2)
{
    float dm = m1 - m2, ds = s1 - s2;
    return (dm * dm + 2.0f * ds * ds) / (s1 * s2);
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

/* A listed scan (rows given) jumps from row to row, so each row costs a memory latency
 * that the hardware prefetcher, which follows streams, cannot hide. The scans therefore
 * ask for the row `ahead` places on while they work on this one: about 4 KiB in flight,
 * several rows of compact codes or two or three float32 rows. Only a hint: no effect on
 * any key. */
static inline size_t prefetch_distance(size_t row_bytes)
{
    size_t ahead = 4096 / (row_bytes ? row_bytes : 1);
    return ahead < 1 ? 1 : ahead > 16 ? 16 : ahead;
}

static inline void prefetch_listed(const uint32_t *rows, size_t r, size_t count, size_t ahead,
                                   const void *base, size_t row_bytes)
{
    if (!rows || r + ahead >= count)
        return;
    const char *p = (const char *)base + (size_t)rows[r + ahead] * row_bytes;
    for (size_t o = 0; o < row_bytes; o += 64)
        __builtin_prefetch(p + o);
}

/* One scan function per (metric, representation); each walks rows[0..count), or 0..count-1
 * when rows is NULL. The float32 ones sum a row's terms into LANES independent partial sums
 * (a block of LANES components at a time, then the tail), so that the loop vectorises
 * without reassociating any sum, and then reduce them by reduce_lanes. */
#define ROW_SUM(TERM)                                                                              \
    float acc[LANES] = {0};                                                                        \
    size_t j = 0;                                                                                  \
    for (; j + LANES <= d; j += LANES)                                                             \
        for (int l = 0; l < LANES; l++) {                                                          \
            size_t jl = j + (size_t)l;                                                             \
            acc[l] += TERM(jl);                                                                    \
        }                                                                                          \
    for (; j < d; j++)                                                                             \
        acc[j % LANES] += TERM(j);

BASIN_CLONES static void scan_fr_f32(size_t d, const float *restrict mu, const float *restrict sg,
                                     const float *restrict q, const float *restrict qs,
                                     const float *restrict qs4, const uint32_t *rows, size_t count,
                                     basin_topk *top)
{
    const size_t ahead = prefetch_distance(2 * d * sizeof(float));
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, mu, d * sizeof(float));
        prefetch_listed(rows, r, count, ahead, sg, d * sizeof(float));
        const float *restrict a = mu + i * d, *restrict s = sg + i * d;
#define FR(k) fr_term(a[k], s[k], q[k], qs[k], qs4[k])
        ROW_SUM(FR)
#undef FR
        offer(top, reduce_lanes(acc), (uint32_t)i);
    }
}

BASIN_CLONES static void scan_local_f32(size_t d, const float *restrict mu,
                                        const float *restrict sg, const float *restrict q,
                                        const float *restrict qs, const uint32_t *rows,
                                        size_t count, basin_topk *top)
{
    const size_t ahead = prefetch_distance(2 * d * sizeof(float));
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, mu, d * sizeof(float));
        prefetch_listed(rows, r, count, ahead, sg, d * sizeof(float));
        const float *restrict a = mu + i * d, *restrict s = sg + i * d;
#define LOCAL(k) local_term(a[k], s[k], q[k], qs[k])
        ROW_SUM(LOCAL)
#undef LOCAL
        offer(top, reduce_lanes(acc), (uint32_t)i);
    }
}

/* Cosine: key −(a·q̂)/‖a‖, q̂ the normalised query. */
BASIN_CLONES static void scan_dot_f32(size_t d, const float *restrict mu, const float *restrict q,
                                      const float *restrict inv_norm, const uint32_t *rows,
                                      size_t count, basin_topk *top)
{
    const size_t ahead = prefetch_distance(d * sizeof(float));
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, mu, d * sizeof(float));
        prefetch_listed(rows, r, count, ahead, inv_norm, sizeof(float));
        const float *restrict a = mu + i * d;
#define DOT(k) a[k] * q[k]
        ROW_SUM(DOT)
#undef DOT
        offer(top, -reduce_lanes(acc) * inv_norm[i], (uint32_t)i);
    }
}

/* The Euclidean scan in float32 directly (the expanded form ‖a‖² − 2a·q + ‖q‖² loses
 * precision when the vectors are long and close; the candidate stage tolerates that). */
BASIN_CLONES static void scan_l2_f32(size_t d, const float *restrict mu, const float *restrict q,
                                     const uint32_t *rows, size_t count, basin_topk *top)
{
    const size_t ahead = prefetch_distance(d * sizeof(float));
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, mu, d * sizeof(float));
        const float *restrict a = mu + i * d;
#define SQ(k) (a[k] - q[k]) * (a[k] - q[k])
        ROW_SUM(SQ)
#undef SQ
        offer(top, reduce_lanes(acc), (uint32_t)i);
    }
}

/* The candidate stages are integer dot products of the codes with the query quantised to
 * int16 (qi ≈ w / wscale), which compile to multiply-add pairs (pmaddwd); their int32
 * sums cannot overflow because |qi| is capped (q16_max). */

/* Cosine on mu_q4: Σ (c − 8)·qi = Σ c·qi − 8·Σ qi over the padded components (qi = 0
 * past d, |qi| ≤ 127 so that the sums are those of scan_dot_q4_vnni too); key
 * −(a·q̂)/‖a‖ with the exact norm. */
static inline float q4_key(int32_t s, int64_t qsum8, float qscale, float scale, float inv_norm)
{
    float dot = (float)((int64_t)s - qsum8) * qscale * scale;
    return -dot * inv_norm;
}

BASIN_CLONES static void scan_dot_q4(size_t d, const uint8_t *restrict code,
                                     const float *restrict scale, const int16_t *restrict qi,
                                     int64_t qsum8, float qscale, const float *restrict inv_norm,
                                     const uint32_t *rows, size_t count, basin_topk *top)
{
    size_t H = basin_q4_row_bytes((int)d), ahead = prefetch_distance(H);
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, code, H);
        prefetch_listed(rows, r, count, ahead, scale, sizeof(float));
        prefetch_listed(rows, r, count, ahead, inv_norm, sizeof(float));
        const uint8_t *restrict c = code + i * H;
        int32_t s = 0; /* one product per statement: the multiply-add pair pattern */
        for (size_t k = 0; k < H; k++)
            s += (int16_t)(c[k] & 15) * qi[k];
        for (size_t k = 0; k < H; k++)
            s += (int16_t)(c[k] >> 4) * qi[H + k];
        offer(top, q4_key(s, qsum8, qscale, scale[i], inv_norm[i]), (uint32_t)i);
    }
}

#ifdef HAVE_VNNI_KERNEL
/* The same sums with AVX-512 VNNI: vpdpbusd multiplies 64 unsigned codes by 64 signed
 * bytes of the query and adds each four neighbouring products into one of 16 int32 lanes,
 * so a row of d = 384 is six instructions where the int16 form needs 24 multiply-add
 * pairs and 12 widenings, and the scan becomes a stream at memory speed rather than
 * compute-bound. The integer sums are exact, so the keys are bit for bit those of
 * scan_dot_q4. A row's last 32 bytes (H = 32 mod 64) are read through a mask. */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
scan_dot_q4_vnni(size_t d, const uint8_t *restrict code, const float *restrict scale,
                 const int8_t *restrict q8, int64_t qsum8, float qscale,
                 const float *restrict inv_norm, const uint32_t *rows, size_t count,
                 basin_topk *top)
{
    const size_t H = basin_q4_row_bytes((int)d), blocks = (H + 63) / 64;
    const __mmask64 last = H % 64 ? ((__mmask64)1 << (H % 64)) - 1 : ~(__mmask64)0;
    const __m512i low4 = _mm512_set1_epi8(15);
    const size_t ahead = prefetch_distance(H);
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, code, H);
        prefetch_listed(rows, r, count, ahead, scale, sizeof(float));
        prefetch_listed(rows, r, count, ahead, inv_norm, sizeof(float));
        const uint8_t *c = code + i * H;
        __m512i acc = _mm512_setzero_si512();
        for (size_t b = 0; b < blocks; b++) {
            const __mmask64 m = b + 1 < blocks ? ~(__mmask64)0 : last;
            __m512i x = _mm512_maskz_loadu_epi8(m, c + 64 * b);
            acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(x, low4),
                                      _mm512_maskz_loadu_epi8(m, q8 + 64 * b));
            acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(_mm512_srli_epi16(x, 4), low4),
                                      _mm512_maskz_loadu_epi8(m, q8 + H + 64 * b));
        }
        int32_t s = _mm512_reduce_add_epi32(acc);
        offer(top, q4_key(s, qsum8, qscale, scale[i], inv_norm[i]), (uint32_t)i);
    }
}
#endif

static atomic_bool portable_only;

void basin_scan_portable(bool on)
{
    atomic_store(&portable_only, on);
}

/* The AVX-512 extensions this machine has, asked once: bit 0 AVX-512BW (with F), bit 1
 * AVX-512 VNNI (with BW). */
static unsigned avx512_extensions(void)
{
#ifdef HAVE_VNNI_KERNEL
    static atomic_int known = -1; /* threads that race here all compute the same */
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k < 0) {
        __builtin_cpu_init();
        int bw = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
        k = bw | (bw && __builtin_cpu_supports("avx512vnni")) << 1;
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return atomic_load_explicit(&portable_only, memory_order_relaxed) ? 0u : (unsigned)k;
#else
    return 0;
#endif
}

bool basin_scan_avx512bw(void)
{
    return avx512_extensions() & 1u;
}

/* True when the VNNI kernel may run: the machine has it and tests have not turned it off. */
static bool use_vnni(void)
{
    return avx512_extensions() & 2u;
}

/* Euclidean on mu_q8: key ‖a‖² − 2a·q + ‖q‖². */
BASIN_CLONES static void scan_l2_q8(size_t d, const int8_t *restrict code,
                                    const float *restrict scale, const int16_t *restrict qi,
                                    float qscale, const float *restrict sq_norm, float qq,
                                    const uint32_t *rows, size_t count, basin_topk *top)
{
    const size_t ahead = prefetch_distance(d);
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, code, d);
        const int8_t *restrict a = code + i * d;
        int32_t s = 0;
        for (size_t j = 0; j < d; j++)
            s += (int16_t)a[j] * qi[j];
        float dot = (float)s * qscale * scale[i];
        offer(top, sq_norm[i] - 2.0f * dot + qq, (uint32_t)i);
    }
}

/* The Fisher metrics on fl_q8: the local form Σ A/s − 2Bq/s + C(q²/s + 2s) − 4d from the
 * three feature dot products; w[k] are the query's weights of feature k quantised with
 * scale wscale[k]. Combined in double (a long vector with tiny σ can exceed float range;
 * such a key becomes +inf and ranks last). */
BASIN_CLONES static void scan_fl_q8(size_t d, const int8_t *restrict code,
                                    const float *restrict scale, const int16_t *restrict wa,
                                    const int16_t *restrict wb, const int16_t *restrict wc,
                                    const double *wscale, const uint32_t *rows, size_t count,
                                    basin_topk *top)
{
    const size_t ahead = prefetch_distance(3 * d);
    for (size_t r = 0; r < count; r++) {
        size_t i = rows ? rows[r] : r;
        prefetch_listed(rows, r, count, ahead, code, 3 * d);
        const int8_t *restrict a = code + i * 3 * d, *restrict b = a + d, *restrict c = b + d;
        int32_t sa = 0, sb = 0, sc = 0;
        for (size_t j = 0; j < d; j++)
            sa += (int16_t)a[j] * wa[j];
        for (size_t j = 0; j < d; j++)
            sb += (int16_t)b[j] * wb[j];
        for (size_t j = 0; j < d; j++)
            sc += (int16_t)c[j] * wc[j];
        const float *f = scale + 3 * i;
        double key = (double)sa * (f[0] * wscale[0]) + (double)sb * (f[1] * wscale[1]) +
                     (double)sc * (f[2] * wscale[2]) - 4.0 * (double)d;
        offer(top, (float)key, (uint32_t)i);
    }
}

/* The largest |qi| such that Σ_j |code_j|·|qi_j| over n components stays below 2³¹ with
 * |code| ≤ cmax, and within int16. */
static double q16_max(size_t n, double cmax)
{
    return fmin(32767.0, floor(2147483647.0 / (cmax * (double)(n ? n : 1))));
}

/* w[0..n) (double) → int16 qi with qi ≈ w / scale; returns the scale. */
static double quantize_q16(size_t n, const double *w, double qmax, int16_t *qi)
{
    double amax = 0.0;
    for (size_t j = 0; j < n; j++)
        amax = fmax(amax, fabs(w[j]));
    double scale = amax > 0 ? amax / qmax : 1.0;
    for (size_t j = 0; j < n; j++)
        qi[j] = (int16_t)lrint(w[j] / scale);
    return scale;
}

size_t basin_scan(basin_metric m, const basin_scan_data *S, const float *q_mu, const float *q_sigma,
                  const uint32_t *rows, size_t n_rows, bool quantised, basin_topk *top)
{
    size_t d = (size_t)S->d, count = rows ? n_rows : S->n;
    size_t d64 = 2 * basin_q4_row_bytes(S->d); /* d rounded up to 64 */
    /* Scratch: the query's float rows (normalised q, 4σ) and its int16 weights (up to 3d,
     * or the padded d64), and their double sources. */
    float *qf = malloc(2 * d * sizeof *qf);
    int16_t *qi = malloc((3 * d > d64 ? 3 * d : d64) * sizeof *qi);
    double *w = calloc(3 * d > d64 ? 3 * d : d64, sizeof *w);
    if (!qf || !qi || !w) {
        free(qf);
        free(qi);
        free(w);
        return 0;
    }
    double qq = 0.0;
    for (size_t j = 0; j < d; j++)
        qq += (double)q_mu[j] * q_mu[j];
    size_t bytes = 0;
    switch (m) {
    case BASIN_METRIC_FISHER_RAO:
    case BASIN_METRIC_FISHER_LOCAL:
        if (quantised) {
            /* The query's weights of A, B and C (see basin_scan_data). */
            for (size_t j = 0; j < d; j++) {
                double q = q_mu[j], s = q_sigma[j];
                w[j] = 1.0 / s;
                w[d + j] = -2.0 * q / s;
                w[2 * d + j] = q * q / s + 2.0 * s;
            }
            double qmax = q16_max(d, 127.0), wscale[3];
            for (int k = 0; k < 3; k++)
                wscale[k] = quantize_q16(d, w + (size_t)k * d, qmax, qi + (size_t)k * d);
            scan_fl_q8(d, S->fl_q8, S->fl_scale, qi, qi + d, qi + 2 * d, wscale, rows, count, top);
            bytes = count * (3 * d + 3 * sizeof(float));
        } else if (m == BASIN_METRIC_FISHER_RAO) {
            for (size_t j = 0; j < d; j++)
                qf[j] = 4.0f * q_sigma[j];
            scan_fr_f32(d, S->mu, S->sigma, q_mu, q_sigma, qf, rows, count, top);
            bytes = count * d * 2 * sizeof(float);
        } else {
            scan_local_f32(d, S->mu, S->sigma, q_mu, q_sigma, rows, count, top);
            bytes = count * d * 2 * sizeof(float);
        }
        break;
    case BASIN_METRIC_COSINE: {
        /* Normalise the query once: the key is then −(a·q̂)/‖a‖. */
        double inv = qq > 0 ? 1.0 / sqrt(qq) : 0.0;
        for (size_t j = 0; j < d; j++)
            qf[j] = (float)(q_mu[j] * inv);
        if (quantised) {
            /* The query in 8 bits: the codes carry 4, so its rounding is minor, and byte
             * weights let the VNNI kernel multiply bytes by bytes. */
            for (size_t j = 0; j < d64; j++)
                w[j] = j < d ? qf[j] : 0.0;
            double qscale = quantize_q16(d64, w, 127.0, qi);
            int64_t qsum = 0;
            for (size_t j = 0; j < d64; j++)
                qsum += qi[j];
#ifdef HAVE_VNNI_KERNEL
            if (use_vnni()) {
                int8_t *q8 = (int8_t *)w; /* w has served: reuse it */
                for (size_t j = 0; j < d64; j++)
                    q8[j] = (int8_t)qi[j];
                scan_dot_q4_vnni(d, S->mu_q4, S->q4_scale, q8, 8 * qsum, (float)qscale, S->inv_norm,
                                 rows, count, top);
            } else
#endif
                scan_dot_q4(d, S->mu_q4, S->q4_scale, qi, 8 * qsum, (float)qscale, S->inv_norm,
                            rows, count, top);
            bytes = count * (d64 / 2 + 2 * sizeof(float));
        } else {
            scan_dot_f32(d, S->mu, qf, S->inv_norm, rows, count, top);
            bytes = count * (d * sizeof(float) + sizeof(float));
        }
        break;
    }
    case BASIN_METRIC_EUCLIDEAN:
        if (quantised) {
            for (size_t j = 0; j < d; j++)
                w[j] = q_mu[j];
            double qscale = quantize_q16(d, w, q16_max(d, 127.0), qi);
            scan_l2_q8(d, S->mu_q8, S->q8_scale, qi, (float)qscale, S->sq_norm, (float)qq, rows,
                       count, top);
            bytes = count * (d + 2 * sizeof(float));
        } else {
            scan_l2_f32(d, S->mu, q_mu, rows, count, top);
            bytes = count * d * sizeof(float);
        }
        break;
    }
    free(qf);
    free(qi);
    free(w);
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
