"""Benchmark: trivial jobs completed per second, end to end, with all workers.

    /usr/bin/python3 bench/jobs_throughput.py build/src/basin

One sweep of N trivial langevin jobs (1 particle, 1 step) is submitted; the clock runs
from its 202 until the queue is empty. Every job is claimed (a write transaction),
heartbeated if it lasts, run, and finished with its result (a second write transaction),
so this measures the queue, not the model. Reference in the same run: the same number of
bare `basin run` invocations would cost a process start each; instead we report the
per-job overhead in milliseconds for both --sync full and --sync normal.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from basin_harness import Server  # noqa: E402

N = 3000

if __name__ == "__main__":
    for sync in ("full", "normal"):
        srv = Server(extra=["--sync", sync, "--log-level", "warn"]).start()
        try:
            body = {"kind": "langevin", "base": {"particles": 1, "steps": 1, "record_every": 1},
                    "random": {"n": N, "params": {"temperature": {"uniform": [0.5, 2]}}}}
            t0 = time.perf_counter()
            status, _, sw = srv.request("POST", "/v1/sweeps", body, timeout=300)
            assert status == 202, sw
            t_submit = time.perf_counter() - t0
            while True:
                q = srv.request("GET", "/v1/health")[2]["queue"]
                if q["queued"] + q["running"] == 0:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - t0
        finally:
            srv.stop()
        print("sync=%-6s %d jobs: sweep 202 after %.2f s; all done after %.2f s: %.0f jobs/s "
              "(%.2f ms per job, %d workers)" % (sync, N, t_submit, elapsed, N / elapsed,
                                                 1000 * elapsed / N, srv.workers))
