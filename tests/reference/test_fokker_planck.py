"""Reference tests of the `fokker_planck` model (run through `basin run`, the worker's code
path) against SciPy: the same Scharfetter-Gummel scheme assembled with scipy.sparse and
stepped with SuperLU, the partition function by scipy.integrate.quad, the spectral gap by
scipy.linalg.eigh_tridiagonal; and against the `langevin` model's particles (Theorem 8:
the ensemble's law is the grid density).

    /usr/bin/python3 tests/reference/test_fokker_planck.py build/src/basin
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy
import scipy.integrate
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg
import scipy.special
import scipy.stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402


def basin_run(kind, params):
    """Runs `basin run kind` with params; returns (result JSON, output directory)."""
    out = tempfile.mkdtemp(prefix="basin-ref-fp-")
    r = subprocess.run([BASIN, "run", kind, "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr, r.stdout[-2000:])
    return json.loads(r.stdout), out


def series(out, name):
    data = numpy.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return data[:, 0], data[:, 1]


def double_well(x):
    return (x * x - 1.0) ** 2


def bernoulli(z):
    """B(z) = z/(e^z - 1), B(0) = 1."""
    z = numpy.asarray(z, dtype=float)
    out = numpy.ones_like(z)
    nz = numpy.abs(z) > 1e-10
    out[nz] = z[nz] / numpy.expm1(z[nz])
    out[~nz] = 1.0 - 0.5 * z[~nz]
    return out


def generator_1d(E, h, kappa, T):
    """The Scharfetter-Gummel generator A (dp/dt = A p) on cells with energies E, written
    from basin/fokker_planck.h's formulas: R_{i->i+1} = (kappa/h^2) T B((E_{i+1}-E_i)/T)."""
    z = (E[1:] - E[:-1]) / T
    a = kappa / (h * h) * T
    fwd, bwd = a * bernoulli(z), a * bernoulli(-z)       # R_{i->i+1}, R_{i+1->i}
    n = len(E)
    out = numpy.zeros(n)
    out[:-1] += fwd
    out[1:] += bwd
    A = scipy.sparse.diags([bwd, -out, fwd], [1, 0, -1], shape=(n, n), format="csc")
    return A, fwd, bwd


def test_implicit_steps_match_scipy_sparse():
    """Reference: the scheme of basin/fokker_planck.h assembled independently with
    scipy.sparse and stepped with scipy.sparse.linalg.splu (SuperLU), from the same cell
    masses of N(1, 0.2^2) (scipy.special.ndtr differences, renormalised to the grid).
    Both solve (I - dt A) p' = p exactly up to rounding; the two factorisations (LAPACK
    band LU, SuperLU) differ by a few ulps per step, so after 500 steps the densities agree
    to 1e-10 of max p."""
    T, lo, hi, n, dt = 0.5, -2.5, 2.5, 300, 0.01
    result, out = basin_run("fokker_planck", {
        "energy": {"type": "double_well"}, "temperature": T,
        "grid": {"min": lo, "max": hi, "cells": n},
        "init": {"type": "gaussian", "mean": [1.0], "std": 0.2},
        "dt": dt, "steps": 500, "record_every": 50, "snapshot_every": 250,
        "spectral_gap": False})
    h = (hi - lo) / n
    edges = lo + h * numpy.arange(n + 1)
    x = 0.5 * (edges[1:] + edges[:-1])
    A, _, _ = generator_1d(double_well(x), h, 1.0, T)
    p = numpy.diff(scipy.special.ndtr((edges - 1.0) / 0.2)) / h
    p /= p.sum() * h
    lu = scipy.sparse.linalg.splu((scipy.sparse.identity(n, format="csc") - dt * A).tocsc())
    worst = 0.0
    for step in range(1, 501):
        p = lu.solve(p)
        if step in (250, 500):
            got = numpy.load(os.path.join(out, "p@%d.npy" % step))
            assert got.shape == (1, n), got.shape
            err = numpy.max(numpy.abs(got[0] - p)) / numpy.max(p)
            worst = max(worst, err)
            assert err < 1e-10, (step, err)
    final = numpy.load(os.path.join(out, "p.npy"))[0]
    assert numpy.max(numpy.abs(final - p)) / numpy.max(p) < 1e-10
    print("  implicit steps vs SuperLU: max relative difference %.1e" % worst)


