"""Row checks shared by the run writer: which columns each fact table takes, the vectorised
tests (nulls, ranges, probabilities) that name the first bad row, and the conversion of a batch
and its columns to the stored types (dictionary-encoded motif and strand columns).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore.core.alphabet import STRANDS
from annostore.core.arrays import arrow_strings
from annostore.errors import BadInputError
from annostore.io.tables import _to_table
from annostore.store import schema

#: The measured (float) columns of each fact table.  Rules, the same for every reader (TSV, CSV,
#: Parquet, Arrow, DataFrames, the pipelines):
#:
#: * NaN and +-inf are never stored (a row with one is refused);
#: * a column in REQUIRED must be given (none so far: a tool may not measure p-values);
#: * a column that is given must be complete (no empty cells, ``NA`` or nulls), except the
#:   columns in NULLABLE_CELLS; a column that is not given (or given as all-null type) is stored
#:   as NULL: the tool did not measure it.
FLOAT_COLUMNS = {
    "hits": ("score", "p_value", "q_value", "attribution"),
    "seqlets": ("attribution", "p_value"),
    "matches": ("p_value", "e_value", "q_value"),
}
REQUIRED = {"hits": (), "seqlets": (), "matches": ()}
PROBABILITIES = ("p_value", "q_value")
#: MEME fimo --text leaves q-value empty; a q-value is only computed over a whole scan.
NULLABLE_CELLS = {"hits": ("q_value",), "seqlets": (), "matches": ()}


def check_values(kind: str, cols: dict, check: "_Checker") -> None:
    """Apply the float-column rules above to the cast columns of one batch."""
    for name in FLOAT_COLUMNS[kind]:
        col = cols.get(name)
        if col is None:
            if name in REQUIRED[kind]:
                raise BadInputError(f"missing column {name!r} for {kind} (it is required)")
            continue
        if name not in NULLABLE_CELLS[kind]:
            check.no_nulls(name)
        if name not in PROBABILITIES:  # probabilities: NaN and inf fail the [0, 1] check, with its message
            check.bad(pc.invert(pc.is_finite(col)), f"{name} NaN or infinite")


_FIELDS = {
    "hits": [f for f in schema.HITS if f.name != "run_id"],
    "seqlets": [f for f in schema.SEQLETS if f.name not in ("run_id", "seqlet_id")],
    "matches": [f for f in schema.MATCHES if f.name != "run_id"],
}


class _Checker:
    """Vectorised row checks that raise BadInputError with a count and the first bad row."""

    def __init__(self, row_offset: int, cols: dict) -> None:
        self.row_offset = row_offset
        self.cols = cols

    def _fail(self, mask_np: np.ndarray, what: str) -> None:
        count = int(mask_np.sum())
        first = int(np.argmax(mask_np))
        row = {}
        for k, v in self.cols.items():
            if v is not None:
                value = v[first]
                row[k] = value.as_py() if hasattr(value, "as_py") else value
        total = len(mask_np)
        raise BadInputError(
            f"{count} of {total} rows have {what}; first at row {self.row_offset + first}: {row}"
        )

    def bad(self, mask: Any, what: str, nulls_ok: bool = True) -> None:
        mask = pc.fill_null(mask, not nulls_ok)
        if pc.any(mask).as_py():
            self._fail(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool), what)

    def bad_np(self, mask: np.ndarray, what: str) -> None:
        if mask.any():
            self._fail(mask, what)

    def no_nulls(self, name: str) -> None:
        col = self.cols[name]
        if col is not None and col.null_count:
            self._fail(np.asarray(pc.is_null(col).to_numpy(zero_copy_only=False), dtype=bool),
                       f"a missing (empty or NA) {name}")

    def probability(self, name: str) -> None:
        p = self.cols[name]
        bad = pc.or_kleene(pc.is_nan(p), pc.or_(pc.less(p, 0), pc.greater(p, 1)))
        self.bad(bad, f"{name} outside [0, 1] or NaN")


_DICT_STRING = pa.dictionary(pa.int32(), pa.string())


_DICT_COLS = ("motif", "strand")


_STRANDS = arrow_strings(STRANDS)  # not pa.array: that imports pandas (seconds of CLI start-up)


def _strand_dictionary(col: Any, check: _Checker) -> pa.DictionaryArray:
    """Validate a strand column ('+' or '-', no nulls: checked before) and encode it as a dictionary."""
    n = len(col)
    codes = None
    if pa.types.is_dictionary(col.type):  # e.g. read from Parquet: classify each distinct value once
        per_value = np.array([{"+": 0, "-": 1}.get(v, -1) for v in col.dictionary.to_pylist()], dtype=np.int32)
        mapped = per_value[np.asarray(col.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
        check.bad_np(mapped < 0, "strand not '+' or '-'")
        codes = pa.array(mapped)
    elif col.type == pa.string() and n:
        bufs = col.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[col.offset : col.offset + n + 1]
        if int(offsets[-1]) - int(offsets[0]) == n and bufs[2] is not None:
            if (np.diff(offsets) == 1).all():  # every value is one byte: compare the bytes
                raw = np.frombuffer(bufs[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
                minus = raw == ord("-")
                check.bad_np(~(minus | (raw == ord("+"))), "strand not '+' or '-'")
                codes = pa.array(minus.view(np.int8).astype(np.int32))
    if codes is None:
        check.bad(pc.invert(pc.is_in(col, value_set=_STRANDS)), "strand not '+' or '-'")
        codes = pc.cast(pc.equal(col, "-"), pa.int32())
    return pa.DictionaryArray.from_arrays(codes, _STRANDS, safe=False)


def _as_table(batch: Any) -> pa.Table:
    """A batch to write (Arrow table or record batch, DataFrame, dict: see :func:`_to_table`) as a table."""
    table = _to_table(batch)
    if table is None:  # a path: writes take tables, ingest reads files
        raise BadInputError(f"cannot write a {type(batch).__name__}; give a pyarrow Table/RecordBatch or a DataFrame")
    return table


def _cast(col: Any, typ: pa.DataType, name: str, keep_dictionary: bool = False) -> Any:
    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks == 1:
            col = col.chunk(0)
        elif pa.types.is_dictionary(col.type):
            col = col.unify_dictionaries().combine_chunks()
        else:
            col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        if keep_dictionary and (pa.types.is_string(col.type.value_type) or pa.types.is_large_string(col.type.value_type)):
            return col
        col = col.dictionary_decode()
    if col.type == typ:
        return col
    if pa.types.is_null(col.type):
        return pa.nulls(len(col), typ)
    if pa.types.is_integer(typ) and pa.types.is_floating(col.type):
        if pc.any(pc.is_nan(col)).as_py():
            raise BadInputError(f"column {name!r} has NaN where an integer is needed")
    try:
        return col.cast(typ, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        if pa.types.is_floating(typ) and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            try:
                return pc.cast(pc.utf8_trim_whitespace(col), typ)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        raise BadInputError(f"column {name!r} cannot be read as {typ}: {exc}") from None
