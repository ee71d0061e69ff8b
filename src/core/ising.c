/*
 * ising.c — Metropolis, heat-bath and Wolff updates of the 2-D Ising and Potts models on
 * a torus, their measurements, the exact results of Onsager and Kaufman, and the binning
 * analysis of a Monte Carlo series (see basin/ising.h for the conventions).
 *
 * Invariant: w->s always holds valid spins (±1 for Ising, 0..q−1 for Potts); every update
 * is sequential and in place. The single-site tables are indexed by small integers built
 * from the neighbours, so the hot loop is integer arithmetic, one table load and one
 * comparison with 32 random bits.
 */
#include "basin/ising.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define TWO32 4294967296.0
#define HEAT  32 /* offset of the Ising heat-bath table in w->table */

/* P·2³² rounded, so that "r < threshold" with r uniform on [0, 2³²) has probability within
 * 2⁻³³ of P (P = 1 gives 2³²: always). */
static uint64_t threshold(double P)
{
    if (!(P > 0.0))
        return 0;
    if (P >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)llround(P * TWO32);
}

/* 32-bit random numbers, two per 64-bit draw (low half first). */
typedef struct bits32 {
    uint64_t word;
    int have;
} bits32;

static inline uint32_t draw32(basin_rng *rng, bits32 *b)
{
    if (b->have == 0) {
        b->word = basin_rng_next(rng);
        b->have = 2;
        return (uint32_t)b->word;
    }
    b->have = 0;
    return (uint32_t)(b->word >> 32);
}

/* ---- set-up ------------------------------------------------------------------------------ */

/* Table layouts:
 *   Ising metropolis  [(s·Σ + 4)·2 + (s + 1)/2]  ΔH = 2J s Σ + 2h s,  P = min(1, e^{−βΔH})
 *   Ising heat bath   [HEAT + Σ + 4]                  P(s = +1) = 1/(1 + e^{−2β(JΣ + h)})
 *   Potts metropolis  [(Δn + 4)·3 + Δδ + 1]       ΔH = −J Δn − h Δδ,  P = min(1, e^{−βΔH})
 * with Σ the sum of the four neighbours (Ising), Δn = n_new − n_old the change in equal
 * neighbours and Δδ = δ(new, 0) − δ(old, 0) (Potts). */
static void build_tables(basin_ising *w)
{
    const double beta = w->beta, J = w->cfg.J, h = w->cfg.h;
    memset(w->table, 0, sizeof w->table);
    if (!w->cfg.potts) {
        for (int ss = -4; ss <= 4; ss++)
            for (int sp = 0; sp < 2; sp++) {
                int s = 2 * sp - 1;
                double dH = 2.0 * J * ss + 2.0 * h * s;
                double P = dH <= 0.0 ? 1.0 : exp(-beta * dH);
                w->table[(ss + 4) * 2 + sp] = threshold(P);
            }
        for (int sum = -4; sum <= 4; sum++) {
            double x = 2.0 * beta * (J * sum + h);
            /* 1/(1 + e^{−x}) without overflow for large |x| */
            double P = x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
            w->table[HEAT + sum + 4] = threshold(P);
        }
    } else {
        for (int dn = -4; dn <= 4; dn++)
            for (int dd = -1; dd <= 1; dd++) {
                double dH = -J * dn - h * dd;
                double P = dH <= 0.0 ? 1.0 : exp(-beta * dH);
                w->table[(dn + 4) * 3 + dd + 1] = threshold(P);
            }
        /* Heat bath: w_k = e^{β(J n_k + h δ_k0)} relative to the largest weight of the
         * site: w_k = e^{β(J Δn + h Δδ)} with Δn = n_k − n*, Δδ = δ_k0 − δ*, (n*, δ*) those of
         * the most favoured state, so the largest weight is exactly 1: none overflows and
         * they cannot all underflow. */
        for (int dn = -4; dn <= 4; dn++)
            for (int dd = -1; dd <= 1; dd++)
                w->boltz[(dn + 4) * 3 + dd + 1] = exp(beta * (J * dn + h * dd));
    }
    double Jb = w->cfg.potts ? J : 2.0 * J;
    w->p_add = J > 0.0 ? -expm1(-beta * Jb) : 0.0;
    /* p_add·2⁶⁴ (the comparison "draw < p_add64" has probability p_add to 2⁻⁶⁴; p_add = 1
     * is handled apart) */
    w->p_add64 = w->p_add >= 1.0 ? UINT64_MAX : (uint64_t)ldexp(w->p_add, 64);
}

