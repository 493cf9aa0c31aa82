"""numba kernels of ``recursive_seqlets``: histograms of windowed attribution sums, the null
convolution, candidate decoding per example.  Wrappers are in :mod:`annostore.core.seqlets`.
"""

from __future__ import annotations

import numba
import numpy as np

_BLOCK = 1024  # output bins per convolution work item


@numba.njit(cache=True, nogil=True)
def _histogram_rows(X, lo, hi, xmin, bin_width, n_bins, B):
    """Bins of rows ``lo:hi`` of ``X`` into ``B``; returns their counts (int64, ``(n_bins,)``)."""
    L = X.shape[1]
    counts = np.zeros(n_bins, dtype=np.int64)
    top = n_bins - 1
    for i in range(lo, hi):
        x = X[i]
        brow = B[i]
        for j in range(L):  # a separate loop without the scatter below, so it vectorises
            v = np.floor((x[j] - xmin) / bin_width)
            brow[j] = 0 if v < 0 else (top if v > top else int(v))
        for j in range(L):
            counts[brow[j]] += 1
    return counts


@numba.njit(cache=True, nogil=True)
def _convolve_blocks(pp, n_bins, f_idx, f_val, k, out, blk_lo, blk_hi):
    """``out[s] = sum_j P_{k-1}[s - j] f[j]`` (``j`` descending) for the output blocks ``blk_lo:blk_hi``.

    ``pp`` holds ``P_{k-1}`` after ``n_bins`` leading zeros (and zeros past its support), so every
    ``j`` covers the whole block: the extra terms add exact zeros and leave every sum, taken in
    the same order, bit for bit unchanged.  Four ``j`` are applied per pass over the block.
    """
    top = k * (n_bins - 1)
    nz = f_idx.shape[0]
    for blk in range(blk_lo, blk_hi):
        s0 = blk * _BLOCK
        s1 = min(s0 + _BLOCK, top + 1)
        m = s1 - s0
        o = out[s0:s1]
        o[:] = 0.0
        jj = nz - 1
        while jj >= 3:
            j0 = f_idx[jj]
            j1 = f_idx[jj - 1]
            j2 = f_idx[jj - 2]
            j3 = f_idx[jj - 3]
            w0 = f_val[jj]
            w1 = f_val[jj - 1]
            w2 = f_val[jj - 2]
            w3 = f_val[jj - 3]
            p0 = pp[s0 - j0 + n_bins : s1 - j0 + n_bins]
            p1 = pp[s0 - j1 + n_bins : s1 - j1 + n_bins]
            p2 = pp[s0 - j2 + n_bins : s1 - j2 + n_bins]
            p3 = pp[s0 - j3 + n_bins : s1 - j3 + n_bins]
            for t in range(m):
                v = o[t]
                v += p0[t] * w0
                v += p1[t] * w1
                v += p2[t] * w2
                v += p3[t] * w3
                o[t] = v
            jj -= 4
        while jj >= 0:
            j0 = f_idx[jj]
            w0 = f_val[jj]
            p0 = pp[s0 - j0 + n_bins : s1 - j0 + n_bins]
            for t in range(m):
                o[t] += p0[t] * w0
            jj -= 1


@numba.njit(cache=True, nogil=True)
def _survival(pmf, top, row):
    """``row[s] = sum_{u >= s} pmf[u]``, summed from the top so small tails keep precision."""
    acc = 0.0
    for s in range(top, -1, -1):
        acc += pmf[s]
        row[s] = acc


