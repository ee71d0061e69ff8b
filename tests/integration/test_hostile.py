"""Hostile and broken input gets a clear RFC 9457 answer, never a crash, a hang or a 500;
database trouble (a full database) answers 503 with Retry-After and recovers without a
restart; per-token rate limits answer 429. Run: python3 test_hostile.py path/to/basin"""
import http.client
import json
import socket
import subprocess
import time

from basin_harness import BASIN, Server, run_tests

srv = Server(workers=1).start()
JSON = {"Content-Type": "application/json"}
OK = {"kind": "langevin", "params": {"particles": 10, "steps": 5, "seed": 1}}


def raw_post(path, body, headers=JSON):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.request("POST", path, body, headers)
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    return r.status, r.getheader("Content-Type", ""), payload


# (body, expected status, expected code, pointer or None)
CASES = [
    (b"", 400, "invalid_json", None),
    (b"{", 400, "invalid_json", None),
    (b"nul", 400, "invalid_json", None),
    (b'{"kind": "langevin",}', 400, "invalid_json", None),
    (b"[" * 5000 + b"]" * 5000, 400, "invalid_json", None),                      # deep nesting
    (b'{"kind": "langevin", "params": {"particles": NaN}}', 400, "invalid_json", None),
    (b'{"kind": "langevin", "params": {"particles": Infinity}}', 400, "invalid_json", None),
    (b'{"kind": "langevin", "params": {"dt": 1e999}}', 400, "invalid_json", None),   # overflow
    (b'{"kind": "langevin", "params": {"steps": 123456789012345678901234567890}}', 400, "invalid_json", None),
    (b'{"kind": "lang\xff\xfe"}', 400, "invalid_json", None),                          # invalid UTF-8
    (b'{"kind": "langevin", "kind": "hopfield"}', 400, "invalid_json", None),          # duplicate key
    (b'"just a string"', 400, "invalid_json", None),                             # not an object
    (b"[]", 422, "validation", ""),
    (b'{"kind": 7}', 422, "validation", "/kind"),
    (b'{"kind": "langevin", "params": []}', 422, "validation", "/params"),
    (b'{"kind": "langevin", "params": {"particles": "many"}}', 422, "validation", "/params/particles"),
    (b'{"kind": "langevin", "params": {"particles": -1}}', 422, "validation", "/params/particles"),
    (b'{"kind": "langevin", "params": {"particles": 1.5}}', 422, "validation", "/params/particles"),
    (b'{"kind": "langevin", "params": {"steps": 1e300}}', 422, "validation", "/params/steps"),
    (b'{"kind": "langevin", "params": {"unknown": 1}}', 422, "validation", "/params/unknown"),
    (b'{"kind": "langevin", "params": {"a/b~c": 1}}', 422, "validation", "/params/a~1b~0c"),
    (b'{"kind": "langevin", "bogus": true}', 422, "validation", "/bogus"),
    (b'{"kind": "langevin", "labels": {"k": 5}}', 422, "validation", "/labels/k"),
    (b'{"kind": "langevin", "labels": {"k": "' + b"x" * 300 + b'"}}', 422, "validation", "/labels/k"),
    (b'{"kind": "langevin", "priority": "high"}', 422, "validation", "/priority"),
    (b'{"kind": "langevin", "max_attempts": 0}', 422, "validation", "/max_attempts"),
    (b'{"kind": "langevin", "run_after": "2026-02-30T00:00:00Z"}', 422, "validation", "/run_after"),
    (b'{"kind": "\'; DROP TABLE jobs; --"}', 422, "unknown_kind", "/kind"),
    (b'{"kind": "langevin", "params": {"particles": 100000000, "steps": 1000000000}}', 422, "resource_limit", "/params/steps"),
]


def test_malformed_bodies_get_the_right_problem():
    for body, status, code, pointer in CASES:
        got, ctype, payload = raw_post("/v1/jobs", body)
        assert got == status, (body[:60], got, payload[:200])
        assert ctype.startswith("application/problem+json"), (body[:60], ctype)
        p = json.loads(payload)
        assert p["code"] == code and p["status"] == status and p["type"] == "/problems/" + code, (body[:60], p)
        if pointer is not None:
            assert pointer in [e.get("pointer") for e in p["errors"]], (body[:60], p["errors"])
    assert srv.request("GET", "/v1/health")[0] == 200  # and the server is still there


