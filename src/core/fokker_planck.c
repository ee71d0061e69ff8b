/*
 * fokker_planck.c — Scharfetter–Gummel finite volumes for the Fokker–Planck equation (see
 * basin/fokker_planck.h for the scheme and its invariants).
 *
 * Invariant: rate_fwd[e][i] and rate_bwd[e][i] hold R_{i→j} and R_{j→i} for the edge from
 * cell i to its neighbour j = i + off[e] in direction e, and 0 where that neighbour is off
 * the grid (zero flux through the boundary). Every flux is applied edge by edge — the same
 * number leaves one cell and enters the other — so the explicit step conserves mass to
 * rounding whatever the grid.
 */
#include "basin/fokker_planck.h"

#include <assert.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

_Static_assert(sizeof(lapack_int) == sizeof(int), "pivots are stored as int");

/* B(z) = z/(eᶻ − 1), with B(0) = 1 and the series 1 − z/2 + z²/12 near 0 (expm1 keeps the
 * quotient accurate down to |z| ~ 1e-300; the series only avoids 0/0). */
static double bernoulli(double z)
{
    if (fabs(z) < 1e-10)
        return 1.0 - 0.5 * z;
    if (z > 745.0) /* eᶻ overflows: B(z) = z e^{−z}(1 + ...) underflows to 0 */
        return z * exp(-z);
    return z / expm1(z);
}

int basin_fp_lattice_weights(int d, const basin_mobility *K, const double *h, double *alpha,
                             int *diag_sign)
{
    double lmin, lmax;
    if ((d != 1 && d != 2) || basin_langevin_mobility_check(d, K, &lmin, &lmax) != 0)
        return BASIN_EINVAL;
    *diag_sign = 1;
    alpha[0] = alpha[1] = alpha[2] = 0.0;
    if (d == 1) {
        double k = K->matrix ? K->K[0] : K->kappa;
        alpha[0] = k / (h[0] * h[0]);
        return 0;
    }
    double kxx = K->matrix ? K->K[0] : K->kappa, kyy = K->matrix ? K->K[3] : K->kappa;
    double kxy = K->matrix ? K->K[1] : 0.0;
    double c = fabs(kxy);
    /* K = α1 e1e1ᵀ + α2 e2e2ᵀ + α3 e3e3ᵀ, e3 = (h_x, ±h_y) */
    alpha[2] = c / (h[0] * h[1]);
    alpha[0] = (kxx - c * h[0] / h[1]) / (h[0] * h[0]);
    alpha[1] = (kyy - c * h[1] / h[0]) / (h[1] * h[1]);
    *diag_sign = kxy < 0.0 ? -1 : 1;
    /* a weight that rounding pushed a hair below 0 (exact diagonal dominance) counts as 0 */
    for (int e = 0; e < 2; e++) {
        double scale = (e == 0 ? kxx / (h[0] * h[0]) : kyy / (h[1] * h[1]));
        if (alpha[e] < 0.0 && alpha[e] >= -1e-12 * scale)
            alpha[e] = 0.0;
        if (alpha[e] < 0.0)
            return BASIN_EINVAL;
    }
    return 0;
}

void basin_fp_free(basin_fp *s)
{
    if (!s)
        return;
    free(s->p);
    free(s->E);
    free(s->log_q);
    for (int e = 0; e < BASIN_FP_MAX_EDGES; e++) {
        free(s->rate_fwd[e]);
        free(s->rate_bwd[e]);
        s->rate_fwd[e] = s->rate_bwd[e] = NULL;
    }
    free(s->out_rate);
    free(s->work);
    free(s->band);
    free(s->ipiv);
    free(s->tri);
    s->tri = NULL;
    s->p = s->E = s->log_q = s->out_rate = s->work = s->band = NULL;
    s->ipiv = NULL;
}

/* Whether the neighbour of cell (ix, iy) in direction e is on the grid. */
static bool has_neighbour(const basin_fp *s, int e, long ix, long iy)
{
    long jx = ix + s->dx[e], jy = iy + s->dy[e];
    return jx >= 0 && jx < s->nx && jy >= 0 && jy < s->ny;
}

/* Band storage of M = I − τ A (column-major, LAPACK's dgbtrf layout with room for the fill
 * of pivoting), factorised in place. Returns 0 or BASIN_EINVAL (singular). */
