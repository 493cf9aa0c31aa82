"""TOMTOM motif comparison with numba, agreeing with MEME suite ``tomtom`` (5.5.x).

Two entry points share one arithmetic (meme-reference.md §2):

* :func:`tomtom` compares query motifs with target motifs and returns MEME's
  ranked matches (p, E and q-values, offsets, overlaps, orientations,
  consensus sequences) as a long Arrow table.
* :func:`annotate_seqlets` labels one-hot seqlet windows with their best target
  motifs, returning tangermeme-shaped ``(idxs, pvals)`` tensors; the p-values are
  MEME TOMTOM p-values.  :func:`annotate_store` does the same for the seqlets of a
  store and writes a ``matches`` run.

MEME semantics implemented (``tomtom`` defaults): the ``ed`` column similarity
(negated Euclidean distance; ``pearson`` and ``sandelin`` on request), complete
scores (unaligned query columns score the column's shifted "median"),
``-min-overlap 1``, targets compared in both orientations (reverse complements
interleaved after each target), query and target pseudocounts
``(N p + 0.1 b) / (N + 0.1)`` with ``N = nsites`` (20 when absent) and ``b`` the
query file's background (uniform when absent), symmetrised and normalised as MEME
does; the query-by-all-target-columns score matrix is median-shifted, scaled to
integers in ``[0, 100]``, the null of every contiguous query span is computed by
dynamic programming over uniformly drawn target columns, and a target's p-value
is the probability that the best of all ``Q + L - 1`` alignments of a random
target of its width, in both orientations, scores at least as well (stored as
float32, like MEME).  ``E = p * N``; q-values over the ``2N`` (target,
orientation) entries of a query; the better orientation represents a target.

Seqlet queries (:func:`annotate_seqlets`) are treated exactly as MEME ``tomtom``
would treat the windows written to a MEME file without ``nsites`` and without a
background block: ``nsites = 20``, a uniform background, pseudocount 0.1; an
``N`` (all-zero one-hot column) is a uniform column.  Because such queries are
built from at most five distinct column types, everything that depends only on
the column types (score rows, medians, span null distributions, which depend
only on the letter counts of the span) is computed once and shared by all
seqlets.

Deliberate departures from MEME: no ``-internal``, no ``allr``/``kullback``/
``blic``/``llr`` distances, no ``-bfile``; queries wider than 100 columns are
rejected (MEME skips them with a warning).  For seqlets the p-value of a target
is evaluated directly as ``1 - prod(1 - P_c)`` (in log space) rather than through
MEME's pmf-of-the-maximum table; the two agree to rounding (~1e-15 relative).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numba
import numpy as np
from numba import prange

from .errors import BadInputError

__all__ = ["tomtom", "annotate_seqlets", "annotate_store", "TOMTOM_COLUMNS", "write_tomtom_tsv"]

BINS = 100  # MEME's range for the scaled column scores
MAX_QUERY_WIDTH = 100  # TOMTOM_MAX_QUERY_WIDTH
_DISTS = {"ed": 0, "pearson": 1, "sandelin": 2}
_LETTERS = "ACGT"

#: Column names of MEME's ``tomtom.tsv``.
TOMTOM_COLUMNS = (
    "Query_ID",
    "Target_ID",
    "Optimal_offset",
    "p-value",
    "E-value",
    "q-value",
    "Overlap",
    "Query_consensus",
    "Target_consensus",
    "Orientation",
)


def _numba():
    return numba


def _kernels() -> dict:
    return {
        "column_scores": _column_scores,
        "shift_rows": _shift_rows,
        "compare_queries": _compare_queries,
        "query_masks": _query_masks,
        "scale_subsets": _scale_subsets,
        "span_keys": _span_keys,
        "parent_keys": _parent_keys,
        "key_levels": _key_levels,
        "added_types": _added_types,
        "build_pmfs": _build_pmfs,
        "pad_rows": _pad_rows,
        "annotate_queries": _annotate_queries,
    }


# =============================================================================================
# preparation of motifs (pseudocounts, backgrounds, reverse complements, consensus)
# =============================================================================================


@dataclass
class _Targets:
    names: list  # original target ids (N)
    cols: np.ndarray  # (t, 4) float64: pseudocounted columns of T0, T0rc, T1, T1rc, ... (or T0, T1, ...)
    starts: np.ndarray  # (E + 1,) int64 column offsets of the entries
    widths: np.ndarray  # (E,) int64
    n_orient: int  # 2 with reverse complements, 1 without
    matrices: list  # pseudocounted (4, w) of every entry (rc included), for consensus
    st_rank: np.ndarray  # (E,) int64: rank of MEME's strand-prefixed id ("+ID" / "-ID") under strcmp


def _query_background(qset) -> np.ndarray:
    from .motifs import symmetrised

    bg = qset.background if qset.background is not None else np.full(4, 0.25)
    return symmetrised(bg)


def _pseudo(pwm: np.ndarray, nsites, bg: np.ndarray, pseudo: float) -> np.ndarray:
    if pseudo == 0:
        return np.array(pwm, dtype=np.float64)
    n = nsites if nsites and nsites > 0 else 20.0
    return (n * np.asarray(pwm, dtype=np.float64) + pseudo * bg[:, None]) / (n + pseudo)


def _prepare_targets(tset, bg_targets: np.ndarray, pseudo: float, rc: bool) -> _Targets:
    mats = []
    ids = []
    for m in tset:
        p = _pseudo(m.pwm, m.nsites, bg_targets, pseudo)
        mats.append(p)
        ids.append("+" + m.name)
        if rc:
            mats.append(np.ascontiguousarray(p[::-1, ::-1]))
            ids.append("-" + m.name)
    widths = np.array([x.shape[1] for x in mats], dtype=np.int64)
    starts = np.zeros(len(mats) + 1, dtype=np.int64)
    np.cumsum(widths, out=starts[1:])
    cols = np.ascontiguousarray(np.concatenate([x.T for x in mats], axis=0))
    order = sorted(range(len(ids)), key=lambda i: ids[i].encode("utf-8"))
    st_rank = np.empty(len(ids), dtype=np.int64)
    st_rank[np.array(order, dtype=np.int64)] = np.arange(len(ids))
    return _Targets(list(tset.names), cols, starts, widths, 2 if rc else 1, mats, st_rank)


def _consensus(pwm: np.ndarray) -> str:
    """MEME's ``get_cons``: first letter with the maximal probability, compared against a float32 max."""
    out = []
    for col in np.asarray(pwm, dtype=np.float64).T:
        best = np.float32(col[0])
        letter = 0
        for a in range(1, 4):
            if col[a] > float(best):
                best = np.float32(col[a])
                letter = a
        out.append(_LETTERS[letter])
    return "".join(out)


# =============================================================================================
# q-values (MEME qvalue.c: Storey pi0 + BH step-up)
# =============================================================================================


