"""Recursive seqlet calling, identical to ``tangermeme.seqlet.recursive_seqlets`` 1.6.

A *seqlet* is a short span of high attribution.  The null distribution of the
sum of ``k`` attribution values is built from the data itself: all values are
put into ``n_bins`` equal-width bins, the per-position bin histogram is
convolved with itself ``k`` times, and a span's p-value is the survival
probability of its integer bin sum.  Each example is then decoded recursively:
a span of length ``L`` is a candidate when every sub-span of length at least
``min_seqlet_len`` inside it has a p-value below the threshold; candidates are
accepted longest first, then by p-value, never overlapping an accepted one.

The p-values are a ranking score (the null contains the signal), not error rates;
for a calibrated cut-off pass control attributions (``X_control``) and a target
false discovery rate.

The numba kernels are compiled with ``cache=True``: only the first process on a
machine pays for compilation.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from annostore.core.parallel import _parallel
from annostore.core.seqlet_kernels import (
    _BLOCK,
    _convolve_blocks,
    _count_rows,
    _decode_rows,
    _histogram_rows,
    _survival,
)
from annostore.errors import BadInputError
from annostore.io.attributions import load_attributions

#: thresholds tried in FDR mode, largest first (4 per decade from 1e-1 to 1e-30)
FDR_THRESHOLDS = np.logspace(-1, -30, 117)


_COLUMNS = ["example_idx", "start", "end", "attribution", "p-value"]




_CAP = 16  # seqlet slots per example in the first decode pass


def _binned(X: np.ndarray, xmin: Any, bin_width: float, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """``(B, counts)``: the bin of every value of ``X`` (int16/int32) and the histogram."""
    B = np.empty(X.shape, dtype=np.int16 if n_bins <= 32767 else np.int32)
    parts = _parallel(lambda lo, hi: _histogram_rows(X, lo, hi, xmin, bin_width, n_bins, B), X.shape[0], 1)
    return B, np.sum(parts, axis=0)


def _cutoff(rcdf: np.ndarray, length: int, threshold: float) -> int:
    """Smallest bin sum whose p-value is ``< threshold`` (rows are non-increasing), or the row width."""
    below = np.flatnonzero(rcdf[length] < threshold)
    return int(below[0]) if below.size else rcdf.shape[1]


def _null_tables(f: np.ndarray, max_len: int) -> np.ndarray:
    """Survival tables ``rcdf[k, s] = P(S_k >= s)`` for ``k = 1..max_len`` (row 0 unused).

    ``f`` is the per-position bin probability and ``S_k`` the sum of the bins of ``k``
    independent positions; ``P_k = P_{k-1} * f`` by direct convolution over the non-zero bins.
    """
    n_bins = f.shape[0]
    width = n_bins * max_len + 1
    rcdf = np.zeros((max_len + 1, width))
    f_idx = np.flatnonzero(f).astype(np.int64)
    f_val = np.ascontiguousarray(f[f_idx], dtype=np.float64)
    pp = np.zeros(n_bins + width)  # P_{k-1} after n_bins leading zeros
    cur = np.zeros(width)
    pp[n_bins : 2 * n_bins] = f
    _survival(f, n_bins - 1, rcdf[1])
    for k in range(2, max_len + 1):
        top = k * (n_bins - 1)
        n_blocks = (top + _BLOCK) // _BLOCK
        _parallel(lambda lo, hi: _convolve_blocks(pp, n_bins, f_idx, f_val, k, cur, lo, hi), n_blocks, 2)
        _survival(cur, top, rcdf[k])
        pp[n_bins : n_bins + top + 1] = cur[: top + 1]
    return rcdf


def _decode(B, X, rcdf, threshold, min_len, max_len, flanks, cap):
    """Decode every row of ``X`` (see :func:`_decode_rows`); returns counts and the slot arrays."""
    n = X.shape[0]
    cut = _cutoff(rcdf, min_len, threshold)
    counts = np.zeros(n, dtype=np.int64)
    out_s = np.empty(n * cap, dtype=np.int64)
    out_e = np.empty(n * cap, dtype=np.int64)
    out_a = np.empty(n * cap, dtype=np.float64)
    out_p = np.empty(n * cap, dtype=np.float64)
    _parallel(
        lambda lo, hi: _decode_rows(B, X, lo, hi, rcdf, threshold, cut, min_len, max_len, flanks,
                                    cap, counts, out_s, out_e, out_a, out_p),
        n,
    )
    return counts, out_s, out_e, out_a, out_p


def _count_by_threshold(B, X, rcdf, thresholds, min_len, max_len):
    cut = _cutoff(rcdf, min_len, thresholds[0])
    parts = _parallel(
        lambda lo, hi: _count_rows(B, X, lo, hi, rcdf, thresholds, cut, min_len, max_len),
        X.shape[0],
    )
    return np.sum(parts, axis=0).astype(np.int64)


class RecursiveSeqletsResult(NamedTuple):
    """Seqlets and the FDR table, returned by :func:`recursive_seqlets` with ``return_fdr=True``."""

    seqlets: pd.DataFrame
    fdr: pd.DataFrame


def _empty_frame(with_sign: bool) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "example_idx": np.empty(0, np.int64),
            "start": np.empty(0, np.int64),
            "end": np.empty(0, np.int64),
            "attribution": np.empty(0, np.float64),
            "p-value": np.empty(0, np.float64),
        }
    )
    if with_sign:
        df["sign"] = np.empty(0, np.int8)
    return df


def _as_scores(X: Any, what: str) -> np.ndarray:
    """Projected ``(n, L)`` float array, dtype kept for float32/float64 (as tangermeme keeps it)."""
    arr = load_attributions(X, dtype=None)
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


class _Null:
    """The per-call null: binning of the values and survival tables of bin sums."""

    def __init__(self, X: np.ndarray, n_bins: int, max_len: int):
        self.xmin = X.min()
        xmax = X.max()
        self.empty = bool(xmax == self.xmin)
        self.n_bins = int(n_bins)
        if self.empty:
            return
        # the range is taken in X's dtype, the width is a float64: bins are
        # floor(float64(x - xmin) / bin_width) with x - xmin in X's dtype (as tangermeme 1.6)
        self.bin_width = float(xmax - self.xmin) / (self.n_bins - 1)
        self.B, counts = _binned(X, self.xmin, self.bin_width, self.n_bins)
        f = counts / float(X.size)
        self.rcdf = _null_tables(f, int(max_len))


def _decode_frame(X: np.ndarray, null: _Null, threshold: float, min_len: int, max_len: int, flanks: int) -> pd.DataFrame:
    n = X.shape[0]
    args = (null.rcdf, float(threshold), int(min_len), int(max_len), int(flanks))
    counts, s, e, a, p = _decode(null.B, X, *args, _CAP)
    over = np.flatnonzero(counts > _CAP)
    keep = np.minimum(counts, _CAP)
    slot = np.arange(_CAP)[None, :] < keep[:, None]
    example_idx = np.repeat(np.arange(n, dtype=np.int64), keep)
    cols = [example_idx, s[slot.ravel()], e[slot.ravel()], a[slot.ravel()], p[slot.ravel()]]
    if over.size:
        cap = X.shape[1] // max(min_len, 1) + 1
        counts2, s2, e2, a2, p2 = _decode(np.ascontiguousarray(null.B[over]), np.ascontiguousarray(X[over]), *args, cap)
        slot2 = (np.arange(cap)[None, :] < counts2[:, None]).ravel()
        extra = [np.repeat(over.astype(np.int64), counts2), s2[slot2], e2[slot2], a2[slot2], p2[slot2]]
        drop = np.isin(example_idx, over)
        cols = [np.concatenate([c[~drop], x]) for c, x in zip(cols, extra)]
    df = pd.DataFrame(dict(zip(_COLUMNS, cols)))
    return df.sort_values(["example_idx", "start"], kind="stable", ignore_index=True)


def _fdr_table(X, X_control, null: _Null, min_len, max_len) -> pd.DataFrame:
    thresholds = np.sort(FDR_THRESHOLDS)[::-1].copy()
    n_x = _count_by_threshold(null.B, X, null.rcdf, thresholds, min_len, max_len)
    Xc = X_control if X_control.dtype == X.dtype else X_control.astype(X.dtype)
    Bc, _ = _binned(Xc, null.xmin, null.bin_width, null.n_bins)
    n_c = _count_by_threshold(Bc, Xc, null.rcdf, thresholds, min_len, max_len)
    scale = X.size / X_control.size
    with np.errstate(divide="ignore", invalid="ignore"):
        fdr = np.where(n_x > 0, (n_c + 1) * scale / np.maximum(n_x, 1), np.nan)
    return pd.DataFrame(
        {"threshold": thresholds, "n_seqlets": n_x.astype(np.int64), "n_control_seqlets": n_c.astype(np.int64), "fdr": fdr}
    )


def _zero_fdr_table() -> pd.DataFrame:
    thresholds = np.sort(FDR_THRESHOLDS)[::-1].copy()
    z = np.zeros(len(thresholds), np.int64)
    return pd.DataFrame({"threshold": thresholds, "n_seqlets": z, "n_control_seqlets": z.copy(),
                         "fdr": np.full(len(thresholds), np.nan)})


def _call_one_sign(X, X_control, threshold, min_len, max_len, flanks, n_bins, target_fdr):
    """Seqlets of one sign (positive seqlets of ``X``) and the FDR table (or None)."""
    # no span is longer than the longest example: longer null rows would never be read
    longest = max(X.shape[1], 0 if X_control is None else X_control.shape[1])
    max_len = min(max_len, longest)
    if max_len < min_len:
        return _empty_frame(False), (None if X_control is None else _zero_fdr_table())
    null = _Null(X, n_bins, max_len)
    fdr = None
    if X_control is not None:
        if null.empty:
            return _empty_frame(False), _zero_fdr_table()
        fdr = _fdr_table(X, X_control, null, min_len, max_len)
        passing = fdr["fdr"].to_numpy() <= target_fdr
        if not passing.any():
            finite = fdr["fdr"].dropna()
            lowest = float(finite.min()) if len(finite) else float("nan")
            warnings.warn(
                f"no seqlet threshold reaches the target FDR of {target_fdr} (lowest estimate {lowest:.4g}); "
                "returning no seqlets",
                UserWarning,
                stacklevel=3,
            )
            return _empty_frame(False), fdr
        threshold = float(fdr["threshold"].to_numpy()[np.argmax(passing)])
    if null.empty or not threshold > 0:
        return _empty_frame(False), fdr
    return _decode_frame(X, null, threshold, min_len, max_len, flanks), fdr


def _drop_overlapping(neg: pd.DataFrame, pos: pd.DataFrame) -> pd.DataFrame:
    """Negative seqlets that overlap no positive seqlet of the same example."""
    if len(neg) == 0 or len(pos) == 0:
        return neg
    pos = pos.sort_values(["example_idx", "start"], kind="stable")
    pe = pos["example_idx"].to_numpy()
    ps = pos["start"].to_numpy()
    pmax_end = pos.groupby("example_idx", sort=False)["end"].cummax().to_numpy()
    span = int(max(pos["end"].max(), neg["end"].max())) + 1
    keys = pe * span + ps
    ne = neg["example_idx"].to_numpy()
    ns = neg["start"].to_numpy()
    nend = neg["end"].to_numpy()
    idx = np.searchsorted(keys, ne * span + nend, side="left") - 1
    valid = idx >= 0
    idx_c = np.where(valid, idx, 0)
    overlaps = valid & (pe[idx_c] == ne) & (pmax_end[idx_c] > ns)
    return neg[~overlaps]


def recursive_seqlets(
    X: Any,
    threshold: float = 0.01,
    min_seqlet_len: int = 4,
    max_seqlet_len: int = 25,
    additional_flanks: int = 0,
    n_bins: int = 1000,
    X_control: Any = None,
    target_fdr: float = 0.1,
    return_fdr: bool = False,
    sign: str = "positive",
) -> pd.DataFrame | RecursiveSeqletsResult:
    """Call seqlets recursively on projected attributions (tangermeme 1.6 compatible).

    With the defaults the rows are the same as ``tangermeme.seqlet.recursive_seqlets`` 1.6
    (same spans, p-values and attributions; rows with equal p-values are ordered by
    ``(example_idx, start)`` where tangermeme's order is arbitrary).

    Parameters
    ----------
    X : numpy.ndarray, torch.Tensor, str or os.PathLike
        Attributions, projected ``(n, L)`` or per letter ``(n, 4, L)`` (summed over axis 1), or a
        ``.npy``/``.npz`` file.  float32 input is binned in float32, as tangermeme does.
    threshold : float, default 0.01
        A span is called when every sub-span of length ``>= min_seqlet_len`` has a p-value
        strictly below this.  Must be ``<= 1``; ``<= 0`` calls nothing.  Ignored with ``X_control``.
    min_seqlet_len, max_seqlet_len : int, default 4, 25
        Smallest and largest core length.
    additional_flanks : int, default 0
        Bases added on each side of every called core (clipped to the example); flanks never
        change which seqlets are called, so flanked seqlets may overlap.
    n_bins : int, default 1000
        Bins of the null distribution.
    X_control : array-like, optional
        Control attributions (e.g. of shuffled sequences; any ``n`` and ``L``).  The threshold is
        then the largest of :data:`FDR_THRESHOLDS` whose estimated FDR,
        ``(n_control + 1) * (X.size / X_control.size) / n_seqlets``, is ``<= target_fdr``.
    target_fdr : float, default 0.1
        FDR target with ``X_control``.
    return_fdr : bool, default False
        Also return the FDR table (needs ``X_control``).
    sign : {"positive", "negative", "both"}, default "positive"
        ``"positive"`` gives tangermeme's frame.  ``"negative"`` calls the seqlets of ``-X``
        (attribution reported with its real, negative sign) and drops those overlapping a
        positive seqlet; ``"both"`` gives both.  Either adds an int8 ``sign`` column (+1/-1).

    Returns
    -------
    pandas.DataFrame or RecursiveSeqletsResult
        Columns ``example_idx, start, end, attribution, p-value`` (int64, int64, int64, float64,
        float64) [+ ``sign``], 0-based half-open spans, sorted by p-value.  With
        ``return_fdr=True``: ``RecursiveSeqletsResult(seqlets, fdr)``, the FDR table having
        columns ``threshold, n_seqlets, n_control_seqlets, fdr`` (one row per threshold,
        largest first; for ``sign="both"`` the positive and negative tables are summed and
        the FDR recomputed).

    Raises
    ------
    BadInputError
        NaN/inf values, wrong rank, empty input, ``threshold > 1`` or NaN, bad lengths, unknown
        ``sign``, ``return_fdr`` without ``X_control``.

    Examples
    --------
    >>> import numpy as np, annostore
    >>> X = np.random.default_rng(0).normal(size=(10, 500))
    >>> X[:, 100:112] += 3
    >>> seqlets = annostore.recursive_seqlets(X, threshold=0.01)
    >>> both = annostore.recursive_seqlets(X, sign="both")   # adds a +1/-1 'sign' column
    """
    if sign not in ("positive", "negative", "both"):
        raise BadInputError(f"sign must be 'positive', 'negative' or 'both', not {sign!r}")
    if return_fdr and X_control is None:
        raise BadInputError("return_fdr=True needs X_control (control attributions)")
    threshold = float(threshold)
    if X_control is None and not threshold <= 1:
        raise BadInputError(f"threshold must be <= 1 (it is compared with p-values), got {threshold}")
    min_len, max_len, flanks, n_bins = int(min_seqlet_len), int(max_seqlet_len), int(additional_flanks), int(n_bins)
    if min_len < 1:
        raise BadInputError(f"min_seqlet_len must be >= 1, got {min_len}")
    if max_len < min_len:
        raise BadInputError(f"max_seqlet_len ({max_len}) must be >= min_seqlet_len ({min_len})")
    if flanks < 0:
        raise BadInputError(f"additional_flanks must be >= 0, got {flanks}")
    if n_bins < 2:
        raise BadInputError(f"n_bins must be >= 2, got {n_bins}")
    if X_control is not None and not 0 <= float(target_fdr):
        raise BadInputError(f"target_fdr must be >= 0, got {target_fdr}")

    Xa = _as_scores(X, "X")
    Xc = None if X_control is None else _as_scores(X_control, "X_control")
    args = (threshold, min_len, max_len, flanks, n_bins, float(target_fdr))

    frames = []
    fdrs = []
    pos = None
    if sign in ("positive", "both", "negative"):
        pos, fdr_pos = _call_one_sign(Xa, Xc, *args)
        fdrs.append(fdr_pos)
    if sign == "positive":
        result = pos.sort_values("p-value", kind="stable", ignore_index=True)
        return RecursiveSeqletsResult(result, fdr_pos) if return_fdr else result
    neg, fdr_neg = _call_one_sign(-Xa, None if Xc is None else -Xc, *args)
    fdrs.append(fdr_neg)
    neg = _drop_overlapping(neg, pos)
    neg = neg.assign(attribution=-neg["attribution"].to_numpy())
    if sign == "both":
        frames.append(pos.assign(sign=np.int8(1)))
    frames.append(neg.assign(sign=np.int8(-1)))
    result = pd.concat(frames, ignore_index=True) if frames else _empty_frame(True)
    result["sign"] = result["sign"].astype(np.int8)
    result = result.sort_values(["example_idx", "start"], kind="stable").sort_values(
        "p-value", kind="stable", ignore_index=True
    )
    if not return_fdr:
        return result
    fdr = fdr_neg if sign == "negative" else _combine_fdr(fdr_pos, fdr_neg, Xa.size / Xc.size)
    return RecursiveSeqletsResult(result, fdr)


def _combine_fdr(a: pd.DataFrame, b: pd.DataFrame, scale: float) -> pd.DataFrame:
    n_x = a["n_seqlets"].to_numpy() + b["n_seqlets"].to_numpy()
    n_c = a["n_control_seqlets"].to_numpy() + b["n_control_seqlets"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        fdr = np.where(n_x > 0, (n_c + 1) * scale / np.maximum(n_x, 1), np.nan)
    return pd.DataFrame({"threshold": a["threshold"].to_numpy(), "n_seqlets": n_x, "n_control_seqlets": n_c, "fdr": fdr})
