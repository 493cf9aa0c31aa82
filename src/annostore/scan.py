"""FIMO with numba kernels, giving MEME 5.5.x's numbers (meme-reference §1).

Scoring, exactly as MEME's ``fimo``:

1. background: NRDB (default), uniform, the motif file's block, a MEME ``--bfile`` file or a
   ``(4,)`` array; made strand-symmetric when both strands are scanned; then MEME's
   ``(b + 5e-7) / (1 + 4 * 5e-7)`` normalisation;
2. motif pseudocount ``(N p + c b) / (N + c)``, ``N = nsites`` (20 when absent), ``c = 0.1``;
3. log-odds ``ln(p / b) * 1.44269504`` (MEME's truncated log2 constant);
4. integer scaling to [0, 1000]: ``offset = floor(min)``, ``scale = floor(1000 / (max - offset))``,
   ``M = nint((L - offset) scale)``;
5. the exact null of the integer window score by dynamic programming with the same background,
   ``p = P(S >= s)``;
6. every window of every sequence, both strands unless ``norc``; windows holding a letter other
   than A/C/G/T (either case) are skipped and not counted as tests; hits are ``p <= threshold``;
   the printed score is ``S / scale + w * offset``;
7. q-values per motif with Storey's pi0 + BH step-up (see :mod:`annostore.qvalues` and
   ``qvalue_method`` below).

Speed: a hit needs ``S >= S*`` with ``S* = min{s : p(s) <= threshold}`` (exact integer pruning).
Each motif strand gets two 8-column blocks (its most informative 16 columns); for each block the
8-mer under it must still allow ``S*`` given the other columns' maxima.  These necessary
conditions are packed as bits, 32 motif strands per table, so one lookup of the 8-mer code at a
position tests 32 motif strands at once (``flags[word] & flags2[next word]``).  Wide motifs whose
blocks filter poorly are tested instead with the joint partial score of both blocks (two int16
table lookups).  The few windows left are scored exactly with 4-column lookup tables and
suffix-maximum pruning, and windows holding N are dropped.  Work is split into chunks of sequence
handed out dynamically to the numba threads; memory is bounded by one batch of motifs.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

import numba
import numpy as np
import pyarrow as pa

from .errors import BadInputError
from numba.cpython.unsafe.numbers import trailing_zeros

from .qvalues import (
    RESERVOIR_SIZE,
    MemeRandom,
    _pi0_first,
    _qvalues_sorted,
    _reservoir,
    _uniforms32,
    knuth_state,
    lambda_bucket,
)

__all__ = [
    "FIMO_SCHEMA",
    "fimo",
    "fimo_batches",
    "prepare_background",
    "motif_pssm",
    "scan_store",
    "to_memelite",
    "write_fimo_tsv",
]

PSSM_RANGE = 1000
LOG2 = 1.44269504  # MEME's my_log2 constant
_K1 = 8  # bitmap filter width (4^8 bits = 8 KiB per motif strand)
_CHUNK = 1 << 18  # most positions per work chunk
_MAX_WIDTH = 1400
_PROBE = np.random.default_rng(12345).integers(0, 1 << 16, size=4096).astype(np.int64)  # 8-mers for filter rates
_DENSE_RATE = 0.1  # motif strands whose block flags pass more windows than this are scanned densely
_SAMPLE_RUN = 10  # 'sample' q-values: pi0 sample = 1,000 runs of 10 consecutive tests  # motif strands whose block flags pass more windows than this are scanned densely  # int32 scores with the N penalty stay in range

FIMO_SCHEMA = pa.schema(
    [
        pa.field("motif_idx", pa.int32(), nullable=False),
        pa.field("motif", pa.string(), nullable=False),
        pa.field("motif_alt", pa.string()),
        pa.field("example_idx", pa.int64(), nullable=False),
        pa.field("sequence_name", pa.string()),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("strand", pa.string(), nullable=False),
        pa.field("score", pa.float64()),
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),
    ]
)


# --------------------------------------------------------------------------------------------
# motif preparation (MEME arithmetic)


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
    from .motifs import NRDB, normalised_background, read_background, symmetrised

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
    from .motifs import pseudocounted

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
    """P(S >= s) for s = 0..w*1000 under the i.i.d. background (MEME get_pdf_table)."""
    w = matrix.shape[0]
    size = w * PSSM_RANGE + 1
    pdf = np.zeros(size)
    new = np.zeros(size)
    pdf[0] = 1.0
    top = 0
    for i in range(w):
        colmax = 0
        for a in range(4):
            if matrix[i, a] > colmax:
                colmax = matrix[i, a]
        for k in range(top + colmax + 1):
            new[k] = 0.0
        for a in range(4):  # one shifted, scaled copy per letter (vectorises)
            sh = matrix[i, a]
            ba = bg[a]
            _axpy(new[sh : sh + top + 1], pdf[: top + 1], ba)
        top += colmax
        for k in range(top + 1):
            pdf[k] = new[k]
    pv = np.zeros(size)
    acc = 0.0
    for s in range(size - 1, -1, -1):
        if s <= top:
            acc += pdf[s]
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
    widths = [m.width for m in motifs]
    for motif in motifs:
        if motif.width > _MAX_WIDTH:
            raise BadInputError(f"motif {motif.name!r} is {motif.width} columns wide; at most {_MAX_WIDTH} supported")
    # motif_pssm for all motifs at once (same arithmetic, column-stacked)
    from .motifs import DEFAULT_NSITES

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
    scales = scales_arr.astype(np.int64).tolist()
    offs = offs_arr.astype(np.int64).tolist()
    w_arr = np.array(widths, dtype=np.int64)
    moff = np.concatenate([[0], np.cumsum(w_arr)[:-1]]).astype(np.int64)
    pvoff = np.concatenate([[0], np.cumsum(w_arr * PSSM_RANGE + 1)]).astype(np.int64)
    flat_pv = _pvalue_tables(np.concatenate([m.reshape(-1) for m in mats]).astype(np.int32), moff, w_arr, bg, pvoff)
    cuts = _cutoffs(flat_pv, pvoff, float(threshold)).tolist()
    pvs = [flat_pv[pvoff[k] : pvoff[k + 1]] for k in range(len(widths))]
    return _MotifTables(
        mats,
        np.array(scales, dtype=np.float64),
        np.array(offs, dtype=np.int64),
        np.array(widths, dtype=np.int64),
        pvs,
        np.array(cuts, dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------
# sequence preparation


@numba.njit(cache=True, nogil=True)
def _word_codes(codes):
    """code32[i]: the 16 letters from i as 2-bit digits, first letter highest (N -> A)."""
    n = codes.shape[0]
    out = np.zeros(n + 16, dtype=np.uint32)
    acc = np.uint32(0)
    for i in range(n + 16 - 1, -1, -1):
        c = np.uint32(0)
        if i < n and codes[i] < 4:
            c = np.uint32(codes[i])
        acc = (acc >> np.uint32(2)) | (c << np.uint32(30))
        out[i] = acc
    return out


@dataclass
class _SeqPrep:
    codes: np.ndarray  # uint8, padded
    words: np.ndarray  # uint32
    offsets: np.ndarray
    # window-start segments: [seg_lo, seg_hi) global starts, seg_end = end of its sequence
    seg_lo: np.ndarray
    seg_hi: np.ndarray
    seg_end: np.ndarray
    chunk_bounds: np.ndarray  # chunk c = segments chunk_bounds[c]:chunk_bounds[c+1]
    # clean runs (no N), for test counts and sampling
    run_start: np.ndarray
    run_len: np.ndarray
    nbad: np.ndarray  # nbad[i] = letters other than ACGT in codes[:i]


def _prepare_sequences(seqs) -> _SeqPrep:
    codes = np.ascontiguousarray(seqs.codes, dtype=np.uint8)
    # work chunks: big enough that each filter table is reused over many positions, small
    # enough to share the work between threads
    chunk = int(min(_CHUNK, max(4096, codes.shape[0] // (16 * max(1, numba.get_num_threads())))))
    offsets = np.asarray(seqs.offsets, dtype=np.int64)
    padded = np.concatenate([codes, np.full(64, 4, dtype=np.uint8)])
    words = _word_codes(codes)
    seg_lo, seg_hi, seg_end, bounds = [], [], [], [0]
    acc = 0
    for i in range(len(offsets) - 1):
        a, b = int(offsets[i]), int(offsets[i + 1])
        for lo in range(a, b, chunk):
            hi = min(b, lo + chunk)
            seg_lo.append(lo)
            seg_hi.append(hi)
            seg_end.append(b)
            acc += hi - lo
            if acc >= chunk:
                bounds.append(len(seg_lo))
                acc = 0
    if bounds[-1] != len(seg_lo):
        bounds.append(len(seg_lo))
    # clean runs
    good = codes < 4
    starts = np.zeros(codes.shape[0], dtype=bool)
    if codes.shape[0]:
        starts[0] = good[0]
        starts[1:] = good[1:] & ~good[:-1]
        starts[offsets[:-1][offsets[:-1] < codes.shape[0]]] = good[offsets[:-1][offsets[:-1] < codes.shape[0]]]
    ends = np.zeros(codes.shape[0], dtype=bool)
    if codes.shape[0]:
        ends[-1] = good[-1]
        ends[:-1] = good[:-1] & ~good[1:]
        last = offsets[1:] - 1
        last = last[(last >= 0) & (last < codes.shape[0])]
        ends[last] = good[last]
    run_start = np.flatnonzero(starts).astype(np.int64)
    run_end = np.flatnonzero(ends).astype(np.int64) + 1
    return _SeqPrep(
        padded,
        words,
        offsets,
        np.array(seg_lo, dtype=np.int64),
        np.array(seg_hi, dtype=np.int64),
        np.array(seg_end, dtype=np.int64),
        np.array(bounds, dtype=np.int64),
        run_start,
        run_end - run_start,
        np.concatenate([[0], np.cumsum(codes >= 4)]).astype(np.int64),
    )


# --------------------------------------------------------------------------------------------
# the scan


@numba.njit(cache=True, nogil=True)
def _hilo(ext, o, start, k):
    """Partial scores of the block's first 4 / next 4 columns (k <= 8 columns from ``start``),
    indexed by the high / low byte of an 8-mer code: partial(c) = hi[c >> 8] + lo[c & 255]."""
    hi = np.zeros(256, dtype=np.int64)
    lo = np.zeros(256, dtype=np.int64)
    for c in range(256):
        for t in range(4):
            letter = (c >> (2 * (3 - t))) & 3
            if t < k:
                hi[c] += ext[(o + start + t) * 5 + letter]
            if 4 + t < k:
                lo[c] += ext[(o + start + 4 + t) * 5 + letter]
    return hi, lo


@numba.njit(cache=True, nogil=True)
def _probe_rate(ext, o, start, k, need, probe):
    hi, lo = _hilo(ext, o, start, k)
    npass = 0
    for c in probe:
        if hi[c >> 8] + lo[c & 255] >= need:
            npass += 1
    return npass / probe.shape[0]


@numba.njit(cache=True, nogil=True)
def _strand_tables(matrices_flat, moff, widths, cutoffs, norc, k1max, probe):
    """Per motif strand: the N-extended (w, 5) matrix, pruning order/bounds, filter block."""
    nm = widths.shape[0]
    ns = 1 if norc else 2
    nms = nm * ns
    ms_w = np.empty(nms, dtype=np.int64)
    ms_cut = np.empty(nms, dtype=np.int64)
    ms_moff = np.empty(nms, dtype=np.int64)
    ms_k1 = np.empty(nms, dtype=np.int64)
    ms_o1 = np.zeros(nms, dtype=np.int64)
    ms_need = np.zeros(nms, dtype=np.int64)
    ms_k2 = np.zeros(nms, dtype=np.int64)
    ms_need2 = np.zeros(nms, dtype=np.int64)
    rate = np.zeros(nms)
    total_cols = 0
    for m in range(nm):
        for s in range(ns):
            ms = m * ns + s
            w = widths[m]
            ms_w[ms] = w
            ms_cut[ms] = cutoffs[m]
            ms_moff[ms] = total_cols
            ms_k1[ms] = min(w, k1max)
            total_cols += w
    ext = np.empty(total_cols * 5, dtype=np.int32)
    order = np.empty(total_cols, dtype=np.int64)
    bound = np.empty(total_cols, dtype=np.int64)
    # quad tables: blocks of 4 columns scored with one lookup of the 4-mer code
    ms_qoff = np.empty(nms + 1, dtype=np.int64)
    nq_total = 0
    for ms in range(nms):
        ms_qoff[ms] = nq_total
        nq_total += (ms_w[ms] + 3) // 4
    ms_qoff[nms] = nq_total
    qtab = np.zeros(nq_total * 256, dtype=np.int32)
    qorder = np.empty(nq_total, dtype=np.int64)
    qbound = np.empty(nq_total, dtype=np.int64)
    for ms in numba.prange(nms):
        m = ms // ns
        s = ms - m * ns
        w = widths[m]
        base = moff[m]
        o = ms_moff[ms]
        pen = -(w * PSSM_RANGE + 1)
        colmax = np.empty(w, dtype=np.int64)
        gain = np.empty(w)
        for j in range(w):
            mx = 0
            tot = 0
            for a in range(4):
                if s == 0:
                    v = matrices_flat[(base + j) * 4 + a]
                else:
                    v = matrices_flat[(base + w - 1 - j) * 4 + 3 - a]
                ext[(o + j) * 5 + a] = v
                tot += v
                if v > mx:
                    mx = v
            ext[(o + j) * 5 + 4] = pen
            colmax[j] = mx
            gain[j] = mx - tot / 4.0
        ordr = np.argsort(-gain, kind="mergesort")
        rest = 0
        for t in range(w - 1, -1, -1):
            bound[o + t] = rest  # the most the columns after position t of the order can add
            rest += colmax[ordr[t]]
            order[o + t] = ordr[t]
        q0 = ms_qoff[ms]
        nq = ms_qoff[ms + 1] - q0
        qgain = np.zeros(nq)
        qmax = np.zeros(nq, dtype=np.int64)
        for bq in range(nq):
            for c in range(256):
                acc = 0
                for t in range(4):
                    j = 4 * bq + t
                    if j < w:
                        acc += ext[(o + j) * 5 + ((c >> (2 * (3 - t))) & 3)]
                qtab[(q0 + bq) * 256 + c] = acc
            for t in range(4):
                j = 4 * bq + t
                if j < w:
                    qgain[bq] += gain[j]
                    qmax[bq] += colmax[j]
        qo = np.argsort(-qgain, kind="mergesort")
        rest = 0
        for u in range(nq - 1, -1, -1):
            qbound[q0 + u] = rest
            rest += qmax[qo[u]]
            qorder[q0 + u] = qo[u]
        if ms_cut[ms] > w * PSSM_RANGE:
            continue
        k1 = ms_k1[ms]
        span = min(w, 2 * k1max)  # block 1 = [o1, o1 + k1), block 2 = [o1 + k1, o1 + span)
        best = 0
        bestg = -1.0
        for st in range(w - span + 1):
            g = 0.0
            for j in range(st, st + span):
                g += gain[j]
            if g > bestg:
                bestg = g
                best = st
        ms_o1[ms] = best
        k2 = span - k1
        ms_k2[ms] = k2
        total = 0
        in1 = 0
        in2 = 0
        for j in range(w):
            total += colmax[j]
            if best <= j < best + k1:
                in1 += colmax[j]
            elif best + k1 <= j < best + span:
                in2 += colmax[j]
        ms_need[ms] = ms_cut[ms] - (total - in1)  # block 1's partial score must reach this
        ms_need2[ms] = ms_cut[ms] - (total - in2)
        r = _probe_rate(ext, o, best, k1, ms_need[ms], probe)
        if k2 > 0:
            r *= _probe_rate(ext, o, best + k1, k2, ms_need2[ms], probe)
        rate[ms] = r
    return ms_w, ms_cut, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ext, order, bound, rate, ms_qoff, qtab, qorder, qbound


@numba.njit(cache=True, nogil=True)
def _or_bits(row, hi, lo, need, bit):
    """row[h * 256 + l] |= bit where hi[h] + lo[l] >= need (branch-free inner loop)."""
    for h in range(256):
        base = hi[h]
        for l in range(256):
            row[h * 256 + l] |= bit * np.uint32(base + lo[l] >= need)


@numba.njit(cache=True, nogil=True)
def _group_flags(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, grp_ms, grp_n):
    """flags[0/1, g, word8]: bit t set when member t of group g may still reach its cutoff
    given the word under its block 1 (at the window's o1) / block 2 (at o1 + 8)."""
    ng = grp_ms.shape[0]
    nw = 1 << (2 * _K1)
    flags = np.zeros((2, ng, nw), dtype=np.uint32)
    for g in numba.prange(ng):
        for t in range(grp_n[g]):
            ms = grp_ms[g, t]
            bit = np.uint32(1) << np.uint32(t)
            k1 = ms_k1[ms]
            hi, lo = _hilo(ext, ms_moff[ms], ms_o1[ms], k1)
            need = ms_need[ms]
            _or_bits(flags[0, g], hi, lo, need, bit)
            k2 = ms_k2[ms]
            if k2 == 0:
                for c in range(nw):
                    flags[1, g, c] |= bit
                continue
            hi, lo = _hilo(ext, ms_moff[ms], ms_o1[ms] + k1, k2)
            need2 = ms_need2[ms]
            _or_bits(flags[1, g], hi, lo, need2, bit)
    return flags


@numba.njit(cache=True, nogil=True)
def _dense_tables(ext, ms_moff, ms_w, ms_cut, ms_o1, ms_k1, ms_k2, dense_ms):
    """For motif strands whose flags filter poorly: int16 partial scores of blocks 1 and 2 over
    all 8-mers (block 2 broadcast over the letters it does not use), and the joint cutoff."""
    nd = dense_ms.shape[0]
    nw = 1 << (2 * _K1)
    tabs = np.zeros((nd, 2, nw), dtype=np.int16)
    need = np.zeros(nd, dtype=np.int64)
    for d in numba.prange(nd):
        ms = dense_ms[d]
        o = ms_moff[ms]
        w = ms_w[ms]
        k1 = ms_k1[ms]
        k2 = ms_k2[ms]
        hi, lo = _hilo(ext, o, ms_o1[ms], k1)
        for c in range(nw):
            tabs[d, 0, c] = hi[c >> 8] + lo[c & 255]
        if k2 > 0:
            hi, lo = _hilo(ext, o, ms_o1[ms] + k1, k2)
            for c in range(nw):
                tabs[d, 1, c] = hi[c >> 8] + lo[c & 255]
        rest = 0
        for j in range(w):
            if j < ms_o1[ms] or j >= ms_o1[ms] + k1 + k2:
                mx = 0
                for a in range(4):
                    if ext[(o + j) * 5 + a] > mx:
                        mx = ext[(o + j) * 5 + a]
                rest += mx
        need[d] = ms_cut[ms] - rest
    return tabs, need


@numba.njit(cache=True, nogil=True, parallel=True)
def _scan(
    words, codes, seg_lo, seg_hi, seg_end, chunk_bounds, chunk_ids, chunk_base, chunk_cap,
    grp_ms, grp_n, grp_maxoff, flags, ms_w, ms_cut, ms_o1, ms_qoff, qtab, qorder, qbound, nbad,
    dense_ms, dense_tabs, dense_need, out_ms, out_pos, out_score, counts,
):
    ng = grp_ms.shape[0]
    shift = np.uint32(32 - 2 * _K1)
    qshift = np.uint32(24)
    for ci in numba.prange(chunk_ids.shape[0]):
        c = chunk_ids[ci]
        base = chunk_base[ci]
        cap = chunk_cap[ci]
        n = 0
        for g in range(ng):
            fl = flags[0, g]
            fl2 = flags[1, g]
            for sg in range(chunk_bounds[c], chunk_bounds[c + 1]):
                a = seg_lo[sg]
                b = seg_hi[sg]
                e = seg_end[sg]
                qend = min(b + grp_maxoff[g], e)
                for q in range(a, qend):
                    f = fl[words[q] >> shift]
                    if f == 0:
                        continue
                    f &= fl2[words[q + _K1] >> shift]
                    while f != 0:
                        t = trailing_zeros(f)
                        f &= f - np.uint32(1)
                        ms = grp_ms[g, t]
                        p = q - ms_o1[ms]
                        w = ms_w[ms]
                        if p < a or p >= b or p + w > e:
                            continue
                        q0 = ms_qoff[ms]
                        nq = ms_qoff[ms + 1] - q0
                        cut = ms_cut[ms]
                        sc = 0
                        ok = True
                        for u in range(nq):
                            bq = qorder[q0 + u]
                            sc += qtab[(q0 + bq) * 256 + (words[p + 4 * bq] >> qshift)]
                            if sc + qbound[q0 + u] < cut:
                                ok = False
                                break
                        if ok and nbad[p + w] == nbad[p]:  # windows holding N are not tests
                            if n < cap:
                                out_ms[base + n] = ms
                                out_pos[base + n] = p
                                out_score[base + n] = sc
                            n += 1
        for d in range(dense_ms.shape[0]):
            ms = dense_ms[d]
            w = ms_w[ms]
            o1 = ms_o1[ms]
            t1 = dense_tabs[d, 0]
            t2 = dense_tabs[d, 1]
            nd = dense_need[d]
            q0 = ms_qoff[ms]
            nq = ms_qoff[ms + 1] - q0
            cut = ms_cut[ms]
            for sg in range(chunk_bounds[c], chunk_bounds[c + 1]):
                a = seg_lo[sg]
                b = min(seg_hi[sg], seg_end[sg] - w + 1)
                for p in range(a, b):
                    if np.int64(t1[words[p + o1] >> shift]) + np.int64(t2[words[p + o1 + _K1] >> shift]) < nd:
                        continue
                    sc = 0
                    ok = True
                    for u in range(nq):
                        bq = qorder[q0 + u]
                        sc += qtab[(q0 + bq) * 256 + (words[p + 4 * bq] >> qshift)]
                        if sc + qbound[q0 + u] < cut:
                            ok = False
                            break
                    if ok and nbad[p + w] == nbad[p]:
                        if n < cap:
                            out_ms[base + n] = ms
                            out_pos[base + n] = p
                            out_score[base + n] = sc
                        n += 1
        counts[ci] = n


@numba.njit(cache=True, nogil=True)
def _quads(mat, w, strand):
    """(ceil(w/4), 256) partial scores of 4-column blocks of a strand's matrix, by 4-mer code."""
    nq = (w + 3) // 4
    out = np.zeros((nq, 256), dtype=np.int64)
    for b in range(nq):
        for c in range(256):
            acc = 0
            for t in range(4):
                j = 4 * b + t
                if j < w:
                    letter = (c >> (2 * (3 - t))) & 3
                    if strand == 0:
                        acc += mat[j, letter]
                    else:
                        acc += mat[w - 1 - j, 3 - letter]
            out[b, c] = acc
    return out


@numba.njit(cache=True, nogil=True)
def _sample_first(items, ns, code4, run_start, run_len, w, mat, pv):
    """p-values of sorted test items (item = window rank * ns + strand, scan order), counted
    against MEME's lambda grid: ``first[j] = #{p < lambda_j}``.  ``code4[i]``: the 4-mer code
    at position i (``words >> 24`` as uint8: a quarter of the memory the random reads touch)."""
    qf = _quads(mat, w, 0)
    qr = _quads(mat, w, 1)
    nq = qf.shape[0]
    first = np.zeros(100, dtype=np.int64)
    hist = np.zeros(101, dtype=np.int64)
    by_score = np.zeros(pv.shape[0], dtype=np.int32)
    ni = items.shape[0]
    # pass 1: window start and strand of every item (walk of the sorted items over the runs)
    pos = np.empty(ni, dtype=np.int64)
    r = 0
    cum = 0
    cnt = max(run_len[0] - w + 1, 0) if run_len.shape[0] else 0
    for i in range(ni):
        it = items[i]
        v = it >> 1 if ns == 2 else it
        while v >= cum + cnt:
            cum += cnt
            r += 1
            cnt = max(run_len[r] - w + 1, 0)
        pos[i] = run_start[r] + (v - cum)
    # pass 2: gather the 4-mer codes (independent loads, so the cache misses overlap)
    codes = np.empty(ni * nq, dtype=np.uint8)
    for i in range(ni):
        p = pos[i]
        for b in range(nq):
            codes[i * nq + b] = code4[p + 4 * b]
    # pass 3: scores
    smin = by_score.shape[0]
    smax = -1
    for i in range(ni):
        sc = 0
        if ns == 2 and (items[i] & 1):
            for b in range(nq):
                sc += qr[b, codes[i * nq + b]]
        else:
            for b in range(nq):
                sc += qf[b, codes[i * nq + b]]
        by_score[sc] += 1
        smin = min(smin, sc)
        smax = max(smax, sc)
    # pv falls as the score rises: walk the sampled score range down with a monotone lambda
    # pointer (the bucket of a score depends on pv[score] alone; no data-dependent branch)
    if smax >= 0:
        b = lambda_bucket(pv[smax])
        for sc in range(smax, smin - 1, -1):
            while b < 100 and 0.5 * (b + 1) / 100 <= pv[sc]:
                b += 1
            hist[b] += by_score[sc]
    acc = 0
    for j in range(100):
        acc += hist[j]
        first[j] = acc
    return first


@numba.njit(cache=True, nogil=True)
def _sorted_uniform_items(st, m, size, run):
    """``size`` sorted test items from range(m): ``size // run`` uniformly placed runs of ``run``
    consecutive tests (uniform order statistics by exponential spacings).  Runs keep the
    windows that are scored for pi0 close together in memory."""
    nstart = size // run
    span = m - run + 1
    u = np.empty(nstart + 1)
    _uniforms32(st, u)
    e = np.empty(nstart + 1)
    tot = 0.0
    for i in range(nstart + 1):
        e[i] = -np.log(1.0 - u[i])
        tot += e[i]
    out = np.empty(nstart * run, dtype=np.int64)
    acc = 0.0
    for i in range(nstart):
        acc += e[i]
        k = np.int64(acc / tot * span)
        if k >= span:
            k = span - 1
        for t in range(run):
            out[i * run + t] = k + t
    return out


@numba.njit(cache=True, nogil=True)
def _pi0_one(seed, m, size, ns, code4, run_start, run_len, w, mat, pv):
    """'sample' mode pi0 of one motif: a fresh stream seeded with ``seed`` picks the tests,
    a splitmix64 stream seeded from it drives the bootstrap."""
    if m <= 100:
        return 1.0
    st = knuth_state(seed)
    if m <= size:
        items = np.arange(m).astype(np.int64)
    else:
        items = _sorted_uniform_items(st, m, size, _SAMPLE_RUN)
    first = _sample_first(items, ns, code4, run_start, run_len, w, mat, pv)
    sm = np.empty(1, dtype=np.uint64)
    sm[0] = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
    return _pi0_first(sm, first, items.shape[0], False)


@numba.njit(cache=True, nogil=True, parallel=True)
def _pi0_sampled(seeds, tests, active, ns, size, code4, run_start, run_len, widths, mats_flat, moff, pv_flat, pvoff):
    """pi0 per motif with fresh streams per motif (seeded from 4357 + motif index): 'sample' mode."""
    nm = seeds.shape[0]
    out = np.ones(nm)
    for k in numba.prange(nm):
        if active[k]:
            w = widths[k]
            mat = mats_flat[moff[k] * 4 : (moff[k] + w) * 4].reshape((w, 4))
            out[k] = _pi0_one(seeds[k], tests[k], size, ns, code4, run_start, run_len, w, mat,
                              pv_flat[pvoff[k] : pvoff[k + 1]])
    return out


@numba.njit(cache=True, nogil=True)
def _pi0_sampled_serial(seeds, tests, active, ns, size, code4, run_start, run_len, widths, mats_flat, moff, pv_flat,
                        pvoff):
    """:func:`_pi0_sampled` on the calling thread (no GIL), to run beside the parallel scan."""
    nm = seeds.shape[0]
    out = np.ones(nm)
    for k in range(nm):
        if active[k]:
            w = widths[k]
            mat = mats_flat[moff[k] * 4 : (moff[k] + w) * 4].reshape((w, 4))
            out[k] = _pi0_one(seeds[k], tests[k], size, ns, code4, run_start, run_len, w, mat,
                              pv_flat[pvoff[k] : pvoff[k + 1]])
    return out


@numba.njit(cache=True, nogil=True)
def _qvalues_grouped(pvals, keep, bounds, m_tests, pi0s, qv):
    """q-values of the kept hits of each motif (rows ``bounds[k]:bounds[k + 1]``), into ``qv``."""
    for k in range(bounds.shape[0] - 1):
        nk = 0
        for i in range(bounds[k], bounds[k + 1]):
            if keep[i]:
                nk += 1
        if nk == 0:
            continue
        idx = np.empty(nk, dtype=np.int64)
        p = np.empty(nk)
        t = 0
        for i in range(bounds[k], bounds[k + 1]):
            if keep[i]:
                idx[t] = i
                p[t] = pvals[i]
                t += 1
        o = np.argsort(p, kind="mergesort")
        q = _qvalues_sorted(p[o], m_tests[k], pi0s[k])
        for t in range(nk):
            qv[idx[o[t]]] = q[t]


@numba.njit(cache=True, nogil=True)
def _span_sums(attr, ex, start, end):
    out = np.empty(ex.shape[0])
    for i in range(ex.shape[0]):
        acc = 0.0
        for k in range(start[i], end[i]):
            acc += attr[ex[i], k]
        out[i] = acc
    return out


# --------------------------------------------------------------------------------------------
# public API


_QMETHODS = ("auto", "meme", "sample")
_AUTO_DRAW_LIMIT = 50_000_000


def _as_motifs(motifs, motif_names):
    from .motifs import read_motifs

    ms = read_motifs(motifs)
    if motif_names is not None:
        if isinstance(motif_names, str):
            motif_names = [motif_names]
        ms = ms.select(list(motif_names))
    if len(ms) == 0:
        raise BadInputError("no motifs to scan")
    return ms


def fimo_batches(
    motifs: Any,
    sequences: Any,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    matched_sequence: bool = False,
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    motif_names: Optional[Iterable[str]] = None,
    batch_motifs: int = 128,
    stats: Optional[dict] = None,
) -> Iterator[pa.RecordBatch]:
    """:func:`fimo` as a stream of Arrow record batches (memory bounded by one batch of motifs).

    Batches hold whole motifs (q-values are per motif), in motif order; rows within a batch are
    sorted by motif, example, start, strand ('+' first).  Parameters as :func:`fimo`, plus
    ``batch_motifs`` (motifs per batch) and ``stats`` (a dict filled with ``tests`` per motif
    index, ``pi0`` per motif index and the ``qvalue_method`` used).

    Yields
    ------
    pyarrow.RecordBatch
        Rows of :data:`FIMO_SCHEMA` (+ ``attribution``, ``matched_sequence`` when asked).
    """
    from .sequences import load_sequences

    if not (threshold > 0) or not math.isfinite(threshold):
        raise BadInputError(f"threshold must be a positive number, got {threshold!r}")
    if qvalue_method not in _QMETHODS:
        raise BadInputError(f"qvalue_method must be one of {', '.join(_QMETHODS)}, got {qvalue_method!r}")
    if motif_pseudo < 0 or not math.isfinite(motif_pseudo):
        raise BadInputError(f"motif_pseudo must be >= 0, got {motif_pseudo!r}")
    mset = _as_motifs(motifs, motif_names)
    seqs = load_sequences(sequences)
    attr = None
    if attributions is not None:
        from .attributions import load_attributions

        attr = load_attributions(attributions, n=len(seqs), lengths=seqs.lengths)
    bg = prepare_background(bfile, mset, norc=norc)
    sp = _prepare_sequences(seqs)
    ns = 1 if norc else 2
    names = pa.array([str(x) for x in seqs.names], pa.string())

    # tests per motif width (windows without N, times strands)
    widths_all = np.array([m.width for m in mset], dtype=np.int64)
    tests = {}
    for w in np.unique(widths_all):
        tests[int(w)] = int(np.maximum(sp.run_len - w + 1, 0).sum()) * ns
    method = qvalue_method
    if qvalues and method == "auto":
        draws = sum(max(0, tests[int(w)] - RESERVOIR_SIZE) for w in widths_all)
        method = "meme" if draws <= _AUTO_DRAW_LIMIT else "sample"
    if stats is not None:
        stats["qvalue_method"] = method if qvalues else None
        stats["tests"] = {}
        stats["pi0"] = {}
        stats["background"] = bg
    rng = MemeRandom()
    code4 = (sp.words >> np.uint32(24)).astype(np.uint8) if qvalues else None  # 4-mer code per position
    idx_all = np.arange(len(mset))
    # 'sample' pi0 of a batch runs on a helper thread (numba, no GIL), started before the serial
    # finishing of the previous batch (sorting, q-values, Arrow, the consumer) so that it fills
    # the core those leave idle, then beside the parallel scan; same numbers
    pool = None
    if qvalues and method == "sample" and numba.get_num_threads() > 1:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annostore-pi0")

    def finish(gidx, group, tabs, pv_off, pv_flat, m_tests, pi0_job, pi0_args, ms_idx, pos, sc):
        motif_local = ms_idx // ns
        strand_minus = (ms_idx % ns) == 1
        # scan order within motif: example/position, '+' before '-'
        # (motif, position, strand) is unique per hit: one int64 key sorts as the lexsort would
        span = 2 * (int(pos.max()) + 1) if pos.shape[0] else 2
        order = np.argsort(motif_local.astype(np.int64) * span + pos * 2 + strand_minus)
        motif_local, strand_minus, pos, sc = motif_local[order], strand_minus[order], pos[order], sc[order]
        pvals = pv_flat[pv_off[motif_local] + sc]
        scores = sc / np.asarray(tabs.scales)[motif_local] + (tabs.widths * np.asarray(tabs.offsets))[motif_local]
        keep = np.ones(pos.shape[0], dtype=bool)
        qv = np.full(pos.shape[0], np.nan)
        bounds = np.searchsorted(motif_local, np.arange(len(group) + 1))
        if max_stored_scores is not None:
            for k in range(len(group)):
                sel = slice(bounds[k], bounds[k + 1])
                keep[sel] = _heap_keep(pvals[sel], int(max_stored_scores))
        if stats is not None:
            for k in range(len(group)):
                stats["tests"][int(gidx[k])] = int(m_tests[k])
        if qvalues:
            kc = np.concatenate([[0], np.cumsum(keep)])
            has_hits = kc[bounds[1:]] > kc[bounds[:-1]]
            pi0s = np.ones(len(group))
            if method == "sample":
                if pi0_job is not None:  # computed for every motif; MEME's pi0 is 1 without hits
                    pi0s = np.where(has_hits, pi0_job.result(), 1.0)
                else:
                    old_chunk = numba.set_parallel_chunksize(1)
                    pi0s = _pi0_sampled(*pi0_args[:2], has_hits, *pi0_args[3:])
                    numba.set_parallel_chunksize(old_chunk)
            else:  # MEME's own stream: reservoir over every test in scan order, motif after motif
                for k in range(len(group)):
                    items = np.sort(_reservoir(rng.state, int(m_tests[k]), RESERVOIR_SIZE))
                    if items.shape[0] > 100 and has_hits[k]:  # MEME skips pi0 (and its draws) without hits
                        first = _sample_first(items, ns, code4, sp.run_start, sp.run_len, int(tabs.widths[k]),
                                              tabs.matrices[k].astype(np.int64), tabs.pvs[k])
                        pi0s[k] = float(_pi0_first(rng.state, first, items.shape[0], True))
            if stats is not None:
                for k in range(len(group)):
                    stats["pi0"][int(gidx[k])] = float(pi0s[k])
            _qvalues_grouped(pvals, keep, bounds.astype(np.int64), m_tests, pi0s.astype(np.float64), qv)
        if not keep.all():
            motif_local, strand_minus, pos, sc = motif_local[keep], strand_minus[keep], pos[keep], sc[keep]
            pvals, scores, qv = pvals[keep], scores[keep], qv[keep]
        ex = np.searchsorted(sp.offsets, pos, side="right") - 1
        start = pos - sp.offsets[ex]
        w_hit = tabs.widths[motif_local]
        end = start + w_hit
        midx = gidx[motif_local].astype(np.int32)
        mnames = pa.array([m.name for m in group], pa.string())
        malts = pa.array([m.alt_name for m in group], pa.string())
        ml = pa.array(motif_local.astype(np.int64))
        cols = {
            "motif_idx": pa.array(midx, pa.int32()),
            "motif": mnames.take(ml),
            "motif_alt": malts.take(ml),
            "example_idx": pa.array(ex.astype(np.int64), pa.int64()),
            "sequence_name": names.take(pa.array(ex.astype(np.int64))),
            "start": pa.array(start.astype(np.int64), pa.int64()),
            "end": pa.array(end.astype(np.int64), pa.int64()),
            "strand": _STRANDS.take(pa.array(strand_minus.astype(np.int8))),
            "score": pa.array(scores, pa.float64()),
            "p_value": pa.array(pvals, pa.float64()),
            "q_value": pa.array(qv, pa.float64(), mask=np.isnan(qv) if not qvalues else None),
        }
        if attr is not None:
            cols["attribution"] = pa.array(_span_sums(attr, ex, start, end), pa.float64())
        if matched_sequence:
            cols["matched_sequence"] = pa.array(_matched(sp.codes, pos, w_hit, strand_minus), pa.string())
        return pa.RecordBatch.from_pydict(cols)

    pending = None
    try:
        for g0 in range(0, len(mset), batch_motifs):
            gidx = idx_all[g0 : g0 + batch_motifs]
            group = [mset[int(i)] for i in gidx]
            tabs = _prepare_tables(group, bg, motif_pseudo, threshold)
            pv_off = np.concatenate([[0], np.cumsum([pv.shape[0] for pv in tabs.pvs])]).astype(np.int64)
            pv_flat = np.concatenate(tabs.pvs)
            m_tests = np.array([tests[int(w)] for w in tabs.widths], dtype=np.int64)
            pi0_job = None
            pi0_args = None
            if qvalues and method == "sample":
                mats_flat = np.concatenate([mt.reshape(-1) for mt in tabs.matrices]).astype(np.int64)
                moff = np.concatenate([[0], np.cumsum(tabs.widths)[:-1]]).astype(np.int64)
                pi0_args = (
                    (4357 + gidx).astype(np.int64), m_tests, np.ones(len(group), dtype=np.bool_), ns, RESERVOIR_SIZE,
                    code4, sp.run_start, sp.run_len, tabs.widths, mats_flat, moff, pv_flat, pv_off,
                )
                if pool is not None:
                    pi0_job = pool.submit(_pi0_sampled_serial, *pi0_args)
            if pending is not None:  # finish the previous batch while this one's pi0 runs beside
                yield finish(*pending)
                pending = None
            ms_idx, pos, sc = _run_scan(sp, tabs, norc)
            pending = (gidx, group, tabs, pv_off, pv_flat, m_tests, pi0_job, pi0_args, ms_idx, pos, sc)
        if pending is not None:
            yield finish(*pending)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _run_scan(sp: _SeqPrep, tabs: _MotifTables, norc: bool):
    widths = tabs.widths
    moff = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    flat = np.concatenate([m.reshape(-1) for m in tabs.matrices]).astype(np.int32)
    ms_w, ms_cut, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ext, order, bound, rate, ms_qoff, qtab, qorder, qbound = _strand_tables(
        flat, moff, widths, tabs.cutoffs, norc, _K1, _PROBE
    )
    live = np.flatnonzero(ms_cut <= ms_w * PSSM_RANGE)
    empty = np.zeros(0, np.int64)
    if live.size == 0:
        return empty, empty, empty

    # groups of 32 motif strands, similar filter pass rates together (rarely-set flags stay rare)
    live = live[np.argsort(rate[live], kind="stable")]
    dense_ms = live[rate[live] > _DENSE_RATE]
    live = live[rate[live] <= _DENSE_RATE]
    dense_tabs, dense_need = _dense_tables(ext, ms_moff, ms_w, ms_cut, ms_o1, ms_k1, ms_k2, dense_ms)
    ng = (live.size + 31) // 32
    grp_ms = np.full((ng, 32), -1, dtype=np.int64)
    grp_n = np.zeros(ng, dtype=np.int64)
    grp_maxoff = np.zeros(ng, dtype=np.int64)
    for g in range(ng):
        mem = live[g * 32 : (g + 1) * 32]
        grp_ms[g, : mem.size] = mem
        grp_n[g] = mem.size
        grp_maxoff[g] = int(ms_o1[mem].max())
    flags = _group_flags(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, grp_ms, grp_n)
    nchunks = sp.chunk_bounds.shape[0] - 1
    # expected hits per chunk, to size the buffers (overflowing chunks are re-run)
    peff = 0.0
    for k in range(len(tabs.matrices)):
        c = int(tabs.cutoffs[k])
        if c <= widths[k] * PSSM_RANGE:
            peff += float(tabs.pvs[k][c]) * (1 if norc else 2)
    lens = sp.seg_hi - sp.seg_lo
    cum = np.concatenate([[0], np.cumsum(lens)])
    chunk_pos = cum[sp.chunk_bounds[1:]] - cum[sp.chunk_bounds[:-1]]
    caps = np.minimum(chunk_pos * (live.size + dense_ms.size), (chunk_pos * peff * 2 + 256).astype(np.int64))
    args = (grp_ms, grp_n, grp_maxoff, flags, ms_w, ms_cut, ms_o1, ms_qoff, qtab, qorder, qbound, sp.nbad,
            dense_ms, dense_tabs, dense_need)
    ids = np.arange(nchunks, dtype=np.int64)
    res = _scan_call(sp, args, ids, caps)
    counts = res[3]
    over = np.flatnonzero(counts > caps)
    first = _take(res, caps, counts, counts <= caps)
    if over.size:
        res2 = _scan_call(sp, args, ids[over], counts[over])
        second = _take(res2, counts[over], res2[3], None)
        return tuple(np.concatenate([first[i], second[i]]) for i in range(3))
    return first


def _scan_call(sp, args, ids, caps):
    base = np.concatenate([[0], np.cumsum(caps)[:-1]]).astype(np.int64)
    total = int(caps.sum())
    out_ms = np.empty(total, dtype=np.int64)
    out_pos = np.empty(total, dtype=np.int64)
    out_sc = np.empty(total, dtype=np.int64)
    counts = np.zeros(ids.shape[0], dtype=np.int64)
    old = numba.set_parallel_chunksize(1)  # chunks are handed out dynamically
    try:
        _scan(sp.words, sp.codes, sp.seg_lo, sp.seg_hi, sp.seg_end, sp.chunk_bounds, ids, base,
              caps.astype(np.int64), *args, out_ms, out_pos, out_sc, counts)
    finally:
        numba.set_parallel_chunksize(old)
    return out_ms, out_pos, out_sc, counts


def _take(res, caps, counts, keep):
    base = np.concatenate([[0], np.cumsum(caps)[:-1]]).astype(np.int64)
    n = np.where(keep if keep is not None else True, np.minimum(counts, caps), 0)
    mask = np.zeros(base.shape[0] and int(caps.sum()), dtype=bool)
    starts = base
    # rows [base, base + n) of every kept chunk
    marks = np.zeros(mask.shape[0] + 1, dtype=np.int64)
    np.add.at(marks, starts, 1)
    np.add.at(marks, starts + n, -1)
    mask = np.cumsum(marks[:-1]) > 0
    return res[0][mask], res[1][mask], res[2][mask]


_STRANDS = pa.array(["+", "-"], pa.string())
_COMP = np.frombuffer(b"TGCAN", dtype=np.uint8)
_LET = np.frombuffer(b"ACGTN", dtype=np.uint8)


def _matched(codes, pos, widths, minus) -> list:
    out = []
    for p, w, m in zip(pos.tolist(), widths.tolist(), minus.tolist()):
        c = codes[p : p + w]
        out.append((_COMP[c[::-1]] if m else _LET[c]).tobytes().decode("ascii"))
    return out


def _heap_keep(pvals: np.ndarray, max_stored: int) -> np.ndarray:
    """MEME's bounded max-heap (--max-stored-scores), applied to one motif's hits in scan order."""
    import heapq

    keep = np.zeros(pvals.shape[0], dtype=bool)
    if pvals.shape[0] <= max_stored:
        keep[:] = True
        return keep
    heap: list = []  # (-p, -i)
    limit = math.inf
    for i, p in enumerate(pvals.tolist()):
        if p > limit:
            continue
        heapq.heappush(heap, (-p, -i))
        if len(heap) >= max_stored:
            last = None
            for _ in range(len(heap) // 2):
                last = -heapq.heappop(heap)[0]
            while heap and -heap[0][0] >= last:
                heapq.heappop(heap)
            limit = -heap[0][0] if heap else 0.0
    for _, ni in heap:
        keep[-ni] = True
    return keep


def fimo(
    motifs: Any,
    sequences: Any,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    matched_sequence: bool = False,
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    motif_names: Optional[Iterable[str]] = None,
    format: str = "arrow",
) -> Any:
    """Scan sequences with motifs the way MEME's ``fimo`` does, with its numbers.

    Parameters
    ----------
    motifs : path, MotifSet, dict or list
        Anything :func:`annostore.read_motifs` takes (MEME/JASPAR files, ``{name: (4, w)}``).
    sequences : path, Sequences, list/dict of str, one-hot array
        Anything :func:`annostore.load_sequences` takes.
    threshold : float
        Keep windows with ``p <= threshold`` (MEME ``--thresh``; inclusive).
    bfile : {"nrdb", "uniform", "motif"}, path or (4,) array
        Background (MEME ``--bfile``); NRDB by default, as MEME.
    norc : bool
        Scan only the given strand (MEME ``--norc``; the background is then not symmetrised).
    motif_pseudo : float
        Total motif pseudocount, spread by the background and weighted by ``nsites``.
    qvalues : bool
        Compute q-values (``False``: the column is null; MEME ``--no-qvalue``/``--text``).
    qvalue_method : {"auto", "meme", "sample"}
        How pi0 is sampled.  ``"meme"`` reproduces MEME's binary exactly: a reservoir of
        10,000 p-values drawn with MEME's Mersenne Twister over every test in scan order (one
        random draw per test beyond 10,000, so slow on big inputs), then the same stream drives
        the bootstrap.  ``"sample"`` draws the 10,000 tests itself, as 1,000 runs of 10
        consecutive tests placed uniformly at random, with independent streams per motif (Mersenne
        Twister seeded 4357 + motif index for the positions, splitmix64 for the bootstrap; motifs
        run in parallel); the same Storey estimator then
        gives pi0 within its own sampling error of MEME's (and q-values within that factor).
        ``"auto"``: ``"meme"`` when that needs at most 5e7 draws (about 0.1 s), else
        ``"sample"``.  At most 10,000 tests (and at most 100 for pi0 = 1) both are exact.
    matched_sequence : bool
        Add ``matched_sequence`` (upper case; reverse complement for '-').
    attributions : array, tensor or .npy/.npz path, optional
        ``(n, L)`` or ``(n, 4, L)`` attributions; adds ``attribution`` = sum over the hit's span.
    max_stored_scores : int, optional
        Emulate MEME's bounded hit heap (``--max-stored-scores``, MEME default 100000) per motif;
        ``None`` keeps every hit.
    motif_names : iterable of str, optional
        Scan only these motifs (ids, ``"id alt"`` keys or alt names; MEME ``--motif``).
    format : {"arrow", "pandas", "memelite"}
        ``"arrow"``: one ``pyarrow.Table``; ``"pandas"``: a DataFrame; ``"memelite"``: a list
        with one DataFrame per motif shaped like ``memelite.fimo`` (see :func:`to_memelite`).

    Returns
    -------
    pyarrow.Table, pandas.DataFrame or list of DataFrame
        Columns ``motif_idx, motif, motif_alt, example_idx, sequence_name, start, end, strand,
        score, p_value, q_value`` (+ ``attribution``, ``matched_sequence``); 0-based half-open
        coordinates; '-' hits report the forward-strand window.

    Examples
    --------
    >>> import annostore
    >>> hits = annostore.fimo({"m": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]}, ["TTACGTT"],
    ...                       threshold=0.05)
    >>> list(zip(hits.column("start").to_pylist(), hits.column("strand").to_pylist()))
    [(2, '+'), (3, '-')]
    """
    batches = list(
        fimo_batches(
            motifs, sequences, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo, qvalues=qvalues,
            qvalue_method=qvalue_method, matched_sequence=matched_sequence, attributions=attributions,
            max_stored_scores=max_stored_scores, motif_names=motif_names,
        )
    )
    schema = batches[0].schema if batches else FIMO_SCHEMA
    table = pa.Table.from_batches(batches, schema=schema)
    if format == "arrow":
        return table
    if format == "pandas":
        return table.to_pandas()
    if format == "memelite":
        return to_memelite(table, n_motifs=len(_as_motifs(motifs, motif_names)))
    raise BadInputError(f"format must be 'arrow', 'pandas' or 'memelite', got {format!r}")


def to_memelite(table: pa.Table, dim: int = 0, n_motifs: Optional[int] = None, keys: Optional[list] = None) -> list:
    """Reshape a :func:`fimo` table like ``memelite.fimo``'s output.

    Parameters
    ----------
    table : pyarrow.Table
        A :func:`fimo` result.
    dim : {0, 1}
        0: one DataFrame per motif (every motif, empty ones included, in motif order); 1: one
        DataFrame per sequence with at least one hit, sorted by sequence name.
    n_motifs : int, optional
        Number of motifs scanned (for ``dim=0``; default: largest ``motif_idx`` + 1).
    keys : list of str, optional
        ``motif_name`` per motif index (memelite uses the ``"id alt"`` key); default the id
        plus alt name found in the table.

    Returns
    -------
    list of pandas.DataFrame
        Columns ``motif_name, motif_idx, sequence_name, start, end, strand, score, p-value``.
    """
    import pandas as pd

    df = table.to_pandas()
    alt = df["motif_alt"].fillna("")
    name = (df["motif"] + " " + alt).str.strip()
    if keys is not None:
        name = pd.Series([keys[i] for i in df["motif_idx"]], index=df.index, dtype=object)
    out = pd.DataFrame(
        {
            "motif_name": name,
            "motif_idx": df["motif_idx"].astype("int64"),
            "sequence_name": df["sequence_name"],
            "start": df["start"].astype("int64"),
            "end": df["end"].astype("int64"),
            "strand": df["strand"],
            "score": df["score"],
            "p-value": df["p_value"],
        }
    )
    if dim == 0:
        n = n_motifs if n_motifs is not None else (int(out["motif_idx"].max()) + 1 if len(out) else 0)
        out = out.assign(_minus=out["strand"] == "-").sort_values(["motif_idx", "_minus", "sequence_name", "start"], kind="stable")
        groups = {k: g.drop(columns="_minus").reset_index(drop=True) for k, g in out.groupby("motif_idx", sort=True)}
        empty = out.drop(columns="_minus").iloc[:0]
        return [groups.get(i, empty) for i in range(n)]
    if dim == 1:
        if not len(out):
            return []
        return [g.reset_index(drop=True) for _, g in out.groupby("sequence_name", sort=True)]
    raise BadInputError(f"dim must be 0 or 1, got {dim!r}")


def scan_store(
    store: Any,
    motifs: Optional[Iterable[str]] = None,
    sequences: Any = None,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    run: Optional[str] = None,
    stats: Optional[dict] = None,
) -> int:
    """Scan a store's sequences with its motifs and write the hits as one ``hits`` run.

    Parameters
    ----------
    store : annostore.Store
        An open, writable store.
    motifs : iterable of str, optional
        Names of stored motifs to scan (default: all, in ``motif_idx`` order).
    sequences : optional
        Sequences to scan instead of the store's ``sequences`` table (their order gives
        ``example_idx``).
    threshold, bfile, norc, motif_pseudo, qvalues, qvalue_method, attributions, max_stored_scores
        As :func:`fimo`.
    run : str, optional
        Name of the run (default: chosen by the store).
    stats : dict, optional
        Filled with ``rows`` (hits written), ``tests`` and ``pi0`` per motif.

    Returns
    -------
    int
        The new run's ``run_id``.

    Examples
    --------
    >>> import annostore  # doctest: +SKIP
    >>> store = annostore.open("my.store")  # doctest: +SKIP
    >>> run_id = store.scan(threshold=1e-4)  # doctest: +SKIP
    """
    import annostore

    mset = store.motif_set(list(motifs) if motifs is not None else None)
    seqs = store.sequences() if sequences is None else sequences
    # motif_idx in the store = position in the stored motif table
    all_names = store.motif_set().names
    store_idx = np.array([all_names.index(n) for n in mset.names], dtype=np.int32)
    bg_desc = bfile if isinstance(bfile, (str, os.PathLike)) else [float(x) for x in np.asarray(bfile).reshape(-1)]
    params = {
        "threshold": float(threshold),
        "bfile": str(bg_desc) if isinstance(bg_desc, os.PathLike) else bg_desc,
        "background": [float(x) for x in prepare_background(bfile, mset, norc=norc)],
        "norc": bool(norc),
        "motif_pseudo": float(motif_pseudo),
        "qvalues": bool(qvalues),
        "qvalue_method": qvalue_method,
        "max_stored_scores": max_stored_scores,
        "motifs": mset.names,
        "attributions": attributions if isinstance(attributions, (str, os.PathLike)) else (None if attributions is None else "array"),
        "pvalue": "MEME 5.5 integer-scaled exact null (PSSM range 1000)",
    }
    if isinstance(params["attributions"], os.PathLike):
        params["attributions"] = str(params["attributions"])
    input_sha256 = mset.sha256
    if input_sha256 is None:  # the store keeps each motif's source checksum
        from . import resources

        wanted = set(mset.names)
        shas = sorted({row[8] for row in store.con.execute(resources.sql("store_motifs")).fetchall()
                       if row[1] in wanted and row[8]})
        input_sha256 = ",".join(shas) if shas else None
    stats = {} if stats is None else stats
    n_rows = 0
    with store.begin_run(
        "hits",
        name=run,
        tool="annostore.fimo",
        tool_version=annostore.__version__,
        params=params,
        input=mset.source,
        input_sha256=input_sha256,
    ) as r:
        for batch in fimo_batches(
            mset, seqs, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo, qvalues=qvalues,
            qvalue_method=qvalue_method, attributions=attributions, max_stored_scores=max_stored_scores, stats=stats,
        ):
            if batch.num_rows == 0:
                continue
            midx = pa.array(store_idx[batch.column("motif_idx").to_numpy()], pa.int32())
            cols = {
                "example_idx": batch.column("example_idx"),
                "motif_idx": midx,
                "motif": batch.column("motif"),
                "start": batch.column("start"),
                "end": batch.column("end"),
                "strand": batch.column("strand"),
                "score": batch.column("score"),
                "p_value": batch.column("p_value"),
                "q_value": batch.column("q_value"),
            }
            if "attribution" in batch.schema.names:
                cols["attribution"] = batch.column("attribution")
            r.write(pa.RecordBatch.from_pydict(cols))
            n_rows += batch.num_rows
        run_id = r.run_id
    stats["rows"] = n_rows
    return run_id


# --------------------------------------------------------------------------------------------
# MEME fimo.tsv


FIMO_TSV_HEADER = "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence"
_UCSC = re.compile(r"^(?P<name>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)(?:\([+-]\))?$")


def genomic_name(name: str) -> tuple[str, int]:
    """MEME 5.5's default genomic-coordinate parsing of a sequence name.

    ``chr2:101-120`` (UCSC style, optionally followed by ``(+)``/``(-)``) becomes ``("chr2", 100)``:
    the name and the 0-based genomic position of the sequence's first letter; any other name is
    returned unchanged with offset 0.
    """
    m = _UCSC.match(name)
    if m is None:
        return name, 0
    return m.group("name"), int(m.group("start")) - 1


def fasta_texts(path: Any) -> dict:
    """Sequence texts of a FASTA file as written (case kept), by name; used for fimo.tsv's
    ``matched_sequence`` (MEME prints '+' matches in the file's case)."""
    import gzip

    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    out: dict = {}
    name, parts = None, []
    for line in raw.decode("ascii", "replace").splitlines():
        line = line.strip()
        if line.startswith(">"):
            if name is not None:
                out[name] = "".join(parts)
            fields = line[1:].split()
            name, parts = (fields[0] if fields else ""), []
        elif line and not line.startswith(";") and name is not None:
            parts.append(line)
    if name is not None:
        out[name] = "".join(parts)
    return out


def write_fimo_tsv(
    table: pa.Table,
    out: Any,
    *,
    text: bool = False,
    qvalues: bool = True,
    parse_genomic_coord: bool = True,
    texts: Optional[dict] = None,
    command_line: Optional[str] = None,
) -> int:
    """Write hits as MEME's ``fimo.tsv`` (1-based inclusive coordinates, as MEME prints them).

    Parameters
    ----------
    table : pyarrow.Table
        A :func:`fimo` result (with or without ``matched_sequence``).
    out : file-like
        Text stream to write to.
    text : bool
        MEME ``--text``: rows in scan order (motif, sequence, position, '+' first), empty
        q-value column, no trailing comment lines.  Otherwise rows sorted by p-value and the
        trailing ``#`` lines MEME writes.
    qvalues : bool
        ``False`` (MEME ``--no-qvalue``): the q-value column prints 0.
    parse_genomic_coord : bool
        MEME 5.5's default: ``name:START-END`` sequence names print as ``name`` with genomic
        coordinates (``--no-pgc`` turns it off).
    texts : dict, optional
        Sequence texts by name as written in the input (keeps lower case in '+' matches).
    command_line : str, optional
        Recorded in the last comment line.

    Returns
    -------
    int
        Number of rows written.
    """
    import annostore

    n = table.num_rows
    cols = {c: table.column(c).to_pylist() for c in ("motif", "motif_alt", "sequence_name", "start", "end", "strand", "score", "p_value", "q_value")}
    matched = table.column("matched_sequence").to_pylist() if "matched_sequence" in table.schema.names else None
    if text:
        order = range(n)
    else:
        p = np.asarray(cols["p_value"], dtype=np.float64)
        order = np.argsort(p, kind="stable").tolist()
    out.write(FIMO_TSV_HEADER + "\n")
    names_cache: dict = {}
    for i in order:
        seq = cols["sequence_name"][i]
        if seq not in names_cache:
            names_cache[seq] = genomic_name(seq) if parse_genomic_coord else (seq, 0)
        shown, off = names_cache[seq]
        start, end = cols["start"][i], cols["end"][i]
        ms = ""
        if texts is not None and seq in texts:
            window = texts[seq][start:end]
            ms = window if cols["strand"][i] == "+" else window.upper()[::-1].translate(_RC_TRANS)
        elif matched is not None:
            ms = matched[i]
        if text:
            q = ""
        elif not qvalues or cols["q_value"][i] is None:
            q = "0"
        else:
            q = "%.3g" % cols["q_value"][i]
        out.write(
            f"{cols['motif'][i]}\t{cols['motif_alt'][i] or ''}\t{shown}\t{start + off + 1}\t{end + off}\t"
            f"{cols['strand'][i]}\t{'%g' % cols['score'][i]}\t{'%.3g' % cols['p_value'][i]}\t{q}\t{ms}\n"
        )
    if not text:
        out.write("\n")
        out.write(f"# annostore {annostore.__version__} fimo (MEME FIMO 5.5 compatible numbers)\n")
        out.write("# The format of this file is described at https://meme-suite.org/meme/doc/fimo-output-format.html.\n")
        out.write(f"# {command_line or 'annostore fimo'}\n")
    return n


_RC_TRANS = str.maketrans("ACGTN", "TGCAN")