def _qvalues_sorted(p_sorted: np.ndarray, rng) -> np.ndarray:
    """q-values of ascending p-values, MEME style (``compute_qvalues`` with pi0 estimation).

    ``rng`` is the run's :class:`annostore.qvalues.MemeRandom` stream; MEME estimates pi0
    (Storey bootstrap) only from more than 100 p-values, else pi0 = 1.
    """
    from .qvalues import estimate_pi0, qvalues

    pi0 = estimate_pi0(p_sorted, rng) if p_sorted.shape[0] > 100 else 1.0
    return qvalues(p_sorted, p_sorted.shape[0], pi0)


# =============================================================================================
# the general comparison (any query matrices): per query exactly MEME's computation
# =============================================================================================


def _compare_general(qmats: list, targets: _Targets, dist: int, complete: bool, min_overlap: int):
    """Per query and target entry: p (float64), offset, overlap (arrays ``(nQ, E)``)."""
    k = _kernels()
    numba = _numba()
    E = targets.widths.shape[0]
    nq = len(qmats)
    qw = np.array([m.shape[1] for m in qmats], dtype=np.int64)
    qstarts = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(qw, out=qstarts[1:])
    qcols = np.ascontiguousarray(np.concatenate([m.T for m in qmats], axis=0)) if nq else np.zeros((0, 4))
    uw = np.unique(targets.widths)
    wlookup = np.full(int(targets.widths.max()) + 1, -1, dtype=np.int64)
    wlookup[uw] = np.arange(uw.shape[0])
    p = np.empty((nq, E), dtype=np.float64)
    off = np.empty((nq, E), dtype=np.int64)
    ovl = np.empty((nq, E), dtype=np.int64)
    old = numba.get_parallel_chunksize() if hasattr(numba, "get_parallel_chunksize") else None
    try:
        if old is not None:
            numba.set_parallel_chunksize(1)
        k["compare_queries"](
            qcols, qstarts, targets.cols, targets.starts, targets.widths, uw, wlookup,
            dist, complete, min_overlap, targets.n_orient, p, off, ovl,
        )
    finally:
        if old is not None:
            numba.set_parallel_chunksize(old)
    return p, off, ovl


def _as_motif_set(x, what: str):
    from .motifs import read_motifs

    try:
        mset = read_motifs(x)
    except BadInputError:
        raise
    if len(mset) == 0:
        raise BadInputError(f"no {what} motifs")
    return mset


def tomtom(
    queries,
    targets,
    *,
    dist: str = "ed",
    n_nearest: Optional[int] = None,
    thresh: Optional[float] = None,
    evalue: bool = False,
    min_overlap: int = 1,
    norc: bool = False,
    complete_scores: bool = True,
    motif_pseudo: float = 0.1,
    background=None,
):
    """Compare query motifs with target motifs, as MEME ``tomtom`` does.

    Parameters
    ----------
    queries, targets
        Anything :func:`annostore.motifs.read_motifs` accepts: a MEME/JASPAR file
        path, a :class:`~annostore.motifs.MotifSet`, a ``{name: (4, w) array}``
        dict or a list of ``(4, w)`` arrays.
    dist : {"ed", "pearson", "sandelin"}
        Column similarity (MEME ``-dist``; default ``ed``, MEME's default).
    n_nearest : int, optional
        Keep only the ``n_nearest`` best targets of each query.
    thresh : float, optional
        Keep matches with q-value ``<= thresh`` (E-value with ``evalue=True``);
        like MEME, rows are walked in rank order and the walk stops at the first
        one above the threshold.  ``None`` keeps every target (MEME's default is
        0.5; the CLI applies it).
    evalue : bool
        Apply ``thresh`` to the E-value instead of the q-value (MEME ``-evalue``).
    min_overlap : int
        Minimum number of aligned columns (MEME ``-min-overlap``).
    norc : bool
        Do not compare the reverse complements of the targets (MEME ``-norc``).
    complete_scores : bool
        MEME's default complete scoring; ``False`` is ``-incomplete-scores``.
    motif_pseudo : float
        Total pseudocount added to query and target columns (MEME ``-motif-pseudo``).
    background : (4,) array, optional
        Background for the pseudocounts; default the query file's background
        block (uniform if it has none), symmetrised as MEME does.

    Returns
    -------
    pyarrow.Table
        One row per (query, kept target), queries in input order, targets in
        rank order: ``query_idx, query, target_idx, target, rank, p_value,
        e_value, q_value, offset, overlap, orientation, query_consensus,
        target_consensus``.  ``offset`` is MEME's ``Optimal_offset`` (position
        of query column 0 relative to target column 0, in the frame of the
        target as aligned: its reverse complement when ``orientation`` is
        ``'-'``).  p, E and q are MEME's values before its float32 printing.

    Examples
    --------
    >>> table = annostore.tomtom("query.meme", "JASPAR.meme", n_nearest=5)  # doctest: +SKIP
    """
    import pyarrow as pa

    if dist not in _DISTS:
        raise BadInputError(f"unknown distance {dist!r}; choose one of {', '.join(_DISTS)}")
    if min_overlap < 1:
        raise BadInputError(f"min_overlap must be >= 1, got {min_overlap}")
    if n_nearest is not None and n_nearest < 1:
        raise BadInputError(f"n_nearest must be >= 1, got {n_nearest}")
    if motif_pseudo < 0:
        raise BadInputError(f"motif_pseudo must be >= 0, got {motif_pseudo}")
    qset = _as_motif_set(queries, "query")
    tset = _as_motif_set(targets, "target")
    for m in qset:
        if m.width > MAX_QUERY_WIDTH:
            raise BadInputError(f"query motif {m.name!r} is wider than {MAX_QUERY_WIDTH} columns ({m.width})")
    if len(tset) < 50:
        warnings.warn(
            f"target database size too small ({len(tset)}) for accurate p-values; MEME recommends at least 50",
            stacklevel=2,
        )
    if background is not None:
        from .motifs import symmetrised

        qbg = symmetrised(np.asarray(background, dtype=np.float64))
    else:
        qbg = _query_background(qset)
    from .motifs import normalised_background

    tbg = normalised_background(qbg)  # MEME normalises the query background a second time for targets
    tg = _prepare_targets(tset, tbg, motif_pseudo, not norc)
    qmats = [_pseudo(m.pwm, m.nsites, qbg, motif_pseudo) for m in qset]
    p, off, ovl = _compare_general(qmats, tg, _DISTS[dist], complete_scores, int(min_overlap))
    return _rank_table(qset, qmats, tg, p, off, ovl, complete_scores, n_nearest, thresh, evalue, pa)


