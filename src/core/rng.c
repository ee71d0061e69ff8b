/*
 * rng.c — seeding, bounded integers and normal deviates for basin_rng (see rng.h).
 */
#include "basin/rng.h"

#include <math.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void basin_rng_seed(basin_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    rng->spare = 0.0;
    rng->has_spare = 0;
}

void basin_rng_split(const basin_rng *rng, uint64_t stream, basin_rng *out)
{
    uint64_t x = rng->s[0] ^ rng->s[1] ^ rng->s[2] ^ rng->s[3];
    x ^= splitmix64(&stream);
    basin_rng_seed(out, x);
}

uint64_t basin_rng_below(basin_rng *rng, uint64_t n)
{
    /* Lemire (2019): multiply-shift with rejection of the short low band. */
    u128 m = (u128)basin_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (u128)basin_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double basin_rng_normal(basin_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    /* Polar method: (u, v) uniform in the unit disc, then
     * x = u·sqrt(−2 ln s / s), y = v·sqrt(−2 ln s / s) with s = u² + v². */
    double u, v, s;
    do {
        u = 2.0 * basin_rng_uniform(rng) - 1.0;
        v = 2.0 * basin_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    rng->spare = v * f;
    rng->has_spare = 1;
    return u * f;
}

void basin_rng_normals(basin_rng *rng, double *out, long n)
{
    for (long i = 0; i < n; i++)
        out[i] = basin_rng_normal(rng);
}
