"""Benchmark: memory-space search and batch insert, against NumPy and the machine's memory
bandwidth, in the same script.

    /usr/bin/python3 bench/memory_search.py build/src/basin [N] [D]

N memories (default 100 000) of D dims (default 384), random unit means with the derived
variance, are inserted through HTTP in batches of 1000 on one keep-alive connection
(memories per second: parsing, validation, the derived variance, the SQL transaction with
FTS and history rows, and the cache update; the client's bodies are prepared before the
clock starts), once with vectors as JSON numbers and once as base64 float32.
Then top-10 searches with one channel, `fisher_rao` and `cosine`, through
POST /v1/spaces/{name}/search on a keep-alive connection:

- latency: median over 20 queries of the HTTP round trip, and of the model's own
  `elapsed_ms` (the scan, the rerank and the JSON of the results);
- stage: the default (`auto`: above 20 000 memories a compact candidate scan, int8 means
  and bfloat16 deviations, then an exact rerank) and `exact` (the float32 scan);
- NumPy: the same metric vectorised over the same float32 arrays (X @ q with precomputed
  norms; the Fisher-Rao closed form elementwise), then argpartition for the top 10 —
  median over 5 runs; ratio NumPy / basin;
- bandwidth: the single-thread read bandwidth of this machine, measured here as the best
  of several NumPy reductions over a 512 MiB array, and the ratio of basin's latency to
  bytes_scanned / bandwidth (1.0 = at the bandwidth; the aim is ≤ 2).
"""
import base64
import http.client
import json
import os
import statistics
import sys
import time

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from basin_harness import Server  # noqa: E402

N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
D = int(sys.argv[3]) if len(sys.argv) > 3 else 384
BATCH = 1000


def post(conn, path, body):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    conn.request("POST", path, data, {"Content-Type": "application/json"})
    r = conn.getresponse()
    payload = r.read()
    if r.status not in (200, 201):
        raise RuntimeError("%s: %d %s" % (path, r.status, payload[:400]))
    return json.loads(payload)


def variance_rule(X):
    amax = numpy.max(numpy.abs(X), axis=1, keepdims=True)
    rho2 = numpy.sum(X.astype(numpy.float64) ** 2, axis=1, keepdims=True) / X.shape[1]
    return (rho2 * 10.0 ** (-numpy.abs(X) / amax)).astype(numpy.float32)


