"""Readers are never blocked by a writer: real processes (see annostore/store/access.py).

A long write (a run being written) holds only the writer lock; queries, exports and counts
run meanwhile and see the last committed state.  A reader that meets a commit window waits
(bounded by ANNOSTORE_BUSY_TIMEOUT); a second writer gets StoreLockedError / exit 75 (or
waits ANNOSTORE_WRITER_WAIT seconds).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import annostore
from annostore.errors import StoreLockedError

ROOT = Path(__file__).resolve().parents[1]

# a writer that keeps a run open (writing batches) until it reads a line, then commits
LONG_WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np, pyarrow as pa
    import annostore

    s = annostore.open(sys.argv[1])
    n = 2000
    batch = pa.table({
        "example_idx": np.zeros(n, dtype=np.int64),
        "motif": ["M"] * n,
        "start": np.arange(n, dtype=np.int64) % 50,
        "end": np.arange(n, dtype=np.int64) % 50 + 3,
        "strand": ["+"] * n,
        "p_value": np.full(n, 0.01),
    })
    import threading
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    with s.begin_run("hits", name="long") as run:
        run.write(batch)
        print("WRITING", flush=True)
        while not stop.is_set():
            run.write(batch)
            time.sleep(0.02)
    print("COMMITTED", run.run_id, flush=True)
    s.close()
    """
)

# holds the DuckDB file attached read-write (a commit window that lasts) for argv[2] seconds
FILE_HOLDER = textwrap.dedent(
    """
    import sys, time
    import duckdb
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{sys.argv[1]}' AS x")
    print("HOLDING", flush=True)
    time.sleep(float(sys.argv[2]))
    con.execute("DETACH x")
    print("RELEASED", flush=True)
    """
)

WRITER_HOLDER = textwrap.dedent(
    """
    import sys
    import annostore
    s = annostore.open(sys.argv[1])
    print("HOLDING", flush=True)
    sys.stdin.readline()
    s.close()
    """
)


def _env(**extra: str) -> dict:
    env = dict(os.environ)
    paths = [str(ROOT / "src"), str(ROOT / "cli")]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "annostore_cli.app", *args],
        capture_output=True, text=True, timeout=120, env=_env(**env),
    )


def _make_store(tmp_path: Path) -> Path:
    path = tmp_path / "c.store"
    with annostore.open(path) as s:
        s.add_motifs({"M": np.full((4, 3), 0.25)})
        with s.begin_run("hits", name="first") as run:
            run.write(pa.table({"example_idx": [0, 0], "motif": ["M", "M"], "start": [0, 5], "end": [3, 8],
                                "strand": ["+", "-"]}))
    return path


def _start(script: str, tmp_path: Path, *args: str, name: str = "child.py") -> subprocess.Popen:
    file = tmp_path / name
    file.write_text(script)
    return subprocess.Popen([sys.executable, str(file), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=_env())


def test_queries_succeed_during_a_long_write(tmp_path):
    path = _make_store(tmp_path)
    writer = _start(LONG_WRITER, tmp_path, str(path))
    try:
        assert writer.stdout.readline().strip() == "WRITING"
        # a CLI query in another process: succeeds, sees the committed state only
        res = _cli("query", str(path), "SELECT count(*) AS n FROM hits", "-f", "tsv")
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines() == ["n", "2"]
        res = _cli("count", str(path), "--by", "motif", "-f", "tsv")
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines()[1].split("\t")[-2:] == ["2", "1"]
        res = _cli("export", str(path), "runs", "-f", "jsonl")
        assert res.returncode == 0, res.stderr
        assert '"first"' in res.stdout and '"long"' not in res.stdout
        # and a Python reader in this process
        with annostore.open(path, read_only=True) as r:
            assert r.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 2
        # the writer is still writing: it commits when told
        assert writer.poll() is None
        writer.stdin.write("\n")
        writer.stdin.flush()
        line = writer.stdout.readline().split()
        assert line[0] == "COMMITTED"
        assert writer.wait(timeout=60) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    # a new reader sees the committed run
    res = _cli("query", str(path), "SELECT count(*) AS n, count(DISTINCT run_id) AS r FROM hits", "-f", "tsv")
    assert res.returncode == 0, res.stderr
    n, r = map(int, res.stdout.splitlines()[1].split("\t"))
    assert r == 2 and n > 2 and (n - 2) % 2000 == 0


def test_reader_waits_for_a_commit_window(tmp_path):
    path = _make_store(tmp_path)
    holder = _start(FILE_HOLDER, tmp_path, str(path / "annostore.duckdb"), "1.5", name="holder.py")
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        t0 = time.monotonic()
        res = _cli("query", str(path), "SELECT count(*) AS n FROM hits", "-f", "tsv")
        waited = time.monotonic() - t0
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines() == ["n", "2"]
        assert waited > 0.5  # it waited for the window instead of failing
    finally:
        holder.wait(timeout=60)


def test_busy_timeout_is_bounded(tmp_path):
    path = _make_store(tmp_path)
    holder = _start(FILE_HOLDER, tmp_path, str(path / "annostore.duckdb"), "300", name="holder.py")
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        res = _cli("query", str(path), "SELECT 1", ANNOSTORE_BUSY_TIMEOUT="0.5")
        assert res.returncode == 75
        assert "busy" in res.stderr and "ANNOSTORE_BUSY_TIMEOUT" in res.stderr
        assert holder.poll() is None  # it gave up while the window was still held
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_gets_75_or_waits(tmp_path):
    path = _make_store(tmp_path)
    holder = _start(WRITER_HOLDER, tmp_path, str(path), name="writer.py")
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        with pytest.raises(StoreLockedError, match=f"PID {holder.pid}"):
            annostore.open(path)
        fa = tmp_path / "s.fa"
        fa.write_text(">a\nACGT\n")
        res = _cli("sequences", "add", str(path), str(fa))
        assert res.returncode == 75
        assert "locked" in res.stderr and str(holder.pid) in res.stderr
        # readers are not blocked by an open writer
        res = _cli("query", str(path), "SELECT count(*) AS n FROM motifs", "-f", "tsv")
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines() == ["n", "1"]
        # a writer told to wait gets the store once the holder is done
        waiter = subprocess.Popen(
            [sys.executable, "-m", "annostore_cli.app", "sequences", "add", str(path), str(fa)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(ANNOSTORE_WRITER_WAIT="60"),
        )
        time.sleep(1.0)
        assert waiter.poll() is None
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, errs = waiter.communicate(timeout=60)
        assert waiter.returncode == 0, errs
    finally:
        if holder.poll() is None:
            holder.stdin.write("\n")
            holder.stdin.flush()
        holder.wait(timeout=30)
    with annostore.open(path, read_only=True) as r:
        assert r.query("SELECT count(*) AS n FROM sequences")["n"][0].as_py() == 1


def test_reader_and_writer_in_one_process(tmp_path):
    path = _make_store(tmp_path)
    with annostore.open(path) as w:
        with annostore.open(path, read_only=True) as r:
            with w.begin_run("hits", name="second") as run:
                run.write(pa.table({"example_idx": [0], "motif": ["M"], "start": [1], "end": [4], "strand": ["+"]}))
            # the reader keeps its snapshot; a fresh one sees the commit
            assert r.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 2
            r.refresh()
            assert r.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 3
        assert w.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 3
    # nothing of the writer's lock is left behind
    with annostore.open(path) as again:
        assert again.runs().num_rows == 2