def _rank_table(qset, qmats, tg: _Targets, p, off, ovl, complete, n_nearest, thresh, evalue, pa):
    N = len(tg.names)
    E_entries = tg.widths.shape[0]
    cols: dict = {c: [] for c in (
        "query_idx", "query", "target_idx", "target", "rank", "p_value", "e_value", "q_value",
        "offset", "overlap", "orientation", "query_consensus", "target_consensus")}
    tcons_cache: dict = {}
    from .qvalues import MemeRandom

    rng = MemeRandom()  # a fresh tomtom process: one stream, continued query after query
    for qi, qm in enumerate(qset):
        pq = p[qi]
        # MEME's sort: p ascending, overlap descending, (db), strand-prefixed id (strcmp)
        order = np.lexsort((tg.st_rank, -ovl[qi], pq))
        ps = pq[order]
        qv = _qvalues_sorted(ps, rng)
        if complete:
            ev = ps * E_entries / tg.n_orient
        else:
            ev = ps * N
        qcons = _consensus(qmats[qi])
        seen = set()
        rank = 0
        for pos in range(E_entries):
            if thresh is not None and (ev[pos] if evalue else qv[pos]) > thresh:
                break
            e = int(order[pos])
            t = e // tg.n_orient
            if t in seen:
                continue
            seen.add(t)
            rank += 1
            if e not in tcons_cache:
                tcons_cache[e] = _consensus(tg.matrices[e])
            cols["query_idx"].append(qi)
            cols["query"].append(qm.name)
            cols["target_idx"].append(t)
            cols["target"].append(tg.names[t])
            cols["rank"].append(rank)
            cols["p_value"].append(float(ps[pos]))
            cols["e_value"].append(float(ev[pos]))
            cols["q_value"].append(float(qv[pos]))
            cols["offset"].append(int(off[qi, e]))
            cols["overlap"].append(int(ovl[qi, e]))
            cols["orientation"].append("-" if (tg.n_orient == 2 and e % 2 == 1) else "+")
            cols["query_consensus"].append(qcons)
            cols["target_consensus"].append(tcons_cache[e])
            if n_nearest is not None and rank >= n_nearest:
                break
    schema = pa.schema([
        ("query_idx", pa.int32()), ("query", pa.string()), ("target_idx", pa.int32()), ("target", pa.string()),
        ("rank", pa.int32()), ("p_value", pa.float64()), ("e_value", pa.float64()), ("q_value", pa.float64()),
        ("offset", pa.int32()), ("overlap", pa.int32()), ("orientation", pa.string()),
        ("query_consensus", pa.string()), ("target_consensus", pa.string()),
    ])
    return pa.table(cols, schema=schema)


def write_tomtom_tsv(table, out, *, command: str = "annostore tomtom") -> None:
    """Write a :func:`tomtom` table in MEME's ``tomtom.tsv`` format.

    p, E and q are printed with ``%g`` after a float32 cast, like MEME; a blank
    line and ``#`` comment lines follow the rows.

    Parameters
    ----------
    table : pyarrow.Table
        The result of :func:`tomtom`.
    out : text file object
    command : str
        The command line, recorded in a trailing comment.
    """
    from . import __version__

    out.write("\t".join(TOMTOM_COLUMNS) + "\n")
    d = table.to_pydict()
    for i in range(table.num_rows):
        out.write(
            "%s\t%s\t%d\t%g\t%g\t%g\t%d\t%s\t%s\t%s\n"
            % (
                d["query"][i], d["target"][i], d["offset"][i],
                float(np.float32(d["p_value"][i])), float(np.float32(d["e_value"][i])),
                float(np.float32(d["q_value"][i])), d["overlap"][i],
                d["query_consensus"][i], d["target_consensus"][i], d["orientation"][i],
            )
        )
    out.write("\n")
    out.write(f"# Tomtom (Motif Comparison Tool): annostore {__version__} (MEME tomtom 5.5 arithmetic)\n")
    out.write("# The format of this file is described at https://meme-suite.org/meme/doc/tomtom-output-format.html.\n")
    out.write(f"# {command}\n")


# =============================================================================================
# seqlet annotation (one-hot queries; shared column types)
# =============================================================================================


def _seqlet_table(seqlets):
    """(example_idx, start, end) int64 arrays from the first three columns of ``seqlets``."""
    if hasattr(seqlets, "iloc"):  # pandas
        arr = seqlets.iloc[:, :3].to_numpy()
    elif hasattr(seqlets, "column_names") and hasattr(seqlets, "column"):  # pyarrow Table
        if seqlets.num_columns < 3:
            raise BadInputError("seqlets need at least 3 columns: example_idx, start, end")
        arr = np.stack([np.asarray(seqlets.column(i).to_numpy(zero_copy_only=False)) for i in range(3)], axis=1)
    else:
        if hasattr(seqlets, "detach"):
            seqlets = seqlets.detach().cpu().numpy()
        arr = np.asarray(seqlets)
        if arr.ndim != 2:
            raise BadInputError(f"seqlets must be a 2-D table (example_idx, start, end, ...), got shape {arr.shape}")
    if arr.ndim != 2 or arr.shape[1] < 3:
        raise BadInputError("seqlets need at least 3 columns: example_idx, start, end")
    try:
        f = arr[:, :3].astype(np.float64)
    except (TypeError, ValueError):
        raise BadInputError("seqlet example_idx/start/end must be numbers") from None
    if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
        raise BadInputError("seqlet example_idx/start/end must be whole numbers")
    a = f.astype(np.int64)
    return np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1]), np.ascontiguousarray(a[:, 2])


def _one_hot_codes(X) -> tuple[np.ndarray, bool]:
    """(n, L) uint8 codes (4 = N) from a one-hot (n, 4, L) array; flag False when X is not one-hot."""
    if hasattr(X, "detach"):
        X = X.detach().cpu().numpy()
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[1] != 4:
        raise BadInputError(f"X must be one-hot sequences of shape (n, 4, L), got {X.shape}")
    sums = X.sum(axis=1)
    onehot = bool(np.all((X == 0) | (X == 1)) and np.all((sums == 0) | (sums == 1)))
    codes = np.where(sums == 0, 4, X.argmax(axis=1)).astype(np.uint8)
    return np.ascontiguousarray(codes), onehot


def _check_windows(ex, st, en, n, length):
    if ex.shape[0] == 0:
        return
    if ex.min() < 0 or ex.max() >= n:
        raise BadInputError(f"seqlet example_idx out of range [0, {n})")
    if st.min() < 0 or np.any(en > length if np.isscalar(length) else en > length[ex]):
        raise BadInputError("seqlet start/end outside the sequence")
    w = en - st
    if w.min() < 1:
        raise BadInputError("every seqlet needs end > start")
    if w.max() > MAX_QUERY_WIDTH:
        raise BadInputError(f"seqlets wider than {MAX_QUERY_WIDTH} bp cannot be TOMTOM queries (MEME's limit)")


@dataclass
class _Matches:
    idx: np.ndarray  # (n, k) int64 target index (-1 when fewer targets)
    p: np.ndarray  # (n, k) float64
    offset: np.ndarray
    overlap: np.ndarray
    orient: np.ndarray  # (n, k) int8: 0 '+', 1 '-'


