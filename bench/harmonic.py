"""Benchmark: the harmonic model's anchored Laplace solve (method cg, multigrid
preconditioner) against scipy.sparse.linalg.spsolve on the same linear system, in the same
script.

    /usr/bin/python3 bench/harmonic.py build/src/basin [--spsolve-max N]

For each grid n x n (n = 513, 1025) with 200 anchors at the same relative positions (seeded
uniform points rounded to nodes, values N(0, 1)) and a free (Neumann) outer edge, basin
solves to relative residual 1e-8 through `basin run` (one thread; the time includes process
start, parsing and writing the field as NPY) and SciPy solves the identical system (the
graph Laplacian of basin/multigrid.h, boundary edges weighted 1/2, restricted to the free
nodes; SuperLU via spsolve, COLAMD ordering). Reports both times, their ratio, basin's
iteration count and the largest difference between the two fields. spsolve on 1025 x 1025
takes minutes: --spsolve-max 513 skips it on the larger grid (the ratio is then not
printed for it). A last pair of lines runs basin alone with the anchors grown into blocks
of a fixed physical size (side (n - 1)/128 nodes), the refinement of one continuous
problem, whose iteration count is the same on both grids.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy
import scipy.sparse
import scipy.sparse.linalg

BASIN = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "build/src/basin"
SPSOLVE_MAX = 1025
if "--spsolve-max" in sys.argv:
    SPSOLVE_MAX = int(sys.argv[sys.argv.index("--spsolve-max") + 1])
N_ANCHORS, TOL = 200, 1e-8


def anchors(n):
    rng = numpy.random.default_rng(5)
    u = rng.random((N_ANCHORS, 2))
    vals = rng.standard_normal(N_ANCHORS)
    ij = numpy.rint(u * (n - 1)).astype(int)
    seen, out = set(), []
    for (i, j), v in zip(ij, vals):
        if (i, j) not in seen:
            seen.add((i, j))
            out.append((int(i), int(j), float(v)))
    return out


def anchor_blocks(n):
    """The same 200 positions as anchors(n), each a block of side (n - 1)/128 nodes: anchors
    of a fixed physical size, so that the grids discretise one continuous problem."""
    rng = numpy.random.default_rng(5)
    u = rng.random((N_ANCHORS, 2))
    vals = rng.standard_normal(N_ANCHORS)
    b = (n - 1) // 128
    ij = numpy.rint(u * (n - 1 - b)).astype(int)
    seen, out = set(), []
    for (i0, j0), v in zip(ij, vals):
        for j in range(j0, j0 + b):
            for i in range(i0, i0 + b):
                if (i, j) not in seen:
                    seen.add((i, j))
                    out.append((int(i), int(j), float(v)))
    return out


def laplacian(n):
    """The graph Laplacian of an n x n grid, edges along the outer boundary weighted 1/2."""
    idx = numpy.arange(n * n).reshape(n, n)
    we = numpy.ones((n, n - 1))
    we[0, :] = we[-1, :] = 0.5
    wn = numpy.ones((n - 1, n))
    wn[:, 0] = wn[:, -1] = 0.5
    rows = numpy.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    cols = numpy.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = numpy.concatenate([we.ravel(), wn.ravel()])
    W = scipy.sparse.coo_matrix((w, (rows, cols)), shape=(n * n, n * n))
    W = (W + W.T).tocsr()
    return (scipy.sparse.diags(numpy.asarray(W.sum(axis=1)).ravel()) - W).tocsr()


def run_basin(n, anc):
    params = {"nx": n, "ny": n, "h": 1.0, "method": "cg", "preconditioner": "multigrid",
              "tol": TOL, "anchors": [{"x": i, "y": j, "value": v} for i, j, v in anc]}
    out = tempfile.mkdtemp(prefix="basin-bench-harmonic-")
    t0 = time.perf_counter()
    r = subprocess.run([BASIN, "run", "harmonic", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t0
    summary = json.loads(r.stdout)["summary"]
    phi = numpy.load(os.path.join(out, "phi.npy"))
    return elapsed, summary, phi


def run_spsolve(n, anc):
    L = laplacian(n)
    fixed = numpy.zeros(n * n, bool)
    val = numpy.zeros(n * n)
    for i, j, v in anc:
        fixed[j * n + i] = True
        val[j * n + i] = v
    free = ~fixed
    A = L[free][:, free].tocsc()
    b = -(L[free][:, fixed] @ val[fixed])
    t0 = time.perf_counter()
    x = scipy.sparse.linalg.spsolve(A, b)
    elapsed = time.perf_counter() - t0
    phi = val.copy()
    phi[free] = x
    return elapsed, phi.reshape(n, n)


if __name__ == "__main__":
    for n in (513, 1025):
        anc = anchors(n)
        tb, s, phi_b = min((run_basin(n, anc) for _ in range(3)), key=lambda t: t[0])
        line = ("harmonic %dx%d, %d anchors, tol %.0e: basin %.3f s (%d iterations, %d levels)"
                % (n, n, len(anc), TOL, tb, s["iterations"], s["mg_levels"]))
        if n <= SPSOLVE_MAX:
            ts, phi_s = run_spsolve(n, anc)
            diff = numpy.max(numpy.abs(phi_b - phi_s))
            line += "; spsolve %.2f s; ratio spsolve/basin %.1f; max |diff| %.1e" % (ts, ts / tb, diff)
        print(line, flush=True)
    # Point anchors lose capacity like 1/log(1/h) as the grid is refined, so their counts
    # may creep up by one; anchors of a fixed physical size show the h-independence.
    for n in (513, 1025):
        tb, s, _ = run_basin(n, anchor_blocks(n))
        print("harmonic %dx%d, 200 anchor blocks of side %d nodes: basin %.3f s (%d iterations)"
              % (n, n, (n - 1) // 128, tb, s["iterations"]), flush=True)
