"""Fast complete-score TOMTOM: many query motifs against a motif database, and all-vs-all.

:func:`compare_complete` is the engine behind :func:`annostore.tomtom` for MEME's default
complete scores: per query it computes exactly MEME ``tomtom``'s column scores, off-by-one
median shift, range-100 scaling, span null distributions and best alignments, and evaluates
the p-value of each target's best alignment directly (``1 - prod(1 - S_c)`` over the
``Q + L - 1`` alignments and both orientations, MEME's pmf-of-the-maximum at the one score
needed; the two agree to ~1e-15 relative before MEME's float32 rounding).  The kernels are
in :mod:`annostore.core.tomtom_pairs_kernels`.

:func:`tomtom_all` compares a motif set with itself (or with another set) and returns the
dense matrices a clustering needs: the MEME p-value of every (query, target) pair in the
better orientation, with offset, overlap and orientation.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from ..errors import BadInputError
from . import tomtom_pairs_kernels as K

__all__ = ["compare_complete", "tomtom_all", "MotifSimilarity"]

_DISTS = {"ed": 0, "pearson": 1, "sandelin": 2}


def _with_parallel_chunksize(fn):
    import numba

    old = numba.get_parallel_chunksize() if hasattr(numba, "get_parallel_chunksize") else None
    try:
        if old is not None:
            numba.set_parallel_chunksize(1)
        return fn()
    finally:
        if old is not None:
            numba.set_parallel_chunksize(old)


def compare_complete(qmats: list, tcols: np.ndarray, tstarts: np.ndarray, twidths: np.ndarray, dist: int,
                     min_overlap: int, n_orient: int, best=None, st_rank=None):
    """p (float64, float32-rounded), offset and overlap of every (query, target entry), complete scores.

    ``qmats``: pseudocounted ``(4, Q)`` query matrices; ``tcols`` the ``(t, 4)`` pseudocounted columns
    of the target entries (each target followed by its reverse complement when ``n_orient`` is 2),
    ``tstarts`` their ``(E + 1,)`` column offsets and ``twidths`` their widths.

    With ``best`` (the four ``(nq, N)`` arrays of :class:`MotifSimilarity`: p, offset, overlap,
    orientation) and the entries' ``st_rank``, only each target's better orientation is kept,
    written there per query, and the returned per-entry arrays are empty.
    """
    nq = len(qmats)
    E = int(twidths.shape[0])
    shape = (0, 0) if best is not None else (nq, E)
    p = np.empty(shape, dtype=np.float64)
    off = np.empty(shape, dtype=np.int64)
    ovl = np.empty(shape, dtype=np.int64)
    if best is None:
        st_rank = np.zeros(0, dtype=np.int64)
        best = (np.empty((0, 0)), np.empty((0, 0), dtype=np.int32), np.empty((0, 0), dtype=np.int32),
                np.empty((0, 0), dtype=np.int8))
    if nq == 0 or E == 0:
        return p, off, ovl
    qw = np.array([m.shape[1] for m in qmats], dtype=np.int64)
    qstarts = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(qw, out=qstarts[1:])
    qcols = np.ascontiguousarray(np.concatenate([np.asarray(m, dtype=np.float64).T for m in qmats], axis=0))
    tsoa = np.ascontiguousarray(np.asarray(tcols, dtype=np.float64).T)
    uw = np.unique(twidths)
    wslot = np.full(int(uw.max()) + 1, -1, dtype=np.int64)
    wslot[uw] = np.arange(uw.shape[0])
    _with_parallel_chunksize(lambda: K.compare_all(
        qcols, qstarts, tsoa, np.asarray(tstarts, dtype=np.int64), np.asarray(twidths, dtype=np.int64),
        wslot, uw.astype(np.int64), int(dist), int(min_overlap), int(n_orient), p, off, ovl,
        np.asarray(st_rank, dtype=np.int64), *best))
    return p, off, ovl


@dataclass
class MotifSimilarity:
    """All-vs-all TOMTOM result (dense).

    ``p[i, j]``: MEME TOMTOM p-value of query ``i`` against target ``j`` in the better
    orientation (MEME's order: p, then overlap, then strand-prefixed id); ``offset``,
    ``overlap`` and ``orientation`` (0 '+', 1 '-') of that alignment.  ``e = p * n_targets``.
    """

    queries: list
    targets: list
    p: np.ndarray
    offset: np.ndarray
    overlap: np.ndarray
    orientation: np.ndarray

    @property
    def e(self) -> np.ndarray:
        return self.p * len(self.targets)


def tomtom_all(motifs, targets=None, *, dist: str = "ed", norc: bool = False, min_overlap: int = 1,
               motif_pseudo: float = 0.1, background=None) -> MotifSimilarity:
    """Compare every motif with every target motif (default: the set with itself), as MEME ``tomtom``.

    Parameters are those of :func:`annostore.tomtom` (complete scores); ``motifs`` is the query
    set (its background block, uniform if absent, is the pseudocount background).

    Returns
    -------
    MotifSimilarity
        Dense ``(n_queries, n_targets)`` matrices.
    """
    from .motifs import normalised_background, symmetrised
    from .tomtom import _as_motif_set, _prepare_targets, _pseudo_all, _query_background

    if dist not in _DISTS:
        raise BadInputError(f"unknown distance {dist!r}; choose one of {', '.join(_DISTS)}")
    if min_overlap < 1:
        raise BadInputError(f"min_overlap must be >= 1, got {min_overlap}")
    qset = _as_motif_set(motifs, "query")
    tset = qset if targets is None else _as_motif_set(targets, "target")
    for m in qset:
        if m.width > 100:
            raise BadInputError(f"query motif {m.name!r} is wider than 100 columns ({m.width})")
    qbg = symmetrised(np.asarray(background, dtype=np.float64)) if background is not None else _query_background(qset)
    tg = _prepare_targets(tset, normalised_background(qbg), motif_pseudo, not norc)
    qcols, qw = _pseudo_all(qset, qbg, motif_pseudo)
    qstart = np.concatenate([[0], np.cumsum(qw)])
    qmats = [qcols[:, qstart[i]:qstart[i + 1]] for i in range(len(qw))]
    nq, N = len(qset), len(tset)
    best_p = np.empty((nq, N))
    best_off = np.empty((nq, N), dtype=np.int32)
    best_ovl = np.empty((nq, N), dtype=np.int32)
    best_or = np.empty((nq, N), dtype=np.int8)
    compare_complete(qmats, tg.cols, tg.starts, tg.widths, _DISTS[dist], int(min_overlap), tg.n_orient,
                     best=(best_p, best_off, best_ovl, best_or), st_rank=tg.st_rank)
    return MotifSimilarity(queries=list(qset.names), targets=list(tset.names), p=best_p, offset=best_off,
                           overlap=best_ovl, orientation=best_or)