int basin_ising_init(basin_ising *w, const basin_ising_config *cfg)
{
    memset(w, 0, sizeof *w);
    if (cfg->L < BASIN_ISING_L_MIN || cfg->L > BASIN_ISING_L_MAX || cfg->q < 2 ||
        cfg->q > BASIN_ISING_Q_MAX || (!cfg->potts && cfg->q != 2) || !(cfg->T > 0.0) ||
        !isfinite(cfg->T) || !isfinite(cfg->J) || !isfinite(cfg->h) ||
        (cfg->algorithm == BASIN_ISING_WOLFF && cfg->J < 0.0) ||
        (unsigned)cfg->algorithm > BASIN_ISING_WOLFF)
        return BASIN_EINVAL;
    w->cfg = *cfg;
    w->N = cfg->L * cfg->L;
    w->beta = 1.0 / cfg->T;
    w->s = malloc((size_t)w->N);
    w->left = malloc((size_t)cfg->L * sizeof *w->left);
    w->right = malloc((size_t)cfg->L * sizeof *w->right);
    w->stack = malloc((size_t)w->N * sizeof *w->stack);
    if (!w->s || !w->left || !w->right || !w->stack) {
        basin_ising_free(w);
        return BASIN_ENOMEM;
    }
    for (long x = 0; x < cfg->L; x++) {
        w->left[x] = (int32_t)(x == 0 ? cfg->L - 1 : x - 1);
        w->right[x] = (int32_t)(x == cfg->L - 1 ? 0 : x + 1);
    }
    build_tables(w);
    basin_ising_set_ordered(w);
    return 0;
}

void basin_ising_free(basin_ising *w)
{
    if (!w)
        return;
    free(w->s);
    free(w->left);
    free(w->right);
    free(w->stack);
    w->s = NULL;
    w->left = w->right = NULL;
    w->stack = NULL;
}

void basin_ising_set_ordered(basin_ising *w)
{
    memset(w->s, w->cfg.potts ? 0 : 1, (size_t)w->N);
}

void basin_ising_set_random(basin_ising *w, basin_rng *rng)
{
    for (long i = 0; i < w->N; i++) {
        uint64_t k = basin_rng_below(rng, (uint64_t)w->cfg.q);
        w->s[i] = (int8_t)(w->cfg.potts ? (int)k : 2 * (int)k - 1);
    }
}

/* ---- single-site sweeps ------------------------------------------------------------------- */

/* Ising Metropolis on the sites of one colour ((x + y) % 2 == colour) of row y:
 *   ΔH = 2 s_i (J Σ_nb s_j + h);  accept s_i → −s_i when r < table[(s_i Σ + 4)·2 + (s_i+1)/2].
 * Two sites per 64-bit draw (low half first); interior sites without wrap-around. Returns
 * the flips. */
static inline int ising_metropolis_site(int8_t *row, const int8_t *up, const int8_t *dn, long x,
                                        long xl, long xr, const uint64_t *table, uint32_t r)
{
    int s = row[x];
    int sum = row[xl] + row[xr] + up[x] + dn[x];
    int flip = r < table[(s * sum + 4) * 2 + ((s + 1) >> 1)];
    row[x] = (int8_t)(flip ? -s : s);
    return flip;
}

