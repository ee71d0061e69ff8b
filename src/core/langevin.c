/*
 * langevin.c — overdamped Langevin ensembles: energies, integrators, histogram estimators
 * and closed forms (see basin/langevin.h).
 *
 * DESIGN. Particles are advanced in blocks of BASIN_LANGEVIN_BLOCK coordinates, each block
 * with its own random stream, and each block is taken through many steps at a time while
 * its positions, normals and gradients sit in the L1 cache (an ensemble of 10⁶ particles
 * is 8 MB, so a step-by-step sweep would stream it from memory every step). Within a step
 * of a block the normals ξ are drawn into a buffer (basin_normal_gen, the expensive part),
 * the gradient ∇E is evaluated into a second buffer (one switch on the energy type per
 * block, never a per-particle call), and a tight loop applies
 *     x ← x − dt K ∇E + σ L ξ̃,   ξ̃ = ξ_{n+1} (euler_maruyama) or (ξ_n + ξ_{n+1})/2 (baoab),
 * vectorisable in the scalar-mobility case and unrolled for d = 1, 2, 3 in the matrix case.
 * The same loop checks that every new coordinate is finite. The block order and the way
 * steps are grouped do not change any number: each block's stream is consumed in its own
 * fixed order.
 */
#include "basin/langevin.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define BLOCK       BASIN_LANGEVIN_BLOCK
#define LN_2PI      1.8378770664093454836
#define BULK_MARGIN 25.0 /* the Boltzmann bulk: E − min E ≤ 25 T per axis */

/* SIMD clones of the hot loops (see update_harmonic). Not under ThreadSanitizer: its
 * runtime is not ready when the ifunc resolvers run at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BASIN_CLONES
#endif

enum { WORK_XI = 0, WORK_GRAD = BLOCK, WORK_CENTRE = 2 * BLOCK, WORK_SIZE = 3 * BLOCK };

/* Bit 63 of the result is set iff v is ±Inf or NaN (its exponent field is all ones):
 * adding one unit of the exponent field to it then carries into the (cleared) sign bit.
 * Integer-only, so the loops that OR it up still vectorise. */
static inline uint64_t nonfinite_bit(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x7ff0000000000000ULL) + 0x0010000000000000ULL;
}

/* Gauss–Legendre nodes and weights on [−1, 1]. */
static const double GL3_X[3] = {-0.77459666924148337704, 0.0, 0.77459666924148337704};
static const double GL3_W[3] = {0.55555555555555555556, 0.88888888888888888889,
                                0.55555555555555555556};
static const double GL4_X[4] = {-0.86113631159405257522, -0.33998104358485626480,
                                0.33998104358485626480, 0.86113631159405257522};
static const double GL4_W[4] = {0.34785484513745385737, 0.65214515486254614263,
                                0.65214515486254614263, 0.34785484513745385737};
static const double GL8_X[8] = {-0.96028985649753623168, -0.79666647741362673959,
                                -0.52553240991632898582, -0.18343464249564980494,
                                0.18343464249564980494,  0.52553240991632898582,
                                0.79666647741362673959,  0.96028985649753623168};
static const double GL8_W[8] = {
    0.10122853629037625915, 0.22238103445337447054, 0.31370664587788728734, 0.36268378337836198297,
    0.36268378337836198297, 0.31370664587788728734, 0.22238103445337447054, 0.10122853629037625915};

/* ---- the separable energies: one axis -------------------------------------------------- */

/* P(x), P'(x), P''(x) of one axis of a double_well or polynomial energy. */
static double axis_P(const basin_energy *E, double x)
{
    if (E->type == BASIN_ENERGY_DOUBLE_WELL) {
        /* h ((x/a)² − 1)² */
        double u = x / E->u.double_well.a;
        double v = u * u - 1.0;
        return E->u.double_well.h * v * v;
    }
    /* Horner: Σ_j c_j x^j */
    const double *c = E->u.polynomial.c;
    double p = 0.0;
    for (int j = E->u.polynomial.degree; j >= 0; j--)
        p = p * x + c[j];
    return p;
}

static double axis_dP(const basin_energy *E, double x)
{
    if (E->type == BASIN_ENERGY_DOUBLE_WELL) {
        /* (4h/a²) x ((x/a)² − 1) */
        double a = E->u.double_well.a, u = x / a;
        return 4.0 * E->u.double_well.h / (a * a) * x * (u * u - 1.0);
    }
    const double *c = E->u.polynomial.c;
    double p = 0.0;
    for (int j = E->u.polynomial.degree; j >= 1; j--)
        p = p * x + (double)j * c[j];
    return p;
}

static double axis_d2P(const basin_energy *E, double x)
{
    if (E->type == BASIN_ENERGY_DOUBLE_WELL) {
        /* (4h/a²)(3 (x/a)² − 1) */
        double a = E->u.double_well.a, u = x / a;
        return 4.0 * E->u.double_well.h / (a * a) * (3.0 * u * u - 1.0);
    }
    const double *c = E->u.polynomial.c;
    double p = 0.0;
    for (int j = E->u.polynomial.degree; j >= 2; j--)
        p = p * x + (double)(j * (j - 1)) * c[j];
    return p;
}

/* Every critical point of a polynomial axis lies in [−R, R] (Cauchy's bound for the roots
 * of P'(x) = Σ_j j c_j x^{j−1}: R = 1 + max_{j<n} |j c_j| / (n c_n)). */
static double poly_radius(const basin_energy *E)
{
    const int n = E->u.polynomial.degree;
    const double *c = E->u.polynomial.c;
    double lead = (double)n * c[n], m = 0.0;
    for (int j = 1; j < n; j++)
        m = fmax(m, fabs((double)j * c[j]) / lead);
    return 1.0 + m;
}

#define AXIS_SCAN 4097

/* Minimum of a polynomial axis: the best of a 4097-point scan of [−R, R], refined by
 * golden-section search on the bracket around it. Writes the minimiser to *xmin. */
