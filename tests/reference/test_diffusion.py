"""Reference tests of the `diffusion` model (run through `basin run`) against NumPy, SciPy
and scikit-learn: samples of the reverse samplers against direct draws of the data
mixture (two-sample Kolmogorov-Smirnov tests), the mixture weights re-estimated by
sklearn.mixture.GaussianMixture, and Tweedie's denoiser against the posterior mean of the
mixture solved with numpy.linalg.

    /usr/bin/python3 tests/reference/test_diffusion.py build/src/basin
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy
import scipy.stats
import sklearn.mixture

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402

W = [0.25, 0.45, 0.3]
MEANS = [[-2.0, 0.0], [1.0, 1.5], [1.5, -1.5]]
COVS = [[[0.3, 0.1], [0.1, 0.2]], [[0.4, -0.1], [-0.1, 0.3]], [[0.2, 0.0], [0.0, 0.5]]]


def basin_run(params):
    out = tempfile.mkdtemp(prefix="basin-ref-df-")
    r = subprocess.run([BASIN, "run", "diffusion", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr, r.stdout[-2000:])
    return json.loads(r.stdout), out


def draw_mixture(rng, n):
    k = rng.choice(len(W), size=n, p=W)
    x = numpy.empty((n, 2))
    for j in range(len(W)):
        idx = k == j
        x[idx] = rng.multivariate_normal(MEANS[j], COVS[j], size=idx.sum())
    return x


def check_samples(params, seed):
    """KS two-sample tests per coordinate and along a diagonal against 40000 NumPy draws
    of the mixture (p > 1e-4 each: with 3 tests a false failure has probability ~3e-4;
    the seeds are fixed), and the weights of a 3-component GaussianMixture fitted to the
    samples (matched to the true components by nearest mean) within 5 sigma of the
    binomial error sqrt(w(1-w)/N) plus 0.01 for the fit's own estimation error."""
    result, out = basin_run(params)
    x = numpy.load(os.path.join(out, "samples.npy"))
    n = x.shape[0]
    ref = draw_mixture(numpy.random.default_rng(seed), 40000)
    pvals = [scipy.stats.ks_2samp(x[:, 0], ref[:, 0]).pvalue,
             scipy.stats.ks_2samp(x[:, 1], ref[:, 1]).pvalue,
             scipy.stats.ks_2samp(x[:, 0] + x[:, 1], ref[:, 0] + ref[:, 1]).pvalue]
    assert min(pvals) > 1e-4, pvals
    gm = sklearn.mixture.GaussianMixture(3, covariance_type="full", random_state=0,
                                         means_init=numpy.array(MEANS)).fit(x)
    worst = 0.0
    for j, mu in enumerate(MEANS):
        k = int(numpy.argmin(numpy.linalg.norm(gm.means_ - numpy.array(mu), axis=1)))
        tol = 5.0 * math.sqrt(W[j] * (1 - W[j]) / n) + 0.01
        worst = max(worst, abs(gm.weights_[k] - W[j]) / tol)
        assert abs(gm.weights_[k] - W[j]) < tol, (j, gm.weights_, W)
    s = result["summary"]
    assert s["occupation_z"] < 5.0, s
    print("  %s/%s: KS p-values %s; GaussianMixture weights %s (worst %.2f of tolerance); "
          "occupation_z %.2f" % (params["sampler"], params.get("time_grid", "uniform"),
                                 ["%.3f" % p for p in pvals],
                                 numpy.round(numpy.sort(gm.weights_), 4), worst,
                                 s["occupation_z"]))


def test_ode_samples_match_the_mixture():
    check_samples({"dim": 2, "mixture": {"weights": W, "means": MEANS, "covs": COVS},
                   "samples": 20000, "sampler": "ode", "steps": 300, "t_end": 8,
                   "seed": 3}, 1)


def test_sde_samples_on_a_geometric_grid_match_the_mixture():
    check_samples({"dim": 2, "mixture": {"weights": W, "means": MEANS, "covs": COVS},
                   "samples": 20000, "sampler": "sde", "steps": 400, "t_end": 8,
                   "time_grid": "geometric", "t_min": 0.001, "seed": 4}, 2)


def test_tweedie_is_the_posterior_mean():
    """Reference: for y = x + sigma z the posterior mean of the mixture is
    sum_k r_k(y) (mu_k + S_k (S_k + sigma^2 I)^-1 (y - mu_k)), r_k proportional to
    w_k N(y; mu_k, S_k + sigma^2 I) (scipy.stats.multivariate_normal, numpy.linalg.solve):
    the model's Tweedie output must equal it to 1e-10 (both are a few roundings of O(1)
    numbers; scipy's logpdf goes through an eigendecomposition)."""
    sigma = 0.8
    result, out = basin_run({"mode": "denoise", "dim": 2,
                             "mixture": {"weights": W, "means": MEANS, "covs": COVS},
                             "sigma": sigma, "samples": 3000, "seed": 9})
    y = numpy.load(os.path.join(out, "noisy.npy"))
    xhat = numpy.load(os.path.join(out, "denoised.npy"))
    x = numpy.load(os.path.join(out, "clean.npy"))
    logs, posts = [], []
    for w, mu, S in zip(W, MEANS, COVS):
        C = numpy.array(S) + sigma ** 2 * numpy.eye(2)
        logs.append(math.log(w) + scipy.stats.multivariate_normal(mu, C).logpdf(y))
        posts.append(numpy.array(mu) + numpy.linalg.solve(C, (y - mu).T).T @ numpy.array(S).T)
    logs = numpy.array(logs)
    r = numpy.exp(logs - scipy.special.logsumexp(logs, axis=0))
    want = sum(r[k][:, None] * posts[k] for k in range(3))
    err = numpy.max(numpy.abs(xhat - want))
    assert err < 1e-10, err
    s = result["summary"]
    assert abs(s["mse"] - numpy.mean((xhat - x) ** 2)) < 1e-12
    assert s["mse"] < s["mse_noisy"]
    print("  max |Tweedie - posterior mean| = %.1e; mse %.4f vs noisy %.4f"
          % (err, s["mse"], s["mse_noisy"]))


def test_bad_input_is_refused_with_pointers():
    """Reference: models.md — bad params are refused before running with a pointer each."""
    cases = [
        ({"mixture": {"weights": [0.5, 0.4], "means": [[0], [1]]}}, "/params/mixture/weights"),
        ({"dim": 2, "mixture": {"covs": [[[1, 3], [3, 1]]]}}, "/params/mixture/covs/0"),
        ({"t_end": 1, "t_min": 5}, "/params/t_min"),
        ({"samples": -1}, "/params/samples"),
    ]
    for params, pointer in cases:
        r = subprocess.run([BASIN, "run", "diffusion", "--params", "-"],
                           input=json.dumps(params), capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.returncode, r.stderr)


run_tests(globals())
