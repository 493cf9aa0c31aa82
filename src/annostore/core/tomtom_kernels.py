"""numba kernels of TOMTOM (meme-reference §2): column scores (ed, pearson, sandelin), MEME's
scaling to integer bins, and the offset scan of one query against all targets.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

BINS = 100  # MEME's range for the scaled column scores


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
def _median_ranks(n):
    """The 0-based ranks MEME averages as the median of ``n`` values (off by one, as MEME)."""
    k1 = int(math.floor(0.5 * n)) - 1
    k2 = int(math.ceil(0.5 * n)) - 1
    if k1 < 0:
        k1 = 0
    if k2 < k1:
        k2 = k1
    return k1, k2


@numba.njit(**_NJ)
def _shift_rows(s):
    """Subtract MEME's (off-by-one) median of each row, in place."""
    nt = s.shape[1]
    k1, k2 = _median_ranks(nt)
    for i in range(s.shape[0]):
        # the k1-th and k2-th smallest (k2 <= k1 + 1) by selection: the values a sort gives
        # (a partial sort is ~5x quicker: the cold cost of a call's target rows)
        part = np.partition(s[i].copy(), k1)
        lo = part[k1]
        hi = lo
        if k2 > k1:
            hi = part[k1 + 1]
            for j in range(k1 + 2, nt):
                if part[j] < hi:
                    hi = part[j]
        if lo == 0.0 or hi == 0.0:  # which of +0.0 / -0.0 a sort puts there: sort, as always
            srt = np.sort(s[i])
            lo = srt[k1]
            hi = srt[k2]
        q = (lo + hi) / 2.0
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
def _config_range(Q, L, min_overlap):
    """Configurations ``c0..c1`` of a width-``L`` target against a width-``Q`` query (c = 1 .. Q + L - 1)
    with at least ``min(min_overlap, Q, L)`` aligned columns (MEME's ``-min-overlap``)."""
    if min_overlap > 1:
        mo = min(min_overlap, Q, L)
        return mo, Q + L - mo
    return 1, Q + L - 1


@numba.njit(**_NJ)
def _config_span(Q, L, c):
    """The query columns ``a..b`` (``n`` of them) that configuration ``c`` (1 <= c <= Q + L - 1) of a
    width-``L`` target aligns, as MEME numbers configurations."""
    a = Q - c if Q - c > 0 else 0
    b = Q - c + L - 1
    if b > Q - 1:
        b = Q - 1
    return a, b, b - a + 1


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
        c0, c1 = _config_range(nQ, L, min_overlap)
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
