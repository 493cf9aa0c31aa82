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
    "enrich": ["enrich", "pairs"],
    "enrich pairs": ["enrich", "pairs"],
    "enrich spacing": ["enrich", "spacing", "--max-distance", "100"],
}
BLOCK_EXAMPLES = 20_000  # examples generated per Parquet row group by write_inputs


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


def write_inputs(folder: Path, n: int, n_examples: int, seed: int = 1) -> dict[str, Path]:
    """The CLI's input files, written block by block (bounded memory at any --hits): ``motifs.meme``
    (N_MOTIFS uniform motifs), ``regions.bed`` (one region per example, long enough for its hits)
    and ``hits.parquet`` (example_idx, motif, start, end, strand, p_value, attribution; 0-based
    half-open, non-overlapping spans as in bench/aggregate.py's ``synthetic``)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE))
    from aggregate import N_MOTIFS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meme = folder / "motifs.meme"
    with open(meme, "w") as fh:
        fh.write("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n")
        fh.write("Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n")
        rows = "\n".join([" 0.25 0.25 0.25 0.25"] * 8)
        for i in range(N_MOTIFS):
            fh.write(f"MOTIF M{i} A{i}\nletter-probability matrix: alength= 4 w= 8 nsites= 20 E= 0\n{rows}\n\n")
    rng = np.random.default_rng(seed)
    names = pa.array([f"M{i}" for i in range(N_MOTIFS)])
    stride = int(3 * n / n_examples + 50) * 220 + 1000  # room for any example's hits (max step 220 bp)
    hits = folder / "hits.parquet"
    schema = pa.schema([("example_idx", pa.int64()), ("motif", pa.dictionary(pa.int32(), pa.string())),
                        ("start", pa.int64()), ("end", pa.int64()), ("strand", pa.string()),
                        ("p_value", pa.float64()), ("attribution", pa.float64())])
    with pq.ParquetWriter(hits, schema) as writer, open(folder / "regions.bed", "w") as bed:
        for lo in range(0, n_examples, BLOCK_EXAMPLES):
            hi = min(n_examples, lo + BLOCK_EXAMPLES)
            m = int(n * hi // n_examples - n * lo // n_examples)
            ex = np.sort(rng.integers(lo, hi, m))
            w = rng.integers(8, 21, m)
            gap = rng.integers(0, 200, m)
            step = w + gap
            cs = np.cumsum(step)
            first = np.r_[True, ex[1:] != ex[:-1]] if m else np.zeros(0, bool)
            base = np.maximum.accumulate(np.where(first, cs - step, 0)) if m else cs
            start = cs - step - base + gap
            end = start + w
            length = np.zeros(hi - lo, np.int64)
            np.maximum.at(length, ex - lo, end)
            length += 100
            assert int(length.max(initial=0)) < stride, "an example outgrew its slot"
            for k in range(hi - lo):  # regions: chr1, one fixed-stride slot per example
                pos = (lo + k) * stride
                bed.write(f"chr1\t{pos}\t{pos + int(length[k])}\n")
            motif = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, N_MOTIFS, m).astype(np.int32)), names)
            strand = np.where(rng.random(m) < 0.5, "+", "-")
            writer.write_table(pa.table({
                "example_idx": ex.astype(np.int64), "motif": motif, "start": start.astype(np.int64),
                "end": end.astype(np.int64), "strand": pa.array(strand), "p_value": np.full(m, 1e-5),
                "attribution": rng.random(m)}, schema=schema))
    return {"motifs": meme, "regions": folder / "regions.bed", "hits": hits}


def build_cli(path: Path, n: int, n_examples: int, env: dict) -> list[dict]:
    """Write the inputs (a child process), then init, motifs add, regions add and ingest hits,
    each through the CLI in its own process; returns one row per step (time, peak RSS)."""
    folder = path.parent / "inputs"
    code = "import sys; sys.path.insert(0, %r)\nfrom scale import write_inputs\nwrite_inputs(%r, %d, %d)\n" % (
        str(HERE), str(folder), n, n_examples)
    rows = []
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    rows.append({"step": "write inputs (bench)", "seconds": round(time.perf_counter() - t0, 1),
                 "hits_parquet_mib": round((folder / "hits.parquet").stat().st_size / 2**20, 1)})
    for name, args in (("init", ["init", str(path)]),
                       ("motifs add", ["motifs", "add", str(path), str(folder / "motifs.meme")]),
                       ("regions add", ["regions", "add", str(path), str(folder / "regions.bed")]),
                       ("ingest hits", ["ingest", "hits", str(path), str(folder / "hits.parquet"), "--name", "bench"])):
        seconds, peak, rc = run_step(["-q", *args], env)
        row = {"step": name, "seconds": round(seconds, 1), "peak_rss_mib": round(peak, 1), "load": load()}
        if rc:
            row["exit_code"] = rc
        rows.append(row)
        if rc:
            raise SystemExit(f"{name} failed with exit code {rc}")
    return rows


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
    ap.add_argument("--steps", default="count,pairs,spacing,enrich pairs,enrich spacing")
    ap.add_argument("--memory-limit", default="2GB", help="the limited runs' --memory-limit ('' for none)")
    ap.add_argument("--only-limited", action="store_true",
                    help="DuckDB only with --memory-limit (not also with its default, 80%% of RAM)")
    ap.add_argument("--spark", action="store_true", help="also run each step with --engine spark (local[2])")
    ap.add_argument("--spark-only-format", default="parquet")
    ap.add_argument("--store", help="use (or keep) this store folder instead of a temporary one")
    ap.add_argument("--build", choices=("cli", "api"), default="cli",
                    help="cli: write Parquet/BED/MEME inputs and time init, motifs add, regions add and "
                         "ingest hits through the CLI (default); api: bench/aggregate.py's build_store")
    a = ap.parse_args()
    n, n_examples = int(a.hits), int(a.examples)
    env = dict(os.environ)
    tmp = tempfile.TemporaryDirectory(prefix="annostore-scale-")
    path = Path(a.store) if a.store else Path(tmp.name) / "scale.store"
    if not path.exists() and a.build == "cli":
        for row in build_cli(path, n, n_examples, env):
            print(json.dumps({**row, "hits": n, "examples": n_examples}), flush=True)
    elif not path.exists():
        build_s = build(path, n, n_examples)
        print(json.dumps({"step": "build store (Python API)", "hits": n, "examples": n_examples,
                          "seconds": round(build_s, 1), "load": load()}), flush=True)
    steps = [s.strip() for s in a.steps.split(",") if s.strip()]
    if any(s.startswith("enrich") for s in steps) and not has_command("enrich", env):
        steps = [s for s in steps if not s.startswith("enrich")]
        print(json.dumps({"step": "enrich", "skipped": "no `annostore enrich` in this version"}), flush=True)
    configs = [] if a.only_limited and a.memory_limit else [("duckdb", None)]
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
