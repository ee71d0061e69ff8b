"""Benchmark: the hopfield model's Hebbian dynamics.

    /usr/bin/python3 bench/hopfield_sync.py build/src/basin

1. Synchronous sweeps, N = 4000 neurons, P = 200 random patterns, 50 sweeps, against the same
   update in NumPy (Debian's python3-numpy, whatever BLAS it is linked with, default
   threads): fields through the pattern overlaps, h = (X^T (X s) - P s)/N, then the heat bath
   s_i = +1 with probability 1/(1 + exp(-2 h_i/T)). T = 0.1 (deep in the retrieval phase) so
   that neither side stops early at a fixed point. Two ratios:
     - end to end: one `basin run` (process start, random patterns, couplings, 50 sweeps,
       energies, overlaps, JSON) against NumPy generating the same-sized patterns and cue and
       doing the 50 sweeps and the final overlaps and energy;
     - per sweep: basin's time for 501 sweeps minus its time for 1 sweep (the same job
       otherwise), divided by 500, against NumPy's 50-sweep loop alone divided by 50. (The
       difference of 50 and 1 sweeps, a few ms, drowns in the jitter of process start on a
       shared machine; 500 sweeps make it a few tens of ms.)
2. Asynchronous sweeps, N = 10000, P = 500: spin updates per second of basin (the
   difference of a 101-sweep and a 1-sweep run, at T = 0.1 so that every sweep is done),
   and the time of a 20-sweep run end to end.
Each time is the best of 15 runs (the machine may be shared: the minimum filters the noise).
basin runs with OPENBLAS_NUM_THREADS=1 in its environment: the Hebb rule makes no BLAS call,
and the variable keeps OpenBLAS from starting idle worker threads that compete for the cores
(`basin run` otherwise lets OpenBLAS use every CPU).
Besides wall-clock times the script prints CPU seconds (basin: the child's user + system
time; NumPy: process_time, all its threads), which a loaded machine disturbs less.
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
REPEAT = 15
LONG = 500  # extra sweeps of the run that measures the time per sweep


def basin_time(params):
    """Best wall and CPU seconds of `basin run` over REPEAT runs, and the summary."""
    best, best_cpu, summary = float("inf"), float("inf"), None
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for _ in range(REPEAT):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([BASIN, "run", "hopfield", "--params", "-"], input=json.dumps(params),
                             capture_output=True, text=True, check=True, env=env)
        best = min(best, time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        summary = json.loads(out.stdout)["summary"]
    return best, best_cpu, summary


def numpy_sync(N, P, sweeps, T, seed=1):
    """Returns (end-to-end time, sweep-loop time, sweep-loop CPU time, final overlap)."""
    t0 = time.perf_counter()
    rng = numpy.random.default_rng(seed)
    X = numpy.where(rng.random((P, N)) < 0.5, 1.0, -1.0)
    s = X[0].copy()
    s[rng.choice(N, N // 10, replace=False)] *= -1
    t1 = time.perf_counter()
    c1 = time.process_time()
    for _ in range(sweeps):
        h = (X.T @ (X @ s) - P * s) / N
        p_up = 1.0 / (1.0 + numpy.exp(-2.0 * h / T))
        s = numpy.where(rng.random(N) < p_up, 1.0, -1.0)
    t2 = time.perf_counter()
    c2 = time.process_time()
    m = X @ s / N
    energy = -0.5 * (N * (m @ m) - P)  # -s.Js/2 with J = X^T X/N - (P/N) I
    t3 = time.perf_counter()
    del energy
    return t3 - t0, t2 - t1, c2 - c1, float(m[0])


def best_numpy(*args):
    runs = [numpy_sync(*args) for _ in range(REPEAT)]
    return min(r[0] for r in runs), min(r[1] for r in runs), min(r[2] for r in runs), runs[0][3]


if __name__ == "__main__":
    N, P, S, T = 4000, 200, 50, 0.1
    sync = {"n": N, "patterns": P, "dynamics": "sync", "temperature": T, "max_sweeps": S,
            "record_every": S, "seed": 1}
    tb, cb, sb = basin_time(sync)
    tb1, cb1, _ = basin_time(dict(sync, max_sweeps=1, record_every=1))
    tbl, cbl, _ = basin_time(dict(sync, max_sweeps=LONG + 1, record_every=LONG + 1))
    te, tl, cl, mn = best_numpy(N, P, S, T)
    per_b, cpu_b = (tbl - tb1) / LONG, (cbl - cb1) / LONG
    per_n, cpu_n = tl / S, cl / S
    print("sync N=%d P=%d sweeps=%d T=%g" % (N, P, S, T))
    print("basin : %.4f s end to end, %.3f ms per sweep (CPU %.3f ms)  (final overlap %.4f)"
          % (tb, per_b * 1e3, cpu_b * 1e3, sb["final_overlap"]))
    print("numpy : %.4f s end to end, %.3f ms per sweep (CPU %.3f ms)  (final overlap %.4f)"
          % (te, per_n * 1e3, cpu_n * 1e3, mn))
    print("ratio basin/numpy speed: end to end %.2f, per sweep %.2f (CPU time %.2f)"
          % (te / tb, per_n / per_b, cpu_n / cpu_b if cpu_b > 0 else float("nan")))

    N, P, S = 10000, 500, 20
    asyn = {"n": N, "patterns": P, "dynamics": "async", "temperature": T, "max_sweeps": S,
            "record_every": S, "seed": 1}
    ta, ca, sa = basin_time(asyn)
    ta1, ca1, _ = basin_time(dict(asyn, max_sweeps=1, record_every=1))
    tal, cal, _ = basin_time(dict(asyn, max_sweeps=101, record_every=101))
    rate, rate_cpu = N * 100 / (tal - ta1), N * 100 / (cal - ca1)
    print("async N=%d P=%d sweeps=%d T=%g: %.1f M spin updates/s (per CPU second %.1f M; "
          "%.4f s end to end, final overlap %.4f)"
          % (N, P, S, T, rate / 1e6, rate_cpu / 1e6, ta, sa["final_overlap"]))
