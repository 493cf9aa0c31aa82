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

import warnings
from dataclasses import dataclass
from typing import Optional

import numba
import numpy as np

from annostore.core.alphabet import ALPHABET
from annostore.core.annotate_kernels import (
    _added_types,
    _annotate_queries,
    _build_pmfs,
    _key_chains,
    _key_levels,
    _pad_rows,
    _parent_keys,
    _query_masks,
    _scale_subsets,
    _span_keys,
)
from annostore.core.tomtom_kernels import _column_scores, _compare_queries, _shift_rows
from annostore.errors import BadInputError

MAX_QUERY_WIDTH = 100  # TOMTOM_MAX_QUERY_WIDTH


_DISTS = {"ed": 0, "pearson": 1, "sandelin": 2}




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
        "key_chains": _key_chains,
        "added_types": _added_types,
        "build_pmfs": _build_pmfs,
        "pad_rows": _pad_rows,
        "annotate_queries": _annotate_queries,
    }


@dataclass
class _Targets:
    names: list  # original target ids (N)
    cols: np.ndarray  # (t, 4) float64: pseudocounted columns of T0, T0rc, T1, T1rc, ... (or T0, T1, ...)
    starts: np.ndarray  # (E + 1,) int64 column offsets of the entries
    widths: np.ndarray  # (E,) int64
    n_orient: int  # 2 with reverse complements, 1 without
    st_rank: np.ndarray  # (E,) int64: rank of MEME's strand-prefixed id ("+ID" / "-ID") under strcmp

    @property
    def matrices(self) -> list:
        """Pseudocounted (4, w) views of every entry (rc included), for consensus."""
        return [self.cols[self.starts[e]:self.starts[e + 1]].T for e in range(len(self.widths))]


def _query_background(qset) -> np.ndarray:
    from annostore.core.motifs import symmetrised

    bg = qset.background if qset.background is not None else np.full(4, 0.25)
    return symmetrised(bg)


def _pseudo(pwm: np.ndarray, nsites, bg: np.ndarray, pseudo: float) -> np.ndarray:
    if pseudo == 0:
        return np.array(pwm, dtype=np.float64)
    n = nsites if nsites and nsites > 0 else 20.0
    return (n * np.asarray(pwm, dtype=np.float64) + pseudo * bg[:, None]) / (n + pseudo)


def _pseudo_all(mset, bg: np.ndarray, pseudo: float) -> tuple:
    """:func:`_pseudo` of every motif at once (the same elementwise arithmetic): ``(4, total)`` columns, widths."""
    widths = np.array([m.width for m in mset], dtype=np.int64)
    if len(widths) == 0:
        return np.zeros((4, 0)), widths
    P = np.concatenate([np.asarray(m.pwm, dtype=np.float64) for m in mset], axis=1)
    if pseudo == 0:
        return P, widths
    n = np.array([float(m.nsites) if m.nsites and m.nsites > 0 else 20.0 for m in mset])
    N = np.repeat(n, widths)
    return (N * P + pseudo * bg[:, None]) / (N + pseudo), widths


def _prepare_targets(tset, bg_targets: np.ndarray, pseudo: float, rc: bool) -> _Targets:
    P, w = _pseudo_all(tset, bg_targets, pseudo)
    ids = []
    for m in tset:
        ids.append("+" + m.name)
        if rc:
            ids.append("-" + m.name)
    first = np.zeros(len(w), dtype=np.int64)
    np.cumsum(w[:-1], out=first[1:])
    if rc:  # T0, T0rc, T1, T1rc, ...: a reverse complement reverses the columns and the bases
        widths = np.repeat(w, 2)
        within = np.arange(int(widths.sum())) - np.repeat(np.cumsum(widths) - widths, widths)
        flip = np.repeat(np.tile([False, True], len(w)), widths)
        src = np.repeat(np.repeat(first, 2), widths) + np.where(flip, np.repeat(widths, widths) - 1 - within, within)
        cols = np.where(flip[:, None], P.T[src][:, ::-1], P.T[src])
    else:
        widths = w
        cols = P.T
    cols = np.ascontiguousarray(cols)
    starts = np.zeros(len(widths) + 1, dtype=np.int64)
    np.cumsum(widths, out=starts[1:])
    order = sorted(range(len(ids)), key=lambda i: ids[i].encode("utf-8"))
    st_rank = np.empty(len(ids), dtype=np.int64)
    st_rank[np.array(order, dtype=np.int64)] = np.arange(len(ids))
    return _Targets(list(tset.names), cols, starts, widths, 2 if rc else 1, st_rank)


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
        out.append(ALPHABET[letter])
    return "".join(out)


