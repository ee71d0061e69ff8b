"""Reference tests of the `rsvp` model (run through `basin run`) against NumPy/SciPy: an
independent NumPy implementation of the staggered scheme documented in basin/rsvp.h (all
three boundary rules), the eigenvalues of its linearisation about a steady gradient
(numpy.linalg.eig of the Jacobian) for the growth of a small mode, and
scipy.ndimage.label for the coherence tiles.

    /usr/bin/python3 tests/reference/test_rsvp.py build/src/basin
"""
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy
import scipy.ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basin_harness import BASIN, Server, run_tests  # noqa: E402


def basin_run(params, ok=True):
    out = tempfile.mkdtemp(prefix="basin-ref-rsvp-")
    r = subprocess.run([BASIN, "run", "rsvp", "--params", "-", "--out", out],
                       input=json.dumps(params), capture_output=True, text=True, timeout=300)
    if ok:
        assert r.returncode == 0, (r.returncode, r.stderr, r.stdout[-2000:])
    return json.loads(r.stdout), out


class Scheme:
    """basin/rsvp.h in NumPy: Phi at cells, vx on east faces, vy on north faces, ghost
    layers by the boundary rule, explicit Euler from the old state."""

    def __init__(self, nx, ny, h, D, gamma, delta, mu, nu, dt, boundary, eta, fx, fy, phib=None):
        self.nx, self.ny, self.h, self.D, self.g = nx, ny, h, D, gamma
        self.mu, self.nu, self.dt, self.bc = mu, nu, dt, boundary
        self.phib = phib  # function (x, y) -> boundary value (dirichlet)
        E = self.pad_cells(eta)
        self.Gx = -delta * (E[1:-1, 2:] - E[1:-1, 1:-1]) / h + fx
        self.Gy = -delta * (E[2:, 1:-1] - E[1:-1, 1:-1]) / h + fy
        if boundary != "periodic":
            self.Gx[:, -1] = 0
            self.Gy[-1, :] = 0

    def pad_cells(self, a):
        P = numpy.zeros((self.ny + 2, self.nx + 2))
        P[1:-1, 1:-1] = a
        if self.bc == "periodic":
            P[1:-1, 0], P[1:-1, -1] = a[:, -1], a[:, 0]
            P[0, 1:-1], P[-1, 1:-1] = a[-1, :], a[0, :]
        return P

    def ghosts(self, phi, vx, vy):
        nx, ny, h = self.nx, self.ny, self.h
        P = self.pad_cells(phi)
        VX, VY = self.pad_cells(vx), self.pad_cells(vy)
        if self.bc == "periodic":
            return P, VX, VY
        x, y = numpy.arange(nx) * h, numpy.arange(ny) * h
        if self.bc == "neumann":
            P[1:-1, 0], P[1:-1, -1] = phi[:, 0], phi[:, -1]
            P[0, 1:-1], P[-1, 1:-1] = phi[0, :], phi[-1, :]
            s = 1.0
        else:
            b = self.phib
            P[1:-1, 0] = 2 * b(-0.5 * h, y) - phi[:, 0]
            P[1:-1, -1] = 2 * b((nx - 0.5) * h, y) - phi[:, -1]
            P[0, 1:-1] = 2 * b(x, -0.5 * h) - phi[0, :]
            P[-1, 1:-1] = 2 * b(x, (ny - 0.5) * h) - phi[-1, :]
            s = -1.0
        VX[1:-1, 0] = 0.0
        VX[0, 1:-1], VX[-1, 1:-1] = s * vx[0, :], s * vx[-1, :]
        VY[0, 1:-1] = 0.0
        VY[1:-1, 0], VY[1:-1, -1] = s * vy[:, 0], s * vy[:, -1]
        return P, VX, VY

    def step(self, phi, vx, vy):
        h, dt = self.h, self.dt
        P, VX, VY = self.ghosts(phi, vx, vy)
        c = P[1:-1, 1:-1]
        gE, gW = P[1:-1, 2:] - c, c - P[1:-1, :-2]
        gN, gS = P[2:, 1:-1] - c, c - P[:-2, 1:-1]
        S = 0.5 / h ** 2 * (gE ** 2 + gW ** 2 + gN ** 2 + gS ** 2)
        Sp = self.pad_cells(S)
        lap = P[1:-1, 2:] + P[1:-1, :-2] + P[2:, 1:-1] + P[:-2, 1:-1] - 4 * c
        div = VX[1:-1, 1:-1] - VX[1:-1, :-2] + VY[1:-1, 1:-1] - VY[:-2, 1:-1]
        phin = c + dt * self.D / h ** 2 * lap - dt / h * div
        lx = VX[1:-1, 2:] + VX[1:-1, :-2] + VX[2:, 1:-1] + VX[:-2, 1:-1] - 4 * vx
        ly = VY[1:-1, 2:] + VY[1:-1, :-2] + VY[2:, 1:-1] + VY[:-2, 1:-1] - 4 * vy
        vxn = vx - dt * self.g / h * (Sp[1:-1, 2:] - S) + dt * self.Gx - dt * self.mu * vx \
            + dt * self.nu / h ** 2 * lx
        vyn = vy - dt * self.g / h * (Sp[2:, 1:-1] - S) + dt * self.Gy - dt * self.mu * vy \
            + dt * self.nu / h ** 2 * ly
        if self.bc != "periodic":
            vxn[:, -1] = 0
            vyn[-1, :] = 0
        return phin, vxn, vyn


