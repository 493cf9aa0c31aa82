"""Row checks shared by the run writer: which columns each fact table takes, and the
vectorised tests (nulls, ranges, probabilities) that name the first bad row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow.compute as pc

from annostore.errors import BadInputError
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
