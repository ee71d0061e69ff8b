"""Benchmark: the ssm model — an S4D-Lin kernel of N = 64 modes and length L = 2^16 by
the Vandermonde formula, then y = K ∗ u by FFT for a noise input of length L — against
the same computation in NumPy, in the same script.

    /usr/bin/python3 bench/ssm.py build/src/basin

NumPy: W = C B (e^{dtA} − 1)/A, K = 2 Re(W @ exp(dtA[:, None] · arange(L))), and
y = irfft(rfft(K, 2L) · rfft(u, 2L))[:L]. basin: `basin run ssm` with verify off (the
recurrence check is not part of the kernel computation), timed as a process (start-up and
output included). Best of 7 runs each, one thread.
"""
import json
import os
import subprocess
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy  # noqa: E402

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, L, DT, RUNS = 64, 1 << 16, 0.01, 7


def best(fn):
    return min(fn() for _ in range(RUNS))


def run_basin():
    params = {"modes": N, "init": "s4d_lin", "length": L, "dt": DT, "input": "noise",
              "verify": False, "seed": 1}
    t0 = time.perf_counter()
    subprocess.run([BASIN, "run", "ssm", "--params", "-"], input=json.dumps(params),
                   capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def run_numpy():
    t0 = time.perf_counter()
    rng = numpy.random.default_rng(1)
    A = -0.5 + 1j * numpy.pi * numpy.arange(N)
    B = numpy.ones(N)
    C = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / numpy.sqrt(2)
    dtA = DT * A
    W = C * B * (numpy.exp(dtA) - 1) / A
    K = 2 * numpy.real(W @ numpy.exp(dtA[:, None] * numpy.arange(L)))
    u = rng.standard_normal(L)
    y = numpy.fft.irfft(numpy.fft.rfft(K, 2 * L) * numpy.fft.rfft(u, 2 * L), 2 * L)[:L]
    y.sum()
    return time.perf_counter() - t0


if __name__ == "__main__":
    tb, tn = best(run_basin), best(run_numpy)
    print("S4D-Lin kernel N = %d modes, L = %d, plus FFT convolution (best of %d)" % (N, L, RUNS))
    print("basin : %.1f ms (process, end to end)" % (tb * 1e3))
    print("numpy : %.1f ms" % (tn * 1e3))
    print("ratio basin/numpy speed: %.2f" % (tn / tb))
