"""Benchmark: annostore FIMO (MEME numbers) against memelite 0.5 ``fimo``, same process.

JASPAR 2026 CORE vertebrates (1,019 motifs) against 1,000 x 2,000 bp random sequences,
threshold 1e-4, 2 threads (``--quick``: 100 x 2,000 bp).  Both are JIT-warmed first; the workloads are
run interleaved (peer, ours, ours without q-values; repeated) and medians reported.  One JSON line per workload:

* ``fimo``: annostore.fimo (default: NRDB background, pseudocount, q-values; at this size the
  'auto' q-value method is 'sample') vs memelite.fimo;
* ``fimo_noq``: the same without q-values (the scan alone);
* ``fimo_store``: scan_store into a fresh store (hits/s into Parquet + DuckDB), no peer.

Run: ``python bench/fimo.py [--quick] [--threads 2] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOTIFS = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"
if not MOTIFS.exists():
    MOTIFS = REPO.parent / "shared" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 sequences instead of 1,000")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=None, help="number of sequences")
    ap.add_argument("--length", type=int, default=2000)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()

    import numba
    import numpy as np

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    import annostore
    from annostore.core.fimo import fimo
    from annostore.io.motifs import read_motifs

    n = args.n or (100 if args.quick else 1000)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 4, size=(n, args.length))
    onehot = np.zeros((n, 4, args.length), dtype=np.int8)
    np.put_along_axis(onehot, idx[:, None, :], 1, axis=1)
    seqs = annostore.load_sequences(onehot)
    motifs = read_motifs(MOTIFS)
    windows = sum(2 * max(0, args.length - m.width + 1) for m in motifs) * n
    base = {"motifs": len(motifs), "sequences": n, "length": args.length, "threads": args.threads, "threshold": 1e-4}

    # warm-up (JIT / cache load)
    fimo(motifs, annostore.load_sequences(onehot[:2]), 1e-4)

    peer = None
    if not args.no_peer:
        try:
            from memelite import fimo as ml_fimo

            pwms = motifs.to_dict()
            ml_fimo(pwms, onehot[:2], threshold=1e-4)
            peer = lambda: ml_fimo(pwms, onehot, threshold=1e-4)  # noqa: E731
        except ImportError:
            peer = None
    # interleave ours and the peer so that load changes on a shared machine hit both alike
    work = {
        "fimo": lambda: fimo(motifs, seqs, 1e-4),
        "fimo_noq": lambda: fimo(motifs, seqs, 1e-4, qvalues=False),
    }
    times: dict = {k: [] for k in work}
    peer_times: list = []
    results: dict = {}
    peer_hits = None
    for _ in range(args.repeats):
        if peer is not None:
            t = time.perf_counter()
            res = peer()
            peer_times.append(time.perf_counter() - t)
            peer_hits = int(sum(len(df) for df in res))
        for k, fn in work.items():
            t = time.perf_counter()
            results[k] = fn()
            times[k].append(time.perf_counter() - t)
    peer_s = statistics.median(peer_times) if peer_times else None
    for k in work:
        ours_s = statistics.median(times[k])
        table = results[k]
        line = dict(workload=k, ours_s=round(ours_s, 4), peer_s=None if peer_s is None else round(peer_s, 4),
                    ratio=None if peer_s is None else round(peer_s / ours_s, 3), ours_hits=table.num_rows,
                    peer_hits=peer_hits, windows_per_s=round(windows / ours_s), **base)
        print(json.dumps(line), flush=True)

    # into a store
    try:
        from annostore.store.pipelines import scan_store

        times, rows = [], 0
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                store = annostore.open(os.path.join(tmp, "b.store"))
                store.add_motifs(MOTIFS)
                stats: dict = {}
                t = time.perf_counter()
                scan_store(store, sequences=seqs, threshold=1e-4, stats=stats)
                times.append(time.perf_counter() - t)
                rows = stats["rows"]
                store.close() if hasattr(store, "close") else None
        s = statistics.median(times)
        print(json.dumps(dict(workload="fimo_store", ours_s=round(s, 4), peer_s=None, ratio=None, ours_hits=rows,
                              hits_per_s=round(rows / s), **base)), flush=True)
    except Exception as exc:  # the store may be unavailable in a partial checkout
        print(json.dumps(dict(workload="fimo_store", error=f"{type(exc).__name__}: {exc}")), flush=True)


if __name__ == "__main__":
    sys.exit(main())
