"""Integration tests of memory spaces (api.md "Memory spaces", memory.md): a real server on
loopback, real HTTP. Run: /usr/bin/python3 test_spaces.py path/to/basin

References: NumPy/SciPy re-computations of what the server answers (the Fisher-Rao
closed form, cosine and Euclidean distances, the variance rule, precision addition), an
independent Python implementation of the hash embedder from its specification in
include/basin/embed.h, and a synthetic retrieval benchmark with known relevant sets.
"""
import base64
import collections
import math
import os
import re
import time

import jsonschema
import numpy
import scipy.spatial.distance
import yaml

from basin_harness import Server, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "api", "openapi.yaml")) as f:
    SPEC = yaml.safe_load(f)
srv = Server(workers=2, extra=["--sync", "normal"]).start()


def shape(name, obj):
    schema = {"$ref": "#/components/schemas/" + name}
    jsonschema.Draft202012Validator(schema, resolver=jsonschema.RefResolver.from_schema(SPEC)).validate(obj)
    return obj


def create(name, **body):
    body["name"] = name
    status, headers, sp = srv.request("POST", "/v1/spaces", body)
    assert status == 201, sp
    return shape("Space", sp)


def insert(space, memories):
    status, _, body = srv.request("POST", "/v1/spaces/%s/memories" % space, {"memories": memories})
    assert status == 201, body
    return shape("MemoryIds", body)["ids"]


def search(space, query):
    status, _, body = srv.request("POST", "/v1/spaces/%s/search" % space, query)
    assert status == 200, body
    return shape("SearchResult", body)


def problem(status_want, method, path, body, pointer, code="validation"):
    status, headers, p = srv.request(method, path, body)
    assert status == status_want, (status, p)
    assert headers["Content-Type"].startswith("application/problem+json"), headers
    shape("Problem", p)
    assert p["code"] == code, p
    if pointer is not None:
        pointers = [e.get("pointer") for e in p.get("errors", [])]
        assert pointer in pointers, (pointer, p)
    return p


# ---- the hash embedder, re-implemented from its specification (include/basin/embed.h) ----

MASK = (1 << 64) - 1


