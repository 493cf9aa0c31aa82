"""Seqlet annotation (tangermeme's ``annotate_seqlets``): each seqlet's window of the one-hot
sequences compared with every target motif by TOMTOM, MEME p-values; returns ``(idxs, pvals)``.
The numba kernels are in :mod:`annostore.core.annotate_kernels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annostore.core.arrays import as_numpy
from annostore.core.tomtom import (
    _DISTS,
    MAX_QUERY_WIDTH,
    _as_motif_set,
    _compare_general,
    _kernels,
    _prepare_targets,
    _pseudo,
    _Targets,
)
from annostore.errors import BadInputError


def _seqlet_table(seqlets):
    """(example_idx, start, end) int64 arrays from the first three columns of ``seqlets``."""
    if hasattr(seqlets, "iloc"):  # pandas
        arr = seqlets.iloc[:, :3].to_numpy()
    elif hasattr(seqlets, "column_names") and hasattr(seqlets, "column"):  # pyarrow Table
        if seqlets.num_columns < 3:
            raise BadInputError("seqlets need at least 3 columns: example_idx, start, end")
        arr = np.stack([np.asarray(seqlets.column(i).to_numpy(zero_copy_only=False)) for i in range(3)], axis=1)
    else:
        arr = as_numpy(seqlets)
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
    X = as_numpy(X)
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


def _cached_targets(tset, bg_targets: np.ndarray, pseudo: float, rc: bool):
    """(:func:`_prepare_targets`, its table-cache key): built once per target content, names,
    background, pseudocount and orientations, then shared (read-only) by later calls."""
    from annostore.core.table_cache import CACHE, digest, motifs_digest

    bg = np.asarray(bg_targets, dtype=np.float64)
    key = digest("annotate-targets", motifs_digest(tset, with_names=True), bg, float(pseudo), bool(rc))
    return CACHE.get(key, lambda: _prepare_targets(tset, bg, pseudo, rc)), key


def _type_rows(tg: _Targets, tkey, tcols_types: np.ndarray, dist: int) -> tuple[np.ndarray, bytes | None]:
    """Median-shifted scores of the five one-hot column types against every target column, and
    their table-cache key (from the cache when ``tkey`` is given; read-only then; key None when not)."""
    def build():
        kern = _kernels()
        rows = kern["column_scores"](tcols_types, tg.cols, dist)  # (5, t)
        kern["shift_rows"](rows)
        return rows

    if tkey is None:
        return build(), None
    from annostore.core.table_cache import CACHE, digest

    key = digest("annotate-rows", tkey, tcols_types, int(dist))
    return CACHE.get(key, build), key


def _annotate_codes(codes_flat, qstart, qwidth, tg: _Targets, k_near: int, dist: int, tkey=None) -> _Matches:
    """Fast path: one-hot queries given as codes (0-3 ACGT, 4 N)."""
    from annostore.core.motifs import symmetrised

    qbg = symmetrised(np.full(4, 0.25))
    # the five column types a one-hot window can hold, pseudocounted as MEME would
    base = np.vstack([np.eye(4), np.full((1, 4), 0.25)])
    tcols_types = np.ascontiguousarray((20.0 * base + 0.1 * qbg[None, :]) / 20.1)
    rows, rkey = _type_rows(tg, tkey, tcols_types, dist)  # (5, t)
    # work ~ query columns x the padded target layout (the diagonal sums; each entry is preceded by
    # max-width zero columns): a few seqlets run on one thread (the null distributions get their
    # own estimate: see _annotate_code_rows)
    layout = tg.cols.shape[0] + (tg.widths.shape[0] + 1) * (int(qwidth.max()) if qwidth.shape[0] else 0)
    return _annotate_code_rows(codes_flat, qstart, qwidth, tg, k_near, rows, float(qwidth.sum()) * layout, rkey)


def _annotate_code_rows(codes_flat, qstart, qwidth, tg: _Targets, k_near: int, rows: np.ndarray,
                        query_work: float, rkey=None) -> _Matches:
    """The fast path's kernels; ``query_work``: the per-query kernels' work estimate (threads);
    ``rkey``: the rows' cache key, under which the null distributions are kept across calls."""
    from annostore.core.annotate_nulls import survival_of
    from annostore.core.parallel import small_work

    kern = _kernels()
    nq = qstart.shape[0]
    with small_work(query_work):
        masks = kern["query_masks"](codes_flat, qstart, qwidth)
    umasks = np.unique(masks)
    mask_slot = np.full(32, -1, dtype=np.int64)
    mask_slot[umasks] = np.arange(umasks.shape[0])
    qmax = int(qwidth.max()) if nq else 1
    ints, zs, _ = kern["scale_subsets"](rows, umasks.astype(np.int64))
    # every span's key (its composition of column types, with the query's type set), then the
    # null distributions of those keys: the pool's, built for the keys it lacks
    nspan = qwidth * (qwidth + 1) // 2
    span_off = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(nspan, out=span_off[1:])
    keys = np.empty(int(span_off[-1]), dtype=np.int64)
    with small_work(query_work):
        kern["span_keys"](codes_flat, qstart, qwidth, masks, span_off, keys)
    span_pos, pool_off, sv = survival_of(keys, rows, 1.0 / tg.cols.shape[0], rkey)
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
    with small_work(query_work):
        kern["annotate_queries"](
            codes_flat, qstart, qwidth, masks, mask_slot, zs, padded, pstart, pad, tg.widths, worder, uw, gbounds,
            tg.st_rank, tg.n_orient, span_off, span_pos, pool_off, sv, k_eff,
            out_idx, out_p, out_off, out_ovl, out_or,
        )
    return _Matches(out_idx, out_p, out_off, out_ovl, out_or)


