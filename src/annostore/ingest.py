"""Readers of external result files, and ingest of them into a store as atomic runs.

Formats read (each reader says its coordinate convention):

* MEME ``fimo.tsv`` and ``fimo --text`` output (also the old ``#pattern name`` header):
  1-based inclusive ``start``/``stop`` -> 0-based half-open; trailing ``#`` lines skipped.
* memelite / tangermeme FIMO frames (``motif_name, motif_idx, sequence_name, start, end,
  strand, score, p-value``; 0-based half-open), as DataFrames (or the per-motif list
  ``fimo()`` returns) or saved as Parquet / TSV / CSV.
* tangermeme seqlet frames (``example_idx, start, end, attribution, p-value``).
* TOMTOM matches: ``annotate_seqlets`` ``(idxs, pvals)`` arrays/tensors, or MEME ``tomtom.tsv``.
* BED regions (3-6 columns; ``track``/``browser``/``#`` lines and a header line skipped).
* FASTA sequences (via :func:`annostore.sequences.load_sequences`).

``sequence_name`` values are mapped to ``example_idx`` through the store's region/sequence
names; integer names are taken as ``example_idx`` when they are not names in the store.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import BadInputError, MissingInputError, located

BATCH_ROWS = 8 * 122_880  # a multiple of the store's row group size: parts get whole row groups
WHOLE_READ_BYTES = 1 << 30  # text tables up to this size are parsed in one multi-threaded read

# column spellings -> store column names
_RENAME = {
    "p-value": "p_value",
    "pvalue": "p_value",
    "p_val": "p_value",
    "q-value": "q_value",
    "qvalue": "q_value",
    "e-value": "e_value",
    "motif_name": "motif",
    "motif_id": "motif",
    "pattern name": "motif",
    "#pattern name": "motif",
    "sequence name": "sequence_name",
    "stop": "stop",
    "matched sequence": "matched_sequence",
}


# ---------------------------------------------------------------------------------------------
# files


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file (streamed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _BackgroundHash:
    """sha256 of a file computed in a thread (hashlib releases the GIL) while the file is ingested."""

    def __init__(self, path: Optional[Path]) -> None:
        import threading

        self._digest: Optional[str] = None
        self._error: Optional[BaseException] = None
        self._stop = threading.Event()
        self._thread = None
        if path is not None:
            self._thread = threading.Thread(target=self._run, args=(path,), name="annostore-sha256", daemon=True)
            self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 22), b""):
                    if self._stop.is_set():
                        return
                    digest.update(chunk)
            self._digest = digest.hexdigest()
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self._error = exc

    def result(self) -> Optional[str]:
        """The hex digest (None without a file); waits for the thread."""
        if self._thread is None:
            return None
        self._thread.join()
        if self._error is not None:
            raise BadInputError(f"cannot read input for its sha256: {self._error}")
        return self._digest

    def cancel(self) -> None:
        self._stop.set()


def _existing(path: Any) -> Path:
    p = Path(path)
    if not p.exists():
        raise MissingInputError(f"{p}: no such file")
    if p.is_dir():
        raise BadInputError(f"{p}: is a folder, not a file")
    return p


def _guess_format(path: Path, format: Optional[str]) -> str:
    if format:
        return format.lower()
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".feather") or name.endswith(".arrow"):
        return "arrow"
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1":
        return "parquet"
    return "tsv"


def _first_line(path: Path) -> str:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.readline()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc}") from None
    if b"\x00" in raw:
        raise BadInputError(located("binary data, not a text table", path, 1))
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BadInputError(located("not UTF-8 text", path, 1)) from None


def _find_line(path: Path, text: str) -> Optional[int]:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh, 1):
            if line.rstrip("\r\n") == text.rstrip("\r\n"):
                return i
    return None


_MOTIF_COLS = ("motif", "motif_name", "motif_id")  # read from Parquet as dictionaries (fast motif resolution)
_INT_COLS = {"start", "end", "stop", "example_idx", "motif_idx", "seqlet_id", "rank", "offset", "overlap",
             "Optimal_offset", "Overlap"}
_FLOAT_COLS = {"score", "p-value", "q-value", "p_value", "q_value", "attribution", "E-value", "e_value"}
_STR_COLS = {"motif_id", "motif_alt_id", "motif_name", "motif", "sequence_name", "strand", "matched_sequence",
             "Query_ID", "Target_ID", "Orientation", "Query_consensus", "Target_consensus", "orientation"}


def read_table_batches(
    path: Any,
    format: Optional[str] = None,
    *,
    batch_rows: int = BATCH_ROWS,
    dictionary_columns: tuple[str, ...] = (),
) -> Iterator[pa.Table]:
    """Stream a TSV/CSV/Parquet table file as Arrow tables of raw columns.

    Parquet motif-name columns (and any string column named in ``dictionary_columns``) are read
    as dictionary arrays: no per-row string decoding, and names are resolved once per value.

    TSV/CSV: the first line is the header (a leading ``#`` is dropped, as in old FIMO
    output); later lines starting with ``#`` are skipped; CRLF line endings are accepted.
    A row with the wrong number of fields raises BadInputError with ``path:line``.
    """
    path = _existing(path)
    fmt = _guess_format(path, format)
    if fmt == "parquet":
        try:
            file_schema = pq.read_schema(path)
            wanted = set(_MOTIF_COLS) | set(dictionary_columns)
            as_dict = [f.name for f in file_schema
                       if f.name in wanted and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
            pf = pq.ParquetFile(path, read_dictionary=as_dict)
        except (pa.ArrowInvalid, OSError) as exc:
            raise BadInputError(f"{path}: not a readable Parquet file: {exc}") from None
        for batch in pf.iter_batches(batch_size=batch_rows):
            yield pa.Table.from_batches([batch])
        return
    if fmt == "arrow":
        import pyarrow.feather as feather

        yield feather.read_table(path)
        return
    if fmt not in ("tsv", "csv", "fimo-tsv", "tomtom-tsv", "text"):
        raise BadInputError(f"{path}: unknown table format {fmt!r} (tsv, csv, parquet)")
    delimiter = "," if fmt == "csv" else "\t"
    header = _first_line(path)
    if not header.strip():
        raise BadInputError(located("empty file or empty header line", path, 1))
    names = [c.strip() for c in header.lstrip("#").split(delimiter)]
    if len(names) < 2 and delimiter == "\t" and "," in header:
        raise BadInputError(located("expected tab-separated columns (is this a CSV? use -f csv)", path, 1))
    bad_rows: list = []

    def on_invalid(row) -> str:
        if row.text is not None and row.text.lstrip().startswith("#"):
            return "skip"
        if row.text is not None and not row.text.strip():
            return "skip"
        bad_rows.append(row)
        return "error"

    types = {}
    for c in names:
        if c in _MOTIF_COLS or (c in dictionary_columns and c in _STR_COLS):
            types[c] = pa.dictionary(pa.int32(), pa.string())
        elif c in _INT_COLS:
            types[c] = pa.int64()
        elif c in _FLOAT_COLS:
            types[c] = pa.float64()
        elif c in _STR_COLS:
            types[c] = pa.string()
    read_opts = pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24)
    parse_opts = pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=False)
    convert_opts = pacsv.ConvertOptions(
        column_types=types,
        strings_can_be_null=True,
        null_values=["", "NA", "NULL", "null", "None"],
    )
    try:
        if path.stat().st_size <= WHOLE_READ_BYTES:  # parsed on all threads, then handed out in slices
            table = pacsv.read_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
            batches = [_drop_comment_rows(b, names) for b in table.to_batches()]
            table = pa.Table.from_batches(batches, schema=table.schema)
            if table.num_rows == 0:
                yield table
            for offset in range(0, table.num_rows, batch_rows):
                yield table.slice(offset, batch_rows)
            return
        reader = pacsv.open_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
        buffered: list[pa.RecordBatch] = []
        rows = 0
        for batch in reader:
            batch = _drop_comment_rows(batch, names)
            buffered.append(batch)
            rows += batch.num_rows
            if rows >= batch_rows:
                yield pa.Table.from_batches(buffered)
                buffered, rows = [], 0
        if buffered:
            yield pa.Table.from_batches(buffered)
        elif rows == 0:
            yield pa.table({n: pa.array([], types.get(n, pa.string())) for n in names})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if bad_rows:
            row = bad_rows[0]
            line = row.number if row.number is not None else _find_line(path, row.text or "")
            raise BadInputError(
                located(
                    f"expected {row.expected_columns} fields, found {row.actual_columns} (truncated or malformed row)",
                    path,
                    line,
                )
            ) from None
        raise BadInputError(f"{path}: {_arrow_message(exc)}") from None


def _drop_comment_rows(batch: pa.RecordBatch, names: list[str]) -> pa.RecordBatch:
    """Drop '#' lines that happened to have the right number of fields (first column starts with '#')."""
    first = batch.column(0)
    if pa.types.is_dictionary(first.type):
        if not pc.any(pc.fill_null(pc.starts_with(first.dictionary.cast(pa.string()), "#"), False)).as_py():
            return batch
        first = first.dictionary_decode()
    if not (pa.types.is_string(first.type) or pa.types.is_large_string(first.type)):
        return batch
    mask = pc.fill_null(pc.starts_with(first, "#"), False)
    if pc.any(mask).as_py():
        return batch.filter(pc.invert(mask))
    return batch


def _arrow_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace("CSV conversion error", "cannot convert value")


def _to_table(data: Any) -> Optional[pa.Table]:
    """An in-memory table (DataFrame, Arrow, dict, list of DataFrames) as Arrow; None for paths."""
    if isinstance(data, (str, os.PathLike)):
        return None
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "seqlets") and hasattr(data, "fdr"):  # tangermeme RecursiveSeqletsResult
        data = data.seqlets
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, pd.DataFrame) for d in data):
        frames = [d for d in data if len(d)]
        if not frames:
            return pa.Table.from_pandas(data[0].iloc[:0], preserve_index=False)
        return pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False)
    if isinstance(data, dict):
        return pa.table(data)
    raise BadInputError(f"cannot read a {type(data).__name__} as a table")


def _rename(table: pa.Table) -> pa.Table:
    names = [_RENAME.get(c.strip(), c.strip()) if c.strip() in _RENAME else c.strip() for c in table.column_names]
    return table.rename_columns(names)


# ---------------------------------------------------------------------------------------------
# example mapping


class ExampleMapper:
    """Maps ``sequence_name`` values to ``example_idx`` using the store's names."""

    def __init__(self, store: Any) -> None:
        names = store.example_names()
        self.n_examples = len(names)
        self.index: dict[str, int] = {}
        self.duplicates: set[str] = set()
        for i, name in enumerate(names):
            if name is None:
                continue
            if name in self.index:
                self.duplicates.add(name)
            self.index.setdefault(name, i)

    def map(self, column: Any, where: str) -> pa.Array:
        if isinstance(column, pa.ChunkedArray):
            if pa.types.is_dictionary(column.type):
                column = column.unify_dictionaries()
            column = column.combine_chunks()
        if pa.types.is_dictionary(column.type):  # e.g. read from Parquet: map each distinct name once
            if column.null_count:
                raise BadInputError(f"{where}: {column.null_count} rows have no sequence_name")
            idx = np.asarray(column.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            used = np.flatnonzero(np.bincount(idx, minlength=len(column.dictionary)))  # skip unreferenced values
            mapped = np.zeros(len(column.dictionary), dtype=np.int64)
            if len(used):
                values = self.map(column.dictionary.take(pa.array(used)), where)
                mapped[used] = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)
            return pa.array(mapped[idx])
        if pa.types.is_integer(column.type):
            return column.cast(pa.int64())
        if pa.types.is_floating(column.type):
            try:
                return column.cast(pa.int64(), safe=True)
            except pa.ArrowInvalid:
                raise BadInputError(f"{where}: sequence_name has non-integer numbers") from None
        column = column.cast(pa.string())
        if column.null_count:
            raise BadInputError(f"{where}: {column.null_count} rows have no sequence_name")
        uniq = pc.unique(column).to_pylist()
        mapped = np.array([self.index.get(u, -1) for u in uniq], dtype=np.int64)
        if (mapped >= 0).all():
            ambiguous = [u for u in uniq if u in self.duplicates]
            if ambiguous:
                raise BadInputError(f"{where}: sequence name {ambiguous[0]!r} names several examples in the store")
            pos = pc.index_in(column, value_set=pa.array(uniq, pa.string())).to_numpy(zero_copy_only=False)
            return pa.array(mapped[pos.astype(np.int64)])
        try:
            as_int = pc.cast(column, pa.int64())
            if not self.index or (mapped < 0).all():
                return as_int
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        unknown = [u for u, m in zip(uniq, mapped) if m < 0]
        shown = ", ".join(repr(u) for u in unknown[:3])
        if not self.n_examples:
            raise BadInputError(
                f"{where}: rows name sequences ({shown}) but the store has no regions or sequences; "
                "add them first (annostore regions add / sequences add)"
            )
        raise BadInputError(
            f"{where}: the table names {len(uniq)} sequences, {len(unknown)} of them not among the store's "
            f"{self.n_examples} regions/sequences (e.g. {shown})"
        )


