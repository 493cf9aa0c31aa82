"""numba kernels of the fast complete-score TOMTOM comparison (see :mod:`annostore.core.tomtom_pairs`).

One query motif against every target entry (targets and their reverse complements), with
exactly MEME ``tomtom``'s complete-score arithmetic (meme-reference.md §2.3-2.5):

1. column scores of every query column against all ``t`` target columns, computed row by row
   (structure-of-arrays target columns, so LLVM vectorises the ``ed`` distance);
2. MEME's off-by-one median of each row by selection (``O(t)``) instead of a full sort;
3. the range-100 integer scaling and the per-row histograms;
4. the span null distributions by MEME's own dynamic programme, in MEME's order of
   additions, restricted to the support of each histogram row (skipping zero terms changes
   no float), keeping only each span's survival function;
5. the best alignment of every target entry from diagonal sums over a zero-padded layout
   of all target columns;
6. the p-value of the best score of an entry as ``1 - prod_c (1 - S_c)^orient`` over all
   ``Q + L - 1`` alignments (MEME's pmf-of-the-maximum table, evaluated at the one point
   needed; equal to it up to rounding, ~1e-15 relative, before the float32 cast), memoised
   per (target width, score).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from annostore.core.tomtom_kernels import _NJ, BINS, _rnd14, _scale_params  # shared MEME arithmetic


@numba.njit(**_NJ)
def _score_row(q0, q1, q2, q3, tsoa, dist, out):
    """Similarity of one query column with every target column (``tsoa``: (4, t))."""
    t = tsoa.shape[1]
    a0 = tsoa[0]
    a1 = tsoa[1]
    a2 = tsoa[2]
    a3 = tsoa[3]
    if dist == 0:  # ed: same association as MEME (((d0^2 + d1^2) + d2^2) + d3^2)
        for j in range(t):
            d0 = q0 - a0[j]
            d1 = q1 - a1[j]
            d2 = q2 - a2[j]
            d3 = q3 - a3[j]
            out[j] = -math.sqrt(d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3)
    elif dist == 2:  # sandelin
        for j in range(t):
            d0 = q0 - a0[j]
            d1 = q1 - a1[j]
            d2 = q2 - a2[j]
            d3 = q3 - a3[j]
            out[j] = 2.0 - (d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3)
    else:  # pearson, 5.5.x rounding of the running sums
        qa = np.empty(4)
        qa[0] = q0
        qa[1] = q1
        qa[2] = q2
        qa[3] = q3
        for j in range(t):
            num = 0.0
            s1 = 0.0
            s2 = 0.0
            for a in range(4):
                x = qa[a] - 0.25
                y = tsoa[a, j] - 0.25
                num = _rnd14(num + x * y)
                s1 = _rnd14(s1 + x * x)
                s2 = _rnd14(s2 + y * y)
            den = math.sqrt(s1 * s2)
            out[j] = num / den if den != 0 else 0.0


@numba.njit(**_NJ)
def _kth(buf, n, k):
    """k-th smallest (0-based) of ``buf[:n]`` (partially reorders ``buf``); Hoare quickselect."""
    lo = 0
    hi = n - 1
    while hi > lo:
        mid = (lo + hi) >> 1
        # median of three as the pivot
        a = buf[lo]
        b = buf[mid]
        c = buf[hi]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
            if a > b:
                b = a
        pivot = b
        i = lo
        j = hi
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while buf[j] > pivot:
                j -= 1
            if i <= j:
                tmp = buf[i]
                buf[i] = buf[j]
                buf[j] = tmp
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return buf[k]
    return buf[k]


@numba.njit(**_NJ)
def _select(row, k, rmin, rmax, buf, cnt, zb):
    """Exact k-th smallest (0-based) of ``row`` whose extremes are ``rmin``/``rmax``.

    Bucket counts (a monotone bucket function of the value) find the bucket holding rank ``k``;
    only that bucket's elements are gathered (64-element blocks without one are skipped after a
    vectorised test) and selected exactly.
    """
    t = row.shape[0]
    if rmax <= rmin:
        return rmin
    nb = cnt.shape[0]
    scale = (nb - 1) / (rmax - rmin)
    for j in range(t):  # vectorised: bucket of every element
        zb[j] = np.int32((row[j] - rmin) * scale)
    cnt[:] = 0
    for j in range(t):
        cnt[zb[j]] += 1
    cum = 0
    bk = 0
    while cum + cnt[bk] <= k:
        cum += cnt[bk]
        bk += 1
    n = 0
    t64 = t - t % 64
    b32 = np.int32(bk)
    for j0 in range(0, t64, 64):
        d = np.int32(1)
        for j in range(j0, j0 + 64):
            d = d * (zb[j] != b32)  # 0 when some element of the block is in bucket bk
        if d != 0:
            continue
        for j in range(j0, j0 + 64):
            buf[n] = row[j]
            n += 1 if zb[j] == b32 else 0
    for j in range(t64, t):
        buf[n] = row[j]
        n += 1 if zb[j] == b32 else 0
    return _kth(buf, n, k - cum)


@numba.njit(**_NJ)
def _min_max(row, mnb, mxb):
    """(min, max) of a row through 64 independent lanes (vectorises; no NaNs occur)."""
    t = row.shape[0]
    nb = t - t % 64
    lo = 1e300
    hi = -1e300
    if nb > 0:
        for u in range(64):
            mnb[u] = row[u]
            mxb[u] = row[u]
        for j in range(64, nb, 64):
            for u in range(64):
                v = row[j + u]
                mnb[u] = v if v < mnb[u] else mnb[u]
                mxb[u] = v if v > mxb[u] else mxb[u]
        for u in range(64):
            lo = min(lo, mnb[u])
            hi = max(hi, mxb[u])
    for j in range(nb, t):
        lo = min(lo, row[j])
        hi = max(hi, row[j])
    return lo, hi


@numba.njit(**_NJ)
def _median_shift(row, rmin, rmax, buf, cnt, zb):
    """MEME's (off-by-one) median of a row: mean of order statistics floor(t/2)-1 and ceil(t/2)-1."""
    t = row.shape[0]
    k1 = int(math.floor(0.5 * t)) - 1
    k2 = int(math.ceil(0.5 * t)) - 1
    if k1 < 0:
        k1 = 0
    if k2 < k1:
        k2 = k1
    v2 = _select(row, k2, rmin, rmax, buf, cnt, zb)
    v1 = v2 if k1 == k2 else _select(row, k1, rmin, rmax, buf, cnt, zb)
    return (v1 + v2) / 2.0


