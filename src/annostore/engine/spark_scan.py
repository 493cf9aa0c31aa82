"""The distributed FIMO scan: ``annostore --engine spark scan STORE`` / ``store.scan(engine="spark")``.

What runs where:

* **executors** (Spark tasks, ``mapInArrow``): each task takes a range of the store's sequences
  (read by Spark from ``STORE/sequences.parquet``, so the store folder must be on storage every
  executor reads; sequences given in Python go over from the driver), rebuilds the motif tables
  from the motif matrices shipped with the task (numba kernels, one thread per task core) and
  returns its hits without q-values (:func:`annostore.core.fimo_parts.scan_part`);
* **Spark** counts the hits per ``(motif, p-value)``;
* **the driver** computes each motif's tests, pi0 and the q-value of every ``(motif, p-value)``
  from those counts (:func:`annostore.core.fimo_parts.qvalue_table`: the numbers of the
  one-process scan), Spark joins them to the hits (a broadcast table), and the driver streams
  the hits, a range of tasks at a time, into the run through the store's one
  :class:`~annostore.store.runs.RunWriter` (same validation, Parquet layout and atomic commit as a
  local scan: a scan killed at any point leaves no run).

The hits are kept by Spark (on disk) between the counting and the streaming, so each sequence is
scanned once.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Optional

import numpy as np
import pyarrow as pa

from annostore.core.fimo_parts import PART_SCHEMA, qvalue_table
from annostore.engine import spark as spark_engine
from annostore.errors import AnnostoreError, BadInputError

#: bases per Spark task (at least one task per default-parallelism slot)
PART_BASES = 4_000_000
#: hits the driver takes from Spark at a time
ROWS_PER_PULL = 4_000_000


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {spark_engine._spark_type(f.type)}" for f in schema)


def _input_frame(spark, store: Any, seqs: Any, from_store: bool):
    """The sequences as a Spark DataFrame (``example_idx``, ``sequence``)."""
    side = store.path / "sequences.parquet"
    if from_store and side.is_file():
        return spark.read.parquet(str(side.resolve())).select("example_idx", "sequence")
    from annostore.core.alphabet import decode

    offsets = np.asarray(seqs.offsets, dtype=np.int64)
    texts = [decode(seqs.codes[offsets[i]:offsets[i + 1]]) for i in range(len(seqs))]
    table = pa.table({"example_idx": pa.array(np.arange(len(seqs), dtype=np.int64)), "sequence": texts})
    return spark.createDataFrame(table)


def fimo_batches_spark(store: Any, mset: Any, seqs: Any, threshold: float, *, from_store: bool = True,
                       bfile: Any = "nrdb", norc: bool = False, motif_pseudo: float = 0.1, qvalues: bool = True,
                       qvalue_method: str = "auto", attributions: Any = None, stats: Optional[dict] = None,
                       master: Optional[str] = None) -> Iterator[pa.RecordBatch]:
    """:func:`annostore.core.fimo.fimo_batches` on Spark: the same hits (in another row order).

    Yields batches with ``motif_idx`` (position in ``mset``), ``motif``, ``example_idx``,
    ``start``, ``end``, ``strand``, ``score``, ``p_value``, ``q_value`` (+ ``attribution``).
    ``from_store``: ``seqs`` are the store's sequences (the executors read them from the store).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from annostore.core.fimo import check_options

    check_options(threshold, qvalue_method, motif_pseudo)  # here, not in the tasks (exit 65, not a Spark error)
    if len(mset) == 0:
        raise BadInputError("no motifs to scan")
    attr = None
    if attributions is not None:
        from annostore.io.attributions import load_attributions

        attr = load_attributions(attributions, n=len(seqs), lengths=seqs.lengths)
    spark = spark_engine.session(master)
    total = int(seqs.offsets[-1]) if len(seqs) else 0
    n_parts = max(1, min(len(seqs), max(spark.sparkContext.defaultParallelism, math.ceil(total / PART_BASES))))
    frame = _input_frame(spark, store, seqs, from_store).repartitionByRange(n_parts, "example_idx")
    out_schema = pa.schema([*PART_SCHEMA, pa.field("part", pa.int32())])
    args = (mset, float(threshold), bfile, bool(norc), float(motif_pseudo))

    def scan_task(batches):  # runs on the executors
        import numba
        from pyspark import TaskContext

        from annostore.core.fimo_parts import scan_part as _scan_part

        ctx = TaskContext.get()
        numba.set_num_threads(max(1, min(int(ctx.cpus()), numba.config.NUMBA_NUM_THREADS)))
        part = ctx.partitionId()
        motifs, thr, bf, rc, pseudo = args
        for batch in batches:
            for hits in _scan_part(motifs, batch.column("example_idx").to_numpy(), batch.column("sequence"), thr,
                                   bfile=bf, norc=rc, motif_pseudo=pseudo):
                parts = pa.array(np.full(hits.num_rows, part, np.int32))
                yield pa.RecordBatch.from_arrays([*hits.columns, parts], schema=out_schema)

    hits = frame.mapInArrow(scan_task, _ddl(out_schema)).persist(StorageLevel.DISK_ONLY)
    try:
        try:
            counts = hits.groupBy("motif_idx", "p_value").agg(F.count(F.lit(1)).alias("n")).toArrow() if qvalues else None
            if counts is not None and sum(counts.column("n").to_pylist()) <= ROWS_PER_PULL:
                per_part = None  # one pull takes them all
            else:
                per_part = hits.groupBy("part").count().toArrow()
        except Exception as exc:  # noqa: BLE001 - a task's error comes back wrapped by Spark
            raise AnnostoreError(f"Spark scan failed: {_first_line(exc)}") from None
        q = qvalue_table(mset, seqs, counts, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo,
                         qvalues=qvalues, qvalue_method=qvalue_method, stats=stats)
        if stats is not None:
            stats.update(engine="spark", spark_tasks=n_parts)
        if q is not None and q.num_rows == 0:  # no hits
            return
        if q is not None:
            joined = hits.join(F.broadcast(spark.createDataFrame(q)), ["motif_idx", "p_value"], "left")
        else:
            joined = hits.withColumn("q_value", F.lit(None).cast("double"))
        names = pa.array([m.name for m in mset], pa.string())
        for lo, hi in _pulls(per_part):
            table = joined.where((F.col("part") >= lo) & (F.col("part") < hi)).toArrow()
            for batch in table.to_batches():
                if batch.num_rows:
                    yield _finish(batch, names, attr)
    finally:
        hits.unpersist()


