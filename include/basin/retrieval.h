/*
 * retrieval.h — the numerics of memory retrieval: distances between diagonal Gaussians,
 * exact and quantised scans over a space with a bounded top-k, weighted reciprocal rank
 * fusion, and modern-Hopfield completion.
 *
 * A memory is a diagonal Gaussian N(μ, diag σ²) in R^d; μ and σ (standard deviations, not
 * variances) are float32 rows of n × d row-major arrays that the caller owns and keeps
 * contiguous. Nothing here allocates on behalf of the caller except where a function says
 * so, nothing speaks SQL or JSON, nothing keeps state between calls.
 *
 * Fisher–Rao (seed: papers-information-geometry.txt, "SuperLocalMemory V3"; memory.md): per
 * dimension
 *     d_i = √2 · arccosh(1 + δ_i),   δ_i = ((μ₁−μ₂)² + 2(σ₁−σ₂)²) / (4σ₁σ₂),
 * and d = √(Σ d_i²), the geodesic distance of the product of univariate Gaussian
 * manifolds (each a hyperbolic half-plane of curvature −1/2). arccosh(1+δ) is computed as
 * log1p(δ + √δ·√(δ+2)), which keeps full relative precision for tiny δ (≈ √(2δ)) and does
 * not overflow for huge δ (√δ·√(δ+2) instead of √(δ(δ+2))).
 *
 * fisher_local is the small-δ limit of the same metric, the Mahalanobis form of the Fisher
 * information at the pair: d² = Σ ((μ₁−μ₂)² + 2(σ₁−σ₂)²) / (σ₁σ₂)   (since 2·arccosh(1+δ)² ≈ 4δ).
 */
#ifndef BASIN_RETRIEVAL_H
#define BASIN_RETRIEVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum basin_metric {
    BASIN_METRIC_FISHER_RAO,
    BASIN_METRIC_FISHER_LOCAL,
    BASIN_METRIC_COSINE,
    BASIN_METRIC_EUCLIDEAN,
} basin_metric;

/* ---- exact distances (double precision; the references and the rerank) -------------- */

/* arccosh(1 + delta) for delta ≥ 0, stable from delta = 0 (→ 0, ≈ √(2δ)) up to DBL_MAX. */
double basin_arccosh1p(double delta);

/* Fisher–Rao distance between two univariate Gaussians N(mu1, s1²), N(mu2, s2²), s > 0. */
double basin_fisher_rao_1d(double mu1, double s1, double mu2, double s2);

/* Fisher–Rao distance between diagonal Gaussians given by means and standard deviations
 * (d entries each, all s > 0). */
double basin_fisher_rao(int d, const double *mu1, const double *s1, const double *mu2,
                        const double *s2);

/* The same on float32 rows, accumulated in double: the exact rerank of a scan's hits. */
double basin_fisher_rao_f32(int d, const float *mu1, const float *s1, const float *mu2,
                            const float *s2);

/* The channel value of metric m between a memory (mu, s) and a query (q_mu, q_s), in
 * double: a distance for fisher_rao, fisher_local and euclidean (smaller is nearer), the
 * cosine similarity for cosine (larger is nearer; 0 when either vector is zero). s and q_s
 * are only read by the two Fisher metrics. */
double basin_metric_exact(basin_metric m, int d, const float *mu, const float *s, const float *q_mu,
                          const float *q_s);

/* ---- bounded top-k ------------------------------------------------------------------- */

typedef struct basin_hit {
    float key;    /* smaller is better */
    uint32_t row; /* ties are broken by the smaller row */
} basin_hit;

/* The k best (smallest key) hits seen, in a caller-owned buffer of k entries: a max-heap
 * on (key, row) so that each push is O(1) when it does not qualify and O(log k) when it
 * does. */
typedef struct basin_topk {
    basin_hit *h;
    size_t n, k;
} basin_topk;

/* Starts an empty top-k over buf[0..k) (k ≥ 1). */
void basin_topk_init(basin_topk *t, basin_hit *buf, size_t k);
/* Offers one hit. */
void basin_topk_push(basin_topk *t, float key, uint32_t row);
/* Sorts the kept hits best first (in place, t->h[0..n)); returns n. The heap is then
 * spent: init it again before pushing. */
size_t basin_topk_sort(basin_topk *t);

/* ---- scans --------------------------------------------------------------------------- */

/* The arrays of one space that a scan reads (borrowed). The exact arrays are required;
 * the quantised copies (see embed.h: basin_quantize_q8, basin_to_bf16) are needed only
 * for quantised scans. */
typedef struct basin_scan_data {
    int d;
    size_t n;
    const float *mu;            /* n × d means */
    const float *sigma;         /* n × d standard deviations (> 0) */
    const float *inv_norm;      /* n: 1/‖μ‖, 0 for a zero vector */
    const float *sq_norm;       /* n: ‖μ‖² */
    const int8_t *mu_q8;        /* n × d: μ ≈ q8_scale[i] · code */
    const float *q8_scale;      /* n */
    const uint16_t *sigma_bf16; /* n × d: σ rounded to bfloat16 */
} basin_scan_data;

/* Scans rows[0..n_rows) of S (every row 0..n-1 when rows is NULL, n_rows then ignored)
 * against the query (q_mu, q_sigma; q_sigma only for the Fisher metrics, > 0), pushing one
 * hit per row into top with a key that orders like the metric:
 *   fisher_rao: Σ d_i² / 2 (monotone in the distance), fisher_local and euclidean: the
 *   squared distance, cosine: −cos. Compute the reported value with basin_metric_exact.
 * With quantised = true it reads the quantised copies instead of μ and σ (about a quarter
 * (cosine, euclidean) or half (Fisher) of the bytes) and the keys are approximate: use it
 * for a candidate stage, then rerank exactly. Keys are computed in float32 arithmetic.
 * Returns the number of bytes of row data read. */
size_t basin_scan(basin_metric m, const basin_scan_data *S, const float *q_mu, const float *q_sigma,
                  const uint32_t *rows, size_t n_rows, bool quantised, basin_topk *top);

/* ---- fusion -------------------------------------------------------------------------- */

/* Weighted reciprocal rank fusion of one item: Σ_c w[c] / (k_rrf + rank[c]) over the
 * channels with rank[c] ≥ 1 (ranks are 1-based; rank ≤ 0 means the item is missing from
 * channel c and contributes nothing). */
double basin_rrf(size_t n_channels, const double *w, const int *rank, double k_rrf);

/* ---- modern Hopfield ------------------------------------------------------------------ */

/* Modern-Hopfield retrieval (Ramsauer et al.; lectures-hebbian-ebm-diffusion.txt) with the
 * patterns x_j = X[rows[j]] (rows of the n × d float32 array X, or rows 0..n_rows-1 when
 * rows is NULL): starting from xi (d entries, overwritten with the final state) repeats
 *     p = softmax(β Xᵀ ξ),   ξ ← X p
 * up to `steps` times, stopping early once ‖Δξ‖∞ ≤ tol. Writes the attention weights p of
 * the final state into p_out (n_rows entries, summing to 1) — the ranking of the patterns
 * by how much the state attends to them. Returns the number of updates made (0..steps), or
 * BASIN_ENOMEM. Softmax and accumulation are in double. */
int basin_hopfield_complete(int d, const float *X, const uint32_t *rows, size_t n_rows, double beta,
                            int steps, double tol, float *xi, double *p_out);

#endif
