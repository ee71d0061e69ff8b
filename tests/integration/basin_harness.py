"""A small harness for integration tests: starts `basin serve` on a free loopback port
with a temporary database, talks real HTTP to it (urllib), and counts test results.

Each test module calls `run_tests(globals())`: every function named test_* runs once,
in source order; the last line printed is "N passed, N failed".
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

BASIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/src/basin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A basin serve process on 127.0.0.1:<free port> with its own database file."""

    def __init__(self, db=None, workers=2, extra=()):
        self.dir = tempfile.mkdtemp(prefix="basin-it-")
        self.db = db or os.path.join(self.dir, "basin.db")
        self.workers = workers
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "serve.log")

    def start(self, timeout=10.0):
        self.port = free_port()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BASIN, "serve", "--listen", "127.0.0.1:%d" % self.port, "--db", self.db,
             "--workers", str(self.workers)] + self.extra,
            stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("basin serve exited with %s: %s" % (self.proc.returncode, self.read_log()))
            try:
                if self.request("GET", "/v1/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("basin serve did not become healthy: " + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout=60):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def stop(self):
        """Stops the server with SIGTERM; returns its exit status (None if not running)."""
        if self.proc and self.proc.poll() is None:
            return self.terminate()
        return None

    def request(self, method, path, body=None, headers=None, raw=None, timeout=90):
        """Returns (status, headers, parsed JSON or bytes)."""
        data = raw
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, rh, payload = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, rh, payload = e.code, dict(e.headers), e.read()
        ctype = rh.get("Content-Type", "")
        if "json" in ctype and payload:
            payload = json.loads(payload)
        return status, rh, payload

    def submit(self, kind, params, wait=None, **extra):
        body = {"kind": kind, "params": params}
        body.update(extra)
        path = "/v1/jobs" + ("?wait=%g" % wait if wait is not None else "")
        return self.request("POST", path, body)

    def job(self, job_id):
        status, _, job = self.request("GET", "/v1/jobs/" + job_id)
        assert status == 200, (status, job)
        return job

    def wait_status(self, job_id, statuses, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            job = self.job(job_id)
            if job["status"] in statuses:
                return job
            time.sleep(0.05)
        raise AssertionError("job %s still %s after %gs" % (job_id, job["status"], timeout))


def run_tests(namespace):
    tests = [(name, fn) for name, fn in namespace.items()
             if name.startswith("test_") and callable(fn)]
    passed = failed = 0
    for name, fn in tests:
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("PASS %s (%.1fs)" % (name, time.time() - t0), flush=True)
        except Exception:  # a failed assertion or an unexpected error both fail the test
            failed += 1
            print("FAIL %s (%.1fs)" % (name, time.time() - t0), flush=True)
            traceback.print_exc()
            # The server's own account of the failure: the end of its log.
            srv = namespace.get("srv")
            if isinstance(srv, Server):
                print("-- end of the server log:\n" + srv.read_log()[-2000:], flush=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)