# ---------------------------------------------------------------------------------------------
# hits


def _normalise_hits(table: pa.Table, mapper: ExampleMapper, where: str) -> pa.Table:
    table = _rename(table)
    cols = set(table.column_names)
    one_based = "stop" in cols or "motif_alt_id" in cols
    out: dict[str, Any] = {}
    if "motif" in cols:
        out["motif"] = table["motif"]
    elif "motif_idx" in cols:
        out["motif_idx"] = table["motif_idx"]
    else:
        raise BadInputError(f"{where}: no motif column (motif_id, motif_name, motif or motif_idx)")
    if "example_idx" in cols:
        out["example_idx"] = table["example_idx"]
    elif "sequence_name" in cols:
        out["example_idx"] = mapper.map(table["sequence_name"], where)
    else:
        raise BadInputError(f"{where}: no example column (sequence_name or example_idx)")
    end_name = "stop" if "stop" in cols else "end"
    for need in ("start", end_name, "strand"):
        if need not in cols:
            raise BadInputError(f"{where}: missing column {need!r} (columns: {', '.join(table.column_names)})")
    start, end = table["start"], table[end_name]
    if one_based:
        try:
            start = pc.subtract(start.cast(pa.int64()), 1)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise BadInputError(f"{where}: start is not an integer column") from None
    out["start"], out["end"] = start, end
    out["strand"] = table["strand"]
    for name in ("score", "p_value", "q_value", "attribution"):
        if name in cols:
            out[name] = table[name]
    return pa.table(out)


