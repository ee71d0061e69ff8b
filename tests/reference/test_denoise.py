"""Reference tests of the denoise model against PyWavelets (test signals, wavedec/waverec,
pywt.threshold) and NumPy/SciPy (the SureShrink rule, the Fourier-basis Wiener filter and
its expected error as a dense-matrix trace), through `basin run`.

    /usr/bin/python3 tests/reference/test_denoise.py build/src/basin

Sign and alignment conventions: basin's periodic DWT uses PyWavelets' filters (dec_lo,
dec_hi) and its periodization alignment, so coefficients equal
pywt.wavedec(y, w, mode="periodization", level=J) in wavedec order — no sign flips.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, run_tests  # noqa: E402

import numpy  # noqa: E402
import pywt  # noqa: E402
import scipy.linalg  # noqa: E402

warnings.filterwarnings("ignore", message="Level value")  # deep periodic levels are intended

PYWT_NAMES = {"blocks": "Blocks", "bumps": "Bumps", "heavisine": "HeaviSine", "doppler": "Doppler"}


def run(params, expect_ok=True):
    out = tempfile.mkdtemp(prefix="basin-dn-")
    r = subprocess.run([BASIN, "run", "denoise", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=120)
    if not expect_ok:
        return r
    assert r.returncode == 0, r.stderr
    arrays = {f[:-4]: numpy.load(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".npy")}
    return json.loads(r.stdout), arrays


def test_signals_match_pywt_demo_signal():
    # Reference: pywt.data.demo_signal (WaveLab's MakeSignal), whose grid t = k/n is exact
    # for n a power of two. Tolerance 1e-14: libm's and NumPy's sin/sqrt differ by an ulp
    # or two on values up to ~6.
    for name, pname in PYWT_NAMES.items():
        for n in (1024, 4096):
            _, arr = run({"signal": name, "n": n, "sigma": 0.1, "seed": 1})
            ref = pywt.data.demo_signal(pname, n)
            assert numpy.abs(arr["clean"] - ref).max() <= 1e-14, (name, n)


def test_coefficients_match_wavedec():
    # Reference: pywt.wavedec(y, w, mode="periodization", level=J). A fixed threshold of 0
    # exposes the plain transform: coefficients within 1e-12 of max|y| (J ≤ 10 levels of
    # 8-tap sums), perfect reconstruction (x̂ = y) and Parseval (‖c‖ = ‖y‖) to 1e-12.
    for wavelet in ("haar", "db4"):
        for n, levels in ((1024, None), (96, 5), (4096, 3), (2, 1)):
            params = {"signal": "bumps", "n": n, "sigma": 0.5, "wavelet": wavelet,
                      "threshold": 0, "seed": 2}
            if levels:
                params["levels"] = levels
            res, arr = run(params)
            J = res["params"]["levels"]
            y = arr["noisy"]
            ref = numpy.concatenate(pywt.wavedec(y, wavelet, mode="periodization", level=J))
            scale = numpy.abs(y).max()
            assert numpy.abs(arr["coefficients"] - ref).max() <= 1e-12 * scale, (wavelet, n, J)
            assert numpy.abs(arr["denoised"] - y).max() <= 1e-12 * scale
            assert abs(arr["coefficients"] @ arr["coefficients"] - y @ y) <= 1e-12 * (y @ y)
    # the default number of levels is pywt.dwt_max_level
    for wavelet in ("haar", "db4"):
        res, _ = run({"n": 2048, "wavelet": wavelet, "seed": 1})
        assert res["params"]["levels"] == pywt.dwt_max_level(2048, pywt.Wavelet(wavelet).dec_len)


def pywt_denoise(y, wavelet, J, tau_per_level, rule):
    c = pywt.wavedec(y, wavelet, mode="periodization", level=J)
    out = [c[0]] + [pywt.threshold(d, t, rule) for d, t in zip(c[1:], tau_per_level)]
    return pywt.waverec(out, wavelet, mode="periodization"), out


def test_visushrink_matches_pywt():
    # Reference: VisuShrink with PyWavelets — σ̂ = numpy.median(|cD1|)/0.6745,
    # τ = σ̂√(2 ln n) on every detail level, pywt.threshold(soft|hard), pywt.waverec.
    # σ̂ and τ to 1e-15 relative (the same median of the same coefficients, up to the
    # coefficients' last-bit differences); the denoised signal to 1e-12 of max|y|.
    for name in PYWT_NAMES:
        for wavelet in ("haar", "db4"):
            for rule in ("soft", "hard"):
                res, arr = run({"signal": name, "n": 2048, "sigma": 0.3, "wavelet": wavelet,
                                "rule": rule, "seed": 4})
                s, y = res["summary"], arr["noisy"]
                J = res["params"]["levels"]
                c = pywt.wavedec(y, wavelet, mode="periodization", level=J)
                sigma = numpy.median(numpy.abs(c[-1])) / 0.6745
                tau = sigma * numpy.sqrt(2 * numpy.log(len(y)))
                assert abs(s["sigma_hat"] - sigma) <= 1e-15 * sigma
                assert abs(s["threshold"] - tau) <= 1e-15 * tau
                ref, kept = pywt_denoise(y, wavelet, J, [tau] * J, rule)
                assert numpy.abs(arr["denoised"] - ref).max() <= 1e-12 * numpy.abs(y).max()
                assert s["kept_coefficients"] == sum(int(numpy.count_nonzero(k)) for k in kept)
                x = arr["clean"]
                assert abs(s["mse"] - numpy.mean((arr["denoised"] - x) ** 2)) <= 1e-12 * s["mse"]
                assert abs(s["snr_in_db"] - 10 * numpy.log10((x @ x) / ((y - x) @ (y - x)))) <= 1e-12


def sure_hybrid(d, sigma):
    """WaveLab's HybridThresh/ValSUREThresh on one level (Donoho & Johnstone 1995)."""
    x = d / sigma
    m = len(x)
    universal = numpy.sqrt(2 * numpy.log(m))
    eta = (x @ x - m) / m
    crit = numpy.log2(m) ** 1.5 / numpy.sqrt(m)
    if eta < crit:
        return sigma * universal
    a = numpy.sort(numpy.abs(x)) ** 2
    b = numpy.cumsum(a)
    c = numpy.linspace(m - 1, 0, m)
    risk = (m - 2 * numpy.arange(1, m + 1) + b + c * a) / m
    t = numpy.sqrt(a[numpy.argmin(risk)])
    return sigma * min(t, universal)


