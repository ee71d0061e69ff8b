/*
 * ssm.c — S4D kernels by the Vandermonde formula and by the recurrence, and the FFT
 * convolution (see basin/ssm.h). Complex numbers are split into re/im arrays so that the
 * loops over modes vectorise.
 */
#include "basin/ssm.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"

#define TINY 1e-300 /* magnitudes below are flushed to zero */

void basin_ssm_init_lin(long N, double *A_re, double *A_im)
{
    /* S4D-Lin: A_n = −½ + iπn */
    for (long n = 0; n < N; n++) {
        A_re[n] = -0.5;
        A_im[n] = M_PI * (double)n;
    }
}

void basin_ssm_init_inv(long N, double *A_re, double *A_im)
{
    /* S4D-Inv, state size 2N: A_n = −½ + i (2N/π)(2N/(2n + 1) − 1) */
    const double Ns = 2.0 * (double)N;
    for (long n = 0; n < N; n++) {
        A_re[n] = -0.5;
        A_im[n] = Ns / M_PI * (Ns / (2.0 * (double)n + 1.0) - 1.0);
    }
}

static double flush(double x)
{
    return fabs(x) < TINY ? 0.0 : x;
}

static double *dup(const double *x, long n)
{
    double *y = malloc((size_t)n * sizeof *y);
    if (y)
        memcpy(y, x, (size_t)n * sizeof *y);
    return y;
}

int basin_ssm_init(basin_ssm *s, long N, const double *A_re, const double *A_im, const double *B_re,
                   const double *B_im, const double *C_re, const double *C_im, double dt)
{
    memset(s, 0, sizeof *s);
    if (N < 1 || !(dt > 0.0) || !isfinite(dt))
        return BASIN_EINVAL;
    for (long n = 0; n < N; n++)
        if (!(A_re[n] < 0.0) || !isfinite(A_re[n]) || !isfinite(A_im[n]) || !isfinite(B_re[n]) ||
            !isfinite(B_im[n]) || !isfinite(C_re[n]) || !isfinite(C_im[n]))
            return BASIN_EINVAL;
    const long T = BASIN_SSM_BLOCK;
    s->N = N;
    s->dt = dt;
    s->A_re = dup(A_re, N);
    s->A_im = dup(A_im, N);
    s->B_re = dup(B_re, N);
    s->B_im = dup(B_im, N);
    s->C_re = dup(C_re, N);
    s->C_im = dup(C_im, N);
    s->z_re = malloc((size_t)N * sizeof(double));
    s->z_im = malloc((size_t)N * sizeof(double));
    s->Bbar_re = malloc((size_t)N * sizeof(double));
    s->Bbar_im = malloc((size_t)N * sizeof(double));
    s->W_re = malloc((size_t)N * sizeof(double));
    s->W_im = malloc((size_t)N * sizeof(double));
    s->M = malloc((size_t)(2 * N * T) * sizeof(double));
    s->Qt = malloc((size_t)(BASIN_SSM_CHUNK * 2 * N) * sizeof(double));
    s->Kt = malloc((size_t)(BASIN_SSM_CHUNK * T) * sizeof(double));
    if (!s->A_re || !s->A_im || !s->B_re || !s->B_im || !s->C_re || !s->C_im || !s->z_re ||
        !s->z_im || !s->Bbar_re || !s->Bbar_im || !s->W_re || !s->W_im || !s->M || !s->Qt ||
        !s->Kt) {
        basin_ssm_free(s);
        return BASIN_ENOMEM;
    }
    for (long n = 0; n < N; n++) {
        const double a = dt * A_re[n], b = dt * A_im[n];
        /* e^{a+ib} − 1 = (expm1(a) cos b − 2 sin²(b/2)) + i e^a sin b */
        const double sb2 = sin(0.5 * b);
        const double em1_re = expm1(a) * cos(b) - 2.0 * sb2 * sb2, em1_im = exp(a) * sin(b);
        s->z_re[n] = exp(a) * cos(b);
        s->z_im[n] = exp(a) * sin(b);
        /* (e^{dtA} − 1)/A, then B̄ = that·B and W = C·B̄ */
        const double den = A_re[n] * A_re[n] + A_im[n] * A_im[n];
        const double q_re = (em1_re * A_re[n] + em1_im * A_im[n]) / den;
        const double q_im = (em1_im * A_re[n] - em1_re * A_im[n]) / den;
        s->Bbar_re[n] = q_re * B_re[n] - q_im * B_im[n];
        s->Bbar_im[n] = q_re * B_im[n] + q_im * B_re[n];
        s->W_re[n] = C_re[n] * s->Bbar_re[n] - C_im[n] * s->Bbar_im[n];
        s->W_im[n] = C_re[n] * s->Bbar_im[n] + C_im[n] * s->Bbar_re[n];
        /* M[n][j] = Re(W z^j), M[N + n][j] = −Im(W z^j), z^j = e^{aj}(cos bj, sin bj) */
        for (long j = 0; j < T; j++) {
            double e = exp(a * (double)j), c = e * cos(b * (double)j), si = e * sin(b * (double)j);
            s->M[n * T + j] = flush(s->W_re[n] * c - s->W_im[n] * si);
            s->M[(N + n) * T + j] = -flush(s->W_re[n] * si + s->W_im[n] * c);
        }
    }
    return 0;
}