static int band_factor(const basin_fp *s, double tau, double *band, int *ipiv)
{
    const int kl = s->kl, ldab = s->ldab;
    const long n = s->n;
    memset(band, 0, (size_t)ldab * (size_t)n * sizeof *band);
#define AB(i, j) band[(size_t)(2 * kl + (i) - (j)) + (size_t)(j) * (size_t)ldab]
    for (long i = 0; i < n; i++)
        AB(i, i) = 1.0 + tau * s->out_rate[i];
    for (int e = 0; e < s->n_dirs; e++)
        for (long i = 0; i < n; i++) {
            if (s->rate_fwd[e][i] == 0.0 && s->rate_bwd[e][i] == 0.0)
                continue;
            long j = i + s->off[e];
            /* A_ji = R_{i→j} (j gains from i), A_ij = R_{j→i} */
            AB(j, i) = -tau * s->rate_fwd[e][i];
            AB(i, j) = -tau * s->rate_bwd[e][i];
        }
#undef AB
    lapack_int info =
        LAPACKE_dgbtrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)n, kl, kl, band, ldab, ipiv);
    return info == 0 ? 0 : BASIN_EINVAL;
}

int basin_fp_init(basin_fp *s, int d, const long *cells, const double *lo, const double *hi,
                  const basin_energy *E, const basin_mobility *K, double T, double dt,
                  basin_fp_scheme scheme)
{
    memset(s, 0, sizeof *s);
    if ((d != 1 && d != 2) || !(T > 0.0) || !isfinite(T) || !(dt > 0.0) || !isfinite(dt) ||
        (scheme != BASIN_FP_EXPLICIT && scheme != BASIN_FP_IMPLICIT))
        return BASIN_EINVAL;
    basin_energy e = *E;
    if (basin_langevin_energy_prepare(&e, d, NULL) != 0)
        return BASIN_EINVAL;
    s->d = d;
    s->nx = cells[0];
    s->ny = d == 2 ? cells[1] : 1;
    s->h[1] = 1.0;
    s->lo[1] = 0.0;
    for (int a = 0; a < d; a++) {
        if (cells[a] < 2 || !(lo[a] < hi[a]) || !isfinite(lo[a]) || !isfinite(hi[a]))
            return BASIN_EINVAL;
        s->lo[a] = lo[a];
        s->h[a] = (hi[a] - lo[a]) / (double)cells[a];
    }
    s->n = s->nx * s->ny;
    s->vol = s->h[0] * s->h[1];
    s->T = T;
    s->dt = dt;
    s->scheme = scheme;
    double alpha[3];
    int sgn;
    if (basin_fp_lattice_weights(d, K, s->h, alpha, &sgn) != 0)
        return BASIN_EINVAL;
    /* directions with a positive weight: x, y, the diagonal (1, sgn) */
    const long dirs[3][2] = {{1, 0}, {0, 1}, {1, sgn}};
    double weight[3];
    for (int k = 0; k < (d == 1 ? 1 : 3); k++) {
        if (!(alpha[k] > 0.0))
            continue;
        int m = s->n_dirs++;
        s->dx[m] = dirs[k][0];
        s->dy[m] = dirs[k][1];
        s->off[m] = dirs[k][1] * s->nx + dirs[k][0];
        weight[m] = alpha[k];
    }
    const long n = s->n;
    s->p = calloc((size_t)n, sizeof *s->p);
    s->E = malloc((size_t)n * sizeof *s->E);
    s->log_q = malloc((size_t)n * sizeof *s->log_q);
    s->out_rate = calloc((size_t)n, sizeof *s->out_rate);
    s->work = malloc((size_t)n * sizeof *s->work);
    bool ok = s->p && s->E && s->log_q && s->out_rate && s->work;
    for (int m = 0; m < s->n_dirs; m++) {
        s->rate_fwd[m] = calloc((size_t)n, sizeof *s->rate_fwd[m]);
        s->rate_bwd[m] = calloc((size_t)n, sizeof *s->rate_bwd[m]);
        ok = ok && s->rate_fwd[m] && s->rate_bwd[m];
    }
    if (!ok) {
        basin_fp_free(s);
        return BASIN_ENOMEM;
    }
    /* energies at the centres, and the discrete Boltzmann law q_i = e^{−E_i/T}/Z_h */
    double emin = INFINITY;
    for (long iy = 0; iy < s->ny; iy++)
        for (long ix = 0; ix < s->nx; ix++) {
            double x[2] = {s->lo[0] + ((double)ix + 0.5) * s->h[0],
                           s->lo[1] + ((double)iy + 0.5) * s->h[1]};
            double v = basin_langevin_energy(&e, d, x);
            if (!isfinite(v)) {
                basin_fp_free(s);
                return BASIN_EINVAL;
            }
            s->E[iy * s->nx + ix] = v;
            emin = fmin(emin, v);
        }
    double zsum = 0.0;
    for (long i = 0; i < n; i++)
        zsum += exp(-(s->E[i] - emin) / T);
    s->log_Zh = log(zsum * s->vol) - emin / T;
    for (long i = 0; i < n; i++)
        s->log_q[i] = -s->E[i] / T - s->log_Zh;
    /* R_{i→j} = α T B((E_j − E_i)/T) on every edge inside the grid */
    for (int m = 0; m < s->n_dirs; m++)
        for (long iy = 0; iy < s->ny; iy++)
            for (long ix = 0; ix < s->nx; ix++) {
                if (!has_neighbour(s, m, ix, iy))
                    continue;
                long i = iy * s->nx + ix, j = i + s->off[m];
                double z = (s->E[j] - s->E[i]) / T;
                s->rate_fwd[m][i] = weight[m] * T * bernoulli(z);
                s->rate_bwd[m][i] = weight[m] * T * bernoulli(-z);
                s->out_rate[i] += s->rate_fwd[m][i];
                s->out_rate[j] += s->rate_bwd[m][i];
            }
    if (scheme == BASIN_FP_IMPLICIT && d == 1) {
        /* Thomas: M = I − dt A with M_ii = 1 + dt·out_i, M_{i,i+1} = −dt R_{i+1→i},
         * M_{i+1,i} = −dt R_{i→i+1}; L U with l_i = M_{i,i−1}/u_{i−1},
         * u_i = M_ii − l_i M_{i−1,i} (u_i ≥ 1 − its column's off-diagonal: no pivoting) */
        s->tri = malloc(3 * (size_t)n * sizeof *s->tri);
        if (!s->tri) {
            basin_fp_free(s);
            return BASIN_ENOMEM;
        }
        double *l = s->tri, *inv_u = s->tri + n, *up = s->tri + 2 * n;
        double u_prev = 0.0;
        for (long i = 0; i < n; i++) {
            double diag = 1.0 + dt * s->out_rate[i];
            up[i] = i + 1 < n ? -dt * s->rate_bwd[0][i] : 0.0;
            l[i] = i > 0 ? -dt * s->rate_fwd[0][i - 1] / u_prev : 0.0;
            double u = diag - (i > 0 ? l[i] * up[i - 1] : 0.0);
            if (!(u > 0.0)) {
                basin_fp_free(s);
                return BASIN_EINVAL;
            }
            inv_u[i] = 1.0 / u;
            u_prev = u;
        }
    } else if (scheme == BASIN_FP_IMPLICIT) {
        long kl = 0;
        for (int m = 0; m < s->n_dirs; m++)
            kl = labs(s->off[m]) > kl ? labs(s->off[m]) : kl;
        s->kl = (int)kl;
        s->ldab = 3 * s->kl + 1;
        s->band = malloc((size_t)s->ldab * (size_t)n * sizeof *s->band);
        s->ipiv = malloc((size_t)n * sizeof *s->ipiv);
        if (!s->band || !s->ipiv) {
            basin_fp_free(s);
            return BASIN_ENOMEM;
        }
        if (band_factor(s, dt, s->band, s->ipiv) != 0) {
            basin_fp_free(s);
            return BASIN_EINVAL;
        }
    }
    return 0;
}

