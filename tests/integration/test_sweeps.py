"""Integration tests of sweeps and of queries across jobs (api.md: Sweeps, GET /v1/jobs
where=/order=): a real server on loopback. Run: python3 test_sweeps.py path/to/basin"""
import csv
import io
import os
import time

import jsonschema
import yaml

from basin_harness import Server, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "api", "openapi.yaml")) as f:
    SPEC = yaml.safe_load(f)
srv = Server(workers=2, extra=["--sync", "normal"]).start()

BASE = {"particles": 500, "steps": 100, "seed": 1}
GRID = {"energy.k": [0.5, 1, 2], "temperature": {"linspace": [0.5, 1.5, 3]}}


def shape(name, obj):
    schema = {"$ref": "#/components/schemas/" + name}
    jsonschema.Draft202012Validator(schema, resolver=jsonschema.RefResolver.from_schema(SPEC)).validate(obj)
    return obj


def wait_sweep(sweep_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, _, sw = srv.request("GET", "/v1/sweeps/" + sweep_id)
        if sw["counts"]["queued"] + sw["counts"]["running"] == 0:
            return sw
        time.sleep(0.1)
    raise AssertionError("sweep %s did not finish: %s" % (sweep_id, sw["counts"]))


grid_sweep = {}


def test_grid_sweep_table_and_pivot():
    status, headers, sw = srv.request("POST", "/v1/sweeps", {"kind": "langevin", "base": BASE, "grid": GRID})
    assert status == 202, sw
    shape("SweepCreated", sw)
    assert headers["Location"] == "/v1/sweeps/" + sw["id"]
    assert sw["children"] == 9 and len(sw["child_ids"]) == 9 and sw["varied"] == ["energy.k", "temperature"]
    sw = wait_sweep(sw["id"])
    assert sw["counts"]["succeeded"] == 9 and sw["progress"] == 1.0, sw
    grid_sweep.update(sw)
    _, _, table = srv.request("GET", "/v1/sweeps/%s/table" % sw["id"])
    shape("SweepTable", table)
    cols = table["columns"]
    assert table["rows"] == 9 and list(cols)[:4] == ["job_id", "status", "params.energy.k", "params.temperature"]
    # Grid order: first key slowest, like itertools.product.
    assert cols["params.energy.k"] == [0.5] * 3 + [1.0] * 3 + [2.0] * 3
    assert cols["params.temperature"] == [0.5, 1.0, 1.5] * 3
    # Each row is the child's own summary.
    for i, jid in enumerate(cols["job_id"]):
        job = srv.job(jid)
        assert job["params"]["energy"]["k"] == cols["params.energy.k"][i]
        for key, value in job["summary"].items():
            assert cols["summary." + key][i] == value, (key, i)
    # CSV: the same rows.
    _, h, text = srv.request("GET", "/v1/sweeps/%s/table?format=csv" % sw["id"])
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert len(rows) == 9 and float(rows[4]["summary.variance"]) == cols["summary.variance"][4]
    # Pivot: variance over (k, T) — for OU the stationary variance is T/k.
    _, _, pv = srv.request("GET", "/v1/sweeps/%s/table?pivot=energy.k,temperature&value=variance" % sw["id"])
    shape("SweepPivot", pv)
    assert pv["x"]["values"] == [0.5, 1.0, 2.0] and pv["y"]["values"] == [0.5, 1.0, 1.5]
    for i in range(9):
        x = pv["x"]["values"].index(cols["params.energy.k"][i])
        y = pv["y"]["values"].index(cols["params.temperature"][i])
        assert pv["grid"][y][x] == cols["summary.variance"][i] and pv["n"][y][x] == 1
    status, _, p = srv.request("GET", "/v1/sweeps/%s/table?pivot=energy.k,dim&value=variance" % sw["id"])
    assert status == 422 and p["errors"][0]["parameter"] == "pivot"


def test_normnet_stability_map():
    """The question of normalization-network-question.txt as a sweep: a 5x5 grid over
    (alpha, beta) for one constant stimulus. normnet's doc comment predicts that directions
    with dW r = 0 grow by exactly 1 + beta per step, so beta > 0 diverges and beta < 0
    converges, whatever alpha: the pivot of `stable` must be 0 in every beta > 0 row and 1
    in every beta < 0 row."""
    body = {"kind": "normnet", "base": {"steps": 2000},
            "grid": {"alpha": {"linspace": [0.05, 0.25, 5]}, "beta": {"linspace": [-0.2, 0.2, 5]}}}
    status, _, sw = srv.request("POST", "/v1/sweeps", body)
    assert status == 202 and sw["children"] == 25, sw
    sw = wait_sweep(sw["id"], 120)
    assert sw["counts"]["succeeded"] + sw["counts"]["failed"] == 25, sw["counts"]
    _, _, table = srv.request("GET", "/v1/sweeps/%s/table" % sw["id"])
    cols = table["columns"]
    for i, jid in enumerate(cols["job_id"]):
        job = srv.job(jid)
        assert job["summary"]["stable"] == cols["summary.stable"][i]
        assert job["params"]["beta"] == cols["params.beta"][i]
        # diverged runs end failed with code diverged and keep their summary
        assert (job["status"] == "failed") == (job["summary"]["diverged"] is True), job["status"]
    _, _, pv = srv.request("GET", "/v1/sweeps/%s/table?pivot=alpha,beta&value=stable" % sw["id"])
    assert len(pv["x"]["values"]) == 5 and len(pv["y"]["values"]) == 5
    for beta, row in zip(pv["y"]["values"], pv["grid"]):
        if beta > 0:
            assert row == [0.0] * 5, (beta, row)
        elif beta < 0:
            assert row == [1.0] * 5, (beta, row)


def test_random_draws_are_seeded_and_stratified():
    body = {"kind": "langevin", "base": BASE, "seed": 42,
            "random": {"n": 10, "latin_hypercube": True,
                       "params": {"temperature": {"uniform": [1, 2]}, "energy.k": {"loguniform": [0.1, 10]}}}}
    a = srv.request("POST", "/v1/sweeps", body)[2]
    b = srv.request("POST", "/v1/sweeps", body)[2]
    ta = srv.request("GET", "/v1/sweeps/%s/table" % a["id"])[2]["columns"]
    tb = srv.request("GET", "/v1/sweeps/%s/table" % b["id"])[2]["columns"]
    assert ta["params.temperature"] == tb["params.temperature"]
    # Latin hypercube: exactly one draw in each tenth of [1, 2) and of log10 [-1, 1).
    import math
    assert sorted(int((t - 1) * 10) for t in ta["params.temperature"]) == list(range(10))
    assert sorted(int((math.log10(k) + 1) * 5) for k in ta["params.energy.k"]) == list(range(10))
    wait_sweep(a["id"])
    wait_sweep(b["id"])


def test_bad_sweeps_store_nothing():
    before = len(srv.request("GET", "/v1/jobs?limit=1000")[2]["jobs"])
    cases = [
        ({"kind": "langevin", "grid": {}}, "validation", "/grid"),
        ({"kind": "langevin", "grid": {"temperature": {"linspace": [0, 1, 101]}, "steps": list(range(1, 101))}},
         "resource_limit", "/grid"),
        ({"kind": "langevin", "grid": {"nope": [1, 2]}}, "validation", "/children/0/params/nope"),
        ({"kind": "langevin", "grid": {"dim": [1, 2, 9]}}, "validation", "/children/2/params/dim"),
        ({"kind": "langevin", "grid": {"temperature": {"linspace": [0, 1]}}}, "validation", "/grid/temperature"),
        ({"kind": "langevin", "random": {"n": 3, "params": {"dt": {"uniform": [2, 1]}}}}, "validation", "/random/params/dt"),
        ({"kind": "nope", "grid": {"a": [1]}}, "validation", "/kind"),
    ]
    for body, code, pointer in cases:
        status, _, p = srv.request("POST", "/v1/sweeps", body)
        assert status == 422 and p["code"] == code, (body, p)
        assert pointer in [e["pointer"] for e in p["errors"]], (body, p)
    status, _, p = srv.request("POST", "/v1/sweeps", {"kind": "langevin", "grid": {"dim": [1, 2, 9]}})
    assert "child 2 of 3 (dim=9)" in p["detail"], p
    assert len(srv.request("GET", "/v1/jobs?limit=1000")[2]["jobs"]) == before


def test_cancel_and_delete_sweep():
    body = {"kind": "langevin", "base": {"particles": 200000, "steps": 20000, "dim": 3, "dt": 0.001},
            "grid": {"temperature": [1, 2, 3, 4, 5, 6]}}
    sw = srv.request("POST", "/v1/sweeps", body)[2]
    deadline = time.time() + 20
    while srv.request("GET", "/v1/sweeps/" + sw["id"])[2]["counts"]["running"] == 0 and time.time() < deadline:
        time.sleep(0.05)
    status, _, p = srv.request("DELETE", "/v1/sweeps/" + sw["id"])
    assert status == 409, p
    status, _, after = srv.request("POST", "/v1/sweeps/%s/cancel" % sw["id"])
    assert status == 200
    sw = wait_sweep(sw["id"], 10)
    assert sw["counts"]["cancelled"] == 6, sw["counts"]
    assert srv.request("DELETE", "/v1/sweeps/" + sw["id"])[0] == 204
    assert srv.request("GET", "/v1/sweeps/" + sw["id"])[0] == 404
    assert srv.request("GET", "/v1/jobs?label=sweep:" + sw["id"])[2]["jobs"] == []


def test_where_and_order_over_http():
    sid = grid_sweep["id"]
    seen, cursor = [], None
    while True:
        path = "/v1/jobs?label=sweep:%s&order=-summary.variance&limit=2" % sid + ("&cursor=" + cursor if cursor else "")
        status, _, page = srv.request("GET", path)
        assert status == 200, page
        seen += [(j["summary"]["variance"], j["id"]) for j in page["jobs"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 9 and len({i for _, i in seen}) == 9
    assert [v for v, _ in seen] == sorted((v for v, _ in seen), reverse=True)
    from urllib.parse import quote
    q = quote("params.temperature >= 1 and (summary.variance > 1 or series.variance.count = 0)")
    _, _, page = srv.request("GET", "/v1/jobs?label=sweep:%s&where=%s" % (sid, q))
    want = [j for j in grid_sweep_jobs() if j["params"]["temperature"] >= 1 and j["summary"]["variance"] > 1]
    assert sorted(j["id"] for j in page["jobs"]) == sorted(j["id"] for j in want) and want
    status, _, p = srv.request("GET", "/v1/jobs?where=" + quote("summary.x > "))
    assert status == 422 and p["errors"][0]["parameter"] == "where"
    assert p["errors"][0]["message"].startswith("at 13: expected a value"), p
    status, _, page = srv.request("GET", "/v1/jobs?where=" + quote("labels.a = \"x' OR 1=1; DROP TABLE jobs; --\""))
    assert status == 200 and page["jobs"] == []
    assert len(grid_sweep_jobs()) == 9  # still there
    status, _, p = srv.request("GET", "/v1/jobs?order=summary.a;drop")
    assert status == 422 and p["errors"][0]["parameter"] == "order"


def grid_sweep_jobs():
    return srv.request("GET", "/v1/jobs?label=sweep:%s&limit=1000" % grid_sweep["id"])[2]["jobs"]


try:
    run_tests(globals())
finally:
    srv.stop()
