/*
 * langevin.c — Euler–Maruyama for overdamped Langevin ensembles (see basin/langevin.h).
 *
 * DESIGN. Particles are advanced in blocks of at most BLOCK coordinates. For each block
 * the normals ξ are drawn into a buffer with basin_rng_normals (the only expensive part),
 * the gradient ∇E is evaluated into a second buffer (one switch on the energy type per
 * block, never a per-particle call), and a tight loop applies
 *     x ← x − dt K ∇E + √(2T dt) L ξ,
 * vectorisable in the scalar-mobility case and unrolled for d = 1, 2, 3 in the matrix case.
 * The same loop checks that every new coordinate is finite. The block size only splits the
 * work: the random stream is consumed in the positions' order, so results do not depend
 * on it.
 */
#include "basin/langevin.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

/* Coordinates per block: the three workspace buffers (ξ, ∇E, tiled centre) stay in L1. */
#define BLOCK 768 /* divisible by 1, 2 and 3 */

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

/* ---- energies ------------------------------------------------------------------------- */

double basin_langevin_energy(const basin_energy *E, int d, const double *x)
{
    assert(E->type == BASIN_ENERGY_HARMONIC);
    /* E(x) = ½ k |x − c|² */
    double r2 = 0.0;
    for (int a = 0; a < d; a++) {
        double u = x[a] - E->u.harmonic.c[a];
        r2 += u * u;
    }
    return 0.5 * E->u.harmonic.k * r2;
}

static bool energy_implemented(const basin_energy *E)
{
    return E->type == BASIN_ENERGY_HARMONIC && E->u.harmonic.k > 0.0 && isfinite(E->u.harmonic.k);
}

/* g[0..n) = ∇E at the n coordinates x[0..n) of whole particles; `centre` is the energy's
 * centre tiled over the block (centre[j] = c[j mod d]). */
static void energy_gradient(const basin_energy *E, long n, const double *x, const double *centre,
                            double *g)
{
    switch (E->type) {
    case BASIN_ENERGY_HARMONIC: {
        /* ∇E = k (x − c) */
        const double k = E->u.harmonic.k;
        for (long j = 0; j < n; j++)
            g[j] = k * (x[j] - centre[j]);
        break;
    }
    case BASIN_ENERGY_DOUBLE_WELL:
    case BASIN_ENERGY_GAUSSIAN_MIXTURE:
    case BASIN_ENERGY_POLYNOMIAL:
        assert(!"energy not implemented"); /* refused by basin_langevin_init */
        break;
    }
}

/* ---- small symmetric matrices --------------------------------------------------------- */

/* Cyclic Jacobi eigen-decomposition of a symmetric d×d matrix (d ≤ 3): A = Q diag(w) Qᵀ,
 * w ascending, eigenvectors in the columns of Q (may be NULL). Each rotation J(p, q, θ)
 * zeroes a_pq: with θ = (a_qq − a_pp)/(2 a_pq), t = tan = sgn θ/(|θ| + √(θ² + 1)). */
static void symeig(int d, const double *A, double *w, double *Q)
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
    symeig(d, K->K, w, NULL);
    if (!(w[0] > 0.0))
        return BASIN_EINVAL;
    *lambda_min = w[0];
    *lambda_max = w[d - 1];
    return 0;
}

double basin_langevin_dt_limit(int d, const basin_energy *E, const basin_mobility *K)
{
    assert(E->type == BASIN_ENERGY_HARMONIC);
    double lmin, lmax;
    int rc = basin_langevin_mobility_check(d, K, &lmin, &lmax);
    assert(rc == 0);
    (void)rc;
    /* x − c ← (I − k dt K)(x − c) + noise: stable iff |1 − k dt λ| < 1 for every λ of K */
    return 2.0 / (E->u.harmonic.k * lmax);
}

/* ---- the ensemble --------------------------------------------------------------------- */

int basin_langevin_init(basin_langevin *s, int d, long M, double *x, const basin_energy *E,
                        const basin_mobility *K, double T, double dt)
{
    memset(s, 0, sizeof *s);
    double lmin, lmax;
    if (d < 1 || d > BASIN_LANGEVIN_MAX_DIM || M < 1 || !x || !(T >= 0.0) || !isfinite(T) ||
        !(dt > 0.0) || !isfinite(dt) || !energy_implemented(E) ||
        basin_langevin_mobility_check(d, K, &lmin, &lmax) != 0)
        return BASIN_EINVAL;
    s->work = malloc(WORK_SIZE * sizeof *s->work);
    if (!s->work)
        return BASIN_ENOMEM;
    s->d = d;
    s->M = M;
    s->x = x;
    s->E = *E;
    s->K = *K;
    if (K->matrix)
        cholesky(d, K->K, s->L);
    s->T = T;
    s->dt = dt;
    double *centre = s->work + WORK_CENTRE;
    for (long j = 0; j < BLOCK; j++)
        centre[j] = E->u.harmonic.c[j % d];
    return 0;
}

