"""Integration tests of the HTTP API (api/openapi.yaml, ../shared/design/api.md): a real
`basin serve` on loopback, real HTTP. Run: python3 test_api.py path/to/basin"""
import io
import json
import math
import os
import time

import jsonschema
import numpy
import yaml

from basin_harness import Server, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
srv = Server(workers=2).start()

with open(os.path.join(HERE, "..", "..", "api", "openapi.yaml")) as f:
    SPEC = yaml.safe_load(f)


def shape(name, obj):
    """Asserts that obj matches components/schemas/<name> of api/openapi.yaml."""
    schema = {"$ref": "#/components/schemas/" + name}
    resolver = jsonschema.RefResolver.from_schema(SPEC)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(obj)
    return obj

OU = {"energy": {"type": "harmonic", "k": 1.0}, "dim": 2, "particles": 4000, "steps": 200,
      "dt": 0.01, "temperature": 1.0, "seed": 7}
# A run long enough to be caught while running (~10 s or more on one core).
LONG = {"energy": {"type": "harmonic", "k": 1.0}, "dim": 3, "particles": 200000,
        "steps": 20000, "dt": 0.001, "seed": 3}


def test_health_and_models():
    status, _, body = srv.request("GET", "/v1/health")
    assert status == 200 and body["status"] == "ok" and body["db"] == "ok", body
    shape("Health", body)
    assert body["workers"]["total"] == 2
    status, _, body = srv.request("GET", "/v1/models")
    shape("ModelList", body)
    kinds = {m["kind"] for m in body["models"]}
    assert {"hopfield", "langevin"} <= kinds, kinds
    status, _, m = srv.request("GET", "/v1/models/hopfield")
    assert status == 200 and m["params_schema"]["type"] == "object"
    assert "n" in m["params_schema"]["properties"], m["params_schema"]
    status, _, p = srv.request("GET", "/v1/models/nope")
    assert status == 404 and p["code"] == "not_found"


def test_openapi_matches_route_table():
    """Every route in api/openapi.yaml is served, and methods it does not list get 405."""
    status, headers, raw = srv.request("GET", "/v1/openapi.yaml")
    assert status == 200 and headers["Content-Type"].startswith("application/yaml")
    served = yaml.safe_load(raw)
    with open(os.path.join(HERE, "..", "..", "api", "openapi.yaml")) as f:
        assert yaml.safe_load(f) == served
    methods = {"get", "post", "put", "patch", "delete"}
    fake_id = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    for path, item in served["paths"].items():
        concrete = path.replace("{id}", fake_id).replace("{kind}", "hopfield").replace(
            "{name}", "state")
        listed = {m for m in item if m in methods}
        assert listed, path
        for m in methods:
            ok = item.get(m, {}).get("responses", {}).get("200", {}).get("content", {})
            if "text/event-stream" in ok:
                continue  # an endless stream: exercised by the events test
            status, headers, body = srv.request(m.upper(), concrete, raw=b"" if m in ("post", "put", "patch") else None)
            if m in listed:
                # Routed: any answer but "no such route" or "method not allowed".
                assert status != 405, (m, path, body)
                assert not (status == 404 and "no route" in body.get("detail", "")), (m, path)
            else:
                assert status == 405, (m, path, status)
                allow = {a.strip().lower() for a in headers["Allow"].split(",")}
                assert allow == listed, (path, allow, listed)


def test_submit_wait_langevin_ou():
    status, headers, job = srv.submit("langevin", OU, wait=30)
    assert status == 200, (status, job)
    shape("JobWithResult", job)
    assert job["status"] == "succeeded" and job["attempts"] == 1
    assert headers["Location"] == "/v1/jobs/" + job["id"]
    assert job["params"]["particles"] == 4000 and job["params"]["seed"] == 7
    summary = job["result"]["summary"]
    # Closed form (Ornstein-Uhlenbeck from the origin, k = T = 1, t = 2):
    # variance T/k (1 - e^{-2kt}); 5 sigma of the sample variance with M = 4000 per dim.
    exact = 1.0 - math.exp(-4.0)
    assert abs(summary["variance_exact"] - exact) < 1e-12, summary
    assert abs(summary["variance"] - exact) < 5 * exact * math.sqrt(2 / 4000) + 0.01, summary
    assert job["result"]["seed"] == 7