def hit_batches(data: Any, store: Any, format: Optional[str] = None) -> Iterator[pa.Table]:
    """Normalised hit tables (store columns) from any supported hits input."""
    mapper = ExampleMapper(store)
    table = _to_table(data)
    if table is not None:
        yield _normalise_hits(table, mapper, "hits")
        return
    path = _existing(data)
    fmt = _guess_format(path, format)
    if fmt == "fimo-tsv":
        fmt = "tsv"
    for chunk in read_table_batches(path, fmt, dictionary_columns=("strand", "sequence_name")):
        yield _normalise_hits(chunk, mapper, str(path))


def _parquet_rows(path: Optional[Path], format: Optional[str]) -> Optional[int]:
    if path is None or _guess_format(path, format) != "parquet":
        return None
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowInvalid, OSError):
        return None


def _run_errors(path: Any, fn) -> Any:
    try:
        return fn()
    except BadInputError as exc:
        text = str(exc)
        if path is not None and not text.startswith(str(path)):
            raise BadInputError(f"{path}: {text}") from None
        raise


def ingest_hits(
    store: Any,
    data: Any,
    *,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = None,
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
    progress: Optional[bool] = False,
) -> int:
    """Ingest hits (see :meth:`Store.add_hits`) as one atomic run; returns the run id.

    ``progress``: a rich progress bar on stderr (``None``: only when stderr is a terminal).
    """
    from .progress import progress as _progress

    path = None if _to_table(data) is not None else _existing(data)
    if tool is None and path is not None and _guess_format(path, format) in ("tsv", "fimo-tsv"):
        tool = "fimo" if _first_line(path).lstrip("#").startswith(("motif_id", "pattern name")) else None

    def go() -> int:
        sha = _BackgroundHash(path)  # overlaps with reading, validating and writing
        try:
            with store.begin_run(
                "hits",
                name=run,
                tool=tool,
                tool_version=tool_version,
                params=params,
                input=None if path is None else str(path.resolve()),
            ) as writer:
                total = _parquet_rows(path, format)
                with _progress(total, "ingesting hits", progress) as bar:
                    for batch in hit_batches(data if path is None else path, store, format):
                        writer.write(batch)
                        bar.advance(batch.num_rows)
                writer.input_sha256 = sha.result()  # committed with the run row
        finally:
            sha.cancel()
        return writer.run_id

    return _run_errors(path, go)


