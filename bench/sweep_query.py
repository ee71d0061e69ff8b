"""Benchmark: a 10 000-child sweep (time to its 202) and where+order queries over
100 000 finished jobs (latency of a page of 100), in one script.

    /usr/bin/python3 bench/sweep_query.py build/src/basin

Reference in the same run: the latency of the plain newest-first page of 100 (the
primary-key scan every list starts from), so the ratio shows what the where/order
costs on top of it. The jobs are trivial langevin runs (1 particle, 1 step) so that
100 000 of them finish in about a minute; the server runs with --sync normal for that
setup phase only.

The first listing ordered by a field indexes that field (values.h: registration and a
backfill of every job), so it is reported on its own; the latencies after it are the
median and the best of 20. A last sweep, submitted once two fields are indexed, shows
what indexing costs a submit (it is cancelled, not run).
"""
import json
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from basin_harness import Server  # noqa: E402

N_SWEEPS, PER_SWEEP = 10, 10_000


def latency(srv, path, n=20):
    """(first, median, best) in ms of n + 1 requests, and the last body."""
    times = []
    for _ in range(n + 1):
        t0 = time.perf_counter()
        status, _, body = srv.request("GET", path)
        times.append((time.perf_counter() - t0) * 1e3)
        assert status == 200, body
    return times[0], statistics.median(times[1:]), min(times[1:]), body


if __name__ == "__main__":
    srv = Server(workers=2, extra=["--sync", "normal", "--log-level", "warn"]).start()
    try:
        body = {"kind": "langevin", "base": {"particles": 1, "steps": 1, "record_every": 1},
                "random": {"n": PER_SWEEP, "params": {"temperature": {"uniform": [0.1, 10]}}}}
        submit_ms = []
        for i in range(N_SWEEPS):
            body["seed"] = i
            t0 = time.perf_counter()
            status, _, sw = srv.request("POST", "/v1/sweeps", body, timeout=300)
            submit_ms.append((time.perf_counter() - t0) * 1e3)
            assert status == 202, sw
        t0 = time.perf_counter()
        while srv.request("GET", "/v1/health")[2]["queue"]["queued"] > 0:
            time.sleep(1)
        while srv.request("GET", "/v1/health")[2]["queue"]["running"] > 0:
            time.sleep(0.1)
        run_s = time.perf_counter() - t0
        where = urllib.parse.quote("summary.variance >= 0 and params.temperature > 5")
        q = latency(srv, "/v1/jobs?where=%s&order=-params.temperature&limit=100" % where)
        o = latency(srv, "/v1/jobs?order=summary.mean&limit=100")
        base = latency(srv, "/v1/jobs?limit=100")
        body["seed"] = N_SWEEPS
        t0 = time.perf_counter()
        status, _, sw = srv.request("POST", "/v1/sweeps", body, timeout=300)
        indexed_submit_ms = (time.perf_counter() - t0) * 1e3
        assert status == 202, sw
        srv.request("POST", "/v1/sweeps/%s/cancel" % sw["id"])
        print("sweep of %d children: 202 after %.0f ms (median of %d; first %.0f ms; best %.0f ms)"
              % (PER_SWEEP, statistics.median(submit_ms), N_SWEEPS, submit_ms[0], min(submit_ms)))
        print("the same with params.temperature and summary.mean indexed: 202 after %.0f ms"
              % indexed_submit_ms)
        print("%d trivial jobs ran in %.1f s (%.0f jobs/s, 2 workers)"
              % (N_SWEEPS * PER_SWEEP, run_s, N_SWEEPS * PER_SWEEP / run_s))
        print("where+order page of 100 over %d jobs: %.1f ms median, %.1f ms best "
              "(first, indexing params.temperature: %.0f ms)" % (N_SWEEPS * PER_SWEEP, q[1], q[2], q[0]))
        print("order by a summary value, page of 100: %.1f ms median, %.1f ms best "
              "(first, indexing summary.mean: %.0f ms)" % (o[1], o[2], o[0]))
        print("plain newest-first page of 100: %.1f ms median, %.1f ms best; ratio where+order/plain %.1f"
              % (base[1], base[2], q[1] / base[1]))
        assert len(q[3]["jobs"]) == 100
    finally:
        srv.stop()