def fnv1a(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & MASK
    return h


def fmix64(h):
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & MASK
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & MASK
    h ^= h >> 33
    return h


def hash_embed(text, d):
    words = [w.lower()[:64] for w in re.findall(rb"[0-9A-Za-z\x80-\xff]+", text.encode())]
    feats = []
    for i, w in enumerate(words):
        feats.append(fmix64(fnv1a(w)))
        if i:
            feats.append(fmix64(fnv1a(w, fnv1a(b" ", fnv1a(words[i - 1])))))
    v = numpy.zeros(d, numpy.float32)
    for h, tf in sorted(collections.Counter(feats).items()):
        w = 1.0 + math.log(tf)
        v[(h >> 32) % d] += numpy.float32(-w if h & 1 else w)
    norm = math.sqrt(float(numpy.sum(v.astype(numpy.float64) ** 2)))
    return (v.astype(numpy.float64) / norm).astype(numpy.float32) if norm > 0 else v


def variance_rule(mu):
    mu = numpy.asarray(mu, numpy.float64)
    amax = numpy.max(numpy.abs(mu))
    rho2 = numpy.sum(mu ** 2) / len(mu) if amax > 0 else 1.0
    r = numpy.abs(mu) / amax if amax > 0 else numpy.zeros_like(mu)
    return numpy.clip(rho2 * 10.0 ** (-r), 1e-12, 1e12)


def fisher_rao(mu1, var1, mu2, var2):
    """Closed form (memory.md) in float64."""
    s1, s2 = numpy.sqrt(var1), numpy.sqrt(var2)
    delta = ((mu1 - mu2) ** 2 + 2 * (s1 - s2) ** 2) / (4 * s1 * s2)
    d = numpy.sqrt(2) * numpy.arccosh(1 + delta)
    return float(numpy.sqrt(numpy.sum(d ** 2)))


# ---- spaces ----------------------------------------------------------------------------------


def test_space_lifecycle():
    sp = create("life", dim=8, metric="fisher_rao")
    assert sp["dim"] == 8 and sp["embedder"] == "none" and sp["count"] == 0
    p = problem(409, "POST", "/v1/spaces", {"name": "life", "dim": 8}, "/name", code="conflict")
    assert "exists" in p["detail"]
    status, _, got = srv.request("GET", "/v1/spaces/life")
    assert status == 200 and got["metric"] == "fisher_rao"
    status, _, lst = srv.request("GET", "/v1/spaces")
    assert "life" in [s["name"] for s in shape("SpaceList", lst)["spaces"]]
    assert srv.request("DELETE", "/v1/spaces/life")[0] == 204
    assert srv.request("GET", "/v1/spaces/life")[0] == 404
    assert srv.request("DELETE", "/v1/spaces/life")[0] == 404
    problem(422, "POST", "/v1/spaces", {"name": "x", "embedder": "none"}, "/dim")
    problem(422, "POST", "/v1/spaces", {"name": "bad name!", "dim": 3}, "/name")
    problem(422, "POST", "/v1/spaces", {"name": "d", "dim": 5000}, "/dim")
    problem(422, "POST", "/v1/spaces", {"name": "m", "dim": 4, "metric": "bm25"}, "/metric")


def test_hash_embedder_matches_its_specification():
    """Reference: hash_embed above, written from the doc comment of basin_hash_embed."""
    create("hashed", embedder="hash", dim=97)
    texts = ["The quick brown fox jumps over the lazy dog", "fox fox fox",
             "Ünïcödé wörds, and ASCII; mixed-UP case 42", "a " * 300 + "b"]
    ids = insert("hashed", [{"text": t} for t in texts])
    for text, mid in zip(texts, ids):
        status, _, m = srv.request("GET", "/v1/spaces/hashed/memories/" + mid)
        assert status == 200
        shape("Memory", m)
        want = hash_embed(text, 97)
        got = numpy.array(m["vector"], numpy.float32)
        assert numpy.max(numpy.abs(got - want)) <= 1e-6, (text, numpy.max(numpy.abs(got - want)))
        # The derived variance follows the documented rule (float32 storage: 1e-6 relative).
        numpy.testing.assert_allclose(m["variance"], variance_rule(got), rtol=2e-6)
        assert m["variance_given"] is False
    problem(422, "POST", "/v1/spaces/hashed/memories", {"memories": [{"text": " ,; "}]},
            "/memories/0/text")


def test_memory_get_list_patch_history():
    create("notes", dim=3)
    ids = insert("notes", [{"vector": [1, 2, 3], "text": "first note", "meta": {"a": 1, "b": {"c": 2}},
                            "tags": ["x"], "time": "2026-01-02T03:04:05+01:00", "importance": 0.9},
                           {"vector": [0, 0, 1], "variance": [1, 2, 3]}])
    status, _, m = srv.request("GET", "/v1/spaces/notes/memories/" + ids[0])
    assert m["time"] == "2026-01-02T02:04:05.000Z" and m["importance"] == 0.9 and m["vector"] == [1, 2, 3]
    status, _, m2 = srv.request("GET", "/v1/spaces/notes/memories/%s?vectors=false" % ids[1])
    assert "vector" not in m2 and m2["variance_given"] is True
    # Pages of one.
    seen, cursor = [], None
    while True:
        path = "/v1/spaces/notes/memories?limit=1" + ("&cursor=" + cursor if cursor else "")
        status, _, page = srv.request("GET", path)
        shape("MemoryList", page)
        seen += [x["id"] for x in page["memories"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    # Merge patch of meta, tags replaced, text re-indexed.
    status, _, m = srv.request("PATCH", "/v1/spaces/notes/memories/" + ids[0],
                               {"meta": {"b": None, "d": 4}, "tags": ["y", "z"], "text": "second note",
                                "archived": True})
    assert status == 200, m
    assert m["meta"] == {"a": 1, "d": 4} and m["tags"] == ["y", "z"] and m["archived"] is True
    r = search("notes", {"text": "second", "channels": {"bm25": 1}, "filter": {"include_archived": True}})
    assert [x["id"] for x in r["results"]] == [ids[0]]
    r = search("notes", {"text": "second", "channels": {"bm25": 1}})
    assert r["results"] == []  # archived memories are left out by default
    # Observation: precision addition (reference: the Gaussian product in float64).
    status, _, before = srv.request("GET", "/v1/spaces/notes/memories/" + ids[1])
    obs_mu, obs_var = numpy.array([1.0, 1.0, 1.0]), numpy.array([2.0, 2.0, 0.5])
    status, _, after = srv.request("PATCH", "/v1/spaces/notes/memories/%s?vectors=true" % ids[1],
                                   {"observe": {"vector": list(obs_mu), "variance": list(obs_var)}})
    assert status == 200 and after["observations"] == 2
    v0, m0 = numpy.array(before["variance"]), numpy.array(before["vector"])
    v1 = 1 / (1 / v0 + 1 / obs_var)
    numpy.testing.assert_allclose(after["variance"], v1, rtol=1e-6)
    numpy.testing.assert_allclose(after["vector"], v1 * (m0 / v0 + obs_mu / obs_var), rtol=1e-6)
    status, _, h = srv.request("GET", "/v1/spaces/notes/memories/%s/history" % ids[0])
    shape("MemoryHistory", h)
    assert [e["op"] for e in h["history"]] == ["create", "update"]
    changes = h["history"][1]["changes"]
    assert changes["text"] == {"from": "first note", "to": "second note"}
    assert changes["archived"] == {"from": False, "to": True}
    assert srv.request("DELETE", "/v1/spaces/notes/memories/" + ids[0])[0] == 204
    assert srv.request("GET", "/v1/spaces/notes/memories/" + ids[0])[0] == 404
    status, _, h = srv.request("GET", "/v1/spaces/notes/memories/%s/history" % ids[0])
    assert [e["op"] for e in h["history"]] == ["create", "update", "delete"]
    problem(422, "PATCH", "/v1/spaces/notes/memories/" + ids[1], {"vector": [1, 2]}, "/vector")
    problem(422, "PATCH", "/v1/spaces/notes/memories/" + ids[1], {"importance": 3}, "/importance")
    problem(422, "PATCH", "/v1/spaces/notes/memories/" + ids[1], {"colour": "red"}, "/colour")
    problem(404, "PATCH", "/v1/spaces/notes/memories/" + ids[0], {"importance": 0.1}, None, code="not_found")


def test_base64_vectors_and_reembedding():
    """Vectors as base64 float32 are stored bit for bit (reference: numpy's tobytes); a
    patched text in a hash space is re-embedded (reference: hash_embed) and re-indexed."""
    create("b64", dim=6)
    x = numpy.array([0.1, -2.5, 3e-8, 7.0, 1e6, -0.0], numpy.float32)
    v = numpy.array([1, 2, 3, 4, 5, 6], numpy.float32)
    enc = base64.b64encode(x.astype("<f4").tobytes()).decode()
    ids = insert("b64", [{"vector": enc, "variance": base64.urlsafe_b64encode(v.tobytes()).decode().rstrip("=")}])
    status, _, m = srv.request("GET", "/v1/spaces/b64/memories/" + ids[0])
    assert numpy.array(m["vector"], numpy.float32).tobytes() == x.tobytes() and m["variance"] == list(v)
    problem(422, "POST", "/v1/spaces/b64/memories", {"memories": [{"vector": enc[:-4]}]}, "/memories/0/vector")
    bad = base64.b64encode(numpy.array([1, 2, numpy.nan, 4, 5, 6], numpy.float32).tobytes()).decode()
    problem(422, "POST", "/v1/spaces/b64/memories", {"memories": [{"vector": bad}]}, "/memories/0/vector/2")
    # A search's query vector and variance as base64: the same answer as the same floats
    # as numbers, and bad base64 or a bad value named by its pointer.
    more = insert("b64", [{"vector": [float(t) for t in x[::-1]]}, {"vector": [1, 1, 1, 1, 1, 1]}])
    q = numpy.array([0.5, -1, 2, 7, 1e5, 0.25], numpy.float32)
    qv = numpy.array([0.5, 1, 2, 1, 3, 1], numpy.float32)
    for channel in ("cosine", "fisher_rao"):
        as_numbers = search("b64", {"vector": [float(t) for t in q], "variance": [float(t) for t in qv],
                                    "channels": {channel: 1}, "k": 3})
        as_base64 = search("b64", {"vector": base64.b64encode(q.tobytes()).decode(),
                                   "variance": base64.urlsafe_b64encode(qv.tobytes()).decode(),
                                   "channels": {channel: 1}, "k": 3})
        assert [(h["id"], h["score"]) for h in as_base64["results"]] == \
            [(h["id"], h["score"]) for h in as_numbers["results"]] and len(as_numbers["results"]) == 3
        assert {h["id"] for h in as_numbers["results"]} == set(ids + more)
    problem(422, "POST", "/v1/spaces/b64/search", {"vector": enc[:-3]}, "/vector")
    problem(422, "POST", "/v1/spaces/b64/search", {"vector": "not base64!"}, "/vector")
    problem(422, "POST", "/v1/spaces/b64/search", {"vector": enc, "variance": bad}, "/variance/2")
    problem(422, "POST", "/v1/spaces/b64/search", {"vector": bad}, "/vector/2")
    create("retext", embedder="hash", dim=32)
    ids = insert("retext", [{"text": "red apples and green pears"}, {"text": "blue sky"}])
    status, _, m = srv.request("PATCH", "/v1/spaces/retext/memories/%s?vectors=true" % ids[0],
                               {"text": "violet plums"})
    assert status == 200 and numpy.max(numpy.abs(numpy.array(m["vector"]) - hash_embed("violet plums", 32))) < 1e-6
    # Default channels in a hash space with a text query: the metric (cosine) and bm25.
    r = search("retext", {"text": "plums"})
    assert r["channels"] == {"cosine": 1.0, "bm25": 1.0} and r["results"][0]["id"] == ids[0]
    assert set(r["results"][0]["channels"]) == {"cosine", "bm25"}
    r = search("retext", {"text": "apples", "channels": {"bm25": 1}})
    assert r["results"] == []


def test_bad_input_named_by_pointer():
    create("strict", dim=4)
    url = "/v1/spaces/strict/memories"
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3]}]}, "/memories/0/vector")
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3, 4]}, {"vector": [1, "NaN", 3, 4]}]},
            "/memories/1/vector/1")
    # A bare NaN token (not JSON; some encoders write it) is named the same way.
    status, _, p = srv.request("POST", url, raw=b'{"memories": [{"vector": [1, 2, NaN, 4]}]}',
                               headers={"Content-Type": "application/json"})
    assert status == 422 and p["errors"][0]["pointer"] == "/memories/0/vector/2", p
    status, _, p = srv.request("POST", url, raw=b'{"memories": [{"vector": [1, 2, 3, -Infinity]}]}',
                               headers={"Content-Type": "application/json"})
    assert status == 422 and p["errors"][0]["pointer"] == "/memories/0/vector/3", p
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3, 4], "variance": [1, 1, -1, 1]}]},
            "/memories/0/variance/2")
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3, 1e300]}]}, "/memories/0/vector/3")
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3, 4], "tags": ["ok", ""]}]},
            "/memories/0/tags/1")
    problem(422, "POST", url, {"memories": [{"vector": [1, 2, 3, 4], "text": "x" * 70000}]},
            "/memories/0/text")
    problem(422, "POST", url, {"memories": [{"text": "no vector here"}]}, "/memories/0/vector")
    problem(422, "POST", url, {"memories": []}, "/memories")
    problem(422, "POST", url, {"memories": [{"vector": [0, 0, 0, 0]}] * 10001}, "/memories",
            code="resource_limit")
    problem(404, "POST", "/v1/spaces/nowhere/memories", {"memories": [{"vector": [1]}]}, None, code="not_found")
    status, _, p = srv.request("POST", url, raw=b'{"memories": [', headers={"Content-Type": "application/json"})
    assert status == 400 and p["code"] == "invalid_json"
    # Searches.
    s = "/v1/spaces/strict/search"
    problem(422, "POST", s, {"vector": [1, 2, 3]}, "/vector")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "variance": [1, 1, 0, 1]}, "/variance/2")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "channels": {"bogus": 1}}, "/channels/bogus")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "k": 0}, "/k")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "k": 1001}, "/k")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "filter": {"meta": {"a": [1]}}}, "/filter/meta/a")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "filter": {"since": "yesterday"}}, "/filter/since")
    problem(422, "POST", s, {"channels": {"bm25": 1}}, "/channels/bm25")
    problem(422, "POST", s, {"text": "words", "channels": {"cosine": 1}}, "/channels/cosine")
    problem(422, "POST", s, {"vector": [1, 2, 3, 4], "space": "other"}, "/space")
    problem(404, "POST", "/v1/spaces/nowhere/search", {"vector": [1]}, None, code="not_found")


