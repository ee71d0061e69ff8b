/*
 * fft.c — FFTW plans behind basin_rfft (see basin/fft.h). The planner mutex below is the
 * one piece of global state in the numerical core: FFTW's planner keeps process-wide
 * tables and is not thread-safe, while executing a finished plan is.
 */
#include "basin/fft.h"

#include <fftw3.h>
#include <pthread.h>
#include <string.h>

#include "basin/error.h"

static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

int basin_rfft_init(basin_rfft *f, long n)
{
    memset(f, 0, sizeof *f);
    if (n < 1 || n > (1L << 30))
        return BASIN_EINVAL;
    f->n = n;
    f->x = fftw_malloc((size_t)n * sizeof *f->x);
    f->X = fftw_malloc((size_t)(n / 2 + 1) * sizeof *f->X);
    if (!f->x || !f->X)
        goto fail;
    pthread_mutex_lock(&planner_lock);
    f->fwd = fftw_plan_dft_r2c_1d((int)n, f->x, f->X, FFTW_ESTIMATE);
    f->inv = fftw_plan_dft_c2r_1d((int)n, f->X, f->x, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
    pthread_mutex_unlock(&planner_lock);
    if (!f->fwd || !f->inv)
        goto fail;
    return 0;
fail:
    basin_rfft_free(f);
    return BASIN_ENOMEM;
}

void basin_rfft_free(basin_rfft *f)
{
    if (!f)
        return;
    if (f->fwd || f->inv) {
        pthread_mutex_lock(&planner_lock);
        if (f->fwd)
            fftw_destroy_plan(f->fwd);
        if (f->inv)
            fftw_destroy_plan(f->inv);
        pthread_mutex_unlock(&planner_lock);
    }
    fftw_free(f->x);
    fftw_free(f->X);
    memset(f, 0, sizeof *f);
}

void basin_rfft_forward(const basin_rfft *f)
{
    fftw_execute(f->fwd);
}

void basin_rfft_inverse(const basin_rfft *f)
{
    fftw_execute(f->inv);
}

long basin_fft_fast_size(long n)
{
    for (long m = n < 1 ? 1 : n;; m++) {
        long r = m;
        static const long primes[] = {2, 3, 5, 7};
        for (int i = 0; i < 4; i++)
            while (r % primes[i] == 0)
                r /= primes[i];
        if (r == 1)
            return m;
    }
}
