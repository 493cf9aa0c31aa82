"""Collapse redundant annotations: one hit per group of overlapping hits of one motif family.

``collapse`` (store) and ``collapse_hits`` (an in-memory table) implement the same rule:

* hits are grouped per example and **key**: the motif's cluster (``by="cluster"``, needs a
  clustering: ``annostore motifs cluster``), the motif itself (``by="motif"``) or nothing
  (``by="any"``: all motifs together);
* within a group, hits are visited best first (``keep``: ``min-p`` smallest p-value,
  ``max-attribution`` largest attribution, ``max-score`` largest score; missing values last;
  ties by position, then motif_idx, strand); an uncovered hit is **kept** and covers every
  uncovered hit of its group that overlaps it by at least ``overlap`` of the shorter of the two
  (greedy non-maximum suppression, :func:`annostore.core.nms.suppress`);
* a kept hit carries ``n_merged`` (how many hits it stands for, itself included) and, for
  ``by="any"``, ``clusters``: the sorted distinct cluster labels (motif ids when the store has
  no clustering) of the hits it covers, joined by ``,``.

Invariants (tested against a brute-force reference): no two kept hits of one group overlap by
``overlap`` or more; every input hit is covered by exactly one kept hit; ``n_merged`` sums to
the input count.

The store version reads the source run from its Parquet files one range of whole examples
(about ``batch_rows`` rows, sized from the rows per example) at a time, sorts it by ``(example,
key, start, ...)``, suppresses and writes a derived ``hits`` run (``parent_run_id`` = the source
run, parameters in ``runs.params``): memory is bounded by the range and the largest example, not
by the run.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pyarrow as pa

from ..errors import BadInputError

__all__ = ["collapse", "collapse_hits", "COLLAPSE_BY", "COLLAPSE_KEEP"]

COLLAPSE_BY = ("cluster", "motif", "any")
COLLAPSE_KEEP = ("min-p", "max-attribution", "max-score")
_BATCH = 1 << 18


def _check(by: str, overlap: float, keep: str) -> None:
    if by not in COLLAPSE_BY:
        raise BadInputError(f"by must be one of {', '.join(COLLAPSE_BY)}, got {by!r}")
    if keep not in COLLAPSE_KEEP:
        raise BadInputError(f"keep must be one of {', '.join(COLLAPSE_KEEP)}, got {keep!r}")
    if not (isinstance(overlap, (int, float)) and 0 < float(overlap) <= 1):
        raise BadInputError(f"overlap must be a fraction in (0, 1], got {overlap!r}")


def _rank(table: pa.Table, keep: str) -> np.ndarray:
    col = {"min-p": "p_value", "max-attribution": "attribution", "max-score": "score"}[keep]
    if col not in table.column_names:
        raise BadInputError(f"--keep {keep} needs a {col} column")
    v = table[col].to_numpy(zero_copy_only=False).astype(np.float64)
    v = np.where(np.isnan(v), np.inf, v if keep == "min-p" else -v)
    return np.ascontiguousarray(v)


def _suppress_sorted(table: pa.Table, keep: str, overlap: float):
    """Kept rows (indices) and, per row, the kept row covering it; ``table`` sorted by (example, key, start)."""
    from ..core.nms import suppress

    ex = np.ascontiguousarray(table["example_idx"].to_numpy().astype(np.int64))
    key = np.ascontiguousarray(table["_key"].to_numpy(zero_copy_only=False).astype(np.int64))
    st = np.ascontiguousarray(table["start"].to_numpy().astype(np.int64))
    en = np.ascontiguousarray(table["end"].to_numpy().astype(np.int64))
    cover = suppress(ex, key, st, en, _rank(table, keep), float(overlap))
    kept = np.flatnonzero(cover == np.arange(cover.shape[0]))
    return kept, cover


def _collapse_chunk(table: pa.Table, keep: str, overlap: float, by: str) -> pa.Table:
    """Collapse a table sorted by (example, key, start) holding whole examples; adds n_merged (and clusters)."""
    if table.num_rows == 0:
        return table.drop_columns(["_key"] + (["_label"] if "_label" in table.column_names else [])).append_column(
            "n_merged", pa.array([], pa.int32()))
    kept, cover = _suppress_sorted(table, keep, overlap)
    n_merged = np.bincount(cover, minlength=cover.shape[0])[kept].astype(np.int32)
    out = table.take(pa.array(kept))
    if by == "any":
        labels = table["_label"].to_numpy(zero_copy_only=False)
        slot = np.full(cover.shape[0], -1, dtype=np.int64)
        slot[kept] = np.arange(kept.shape[0])
        sets: list[set] = [set() for _ in range(kept.shape[0])]
        for i, c in enumerate(cover):
            sets[slot[c]].add(labels[i])
        out = out.append_column("clusters", pa.array([",".join(sorted(s)) for s in sets], pa.string()))
        out = out.drop_columns(["_label"])
    out = out.drop_columns(["_key"])
    return out.append_column("n_merged", pa.array(n_merged, pa.int32()))


def _keys_for(table: pa.Table, by: str, cluster_of: Optional[np.ndarray], label_of: Optional[list]) -> pa.Table:
    motif_idx = table["motif_idx"].to_numpy(zero_copy_only=False).astype(np.int64)
    if by == "motif":
        key = motif_idx
    elif by == "cluster":
        if cluster_of is None:
            raise BadInputError("collapse by cluster needs motif clusters (annostore motifs cluster, or clusters=...)")
        if motif_idx.size and (motif_idx.max() >= cluster_of.shape[0] or np.any(cluster_of[motif_idx] < 0)):
            raise BadInputError("some hits' motifs have no cluster; cluster the motifs again")
        key = cluster_of[motif_idx]
    else:
        key = np.zeros(motif_idx.shape[0], dtype=np.int64)
    table = table.append_column("_key", pa.array(key))
    if by == "any":
        if label_of is not None:
            lab = np.asarray(label_of, dtype=object)[motif_idx]
        else:
            lab = table["motif"].to_numpy(zero_copy_only=False) if "motif" in table.column_names else motif_idx.astype(str)
        table = table.append_column("_label", pa.array(list(lab), pa.string()))
    return table


def collapse_hits(hits, *, by: str = "cluster", clusters=None, overlap: float = 0.5, keep: str = "min-p") -> pa.Table:
    """Collapse an in-memory hits table (store-free; see the module docs for the rule).

    Parameters
    ----------
    hits : pyarrow.Table or pandas.DataFrame
        Columns ``example_idx, motif_idx, start, end`` and the ``keep`` column (``p_value``,
        ``attribution`` or ``score``); others are carried along.
    by : {"cluster", "motif", "any"}
    clusters : MotifClusters, or a sequence giving the cluster_idx of every motif_idx
        Needed for ``by="cluster"``; for ``by="any"`` its labels fill ``clusters``.
    overlap : float
        Minimum overlap, as a fraction of the shorter hit, that merges two hits.
    keep : {"min-p", "max-attribution", "max-score"}

    Returns
    -------
    pyarrow.Table
        The kept hits (input columns, ordered by example, key, start) plus ``n_merged``
        (and ``clusters`` for ``by="any"``).
    """
    _check(by, overlap, keep)
    table = hits if isinstance(hits, pa.Table) else pa.Table.from_pandas(hits, preserve_index=False)
    for c in ("example_idx", "motif_idx", "start", "end"):
        if c not in table.column_names:
            raise BadInputError(f"hits need a {c!r} column")
    cluster_of = label_of = None
    if clusters is not None:
        if hasattr(clusters, "table"):
            t = clusters.table
            mi = t["motif_idx"].to_numpy()
            cluster_of = np.full(int(mi.max()) + 1, -1, dtype=np.int64)
            cluster_of[mi] = t["cluster_idx"].to_numpy()
            label_of = [None] * cluster_of.shape[0]
            for i, lab in zip(mi, t["cluster"].to_pylist()):
                label_of[int(i)] = lab
        else:
            cluster_of = np.asarray(clusters, dtype=np.int64)
    table = _keys_for(table, by, cluster_of, label_of)
    sort_keys = [("example_idx", "ascending"), ("_key", "ascending"), ("start", "ascending"), ("end", "ascending"),
                 ("motif_idx", "ascending")]
    if "strand" in table.column_names:
        sort_keys.append(("strand", "ascending"))
    table = table.sort_by(sort_keys)
    return _collapse_chunk(table, keep, overlap, by)


# ---------------------------------------------------------------------------------------------
# the store


def _store_clusters(con) -> tuple[Optional[np.ndarray], Optional[list]]:
    from ..resources import sql

    rows = con.execute(sql("clusters_table")).fetchall()
    if not rows or all(r[3] is None for r in rows):
        return None, None
    n = max(int(r[0]) for r in rows) + 1
    cluster_of = np.full(n, -1, dtype=np.int64)
    labels: list = [None] * n
    for idx, motif, _alt, cidx, lab, _rep in rows:
        if cidx is not None:
            cluster_of[int(idx)] = int(cidx)
            labels[int(idx)] = lab
        else:
            labels[int(idx)] = motif
    return cluster_of, labels


def collapse(
    store: Any,
    run: Any,
    *,
    name: Optional[str] = None,
    by: str = "cluster",
    overlap: float = 0.5,
    keep: str = "min-p",
    top_k: Optional[int] = None,
    batch_rows: int = _BATCH,
) -> int:
    """Collapse a stored hits run into a new, derived hits run (see the module docs).

    Given a **matches** run (TOMTOM labels of seqlets), keep per seqlet the best-ranked label of
    each motif cluster among its matches of rank <= ``top_k`` (all by default), ranked again
    1, 2, ...; ``n_merged`` counts the labels of that cluster. The new matches run annotates the
    same seqlets run (its ``parent_run_id``); the source matches run is in ``params``.

    Parameters
    ----------
    store : annostore.Store
        Open read-write.
    run : int or str
        The source hits run (id or name).
    name : str, optional
        Name of the new run (default ``hits-<run_id>``).
    by, overlap, keep
        As in :func:`collapse_hits`.
    top_k : int, optional
        Matches runs only: consider the labels of rank <= top_k.
    batch_rows : int
        Rows per record batch read from the source (memory bound).

    Returns
    -------
    int
        The new run's ``run_id`` (``parent_run_id`` = the source run).
    """
    from .. import __version__
    from ..resources import sql
    from ..store.lookup import run_id as resolve_run

    _check(by, overlap, keep)
    store._writable()
    con = store.con
    src_id = int(resolve_run(store, run))
    kind = con.execute(sql("store_run_by_id"), {"run_id": src_id}).fetchall()[0][1]
    if kind == "matches":
        if by != "cluster":
            raise BadInputError("a matches run (TOMTOM labels of seqlets) collapses by cluster only")
        return _collapse_matches(store, src_id, name=name, top_k=top_k)
    if kind != "hits":
        raise BadInputError(f"run {run!r} is a {kind} run; collapse takes a hits or a matches run")
    cluster_of, labels = _store_clusters(con)
    if by == "cluster" and cluster_of is None:
        raise BadInputError("the store has no motif clusters; run `annostore motifs cluster STORE` first")
    params = {"source_run": src_id, "by": by, "overlap": float(overlap), "keep": keep}
    if cluster_of is not None:
        prow = con.execute(sql("clusters_params")).fetchall()
        if prow:
            import json

            params["clustering"] = json.loads(prow[0][0]) if isinstance(prow[0][0], str) else prow[0][0]
    files = [str((store.path / f).resolve()) for k, rid, fs in con.execute(sql("store_run_files")).fetchall()
             if int(rid) == src_id for f in fs]
    # the source is read on its own cursor while the new run is written, one range of whole
    # examples (about batch_rows rows) at a time: memory is bounded by the range, not the run
    cursor = con.cursor()
    ranges: list = []
    if files:
        counts = cursor.sql(sql("collapse_example_counts"), params={"files": files}).fetchnumpy()
        ranges = _example_ranges(np.asarray(counts["example_idx"], dtype=np.int64),
                                 np.asarray(counts["n"], dtype=np.int64), int(batch_rows))
    with store.begin_run("hits", name=name, tool="annostore.collapse", tool_version=__version__, params=params,
                         parent_run_id=src_id) as writer:
        for lo, hi in ranges:
            part = cursor.sql(sql("collapse_hits_source"), params={"files": files, "lo": lo, "hi": hi}).to_arrow_table()
            if part.num_rows:
                writer.write(_keys_sorted_collapse(_keys_for(part, by, cluster_of, labels), keep, overlap, by))
        run_id = writer.run_id
    cursor.close()
    return int(run_id)


def _example_ranges(ex: np.ndarray, n: np.ndarray, batch_rows: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` example ranges of about ``batch_rows`` rows each (an example is never split)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < ex.shape[0]:
        j, rows = i, 0
        while j < ex.shape[0] and (rows == 0 or rows + n[j] <= batch_rows):
            rows += int(n[j])
            j += 1
        out.append((int(ex[i]), int(ex[j - 1]) + 1))
        i = j
    return out


def _keys_sorted_collapse(part: pa.Table, keep: str, overlap: float, by: str) -> pa.Table:
    """Sort whole examples by (example, key, start, ...) (the source order is by example only) and collapse.

    Measured columns the source run does not have (all NULL) are left out, so the new run stores
    them as NULL too (the run writer refuses a given column with missing cells)."""
    part = part.sort_by([("example_idx", "ascending"), ("_key", "ascending"), ("start", "ascending"),
                         ("end", "ascending"), ("motif_idx", "ascending"), ("strand", "ascending")])
    out = _collapse_chunk(part, keep, overlap, by)
    unmeasured = [c for c in ("score", "p_value", "q_value", "attribution")
                  if c in out.column_names and out[c].null_count == out.num_rows]
    return out.drop_columns(unmeasured) if unmeasured else out


def _collapse_matches(store: Any, src_id: int, *, name: Optional[str], top_k: Optional[int]) -> int:
    """One label per motif cluster among each seqlet's top-k TOMTOM matches (SQL), as a new matches run."""
    from .. import __version__
    from ..resources import sql
    from .clusters import clustering_params, store_clusters

    if top_k is not None and int(top_k) < 1:
        raise BadInputError(f"top_k must be >= 1, got {top_k}")
    store_clusters(store, required=True)
    con = store.con
    parent = [r for r in con.execute(sql("select_runs_of_kind"), {"kind": "matches"}).fetchall() if int(r[0]) == src_id]
    seqlet_run = int(parent[0][2])
    files = [str((store.path / f).resolve()) for k, rid, fs in con.execute(sql("store_run_files")).fetchall()
             if int(rid) == src_id for f in fs]
    params = {"source_run": src_id, "by": "cluster", "top_k": None if top_k is None else int(top_k),
              "clustering": clustering_params(store)}
    cursor = con.cursor()
    reader = cursor.sql(sql("collapse_matches_source"),
                        params={"files": files, "top_k": None if top_k is None else int(top_k)}).to_arrow_reader(_BATCH)
    with store.begin_run("matches", name=name, tool="annostore.collapse", tool_version=__version__, params=params,
                         parent_run_id=seqlet_run) as writer:
        for batch in reader:
            part = pa.Table.from_batches([batch])
            unmeasured = [c for c in ("p_value", "e_value", "q_value")
                          if part.num_rows and part[c].null_count == part.num_rows]
            writer.write(part.drop_columns(unmeasured) if unmeasured else part)
        run_id = writer.run_id
    cursor.close()
    return int(run_id)
