"""Tables of results written by other tools (hits, seqlets, matches) as TSV/CSV (optionally
gzip), Parquet or Arrow IPC files, pandas DataFrames or Arrow tables, read in batches with
their column names mapped onto the store's (``p-value`` -> ``p_value``, ``stop`` -> ``end``, ...).
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from annostore.core.arrays import loaded_pandas
from annostore.errors import BadInputError, located
from annostore.io.files import existing, find_line, first_line, sniff_format

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
    path = existing(path)
    fmt = sniff_format(path, format)
    if fmt == "parquet":
        try:
            file_schema = pq.read_schema(path)
            wanted = set(_MOTIF_COLS) | set(dictionary_columns)
            as_dict = [f.name for f in file_schema
                       if f.name in wanted and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
            pf = pq.ParquetFile(path, read_dictionary=as_dict)
        except (pa.ArrowException, OSError) as exc:
            raise BadInputError(f"{path}: not a readable Parquet file: {_arrow_message(exc)}") from None
        if len(file_schema) == 0:
            raise BadInputError(f"{path}: the Parquet file has no columns")
        batches = pf.iter_batches(batch_size=batch_rows)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowException, OSError) as exc:  # a corrupt page or row group
                raise BadInputError(f"{path}: corrupt Parquet data: {_arrow_message(exc)}") from None
            yield pa.Table.from_batches([batch])
    if fmt == "arrow":
        import pyarrow.feather as feather

        try:
            table = feather.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise BadInputError(f"{path}: not a readable Arrow/Feather file: {_arrow_message(exc)}") from None
        if table.num_columns == 0:
            raise BadInputError(f"{path}: the Arrow file has no columns")
        yield table
        return
    if fmt not in ("tsv", "csv", "fimo-tsv", "tomtom-tsv", "text"):
        raise BadInputError(f"{path}: unknown table format {fmt!r} (tsv, csv, parquet)")
    delimiter = "," if fmt == "csv" else "\t"
    header = first_line(path)
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
            line = row.number if row.number is not None else find_line(path, row.text or "")
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
    pd = loaded_pandas()
    if pd is not None and isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    if pd is not None and isinstance(data, (list, tuple)) and data and all(isinstance(d, pd.DataFrame) for d in data):
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
