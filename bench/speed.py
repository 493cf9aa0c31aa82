"""Benchmark: speed at every size (issue 13) -- annostore and its peers in the same run.

Sections (one JSON line per row; ``ratio`` = ours / peer, lower is faster):

* ``fimo``: JASPAR 2026 CORE vertebrates (1,019 motifs) x N random 2 kb sequences (N = 1, 30,
  300, 1,000 by default; 8,000 below), threshold 1e-4: ``annostore.fimo`` defaults (NRDB, pseudocount, q-values) warm
  (tables cached in the process, the normal case after the first call) and cold (table cache
  cleared before every run) vs ``memelite.fimo``; and without q-values under a uniform background
  vs ``lightmotif`` 0.10 (``lightmotif.scan`` of the 2,038 forward/reverse matrices with
  ``ScoringMatrix.score(1e-4)`` cut-offs over the sequences joined by N, threads over matrices).
* ``annotate``: ``annostore.annotate_seqlets`` (warm and cold) vs ``tangermeme.annotate.
  annotate_seqlets`` (``n_jobs`` = ``--threads``) for 5, 100, 2,000, 10,000 one-hot seqlets
  (10-25 bp) against 1,019 targets; warm repeats the same seqlets (every null distribution
  cached), ``ours_new_seqlets`` annotates other seqlets each call in the warm process (the
  distributions of their new span compositions built).
* ``annotate_fresh``: a new Python process doing ``import annostore; annostore.annotate_seqlets
  (X, seqlets, file)`` on 5 seqlets vs the same with tangermeme (wall time, peak RSS).
* ``annotate_profile``: cProfile of ``annotate_seqlets`` on 10,000 seqlets at 2 threads (the
  serial fraction outside the parallel kernels) and the 1 -> 2 thread Amdahl estimate.
* ``pairwise``: ``annostore.pairwise_annotations`` vs ``tangermeme.annotate.pairwise_annotations``
  (defaults: unique, symmetric; 1,000 annotations; 10 rows per example) at 10^3, 10^5 rows
  (10^6: ours alone, the peer takes about a minute a call), each ``(A, A)`` result checked equal.
* ``fresh``: a new Python process doing ``import annostore; annostore.fimo(file, fasta)`` on one
  2 kb sequence, the CLI ``annostore fimo``, and ``memelite.fimo`` the same way (wall time and
  peak RSS of the child).
* ``threads``: FIMO 1,000 x 2 kb at 1, 2 (8, 16 where the machine has them) numba threads, ours
  (defaults and no q-values) and memelite; parallel efficiency and the Amdahl serial fraction.
* ``profile``: a cProfile of ``fimo`` defaults on 1,000 x 2 kb at 2 threads (``--profile-threads``): the share of wall
  time spent outside the parallel numba kernels (the serial fraction).

Every workload is warmed up first; the timed runs of ours and the peers are interleaved
(``--repeats`` rounds, default 5) and medians reported.  ``rss_mb`` is the peak RSS of the process
at the end of the row (monotone in one process; the fresh-process rows give per-tool peaks).

Run: ``python bench/speed.py [--quick] [--repeats 5] [--threads 2] [--sections fimo,annotate,fresh,threads,profile,
annotate_fresh,annotate_profile,pairwise]``.

Big inputs (each call takes seconds; one workload pair per invocation keeps a run short)::

    python bench/speed.py --sections fimo --sizes 8000 --fimo-work ours,memelite
    python bench/speed.py --sections fimo --sizes 8000 --fimo-work ours_noq_uniform,lightmotif

Thread scaling and the serial fraction on a bigger machine (here: 1 and 2 threads)::

    NUMBA_NUM_THREADS=16 python bench/speed.py --threads 16 --sections threads,profile \
        --thread-rows 1,2,8,16 --thread-n 8000 --repeats 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOTIFS = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _emit(**row) -> None:
    print(json.dumps(row), flush=True)


def _interleaved(work: dict, repeats: int, warm: bool = True) -> dict:
    """Median seconds of each callable, the callables run in turn ``repeats`` times (after one
    untimed round unless ``warm`` is false: big inputs are warmed on a slice by the caller)."""
    for fn in work.values() if warm else ():  # one untimed round: JIT, caches, first-touch memory
        fn()
    times: dict = {k: [] for k in work}
    for _ in range(repeats):
        for k, fn in work.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


@contextlib.contextmanager
def _no_cache():
    """Every table built afresh (a first call in a new process), the cached entries untouched."""
    from annostore.core.table_cache import CACHE

    old = CACHE.max_bytes
    CACHE.max_bytes = 0
    try:
        yield
    finally:
        CACHE.max_bytes = old


def _onehot(n, length, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 4, size=(n, length))
    x = np.zeros((n, 4, length), dtype=np.int8)
    np.put_along_axis(x, idx[:, None, :], 1, axis=1)
    return x


def _lightmotif_scanner(motifs, threads):
    """The 2,038 lightmotif (matrix, score cut-off at p = 1e-4) pairs, MEME-like pseudocount."""
    import lightmotif as lm
    import numpy as np

    mats = []
    for m in motifs:
        counts = np.rint(np.asarray(m.pwm) * 1000).astype(int)
        cm = lm.CountMatrix({a: counts[i].tolist() for i, a in enumerate("ACGT")})
        sm = cm.normalize(1.25).log_odds()  # (1000 p + 1.25) / 1005 = MEME's (20 p + 0.025) / 20.1
        thr = sm.score(1e-4)
        mats.append((sm, thr))
        mats.append((sm.reverse_complement(), thr))
    return mats


def _lightmotif_run(motifs, threads, with_setup):
    """Scan a text with lightmotif (threads over matrices); ``with_setup``: build the matrices and
    their p-value cut-offs inside the timed call too (ours builds or looks up its tables per call)."""
    import lightmotif as lm
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=max(1, threads))
    ready = None if with_setup else _lightmotif_scanner(motifs, threads)

    def run(text):
        mats = _lightmotif_scanner(motifs, threads) if with_setup else ready
        striped = lm.stripe(text)
        parts = [mats[i::threads] for i in range(threads)]
        return sum(pool.map(lambda ms: sum(sum(1 for _ in lm.scan(sm, striped, threshold=t)) for sm, t in ms), parts))

    return run


_BIG = 4000  # sequences from which a FIMO row skips the untimed full-size round


_FIMO_WORK = ("ours", "ours_cold", "ours_noq_uniform", "memelite", "lightmotif", "lightmotif_setup")


def section_fimo(args, motifs):
    import annostore
    import numpy as np

    peers = {}
    try:
        from memelite import fimo as ml_fimo

        pwms = motifs.to_dict()
        ml_fimo(pwms, _onehot(2, 500), threshold=1e-4)
        peers["memelite"] = lambda x: ml_fimo(pwms, x, threshold=1e-4)
    except ImportError:
        pass
    lmscan = lmsetup = None
    try:
        lmscan = _lightmotif_run(motifs, args.threads, False)
        lmsetup = _lightmotif_run(motifs, args.threads, True)
    except ImportError:
        pass
    annostore.fimo(motifs, _onehot(2, 500))  # JIT / cache load
    for n in args.sizes:
        x = _onehot(n, 2000, seed=n)
        lm_needed = lmscan is not None and {"lightmotif", "lightmotif_setup"} & set(args.fimo_work)
        text = "N".join("".join("ACGT"[i] for i in row) for row in x.argmax(axis=1)) if lm_needed else None

        def cold():
            with _no_cache():
                annostore.fimo(motifs, x)

        work = {
            "ours": lambda: annostore.fimo(motifs, x),
            "ours_cold": cold,
            "ours_noq_uniform": lambda: annostore.fimo(motifs, x, qvalues=False, bfile="uniform"),
        }
        if "memelite" in peers:
            work["memelite"] = lambda: peers["memelite"](x)
        if lmscan is not None:
            work["lightmotif"] = lambda: lmscan(text)
            work["lightmotif_setup"] = lambda: lmsetup(text)
        work = {k: v for k, v in work.items() if k in args.fimo_work}
        big = n >= _BIG
        if big:  # warm on a slice (JIT, tables); the full input only in the timed rounds
            xs = x[:100]
            text_s = "N".join("".join("ACGT"[i] for i in row) for row in xs.argmax(axis=1))
            small = {"ours": lambda: annostore.fimo(motifs, xs), "ours_noq_uniform": lambda: annostore.fimo(
                motifs, xs, qvalues=False, bfile="uniform"), "memelite": lambda: peers["memelite"](xs),
                "lightmotif": lambda: lmscan(text_s), "lightmotif_setup": lambda: lmsetup(text_s)}
            for k in work:
                small.get(k, lambda: None)()
        med = _interleaved(work, args.repeats, warm=not big)
        _emit(**_fimo_row(med, section="fimo", sequences=n, length=2000, motifs=len(motifs), threads=args.threads,
                          repeats=args.repeats, hits=annostore.fimo(motifs, x).num_rows if "ours" in med and not big else None,
                          rss_mb=_rss_mb()))


def _fimo_row(med: dict, **row) -> dict:
    """Seconds of each workload run and the ratios ours / peer (lower is faster)."""
    for k, v in med.items():
        row[f"{k}_s"] = round(v, 4)
    pairs = [("ours", "memelite", "ratio_vs_memelite"), ("ours_cold", "memelite", "ratio_cold_vs_memelite"),
             ("ours_noq_uniform", "lightmotif", "ratio_noq_vs_lightmotif"),
             ("ours_noq_uniform", "lightmotif_setup", "ratio_noq_vs_lightmotif_with_setup")]
    for a, b, name in pairs:
        if a in med and b in med:
            row[name] = round(med[a] / med[b], 3)
    return row


def _seqlets(n, seed=None):
    """``n`` random one-hot 40 bp examples with one 10-25 bp seqlet each (a tangermeme table)."""
    import numpy as np
    import pandas as pd

    seed = n if seed is None else seed
    rng = np.random.default_rng(seed)
    x = _onehot(n, 40, seed=seed)
    width = rng.integers(10, 26, size=n)
    start = rng.integers(0, 40 - width + 1)
    return x, pd.DataFrame({"example_idx": np.arange(n), "start": start, "end": start + width})


def section_annotate(args, motifs):
    import annostore
    import numpy as np
    import pandas as pd

    peer = None
    try:
        import torch
        from tangermeme.annotate import annotate_seqlets as tm_annotate

        tpwms = {m.name: torch.tensor(np.asarray(m.pwm), dtype=torch.float32) for m in motifs}
        peer = tm_annotate
    except ImportError:
        pass
    for n in args.seqlets:
        x, seqlets = _seqlets(n)
        annostore.annotate_seqlets(x, seqlets.iloc[:2], motifs)

        def cold():
            with _no_cache():
                annostore.annotate_seqlets(x, seqlets, motifs)

        # other seqlets each call (a warm process, the null distributions of new span compositions built)
        others = iter([_seqlets(n, seed=10**6 + 17 * n + i) for i in range(args.repeats + 1)])
        work = {"ours": lambda: annostore.annotate_seqlets(x, seqlets, motifs), "ours_cold": cold,
                "ours_new_seqlets": lambda: annostore.annotate_seqlets(*next(others), motifs)}
        if peer is not None:
            xt = torch.from_numpy(x.astype(np.float32))
            peer(xt, seqlets.iloc[:2], tpwms, n_jobs=args.threads)
            work["tangermeme"] = lambda: peer(xt, seqlets, tpwms, n_jobs=args.threads)
        med = _interleaved(work, args.repeats)
        tm = med.get("tangermeme")
        _emit(section="annotate", seqlets=n, targets=len(motifs), threads=args.threads, ours_s=round(med["ours"], 4),
              ours_cold_s=round(med["ours_cold"], 4), ours_new_seqlets_s=round(med["ours_new_seqlets"], 4),
              tangermeme_s=tm and round(tm, 4), ratio=tm and round(med["ours"] / tm, 3),
              ratio_cold=tm and round(med["ours_cold"] / tm, 3),
              ratio_new_seqlets=tm and round(med["ours_new_seqlets"] / tm, 3), rss_mb=_rss_mb())


_LAUNCHER = """
import os, subprocess, sys, time, json
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(json.dumps([time.perf_counter() - t, ru.ru_maxrss / 1024, status]))
"""


def _child(cmd, env):
    """Wall seconds and peak RSS (MiB) of one child process, started by a small launcher process
    (Linux keeps the parent's high-water RSS across fork + exec)."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    wall, rss, status = json.loads(out.stdout.strip().splitlines()[-1])
    if status != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {out.stderr[-500:]}")
    return wall, rss


def section_fresh(args, motifs):
    x = _onehot(1, 2000, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        fa = Path(tmp) / "one.fa"
        fa.write_text(">s1\n" + "".join("ACGT"[i] for i in x[0].argmax(axis=0)) + "\n")
        env = dict(os.environ, NUMBA_NUM_THREADS=str(args.threads))
        # bytecode caches as in a normal install (the warm-up run writes them, to a private folder)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tmp) / "pycache"))
        py = sys.executable
        cmds = {
            "import_fimo": [py, "-c", f"import annostore; annostore.fimo({str(MOTIFS)!r}, {str(fa)!r})"],
            "cli_fimo": [py, "-m", "annostore_cli.app", "fimo", str(MOTIFS), str(fa), "--oc", str(Path(tmp) / "out")],
            "import_only": [py, "-c", "import annostore; annostore.fimo"],
        }
        try:
            import memelite  # noqa: F401

            cmds["memelite"] = [py, "-c", f"from memelite import fimo; fimo({str(MOTIFS)!r}, {str(fa)!r}, threshold=1e-4)"]
        except ImportError:
            pass
        med = _fresh_medians(cmds, env, args.repeats)
        ml = med.get("memelite", (None, None))[0]
        for k, (wall, rss) in med.items():
            _emit(section="fresh", workload=k, sequences=1, length=2000, motifs=len(motifs), wall_s=round(wall, 3),
                  peak_rss_mb=round(rss, 1), ratio_vs_memelite=ml and round(wall / ml, 3))


def _fresh_medians(cmds: dict, env: dict, repeats: int) -> dict:
    """{name: (median wall s, max peak RSS MB)} of each command, run ``repeats`` times interleaved
    (each once first to warm the OS file cache and the numba caches)."""
    for cmd in cmds.values():
        _child(cmd, env)
    runs: dict = {k: [] for k in cmds}
    for _ in range(repeats):
        for k, cmd in cmds.items():
            runs[k].append(_child(cmd, env))
    return {k: (statistics.median(w for w, _ in v), max(r for _, r in v)) for k, v in runs.items()}


def section_threads(args, motifs):
    import numba
    import annostore

    x = _onehot(args.thread_n, 2000, seed=7)
    try:
        from memelite import fimo as ml_fimo

        pwms = motifs.to_dict()
    except ImportError:
        ml_fimo = None
    base: dict = {}
    for t in args.thread_rows:
        if t > numba.config.NUMBA_NUM_THREADS:
            _emit(section="threads", threads=t, skipped=f"machine has {numba.config.NUMBA_NUM_THREADS} numba threads")
            continue
        numba.set_num_threads(t)
        work = {"ours": lambda: annostore.fimo(motifs, x), "ours_noq": lambda: annostore.fimo(motifs, x, qvalues=False)}
        if ml_fimo is not None:
            work["memelite"] = lambda: ml_fimo(pwms, x, threshold=1e-4)
        med = _interleaved(work, args.repeats)
        row = dict(section="threads", sequences=args.thread_n, threads=t)
        for k, v in med.items():
            base.setdefault(k, (t, v))
            t0, v0 = base[k]
            speedup = v0 / v
            row[f"{k}_s"] = round(v, 4)
            row[f"{k}_speedup_vs_{t0}t"] = round(speedup, 3)
            if t > t0:  # Amdahl: speedup = 1 / (f + (1 - f) * t0 / t)
                r = t0 / t
                row[f"{k}_amdahl_serial_fraction"] = round((1 / speedup - r) / (1 - r), 3)
        row["rss_mb"] = _rss_mb()
        _emit(**row)
    numba.set_num_threads(args.threads)


def section_annotate_fresh(args, motifs):
    """A new process: import, read the motif file, annotate 5 seqlets (ours vs tangermeme)."""
    import numpy as np

    x, seqlets = _seqlets(5)
    with tempfile.TemporaryDirectory() as tmp:
        xf, sf = Path(tmp) / "x.npy", Path(tmp) / "s.npy"
        np.save(xf, x)
        np.save(sf, seqlets.to_numpy())
        env = dict(os.environ, NUMBA_NUM_THREADS=str(args.threads))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tmp) / "pycache"))
        py = sys.executable
        load = (f"import numpy as np, pandas as pd; x = np.load({str(xf)!r}); "
                f"s = pd.DataFrame(np.load({str(sf)!r}), columns=['example_idx', 'start', 'end']); ")
        cmds = {"import_annotate": [py, "-c", load + f"import annostore; annostore.annotate_seqlets(x, s, {str(MOTIFS)!r})"]}
        try:
            import tangermeme  # noqa: F401

            cmds["tangermeme"] = [py, "-c", load + "import torch; from tangermeme.annotate import annotate_seqlets; "
                                  f"annotate_seqlets(torch.from_numpy(x.astype('float32')), s, {str(MOTIFS)!r}, "
                                  f"n_jobs={args.threads})"]
        except ImportError:
            pass
        med = _fresh_medians(cmds, env, args.repeats)
        tm = med.get("tangermeme", (None, None))[0]
        for k, (wall, rss) in med.items():
            _emit(section="annotate_fresh", workload=k, seqlets=5, targets=len(motifs), wall_s=round(wall, 3),
                  peak_rss_mb=round(rss, 1), ratio_vs_tangermeme=tm and round(wall / tm, 3))


