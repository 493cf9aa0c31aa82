"""MEME's motif arithmetic for FIMO (meme-reference §1): background, pseudocounts, log-odds,
integer PSSMs scaled to [0, 1000], the exact p-value table of each integer score (dynamic
programming over the background) and the score cut-off of a p-value threshold.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Any, Optional

import numba
import numpy as np

from annostore.errors import BadInputError

_MAX_WIDTH = 1400


PSSM_RANGE = 1000


LOG2 = 1.44269504  # MEME's my_log2 constant


def prepare_background(bfile: Any = "nrdb", motifs: Any = None, *, norc: bool = False) -> np.ndarray:
    """The background FIMO scores with, after symmetrisation and MEME's 5e-7 normalisation.

    Parameters
    ----------
    bfile : {"nrdb", "uniform", "motif"}, path or array-like
        ``"nrdb"`` (MEME's default), ``"uniform"``, ``"motif"`` (the motif file's background
        block; uniform when it has none), a MEME Markov background file, or a ``(4,)`` array.
        MEME's spellings ``--nrdb--``, ``--uniform--``, ``--motif--`` and ``motif-file`` work too.
    motifs : MotifSet, optional
        Needed for ``"motif"``.
    norc : bool
        Only the given strand is scanned: the background is not made strand-symmetric.

    Returns
    -------
    numpy.ndarray
        ``(4,)`` float64 (A, C, G, T).
    """
    from annostore.core.motifs import NRDB, normalised_background, symmetrised
    from annostore.io.meme import read_background

    if isinstance(bfile, (str, os.PathLike)):
        key = str(bfile).strip().strip("-").lower() if isinstance(bfile, str) else None
        if key in ("nrdb", "", None) and isinstance(bfile, str):
            b = NRDB
        elif key == "uniform":
            b = np.full(4, 0.25)
        elif key in ("motif", "motif-file"):
            bg = getattr(motifs, "background", None)
            b = np.full(4, 0.25) if bg is None else np.asarray(bg, dtype=np.float64)
        else:
            b = read_background(bfile)
    else:
        b = np.asarray(bfile, dtype=np.float64).reshape(-1)
        if b.shape != (4,) or not np.all(np.isfinite(b)) or np.any(b < 0) or b.sum() <= 0:
            raise BadInputError(f"background must be 4 non-negative numbers (A, C, G, T), got {bfile!r}")
        b = b / b.sum()
    return normalised_background(b) if norc else symmetrised(b)


def _log_odds(probs: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """(w, 4) MEME log-odds; MEME's log(0) is 1e-300, so a zero probability scores ~0."""
    with np.errstate(divide="ignore"):
        ratio = probs / bg[None, :]
        out = np.where(ratio > 0, np.log(np.where(ratio > 0, ratio, 1.0)), 1e-300) * LOG2
    return out


def motif_pssm(motif, bg: np.ndarray, motif_pseudo: float = 0.1):
    """MEME's integer PSSM of a motif.

    Parameters
    ----------
    motif : Motif
        The motif (raw probabilities).
    bg : numpy.ndarray
        ``(4,)`` background from :func:`prepare_background`.
    motif_pseudo : float
        Total pseudocount (MEME ``--motif-pseudo``).

    Returns
    -------
    matrix : numpy.ndarray
        ``(w, 4)`` int32 scaled scores in [0, 1000].
    scale : int
    offset : int
        A window's printed score is ``S / scale + w * offset``.
    """
    from annostore.core.motifs import pseudocounted

    probs = pseudocounted(motif, bg, motif_pseudo).T  # (w, 4)
    lo_odds = _log_odds(probs, bg)
    lo = float(lo_odds.min())
    hi = float(lo_odds.max())
    if hi == lo:
        lo = hi - 1.0
    offset = math.floor(lo)
    scale = math.floor(PSSM_RANGE / (hi - offset))
    matrix = np.floor((lo_odds - offset) * scale + 0.5).astype(np.int32)
    return matrix, int(scale), int(offset)


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _axpy(dst, src, a):
    for k in range(src.shape[0]):
        dst[k] += src[k] * a