def _qvalues_sorted(p_sorted: np.ndarray, rng) -> np.ndarray:
    """q-values of ascending p-values, MEME style (``compute_qvalues`` with pi0 estimation).

    ``rng`` is the run's :class:`annostore.core.qvalues.MemeRandom` stream; MEME estimates pi0
    (Storey bootstrap) only from more than 100 p-values, else pi0 = 1.
    """
    from annostore.core.qvalues import estimate_pi0, qvalues

    pi0 = estimate_pi0(p_sorted, rng) if p_sorted.shape[0] > 100 else 1.0
    return qvalues(p_sorted, p_sorted.shape[0], pi0)


def _compare_general(qmats: list, targets: _Targets, dist: int, complete: bool, min_overlap: int):
    """Per query and target entry: p (float64), offset, overlap (arrays ``(nQ, E)``).

    Complete scores (MEME's default) go to the fast kernel of :mod:`annostore.core.tomtom_pairs`
    (same values: offsets and overlaps identical, p equal after MEME's float32 rounding);
    ``-incomplete-scores`` to the per-query kernel (:func:`_compare_reference`).
    """
    if complete:
        from annostore.core.tomtom_pairs import compare_complete

        return compare_complete(qmats, targets.cols, targets.starts, targets.widths, dist, min_overlap,
                                targets.n_orient)
    return _compare_reference(qmats, targets, dist, complete, min_overlap)


def _compare_reference(qmats: list, targets: _Targets, dist: int, complete: bool, min_overlap: int):
    """The per-query kernel: MEME's computation step by step (full sorts, pmf-of-the-maximum table)."""
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
    from annostore.io.motifs import read_motifs

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
        Anything :func:`annostore.io.motifs.read_motifs` accepts: a MEME/JASPAR file
        path, a :class:`~annostore.core.motifs.MotifSet`, a ``{name: (4, w) array}``
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
        from annostore.core.motifs import symmetrised

        qbg = symmetrised(np.asarray(background, dtype=np.float64))
    else:
        qbg = _query_background(qset)
    from annostore.core.motifs import normalised_background

    tbg = normalised_background(qbg)  # MEME normalises the query background a second time for targets
    tg = _prepare_targets(tset, tbg, motif_pseudo, not norc)
    qmats = [_pseudo(m.pwm, m.nsites, qbg, motif_pseudo) for m in qset]
    p, off, ovl = _compare_general(qmats, tg, _DISTS[dist], complete_scores, int(min_overlap))
    return _rank_table(qset, qmats, tg, p, off, ovl, complete_scores, n_nearest, thresh, evalue, pa)


def _consensus_all(mats: list) -> list:
    """:func:`_consensus` of many matrices at once (the same float32 comparison, vectorised)."""
    if not mats:
        return []
    widths = [m.shape[1] for m in mats]
    cols = np.concatenate([np.asarray(m, dtype=np.float64) for m in mats], axis=1)  # (4, total)
    best = cols[0].astype(np.float32)
    letter = np.zeros(cols.shape[1], dtype=np.int64)
    for a in range(1, 4):
        upd = cols[a] > best.astype(np.float64)
        best = np.where(upd, cols[a].astype(np.float32), best)
        letter = np.where(upd, a, letter)
    text = np.array(list(ALPHABET))[letter]
    out, pos = [], 0
    for w in widths:
        out.append("".join(text[pos:pos + w]))
        pos += w
    return out


