"""Benchmark: annostore TOMTOM seqlet annotation (MEME p-values) against tangermeme's
``annotate_seqlets`` (memelite 0.5 ``tomtom``), same process.

10,000 seqlet windows of 10-25 bp (``--quick``: 1,000): one-hot random sequences, each with a
planted instance of a random JASPAR 2026 CORE vertebrates motif (1,019 targets), annotated
with ``n_nearest=1``.  Both sides are JIT-warmed first; each workload is repeated and the
median reported.  One JSON line per workload:

* ``tomtom_annotate``: ``annostore.annotate_seqlets`` vs ``tangermeme.annotate.annotate_seqlets``;
  also the fraction of seqlets whose best target is the same in both and the fraction whose
  best target is the planted motif (exact matrix id; JASPAR is redundant, so this is low for both).
* ``tomtom_all``: motif-vs-motif TOMTOM, 20 x 1,019 and 1,019 x 1,019 (all-vs-all) JASPAR motifs:
  ``annostore.tomtom_all`` (MEME-exact p-values of every pair) and, for 20 queries, ``annostore.tomtom``
  (complete MEME table with E/q-values) vs memelite ``tomtom`` on the same pseudocounted matrices,
  interleaved, median of ``--motif-repeats`` (5), with the process's peak RSS.
* ``tomtom_all_fresh``: the same 20 x 1,019 comparison in a fresh ``python -c`` process each (import,
  JIT cache load, motif reading and the comparison: what a one-off command pays), ours and memelite
  interleaved, median of ``--fresh-repeats`` (5) wall times, with each child's peak RSS (median);
  memelite reads the file with its own ``read_meme`` and gets a fixed 0.1 pseudocount (nsites 20).

``ratio`` is always ours / peer: below 1, ours is faster.  ``ratio_paired`` (motif workloads) is the
median of the per-repeat ratios of the interleaved runs: steadier than the ratio of medians on a
machine whose speed drifts between minutes.

Run: ``python bench/tomtom.py [--quick] [--threads 2] [--repeats 3] [--motifs-only]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOTIFS = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"
if not MOTIFS.exists():
    MOTIFS = REPO.parent / "shared" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


def _median_time(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def make_seqlets(pwms, n, seed=0):
    """One-hot (n, 4, 40) random sequences with a planted motif instance and a 10-25 bp window over it."""
    import numpy as np

    rng = np.random.default_rng(seed)
    length = 40
    codes = rng.integers(0, 4, size=(n, length))
    planted = rng.integers(0, len(pwms), size=n)
    rows = []
    for i in range(n):
        pwm = pwms[planted[i]]
        w = min(pwm.shape[1], 25)
        win = int(rng.integers(max(10, w), 26))
        start = int(rng.integers(0, length - win + 1))
        site = start + int(rng.integers(0, win - w + 1))
        for j in range(w):
            codes[i, site + j] = rng.choice(4, p=pwm[:, j] / pwm[:, j].sum())
        rows.append((i, start, start + win))
    X = np.zeros((n, 4, length), dtype=np.int8)
    np.put_along_axis(X, codes[:, None, :], 1, axis=1)
    return X, np.array(rows, dtype=np.int64), planted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 seqlets instead of 10,000")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--motifs-only", action="store_true", help="only the motif-vs-motif workloads")
    ap.add_argument("--queries", type=int, nargs="+", default=[20, 1019], help="query counts (first N JASPAR motifs)")
    ap.add_argument("--motif-repeats", type=int, default=5, help="interleaved repeats of the motif workloads")
    ap.add_argument("--fresh-repeats", type=int, default=5, help="interleaved fresh-process repeats (0: none)")
    args = ap.parse_args()

    import numba
    import numpy as np
    import pandas as pd
    import torch

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    import annostore
    from annostore.io.motifs import read_motifs

    mset = read_motifs(MOTIFS)
    if args.motifs_only:
        motif_workloads(mset, args)
        return
    motif_dict = mset.to_dict()
    pwms = list(motif_dict.values())
    n = args.n or (1000 if args.quick else 10000)
    X, seq, planted = make_seqlets(pwms, n)
    Xt = torch.from_numpy(X)
    df = pd.DataFrame(seq, columns=["example_idx", "start", "end"])

    def ours():
        return annostore.annotate_seqlets(Xt, df, mset, n_nearest=1)

    # warm-up (JIT) on a small slice
    annostore.annotate_seqlets(Xt[:50], df.iloc[:50], mset, n_nearest=1)
    ours_s, (idx, pv) = _median_time(ours, args.repeats)
    rec = {"workload": "tomtom_annotate", "n_seqlets": n, "n_targets": len(mset), "threads": args.threads,
           "ours_s": round(ours_s, 4)}
    idx = idx.numpy()[:, 0]
    rec["ours_planted_exact"] = round(float(np.mean(idx == planted)), 4)
    if not args.no_peer:
        from tangermeme.annotate import annotate_seqlets as peer_annotate

        def peer():
            return peer_annotate(Xt, df, motif_dict, n_nearest=1, n_jobs=args.threads)

        peer_annotate(Xt[:50], df.iloc[:50], motif_dict, n_nearest=1, n_jobs=args.threads)
        peer_s, (pidx, ppv) = _median_time(peer, args.repeats)
        pidx = pidx.numpy()[:, 0]
        rec.update(peer_s=round(peer_s, 4), ratio=round(ours_s / peer_s, 3),
                   same_best=round(float(np.mean(pidx == idx)), 4),
                   peer_planted_exact=round(float(np.mean(pidx == planted)), 4),
                   median_p_ratio=round(float(np.median(pv.numpy()[:, 0] / np.maximum(ppv.numpy()[:, 0], 1e-300))), 4))
    print(json.dumps(rec), flush=True)

    motif_workloads(mset, args)


def _rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def motif_workloads(mset, args) -> None:
    """Motif-vs-database TOMTOM, 20 x 1,019 and 1,019 x 1,019: ours and memelite interleaved, median of repeats.

    Ours: ``annostore.tomtom_all`` (MEME p-values of every pair, better orientation; the engine of
    ``tomtom()``'s complete scores) and, for 20 queries, ``annostore.tomtom`` (the full MEME table with
    E- and q-values). memelite gets the same MEME-pseudocounted matrices (it adds none itself).
    ``peak_rss_mb`` is the process's peak so far (monotone over the workloads).
    """
    import numpy as np

    from annostore.core.motifs import MotifSet, pseudocounted
    from annostore.core.tomtom import tomtom as tomtom_fn
    from annostore.core.tomtom_pairs import tomtom_all

    bg = np.full(4, 0.25)
    Ts = [pseudocounted(m, bg) for m in mset]
    if not args.no_peer:
        from memelite.tomtom import tomtom as peer_tomtom

        peer_tomtom(Ts[:2], Ts, n_jobs=args.threads)
    tomtom_all(mset[:2], mset)
    tomtom_fn(mset[:2], mset)
    for nq in args.queries:
        queries = MotifSet(list(mset)[:nq], background=mset.background)
        ours_t, peer_t, table_t = [], [], []
        for _ in range(args.motif_repeats):  # interleaved
            t = time.perf_counter()
            sim = tomtom_all(queries, mset)
            ours_t.append(time.perf_counter() - t)
            if nq <= 100:
                t = time.perf_counter()
                tomtom_fn(queries, mset)
                table_t.append(time.perf_counter() - t)
            if not args.no_peer:
                t = time.perf_counter()
                peer_p = peer_tomtom(Ts[:nq], Ts, n_jobs=args.threads)[0]
                peer_t.append(time.perf_counter() - t)
        rec = {"workload": "tomtom_all", "n_queries": nq, "n_targets": len(mset), "threads": args.threads,
               "repeats": args.motif_repeats, "ours_s": round(statistics.median(ours_t), 4)}
        if table_t:
            rec["ours_table_s"] = round(statistics.median(table_t), 4)
        if peer_t:
            peer_s = statistics.median(peer_t)
            pp = np.asarray(peer_p)
            mid = (sim.p > 1e-10) & (sim.p < 1e-2)
            rec.update(peer_s=round(peer_s, 4), ratio=round(rec["ours_s"] / peer_s, 3),
                       ratio_paired=round(statistics.median(o / p for o, p in zip(ours_t, peer_t)), 3),
                       same_best=round(float(np.mean(np.argmin(pp, 1) == np.argmin(sim.p, 1))), 4),
                       median_rel_p_diff=round(float(np.median(np.abs(pp[mid] / sim.p[mid] - 1))), 4))
        rec["peak_rss_mb"] = _rss_mb()
        print(json.dumps(rec), flush=True)
    if args.fresh_repeats > 0:
        fresh_workload(args, min(args.queries))


# VmHWM: this process's own peak (ru_maxrss would carry the forking parent's peak across exec)
_HWM = """
def _hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

