"""Benchmark: the denoise model's wavelet shrinkage (db4 and haar, VisuShrink, soft) at
n = 2^20 against PyWavelets' wavedec + threshold + waverec, in the same script.

    /usr/bin/python3 bench/denoise.py build/src/basin

Both sides do the same job: the Doppler test signal, Gaussian noise σ = 0.1, the periodic
DWT to pywt.dwt_max_level levels, σ̂ = median|d₁|/0.6745, τ = σ̂√(2 ln n) soft-thresholded
on every detail level, the inverse DWT, and the error of the result. Two ratios are
printed (best of 15 runs each, one thread; basin's two runs alternate):
  end-to-end   the whole job: basin as a process (start-up, synthesis, artifacts) against
               the same job in NumPy + PyWavelets;
  denoising    basin's run minus the same run with `method: none` (identical synthesis
               and output, x̂ = y) against PyWavelets' wavedec + median + threshold +
               waverec alone.
What the two sides pay for differs, in the Python side's favour: basin's job includes its
process start-up (loading its shared libraries: a fixed ~6–10 ms, printed as the time of
`basin version`) and fresh memory for every array, while the Python job runs in a warm
interpreter whose allocator recycles the previous run's arrays. The `none` twin's x̂ = y
is a copy of y (8 MB), which the subtraction books under "everything else" although the
wavelet job writes x̂ in its inverse transform instead: the denoising figure leaves out
about that one copy (~1 ms).
"""
import json
import os
import subprocess
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy  # noqa: E402
import pywt  # noqa: E402

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, SIGMA, RUNS = 1 << 20, 0.1, 15


def best(fn):
    return min(fn() for _ in range(RUNS))


def start_up():
    t0 = time.perf_counter()
    subprocess.run([BASIN, "version"], capture_output=True, check=True)
    return time.perf_counter() - t0


def basin_once(params):
    t0 = time.perf_counter()
    subprocess.run([BASIN, "run", "denoise", "--params", "-"], input=json.dumps(params),
                   capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def basin_pair(params):
    """Best times of the job and of its `method: none` twin, run alternately so that both
    minima are taken under the same conditions."""
    job, none = [], []
    for _ in range(RUNS):
        job.append(basin_once(params))
        none.append(basin_once(dict(params, method="none")))
    return min(job), min(none)


def pywt_denoise(y, wavelet, J):
    c = pywt.wavedec(y, wavelet, mode="periodization", level=J)
    tau = numpy.median(numpy.abs(c[-1])) / 0.6745 * numpy.sqrt(2 * numpy.log(len(y)))
    c = [c[0]] + [pywt.threshold(d, tau, "soft") for d in c[1:]]
    return pywt.waverec(c, wavelet, mode="periodization")


if __name__ == "__main__":
    print("n = %d, Doppler + N(0, %g^2), VisuShrink soft, best of %d; basin process start-up "
          "%.1f ms" % (N, SIGMA, RUNS, best(start_up) * 1e3))
    for wavelet in ("db4", "haar"):
        J = pywt.dwt_max_level(N, pywt.Wavelet(wavelet).dec_len)
        params = {"signal": "doppler", "n": N, "sigma": SIGMA, "wavelet": wavelet,
                  "levels": J, "seed": 1}
        t_job, t_none = basin_pair(params)
        rng = numpy.random.default_rng(1)
        x = pywt.data.demo_signal("Doppler", N)
        y = x + SIGMA * rng.standard_normal(N)

        def kernel():
            t0 = time.perf_counter()
            pywt_denoise(y, wavelet, J)
            return time.perf_counter() - t0

        def job():
            t0 = time.perf_counter()
            xs = pywt.data.demo_signal("Doppler", N)
            ys = xs + SIGMA * numpy.random.default_rng(1).standard_normal(N)
            xh = pywt_denoise(ys, wavelet, J)
            mse = numpy.mean((xh - xs) ** 2)
            10 * numpy.log10((xs @ xs) / (mse * N))
            return time.perf_counter() - t0

        t_kernel, t_pyjob = best(kernel), best(job)
        t_basin_kernel = max(t_job - t_none, 1e-9)
        print("%-4s J=%2d | basin job %6.1f ms, none %6.1f ms -> denoising %5.1f ms | "
              "python job %6.1f ms, pywt wavedec+threshold+waverec %5.1f ms | "
              "speed ratio end-to-end %.2f, denoising %.2f"
              % (wavelet, J, t_job * 1e3, t_none * 1e3, t_basin_kernel * 1e3, t_pyjob * 1e3,
                 t_kernel * 1e3, t_pyjob / t_job, t_kernel / t_basin_kernel))
