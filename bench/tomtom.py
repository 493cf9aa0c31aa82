"""Benchmark: annostore TOMTOM seqlet annotation (MEME p-values) against tangermeme's
``annotate_seqlets`` (memelite 0.5 ``tomtom``), same process.

10,000 seqlet windows of 10-25 bp (``--quick``: 1,000): one-hot random sequences, each with a
planted instance of a random JASPAR 2026 CORE vertebrates motif (1,019 targets), annotated
with ``n_nearest=1``.  Both sides are JIT-warmed first; each workload is repeated and the
median reported.  One JSON line per workload:

* ``tomtom_annotate``: ``annostore.annotate_seqlets`` vs ``tangermeme.annotate.annotate_seqlets``;
  also the fraction of seqlets whose best target is the same in both and the fraction whose
  best target is the planted motif (exact matrix id; JASPAR is redundant, so this is low for both).
* ``tomtom_motifs``: ``annostore.tomtom`` (complete MEME output, q-values) of 20 JASPAR motifs
  against all 1,019 vs memelite ``tomtom`` with the same pseudocounted matrices.

Run: ``python bench/tomtom.py [--quick] [--threads 2] [--repeats 3]``.
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
    args = ap.parse_args()

    import numba
    import numpy as np
    import pandas as pd
    import torch

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    import annostore
    from annostore.core.tomtom import tomtom as tomtom_fn
    from annostore.io.motifs import read_motifs

    mset = read_motifs(MOTIFS)
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
        rec.update(peer_s=round(peer_s, 4), ratio=round(peer_s / ours_s, 3),
                   same_best=round(float(np.mean(pidx == idx)), 4),
                   peer_planted_exact=round(float(np.mean(pidx == planted)), 4),
                   median_p_ratio=round(float(np.median(pv.numpy()[:, 0] / np.maximum(ppv.numpy()[:, 0], 1e-300))), 4))
    print(json.dumps(rec), flush=True)

    # motif-vs-database comparison
    queries = mset[:20]

    def ours_m():
        return tomtom_fn(queries, mset)

    tomtom_fn(mset[:1], mset)
    ours_m_s, _ = _median_time(ours_m, args.repeats)
    rec = {"workload": "tomtom_motifs", "n_queries": len(queries), "n_targets": len(mset), "ours_s": round(ours_m_s, 4)}
    if not args.no_peer:
        from memelite.tomtom import tomtom as peer_tomtom

        from annostore.core.motifs import pseudocounted

        bg = np.full(4, 0.25)
        Qs = [pseudocounted(m, bg) for m in queries]
        Ts = [pseudocounted(m, bg) for m in mset]
        peer_tomtom(Qs[:1], Ts)
        peer_m_s, _ = _median_time(lambda: peer_tomtom(Qs, Ts), args.repeats)
        rec.update(peer_s=round(peer_m_s, 4), ratio=round(peer_m_s / ours_m_s, 3))
    print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
