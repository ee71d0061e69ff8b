/*
 * wavelet.c — periodic orthonormal DWT (haar, db4) and shrinkage (see basin/wavelet.h).
 *
 * Each level is written in gather form, output by output, so that the interior of the
 * signal runs without index wrapping (and vectorises); only the F/2 outputs at either end
 * take indices modulo the period.
 */
#include "basin/wavelet.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* PyWavelets' dec_lo / dec_hi, to the last bit (shortest round-trip decimal forms). */
static const double haar_h[2] = {0.7071067811865476, 0.7071067811865476};
static const double haar_g[2] = {-0.7071067811865476, 0.7071067811865476};
static const double db4_h[8] = {-0.010597401785069032, 0.0328830116668852,    0.030841381835560764,
                                -0.18703481171909309,  -0.027983769416859854, 0.6308807679298589,
                                0.7148465705529157,    0.2303778133088965};
static const double db4_g[8] = {-0.2303778133088965,   0.7148465705529157,   -0.6308807679298589,
                                -0.027983769416859854, 0.18703481171909309,  0.030841381835560764,
                                -0.0328830116668852,   -0.010597401785069032};

static const basin_wavelet wavelets[] = {
    [BASIN_WAVELET_HAAR] = {"haar", 2, haar_h, haar_g},
    [BASIN_WAVELET_DB4] = {"db4", 8, db4_h, db4_g},
};

const basin_wavelet *basin_wavelet_get(basin_wavelet_kind kind)
{
    return &wavelets[kind];
}

int basin_wavelet_max_level(long n, const basin_wavelet *w)
{
    /* pywt: floor(log2(n / (F − 1))), 0 when n < F − 1 */
    long q = w->F - 1;
    int J = 0;
    while ((n >> (J + 1)) >= q && (double)n / (double)(1L << (J + 1)) >= (double)q)
        J++;
    return J;
}

int basin_wavelet_dyadic_levels(long n)
{
    int J = 0;
    while (n > 0 && n % 2 == 0) {
        n /= 2;
        J++;
    }
    return J;
}

/* The level loops and the thresholds are cloned for AVX-512 and AVX2 where the compiler
 * supports it; each output's sum keeps its order in every clone (no contraction), so the
 * clones give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BASIN_CLONES
#endif

static inline long wrap(long i, long N)
{
    i %= N;
    return i < 0 ? i + N : i;
}

/* Sum over the F taps of one analysis output, with or without index wrapping. */
#define ANALYSIS_TAPS(INDEX)                                                                       \
    do {                                                                                           \
        double sa = 0.0, sd = 0.0;                                                                 \
        for (int j = 0; j < F; j++) {                                                              \
            double xv = x[INDEX];                                                                  \
            sa += h[j] * xv;                                                                       \
            sd += g[j] * xv;                                                                       \
        }                                                                                          \
        a[k] = sa;                                                                                 \
        d[k] = sd;                                                                                 \
    } while (0)

/* One analysis level: a_k = Σ_j h_j x_{(2k+s−j) mod N}, d_k likewise with g, s = F/2,
 * k < N/2. */
static inline __attribute__((always_inline)) void analysis(const double *restrict h,
                                                           const double *restrict g, int F, long N,
                                                           const double *restrict x,
                                                           double *restrict a, double *restrict d)
{
    const long M = N / 2, s = F / 2;
    /* interior k ∈ [k0, k1): every index 2k + s − j lies in [0, N) */
    long k0 = (F - s) / 2;
    long k1 = N - 1 - s >= 0 ? (N - 1 - s) / 2 + 1 : 0;
    if (k0 > M)
        k0 = M;
    if (k1 < k0)
        k1 = k0;
    for (long k = 0; k < k0; k++)
        ANALYSIS_TAPS(wrap(2 * k + s - j, N));
    for (long k = k0; k < k1; k++)
        ANALYSIS_TAPS(2 * k + s - j);
    for (long k = k1; k < M; k++)
        ANALYSIS_TAPS(wrap(2 * k + s - j, N));
}

/* Both outputs x_{2m}, x_{2m+1} of one synthesis position m. */
#define SYNTHESIS_TAPS(INDEX)                                                                      \
    do {                                                                                           \
        for (int p = 0; p < 2; p++) {                                                              \
            double sum = 0.0;                                                                      \
            for (int j = (int)((p + s) & 1); j < F; j += 2) {                                      \
                long o = (p - s + j) / 2;                                                          \
                sum += h[j] * a[INDEX] + g[j] * d[INDEX];                                          \
            }                                                                                      \
            x[2 * m + p] = sum;                                                                    \
        }                                                                                          \
    } while (0)

/* One synthesis level, the transpose of analysis: x_{2m+p} = Σ_{j ≡ p+s (mod 2)}
 * h_j a_{(m+o) mod M} + g_j d_{(m+o) mod M} with o = (p − s + j)/2, M = N/2. The offsets
 * o span [−⌊s/2⌋, (F − s)/2]. */
