"""Integration tests of the basin command line: help for every subcommand, `basin run`
(the worker's code path, in-process) with --out files read back by NumPy, `basin models`
and `basin migrate`. Run: python3 test_cli.py path/to/basin"""
import json
import os
import sqlite3
import subprocess
import tempfile

import numpy

from basin_harness import BASIN, run_tests


def basin(*args, stdin=None):
    return subprocess.run([BASIN, *args], input=stdin, capture_output=True, text=True,
                          timeout=120)


def test_help_for_every_command():
    top = basin("--help")
    assert top.returncode == 0 and "usage: basin" in top.stdout
    for cmd in ("serve", "run", "models", "migrate"):
        r = basin(cmd, "--help")
        assert r.returncode == 0 and "usage: basin " + cmd in r.stdout, (cmd, r.stdout)
    assert basin("nope").returncode == 2
    assert basin("version").stdout.startswith("basin ")


def test_run_prints_result_and_writes_files():
    out = tempfile.mkdtemp(prefix="basin-run-")
    params = {"n": 300, "patterns": 6, "cue": {"pattern": 2, "flip": 0.1}, "seed": 5}
    r = basin("run", "hopfield", "--params", "-", "--out", out, stdin=json.dumps(params))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["status"] == "succeeded" and result["seed"] == 5
    assert result["params"]["n"] == 300 and result["summary"]["retrieved"] == 2, result
    state = numpy.load(os.path.join(out, "state.npy"))
    assert state.shape == (300,) and set(numpy.unique(state)) <= {-1, 1}
    overlaps = numpy.load(os.path.join(out, "overlaps.npy"))
    assert overlaps.shape == (6,) and abs(overlaps[2] - result["summary"]["final_overlap"]) < 1e-12
    with open(os.path.join(out, "overlap.csv")) as f:
        lines = f.read().split()
    assert lines[0] == "step,value" and len(lines) >= 2
    # The same params through the same path give the same bytes.
    again = basin("run", "hopfield", "--params", "-", stdin=json.dumps(params))
    assert json.loads(again.stdout)["summary"] == result["summary"]


def test_run_rejects_bad_params_with_pointers():
    r = basin("run", "langevin", "--params", "-", stdin='{"dim": 7, "oops": 1}')
    assert r.returncode == 2
    assert "/params/dim" in r.stderr and "/params/oops" in r.stderr, r.stderr
    r = basin("run", "langevin", "--params", "-", stdin='{"dim": ')
    assert r.returncode == 2 and "invalid JSON" in r.stderr
    assert basin("run", "nope").returncode == 2


def test_models_lists_and_describes():
    r = basin("models")
    assert r.returncode == 0 and "hopfield" in r.stdout and "langevin" in r.stdout
    r = basin("models", "langevin")
    desc = json.loads(r.stdout)
    assert desc["kind"] == "langevin" and desc["defaults"]["dim"] == 1, desc["defaults"]
    assert "particles" in desc["params_schema"]["properties"]


def test_migrate_creates_and_refuses_newer():
    db = os.path.join(tempfile.mkdtemp(prefix="basin-mig-"), "m.db")
    migrations = len([f for f in os.listdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "migrations")) if f.endswith(".sql")])
    r = basin("migrate", "--db", db)
    assert r.returncode == 0 and "schema version 0 -> %d" % migrations in r.stdout, r.stdout + r.stderr
    r = basin("migrate", "--db", db)
    assert r.returncode == 0 and "%d -> %d" % (migrations, migrations) in r.stdout
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.execute("PRAGMA user_version = 99")
    con.close()
    r = basin("migrate", "--db", db)
    assert r.returncode == 1 and "newer" in r.stderr, r.stderr


def test_dockerfile_uses_the_scripts_and_paths_ci_builds():
    """The Dockerfile cannot be built here (no engine); keep it honest: every script it
    runs is the one CI runs, and every path it copies out of the build stage exists."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, "Dockerfile")) as f:
        lines = f.read().splitlines()
    runs = " ".join(l for l in lines if l.startswith("RUN "))
    assert "scripts/install-deps.sh build" in runs and "scripts/build.sh" in runs, runs
    assert "scripts/install-deps.sh runtime" in runs
    for l in lines:
        if l.startswith("COPY --from=build /src/"):
            src = l.split()[2][len("/src/"):]
            assert os.path.exists(os.path.join(root, src)), "Dockerfile copies missing " + src
    assert os.path.realpath(BASIN) == os.path.realpath(os.path.join(root, "build/src/basin"))


run_tests(globals())
