"""Reference tests of the sparse_code model against scikit-learn (Lasso, orthogonal_mp),
SciPy (the DCT-II) and PyWavelets (the Haar transform), through `basin run` — the
worker's code path. Bad input is checked through `basin run` and through a live server
(422 problems with JSON pointers).

    /usr/bin/python3 tests/reference/test_sparse_code.py build/src/basin

scikit-learn's Lasso minimises (1/(2n))‖y − Xw‖² + α‖w‖₁, which is our
½‖a − Dz‖² + λ‖z‖₁ divided by n with α = λ/n; its stopping rule, duality gap < tol·‖y‖²,
is ours too (gap ≤ tol·‖a‖²).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, Server, run_tests  # noqa: E402

import numpy  # noqa: E402
import pywt  # noqa: E402
import scipy.fft  # noqa: E402
from sklearn.linear_model import Lasso, orthogonal_mp  # noqa: E402

BASE = {"length": 64, "atoms": 256, "sparsity": 5, "noise": 0.01, "seed": 11,
        "max_iter": 1000000, "record_every": 1000000}


def run(params, expect_ok=True):
    """Runs sparse_code; returns (result JSON, {artifact: array})."""
    out = tempfile.mkdtemp(prefix="basin-sc-")
    r = subprocess.run([BASIN, "run", "sparse_code", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    if not expect_ok:
        return r
    assert r.returncode == 0, r.stderr
    arrays = {f[:-4]: numpy.load(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".npy")}
    return json.loads(r.stdout), arrays


def problem():
    """The seeded 64×256 Gaussian problem: D (64×256), a, λ_max."""
    res, arr = run(dict(BASE, **{"lambda": 1e9}))
    D, a = arr["atoms"].T, arr["signal"]
    return D, a, res["summary"]["lambda_max"]


def objective(D, a, z, lam):
    r = a - D @ z
    return 0.5 * r @ r + lam * numpy.abs(z).sum()


def test_lasso_objective_matches_sklearn():
    # Reference: sklearn.linear_model.Lasso(alpha=λ/n, fit_intercept=False). Both sides are
    # driven to a duality gap ≤ 1e-14·‖a‖² (≈ 1e-13 of the objective here), so the two
    # objectives must agree to 1e-9 relative with a wide margin, and each reported
    # objective must equal the one recomputed by NumPy from z (1e-12: a sum of 64 squares
    # and 256 absolute values).
    D, a, lmax = problem()
    n = D.shape[0]
    assert abs(lmax - numpy.abs(D.T @ a).max()) <= 1e-12 * lmax
    for frac in (0.3, 0.1, 0.01):
        lam = frac * lmax
        sk = Lasso(alpha=lam / n, fit_intercept=False, tol=1e-14, max_iter=1000000).fit(D, a)
        ref = objective(D, a, sk.coef_, lam)
        for variant in ({"method": "fista"}, {"method": "ista"},
                        {"method": "fista", "restart": "adaptive", "working_set": True},
                        {"method": "ista", "working_set": True}):
            res, arr = run(dict(BASE, **variant, **{"lambda": lam, "tol": 1e-14}))
            got = res["summary"]["objective"]
            assert abs(got - ref) <= 1e-9 * ref, (frac, variant, got, ref)
            assert abs(objective(D, a, arr["z"], lam) - got) <= 1e-12 * got
            assert res["summary"]["converged"] is True
            assert res["summary"]["nnz"] == int(numpy.count_nonzero(arr["z"]))
            print("  lambda = %.2f lambda_max, %-55s objective %.15g, sklearn %.15g (rel %.1e)"
                  % (frac, json.dumps(variant), got, ref, abs(got - ref) / ref))


def test_zero_code_iff_lambda_at_least_lambda_max():
    # Reference: the Lasso's KKT conditions — z = 0 is optimal iff ‖Dᵀa‖_∞ ≤ λ, computed
    # here by NumPy; basin must then return z exactly 0 at iteration 0 with gap 0, and
    # scikit-learn agrees (coef_ all zero). Just below λ_max the code is nonzero.
    D, a, _ = problem()
    n = D.shape[0]
    lmax = float(numpy.abs(D.T @ a).max())
    for lam in (lmax, lmax * (1 + 1e-9), 3 * lmax):
        for variant in ({"method": "fista"}, {"method": "ista", "working_set": True}):
            res, arr = run(dict(BASE, **variant, **{"lambda": lam}))
            assert not numpy.any(arr["z"]), (lam, variant)
            assert res["summary"]["iterations"] == 0 and res["summary"]["gap"] == 0.0
        sk = Lasso(alpha=lam / n, fit_intercept=False, tol=1e-12).fit(D, a)
        assert not numpy.any(sk.coef_)
    res, arr = run(dict(BASE, **{"lambda": lmax * (1 - 1e-3)}))
    assert numpy.count_nonzero(arr["z"]) >= 1


def test_omp_matches_sklearn_and_recovers_support():
    # Reference: sklearn.linear_model.orthogonal_mp(D, a, n_nonzero_coefs=k) (Cholesky
    # OMP). For noiseless 5-sparse signals both recover the support exactly and the
    # coefficients to rounding (1e-10); with noise and k = 8 the greedy paths coincide and
    # the coefficients agree to 1e-10 (two least-squares solves of the same 8 atoms).
    for seed in (1, 2, 3, 4):
        res, arr = run(dict(BASE, **{"method": "omp", "noise": 0.0, "k": 5, "seed": seed}))
        D, a, z, z0 = arr["atoms"].T, arr["signal"], arr["z"], arr["z_true"]
        assert set(numpy.flatnonzero(z)) == set(numpy.flatnonzero(z0)), seed
        sk = orthogonal_mp(D, a, n_nonzero_coefs=5)
        assert numpy.abs(z - sk).max() <= 1e-10 and numpy.abs(z - z0).max() <= 1e-10
        assert res["summary"]["support_recall"] == 1.0
        res, arr = run(dict(BASE, **{"method": "omp", "noise": 0.05, "k": 8, "seed": seed,
                                     "tol": 0}))
        sk = orthogonal_mp(arr["atoms"].T, arr["signal"], n_nonzero_coefs=8)
        assert numpy.abs(arr["z"] - sk).max() <= 1e-10, seed


def test_dct_and_haar_dictionaries():
    # Reference: scipy.fft.dct(·, type=2, norm="ortho") — for atoms = length the dct
    # dictionary's atoms are the rows of the orthonormal DCT-II matrix; PyWavelets'
    # periodic Haar transform — Dᵀa = pywt.wavedec(a, "haar", "periodization") in wavedec
    # order. Tolerance 1e-13: sums of 32 products of O(1) numbers.
    res, arr = run({"dictionary": "dct", "length": 32, "atoms": 32, "seed": 1, "lambda": 1e9})
    C = scipy.fft.dct(numpy.eye(32), type=2, norm="ortho", axis=0)
    assert numpy.abs(arr["atoms"] - C).max() <= 1e-13
    res, arr = run({"dictionary": "dct", "length": 20, "atoms": 50, "seed": 1, "lambda": 1e9})
    i, j = numpy.meshgrid(numpy.arange(20), numpy.arange(50))
    ref = numpy.cos(numpy.pi * j * (2 * i + 1) / 100)
    ref /= numpy.linalg.norm(ref, axis=1, keepdims=True)
    assert numpy.abs(arr["atoms"] - ref).max() <= 1e-13
    res, arr = run({"dictionary": "haar", "length": 32, "seed": 2, "lambda": 1e9})
    coeffs = numpy.concatenate(pywt.wavedec(arr["signal"], "haar", mode="periodization"))
    assert numpy.abs(arr["atoms"] @ arr["signal"] - coeffs).max() <= 1e-13


def test_bad_input_cli():
    # Reference: models.md's params contract; `basin run` exits 2 and names each pointer.
    # JSON itself carries no NaN/Inf: an overflowing literal is refused by the JSON parser,
    # and a finite value beyond the documented bound by the model, with its pointer.
    cases = [
        ({"dictionary": [[1, 0], [0, 1]], "signal": [1, 2, 3]}, "/params/signal"),
        ({"method": "omp", "atoms": 20, "k": 21}, "/params/k"),
        ({"dictionary": "haar", "length": 48}, "/params/length"),
        ({"signal": [1.0, 1e300]}, "/params/signal/1"),
    ]
    for params, pointer in cases:
        r = run(params, expect_ok=False)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.stderr)
    r = subprocess.run([BASIN, "run", "sparse_code", "--params", "-"], input='{"signal": [1e999]}',
                       capture_output=True, text=True)
    assert r.returncode == 2 and "invalid JSON" in r.stderr, r.stderr


def test_bad_input_http_422():
    # Reference: api.md — a rejected submit is 422 application/problem+json with one
    # {pointer, message} per offending value.
    srv = Server().start()
    try:
        status, _, body = srv.submit("sparse_code", {"dictionary": [[1, 0], [0, 1]],
                                                     "signal": [1, 2, 3], "k": 5,
                                                     "method": "omp"})
        assert status == 422, (status, body)
        pointers = {e["pointer"] for e in body["errors"]}
        assert {"/params/signal", "/params/k"} <= pointers, body
        status, _, body = srv.submit("sparse_code", {"length": 4096, "atoms": 4096,
                                                     "max_iter": 10000000})
        assert status == 422 and body["code"] == "resource_limit", body
        status, _, body = srv.submit("sparse_code", {"lambda": 0.1, "seed": 3}, wait=30)
        assert status in (200, 201, 202), (status, body)
    finally:
        srv.stop()


if __name__ == "__main__":
    run_tests(globals())