static double poly_min(const basin_energy *E, double *xmin)
{
    const double R = poly_radius(E);
    double best = INFINITY, xb = 0.0, step = 2.0 * R / (AXIS_SCAN - 1);
    for (int i = 0; i < AXIS_SCAN; i++) {
        double x = -R + step * i, p = axis_P(E, x);
        if (p < best) {
            best = p;
            xb = x;
        }
    }
    const double g = 0.61803398874989484820;
    double lo = xb - step, hi = xb + step;
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    double f1 = axis_P(E, x1), f2 = axis_P(E, x2);
    for (int it = 0; it < 100 && hi - lo > 1e-15 * (1.0 + fabs(xb)); it++) {
        if (f1 < f2) {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = axis_P(E, x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = axis_P(E, x2);
        }
    }
    double xr = 0.5 * (lo + hi), pr = axis_P(E, xr);
    if (pr < best) {
        best = pr;
        xb = xr;
    }
    if (xmin)
        *xmin = xb;
    return best;
}

/* The interval [min S, max S] of S = {x : P(x) ≤ level}, level ≥ min P, for a polynomial
 * axis: beyond [−R, R] P is monotone, so the ends are found by doubling and bisection
 * there, or by bisection between scan points inside. */
static void poly_level_interval(const basin_energy *E, double level, double *lo, double *hi)
{
    const double R = poly_radius(E);
    const double step = 2.0 * R / (AXIS_SCAN - 1);
    for (int side = 0; side < 2; side++) {
        double sgn = side == 0 ? 1.0 : -1.0;
        double a, b; /* P(a) ≤ level < P(b), along the direction sgn */
        if (axis_P(E, sgn * R) <= level) {
            a = R;
            b = 2.0 * R + 1.0;
            while (axis_P(E, sgn * b) <= level && b < 1e300) {
                a = b;
                b *= 2.0;
            }
        } else {
            int i = AXIS_SCAN - 1;
            while (i > 0 && axis_P(E, sgn * (R - step * (AXIS_SCAN - 1 - i))) > level)
                i--;
            /* the scan point at distance R − step·(N−1−i) from 0 is inside S */
            a = R - step * (AXIS_SCAN - 1 - i);
            b = a + step;
        }
        for (int it = 0; it < 200 && b - a > 1e-14 * (1.0 + fabs(b)); it++) {
            double m = 0.5 * (a + b);
            if (axis_P(E, sgn * m) <= level)
                a = m;
            else
                b = m;
        }
        if (side == 0)
            *hi = b;
        else
            *lo = -b;
    }
}

/* ---- energies --------------------------------------------------------------------------- */

/* Lower Cholesky factor, defined below with the mobility. */
static bool cholesky(int d, const double *K, double *L);

int basin_langevin_energy_prepare(basin_energy *E, int d, int *bad)
{
    if (bad)
        *bad = -1;
    if (d < 1 || d > BASIN_LANGEVIN_MAX_DIM)
        return BASIN_EINVAL;
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        if (!(E->u.harmonic.k > 0.0) || !isfinite(E->u.harmonic.k))
            return BASIN_EINVAL;
        for (int a = 0; a < d; a++)
            if (!isfinite(E->u.harmonic.c[a]))
                return BASIN_EINVAL;
        return 0;
    case BASIN_ENERGY_DOUBLE_WELL:
        if (!(E->u.double_well.h > 0.0) || !isfinite(E->u.double_well.h) ||
            !(E->u.double_well.a > 0.0) || !isfinite(E->u.double_well.a))
            return BASIN_EINVAL;
        return 0;
    case BASIN_ENERGY_POLYNOMIAL: {
        int n = E->u.polynomial.degree;
        if (n < 2 || n > BASIN_ENERGY_MAX_DEGREE || n % 2 != 0 || !(E->u.polynomial.c[n] > 0.0))
            return BASIN_EINVAL;
        for (int j = 0; j <= n; j++)
            if (!isfinite(E->u.polynomial.c[j]))
                return BASIN_EINVAL;
        return 0;
    }
    case BASIN_ENERGY_GAUSSIAN_MIXTURE: {
        const int n = E->u.mixture.n;
        if (n < 1 || n > BASIN_ENERGY_MAX_COMPONENTS)
            return BASIN_EINVAL;
        double sum = 0.0;
        for (int k = 0; k < n; k++) {
            if (!(E->u.mixture.w[k] > 0.0) || !(E->u.mixture.w[k] <= 1.0)) {
                if (bad)
                    *bad = k;
                return BASIN_EINVAL;
            }
            sum += E->u.mixture.w[k];
        }
        if (!(fabs(sum - 1.0) <= 1e-9))
            return BASIN_EINVAL;
        double prec[BASIN_ENERGY_MAX_COMPONENTS * 9], logc[BASIN_ENERGY_MAX_COMPONENTS];
        double curv = 0.0;
        for (int k = 0; k < n; k++) {
            const double *S = E->u.mixture.cov + k * d * d;
            double L[9], Li[9], scale = 0.0;
            bool ok = true;
            for (int i = 0; i < d * d; i++) {
                ok &= isfinite(S[i]);
                scale = fmax(scale, fabs(S[i]));
            }
            for (int a = 0; a < d && ok; a++) {
                ok &= isfinite(E->u.mixture.mean[k * d + a]);
                for (int b = a + 1; b < d; b++)
                    ok &= fabs(S[a * d + b] - S[b * d + a]) <= 1e-12 * scale;
            }
            if (!ok || !cholesky(d, S, L)) {
                if (bad)
                    *bad = k;
                return BASIN_EINVAL;
            }
            /* Σ⁻¹ = L⁻ᵀ L⁻¹: Li = L⁻¹ by forward substitution; ln det Σ = 2 Σ ln L_aa */
            double logdet = 0.0;
            memset(Li, 0, sizeof Li);
            for (int a = 0; a < d; a++) {
                logdet += 2.0 * log(L[a * d + a]);
                for (int b = 0; b <= a; b++) {
                    double v = a == b ? 1.0 : 0.0;
                    for (int m = b; m < a; m++)
                        v -= L[a * d + m] * Li[m * d + b];
                    Li[a * d + b] = v / L[a * d + a];
                }
            }
            double *P = prec + k * d * d;
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) {
                    double v = 0.0;
                    for (int m = 0; m < d; m++)
                        v += Li[m * d + a] * Li[m * d + b];
                    P[a * d + b] = v;
                }
            double w[3];
            basin_langevin_symeig(d, P, w, NULL);
            curv = fmax(curv, w[d - 1]);
            logc[k] = log(E->u.mixture.w[k]) - 0.5 * ((double)d * LN_2PI + logdet);
        }
        memcpy(E->u.mixture.prec, prec, sizeof prec);
        memcpy(E->u.mixture.logc, logc, sizeof logc);
        E->u.mixture.curv = curv;
        return 0;
    }
    }
    return BASIN_EINVAL;
}

