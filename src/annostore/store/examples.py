"""The store's examples: regions (BED; genomic coordinates) and sequences (FASTA), row i being
``example_idx`` i, and the mapping of external sequence names to examples.

A store without examples can take hits whose sequence names are not integers: the mapper then
*registers* each new name as an example (in order of first appearance); a name of the form
``chrom:start-end`` (``bedtools getfasta``; optional ``(+)``/``(-)`` strand suffix) becomes a
genomic region with ``length = end - start``, any other name a region with only its name.
The registered regions are inserted in the same transaction as the run that named them.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore import resources
from annostore.core.alphabet import decode, encode
from annostore.errors import AnnostoreError, BadInputError
from annostore.io.files import existing

if TYPE_CHECKING:
    from annostore.store.store import Store


_GENOMIC_NAME = re.compile(r"^(.+):(\d+)-(\d+)(?:\(([+\-.])\))?$")


def registered_regions(names: list) -> pa.Table:
    """Region rows for names registered by :class:`ExampleMapper` (``chrom:start-end`` parsed)."""
    chrom, start, end, strand, length = [], [], [], [], []
    for nm in names:
        m = _GENOMIC_NAME.match(nm)
        if m and int(m.group(3)) > int(m.group(2)):
            s, e = int(m.group(2)), int(m.group(3))
            chrom.append(m.group(1)), start.append(s), end.append(e), strand.append(m.group(4)), length.append(e - s)
        else:
            chrom.append(None), start.append(None), end.append(None), strand.append(None), length.append(None)
    return pa.table({
        "example_idx": pa.array(np.arange(len(names), dtype=np.int64)),
        "chrom": pa.array(chrom, pa.string()), "start": pa.array(start, pa.int64()),
        "end": pa.array(end, pa.int64()), "name": pa.array(names, pa.string()),
        "strand": pa.array(strand, pa.string()), "length": pa.array(length, pa.int64()),
    })


class ExampleMapper:
    """Maps ``sequence_name`` values to ``example_idx`` using the store's names.

    ``register=True`` (only for a store without examples): names not seen before get new
    example indices instead of an error; :attr:`registered` lists them in index order.
    """

    def __init__(self, store: Any, register: bool = False) -> None:
        names = store.example_names()
        self.register = register and not names
        self.registered: list[str] = []
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
            if (not self.index and not self.registered) or (not self.register and (mapped < 0).all()):
                return as_int
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        if self.register:
            for i, u in enumerate(uniq):
                if mapped[i] < 0:
                    mapped[i] = len(self.registered)
                    self.index[u] = mapped[i]
                    self.registered.append(u)
            pos = pc.index_in(column, value_set=pa.array(uniq, pa.string())).to_numpy(zero_copy_only=False)
            return pa.array(mapped[pos.astype(np.int64)])
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


def read_sequences_table(source: Any) -> pa.Table:
    """Sequences for :meth:`Store.add_sequences`: ``example_idx, name, sequence`` (upper-case, N for non-ACGT)."""
    from annostore.core.sequences import load_sequences

    if isinstance(source, (str, os.PathLike)):
        existing(source)
    seqs = load_sequences(source)
    n = len(seqs)
    if n == 0:
        raise BadInputError(f"{source}: no sequences found")
    codes = np.asarray(seqs.codes, dtype=np.uint8)
    letters = decode(codes)
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


def example_lengths(store: "Store") -> Optional[np.ndarray]:
    """The work of :meth:`Store.example_lengths` (documented there)."""
    if store._lengths_cache is None:
        rows = store.con.execute(resources.sql("store_example_lengths")).fetchall()
        if not rows:
            return None
        n = rows[-1][0] + 1
        lengths = np.full(n, -1, dtype=np.int64)
        for idx, length in rows:
            if length is not None:
                lengths[idx] = length
        store._lengths_cache = lengths
    return store._lengths_cache


def example_names(store: "Store") -> list[Optional[str]]:
    """The work of :meth:`Store.example_names` (documented there)."""
    rows = store.con.execute(resources.sql("store_example_names")).fetchall()
    names: list[Optional[str]] = [None] * (rows[-1][0] + 1 if rows else 0)
    for idx, name in rows:
        names[idx] = name
    return names


def add_regions(store: "Store", source: Any) -> int:
    """The work of :meth:`Store.add_regions` (documented there)."""
    from annostore.io.bed import read_regions

    store._writable()
    table = read_regions(source)
    n_regions = store.con.execute("SELECT count(*) FROM regions").fetchall()[0][0]
    if n_regions:
        raise BadInputError(f"the store already has {n_regions} regions; regions are added once")
    n_seq = store.con.execute("SELECT count(*) FROM sequences").fetchall()[0][0]
    if n_seq and n_seq != table.num_rows:
        raise BadInputError(
            f"{source}: {table.num_rows} regions but the store has {n_seq} sequences; they must match one to one"
        )
    store._insert(
        "_annostore_new_regions",
        table,
        "store_insert_regions",
        extra=("store_regions_set_length",) if n_seq else (),
    )
    store._lengths_cache = None
    return table.num_rows


def add_sequences(store: "Store", source: Any) -> int:
    """The work of :meth:`Store.add_sequences` (documented there)."""
    from annostore.store.examples import read_sequences_table

    store._writable()
    table = read_sequences_table(source)
    n_seq = store.con.execute("SELECT count(*) FROM sequences").fetchall()[0][0]
    if n_seq:
        raise BadInputError(f"the store already has {n_seq} sequences; sequences are added once")
    n_regions = store.con.execute("SELECT count(*) FROM regions").fetchall()[0][0]
    if n_regions and n_regions != table.num_rows:
        raise BadInputError(
            f"{source}: {table.num_rows} sequences but the store has {n_regions} regions; "
            "they must match one to one"
        )
    if n_regions:
        store._insert("_annostore_new_sequences", table, "store_insert_sequences", extra=("store_regions_set_length",))
    else:
        regions = pa.table(
            {
                "example_idx": table["example_idx"],
                "chrom": pa.nulls(table.num_rows, pa.string()),
                "start": pa.nulls(table.num_rows, pa.int64()),
                "end": pa.nulls(table.num_rows, pa.int64()),
                "name": table["name"],
                "strand": pa.nulls(table.num_rows, pa.string()),
                "length": pc.utf8_length(table["sequence"]).cast(pa.int64()),
            }
        )
        store.con.register("_annostore_new_regions", regions)
        try:
            store._insert("_annostore_new_sequences", table, "store_insert_sequences", extra=("store_insert_regions",))
        finally:
            store.con.unregister("_annostore_new_regions")
    store._lengths_cache = None
    return table.num_rows


def sequences(store: "Store") -> "Any":
    """The work of :meth:`Store.sequences` (documented there)."""
    from annostore.core.sequences import Sequences

    table = store.con.sql(resources.sql("store_sequences")).to_arrow_table()
    if table.num_rows == 0:
        raise AnnostoreError(f"store {store.path} has no sequences (add them with add_sequences)")
    idx = table["example_idx"].to_numpy()
    if not np.array_equal(idx, np.arange(len(idx))):
        raise AnnostoreError("stored sequences are not numbered 0..n-1")
    seqs = table["sequence"].to_pylist()
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = encode("".join(seqs))
    return Sequences(names=[n if n is not None else str(i) for i, n in enumerate(table["name"].to_pylist())],
                     codes=codes, offsets=offsets)
