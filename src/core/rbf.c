/*
 * rbf.c — RBF interpolation in SciPy's RBFInterpolator conventions (see basin/rbf.h).
 * The system is dense, (n + n_mono)² doubles; evaluation sums the kernel over the centres
 * point by point, without forming the m × n evaluation matrix.
 */
#include "basin/rbf.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

int basin_rbf_min_degree(basin_rbf_kernel kernel)
{
    switch (kernel) {
    case BASIN_RBF_LINEAR:
    case BASIN_RBF_MULTIQUADRIC:
        return 0;
    case BASIN_RBF_THIN_PLATE:
    case BASIN_RBF_CUBIC:
        return 1;
    case BASIN_RBF_QUINTIC:
        return 2;
    default:
        return -1;
    }
}

long basin_rbf_monomials(int dim, int degree)
{
    if (degree < 0)
        return 0;
    /* C(degree + dim, dim) */
    return dim == 1 ? degree + 1 : (long)(degree + 1) * (degree + 2) / 2;
}

/* φ as a function of r² (r already scaled by ε). */
static inline double kernel_r2(basin_rbf_kernel k, double r2)
{
    switch (k) {
    case BASIN_RBF_LINEAR:
        return -sqrt(r2);
    case BASIN_RBF_THIN_PLATE:
        return r2 > 0.0 ? 0.5 * r2 * log(r2) : 0.0; /* r² log r */
    case BASIN_RBF_CUBIC:
        return r2 * sqrt(r2);
    case BASIN_RBF_QUINTIC:
        return -r2 * r2 * sqrt(r2);
    case BASIN_RBF_MULTIQUADRIC:
        return -sqrt(1.0 + r2);
    case BASIN_RBF_INVERSE_MULTIQUADRIC:
        return 1.0 / sqrt(1.0 + r2);
    case BASIN_RBF_INVERSE_QUADRATIC:
        return 1.0 / (1.0 + r2);
    case BASIN_RBF_GAUSSIAN:
    default:
        return exp(-r2);
    }
}

/* The monomials at the scaled point xh (dim values) into out (n_mono). */
static void monomials(const basin_rbf *r, const double *xh, double *out)
{
    for (long k = 0; k < r->n_mono; k++) {
        double v = 1.0;
        for (int a = 0; a < r->dim; a++)
            for (int e = 0; e < r->powers[k][a]; e++)
                v *= xh[a];
        out[k] = v;
    }
}

void basin_rbf_free(basin_rbf *r)
{
    if (!r)
        return;
    free(r->powers);
    free(r->y);
    free(r->coef);
    free(r);
}

int basin_rbf_fit(basin_rbf_kernel kernel, int dim, long n, const double *y, const double *d,
                  const double *smoothing, double epsilon, int degree, basin_rbf **out)
{
    basin_rbf *r = calloc(1, sizeof *r);
    if (!r)
        return BASIN_ENOMEM;
    r->kernel = kernel;
    r->dim = dim;
    r->n = n;
    r->epsilon = epsilon;
    r->degree = degree;
    r->n_mono = basin_rbf_monomials(dim, degree);
    long m = r->n_mono, N = n + m;
    double *A = NULL, *A0 = NULL, *rhs = NULL, *mono = NULL;
    lapack_int *ipiv = NULL;
    int rc = BASIN_ENOMEM;
    r->powers = calloc((size_t)(m > 0 ? m : 1), sizeof *r->powers);
    r->y = malloc((size_t)n * (size_t)dim * sizeof *r->y);
    r->coef = malloc((size_t)N * sizeof *r->coef);
    A = malloc((size_t)N * (size_t)N * sizeof *A);
    A0 = malloc((size_t)N * (size_t)N * sizeof *A0);
    rhs = malloc((size_t)N * sizeof *rhs);
    mono = malloc((size_t)(m > 0 ? m : 1) * sizeof *mono);
    ipiv = malloc((size_t)N * sizeof *ipiv);
    if (!r->powers || !r->y || !r->coef || !A || !A0 || !rhs || !mono || !ipiv)
        goto fail;
    /* SciPy's monomial order: by degree, then combinations with replacement of the
     * variables (x, y; x², xy, y²; ...) */
    long k = 0;
    for (int deg = 0; deg <= degree; deg++) {
        if (dim == 1) {
            r->powers[k][0] = deg;
            k++;
        } else {
            for (int a = deg; a >= 0; a--) {
                r->powers[k][0] = a;
                r->powers[k][1] = deg - a;
                k++;
            }
        }
    }
    for (int a = 0; a < dim; a++) {
        double lo = y[a], hi = y[a];
        for (long i = 1; i < n; i++) {
            double v = y[i * dim + a];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        r->shift[a] = 0.5 * (hi + lo);
        r->scale[a] = 0.5 * (hi - lo);
        if (r->scale[a] == 0.0)
            r->scale[a] = 1.0;
    }
    for (long i = 0; i < n * dim; i++)
        r->y[i] = y[i] * epsilon;
    /* the system, column-major (symmetric, so the layout does not matter) */
    for (long i = 0; i < n; i++) {
        for (long j = 0; j <= i; j++) {
            double r2 = 0.0;
            for (int a = 0; a < dim; a++) {
                double t = r->y[i * dim + a] - r->y[j * dim + a];
                r2 += t * t;
            }
            double v = kernel_r2(kernel, r2);
            A[(size_t)i * (size_t)N + (size_t)j] = v;
            A[(size_t)j * (size_t)N + (size_t)i] = v;
        }
        if (smoothing)
            A[(size_t)i * (size_t)N + (size_t)i] += smoothing[i];
        double xh[2];
        for (int a = 0; a < dim; a++)
            xh[a] = (y[i * dim + a] - r->shift[a]) / r->scale[a];
        monomials(r, xh, mono);
        for (long q = 0; q < m; q++) {
            A[(size_t)(n + q) * (size_t)N + (size_t)i] = mono[q];
            A[(size_t)i * (size_t)N + (size_t)(n + q)] = mono[q];
        }
        rhs[i] = d[i];
    }
    for (long q = 0; q < m; q++) {
        for (long s = 0; s < m; s++)
            A[(size_t)(n + q) * (size_t)N + (size_t)(n + s)] = 0.0;
        rhs[n + q] = 0.0;
    }
    memcpy(A0, A, (size_t)N * (size_t)N * sizeof *A);
    memcpy(r->coef, rhs, (size_t)N * sizeof *rhs);
    lapack_int info = LAPACKE_dgesv(LAPACK_COL_MAJOR, (lapack_int)N, 1, A, (lapack_int)N, ipiv,
                                    r->coef, (lapack_int)N);
    if (info != 0) {
        rc = info > 0 ? BASIN_EDIVERGED : BASIN_EINVAL;
        goto fail;
    }
    for (long i = 0; i < N; i++)
        if (!isfinite(r->coef[i])) {
            rc = BASIN_EDIVERGED;
            goto fail;
        }
    /* relative residual of the solved system: rhs − A0 c */
    double rn = cblas_dnrm2((int)N, rhs, 1);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)N, (int)N, -1.0, A0, (int)N, r->coef, 1, 1.0, rhs,
                1);
    r->residual = rn > 0.0 ? cblas_dnrm2((int)N, rhs, 1) / rn : 0.0;
    free(A);
    free(A0);
    free(rhs);
    free(mono);
    free(ipiv);
    *out = r;
    return 0;
