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

/* Standard normal N(0, 1) (Marsaglia polar method). */
double basin_rng_normal(basin_rng *rng);

/* Fills out[0..n) with standard normals. */
void basin_rng_normals(basin_rng *rng, double *out, long n);

#endif
