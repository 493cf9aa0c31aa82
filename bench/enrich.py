"""Benchmark: enrich pairs / enrich spacing at 10^6 and 10^7 annotations (time, peak RSS).

No peer computes these statistics (tangermeme returns counts; MEME's SpaMo tests one primary
motif at a time on sequences, not a store), so the bar in the same run is annostore's own
counting of the same thing (``pairs`` / ``spacing``, long form): the difference is what the
statistics (null, Fisher / binomial, BH) cost on top of counting.

Synthetic annotations: ``--motifs`` motifs (default 1000), 100 annotations per example
(widths 8-20, gaps 0-199, so examples are ~11 kb; regions carry the lengths), motifs drawn
uniformly: a complete null. Every workload runs in its own subprocess, ``--repeat`` times,
workloads interleaved round by round; the JSON line gives the median, every time, and that
process's peak RSS (VmHWM).

    python bench/enrich.py --sizes 1e6            # 10^6 annotations (10^4 examples)
    python bench/enrich.py --sizes 1e6,1e7 --repeat 3
    flock /work/coord/bench.lock python bench/enrich.py ...   # on a shared machine
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa

MAX_DISTANCE = 100

WORKLOADS = {
    "pairs (count only)": lambda s: s.pairs().to_arrow(),
    "enrich pairs": lambda s: s.enrich_pairs().to_arrow(),
    "spacing (count only)": lambda s: s.spacing(max_distance=MAX_DISTANCE).to_arrow(),
    "enrich spacing": lambda s: s.enrich_spacing(max_distance=MAX_DISTANCE).to_arrow(),
    "enrich spacing --orientation": lambda s: s.enrich_spacing(max_distance=MAX_DISTANCE, orientation=True).to_arrow(),
}


def synthetic(n: int, n_examples: int, n_motifs: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ex = np.sort(rng.integers(0, n_examples, n))
    w = rng.integers(8, 21, n)
    gap = rng.integers(0, 200, n)
    step = w + gap
    cs = np.cumsum(step)
    first = np.r_[True, ex[1:] != ex[:-1]]
    base = np.maximum.accumulate(np.where(first, cs - step, 0))
    start = cs - step - base + gap
    end = start + w
    length = np.zeros(n_examples, dtype=np.int64)
    np.maximum.at(length, ex, end)
    length += 200
    return {
        "example_idx": ex.astype(np.int64),
        "motif_idx": rng.integers(0, n_motifs, n).astype(np.int32),
        "start": start.astype(np.int64),
        "end": end.astype(np.int64),
        "strand": np.where(rng.random(n) < 0.5, "+", "-"),
    }, length


def build_store(path: str, n: int, n_examples: int, n_motifs: int, chunk: int = 2_000_000) -> None:
    import annostore
    from annostore.core.motifs import Motif, MotifSet

    d, length = synthetic(n, n_examples, n_motifs)
    store = annostore.open(path)
    store.add_motifs(MotifSet([Motif(f"M{i}", np.full((4, 8), 0.25)) for i in range(n_motifs)]))
    store.add_regions(pa.table({"chrom": ["chrB"] * n_examples, "start": np.arange(n_examples) * 100_000,
                                "end": np.arange(n_examples) * 100_000 + length, "strand": ["+"] * n_examples}))
    with store.begin_run("hits", name="bench") as run:
        for lo in range(0, n, chunk):
            sl = slice(lo, lo + chunk)
            m = len(d["start"][sl])
            run.write(pa.table({
                "example_idx": d["example_idx"][sl], "motif_idx": d["motif_idx"][sl], "start": d["start"][sl],
                "end": d["end"][sl], "strand": pa.array(d["strand"][sl]), "p_value": np.full(m, 1e-5),
                "attribution": np.ones(m),
            }))
    store.close()


def _vm_hwm_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str, workload: str) -> None:
    import annostore

    rss0 = _vm_hwm_mib()
    store = annostore.open(path, read_only=True)
    t0 = time.perf_counter()
    table = WORKLOADS[workload](store)
    elapsed = time.perf_counter() - t0
    extra = {}
    if "q_value" in table.column_names and table.num_rows:
        q = table["q_value"].to_numpy()
        extra = {"min_q": float(q.min()), "calls_q05": int((q < 0.05).sum())}
    store.close()
    print(json.dumps({"s": elapsed, "rows": table.num_rows, "rss0": rss0, "peak_rss_mib": _vm_hwm_mib(), **extra}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6,1e7", help="annotation counts, comma-separated (e.g. 1e6 or 1e6,1e7)")
    ap.add_argument("--motifs", type=int, default=1000)
    ap.add_argument("--per-example", type=int, default=100, help="annotations per example")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", help="comma-separated workload names (default: all)")
    args = ap.parse_args()
    names = list(WORKLOADS) if not args.only else [w.strip() for w in args.only.split(",")]
    for size in (int(float(x)) for x in args.sizes.split(",")):
        n_examples = max(1, size // args.per_example)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench.store")
            t0 = time.perf_counter()
            build_store(path, size, n_examples, args.motifs)
            build_s = time.perf_counter() - t0
            runs: dict[str, list[dict]] = {w: [] for w in names}
            for _ in range(args.repeat):  # interleaved: one of each workload per round
                for w in names:
                    proc = subprocess.run([sys.executable, __file__, "--child", path, w], capture_output=True, text=True)
                    if proc.returncode != 0:
                        runs[w].append({"error": proc.stderr.strip().splitlines()[-1:]})
                        continue
                    runs[w].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            for w in names:
                ok = [r for r in runs[w] if "s" in r]
                row = {"workload": w, "n": size, "examples": n_examples, "motifs": args.motifs,
                       "max_distance": MAX_DISTANCE, "repeats": len(ok), "store_build_s": round(build_s, 1),
                       "load1": round(os.getloadavg()[0], 1)}
                if ok:
                    row.update(median_s=round(statistics.median(r["s"] for r in ok), 3),
                               times_s=[round(r["s"], 3) for r in ok], rows=ok[-1]["rows"],
                               peak_rss_mib=round(max(r["peak_rss_mib"] for r in ok), 1),
                               rss_at_start_mib=round(ok[-1]["rss0"], 1))
                    for key in ("min_q", "calls_q05"):
                        if key in ok[-1]:
                            row[key] = ok[-1][key]
                errors = [r["error"] for r in runs[w] if "error" in r]
                if errors:
                    row["errors"] = errors[:1]
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
