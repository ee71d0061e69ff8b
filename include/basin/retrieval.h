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

/* The k best (smallest key) hits seen. Hits that may still qualify are appended to a
 * caller-owned buffer of 2k entries; when it fills, a selection keeps the k best, and the
 * worst of those becomes the bar later hits must beat — so a push is one comparison when
 * it does not qualify and O(1) amortised when it does (a heap pays O(log k) per qualifying
 * hit, which dominates a scan that keeps thousands of candidates). What is kept is the k
 * best in the total order (key, then row), whatever the order of the pushes.
 *
 * `base` is added to the row of every push: set it to lo before scanning the window
 * basin_scan_window(S, lo, hi), and the top-k keeps the rows of S. */
typedef struct basin_topk {
    basin_hit *h; /* 2k entries */
    size_t n, k;
    uint32_t base;
    bool bar_set;  /* once k hits were kept: */
    basin_hit bar; /* the worst of them; only better hits are taken */
} basin_topk;

/* Starts an empty top-k of k ≥ 1 over buf[0..2k), base 0. */
void basin_topk_init(basin_topk *t, basin_hit *buf, size_t k);
/* Offers one hit (row + base). */
void basin_topk_push(basin_topk *t, float key, uint32_t row);
/* Keeps only the k best (in no particular order) in t->h[0..n); returns n (≤ k; fewer
 * when fewer were pushed). Pushing may go on afterwards. */
size_t basin_topk_finish(basin_topk *t);
/* basin_topk_finish, then sorts the kept hits best first; returns n. Pushing may go on
 * afterwards (the order is then lost). */
size_t basin_topk_sort(basin_topk *t);

/* ---- scans --------------------------------------------------------------------------- */

/* The arrays of one space that a scan reads (borrowed). The exact arrays (mu, sigma,
 * inv_norm, sq_norm) are required; the compact copies, which basin_scan_row_derive writes,
 * only for quantised scans. Each compact copy serves one family of metrics:
 *
 *   mu_q4   cosine: μ in 4 bits, code c ∈ [1, 15] standing for (c − 8)·q4_scale[i]
 *           (symmetric, max|μ| ↦ ±7). A row is H = basin_q4_row_bytes(d) bytes, byte k
 *           holding component k in its low nibble and component H + k in its high nibble
 *           (components past d hold 8, i.e. 0).
 *   mu_q8   euclidean: μ in 8 bits, μ ≈ q8_scale[i] · code (embed.h basin_quantize_q8).
 *   fl_q8   the Fisher metrics: the local (Mahalanobis) form is linear in three
 *           query-independent features of the row,
 *               Σ_j ((μ_j − q_j)² + 2(σ_j − s_j)²) / (σ_j s_j)
 *                   = Σ_j A_j/s_j − 2 B_j q_j/s_j + C_j (q_j²/s_j + 2 s_j) − 4d,
 *               A = μ²/σ + 2σ,  B = μ/σ,  C = 1/σ,
 *           so a candidate key is three integer dot products, without a division or a
 *           logarithm per component. A row is 3d int8 codes (A, then B, then C, each
 *           quantised like mu_q8), fl_scale[3i..3i+2] their scales.
 */
typedef struct basin_scan_data {
    int d;
    size_t n;
    const float *mu;       /* n × d means */
    const float *sigma;    /* n × d standard deviations (> 0) */
    const float *inv_norm; /* n: 1/‖μ‖, 0 for a zero vector */
    const float *sq_norm;  /* n: ‖μ‖² */
    const uint8_t *mu_q4;  /* n × basin_q4_row_bytes(d) */
    const float *q4_scale; /* n */
    const int8_t *mu_q8;   /* n × d */
    const float *q8_scale; /* n */
    const int8_t *fl_q8;   /* n × 3d */
    const float *fl_scale; /* 3n */
    const uint8_t *cos_fs; /* cosine's first stage for large spaces: 2-bit codes in blocks of
                              64 rows (fast_scan.h), n rounded up to 64 rows; may be NULL */
} basin_scan_data;

/* Bytes of one row of the 4-bit copy: d rounded up to a multiple of 64, halved. */
size_t basin_q4_row_bytes(int d);

/* The derived values of one row, written by basin_scan_row_derive: the scalars here, the
 * codes into caller-owned buffers (mu_q4: basin_q4_row_bytes(d) bytes, mu_q8: d, fl_q8:
 * 3d, cos_fs: basin_fs_row_bytes(d), row-major, for basin_fs_put_row). */
typedef struct basin_scan_row {
    float inv_norm, sq_norm, q4_scale, q8_scale, fl_scale[3];
    uint8_t *mu_q4, *cos_fs;
    int8_t *mu_q8, *fl_q8;
} basin_scan_row;

/* Computes a row's norms and compact copies (see basin_scan_data) from its mean and
 * standard deviations (d entries each, σ > 0, finite), in double before rounding.
 * Deterministic: the same row always gives the same bytes. */
void basin_scan_row_derive(int d, const float *mu, const float *sigma, basin_scan_row *out);

/* The rows lo..hi-1 of S as a scan data of their own (row r of the window is row lo + r of
 * S): every array pointer advanced, nothing copied (cos_fs only when lo is a multiple of
 * its block, else NULL). lo ≤ hi ≤ S->n. */
basin_scan_data basin_scan_window(const basin_scan_data *S, size_t lo, size_t hi);

/* Scans rows[0..n_rows) of S (every row 0..n-1 when rows is NULL, n_rows then ignored)
 * against the query (q_mu, q_sigma; q_sigma only for the Fisher metrics, > 0), pushing one
 * hit per row into top with a key that orders like the metric:
 *   fisher_rao: Σ d_i² / 2 (monotone in the distance), fisher_local and euclidean: the
 *   squared distance, cosine: −cos. Compute the reported value with basin_metric_exact.
 * With quantised = true it reads a compact copy instead of μ and σ and the keys are
 * approximate — use it for a candidate stage, then rerank exactly: cosine reads mu_q4
 * (an eighth of the bytes of μ), euclidean mu_q8 (a quarter), and both Fisher metrics the
 * local form from fl_q8 (3/8 of the bytes of μ and σ).
 *
 * Exact keys are computed in float32 (the Fisher–Rao logarithm by a polynomial good to
 * about an ulp), quantised ones in integers and then float. The result is the same bit for
 * bit on every call on one machine whatever the split of rows into calls; across machines
 * the loops may be compiled for different vector extensions, and where one has fused
 * multiply-add a key can differ by a few ulps — which can swap two rows whose keys are
 * that close, nothing else (reported values come from basin_metric_exact, in double).
 * Returns the number of bytes of row data read, or 0 when out of memory (nothing pushed). */
size_t basin_scan(basin_metric m, const basin_scan_data *S, const float *q_mu, const float *q_sigma,
                  const uint32_t *rows, size_t n_rows, bool quantised, basin_topk *top);

/* Makes the scans use their portable kernels only (on: true), not the instructions this
 * machine may add (AVX-512 VNNI); for tests, which compare the two: keys are the same. */
void basin_scan_portable(bool on);
/* Whether scans may use AVX-512BW (the fast scan's look-ups, fast_scan.h): the machine has
 * it and basin_scan_portable has not turned it off. */
bool basin_scan_avx512bw(void);

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