double basin_fp_dt_max(const basin_fp *s)
{
    double m = 0.0;
    for (long i = 0; i < s->n; i++)
        m = fmax(m, s->out_rate[i]);
    return m > 0.0 ? 1.0 / m : INFINITY;
}

double basin_fp_dt_max_grid(int d, const long *cells, const double *lo, const double *hi,
                            const basin_energy *E, const basin_mobility *K, double T)
{
    basin_energy e = *E;
    if ((d != 1 && d != 2) || !(T > 0.0) || basin_langevin_energy_prepare(&e, d, NULL) != 0)
        return NAN;
    const long nx = cells[0], ny = d == 2 ? cells[1] : 1;
    double h[2] = {1.0, 1.0}, lo2[2] = {lo[0], d == 2 ? lo[1] : 0.0};
    for (int a = 0; a < d; a++) {
        if (cells[a] < 2 || !(lo[a] < hi[a]))
            return NAN;
        h[a] = (hi[a] - lo[a]) / (double)cells[a];
    }
    double alpha[3];
    int sgn;
    if (basin_fp_lattice_weights(d, K, h, alpha, &sgn) != 0)
        return NAN;
    /* rows iy − 1, iy, iy + 1 of energies, in a ring of three */
    double *ring = malloc(3 * (size_t)nx * sizeof *ring);
    if (!ring)
        return NAN;
    const long dirs[3][2] = {{1, 0}, {0, 1}, {1, sgn}};
    double worst = 0.0;
    bool ok = true;
    for (long iy = -1; iy <= ny && ok; iy++) {
        long row = iy + 1; /* compute row iy + 1 into the ring */
        if (row < ny)
            for (long ix = 0; ix < nx; ix++) {
                double x[2] = {lo2[0] + ((double)ix + 0.5) * h[0],
                               lo2[1] + ((double)row + 0.5) * h[1]};
                double v = basin_langevin_energy(&e, d, x);
                ok &= isfinite(v);
                ring[(row % 3) * nx + ix] = v;
            }
        if (iy < 0 || iy >= ny)
            continue;
        for (long ix = 0; ix < nx; ix++) {
            double Ei = ring[(iy % 3) * nx + ix], out = 0.0;
            for (int k = 0; k < (d == 1 ? 1 : 3); k++) {
                if (!(alpha[k] > 0.0))
                    continue;
                for (int dir = -1; dir <= 1; dir += 2) { /* the neighbour ahead and behind */
                    long jx = ix + dir * dirs[k][0], jy = iy + dir * dirs[k][1];
                    if (jx < 0 || jx >= nx || jy < 0 || jy >= ny)
                        continue;
                    double Ej = ring[(jy % 3) * nx + jx];
                    out += alpha[k] * T * bernoulli((Ej - Ei) / T);
                }
            }
            worst = out > worst ? out : worst;
        }
    }
    free(ring);
    if (!ok)
        return NAN;
    return worst > 0.0 ? 1.0 / worst : INFINITY;
}

