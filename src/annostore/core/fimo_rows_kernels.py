"""numba kernels that turn one batch's scan output into its rows (the wrapper is ``finish`` in
:func:`annostore.core.fimo.fimo_batches`):

* :func:`_hit_rows`: the rows in FIMO's order (motif, position, '+' before '-') by a counting
  sort on the motif strand and a merge of each motif's two strands, with each hit's p-value,
  score, example and start computed in the same pass (O(n): the scan already emits each strand's
  hits in position order, and any strand that is not gets sorted);
* :func:`_take_strings`: a string column gathered from a small dictionary of strings (motif
  names, sequence names) straight into Arrow's offsets and data buffers.

Both are serial: they run on the finishing thread while the next batch is scanned on all the
others.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _hit_rows(ms_idx, pos, sc, ns, nmot, pv_off, pv_flat, scales, score_off, seq_off):
    """The batch's hits in order: returns ``(bounds, row, motif, minus, pos, sc, pval, score, ex,
    start)`` with rows ``bounds[k]:bounds[k + 1]`` of motif ``k`` (``row``: the input row).  ``ms_idx = motif * ns + strand``;
    ``score = sc / scales[k] + score_off[k]``; ``pval = pv_flat[pv_off[k] + sc]``; ``ex`` the
    sequence holding ``pos`` (``seq_off[ex] <= pos < seq_off[ex + 1]``), ``start = pos - seq_off[ex]``."""
    n = ms_idx.shape[0]
    nms = nmot * ns
    first = np.zeros(nms + 1, dtype=np.int64)
    for i in range(n):
        first[ms_idx[i] + 1] += 1
    for s in range(nms):
        first[s + 1] += first[s]
    perm = np.empty(n, dtype=np.int64)
    fill = first[:nms].copy()
    for i in range(n):  # stable: each strand's rows keep the scan's order
        s = ms_idx[i]
        perm[fill[s]] = i
        fill[s] += 1
    for s in range(nms):  # the scan emits a strand's hits by position; sort any strand that is not
        a = first[s]
        b = first[s + 1]
        for i in range(a + 1, b):
            if pos[perm[i]] <= pos[perm[i - 1]]:
                seg = perm[a:b].copy()
                o = np.argsort(pos[seg], kind="mergesort")
                for t in range(b - a):
                    perm[a + t] = seg[o[t]]
                break
    bounds = np.empty(nmot + 1, dtype=np.int64)
    for k in range(nmot + 1):
        bounds[k] = first[k * ns]
    o_row = np.empty(n, dtype=np.int64)
    o_motif = np.empty(n, dtype=np.int64)
    o_minus = np.empty(n, dtype=np.int8)
    o_pos = np.empty(n, dtype=np.int64)
    o_sc = np.empty(n, dtype=np.int64)
    o_pv = np.empty(n, dtype=np.float64)
    o_score = np.empty(n, dtype=np.float64)
    o_ex = np.empty(n, dtype=np.int64)
    o_start = np.empty(n, dtype=np.int64)
    nseq = seq_off.shape[0] - 1
    for k in range(nmot):
        i = first[k * ns]
        ie = first[k * ns + 1]
        j = ie
        je = first[k * ns + ns]
        r = bounds[k]
        ex = 0
        if r < bounds[k + 1]:  # the first row's sequence by bisection, then a walk up
            p0 = pos[perm[i]] if i < ie else pos[perm[j]]
            if j < je and pos[perm[j]] < p0:
                p0 = pos[perm[j]]
            ex = np.searchsorted(seq_off, p0, side="right") - 1
        while i < ie or j < je:
            if j >= je or (i < ie and pos[perm[i]] <= pos[perm[j]]):  # '+' first at one position
                row = perm[i]
                i += 1
                o_minus[r] = 0
            else:
                row = perm[j]
                j += 1
                o_minus[r] = 1
            p = pos[row]
            s = sc[row]
            while ex + 1 < nseq and seq_off[ex + 1] <= p:
                ex += 1
            o_row[r] = row
            o_motif[r] = k
            o_pos[r] = p
            o_sc[r] = s
            o_pv[r] = pv_flat[pv_off[k] + s]
            o_score[r] = s / scales[k] + score_off[k]
            o_ex[r] = ex
            o_start[r] = p - seq_off[ex]
            r += 1
    return bounds, o_row, o_motif, o_minus, o_pos, o_sc, o_pv, o_score, o_ex, o_start


@numba.njit(cache=True, nogil=True)
def _take_strings(offsets, data, idx):
    """``(ok, offsets, data)``: Arrow string buffers (int32 offsets) of ``dictionary[idx]`` for a
    dictionary with ``offsets``/``data``; ``ok`` is false when they would not fit int32 offsets."""
    n = idx.shape[0]
    out_off = np.empty(n + 1, dtype=np.int32)
    tot = 0
    out_off[0] = 0
    for i in range(n):
        d = idx[i]
        tot += offsets[d + 1] - offsets[d]
        if tot > 2147483647:
            return False, out_off, np.empty(0, dtype=np.uint8)
        out_off[i + 1] = tot
    out = np.empty(tot, dtype=np.uint8)
    for i in range(n):
        d = idx[i]
        a = offsets[d]
        o = out_off[i]
        for t in range(offsets[d + 1] - a):
            out[o + t] = data[a + t]
    return True, out_off, out
