"""Writing tables to files or stdout: TSV, CSV, JSON lines, Parquet (streamed), BED, fimo.tsv,
FASTA and MEME.

``write_table`` works on anything Arrow-shaped (Table, RecordBatchReader, DuckDB relation,
DataFrame) and streams batch by batch, so exports of big views use bounded memory.  The other
formats come from :meth:`Store.export`: ``bed`` (BED6, genome coordinates where the regions
have them) for hits and seqlets (``sql/store_export_{hits,seqlets}_bed.sql``), ``fimo-tsv`` for
hits, ``fasta`` for seqlets (their bases from the store's sequences) and ``meme`` for motifs
(MEME minimal motif format).  ``fimo-tsv`` is the only output with 1-based inclusive
coordinates, as MEME writes them.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from annostore import resources
from annostore.core.arrays import arrow_strings, loaded_pandas
from annostore.errors import AnnostoreError, BadInputError

FORMATS = ("tsv", "csv", "jsonl", "parquet", "bed", "fimo-tsv", "fasta", "meme")
TABLE_FORMATS = ("tsv", "csv", "jsonl", "parquet")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SUFFIX = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl", ".bed": "bed", ".tsv": "tsv", ".txt": "tsv", ".fa": "fasta", ".fasta": "fasta",
           ".meme": "meme"}
_STORE_FORMATS = {"bed": ("hits", "seqlets"), "fimo-tsv": ("hits",), "fasta": ("seqlets",), "meme": ("motifs",)}


def guess_format(path: Any, format: Optional[str]) -> str:
    """The output format: ``format`` if given, else from the path's suffix, else ``tsv``."""
    if format:
        fmt = format.lower()
        if fmt not in FORMATS:
            raise BadInputError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        return fmt
    if path is None or path == "-" or not isinstance(path, (str, os.PathLike)):
        return "tsv"
    return _SUFFIX.get(Path(path).suffix.lower(), "tsv")


def _batches(data: Any, batch_size: int = 65536) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    if isinstance(data, pa.Table):
        return data.schema, iter(data.to_batches(max_chunksize=batch_size))
    if isinstance(data, pa.RecordBatch):
        return data.schema, iter([data])
    if isinstance(data, pa.RecordBatchReader):
        return data.schema, iter(data)
    if hasattr(data, "to_arrow_reader"):  # duckdb relation
        reader = data.to_arrow_reader(batch_size)
        return reader.schema, iter(reader)
    pd = loaded_pandas()
    if pd is not None and isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
        return table.schema, iter(table.to_batches(max_chunksize=batch_size))
    raise AnnostoreError(f"cannot write a {type(data).__name__} as a table")


def _bounded(batches: Iterator[pa.RecordBatch], rows: int = 65536) -> Iterator[pa.RecordBatch]:
    """The batches cut (zero-copy) to at most ``rows`` rows: a Result's one-chunk table is written
    with the text formats' per-batch working memory bounded, as a stream is."""
    for batch in batches:
        if batch.num_rows <= rows:
            yield batch
            continue
        for off in range(0, batch.num_rows, rows):
            yield batch.slice(off, rows)