_FRESH_OURS = _HWM + """
import json, sys, numba
numba.set_num_threads({threads})
import annostore
from annostore.core.motifs import MotifSet
m = annostore.read_motifs(sys.argv[1])
sim = annostore.tomtom_all(MotifSet(list(m)[:{nq}], background=m.background), m)
print(json.dumps({{"rss": _hwm()}}))
"""

_FRESH_PEER = _HWM + """
import json, sys
import numpy as np
from memelite.io import read_meme
from memelite.tomtom import tomtom
ms = list(read_meme(sys.argv[1]).values())
bg = np.full((4, 1), 0.25)
ms = [(20 * m + 0.1 * bg) / 20.1 for m in ms]
tomtom(ms[:{nq}], ms, n_jobs={threads})
print(json.dumps({{"rss": _hwm()}}))
"""


def fresh_workload(args, nq: int) -> None:
    """Fresh ``python -c`` processes: ours and memelite interleaved; median wall time and child peak RSS."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    sides = {"ours": _FRESH_OURS} if args.no_peer else {"ours": _FRESH_OURS, "peer": _FRESH_PEER}
    times: dict = {k: [] for k in sides}
    rss: dict = {k: [] for k in sides}
    for k, code in sides.items():  # warm the JIT caches and the file cache once, untimed
        subprocess.run([sys.executable, "-c", code.format(nq=nq, threads=args.threads), str(MOTIFS)], env=env,
                       check=True, capture_output=True)
    for _ in range(args.fresh_repeats):
        for k, code in sides.items():
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code.format(nq=nq, threads=args.threads), str(MOTIFS)],
                                 env=env, check=True, capture_output=True, text=True).stdout
            times[k].append(time.perf_counter() - t)
            rss[k].append(json.loads(out.strip().splitlines()[-1])["rss"])
    rec = {"workload": "tomtom_all_fresh", "n_queries": nq, "n_targets": 1019, "threads": args.threads,
           "repeats": args.fresh_repeats, "ours_s": round(statistics.median(times["ours"]), 3),
           "ours_peak_rss_mb": round(statistics.median(rss["ours"]), 1)}
    if "peer" in times:
        rec.update(peer_s=round(statistics.median(times["peer"]), 3),
                   peer_peak_rss_mb=round(statistics.median(rss["peer"]), 1),
                   ratio=round(statistics.median(times["ours"]) / statistics.median(times["peer"]), 3))
    print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