/* The log-densities ℓ_k = logc_k − ½ (x − μ_k)ᵀ Σ_k⁻¹ (x − μ_k) of a mixture's components at
 * x, into l[0..n); returns their log-sum-exp (= −E(x)). When u is not NULL it receives
 * Σ_k⁻¹(x − μ_k) at u[k*d..]. */
static double mixture_logs(const basin_energy *E, int d, const double *x, double *l, double *u)
{
    const int n = E->u.mixture.n;
    double top = -INFINITY;
    for (int k = 0; k < n; k++) {
        const double *mu = E->u.mixture.mean + k * d, *P = E->u.mixture.prec + k * d * d;
        double y[3], q = 0.0;
        for (int a = 0; a < d; a++)
            y[a] = x[a] - mu[a];
        for (int a = 0; a < d; a++) {
            double py = 0.0;
            for (int b = 0; b < d; b++)
                py += P[a * d + b] * y[b];
            q += y[a] * py;
            if (u)
                u[k * d + a] = py;
        }
        l[k] = E->u.mixture.logc[k] - 0.5 * q;
        top = fmax(top, l[k]);
    }
    if (top == -INFINITY)
        return top;
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += exp(l[k] - top);
    return top + log(s);
}

double basin_langevin_energy(const basin_energy *E, int d, const double *x)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC: {
        /* E(x) = ½ k |x − c|² */
        double r2 = 0.0;
        for (int a = 0; a < d; a++) {
            double u = x[a] - E->u.harmonic.c[a];
            r2 += u * u;
        }
        return 0.5 * E->u.harmonic.k * r2;
    }
    case BASIN_ENERGY_DOUBLE_WELL:
    case BASIN_ENERGY_POLYNOMIAL: {
        double e = 0.0;
        for (int a = 0; a < d; a++)
            e += axis_P(E, x[a]);
        return e;
    }
    case BASIN_ENERGY_GAUSSIAN_MIXTURE: {
        double l[BASIN_ENERGY_MAX_COMPONENTS];
        return -mixture_logs(E, d, x, l, NULL);
    }
    }
    return NAN;
}

void basin_langevin_energy_gradient(const basin_energy *E, int d, const double *x, double *g)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        for (int a = 0; a < d; a++)
            g[a] = E->u.harmonic.k * (x[a] - E->u.harmonic.c[a]);
        break;
    case BASIN_ENERGY_DOUBLE_WELL:
    case BASIN_ENERGY_POLYNOMIAL:
        for (int a = 0; a < d; a++)
            g[a] = axis_dP(E, x[a]);
        break;
    case BASIN_ENERGY_GAUSSIAN_MIXTURE: {
        /* ∇E = Σ_k r_k Σ_k⁻¹ (x − μ_k),  r_k = exp(ℓ_k − lse ℓ) */
        double l[BASIN_ENERGY_MAX_COMPONENTS], u[BASIN_ENERGY_MAX_COMPONENTS * 3];
        double lse = mixture_logs(E, d, x, l, u);
        for (int a = 0; a < d; a++)
            g[a] = 0.0;
        for (int k = 0; k < E->u.mixture.n; k++) {
            double r = exp(l[k] - lse);
            for (int a = 0; a < d; a++)
                g[a] += r * u[k * d + a];
        }
        break;
    }
    }
}

double basin_langevin_energy_min(const basin_energy *E, int d)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
    case BASIN_ENERGY_DOUBLE_WELL:
        return 0.0;
    case BASIN_ENERGY_POLYNOMIAL:
        return (double)d * poly_min(E, NULL);
    case BASIN_ENERGY_GAUSSIAN_MIXTURE: {
        double best = INFINITY;
        for (int k = 0; k < E->u.mixture.n; k++)
            best = fmin(best, basin_langevin_energy(E, d, E->u.mixture.mean + k * d));
        return best;
    }
    }
    return NAN;
}

void basin_langevin_energy_bulk(const basin_energy *E, int d, double T, double *lo, double *hi)
{
    const double m = BULK_MARGIN * (T > 0.0 ? T : 0.0);
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        /* ½ k (x − c)² ≤ 25 T */
        for (int a = 0; a < d; a++) {
            double r = sqrt(2.0 * m / E->u.harmonic.k);
            lo[a] = E->u.harmonic.c[a] - r;
            hi[a] = E->u.harmonic.c[a] + r;
        }
        break;
    case BASIN_ENERGY_DOUBLE_WELL: {
        /* h ((x/a)² − 1)² ≤ 25 T  ⇔  |x| ≤ a √(1 + √(25 T/h)) */
        double r = E->u.double_well.a * sqrt(1.0 + sqrt(m / E->u.double_well.h));
        for (int a = 0; a < d; a++) {
            lo[a] = -r;
            hi[a] = r;
        }
        break;
    }
    case BASIN_ENERGY_POLYNOMIAL: {
        double xm, pmin = poly_min(E, &xm), l, h;
        if (m > 0.0) {
            poly_level_interval(E, pmin + m, &l, &h);
        } else {
            l = h = xm;
        }
        for (int a = 0; a < d; a++) {
            lo[a] = l;
            hi[a] = h;
        }
        break;
    }
    case BASIN_ENERGY_GAUSSIAN_MIXTURE:
        /* q ∝ (Σ w N)^{1/T} ≈ N(μ_k, T Σ_k) near component k: μ ± √(50 T Σ_aa) */
        for (int a = 0; a < d; a++) {
            lo[a] = INFINITY;
            hi[a] = -INFINITY;
            for (int k = 0; k < E->u.mixture.n; k++) {
                double mu = E->u.mixture.mean[k * d + a];
                double r = sqrt(2.0 * m * E->u.mixture.cov[k * d * d + a * d + a]);
                lo[a] = fmin(lo[a], mu - r);
                hi[a] = fmax(hi[a], mu + r);
            }
        }
        break;
    }
}

double basin_langevin_energy_curvature(const basin_energy *E, int d, const double *lo,
                                       const double *hi)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        return E->u.harmonic.k;
    case BASIN_ENERGY_GAUSSIAN_MIXTURE:
        return E->u.mixture.curv;
    case BASIN_ENERGY_DOUBLE_WELL: {
        /* P'' = (4h/a²)(3 (x/a)² − 1) is largest at the end of the box farthest from 0 */
        double r = 0.0;
        for (int a = 0; a < d; a++)
            r = fmax(r, fmax(fabs(lo[a]), fabs(hi[a])));
        return fmax(0.0, axis_d2P(E, r));
    }
    case BASIN_ENERGY_POLYNOMIAL: {
        double best = 0.0;
        for (int a = 0; a < d; a++) {
            double step = (hi[a] - lo[a]) / (AXIS_SCAN - 1);
            for (int i = 0; i < AXIS_SCAN; i++)
                best = fmax(best, axis_d2P(E, lo[a] + step * i));
            best = fmax(best, fmax(axis_d2P(E, lo[a]), axis_d2P(E, hi[a])));
        }
        return best;
    }
    }
    return NAN;
}

