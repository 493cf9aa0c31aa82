"""Agglomerative clustering (average / complete linkage) by the nearest-neighbour chain, in numba.

``linkage(D, method)`` takes a full symmetric ``(n, n)`` distance matrix and returns the merges
in scipy's layout ``(n - 1, 4)``: cluster a, cluster b, height, size (new clusters numbered
``n, n + 1, ...``), sorted by height.  Average (UPGMA) and complete linkage are reducible, so the
nearest-neighbour chain finds exactly the merges of the greedy algorithm (``O(n^2)`` time); ties
between equal distances go to the lower cluster slot, deterministically.  ``cut(Z, n, t)`` gives
the flat clusters of all merges at height ``<= t`` (scipy's ``fcluster(..., 'distance')``).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["linkage", "cut"]

_METHODS = {"average": 0, "complete": 1}


@numba.njit(cache=True, nogil=True)
def _nn_chain(D, method):
    n = D.shape[0]
    d = D.copy()
    size = np.ones(n, dtype=np.int64)
    active = np.ones(n, dtype=np.bool_)
    label = np.arange(n)  # the cluster id (scipy numbering) held in each slot
    chain = np.empty(n, dtype=np.int64)
    out = np.empty((max(n - 1, 0), 4))
    nc = 0
    m = 0
    for _ in range(n - 1):
        if nc == 0:
            for i in range(n):
                if active[i]:
                    chain[0] = i
                    nc = 1
                    break
        while True:
            a = chain[nc - 1]
            prev = chain[nc - 2] if nc >= 2 else -1
            best = np.inf
            b = -1
            if prev >= 0:  # prefer the previous element on ties (guarantees termination)
                best = d[a, prev]
                b = prev
            for k in range(n):
                if active[k] and k != a and d[a, k] < best:
                    best = d[a, k]
                    b = k
            if b == prev:
                break
            chain[nc] = b
            nc += 1
        a = chain[nc - 1]
        b = chain[nc - 2]
        nc -= 2
        lo = min(a, b)
        hi = max(a, b)
        out[m, 0] = min(label[lo], label[hi])
        out[m, 1] = max(label[lo], label[hi])
        out[m, 2] = d[lo, hi]
        out[m, 3] = size[lo] + size[hi]
        # Lance-Williams update into slot lo; slot hi retires
        for k in range(n):
            if active[k] and k != lo and k != hi:
                if method == 0:
                    v = (size[lo] * d[lo, k] + size[hi] * d[hi, k]) / (size[lo] + size[hi])
                else:
                    v = max(d[lo, k], d[hi, k])
                d[lo, k] = v
                d[k, lo] = v
        active[hi] = False
        size[lo] += size[hi]
        label[lo] = n + m
        m += 1
    return out


def linkage(D: np.ndarray, method: str = "average") -> np.ndarray:
    """Merges of average or complete linkage on a full symmetric distance matrix (scipy layout)."""
    if method not in _METHODS:
        raise ValueError(f"unknown linkage {method!r}; choose average or complete")
    D = np.ascontiguousarray(D, dtype=np.float64)
    n = D.shape[0]
    raw = _nn_chain(D, _METHODS[method])
    # chain order -> height order (stable), renumbering the new clusters accordingly
    order = np.argsort(raw[:, 2], kind="stable")
    new_id = np.empty(max(n - 1, 0), dtype=np.int64)
    new_id[order] = np.arange(n - 1)
    Z = raw[order].copy()
    for col in (0, 1):
        c = Z[:, col].astype(np.int64)
        big = c >= n
        c[big] = n + new_id[c[big] - n]
        Z[:, col] = c
    Z[:, :2].sort(axis=1)
    return Z


def cut(Z: np.ndarray, n: int, threshold: float) -> np.ndarray:
    """Flat cluster id (0-based, arbitrary order) of each of ``n`` items: merges with height <= threshold."""
    parent = np.arange(2 * n)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m in range(Z.shape[0]):
        if Z[m, 2] <= threshold:
            a, b = int(Z[m, 0]), int(Z[m, 1])
            parent[find(a)] = n + m
            parent[find(b)] = n + m
        else:
            parent[n + m] = n + m
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    _, flat = np.unique(roots, return_inverse=True)
    return flat.astype(np.int64)