static int64_t ising_metropolis_row(basin_ising *w, basin_rng *rng, bits32 *b, long y, int colour)
{
    const long L = w->cfg.L;
    int8_t *row = w->s + y * L;
    const int8_t *up = w->s + (y == 0 ? L - 1 : y - 1) * L;
    const int8_t *dn = w->s + (y == L - 1 ? 0 : y + 1) * L;
    const uint64_t *table = w->table;
    int64_t flips = 0;
    long x = (y + colour) & 1;
    if (b->have) { /* use up the pending half first, at the row's first site */
        flips +=
            ising_metropolis_site(row, up, dn, x, w->left[x], w->right[x], table, draw32(rng, b));
        x += 2;
    }
    if (x == 0 && x < L) { /* the wrap-around site at the left edge */
        flips += ising_metropolis_site(row, up, dn, 0, L - 1, 1 % L, table, draw32(rng, b));
        x = 2;
    }
    /* pairs of interior sites x, x + 2 (both < L − 1), with the generator in a local copy:
     * the int8 stores may alias anything, which would force its state through memory */
    basin_rng local = *rng;
    for (; x + 2 < L - 1; x += 4) {
        uint64_t r = basin_rng_next(&local);
        flips += ising_metropolis_site(row, up, dn, x, x - 1, x + 1, table, (uint32_t)r);
        flips +=
            ising_metropolis_site(row, up, dn, x + 2, x + 1, x + 3, table, (uint32_t)(r >> 32));
    }
    *rng = local;
    for (; x < L; x += 2)
        flips +=
            ising_metropolis_site(row, up, dn, x, w->left[x], w->right[x], table, draw32(rng, b));
    return flips;
}

/* Ising heat bath: s_i = +1 when r < table[HEAT + Σ + 4] = 2³²/(1 + e^{−2β(JΣ + h)}), else −1. */
static int64_t ising_heat_bath_row(basin_ising *w, basin_rng *rng, bits32 *b, long y, int colour)
{
    const long L = w->cfg.L;
    int8_t *row = w->s + y * L;
    const int8_t *up = w->s + (y == 0 ? L - 1 : y - 1) * L;
    const int8_t *dn = w->s + (y == L - 1 ? 0 : y + 1) * L;
    const int32_t *left = w->left, *right = w->right;
    const uint64_t *table = w->table;
    int64_t changed = 0;
    for (long x = (y + colour) & 1; x < L; x += 2) {
        int sum = row[left[x]] + row[right[x]] + up[x] + dn[x];
        uint64_t r = draw32(rng, b);
        int s = r < table[HEAT + sum + 4] ? 1 : -1;
        changed += s != row[x];
        row[x] = (int8_t)s;
    }
    return changed;
}

/* The four neighbours of site (x, y). */
static inline void neighbours(const basin_ising *w, const int8_t *s, long x, long y, int nb[4])
{
    const long L = w->cfg.L;
    const int8_t *row = s + y * L;
    nb[0] = row[w->left[x]];
    nb[1] = row[w->right[x]];
    nb[2] = s[(y == 0 ? L - 1 : y - 1) * L + x];
    nb[3] = s[(y == L - 1 ? 0 : y + 1) * L + x];
}

static inline int count_equal(const int nb[4], int v)
{
    return (nb[0] == v) + (nb[1] == v) + (nb[2] == v) + (nb[3] == v);
}

/* Potts Metropolis: propose v uniformly among the q − 1 states ≠ s_i, accept with
 * min(1, e^{−βΔH}), ΔH = −J (n_v − n_{s_i}) − h (δ(v,0) − δ(s_i,0)). */
static int64_t potts_metropolis_row(basin_ising *w, basin_rng *rng, bits32 *b, long y, int colour)
{
    const long L = w->cfg.L;
    const int q = w->cfg.q;
    int8_t *row = w->s + y * L;
    int64_t flips = 0;
    int nb[4];
    for (long x = (y + colour) & 1; x < L; x += 2) {
        int s = row[x];
        int v = s + 1 + (int)basin_rng_below(rng, (uint64_t)(q - 1));
        if (v >= q)
            v -= q;
        neighbours(w, w->s, x, y, nb);
        int dn = count_equal(nb, v) - count_equal(nb, s);
        int dd = (v == 0) - (s == 0);
        uint64_t r = draw32(rng, b);
        if (r < w->table[(dn + 4) * 3 + dd + 1]) {
            row[x] = (int8_t)v;
            flips++;
        }
    }
    return flips;
}