def test_ten_thousand_batch_is_atomic_over_http():
    create("atomic", dim=4)
    good = [{"vector": [i % 7, 1, 2, 3], "text": "memory number %d" % i} for i in range(10000)]
    bad = list(good)
    bad[9999] = {"vector": [1, 2, 3]}
    problem(422, "POST", "/v1/spaces/atomic/memories", {"memories": bad}, "/memories/9999/vector")
    assert srv.request("GET", "/v1/spaces/atomic")[2]["count"] == 0
    t0 = time.time()
    ids = insert("atomic", good)
    elapsed = time.time() - t0
    print("  10000 memories in one request: %.2f s (%.0f per second)" % (elapsed, 10000 / elapsed))
    assert len(ids) == 10000 and len(set(ids)) == 10000
    assert srv.request("GET", "/v1/spaces/atomic")[2]["count"] == 10000
    r = search("atomic", {"text": "number 9876", "channels": {"bm25": 1}, "k": 1})
    assert r["results"][0]["id"] == ids[9876]


def test_channel_values_match_numpy_and_scipy():
    """Every channel value the server reports, recomputed in float64 from the stored
    float32 vectors: Fisher-Rao by its closed form, fisher_local as √Σ((Δμ)²+2(Δσ)²)/(σ₁σ₂),
    cosine by scipy.spatial.distance.cosine, Euclidean by scipy ... euclidean. Tolerance:
    1e-9 relative for cosine and Euclidean (the same formula in double from the same
    floats); 1e-6 for the Fisher metrics, whose σ the server keeps as float32 √σ² (a
    relative rounding of 6e-8 per component)."""
    rng = numpy.random.default_rng(3)
    d, n = 24, 300
    mus = rng.normal(size=(n, d)).astype(numpy.float32)
    vars_ = numpy.exp(rng.normal(size=(n, d))).astype(numpy.float32)
    create("numeric", dim=d, metric="fisher_rao")
    ids = insert("numeric", [{"vector": [float(x) for x in mus[i]], "variance": [float(x) for x in vars_[i]]}
                             for i in range(n)])
    q = rng.normal(size=d).astype(numpy.float32)
    qv = numpy.exp(rng.normal(size=d)).astype(numpy.float32)
    m64, v64, q64, qv64 = mus.astype(float), vars_.astype(float), q.astype(float), qv.astype(float)
    refs = {
        "fisher_rao": [fisher_rao(m64[i], v64[i], q64, qv64) for i in range(n)],
        "fisher_local": [math.sqrt(numpy.sum(((m64[i] - q64) ** 2 + 2 * (numpy.sqrt(v64[i]) - numpy.sqrt(qv64)) ** 2)
                                             / (numpy.sqrt(v64[i]) * numpy.sqrt(qv64)))) for i in range(n)],
        "cosine": [1 - scipy.spatial.distance.cosine(m64[i], q64) for i in range(n)],
        "euclidean": [scipy.spatial.distance.euclidean(m64[i], q64) for i in range(n)],
    }
    for channel, ref in refs.items():
        r = search("numeric", {"vector": [float(x) for x in q], "variance": [float(x) for x in qv],
                               "k": 50, "channels": {channel: 1}})
        order = numpy.argsort(-numpy.array(ref)) if channel == "cosine" else numpy.argsort(ref)
        got_ids = [x["id"] for x in r["results"]]
        assert got_ids == [ids[i] for i in order[:50]], channel
        for hit, i in zip(r["results"], order[:50]):
            value = hit["channels"][channel]["score"]
            tol = 1e-6 if channel.startswith("fisher") else 1e-9
            assert abs(value - ref[i]) <= tol * abs(ref[i]) + 1e-12, (channel, value, ref[i])
            assert hit["channels"][channel]["rank"] == list(order).index(i) + 1
        # The fused score of a single channel is w/(rrf_k + rank).
        assert abs(r["results"][0]["score"] - 1 / 61) < 1e-15