def test_matches_numpy_scheme():
    """Reference: the scheme of basin/rsvp.h implemented independently in NumPy (ghost
    layers, face fluxes, the entropy average), all three boundary rules, every term active,
    from seeded random initial fields passed as arrays. After 150 steps basin's Phi, vx, vy
    equal NumPy's to 1e-11 relative to max|field|: both evaluate the same expressions, but
    NumPy's operation order differs in places (a few ulps per step; 150 steps of a stable,
    damped run keep the difference near 1e-13)."""
    rng = numpy.random.default_rng(12)
    nx, ny, h = 20, 14, 0.8
    for bc in ("periodic", "neumann", "dirichlet"):
        phi0 = rng.standard_normal((ny, nx)) * 0.3
        vx0 = rng.standard_normal((ny, nx)) * 0.05
        vy0 = rng.standard_normal((ny, nx)) * 0.05
        if bc != "periodic":
            vx0[:, -1] = 0
            vy0[-1, :] = 0
        eta = rng.random((ny, nx))
        fx = rng.standard_normal((ny, nx)) * 0.01
        fy = rng.standard_normal((ny, nx)) * 0.01
        D, gamma, delta, mu, nu, dt = 1.0, 0.05, 0.3, 0.2, 0.05, 0.05
        params = {"nx": nx, "ny": ny, "h": h, "D": D, "gamma": gamma, "delta": delta, "mu": mu,
                  "nu": nu, "dt": dt, "boundary": bc, "steps": 150, "record_every": 150,
                  "phi0": phi0.tolist(), "v0": {"x": vx0.tolist(), "y": vy0.tolist()},
                  "eta": eta.tolist(), "force": {"x": fx.tolist(), "y": fy.tolist()},
                  "boundary_value": {"type": "linear", "offset": 0.5, "gradient": [0.2, -0.1]}}
        result, out = basin_run(params)
        phib = lambda x, y: 0.5 + 0.2 * numpy.asarray(x) - 0.1 * numpy.asarray(y)
        sch = Scheme(nx, ny, h, D, gamma, delta, mu, nu, dt, bc, eta, fx, fy, phib)
        phi, vx, vy = phi0, vx0, vy0
        for _ in range(150):
            phi, vx, vy = sch.step(phi, vx, vy)
        worst = 0.0
        for name, ref in (("phi", phi), ("vx", vx), ("vy", vy)):
            got = numpy.load(os.path.join(out, name + ".npy"))
            err = numpy.max(numpy.abs(got - ref)) / numpy.max(numpy.abs(ref))
            worst = max(worst, err)
            assert err < 1e-11, (bc, name, err)
        print("  %s: max relative difference %.1e" % (bc, worst))