/* g[0..m) = ∇E at the m coordinates x[0..m) of nb whole particles; `centre` is the
 * harmonic centre tiled over the block (centre[j] = c[j mod d]). */
static void block_gradient(const basin_energy *E, int d, long nb, const double *restrict x,
                           const double *restrict centre, double *restrict g)
{
    const long m = nb * d;
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC: {
        /* ∇E = k (x − c) */
        const double k = E->u.harmonic.k;
        for (long j = 0; j < m; j++)
            g[j] = k * (x[j] - centre[j]);
        break;
    }
    case BASIN_ENERGY_DOUBLE_WELL: {
        /* ∂E/∂x_a = (4h/a²) x_a ((x_a/a)² − 1) */
        const double a = E->u.double_well.a, s = 4.0 * E->u.double_well.h / (a * a),
                     ia2 = 1.0 / (a * a);
        for (long j = 0; j < m; j++)
            g[j] = s * x[j] * (x[j] * x[j] * ia2 - 1.0);
        break;
    }
    case BASIN_ENERGY_POLYNOMIAL: {
        /* P'(x) = Σ_j j c_j x^{j−1}, Horner */
        const int n = E->u.polynomial.degree;
        double jc[BASIN_ENERGY_MAX_DEGREE + 1];
        for (int j = 1; j <= n; j++)
            jc[j] = (double)j * E->u.polynomial.c[j];
        for (long i = 0; i < m; i++) {
            double p = 0.0;
            for (int j = n; j >= 1; j--)
                p = p * x[i] + jc[j];
            g[i] = p;
        }
        break;
    }
    case BASIN_ENERGY_GAUSSIAN_MIXTURE:
        for (long i = 0; i < nb; i++)
            basin_langevin_energy_gradient(E, d, x + i * d, g + i * d);
        break;
    }
}

/* ---- small symmetric matrices --------------------------------------------------------- */

/* Cyclic Jacobi eigen-decomposition of a symmetric d×d matrix (d ≤ 3): A = Q diag(w) Qᵀ,
 * w ascending, eigenvectors in the columns of Q (may be NULL). Each rotation J(p, q, θ)
 * zeroes a_pq: with θ = (a_qq − a_pp)/(2 a_pq), t = tan = sgn θ/(|θ| + √(θ² + 1)). */
void basin_langevin_symeig(int d, const double *A, double *w, double *Q)
{
    enum { N = BASIN_LANGEVIN_MAX_DIM };
    double a[N][N], V[N][N];
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            a[i][j] = A[i * d + j];
            V[i][j] = i == j ? 1.0 : 0.0;
        }
    for (int sweep = 0; sweep < 50; sweep++) {
        bool rotated = false;
        for (int p = 0; p < d; p++)
            for (int q = p + 1; q < d; q++) {
                double apq = a[p][q];
                if (fabs(apq) <= 1e-300 || fabs(apq) <= 1e-18 * (fabs(a[p][p]) + fabs(a[q][q]))) {
                    a[p][q] = a[q][p] = 0.0;
                    continue;
                }
                rotated = true;
                double theta = (a[q][q] - a[p][p]) / (2.0 * apq);
                double t = fabs(theta) > 1e150
                               ? 0.5 / theta
                               : copysign(1.0, theta) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < d; k++) { /* A J */
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < d; k++) { /* Jᵀ (A J) */
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < d; k++) { /* V J */
                    double vkp = V[k][p], vkq = V[k][q];
                    V[k][p] = c * vkp - s * vkq;
                    V[k][q] = s * vkp + c * vkq;
                }
            }
        if (!rotated)
            break;
    }
    int order[N] = {0, 1, 2};
    for (int i = 1; i < d; i++) /* insertion sort of the eigenvalues */
        for (int j = i; j > 0 && a[order[j]][order[j]] < a[order[j - 1]][order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (int j = 0; j < d; j++) {
        w[j] = a[order[j]][order[j]];
        if (Q)
            for (int i = 0; i < d; i++)
                Q[i * d + j] = V[i][order[j]];
    }
}

/* Lower Cholesky factor L of an SPD d×d matrix K = L Lᵀ (row-major, upper part zeroed).
 * Returns false when a pivot is not positive. */
static bool cholesky(int d, const double *K, double *L)
{
    memset(L, 0, (size_t)(d * d) * sizeof *L);
    for (int j = 0; j < d; j++) {
        double s = K[j * d + j];
        for (int m = 0; m < j; m++)
            s -= L[j * d + m] * L[j * d + m];
        if (!(s > 0.0))
            return false;
        L[j * d + j] = sqrt(s);
        for (int i = j + 1; i < d; i++) {
            double v = K[i * d + j];
            for (int m = 0; m < j; m++)
                v -= L[i * d + m] * L[j * d + m];
            L[i * d + j] = v / L[j * d + j];
        }
    }
    return true;
}

int basin_langevin_mobility_check(int d, const basin_mobility *K, double *lambda_min,
                                  double *lambda_max)
{
    if (d < 1 || d > BASIN_LANGEVIN_MAX_DIM)
        return BASIN_EINVAL;
    if (!K->matrix) {
        if (!(K->kappa > 0.0) || !isfinite(K->kappa))
            return BASIN_EINVAL;
        *lambda_min = *lambda_max = K->kappa;
        return 0;
    }
    double scale = 0.0;
    for (int i = 0; i < d * d; i++) {
        if (!isfinite(K->K[i]))
            return BASIN_EINVAL;
        scale = fmax(scale, fabs(K->K[i]));
    }
    for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++)
            if (fabs(K->K[i * d + j] - K->K[j * d + i]) > 1e-12 * scale)
                return BASIN_EINVAL;
    double L[BASIN_LANGEVIN_MAX_DIM * BASIN_LANGEVIN_MAX_DIM], w[BASIN_LANGEVIN_MAX_DIM];
    if (!cholesky(d, K->K, L))
        return BASIN_EINVAL;
    basin_langevin_symeig(d, K->K, w, NULL);
    if (!(w[0] > 0.0))
        return BASIN_EINVAL;
    *lambda_min = w[0];
    *lambda_max = w[d - 1];
    return 0;
}