def _annotate_general(X_codes_or_pwms, tg: _Targets, k_near: int, dist: int) -> _Matches:
    """Slow path for windows that are not one-hot: each window is a MEME query motif."""
    from annostore.core.motifs import symmetrised

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
    from annostore.core.motifs import normalised_background, symmetrised

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
    tg, tkey = _cached_targets(tset, normalised_background(qbg), 0.1, not norc)
    if ex.shape[0] == 0:
        k_eff = min(int(n_nearest), len(tset))
        z = np.zeros((0, k_eff), np.int64)
        return _Matches(z, np.zeros((0, k_eff)), z, z, np.zeros((0, k_eff), np.int8)), tset
    if onehot:
        flat = np.ascontiguousarray(codes.reshape(-1))
        qstart = (ex * length + st).astype(np.int64)
        qwidth = (en - st).astype(np.int64)
        res = _annotate_codes(flat, qstart, qwidth, tg, int(n_nearest), _DISTS[dist], tkey)
    else:
        Xn = as_numpy(X)
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

    A motif file path is read as tangermeme reads it, as letter probabilities: the
    file's ``nsites`` is not used (every target gets MEME's default 20), so a path and
    the dict ``tangermeme.io.read_meme`` makes of the same file give the same result.
    A :class:`~annostore.core.motifs.MotifSet` keeps its ``nsites`` (as the store's
    ``annotate`` and :func:`annostore.tomtom` do, like MEME).

    Examples
    --------
    >>> idxs, pvals = annostore.annotate_seqlets(X, seqlets, "JASPAR.meme")  # doctest: +SKIP
    """
    import torch

    dist = kwargs.pop("dist", "ed")
    norc = bool(kwargs.pop("norc", not kwargs.pop("reverse_complement", True)))
    res, _ = _match_seqlets(X, seqlets, _as_probabilities(motifs), n_nearest, dist=dist, norc=norc)
    return torch.from_numpy(res.idx.astype(np.int32)), torch.from_numpy(res.p.astype(np.float64))


def _as_probabilities(motifs):
    """A motif file read as tangermeme reads it: probabilities only, without the file's ``nsites``
    (what the ``{name: pwm}`` dict of ``tangermeme.io.read_meme`` carries).  Other inputs as given."""
    import os
    from dataclasses import replace

    from annostore.core.motifs import MotifSet

    if not isinstance(motifs, (str, os.PathLike)):
        return motifs
    tset = _as_motif_set(motifs, "target")
    return MotifSet([replace(m, nsites=None) for m in tset], tset.background, tset.source, tset.sha256)


def _looks_like_file(s: str) -> bool:
    import os

    return os.path.exists(s)