def test_sureshrink_matches_numpy():
    # Reference: SureShrink written in NumPy after WaveLab (above), with PyWavelets for
    # the transform. Thresholds to 1e-12 relative (the same candidates; cumulative sums in
    # a different order), the denoised signal to 1e-12 of max|y|. Both branches of the
    # hybrid rule occur (sparse fine levels take the universal threshold, dense coarse
    # levels the SURE minimiser).
    branches = set()
    for name in ("blocks", "doppler"):
        for wavelet in ("haar", "db4"):
            res, arr = run({"signal": name, "n": 4096, "sigma": 0.4, "wavelet": wavelet,
                            "threshold": "sure", "seed": 6})
            y, J = arr["noisy"], res["params"]["levels"]
            c = pywt.wavedec(y, wavelet, mode="periodization", level=J)
            sigma = numpy.median(numpy.abs(c[-1])) / 0.6745
            taus = [sure_hybrid(d, sigma) for d in c[1:]]        # levels J..1
            got = res["values"]["thresholds"][::-1]                # basin: levels 1..J
            assert numpy.allclose(got, taus, rtol=1e-12, atol=0), (name, wavelet, got, taus)
            for d, t in zip(c[1:], taus):
                branches.add(bool(numpy.isclose(t, sigma * numpy.sqrt(2 * numpy.log(len(d))))))
            ref, _ = pywt_denoise(y, wavelet, J, taus, "soft")
            assert numpy.abs(arr["denoised"] - ref).max() <= 1e-12 * numpy.abs(y).max()
    assert branches == {True, False}, branches


