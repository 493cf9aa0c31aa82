"""Dense counts of annotation pairs within examples (numpy), behind
:func:`annostore.compat.tangermeme.pairwise_annotations`.

tangermeme returns a dense ``(A, A)`` matrix; building it straight from the pairs (one
``bincount`` over ``a * A + b``) is an order of magnitude quicker than a SQL aggregation
followed by a scatter (issue 13).  The pairs of each example are enumerated in vectorised
batches of about :data:`CHUNK_PAIRS`, so memory stays bounded whatever the example sizes.

Three counts (the rules of tangermeme 1.6 ``pairwise_annotations``):

* ``"unique"``: the distinct annotations of each example, every unordered pair ``a < b``
  once, in ``y[a, b]`` (the diagonal is never counted);
* ``"all_symmetric"``: every pair of instances; with ``c(a)`` instances of ``a`` in an
  example, ``y[a, b] += c(a) c(b)`` for ``a < b`` and ``y[a, a] += c(a) (c(a) - 1) / 2``;
* ``"all_ordered"``: every pair of rows ``p < q`` (input order) of an example adds one to
  ``y[a_p, a_q]``.

The caller mirrors ``y[a, b]`` into ``y[b, a]`` for the symmetric results.
"""

from __future__ import annotations

import numpy as np

#: Pairs counted per ``bincount`` (bounds the temporary key arrays).
CHUNK_PAIRS = 1 << 22

_MODES = ("unique", "all_symmetric", "all_ordered")


def _sorted_rows(ex: np.ndarray, an: np.ndarray, mode: str):
    """Rows grouped by example: ``(annotation, weight or None, group end of each row)``.

    ``all_ordered`` keeps every row, in input order within an example; the other modes keep
    one row per distinct (example, annotation), annotations ascending, with its count as
    the weight for ``all_symmetric``."""
    if mode == "all_ordered":
        order = np.argsort(ex, kind="stable")
        e, a, w = ex[order], an[order], None
    else:
        n_an = int(an.max()) + 1
        if int(ex.max()) < (2**62) // n_an:
            key, counts = np.unique(ex * n_an + an, return_counts=True)
            e, a = key // n_an, key % n_an
        else:  # example indices too large for one int64 key
            order = np.lexsort((an, ex))
            e, a = ex[order], an[order]
            starts = np.flatnonzero(np.r_[True, (e[1:] != e[:-1]) | (a[1:] != a[:-1])])
            counts = np.diff(np.r_[starts, e.shape[0]])
            e, a = e[starts], a[starts]
        w = counts.astype(np.int64) if mode == "all_symmetric" else None
    first = np.empty(e.shape[0], dtype=bool)
    first[:1] = True
    np.not_equal(e[1:], e[:-1], out=first[1:])
    ends = np.append(np.flatnonzero(first)[1:], e.shape[0])[np.cumsum(first) - 1]
    return a, w, ends


def _pair_keys(a: np.ndarray, w, ends: np.ndarray, n_annotations: int):
    """Batches of ``(a[p] * A + a[q], w[p] * w[q] or None)`` over the pairs ``p < q < ends[p]``.

    Pairs are taken by distance ``d = q - p``, one vectorised step per distance over the rows
    whose group still reaches ``p + d``: O(pairs) work, no per-pair index arrays."""
    active = np.flatnonzero(ends - np.arange(ends.shape[0]) > 1)
    keys: list = []
    weights: list = []
    held = 0
    d = 1
    while active.shape[0]:
        right = active + d
        keys.append(a[active] * n_annotations + a[right])
        if w is not None:
            weights.append(w[active] * w[right])
        held += active.shape[0]
        if held >= CHUNK_PAIRS:
            yield np.concatenate(keys), (np.concatenate(weights) if w is not None else None)
            keys, weights, held = [], [], 0
        d += 1
        active = active[ends[active] > active + d]
    if keys:
        yield np.concatenate(keys), (np.concatenate(weights) if w is not None else None)


def pair_counts(ex: np.ndarray, an: np.ndarray, n_annotations: int, mode: str) -> np.ndarray:
    """``(n_annotations, n_annotations)`` int64 pair counts (``mode`` as in the module docstring;
    the symmetric modes fill ``y[a, b]`` for ``a <= b`` only).  ``ex``/``an``: int64, >= 0."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    A = int(n_annotations)
    size = A * A
    a, w, ends = _sorted_rows(np.asarray(ex, np.int64), np.asarray(an, np.int64), mode)
    y = None
    exact_float = ex.shape[0] < 2**26  # float64 bins are exact below 2^53 (<= n^2 / 2 pairs)
    for keys, wts in _pair_keys(a, w, ends, A):
        if wts is None:
            part = np.bincount(keys, minlength=size)
        elif exact_float:
            part = np.bincount(keys, weights=wts.astype(np.float64), minlength=size).astype(np.int64)
        else:
            part = np.zeros(size, dtype=np.int64)
            np.add.at(part, keys, wts)
        if y is None:
            y = part
        else:
            y += part
    if y is None:
        y = np.zeros(size, dtype=np.int64)
    y = y.reshape(A, A)
    if mode == "all_symmetric":  # pairs of instances of one annotation: c (c - 1) / 2 each
        diag = w * (w - 1) // 2
        keep = diag > 0
        np.add.at(y, (a[keep], a[keep]), diag[keep])
    return y
