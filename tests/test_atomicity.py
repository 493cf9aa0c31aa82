"""Atomic runs across processes: a killed ingest leaves the whole run or nothing; a second writer
gets StoreLockedError / exit 75 (readers are not blocked: tests/test_concurrency.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from annostore_cli.app import app
from typer.testing import CliRunner

import annostore
from annostore.errors import StoreLockedError

N_PER_BATCH = 5000

CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    import numpy as np, pyarrow as pa
    import annostore
    from annostore.store import store as store_mod

    path, stage = sys.argv[1], sys.argv[2]
    s = annostore.open(path)

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if stage == "before_commit_row":      # Parquet renamed into place, runs row not yet inserted
        store_mod.Store._commit_run = die
    if stage == "after_commit_row":       # runs row committed, process dies before anything else
        store_mod.Store._refresh_views = lambda self: die()
    n = {n}
    batch = pa.table({{
        "example_idx": np.zeros(n, dtype=np.int64),
        "motif": ["M"] * n,
        "start": np.arange(n, dtype=np.int64) % 50,
        "end": np.arange(n, dtype=np.int64) % 50 + 3,
        "strand": ["+"] * n,
        "p_value": np.full(n, 0.01),
    }})
    with s.begin_run("hits", name="victim") as run:
        for i in range(4):
            run.write(batch)
        if stage == "during_write":
            print("WRITING", flush=True)
            while True:
                run.write(batch)
                time.sleep(0.01)
    print("DONE", flush=True)
    """
).format(n=N_PER_BATCH)

HOLDER = textwrap.dedent(
    """
    import sys, time
    import annostore
    s = annostore.open(sys.argv[1])
    print("HOLDING", flush=True)
    sys.stdin.readline()
    s.close()
    """
)


def _make_store(tmp_path: Path) -> Path:
    path = tmp_path / "a.store"
    with annostore.open(path) as s:
        s.add_motifs({"M": np.full((4, 3), 0.25)})
        with s.begin_run("hits", name="first") as run:
            run.write(pa.table({"example_idx": [0], "motif": ["M"], "start": [0], "end": [3], "strand": ["+"]}))
    return path


def _state(path: Path):
    with annostore.open(path) as s:  # a writer open: cleans leftovers
        runs = s.runs().to_pylist()
        n_hits = s.query("SELECT count(*) AS n FROM hits")["n"][0].as_py()
    on_disk = sorted(p.name for p in (path / "hits").iterdir())
    tmp = list((path / ".tmp").glob("run-*")) if (path / ".tmp").exists() else []
    return [r["name"] for r in runs], n_hits, on_disk, tmp


@pytest.mark.parametrize("stage", ["during_write", "before_commit_row"])
def test_killed_ingest_leaves_no_partial_run(tmp_path, stage):
    path = _make_store(tmp_path)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen([sys.executable, str(script), str(path), stage], stdout=subprocess.PIPE, text=True)
    if stage == "during_write":
        assert proc.stdout.readline().strip() == "WRITING"
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # something was left on disk by the dead writer ...
    leftovers = list((path / ".tmp").glob("run-*")) + [p for p in (path / "hits").iterdir() if p.name != "run-1"]
    assert leftovers
    # ... a reader sees only the committed run, and does not modify anything
    with annostore.open(path, read_only=True) as r:
        assert r.runs()["name"].to_pylist() == ["first"]
        assert r.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 1
    # the next writer removes the leftovers
    names, n_hits, on_disk, tmp = _state(path)
    assert names == ["first"] and n_hits == 1 and on_disk == ["run-1"] and tmp == []
    # and the next run reuses the id cleanly
    with annostore.open(path) as s:
        with s.begin_run("hits", name="again") as run:
            run.write(pa.table({"example_idx": [0], "motif": ["M"], "start": [1], "end": [4], "strand": ["-"]}))
        assert s.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 2


def test_killed_after_commit_row_keeps_whole_run(tmp_path):
    path = _make_store(tmp_path)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.run([sys.executable, str(script), str(path), "after_commit_row"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    names, n_hits, on_disk, tmp = _state(path)
    assert names == ["first", "victim"] and n_hits == 1 + 4 * N_PER_BATCH
    assert on_disk == ["run-1", "run-2"]
    files = sorted((path / "hits" / "run-2").glob("*.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in files) == 4 * N_PER_BATCH


def test_killed_cli_ingest_is_all_or_nothing(tmp_path):
    path = _make_store(tmp_path)
    n = 300_000
    hits = tmp_path / "big.tsv"
    rng = np.random.default_rng(0)
    start = rng.integers(0, 1000, n)
    with open(hits, "w") as fh:
        fh.write("motif_name\tsequence_name\tstart\tend\tstrand\tp-value\n")
        fh.writelines(f"M\t0\t{s}\t{s + 3}\t+\t0.01\n" for s in start)
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "annostore_cli.app", "ingest", "hits", str(path), str(hits)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    names, n_hits, on_disk, tmp = _state(path)
    assert n_hits in (1, 1 + n)
    assert len(names) == len(on_disk) == (1 if n_hits == 1 else 2)
    assert tmp == []


def test_second_writer_is_refused_with_exit_75(tmp_path):
    path = _make_store(tmp_path)
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "HOLDING"
        with pytest.raises(StoreLockedError, match=f"PID {proc.pid}"):
            annostore.open(path)
        fa = tmp_path / "s.fa"
        fa.write_text(">a\nACGT\n")
        result = CliRunner().invoke(app, ["sequences", "add", str(path), str(fa)])
        assert result.exit_code == 75
        assert "locked" in result.stderr and str(proc.pid) in result.stderr
        # readers are not refused while a writer holds the store (see test_concurrency.py)
        result = CliRunner().invoke(app, ["query", str(path), "SELECT 1"])
        assert result.exit_code == 0
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)
    # once released, writing works again
    with annostore.open(path) as s:
        assert s.runs().num_rows == 1