def test_small_mode_grows_at_the_linear_rate():
    """Reference: numpy.linalg.eig of the Jacobian of the NumPy scheme (central
    differences, exact for this quadratic map up to rounding) about the steady ramp
    Phi = x with a matching Dirichlet boundary (S uniform, v = 0), without damping. basin
    starts from the ramp plus 1e-7 times the real part of the dominant eigenvector
    (passed as arrays); after k = 80 steps the perturbation must equal the linear
    prediction Re(lambda^k u) to 1e-3 relative (the quadratic term is ~|perturbation|/|G|
    ~1e-4; rounding of Phi ~ 20 against 1e-7 ~1e-8). The dominant |lambda| > 1 is the
    per-step growth factor: the linear rate ln|lambda|/dt is printed beside the continuum
    bound 4 gamma^2 G^2 / D^3."""
    nx, ny, h, D, gamma, G, dt = 20, 8, 1.0, 1.0, 1.0, 1.0, 0.1
    zero = numpy.zeros((ny, nx))
    phib = lambda x, y: G * numpy.asarray(x) + 0.0 * numpy.asarray(y)
    sch = Scheme(nx, ny, h, D, gamma, 0.0, 0.0, 0.0, dt, "dirichlet", zero, zero, zero, phib)
    ramp = numpy.tile(numpy.arange(nx) * h * G, (ny, 1))
    p1, x1, y1 = sch.step(ramp, zero, zero)
    assert numpy.max(numpy.abs(p1 - ramp)) < 1e-14 and numpy.max(numpy.abs(x1)) < 1e-14

    def pack(phi, vx, vy):
        return numpy.concatenate([phi.ravel(), vx[:, :-1].ravel(), vy[:-1, :].ravel()])

    def unpack(u):
        phi = u[:nx * ny].reshape(ny, nx)
        k = nx * ny
        vx = numpy.zeros((ny, nx))
        vx[:, :-1] = u[k:k + ny * (nx - 1)].reshape(ny, nx - 1)
        vy = numpy.zeros((ny, nx))
        vy[:-1, :] = u[k + ny * (nx - 1):].reshape(ny - 1, nx)
        return phi, vx, vy

    u0 = pack(ramp, zero, zero)
    n, eps = len(u0), 1e-3
    J = numpy.zeros((n, n))
    for k in range(n):
        e = numpy.zeros(n)
        e[k] = eps
        J[:, k] = (pack(*sch.step(*unpack(u0 + e))) - pack(*sch.step(*unpack(u0 - e)))) / (2 * eps)
    lam, vec = numpy.linalg.eig(J)
    top = numpy.argmax(numpy.abs(lam))
    lam1, v1 = lam[top], vec[:, top]
    assert abs(lam1) > 1.01, lam1
    v1 = v1 / numpy.max(numpy.abs(v1))
    delta, k = 1e-7, 80
    p, vx, vy = unpack(delta * v1.real)
    params = {"nx": nx, "ny": ny, "h": h, "D": D, "gamma": gamma, "delta": 0, "dt": dt,
              "boundary": "dirichlet", "steps": k, "record_every": k,
              "boundary_value": {"type": "linear", "gradient": [G, 0]},
              "phi0": (ramp + p).tolist(), "v0": {"x": vx.tolist(), "y": vy.tolist()}}
    result, out = basin_run(params)
    pred = unpack((delta * (lam1 ** k) * v1).real)
    got = (numpy.load(os.path.join(out, "phi.npy")) - ramp, numpy.load(os.path.join(out, "vx.npy")),
           numpy.load(os.path.join(out, "vy.npy")))
    err = numpy.linalg.norm(pack(*got) - pack(*pred)) / numpy.linalg.norm(pack(*pred))
    assert err < 1e-3, (err, lam1)
    grown = numpy.linalg.norm(pack(*got)) / numpy.linalg.norm(pack(p, vx, vy))
    print("  dominant |lambda| = %.6f per step (rate %.4f vs the continuum bound %.1f); "
          "perturbation grew x%.0f over %d steps, %.1e from the linear prediction"
          % (abs(lam1), numpy.log(abs(lam1)) / dt, 4 * gamma ** 2 * G ** 2 / D ** 3, grown, k, err))


def test_tiles_match_ndimage_label():
    """Reference: scipy.ndimage.label (4-connectivity, the default structuring element in
    2-D) of {S < tau} on the S artifact basin returns, at the absolute thresholds basin
    reports; on the periodic grid the labels touching opposite edges are merged
    (union-find over the wrap-around neighbours). Counts must be equal, and the multiset of
    component sizes too."""
    for bc in ("neumann", "periodic"):
        result, out = basin_run({"nx": 50, "ny": 40, "steps": 40, "seed": 6, "boundary": bc,
                                 "phi0": {"type": "noise", "std": 1.0},
                                 "tiles": {"thresholds": [0.2, 0.6, 1.5]}})
        S = numpy.load(os.path.join(out, "S.npy"))
        for entry in result["values"]["tiles"]:
            lab, n = scipy.ndimage.label(S < entry["threshold"])
            if bc == "periodic":
                parent = list(range(n + 1))

                def find(a):
                    while parent[a] != a:
                        parent[a] = parent[parent[a]]
                        a = parent[a]
                    return a
                for a, b in list(zip(lab[:, 0], lab[:, -1])) + list(zip(lab[0, :], lab[-1, :])):
                    if a and b:
                        parent[find(a)] = find(b)
                roots = numpy.array([find(a) for a in range(n + 1)])
                lab = roots[lab]
                lab[S >= entry["threshold"]] = 0
            sizes = sorted(numpy.bincount(lab.ravel())[1:][numpy.bincount(lab.ravel())[1:] > 0])
            ours = sorted(t["cells"] for t in entry["tiles"])
            assert entry["count"] == len(sizes), (bc, entry["threshold"], entry["count"], len(sizes))
            if not entry["truncated"]:
                assert ours == sizes, (bc, entry["threshold"])
        print("  %s: tile counts %s" % (bc, [e["count"] for e in result["values"]["tiles"]]))