def test_rrf_over_http():
    """Two channels with known rankings: fused = Σ w/(rrf_k + rank) recomputed here."""
    create("fuse", dim=2, metric="euclidean")
    pts = [[0, 0], [1, 0], [2, 0], [3, 0]]
    times = ["2026-01-01T00:00:0%dZ" % s for s in (3, 2, 1, 0)]
    ids = insert("fuse", [{"vector": p, "time": t} for p, t in zip(pts, times)])
    r = search("fuse", {"vector": [0, 0], "time": "2026-01-01T00:00:00Z", "k": 4, "rrf_k": 10,
                        "channels": {"euclidean": 2, "temporal": 1}})
    # euclidean ranks ids 0,1,2,3; temporal ranks 3,2,1,0.
    want = {ids[i]: 2 / (10 + i + 1) + 1 / (10 + 4 - i) for i in range(4)}
    for hit in r["results"]:
        assert abs(hit["score"] - want[hit["id"]]) < 1e-15
    assert [h["id"] for h in r["results"]] == sorted(want, key=lambda k: -want[k])


def test_jobs_memory_retrieve_and_complete():
    create("jobs", dim=16)
    rng = numpy.random.default_rng(5)
    pats = numpy.sign(rng.normal(size=(20, 16))) / 4
    ids = insert("jobs", [{"vector": list(p)} for p in pats])
    q = {"vector": list(pats[7] + 0.01), "k": 3}
    status, _, job = srv.submit("memory.retrieve", dict(q, space="jobs"), wait=30)
    assert status == 200 and job["status"] == "succeeded", job
    assert job["result"]["values"]["results"] == search("jobs", q)["results"]
    cue = pats[4].copy()
    cue[:5] = 0  # a partial cue
    status, _, job = srv.submit("memory.complete", {"space": "jobs", "vector": list(cue), "beta": 32, "k": 2},
                                wait=30)
    assert status == 200 and job["status"] == "succeeded", job
    v = job["result"]["values"]
    assert v["results"][0]["id"] == ids[4] and v["converged"], v
    numpy.testing.assert_allclose(v["state"], pats[4], atol=1e-3)
    status, _, job = srv.submit("memory.retrieve", {"space": "missing", "vector": [1]}, wait=30)
    assert job["status"] == "failed" and job["error"]["code"] == "not_found", job