void basin_ssm_free(basin_ssm *s)
{
    if (!s)
        return;
    free(s->A_re);
    free(s->A_im);
    free(s->B_re);
    free(s->B_im);
    free(s->C_re);
    free(s->C_im);
    free(s->z_re);
    free(s->z_im);
    free(s->Bbar_re);
    free(s->Bbar_im);
    free(s->W_re);
    free(s->W_im);
    free(s->M);
    free(s->Qt);
    free(s->Kt);
    memset(s, 0, sizeof *s);
}

void basin_ssm_kernel(const basin_ssm *s, long l0, long l1, double *K)
{
    const long N = s->N, T = BASIN_SSM_BLOCK;
    if (l1 <= l0)
        return;
    const long b_end = (l1 - 1) / T + 1;
    for (long bb = l0 / T; bb < b_end; bb += BASIN_SSM_CHUNK) {
        const long nb = b_end - bb < BASIN_SSM_CHUNK ? b_end - bb : BASIN_SSM_CHUNK;
        /* Qt[b][n] = Re e^{dt A_n (bb + b)T}, Qt[b][N + n] = Im … */
        for (long b = 0; b < nb; b++) {
            const double lb = (double)((bb + b) * T);
            double *q = s->Qt + b * 2 * N;
            for (long n = 0; n < N; n++) {
                double ea = s->dt * s->A_re[n] * lb, ph = s->dt * s->A_im[n] * lb;
                double e = ea < -690.0 ? 0.0 : exp(ea);
                q[n] = e * cos(ph);
                q[N + n] = e * sin(ph);
            }
        }
        /* K_{(bb+b)T + j} = 2 Σ_n Re(e^{dt A_n lT} · W_n z_n^j) = 2 (Qt M)[b][j] */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)T, (int)(2 * N), 2.0,
                    s->Qt, (int)(2 * N), s->M, (int)T, 0.0, s->Kt, (int)T);
        long from = bb * T > l0 ? bb * T : l0;
        long to = (bb + nb) * T < l1 ? (bb + nb) * T : l1;
        memcpy(K + (from - l0), s->Kt + (from - bb * T), (size_t)(to - from) * sizeof *K);
    }
}

void basin_ssm_impulse_start(const basin_ssm *s, double *state)
{
    /* the impulse u_0 = 1 puts the system at rest into x_{n,0} = B̄_n */
    memcpy(state, s->Bbar_re, (size_t)s->N * sizeof *state);
    memcpy(state + s->N, s->Bbar_im, (size_t)s->N * sizeof *state);
}

void basin_ssm_impulse(const basin_ssm *s, long len, double *K, double *state)
{
    const long N = s->N;
    double *x_re = state, *x_im = state + N;
    /* K_l = 2 Re Σ C_n x_n, then x ← z x (x_n = z_n^l B̄_n) */
    for (long l = 0; l < len; l++) {
        double sum = 0.0;
        for (long n = 0; n < N; n++) {
            sum += s->C_re[n] * x_re[n] - s->C_im[n] * x_im[n];
            double re = s->z_re[n] * x_re[n] - s->z_im[n] * x_im[n];
            double im = s->z_re[n] * x_im[n] + s->z_im[n] * x_re[n];
            x_re[n] = fabs(re) < TINY ? 0.0 : re;
            x_im[n] = fabs(im) < TINY ? 0.0 : im;
        }
        K[l] = 2.0 * sum;
    }
}