def _annotate_codes(codes_flat, qstart, qwidth, tg: _Targets, k_near: int, dist: int) -> _Matches:
    """Fast path: one-hot queries given as codes (0-3 ACGT, 4 N)."""
    from .motifs import symmetrised

    kern = _kernels()
    nq = qstart.shape[0]
    qbg = symmetrised(np.full(4, 0.25))
    # the five column types a one-hot window can hold, pseudocounted as MEME would
    base = np.vstack([np.eye(4), np.full((1, 4), 0.25)])
    tcols_types = np.ascontiguousarray((20.0 * base + 0.1 * qbg[None, :]) / 20.1)
    rows = kern["column_scores"](tcols_types, tg.cols, dist)  # (5, t)
    kern["shift_rows"](rows)
    masks = kern["query_masks"](codes_flat, qstart, qwidth)
    umasks = np.unique(masks)
    mask_slot = np.full(32, -1, dtype=np.int64)
    mask_slot[umasks] = np.arange(umasks.shape[0])
    qmax = int(qwidth.max()) if nq else 1
    ints, zs, hist = kern["scale_subsets"](rows, umasks.astype(np.int64))
    # span keys -> unique pmfs (with the chain of parents each one is built from)
    nspan = qwidth * (qwidth + 1) // 2
    span_off = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(nspan, out=span_off[1:])
    keys = np.empty(int(span_off[-1]), dtype=np.int64)
    kern["span_keys"](codes_flat, qstart, qwidth, masks, span_off, keys)
    ukeys = np.unique(keys)
    allkeys = ukeys
    frontier = ukeys
    while True:
        par = kern["parent_keys"](frontier)
        par = np.unique(par[par >= 0])
        new = np.setdiff1d(par, allkeys, assume_unique=True)
        if new.shape[0] == 0:
            break
        allkeys = np.union1d(allkeys, new)
        frontier = new
    levels = kern["key_levels"](allkeys)
    order = np.argsort(levels, kind="stable")
    allkeys = allkeys[order]
    levels = levels[order]
    # keep allkeys sorted by level; make a sorted copy for lookups
    lookup_sorted = np.argsort(allkeys)
    sorted_keys = allkeys[lookup_sorted]
    parents = kern["parent_keys"](allkeys)
    parent_pos = np.full(allkeys.shape[0], -1, dtype=np.int64)
    has = parents >= 0
    parent_pos[has] = lookup_sorted[np.searchsorted(sorted_keys, parents[has])]
    added_type = kern["added_types"](allkeys)
    lens = levels * BINS + 1
    pool_off = np.zeros(allkeys.shape[0] + 1, dtype=np.int64)
    np.cumsum(lens, out=pool_off[1:])
    pmf = np.zeros(int(pool_off[-1]), dtype=np.float64)
    sv = np.zeros(int(pool_off[-1]), dtype=np.float64)
    level_bounds = np.searchsorted(levels, np.arange(int(levels.max()) + 2) if levels.shape[0] else np.zeros(1, np.int64))
    slot_of_key = mask_slot[(allkeys >> 35) & 31]
    kern["build_pmfs"](allkeys, levels, level_bounds, parent_pos, added_type, slot_of_key, hist,
                       1.0 / tg.cols.shape[0], pool_off, pmf, sv)
    del pmf
    span_pos = lookup_sorted[np.searchsorted(sorted_keys, keys)]
    # targets grouped by width
    worder = np.argsort(tg.widths, kind="stable").astype(np.int64)
    uw, gstart = np.unique(tg.widths[worder], return_index=True)
    gbounds = np.append(gstart, worder.shape[0]).astype(np.int64)
    pad = qmax  # >= Q: every alignment window starts inside the layout
    padded, pstart = kern["pad_rows"](ints, zs, tg.starts, pad)
    k_eff = min(k_near, len(tg.names))
    out_idx = np.full((nq, k_eff), -1, dtype=np.int64)
    out_p = np.ones((nq, k_eff), dtype=np.float64)
    out_off = np.zeros((nq, k_eff), dtype=np.int64)
    out_ovl = np.zeros((nq, k_eff), dtype=np.int64)
    out_or = np.zeros((nq, k_eff), dtype=np.int8)
    kern["annotate_queries"](
        codes_flat, qstart, qwidth, masks, mask_slot, zs, padded, pstart, pad, tg.widths, worder, uw, gbounds,
        tg.st_rank, tg.n_orient, span_off, span_pos, pool_off, sv, k_eff,
        out_idx, out_p, out_off, out_ovl, out_or,
    )
    return _Matches(out_idx, out_p, out_off, out_ovl, out_or)


def _annotate_general(X_codes_or_pwms, tg: _Targets, k_near: int, dist: int) -> _Matches:
    """Slow path for windows that are not one-hot: each window is a MEME query motif."""
    from .motifs import symmetrised

    qbg = symmetrised(np.full(4, 0.25))
    qmats = []
    for w in X_codes_or_pwms:
        w = np.asarray(w, dtype=np.float64)
        tot = w.sum(axis=0)
        w = np.where(tot[None, :] > 0, w / np.where(tot > 0, tot, 1.0)[None, :], 0.25)
        qmats.append(_pseudo(w, None, qbg, 0.1))
    p, off, ovl = _compare_general(qmats, tg, dist, True, 1)
    nq = len(qmats)
    k_eff = min(k_near, len(tg.names))
    res = _Matches(
        np.full((nq, k_eff), -1, np.int64), np.ones((nq, k_eff)), np.zeros((nq, k_eff), np.int64),
        np.zeros((nq, k_eff), np.int64), np.zeros((nq, k_eff), np.int8),
    )
    for qi in range(nq):
        order = np.lexsort((tg.st_rank, -ovl[qi], p[qi]))
        seen = set()
        r = 0
        for e in order:
            t = int(e) // tg.n_orient
            if t in seen:
                continue
            seen.add(t)
            res.idx[qi, r] = t
            res.p[qi, r] = p[qi, e]
            res.offset[qi, r] = off[qi, e]
            res.overlap[qi, r] = ovl[qi, e]
            res.orient[qi, r] = 1 if (tg.n_orient == 2 and e % 2 == 1) else 0
            r += 1
            if r >= k_eff:
                break
    return res


def _match_seqlets(X, seqlets, motifs, n_nearest: int, dist: str = "ed", norc: bool = False):
    from .motifs import normalised_background, symmetrised

    if n_nearest is None or int(n_nearest) < 1:
        raise BadInputError(f"n_nearest must be >= 1, got {n_nearest}")
    if dist not in _DISTS:
        raise BadInputError(f"unknown distance {dist!r}; choose one of {', '.join(_DISTS)}")
    tset = _as_motif_set(motifs, "target")
    codes, onehot = _one_hot_codes(X)
    ex, st, en = _seqlet_table(seqlets)
    n, length = codes.shape
    _check_windows(ex, st, en, n, length)
    qbg = symmetrised(np.full(4, 0.25))
    tg = _prepare_targets(tset, normalised_background(qbg), 0.1, not norc)
    if ex.shape[0] == 0:
        k_eff = min(int(n_nearest), len(tset))
        z = np.zeros((0, k_eff), np.int64)
        return _Matches(z, np.zeros((0, k_eff)), z, z, np.zeros((0, k_eff), np.int8)), tset
    if onehot:
        flat = np.ascontiguousarray(codes.reshape(-1))
        qstart = (ex * length + st).astype(np.int64)
        qwidth = (en - st).astype(np.int64)
        res = _annotate_codes(flat, qstart, qwidth, tg, int(n_nearest), _DISTS[dist])
    else:
        Xn = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
        wins = [Xn[e, :, s:t] for e, s, t in zip(ex, st, en)]
        res = _annotate_general(wins, tg, int(n_nearest), _DISTS[dist])
    return res, tset