# ---- retrieval quality on a synthetic benchmark -----------------------------------------------


def synthetic_benchmark(seed=11, clusters=40, per=25, d=48, noisy=12, clean=0.15):
    """Clusters of paraphrase-like memories with known relevant sets.

    Cluster c has a centroid (a unit vector) and a vocabulary of 8 topic words. A memory
    of cluster c is a measurement of the centroid whose uncertainty is known per component:
    `noisy` components (at random places) have standard deviation 1, the others `clean`, and
    its variance says so. Its text: 3 of the cluster's topic words, 2 topic words of
    another cluster (confusers) and 3 filler words, shuffled. A query of cluster c: the
    centroid measured precisely (σ = 0.05 everywhere, given), and 2 other topic words of c.
    The relevant set of a query: the memories of its cluster. Vector channels that ignore
    the variances are swamped by the noisy components; Fisher-Rao discounts them."""
    rng = numpy.random.default_rng(seed)
    syll = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "zu", "ba", "de", "fi", "go"]

    def word():
        return "".join(rng.choice(syll, size=3))

    vocab = [[word() for _ in range(8)] for _ in range(clusters)]
    filler = [word() for _ in range(200)]
    cent = rng.normal(size=(clusters, d))
    cent /= numpy.linalg.norm(cent, axis=1, keepdims=True)
    memories, labels = [], []
    for c in range(clusters):
        for _ in range(per):
            sd = numpy.full(d, clean)
            sd[rng.choice(d, noisy, replace=False)] = 1.0
            mu = cent[c] + rng.normal(size=d) * sd
            other = (c + rng.integers(1, clusters)) % clusters
            words = (list(rng.choice(vocab[c], 3, replace=False)) + list(rng.choice(vocab[other], 2, replace=False))
                     + list(rng.choice(filler, 3)))
            rng.shuffle(words)
            memories.append({"vector": [float(x) for x in mu], "variance": [float(x) for x in sd ** 2],
                             "text": " ".join(words)})
            labels.append(c)
    queries = []
    for c in range(clusters):
        for _ in range(3):
            mu = cent[c] + rng.normal(scale=clean, size=d)
            queries.append((c, {"vector": [float(x) for x in mu], "variance": [clean ** 2] * d,
                                "text": " ".join(rng.choice(vocab[c], 2, replace=False))}))
    return memories, labels, queries


