/*
 * rbf.h — radial basis function interpolation with polynomial augmentation, following
 * scipy.interpolate.RBFInterpolator (SciPy ≥ 1.7, global form: neighbors=None) exactly:
 *
 *     f(x) = Σ_j a_j φ(ε‖x − y_j‖) + Σ_k b_k p_k((x − shift)/scale)
 *
 * with the kernels (r = ε·distance)
 *     linear −r, thin_plate r² log r (0 at r = 0), cubic r³, quintic −r⁵,
 *     multiquadric −√(1 + r²), inverse_multiquadric 1/√(1 + r²),
 *     inverse_quadratic 1/(1 + r²), gaussian exp(−r²),
 * the monomials p_k of total degree ≤ `degree` (−1: none) in the data coordinates shifted
 * and scaled to [−1, 1] per dimension (shift = (max + min)/2, scale = (max − min)/2, a
 * zero scale replaced by 1), and the coefficients from the square system
 *
 *     [ K + diag(smoothing)   P ] [a]   [d]
 *     [ Pᵀ                    0 ] [b] = [0],     K_ij = φ(ε‖y_i − y_j‖), P_ik = p_k(ŷ_i),
 *
 * solved by LU with partial pivoting (LAPACK dgesv, as SciPy). The minimum degrees SciPy
 * warns below (linear, multiquadric 0; thin_plate, cubic 1; quintic 2) are
 * basin_rbf_min_degree; the default degree is max(min degree, 0). With smoothing 0 the
 * interpolant is exact at the data points (to the system's conditioning); thin_plate
 * with degree ≥ 1 reproduces linear functions exactly.
 *
 * Ownership: the fitted interpolant owns copies of the centres and coefficients.
 */
#ifndef BASIN_RBF_H
#define BASIN_RBF_H

#include <stddef.h>

typedef enum basin_rbf_kernel {
    BASIN_RBF_LINEAR,
    BASIN_RBF_THIN_PLATE,
    BASIN_RBF_CUBIC,
    BASIN_RBF_QUINTIC,
    BASIN_RBF_MULTIQUADRIC,
    BASIN_RBF_INVERSE_MULTIQUADRIC,
    BASIN_RBF_INVERSE_QUADRATIC,
    BASIN_RBF_GAUSSIAN,
} basin_rbf_kernel;

typedef struct basin_rbf {
    basin_rbf_kernel kernel;
    int dim;          /* 1 or 2 */
    long n;           /* centres */
    double epsilon;   /* shape parameter > 0 */
    int degree;       /* −1.. */
    long n_mono;      /* monomials: C(degree + dim, dim), 0 for degree −1 */
    int (*powers)[2]; /* n_mono exponent pairs */
    double shift[2], scale[2];
    double *y;       /* n × dim centres times ε */
    double *coef;    /* n + n_mono coefficients: a then b */
    double residual; /* ‖M c − rhs‖₂ / ‖rhs‖₂ of the solved system (0 when rhs = 0) */
} basin_rbf;

/* SciPy's minimum polynomial degree for the kernel (−1 when none). */
int basin_rbf_min_degree(basin_rbf_kernel kernel);

/* Monomials of total degree ≤ degree in dim variables (0 for degree −1). */
long basin_rbf_monomials(int dim, int degree);

/* Fits the interpolant through n points y (n × dim, row-major) with values d (n) and
 * smoothing (n values ≥ 0, or NULL for 0); all borrowed. Requires n ≥ 1, dim ∈ {1, 2},
 * epsilon > 0, degree ≥ −1. Returns 0 and writes *out; BASIN_ENOMEM; BASIN_EDIVERGED when
 * the system is singular (repeated points without smoothing, or too few points for the
 * polynomial). */
int basin_rbf_fit(basin_rbf_kernel kernel, int dim, long n, const double *y, const double *d,
                  const double *smoothing, double epsilon, int degree, basin_rbf **out);

/* Frees an interpolant; accepts NULL. */
void basin_rbf_free(basin_rbf *r);

/* Evaluates the interpolant at m points x (m × dim, row-major) into out (m). */
void basin_rbf_eval(const basin_rbf *r, long m, const double *x, double *out);

/* Elementary operations of the fit (the LU factorisation and the system) and of
 * evaluating m points. */
double basin_rbf_fit_cost(long n, long n_mono);
double basin_rbf_eval_cost(long n, long n_mono, long m);

#endif