def annotate_seqlets(X, seqlets, motifs, n_nearest: int = 1, **kwargs):
    """Label seqlets with their most similar motifs (TOMTOM, MEME p-values).

    A drop-in for ``tangermeme.annotate.annotate_seqlets`` whose p-values are
    MEME ``tomtom`` p-values (memelite's are approximations).

    Parameters
    ----------
    X : numpy.ndarray or torch.Tensor
        One-hot sequences ``(n, 4, L)``, rows A, C, G, T; an all-zero column is N.
        (Non one-hot windows are compared as letter-probability matrices, slower.)
    seqlets : pandas.DataFrame, pyarrow.Table or array
        The first three columns, by position, are ``example_idx, start, end``
        (0-based, half-open), as in tangermeme.
    motifs : str, dict or MotifSet
        Target motifs (a MEME file path, a ``{name: pwm}`` dict, ...); returned
        indices refer to their order.
    n_nearest : int
        Number of best targets per seqlet.
    **kwargs
        ``dist`` ("ed" default, "pearson", "sandelin") and ``norc``;
        tangermeme/memelite tuning arguments (``n_jobs``, ``n_score_bins``, ...)
        are accepted and ignored.

    Returns
    -------
    idxs : torch.Tensor
        ``int32 (n_seqlets, n_nearest)`` target indices, best first (MEME's order:
        p-value, then overlap, then target id).
    pvals : torch.Tensor
        ``float64 (n_seqlets, n_nearest)`` MEME TOMTOM p-values (float32-rounded,
        like MEME) of the better orientation of each target.

    Notes
    -----
    Each window is treated as a MEME motif with ``nsites`` 20 and a uniform
    background (what MEME ``tomtom`` does with the window written to a MEME file
    without ``nsites`` and background), pseudocount 0.1; an N column is uniform.

    Examples
    --------
    >>> idxs, pvals = annostore.annotate_seqlets(X, seqlets, "JASPAR.meme")  # doctest: +SKIP
    """
    import torch

    dist = kwargs.pop("dist", "ed")
    norc = bool(kwargs.pop("norc", not kwargs.pop("reverse_complement", True)))
    res, _ = _match_seqlets(X, seqlets, motifs, n_nearest, dist=dist, norc=norc)
    return torch.from_numpy(res.idx.astype(np.int32)), torch.from_numpy(res.p.astype(np.float64))


# =============================================================================================
# the store
# =============================================================================================


def annotate_store(
    store,
    seqlet_run: Optional[int] = None,
    motifs=None,
    n_nearest: int = 1,
    *,
    dist: str = "ed",
    norc: bool = False,
    run: Optional[str] = None,
) -> int:
    """Annotate the seqlets of a store run with TOMTOM and store the matches.

    Parameters
    ----------
    store : annostore.Store
        An open, writable store.
    seqlet_run : int, optional
        The seqlets run to annotate (default: the latest seqlets run).
    motifs : optional
        Target motifs: ``None`` for all the store's motifs, a list of stored
        motif names, or a motif file/dict (its motifs must be in the store, so
        that ``motif_idx`` refers to the store's motif table).
    n_nearest : int
        Matches kept per seqlet (rank 1 = best).
    dist, norc
        As in :func:`tomtom`.
    run : str, optional
        Name of the new matches run.

    Returns
    -------
    int
        The ``run_id`` of the new ``matches`` run (``parent_run_id`` = the seqlets run).

    Examples
    --------
    >>> run_id = annostore.annotate_store(store, n_nearest=3)  # doctest: +SKIP
    """
    import pyarrow as pa

    from . import resources

    stored = store.motif_set()
    if len(stored) == 0:
        raise BadInputError("the store has no motifs; add some first (annostore motifs add)")
    if motifs is None:
        tset = stored
    else:
        if isinstance(motifs, (list, tuple)) and all(isinstance(m, str) for m in motifs) and not (
            len(motifs) == 1 and _looks_like_file(motifs[0])
        ):
            names = list(motifs)
        else:
            src = motifs[0] if isinstance(motifs, (list, tuple)) else motifs
            names = [m.name for m in _as_motif_set(src, "target")]
        tset = stored.select(names)
    target_idx = np.array([stored.index(m.name) for m in tset], dtype=np.int64)
    con = store.con
    if seqlet_run is None:
        rows = con.execute(resources.sql("select_latest_run"), {"kind": "seqlets"}).fetchall()
        row = rows[0] if rows else None
        if row is None or row[0] is None:
            raise BadInputError("the store has no seqlets run to annotate")
        seqlet_run = int(row[0])
    else:
        rows = con.execute(resources.sql("store_run_by_id"), {"run_id": int(seqlet_run)}).fetchall()
        row = rows[0] if rows else None
        if row is None:
            raise BadInputError(f"no run with id {seqlet_run}")
        if row[1] != "seqlets":
            raise BadInputError(f"run {seqlet_run} is a {row[1]} run, not a seqlets run")
    tab = con.sql(resources.sql("tomtom_seqlets_of_run"), params={"run_id": int(seqlet_run)}).to_arrow_table()
    seq_ids = tab.column("seqlet_id").to_numpy()
    ex = tab.column("example_idx").to_numpy().astype(np.int64)
    st = tab.column("start").to_numpy().astype(np.int64)
    en = tab.column("end").to_numpy().astype(np.int64)
    seqs = store.sequences()
    if ex.shape[0] and ex.max() >= len(seqs):
        raise BadInputError("seqlets refer to examples that have no stored sequence")
    lengths = seqs.lengths
    if ex.shape[0]:
        _check_windows(ex, st, en, len(seqs), lengths)
    from .motifs import normalised_background, symmetrised

    qbg = symmetrised(np.full(4, 0.25))
    tg = _prepare_targets(tset, normalised_background(qbg), 0.1, not norc)
    k_eff = min(int(n_nearest), len(tset))
    if ex.shape[0]:
        qstart = (seqs.offsets[ex] + st).astype(np.int64)
        qwidth = (en - st).astype(np.int64)
        res = _annotate_codes(np.ascontiguousarray(seqs.codes), qstart, qwidth, tg, int(n_nearest), _DISTS[dist])
    else:
        z = np.zeros((0, k_eff), np.int64)
        res = _Matches(z, np.zeros((0, k_eff)), z, z, np.zeros((0, k_eff), np.int8))
    n = ex.shape[0]
    valid = res.idx >= 0
    rows_seqlet = np.repeat(seq_ids, k_eff).reshape(n, k_eff)[valid]
    ranks = np.tile(np.arange(1, k_eff + 1, dtype=np.int32), (n, 1))[valid]
    local = res.idx[valid]
    midx = target_idx[local].astype(np.int32)
    names = np.array(stored.names, dtype=object)[midx] if midx.shape[0] else np.array([], dtype=object)
    pv = res.p[valid]
    batch = pa.table(
        {
            "seqlet_run_id": pa.array(np.full(pv.shape[0], int(seqlet_run), np.int32)),
            "seqlet_id": pa.array(rows_seqlet.astype(np.int64)),
            "rank": pa.array(ranks.astype(np.int32)),
            "motif_idx": pa.array(midx),
            "motif": pa.array(list(names), type=pa.string()),
            "p_value": pa.array(pv),
            "e_value": pa.array(pv * len(tset)),
            "q_value": pa.array([None] * pv.shape[0], type=pa.float64()),
            "offset": pa.array(res.offset[valid].astype(np.int32)),
            "overlap": pa.array(res.overlap[valid].astype(np.int32)),
            "orientation": pa.array(np.where(res.orient[valid] == 1, "-", "+").tolist(), type=pa.string()),
        }
    )
    from . import __version__

    params = {"n_nearest": int(n_nearest), "dist": dist, "norc": bool(norc), "motif_pseudo": 0.1,
              "n_targets": len(tset), "complete_scores": True}
    with store.begin_run(
        "matches", name=run, tool="annostore.tomtom", tool_version=__version__, params=params,
        parent_run_id=int(seqlet_run),
    ) as r:
        r.write(batch)
        run_id = r.run_id
    return int(run_id)


