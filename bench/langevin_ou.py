"""Benchmark: the langevin model's Euler-Maruyama step for the Ornstein-Uhlenbeck
ensemble, against the same algorithm vectorised in NumPy, in the same script.

    /usr/bin/python3 bench/langevin_ou.py build/src/basin

Both advance M particles in d dimensions by x <- x - k x dt + sqrt(2 T dt) xi for S steps
(basin through `basin run`, one thread; NumPy with its default PCG64 normals). Reports
coordinate updates per second for each and the ratio basin / NumPy. Each side is timed
as the best of 3 runs; basin's time includes process start and JSON output, which is
negligible at this size.
"""
import json
import subprocess
import sys
import time

import numpy

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
M, D, S, DT = 200_000, 3, 200, 0.01


def run_basin():
    params = {"energy": {"type": "harmonic", "k": 1.0}, "dim": D, "particles": M,
              "steps": S, "dt": DT, "temperature": 1.0, "seed": 1, "record_every": S}
    t0 = time.perf_counter()
    out = subprocess.run([BASIN, "run", "langevin", "--params", "-"], input=json.dumps(params),
                         capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t0
    return elapsed, json.loads(out.stdout)["summary"]["variance"]


def run_numpy():
    rng = numpy.random.default_rng(1)
    x = numpy.zeros((M, D))
    noise = numpy.sqrt(2.0 * DT)
    t0 = time.perf_counter()
    for _ in range(S):
        x -= x * DT
        x += noise * rng.standard_normal((M, D))
    elapsed = time.perf_counter() - t0
    return elapsed, float(x.var(axis=0, ddof=1).mean())


def best(fn, n=3):
    runs = [fn() for _ in range(n)]
    return min(r[0] for r in runs), runs[0][1]


if __name__ == "__main__":
    updates = M * D * S
    tb, vb = best(run_basin)
    tn, vn = best(run_numpy)
    print("coordinate updates: %d (M=%d, d=%d, steps=%d)" % (updates, M, D, S))
    print("basin : %.3f s  %.1f M updates/s  (final variance %.4f)" % (tb, updates / tb / 1e6, vb))
    print("numpy : %.3f s  %.1f M updates/s  (final variance %.4f)" % (tn, updates / tn / 1e6, vn))
    print("ratio basin/numpy speed: %.2f" % (tn / tb))