double basin_langevin_dt_limit(int d, const basin_energy *E, const basin_mobility *K,
                               const double *lo, const double *hi)
{
    double lmin, lmax;
    int rc = basin_langevin_mobility_check(d, K, &lmin, &lmax);
    assert(rc == 0);
    (void)rc;
    /* x ← x − dt K ∇E: the drift's Jacobian I − dt K ∇²E has spectral radius < 1 for every
     * Hessian with eigenvalues in [0, κ_E] iff dt κ_E λ_max(K) < 2. */
    double kappa_E = basin_langevin_energy_curvature(E, d, lo, hi);
    return kappa_E > 0.0 ? 2.0 / (kappa_E * lmax) : INFINITY;
}

/* ---- the ensemble --------------------------------------------------------------------- */

int basin_langevin_init(basin_langevin *s, int d, long M, double *x, const basin_energy *E,
                        const basin_mobility *K, double T, double dt,
                        basin_langevin_integrator integrator, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    double lmin, lmax;
    basin_energy e = *E;
    if (d < 1 || d > BASIN_LANGEVIN_MAX_DIM || M < 1 || !x || !(T >= 0.0) || !isfinite(T) ||
        !(dt > 0.0) || !isfinite(dt) || basin_langevin_energy_prepare(&e, d, NULL) != 0 ||
        basin_langevin_mobility_check(d, K, &lmin, &lmax) != 0 ||
        (integrator != BASIN_LANGEVIN_EULER_MARUYAMA && integrator != BASIN_LANGEVIN_BAOAB))
        return BASIN_EINVAL;
    s->per_block = BLOCK / d;
    s->n_blocks = (M + s->per_block - 1) / s->per_block;
    s->work = malloc(WORK_SIZE * sizeof *s->work);
    s->gen = malloc((size_t)s->n_blocks * sizeof *s->gen);
    if (integrator == BASIN_LANGEVIN_BAOAB)
        s->xi = malloc((size_t)M * (size_t)d * sizeof *s->xi);
    if (!s->work || !s->gen || (integrator == BASIN_LANGEVIN_BAOAB && !s->xi)) {
        basin_langevin_free(s);
        return BASIN_ENOMEM;
    }
    for (long b = 0; b < s->n_blocks; b++)
        basin_normal_gen_seed(&s->gen[b], seed, (uint64_t)b);
    s->d = d;
    s->M = M;
    s->x = x;
    s->E = e;
    s->K = *K;
    if (K->matrix)
        cholesky(d, K->K, s->L);
    s->T = T;
    s->dt = dt;
    s->integrator = integrator;
    double *centre = s->work + WORK_CENTRE;
    for (long j = 0; j < BLOCK; j++)
        centre[j] = e.type == BASIN_ENERGY_HARMONIC ? e.u.harmonic.c[j % d] : 0.0;
    return 0;
}

void basin_langevin_free(basin_langevin *s)
{
    if (!s)
        return;
    free(s->work);
    free(s->gen);
    free(s->xi);
    s->work = NULL;
    s->gen = NULL;
    s->xi = NULL;
}

/* Particles [first, first + nb) of block b. */
static long block_span(const basin_langevin *s, long b, long *first)
{
    *first = b * s->per_block;
    return s->M - *first < s->per_block ? s->M - *first : s->per_block;
}

void basin_langevin_set_point(basin_langevin *s, const double *x0)
{
    for (long i = 0; i < s->M; i++)
        for (int a = 0; a < s->d; a++)
            s->x[i * s->d + a] = x0[a];
}

void basin_langevin_set_gaussian(basin_langevin *s, const double *mean, double std)
{
    /* x_ia = mean_a + std·ξ_ia */
    const int d = s->d;
    for (long b = 0; b < s->n_blocks; b++) {
        long first, nb = block_span(s, b, &first);
        double *x = s->x + first * d;
        basin_normal_gen_fill(&s->gen[b], x, nb * d);
        for (long i = 0; i < nb; i++)
            for (int a = 0; a < d; a++)
                x[i * d + a] = mean[a] + std * x[i * d + a];
    }
}

void basin_langevin_set_uniform(basin_langevin *s, const double *low, const double *high)
{
    /* x_ia = low_a + (high_a − low_a)·U_ia */
    const int d = s->d;
    for (long b = 0; b < s->n_blocks; b++) {
        long first, nb = block_span(s, b, &first);
        double *x = s->x + first * d;
        basin_normal_gen_uniform(&s->gen[b], x, nb * d);
        for (long i = 0; i < nb; i++)
            for (int a = 0; a < d; a++)
                x[i * d + a] = low[a] + (high[a] - low[a]) * x[i * d + a];
    }
}

/* One step of nb particles (m = nb·d coordinates) with a matrix mobility, d a compile-time
 * constant at each call site: x_i ← x_i − dt K g_i + σ L ξ_i. Returns the OR of
 * nonfinite_bit() over the new coordinates. */
static inline __attribute__((always_inline)) uint64_t
step_matrix(const int d, long nb, double *restrict x, const double *restrict g,
            const double *restrict xi, const double *K, const double *L, double dt, double sigma)
{
    uint64_t bad = 0;
    for (long i = 0; i < nb; i++) {
        double *xp = x + i * d;
        const double *gp = g + i * d, *zp = xi + i * d;
        for (int a = 0; a < d; a++) {
            double drift = 0.0, noise = 0.0;
            for (int b = 0; b < d; b++)
                drift += K[a * d + b] * gp[b];
            for (int b = 0; b <= a; b++)
                noise += L[a * d + b] * zp[b];
            double v = xp[a] - dt * drift + sigma * noise;
            xp[a] = v;
            bad |= nonfinite_bit(v);
        }
    }
    return bad;
}

/* The two scalar-mobility updates, x ← x − a (x − c) + σ ξ (harmonic, fused) and
 * x ← x − a g + σ ξ; each returns the OR of nonfinite_bit() over the new coordinates. The
 * SIMD clones compute the same IEEE operations in the same order (the build is ISO C, so
 * no multiply-add is contracted): they only change the speed. */
BASIN_CLONES static uint64_t update_harmonic(long m, double *restrict x,
                                             const double *restrict centre,
                                             const double *restrict xi, double a, double sigma)
{
    uint64_t bad = 0;
    for (long j = 0; j < m; j++) {
        double v = x[j] - a * (x[j] - centre[j]) + sigma * xi[j];
        x[j] = v;
        bad |= nonfinite_bit(v);
    }
    return bad;
}