def _looks_like_file(s: str) -> bool:
    import os

    return os.path.exists(s)


# =============================================================================================
# numba kernels (cache=True: a second process does not pay the JIT again)
# =============================================================================================

_NJ = dict(cache=True, nogil=True)


@numba.njit(**_NJ)
def _rnd14(x):
    # MEME 5.5 RND(x, 14): round to 14 significant digits
    if x == 0.0 or not np.isfinite(x):
        return x
    d = 14 - int(math.ceil(math.log10(abs(x))))
    f = 10.0 ** d
    return np.round(x * f) / f


@numba.njit(**_NJ)
def _column_scores(q, t, dist):
    """Similarity of every query column (rows of q) with every target column (rows of t)."""
    nq = q.shape[0]
    nt = t.shape[0]
    out = np.empty((nq, nt))
    for i in range(nq):
        for j in range(nt):
            if dist == 0:  # ed
                s = 0.0
                for a in range(4):
                    d = q[i, a] - t[j, a]
                    s += d * d
                out[i, j] = -math.sqrt(s)
            elif dist == 1:  # pearson (5.5.x rounds the running sums to 14 digits)
                num = 0.0
                d1 = 0.0
                d2 = 0.0
                for a in range(4):
                    x = q[i, a] - 0.25
                    y = t[j, a] - 0.25
                    num = _rnd14(num + x * y)
                    d1 = _rnd14(d1 + x * x)
                    d2 = _rnd14(d2 + y * y)
                den = math.sqrt(d1 * d2)
                out[i, j] = num / den if den != 0 else 0.0
            else:  # sandelin
                s = 0.0
                for a in range(4):
                    d = q[i, a] - t[j, a]
                    s += d * d
                out[i, j] = 2.0 - s
    return out


@numba.njit(**_NJ)
def _shift_rows(s):
    """Subtract MEME's (off-by-one) median of each row, in place."""
    nt = s.shape[1]
    k1 = int(math.floor(0.5 * nt)) - 1
    k2 = int(math.ceil(0.5 * nt)) - 1
    if k1 < 0:
        k1 = 0
    if k2 < k1:
        k2 = k1
    for i in range(s.shape[0]):
        srt = np.sort(s[i])
        q = (srt[k1] + srt[k2]) / 2.0
        for j in range(nt):
            s[i, j] += -q


@numba.njit(**_NJ)
def _scale_params(lo, hi):
    if hi == lo:
        lo = hi - 1.0
    off = math.floor(lo)
    scale = math.floor(BINS / (hi - off))
    return off, scale


