"""Pictures of the enrichment statistics (annostore.analysis.enrich).

* :func:`plot_enrichment` — volcano plot of co-occurrence enrichment: log2 odds ratio against
  -log10 q-value, one dot per pair, the most significant pairs labelled.
* :func:`plot_spacing_enrichment` — the pairs of two motifs by distance (bars) with the
  null's expected counts drawn (line) and the distances with q below a threshold marked.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from annostore.errors import BadInputError
from annostore.plots._draw import _new_axes, _save


def _frame(res: Any):
    return res.to_pandas() if hasattr(res, "to_pandas") else res


def _neg_log10(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-log10 q with q = 0 (underflow) drawn at the top of the finite range; mask of those."""
    q = np.asarray(q, dtype=np.float64)
    zero = q <= 0
    with np.errstate(divide="ignore"):
        y = -np.log10(q)
    finite = y[~zero]
    top = (finite.max() if finite.size else 1.0) * 1.1 + 1.0
    return np.where(zero, top, y), zero


def plot_enrichment(
    store: Any,
    top: int = 10,
    *,
    result: Any = None,
    q_threshold: float = 0.05,
    by: str = "motif",
    min_examples: int = 1,
    alternative: str = "greater",
    title: str | None = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (7.0, 6.0),
    dpi: int = 100,
    **filters: Any,
):
    """Volcano plot of co-occurrence enrichment: log2 odds ratio against -log10 q.

    Parameters
    ----------
    store : Store
    top : int
        Label this many pairs (smallest q first).
    result : Result or DataFrame, optional
        An :func:`~annostore.analysis.enrich.enrich_pairs` result to draw (default: computed
        from ``store`` with ``by``, ``min_examples``, ``alternative`` and ``filters``).
    q_threshold : float
        Pairs with q below it are drawn in red; a dashed line marks it.
    by, min_examples, alternative, **filters
        As in :func:`~annostore.analysis.enrich.enrich_pairs` (``source``, ``runs``,
        ``min_attribution``, ``max_p``, ...).
    title, ax, output, figsize, dpi
        Drawing options; ``output`` writes a PNG.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Infinite odds ratios (an empty off-diagonal cell) are drawn at the edge of the finite range
    as triangles, q-values that underflow to 0 at the top as triangles.

    Examples
    --------
    >>> annostore.plot_enrichment(store, min_attribution=3.0, output="enrichment.png")  # doctest: +SKIP
    """
    if result is None:
        from annostore.analysis.enrich import enrich_pairs

        result = enrich_pairs(store, by=by, min_examples=min_examples, alternative=alternative, **filters)
    df = _frame(result)
    if len(df) == 0:
        raise BadInputError("no pairs were tested in the selection; nothing to plot")
    odds = df["odds_ratio"].to_numpy(dtype=np.float64)
    ok = ~np.isnan(odds)
    df, odds = df[ok].reset_index(drop=True), odds[ok]
    with np.errstate(divide="ignore"):
        x = np.log2(odds)
    finite = x[np.isfinite(x)]
    lim = max(1.0, np.abs(finite).max() * 1.1 if finite.size else 1.0)
    clipped = ~np.isfinite(x)
    x = np.clip(np.nan_to_num(x, posinf=lim, neginf=-lim), -lim, lim)
    y, underflow = _neg_log10(df["q_value"].to_numpy())
    sig = df["q_value"].to_numpy() < q_threshold
    edge = clipped | underflow
    ax = _new_axes(ax, figsize, dpi)
    for mask, color, marker in ((~sig & ~edge, "0.6", "o"), (~sig & edge, "0.6", "^"), (sig & ~edge, "tab:red", "o"),
                                (sig & edge, "tab:red", "^")):
        if mask.any():
            ax.scatter(x[mask], y[mask], s=12, c=color, marker=marker, linewidths=0)
    ax.axhline(-np.log10(q_threshold), color="0.4", ls="--", lw=0.8)
    ax.axvline(0.0, color="0.8", lw=0.8)
    order = np.argsort(df["q_value"].to_numpy(), kind="stable")[: int(top)]
    for i in order:
        ax.annotate(f"{df.loc[i, 'motif_a']} + {df.loc[i, 'motif_b']}", (x[i], y[i]), xytext=(4, 2),
                    textcoords="offset points", fontsize=7)
    ax.set_xlabel("log2 odds ratio")
    ax.set_ylabel("-log10 q (BH)")
    ax.set_title(title or f"co-occurrence enrichment ({int(sig.sum())} pairs with q < {q_threshold:g})")
    ax.spines[["top", "right"]].set_visible(False)
    _save(ax, output, dpi)
    return ax


def plot_spacing_enrichment(
    store: Any,
    motif_a: Any,
    motif_b: Any,
    *,
    max_distance: int = 100,
    q_threshold: float = 0.05,
    by: str = "motif",
    null: str = "analytic",
    color: Any = "tab:blue",
    title: str | None = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (8.0, 3.0),
    dpi: int = 100,
    **filters: Any,
):
    """Pairs of two motifs (or clusters) by distance, with the null's expected counts and the
    significant distances marked.

    The numbers are :func:`~annostore.analysis.enrich.enrich_spacing` with ``all_distances``
    for this pair: the q-values are corrected over **all** pairs of the selection, as in
    ``annostore enrich spacing``.

    Parameters
    ----------
    store : Store
    motif_a, motif_b : str
        Motif ids / alt names (``by="motif"``) or cluster labels (``by="cluster"``).
    max_distance : int
    q_threshold : float
        Distances with q below it get a red mark above their bar.
    by, null, **filters
        As in :func:`~annostore.analysis.enrich.enrich_spacing`.
    color, title, ax, output, figsize, dpi
        Drawing options; ``output`` writes a PNG.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    BadInputError
        No pair of the two keys within ``max_distance`` in the selection.
    """
    from annostore.analysis.enrich import enrich_spacing

    res = enrich_spacing(store, max_distance=int(max_distance), by=by, null=null, all_distances=True,
                         motif_a=motif_a, motif_b=motif_b, **filters)
    df = _frame(res)
    if len(df) == 0 or df["n"].sum() == 0:
        raise BadInputError(f"no {motif_a} / {motif_b} pairs within {max_distance} bp in the selection; nothing to plot")
    if df[["motif_a", "motif_b"]].drop_duplicates().shape[0] > 1:
        raise BadInputError(f"{motif_a} / {motif_b} name more than one pair; give one motif each")
    df = df.sort_values("distance")
    d = df["distance"].to_numpy()
    n = df["n"].to_numpy()
    ax = _new_axes(ax, figsize, dpi)
    ax.bar(d, n, width=1.0, color=color, label="observed")
    ax.plot(d, df["expected"].to_numpy(), color="black", lw=1.2, label=f"expected ({null} null)")
    sig = df["q_value"].to_numpy() < q_threshold
    if sig.any():
        ax.scatter(d[sig], n[sig] + max(n.max() * 0.04, 0.5), marker="v", color="tab:red", s=18,
                   label=f"q < {q_threshold:g}")
    ax.set_xlim(-0.5, int(max_distance) - 0.5)
    ax.set_xlabel("distance (bp, start of right - end of left)")
    ax.set_ylabel("pairs")
    a, b = df["motif_a"].iloc[0], df["motif_b"].iloc[0]
    ax.set_title(title or f"spacing of {a} and {b}")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    _save(ax, output, dpi)
    return ax