@numba.njit(**_NJ)
def _one_query(q, tsoa, tstarts, twidths, pad, pstart, playout, wslot, nuw, dist, min_overlap, n_orient,
               p_out, off_out, ovl_out):
    """MEME complete-score TOMTOM of one query (``q``: (Q, 4) pseudocounted columns)."""
    Q = q.shape[0]
    T = tsoa.shape[1]
    E = twidths.shape[0]
    s = np.empty((Q, T))
    buf = np.empty(T)
    cnt = np.zeros(2048, dtype=np.int32)
    zb = np.empty(T, dtype=np.int32)
    mnb = np.empty(64)
    mxb = np.empty(64)
    negmed = np.empty(Q)
    lo = 1e300
    hi = -1e300
    for i in range(Q):
        row = s[i]
        _score_row(q[i, 0], q[i, 1], q[i, 2], q[i, 3], tsoa, dist, row)
        rlo, rhi = _min_max(row, mnb, mxb)
        nm = -_median_shift(row, rlo, rhi, buf, cnt, zb)
        negmed[i] = nm
        # rounding is monotone: the extremes of the shifted row are the shifted extremes
        lo = min(lo, rlo + nm)
        hi = max(hi, rhi + nm)
    o, sc = _scale_params(lo, hi)
    z = int(np.rint(-o * sc))
    # integer rows laid out with `pad` zero columns before every target entry, and histograms
    padded = np.zeros((Q, playout), dtype=np.int16)
    hist = np.zeros((Q, BINS + 1))
    hlo = np.empty(Q, dtype=np.int64)
    hhi = np.empty(Q, dtype=np.int64)
    ints = np.empty(T, dtype=np.int16)
    hcnt = np.zeros(BINS + 1, dtype=np.int32)
    for i in range(Q):
        row = s[i]
        nm = negmed[i]
        for j in range(T):
            ints[j] = np.int16(math.floor(((row[j] + nm) - o) * sc + 0.5))  # MEME nint of a value >= 0
        hcnt[:] = 0
        for j in range(T):
            hcnt[ints[j]] += 1
        h = hist[i]
        for x in range(BINS + 1):
            h[x] = hcnt[x]
        for e in range(E):
            ps = pstart[e]
            ts = tstarts[e]
            for j in range(twidths[e]):
                padded[i, ps + j] = ints[ts + j]
        k = 0
        while h[k] == 0.0:
            k += 1
        hlo[i] = k
        k = BINS
        while h[k] == 0.0:
            k -= 1
        hhi[i] = k
    # span null distributions (MEME's DP and order of additions), survival functions only
    spos = np.full((Q, Q), -1, dtype=np.int64)
    soff = np.empty(Q * (Q + 1) // 2 + 1, dtype=np.int64)
    tot = 0
    ns = 0
    for a in range(Q - 1, -1, -1):
        for b in range(a, Q):
            spos[a, b] = ns
            soff[ns] = tot
            tot += (b - a + 1) * BINS + 1
            ns += 1
    soff[ns] = tot
    sv = np.empty(tot)
    size = Q * BINS + 1
    old = np.zeros(size)
    new = np.zeros(size)
    ou = np.zeros(size)
    u = 1.0 / T
    for a in range(Q - 1, -1, -1):
        new[:] = 0.0
        new[0] = 1.0
        slo = 0
        shi = 0
        for b in range(a, Q):
            old, new = new, old
            h = hist[b]
            x0 = hlo[b]
            x1 = hhi[b]
            for kk in range(slo + x0, shi + x1 + 1):
                new[kk] = 0.0
            for kk in range(slo, shi + 1):
                ou[kk] = old[kk] * u
            # MEME adds, into every new[y], old[k] * u * h[y - k] for k ascending; walking x = y - k
            # downwards with k innermost makes the very same additions in the very same order
            # (a zero term adds +0.0, which changes nothing), and the inner loop vectorises
            n_old = shi - slo + 1
            for x in range(x1, x0 - 1, -1):
                hx = h[x]
                if hx != 0.0:
                    dst = new[slo + x:slo + x + n_old]
                    src = ou[slo:slo + n_old]
                    for kk in range(n_old):
                        dst[kk] += src[kk] * hx
            # clear the old buffer's support so that it is all zero when reused
            for kk in range(slo, shi + 1):
                old[kk] = 0.0
            slo += x0
            shi += x1
            n = b - a + 1
            ln = n * BINS + 1
            dst = soff[spos[a, b]]
            acc = 0.0
            for j in range(ln - 1, shi, -1):
                sv[dst + j] = 0.0
            for j in range(shi, -1, -1):
                acc = min(1.0, new[j] + acc)
                sv[dst + j] = acc
        for kk in range(slo, shi + 1):
            new[kk] = 0.0
    # diagonal sums: acc[x] = sum_i padded[i, x + i]; entry e, configuration c <-> x = pstart[e] + c - Q
    nx = playout - Q + 1
    dsum = np.zeros(nx, dtype=np.int16)
    for x0 in range(0, nx, 4096):
        x1 = min(nx, x0 + 4096)
        dv = dsum[x0:x1]
        for i in range(Q):
            prow = padded[i, x0 + i:x1 + i]
            for x in range(x1 - x0):
                dv[x] += prow[x]
    memo = np.full((nuw, Q * BINS + 1), -1.0)
    for e in range(E):
        L = twidths[e]
        c0 = 1
        c1 = Q + L - 1
        if min_overlap > 1:
            mo = min(min_overlap, Q, L)
            c0 = mo
            c1 = Q + L - mo
        base = pstart[e] - Q
        bk = np.int64(-1) << 62
        bn = -1
        bo = 0
        for c in range(c0, c1 + 1):
            a = Q - c if Q - c > 0 else 0
            b = Q - c + L - 1
            if b > Q - 1:
                b = Q - 1
            n = b - a + 1
            v = np.int64(dsum[base + c]) + (Q - n) * z  # complete score minus Q*o*scale
            if v > bk or (v == bk and n > bn):
                bk = v
                bn = n
                bo = c - Q
        off_out[e] = bo
        ovl_out[e] = bn
        w = wslot[L]
        pv = memo[w, bk]
        if pv < 0.0:
            pv = _p_max(bk, Q, L, spos, soff, sv, z, n_orient)
            memo[w, bk] = pv
        p_out[e] = pv


@numba.njit(**_NJ)
def _p_max(k, Q, L, spos, soff, sv, z, n_orient):
    """P(best of all Q+L-1 alignments x orientations of a random width-L target >= k), float32-rounded."""
    # 1 - prod(1 - S)^orient accumulated as P += S (1 - P): positive terms only, no cancellation
    pp = 0.0
    for c in range(1, Q + L):
        a = Q - c if Q - c > 0 else 0
        b = Q - c + L - 1
        if b > Q - 1:
            b = Q - 1
        n = b - a + 1
        j = k - (Q - n) * z
        if j <= 0:
            s = sv[soff[spos[a, b]]]
        elif j > n * BINS:
            s = 0.0
        else:
            s = sv[soff[spos[a, b]] + j]
        if s >= 1.0:
            return 1.0
        for _ in range(n_orient):
            pp += s * (1.0 - pp)
    return np.float64(np.float32(pp))


@numba.njit(parallel=True, **_NJ)
def compare_all(qcols, qstarts, tsoa, tstarts, twidths, pad, pstart, playout, wslot, nuw, dist, min_overlap,
                n_orient, p, off, ovl):
    """Every query (rows ``qstarts[i]:qstarts[i+1]`` of ``qcols``) against every target entry."""
    nq = qstarts.shape[0] - 1
    for qi in prange(nq):
        q = qcols[qstarts[qi]:qstarts[qi + 1]]
        _one_query(q, tsoa, tstarts, twidths, pad, pstart, playout, wslot, nuw, dist, min_overlap, n_orient,
                   p[qi], off[qi], ovl[qi])


@numba.njit(parallel=True, **_NJ)
def best_orientation(p, ovl, st_rank, n_orient, best_p, best_e):
    """Per (query, target): the better orientation in MEME's order (p, then overlap, then strand-prefixed id)."""
    nq = p.shape[0]
    N = p.shape[1] // n_orient
    for qi in prange(nq):
        for t in range(N):
            e = t * n_orient
            be = e
            for r in range(1, n_orient):
                f = e + r
                if p[qi, f] < p[qi, be] or (p[qi, f] == p[qi, be] and (
                        ovl[qi, f] > ovl[qi, be] or (ovl[qi, f] == ovl[qi, be] and st_rank[f] < st_rank[be]))):
                    be = f
            best_p[qi, t] = p[qi, be]
            best_e[qi, t] = be
