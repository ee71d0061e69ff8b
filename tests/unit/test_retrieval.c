/*
 * test_retrieval.c — the numerical core of memory retrieval (include/basin/retrieval.h,
 * include/basin/embed.h).
 *
 * References, each named at its test: the closed form of the Fisher–Rao distance between
 * univariate Gaussians (Atkinson & Mitchell 1981; memory.md) evaluated by hand on simple
 * pairs; its equal-means special case √2·|ln(σ₁/σ₂)|; the metric axioms; the limits
 * arccosh(1+δ) ≈ √(2δ) (δ → 0) and ≈ ln(2δ) (δ → ∞); reciprocal rank fusion recomputed by
 * hand; brute-force sorting for the top-k; the Gaussian product for precision addition;
 * and pattern retrieval by a modern Hopfield network from a partial cue.
 */
#include <check.h>
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/embed.h"
#include "basin/fast_scan.h"
#include "basin/retrieval.h"

/* A small deterministic generator (splitmix64) so that the tests need nothing else. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static double uniform(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static double normal(void)
{
    double u = uniform() + 1e-300, v = uniform();
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* ---- Fisher–Rao ------------------------------------------------------------------------ */

START_TEST(fr_hand_checked_pairs)
{
    /* N(0,1) vs N(1,1): δ = 1/4, arccosh(5/4) = ln(5/4 + 3/4) = ln 2, d = √2 ln 2. */
    ck_assert_double_eq_tol(basin_fisher_rao_1d(0, 1, 1, 1), M_SQRT2 * log(2.0), 1e-15);
    /* N(0,1) vs N(2,1): δ = 1, arccosh 2 = ln(2 + √3). */
    ck_assert_double_eq_tol(basin_fisher_rao_1d(0, 1, 2, 1), M_SQRT2 * log(2.0 + sqrt(3.0)), 1e-15);
    /* N(0,1) vs N(0,e): equal means, √2·|ln e| = √2. */
    ck_assert_double_eq_tol(basin_fisher_rao_1d(0, 1, 0, M_E), M_SQRT2, 1e-15);
    /* Scale invariance: N(3,2) vs N(5,2) is N(0,1) vs N(1,1) scaled by 2: √2 ln 2. */
    ck_assert_double_eq_tol(basin_fisher_rao_1d(3, 2, 5, 2), M_SQRT2 * log(2.0), 1e-15);
    /* Two dimensions combine as √(d₁² + d₂²). */
    double mu1[2] = {0, 0}, s1[2] = {1, 1}, mu2[2] = {1, 0}, s2[2] = {1, M_E};
    double d = basin_fisher_rao(2, mu1, s1, mu2, s2);
    ck_assert_double_eq_tol(d, sqrt(2.0 * log(2.0) * log(2.0) + 2.0), 1e-15);
}
END_TEST

START_TEST(fr_equal_means)
{
    /* √2·|ln(σ₁/σ₂)| over six decades of ratio; relative 1e-13 is a few ulps through
     * log1p and sqrt. */
    for (int i = 0; i < 200; i++) {
        double s1 = exp(7.0 * (uniform() - 0.5)), s2 = exp(7.0 * (uniform() - 0.5));
        double mu = 10.0 * normal();
        double want = M_SQRT2 * fabs(log(s1 / s2));
        double got = basin_fisher_rao_1d(mu, s1, mu, s2);
        ck_assert_msg(fabs(got - want) <= 1e-13 * want + 1e-300, "s1=%g s2=%g: %.17g vs %.17g", s1,
                      s2, got, want);
    }
}
END_TEST

START_TEST(fr_metric_axioms)
{
    enum { D = 5 };
    for (int t = 0; t < 2000; t++) {
        double m[3][D], s[3][D];
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < D; i++) {
                m[k][i] = 3.0 * normal();
                s[k][i] = exp(normal());
            }
        double ab = basin_fisher_rao(D, m[0], s[0], m[1], s[1]);
        double ba = basin_fisher_rao(D, m[1], s[1], m[0], s[0]);
        double bc = basin_fisher_rao(D, m[1], s[1], m[2], s[2]);
        double ac = basin_fisher_rao(D, m[0], s[0], m[2], s[2]);
        ck_assert_double_eq_tol(ab, ba, 1e-12 * ab); /* symmetric (rounding only) */
        ck_assert_msg(ac <= ab + bc + 1e-12, "triangle: %g > %g + %g", ac, ab, bc);
        ck_assert_double_eq(basin_fisher_rao(D, m[0], s[0], m[0], s[0]), 0.0);
        ck_assert(ab > 0);
    }
}
END_TEST

