"""numba kernel of :mod:`annostore.analysis.enrich`: the long examples' part of the analytic
spacing null (sql/enrich_spacing_null.sql), summed from per (example, key) moments.

For each example, every pair of its keys a <= b adds (u0, u1, v0, v1: the key's moments, L the
example's length)

* a < b:  g0 += u0a u0b,  g1 += (L + 1) u0a u0b - u1a u0b - u0a u1b
* a = b:  g0 += (u0^2 - v0) / 2,  g1 += ((L + 1)(u0^2 - v0) - 2 (u1 u0 - v1)) / 2

into dense ``width x width`` accumulators: the sum over examples of (keys in the example)^2
multiply-adds, which as a SQL self-join costs one joined row each.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def accumulate_long_pairs(ex, k, length, u0, u1, v0, v1, g0, g1):  # pragma: no cover - numba
    """Add the pairs of every complete example in the rows (sorted by example, then key) to
    ``g0``/``g1`` (width x width, a <= b in the upper triangle). Returns the index of the first
    row of the last example, which may continue in the next batch and is not added."""
    n = ex.size
    if n == 0:
        return 0
    last_lo = n - 1
    while last_lo > 0 and ex[last_lo - 1] == ex[n - 1]:
        last_lo -= 1
    lo = 0
    while lo < last_lo:
        hi = lo + 1
        while hi < last_lo and ex[hi] == ex[lo]:
            hi += 1
        add_example(k, length, u0, u1, v0, v1, lo, hi, g0, g1)
        lo = hi
    return last_lo


@njit(cache=True)
def add_example(k, length, u0, u1, v0, v1, lo, hi, g0, g1):  # pragma: no cover - numba
    """Add the key pairs of one example (rows lo..hi-1, keys ascending)."""
    for i in range(lo, hi):
        a = k[i]
        L1 = length[i] + 1.0
        ua0 = u0[i]
        ua1 = u1[i]
        g0[a, a] += (ua0 * ua0 - v0[i]) / 2.0
        g1[a, a] += (L1 * (ua0 * ua0 - v0[i]) - 2.0 * (ua1 * ua0 - v1[i])) / 2.0
        for j in range(i + 1, hi):
            b = k[j]
            p = ua0 * u0[j]
            g0[a, b] += p
            g1[a, b] += L1 * p - ua1 * u0[j] - ua0 * u1[j]
