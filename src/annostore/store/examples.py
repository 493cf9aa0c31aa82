"""examples: (moved by the layout change; docstring to be written)."""

from __future__ import annotations

import os
from typing import Any
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from annostore.errors import BadInputError
from annostore.io.files import _existing


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


_LETTERS = np.frombuffer(b"ACGTN", dtype=np.uint8)


def read_sequences_table(source: Any) -> pa.Table:
    """Sequences for :meth:`Store.add_sequences`: ``example_idx, name, sequence`` (upper-case, N for non-ACGT)."""
    from annostore.core.sequences import load_sequences

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
