"""Reference tests of the dense_memory model: `basin run dense_memory` against NumPy/SciPy
implementations of the same updates (Debian's python3-numpy, python3-scipy).

    /usr/bin/python3 tests/reference/test_dense_memory.py build/src/basin

Continuous variant (Ramsauer et al. 2020): xi <- X softmax(beta X^T xi) for a batch of
queries, energy E = -lse(beta, X xi)/beta + xi.xi/2 + log(P)/beta + M^2/2. Binary variants
(Krotov & Hopfield 2016; Demircigil et al. 2017): the final states are checked to be local
minima of E = -sum_mu F(xi_mu . s) by brute force, and their energies recomputed.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy
from scipy.special import logsumexp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402


def run(params):
    """Runs the model; returns (result JSON, output dir)."""
    out = tempfile.mkdtemp(prefix="basin-dense-")
    r = subprocess.run([BASIN, "run", "dense_memory", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), out


def series(out, name):
    data = numpy.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return data[:, 0].astype(int), data[:, 1]


def numpy_energy(X, Q, beta):
    """E(xi) per query, the constants included, in the form Ramsauer et al. give."""
    P = X.shape[0]
    M2 = (X * X).sum(axis=1).max()
    S = Q @ X.T
    if beta == 0:
        return -S.mean(axis=1) + 0.5 * (Q * Q).sum(axis=1) + 0.5 * M2
    return (-logsumexp(beta * S, axis=1) / beta + 0.5 * (Q * Q).sum(axis=1)
            + numpy.log(P) / beta + 0.5 * M2)


def numpy_update(X, Q, beta):
    """xi <- X softmax(beta X^T xi), the softmax shifted by its maximum."""
    S = beta * (Q @ X.T)
    S -= S.max(axis=1, keepdims=True)
    W = numpy.exp(S)
    W /= W.sum(axis=1, keepdims=True)
    return W @ X


def test_continuous_matches_numpy():
    """Reference: the NumPy update above. n = 48, P = 300 Gaussian patterns (norm ~1.7),
    B = 16 queries, 4 steps, beta from 0 (the pattern mean) to 40. Tolerance 1e-12 on the
    states (absolute; coordinates are O(0.1-1)): both sides are double-precision dgemm and
    exp, differing only in summation order (~1e-16 relative per dot product), amplified by
    the softmax by at most beta*|x|*|dxi| ~ 40*2*1e-16 per step. Energies: the mean over the
    queries at each step, 1e-12*(1 + |E|). Overlaps (cosines): 1e-12. A second size,
    n = 24, P = 1100, B = 300, spans several of basin's product tiles (256 queries x 512
    patterns for the scores, 128 queries for the update) and threads."""
    rng = numpy.random.default_rng(7)
    for n, P, B in ((48, 300, 16), (24, 1100, 300)):
        X = 0.25 * rng.standard_normal((P, n))
        Q0 = 0.5 * rng.standard_normal((B, n))
        check_continuous(X, Q0, betas=(0.0, 0.5, 4.0, 40.0) if B < 100 else (0.5, 40.0))


def check_continuous(X, Q0, betas, steps=4):
    """Runs basin and the NumPy update from the same patterns and states; compares."""
    B, n = Q0.shape
    for beta in betas:
        params = {"patterns": X.tolist(), "beta": beta, "steps": steps, "tol": 0,
                  "cue": {"states": Q0.tolist()}, "seed": 1}
        result, out = run(params)
        Q = Q0.copy()
        energies = [numpy_energy(X, Q, beta).mean()]
        done = 0
        for _ in range(steps):  # tol 0: stop early only at an exact fixed point
            Qn = numpy_update(X, Q, beta)
            still = numpy.abs(Qn - Q).max() == 0
            Q = Qn
            energies.append(numpy_energy(X, Q, beta).mean())
            done += 1
            if still:
                break
        assert result["summary"]["steps"] == done, (beta, result["summary"], done)
        state = numpy.load(os.path.join(out, "state.npy"))
        assert state.shape == (B, n)
        err = numpy.abs(state - Q).max()
        assert err < 1e-12, (beta, err)
        steps_e, E = series(out, "energy")
        assert list(steps_e) == list(range(done + 1))
        assert numpy.all(numpy.abs(E - energies) < 1e-12 * (1 + numpy.abs(energies))), (beta, E, energies)
        # non-increasing (Ramsauer et al., Theorem 1), to rounding
        assert numpy.all(numpy.diff(E) <= 1e-12 * (1 + numpy.abs(E[:-1]))), E
        overlaps = numpy.load(os.path.join(out, "overlaps.npy"))
        cos = (Q @ X.T) / numpy.outer(numpy.linalg.norm(Q, axis=1), numpy.linalg.norm(X, axis=1))
        assert numpy.abs(overlaps - cos).max() < 1e-12
        if beta == 0:
            assert numpy.abs(Q - X.mean(axis=0)).max() < 1e-15


def test_binary_fixed_points_are_local_minima():
    """Reference: brute force with exact integer arithmetic (Python ints). A converged
    binary query is a fixed point of the asynchronous update, i.e. no single spin flip
    lowers E = -sum_mu F(xi_mu . s): checked for every spin of every query, for F = x^3,
    x^4 and exp(beta x) (through scipy.special.logsumexp, the same monotone transform basin
    reports). The reported energies equal the recomputed ones: exactly for the polynomial
    (integer sums below 2^53), to 1e-12 relative for the log-sum-exp."""
    rng = numpy.random.default_rng(9)
    n, P, B = 40, 60, 6
    X = rng.choice([-1, 1], size=(P, n))
    S0 = rng.choice([-1, 1], size=(B, n))
    for variant, extra in (("polynomial", {"degree": 3}), ("polynomial", {"degree": 4}),
                           ("exponential", {"beta": 0.7})):
        params = {"variant": variant, "patterns": X.tolist(), "cue": {"states": S0.tolist()},
                  "steps": 200, "seed": 3}
        params.update(extra)
        result, out = run(params)
        assert result["summary"]["converged"], result["summary"]
        S = numpy.load(os.path.join(out, "state.npy")).astype(int)
        assert S.shape == (B, n)

        def energy(s):
            b = X @ s
            if variant == "polynomial":
                return -int(sum(int(v) ** extra["degree"] for v in b))
            return -logsumexp(extra["beta"] * b) / extra["beta"]

        energies = []
        for q in range(B):
            E = energy(S[q])
            energies.append(E)
            for i in range(n):
                s2 = S[q].copy()
                s2[i] = -s2[i]
                assert energy(s2) >= E - 1e-12 * abs(E), (variant, q, i)
        _, Es = series(out, "energy")
        mean = numpy.mean(energies)
        assert abs(Es[-1] - mean) <= 1e-12 * abs(mean), (variant, Es[-1], mean)
        assert numpy.all(numpy.diff(Es) <= 1e-12 * numpy.abs(Es[:-1])), Es


def test_exponential_capacity_against_hebb():
    """Reference: Demircigil et al. (2017) (exponential capacity) vs Amit-Gutfreund-
    Sompolinsky (Hebb capacity 0.138 n). n = 100, P = 2000 random patterns (load 20, 145x
    the Hebb capacity), 50 queries with 10% of spins flipped: the exponential variant
    retrieves every query exactly; NumPy's Hebb network on the same patterns (synchronous
    sign updates of the same cues) keeps a mean overlap far below (measured ~0.1)."""
    rng = numpy.random.default_rng(11)
    n, P, B = 100, 2000, 50
    X = rng.choice([-1, 1], size=(P, n))
    S0 = X[:B].copy()
    for q in range(B):
        idx = rng.choice(n, 10, replace=False)
        S0[q, idx] *= -1
    result, out = run({"variant": "exponential", "patterns": X.tolist(),
                       "cue": {"states": S0.tolist()}, "steps": 20, "seed": 5})
    S = numpy.load(os.path.join(out, "state.npy")).astype(int)
    assert (S == X[:B]).all(), (S != X[:B]).sum()
    J = (X.T @ X) / n
    numpy.fill_diagonal(J, 0)
    s = S0.astype(float)
    for _ in range(50):
        h = s @ J
        s = numpy.where(h > 0, 1.0, numpy.where(h < 0, -1.0, s))
    hebb = numpy.mean(numpy.sum(s * X[:B], axis=1) / n)
    assert hebb < 0.5, hebb


if __name__ == "__main__":
    run_tests(globals())