def bandwidth():
    """Best single-thread read rate (bytes/s) over a 512 MiB array."""
    a = numpy.ones(512 * 1024 * 1024 // 8, numpy.float64)
    best = 0.0
    for fn in (numpy.sum, numpy.max, lambda x: numpy.add.reduce(x.view(numpy.int64))):
        for _ in range(3):
            t0 = time.perf_counter()
            fn(a)
            best = max(best, a.nbytes / (time.perf_counter() - t0))
    return best


def numpy_scans(X, S, q, qs):
    norms = numpy.linalg.norm(X, axis=1)
    qn = numpy.linalg.norm(q)

    def cosine():
        s = (X @ q) / (norms * qn)
        i = numpy.argpartition(-s, 10)[:10]
        return i[numpy.argsort(-s[i])]

    def fisher_rao():
        delta = ((X - q) ** 2 + 2 * (S - qs) ** 2) / (4 * S * qs)
        d2 = numpy.sum((numpy.sqrt(2) * numpy.arccosh(1 + delta)) ** 2, axis=1)
        i = numpy.argpartition(d2, 10)[:10]
        return i[numpy.argsort(d2[i])]

    out = {}
    for name, fn in (("cosine", cosine), ("fisher_rao", fisher_rao)):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            top = fn()
            times.append(time.perf_counter() - t0)
        out[name] = (statistics.median(times), top)
    return out


def main():
    rng = numpy.random.default_rng(1)
    X = rng.normal(size=(N, D)).astype(numpy.float32)
    X /= numpy.linalg.norm(X, axis=1, keepdims=True)
    V = variance_rule(X)
    S = numpy.sqrt(V)
    bodies, bodies64 = [], []
    for start in range(0, N, BATCH):
        rows = range(start, min(N, start + BATCH))
        bodies.append('{"memories":[' + ",".join(
            '{"vector":[' + ",".join("%.9g" % x for x in X[i]) + "]}" for i in rows) + "]}")
        bodies64.append('{"memories":[' + ",".join(
            '{"vector":"%s"}' % base64.b64encode(X[i].astype("<f4").tobytes()).decode() for i in rows)
            + "]}")

    srv = Server(workers=1, extra=["--sync", "normal", "--log-level", "warn"]).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=600)
        # Insert rate with base64 vectors into a scratch space (then dropped), and with JSON
        # numbers into the benchmark space.
        post(conn, "/v1/spaces", {"name": "scratch", "dim": D})
        t0 = time.perf_counter()
        for body in bodies64:
            post(conn, "/v1/spaces/scratch/memories", body)
        insert64_s = time.perf_counter() - t0
        conn.request("DELETE", "/v1/spaces/scratch")
        conn.getresponse().read()
        post(conn, "/v1/spaces", {"name": "bench", "dim": D, "metric": "fisher_rao"})
        t0 = time.perf_counter()
        for body in bodies:
            post(conn, "/v1/spaces/bench/memories", body)
        insert_s = time.perf_counter() - t0
        print("insert: %d memories x %d dims in %d requests of %d, one client: JSON numbers "
              "%.1f s = %.0f memories/s; base64 float32 %.1f s = %.0f memories/s"
              % (N, D, len(bodies), BATCH, insert_s, N / insert_s, insert64_s, N / insert64_s))

        queries = rng.normal(size=(20, D)).astype(numpy.float32)
        queries /= numpy.linalg.norm(queries, axis=1, keepdims=True)
        qvars = variance_rule(queries)
        post(conn, "/v1/spaces/bench/search", {"vector": [float(x) for x in queries[0]], "k": 10})  # load
        ref = numpy_scans(X, S, queries[0], numpy.sqrt(qvars[0]))
        bw = bandwidth()
        print("memory bandwidth (single-thread read, best of NumPy reductions): %.2f GB/s" % (bw / 1e9))
        for channel in ("fisher_rao", "cosine"):
            np_s, np_top = ref[channel]
            print("numpy %-10s vectorised scan + argpartition: %.1f ms" % (channel, np_s * 1e3))
            for stage in ("auto", "exact"):
                http_ms, model_ms, bytes_scanned, overlap = [], [], 0, 0
                for qi in range(len(queries)):
                    body = json.dumps({"vector": [float(x) for x in queries[qi]],
                                       "variance": [float(x) for x in qvars[qi]], "k": 10,
                                       "channels": {channel: 1}, "stage": stage})
                    t0 = time.perf_counter()
                    r = post(conn, "/v1/spaces/bench/search", body)
                    http_ms.append((time.perf_counter() - t0) * 1e3)
                    model_ms.append(r["elapsed_ms"])
                    bytes_scanned = r["bytes_scanned"]
                    if qi == 0:  # the same top 10 as NumPy?
                        got = {h["id"] for h in r["results"]}
                        overlap = len(got & set(ids_of(srv, np_top)))
                stage_name = r["stage"]
                h, m = statistics.median(http_ms), statistics.median(model_ms)
                bound_ms = bytes_scanned / bw * 1e3
                print("basin %-10s stage=%-17s http %.2f ms, scan+rerank %.2f ms, %.1f MB scanned "
                      "(bandwidth bound %.2f ms, ratio %.2f); numpy/basin %.1fx; top-10 overlap "
                      "with numpy %d/10"
                      % (channel, stage_name, h, m, bytes_scanned / 1e6, bound_ms, h / bound_ms,
                         np_s * 1e3 / h, overlap))
    finally:
        srv.stop()


_id_cache = {}


def ids_of(srv, rows):
    """Memory ids of the given insertion rows (memories are listed in insertion order)."""
    if not _id_cache:
        cursor = None
        while True:
            path = "/v1/spaces/bench/memories?limit=1000" + ("&cursor=" + cursor if cursor else "")
            _, _, page = srv.request("GET", path)
            for m in page["memories"]:
                _id_cache[len(_id_cache)] = m["id"]
            cursor = page["next_cursor"]
            if not cursor:
                break
    return [_id_cache[int(i)] for i in rows]


if __name__ == "__main__":
    main()