@numba.njit(cache=True, nogil=True)
def _candidates(bins, x, rcdf, threshold, cut, min_len, max_len, cs, xs, cand_k, cand_p, cand_q, lvl):
    """Prefix sums of the bins of one example, then the candidate spans per length.

    Level ``v`` (length ``min_len + v``) holds entries ``lvl[v]:lvl[v+1]`` of ``cand_*``, in
    start order: the starts whose triangle maximum is ``< threshold``, with the prefix-max
    p-value (``cand_p``) and the triangle maximum (``cand_q``).  ``cut`` is the smallest bin
    sum of length ``min_len`` whose p-value is ``< threshold``.
    """
    L = x.shape[0]
    cs[0] = 0
    for j in range(L):
        cs[j + 1] = cs[j] + bins[j]
    m = 0
    lvl[0] = 0
    row = rcdf[min_len]
    for k in range(L - min_len + 1):
        s = cs[k + min_len] - cs[k]
        if s >= cut:
            p = row[s]
            cand_k[m] = k
            cand_p[m] = p
            cand_q[m] = p
            m += 1
    lvl[1] = m
    n_lvl = max_len - min_len + 1
    for v in range(1, n_lvl):
        length = min_len + v
        row = rcdf[length]
        a = lvl[v - 1]
        b = lvl[v]
        for idx in range(a, b - 1):
            k = cand_k[idx]
            if k + length > L:
                break
            if cand_k[idx + 1] != k + 1:
                continue
            p = row[cs[k + length] - cs[k]]
            pp = cand_p[idx]
            if p > pp:
                pp = p
            q = cand_q[idx + 1]
            if pp > q:
                q = pp
            if q < threshold:
                cand_k[m] = k
                cand_p[m] = pp
                cand_q[m] = q
                m += 1
        lvl[v + 1] = m
        if m == lvl[v]:
            for w in range(v + 1, n_lvl):
                lvl[w + 1] = m
            break
    return n_lvl


@numba.njit(cache=True, nogil=True)
def _sort_indices(vals, idx, m):
    """Stable sort of ``idx[:m]`` by ``vals[idx]`` (insertion sort when short)."""
    if m > 32:
        keys = np.empty(m)
        for r in range(m):
            keys[r] = vals[idx[r]]
        srt = np.argsort(keys, kind="mergesort")
        tmp = idx[:m].copy()
        for r in range(m):
            idx[r] = tmp[srt[r]]
        return
    for r in range(1, m):
        cur = idx[r]
        v = vals[cur]
        q = r
        while q > 0 and vals[idx[q - 1]] > v:
            idx[q] = idx[q - 1]
            q -= 1
        idx[q] = cur


@numba.njit(cache=True, nogil=True)
def _decode_one(bins, x, rcdf, threshold, cut, min_len, max_len, flanks,
                cs, xs, cand_k, cand_p, cand_q, lvl, called, stamp, order,
                out_s, out_e, out_a, out_p, off, cap):
    """Decode one example; returns its number of seqlets (at most ``cap`` are written at ``off``).

    Spans are accepted in non-increasing length, so a candidate overlaps an accepted seqlet
    exactly when its first or last position is already called (checked in O(1)).
    """
    n_lvl = _candidates(bins, x, rcdf, threshold, cut, min_len, max_len,
                        cs, xs, cand_k, cand_p, cand_q, lvl)
    L = x.shape[0]
    count = 0
    max_e = 0
    for v in range(n_lvl - 1, -1, -1):
        a = lvl[v]
        b = lvl[v + 1]
        if a == b:
            continue
        length = min_len + v
        m = 0
        for idx in range(a, b):
            k = cand_k[idx]
            if called[k] != stamp and called[k + length - 1] != stamp:
                order[m] = idx
                m += 1
        if m == 0:
            continue
        _sort_indices(cand_p, order, m)
        for r in range(m):
            k = cand_k[order[r]]
            if called[k] == stamp or called[k + length - 1] == stamp:
                continue
            for j in range(k, k + length):
                called[j] = stamp
            if count < cap:
                s = max(k - flanks, 0)
                e = min(k + length + flanks, L)
                out_s[off + count] = s
                out_e[off + count] = e
                out_p[off + count] = rcdf[length, cs[k + length] - cs[k]]
                if e > max_e:
                    max_e = e
            count += 1
    if count:
        # attributions over the (flanked) spans from float64 prefix sums, only as far as needed
        xs[0] = 0.0
        for j in range(max_e):
            xs[j + 1] = xs[j] + np.float64(x[j])
        for r in range(min(count, cap)):
            out_a[off + r] = xs[out_e[off + r]] - xs[out_s[off + r]]
    return count


