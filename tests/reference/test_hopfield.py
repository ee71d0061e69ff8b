"""Reference tests of the hopfield model: `basin run hopfield` against a NumPy
implementation of the same network (Debian's python3-numpy).

    /usr/bin/python3 tests/reference/test_hopfield.py build/src/basin

Synchronous T = 0 dynamics is deterministic, so given the patterns and the initial state
(both passed explicitly) the whole trajectory can be recomputed: NumPy builds the dense
couplings (Hebb J = X^T X / N, the projector J = X^T (X X^T)^-1 X through numpy.linalg.inv,
Storkey's rule written out with matrices), zeroes the diagonal, and iterates
s <- sign(J s + h), keeping s_i where the field is 0.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402


def run(params):
    out = tempfile.mkdtemp(prefix="basin-hopfield-")
    r = subprocess.run([BASIN, "run", "hopfield", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), out


def series(out, name):
    data = numpy.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return data[:, 0].astype(int), data[:, 1]


def couplings(X, rule):
    """Dense J with zero diagonal; X is P x N with entries +-1."""
    P, N = X.shape
    Xf = X.astype(float)
    if rule == "hebb":
        J = Xf.T @ Xf / N
    elif rule == "pseudo_inverse":
        J = Xf.T @ numpy.linalg.inv(Xf @ Xf.T) @ Xf
    else:  # Storkey (1997): W_ij += (x_i x_j - x_i h_ji - h_ij x_j)/N, h_ij = sum_{k!=i,j} W_ik x_k
        J = numpy.zeros((N, N))
        for x in Xf:
            f = J @ x  # W has zero diagonal
            h = f[:, None] - J * x[None, :]  # h_ij = f_i - W_ij x_j
            J = J + (numpy.outer(x, x) - x[:, None] * h.T - h * x[None, :]) / N
            numpy.fill_diagonal(J, 0.0)
    J = J.copy()
    numpy.fill_diagonal(J, 0.0)
    return J


def fields(X, J, rule, s, field):
    """Local fields. Hebb exactly, as basin computes them: h = (X^T (X s) - P s)/N from
    integers, so that a field of exactly 0 (a tie) is seen as one; the float rules from J,
    with |h| <= 1e-9 counted as a tie as basin does (see include/basin/hopfield.h)."""
    if rule == "hebb":
        P, N = X.shape
        si = s.astype(numpy.int64)
        num = X.T @ (X @ si) - P * si
        return num / N + field, 0.0
    return J @ s + field, 1e-9


def numpy_sync(X, J, rule, s, field, max_sweeps):
    """Synchronous T = 0 dynamics until a fixed point, a 2-cycle or max_sweeps; returns the
    states after each sweep (index 0: the start) and the flips of each sweep."""
    states, flips = [s.copy()], []
    for t in range(max_sweeps):
        h, tie = fields(X, J, rule, s, field)
        new = numpy.where(h > tie, 1.0, numpy.where(h < -tie, -1.0, s))
        flips.append(int((new != s).sum()))
        s = new
        states.append(s.copy())
        if flips[-1] == 0 or (len(states) >= 3 and (states[-1] == states[-3]).all()):
            break
    return states, flips


def test_sync_trajectory_matches_numpy():
    """Reference: the NumPy dynamics above on explicit patterns and an explicit start, for
    Hebb (N = 400, P = 40, from a 30%-flipped pattern, and P = 100 beyond capacity from a
    random state, with a field), the pseudo-inverse rule (N = 300, P = 150, load 0.5) and
    Storkey (N = 120, P = 15). Compared: the final state exactly; the overlap and flips
    series exactly (overlaps are integers / N); sweeps, converged and cycle2 exactly; the
    energy series -s.Js/2 - h sum(s) to 1e-9 * N (sums of N^2 double products in a
    different order: rounding ~1e-13 * N). Hebb fields are exact integers over N on both
    sides, so exact ties (h = 0: the spin is kept) are decided alike; they do occur here."""
    rng = numpy.random.default_rng(3)
    cases = [("hebb", 400, 40, 0.0, "cue"), ("hebb", 400, 100, 0.05, "random"),
             ("pseudo_inverse", 300, 150, 0.0, "cue"), ("storkey", 120, 15, 0.0, "cue")]
    for rule, N, P, field, start in cases:
        X = rng.choice([-1, 1], size=(P, N))
        if start == "cue":
            s0 = X[0].copy()
            s0[rng.choice(N, int(0.3 * N), replace=False)] *= -1
        else:
            s0 = rng.choice([-1, 1], size=N)
        params = {"patterns": X.tolist(), "rule": rule, "dynamics": "sync", "field": field,
                  "cue": {"state": s0.tolist()}, "max_sweeps": 200, "seed": 1}
        result, out = run(params)
        J = couplings(X, rule)
        states, flips = numpy_sync(X, J, rule, s0.astype(float), field, 200)
        summ = result["summary"]
        assert summ["sweeps"] == len(flips), (rule, summ, len(flips))
        assert summ["converged"] == (flips[-1] == 0), (rule, summ)
        assert summ["cycle2"] == (flips[-1] > 0 and len(states) >= 3 and (states[-1] == states[-3]).all())
        state = numpy.load(os.path.join(out, "state.npy"))
        assert (state == states[-1]).all(), (rule, (state != states[-1]).sum())
        t, m = series(out, "overlap")
        assert list(t) == list(range(len(states)))
        assert numpy.array_equal(m, [float(X[0] @ s) / N for s in states]), rule
        _, fl = series(out, "flips")
        assert list(fl) == flips, (rule, list(fl), flips)
        _, E = series(out, "energy")
        En = [-0.5 * s @ J @ s - field * s.sum() for s in states]
        assert numpy.abs(E - En).max() < 1e-9 * N, (rule, numpy.abs(E - En).max())
        overlaps = numpy.load(os.path.join(out, "overlaps.npy"))
        assert numpy.array_equal(overlaps, (X @ states[-1]) / N)


def test_async_ends_at_numpy_fixed_point():
    """Reference: NumPy's dense couplings. An asynchronous T = 0 run that converged ends in a
    state with s_i h_i >= 0 for every spin (a fixed point of sign(J s + h), ties allowed)
    and with the energy -s.Js/2 - h sum(s) (to 1e-9 * N, as above). Hebb at load 0.05
    from a 20%-flipped cue and pseudo-inverse at load 0.5 (smaller basins) from a 5%-flipped
    one, both retrieving (overlap >= 0.99; Amit-Gutfreund-Sompolinsky, Personnaz et al.)."""
    rng = numpy.random.default_rng(4)
    for rule, N, P, noise in (("hebb", 500, 25, 0.2), ("pseudo_inverse", 300, 150, 0.05)):
        X = rng.choice([-1, 1], size=(P, N))
        s0 = X[1].copy()
        s0[rng.choice(N, int(noise * N), replace=False)] *= -1
        result, out = run({"patterns": X.tolist(), "rule": rule, "field": 0.02,
                           "cue": {"state": s0.tolist()}, "seed": 2})
        assert result["summary"]["converged"], result["summary"]
        s = numpy.load(os.path.join(out, "state.npy")).astype(float)
        J = couplings(X, rule)
        h = J @ s + 0.02
        assert (s * h >= -1e-9).all(), (rule, (s * h).min())
        E = -0.5 * s @ J @ s - 0.02 * s.sum()
        assert abs(result["summary"]["energy"] - E) < 1e-9 * N
        assert (X[1] @ s) / N >= 0.99


if __name__ == "__main__":
    run_tests(globals())
