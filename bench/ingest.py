"""Benchmark: hit ingest throughput into a store (validation + Parquet write + commit).

Input is a memelite-style FIMO frame (``motif_name, motif_idx, sequence_name, start, end,
strand, score, p-value``) of N random hits over the 1,019 JASPAR 2026 motifs and 10,000
examples, saved as Parquet and as TSV.  The peer is what a user does without annostore to
get the same file into Parquet: pandas ``read_parquet``/``read_csv`` + ``to_parquet`` (no
validation, no motif resolution).  Both run in this process; medians of ``--repeats``.

Workloads (one JSON line each):

* ``ingest_parquet``: ``store.add_hits(file.parquet)`` vs pandas read_parquet + to_parquet;
* ``ingest_parquet_keys``: the same with ``"id alt"`` motif keys (names resolved and rewritten);
* ``ingest_tsv``: ``store.add_hits(file.tsv)`` vs pandas read_csv + to_parquet;
* ``ingest_arrow``: ``begin_run().write(table)`` of an in-memory Arrow table (no file read), no peer.

Run: ``python bench/ingest.py [--quick] [--n 5000000] [--repeats 3] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOTIFS = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


def _median(fn, repeats, setup=None, cpu=None):
    """Median wall seconds of ``fn``; with a list ``cpu``, appends the median process CPU seconds
    (all threads: a steadier figure than wall time on a shared machine)."""
    times, cpus = [], []
    for _ in range(repeats):
        if setup is not None:
            setup()
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="500,000 hits instead of 5,000,000")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()

    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import annostore
    from annostore.io.motifs import read_motifs

    n = args.n or (500_000 if args.quick else 5_000_000)
    n_examples, length = 10_000, 2_000
    motifs = read_motifs(MOTIFS)
    rng = np.random.default_rng(0)
    midx = rng.integers(0, len(motifs), n).astype(np.int64)
    widths = np.array([m.width for m in motifs])[midx]
    start = rng.integers(0, length - 40, n).astype(np.int64)
    ids = pa.array(motifs.names).take(pa.array(midx))
    keys = pa.array(motifs.keys).take(pa.array(midx))
    base = {
        "motif_idx": pa.array(midx),
        "sequence_name": pa.array(rng.integers(0, n_examples, n).astype(np.int64)),
        "start": pa.array(start),
        "end": pa.array(start + widths),
        "strand": pa.array(np.where(rng.random(n) < 0.5, "+", "-")),
        "score": pa.array(rng.normal(10, 2, n)),
        "p-value": pa.array(rng.uniform(0, 1e-4, n)),
    }
    table_ids = pa.table({"motif_name": ids, **base})
    table_keys = pa.table({"motif_name": keys, **base})

    tmp = Path(tempfile.mkdtemp(prefix="annostore-bench-"))
    try:
        pq.write_table(table_ids, tmp / "hits.parquet")
        pq.write_table(table_keys, tmp / "hits_keys.parquet")
        table_ids.to_pandas().to_csv(tmp / "hits.tsv", sep="\t", index=False)
        fasta_free = tmp / "store"

        def fresh_store():
            shutil.rmtree(fasta_free, ignore_errors=True)
            s = annostore.open(fasta_free, threads=args.threads)
            s.add_motifs(MOTIFS)
            s.close()

        def ours(path):
            def go():
                with annostore.open(fasta_free, threads=args.threads) as s:
                    s.add_hits(path)
                    assert s.query("SELECT count(*) AS c FROM hits")["c"][0].as_py() == n
            return go

        def ours_arrow():
            table = pa.table({"example_idx": base["sequence_name"], "motif_idx": base["motif_idx"].cast(pa.int32()),
                              "start": base["start"], "end": base["end"], "strand": base["strand"],
                              "score": base["score"], "p_value": base["p-value"]})
            with annostore.open(fasta_free, threads=args.threads) as s:
                with s.begin_run("hits") as run:
                    run.write(table)

        def peer(path, reader):
            def go():
                df = reader(path)
                df.to_parquet(tmp / "peer.parquet", compression="zstd")
            return go

        read_tsv = lambda p: pd.read_csv(p, sep="\t")  # noqa: E731
        workloads = [
            ("ingest_parquet", tmp / "hits.parquet", ours(tmp / "hits.parquet"), peer(tmp / "hits.parquet", pd.read_parquet)),
            ("ingest_parquet_keys", tmp / "hits_keys.parquet", ours(tmp / "hits_keys.parquet"),
             peer(tmp / "hits_keys.parquet", pd.read_parquet)),
            ("ingest_tsv", tmp / "hits.tsv", ours(tmp / "hits.tsv"), peer(tmp / "hits.tsv", read_tsv)),
            ("ingest_arrow", None, ours_arrow, None),
        ]
        # warm-up (imports, first Parquet writer, DuckDB start)
        fresh_store()
        ours(tmp / "hits.parquet")()
        for name, path, fn, peer_fn in workloads:
            cpu: list = []
            ours_s = _median(fn, args.repeats, setup=fresh_store, cpu=cpu)
            peer_s = None if (peer_fn is None or args.no_peer) else _median(peer_fn, args.repeats)
            record = {
                "workload": name,
                "n_hits": n,
                "ours_s": round(ours_s, 4),
                "peer": None if peer_s is None else "pandas read + to_parquet(zstd)",
                "peer_s": None if peer_s is None else round(peer_s, 4),
                "ratio": None if peer_s is None else round(peer_s / ours_s, 3),
                "hits_per_s": round(n / ours_s),
                "ours_cpu_s": round(cpu[0], 4),
                "input_mb": None if path is None else round(path.stat().st_size / 1e6, 1),
                "threads": args.threads,
            }
            print(json.dumps(record), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
