"""Result of a store aggregation: a long-form Arrow table (or stream) with dense conversions.

:class:`Result` wraps what :func:`annostore.analysis.aggregate.count`, ``pairs`` and ``spacing``
return. The long form is the primary result (only non-zero cells, so it stays small);
``to_dense()`` / ``to_torch()`` build the dense array only when asked, sized from the
store's motif table and example tables, not from the largest index present.
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore.errors import BadInputError


class Result:
    """A long-form aggregation result.

    Parameters
    ----------
    data : pyarrow.Table or pyarrow.RecordBatchReader
        The long-form rows. A reader is consumed once, on first use.
    kind : str
        What the rows hold: ``"count"``, ``"count_motif"``, ``"count_example"``, ``"pairs"``,
        ``"spacing"`` or ``"annotations"``.
    index : sequence of str
        The columns that index the dense array, in axis order.
    shape : sequence of int or None
        The dense size of each axis; None: ``max + 1`` of that column (or 0 when empty).
    offsets : sequence of int, optional
        Subtracted from each index column (spacing with signed distances uses a negative
        offset so that distance ``d`` is at ``d - offset``).
    value : str
        The column holding the counts (``"n"``).
    motif_names : list of str, optional
        Motif id per ``motif_idx`` (labels for plots and dense axes).

    Attributes
    ----------
    kind, index, shape, offsets, value, motif_names
    """

    def __init__(
        self,
        data: pa.Table | pa.RecordBatchReader,
        *,
        kind: str,
        index: Sequence[str] = (),
        shape: Sequence[Optional[int]] = (),
        offsets: Sequence[int] | None = None,
        value: str = "n",
        motif_names: list[str] | None = None,
    ) -> None:
        self._data = data
        self.kind = kind
        self.index = tuple(index)
        self.shape = tuple(shape)
        self.offsets = tuple(offsets) if offsets is not None else (0,) * len(self.index)
        self.value = value
        self.motif_names = motif_names

    def __repr__(self) -> str:
        rows = self._data.num_rows if isinstance(self._data, pa.Table) else "?"
        return f"Result(kind={self.kind!r}, rows={rows}, index={self.index}, shape={self.shape})"

    # -- the long form ------------------------------------------------------------------------

    @property
    def schema(self) -> pa.Schema:
        """Arrow schema of the long-form rows."""
        return self._data.schema

    def to_arrow(self) -> pa.Table:
        """The long-form rows as a :class:`pyarrow.Table` (materialises a stream once)."""
        if isinstance(self._data, pa.RecordBatchReader):
            self._data = self._data.read_all()
        return self._data

    def to_pandas(self):
        """The long-form rows as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def to_reader(self) -> pa.RecordBatchReader:
        """The long-form rows as a :class:`pyarrow.RecordBatchReader` (streams, if a stream)."""
        if isinstance(self._data, pa.RecordBatchReader):
            reader, self._data = self._data, pa.Table.from_batches([], schema=self._data.schema)
            return reader
        return pa.RecordBatchReader.from_batches(self._data.schema, self._data.to_batches())

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        """Iterate over record batches (a stream is consumed by this)."""
        return iter(self.to_reader())

    def __len__(self) -> int:
        return self.to_arrow().num_rows

    # -- dense ----------------------------------------------------------------------------------

    def dense_shape(self) -> tuple[int, ...]:
        """The shape :meth:`to_dense` returns."""
        table = self.to_arrow()
        shape = []
        for name, size, off in zip(self.index, self.shape, self.offsets):
            if size is None:
                col = table[name]
                size = 0 if table.num_rows == 0 else int(pc.max(col).as_py()) - off + 1
            shape.append(int(size))
        return tuple(shape)

    def to_dense(self, dtype=np.int64) -> np.ndarray:
        """The dense count array (numpy), e.g. ``(n_examples, n_motifs)`` for a count.

        Parameters
        ----------
        dtype : numpy dtype, default int64
            Counts that do not fit ``dtype`` raise :class:`OverflowError` (never wrap).

        Returns
        -------
        numpy.ndarray
            Axes follow :attr:`index`; sizes are the store's motif count and example count
            (regions/sequences tables; ``max(example_idx) + 1`` only when the store has neither).

        Raises
        ------
        BadInputError
            The rows hold an index outside the dense shape (e.g. hits on an example the
            regions table does not have).
        """
        if not self.index:
            raise BadInputError(f"a {self.kind!r} result has no dense form")
        table = self.to_arrow()
        shape = self.dense_shape()
        dtype = np.dtype(dtype)
        n = table[self.value].to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        if n.size and np.issubdtype(dtype, np.integer) and int(n.max()) > np.iinfo(dtype).max:
            raise OverflowError(f"a count of {int(n.max())} does not fit {dtype}; use a wider dtype")
        y = np.zeros(shape, dtype=dtype)
        if n.size == 0:
            return y
        idx = []
        for name, size, off in zip(self.index, shape, self.offsets):
            col = table[name].to_numpy(zero_copy_only=False).astype(np.int64, copy=False) - off
            if col.min() < 0 or col.max() >= size:
                raise BadInputError(
                    f"{name} value {int(col.max()) + off} is outside the dense axis of size {size} "
                    "(the store's regions/sequences/motifs tables do not cover it)"
                )
            idx.append(col)
        y[tuple(idx)] = n
        return y

    def to_torch(self, dtype=None):
        """The dense count array as a torch tensor (default dtype torch.int64)."""
        import torch

        dtype = torch.int64 if dtype is None else dtype
        y = torch.from_numpy(self.to_dense(np.int64))
        if not dtype.is_floating_point and dtype != torch.int64 and y.numel():
            limit = 1 if dtype == torch.bool else torch.iinfo(dtype).max
            if int(y.max()) > limit:
                raise OverflowError(f"a count of {int(y.max())} does not fit {dtype}; use a wider dtype")
        return y.to(dtype)
