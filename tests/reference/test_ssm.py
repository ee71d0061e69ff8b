"""Reference tests of the ssm model (S4D kernel) against NumPy, through `basin run`:
the Vandermonde kernel written with NumPy's complex exponentials, np.convolve for
y = K ∗ u, a NumPy run of the ZOH recurrence, and the DC gain formula.

    /usr/bin/python3 tests/reference/test_ssm.py build/src/basin
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402

import numpy  # noqa: E402


def run(params, expect_ok=True):
    out = tempfile.mkdtemp(prefix="basin-ssm-")
    r = subprocess.run([BASIN, "run", "ssm", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    if not expect_ok:
        return r
    assert r.returncode == 0, r.stderr
    arrays = {f[:-4]: numpy.load(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".npy")}
    return json.loads(r.stdout), arrays


def cplx(z):
    return {"re": numpy.real(z).tolist(), "im": numpy.imag(z).tolist()}


def s4d(init, N):
    n = numpy.arange(N)
    if init == "s4d_lin":
        return -0.5 + 1j * numpy.pi * n
    Ns = 2 * N
    return -0.5 + 1j * (Ns / numpy.pi) * (Ns / (2 * n + 1) - 1)


def numpy_kernel(A, B, C, dt, L):
    """K_l = 2 Re Σ_n C_n B_n (e^{dt A_n} − 1)/A_n e^{dt A_n l} with NumPy complex128."""
    dtA = dt * A
    W = C * B * (numpy.exp(dtA) - 1) / A
    return 2 * numpy.real(W @ numpy.exp(dtA[:, None] * numpy.arange(L)))


def cases():
    rng = numpy.random.default_rng(7)
    N = 64
    yield "s4d_lin", N, s4d("s4d_lin", N), numpy.ones(N), (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / numpy.sqrt(2), 0.01, 4096
    N = 16
    yield "s4d_inv", N, s4d("s4d_inv", N), numpy.ones(N), (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / numpy.sqrt(2), 0.003, 3000
    N = 8
    A = -rng.uniform(0.05, 2, N) + 1j * rng.uniform(-30, 30, N)
    yield "given", N, A, rng.standard_normal(N) + 1j * rng.standard_normal(N), rng.standard_normal(N) + 1j * rng.standard_normal(N), 0.02, 2500


def test_kernel_matches_numpy():
    # Reference: the Vandermonde formula evaluated by NumPy (np.exp on complex128, W @ V).
    # Both evaluate e^{dt A l} from the same double inputs; the difference is set by the
    # conditioning of the phase dt·Im(A)·l (up to ~8e3 rad here, whose last bit is ~1e-12),
    # so the tolerance is 1e-10 of max|K|. Also Σ_l K_l, ‖K‖₂ and the DC gain
    # −2 Re Σ C B/A against NumPy (1e-12 relative).
    for init, N, A, B, C, dt, L in cases():
        params = {"modes": N, "B": cplx(B), "C": cplx(C), "dt": dt, "length": L, "seed": 1}
        if init == "given":
            params["A"] = cplx(A)
        else:
            params["init"] = init
        res, arr = run(params)
        K = numpy_kernel(A, B, C, dt, L)
        err = numpy.abs(arr["kernel"] - K).max() / numpy.abs(K).max()
        assert err <= 1e-10, (init, err)
        s = res["summary"]
        assert abs(s["kernel_l2"] - numpy.linalg.norm(K)) <= 1e-12 * numpy.linalg.norm(K)
        dc = -2 * numpy.real(numpy.sum(C * B / A))
        assert abs(s["dc_gain"] - dc) <= 1e-12 * numpy.abs(C * B / A).sum() * 2
        assert abs(s["kernel_sum"] - K.sum()) <= 1e-12 * numpy.abs(K).sum()
        print("  %-8s N = %2d, L = %d: kernel %.1e of max|K|, dc_gain %.15g (numpy %.15g)"
              % (init, N, L, err, s["dc_gain"], dc))


def test_output_matches_numpy_convolution_and_recurrence():
    # Reference: np.convolve(K, u)[:len(u)] (direct summation) for the FFT path, to 1e-12
    # of max|y|; and the ZOH recurrence x_k = e^{dtA} x_{k−1} + B̄ u_k, y_k = 2 Re Σ C x_k
    # run in NumPy, to 1e-10 (its repeated products accumulate ~k ε).
    for init, N, A, B, C, dt, L in cases():
        rng = numpy.random.default_rng(N)
        u = rng.standard_normal(L // 2)
        params = {"modes": N, "B": cplx(B), "C": cplx(C), "dt": dt, "length": L,
                  "input": u.tolist(), "seed": 1}
        if init == "given":
            params["A"] = cplx(A)
        else:
            params["init"] = init
        res, arr = run(params)
        y = arr["y"]
        ref = numpy.convolve(arr["kernel"], u)[: len(u)]
        assert numpy.abs(y - ref).max() <= 1e-12 * numpy.abs(ref).max(), init
        z = numpy.exp(dt * A)
        Bbar = (z - 1) / A * B
        x = numpy.zeros(N, dtype=complex)
        rec = numpy.empty(len(u))
        for k, uk in enumerate(u):
            x = z * x + Bbar * uk
            rec[k] = 2 * numpy.real(C @ x)
        assert numpy.abs(y - rec).max() <= 1e-10 * numpy.abs(rec).max(), init
        assert res["summary"]["recurrence_output_error"] <= 1e-10


def test_bad_input():
    # Reference: the params contract (complex arrays as {"re", "im"}; Re A < 0).
    cases = [
        ({"A": {"re": [-1, 0.0], "im": [0, 1]}}, "/params/A/re/1"),
        ({"modes": 3, "B": {"re": [1, 1], "im": [0, 0]}}, "/params/B/re"),
        ({"input": [1, 1e300]}, "/params/input/1"),
        ({"length": 0}, "/params/length"),
    ]
    for params, pointer in cases:
        r = run(params, expect_ok=False)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.stderr)


if __name__ == "__main__":
    run_tests(globals())
