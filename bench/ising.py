"""Benchmark: the ising model's checkerboard Metropolis sweep, against the same algorithm
vectorised in NumPy, and Wolff against Metropolis in autocorrelation time near T_c.

    /usr/bin/python3 bench/ising.py build/src/basin

1. Spin-flip attempts per second at L = 1024, T = T_c, on one core: basin (`basin run`,
   int8 spins, tabulated acceptance, one 32-bit random number per attempt) against the
   textbook NumPy checkerboard (neighbour sums by numpy.roll, exp(-dE/T) from a table,
   one float64 uniform per attempt). Each side is the best of 3; basin's time includes
   process start and the few measurements (2 of 300 sweeps), negligible at this size.
   Rates are given per wall-clock second and per CPU second of the process (the
   children's rusage for basin, process_time for NumPy): on a shared machine the CPU
   rate is the one-core figure, the wall rate what this run happened to get.
2. Critical slowing down at L = 64, T = 2.269: the integrated autocorrelation times of |m|
   and e (binning estimate, in sweeps of N spin updates; a Wolff sweep is N/<|C|> clusters)
   for Metropolis and Wolff, their ratio, and the CPU time per independent sample
   (2 tau_int sweeps).
"""
import json
import math
import resource
import subprocess
import sys
import time

import numpy

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
TC = 2.0 / math.log(1.0 + math.sqrt(2.0))


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def basin_run(params):
    """Returns (wall seconds, CPU seconds, summary)."""
    t0, c0 = time.perf_counter(), child_cpu()
    out = subprocess.run([BASIN, "run", "ising", "--params", "-"], input=json.dumps(params),
                         capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, child_cpu() - c0, json.loads(out.stdout)["summary"]


def numpy_metropolis(L, T, sweeps, seed=1):
    rng = numpy.random.default_rng(seed)
    s = numpy.ones((L, L), dtype=numpy.int8)
    y, x = numpy.indices((L, L))
    masks = [(x + y) % 2 == c for c in (0, 1)]
    table = {d: math.exp(-d / T) for d in (4, 8)}
    acc = numpy.zeros((L, L))
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(sweeps):
        for mask in masks:
            nb = (numpy.roll(s, 1, 0) + numpy.roll(s, -1, 0) + numpy.roll(s, 1, 1)
                  + numpy.roll(s, -1, 1)).astype(numpy.int32)
            dE = 2 * s * nb
            acc[:] = 1.0
            acc[dE == 4] = table[4]
            acc[dE == 8] = table[8]
            flip = mask & (rng.random((L, L)) < acc)
            s[flip] *= -1
    return time.perf_counter() - t0, time.process_time() - c0, float(numpy.abs(s.mean()))


def best(fn, n=3):
    runs = [fn() for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]


if __name__ == "__main__":
    L, sweeps = 1024, 300
    params = {"L": L, "temperature": TC, "burn_in": 0, "sweeps": sweeps, "measure_every": 150,
              "record_every": sweeps, "seed": 1}
    tb, cb, sb = best(lambda: basin_run(params))
    tn, cn, mn = best(lambda: numpy_metropolis(L, TC, 20))
    nb, nn = L * L * sweeps, L * L * 20
    print("Metropolis L=%d at T_c, one core:" % L)
    print("basin : %.2f s wall, %.2f s CPU for %d sweeps  %.3g attempts/s wall, %.3g per CPU "
          "second  (acceptance %.3f)" % (tb, cb, sweeps, nb / tb, nb / cb, sb["acceptance"]))
    print("numpy : %.2f s wall, %.2f s CPU for %d sweeps  %.3g attempts/s wall, %.3g per CPU "
          "second" % (tn, cn, 20, nn / tn, nn / cn))
    print("ratio basin/numpy speed: %.1f (wall), %.1f (CPU)"
          % ((nb / tb) / (nn / tn), (nb / cb) / (nn / cn)))

    L, T = 64, 2.269
    runs = {
        "metropolis": {"L": L, "temperature": T, "algorithm": "metropolis", "burn_in": 10000,
                       "sweeps": 400000, "record_every": 10000, "seed": 2},
        "wolff": {"L": L, "temperature": T, "algorithm": "wolff", "burn_in": 1000,
                  "sweeps": 100000, "record_every": 10000, "seed": 2},
    }
    res = {}
    print("\nL=%d, T=%.3f (T_c = %.4f): integrated autocorrelation times in sweeps" % (L, T, TC))
    for name, p in runs.items():
        t, cpu, s = basin_run(p)
        per_sweep = cpu / (p["burn_in"] + p["sweeps"])
        res[name] = (s, per_sweep)
        extra = ""
        if name == "wolff":
            extra = "  <|C|>/N = %.3f, %d clusters/sweep" % (s["mean_cluster_size"] / L ** 2,
                                                             s["clusters_per_sweep"])
        print("%-10s: tau_int(|m|) = %8.2f  tau_int(e) = %7.2f  %.1f us CPU/sweep  "
              "%.3f ms CPU per independent |m| sample  <|m|> = %.4f +- %.4f%s"
              % (name, s["tau_int"], s["tau_int_energy"], 1e6 * per_sweep,
                 1e3 * 2 * s["tau_int"] * per_sweep, s["abs_magnetization"],
                 s["abs_magnetization_err"], extra))
    m, w = res["metropolis"], res["wolff"]
    print("ratio metropolis/wolff tau_int(|m|): %.1f   tau_int(e): %.1f   "
          "CPU time per independent |m| sample: %.1f"
          % (m[0]["tau_int"] / w[0]["tau_int"], m[0]["tau_int_energy"] / w[0]["tau_int_energy"],
             (m[0]["tau_int"] * m[1]) / (w[0]["tau_int"] * w[1])))
