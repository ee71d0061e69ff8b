/*
 * test_fast_scan.c — the 2-bit fast scan of cosine's first candidate stage
 * (include/basin/fast_scan.h).
 *
 * References, each named at its test: the Lloyd–Max quantiser's thresholds applied by
 * hand; the blocked layout written out by hand; the scores recomputed from scratch as
 * sums of table entries (integers: the kernel and the portable loop must give exactly
 * these); a brute-force top-k; and the exact cosine ranking of random unit vectors.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/fast_scan.h"
#include "basin/retrieval.h"

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double normal(void)
{
    double u = (double)(next_u64() >> 11) * 0x1.0p-53 + 1e-300;
    double v = (double)(next_u64() >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Σ over the row's groups of its table entries: the definition of the score. */
static unsigned score_by_definition(int d, const uint8_t *codes, const uint8_t *lut)
{
    unsigned s = 0;
    size_t groups = 2 * basin_fs_row_bytes(d);
    for (size_t g = 0; g < groups; g++) {
        unsigned code = (codes[g / 2] >> (4 * (g % 2))) & 15u;
        s += lut[g * 16 + code];
    }
    return s;
}

START_TEST(encode_follows_the_quantiser)
{
    /* Reference: thresholds 0 and ±0.9816·s by hand. μ = (−2, −0.1, 0.1, 2): s = √(8.02/4)
     * = 1.416, t = 1.390, so the codes are 0, 1, 2, 3 and the byte 0 | 1<<2 | 2<<4 | 3<<6. */
    float mu4[4] = {-2.0f, -0.1f, 0.1f, 2.0f};
    uint8_t c[4];
    ck_assert_uint_eq(basin_fs_row_bytes(4), 1);
    basin_fs_encode_row(4, mu4, c);
    ck_assert_uint_eq(c[0], 0xE4);
    /* d = 5: three groups padded to two bytes; the fifth component 0 → code 2 (0 ≤ x < t),
     * the padding 0. */
    float mu5[5] = {-2.0f, -0.1f, 0.1f, 2.0f, 0.0f};
    ck_assert_uint_eq(basin_fs_row_bytes(5), 2);
    basin_fs_encode_row(5, mu5, c);
    ck_assert_uint_eq(c[0], 0xE4);
    ck_assert_uint_eq(c[1], 0x02);
    /* Scale-free: the same row times 1000 has the same codes. */
    for (int j = 0; j < 5; j++)
        mu5[j] *= 1000.0f;
    basin_fs_encode_row(5, mu5, c);
    ck_assert_uint_eq(c[0], 0xE4);
    ck_assert_uint_eq(c[1], 0x02);
}
END_TEST

START_TEST(blocked_layout_round_trip)
{
    /* Reference: the layout of fast_scan.h written out — row i, byte p at block i/64,
     * offset p·64 + i mod 64. */
    enum { N = 130, D = 77 };
    size_t rb = basin_fs_row_bytes(D), blocks = (N + 63) / 64;
    ck_assert_uint_eq(rb, 20);
    uint8_t *blocked = calloc(blocks * 64, rb), *codes = malloc(N * rb), got[20];
    for (size_t i = 0; i < N * rb; i++)
        codes[i] = (uint8_t)next_u64();
    for (size_t i = 0; i < N; i++)
        basin_fs_put_row(blocked, D, i, codes + i * rb);
    for (size_t i = 0; i < N; i++) {
        basin_fs_get_row(blocked, D, i, got);
        ck_assert_int_eq(memcmp(got, codes + i * rb, rb), 0);
        for (size_t p = 0; p < rb; p++)
            ck_assert_uint_eq(blocked[i / 64 * 64 * rb + p * 64 + i % 64], codes[i * rb + p]);
    }
    free(blocked);
    free(codes);
}
END_TEST

