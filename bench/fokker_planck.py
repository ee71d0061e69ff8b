"""Benchmark: the `fokker_planck` model, 1-D, 2000 cells, 10^4 implicit (backward Euler)
steps, against the same scheme in SciPy, in the same script.

    /usr/bin/python3 bench/fokker_planck.py build/src/basin

Both solve (I - dt A) p' = p for the Scharfetter-Gummel generator A of the double well
E = (x^2 - 1)^2 at T = 0.5 on [-2.5, 2.5], from the same Gaussian start: basin through
`basin run` (LAPACK band LU factorised once, dgbtrs per step, plus its per-step
non-negativity check; the spectral gap is switched off and the series are recorded at the
first and last step only), SciPy with the tridiagonal matrix in scipy.sparse (CSC),
factorised once by scipy.sparse.linalg.splu (SuperLU) and solved once per step. Reports
steps per second and cell-steps per second for each, the ratio basin / SciPy, and the
largest difference between the two final densities. Each side is timed as the best of 3,
by wall clock and by CPU time (user + system; on a shared machine the steadier measure);
basin's time includes process start, parsing, set-up and the JSON output, SciPy's the
factorisation and the solves.
"""
import json
import resource
import os
import subprocess
import sys
import tempfile
import time

import numpy
import scipy.sparse
import scipy.sparse.linalg
import scipy.special

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, S, DT, T, LO, HI = 2000, 10000, 0.01, 0.5, -2.5, 2.5
PARAMS = {"energy": {"type": "double_well"}, "temperature": T,
          "grid": {"min": LO, "max": HI, "cells": N},
          "init": {"type": "gaussian", "mean": [1.0], "std": 0.2},
          "scheme": "implicit", "dt": DT, "steps": S, "record_every": S, "spectral_gap": False}


def run_basin(out):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([BASIN, "run", "fokker_planck", "--params", "-", "--out", out],
                   input=json.dumps(PARAMS), capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def bernoulli(z):
    out = numpy.ones_like(z)
    nz = numpy.abs(z) > 1e-10
    out[nz] = z[nz] / numpy.expm1(z[nz])
    return out


def run_scipy():
    h = (HI - LO) / N
    edges = LO + h * numpy.arange(N + 1)
    x = 0.5 * (edges[1:] + edges[:-1])
    E = (x * x - 1.0) ** 2
    z = (E[1:] - E[:-1]) / T
    fwd, bwd = T / h ** 2 * bernoulli(z), T / h ** 2 * bernoulli(-z)
    out = numpy.zeros(N)
    out[:-1] += fwd
    out[1:] += bwd
    A = scipy.sparse.diags([bwd, -out, fwd], [1, 0, -1], shape=(N, N), format="csc")
    p = numpy.diff(scipy.special.ndtr((edges - 1.0) / 0.2)) / h
    p /= p.sum() * h
    t0, c0 = time.perf_counter(), time.process_time()
    lu = scipy.sparse.linalg.splu((scipy.sparse.identity(N, format="csc") - DT * A).tocsc())
    for _ in range(S):
        p = lu.solve(p)
    return time.perf_counter() - t0, time.process_time() - c0, p


if __name__ == "__main__":
    out = tempfile.mkdtemp(prefix="basin-bench-fp-")
    b = [run_basin(out) for _ in range(3)]
    tb, cb = min(r[0] for r in b), min(r[1] for r in b)
    runs = [run_scipy() for _ in range(3)]
    ts, cs, p_ref = min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]
    p = numpy.load(os.path.join(out, "p.npy"))[0]
    diff = numpy.max(numpy.abs(p - p_ref)) / numpy.max(p_ref)
    print("implicit steps: %d on %d cells (dt=%g); max |p_basin - p_scipy| / max p = %.1e"
          % (S, N, DT, diff))
    print("basin : wall %.3f s (%.0f steps/s, %.1f M cell-steps/s), cpu %.3f s (%.0f steps/s)"
          % (tb, S / tb, S * N / tb / 1e6, cb, S / cb))
    print("scipy : wall %.3f s (%.0f steps/s, %.1f M cell-steps/s), cpu %.3f s (%.0f steps/s)"
          % (ts, S / ts, S * N / ts / 1e6, cs, S / cs))
    print("ratio basin/scipy speed: %.2f (wall clock), %.2f (cpu time)" % (ts / tb, cs / cb))
