"""Benchmark: the harmonic model's method rbf (thin-plate spline with its degree-1
polynomial, 2000 anchors) fitted and evaluated at 10^5 points, against
scipy.interpolate.RBFInterpolator doing the same, in the same script.

    /usr/bin/python3 bench/rbf.py build/src/basin

The 10^5 evaluation points are the nodes of a 400 x 250 grid (h = 0.025 over [0, 10] x
[0, 6.2]); the anchors are seeded uniform points in that box with values
sin(x) cos(y) + noise. basin runs through `basin run` (one thread, process start and JSON
parsing included); SciPy builds its interpolator (dgesv through its LAPACK) and evaluates
it (chunked kernel matrices and a matrix product). Each side is the best of 3 runs.
Reports both times, the ratio and the largest difference between the two fields.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy
import scipy.interpolate

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, NX, NY, H = 2000, 400, 250, 0.025


def data():
    rng = numpy.random.default_rng(11)
    pts = rng.random((N, 2)) * [(NX - 1) * H, (NY - 1) * H]
    vals = numpy.sin(pts[:, 0]) * numpy.cos(pts[:, 1]) + 0.01 * rng.standard_normal(N)
    return pts, vals


def run_basin(pts, vals):
    params = {"nx": NX, "ny": NY, "h": H, "method": "rbf", "kernel": "thin_plate",
              "anchors": [{"x": float(x), "y": float(y), "value": float(v)}
                          for (x, y), v in zip(pts, vals)]}
    text = json.dumps(params)
    out = tempfile.mkdtemp(prefix="basin-bench-rbf-")
    t0 = time.perf_counter()
    subprocess.run([BASIN, "run", "harmonic", "--params", "-", "--out", out], input=text,
                   capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t0
    return elapsed, numpy.load(os.path.join(out, "phi.npy"))


def run_scipy(pts, vals):
    gx, gy = numpy.meshgrid(numpy.arange(NX) * H, numpy.arange(NY) * H)
    grid = numpy.column_stack([gx.ravel(), gy.ravel()])
    t0 = time.perf_counter()
    f = scipy.interpolate.RBFInterpolator(pts, vals, kernel="thin_plate_spline")
    phi = f(grid)
    elapsed = time.perf_counter() - t0
    return elapsed, phi.reshape(NY, NX)


if __name__ == "__main__":
    pts, vals = data()
    tb, phi_b = min((run_basin(pts, vals) for _ in range(3)), key=lambda t: t[0])
    ts, phi_s = min((run_scipy(pts, vals) for _ in range(3)), key=lambda t: t[0])
    diff = numpy.max(numpy.abs(phi_b - phi_s))
    print("rbf thin_plate, %d anchors, %d points: basin %.3f s, RBFInterpolator %.3f s; "
          "ratio scipy/basin %.2f; max |diff| %.1e" % (N, NX * NY, tb, ts, ts / tb, diff))
