"""Benchmark: FIMO on a GPU (torch backend) against the numba path, same machine, same run.

JASPAR 2026 CORE vertebrates (1,019 motifs), both strands, threshold 1e-4, NRDB background, on
random sequence (10 Mbp "chromosomes", uniform A/C/G/T with a 5 kbp N run in each).  One JSON
line per workload, times as medians of ``--repeats`` interleaved runs after a warm-up:

* ``scan``: the scan alone (hits with integer scores and p-values on the host) — numba
  (``_run_scan`` + the p-value lookup) on ``--numba-mbp``; torch (``scan_hits``) on ``--mbp``, one line per
  kernel (``gemm``; ``triton`` when Triton is installed);
* ``fimo``: the public ``annostore.fimo`` end to end (q-values by the 'sample' method, an
  Arrow table), numba on ``--numba-mbp``, torch on ``--mbp``.

Each line has ``s_per_gbp`` (median seconds scaled to 1 Gbp of sequence), ``ratio_to_numba``
(numba's s/Gbp over this workload's, on this machine), ``hits``, peak host RSS and peak device
memory; before timing, the torch hits are checked against numba's on the ``--numba-mbp`` input
(``identical``: the same rows, scores, p-values and q-values).

Run on a GPU machine: ``python bench/fimo_gpu.py`` (``--device cpu`` times the torch path on the
CPU; ``--quick``: 20 Mbp torch, 2 Mbp numba, 3 repeats).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MOTIFS = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


def _genome(mbp: float, seed: int = 0):
    from annostore.core.sequences import Sequences

    n = int(mbp * 1e6)
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=n, dtype=np.uint8)
    chrom = 10_000_000
    offsets = list(range(0, n, chrom)) + [n]
    for a in offsets[:-1]:
        codes[a + 1000 : a + 6000] = 4  # an N run per chromosome
    names = [f"chr{i + 1}" for i in range(len(offsets) - 1)]
    return Sequences(names, codes, np.asarray(offsets, dtype=np.int64))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mbp", type=float, default=200.0, help="Mbp scanned by the torch path")
    ap.add_argument("--numba-mbp", type=float, default=10.0, help="Mbp scanned by the numba path (slower)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--threshold", type=float, default=1e-4)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--kernels", default="gemm,triton", help="torch kernels to time (triton: when installed)")
    ap.add_argument("--no-fimo", action="store_true", help="time the scans only")
    args = ap.parse_args()
    if args.quick:
        args.mbp, args.numba_mbp, args.repeats = 20.0, 2.0, 3

    import numba
    import torch

    import annostore
    from annostore.core import fimo_torch, fimo_triton
    from annostore.core.fimo import _prepare_sequences, _run_scan
    from annostore.core.fimo_tables import _prepare_tables, prepare_background

    dev = fimo_torch.resolve_device(args.device)
    kernels = [k for k in args.kernels.split(",") if k == "gemm" or (k == "triton" and fimo_triton.available()
                                                                     and dev.type == "cuda")]
    motifs = annostore.read_motifs(MOTIFS)
    bg = prepare_background("nrdb", motifs)
    tabs = _prepare_tables(list(motifs), bg, 0.1, args.threshold)
    pv_off = np.concatenate([[0], np.cumsum([pv.shape[0] for pv in tabs.pvs])]).astype(np.int64)
    pv_flat = np.concatenate(tabs.pvs)
    small, big = _genome(args.numba_mbp, 1), _genome(args.mbp, 2)
    sp_small, sp_big = _prepare_sequences(small), fimo_torch.prepare_sequences(big)
    base = {"motifs": len(motifs), "threshold": args.threshold, "device": str(dev),
            "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
            "numba_threads": numba.get_num_threads()}

    def numba_scan(sp):
        ms, pos, sc = _run_scan(sp, tabs, False)
        return ms, pos, sc, pv_flat[pv_off[ms // 2] + sc]

    def torch_scan(sp, kernel):
        out = fimo_torch.scan_hits(sp, tabs, False, device=dev, pv_flat=pv_flat, pv_off=pv_off, kernel=kernel)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        return out

    # exactness on the small input (also the warm-up: JIT, CUDA context, Triton compile)
    ref = numba_scan(sp_small)
    ref_rows = sorted(zip(*[x.tolist() for x in ref]))
    identical = {}
    for k in kernels:
        got = torch_scan(sp_small, k)
        identical[k] = sorted(zip(*[x.tolist() for x in got])) == ref_rows
    def torch_fimo(seqs, kernel):
        os.environ["ANNOSTORE_FIMO_KERNEL"] = kernel  # what kernel="auto" uses
        try:
            return annostore.fimo(motifs, seqs, args.threshold, qvalue_method="sample", backend="torch", device=str(dev))
        finally:
            os.environ.pop("ANNOSTORE_FIMO_KERNEL", None)

    if not args.no_fimo:
        t_ref = annostore.fimo(motifs, small, args.threshold, qvalue_method="sample")
        for k in kernels:
            identical[f"fimo-{k}"] = t_ref.equals(torch_fimo(small, k))
    print(json.dumps({"check": "identical", **identical, "hits": len(ref_rows), "mbp": args.numba_mbp, **base}),
          flush=True)

    work = {"scan/numba": lambda: numba_scan(sp_small)}
    for k in kernels:
        work[f"scan/torch-{k}"] = (lambda k=k: torch_scan(sp_big, k))
    if not args.no_fimo:
        work["fimo/numba"] = lambda: annostore.fimo(motifs, small, args.threshold, qvalue_method="sample")
        for k in kernels:
            work[f"fimo/torch-{k}"] = (lambda k=k: torch_fimo(big, k))
    times = {name: [] for name in work}
    hits = {}
    peak_dev = {}
    for _ in range(args.repeats):
        for name, fn in work.items():
            if dev.type == "cuda":
                torch.cuda.reset_peak_memory_stats(dev)
            t0 = time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t0)
            hits[name] = len(out[0]) if isinstance(out, tuple) else out.num_rows
            if dev.type == "cuda":
                peak_dev[name] = torch.cuda.max_memory_allocated(dev) / 2**20
    s_gbp = {}
    for name in work:
        mbp = args.numba_mbp if name.endswith("numba") else args.mbp
        s_gbp[name] = statistics.median(times[name]) / (mbp / 1000)
    for name in work:
        kind = name.split("/")[0]
        mbp = args.numba_mbp if name.endswith("numba") else args.mbp
        print(json.dumps({
            "workload": name, "mbp": mbp, "median_s": round(statistics.median(times[name]), 4),
            "s_per_gbp": round(s_gbp[name], 2), "ratio_to_numba": round(s_gbp[f"{kind}/numba"] / s_gbp[name], 2),
            "hits": hits[name], "peak_rss_mb": round(_rss_mb()), "peak_device_mb": round(peak_dev.get(name, 0)),
            "repeats": args.repeats, **base,
        }), flush=True)


if __name__ == "__main__":
    main()