@numba.njit(cache=True, nogil=True)
def _decode_rows(B, X, lo, hi, rcdf, threshold, cut, min_len, max_len, flanks, cap,
                 counts, out_s, out_e, out_a, out_p):
    """Seqlets of rows ``lo:hi`` of ``X``; at most ``cap`` per row are written.

    ``counts[i]`` gets the true number of row ``i`` (a row with ``counts > cap`` must be decoded
    again with a larger ``cap``); row ``i`` owns the output slots ``i*cap : i*cap + cap``.
    """
    L = X.shape[1]
    n_lvl = max(max_len - min_len + 1, 1)
    cs = np.empty(L + 1, dtype=np.int64)
    xs = np.empty(L + 1, dtype=np.float64)
    size = (L + 1) * n_lvl
    cand_k = np.empty(size, dtype=np.int64)
    cand_p = np.empty(size, dtype=np.float64)
    cand_q = np.empty(size, dtype=np.float64)
    lvl = np.zeros(n_lvl + 1, dtype=np.int64)
    called = np.zeros(L, dtype=np.int64)
    order = np.empty(L + 1, dtype=np.int64)
    for i in range(lo, hi):
        counts[i] = _decode_one(B[i], X[i], rcdf, threshold, cut, min_len, max_len, flanks,
                                cs, xs, cand_k, cand_p, cand_q, lvl, called, i + 1, order,
                                out_s, out_e, out_a, out_p, i * cap, cap)


@numba.njit(cache=True, nogil=True)
def _count_rows(B, X, lo, hi, rcdf, thresholds, cut, min_len, max_len):
    """Number of seqlets a full decode of rows ``lo:hi`` gives at each threshold (descending).

    Candidates below the largest threshold are sorted once per row in decode order (longest
    first, then prefix-max p-value, then start); each threshold replays the greedy acceptance
    over the candidates whose triangle maximum is below it.
    """
    L = X.shape[1]
    n_t = thresholds.shape[0]
    n_lvl = max(max_len - min_len + 1, 1)
    totals = np.zeros(n_t, dtype=np.int64)
    t_max = thresholds[0]
    cs = np.empty(L + 1, dtype=np.int64)
    xs = np.empty(L + 1, dtype=np.float64)
    size = (L + 1) * n_lvl
    cand_k = np.empty(size, dtype=np.int64)
    cand_p = np.empty(size, dtype=np.float64)
    cand_q = np.empty(size, dtype=np.float64)
    ord_k = np.empty(size, dtype=np.int64)
    ord_len = np.empty(size, dtype=np.int64)
    ord_q = np.empty(size, dtype=np.float64)
    lvl = np.zeros(n_lvl + 1, dtype=np.int64)
    called = np.zeros(L, dtype=np.int64)
    order = np.empty(L + 1, dtype=np.int64)
    stamp = 0
    for i in range(lo, hi):
        _candidates(B[i], X[i], rcdf, t_max, cut, min_len, max_len,
                    cs, xs, cand_k, cand_p, cand_q, lvl)
        m = 0
        for v in range(n_lvl - 1, -1, -1):
            a = lvl[v]
            b = lvl[v + 1]
            if a == b:
                continue
            n_here = b - a
            for r in range(n_here):
                order[r] = a + r
            _sort_indices(cand_p, order, n_here)
            for r in range(n_here):
                o = order[r]
                ord_k[m] = cand_k[o]
                ord_len[m] = min_len + v
                ord_q[m] = cand_q[o]
                m += 1
        for ti in range(n_t):
            t = thresholds[ti]
            stamp += 1
            got = 0
            for r in range(m):
                if not ord_q[r] < t:
                    continue
                k = ord_k[r]
                length = ord_len[r]
                # lengths are non-increasing: overlap iff an end position is already called
                if called[k] != stamp and called[k + length - 1] != stamp:
                    for j in range(k, k + length):
                        called[j] = stamp
                    got += 1
            if got == 0:
                break
            totals[ti] += got
    return totals