def test_same_seed_same_result():
    a = srv.submit("langevin", OU, wait=30)[2]
    b = srv.submit("langevin", OU, wait=30)[2]
    assert a["result"]["summary"] == b["result"]["summary"]
    ra = srv.request("GET", "/v1/jobs/%s/series" % a["id"])
    rb = srv.request("GET", "/v1/jobs/%s/series" % b["id"])
    assert ra[0] == 200 and rb[0] == 200, (ra, rb)
    sa, sb = ra[2], rb[2]
    assert "mean" in sa["series"], sa
    for name in sa["series"]:
        assert sa["series"][name] == sb["series"].get(name), (name, a["id"], b["id"])
    assert sa == sb


def test_hopfield_poll_result_series_artifacts():
    params = {"n": 500, "patterns": 10, "cue": {"pattern": 0, "flip": 0.1}, "seed": 1}
    status, headers, job = srv.submit("hopfield", params)
    assert status == 202 and job["status"] in ("queued", "running", "succeeded"), job
    shape("Job", job)
    job = srv.wait_status(job["id"], {"succeeded"}, 30)
    assert job["summary"]["final_overlap"] >= 0.99, job["summary"]
    status, _, result = srv.request("GET", "/v1/jobs/%s/result" % job["id"])
    assert status == 200 and result["kind"] == "hopfield"
    shape("Result", result)
    names = {a["name"]: a for a in result["artifacts"]}
    assert names["state"]["shape"] == [500], names
    status, _, series = srv.request("GET", "/v1/jobs/%s/series?names=overlap&max_points=2" % job["id"])
    shape("SeriesSet", series)
    ov = series["series"]["overlap"]
    assert list(series["series"]) == ["overlap"] and len(ov["step"]) == 2, series
    status, headers, csv = srv.request("GET", "/v1/jobs/%s/series?format=csv" % job["id"])
    assert headers["Content-Type"].startswith("text/csv") and csv.startswith(b"series,step,value\n")
    # The artifact in three encodings, all equal.
    _, _, as_json = srv.request("GET", names["state"]["href"])
    _, h, as_npy = srv.request("GET", names["state"]["href"], headers={"Accept": "application/x-npy"})
    assert h["Content-Type"] == "application/x-npy"
    arr = numpy.load(io.BytesIO(as_npy))
    assert arr.dtype == numpy.int8 and arr.shape == (500,) and arr.tolist() == as_json
    _, _, as_csv = srv.request("GET", names["state"]["href"] + "?format=csv")
    assert [int(x) for x in as_csv.split()] == as_json
    status, _, p = srv.request("GET", "/v1/jobs/%s/artifacts/nope" % job["id"])
    assert status == 404 and p["code"] == "not_found"


