"""Co-occurrence and spacing enrichment: which motif pairs and spacings are more than chance.

Counting is SQL over the filtered annotation set (``sql/enrich_*.sql``, the same filters as
count/pairs/spacing); the statistics are :mod:`annostore.analysis.stats` on the aggregated
counts. Both functions return a :class:`~annostore.results.Result` (long form, no dense form).
docs/semantics.md ("Enrichment") states the tests, the nulls and the universe.

* :func:`enrich_pairs` — per unordered pair of keys (motifs, or motif clusters), presence /
  absence per example in a 2×2 table over the universe of examples, Fisher's exact test
  (one-sided ``greater`` by default), Benjamini–Hochberg over all pairs tested.
* :func:`enrich_spacing` — per unordered pair (and, when asked, orientation) and distance,
  the number of instance pairs at that gap against the uniform-placement null given the
  pair's number of instance pairs within ``max_distance``: one-sided binomial per distance,
  Benjamini–Hochberg over all (pair, distance) tests. The null is analytic (from the
  examples' lengths and the annotations' widths) or empirical (seeded shuffles).

Group keys: ``by="motif"`` (``motif_idx``) or ``by="cluster"`` (``cluster_idx`` of table
``motif_clusters``); the SQL reads the key from one snippet (``sql/enrich_key_<by>.sql``),
so every query works for either.
"""

from __future__ import annotations

from typing import Any, Optional

import duckdb
import numpy as np
import pyarrow as pa

from annostore.analysis import enrich_kernels, stats
from annostore.analysis.aggregate import _doc, _filter_params, _n_examples
from annostore.analysis.results import Result
from annostore.errors import AnnostoreError, BadInputError
from annostore.resources import sql
from annostore.store.lookup import connection as _con
from annostore.store.lookup import motif_names, resolve_motifs

__all__ = ["BY", "NULLS", "ORIENTATIONS", "enrich_pairs", "enrich_spacing"]

BY = ("motif", "cluster")
NULLS = ("analytic", "shuffle")
#: orientation labels: which key is upstream (left on the + strand), then same/opposite strand
ORIENTATIONS = ("ab_same", "ab_opposite", "ba_same", "ba_opposite")
_PAIRS_COLUMNS = ("motif_a", "motif_b", "n_both", "n_a", "n_b", "n_examples", "expected", "odds_ratio",
                  "p_value", "q_value")
_SPACING_COLUMNS = ("motif_a", "motif_b", "distance", "n", "expected", "p_value", "q_value")
_MIN_BIN = 32
_DEFAULT_PERFECT_HASH_BITS = 12  # DuckDB's default perfect_ht_threshold
_PAIRS_PERFECT_HASH_BITS = 22  # as the aggregate module's pair counts
_KERNEL_MAX_KEYS = 4096  # the spacing null's dense key x key sums (2 x 128 MiB at most)
_MOMENT_BATCH_ROWS = 1 << 20


# ---------------------------------------------------------------------------------------------
# keys and query text


def _labels(store: Any, by: str) -> list[str]:
    """Label per key index: motif ids, or cluster labels (table motif_clusters)."""
    if by not in BY:
        raise BadInputError(f"by must be one of {', '.join(BY)}, got {by!r}")
    if by == "motif":
        return motif_names(store)
    con = _con(store)
    try:
        rows = con.execute(sql("enrich_cluster_labels")).fetchall()
    except Exception:  # duckdb.CatalogException: no such table
        rows = []
    if not rows:
        raise BadInputError("the store has no motif clusters; cluster its motifs first (annostore motifs cluster)")
    labels = [""] * (max(int(i) for i, _ in rows) + 1)
    for i, label in rows:
        labels[int(i)] = str(label)
    return labels


