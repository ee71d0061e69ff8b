/*
 * fft.h — real discrete Fourier transforms for the numerical core (a thin FFTW wrapper).
 *
 * One basin_rfft holds a real-to-complex / complex-to-real pair of FFTW plans of one length
 * n over two buffers it owns: x (n reals) and X (n/2 + 1 complex numbers, re/im pairs).
 * The caller fills one buffer, executes, and reads the other:
 *
 *     forward:  X_k = Σ_{t=0}^{n−1} x_t e^{−2πi kt/n},   k = 0..⌊n/2⌋   (unnormalised)
 *     inverse:  x_t = Σ_{k=0}^{n−1} X_k e^{+2πi kt/n},   t = 0..n−1      (unnormalised,
 *               X_{n−k} = conj X_k implied), so inverse(forward(x)) = n·x.
 *
 * Determinism: plans are made with FFTW_ESTIMATE only, which chooses the algorithm from n
 * alone (never by timing), over buffers from fftw_malloc (always SIMD-aligned), so a
 * given length runs the same arithmetic on every run and every thread of a build.
 *
 * Threads: FFTW executes plans concurrently but its planner is not thread-safe. Plan
 * creation and destruction (basin_rfft_init, basin_rfft_free) are serialised by one
 * process-wide mutex — the only global state of the core. Executing different
 * basin_rfft objects on different threads needs no lock; one object is single-threaded.
 */
#ifndef BASIN_FFT_H
#define BASIN_FFT_H

typedef struct basin_rfft {
    long n;          /* transform length ≥ 1 */
    double *x;       /* owned: n reals */
    double (*X)[2];  /* owned: n/2 + 1 complex numbers, X[k][0] + i X[k][1] */
    void *fwd, *inv; /* owned: the FFTW plans (fftw_plan) */
} basin_rfft;

/* Allocates the buffers and plans of length n. Returns 0, BASIN_EINVAL when n < 1 or
 * n > 2^30, BASIN_ENOMEM when FFTW cannot allocate or plan. On failure f is left
 * freeable (basin_rfft_free). The buffers' contents are unspecified until written. */
int basin_rfft_init(basin_rfft *f, long n);

/* Destroys the plans and frees the buffers; accepts NULL and a zeroed or failed-init
 * struct, and leaves f zeroed. */
void basin_rfft_free(basin_rfft *f);

/* X ← forward transform of x (x is preserved). */
void basin_rfft_forward(const basin_rfft *f);

/* x ← inverse transform of X (X is overwritten: FFTW's c2r destroys its input). */
void basin_rfft_inverse(const basin_rfft *f);

/* The smallest m ≥ n whose only prime factors are 2, 3, 5 and 7 (FFTW is fastest on
 * those); n ≥ 1, n ≤ 2^40. */
long basin_fft_fast_size(long n);

#endif
