"""Row checks shared by the run writer: which columns each fact table takes, and the
vectorised tests (nulls, ranges, probabilities) that name the first bad row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow.compute as pc

from annostore.errors import BadInputError
from annostore.store import schema

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
            self._fail(np.asarray(pc.is_null(col).to_numpy(zero_copy_only=False), dtype=bool), f"a missing {name}")

    def probability(self, name: str) -> None:
        p = self.cols[name]
        bad = pc.or_kleene(pc.is_nan(p), pc.or_(pc.less(p, 0), pc.greater(p, 1)))
        self.bad(bad, f"{name} outside [0, 1] or NaN")