BASIN_CLONES static uint64_t update_scalar(long m, double *restrict x, const double *restrict g,
                                           const double *restrict xi, double a, double sigma)
{
    uint64_t bad = 0;
    for (long j = 0; j < m; j++) {
        double v = x[j] - a * g[j] + sigma * xi[j];
        x[j] = v;
        bad |= nonfinite_bit(v);
    }
    return bad;
}

/* One step of one block: nb particles at x (m = nb·d coordinates), normals from gen, and
 * for baoab the previous normals in xi_prev (updated). Returns the OR of nonfinite_bit(). */
static uint64_t block_step(basin_langevin *s, basin_normal_gen *gen, long nb, double *restrict x,
                           double *restrict xi_prev)
{
    const int d = s->d;
    const long m = nb * d;
    const double dt = s->dt;
    double *restrict xi = s->work + WORK_XI, *restrict g = s->work + WORK_GRAD;
    const double *restrict centre = s->work + WORK_CENTRE;
    basin_normal_gen_fill(gen, xi, m);
    if (xi_prev) {
        /* baoab: the noise of this step is (ξ_n + ξ_{n+1})/2; keep ξ_{n+1} for the next */
        for (long j = 0; j < m; j++) {
            double z = xi[j];
            xi[j] = 0.5 * (xi_prev[j] + z);
            xi_prev[j] = z;
        }
    }
    if (!s->K.matrix && s->E.type == BASIN_ENERGY_HARMONIC) {
        /* x ← x − κ dt k (x − c) + √(2Tκ dt) ξ, fused */
        const double a = s->K.kappa * dt * s->E.u.harmonic.k;
        return update_harmonic(m, x, centre, xi, a, sqrt(2.0 * s->T * s->K.kappa * dt));
    }
    block_gradient(&s->E, d, nb, x, centre, g);
    if (!s->K.matrix) {
        /* x ← x − κ dt ∇E + √(2Tκ dt) ξ   (K = κ I, L = √κ I) */
        return update_scalar(m, x, g, xi, s->K.kappa * dt, sqrt(2.0 * s->T * s->K.kappa * dt));
    }
    /* x ← x − dt K ∇E + √(2T dt) L ξ */
    const double sigma = sqrt(2.0 * s->T * dt);
    switch (d) {
    case 1:
        return step_matrix(1, nb, x, g, xi, s->K.K, s->L, dt, sigma);
    case 2:
        return step_matrix(2, nb, x, g, xi, s->K.K, s->L, dt, sigma);
    default:
        return step_matrix(3, nb, x, g, xi, s->K.K, s->L, dt, sigma);
    }
}

int basin_langevin_advance(basin_langevin *s, long n, basin_langevin_poll poll, void *user)
{
    const int d = s->d;
    /* steps per visit of a block: one visit is at most one poll interval of work */
    long span = BASIN_LANGEVIN_POLL_EVERY / (s->per_block * d);
    if (span < 1)
        span = 1;
    for (long done = 0; done < n;) {
        const long k = n - done < span ? n - done : span;
        const long base = s->step; /* steps every block has completed */
        long bad = LONG_MAX;       /* the first step that made a non-finite coordinate */
        for (long b = 0; b < s->n_blocks; b++) {
            long first, nb = block_span(s, b, &first);
            double *x = s->x + first * d;
            double *xi_prev = s->xi ? s->xi + first * d : NULL;
            if (xi_prev && base == 0) /* baoab's first step also needs ξ_0 */
                basin_normal_gen_fill(&s->gen[b], xi_prev, nb * d);
            for (long j = 0; j < k && base + j + 1 < bad; j++)
                if (block_step(s, &s->gen[b], nb, x, xi_prev) >> 63)
                    bad = base + j + 1;
            s->polled += k * nb * d;
            if (s->polled >= BASIN_LANGEVIN_POLL_EVERY) {
                s->polled = 0;
                if (poll && poll(user))
                    return BASIN_ECANCELLED;
            }
        }
        if (bad != LONG_MAX) {
            s->step = bad;
            return BASIN_EDIVERGED;
        }
        s->step = base + k;
        done += k;
    }
    return 0;
}

void basin_langevin_measure(const basin_langevin *s, basin_langevin_moments *out)
{
    const int d = s->d;
    const long M = s->M;
    const double *x = s->x;
    memset(out, 0, sizeof *out);
    /* two passes: mean_a = Σ_i x_ia / M, var_a = Σ_i (x_ia − mean_a)² / (M − 1) */
    double sum[BASIN_LANGEVIN_MAX_DIM] = {0}, ss[BASIN_LANGEVIN_MAX_DIM] = {0}, e = 0.0;
    for (long i = 0; i < M; i++) {
        for (int a = 0; a < d; a++)
            sum[a] += x[i * d + a];
        e += basin_langevin_energy(&s->E, d, x + i * d);
    }
    for (int a = 0; a < d; a++)
        out->mean[a] = sum[a] / (double)M;
    for (long i = 0; i < M; i++)
        for (int a = 0; a < d; a++) {
            double u = x[i * d + a] - out->mean[a];
            ss[a] += u * u;
        }
    for (int a = 0; a < d; a++)
        out->var[a] = M > 1 ? ss[a] / (double)(M - 1) : 0.0;
    out->mean_energy = e / (double)M;
}

/* ---- partition function and histogram estimators -------------------------------------- */

/* Tensor Gauss–Legendre over the box [lo, hi] cut into `panels` cells per axis with an
 * `order`-node rule (3, 4 or 8) per cell: returns ln ∫_box exp(−(E − Eref)/T). */
static double box_log_integral(const basin_energy *E, int d, double T, const double *lo,
                               const double *hi, long panels, int order, double Eref)
{
    const double *X = order == 3 ? GL3_X : order == 4 ? GL4_X : GL8_X;
    const double *W = order == 3 ? GL3_W : order == 4 ? GL4_W : GL8_W;
    const long per_axis = panels * order;
    long total = 1;
    for (int a = 0; a < d; a++)
        total *= per_axis;
    double h[3];
    for (int a = 0; a < d; a++)
        h[a] = (hi[a] - lo[a]) / (double)panels;
    /* Σ over nodes of Π_a (h_a/2) w · exp(−(E − Eref)/T), summed in panel-sized pieces with
     * a running log-sum-exp so that no term overflows */
    double top = -INFINITY, acc = 0.0;
    for (long idx = 0; idx < total; idx++) {
        long r = idx;
        double x[3], w = 1.0;
        for (int a = 0; a < d; a++) {
            long i = r % per_axis;
            r /= per_axis;
            long p = i / order;
            int q = (int)(i % order);
            x[a] = lo[a] + h[a] * ((double)p + 0.5 * (1.0 + X[q]));
            w *= 0.5 * h[a] * W[q];
        }
        double v = -(basin_langevin_energy(E, d, x) - Eref) / T;
        if (v == -INFINITY)
            continue;
        if (v > top) {
            acc = acc * exp(top - v) + w;
            top = v;
        } else {
            acc += w * exp(v - top);
        }
    }
    return top + log(acc);
}

