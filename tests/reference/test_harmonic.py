"""Reference tests of the `harmonic` model (run through `basin run`) against SciPy:
scipy.sparse.linalg.spsolve on the same anchored Laplace system, scipy.interpolate.
RBFInterpolator at random points, and scipy.optimize.minimize (L-BFGS-B on the split
form) for the metabolic-sparsity (lambda > 0) problem.

    /usr/bin/python3 tests/reference/test_harmonic.py build/src/basin
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy
import scipy.interpolate
import scipy.optimize
import scipy.sparse
import scipy.sparse.linalg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402


def basin_run(params):
    out = tempfile.mkdtemp(prefix="basin-ref-harmonic-")
    r = subprocess.run([BASIN, "run", "harmonic", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr, r.stdout[-2000:])
    return json.loads(r.stdout), out


def laplacian(nx, ny):
    """The operator of basin/multigrid.h: graph Laplacian of the grid, edges along the outer
    boundary of a 2-D grid weighted 1/2 (trapezoid rule)."""
    idx = numpy.arange(nx * ny).reshape(ny, nx)
    we = numpy.ones((ny, nx - 1))
    wn = numpy.ones((max(ny - 1, 0), nx))
    if ny > 1:
        we[0, :] = we[-1, :] = 0.5
        wn[:, 0] = wn[:, -1] = 0.5
    rows = numpy.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    cols = numpy.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = numpy.concatenate([we.ravel(), wn.ravel()])
    W = scipy.sparse.coo_matrix((w, (rows, cols)), shape=(nx * ny, nx * ny))
    W = (W + W.T).tocsr()
    return (scipy.sparse.diags(numpy.asarray(W.sum(axis=1)).ravel()) - W).tocsr()


def random_anchors(rng, k, nx, ny, h):
    seen, out = set(), []
    while len(out) < k:
        i, j = int(rng.integers(nx)), int(rng.integers(ny))
        if (i, j) in seen:
            continue
        seen.add((i, j))
        out.append({"x": i * h, "y": j * h, "value": float(rng.standard_normal())})
    return out


def spsolve_field(nx, ny, h, anchors, dirichlet=None):
    L = laplacian(nx, ny)
    fixed = numpy.zeros(nx * ny, bool)
    val = numpy.zeros(nx * ny)
    if dirichlet is not None:
        edge = numpy.zeros((ny, nx), bool)
        edge[:, 0] = edge[:, -1] = True
        if ny > 1:
            edge[0, :] = edge[-1, :] = True
        fixed[edge.ravel()] = True
        val[edge.ravel()] = dirichlet
    for a in anchors:
        p = round(a["y"] / h) * nx + round(a["x"] / h)
        fixed[p] = True
        val[p] = a["value"]
    free = ~fixed
    A = L[free][:, free].tocsc()
    b = -(L[free][:, fixed] @ val[fixed])
    phi = val.copy()
    phi[free] = scipy.sparse.linalg.spsolve(A, b)
    return phi.reshape(ny, nx), A


def test_spsolve_agreement():
    """Reference: scipy.sparse.linalg.spsolve (SuperLU) on the identical linear system — the
    anchored graph Laplacian assembled here in SciPy from the documented weights — for
    random anchors on 2-D grids (Neumann and Dirichlet edges) and a 1-D grid, every method.
    Tolerance: basin stops at relative residual tol = 1e-11, so its error is at most
    kappa(A) * 1e-11 * |phi| with kappa(A) <= ~1e4 on these grids (estimated below from the
    extreme eigenvalues); 1e-6 relative to max|phi| bounds it with margin (the observed
    differences are ~1e-10)."""
    rng = numpy.random.default_rng(42)
    cases = [(61, 47, 0.1, None), (61, 47, 0.1, 0.3), (400, 1, 0.01, None)]
    for nx, ny, h, dirichlet in cases:
        anchors = random_anchors(rng, 25, nx, ny, h)
        ref, A = spsolve_field(nx, ny, h, anchors, dirichlet)
        lmax = scipy.sparse.linalg.eigsh(A, k=1, which="LA", return_eigenvectors=False)[0]
        lmin = scipy.sparse.linalg.eigsh(A, k=1, sigma=0, which="LM", return_eigenvectors=False)[0]
        kappa = lmax / lmin
        assert kappa < 1e5, kappa
        for method, pc in [("cg", "multigrid"), ("cg", "ssor"), ("multigrid", "multigrid"),
                           ("sor", "multigrid")]:
            params = {"nx": nx, "ny": ny, "h": h, "anchors": anchors, "method": method,
                      "preconditioner": pc, "tol": 1e-11, "max_iter": 200000}
            if dirichlet is not None:
                params.update(boundary="dirichlet", boundary_value=dirichlet)
            result, out = basin_run(params)
            phi = numpy.load(os.path.join(out, "phi.npy"))
            err = numpy.max(numpy.abs(phi - ref)) / numpy.max(numpy.abs(ref))
            assert result["summary"]["converged"], (method, result["summary"])
            assert err < 1e-6, (nx, ny, method, pc, err)
        print("  %dx%d %s: kappa %.0f, last max rel diff %.1e (%d iterations)"
              % (nx, ny, "dirichlet" if dirichlet is not None else "neumann", kappa, err,
                 result["summary"]["iterations"]))


def rbf_system(points, values, kernel, epsilon, degree):
    """The lhs of scipy's RBFInterpolator system, rebuilt in NumPy (for its condition
    number only)."""
    phi = {"thin_plate_spline": lambda r: numpy.where(r > 0, r * r * numpy.log(numpy.maximum(r, 1e-300)), 0.0),
           "gaussian": lambda r: numpy.exp(-r * r),
           "multiquadric": lambda r: -numpy.sqrt(1 + r * r),
           "inverse_multiquadric": lambda r: 1 / numpy.sqrt(1 + r * r)}[kernel]
    y = points * epsilon
    K = phi(numpy.linalg.norm(y[:, None, :] - y[None, :, :], axis=2))
    lo, hi = points.min(0), points.max(0)
    shift, scale = (hi + lo) / 2, (hi - lo) / 2
    yh = (points - shift) / scale
    P = numpy.column_stack([yh[:, 0] ** a * yh[:, 1] ** (d - a)
                            for d in range(degree + 1) for a in range(d, -1, -1)]) if degree >= 0 else numpy.zeros((len(points), 0))
    m = P.shape[1]
    return numpy.block([[K, P], [P.T, numpy.zeros((m, m))]])


def test_rbf_matches_scipy():
    """Reference: scipy.interpolate.RBFInterpolator (global, neighbors=None) with the same
    kernel, epsilon, degree and smoothing, evaluated at the grid nodes and at 500 random
    points. basin solves the same system with LAPACK dgesv; the two LU factorisations
    differ only in rounding, so the coefficients agree to ~kappa * 1e-16 relative and the
    values to that times sum|a_j phi_j|. Tolerance: 1e-14 * kappa(lhs) * max|d| (kappa from
    numpy.linalg.cond of the system rebuilt here), floored at 1e-10."""
    rng = numpy.random.default_rng(7)
    n = 150
    pts = rng.random((n, 2)) * [8.0, 6.0]
    vals = numpy.sin(pts[:, 0]) * numpy.cos(0.7 * pts[:, 1]) + 0.1 * pts[:, 0]
    evalp = rng.random((500, 2)) * [8.0, 6.0]
    nx, ny, h = 33, 25, 0.25
    gx, gy = numpy.meshgrid(numpy.arange(nx) * h, numpy.arange(ny) * h)
    grid = numpy.column_stack([gx.ravel(), gy.ravel()])
    cases = [("thin_plate", "thin_plate_spline", 1.0, None, 0.0),
             ("gaussian", "gaussian", 1.3, None, 0.0),
             ("multiquadric", "multiquadric", 0.8, None, 0.0),
             ("inverse_multiquadric", "inverse_multiquadric", 1.1, 1, 0.0),
             ("thin_plate", "thin_plate_spline", 2.0, 2, 0.01)]
    for ours, theirs, eps, degree, smoothing in cases:
        params = {"nx": nx, "ny": ny, "h": h, "method": "rbf", "kernel": ours, "epsilon": eps,
                  "smoothing": smoothing,
                  "anchors": [{"x": float(x), "y": float(y), "value": float(v)}
                              for (x, y), v in zip(pts, vals)],
                  "points": evalp.tolist()}
        if degree is not None:
            params["degree"] = degree
        result, out = basin_run(params)
        deg = result["params"]["degree"]
        interp = scipy.interpolate.RBFInterpolator(pts, vals, kernel=theirs, epsilon=eps,
                                                   degree=deg, smoothing=smoothing)
        kappa = numpy.linalg.cond(rbf_system(pts, vals, theirs, eps, deg))
        tol = max(1e-10, 1e-14 * kappa * numpy.max(numpy.abs(vals)))
        phi = numpy.load(os.path.join(out, "phi.npy")).ravel()
        at = numpy.load(os.path.join(out, "phi_points.npy"))
        e1 = numpy.max(numpy.abs(phi - interp(grid)))
        e2 = numpy.max(numpy.abs(at - interp(evalp)))
        assert e1 < tol and e2 < tol, (ours, kappa, e1, e2, tol)
        print("  %s eps %.1f degree %d: kappa %.1e, max diff %.1e (tolerance %.1e)"
              % (ours, eps, deg, kappa, max(e1, e2), tol))


def test_admm_matches_lbfgsb():
    """Reference: scipy.optimize.minimize (L-BFGS-B) on the split form of the
    metabolic-sparsity problem min 1/2 phi'A phi + sum kappa_p |phi_p| over the free nodes
    (phi = p - q, p, q >= 0, a smooth bound-constrained problem with the same minimiser),
    kappa_p = lambda h^2 t_p c_p (basin/harmonic.h). basin's ADMM at tol 1e-9 against
    L-BFGS-B at ftol/gtol 1e-14: objectives agree to 1e-6 relative (L-BFGS-B's own
    accuracy on this condition number) and fields to 1e-3 of max|phi| (the objective is
    flat along near-degenerate directions, so fields agree to about the square root of the
    objective gap)."""
    rng = numpy.random.default_rng(3)
    nx, ny, h, lam = 24, 18, 0.2, 2.0
    anchors = random_anchors(rng, 6, nx, ny, h)
    cost = 1.0 + rng.random(nx * ny)
    result, out = basin_run({"nx": nx, "ny": ny, "h": h, "anchors": anchors, "lambda": lam,
                             "cost": cost.tolist(), "tol": 1e-9, "max_iter": 20000})
    assert result["summary"]["converged"], result["summary"]
    phi_b = numpy.load(os.path.join(out, "phi.npy")).ravel()
    L = laplacian(nx, ny)
    fixed = numpy.zeros(nx * ny, bool)
    val = numpy.zeros(nx * ny)
    for a in anchors:
        p = round(a["y"] / h) * nx + round(a["x"] / h)
        fixed[p] = True
        val[p] = a["value"]
    free = ~fixed
    t = numpy.ones((ny, nx))
    t[:, 0] *= 0.5
    t[:, -1] *= 0.5
    t[0, :] *= 0.5
    t[-1, :] *= 0.5
    kappa = (lam * h * h * t.ravel() * cost)[free]
    A = L[free][:, free].tocsr()
    b = -(L[free][:, fixed] @ val[fixed])
    c0 = 0.5 * val[fixed] @ (L[fixed][:, fixed] @ val[fixed])
    m = free.sum()

    def f(z):
        x = z[:m] - z[m:]
        Ax = A @ x
        obj = 0.5 * x @ Ax - b @ x + kappa @ (z[:m] + z[m:])
        g = Ax - b
        return obj, numpy.concatenate([g + kappa, -g + kappa])

    res = scipy.optimize.minimize(f, numpy.zeros(2 * m), jac=True, method="L-BFGS-B",
                                  bounds=[(0, None)] * (2 * m),
                                  options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 100000,
                                           "maxfun": 200000})
    x_ref = res.x[:m] - res.x[m:]
    obj_ref = res.fun + c0
    xb = phi_b[free]
    obj_b = 0.5 * xb @ (A @ xb) - b @ xb + kappa @ numpy.abs(xb) + c0
    # the model's objective summary is the whole functional (h^(d-2) = 1 in 2-D), whose
    # l1 part also counts the anchors (a constant)
    anchor_l1 = numpy.sum((lam * h * h * t.ravel() * cost)[fixed] * numpy.abs(val[fixed]))
    whole = obj_b + anchor_l1
    assert abs(result["summary"]["objective"] - whole) < 1e-9 * abs(whole), (result["summary"], whole)
    assert obj_b <= obj_ref + 1e-6 * abs(obj_ref), (obj_b, obj_ref)
    assert abs(obj_b - obj_ref) < 1e-6 * abs(obj_ref), (obj_b, obj_ref)
    diff = numpy.max(numpy.abs(xb - x_ref)) / numpy.max(numpy.abs(val))
    assert diff < 1e-3, diff
    print("  objective basin %.12f vs L-BFGS-B %.12f; field max diff %.1e; zeros %d of %d"
          % (obj_b, obj_ref, diff, int(numpy.sum(xb == 0)), m))


def test_bad_input_is_refused_with_pointers():
    """Reference: models.md — bad params are refused before running with a JSON pointer per
    problem (the HTTP API's 422; `basin run` exits 2)."""
    cases = [
        ({"nx": 9, "ny": 9, "anchors": [{"x": 10, "y": 0, "value": 1}]}, "/params/anchors/0/x"),
        ({"nx": 9, "ny": 9, "anchors": [{"x": 1, "y": 1, "value": 1},
                                        {"x": 1, "y": 1, "value": 2}]}, "/params/anchors/1"),
        ({"nx": 4, "ny": 3, "lambda": 1, "cost": [1, 2, 3]}, "/params/cost"),
        ({"nx": 4000, "ny": 4000}, "/params/nx"),
        ({"anchors": [{"x": 1, "y": 1, "value": 1e300}]}, "/params/anchors/0/value"),
    ]
    for params, pointer in cases:
        r = subprocess.run([BASIN, "run", "harmonic", "--params", "-"],
                           input=json.dumps(params), capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.returncode, r.stderr)


run_tests(globals())