static inline __attribute__((always_inline)) void
synthesis(const double *restrict h, const double *restrict g, int F, long N,
          const double *restrict a, const double *restrict d, double *restrict x)
{
    const long M = N / 2, s = F / 2;
    long m0 = s / 2, m1 = M - (F - s) / 2;
    if (m0 > M)
        m0 = M;
    if (m1 < m0)
        m1 = m0;
    for (long m = 0; m < m0; m++)
        SYNTHESIS_TAPS(wrap(m + o, M));
    for (long m = m0; m < m1; m++)
        SYNTHESIS_TAPS(m + o);
    for (long m = m1; m < M; m++)
        SYNTHESIS_TAPS(wrap(m + o, M));
}

BASIN_CLONES static void analysis_level(const basin_wavelet *w, long N, const double *x, double *a,
                                        double *d)
{
    if (w->F == 2)
        analysis(haar_h, haar_g, 2, N, x, a, d);
    else if (w->F == 8 && w->h == db4_h)
        analysis(db4_h, db4_g, 8, N, x, a, d);
    else
        analysis(w->h, w->g, w->F, N, x, a, d);
}

BASIN_CLONES static void synthesis_level(const basin_wavelet *w, long N, const double *a,
                                         const double *d, double *x)
{
    if (w->F == 2)
        synthesis(haar_h, haar_g, 2, N, a, d, x);
    else if (w->F == 8 && w->h == db4_h)
        synthesis(db4_h, db4_g, 8, N, a, d, x);
    else
        synthesis(w->h, w->g, w->F, N, a, d, x);
}

void basin_dwt(const basin_wavelet *w, long n, int J, const double *x, double *c, double *work)
{
    if (J == 0) {
        memcpy(c, x, (size_t)n * sizeof *c);
        return;
    }
    /* level j reads a_{j−1} (x for j = 1) and writes a_j into the half of work it does not
     * read, and d_j into its final place c[n/2^j, n/2^{j−1}) */
    double *buf[2] = {work, work + n / 2};
    const double *in = x;
    long N = n;
    for (int j = 1; j <= J; j++) {
        double *out = buf[j & 1];
        analysis_level(w, N, in, out, c + N / 2);
        in = out;
        N /= 2;
    }
    memcpy(c, in, (size_t)N * sizeof *c);
}

void basin_idwt(const basin_wavelet *w, long n, int J, const double *c, double *x, double *work)
{
    if (J == 0) {
        memcpy(x, c, (size_t)n * sizeof *x);
        return;
    }
    /* levels J..2 write a_{j−1} into the halves of work in turn; level 1 writes x (so one
     * level needs no work at all) */
    const double *a = c;
    long N = n >> (J - 1); /* length of the level being rebuilt */
    for (int j = J; j >= 1; j--) {
        double *out = j == 1 ? x : (j & 1) ? work + n / 2 : work;
        synthesis_level(w, N, a, c + N / 2, out);
        a = out;
        N *= 2;
    }
}

/* ---- shrinkage ----------------------------------------------------------------------- */

BASIN_CLONES long basin_threshold(long m, double *d, double tau, basin_threshold_rule rule)
{
    long kept = 0;
    if (rule == BASIN_THRESHOLD_SOFT) {
        /* η(x) = sign(x)(|x| − τ)₊ */
        for (long i = 0; i < m; i++) {
            double ax = fabs(d[i]);
            double v = ax > tau ? copysign(ax - tau, d[i]) : 0.0;
            d[i] = v;
            kept += v != 0.0;
        }
    } else {
        /* η(x) = x·[|x| ≥ τ] (pywt.threshold "hard": only |x| < τ is zeroed) */
        for (long i = 0; i < m; i++) {
            double v = fabs(d[i]) < tau ? 0.0 : d[i];
            d[i] = v;
            kept += v != 0.0;
        }
    }
    return kept;
}

/* The IEEE-754 bit pattern of x (memcpy: no aliasing of the double storage). */
static inline uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* The k-th smallest of a[0, m) (0-based), rearranging a: Hoare selection with a
 * median-of-three pivot; afterwards a's first k entries are ≤ the result. */
