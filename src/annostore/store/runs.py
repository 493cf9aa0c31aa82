"""Writing a run: :class:`RunWriter` validates batches, streams them to Parquet parts under
``.tmp/`` (parallel lanes, zstd, dictionary encoding) and commits them (rename, fsync, one
DuckDB transaction adding the ``runs`` row), or discards everything; :func:`clean_leftovers`
removes what runs that never committed left behind.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from annostore import resources
from annostore.errors import AnnostoreError, BadInputError
from annostore.store import schema
from annostore.store.schema import KINDS, TMP_DIR

if TYPE_CHECKING:
    from annostore.store.store import Store
from annostore.store.validate import (REQUIRED, _Checker, _DICT_COLS, _DICT_STRING, _FIELDS, _as_table, _cast,
                                       _strand_dictionary, check_values)


ROW_GROUP_SIZE = 122_880


ROWS_PER_FILE = 10_000_000


MAX_WRITE_LANES = 8  # parallel Parquet part writers for big batches


MIN_ROWS_PER_LANE = 2 * ROW_GROUP_SIZE


class RunWriter:
    """One run being written (made by :meth:`Store.begin_run`).

    ``write(batch)`` validates a batch and appends it to the run's Parquet files; the run is
    committed when the ``with`` block exits normally (or by :meth:`commit`) and discarded
    when it raises (or by :meth:`abort`).
    """

    def __init__(self, store: Store, kind: str, run_id: int, **provenance: Any) -> None:
        self.store = store
        self.kind = kind
        self.run_id = int(run_id)
        self.name = provenance.pop("name")
        self.tool = provenance.pop("tool")
        self.tool_version = provenance.pop("tool_version")
        self.params = provenance.pop("params")
        self.input = provenance.pop("input")
        self.input_sha256 = provenance.pop("input_sha256")
        self.parent_run_id = provenance.pop("parent_run_id")
        self.n_rows = 0
        self._tmp = store.path / TMP_DIR / f"run-{self.run_id}-{uuid.uuid4().hex[:8]}"
        self._tmp.mkdir(parents=True, exist_ok=False)
        n_lanes = max(1, min(MAX_WRITE_LANES, store.threads or os.cpu_count() or 1))
        self._lanes = [_Lane() for _ in range(n_lanes)]
        self._lock = threading.Lock()
        self._pool: Optional[ThreadPoolExecutor] = None
        self._pending: list = []
        self._syncer: Optional[ThreadPoolExecutor] = None
        self._sync_future = None
        self._parts: list[str] = []
        self._done = False
        self.pre_commit: list = []  # (view name, Arrow table, sql name) run inside the commit transaction
        self._n_seqlets: Optional[int] = None
        self._metadata = {
            schema.SCHEMA_VERSION_KEY: str(store.schema_version).encode(),
            schema.COORDINATES_KEY: schema.COORDINATES,
            b"annostore.run_id": str(self.run_id).encode(),
        }
        # Batches carry ``motif`` and ``strand`` as dictionary arrays (indices motif_idx / 0-1), which
        # the Parquet writer stores as its dictionary pages directly (no per-row string hashing).  The
        # Arrow schema is not embedded (store_schema=False), so any reader sees the plain
        # ``schema.FACT_TABLES`` types (string); the key-value metadata is added to each file.
        self._schema = pa.schema(
            [pa.field(f.name, _DICT_STRING, f.nullable) if f.name in _DICT_COLS else f
             for f in schema.FACT_TABLES[kind]]
        )
        self._motif_names: Optional[pa.Array] = None
        # Dictionary-encode strings and the integer columns (few distinct values per row group:
        # run_id, motif_idx, example_idx, start/end are bounded by the example length): smaller
        # and faster than plain + zstd (5 M hits: 112 vs 117 MB, ~20% less writer CPU).  Not the
        # floats (mostly distinct) nor seqlet_id (unique).
        # Min/max statistics for row-group pruning, except on strand: every row group holds both
        # values, so they never prune, and string statistics cost ~4% of the writer's CPU.
        self._statistics_columns = [f.name for f in self._schema if f.name != "strand"]
        self._dictionary_columns = [
            f.name for f in self._schema
            if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)
            or (pa.types.is_integer(f.type) and f.name != "seqlet_id")
        ]

    def __enter__(self) -> "RunWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    # -- writing --------------------------------------------------------------------------

    def write(self, batch: Any) -> int:
        """Validate ``batch`` and append it to the run.

        Parameters
        ----------
        batch : pa.RecordBatch, pa.Table or pandas.DataFrame
            The fact table's columns (``schema.py``) without ``run_id`` (and, for seqlets,
            without ``seqlet_id``: rows are numbered in write order).  Hits/matches need
            ``motif_idx`` or ``motif`` (the other is resolved from the store's motifs);
            missing nullable columns become null; seqlets without ``sign`` get the sign of
            ``attribution``; matches without ``seqlet_run_id`` get the run's parent.

        Returns
        -------
        int
            Rows written.

        Raises
        ------
        BadInputError
            A validation failure (the message gives the count and the first offending row).
        """
        if self._done:
            raise AnnostoreError("this run is already finished")
        table = _as_table(batch)
        table = self._conform(table)
        n = table.num_rows
        if n == 0:
            return 0
        self._append(table)
        return n

    def _append(self, table: pa.Table) -> None:
        """Write rows; a big batch is split over parallel writer lanes (one part file each)."""
        n = table.num_rows
        k = min(len(self._lanes), max(1, n // MIN_ROWS_PER_LANE))
        self._wait()  # the previous batch's writes (they overlap with reading/validating this one)
        self._sync_written()
        if k == 1 and len(self._lanes) == 1:
            self._write_lane(self._lanes[0], table)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(len(self._lanes), thread_name_prefix="annostore-write")
            step = -(-n // k)
            if step > ROW_GROUP_SIZE:  # whole row groups per lane, when that keeps the lanes balanced
                aligned = -(-step // ROW_GROUP_SIZE) * ROW_GROUP_SIZE
                if n - (k - 1) * aligned >= aligned * 3 // 4:
                    step = aligned
            self._pending = [
                self._pool.submit(self._write_lane, self._lanes[i], table.slice(i * step, step)) for i in range(k)
            ]
        self.n_rows += n

    def _sync_written(self) -> None:
        """Start flushing the bytes written so far to disk in the background (the commit's fsync
        then has only the tail left); a no-op while the previous flush still runs."""
        if self._sync_future is not None and not self._sync_future.done():
            return
        with self._lock:
            paths = [self._tmp / p for p in self._parts]
        if not paths:
            return
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="annostore-fsync")
        self._sync_future = self._syncer.submit(_fdatasync_quietly, paths)

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        errors = []
        for future in pending:
            try:
                future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
        if errors:
            raise errors[0]

    def _write_lane(self, lane: "_Lane", table: pa.Table) -> None:
        offset = 0
        n = table.num_rows
        while offset < n:
            if lane.writer is None:
                with self._lock:
                    part = f"part-{len(self._parts):05d}.parquet"
                    self._parts.append(part)
                lane.writer = pq.ParquetWriter(
                    self._tmp / part,
                    self._schema,
                    compression="zstd",
                    compression_level=1,
                    use_dictionary=self._dictionary_columns,
                    write_statistics=self._statistics_columns,
                    store_schema=False,
                )
                lane.writer.add_key_value_metadata(self._metadata)
                lane.rows = 0
            take = min(n - offset, ROWS_PER_FILE - lane.rows)
            lane.writer.write_table(table.slice(offset, take), row_group_size=ROW_GROUP_SIZE)
            lane.rows += take
            offset += take
            if lane.rows >= ROWS_PER_FILE:
                lane.writer.close()
                lane.writer = None

    def _close_lanes(self) -> None:
        try:
            self._wait()
        finally:
            self._close_writers()

    def _close_writers(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._syncer is not None:
            self._syncer.shutdown(wait=True)
            self._syncer = None
        for lane in self._lanes:
            if lane.writer is not None:
                writer, lane.writer = lane.writer, None
                writer.close()

    def commit(self) -> int:
        """Make the run visible (rename its folder into place, insert its ``runs`` row)."""
        if self._done:
            raise AnnostoreError("this run is already finished")
        self._done = True
        try:
            self._close_lanes()
            for part in self._parts:  # make the bytes durable before the commit row refers to them
                fd = os.open(self._tmp / part, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            files: list[str] = []
            final = self.store.path / self.kind / f"run-{self.run_id}"
            if self._parts:
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)
                os.rename(self._tmp, final)
                files = [f"{self.kind}/run-{self.run_id}/{p}" for p in self._parts]
            group = self.store._group
            if group is not None:  # inside store.atomic(): the group commits all its runs at once
                group.append(PendingRun(self, files, final))
                shutil.rmtree(self._tmp, ignore_errors=True)
                return self.run_id
            try:
                self.store._commit_run(self, files)
            except BaseException:
                shutil.rmtree(final, ignore_errors=True)
                raise
        except BaseException:
            self._discard()
            raise
        self._discard()
        return self.run_id

    def abort(self) -> None:
        """Discard the run: nothing becomes visible."""
        self._done = True
        try:
            self._close_lanes()
        except Exception:  # pragma: no cover - best effort
            pass
        self._discard()

    def _discard(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)
        self.store._reserved_ids.discard(self.run_id)

    # -- validation -----------------------------------------------------------------------

    def _conform(self, table: pa.Table) -> pa.Table:
        kind = self.kind
        fields = _FIELDS[kind]
        known = {f.name for f in fields} | {"run_id", "seqlet_id"}
        extra = [c for c in table.column_names if c not in known]
        if extra:
            raise BadInputError(
                f"unexpected column(s) for {kind}: {', '.join(extra)}; expected {', '.join(f.name for f in fields)}"
            )
        n = table.num_rows
        cols: dict[str, Any] = {}
        for f in fields:
            if f.name in table.column_names and pa.types.is_null(table[f.name].type):
                cols[f.name] = None  # an all-null column of no type: not given
            elif f.name in table.column_names:
                cols[f.name] = _cast(table[f.name], f.type, f.name, keep_dictionary=f.name in _DICT_COLS)
            elif f.nullable or f.name in ("motif", "motif_idx", "sign", "seqlet_run_id"):
                cols[f.name] = None
            else:
                raise BadInputError(f"missing column {f.name!r} for {kind}")
        if table.num_columns == 0:
            raise BadInputError(f"no columns: a {kind} table needs {', '.join(f.name for f in fields if not f.nullable)}")
        for name in REQUIRED[kind]:
            if cols.get(name) is None:
                raise BadInputError(f"missing column {name!r} for {kind} (it is required)")
        if n == 0:
            return self._schema.empty_table()

        check = _Checker(self.n_rows, cols)
        for name in ("example_idx", "start", "end", "seqlet_id", "rank"):
            if name in cols and cols[name] is not None:
                check.no_nulls(name)
        lengths = self.store.example_lengths() if "example_idx" in cols else None
        if "start" in cols:
            start, end = cols["start"], cols["end"]
            check.bad(pc.less(start, 0), "a negative start")
            check.bad(pc.greater_equal(start, end), "start >= end")
            ex = cols["example_idx"]
            check.bad(pc.less(ex, 0), "a negative example_idx")
            if lengths is not None:
                n_ex = len(lengths)
                check.bad(pc.greater_equal(ex, n_ex), f"an example_idx not in the store's {n_ex} examples")
                ex_np = np.asarray(ex.to_numpy())
                ln = lengths[ex_np]
                end_np = np.asarray(end.to_numpy())
                check.bad_np((ln >= 0) & (end_np > ln), "end beyond the example's length")
            else:
                check.bad(pc.greater(end, schema.MAX_COORDINATE), "an absurd end coordinate (> 2^40)")
        check_values(kind, cols, check)
        for name in ("p_value", "q_value"):
            if name in cols and cols[name] is not None:
                check.probability(name)
        if kind == "matches" and cols.get("e_value") is not None:
            e = cols["e_value"]
            check.bad(pc.or_kleene(pc.is_nan(e), pc.less(e, 0)), "e_value NaN or negative")
        if "strand" in cols:
            check.no_nulls("strand")
            cols["strand"] = _strand_dictionary(cols["strand"], check)
        if kind == "matches":
            if cols["orientation"] is not None:
                check.bad(
                    pc.and_(pc.is_valid(cols["orientation"]),
                            pc.invert(pc.is_in(cols["orientation"], value_set=pa.array(["+", "-"])))),
                    "orientation not '+' or '-'",
                    nulls_ok=True,
                )
            check.bad(pc.less(cols["rank"], 1), "rank < 1")

        if kind in ("hits", "matches"):
            self._resolve_motifs(cols, check)
        if kind == "seqlets":
            if cols["sign"] is None:
                att = cols["attribution"]
                if att is None:
                    cols["sign"] = pa.array(np.ones(n, dtype=np.int8))
                else:
                    neg = pc.fill_null(pc.less(att, 0), False).to_numpy(zero_copy_only=False)
                    cols["sign"] = pa.array(np.where(neg, -1, 1).astype(np.int8))
            else:
                check.no_nulls("sign")
                check.bad(pc.invert(pc.is_in(cols["sign"], value_set=pa.array([-1, 1], pa.int8()))), "sign not +1 or -1")
            cols["seqlet_id"] = pa.array(np.arange(self.n_rows, self.n_rows + n, dtype=np.int64))
        if kind == "matches":
            if cols["seqlet_run_id"] is None:
                cols["seqlet_run_id"] = pa.array(np.full(n, self.parent_run_id, dtype=np.int32))
            else:
                check.no_nulls("seqlet_run_id")
                check.bad(pc.not_equal(cols["seqlet_run_id"], self.parent_run_id), f"seqlet_run_id != {self.parent_run_id}")
            if self._n_seqlets is None and self.store._group is not None:
                pending = pending_run(self.store, self.parent_run_id)
                if pending is not None:
                    self._n_seqlets = pending.writer.n_rows
            if self._n_seqlets is None:
                row = self.store.con.execute(resources.sql("store_run_by_id"), {"run_id": self.parent_run_id}).fetchall()
                self._n_seqlets = int(row[0][2])
            sid = cols["seqlet_id"]
            check.bad(
                pc.or_(pc.less(sid, 0), pc.greater_equal(sid, self._n_seqlets)),
                f"a seqlet_id not among the {self._n_seqlets} seqlets of run {self.parent_run_id}",
            )

        cols["run_id"] = pa.array(np.full(n, self.run_id, dtype=np.int32))
        out_schema = schema.FACT_TABLES[kind]
        arrays = []
        for f in out_schema:
            col = cols[f.name]
            if col is None:
                col = pa.nulls(n, f.type)
            arrays.append(col)
        return pa.Table.from_arrays(arrays, schema=self._schema)

    def _resolve_motifs(self, cols: dict, check: "_Checker") -> None:
        names, lookup = self.store._motif_lookup()
        if not names:
            raise BadInputError("the store has no motifs; add the motifs first (annostore motifs add)")
        n_motifs = len(names)
        idx_col = cols.get("motif_idx")
        name_col = cols.get("motif")
        resolved = None
        if name_col is not None:
            check.no_nulls("motif")
            if pa.types.is_dictionary(name_col.type):  # e.g. read from Parquet: map the dictionary only
                uniq = name_col.dictionary.cast(pa.string())
                pos_np = np.asarray(name_col.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            else:
                uniq = pc.unique(name_col)
                pos_np = None
            uniq_list = uniq.to_pylist()
            mapped = np.array([lookup.get(u, -1) for u in uniq_list], dtype=np.int32)
            if pos_np is None:
                pos_np = np.asarray(pc.index_in(name_col, value_set=uniq).to_numpy(zero_copy_only=False), dtype=np.int64)
            resolved = mapped[pos_np]
            if (resolved < 0).any():
                bad_rows = resolved < 0
                unknown = sorted({uniq_list[i] for i in np.unique(pos_np[bad_rows])})
                shown = ", ".join(repr(u) for u in unknown[:5])
                raise BadInputError(
                    f"{int(bad_rows.sum())} rows name {len(unknown)} motif(s) not in the store's {n_motifs} motifs: {shown}"
                )
        if idx_col is not None:
            check.no_nulls("motif_idx")
            check.bad(
                pc.or_(pc.less(idx_col, 0), pc.greater_equal(idx_col, n_motifs)),
                f"motif_idx outside the store's {n_motifs} motifs",
            )
            if resolved is not None:
                given = np.asarray(idx_col.to_numpy())
                check.bad_np(given != resolved, "motif_idx and motif name disagree")
        if idx_col is None:
            idx_col = pa.array(resolved.astype(np.int32))
            cols["motif_idx"] = idx_col
        if self._motif_names is None or len(self._motif_names) != n_motifs:
            self._motif_names = pa.array(names, pa.string())
        # motif = names[motif_idx], as a dictionary array over the store's motif ids (canonical names)
        cols["motif"] = pa.DictionaryArray.from_arrays(idx_col, self._motif_names, safe=False)


def _fdatasync_quietly(paths: list[Path]) -> None:
    """Early writeback of part files being written (best effort: the commit fsyncs each part)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


class _Lane:
    """One Parquet part file being written."""

    def __init__(self) -> None:
        self.writer: Optional[pq.ParquetWriter] = None
        self.rows = 0


# -- several runs, one commit ----------------------------------------------------------------


class PendingRun:
    """A run written and renamed into place inside :func:`atomic`, waiting for the group commit."""

    def __init__(self, writer: "RunWriter", files: list, final: Path) -> None:
        self.writer = writer
        self.files = files
        self.final = final


def pending_run(store: "Store", run_id: Any) -> Optional[PendingRun]:
    """The pending run ``run_id`` of the store's open :func:`atomic` block, if any."""
    for p in store._group or ():
        if p.writer.run_id == run_id:
            return p
    return None


class atomic:
    """``with store.atomic():`` -- every run committed inside the block becomes visible together
    (one DuckDB transaction for all their ``runs`` rows), or none does.

    Used by multi-part ingests (``ingest seqlets --matches``): a matches file that fails
    validation leaves no seqlets run behind.  Runs inside the block may refer to each other
    (a matches run's parent may be a pending seqlets run).  Crash safety is that of one run:
    folders renamed into place without a ``runs`` row are removed by the next writer.
    A nested block joins the outer one.
    """

    def __init__(self, store: "Store") -> None:
        self.store = store
        self.outer = False

    def __enter__(self) -> "Store":
        self.store._writable()
        if self.store._group is not None:
            self.outer = True
        else:
            self.store._group = []
        return self.store

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.outer:
            return
        pending, self.store._group = self.store._group or [], None
        try:
            if exc_type is None and pending:
                self.store._commit_runs([(p.writer, p.files) for p in pending])
                return
        except BaseException:
            _drop(self.store, pending)
            raise
        _drop(self.store, pending)


def _drop(store: "Store", pending: list) -> None:
    for p in pending:
        shutil.rmtree(p.final, ignore_errors=True)
        store._reserved_ids.discard(p.writer.run_id)


# -- leftovers of runs that never committed --------------------------------------------------


def clean_leftovers(store: "Store") -> None:
    """Remove files of runs that never committed (only a writer holding the lock does this),
    and spill folders of readers that are gone."""
    tmp = store.path / TMP_DIR
    if tmp.is_dir():
        for child in tmp.glob("run-*"):
            shutil.rmtree(child, ignore_errors=True)
        for child in tmp.glob("duckdb-*"):
            pid = child.name[len("duckdb-"):]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(child, ignore_errors=True)
    committed = {str(Path(f).parent) for fs in store._committed_files().values() for f in fs}
    for kind in KINDS:
        folder = store.path / kind
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            rel = f"{kind}/{child.name}"
            if rel not in committed:
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
    tracks = store.path / "attributions"  # attribution tracks written but never recorded
    if tracks.is_dir():
        kept = {row[0] for row in store.con.execute(resources.sql("genomic_attribution_files")).fetchall()}
        for child in tracks.iterdir():
            if f"attributions/{child.name}" not in kept and child.is_file():
                child.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