def _query(select: str, name: str, by: str, positions: str = "enrich_positions_observed",
           long_rows: bool = True) -> str:
    """``sql/<name>.sql`` with its marker lines replaced: ``-- @annotations`` by the filtered
    annotation set, ``-- @keyed`` by the group key snippet, ``-- @lengths`` by the example
    lengths, ``-- @positions`` by the observed (or shuffled) positions, ``-- @mom`` by the
    spacing null's moment CTEs and ``-- @long_rows`` by its long examples' rows (or nothing)."""
    parts = {
        "-- @annotations": select,
        "-- @keyed": sql(f"enrich_key_{by}"),
        "-- @lengths": sql("enrich_example_lengths"),
        "-- @positions": sql(positions),
        "-- @mom": sql("enrich_spacing_mom"),
        "-- @long_rows": sql("enrich_spacing_null_long") if long_rows else "",
    }
    lines = sql(name).splitlines()
    if "-- @annotations" not in (line.strip() for line in lines):
        raise RuntimeError(f"sql/{name}.sql lacks the '-- @annotations' marker")
    return "\n".join(parts[line.strip()].strip().rstrip(";") if line.strip() in parts else line for line in lines)


def _select(store, filters: dict) -> tuple[str, dict]:
    return _filter_params(store, **filters)


def _fetch(store: Any, query: str, params: dict, perfect_hash_bits: int = _DEFAULT_PERFECT_HASH_BITS) -> pa.Table:
    """Run one query to an Arrow table. DuckDB's perfect-hash GROUP BY allocates
    ``2 ** bits`` groups up front: the aggregate module raises the session's threshold to 22
    bits for its pair counts; the spacing queries (three keys) set it back to DuckDB's default,
    where a 4M-slot table would cost more than the whole query on small stores."""
    if getattr(store, "engine", "duckdb") == "spark" and "hash(" not in query:
        # the same SQL on Spark (annostore.engine.spark); the shuffled null draws positions with
        # DuckDB's hash(), which Spark does not have, so that query stays on DuckDB
        from annostore.engine import spark

        return spark.run_sql(store, query, params)
    con = _con(store)
    try:
        con.execute(f"SET SESSION perfect_ht_threshold = {int(perfect_hash_bits)}")
        return con.sql(query, params=params).to_arrow_table()
    except duckdb.Error as exc:
        raise AnnostoreError(f"enrichment query failed: {exc}") from None


def _null_rows(store: Any, select: str, by: str, params: dict, width: int) -> pa.Table:
    """The analytic spacing null's rows (a, b, t, g0, g1) of sql/enrich_spacing_null.sql. On
    DuckDB with up to _KERNEL_MAX_KEYS keys, the long examples' rows come from the numba kernel
    over the streamed per (example, key) moments instead of the SQL self-join (same sums)."""
    fast = getattr(store, "engine", "duckdb") != "spark" and width <= _KERNEL_MAX_KEYS
    short = _fetch(store, _query(select, "enrich_spacing_null", by, long_rows=not fast), params)
    if not fast:
        return short
    g0 = np.zeros((width, width))
    g1 = np.zeros((width, width))
    con = _con(store)
    cols = ("example_idx", "k", "len", "u0", "u1", "v0", "v1")
    carry = None
    try:
        con.execute(f"SET SESSION perfect_ht_threshold = {_DEFAULT_PERFECT_HASH_BITS}")
        reader = con.sql(_query(select, "enrich_spacing_moments", by), params=params).to_arrow_reader(_MOMENT_BATCH_ROWS)
        for batch in reader:
            arrays = [batch.column(c).to_numpy(zero_copy_only=False) for c in cols]
            if carry is not None:
                arrays = [np.concatenate([c, a]) for c, a in zip(carry, arrays)]
            ex, k, length, u0, u1, v0, v1 = _moment_arrays(arrays)
            lo = enrich_kernels.accumulate_long_pairs(ex, k, length, u0, u1, v0, v1, g0, g1)
            carry = [a[lo:] for a in (ex, k, length, u0, u1, v0, v1)]
    except duckdb.Error as exc:
        raise AnnostoreError(f"enrichment query failed: {exc}") from None
    if carry is not None and carry[0].size:
        ex, k, length, u0, u1, v0, v1 = carry
        enrich_kernels.add_example(k, length, u0, u1, v0, v1, 0, ex.size, g0, g1)
    a, b = np.nonzero(g0 > 0)
    t = np.full(a.size, params["max_distance"], dtype=np.int64)
    return pa.table({
        "a": np.concatenate([short["a"].to_numpy().astype(np.int64), a]),
        "b": np.concatenate([short["b"].to_numpy().astype(np.int64), b]),
        "t": np.concatenate([short["t"].to_numpy().astype(np.int64), t]),
        "g0": np.concatenate([short["g0"].to_numpy().astype(np.float64), g0[a, b]]),
        "g1": np.concatenate([short["g1"].to_numpy().astype(np.float64), g1[a, b]]),
    })