static double select_kth(double *a, long m, long k)
{
    long lo = 0, hi = m - 1;
    while (hi > lo) {
        long mid = lo + (hi - lo) / 2;
        double p0 = a[lo], p1 = a[mid], p2 = a[hi];
        double pivot =
            p0 < p1 ? (p1 < p2 ? p1 : (p0 < p2 ? p2 : p0)) : (p0 < p2 ? p0 : (p1 < p2 ? p2 : p1));
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* The k-th smallest (0-based) of a[0, m) and, when want_below, the (k−1)-th (k ≥ 1) in
 * *below. Floyd–Rivest style: the ranks around k·s/m of an evenly spaced sample of s
 * values bracket the answer with high probability; one branch-free pass counts the values
 * under the bracket and compacts those inside it into work, where the selection finishes.
 * When the bracket misses (an unrepresentative sample), a plain selection of a copy in
 * work is the fallback: the result is exact either way. work: m + SAMPLE doubles. */
#define SAMPLE BASIN_MAD_EXTRA
static double select_rank(const double *a, long m, long k, bool want_below, double *below,
                          double *work)
{
    if (m > 4 * SAMPLE) {
        double *sample = work + m;
        const long stride = m / SAMPLE;
        for (long i = 0; i < SAMPLE; i++)
            sample[i] = a[i * stride];
        /* ±4√s sample ranks around the target: ~8σ of the sample rank's spread */
        const long centre = (long)((double)k / (double)m * SAMPLE), delta = 4 * 64;
        long r_lo = centre - delta, r_hi = centre + delta;
        r_lo = r_lo < 0 ? 0 : r_lo;
        r_hi = r_hi > SAMPLE - 1 ? SAMPLE - 1 : r_hi;
        const double p_hi = select_kth(sample, SAMPLE, r_hi);
        const double p_lo = select_kth(sample, r_hi, r_lo < r_hi ? r_lo : r_hi - 1);
        long under = 0, inside = 0;
        for (long i = 0; i < m; i++) {
            double x = a[i];
            under += x < p_lo;
            work[inside] = x;
            inside += (x >= p_lo) & (x <= p_hi);
        }
        const long q = k - under; /* rank within the bracket */
        if (q >= (want_below ? 1 : 0) && q < inside) {
            double v = select_kth(work, inside, q);
            if (want_below) {
                double lower = work[0];
                for (long i = 1; i < q; i++)
                    lower = work[i] > lower ? work[i] : lower;
                *below = lower;
            }
            return v;
        }
    }
    memcpy(work, a, (size_t)m * sizeof *work);
    double v = select_kth(work, m, k);
    if (want_below) {
        double lower = work[0];
        for (long i = 1; i < k; i++)
            lower = work[i] > lower ? work[i] : lower;
        *below = lower;
    }
    return v;
}

double basin_mad_sigma(long m, const double *d, double *work)
{
    /* |d| into the second half of work, the selection's scratch in the first */
    double *ad = work + m + SAMPLE;
    for (long i = 0; i < m; i++)
        ad[i] = fabs(d[i]);
    /* the k-th smallest |d_i| (k = ⌊m/2⌋); for even m the mean with the (k−1)-th */
    const long k = m / 2;
    double lower = 0.0;
    double med = select_rank(ad, m, k, m % 2 == 0, &lower, work);
    if (m % 2 == 0)
        med = 0.5 * (lower + med);
    return med / 0.6745;
}

double basin_visu_threshold(double sigma, long n)
{
    return sigma * sqrt(2.0 * log((double)n));
}

void basin_sort_nonnegative(long m, double *a, double *work)
{
    /* LSD radix sort, 11 bits a pass over the 64-bit patterns (6 stable passes, an even
     * number, so the result ends in a). For x ≥ 0 the IEEE-754 bit pattern read as an
     * unsigned integer is monotone in x. */
    enum { BITS = 11, BUCKETS = 1 << BITS };
    double *src = a, *dst = work;
    for (int pass = 0; pass < 6; pass++) {
        long count[BUCKETS];
        memset(count, 0, sizeof count);
        const int shift = pass * BITS;
        for (long i = 0; i < m; i++)
            count[(bits_of(src[i]) >> shift) & (BUCKETS - 1)]++;
        long sum = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (long i = 0; i < m; i++)
            dst[count[(bits_of(src[i]) >> shift) & (BUCKETS - 1)]++] = src[i];
        double *t = src;
        src = dst;
        dst = t;
    }
}

double basin_sure_threshold(long m, const double *d, double sigma, double *work)
{
    /* x = d/σ; a = sorted x²; η, γ of the hybrid rule */
    double *sq = work, *scratch = work + m;
    double norm2 = 0.0;
    for (long i = 0; i < m; i++) {
        double x = d[i] / sigma;
        sq[i] = x * x;
        norm2 += sq[i];
    }
    const double t_universal = sqrt(2.0 * log((double)m));
    const double eta = (norm2 - (double)m) / (double)m;
    const double gamma = pow(log2((double)m), 1.5) / sqrt((double)m);
    if (eta < gamma)
        return sigma * t_universal;
    basin_sort_nonnegative(m, sq, scratch);
    /* SURE(k) = m − 2k + Σ_{i≤k} a_i + (m − k) a_k, k = 1..m (a_k the k-th smallest) */
    double cum = 0.0, best = INFINITY, best_a = 0.0;
    for (long k = 1; k <= m; k++) {
        cum += sq[k - 1];
        double risk = ((double)m - 2.0 * (double)k + cum + (double)(m - k) * sq[k - 1]) / (double)m;
        if (risk < best) {
            best = risk;
            best_a = sq[k - 1];
        }
    }
    double t = sqrt(best_a);
    return sigma * (t < t_universal ? t : t_universal);
}
