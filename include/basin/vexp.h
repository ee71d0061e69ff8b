/*
 * vexp.h — the exponential of whole arrays, vectorised, with the same bits on every
 * machine.
 *
 * libm's exp is one call per element and its result may depend on the CPU it runs on
 * (glibc picks an FMA variant at load time). basin_vexp evaluates e^x with additions,
 * multiplications and integer bit operations only, in a loop that the compiler turns
 * into SIMD code for each x86-64 level (SSE2, AVX2, AVX-512) without contracting a·b + c
 * into an FMA: every level rounds every operation the same way, so the result is the same
 * bits wherever it runs, within about 1 ulp of e^x (at most 1.02 ulp against long double
 * over 6·10⁷ arguments).
 *
 * Method: x = k ln2 + r with |r| ≤ ln2/2 (Cody–Waite: ln2 in two parts, the first exact
 * in k·ln2_hi); e^r = 1 + (r + r² c(r)) with c(r) the rest of the Taylor polynomial of
 * degree 13, by Estrin's scheme (truncation < 5e-18); then the scaling by 2^k in two
 * steps, the first exact, so that a subnormal result is rounded once. x > 709.79 gives
 * +Inf, x < −745.14 gives 0, NaN gives NaN.
 */
#ifndef BASIN_VEXP_H
#define BASIN_VEXP_H

#include <stddef.h>

/* y[i] = e^{x[i]} for i < n. x and y may be the same array (in place); otherwise they
 * must not overlap. n = 0 does nothing. */
void basin_vexp(size_t n, const double *x, double *y);

#endif