def test_validation_problems():
    status, h, p = srv.submit("hopfield", {"n": -3, "bogus": 1, "rule": "nope"})
    assert status == 422 and p["code"] == "validation", p
    shape("Problem", p)
    assert h["Content-Type"].startswith("application/problem+json")
    pointers = {e["pointer"] for e in p["errors"]}
    assert {"/params/n", "/params/bogus", "/params/rule"} <= pointers, pointers
    status, _, p = srv.submit("nope", {})
    assert status == 422 and p["code"] == "unknown_kind" and p["errors"][0]["pointer"] == "/kind"
    status, _, p = srv.request("POST", "/v1/jobs", raw=b'{"kind": ', headers={"Content-Type": "application/json"})
    assert status == 400 and p["code"] == "invalid_json", p
    status, _, p = srv.request("POST", "/v1/jobs", raw=b'{}', headers={"Content-Type": "text/plain"})
    assert status == 415 and p["code"] == "unsupported_media_type"
    # 9 MiB sent chunked (no Content-Length to refuse early): counted while read, then 413.
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    conn.request("POST", "/v1/jobs", body=iter([b"[" * (1 << 20)] * 9),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["code"] == "payload_too_large"
    conn.close()
    status, _, p = srv.request("POST", "/v1/jobs", {"kind": "langevin", "params": {}, "priority": 1e300, "labels": {"a:b": "x"}, "timeout_s": -1, "run_after": "yesterday"})
    pointers = {e["pointer"] for e in p["errors"]}
    assert status == 422 and {"/priority", "/labels/a:b", "/timeout_s", "/run_after"} <= pointers, p
    status, _, p = srv.request("POST", "/v1/jobs", raw=b'[' * 100000 + b']' * 100000, headers={"Content-Type": "application/json"})
    assert status == 400 and p["code"] == "invalid_json", p
    status, _, p = srv.request("POST", "/v1/jobs?wait=1000", {"kind": "langevin", "params": {}})
    assert status == 422 and p["errors"][0]["parameter"] == "wait"
    status, _, p = srv.request("GET", "/v1/jobs/not-an-id")
    assert status == 404
    status, h, p = srv.request("PUT", "/v1/jobs")
    assert status == 405 and p["code"] == "method_not_allowed" and "POST" in h["Allow"]
    status, _, p = srv.request("GET", "/v2/nothing")
    assert status == 404 and p["code"] == "not_found"
    status, _, p = srv.request("GET", "/v1/jobs?limit=0")
    assert status == 422 and p["errors"][0]["parameter"] == "limit"


def test_list_filters_and_pagination():
    ids = []
    for i in range(5):
        status, _, job = srv.submit("langevin", dict(OU, particles=10, steps=5), labels={"batch": "pager", "i": str(i)})
        assert status == 202
        ids.append(job["id"])
    seen = []
    cursor = None
    while True:
        path = "/v1/jobs?label=batch:pager&limit=2" + ("&cursor=" + cursor if cursor else "")
        status, _, page = srv.request("GET", path)
        assert status == 200 and len(page["jobs"]) <= 2
        shape("JobList", page)
        seen += [j["id"] for j in page["jobs"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids)), (seen, ids)
    _, _, page = srv.request("GET", "/v1/jobs?label=batch:pager&label=i:3")
    assert [j["id"] for j in page["jobs"]] == [ids[3]]
    # Every filter at once, labels at their cap of 16.
    labels = "".join("&label=k%d:v" % i for i in range(16))
    status, _, page = srv.request("GET", "/v1/jobs?status=queued,running&status=failed&kind=x"
                                  "&since=2020-01-01T00:00:00Z&until=2099-01-01T00:00:00Z"
                                  "&limit=5" + labels)
    assert status == 200 and page["jobs"] == [], (status, page)
    status, _, p = srv.request("GET", "/v1/jobs?cursor=7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert status == 422 and p["errors"][0]["parameter"] == "cursor", p
    status, _, p = srv.request("GET", "/v1/jobs?" + labels[1:] + "&label=k16:v")
    assert status == 422 and p["errors"][0]["parameter"] == "label"
    _, _, page = srv.request("GET", "/v1/jobs?kind=hopfield&limit=1000")
    assert all(j["kind"] == "hopfield" for j in page["jobs"])


def test_blocking_requests_do_not_hold_up_quick_ones():
    """Requests that block run on pool threads, never on the event threads that serve every
    connection: while eight ?wait=2 submits wait (their jobs are not due until 2099),
    health and job reads answer at once, and each waiter gets its 202 after its wait."""
    import threading
    waited = []

    def waiter():
        t0 = time.time()
        status, _, body = srv.submit("langevin", {"particles": 10, "steps": 5}, wait=2,
                                     run_after="2099-01-01T00:00:00Z")
        waited.append((status, body.get("status"), time.time() - t0))

    threads = [threading.Thread(target=waiter) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t0 = time.time()
    for _ in range(20):
        assert srv.request("GET", "/v1/health")[0] == 200
    quick = time.time() - t0
    for t in threads:
        t.join()
    assert quick < 1.0, "20 health reads took %.2f s while submits waited" % quick
    assert len(waited) == 8
    for status, job_status, seconds in waited:
        assert status == 202 and job_status == "queued" and 1.9 < seconds < 10, (status, job_status, seconds)


def test_submit_answer_is_the_stored_row():
    """The 202 is rendered from what was committed, not read back: it must equal a read."""
    status, h, job = srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z", priority=7,
                                labels={"who": "me"}, timeout_s=12.5, max_attempts=4)
    assert status == 202 and h["Location"] == "/v1/jobs/" + job["id"]
    assert srv.job(job["id"]) == job
    status, _, job = srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z")
    assert status == 202 and srv.job(job["id"]) == job and job["labels"] == {}


def test_health_counts_follow_writes_at_once():
    """Health reuses a queue snapshot only while the server has written nothing since."""
    before = srv.request("GET", "/v1/health")[2]["queue"]["queued"]
    srv.request("GET", "/v1/health")  # a second probe: may come from the snapshot
    srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z")
    after = srv.request("GET", "/v1/health")[2]["queue"]["queued"]
    assert after == before + 1, (before, after)


def test_finished_job_reads_are_cached_but_never_stale():
    job = srv.submit("langevin", dict(OU, particles=10, steps=5), wait=30)[2]
    first = srv.request("GET", "/v1/jobs/" + job["id"])
    again = srv.request("GET", "/v1/jobs/" + job["id"])
    assert first[0] == again[0] == 200 and first[2] == again[2] and first[2]["status"] == "succeeded"
    assert first[1]["ETag"] == again[1]["ETag"]
    status, h, body = srv.request("GET", "/v1/jobs/" + job["id"], headers={"If-None-Match": first[1]["ETag"]})
    assert status == 304 and not body and h["ETag"] == first[1]["ETag"]
    assert srv.request("DELETE", "/v1/jobs/" + job["id"])[0] == 204
    assert srv.request("GET", "/v1/jobs/" + job["id"])[0] == 404


def test_cancel_queued_and_running():
    status, _, job = srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z")
    assert status == 202 and job["status"] == "queued"
    status, _, job = srv.request("POST", "/v1/jobs/%s/cancel" % job["id"])
    assert status == 200 and job["status"] == "cancelled", job
    status, _, p = srv.request("POST", "/v1/jobs/%s/cancel" % job["id"])
    assert status == 409
    status, _, job = srv.submit("langevin", LONG)
    job = srv.wait_status(job["id"], {"running"}, 20)
    t0 = time.time()
    status, _, job = srv.request("POST", "/v1/jobs/%s/cancel" % job["id"])
    assert status == 200 and job["cancel_requested"]
    job = srv.wait_status(job["id"], {"cancelled"}, 5)
    assert time.time() - t0 < 1.5, time.time() - t0
    shape("Job", job)
    assert job["error"]["code"] == "cancelled"


def test_timeout():
    status, _, job = srv.submit("langevin", LONG, timeout_s=0.5, max_attempts=3)
    job = srv.wait_status(job["id"], {"failed"}, 20)
    assert job["error"]["code"] == "timeout" and job["attempts"] == 1, job


def test_delete():
    job = srv.submit("langevin", dict(OU, particles=10, steps=5), wait=30)[2]
    status, _, _ = srv.request("DELETE", "/v1/jobs/" + job["id"])
    assert status == 204
    assert srv.request("GET", "/v1/jobs/" + job["id"])[0] == 404
    assert srv.request("GET", "/v1/jobs/%s/series" % job["id"])[0] == 404
    queued = srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z")[2]
    status, _, p = srv.request("DELETE", "/v1/jobs/" + queued["id"])
    assert status == 409 and p["code"] == "conflict"


def test_result_conflict_while_queued():
    queued = srv.submit("langevin", OU, run_after="2099-01-01T00:00:00Z")[2]
    status, _, p = srv.request("GET", "/v1/jobs/%s/result" % queued["id"])
    assert status == 409 and p["code"] == "conflict"


def test_kill9_during_run_then_restart():
    """A job accepted (202) survives kill -9: after a restart it runs again and finishes,
    with attempts = 2 and one stored result."""
    s = Server(workers=1, extra=["--lease", "30"]).start()
    job = s.submit("langevin", dict(LONG, particles=50000, steps=3000))[2]
    s.wait_status(job["id"], {"running"}, 20)
    s.kill9()
    s.start()
    job = s.wait_status(job["id"], {"succeeded"}, 120)
    assert job["attempts"] == 2, job
    status, _, result = s.request("GET", "/v1/jobs/%s/result" % job["id"])
    assert status == 200 and result["summary"]["steps"] == 3000
    s.stop()


def test_sigterm_requeues_then_finishes():
    s = Server(workers=1, extra=["--grace", "0.2"]).start()
    job = s.submit("langevin", dict(LONG, particles=50000, steps=3000))[2]
    s.wait_status(job["id"], {"running"}, 20)
    assert s.terminate() == 0
    s.start()
    job = s.wait_status(job["id"], {"succeeded"}, 120)
    assert job["attempts"] == 1, job  # shutdown gives the attempt back
    s.stop()


def test_metrics_prometheus_text():
    srv.submit("langevin", dict(OU, particles=10, steps=5), wait=30)
    srv.request("GET", "/v2/nothing")
    status, h, text = srv.request("GET", "/metrics")
    assert status == 200 and h["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = text.decode().splitlines()
    samples = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)  # every sample line is "name{labels} number"
    assert samples['basin_jobs{kind="langevin",status="succeeded"}'] >= 1
    assert samples['basin_http_requests_total{route="/v1/jobs",code="200"}'] >= 1
    assert samples['basin_http_requests_total{route="unmatched",code="404"}'] >= 1
    assert samples["basin_workers"] == 2
    assert samples['basin_run_duration_seconds_count{kind="langevin"}'] >= 1
    assert samples['basin_claim_latency_seconds_bucket{le="+Inf"}'] == samples["basin_claim_latency_seconds_count"]


def read_events(path, headers=None, timeout=30):
    """Reads a server-sent event stream to its end: a list of (id, event, data)."""
    import json as _json
    import urllib.request
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (srv.port, path), headers=headers or {})
    events, current = [], {}
    with urllib.request.urlopen(req, timeout=timeout) as r:
        assert r.headers["Content-Type"] == "text/event-stream"
        for raw in r:
            line = raw.decode().rstrip("\n")
            if not line:
                if current:
                    events.append((current["id"], current["event"], _json.loads(current["data"])))
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = value
    return events


def test_job_events_stream_and_resume():
    status, _, job = srv.submit("langevin", dict(LONG, particles=20000, steps=2000))
    events = read_events("/v1/jobs/%s/events" % job["id"])
    kinds = [e[1] for e in events]
    assert kinds[-2:] == ["status", "series"] and events[-2][2]["status"] == "succeeded", kinds
    assert "mean" in events[-1][2] and events[-1][2]["mean"]["step"] == 2000
    positions = [(int(i.split("-")[0]), i.split("-")[1]) for i, _, _ in events[:-1]]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    # Resuming after the first event gives what came later, ending the same way.
    later = read_events("/v1/jobs/%s/events" % job["id"], {"Last-Event-ID": events[0][0]})
    assert later and later[0][0] > events[0][0] and later[-1][1] == "series"
    assert srv.request("GET", "/v1/jobs/01JAAAAAAAAAAAAAAAAAAAAAAA/events")[0] == 404


def test_newer_schema_refused():
    import sqlite3
    s = Server()
    con = sqlite3.connect(s.db)
    con.execute("PRAGMA user_version = 999")
    con.close()
    try:
        s.start(timeout=3)
        raise AssertionError("a database from a newer basin was accepted")
    except RuntimeError as e:
        assert "newer" in str(e), e


def test_server_stops_cleanly():
    """Last: SIGTERM ends the shared server with status 0 (under ASan, also no leak)."""
    status = srv.stop()
    assert status == 0, "exit status %s: %s" % (status, srv.read_log()[-3000:])


try:
    run_tests(globals())
finally:
    srv.stop()