START_TEST(fr_stable_tiny_and_huge_delta)
{
    /* Tiny δ: arccosh(1+δ) = √(2δ)(1 − δ/12 + …); relative 1e-14 down to δ = 1e-300
     * (the naive acosh(1+δ) is 0 below δ ≈ 1e-16). */
    for (double delta = 1e-300; delta < 1e-8; delta *= 1e7) {
        double want = sqrt(2.0 * delta) * (1.0 - delta / 12.0);
        ck_assert_msg(fabs(basin_arccosh1p(delta) - want) <= 1e-14 * want, "δ=%g", delta);
    }
    /* Huge δ: arccosh(1+δ) = ln(2δ) + ln(1 + 1/δ)/… → ln(2δ) + O(1/δ); finite up to
     * DBL_MAX/4 where √(δ(δ+2)) would overflow. */
    for (double delta = 1e10; delta < 1e300; delta *= 1e9) {
        double want = log(2.0 * delta) + 1.0 / delta;
        double got = basin_arccosh1p(delta);
        ck_assert_msg(isfinite(got) && fabs(got - want) <= 1e-14 * want, "δ=%g: %.17g vs %.17g",
                      delta, got, want);
    }
    ck_assert(isfinite(basin_arccosh1p(DBL_MAX / 4)));
    /* Distances from tiny mean gaps: d ≈ |Δμ|/σ for |Δμ| ≪ σ (δ = Δμ²/4σ², d = √2·√(2δ)). */
    ck_assert_double_eq_tol(basin_fisher_rao_1d(0, 1, 1e-150, 1), 1e-150, 1e-164);
    /* Extreme but representable standard deviations. */
    double far = basin_fisher_rao_1d(0, 1e-150, 0, 1e150);
    ck_assert_double_eq_tol(far, M_SQRT2 * 300.0 * log(10.0), 1e-10);
    double huge_gap = basin_fisher_rao_1d(-1e300, 1, 1e300, 1);
    ck_assert(isfinite(huge_gap) && huge_gap > 0);
}
END_TEST

/* ---- scans --------------------------------------------------------------------------------- */

typedef struct space_arrays {
    int d;
    size_t n;
    float *mu, *sigma, *inv_norm, *sq_norm, *q4_scale, *q8_scale, *fl_scale;
    uint8_t *q4;
    int8_t *q8, *fl;
    uint8_t *fs;
    basin_scan_data S;
} space_arrays;

/* n random rows: μ ~ N(0, 1), σ = exp(N(0, 1/4)); the derived arrays by
 * basin_scan_row_derive, as a space's cache computes them. */
static void make_space(space_arrays *a, size_t n, int d)
{
    size_t q4b = basin_q4_row_bytes(d);
    a->d = d;
    a->n = n;
    a->mu = malloc(n * d * sizeof *a->mu);
    a->sigma = malloc(n * d * sizeof *a->sigma);
    a->inv_norm = malloc(n * sizeof(float));
    a->sq_norm = malloc(n * sizeof(float));
    a->q4_scale = malloc(n * sizeof(float));
    a->q8_scale = malloc(n * sizeof(float));
    a->fl_scale = malloc(3 * n * sizeof(float));
    a->q4 = malloc(n * q4b);
    a->q8 = malloc(n * d);
    a->fl = malloc(3 * n * d);
    size_t fsb = basin_fs_row_bytes(d), blocks = (n + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK;
    a->fs = calloc(blocks * BASIN_FS_BLOCK, fsb);
    uint8_t *fs_row = malloc(fsb);
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
            a->mu[i * d + j] = (float)normal();
            a->sigma[i * d + j] = (float)exp(0.5 * normal());
        }
        basin_scan_row row = {.mu_q4 = a->q4 + i * q4b,
                              .mu_q8 = a->q8 + i * d,
                              .fl_q8 = a->fl + 3 * i * d,
                              .cos_fs = fs_row};
        basin_scan_row_derive(d, a->mu + i * d, a->sigma + i * d, &row);
        basin_fs_put_row(a->fs, d, i, fs_row);
        a->inv_norm[i] = row.inv_norm;
        a->sq_norm[i] = row.sq_norm;
        a->q4_scale[i] = row.q4_scale;
        a->q8_scale[i] = row.q8_scale;
        memcpy(a->fl_scale + 3 * i, row.fl_scale, sizeof row.fl_scale);
    }
    free(fs_row);
    a->S = (basin_scan_data){.d = d,
                             .n = n,
                             .mu = a->mu,
                             .sigma = a->sigma,
                             .inv_norm = a->inv_norm,
                             .sq_norm = a->sq_norm,
                             .mu_q4 = a->q4,
                             .q4_scale = a->q4_scale,
                             .mu_q8 = a->q8,
                             .q8_scale = a->q8_scale,
                             .fl_q8 = a->fl,
                             .fl_scale = a->fl_scale,
                             .cos_fs = a->fs};
}