/* Scales p to mass Σ V p = 1; BASIN_EINVAL when the mass is not positive. */
static int normalise(basin_fp *s)
{
    double mass = 0.0;
    for (long i = 0; i < s->n; i++)
        mass += s->p[i];
    mass *= s->vol;
    if (!(mass > 1e-300) || !isfinite(mass))
        return BASIN_EINVAL;
    for (long i = 0; i < s->n; i++)
        s->p[i] /= mass;
    return 0;
}

int basin_fp_set_point(basin_fp *s, const double *x0)
{
    long idx[2] = {0, 0};
    for (int a = 0; a < s->d; a++) {
        double u = (x0[a] - s->lo[a]) / s->h[a];
        long cells = a == 0 ? s->nx : s->ny;
        if (!(u >= 0.0 && u <= (double)cells))
            return BASIN_EINVAL;
        idx[a] = u >= (double)cells ? cells - 1 : (long)u;
    }
    memset(s->p, 0, (size_t)s->n * sizeof *s->p);
    s->p[idx[1] * s->nx + idx[0]] = 1.0 / s->vol;
    return 0;
}

/* Mass of N(μ, σ²) on [a, b]. */
static double normal_mass(double a, double b, double mu, double sigma)
{
    const double r = 1.0 / (sigma * M_SQRT2);
    double za = (a - mu) * r, zb = (b - mu) * r;
    if (za > 0.0) /* both in the upper tail: erfc keeps the difference accurate */
        return 0.5 * (erfc(za) - erfc(zb));
    if (zb < 0.0)
        return 0.5 * (erfc(-zb) - erfc(-za));
    return 0.5 * (erf(zb) - erf(za));
}