@numba.njit(**_NJ)
def _nint(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


@numba.njit(**_NJ)
def _one_query(q, tcols, tstarts, twidths, uw, wlookup, dist, complete, min_overlap, n_orient, p_out, off_out, ovl_out):
    nQ = q.shape[0]
    T = tcols.shape[0]
    E = twidths.shape[0]
    s = _column_scores(q, tcols, dist)
    if complete:
        _shift_rows(s)
    lo = s.min()
    hi = s.max()
    o, sc = _scale_params(lo, hi)
    m = np.empty((nQ, T), dtype=np.int64)
    hist = np.zeros((nQ, BINS + 1))
    for i in range(nQ):
        for j in range(T):
            v = _nint((s[i, j] - o) * sc)
            m[i, j] = v
            hist[i, v] += 1.0
    size = nQ * BINS + 1
    nspans = nQ * (nQ + 1) // 2
    ref = np.full((nQ, nQ), -1, dtype=np.int64)
    pmf = np.zeros((nspans, size))
    u = 1.0 / T
    addr = 0
    old = np.zeros(size)
    new = np.zeros(size)
    for start in range(nQ - 1, -1, -1):
        new[:] = 0.0
        new[0] = 1.0
        i = 0
        while start + i < nQ:
            mx = i * BINS
            old, new = new, old
            new[:] = 0.0
            h = hist[start + i]
            for k in range(mx + 1):
                ok = old[k]
                if ok != 0.0:
                    v = ok * u
                    for x in range(BINS + 1):
                        if h[x] != 0.0:
                            new[k + x] += v * h[x]
            pmf[addr, :] = new
            ref[start, start + i] = addr
            addr += 1
            i += 1
    pv = np.empty((0, 0))
    if not complete:
        pv = np.empty((nspans, size))
        for a in range(nspans):
            pv[a, size - 1] = pmf[a, size - 1]
            for ii in range(size - 2, -1, -1):
                pv[a, ii] = min(1.0, pmf[a, ii] + pv[a, ii + 1])
    oscale = o * sc
    best_val = np.empty(E)
    for e in range(E):
        L = twidths[e]
        c0 = 1
        c1 = nQ + L - 1
        if min_overlap > 1:
            mo = min(min_overlap, nQ, L)
            c0 = mo
            c1 = nQ + L - mo
        bestp = 1e300
        bestn = -1
        besto = 0
        for c in range(c0, c1 + 1):
            if c <= nQ:
                tc = 0
                qc = nQ - c
            else:
                qc = 0
                tc = c - nQ
            i0 = qc
            ssum = 0.0
            base = tstarts[e]
            while True:
                ssum += m[qc, base + tc]
                qc += 1
                tc += 1
                if qc >= nQ or tc >= L:
                    break
            i1 = qc - 1
            n = i1 - i0 + 1
            if complete:
                val = -np.rint(ssum + n * oscale)
            else:
                val = pv[ref[i0, i1], int(ssum)]
            if val == bestp:
                if bestn < n:
                    besto = c - nQ
                    bestp = val
                    bestn = n
            elif val < bestp:
                besto = c - nQ
                bestp = val
                bestn = n
        off_out[e] = besto
        ovl_out[e] = bestn
        if complete:
            best_val[e] = -bestp
        else:
            ncfg = (c1 - c0 + 1) * n_orient
            pn = bestp * ncfg
            p_out[e] = pn if pn < 0.001 else 1.0 - (1.0 - bestp) ** ncfg
    if complete:
        pmf_len = size
        ext_len = int(math.ceil(pmf_len - (nQ - 1) * o * sc))
        ext = np.zeros((nspans, ext_len))
        for a in range(nQ):
            for b in range(a, nQ):
                idx = ref[a, b]
                corr = int(np.rint(o * (nQ - 1 - (b - a)) * sc))
                for j in range(pmf_len):
                    ext[idx, j - corr] = pmf[idx, j]
        nuw = uw.shape[0]
        pvmax = np.empty((nuw, ext_len))
        pnew = np.zeros(ext_len)
        pold = np.zeros(ext_len)
        cold = np.zeros(ext_len)
        ccur = np.zeros(ext_len)
        for w in range(nuw):
            L = uw[w]
            pnew[:] = 0.0
            pnew[0] = 1.0
            nal = nQ + L - 1
            for i in range(nal):
                if i < nQ:
                    a = nQ - i - 1
                    b = min(nQ, a + L) - 1
                else:
                    a = 0
                    b = min(nQ, L + nQ - i - 1) - 1
                cur = ext[ref[a, b]]
                acc = 0.0
                for j in range(ext_len):
                    acc += cur[j]
                    ccur[j] = acc
                for _ in range(n_orient):
                    pnew, pold = pold, pnew
                    acc = 0.0
                    for j in range(ext_len):
                        acc += pold[j]
                        cold[j] = acc
                    pnew[0] = cur[0] * pold[0]
                    for j in range(1, ext_len):
                        pnew[j] = cur[j] * cold[j - 1] + pold[j] * ccur[j - 1] + cur[j] * pold[j]
            acc = 0.0
            for j in range(ext_len - 1, -1, -1):
                acc += pnew[j]
                pvmax[w, j] = acc
        for e in range(E):
            score = int(np.rint(best_val[e] - nQ * o * sc))
            p_out[e] = np.float64(np.float32(pvmax[wlookup[twidths[e]], score]))


@numba.njit(parallel=True, **_NJ)
def _compare_queries(qcols, qstarts, tcols, tstarts, twidths, uw, wlookup, dist, complete, min_overlap, n_orient,
                     p, off, ovl):
    nq = qstarts.shape[0] - 1
    for qi in prange(nq):
        q = qcols[qstarts[qi]:qstarts[qi + 1]]
        _one_query(q, tcols, tstarts, twidths, uw, wlookup, dist, complete, min_overlap, n_orient,
                   p[qi], off[qi], ovl[qi])


# ---- seqlet fast path -------------------------------------------------------------------------


@numba.njit(parallel=True, **_NJ)
def _query_masks(codes, qstart, qwidth):
    nq = qstart.shape[0]
    out = np.zeros(nq, dtype=np.int64)
    for i in prange(nq):
        mk = 0
        for j in range(qwidth[i]):
            mk |= 1 << codes[qstart[i] + j]
        out[i] = mk
    return out


@numba.njit(**_NJ)
def _scale_subsets(rows, umasks):
    """Integer rows, unaligned-column value z = -o*scale and column histograms per type subset."""
    ns = umasks.shape[0]
    T = rows.shape[1]
    ints = np.zeros((ns, 5, T), dtype=np.int32)
    zs = np.zeros(ns, dtype=np.int64)
    hist = np.zeros((ns, 5, BINS + 1))
    for si in range(ns):
        mk = umasks[si]
        lo = 1e300
        hi = -1e300
        for ty in range(5):
            if mk & (1 << ty):
                for j in range(T):
                    v = rows[ty, j]
                    if v < lo:
                        lo = v
                    if v > hi:
                        hi = v
        o, sc = _scale_params(lo, hi)
        zs[si] = int(np.rint(-o * sc))
        for ty in range(5):
            if mk & (1 << ty):
                for j in range(T):
                    v = _nint((rows[ty, j] - o) * sc)
                    ints[si, ty, j] = v
                    hist[si, ty, v] += 1.0
    return ints, zs, hist


@numba.njit(parallel=True, **_NJ)
def _span_keys(codes, qstart, qwidth, masks, span_off, keys):
    nq = qstart.shape[0]
    for qi in prange(nq):
        Q = qwidth[qi]
        base = span_off[qi]
        mk = masks[qi] << 35
        idx = 0
        for a in range(Q):
            key = mk
            for b in range(a, Q):
                key += np.int64(1) << (7 * (4 - codes[qstart[qi] + b]))
                keys[base + idx] = key
                idx += 1


@numba.njit(**_NJ)
def _key_levels(keys):
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        k = keys[i]
        n = 0
        for ty in range(5):
            n += (k >> (7 * ty)) & 127
        out[i] = n
    return out


@numba.njit(**_NJ)
def _added_types(keys):
    """The type whose count the canonical parent lacks (the last type, in A C G T N order, present)."""
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        k = keys[i]
        out[i] = -1
        for ty in range(4, -1, -1):
            if (k >> (7 * (4 - ty))) & 127:
                out[i] = ty
                break
    return out


@numba.njit(**_NJ)
def _parent_keys(keys):
    lev = _key_levels(keys)
    add = _added_types(keys)
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        if lev[i] <= 1:
            out[i] = -1
        else:
            out[i] = keys[i] - (np.int64(1) << (7 * (4 - add[i])))
    return out


@numba.njit(parallel=True, **_NJ)
def _build_pmfs(allkeys, levels, level_bounds, parent_pos, added_type, slot_of_key, hist, u, pool_off, pmf, sv):
    """pmf and survival (MEME's clamped reverse cumsum) of every span key, level by level."""
    nk = allkeys.shape[0]
    sup_lo = np.zeros(nk, dtype=np.int64)
    sup_hi = np.zeros(nk, dtype=np.int64)
    nlev = level_bounds.shape[0] - 1
    for lev in range(1, nlev):
        lo = level_bounds[lev]
        hi = level_bounds[lev + 1]
        for r in prange(lo, hi):
            h = hist[slot_of_key[r], added_type[r]]
            hlo = 0
            while h[hlo] == 0.0:
                hlo += 1
            hhi = BINS
            while h[hhi] == 0.0:
                hhi -= 1
            dst = pool_off[r]
            if lev == 1:
                for x in range(hlo, hhi + 1):
                    pmf[dst + x] += u * h[x]
                sup_lo[r] = hlo
                sup_hi[r] = hhi
            else:
                pr = parent_pos[r]
                src = pool_off[pr]
                for k in range(sup_lo[pr], sup_hi[pr] + 1):
                    ok = pmf[src + k]
                    if ok != 0.0:
                        v = ok * u
                        for x in range(hlo, hhi + 1):
                            pmf[dst + k + x] += v * h[x]
                sup_lo[r] = sup_lo[pr] + hlo
                sup_hi[r] = sup_hi[pr] + hhi
            ln = lev * BINS + 1
            acc = pmf[dst + ln - 1]
            sv[dst + ln - 1] = acc
            for j in range(ln - 2, -1, -1):
                acc = min(1.0, pmf[dst + j] + acc)
                sv[dst + j] = acc


@numba.njit(**_NJ)
def _pad_rows(ints, zs, tstarts, pad):
    """Integer rows of all target entries laid out with ``pad`` zero columns before each entry (and at the end)."""
    ns = ints.shape[0]
    E = tstarts.shape[0] - 1
    pstart = np.empty(E, dtype=np.int64)
    tot = pad
    for e in range(E):
        pstart[e] = tot
        tot += tstarts[e + 1] - tstarts[e] + pad
    out = np.zeros((ns, 5, tot), dtype=np.int16)
    for si in range(ns):
        for ty in range(5):
            for e in range(E):
                L = tstarts[e + 1] - tstarts[e]
                for j in range(L):
                    out[si, ty, pstart[e] + j] = ints[si, ty, tstarts[e] + j]
    return out, pstart


@numba.njit(**_NJ)
def _p_at(k, Q, L, spos, pool_off, sv, z, mult):
    acc = 0.0
    for c in range(1, Q + L):
        a = Q - c if Q - c > 0 else 0
        b = Q - c + L - 1
        if b > Q - 1:
            b = Q - 1
        n = b - a + 1
        j = k - (Q - n) * z
        pos = spos[a, b]
        if j <= 0:
            s = sv[pool_off[pos]]
        elif j > n * BINS:
            s = 0.0
        else:
            s = sv[pool_off[pos] + j]
        if s >= 1.0:
            return 1.0
        if s > 0.0:
            acc += math.log1p(-s)
    return np.float64(np.float32(-math.expm1(mult * acc)))


@numba.njit(**_NJ)
def _better(p1, n1, r1, p2, n2, r2):
    """MEME's order: p ascending, overlap descending, strand-prefixed id ascending."""
    if p1 != p2:
        return p1 < p2
    if n1 != n2:
        return n1 > n2
    return r1 < r2


@numba.njit(parallel=True, **_NJ)
def _annotate_queries(codes, qstart, qwidth, masks, mask_slot, zs, padded, pstart, pad, twidths, worder, uw, gbounds,
                      st_rank, n_orient, span_off, span_pos, pool_off, sv, k_near,
                      out_idx, out_p, out_off, out_ovl, out_or):
    nq = qstart.shape[0]
    E = twidths.shape[0]
    N = E // n_orient
    ng = uw.shape[0]
    for qi in prange(nq):
        Q = qwidth[qi]
        si = mask_slot[masks[qi]]
        z = zs[si]
        ty = np.empty(Q, dtype=np.int64)
        for i in range(Q):
            ty[i] = codes[qstart[qi] + i]
        spos = np.empty((Q, Q), dtype=np.int64)
        idx = 0
        for a in range(Q):
            for b in range(a, Q):
                spos[a, b] = span_pos[span_off[qi] + idx]
                idx += 1
        kbest = np.empty(E, dtype=np.int64)
        obest = np.empty(E, dtype=np.int64)
        nbest = np.empty(E, dtype=np.int64)
        marked = np.zeros(N, dtype=np.uint8)
        cand_e = np.empty(E, dtype=np.int64)
        cand_p = np.empty(E)
        ncand = 0
        # diagonal sums of every alignment of every target entry at once:
        # acc[x] = sum_i rows[type_i][x + i]; entry e, configuration c <-> x = pstart[e] + c - Q
        nx = padded.shape[2] - Q + 1
        acc = np.zeros(nx, dtype=np.int16)
        for x0 in range(0, nx, 2048):
            x1 = min(nx, x0 + 2048)
            av = acc[x0:x1]
            for i in range(Q):
                row = padded[si, ty[i], x0 + i:x1 + i]
                for x in range(x1 - x0):  # contiguous slices: vectorised by LLVM
                    av[x] = av[x] + row[x]
        nov = np.empty(Q + uw[ng - 1], dtype=np.int64)
        adj = np.empty(Q + uw[ng - 1], dtype=np.int64)
        for g in range(ng):
            L = uw[g]
            nal = Q + L - 1
            g0 = gbounds[g]
            g1 = gbounds[g + 1]
            for c in range(1, nal + 1):
                a = Q - c if Q - c > 0 else 0
                b = Q - c + L - 1
                if b > Q - 1:
                    b = Q - 1
                nov[c] = b - a + 1
                adj[c] = (Q - nov[c]) * z
            for gi in range(g0, g1):
                e = worder[gi]
                av = acc[pstart[e] - Q:pstart[e] + L]
                bk = -1
                bn = -1
                bo = 0
                for c in range(1, nal + 1):
                    v = np.int64(av[c]) + adj[c]
                    if v >= bk:
                        n = nov[c]
                        if v > bk or n > bn:
                            bk = v
                            bn = n
                            bo = c - Q
                kbest[e] = bk
                nbest[e] = bn
                obest[e] = bo
            # walk this width's entries from the best score down, evaluating p lazily
            ks = np.empty(g1 - g0, dtype=np.int64)
            for gi in range(g0, g1):
                ks[gi - g0] = -kbest[worder[gi]]
            srt = np.argsort(ks, kind="mergesort")
            pos = 0
            n_total = 0
            n_strict = 0
            prev_p = -1.0
            while pos < g1 - g0:
                kk = kbest[worder[g0 + srt[pos]]]
                pk = _p_at(kk, Q, L, spos, pool_off, sv, z, n_orient)
                if pk > prev_p:
                    n_strict = n_total
                if n_strict >= k_near:
                    break
                prev_p = pk
                while pos < g1 - g0 and kbest[worder[g0 + srt[pos]]] == kk:
                    e = worder[g0 + srt[pos]]
                    cand_e[ncand] = e
                    cand_p[ncand] = pk
                    ncand += 1
                    t = e // n_orient
                    if marked[t] == 0:
                        marked[t] = 1
                        n_total += 1
                    pos += 1
        # choose the k best distinct targets among the candidates, in MEME's order
        for t in range(N):
            marked[t] = 0
        taken = np.zeros(ncand, dtype=np.uint8)
        r = 0
        while r < k_near:
            bi = -1
            for ci in range(ncand):
                if taken[ci] or marked[cand_e[ci] // n_orient]:
                    continue
                if bi < 0:
                    bi = ci
                else:
                    e1 = cand_e[ci]
                    e2 = cand_e[bi]
                    if _better(cand_p[ci], nbest[e1], st_rank[e1], cand_p[bi], nbest[e2], st_rank[e2]):
                        bi = ci
            if bi < 0:
                break
            taken[bi] = 1
            e = cand_e[bi]
            marked[e // n_orient] = 1
            out_idx[qi, r] = e // n_orient
            out_p[qi, r] = cand_p[bi]
            out_off[qi, r] = obest[e]
            out_ovl[qi, r] = nbest[e]
            out_or[qi, r] = e % n_orient
            r += 1
