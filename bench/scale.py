"""Benchmark: the CLI at scale, one subprocess per step (its own time and peak RSS).

Builds a store of ``--hits`` synthetic hits over ``--examples`` examples and 1,000 motifs
(non-overlapping spans, as in bench/aggregate.py), then runs through the CLI, each step in
its own process:

* ``count``, ``pairs``, ``spacing --max-distance 100`` (and ``enrich`` when this annostore
  has it), in every output format (tsv, csv, jsonl, parquet), written to a file;
* with the DuckDB engine (default memory limit, and ``--memory-limit`` given), and with
  ``--engine spark --spark-master local[2]`` on the same store (``--spark``).

Each step's wall time and peak RSS (``ru_maxrss`` of that child from ``wait4``; the parent
stays small, the store is built in a child too) are printed as one JSON line, medians of
``--repeat`` runs.  The machine may be shared: ``load`` is the 1-minute load average.

    python bench/scale.py --hits 1e7 --examples 1e5            # DuckDB, all formats
    python bench/scale.py --hits 1e6 --examples 1e4 --spark    # DuckDB vs Spark local[2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMATS = ("tsv", "csv", "jsonl", "parquet")
STEPS = {
    "count": ["count"],
    "count by motif": ["count", "--by", "motif"],
    "pairs": ["pairs"],
    "spacing": ["spacing", "--max-distance", "100"],
    "enrich": ["enrich"],
}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def build(path: Path, n: int, n_examples: int) -> float:
    """Build the store in a child process (keeps this process's RSS small); returns seconds."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from aggregate import synthetic, build_store\n"
        "d = synthetic(%d, %d, seed=1)\n"
        "build_store(%r, d).close()\n"
    ) % (str(HERE), n, n_examples, str(path))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0


def run_step(args: list[str], env: dict) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of one CLI process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "annostore_cli.app", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(json.dumps({"error": err.strip().splitlines()[-1:] if err else [], "args": args}), file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def has_command(name: str, env: dict) -> bool:
    proc = subprocess.run([sys.executable, "-m", "annostore_cli.app", name, "--help"], capture_output=True, env=env)
    return proc.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hits", type=float, default=1e7)
    ap.add_argument("--examples", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--steps", default="count,pairs,spacing,enrich")
    ap.add_argument("--memory-limit", default="2GB", help="the limited runs' --memory-limit ('' for none)")
    ap.add_argument("--spark", action="store_true", help="also run each step with --engine spark (local[2])")
    ap.add_argument("--spark-only-format", default="parquet")
    ap.add_argument("--store", help="use (or keep) this store folder instead of a temporary one")
    a = ap.parse_args()
    n, n_examples = int(a.hits), int(a.examples)
    env = dict(os.environ)
    tmp = tempfile.TemporaryDirectory(prefix="annostore-scale-")
    path = Path(a.store) if a.store else Path(tmp.name) / "scale.store"
    if not path.exists():
        build_s = build(path, n, n_examples)
        print(json.dumps({"step": "build store (Python API)", "hits": n, "examples": n_examples,
                          "seconds": round(build_s, 1), "load": load()}), flush=True)
    steps = [s.strip() for s in a.steps.split(",") if s.strip()]
    if "enrich" in steps and not has_command("enrich", env):
        steps.remove("enrich")
        print(json.dumps({"step": "enrich", "skipped": "no `annostore enrich` in this version"}), flush=True)
    configs = [("duckdb", None)]
    if a.memory_limit:
        configs.append(("duckdb", a.memory_limit))
    if a.spark:
        configs.append(("spark", None))
    out = Path(tmp.name) / "out"
    out.mkdir(exist_ok=True)
    for step in steps:
        for engine, limit in configs:
            formats = a.formats.split(",") if engine == "duckdb" else [a.spark_only_format]
            for fmt in formats:
                glob = ["--engine", engine]
                if engine == "spark":
                    glob += ["--spark-master", "local[2]"]
                if limit:
                    glob += ["--memory-limit", limit]
                args = [*glob, *STEPS[step], str(path), "-f", fmt, "-o", str(out / f"r.{fmt}")]
                times, peaks, rc = [], [], 0
                l0 = load()
                for _ in range(a.repeat):
                    seconds, peak, rc = run_step(args, env)
                    if rc != 0:
                        break
                    times.append(seconds)
                    peaks.append(peak)
                row = {"step": step, "engine": engine, "format": fmt, "memory_limit": limit or "default",
                       "hits": n, "examples": n_examples}
                if rc != 0:
                    row["exit_code"] = rc
                else:
                    size = (out / f"r.{fmt}").stat().st_size
                    row.update(seconds=round(statistics.median(times), 2), peak_rss_mib=round(max(peaks), 1),
                               output_mib=round(size / 2**20, 1), repeats=len(times))
                row["load"] = [l0, load()]
                print(json.dumps(row), flush=True)
    tmp.cleanup()


if __name__ == "__main__":
    main()