fail:
    free(A);
    free(A0);
    free(rhs);
    free(mono);
    free(ipiv);
    basin_rbf_free(r);
    return rc;
}

/* Σ_j a_j φ(ε‖x − y_j‖) for one kernel, specialised so the loop body inlines. */
#define KERNEL_SUM(KIND)                                                                           \
    do {                                                                                           \
        if (dim == 2)                                                                              \
            for (long j = 0; j < n; j++) {                                                         \
                double dx = ex - yc[2 * j], dy = ey - yc[2 * j + 1];                               \
                s += a[j] * kernel_r2(KIND, dx * dx + dy * dy);                                    \
            }                                                                                      \
        else                                                                                       \
            for (long j = 0; j < n; j++) {                                                         \
                double dx = ex - yc[j];                                                            \
                s += a[j] * kernel_r2(KIND, dx * dx);                                              \
            }                                                                                      \
    } while (0)

void basin_rbf_eval(const basin_rbf *r, long m, const double *x, double *out)
{
    const int dim = r->dim;
    const long n = r->n;
    const double *yc = r->y, *a = r->coef, *b = r->coef + n;
    const double eps = r->epsilon;
    for (long p = 0; p < m; p++) {
        double ex = x[p * dim] * eps, ey = dim == 2 ? x[p * dim + 1] * eps : 0.0;
        double s = 0.0;
        switch (r->kernel) {
        case BASIN_RBF_LINEAR:
            KERNEL_SUM(BASIN_RBF_LINEAR);
            break;
        case BASIN_RBF_THIN_PLATE:
            KERNEL_SUM(BASIN_RBF_THIN_PLATE);
            break;
        case BASIN_RBF_CUBIC:
            KERNEL_SUM(BASIN_RBF_CUBIC);
            break;
        case BASIN_RBF_QUINTIC:
            KERNEL_SUM(BASIN_RBF_QUINTIC);
            break;
        case BASIN_RBF_MULTIQUADRIC:
            KERNEL_SUM(BASIN_RBF_MULTIQUADRIC);
            break;
        case BASIN_RBF_INVERSE_MULTIQUADRIC:
            KERNEL_SUM(BASIN_RBF_INVERSE_MULTIQUADRIC);
            break;
        case BASIN_RBF_INVERSE_QUADRATIC:
            KERNEL_SUM(BASIN_RBF_INVERSE_QUADRATIC);
            break;
        case BASIN_RBF_GAUSSIAN:
            KERNEL_SUM(BASIN_RBF_GAUSSIAN);
            break;
        }
        if (r->n_mono > 0) {
            double xh[2], mono[64];
            for (int c = 0; c < dim; c++)
                xh[c] = (x[p * dim + c] - r->shift[c]) / r->scale[c];
            monomials(r, xh, mono);
            for (long k = 0; k < r->n_mono; k++)
                s += b[k] * mono[k];
        }
        out[p] = s;
    }
}

double basin_rbf_fit_cost(long n, long n_mono)
{
    double N = (double)(n + n_mono);
    /* LU at ~8 flops per unit (BLAS-3), plus building the kernel matrix */
    return N * N * N * (2.0 / 3.0) / 8.0 + 30.0 * (double)n * (double)n;
}

double basin_rbf_eval_cost(long n, long n_mono, long m)
{
    return (double)m * (20.0 * (double)n + 4.0 * (double)n_mono * (double)n_mono);
}