def test_paths_and_ids():
    cases = [
        ("GET", "/v1/jobs/../../etc/passwd"), ("GET", "/v1/jobs/%2e%2e%2fetc"),
        ("GET", "/v1/jobs/" + "A" * 26), ("GET", "/v1/jobs/01JAAAAAAAAAAAAAAAAAAAAAAA/artifacts/..%2f..%2fbasin.db"),
        ("GET", "/v1/jobs/1' OR '1'='1"), ("GET", "/v1/models/" + "x" * 5000), ("DELETE", "/v1/jobs/%00"),
    ]
    for method, path in cases:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        conn.request(method, path.replace(" ", "%20"))
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status == 404, (path, r.status, body[:200])
        assert json.loads(body)["code"] == "not_found"


def test_oversized_and_slow_requests_are_bounded():
    # A body larger than the limit, announced: refused before it is read.
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.putrequest("POST", "/v1/jobs")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(1 << 30))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["code"] == "payload_too_large"
    conn.close()
    # A URL and a header block beyond the connection memory limit: refused, not a crash.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    s.sendall(b"GET /v1/jobs?kind=" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(64).split(b" ")[1] in (b"414", b"431")
    s.close()
    assert srv.request("GET", "/v1/health")[0] == 200


def test_database_full_answers_503_then_recovers():
    """A size quota (--max-db-size, SQLite's max_page_count) stands in for a full disk:
    submits answer 503 with Retry-After and store nothing; deleting finished jobs frees
    pages and submits work again in the same process."""
    s = Server(workers=1, extra=["--max-db-size", "1200000"]).start()
    try:
        pad = {"pad%d" % i: "x" * 250 for i in range(30)}
        finished = [s.request("POST", "/v1/jobs?wait=20", dict(OK, labels=pad))[2]["id"] for _ in range(30)]
        status, count = 202, 0
        for _ in range(2000):
            status, h, answer = s.request("POST", "/v1/jobs", dict(OK, labels=pad, run_after="2099-01-01T00:00:00Z"))
            if status != 202:
                break
            count += 1
        assert status == 503 and answer["code"] == "unavailable" and "full" in answer["detail"], (status, answer)
        assert int(h["Retry-After"]) > 0
        before = len(s.request("GET", "/v1/jobs?limit=1000")[2]["jobs"])
        assert before == 30 + count  # the refused submit stored nothing
        assert s.request("GET", "/v1/health")[0] == 200  # reads still work
        for jid in finished:
            assert s.request("DELETE", "/v1/jobs/" + jid)[0] == 204
        status, _, job = s.request("POST", "/v1/jobs?wait=20", OK)
        assert status == 200 and job["status"] == "succeeded", (status, job)
    finally:
        s.stop()


def test_rate_limit_per_token():
    s = Server(extra=["--rate-limit", "5"]).start()
    try:
        tok = subprocess.run([BASIN, "token", "create", "--name", "r", "--scope", "read", "--db", s.db],
                             capture_output=True, text=True, check=True).stdout.strip()
        time.sleep(1.1)
        codes = [s.request("GET", "/v1/models", headers={"Authorization": "Bearer " + tok})[0] for _ in range(30)]
        assert codes[:10] == [200] * 10 and 429 in codes, codes  # burst of 2x5, then limited
        status, h, p = s.request("GET", "/v1/models", headers={"Authorization": "Bearer " + tok})
        assert status == 429 and p["code"] == "rate_limited" and int(h["Retry-After"]) >= 1
        assert s.request("GET", "/v1/health")[0] == 200  # health is never limited
    finally:
        s.stop()


def test_server_stops_cleanly():
    """Last: SIGTERM ends the shared server with status 0 (under ASan, also no leak)."""
    status = srv.stop()
    assert status == 0, "exit status %s: %s" % (status, srv.read_log()[-3000:])


try:
    run_tests(globals())
finally:
    srv.stop()