@numba.njit(cache=True, nogil=True)
def _pvalue_table(matrix, bg):
    """P(S >= s) for s = 0..w*1000 under the i.i.d. background (MEME get_pdf_table).

    The distribution is kept shifted by the sum of the column minima seen so far (scores below
    it have probability exactly 0), so each column convolves only the live range: the same
    products summed in the same order as MEME's full-range loop, minus additions of exact zeros.
    """
    w = matrix.shape[0]
    size = w * PSSM_RANGE + 1
    pdf = np.zeros(size)
    new = np.zeros(size)
    pdf[0] = 1.0
    top = 0  # live range pdf[0..top] = P(S = base + k)
    base = 0
    for i in range(w):
        colmax = 0
        colmin = matrix[i, 0]
        for a in range(4):
            if matrix[i, a] > colmax:
                colmax = matrix[i, a]
            if matrix[i, a] < colmin:
                colmin = matrix[i, a]
        if colmin < 0:
            colmin = 0
        span = colmax - colmin
        for k in range(top + span + 1):
            new[k] = 0.0
        for a in range(4):  # one shifted, scaled copy per letter (vectorises)
            sh = matrix[i, a] - colmin
            ba = bg[a]
            _axpy(new[sh : sh + top + 1], pdf[: top + 1], ba)
        top += span
        base += colmin
        for k in range(top + 1):
            pdf[k] = new[k]
    pv = np.zeros(size)
    acc = 0.0
    for s in range(size - 1, -1, -1):
        if base <= s <= base + top:
            acc += pdf[s - base]
        pv[s] = acc if acc < 1.0 else 1.0
    return pv


@dataclass
class _MotifTables:
    matrices: list  # (w, 4) int32 per motif
    scales: np.ndarray
    offsets: np.ndarray
    widths: np.ndarray
    pvs: list  # pv table per motif
    cutoffs: np.ndarray  # S* per motif (w*1000 + 1 when unreachable)
    pv_flat: Optional[np.ndarray] = None  # the pv tables end to end (``pvs`` are views into it)
    pv_off: Optional[np.ndarray] = None  # (nm + 1,) int64: motif k's table is pv_flat[pv_off[k]:pv_off[k + 1]]
    mats_flat: Optional[np.ndarray] = None  # int32 matrices end to end, row-major (w, 4) per motif
    key: Optional[bytes] = None  # digest of (motif content, background, pseudocount): the table-cache key


@numba.njit(cache=True, nogil=True, parallel=True)
def _pvalue_tables(mats_flat, moff, widths, bg, pvoff):
    out = np.empty(pvoff[-1])
    for k in numba.prange(widths.shape[0]):
        w = widths[k]
        mat = mats_flat[moff[k] * 4 : (moff[k] + w) * 4].reshape((w, 4))
        out[pvoff[k] : pvoff[k + 1]] = _pvalue_table(mat, bg)
    return out


@numba.njit(cache=True, nogil=True)
def _cutoffs(flat_pv, pvoff, threshold):
    """S* per motif: the first score whose p-value is <= threshold (pv does not rise with the
    score, so a binary search); the table's length (w*1000 + 1) when none is."""
    nm = pvoff.shape[0] - 1
    out = np.empty(nm, dtype=np.int64)
    for k in range(nm):
        lo = pvoff[k]
        hi = pvoff[k + 1]
        while lo < hi:
            mid = (lo + hi) // 2
            if flat_pv[mid] <= threshold:
                hi = mid
            else:
                lo = mid + 1
        out[k] = lo - pvoff[k]
    return out