def _flatten_for_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested columns (lists, structs, maps) become JSON text for TSV/CSV."""
    cols = []
    changed = False
    for col in batch.columns:
        t = col.type
        if pa.types.is_nested(t):
            cols.append(pa.array([None if v is None else json.dumps(v, default=str) for v in col.to_pylist()], pa.string()))
            changed = True
        else:
            cols.append(col)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


@functools.lru_cache(maxsize=256)
def _lit(text: Optional[str]) -> Any:
    """A string scalar for Arrow compute, built from buffers: a plain Python str argument goes
    through ``pa.scalar``, which imports pandas (about 2 s of a CLI command's start-up)."""
    return arrow_strings([text])[0]


_TSV_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _tsv_bytes(batch: pa.RecordBatch) -> bytes:
    """Rows as TSV text: no quoting; backslash, tab, newline and CR in strings escaped as \\, \\t, \\n, \\r;
    null as an empty field."""
    cols = []
    for col in batch.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            text = col.cast(pa.string())
            if pc.any(pc.match_substring_regex(text, "[\\\\\t\n\r]")).as_py():
                for old, new in _TSV_ESCAPES:
                    text = pc.replace_substring(text, old, new)
        elif pa.types.is_boolean(col.type):
            text = pc.if_else(col, _lit("true"), _lit("false"))
        else:
            text = col.cast(pa.string())
        cols.append(pc.fill_null(text, _lit("")))
    lines = pc.binary_join_element_wise(*cols, _lit("\t")) if len(cols) > 1 else cols[0]
    lines = pc.binary_join_element_wise(lines, _lit(""), _lit("\n"))  # each line + "\n"
    return _joined_bytes(lines)


def _joined_bytes(lines: Any) -> bytes:
    """The bytes of a string array's values, concatenated."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]].tobytes()


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_JSON_OTHER_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def _json_column(col: Any) -> Optional[Any]:
    """One column as JSON value texts (null -> ``null``), or None when only the row path can write it
    (nested, temporal or binary types; strings with rare control characters)."""
    t = col.type
    if pa.types.is_dictionary(t):
        col, t = col.cast(t.value_type), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        text = col.cast(pa.string())
        if pc.any(pc.match_substring_regex(text, _JSON_OTHER_CONTROL)).as_py():
            return None
        if pc.any(pc.match_substring_regex(text, '[\\\\"\n\r\t]')).as_py():
            for old, new in _JSON_ESCAPES:
                text = pc.replace_substring(text, old, new)
        text = pc.binary_join_element_wise(_lit('"'), text, _lit('"'), _lit(""))
    elif pa.types.is_boolean(t):
        text = pc.if_else(col, _lit("true"), _lit("false"))
    elif pa.types.is_integer(t):
        text = col.cast(pa.string())
    elif pa.types.is_floating(t):
        if pa.types.is_float16(t):
            return None
        finite = pc.is_finite(col)
        text = col.cast(pa.string())  # shortest round-trip text; "1" -> "1.0" keeps the value a float
        text = pc.if_else(pc.match_substring_regex(text, "^-?[0-9]+$"), pc.binary_join_element_wise(text, _lit(".0"), _lit("")), text)
        text = pc.if_else(finite, text, _lit(None))  # NaN/inf -> null, as json lines can't hold them
    elif pa.types.is_null(t):
        return arrow_strings(["null"] * len(col))
    else:
        return None
    return pc.fill_null(text, _lit("null"))


def _jsonl_bytes(batch: pa.RecordBatch) -> bytes:
    """Rows as JSON lines, built column-wise (the same objects as ``json.dumps`` of each row)."""
    parts = []
    for i, (name, col) in enumerate(zip(batch.schema.names, batch.columns)):
        text = _json_column(col)
        if text is None:
            return _jsonl_bytes_rows(batch)
        key = ("{" if i == 0 else ",") + json.dumps(name) + ":"
        parts.append(pc.binary_join_element_wise(_lit(key), text, _lit("")))
    if not parts:
        return b"{}\n" * batch.num_rows
    lines = pc.binary_join_element_wise(*parts, _lit("}\n"), _lit(""))
    return _joined_bytes(lines)


def _jsonl_bytes_rows(batch: pa.RecordBatch) -> bytes:
    """Rows as JSON lines, one ``json.dumps`` per row (any column type)."""
    buf = io.StringIO()
    for row in batch.to_pylist():
        buf.write(json.dumps({k: _json_value(v) for k, v in row.items()}, default=str))
        buf.write("\n")
    return buf.getvalue().encode("utf-8")


def _header_name(name: str, delimiter: str) -> str:
    if any(ch in name for ch in (delimiter, '"', "\n", "\r")):
        return '"' + name.replace('"', '""') + '"'
    return name


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class _Sink:
    """A binary destination: a path, '-'/None (stdout) or a file object."""

    def __init__(self, target: Any, fmt: str) -> None:
        self.close_it = False
        if target is None or target == "-":
            stream = sys.stdout
            if fmt == "parquet" and hasattr(stream, "isatty") and stream.isatty():
                raise AnnostoreError("refusing to write Parquet to a terminal; use -o FILE")
            stream.flush()
            self.fh: BinaryIO = getattr(stream, "buffer", stream)
        elif isinstance(target, (str, os.PathLike)):
            path = Path(target)
            if path.parent and not path.parent.exists():
                raise AnnostoreError(f"{path.parent}: no such folder")
            self.fh = open(path, "wb")
            self.close_it = True
        else:
            self.fh = getattr(target, "buffer", target)

    def close(self) -> None:
        if self.close_it:
            self.fh.close()
        else:
            try:
                self.fh.flush()
            except (AttributeError, ValueError):
                pass


def write_table(data: Any, path_or_stdout: Any = "-", format: Optional[str] = None, *, header: bool = True) -> int:
    """Stream a table to a file or stdout.

    Parameters
    ----------
    data : pa.Table, pa.RecordBatchReader, duckdb relation or DataFrame
    path_or_stdout : str, Path, file object, or "-"/None for stdout
    format : {"tsv", "csv", "jsonl", "parquet"}, optional
        Default: from the path's suffix, else ``tsv``.  Nested columns are written as JSON
        text in TSV/CSV; NaN/inf become null in JSON lines.
    header : bool
        Write the header line (TSV/CSV).

    Returns
    -------
    int
        Rows written.
    """
    fmt = guess_format(path_or_stdout, format)
    if fmt not in TABLE_FORMATS:
        raise BadInputError(f"format {fmt!r} is only for store exports (Store.export / annostore export ... -f {fmt})")
    schema, batches = _batches(data)
    batches = _bounded(batches)
    sink = _Sink(path_or_stdout, fmt)
    n = 0
    try:
        if fmt == "parquet":
            writer = None
            for batch in batches:
                if writer is None:
                    writer = pq.ParquetWriter(sink.fh, batch.schema, compression="zstd")
                writer.write_batch(batch, row_group_size=122_880)
                n += batch.num_rows
            if writer is None:
                writer = pq.ParquetWriter(sink.fh, schema, compression="zstd")
            writer.close()
        elif fmt in ("tsv", "csv"):
            delimiter = "\t" if fmt == "tsv" else ","
            writer = None
            if header:
                sink.fh.write((delimiter.join(_header_name(c, delimiter) for c in schema.names) + "\n").encode())
            for batch in batches:
                batch = _flatten_for_text(batch)
                if fmt == "tsv":
                    if batch.num_rows:
                        sink.fh.write(_tsv_bytes(batch))
                    n += batch.num_rows
                    continue
                if writer is None:
                    writer = pacsv.CSVWriter(
                        sink.fh,
                        batch.schema,
                        write_options=pacsv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style="needed"),
                    )
                writer.write_batch(batch)
                n += batch.num_rows
            if writer is not None:
                writer.close()
        else:  # jsonl
            for batch in batches:
                if batch.num_rows:
                    sink.fh.write(_jsonl_bytes(batch))
                n += batch.num_rows
    except pa.ArrowInvalid as exc:
        raise AnnostoreError(f"cannot write {fmt}: {exc}") from None
    finally:
        sink.close()
    return n


def _select(store: Any, sql_text: str, params: Optional[dict], engine: Optional[str]):
    """The rows of a query: a DuckDB reader, or (Spark engine) an Arrow table."""
    if store._engine(engine) == "spark":
        from annostore.engine import spark

        return spark.run_sql(store, sql_text, params)
    try:
        rel = store.con.sql(sql_text, params=params)
    except Exception as exc:  # duckdb.Error
        raise AnnostoreError(f"query failed: {exc}") from None
    if rel is None:
        raise BadInputError("the SQL returned no rows to export (use a SELECT)")
    return rel.to_arrow_reader(65536)


def export_store(store: Any, table_or_sql: str, path: Any = "-", format: Optional[str] = None, *,
                 run: Any = None, engine: Optional[str] = None) -> int:
    """Export a store table/view or a query (see :meth:`Store.export`); ``run`` filters hits exports;
    ``engine``: ``duckdb`` or ``spark`` (default: the store's)."""
    fmt = guess_format(path, format)
    name = table_or_sql.strip()
    is_name = bool(_IDENT.match(name))
    if fmt in _STORE_FORMATS:
        if name not in _STORE_FORMATS[fmt]:
            raise BadInputError(f"-f {fmt} exports {' or '.join(_STORE_FORMATS[fmt])} only (got {table_or_sql!r})")
        if fmt == "meme":
            return _write_meme(store, path)
        run_id = None if run is None else store.run_id(run)
        sql = {("bed", "hits"): "store_export_hits_bed", ("bed", "seqlets"): "store_export_seqlets_bed",
               ("fimo-tsv", "hits"): "store_export_hits_fimo", ("fasta", "seqlets"): "store_export_seqlets_fasta"}
        rel = _select(store, resources.sql(sql[fmt, name]), {"run_id": run_id}, engine)
        if isinstance(rel, pa.Table):
            rel = pa.RecordBatchReader.from_batches(rel.schema, rel.to_batches(65536))
        if fmt == "bed":
            return _write_bed(rel, path)
        if fmt == "fasta":
            return _write_fasta(rel, path)
        return write_table(rel, path, "tsv")
    if is_name:
        known = {r[0] for r in store.con.execute(resources.sql("store_relations")).fetchall()}
        if name not in known:
            raise BadInputError(f"no table or view named {name!r} (have: {', '.join(sorted(known))})")
        text = f'SELECT * FROM "{name}"'
        if run is not None:
            text += f" WHERE run_id = {int(store.run_id(run))}"
        return write_table(_select(store, text, None, engine), path, fmt)
    return write_table(_select(store, table_or_sql, None, engine), path, fmt)


def _write_bed(reader: pa.RecordBatchReader, path: Any) -> int:
    sink = _Sink(path, "bed")
    n = 0
    try:
        writer = None
        for batch in reader:
            if writer is None:
                writer = pacsv.CSVWriter(
                    sink.fh, batch.schema,
                    write_options=pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"),
                )
            writer.write_batch(batch)
            n += batch.num_rows
        if writer is not None:
            writer.close()
    finally:
        sink.close()
    return n


def _write_fasta(reader: pa.RecordBatchReader, path: Any) -> int:
    """Records from ``header, sequence`` rows (60 bases a line)."""
    sink = _Sink(path, "fasta")
    n = 0
    try:
        for batch in reader:
            buf = io.StringIO()
            for header, seq in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
                buf.write(f">{header}\n")
                for i in range(0, len(seq), 60):
                    buf.write(seq[i:i + 60] + "\n")
            sink.fh.write(buf.getvalue().encode("ascii", errors="replace"))
            n += batch.num_rows
    finally:
        sink.close()
    return n


def _write_meme(store: Any, path: Any) -> int:
    """The store's motifs in MEME minimal motif format."""
    from annostore.io.meme import write_meme

    motifs = store.motif_set()
    if len(motifs) == 0:
        raise BadInputError("the store has no motifs to export")
    sink = _Sink(path, "meme")
    try:
        text = io.StringIO()
        write_meme(motifs, text)
        sink.fh.write(text.getvalue().encode("utf-8"))
    finally:
        sink.close()
    return len(motifs)