int basin_fp_set_gaussian(basin_fp *s, const double *mean, double std)
{
    if (!(std > 0.0))
        return BASIN_EINVAL;
    double *mx = s->work; /* axis masses: mx[0..nx), then my[0..ny) in p's tail is avoided */
    double *my = malloc((size_t)s->ny * sizeof *my);
    if (!my)
        return BASIN_ENOMEM;
    for (long ix = 0; ix < s->nx; ix++) {
        double a = s->lo[0] + (double)ix * s->h[0];
        mx[ix] = normal_mass(a, a + s->h[0], mean[0], std);
    }
    for (long iy = 0; iy < s->ny; iy++) {
        double a = s->lo[1] + (double)iy * s->h[1];
        my[iy] = s->d == 2 ? normal_mass(a, a + s->h[1], mean[1], std) : 1.0;
    }
    for (long iy = 0; iy < s->ny; iy++)
        for (long ix = 0; ix < s->nx; ix++)
            s->p[iy * s->nx + ix] = mx[ix] * my[iy] / s->vol;
    free(my);
    return normalise(s);
}

int basin_fp_set_uniform(basin_fp *s, const double *low, const double *high)
{
    for (long iy = 0; iy < s->ny; iy++)
        for (long ix = 0; ix < s->nx; ix++) {
            double f = 1.0;
            for (int a = 0; a < s->d; a++) {
                double c0 = s->lo[a] + (double)(a == 0 ? ix : iy) * s->h[a];
                double overlap = fmin(c0 + s->h[a], high[a]) - fmax(c0, low[a]);
                f *= overlap > 0.0 ? overlap / s->h[a] : 0.0;
            }
            s->p[iy * s->nx + ix] = f;
        }
    return normalise(s);
}

/* dp = A p, edge by edge: the flux f = R_{i→j} p_i − R_{j→i} p_j leaves i and enters j. */
static void apply_generator(const basin_fp *s, const double *restrict p, double *restrict dp)
{
    memset(dp, 0, (size_t)s->n * sizeof *dp);
    for (int m = 0; m < s->n_dirs; m++) {
        const double *restrict rf = s->rate_fwd[m], *restrict rb = s->rate_bwd[m];
        const long off = s->off[m];
        /* cells whose neighbour index stays in [0, n): rates are 0 for the others */
        long first = off < 0 ? -off : 0, last = off > 0 ? s->n - off : s->n;
        for (long i = first; i < last; i++) {
            double f = rf[i] * p[i] - rb[i] * p[i + off];
            dp[i] -= f;
            dp[i + off] += f;
        }
    }
}

int basin_fp_advance(basin_fp *s, long n)
{
    const long N = s->n;
    for (long k = 0; k < n; k++) {
        if (s->scheme == BASIN_FP_EXPLICIT) {
            /* p ← p + dt A p */
            apply_generator(s, s->p, s->work);
            for (long i = 0; i < N; i++)
                s->p[i] += s->dt * s->work[i];
        } else if (s->tri) {
            /* (I − dt A) p' = p: L y = p forward, U p' = y backward */
            const double *l = s->tri, *inv_u = s->tri + N, *up = s->tri + 2 * N;
            double *p = s->p;
            for (long i = 1; i < N; i++)
                p[i] -= l[i] * p[i - 1];
            p[N - 1] *= inv_u[N - 1];
            for (long i = N - 2; i >= 0; i--)
                p[i] = (p[i] - up[i] * p[i + 1]) * inv_u[i];
        } else {
            /* (I − dt A) p' = p */
            lapack_int info = LAPACKE_dgbtrs(LAPACK_COL_MAJOR, 'N', (lapack_int)N, s->kl, s->kl, 1,
                                             s->band, s->ldab, s->ipiv, s->p, (lapack_int)N);
            assert(info == 0);
            (void)info;
        }
        s->step++;
        /* every p_i finite and ≥ −1e-12 max p (branch-free: NaN fails every comparison, so
         * it is caught by its own test) */
        const double *p = s->p;
        double top = 0.0, low = 0.0;
        int finite = 1;
        for (long i = 0; i < N; i++) {
            double v = p[i];
            top = v > top ? v : top;
            low = v < low ? v : low;
            finite &= v - v == 0.0;
        }
        if (!finite || low < -1e-12 * top)
            return BASIN_EDIVERGED;
    }
    return 0;
}

