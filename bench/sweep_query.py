"""Benchmark: a 10 000-child sweep (time to its 202) and where+order queries over
100 000 finished jobs (latency of a page of 100), in one script.

    /usr/bin/python3 bench/sweep_query.py build/src/basin

Reference in the same run: the latency of the plain newest-first page of 100 (the
primary-key scan every list starts from), so the ratio shows what the where/order
costs on top of it. The jobs are trivial langevin runs (1 particle, 1 step) so that
100 000 of them finish in about a minute; the server runs with --sync normal for that
setup phase only.
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
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _, body = srv.request("GET", path)
        times.append(time.perf_counter() - t0)
        assert status == 200, body
    return statistics.median(times) * 1e3, body


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
        q_ms, page = latency(srv, "/v1/jobs?where=%s&order=-params.temperature&limit=100" % where)
        s_ms, _ = latency(srv, "/v1/jobs?order=summary.mean&limit=100")
        base_ms, _ = latency(srv, "/v1/jobs?limit=100")
        print("sweep of %d children: 202 after %.0f ms (median of %d; first %.0f ms)"
              % (PER_SWEEP, statistics.median(submit_ms), N_SWEEPS, submit_ms[0]))
        print("%d trivial jobs ran in %.1f s (%.0f jobs/s, 2 workers)"
              % (N_SWEEPS * PER_SWEEP, run_s, N_SWEEPS * PER_SWEEP / run_s))
        print("where+order page of 100 over %d jobs: %.1f ms median" % (N_SWEEPS * PER_SWEEP, q_ms))
        print("order by a summary value, page of 100: %.1f ms median" % s_ms)
        print("plain newest-first page of 100: %.1f ms median; ratio where+order/plain %.1f"
              % (base_ms, q_ms / base_ms))
        assert len(page["jobs"]) == 100
    finally:
        srv.stop()
