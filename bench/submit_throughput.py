"""Benchmark: durable submits per second, one client against many, in the same script.

    /usr/bin/python3 bench/submit_throughput.py build/src/basin

Each POST /v1/jobs is answered only after its job is committed with synchronous=FULL,
so one client is bound by one fsync per submit. Concurrent submits share a commit (group
commit); the ratio "16 clients / 1 client" measures how much of that cost they share.
Jobs carry a far-future run_after so that workers do not run them and only the submit
path is measured. Keep-alive HTTP/1.1 connections, one per client thread.
"""
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from basin_harness import Server  # noqa: E402

BODY = json.dumps({"kind": "langevin", "params": {"particles": 10, "steps": 10, "seed": 1},
                   "run_after": "2099-01-01T00:00:00Z"})


def client(port, n, latencies):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("POST", "/v1/jobs", BODY, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 202, r.status
        latencies.append(time.perf_counter() - t0)
    conn.close()


def rate(port, clients, per_client):
    latencies = []
    threads = [threading.Thread(target=client, args=(port, per_client, latencies))
               for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return clients * per_client / elapsed, latencies[len(latencies) // 2]


if __name__ == "__main__":
    for sync in ("full", "normal"):
        srv = Server(workers=1, extra=["--sync", sync, "--log-level", "warn"]).start()
        try:
            one, lat1 = rate(srv.port, 1, 300)
            many, latn = rate(srv.port, 16, 100)
        finally:
            srv.stop()
        print("sync=%-6s 1 client: %7.0f submits/s (median %.2f ms)   16 clients: %7.0f "
              "submits/s (median %.2f ms)   ratio %.1f" % (sync, one, lat1 * 1e3, many,
                                                         latn * 1e3, many / one))