def test_free_energy_decreases_to_minus_T_log_Z():
    """Reference: -T ln Z with Z = quad(exp(-E/T)) over the real line (scipy.integrate.quad,
    absolute error ~1e-12). The discrete free energy must never increase (rounding slack
    1e-15 |F|), end at -T ln Z_h + T KL (identity up to the mass's rounding drift, 1e-10),
    and -T ln Z_h (the midpoint sum of a smooth rapidly decaying integrand over a box
    holding all but e^-55 of it) must match the quadrature to 1e-9; the mass stays 1 to
    steps x cells x eps = 3.3e-10 (each implicit step's band solve rounds each entry by a
    few eps; the observed drift is ~1e-12)."""
    T = 0.5
    Z, _ = scipy.integrate.quad(lambda x: math.exp(-double_well(x) / T), -math.inf, math.inf,
                                epsabs=1e-14, epsrel=1e-13)
    F_quad = -T * math.log(Z)
    result, out = basin_run("fokker_planck", {
        "energy": {"type": "double_well"}, "temperature": T,
        "grid": {"min": -2.5, "max": 2.5, "cells": 500},
        "init": {"type": "point", "x": [0.9]}, "dt": 0.01, "steps": 3000,
        "record_every": 10, "spectral_gap": False})
    s = result["summary"]
    _, F = series(out, "free_energy")
    _, mass = series(out, "mass")
    rises = numpy.diff(F) > 1e-15 * numpy.abs(F[:-1])
    assert not rises.any(), numpy.nonzero(rises)
    assert numpy.all(numpy.diff(F) < 0.0), "F not strictly decreasing"
    assert abs(s["free_energy"] - s["free_energy_eq"] - T * s["final_kl"]) < 1e-10, s
    assert abs(s["free_energy_eq"] - F_quad) < 1e-9, (s["free_energy_eq"], F_quad)
    assert abs(s["free_energy_quadrature"] - F_quad) < 1e-9, (s["free_energy_quadrature"], F_quad)
    assert numpy.max(numpy.abs(mass - 1.0)) < 3000 * 500 * 2.2e-16
    print("  mass drift %.1e" % numpy.max(numpy.abs(mass - 1.0)))
    print("  F_final %.12f, -T ln Z_h %.12f, scipy quad %.12f; final KL %.2e"
          % (s["free_energy"], s["free_energy_eq"], F_quad, s["final_kl"]))


def test_spectral_gap_and_kl_rate():
    """Reference: scipy.linalg.eigh_tridiagonal on the symmetrised generator
    S_ij = sqrt(R_{i->j} R_{j->i}) (similar to A, so the same spectrum): lambda_1 = -(second
    largest eigenvalue). basin's inverse iteration stops at 1e-12 relative change, LAPACK's
    tridiagonal solver is accurate to eps*||S|| (~1e-12 here): 1e-8 relative. The measured
    late KL decay rate must match 2 ln(1 + dt lambda_1)/dt to 1e-3 (the last recorded
    points are mode-1 dominated; the remaining error is KL's quadratic expansion)."""
    T, lo, hi, n, dt, kappa = 0.4, -2.5, 2.5, 400, 0.02, 1.5
    result, out = basin_run("fokker_planck", {
        "energy": {"type": "double_well"}, "temperature": T, "mobility": kappa,
        "grid": {"min": lo, "max": hi, "cells": n},
        "init": {"type": "gaussian", "mean": [-0.8], "std": 0.3},
        "dt": dt, "steps": 4000, "record_every": 100})
    h = (hi - lo) / n
    x = lo + h * (numpy.arange(n) + 0.5)
    A, fwd, bwd = generator_1d(double_well(x), h, kappa, T)
    diag = A.diagonal()
    off = numpy.sqrt(fwd * bwd)
    w = scipy.linalg.eigh_tridiagonal(diag, off, eigvals_only=True, select="i",
                                      select_range=(n - 2, n - 1))
    gap = -w[0]
    s = result["summary"]
    assert abs(w[1]) < 1e-10 * abs(diag).max(), w
    assert abs(s["spectral_gap"] / gap - 1.0) < 1e-8, (s["spectral_gap"], gap)
    predicted = 2.0 * math.log1p(dt * gap) / dt
    assert abs(s["kl_rate_predicted"] / predicted - 1.0) < 1e-8
    assert abs(s["relaxation_rate"] / predicted - 1.0) < 1e-3, (s["relaxation_rate"], predicted)
    print("  gap %.10f (scipy %.10f); KL rate %.6f vs 2 x scheme gap %.6f"
          % (s["spectral_gap"], gap, s["relaxation_rate"], predicted))