void basin_ssm_scan(const basin_ssm *s, long len, const double *u, double *y, double *state)
{
    const long N = s->N;
    double *x_re = state, *x_im = state + N;
    /* x_k = z x_{k−1} + B̄ u_k, y_k = 2 Re Σ C x_k */
    for (long k = 0; k < len; k++) {
        const double uk = u[k];
        double sum = 0.0;
        for (long n = 0; n < N; n++) {
            double re = s->z_re[n] * x_re[n] - s->z_im[n] * x_im[n] + s->Bbar_re[n] * uk;
            double im = s->z_re[n] * x_im[n] + s->z_im[n] * x_re[n] + s->Bbar_im[n] * uk;
            re = fabs(re) < TINY ? 0.0 : re;
            im = fabs(im) < TINY ? 0.0 : im;
            x_re[n] = re;
            x_im[n] = im;
            sum += s->C_re[n] * re - s->C_im[n] * im;
        }
        y[k] = 2.0 * sum;
    }
}

double basin_ssm_dc_gain(const basin_ssm *s)
{
    /* −2 Re Σ C B / A */
    double sum = 0.0;
    for (long n = 0; n < s->N; n++) {
        double cb_re = s->C_re[n] * s->B_re[n] - s->C_im[n] * s->B_im[n];
        double cb_im = s->C_re[n] * s->B_im[n] + s->C_im[n] * s->B_re[n];
        double den = s->A_re[n] * s->A_re[n] + s->A_im[n] * s->A_im[n];
        sum += (cb_re * s->A_re[n] + cb_im * s->A_im[n]) / den;
    }
    return -2.0 * sum;
}

double basin_ssm_kernel_sum(const basin_ssm *s, long L)
{
    /* 2 Re Σ W (1 − z^L)/(1 − z), with 1 − z = −(e^{dtA} − 1) computed without cancellation */
    double sum = 0.0;
    for (long n = 0; n < s->N; n++) {
        const double a = s->dt * s->A_re[n], b = s->dt * s->A_im[n];
        const double sb2 = sin(0.5 * b);
        const double omz_re = -(expm1(a) * cos(b) - 2.0 * sb2 * sb2), omz_im = -exp(a) * sin(b);
        const double aL = a * (double)L, bL = b * (double)L;
        const double eL = aL < -690.0 ? 0.0 : exp(aL);
        const double num_re = 1.0 - eL * cos(bL), num_im = -eL * sin(bL);
        const double den = omz_re * omz_re + omz_im * omz_im;
        const double f_re = (num_re * omz_re + num_im * omz_im) / den;
        const double f_im = (num_im * omz_re - num_re * omz_im) / den;
        sum += s->W_re[n] * f_re - s->W_im[n] * f_im;
    }
    return 2.0 * sum;
}

int basin_ssm_convolve(const basin_rfft *f, long L, const double *K, long Lu, const double *u,
                       double *y, double *work)
{
    const long P = f->n, Lk = L < Lu ? L : Lu; /* y[0, Lu) needs K_l for l < Lu only */
    if (Lu < 1 || L < 1 || P < Lk + Lu - 1)
        return BASIN_EINVAL;
    double(*Kf)[2] = (double(*)[2])work;
    /* K̂ = F(K zero-padded to P) */
    memcpy(f->x, K, (size_t)Lk * sizeof *K);
    memset(f->x + Lk, 0, (size_t)(P - Lk) * sizeof *K);
    basin_rfft_forward(f);
    memcpy(Kf, f->X, (size_t)(P / 2 + 1) * sizeof *Kf);
    /* û = F(u zero-padded), y = F⁻¹(K̂ û)/P */
    memcpy(f->x, u, (size_t)Lu * sizeof *u);
    memset(f->x + Lu, 0, (size_t)(P - Lu) * sizeof *u);
    basin_rfft_forward(f);
    const double inv = 1.0 / (double)P;
    for (long k = 0; k <= P / 2; k++) {
        double re = Kf[k][0] * f->X[k][0] - Kf[k][1] * f->X[k][1];
        double im = Kf[k][0] * f->X[k][1] + Kf[k][1] * f->X[k][0];
        f->X[k][0] = re * inv;
        f->X[k][1] = im * inv;
    }
    basin_rfft_inverse(f);
    memcpy(y, f->x, (size_t)Lu * sizeof *y);
    return 0;
}