static void free_space(space_arrays *a)
{
    void *p[] = {a->mu,       a->sigma, a->inv_norm, a->sq_norm, a->q4_scale, a->q8_scale,
                 a->fl_scale, a->q4,    a->q8,       a->fl,      a->fs};
    for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
        free(p[k]);
}

typedef struct ref_hit {
    double v;
    uint32_t row;
} ref_hit;

static int cmp_ref(const void *a, const void *b)
{
    const ref_hit *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->row > y->row) - (x->row < y->row);
}

/* The double-precision ranking of every row by metric m (distance ascending; cosine as
 * −cos). */
static ref_hit *reference_ranking(const space_arrays *a, basin_metric m, const float *q,
                                  const float *qs)
{
    ref_hit *r = malloc(a->n * sizeof *r);
    for (size_t i = 0; i < a->n; i++) {
        double v = basin_metric_exact(m, a->d, a->mu + i * a->d, a->sigma + i * a->d, q, qs);
        r[i] = (ref_hit){m == BASIN_METRIC_COSINE ? -v : v, (uint32_t)i};
    }
    qsort(r, a->n, sizeof *r, cmp_ref);
    return r;
}

START_TEST(scan_exact_matches_double_reference)
{
    /* d = 77 exercises the vector body (64 lanes) and the scalar tail. Reference: every
     * distance in double, sorted. The float32 keys must give the same top 10 (the gaps
     * between neighbours of random data are far above float rounding) and keys within
     * 1e-4 relative of the reference value (float32 accumulation over 77 terms). */
    space_arrays a;
    make_space(&a, 3000, 77);
    float q[77], qs[77];
    for (int t = 0; t < 4; t++) {
        for (int j = 0; j < 77; j++) {
            q[j] = (float)normal();
            qs[j] = (float)exp(0.5 * normal());
        }
        for (basin_metric m = BASIN_METRIC_FISHER_RAO; m <= BASIN_METRIC_EUCLIDEAN; m++) {
            ref_hit *ref = reference_ranking(&a, m, q, qs);
            basin_hit buf[20];
            basin_topk top;
            basin_topk_init(&top, buf, 10);
            size_t bytes = basin_scan(m, &a.S, q, qs, NULL, 0, false, &top);
            ck_assert_uint_gt(bytes, a.n * 77 * 3);
            ck_assert_uint_eq(basin_topk_sort(&top), 10);
            for (int i = 0; i < 10; i++) {
                ck_assert_msg(buf[i].row == ref[i].row, "metric %d rank %d: row %u vs %u", m, i,
                              buf[i].row, ref[i].row);
                double v = ref[i].v, key = buf[i].key;
                double want = m == BASIN_METRIC_FISHER_RAO ? v * v / 2
                              : m == BASIN_METRIC_COSINE   ? v
                                                           : v * v;
                ck_assert_double_eq_tol(key, want, 1e-4 * fabs(want) + 1e-6);
            }
            free(ref);
        }
    }
    free_space(&a);
}
END_TEST

START_TEST(scan_rows_subset_and_quantised_candidates)
{
    /* A row subset scans exactly those rows (reference: the same subset ranked in double).
     * The quantised candidate stage keeps 200 of 3000; reference: the exact top 10 must
     * all be among them (the compact copies perturb the keys by a few per cent — see
     * quantised_keys_within_their_error_bound — less than the gap between rank 10 and
     * rank 200 of random data; for Fisher-Rao the local form is itself an approximation,
     * which ranks the top 10 of this data within its first 200). */
    space_arrays a;
    make_space(&a, 3000, 64);
    float q[64], qs[64];
    for (int j = 0; j < 64; j++) {
        q[j] = (float)normal();
        qs[j] = (float)exp(0.5 * normal());
    }
    uint32_t rows[1000];
    for (uint32_t i = 0; i < 1000; i++)
        rows[i] = 3 * i + 1;
    for (basin_metric m = BASIN_METRIC_FISHER_RAO; m <= BASIN_METRIC_EUCLIDEAN; m++) {
        ref_hit *ref = reference_ranking(&a, m, q, qs);
        basin_hit buf[400];
        basin_topk top;
        basin_topk_init(&top, buf, 5);
        basin_scan(m, &a.S, q, qs, rows, 1000, false, &top);
        basin_topk_sort(&top);
        int k = 0;
        for (size_t i = 0; i < a.n && k < 5; i++)
            if (ref[i].row % 3 == 1)
                ck_assert_uint_eq(buf[k++].row, ref[i].row);
        basin_topk_init(&top, buf, 200);
        size_t bytes = basin_scan(m, &a.S, q, qs, NULL, 0, true, &top);
        ck_assert_uint_lt(bytes, a.n * 64 * 4 + a.n * 4);
        size_t got = basin_topk_sort(&top);
        for (int i = 0; i < 10; i++) {
            bool found = false;
            for (size_t j = 0; j < got && !found; j++)
                found = buf[j].row == ref[i].row;
            ck_assert_msg(found, "metric %d: exact rank %d (row %u) not among the candidates", m, i,
                          ref[i].row);
        }
        free(ref);
    }
    free_space(&a);
}
END_TEST