void basin_fp_measure(const basin_fp *s, basin_fp_stats *out)
{
    /* sums over cells of V p_i (·): mass, ⟨E⟩, −ln p, ln(p/q); p ≤ 0 (rounding) adds 0 */
    double mass = 0.0, e = 0.0, h = 0.0, kl = 0.0, minp = INFINITY;
    for (long i = 0; i < s->n; i++) {
        double p = s->p[i];
        minp = fmin(minp, p);
        mass += p;
        e += p * s->E[i];
        if (p > 0.0) {
            double lp = log(p);
            h -= p * lp;
            kl += p * (lp - s->log_q[i]);
        }
    }
    out->mass = mass * s->vol;
    out->mean_energy = e * s->vol;
    out->entropy = h * s->vol;
    out->free_energy = out->mean_energy - s->T * out->entropy;
    /* KL of p/m (m the mass): (1/m) Σ V p ln(p/q) − ln m, so that the rounding drift of the
     * mass (≈ ε per step) does not enter it as a linear term */
    out->kl = mass > 0.0 ? kl * s->vol / out->mass - log(out->mass) : 0.0;
    out->min_p = minp;
}

double basin_fp_scheme_rate(const basin_fp *s, double lambda)
{
    return s->scheme == BASIN_FP_IMPLICIT ? log1p(s->dt * lambda) / s->dt
                                          : -log1p(-s->dt * lambda) / s->dt;
}

int basin_fp_spectral_gap(const basin_fp *s, basin_fp_poll poll, void *user, double *gap)
{
    const long n = s->n;
    long kl = 0;
    for (int m = 0; m < s->n_dirs; m++)
        kl = labs(s->off[m]) > kl ? labs(s->off[m]) : kl;
    basin_fp t = *s; /* the same grid with the band of I − τA */
    t.kl = (int)kl;
    t.ldab = 3 * t.kl + 1;
    double *band = malloc((size_t)t.ldab * (size_t)n * sizeof *band);
    int *ipiv = malloc((size_t)n * sizeof *ipiv);
    double *v = malloc((size_t)n * sizeof *v), *q = malloc((size_t)n * sizeof *q);
    int rc = BASIN_ENOMEM;
    if (!band || !ipiv || !v || !q)
        goto out;
    double amax = 0.0; /* the largest out-rate, ≈ ‖A‖/2 */
    for (long i = 0; i < n; i++)
        amax = fmax(amax, s->out_rate[i]);
    const double tau = 1e6 / fmax(amax, DBL_MIN);
    rc = band_factor(&t, tau, band, ipiv);
    if (rc != 0)
        goto out;
    /* q: the stationary law (right null vector of A), for the projection that keeps v at
     * zero mass: v ← v − (Σ v / Σ q) q (1ᵀ is the left null vector) */
    double qs = 0.0;
    for (long i = 0; i < n; i++) {
        q[i] = exp(s->log_q[i]); /* the normalised density */
        qs += q[i];
    }
    /* start: a zero-mass vector with a component along every mode (a ramp in x and y
     * times q, plus a cell-dependent perturbation) */
    for (long i = 0; i < n; i++) {
        long ix = i % s->nx, iy = i / s->nx;
        v[i] = q[i] * (1.0 + (double)ix / (double)s->nx + 0.37 * (double)iy / (double)s->ny) +
               1e-3 * sin(0.7 * (double)i) * q[i];
    }
    double lam = 0.0, prev = -1.0;
    for (int it = 0; it < 500; it++) {
        if (poll && poll(user)) {
            rc = BASIN_ECANCELLED;
            goto out;
        }
        double vs = 0.0, norm0 = 0.0, norm1 = 0.0;
        for (long i = 0; i < n; i++)
            vs += v[i];
        for (long i = 0; i < n; i++) {
            v[i] -= vs / qs * q[i];
            norm0 += v[i] * v[i];
        }
        lapack_int info = LAPACKE_dgbtrs(LAPACK_COL_MAJOR, 'N', (lapack_int)n, t.kl, t.kl, 1, band,
                                         t.ldab, ipiv, v, (lapack_int)n);
        if (info != 0) {
            rc = BASIN_EINVAL;
            goto out;
        }
        for (long i = 0; i < n; i++)
            norm1 += v[i] * v[i];
        if (!(norm1 > 0.0)) {
            rc = BASIN_EINVAL;
            goto out;
        }
        /* ‖v‖/‖P v‖ → 1 + τ λ_1 */
        lam = (sqrt(norm0 / norm1) - 1.0) / tau;
        double scale = 1.0 / sqrt(norm1);
        for (long i = 0; i < n; i++)
            v[i] *= scale;
        if (it > 3 && fabs(lam - prev) <= 1e-12 * fabs(lam))
            break;
        prev = lam;
    }
    *gap = lam;
    rc = 0;
out:
    free(band);
    free(ipiv);
    free(v);
    free(q);
    return rc;
}
