"""Benchmark: ``annostore scan`` (numba, one process) against ``annostore --engine spark scan``
(FIMO over Spark tasks, ``--spark-master local[2]``) on the same store.

Builds a store of ``--examples`` random sequences of ``--length`` bp and the first ``--motifs``
JASPAR motifs, then, interleaved:

* **fresh process** (``--fresh`` times): the CLI scan in its own process, local and Spark (JVM
  start, Python workers, numba cache loads included); wall time and the driver process's peak
  RSS (``ru_maxrss`` from ``wait4``: the Spark JVM and Python workers are not in it);
* **warm session** (``--repeat`` times): in one process with its SparkSession already started
  (and one Spark scan run first, so its Python workers are up), ``store.scan()`` against
  ``store.scan(engine="spark")``: the scan itself.

Every scan adds a run; at the end the runs are checked to hold identical hits (row for row,
q-values included).  Prints one JSON line per measurement (medians); ``load`` is the 1-minute
load average (the machine may be shared).

    python bench/spark_scan.py --examples 2000 --length 1000 --motifs 100 --repeat 5 --fresh 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import load, run_step  # noqa: E402

BUILD = """
import numpy as np, annostore
rng = np.random.default_rng(1)
with annostore.open({path!r}) as s:
    jaspar = annostore.read_motifs({jaspar!r})
    s.add_motifs(jaspar.select(jaspar.names[:{motifs}]))
    letters = np.array(list("ACGT"))
    s.add_sequences({{f"s{{i}}": "".join(letters[rng.integers(0, 4, {length})]) for i in range({examples})}})
"""

WARM = """
import json, statistics, time, annostore
from annostore.engine import spark
spark.session("local[2]")
t = {{"local": [], "spark": []}}
with annostore.open({path!r}) as s:
    s.scan(threshold={thresh}, engine="spark")  # Python workers started, numba caches loaded
    for _ in range({repeat}):
        for engine in ("duckdb", "spark"):
            t0 = time.perf_counter()
            s.scan(threshold={thresh}, engine=engine)
            t["local" if engine == "duckdb" else "spark"].append(time.perf_counter() - t0)
print(json.dumps({{k: statistics.median(v) for k, v in t.items()}}))
"""

CHECK = """
import json, annostore
with annostore.open({path!r}, read_only=True) as s:
    runs = [r["run_id"] for r in s.runs().to_pylist()]
    q = "SELECT * EXCLUDE (run_id) FROM hits WHERE run_id = $r ORDER BY ALL"
    first = s.query(q, {{"r": runs[0]}}).to_pylist()
    same = all(s.query(q, {{"r": r}}).to_pylist() == first for r in runs[1:])
    print(json.dumps({{"runs": len(runs), "hits_per_run": len(first), "identical": same}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--length", type=int, default=1000)
    ap.add_argument("--motifs", type=int, default=100)
    ap.add_argument("--thresh", type=float, default=1e-4)
    ap.add_argument("--repeat", type=int, default=5, help="warm-session scans of each engine (0: none)")
    ap.add_argument("--fresh", type=int, default=1, help="fresh-process CLI scans of each engine")
    args = ap.parse_args()
    root = HERE.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "src"), str(root / "cli")]),
               PYSPARK_PYTHON=sys.executable)
    jaspar = root / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"
    size = {"examples": args.examples, "length": args.length, "motifs": args.motifs, "thresh": args.thresh}
    with tempfile.TemporaryDirectory(prefix="annostore-spark-scan-") as tmp:
        path = str(Path(tmp) / "b.store")
        subprocess.run([sys.executable, "-c", BUILD.format(path=path, jaspar=str(jaspar), **size)], env=env, check=True)
        times: dict = {"local": [], "spark": []}
        rss: dict = {"local": [], "spark": []}
        for _ in range(args.fresh):
            for name, extra in (("local", []), ("spark", ["--engine", "spark", "--spark-master", "local[2]"])):
                sec, mib, rc = run_step([*extra, "scan", path, "--thresh", str(args.thresh)], env)
                if rc != 0:
                    raise SystemExit(f"{name} scan failed")
                times[name].append(sec)
                rss[name].append(mib)
        print(json.dumps({"what": "fresh process", **size, "repeat": args.fresh, "load": load(),
                          **{f"{k}_s": round(statistics.median(v), 2) for k, v in times.items()},
                          **{f"{k}_driver_rss_mib": round(statistics.median(v)) for k, v in rss.items()},
                          **{f"{k}_all_s": [round(x, 2) for x in v] for k, v in times.items()}}))
        if args.repeat:
            out = subprocess.run([sys.executable, "-c", WARM.format(path=path, repeat=args.repeat, **size)], env=env,
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            warm = json.loads(out)
            print(json.dumps({"what": "warm session", **size, "repeat": args.repeat, "load": load(),
                              **{f"{k}_s": round(v, 2) for k, v in warm.items()}}))
        out = subprocess.run([sys.executable, "-c", CHECK.format(path=path)], env=env, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(json.dumps({"what": "check", **json.loads(out)}))


if __name__ == "__main__":
    main()