/* Every row's key of a scan (a top-k as large as the space), indexed by row. */
static float *all_keys(const space_arrays *a, basin_metric m, const float *q, const float *qs,
                       bool quantised)
{
    basin_hit *buf = malloc(2 * a->n * sizeof *buf);
    float *key = malloc(a->n * sizeof *key);
    basin_topk top;
    basin_topk_init(&top, buf, a->n);
    ck_assert_uint_gt(basin_scan(m, &a->S, q, qs, NULL, 0, quantised, &top), 0);
    ck_assert_uint_eq(top.n, a->n);
    for (size_t i = 0; i < a->n; i++)
        key[buf[i].row] = buf[i].key;
    free(buf);
    return key;
}

START_TEST(compact_copies_round_trip)
{
    /* d = 77: the 4-bit row is 64 bytes (components 64..76 in high nibbles, 77..127
     * padding). Reference: the definitions of retrieval.h — a 4-bit code is within half a
     * step (scale/2) of μ, padding is code 8 (zero), the Fisher features dequantise to
     * within half their step of A = μ²/σ + 2σ, B = μ/σ, C = 1/σ computed in double — and
     * deriving twice gives the same bytes. */
    enum { D = 77 };
    space_arrays a;
    make_space(&a, 50, D);
    size_t H = basin_q4_row_bytes(D);
    ck_assert_uint_eq(H, 64);
    for (size_t i = 0; i < a.n; i++) {
        const float *mu = a.mu + i * D, *sg = a.sigma + i * D;
        const uint8_t *c4 = a.q4 + i * H;
        float s4 = a.q4_scale[i];
        double sq = 0;
        for (size_t j = 0; j < 2 * H; j++) {
            int c = j < H ? c4[j] & 15 : c4[j - H] >> 4;
            if (j >= D) {
                ck_assert_int_eq(c, 8);
                continue;
            }
            ck_assert_int_ge(c, 1);
            ck_assert(fabs(mu[j] - (c - 8) * (double)s4) <= 0.5 * s4 * (1 + 1e-6));
            sq += (double)mu[j] * mu[j];
        }
        ck_assert_float_eq(a.sq_norm[i], (float)sq);
        ck_assert_float_eq(a.inv_norm[i], (float)(1 / sqrt(sq)));
        for (int k = 0; k < 3; k++) {
            float sk = a.fl_scale[3 * i + k];
            for (int j = 0; j < D; j++) {
                double m = mu[j], sgj = sg[j];
                double f = k == 0 ? m * m / sgj + 2 * sgj : k == 1 ? m / sgj : 1 / sgj;
                ck_assert(fabs(f - a.fl[3 * i * D + (size_t)k * D + j] * (double)sk) <=
                          0.5 * sk * (1 + 1e-6));
            }
        }
        uint8_t q4[64], fs[64];
        int8_t q8[D], fl[3 * D];
        basin_scan_row again = {.mu_q4 = q4, .mu_q8 = q8, .fl_q8 = fl, .cos_fs = fs};
        basin_scan_row_derive(D, mu, sg, &again);
        ck_assert_int_eq(memcmp(q4, c4, H), 0);
        ck_assert_int_eq(memcmp(fl, a.fl + 3 * i * D, sizeof fl), 0);
        ck_assert_int_eq(memcmp(q8, a.q8 + i * D, sizeof q8), 0);
    }
    free_space(&a);
}
END_TEST