def _prepare_tables(motifs, bg, motif_pseudo, threshold) -> _MotifTables:
    """MEME's integer matrices, p-value tables and score cutoffs of ``motifs``.

    The matrices and p-value tables depend on the motifs' content, the background and the
    pseudocount only: they are built once per process and served from the table cache
    (:mod:`annostore.core.table_cache`); the cutoffs (a binary search per motif) per call.
    The arrays returned are shared with the cache: read them, never write them.
    """
    for motif in motifs:
        if motif.width > _MAX_WIDTH:
            raise BadInputError(f"motif {motif.name!r} is {motif.width} columns wide; at most {_MAX_WIDTH} supported")
    from annostore.core.table_cache import CACHE, digest, motifs_digest

    bg = np.asarray(bg, dtype=np.float64)
    key = digest("fimo-pssm", motifs_digest(motifs), bg, float(motif_pseudo))
    base = CACHE.get(key, lambda: _build_pssm_tables(motifs, bg, motif_pseudo, key))
    return dataclasses.replace(base, cutoffs=_cutoffs(base.pv_flat, base.pv_off, float(threshold)))


def _build_pssm_tables(motifs, bg, motif_pseudo, key) -> _MotifTables:
    """:func:`motif_pssm` + :func:`_pvalue_table` for all motifs at once (same arithmetic,
    column-stacked); no cutoffs."""
    from annostore.core.motifs import DEFAULT_NSITES
    from annostore.core.parallel import small_work

    widths = [m.width for m in motifs]
    probs = np.concatenate([m.pwm.T for m in motifs])  # (sum w, 4)
    nsites = np.repeat([m.nsites if m.nsites and m.nsites > 0 else DEFAULT_NSITES for m in motifs], widths)[:, None]
    if motif_pseudo != 0:
        probs = (nsites * probs + motif_pseudo * bg[None, :]) / (nsites + motif_pseudo)
    lo_odds = _log_odds(probs, bg)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    lo = np.minimum.reduceat(lo_odds.min(axis=1), starts)
    hi = np.maximum.reduceat(lo_odds.max(axis=1), starts)
    lo = np.where(hi == lo, hi - 1.0, lo)
    offs_arr = np.floor(lo)
    scales_arr = np.floor(PSSM_RANGE / (hi - offs_arr))
    rep = np.repeat(np.arange(len(widths)), widths)
    flat = np.floor((lo_odds - offs_arr[rep, None]) * scales_arr[rep, None] + 0.5).astype(np.int32)
    mats = [flat[a : a + w] for a, w in zip(starts.tolist(), widths)]
    w_arr = np.array(widths, dtype=np.int64)
    pvoff = np.concatenate([[0], np.cumsum(w_arr * PSSM_RANGE + 1)]).astype(np.int64)
    mats_flat = np.ascontiguousarray(flat.reshape(-1))
    # the DP costs about 2 w^2 * 1000 operations per motif: a few motifs run on one thread
    with small_work(float((w_arr * w_arr).sum()) * 2 * PSSM_RANGE):
        flat_pv = _pvalue_tables(mats_flat, starts, w_arr, bg, pvoff)
    pvs = [flat_pv[pvoff[k] : pvoff[k + 1]] for k in range(len(widths))]
    return _MotifTables(
        mats,
        scales_arr.astype(np.float64),
        offs_arr.astype(np.int64),
        w_arr,
        pvs,
        np.zeros(0, dtype=np.int64),
        flat_pv,
        pvoff,
        mats_flat,
        key,
    )


def pi0_tables(tabs: _MotifTables):
    """The q-value sampling tables of ``tabs`` (both strands' 4-column partial scores and the
    lambda bucket of every score; see :func:`annostore.core.fimo_pi0_kernels._sample_tables`):
    ``(q_flat, qoff, bk_flat)``, from the table cache when built before (they depend on the
    matrices and p-value tables only)."""
    from annostore.core.fimo_pi0_kernels import _sample_tables
    from annostore.core.parallel import small_work

    def build():
        moff = np.concatenate([[0], np.cumsum(tabs.widths)[:-1]]).astype(np.int64)
        with small_work(float(tabs.pv_off[-1]) * 4):
            return _sample_tables(np.ascontiguousarray(tabs.mats_flat, dtype=np.int64), moff,
                                  np.asarray(tabs.widths, dtype=np.int64), tabs.pv_flat, tabs.pv_off)

    if tabs.key is None:
        return build()
    from annostore.core.table_cache import CACHE, digest

    return CACHE.get(digest("fimo-pi0", tabs.key), build)