/* Potts heat bath weights w_k ∝ e^{β(J n_k + h δ_k0)} into wk[0..q), scaled so that the
 * largest is 1; returns Σ_k w_k (≥ 1). */
static double potts_weights(const basin_ising *w, const int nb[4], double *wk)
{
    const int q = w->cfg.q;
    const double J = w->cfg.J, h = w->cfg.h;
    int n[BASIN_ISING_Q_MAX];
    int best = 0;
    double best_x = -INFINITY;
    for (int k = 0; k < q; k++) {
        n[k] = count_equal(nb, k);
        double x = J * n[k] + (k == 0 ? h : 0.0);
        if (x > best_x) {
            best_x = x;
            best = k;
        }
    }
    const int nstar = n[best], dstar = best == 0;
    double Z = 0.0;
    for (int k = 0; k < q; k++) {
        wk[k] = w->boltz[(n[k] - nstar + 4) * 3 + (k == 0) - dstar + 1];
        Z += wk[k];
    }
    return Z;
}

/* Potts heat bath: s_i = k with probability w_k/Σ w, by inversion of a 53-bit uniform. */
static int64_t potts_heat_bath_row(basin_ising *w, basin_rng *rng, long y, int colour)
{
    const long L = w->cfg.L;
    const int q = w->cfg.q;
    int8_t *row = w->s + y * L;
    int64_t changed = 0;
    int nb[4];
    double wk[BASIN_ISING_Q_MAX];
    for (long x = (y + colour) & 1; x < L; x += 2) {
        neighbours(w, w->s, x, y, nb);
        double Z = potts_weights(w, nb, wk);
        double u = basin_rng_uniform(rng) * Z, acc = 0.0;
        int v = q - 1;
        for (int k = 0; k < q - 1; k++) {
            acc += wk[k];
            if (u < acc) {
                v = k;
                break;
            }
        }
        changed += v != row[x];
        row[x] = (int8_t)v;
    }
    return changed;
}

static int single_site_sweep(basin_ising *w, basin_rng *rng, basin_ising_poll poll, void *user)
{
    const long L = w->cfg.L;
    bits32 b = {0, 0};
    for (int colour = 0; colour < 2; colour++)
        for (long y = 0; y < L; y++) {
            long sites = (L - ((y + colour) & 1) + 1) / 2;
            int64_t n;
            if (!w->cfg.potts)
                n = w->cfg.algorithm == BASIN_ISING_HEAT_BATH
                        ? ising_heat_bath_row(w, rng, &b, y, colour)
                        : ising_metropolis_row(w, rng, &b, y, colour);
            else
                n = w->cfg.algorithm == BASIN_ISING_HEAT_BATH
                        ? potts_heat_bath_row(w, rng, y, colour)
                        : potts_metropolis_row(w, rng, &b, y, colour);
            w->accepted += n;
            w->attempts += sites;
            w->polled += sites;
            if (w->polled >= BASIN_ISING_POLL_EVERY) {
                w->polled = 0;
                if (poll && poll(user))
                    return BASIN_ECANCELLED;
            }
        }
    return 0;
}

/* ---- Wolff ---------------------------------------------------------------------------------- */

/* One cluster: grown by a stack of packed (y, x) = y·2¹⁶ + x, each spin set to the new
 * state when it joins (so it is never tested again); a bond to an equal neighbour joins
 * it with probability p_add (a 64-bit draw below p_add·2⁶⁴). With a field the flip is
 * then accepted with min(1, e^{−βΔH_h}) or undone. Returns the size, or −1 when poll
 * stopped it. */