def _pulls(per_part: Optional[pa.Table]) -> list:
    """Ranges ``[lo, hi)`` of task ids holding about :data:`ROWS_PER_PULL` hits each."""
    if per_part is None:
        return [(0, 2**31 - 1)]
    if per_part.num_rows == 0:
        return []
    part = per_part.column("part").to_numpy()
    n = per_part.column("count").to_numpy()
    order = np.argsort(part)
    part, n = part[order], n[order]
    out, lo, acc = [], int(part[0]), 0
    for p, c in zip(part.tolist(), n.tolist()):
        if acc and acc + c > ROWS_PER_PULL:
            out.append((lo, p))
            lo, acc = p, 0
        acc += c
    out.append((lo, int(part[-1]) + 1))
    return out


def _finish(batch: pa.RecordBatch, names: pa.Array, attr: Any) -> pa.RecordBatch:
    midx = batch.column("motif_idx")
    cols = {
        "motif_idx": midx,
        "motif": names.take(midx),
        "example_idx": batch.column("example_idx"),
        "start": batch.column("start"),
        "end": batch.column("end"),
        "strand": batch.column("strand"),
        "score": batch.column("score"),
        "p_value": batch.column("p_value"),
        "q_value": batch.column("q_value"),
    }
    if attr is not None:
        from annostore.core.fimo_kernels import _span_sums

        cols["attribution"] = pa.array(_span_sums(attr, cols["example_idx"].to_numpy(), cols["start"].to_numpy(),
                                                  cols["end"].to_numpy()), pa.float64())
    return pa.RecordBatch.from_pydict(cols)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:  # a Python error raised in a task: its last line is the message
        if line.startswith(("annostore.errors.", "BadInputError", "AnnostoreError")):
            return line
    return lines[0] if lines else type(exc).__name__
