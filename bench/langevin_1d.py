"""Benchmark: the `langevin` model on the 1-D harmonic (Ornstein-Uhlenbeck) ensemble,
10^6 particles x 1000 Euler-Maruyama steps, against the same algorithm vectorised in NumPy,
in the same script.

    /usr/bin/python3 bench/langevin_1d.py build/src/basin

Both advance M particles by x <- x - k x dt + sqrt(2 T dt) xi for S steps: basin through
`basin run` (one thread; its own ziggurat normals, time-blocked so that a block of
particles stays in cache for many steps), NumPy in place with its default PCG64 +
ziggurat normals (`standard_normal(out=z)`, `x *= r`, `z *= s`, `x += z`: no temporaries).
Reports particle-steps per second for each and the ratio basin / NumPy, by wall-clock
time and by CPU time (user + system; on a shared machine the CPU time is the steadier
measure: the wall clock also counts the time the process waited for a core). basin is
timed as the best of 3 runs, NumPy as the best of 2; basin's time includes process start,
parsing, the two recordings (moments and histogram estimators) and the JSON output. Both
final variances are printed beside the exact Euler-Maruyama variance as a sanity check.
"""
import json
import resource
import subprocess
import sys
import time

import numpy

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
M, S, DT, K, T = 1_000_000, 1000, 0.01, 1.0, 1.0


def run_basin():
    params = {"energy": {"type": "harmonic", "k": K}, "dim": 1, "particles": M, "steps": S,
              "dt": DT, "temperature": T, "seed": 1, "record_every": S}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([BASIN, "run", "langevin", "--params", "-"], input=json.dumps(params),
                         capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return elapsed, cpu, json.loads(out.stdout)["summary"]["variance"]


def run_numpy():
    rng = numpy.random.default_rng(1)
    x = numpy.zeros(M)
    z = numpy.empty(M)
    r, s = 1.0 - K * DT, numpy.sqrt(2.0 * T * DT)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(S):
        rng.standard_normal(out=z)
        x *= r
        z *= s
        x += z
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return elapsed, cpu, float(x.var(ddof=1))


def best(fn, n):
    runs = [fn() for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]


if __name__ == "__main__":
    steps = M * S
    r = 1.0 - K * DT
    v_em = 2.0 * T * DT * (1.0 - r ** (2 * S)) / (1.0 - r * r)
    tb, cb, vb = best(run_basin, 3)
    tn, cn, vn = best(run_numpy, 2)
    print("particle-steps: %d (M=%d, d=1, steps=%d); exact EM variance %.4f" % (steps, M, S, v_em))
    print("basin : wall %.3f s (%.1f M particle-steps/s), cpu %.3f s (%.1f M/s)  final variance %.4f"
          % (tb, steps / tb / 1e6, cb, steps / cb / 1e6, vb))
    print("numpy : wall %.3f s (%.1f M particle-steps/s), cpu %.3f s (%.1f M/s)  final variance %.4f"
          % (tn, steps / tn / 1e6, cn, steps / cn / 1e6, vn))
    print("ratio basin/numpy speed: %.2f (wall clock), %.2f (cpu time)" % (tn / tb, cn / cb))
