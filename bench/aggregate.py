"""Benchmark: count / pairs / spacing, annostore (DuckDB) vs tangermeme 1.6, same process.

Synthetic annotations: 1000 motifs, non-overlapping spans (widths 8-20, gaps 0-199) so that
tangermeme's spacing accepts them. One JSON line per workload.

What is compared (equal work):

* ``compat`` rows: ``annostore.count_annotations`` / ``pairwise_annotations`` /
  ``pairwise_annotations_spacing`` against the tangermeme functions of the same names on the
  same tensor. Both sides return the same **dense** torch tensor (the timing includes building
  it: ``(examples, motifs)`` int64 for count, ``(motifs, motifs)`` int64 for pairs,
  ``(motifs, motifs, 100)`` uint8 for spacing); ``identical`` says whether the tensors are equal.
* ``store`` rows: the store API (``annostore.analysis.aggregate``) on a store holding the same
  annotations, timed **long form** (Arrow table, reading Parquet included), next to the same
  tangermeme time (which is dense): a different output form, labelled ``form``.
* ``big`` rows: 10^7 hits, ours alone, each workload in its own subprocess so that its peak RSS
  (``ru_maxrss`` of that process) is its own; the result is streamed and consumed batch by
  batch (never materialised), with and without a DuckDB ``memory_limit``.

Timings are medians of ``--repeat`` runs, ours and the peer interleaved (the machine may be
shared; ``load`` is the 1-minute load average before/after the workload).

    python bench/aggregate.py            # 1e5 (1e3 examples) and 1e6 (1e5 examples) vs tangermeme; 1e7 ours
    python bench/aggregate.py --quick    # 1e4 / 1e5 rows vs tangermeme, 1e6 ours alone
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pyarrow as pa

N_MOTIFS = 1000
MAX_DISTANCE = 100


def synthetic(n: int, n_examples: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` non-overlapping annotations over ``n_examples`` examples and N_MOTIFS motifs."""
    rng = np.random.default_rng(seed)
    ex = np.sort(rng.integers(0, n_examples, n))
    w = rng.integers(8, 21, n)
    gap = rng.integers(0, 200, n)
    step = w + gap
    cs = np.cumsum(step)
    first = np.r_[True, ex[1:] != ex[:-1]]
    base = np.maximum.accumulate(np.where(first, cs - step, 0))
    start = cs - step - base + gap
    return {
        "example_idx": ex.astype(np.int64),
        "motif_idx": rng.integers(0, N_MOTIFS, n).astype(np.int64),
        "start": start.astype(np.int64),
        "end": (start + w).astype(np.int64),
    }


def emit(**row) -> None:
    print(json.dumps(row), flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 1)