START_TEST(tables_stay_within_their_bounds)
{
    /* Every entry ≤ 255, and every possible sum (the largest entry of each group) ≤ 65535,
     * also at d = 4096 where 2048 groups must share 16 bits; a zero query gives zeros. */
    int dims[] = {1, 2, 77, 384, 4096};
    for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        int d = dims[t];
        float *q = malloc((size_t)d * sizeof *q);
        uint8_t *lut = malloc(basin_fs_lut_bytes(d));
        for (int j = 0; j < d; j++)
            q[j] = (float)normal();
        basin_fs_lut(d, q, lut);
        unsigned worst = 0, top = 0;
        for (size_t g = 0; g < basin_fs_lut_bytes(d) / 16; g++) {
            unsigned mx = 0;
            for (int k = 0; k < 16; k++)
                mx = lut[g * 16 + k] > mx ? lut[g * 16 + k] : mx;
            worst += mx;
            top = mx > top ? mx : top;
        }
        ck_assert_uint_le(worst, 65535);
        ck_assert_uint_ge(top, d >= 4096 ? 31 : 254); /* the scale uses the room it has */
        memset(q, 0, (size_t)d * sizeof *q);
        basin_fs_lut(d, q, lut);
        for (size_t k = 0; k < basin_fs_lut_bytes(d); k++)
            ck_assert_uint_eq(lut[k], 0);
        free(q);
        free(lut);
    }
}
END_TEST

START_TEST(kernel_and_portable_scores_are_the_definition)
{
    /* Reference: score_by_definition. Random codes (every byte value) and random queries;
     * the kernel (where the machine has it) and the portable loop must give exactly those
     * integers, whole blocks and a range of blocks, up to the largest dimension. */
    int dims[] = {1, 2, 77, 384, 4096};
    for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        int d = dims[t];
        size_t rb = basin_fs_row_bytes(d), blocks = 3, n = blocks * 64;
        uint8_t *blocked = malloc(n * rb), *codes = malloc(n * rb);
        uint8_t *lut = malloc(basin_fs_lut_bytes(d));
        float *q = malloc((size_t)d * sizeof *q);
        uint16_t *fast = malloc(n * sizeof *fast), *port = malloc(n * sizeof *port);
        for (size_t i = 0; i < n * rb; i++)
            codes[i] = (uint8_t)next_u64();
        for (size_t i = 0; i < n; i++)
            basin_fs_put_row(blocked, d, i, codes + i * rb);
        for (int j = 0; j < d; j++)
            q[j] = (float)normal();
        basin_fs_lut(d, q, lut);
        basin_fs_scores(d, blocked, lut, 0, blocks, fast);
        basin_fs_scores_portable(d, blocked, lut, 0, blocks, port);
        for (size_t i = 0; i < n; i++) {
            unsigned want = score_by_definition(d, codes + i * rb, lut);
            ck_assert_msg(fast[i] == want && port[i] == want, "d %d row %zu: %u %u want %u", d, i,
                          fast[i], port[i], want);
        }
        basin_fs_scores(d, blocked, lut, 1, 3, fast); /* blocks 1 and 2 alone */
        for (size_t i = 0; i < 128; i++)
            ck_assert_uint_eq(fast[i], port[64 + i]);
        free(blocked);
        free(codes);
        free(lut);
        free(q);
        free(fast);
        free(port);
    }
}
END_TEST

/* n random rows of d into mu, and the blocked codes of their means into *blocked. */
static void random_space(size_t n, int d, float *mu, uint8_t **blocked)
{
    size_t rb = basin_fs_row_bytes(d);
    *blocked = calloc((n + 63) / 64 * 64, rb);
    uint8_t *codes = malloc(rb);
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < d; j++)
            mu[i * (size_t)d + j] = (float)normal();
        basin_fs_encode_row(d, mu + i * (size_t)d, codes);
        basin_fs_put_row(*blocked, d, i, codes);
    }
    free(codes);
}