# ---------------------------------------------------------------------------------------------
# seqlets


def _normalise_seqlets(table: pa.Table, where: str) -> pa.Table:
    table = _rename(table)
    cols = set(table.column_names)
    for need in ("example_idx", "start", "end"):
        if need not in cols:
            raise BadInputError(
                f"{where}: missing column {need!r} (a seqlet table has example_idx, start, end, attribution, p-value)"
            )
    out = {c: table[c] for c in ("example_idx", "start", "end", "attribution", "p_value", "sign") if c in cols}
    return pa.table(out)


def ingest_seqlets(
    store: Any,
    data: Any,
    *,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = None,
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
) -> int:
    """Ingest a seqlet table (tangermeme ``recursive_seqlets`` frame or a file of one); returns the run id."""
    table = _to_table(data)
    path = None if table is not None else _existing(data)

    def go() -> int:
        with store.begin_run(
            "seqlets",
            name=run,
            tool=tool,
            tool_version=tool_version,
            params=params,
            input=None if path is None else str(path.resolve()),
            input_sha256=None if path is None else file_sha256(path),
        ) as writer:
            batches = [table] if table is not None else read_table_batches(path, format)
            for batch in batches:
                writer.write(_normalise_seqlets(batch, str(path or "seqlets")))
        return writer.run_id

    return _run_errors(path, go)


