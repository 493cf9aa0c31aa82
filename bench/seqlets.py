"""Benchmark: annostore.recursive_seqlets vs tangermeme 1.6 recursive_seqlets.

Run: ``python bench/seqlets.py`` (10,000 x 2,000) or ``python bench/seqlets.py --quick``.
Both run in this process after a JIT warm-up; prints one JSON line per workload with the
median times and ratio = peer_s / ours_s (> 1: annostore is faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np


def make_attributions(n: int, L: int, seed: int = 0) -> np.ndarray:
    """float32 Gaussian noise with a few planted bumps per example (like projected DeepLIFT)."""
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, L), dtype=np.float32) * np.float32(0.05))
    n_bumps = 3 * n
    rows = rng.integers(0, n, n_bumps)
    starts = rng.integers(0, L - 20, n_bumps)
    widths = rng.integers(6, 20, n_bumps)
    heights = rng.exponential(0.4, n_bumps).astype(np.float32)
    for r, s, w, h in zip(rows, starts, widths, heights):
        X[r, s : s + w] += h
    return X


def _median_time(fn, repeats: int) -> tuple[float, object]:
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 x 2,000 instead of 10,000 x 2,000")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    n, L = (1000, 2000) if args.quick else (10000, 2000)

    import torch
    from tangermeme.seqlet import recursive_seqlets as peer

    from annostore.core.seqlets import recursive_seqlets

    X = make_attributions(n, L)
    Xt = torch.from_numpy(X)
    small = X[:50, :500].copy()
    t0 = time.perf_counter()
    recursive_seqlets(small)
    jit_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer(torch.from_numpy(small))
    jit_peer = time.perf_counter() - t0

    workloads = [
        ("recursive_seqlets", {}),
        ("recursive_seqlets_flanks5_t0.001", {"threshold": 0.001, "additional_flanks": 5}),
    ]
    for name, kw in workloads:
        # alternate the two so that load from other processes hits both alike
        peer_t, ours_t = [], []
        for _ in range(args.repeats):
            t, theirs = _median_time(lambda: peer(Xt, **kw), 1)
            peer_t.append(t)
            t, ours = _median_time(lambda: recursive_seqlets(X, **kw), 1)
            ours_t.append(t)
        peer_s, ours_s = statistics.median(peer_t), statistics.median(ours_t)
        a = ours.sort_values(["example_idx", "start"], ignore_index=True)
        b = theirs.sort_values(["example_idx", "start"], ignore_index=True)
        identical = len(a) == len(b) and all(np.array_equal(a[c].to_numpy(), b[c].to_numpy()) for c in b.columns)
        print(
            json.dumps(
                {
                    "workload": f"{name} {n}x{L} float32",
                    "ours_s": round(ours_s, 4),
                    "peer_s": round(peer_s, 4),
                    "ratio": round(peer_s / ours_s, 3),
                    "n_seqlets": len(ours),
                    "identical": bool(identical),
                    "first_call_s": {"ours": round(jit_ours, 2), "peer": round(jit_peer, 2)},
                    "repeats": args.repeats,
                }
            ),
            flush=True,
        )
    both_s, both = _median_time(lambda: recursive_seqlets(X, sign="both"), args.repeats)
    print(json.dumps({"workload": f"recursive_seqlets sign=both {n}x{L} float32", "ours_s": round(both_s, 4),
                      "peer_s": None, "ratio": None, "n_seqlets": len(both)}), flush=True)


if __name__ == "__main__":
    main()
