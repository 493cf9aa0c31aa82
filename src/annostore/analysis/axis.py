"""The motif axis of an aggregation: single motifs (``by="motif"``) or motif families (``by="cluster"``).

Every aggregation (count, pairs, spacing; enrichment reuses it) runs its SQL on integer keys in a
column called ``motif_idx``.  :func:`motif_axis` decides what that key is:

* ``"motif"``: the motif; results get ``motif`` (id) and ``motif_alt`` (MEME's alt name, e.g.
  ``CEBPB`` beside ``MA0466.4``) after each ``motif_idx`` column (``_a`` / ``_b`` for pairs);
* ``"cluster"``: the motif's family from ``motif_clusters`` (``annostore motifs cluster``): the
  annotation set is wrapped in ``sql/select_by_cluster.sql`` (motif_idx replaced by cluster_idx),
  and results get ``cluster_idx`` and the readable ``cluster`` label instead.

Usage from an aggregation::

    axis = motif_axis(store, by)
    select = axis.select(select_sql)               # the annotation set on this axis
    data = run(compose(select, "count_motif"), ...)
    data = axis.label(data, ["_a", "_b"])         # or [""]: rename/add the readable columns
    Result(..., index=(axis.index("_a"), ...), shape=(axis.size, ...), motif_names=axis.names)
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore.core.arrays import arrow_strings
from annostore.errors import BadInputError
from annostore.resources import sql

__all__ = ["motif_axis", "MotifAxis", "AXES"]

AXES = ("motif", "cluster")
_MARKER = "-- @annotations"


class MotifAxis:
    """Names and SQL of one motif axis (see the module docs)."""

    def __init__(self, by: str, names: list, alts: Optional[list], store: Any) -> None:
        self.by = by
        self.names = names
        self.alts = alts
        self._store = store

    @property
    def size(self) -> int:
        return len(self.names)

    @property
    def key(self) -> str:
        """``motif`` or ``cluster``: the stem of the index and label columns."""
        return self.by

    def index(self, suffix: str = "") -> str:
        """Name of the integer index column in results (``motif_idx_a``, ``cluster_idx``, ...)."""
        return f"{self.by}_idx{suffix}"

    def select(self, select_sql: str) -> str:
        """The annotation set on this axis (unchanged for motifs)."""
        if self.by == "motif":
            return select_sql
        text = sql("select_by_cluster")
        return text.replace(_MARKER, select_sql.strip().rstrip(";"))

    def resolve(self, values: Any) -> Optional[list[int]]:
        """Axis indices for user values: motifs by id/alt/index; clusters by label, index, or a member motif."""
        from annostore.store.lookup import resolve_motifs

        if values is None or self.by == "motif":
            return resolve_motifs(self._store, values)
        if isinstance(values, (str, int, np.integer)):
            values = [values]
        by_label = {lab: i for i, lab in enumerate(self.names)}
        out = set()
        for v in values:
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                if not 0 <= int(v) < self.size:
                    raise BadInputError(f"cluster index {v} is outside the store's {self.size} clusters")
                out.add(int(v))
            elif str(v) in by_label:
                out.add(by_label[str(v)])
            else:  # a motif: its cluster
                from annostore.analysis.clusters import store_clusters

                idx = resolve_motifs(self._store, [v])
                table = store_clusters(self._store)
                cl = table["cluster_idx"].to_pylist()
                out.update(int(cl[i]) for i in idx)
        return sorted(out)

    def label(self, data, suffixes: Sequence[str]):
        """Rename ``motif_idx<s>`` to the axis index and add the readable columns after it (streams stay streams)."""
        names = arrow_strings(self.names)  # not pa.array: it imports pandas (seconds of CLI start-up)
        alts = arrow_strings(self.alts) if self.alts is not None else None

        def schema_of(schema: pa.Schema) -> pa.Schema:
            for s in suffixes:
                pos = schema.get_field_index(f"motif_idx{s}")
                schema = schema.set(pos, pa.field(self.index(s), schema.field(pos).type))
                schema = schema.insert(pos + 1, pa.field(f"{self.key}{s}", pa.string()))
                if alts is not None:
                    schema = schema.insert(pos + 2, pa.field(f"motif_alt{s}", pa.string()))
            return schema

        def one(batch, schema):
            cols = list(batch.columns)
            fields = list(batch.schema.names)
            for s in suffixes:
                pos = fields.index(f"motif_idx{s}")
                idx = cols[pos]
                extra = [pc.take(names, idx)] + ([pc.take(alts, idx)] if alts is not None else [])
                cols[pos + 1:pos + 1] = extra
                fields[pos + 1:pos + 1] = ["_"] * len(extra)
            return pa.RecordBatch.from_arrays(cols, schema=schema)

        if isinstance(data, pa.Table):
            schema = schema_of(data.schema)
            batches = [one(b, schema) for b in data.to_batches()]
            return pa.Table.from_batches(batches, schema=schema)
        schema = schema_of(data.schema)
        return pa.RecordBatchReader.from_batches(schema, (one(b, schema) for b in data))


def motif_axis(store: Any, by: str = "motif") -> MotifAxis:
    """The axis for ``by`` ("motif" or "cluster"); ``cluster`` needs a complete clustering of the store."""
    from annostore.store.lookup import connection, motif_rows

    if by not in AXES:
        raise BadInputError(f"by must be one of {', '.join(AXES)}, got {by!r}")
    if by == "motif":
        rows = motif_rows(store)
        n = rows[-1][0] + 1 if rows else 0
        names: list = [""] * n
        alts: list = [None] * n
        for idx, name, alt in rows:
            names[idx] = name
            alts[idx] = alt
        return MotifAxis("motif", names, alts, store)
    from annostore.analysis.clusters import store_clusters

    store_clusters(store, required=True)
    labels = [r[1] for r in connection(store).execute(sql("clusters_labels")).fetchall()]
    return MotifAxis("cluster", labels, None, store)
