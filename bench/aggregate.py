"""Benchmark: count / pairs / spacing, annostore (DuckDB) vs tangermeme 1.6, same process.

Synthetic annotations: ~1000 motifs, non-overlapping spans (widths 8-20, gaps 0-199) so that
tangermeme's spacing accepts them. Prints one JSON line per workload with medians.

    python bench/aggregate.py            # 1e5 and 1e6 rows vs tangermeme, then 1e7 ours alone
    python bench/aggregate.py --quick    # 1e4 / 1e5 rows, 1e6 ours alone
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
import warnings

import numpy as np
import pyarrow as pa

N_MOTIFS = 1000


def synthetic(n: int, n_examples: int, seed: int = 0) -> dict[str, np.ndarray]:
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


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def emit(**row) -> None:
    print(json.dumps(row), flush=True)


def compat_workloads(n: int, n_examples: int, repeat: int, peer_repeat: int, peer_limit_s: float) -> None:
    import torch
    import tangermeme.annotate as T

    import annostore.annotations as A

    d = synthetic(n, n_examples)
    X2 = torch.from_numpy(np.c_[d["example_idx"], d["motif_idx"]])
    X4 = torch.from_numpy(np.c_[d["example_idx"], d["motif_idx"], d["start"], d["end"]])
    work = {
        "count_annotations": (lambda m: m.count_annotations(X2, dtype=torch.int64)),
        "pairwise_annotations": (lambda m: m.pairwise_annotations(X2)),
        "pairwise_annotations_all_ordered": (lambda m: m.pairwise_annotations(X2, unique=False, symmetric=False)),
        "pairwise_annotations_spacing": (lambda m: m.pairwise_annotations_spacing(X4)),
    }
    for name, fn in work.items():
        fn(A)  # warm-up
        ours = timed(lambda: fn(A), repeat)
        # one timed peer call first; skip repeats when it is slow
        t0 = time.perf_counter()
        ref = fn(T)
        peer = time.perf_counter() - t0
        if peer * peer_repeat < peer_limit_s and peer_repeat > 1:
            peer = statistics.median([peer] + [timed(lambda: fn(T), 1) for _ in range(peer_repeat - 1)])
        same = bool(torch.equal(fn(A), ref))
        emit(workload=f"{name} n={n:.0e} examples={n_examples:.0e}", ours_s=round(ours, 4), peer_s=round(peer, 4),
             ratio=round(peer / ours, 1), peer="tangermeme 1.6", identical=same)


def store_workloads(n: int, n_examples: int, repeat: int) -> None:
    import annostore
    from annostore import aggregate
    from annostore.motifs import Motif, MotifSet

    d = synthetic(n, n_examples, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        store = annostore.open(f"{tmp}/b.store")
        store.add_motifs(MotifSet([Motif(f"M{i}", np.full((4, 8), 0.25)) for i in range(N_MOTIFS)]))
        chunk = 2_000_000
        with store.begin_run("hits", name="bench") as run:
            for lo in range(0, n, chunk):
                sl = slice(lo, lo + chunk)
                m = len(d["start"][sl])
                run.write(pa.table({
                    "example_idx": d["example_idx"][sl], "motif_idx": d["motif_idx"][sl].astype(np.int32),
                    "start": d["start"][sl], "end": d["end"][sl], "strand": pa.array(["+"] * m),
                    "p_value": np.full(m, 1e-5), "attribution": np.ones(m),
                }))
        del d
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        work = {
            "store count (example x motif)": lambda: aggregate.count(store).to_arrow(),
            "store pairs unique symmetric": lambda: aggregate.pairs(store).to_arrow(),
            "store spacing max_distance=100": lambda: aggregate.spacing(store).to_arrow(),
        }
        for name, fn in work.items():
            fn()
            t = timed(fn, repeat)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            emit(workload=f"{name} n={n:.0e} examples={n_examples:.0e}", ours_s=round(t, 4), peer_s=None, ratio=None,
                 peak_rss_mib=round(rss / 1024, 1), rss_before_mib=round(rss0 / 1024, 1))
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-limit", type=float, default=400.0, help="skip peer repeats beyond this many seconds")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.quick:
        sizes = [(10_000, 100), (100_000, 10_000)]
        big = (1_000_000, 100_000)
    else:
        sizes = [(100_000, 1_000), (1_000_000, 100_000)]
        big = (10_000_000, 100_000)
    for n, n_ex in sizes:
        compat_workloads(n, n_ex, args.repeat, 3 if n <= 100_000 else 1, args.peer_limit)
    store_workloads(*big, repeat=args.repeat)


if __name__ == "__main__":
    main()