static int cmp_hit_ref(const void *a, const void *b)
{
    const basin_hit *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

START_TEST(select_keeps_the_best_scores)
{
    /* Reference: brute force — every row as a hit (key −score, row), sorted in the top-k's
     * order, the first k, then in row order. Scores over the whole 16-bit range, and
     * squeezed into a few values (ties at the threshold, and a threshold bin shared by
     * thousands); k from 0 to past n. */
    enum { N = 5000 };
    uint16_t score[N];
    basin_hit all[N];
    uint32_t want[N], got[N]; /* room for N: basin_fs_select's scratch */
    size_t ks[] = {0, 1, 7, 1000, N - 1, N, N + 5};
    for (int spread = 0; spread < 3; spread++) {
        for (size_t i = 0; i < N; i++) {
            uint64_t r = next_u64();
            score[i] = spread == 0   ? (uint16_t)r
                       : spread == 1 ? (uint16_t)(300 + r % 5)
                                     : (uint16_t)(r % 3 << 8 | 17);
            all[i] = (basin_hit){-(float)score[i], (uint32_t)i};
        }
        qsort(all, N, sizeof *all, cmp_hit_ref);
        for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
            size_t k = ks[t], m = k < N ? k : N;
            for (size_t i = 0; i < m; i++)
                want[i] = all[i].row;
            qsort(want, m, sizeof *want, cmp_u32);
            ck_assert_uint_eq(basin_fs_select(score, N, k, got), m);
            ck_assert_msg(memcmp(got, want, m * sizeof *got) == 0, "spread %d k %zu", spread, k);
        }
    }
}
END_TEST

START_TEST(true_neighbours_score_high)
{
    /* Reference: the exact cosine ranking (double). On 20 000 random rows of d = 128 and 8
     * random queries, the true ten nearest must all be among the best 1 000 by score (the
     * retrieval model keeps 4 000 of 100 000 and more). The worst of the 80 ranks 180 on
     * this seed. */
    enum { N = 20000, D = 128, Q = 8 };
    float *mu = malloc((size_t)N * D * sizeof *mu), q[D];
    uint8_t *blocked, *lut = malloc(basin_fs_lut_bytes(D));
    uint16_t *score = malloc((size_t)(N + 63) / 64 * 64 * sizeof *score);
    double *cosv = malloc(N * sizeof *cosv);
    random_space(N, D, mu, &blocked);
    size_t worst = 0;
    for (int t = 0; t < Q; t++) {
        for (int j = 0; j < D; j++)
            q[j] = (float)normal();
        basin_fs_lut(D, q, lut);
        basin_fs_scores(D, blocked, lut, 0, (N + 63) / 64, score);
        for (size_t i = 0; i < N; i++) {
            double dot = 0, nn = 0;
            for (int j = 0; j < D; j++) {
                dot += (double)mu[i * D + j] * q[j];
                nn += (double)mu[i * D + j] * mu[i * D + j];
            }
            cosv[i] = dot / sqrt(nn);
        }
        for (int r = 0; r < 10; r++) { /* the r-th best by cosine, and its rank by score */
            size_t best = 0;
            for (size_t i = 1; i < N; i++)
                if (cosv[i] > cosv[best])
                    best = i;
            size_t rank = 0;
            for (size_t i = 0; i < N; i++)
                rank += score[i] >= score[best];
            worst = rank > worst ? rank : worst;
            cosv[best] = -INFINITY;
        }
    }
    ck_assert_msg(worst <= 1000, "a true neighbour ranks %zu by score", worst);
    free(mu);
    free(blocked);
    free(lut);
    free(score);
    free(cosv);
}
END_TEST

static Suite *fast_scan_suite(void)
{
    Suite *s = suite_create("fast_scan");
    TCase *tc = tcase_create("fast_scan");
    tcase_add_test(tc, encode_follows_the_quantiser);
    tcase_add_test(tc, blocked_layout_round_trip);
    tcase_add_test(tc, tables_stay_within_their_bounds);
    tcase_add_test(tc, kernel_and_portable_scores_are_the_definition);
    tcase_add_test(tc, select_keeps_the_best_scores);
    tcase_add_test(tc, true_neighbours_score_high);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fast_scan_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
