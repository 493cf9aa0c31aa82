"""Count, co-occurrence and spacing of annotations as SQL aggregations over a store.

Each function takes a :class:`annostore.Store` (or its DuckDB connection), builds the
filtered annotation set (``sql/select_hits.sql`` or ``sql/select_seqlets.sql``) and runs
one aggregation over it (``sql/count_*.sql``, ``sql/pairs_*.sql``, ``sql/spacing_*.sql``).
Results are long-form Arrow tables wrapped in :class:`annostore.analysis.results.Result`; dense
arrays only on request (``.to_dense()``, ``.to_torch()``). Counts are BIGINT.

Filters (all optional, shared by every function):

* ``source``: ``"hits"`` (FIMO-style motif hits) or ``"seqlets"`` (seqlets labelled by their
  TOMTOM matches of rank <= ``top_k``).
* ``runs``: run ids or names of that source (default: the latest run; ``"all"``: every run).
* ``matches_runs``: for seqlets, the matches runs (default: the latest per seqlets run).
* ``motifs``: motif ids, ``"id alt"`` keys, unambiguous alt names, or ``motif_idx`` ints.
* ``max_p``: ``p_value <= max_p`` (hits: FIMO p; seqlets: TOMTOM match p).
* ``min_attribution``: ``attribution >= min_attribution`` (inclusive; NULL attribution fails).
* ``examples``: a ``range`` (bounds) or an iterable of ``example_idx``.

See docs/semantics.md for the exact pair and distance rules.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from annostore.analysis.axis import motif_axis
from annostore.analysis.results import Result
from annostore.core.arrays import arrow_strings
from annostore.errors import AnnostoreError, BadInputError
from annostore.resources import sql
from annostore.store.lookup import (
    connection,
    resolve_motifs,
    run_ids,
    seqlet_and_match_runs,
)

SOURCES = ("hits", "seqlets")
COUNT_BY = {"example_motif": "count_example_motif", "motif": "count_motif", "example": "count_example",
            "cluster": "count_motif", "example_cluster": "count_example_motif"}
_MARKER = "-- @annotations"
_MIN_BIN = 32
_PERFECT_HASH_BITS = 22


# ---------------------------------------------------------------------------------------------
# connection, name resolution, filters


def _scalar(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None):
    rows = con.execute(sql(name), params or {}).fetchall()
    return rows[0][0] if rows else None


def _filter_params(
    store: Any,
    *,
    source: str,
    runs: Any,
    matches_runs: Any,
    motifs: Any,
    max_p: Optional[float],
    min_attribution: Optional[float],
    examples: Any,
    top_k: int,
) -> tuple[str, dict]:
    """The select SQL for ``source`` and its bound parameters."""
    con = connection(store)
    if source not in SOURCES:
        raise BadInputError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    params: dict[str, Any] = {
        "runs": run_ids(con, source, runs) if source == "hits" else None,
        "motifs": resolve_motifs(store, motifs),
        "max_p": None if max_p is None else float(max_p),
        "min_attribution": None if min_attribution is None else float(min_attribution),
        "example_lo": None,
        "example_hi": None,
        "examples": None,
    }
    if max_p is not None and not (float(max_p) >= 0):
        raise BadInputError(f"max_p must be >= 0, got {max_p}")
    if examples is not None:
        if isinstance(examples, range) and examples.step == 1:
            params["example_lo"], params["example_hi"] = examples.start, examples.stop
        else:
            try:
                params["examples"] = sorted({int(e) for e in examples})
            except (TypeError, ValueError):
                raise BadInputError("examples must be a range or an iterable of example indices") from None
    if source == "seqlets":
        if matches_runs is None and runs is not None and not (isinstance(runs, str) and runs == "all"):
            runs, matches_runs = seqlet_and_match_runs(con, runs)
            params["runs"] = runs
        if int(top_k) < 1:
            raise BadInputError(f"top_k must be >= 1, got {top_k}")
        params["top_k"] = int(top_k)
        if params["runs"] is None:
            params["runs"] = run_ids(con, "seqlets", runs)
        if matches_runs is None:
            rows = con.execute(sql("select_seqlet_matches_runs"), {"runs": params["runs"]}).fetchall()
            params["matches_runs"] = sorted(int(r[1]) for r in rows)
        else:
            params["matches_runs"] = run_ids(con, "matches", matches_runs)
    return sql(f"select_{source}"), params


def _compose(select_sql: str, name: str) -> str:
    text = sql(name)
    if _MARKER not in text:
        raise RuntimeError(f"sql/{name}.sql lacks the {_MARKER!r} marker")
    return text.replace(_MARKER, select_sql.strip().rstrip(";"))


def _run(store: Any, query: str, params: dict, stream: bool, batch_size: int = 1 << 17, *,
         engine: Optional[str] = None):
    from annostore.engine import engine_name

    if engine_name(engine if engine is not None else getattr(store, "engine", None)) == "spark":
        from annostore.engine import spark

        if not hasattr(store, "path"):
            raise BadInputError("engine='spark' needs an annostore Store, not a DuckDB connection")
        return spark.run_sql(store, query, params)  # the same SQL, transpiled; collected as Arrow
    con = connection(store)
    try:
        # a direct-indexed GROUP BY where key statistics allow it (a few MB; big win on pairs)
        con.execute(f"SET SESSION perfect_ht_threshold = {_PERFECT_HASH_BITS}")
        rel = con.sql(query, params=params)
        return rel.to_arrow_reader(batch_size) if stream else rel.to_arrow_table()
    except duckdb.Error as exc:
        raise AnnostoreError(f"aggregation query failed: {exc}") from None


def _add_names(data: pa.Table | pa.RecordBatchReader, names: list[str], columns: Sequence[tuple[str, str]]):
    """Insert a motif name column after each ``(index column, name column)`` pair.

    The SQL aggregates on integer keys only; names are looked up here on the (small) result
    with one Arrow ``take`` per column, instead of joining the motifs table and carrying
    strings through the aggregation and the sort. Streams stay streams.
    """
    dictionary = arrow_strings(names)

    def named(batch):
        for idx_col, name_col in columns:
            pos = batch.schema.get_field_index(idx_col)
            batch = batch.add_column(pos + 1, name_col, pc.take(dictionary, batch.column(pos)))
        return batch

    if isinstance(data, pa.Table):
        return named(data)
    schema = data.schema
    for idx_col, name_col in columns:
        schema = schema.insert(schema.get_field_index(idx_col) + 1, pa.field(name_col, pa.string()))
    return pa.RecordBatchReader.from_batches(schema, (named(b) for b in data))


def _n_examples(store: Any) -> Optional[int]:
    value = _scalar(connection(store), "select_example_count")
    return None if value is None else int(value)


def _n_motifs(store: Any) -> int:
    return int(_scalar(connection(store), "select_motif_count") or 0)


_FILTER_DOC = """
    source : {"hits", "seqlets"}
        Annotations to aggregate: FIMO-style hits, or seqlets labelled by their TOMTOM matches.
    runs : int, str, list or "all", optional
        Runs of ``source`` (ids or names). Default: the latest run.
    matches_runs : int, str or list, optional
        Seqlets only: the matches runs to use (default: the latest one of each seqlets run).
    top_k : int, default 1
        Seqlets only: use matches of rank <= top_k (1: best match only).
    motifs : str, int or list, optional
        Only these motifs (ids, "id alt" keys, unambiguous alt names, or motif_idx).
    max_p : float, optional
        Keep annotations with p_value <= max_p (hits: FIMO p-value; seqlets: TOMTOM p-value).
    min_attribution : float, optional
        Keep annotations with attribution >= min_attribution (NULL attribution is dropped).
    examples : range or iterable of int, optional
        Only these example_idx.
    engine : {"duckdb", "spark"}, optional
        Where the query runs (default: the store's engine, see :func:`annostore.open`).
        Spark runs the same SQL over the store's Parquet and gives the same rows.
    stream : bool, default False
        Return a streaming result (record batches as DuckDB produces them). A stream holds
        the store's connection until it has been read.
"""


def _doc(fn):
    fn.__doc__ = fn.__doc__.replace("    {filters}\n", _FILTER_DOC.lstrip("\n"))
    return fn


# ---------------------------------------------------------------------------------------------
# public API


@_doc
def annotations(
    store: Any,
    *,
    source: str = "hits",
    runs: Any = None,
    matches_runs: Any = None,
    top_k: int = 1,
    motifs: Any = None,
    max_p: Optional[float] = None,
    min_attribution: Optional[float] = None,
    examples: Any = None,
    stream: bool = False,
    engine: Optional[str] = None,
) -> Result:
    """The filtered annotation set itself (what count/pairs/spacing aggregate).

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    {filters}

    Returns
    -------
    Result
        Columns ``example_idx, motif_idx, motif, start, end, strand, score, p_value,
        attribution, run_id``, ordered by example and position.
    """
    select, params = _filter_params(
        store, source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
        min_attribution=min_attribution, examples=examples, top_k=top_k,
    )
    data = _run(store, _compose(select, "select_annotations"), params, stream, engine=engine)
    return Result(data, kind="annotations")


@_doc
def count(
    store: Any,
    *,
    by: str = "example_motif",
    source: str = "hits",
    runs: Any = None,
    matches_runs: Any = None,
    top_k: int = 1,
    motifs: Any = None,
    max_p: Optional[float] = None,
    min_attribution: Optional[float] = None,
    examples: Any = None,
    stream: bool = False,
    engine: Optional[str] = None,
) -> Result:
    """Count annotations per example and motif (or per motif, or per example).

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    by : {"example_motif", "motif", "example", "example_cluster", "cluster"}
        ``example_motif``: rows ``example_idx, motif_idx, motif, motif_alt, n``;
        ``motif``: ``motif_idx, motif, motif_alt, n, n_examples``; ``example``: ``example_idx, n,
        n_motifs``; ``example_cluster`` / ``cluster``: the same per motif family
        (``cluster_idx, cluster`` instead of the motif columns; needs ``annostore motifs cluster``).
    {filters}

    Returns
    -------
    Result
        Long form without zero counts; ``.to_dense()`` gives ``(n_examples, n_motifs)``,
        ``(n_motifs,)`` or ``(n_examples,)`` sized from the store's tables.

    Examples
    --------
    >>> store = annostore.open("my.store", read_only=True)          # doctest: +SKIP
    >>> count(store, min_attribution=0.5).to_dense().shape          # doctest: +SKIP
    (1000, 1019)
    """
    if by not in COUNT_BY:
        raise BadInputError(f"by must be one of {', '.join(COUNT_BY)}, got {by!r}")
    select, params = _filter_params(
        store, source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
        min_attribution=min_attribution, examples=examples, top_k=top_k,
    )
    axis = motif_axis(store, "cluster" if by in ("cluster", "example_cluster") else "motif")
    if by in ("example_motif", "example_cluster"):
        index, shape = ("example_idx", axis.index()), (_n_examples(store), axis.size)
    elif by in ("motif", "cluster"):
        index, shape = (axis.index(),), (axis.size,)
    else:
        index, shape = ("example_idx",), (_n_examples(store),)
    data = _run(store, _compose(axis.select(select), COUNT_BY[by]), params, stream, engine=engine)
    if by != "example":
        data = axis.label(data, [""])
    kind = {"example_motif": "count", "example_cluster": "count"}.get(by, f"count_{by}")
    return Result(data, kind=kind, index=index, shape=shape, motif_names=axis.names)


@_doc
def pairs(
    store: Any,
    *,
    unique: bool = True,
    symmetric: bool = True,
    by: str = "motif",
    source: str = "hits",
    runs: Any = None,
    matches_runs: Any = None,
    top_k: int = 1,
    motifs: Any = None,
    max_p: Optional[float] = None,
    min_attribution: Optional[float] = None,
    examples: Any = None,
    stream: bool = False,
    engine: Optional[str] = None,
) -> Result:
    """Co-occurrence of motif pairs within examples.

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    by : {"motif", "cluster"}
        Pair motifs, or motif families (needs ``annostore motifs cluster``).
    unique : bool, default True
        Count each (example, motif) once: ``n(a, b)`` = examples holding both ``a`` and
        ``b``; ``n(a, a)`` = examples holding ``a`` at least twice. False: every pair of
        instances (``c(a) * c(b)`` per example; ``c(a) * (c(a) - 1) / 2`` on the diagonal).
    symmetric : bool, default True
        Report both ``(a, b)`` and ``(b, a)`` (the diagonal once). False: each pair once,
        oriented by position (left motif first; see docs/semantics.md for ties).
    {filters}

    Returns
    -------
    Result
        Rows ``motif_idx_a, motif_a, motif_alt_a, motif_idx_b, motif_b, motif_alt_b, n`` (by cluster:
        ``cluster_idx_a, cluster_a, cluster_idx_b, cluster_b, n``); ``.to_dense()`` gives
        ``(n_motifs, n_motifs)``.
    """
    select, params = _filter_params(
        store, source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
        min_attribution=min_attribution, examples=examples, top_k=top_k,
    )
    if unique:
        name = "pairs_unique"
        params["symmetric"] = bool(symmetric)
    else:
        name = "pairs_all_symmetric" if symmetric else "pairs_all_ordered"
    axis = motif_axis(store, by)
    data = axis.label(_run(store, _compose(axis.select(select), name), params, stream, engine=engine), ["_a", "_b"])
    return Result(data, kind="pairs", index=(axis.index("_a"), axis.index("_b")), shape=(axis.size, axis.size),
                  motif_names=axis.names)


@_doc
def spacing(
    store: Any,
    *,
    max_distance: int = 100,
    symmetric: bool = True,
    allow_overlaps: bool = False,
    by: str = "motif",
    motif_a: Any = None,
    motif_b: Any = None,
    source: str = "hits",
    runs: Any = None,
    matches_runs: Any = None,
    top_k: int = 1,
    motifs: Any = None,
    max_p: Optional[float] = None,
    min_attribution: Optional[float] = None,
    examples: Any = None,
    stream: bool = False,
    engine: Optional[str] = None,
) -> Result:
    """Motif pairs by spacing: ``distance = right.start - left.end`` within an example.

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    max_distance : int, default 100
        Keep pairs with ``distance < max_distance``.
    symmetric : bool, default True
        Report each pair as ``(left, right)`` and ``(right, left)`` (same motif once). False:
        ``motif_a`` is always the left (smaller start) annotation.
    by : {"motif", "cluster"}
        Pair motifs, or motif families (``annostore motifs cluster``; ``motif_a``/``motif_b`` then
        take cluster labels or indices, or a motif standing for its cluster).
    allow_overlaps : bool, default False
        Keep overlapping pairs with their negative (signed) distance. By default they are
        skipped (tangermeme 1.6 raises on them instead).
    motif_a, motif_b : str, int or list, optional
        Only report rows with these motifs in the first / second position.
    {filters}

    Returns
    -------
    Result
        Rows ``motif_idx_a, motif_a, motif_alt_a, motif_idx_b, motif_b, motif_alt_b, distance, n``
        (by cluster: ``cluster_idx_a, cluster_a, cluster_idx_b, cluster_b, distance, n``); ``.to_dense()``
        gives ``(n_motifs, n_motifs, max_distance)`` (with overlaps: the distance axis starts
        at the most negative distance present, see ``Result.offsets``).

    Examples
    --------
    >>> spacing(store, motif_a="FOS", motif_b="ETV6", max_distance=150)   # doctest: +SKIP
    """
    max_distance = int(max_distance)
    if max_distance < 1:
        raise BadInputError(f"max_distance must be >= 1, got {max_distance}")
    select, params = _filter_params(
        store, source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
        min_attribution=min_attribution, examples=examples, top_k=top_k,
    )
    axis = motif_axis(store, by)
    params.update(
        max_distance=max_distance,
        bin=max(max_distance, _MIN_BIN),
        symmetric=bool(symmetric),
        allow_overlaps=bool(allow_overlaps),
        motif_a=axis.resolve(motif_a),
        motif_b=axis.resolve(motif_b),
    )
    data = axis.label(_run(store, _compose(axis.select(select), "spacing_pairs"), params,
                           stream and not allow_overlaps, engine=engine), ["_a", "_b"])
    offset = 0
    if allow_overlaps and data.num_rows:
        offset = min(0, int(data["distance"].to_numpy().min()))
    return Result(
        data,
        kind="spacing",
        index=(axis.index("_a"), axis.index("_b"), "distance"),
        shape=(axis.size, axis.size, max_distance - offset),
        offsets=(0, 0, offset),
        motif_names=axis.names,
    )