START_TEST(quantised_keys_within_their_error_bound)
{
    /* Each quantised key against the exact value in double (basin_metric_exact), within
     * the bound the quantisation steps give (retrieval.h), plus float rounding:
     *   cosine (4-bit μ, int16 query qi ≈ q̂/t, t = max|q̂|/32767 here):
     *     |Δ(a·q̂)| ≤ (s/2) Σ|q̂_j| + 7 s (t/2) d,  scaled by 1/‖a‖;
     *   local Fisher (features f_k with steps s_k, weights w_k with steps t_k):
     *     |Δkey| ≤ Σ_k (s_k/2) Σ_j |w_kj| + 127 s_k (t_k/2) d. */
    enum { D = 50 };
    space_arrays a;
    make_space(&a, 400, D);
    float q[D], qs[D];
    for (int j = 0; j < D; j++) {
        q[j] = (float)normal();
        qs[j] = (float)exp(0.5 * normal());
    }
    double qq = 0, qhat[D], w[3][D], wmax[3] = {0, 0, 0};
    for (int j = 0; j < D; j++)
        qq += (double)q[j] * q[j];
    for (int j = 0; j < D; j++) {
        qhat[j] = q[j] / sqrt(qq);
        w[0][j] = 1 / (double)qs[j];
        w[1][j] = -2 * (double)q[j] / qs[j];
        w[2][j] = (double)q[j] * q[j] / qs[j] + 2 * (double)qs[j];
        for (int k = 0; k < 3; k++)
            wmax[k] = fmax(wmax[k], fabs(w[k][j]));
    }
    float *cos_key = all_keys(&a, BASIN_METRIC_COSINE, q, qs, true);
    float *fl_key = all_keys(&a, BASIN_METRIC_FISHER_LOCAL, q, qs, true);
    float *fr_key = all_keys(&a, BASIN_METRIC_FISHER_RAO, q, qs, true);
    double tq = 0, sum_q = 0;
    for (int j = 0; j < D; j++) {
        tq = fmax(tq, fabs(qhat[j]));
        sum_q += fabs(qhat[j]);
    }
    tq /= 127; /* the cosine stage quantises the query to int8 */
    for (size_t i = 0; i < a.n; i++) {
        const float *mu = a.mu + i * D, *sg = a.sigma + i * D;
        double s = a.q4_scale[i];
        double cos = basin_metric_exact(BASIN_METRIC_COSINE, D, mu, sg, q, qs);
        double bound = ((s / 2) * sum_q + 7 * s * (tq / 2) * D) * a.inv_norm[i];
        ck_assert_msg(fabs(cos_key[i] + cos) <= bound * 1.001 + 1e-6,
                      "row %zu: %g vs %g (bound %g)", i, -cos, cos_key[i], bound);
        double local = basin_metric_exact(BASIN_METRIC_FISHER_LOCAL, D, mu, sg, q, qs);
        double fb = 0, mag = 0;
        for (int k = 0; k < 3; k++) {
            double sk = a.fl_scale[3 * i + k], tk = wmax[k] / 32767, sw = 0;
            for (int j = 0; j < D; j++)
                sw += fabs(w[k][j]);
            fb += (sk / 2) * sw + 127 * sk * (tk / 2) * D;
            mag += 127 * sk * sw;
        }
        ck_assert_msg(fabs(fl_key[i] - local * local) <= fb * 1.001 + 1e-6 * mag,
                      "row %zu: %g vs %g (bound %g)", i, local * local, fl_key[i], fb);
        ck_assert_float_eq(fr_key[i], fl_key[i]); /* both Fisher metrics share the stage */
    }
    free(cos_key);
    free(fl_key);
    free(fr_key);
    free_space(&a);
}
END_TEST

START_TEST(vnni_and_portable_kernels_give_the_same_keys)
{
    /* The 4-bit cosine stage has a portable kernel (int16 multiply-add pairs) and, where
     * the machine has AVX-512 VNNI, a byte kernel; both compute the same exact integer
     * sums, so every key must be equal bit for bit (reference: the portable kernel). d
     * covers rows of a whole 64-byte block (128, 384) and of a half block read through a
     * mask (77, 200). On a machine without VNNI both runs take the portable kernel. */
    const int dims[] = {77, 128, 200, 384};
    for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        int d = dims[t];
        space_arrays a;
        make_space(&a, 300, d);
        float *q = malloc((size_t)d * sizeof *q), *qs = malloc((size_t)d * sizeof *qs);
        for (int j = 0; j < d; j++) {
            q[j] = (float)normal();
            qs[j] = 1.0f;
        }
        basin_scan_portable(true);
        float *portable = all_keys(&a, BASIN_METRIC_COSINE, q, qs, true);
        basin_scan_portable(false);
        float *fast = all_keys(&a, BASIN_METRIC_COSINE, q, qs, true);
        for (size_t i = 0; i < a.n; i++)
            ck_assert_msg(memcmp(&portable[i], &fast[i], sizeof(float)) == 0,
                          "d %d row %zu: %a vs %a", d, i, portable[i], fast[i]);
        free(portable);
        free(fast);
        free(q);
        free(qs);
        free_space(&a);
    }
}
END_TEST