static long wolff_cluster(basin_ising *w, basin_rng *rng, basin_ising_poll poll, void *user)
{
    const long L = w->cfg.L, N = w->N;
    const int q = w->cfg.q;
    int8_t *s = w->s;
    int32_t *stack = w->stack;
    const uint64_t p64 = w->p_add64;
    const bool always = w->p_add >= 1.0;
    long seed = (long)basin_rng_below(rng, (uint64_t)N);
    int old = s[seed], nw;
    if (!w->cfg.potts) {
        nw = -old;
    } else {
        nw = old + 1 + (int)basin_rng_below(rng, (uint64_t)(q - 1));
        if (nw >= q)
            nw -= q;
    }
    s[seed] = (int8_t)nw;
    stack[0] = (int32_t)((seed / L) << 16 | (seed % L));
    long n = 1;
    for (long top = 0; top < n; top++) {
        const long y = stack[top] >> 16, x = stack[top] & 0xFFFF;
        const long yu = y == 0 ? L - 1 : y - 1, yd = y == L - 1 ? 0 : y + 1;
        const long xs[4] = {w->left[x], w->right[x], x, x};
        const long ys[4] = {y, y, yu, yd};
        for (int k = 0; k < 4; k++) {
            long j = ys[k] * L + xs[k];
            if (s[j] == old && (always || basin_rng_next(rng) < p64)) {
                s[j] = (int8_t)nw;
                stack[n++] = (int32_t)(ys[k] << 16 | xs[k]);
            }
        }
        if (++w->polled >= BASIN_ISING_POLL_EVERY) {
            w->polled = 0;
            if (poll && poll(user))
                return -1;
        }
    }
    w->clusters++;
    w->attempts += n;
    if (w->cfg.h != 0.0) {
        /* ΔH_h = −h Σ_C (new − old) (Ising), −h |C| (δ(new,0) − δ(old,0)) (Potts) */
        double dH = w->cfg.potts ? -w->cfg.h * (double)n * ((nw == 0) - (old == 0))
                                 : -w->cfg.h * (double)n * (nw - old);
        if (dH > 0.0 && !(basin_rng_uniform(rng) < exp(-w->beta * dH))) {
            for (long k = 0; k < n; k++)
                s[(stack[k] >> 16) * L + (stack[k] & 0xFFFF)] = (int8_t)old;
            return n;
        }
    }
    w->accepted += n;
    return n;
}

long basin_ising_wolff_step(basin_ising *w, basin_rng *rng)
{
    return wolff_cluster(w, rng, NULL, NULL);
}

static int wolff_sweep(basin_ising *w, basin_rng *rng, basin_ising_poll poll, void *user)
{
    if (w->clusters_per_sweep > 0) {
        for (long k = 0; k < w->clusters_per_sweep; k++)
            if (wolff_cluster(w, rng, poll, user) < 0)
                return BASIN_ECANCELLED;
        return 0;
    }
    while (w->carry < w->N) {
        long n = wolff_cluster(w, rng, poll, user);
        if (n < 0)
            return BASIN_ECANCELLED;
        w->carry += n;
    }
    w->carry -= w->N;
    return 0;
}

int basin_ising_sweep(basin_ising *w, basin_rng *rng, basin_ising_poll poll, void *user)
{
    int rc = w->cfg.algorithm == BASIN_ISING_WOLFF ? wolff_sweep(w, rng, poll, user)
                                                   : single_site_sweep(w, rng, poll, user);
    if (rc == 0)
        w->sweeps++;
    return rc;
}

double basin_ising_wolff_bond(const basin_ising *w)
{
    return w->p_add;
}

/* ---- exact transition probabilities of one site ------------------------------------------------
 */