def test_retrieval_quality_per_channel_and_fusion():
    """recall@10 (the share of the top 10 in the query's cluster; 25 relevant each) per
    channel and for fusions. Fusion must not be worse than the best channel it fuses."""
    memories, labels, queries = synthetic_benchmark()
    create("bench", dim=48, metric="fisher_rao")
    ids = insert("bench", memories)
    label_of = dict(zip(ids, labels))
    k = 10
    setups = {c: {c: 1} for c in ("fisher_rao", "fisher_local", "cosine", "euclidean", "bm25", "hopfield")}
    fusions = {"fusion(fisher_rao+bm25)": {"fisher_rao": 1, "bm25": 1},
               "fusion(fisher_rao+fisher_local+bm25)": {"fisher_rao": 1, "fisher_local": 1, "bm25": 1},
               "fusion(fisher_rao+bm25+hopfield)": {"fisher_rao": 1, "bm25": 1, "hopfield": 0.5}}
    setups.update(fusions)
    recall = {}
    for name, channels in setups.items():
        total = 0.0
        for c, q in queries:
            r = search("bench", dict(q, k=k, channels=channels, hopfield={"beta": 4}))
            total += sum(label_of[h["id"]] == c for h in r["results"]) / k
        recall[name] = total / len(queries)
    for name, value in recall.items():
        print("  recall@%d %-38s %.3f" % (k, name, value))
    chance = 25 / len(memories)
    for name, value in recall.items():
        assert value > 3 * chance, (name, value)
    for name, channels in fusions.items():
        assert recall[name] >= max(recall[c] for c in channels), (name, recall)


def test_large_space_uses_candidates_and_agrees_with_exact():
    """25 000 memories: stage auto takes the compact candidate scan and must return what the
    exact scan returns (reference: stage=exact on the same query)."""
    rng = numpy.random.default_rng(9)
    d, n = 32, 25000
    create("large", dim=d, metric="cosine")
    mus = rng.normal(size=(n, d))
    for start in range(0, n, 5000):
        insert("large", [{"vector": [float(x) for x in mus[i]]} for i in range(start, start + 5000)])
    for t in range(3):
        q = {"vector": [float(x) for x in rng.normal(size=d)], "k": 10}
        for channel in ("cosine", "fisher_rao", "euclidean"):
            auto = search("large", dict(q, channels={channel: 1}))
            exact = search("large", dict(q, channels={channel: 1}, stage="exact"))
            assert auto["stage"] == "candidates+rerank" and exact["stage"] == "exact"
            assert [h["id"] for h in auto["results"]] == [h["id"] for h in exact["results"]], channel
            assert auto["bytes_scanned"] < exact["bytes_scanned"]


if __name__ == "__main__":
    try:
        run_tests(globals())
    finally:
        srv.stop()
