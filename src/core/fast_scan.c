/*
 * fast_scan.c — 2-bit codes scored by byte table look-ups (see include/basin/fast_scan.h
 * for the quantiser, the layout and what the score means).
 *
 * The kernel sums bytes in 16-bit lanes without widening them: a 64-byte vector of
 * looked-up values r is added to accA as 32 16-bit lanes (lane i gains r[2i] + 256·r[2i+1])
 * and its high bytes to accB (lane i gains r[2i+1]); at the end row 2i scores
 * accA_i − 256·accB_i and row 2i + 1 scores accB_i, exact modulo 2^16, hence exact since
 * basin_fs_lut keeps every row's sum below 2^16.
 */
#include "basin/fast_scan.h"

#include <math.h>
#include <string.h>

#include "basin/retrieval.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_FS_KERNEL 1
#endif

/* Lloyd–Max quantiser of N(0, 1) with four levels: decision thresholds 0 and ±FS_T, levels
 * ±FS_L1 and ±FS_L2 (code 0 = −FS_L2, 1 = −FS_L1, 2 = +FS_L1, 3 = +FS_L2). */
#define FS_T  0.9816
#define FS_L1 0.4528
#define FS_L2 1.510

static const double fs_level[4] = {-FS_L2, -FS_L1, FS_L1, FS_L2};

/* Groups of two components, padded to an even count (pairs of groups share a byte). */
static size_t fs_pairs(int d)
{
    size_t groups = ((size_t)d + 1) / 2;
    return (groups + 1) / 2;
}

size_t basin_fs_row_bytes(int d)
{
    return fs_pairs(d);
}

size_t basin_fs_lut_bytes(int d)
{
    return fs_pairs(d) * 32;
}

void basin_fs_encode_row(int d, const float *mu, uint8_t *codes)
{
    size_t n = (size_t)d, pairs = fs_pairs(d);
    double sq = 0.0;
    for (size_t j = 0; j < n; j++)
        sq += (double)mu[j] * mu[j];
    double t = FS_T * sqrt(sq / (double)(n ? n : 1));
    memset(codes, 0, pairs);
    /* component j: group j/2, bits 2·(j mod 2) of the group; group g: byte g/2, nibble g mod 2 */
    for (size_t j = 0; j < n; j++) {
        double x = mu[j];
        unsigned c = x < -t ? 0u : x < 0.0 ? 1u : x < t ? 2u : 3u;
        codes[j / 4] |= (uint8_t)(c << (2 * (j % 4)));
    }
}

void basin_fs_put_row(uint8_t *blocked, int d, size_t i, const uint8_t *codes)
{
    size_t pairs = fs_pairs(d);
    uint8_t *blk = blocked + i / BASIN_FS_BLOCK * pairs * BASIN_FS_BLOCK + i % BASIN_FS_BLOCK;
    for (size_t p = 0; p < pairs; p++)
        blk[p * BASIN_FS_BLOCK] = codes[p];
}

void basin_fs_get_row(const uint8_t *blocked, int d, size_t i, uint8_t *codes)
{
    size_t pairs = fs_pairs(d);
    const uint8_t *blk = blocked + i / BASIN_FS_BLOCK * pairs * BASIN_FS_BLOCK + i % BASIN_FS_BLOCK;
    for (size_t p = 0; p < pairs; p++)
        codes[p] = blk[p * BASIN_FS_BLOCK];
}

/* T_g[k] = L[k mod 4]·q_2g + L[k div 4]·q_2g+1 (components past d count as 0); each
 * table shifted to start at 0 and all scaled by one factor so that the largest entry is
 * at most 255 and the largest possible sum over the groups at most 65535. */
void basin_fs_lut(int d, const float *q, uint8_t *lut)
{
    size_t n = (size_t)d, groups = 2 * fs_pairs(d);
    double range = 0.0;
    for (size_t g = 0; g < groups; g++) {
        double a = 2 * g < n ? q[2 * g] : 0.0, b = 2 * g + 1 < n ? q[2 * g + 1] : 0.0;
        /* the range of a table is that of its extreme entries, L2·(|a| + |b|) each way */
        double r = 2.0 * FS_L2 * (fabs(a) + fabs(b));
        range = r > range ? r : range;
    }
    double top = fmin(255.0, floor(65535.0 / (double)groups));
    double scale = range > 0.0 ? top / range : 0.0;
    for (size_t g = 0; g < groups; g++) {
        double a = 2 * g < n ? q[2 * g] : 0.0, b = 2 * g + 1 < n ? q[2 * g + 1] : 0.0;
        double lo = -FS_L2 * (fabs(a) + fabs(b));
        for (unsigned k = 0; k < 16; k++) {
            double e = fs_level[k & 3] * a + fs_level[k >> 2] * b;
            long v = lrint((e - lo) * scale);
            lut[g * 16 + k] = (uint8_t)(v < 0 ? 0 : v > (long)top ? (long)top : v);
        }
    }
}

