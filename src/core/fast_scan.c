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
#include <stdatomic.h>
#include <string.h>

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
    for (size_t b = b0; b < b1; b++) {
        __m512i ev, od;
        fs_block(pairs, blocked + b * pairs * BASIN_FS_BLOCK, lut, &ev, &od);
        /* interleave: lanes (even i, odd i) → rows 2i, 2i + 1 */
        uint16_t e[32], o[32];
        _mm512_storeu_si512((void *)e, ev);
        _mm512_storeu_si512((void *)o, od);
        uint16_t *out = score + (b - b0) * BASIN_FS_BLOCK;
        for (size_t i = 0; i < 32; i++) {
            out[2 * i] = e[i];
            out[2 * i + 1] = o[i];
        }
    }
}

/* The scan: rows whose score reaches the bar (the top-k's worst kept score) are offered;
 * the others cost one vector comparison per 32 rows. */
__attribute__((target("avx512f,avx512bw"))) static void
fs_scan_avx512(size_t pairs, const uint8_t *blocked, const uint8_t *lut, size_t lo, size_t hi,
               basin_topk *top)
{
    for (size_t b = lo / BASIN_FS_BLOCK; b * BASIN_FS_BLOCK < hi; b++) {
        __m512i ev, od;
        fs_block(pairs, blocked + b * pairs * BASIN_FS_BLOCK, lut, &ev, &od);
        uint16_t bar = top->bar_set ? (uint16_t)-top->bar.key : 0;
        __m512i v = _mm512_set1_epi16((short)bar);
        uint32_t me = (uint32_t)_mm512_cmpge_epu16_mask(ev, v);
        uint32_t mo = (uint32_t)_mm512_cmpge_epu16_mask(od, v);
        if (!(me | mo))
            continue;
        uint16_t e[32], o[32];
        _mm512_storeu_si512((void *)e, ev);
        _mm512_storeu_si512((void *)o, od);
        size_t row0 = b * BASIN_FS_BLOCK;
        for (; me; me &= me - 1) {
            size_t i = (size_t)__builtin_ctz(me), row = row0 + 2 * i;
            if (row < hi)
                basin_topk_push(top, -(float)e[i], (uint32_t)row);
        }
        for (; mo; mo &= mo - 1) {
            size_t i = (size_t)__builtin_ctz(mo), row = row0 + 2 * i + 1;
            if (row < hi)
                basin_topk_push(top, -(float)o[i], (uint32_t)row);
        }
    }
}
#endif

/* Set by basin_scan_portable (retrieval.c) through this hook. */
static bool fs_kernel_runs(void)
{
#ifdef HAVE_FS_KERNEL
    static atomic_int known = -1; /* threads that race here all compute the same */
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k < 0) {
        __builtin_cpu_init();
        k = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k;
#else
    return false;
#endif
}

bool basin_fs_available(void)
{
    return fs_kernel_runs() && !basin_scan_is_portable();
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

size_t basin_fs_scan(const basin_scan_data *S, const uint8_t *lut, size_t lo, size_t hi,
                     basin_topk *top)
{
    size_t pairs = fs_pairs(S->d);
    if (hi <= lo)
        return 0;
#ifdef HAVE_FS_KERNEL
    if (basin_fs_available()) {
        fs_scan_avx512(pairs, S->cos_fs, lut, lo, hi, top);
        return (hi - lo) * pairs;
    }
#endif
    uint16_t score[BASIN_FS_BLOCK];
    for (size_t b = lo / BASIN_FS_BLOCK; b * BASIN_FS_BLOCK < hi; b++) {
        basin_fs_scores_portable(S->d, S->cos_fs, lut, b, b + 1, score);
        for (size_t j = 0; j < BASIN_FS_BLOCK && b * BASIN_FS_BLOCK + j < hi; j++)
            basin_topk_push(top, -(float)score[j], (uint32_t)(b * BASIN_FS_BLOCK + j));
    }
    return (hi - lo) * pairs;
}