def test_bad_input_is_refused_with_pointers():
    """Reference: models.md — bad params are refused before running with a JSON pointer per
    problem (the HTTP API's 422; `basin run` exits 2); divergence is a failed run with code
    `diverged` and its step (exit 1)."""
    cases = [
        ({"dt": 0.5}, "/params/dt"),
        ({"nx": 4, "ny": 3, "phi0": [1, 2, 3]}, "/params/phi0"),
        ({"nx": 4, "ny": 3, "anchors": [{"x": 4, "y": 0, "value": 1}]}, "/params/anchors/0/x"),
        ({"nx": 4, "ny": 3, "anchors": [{"x": 1, "y": 1, "value": 1},
                                        {"x": 1, "y": 1, "value": 2}]}, "/params/anchors/1"),
        ({"nx": 4096, "ny": 4096}, "/params/nx"),
    ]
    for params, pointer in cases:
        r = subprocess.run([BASIN, "run", "rsvp", "--params", "-"], input=json.dumps(params),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and pointer in r.stderr, (params, r.returncode, r.stderr)
    result, _ = basin_run({"nx": 32, "ny": 8, "gamma": 1, "delta": 0, "boundary": "dirichlet",
                           "boundary_value": {"type": "linear", "gradient": [1, 0]},
                           "phi0": {"type": "linear", "gradient": [1, 0]},
                           "v0": {"x": {"type": "noise", "std": 1e-6}}, "steps": 5000,
                           "seed": 1}, ok=False)
    assert result["status"] == "failed" and result["error"]["code"] == "diverged", result.get("error")
    assert 0 < result["error"]["step"] < 5000


def test_http_422_artifacts_and_diverged():
    """Reference: api.md and models.md through `basin serve`: bad params of both field
    models answer 422 with one JSON pointer per problem (mismatched array shapes, anchors
    outside the grid, duplicate anchors with different values, grids over the cell limit);
    the fields are artifacts (listed with an href in the result, not in the job row),
    served as NPY and as JSON that agree; a blow-up ends the job failed with code
    `diverged` and its step."""
    srv = Server(workers=1).start()
    try:
        cases = [
            ("harmonic", {"nx": 5, "ny": 4, "lambda": 1, "cost": [1, 2]}, "/params/cost"),
            ("harmonic", {"nx": 5, "ny": 4, "anchors": [{"x": 7, "y": 1, "value": 1}]},
             "/params/anchors/0/x"),
            ("harmonic", {"anchors": [{"x": 2, "y": 2, "value": 1}, {"x": 2, "y": 2, "value": 0}]},
             "/params/anchors/1"),
            ("harmonic", {"nx": 3000, "ny": 3000}, "/params/nx"),
            ("rsvp", {"nx": 5, "ny": 4, "v0": {"y": [[1, 2, 3, 4, 5]]}}, "/params/v0/y"),
            ("rsvp", {"nx": 5000}, "/params/nx"),
        ]
        for kind, params, pointer in cases:
            status, _, p = srv.submit(kind, params)
            pointers = [e["pointer"] for e in p.get("errors", [])]
            assert status == 422 and pointer in pointers, (kind, params, status, p)
        status, _, job = srv.submit("rsvp", {"nx": 24, "ny": 16, "steps": 30, "seed": 2})
        assert status == 202, job
        job = srv.wait_status(job["id"], {"succeeded"}, 60)
        assert "phi" not in json.dumps(job.get("summary", {})), job
        _, _, result = srv.request("GET", "/v1/jobs/%s/result" % job["id"])
        names = {a["name"]: a for a in result["artifacts"]}
        assert names["phi"]["shape"] == [16, 24] and names["phi"]["dtype"] == "float64", names
        _, _, as_json = srv.request("GET", names["phi"]["href"])
        _, h, as_npy = srv.request("GET", names["phi"]["href"], headers={"Accept": "application/x-npy"})
        arr = numpy.load(io.BytesIO(as_npy))
        assert arr.shape == (16, 24) and numpy.array_equal(arr, numpy.array(as_json))
        status, _, job = srv.submit("rsvp", {"nx": 32, "ny": 8, "gamma": 1, "delta": 0,
                                             "boundary": "dirichlet",
                                             "boundary_value": {"type": "linear", "gradient": [1, 0]},
                                             "phi0": {"type": "linear", "gradient": [1, 0]},
                                             "v0": {"x": {"type": "noise", "std": 1e-6}},
                                             "steps": 5000, "seed": 1})
        job = srv.wait_status(job["id"], {"failed"}, 60)
        assert job["error"]["code"] == "diverged" and 0 < job["error"]["step"] < 5000, job
    finally:
        srv.stop()


run_tests(globals())
