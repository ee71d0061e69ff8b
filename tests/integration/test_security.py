"""Integration tests of tokens, Idempotency-Key and ETag (api.md: Security, Jobs):
a real server on loopback. Run: python3 test_security.py path/to/basin"""
import subprocess

from basin_harness import BASIN, Server, run_tests

JOB = {"kind": "langevin", "params": {"particles": 10, "steps": 5, "seed": 1}}


def token(srv, scope, name="t"):
    r = subprocess.run([BASIN, "token", "create", "--name", name, "--scope", scope, "--db", srv.db],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def test_tokens_scope_every_route():
    srv = Server().start()
    try:
        # No token yet: open (loopback).
        assert srv.request("GET", "/v1/jobs")[0] == 200
        read, write = token(srv, "read", "reader"), token(srv, "write", "writer")
        admin = token(srv, "admin", "root")
        assert read.startswith("bsn_") and len(read) > 40
        import time
        time.sleep(1.1)  # the server re-reads whether tokens exist once a second
        assert srv.request("GET", "/v1/health")[0] == 200  # health stays open
        for method, path, body in [("GET", "/v1/jobs", None), ("GET", "/v1/models", None),
                                   ("POST", "/v1/jobs", JOB), ("GET", "/v1/sweeps", None),
                                   ("GET", "/v1/openapi.yaml", None)]:
            status, h, p = srv.request(method, path, body)
            assert status == 401 and p["code"] == "unauthorized" and h["WWW-Authenticate"] == "Bearer", (path, status)
            status, _, p = srv.request(method, path, body, headers=auth("bsn_wrong"))
            assert status == 401, (path, status)
        status, _, p = srv.request("POST", "/v1/jobs", JOB, headers=auth(read))
        assert status == 403 and p["code"] == "forbidden" and "write" in p["detail"], p
        status, _, job = srv.request("POST", "/v1/jobs?wait=20", JOB, headers=auth(write))
        assert status == 200, job
        assert srv.request("GET", "/v1/jobs/" + job["id"], headers=auth(read))[0] == 200
        assert srv.request("DELETE", "/v1/jobs/" + job["id"], headers=auth(read))[0] == 403
        assert srv.request("DELETE", "/v1/jobs/" + job["id"], headers=auth(admin))[0] == 204
        # Revoke: refused at once.
        listing = subprocess.run([BASIN, "token", "list", "--db", srv.db], capture_output=True, text=True).stdout
        import json
        ids = {t["name"]: t["id"] for t in json.loads(listing)}
        assert "bsn_" not in listing  # secrets are never stored or shown again
        subprocess.run([BASIN, "token", "revoke", ids["writer"], "--db", srv.db], check=True)
        assert srv.request("POST", "/v1/jobs", JOB, headers=auth(write))[0] == 401
    finally:
        srv.stop()
    log = srv.read_log()
    for secret in (read, write, admin):
        assert secret not in log and secret[4:] not in log


def test_non_loopback_needs_tokens_or_flag():
    srv = Server()
    import os
    srv.port = None
    r = subprocess.run([BASIN, "serve", "--listen", "0.0.0.0:0", "--db", srv.db], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 1 and "not a loopback address" in r.stderr and "--allow-anonymous" in r.stderr, r.stderr
    assert os.path.exists(srv.db)


def test_idempotency_key():
    srv = Server().start()
    try:
        h = {"Idempotency-Key": "order-42"}
        s1, h1, j1 = srv.request("POST", "/v1/jobs", JOB, headers=h)
        s2, h2, j2 = srv.request("POST", "/v1/jobs", JOB, headers=h)
        assert s1 == 202 and s2 == 202 and j1["id"] == j2["id"], (j1, j2)
        assert h2.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in h1
        other = dict(JOB, params={"particles": 11, "steps": 5, "seed": 1})
        s3, _, p = srv.request("POST", "/v1/jobs", other, headers=h)
        assert s3 == 422 and p["errors"][0]["parameter"] == "Idempotency-Key", p
        # A request that fails validation does not use up its key.
        bad = {"Idempotency-Key": "bad-1"}
        assert srv.request("POST", "/v1/jobs", {"kind": "nope"}, headers=bad)[0] == 422
        assert srv.request("POST", "/v1/jobs", JOB, headers=bad)[0] == 202
        assert srv.request("POST", "/v1/jobs", JOB, headers={"Idempotency-Key": ""})[0] == 422
        jobs = srv.request("GET", "/v1/jobs?limit=1000")[2]["jobs"]
        assert len(jobs) == 2, [j["id"] for j in jobs]
    finally:
        srv.stop()


def test_etag_if_none_match():
    srv = Server().start()
    try:
        job = srv.request("POST", "/v1/jobs?wait=20", JOB)[2]
        status, h, body = srv.request("GET", "/v1/jobs/" + job["id"])
        etag = h["ETag"]
        assert status == 200 and etag.startswith('"')
        status, h2, body2 = srv.request("GET", "/v1/jobs/" + job["id"], headers={"If-None-Match": etag})
        assert status == 304 and not body2 and h2["ETag"] == etag
        status, _, _ = srv.request("GET", "/v1/jobs/" + job["id"], headers={"If-None-Match": '"other"'})
        assert status == 200
    finally:
        srv.stop()


def test_cors_preflight_and_request_id():
    srv = Server(extra=["--cors-origin", "https://dash.example"]).start()
    try:
        status, h, _ = srv.request("OPTIONS", "/v1/jobs", headers={"Origin": "https://dash.example"})
        assert status == 204 and h["Access-Control-Allow-Origin"] == "https://dash.example"
        assert set(h["Access-Control-Allow-Methods"].split(", ")) == {"GET", "POST"}
        assert "Idempotency-Key" in h["Access-Control-Allow-Headers"]
        status, h, _ = srv.request("GET", "/v1/health", headers={"X-Request-Id": "abc-1"})
        assert h["X-Request-Id"] == "abc-1" and h["Access-Control-Allow-Origin"] == "https://dash.example"
        status, h, _ = srv.request("GET", "/v1/health", headers={"X-Request-Id": "bad id\u00e9"[:6]})
        assert h["X-Request-Id"] != "bad id" and len(h["X-Request-Id"]) == 26
    finally:
        srv.stop()
    assert '"request_id":"abc-1"' in srv.read_log()
    plain = Server().start()
    try:
        assert plain.request("OPTIONS", "/v1/jobs")[0] == 405  # no CORS configured
    finally:
        plain.stop()


def test_gc_deletes_old_finished_jobs():
    import sqlite3
    srv = Server().start()
    try:
        done = [srv.request("POST", "/v1/jobs?wait=20", JOB)[2]["id"] for _ in range(3)]
        waiting = srv.request("POST", "/v1/jobs", dict(JOB, run_after="2099-01-01T00:00:00Z"))[2]["id"]
    finally:
        srv.stop()
    r = subprocess.run([BASIN, "gc", "--older-than", "0s", "--db", srv.db], capture_output=True, text=True)
    assert r.returncode == 0 and "deleted 3 " in r.stdout, r.stdout + r.stderr
    con = sqlite3.connect(srv.db)
    assert [x[0] for x in con.execute("SELECT id FROM jobs")] == [waiting]
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    con.close()
    assert done and subprocess.run([BASIN, "gc", "--db", srv.db], capture_output=True).returncode == 2


run_tests(globals())
