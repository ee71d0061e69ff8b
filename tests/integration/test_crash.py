"""Crash test (architecture.md, queue semantics): a few hundred accepted jobs survive
several kill -9 of the server at random moments; after restarts every job ends
succeeded exactly once, with one stored result and its attempts counted.
Run: python3 test_crash.py path/to/basin"""
import random
import sqlite3
import time

from basin_harness import Server, run_tests

N_JOBS = 300
KILLS = 4


def test_kill9_several_times_nothing_lost_nothing_duplicated():
    rng = random.Random(20261122)
    srv = Server(workers=2, extra=["--lease", "30"]).start()
    accepted = []
    # ~20 ms of work each, so kills land while jobs run.
    for i in range(N_JOBS):
        params = {"particles": 20000, "steps": 60, "seed": i}
        # max_attempts above KILLS + 1: no job can run out of attempts in this test.
        status, _, job = srv.submit("langevin", params, max_attempts=10)
        assert status == 202, job
        accepted.append(job["id"])
    kills = 0
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.2, 0.9))
        srv.kill9()
        kills += 1
        srv.start()
    deadline = time.time() + 180
    while time.time() < deadline:
        h = srv.request("GET", "/v1/health")[2]["queue"]
        if h["queued"] == 0 and h["running"] == 0:
            break
        time.sleep(0.2)
    srv.stop()
    con = sqlite3.connect(srv.db)
    rows = dict(con.execute("SELECT id, status FROM jobs").fetchall())
    attempts = dict(con.execute("SELECT id, attempts FROM jobs").fetchall())
    results = [r[0] for r in con.execute("SELECT job_id FROM results")]
    con.close()
    assert kills == KILLS
    assert sorted(rows) == sorted(accepted), "jobs lost or invented"
    assert all(s == "succeeded" for s in rows.values()), {s for s in rows.values()}
    assert sorted(results) == sorted(accepted), "a job without, or with more than one, result"
    # Some runs were interrupted and counted: more attempts than jobs, none over the cap.
    assert sum(attempts.values()) > N_JOBS and max(attempts.values()) <= KILLS + 1, (
        sum(attempts.values()), max(attempts.values()))


run_tests(globals())
