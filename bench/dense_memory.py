"""Benchmark: the dense_memory model's continuous update xi <- X softmax(beta X^T xi) for a
batch of queries, against the same computation in NumPy, in the same script.

    /usr/bin/python3 bench/dense_memory.py build/src/basin

d = 512, P = 20000 random +-1 patterns, B = 256 queries (10% of the signs of a pattern
flipped), 3 steps at beta = 1/sqrt(d), tol 0 (every step is done). Both sides compute the
same things: the scores of the start, then per step the max-shifted softmax, the update and
the new scores (energies and overlaps come from the scores): 4 score products Q X^T and 3
update products W X, each 2·B·P·d = 5.2 GFlop. Each side is timed twice, in a child process.
basin always runs OpenBLAS with one thread; a job shares its products out over its own
threads (fixed tiles of the products, one BLAS thread each, as many threads as the CPUs it may
use, the same bits for any count), in `basin run` and `basin serve` alike. It is timed with
every CPU and pinned to one CPU (taskset -c 0, so one thread). NumPy is timed with its
BLAS's default threads and with OPENBLAS_NUM_THREADS=1. Ratios, all CPUs against default
threads and one CPU against one thread:
  - end to end: one `basin run` (process start, patterns, cues, 3 steps, JSON) against
    NumPy generating the patterns and cues and doing the 3 steps;
  - per step: basin's time for 3 steps minus its time for 1 step, halved, against NumPy's
    loop of 3 steps divided by 3 (each step one softmax, one update and one score product).
Each time is the best of REPEAT runs. CPU seconds are printed too (basin: the child's user +
system time; NumPy: process_time of its loop, all threads), which a loaded machine disturbs
less than wall-clock time.
"""
import json
import os
import shutil
import resource
import subprocess
import sys
import time

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
D, P, B, STEPS = 512, 20000, 256, 3
BETA = 1.0 / D ** 0.5
REPEAT = 3

NUMPY_CHILD = r"""
import json, sys, time
import numpy
D, P, B, STEPS, BETA = %d, %d, %d, %d, %r
t0 = time.perf_counter()
rng = numpy.random.default_rng(1)
X = numpy.where(rng.random((P, D)) < 0.5, 1.0, -1.0)
Q = X[numpy.arange(B) %% P].copy()
for q in range(B):
    Q[q, rng.choice(D, D // 10, replace=False)] *= -1
t1 = time.perf_counter()
S = Q @ X.T
t1b = time.perf_counter()
c1 = time.process_time()
for _ in range(STEPS):
    A = BETA * S
    A -= A.max(axis=1, keepdims=True)
    numpy.exp(A, out=A)
    A /= A.sum(axis=1, keepdims=True)
    Q = A @ X
    S = Q @ X.T
t2 = time.perf_counter()
c2 = time.process_time()
overlap = S[numpy.arange(B), numpy.arange(B) %% P] / (numpy.linalg.norm(Q, axis=1) * D ** 0.5)
print(json.dumps({"total": t2 - t0, "steps": t2 - t1b, "cpu": c2 - c1,
                  "overlap": float(overlap.mean())}))
""" % (D, P, B, STEPS, BETA)


def basin_time(steps, threads):
    params = {"n": D, "patterns": P, "queries": B, "beta": BETA, "steps": steps, "tol": 0,
              "cue": {"pattern": 0, "flip": 0.1}, "record_every": steps, "seed": 1}
    best, best_cpu, summary = float("inf"), float("inf"), None
    cmd = [BASIN, "run", "dense_memory", "--params", "-"]
    if threads:  # one CPU: basin then starts no threads of its own
        cmd = [shutil.which("taskset") or "taskset", "-c", "0"] + cmd
    for _ in range(REPEAT):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(cmd, input=json.dumps(params), capture_output=True, text=True,
                             check=True)
        best = min(best, time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        summary = json.loads(out.stdout)["summary"]
    return best, best_cpu, summary


def numpy_time(threads):
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if threads:
        env["OPENBLAS_NUM_THREADS"] = str(threads)
    runs = []
    for _ in range(REPEAT):
        out = subprocess.run([sys.executable, "-c", NUMPY_CHILD], capture_output=True, text=True,
                             check=True, env=env)
        runs.append(json.loads(out.stdout))
    return (min(r["total"] for r in runs), min(r["steps"] for r in runs),
            min(r["cpu"] for r in runs), runs[0]["overlap"])


if __name__ == "__main__":
    print("dense_memory continuous: d=%d P=%d queries=%d steps=%d beta=%.4f"
          % (D, P, B, STEPS, BETA))
    for label, threads in (("all CPUs / default threads", None), ("1 CPU / 1 thread", 1)):
        tb, cb, sb = basin_time(STEPS, threads)
        tb1, cb1, _ = basin_time(1, threads)
        per_b, cpu_b = (tb - tb1) / (STEPS - 1), (cb - cb1) / (STEPS - 1)
        te, ts, cs, ov = numpy_time(threads)
        per_n, cpu_n = ts / STEPS, cs / STEPS
        print("basin (%s): %.3f s end to end, %.3f s per step (CPU %.3f s)  (mean final "
              "overlap %.4f)" % (label, tb, per_b, cpu_b, sb["final_overlap"]))
        print("numpy (%s): %.3f s end to end, %.3f s per step (CPU %.3f s)  (mean final "
              "overlap %.4f)" % (label, te, per_n, cpu_n, ov))
        print("ratio basin/numpy speed (%s): end to end %.2f, per step %.2f (CPU time %.2f)"
              % (label, te / tb, per_n / per_b, cpu_n / cpu_b))
