"""Greedy overlap suppression (non-maximum suppression) of intervals, in numba.

Input rows are sorted by ``(example, group, start)``; within every ``(example, group)`` segment
the rows are visited best first (``rank``: smaller is better, ties by row order); a visited
row that is not yet covered is **kept** and covers every uncovered row of its segment that
overlaps it by at least ``frac`` of the shorter of the two intervals.  So kept rows never
overlap each other that much, and every row is covered by exactly one kept row.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["suppress"]


@numba.njit(cache=True, nogil=True)
def _overlaps(s1, e1, s2, e2, frac):
    ov = min(e1, e2) - max(s1, s2)
    if ov <= 0:
        return False
    return ov >= frac * min(e1 - s1, e2 - s2)


@numba.njit(cache=True, nogil=True)
def suppress(ex, grp, start, end, rank, frac):
    """``cover[i]``: the kept row that covers row ``i`` (``cover[i] == i`` for kept rows)."""
    n = ex.shape[0]
    cover = np.full(n, -1, dtype=np.int64)
    s0 = 0
    while s0 < n:
        s1 = s0 + 1
        while s1 < n and ex[s1] == ex[s0] and grp[s1] == grp[s0]:
            s1 += 1
        maxw = 0
        for i in range(s0, s1):
            maxw = max(maxw, end[i] - start[i])
        order = np.argsort(rank[s0:s1], kind="mergesort") + s0
        for i in order:
            if cover[i] >= 0:
                continue
            cover[i] = i
            a = start[i]
            b = end[i]
            j = i - 1
            while j >= s0 and start[j] > a - maxw:
                if cover[j] < 0 and _overlaps(a, b, start[j], end[j], frac):
                    cover[j] = i
                j -= 1
            j = i + 1
            while j < s1 and start[j] < b:
                if cover[j] < 0 and _overlaps(a, b, start[j], end[j], frac):
                    cover[j] = i
                j += 1
        s0 = s1
    return cover
