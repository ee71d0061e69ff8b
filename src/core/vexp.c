/*
 * vexp.c — e^x of arrays with SIMD, the same bits on every x86-64 level (see
 * include/basin/vexp.h for the method and the guarantees).
 *
 * The kernel is compiled once per SIMD level (target_clones) from one loop of IEEE
 * additions and multiplications, with contraction into FMA turned off, so each level
 * performs the same roundings in the same order and only the speed differs.
 * no-trapping-math (basin never unmasks floating-point exceptions) lets the compiler turn
 * the clamps of the loop into selects, which it needs to vectorise it; it changes no
 * value.
 */
#include "basin/vexp.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
/* Not under ThreadSanitizer: its runtime is not ready when the ifunc resolvers run. */
#define BASIN_CLONES                                                                               \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),                   \
                   optimize("fp-contract=off", "no-trapping-math")))
#else
#define BASIN_CLONES
#endif

/* Elements per pass through the kernel (a stack tile, so that in-place calls are fine). */
#define TILE 256

#define X_MAX     710.0  /* e^710 overflows: clamped arguments still give +Inf */
#define X_MIN     -746.0 /* e^−746 < 2^−1076 rounds to 0: clamped ones still give 0 */
#define INV_LN2   0x1.71547652b82fep0
#define LN2_HI    0x1.62e42feep-1 /* 32 significant bits: k·LN2_HI is exact for |k| < 2^21 */
#define LN2_LO    0x1.a39ef35793c76p-33
#define SHIFTER   0x1.8p52 /* t = x/ln2 + SHIFTER rounds x/ln2 to the integer k in t's low bits */
#define BITS_SHFT 0x4338000000000000u /* the bits of SHIFTER */

/* y[i] = e^{x[i]}, i < n. */
BASIN_CLONES static void vexp_kernel(size_t n, const double *restrict x, double *restrict y)
{
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        xi = xi <= X_MAX ? xi : X_MAX; /* NaN becomes X_MAX here … */
        xi = xi >= X_MIN ? xi : X_MIN;
        xi = x[i] == x[i] ? xi : x[i]; /* … and NaN again here */
        double t = xi * INV_LN2 + SHIFTER;
        double k = t - SHIFTER;
        double r = (xi - k * LN2_HI) - k * LN2_LO;
        /* e^r = 1 + (r + r² c(r)), c(r) = Σ_{j=2..13} r^{j−2}/j! by Estrin's scheme
         * (pairs, then pairs of pairs: a short dependency chain) */
        double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        double c01 = 1.0 / 2.0 + r * (1.0 / 6.0);
        double c23 = 1.0 / 24.0 + r * (1.0 / 120.0);
        double c45 = 1.0 / 720.0 + r * (1.0 / 5040.0);
        double c67 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
        double c89 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
        double c1011 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
        double c03 = c01 + r2 * c23, c47 = c45 + r2 * c67, c811 = c89 + r2 * c1011;
        double c = (c03 + r4 * c47) + r8 * c811;
        double p = 1.0 + (r + r2 * c);
        /* 2^k = 2^k1 · 2^k2 with k1 = k/2 rounded, k2 = k − k1, both normal powers of two:
         * p·2^k1 is exact and the second product rounds once, also into the subnormals.
         * Each power is built from the low bits of its integer plus SHIFTER: 2^j has the
         * bits (j + 1023) << 52 (unsigned additions and a left shift, which every SIMD
         * level has for 64-bit lanes). */
        double t1 = k * 0.5 + SHIFTER;
        double t2 = (k - (t1 - SHIFTER)) + SHIFTER;
        uint64_t b1, b2;
        memcpy(&b1, &t1, sizeof b1);
        memcpy(&b2, &t2, sizeof b2);
        b1 = (b1 + (1023u - BITS_SHFT)) << 52;
        b2 = (b2 + (1023u - BITS_SHFT)) << 52;
        double s1, s2;
        memcpy(&s1, &b1, sizeof s1);
        memcpy(&s2, &b2, sizeof s2);
        y[i] = p * s1 * s2;
    }
}

void basin_vexp(size_t n, const double *x, double *y)
{
    double tile[TILE];
    for (size_t i0 = 0; i0 < n; i0 += TILE) {
        size_t m = n - i0 < TILE ? n - i0 : TILE;
        vexp_kernel(m, x + i0, tile);
        memcpy(y + i0, tile, m * sizeof *tile);
    }
}