# ---------------------------------------------------------------------------------------------
# matches


def _latest_seqlets_run(store: Any) -> int:
    runs = store.runs()
    ids = [r for r, k in zip(runs["run_id"].to_pylist(), runs["kind"].to_pylist()) if k == "seqlets"]
    if not ids:
        raise BadInputError("the store has no seqlets run to attach matches to")
    return ids[-1]


def _matches_from_arrays(idxs: Any, pvals: Any, n_seqlets: int) -> pa.Table:
    def as_np(x: Any) -> np.ndarray:
        if hasattr(x, "detach"):
            x = x.detach().cpu().numpy()
        return np.asarray(x)

    idx = as_np(idxs)
    p = as_np(pvals)
    if idx.ndim == 1:
        idx = idx[:, None]
    if p.ndim == 1:
        p = p[:, None]
    if idx.shape != p.shape or idx.ndim != 2:
        raise BadInputError(f"matches: idxs {idx.shape} and pvals {p.shape} must be the same (n_seqlets, n_nearest) shape")
    if idx.shape[0] != n_seqlets:
        raise BadInputError(
            f"matches: {idx.shape[0]} rows of (idxs, pvals) but the seqlets run has {n_seqlets} seqlets"
        )
    if not np.issubdtype(idx.dtype, np.integer):
        raise BadInputError("matches: idxs must be integer motif indices")
    n, k = idx.shape
    return pa.table(
        {
            "seqlet_id": pa.array(np.repeat(np.arange(n, dtype=np.int64), k)),
            "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int32), n)),
            "motif_idx": pa.array(idx.reshape(-1).astype(np.int64)),
            "p_value": pa.array(p.reshape(-1).astype(np.float64)),
        }
    )