void basin_fs_scores_portable(int d, const uint8_t *blocked, const uint8_t *lut, size_t b0,
                              size_t b1, uint16_t *score)
{
    size_t pairs = fs_pairs(d);
    for (size_t b = b0; b < b1; b++) {
        const uint8_t *blk = blocked + b * pairs * BASIN_FS_BLOCK;
        uint16_t *out = score + (b - b0) * BASIN_FS_BLOCK;
        for (size_t j = 0; j < BASIN_FS_BLOCK; j++) {
            unsigned s = 0;
            for (size_t p = 0; p < pairs; p++) {
                uint8_t c = blk[p * BASIN_FS_BLOCK + j];
                s += lut[(2 * p) * 16 + (c & 15u)] + lut[(2 * p + 1) * 16 + (c >> 4)];
            }
            out[j] = (uint16_t)s;
        }
    }
}

#ifdef HAVE_FS_KERNEL
/* One block: for each pair, the low nibbles look up group 2p's table and the high nibbles
 * group 2p + 1's, each table broadcast to the four 128-bit lanes (vpshufb looks up within
 * a lane). Scores are left as even rows (evens) and odd rows (odds), lane i each. */
__attribute__((target("avx512f,avx512bw"))) static inline void
fs_block(size_t pairs, const uint8_t *blk, const uint8_t *lut, __m512i *evens, __m512i *odds)
{
    const __m512i low4 = _mm512_set1_epi8(15);
    __m512i acc_a = _mm512_setzero_si512(), acc_b = _mm512_setzero_si512();
    for (size_t p = 0; p < pairs; p++) {
        __m512i c = _mm512_loadu_si512((const void *)(blk + p * BASIN_FS_BLOCK));
        __m512i t_lo = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)(lut + 32 * p)));
        __m512i t_hi = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)(lut + 32 * p + 16)));
        __m512i r_lo = _mm512_shuffle_epi8(t_lo, _mm512_and_si512(c, low4));
        __m512i r_hi = _mm512_shuffle_epi8(t_hi, _mm512_and_si512(_mm512_srli_epi16(c, 4), low4));
        acc_a = _mm512_add_epi16(acc_a, _mm512_add_epi16(r_lo, r_hi));
        acc_b = _mm512_add_epi16(
            acc_b, _mm512_add_epi16(_mm512_srli_epi16(r_lo, 8), _mm512_srli_epi16(r_hi, 8)));
    }
    *evens = _mm512_sub_epi16(acc_a, _mm512_slli_epi16(acc_b, 8));
    *odds = acc_b;
}

__attribute__((target("avx512f,avx512bw"))) static void
fs_scores_avx512(size_t pairs, const uint8_t *blocked, const uint8_t *lut, size_t b0, size_t b1,
                 uint16_t *score)
{
    /* interleave: lane i of evens and of odds → rows 2i and 2i + 1 */
    short lo_idx[32], hi_idx[32];
    for (short i = 0; i < 16; i++) {
        lo_idx[2 * i] = i;
        lo_idx[2 * i + 1] = (short)(32 + i);
        hi_idx[2 * i] = (short)(16 + i);
        hi_idx[2 * i + 1] = (short)(48 + i);
    }
    const __m512i lo_perm = _mm512_loadu_si512((const void *)lo_idx);
    const __m512i hi_perm = _mm512_loadu_si512((const void *)hi_idx);
    for (size_t b = b0; b < b1; b++) {
        __m512i ev, od;
        fs_block(pairs, blocked + b * pairs * BASIN_FS_BLOCK, lut, &ev, &od);
        uint16_t *out = score + (b - b0) * BASIN_FS_BLOCK;
        _mm512_storeu_si512((void *)out, _mm512_permutex2var_epi16(ev, lo_perm, od));
        _mm512_storeu_si512((void *)(out + 32), _mm512_permutex2var_epi16(ev, hi_perm, od));
    }
}
#endif

bool basin_fs_available(void)
{
#ifdef HAVE_FS_KERNEL
    return basin_scan_avx512bw();
#else
    return false;
#endif
}

void basin_fs_scores(int d, const uint8_t *blocked, const uint8_t *lut, size_t b0, size_t b1,
                     uint16_t *score)
{
#ifdef HAVE_FS_KERNEL
    if (basin_fs_available()) {
        fs_scores_avx512(fs_pairs(d), blocked, lut, b0, b1, score);
        return;
    }
#endif
    basin_fs_scores_portable(d, blocked, lut, b0, b1, score);
}

