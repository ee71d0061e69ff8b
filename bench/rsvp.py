"""Benchmark: the rsvp model's explicit staggered-grid step against a NumPy implementation
of the same scheme (basin/rsvp.h), in the same script.

    /usr/bin/python3 bench/rsvp.py build/src/basin

A periodic 512 x 512 grid, 1000 steps with every term active (D, gamma, delta with a
gaussian eta, mu, nu, a constant force), from an initial phi of two gaussian bumps. basin
runs through `basin run` (one thread; process start, the 6 recorded diagnostics, the tiles
and writing the fields included; the initial fields come from presets, so no large JSON
arrays are parsed); NumPy advances the same arrays with np.roll stencils (vectorised, its
usual way), starting from the same fields evaluated by NumPy. Reports cell updates per
second for each, the ratio, and the largest difference between the final fields (the two
evaluate the same expressions in the same order; the initial fields may differ in the last
bit of exp, so they agree to rounding). Each side is timed once (the NumPy run
takes tens of seconds); both wall and CPU time are shown, the latter being the fair figure
on a machine shared with other work.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, STEPS, H = 512, 1000, 1.0
D, GAMMA, DELTA, MU, NU = 1.0, 0.5, 0.2, 0.05, 0.1
FX, FY = 1e-3, -2e-3


# phi0: two gaussian bumps; eta: one (field_params.h presets, evaluated the same way here)
PHI_BUMPS = [(200.0, 300.0, 1.0, 30.0), (380.0, 120.0, -0.7, 20.0)]
ETA_BUMPS = [(256.0, 256.0, 1.0, 50.0)]


def bumps_field(bumps):
    j, i = numpy.mgrid[0:N, 0:N].astype(float)
    out = numpy.zeros((N, N))
    for x, y, a, w in bumps:
        out += a * numpy.exp(-((i * H - x) ** 2 + (j * H - y) ** 2) / (2 * w * w))
    return out


def preset(bumps):
    return {"type": "gaussian", "bumps": [{"x": x, "y": y, "amplitude": a, "width": w}
                                          for x, y, a, w in bumps]}


def initial():
    return bumps_field(PHI_BUMPS), bumps_field(ETA_BUMPS)


def run_basin(phi0, eta, dt):
    params = {"nx": N, "ny": N, "h": H, "D": D, "gamma": GAMMA, "delta": DELTA, "mu": MU,
              "nu": NU, "dt": dt, "steps": STEPS, "record_every": 200, "boundary": "periodic",
              "phi0": preset(PHI_BUMPS), "eta": preset(ETA_BUMPS),
              "force": {"x": FX, "y": FY}, "tiles": {"thresholds": [1.0]}}
    text = json.dumps(params)
    out = tempfile.mkdtemp(prefix="basin-bench-rsvp-")
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([BASIN, "run", "rsvp", "--params", "-", "--out", out], input=text,
                       capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
    assert json.loads(r.stdout)["status"] == "succeeded"
    return (elapsed, cpu, numpy.load(os.path.join(out, "phi.npy")),
            numpy.load(os.path.join(out, "vx.npy")))


def run_numpy(phi0, eta, dt):
    r = numpy.roll
    phi, vx, vy = phi0.copy(), numpy.zeros_like(phi0), numpy.zeros_like(phi0)
    aD, adiv, aS, amu, anu = dt * D / H ** 2, dt / H, dt * GAMMA / H, dt * MU, dt * NU / H ** 2
    Gx = -DELTA * (r(eta, -1, 1) - eta) / H + FX
    Gy = -DELTA * (r(eta, -1, 0) - eta) / H + FY
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(STEPS):
        gE = r(phi, -1, 1) - phi
        gN = r(phi, -1, 0) - phi
        S = 0.5 / H ** 2 * (gE ** 2 + r(gE, 1, 1) ** 2 + gN ** 2 + r(gN, 1, 0) ** 2)
        lap = r(phi, -1, 1) + r(phi, 1, 1) + r(phi, -1, 0) + r(phi, 1, 0) - 4 * phi
        div = vx - r(vx, 1, 1) + vy - r(vy, 1, 0)
        lapx = r(vx, -1, 1) + r(vx, 1, 1) + r(vx, -1, 0) + r(vx, 1, 0) - 4 * vx
        lapy = r(vy, -1, 1) + r(vy, 1, 1) + r(vy, -1, 0) + r(vy, 1, 0) - 4 * vy
        phi_n = phi + aD * lap - adiv * div
        vx = vx - aS * (r(S, -1, 1) - S) + dt * Gx - amu * vx + anu * lapx
        vy = vy - aS * (r(S, -1, 0) - S) + dt * Gy - amu * vy + anu * lapy
        phi = phi_n
    return time.perf_counter() - t0, time.process_time() - c0, phi, vx


if __name__ == "__main__":
    phi0, eta = initial()
    dt = 0.9 * min(H * H / (4 * D), 2.0 / (MU + 8 * NU / H ** 2))
    tb, cb, pb, vb = run_basin(phi0, eta, dt)
    tn, cn, pn, vn = run_numpy(phi0, eta, dt)
    updates = N * N * STEPS
    diff = max(numpy.max(numpy.abs(pb - pn)), numpy.max(numpy.abs(vb - vn)))
    print("rsvp %dx%d periodic, %d steps: basin %.2f s wall, %.2f s cpu (%.1f M cell-updates/s "
          "wall); numpy %.2f s wall, %.2f s cpu (%.1f M cell-updates/s wall); ratio numpy/basin "
          "%.1f wall, %.1f cpu; max |diff| %.1e"
          % (N, N, STEPS, tb, cb, updates / tb / 1e6, tn, cn, updates / tn / 1e6, tn / tb,
             cn / cb, diff))