def _normalise_tomtom(table: pa.Table, where: str) -> pa.Table:
    cols = set(table.column_names)
    if "Query_ID" not in cols:
        table = _rename(table)
        keep = [c for c in ("seqlet_id", "rank", "motif", "motif_idx", "p_value", "e_value", "q_value", "offset",
                            "overlap", "orientation") if c in table.column_names]
        if "seqlet_id" not in keep or not ({"motif", "motif_idx"} & set(keep)):
            raise BadInputError(f"{where}: a matches table needs seqlet_id and motif (or motif_idx), or tomtom.tsv columns")
        out = table.select(keep)
        if "rank" not in keep:
            out = out.append_column("rank", pa.array(_ranks(out["seqlet_id"], out["p_value"] if "p_value" in keep else None)))
        return out
    for need in ("Target_ID", "p-value"):
        if need not in cols:
            raise BadInputError(f"{where}: missing tomtom.tsv column {need!r}")
    try:
        sid = pc.cast(table["Query_ID"], pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadInputError(f"{where}: Query_ID must be seqlet ids (0, 1, ...) of the seqlets run") from None
    out = {
        "seqlet_id": sid,
        "motif": table["Target_ID"],
        "p_value": table["p-value"],
    }
    for src, dst in (("E-value", "e_value"), ("q-value", "q_value"), ("Optimal_offset", "offset"),
                     ("Overlap", "overlap"), ("Orientation", "orientation")):
        if src in cols:
            out[dst] = table[src]
    out["rank"] = pa.array(_ranks(sid, table["p-value"]))
    return pa.table(out)


def _ranks(seqlet_id: Any, p: Any) -> np.ndarray:
    sid = np.asarray(pc.fill_null(seqlet_id, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    pv = np.zeros(len(sid)) if p is None else np.asarray(pc.cast(p, pa.float64()).to_numpy(zero_copy_only=False))
    order = np.lexsort((np.arange(len(sid)), pv, sid))
    ranks = np.empty(len(sid), dtype=np.int32)
    s = sid[order]
    starts = np.r_[0, np.flatnonzero(s[1:] != s[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(s)]))
    ranks[order] = np.arange(len(s)) - group_start + 1
    return ranks


def ingest_matches(
    store: Any,
    matches: Any,
    *,
    seqlet_run: Any = None,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = "tomtom",
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
) -> int:
    """Ingest TOMTOM matches of a seqlets run; returns the matches run id.

    ``matches`` is ``(idxs, pvals)`` from ``annotate_seqlets`` (row i = seqlet i, motif indices
    into the store's motifs), a MEME ``tomtom.tsv`` whose Query_ID are seqlet ids, or a table
    with ``seqlet_id, motif|motif_idx[, rank, p_value, ...]``.
    """
    parent = _latest_seqlets_run(store) if seqlet_run is None else store.run_id(seqlet_run)
    row = [r for r in store.runs().to_pylist() if r["run_id"] == parent][0]
    if row["kind"] != "seqlets":
        raise BadInputError(f"run {seqlet_run!r} is a {row['kind']} run, not a seqlets run")
    path = None
    if isinstance(matches, tuple) and len(matches) == 2 and not isinstance(matches[0], str):
        table = _matches_from_arrays(matches[0], matches[1], row["n_rows"])
    else:
        table = _to_table(matches)
        if table is None:
            path = _existing(matches)
            fmt = _guess_format(path, format)
            table = pa.concat_tables(list(read_table_batches(path, "tsv" if fmt == "tomtom-tsv" else fmt)))
        table = _normalise_tomtom(table, str(path or "matches"))

    def go() -> int:
        with store.begin_run(
            "matches",
            name=run,
            tool=tool,
            tool_version=tool_version,
            params=params,
            input=None if path is None else str(path.resolve()),
            input_sha256=None if path is None else file_sha256(path),
            parent_run_id=parent,
        ) as writer:
            writer.write(table)
        return writer.run_id

    return _run_errors(path, go)


# ---------------------------------------------------------------------------------------------
# regions and sequences


def read_bed(path: Any) -> pa.Table:
    """Read a BED file (3-6 columns used; 0-based half-open) as ``chrom, start, end, name, strand``."""
    path = _existing(path)
    chrom: list[str] = []
    start: list[int] = []
    end: list[int] = []
    name: list[Optional[str]] = []
    strand: list[Optional[str]] = []
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if b"\x00" in raw[:65536]:
        raise BadInputError(located("binary data, not a BED file", path, 1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text") from None
    seen_data = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 3:
            raise BadInputError(located(f"a BED line needs at least 3 fields, found {len(fields)}", path, lineno))
        try:
            s, e = int(fields[1]), int(fields[2])
        except ValueError:
            if not seen_data and not fields[1].lstrip("-").isdigit():
                continue  # a header line
            raise BadInputError(located(f"start/end must be integers: {fields[1]!r}, {fields[2]!r}", path, lineno)) from None
        seen_data = True
        if s < 0:
            raise BadInputError(located(f"negative start {s}", path, lineno))
        if e <= s:
            raise BadInputError(located(f"end {e} is not after start {s}", path, lineno))
        st = fields[5].strip() if len(fields) > 5 else None
        if st is not None and st not in ("+", "-", "."):
            raise BadInputError(located(f"unknown strand {st!r} (expected +, - or .)", path, lineno))
        chrom.append(fields[0])
        start.append(s)
        end.append(e)
        name.append(fields[3] if len(fields) > 3 and fields[3] not in ("", ".") else None)
        strand.append(st)
    if not chrom:
        raise BadInputError(f"{path}: no regions found")
    return pa.table(
        {
            "chrom": pa.array(chrom, pa.string()),
            "start": pa.array(start, pa.int64()),
            "end": pa.array(end, pa.int64()),
            "name": pa.array(name, pa.string()),
            "strand": pa.array(strand, pa.string()),
        }
    )


def read_regions(source: Any) -> pa.Table:
    """Regions for :meth:`Store.add_regions`: ``example_idx, chrom, start, end, name, strand, length``."""
    table = _to_table(source)
    if table is None:
        table = read_bed(source)
    else:
        table = _rename(table)
        missing = [c for c in ("chrom", "start", "end") if c not in table.column_names]
        if missing:
            raise BadInputError(f"regions need columns chrom, start, end; missing {', '.join(missing)}")
    n = table.num_rows
    cols = {}
    try:
        cols["start"] = table["start"].cast(pa.int64())
        cols["end"] = table["end"].cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadInputError("regions: start and end must be integers") from None
    if n and (pc.any(pc.less(cols["start"], 0)).as_py() or pc.any(pc.less_equal(cols["end"], cols["start"])).as_py()):
        raise BadInputError("regions: every region needs 0 <= start < end")
    strand = table["strand"].cast(pa.string()) if "strand" in table.column_names else pa.nulls(n, pa.string())
    if n and not pc.all(pc.or_(pc.is_null(strand), pc.is_in(strand, value_set=pa.array(["+", "-", "."])))).as_py():
        raise BadInputError("regions: strand must be +, - or .")
    return pa.table(
        {
            "example_idx": pa.array(np.arange(n, dtype=np.int64)),
            "chrom": table["chrom"].cast(pa.string()),
            "start": cols["start"],
            "end": cols["end"],
            "name": table["name"].cast(pa.string()) if "name" in table.column_names else pa.nulls(n, pa.string()),
            "strand": strand,
            "length": pc.subtract(cols["end"], cols["start"]),
        }
    )


_LETTERS = np.frombuffer(b"ACGTN", dtype=np.uint8)


def read_sequences_table(source: Any) -> pa.Table:
    """Sequences for :meth:`Store.add_sequences`: ``example_idx, name, sequence`` (upper-case, N for non-ACGT)."""
    from .sequences import load_sequences

    if isinstance(source, (str, os.PathLike)):
        _existing(source)
    seqs = load_sequences(source)
    n = len(seqs)
    if n == 0:
        raise BadInputError(f"{source}: no sequences found")
    codes = np.asarray(seqs.codes, dtype=np.uint8)
    letters = _LETTERS[np.minimum(codes, 4)].tobytes().decode("ascii")
    offsets = np.asarray(seqs.offsets, dtype=np.int64)
    texts = [letters[offsets[i]:offsets[i + 1]] for i in range(n)]
    if any(len(t) == 0 for t in texts):
        raise BadInputError(f"{source}: empty sequence")
    return pa.table(
        {
            "example_idx": pa.array(np.arange(n, dtype=np.int64)),
            "name": pa.array([None if x is None else str(x) for x in seqs.names], pa.string()),
            "sequence": pa.array(texts, pa.string()),
        }
    )
