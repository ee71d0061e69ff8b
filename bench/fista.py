"""Benchmark: the sparse_code model's FISTA against scikit-learn's Lasso (coordinate
descent) on the same 256×2048 Gaussian problem, both run to the same duality gap.

    /usr/bin/python3 bench/fista.py build/src/basin

The problem — a seeded Gaussian dictionary with unit-norm columns, a 20-sparse code and
noise 0.01 — is drawn once by basin (`basin run --out`), and scikit-learn gets the very
same D and a. For λ = λ_max/10, /100, /1000 both stop at a duality gap ≤ 1e-6·‖a‖²
(scikit-learn's own criterion, gap < tol·‖y‖², which basin's `tol` reproduces); the full
duality gap of each final code is then recomputed here with NumPy, so both are held to the
same certificate. Times are the best of 9, one thread each (OPENBLAS_NUM_THREADS=1).

What each time covers — the two sides do not pay for the same things:
  basin end to end   the whole process: start-up (loading its shared libraries, a fixed
                     ~6–10 ms printed as `process start-up`, the time of `basin version`),
                     drawing the 512K-entry dictionary and the signal, the solve, the
                     artifacts (in memory: no --out) and the JSON;
  basin solve only   the run minus the same run at λ = λ_max (identical options and
                     set-up, z = 0 certified at iteration 0), the two run alternately;
  sklearn fit        `Lasso.fit` alone, in a warm interpreter, on basin's D and a already
                     prepared (Fortran-ordered): it is given the problem for free;
  NumPy set-up       what the fit is spared: drawing a problem of the same size and law
                     with NumPy (default_rng, unit-norm columns, sparse code, noise), so
                     that set-up + fit is the Python counterpart of basin's end-to-end job
                     (still without an interpreter start).
So three ratios are printed: end to end against the fit alone (the Python side gets D
free and pays no start-up: the comparison basin is least favoured by), end to end against
set-up + fit, and solve only against the fit. FISTA runs with the adaptive restart and
working sets (`restart: adaptive`, `working_set: true`); the plain FISTA (the model's
defaults) is printed for reference.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402

BASIN = sys.argv[1] if len(sys.argv) > 1 else "build/src/basin"
N, M, TOL = 256, 2048, 1e-6
BASE = {"dictionary": "gaussian", "length": N, "atoms": M, "sparsity": 20, "noise": 0.01,
        "seed": 3, "max_iter": 1000000, "record_every": 1000000, "tol": TOL}


def basin(params, out=None):
    args = [BASIN, "run", "sparse_code", "--params", "-"] + (["--out", out] if out else [])
    t0 = time.perf_counter()
    r = subprocess.run(args, input=json.dumps(params), capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, json.loads(r.stdout)


def best(fn, n=9):
    runs = [fn() for _ in range(n)]
    return min(r[0] for r in runs), runs[0][1]


def start_up():
    t0 = time.perf_counter()
    subprocess.run([BASIN, "version"], capture_output=True, check=True)
    return time.perf_counter() - t0, None


def numpy_setup():
    """The problem drawn with NumPy: what scikit-learn's fit is given for free."""
    t0 = time.perf_counter()
    rng = numpy.random.default_rng(3)
    Dn = rng.standard_normal((M, N)).T  # Fortran-ordered N×M, as the fit wants it
    Dn /= numpy.sqrt(numpy.einsum("ij,ij->j", Dn, Dn))
    support = rng.choice(M, BASE["sparsity"], replace=False)
    amp = (1.0 + rng.random(BASE["sparsity"])) * rng.choice((-1.0, 1.0), BASE["sparsity"])
    a_np = Dn[:, support] @ amp + BASE["noise"] * rng.standard_normal(N)
    return time.perf_counter() - t0, a_np


def gap(D, a, z, lam):
    """The full Lasso duality gap of z over ‖a‖² (scikit-learn's dual point)."""
    r = a - D @ z
    primal = 0.5 * r @ r + lam * numpy.abs(z).sum()
    c = min(1.0, lam / numpy.abs(D.T @ r).max())
    return (primal - (c * (a @ r) - 0.5 * c * c * (r @ r))) / (a @ a)


if __name__ == "__main__":
    out = tempfile.mkdtemp(prefix="bench-fista-")
    _, res = basin(dict(BASE, **{"lambda": 1e9}), out)
    lmax = res["summary"]["lambda_max"]
    D = numpy.asfortranarray(numpy.load(os.path.join(out, "atoms.npy")).T)
    a = numpy.load(os.path.join(out, "signal.npy"))
    FAST = dict(BASE, **{"restart": "adaptive", "working_set": True})
    t_setup, _ = best(lambda: basin(dict(FAST, **{"lambda": lmax})))
    t_start, _ = best(start_up)
    t_np, _ = best(numpy_setup)
    print("problem: %dx%d Gaussian dictionary, 20-sparse code, noise 0.01; stop at duality gap "
          "<= %g |a|^2; basin process start-up %.1f ms, set-up (run at lambda_max) %.1f ms; "
          "NumPy set-up %.1f ms" % (N, M, TOL, t_start * 1e3, t_setup * 1e3, t_np * 1e3))
    for div in (10, 100, 1000):
        lam = lmax / div
        fast = dict(FAST, **{"lambda": lam})
        # the set-up twin and the solve alternate, so both minima see the same conditions
        runs = [(basin(dict(FAST, **{"lambda": lmax}))[0], basin(fast, None)) for _ in range(9)]
        t_setup = min(t_setup, min(r[0] for r in runs))
        tb, rb = min(r[1][0] for r in runs), runs[0][1][1]
        tp, rp = best(lambda: basin(dict(BASE, **{"lambda": lam})))
        _, rz = basin(fast, out)
        z = numpy.load(os.path.join(out, "z.npy"))

        def fit():
            t0 = time.perf_counter()
            model = Lasso(alpha=lam / N, fit_intercept=False, tol=TOL, max_iter=1000000)
            model.fit(D, a)
            return time.perf_counter() - t0, model

        ts, sk = best(fit)
        gb, gs = gap(D, a, z, lam), gap(D, a, sk.coef_, lam)
        solve = tb - t_setup
        print("lambda_max/%-4d basin FISTA %7.1f ms (solve %s, %4d it, gap %.1e) | "
              "plain FISTA %7.1f ms (%5d it) | sklearn fit %7.1f ms (%4d epochs, gap %.1e) | "
              "speed ratio sklearn/basin: end-to-end %.2f against the fit, %.2f against "
              "set-up + fit; solve-only %s"
              % (div, tb * 1e3, "%6.1f ms" % (solve * 1e3) if solve > 0 else "below noise",
                 rb["summary"]["iterations"], gb, tp * 1e3, rp["summary"]["iterations"],
                 ts * 1e3, sk.n_iter_, gs, ts / tb, (t_np + ts) / tb,
                 "%.2f" % (ts / solve) if solve > 0 else "n/a"))