/* The bin of a histogram of `bins` bins where the count from the top reaches `need` (the
 * lowest bin if it never does); *above gets the count of the bins above it. */
static size_t reach_from_top(const uint32_t *hist, size_t bins, size_t need, size_t *above)
{
    size_t cum = 0, b = bins - 1;
    for (; b > 0 && cum + hist[b] < need; b--)
        cum += hist[b];
    *above = cum;
    return b;
}

/* The exact selection over the rows listed in idx[0..m) (in increasing order), whose
 * scores are score[idx[i]]: a histogram of the high bytes, one of the low bytes within the
 * threshold's bin, and a collecting pass. k ≤ m. */
static size_t select_exact(const uint16_t *score, const uint32_t *idx, size_t m, size_t k,
                           uint32_t *rows)
{
    uint32_t hist[256] = {0};
    size_t above_hi, above_lo;
    for (size_t i = 0; i < m; i++)
        hist[score[idx ? idx[i] : i] >> 8]++;
    size_t hi = reach_from_top(hist, 256, k, &above_hi);
    memset(hist, 0, sizeof hist);
    for (size_t i = 0; i < m; i++) {
        uint16_t v = score[idx ? idx[i] : i];
        if ((size_t)(v >> 8) == hi)
            hist[v & 255u]++;
    }
    size_t lo = reach_from_top(hist, 256, k - above_hi, &above_lo);
    /* every row above the threshold, then rows at it in row order until k */
    uint16_t t = (uint16_t)(hi << 8 | lo);
    size_t ties = k - above_hi - above_lo, out = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t r = idx ? idx[i] : (uint32_t)i;
        if (score[r] > t || (score[r] == t && ties > 0)) {
            ties -= score[r] == t;
            rows[out++] = r;
        }
    }
    return out;
}

/* The sampled floor: a histogram of every SAMPLE_STEP-th score (in bins of 16 scores)
 * places a floor that about SAMPLE_MARGIN · k rows reach; the rows at or above it are
 * listed in one pass and the exact selection runs over them. Should the floor let fewer
 * than k rows through, the selection runs over every row. */
#define SAMPLE_STEP   16
#define SAMPLE_MARGIN 2

/* The rows i < n with score[i] ≥ floor, in order, into rows[]; returns their count. */
static size_t list_at_least(const uint16_t *score, size_t n, uint16_t floor, uint32_t *rows)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        rows[m] = (uint32_t)i;
        m += score[i] >= floor;
    }
    return m;
}

#ifdef HAVE_FS_KERNEL
/* The same, 32 scores per comparison and 16 row numbers per compressing store. */
__attribute__((target("avx512f,avx512bw"))) static size_t
list_at_least_avx512(const uint16_t *score, size_t n, uint16_t floor, uint32_t *rows)
{
    const __m512i bar = _mm512_set1_epi16((short)floor), step = _mm512_set1_epi32(16);
    __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    size_t m = 0, i = 0;
    for (; i + 32 <= n; i += 32) {
        __mmask32 k = _mm512_cmpge_epu16_mask(_mm512_loadu_si512((const void *)(score + i)), bar);
        __mmask16 k0 = (__mmask16)k, k1 = (__mmask16)(k >> 16);
        _mm512_mask_compressstoreu_epi32(rows + m, k0, idx);
        m += (size_t)__builtin_popcount(k0);
        idx = _mm512_add_epi32(idx, step);
        _mm512_mask_compressstoreu_epi32(rows + m, k1, idx);
        m += (size_t)__builtin_popcount(k1);
        idx = _mm512_add_epi32(idx, step);
    }
    for (; i < n; i++) {
        rows[m] = (uint32_t)i;
        m += score[i] >= floor;
    }
    return m;
}
#endif

size_t basin_fs_select(const uint16_t *score, size_t n, size_t k, uint32_t *rows)
{
    if (k >= n) {
        for (size_t i = 0; i < n; i++)
            rows[i] = (uint32_t)i;
        return n;
    }
    if (k == 0)
        return 0;
    uint32_t hist[4096] = {0};
    for (size_t i = 0; i < n; i += SAMPLE_STEP)
        hist[score[i] >> 4]++;
    size_t above, want = SAMPLE_MARGIN * k / SAMPLE_STEP + 1;
    uint16_t floor = (uint16_t)(reach_from_top(hist, 4096, want, &above) << 4);
    /* rows holds the listed rows first (in row order): they are read before written */
    size_t m;
#ifdef HAVE_FS_KERNEL
    if (basin_fs_available())
        m = list_at_least_avx512(score, n, floor, rows);
    else
#endif
        m = list_at_least(score, n, floor, rows);
    if (m < k || m > n / 2)
        return select_exact(score, NULL, n, k, rows);
    return select_exact(score, rows, m, k, rows);
}