double basin_ising_site_probability(const basin_ising *w, const int8_t *s, long i, int v)
{
    const long L = w->cfg.L;
    long y = i / L, x = i - y * L;
    int nb[4];
    neighbours(w, s, x, y, nb);
    int old = s[i];
    bool heat = w->cfg.algorithm == BASIN_ISING_HEAT_BATH;
    if (!w->cfg.potts) {
        int sum = nb[0] + nb[1] + nb[2] + nb[3];
        if (heat) {
            double up = (double)w->table[HEAT + sum + 4] / TWO32;
            return v == 1 ? up : 1.0 - up;
        }
        double flip = (double)w->table[(old * sum + 4) * 2 + ((old + 1) >> 1)] / TWO32;
        return v == old ? 1.0 - flip : flip;
    }
    const int q = w->cfg.q;
    if (heat) {
        double wk[BASIN_ISING_Q_MAX];
        double Z = potts_weights(w, nb, wk);
        return wk[v] / Z;
    }
    double stay = 1.0;
    for (int k = 0; k < q; k++) {
        if (k == old)
            continue;
        int dn = count_equal(nb, k) - count_equal(nb, old);
        int dd = (k == 0) - (old == 0);
        double P = (double)w->table[(dn + 4) * 3 + dd + 1] / TWO32 / (q - 1);
        if (k == v)
            return P;
        stay -= P;
    }
    return stay;
}

/* ---- measurements -------------------------------------------------------------------------- */

void basin_ising_measure(const basin_ising *w, const int8_t *s, double *e, double *m)
{
    const long L = w->cfg.L, N = w->N;
    if (!w->cfg.potts) {
        int64_t bonds = 0, M = 0;
        for (long y = 0; y < L; y++) {
            const int8_t *row = s + y * L, *dn = s + (y == L - 1 ? 0 : y + 1) * L;
            int64_t rb = 0, rm = 0;
            for (long x = 0; x + 1 < L; x++) {
                rb += row[x] * (row[x + 1] + dn[x]);
                rm += row[x];
            }
            rb += row[L - 1] * (row[0] + dn[L - 1]);
            rm += row[L - 1];
            bonds += rb;
            M += rm;
        }
        *e = (-w->cfg.J * (double)bonds - w->cfg.h * (double)M) / (double)N;
        *m = (double)M / (double)N;
        return;
    }
    int64_t same = 0, count[BASIN_ISING_Q_MAX] = {0};
    for (long y = 0; y < L; y++) {
        const int8_t *row = s + y * L, *dn = s + (y == L - 1 ? 0 : y + 1) * L;
        for (long x = 0; x < L; x++) {
            int v = row[x];
            same += (v == row[w->right[x]]) + (v == dn[x]);
            count[v]++;
        }
    }
    int64_t top = 0;
    for (int k = 0; k < w->cfg.q; k++)
        top = count[k] > top ? count[k] : top;
    *e = (-w->cfg.J * (double)same - w->cfg.h * (double)count[0]) / (double)N;
    *m = ((double)w->cfg.q * (double)top / (double)N - 1.0) / (double)(w->cfg.q - 1);
}

/* ---- exact results ------------------------------------------------------------------------- */

double basin_ising_critical_temperature(double J, int q, bool potts)
{
    return potts ? J / log(1.0 + sqrt((double)q)) : 2.0 * J / log(1.0 + sqrt(2.0));
}

/* Complete elliptic integral of the first kind K(k) = π / (2 AGM(1, k')), given the
 * complementary modulus k' = √(1 − k²) (passed directly: it is computed without
 * cancellation near k = 1). */
static double ellip_k_from_kp(double kp)
{
    double a = 1.0, g = kp;
    for (int it = 0; it < 64 && fabs(a - g) > 1e-16 * a; it++) {
        double an = 0.5 * (a + g);
        g = sqrt(a * g);
        a = an;
    }
    return M_PI / (2.0 * a);
}

double basin_ising_onsager_energy(double J, double T)
{
    double K = J / T, s = sinh(2.0 * K), c = cosh(2.0 * K);
    /* κ = 2s/c², k' = √(1 − κ²) = |1 − s²|/(1 + s²) (c² = 1 + s²) */
    double kp = fabs(1.0 - s * s) / (1.0 + s * s);
    double t = tanh(2.0 * K);
    return -J * (c / s) * (1.0 + (2.0 / M_PI) * (2.0 * t * t - 1.0) * ellip_k_from_kp(kp));
}

