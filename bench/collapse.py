"""Benchmark: ``annostore collapse`` (Store.collapse) at 10^6 and 10^7 hits: wall time and peak RSS.

Each size runs in its own child process (so that peak RSS is that size's): a store with the
built-in JASPAR motifs, clustered once (the clustering is copied into every child's store, not
timed), and a hits run of N random hits on 20,000 examples of 1,000 bp, in clumps of
redundant hits (as FIMO gives on JASPAR); then ``collapse --by cluster`` (and ``--by motif``) is
timed. There is no peer: Fi-NeMo and tangermeme have no such operation on a store. Output: one
JSON line per (size, by).

Run: ``python bench/collapse.py [--sizes 1000000 10000000] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child(n: int, by: str, threads: int, folder: str) -> None:
    import numpy as np
    import pyarrow as pa

    import annostore
    from annostore.analysis.clusters import write_clusters

    clusters = pa.ipc.open_file(Path(folder) / "clusters.arrow").read_all()
    store = annostore.open(Path(folder) / f"s-{n}-{by}.store", threads=threads)
    store.add_motifs(annostore.default_motifs_path())
    write_clusters(store, clusters, {"bench": True})
    n_ex, length = 20_000, 1_000
    store.add_regions(pa.table({"chrom": ["chr1"] * n_ex, "start": np.arange(n_ex) * 2000,
                                "end": np.arange(n_ex) * 2000 + length, "strand": ["+"] * n_ex}))
    rng = np.random.default_rng(0)
    chunk = 1_000_000
    with store.begin_run("hits", name="raw") as run:
        for lo in range(0, n, chunk):
            m = min(chunk, n - lo)
            # clumps: 10 sites per example, hits jittered around them
            ex = np.sort(rng.integers(0, n_ex, m))
            site = rng.integers(0, 10, m) * 95 + 20
            start = site + rng.integers(-4, 5, m)
            run.write(pa.table({"example_idx": ex, "motif_idx": pa.array(rng.integers(0, 1019, m), pa.int32()),
                                "start": start, "end": start + rng.integers(6, 20, m),
                                "strand": np.where(rng.random(m) < 0.5, "+", "-"), "p_value": rng.random(m) * 1e-4}))
    from annostore.core.nms import suppress  # load the JIT cache before timing

    z = np.zeros(2, dtype=np.int64)
    suppress(z, z, z, z + 5, np.zeros(2), 0.5)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    new = store.collapse("raw", by=by, name="fam")
    wall = time.perf_counter() - t
    runs = store.runs().to_pandas()
    n_out = int(runs.loc[runs.run_id == new, "n_rows"].iloc[0])
    store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"workload": "collapse", "n_hits": n, "by": by, "threads": threads, "wall_s": round(wall, 2),
                      "hits_per_s": round(n / wall), "n_kept": int(n_out), "peak_rss_mb": round(rss / 1024, 1),
                      "peak_rss_before_collapse_mb": round(rss_before / 1024, 1)}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--by", nargs="+", default=["cluster", "motif"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        n, by, threads, folder = args.child
        child(int(n), by, int(threads), folder)
        return
    import pyarrow as pa

    import annostore

    with tempfile.TemporaryDirectory() as folder:
        res = annostore.cluster_motifs(annostore.default_motifs_path())
        t = res.table.select(["motif_idx", "cluster_idx", "cluster", "representative"])
        with pa.ipc.new_file(Path(folder) / "clusters.arrow", t.schema) as w:
            w.write_table(t)
        for n in args.sizes:
            for by in args.by:
                subprocess.run([sys.executable, __file__, "--child", str(n), by, str(args.threads), folder], check=True)


if __name__ == "__main__":
    main()