int basin_langevin_log_partition(const basin_energy *E, int d, double T, double *log_Z)
{
    assert(T > 0.0);
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC:
        /* Z = (2πT/k)^{d/2} */
        *log_Z = 0.5 * (double)d * log(2.0 * M_PI * T / E->u.harmonic.k);
        return 0;
    case BASIN_ENERGY_DOUBLE_WELL:
    case BASIN_ENERGY_POLYNOMIAL: {
        /* Z = Z₁^d, Z₁ = ∫ exp(−P/T) over the bulk widened by a quarter on each side */
        double lo[3], hi[3];
        basin_langevin_energy_bulk(E, 1, T, lo, hi);
        double w = hi[0] - lo[0];
        lo[0] -= 0.25 * w;
        hi[0] += 0.25 * w;
        double pmin = basin_langevin_energy_min(E, 1);
        double l1 = box_log_integral(E, 1, T, lo, hi, 2048, 8, pmin) - pmin / T;
        *log_Z = (double)d * l1;
        return 0;
    }
    case BASIN_ENERGY_GAUSSIAN_MIXTURE: {
        if (T == 1.0) { /* exp(−E) is the normalised mixture */
            *log_Z = 0.0;
            return 0;
        }
        double lo[3], hi[3];
        basin_langevin_energy_bulk(E, d, T, lo, hi);
        for (int a = 0; a < d; a++) {
            double w = hi[a] - lo[a];
            lo[a] -= 0.25 * w;
            hi[a] += 0.25 * w;
        }
        double emin = basin_langevin_energy_min(E, d);
        long panels = d == 1 ? 1024 : d == 2 ? 128 : 20;
        int order = 4;
        *log_Z = box_log_integral(E, d, T, lo, hi, panels, order, emin) - emin / T;
        return 0;
    }
    }
    return BASIN_EINVAL;
}

void basin_langevin_hist_free(basin_langevin_hist *h)
{
    if (!h)
        return;
    free(h->log_q);
    free(h->count);
    h->log_q = NULL;
    h->count = NULL;
}

int basin_langevin_hist_init(basin_langevin_hist *h, const basin_energy *E, int d, double T,
                             int bins, const double *lo, const double *hi)
{
    memset(h, 0, sizeof *h);
    if (d < 1 || d > BASIN_LANGEVIN_MAX_DIM || bins < 1 || !(T > 0.0))
        return BASIN_EINVAL;
    long cells = 1;
    for (int a = 0; a < d; a++) {
        if (!(lo[a] < hi[a]) || !isfinite(lo[a]) || !isfinite(hi[a]))
            return BASIN_EINVAL;
        cells *= bins;
    }
    h->d = d;
    h->bins = bins;
    h->cells = cells;
    h->log_q = malloc((size_t)cells * sizeof *h->log_q);
    h->count = malloc((size_t)cells * sizeof *h->count);
    if (!h->log_q || !h->count) {
        basin_langevin_hist_free(h);
        return BASIN_ENOMEM;
    }
    int rc = basin_langevin_log_partition(E, d, T, &h->log_Z);
    if (rc != 0) {
        basin_langevin_hist_free(h);
        return rc;
    }
    double w[3];
    h->log_vol = 0.0;
    for (int a = 0; a < d; a++) {
        h->lo[a] = lo[a];
        h->hi[a] = hi[a];
        w[a] = (hi[a] - lo[a]) / bins;
        h->log_vol += log(w[a]);
    }
    /* Q_j = ∫_cell exp(−E/T)/Z by 4-node Gauss–Legendre per axis; the outside keeps the rest */
    const double emin = basin_langevin_energy_min(E, d);
    double qsum = 0.0;
    for (long j = 0; j < cells; j++) {
        double clo[3], chi[3];
        long r = j;
        for (int a = 0; a < d; a++) { /* cell j = Σ_a i_a bins^a, axis 0 fastest */
            long i = r % bins;
            r /= bins;
            clo[a] = lo[a] + w[a] * (double)i;
            chi[a] = i == bins - 1 ? hi[a] : clo[a] + w[a];
        }
        h->log_q[j] = box_log_integral(E, d, T, clo, chi, 1, 4, emin) - emin / T - h->log_Z;
        qsum += exp(h->log_q[j]);
    }
    /* floored so that particles outside a box that holds (to rounding) all of q_E give a
     * large but finite term */
    h->log_qout = log(fmax(1.0 - qsum, 1e-300));
    return 0;
}

void basin_langevin_hist_measure(basin_langevin_hist *h, const double *x, long M,
                                 basin_langevin_hist_stats *out)
{
    const int d = h->d;
    double inv_w[3];
    for (int a = 0; a < d; a++)
        inv_w[a] = h->bins / (h->hi[a] - h->lo[a]);
    memset(h->count, 0, (size_t)h->cells * sizeof *h->count);
    long outside = 0;
    for (long i = 0; i < M; i++) {
        long j = 0, stride = 1;
        bool in = true;
        for (int a = 0; a < d; a++) {
            double u = (x[i * d + a] - h->lo[a]) * inv_w[a];
            if (!(u >= 0.0 && u < (double)h->bins)) { /* also catches NaN */
                in = false;
                break;
            }
            j += (long)u * stride;
            stride *= h->bins;
        }
        if (in)
            h->count[j]++;
        else
            outside++;
    }
    /* Ĥ = −Σ p̂ ln(p̂/V) + (B_occ − 1)/(2M);  D̂ = Σ p̂ ln(p̂/Q) + out − (B_occ' − 1)/(2M) */
    const double Md = (double)M;
    double H = 0.0, D = 0.0;
    long occ = 0;
    for (long j = 0; j < h->cells; j++) {
        if (!h->count[j])
            continue;
        occ++;
        double p = (double)h->count[j] / Md, lp = log(p);
        H -= p * (lp - h->log_vol);
        D += p * (lp - h->log_q[j]);
    }
    double pout = (double)outside / Md;
    if (outside)
        D += pout * (log(pout) - h->log_qout);
    long occ_kl = occ + (outside > 0);
    out->entropy = H + (occ > 0 ? (double)(occ - 1) : 0.0) / (2.0 * Md);
    out->kl = D - (double)(occ_kl - 1) / (2.0 * Md);
    out->outside = pout;
    out->occupied = occ;
}