def _moment_arrays(arrays: list) -> tuple:
    ex, k, length, u0, u1, v0, v1 = arrays
    return (np.ascontiguousarray(ex, dtype=np.int64), np.ascontiguousarray(k, dtype=np.int64),
            np.ascontiguousarray(length, dtype=np.float64),
            *(np.ascontiguousarray(x, dtype=np.float64) for x in (u0, u1, v0, v1)))


def _universe(store: Any, select: str, params: dict, examples: Any) -> int:
    """Number of examples in the universe (see docs/semantics.md)."""
    known = _n_examples(store)
    if examples is not None:
        if isinstance(examples, range) and examples.step == 1:
            hi = examples.stop if known is None else min(examples.stop, known)
            return max(0, hi - max(examples.start, 0))
        values = {int(e) for e in examples}
        return len(values if known is None else {e for e in values if 0 <= e < known})
    seen = _fetch(store, _query(select, "enrich_universe", "motif"), params).column(0)[0].as_py()
    return max(int(known or 0), int(seen or 0))


def _string_column(labels: list[str], idx: np.ndarray) -> pa.Array:
    """Labels of key indices, one Arrow take (no Python objects per row)."""
    return pa.array(labels, type=pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


# ---------------------------------------------------------------------------------------------
# pairs


@_doc
def enrich_pairs(
    store: Any,
    *,
    by: str = "motif",
    min_examples: int = 1,
    alternative: str = "greater",
    source: str = "hits",
    runs: Any = None,
    matches_runs: Any = None,
    top_k: int = 1,
    motifs: Any = None,
    max_p: Optional[float] = None,
    min_attribution: Optional[float] = None,
    examples: Any = None,
) -> Result:
    """Co-occurrence enrichment: Fisher's exact test per pair of motifs (or clusters).

    Each example counts once per key (presence/absence). For keys ``a < b`` present in at
    least ``min_examples`` examples, the 2×2 table (a present/absent × b present/absent) over
    the universe of ``n_examples`` examples is tested with Fisher's exact test; q-values are
    Benjamini–Hochberg over every pair tested (pairs that never co-occur included).

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    by : {"motif", "cluster"}
        Group annotations by motif, or by the motif's cluster (table ``motif_clusters``).
    min_examples : int, default 1
        Test only keys present in at least this many examples (filters on the margins the
        test conditions on, so the remaining p-values stay exact).
    alternative : {"greater", "two-sided"}
        ``greater``: co-occurring more than independence predicts.
    {filters}

    Returns
    -------
    Result
        Rows ``motif_a, motif_b, n_both, n_a, n_b, n_examples, expected, odds_ratio, p_value,
        q_value`` (labels: motif ids, or cluster labels), one per unordered pair, most
        significant first. ``expected = n_a * n_b / n_examples``; ``odds_ratio`` is the
        sample odds ratio (``inf`` with an empty off-diagonal cell).

    Examples
    --------
    >>> enrich_pairs(store, min_attribution=0.5).to_pandas().head()   # doctest: +SKIP
    """
    if alternative not in stats.ALTERNATIVES:
        raise BadInputError(f"alternative must be one of {', '.join(stats.ALTERNATIVES)}, got {alternative!r}")
    if int(min_examples) < 1:
        raise BadInputError(f"min_examples must be >= 1, got {min_examples}")
    labels = _labels(store, by)
    filters = dict(source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
                   min_attribution=min_attribution, examples=examples, top_k=top_k)
    select, params = _select(store, filters)
    n_universe = _universe(store, select, params, examples)
    rows = _fetch(store, _query(select, "enrich_pairs", by), dict(params, min_examples=int(min_examples)),
                  _PAIRS_PERFECT_HASH_BITS)
    a = rows["a"].to_numpy().astype(np.int64)
    b_col = rows["b"]
    n = rows["n"].to_numpy().astype(np.int64)
    margin = b_col.is_null().to_numpy(zero_copy_only=False)
    keys, n_key = a[margin], n[margin]
    order = np.argsort(keys)
    keys, n_key = keys[order], n_key[order]
    keep = n_key >= int(min_examples)
    keys, n_key = keys[keep], n_key[keep]
    # every pair of eligible keys, a < b (pairs that never co-occur have n_both = 0)
    ia, ib = np.triu_indices(keys.size, 1)
    pa_, pb_ = keys[ia], keys[ib]
    width = int(keys.max()) + 1 if keys.size else 1
    n_both = np.zeros(ia.size, dtype=np.int64)
    if ia.size:
        obs_key = a[~margin] * width + b_col.to_numpy(zero_copy_only=False)[~margin].astype(np.int64)
        pos = np.searchsorted(pa_ * width + pb_, obs_key)
        n_both[pos] = n[~margin]
    n_a, n_b = n_key[ia], n_key[ib]
    if n_key.size and int(n_key.max()) > n_universe:
        raise BadInputError(f"a key is present in {int(n_key.max())} examples, more than the universe's {n_universe}")
    p = stats.fisher_exact(n_both, n_a, n_b, n_universe, alternative)
    q = stats.bh_qvalues(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = n_a * n_b / float(n_universe) if n_universe else np.full(ia.size, np.nan)
    odds = stats.odds_ratio(n_both, n_a, n_b, n_universe) if ia.size else np.zeros(0)
    out = np.lexsort((pb_, pa_, -n_both, p))
    table = pa.table(
        [
            _string_column(labels, pa_[out]),
            _string_column(labels, pb_[out]),
            pa.array(n_both[out]),
            pa.array(n_a[out]),
            pa.array(n_b[out]),
            pa.array(np.full(ia.size, n_universe, dtype=np.int64)),
            pa.array(np.asarray(expected, dtype=np.float64)[out]),
            pa.array(odds[out]),
            pa.array(p[out]),
            pa.array(q[out]),
        ],
        names=list(_PAIRS_COLUMNS),
    )
    return Result(table, kind="enrich_pairs", motif_names=labels)


# ---------------------------------------------------------------------------------------------
# spacing


def _family_codes(a, b, orientation, width: int) -> np.ndarray:
    """One int64 per family: (a, b, orientation code of sql/enrich_spacing_observed.sql)."""
    return (a * width + b) * len(ORIENTATIONS) + orientation


def _analytic_null(null: pa.Table, pair_key: np.ndarray, d: np.ndarray, width: int, max_distance: int) -> np.ndarray:
    """``p(d) = h(d) / sum_d' h(d')`` per (pair, distance); see sql/enrich_spacing_null.sql."""
    na = null["a"].to_numpy().astype(np.int64)
    nb = null["b"].to_numpy().astype(np.int64)
    t = null["t"].to_numpy().astype(np.int64)
    g0 = null["g0"].to_numpy().astype(np.float64)
    g1 = null["g1"].to_numpy().astype(np.float64)
    pk = na * width + nb
    step = max_distance + 1
    skey = pk * step + t
    order = np.argsort(skey, kind="stable")
    skey, pk, t, g0, g1 = skey[order], pk[order], t[order], g0[order], g1[order]
    # per pair: [first, end) rows; normaliser Z = sum over rows of sum_{d < t} (g1 - d g0)
    upk, first = np.unique(pk, return_index=True)
    end = np.r_[first[1:], pk.size]
    z_rows = t * g1 - g0 * t * (t - 1) / 2.0
    z = np.add.reduceat(z_rows, first) if pk.size else np.zeros(0)
    grp = np.minimum(np.searchsorted(upk, pair_key), max(upk.size - 1, 0))
    out = np.zeros(pair_key.size, dtype=np.float64)
    if upk.size == 0:
        return out
    ok = upk[grp] == pair_key
    g = grp[ok]
    lo = np.searchsorted(skey, pair_key[ok] * step + d[ok] + 1)  # first row of the pair with t > d
    hi = end[g]
    lo = np.minimum(lo, hi)
    s0 = _segment_sums(g0, lo, hi)
    s1 = _segment_sums(g1, lo, hi)
    h = s1 - d[ok] * s0
    with np.errstate(divide="ignore", invalid="ignore"):
        out[ok] = np.where(z[g] > 0, h / z[g], 0.0)
    return np.clip(out, 0.0, 1.0)


def _segment_sums(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``x[lo[i]:hi[i]].sum()`` per i. Segments are short (at most ``max_distance + 1`` rows of
    one pair), so this walks them in step, one vectorised gather per offset; each sum is
    local (no global running total to cancel)."""
    out = np.zeros(lo.size, dtype=np.float64)
    pos = lo.copy()
    active = np.flatnonzero(pos < hi)
    while active.size:
        out[active] += x[pos[active]]
        pos[active] += 1
        active = active[pos[active] < hi[active]]
    return out


@_doc
def enrich_spacing(
    store: Any,
    *,
    max_distance: int = 100,
    by: str = "motif",
    orientation: bool = False,
    null: str = "analytic",
    shuffles: int = 10,
    seed: int = 0,
    min_pairs: int = 1,
    all_distances: bool = False,
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
) -> Result:
    """Spacing enrichment: is a gap between two motifs (or clusters) more frequent than chance?

    For every unordered pair of keys (``a <= b``; with ``orientation`` also per orientation)
    with ``n_total >= min_pairs`` non-overlapping instance pairs at a gap
    ``distance = right.start - left.end`` in ``[0, max_distance)``, each distance is tested
    with a one-sided binomial test: ``n ~ Binomial(n_total, p0(distance))``, ``p0`` from the
    null. q-values: Benjamini–Hochberg over all ``families * max_distance`` tests.

    Parameters
    ----------
    store : Store or duckdb.DuckDBPyConnection
    max_distance : int, default 100
        Distances ``0 .. max_distance - 1`` are tested.
    by : {"motif", "cluster"}
        Group annotations by motif, or by the motif's cluster (table ``motif_clusters``).
    orientation : bool, default False
        Split each pair into four families by orientation (column ``orientation``:
        ``ab_same``, ``ab_opposite``, ``ba_same``, ``ba_opposite``: which key is upstream,
        i.e. left on the + strand, and whether the strands agree; ``ab_*`` only when a = b).
    null : {"analytic", "shuffle"}
        ``analytic``: uniform, independent placement of every annotation in its example, from
        the examples' lengths and the annotations' widths (formula in docs/semantics.md).
        ``shuffle``: ``shuffles`` replicates with every annotation moved to a seeded uniform
        position in its example; ``p0(d) = (S(d) + 1) / (S_total + max_distance)`` from the
        shuffled counts ``S`` (a check of the analytic null).
    shuffles, seed : int
        Replicates and seed of the shuffle null.
    min_pairs : int, default 1
        Test only families with at least this many instance pairs within ``max_distance``.
    all_distances : bool, default False
        Report every distance of each reported family (``n = 0`` rows too, p-value 1), so
        that ``expected`` sums to the family's ``n_total``. Default: rows with ``n >= 1``.
    motif_a, motif_b : str, int or list, optional
        Report only families of these keys (either order; the tests and the correction still
        span every family). Names: motif ids/alt names (``by="motif"``) or cluster labels.
    {filters}

    Returns
    -------
    Result
        Rows ``motif_a, motif_b, distance, n, expected, p_value, q_value`` (+ ``orientation``),
        most significant first (ties: larger ``n`` first).
    """
    max_distance = int(max_distance)
    if max_distance < 1:
        raise BadInputError(f"max_distance must be >= 1, got {max_distance}")
    if null not in NULLS:
        raise BadInputError(f"null must be one of {', '.join(NULLS)}, got {null!r}")
    if int(min_pairs) < 1:
        raise BadInputError(f"min_pairs must be >= 1, got {min_pairs}")
    if null == "shuffle" and int(shuffles) < 1:
        raise BadInputError(f"shuffles must be >= 1, got {shuffles}")
    labels = _labels(store, by)
    report_a = _report_keys(store, by, labels, motif_a)
    report_b = _report_keys(store, by, labels, motif_b)
    filters = dict(source=source, runs=runs, matches_runs=matches_runs, motifs=motifs, max_p=max_p,
                   min_attribution=min_attribution, examples=examples, top_k=top_k)
    select, params = _select(store, filters)
    spacing_params = dict(params, max_distance=max_distance, bin=max(max_distance, _MIN_BIN),
                          orientation=bool(orientation))
    obs = _fetch(store, _query(select, "enrich_spacing_observed", by), spacing_params)
    width = max(len(labels), 1)
    a = obs["a"].to_numpy().astype(np.int64)
    b = obs["b"].to_numpy().astype(np.int64)
    d = obs["distance"].to_numpy().astype(np.int64)
    n = obs["n"].to_numpy().astype(np.int64)
    fam = _family_codes(a, b, obs["orientation"].to_numpy().astype(np.int64), width)
    ufam, inv = np.unique(fam, return_inverse=True)
    totals = np.bincount(inv, weights=n, minlength=ufam.size).astype(np.int64)
    tested = totals >= int(min_pairs)
    m_tests = int(tested.sum()) * max_distance
    row_ok = tested[inv]
    # rows to report: observed rows of tested families, or all distances of them
    rep_fam = np.flatnonzero(tested)
    if report_a is not None or report_b is not None:
        fa, fb = ufam // len(ORIENTATIONS) // width, ufam // len(ORIENTATIONS) % width
        rep = _match(fa, fb, report_a, report_b)
        rep_fam = rep_fam[rep[rep_fam]]
    rep_mask = np.zeros(ufam.size, dtype=bool)
    rep_mask[rep_fam] = True
    if all_distances:
        rf = np.repeat(ufam[rep_fam], max_distance)
        rd = np.tile(np.arange(max_distance, dtype=np.int64), rep_fam.size)
        rn = np.zeros(rf.size, dtype=np.int64)
        sel = row_ok & rep_mask[inv]
        if sel.any():
            fpos = np.searchsorted(ufam[rep_fam], fam[sel])
            rn[fpos * max_distance + d[sel]] = n[sel]
        rtot = np.repeat(totals[rep_fam], max_distance)
    else:
        sel = row_ok & rep_mask[inv]
        rf, rd, rn, rtot = fam[sel], d[sel], n[sel], totals[inv[sel]]
    o_code = rf % len(ORIENTATIONS)
    pair_key = rf // len(ORIENTATIONS)
    ra, rb = pair_key // width, pair_key % width
    if null == "analytic":
        null_rows = _null_rows(store, select, by, dict(params, max_distance=max_distance), width)
        p0 = _analytic_null(null_rows, pair_key, rd, width, max_distance)
    else:
        shuf = _fetch(
            store,
            _query(select, "enrich_spacing_observed", by, positions="enrich_positions_shuffled"),
            dict(spacing_params, shuffles=int(shuffles), seed=int(seed)),
        )
        p0 = _shuffle_null(shuf, rf, rd, width, max_distance, orientation)
    expected = rtot * p0
    p = stats.binom_greater(rn, rtot, p0)
    q = stats.bh_qvalues(p, m=max(m_tests, p.size))
    out = np.lexsort((rd, rb, ra, -rn, p))
    columns = [
        _string_column(labels, ra[out]),
        _string_column(labels, rb[out]),
        pa.array(rd[out]),
        pa.array(rn[out]),
        pa.array(expected[out]),
        pa.array(p[out]),
        pa.array(q[out]),
    ]
    names = list(_SPACING_COLUMNS)
    if orientation:
        codes = pa.array(o_code[out].astype(np.int32))
        columns.append(pa.DictionaryArray.from_arrays(codes, pa.array(ORIENTATIONS)).cast(pa.string()))
        names.append("orientation")
    return Result(pa.table(columns, names=names), kind="enrich_spacing", motif_names=labels)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: float = 0.0) -> np.ndarray:
    """``values[i]`` where ``keys[i] == query`` (``keys`` sorted, unique), else ``default``."""
    out = np.full(query.shape, default, dtype=np.float64)
    if keys.size == 0:
        return out
    pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    hit = keys[pos] == query
    out[hit] = values[pos[hit]]
    return out


def _shuffle_null(shuf: pa.Table, rf, rd, width: int, max_distance: int, orientation: bool) -> np.ndarray:
    """``p0(d) = (S(d) + 1) / (S_total + max_distance)`` from the shuffled counts ``S``."""
    a = shuf["a"].to_numpy().astype(np.int64)
    b = shuf["b"].to_numpy().astype(np.int64)
    d = shuf["distance"].to_numpy().astype(np.int64)
    s = shuf["n"].to_numpy().astype(np.float64)
    fam = _family_codes(a, b, shuf["orientation"].to_numpy().astype(np.int64), width)
    ufam, inv = np.unique(fam, return_inverse=True)
    tot = np.bincount(inv, weights=s, minlength=ufam.size)
    cells, cell_inv = np.unique(fam * max_distance + d, return_inverse=True)
    cell_n = np.bincount(cell_inv, weights=s, minlength=cells.size)
    s_d = _lookup(cells, cell_n, rf * max_distance + rd)
    s_tot = _lookup(ufam, tot, rf)
    return (s_d + 1.0) / (s_tot + max_distance)


def _report_keys(store: Any, by: str, labels: list[str], names: Any) -> Optional[set[int]]:
    if names is None:
        return None
    if by == "motif":
        return set(resolve_motifs(store, names))
    if isinstance(names, (str, int, np.integer)):
        names = [names]
    index = {label: i for i, label in enumerate(labels) if label}
    out = set()
    for x in names:
        if isinstance(x, (int, np.integer)) or (isinstance(x, str) and x.isdigit() and x not in index):
            if not 0 <= int(x) < len(labels):
                raise BadInputError(f"cluster index {x} is outside the store's {len(labels)} clusters")
            out.add(int(x))
        elif str(x) in index:
            out.add(index[str(x)])
        else:
            raise BadInputError(f"no cluster {x!r} in the store")
    return out


def _match(fa: np.ndarray, fb: np.ndarray, ka: Optional[set[int]], kb: Optional[set[int]]) -> np.ndarray:
    """Families (a, b) whose keys match (motif_a, motif_b) in either order."""
    def isin(x, keys):
        return np.ones(x.size, dtype=bool) if keys is None else np.isin(x, list(keys))

    return (isin(fa, ka) & isin(fb, kb)) | (isin(fb, ka) & isin(fa, kb))