double basin_ising_onsager_magnetization(double J, double T)
{
    double s = sinh(2.0 * J / T);
    if (!(s > 1.0))
        return 0.0;
    return pow(1.0 - pow(s, -4.0), 0.125);
}

/* ln|2 cosh(a)| and ln|2 sinh(a)| for a ≥ 0, without overflow. */
static double ln2cosh(double a)
{
    return a + log1p(exp(-2.0 * a));
}

static double ln2sinh(double a)
{
    return a + log1p(-exp(-2.0 * a));
}

double basin_ising_kaufman_energy(long L, double J, double T)
{
    if (!(L >= 2 && L <= 1000000 && J > 0.0 && T > 0.0 && isfinite(J / T)))
        return NAN;
    const double K = J / T, N = (double)L * (double)L, half = 0.5 * (double)L;
    const double s2 = sinh(2.0 * K), c2 = cosh(2.0 * K);
    /* cosh γ_l = 1 + ε_l with ε_l = (s2 − 1)²/s2 + 2 sin²(πl/2L) (no cancellation), and
     * dγ_l/dK = 2 c2 (s2² − 1)/(s2² sinh γ_l). */
    const double eps0 = (s2 - 1.0) * (s2 - 1.0) / s2;
    const double dbase = 2.0 * c2 * (s2 * s2 - 1.0) / (s2 * s2);
    /* ln|Z_i| and d ln Z_i/dK as sums over the L factors of each product; sign of Z₄. */
    double lnZ[4] = {0, 0, 0, 0}, dZ[4] = {0, 0, 0, 0};
    int sign4 = 1;
    bool z4_zero = false;  /* γ₀ = 0 exactly (T = T_c): Z₄ = 0 */
    double ln_rest4 = 0.0; /* ln|Π_{r≥1} 2 sinh(L γ_2r / 2)| for that case */
    for (long l = 0; l < 2 * L; l++) {
        double g, dg;
        if (l == 0) {
            g = 2.0 * K + log(tanh(K));
            dg = 2.0 + 2.0 / s2;
        } else {
            double sn = sin(M_PI * (double)l / (2.0 * (double)L));
            double eps = eps0 + 2.0 * sn * sn;
            double sh = sqrt(eps * (2.0 + eps)); /* sinh γ */
            g = log1p(eps + sh);
            dg = dbase / sh;
        }
        double a = half * fabs(g);
        int ic = (l & 1) ? 0 : 2, is = ic + 1; /* odd l: Z₁, Z₂; even l: Z₃, Z₄ */
        lnZ[ic] += ln2cosh(a);
        dZ[ic] += half * dg * tanh(half * g);
        if (l == 0 && g == 0.0) {
            z4_zero = true;
            continue;
        }
        lnZ[is] += ln2sinh(a);
        if (l == 0 && g < 0.0)
            sign4 = -1;
        dZ[is] += half * dg / tanh(half * g);
        if (l != 0 && !(l & 1))
            ln_rest4 += ln2sinh(a);
    }
    /* Σ Z_i and Σ Z_i (d ln Z_i/dK), scaled by e^{−max ln Z_i}. */
    double top = fmax(fmax(lnZ[0], lnZ[1]), lnZ[2]);
    if (!z4_zero)
        top = fmax(top, lnZ[3]);
    double S = 0.0, D = 0.0;
    for (int i = 0; i < 4; i++) {
        if (i == 3 && z4_zero)
            continue;
        double z = (i == 3 ? sign4 : 1) * exp(lnZ[i] - top);
        S += z;
        D += z * dZ[i];
    }
    if (z4_zero) /* d/dK of Π 2 sinh(Lγ/2) at γ₀ = 0: only the r = 0 factor's derivative,
                    (L/2) γ₀' · 2 cosh 0, times the others */
        D += exp(ln_rest4 - top) * half * (2.0 + 2.0 / s2) * 2.0;
    double dlnZ = N * c2 / s2 + D / S;
    return -J * dlnZ / N;
}

/* ---- statistics -------------------------------------------------------------------------------
 */