/* ---- closed forms --------------------------------------------------------------------- */

basin_langevin_ou basin_langevin_ou_exact(double k, double kappa, double T, double c, double m0,
                                          double v0, double t)
{
    /* mean = c + (m₀ − c) e^{−κkt},  var = T/k + (v₀ − T/k) e^{−2κkt} */
    double decay = exp(-kappa * k * t);
    basin_langevin_ou law = {
        .mean = c + (m0 - c) * decay,
        .var = T / k + (v0 - T / k) * decay * decay,
    };
    return law;
}

basin_langevin_ou basin_langevin_ou_em(double k, double kappa, double T, double c, double m0,
                                       double v0, double dt, long n)
{
    /* r = 1 − κk dt; mean_n − c = (m₀ − c) rⁿ; v_{n+1} = r² v_n + 2Tκ dt, solved:
     * v_n = v∞ + (v₀ − v∞) r²ⁿ with v∞ = 2Tκ dt/(1 − r²), 1 − r² = a(2 − a), a = κk dt. */
    double a = kappa * k * dt, r = 1.0 - a;
    double rn = pow(r, (double)n);
    double q = a * (2.0 - a);
    basin_langevin_ou law;
    law.mean = c + (m0 - c) * rn;
    if (q == 0.0) {
        law.var = v0 + (double)n * 2.0 * T * kappa * dt; /* |r| = 1: a random walk */
    } else {
        double v_inf = 2.0 * T * kappa * dt / q;
        law.var = v_inf + (v0 - v_inf) * rn * rn;
    }
    return law;
}

basin_langevin_ou basin_langevin_ou_baoab(double k, double kappa, double T, double c, double m0,
                                          double v0, double dt, long n)
{
    /* mean as Euler–Maruyama; s² = 2Tκ dt, v_1 = r² v₀ + s²/2 and for n ≥ 1
     * v_{n+1} = r² v_n + (s²/2)(1 + r), so v_n = v∞ + (v_1 − v∞) r^{2(n−1)} with
     * v∞ = (s²/2)(1 + r)/(1 − r²) = s²/(2(1 − r)) = T/k. */
    double a = kappa * k * dt, r = 1.0 - a, s2 = 2.0 * T * kappa * dt;
    basin_langevin_ou law;
    law.mean = c + (m0 - c) * pow(r, (double)n);
    if (n == 0) {
        law.var = v0;
        return law;
    }
    double v1 = r * r * v0 + 0.5 * s2;
    double q = a * (2.0 - a);
    if (q == 0.0) {
        law.var = v1 + (double)(n - 1) * 0.5 * s2 * (1.0 + r);
    } else {
        double v_inf = 0.5 * s2 * (1.0 + r) / q;
        double rn1 = pow(r, (double)(n - 1));
        law.var = v_inf + (v1 - v_inf) * rn1 * rn1;
    }
    return law;
}

double basin_langevin_ou_em_stationary_var(double k, double kappa, double T, double dt)
{
    double r = 1.0 - kappa * k * dt;
    return 2.0 * T * kappa * dt / (1.0 - r * r);
}

/* Per-dimension laws of the harmonic ensemble: continuous (scheme < 0: time t) or of an
 * integrator (n steps of dt). In the eigenbasis K = Q diag(λ) Qᵀ the modes y = Qᵀ(x − c)
 * are independent scalar OU processes with mobility λ_j, centre 0, initial mean Qᵀ(m₀ − c)
 * and variance v₀ (the noise L ξ has covariance K, diagonal in the same basis), so
 * mean = c + Q μ and var_a = Σ_j Q_aj² ν_j. */
static void harmonic_law(int d, const basin_energy *E, const basin_mobility *K, double T,
                         int scheme, const double *m0, double v0, double t, double dt, long n,
                         double *mean, double *var)
{
    assert(E->type == BASIN_ENERGY_HARMONIC);
    enum { N = BASIN_LANGEVIN_MAX_DIM };
    const double k = E->u.harmonic.k, *c = E->u.harmonic.c;
    double lambda[N], Q[N * N];
    if (K->matrix) {
        basin_langevin_symeig(d, K->K, lambda, Q);
    } else {
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                Q[i * d + j] = i == j ? 1.0 : 0.0;
        for (int j = 0; j < d; j++)
            lambda[j] = K->kappa;
    }
    double mu[N], nu[N];
    for (int j = 0; j < d; j++) {
        double y0 = 0.0;
        for (int a = 0; a < d; a++)
            y0 += Q[a * d + j] * (m0[a] - c[a]);
        basin_langevin_ou law = scheme < 0
                                    ? basin_langevin_ou_exact(k, lambda[j], T, 0.0, y0, v0, t)
                                : scheme == BASIN_LANGEVIN_BAOAB
                                    ? basin_langevin_ou_baoab(k, lambda[j], T, 0.0, y0, v0, dt, n)
                                    : basin_langevin_ou_em(k, lambda[j], T, 0.0, y0, v0, dt, n);
        mu[j] = law.mean;
        nu[j] = law.var;
    }
    for (int a = 0; a < d; a++) {
        mean[a] = c[a];
        var[a] = 0.0;
        for (int j = 0; j < d; j++) {
            mean[a] += Q[a * d + j] * mu[j];
            var[a] += Q[a * d + j] * Q[a * d + j] * nu[j];
        }
    }
}

void basin_langevin_harmonic_exact(int d, const basin_energy *E, const basin_mobility *K, double T,
                                   const double *m0, double v0, double t, double *mean, double *var)
{
    harmonic_law(d, E, K, T, -1, m0, v0, t, 0.0, 0, mean, var);
}

void basin_langevin_harmonic_scheme(int d, const basin_energy *E, const basin_mobility *K, double T,
                                    basin_langevin_integrator integrator, const double *m0,
                                    double v0, double dt, long n, double *mean, double *var)
{
    harmonic_law(d, E, K, T, (int)integrator, m0, v0, 0.0, dt, n, mean, var);
}
