/*
 * rng.h — the seeded random number generator of the numerical core.
 *
 * xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64, so that any 64-bit seed,
 * including 0, gives a well-mixed state. The state is a plain value owned by the caller:
 * no globals, and the same seed always yields the same stream on every build and thread.
 * Independent streams for sub-tasks come from basin_rng_split().
 */
#ifndef BASIN_RNG_H
#define BASIN_RNG_H

#include <stdint.h>

typedef struct basin_rng {
    uint64_t s[4];
    double spare;  /* second normal of the last polar pair */
    int has_spare; /* 1 when spare holds an unused normal */
} basin_rng;

/* Seeds rng from a 64-bit seed (any value). */
void basin_rng_seed(basin_rng *rng, uint64_t seed);

/* Derives an independent generator for stream `stream` from rng's seed state, without
 * advancing rng. */
void basin_rng_split(const basin_rng *rng, uint64_t stream, basin_rng *out);

/* Next raw 64-bit output. */
static inline uint64_t basin_rng_next(basin_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double basin_rng_uniform(basin_rng *rng)
{
    return (double)(basin_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n) without modulo bias (Lemire's method); n > 0. */
uint64_t basin_rng_below(basin_rng *rng, uint64_t n);

/* Standard normal N(0, 1) (Marsaglia polar method). Kept as the reference generator: its
 * stream is unchanged since the first version. Hot loops use basin_normal_gen below. */
double basin_rng_normal(basin_rng *rng);

/* Fills out[0..n) with standard normals (basin_rng_normal, in order). */
void basin_rng_normals(basin_rng *rng, double *out, long n);

/* ---- the fast normal generator ------------------------------------------------------------
 *
 * basin_normal_gen produces standard normals for the hot loops of the stochastic models.
 * Raw bits come from BASIN_NORMAL_LANES interleaved xoshiro256** streams (output j of a fill
 * comes from lane j mod LANES), so the bit generator runs in SIMD registers; each 64-bit
 * word becomes one normal by the ziggurat of Marsaglia & Tsang (2000) with 1024 layers:
 * bits 0–9 pick the layer, bit 10 the sign, bits 12–63 the 52-bit uniform abscissa. About
 * 99.6% of words are accepted at once (abscissa inside the layer's inner rectangle); the
 * rest go through the exact wedge or tail test, which draws its extra uniforms from a
 * separate scalar stream (`slow`). The output law is exactly N(0, 1) up to the 52-bit
 * resolution of the abscissa; the tables are literal constants (no libm at set-up), so a
 * seed gives the same stream on every build and machine: the SIMD and scalar code paths
 * use the same integer operations and a single rounded multiply per accepted value.
 *
 * The state is a plain value owned by the caller (no globals); streams are independent
 * for different (seed, stream) pairs. */

#define BASIN_NORMAL_LANES 8

typedef struct basin_normal_gen {
    uint64_t s[4][BASIN_NORMAL_LANES]; /* word w of lane l's xoshiro256** state: s[w][l] */
    basin_rng slow;                    /* uniforms for the wedge and tail tests */
} basin_normal_gen;

/* Seeds g as stream `stream` of `seed`: lanes and slow stream are derived from
 * basin_rng_seed(seed) by basin_rng_split, so different streams are independent. */
void basin_normal_gen_seed(basin_normal_gen *g, uint64_t seed, uint64_t stream);

/* Fills out[0..n) (n ≥ 0) with standard normals. The values depend only on the generator
 * state and on the total count drawn so far, not on how the draws are split into calls,
 * except that every call consumes a whole multiple of BASIN_NORMAL_LANES raw words
 * (calls with n a multiple of BASIN_NORMAL_LANES split freely). */
void basin_normal_gen_fill(basin_normal_gen *g, double *out, long n);

/* Fills out[0..n) with uniforms in [0, 1) (53 bits), from the same raw words (the same
 * rounding-up of n to a multiple of BASIN_NORMAL_LANES applies). */
void basin_normal_gen_uniform(basin_normal_gen *g, double *out, long n);

#endif