START_TEST(split_scans_give_the_same_top_k)
{
    /* A scan cut into windows (basin_scan_window, with the heap's base set to each
     * window's first row) or given its rows as a list gives the same top k, key for key,
     * as one scan over every row: a row's key does not depend on how the rows are split
     * (reference: the single scan). This is what lets a search split its scan over
     * threads without changing its answer. */
    space_arrays a;
    make_space(&a, 2000, 40);
    float q[40], qs[40];
    for (int j = 0; j < 40; j++) {
        q[j] = (float)normal();
        qs[j] = (float)exp(0.5 * normal());
    }
    uint32_t *rows = malloc(a.n * sizeof *rows);
    for (uint32_t i = 0; i < a.n; i++)
        rows[i] = i;
    size_t cuts[] = {0, 1, 333, 334, 1000, 1999, 2000};
    for (basin_metric m = BASIN_METRIC_FISHER_RAO; m <= BASIN_METRIC_EUCLIDEAN; m++)
        for (int quantised = 0; quantised < 2; quantised++) {
            basin_hit whole[50], parts[50], listed[50];
            basin_topk t1, t2, t3;
            basin_topk_init(&t1, whole, 25);
            basin_topk_init(&t2, parts, 25);
            basin_topk_init(&t3, listed, 25);
            basin_scan(m, &a.S, q, qs, NULL, 0, quantised, &t1);
            for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; c++) {
                basin_scan_data w = basin_scan_window(&a.S, cuts[c], cuts[c + 1]);
                t2.base = (uint32_t)cuts[c];
                basin_scan(m, &w, q, qs, NULL, 0, quantised, &t2);
            }
            t2.base = 0;
            basin_scan(m, &a.S, q, qs, rows + 1000, 1000, quantised, &t3);
            basin_scan(m, &a.S, q, qs, rows, 1000, quantised, &t3);
            ck_assert_uint_eq(basin_topk_sort(&t1), 25);
            ck_assert_uint_eq(basin_topk_sort(&t2), 25);
            ck_assert_uint_eq(basin_topk_sort(&t3), 25);
            for (int i = 0; i < 25; i++) {
                ck_assert_uint_eq(whole[i].row, parts[i].row);
                ck_assert_uint_eq(whole[i].row, listed[i].row);
                ck_assert(whole[i].key == parts[i].key && whole[i].key == listed[i].key);
            }
        }
    free(rows);
    free_space(&a);
}
END_TEST

START_TEST(topk_keeps_the_k_best_in_any_push_order)
{
    /* Reference: a full sort of the same keys (ties broken by row). The same hits pushed
     * in three orders (as scanned, reversed, and interleaved from both ends) with k small,
     * large and k = N must keep exactly the reference's first k, sorted; a finish midway
     * (as a candidate stage does before reading the kept rows) changes nothing. */
    enum { N = 5000 };
    static ref_hit all[N];
    static basin_hit buf[2 * N];
    static uint32_t order[N];
    for (uint32_t i = 0; i < N; i++)
        all[i] = (ref_hit){(float)floor(100.0 * uniform()), i}; /* many ties */
    static ref_hit sorted[N];
    memcpy(sorted, all, sizeof all);
    qsort(sorted, N, sizeof *sorted, cmp_ref);
    size_t ks[] = {1, 37, 1000, N};
    for (size_t kk = 0; kk < sizeof ks / sizeof ks[0]; kk++)
        for (int o = 0; o < 3; o++) {
            size_t K = ks[kk];
            for (uint32_t i = 0; i < N; i++)
                order[i] = o == 0 ? i : o == 1 ? N - 1 - i : i % 2 ? N - 1 - i / 2 : i / 2;
            basin_topk top;
            basin_topk_init(&top, buf, K);
            for (uint32_t i = 0; i < N; i++) {
                basin_topk_push(&top, (float)all[order[i]].v, order[i]);
                if (i == N / 2)
                    ck_assert_uint_eq(basin_topk_finish(&top), K < N / 2 + 1 ? K : N / 2 + 1);
            }
            ck_assert_uint_eq(basin_topk_sort(&top), K);
            for (size_t i = 0; i < K; i++) {
                ck_assert_uint_eq(buf[i].row, sorted[i].row);
                ck_assert_double_eq(buf[i].key, sorted[i].v);
            }
        }
}
END_TEST

/* ---- fusion -------------------------------------------------------------------------------- */

