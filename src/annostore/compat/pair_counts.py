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

``mirror=True`` also counts each pair of two annotations in ``y[b, a]`` (tangermeme's
symmetric results).
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


def _pair_keys(a: np.ndarray, w, ends: np.ndarray, n_annotations: int, mirror: bool):
    """Batches of ``(a[p] * A + a[q], w[p] * w[q] or None)`` over the pairs ``p < q < ends[p]``
    (``mirror``: with ``a[q] * A + a[p]`` too, for pairs of two annotations).

    Pairs are taken by distance ``d = q - p``, one vectorised step per distance over the rows
    whose group still reaches ``p + d``: O(pairs) work, no per-pair index arrays."""
    active = np.flatnonzero(ends - np.arange(ends.shape[0]) > 1)
    keys: list = []
    weights: list = []
    held = 0
    d = 1
    while active.shape[0]:
        right = active + d
        al, ar = a[active], a[right]
        keys.append(al * n_annotations + ar)
        if w is not None:
            weights.append(w[active] * w[right])
        if mirror:  # (distinct annotations here: the mirrored key is off the diagonal)
            keys.append(ar * n_annotations + al)
            if w is not None:
                weights.append(weights[-1])
        held += active.shape[0]
        if held >= CHUNK_PAIRS:
            yield np.concatenate(keys), (np.concatenate(weights) if w is not None else None)
            keys, weights, held = [], [], 0
        d += 1
        active = active[ends[active] > active + d]
    if keys:
        yield np.concatenate(keys), (np.concatenate(weights) if w is not None else None)


def pair_counts(ex: np.ndarray, an: np.ndarray, n_annotations: int, mode: str, mirror: bool = False) -> np.ndarray:
    """``(n_annotations, n_annotations)`` int64 pair counts (``mode`` as in the module docstring;
    ``mirror``: a pair of two annotations ``a < b`` counts in ``y[b, a]`` too, as tangermeme's
    symmetric results; not for ``all_ordered``).  ``ex``/``an``: int64, >= 0."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if mirror and mode == "all_ordered":
        raise ValueError("all_ordered pairs are not mirrored (use all_symmetric)")
    A = int(n_annotations)
    size = A * A
    a, w, ends = _sorted_rows(np.asarray(ex, np.int64), np.asarray(an, np.int64), mode)
    y = None
    exact_float = ex.shape[0] < 2**26  # float64 bins are exact below 2^53 (<= n^2 / 2 pairs)
    for keys, wts in _pair_keys(a, w, ends, A, mirror):
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
