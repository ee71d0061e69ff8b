/*
 * embed.h — turning what a client sends into what a space stores: the built-in `hash`
 * text embedder, the variance of a memory given only its mean, the tightening of a memory
 * by a repeated observation, and the compact copies that a candidate scan reads.
 *
 * All functions are pure: inputs borrowed, outputs caller-owned, no allocation unless said.
 */
#ifndef BASIN_EMBED_H
#define BASIN_EMBED_H

#include <stddef.h>
#include <stdint.h>

/* Bounds every stored variance respects (so that float32 distances neither overflow nor
 * divide by zero): σ² ∈ [BASIN_VAR_MIN, BASIN_VAR_MAX], |μ_i| ≤ BASIN_MU_MAX. */
#define BASIN_VAR_MIN 1e-12
#define BASIN_VAR_MAX 1e12
#define BASIN_MU_MAX  1e12

/* The `hash` embedder: a deterministic hashed bag of word uni- and bigrams.
 *
 *  1. Words: maximal runs of word bytes — ASCII letters and digits (letters lowercased) and
 *     every byte ≥ 0x80 (so UTF-8 letters of any script are kept, byte for byte, unfolded);
 *     every other byte separates words. A word longer than 64 bytes is cut to its first 64.
 *  2. Features: every word w (unigram) and every pair of consecutive words "w1 w2" (bigram:
 *     the bytes of w1, one 0x20, the bytes of w2).
 *  3. h = fmix64(FNV-1a 64 of the feature's bytes), FNV-1a with offset basis
 *     0xcbf29ce484222325 and prime 0x100000001b3, fmix64 MurmurHash3's finaliser
 *     (h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53;
 *     h ^= h >> 33; all mod 2^64). Index i = (h >> 32) mod d; sign s = −1 if h & 1 else +1.
 *  4. Sub-linear tf: a feature occurring tf times in the text adds s·(1 + ln tf) to v[i]
 *     once (features are counted by their 64-bit hash).
 *  5. v is L2-normalised; a text without words gives the zero vector.
 * Writes out[0..d); returns the number of words found. d ≥ 1. */
size_t basin_hash_embed(const char *text, size_t len, int d, float *out);

/* The variance of a memory given only its mean μ (d entries):
 *     ρ² = ‖μ‖²/d (the mean square component; 1 when μ = 0),  r_i = |μ_i| / max_j |μ_j|,
 *     σ²_i = ρ² · 10^(−r_i)
 * so that each component's variance falls from ρ² (components near zero: uncertain) to
 * ρ²/10 (the largest component: the most certain), in the units of μ, clipped to
 * [BASIN_VAR_MIN, BASIN_VAR_MAX]. Writes var[0..d). */
void basin_variance_from_mean(int d, const float *mu, float *var);

/* A repeated observation (mu_obs, var_obs) of a memory (mu, var), combined as the product
 * of the two Gaussians (precision addition):
 *     1/σ²_new = 1/σ²_old + 1/σ²_obs,   μ_new = σ²_new (μ_old/σ²_old + μ_obs/σ²_obs),
 * in double, written back into mu and var (clipped to [BASIN_VAR_MIN, BASIN_VAR_MAX]). */
void basin_precision_add(int d, float *mu, float *var, const float *mu_obs, const float *var_obs);

/* Symmetric int8 quantisation of one row: scale = max|x|/127 (1 when x = 0), code_i =
 * round(x_i / scale). Writes code[0..d) and returns the scale. */
float basin_quantize_q8(int d, const float *x, int8_t *code);

/* float32 → bfloat16 (round to nearest even) of n values; finite inputs only. */
void basin_to_bf16(size_t n, const float *x, uint16_t *out);

#endif