START_TEST(rrf_arithmetic)
{
    /* Channel A ranks x, y, z; channel B ranks y, x (z absent); weights 1 and 0.5; k = 60.
     * By hand: x = 1/61 + 0.5/62, y = 1/62 + 0.5/61, z = 1/63. */
    double w[2] = {1.0, 0.5};
    int x[2] = {1, 2}, y[2] = {2, 1}, z[2] = {3, 0};
    double fx = basin_rrf(2, w, x, 60), fy = basin_rrf(2, w, y, 60), fz = basin_rrf(2, w, z, 60);
    ck_assert_double_eq_tol(fx, 1.0 / 61 + 0.5 / 62, 1e-16);
    ck_assert_double_eq_tol(fy, 1.0 / 62 + 0.5 / 61, 1e-16);
    ck_assert_double_eq_tol(fz, 1.0 / 63, 1e-16);
    ck_assert(fx > fy && fy > fz);
    /* Equal weights and mirrored ranks tie; a zero weight removes a channel. */
    double w1[2] = {1, 1}, w0[2] = {1, 0};
    ck_assert_double_eq(basin_rrf(2, w1, x, 60), basin_rrf(2, w1, y, 60));
    ck_assert_double_eq(basin_rrf(2, w0, y, 60), 1.0 / 62);
    int none[2] = {0, -1};
    ck_assert_double_eq(basin_rrf(2, w1, none, 60), 0.0);
}
END_TEST

/* ---- embedding, variance, precision ------------------------------------------------------- */

START_TEST(hash_embedder_properties)
{
    enum { D = 256 };
    float a[D], b[D], c[D], e[D];
    ck_assert_uint_eq(basin_hash_embed("The cat sat on the mat.", 23, D, a), 6);
    basin_hash_embed("the CAT   sat, on the MAT", 25, D, b); /* case and separators */
    double norm = 0;
    for (int i = 0; i < D; i++) {
        ck_assert_float_eq(a[i], b[i]);
        norm += (double)a[i] * a[i];
    }
    ck_assert_double_eq_tol(norm, 1.0, 1e-6); /* L2-normalised */
    /* Word order changes bigrams only: the cosine of a permutation is high but below 1. */
    basin_hash_embed("mat the on sat cat the", 22, D, c);
    double dot = 0;
    for (int i = 0; i < D; i++)
        dot += (double)a[i] * c[i];
    ck_assert(dot > 0.3 && dot < 0.999);
    /* No words: the zero vector. */
    ck_assert_uint_eq(basin_hash_embed(" ,;! ", 5, D, e), 0);
    for (int i = 0; i < D; i++)
        ck_assert_float_eq(e[i], 0.0f);
    /* Sub-linear tf: one word three times is 1 + ln 3 at one index, then normalised to ±1. */
    basin_hash_embed("zebra zebra zebra", 17, D, e);
    int nonzero = 0;
    for (int i = 0; i < D; i++)
        nonzero += e[i] != 0;
    ck_assert_int_le(nonzero, 2); /* the unigram and the bigram "zebra zebra" */
}
END_TEST

START_TEST(variance_rule_and_precision_addition)
{
    /* The rule of embed.h: ρ² = ‖μ‖²/d, σ²_i = ρ² 10^(−|μ_i|/max|μ|). */
    float mu[4] = {0, 1, -2, 4}, var[4];
    basin_variance_from_mean(4, mu, var);
    double rho2 = (0 + 1 + 4 + 16) / 4.0;
    ck_assert_double_eq_tol(var[0], rho2, 1e-6 * rho2);
    ck_assert_double_eq_tol(var[1], rho2 * pow(10, -0.25), 1e-6 * rho2);
    ck_assert_double_eq_tol(var[2], rho2 * pow(10, -0.5), 1e-6 * rho2);
    ck_assert_double_eq_tol(var[3], rho2 / 10, 1e-6 * rho2);
    float zero[3] = {0, 0, 0}, zv[3];
    basin_variance_from_mean(3, zero, zv);
    ck_assert_float_eq(zv[0], 1.0f);
    /* Precision addition is the Gaussian product: N(1, 2)·N(4, 1) ∝ N(3, 2/3). */
    float m[1] = {1}, v[1] = {2}, mo[1] = {4}, vo[1] = {1};
    basin_precision_add(1, m, v, mo, vo);
    ck_assert_double_eq_tol(m[0], 3.0, 1e-6);
    ck_assert_double_eq_tol(v[0], 2.0 / 3.0, 1e-7);
    /* n equal observations of variance s² give s²/n. */
    float m2[1] = {0}, v2[1] = {1}, o[1] = {0}, ov[1] = {1};
    for (int i = 1; i < 10; i++)
        basin_precision_add(1, m2, v2, o, ov);
    ck_assert_double_eq_tol(v2[0], 0.1, 1e-6);
}
END_TEST