void basin_langevin_free(basin_langevin *s)
{
    if (!s)
        return;
    free(s->work);
    s->work = NULL;
}

void basin_langevin_set_point(basin_langevin *s, const double *x0)
{
    for (long i = 0; i < s->M; i++)
        for (int a = 0; a < s->d; a++)
            s->x[i * s->d + a] = x0[a];
}

void basin_langevin_set_gaussian(basin_langevin *s, basin_rng *rng, const double *mean, double std)
{
    /* x_ia = mean_a + std·ξ_ia */
    basin_rng_normals(rng, s->x, s->M * s->d);
    for (long i = 0; i < s->M; i++)
        for (int a = 0; a < s->d; a++)
            s->x[i * s->d + a] = mean[a] + std * s->x[i * s->d + a];
}

/* One step of nb particles (n = nb·d coordinates) with a matrix mobility, d a compile-time
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

int basin_langevin_advance(basin_langevin *s, basin_rng *rng, long n, basin_langevin_poll poll,
                           void *user)
{
    const int d = s->d;
    const long per_block = BLOCK / d; /* particles per block */
    double *restrict xi = s->work + WORK_XI, *restrict g = s->work + WORK_GRAD;
    const double *centre = s->work + WORK_CENTRE;
    const double dt = s->dt;
    for (long step = 0; step < n; step++) {
        uint64_t bad = 0;
        for (long first = 0; first < s->M; first += per_block) {
            long nb = s->M - first < per_block ? s->M - first : per_block;
            long m = nb * d;
            double *restrict x = s->x + first * d;
            basin_rng_normals(rng, xi, m);
            energy_gradient(&s->E, m, x, centre, g);
            if (!s->K.matrix) {
                /* x ← x − κ dt ∇E + √(2Tκ dt) ξ   (K = κ I, L = √κ I) */
                const double a = s->K.kappa * dt, sigma = sqrt(2.0 * s->T * s->K.kappa * dt);
                for (long j = 0; j < m; j++) {
                    double v = x[j] - a * g[j] + sigma * xi[j];
                    x[j] = v;
                    bad |= nonfinite_bit(v);
                }
            } else {
                /* x ← x − dt K ∇E + √(2T dt) L ξ */
                const double sigma = sqrt(2.0 * s->T * dt);
                switch (d) {
                case 1:
                    bad |= step_matrix(1, nb, x, g, xi, s->K.K, s->L, dt, sigma);
                    break;
                case 2:
                    bad |= step_matrix(2, nb, x, g, xi, s->K.K, s->L, dt, sigma);
                    break;
                default:
                    bad |= step_matrix(3, nb, x, g, xi, s->K.K, s->L, dt, sigma);
                    break;
                }
            }
            s->polled += m;
            if (s->polled >= BASIN_LANGEVIN_POLL_EVERY) {
                s->polled = 0;
                if (poll && poll(user))
                    return BASIN_ECANCELLED;
            }
        }
        s->step++;
        if (bad >> 63)
            return BASIN_EDIVERGED;
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

double basin_langevin_ou_em_stationary_var(double k, double kappa, double T, double dt)
{
    double r = 1.0 - kappa * k * dt;
    return 2.0 * T * kappa * dt / (1.0 - r * r);
}

/* Per-dimension laws of the harmonic ensemble, continuous (em = false: time t) or
 * Euler–Maruyama (em = true: n steps of dt). In the eigenbasis K = Q diag(λ) Qᵀ the modes
 * y = Qᵀ(x − c) are independent scalar OU processes with mobility λ_j, centre 0, initial
 * mean Qᵀ(m₀ − c) and variance v₀, so mean = c + Q μ and var_a = Σ_j Q_aj² ν_j. */
static void harmonic_law(int d, const basin_energy *E, const basin_mobility *K, double T,
                         const double *m0, double v0, bool em, double t, double dt, long n,
                         double *mean, double *var)
{
    assert(E->type == BASIN_ENERGY_HARMONIC);
    enum { N = BASIN_LANGEVIN_MAX_DIM };
    const double k = E->u.harmonic.k, *c = E->u.harmonic.c;
    double lambda[N], Q[N * N];
    if (K->matrix) {
        symeig(d, K->K, lambda, Q);
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
        basin_langevin_ou law = em ? basin_langevin_ou_em(k, lambda[j], T, 0.0, y0, v0, dt, n)
                                   : basin_langevin_ou_exact(k, lambda[j], T, 0.0, y0, v0, t);
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
    harmonic_law(d, E, K, T, m0, v0, false, t, 0.0, 0, mean, var);
}

void basin_langevin_harmonic_em(int d, const basin_energy *E, const basin_mobility *K, double T,
                                const double *m0, double v0, double dt, long n, double *mean,
                                double *var)
{
    harmonic_law(d, E, K, T, m0, v0, true, 0.0, dt, n, mean, var);
}