/* Per-bin sums: e', e'², a', a'², m², m⁴ with e' = e − e_ref, a' = |m| − a_ref. */
enum { ST_E, ST_E2, ST_A, ST_A2, ST_M2, ST_M4, ST_N };

static void derived(const double *x, double beta, double N, double *chi, double *c, double *U)
{
    *chi = beta * N * (x[ST_A2] - x[ST_A] * x[ST_A]);
    *c = beta * beta * N * (x[ST_E2] - x[ST_E] * x[ST_E]);
    *U = 1.0 - x[ST_M4] / (3.0 * x[ST_M2] * x[ST_M2]);
}

int basin_ising_analyse(const double *e, const double *m, long n, long N, double T,
                        basin_ising_observables *out)
{
    if (n < 2 || N < 1 || !(T > 0.0))
        return BASIN_EINVAL;
    const long B = n >= BASIN_ISING_BINS ? BASIN_ISING_BINS : n;
    const long b = n / B, used = B * b, start = n - used;
    const double beta = 1.0 / T;
    const double e_ref = e[start], a_ref = fabs(m[start]);
    double bins[BASIN_ISING_BINS][ST_N];
    double tot[ST_N] = {0};
    for (long k = 0; k < B; k++) {
        double acc[ST_N] = {0};
        for (long t = start + k * b; t < start + (k + 1) * b; t++) {
            double de = e[t] - e_ref, a = fabs(m[t]), da = a - a_ref, m2 = m[t] * m[t];
            acc[ST_E] += de;
            acc[ST_E2] += de * de;
            acc[ST_A] += da;
            acc[ST_A2] += da * da;
            acc[ST_M2] += m2;
            acc[ST_M4] += m2 * m2;
        }
        for (int j = 0; j < ST_N; j++) {
            bins[k][j] = acc[j] / (double)b;
            tot[j] += acc[j];
        }
    }
    double mean[ST_N];
    for (int j = 0; j < ST_N; j++)
        mean[j] = tot[j] / (double)used;

    /* binning errors and τ_int of e and |m| */
    const int cols[2] = {ST_E, ST_A};
    basin_ising_stat *stats[2] = {&out->energy, &out->abs_m};
    const double refs[2] = {e_ref, a_ref};
    for (int c = 0; c < 2; c++) {
        int j = cols[c];
        double ss = 0.0;
        for (long k = 0; k < B; k++)
            ss += (bins[k][j] - mean[j]) * (bins[k][j] - mean[j]);
        double err2 = ss / ((double)B * (double)(B - 1));
        double var = (mean[j + 1] - mean[j] * mean[j]) * (double)used / (double)(used - 1);
        stats[c]->mean = refs[c] + mean[j];
        stats[c]->err = sqrt(err2);
        stats[c]->tau_int = var > 0.0 ? err2 * (double)used / (2.0 * var) : NAN;
    }

    /* derived quantities and their jackknife errors over the bins */
    derived(mean, beta, (double)N, &out->chi, &out->c, &out->binder);
    double jk[BASIN_ISING_BINS][3], avg[3] = {0, 0, 0};
    for (long k = 0; k < B; k++) {
        double x[ST_N];
        for (int j = 0; j < ST_N; j++)
            x[j] = (tot[j] - bins[k][j] * (double)b) / (double)(used - b);
        derived(x, beta, (double)N, &jk[k][0], &jk[k][1], &jk[k][2]);
        for (int j = 0; j < 3; j++)
            avg[j] += jk[k][j] / (double)B;
    }
    double var3[3] = {0, 0, 0};
    for (long k = 0; k < B; k++)
        for (int j = 0; j < 3; j++)
            var3[j] += (jk[k][j] - avg[j]) * (jk[k][j] - avg[j]);
    out->chi_err = sqrt(var3[0] * (double)(B - 1) / (double)B);
    out->c_err = sqrt(var3[1] * (double)(B - 1) / (double)B);
    out->binder_err = sqrt(var3[2] * (double)(B - 1) / (double)B);
    out->n_used = used;
    out->bin_size = b;
    out->n_bins = B;
    return 0;
}