def test_two_dimensional_mixture_relaxes():
    """Reference: the exact discrete properties in 2-D with a cross-term mobility and a
    two-component Gaussian-mixture energy at T = 1 (where q_E is the mixture itself):
    mass to 1e-12 (explicit steps move each flux between two cells), p >= 0, F
    non-increasing (1e-15 |F| slack), and the final density close to the mixture density
    (scipy.stats.multivariate_normal) at the cell centres: the grid's limit is
    q_h ∝ exp(-E_i) = the mixture at the centres up to its normalisation over the box, so
    after KL < 1e-8 the two agree to 1e-3 of max q (sqrt(2 KL) bounds the L1 distance,
    Pinsker). F's slack is the rounding of a sum over 2288 cells, cells x eps ~ 5e-13 of
    the sum of |terms|: 1e-12 (1 + |F|)."""
    w = [0.4, 0.6]
    means = [[-1.0, 0.0], [1.0, 0.5]]
    covs = [[[0.3, 0.05], [0.05, 0.2]], [[0.4, -0.1], [-0.1, 0.3]]]
    result, out = basin_run("fokker_planck", {
        "dim": 2, "energy": {"type": "gaussian_mixture", "weights": w, "means": means,
                             "covs": covs},
        "mobility": [[1.0, 0.2], [0.2, 0.8]], "scheme": "explicit",
        "grid": {"min": [-3.5, -2.5], "max": [3.0, 3.0], "cells": [52, 44]},
        "init": {"type": "uniform", "low": [-1.0, -1.0], "high": [0.0, 1.0]},
        "steps": 40000, "record_every": 400})
    s = result["summary"]
    _, mass = series(out, "mass")
    _, F = series(out, "free_energy")
    assert numpy.max(numpy.abs(mass - 1.0)) < 1e-12, numpy.max(numpy.abs(mass - 1.0))
    assert s["min_p"] >= 0.0
    assert not (numpy.diff(F) > 1e-12 * (1.0 + numpy.abs(F[:-1]))).any()
    assert s["final_kl"] < 1e-8, s["final_kl"]
    p = numpy.load(os.path.join(out, "p.npy"))
    xs, ys = numpy.load(os.path.join(out, "x.npy")), numpy.load(os.path.join(out, "y.npy"))
    X, Y = numpy.meshgrid(xs, ys)
    pts = numpy.stack([X, Y], axis=-1)
    q = sum(wk * scipy.stats.multivariate_normal(mk, ck).pdf(pts)
            for wk, mk, ck in zip(w, means, covs))
    q /= q.sum() * (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert p.shape == q.shape == (44, 52)
    err = numpy.max(numpy.abs(p - q)) / q.max()
    assert err < 1e-3, err
    print("  2-D: mass drift %.1e, final KL %.1e, max |p - mixture| / max q = %.1e"
          % (numpy.max(numpy.abs(mass - 1.0)), s["final_kl"], err))


def test_langevin_histogram_matches_grid_density():
    """Reference: Theorem 8 — the `langevin` ensemble (Euler-Maruyama, dt = 1e-3, 2e5
    particles) and the `fokker_planck` grid (implicit, dt = 1e-3, 1000 cells) from the same
    initial law N(-0.7, 0.25^2) in the double well at T = 0.5, compared at t = 0.25, 0.5,
    1.5 through their snapshots. scipy.stats.chisquare of the particle counts in 50 bins
    (bins with fewer than 5 expected merged out) against 2e5 times the grid's bin masses:
    p-value above 1e-6. The schemes' O(dt) and O(h^2) errors (1e-3 of each bin's mass) shift
    chi^2 by about 0.2, negligible against its spread sqrt(2 dof) ~ 8."""
    T, lo, hi, dt, M = 0.5, -2.5, 2.5, 1e-3, 200000
    init = {"type": "gaussian", "mean": [-0.7], "std": 0.25}
    _, lout = basin_run("langevin", {
        "energy": {"type": "double_well"}, "temperature": T, "dt": dt, "particles": M,
        "steps": 1500, "record_every": 250, "snapshot_every": 250, "init": init, "seed": 5})
    _, fout = basin_run("fokker_planck", {
        "energy": {"type": "double_well"}, "temperature": T, "dt": dt,
        "grid": {"min": lo, "max": hi, "cells": 1000}, "init": init, "steps": 1500,
        "record_every": 250, "snapshot_every": 250, "spectral_gap": False})
    for step in (250, 500, 1500):
        x = numpy.load(os.path.join(lout, "positions@%d.npy" % step))[:, 0]
        p = numpy.load(os.path.join(fout, "p@%d.npy" % step))[0]
        P = p.reshape(50, 20).sum(axis=1) * (hi - lo) / 1000
        counts, _ = numpy.histogram(x, bins=50, range=(lo, hi))
        keep = M * P >= 5
        f_obs = numpy.append(counts[keep], counts[~keep].sum() + numpy.sum((x < lo) | (x >= hi)))
        f_exp = numpy.append(M * P[keep], M * (1.0 - P[keep].sum()))
        chi2, pval = scipy.stats.chisquare(f_obs, f_exp)
        print("  t = %.2f: chi2 = %.1f on %d dof, p = %.3f" % (step * dt, chi2, len(f_obs) - 1,
                                                                pval))
        assert pval > 1e-6, (step, chi2, pval)


def test_bad_input_is_refused_with_pointers():
    """Reference: models.md — bad params are refused before running (the 422 of the HTTP
    API; `basin run` exits 2 and names each JSON pointer)."""
    cases = [
        ({"dim": 2, "mobility": [[1, 2], [2, 1]]}, "/params/mobility"),
        ({"scheme": "explicit", "dt": 1.0}, "/params/dt"),
        ({"energy": {"type": "gaussian_mixture", "weights": [0.5, 0.6], "means": [[0], [1]]}},
         "/params/energy/weights"),
        ({"dim": 2, "energy": {"type": "gaussian_mixture", "covs": [[[1, 0], [0, -2]]]}},
         "/params/energy/covs/0"),
        ({"temperature": 0}, "/params/temperature"),
    ]
    for params, pointer in cases:
        r = subprocess.run([BASIN, "run", "fokker_planck", "--params", "-"],
                           input=json.dumps(params), capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.returncode, r.stderr)


run_tests(globals())