def test_wiener_matches_numpy():
    # Reference: the Fourier-basis Wiener filter in NumPy, x̂ = irfft(P/(P + σ²)·rfft(y))
    # with P the one-sided spectrum (unitary DFT), to 1e-12 of max|y|; the expected error
    # (1/n) tr(σ²C(C + σ²I)⁻¹) computed from the dense circulant C (scipy.linalg.circulant
    # of the covariance, the inverse DFT of P) by a linear solve — the diagonalisation
    # claim itself — to 1e-10 relative (an n = 256 solve of a well-conditioned matrix).
    n, sigma = 256, 0.7
    rng = numpy.random.default_rng(5)
    P = numpy.abs(rng.standard_normal(n // 2 + 1)) * 3
    res, arr = run({"signal": "stationary", "n": n, "sigma": sigma, "method": "wiener",
                    "spectrum": P.tolist(), "seed": 3})
    y = arr["noisy"]
    ref = numpy.fft.irfft(P / (P + sigma**2) * numpy.fft.rfft(y), n)
    assert numpy.abs(arr["denoised"] - ref).max() <= 1e-12 * numpy.abs(y).max()
    full = numpy.concatenate([P, P[1:n // 2][::-1]])       # P_k for k < n
    cov = numpy.real(numpy.fft.ifft(full))                  # first column of C
    C = scipy.linalg.circulant(cov)
    S = sigma**2 * numpy.eye(n)
    expected = numpy.trace(sigma**2 * numpy.linalg.solve(C + S, C)) / n
    assert abs(res["summary"]["expected_mse"] - expected) <= 1e-10 * expected
    # the estimated spectrum (spectral subtraction) and the oracle
    for spectrum in ("estimate", "oracle"):
        res, arr = run({"signal": "heavisine", "n": 1000, "sigma": sigma, "method": "wiener",
                        "spectrum": spectrum, "seed": 3})
        y, x = arr["noisy"], arr["clean"]
        if spectrum == "estimate":
            Pk = numpy.maximum(numpy.abs(numpy.fft.rfft(y)) ** 2 / len(y) - sigma**2, 0)
        else:
            Pk = numpy.abs(numpy.fft.rfft(x)) ** 2 / len(x)
            ideal = numpy.sum(numpy.concatenate([Pk, Pk[1:500][::-1]]) * sigma**2
                              / (numpy.concatenate([Pk, Pk[1:500][::-1]]) + sigma**2)) / len(x)
            assert abs(res["summary"]["expected_mse"] - ideal) <= 1e-12 * ideal
        ref = numpy.fft.irfft(Pk / (Pk + sigma**2) * numpy.fft.rfft(y), len(y))
        assert numpy.abs(arr["denoised"] - ref).max() <= 1e-12 * numpy.abs(y).max(), spectrum


def test_given_signal():
    # A given array is the observation itself: no clean signal (mse is null); σ is the MAD
    # estimate from the finest details unless given. The result equals PyWavelets' on it.
    rng = numpy.random.default_rng(9)
    y = pywt.data.demo_signal("Blocks", 512) + 0.5 * rng.standard_normal(512)
    res, arr = run({"signal": y.tolist(), "wavelet": "haar"})
    assert res["summary"]["mse"] is None and "clean" not in arr
    J = res["params"]["levels"]
    c = pywt.wavedec(y, "haar", mode="periodization", level=J)
    tau = numpy.median(numpy.abs(c[-1])) / 0.6745 * numpy.sqrt(2 * numpy.log(512))
    ref, _ = pywt_denoise(y, "haar", J, [tau] * J, "soft")
    assert numpy.abs(arr["denoised"] - ref).max() <= 1e-12 * numpy.abs(y).max()


def test_bad_input():
    # Reference: models.md's params contract; exit status 2 and the pointer of the value.
    cases = [
        ({"n": 1001}, "/params/n"),                                   # odd: no periodic DWT
        ({"n": 1000, "levels": 4}, "/params/levels"),                 # 1000 = 2³·125
        ({"signal": [1, 2, 3, 4], "n": 8}, "/params/n"),             # size mismatch
        ({"signal": [1, 2, 1e300, 4]}, "/params/signal/2"),           # beyond the bound
        ({"n": 8, "spectrum": [1, 1, 1]}, "/params/spectrum"),        # needs n/2 + 1
        ({"sigma": "mad"}, "/params/sigma"),                          # synthetic needs σ
    ]
    for params, pointer in cases:
        r = run(params, expect_ok=False)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.stderr)


if __name__ == "__main__":
    run_tests(globals())