def _rank_table(qset, qmats, tg: _Targets, p, off, ovl, complete, n_nearest, thresh, evalue, pa):
    N = len(tg.names)
    E_entries = tg.widths.shape[0]
    from annostore.core.qvalues import MemeRandom

    rng = MemeRandom()  # a fresh tomtom process: one stream, continued query after query
    tcons = np.array(_consensus_all(tg.matrices), dtype=object)
    qcons = _consensus_all(qmats)
    names = np.array(tg.names, dtype=object)
    parts: dict = {c: [] for c in ("query_idx", "target_idx", "rank", "p_value", "e_value", "q_value", "entry")}
    for qi in range(len(qset)):
        pq = p[qi]
        # MEME's sort: p ascending, overlap descending, (db), strand-prefixed id (strcmp)
        order = np.lexsort((tg.st_rank, -ovl[qi], pq))
        ps = pq[order]
        qv = _qvalues_sorted(ps, rng)
        ev = ps * E_entries / tg.n_orient if complete else ps * N
        # the walk stops at the first q (or E) above the threshold; a target's second orientation is skipped
        stop = E_entries
        if thresh is not None:
            over = np.flatnonzero((ev if evalue else qv) > thresh)
            stop = int(over[0]) if over.size else E_entries
        t = order[:stop] // tg.n_orient
        _, first = np.unique(t, return_index=True)
        keep = np.sort(first)
        if n_nearest is not None:
            keep = keep[:n_nearest]
        parts["query_idx"].append(np.full(keep.shape[0], qi, dtype=np.int32))
        parts["target_idx"].append(t[keep].astype(np.int32))
        parts["rank"].append(np.arange(1, keep.shape[0] + 1, dtype=np.int32))
        parts["p_value"].append(ps[keep])
        parts["e_value"].append(ev[keep])
        parts["q_value"].append(qv[keep])
        parts["entry"].append(order[keep])
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in parts.items()}
    qidx = cat["query_idx"].astype(np.int64)
    entry = cat["entry"].astype(np.int64)
    qnames = np.array(list(qset.names), dtype=object)
    cols = {
        "query_idx": cat["query_idx"].astype(np.int32),
        "query": qnames[qidx].tolist() if qidx.size else [],
        "target_idx": cat["target_idx"].astype(np.int32),
        "target": names[cat["target_idx"].astype(np.int64)].tolist() if entry.size else [],
        "rank": cat["rank"].astype(np.int32),
        "p_value": cat["p_value"].astype(np.float64),
        "e_value": cat["e_value"].astype(np.float64),
        "q_value": cat["q_value"].astype(np.float64),
        "offset": off[qidx, entry].astype(np.int32) if entry.size else np.zeros(0, np.int32),
        "overlap": ovl[qidx, entry].astype(np.int32) if entry.size else np.zeros(0, np.int32),
        "orientation": np.where((tg.n_orient == 2) & (entry % 2 == 1), "-", "+").tolist() if entry.size else [],
        "query_consensus": [qcons[i] for i in qidx.tolist()],
        "target_consensus": tcons[entry].tolist() if entry.size else [],
    }
    schema = pa.schema([
        ("query_idx", pa.int32()), ("query", pa.string()), ("target_idx", pa.int32()), ("target", pa.string()),
        ("rank", pa.int32()), ("p_value", pa.float64()), ("e_value", pa.float64()), ("q_value", pa.float64()),
        ("offset", pa.int32()), ("overlap", pa.int32()), ("orientation", pa.string()),
        ("query_consensus", pa.string()), ("target_consensus", pa.string()),
    ])
    return pa.table(cols, schema=schema)
