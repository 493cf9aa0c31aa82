"""``--engine spark scan``: FIMO over Spark tasks gives the local scan's hits row for row (q-values
included), commits like a local scan (kill -9 leaves no run; readers meanwhile succeed); and the
Spark ``query``/``export`` sandbox.  Spark tests share the session-scoped ``spark`` fixture
(conftest.py); the kill test runs real processes with their own Spark (local[1])."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import annostore
from annostore.errors import BadInputError

ROOT = Path(__file__).resolve().parents[1]
HITS = "SELECT * EXCLUDE (run_id) FROM hits WHERE run_id = $r ORDER BY ALL"


def _scan_store(path: Path, seed: int, n_seqs: int = 30, lengths=(100, 800)):
    """Random motifs (widths 6..11) and sequences with lower case and N runs."""
    rng = np.random.default_rng(seed)
    with annostore.open(path) as s:
        s.add_motifs({f"M{i}": rng.dirichlet(np.full(4, 0.5), size=6 + i).T for i in range(6)})
        seqs = {}
        for i in range(n_seqs):
            letters = rng.choice(list("ACGTacgtN"), p=[.24, .24, .24, .24, .01, .01, .01, .005, .005],
                                 size=int(rng.integers(*lengths)))
            text = "".join(letters)
            if i % 7 == 0:
                text = text[:50] + "N" * 20 + text[70:]
            seqs[f"s{i}"] = text
        s.add_sequences(seqs)
    return path


def test_qvalues_from_counts_equal_the_sorted_kernel():
    from annostore.core.fimo_pi0 import qvalues_from_counts
    from annostore.core.qvalues import _qvalues_sorted

    rng = np.random.default_rng(5)
    for m, pi0 in [(10**6, 0.93), (5000, 1.0), (123_457, 0.41)]:
        p = np.sort(rng.choice(rng.random(40) * 1e-3, size=500))  # many ties
        p[-5:] = 0.9  # q capped at 1
        distinct, counts = np.unique(p, return_counts=True)
        q_sorted = _qvalues_sorted(p, m, pi0)
        q_counts = qvalues_from_counts(distinct, counts, m, pi0)
        assert np.array_equal(np.repeat(q_counts, counts), q_sorted)


def test_spark_scan_equals_local_scan(spark, tmp_path):
    from typer.testing import CliRunner

    from annostore_cli.app import app

    path = _scan_store(tmp_path / "s.store", 1)
    with annostore.open(path) as s:
        attr = np.random.default_rng(2).normal(size=(30, int(s.example_lengths().max())))
        for kw in [{"attributions": attr}, {"qvalue_method": "sample"}]:
            local_stats, spark_stats = {}, {}
            a = s.scan(threshold=1e-3, stats=local_stats, **kw)
            b = s.scan(threshold=1e-3, stats=spark_stats, engine="spark", **kw)
            local, dist = s.query(HITS, {"r": a}), s.query(HITS, {"r": b})
            assert local.num_rows > 100 and local["q_value"].null_count == 0
            assert dist.to_pylist() == local.to_pylist(), kw
            assert spark_stats["pi0"] == local_stats["pi0"] and spark_stats["tests"] == local_stats["tests"]
            assert spark_stats["qvalue_method"] == local_stats["qvalue_method"] == kw.get("qvalue_method", "meme")
            assert spark_stats["rows"] == local_stats["rows"] and spark_stats["engine"] == "spark"
            assert any(0 < v < 1 for v in local_stats["pi0"].values())  # pi0 estimated, not all 1
        runs = {r["run_id"]: r for r in s.runs().to_pylist()}
        assert json.loads(runs[b]["params"])["engine"] == "spark"
        with pytest.raises(BadInputError, match="needs the local scan"):
            s.scan(engine="spark", max_stored_scores=10)
        with pytest.raises(BadInputError, match="threshold must be a positive number"):
            s.scan(engine="spark", threshold=-1)
        none = s.scan(engine="spark", threshold=1e-30)  # no hits: an empty run, as locally
        assert s.query(HITS, {"r": none}).num_rows == 0
    res = CliRunner().invoke(app, ["--engine", "spark", "scan", str(path), "--thresh", "1e-3", "--no-qvalue",
                                   "--name", "cli-spark"])
    assert res.exit_code == 0, res.output
    with annostore.open(path, read_only=True) as s:
        runs = {r["name"]: r["run_id"] for r in s.runs().to_pylist()}
        dist = s.query(HITS, {"r": runs["cli-spark"]})
        local = s.query(HITS, {"r": a})
        assert dist["q_value"].null_count == dist.num_rows
        assert dist.drop_columns(["q_value"]).to_pylist() == local.drop_columns(["q_value"]).to_pylist()
        assert f"{dist.num_rows} hits" in res.output


# ---- the Spark query sandbox ---------------------------------------------------------------------

VIEWS = {"hits", "seqlets", "matches", "motifs", "regions", "runs", "sequences", "hits_genomic"}
REFUSED = [
    "SELECT * FROM parquet.`/etc`",
    "SELECT * FROM text.`/etc/passwd`",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_parquet('/x/*.parquet')",
    "SELECT * FROM 'annostore.duckdb'",
    "INSERT OVERWRITE DIRECTORY '/tmp/x' SELECT * FROM hits",
    "CREATE TABLE x AS SELECT 1",
    "DROP VIEW hits",
    "SET spark.sql.ansi.enabled=false",
    "ADD JAR /tmp/x.jar",
    "LOAD DATA INPATH '/x' INTO TABLE hits",
    "CACHE TABLE hits",
    "SELECT reflect('java.lang.System', 'getenv', 'HOME')",
    "SELECT java_method('java.lang.System', 'getenv', 'HOME')",
    "SELECT 1; SELECT 2",
    "SELECT * FROM global_temp.hits",
    "SELECT * FROM nosuch",
    "SELECT 1 INTO t",
    "EXPLAIN SELECT * FROM hits",
    "SELECT * FROM range(10)",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_spark_sandbox_refuses(sql):
    from annostore.store.sandbox import check_spark_query

    with pytest.raises(BadInputError):
        check_spark_query(sql, VIEWS)


def test_spark_sandbox_allows_selects():
    from annostore.store.sandbox import check_spark_query

    for sql in ["SELECT count(*) FROM hits", "FROM hits SELECT motif, count(*) GROUP BY ALL",
                "WITH a AS (SELECT * FROM HITS WHERE p_value < $p) SELECT m.motif, count(*) FROM a JOIN motifs m "
                "USING (motif_idx) GROUP BY ALL UNION ALL SELECT 'x', 1",
                "SELECT * FROM hits_genomic WHERE run_id IN (SELECT max(run_id) FROM runs)"]:
        check_spark_query(sql, VIEWS)


def test_spark_query_cli_sandbox(spark, tmp_path):
    from typer.testing import CliRunner

    from annostore_cli.app import app

    path = _scan_store(tmp_path / "q.store", 3, n_seqs=5)
    runner = CliRunner()
    ok = runner.invoke(app, ["--engine", "spark", "query", str(path), "SELECT count(*) AS n FROM regions"])
    assert ok.exit_code == 0 and ok.stdout.split() == ["n", "5"], ok.output
    for sql in ["SELECT * FROM parquet.`/etc`", "SELECT * FROM read_csv('/etc/passwd')",
                "INSERT OVERWRITE DIRECTORY '/tmp/x' SELECT 1", "ADD JAR /tmp/x.jar"]:
        res = runner.invoke(app, ["--engine", "spark", "query", str(path), sql])
        assert res.exit_code == 65, (sql, res.output)
        assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: "), res.stderr
    res = runner.invoke(app, ["--engine", "spark", "export", str(path), "SELECT * FROM text.`/etc/passwd`"])
    assert res.exit_code == 65, res.output


# ---- a real Spark scan, killed ------------------------------------------------------------------

def _session_processes(sid: int) -> list:
    """(pid, cmdline) of the live processes of session ``sid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append((int(entry.name), (entry / "cmdline").read_bytes()))
        except (OSError, ValueError):
            continue
    return out


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_during_spark_scan_leaves_no_run_and_queries_succeed_meanwhile(tmp_path):
    path = _scan_store(tmp_path / "k.store", 4, n_seqs=60, lengths=(4000, 6000))
    with annostore.open(path) as s:
        first = s.scan(threshold=1e-4)
        n_hits = s.query("SELECT count(*) AS n FROM hits")["n"][0].as_py()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "cli")]),
               ANNOSTORE_SPARK_MASTER="local[1]", PYSPARK_PYTHON=sys.executable,
               SPARK_LOCAL_DIRS=str(tmp_path / "spark"))  # the killed JVM's scratch stays in tmp_path
    cli = [sys.executable, "-m", "annostore_cli.app"]
    # every window a hit (3e6 hits): the scan, counting and writing last seconds
    scan = subprocess.Popen([*cli, "--engine", "spark", "scan", str(path), "--thresh", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "scan.err", "w"),
                            start_new_session=True)
    try:
        _wait(lambda: list((path / ".tmp").glob("run-*")), 120, "the Spark scan's run to open")
        # a reader meanwhile: the last committed state, no waiting for the writer
        query = subprocess.run([*cli, "query", str(path), "SELECT count(*) AS n, max(run_id) AS r FROM runs"],
                               env=env, capture_output=True, text=True, timeout=120)
        assert query.returncode == 0, query.stderr
        assert query.stdout.split() == ["n", "r", "1", str(first)]
        assert scan.poll() is None, (tmp_path / "scan.err").read_text()
        # kill -9 (the driver, its JVM and Python workers) once the Spark tasks run
        _wait(lambda: any(b"pyspark" in cmd and b"daemon" in cmd for _, cmd in _session_processes(scan.pid)),
              120, "the Spark tasks")
        assert scan.poll() is None, (tmp_path / "scan.err").read_text()
        os.killpg(scan.pid, signal.SIGKILL)
        scan.wait(timeout=30)
        _wait(lambda: not _session_processes(scan.pid), 30, "the killed processes to go")
    finally:
        if scan.poll() is None:
            os.killpg(scan.pid, signal.SIGKILL)
            scan.wait()
    assert scan.returncode == -signal.SIGKILL
    with annostore.open(path, read_only=True) as s:  # nothing of the killed run is visible
        assert [r["run_id"] for r in s.runs().to_pylist()] == [first]
        assert s.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == n_hits
    assert not list((path / "hits").glob(f"run-{first + 1}*"))
    with annostore.open(path) as s:  # the next writer removes the leftovers and reuses the id
        assert not list((path / ".tmp").glob("run-*"))
        assert s.scan(threshold=1e-4) == first + 1