def once(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def table_checksum(table: pa.Table) -> str:
    """Order-sensitive digest of a long-form result (compare runs before/after a change)."""
    h = hashlib.sha1()
    for name in table.column_names:
        col = table[name]
        h.update(name.encode())
        if pa.types.is_string(col.type):
            h.update("\n".join(col.to_pylist()).encode())
        else:
            h.update(np.ascontiguousarray(col.to_numpy(zero_copy_only=False)).tobytes())
    return h.hexdigest()[:12]


def tensor_checksum(y) -> str:
    return hashlib.sha1(y.contiguous().numpy().tobytes()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# ours vs tangermeme


def compat_workloads(d, n, n_examples, repeat, peer_limit_s, store) -> None:
    import tangermeme.annotate as T
    import torch

    import annostore.compat.tangermeme as A
    from annostore.analysis import aggregate

    X2 = torch.from_numpy(np.c_[d["example_idx"], d["motif_idx"]])
    X4 = torch.from_numpy(np.c_[d["example_idx"], d["motif_idx"], d["start"], d["end"]])
    work = {
        # name: (compat call, store long-form call or None, dense output)
        "count": (lambda m: m.count_annotations(X2, dtype=torch.int64),
                  lambda: aggregate.count(store).to_arrow(), f"({n_examples}, {N_MOTIFS}) int64"),
        "pairs unique symmetric": (lambda m: m.pairwise_annotations(X2),
                                   None, f"({N_MOTIFS}, {N_MOTIFS}) int64"),
        "pairs all-instances ordered": (lambda m: m.pairwise_annotations(X2, unique=False, symmetric=False),
                                        None, f"({N_MOTIFS}, {N_MOTIFS}) int64"),
        "spacing symmetric": (lambda m: m.pairwise_annotations_spacing(X4, max_distance=MAX_DISTANCE),
                              lambda: aggregate.spacing(store, max_distance=MAX_DISTANCE).to_arrow(),
                              f"({N_MOTIFS}, {N_MOTIFS}, {MAX_DISTANCE}) uint8"),
    }
    size = f"n={n:.0e} examples={n_examples:.0e}"
    for name, (fn, store_fn, dense) in work.items():
        l0 = load()
        ours_y = fn(A)  # warm-up; kept for the comparison
        ours_sum = tensor_checksum(ours_y)
        del ours_y
        ours_t, peer_t, identical = [], [], True
        for r in range(repeat):
            t, y = once(lambda: fn(A))
            ours_t.append(t)
            del y
            if r == 0 or sum(peer_t) + peer_t[-1] < peer_limit_s:
                t, ref = once(lambda: fn(T))
                peer_t.append(t)
                if r == 0:
                    y = fn(A)
                    identical = bool(torch.equal(y, ref))
                    del y
                del ref
        ours, peer = statistics.median(ours_t), statistics.median(peer_t)
        emit(workload=f"compat {name} {size}", ours_s=round(ours, 4), peer_s=round(peer, 4),
             ratio=round(peer / ours, 1), peer="tangermeme 1.6", form=f"both dense {dense}",
             repeats=[len(ours_t), len(peer_t)], identical=identical, checksum=ours_sum, load=[l0, load()])
        if store_fn is not None:
            store_fn()
            times = []
            for _ in range(repeat):
                t, table = once(store_fn)
                times.append(t)
            ours = statistics.median(times)
            emit(workload=f"store {name} {size}", ours_s=round(ours, 4), peer_s=round(peer, 4),
                 ratio=round(peer / ours, 1), peer="tangermeme 1.6 (dense)",
                 form=f"ours long form ({table.num_rows} rows, Parquet scan included)",
                 repeats=[len(times), len(peer_t)], checksum=table_checksum(table), load=[l0, load()])


def build_store(path: str, d, chunk: int = 2_000_000):
    import annostore
    from annostore.core.motifs import Motif, MotifSet

    store = annostore.open(path)
    store.add_motifs(MotifSet([Motif(f"M{i}", np.full((4, 8), 0.25)) for i in range(N_MOTIFS)]))
    n = len(d["start"])
    with store.begin_run("hits", name="bench") as run:
        for lo in range(0, n, chunk):
            sl = slice(lo, lo + chunk)
            m = len(d["start"][sl])
            run.write(pa.table({
                "example_idx": d["example_idx"][sl], "motif_idx": d["motif_idx"][sl].astype(np.int32),
                "start": d["start"][sl], "end": d["end"][sl], "strand": pa.array(["+"] * m),
                "p_value": np.full(m, 1e-5), "attribution": np.ones(m),
            }))
    return store


# ---------------------------------------------------------------------------------------------
# 10^7 hits, ours alone, one subprocess per workload


BIG = {
    "count": lambda agg, s: agg.count(s, stream=True),
    "pairs unique symmetric": lambda agg, s: agg.pairs(s, stream=True),
    "pairs all-instances ordered": lambda agg, s: agg.pairs(s, unique=False, symmetric=False, stream=True),
    "spacing symmetric": lambda agg, s: agg.spacing(s, max_distance=MAX_DISTANCE, stream=True),
}


def _vm_hwm_mib() -> float:
    """Peak RSS of this process image (VmHWM; unlike ru_maxrss it does not inherit the
    parent's high-water mark across fork + exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str, workload: str, memory_limit: str | None, repeat: int) -> None:
    """Run one workload on an existing store; print one JSON object (time, rows, own peak RSS,
    DuckDB's peak buffer memory and spill size from its profiler, last run)."""
    import annostore
    from annostore.analysis import aggregate

    rss0 = _vm_hwm_mib()
    store = annostore.open(path, memory_limit=memory_limit)  # read-write: spills to <store>/.tmp
    times, rows = [], 0
    profile = os.path.join(os.path.dirname(path), f"profile-{os.getpid()}.json")
    for r in range(repeat):
        if r == repeat - 1:
            store.con.execute("SET enable_profiling = 'json'")
            store.con.execute(f"SET profiling_output = '{profile}'")
        t0 = time.perf_counter()
        rows = 0
        for batch in BIG[workload](aggregate, store):  # streamed, consumed batch by batch
            rows += batch.num_rows
        times.append(time.perf_counter() - t0)
    store.con.execute("SET enable_profiling = 'no_output'")
    system = {}
    try:
        with open(profile) as fh:
            system = json.load(fh).get("system", {})
    except (OSError, ValueError):
        pass
    store.close()
    print(json.dumps({"times": times, "rows": rows, "rss_before_mib": rss0, "peak_rss_mib": _vm_hwm_mib(),
                      "duckdb_peak_buffer_mib": system.get("peak_buffer_memory", 0) / 2**20,
                      "duckdb_peak_spill_mib": system.get("peak_temp_dir_size", 0) / 2**20}))


def big_workloads(n: int, n_examples: int, repeat: int, limits: list[str | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/big.store"
        t0 = time.perf_counter()
        d = synthetic(n, n_examples, seed=1)
        build_store(path, d).close()
        del d
        build_s = time.perf_counter() - t0
        for limit in limits:
            for workload in BIG:
                l0 = load()
                cmd = [sys.executable, __file__, "--child", path, workload, str(limit), str(repeat)]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0:
                    emit(workload=f"big {workload} n={n:.0e}", error=proc.stderr.strip().splitlines()[-1:],
                         memory_limit=limit)
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                emit(workload=f"big {workload} n={n:.0e} examples={n_examples:.0e}",
                     ours_s=round(statistics.median(r["times"]), 3), peer_s=None, ratio=None,
                     form="long form, streamed", rows=r["rows"], memory_limit=limit or "DuckDB default (80% RAM)",
                     peak_rss_mib=round(r["peak_rss_mib"], 1), rss_at_start_mib=round(r["rss_before_mib"], 1),
                     duckdb_peak_buffer_mib=round(r["duckdb_peak_buffer_mib"], 1),
                     duckdb_peak_spill_mib=round(r["duckdb_peak_spill_mib"], 1),
                     repeats=len(r["times"]), store_build_s=round(build_s, 1), load=[l0, load()])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, path, workload, limit, repeat = sys.argv
        child(path, workload, None if limit == "None" else limit, int(repeat))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-limit", type=float, default=400.0,
                    help="stop repeating a peer call once its runs add up to this many seconds")
    ap.add_argument("--only", choices=["compat", "big"], help="run one part only")
    ap.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit for the bounded 10^7 runs")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.quick:
        sizes = [(10_000, 100), (100_000, 10_000)]
        big = (1_000_000, 100_000)
    else:
        sizes = [(100_000, 1_000), (1_000_000, 100_000)]
        big = (10_000_000, 100_000)
    if args.only != "big":
        for n, n_ex in sizes:
            d = synthetic(n, n_ex)
            with tempfile.TemporaryDirectory() as tmp:
                store = build_store(f"{tmp}/b.store", d)
                compat_workloads(d, n, n_ex, args.repeat, args.peer_limit, store)
                store.close()
    if args.only != "compat":
        big_workloads(*big, repeat=args.repeat, limits=[None, args.memory_limit])


if __name__ == "__main__":
    main()
