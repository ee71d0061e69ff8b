"""Reference tests of the `langevin` model (run through `basin run`) against NumPy/SciPy:
the Euler-Maruyama law of the Ornstein-Uhlenbeck ensemble iterated in NumPy, the
double-well Boltzmann law by scipy.integrate.quad, and the histogram estimators
(entropy and KL with the Miller-Madow correction) recomputed with NumPy from the
particles the model returns.

    /usr/bin/python3 tests/reference/test_langevin.py build/src/basin
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy
import scipy.integrate
import scipy.stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402


def basin_run(params):
    out = tempfile.mkdtemp(prefix="basin-ref-lg-")
    r = subprocess.run([BASIN, "run", "langevin", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr, r.stdout[-2000:])
    return json.loads(r.stdout), out


def series(out, name):
    data = numpy.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return data[:, 0].astype(int), data[:, 1]


def test_ou_euler_maruyama_law():
    """Reference: Euler-Maruyama's exact discrete law for the OU process, iterated in NumPy
    (mean_{n+1} - c = r (mean_n - c), v_{n+1} = r^2 v_n + 2 T kappa dt, r = 1 - kappa k dt),
    at a large step (kappa k dt = 0.6, where EM's variance is 43% above the Boltzmann
    law's). Tolerance 5 sigma of the sample statistics (sigma(mean) = sqrt(v/M),
    sigma(var) = v sqrt(2/(M-1))) at every recorded step: a false failure has probability
    ~6e-7 per check and the seed is fixed."""
    k, kappa, T, dt, c, x0, M = 2.0, 1.5, 0.8, 0.2, -0.5, 1.5, 50000
    result, out = basin_run({"energy": {"type": "harmonic", "k": k, "center": [c]},
                             "mobility": kappa, "temperature": T, "dt": dt, "particles": M,
                             "steps": 30, "record_every": 3, "seed": 17,
                             "init": {"type": "point", "x": [x0]}})
    steps, mean = series(out, "mean")
    _, var = series(out, "variance")
    r = 1.0 - kappa * k * dt
    m, v, worst = x0, 0.0, 0.0
    for n in range(0, 31):
        if n in steps:
            i = list(steps).index(n)
            if n > 0:
                zm = abs(mean[i] - m) / math.sqrt(v / M)
                zv = abs(var[i] - v) / (v * math.sqrt(2.0 / (M - 1)))
                worst = max(worst, zm, zv)
                assert zm < 5 and zv < 5, (n, mean[i], m, var[i], v)
        m = c + r * (m - c)
        v = r * r * v + 2.0 * T * kappa * dt
    print("  worst deviation from the EM law: %.2f sigma" % worst)


def test_double_well_equilibrium_and_estimators():
    """Reference: the Boltzmann law of E = (x^2 - 1)^2 at T = 0.5 by scipy.integrate.quad.
    baoab with dt = 0.005 from the symmetric uniform law on [-1.5, 1.5] (which leaves the
    slow inter-well mode unexcited; the intra-well modes decay at rate ~8, so t = 6 is
    equilibrium) — its invariant law is O(dt^2) from q_E (relative bias ~(dt E'')^2 ~ 1e-3,
    a chi^2 shift of ~0.5 for M = 2e5):
      - scipy.stats.chisquare of the particle counts in the model's histogram bins against
        M times the quad bin masses: p-value above 1e-6;
      - the entropy and KL estimators recomputed with NumPy from the same positions and the
        quad bin masses, with the documented Miller-Madow terms: equal to the model's to
        1e-8 (the model integrates the bin masses with 4-node Gauss-Legendre, accurate to
        ~1e-10 relative on these smooth bins);
      - free_energy_eq against -T ln Z (quad): 1e-9."""
    T, M = 0.5, 200000
    f = lambda x: math.exp(-(x * x - 1.0) ** 2 / T)
    Z, _ = scipy.integrate.quad(f, -math.inf, math.inf, epsabs=1e-14, epsrel=1e-13)
    result, out = basin_run({"energy": {"type": "double_well"}, "temperature": T, "dt": 0.005,
                             "particles": M, "steps": 1200, "record_every": 600,
                             "integrator": "baoab", "seed": 23,
                             "init": {"type": "uniform", "low": [-1.5], "high": [1.5]}})
    s, hist = result["summary"], result["params"]["histogram"]
    lo, hi, B = hist["min"][0], hist["max"][0], hist["bins"]
    x = numpy.load(os.path.join(out, "positions.npy"))[:, 0]
    edges = numpy.linspace(lo, hi, B + 1)
    Q = numpy.array([scipy.integrate.quad(f, a, b, epsabs=1e-15, epsrel=1e-13)[0]
                     for a, b in zip(edges[:-1], edges[1:])]) / Z
    counts, _ = numpy.histogram(x, bins=edges)
    outside = numpy.sum((x < lo) | (x >= hi))
    keep = M * Q >= 5
    f_obs = numpy.append(counts[keep], counts[~keep].sum() + outside)
    f_exp = numpy.append(M * Q[keep], M * (1.0 - Q[keep].sum()))
    chi2, pval = scipy.stats.chisquare(f_obs, f_exp)
    assert pval > 1e-6, (chi2, pval)
    # the estimators of basin/langevin.h, recomputed
    p = counts / M
    occ = numpy.count_nonzero(counts)
    V = (hi - lo) / B
    nz = counts > 0
    H = -numpy.sum(p[nz] * numpy.log(p[nz] / V)) + (occ - 1) / (2.0 * M)
    pout = outside / M
    qout = max(1.0 - Q.sum(), 1e-300)
    D = numpy.sum(p[nz] * numpy.log(p[nz] / Q[nz])) + (pout * math.log(pout / qout) if outside else 0.0)
    D -= (occ + (outside > 0) - 1) / (2.0 * M)
    assert abs(s["entropy"] - H) < 1e-8, (s["entropy"], H)
    assert abs(s["kl_to_boltzmann"] - D) < 1e-8, (s["kl_to_boltzmann"], D)
    assert abs(s["free_energy_eq"] + T * math.log(Z)) < 1e-9, (s["free_energy_eq"], -T * math.log(Z))
    E = numpy.mean((x * x - 1.0) ** 2)
    assert abs(s["mean_energy"] - E) < 1e-12 * (1 + E)
    assert abs(s["free_energy"] - (E - T * H)) < 1e-8
    print("  chi2 %.1f on %d dof (p = %.3f); entropy %.6f, KL %.2e, F %.6f vs -T ln Z %.6f"
          % (chi2, len(f_obs) - 1, pval, H, D, s["free_energy"], -T * math.log(Z)))


def test_bad_input_is_refused_with_pointers():
    """Reference: models.md — bad params are refused before running with a JSON pointer per
    problem (the HTTP API's 422; `basin run` exits 2)."""
    cases = [
        ({"dim": 2, "mobility": [[1, 2], [2, 1]]}, "/params/mobility"),
        ({"dim": 2, "energy": {"type": "gaussian_mixture", "weights": [1], "means": [[0, 0]],
                               "covs": [[[1, 2], [2, 1]]]}}, "/params/energy/covs/0"),
        ({"energy": {"type": "gaussian_mixture", "weights": [0.7, 0.7], "means": [[0], [1]]}},
         "/params/energy/weights"),
        ({"energy": {"type": "double_well"}, "dt": 0.1}, "/params/dt"),
        ({"energy": {"k": 2}, "dt": 1.0}, "/params/dt"),
        ({"init": {"type": "gaussian", "std": -1}}, "/params/init/std"),
    ]
    for params, pointer in cases:
        r = subprocess.run([BASIN, "run", "langevin", "--params", "-"],
                           input=json.dumps(params), capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.returncode, r.stderr)


run_tests(globals())
