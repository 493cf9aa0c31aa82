"""numba kernels of the per-row stages of the fast complete-score TOMTOM (see
:mod:`annostore.core.tomtom_pairs_kernels`, which runs them for every query column): the
column-score rows, their extremes and MEME's off-by-one median (by bucket counts and an exact
selection), and MEME's integer scaling of a row.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from annostore.core.simd import ed_scaled16
from annostore.core.tomtom_kernels import _NJ, _rnd14  # shared MEME arithmetic


@numba.njit(**_NJ)
def _score_row(q0, q1, q2, q3, tsoa, dist, out):
    """Similarity of one query column with every target column (``tsoa``: (4, t)).

    For ``ed`` the row holds the squared distances ``d2``; MEME's score is ``-sqrt(d2)``, taken
    by the integer scaling (:func:`_quantise_ed`) and, for the row's order statistics, only of
    the few values selected (``-sqrt`` is monotone and correctly rounded, so the k-th smallest
    score is ``-sqrt`` of the (t-1-k)-th smallest ``d2``).
    """
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
            out[j] = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3
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
def _score_rows4(q, i0, tsoa, dist, s):
    """Rows ``i0 .. i0 + 3`` of ``s`` (ed or sandelin, as :func:`_score_row`) in one pass over the target
    columns: each column is loaded once for four query columns.  Same values, same association."""
    t = tsoa.shape[1]
    qq = q[i0:i0 + 4].copy()
    ed = dist == 0  # the sum itself (ed), or 2 - sum (sandelin); a loop-invariant test LLVM hoists
    out = s[i0:i0 + 4]
    for j in range(t):
        x0 = tsoa[0, j]
        x1 = tsoa[1, j]
        x2 = tsoa[2, j]
        x3 = tsoa[3, j]
        for r in range(4):
            d0 = qq[r, 0] - x0
            d1 = qq[r, 1] - x1
            d2 = qq[r, 2] - x2
            d3 = qq[r, 3] - x3
            v = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3
            out[r, j] = v if ed else 2.0 - v


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


# selection buckets: a fixed monotone map of the column score (bounds of each distance's scores;
# values outside are clamped, which keeps the map monotone), so that bucketing needs no prior pass
NBUCKET = 4096
BLO = (0.0, -1.0, -2.0)  # ed: 0 <= d2 <= 2; pearson >= -1; sandelin: 2 - sum d^2 >= 0
BHI = (2.0, 1.0, 2.0)


@numba.njit(**_NJ)
def _extremes_buckets(row, blo, bsc, nbm, zb, signed, bits):
    """(min, max) of a row and every element's bucket, in one vectorised pass.

    The extremes are taken on the values' bit patterns as int64 (integer min/max vectorise; float
    min/max with MEME's NaN-unaware compare do not): for doubles >= +0 (``ed``'s squared distances)
    the bit patterns order as the values; with ``signed`` the order-preserving map ``b ^ ((b >> 63)
    & (2^63 - 1))`` (an involution) is taken first.  Same values as a float compare (the scores hold
    no NaN; of +0 and -0 the signed map returns -0 as the smaller, which changes no scaled score).
    ``bits``: an int64 scratch of two, viewed as float64 for the result.
    """
    t = row.shape[0]
    r = row.view(np.int64)
    nb = np.int32(nbm)
    mask = np.int64(0x7FFFFFFFFFFFFFFF) if signed else np.int64(0)
    lo = np.int64(0x7FFFFFFFFFFFFFFF)
    hi = np.int64(-0x7FFFFFFFFFFFFFFF - 1)
    for j in range(t):  # clamped as integers; scores are bounded far below 2^31 / bsc
        b = r[j]
        key = b ^ ((b >> np.int64(63)) & mask)
        lo = min(lo, key)
        hi = max(hi, key)
        k = np.int32((row[j] - blo) * bsc)
        zb[j] = np.uint32(min(max(k, np.int32(0)), nb))
    bits[0] = lo ^ ((lo >> np.int64(63)) & mask)
    bits[1] = hi ^ ((hi >> np.int64(63)) & mask)
    f = bits.view(np.float64)
    return f[0], f[1]


@numba.njit(**_NJ)
def _gather_buckets(row, zb, b1, b2, buf):
    """Copy the elements of ``row`` whose bucket lies in ``[b1, b2]`` into ``buf``; their number.

    64-element blocks without one are skipped after a vectorised test (an unsigned range check).
    """
    t = row.shape[0]
    t64 = t - t % 64
    lo32 = np.int32(b1)
    sp = np.uint32(b2 - b1)
    n = 0
    for j0 in range(0, t64, 64):
        d = np.int32(0)
        for j in range(j0, j0 + 64):
            d += np.int32(np.uint32(zb[j] - lo32) <= sp)
        if d == 0:
            continue
        for j in range(j0, j0 + 64):
            buf[n] = row[j]
            n += 1 if np.uint32(zb[j] - lo32) <= sp else 0
    for j in range(t64, t):
        buf[n] = row[j]
        n += 1 if np.uint32(zb[j] - lo32) <= sp else 0
    return n


@numba.njit(**_NJ)
def _row_stats(row, k1, k2, blo, bsc, buf, cnt, zb, signed, bits):
    """(min, max, k1-th, k2-th smallest) of a score row (``k1 <= k2 <= k1 + 1``), by bucket counts.

    One pass computes the extremes and every element's bucket (a fixed monotone map of the
    value); the counts locate the buckets holding ranks ``k1`` and ``k2``; only their elements
    are gathered and selected exactly.
    """
    t = row.shape[0]
    lo, hi = _extremes_buckets(row, blo, bsc, cnt.shape[0] - 1.0, zb, signed, bits)
    cnt[:] = 0
    for j in range(t):
        cnt[zb[j]] += 1
    # the scan to rank k1 by groups of 64 buckets first (their sums vectorise), then bucket by bucket
    cum = 0
    b = 0
    nbk = cnt.shape[0]
    while b + 64 <= nbk:
        g = 0
        for u in range(b, b + 64):
            g += cnt[u]
        if cum + g > k1:
            break
        cum += g
        b += 64
    while cum + cnt[b] <= k1:
        cum += cnt[b]
        b += 1
    b1 = b
    cum1 = cum
    while cum + cnt[b] <= k2:
        cum += cnt[b]
        b += 1
    # buckets strictly between b1 and b (if any) are empty, as k2 - k1 <= 1
    n = _gather_buckets(row, zb, b1, b, buf)
    v1 = _kth(buf, n, k1 - cum1)
    v2 = v1 if k2 == k1 else _kth(buf, n, k2 - cum1)
    return lo, hi, v1, v2



@numba.njit(**_NJ)
def _quantise_ed(d2, nm, o, sc, rmax, qrow):
    """MEME's integer score ``nint(((-sqrt(d2) + nm) - o) * sc)`` of every element (``ed``).

    Computed first in float32, sixteen lanes at a time (a float32 square root costs a fraction of a
    float64 one; :func:`annostore.core.simd.ed_scaled16`): the
    float32 value ``v`` differs from MEME's float64 one by less than ``eps`` (a bound on the
    float32 roundings of ``nm - o``, the root, the difference, the product and the sum), so where
    ``v`` is farther than ``eps`` from an integer both truncate alike.  A 64-element block
    holding a value nearer than that (about one block in a hundred) is redone in float64.
    """
    t = d2.shape[0]
    a = nm - o
    vmax = abs(a) * sc + 1.0
    eps = 2.0 ** -22 * (sc * (2.0 * abs(a) + 2.5 * rmax) + 2.0 * vmax) + 1e-9
    a32 = np.float32(a)
    s32 = np.float32(sc)
    e32 = np.float32(eps)
    h32 = np.float32(1.0) - e32
    t64 = t - t % 64
    for j0 in range(0, t64, 64):  # four 16-lane steps (annostore.core.simd.ed_scaled16) per block
        g = (ed_scaled16(d2, j0, a32, s32, e32, h32, qrow) | ed_scaled16(d2, j0 + 16, a32, s32, e32, h32, qrow)
             | ed_scaled16(d2, j0 + 32, a32, s32, e32, h32, qrow) | ed_scaled16(d2, j0 + 48, a32, s32, e32, h32, qrow))
        if g != 0:
            for j in range(j0, j0 + 64):
                qrow[j] = np.uint16(np.int32(((-math.sqrt(d2[j]) + nm) - o) * sc + 0.5))
    for j in range(t64, t):
        qrow[j] = np.uint16(np.int32(((-math.sqrt(d2[j]) + nm) - o) * sc + 0.5))