_ANNOTATE_KERNELS = ("_annotate_queries", "_build_pmfs", "_span_keys", "_query_masks")


def section_annotate_profile(args, motifs):
    """Serial fraction of ``annotate_seqlets`` at 2 threads: cProfile's share of wall time outside
    the parallel kernels, and Amdahl's estimate from the 1- and 2-thread times."""
    import cProfile
    import pstats

    import numba
    import annostore

    n = args.profile_seqlets
    x, seqlets = _seqlets(n)
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    med = {}
    for t in (1, threads):
        numba.set_num_threads(t)
        med[t] = _interleaved({"ours": lambda: annostore.annotate_seqlets(x, seqlets, motifs)}, args.repeats)["ours"]
    numba.set_num_threads(threads)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    annostore.annotate_seqlets(x, seqlets, motifs)
    prof.disable()
    wall = time.perf_counter() - t0
    st = pstats.Stats(prof)
    par = sum(tt for (_, _, name), (_, _, tt, _, _) in st.stats.items() if name in _ANNOTATE_KERNELS)
    top = sorted(((tt, name) for (_, _, name), (_, _, tt, _, _) in st.stats.items()), reverse=True)[:8]
    speedup = med[1] / med[threads]
    r = 1 / threads
    _emit(section="annotate_profile", seqlets=n, threads=threads, wall_s=round(wall, 4),
          parallel_kernels_s=round(par, 4), serial_fraction=round(1 - par / wall, 3),
          one_thread_s=round(med[1], 4), two_thread_s=round(med[threads], 4), speedup=round(speedup, 3),
          amdahl_serial_fraction=round((1 / speedup - r) / (1 - r), 3) if threads > 1 else None,
          top_tottime=[[nm, round(v, 4)] for v, nm in top])
    numba.set_num_threads(args.threads)


