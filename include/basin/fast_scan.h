/*
 * fast_scan.h — the first candidate stage of a large cosine search: 2-bit codes scored by
 * table look-ups, 64 rows per instruction.
 *
 * Each component of a mean μ is quantised to 2 bits against the row's own RMS
 * s = ‖μ‖/√d with the Lloyd–Max quantiser of a Gaussian (thresholds 0 and ±0.9816·s,
 * levels ±0.4528·s and ±1.510·s; a random unit vector's components are nearly Gaussian,
 * and the relative squared error is then ≈ 0.117). Two neighbouring components make a
 * 4-bit group code, so that the query's contribution of a group is one of 16 values:
 *     q·μ ≈ s · Σ_g T_g[code_g],   T_g[k] = L[k mod 4]·q_2g + L[k div 4]·q_2g+1.
 * Since s·(1/‖μ‖) = 1/√d is the same for every row, the cosine orders like Σ_g T_g[code_g]
 * alone. The tables are quantised to bytes (one scale for the query, one offset per group)
 * and summed exactly in 16-bit integers, so the score of a row is an integer and a row
 * with a higher score is a better candidate. The data need no training: the codes of a
 * row depend on that row alone, so the copy is kept up to date row by row.
 *
 * Layout (the "fast scan" layout): rows in blocks of BASIN_FS_BLOCK = 64; a block holds, for
 * each pair of groups p, 64 bytes — byte j the codes of row j for groups 2p (low nibble)
 * and 2p + 1 (high nibble). With AVX-512BW one byte shuffle looks up a group's table for 64
 * rows at once. Without it the portable scorer gives the same integers, much slower (the
 * retrieval model then keeps its 4-bit stage: basin_fs_available).
 *
 * On random unit vectors in d = 384 (100 000 rows, 20 random queries; a NumPy model of this
 * score) the true top 10 by cosine were all within the best 560 rows by it — the retrieval
 * model keeps 1 600 and more (memory_retrieve.c, FAST_FACTOR).
 */
#ifndef BASIN_FAST_SCAN_H
#define BASIN_FAST_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BASIN_FS_BLOCK 64

/* Bytes of one row's codes (groups of two components, two groups per byte), which is also
 * the bytes per row of the blocked layout: a block is BASIN_FS_BLOCK times this. */
size_t basin_fs_row_bytes(int d);

/* The codes of one mean (d components) into codes[0..basin_fs_row_bytes(d)), byte p
 * holding groups 2p and 2p + 1 as in a block. Deterministic; a zero row gets codes that
 * the rerank discards like any other candidate. */
void basin_fs_encode_row(int d, const float *mu, uint8_t *codes);

/* Row i of a blocked copy: written from / read into row-major codes. */
void basin_fs_put_row(uint8_t *blocked, int d, size_t i, const uint8_t *codes);
void basin_fs_get_row(const uint8_t *blocked, int d, size_t i, uint8_t *codes);

/* Bytes of a query's tables: 16 per group, groups padded to pairs. */
size_t basin_fs_lut_bytes(int d);

/* The byte tables of query q (d components; its norm does not matter). Entries are scaled
 * so that the sum over every group fits 16 bits. */
void basin_fs_lut(int d, const float *q, uint8_t *lut);

/* Whether the look-up kernel runs on this machine (AVX-512BW) and tests have not asked
 * for portable kernels (basin_scan_portable). */
bool basin_fs_available(void);

/* The scores of the rows of blocks [b0, b1) of a blocked copy into score[0..64·(b1 − b0)),
 * by the kernel where it runs, else by the portable loop; both give the same integers. */
void basin_fs_scores(int d, const uint8_t *blocked, const uint8_t *lut, size_t b0, size_t b1,
                     uint16_t *score);
/* The portable loop alone (for tests). */
void basin_fs_scores_portable(int d, const uint8_t *blocked, const uint8_t *lut, size_t b0,
                              size_t b1, uint16_t *score);

/* The k best rows of score[0..n) — higher scores first, and among equal scores the smaller
 * rows, the order of a basin_topk with key −score — written to rows[] in increasing row
 * order (ready for a scan of those rows); returns min(k, n). rows must have room for n
 * entries (the rest is scratch). No sort: a histogram of a sample of the scores sets a
 * floor, one pass lists the rows that reach it, and histograms of those rows' scores find
 * the exact threshold. */
size_t basin_fs_select(const uint16_t *score, size_t n, size_t k, uint32_t *rows);

#endif
