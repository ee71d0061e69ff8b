"""Benchmark: memory-space search and batch insert, against NumPy and the machine's memory
bandwidth, in the same script.

    /usr/bin/python3 bench/memory_search.py build/src/basin [N] [D]

N memories (default 100 000) of D dims (default 384), random unit means with the derived
variance, are inserted through HTTP in batches of 1000 on one keep-alive connection
(memories per second: parsing, validation, the derived variance, the SQL transaction with
FTS and history rows, and the cache update; the client's bodies are prepared before the
clock starts), once with vectors as JSON numbers and once as base64 float32.
Then top-10 searches with one channel, `fisher_rao` and `cosine`, through
POST /v1/spaces/{name}/search on a keep-alive connection, 20 queries, each timed on every
side in turn (basin auto, basin exact, then NumPy on the same query), so that a busy
machine weighs on all sides alike:

- latency: median and best over the queries of the HTTP round trip (what a client sees:
  parsing, the scan, the rerank, the JSON both ways), and the model's own `elapsed_ms`.
  The query vector and variance go as base64 float32 (the API's compact form, as a client
  that cares for latency sends them); the auto stage is also timed with them as JSON
  numbers (decimal parsing of 2 × D numbers on the server);
- stage: the default (`auto`: above 20 000 memories a scan of a compact copy — 4-bit means
  for cosine, the 8-bit features of the local Fisher form for fisher_rao — then an exact
  float32 rerank of its candidates; for cosine from 50 000 memories the 4-bit scan reads
  only the rows a 2-bit fast scan keeps) and `exact` (the float32 scan of every memory);
- NumPy: the same metric vectorised over the same float32 arrays, then argpartition for the
  top 10: cosine as X @ q with precomputed norms; Fisher-Rao by its closed form
  elementwise, both over the whole array and in blocks of 512 rows (whose temporaries stay
  in cache; usually the faster), basin compared with the faster of the two. Ratios NumPy /
  basin of the medians and of the bests; top-10 overlap with NumPy averaged over queries;
- bandwidth: the single-thread read bandwidth of this machine, measured here as the best
  of several NumPy reductions over a 512 MiB array, and the ratio of basin's latency to
  bytes_scanned / bandwidth (1.0 = at the bandwidth; the aim is ≤ 2), for the HTTP round
  trip and for the model's own time (the scans; the HTTP part does not read the space).
  basin scans large spaces on up to one thread per core, so it can beat this
  single-thread bound.
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


def b64(v):
    """A vector as the API's compact form: base64 of little-endian float32."""
    return base64.b64encode(numpy.asarray(v, "<f4").tobytes()).decode()


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


def numpy_scans(X, S, norms):
    """The NumPy references: name -> function(q, qs) giving the top 10 rows, best first."""
    def cosine(q, qs):
        s = (X @ q) / (norms * numpy.linalg.norm(q))
        i = numpy.argpartition(-s, 10)[:10]
        return i[numpy.argsort(-s[i])]

    def fr_whole(q, qs):
        delta = ((X - q) ** 2 + 2 * (S - qs) ** 2) / (4 * S * qs)
        d2 = numpy.sum((numpy.sqrt(2) * numpy.arccosh(1 + delta)) ** 2, axis=1)
        i = numpy.argpartition(d2, 10)[:10]
        return i[numpy.argsort(d2[i])]

    def fr_blocked(q, qs, B=512):
        d2 = numpy.empty(len(X), numpy.float32)
        for a in range(0, len(X), B):
            x, s = X[a:a + B], S[a:a + B]
            delta = ((x - q) ** 2 + 2 * (s - qs) ** 2) / (4 * s * qs)
            d2[a:a + B] = numpy.sum((numpy.sqrt(2) * numpy.arccosh(1 + delta)) ** 2, axis=1)
        i = numpy.argpartition(d2, 10)[:10]
        return i[numpy.argsort(d2[i])]

    return {"cosine": {"X @ q": cosine},
            "fisher_rao": {"whole array": fr_whole, "blocks of 512": fr_blocked}}


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1e3, out


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
        qsds = numpy.sqrt(qvars)
        post(conn, "/v1/spaces/bench/search", {"vector": [float(x) for x in queries[0]], "k": 10})  # load
        refs = numpy_scans(X, S, numpy.linalg.norm(X, axis=1))
        bw = bandwidth()
        print("memory bandwidth (single-thread read, best of NumPy reductions): %.2f GB/s" % (bw / 1e9))
        for channel in ("fisher_rao", "cosine"):
            http_ms = {"auto": [], "exact": []}
            model_ms = {"auto": [], "exact": []}
            scanned, stage_name, overlap = {}, {}, {"auto": 0, "exact": 0}
            np_ms = {name: [] for name in refs[channel]}
            json_ms = []
            for qi in range(len(queries)):
                as_numbers = {"vector": [float(x) for x in queries[qi]],
                              "variance": [float(x) for x in qvars[qi]], "k": 10,
                              "channels": {channel: 1}}
                body = dict(as_numbers, vector=b64(queries[qi]), variance=b64(qvars[qi]))
                ms, _ = timed(post, conn, "/v1/spaces/bench/search", json.dumps(as_numbers))
                json_ms.append(ms)
                got = {}
                for stage in ("auto", "exact"):
                    ms, r = timed(post, conn, "/v1/spaces/bench/search", json.dumps(dict(body, stage=stage)))
                    http_ms[stage].append(ms)
                    model_ms[stage].append(r["elapsed_ms"])
                    scanned[stage], stage_name[stage] = r["bytes_scanned"], r["stage"]
                    got[stage] = {h["id"] for h in r["results"]}
                top = None
                for name, fn in refs[channel].items():
                    ms, top = timed(fn, queries[qi], qsds[qi])
                    np_ms[name].append(ms)
                want = set(ids_of(srv, top))
                for stage in got:
                    overlap[stage] += len(got[stage] & want)
            for name, times in np_ms.items():
                print("numpy %-10s %-13s + argpartition: median %.1f ms, best %.1f ms"
                      % (channel, name, statistics.median(times), min(times)))
            np_med = min(statistics.median(t) for t in np_ms.values())
            print("basin %-10s stage=auto with the query as JSON numbers: http median %.2f ms; "
                  "numpy/basin %.1fx" % (channel, statistics.median(json_ms),
                                         np_med / statistics.median(json_ms)))
            np_best = min(min(t) for t in np_ms.values())
            for stage in ("auto", "exact"):
                h, m = statistics.median(http_ms[stage]), statistics.median(model_ms[stage])
                hb = min(http_ms[stage])
                bound_ms = scanned[stage] / bw * 1e3
                print("basin %-10s stage=%-17s http median %.2f ms (best %.2f), model %.2f ms, %.1f MB "
                      "scanned (bandwidth bound %.2f ms; ratio http %.2f, best %.2f, model %.2f); "
                      "numpy/basin http %.1fx (best %.1fx), model %.1fx; top-10 overlap with numpy "
                      "%.2f/10"
                      % (channel, stage_name[stage], h, hb, m, scanned[stage] / 1e6, bound_ms,
                         h / bound_ms, hb / bound_ms, m / bound_ms, np_med / h, np_best / hb,
                         np_med / m, overlap[stage] / len(queries)))
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