def section_pairwise(args, motifs):
    """``pairwise_annotations`` (defaults) vs tangermeme on 10 annotations per example."""
    import numpy as np
    import torch

    import annostore
    from aggregate import synthetic

    try:
        from tangermeme.annotate import pairwise_annotations as peer
    except ImportError:
        peer = None
    for n in args.pairwise_rows:
        d = synthetic(n, max(n // 10, 1), seed=n)
        X = torch.from_numpy(np.c_[d["example_idx"], d["motif_idx"]])
        work = {"ours": lambda: annostore.pairwise_annotations(X)}
        with_peer = peer is not None and n <= args.pairwise_peer_max
        if with_peer:
            work["tangermeme"] = lambda: peer(X)
        med = _interleaved(work, args.repeats)
        tm = med.get("tangermeme")
        same = bool(torch.equal(annostore.pairwise_annotations(X), peer(X))) if with_peer else None
        _emit(section="pairwise", rows=n, examples=max(n // 10, 1), annotations=int(d["motif_idx"].max()) + 1,
              ours_s=round(med["ours"], 4), tangermeme_s=tm and round(tm, 4), ratio=tm and round(med["ours"] / tm, 4),
              identical=same, rss_mb=_rss_mb())


# the Python wrappers of the parallel kernels (their cumulative time holds the kernel's: a numba
# dispatcher is its own profile entry on Python 3.11 but not on 3.12), and the main thread's wait
# for the finishing thread
_PARALLEL_WRAPPERS = ("_scan_call", "pi0_sample")
_WAIT = "<method 'acquire' of '_thread.lock' objects>"


def section_profile(args, motifs):
    import cProfile
    import pstats

    import numba
    import annostore

    numba.set_num_threads(min(args.profile_threads, numba.config.NUMBA_NUM_THREADS))
    x = _onehot(args.thread_n, 2000, seed=7)
    annostore.fimo(motifs, x)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    annostore.fimo(motifs, x)
    prof.disable()
    wall = time.perf_counter() - t
    st = pstats.Stats(prof)
    par = wait = 0.0
    top = []
    for (file, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
        if name in _PARALLEL_WRAPPERS:
            par += ct
        if name == _WAIT:
            wait += tt
        top.append((tt, name))
    top.sort(reverse=True)
    # serial: the main thread's time outside the parallel kernels (waiting on the finishing
    # thread counts as serial: the finishing of a batch runs on one thread)
    _emit(section="profile", sequences=args.thread_n, threads=numba.get_num_threads(), wall_s=round(wall, 4),
          parallel_kernels_s=round(par, 4), waiting_on_finish_s=round(wait, 4),
          serial_fraction=round(1 - par / wall, 3), top_tottime=[[n, round(s, 4)] for s, n in top[:8]])
    numba.set_num_threads(args.threads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, 3 repeats")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", default="1,30,300,1000", help="FIMO: numbers of 2 kb sequences")
    ap.add_argument("--fimo-work", default=",".join(_FIMO_WORK),
                    help="FIMO workloads to run (subset of %s)" % ",".join(_FIMO_WORK))
    ap.add_argument("--seqlets", default="5,100,2000,10000", help="annotation: numbers of seqlets")
    ap.add_argument("--thread-rows", default="1,2,8,16")
    ap.add_argument("--thread-n", type=int, default=1000, help="sequences for the thread and profile rows")
    ap.add_argument("--profile-threads", type=int, default=2, help="numba threads of the profile row")
    ap.add_argument("--sections", default="fimo,annotate,fresh,threads,profile,annotate_fresh,annotate_profile,pairwise")
    ap.add_argument("--profile-seqlets", type=int, default=10000, help="seqlets for the annotate_profile row")
    ap.add_argument("--pairwise-rows", default="1000,100000,1000000", help="pairwise: numbers of annotations")
    ap.add_argument("--pairwise-peer-max", type=int, default=100000, help="largest pairwise size run with the peer")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.seqlets, args.repeats, args.thread_n = "1,30", "5,100", 3, 100
        args.pairwise_rows, args.profile_seqlets = "1000,10000", 500
    args.sizes = [int(v) for v in str(args.sizes).split(",")]
    args.fimo_work = [v.strip() for v in str(args.fimo_work).split(",")]
    args.seqlets = [int(v) for v in str(args.seqlets).split(",")]
    args.thread_rows = [int(v) for v in str(args.thread_rows).split(",")]
    args.pairwise_rows = [int(v) for v in str(args.pairwise_rows).split(",")]

    import numba

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    from annostore.io.motifs import read_motifs

    motifs = read_motifs(MOTIFS)
    _emit(section="setup", cpus=os.cpu_count(), numba_threads=numba.config.NUMBA_NUM_THREADS,
          load_avg=os.getloadavg(), note="shared machine: other processes ran beside this benchmark")
    for name in args.sections.split(","):
        globals()[f"section_{name.strip()}"](args, motifs)
    _emit(section="done", load_avg=os.getloadavg(), rss_mb=_rss_mb())


if __name__ == "__main__":
    sys.exit(main())