START_TEST(quantisation_round_trip)
{
    /* int8: |x − scale·code| ≤ scale/2; bfloat16 (8 significant bits, round to nearest):
     * relative error ≤ 2^-8. */
    float x[100];
    int8_t code[100];
    uint16_t bf[100];
    for (int i = 0; i < 100; i++)
        x[i] = (float)(normal() * exp(3 * normal()));
    float scale = basin_quantize_q8(100, x, code);
    basin_to_bf16(100, x, bf);
    for (int i = 0; i < 100; i++) {
        ck_assert(fabsf(x[i] - scale * code[i]) <= 0.5f * scale * (1 + 1e-6f));
        uint32_t bits = (uint32_t)bf[i] << 16;
        float y;
        memcpy(&y, &bits, sizeof y);
        ck_assert(fabsf(y - x[i]) <= fabsf(x[i]) * 0x1.0p-8f);
    }
}
END_TEST

/* ---- Hopfield ------------------------------------------------------------------------------ */

START_TEST(hopfield_completes_partial_cue)
{
    /* 40 random ±1/√d patterns in d = 128 (pairwise overlaps ~ N(0, 1/d)); the cue is
     * pattern 7 with a third of its entries zeroed (overlap 2/3 with itself). With β = 16
     * the separation condition of Ramsauer et al. (Theorem 3) holds with room to spare,
     * so the update converges to pattern 7 to within exp(−β·Δ) ≈ 1e-4 in a few steps. */
    enum { D = 128, N = 40, T = 7 };
    static float X[N * D];
    for (int i = 0; i < N * D; i++)
        X[i] = (uniform() < 0.5 ? -1.0f : 1.0f) / sqrtf(D);
    float xi[D];
    for (int j = 0; j < D; j++)
        xi[j] = j % 3 == 0 ? 0.0f : X[T * D + j];
    double p[N];
    int steps = basin_hopfield_complete(D, X, NULL, N, 16.0, 20, 1e-7, xi, p);
    ck_assert_int_ge(steps, 1);
    ck_assert_int_le(steps, 20);
    int best = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        sum += p[i];
        if (p[i] > p[best])
            best = i;
    }
    ck_assert_double_eq_tol(sum, 1.0, 1e-12);
    ck_assert_int_eq(best, T);
    ck_assert(p[T] > 0.99);
    double dot = 0, nn = 0;
    for (int j = 0; j < D; j++) {
        dot += (double)xi[j] * X[T * D + j];
        nn += (double)xi[j] * xi[j];
    }
    ck_assert(dot / sqrt(nn) > 0.999);
    /* A row subset that leaves the target out cannot retrieve it. */
    uint32_t rows[N - 1];
    for (uint32_t i = 0, k = 0; i < N; i++)
        if (i != T)
            rows[k++] = i;
    for (int j = 0; j < D; j++)
        xi[j] = j % 3 == 0 ? 0.0f : X[T * D + j];
    basin_hopfield_complete(D, X, rows, N - 1, 16.0, 1, 0, xi, p);
    for (int i = 0; i < N - 1; i++)
        ck_assert(p[i] < 0.9);
}
END_TEST

static Suite *retrieval_suite(void)
{
    Suite *s = suite_create("retrieval");
    TCase *fr = tcase_create("fisher_rao");
    tcase_add_test(fr, fr_hand_checked_pairs);
    tcase_add_test(fr, fr_equal_means);
    tcase_add_test(fr, fr_metric_axioms);
    tcase_add_test(fr, fr_stable_tiny_and_huge_delta);
    suite_add_tcase(s, fr);
    TCase *scan = tcase_create("scan");
    tcase_add_test(scan, scan_exact_matches_double_reference);
    tcase_add_test(scan, scan_rows_subset_and_quantised_candidates);
    tcase_add_test(scan, compact_copies_round_trip);
    tcase_add_test(scan, quantised_keys_within_their_error_bound);
    tcase_add_test(scan, vnni_and_portable_kernels_give_the_same_keys);
    tcase_add_test(scan, split_scans_give_the_same_top_k);
    tcase_add_test(scan, topk_keeps_the_k_best_in_any_push_order);
    tcase_set_timeout(scan, 60);
    suite_add_tcase(s, scan);
    TCase *misc = tcase_create("fusion_embedding_hopfield");
    tcase_add_test(misc, rrf_arithmetic);
    tcase_add_test(misc, hash_embedder_properties);
    tcase_add_test(misc, variance_rule_and_precision_addition);
    tcase_add_test(misc, quantisation_round_trip);
    tcase_add_test(misc, hopfield_completes_partial_cue);
    suite_add_tcase(s, misc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(retrieval_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
