"""Reference test: the `normnet` model against a NumPy transcription of the network of
normalization-network-question.txt, 10 updates, run through `basin run` (the worker's code
path) with --out, reading the CSV series and NPY artifacts back.

    /usr/bin/python3 tests/reference/test_normnet.py build/src/basin

The transcription follows the question line by line:
    r = g([c b]^T [f(theta); 1]),  g(x) = max(x, 0)^2
    R = r^T diag(sigma^2 1 + W r / n)^{-1}
    W_{t+1} = W_t + alpha (R^T R - C) + beta (W_t - C),   W_0 = 1,  C = R_0^T R_0
with the tuning curves of the model, f_i(theta) = c0 + (1 - c0) exp(kappa (cos(theta -
2 pi i / n) - 1)). Tolerance 1e-12 (relative to the largest entry): the two
implementations differ only in the summation order of W r (OpenBLAS dgemv against NumPy's
matmul), a few roundings of 1e-16 per update, which ten updates with |alpha|, |beta| <= 1
cannot amplify beyond ~1e-14.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402

import numpy  # noqa: E402

TOL = 1e-12


def basin_run(params):
    out = tempfile.mkdtemp(prefix="basin-normnet-")
    r = subprocess.run([BASIN, "run", "normnet", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout), out


def read_series(out, name):
    data = numpy.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return data[:, 0].astype(int), data[:, 1]


def tuning(n, c0, kappa, theta):
    """F[j, i] = f_i(theta_j): the k x n matrix f(theta) of the question."""
    phi = 2.0 * numpy.pi * numpy.arange(n) / n
    return c0 + (1.0 - c0) * numpy.exp(kappa * (numpy.cos(numpy.asarray(theta)[:, None] - phi[None, :]) - 1.0))


def transcription(p, stimuli):
    """Returns W after each update, and per update ||dW||, ||W - C||, ||R^T R - C||."""
    n, alpha, beta, b, sigma = p["n"], p["alpha"], p["beta"], p["b"], p["sigma"]

    def r_of(c, theta):
        F = tuning(n, p["c0"], p["kappa"], theta)                   # k x n
        x = numpy.concatenate([c, [b]]) @ numpy.vstack([F, numpy.ones(n)])
        return numpy.maximum(x, 0.0) ** 2

    def R_of(W, r):
        return r / (sigma ** 2 + W @ r / n)

    W = numpy.ones((n, n))
    R0 = R_of(W, r_of(*stimuli[0]))
    C = numpy.outer(R0, R0)
    norms, Ws = [], []
    for t in range(p["steps"]):
        c, theta = stimuli[t % len(stimuli)]
        R = R_of(W, r_of(c, theta))
        RR = numpy.outer(R, R)
        dW = alpha * (RR - C) + beta * (W - C)
        norms.append((numpy.linalg.norm(dW), numpy.linalg.norm(W - C), numpy.linalg.norm(RR - C)))
        W = W + dW
        Ws.append(W)
    return Ws, numpy.array(norms), C, R


def compare(params, stimuli):
    result, out = basin_run(params)
    Ws, norms, C, R = transcription(params, stimuli)
    W_basin = numpy.load(os.path.join(out, "W.npy"))
    C_basin = numpy.load(os.path.join(out, "C.npy"))
    R_basin = numpy.load(os.path.join(out, "R.npy"))
    scale = max(1.0, numpy.abs(Ws[-1]).max())
    err_W = numpy.abs(W_basin - Ws[-1]).max() / scale
    err_C = numpy.abs(C_basin - C).max() / max(1.0, numpy.abs(C).max())
    err_R = numpy.abs(R_basin - R).max() / max(1.0, numpy.abs(R).max())
    assert err_W < TOL and err_C < TOL and err_R < TOL, (err_W, err_C, err_R)
    worst = 0.0
    for k, name in enumerate(["dw_norm", "w_minus_c", "rr_minus_c"]):
        steps, values = read_series(out, name)
        assert list(steps) == list(range(params["steps"])), (name, steps)
        ref = norms[:, k]
        err = numpy.abs(values - ref).max() / max(1.0, numpy.abs(ref).max())
        worst = max(worst, err)
        assert err < TOL, (name, err, values, ref)
    assert result["summary"]["steps"] == params["steps"], result["summary"]
    assert numpy.array_equal(W_basin, W_basin.T)
    print("  W rel err %.2e, C %.2e, R %.2e, series %.2e" % (err_W, err_C, err_R, worst))
    return result


def test_constant_stimulus_growing():
    """beta > 0: W moves away from C; one stimulus (k = 2)."""
    p = {"n": 16, "k": 2, "alpha": 0.3, "beta": 0.2, "b": 0.1, "sigma": 0.5, "c0": 0.1,
         "kappa": 2.0, "steps": 10, "tol": 0.0, "record_every": 1, "seed": 1,
         "stimuli": {"type": "constant", "c": [1.0, 0.4], "theta": [0.3, 2.0]}}
    compare(p, [(numpy.array([1.0, 0.4]), numpy.array([0.3, 2.0]))])


def test_cycle_of_three_stimuli():
    """Three stimuli in turn (k = 3), beta < 0, a large alpha and a negative baseline, so that
    some r_i are truncated to 0 by g."""
    stim = [([1.0, 0.2, 0.0], [0.0, 1.0, 2.0]), ([0.1, 0.9, 0.5], [3.0, 0.5, -1.0]),
            ([0.6, 0.6, 0.6], [1.5, 4.0, 5.5])]
    p = {"n": 20, "k": 3, "alpha": 0.8, "beta": -0.4, "b": -0.5, "sigma": 0.9, "c0": 0.05,
         "kappa": 3.0, "steps": 10, "tol": 0.0, "record_every": 1, "seed": 1,
         "stimuli": {"type": "cycle", "set": [{"c": c, "theta": t} for c, t in stim]}}
    compare(p, [(numpy.array(c), numpy.array(t)) for c, t in stim])


def test_beta_zero_two_stimuli():
    """beta = 0 with two stimuli: only the Hebbian term moves W (it would stay at 1 with one)."""
    stim = [([1.0], [0.0]), ([0.7], [2.5])]
    p = {"n": 12, "k": 1, "alpha": 1.0, "beta": 0.0, "b": 0.2, "sigma": 1.2, "c0": 0.3,
         "kappa": 1.0, "steps": 10, "tol": 0.0, "record_every": 1, "seed": 1,
         "stimuli": {"type": "cycle", "set": [{"c": c, "theta": t} for c, t in stim]}}
    r = compare(p, [(numpy.array(c), numpy.array(t)) for c, t in stim])
    assert r["summary"]["w_norm"] != 12.0


def test_bad_input_names_the_pointer():
    """Invalid params are refused before running (exit status 2, the CLI's 422), each
    problem with its JSON pointer."""
    bad = {"n": 0, "sigma": -1, "stimuli": {"type": "cycle", "set": [{"c": [1]}]}}
    r = subprocess.run([BASIN, "run", "normnet", "--params", "-"], input=json.dumps(bad),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stderr)
    for pointer in ("/params/n", "/params/sigma", "/params/stimuli/set/0/theta"):
        assert pointer in r.stderr, (pointer, r.stderr)


if __name__ == "__main__":
    run_tests(globals())
